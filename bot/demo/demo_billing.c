/*
 * demo_billing.c — two years of billing for the demo partners: plans (one of them old, with a
 * second price version, then archived), subscriptions with trials, upgrades and downgrades,
 * cancellations and returns, invoices, payments on time and late, credit, a refund, and a few
 * partners in the dunning today.
 *
 * Nothing is written by hand. The clock walks day by day from DEMO_DAYS ago to today; each day
 * the scheduler's jobs run first (billing_renewal_job, billing_dunning_job: renewals, trial
 * ends, the dunning ladder), then what partners and billing staff did that day, through the
 * rules in handlers/billing/billing_rules.c (billing_subscribe, billing_pay, billing_change_apply,
 * billing_cancel, billing_void, billing_issue_next). So every figure is one the rules produce.
 *
 * Each partner follows a story (demo_billing_story.c): a few dated events planned up front. Payments
 * are planned as invoices appear: at the end of each day the open invoices issued since the
 * last look get a payment day from the partner's habits, or none when the partner has stopped
 * paying. Events sit in per-day lists, so the walk costs what happens, plus the jobs' own look
 * at each day.
 *
 * The jobs and rules get an app of their own (app_init: the default [billing] days, no chats),
 * so the dunning and trial alerts of the history are stored, never posted; the ones still open
 * today are there for /alerts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/demo/demo.h"

#define DEMO_PAGE	64	/* invoices read per page */
#define DEMO_ROWS	256	/* a partner's invoices, payments or acts the report reads */

/* The clock at secs after local midnight of day, never past the real time. */
static void
demo_clock(const struct demo_sim *sim, int64_t day, int64_t secs)
{
	struct tm tm;
	time_t noon = (time_t)(day * DAY + 12 * 3600);
	int64_t t = day * DAY + secs;

	if (localtime_r(&noon, &tm) != NULL)
		t -= tm.tm_gmtoff;
	clock_set(t < sim->now ? t : sim->now);
}

int
demo_at(struct demo_sim *sim, int64_t day, int32_t k, int kind, int a, int64_t b)
{
	struct demo_event *e;
	int64_t d;
	int32_t i;

	if (day < sim->day)
		day = sim->day;
	if (day > sim->today)
		return 0;
	if (sim->nev == sim->cap) {
		int32_t cap = sim->cap > 0 ? sim->cap * 2 : 4096;

		if ((e = realloc(sim->ev, (size_t)cap * sizeof(*e))) == NULL)
			return -1;
		sim->ev = e;
		sim->cap = cap;
	}
	i = sim->nev++;
	e = &sim->ev[i];
	e->next = -1;
	e->acct = k;
	e->kind = kind;
	e->a = a;
	e->b = b;
	d = day - sim->first;
	if (sim->tail[d] == -1)
		sim->head[d] = i;
	else
		sim->ev[sim->tail[d]].next = i;
	sim->tail[d] = i;
	return 0;
}

