/*
 * plan_change.c — what a subscription is billed next: /plan_change (a proration preview, then at
 * the period end or now) and /renew for N periods. Their rows are in subscription_view.c's tables;
 * the pending actions and their buttons (cpk, cok) work as billing_view.h says.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/billing/billing_view.h"

#define SUBPLAN_RENEW_MAX 12	/* periods one manual renewal may cover */

/* ---- /plan_change ---------------------------------------------------------------------- */

/* The plan change a pending action names: the subscription, both plans, the preview. 1 ok,
 * 0 answered (the pending action ended). */
static int
plan_change_change_load(struct ctx *c, const struct partner *p, struct subscription *s,
    struct plan *from, struct plan *to, struct billing_change *ch)
{
	int r;

	if ((r = billing_view_pending_plan(c, to)) != 1 || (r = billing_view_live_sub(c, p, s)) != 1)
		return r;
	if (plan_get(c->db, s->plan_id, from) != 1)
		return -1;
	if (from->id == to->id) {
		if (billing_view_end(c) == -1)
			return -1;
		return billing_view_say(c, TR(c, "Партнёр уже на этом тарифе.",
		    "The partner is on this plan already.")) == -1 ? -1 : 0;
	}
	if (billing_change_preview(c->db, s, to, p, billing_view_today(c), ch) == -1)
		return -1;
	return 1;
}

/* What switching now gives back: the unused days of a paid period, less a charge of the same
 * length (a fresh period is invoiced in full and the credit comes separately). */
static int64_t
plan_change_credit(const struct billing_change *ch)
{
	if (ch->fresh_period)
		return ch->credit_now;
	return ch->charge_now < 0 ? -ch->charge_now : 0;
}

static int
plan_change_change_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_change ch;
	struct subscription s;
	struct plan from, to;
	struct buf b, label, nowl;
	struct kb k;
	int64_t now = 0;
	int r;

	if ((r = plan_change_change_load(c, p, &s, &from, &to, &ch)) != 1)
		return r;
	if (billing_view_get_i64(c, "now", &now) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔁 <b>Смена тарифа</b> · ", "🔁 <b>Plan change</b> · "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · #%lld\n", (long long)p->id);
	billing_view_plan_name(&b, &from);
	buf_adds(&b, " → ");
	billing_view_plan_name(&b, &to);
	buf_adds(&b, TR(c, "\nЦена за период: ", "\nPrice per period: "));
	billing_view_money(&b, ch.old_amount);
	buf_printf(&b, "/%s → ", billing_view_period_word(c, from.yearly));
	billing_view_money(&b, ch.new_amount);
	buf_printf(&b, "/%s", billing_view_period_word(c, to.yearly));
	buf_printf(&b, TR(c, "\nОсталось дней в периоде: %lld из %lld",
	    "\nDays left in the period: %lld of %lld"), (long long)ch.days_left,
	    (long long)ch.days_in_period);
	buf_adds(&b, TR(c, "\n\n• С конца периода: новый тариф с ", "\n\n• At the period end: "
	    "the new plan from "));
	billing_view_day(&b, ch.at_end_day);
	buf_adds(&b, TR(c, ", без перерасчёта.", ", no proration."));
	buf_adds(&b, TR(c, "\n• Сейчас: ", "\n• Now: "));
	if (ch.now_refused) {
		buf_adds(&b, TR(c, "нельзя: следующие периоды уже оплачены по старому тарифу — "
		    "смена только с конца периода.", "not possible: later periods are paid at the "
		    "old price already, so only at the period end."));
	} else if (ch.fresh_period) {
		buf_adds(&b, TR(c, "новый период с сегодняшнего дня (меняется длина периода или "
		    "кончается пробный), счёт на ", "a new period from today (the period length "
		    "changes or the trial ends), an invoice for "));
		billing_view_money(&b, ch.charge_now + ch.credit_now);
		buf_addc(&b, '.');
	} else if (ch.charge_now > 0) {
		buf_adds(&b, TR(c, "доплата ", "a charge of "));
		billing_view_money(&b, ch.charge_now);
		buf_adds(&b, TR(c, " (счёт сегодня).", " (invoiced today)."));
	} else if (ch.charge_now == 0)
		buf_adds(&b, TR(c, "без доплаты.", "nothing to pay."));
	if (!ch.now_refused && plan_change_credit(&ch) > 0) {
		buf_adds(&b, ch.fresh_period || ch.charge_now > 0 ? " " : "");
		billing_view_money(&b, plan_change_credit(&ch));
		buf_adds(&b, TR(c, " за неиспользованные дни вернётся на баланс партнёра.",
		    " for the unused days goes to the partner's credit."));
	}
	if (!ch.now_refused && ch.replaces[0] != '\0') {
		buf_adds(&b, TR(c, " Неоплаченный счёт ", " The unpaid invoice "));
		buf_add_html(&b, ch.replaces);
		buf_adds(&b, TR(c, " будет аннулирован: дни по старому тарифу войдут в новый счёт.",
		    " is voided: the days on the old plan go on the new invoice."));
	}
	if (s.next_plan_id > 0)
		buf_adds(&b, TR(c, "\n(уже запланированная смена тарифа будет заменена)",
		    "\n(the change already planned is replaced)"));
	kb_init(&k);
	buf_init(&label, 0);
	buf_adds(&label, TR(c, "С конца периода (", "At the period end ("));
	billing_view_day(&label, ch.at_end_day);
	buf_adds(&label, ")");
	buf_init(&nowl, 0);
	buf_adds(&nowl, TR(c, "Сейчас, с перерасчётом (", "Now, prorated ("));
	billing_view_money(&nowl, ch.charge_now);
	buf_adds(&nowl, ")");
	/* the option the command asked for comes first */
	if (ch.now_refused)
		now = 0;
	billing_view_yes(c, &k, "cok", p->id, now ? 1 : 0, now ? nowl.ptr : label.ptr);
	kb_row(&k);
	if (!ch.now_refused) {
		billing_view_yes(c, &k, "cok", p->id, now ? 0 : 1, now ? label.ptr : nowl.ptr);
		kb_row(&k);
	}
	buf_release(&label);
	buf_release(&nowl);
	billing_view_no(c, &k);
	return billing_view_ask(c, p, &b, &k);
}

