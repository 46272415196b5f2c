/*
 * activity.c — what the CRM reports: events folded into daily aggregates per partner, the
 * distinct users of each day, each partner's last login, the ids of applied events (so a replay
 * changes nothing) and data volumes.
 *
 * One event costs at most four keyed writes: its id, the day's user row, the day's sums and the
 * last login; nothing grows with the number of events but the ids, which activity_prune_ids
 * forgets. The scans read indexes built for them (migration 3 in schema.c): the dormant scan
 * activity_last_at and partners_active_connected, the totals activity_daily_day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

#define ACTIVITY_DAY 86400

_Static_assert(PARTNER_ACTIVE == 0 && PARTNER_SUSPENDED == 1,
    "activity SQL spells partner statuses as literals");
_Static_assert(EVENT_LOGIN == 0 && EVENT_OPERATION == 1, "event types are 0 and 1");

/* The UTC day number of t (floor division: days before 1970 are negative). */
static int64_t
activity_day_of(int64_t t)
{
	return t >= 0 ? t / ACTIVITY_DAY : -((-t + ACTIVITY_DAY - 1) / ACTIVITY_DAY);
}

/* Remembers id: 1 first time, 0 seen before, -1 error. */
static int
activity_claim_id(struct db *db, const char *id, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO event_ids(id, seen_at) VALUES (?1, ?2) ON CONFLICT(id) DO NOTHING");

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, id) |
	    sqlite3_bind_int64(st, 2, now)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db) == 1;
}

/* Counts user for the partner's day: 1 a new user of that day, 0 already counted, -1 error. */
static int
activity_claim_user(struct db *db, int64_t partner_id, int64_t day, int64_t user_id)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO activity_users(day, partner_id, user_id) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT DO NOTHING");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, day) |
	    sqlite3_bind_int64(st, 2, partner_id) | sqlite3_bind_int64(st, 3, user_id)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db) == 1;
}

/* The latest login wins: events may arrive out of order. */
static int
activity_set_last(struct db *db, int64_t partner_id, int64_t at)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO activity_last(partner_id, last_login_at) VALUES (?1, ?2)"
	    " ON CONFLICT(partner_id) DO UPDATE SET last_login_at = excluded.last_login_at"
	    " WHERE excluded.last_login_at > last_login_at");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    sqlite3_bind_int64(st, 2, at)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return 0;
}

/* Adds to the partner's day: 0/-1. */
static int
activity_add_sums(struct db *db, int64_t partner_id, int64_t day, int64_t logins,
    int64_t operations, int64_t users)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO activity_daily(partner_id, day, logins,"
	    " operations, active_users) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT(partner_id, day) DO UPDATE SET logins = logins + excluded.logins,"
	    " operations = operations + excluded.operations,"
	    " active_users = active_users + excluded.active_users");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    sqlite3_bind_int64(st, 2, day) | sqlite3_bind_int64(st, 3, logins) |
	    sqlite3_bind_int64(st, 4, operations) | sqlite3_bind_int64(st, 5, users)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return 0;
}

/* The feed's start: the time of the first event ever received. Before it the bot cannot know
 * whether a partner logs in, so "never logged in" only counts from then. */
static int
activity_feed_started(struct db *db, int64_t at)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO state(key, value) VALUES"
	    " ('activity.feed_started', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
	    " WHERE excluded.value < value");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, at)) == -1 ||
	    db_run(db, st) == -1)
		return -1;
	return 0;
}

int64_t
activity_feed_start(struct db *db)
{
	int64_t v = 0;

	return state_get_int(db, "activity.feed_started", &v) == -1 ? -1 : v;
}

