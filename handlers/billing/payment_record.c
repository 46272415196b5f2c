/*
 * payment_record.c — recording money by hand: /pay <partner|invoice> <amount> [date] [reference…]
 * (a negative amount is a refund from the partner's credit, and the text after it its
 * required reason), the invoice's "Оплата" button, and the dunning alert's buttons: Record
 * payment (dpay), Extend 7 days (dext), Block now (dblk). The rows are in invoice_view.c's tables.
 *
 * A payment is confirmed before it is recorded: the confirmation shows what billing_pay would
 * do (billing_pay_preview: the invoices it goes to, the credit left). The parsed arguments,
 * the reference included, wait in the person's dialog row (billing_view.h): a reference does not
 * fit in callback data, and the press consumes the row, so a double press records once.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/billing/billing_view.h"

#define BILLPAY_REASON_MAX 500
#define BILLPAY_AMOUNT_WORDS 4	/* "12 500 000,00 ₽" */
#define BILLPAY_OPEN_MAX 16
#define BILLPAY_EXTEND_DAYS 7

/* "12500,00": an amount as /pay takes it back. */
static void
payment_record_plain(struct buf *b, int64_t kopecks)
{
	buf_printf(b, "%s%lld,%02lld", kopecks < 0 ? "-" : "",
	    (long long)((kopecks < 0 ? -kopecks : kopecks) / 100),
	    (long long)((kopecks < 0 ? -kopecks : kopecks) % 100));
}

/* The amount at the start of s: the longest run of up to BILLPAY_AMOUNT_WORDS words that
 * money_parse takes ("12 500,00 ₽" is one amount). 0 with *rest after it, or -1 with err
 * (the first word's problem). */
static int
payment_record_amount(struct ctx *c, const char *s, int64_t *amount, const char **rest, char *err,
    size_t errsz)
{
	const char *p = s, *end;
	char tmp[128];
	int64_t v;
	int k, found = 0;

	while (*p == ' ')
		p++;
	for (k = 0; k < BILLPAY_AMOUNT_WORDS && *p; k++) {
		end = p + strcspn(p, " ");
		if ((size_t)(end - s) >= sizeof(tmp))
			break;
		memcpy(tmp, s, (size_t)(end - s));
		tmp[end - s] = '\0';
		if (money_parse(tmp, &v, c->lang, k == 0 ? err : NULL, errsz) == 0) {
			*amount = v;
			*rest = end;
			found = 1;
		} else if (k == 0)
			return -1;
		for (p = end; *p == ' '; p++)
			;
	}
	if (!found)
		return -1;
	while (**rest == ' ')
		(*rest)++;
	return 0;
}

/* A word shaped like a date (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД), not a reference. */
static int
payment_record_datelike(const char *w)
{
	size_t n = strlen(w), dots = 0, i;

	for (i = 0; i < n; i++) {
		if (w[i] == '.')
			dots++;
		else if ((w[i] < '0' || w[i] > '9') && w[i] != '-')
			return 0;
	}
	return dots == 2 || (n == 10 && w[4] == '-' && w[7] == '-');
}

/* The pending payment's values. */
struct payment_record_args {
	int64_t	 amount, day, invoice;
	char	 text[BILLPAY_REASON_MAX + 1];	/* the reference, or a refund's reason */
};

static int
payment_record_load(struct ctx *c, struct payment_record_args *a)
{
	if (billing_view_get_i64(c, "amount", &a->amount) != 1 ||
	    billing_view_get_i64(c, "day", &a->day) != 1 ||
	    billing_view_get_i64(c, "invoice", &a->invoice) != 1 ||
	    billing_view_get(c, "text", a->text, sizeof(a->text)) == -1)
		return -1;
	return 0;
}

