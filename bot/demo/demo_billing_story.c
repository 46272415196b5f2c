/*
 * demo_billing_story.c — what the demo partners and the billing staff do in the billing walk
 * (demo_billing.c): the plans, each partner's story and habits, and the events that carry them
 * out through the rules of handlers/billing/billing_rules.c.
 *
 * The first twenty partners' stories are chosen by hand, so that `make run` shows every case;
 * the others are drawn by weight from the partner's own random stream, so a partner's story is
 * the same at any size. A story needing more history than the partner has becomes a regular one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/demo/demo.h"

#define DEMO_RAISE_DAY	300	/* days into the history: the old plan's price goes up */
#define DEMO_RETIRE_DAY	420	/* …and it is archived: no new subscriptions */
#define DEMO_ROUND	100000	/* a round payment: to whole thousands of roubles (kopecks) */

/* The plans (kopecks per period). basic is the old one: its second price from DEMO_RAISE_DAY. */
static const struct demo_plan_row {
	const char	*code, *name;
	int		 yearly, trial_days;
	int64_t		 base, per_branch, per_user, included_branches, included_users;
} demo_plan_rows[DP_COUNT] = {
	{ "start", "Старт", 0, 14, 299000, 0, 0, 1, 0 },
	{ "team", "Команда", 0, 14, 599000, 99000, 19000, 1, 10 },
	{ "pro-year", "Про, годовой", 1, 0, 5990000, 990000, 0, 3, 0 },
	{ "basic", "Базовый", 0, 0, 199000, 0, 0, 1, 0 },
};
#define DEMO_BASIC_RAISED 249000

enum demo_story {
	ST_REGULAR,	/* pays within days, now and then a few days late */
	ST_LATE,	/* often late, by days or weeks: overdue, suspended, restored by payment */
	ST_GROWTH,	/* opens a branch while a renewal is open: voided, issued again */
	ST_UPGRADE,	/* start → team now (prorated) as it grows; a big one team → pro-year */
	ST_DOWNGRADE,	/* closes branches: team → start at the period end */
	ST_YEARLY,	/* pro-year, paid by bank transfer */
	ST_CHURN,	/* cancels for the summer, subscribes again months later */
	ST_TRIAL_LOST,	/* a trial that ended unpaid; archived later by some */
	ST_TRIALING,	/* on its trial today: onboarding took a while */
	ST_LEGACY,	/* the old plan: its new price from the next period; stays on it */
	ST_LEGACY_MOVED,	/* …moves to start at a period end once the old plan is archived */
	ST_CREDIT,	/* pays round sums, once a quarter ahead, lately half a year in advance */
	ST_REFUND,	/* pays an invoice twice; the second payment is refunded */
	ST_ARCHIVED,	/* cancels, the subscription ends, the card is archived */
	ST_VIOLATION,	/* blocked by a person for a breach of contract, subscription cancelled */
	ST_OVERDUE,	/* stopped paying: an invoice a few days overdue today */
	ST_SUSPENDED,	/* …past grace_days: suspended by the dunning today */
	ST_BLOCKED,	/* …past block_after_days: blocked by the dunning today */
	ST_HAND_BLOCKED,	/* …suspended by the dunning, then blocked by a person */
	ST_COUNT
};

/* The default twenty, in partner order (their sizes and ages are fixed: see demo.c). */
static const int demo_first_stories[] = {
	ST_UPGRADE, ST_GROWTH, ST_LEGACY, ST_TRIALING, ST_LATE, ST_UPGRADE, ST_OVERDUE,
	ST_SUSPENDED, ST_BLOCKED, ST_CHURN, ST_LEGACY_MOVED, ST_REFUND, ST_REGULAR,
	ST_HAND_BLOCKED, ST_REGULAR, ST_CREDIT, ST_DOWNGRADE, ST_YEARLY, ST_ARCHIVED, ST_TRIAL_LOST,
};

/* The others: weight per thousand, and the days since connecting the story needs (else it is
 * a regular one). */
