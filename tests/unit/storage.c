/*
 * storage.c — unit tests of storage/ against a fresh database file in a temporary directory:
 * opening and migrations, transactions, state, inbox, outbox, team, access requests, jobs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

static int
file_mode(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

static void
test_open(void)
{
	char err[256], wal[160];
	struct db *db;
	int64_t v = 0;

	/* With umask 0 a file left to SQLite's defaults would come out 0644. */
	umask(0);
	db = db_open(testdb_path, err, sizeof(err));
	ok(db != NULL, "db_open creates a new database");
	if (db == NULL) {
		diag(err);
		exit(1);
	}
	ok(db_migrations_count() >= 1, "there is at least one migration");
	is_int(db_schema_version(db), db_migrations_count(), "user_version counts every migration");
	is_int(file_mode(testdb_path), 0600, "the database file is mode 0600");
	ok(state_set_int(db, "probe", 42) == 0, "a first write");
	snprintf(wal, sizeof(wal), "%s-wal", testdb_path);
	ok(access(wal, F_OK) == 0, "journal mode is WAL (the -wal file exists)");
	is_int(file_mode(wal), 0600, "the -wal file is mode 0600 too");
	ok(db_exec_fixed(db, "INSERT INTO member_roles(user_id, role, granted_at)"
	    " VALUES (999, 'support', 1)") == -1, "foreign keys are enforced");
	ok(db_size_bytes(db) > 0 && db_size_bytes(db) % 512 == 0, "db_size_bytes is whole pages");
	db_close(db);

	db = db_open(testdb_path, err, sizeof(err));
	ok(db != NULL, "reopening succeeds (no migration runs twice)");
	if (db == NULL)
		exit(1);
	is_int(db_schema_version(db), db_migrations_count(), "reopening keeps user_version");
	ok(state_get_int(db, "probe", &v) == 1 && v == 42, "reopening keeps the data");
	db_close(db);
	umask(022);
}

static void
test_newer_schema(void)
{
	char err[256], p2[160];
	struct db *db;

	testdb_file(p2, sizeof(p2), "newer.db");
	db = db_open(p2, err, sizeof(err));
	ok(db != NULL, "a second database opens");
	if (db == NULL)
		return;
	ok(db_exec_fixed(db, "PRAGMA user_version = 1000") == 0, "pretend a newer program ran");
	db_close(db);
	db = db_open(p2, err, sizeof(err));
	ok(db == NULL && strstr(err, "newer") != NULL, "a newer schema is refused with a reason");
	db_close(db);
	testdb_remove(p2);
}

static void
test_rollback(struct db *db)
{
	int64_t id = 0, v;
	struct inbox_row ir;

	ok(db_begin(db) == 0, "begin");
	ok(inbox_add(db, 7000, "test", "{}", 1, &id) == 1, "an inbox row inside the transaction");
	ok(outbox_add(db, 1, 0, "sendMessage", "{}", "rb", 0, 1, &id) == 1, "an outbox row too");
	ok(state_set_int(db, "rb", 1) == 0, "and a state key");
	ok(db_begin(db) == -1, "a nested begin fails");
	db_rollback(db);
	is_int(inbox_pending_count(db), 0, "rollback: no inbox row");
	is_int(outbox_pending_count(db), 0, "rollback: no outbox row");
	is_int(state_get_int(db, "rb", &v), 0, "rollback: no state key");
	is_int(inbox_next(db, &ir), 0, "rollback: nothing to process");
	ok(db_begin(db) == 0 && state_set_int(db, "rb", 2) == 0 && db_commit(db) == 0,
	    "a committed transaction");
	ok(state_get_int(db, "rb", &v) == 1 && v == 2, "commit keeps the write");
}

