/*
 * db_private.h — what the files of storage/ share and nobody else sees: the statement cache and
 * small step/bind/column helpers around sqlite3. Only storage/ includes this header.
 */
#ifndef DB_PRIVATE_H
#define DB_PRIVATE_H

#include <sqlite3.h>

#include "storage/storage.h"

/*
 * The prepared statement for sql, prepared on first use and kept for the connection's life.
 * sql must be a string literal (static storage): the cache is keyed by the pointer. The statement
 * comes back reset with no bindings; give it back with db_done before returning. NULL on error
 * (logged). A statement is not reentrant: code running while it is active must not use it again.
 */
sqlite3_stmt	*db_stmt(struct db *, const char *sql);
/* Resets the statement and clears its bindings; text bound SQLITE_STATIC is then no longer read. */
void		 db_done(sqlite3_stmt *);
/* One step: 1 a row, 0 done, -1 error (logged). */
int		 db_step(struct db *, sqlite3_stmt *);
/* Runs a statement that returns no rows, then db_done. 0 ok, -1 error (logged). */
int		 db_run(struct db *, sqlite3_stmt *);
/* Checks the OR of the bind calls' results: 0 all bound, -1 (logged) otherwise. */
int		 db_bound(struct db *, sqlite3_stmt *, int rc);
/* Binds a C string (NULL binds SQL NULL) without a copy: valid until db_done. */
int		 db_bind_str(sqlite3_stmt *, int idx, const char *);
int		 db_changes(struct db *);
/* A fixed query's single integer (a count): the value, or -1 on error. */
int64_t		 db_query_int(struct db *, const char *sql);
/* A fixed statement with one integer parameter (?1), e.g. a prune: rows changed, or -1. */
int		 db_run_int(struct db *, const char *sql, int64_t param);
int64_t		 db_last_id(struct db *);
/* Up to max rows from a bound statement, fill(st, row) writing each into rows[] (size bytes a
 * row), then db_done: the count, or -1. With max 1 it is a lookup's 1 found / 0 none / -1. */
int		 db_rows(struct db *, sqlite3_stmt *, void (*fill)(sqlite3_stmt *, void *),
		    void *rows, size_t size, int max);
/* db_rows of the statement for sql (a literal, as db_stmt) with keys[] bound to ?1..?nkeys
 * and, when it has one parameter more, max to that one (its LIMIT). */
int		 db_rows_by(struct db *, const char *sql, const int64_t *keys, int nkeys,
		    void (*fill)(sqlite3_stmt *, void *), void *rows, size_t size, int max);
/* Column text into a fixed array (truncated on a UTF-8 boundary; NULL gives ""). */
void		 db_col_copy(sqlite3_stmt *, int col, char *dst, size_t dstsz);
/* Column text as a malloc'd string the caller frees ("" for NULL); NULL when out of memory. */
char		*db_col_dup(sqlite3_stmt *, int col);

/* schema.c: the migrations, an append-only list; entry i takes the schema from user_version i
 * to i + 1 (db_migrations_count() entries). */
extern const char *const db_migrations[];

/* The enum values are spelled as literals in SQL so partial indexes apply; these keep them honest. */
_Static_assert(INBOX_PENDING == 0, "inbox SQL says state = 0 for pending");
_Static_assert(OUTBOX_PENDING == 0 && OUTBOX_SENDING == 1 && OUTBOX_SENT == 2 &&
    OUTBOX_FAILED == 3 && OUTBOX_BLOCKED == 4, "outbox SQL spells states as literals");
_Static_assert(AREQ_PENDING == 0, "access request SQL says state = 0 for pending");
_Static_assert(SUB_CANCELED == 3 && SUB_STATUS_COUNT == 4,
    "subscription SQL says status <> 3 for live and checks status BETWEEN 0 AND 3");
_Static_assert(INV_DRAFT == 0 && INV_OPEN == 1 && INV_VOID == 3 && INV_STATUS_COUNT == 5,
    "invoice SQL spells draft, open and void as literals and checks status BETWEEN 0 AND 4");
_Static_assert(INV_KIND_PERIOD == 0 && INV_KIND_MANUAL == 2,
    "invoices_period says kind = 0; the table checks kind BETWEEN 0 AND 2");
_Static_assert(DUN_NONE == 0 && DUN_BLOCKED == 3,
    "invoices_dunning says dunning < 3; the table checks dunning BETWEEN 0 AND 3");

/* invoices.c: takes the next number of kind ("invoice", "act") in the civil year of day — in
 * the caller's transaction, so the number and its document commit or vanish together — and
 * writes it as prefix, year, '-' and at least four digits ("2026-0001") into out. 0/-1. */
int		 doc_number_next(struct db *, const char *kind, const char *prefix, int64_t day,
		    char *out, size_t outsz);

/* audit_anchor.c: the key a record's hash is made with: *key NULL for a record from before the
 * log was keyed (plain SHA-256). 0; 1 when the record was keyed with a key that is lost (it
 * cannot be verified; *lost_until, when not NULL, is the last such record); -1 (logged) when no
 * key is loaded. */
int		 audit_key_for(int64_t id, const unsigned char **key, int64_t *lost_until);
/* audit_log.c: a record's hash with the given key (NULL: plain SHA-256). */
void		 audit_hash_with(const struct audit_record *, const unsigned char *key, char out[65]);
/* audit_anchor.c: the anchor file's heads sorted by id (the caller frees *out): 0 (also for no
 * file), 1 damaged (why says where), -1 error (logged). */
struct audit_anchor {
	int64_t	 id, at;
	char	 hash[65];
	int	 line;
};
int		 audit_anchors_load(struct audit_anchor **out, size_t *n, char *why, size_t whysz);

#endif
