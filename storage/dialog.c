/*
 * dialog.c — the state of a guided dialog per (user, chat): its kind, step, subject and the
 * values collected so far. Values go with their dialog (ON DELETE CASCADE). updated_at is the
 * caller's time at the start and the clock's at every later step or value, so a stale dialog can
 * be told from a live one.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

int
dialog_start(struct db *db, const struct dialog *d)
{
	sqlite3_stmt *st = db_stmt(db,
	    "DELETE FROM dialog_values WHERE user_id = ?1 AND chat_id = ?2");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, d->user_id) |
	    sqlite3_bind_int64(st, 2, d->chat_id)) == -1 || db_run(db, st) == -1)
		goto fail;
	st = db_stmt(db, "INSERT INTO dialogs(user_id, chat_id, kind, step, subject, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(user_id, chat_id) DO UPDATE"
	    " SET kind = excluded.kind, step = excluded.step, subject = excluded.subject,"
	    " updated_at = excluded.updated_at");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, d->user_id) |
	    sqlite3_bind_int64(st, 2, d->chat_id) | db_bind_str(st, 3, d->kind) |
	    sqlite3_bind_int(st, 4, d->step) | sqlite3_bind_int64(st, 5, d->subject) |
	    sqlite3_bind_int64(st, 6, d->updated_at)) == -1)
		goto fail;
	return db_run(db, st);
fail:
	db_done(st);
	return -1;
}

int
dialog_get(struct db *db, int64_t user_id, int64_t chat_id, struct dialog *d)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, step, subject, updated_at FROM dialogs"
	    " WHERE user_id = ?1 AND chat_id = ?2");
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, chat_id)) == 0 && (rc = db_step(db, st)) == 1) {
		d->user_id = user_id;
		d->chat_id = chat_id;
		db_col_copy(st, 0, d->kind, sizeof(d->kind));
		d->step = sqlite3_column_int(st, 1);
		d->subject = sqlite3_column_int64(st, 2);
		d->updated_at = sqlite3_column_int64(st, 3);
	}
	db_done(st);
	return rc;
}

/* Setting the step of a dialog that does not exist is an error. */
int
dialog_set_step(struct db *db, int64_t user_id, int64_t chat_id, int step)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE dialogs SET step = ?3, updated_at = ?4"
	    " WHERE user_id = ?1 AND chat_id = ?2");
	int rc = -1;

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, chat_id) | sqlite3_bind_int(st, 3, step) |
	    sqlite3_bind_int64(st, 4, clock_now())) == -1 || db_step(db, st) == -1)
		goto out;
	if (db_changes(db) != 1) {
		log_warn("dialog: no dialog for user %lld in chat %lld", (long long)user_id,
		    (long long)chat_id);
		goto out;
	}
	rc = 0;
out:
	db_done(st);
	return rc;
}

/* A value for a dialog that does not exist fails on its foreign key. */
int
dialog_put(struct db *db, int64_t user_id, int64_t chat_id, const char *key, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO dialog_values(user_id, chat_id, key, value)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(user_id, chat_id, key) DO UPDATE"
	    " SET value = excluded.value");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, chat_id) | db_bind_str(st, 3, key) |
	    db_bind_str(st, 4, value ? value : "")) == -1 || db_run(db, st) == -1)
		goto fail;
	st = db_stmt(db, "UPDATE dialogs SET updated_at = ?3 WHERE user_id = ?1 AND chat_id = ?2");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, chat_id) | sqlite3_bind_int64(st, 3, clock_now())) == -1)
		goto fail;
	return db_run(db, st);
fail:
	db_done(st);
	return -1;
}

int
dialog_value(struct db *db, int64_t user_id, int64_t chat_id, const char *key, char *out,
    size_t outsz)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT value FROM dialog_values"
	    " WHERE user_id = ?1 AND chat_id = ?2 AND key = ?3");
	int rc = -1;

	if (outsz > 0)
		out[0] = '\0';
	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, chat_id) | db_bind_str(st, 3, key)) == 0 &&
	    (rc = db_step(db, st)) == 1)
		db_col_copy(st, 0, out, outsz);
	db_done(st);
	return rc;
}

/* Ending a dialog that is not there is not an error. */
int
dialog_end(struct db *db, int64_t user_id, int64_t chat_id)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM dialogs WHERE user_id = ?1 AND chat_id = ?2");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, chat_id)) == -1) {
		db_done(st);
		return -1;
	}
	return db_run(db, st);
}

/* Every dialog of a person, in every chat (their values go with them): a role taken away ends
 * whatever they were filling in, so nothing resumes when a role comes back. */
int
dialog_end_user(struct db *db, int64_t user_id)
{
	return db_run_int(db, "DELETE FROM dialogs WHERE user_id = ?1", user_id);
}
