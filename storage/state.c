/*
 * state.c — a small key/value table for the runtime's own state (the update offset, chat id
 * migrations, …). Values are integers or text; asking for an integer where text is stored fails.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

static const char state_get_sql[] = "SELECT value FROM state WHERE key = ?1";
static const char state_set_sql[] =
    "INSERT INTO state(key, value) VALUES (?1, ?2)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/* Steps the lookup of key: 1 with the row current, 0 none, -1 error. The caller calls db_done. */
static int
state_lookup(struct db *db, sqlite3_stmt *st, const char *key)
{
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, key)) == -1)
		return -1;
	return db_step(db, st);
}

int
state_get_int(struct db *db, const char *key, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, state_get_sql);
	int rc;

	if ((rc = state_lookup(db, st, key)) == 1) {
		if (sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
			*out = sqlite3_column_int64(st, 0);
		} else {
			log_error("state: not an integer: \"%s\"", key);
			rc = -1;
		}
	}
	db_done(st);
	return rc;
}

int
state_set_int(struct db *db, const char *key, int64_t value)
{
	sqlite3_stmt *st = db_stmt(db, state_set_sql);

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, key) |
	    sqlite3_bind_int64(st, 2, value)) == -1) {
		db_done(st);
		return -1;
	}
	return db_run(db, st);
}

/* A value longer than outsz - 1 bytes is an error rather than silently cut. */
int
state_get_str(struct db *db, const char *key, char *out, size_t outsz)
{
	sqlite3_stmt *st = db_stmt(db, state_get_sql);
	const unsigned char *v;
	int rc;

	if ((rc = state_lookup(db, st, key)) == 1) {
		v = sqlite3_column_text(st, 0);
		if ((size_t)sqlite3_column_bytes(st, 0) >= outsz) {
			log_error("state: value too long for its buffer: \"%s\"", key);
			rc = -1;
		} else {
			str_copy(out, outsz, (const char *)v);
		}
	}
	db_done(st);
	return rc;
}

int
state_set_str(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, state_set_sql);

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, key) |
	    db_bind_str(st, 2, value)) == -1) {
		db_done(st);
		return -1;
	}
	return db_run(db, st);
}
