/*
 * team_audit.c — unit tests of the hash-chained audit log: appends link up, queries filter and
 * page, the triggers refuse changes, and verification names the record an attacker with the file
 * changed (each tampering on a fresh database: the triggers dropped first, as such a hand could).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define NRECORDS 5

static int ndbs;

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
	if ((db = db_open(p, err, sizeof(err))) == NULL) {
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
	char head_hash[65];
	int64_t count, head_id;

	return audit_verify(db, &count, bad, why, whysz, &head_id, head_hash);
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
	char hash[65], head_hash[65], why[128];
	int64_t id = -1, count = -1, bad = -1, head_id = -1;
	struct db *db;
	int i, links = 1;

	{
		char p[128], err[256];

		db_path(p, sizeof(p), ndbs++);
		db = db_open(p, err, sizeof(err));
		ok(db != NULL, "open an empty log");
		is_int(audit_head(db, &id, hash), 0, "head: none in an empty log");
		is_int(audit_verify(db, &count, &bad, why, sizeof(why), &head_id, head_hash), 0,
		    "verify: an empty log is intact");
		is_int(count, 0, "verify: zero records");
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
	is_int(audit_verify(db, &count, &bad, why, sizeof(why), &head_id, head_hash), 0,
	    "verify: intact");
	ok(count == 5 && head_id == 5 && strcmp(head_hash, recs[4].hash) == 0 && bad == 0,
	    "verify: count and head");

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

int
main(void)
{
	char p[128];
	int i;

	if (testdb_setup("audit", NULL) == -1)
		return 1;
	test_chain();
	test_query();
	test_tamper();
	for (i = 0; i < ndbs; i++) {
		db_path(p, sizeof(p), i);
		testdb_remove(p);
	}
	testdb_cleanup();
	return done_testing();
}
