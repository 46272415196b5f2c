/*
 * alerts.c — alert episodes. An episode is open (state 0) until its condition passes; the
 * partial unique index on key keeps one open episode per key, so a second insert for a key
 * that is still open fails instead of posting twice. Resolved episodes stay as history.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

_Static_assert(ALERT_OPEN == 0 && ALERT_RESOLVED == 1, "alert SQL spells states as literals");

#define ALERT_COLS "id, kind, key, partner_id, state, level, text, chat_id, outbox_id," \
	" snoozed_until, snoozed_by, acked_by, acked_at, assigned_to, assigned_at, opened_at," \
	" updated_at, resolved_at, dirty"

/* Fills a from a statement selecting ALERT_COLS. */
static void
alert_fill(sqlite3_stmt *st, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, a->kind, sizeof(a->kind));
	db_col_copy(st, 2, a->key, sizeof(a->key));
	a->partner_id = sqlite3_column_int64(st, 3);
	a->state = sqlite3_column_int(st, 4);
	a->level = sqlite3_column_int(st, 5);
	db_col_copy(st, 6, a->text, sizeof(a->text));
	a->chat_id = sqlite3_column_int64(st, 7);
	a->outbox_id = sqlite3_column_int64(st, 8);
	a->snoozed_until = sqlite3_column_int64(st, 9);
	a->snoozed_by = sqlite3_column_int64(st, 10);
	a->acked_by = sqlite3_column_int64(st, 11);
	a->acked_at = sqlite3_column_int64(st, 12);
	a->assigned_to = sqlite3_column_int64(st, 13);
	a->assigned_at = sqlite3_column_int64(st, 14);
	a->opened_at = sqlite3_column_int64(st, 15);
	a->updated_at = sqlite3_column_int64(st, 16);
	a->resolved_at = sqlite3_column_int64(st, 17);
	a->dirty = sqlite3_column_int(st, 18);
}

/* One row from a statement already bound: 1 found, 0 none, -1 error. */
static int
alert_one(struct db *db, sqlite3_stmt *st, struct alert *a)
{
	int rc = db_step(db, st);

	if (rc == 1)
		alert_fill(st, a);
	db_done(st);
	return rc;
}

/* Up to max rows from a statement already bound: the count, or -1. */
static int
alert_many(struct db *db, sqlite3_stmt *st, struct alert *rows, int max)
{
	int n = 0, r = 0;

	while (n < max && (r = db_step(db, st)) == 1)
		alert_fill(st, &rows[n++]);
	db_done(st);
	return r == -1 ? -1 : n;
}

int
alert_open_get(struct db *db, const char *key, struct alert *a)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ALERT_COLS " FROM alerts"
	    " WHERE key = ?1 AND state = 0");

	memset(a, 0, sizeof(*a));
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, key)) == -1) {
		db_done(st);
		return -1;
	}
	return alert_one(db, st, a);
}

int
alert_get(struct db *db, int64_t id, struct alert *a)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ALERT_COLS " FROM alerts WHERE id = ?1");

	memset(a, 0, sizeof(*a));
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id)) == -1) {
		db_done(st);
		return -1;
	}
	return alert_one(db, st, a);
}

int
alert_insert(struct db *db, struct alert *a)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO alerts(kind, key, partner_id, state, level, text, chat_id, outbox_id,"
	    " snoozed_until, snoozed_by, acked_by, acked_at, assigned_to, assigned_at, opened_at,"
	    " updated_at, resolved_at, dirty)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	    " ?18)");

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, a->kind) |
	    db_bind_str(st, 2, a->key) | sqlite3_bind_int64(st, 3, a->partner_id) |
	    sqlite3_bind_int(st, 4, a->state) | sqlite3_bind_int(st, 5, a->level) |
	    db_bind_str(st, 6, a->text) | sqlite3_bind_int64(st, 7, a->chat_id) |
	    sqlite3_bind_int64(st, 8, a->outbox_id) | sqlite3_bind_int64(st, 9, a->snoozed_until) |
	    sqlite3_bind_int64(st, 10, a->snoozed_by) | sqlite3_bind_int64(st, 11, a->acked_by) |
	    sqlite3_bind_int64(st, 12, a->acked_at) | sqlite3_bind_int64(st, 13, a->assigned_to) |
	    sqlite3_bind_int64(st, 14, a->assigned_at) | sqlite3_bind_int64(st, 15, a->opened_at) |
	    sqlite3_bind_int64(st, 16, a->updated_at) |
	    sqlite3_bind_int64(st, 17, a->resolved_at) |
	    sqlite3_bind_int(st, 18, a->dirty != 0)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	a->id = db_last_id(db);
	return 0;
}

