/*
 * billing_rules.c — unit tests of the billing rules (handlers/billing/billing_rules.c) against a
 * fresh database file: invoice lines per plan shape, the dunning ladder's days, subscribing with
 * and without a trial, payments spread over invoices oldest first, overpayment kept as credit and
 * used by the next invoice, refunds, voiding, plan changes with proration, cancellation, the
 * "extend" hold, and who gets restored by a payment (the dunning's suspension, never a person's
 * block).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "tests/tap.h"
#include "tests/testdb.h"

static const struct billing_terms terms = { 10, 7, 3, 7, 14 };

#define RUB(x) ((int64_t)(x) * 100)

static int64_t
day_of(int y, int m, int d)
{
	return clock_days_from_civil(y, m, d);
}

static void
test_lines(void)
{
	struct invoice_line l[BILLING_LINES_MAX];
	struct plan p;
	int64_t amount = 0;
	int n;

	memset(&p, 0, sizeof(p));
	str_copy(p.name, sizeof(p.name), "Старт");
	p.base = RUB(2990);
	n = billing_period_lines(&p, 5, 50, 1, LANG_RU, l, &amount);
	is_int(n, 1, "fixed price: one line");
	is_int(amount, RUB(2990), "fixed price: the base fee");
	is_str(l[0].kind, "base", "fixed price: a base line");

	p.per_branch = RUB(990);
	p.included_branches = 1;
	n = billing_period_lines(&p, 3, 0, 1, LANG_RU, l, &amount);
	is_int(n, 2, "per branch: base and branches");
	is_int(l[1].quantity, 2, "per branch: two branches above the included one");
	is_int(l[1].amount, RUB(1980), "per branch: 2 × 990");
	is_int(amount, RUB(4970), "per branch: total");

	memset(&p, 0, sizeof(p));
	p.per_user = 15050;		/* 150,50 per user */
	p.included_users = 0;
	n = billing_period_lines(&p, 0, 7, 3, LANG_RU, l, &amount);
	is_int(n, 2, "per user only: a zero base line and users");
	is_int(l[1].quantity, 21, "per user: 7 users × 3 periods");
	is_int(amount, 15050 * 21, "per user: exact to the kopeck");

	p.per_user = INT64_MAX / 2;
	ok(billing_period_lines(&p, 0, 7, 3, LANG_RU, l, &amount) == -1, "overflow refused");
	ok(billing_period_lines(&p, 0, 1, 0, LANG_RU, l, &amount) == -1, "zero periods refused");
}

static void
test_dunning_days(void)
{
	int64_t d = day_of(2026, 3, 10);

	is_int(billing_dunning_due(&terms, d, 0, 0, d, DUN_NONE), DUN_NONE, "due day: nothing");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 1, DUN_NONE), DUN_OVERDUE, "D+1: overdue");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 6, DUN_NONE), DUN_OVERDUE, "D+6: overdue");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 7, DUN_OVERDUE), DUN_SUSPENDED,
	    "D+7: suspended");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 13, DUN_SUSPENDED), DUN_SUSPENDED,
	    "D+13: still suspended");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 14, DUN_SUSPENDED), DUN_BLOCKED,
	    "D+14: blocked");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 30, DUN_NONE), DUN_BLOCKED,
	    "a long outage catches up to the last step");
	is_int(billing_dunning_due(&terms, d, 0, d + 20, d + 14, DUN_NONE), DUN_OVERDUE,
	    "paid through D+19: no suspension, no block before it");
	is_int(billing_dunning_due(&terms, d, 0, d + 20, d + 20, DUN_OVERDUE), DUN_BLOCKED,
	    "the day paid-through ends the ladder goes on");
	is_int(billing_dunning_due(&terms, d, d + 9, 0, d + 8, DUN_OVERDUE), DUN_OVERDUE,
	    "held: no new step before the hold ends");
	is_int(billing_dunning_due(&terms, d, d + 9, 0, d + 9, DUN_OVERDUE), DUN_SUSPENDED,
	    "the hold over: suspended again");
	is_int(billing_dunning_due(&terms, d, 0, 0, d + 2, DUN_BLOCKED), DUN_BLOCKED,
	    "never goes back below the step reached");
}

