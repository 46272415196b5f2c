/* billing_jobs.t — the days the dunning alert announces ("приостановка 12.03; блокировка 19.03")
 * are the days the hourly job, walking billing_dunning_due day by day, really takes each step:
 * max(D + offset, the hold's end, the paid-through date for suspension and block). The ladder's
 * single days are tested with the rest of the domain in tests/unit/billing_rules.c. And the renewal
 * job's roll into a period paid ahead: the plan it was invoiced with applies, a plan change waits
 * for the first period priced with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "tests/tap.h"
#include "tests/testdb.h"

static const struct billing_terms terms = { 10, 7, 3, 7, 14 };

/* The first day from `from` on which the job, run once a day from a step of `current`, reaches
 * at least `step`; 0 when not within a year. */
static int64_t
first_day(int64_t due, int64_t hold, int64_t paid, int64_t from, int current, int step)
{
	int64_t d;
	int cur = current;

	for (d = from; d < from + 366; d++) {
		cur = billing_dunning_due(&terms, due, hold, paid, d, cur);
		if (cur >= step)
			return d;
	}
	return 0;
}

/* The days the alert announces: the first day of each step, over a grid of holds and
 * paid-through dates, equals max(D + offset, hold, paid-through for the later steps). */
static void
test_step_days(void)
{
	const int64_t D = 20000;
	static const int64_t holds[] = { 0, D - 3, D + 2, D + 9, D + 16 };
	static const int64_t paids[] = { 0, D - 40, D + 4, D + 10, D + 30 };
	int64_t want, got, off[4] = { 0, 1, 7, 14 };
	int h, p, s, bad = 0;
	char name[128];

	for (h = 0; h < 5; h++)
		for (p = 0; p < 5; p++)
			for (s = DUN_OVERDUE; s <= DUN_BLOCKED; s++) {
				want = D + off[s];
				if (holds[h] > want)
					want = holds[h];
				if (s >= DUN_SUSPENDED && paids[p] > want)
					want = paids[p];
				got = first_day(D, holds[h], paids[p], D - 2, DUN_NONE, s);
				if (got != want) {
					snprintf(name, sizeof(name), "hold D%+lld paid D%+lld step %d",
					    (long long)(holds[h] - D), (long long)(paids[p] - D), s);
					is_int(got - D, want - D, name);
					bad++;
				}
			}
	ok(bad == 0, "every step's first day is max(D + offset, hold, paid-through) (75 cases)");
}

static int64_t
add_plan(struct db *db, const char *code, int64_t base)
{
	struct plan p;

	memset(&p, 0, sizeof(p));
	str_copy(p.code, sizeof(p.code), code);
	str_copy(p.name, sizeof(p.name), code);
	p.base = base;
	p.created_at = 1;
	return plan_insert(db, &p) == 1 ? p.id : -1;
}

/* Run the renewal job at noon UTC of day. */
static int
renew_on(struct app *a, struct db *db, int64_t day)
{
	clock_set(day * 86400 + 12 * 3600);
	return billing_renewal_job(a, db);
}

static void
test_roll_prepaid(struct app *a, struct db *db)
{
	struct subscription s;
	struct invoice inv, next;
	struct billing_outcome o;
	struct billing_terms t;
	struct payment pay;
	struct plan start, pro;
	struct partner p;
	int64_t dup = 0, today = clock_days_from_civil(2026, 3, 1);

	billing_terms_of(&a->cfg, &t);
	memset(&p, 0, sizeof(p));
	str_copy(p.name, sizeof(p.name), "Заранее");
	p.branches = p.users = 1;
	ok(partner_insert(db, &p, 1, &dup) == 1 && add_plan(db, "start", 100000) > 0 &&
	    add_plan(db, "pro", 300000) > 0, "a partner and two plans");
	plan_current(db, "start", &start);
	plan_current(db, "pro", &pro);
	clock_set(today * 86400 + 12 * 3600);
	db_begin(db);
	billing_subscribe(a, db, &t, &p, &start, 0, today, 42, &s, &inv);
	/* March and April paid now, at the start price */
	billing_issue_next(a, db, &t, &s, 1, today, 42, &next);
	memset(&pay, 0, sizeof(pay));
	pay.partner_id = p.id;
	pay.amount = inv.amount + next.amount;
	pay.received_on = today;
	str_copy(pay.source, sizeof(pay.source), "manual");
	billing_pay(a, db, &pay, 0, today, &o);
	/* then a change to pro at the period end */
	billing_change_apply(a, db, &t, &s, &pro, &p, 0, today + 5, 42, &inv);
	db_commit(db);
	is_int(s.next_plan_id, pro.id, "the change waits");

	ok(renew_on(a, db, clock_days_from_civil(2026, 4, 1)) == 0, "the job rolls into April");
	sub_live(db, p.id, &s);
	is_int(s.period_start, clock_days_from_civil(2026, 4, 1), "April is the current period");
	is_int(s.plan_id, start.id, "paid ahead at the start price: April stays on start");
	is_int(s.next_plan_id, pro.id, "the change still waits");
	ok(renew_on(a, db, clock_days_from_civil(2026, 4, 24)) == 0, "the renewal of May");
	ok(invoice_for_period(db, s.id, clock_days_from_civil(2026, 5, 1), &inv) == 1 &&
	    inv.plan_id == pro.id && inv.amount == 300000, "May is invoiced at the pro price");
	ok(renew_on(a, db, clock_days_from_civil(2026, 5, 1)) == 0, "the job rolls into May");
	sub_live(db, p.id, &s);
	is_int(s.plan_id, pro.id, "May on pro");
	is_int(s.next_plan_id, 0, "the change has applied");
}

int
main(void)
{
	struct app a;
	struct db *db;
	char err[256] = "";

	test_step_days();

	setenv("TZ", "UTC", 1);
	tzset();
	log_init(-1);
	if (testdb_setup("billing-jobs", "jobs.db") == -1)
		return 1;
	if (testdb_audit_key(testdb_path) == -1 ||
	    (db = db_open(testdb_path, err, sizeof(err))) == NULL) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	app_init(&a);
	test_roll_prepaid(&a, db);
	app_destroy(&a);
	db_close(db);
	clock_set(0);
	testdb_cleanup();
	return done_testing();
}
