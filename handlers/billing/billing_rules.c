/*
 * billing_rules.c — the rules of money (handlers/billing/billing.h): subscribing, issuing invoices,
 * taking payments and spreading them over invoices, voiding, changing plans, cancelling, extending,
 * and the partner card's billing fields. The commands, the payments API, the scheduler's jobs and
 * the demo all go through here, so a rule lives in one place.
 *
 * Everything runs in the caller's transaction; on -1 the caller rolls back. Money is int64_t
 * kopecks and is never divided here except through pricing.c (half-up, exact); no floating
 * point (tests/source-check.t).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/billing/billing_rules.h"

#define OPEN_MAX 256		/* open invoices of one partner considered per payment */

#define L(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

void
billing_terms_of(const struct config *cfg, struct billing_terms *t)
{
	t->payment_terms_days = cfg->payment_terms_days;
	t->renew_ahead_days = cfg->renew_ahead_days;
	t->trial_notice_days = cfg->trial_notice_days;
	t->grace_days = cfg->grace_days;
	t->block_after_days = cfg->block_after_days;
}

void
billing_price_of(const struct plan *p, struct plan_price *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->base = p->base;
	pp->per_branch = p->per_branch;
	pp->per_user = p->per_user;
	pp->included_branches = p->included_branches;
	pp->included_users = p->included_users;
	pp->yearly = p->yearly;
}

int
billing_dom(int64_t day)
{
	int64_t y;
	int m, d;

	pricing_civil_from_days(day, &y, &m, &d);
	return d;
}

int64_t
billing_periods_end(const struct plan *p, int64_t start, int periods, int anchor_dom)
{
	return pricing_add_months(start, periods * (p->yearly ? 12 : 1), anchor_dom);
}

void
billing_line(struct invoice_line *l, const char *kind, const char *desc, int64_t qty,
    int64_t unit, int64_t amount)
{
	memset(l, 0, sizeof(*l));
	str_copy(l->kind, sizeof(l->kind), kind);
	str_copy(l->description, sizeof(l->description), desc);
	l->quantity = qty;
	l->unit_price = unit;
	l->amount = amount;
}

int
billing_period_lines(const struct plan *p, int64_t branches, int64_t users, int periods,
    enum lang lang, struct invoice_line *lines, int64_t *amount)
{
	const char *unit = p->yearly ? L(lang, "год", "year") : L(lang, "мес.", "month");
	int64_t extra_b, extra_u, qb, qu, a_base, a_b, a_u, total;
	char desc[640];
	int n = 0;

	if (periods < 1 || branches < 0 || users < 0)
		return -1;
	extra_b = branches > p->included_branches ? branches - p->included_branches : 0;
	extra_u = users > p->included_users ? users - p->included_users : 0;
	if (__builtin_mul_overflow(p->base, (int64_t)periods, &a_base) ||
	    __builtin_mul_overflow(extra_b, (int64_t)periods, &qb) ||
	    __builtin_mul_overflow(extra_u, (int64_t)periods, &qu) ||
	    __builtin_mul_overflow(qb, p->per_branch, &a_b) ||
	    __builtin_mul_overflow(qu, p->per_user, &a_u) ||
	    __builtin_add_overflow(a_base, a_b, &total) ||
	    __builtin_add_overflow(total, a_u, &total))
		return -1;
	snprintf(desc, sizeof(desc), L(lang, "Тариф «%s», %d × %s", "Plan “%s”, %d × %s"),
	    p->name, periods, unit);
	billing_line(&lines[n++], "base", desc, periods, p->base, a_base);
	if (a_b > 0) {
		snprintf(desc, sizeof(desc), L(lang, "Филиалы сверх %lld: %lld × %d × %s",
		    "Branches above %lld: %lld × %d × %s"), (long long)p->included_branches,
		    (long long)extra_b, periods, unit);
		billing_line(&lines[n++], "branches", desc, qb, p->per_branch, a_b);
	}
	if (a_u > 0) {
		snprintf(desc, sizeof(desc), L(lang, "Пользователи сверх %lld: %lld × %d × %s",
		    "Users above %lld: %lld × %d × %s"), (long long)p->included_users,
		    (long long)extra_u, periods, unit);
		billing_line(&lines[n++], "users", desc, qu, p->per_user, a_u);
	}
	*amount = total;
	return n;
}

