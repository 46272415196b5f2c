/*
 * team_audit.c — unit tests of the hash-chained audit log: appends link up, queries filter and
 * page, the triggers refuse changes, and verification names the record an attacker with the file
 * changed (each tampering on a fresh database: the triggers dropped first, as such a hand could);
 * the chain is keyed by the key file (recomputing it with the public algorithm fails; an upgrade
 * keeps the old records plain) and pinned by the anchor file (a rewrite made with the key is
 * caught at the first anchored record it changed).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define NRECORDS 5

static int ndbs;
static char key_path[160], anchor_path[160];

/* Loads (or makes) the key for db: what every process does at start. */
static int
load_key(struct db *db, char *err, size_t errsz)
{
	return audit_key_setup(db, key_path, anchor_path, err, errsz);
}

static void
db_path(char *out, size_t outsz, int n)
{
	char name[32];

	snprintf(name, sizeof(name), "audit-%d.db", n);
	testdb_file(out, outsz, name);
}

/* Appends one record in its own transaction: 0/-1. */
static int
append(struct db *db, int64_t at, int64_t actor, int64_t partner, const char *action,
    const char *detail, struct audit_record *r)
{
	memset(r, 0, sizeof(*r));
	r->at = at;
	r->actor = actor;
	snprintf(r->roles, sizeof(r->roles), "%s", actor ? "support,billing" : "");
	r->partner_id = partner;
	snprintf(r->action, sizeof(r->action), "%s", action);
	snprintf(r->reason, sizeof(r->reason), "ticket T-%lld", (long long)at);
	r->session_id = actor ? 10 + actor : 0;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	if (db_begin(db) == -1)
		return -1;
	if (audit_append(db, r) == -1) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/* A fresh database holding the standard chain: records 1..5. */
static struct db *
fresh_chain(struct audit_record *recs)
{
	struct audit_record spare[NRECORDS];
	char p[128], err[256];
	struct db *db;
	int fail = 0;

	if (recs == NULL)
		recs = spare;
	db_path(p, sizeof(p), ndbs++);
	if ((db = db_open(p, err, sizeof(err))) == NULL || load_key(db, err, sizeof(err)) == -1) {
		diag(err);
		exit(1);
	}
	fail |= append(db, 1000, 7, 1, "partner.read", "card", &recs[0]);
	fail |= append(db, 1100, 8, 2, "partner.edit", "phone; plan: basic → pro", &recs[1]);
	fail |= append(db, 1200, 7, 2, "partner.read", "card", &recs[2]);
	fail |= append(db, 1300, 0, 1, "partner.status", "active → suspended", &recs[3]);
	fail |= append(db, 1400, 7, 0, "team.grant", "8 billing", &recs[4]);
	if (fail) {
		diag("cannot build the chain");
		exit(1);
	}
	return db;
}

static int
verify(struct db *db, int64_t *bad, char *why, size_t whysz)
{
	struct audit_check k;
	int r = audit_verify(db, &k);

	*bad = k.bad_id;
	snprintf(why, whysz, "%s", k.why);
	return r;
}

static void
drop_triggers(struct db *db)
{
	if (db_exec_fixed(db, "DROP TRIGGER audit_log_no_update;"
	    " DROP TRIGGER audit_log_no_delete") == -1) {
		diag("cannot drop the triggers");
		exit(1);
	}
}

static void
test_chain(void)
{
	struct audit_record recs[NRECORDS], r;
	char hash[65], why[128];
	struct audit_check k;
	int64_t id = -1, bad = -1;
	struct db *db;
	int i, links = 1;

	{
		char p[128], err[256];

		db_path(p, sizeof(p), ndbs++);
		db = db_open(p, err, sizeof(err));
		ok(db != NULL, "open an empty log");
		is_int(audit_head(db, &id, hash), 0, "head: none in an empty log");
		is_int(load_key(db, err, sizeof(err)), 0, "the key is made for an empty log");
		is_int(audit_verify(db, &k), 0, "verify: an empty log is intact");
		is_int(k.count, 0, "verify: zero records");
		memset(&r, 0, sizeof(r));
		snprintf(r.action, sizeof(r.action), "partner.read");
		is_int(audit_append(db, &r), -1, "append outside a transaction is refused");
		is_int(audit_head(db, &id, hash), 0, "and wrote nothing");
		db_close(db);
	}

	db = fresh_chain(recs);
	for (i = 0; i < NRECORDS; i++) {
		if (recs[i].id != i + 1)
			links = 0;
		if (strcmp(recs[i].prev_hash, i ? recs[i - 1].hash : ZERO_HASH) != 0)
			links = 0;
	}
	ok(links, "append: ids 1..5, each linked to the previous hash, the first to zeros");
	ok(strlen(recs[0].hash) == 64 && strcmp(recs[0].hash, recs[1].hash) != 0,
	    "append: hashes are 64 hex digits and differ");
	audit_hash(&recs[2], hash);
	is_str(hash, recs[2].hash, "audit_hash recomputes a stored hash");
	r = recs[2];
	r.detail[0] = 'C';
	audit_hash(&r, hash);
	ok(strcmp(hash, recs[2].hash) != 0, "audit_hash depends on the content");
	is_int(audit_head(db, &id, hash), 1, "head: found");
	ok(id == 5 && strcmp(hash, recs[4].hash) == 0, "head: the last record");
	is_int(audit_verify(db, &k), 0, "verify: intact");
	ok(k.count == 5 && k.head_id == 5 && strcmp(k.head_hash, recs[4].hash) == 0 &&
	    k.bad_id == 0, "verify: count and head");

	is_int(db_exec_fixed(db, "UPDATE audit_log SET detail = 'x' WHERE id = 2"), -1,
	    "the trigger refuses an UPDATE");
	ok(strstr(db_errmsg(db), "append-only") != NULL, "with \"audit log is append-only\"");
	is_int(db_exec_fixed(db, "DELETE FROM audit_log WHERE id = 5"), -1,
	    "the trigger refuses a DELETE");
	is_int(verify(db, &bad, why, sizeof(why)), 0, "still intact after the refusals");
	db_close(db);
}

static void
test_query(void)
{
	struct audit_record out[8];
	struct db *db = fresh_chain(NULL);
	int total = -1, n;

	n = audit_query(db, 0, 0, 0, 0, 8, out, &total);
	ok(n == 5 && total == 5, "query: all five");
	ok(out[0].id == 5 && out[4].id == 1, "query: newest first");
	ok(out[3].id == 2 && out[3].actor == 8 && out[3].partner_id == 2 && out[3].at == 1100 &&
	    out[3].session_id == 18 && strcmp(out[3].roles, "support,billing") == 0 &&
	    strcmp(out[3].action, "partner.edit") == 0 &&
	    strcmp(out[3].reason, "ticket T-1100") == 0 &&
	    strcmp(out[3].detail, "phone; plan: basic → pro") == 0 && strlen(out[3].hash) == 64 &&
	    strcmp(out[3].prev_hash, out[4].hash) == 0, "query: every field read back");
	n = audit_query(db, 2, 0, 0, 0, 8, out, &total);
	ok(n == 2 && total == 2 && out[0].id == 3 && out[1].id == 2, "query: by partner");
	n = audit_query(db, 0, 7, 0, 0, 8, out, &total);
	ok(n == 3 && total == 3 && out[0].id == 5 && out[2].id == 1, "query: by actor");
	n = audit_query(db, 2, 7, 0, 0, 8, out, &total);
	ok(n == 1 && total == 1 && out[0].id == 3, "query: by partner and actor");
	n = audit_query(db, 0, 0, 1200, 0, 8, out, &total);
	ok(n == 3 && total == 3 && out[2].id == 3, "query: since");
	n = audit_query(db, 0, 7, 1100, 0, 8, out, &total);
	ok(n == 2 && total == 2, "query: actor and since");
	n = audit_query(db, 0, 0, 0, 1, 2, out, &total);
	ok(n == 2 && total == 5 && out[0].id == 4 && out[1].id == 3, "query: a page");
	n = audit_query(db, 0, 0, 0, 4, 2, out, &total);
	ok(n == 1 && total == 5 && out[0].id == 1, "query: the last page");
	n = audit_query(db, 0, 0, 0, 9, 2, out, &total);
	ok(n == 0 && total == 5, "query: past the end");
	n = audit_query(db, 99, 0, 0, 0, 8, out, &total);
	ok(n == 0 && total == 0, "query: an unknown partner");
	db_close(db);
}

static void
test_tamper(void)
{
	struct audit_record recs[NRECORDS], r;
	char sql[512], why[128];
	struct db *db;
	int64_t bad;

	db = fresh_chain(NULL);
	drop_triggers(db);
	db_exec_fixed(db, "UPDATE audit_log SET detail = 'card, nothing else' WHERE id = 3");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "changed detail: broken");
	is_int(bad, 3, "changed detail: names record 3");
	is_str(why, "content changed", "changed detail: content changed");
	db_close(db);

	db = fresh_chain(NULL);
	drop_triggers(db);
	db_exec_fixed(db, "UPDATE audit_log SET at = 1201 WHERE id = 3");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "changed time: broken");
	ok(bad == 3 && strcmp(why, "content changed") == 0, "changed time: record 3's content");
	db_close(db);

	db = fresh_chain(NULL);
	drop_triggers(db);
	db_exec_fixed(db, "DELETE FROM audit_log WHERE id = 3");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "deleted middle record: broken");
	is_int(bad, 4, "deleted middle record: names the next id");
	is_str(why, "record missing before this one", "deleted middle record: why");
	db_close(db);

	db = fresh_chain(NULL);
	drop_triggers(db);
	db_exec_fixed(db, "DELETE FROM audit_log WHERE id = 1");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "deleted first record: broken");
	ok(bad == 2 && strcmp(why, "record missing before this one") == 0,
	    "deleted first record: names record 2");
	db_close(db);

	db = fresh_chain(recs);
	drop_triggers(db);
	db_exec_fixed(db, "DELETE FROM audit_log WHERE id = 5");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "deleted last record: broken");
	is_int(bad, 5, "deleted last record: names the stored head");
	is_str(why, "tail missing: stored head 5 not found", "deleted last record: tail missing");
	ok(append(db, 1500, 7, 1, "partner.read", "card", &r) == 0 && r.id == 6 &&
	    strcmp(r.prev_hash, recs[4].hash) == 0,
	    "an append after it continues from the stored head");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "the gap stays visible");
	ok(bad == 6 && strcmp(why, "record missing before this one") == 0,
	    "the gap: record 6 has one missing before it");
	db_close(db);

	/* Record 3 rewritten with a hash recomputed over the forged content: it is consistent in
	 * itself, and record 4 no longer links to it. */
	db = fresh_chain(recs);
	drop_triggers(db);
	r = recs[2];
	snprintf(r.detail, sizeof(r.detail), "forged");
	audit_hash(&r, r.hash);
	snprintf(sql, sizeof(sql), "UPDATE audit_log SET detail = 'forged', hash = '%s'"
	    " WHERE id = 3", r.hash);
	ok(db_exec_fixed(db, sql) == 0, "rewrite record 3 with a recomputed hash");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "recomputed hash: broken");
	is_int(bad, 4, "recomputed hash: names the next record");
	is_str(why, "link to previous broken", "recomputed hash: the link is broken");
	db_close(db);

	/* A row whose prev_hash and hash were both replaced, consistently with each other. */
	db = fresh_chain(recs);
	drop_triggers(db);
	r = recs[2];
	snprintf(r.prev_hash, sizeof(r.prev_hash), "%s", ZERO_HASH);
	audit_hash(&r, r.hash);
	snprintf(sql, sizeof(sql), "UPDATE audit_log SET prev_hash = '%s', hash = '%s'"
	    " WHERE id = 3", r.prev_hash, r.hash);
	ok(db_exec_fixed(db, sql) == 0, "replace record 3's prev_hash and hash together");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "replaced link: broken");
	ok(bad == 3 && strcmp(why, "link to previous broken") == 0,
	    "replaced link: record 3 does not link to record 2");
	db_close(db);

	/* The whole tail rewritten consistently still disagrees with the stored head. */
	db = fresh_chain(recs);
	drop_triggers(db);
	r = recs[4];
	snprintf(r.detail, sizeof(r.detail), "7 billing");
	audit_hash(&r, r.hash);
	snprintf(sql, sizeof(sql), "UPDATE audit_log SET detail = '7 billing', hash = '%s'"
	    " WHERE id = 5", r.hash);
	db_exec_fixed(db, sql);
	is_int(verify(db, &bad, why, sizeof(why)), 1, "rewritten last record: broken");
	ok(bad == 5 && strcmp(why, "last record does not match the stored head") == 0,
	    "rewritten last record: the stored head disagrees");
	db_close(db);

	/* Without the stored head the log refuses appends (fail closed) and fails verification. */
	db = fresh_chain(NULL);
	db_exec_fixed(db, "DELETE FROM state WHERE key IN ('audit_head_id', 'audit_head_hash')");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "stored head gone: broken");
	is_str(why, "stored head missing", "stored head gone: why");
	is_int(append(db, 1600, 7, 1, "partner.read", "card", &r), -1,
	    "stored head gone: appends are refused");
	db_close(db);
}

