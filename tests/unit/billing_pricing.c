/* pricing.t — plan prices of every shape, MRR of yearly plans, exact proration, the plan change
 * preview, and the anchored month/year calendar. */
#include "handlers/handlers.h"
#include "tests/tap.h"

#define RUB(r) ((int64_t)(r) * 100)

static int64_t
day(int64_t y, int m, int d)
{
	return clock_days_from_civil(y, m, d);
}

static void
day_is(int64_t got, int64_t y, int m, int d, const char *name)
{
	int64_t gy;
	int gm, gd;

	pricing_civil_from_days(got, &gy, &gm, &gd);
	if (!is_int(got, day(y, m, d), name))
		printf("#   got %04" PRId64 "-%02d-%02d\n", gy, gm, gd);
}

static void
test_amount(void)
{
	struct plan_price fixed = { RUB(3000), 0, 0, 0, 0, 0 };
	struct plan_price branch = { 0, RUB(500), 0, 0, 0, 0 };
	struct plan_price user = { 0, 0, RUB(150), 0, 0, 0 };
	struct plan_price mixed = { RUB(2000), RUB(700), RUB(90), 2, 5, 0 };
	struct plan_price big = { INT64_MAX, 1, 0, 0, 0, 0 };
	struct plan_price huge = { 0, INT64_MAX / 2 + 1, 0, 0, 0, 0 };

	is_int(pricing_period_amount(&fixed, 0, 0), RUB(3000), "fixed: no branches");
	is_int(pricing_period_amount(&fixed, 40, 900), RUB(3000), "fixed: size does not matter");
	is_int(pricing_period_amount(&branch, 0, 10), 0, "per-branch: none");
	is_int(pricing_period_amount(&branch, 3, 10), RUB(1500), "per-branch: 3 × 500");
	is_int(pricing_period_amount(&user, 7, 0), 0, "per-user: none");
	is_int(pricing_period_amount(&user, 7, 11), RUB(1650), "per-user: 11 × 150");
	is_int(pricing_period_amount(&mixed, 2, 5), RUB(2000), "mixed: all included");
	is_int(pricing_period_amount(&mixed, 1, 3), RUB(2000), "mixed: below included is not a discount");
	is_int(pricing_period_amount(&mixed, 3, 5), RUB(2700), "mixed: one branch above included");
	is_int(pricing_period_amount(&mixed, 2, 6), RUB(2090), "mixed: one user above included");
	is_int(pricing_period_amount(&mixed, 5, 12), RUB(2000 + 3 * 700 + 7 * 90),
	    "mixed: branches and users above included");
	is_int(pricing_period_amount(&big, 0, 0), INT64_MAX, "the largest sum fits");
	is_int(pricing_period_amount(&big, 1, 0), -1, "overflow on the addition: -1");
	is_int(pricing_period_amount(&huge, 2, 0), -1, "overflow on the multiplication: -1");
	is_int(pricing_period_amount(&huge, 1, 0), INT64_MAX / 2 + 1, "just below overflow");
	is_int(pricing_period_amount(&mixed, -1, 0), -1, "negative branches: -1");
	is_int(pricing_period_amount(NULL, 1, 1), -1, "no plan: -1");
}

