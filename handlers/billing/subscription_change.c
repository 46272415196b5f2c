/*
 * subscription_change.c — changing a subscription: another plan at the period end or now (prorated
 * to the day), cancellation at the period end, auto-renewal on or off (handlers/billing/billing.h).
 *
 * Switching now prorates what the current period was invoiced — the invoice's own amount (the
 * plan's price when the plan changed within the period), so a partner who grew since pays
 * nothing retroactively, and a period renewed for several months counts as the span it is —
 * over the period's days:
 *   paid period, same length:  new × left − old × left, invoiced (a "change" invoice) or, when
 *                              negative, given back as credit;
 *   unpaid period, same length: its invoice is voided and replaced by one charging the old plan
 *                              for the days used and the new plan for the days left;
 *   another length (month ↔ year) or a trial: a fresh period of the new plan from today in
 *                              full; a paid period's unused days come back as credit, an unpaid
 *                              one's used days are charged on the new invoice.
 * Periods paid beyond the current one are not reworked: then the change waits for the period
 * end (now_refused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/billing/billing_rules.h"

#define CHANGE_OPEN_MAX 256	/* open invoices of one partner looked at */

/* The change's figures and what they were computed from. */
struct change_calc {
	struct billing_change ch;
	struct invoice	 cur;		/* the current period's invoice, id 0 none */
	int		 trial;
	int		 paid;		/* the current period is paid */
	int		 periods;	/* periods the current span covers */
	int64_t		 used;		/* the old plan's charge for the days used (unpaid) */
	int64_t		 new_part;	/* the new plan's charge for the rest (or a fresh period) */
};

static int
change_calc(struct db *db, const struct subscription *s, const struct plan *from,
    const struct plan *to, const struct partner *p, int64_t today, struct change_calc *cc)
{
	struct billing_change *ch = &cc->ch;
	struct plan_price op, np;
	int64_t span, old_total, new_total;
	int r;

	memset(cc, 0, sizeof(*cc));
	billing_price_of(from, &op);
	billing_price_of(to, &np);
	ch->old_amount = pricing_period_amount(&op, p->branches, p->users);
	ch->new_amount = pricing_period_amount(&np, p->branches, p->users);
	if (ch->old_amount < 0 || ch->new_amount < 0)
		return -1;
	span = s->period_end - s->period_start;
	ch->days_in_period = span;
	ch->days_left = s->period_end - today;
	if (ch->days_left < 0)
		ch->days_left = 0;
	if (ch->days_left > span)
		ch->days_left = span;
	ch->at_end_day = s->period_end;
	cc->trial = s->status == SUB_TRIALING;
	ch->fresh_period = from->yearly != to->yearly || cc->trial;
	ch->now_refused = !cc->trial && s->paid_until > s->period_end;
	cc->periods = 1;
	if (!cc->trial) {
		if ((r = invoice_for_period(db, s->id, s->period_start, &cc->cur)) == -1)
			return -1;
		if (r == 0)
			memset(&cc->cur, 0, sizeof(cc->cur));
		if (cc->cur.id != 0 && cc->cur.periods > 0)
			cc->periods = cc->cur.periods;
		cc->paid = cc->cur.id != 0 && cc->cur.status == INV_PAID;
		if (cc->cur.id != 0 && !cc->paid)
			str_copy(ch->replaces, sizeof(ch->replaces), cc->cur.number);
	}
	/* what the period cost: its invoice, unless the plan changed within it since (then the
	 * plan in force, as the proration invoices charged it) */
	old_total = 0;
	if (cc->cur.id != 0 && cc->cur.plan_id == s->plan_id)
		old_total = cc->cur.amount;
	else if (!cc->trial &&
	    __builtin_mul_overflow(ch->old_amount, (int64_t)cc->periods, &old_total))
		return -1;
	if (__builtin_mul_overflow(ch->new_amount, (int64_t)cc->periods, &new_total))
		return -1;
	if (cc->paid)
		ch->credit_now = pricing_prorate(old_total, ch->days_left, span);
	else if (!cc->trial)
		cc->used = pricing_prorate(old_total, span - ch->days_left, span);
	cc->new_part = ch->fresh_period ? ch->new_amount :
	    pricing_prorate(new_total, ch->days_left, span);
	if (ch->credit_now < 0 || cc->used < 0 || cc->new_part < 0)
		return -1;
	ch->charge_now = cc->used + cc->new_part - ch->credit_now;
	return 0;
}

