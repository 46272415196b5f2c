/*
 * queries.c — list filters saved behind pagination buttons: callback data carries only the id,
 * and a filter is given back only to the member who saved it.
 */
#include "bot/base.h"
#include "storage/db_private.h"

/* A filter saved again within a day is the row saved before: a list shown again writes
 * nothing. An older one is refreshed, so the week it is kept counts from its last use. */
#define QUERY_REUSE_S 86400

int64_t
query_save(struct db *db, int64_t user_id, const char *kind, const char *text, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, created_at FROM saved_queries"
	    " WHERE user_id = ?1 AND kind = ?2 AND text = ?3 ORDER BY id DESC LIMIT 1");
	int64_t id = 0, at = 0;
	int r;

	if (kind == NULL)
		kind = "";
	if (text == NULL)
		text = "";
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    db_bind_str(st, 2, kind) | db_bind_str(st, 3, text)) == -1 ||
	    (r = db_step(db, st)) == -1) {
		db_done(st);
		return -1;
	}
	if (r == 1) {
		id = sqlite3_column_int64(st, 0);
		at = sqlite3_column_int64(st, 1);
	}
	db_done(st);
	if (id > 0 && at > now - QUERY_REUSE_S)
		return id;
	if (id > 0) {
		st = db_stmt(db, "UPDATE saved_queries SET created_at = ?2 WHERE id = ?1");
		if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
		    sqlite3_bind_int64(st, 2, now)) == -1 || db_run(db, st) == -1) {
			db_done(st);
			return -1;
		}
		return id;
	}
	st = db_stmt(db, "INSERT INTO saved_queries(user_id, kind, text, created_at)"
	    " VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    db_bind_str(st, 2, kind) | db_bind_str(st, 3, text) |
	    sqlite3_bind_int64(st, 4, now)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_last_id(db);
}

int
query_load(struct db *db, int64_t id, int64_t user_id, char *kind, size_t kindsz, char *text,
    size_t textsz)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, text FROM saved_queries"
	    " WHERE id = ?1 AND user_id = ?2");
	int rc = -1;

	if (kindsz > 0)
		kind[0] = '\0';
	if (textsz > 0)
		text[0] = '\0';
	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int64(st, 2, user_id)) == 0 && (rc = db_step(db, st)) == 1) {
		db_col_copy(st, 0, kind, kindsz);
		db_col_copy(st, 1, text, textsz);
	}
	db_done(st);
	return rc;
}

int
query_prune(struct db *db, int64_t older_than)
{
	return db_run_int(db, "DELETE FROM saved_queries WHERE created_at < ?1", older_than);
}