static void
test_state(struct db *db)
{
	char s[8];
	int64_t v = 0;

	is_int(state_get_int(db, "nope", &v), 0, "state: missing int");
	is_int(state_get_str(db, "nope", s, sizeof(s)), 0, "state: missing string");
	ok(state_set_int(db, "offset", 100) == 0 && state_set_int(db, "offset", -5) == 0,
	    "state: set int twice");
	ok(state_get_int(db, "offset", &v) == 1 && v == -5, "state: the last int wins");
	ok(state_set_str(db, "name", "abc") == 0, "state: set string");
	ok(state_get_str(db, "name", s, sizeof(s)) == 1 && strcmp(s, "abc") == 0,
	    "state: get string");
	ok(state_set_str(db, "name", "abcdefgh") == 0, "state: overwrite with a longer string");
	is_int(state_get_str(db, "name", s, sizeof(s)), -1, "state: too long for the buffer");
	is_int(state_get_int(db, "name", &v), -1, "state: a string is not an int");
}

static void
test_inbox(struct db *db)
{
	struct inbox_row r;
	int64_t a = 0, b = 0, c = 0, d = 0, dup = 0;

	ok(inbox_add(db, 100, "poll", "{\"u\":100}", 1000, &a) == 1, "inbox: add");
	ok(inbox_add(db, 101, "poll", "{\"u\":101}", 1001, &b) == 1 && b > a, "inbox: add another");
	is_int(inbox_add(db, 100, "poll", "{\"u\":100,\"again\":1}", 1002, &dup), 0,
	    "inbox: a duplicate update_id is ignored");
	is_int(dup, a, "inbox: the duplicate reports the first row's id");
	ok(inbox_add(db, 0, "console", "{\"c\":1}", 1003, &c) == 1 &&
	    inbox_add(db, 0, "console", "{\"c\":2}", 1004, &d) == 1 && d > c,
	    "inbox: update_id 0 is never a duplicate");
	is_int(inbox_pending_count(db), 4, "inbox: four pending");

	ok(inbox_next(db, &r) == 1 && r.id == a && r.update_id == 100 &&
	    strcmp(r.payload, "{\"u\":100}") == 0 && r.received_at == 1000,
	    "inbox: next is the oldest, with the first payload");
	inbox_row_release(&r);
	ok(inbox_next(db, &r) == 1 && r.id == a, "inbox: next does not consume");
	inbox_row_release(&r);
	ok(inbox_finish(db, a, INBOX_DONE, NULL, 150, 2000) == 0, "inbox: finish");
	ok(inbox_next(db, &r) == 1 && r.id == b, "inbox: then the next in id order");
	inbox_row_release(&r);
	ok(inbox_finish(db, b, INBOX_FAILED, "boom", 10, 2001) == 0, "inbox: finish as failed");
	ok(inbox_next(db, &r) == 1 && r.id == c && r.update_id == 0, "inbox: a console row");
	inbox_row_release(&r);
	is_int(inbox_finish(db, 999999, INBOX_DONE, NULL, 0, 1), -1, "inbox: finish an unknown row");
	is_int(inbox_pending_count(db), 2, "inbox: two still pending");
	is_int(inbox_prune(db, 2001), 1, "inbox: prune takes rows processed before the cutoff");
	is_int(inbox_prune(db, 999999), 1, "inbox: and the later one; pending rows stay");
	is_int(inbox_pending_count(db), 2, "inbox: pending rows survive pruning");
	ok(inbox_finish(db, c, INBOX_DONE, NULL, 1, 3000) == 0 &&
	    inbox_finish(db, d, INBOX_DONE, NULL, 1, 3000) == 0, "inbox: finish the rest");
	is_int(inbox_next(db, &r), 0, "inbox: nothing pending");
}