/* kind, key, partner and opened_at belong to the episode and never change. */
int
alert_save(struct db *db, const struct alert *a)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE alerts SET state = ?2, level = ?3, text = ?4, chat_id = ?5, outbox_id = ?6,"
	    " snoozed_until = ?7, snoozed_by = ?8, acked_by = ?9, acked_at = ?10,"
	    " assigned_to = ?11, assigned_at = ?12, updated_at = ?13, resolved_at = ?14,"
	    " dirty = ?15 WHERE id = ?1");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, a->id) |
	    sqlite3_bind_int(st, 2, a->state) | sqlite3_bind_int(st, 3, a->level) |
	    db_bind_str(st, 4, a->text) | sqlite3_bind_int64(st, 5, a->chat_id) |
	    sqlite3_bind_int64(st, 6, a->outbox_id) | sqlite3_bind_int64(st, 7, a->snoozed_until) |
	    sqlite3_bind_int64(st, 8, a->snoozed_by) | sqlite3_bind_int64(st, 9, a->acked_by) |
	    sqlite3_bind_int64(st, 10, a->acked_at) | sqlite3_bind_int64(st, 11, a->assigned_to) |
	    sqlite3_bind_int64(st, 12, a->assigned_at) | sqlite3_bind_int64(st, 13, a->updated_at) |
	    sqlite3_bind_int64(st, 14, a->resolved_at) |
	    sqlite3_bind_int(st, 15, a->dirty != 0)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) != 1) {
		log_error("alerts: saving an alert that does not exist: %lld", (long long)a->id);
		return -1;
	}
	return 0;
}

int
alert_list_open(struct db *db, const char *kind, const char *kinds, struct alert *rows, int max)
{
	sqlite3_stmt *st;

	if (max <= 0)
		return 0;
	/* two texts, so that each reads its own partial index */
	if (kind == NULL || *kind == '\0')
		st = db_stmt(db, "SELECT " ALERT_COLS " FROM alerts WHERE state = 0"
		    " AND (?3 IS NULL OR instr(?3, ',' || kind || ',') > 0) ORDER BY id DESC LIMIT ?1");
	else
		st = db_stmt(db, "SELECT " ALERT_COLS " FROM alerts WHERE kind = ?2 AND state = 0"
		    " AND (?3 IS NULL OR instr(?3, ',' || kind || ',') > 0) ORDER BY id DESC LIMIT ?1");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int(st, 1, max) |
	    db_bind_str(st, 2, kind != NULL ? kind : "") | db_bind_str(st, 3, kinds)) == -1) {
		db_done(st);
		return -1;
	}
	return alert_many(db, st, rows, max);
}

int
alert_open_of_kind(struct db *db, const char *kind, int64_t after, struct alert *rows, int max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ALERT_COLS " FROM alerts"
	    " WHERE kind = ?1 AND state = 0 AND id > ?3 ORDER BY id LIMIT ?2");

	if (max <= 0)
		return 0;
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, kind) |
	    sqlite3_bind_int(st, 2, max) | sqlite3_bind_int64(st, 3, after)) == -1) {
		db_done(st);
		return -1;
	}
	return alert_many(db, st, rows, max);
}

int
alert_snooze_ended(struct db *db, int64_t now, struct alert *rows, int max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ALERT_COLS " FROM alerts"
	    " WHERE state = 0 AND snoozed_until > 0 AND snoozed_until <= ?1 ORDER BY id LIMIT ?2");

	if (max <= 0)
		return 0;
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, now) |
	    sqlite3_bind_int(st, 2, max)) == -1) {
		db_done(st);
		return -1;
	}
	return alert_many(db, st, rows, max);
}