int
activity_add(struct db *db, const struct activity_event_in *e, int64_t now)
{
	int64_t day = activity_day_of(e->at), logins = 0, operations = 0;
	int r, new_user = 0;

	if ((e->type != EVENT_LOGIN && e->type != EVENT_OPERATION) || e->count < 1 ||
	    e->partner_id <= 0) {
		log_error("activity: not an event: type %d, count %lld, partner %lld", e->type,
		    (long long)e->count, (long long)e->partner_id);
		return -1;
	}
	if (e->id[0] != '\0' && (r = activity_claim_id(db, e->id, now)) != 1)
		return r;
	if (e->user_id != 0 &&
	    (new_user = activity_claim_user(db, e->partner_id, day, e->user_id)) == -1)
		return -1;
	if (e->type == EVENT_LOGIN)
		logins = e->count;
	else
		operations = e->count;
	if (activity_add_sums(db, e->partner_id, day, logins, operations, new_user) == -1)
		return -1;
	if (e->type == EVENT_LOGIN && activity_set_last(db, e->partner_id, e->at) == -1)
		return -1;
	return activity_feed_started(db, e->at) == -1 ? -1 : 1;
}

int
activity_add_day(struct db *db, int64_t partner_id, const struct activity_day *d,
    int64_t last_login_at)
{
	if (d->logins < 0 || d->operations < 0 || d->active_users < 0) {
		log_error("activity: negative sums for partner %lld", (long long)partner_id);
		return -1;
	}
	if (activity_add_sums(db, partner_id, d->day, d->logins, d->operations,
	    d->active_users) == -1)
		return -1;
	return last_login_at > 0 ? activity_set_last(db, partner_id, last_login_at) : 0;
}

int
activity_days(struct db *db, int64_t partner_id, int64_t from_day, int64_t to_day,
    struct activity_day *out, int max)
{
	sqlite3_stmt *st;
	int64_t day;
	int n = 0, r = 0, i;

	if (max <= 0 || to_day < from_day)
		return 0;
	if (to_day - from_day >= max)
		to_day = from_day + max - 1;
	for (day = from_day; day <= to_day; day++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].day = day;
	}
	st = db_stmt(db, "SELECT day, logins, operations, active_users FROM activity_daily"
	    " WHERE partner_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    sqlite3_bind_int64(st, 2, from_day) | sqlite3_bind_int64(st, 3, to_day)) == -1) {
		db_done(st);
		return -1;
	}
	while ((r = db_step(db, st)) == 1) {
		i = (int)(sqlite3_column_int64(st, 0) - from_day);
		out[i].logins = sqlite3_column_int64(st, 1);
		out[i].operations = sqlite3_column_int64(st, 2);
		out[i].active_users = sqlite3_column_int64(st, 3);
	}
	db_done(st);
	return r == -1 ? -1 : n;
}

int64_t
activity_last_login(struct db *db, int64_t partner_id)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT last_login_at FROM activity_last WHERE partner_id = ?1");
	int64_t at = 0;
	int r = -1;

	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id)) == 0 &&
	    (r = db_step(db, st)) == 1)
		at = sqlite3_column_int64(st, 0);
	db_done(st);
	return r == -1 ? -1 : at;
}

/*
 * Two index range scans, merged: partners whose last login lies before the cutoff (only the
 * active ones kept), and active partners without any login connected before it. Ordered by the
 * moment they went quiet: the last login, else the connection date. The indexes and the join
 * order are spelled out: without statistics (a database never analysed) the planner would
 * rather walk every active partner by partners_status_name, five times slower at 10,000.
 */
int
activity_dormant(struct db *db, int64_t cutoff, int64_t *ids, int64_t *last_login, int max)
{
	sqlite3_stmt *st;
	int n = 0, r = 0;

	if (max <= 0)
		return 0;
	st = db_stmt(db,
	    "SELECT l.partner_id, l.last_login_at AS since, l.last_login_at"
	    "  FROM activity_last l INDEXED BY activity_last_at CROSS JOIN partners p"
	    "  WHERE p.id = l.partner_id AND l.last_login_at < ?1 AND p.status = 0"
	    " UNION ALL"
	    " SELECT p.id, p.connected_on, 0 FROM partners p INDEXED BY partners_active_connected"
	    "  WHERE p.status = 0 AND p.connected_on < ?1"
	    "  AND NOT EXISTS (SELECT 1 FROM activity_last l WHERE l.partner_id = p.id)"
	    " ORDER BY 2, 1 LIMIT ?2");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, cutoff) |
	    sqlite3_bind_int(st, 2, max)) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1) {
		ids[n] = sqlite3_column_int64(st, 0);
		if (last_login != NULL)
			last_login[n] = sqlite3_column_int64(st, 2);
		n++;
	}
	db_done(st);
	return r == -1 ? -1 : n;
}

