/*
 * audit_anchor.c — what holds the audit chain down from outside the database: the chain's key
 * and the anchor file.
 *
 * The key file (0600, refused when group or others may read it) is text:
 *   key <64 hex digits>          the HMAC-SHA256 key of the chain
 *   plain_until <N>              records 1..N were written before the log was keyed (an
 *                                upgrade): they keep their plain SHA-256 hashes
 *   lost_until <N>               records 1..N were keyed with a key this file does not hold
 *                                (the file was missing when the bot started): they cannot
 *                                be verified, and verification says so
 * Lines starting with '#' are comments. Someone who can write the database but not read this
 * file cannot forge a record's hash, so recomputing the chain with the public algorithm fails.
 * It is made on the first start that finds none: for an empty log; for a log whose last record
 * is plain SHA-256 (written before keys existed); or, loudly, for a keyed log whose key file is
 * gone (a database copied without it): the bot goes on with a new key, and every verification
 * reports the old records as unverifiable until the old key file is put back.
 *
 * The anchor file is append-only (open with O_APPEND; `chattr +a` makes the kernel enforce it):
 * one line per anchor, "<record id> <hash> <unix time>", written by the daily anchor job after
 * the chain verified, the same head that is posted to the audit chat. Verification compares
 * every anchored record with the database, so even a rewrite made with the key is caught at the
 * first anchored record it changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/base.h"
#include "storage/db_private.h"

#define AUDIT_KEY_BYTES crypto_auth_hmacsha256_KEYBYTES
#define AUDIT_PATH_MAX 4096
#define ANCHOR_LINE_MAX 160

/* Set once by audit_key_setup before any thread appends; read-only afterwards. */
struct audit_keyfile {
	unsigned char	 key[AUDIT_KEY_BYTES];
	int64_t		 plain_until;	/* records 1..plain_until are plain SHA-256 */
	int64_t		 lost_until;	/* records 1..lost_until were keyed with a lost key */
};

static struct {
	int			 loaded;
	struct audit_keyfile	 kf;
	char			 anchor_path[AUDIT_PATH_MAX];
} audit_keys;

int
audit_key_for(int64_t id, const unsigned char **key, int64_t *lost_until)
{
	if (!audit_keys.loaded) {
		log_error("audit: the chain's key is not loaded: not writing or verifying");
		return -1;
	}
	*key = id <= audit_keys.kf.plain_until ? NULL : audit_keys.kf.key;
	if (lost_until != NULL)
		*lost_until = audit_keys.kf.lost_until;
	return id <= audit_keys.kf.lost_until ? 1 : 0;
}

/* Opens path for reading and checks it is a regular file only its owner can read or write:
 * the fd, -1 with errno ENOENT when missing, or -1 with a message in err. */
static int
audit_open_private(const char *path, const char *what, char *err, size_t errsz)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			snprintf(err, errsz, "%s: cannot open the %s: %s", path, what,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: the %s is not a regular file", path, what);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errsz, "%s: the %s is accessible by group or others (mode %04o); "
		    "run chmod 600 on it", path, what, (unsigned)(st.st_mode & 07777));
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* A "name <record id>" line's value into *v: 1 it was that line, 0 another, -1 bad value. */
static int
audit_key_id_line(const char *line, const char *name, int64_t *v)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) != 0 || line[n] != ' ')
		return 0;
	return str_to_i64(line + n + 1, v) == -1 || *v < 0 ? -1 : 1;
}

/* Parses the key file's text: 0, or -1 with a message. */
static int
audit_key_parse(const char *path, char *text, struct audit_keyfile *kf, char *err,
    size_t errsz)
{
	char *line, *save = NULL, *v;
	size_t keylen = 0;
	int lineno = 0, have_key = 0, r;

	kf->plain_until = kf->lost_until = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "key ", 4) == 0) {
			v = line + 4;
			if (strlen(v) != AUDIT_KEY_BYTES * 2 || sodium_hex2bin(kf->key,
			    AUDIT_KEY_BYTES, v, strlen(v), NULL, &keylen, NULL) != 0 ||
			    keylen != AUDIT_KEY_BYTES) {
				snprintf(err, errsz, "%s: line %d: the key must be %d hex digits",
				    path, lineno, AUDIT_KEY_BYTES * 2);
				return -1;
			}
			have_key = 1;
		} else if ((r = audit_key_id_line(line, "plain_until", &kf->plain_until)) != 0 ||
		    (r = audit_key_id_line(line, "lost_until", &kf->lost_until)) != 0) {
			if (r == -1) {
				snprintf(err, errsz, "%s: line %d: expected a record id", path, lineno);
				return -1;
			}
		} else {
			snprintf(err, errsz, "%s: line %d: expected 'key <hex>', 'plain_until <id>' "
			    "or 'lost_until <id>'", path, lineno);
			return -1;
		}
	}
	if (!have_key) {
		snprintf(err, errsz, "%s: no 'key' line: the file is damaged; restore it from your "
		    "copy", path);
		return -1;
	}
	return 0;
}