static const struct demo_story_row {
	int	 weight;
	int	 min_age;
} demo_stories[ST_COUNT] = {
	[ST_REGULAR] = { 390, 0 },	[ST_LATE] = { 150, 0 },
	[ST_GROWTH] = { 40, 120 },	[ST_UPGRADE] = { 70, 100 },
	[ST_DOWNGRADE] = { 40, 120 },	[ST_YEARLY] = { 60, 0 },
	[ST_CHURN] = { 50, 200 },	[ST_TRIAL_LOST] = { 40, 0 },
	[ST_TRIALING] = { 10, 0 },
	[ST_LEGACY] = { 25, 0 },	[ST_LEGACY_MOVED] = { 25, 0 },
	[ST_CREDIT] = { 30, 0 },	[ST_REFUND] = { 10, 90 },
	[ST_ARCHIVED] = { 30, 100 },	[ST_VIOLATION] = { 5, 100 },
	[ST_OVERDUE] = { 10, 0 },	[ST_SUSPENDED] = { 6, 0 },
	[ST_BLOCKED] = { 6, 0 },	[ST_HAND_BLOCKED] = { 3, 0 },
};

/* Why a subscription was cancelled or a card archived or blocked (the event's a). */
enum demo_why { WHY_SUMMER, WHY_CLOSED, WHY_COMPETITOR, WHY_ASKED, WHY_TRIAL, WHY_BREACH,
	WHY_SHARING, WHY_UNPAID };
static const char *const demo_whys[] = {
	[WHY_SUMMER] = "летние каникулы, вернутся к учебному году",
	[WHY_CLOSED] = "закрытие бизнеса",
	[WHY_COMPETITOR] = "переход к другому поставщику",
	[WHY_ASKED] = "по просьбе партнёра",
	[WHY_TRIAL] = "не продлили после пробного периода",
	[WHY_BREACH] = "нарушение условий договора",
	[WHY_SHARING] = "подозрение на передачу доступа третьим лицам",
	[WHY_UNPAID] = "неоплата, не выходит на связь",
};

enum demo_ev {
	EV_SUBSCRIBE,	/* a: plan, b: 1 with the trial */
	EV_RESIZE,	/* a: branches, b: users: the partner's new size */
	EV_GROW,	/* a branch more while a renewal is open (b: attempts so far) */
	EV_CHANGE_NOW,	/* a: plan */
	EV_CHANGE_END,	/* a: plan */
	EV_CANCEL,	/* a: why */
	EV_AHEAD,	/* a: periods invoiced ahead of the renewal (b: attempts so far) */
	EV_ADVANCE,	/* a: periods' worth paid without an invoice: credit */
	EV_PAY,		/* b: invoice: what is left on it */
	EV_PAY_AGAIN,	/* b: invoice: its whole amount once more, by mistake */
	EV_REFUND,	/* b: at most this much of the credit back */
	EV_BLOCK,	/* a: why (a person) */
	EV_ARCHIVE,	/* a: why (a person, once the subscription has ended) */
	EV_RAISE,	/* every partner: the old plan's second price */
	EV_RETIRE,	/* every partner: the old plan archived */
};

static int
demo_dom(int64_t day)
{
	int64_t y;
	int m, d;

	pricing_civil_from_days(day, &y, &m, &d);
	return d;
}

static int
demo_again(struct demo_sim *sim, const struct demo_event *e, int64_t day, int64_t b)
{
	return demo_at(sim, day, e->acct, e->kind, e->a, b);
}