static void
test_outbox(struct db *db)
{
	struct outbox_row rows[8], r;
	int64_t a = 0, bulk = 0, ans = 0, n2 = 0, fut = 0, dup = 0, x = 0, y = 0, at = 0;
	int n, i;

	is_int(outbox_next_at(db, &at), 0, "outbox: nothing pending, no next_at");
	ok(outbox_add(db, 10, 0, "sendMessage", "{\"text\":\"a\"}", "k1", OUTBOX_PRIO_NORMAL,
	    1000, &a) == 1, "outbox: add with a dedupe key");
	is_int(outbox_add(db, 10, 0, "sendMessage", "{\"text\":\"again\"}", "k1",
	    OUTBOX_PRIO_NORMAL, 1001, &dup), 0, "outbox: the same dedupe key is a no-op");
	is_int(dup, a, "outbox: the duplicate reports the first row's id");
	ok(outbox_add(db, 11, 1, "sendMessage", "{}", NULL, OUTBOX_PRIO_BULK, 1002, &bulk) == 1,
	    "outbox: bulk, no dedupe");
	ok(outbox_add(db, 12, 0, "answerCallbackQuery", "{}", NULL, OUTBOX_PRIO_ANSWER, 1003,
	    &ans) == 1, "outbox: an answer, no dedupe");
	ok(outbox_add(db, 10, 0, "sendMessage", "{\"text\":\"b\"}", NULL, OUTBOX_PRIO_NORMAL,
	    1004, &n2) == 1, "outbox: a second NULL dedupe is not a duplicate");
	ok(outbox_add(db, 10, 0, "sendMessage", "{}", NULL, OUTBOX_PRIO_ANSWER, 1005, &fut) == 1,
	    "outbox: one more");
	ok(outbox_retry_at(db, fut, 5000, "later") == 0, "outbox: push it to the future");
	is_int(outbox_add(db, 10, 0, NULL, "{}", NULL, 0, 1, NULL), -1, "outbox: a method is needed");
	is_int(outbox_pending_count(db), 5, "outbox: five pending");
	ok(outbox_next_at(db, &at) == 1 && at == 1000, "outbox: next_at is the earliest");

	n = outbox_due(db, 2000, rows, 8);
	is_int(n, 4, "outbox: four due at 2000 (the future one waits)");
	ok(n == 4 && rows[0].id == ans && rows[1].id == a && rows[2].id == n2 &&
	    rows[3].id == bulk, "outbox: due by priority, then id");
	ok(n == 4 && strcmp(rows[1].method, "sendMessage") == 0 &&
	    strcmp(rows[1].payload, "{\"text\":\"a\"}") == 0 && strcmp(rows[1].dedupe, "k1") == 0 &&
	    rows[1].chat_id == 10 && rows[3].is_group == 1 && rows[3].dedupe[0] == '\0',
	    "outbox: row fields read back");
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);
	n = outbox_due(db, 2000, rows, 2);
	ok(n == 2 && rows[0].id == ans && rows[1].id == a, "outbox: due honours max");
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);
	n = outbox_due(db, 5000, rows, 8);
	ok(n == 5 && rows[0].id == ans && rows[1].id == fut, "outbox: the future row once due");
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);

	ok(outbox_mark_sending(db, ans, 2100) == 0, "outbox: mark sending");
	is_int(outbox_mark_sending(db, ans, 2101), -1, "outbox: a sending row is not taken twice");
	ok(outbox_get(db, ans, &r) == 1 && r.state == OUTBOX_SENDING && r.attempts == 1,
	    "outbox: sending, one attempt");
	outbox_row_release(&r);
	n = outbox_due(db, 2000, rows, 8);
	ok(n == 3 && rows[0].id == a, "outbox: a sending row is not due");
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);
	ok(outbox_mark_sending(db, a, 2100) == 0, "outbox: another to sending");
	is_int(outbox_recover(db), 2, "outbox: recover moves both back");
	is_int(outbox_recover(db), 0, "outbox: recover again finds none");
	ok(outbox_get(db, ans, &r) == 1 && r.state == OUTBOX_PENDING && r.attempts == 1,
	    "outbox: recovered to pending, attempts kept");
	outbox_row_release(&r);

	ok(outbox_mark_sending(db, ans, 2200) == 0 && outbox_mark_sent(db, ans, 777, 2300) == 0,
	    "outbox: send it");
	ok(outbox_get(db, ans, &r) == 1 && r.state == OUTBOX_SENT && r.tg_message_id == 777 &&
	    r.attempts == 2, "outbox: sent with its message id");
	outbox_row_release(&r);
	is_int(outbox_retry_at(db, ans, 9000, "x"), -1, "outbox: a sent row is not retried");

	ok(outbox_mark_sending(db, a, 2400) == 0 && outbox_retry_at(db, a, 3000, "429") == 0,
	    "outbox: sending, then retry later");
	n = outbox_due(db, 2999, rows, 8);
	ok(n == 1 && rows[0].id == bulk,
	    "outbox: the retried row waits, and the later row of its chat with it");
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);
	n = outbox_due(db, 3000, rows, 8);
	ok(n == 3 && rows[0].id == a && rows[1].id == n2 && rows[2].id == bulk,
	    "outbox: once due, the retried row goes first, then the rest of its chat");
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);
	ok(outbox_get(db, a, &r) == 1 && r.state == OUTBOX_PENDING && r.attempts == 2,
	    "outbox: retried row is pending again");
	outbox_row_release(&r);

	/* Chat 10 becomes -100: only rows not yet sent follow. */
	ok(outbox_mark_sending(db, n2, 2500) == 0 && outbox_mark_sent(db, n2, 1, 2500) == 0,
	    "outbox: one row of chat 10 is sent");
	is_int(outbox_rewrite_chat(db, 10, -100), 2, "outbox: rewrite moves the two unsent rows");
	ok(outbox_get(db, a, &r) == 1 && r.chat_id == -100, "outbox: the pending row follows");
	outbox_row_release(&r);
	ok(outbox_get(db, n2, &r) == 1 && r.chat_id == 10, "outbox: the sent row keeps its chat");
	outbox_row_release(&r);

	ok(outbox_mark_final(db, bulk, OUTBOX_BLOCKED, "403", 2600) == 0, "outbox: blocked");
	is_int(outbox_mark_final(db, a, OUTBOX_SENT, NULL, 2600), -1,
	    "outbox: mark_final refuses a non-failure state");
	ok(outbox_get(db, bulk, &r) == 1 && r.state == OUTBOX_BLOCKED, "outbox: blocked stays");
	outbox_row_release(&r);
	is_int(outbox_get(db, 424242, &r), 0, "outbox: get of an unknown id");
	is_int(outbox_pending_count(db), 2, "outbox: two pending");

	is_int(outbox_prune(db, 2400), 1, "outbox: prune takes rows finished before the cutoff");
	is_int(outbox_prune(db, 100000), 2, "outbox: then the others; pending rows stay");
	is_int(outbox_pending_count(db), 2, "outbox: pending rows survive pruning");
	ok(outbox_add(db, 1, 0, "sendMessage", "{}", "k1", 0, 1, &x) == 0 && x == a,
	    "outbox: a pending row still holds its dedupe key");
	ok(outbox_add(db, 1, 0, "sendMessage", "{}", "k1-other", 0, 1, &y) == 1 && y > fut,
	    "outbox: another key is added");
}