/* One partner's line in activity_totals. */
struct activity_sum {
	int64_t	 id;
	int64_t	 sum;
};

static int
activity_sum_cmp_id(const void *a, const void *b)
{
	int64_t x = ((const struct activity_sum *)a)->id, y = ((const struct activity_sum *)b)->id;

	return (x > y) - (x < y);
}

static int
activity_sum_cmp_desc(const void *a, const void *b)
{
	const struct activity_sum *x = a, *y = b;

	if (x->sum != y->sum)
		return x->sum < y->sum ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

static int
activity_sum_cmp_asc(const void *a, const void *b)
{
	const struct activity_sum *x = a, *y = b;

	if (x->sum != y->sum)
		return x->sum > y->sum ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Summed here rather than by GROUP BY: the range's rows come in day order from the covering
 * index activity_daily_day and are added to the partners (found by binary search among those
 * that may log in, read from partners_status_name); one sort orders the result. At 10,000
 * partners this is a quarter of the time SQLite spends grouping the same rows.
 */
int
activity_totals(struct db *db, int64_t from_day, int64_t to_day, int asc, int64_t *ids,
    int64_t *sums, int max)
{
	struct activity_sum *all = NULL, *hit, key;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0, i;
	int r = 0, rc = -1;

	if (max <= 0)
		return 0;
	st = db_stmt(db, "SELECT id FROM partners WHERE status IN (0, 1) ORDER BY id");
	while (st != NULL && (r = db_step(db, st)) == 1) {
		if (n == cap) {
			struct activity_sum *t;

			cap = cap ? cap * 2 : 1024;
			if ((t = realloc(all, cap * sizeof(*all))) == NULL) {
				log_error("activity: out of memory for totals");
				r = -1;
				break;
			}
			all = t;
		}
		all[n].id = sqlite3_column_int64(st, 0);
		all[n++].sum = 0;
	}
	db_done(st);
	if (st == NULL || r == -1)
		goto out;
	st = db_stmt(db, "SELECT partner_id, logins + operations FROM activity_daily"
	    " INDEXED BY activity_daily_day WHERE day BETWEEN ?1 AND ?2");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, from_day) |
	    sqlite3_bind_int64(st, 2, to_day)) == -1) {
		db_done(st);
		goto out;
	}
	while (n > 0 && (r = db_step(db, st)) == 1) {
		key.id = sqlite3_column_int64(st, 0);
		if ((hit = bsearch(&key, all, n, sizeof(*all), activity_sum_cmp_id)) != NULL)
			hit->sum += sqlite3_column_int64(st, 1);
	}
	db_done(st);
	if (r == -1)
		goto out;
	if (n > 0)
		qsort(all, n, sizeof(*all), asc ? activity_sum_cmp_asc : activity_sum_cmp_desc);
	for (i = 0; i < n && i < (size_t)max; i++) {
		ids[i] = all[i].id;
		sums[i] = all[i].sum;
	}
	rc = (int)i;
out:
	free(all);
	return rc;
}

int64_t
activity_total(struct db *db, int64_t partner_id, int64_t from_day, int64_t to_day)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(sum(logins + operations), 0)"
	    " FROM activity_daily WHERE partner_id = ?1 AND day BETWEEN ?2 AND ?3");
	int64_t sum = -1;

	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    sqlite3_bind_int64(st, 2, from_day) | sqlite3_bind_int64(st, 3, to_day)) == 0 &&
	    db_step(db, st) == 1)
		sum = sqlite3_column_int64(st, 0);
	db_done(st);
	return sum;
}

