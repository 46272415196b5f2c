/*
 * outbox.c — durable outgoing calls. A row is written in the handler's transaction and drained
 * by the sender: pending → sending → sent, or failed/blocked, or back to pending for a retry.
 * Ordering is by priority, then id; a row waiting for a retry keeps the later rows of its chat
 * back (order per chat). Per-chat pacing is the sender's business, not the query's.
 */
#include <stdlib.h>
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

#define OUTBOX_COLS "id, chat_id, is_group, method, payload, attempts, state, dedupe," \
	" tg_message_id, ref_id, priority"

/* Fills row from a statement selecting OUTBOX_COLS. 0 ok, -1 out of memory (logged). */
static int
outbox_row_fill(sqlite3_stmt *st, struct outbox_row *row)
{
	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	row->chat_id = sqlite3_column_int64(st, 1);
	row->is_group = sqlite3_column_int(st, 2);
	db_col_copy(st, 3, row->method, sizeof(row->method));
	row->attempts = sqlite3_column_int(st, 5);
	row->state = sqlite3_column_int(st, 6);
	db_col_copy(st, 7, row->dedupe, sizeof(row->dedupe));
	row->tg_message_id = sqlite3_column_int64(st, 8);
	row->ref_id = sqlite3_column_int64(st, 9);
	row->priority = sqlite3_column_int(st, 10);
	if ((row->payload = db_col_dup(st, 4)) == NULL) {
		log_error("outbox: out of memory reading row %lld", (long long)row->id);
		return -1;
	}
	return 0;
}

/* Runs an UPDATE of one row by id (?1, already bound with the rest): 0 changed, -1 otherwise. */
static int
outbox_update_one(struct db *db, sqlite3_stmt *st, int64_t id, const char *what)
{
	int rc = -1;

	if (db_step(db, st) == -1)
		goto out;
	if (db_changes(db) != 1) {
		log_warn("outbox: %s: no such row in a state that allows it: %lld", what,
		    (long long)id);
		goto out;
	}
	rc = 0;
out:
	db_done(st);
	return rc;
}

int
outbox_add(struct db *db, int64_t chat_id, int is_group, const char *method,
    const char *payload, const char *dedupe, int priority, int64_t now_ms, int64_t *id_out)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO outbox(chat_id, is_group, method, payload, dedupe, priority, next_at,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	    " ON CONFLICT(dedupe) DO NOTHING");
	int rc = -1;

	if (method == NULL || *method == '\0') {
		log_error("outbox: a call without a method");
		goto out;
	}
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, chat_id) |
	    sqlite3_bind_int(st, 2, is_group != 0) | db_bind_str(st, 3, method) |
	    db_bind_str(st, 4, payload ? payload : "{}") | db_bind_str(st, 5, dedupe) |
	    sqlite3_bind_int(st, 6, priority) | sqlite3_bind_int64(st, 7, now_ms)) == -1 ||
	    db_step(db, st) == -1)
		goto out;
	if (db_changes(db) == 1) {
		if (id_out != NULL)
			*id_out = db_last_id(db);
		rc = 1;
		goto out;
	}
	db_done(st);
	/* Only a non-NULL dedupe can conflict: report the id of the row that has it. */
	st = db_stmt(db, "SELECT id FROM outbox WHERE dedupe = ?1");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, dedupe)) == -1)
		goto out;
	if (db_step(db, st) == 1 && id_out != NULL)
		*id_out = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	db_done(st);
	return rc;
}

/* The edit goes to the chat the referenced row was addressed to (as it is now: a migration
 * has rewritten it if that row was still pending); the sender supplies the message id. */
