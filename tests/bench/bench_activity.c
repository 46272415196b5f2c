/*
 * bench_activity.c — the activity storage at 10,000 partners and tens of millions of events
 * (`make bench`).
 *
 * Not a timed test: it prints figures, it never passes or fails. A fresh database in a temporary
 * directory gets the demo partners (demo_seed), then DAYS days of daily aggregates for every
 * partner through activity_add_day (the aggregates a stream of single events would have left:
 * each row carries its logins and operations, at least 10 million events in all). 5 % of the
 * partners went quiet 15–90 days ago and 1 % never logged in. Then, on a new connection with
 * the default cache:
 *   activity_dormant (14 days) over every partner; activity_days (30 days) for random partners;
 *   activity_totals for a week over all partners, most and least active first;
 *   activity_add per event (an id, a user, a random partner) in transactions of BATCH events:
 *   p50/p99 of the call, and events per second including BEGIN and COMMIT (last: it logs
 *   random partners in, which would wake the dormant ones);
 *   the database size (the per-user rows of single events are not part of the bulk load).
 *
 *     build/tests/bench/bench_activity [partners [days]]	(default: 10000 365)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bot/bot.h"
#include "storage/storage.h"
#include "tests/bench/bench.h"

#define DAY 86400
#define BATCH 1000		/* events per transaction, as one API request at most */
#define BATCHES 20
#define ITER 2000		/* timed activity_days calls */
#define SCANS 20		/* timed dormant scans and totals */
#define FILL_TXN 200000		/* daily rows per transaction while filling */

static int64_t lat[BATCH * BATCHES];
static uint64_t rng_state = 0x616374697669ull;	/* bench_rnd state: a fixed seed */






/*
 * Days outer, partners inner: the day-led index grows at its end, the table by one row per
 * partner. Partner k's last active day: today for most, 15–90 days ago for every 20th, never
 * for every 100th. 0 ok (*events: what the rows carry), -1 error.
 */
static int
fill(struct db *db, int64_t partners, int64_t days, int64_t today, int64_t *events)
{
	struct activity_day d;
	int64_t *last = calloc((size_t)partners + 1, sizeof(*last)), k, day, rows = 0, t0;
	int rc = -1;

	if (last == NULL)
		return -1;
	for (k = 1; k <= partners; k++)
		last[k] = k % 100 == 7 ? -1 : k % 20 == 3 ?
		    today - 15 - (int64_t)(bench_rnd(&rng_state) % 76) : today;
	*events = 0;
	t0 = clock_mono_us();
	/* a larger cache while loading only; the measurements reopen with the default */
	if (db_exec_fixed(db, "PRAGMA cache_size = -262144") == -1 || db_begin(db) == -1)
		goto out;
	for (day = today - days + 1; day <= today; day++)
		for (k = 1; k <= partners; k++) {
			if (day > last[k] || bench_rnd(&rng_state) % 10 == 0)	/* a quiet day now and then */
				continue;
			d.day = day;
			d.logins = 1 + (int64_t)(bench_rnd(&rng_state) % 5);
			d.operations = (int64_t)(bench_rnd(&rng_state) % 11);
			d.active_users = 1 + (int64_t)(bench_rnd(&rng_state) % (uint64_t)d.logins);
			if (activity_add_day(db, k, &d, day * DAY + 9 * 3600) == -1) {
				db_rollback(db);
				goto out;
			}
			*events += d.logins + d.operations;
			if (++rows % FILL_TXN == 0 && (db_commit(db) == -1 || db_begin(db) == -1))
				goto out;
		}
	if (db_commit(db) == -1)
		goto out;
	printf("  %-46s %lld ms (%lld daily rows, %lld events, %.1f M events)\n",
	    "activity_add_day fill", (long long)((clock_mono_us() - t0) / 1000), (long long)rows,
	    (long long)*events, (double)*events / 1e6);
	rc = 0;
out:
	free(last);
	return rc;
}

/* BATCHES transactions of BATCH single events (as the API applies them). */
static int
time_ingest(struct db *db, int64_t partners, int64_t now)
{
	struct activity_event_in e;
	int64_t t0, tb, total_us = 0;
	int b, i, n = 0;

	memset(&e, 0, sizeof(e));
	for (b = 0; b < BATCHES; b++) {
		tb = clock_mono_us();
		if (db_begin(db) == -1)
			return -1;
		for (i = 0; i < BATCH; i++) {
			snprintf(e.id, sizeof(e.id), "bench-%d-%d-%016llx", b, i,
			    (unsigned long long)bench_rnd(&rng_state));
			e.partner_id = 1 + (int64_t)(bench_rnd(&rng_state) % (uint64_t)partners);
			e.type = bench_rnd(&rng_state) % 3 == 0 ? EVENT_LOGIN : EVENT_OPERATION;
			e.at = now - (int64_t)(bench_rnd(&rng_state) % 3600);
			e.user_id = e.partner_id * 1000 + (int64_t)(bench_rnd(&rng_state) % 20);
			e.count = 1;
			t0 = clock_mono_us();
			if (activity_add(db, &e, now) != 1) {
				db_rollback(db);
				return -1;
			}
			lat[n++] = clock_mono_us() - t0;
		}
		if (db_commit(db) == -1)
			return -1;
		total_us += clock_mono_us() - tb;
	}
	bench_report(lat, "activity_add, one event (id, user, partner)", n, "us");
	printf("  %-46s %.0f events/s (%d transactions of %d, fsync each commit)\n",
	    "  with BEGIN and COMMIT", (double)n * 1e6 / (double)total_us, BATCHES, BATCH);
	return 0;
}