int
activity_prune_ids(struct db *db, int64_t before)
{
	int ids, users;

	if ((ids = db_run_int(db, "DELETE FROM event_ids WHERE seen_at < ?1", before)) == -1)
		return -1;
	/* a day is pruned once it ended before `before` */
	users = db_run_int(db, "DELETE FROM activity_users WHERE day < ?1",
	    activity_day_of(before));
	return users == -1 ? -1 : ids + users;
}

int
activity_partner_ref(struct db *db, int64_t id, const char *key, int64_t *out)
{
	sqlite3_stmt *st;
	size_t len, i;
	int digits, r = -1;

	if (id > 0)
		st = db_stmt(db, "SELECT id FROM partners WHERE id = ?1");
	else {
		if (key == NULL || (len = strlen(key)) == 0)
			return 0;
		for (i = 0, digits = 1; i < len; i++)
			digits &= key[i] >= '0' && key[i] <= '9';
		if (digits && (len == 10 || len == 12))
			st = db_stmt(db, "SELECT id FROM partners WHERE inn = ?2");
		else
			st = db_stmt(db, "SELECT id FROM partners WHERE slug = ?2");
	}
	if (st == NULL || db_bound(db, st, (id > 0 ? sqlite3_bind_int64(st, 1, id) :
	    db_bind_str(st, 2, key))) == -1) {
		db_done(st);
		return -1;
	}
	if ((r = db_step(db, st)) == 1 && out != NULL)
		*out = sqlite3_column_int64(st, 0);
	db_done(st);
	return r;
}

/* Volumes --------------------------------------------------------------------------------------- */

int
volume_set(struct db *db, const struct volume *v)
{
	sqlite3_stmt *st;

	if (v->clients < 0 || v->lessons < 0 || v->payments < 0 || v->db_bytes < 0) {
		log_error("volumes: negative figure for partner %lld", (long long)v->partner_id);
		return -1;
	}
	st = db_stmt(db, "INSERT INTO volumes(partner_id, clients, lessons, payments, db_bytes,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(partner_id) DO UPDATE SET"
	    " clients = excluded.clients, lessons = excluded.lessons,"
	    " payments = excluded.payments, db_bytes = excluded.db_bytes,"
	    " updated_at = excluded.updated_at WHERE clients <> excluded.clients OR"
	    " lessons <> excluded.lessons OR payments <> excluded.payments OR"
	    " db_bytes <> excluded.db_bytes");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, v->partner_id) |
	    sqlite3_bind_int64(st, 2, v->clients) | sqlite3_bind_int64(st, 3, v->lessons) |
	    sqlite3_bind_int64(st, 4, v->payments) | sqlite3_bind_int64(st, 5, v->db_bytes) |
	    sqlite3_bind_int64(st, 6, v->updated_at)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return 0;
}

static void
volume_fill(sqlite3_stmt *st, struct volume *v)
{
	v->partner_id = sqlite3_column_int64(st, 0);
	v->clients = sqlite3_column_int64(st, 1);
	v->lessons = sqlite3_column_int64(st, 2);
	v->payments = sqlite3_column_int64(st, 3);
	v->db_bytes = sqlite3_column_int64(st, 4);
	v->updated_at = sqlite3_column_int64(st, 5);
}

int
volume_get(struct db *db, int64_t partner_id, struct volume *v)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT partner_id, clients, lessons, payments, db_bytes,"
	    " updated_at FROM volumes WHERE partner_id = ?1");
	int r = -1;

	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id)) == 0 &&
	    (r = db_step(db, st)) == 1)
		volume_fill(st, v);
	db_done(st);
	return r;
}

int
volume_top(struct db *db, struct volume *out, int max)
{
	sqlite3_stmt *st;
	int n = 0, r = 0;

	if (max <= 0)
		return 0;
	st = db_stmt(db, "SELECT partner_id, clients, lessons, payments, db_bytes, updated_at"
	    " FROM volumes ORDER BY db_bytes DESC, partner_id LIMIT ?1");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int(st, 1, max)) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1)
		volume_fill(st, &out[n++]);
	db_done(st);
	return r == -1 ? -1 : n;
}