/* The plans (their versions in force into sim->plans) and the days the old one changes. */
int
demo_plans(struct demo_sim *sim)
{
	int i, r;

	for (i = 0; i < DP_COUNT; i++) {
		const struct demo_plan_row *d = &demo_plan_rows[i];
		struct plan *p = &sim->plans[i];

		memset(p, 0, sizeof(*p));
		str_copy(p->code, sizeof(p->code), d->code);
		str_copy(p->name, sizeof(p->name), d->name);
		p->yearly = d->yearly;
		p->base = d->base;
		p->per_branch = d->per_branch;
		p->per_user = d->per_user;
		p->included_branches = d->included_branches;
		p->included_users = d->included_users;
		p->trial_days = d->trial_days;
		p->created_at = clock_now();
		p->created_by = DEMO_ADMIN;
		if ((r = plan_insert(sim->db, p)) == -1 ||
		    (r == 0 && plan_current(sim->db, d->code, p) != 1))
			return -1;
	}
	return demo_at(sim, sim->first + DEMO_RAISE_DAY, -1, EV_RAISE, 0, 0) == -1 ||
	    demo_at(sim, sim->first + DEMO_RETIRE_DAY, -1, EV_RETIRE, 0, 0) == -1 ? -1 : 0;
}

/*
 * For a story that ends overdue today: the subscription's first day (on or after c) and the end
 * of its last paid period, so that the renewal invoice issued renew_ahead_days before that end
 * is due `late` days before today, late in the story's range (days of month above 28 are
 * skipped: every month has the anchor). 0 found, -1 the partner is too new for it.
 */
static int
demo_align(const struct demo_sim *sim, int story, int64_t c, int64_t *start, int64_t *end)
{
	const struct billing_terms *t = &sim->terms;
	int64_t lo, hi, late, p, s;

	switch (story) {
	case ST_OVERDUE:
		lo = 2;
		hi = t->grace_days - 1;
		break;
	case ST_SUSPENDED:
		lo = t->grace_days + 1;
		hi = t->block_after_days - 1;
		break;
	case ST_HAND_BLOCKED:
		lo = t->grace_days + 2;
		hi = t->block_after_days - 1;
		break;
	default:
		lo = t->block_after_days + 3;
		hi = t->block_after_days + 12;
		break;
	}
	for (late = lo; late <= hi; late++) {
		p = sim->today - late - t->payment_terms_days + t->renew_ahead_days;
		if (demo_dom(p) > 28)
			continue;
		for (s = c; s < c + 31 && demo_dom(s) != demo_dom(p); s++)
			;
		if (s <= p - 31) {	/* a paid month before it at least */
			*start = s;
			*end = p;
			return 0;
		}
	}
	return -1;
}

static int
demo_story_draw(struct demo_rng *r)
{
	int x = (int)demo_below(r, 1000), s;

	for (s = 0; s < ST_COUNT - 1; s++) {
		if (x < demo_stories[s].weight)
			return s;
		x -= demo_stories[s].weight;
	}
	return s;
}