static int64_t
add_partner(struct db *db, const char *name, int64_t branches, int64_t users)
{
	struct partner p;
	int64_t dup = 0;

	memset(&p, 0, sizeof(p));
	str_copy(p.name, sizeof(p.name), name);
	p.branches = branches;
	p.users = users;
	p.connected_on = 1700000000;
	if (partner_insert(db, &p, 1700000000, &dup) != 1)
		return -1;
	return p.id;
}

static int64_t
add_plan(struct db *db, const char *code, int yearly, int64_t base, int64_t per_branch,
    int trial)
{
	struct plan p;

	memset(&p, 0, sizeof(p));
	str_copy(p.code, sizeof(p.code), code);
	str_copy(p.name, sizeof(p.name), code);
	p.yearly = yearly;
	p.base = base;
	p.per_branch = per_branch;
	p.included_branches = 1;
	p.trial_days = trial;
	p.created_at = 1700000000;
	if (plan_insert(db, &p) != 1)
		return -1;
	return p.id;
}

static struct payment
money_in(int64_t partner, int64_t amount, int64_t on, const char *provider)
{
	struct payment p;

	memset(&p, 0, sizeof(p));
	p.partner_id = partner;
	p.amount = amount;
	p.received_on = on;
	str_copy(p.source, sizeof(p.source), "manual");
	str_copy(p.provider_id, sizeof(p.provider_id), provider);
	p.recorded_by = 42;
	return p;
}

static void
test_subscribe_and_pay(struct db *db)
{
	struct subscription s;
	struct invoice inv, inv2;
	struct billing_outcome o;
	struct payment pay;
	struct plan plan;
	struct partner p;
	struct act acts[4];
	int64_t pid, today = day_of(2026, 1, 31), credit;

	pid = add_partner(db, "Ромашка", 3, 2);
	ok(add_plan(db, "start", 0, RUB(2990), RUB(990), 14) > 0, "plan start");
	plan_current(db, "start", &plan);
	partner_get(db, pid, &p);

	db_begin(db);
	is_int(billing_subscribe(NULL, db, &terms, &p, &plan, 0, today, 42, &s, &inv), 1,
	    "subscribe without a trial");
	db_commit(db);
	is_int(s.status, SUB_ACTIVE, "active at once");
	is_int(s.period_end, day_of(2026, 2, 28), "Jan 31 + 1 month = Feb 28");
	ok(inv.id > 0 && inv.status == INV_OPEN, "the first invoice is issued");
	is_str(inv.number, "2026-0001", "numbered in its year");
	is_int(inv.amount, RUB(2990 + 2 * 990), "base + 2 branches above the included one");
	is_int(inv.due_on, today + 10, "due after the payment terms");
	db_begin(db);
	is_int(billing_subscribe(NULL, db, &terms, &p, &plan, 0, today, 42, &s, &inv2), 0,
	    "a second live subscription is refused");
	db_rollback(db);

	/* part payment, then the rest and more: credit */
	pay = money_in(pid, RUB(1000), today, "");
	db_begin(db);
	is_int(billing_pay(NULL, db, &pay, 0, today, &o), 1, "part payment recorded");
	db_commit(db);
	is_int(o.nalloc, 1, "part payment: one invoice");
	is_int(o.alloc[0].left, RUB(3970), "part payment: what is left");
	is_int(o.paid, 0, "part payment: nothing paid in full");
	pay = money_in(pid, RUB(5000), today + 1, "bank-1");
	db_begin(db);
	is_int(billing_pay(NULL, db, &pay, 0, today + 1, &o), 1, "overpayment recorded");
	db_commit(db);
	is_int(o.paid, 1, "the invoice is paid");
	is_int(o.acts, 1, "its act is made");
	is_int(o.credit, RUB(1030), "the rest is credit");
	db_begin(db);
	is_int(billing_pay(NULL, db, &pay, 0, today + 1, &o), 0, "a replay of the provider id");
	db_rollback(db);
	billing_credit(db, pid, &credit);
	is_int(credit, RUB(1030), "a replay adds no credit");
	sub_live(db, pid, &s);
	is_int(s.paid_until, day_of(2026, 2, 28), "paid through the period");
	is_int(act_list(db, pid, acts, 4), 1, "one act");
	is_str(acts[0].number, "А-2026-0001", "the act's number");
	partner_get(db, pid, &p);
	is_int(p.paid_through, (day_of(2026, 2, 28) - 1) * 86400, "card: paid through Feb 27");
	is_str(p.plan, "start", "card: the plan");

	/* the renewal uses the credit, anchored on the 31st */
	db_begin(db);
	is_int(billing_issue_next(NULL, db, &terms, &s, 1, day_of(2026, 2, 21), 0, &inv), 1,
	    "renewal issued");
	db_commit(db);
	is_int(inv.period_start, day_of(2026, 2, 28), "renewal starts at the period end");
	is_int(inv.period_end, day_of(2026, 3, 31), "and ends on the anchor day, Mar 31");
	is_int(inv.paid, RUB(1030), "the credit went to it");
	db_begin(db);
	is_int(billing_issue_next(NULL, db, &terms, &s, 1, day_of(2026, 2, 21), 0, &inv2), 0,
	    "a second renewal while one is unpaid: the same invoice");
	db_rollback(db);
	is_int(inv2.id, inv.id, "…which is answered");

	/* a refund takes from credit only */
	pay = money_in(pid, -RUB(10), today + 2, "");
	str_copy(pay.reason, sizeof(pay.reason), "ошибка");
	db_begin(db);
	is_int(billing_pay(NULL, db, &pay, 0, today + 2, &o), 0, "no credit left: refund refused");
	db_rollback(db);

	/* void: the money on it returns to credit */
	db_begin(db);
	is_int(billing_void(NULL, db, &inv, "ошибка в счёте", day_of(2026, 2, 22)), 1, "voided");
	db_commit(db);
	billing_credit(db, pid, &credit);
	is_int(credit, RUB(1030), "void returns the allocation to credit");
	pay = money_in(pid, -RUB(30), today + 2, "");
	str_copy(pay.reason, sizeof(pay.reason), "возврат по заявлению");
	db_begin(db);
	is_int(billing_pay(NULL, db, &pay, 0, today + 2, &o), 1, "refund within credit");
	db_commit(db);
	is_int(o.credit, RUB(1000), "refund reduces credit");
	db_begin(db);
	is_int(billing_void(NULL, db, &inv, "again", day_of(2026, 2, 22)), 0,
	    "voiding twice: not open");
	db_rollback(db);
}

