/*
 * access_sessions.c — access sessions: a member's time-limited, reasoned permission to see one
 * partner's personal data. A session is open while closed_at IS NULL and expires_at lies ahead; a
 * lapsed one is closed (at its expiry) the next time the member's sessions are touched, which keeps
 * the partial index of open sessions small.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

/* Indexed by enum access_reason. Names are shown and parsed: never rename. */
static const char *const access_reason_names[ACCESS_REASON_COUNT] = {
	"ticket", "billing", "onboarding", "incident", "other",
};
_Static_assert(REASON_TICKET == 0 && REASON_OTHER == 4 && ACCESS_REASON_COUNT == 5,
    "access_sessions checks reason BETWEEN 0 AND 4");

const char *
access_reason_name(int reason)
{
	if (reason < 0 || reason >= ACCESS_REASON_COUNT)
		return NULL;
	return access_reason_names[reason];
}

int
access_reason_parse(const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < ACCESS_REASON_COUNT; i++)
		if (strcmp(s, access_reason_names[i]) == 0)
			return i;
	return -1;
}

/* Closes a member's sessions lapsed by now, at their expiry (partner 0 = all). 0/-1. */
static int
access_close_lapsed(struct db *db, int64_t user_id, int64_t partner_id, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE access_sessions SET closed_at = expires_at"
	    " WHERE user_id = ?1 AND (?2 = 0 OR partner_id = ?2) AND closed_at IS NULL"
	    " AND expires_at <= ?3");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, partner_id) | sqlite3_bind_int64(st, 3, now)) == -1) {
		db_done(st);
		return -1;
	}
	return db_run(db, st);
}

int
access_open(struct db *db, struct access_session *s)
{
	sqlite3_stmt *st;

	if (s->reason < 0 || s->reason >= ACCESS_REASON_COUNT) {
		log_error("access: not a reason: %d", s->reason);
		return -1;
	}
	if (access_close(db, s->user_id, s->partner_id, s->opened_at) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO access_sessions(user_id, partner_id, reason, reason_text,"
	    " writable, opened_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, s->user_id) |
	    sqlite3_bind_int64(st, 2, s->partner_id) | sqlite3_bind_int(st, 3, s->reason) |
	    db_bind_str(st, 4, s->reason_text) | sqlite3_bind_int(st, 5, s->writable != 0) |
	    sqlite3_bind_int64(st, 6, s->opened_at) |
	    sqlite3_bind_int64(st, 7, s->expires_at)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	s->id = db_last_id(db);
	s->closed_at = 0;
	return 0;
}

int
access_current(struct db *db, int64_t user_id, int64_t partner_id, int64_t now,
    struct access_session *s)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT id, user_id, partner_id, reason, reason_text, writable, opened_at, expires_at"
	    " FROM access_sessions WHERE user_id = ?1 AND partner_id = ?2 AND closed_at IS NULL"
	    " AND expires_at > ?3 ORDER BY id DESC LIMIT 1");
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, partner_id) | sqlite3_bind_int64(st, 3, now)) == -1)
		goto out;
	if ((rc = db_step(db, st)) == 1) {
		s->id = sqlite3_column_int64(st, 0);
		s->user_id = sqlite3_column_int64(st, 1);
		s->partner_id = sqlite3_column_int64(st, 2);
		s->reason = sqlite3_column_int(st, 3);
		db_col_copy(st, 4, s->reason_text, sizeof(s->reason_text));
		s->writable = sqlite3_column_int(st, 5);
		s->opened_at = sqlite3_column_int64(st, 6);
		s->expires_at = sqlite3_column_int64(st, 7);
	}
out:
	db_done(st);
	return rc;
}

/* Counts only sessions that were still open at now; lapsed ones are closed quietly. */
int
access_close(struct db *db, int64_t user_id, int64_t partner_id, int64_t now)
{
	sqlite3_stmt *st;
	int n;

	if (access_close_lapsed(db, user_id, partner_id, now) == -1)
		return -1;
	st = db_stmt(db, "UPDATE access_sessions SET closed_at = ?3"
	    " WHERE user_id = ?1 AND (?2 = 0 OR partner_id = ?2) AND closed_at IS NULL");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, partner_id) | sqlite3_bind_int64(st, 3, now)) == -1 ||
	    db_step(db, st) == -1) {
		db_done(st);
		return -1;
	}
	n = db_changes(db);
	db_done(st);
	return n;
}
