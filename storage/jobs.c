/*
 * jobs.c — scheduler bookkeeping. A job runs once per slot (a period number the scheduler
 * derives from the clock): the claim is an INSERT that only one caller can win, or the
 * re-claim of a slot whose run failed a while ago.
 */
#include "bot/base.h"
#include "storage/db_private.h"

/*
 * A claim whose process died before jobs_finish stays claimed until jobs_forget_unfinished.
 * A successful run closes its slot; a failed one (ok = 0) may be claimed again JOBS_RETRY
 * seconds after it finished, at most JOBS_ATTEMPTS claims in all for the slot.
 */
int
jobs_claim(struct db *db, const char *job, int64_t slot, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO job_runs(job, slot, started_at, attempts) VALUES (?1, ?2, ?3, 1)"
	    " ON CONFLICT(job, slot) DO UPDATE SET started_at = ?3, finished_at = NULL, ok = NULL,"
	    " note = NULL, attempts = attempts + 1"
	    " WHERE ok = 0 AND finished_at IS NOT NULL AND finished_at <= ?3 - ?4"
	    " AND attempts < ?5");

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, job) |
	    sqlite3_bind_int64(st, 2, slot) | sqlite3_bind_int64(st, 3, now) |
	    sqlite3_bind_int64(st, 4, JOBS_RETRY) | sqlite3_bind_int(st, 5, JOBS_ATTEMPTS)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db) == 1;
}

int
jobs_finish(struct db *db, const char *job, int64_t slot, int ok, const char *note, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE job_runs SET finished_at = ?3, ok = ?4, note = ?5 WHERE job = ?1 AND slot = ?2");

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, job) |
	    sqlite3_bind_int64(st, 2, slot) | sqlite3_bind_int64(st, 3, now) |
	    sqlite3_bind_int(st, 4, ok != 0) | db_bind_str(st, 5, note)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) != 1) {
		log_error("jobs: finishing a run never claimed: \"%s\" slot %lld", job,
		    (long long)slot);
		return -1;
	}
	return 0;
}

int
jobs_last(struct db *db, const char *job, int64_t *slot, int64_t *finished_at, int *ok)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT slot, finished_at, ok FROM job_runs WHERE job = ?1 AND finished_at IS NOT NULL"
	    " ORDER BY finished_at DESC, slot DESC LIMIT 1");
	int rc = -1;

	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, job)) == -1)
		goto out;
	if ((rc = db_step(db, st)) == 1) {
		if (slot != NULL)
			*slot = sqlite3_column_int64(st, 0);
		if (finished_at != NULL)
			*finished_at = sqlite3_column_int64(st, 1);
		if (ok != NULL)
			*ok = sqlite3_column_int(st, 2);
	}
out:
	db_done(st);
	return rc;
}

/* At start-up (one instance holds the lock): runs a previous process claimed but never finished
 * died with it; forgetting them lets their slot run again. Returns how many, or -1. */
int
jobs_forget_unfinished(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM job_runs WHERE finished_at IS NULL");

	if (st == NULL || db_run(db, st) == -1)
		return -1;
	return db_changes(db);
}