/* Partner k's story, its habits and its dated events. 0/-1. */
int
demo_plan_story(struct demo_sim *sim, int32_t k)
{
	struct demo_acct *a = &sim->acct[k];
	struct demo_rng *r = &a->rng;
	const struct billing_terms *t = &sim->terms;
	struct partner p;
	int64_t c, age, x = 0, start, end;
	int plan, trial, ok = 1;

	a->id = sim->ids[k];
	a->rng.s = DEMO_SEED ^ 0x62696c6c696e67ull ^ ((uint64_t)k * 0xa0761d6478bd642full);
	if (partner_get(sim->db, a->id, &p) != 1)
		return -1;
	a->story = (size_t)k < NELEM(demo_first_stories) ? demo_first_stories[k] :
	    demo_story_draw(r);
	c = p.connected_on / DAY;
	if (c < sim->first)
		c = sim->first;
	age = sim->today - c;
	plan = p.branches <= 1 && p.users <= 10 ? DP_START : DP_TEAM;
	trial = demo_below(r, 100) < 70;
	a->late = 6;
	a->weeks = 4;
	a->bank = demo_below(r, 100) < 35;
	if (age < demo_stories[a->story].min_age || ((a->story == ST_LEGACY ||
	    a->story == ST_LEGACY_MOVED) && c >= sim->first + DEMO_RAISE_DAY - 40))
		a->story = ST_REGULAR;
	if (demo_stories[a->story].min_age > 0)
		x = c + 45 + (int64_t)demo_below(r, (uint64_t)(age - 75));
	switch (a->story) {
	case ST_LATE:
		a->late = 40;
		a->weeks = 20;
		break;
	case ST_GROWTH:
		plan = DP_TEAM;
		ok = demo_at(sim, x, k, EV_GROW, 0, 0) == 0;
		break;
	case ST_UPGRADE:
		trial = 1;
		if (p.branches >= 4) {
			plan = DP_TEAM;
			ok = demo_at(sim, x, k, EV_CHANGE_NOW, DP_PRO, 0) == 0;
			break;
		}
		if (plan == DP_TEAM)	/* it started smaller */
			ok = demo_at(sim, c, k, EV_RESIZE, 1, p.users < 8 ? p.users : 8) == 0 &&
			    demo_at(sim, x, k, EV_RESIZE, (int)p.branches, p.users) == 0;
		else
			ok = demo_at(sim, x, k, EV_RESIZE, 2, p.users + 5) == 0;
		plan = DP_START;
		ok = ok && demo_at(sim, x, k, EV_CHANGE_NOW, DP_TEAM, 0) == 0;
		break;
	case ST_DOWNGRADE:
		if (plan == DP_START)	/* it was bigger */
			ok = demo_at(sim, c, k, EV_RESIZE, 2, p.users + 6) == 0 &&
			    demo_at(sim, x, k, EV_RESIZE, (int)p.branches, p.users) == 0;
		else
			ok = demo_at(sim, x, k, EV_RESIZE, 1, p.users < 8 ? p.users : 8) == 0;
		plan = DP_TEAM;
		ok = ok && demo_at(sim, x, k, EV_CHANGE_END, DP_START, 0) == 0;
		break;
	case ST_YEARLY:
		plan = DP_PRO;
		a->bank = 1;
		a->late = 25;
		a->weeks = 6;
		break;
	case ST_CHURN:		/* early enough to come back */
		x = c + 60 + (int64_t)demo_below(r, (uint64_t)(age - 190));
		ok = demo_at(sim, x, k, EV_CANCEL, WHY_SUMMER, 0) == 0;
		break;
	case ST_TRIAL_LOST:
		trial = 1;
		a->stop_pay = c;
		if (age >= 90 && demo_below(r, 2))
			ok = demo_at(sim, c + 45 + (int64_t)demo_below(r, (uint64_t)(age - 60)), k,
			    EV_ARCHIVE, WHY_TRIAL, 0) == 0;
		break;
	case ST_TRIALING:
		trial = 1;
		x = sim->today - 3 - (int64_t)demo_below(r, 10);
		c = c > x ? c : x;
		break;
	case ST_LEGACY:
	case ST_LEGACY_MOVED:
		plan = DP_BASIC;
		break;
	case ST_CREDIT:
		a->round = 1;
		if (age >= 160)
			ok = demo_at(sim, c + 100 + (int64_t)demo_below(r,
			    (uint64_t)(age - 130)), k, EV_AHEAD, 3, 0) == 0;
		x = sim->today - 20 - (int64_t)demo_below(r, 60);
		if (ok && x > c + 30)
			ok = demo_at(sim, x, k, EV_ADVANCE, 6, 0) == 0;
		break;
	case ST_REFUND:
		a->dup_from = x;
		break;
	case ST_ARCHIVED:
		ok = demo_at(sim, x, k, EV_CANCEL, WHY_CLOSED + (int)demo_below(r, 3), 0) == 0;
		break;
	case ST_VIOLATION:
		x = sim->today - 5 - (int64_t)demo_below(r, 40);
		ok = demo_at(sim, x, k, EV_BLOCK, WHY_BREACH + (int)demo_below(r, 2), 0) == 0 &&
		    demo_at(sim, x, k, EV_CANCEL, WHY_BREACH, 0) == 0;
		break;
	case ST_OVERDUE:
	case ST_SUSPENDED:
	case ST_BLOCKED:
	case ST_HAND_BLOCKED:
		if (demo_align(sim, a->story, c, &start, &end) == -1) {
			a->story = ST_REGULAR;
			break;
		}
		c = start;
		trial = 0;
		a->late = 0;
		a->stop_pay = end - t->renew_ahead_days - 5;
		if (a->story == ST_HAND_BLOCKED)	/* the day after the suspension */
			ok = demo_at(sim, end - t->renew_ahead_days + t->payment_terms_days +
			    t->grace_days + 1, k, EV_BLOCK, WHY_UNPAID, 0) == 0;
		break;
	}
	if (!ok)
		return -1;
	if (demo_plan_rows[plan].trial_days == 0)
		trial = 0;
	return demo_at(sim, c, k, EV_SUBSCRIBE, plan, trial);
}