struct list_ctx {
	int	 n;
	int64_t	 ids[8];
	unsigned roles[8];
};

static void
list_collect(const struct member *m, void *arg)
{
	struct list_ctx *c = arg;

	if (c->n < 8) {
		c->ids[c->n] = m->user_id;
		c->roles[c->n] = m->roles;
	}
	c->n++;
}

static void
test_team(struct db *db)
{
	struct list_ctx lc;
	struct member m;
	unsigned r;
	int i, good = 1;

	for (i = 0; i < ROLE_COUNT; i++) {
		r = 1u << i;
		if (role_name(r) == NULL || role_parse(role_name(r)) != r)
			good = 0;
	}
	ok(good, "roles: every name round-trips");
	is_str(role_name(ROLE_SUPERADMIN), "superadmin", "roles: bit 0 is superadmin");
	is_str(role_name(ROLE_SUPPORT), "support", "roles: bit 1 is support");
	is_str(role_name(ROLE_DEVELOPER), "developer", "roles: bit 2 is developer");
	is_str(role_name(ROLE_BILLING), "billing", "roles: bit 3 is billing");
	is_str(role_name(ROLE_MANAGER), "manager", "roles: bit 4 is manager");
	ok(role_name(0) == NULL && role_name(ROLE_SUPPORT | ROLE_BILLING) == NULL &&
	    role_name(1u << 5) == NULL, "roles: no name for a non-role");
	is_int(role_parse("wizard"), 0, "roles: unknown name parses to 0");
	is_int(role_parse("Support"), 0, "roles: names are exact");

	ok(team_upsert(db, 1, "Alice", "Zed Alice", 100) == 0, "team: upsert alice");
	ok(team_upsert(db, 2, "@bob", "Bob", 100) == 0, "team: upsert bob (with @)");
	ok(team_upsert(db, 3, "", "Carol", 100) == 0, "team: carol has no username");
	ok(team_get(db, 1, &m) == 1 && m.roles == 0 && strcmp(m.name, "Zed Alice") == 0 &&
	    strcmp(m.username, "Alice") == 0 && m.added_at == 100,
	    "team: a member without roles is still found, roles 0");
	is_int(team_get(db, 99, &m), 0, "team: unknown id");

	ok(team_grant(db, 1, ROLE_SUPPORT | ROLE_DEVELOPER, 9, 200) == 0, "team: grant two roles");
	ok(team_grant(db, 1, ROLE_SUPPORT, 9, 201) == 0, "team: granting a held role is fine");
	ok(team_get(db, 1, &m) == 1 && m.roles == (ROLE_SUPPORT | ROLE_DEVELOPER),
	    "team: roles come back as a mask");
	ok(team_grant(db, 2, ROLE_SUPERADMIN, 0, 200) == 0, "team: grant bob superadmin");
	ok(team_grant(db, 4, ROLE_SUPPORT, 1, 200) == 0, "team: grant to a new user adds a member");
	ok(team_get(db, 4, &m) == 1 && m.roles == ROLE_SUPPORT && m.added_at == 200,
	    "team: the new member holds the role");
	is_int(team_grant(db, 1, 1u << 7, 9, 200), -1, "team: a non-role is refused");
	ok(team_revoke(db, 1, ROLE_DEVELOPER) == 0, "team: revoke one role");
	ok(team_get(db, 1, &m) == 1 && m.roles == ROLE_SUPPORT, "team: the other role stays");
	ok(team_revoke(db, 1, ROLE_BILLING) == 0, "team: revoking a role not held is fine");

	ok(team_find(db, "@ALICE", &m) == 1 && m.user_id == 1, "team: find @username, any case");
	ok(team_find(db, "bob", &m) == 1 && m.user_id == 2 && m.roles == ROLE_SUPERADMIN,
	    "team: find username without @, with roles");
	ok(team_find(db, "3", &m) == 1 && strcmp(m.name, "Carol") == 0, "team: find by id");
	is_int(team_find(db, "@nobody", &m), 0, "team: unknown username");
	is_int(team_find(db, "@", &m), 0, "team: an empty username");
	is_int(team_find(db, "", &m), 0, "team: an empty string");

	/* Usernames move: a new holder takes it from a former one. */
	ok(team_upsert(db, 5, "bob", "New Bob", 300) == 0, "team: another user now has @bob");
	ok(team_find(db, "@bob", &m) == 1 && m.user_id == 5, "team: @bob is the new holder");
	ok(team_get(db, 2, &m) == 1 && m.username[0] == '\0' && m.roles == ROLE_SUPERADMIN,
	    "team: the former holder keeps roles, loses the name");
	ok(team_upsert(db, 2, "bobby", "Bob", 400) == 0 && team_get(db, 2, &m) == 1 &&
	    strcmp(m.username, "bobby") == 0 && m.added_at == 100 && m.roles == ROLE_SUPERADMIN,
	    "team: upsert refreshes names, keeps added_at and roles");

	memset(&lc, 0, sizeof(lc));
	is_int(team_list(db, list_collect, &lc), 3, "team: list counts members with roles");
	/* Names: 4 "" (support), 2 "Bob" (superadmin), 1 "Zed Alice" (support); 3 and 5 hold none. */
	ok(lc.n == 3 && lc.ids[0] == 4 && lc.ids[1] == 2 && lc.ids[2] == 1,
	    "team: list by name, only members with roles");
	ok(lc.n == 3 && lc.roles[1] == ROLE_SUPERADMIN && lc.roles[2] == ROLE_SUPPORT,
	    "team: list gives each member's roles");

	is_int(team_count_role(db, ROLE_SUPPORT), 2, "team: two support");
	is_int(team_count_role(db, ROLE_SUPERADMIN), 1, "team: one superadmin");
	is_int(team_count_role(db, ROLE_BILLING), 0, "team: no billing");
	is_int(team_count_role(db, ROLE_SUPPORT | ROLE_BILLING), -1, "team: count needs one role");

	ok(db_exec_fixed(db, "DELETE FROM members WHERE user_id = 4") == 0 &&
	    team_count_role(db, ROLE_SUPPORT) == 1, "team: roles go with their member (cascade)");
}