/* The chain's definition, written out again from the comment in audit_log.c: what an outside
 * verifier (or an attacker who knows the algorithm) computes. key NULL: plain SHA-256. */
static void
spec_hash(const struct audit_record *r, const unsigned char *key, char out[65])
{
	unsigned char msg[4096], md[32];
	const char *s[10];
	char num[5][24];
	size_t n = 0, len, i;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)r->id);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)r->at);
	snprintf(num[2], sizeof(num[2]), "%lld", (long long)r->actor);
	snprintf(num[3], sizeof(num[3]), "%lld", (long long)r->partner_id);
	snprintf(num[4], sizeof(num[4]), "%lld", (long long)r->session_id);
	s[0] = num[0], s[1] = num[1], s[2] = num[2], s[3] = r->roles, s[4] = num[3];
	s[5] = r->action, s[6] = r->reason, s[7] = num[4], s[8] = r->detail, s[9] = r->prev_hash;
	memcpy(msg, r->prev_hash, 64);
	n = 64;
	for (i = 0; i < 10; i++) {
		len = strlen(s[i]);
		msg[n++] = (unsigned char)(len >> 24);
		msg[n++] = (unsigned char)(len >> 16);
		msg[n++] = (unsigned char)(len >> 8);
		msg[n++] = (unsigned char)len;
		memcpy(msg + n, s[i], len);
		n += len;
	}
	if (key != NULL)
		crypto_auth_hmacsha256(md, msg, n, key);
	else
		crypto_hash_sha256(md, msg, n);
	sodium_bin2hex(out, 65, md, sizeof(md));
}

