/*
 * subscription_view.c — a partner's subscription as billing staff run it from Telegram:
 * /subscribe, /autorenew, /cancel_subscription (at the period end, with a reason), the
 * /subscription card, and the billing lines of the partner's card; /plan_change and /renew
 * are in plan_change.c (their rows are here). The rules of money live in
 * billing_rules.c; here are the texts, the confirmations and the audit of who did what.
 *
 * Every change asks to confirm (except /autorenew, a switch), and the pending action waits in
 * the person's dialog row (billing_view.h). Changes are billing's and superadmins'; the card is
 * partner data: support reads it inside a ticket session, developers never.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/billing/billing_view.h"

#define SUBS_HISTORY_MAX 10
#define SUBS_REASON_MAX 500	/* bytes of a cancellation reason */

/* ---- /subscribe ------------------------------------------------------------------------ */

static int
subs_subscribe_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_terms t;
	struct subscription s;
	struct plan pl;
	int64_t trial, credit, amount, today = billing_view_today(c);
	struct buf b;
	int r;

	if ((r = billing_view_pending_plan(c, &pl)) != 1)
		return r;
	if (billing_view_get_i64(c, "trial", &trial) == -1 || (r = sub_live(c->db, p->id, &s)) == -1)
		return -1;
	buf_init(&b, 0);
	if (r == 1 || p->status == PARTNER_ARCHIVED) {
		if (billing_view_end(c) == -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, TR(c, "⚠️ Партнёр «", "⚠️ “"));
		buf_add_html(&b, p->name);
		if (p->status == PARTNER_ARCHIVED && r == 0) {
			buf_adds(&b, TR(c, "» в архиве: подписку не оформить.",
			    "” is archived: no subscription."));
			return billing_view_send(c, &b, NULL);
		}
		buf_printf(&b, TR(c, "» уже подписан (%s). Сменить тариф: <code>/plan_change %lld %s"
		    "</code>; подписка: <code>/subscription %lld</code>", "” already has a "
		    "subscription (%s). Change the plan: <code>/plan_change %lld %s</code>; see it: "
		    "<code>/subscription %lld</code>"), billing_view_sub_status(c, s.status),
		    (long long)p->id, pl.code, (long long)p->id);
		return billing_view_send(c, &b, NULL);
	}
	billing_terms_of(c->cfg, &t);
	buf_adds(&b, TR(c, "📝 <b>Подписка</b> · ", "📝 <b>Subscription</b> · "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · #%lld\n", (long long)p->id);
	buf_adds(&b, TR(c, "Тариф: ", "Plan: "));
	billing_view_plan_name(&b, &pl);
	buf_printf(&b, TR(c, "\nЦена за период при %lld фил. и %lld польз.:",
	    "\nPrice per period at %lld branches and %lld users:"), (long long)p->branches,
	    (long long)p->users);
	if (billing_view_lines(c, &b, &pl, p, 1, &amount) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_adds(&b, TR(c, "\nИтого: ", "\nTotal: "));
	billing_view_money(&b, amount);
	buf_printf(&b, "/%s\n", billing_view_period_word(c, pl.yearly));
	if (trial && pl.trial_days > 0) {
		buf_printf(&b, TR(c, "Пробный период: %d дн., по ", "Trial: %d days, through "),
		    pl.trial_days);
		billing_view_through(&b, today + pl.trial_days);
		buf_adds(&b, TR(c, ". Счёт — перед его концом.", ". The invoice comes before it "
		    "ends."));
	} else {
		if (trial)
			buf_adds(&b, TR(c, "У тарифа нет пробного периода.\n",
			    "The plan has no trial.\n"));
		buf_adds(&b, TR(c, "Первый период: ", "First period: "));
		billing_view_period(&b, today, pricing_period_end(today, pl.yearly));
		buf_adds(&b, TR(c, "\nСчёт выставится сразу, срок оплаты ",
		    "\nThe invoice is issued now, due "));
		billing_view_day(&b, today + t.payment_terms_days);
		buf_adds(&b, ".");
		if (billing_credit(c->db, p->id, &credit) == -1) {
			buf_release(&b);
			return -1;
		}
		if (credit > 0) {
			buf_adds(&b, TR(c, "\nС баланса партнёра будет зачтено до ",
			    "\nUp to "));
			billing_view_money(&b, credit);
			buf_adds(&b, TR(c, ".", " of the partner's credit is applied."));
		}
	}
	return billing_view_ask_yes(c, p, &b, "sok", TR(c, "✅ Оформить", "✅ Subscribe"));
}

static int
subs_subscribe_apply(struct ctx *c, const struct partner *p, int option)
{
	struct billing_terms t;
	struct subscription s;
	struct invoice inv;
	struct plan pl;
	struct buf b, d;
	struct kb k;
	int64_t trial;
	int r;

	(void)option;
	if ((r = billing_view_pending_plan(c, &pl)) != 1)
		return r;
	if (billing_view_get_i64(c, "trial", &trial) == -1)
		return -1;
	billing_terms_of(c->cfg, &t);
	memset(&inv, 0, sizeof(inv));
	r = billing_subscribe(c->app, c->db, &t, p, &pl, trial != 0, billing_view_today(c),
	    c->user_id, &s, &inv);
	if (r == -1)
		return -1;
	if (r == 0)
		return billing_view_say(c, TR(c, "У партнёра уже есть подписка: /plan_change меняет тариф.",
		    "The partner already has a subscription: /plan_change changes the plan."));
	buf_init(&d, 1000);
	buf_printf(&d, "plan=%s v%d trial=%d", pl.code, pl.version, s.status == SUB_TRIALING);
	if (inv.id > 0)
		buf_printf(&d, " invoice=%s amount=%lld", inv.number, (long long)inv.amount);
	r = billing_view_changed(c, p->id, "subscription.create", "", d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✅ Подписка оформлена: ", "✅ Subscribed: "));
	buf_add_html(&b, p->name);
	buf_adds(&b, " → ");
	billing_view_plan_name(&b, &pl);
	buf_addc(&b, '.');
	if (s.status == SUB_TRIALING) {
		buf_adds(&b, TR(c, "\nПробный период по ", "\nTrial through "));
		billing_view_through(&b, s.trial_end > 0 ? s.trial_end : s.period_end);
		buf_addc(&b, '.');
	}
	if (inv.id > 0)
		billing_view_invoice_issued(c, &b, &inv);
	billing_view_result_buttons(c, &k, &inv, p->id);
	return billing_view_send(c, &b, &k);
}

/* /subscribe <partner> <plan> [trial|без_пробного] */
static int
subs_subscribe_cmd(struct ctx *c)
{
	char ref[128], code[64], opt[64];
	struct partner p;
	struct plan pl;
	int r, trial;

	view_word(view_word(view_word(c->args, ref, sizeof(ref)), code, sizeof(code)), opt,
	    sizeof(opt));
	if (opt[0] == '\0' || strcmp(opt, "trial") == 0 || strcmp(opt, "пробный") == 0)
		trial = 1;
	else if (strcmp(opt, "без_пробного") == 0 || strcmp(opt, "no_trial") == 0 ||
	    strcmp(opt, "notrial") == 0 || strcmp(opt, "без-пробного") == 0)
		trial = 0;
	else
		return billing_view_say(c, TR(c, "Третье слово — <code>trial</code> (пробный период, "
		    "по умолчанию) или <code>без_пробного</code>. Пример: <code>/subscribe romashka "
		    "start без_пробного</code>", "The third word is <code>trial</code> (the default) "
		    "or <code>no_trial</code>. Example: <code>/subscribe romashka start no_trial"
		    "</code>"));
	if ((r = billing_view_plan_arg(c, code, &pl)) != 1)
		return r;
	if (billing_view_begin(c, "bill_subscribe", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put_i64(c, "plan", pl.id) == -1 || billing_view_put_i64(c, "trial", trial) == -1)
		return -1;
	if ((r = billing_view_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_subscribe_proceed(c, &p);
}

/* ---- /autorenew ------------------------------------------------------------------------ */

/* A switch: no confirmation. */
static int
subs_autorenew_proceed(struct ctx *c, const struct partner *p)
{
	struct subscription s;
	struct buf b;
	int64_t on;
	int r;

	if ((r = billing_view_live_sub(c, p, &s)) != 1)
		return r;
	if (billing_view_get_i64(c, "on", &on) != 1 || billing_view_end(c) == -1)
		return -1;
	buf_init(&b, 0);
	if (s.autorenew != (int)on) {
		/* off: a renewal invoice already issued and unpaid is voided */
		if (billing_set_autorenew(c->app, c->db, &s, (int)on, billing_view_today(c)) == -1 ||
		    billing_view_changed(c, p->id, "subscription.autorenew", "",
		    on ? "autorenew on" : "autorenew off") == -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, on ? TR(c, "✅ Автопродление включено: ", "✅ Auto-renewal on: ") :
		    TR(c, "✅ Автопродление выключено: ", "✅ Auto-renewal off: "));
	} else
		buf_adds(&b, on ? TR(c, "Автопродление уже включено: ", "Auto-renewal is on already: ") :
		    TR(c, "Автопродление уже выключено: ", "Auto-renewal is off already: "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, ". Текущий период по ", ". This period runs through "));
	billing_view_through(&b, s.period_end);
	buf_adds(&b, on ? TR(c, "; следующий счёт выставится заранее.",
	    "; the next invoice comes ahead of its end.") :
	    TR(c, "; новых счетов не будет — продлить вручную: /renew.",
	    "; no more invoices: renew by hand with /renew."));
	return billing_view_send(c, &b, NULL);
}

/* /autorenew <partner> on|off */
static int
subs_autorenew_cmd(struct ctx *c)
{
	char ref[128], opt[64];
	struct partner p;
	int r, on;

	view_word(view_word(c->args, ref, sizeof(ref)), opt, sizeof(opt));
	if (strcmp(opt, "on") == 0 || strcmp(opt, "вкл") == 0)
		on = 1;
	else if (strcmp(opt, "off") == 0 || strcmp(opt, "выкл") == 0)
		on = 0;
	else
		return billing_view_say(c, TR(c, "Второе слово — <code>on</code> или <code>off</code> "
		    "(<code>вкл</code>, <code>выкл</code>). Пример: <code>/autorenew romashka выкл"
		    "</code>", "The second word is <code>on</code> or <code>off</code>. Example: "
		    "<code>/autorenew romashka off</code>"));
	if (billing_view_begin(c, "bill_autorenew", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put_i64(c, "on", on) == -1)
		return -1;
	if ((r = billing_view_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_autorenew_proceed(c, &p);
}

/* ---- /cancel_subscription -------------------------------------------------------------- */

static int
subs_cancel_proceed(struct ctx *c, const struct partner *p)
{
	char reason[SUBS_REASON_MAX + 1];
	struct subscription s;
	struct buf b;
	int r;

	if ((r = billing_view_live_sub(c, p, &s)) != 1)
		return r;
	if (billing_view_get(c, "reason", reason, sizeof(reason)) == -1)
		return -1;
	buf_init(&b, 0);
	if (s.cancel_at_end) {
		if (billing_view_end(c) == -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, TR(c, "Подписка уже отменена и закончится ", "The subscription is "
		    "cancelled already and ends "));
		billing_view_day(&b, s.period_end);
		buf_addc(&b, '.');
		return billing_view_send(c, &b, NULL);
	}
	buf_adds(&b, TR(c, "❗️ <b>Отмена подписки</b> · ", "❗️ <b>Cancel the subscription</b> · "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "\nПодписка закончится в конце периода: последний день ",
	    "\nIt ends with this period: the last day is "));
	billing_view_through(&b, s.period_end);
	buf_adds(&b, TR(c, ". Продлений не будет; счёт за следующий период, если он уже выставлен, "
	    "будет аннулирован.", ". No renewal; an invoice already issued for the next period is "
	    "voided."));
	buf_adds(&b, TR(c, "\nПричина: ", "\nReason: "));
	buf_add_html(&b, reason);
	return billing_view_ask_yes(c, p, &b, "sok", TR(c, "Да, отменить", "Yes, cancel it"));
}

static int
subs_cancel_apply(struct ctx *c, const struct partner *p, int option)
{
	char reason[SUBS_REASON_MAX + 1];
	struct subscription s;
	struct buf b;
	int r;

	(void)option;
	if ((r = billing_view_live_sub(c, p, &s)) != 1)
		return r;
	if (billing_view_get(c, "reason", reason, sizeof(reason)) == -1 ||
	    billing_cancel(c->app, c->db, &s, reason, billing_view_today(c)) == -1 ||
	    billing_view_changed(c, p->id, "subscription.cancel", reason, "at the period end") == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✅ Подписка отменена: ", "✅ Cancelled: "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, ". Последний день — ", ". The last day is "));
	billing_view_through(&b, s.period_end);
	buf_addc(&b, '.');
	return billing_view_send(c, &b, NULL);
}

/* /cancel_subscription <partner> <reason…> */
static int
subs_cancel_cmd(struct ctx *c)
{
	char ref[128];
	const char *reason;
	struct partner p;
	int r;

	reason = view_word(c->args, ref, sizeof(ref));
	if (strlen(reason) > SUBS_REASON_MAX)
		return billing_view_say(c, TR(c, "Причина: до 500 символов.",
		    "Reason: 500 characters at most."));
	if (billing_view_begin(c, "bill_cancel", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put(c, "reason", reason) == -1)
		return -1;
	if ((r = billing_view_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_cancel_proceed(c, &p);
}

/* ---- the subscription card and the partner card's lines -------------------------------- */

/* "долг 12 500,00 ₽ (просрочено 5 000,00 ₽)", "аванс 1 000,00 ₽", "0,00 ₽" */
static void
subs_balance(struct ctx *c, struct buf *b, const struct billing_summary *s)
{
	if (s->owed > 0) {
		buf_adds(b, TR(c, "долг ", "owed "));
		billing_view_money(b, s->owed);
		if (s->overdue > 0) {
			buf_adds(b, TR(c, " (⚠️ просрочено ", " (⚠️ overdue "));
			billing_view_money(b, s->overdue);
			buf_adds(b, ")");
		}
	}
	if (s->credit > 0) {
		buf_adds(b, s->owed > 0 ? "; " : "");
		buf_adds(b, TR(c, "аванс ", "credit "));
		billing_view_money(b, s->credit);
	}
	if (s->owed <= 0 && s->credit <= 0)
		billing_view_money(b, 0);
}

/* The next payment: the oldest open invoice's due day, else the date the partner row keeps. */
static int64_t
subs_next_payment(const struct billing_summary *s, const struct partner *p)
{
	if (s->next_due > 0)
		return s->next_due;
	return p->next_payment_on > 0 ? p->next_payment_on / 86400 : 0;
}

void
billing_card_lines(struct ctx *c, const struct partner *p, struct buf *b)
{
	struct billing_summary s;

	/* developers never read billing: not even the plan's name or whether it is paid */
	if (!billing_may_read(c))
		return;
	buf_adds(b, TR(c, "Тариф: ", "Plan: "));
	if (billing_summary(c->db, p, billing_view_today(c), &s) == -1) {
		log_warn("partner %lld: billing summary failed", (long long)p->id);
		buf_adds(b, "?\n");
		return;
	}
	if (!s.has_sub)
		buf_adds(b, TR(c, "— (подписки нет)", "— (no subscription)"));
	else {
		buf_add_html(b, s.plan.name);
		buf_adds(b, " · ");
		billing_view_money(b, s.price);
		buf_printf(b, "/%s", billing_view_period_word(c, s.plan.yearly));
		buf_printf(b, " · %s", billing_view_sub_status(c, s.sub.status));
		if (s.sub.status == SUB_TRIALING) {
			buf_adds(b, TR(c, "\nПробный период по ", "\nTrial through "));
			billing_view_through(b, s.sub.trial_end > 0 ? s.sub.trial_end : s.sub.period_end);
		} else {
			buf_adds(b, TR(c, "\nОплачено по: ", "\nPaid through: "));
			billing_view_through(b, s.sub.paid_until);
		}
		buf_adds(b, TR(c, " · следующий платёж: ", " · next payment: "));
		if (s.sub.cancel_at_end && s.next_due == 0)
			buf_adds(b, "—");
		else
			billing_view_day(b, subs_next_payment(&s, p));
	}
	if (s.has_sub || s.owed > 0 || s.credit > 0) {
		buf_adds(b, TR(c, "\nБаланс: ", "\nBalance: "));
		subs_balance(c, b, &s);
	}
	buf_addc(b, '\n');
}

/* The subscription card: the live one in full, then the history. */
static int
subs_show(struct ctx *c, const struct partner *p)
{
	struct subscription hist[SUBS_HISTORY_MAX];
	struct billing_summary s;
	struct plan pl;
	struct buf b;
	struct kb k;
	int r, n, i;

	if ((r = billing_view_read_gate(c, p, "subscription")) != 1)
		return r;
	if (billing_summary(c->db, p, billing_view_today(c), &s) == -1 ||
	    (n = sub_history(c->db, p->id, hist, SUBS_HISTORY_MAX)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "📄 <b>Подписка</b> · ", "📄 <b>Subscription</b> · "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · #%lld\n", (long long)p->id);
	if (!s.has_sub)
		buf_printf(&b, TR(c, "Действующей подписки нет. Оформить: <code>/subscribe %lld "
		    "&lt;тариф&gt;</code>\n", "No live subscription. Start one: <code>/subscribe "
		    "%lld &lt;plan&gt;</code>\n"), (long long)p->id);
	else {
		buf_adds(&b, TR(c, "Тариф: ", "Plan: "));
		billing_view_plan_name(&b, &s.plan);
		buf_adds(&b, " · ");
		billing_view_money(&b, s.price);
		buf_printf(&b, "/%s\n", billing_view_period_word(c, s.plan.yearly));
		buf_printf(&b, TR(c, "Статус: %s\nПериод: ", "Status: %s\nPeriod: "),
		    billing_view_sub_status(c, s.sub.status));
		billing_view_period(&b, s.sub.period_start, s.sub.period_end);
		if (s.sub.trial_end > 0) {
			buf_adds(&b, TR(c, "\nПробный период по: ", "\nTrial through: "));
			billing_view_through(&b, s.sub.trial_end);
		}
		buf_adds(&b, TR(c, "\nОплачено по: ", "\nPaid through: "));
		billing_view_through(&b, s.sub.paid_until);
		buf_adds(&b, s.sub.autorenew ? TR(c, "\nАвтопродление: вкл", "\nAuto-renewal: on") :
		    TR(c, "\nАвтопродление: выкл", "\nAuto-renewal: off"));
		if (s.sub.next_plan_id > 0 && plan_get(c->db, s.sub.next_plan_id, &pl) == 1) {
			buf_adds(&b, TR(c, "\nСмена тарифа: → ", "\nPlan change: → "));
			billing_view_plan_name(&b, &pl);
			buf_adds(&b, TR(c, " с ", " from "));
			billing_view_day(&b, s.sub.period_end);
		}
		if (s.sub.cancel_at_end) {
			buf_adds(&b, TR(c, "\n❗️ Отменена, последний день ",
			    "\n❗️ Cancelled, the last day is "));
			billing_view_through(&b, s.sub.period_end);
			if (s.sub.cancel_reason[0] && billing_view_may_see_text(c)) {
				buf_adds(&b, TR(c, "; причина: ", "; reason: "));
				buf_add_html(&b, s.sub.cancel_reason);
			}
		}
		buf_adds(&b, TR(c, "\nСледующий платёж: ", "\nNext payment: "));
		billing_view_day(&b, s.sub.cancel_at_end && s.next_due == 0 ? 0 :
		    subs_next_payment(&s, p));
		buf_addc(&b, '\n');
	}
	buf_adds(&b, TR(c, "Баланс: ", "Balance: "));
	subs_balance(c, &b, &s);
	if (n > 0)
		buf_adds(&b, TR(c, "\n\n<b>История</b>", "\n\n<b>History</b>"));
	for (i = 0; i < n; i++) {
		buf_adds(&b, "\n• ");
		billing_view_period(&b, hist[i].started_on, hist[i].ended_on > 0 ? hist[i].ended_on :
		    hist[i].period_end);
		if (plan_get(c->db, hist[i].plan_id, &pl) == 1) {
			buf_adds(&b, " · ");
			buf_add_html(&b, pl.code);
		}
		buf_printf(&b, " · %s", billing_view_sub_status(c, hist[i].status));
		if (hist[i].end_rule[0]) {
			buf_adds(&b, " (");
			buf_add_html(&b, hist[i].end_rule);
			buf_adds(&b, ")");
		}
	}
	kb_init(&k);
	kb_button(&k, TR(c, "Счета", "Invoices"), "invp:%lld", (long long)p->id);
	kb_button(&k, TR(c, "Платежи", "Payments"), "pays:%lld", (long long)p->id);
	kb_button(&k, TR(c, "Акты", "Acts"), "acts:%lld", (long long)p->id);
	view_back_to_card(c, &k, p->id);
	return billing_view_send(c, &b, &k);
}

/* /subscription <partner>, or "sub:<partner id>" (a choice list, a result, the card). */
static int
subs_show_go(struct ctx *c)
{
	return billing_view_with_partner(c, "sub", subs_show);
}

static const struct billing_view_flow subs_flows[] = {
	{ "bill_subscribe", subs_subscribe_proceed, subs_subscribe_apply },
	{ "bill_autorenew", subs_autorenew_proceed, NULL },
	{ "bill_cancel", subs_cancel_proceed, subs_cancel_apply },
	{ NULL, NULL, NULL },
};

static int
subs_pick_btn(struct ctx *c)
{
	return billing_view_pick_btn(c, subs_flows);
}

static int
subs_confirm_btn(struct ctx *c)
{
	return billing_view_confirm_btn(c, subs_flows);
}

const struct command subscriptions_commands[] = {
	{ "subscribe", "<партнёр> <тариф> [trial|без_пробного]", BILLING_VIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "оформить подписку: пробный период или первый счёт",
	  "start a subscription: a trial or the first invoice", subs_subscribe_cmd },
	{ "plan_change", "<партнёр> <тариф> [now|сейчас]", BILLING_VIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "сменить тариф: с конца периода или сейчас с перерасчётом",
	  "change the plan: at the period end or now, prorated", plan_change_change_cmd },
	{ "autorenew", "<партнёр> on|off", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, 2,
	  "включить или выключить автопродление", "turn auto-renewal on or off",
	  subs_autorenew_cmd },
	{ "cancel_subscription", "<партнёр> <причина>", BILLING_VIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "отменить подписку с конца периода (с причиной)",
	  "cancel a subscription at the period end (with a reason)", subs_cancel_cmd },
	{ "renew", "<партнёр> [периодов 1–12]", BILLING_VIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 1,
	  "продлить вручную: счёт на N периодов", "renew by hand: an invoice for N periods",
	  plan_change_renew_cmd },
	{ "subscription", "<партнёр>", BILLING_VIEW_READ, CMD_PARTNER, 1,
	  "подписка партнёра: тариф, период, оплата, история",
	  "a partner's subscription: plan, period, payment, history", subs_show_go },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* The pick and confirm buttons only continue this person's pending action (billing_view.h);
 * "bxn" cancels any billing action (invoice_view.c's too). */
const struct button subscriptions_buttons[] = {
	{ "sub", BILLING_VIEW_READ, CMD_PARTNER, subs_show_go, NULL },
	{ "spk", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, subs_pick_btn, NULL },
	{ "sok", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, subs_confirm_btn, NULL },
	{ "cpk", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, plan_change_pick_btn, NULL },
	{ "cok", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, plan_change_confirm_btn, NULL },
	{ "bxn", BILLING_VIEW_WRITE, CMD_PARTNER, billing_view_cancel_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct dialog_kind subscriptions_dialogs[] = {
	{ "bill_subscribe", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ "bill_change", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ "bill_autorenew", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ "bill_cancel", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ "bill_renew", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ NULL, 0, NULL, NULL },
};