int
outbox_add_edit(struct db *db, int64_t ref_id, const char *payload, const char *dedupe,
    int64_t now_ms, int64_t *id_out)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO outbox(chat_id, is_group, method, payload, dedupe, priority, next_at,"
	    " created_at, ref_id)"
	    " SELECT chat_id, is_group, 'editMessageText', ?2, ?3, 0, ?4, ?4, id"
	    " FROM outbox WHERE id = ?1 AND chat_id <> 0"
	    " ON CONFLICT(dedupe) DO NOTHING");
	int rc = -1;

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, ref_id) |
	    db_bind_str(st, 2, payload ? payload : "{}") | db_bind_str(st, 3, dedupe) |
	    sqlite3_bind_int64(st, 4, now_ms)) == -1 || db_step(db, st) == -1)
		goto out;
	if (db_changes(db) == 1) {
		if (id_out != NULL)
			*id_out = db_last_id(db);
		rc = 1;
		goto out;
	}
	db_done(st);
	/* Nothing inserted: a duplicate dedupe key, or no such message to edit. */
	st = db_stmt(db, "SELECT id FROM outbox WHERE dedupe = ?1");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, dedupe)) == -1)
		goto out;
	if (dedupe != NULL && db_step(db, st) == 1) {
		if (id_out != NULL)
			*id_out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		log_error("outbox: an edit of row %lld, which posted nothing to a chat",
		    (long long)ref_id);
out:
	db_done(st);
	return rc;
}

/* The rows of the statement (?1 now, ?2 max, ?3 after id, ?4 up to id) into rows[]: the count,
 * or -1. */
static int
outbox_due_rows(struct db *db, sqlite3_stmt *st, int64_t now_ms, int64_t after_id,
    int64_t upto_id, struct outbox_row *rows, int max)
{
	int n = 0, r = 0;

	if (max <= 0)
		return 0;
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, now_ms) |
	    sqlite3_bind_int(st, 2, max) | (sqlite3_bind_parameter_count(st) >= 4 ?
	    sqlite3_bind_int64(st, 3, after_id) | sqlite3_bind_int64(st, 4, upto_id) : 0)) == -1)
		goto fail;
	while (n < max && (r = db_step(db, st)) == 1) {
		if (outbox_row_fill(st, &rows[n]) == -1) {
			outbox_row_release(&rows[n]);
			goto fail;
		}
		n++;
	}
	if (r == -1)
		goto fail;
	db_done(st);
	return n;
fail:
	db_done(st);
	while (n > 0)
		outbox_row_release(&rows[--n]);
	return -1;
}

int
outbox_due(struct db *db, int64_t now_ms, struct outbox_row *rows, int max)
{
	/* A row waiting for a retry holds back the later rows of its chat: a reply must not
	 * overtake an earlier one that met a 5xx or a 429. */
	/* Walked in the order of outbox_order (the unary + keeps the planner off next_at's index,
	 * which would read every due row and sort them): a full batch costs its own rows, not the
	 * backlog's. */
	return outbox_due_rows(db, db_stmt(db,
	    "SELECT " OUTBOX_COLS " FROM outbox o WHERE state = 0 AND +next_at <= ?1"
	    " AND (chat_id = 0 OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.state = 0"
	    " AND e.chat_id = o.chat_id AND e.next_at > ?1 AND e.id < o.id))"
	    " ORDER BY priority DESC, id LIMIT ?2"), now_ms, 0, 0, rows, max);
}

int
outbox_due_after(struct db *db, int64_t now_ms, int64_t after_id, int64_t upto_id,
    struct outbox_row *rows, int max)
{
	/* The oldest pending row of its chat has nothing to wait for, wherever the others are.
	 * NOT INDEXED: the id range is walked by rowid (what was queued since), never the whole
	 * pending queue by outbox_order. */
	return outbox_due_rows(db, db_stmt(db,
	    "SELECT " OUTBOX_COLS " FROM outbox o NOT INDEXED WHERE id > ?3 AND id <= ?4"
	    " AND state = 0 AND next_at <= ?1"
	    " AND (chat_id = 0 OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.state = 0"
	    " AND e.chat_id = o.chat_id AND e.id < o.id))"
	    " ORDER BY priority DESC, id LIMIT ?2"), now_ms, after_id, upto_id, rows, max);
}

int64_t
outbox_max_id(struct db *db)
{
	return db_query_int(db, "SELECT coalesce(max(id), 0) FROM outbox");
}

int
outbox_next_at(struct db *db, int64_t *at_ms)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT min(next_at) FROM outbox WHERE state = 0");
	int rc;

	/* min() of no rows is one NULL row. */
	if ((rc = db_step(db, st)) == 1) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			rc = 0;
		else
			*at_ms = sqlite3_column_int64(st, 0);
	}
	db_done(st);
	return rc;
}

