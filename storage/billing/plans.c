/*
 * plans.c — plans and their versions. A code's rows share everything but the prices: a change
 * inserts the next version, so subscriptions and invoices that point at an older row keep the
 * prices they were sold and billed at. The latest version of a code is its current one; the
 * archived flag belongs to the code and is kept equal on all its rows.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

_Static_assert(SUB_CANCELED == 3, "plan_subscribers spells the canceled status as 3");

#define PLAN_COLS "id, code, version, name, yearly, base, per_branch, per_user," \
	" included_branches, included_users, trial_days, archived, created_at, created_by"

/* Fills p from a statement selecting PLAN_COLS. */
static void
plan_fill(sqlite3_stmt *st, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, p->code, sizeof(p->code));
	p->version = sqlite3_column_int(st, 2);
	db_col_copy(st, 3, p->name, sizeof(p->name));
	p->yearly = sqlite3_column_int(st, 4);
	p->base = sqlite3_column_int64(st, 5);
	p->per_branch = sqlite3_column_int64(st, 6);
	p->per_user = sqlite3_column_int64(st, 7);
	p->included_branches = sqlite3_column_int64(st, 8);
	p->included_users = sqlite3_column_int64(st, 9);
	p->trial_days = sqlite3_column_int(st, 10);
	p->archived = sqlite3_column_int(st, 11);
	p->created_at = sqlite3_column_int64(st, 12);
	p->created_by = sqlite3_column_int64(st, 13);
}

/* One row from a statement already bound: 1 found, 0 none, -1 error. */
static int
plan_one(struct db *db, sqlite3_stmt *st, struct plan *p)
{
	int rc = db_step(db, st);

	if (rc == 1)
		plan_fill(st, p);
	db_done(st);
	return rc;
}

/* Up to max rows from a statement already bound: the count, or -1. */
static int
plan_many(struct db *db, sqlite3_stmt *st, struct plan *rows, int max)
{
	int n = 0, r = 0;

	while (n < max && (r = db_step(db, st)) == 1)
		plan_fill(st, &rows[n++]);
	db_done(st);
	return r == -1 ? -1 : n;
}

/*
 * Binds the priced columns the same way in both inserts: ?1 code, ?2 name, ?3 yearly, ?4 base,
 * ?5 per_branch, ?6 per_user, ?7 included_branches, ?8 included_users, ?9 trial_days,
 * ?10 created_at, ?11 created_by. The result is the OR of the bind calls.
 */
static int
plan_bind(sqlite3_stmt *st, const struct plan *p)
{
	return db_bind_str(st, 1, p->code) | db_bind_str(st, 2, p->name) |
	    sqlite3_bind_int(st, 3, p->yearly != 0) | sqlite3_bind_int64(st, 4, p->base) |
	    sqlite3_bind_int64(st, 5, p->per_branch) | sqlite3_bind_int64(st, 6, p->per_user) |
	    sqlite3_bind_int64(st, 7, p->included_branches) |
	    sqlite3_bind_int64(st, 8, p->included_users) | sqlite3_bind_int(st, 9, p->trial_days) |
	    sqlite3_bind_int64(st, 10, p->created_at) | sqlite3_bind_int64(st, 11, p->created_by);
}

/* The row just inserted: fills id, version and archived as stored. 0/-1. */
static int
plan_reread(struct db *db, struct plan *p)
{
	struct plan got;

	if (plan_get(db, db_last_id(db), &got) != 1) {
		log_error("plans: the version of \"%s\" just inserted cannot be read", p->code);
		return -1;
	}
	p->id = got.id;
	p->version = got.version;
	p->archived = got.archived;
	return 0;
}

int
plan_insert(struct db *db, struct plan *p)
{
	/* The NOT EXISTS makes "the code is taken" an answer, not a constraint error. */
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO plans(code, version, name, yearly, base, per_branch, per_user,"
	    " included_branches, included_users, trial_days, archived, created_at, created_by)"
	    " SELECT ?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11"
	    " WHERE NOT EXISTS (SELECT 1 FROM plans WHERE code = ?1)");

	if (st == NULL || db_bound(db, st, plan_bind(st, p)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) == 0)
		return 0;
	return plan_reread(db, p) == -1 ? -1 : 1;
}

int
plan_new_version(struct db *db, struct plan *p)
{
	/* The next number and the archived flag come from the code's latest row; no row, no
	 * insert (an aggregate without GROUP BY yields a row even then, hence HAVING). */
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO plans(code, version, name, yearly, base, per_branch, per_user,"
	    " included_branches, included_users, trial_days, archived, created_at, created_by)"
	    " SELECT ?1, max(version) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " (SELECT archived FROM plans WHERE code = ?1 ORDER BY version DESC LIMIT 1), ?10, ?11"
	    " FROM plans WHERE code = ?1 HAVING count(*) > 0");

	if (st == NULL || db_bound(db, st, plan_bind(st, p)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) != 1) {
		log_error("plans: a new version of \"%s\", which does not exist", p->code);
		return -1;
	}
	return plan_reread(db, p);
}

int
plan_get(struct db *db, int64_t id, struct plan *p)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PLAN_COLS " FROM plans WHERE id = ?1");

	memset(p, 0, sizeof(*p));
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id)) == -1) {
		db_done(st);
		return -1;
	}
	return plan_one(db, st, p);
}

int
plan_current(struct db *db, const char *code, struct plan *p)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PLAN_COLS " FROM plans WHERE code = ?1"
	    " ORDER BY version DESC LIMIT 1");

	memset(p, 0, sizeof(*p));
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, code)) == -1) {
		db_done(st);
		return -1;
	}
	return plan_one(db, st, p);
}

int
plan_versions(struct db *db, const char *code, struct plan *rows, int max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PLAN_COLS " FROM plans WHERE code = ?1"
	    " ORDER BY version DESC LIMIT ?2");

	if (max <= 0)
		return 0;
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, code) |
	    sqlite3_bind_int(st, 2, max)) == -1) {
		db_done(st);
		return -1;
	}
	return plan_many(db, st, rows, max);
}

int
plan_set_archived(struct db *db, const char *code, int archived)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE plans SET archived = ?2 WHERE code = ?1");

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, code) |
	    sqlite3_bind_int(st, 2, archived != 0)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db) > 0;
}

int
plan_list(struct db *db, struct plan *rows, int max)
{
	/* UNIQUE (code, version) serves the per-code maximum. */
	sqlite3_stmt *st = db_stmt(db, "SELECT " PLAN_COLS " FROM plans p"
	    " WHERE version = (SELECT max(version) FROM plans WHERE code = p.code)"
	    " ORDER BY archived, code LIMIT ?1");

	if (max <= 0)
		return 0;
	if (st == NULL || db_bound(db, st, sqlite3_bind_int(st, 1, max)) == -1) {
		db_done(st);
		return -1;
	}
	return plan_many(db, st, rows, max);
}

int64_t
plan_subscribers(struct db *db, const char *code)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM subscriptions s"
	    " JOIN plans p ON p.id = s.plan_id WHERE p.code = ?1 AND s.status <> 3");
	int64_t n = -1;

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, code)) == -1) {
		db_done(st);
		return -1;
	}
	if (db_step(db, st) == 1)
		n = sqlite3_column_int64(st, 0);
	db_done(st);
	return n;
}
