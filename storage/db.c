/*
 * db.c — opening the back office's database, applying its migrations (the list is schema.c's),
 * transactions and the per-connection cache of prepared statements. A struct db belongs to one
 * thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/base.h"
#include "storage/db_private.h"


/* One cached statement; the key is the SQL text's address. */
struct db_slot {
	const char	*sql;		/* NULL: empty slot */
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3		*h;
	struct db_slot	*slots;		/* open addressing; nslots is 0 or a power of two */
	size_t		 nslots;
	size_t		 nused;		/* kept below nslots / 2 */
};

static size_t
db_slot_hash(const char *sql, size_t nslots)
{
	uintptr_t p = (uintptr_t)sql;

	p ^= p >> 17;
	p *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(p >> 7) & (nslots - 1);
}

static struct db_slot *
db_slot_find(struct db_slot *slots, size_t nslots, const char *sql)
{
	size_t i = db_slot_hash(sql, nslots);

	while (slots[i].sql != NULL && slots[i].sql != sql)
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

/* Doubles the table (or creates it); existing statements move over. */
static int
db_slots_grow(struct db *db)
{
	size_t n = db->nslots ? db->nslots * 2 : 64, i;
	struct db_slot *slots;

	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (i = 0; i < db->nslots; i++)
		if (db->slots[i].sql != NULL)
			*db_slot_find(slots, n, db->slots[i].sql) = db->slots[i];
	free(db->slots);
	db->slots = slots;
	db->nslots = n;
	return 0;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	struct db_slot *s;
	sqlite3_stmt *st = NULL;

	if (db->nslots && (s = db_slot_find(db->slots, db->nslots, sql))->sql != NULL)
		return s->stmt;
	if ((db->nused + 1) * 2 > db->nslots && db_slots_grow(db) == -1) {
		log_error("db: out of memory for the statement cache");
		return NULL;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("db: prepare failed: %s: \"%.80s\"", sqlite3_errmsg(db->h), sql);
		sqlite3_finalize(st);
		return NULL;
	}
	s = db_slot_find(db->slots, db->nslots, sql);
	s->sql = sql;
	s->stmt = st;
	db->nused++;
	return st;
}

void
db_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
db_step(struct db *db, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)		/* db_stmt failed and logged */
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_error("db: %s: \"%.80s\"", sqlite3_errmsg(db->h), sqlite3_sql(st));
	return -1;
}

int
db_run(struct db *db, sqlite3_stmt *st)
{
	int rc = db_step(db, st);

	db_done(st);
	return rc == -1 ? -1 : 0;
}

int
db_bound(struct db *db, sqlite3_stmt *st, int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	log_error("db: bind failed: %s: \"%.80s\"", sqlite3_errmsg(db->h), sqlite3_sql(st));
	return -1;
}

int
db_bind_str(sqlite3_stmt *st, int idx, const char *s)
{
	/* SQLITE_STATIC: every caller clears the bindings (db_done) before s can go away. */
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

void
db_col_copy(sqlite3_stmt *st, int col, char *dst, size_t dstsz)
{
	str_copy(dst, dstsz, (const char *)sqlite3_column_text(st, col));
}

char *
db_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	char *p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (t != NULL)
		memcpy(p, t, n);
	p[t != NULL ? n : 0] = '\0';
	return p;
}

/* Runs fixed SQL (pragmas, transaction verbs, migrations): never user input. */
static int
db_exec(struct db *db, const char *sql, char *errbuf, size_t errsz)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (errbuf != NULL)
		snprintf(errbuf, errsz, "%s", msg ? msg : sqlite3_errmsg(db->h));
	else
		log_error("db: %s: \"%.80s\"", msg ? msg : sqlite3_errmsg(db->h), sql);
	sqlite3_free(msg);
	return -1;
}

/* A one-integer query such as a pragma or a count; -1 on error. */
int64_t
db_query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	if (db_step(db, st) == 1)
		v = sqlite3_column_int64(st, 0);
	db_done(st);
	return v;
}

int
db_rows(struct db *db, sqlite3_stmt *st, void (*fill)(sqlite3_stmt *, void *), void *rows,
    size_t size, int max)
{
	int n = 0, r = 0;

	while (n < max && (r = db_step(db, st)) == 1)
		fill(st, (char *)rows + (size_t)n++ * size);
	db_done(st);
	return r == -1 ? -1 : n;
}

int
db_rows_by(struct db *db, const char *sql, const int64_t *keys, int nkeys,
    void (*fill)(sqlite3_stmt *, void *), void *rows, size_t size, int max)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int i, rc = SQLITE_OK;

	if (st == NULL)
		return -1;
	for (i = 0; i < nkeys; i++)
		rc |= sqlite3_bind_int64(st, i + 1, keys[i]);
	if (sqlite3_bind_parameter_count(st) > nkeys)
		rc |= sqlite3_bind_int(st, nkeys + 1, max);
	if (db_bound(db, st, rc) == -1) {
		db_done(st);
		return -1;
	}
	return db_rows(db, st, fill, rows, size, max);
}

/* Applies the pending migrations, each in its own transaction. The version is re-read under the
 * write lock, so two processes opening the same file at once apply each migration once. */
