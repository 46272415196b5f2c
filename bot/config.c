/*
 * config.c — the configuration, parsed against one table (cfg_keys, config_keys.c) with inih.
 * Every error is collected as "file:line: message" so one run of check-config shows them all.
 * The token is never copied into a message: values are echoed only when they cannot be one.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <ini.h>

#include "bot/config.h"

/* CFG_IDLIST relies on the count following the array. */
_Static_assert(offsetof(struct config, nsuperadmins) ==
    offsetof(struct config, superadmins) + sizeof(((struct config *)0)->superadmins),
    "nsuperadmins must follow superadmins");

/* Extra checks for single keys, run after the type's own parsing. NULL value text = ok. */
typedef const char *(*cfg_check_fn)(const char *value);

static const char *
cfg_check_secret(const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return NULL;	/* not set */
	if (n > 256 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != n)
		return "must be 1-256 characters of A-Z a-z 0-9 _ -";
	return NULL;
}

static const char *
cfg_check_api_url(const char *v)
{
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
		return "must start with https:// or http://";
	return NULL;
}

/* Empty (no probe) or an http(s) URL. */
static const char *
cfg_check_health_url(const char *v)
{
	if (*v != '\0' && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
		return "must start with https:// or http:// (or be empty: no probe)";
	return NULL;
}

static const char *
cfg_check_webhook_url(const char *v)
{
	if (*v != '\0' && strncmp(v, "https://", 8) != 0)
		return "must start with https:// (Telegram delivers webhooks over HTTPS only)";
	return NULL;
}

static const char *
cfg_check_nonempty(const char *v)
{
	return *v == '\0' ? "must not be empty" : NULL;
}

/* An IANA zone the C library can load (a wrong name would silently mean UTC). */
static const char *
cfg_check_timezone(const char *v)
{
	char path[512];

	if (*v == '\0')
		return "must not be empty";
	if (strstr(v, "..") != NULL || v[0] == '/')
		return "must be an IANA time zone name such as Europe/Moscow";
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", v);
	if (access(path, R_OK) != 0)
		return "unknown time zone (expected a name such as Europe/Moscow)";
	return NULL;
}

static const struct {
	size_t		 off;
	cfg_check_fn	 check;
} cfg_checks[] = {
	{ F(webhook_secret), cfg_check_secret },
	{ F(api_url), cfg_check_api_url },
	{ F(webhook_url), cfg_check_webhook_url },
	{ F(crm_health_url), cfg_check_health_url },
	{ F(database), cfg_check_nonempty },
	{ F(tenants_dir), cfg_check_nonempty },
	{ F(backups_dir), cfg_check_nonempty },
	{ F(timezone), cfg_check_timezone },
};

/* A value is echoed in a message only when it is short and cannot be a token ("id:secret"). */
static const char *
cfg_quotable(const char *v)
{
	if (strlen(v) > 24 || strchr(v, ':') != NULL)
		return "…";
	return v;
}

static void *
cfg_field(struct config *cfg, const struct cfg_key *k)
{
	return (char *)cfg + k->off;
}

static int
cfg_enum_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices, *bar;

	for (;;) {
		bar = strchr(p, '|');
		if (bar == NULL)
			return strcmp(p, v) == 0;
		if ((size_t)(bar - p) == n && strncmp(p, v, n) == 0)
			return 1;
		p = bar + 1;
	}
}

/* Parses "1, 2,3" into ids (positive, at most max); 0 ok, -1 with a message in msg. */
static int
cfg_parse_idlist(const char *v, int64_t *ids, int *nids, int max, char *msg, size_t msgsz)
{
	char item[32];
	int64_t id;
	size_t len;
	int n = 0, i, dup;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\0') {
		*nids = 0;
		return 0;
	}
	for (;;) {
		const char *end = strchr(v, ',');
		const char *stop = end ? end : v + strlen(v);

		while (v < stop && (*v == ' ' || *v == '\t'))
			v++;
		len = (size_t)(stop - v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof(item)) {
			snprintf(msg, msgsz, "%s (positive user ids, comma-separated)",
			    len == 0 ? "empty item" : "item too long");
			return -1;
		}
		memcpy(item, v, len);
		item[len] = '\0';
		if (str_to_i64(item, &id) == -1 || id <= 0) {
			snprintf(msg, msgsz, "bad user id '%s' (positive user ids, comma-separated)",
			    cfg_quotable(item));
			return -1;
		}
		for (dup = 0, i = 0; i < n; i++)
			dup |= ids[i] == id;
		if (!dup) {
			if (n == max) {
				snprintf(msg, msgsz, "too many ids (at most %d)", max);
				return -1;
			}
			ids[n++] = id;
		}
		if (end == NULL)
			break;
		v = end + 1;
	}
	*nids = n;
	return 0;
}