/* A payment of partner a: online through the provider, or a bank transfer staff record. */
static void
demo_payment(struct demo_sim *sim, struct demo_acct *a, int64_t amount, struct payment *pay)
{
	uint64_t x, y;

	memset(pay, 0, sizeof(*pay));
	pay->partner_id = a->id;
	pay->amount = amount;
	pay->received_on = sim->day;
	sim->serial++;
	if (a->bank) {
		str_copy(pay->source, sizeof(pay->source), "manual");
		snprintf(pay->reference, sizeof(pay->reference), "п/п № %lld",
		    (long long)(100 + (sim->serial * 7919) % 9900));
		pay->recorded_by = sim->serial % 3 != 0 ? DEMO_BILLING : DEMO_MANAGER;
		return;
	}
	str_copy(pay->source, sizeof(pay->source), "api");
	x = demo_next(&a->rng);
	y = demo_next(&a->rng);
	snprintf(pay->provider_id, sizeof(pay->provider_id),
	    "%08llx-%04llx-4%03llx-a%03llx-%012llx", (unsigned long long)(x >> 32),
	    (unsigned long long)(x >> 16 & 0xffff), (unsigned long long)(x & 0xfff),
	    (unsigned long long)(y >> 48 & 0xfff), (unsigned long long)(y & 0xffffffffffffull));
	snprintf(pay->reference, sizeof(pay->reference), "карта *%04llu",
	    (unsigned long long)(x % 10000));
}

/* A person changes partner id's status (as /status would): 1 changed, 0 not allowed, -1. */
static int
demo_set_status(struct demo_sim *sim, int64_t id, int to, int64_t actor, const char *reason)
{
	struct partner p;
	char detail[128];
	int r;

	if (partner_get(sim->db, id, &p) != 1)
		return -1;
	if ((r = partner_set_status(sim->db, id, to, actor, "", reason, clock_now())) != 1)
		return r;
	snprintf(detail, sizeof(detail), "%s → %s (demo data)", partner_status_name(p.status),
	    partner_status_name(to));
	return demo_audit(sim->db, id, "partner.status", reason, detail) == -1 ? -1 : 1;
}

/* A subscription (once the last one has ended). A partner the end of the last one suspended
 * is active again when the first invoice is paid: the rules do that. */
static int
demo_subscribe(struct demo_sim *sim, const struct demo_event *e)
{
	struct subscription s;
	struct invoice inv;
	struct partner p;
	int64_t id = sim->acct[e->acct].id;
	int plan = e->a, r;

	if (sim->plans[plan].archived)
		plan = DP_START;
	if ((r = sub_live(sim->db, id, &s)) != 0)
		return r == 1 ? demo_again(sim, e, sim->day + 2, e->b) : -1;
	if (partner_get(sim->db, id, &p) != 1)
		return -1;
	return billing_subscribe(&sim->app, sim->db, &sim->terms, &p, &sim->plans[plan],
	    (int)e->b, sim->day, DEMO_BILLING, &s, &inv) == 1 ? 0 : -1;
}

static int
demo_size(struct demo_sim *sim, int64_t id, int64_t branches, int64_t users)
{
	struct partner p;
	int64_t dup = 0;

	if (partner_get(sim->db, id, &p) != 1)
		return -1;
	p.branches = branches;
	p.users = users;
	return partner_update(sim->db, &p, clock_now(), &dup) == 1 ? 0 : -1;
}

static int
demo_resize(struct demo_sim *sim, const struct demo_event *e)
{
	return demo_size(sim, sim->acct[e->acct].id, e->a, e->b);
}

