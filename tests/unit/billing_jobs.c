/* billing_jobs.t — the dunning ladder as the hourly job walks it (billing_dunning_due): each step
 * on its day from the due date, never below the step reached, frozen during a hold, never a
 * suspension or block before the paid-through date; and the day each step first falls on is
 * max(D + offset, hold end, paid-through for suspension and block) — what the dunning alert
 * announces ("приостановка 12.03; блокировка 19.03"). */
#include "handlers/handlers.h"
#include "tests/tap.h"

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

static void
test_ladder(void)
{
	const int64_t D = 20000;

	is_int(billing_dunning_due(&terms, D, 0, 0, D - 5, DUN_NONE), DUN_NONE, "before the due date");
	is_int(billing_dunning_due(&terms, D, 0, 0, D, DUN_NONE), DUN_NONE, "on D: nothing");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 1, DUN_NONE), DUN_OVERDUE, "D+1: overdue");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 6, DUN_OVERDUE), DUN_OVERDUE, "D+6: overdue");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 7, DUN_OVERDUE), DUN_SUSPENDED,
	    "D+grace: suspended");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 13, DUN_SUSPENDED), DUN_SUSPENDED,
	    "D+13: suspended");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 14, DUN_SUSPENDED), DUN_BLOCKED,
	    "D+block: blocked");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 400, DUN_BLOCKED), DUN_BLOCKED,
	    "blocked stays blocked");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 20, DUN_NONE), DUN_BLOCKED,
	    "after an outage the step jumps to where the calendar is (the job walks each)");
	is_int(billing_dunning_due(&terms, D, 0, 0, D + 3, DUN_SUSPENDED), DUN_SUSPENDED,
	    "never below the step reached");
}

static void
test_hold_and_paid(void)
{
	const int64_t D = 20000;

	is_int(billing_dunning_due(&terms, D, D + 10, 0, D + 8, DUN_OVERDUE), DUN_OVERDUE,
	    "a hold freezes the step (no suspension on D+8)");
	is_int(billing_dunning_due(&terms, D, D + 10, 0, D + 9, DUN_NONE), DUN_NONE,
	    "a hold freezes even the first step");
	is_int(billing_dunning_due(&terms, D, D + 10, 0, D + 10, DUN_OVERDUE), DUN_SUSPENDED,
	    "the hold's end day: the step the calendar is at");
	is_int(billing_dunning_due(&terms, D, 0, D + 20, D + 1, DUN_NONE), DUN_OVERDUE,
	    "paid through later: still overdue on D+1");
	is_int(billing_dunning_due(&terms, D, 0, D + 20, D + 14, DUN_OVERDUE), DUN_OVERDUE,
	    "paid through D+20: no suspension or block on D+14");
	is_int(billing_dunning_due(&terms, D, 0, D + 20, D + 19, DUN_OVERDUE), DUN_OVERDUE,
	    "nor on D+19 (the paid-through date is exclusive)");
	is_int(billing_dunning_due(&terms, D, 0, D + 20, D + 20, DUN_OVERDUE), DUN_BLOCKED,
	    "on the paid-through date both steps are due");
	is_int(billing_dunning_due(&terms, D, 0, D + 3, D + 7, DUN_OVERDUE), DUN_SUSPENDED,
	    "a paid-through date already past changes nothing");
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

int
main(void)
{
	test_ladder();
	test_hold_and_paid();
	test_step_days();
	return done_testing();
}
