/* billing_jobs.t — the days the dunning alert announces ("приостановка 12.03; блокировка
 * 19.03") are the days the hourly job, walking billing_dunning_due day by day, really takes each
 * step: max(D + offset, the hold's end, the paid-through date for suspension and block). The
 * ladder's single days are tested with the rest of the domain in tests/unit/billing.c. */
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
	test_step_days();
	return done_testing();
}
