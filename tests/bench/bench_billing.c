/*
 * bench_billing.c — billing at 20 and at 10,000 partners with two years of history (`make bench`).
 *
 * Not a timed test: it prints figures, it never passes or fails. For each size a fresh database
 * in a temporary directory is filled by demo_seed: the partners and their two years of billing,
 * made day by day through the rules and the jobs (bot/demo/demo_billing.c). Then, on a new connection
 * (synchronous=FULL, as the bot runs):
 *   billing_renewal_job and billing_dunning_job, wall time per run: today (the demo ran them
 *   already: idle), tomorrow (the renewals that fall due, the invoices due today now overdue),
 *   and two weeks on (a backlog: two weeks of renewals, every open invoice overdue, the dunning
 *   suspending and blocking), each followed by an idle re-run on the same day — the re-run finds
 *   nothing to do, and what it costs is the price of idempotency;
 *   billing_pay of a round sum to a random partner (allocated oldest first, credit for the
 *   rest), p50/p99 of the call and of its transaction with the commit;
 *   invoice_list pages (all partners: first and middle page, overdue; one partner) and
 *   billing_summary of a random partner, p50/p99;
 *   invoice numbering: a draft inserted and issued per transaction, committed (an fsync each),
 *   in issues per second;
 *   the database size and the process's peak RSS.
 *
 *     build/tests/bench/bench_billing [sizes…]	(default: 20 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"
#include "tests/bench/bench.h"

#define ITER 1000		/* timed calls per read */
#define PAYS 1000		/* timed payments */
#define ISSUES 300		/* timed numbered issues */
#define WARMUP 20
#define PAGE 10

static int64_t lat[ITER > PAYS ? ITER : PAYS], lat2[PAYS];
static struct invoice page[PAGE];
static uint64_t rng_state = 0x62696c6c696e67ull;	/* bench_rnd state: a fixed seed */

/* The clock at 06:00 local time of day (a day number): when the scheduler's first run comes. */
static void
set_day(int64_t day)
{
	struct tm tm;
	time_t noon = (time_t)(day * 86400 + 12 * 3600);
	int64_t t = day * 86400 + 6 * 3600;

	if (localtime_r(&noon, &tm) != NULL)
		t -= tm.tm_gmtoff;
	clock_set(t);
}

static int
count_invoices(struct db *db, int filter, int64_t today)
{
	int total = 0;

	return invoice_list(db, 0, filter, today, 0, 1, page, &total) == -1 ? -1 : total;
}

/* One job run, timed: its wall time in ms into *ms. */
static int
run_job(struct app *a, struct db *db, int renewal, double *ms)
{
	int64_t t0 = clock_mono_us();
	int r = renewal ? billing_renewal_job(a, db) : billing_dunning_job(a, db);

	*ms = (double)(clock_mono_us() - t0) / 1000;
	if (r < 0)
		fprintf(stderr, "bench_billing: the %s job failed\n", renewal ? "renewal" :
		    "dunning");
	return r < 0 ? -1 : 0;
}

/* Both jobs on day, then both again (idle): their times, with what the first run did. */
static int
time_jobs(struct app *a, struct db *db, int64_t day, const char *when)
{
	double ren, dun, ren2, dun2;
	int before, issued, overdue;
	char what[96];

	set_day(day);
	if ((before = count_invoices(db, INVF_ALL, day)) == -1 ||
	    run_job(a, db, 1, &ren) == -1 || (issued = count_invoices(db, INVF_ALL, day)) == -1 ||
	    run_job(a, db, 0, &dun) == -1 ||
	    (overdue = count_invoices(db, INVF_OVERDUE, day)) == -1 ||
	    run_job(a, db, 1, &ren2) == -1 || run_job(a, db, 0, &dun2) == -1)
		return -1;
	snprintf(what, sizeof(what), "billing_renewal_job, %s", when);
	printf("  %-46s %8.1f ms  (issued: %d)\n", what, ren, issued - before);
	printf("  %-46s %8.1f ms\n", "  idle re-run", ren2);
	snprintf(what, sizeof(what), "billing_dunning_job, %s", when);
	printf("  %-46s %8.1f ms  (overdue invoices: %d)\n", what, dun, overdue);
	printf("  %-46s %8.1f ms\n", "  idle re-run", dun2);
	return 0;
}