static int
plan_change_change_apply(struct ctx *c, const struct partner *p, int now)
{
	struct billing_change ch;
	struct billing_terms t;
	struct subscription s;
	struct plan from, to;
	struct invoice inv;
	struct buf b, d;
	struct kb k;
	int r;

	if ((r = plan_change_change_load(c, p, &s, &from, &to, &ch)) != 1)
		return r;
	billing_terms_of(c->cfg, &t);
	memset(&inv, 0, sizeof(inv));
	if ((r = billing_change_apply(c->app, c->db, &t, &s, &to, p, now, billing_view_today(c),
	    c->user_id, &inv)) == -1)
		return -1;
	if (r == 0)
		return billing_view_say(c, TR(c, "Сменить тариф сейчас нельзя: следующие периоды уже "
		    "оплачены по старому тарифу. Смена возможна с конца периода.", "The plan cannot "
		    "change now: later periods are paid at the old price. Change it at the period "
		    "end.")) == -1 ? -1 : 0;
	buf_init(&d, 1000);
	buf_printf(&d, "%s v%d → %s v%d, %s", from.code, from.version, to.code, to.version,
	    now ? "now" : "at the period end");
	if (now)
		buf_printf(&d, ", charge=%lld", (long long)ch.charge_now);
	if (inv.id > 0)
		buf_printf(&d, ", invoice=%s", inv.number);
	r = billing_view_changed(c, p->id, "subscription.change", "", d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, "✅ ");
	buf_add_html(&b, p->name);
	buf_adds(&b, ": ");
	billing_view_plan_name(&b, &to);
	if (!now) {
		buf_adds(&b, TR(c, " — с ", " from "));
		billing_view_day(&b, ch.at_end_day);
		buf_adds(&b, TR(c, ", с конца текущего периода.", ", the end of this period."));
	} else {
		buf_adds(&b, TR(c, " — с сегодняшнего дня.", " from today."));
		if (plan_change_credit(&ch) > 0) {
			buf_adds(&b, TR(c, "\nНа баланс зачислено ", "\nCredited: "));
			billing_view_money(&b, plan_change_credit(&ch));
			buf_addc(&b, '.');
		}
	}
	if (inv.id > 0)
		billing_view_invoice_issued(c, &b, &inv);
	billing_view_result_buttons(c, &k, &inv, p->id);
	return billing_view_send(c, &b, &k);
}