/* The key in a key file, as an outside verifier reads it: 0, or -1. */
static int
read_key(const char *path, unsigned char key[32], int64_t *plain_until)
{
	char line[256], hex[80];
	long long pu = -1;
	int have = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "key %79s", hex) == 1)
			have = sodium_hex2bin(key, 32, hex, strlen(hex), NULL, NULL, NULL) == 0;
		sscanf(line, "plain_until %lld", &pu);
	}
	fclose(fp);
	*plain_until = pu;
	return have && pu >= 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp;

	unlink(path);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) < 0 || fclose(fp) != 0 ||
	    chmod(path, mode) == -1) {
		diag("cannot write a test file");
		exit(1);
	}
}

/*
 * Rewrites records from..head as an attacker with write access to the file would: the
 * triggers dropped, record `from` given new detail (or, with detail NULL, the chain only
 * recomputed), every hash from there recomputed with key (NULL: the public algorithm) and the
 * stored head rewritten. Returns 0/-1.
 */
static int
rewrite_from(struct db *db, int64_t from, const char *detail, const unsigned char *key)
{
	struct audit_record recs[32];
	char sql[2400], prev[65];
	int total, n, i;

	if ((n = audit_query(db, 0, 0, 0, 0, 32, recs, &total)) <= 0)
		return -1;
	drop_triggers(db);
	snprintf(prev, sizeof(prev), "%s", ZERO_HASH);
	for (i = n - 1; i >= 0; i--) {
		struct audit_record *r = &recs[i];

		if (r->id >= from) {
			if (r->id == from && detail != NULL)
				snprintf(r->detail, sizeof(r->detail), "%s", detail);
			snprintf(r->prev_hash, sizeof(r->prev_hash), "%s", prev);
			spec_hash(r, key, r->hash);
			snprintf(sql, sizeof(sql), "UPDATE audit_log SET detail = '%s', prev_hash = "
			    "'%s', hash = '%s' WHERE id = %lld", r->detail, r->prev_hash, r->hash,
			    (long long)r->id);
			if (db_exec_fixed(db, sql) == -1)
				return -1;
		}
		snprintf(prev, sizeof(prev), "%s", r->hash);
	}
	snprintf(sql, sizeof(sql), "UPDATE state SET value = '%s' WHERE key = 'audit_head_hash'",
	    prev);
	return db_exec_fixed(db, sql);
}

