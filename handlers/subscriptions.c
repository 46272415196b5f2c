/*
 * subscriptions.c — a partner's subscription as billing staff run it from Telegram:
 * /subscribe, /plan_change (a proration preview; at the period end or now), /autorenew,
 * /cancel_subscription (at the period end, with a reason), /renew for N periods, the
 * /subscription card, and the billing lines of the partner's card. The rules of money live in
 * billing.c; here are the texts, the confirmations and the audit of who did what.
 *
 * Every change asks to confirm (except /autorenew, a switch), and the pending action waits in
 * the person's dialog row (billview.h). Changes are billing's and superadmins'; the card is
 * partner data: support reads it inside a ticket session, developers never.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/billview.h"

#define SUBS_HISTORY_MAX 10
#define SUBS_REASON_MAX 500	/* bytes of a cancellation reason */
#define SUBS_RENEW_MAX 12	/* periods one manual renewal may cover */

/* "Старт (start, v2)" */
static void
subs_plan_name(struct buf *b, const struct plan *pl)
{
	buf_add_html(b, pl->name);
	buf_adds(b, " (<code>");
	buf_add_html(b, pl->code);
	buf_printf(b, "</code>, v%d)", pl->version);
}

/* The lines of `periods` periods of pl at p's size, one per row; the total in *amount. */
static int
subs_lines(struct ctx *c, struct buf *b, const struct plan *pl, const struct partner *p,
    int periods, int64_t *amount)
{
	struct invoice_line lines[BILLING_LINES_MAX];
	int n, i;

	n = billing_period_lines(pl, p->branches, p->users, periods, c->lang, lines, amount);
	if (n == -1)
		return -1;
	for (i = 0; i < n; i++) {
		buf_adds(b, "\n  • ");
		buf_add_html(b, lines[i].description);
		buf_printf(b, ": %lld × ", (long long)lines[i].quantity);
		billview_money(b, lines[i].unit_price);
		buf_adds(b, " = ");
		billview_money(b, lines[i].amount);
	}
	return 0;
}

/* The plan named by code for a new subscription or a change: 1 found, 0 answered. */
static int
subs_plan_arg(struct ctx *c, const char *code, struct plan *pl)
{
	struct buf b;
	int r;

	r = code[0] && strlen(code) < PLAN_CODE_MAX ? plan_current(c->db, code, pl) : 0;
	if (r == 1 && !pl->archived)
		return 1;
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⚠️ Тариф «", "⚠️ Plan “"));
	buf_add_html(&b, code);
	buf_adds(&b, r == 1 ? TR(c, "» в архиве и новых подписок не принимает. Действующие: /plans",
	    "” is archived and takes no new subscriptions. Active ones: /plans") :
	    TR(c, "» не найден. Коды тарифов: /plans", "” does not exist. Plan codes: /plans"));
	return billview_send(c, &b, NULL) == -1 ? -1 : 0;
}

/* The plan a pending action named, still the latest active version: 1, 0 answered. */
static int
subs_pending_plan(struct ctx *c, struct plan *pl)
{
	struct plan cur;
	int64_t id;
	int r;

	if ((r = billview_get_i64(c, "plan", &id)) == -1 || (r == 1 &&
	    (r = plan_get(c->db, id, pl)) == -1))
		return -1;
	if (r == 1 && (r = plan_current(c->db, pl->code, &cur)) == -1)
		return -1;
	if (r == 1 && cur.id == pl->id && !cur.archived)
		return 1;
	if (billview_end(c) == -1)
		return -1;
	return billview_say(c, TR(c, "Тариф изменился, пока вы подтверждали; повторите команду.",
	    "The plan changed while you were confirming; run the command again.")) == -1 ? -1 : 0;
}