/* /plan_change <partner> <plan> [now|сейчас] */
int
plan_change_change_cmd(struct ctx *c)
{
	char ref[128], code[64], opt[64];
	struct partner p;
	struct plan pl;
	int r, now;

	view_word(view_word(view_word(c->args, ref, sizeof(ref)), code, sizeof(code)), opt,
	    sizeof(opt));
	now = strcmp(opt, "now") == 0 || strcmp(opt, "сейчас") == 0;
	if (opt[0] && !now)
		return billing_view_say(c, TR(c, "Третье слово — <code>now</code> (<code>сейчас</code>) "
		    "или ничего. Пример: <code>/plan_change romashka pro сейчас</code>",
		    "The third word is <code>now</code> or nothing. Example: <code>/plan_change "
		    "romashka pro now</code>"));
	if ((r = billing_view_plan_arg(c, code, &pl)) != 1)
		return r;
	if (billing_view_begin(c, "bill_change", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put_i64(c, "plan", pl.id) == -1 || billing_view_put_i64(c, "now", now) == -1)
		return -1;
	if ((r = billing_view_pick(c, ref, &p, "cpk")) != 1)
		return r;
	return plan_change_change_proceed(c, &p);
}

/* ---- /renew ---------------------------------------------------------------------------- */

/* Where billing_issue_next starts: the period end, past periods already paid walked over.
 * 1 with *start; 0 an unpaid invoice is there already (in *open). */
static int
plan_change_renew_start(struct ctx *c, const struct subscription *s, int64_t *start,
    struct invoice *open)
{
	int r;

	*start = s->period_end;
	while ((r = invoice_for_period(c->db, s->id, *start, open)) == 1) {
		if (open->status == INV_OPEN)
			return 0;
		if (open->period_end <= *start)
			return -1;
		*start = open->period_end;
	}
	return r == -1 ? -1 : 1;
}

static int
plan_change_renew_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_terms t;
	struct subscription s;
	struct invoice open;
	struct plan pl;
	int64_t periods, start, amount;
	struct buf b;
	int r;

	if ((r = billing_view_live_sub(c, p, &s)) != 1)
		return r;
	if (billing_view_get_i64(c, "periods", &periods) != 1)
		return -1;
	if (s.cancel_at_end) {
		if (billing_view_end(c) == -1)
			return -1;
		return billing_view_say(c, TR(c, "Подписка отменена с конца периода: продлевать нечего. "
		    "Новая подписка: /subscribe.", "The subscription is cancelled at the period end: "
		    "nothing to renew. A new one: /subscribe.")) == -1 ? -1 : 0;
	}
	if (plan_get(c->db, s.next_plan_id > 0 ? s.next_plan_id : s.plan_id, &pl) != 1 ||
	    (r = plan_change_renew_start(c, &s, &start, &open)) == -1)
		return -1;
	if (r == 0) {
		if (billing_view_end(c) == -1)
			return -1;
		buf_init(&b, 0);
		buf_adds(&b, TR(c, "⚠️ Счёт за следующий период уже выставлен и не оплачен: <b>",
		    "⚠️ The next period's invoice is issued and unpaid: <b>"));
		buf_add_html(&b, open.number);
		buf_adds(&b, TR(c, "</b>. Сначала оплата: <code>/pay ", "</b>. Payment first: "
		    "<code>/pay "));
		buf_add_html(&b, open.number);
		buf_adds(&b, TR(c, " сумма</code>", " amount</code>"));
		return billing_view_send(c, &b, NULL) == -1 ? -1 : 0;
	}
	billing_terms_of(c->cfg, &t);
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔄 <b>Продление</b> · ", "🔄 <b>Renewal</b> · "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "\nТариф: ", "\nPlan: "));
	billing_view_plan_name(&b, &pl);
	buf_printf(&b, TR(c, "\nПериодов: %lld, ", "\nPeriods: %lld, "), (long long)periods);
	billing_view_period(&b, start, pricing_add_months(start, (int)periods * (pl.yearly ? 12 : 1),
	    s.anchor_dom));
	if (billing_view_lines(c, &b, &pl, p, (int)periods, &amount) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_adds(&b, TR(c, "\nСумма счёта: ", "\nInvoice total: "));
	billing_view_money(&b, amount);
	buf_adds(&b, TR(c, ", срок оплаты ", ", due "));
	billing_view_day(&b, billing_view_today(c) + t.payment_terms_days);
	buf_adds(&b, TR(c, " (баланс партнёра будет зачтён).", " (the partner's credit applies)."));
	return billing_view_ask_yes(c, p, &b, "cok", TR(c, "✅ Выставить счёт", "✅ Issue the invoice"));
}

static int
plan_change_renew_apply(struct ctx *c, const struct partner *p, int option)
{
	struct billing_terms t;
	struct subscription s;
	struct invoice inv;
	int64_t periods;
	struct buf b;
	struct kb k;
	char d[128];
	int r;

	(void)option;
	if ((r = billing_view_live_sub(c, p, &s)) != 1)
		return r;
	if (billing_view_get_i64(c, "periods", &periods) != 1)
		return -1;
	billing_terms_of(c->cfg, &t);
	memset(&inv, 0, sizeof(inv));
	r = billing_issue_next(c->app, c->db, &t, &s, (int)periods, billing_view_today(c), c->user_id,
	    &inv);
	if (r == -1)
		return -1;
	snprintf(d, sizeof(d), "periods=%lld invoice=%s amount=%lld%s", (long long)periods,
	    inv.number, (long long)inv.amount, r == 0 ? " (existed)" : "");
	if (r == 1 && billing_view_changed(c, p->id, "subscription.renew", "", d) == -1)
		return -1;
	buf_init(&b, 0);
	if (r == 0) {
		buf_adds(&b, TR(c, "Счёт за этот период уже выставлен: <b>", "The invoice for this "
		    "period exists already: <b>"));
		buf_add_html(&b, inv.number);
		buf_adds(&b, "</b>.");
	} else {
		buf_adds(&b, TR(c, "✅ Продление: ", "✅ Renewal: "));
		buf_add_html(&b, p->name);
		buf_adds(&b, ", ");
		billing_view_period(&b, inv.period_start, inv.period_end);
		buf_addc(&b, '.');
		billing_view_invoice_issued(c, &b, &inv);
	}
	billing_view_result_buttons(c, &k, &inv, p->id);
	return billing_view_send(c, &b, &k);
}

/* /renew <partner> [N] */
int
plan_change_renew_cmd(struct ctx *c)
{
	char ref[128], num[32];
	struct partner p;
	int64_t n = 1;
	int r;

	view_word(view_word(c->args, ref, sizeof(ref)), num, sizeof(num));
	if (num[0] && (str_to_i64(num, &n) == -1 || n < 1 || n > SUBPLAN_RENEW_MAX))
		return billing_view_say(c, TR(c, "Число периодов — от 1 до 12. Пример: <code>/renew "
		    "romashka 3</code>", "The number of periods is 1 to 12. Example: <code>/renew "
		    "romashka 3</code>"));
	if (billing_view_begin(c, "bill_renew", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put_i64(c, "periods", n) == -1)
		return -1;
	if ((r = billing_view_pick(c, ref, &p, "cpk")) != 1)
		return r;
	return plan_change_renew_proceed(c, &p);
}

static const struct billing_view_flow plan_change_flows[] = {
	{ "bill_change", plan_change_change_proceed, plan_change_change_apply },
	{ "bill_renew", plan_change_renew_proceed, plan_change_renew_apply },
	{ NULL, NULL, NULL },
};

int
plan_change_pick_btn(struct ctx *c)
{
	return billing_view_pick_btn(c, plan_change_flows);
}

int
plan_change_confirm_btn(struct ctx *c)
{
	return billing_view_confirm_btn(c, plan_change_flows);
}
