/*
 * billing_subs.c — the rules of money for subscriptions (handlers/billing.h): subscribing, the
 * next period's invoice, changing plans (now, with proration, or from the next period) and
 * cancelling. Invoices, payments and their allocation are billing.c's.
 *
 * Everything runs in the caller's transaction; on -1 the caller rolls back. Money is int64_t
 * kopecks and is never divided here except through pricing.c (half-up, exact); no floating
 * point (tests/source-check.t).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/billing_private.h"

/* Subscriptions ------------------------------------------------------------------------------- */

/* The plan a period starting at the subscription's period end is priced with. */
static int
billing_next_plan(struct db *db, const struct subscription *s, struct plan *p)
{
	return plan_get(db, s->next_plan_id != 0 ? s->next_plan_id : s->plan_id, p);
}

/* Issues the period invoice of plan for [start, start + periods) and applies credit. */
static int
billing_issue_period(struct app *app, struct db *db, const struct billing_terms *t,
    const struct subscription *s, const struct plan *plan, int64_t start, int periods,
    int64_t today, int64_t actor, struct invoice *out)
{
	struct invoice_line lines[BILLING_LINES_MAX];
	struct billing_outcome o;
	struct partner p;
	enum lang lang = app != NULL ? app->cfg.language : LANG_RU;
	int64_t amount, none = 0;
	int n, r;

	if (partner_get(db, s->partner_id, &p) != 1)
		return -1;
	if ((n = billing_period_lines(plan, p.branches, p.users, periods, lang, lines,
	    &amount)) == -1) {
		log_error("billing: the price of plan %s overflows for partner %lld", plan->code,
		    (long long)p.id);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->partner_id = s->partner_id;
	out->subscription_id = s->id;
	out->plan_id = plan->id;
	out->kind = INV_KIND_PERIOD;
	out->period_start = start;
	out->period_end = billing_periods_end(plan, start, periods, s->anchor_dom);
	out->periods = periods;
	out->created_by = actor;
	if ((r = billing_issue(db, t, out, lines, n, today)) != 1)
		return r;
	memset(&o, 0, sizeof(o));
	if (billing_allocate(db, s->partner_id, out->id, 0, &none, today, &o) == -1 ||
	    invoice_get(db, out->id, out) != 1)
		return -1;
	return 1;
}

int
billing_subscribe(struct app *app, struct db *db, const struct billing_terms *t,
    const struct partner *p, const struct plan *plan, int trial, int64_t today, int64_t actor,
    struct subscription *out, struct invoice *inv)
{
	int r;

	(void)actor;
	memset(out, 0, sizeof(*out));
	memset(inv, 0, sizeof(*inv));
	out->partner_id = p->id;
	out->plan_id = plan->id;
	out->autorenew = 1;
	out->started_on = today;
	out->period_start = today;
	out->created_at = out->updated_at = clock_now();
	if (trial && plan->trial_days > 0) {
		out->status = SUB_TRIALING;
		out->trial_end = out->period_end = today + plan->trial_days;
		out->anchor_dom = billing_dom(out->trial_end);	/* paid periods start there */
	} else {
		out->status = SUB_ACTIVE;
		out->anchor_dom = billing_dom(today);
		out->period_end = billing_periods_end(plan, today, 1, out->anchor_dom);
	}
	if ((r = sub_insert(db, out)) != 1)
		return r;
	if (out->status == SUB_ACTIVE &&
	    (billing_issue_period(app, db, t, out, plan, today, 1, today, actor, inv) == -1 ||
	    sub_get(db, out->id, out) != 1))
		return -1;
	return billing_sync_partner(db, p->id, today) == -1 ? -1 : 1;
}

int
billing_issue_next(struct app *app, struct db *db, const struct billing_terms *t,
    struct subscription *s, int periods, int64_t today, int64_t actor, struct invoice *out)
{
	struct invoice inv;
	struct plan plan;
	int64_t start = s->period_end;
	int r;

	if (periods < 1 || s->status == SUB_CANCELED)
		return -1;
	/* past periods already invoiced: paid ones are walked over (renewing ahead), an unpaid
	 * one is the answer (no second unpaid invoice for the same subscription) */
	while ((r = invoice_for_period(db, s->id, start, &inv)) == 1) {
		if (inv.status == INV_OPEN) {
			*out = inv;
			return 0;
		}
		if (inv.period_end <= start)
			return -1;
		start = inv.period_end;
	}
	if (r == -1 || billing_next_plan(db, s, &plan) != 1)
		return -1;
	if ((r = billing_issue_period(app, db, t, s, &plan, start, periods, today, actor,
	    out)) == -1 || sub_get(db, s->id, s) != 1 ||
	    billing_sync_partner(db, s->partner_id, today) == -1)
		return -1;
	return r;
}

/* Plan changes ------------------------------------------------------------------------------ */

/* The change's figures. The unused part of the current period is credited only when that
 * period was paid; an unpaid period's invoice is voided by the switch instead (pay_open: 1). */
static int
billing_change_calc(const struct subscription *s, const struct plan *from,
    const struct plan *to, const struct partner *p, int64_t today, struct billing_change *ch,
    int *period_paid)
{
	struct plan_price op, np;
	int64_t credit, charge;

	memset(ch, 0, sizeof(*ch));
	billing_price_of(from, &op);
	billing_price_of(to, &np);
	ch->old_amount = pricing_period_amount(&op, p->branches, p->users);
	ch->new_amount = pricing_period_amount(&np, p->branches, p->users);
	if (ch->old_amount < 0 || ch->new_amount < 0)
		return -1;
	ch->days_in_period = s->period_end - s->period_start;
	ch->days_left = s->period_end - today;
	if (ch->days_left < 0)
		ch->days_left = 0;
	if (ch->days_left > ch->days_in_period)
		ch->days_left = ch->days_in_period;
	ch->at_end_day = s->period_end;
	ch->fresh_period = from->yearly != to->yearly || s->status == SUB_TRIALING;
	*period_paid = s->status != SUB_TRIALING && s->paid_until >= s->period_end;
	credit = *period_paid ? pricing_prorate(ch->old_amount, ch->days_left,
	    ch->days_in_period) : 0;
	charge = ch->fresh_period ? ch->new_amount :
	    pricing_prorate(ch->new_amount, ch->days_left, ch->days_in_period);
	if (credit < 0 || charge < 0)
		return -1;
	ch->charge_now = charge - credit;
	return 0;
}

int
billing_change_preview(struct db *db, const struct subscription *s, const struct plan *to,
    const struct partner *p, int64_t today, struct billing_change *ch)
{
	struct plan from;
	int paid;

	if (plan_get(db, s->plan_id, &from) != 1)
		return -1;
	return billing_change_calc(s, &from, to, p, today, ch, &paid);
}

/* Voids the subscription's open period invoices that start at or after `from` (re-priced or
 * no longer wanted). 0/-1. */
static int
billing_void_from(struct app *app, struct db *db, const struct subscription *s, int64_t from,
    const char *reason, int64_t today)
{
	struct invoice inv;
	int64_t start = from;
	int r;

	while ((r = invoice_for_period(db, s->id, start, &inv)) == 1) {
		start = inv.period_end;
		if (inv.status == INV_OPEN && billing_void(app, db, &inv, reason, today) == -1)
			return -1;
		if (start <= inv.period_start)
			break;
	}
	return r == -1 ? -1 : 0;
}

int
billing_change_apply(struct app *app, struct db *db, const struct billing_terms *t,
    struct subscription *s, const struct plan *to, const struct partner *p, int now,
    int64_t today, int64_t actor, struct invoice *out)
{
	struct invoice_line line;
	struct billing_change ch;
	struct billing_outcome o;
	struct payment credit;
	struct plan from;
	char desc[640];
	int64_t none = 0, budget;
	int paid, r, was_trial = s->status == SUB_TRIALING;

	memset(out, 0, sizeof(*out));
	if (plan_get(db, s->plan_id, &from) != 1 ||
	    billing_change_calc(s, &from, to, p, today, &ch, &paid) == -1)
		return -1;
	if (!now) {
		s->next_plan_id = to->id == s->plan_id ? 0 : to->id;
		s->updated_at = clock_now();
		/* a renewal invoice already issued at the old price is issued again */
		if (sub_save(db, s) == -1 || billing_void_from(app, db, s, s->period_end,
		    "тариф изменён", today) == -1)
			return -1;
		if (today >= s->period_end - t->renew_ahead_days && s->autorenew &&
		    !s->cancel_at_end &&
		    billing_issue_next(app, db, t, s, 1, today, actor, out) == -1)
			return -1;
		return billing_sync_partner(db, s->partner_id, today);
	}
	/* now: the current period's unpaid invoice and any issued ahead go; credit for a paid one */
	if (billing_void_from(app, db, s, paid ? s->period_end : s->period_start, "тариф изменён",
	    today) == -1 || sub_get(db, s->id, s) != 1)
		return -1;
	s->plan_id = to->id;
	s->next_plan_id = 0;
	s->updated_at = clock_now();
	if (ch.fresh_period) {
		/* a new period of the new plan from today, in full; the unused old part is credit */
		s->status = SUB_ACTIVE;
		s->trial_end = was_trial ? today : s->trial_end;
		s->period_start = today;
		s->anchor_dom = billing_dom(today);
		s->period_end = billing_periods_end(to, today, 1, s->anchor_dom);
		if (sub_save(db, s) == -1)
			return -1;
		ch.charge_now -= ch.new_amount;		/* what remains is the credit, ≤ 0 */
		if ((r = billing_issue_period(app, db, t, s, to, today, 1, today, actor, out)) != 1)
			return -1;
	} else if (ch.charge_now > 0) {
		if (sub_save(db, s) == -1)
			return -1;
		snprintf(desc, sizeof(desc), "Перерасчёт: «%s» → «%s», %lld из %lld дн.",
		    from.name, to->name, (long long)ch.days_left, (long long)ch.days_in_period);
		billing_line(&line, "proration", desc, 1, ch.charge_now, ch.charge_now);
		memset(out, 0, sizeof(*out));
		out->partner_id = s->partner_id;
		out->subscription_id = s->id;
		out->plan_id = to->id;
		out->kind = INV_KIND_CHANGE;
		out->period_start = today;
		out->period_end = s->period_end;
		out->periods = 0;
		out->created_by = actor;
		memset(&o, 0, sizeof(o));
		if (billing_issue(db, t, out, &line, 1, today) != 1 ||
		    billing_allocate(db, s->partner_id, out->id, 0, &none, today, &o) == -1 ||
		    invoice_get(db, out->id, out) != 1)
			return -1;
		ch.charge_now = 0;
	} else if (sub_save(db, s) == -1)
		return -1;
	if (ch.charge_now < 0) {
		/* the unused part of a paid period comes back as credit */
		memset(&credit, 0, sizeof(credit));
		credit.partner_id = s->partner_id;
		credit.amount = -ch.charge_now;
		credit.received_on = today;
		str_copy(credit.source, sizeof(credit.source), "credit_note");
		snprintf(credit.reference, sizeof(credit.reference), "перерасчёт «%s» → «%s»",
		    from.code, to->code);
		credit.recorded_by = actor;
		credit.created_at = clock_now();
		budget = credit.amount;
		memset(&o, 0, sizeof(o));
		if (payment_insert(db, &credit) != 1 || billing_allocate(db, s->partner_id, 0,
		    credit.id, &budget, today, &o) == -1)
			return -1;
		if (out->id != 0 && invoice_get(db, out->id, out) != 1)
			return -1;
	}
	if (billing_settle(app, db, s->partner_id, today) == -1 || sub_get(db, s->id, s) != 1)
		return -1;
	return billing_sync_partner(db, s->partner_id, today);
}

int
billing_cancel(struct app *app, struct db *db, struct subscription *s, const char *reason,
    int64_t today)
{
	s->cancel_at_end = 1;
	s->autorenew = 0;
	str_copy(s->cancel_reason, sizeof(s->cancel_reason), reason);
	s->updated_at = clock_now();
	if (sub_save(db, s) == -1 ||
	    billing_void_from(app, db, s, s->period_end, "подписка отменена", today) == -1 ||
	    sub_get(db, s->id, s) != 1)
		return -1;
	return billing_sync_partner(db, s->partner_id, today);
}