/*
 * Parses value for key k and stores it in cfg. 0 ok; -1 with a message (without the
 * "[section] key: " prefix) in msg, and cfg unchanged.
 */
static int
cfg_set(struct config *cfg, const struct cfg_key *k, const char *value, char *msg, size_t msgsz)
{
	void *field = cfg_field(cfg, k);
	int64_t n;
	size_t i;

	switch (k->type) {
	case CFG_STR:
	case CFG_ENUM: {
		char *dup;

		if (k->type == CFG_STR && strlen(value) > (size_t)k->max) {
			snprintf(msg, msgsz, "too long (at most %lld bytes)", (long long)k->max);
			return -1;
		}
		if (k->type == CFG_ENUM && !cfg_enum_ok(k->choices, value)) {
			char list[128];
			size_t j;

			str_copy(list, sizeof(list), k->choices);
			for (j = 0; list[j]; j++)
				if (list[j] == '|')
					list[j] = '/';
			snprintf(msg, msgsz, "bad value '%s' (choices: %s)", cfg_quotable(value), list);
			return -1;
		}
		for (i = 0; i < sizeof(cfg_checks) / sizeof(cfg_checks[0]); i++) {
			const char *why;

			if (cfg_checks[i].off == k->off && (why = cfg_checks[i].check(value)) != NULL) {
				snprintf(msg, msgsz, "%s", why);
				return -1;
			}
		}
		if ((dup = strdup(value)) == NULL) {
			snprintf(msg, msgsz, "out of memory");
			return -1;
		}
		free(*(char **)field);
		*(char **)field = dup;
		return 0;
	}
	case CFG_INT:
		if (str_to_i64(value, &n) == -1) {
			snprintf(msg, msgsz, "not an integer: '%s' (range %lld..%lld)",
			    cfg_quotable(value), (long long)k->min, (long long)k->max);
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(msg, msgsz, "%lld is out of range %lld..%lld", (long long)n,
			    (long long)k->min, (long long)k->max);
			return -1;
		}
		*(int64_t *)field = n;
		return 0;
	case CFG_BOOL: {
		static const char *const yes[] = { "yes", "true", "on", "1" };
		static const char *const no[] = { "no", "false", "off", "0" };

		for (i = 0; i < 4; i++) {
			if (strcmp(value, yes[i]) == 0 || strcmp(value, no[i]) == 0) {
				*(int *)field = strcmp(value, yes[i]) == 0;
				return 0;
			}
		}
		snprintf(msg, msgsz, "bad value '%s' (choices: yes/no)", cfg_quotable(value));
		return -1;
	}
	case CFG_ID:
		if (*value == '\0')
			n = 0;		/* "team =" reads as not set */
		else if (str_to_i64(value, &n) == -1) {
			snprintf(msg, msgsz, "bad chat id '%s' (an integer; 0: not set)",
			    cfg_quotable(value));
			return -1;
		}
		*(int64_t *)field = n;
		return 0;
	case CFG_IDLIST: {
		int64_t ids[CFG_MAX_IDS];
		int nids, max = k->max < CFG_MAX_IDS ? (int)k->max : CFG_MAX_IDS;

		if (cfg_parse_idlist(value, ids, &nids, max, msg, msgsz) == -1)
			return -1;
		memcpy(field, ids, (size_t)nids * sizeof(ids[0]));
		*(int *)((char *)field + sizeof(int64_t) * CFG_MAX_IDS) = nids;
		return 0;
	}
	}
	snprintf(msg, msgsz, "unknown key type");
	return -1;
}

