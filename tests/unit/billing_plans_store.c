/*
 * billing_plans_store.c — unit tests of the plan storage against a fresh database file: a code's
 * first version and a taken code, new versions (numbering, the archived flag carried over, the old
 * rows untouched), the current version, version history, archiving every version, the list's order
 * (active first, then by code; only the latest version of each), and the subscriber count (live
 * subscriptions on any version; canceled ones and other codes do not count). Nothing writes
 * subscriptions yet, so the test inserts them with fixed SQL of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

/* A plan whose every priced field derives from n, so two plans differ everywhere. */
static void
shape(struct plan *p, const char *code, const char *name, int n)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->yearly = n % 2;
	p->base = 299000 + n;
	p->per_branch = 99000 + n;
	p->per_user = 1000 * n;
	p->included_branches = 1 + n;
	p->included_users = 5 + n;
	p->trial_days = 14 + n;
	p->created_at = 1700000000 + n;
	p->created_by = 4000 + n;
	p->version = 77;	/* ignored by the inserts */
	p->archived = 1;	/* ignored too: a new code is active, a version copies the code's */
}

static int
same_prices(const struct plan *a, const struct plan *b)
{
	return strcmp(a->code, b->code) == 0 && strcmp(a->name, b->name) == 0 &&
	    a->yearly == b->yearly && a->base == b->base && a->per_branch == b->per_branch &&
	    a->per_user == b->per_user && a->included_branches == b->included_branches &&
	    a->included_users == b->included_users && a->trial_days == b->trial_days &&
	    a->created_at == b->created_at && a->created_by == b->created_by;
}

/* Fixed SQL through a connection of the test's own (nothing in storage/ writes these yet). */
static int
raw(sqlite3 *h, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) {
		diag(err ? err : "sqlite3_exec failed");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int64_t
add_partner(struct db *db, int n)
{
	struct partner p;
	int64_t dup = 0;

	memset(&p, 0, sizeof(p));
	snprintf(p.slug, sizeof(p.slug), "partner-%d", n);
	snprintf(p.name, sizeof(p.name), "Партнёр %d", n);
	snprintf(p.legal_name, sizeof(p.legal_name), "ООО «Партнёр %d»", n);
	p.status = PARTNER_ACTIVE;
	if (partner_insert(db, &p, 1000 + n, &dup) != 1)
		return -1;
	return p.id;
}

/* A subscription row of partner on plan version plan_id in status. */
static int
add_sub(sqlite3 *h, int64_t partner, int64_t plan_id, int status)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO subscriptions(partner_id, plan_id, status,"
	    " anchor_dom, started_on, period_start, period_end, created_at, updated_at)"
	    " VALUES (%lld, %lld, %d, 1, 20000, 20000, 20031, 1, 1)", (long long)partner,
	    (long long)plan_id, status);
	return raw(h, sql);
}

static void
test_versions(struct db *db)
{
	struct plan p, q, v2, got, rows[8];
	int n;

	shape(&p, "start", "Старт", 0);
	is_int(plan_insert(db, &p), 1, "plan_insert: a new code is created");
	is_int(p.version, 1, "as version 1 (whatever version the caller passed)");
	ok(p.id > 0, "its id is filled");
	is_int(p.archived, 0, "a new code is active");
	is_int(plan_get(db, p.id, &got), 1, "plan_get finds it");
	ok(same_prices(&got, &p) && got.version == 1 && got.id == p.id && got.archived == 0,
	    "every field read back as written");

	shape(&q, "start", "Другой старт", 3);
	is_int(plan_insert(db, &q), 0, "plan_insert of a code that exists: 0");
	is_int(plan_current(db, "start", &got), 1, "the code still has one version");
	is_int(got.id, p.id, "and it is the first one");
	ok(strcmp(got.name, "Старт") == 0, "untouched by the refused insert");

	shape(&v2, "start", "Старт+", 1);
	v2.archived = 1;
	is_int(plan_new_version(db, &v2), 0, "plan_new_version of an existing code");
	is_int(v2.version, 2, "numbered 2");
	ok(v2.id > 0 && v2.id != p.id, "a row of its own");
	is_int(v2.archived, 0, "the code's archived flag is copied (active), not the caller's");
	is_int(plan_current(db, "start", &got), 1, "plan_current finds the code");
	is_int(got.id, v2.id, "plan_current is the latest version");
	ok(same_prices(&got, &v2), "with the new prices");
	is_int(plan_get(db, p.id, &got), 1, "version 1 is still readable by id");
	ok(same_prices(&got, &p) && got.version == 1, "with its old prices unchanged");

	shape(&q, "nosuch", "Нет такого", 2);
	is_int(plan_new_version(db, &q), -1, "plan_new_version of an unknown code: -1");
	is_int(plan_current(db, "nosuch", &got), 0, "and nothing was inserted");
	is_int(plan_current(db, "START", &got), 0, "codes are matched exactly");
	is_int(plan_get(db, 999999, &got), 0, "plan_get of an unknown id: 0");

	n = plan_versions(db, "start", rows, 8);
	is_int(n, 2, "plan_versions: two versions");
	ok(n == 2 && rows[0].version == 2 && rows[1].version == 1, "newest first");
	is_int(plan_versions(db, "start", rows, 1), 1, "bounded by max");
	is_int(plan_versions(db, "nosuch", rows, 8), 0, "an unknown code has none");
}