static void
test_mrr(void)
{
	struct plan_price y12 = { RUB(12000), 0, 0, 0, 0, 1 };
	struct plan_price y10 = { RUB(10000), 0, 0, 0, 0, 1 };
	struct plan_price m10 = { RUB(10000), 0, 0, 0, 0, 0 };
	struct plan_price half = { 6, 0, 0, 0, 0, 1 };
	struct plan_price below = { 5, 0, 0, 0, 0, 1 };
	struct plan_price yu = { RUB(12000), 0, RUB(1200), 0, 10, 1 };
	struct plan_price over = { INT64_MAX, 1, 0, 0, 0, 1 };

	is_int(pricing_mrr(&y12, 0, 0), RUB(1000), "MRR: 12 000,00/yr → 1 000,00");
	is_int(pricing_mrr(&y10, 0, 0), 83333, "MRR: 10 000,00/yr → 833,33");
	is_int(pricing_mrr(&m10, 0, 0), RUB(10000), "MRR: a monthly plan is its own amount");
	is_int(pricing_mrr(&half, 0, 0), 1, "MRR: 0,06/yr = 0,005 rounds half up to 0,01");
	is_int(pricing_mrr(&below, 0, 0), 0, "MRR: 0,05/yr rounds down to 0,00");
	is_int(pricing_mrr(&yu, 0, 12), RUB(1200), "MRR: yearly with users above included");
	is_int(pricing_mrr(&over, 1, 0), -1, "MRR: overflow is -1");
}

static void
test_prorate(void)
{
	struct plan_price m1000 = { RUB(1000), 0, 0, 0, 0, 0 };
	struct plan_price m3000 = { RUB(3000), 0, 0, 0, 0, 0 };
	struct plan_price y12 = { RUB(12000), 0, 0, 0, 0, 1 };
	struct plan_price pb = { RUB(1000), RUB(300), 0, 1, 0, 0 };

	is_int(pricing_prorate(RUB(1000), 10, 30), 33333, "1000,00 × 10/30 = 333,33");
	is_int(pricing_prorate(RUB(1000), 20, 30), 66667, "1000,00 × 20/30 = 666,67 (up)");
	is_int(pricing_prorate(1, 1, 2), 1, "0,01 × 1/2 = 0,005 → 0,01 (half up)");
	is_int(pricing_prorate(3, 1, 2), 2, "0,03 × 1/2 = 0,015 → 0,02 (half up)");
	is_int(pricing_prorate(1, 1, 3), 0, "0,01 × 1/3 → 0,00");
	is_int(pricing_prorate(2, 1, 3), 1, "0,02 × 1/3 = 0,0067 → 0,01");
	is_int(pricing_prorate(RUB(1000), 0, 30), 0, "no days left: nothing");
	is_int(pricing_prorate(RUB(1000), 30, 30), RUB(1000), "the whole period: the whole amount");
	is_int(pricing_prorate(INT64_MAX, 365, 366), INT64_C(9198171566808724507),
	    "INT64_MAX × 365/366 exactly (no 64-bit overflow, no float)");
	is_int(pricing_prorate(INT64_MAX, 1, 2), INT64_C(4611686018427387904),
	    "INT64_MAX / 2 rounds half up");
	is_int(pricing_prorate(INT64_MAX, 366, 366), INT64_MAX, "INT64_MAX × 1");
	is_int(pricing_prorate(RUB(1000), 31, 30), -1, "more days left than in the period: -1");
	is_int(pricing_prorate(RUB(1000), -1, 30), -1, "negative days left: -1");
	is_int(pricing_prorate(RUB(1000), 0, 0), -1, "empty period: -1");
	is_int(pricing_prorate(-5, 1, 2), -1, "negative amount: -1");

	is_int(pricing_change_preview(&m1000, &m3000, 0, 0, 10, 30), 100000 - 33333,
	    "upgrade: 3000 × 10/30 − 1000 × 10/30 = 1000,00 − 333,33");
	is_int(pricing_change_preview(&m3000, &m1000, 0, 0, 10, 30), 33333 - 100000,
	    "downgrade: a credit (negative)");
	is_int(pricing_change_preview(&m1000, &m1000, 0, 0, 17, 31), 0, "same plan: nothing");
	is_int(pricing_change_preview(&m1000, &pb, 3, 0, 15, 30), RUB(300),
	    "same base, two more branches × 300 for half a period = 300,00");
	is_int(pricing_change_preview(&m1000, &y12, 0, 0, 10, 30), RUB(12000) - 33333,
	    "month → year: the full year minus the unused month");
	is_int(pricing_change_preview(&m1000, &m3000, 0, 0, 40, 30), PRICING_ERROR,
	    "bad days: PRICING_ERROR");
}