/* Fields that follow from others. */
static void
cfg_derive(struct config *cfg)
{
	cfg->language = cfg->language_name && strcmp(cfg->language_name, "en") == 0 ?
	    LANG_EN : LANG_RU;
}

/* Starts from a zeroed struct: call it on a new config or one cfg_free released. */
void
cfg_defaults(struct config *cfg)
{
	char msg[256];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < cfg_nkeys; i++)
		if (cfg_set(cfg, &cfg_keys[i], cfg_keys[i].def, msg, sizeof(msg)) == -1)
			fatalx("config: default of [%s] %s: %s", cfg_keys[i].section,
			    cfg_keys[i].name, msg);
	cfg_derive(cfg);
}

/* State shared by the line reader and the inih handler of one cfg_load. */
struct cfg_parse {
	struct config	*cfg;
	const char	*path;
	FILE		*fp;
	struct buf	*err;
	int		 nerr;
	char		*line;		/* getline's buffer */
	size_t		 linecap;
	int		 lineno;	/* the physical line last handed to inih */
	int		 pending;	/* a key line whose handler call is still due, or 0 */
	int		 handled;	/* the line of the last handler call */
	int		 section_line;	/* the line of the current [section] header */
	int		 reported_section;	/* section_line already reported unknown */
	int		 first_syntax;	/* first syntax error found here (to match inih's) */
	int		 seen[CFG_KEYS_MAX];	/* line each key was set on, 0 if not yet */
};

static void PRINTFLIKE(3, 4)
cfg_error(struct cfg_parse *p, int line, const char *fmt, ...)
{
	va_list ap;

	buf_printf(p->err, "%s:%d: ", p->path, line);
	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	buf_addc(p->err, '\n');
	p->nerr++;
}

/* A key line inih did not hand to the handler was not "key = value". */
static void
cfg_check_pending(struct cfg_parse *p)
{
	if (p->pending && p->handled != p->pending) {
		cfg_error(p, p->pending, "syntax error (expected [section] or key = value)");
		if (!p->first_syntax)
			p->first_syntax = p->pending;
	}
	p->pending = 0;
}

/*
 * inih's reader: hands over one physical line per call so inih's count is the file's line
 * number. Leading blanks are dropped, so an indented key is a key and never a continuation
 * line. A line longer than inih's buffer is reported and replaced by an empty comment.
 */