static void
test_access(struct db *db)
{
	struct access_request ar;
	int64_t id1 = 0, id2 = 0, id3 = 0;

	is_int(access_request_add(db, 50, "@eve", "Eve", 50, 1000, &id1), 1, "areq: first request");
	is_int(access_request_add(db, 50, "eve", "Eve", 50, 1001, &id2), 0,
	    "areq: a second while pending is refused");
	is_int(id2, id1, "areq: the refusal names the pending request");
	ok(access_request_add(db, 51, NULL, "Frank", 51, 1002, &id3) == 1 && id3 != id1,
	    "areq: another user may ask");
	ok(access_request_get(db, id1, &ar) == 1 && ar.user_id == 50 &&
	    strcmp(ar.username, "eve") == 0 && strcmp(ar.name, "Eve") == 0 && ar.chat_id == 50 &&
	    ar.state == AREQ_PENDING && ar.role == 0 && ar.created_at == 1000,
	    "areq: get reads the request back");
	is_int(access_request_get(db, 999, &ar), 0, "areq: unknown id");
	is_int(access_request_decide(db, id1, AREQ_APPROVED, 0, 2, 1100), -1,
	    "areq: approving needs a role");
	is_int(access_request_decide(db, id1, AREQ_APPROVED, ROLE_BILLING, 2, 1100), 1,
	    "areq: approve");
	is_int(access_request_decide(db, id1, AREQ_DENIED, 0, 3, 1101), 0,
	    "areq: a decided request is not decided again");
	ok(access_request_get(db, id1, &ar) == 1 && ar.state == AREQ_APPROVED &&
	    ar.role == ROLE_BILLING && ar.decided_by == 2, "areq: the first decision stands");
	ok(access_request_add(db, 50, "eve", "Eve", 50, 1200, &id2) == 1 && id2 != id1,
	    "areq: after a decision the user may ask again");
	is_int(access_request_decide(db, id3, AREQ_DENIED, 0, 2, 1300), 1, "areq: deny");
	ok(access_request_get(db, id3, &ar) == 1 && ar.state == AREQ_DENIED && ar.role == 0,
	    "areq: denied, no role");
}

