/*
 * subscriptions.c — a partner's subscriptions. At most one is live (not canceled): the partial
 * unique index subscriptions_live refuses a second, so two racing "subscribe" actions cannot
 * both win. Canceled ones stay as history.
 *
 * Inserts take created_at and updated_at from the struct (0: now); saves stamp updated_at now.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

/* Indexed by enum sub_status. Names are shown and logged: never rename. */
static const char *const sub_status_names[SUB_STATUS_COUNT] = {
	"trialing", "active", "past_due", "canceled",
};

const char *
sub_status_name(int status)
{
	if (status < 0 || status >= SUB_STATUS_COUNT)
		return NULL;
	return sub_status_names[status];
}

#define SUB_COLS "id, partner_id, plan_id, status, autorenew, anchor_dom, started_on," \
	" period_start, period_end, trial_end, paid_until, next_plan_id, cancel_at_end," \
	" cancel_reason, ended_on, end_rule, trial_noticed, created_at, updated_at"

/* Fills a struct subscription from a statement selecting SUB_COLS (db_rows' fill). */
static void
sub_fill(sqlite3_stmt *st, void *row)
{
	struct subscription *s = row;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->partner_id = sqlite3_column_int64(st, 1);
	s->plan_id = sqlite3_column_int64(st, 2);
	s->status = sqlite3_column_int(st, 3);
	s->autorenew = sqlite3_column_int(st, 4);
	s->anchor_dom = sqlite3_column_int(st, 5);
	s->started_on = sqlite3_column_int64(st, 6);
	s->period_start = sqlite3_column_int64(st, 7);
	s->period_end = sqlite3_column_int64(st, 8);
	s->trial_end = sqlite3_column_int64(st, 9);
	s->paid_until = sqlite3_column_int64(st, 10);
	s->next_plan_id = sqlite3_column_int64(st, 11);	/* NULL reads as 0 */
	s->cancel_at_end = sqlite3_column_int(st, 12);
	db_col_copy(st, 13, s->cancel_reason, sizeof(s->cancel_reason));
	s->ended_on = sqlite3_column_int64(st, 14);
	db_col_copy(st, 15, s->end_rule, sizeof(s->end_rule));
	s->trial_noticed = sqlite3_column_int(st, 16);
	s->created_at = sqlite3_column_int64(st, 17);
	s->updated_at = sqlite3_column_int64(st, 18);
}

/*
 * Binds the mutable columns by number, the same in the insert and the save: ?2 plan_id,
 * ?3 status, ?4 autorenew, ?5 anchor_dom, ?6 started_on, ?7 period_start, ?8 period_end,
 * ?9 trial_end, ?10 paid_until, ?11 next_plan_id (NULL when 0), ?12 cancel_at_end,
 * ?13 cancel_reason, ?14 ended_on, ?15 end_rule, ?16 trial_noticed, ?17 updated_at.
 */
static int
sub_bind(sqlite3_stmt *st, const struct subscription *s, int64_t updated_at)
{
	return sqlite3_bind_int64(st, 2, s->plan_id) | sqlite3_bind_int(st, 3, s->status) |
	    sqlite3_bind_int(st, 4, s->autorenew != 0) | sqlite3_bind_int(st, 5, s->anchor_dom) |
	    sqlite3_bind_int64(st, 6, s->started_on) | sqlite3_bind_int64(st, 7, s->period_start) |
	    sqlite3_bind_int64(st, 8, s->period_end) | sqlite3_bind_int64(st, 9, s->trial_end) |
	    sqlite3_bind_int64(st, 10, s->paid_until) |
	    (s->next_plan_id ? sqlite3_bind_int64(st, 11, s->next_plan_id) :
	    sqlite3_bind_null(st, 11)) | sqlite3_bind_int(st, 12, s->cancel_at_end != 0) |
	    db_bind_str(st, 13, s->cancel_reason) | sqlite3_bind_int64(st, 14, s->ended_on) |
	    db_bind_str(st, 15, s->end_rule) | sqlite3_bind_int(st, 16, s->trial_noticed != 0) |
	    sqlite3_bind_int64(st, 17, updated_at);
}