/* The partner's live subscription: 1, 0 none (answered, the pending action ended). */
static int
subs_live(struct ctx *c, const struct partner *p, struct subscription *s)
{
	struct buf b;
	int r;

	if ((r = sub_live(c->db, p->id, s)) != 0)
		return r;
	if (billview_end(c) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⚠️ У партнёра «", "⚠️ “"));
	buf_add_html(&b, p->name);
	buf_printf(&b, TR(c, "» нет действующей подписки. Оформить: <code>/subscribe %lld "
	    "&lt;тариф&gt;</code>", "” has no live subscription. Start one: <code>/subscribe %lld "
	    "&lt;plan&gt;</code>"), (long long)p->id);
	return billview_send(c, &b, NULL) == -1 ? -1 : 0;
}

/* After a change: the partner's row follows, and the change is audited. */
static int
subs_changed(struct ctx *c, int64_t partner_id, const char *action, const char *reason,
    const char *detail)
{
	if (billing_sync_partner(c->db, partner_id, billview_today(c)) == -1)
		return -1;
	log_info("partner %lld: %s by user %lld", (long long)partner_id, action,
	    (long long)c->user_id);
	return billview_audit(c, partner_id, action, reason, detail);
}

/* The buttons under a result: the invoice issued (if any) and the subscription. */
static void
subs_result_buttons(struct ctx *c, struct kb *k, const struct invoice *inv, int64_t partner_id)
{
	kb_init(k);
	if (inv->id > 0 && inv->number[0])
		kb_button(k, TR(c, "Счёт", "Invoice"), "inv:%lld", (long long)inv->id);
	kb_button(k, TR(c, "Подписка", "Subscription"), "sub:%lld", (long long)partner_id);
}

/* "Выставлен счёт 2026-0001 на 12 500,00 ₽, срок оплаты 10.12.2026." */
static void
subs_invoice_issued(struct ctx *c, struct buf *b, const struct invoice *inv)
{
	buf_adds(b, TR(c, "\nВыставлен счёт <b>", "\nInvoice <b>"));
	buf_add_html(b, inv->number);
	buf_adds(b, TR(c, "</b> на ", "</b> issued for "));
	billview_money(b, inv->amount);
	if (inv->paid > 0) {
		buf_adds(b, TR(c, " (зачтено с баланса ", " ("));
		billview_money(b, inv->paid);
		buf_adds(b, TR(c, ")", " paid from credit)"));
	}
	buf_adds(b, TR(c, ", срок оплаты ", ", due "));
	billview_day(b, inv->due_on);
	buf_adds(b, ".");
}

/* ---- /subscribe ------------------------------------------------------------------------ */

static int
subs_subscribe_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_terms t;
	struct subscription s;
	struct plan pl;
	int64_t trial, credit, amount, today = billview_today(c);
	struct buf b;
	struct kb k;
	int r;

	if ((r = subs_pending_plan(c, &pl)) != 1)
		return r;
	if (billview_get_i64(c, "trial", &trial) == -1 || (r = sub_live(c->db, p->id, &s)) == -1)
		return -1;
	buf_init(&b, 0);
	if (r == 1 || p->status == PARTNER_ARCHIVED) {
		if (billview_end(c) == -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, TR(c, "⚠️ Партнёр «", "⚠️ “"));
		buf_add_html(&b, p->name);
		if (p->status == PARTNER_ARCHIVED && r == 0) {
			buf_adds(&b, TR(c, "» в архиве: подписку не оформить.",
			    "” is archived: no subscription."));
			return billview_send(c, &b, NULL);
		}
		buf_printf(&b, TR(c, "» уже подписан (%s). Сменить тариф: <code>/plan_change %lld %s"
		    "</code>; подписка: <code>/subscription %lld</code>", "” already has a "
		    "subscription (%s). Change the plan: <code>/plan_change %lld %s</code>; see it: "
		    "<code>/subscription %lld</code>"), billview_sub_status(c, s.status),
		    (long long)p->id, pl.code, (long long)p->id);
		return billview_send(c, &b, NULL);
	}
	billing_terms_of(c->cfg, &t);
	buf_adds(&b, TR(c, "📝 <b>Подписка</b> · ", "📝 <b>Subscription</b> · "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · #%lld\n", (long long)p->id);
	buf_adds(&b, TR(c, "Тариф: ", "Plan: "));
	subs_plan_name(&b, &pl);
	buf_printf(&b, TR(c, "\nЦена за период при %lld фил. и %lld польз.:",
	    "\nPrice per period at %lld branches and %lld users:"), (long long)p->branches,
	    (long long)p->users);
	if (subs_lines(c, &b, &pl, p, 1, &amount) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_adds(&b, TR(c, "\nИтого: ", "\nTotal: "));
	billview_money(&b, amount);
	buf_printf(&b, "/%s\n", billview_period_word(c, pl.yearly));
	if (trial && pl.trial_days > 0) {
		buf_printf(&b, TR(c, "Пробный период: %d дн., по ", "Trial: %d days, through "),
		    pl.trial_days);
		billview_through(&b, today + pl.trial_days);
		buf_adds(&b, TR(c, ". Счёт — перед его концом.", ". The invoice comes before it "
		    "ends."));
	} else {
		if (trial)
			buf_adds(&b, TR(c, "У тарифа нет пробного периода.\n",
			    "The plan has no trial.\n"));
		buf_adds(&b, TR(c, "Первый период: ", "First period: "));
		billview_period(&b, today, pricing_period_end(today, pl.yearly));
		buf_adds(&b, TR(c, "\nСчёт выставится сразу, срок оплаты ",
		    "\nThe invoice is issued now, due "));
		billview_day(&b, today + t.payment_terms_days);
		buf_adds(&b, ".");
		if (billing_credit(c->db, p->id, &credit) == -1) {
			buf_release(&b);
			return -1;
		}
		if (credit > 0) {
			buf_adds(&b, TR(c, "\nС баланса партнёра будет зачтено до ",
			    "\nUp to "));
			billview_money(&b, credit);
			buf_adds(&b, TR(c, ".", " of the partner's credit is applied."));
		}
	}
	kb_init(&k);
	billview_yes(c, &k, "sok", p->id, 0, TR(c, "✅ Оформить", "✅ Subscribe"));
	billview_no(c, &k);
	return billview_ask(c, p, &b, &k);
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
	if ((r = subs_pending_plan(c, &pl)) != 1)
		return r;
	if (billview_get_i64(c, "trial", &trial) == -1)
		return -1;
	billing_terms_of(c->cfg, &t);
	memset(&inv, 0, sizeof(inv));
	r = billing_subscribe(c->app, c->db, &t, p, &pl, trial != 0, billview_today(c),
	    c->user_id, &s, &inv);
	if (r == -1)
		return -1;
	if (r == 0)
		return billview_say(c, TR(c, "У партнёра уже есть подписка: /plan_change меняет тариф.",
		    "The partner already has a subscription: /plan_change changes the plan."));
	buf_init(&d, 1000);
	buf_printf(&d, "plan=%s v%d trial=%d", pl.code, pl.version, s.status == SUB_TRIALING);
	if (inv.id > 0)
		buf_printf(&d, " invoice=%s amount=%lld", inv.number, (long long)inv.amount);
	r = subs_changed(c, p->id, "subscription.create", "", d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✅ Подписка оформлена: ", "✅ Subscribed: "));
	buf_add_html(&b, p->name);
	buf_adds(&b, " → ");
	subs_plan_name(&b, &pl);
	buf_addc(&b, '.');
	if (s.status == SUB_TRIALING) {
		buf_adds(&b, TR(c, "\nПробный период по ", "\nTrial through "));
		billview_through(&b, s.trial_end > 0 ? s.trial_end : s.period_end);
		buf_addc(&b, '.');
	}
	if (inv.id > 0)
		subs_invoice_issued(c, &b, &inv);
	subs_result_buttons(c, &k, &inv, p->id);
	return billview_send(c, &b, &k);
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
		return billview_say(c, TR(c, "Третье слово — <code>trial</code> (пробный период, "
		    "по умолчанию) или <code>без_пробного</code>. Пример: <code>/subscribe romashka "
		    "start без_пробного</code>", "The third word is <code>trial</code> (the default) "
		    "or <code>no_trial</code>. Example: <code>/subscribe romashka start no_trial"
		    "</code>"));
	if ((r = subs_plan_arg(c, code, &pl)) != 1)
		return r;
	if (billview_begin(c, "bill_subscribe", BILLVIEW_PICK) == -1 ||
	    billview_put_i64(c, "plan", pl.id) == -1 || billview_put_i64(c, "trial", trial) == -1)
		return -1;
	if ((r = billview_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_subscribe_proceed(c, &p);
}

/* ---- /plan_change ---------------------------------------------------------------------- */

/* The plan change a pending action names: the subscription, both plans, the preview. 1 ok,
 * 0 answered (the pending action ended). */
static int
subs_change_load(struct ctx *c, const struct partner *p, struct subscription *s,
    struct plan *from, struct plan *to, struct billing_change *ch)
{
	int r;

	if ((r = subs_pending_plan(c, to)) != 1 || (r = subs_live(c, p, s)) != 1)
		return r;
	if (plan_get(c->db, s->plan_id, from) != 1)
		return -1;
	if (from->id == to->id) {
		if (billview_end(c) == -1)
			return -1;
		return billview_say(c, TR(c, "Партнёр уже на этом тарифе.",
		    "The partner is on this plan already.")) == -1 ? -1 : 0;
	}
	if (billing_change_preview(c->db, s, to, p, billview_today(c), ch) == -1)
		return -1;
	return 1;
}

static int
subs_change_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_change ch;
	struct subscription s;
	struct plan from, to;
	struct buf b, label;
	struct kb k;
	int64_t now = 0;
	int r;

	if ((r = subs_change_load(c, p, &s, &from, &to, &ch)) != 1)
		return r;
	if (billview_get_i64(c, "now", &now) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔁 <b>Смена тарифа</b> · ", "🔁 <b>Plan change</b> · "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · #%lld\n", (long long)p->id);
	subs_plan_name(&b, &from);
	buf_adds(&b, " → ");
	subs_plan_name(&b, &to);
	buf_adds(&b, TR(c, "\nЦена за период: ", "\nPrice per period: "));
	billview_money(&b, ch.old_amount);
	buf_printf(&b, "/%s → ", billview_period_word(c, from.yearly));
	billview_money(&b, ch.new_amount);
	buf_printf(&b, "/%s", billview_period_word(c, to.yearly));
	buf_printf(&b, TR(c, "\nОсталось дней в периоде: %lld из %lld",
	    "\nDays left in the period: %lld of %lld"), (long long)ch.days_left,
	    (long long)ch.days_in_period);
	buf_adds(&b, TR(c, "\n\n• С конца периода: новый тариф с ", "\n\n• At the period end: "
	    "the new plan from "));
	billview_day(&b, ch.at_end_day);
	buf_adds(&b, TR(c, ", без перерасчёта.", ", no proration."));
	buf_adds(&b, TR(c, "\n• Сейчас: ", "\n• Now: "));
	if (ch.fresh_period) {
		buf_adds(&b, TR(c, "период меняется (месяц ↔ год): новый период с сегодняшнего дня, "
		    "счёт на ", "the period changes (month ↔ year): a new period from today, an "
		    "invoice for "));
		billview_money(&b, ch.charge_now);
		buf_adds(&b, TR(c, "; неиспользованное по старому тарифу — на баланс.",
		    "; the unused part of the old plan goes to credit."));
	} else if (ch.charge_now > 0) {
		buf_adds(&b, TR(c, "доплата ", "a charge of "));
		billview_money(&b, ch.charge_now);
		buf_adds(&b, TR(c, " (счёт сегодня).", " (invoiced today)."));
	} else if (ch.charge_now < 0) {
		billview_money(&b, -ch.charge_now);
		buf_adds(&b, TR(c, " вернётся на баланс партнёра.", " goes to the partner's credit."));
	} else
		buf_adds(&b, TR(c, "без доплаты.", "nothing to pay."));
	if (s.next_plan_id > 0)
		buf_adds(&b, TR(c, "\n(уже запланированная смена тарифа будет заменена)",
		    "\n(the change already planned is replaced)"));
	kb_init(&k);
	buf_init(&label, 0);
	buf_adds(&label, TR(c, "С конца периода (", "At the period end ("));
	billview_day(&label, ch.at_end_day);
	buf_adds(&label, ")");
	if (!now)
		billview_yes(c, &k, "sok", p->id, 0, label.ptr);
	kb_row(&k);
	buf_reset(&label);
	buf_adds(&label, TR(c, "Сейчас, с перерасчётом (", "Now, prorated ("));
	billview_money(&label, ch.charge_now);
	buf_adds(&label, ")");
	billview_yes(c, &k, "sok", p->id, 1, label.ptr);
	kb_row(&k);
	if (now) {
		buf_reset(&label);
		buf_adds(&label, TR(c, "С конца периода (", "At the period end ("));
		billview_day(&label, ch.at_end_day);
		buf_adds(&label, ")");
		billview_yes(c, &k, "sok", p->id, 0, label.ptr);
		kb_row(&k);
	}
	buf_release(&label);
	billview_no(c, &k);
	return billview_ask(c, p, &b, &k);
}

static int
subs_change_apply(struct ctx *c, const struct partner *p, int now)
{
	struct billing_change ch;
	struct billing_terms t;
	struct subscription s;
	struct plan from, to;
	struct invoice inv;
	struct buf b, d;
	struct kb k;
	int r;

	if ((r = subs_change_load(c, p, &s, &from, &to, &ch)) != 1)
		return r;
	billing_terms_of(c->cfg, &t);
	memset(&inv, 0, sizeof(inv));
	if (billing_change_apply(c->app, c->db, &t, &s, &to, p, now, billview_today(c),
	    c->user_id, &inv) == -1)
		return -1;
	buf_init(&d, 1000);
	buf_printf(&d, "%s v%d → %s v%d, %s", from.code, from.version, to.code, to.version,
	    now ? "now" : "at the period end");
	if (now)
		buf_printf(&d, ", charge=%lld", (long long)ch.charge_now);
	if (inv.id > 0)
		buf_printf(&d, ", invoice=%s", inv.number);
	r = subs_changed(c, p->id, "subscription.change", "", d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, "✅ ");
	buf_add_html(&b, p->name);
	buf_adds(&b, ": ");
	subs_plan_name(&b, &to);
	if (!now) {
		buf_adds(&b, TR(c, " — с ", " from "));
		billview_day(&b, ch.at_end_day);
		buf_adds(&b, TR(c, ", с конца текущего периода.", ", the end of this period."));
	} else {
		buf_adds(&b, TR(c, " — с сегодняшнего дня.", " from today."));
		if (ch.charge_now < 0 && !ch.fresh_period) {
			buf_adds(&b, TR(c, "\nНа баланс зачислено ", "\nCredited: "));
			billview_money(&b, -ch.charge_now);
			buf_addc(&b, '.');
		}
	}
	if (inv.id > 0)
		subs_invoice_issued(c, &b, &inv);
	subs_result_buttons(c, &k, &inv, p->id);
	return billview_send(c, &b, &k);
}

/* /plan_change <partner> <plan> [now|сейчас] */
static int
subs_change_cmd(struct ctx *c)
{
	char ref[128], code[64], opt[64];
	struct partner p;
	struct plan pl;
	int r, now;

	view_word(view_word(view_word(c->args, ref, sizeof(ref)), code, sizeof(code)), opt,
	    sizeof(opt));
	now = strcmp(opt, "now") == 0 || strcmp(opt, "сейчас") == 0;
	if (opt[0] && !now)
		return billview_say(c, TR(c, "Третье слово — <code>now</code> (<code>сейчас</code>) "
		    "или ничего. Пример: <code>/plan_change romashka pro сейчас</code>",
		    "The third word is <code>now</code> or nothing. Example: <code>/plan_change "
		    "romashka pro now</code>"));
	if ((r = subs_plan_arg(c, code, &pl)) != 1)
		return r;
	if (billview_begin(c, "bill_change", BILLVIEW_PICK) == -1 ||
	    billview_put_i64(c, "plan", pl.id) == -1 || billview_put_i64(c, "now", now) == -1)
		return -1;
	if ((r = billview_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_change_proceed(c, &p);
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

	if ((r = subs_live(c, p, &s)) != 1)
		return r;
	if (billview_get_i64(c, "on", &on) != 1 || billview_end(c) == -1)
		return -1;
	buf_init(&b, 0);
	if (s.autorenew != (int)on) {
		s.autorenew = (int)on;
		s.updated_at = c->now;
		if (sub_save(c->db, &s) == -1 || subs_changed(c, p->id, "subscription.autorenew", "",
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
	billview_through(&b, s.period_end);
	buf_adds(&b, on ? TR(c, "; следующий счёт выставится заранее.",
	    "; the next invoice comes ahead of its end.") :
	    TR(c, "; новых счетов не будет — продлить вручную: /renew.",
	    "; no more invoices: renew by hand with /renew."));
	return billview_send(c, &b, NULL);
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
		return billview_say(c, TR(c, "Второе слово — <code>on</code> или <code>off</code> "
		    "(<code>вкл</code>, <code>выкл</code>). Пример: <code>/autorenew romashka выкл"
		    "</code>", "The second word is <code>on</code> or <code>off</code>. Example: "
		    "<code>/autorenew romashka off</code>"));
	if (billview_begin(c, "bill_autorenew", BILLVIEW_PICK) == -1 ||
	    billview_put_i64(c, "on", on) == -1)
		return -1;
	if ((r = billview_pick(c, ref, &p, "spk")) != 1)
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
	struct kb k;
	int r;

	if ((r = subs_live(c, p, &s)) != 1)
		return r;
	if (billview_get(c, "reason", reason, sizeof(reason)) == -1)
		return -1;
	buf_init(&b, 0);
	if (s.cancel_at_end) {
		if (billview_end(c) == -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, TR(c, "Подписка уже отменена и закончится ", "The subscription is "
		    "cancelled already and ends "));
		billview_day(&b, s.period_end);
		buf_addc(&b, '.');
		return billview_send(c, &b, NULL);
	}
	buf_adds(&b, TR(c, "❗️ <b>Отмена подписки</b> · ", "❗️ <b>Cancel the subscription</b> · "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "\nПодписка закончится в конце периода: последний день ",
	    "\nIt ends with this period: the last day is "));
	billview_through(&b, s.period_end);
	buf_adds(&b, TR(c, ". Продлений не будет; счёт за следующий период, если он уже выставлен, "
	    "будет аннулирован.", ". No renewal; an invoice already issued for the next period is "
	    "voided."));
	buf_adds(&b, TR(c, "\nПричина: ", "\nReason: "));
	buf_add_html(&b, reason);
	kb_init(&k);
	billview_yes(c, &k, "sok", p->id, 0, TR(c, "Да, отменить", "Yes, cancel it"));
	billview_no(c, &k);
	return billview_ask(c, p, &b, &k);
}

static int
subs_cancel_apply(struct ctx *c, const struct partner *p, int option)
{
	char reason[SUBS_REASON_MAX + 1];
	struct subscription s;
	struct buf b;
	int r;

	(void)option;
	if ((r = subs_live(c, p, &s)) != 1)
		return r;
	if (billview_get(c, "reason", reason, sizeof(reason)) == -1 ||
	    billing_cancel(c->app, c->db, &s, reason, billview_today(c)) == -1 ||
	    subs_changed(c, p->id, "subscription.cancel", reason, "at the period end") == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✅ Подписка отменена: ", "✅ Cancelled: "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, ". Последний день — ", ". The last day is "));
	billview_through(&b, s.period_end);
	buf_addc(&b, '.');
	return billview_send(c, &b, NULL);
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
		return billview_say(c, TR(c, "Причина: до 500 символов.",
		    "Reason: 500 characters at most."));
	if (billview_begin(c, "bill_cancel", BILLVIEW_PICK) == -1 ||
	    billview_put(c, "reason", reason) == -1)
		return -1;
	if ((r = billview_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_cancel_proceed(c, &p);
}

/* ---- /renew ---------------------------------------------------------------------------- */

/* Where the next invoiced period starts: after the last period invoiced (not void) or paid. */
static int
subs_renew_start(struct ctx *c, const struct subscription *s, int64_t *start)
{
	struct invoice rows[16];
	int n, i, total;

	*start = s->period_end > s->paid_until ? s->period_end : s->paid_until;
	n = invoice_list(c->db, s->partner_id, INVF_ALL, billview_today(c), 0, 16, rows, &total);
	if (n == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (rows[i].subscription_id == s->id && rows[i].kind == INV_KIND_PERIOD &&
		    rows[i].status != INV_VOID && rows[i].period_end > *start)
			*start = rows[i].period_end;
	return 0;
}

static int
subs_renew_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_terms t;
	struct subscription s;
	struct plan pl;
	int64_t periods, start, amount;
	struct buf b;
	struct kb k;
	int r;

	if ((r = subs_live(c, p, &s)) != 1)
		return r;
	if (billview_get_i64(c, "periods", &periods) != 1)
		return -1;
	if (s.cancel_at_end) {
		if (billview_end(c) == -1)
			return -1;
		return billview_say(c, TR(c, "Подписка отменена с конца периода: продлевать нечего. "
		    "Новая подписка: /subscribe.", "The subscription is cancelled at the period end: "
		    "nothing to renew. A new one: /subscribe.")) == -1 ? -1 : 0;
	}
	if (plan_get(c->db, s.next_plan_id > 0 ? s.next_plan_id : s.plan_id, &pl) != 1 ||
	    subs_renew_start(c, &s, &start) == -1)
		return -1;
	billing_terms_of(c->cfg, &t);
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔄 <b>Продление</b> · ", "🔄 <b>Renewal</b> · "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "\nТариф: ", "\nPlan: "));
	subs_plan_name(&b, &pl);
	buf_printf(&b, TR(c, "\nПериодов: %lld, ", "\nPeriods: %lld, "), (long long)periods);
	billview_period(&b, start, pricing_add_months(start, (int)periods * (pl.yearly ? 12 : 1),
	    s.anchor_dom));
	if (subs_lines(c, &b, &pl, p, (int)periods, &amount) == -1) {
		buf_release(&b);
		return -1;
	}
	buf_adds(&b, TR(c, "\nСумма счёта: ", "\nInvoice total: "));
	billview_money(&b, amount);
	buf_adds(&b, TR(c, ", срок оплаты ", ", due "));
	billview_day(&b, billview_today(c) + t.payment_terms_days);
	buf_adds(&b, TR(c, " (баланс партнёра будет зачтён).", " (the partner's credit applies)."));
	kb_init(&k);
	billview_yes(c, &k, "sok", p->id, 0, TR(c, "✅ Выставить счёт", "✅ Issue the invoice"));
	billview_no(c, &k);
	return billview_ask(c, p, &b, &k);
}

static int
subs_renew_apply(struct ctx *c, const struct partner *p, int option)
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
	if ((r = subs_live(c, p, &s)) != 1)
		return r;
	if (billview_get_i64(c, "periods", &periods) != 1)
		return -1;
	billing_terms_of(c->cfg, &t);
	memset(&inv, 0, sizeof(inv));
	r = billing_issue_next(c->app, c->db, &t, &s, (int)periods, billview_today(c), c->user_id,
	    &inv);
	if (r == -1)
		return -1;
	snprintf(d, sizeof(d), "periods=%lld invoice=%s amount=%lld%s", (long long)periods,
	    inv.number, (long long)inv.amount, r == 0 ? " (existed)" : "");
	if (r == 1 && subs_changed(c, p->id, "subscription.renew", "", d) == -1)
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
		billview_period(&b, inv.period_start, inv.period_end);
		buf_addc(&b, '.');
		subs_invoice_issued(c, &b, &inv);
	}
	subs_result_buttons(c, &k, &inv, p->id);
	return billview_send(c, &b, &k);
}

/* /renew <partner> [N] */
static int
subs_renew_cmd(struct ctx *c)
{
	char ref[128], num[32];
	struct partner p;
	int64_t n = 1;
	int r;

	view_word(view_word(c->args, ref, sizeof(ref)), num, sizeof(num));
	if (num[0] && (str_to_i64(num, &n) == -1 || n < 1 || n > SUBS_RENEW_MAX))
		return billview_say(c, TR(c, "Число периодов — от 1 до 12. Пример: <code>/renew "
		    "romashka 3</code>", "The number of periods is 1 to 12. Example: <code>/renew "
		    "romashka 3</code>"));
	if (billview_begin(c, "bill_renew", BILLVIEW_PICK) == -1 ||
	    billview_put_i64(c, "periods", n) == -1)
		return -1;
	if ((r = billview_pick(c, ref, &p, "spk")) != 1)
		return r;
	return subs_renew_proceed(c, &p);
}

/* ---- the subscription card and the partner card's lines -------------------------------- */

/* "долг 12 500,00 ₽ (просрочено 5 000,00 ₽)", "аванс 1 000,00 ₽", "0,00 ₽" */
static void
subs_balance(struct ctx *c, struct buf *b, const struct billing_summary *s)
{
	if (s->owed > 0) {
		buf_adds(b, TR(c, "долг ", "owed "));
		billview_money(b, s->owed);
		if (s->overdue > 0) {
			buf_adds(b, TR(c, " (⚠️ просрочено ", " (⚠️ overdue "));
			billview_money(b, s->overdue);
			buf_adds(b, ")");
		}
	}
	if (s->credit > 0) {
		buf_adds(b, s->owed > 0 ? "; " : "");
		buf_adds(b, TR(c, "аванс ", "credit "));
		billview_money(b, s->credit);
	}
	if (s->owed <= 0 && s->credit <= 0)
		billview_money(b, 0);
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
	int money = gate_allows(c->is_member, c->roles, BILLVIEW_READ);

	buf_adds(b, TR(c, "Тариф: ", "Plan: "));
	if (billing_summary(c->db, p, billview_today(c), &s) == -1) {
		log_warn("partner %lld: billing summary failed", (long long)p->id);
		buf_adds(b, "?\n");
		return;
	}
	if (!s.has_sub)
		buf_adds(b, TR(c, "— (подписки нет)", "— (no subscription)"));
	else {
		buf_add_html(b, s.plan.name);
		if (money) {
			buf_adds(b, " · ");
			billview_money(b, s.price);
			buf_printf(b, "/%s", billview_period_word(c, s.plan.yearly));
		}
		buf_printf(b, " · %s", billview_sub_status(c, s.sub.status));
		if (s.sub.status == SUB_TRIALING) {
			buf_adds(b, TR(c, "\nПробный период по ", "\nTrial through "));
			billview_through(b, s.sub.trial_end > 0 ? s.sub.trial_end : s.sub.period_end);
		} else {
			buf_adds(b, TR(c, "\nОплачено по: ", "\nPaid through: "));
			billview_through(b, s.sub.paid_until);
		}
		buf_adds(b, TR(c, " · следующий платёж: ", " · next payment: "));
		if (s.sub.cancel_at_end && s.next_due == 0)
			buf_adds(b, "—");
		else
			billview_day(b, subs_next_payment(&s, p));
	}
	if (money && (s.has_sub || s.owed > 0 || s.credit > 0)) {
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

	if ((r = billview_read_gate(c, p, "subscription")) != 1)
		return r;
	if (billing_summary(c->db, p, billview_today(c), &s) == -1 ||
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
		subs_plan_name(&b, &s.plan);
		buf_adds(&b, " · ");
		billview_money(&b, s.price);
		buf_printf(&b, "/%s\n", billview_period_word(c, s.plan.yearly));
		buf_printf(&b, TR(c, "Статус: %s\nПериод: ", "Status: %s\nPeriod: "),
		    billview_sub_status(c, s.sub.status));
		billview_period(&b, s.sub.period_start, s.sub.period_end);
		if (s.sub.trial_end > 0) {
			buf_adds(&b, TR(c, "\nПробный период по: ", "\nTrial through: "));
			billview_through(&b, s.sub.trial_end);
		}
		buf_adds(&b, TR(c, "\nОплачено по: ", "\nPaid through: "));
		billview_through(&b, s.sub.paid_until);
		buf_adds(&b, s.sub.autorenew ? TR(c, "\nАвтопродление: вкл", "\nAuto-renewal: on") :
		    TR(c, "\nАвтопродление: выкл", "\nAuto-renewal: off"));
		if (s.sub.next_plan_id > 0 && plan_get(c->db, s.sub.next_plan_id, &pl) == 1) {
			buf_adds(&b, TR(c, "\nСмена тарифа: → ", "\nPlan change: → "));
			subs_plan_name(&b, &pl);
			buf_adds(&b, TR(c, " с ", " from "));
			billview_day(&b, s.sub.period_end);
		}
		if (s.sub.cancel_at_end) {
			buf_adds(&b, TR(c, "\n❗️ Отменена, последний день ",
			    "\n❗️ Cancelled, the last day is "));
			billview_through(&b, s.sub.period_end);
			if (s.sub.cancel_reason[0] && billview_may_see_text(c)) {
				buf_adds(&b, TR(c, "; причина: ", "; reason: "));
				buf_add_html(&b, s.sub.cancel_reason);
			}
		}
		buf_adds(&b, TR(c, "\nСледующий платёж: ", "\nNext payment: "));
		billview_day(&b, s.sub.cancel_at_end && s.next_due == 0 ? 0 :
		    subs_next_payment(&s, p));
		buf_addc(&b, '\n');
	}
	buf_adds(&b, TR(c, "Баланс: ", "Balance: "));
	subs_balance(c, &b, &s);
	if (n > 0)
		buf_adds(&b, TR(c, "\n\n<b>История</b>", "\n\n<b>History</b>"));
	for (i = 0; i < n; i++) {
		buf_adds(&b, "\n• ");
		billview_period(&b, hist[i].started_on, hist[i].ended_on > 0 ? hist[i].ended_on :
		    hist[i].period_end);
		if (plan_get(c->db, hist[i].plan_id, &pl) == 1) {
			buf_adds(&b, " · ");
			buf_add_html(&b, pl.code);
		}
		buf_printf(&b, " · %s", billview_sub_status(c, hist[i].status));
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
	return billview_send(c, &b, &k);
}

static int
subs_show_cmd(struct ctx *c)
{
	struct partner p;
	int r = view_pick_partner(c, c->args, &p, "sub");

	return r != 1 ? r : subs_show(c, &p);
}

/* "sub:<partner id>": from a choice list, a result or the partner's card. */
static int
subs_show_btn(struct ctx *c)
{
	struct partner p;
	int r = view_button_partner(c, c->arg, &p);

	return r != 1 ? r : subs_show(c, &p);
}

static const struct billview_flow subs_flows[] = {
	{ "bill_subscribe", subs_subscribe_proceed, subs_subscribe_apply },
	{ "bill_change", subs_change_proceed, subs_change_apply },
	{ "bill_autorenew", subs_autorenew_proceed, NULL },
	{ "bill_cancel", subs_cancel_proceed, subs_cancel_apply },
	{ "bill_renew", subs_renew_proceed, subs_renew_apply },
	{ NULL, NULL, NULL },
};

static int
subs_pick_btn(struct ctx *c)
{
	return billview_pick_btn(c, subs_flows);
}

static int
subs_confirm_btn(struct ctx *c)
{
	return billview_confirm_btn(c, subs_flows);
}

const struct command subscriptions_commands[] = {
	{ "subscribe", "<партнёр> <тариф> [trial|без_пробного]", BILLVIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "оформить подписку: пробный период или первый счёт",
	  "start a subscription: a trial or the first invoice", subs_subscribe_cmd },
	{ "plan_change", "<партнёр> <тариф> [now|сейчас]", BILLVIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "сменить тариф: с конца периода или сейчас с перерасчётом",
	  "change the plan: at the period end or now, prorated", subs_change_cmd },
	{ "autorenew", "<партнёр> on|off", BILLVIEW_WRITE, CMD_PARTNER | CMD_WRITES, 2,
	  "включить или выключить автопродление", "turn auto-renewal on or off",
	  subs_autorenew_cmd },
	{ "cancel_subscription", "<партнёр> <причина>", BILLVIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "отменить подписку с конца периода (с причиной)",
	  "cancel a subscription at the period end (with a reason)", subs_cancel_cmd },
	{ "renew", "<партнёр> [периодов 1–12]", BILLVIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 1,
	  "продлить вручную: счёт на N периодов", "renew by hand: an invoice for N periods",
	  subs_renew_cmd },
	{ "subscription", "<партнёр>", BILLVIEW_READ, CMD_PARTNER, 1,
	  "подписка партнёра: тариф, период, оплата, история",
	  "a partner's subscription: plan, period, payment, history", subs_show_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* The pick and confirm buttons only continue this person's pending action (billview.h);
 * "bxn" cancels any billing action (invoices.c's too). */
const struct button subscriptions_buttons[] = {
	{ "sub", BILLVIEW_READ, CMD_PARTNER, subs_show_btn },
	{ "spk", BILLVIEW_WRITE, CMD_PARTNER | CMD_WRITES, subs_pick_btn },
	{ "sok", BILLVIEW_WRITE, CMD_PARTNER | CMD_WRITES, subs_confirm_btn },
	{ "bxn", BILLVIEW_WRITE, CMD_PARTNER, billview_cancel_btn },
	{ NULL, 0, 0, NULL },
};

const struct dialog_kind subscriptions_dialogs[] = {
	{ "bill_subscribe", BILLVIEW_WRITE, billview_waiting_text, NULL },
	{ "bill_change", BILLVIEW_WRITE, billview_waiting_text, NULL },
	{ "bill_autorenew", BILLVIEW_WRITE, billview_waiting_text, NULL },
	{ "bill_cancel", BILLVIEW_WRITE, billview_waiting_text, NULL },
	{ "bill_renew", BILLVIEW_WRITE, billview_waiting_text, NULL },
	{ NULL, 0, NULL, NULL },
};