static int
db_migrate(struct db *db, char *errbuf, size_t errsz)
{
	char sql[64];
	int v, n = db_migrations_count();

	for (;;) {
		if (db_exec(db, "BEGIN IMMEDIATE", errbuf, errsz) == -1)
			return -1;
		v = db_schema_version(db);
		if (v < 0) {
			snprintf(errbuf, errsz, "cannot read the schema version");
			goto fail;
		}
		if (v > n) {
			snprintf(errbuf, errsz, "schema version %d is newer than this program's %d",
			    v, n);
			goto fail;
		}
		if (v == n)
			break;
		if (db_exec(db, db_migrations[v], errbuf, errsz) == -1)
			goto fail;
		/* user_version cannot be bound; v is our own counter, not input. */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (db_exec(db, sql, errbuf, errsz) == -1 || db_exec(db, "COMMIT", errbuf, errsz) == -1)
			goto fail;
	}
	return db_exec(db, "COMMIT", errbuf, errsz);
fail:
	db_exec(db, "ROLLBACK", NULL, 0);
	return -1;
}

static int
db_is_memory(const char *path)
{
	return strcmp(path, ":memory:") == 0 || path[0] == '\0';
}

struct db *
db_open(const char *path, char *errbuf, size_t errsz)
{
	struct db *db = NULL;
	sqlite3_stmt *st;
	int fd, wal = 0;

	if (errsz > 0)
		errbuf[0] = '\0';
	/* Create the file ourselves so it is never readable by others; SQLite gives its -wal and
	 * -shm files the database file's mode. An existing file is made private with chmod: never
	 * open() and close() a database file other connections of this process have open — closing
	 * any descriptor of a file drops all of the process's POSIX locks on it, and another process
	 * could then take the database for unused and delete its WAL under our feet. */
	if (!db_is_memory(path)) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1)
			close(fd);	/* new: nobody can hold a lock on it yet */
		else if (errno != EEXIST) {
			snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
			return NULL;
		} else if (chmod(path, 0600) == -1)
			log_warn("db: cannot make '%s' private (0600): %s", path, strerror(errno));
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(errbuf, errsz, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	/* FULL: a commit survives a power loss, not only a crash. The next getUpdates confirms
	 * what intake committed, and Telegram will not send it again. */
	if (db_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -256; PRAGMA temp_store = MEMORY;",
	    errbuf, errsz) == -1)
		goto fail;
	/* journal_mode answers with the mode in force; anything but wal means it did not take. */
	if ((st = db_stmt(db, "PRAGMA journal_mode = WAL")) == NULL) {
		snprintf(errbuf, errsz, "%s", sqlite3_errmsg(db->h));
		goto fail;
	}
	if (db_step(db, st) == 1)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	db_done(st);
	if (!wal && !db_is_memory(path)) {
		snprintf(errbuf, errsz, "%s: cannot switch to WAL journal mode", path);
		goto fail;
	}
	if (db_migrate(db, errbuf, errsz) == -1)
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nslots; i++)
		sqlite3_finalize(db->slots[i].stmt);
	free(db->slots);
	if (db->h != NULL) {
		/* Keeps the planner's statistics fresh; cheap when nothing changed. */
		sqlite3_exec(db->h, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close(db->h);
	}
	free(db);
}

int
db_begin(struct db *db)
{
	return db_run(db, db_stmt(db, "BEGIN IMMEDIATE"));
}

/* On failure the transaction is rolled back, so the connection is never left inside one. */
int
db_commit(struct db *db)
{
	if (db_run(db, db_stmt(db, "COMMIT")) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		db_run(db, db_stmt(db, "ROLLBACK"));
}

#define DB_LEVELS 3
static const char *const db_sp_save[DB_LEVELS] = {
	"SAVEPOINT sp0", "SAVEPOINT sp1", "SAVEPOINT sp2" };
static const char *const db_sp_release[DB_LEVELS] = {
	"RELEASE sp0", "RELEASE sp1", "RELEASE sp2" };
static const char *const db_sp_undo[DB_LEVELS] = {
	"ROLLBACK TO sp0", "ROLLBACK TO sp1", "ROLLBACK TO sp2" };

int
db_savepoint(struct db *db, int level)
{
	if (level < 0 || level >= DB_LEVELS || sqlite3_get_autocommit(db->h)) {
		log_error("db: savepoint %d outside a transaction", level);
		return -1;
	}
	return db_run(db, db_stmt(db, db_sp_save[level]));
}

int
db_release(struct db *db, int level)
{
	if (level < 0 || level >= DB_LEVELS)
		return -1;
	return db_run(db, db_stmt(db, db_sp_release[level]));
}

/* Rolled back and ended; a transaction that SQLite already rolled back (a full disk) stays so,
 * and the caller's commit then fails. */
int
db_undo(struct db *db, int level)
{
	if (level < 0 || level >= DB_LEVELS || sqlite3_get_autocommit(db->h))
		return -1;
	if (db_run(db, db_stmt(db, db_sp_undo[level])) == -1)
		return -1;
	return db_run(db, db_stmt(db, db_sp_release[level]));
}

int
db_schema_version(struct db *db)
{
	return (int)db_query_int(db, "PRAGMA user_version");
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int64_t
db_size_bytes(struct db *db)
{
	return db_query_int(db,
	    "SELECT c.page_count * s.page_size FROM pragma_page_count() c, pragma_page_size() s");
}

int
db_exec_fixed(struct db *db, const char *sql)
{
	return db_exec(db, sql, NULL, 0);
}

int
db_run_int(struct db *db, const char *sql, int64_t param)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, param)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db);
}

/* For a connection whose commits may be lost to a power cut without harm (the sender: a lost
 * "sent" mark only means a message goes again): no fsync per commit. Crash safety stays. */
int
db_relax_sync(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA synchronous = NORMAL");

	if (st == NULL || db_step(db, st) == -1) {
		db_done(st);
		return -1;
	}
	db_done(st);
	return 0;
}