static char *
cfg_read_line(char *str, int num, void *stream)
{
	struct cfg_parse *p = stream;
	ssize_t got;
	size_t len;
	char *s;

	cfg_check_pending(p);
	if ((got = getline(&p->line, &p->linecap, p->fp)) == -1)
		return NULL;
	p->lineno++;
	s = p->line;
	len = (size_t)got;
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	if (p->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	if (strlen(s) != len) {
		cfg_error(p, p->lineno, "NUL byte in line");
		s = ";";
	} else if (num < 2 || len > (size_t)num - 2) {
		/* room for inih's newline and NUL */
		cfg_error(p, p->lineno, "line too long (at most %d characters)", num - 2);
		s = ";";
	}
	if (*s == '[') {
		p->section_line = p->lineno;
		if (strchr(s, ']') == NULL) {
			cfg_error(p, p->lineno, "syntax error (expected [section] or key = value)");
			if (!p->first_syntax)
				p->first_syntax = p->lineno;
		}
	} else if (*s != '\0' && *s != ';' && *s != '#')
		p->pending = p->lineno;
	str_copy(str, (size_t)num, s);
	return str;
}

static const struct cfg_key *
cfg_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < cfg_nkeys; i++)
		if (strcmp(cfg_keys[i].section, section) == 0 && strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

static int
cfg_section_known(const char *section)
{
	size_t i;

	for (i = 0; i < cfg_nkeys; i++)
		if (strcmp(cfg_keys[i].section, section) == 0)
			return 1;
	return 0;
}

/* inih's handler: runs right after cfg_read_line returned the key's line. Always goes on. */
static int
cfg_handle(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_parse *p = user;
	const struct cfg_key *k;
	char msg[256];
	int line = p->lineno;
	size_t i;

	p->handled = line;
	if (*section == '\0') {
		cfg_error(p, line, "key '%.64s' outside any section", name);
		return 1;
	}
	if (!cfg_section_known(section)) {
		if (p->reported_section != p->section_line) {
			cfg_error(p, p->section_line, "unknown section [%.64s]", section);
			p->reported_section = p->section_line;
		}
		return 1;
	}
	if ((k = cfg_find(section, name)) == NULL) {
		cfg_error(p, line, "unknown key '%.64s' in [%s]", name, section);
		return 1;
	}
	i = (size_t)(k - cfg_keys);
	if (p->seen[i]) {
		cfg_error(p, line, "duplicate key '%s' in [%s] (first set on line %d)", k->name,
		    k->section, p->seen[i]);
		return 1;
	}
	p->seen[i] = line;
	if (cfg_set(p->cfg, k, value, msg, sizeof(msg)) == -1)
		cfg_error(p, line, "[%s] %s: %s", k->section, k->name, msg);
	return 1;
}

int
cfg_load(struct config *cfg, const char *path, struct buf *err)
{
	struct cfg_parse p;
	const struct cfg_key *mode;
	char *dup;
	int r;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.path = path;
	p.err = err;
	if ((dup = strdup(path)) == NULL) {
		buf_printf(err, "%s: out of memory\n", path);
		return -1;
	}
	free(cfg->path);
	cfg->path = dup;
	if ((p.fp = fopen(path, "r")) == NULL) {
		buf_printf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	{
		struct stat st;

		/* the mode of the very file read: a token in it must be private (cfg_resolve_token) */
		cfg->path_mode = fstat(fileno(p.fp), &st) == 0 ? (unsigned)(st.st_mode & 07777) :
		    07777;
	}
	r = ini_parse_stream(cfg_read_line, &p, cfg_handle, &p);
	cfg_check_pending(&p);
	if (ferror(p.fp)) {
		buf_printf(err, "%s: cannot read: %s\n", path, strerror(errno));
		p.nerr++;
	} else if (r > 0 && r != p.first_syntax)
		cfg_error(&p, r, "syntax error");	/* inih saw one we did not */
	else if (r < 0) {
		buf_printf(err, "%s: cannot parse (inih error %d)\n", path, r);
		p.nerr++;
	}
	fclose(p.fp);
	free(p.line);

	/* Cross-key rules, reported at the line that asked for the combination. */
	mode = cfg_find("telegram", "mode");
	if (p.nerr == 0 && strcmp(cfg->mode, "webhook") == 0) {
		/* the secret is required too: Telegram's header is the webhook's only check */
		const char *needs[][2] = {
			{ "webhook_url", cfg->webhook_url },
			{ "webhook_secret", cfg->webhook_secret },
		};
		size_t i;

		for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
			if (*needs[i][1] != '\0')
				continue;
			if (p.seen[mode - cfg_keys])
				cfg_error(&p, p.seen[mode - cfg_keys], "mode webhook needs "
				    "[telegram] %s", needs[i][0]);
			else {
				buf_printf(err, "%s: mode webhook needs [telegram] %s\n", path,
				    needs[i][0]);
				p.nerr++;
			}
		}
	}

	if (p.nerr == 0 && cfg->block_after_days <= cfg->grace_days) {
		const struct cfg_key *blk = cfg_find("billing", "block_after_days");
		const struct cfg_key *gr = cfg_find("billing", "grace_days");
		int line = p.seen[blk - cfg_keys] ? p.seen[blk - cfg_keys] : p.seen[gr - cfg_keys];

		if (line)
			cfg_error(&p, line, "[billing] block_after_days must be above grace_days "
			    "(a partner is suspended before it is blocked)");
		else {
			buf_printf(err, "%s: [billing] block_after_days must be above grace_days\n",
			    path);
			p.nerr++;
		}
	}

	cfg_derive(cfg);
	return p.nerr ? -1 : 0;
}

/* Lenient shape check: "<bot id>:<secret>", no blanks or control characters. */
static int
cfg_token_ok(const char *t)
{
	const char *s;

	if (*t == '\0' || strlen(t) > TOKEN_LEN || strchr(t, ':') == NULL)
		return 0;
	for (s = t; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

/* Reads the first line of a 0600 token file into *out (caller frees). 0 ok, -1 with err. */
static int
cfg_read_token_file(const char *path, char **out, struct buf *err)
{
	struct stat st;
	FILE *fp = NULL;
	char *line = NULL, *s;
	size_t cap = 0, len;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_printf(err, "%s: cannot open token file: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		buf_printf(err, "%s: cannot stat token file: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_printf(err, "%s: token file is not a regular file\n", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		buf_printf(err, "%s: token file is accessible by group or others (mode %04o); "
		    "run chmod 600 on it\n", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		buf_printf(err, "%s: cannot read token file: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (getline(&line, &cap, fp) == -1) {
		if (ferror(fp))
			buf_printf(err, "%s: cannot read token file: %s\n", path, strerror(errno));
		else
			buf_printf(err, "%s: token file is empty\n", path);
		goto out;
	}
	for (s = line; isspace((unsigned char)*s); s++)
		;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	s[len] = '\0';
	if ((*out = strdup(s)) == NULL) {
		buf_printf(err, "%s: out of memory\n", path);
		goto out;
	}
	rc = 0;
out:
	if (line != NULL) {
		explicit_bzero(line, cap);	/* do not leave the token in freed memory */
		free(line);
	}
	fclose(fp);
	return rc;
}

int
cfg_resolve_token(struct config *cfg, struct buf *err)
{
	const char *env = getenv(TOKEN_ENV);
	const char *cpath = cfg->path ? cfg->path : "config";
	char *tok = NULL, where[PATH_LEN + 64];

	if (cfg->token != NULL && *cfg->token != '\0' && cfg->path != NULL &&
	    (cfg->path_mode & 077)) {
		/* the token is exposed whichever token is used: refused like a loose token_file */
		buf_printf(err, "%s: holds [telegram] token and is accessible by group or others "
		    "(mode %04o); run chmod 600 on it, or move the token to a token_file (mode 0600) "
		    "or %s\n", cpath, cfg->path_mode, TOKEN_ENV);
		return -1;
	}
	if (env != NULL && *env != '\0') {
		snprintf(where, sizeof(where), "%s", TOKEN_ENV);
		tok = strdup(env);
	} else if (cfg->token != NULL && *cfg->token != '\0') {
		snprintf(where, sizeof(where), "%s: [telegram] token", cpath);
		tok = strdup(cfg->token);
	} else if (cfg->token_file != NULL && *cfg->token_file != '\0') {
		snprintf(where, sizeof(where), "%s", cfg->token_file);
		if (cfg_read_token_file(cfg->token_file, &tok, err) == -1)
			return -1;
	} else {
		buf_printf(err, "%s: no telegram token: set %s, [telegram] token or "
		    "[telegram] token_file\n", cpath, TOKEN_ENV);
		return -1;
	}
	if (tok == NULL) {
		buf_printf(err, "%s: out of memory\n", where);
		return -1;
	}
	if (!cfg_token_ok(tok)) {
		buf_printf(err, "%s: the telegram token does not look like a bot token "
		    "(expected <bot id>:<secret>, no spaces)\n", where);
		free(tok);
		return -1;
	}
	if (cfg->token != NULL)
		explicit_bzero(cfg->token, strlen(cfg->token));
	free(cfg->token);
	cfg->token = tok;
	log_set_secret(tok);	/* log lines scrub it from now on */
	return 0;
}

int
cfg_is_superadmin(const struct config *cfg, int64_t user_id)
{
	int i;

	for (i = 0; i < cfg->nsuperadmins; i++)
		if (cfg->superadmins[i] == user_id)
			return 1;
	return 0;
}

void
cfg_free(struct config *cfg)
{
	size_t i;

	if (cfg->token != NULL)
		explicit_bzero(cfg->token, strlen(cfg->token));
	for (i = 0; i < cfg_nkeys; i++) {
		if (cfg_keys[i].type == CFG_STR || cfg_keys[i].type == CFG_ENUM) {
			char **f = cfg_field(cfg, &cfg_keys[i]);

			free(*f);
			*f = NULL;
		}
	}
	free(cfg->path);
	cfg->path = NULL;
}