/* A branch more: the renewal invoice already issued at the old size is voided and issued
 * again. Waits for a day one is open (a few periods at most). */
static int
demo_grow(struct demo_sim *sim, const struct demo_event *e)
{
	struct subscription s;
	struct invoice inv, again;
	struct partner p;
	int64_t id = sim->acct[e->acct].id;
	int r;

	if ((r = sub_live(sim->db, id, &s)) != 1)
		return r;
	if ((r = invoice_for_period(sim->db, s.id, s.period_end, &inv)) == -1)
		return -1;
	if (r == 0 || inv.status != INV_OPEN || inv.due_on <= sim->day) {
		if (e->b >= 4)
			return 0;
		return demo_again(sim, e, (r == 1 ? inv.period_end : s.period_end) -
		    sim->terms.renew_ahead_days + 1, e->b + 1);
	}
	if (partner_get(sim->db, id, &p) != 1 ||
	    demo_size(sim, id, p.branches + 1, p.users + 3) == -1 ||
	    billing_void(&sim->app, sim->db, &inv, "перевыставлен: открыт ещё один филиал",
	    sim->day) != 1 || sub_get(sim->db, s.id, &s) != 1)
		return -1;
	return billing_issue_next(&sim->app, sim->db, &sim->terms, &s, 1, sim->day, DEMO_BILLING,
	    &again) == 1 ? 0 : -1;
}

static int
demo_change(struct demo_sim *sim, const struct demo_event *e)
{
	struct subscription s;
	struct invoice inv;
	struct partner p;
	int64_t id = sim->acct[e->acct].id;
	int r;

	if ((r = sub_live(sim->db, id, &s)) != 1)
		return r;
	if (sim->plans[e->a].id == s.plan_id)
		return 0;
	if (partner_get(sim->db, id, &p) != 1)
		return -1;
	return billing_change_apply(&sim->app, sim->db, &sim->terms, &s, &sim->plans[e->a], &p,
	    e->kind == EV_CHANGE_NOW, sim->day, DEMO_BILLING, &inv);
}

static int
demo_cancel(struct demo_sim *sim, const struct demo_event *e)
{
	struct demo_acct *a = &sim->acct[e->acct];
	struct subscription s;
	struct plan plan;
	int r;

	if ((r = sub_live(sim->db, a->id, &s)) != 1)
		return r;
	if (billing_cancel(&sim->app, sim->db, &s, demo_whys[e->a], sim->day) == -1)
		return -1;
	switch (a->story) {
	case ST_CHURN:		/* back after the summer, on the plan it had */
		if (plan_get(sim->db, s.plan_id, &plan) != 1)
			return -1;
		return demo_at(sim, s.period_end + 30 + (int64_t)demo_below(&a->rng, 90), e->acct,
		    EV_SUBSCRIBE, plan.yearly ? DP_PRO : strcmp(plan.code, "team") == 0 ?
		    DP_TEAM : DP_START, 0);
	case ST_ARCHIVED:
		return demo_at(sim, s.period_end + 1 + (int64_t)demo_below(&a->rng, 10), e->acct,
		    EV_ARCHIVE, e->a, 0);
	}
	return 0;
}

/* An invoice issued ahead of its renewal, for a periods: the partner pays a quarter at once.
 * With the renewal already issued (or the subscription past due), after the next period
 * starts (b: attempts so far). */
static int
demo_ahead(struct demo_sim *sim, const struct demo_event *e)
{
	struct subscription s;
	struct invoice inv;
	int r;

	if ((r = sub_live(sim->db, sim->acct[e->acct].id, &s)) != 1)
		return r;
	if (s.status == SUB_ACTIVE && (r = billing_issue_next(&sim->app, sim->db, &sim->terms, &s,
	    e->a, sim->day, DEMO_BILLING, &inv)) != 0)
		return r == 1 ? 0 : -1;
	return e->b < 3 ? demo_again(sim, e, s.period_end + 3, e->b + 1) : 0;
}

