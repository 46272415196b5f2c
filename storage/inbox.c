/*
 * inbox.c — durable intake: every update is a row before Telegram is told it was received, and
 * is processed in id order. A duplicate update_id (a re-delivery) is ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

int
inbox_add(struct db *db, int64_t update_id, const char *source, const char *payload,
    int64_t now_ms, int64_t *id_out)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO inbox(update_id, source, payload, received_at) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT(update_id) DO NOTHING");
	int rc = -1, brc;

	if (st == NULL)
		goto out;
	/* update_id 0 is stored as NULL, which UNIQUE never treats as a duplicate. */
	brc = update_id ? sqlite3_bind_int64(st, 1, update_id) : sqlite3_bind_null(st, 1);
	brc |= db_bind_str(st, 2, source ? source : "");
	brc |= db_bind_str(st, 3, payload ? payload : "");
	brc |= sqlite3_bind_int64(st, 4, now_ms);
	if (db_bound(db, st, brc) == -1 || db_step(db, st) == -1)
		goto out;
	if (db_changes(db) == 1) {
		if (id_out != NULL)
			*id_out = db_last_id(db);
		rc = 1;
		goto out;
	}
	db_done(st);
	/* A duplicate: report the id the update already has. */
	st = db_stmt(db, "SELECT id FROM inbox WHERE update_id = ?1");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, update_id)) == -1)
		goto out;
	if (db_step(db, st) == 1 && id_out != NULL)
		*id_out = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	db_done(st);
	return rc;
}

int
inbox_next(struct db *db, struct inbox_row *row)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT id, update_id, payload, received_at FROM inbox WHERE state = 0"
	    " ORDER BY id LIMIT 1");
	int rc;

	memset(row, 0, sizeof(*row));
	if ((rc = db_step(db, st)) == 1) {
		row->id = sqlite3_column_int64(st, 0);
		row->update_id = sqlite3_column_int64(st, 1);	/* NULL reads as 0 */
		row->received_at = sqlite3_column_int64(st, 3);
		if ((row->payload = db_col_dup(st, 2)) == NULL) {
			log_error("inbox: out of memory reading row %lld", (long long)row->id);
			rc = -1;
		}
	}
	db_done(st);
	return rc;
}

int
inbox_finish(struct db *db, int64_t id, enum inbox_state state, const char *error,
    int64_t handle_us, int64_t now_ms)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE inbox SET state = ?2, error = ?3, handle_us = ?4, processed_at = ?5"
	    " WHERE id = ?1");
	int rc = -1;

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int(st, 2, (int)state) | db_bind_str(st, 3, error) |
	    sqlite3_bind_int64(st, 4, handle_us) | sqlite3_bind_int64(st, 5, now_ms)) == -1)
		goto out;
	if (db_step(db, st) == -1)
		goto out;
	if (db_changes(db) != 1) {
		log_error("inbox: no such row: %lld", (long long)id);
		goto out;
	}
	rc = 0;
out:
	db_done(st);
	return rc;
}

int64_t
inbox_pending_count(struct db *db)
{
	return db_query_int(db, "SELECT count(*) FROM inbox WHERE state = 0");
}

/* Deletes processed rows older than the cutoff; pending rows always stay. Returns the count. */
int
inbox_prune(struct db *db, int64_t older_than_ms)
{
	/* A daily scan of the week kept, rather than an index to keep up on every update. */
	return db_run_int(db,
	    "DELETE FROM inbox WHERE processed_at < ?1 AND state <> 0", older_than_ms);
}

void
inbox_row_release(struct inbox_row *row)
{
	free(row->payload);
	row->payload = NULL;
}