int
billing_dunning_due(const struct billing_terms *t, int64_t due_on, int64_t hold_until,
    int64_t paid_until, int64_t today, int current)
{
	int64_t late = today - due_on;
	int step = DUN_NONE;

	if (today < hold_until)
		return current;
	if (late >= 1)
		step = DUN_OVERDUE;
	if (late >= t->grace_days)
		step = DUN_SUSPENDED;
	if (late >= t->block_after_days)
		step = DUN_BLOCKED;
	if (today < paid_until && step > DUN_OVERDUE)
		step = DUN_OVERDUE;	/* the paid-through date wins */
	return step > current ? step : current;
}

/* Invoices -------------------------------------------------------------------------------------- */

/* The subscription's paid-through day, recomputed: from where it stands (or, when nothing was
 * paid yet, from the first paid period: after the trial, the start, or the current period)
 * along the period invoices that are paid, without a gap — paying a later period first does not
 * cover an unpaid one before it. 0/-1. */
static int
billing_paid_chain(struct db *db, int64_t subscription_id)
{
	struct subscription s;
	struct invoice inv;
	int64_t x, cand[3];
	int r, i;

	if ((r = sub_get(db, subscription_id, &s)) != 1)
		return r;
	x = s.paid_until;
	if (x == 0) {
		cand[0] = s.trial_end;
		cand[1] = s.started_on;
		cand[2] = s.period_start;
		for (i = 0; i < 3 && x == 0; i++) {
			if (cand[i] <= 0)
				continue;
			if ((r = invoice_for_period(db, s.id, cand[i], &inv)) == -1)
				return -1;
			if (r == 1 && inv.status == INV_PAID)
				x = cand[i];
		}
		if (x == 0)
			return 0;
	}
	while ((r = invoice_for_period(db, s.id, x, &inv)) == 1 && inv.status == INV_PAID &&
	    inv.period_end > x)
		x = inv.period_end;
	if (r == -1)
		return -1;
	if (x <= s.paid_until)
		return 0;
	s.paid_until = x;
	s.updated_at = clock_now();
	return sub_save(db, &s);
}

/* An invoice was paid in full: a period invoice moves its subscription's paid-through date,
 * and a paid period (or proration) gets its act. 0/-1. */
static int
billing_on_paid(struct db *db, const struct invoice *inv, int64_t today,
    struct billing_outcome *out)
{
	struct act a;
	int r;