static int
demo_pay(struct demo_sim *sim, const struct demo_event *e)
{
	struct demo_acct *a = &sim->acct[e->acct];
	struct billing_outcome out;
	struct payment pay;
	struct invoice inv;
	int64_t amount;

	if (invoice_get(sim->db, e->b, &inv) != 1)
		return -1;
	if (e->kind == EV_PAY_AGAIN)
		amount = inv.amount;
	else if (inv.status != INV_OPEN)
		return 0;	/* credit paid it, or it was voided */
	else {
		amount = inv.amount - inv.paid;
		if (a->round)
			amount = (amount + DEMO_ROUND - 1) / DEMO_ROUND * DEMO_ROUND;
	}
	if (amount <= 0)
		return 0;
	demo_payment(sim, a, amount, &pay);
	return billing_pay(&sim->app, sim->db, &pay, e->kind == EV_PAY ? inv.id : 0, sim->day,
	    &out) == -1 ? -1 : 0;
}

/* An advance: a periods of the partner's price, rounded up, paid without an invoice. */
static int
demo_advance(struct demo_sim *sim, const struct demo_event *e)
{
	struct demo_acct *a = &sim->acct[e->acct];
	struct billing_summary b;
	struct billing_outcome out;
	struct payment pay;
	struct partner p;

	if (partner_get(sim->db, a->id, &p) != 1 ||
	    billing_summary(sim->db, &p, sim->day, &b) == -1)
		return -1;
	if (!b.has_sub || b.price <= 0)
		return 0;
	demo_payment(sim, a, (b.price * e->a + DEMO_ROUND - 1) / DEMO_ROUND * DEMO_ROUND, &pay);
	return billing_pay(&sim->app, sim->db, &pay, 0, sim->day, &out) == -1 ? -1 : 0;
}

static int
demo_refund(struct demo_sim *sim, const struct demo_event *e)
{
	struct demo_acct *a = &sim->acct[e->acct];
	struct billing_outcome out;
	struct payment pay;
	int64_t credit;

	if (billing_credit(sim->db, a->id, &credit) == -1)
		return -1;
	if (credit > e->b)
		credit = e->b;
	if (credit <= 0)
		return 0;
	memset(&pay, 0, sizeof(pay));
	pay.partner_id = a->id;
	pay.amount = -credit;
	pay.received_on = sim->day;
	str_copy(pay.source, sizeof(pay.source), "manual");
	str_copy(pay.reference, sizeof(pay.reference), "возврат на расчётный счёт");
	str_copy(pay.reason, sizeof(pay.reason), "двойная оплата счёта, возврат по заявлению");
	pay.recorded_by = DEMO_BILLING;
	return billing_pay(&sim->app, sim->db, &pay, 0, sim->day, &out) == -1 ? -1 : 0;
}

/* A person blocks or archives the card (an archive waits for the subscription to end). */
static int
demo_status(struct demo_sim *sim, const struct demo_event *e)
{
	struct subscription s;
	int64_t id = sim->acct[e->acct].id;
	int to = e->kind == EV_BLOCK ? PARTNER_BLOCKED : PARTNER_ARCHIVED, r;

	if (to == PARTNER_ARCHIVED && (r = sub_live(sim->db, id, &s)) != 0)
		return r == 1 ? demo_again(sim, e, sim->day + 2, 0) : -1;
	return demo_set_status(sim, id, to, e->a == WHY_UNPAID ? DEMO_BILLING : DEMO_ADMIN,
	    demo_whys[e->a]) == -1 ? -1 : 0;
}