static void
test_dunning_restore(struct db *db)
{
	struct subscription s;
	struct invoice inv;
	struct billing_outcome o;
	struct payment pay;
	struct plan plan;
	struct partner p;
	int64_t a, b, c, today = day_of(2026, 4, 1);

	plan_current(db, "start", &plan);
	a = add_partner(db, "Василёк", 1, 1);
	b = add_partner(db, "Лютик", 1, 1);
	db_begin(db);
	partner_get(db, a, &p);
	billing_subscribe(NULL, db, &terms, &p, &plan, 0, today, 42, &s, &inv);
	partner_set_status(db, a, PARTNER_SUSPENDED, 0, "dunning", "счёт не оплачен", 1);
	partner_get(db, b, &p);
	billing_subscribe(NULL, db, &terms, &p, &plan, 0, today, 42, &s, &inv);
	partner_set_status(db, b, PARTNER_BLOCKED, 777, "", "решение менеджера", 1);
	db_commit(db);

	pay = money_in(a, RUB(2990), today + 20, "");
	db_begin(db);
	is_int(billing_pay(NULL, db, &pay, 0, today + 20, &o), 1, "payment of the suspended one");
	db_commit(db);
	ok(o.restored, "the dunning's suspension is lifted");
	partner_get(db, a, &p);
	is_int(p.status, PARTNER_ACTIVE, "active again");
	pay = money_in(b, RUB(2990), today + 20, "");
	db_begin(db);
	billing_pay(NULL, db, &pay, 0, today + 20, &o);
	db_commit(db);
	ok(!o.restored, "a hand block is not lifted by a payment");
	partner_get(db, b, &p);
	is_int(p.status, PARTNER_BLOCKED, "still blocked");

	/* a person suspended it, then the dunning blocked it: money undoes the block only */
	c = add_partner(db, "Ромашка-2", 1, 1);
	db_begin(db);
	partner_get(db, c, &p);
	billing_subscribe(NULL, db, &terms, &p, &plan, 0, today, 42, &s, &inv);
	partner_set_status(db, c, PARTNER_SUSPENDED, 777, "", "решение менеджера", 1);
	partner_set_status(db, c, PARTNER_BLOCKED, 0, "dunning", "счёт не оплачен", 2);
	db_commit(db);
	pay = money_in(c, RUB(2990), today + 20, "");
	db_begin(db);
	billing_pay(NULL, db, &pay, 0, today + 20, &o);
	db_commit(db);
	partner_get(db, c, &p);
	is_int(p.status, PARTNER_SUSPENDED, "the dunning's block undone, the person's suspension kept");
	ok(!o.restored, "…which is not a return to active");
}