/* Reads and parses the key file: 0, 1 when it does not exist, -1 with a message. */
static int
audit_key_read(const char *path, struct audit_keyfile *kf, char *err, size_t errsz)
{
	char text[1024];
	ssize_t n;
	int fd, rc;

	if ((fd = audit_open_private(path, "audit key file", err, errsz)) == -1)
		return errno == ENOENT && err[0] == '\0' ? 1 : -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errsz, "%s: cannot read the audit key file: %s", path, strerror(errno));
		return -1;
	}
	text[n] = '\0';
	rc = audit_key_parse(path, text, kf, err, errsz);
	sodium_memzero(text, sizeof(text));
	return rc;
}

int
audit_key_check(const char *path, char *err, size_t errsz)
{
	struct audit_keyfile kf;
	int rc;

	err[0] = '\0';
	rc = audit_key_read(path, &kf, err, errsz);
	sodium_memzero(&kf, sizeof(kf));
	return rc == -1 ? -1 : 0;
}

/* Writes a new key file: a temporary file (0600) fsynced, then linked to path, so a crash
 * never leaves half a key and two processes starting at once cannot both create one.
 * 0, 1 when another process created it first, -1 with a message. */
static int
audit_key_create(const char *path, const struct audit_keyfile *kf, char *err, size_t errsz)
{
	char tmp[AUDIT_PATH_MAX + 16], hex[AUDIT_KEY_BYTES * 2 + 1], text[512], lost[64] = "";
	int fd, n, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	sodium_bin2hex(hex, sizeof(hex), kf->key, AUDIT_KEY_BYTES);
	if (kf->lost_until > 0)
		snprintf(lost, sizeof(lost), "lost_until %lld\n", (long long)kf->lost_until);
	n = snprintf(text, sizeof(text), "# backoffice audit-chain key. Keep it secret and keep a "
	    "copy apart from the database:\n# without it the audit log can no longer be verified."
	    "\nkey %s\nplain_until %lld\n%s", hex, (long long)kf->plain_until, lost);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errsz, "%s: cannot create the audit key file: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (write(fd, text, (size_t)n) != n || fsync(fd) == -1) {
		snprintf(err, errsz, "%s: cannot write the audit key file: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (link(tmp, path) == -1) {
		rc = errno == EEXIST ? 1 : -1;
		if (rc == -1)
			snprintf(err, errsz, "%s: cannot create the audit key file: %s", path,
			    strerror(errno));
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	rc = 0;
out:
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(text, sizeof(text));
	return rc;
}

/* Is the last record plain SHA-256 (written before keys existed)? 1 yes, 0 no, -1 error. */
static int
audit_last_is_plain(struct db *db, int64_t *last_id)
{
	struct audit_record r;
	char want[65];
	int n;

	*last_id = 0;
	if ((n = audit_query(db, 0, 0, 0, 0, 1, &r, NULL)) <= 0)
		return n;
	*last_id = r.id;
	audit_hash_with(&r, NULL, want);
	return strcmp(want, r.hash) == 0;
}

int
audit_key_setup(struct db *db, const char *key_path, const char *anchor_path, char *err,
    size_t errsz)
{
	struct audit_keyfile kf;
	int64_t last_id = 0;
	int rc = -1, plain, tries;

	err[0] = '\0';
	if (sodium_init() < 0) {
		snprintf(err, errsz, "libsodium failed to initialise");
		return -1;
	}
	if (strlen(key_path) >= AUDIT_PATH_MAX || strlen(anchor_path) >= sizeof(audit_keys.anchor_path)) {
		snprintf(err, errsz, "the audit key or anchor path is too long");
		return -1;
	}
	for (tries = 0; tries < 2; tries++) {
		if ((rc = audit_key_read(key_path, &kf, err, errsz)) != 1)
			break;
		if ((plain = audit_last_is_plain(db, &last_id)) == -1) {
			snprintf(err, errsz, "cannot read the audit log");
			return -1;
		}
		memset(&kf, 0, sizeof(kf));
		randombytes_buf(kf.key, sizeof(kf.key));
		if (plain)
			kf.plain_until = last_id;
		else
			kf.lost_until = last_id;
		if ((rc = audit_key_create(key_path, &kf, err, errsz)) == 0) {
			if (kf.lost_until > 0)
				log_error("audit: the key file %s was missing while the audit log's %lld "
				    "records are keyed: made a new key; records 1..%lld cannot be verified "
				    "until the old key file is put back", key_path,
				    (long long)last_id, (long long)last_id);
			else
				log_info("audit: created the chain's key file %s%s", key_path,
				    kf.plain_until ? " (the records before it keep their plain SHA-256 "
				    "hashes)" : "");
			break;
		}
		if (rc == -1)
			break;
		/* another process made one meanwhile: read that one */
	}
	if (rc != 0) {
		sodium_memzero(&kf, sizeof(kf));
		if (err[0] == '\0')
			snprintf(err, errsz, "%s: cannot set up the audit key file", key_path);
		return -1;
	}
	audit_keys.kf = kf;
	sodium_memzero(&kf, sizeof(kf));
	str_copy(audit_keys.anchor_path, sizeof(audit_keys.anchor_path), anchor_path);
	audit_keys.loaded = 1;
	return 0;
}

static int
audit_anchor_cmp(const void *a, const void *b)
{
	const struct audit_anchor *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Parses one anchor line: 0 ok, -1 malformed. */
static int
audit_anchor_parse(char *line, struct audit_anchor *a)
{
	char *id, *hash, *at, *save = NULL;

	id = strtok_r(line, " ", &save);
	hash = strtok_r(NULL, " ", &save);
	at = strtok_r(NULL, " ", &save);
	if (id == NULL || hash == NULL || at == NULL || strtok_r(NULL, " ", &save) != NULL ||
	    str_to_i64(id, &a->id) == -1 || a->id < 1 || str_to_i64(at, &a->at) == -1 ||
	    strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
		return -1;
	memcpy(a->hash, hash, 65);
	return 0;
}

int
audit_anchors_load(struct audit_anchor **out, size_t *n, char *why, size_t whysz)
{
	struct audit_anchor *v = NULL, *nv;
	char line[ANCHOR_LINE_MAX];
	size_t cap = 0;
	FILE *fp;
	int lineno = 0, rc = 0;

	*out = NULL;
	*n = 0;
	if (!audit_keys.loaded || audit_keys.anchor_path[0] == '\0')
		return 0;
	if ((fp = fopen(audit_keys.anchor_path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_error("audit: cannot open the anchor file %s: %s", audit_keys.anchor_path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			rc = 1;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				rc = -1;
				break;
			}
			v = nv;
		}
		if (audit_anchor_parse(line, &v[*n]) == -1) {
			rc = 1;
			break;
		}
		v[*n].line = lineno;
		(*n)++;
	}
	if (ferror(fp))
		rc = -1;
	fclose(fp);
	if (rc != 0) {
		if (rc == 1)
			snprintf(why, whysz, "the anchor file %s is damaged at line %d",
			    audit_keys.anchor_path, lineno);
		else
			log_error("audit: cannot read the anchor file %s", audit_keys.anchor_path);
		free(v);
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), audit_anchor_cmp);
	*out = v;
	return 0;
}

int
audit_anchor_append(int64_t id, const char *hash, int64_t at)
{
	struct audit_anchor *v;
	char line[ANCHOR_LINE_MAX], why[AUDIT_PATH_MAX + 64];
	struct stat st;
	size_t n = 0;
	int fd, len, rc, same;

	if (!audit_keys.loaded || audit_keys.anchor_path[0] == '\0') {
		log_error("audit: no anchor file is set up");
		return -1;
	}
	/* the same head as the newest anchor adds nothing */
	if ((rc = audit_anchors_load(&v, &n, why, sizeof(why))) != 0) {
		if (rc == 1)
			log_error("audit: %s: not anchoring", why);
		return -1;
	}
	same = n > 0 && v[n - 1].id == id && strcmp(v[n - 1].hash, hash) == 0;
	free(v);
	if (same)
		return 0;
	if ((fd = open(audit_keys.anchor_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		log_error("audit: cannot open the anchor file %s: %s", audit_keys.anchor_path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || (st.st_mode & 022)) {
		log_error("audit: the anchor file %s is not a regular file only its owner may "
		    "write: not anchoring", audit_keys.anchor_path);
		close(fd);
		return -1;
	}
	len = snprintf(line, sizeof(line), "%lld %s %lld\n", (long long)id, hash, (long long)at);
	if (write(fd, line, (size_t)len) != len || fsync(fd) == -1) {
		log_error("audit: cannot write the anchor file %s: %s", audit_keys.anchor_path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