static void
test_key(void)
{
	struct audit_record recs[NRECORDS], r;
	unsigned char key[32];
	char hash[65], why[512], err[512], moved[200];
	int64_t bad, plain_until = -1;
	struct stat st;
	struct db *db;
	int i, same = 1;

	db = fresh_chain(recs);
	ok(stat(key_path, &st) == 0 && (st.st_mode & 0777) == 0600, "the key file is 0600");
	ok(read_key(key_path, key, &plain_until) == 0 && plain_until == 0,
	    "the key file holds a key and plain_until 0 (made for an empty log)");
	for (i = 0; i < NRECORDS; i++) {
		spec_hash(&recs[i], key, hash);
		same &= strcmp(hash, recs[i].hash) == 0;
	}
	ok(same, "every hash is the documented HMAC-SHA256 under the key file's key");
	spec_hash(&recs[0], NULL, hash);
	ok(strcmp(hash, recs[0].hash) != 0, "and not the plain SHA-256 of the same bytes");

	/* The attack of the review: the whole chain recomputed with the public algorithm. */
	ok(rewrite_from(db, 1, NULL, NULL) == 0, "recompute every record with plain SHA-256 and "
	    "rewrite the stored head");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "the recomputed chain: broken");
	ok(bad == 1 && strcmp(why, "content changed") == 0, "at record #1: content changed");
	db_close(db);

	/* A forged record appended at the end with the public algorithm is caught as well. */
	db = fresh_chain(recs);
	ok(rewrite_from(db, 4, "forged", NULL) == 0, "rewrite records 4..5 without the key");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "broken");
	is_int(bad, 4, "at the first rewritten record");
	db_close(db);

	/* The key file's mode and content are checked; a keyed log without its key is refused. */
	db = fresh_chain(NULL);
	chmod(key_path, 0644);
	is_int(load_key(db, err, sizeof(err)), -1, "a key file readable by others is refused");
	like(err, "accessible by group or others \\(mode 0644\\); run chmod 600", "saying what to do");
	is_int(audit_key_check(key_path, err, sizeof(err)), -1, "check-config refuses it too");
	chmod(key_path, 0600);
	is_int(audit_key_check(key_path, err, sizeof(err)), 0, "and accepts it at 0600");
	snprintf(moved, sizeof(moved), "%s.moved", key_path);
	rename(key_path, moved);
	is_int(load_key(db, err, sizeof(err)), 0,
	    "a keyed log whose key file is missing (a copied database) goes on with a new key");
	ok(read_key(key_path, key, &plain_until) == 0 && plain_until == 0,
	    "a new key file is made");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "but the old records are not taken as intact");
	is_int(bad, 1, "from record #1");
	is_str(why, "keyed with a key the key file does not hold (it was made anew): records #1…#5 "
	    "cannot be verified until the old key file is put back", "saying why and what to do");
	ok(append(db, 1500, 7, 1, "partner.read", "card", &r) == 0 && r.id == 6,
	    "new records are still written (under the new key)");
	spec_hash(&r, key, hash);
	is_str(hash, r.hash, "keyed with the new key");
	unlink(key_path);
	write_file(key_path, "key abc\n", 0600);
	is_int(load_key(db, err, sizeof(err)), -1, "a damaged key file is refused");
	like(err, "line 1: the key must be 64 hex digits", "naming the line");
	rename(moved, key_path);
	is_int(load_key(db, err, sizeof(err)), 0, "the old key file put back loads");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "records 1..5 verify with it again, not #6");
	ok(bad == 6 && strcmp(why, "content changed") == 0, "which was keyed with the other key");
	db_close(db);

	/* An upgrade: a log written before keys existed keeps its plain records. */
	snprintf(moved, sizeof(moved), "%s.old", key_path);
	rename(key_path, moved);
	write_file(key_path, "# written by hand: records up to 1000 are plain\nkey "
	    "0000000000000000000000000000000000000000000000000000000000000000\nplain_until 1000\n",
	    0600);
	db = fresh_chain(recs);
	spec_hash(&recs[4], NULL, hash);
	is_str(hash, recs[4].hash, "(records up to plain_until are plain SHA-256)");
	unlink(key_path);
	is_int(load_key(db, err, sizeof(err)), 0, "a log of plain records gets a new key");
	ok(read_key(key_path, key, &plain_until) == 0 && plain_until == NRECORDS,
	    "which keeps records 1..5 plain (plain_until 5)");
	is_int(verify(db, &bad, why, sizeof(why)), 0, "the old records verify");
	ok(append(db, 1500, 7, 1, "partner.read", "card", &r) == 0 && r.id == 6, "append #6");
	spec_hash(&r, key, hash);
	is_str(hash, r.hash, "#6 is keyed");
	is_int(verify(db, &bad, why, sizeof(why)), 0, "the upgraded log verifies");
	ok(rewrite_from(db, 1, NULL, NULL) == 0, "recompute it all with the public algorithm");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "broken");
	is_int(bad, 6, "at the first keyed record");
	db_close(db);
	unlink(key_path);
	rename(moved, key_path);
}