static void
test_jobs(struct db *db)
{
	int64_t slot = 0, fin = 0;
	int okv = -1;

	is_int(jobs_last(db, "digest", &slot, &fin, &okv), 0, "jobs: no run yet");
	is_int(jobs_claim(db, "digest", 20240101, 10), 1, "jobs: claim a slot");
	is_int(jobs_claim(db, "digest", 20240101, 11), 0, "jobs: the same slot is not claimed twice");
	is_int(jobs_claim(db, "backup", 20240101, 11), 1, "jobs: another job, same slot");
	is_int(jobs_forget_unfinished(db), 2, "jobs: a crashed process's unfinished claims are forgotten");
	is_int(jobs_claim(db, "digest", 20240101, 10), 1, "jobs: and the slot can run again");
	is_int(jobs_claim(db, "backup", 20240101, 11), 1, "jobs: both of them");
	is_int(jobs_last(db, "digest", &slot, &fin, &okv), 0, "jobs: a claim is not a finished run");
	ok(jobs_finish(db, "digest", 20240101, 1, "sent", 20) == 0, "jobs: finish");
	ok(jobs_last(db, "digest", &slot, &fin, &okv) == 1 && slot == 20240101 && fin == 20 &&
	    okv == 1, "jobs: last run");
	ok(jobs_claim(db, "digest", 20240102, 30) == 1 &&
	    jobs_finish(db, "digest", 20240102, 0, "failed", 40) == 0, "jobs: a later failed run");
	ok(jobs_last(db, "digest", &slot, &fin, &okv) == 1 && slot == 20240102 && okv == 0,
	    "jobs: last is the latest");
	is_int(jobs_finish(db, "digest", 1, 1, NULL, 50), -1, "jobs: finishing an unclaimed slot");

	/* A failed run is retried in its slot after JOBS_RETRY seconds, JOBS_ATTEMPTS times in all. */
	is_int(jobs_claim(db, "digest", 20240102, 40 + JOBS_RETRY - 1), 0,
	    "jobs: a failed run is not retried before the retry delay");
	is_int(jobs_claim(db, "digest", 20240102, 40 + JOBS_RETRY), 1,
	    "jobs: a failed run is retried after the retry delay");
	is_int(jobs_claim(db, "digest", 20240102, 40 + 10 * JOBS_RETRY), 0,
	    "jobs: the retry is running: not claimed again");
	is_int(jobs_last(db, "digest", &slot, &fin, &okv), 1, "jobs: a finished run is still known");
	{
		int64_t t = 1000;
		int n;

		for (n = 2; n < JOBS_ATTEMPTS; n++) {
			ok(jobs_finish(db, "digest", 20240102, 0, "failed", t) == 0,
			    "jobs: another attempt fails");
			t += JOBS_RETRY;
			is_int(jobs_claim(db, "digest", 20240102, t), 1,
			    "jobs: and is claimed again after the delay");
		}
		ok(jobs_finish(db, "digest", 20240102, 0, "failed", t) == 0, "jobs: the last attempt fails");
		is_int(jobs_claim(db, "digest", 20240102, t + 100 * JOBS_RETRY), 0,
		    "jobs: no more attempts after the limit");
		ok(jobs_claim(db, "digest", 20240103, t) == 1, "jobs: the next slot runs");
		ok(jobs_finish(db, "digest", 20240103, 1, NULL, t + 1) == 0, "jobs: and succeeds");
		is_int(jobs_claim(db, "digest", 20240103, t + 100 * JOBS_RETRY), 0,
		    "jobs: a successful run is never run again");
	}
	is_int(jobs_claim(db, "digest", 20240101, 10000), 0,
	    "jobs: the earlier successful slot neither");
}

int
main(void)
{
	char err[256];
	struct db *db;

	if (testdb_setup("storage", "bo.db") == -1)
		return 1;

	test_open();
	test_newer_schema();
	if ((db = db_open(testdb_path, err, sizeof(err))) == NULL) {
		diag(err);
		return 1;
	}
	test_rollback(db);
	test_state(db);
	test_inbox(db);
	test_outbox(db);
	test_team(db);
	test_access(db);
	test_jobs(db);
	db_close(db);

	testdb_cleanup();
	return done_testing();
}