static void
test_archive(struct db *db)
{
	struct plan p, got, rows[8];
	int n, i, all;

	is_int(plan_set_archived(db, "start", 1), 1, "plan_set_archived archives a code");
	n = plan_versions(db, "start", rows, 8);
	for (i = 0, all = n == 2; i < n; i++)
		all = all && rows[i].archived == 1;
	ok(all, "every version is archived");
	shape(&p, "start", "Старт-3", 5);
	p.archived = 0;
	is_int(plan_new_version(db, &p), 0, "a version of an archived code");
	is_int(p.archived, 1, "is archived too (copied from the code)");
	is_int(plan_get(db, p.id, &got), 1, "read back");
	is_int(got.archived, 1, "stored archived");
	is_int(plan_set_archived(db, "start", 0), 1, "plan_set_archived restores it");
	n = plan_versions(db, "start", rows, 8);
	for (i = 0, all = n == 3; i < n; i++)
		all = all && rows[i].archived == 0;
	ok(all, "every version (3) is active again");
	is_int(plan_set_archived(db, "nosuch", 1), 0, "an unknown code: 0");
}

static void
test_list(struct db *db)
{
	static const char *const codes[] = { "zeta", "alpha", "mid-1", "beta_2" };
	struct plan p, rows[16];
	char order[128];
	size_t i;
	int n, j, latest;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		shape(&p, codes[i], codes[i], (int)i);
		plan_insert(db, &p);
	}
	shape(&p, "alpha", "alpha v2", 9);
	plan_new_version(db, &p);
	plan_set_archived(db, "alpha", 1);
	plan_set_archived(db, "zeta", 1);
	n = plan_list(db, rows, 16);
	is_int(n, 5, "plan_list: one row per code (5 codes, 7 rows)");
	order[0] = '\0';
	latest = 1;
	for (j = 0; j < n; j++) {
		struct plan cur;

		snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%s%s",
		    j ? " " : "", rows[j].code, rows[j].archived ? "*" : "");
		latest = latest && plan_current(db, rows[j].code, &cur) == 1 &&
		    cur.id == rows[j].id;
	}
	is_str(order, "beta_2 mid-1 start alpha* zeta*",
	    "active first, then by code; archived last");
	ok(latest, "each row is its code's latest version");
	ok(n >= 4 && strcmp(rows[3].name, "alpha v2") == 0, "alpha shows as its version 2");
	is_int(plan_list(db, rows, 2), 2, "bounded by max");
	ok(strcmp(rows[0].code, "beta_2") == 0 && strcmp(rows[1].code, "mid-1") == 0,
	    "the first two of the same order");
	is_int(plan_list(db, rows, 0), 0, "max 0: nothing");
}

static void
test_subscribers(struct db *db)
{
	struct plan v[8], other;
	sqlite3 *h = NULL;
	int64_t pa[5];
	int i, n;

	is_int(plan_subscribers(db, "start"), 0, "no subscriptions yet: 0");
	for (i = 0; i < 5; i++)
		pa[i] = add_partner(db, i);
	n = plan_versions(db, "start", v, 8);
	is_int(n, 3, "start has three versions");
	if (n != 3 || plan_current(db, "beta_2", &other) != 1)
		return;
	if (sqlite3_open(testdb_path, &h) != SQLITE_OK ||
	    raw(h, "PRAGMA busy_timeout = 5000") == -1) {
		ok(0, "opening the test's own connection");
		sqlite3_close(h);
		return;
	}
	/* live on v3, v1 (trialing, active, past due); canceled on v2; one on another code */
	ok(add_sub(h, pa[0], v[0].id, 1) == 0 && add_sub(h, pa[1], v[2].id, 0) == 0 &&
	    add_sub(h, pa[2], v[2].id, 2) == 0 && add_sub(h, pa[3], v[1].id, 3) == 0 &&
	    add_sub(h, pa[4], other.id, 1) == 0, "subscription rows inserted");
	sqlite3_close(h);
	is_int(plan_subscribers(db, "start"), 3,
	    "plan_subscribers: live ones on any version (trialing, active, past due)");
	is_int(plan_subscribers(db, "beta_2"), 1, "another code counts its own");
	is_int(plan_subscribers(db, "mid-1"), 0, "a code without subscriptions: 0");
	is_int(plan_subscribers(db, "nosuch"), 0, "an unknown code: 0");
}

int
main(void)
{
	char err[256];
	struct db *db;

	if (testdb_setup("plans", "bo.db") == -1)
		return 1;
	if ((db = db_open(testdb_path, err, sizeof(err))) == NULL) {
		diag(err);
		return 1;
	}
	test_versions(db);
	test_archive(db);
	test_list(db);
	test_subscribers(db);
	db_close(db);

	testdb_cleanup();
	return done_testing();
}