static int
anchor_lines(void)
{
	char line[256];
	int n = 0;
	FILE *fp = fopen(anchor_path, "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		n++;
	fclose(fp);
	return n;
}

static void
test_anchor(void)
{
	struct audit_record recs[NRECORDS], r6, r7;
	unsigned char key[32];
	struct audit_check k;
	char why[512], sql[256];
	int64_t bad, plain_until;
	struct stat st;
	struct db *db;
	FILE *fp;

	unlink(anchor_path);
	db = fresh_chain(recs);
	is_int(audit_verify(db, &k), 0, "no anchor file: intact");
	is_int(k.anchors, 0, "with no anchors compared");
	is_int(audit_anchor_append(2, recs[1].hash, 1200), 0, "anchor record #2");
	ok(stat(anchor_path, &st) == 0 && (st.st_mode & 0777) == 0600, "the anchor file is 0600");
	is_int(audit_anchor_append(5, recs[4].hash, 2000), 0, "anchor record #5");
	is_int(audit_anchor_append(5, recs[4].hash, 2100), 0, "the same head again");
	is_int(anchor_lines(), 2, "adds no line");
	is_int(audit_verify(db, &k), 0, "intact");
	ok(k.anchors == 2 && k.anchor_id == 5 && k.anchor_at == 2000,
	    "two anchors matched, the newest #5");
	ok(append(db, 2200, 7, 1, "partner.read", "card", &r6) == 0 &&
	    append(db, 2300, 7, 1, "partner.read", "card", &r7) == 0, "two records more");
	is_int(audit_anchor_append(7, r7.hash, 2400), 0, "anchor #7");

	/* An attacker with the key (stolen) rewrites record 3 and everything after it: the chain
	 * is consistent, the stored head agrees, only the anchors disagree. */
	ok(read_key(key_path, key, &plain_until) == 0, "(the attacker has the key)");
	ok(rewrite_from(db, 3, "card, nothing else", key) == 0, "rewrite #3..#7 with the key");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "a rewrite with the key: broken");
	is_int(bad, 5, "at the first anchored record it changed, #5");
	like(why, "^differs from the head anchored on 1970-01-01 00:33 UTC; the anchor of record #2 "
	    "still matches: rewritten within #3…#5$", "saying where the change lies");
	db_close(db);

	/* The tail deleted with the stored head rewritten to match: the anchor of #7 is missing. */
	unlink(anchor_path);
	db = fresh_chain(recs);
	append(db, 2200, 7, 1, "partner.read", "card", &r6);
	append(db, 2300, 7, 1, "partner.read", "card", &r7);
	audit_anchor_append(7, r7.hash, 2400);
	drop_triggers(db);
	snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE id > 5; UPDATE state SET value = "
	    "'%s' WHERE key = 'audit_head_hash'", recs[4].hash);
	db_exec_fixed(db, sql);
	db_exec_fixed(db, "UPDATE state SET value = 5 WHERE key = 'audit_head_id'");
	is_int(verify(db, &bad, why, sizeof(why)), 1, "a deleted tail behind a rewritten head: broken");
	is_int(bad, 7, "at the anchored record that is gone");
	like(why, "^tail missing: record #7, anchored on 1970-01-01 00:40 UTC, is not in the database$",
	    "tail missing");
	db_close(db);

	/* A damaged anchor file breaks the proof; a loose one is not written to. */
	db = fresh_chain(NULL);
	if ((fp = fopen(anchor_path, "a")) != NULL) {
		fputs("3 not-a-hash 1\n", fp);
		fclose(fp);
	}
	is_int(verify(db, &bad, why, sizeof(why)), 1, "a damaged anchor file: broken");
	like(why, "anchor file .* is damaged at line 2$", "naming the line");
	is_int(audit_anchor_append(5, recs[4].hash, 3000), -1, "and nothing is anchored after it");
	unlink(anchor_path);
	write_file(anchor_path, "", 0666);
	chmod(anchor_path, 0620);
	is_int(audit_anchor_append(5, recs[4].hash, 3000), -1,
	    "an anchor file others may write is refused");
	is_int(anchor_lines(), 0, "and left unwritten");
	unlink(anchor_path);
	db_close(db);
}

int
main(void)
{
	char p[128];
	int i;

	if (testdb_setup("audit", NULL) == -1)
		return 1;
	testdb_file(key_path, sizeof(key_path), "audit.key");
	testdb_file(anchor_path, sizeof(anchor_path), "audit.anchors");
	test_chain();
	test_query();
	test_tamper();
	test_key();
	test_anchor();
	for (i = 0; i < ndbs; i++) {
		db_path(p, sizeof(p), i);
		testdb_remove(p);
	}
	unlink(key_path);
	unlink(anchor_path);
	testdb_cleanup();
	return done_testing();
}
