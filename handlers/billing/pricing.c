/*
 * pricing.c — what a plan costs, and the calendar its periods follow. Pure integer arithmetic on
 * kopecks (see money.c): no floating point, no database, no time zone.
 *
 * Rounding: every division that can leave a fraction of a kopeck rounds half up (a remainder of
 * at least half the divisor adds one kopeck). Amounts divided here are never negative.
 *
 * Periods are anchored: a subscription started on the 31st renews on the 31st where the month has
 * one and on the month's last day where it does not (Jan 31 → Feb 28 → Mar 31 → Apr 30). Each end
 * is computed from the original anchor day, never from the previous, clamped, end.
 */
#include <stdint.h>

#include "handlers/handlers.h"

#define PRICING_DAYS_MAX	INT32_MAX	/* days in a period: keeps r × days_left in int64_t */

int64_t
pricing_period_amount(const struct plan_price *p, int64_t branches, int64_t users)
{
	int64_t extra_b, extra_u, fee_b, fee_u, sum;

	if (p == NULL || p->base < 0 || p->per_branch < 0 || p->per_user < 0 ||
	    p->included_branches < 0 || p->included_users < 0 || branches < 0 || users < 0)
		return -1;
	extra_b = branches > p->included_branches ? branches - p->included_branches : 0;
	extra_u = users > p->included_users ? users - p->included_users : 0;
	if (__builtin_mul_overflow(p->per_branch, extra_b, &fee_b) ||
	    __builtin_mul_overflow(p->per_user, extra_u, &fee_u) ||
	    __builtin_add_overflow(p->base, fee_b, &sum) ||
	    __builtin_add_overflow(sum, fee_u, &sum))
		return -1;
	return sum;
}

int64_t
pricing_mrr(const struct plan_price *p, int64_t branches, int64_t users)
{
	int64_t amount = pricing_period_amount(p, branches, users);

	if (amount < 0 || !p->yearly)
		return amount;
	return amount / 12 + (amount % 12 >= 6);
}

int64_t
pricing_prorate(int64_t amount, int64_t days_left, int64_t days_in_period)
{
	int64_t whole, part, rem;

	if (amount < 0 || days_in_period <= 0 || days_in_period > PRICING_DAYS_MAX ||
	    days_left < 0 || days_left > days_in_period)
		return -1;
	/* amount = q × d + r: q × d × left / d is exact; only r × left / d needs rounding, and
	 * r < d ≤ 2^31 with left ≤ d keeps r × left below 2^62. */
	whole = amount / days_in_period * days_left;
	part = amount % days_in_period * days_left;
	rem = part % days_in_period;
	return whole + part / days_in_period + (rem >= days_in_period - rem);
}

int64_t
pricing_change_preview(const struct plan_price *old, const struct plan_price *new,
    int64_t branches, int64_t users, int64_t days_left, int64_t days_in_period)
{
	int64_t old_amount, new_amount, credit, charge;

	old_amount = pricing_period_amount(old, branches, users);
	new_amount = pricing_period_amount(new, branches, users);
	if (old_amount < 0 || new_amount < 0)
		return PRICING_ERROR;
	credit = pricing_prorate(old_amount, days_left, days_in_period);
	if (credit < 0)
		return PRICING_ERROR;
	if (old->yearly == new->yearly)
		charge = pricing_prorate(new_amount, days_left, days_in_period);
	else
		charge = new_amount;	/* month ↔ year: a fresh full period starts today */
	return charge - credit;
}

/* Days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's civil_from_days). */
void
pricing_civil_from_days(int64_t day, int64_t *y, int *m, int *d)
{
	int64_t z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
pricing_days_in_month(int64_t y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

int64_t
pricing_add_months(int64_t day, int months, int anchor_dom)
{
	int64_t y, total, ny;
	int m, d, nm, dim;

	pricing_civil_from_days(day, &y, &m, &d);
	if (anchor_dom < 1 || anchor_dom > 31)
		anchor_dom = d;
	total = y * 12 + (m - 1) + months;
	ny = (total >= 0 ? total : total - 11) / 12;
	nm = (int)(total - ny * 12) + 1;
	dim = pricing_days_in_month(ny, nm);
	return clock_days_from_civil(ny, nm, anchor_dom < dim ? anchor_dom : dim);
}

int64_t
pricing_period_end(int64_t start_day, int yearly)
{
	return pricing_add_months(start_day, yearly ? 12 : 1, 0);
}

int64_t
pricing_days_between(int64_t from_day, int64_t to_day)
{
	return to_day - from_day;
}