/* The old plan's second price; its subscribers move to it at their period end. */
static int
demo_raise(struct demo_sim *sim, const struct demo_event *e)
{
	struct plan *basic = &sim->plans[DP_BASIC];
	struct subscription s;
	struct invoice inv;
	struct partner p;
	int64_t old = basic->id, k;
	int r;

	(void)e;
	basic->base = DEMO_BASIC_RAISED;
	basic->created_at = clock_now();
	basic->created_by = DEMO_BILLING;
	if (plan_new_version(sim->db, basic) == -1)
		return -1;
	for (k = 0; k < sim->n; k++) {
		if (sim->acct[k].story != ST_LEGACY && sim->acct[k].story != ST_LEGACY_MOVED)
			continue;
		if ((r = sub_live(sim->db, sim->acct[k].id, &s)) == -1)
			return -1;
		if (r == 0 || s.plan_id != old)
			continue;
		if (partner_get(sim->db, s.partner_id, &p) != 1 ||
		    billing_change_apply(&sim->app, sim->db, &sim->terms, &s, basic, &p, 0,
		    sim->day, DEMO_BILLING, &inv) == -1)
			return -1;
	}
	return 0;
}

static int
demo_retire(struct demo_sim *sim, const struct demo_event *e)
{
	int64_t k;

	(void)e;
	if (plan_set_archived(sim->db, sim->plans[DP_BASIC].code, 1) != 1)
		return -1;
	sim->plans[DP_BASIC].archived = 1;
	for (k = 0; k < sim->n; k++)
		if (sim->acct[k].story == ST_LEGACY_MOVED &&
		    demo_at(sim, sim->day + 5 + (int64_t)demo_below(&sim->acct[k].rng, 60),
		    (int32_t)k, EV_CHANGE_END, DP_START, 0) == -1)
			return -1;
	return 0;
}

/* What each event does, by its kind. */
static int (*const demo_handlers[])(struct demo_sim *, const struct demo_event *) = {
	[EV_SUBSCRIBE] = demo_subscribe,	[EV_RESIZE] = demo_resize,
	[EV_GROW] = demo_grow,			[EV_CHANGE_NOW] = demo_change,
	[EV_CHANGE_END] = demo_change,		[EV_CANCEL] = demo_cancel,
	[EV_AHEAD] = demo_ahead,		[EV_ADVANCE] = demo_advance,
	[EV_PAY] = demo_pay,			[EV_PAY_AGAIN] = demo_pay,
	[EV_REFUND] = demo_refund,		[EV_BLOCK] = demo_status,
	[EV_ARCHIVE] = demo_status,		[EV_RAISE] = demo_raise,
	[EV_RETIRE] = demo_retire,
};

int
demo_do(struct demo_sim *sim, const struct demo_event *e)
{
	if (e->kind < 0 || (size_t)e->kind >= NELEM(demo_handlers) ||
	    demo_handlers[e->kind] == NULL)
		return -1;
	return demo_handlers[e->kind](sim, e);
}

/* A new open invoice: its payment day from the partner's habits (a trial's first invoice is
 * paid before the trial ends), or none. 0/-1. */
int
demo_on_invoice(struct demo_sim *sim, int32_t k, const struct invoice *inv)
{
	struct demo_acct *a = &sim->acct[k];
	struct subscription s;
	int64_t delay, room;
	int r = 0;

	if (a->stop_pay != 0 && inv->issued_on >= a->stop_pay)
		return 0;
	if (inv->subscription_id != 0 &&
	    (r = sub_get(sim->db, inv->subscription_id, &s)) == -1)
		return -1;
	delay = 1 + (int64_t)demo_below(&a->rng, 5);
	if (r == 1 && s.status == SUB_TRIALING) {
		room = s.period_end - sim->day - 1;
		delay = room > 1 ? 1 + (int64_t)demo_below(&a->rng, (uint64_t)room) : 1;
	} else if ((int)demo_below(&a->rng, 100) < a->late)
		delay = inv->due_on - sim->day + 1 + (int64_t)demo_below(&a->rng,
		    (uint64_t)a->weeks);
	if (demo_at(sim, sim->day + delay, k, EV_PAY, 0, inv->id) == -1)
		return -1;
	if (a->dup_from == 0 || sim->day < a->dup_from)
		return 0;
	a->dup_from = 0;
	return demo_at(sim, sim->day + delay + 1, k, EV_PAY_AGAIN, 0, inv->id) == -1 ||
	    demo_at(sim, sim->day + delay + 6, k, EV_REFUND, 0, inv->amount) == -1 ? -1 : 0;
}