	if (inv->subscription_id != 0 && inv->kind == INV_KIND_PERIOD &&
	    billing_paid_chain(db, inv->subscription_id) == -1)
		return -1;
	if (inv->amount <= 0 || inv->period_end == 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.partner_id = inv->partner_id;
	a.invoice_id = inv->id;
	a.period_start = inv->period_start;
	a.period_end = inv->period_end;
	a.amount = inv->amount;
	a.issued_on = today > inv->period_start ? today : inv->period_start;
	a.created_at = clock_now();
	if ((r = act_insert(db, &a)) == -1)
		return -1;
	if (r == 1 && out != NULL)
		out->acts++;
	return 0;
}

int
billing_issue(struct db *db, struct invoice *inv, const struct invoice_line *lines, int n,
    int64_t today, int64_t due_on)
{
	int r;

	inv->created_at = inv->updated_at = clock_now();
	if ((r = invoice_insert(db, inv, lines, n)) != 1)
		return r == 0 && invoice_get(db, inv->id, inv) == 1 ? 0 : -1;
	if (invoice_issue(db, inv, today, due_on) == -1)
		return -1;
	if (inv->amount == 0) {
		/* nothing to pay (a plan whose parts are all 0 at this size): paid as issued, or
		 * the dunning would chase 0,00 ₽ */
		inv->status = INV_PAID;
		inv->paid_on = today;
		if (invoice_save(db, inv) == -1 || billing_on_paid(db, inv, today, NULL) == -1)
			return -1;
	}
	return 1;
}

/* The partner's open invoices (invoice_id first when it is one of them), into rows: count or -1. */
static int
billing_open_ordered(struct db *db, int64_t partner_id, int64_t invoice_id, struct invoice *rows,
    int max)
{
	int n = invoice_open_of(db, partner_id, rows, max), i;
	struct invoice tmp;

	if (n <= 0 || invoice_id == 0)
		return n;
	for (i = 0; i < n && rows[i].id != invoice_id; i++)
		;
	if (i < n && i > 0) {
		tmp = rows[i];
		memmove(&rows[1], &rows[0], (size_t)i * sizeof(rows[0]));
		rows[0] = tmp;
	}
	return n;
}

/* Spreads `money` over the rows in order, BILLING_ALLOC_MAX invoices at most: fills out's
 * allocations (amount per invoice, what is left on it) and returns how much was placed. */
static int64_t
billing_plan_alloc(const struct invoice *rows, int n, int64_t money, struct billing_outcome *out)
{
	int64_t placed = 0, a, left;
	int i;

	for (i = 0; i < n && money > 0 && out->nalloc < BILLING_ALLOC_MAX; i++) {
		struct billing_alloc *al;

		left = rows[i].amount - rows[i].paid;
		if (left <= 0)
			continue;
		a = left < money ? left : money;
		money -= a;
		placed += a;
		al = &out->alloc[out->nalloc++];
		al->invoice_id = rows[i].id;
		str_copy(al->number, sizeof(al->number), rows[i].number);
		al->amount = a;
		al->left = left - a;
		if (a == left)
			out->paid++;
	}
	return placed;
}

/* One planned allocation: the first *budget of it is the payment's money (payment_id), the rest
 * credit the partner had before (no payment named), so a payment's allocations never exceed
 * its amount. 0/-1. */
static int
billing_allocate_one(struct db *db, int64_t partner_id, int64_t invoice_id, int64_t payment_id,
    int64_t *budget, int64_t amount, int64_t now)
{
	int64_t mine = payment_id != 0 && *budget > 0 ? (*budget < amount ? *budget : amount) : 0;

	*budget -= mine;
	if (mine > 0 && allocation_add(db, partner_id, invoice_id, payment_id, mine, now) == -1)
		return -1;
	if (amount > mine && allocation_add(db, partner_id, invoice_id, 0, amount - mine,
	    now) == -1)
		return -1;
	return 0;
}

/* Moves the partner's credit onto open invoices (invoice_id first), marking the ones it pays
 * in full. payment_id names the payment just recorded (0: none) and *budget what of its money
 * is not placed yet. 0/-1. */
int
billing_allocate(struct db *db, int64_t partner_id, int64_t invoice_id, int64_t payment_id,
    int64_t *budget, int64_t today, struct billing_outcome *out)
{
	struct invoice *rows;
	int64_t credit, now = clock_now();
	int n, i, k, rc = -1;

	if (billing_credit(db, partner_id, &credit) == -1)
		return -1;
	out->credit = credit;
	if (credit <= 0)
		return 0;
	if ((rows = calloc(OPEN_MAX, sizeof(*rows))) == NULL)
		return -1;
	if ((n = billing_open_ordered(db, partner_id, invoice_id, rows, OPEN_MAX)) == -1)
		goto out;
	k = out->nalloc;
	out->credit -= billing_plan_alloc(rows, n, credit, out);
	/* apply what was planned: the allocations are in row order, one per invoice touched */
	for (i = 0; i < n && k < out->nalloc; i++) {
		struct billing_alloc *al = &out->alloc[k];

		if (rows[i].id != al->invoice_id)
			continue;
		if (billing_allocate_one(db, partner_id, rows[i].id, payment_id, budget,
		    al->amount, now) == -1 ||
		    invoice_get(db, rows[i].id, &rows[i]) != 1)
			goto out;
		if (rows[i].paid >= rows[i].amount) {
			rows[i].status = INV_PAID;
			rows[i].paid_on = today;
			rows[i].updated_at = now;
			if (invoice_save(db, &rows[i]) == -1 ||
			    billing_on_paid(db, &rows[i], today, out) == -1)
				goto out;
		}
		k++;
	}
	if (out->nalloc == BILLING_ALLOC_MAX && out->credit > 0) {
		/* more invoices than one outcome lists: the rest is placed in another round */
		struct billing_outcome more;

		memset(&more, 0, sizeof(more));
		if (billing_allocate(db, partner_id, 0, payment_id, budget, today, &more) == -1)
			goto out;
		out->paid += more.paid;
		out->acts += more.acts;
		out->credit = more.credit;
	}
	rc = 0;
out:
	free(rows);
	return rc;
}

/* Anything open and past its due date: 1 yes, 0 no, -1. */
static int
billing_has_overdue(struct db *db, int64_t partner_id, int64_t today)
{
	struct invoice rows[1];
	int n = invoice_open_of(db, partner_id, rows, 1);

	if (n == -1)
		return -1;
	return n == 1 && rows[0].due_on < today;
}

/* Is this status change one of the rules that money undoes? The dunning's always; the end of a
 * trial or a subscription's once a live subscription is paid through today (subscribed again). */
static int
billing_rule_undone(const struct partner_status_change *c, int paid_now)
{
	if (c->actor != 0)
		return 0;
	if (strcmp(c->rule, "dunning") == 0)
		return 1;
	return paid_now && (strcmp(c->rule, "trial") == 0 || strcmp(c->rule, "subscription") == 0);
}

/* The status the partner had before the rules' latest run of changes (the dunning's suspension
 * then block, say): the status money returns it to — active, or what a person had set before
 * the rules came (a hand suspension stays one). -1 when the latest change is not a rule's that
 * money undoes (a person's decision stands) or on error. */
#define UNDO_DEPTH 16
static int
billing_undo_rules(struct db *db, int64_t partner_id, int paid_now)
{
	struct partner_status_change h[UNDO_DEPTH];
	int n, i;

	if ((n = partner_history(db, partner_id, h, UNDO_DEPTH)) <= 0 ||
	    !billing_rule_undone(&h[0], paid_now))
		return -1;
	for (i = 1; i < n && billing_rule_undone(&h[i], paid_now); i++)
		;
	return h[i - 1].from;
}

int
billing_settle(struct app *app, struct db *db, int64_t partner_id, int64_t today)
{
	struct subscription s;
	struct partner p;
	int r, to, restored = 0;

	if ((r = billing_has_overdue(db, partner_id, today)) == -1)
		return -1;
	if (r == 1)
		return billing_dunning_refresh(app, db, partner_id, today) == -1 ? -1 : 0;
	if ((r = sub_live(db, partner_id, &s)) == -1)
		return -1;
	if (r == 1 && s.status == SUB_PAST_DUE) {
		s.status = SUB_ACTIVE;
		s.updated_at = clock_now();
		if (sub_save(db, &s) == -1)
			return -1;
	}
	if (partner_get(db, partner_id, &p) != 1)
		return -1;
	if ((p.status == PARTNER_SUSPENDED || p.status == PARTNER_BLOCKED) &&
	    (to = billing_undo_rules(db, partner_id, r == 1 && s.paid_until > today)) != -1 &&
	    to != p.status) {
		if ((r = partner_set_status(db, partner_id, to, 0, "payment", "оплата получена",
		    clock_now())) == -1)
			return -1;
		restored = r == 1 && to == PARTNER_ACTIVE;
	}
	if (billing_dunning_refresh(app, db, partner_id, today) == -1)
		return -1;
	return restored;
}

/* Subscriptions ------------------------------------------------------------------------------- */

/* The plan a period starting at the subscription's period end is priced with. */
static int
billing_next_plan(struct db *db, const struct subscription *s, struct plan *p)
{
	return plan_get(db, s->next_plan_id != 0 ? s->next_plan_id : s->plan_id, p);
}

int
billing_issue_period(struct app *app, struct db *db, const struct billing_terms *t,
    const struct subscription *s, const struct plan *plan, int64_t start, int periods,
    const struct invoice_line *extra, int64_t today, int64_t actor, struct invoice *out)
{
	struct invoice_line lines[BILLING_LINES_MAX + 1];
	struct billing_outcome o;
	struct partner p;
	enum lang lang = app != NULL ? app->cfg.language : LANG_RU;
	int64_t amount, none = 0, due;
	int n, r;

	if (partner_get(db, s->partner_id, &p) != 1)
		return -1;
	if ((n = billing_period_lines(plan, p.branches, p.users, periods, lang, lines,
	    &amount)) == -1) {
		log_error("billing: the price of plan %s overflows for partner %lld", plan->code,
		    (long long)p.id);
		return -1;
	}
	if (extra != NULL)
		lines[n++] = *extra;
	memset(out, 0, sizeof(*out));
	out->partner_id = s->partner_id;
	out->subscription_id = s->id;
	out->plan_id = plan->id;
	out->kind = INV_KIND_PERIOD;
	out->period_start = start;
	out->period_end = billing_periods_end(plan, start, periods, s->anchor_dom);
	out->periods = periods;
	out->created_by = actor;
	/* the invoice after a trial is due on the trial's last day: unpaid, the trial ends the
	 * subscription the next day, so a later due date would be a promise not kept */
	due = today + t->payment_terms_days;
	if (s->status == SUB_TRIALING && start == s->trial_end && due > s->trial_end - 1)
		due = s->trial_end - 1 > today ? s->trial_end - 1 : today;
	if ((r = billing_issue(db, out, lines, n, today, due)) != 1)
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
	    (billing_issue_period(app, db, t, out, plan, today, 1, NULL, today, actor, inv) == -1 ||
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
	if ((r = billing_issue_period(app, db, t, s, &plan, start, periods, NULL, today, actor,
	    out)) == -1 || sub_get(db, s->id, s) != 1 ||
	    billing_sync_partner(db, s->partner_id, today) == -1)
		return -1;
	return r;
}

/* Payments ---------------------------------------------------------------------------------- */

int
billing_pay(struct app *app, struct db *db, struct payment *pay, int64_t invoice_id,
    int64_t today, struct billing_outcome *out)
{
	struct payment stored;
	int64_t credit, budget;
	int r;

	memset(out, 0, sizeof(*out));
	if (pay->amount == 0)
		return -1;
	if (pay->provider_id[0] != '\0') {
		if ((r = payment_by_provider(db, pay->provider_id, &stored)) != 0) {
			if (r == 1)
				pay->id = stored.id;
			return r == 1 ? 0 : -1;
		}
	}
	if (pay->amount < 0) {
		if (pay->reason[0] == '\0' || billing_credit(db, pay->partner_id, &credit) == -1)
			return -1;
		if (-pay->amount > credit) {
			out->credit = credit;
			return 0;
		}
	}
	if (pay->created_at == 0)
		pay->created_at = clock_now();
	if ((r = payment_insert(db, pay)) != 1)
		return r;
	if (pay->amount < 0)
		return billing_credit(db, pay->partner_id, &out->credit) == -1 ? -1 : 1;
	budget = pay->amount;
	if (billing_allocate(db, pay->partner_id, invoice_id, pay->id, &budget, today, out) == -1 ||
	    (r = billing_settle(app, db, pay->partner_id, today)) == -1 ||
	    billing_sync_partner(db, pay->partner_id, today) == -1)
		return -1;
	out->restored = r;
	return 1;
}

int
billing_pay_preview(struct db *db, int64_t partner_id, int64_t amount, int64_t invoice_id,
    struct billing_outcome *out)
{
	struct invoice *rows;
	int64_t credit;
	int n;

	memset(out, 0, sizeof(*out));
	if (billing_credit(db, partner_id, &credit) == -1)
		return -1;
	credit += amount;
	if ((rows = calloc(OPEN_MAX, sizeof(*rows))) == NULL)
		return -1;
	if ((n = billing_open_ordered(db, partner_id, invoice_id, rows, OPEN_MAX)) == -1) {
		free(rows);
		return -1;
	}
	out->credit = credit - billing_plan_alloc(rows, n, credit, out);
	free(rows);
	return 0;
}

int
billing_void(struct app *app, struct db *db, struct invoice *inv, const char *reason,
    int64_t today)
{
	struct billing_outcome o;
	int64_t now = clock_now(), none = 0;

	if (inv->status != INV_OPEN)
		return 0;
	if (inv->paid != 0 && (allocation_add(db, inv->partner_id, inv->id, 0, -inv->paid,
	    now) == -1 || invoice_get(db, inv->id, inv) != 1))
		return -1;
	inv->status = INV_VOID;
	str_copy(inv->void_reason, sizeof(inv->void_reason), reason);
	inv->updated_at = now;
	memset(&o, 0, sizeof(o));
	if (invoice_save(db, inv) == -1 ||
	    billing_allocate(db, inv->partner_id, 0, 0, &none, today, &o) == -1 ||
	    billing_settle(app, db, inv->partner_id, today) == -1 ||
	    billing_sync_partner(db, inv->partner_id, today) == -1)
		return -1;
	return 1;
}

int
billing_extend(struct app *app, struct db *db, int64_t partner_id, int days, int64_t today,
    int64_t actor)
{
	struct invoice *rows;
	struct partner p;
	int n, i, to, held = 0, rc = -1;

	if (days < 1 || (rows = calloc(OPEN_MAX, sizeof(*rows))) == NULL)
		return -1;
	if ((n = invoice_open_of(db, partner_id, rows, OPEN_MAX)) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (rows[i].due_on >= today)
			continue;
		rows[i].hold_until = today + days;
		/* a suspension is taken back, so it comes again when the hold ends; a block
		 * stays a block until a person lifts it */
		if (rows[i].dunning == DUN_SUSPENDED)
			rows[i].dunning = DUN_OVERDUE;
		rows[i].updated_at = clock_now();
		if (invoice_save(db, &rows[i]) == -1)
			goto out;
		held++;
	}
	if (held == 0) {
		rc = 0;
		goto out;
	}
	if (partner_get(db, partner_id, &p) != 1)
		goto out;
	/* the dunning's suspension is taken back (as a payment would undo it); a block stays */
	if (p.status == PARTNER_SUSPENDED &&
	    (to = billing_undo_rules(db, partner_id, 0)) != -1 && to != p.status &&
	    partner_set_status(db, partner_id, to, actor, "extension", "отсрочка оплаты",
	    clock_now()) == -1)
		goto out;
	rc = billing_sync_partner(db, partner_id, today) == -1 ||
	    billing_dunning_refresh(app, db, partner_id, today) == -1 ? -1 : 1;
out:
	free(rows);
	return rc;
}

/* The card ---------------------------------------------------------------------------------- */

int
billing_sync_partner(struct db *db, int64_t partner_id, int64_t today)
{
	struct subscription s;
	struct invoice next;
	struct plan plan;
	int64_t paid_through = 0, next_on = 0;
	int r, live;

	(void)today;
	if ((live = sub_live(db, partner_id, &s)) == -1)
		return -1;
	if (live == 0 && (r = sub_history(db, partner_id, &s, 1)) != 1) {
		if (r == -1)
			return -1;
		return partner_set_billing(db, partner_id, "", 0, 0);
	}
	if (plan_get(db, s.plan_id, &plan) != 1)
		return -1;
	if (s.paid_until > 0)
		paid_through = (s.paid_until - 1) * 86400;
	if ((r = invoice_open_of(db, partner_id, &next, 1)) == -1)
		return -1;
	if (r == 1)
		next_on = next.due_on * 86400;
	else if (live && s.autorenew && !s.cancel_at_end)
		next_on = s.period_end * 86400;
	return partner_set_billing(db, partner_id, live ? plan.name : "", paid_through, next_on);
}

int
billing_summary(struct db *db, const struct partner *p, int64_t today, struct billing_summary *b)
{
	struct plan_price pp;
	struct invoice *rows;
	int n, i, r;

	memset(b, 0, sizeof(*b));
	if ((r = sub_live(db, p->id, &b->sub)) == -1)
		return -1;
	b->has_sub = r;
	if (r == 1) {
		if (plan_get(db, b->sub.plan_id, &b->plan) != 1)
			return -1;
		billing_price_of(&b->plan, &pp);
		b->price = pricing_period_amount(&pp, p->branches, p->users);
	}
	if (billing_credit(db, p->id, &b->credit) == -1 ||
	    (rows = calloc(OPEN_MAX, sizeof(*rows))) == NULL)
		return -1;
	if ((n = invoice_open_of(db, p->id, rows, OPEN_MAX)) == -1) {
		free(rows);
		return -1;
	}
	for (i = 0; i < n; i++) {
		b->owed += rows[i].amount - rows[i].paid;
		if (rows[i].due_on < today)
			b->overdue += rows[i].amount - rows[i].paid;
	}
	if (n > 0)
		b->next_due = rows[0].due_on;
	free(rows);
	return 0;
}
