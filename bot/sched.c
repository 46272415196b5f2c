/*
 * sched.c — periodic jobs, run by their own thread and connection, so a long one (a renewal day
 * at 10,000 partners takes seconds) holds up neither the HTTP server nor the worker. A job runs
 * at most once per slot (its period counted from the epoch): the slot is claimed in the
 * database first, so a restart or a second pass in the same slot does not repeat it. A run that failed (a busy database, say) keeps its
 * slot: it is claimed again a minute after it finished, a few times at most (jobs_claim).
 * Later blocks add rows to the table below.
 */
#include <string.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define SCHED_TICK_MS 200	/* how often due jobs are looked for */
#define KEEP_MS (7LL * 24 * 3600 * 1000)	/* processed updates and sent messages kept a week */
/* The CRM's event ids are kept 30 days: a replay within them changes nothing (the replay
 * horizon the API documents). */
#define EVENT_IDS_KEEP (30LL * 24 * 3600)

/* Deletes processed inbox rows, finished outbox rows and saved list filters older than a week,
 * and the CRM's event ids older than a month. The inbox keeps a
 * week of update_ids, more than Telegram's 24 h redelivery window. */
static int
sched_prune(struct app *a, struct db *db)
{
	int64_t cut = clock_now_ms() - KEEP_MS;

	(void)a;
	if (db_begin(db) == -1)
		return -1;
	if (inbox_prune(db, cut) == -1 || outbox_prune(db, cut) == -1 ||
	    query_prune(db, cut / 1000) == -1 ||
	    activity_prune_ids(db, clock_now() - EVENT_IDS_KEEP) == -1) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/*
 * The jobs. Columns: name (stable: it keys the runs table), period in seconds, the job.
 * A job runs in its own transaction-free context and manages its own transactions.
 */
static const struct job {
	const char	*name;
	int64_t		 period;
	int		(*run)(struct app *, struct db *);
} sched_jobs[] = {
	{ "prune", 3600, sched_prune },
	{ "audit_anchor", 86400, audit_anchor_job },
	/* before the scans: an ended snooze is shown with what it held, and the scan that
	 * follows finds nothing new to edit */
	{ "alerts_snooze", 60, alert_snooze_job },
	/* hourly, though a billing day is a date: the slots are UTC hours, so each step happens
	 * on the right day in the configured zone; both are idempotent by what they store. The
	 * dunning follows the renewal: it sees the period ends and invoices of this hour. */
	{ "billing_renewal", 3600, billing_renewal_job },
	{ "billing_dunning", 3600, billing_dunning_job },
	{ "dormant", 3600, monitoring_dormant_job },
	{ "activity_drop", 86400, monitoring_drop_job },
	{ "queues", 60, monitoring_queues_job },
};

void
sched_run_due(struct app *a, struct db *db)
{
	size_t i;
	int64_t now = clock_now(), slot;
	int r, ok;

	for (i = 0; i < sizeof(sched_jobs) / sizeof(sched_jobs[0]) && !a->stop; i++) {
		const struct job *j = &sched_jobs[i];

		slot = now / j->period;
		r = jobs_claim(db, j->name, slot, now);
		if (r != 1)
			continue;
		log_debug("job %s: slot %lld", j->name, (long long)slot);
		ok = j->run(a, db) == 0;
		if (!ok)
			log_error("job %s failed", j->name);
		jobs_finish(db, j->name, slot, ok, NULL, clock_now());
	}
}

void *
sched_thread(void *arg)
{
	struct app *a = arg;
	struct db *db;

	if ((db = app_thread_db(a, "scheduler")) == NULL)
		return NULL;
	while (!a->stop) {
		sched_run_due(a, db);
		app_sleep(a, SCHED_TICK_MS);
	}
	db_close(db);
	return NULL;
}