/* The index of partner id, -1 when it is not one of ours. */
static int32_t
demo_acct_of(const struct demo_sim *sim, int64_t id)
{
	int64_t lo = 0, hi = sim->n - 1, mid;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (sim->ids[mid] == id)
			return (int32_t)mid;
		if (sim->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The invoices made since the last look (all invoices, newest first: down to the last one
 * seen); the open ones get their payment days. */
static int
demo_scan(struct demo_sim *sim)
{
	const struct invoice *inv;
	int64_t top = sim->seen;
	int n, i, total, off = 0;
	int32_t k;

	do {
		if ((n = invoice_list(sim->db, 0, INVF_ALL, sim->day, off, DEMO_PAGE, sim->page,
		    &total)) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			inv = &sim->page[i];
			if (inv->id <= sim->seen)
				goto done;
			if (inv->id > top)
				top = inv->id;
			k = demo_acct_of(sim, inv->partner_id);
			if (inv->status == INV_OPEN && k >= 0 && demo_on_invoice(sim, k, inv) == -1)
				return -1;
		}
		off += n;
	} while (n == DEMO_PAGE);
done:
	sim->seen = top;
	return 0;
}

/* One day: the jobs, then the day's events in order, then the new invoices. 0/-1. */
static int
demo_walk_day(struct demo_sim *sim)
{
	struct demo_event e;
	int32_t i;
	int n = 0;

	demo_clock(sim, sim->day, 6 * 3600);
	if (billing_renewal_job(&sim->app, sim->db) < 0 ||
	    billing_dunning_job(&sim->app, sim->db) < 0) {
		log_error("demo: the billing jobs failed on day %lld", (long long)sim->day);
		return -1;
	}
	if (db_begin(sim->db) == -1)
		return -1;
	for (i = sim->head[sim->day - sim->first]; i != -1; i = sim->ev[i].next) {
		e = sim->ev[i];		/* a copy: the list may grow meanwhile */
		demo_clock(sim, sim->day, 10 * 3600 + 20 * n++);
		if (demo_do(sim, &e) == -1) {
			log_error("demo: billing event %d of partner %lld on day %lld: %s", e.kind,
			    (long long)(e.acct >= 0 ? sim->acct[e.acct].id : 0),
			    (long long)sim->day, db_errmsg(sim->db));
			goto fail;
		}
	}
	if (demo_scan(sim) == -1)
		goto fail;
	return db_commit(sim->db);
fail:
	db_rollback(sim->db);
	return -1;
}

int
demo_billing(struct db *db, const int64_t *ids, int64_t n)
{
	struct demo_sim *sim;
	int64_t d;
	int32_t k;
	int rc = -1, verbose;

	if (n <= 0)
		return 0;
	/* events are indexed by int32_t: a few dozen a partner */
	if (n > INT32_MAX / 1024 || (sim = calloc(1, sizeof(*sim))) == NULL)
		return -1;
	app_init(&sim->app);
	billing_terms_of(&sim->app.cfg, &sim->terms);
	sim->db = db;
	sim->ids = ids;
	sim->n = n;
	sim->now = clock_now();
	sim->today = clock_local_day(sim->now);
	sim->first = sim->day = sim->today - DEMO_DAYS;
	sim->acct = calloc((size_t)n, sizeof(*sim->acct));
	sim->head = malloc((DEMO_DAYS + 1) * sizeof(*sim->head));
	sim->tail = malloc((DEMO_DAYS + 1) * sizeof(*sim->tail));
	sim->page = calloc(DEMO_PAGE, sizeof(*sim->page));
	if (sim->acct == NULL || sim->head == NULL || sim->tail == NULL || sim->page == NULL)
		goto out;
	for (d = 0; d <= DEMO_DAYS; d++)
		sim->head[d] = sim->tail[d] = -1;

	demo_clock(sim, sim->first, 9 * 3600);
	if (db_begin(db) == -1)
		goto out;
	if (demo_plans(sim) == -1)
		goto fail;
	for (k = 0; k < n; k++)
		if (demo_plan_story(sim, k) == -1)
			goto fail;
	if (db_commit(db) == -1)
		goto out;
	/* two years of alerts opened and resolved (stored only: no chats) are no news */
	verbose = log_verbosity();
	log_init(verbose < 0 ? verbose : -1);
	for (sim->day = sim->first; sim->day <= sim->today; sim->day++)
		if (demo_walk_day(sim) == -1)
			break;
	log_init(verbose);
	rc = sim->day > sim->today ? 0 : -1;
	goto out;
fail:
	log_error("demo: billing plans: %s", db_errmsg(db));
	db_rollback(db);
out:
	clock_set(0);
	app_destroy(&sim->app);
	free(sim->acct);
	free(sim->head);
	free(sim->tail);
	free(sim->page);
	free(sim->ev);
	free(sim);
	return rc;
}

/* The report ---------------------------------------------------------------------------------- */

struct demo_tally {
	int64_t	 plans_archived;
	int64_t	 subs, live[SUB_STATUS_COUNT];
	int64_t	 invoices[INV_STATUS_COUNT], invoiced, overdue_inv;
	int64_t	 payments, received, credit_notes, refunds, refunded;
	int64_t	 acts, credit, with_credit;
	int64_t	 overdue;		/* partners */
};

/* Partner id's share of the tally; its oldest overdue due day in *late_since (0 none). */
static int
demo_tally_partner(struct db *db, int64_t id, int64_t today, struct demo_tally *t,
    struct invoice *inv, struct payment *pay, struct act *acts, int64_t *late_since)
{
	struct subscription subs[16];
	int n, i, total;
	int64_t credit;

	*late_since = 0;
	if ((n = sub_history(db, id, subs, 16)) == -1)
		return -1;
	t->subs += n;
	for (i = 0; i < n; i++)
		if (subs[i].status != SUB_CANCELED)
			t->live[subs[i].status]++;
	if ((n = invoice_list(db, id, INVF_ALL, today, 0, DEMO_ROWS, inv, &total)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		t->invoices[inv[i].status]++;
		if (inv[i].status != INV_VOID && inv[i].status != INV_DRAFT)
			t->invoiced += inv[i].amount;
		if (inv[i].status == INV_OPEN && inv[i].due_on < today) {
			t->overdue_inv++;
			if (*late_since == 0 || inv[i].due_on < *late_since)
				*late_since = inv[i].due_on;
		}
	}
	if ((n = payment_list(db, id, pay, DEMO_ROWS)) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (pay[i].amount < 0) {
			t->refunds++;
			t->refunded -= pay[i].amount;
		} else if (strcmp(pay[i].source, "credit_note") == 0)
			t->credit_notes++;
		else {
			t->payments++;
			t->received += pay[i].amount;
		}
	if ((n = act_list(db, id, acts, DEMO_ROWS)) == -1 || billing_credit(db, id, &credit) == -1)
		return -1;
	t->acts += n;
	t->credit += credit;
	t->with_credit += credit > 0;
	t->overdue += *late_since != 0;
	return 0;
}

#define DEMO_NAMED 5	/* overdue partners the report names */

void
demo_billing_report(struct db *db, const int64_t *ids, int64_t n, FILE *f)
{
	struct plan plans[16];
	struct demo_tally t;
	struct invoice *inv = calloc(DEMO_ROWS, sizeof(*inv));
	struct payment *pay = calloc(DEMO_ROWS, sizeof(*pay));
	struct act *acts = calloc(DEMO_ROWS, sizeof(*acts));
	struct partner p;
	char m1[MONEY_TEXT_MAX], m2[MONEY_TEXT_MAX], m3[MONEY_TEXT_MAX];
	int64_t k, today = clock_local_day(clock_now()), since, named[DEMO_NAMED], late[DEMO_NAMED];
	int np, i, nn = 0;

	memset(&t, 0, sizeof(t));
	if (inv == NULL || pay == NULL || acts == NULL || (np = plan_list(db, plans, 16)) == -1)
		goto out;
	for (i = 0; i < np; i++)
		t.plans_archived += plans[i].archived != 0;
	for (k = 0; k < n; k++) {
		if (demo_tally_partner(db, ids[k], today, &t, inv, pay, acts, &since) == -1)
			goto out;
		if (since != 0 && nn < DEMO_NAMED) {
			named[nn] = ids[k];
			late[nn++] = today - since;
		}
	}
	money_format(t.invoiced, m1, sizeof(m1));
	fprintf(f, "billing: plans %d (archived %lld); subscriptions %lld, live %lld "
	    "(trialing %lld, active %lld, past due %lld)\n", np, (long long)t.plans_archived,
	    (long long)t.subs,
	    (long long)(t.live[SUB_TRIALING] + t.live[SUB_ACTIVE] + t.live[SUB_PAST_DUE]),
	    (long long)t.live[SUB_TRIALING], (long long)t.live[SUB_ACTIVE],
	    (long long)t.live[SUB_PAST_DUE]);
	fprintf(f, "  invoices: paid %lld, open %lld (overdue %lld), void %lld; invoiced %s\n",
	    (long long)t.invoices[INV_PAID], (long long)t.invoices[INV_OPEN],
	    (long long)t.overdue_inv, (long long)t.invoices[INV_VOID], m1);
	money_format(t.received, m1, sizeof(m1));
	money_format(t.refunded, m2, sizeof(m2));
	money_format(t.credit, m3, sizeof(m3));
	fprintf(f, "  payments %lld, %s; credit notes %lld; refunds %lld, %s; credit held %s "
	    "(partners %lld)\n", (long long)t.payments, m1, (long long)t.credit_notes,
	    (long long)t.refunds, m2, m3, (long long)t.with_credit);
	fprintf(f, "  acts %lld\n", (long long)t.acts);
	fprintf(f, "  partners overdue now %lld", (long long)t.overdue);
	for (i = 0; i < nn; i++)
		if (partner_get(db, named[i], &p) == 1)
			fprintf(f, "%s %s (%lld d, %s)", i ? "," : ":", p.name, (long long)late[i],
			    partner_status_name(p.status));
	fprintf(f, "%s\n", t.overdue > nn ? ", …" : "");
out:
	free(inv);
	free(pay);
	free(acts);
}