static int
time_dormant(struct db *db, int64_t partners, int64_t now)
{
	int64_t *ids = calloc((size_t)partners, sizeof(*ids));
	int64_t *last = calloc((size_t)partners, sizeof(*last)), t0;
	int i, n = 0, rc = -1;

	if (ids == NULL || last == NULL)
		goto out;
	for (i = -2; i < SCANS; i++) {
		t0 = clock_mono_us();
		n = activity_dormant(db, now - 14 * DAY, ids, last, (int)partners);
		if (n < 0)
			goto out;
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
	}
	bench_report(lat, "activity_dormant (14 days, all partners)", SCANS, "us");
	printf("  %-46s %d dormant partners\n", "", n);
	rc = 0;
out:
	free(ids);
	free(last);
	return rc;
}

static int
time_days(struct db *db, int64_t partners, int64_t today)
{
	struct activity_day days[30];
	int64_t t0;
	int i;

	for (i = -50; i < ITER; i++) {
		int64_t id = 1 + (int64_t)(bench_rnd(&rng_state) % (uint64_t)partners);

		t0 = clock_mono_us();
		if (activity_days(db, id, today - 29, today, days, 30) != 30)
			return -1;
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
	}
	bench_report(lat, "activity_days (30 days, one partner)", ITER, "us");
	return 0;
}

static int
time_totals(struct db *db, int64_t partners, int64_t today, int asc)
{
	int64_t *ids = calloc((size_t)partners, sizeof(*ids));
	int64_t *sums = calloc((size_t)partners, sizeof(*sums)), t0;
	int i, n = 0, rc = -1;

	if (ids == NULL || sums == NULL)
		goto out;
	for (i = -2; i < SCANS; i++) {
		t0 = clock_mono_us();
		if ((n = activity_totals(db, today - 6, today, asc, ids, sums, (int)partners)) < 0)
			goto out;
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
	}
	bench_report(lat, asc ? "activity_totals (week, all, least first)" :
	    "activity_totals (week, all, most first)", SCANS, "us");
	if (n > 0)
		printf("  %-46s %d partners, top %lld, bottom %lld\n", "", n, (long long)sums[0],
		    (long long)sums[n - 1]);
	rc = 0;
out:
	free(ids);
	free(sums);
	return rc;
}

static int
bench(const char *dir, int64_t partners, int64_t days)
{
	char path[512], errbuf[256];
	struct rusage ru;
	struct db *db = NULL;
	int64_t now = clock_now(), today = now / DAY, events = 0;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/bench-activity.db", dir);
	printf("-- %lld partners, %lld days\n", (long long)partners, (long long)days);
	if (bench_seed(path, partners, "demo_seed (partners, demo history)") == -1)
		goto out;
	if ((db = db_open(path, errbuf, sizeof(errbuf))) == NULL) {
		fprintf(stderr, "bench_activity: %s\n", errbuf);
		goto out;
	}
	if (partner_count(db) != partners) {
		fprintf(stderr, "bench_activity: %lld partners, expected %lld\n",
		    (long long)partner_count(db), (long long)partners);
		goto out;
	}
	if (fill(db, partners, days, today, &events) == -1)
		goto out;
	db_close(db);
	if ((db = db_open(path, errbuf, sizeof(errbuf))) == NULL) {
		fprintf(stderr, "bench_activity: %s\n", errbuf);
		goto out;
	}
	/* the scans first: the ingestion sample logs random partners in */
	if (time_dormant(db, partners, now) == -1 || time_days(db, partners, today) == -1 ||
	    time_totals(db, partners, today, 0) == -1 || time_totals(db, partners, today, 1) == -1 ||
	    time_ingest(db, partners, now) == -1)
		goto out;
	getrusage(RUSAGE_SELF, &ru);
	printf("  %-46s %.1f MB\n", "database size", (double)db_size_bytes(db) / (1 << 20));
	printf("  %-46s %.1f MB\n", "peak RSS (process so far)", (double)ru.ru_maxrss / 1024);
	rc = 0;
out:
	if (rc == -1)
		fprintf(stderr, "bench_activity: failed\n");
	db_close(db);
	bench_remove_db(path);
	return rc;
}

int
main(int argc, char **argv)
{
	char dir[256];
	const char *tmp = getenv("TMPDIR");
	int64_t partners = 10000, days = 365;
	int rc;

	log_init(-1);
	if ((argc > 1 && (str_to_i64(argv[1], &partners) == -1 || partners < 1 ||
	    partners > 100000)) || (argc > 2 && (str_to_i64(argv[2], &days) == -1 || days < 30 ||
	    days > 3660))) {
		fprintf(stderr, "usage: bench_activity [partners (1..100000) [days (30..3660)]]\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/bench_activity.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("bench_activity: mkdtemp");
		return 1;
	}
	printf("bench_activity: latencies in microseconds, warm connection\n");
	rc = bench(dir, partners, days) == -1;
	rmdir(dir);
	return rc;
}