static void
test_calendar(void)
{
	int64_t y;
	int m, d, bad = 0;
	int64_t t;

	pricing_civil_from_days(0, &y, &m, &d);
	ok(y == 1970 && m == 1 && d == 1, "day 0 is 1970-01-01");
	for (t = day(1899, 12, 25); t < day(2101, 1, 5); t++) {
		pricing_civil_from_days(t, &y, &m, &d);
		if (day(y, m, d) != t || d < 1 || d > pricing_days_in_month(y, m))
			bad++;
	}
	is_int(bad, 0, "civil_from_days inverts clock_days_from_civil 1900..2100");
	is_int(pricing_days_in_month(2024, 2), 29, "Feb 2024: 29 days");
	is_int(pricing_days_in_month(2100, 2), 28, "Feb 2100: 28 days (century)");
	is_int(pricing_days_in_month(2000, 2), 29, "Feb 2000: 29 days (400 years)");

	day_is(pricing_period_end(day(2025, 1, 31), 0), 2025, 2, 28, "Jan 31 2025 + 1 month = Feb 28");
	day_is(pricing_period_end(day(2024, 1, 31), 0), 2024, 2, 29, "Jan 31 2024 + 1 month = Feb 29");
	day_is(pricing_period_end(day(2025, 3, 15), 0), 2025, 4, 15, "Mar 15 + 1 month = Apr 15");
	day_is(pricing_period_end(day(2025, 12, 10), 0), 2026, 1, 10, "over the year end");
	day_is(pricing_add_months(day(2025, 2, 28), 1, 31), 2025, 3, 31,
	    "anchored to the 31st: Feb 28 + 1 month = Mar 31");
	day_is(pricing_add_months(day(2025, 3, 31), 1, 31), 2025, 4, 30, "then Apr 30");
	day_is(pricing_add_months(day(2025, 1, 31), 2, 31), 2025, 3, 31, "Jan 31 + 2 months = Mar 31");
	day_is(pricing_add_months(day(2025, 2, 28), 1, 0), 2025, 3, 28,
	    "without an anchor the day itself is kept");
	day_is(pricing_add_months(day(2025, 1, 15), -1, 0), 2024, 12, 15, "minus one month");
	day_is(pricing_add_months(day(2025, 3, 31), -1, 0), 2025, 2, 28, "minus one month clamps");
	day_is(pricing_period_end(day(2024, 2, 29), 1), 2025, 2, 28, "Feb 29 2024 + 1 year = Feb 28");
	day_is(pricing_add_months(day(2025, 2, 28), 12 * 3, 29), 2028, 2, 29,
	    "anchored to Feb 29: back to the 29th in 2028");
	day_is(pricing_period_end(day(2025, 6, 1), 1), 2026, 6, 1, "a year from Jun 1");
	is_int(pricing_days_between(day(2024, 1, 1), pricing_period_end(day(2024, 1, 1), 1)), 366,
	    "the year 2024 has 366 days");
	is_int(pricing_days_between(day(2025, 1, 1), pricing_period_end(day(2025, 1, 1), 1)), 365,
	    "the year 2025 has 365 days");
	is_int(pricing_days_between(day(2024, 3, 1), pricing_period_end(day(2024, 3, 1), 1)), 365,
	    "Mar 2024 → Mar 2025 skips the leap day: 365");
	is_int(pricing_days_between(day(2024, 2, 1), pricing_period_end(day(2024, 2, 1), 0)), 29,
	    "Feb 2024 has 29 days");
	is_int(pricing_days_between(day(2025, 3, 10), day(2025, 3, 1)), -9, "backwards is negative");
}

int
main(void)
{
	test_amount();
	test_mrr();
	test_prorate();
	test_calendar();
	return done_testing();
}