static int
payment_record_begin(struct ctx *c, const struct payment_record_args *a)
{
	if (billing_view_begin(c, "bill_pay", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put_i64(c, "amount", a->amount) == -1 ||
	    billing_view_put_i64(c, "day", a->day) == -1 ||
	    billing_view_put_i64(c, "invoice", a->invoice) == -1 ||
	    billing_view_put(c, "text", a->text) == -1)
		return -1;
	return 0;
}

/* Ends the pending payment with a refusal (html escaped). */
static int
payment_record_refuse(struct ctx *c, struct buf *b)
{
	if (billing_view_end(c) == -1) {
		buf_release(b);
		return -1;
	}
	return billing_view_send(c, b, NULL) == -1 ? -1 : 0;
}

/* "• 2026-0012: 5 000,00 ₽ (останется 9 100,00 ₽)" per invoice the money goes (done: went) to. */
static void
payment_record_allocs(struct ctx *c, struct buf *b, const struct billing_outcome *out, int done)
{
	int i;

	for (i = 0; i < out->nalloc; i++) {
		buf_adds(b, "\n• ");
		buf_add_html(b, out->alloc[i].number);
		buf_adds(b, ": ");
		billing_view_money(b, out->alloc[i].amount);
		if (out->alloc[i].left > 0) {
			buf_adds(b, done ? TR(c, ", осталось ", ", left ") :
			    TR(c, " (останется ", " ("));
			billing_view_money(b, out->alloc[i].left);
			buf_adds(b, done ? "" : TR(c, ")", " left)"));
		} else
			buf_adds(b, done ? TR(c, " — оплачен", " — paid") :
			    TR(c, " — оплачен полностью", " — paid in full"));
	}
}

static int
payment_record_proceed(struct ctx *c, const struct partner *p)
{
	struct billing_outcome out;
	struct payment_record_args a;
	struct invoice inv;
	int64_t credit;
	struct buf b;

	if (payment_record_load(c, &a) == -1 || billing_credit(c->db, p->id, &credit) == -1)
		return -1;
	buf_init(&b, 0);
	if (a.invoice > 0 && (invoice_get(c->db, a.invoice, &inv) != 1 ||
	    inv.status != INV_OPEN)) {
		buf_adds(&b, TR(c, "⚠️ Счёт уже не открыт (оплачен или аннулирован). Платёж без "
		    "счёта: <code>/pay ", "⚠️ The invoice is not open any more (paid or void). A "
		    "payment without it: <code>/pay "));
		buf_printf(&b, "%lld ", (long long)p->id);
		payment_record_plain(&b, a.amount);
		buf_adds(&b, "</code>");
		return payment_record_refuse(c, &b);
	}
	if (a.amount < 0 && -a.amount > credit) {
		buf_adds(&b, TR(c, "⚠️ Возврат больше баланса партнёра: на балансе ", "⚠️ The refund "
		    "is more than the partner's credit: "));
		billing_view_money(&b, credit);
		buf_adds(&b, TR(c, ". Возвращают только аванс.", ". Only credit is refunded."));
		return payment_record_refuse(c, &b);
	}
	buf_adds(&b, a.amount < 0 ? TR(c, "↩️ <b>Возврат</b> · ", "↩️ <b>Refund</b> · ") :
	    TR(c, "💳 <b>Платёж</b> · ", "💳 <b>Payment</b> · "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · #%lld\n", (long long)p->id);
	buf_adds(&b, TR(c, "Сумма: <b>", "Amount: <b>"));
	billing_view_money(&b, a.amount < 0 ? -a.amount : a.amount);
	buf_adds(&b, TR(c, "</b> · дата: ", "</b> · date: "));
	billing_view_day(&b, a.day);
	if (a.text[0]) {
		buf_adds(&b, a.amount < 0 ? TR(c, "\nПричина: ", "\nReason: ") :
		    TR(c, "\nОснование: ", "\nReference: "));
		buf_add_html(&b, a.text);
	}
	if (a.amount < 0) {
		buf_adds(&b, TR(c, "\nС баланса партнёра (", "\nFrom the partner's credit ("));
		billing_view_money(&b, credit);
		buf_adds(&b, TR(c, "), останется ", "), leaving "));
		billing_view_money(&b, credit + a.amount);
		buf_addc(&b, '.');
	} else {
		if (billing_pay_preview(c->db, p->id, a.amount, a.invoice, &out) == -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, out.nalloc > 0 ? TR(c, "\nБудет зачтено:", "\nIt goes to:") :
		    TR(c, "\nОткрытых счетов нет.", "\nNo open invoices."));
		payment_record_allocs(c, &b, &out, 0);
		buf_adds(&b, TR(c, "\nНа балансе (аванс) после: ", "\nCredit afterwards: "));
		billing_view_money(&b, out.credit);
	}
	buf_adds(&b, TR(c, "\n\nДругая сумма, дата или основание: <code>/pay ",
	    "\n\nAnother amount, date or reference: <code>/pay "));
	if (a.invoice > 0)
		buf_add_html(&b, inv.number);
	else
		buf_printf(&b, "%lld", (long long)p->id);
	buf_addc(&b, ' ');
	payment_record_plain(&b, a.amount);
	buf_adds(&b, TR(c, " ДД.ММ.ГГГГ основание</code>", " DD.MM.YYYY reference</code>"));
	return billing_view_ask_yes(c, p, &b, "yok", a.amount < 0 ? TR(c, "✅ Записать возврат",
	    "✅ Record the refund") : TR(c, "✅ Записать платёж", "✅ Record the payment"));
}

static int
payment_record_apply(struct ctx *c, const struct partner *p, int option)
{
	struct billing_outcome out;
	struct payment_record_args a;
	struct payment pm;
	struct buf b, d;
	struct kb k;
	int r;

	(void)option;
	if (payment_record_load(c, &a) == -1)
		return -1;
	memset(&pm, 0, sizeof(pm));
	memset(&out, 0, sizeof(out));
	pm.partner_id = p->id;
	pm.amount = a.amount;
	pm.received_on = a.day;
	str_copy(pm.source, sizeof(pm.source), "manual");
	if (a.amount < 0)
		str_copy(pm.reason, sizeof(pm.reason), a.text);
	else
		str_copy(pm.reference, sizeof(pm.reference), a.text);
	pm.recorded_by = c->user_id;
	pm.created_at = c->now;
	r = billing_pay(c->app, c->db, &pm, a.invoice, billing_view_today(c), &out);
	if (r == -1)
		return -1;
	if (r == 0)
		return billing_view_say(c, TR(c, "Возврат больше баланса партнёра; ничего не записано.",
		    "The refund is more than the partner's credit; nothing recorded."));
	buf_init(&d, 1000);
	buf_printf(&d, "payment %lld amount=%lld day=%lld invoices=%d paid=%d acts=%d credit=%lld%s",
	    (long long)pm.id, (long long)pm.amount, (long long)pm.received_on, out.nalloc, out.paid,
	    out.acts, (long long)out.credit, out.restored ? " restored" : "");
	r = billing_view_audit(c, p->id, a.amount < 0 ? "billing.refund" : "billing.pay",
	    a.amount < 0 ? a.text : "", d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	log_info("partner %lld: payment %lld recorded by user %lld", (long long)p->id,
	    (long long)pm.id, (long long)c->user_id);
	buf_init(&b, 0);
	buf_adds(&b, a.amount < 0 ? TR(c, "✅ Возврат записан: ", "✅ Refund recorded: ") :
	    TR(c, "✅ Платёж записан: ", "✅ Payment recorded: "));
	billing_view_money(&b, a.amount < 0 ? -a.amount : a.amount);
	buf_adds(&b, " · ");
	buf_add_html(&b, p->name);
	buf_adds(&b, " · ");
	billing_view_day(&b, a.day);
	payment_record_allocs(c, &b, &out, 1);
	if (out.acts > 0)
		buf_printf(&b, TR(c, "\nАктов создано: %d", "\nActs created: %d"), out.acts);
	buf_adds(&b, TR(c, "\nНа балансе (аванс): ", "\nCredit: "));
	billing_view_money(&b, out.credit);
	if (out.restored)
		buf_adds(&b, TR(c, "\n🟢 Партнёр снова активен.", "\n🟢 The partner is active again."));
	kb_init(&k);
	kb_button(&k, TR(c, "Счета", "Invoices"), "invp:%lld", (long long)p->id);
	kb_button(&k, TR(c, "Платежи", "Payments"), "pays:%lld", (long long)p->id);
	if (out.acts > 0)
		kb_button(&k, TR(c, "Акты", "Acts"), "acts:%lld", (long long)p->id);
	return billing_view_send(c, &b, &k);
}

/* /pay <partner|invoice number> <amount> [date] [reference…] */
int
payment_record_cmd(struct ctx *c)
{
	char ref[128], word[64], err[512];
	struct payment_record_args a;
	const char *rest, *after;
	struct invoice inv;
	struct partner p;
	int64_t when;
	int r;

	memset(&a, 0, sizeof(a));
	rest = view_word(c->args, ref, sizeof(ref));
	if (payment_record_amount(c, rest, &a.amount, &rest, err, sizeof(err)) == -1) {
		struct buf b;

		buf_init(&b, 0);
		buf_adds(&b, "⚠️ ");
		buf_add_html(&b, err);
		buf_adds(&b, TR(c, "\nФормат: <code>/pay &lt;партнёр|счёт&gt; &lt;сумма&gt; "
		    "[ДД.ММ.ГГГГ] [основание]</code>", "\nUsage: <code>/pay &lt;partner|invoice&gt; "
		    "&lt;amount&gt; [DD.MM.YYYY] [reference]</code>"));
		return billing_view_error(c, &b);
	}
	if (a.amount == 0)
		return billing_view_say(c, TR(c, "Сумма: нужна больше нуля (минус — возврат). Пример: "
		    "<code>/pay romashka 12500</code>", "Amount: more than zero (a minus for a "
		    "refund). Example: <code>/pay romashka 12500</code>"));
	a.day = billing_view_today(c);
	after = view_word(rest, word, sizeof(word));
	if (payment_record_datelike(word)) {
		if (valid_date(word, &when, c->lang, err, sizeof(err)) == -1) {
			struct buf b;

			buf_init(&b, 0);
			buf_adds(&b, "⚠️ ");
			buf_add_html(&b, err);
			return billing_view_error(c, &b);
		}
		if (when / 86400 > a.day)
			return billing_view_say(c, TR(c, "Дата платежа в будущем: записывают полученные "
			    "деньги. Без даты — сегодня.", "The payment date is in the future: record "
			    "money received. Without a date: today."));
		a.day = when / 86400;
		rest = after;
	}
	if (a.amount < 0 && strlen(rest) < 3)
		return billing_view_say(c, TR(c, "Возврат: укажите причину после суммы. Пример: "
		    "<code>/pay romashka -1500 ошибочный платёж</code>", "A refund needs a reason "
		    "after the amount. Example: <code>/pay romashka -1500 paid twice</code>"));
	if (strlen(rest) > (a.amount < 0 ? BILLPAY_REASON_MAX : PAYMENT_REF_MAX))
		return billing_view_say(c, a.amount < 0 ? TR(c, "Причина: до 500 байт.",
		    "Reason: 500 bytes at most.") : TR(c, "Основание: до 128 байт.",
		    "Reference: 128 bytes at most."));
	str_copy(a.text, sizeof(a.text), rest);
	/* an invoice number names the invoice, and through it the partner */
	if (ref[0] >= '0' && ref[0] <= '9' && strlen(ref) > 5 && ref[4] == '-') {
		if ((r = invoices_by_number(c, ref, &inv)) != 1)
			return r;
		if (a.amount < 0)
			return billing_view_say(c, TR(c, "Возврат — с баланса партнёра, не по счёту: "
			    "<code>/pay &lt;партнёр&gt; -сумма причина</code>", "A refund comes from the "
			    "partner's credit, not an invoice: <code>/pay &lt;partner&gt; -amount "
			    "reason</code>"));
		a.invoice = inv.id;
		if (payment_record_begin(c, &a) == -1 || partner_get(c->db, inv.partner_id, &p) != 1)
			return -1;
		return payment_record_proceed(c, &p);
	}
	if (payment_record_begin(c, &a) == -1)
		return -1;
	if ((r = billing_view_pick(c, ref, &p, "ypk")) != 1)
		return r;
	return payment_record_proceed(c, &p);
}

/* "ipy:<invoice id>": the invoice's "Оплата": a payment of what is left on it, today. */
int
payment_record_invoice_btn(struct ctx *c)
{
	struct payment_record_args a;
	struct invoice inv;
	struct partner p;
	int64_t id;
	int r;

	if (str_to_i64(c->arg, &id) == -1 || id <= 0)
		return view_damaged(c);
	if ((r = invoice_get(c->db, id, &inv)) != 1 ||
	    (r = partner_get(c->db, inv.partner_id, &p)) != 1)
		return r == -1 ? -1 : view_damaged(c);
	memset(&a, 0, sizeof(a));
	a.amount = inv.amount - inv.paid;
	a.day = billing_view_today(c);
	a.invoice = inv.status == INV_OPEN ? inv.id : 0;
	if (a.amount <= 0 || a.invoice == 0)
		return reply_edit(c, TR(c, "Счёт уже не открыт: платить нечего.",
		    "The invoice is not open: nothing to pay."), NULL);
	if (payment_record_begin(c, &a) == -1)
		return -1;
	return payment_record_proceed(c, &p);
}

/* ---- the dunning alert's buttons ------------------------------------------------------- */

/* The presser's private chat: the alert is in a group, partner data never is. */
static void
payment_record_private(const struct ctx *c, struct ctx *pc)
{
	*pc = *c;
	pc->chat_id = c->user_id;
	pc->is_group = 0;
	pc->is_callback = 0;
	pc->thread_id = 0;
	pc->message_id = 0;
}

/* The partner a dunning button names: 1, 0 (gone or damaged; nothing said in the group). */
static int
payment_record_dunning_partner(struct ctx *c, struct partner *p)
{
	int64_t id;

	if (str_to_i64(c->arg, &id) == -1 || id <= 0)
		return 0;
	return partner_get(c->db, id, p);
}

/* "dpay:<partner id>": a payment of everything owed, confirmed in the private chat. */
int
payment_record_dunning_pay_btn(struct ctx *c)
{
	struct invoice open[BILLPAY_OPEN_MAX];
	struct payment_record_args a;
	struct partner p;
	struct ctx pc;
	int n, i, r;

	if ((r = payment_record_dunning_partner(c, &p)) != 1)
		return r;
	payment_record_private(c, &pc);
	if ((n = invoice_open_of(c->db, p.id, open, BILLPAY_OPEN_MAX)) == -1 ||
	    billing_view_audit(&pc, p.id, "billing.read", "", "dunning alert: open invoices") == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < n; i++)
		a.amount += open[i].amount - open[i].paid;
	a.day = billing_view_today(c);
	if (a.amount <= 0)
		r = reply(&pc, TR(c, "Открытых счетов нет: платить нечего.",
		    "No open invoices: nothing to pay."), NULL);
	else
		r = payment_record_begin(&pc, &a) == -1 ? -1 : payment_record_proceed(&pc, &p);
	c->nout = pc.nout;	/* dedupe keys stay unique within the request */
	return r;
}

/* "dext:<partner id>": no dunning step for 7 days; a partner suspended by it is active. */
int
payment_record_dunning_extend_btn(struct ctx *c)
{
	struct partner p, after;
	struct buf b;
	struct ctx pc;
	int64_t today = billing_view_today(c);
	int r;

	if ((r = payment_record_dunning_partner(c, &p)) != 1)
		return r;
	payment_record_private(c, &pc);
	if ((r = billing_extend(c->app, c->db, p.id, BILLPAY_EXTEND_DAYS, today, c->user_id)) ==
	    -1 || partner_get(c->db, p.id, &after) != 1)
		return -1;
	buf_init(&b, 0);
	if (r == 0)
		buf_adds(&b, TR(c, "Просроченных счетов нет: продлевать нечего · ", "Nothing is "
		    "overdue: nothing to extend · "));
	else {
		if (billing_view_audit(&pc, p.id, "billing.extend", "", "dunning on hold for 7 days") ==
		    -1) {
			buf_release(&b);
			return -1;
		}
		buf_adds(&b, TR(c, "✅ Отсрочка на 7 дней: шагов взыскания не будет до ", "✅ Extended "
		    "by 7 days: no dunning step before "));
		billing_view_day(&b, today + BILLPAY_EXTEND_DAYS);
		buf_adds(&b, " · ");
	}
	buf_add_html(&b, p.name);
	if (after.status != p.status)
		buf_printf(&b, "\n%s → %s", view_status(c, p.status), view_status(c, after.status));
	else
		buf_printf(&b, TR(c, "\nСтатус: %s", "\nStatus: %s"), view_status(c, after.status));
	r = reply(&pc, b.ptr, NULL);
	buf_release(&b);
	c->nout = pc.nout;
	return r;
}

static int
payment_record_block_proceed(struct ctx *c, const struct partner *p)
{
	struct buf b;
	int64_t owed;

	if (billing_owed(c->db, p->id, &owed) == -1)
		return -1;
	buf_init(&b, 0);
	if (p->status == PARTNER_BLOCKED || !partner_status_allowed(p->status, PARTNER_BLOCKED)) {
		buf_adds(&b, TR(c, "Партнёра «", "“"));
		buf_add_html(&b, p->name);
		buf_printf(&b, TR(c, "» не заблокировать: статус %s.", "” cannot be blocked: the "
		    "status is %s."), view_status(c, p->status));
		return payment_record_refuse(c, &b);
	}
	buf_adds(&b, TR(c, "❗️ <b>Заблокировать сейчас</b> · ", "❗️ <b>Block now</b> · "));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "\nДолг: ", "\nOwed: "));
	billing_view_money(&b, owed);
	buf_adds(&b, TR(c, "\nВход в CRM закроется, выгрузка данных останется. Это блокировка "
	    "вручную: оплата её не снимет, разблокировать — /status.", "\nCRM login closes; data "
	    "export stays. A block by hand: a payment does not lift it; unblock with /status."));
	return billing_view_ask_yes(c, p, &b, "yok", TR(c, "Да, заблокировать", "Yes, block"));
}

static int
payment_record_block_apply(struct ctx *c, const struct partner *p, int option)
{
	struct partner now;
	struct buf b;
	int r;

	(void)option;
	if (partner_get(c->db, p->id, &now) != 1)
		return -1;
	r = partner_set_status(c->db, p->id, PARTNER_BLOCKED, c->user_id, "",
	    "неоплата: блокировка из тревоги", c->now);
	if (r == -1 || (r == 1 &&
	    billing_dunning_refresh(c->app, c->db, p->id, billing_view_today(c)) == -1))
		return -1;
	buf_init(&b, 0);
	if (r == 0) {
		buf_printf(&b, TR(c, "Из статуса %s заблокировать нельзя.", "%s cannot be blocked."),
		    view_status(c, now.status));
		return billing_view_send(c, &b, NULL);
	}
	buf_printf(&b, "%s → blocked (dunning alert)", partner_status_name(now.status));
	if (billing_view_audit(c, p->id, "partner.status", "unpaid: blocked from the dunning alert",
	    b.ptr) == -1) {
		buf_release(&b);
		return -1;
	}
	log_info("partner %lld: blocked by user %lld from the dunning alert", (long long)p->id,
	    (long long)c->user_id);
	buf_reset(&b);
	buf_adds(&b, TR(c, "✅ Заблокирован: ", "✅ Blocked: "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " · %s → %s", view_status(c, now.status), view_status(c, PARTNER_BLOCKED));
	return billing_view_send(c, &b, NULL);
}

/* "dblk:<partner id>": a confirmation in the private chat, then a block by this person. */
int
payment_record_dunning_block_btn(struct ctx *c)
{
	struct partner p;
	struct ctx pc;
	int r;

	if ((r = payment_record_dunning_partner(c, &p)) != 1)
		return r;
	payment_record_private(c, &pc);
	r = billing_view_begin(&pc, "bill_block", BILLING_VIEW_PICK) == -1 ? -1 :
	    payment_record_block_proceed(&pc, &p);
	c->nout = pc.nout;
	return r;
}

static const struct billing_view_flow payment_record_flows[] = {
	{ "bill_pay", payment_record_proceed, payment_record_apply },
	{ "bill_block", payment_record_block_proceed, payment_record_block_apply },
	{ NULL, NULL, NULL },
};

int
payment_record_pick_btn(struct ctx *c)
{
	return billing_view_pick_btn(c, payment_record_flows);
}

int
payment_record_confirm_btn(struct ctx *c)
{
	return billing_view_confirm_btn(c, payment_record_flows);
}