int
billing_change_preview(struct db *db, const struct subscription *s, const struct plan *to,
    const struct partner *p, int64_t today, struct billing_change *ch)
{
	struct change_calc cc;
	struct plan from;

	if (plan_get(db, s->plan_id, &from) != 1 || change_calc(db, s, &from, to, p, today, &cc) == -1)
		return -1;
	*ch = cc.ch;
	return 0;
}

/* Voids the subscription's open period invoices that start on or after `from` (re-priced or no
 * longer wanted). 0/-1. */
static int
change_void_from(struct app *app, struct db *db, const struct subscription *s, int64_t from,
    const char *reason, int64_t today)
{
	struct invoice *rows;
	int n, i, rc = -1;

	if ((rows = calloc(CHANGE_OPEN_MAX, sizeof(*rows))) == NULL)
		return -1;
	if ((n = invoice_open_of(db, s->partner_id, rows, CHANGE_OPEN_MAX)) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (rows[i].subscription_id == s->id && rows[i].kind == INV_KIND_PERIOD &&
		    rows[i].period_start >= from &&
		    billing_void(app, db, &rows[i], reason, today) == -1)
			goto out;
	rc = 0;
out:
	free(rows);
	return rc;
}

/* Issues an invoice of the given lines for the subscription and applies credit to it. */
static int
change_invoice(struct db *db, const struct billing_terms *t, const struct subscription *s,
    int kind, int64_t plan_id, int64_t start, int periods, const struct invoice_line *lines,
    int n, int64_t today, int64_t actor, struct invoice *out)
{
	struct billing_outcome o;
	int64_t none = 0;

	memset(out, 0, sizeof(*out));
	out->partner_id = s->partner_id;
	out->subscription_id = s->id;
	out->plan_id = plan_id;
	out->kind = kind;
	out->period_start = start;
	out->period_end = s->period_end;
	out->periods = periods;
	out->created_by = actor;
	memset(&o, 0, sizeof(o));
	if (billing_issue(db, out, lines, n, today, today + t->payment_terms_days) == -1 ||
	    billing_allocate(db, s->partner_id, out->id, 0, &none, today, &o) == -1 ||
	    invoice_get(db, out->id, out) != 1)
		return -1;
	return 0;
}

/* Unused days of a paid period come back as credit (a credit note), spent on open invoices. */
static int
change_credit(struct db *db, const struct subscription *s, int64_t amount, const struct plan *from,
    const struct plan *to, int64_t today, int64_t actor)
{
	struct billing_outcome o;
	struct payment credit;
	int64_t budget = amount;

	memset(&credit, 0, sizeof(credit));
	credit.partner_id = s->partner_id;
	credit.amount = amount;
	credit.received_on = today;
	str_copy(credit.source, sizeof(credit.source), "credit_note");
	snprintf(credit.reference, sizeof(credit.reference), "перерасчёт «%s» → «%s»",
	    from->code, to->code);
	credit.recorded_by = actor;
	credit.created_at = clock_now();
	memset(&o, 0, sizeof(o));
	if (payment_insert(db, &credit) != 1 ||
	    billing_allocate(db, s->partner_id, 0, credit.id, &budget, today, &o) == -1)
		return -1;
	return 0;
}

/* "«Старт»: 15 из 31 дн." */
static void
change_days_line(struct invoice_line *l, const char *kind, const struct plan *p, int64_t days,
    int64_t span, int64_t amount)
{
	char desc[640];

	snprintf(desc, sizeof(desc), "«%s»: %lld из %lld дн.", p->name, (long long)days,
	    (long long)span);
	billing_line(l, kind, desc, 1, amount, amount);
}

static int
change_now(struct app *app, struct db *db, const struct billing_terms *t, struct subscription *s,
    const struct plan *from, const struct plan *to, const struct change_calc *cc, int64_t today,
    int64_t actor, struct invoice *out)
{
	const struct billing_change *ch = &cc->ch;
	struct invoice_line lines[2];
	int64_t span = ch->days_in_period, net;
	int n = 0;

	/* what the switch replaces: an unpaid current period (or the trial's first invoice) and
	 * any renewal issued ahead */
	if (change_void_from(app, db, s, cc->paid ? s->period_end : s->period_start,
	    "тариф изменён", today) == -1 || sub_get(db, s->id, s) != 1)
		return -1;
	s->plan_id = to->id;
	s->next_plan_id = 0;
	s->updated_at = clock_now();
	if (cc->used > 0)
		change_days_line(&lines[n++], "proration", from, span - ch->days_left, span,
		    cc->used);
	if (ch->fresh_period) {
		if (cc->trial && s->trial_end > today)
			s->trial_end = today;
		s->status = SUB_ACTIVE;
		s->period_start = today;
		s->anchor_dom = billing_dom(today);
		s->period_end = billing_periods_end(to, today, 1, s->anchor_dom);
		if (sub_save(db, s) == -1 || billing_issue_period(app, db, t, s, to, today, 1,
		    n > 0 ? &lines[0] : NULL, today, actor, out) == -1)
			return -1;
		if (ch->credit_now > 0 &&
		    change_credit(db, s, ch->credit_now, from, to, today, actor) == -1)
			return -1;
		return 0;
	}
	if (sub_save(db, s) == -1)
		return -1;
	if (!cc->paid) {
		/* the period again, the old plan for the days used and the new one for the rest */
		change_days_line(&lines[n++], "proration", to, ch->days_left, span, cc->new_part);
		return change_invoice(db, t, s, INV_KIND_PERIOD, to->id, s->period_start,
		    cc->periods, lines, n, today, actor, out);
	}
	net = cc->new_part - ch->credit_now;
	if (net > 0) {
		char desc[640];

		snprintf(desc, sizeof(desc), "Перерасчёт: «%s» → «%s», %lld из %lld дн.",
		    from->name, to->name, (long long)ch->days_left, (long long)span);
		billing_line(&lines[0], "proration", desc, 1, net, net);
		return change_invoice(db, t, s, INV_KIND_CHANGE, to->id, today, 0, lines, 1, today,
		    actor, out);
	}
	if (net < 0 && change_credit(db, s, -net, from, to, today, actor) == -1)
		return -1;
	return 0;
}

int
billing_change_apply(struct app *app, struct db *db, const struct billing_terms *t,
    struct subscription *s, const struct plan *to, const struct partner *p, int now,
    int64_t today, int64_t actor, struct invoice *out)
{
	struct change_calc cc;
	struct plan from;

	memset(out, 0, sizeof(*out));
	if (plan_get(db, s->plan_id, &from) != 1 ||
	    change_calc(db, s, &from, to, p, today, &cc) == -1)
		return -1;
	if (!now) {
		s->next_plan_id = to->id == s->plan_id ? 0 : to->id;
		s->updated_at = clock_now();
		/* a renewal invoice already issued at the old price is issued again */
		if (sub_save(db, s) == -1 || change_void_from(app, db, s, s->period_end,
		    "тариф изменён", today) == -1 || sub_get(db, s->id, s) != 1)
			return -1;
		if (today >= s->period_end - t->renew_ahead_days && s->autorenew &&
		    !s->cancel_at_end &&
		    billing_issue_next(app, db, t, s, 1, today, actor, out) == -1)
			return -1;
		return billing_sync_partner(db, s->partner_id, today) == -1 ? -1 : 1;
	}
	if (cc.ch.now_refused)
		return 0;
	if (change_now(app, db, t, s, &from, to, &cc, today, actor, out) == -1 ||
	    (out->id != 0 && invoice_get(db, out->id, out) != 1) ||
	    billing_settle(app, db, s->partner_id, today) == -1 || sub_get(db, s->id, s) != 1 ||
	    billing_sync_partner(db, s->partner_id, today) == -1)
		return -1;
	return 1;
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
	    change_void_from(app, db, s, s->period_end, "подписка отменена", today) == -1 ||
	    sub_get(db, s->id, s) != 1)
		return -1;
	return billing_sync_partner(db, s->partner_id, today);
}

int
billing_set_autorenew(struct app *app, struct db *db, struct subscription *s, int on,
    int64_t today)
{
	s->autorenew = on != 0;
	s->updated_at = clock_now();
	if (sub_save(db, s) == -1 || (!on && change_void_from(app, db, s, s->period_end,
	    "автопродление выключено", today) == -1) || sub_get(db, s->id, s) != 1)
		return -1;
	return billing_sync_partner(db, s->partner_id, today);
}