/* Only a pending row can be handed over; attempts counts hand-overs. */
int
outbox_mark_sending(struct db *db, int64_t id, int64_t now_ms)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE outbox SET state = 1, attempts = attempts + 1, tried_at = ?2"
	    " WHERE id = ?1 AND state = 0");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int64(st, 2, now_ms)) == -1) {
		db_done(st);
		return -1;
	}
	return outbox_update_one(db, st, id, "mark sending");
}

int
outbox_mark_sent(struct db *db, int64_t id, int64_t tg_message_id, int64_t now_ms)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE outbox SET state = 2, tg_message_id = ?2, sent_at = ?3, finished_at = ?3,"
	    " last_error = NULL WHERE id = ?1");
	int brc;

	if (st == NULL)
		return -1;
	brc = sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 3, now_ms);
	brc |= tg_message_id ? sqlite3_bind_int64(st, 2, tg_message_id) : sqlite3_bind_null(st, 2);
	if (db_bound(db, st, brc) == -1) {
		db_done(st);
		return -1;
	}
	return outbox_update_one(db, st, id, "mark sent");
}

/* A final outcome other than sent: OUTBOX_FAILED or OUTBOX_BLOCKED. */
int
outbox_mark_final(struct db *db, int64_t id, enum outbox_state state, const char *error,
    int64_t now_ms)
{
	sqlite3_stmt *st;

	if (state != OUTBOX_FAILED && state != OUTBOX_BLOCKED) {
		log_error("outbox: not a final failure state: %d", (int)state);
		return -1;
	}
	st = db_stmt(db, "UPDATE outbox SET state = ?2, last_error = ?3, finished_at = ?4"
	    " WHERE id = ?1");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int(st, 2, (int)state) | db_bind_str(st, 3, error) |
	    sqlite3_bind_int64(st, 4, now_ms)) == -1) {
		db_done(st);
		return -1;
	}
	return outbox_update_one(db, st, id, "mark final");
}

/* Back to pending, not before next_at_ms. A row already sent or failed is left alone. */
int
outbox_retry_at(struct db *db, int64_t id, int64_t next_at_ms, const char *error)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE outbox SET state = 0, next_at = ?2, last_error = ?3"
	    " WHERE id = ?1 AND state IN (0, 1)");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int64(st, 2, next_at_ms) | db_bind_str(st, 3, error)) == -1) {
		db_done(st);
		return -1;
	}
	return outbox_update_one(db, st, id, "retry");
}

int
outbox_recover(struct db *db)
{
	if (db_run(db, db_stmt(db, "UPDATE outbox SET state = 0 WHERE state = 1")) == -1)
		return -1;
	return db_changes(db);
}

/* Rows in flight (sending) follow too: the one that met the migration is retried at the new id. */
int
outbox_rewrite_chat(struct db *db, int64_t old_chat, int64_t new_chat)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE outbox SET chat_id = ?2 WHERE chat_id = ?1 AND state IN (0, 1)");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, old_chat) |
	    sqlite3_bind_int64(st, 2, new_chat)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db);
}

int
outbox_get(struct db *db, int64_t id, struct outbox_row *row)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?1");
	int rc = -1;

	memset(row, 0, sizeof(*row));
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id)) == -1)
		goto out;
	if ((rc = db_step(db, st)) == 1 && outbox_row_fill(st, row) == -1)
		rc = -1;
out:
	db_done(st);
	return rc;
}

int64_t
outbox_pending_count(struct db *db)
{
	return db_query_int(db, "SELECT count(*) FROM outbox WHERE state = 0");
}

/* Deletes rows that reached a final state before the cutoff. Their dedupe keys go with them.
 * The post of an open alert stays: its later edits need its message id. */
int
outbox_prune(struct db *db, int64_t older_than_ms)
{
	/* A daily scan of the week kept, rather than an index to keep up on every send. */
	return db_run_int(db,
	    "DELETE FROM outbox WHERE finished_at < ?1 AND state IN (2, 3, 4)"
	    " AND id NOT IN (SELECT outbox_id FROM alerts WHERE state = 0)"
	    " AND id NOT IN (SELECT ref_id FROM outbox WHERE state IN (0, 1) AND ref_id <> 0)",
	    older_than_ms);
}

void
outbox_row_release(struct outbox_row *row)
{
	free(row->payload);
	row->payload = NULL;
}