/* A round sum from a random partner, each in its own transaction. */
static int
time_pay(struct app *a, struct db *db, int64_t n, const int64_t *ids, int64_t today)
{
	struct billing_outcome out;
	struct payment pay;
	int64_t t0, t1;
	int i, r;

	for (i = -WARMUP; i < PAYS; i++) {
		memset(&pay, 0, sizeof(pay));
		pay.partner_id = ids[bench_rnd(&rng_state) % (uint64_t)n];
		pay.amount = 100000 * (1 + (int64_t)(bench_rnd(&rng_state) % 10));
		pay.received_on = today;
		str_copy(pay.source, sizeof(pay.source), "api");
		snprintf(pay.provider_id, sizeof(pay.provider_id), "bench-%d-%016llx", i,
		    (unsigned long long)bench_rnd(&rng_state));
		t0 = clock_mono_us();
		if (db_begin(db) == -1)
			return -1;
		t1 = clock_mono_us();
		r = billing_pay(a, db, &pay, 0, today, &out);
		if (i >= 0)
			lat[i] = clock_mono_us() - t1;
		if (r != 1) {
			db_rollback(db);
			fprintf(stderr, "bench_billing: billing_pay: %d\n", r);
			return -1;
		}
		if (db_commit(db) == -1)
			return -1;
		if (i >= 0)
			lat2[i] = clock_mono_us() - t0;
	}
	bench_report(lat, "billing_pay (a round sum, random partner)", PAYS, "us");
	bench_report(lat2, "  with BEGIN and COMMIT (fsync)", PAYS, "us");
	return 0;
}

/* invoice_list pages: partner 0 = all, middle: the middle page of the matches. */
static int
time_list(struct db *db, int64_t partner, int filter, int middle, int64_t today,
    const char *what)
{
	int64_t t0;
	int i, total = 0, offset = 0;

	if (invoice_list(db, partner, filter, today, 0, 1, page, &total) == -1)
		return -1;
	if (middle)
		offset = total / 2 / PAGE * PAGE;
	for (i = -WARMUP; i < ITER; i++) {
		t0 = clock_mono_us();
		if (invoice_list(db, partner, filter, today, offset, PAGE, page, &total) == -1)
			return -1;
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
	}
	bench_report(lat, what, ITER, "us");
	return 0;
}

static int
time_summary(struct db *db, int64_t n, const int64_t *ids, int64_t today)
{
	struct billing_summary b;
	struct partner p;
	int64_t t0;
	int i;

	for (i = -WARMUP; i < ITER; i++) {
		if (partner_get(db, ids[bench_rnd(&rng_state) % (uint64_t)n], &p) != 1)
			return -1;
		t0 = clock_mono_us();
		if (billing_summary(db, &p, today, &b) == -1)
			return -1;
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
	}
	bench_report(lat, "billing_summary (the card's, random partner)", ITER, "us");
	return 0;
}

/* Numbered issues, each a transaction of its own: a manual draft inserted and issued. */
static int
time_numbering(struct db *db, int64_t n, const int64_t *ids, int64_t today)
{
	struct invoice_line line;
	struct invoice inv;
	int64_t t0, tall = clock_mono_us();
	int i;

	memset(&line, 0, sizeof(line));
	str_copy(line.kind, sizeof(line.kind), "manual");
	str_copy(line.description, sizeof(line.description), "Настройка интеграции");
	line.quantity = 1;
	line.unit_price = line.amount = 500000;
	for (i = 0; i < ISSUES; i++) {
		memset(&inv, 0, sizeof(inv));
		inv.partner_id = ids[bench_rnd(&rng_state) % (uint64_t)n];
		inv.kind = INV_KIND_MANUAL;
		inv.created_at = inv.updated_at = clock_now();
		t0 = clock_mono_us();
		if (db_begin(db) == -1)
			return -1;
		if (invoice_insert(db, &inv, &line, 1) != 1 ||
		    invoice_issue(db, &inv, today, today + 10) == -1) {
			db_rollback(db);
			return -1;
		}
		if (db_commit(db) == -1)
			return -1;
		lat[i] = clock_mono_us() - t0;
	}
	tall = clock_mono_us() - tall;
	bench_report(lat, "invoice_insert + invoice_issue + commit", ISSUES, "us");
	printf("  %-46s %.0f issues/s (fsync each; last %s)\n", "  numbering throughput",
	    (double)ISSUES * 1e6 / (double)tall, inv.number);
	return 0;
}