static void
test_change_and_cancel(struct db *db)
{
	struct billing_change ch;
	struct subscription s;
	struct invoice inv;
	struct billing_outcome o;
	struct payment pay;
	struct plan start, pro, year;
	struct partner p;
	int64_t pid, today = day_of(2026, 6, 1), credit;

	add_plan(db, "pro", 0, RUB(5990), 0, 0);
	add_plan(db, "year", 1, RUB(29900), 0, 0);
	plan_current(db, "start", &start);
	plan_current(db, "pro", &pro);
	plan_current(db, "year", &year);
	pid = add_partner(db, "Одуванчик", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	billing_subscribe(NULL, db, &terms, &p, &start, 0, today, 42, &s, &inv);
	pay = money_in(pid, RUB(2990), today, "");
	billing_pay(NULL, db, &pay, 0, today, &o);
	db_commit(db);
	sub_live(db, pid, &s);

	/* June has 30 days; on June 16, 15 are left */
	ok(billing_change_preview(db, &s, &pro, &p, today + 15, &ch) == 0, "preview");
	is_int(ch.days_in_period, 30, "preview: 30 days");
	is_int(ch.days_left, 15, "preview: 15 left");
	is_int(ch.charge_now, RUB(5990) / 2 - RUB(2990) / 2, "preview: half the difference");
	is_int(ch.at_end_day, day_of(2026, 7, 1), "preview: at the end, July 1");
	db_begin(db);
	ok(billing_change_apply(NULL, db, &terms, &s, &pro, &p, 0, today + 15, 42, &inv) == 1,
	    "change at the period end");
	db_commit(db);
	is_int(s.next_plan_id, pro.id, "waits for the period end");
	is_int(s.plan_id, start.id, "the plan in force is unchanged");
	db_begin(db);
	billing_issue_next(NULL, db, &terms, &s, 1, today + 25, 0, &inv);
	db_commit(db);
	is_int(inv.amount, RUB(5990), "the renewal is priced with the new plan");

	db_begin(db);
	ok(billing_change_apply(NULL, db, &terms, &s, &pro, &p, 1, today + 15, 42, &inv) == 1,
	    "change now");
	db_commit(db);
	is_int(s.plan_id, pro.id, "switched");
	is_int(inv.kind, INV_KIND_CHANGE, "a proration invoice");
	is_int(inv.amount, RUB(1500), "for the difference of the days left");

	/* down to start now: the unused part of a paid period is credit */
	db_begin(db);
	pay = money_in(pid, RUB(1500), today + 15, "");
	billing_pay(NULL, db, &pay, 0, today + 15, &o);
	billing_credit(db, pid, &credit);
	ok(billing_change_apply(NULL, db, &terms, &s, &start, &p, 1, today + 20, 42, &inv) == 1,
	    "downgrade now");
	db_commit(db);
	billing_credit(db, pid, &credit);
	/* 10 of 30 days left: pro credit 1996,67, start charge 996,67 → 1000,00 back */
	is_int(credit, RUB(1000), "downgrade: the difference is credit, exact to the kopeck");

	/* to a yearly plan now: a fresh year from today */
	db_begin(db);
	ok(billing_change_apply(NULL, db, &terms, &s, &year, &p, 1, today + 20, 42, &inv) == 1,
	    "monthly → yearly now");
	db_commit(db);
	is_int(s.period_start, today + 20, "a fresh period from today");
	is_int(s.period_end, day_of(2027, 6, 21), "a year long");
	is_int(inv.amount, RUB(29900), "invoiced in full");

	db_begin(db);
	ok(billing_cancel(NULL, db, &s, "переходят на другую CRM", today + 21) == 0, "cancel");
	db_commit(db);
	ok(s.cancel_at_end && !s.autorenew, "cancel at the end, no renewal");
	is_str(s.cancel_reason, "переходят на другую CRM", "the reason is kept");
	is_int(s.status, SUB_ACTIVE, "still live until the period end");
}

static void
test_extend(struct db *db)
{
	struct subscription s;
	struct invoice inv;
	struct plan plan;
	struct partner p;
	int64_t pid, today = day_of(2026, 8, 1);

	plan_current(db, "start", &plan);
	pid = add_partner(db, "Мак", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	billing_subscribe(NULL, db, &terms, &p, &plan, 0, today, 42, &s, &inv);
	db_commit(db);
	db_begin(db);
	is_int(billing_extend(NULL, db, pid, 7, today + 3, 42), 0, "nothing overdue: no hold");
	inv.dunning = DUN_SUSPENDED;
	invoice_save(db, &inv);
	partner_set_status(db, pid, PARTNER_SUSPENDED, 0, "dunning", "не оплачен", 1);
	is_int(billing_extend(NULL, db, pid, 7, inv.due_on + 8, 42), 1, "held for 7 days");
	db_commit(db);
	invoice_get(db, inv.id, &inv);
	is_int(inv.hold_until, inv.due_on + 15, "hold until today + 7");
	is_int(inv.dunning, DUN_OVERDUE, "the suspension step is taken back");
	partner_get(db, pid, &p);
	is_int(p.status, PARTNER_ACTIVE, "the dunning's suspension is lifted");
	is_int(billing_dunning_due(&terms, inv.due_on, inv.hold_until, 0, inv.due_on + 14,
	    inv.dunning), DUN_OVERDUE, "no step during the hold");
	is_int(billing_dunning_due(&terms, inv.due_on, inv.hold_until, 0, inv.due_on + 15,
	    inv.dunning), DUN_BLOCKED, "after it the ladder goes on");
}

/* The cases a review found: each failed before its fix. */
static void
test_edges(struct db *db)
{
	struct billing_change ch;
	struct subscription s;
	struct invoice inv, renew, cur;
	struct billing_outcome o;
	struct payment pay;
	struct plan zero, start, year, trial;
	struct partner p;
	int64_t pid, today = day_of(2026, 3, 1), credit;

	/* a plan that is 0 ₽ at this size: its invoice is paid as issued, never chased */
	add_plan(db, "branch-only", 0, 0, RUB(500), 0);
	plan_current(db, "branch-only", &zero);
	pid = add_partner(db, "Ноль", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	is_int(billing_subscribe(NULL, db, &terms, &p, &zero, 0, today, 42, &s, &inv), 1,
	    "0 ₽: subscribed");
	db_commit(db);
	is_int(inv.status, INV_PAID, "0 ₽: the invoice is paid as issued");
	sub_live(db, pid, &s);
	is_int(s.paid_until, day_of(2026, 4, 1), "0 ₽: the period counts as paid");

	/* switching now during a trial voids the trial's renewal at the old plan */
	add_plan(db, "tr", 0, RUB(3100), 0, 14);
	plan_current(db, "tr", &trial);
	plan_current(db, "start", &start);
	pid = add_partner(db, "Пробник", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	billing_subscribe(NULL, db, &terms, &p, &trial, 1, today, 42, &s, &inv);
	is_int(billing_issue_next(NULL, db, &terms, &s, 1, today + 8, 0, &renew), 1,
	    "trial: its invoice is issued ahead");
	is_int(renew.due_on, today + 13, "trial: due on the trial's last day");
	is_int(billing_change_apply(NULL, db, &terms, &s, &start, &p, 1, today + 9, 42, &inv), 1,
	    "trial: switched now");
	db_commit(db);
	invoice_get(db, renew.id, &renew);
	is_int(renew.status, INV_VOID, "trial: the renewal at the old plan is voided");
	is_int(s.status, SUB_ACTIVE, "trial: over, a paid period starts today");
	is_int(inv.period_start, today + 9, "trial: the new invoice starts today");

	/* monthly → yearly now on the first day of a paid period */
	add_plan(db, "annual", 1, RUB(30000), 0, 0);
	plan_current(db, "annual", &year);
	pid = add_partner(db, "Годовой", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	billing_subscribe(NULL, db, &terms, &p, &start, 0, today, 42, &s, &inv);
	pay = money_in(pid, inv.amount, today, "");
	billing_pay(NULL, db, &pay, 0, today, &o);
	sub_live(db, pid, &s);
	is_int(billing_change_apply(NULL, db, &terms, &s, &year, &p, 1, today, 42, &inv), 1,
	    "month → year on the paid period's first day");
	db_commit(db);
	billing_credit(db, pid, &credit);
	is_int(inv.amount, RUB(30000), "the year is invoiced in full");
	is_int(inv.paid, RUB(2990), "the unused month is credited and goes to it");

	/* paying a later period first does not cover an unpaid one before it */
	pid = add_partner(db, "Вперёд", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	billing_subscribe(NULL, db, &terms, &p, &start, 0, today, 42, &s, &cur);
	billing_issue_next(NULL, db, &terms, &s, 1, today + 25, 0, &renew);
	pay = money_in(pid, renew.amount, today + 26, "");
	billing_pay(NULL, db, &pay, renew.id, today + 26, &o);
	db_commit(db);
	sub_live(db, pid, &s);
	is_int(s.paid_until, 0, "a later period paid first: nothing is paid through yet");
	db_begin(db);
	pay = money_in(pid, cur.amount, today + 27, "");
	billing_pay(NULL, db, &pay, 0, today + 27, &o);
	db_commit(db);
	sub_live(db, pid, &s);
	is_int(s.paid_until, day_of(2026, 5, 1), "then the first one: paid through both at once");

	/* periods paid beyond this one: switching now is refused */
	db_begin(db);
	ok(billing_change_preview(db, &s, &year, &p, today + 27, &ch) == 0 && ch.now_refused,
	    "prepaid periods: the preview says now is not possible");
	is_int(billing_change_apply(NULL, db, &terms, &s, &year, &p, 1, today + 27, 42, &inv), 0,
	    "prepaid periods: now is refused");
	db_rollback(db);

	/* an unpaid period switched now: the old plan's used days stay charged */
	add_plan(db, "big", 0, RUB(6200), 0, 0);
	plan_current(db, "big", &year);
	add_plan(db, "small", 0, RUB(3100), 0, 0);
	plan_current(db, "small", &trial);
	pid = add_partner(db, "Середина", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	billing_subscribe(NULL, db, &terms, &p, &trial, 0, today, 42, &s, &cur);
	ok(billing_change_preview(db, &s, &year, &p, today + 15, &ch) == 0, "unpaid: preview");
	is_str(ch.replaces, cur.number, "unpaid: the preview names the invoice it replaces");
	billing_change_apply(NULL, db, &terms, &s, &year, &p, 1, today + 15, 42, &inv);
	db_commit(db);
	invoice_get(db, cur.id, &cur);
	is_int(cur.status, INV_VOID, "unpaid: the old invoice is voided");
	is_int(inv.amount, pricing_prorate(RUB(3100), 15, 31) + pricing_prorate(RUB(6200), 16, 31),
	    "unpaid: 15 days of the old plan and 16 of the new one");
	is_int(inv.period_start, today, "unpaid: the invoice is the whole period again");

	/* auto-renewal off voids the renewal issued ahead */
	db_begin(db);
	sub_live(db, pid, &s);
	billing_issue_next(NULL, db, &terms, &s, 1, today + 25, 0, &renew);
	ok(billing_set_autorenew(NULL, db, &s, 0, today + 26) == 0, "autorenew off");
	db_commit(db);
	invoice_get(db, renew.id, &renew);
	is_int(renew.status, INV_VOID, "autorenew off: the renewal issued ahead is voided");

	/* a partner suspended when its trial ended is active again once subscribed and paid */
	pid = add_partner(db, "Вернулся", 1, 1);
	partner_get(db, pid, &p);
	db_begin(db);
	partner_set_status(db, pid, PARTNER_SUSPENDED, 0, "trial", "пробный без оплаты", 1);
	billing_subscribe(NULL, db, &terms, &p, &start, 0, today, 42, &s, &inv);
	pay = money_in(pid, inv.amount, today, "");
	billing_pay(NULL, db, &pay, 0, today, &o);
	db_commit(db);
	ok(o.restored, "suspended at a trial's end: restored by the new paid subscription");
}

int
main(void)
{
	struct db *db;
	char err[256];

	test_lines();
	test_dunning_days();

	if (testdb_setup("billing", "b.db") == -1)
		return 1;
	setenv("TZ", "UTC", 1);
	log_init(-1);
	if ((db = db_open(testdb_path, err, sizeof(err))) == NULL) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	test_subscribe_and_pay(db);
	test_dunning_restore(db);
	test_change_and_cancel(db);
	test_extend(db);
	test_edges(db);
	db_close(db);
	testdb_cleanup();
	return done_testing();
}