int
sub_insert(struct db *db, struct subscription *s)
{
	/* DO NOTHING names the live index: a second live subscription is an answer, not an error;
	 * any other constraint (a missing plan or partner) still fails. */
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO subscriptions(partner_id, plan_id, status, autorenew, anchor_dom,"
	    " started_on, period_start, period_end, trial_end, paid_until, next_plan_id,"
	    " cancel_at_end, cancel_reason, ended_on, end_rule, trial_noticed, updated_at,"
	    " created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	    " ?18) ON CONFLICT (partner_id) WHERE status <> 3 DO NOTHING");
	int64_t created = s->created_at ? s->created_at : clock_now();
	int64_t updated = s->updated_at ? s->updated_at : created;

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, s->partner_id) |
	    sub_bind(st, s, updated) | sqlite3_bind_int64(st, 18, created)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) == 0)
		return 0;
	s->id = db_last_id(db);
	s->created_at = created;
	s->updated_at = updated;
	return 1;
}

/* partner_id and created_at belong to the subscription and never change. */
int
sub_save(struct db *db, const struct subscription *s)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE subscriptions SET plan_id = ?2, status = ?3, autorenew = ?4, anchor_dom = ?5,"
	    " started_on = ?6, period_start = ?7, period_end = ?8, trial_end = ?9,"
	    " paid_until = ?10, next_plan_id = ?11, cancel_at_end = ?12, cancel_reason = ?13,"
	    " ended_on = ?14, end_rule = ?15, trial_noticed = ?16, updated_at = ?17 WHERE id = ?1");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, s->id) |
	    sub_bind(st, s, clock_now())) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) != 1) {
		log_error("subscriptions: saving a subscription that does not exist: %lld",
		    (long long)s->id);
		return -1;
	}
	return 0;
}

int
sub_get(struct db *db, int64_t id, struct subscription *s)
{
	memset(s, 0, sizeof(*s));
	return db_rows_by(db, "SELECT " SUB_COLS " FROM subscriptions WHERE id = ?1", &id, 1,
	    sub_fill, s, sizeof(*s), 1);
}

int
sub_live(struct db *db, int64_t partner_id, struct subscription *s)
{
	memset(s, 0, sizeof(*s));
	return db_rows_by(db, "SELECT " SUB_COLS " FROM subscriptions"
	    " WHERE partner_id = ?1 AND status <> 3", &partner_id, 1, sub_fill, s, sizeof(*s), 1);
}

int
sub_history(struct db *db, int64_t partner_id, struct subscription *rows, int max)
{
	return db_rows_by(db, "SELECT " SUB_COLS " FROM subscriptions"
	    " WHERE partner_id = ?1 ORDER BY id DESC LIMIT ?2", &partner_id, 1, sub_fill, rows,
	    sizeof(*rows), max);
}

/*
 * Pages by id, not by period end: the jobs change what they visit (a period rolls over, a trial
 * ends), and a position kept as (period_end, id) of a row that moved would skip rows. By id
 * every live subscription is looked at once per walk, through subscriptions_due, which carries
 * period_end so rows not due are passed over in the index.
 */
int
sub_due(struct db *db, int64_t before, int64_t after, struct subscription *rows, int max)
{
	int64_t keys[2] = { before, after };

	return db_rows_by(db, "SELECT " SUB_COLS " FROM subscriptions"
	    " WHERE status <> 3 AND period_end < ?1 AND id > ?2 ORDER BY id LIMIT ?3", keys, 2,
	    sub_fill, rows, sizeof(*rows), max);
}

int64_t
sub_count_live(struct db *db)
{
	return db_query_int(db, "SELECT count(*) FROM subscriptions WHERE status <> 3");
}