/* The partners' ids, ascending (demo_seed adds them to an empty database: 1..n). */
static int64_t *
load_ids(struct db *db, int64_t n)
{
	int64_t *ids = calloc((size_t)n, sizeof(*ids)), k;
	struct partner p;

	for (k = 0; ids != NULL && k < n; k++) {
		if (partner_get(db, k + 1, &p) != 1) {
			fprintf(stderr, "bench_billing: partner %lld missing\n", (long long)k + 1);
			free(ids);
			return NULL;
		}
		ids[k] = p.id;
	}
	return ids;
}

static int
bench_size(const char *dir, int64_t n)
{
	char path[512], errbuf[256];
	struct rusage ru;
	struct app a;
	struct db *db = NULL;
	int64_t *ids = NULL, today;
	int rc = -1, all, open, overdue;

	snprintf(path, sizeof(path), "%s/bench-billing-%lld.db", dir, (long long)n);
	printf("-- %lld partners\n", (long long)n);
	app_init(&a);
	if (bench_seed(path, n, "demo_seed (partners, 2 years of billing)") == -1)
		goto out;
	if ((db = db_open(path, errbuf, sizeof(errbuf))) == NULL) {
		fprintf(stderr, "bench_billing: %s\n", errbuf);
		goto out;
	}
	if ((ids = load_ids(db, n)) == NULL)
		goto out;
	today = clock_local_day(clock_now());
	if ((all = count_invoices(db, INVF_ALL, today)) == -1 ||
	    (open = count_invoices(db, INVF_OPEN, today)) == -1 ||
	    (overdue = count_invoices(db, INVF_OVERDUE, today)) == -1)
		goto out;
	printf("  %-46s %d (%.1f a partner), %d open, %d overdue\n", "invoices", all,
	    (double)all / (double)n, open, overdue);
	if (time_jobs(&a, db, today, "today (after the demo's)") == -1 ||
	    time_jobs(&a, db, today + 1, "tomorrow") == -1 ||
	    time_jobs(&a, db, today + 15, "two weeks on") == -1)
		goto out;
	today += 15;
	if (time_pay(&a, db, n, ids, today) == -1 ||
	    time_list(db, 0, INVF_ALL, 0, today, "invoice_list: all, first page") == -1 ||
	    time_list(db, 0, INVF_ALL, 1, today, "invoice_list: all, middle page") == -1 ||
	    time_list(db, 0, INVF_OVERDUE, 0, today, "invoice_list: overdue, first page") == -1 ||
	    time_list(db, ids[n / 2], INVF_ALL, 0, today, "invoice_list: one partner") == -1 ||
	    time_summary(db, n, ids, today) == -1 ||
	    time_numbering(db, n, ids, today) == -1)
		goto out;
	getrusage(RUSAGE_SELF, &ru);
	printf("  %-46s %.1f MB\n", "database size", (double)db_size_bytes(db) / (1 << 20));
	printf("  %-46s %.1f MB\n", "peak RSS (process so far)", (double)ru.ru_maxrss / 1024);
	rc = 0;
out:
	if (rc == -1)
		fprintf(stderr, "bench_billing: failed at %lld partners\n", (long long)n);
	clock_set(0);
	free(ids);
	db_close(db);
	app_destroy(&a);
	bench_remove_db(path);
	return rc;
}

int
main(int argc, char **argv)
{
	log_init(-1);
	printf("bench_billing: job runs in ms; p50/p99 in microseconds over %d calls, warm cache\n",
	    ITER);
	return bench_sizes(argc, argv, "bench_billing", bench_size);
}
