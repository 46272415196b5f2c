/*
 * invoice_view.c — invoices, acts and payments as billing staff read them: /invoices (a paged list:
 * all, open, overdue, or one partner's), /invoice <number> with its lines and buttons,
 * /invoice_void, /acts and /payments of a partner. Recording payments (/pay) and the dunning
 * alert's buttons are in payment_record.c; their rows are in this file's tables.
 *
 * Who reads what: the overview (numbers, partner names, amounts: no personal data) is for
 * billing, superadmins and managers; anything of one partner is partner data, audited, and
 * support sees it only inside a ticket session; developers see none of it. What people typed
 * (bank references, reasons) shows only to those who may see personal data.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/billing/billing_view.h"

#define INV_PAGE 10
#define INV_LINES_MAX 32
#define INV_ROWS_MAX 30		/* acts and payments shown */
#define INV_REASON_MAX 500

/* ---- /invoices ------------------------------------------------------------------------- */

/* One row of a list: "⚠️ 2026-0012 · Ромашка · 12 500,00 ₽ · оплачено … · срок … · статус" */
static void
inv_row(struct ctx *c, struct buf *b, const struct invoice *inv, int with_partner)
{
	struct partner p;
	int64_t today = billing_view_today(c);

	buf_adds(b, inv->status == INV_OPEN && inv->due_on < today ? "\n⚠️ " : "\n• ");
	buf_adds(b, "<b>");
	buf_add_html(b, inv->number[0] ? inv->number : "—");
	buf_adds(b, "</b>");
	if (with_partner && partner_get(c->db, inv->partner_id, &p) == 1) {
		buf_adds(b, " · ");
		buf_add_html(b, p.name);
	}
	buf_adds(b, " · ");
	billing_view_money(b, inv->amount);
	if (inv->paid > 0 && inv->paid < inv->amount) {
		buf_adds(b, TR(c, " · оплачено ", " · paid "));
		billing_view_money(b, inv->paid);
	}
	buf_adds(b, TR(c, " · срок ", " · due "));
	billing_view_day(b, inv->due_on);
	buf_printf(b, " · %s", billing_view_invoice_status(c, inv, today));
}

static const char *
inv_filter_name(struct ctx *c, int filter)
{
	switch (filter) {
	case INVF_OPEN: return TR(c, "открытые", "open");
	case INVF_OVERDUE: return TR(c, "просроченные", "overdue");
	default: return TR(c, "все", "all");
	}
}

/* A page of the list; qid is the saved filter "<filter>|<partner id>" behind the buttons. */
static int
inv_list_page(struct ctx *c, int64_t qid, int filter, const struct partner *p, int offset)
{
	struct invoice rows[INV_PAGE];
	struct buf b;
	struct kb k;
	char detail[128];
	int n, i, r, total;

	if (p == NULL && (c->roles & (ROLE_SUPERADMIN | ROLE_BILLING | ROLE_MANAGER)) == 0)
		return billing_view_say(c, TR(c, "Поддержке — только счета партнёра по тикету: "
		    "<code>/invoices &lt;партнёр&gt;</code>", "Support sees only a partner's invoices, "
		    "for a ticket: <code>/invoices &lt;partner&gt;</code>"));
	snprintf(detail, sizeof(detail), "invoices filter=%s offset=%d",
	    filter == INVF_OPEN ? "open" : filter == INVF_OVERDUE ? "overdue" : "all", offset);
	if (p != NULL && (r = billing_view_read_gate(c, p, detail)) != 1)
		return r;
	if (p == NULL && view_audit(c, 0, "billing.list", "", 0, detail) == -1)
		return -1;
	n = invoice_list(c->db, p ? p->id : 0, filter, billing_view_today(c), offset, INV_PAGE, rows,
	    &total);
	if (n == -1)
		return -1;
	buf_init(&b, 0);
	kb_init(&k);
	buf_adds(&b, TR(c, "🧾 <b>Счета</b>", "🧾 <b>Invoices</b>"));
	if (total > 0)
		buf_printf(&b, TR(c, " %d–%d из %d", " %d–%d of %d"), offset + 1, offset + n, total);
	if (filter != INVF_ALL)
		buf_printf(&b, " · %s", inv_filter_name(c, filter));
	if (p != NULL) {
		buf_adds(&b, " · ");
		buf_add_html(&b, p->name);
	}
	if (total == 0)
		buf_adds(&b, TR(c, "\nСчетов нет.", "\nNo invoices."));
	for (i = 0; i < n; i++) {
		inv_row(c, &b, &rows[i], p == NULL);
		if (i % 3 == 0)
			kb_row(&k);
		kb_button(&k, rows[i].number[0] ? rows[i].number : "—", "inv:%lld",
		    (long long)rows[i].id);
	}
	kb_row(&k);
	if (offset > 0)
		kb_button(&k, TR(c, "◀ Назад", "◀ Back"), "inl:%lld:%d", (long long)qid,
		    offset >= INV_PAGE ? offset - INV_PAGE : 0);
	if (offset + n < total)
		kb_button(&k, TR(c, "Дальше ▶", "Next ▶"), "inl:%lld:%d", (long long)qid,
		    offset + INV_PAGE);
	if (p != NULL)
		view_back_to_card(c, &k, p->id);
	return billing_view_send(c, &b, &k);
}

/* Saves the filter for the page buttons and shows the first page. */
static int
inv_list_first(struct ctx *c, int filter, const struct partner *p)
{
	char saved[64];
	int64_t qid;

	snprintf(saved, sizeof(saved), "%d|%lld", filter, (long long)(p ? p->id : 0));
	if ((qid = query_save(c->db, c->user_id, "invoices", saved, c->now)) == -1)
		return -1;
	return inv_list_page(c, qid, filter, p, 0);
}

/* /invoices [partner|overdue|open] */
static int
inv_list_cmd(struct ctx *c)
{
	static const struct {
		const char	*word;
		int		 filter;
	} words[] = {
		{ "", INVF_ALL }, { "all", INVF_ALL }, { "все", INVF_ALL },
		{ "open", INVF_OPEN }, { "открытые", INVF_OPEN },
		{ "overdue", INVF_OVERDUE }, { "просроченные", INVF_OVERDUE },
	};
	struct partner p;
	size_t i;
	int r;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(c->args, words[i].word) == 0)
			return inv_list_first(c, words[i].filter, NULL);
	r = view_pick_partner(c, c->args, &p, "invp");
	return r != 1 ? r : inv_list_first(c, INVF_ALL, &p);
}

/* "invp:<partner id>": a partner's invoices (a choice list, the subscription card). */
static int
inv_partner_btn(struct ctx *c)
{
	struct partner p;
	int r = view_button_partner(c, c->arg, &p);

	return r != 1 ? r : inv_list_first(c, INVF_ALL, &p);
}

/* "inl:<query id>:<offset>" */
static int
inv_page_btn(struct ctx *c)
{
	char saved[64], *bar;
	int64_t qid, filter, pid;
	struct partner p;
	int r, off;

	r = view_page_button(c, "invoices", "/invoices", saved, sizeof(saved), &qid, &off);
	if (r != 1)
		return r;
	if ((bar = strchr(saved, '|')) == NULL)
		return view_damaged(c);
	*bar = '\0';
	if (str_to_i64(saved, &filter) == -1 || filter < INVF_ALL || filter > INVF_OVERDUE ||
	    str_to_i64(bar + 1, &pid) == -1 || pid < 0)
		return view_damaged(c);
	if (pid == 0)
		return inv_list_page(c, qid, (int)filter, NULL, off);
	if ((r = partner_get(c->db, pid, &p)) != 1)
		return r == -1 ? -1 : view_damaged(c);
	return inv_list_page(c, qid, (int)filter, &p, off);
}

/* ---- /invoice -------------------------------------------------------------------------- */

/* An invoice by its number: 1 found; 0 answered (unknown number, with what to type). */
int
invoices_by_number(struct ctx *c, const char *number, struct invoice *inv)
{
	struct buf b;
	int r;

	r = number[0] && strlen(number) < INVOICE_NUMBER_MAX ?
	    invoice_by_number(c->db, number, inv) : 0;
	if (r != 0)
		return r;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⚠️ Счёт «", "⚠️ No invoice “"));
	buf_add_quote(&b, number);
	buf_adds(&b, TR(c, "» не найден. Номер вида <code>2026-0001</code>; список: /invoices",
	    "”. Numbers look like <code>2026-0001</code>; the list: /invoices"));
	return billing_view_error(c, &b) == -1 ? -1 : 0;
}

static const char *
inv_dunning_name(struct ctx *c, int step)
{
	switch (step) {
	case DUN_OVERDUE: return TR(c, "просрочен (тревога)", "overdue (alert)");
	case DUN_SUSPENDED: return TR(c, "партнёр приостановлен", "partner suspended");
	case DUN_BLOCKED: return TR(c, "партнёр заблокирован", "partner blocked");
	default: return "—";
	}
}

static int
inv_show(struct ctx *c, const struct invoice *inv)
{
	struct invoice_line lines[INV_LINES_MAX];
	struct partner p;
	struct buf b;
	struct kb k;
	char what[64];
	int64_t today = billing_view_today(c);
	int r, n, i;

	if ((r = partner_get(c->db, inv->partner_id, &p)) != 1)
		return -1;
	snprintf(what, sizeof(what), "invoice %s", inv->number);
	if ((r = billing_view_read_gate(c, &p, what)) != 1)
		return r;
	if ((n = invoice_lines(c->db, inv->id, lines, INV_LINES_MAX)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🧾 <b>Счёт ", "🧾 <b>Invoice "));
	buf_add_html(&b, inv->number[0] ? inv->number : "—");
	buf_printf(&b, "</b> · %s\n", billing_view_invoice_status(c, inv, today));
	buf_adds(&b, TR(c, "Партнёр: ", "Partner: "));
	buf_add_html(&b, p.name);
	buf_printf(&b, " · #%lld", (long long)p.id);
	if (inv->period_start > 0) {
		buf_adds(&b, TR(c, "\nПериод: ", "\nPeriod: "));
		billing_view_period(&b, inv->period_start, inv->period_end);
	}
	buf_adds(&b, TR(c, "\nВыставлен: ", "\nIssued: "));
	billing_view_day(&b, inv->issued_on);
	buf_adds(&b, TR(c, " · срок оплаты: ", " · due: "));
	billing_view_day(&b, inv->due_on);
	buf_addc(&b, '\n');
	for (i = 0; i < n; i++) {
		buf_adds(&b, "\n• ");
		buf_add_html(&b, lines[i].description);
		buf_printf(&b, ": %lld × ", (long long)lines[i].quantity);
		billing_view_money(&b, lines[i].unit_price);
		buf_adds(&b, " = ");
		billing_view_money(&b, lines[i].amount);
	}
	buf_adds(&b, TR(c, "\n\nИтого: <b>", "\n\nTotal: <b>"));
	billing_view_money(&b, inv->amount);
	buf_adds(&b, TR(c, "</b>\nОплачено: ", "</b>\nPaid: "));
	billing_view_money(&b, inv->paid);
	if (inv->status == INV_OPEN) {
		buf_adds(&b, TR(c, " · осталось: <b>", " · left: <b>"));
		billing_view_money(&b, inv->amount - inv->paid);
		buf_adds(&b, "</b>");
	}
	if (inv->paid_on > 0) {
		buf_adds(&b, TR(c, " · оплачен ", " · paid on "));
		billing_view_day(&b, inv->paid_on);
	}
	if (inv->dunning > DUN_NONE)
		buf_printf(&b, TR(c, "\nВзыскание: %s", "\nDunning: %s"),
		    inv_dunning_name(c, inv->dunning));
	if (inv->hold_until > today) {
		buf_adds(&b, TR(c, "\nОтсрочка: до ", "\nOn hold until "));
		billing_view_day(&b, inv->hold_until);
	}
	if (inv->status == INV_VOID) {
		buf_adds(&b, TR(c, "\nАннулирован", "\nVoided"));
		if (inv->void_reason[0] && billing_view_may_see_text(c)) {
			buf_adds(&b, ": ");
			buf_add_html(&b, inv->void_reason);
		}
	}
	kb_init(&k);
	if (inv->status == INV_OPEN && gate_allows(c->is_member, c->roles, BILLING_VIEW_WRITE)) {
		kb_button(&k, TR(c, "💳 Оплата", "💳 Payment"), "ipy:%lld", (long long)inv->id);
		kb_button(&k, TR(c, "Аннулировать", "Void"), "ivd:%lld", (long long)inv->id);
		kb_row(&k);
	}
	kb_button(&k, TR(c, "Подписка", "Subscription"), "sub:%lld", (long long)p.id);
	kb_button(&k, TR(c, "Счета партнёра", "Partner's invoices"), "invp:%lld", (long long)p.id);
	view_back_to_card(c, &k, p.id);
	return billing_view_send(c, &b, &k);
}

/* /invoice <number> */
static int
inv_show_cmd(struct ctx *c)
{
	struct invoice inv;
	char num[64];
	int r;

	view_word(c->args, num, sizeof(num));
	if ((r = invoices_by_number(c, num, &inv)) != 1)
		return r;
	return inv_show(c, &inv);
}

/* The invoice a button names: 1, 0 answered, -1. */
static int
inv_button_invoice(struct ctx *c, struct invoice *inv)
{
	int64_t id;
	int r;

	if (str_to_i64(c->arg, &id) == -1 || id <= 0)
		return view_damaged(c) == -1 ? -1 : 0;
	if ((r = invoice_get(c->db, id, inv)) == 0)
		return reply_edit(c, TR(c, "Счёт не найден.", "No such invoice."), NULL) == -1 ?
		    -1 : 0;
	return r;
}

/* "inv:<invoice id>" */
static int
inv_show_btn(struct ctx *c)
{
	struct invoice inv;
	int r = inv_button_invoice(c, &inv);

	return r != 1 ? r : inv_show(c, &inv);
}

/* ---- /invoice_void --------------------------------------------------------------------- */

/* The open invoice a pending void names: 1, 0 answered (ended). */
static int
inv_void_load(struct ctx *c, struct invoice *inv)
{
	struct buf b;
	int64_t id;
	int r;

	if ((r = billing_view_get_i64(c, "invoice", &id)) == -1 ||
	    (r == 1 && (r = invoice_get(c->db, id, inv)) == -1))
		return -1;
	if (r == 1 && inv->status == INV_OPEN)
		return 1;
	if (billing_view_end(c) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⚠️ Аннулировать можно только открытый счёт", "⚠️ Only an open "
	    "invoice can be voided"));
	if (r == 1) {
		buf_adds(&b, TR(c, "; счёт ", "; invoice "));
		buf_add_html(&b, inv->number);
		buf_printf(&b, TR(c, " сейчас: %s", " is %s"), billing_view_invoice_status(c, inv,
		    billing_view_today(c)));
	}
	buf_addc(&b, '.');
	return billing_view_send(c, &b, NULL) == -1 ? -1 : 0;
}

static int
inv_void_proceed(struct ctx *c, const struct partner *p)
{
	char reason[INV_REASON_MAX + 1];
	struct invoice inv;
	struct buf b;
	int r;

	if ((r = inv_void_load(c, &inv)) != 1)
		return r;
	if (billing_view_get(c, "reason", reason, sizeof(reason)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "❗️ <b>Аннулировать счёт ", "❗️ <b>Void invoice "));
	buf_add_html(&b, inv.number);
	buf_adds(&b, "</b> · ");
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "\nСумма: ", "\nAmount: "));
	billing_view_money(&b, inv.amount);
	if (inv.paid > 0) {
		buf_adds(&b, TR(c, "; оплаченные ", "; the "));
		billing_view_money(&b, inv.paid);
		buf_adds(&b, TR(c, " вернутся на баланс партнёра и пойдут на другие открытые счета",
		    " paid return to the partner's credit and go to other open invoices"));
	}
	buf_adds(&b, TR(c, ".\nНомер останется занятым.\nПричина: ", ".\nThe number stays used."
	    "\nReason: "));
	buf_add_html(&b, reason);
	return billing_view_ask_yes(c, p, &b, "iok", TR(c, "Да, аннулировать", "Yes, void it"));
}

static int
inv_void_apply(struct ctx *c, const struct partner *p, int option)
{
	char reason[INV_REASON_MAX + 1], d[128];
	struct invoice inv;
	int64_t credit;
	struct buf b;
	int r;

	(void)option;
	if ((r = inv_void_load(c, &inv)) != 1)
		return r;
	if (billing_view_get(c, "reason", reason, sizeof(reason)) == -1 ||
	    (r = billing_void(c->app, c->db, &inv, reason, billing_view_today(c))) == -1)
		return -1;
	if (r == 0)
		return billing_view_say(c, TR(c, "Счёт уже не открыт; ничего не изменено.",
		    "The invoice is not open any more; nothing changed."));
	snprintf(d, sizeof(d), "invoice %s amount=%lld paid=%lld", inv.number,
	    (long long)inv.amount, (long long)inv.paid);
	if (billing_view_audit(c, p->id, "billing.void", reason, d) == -1 ||
	    billing_credit(c->db, p->id, &credit) == -1)
		return -1;
	log_info("invoice %s voided by user %lld", inv.number, (long long)c->user_id);
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✅ Счёт ", "✅ Invoice "));
	buf_add_html(&b, inv.number);
	buf_adds(&b, TR(c, " аннулирован. Баланс партнёра (аванс): ", " voided. The partner's "
	    "credit: "));
	billing_view_money(&b, credit);
	buf_addc(&b, '.');
	return billing_view_send(c, &b, NULL);
}

/* Starts a pending void of inv with a reason, and asks to confirm. */
static int
inv_void_start(struct ctx *c, const struct invoice *inv, const char *reason)
{
	struct partner p;

	if (strlen(reason) < 3 || strlen(reason) > INV_REASON_MAX)
		return billing_view_say(c, TR(c, "Причина аннулирования: от 3 до 500 символов. Пример: "
		    "<code>/invoice_void 2026-0012 выставлен по ошибке</code>", "The reason: 3 to 500 "
		    "characters. Example: <code>/invoice_void 2026-0012 issued by mistake</code>"));
	if (partner_get(c->db, inv->partner_id, &p) != 1 ||
	    billing_view_begin(c, "bill_void", BILLING_VIEW_PICK) == -1 ||
	    billing_view_put_i64(c, "invoice", inv->id) == -1 || billing_view_put(c, "reason", reason) == -1)
		return -1;
	return inv_void_proceed(c, &p);
}

/* /invoice_void <number> <reason…> */
static int
inv_void_cmd(struct ctx *c)
{
	struct invoice inv;
	const char *reason;
	char num[64];
	int r;

	reason = view_word(c->args, num, sizeof(num));
	if ((r = invoices_by_number(c, num, &inv)) != 1)
		return r;
	return inv_void_start(c, &inv, reason);
}

/* "ivd:<invoice id>": the invoice's button asks for the reason (the dialog waits for it). */
static int
inv_void_btn(struct ctx *c)
{
	struct invoice inv;
	struct buf b;
	int r = inv_button_invoice(c, &inv);

	if (r != 1)
		return r;
	if (billing_view_begin(c, "bill_void", BILLING_VIEW_TEXT) == -1 ||
	    billing_view_put_i64(c, "invoice", inv.id) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Причина аннулирования счёта ", "The reason to void invoice "));
	buf_add_html(&b, inv.number);
	buf_adds(&b, TR(c, "? Одной строкой.\n/cancel — отменить", "? One line.\n/cancel to "
	    "leave"));
	r = reply(c, b.ptr, NULL);
	buf_release(&b);
	return r;
}

/* Text in a pending void: the reason when asked for, else a hint to use the buttons. */
static int
inv_void_text(struct ctx *c, const struct dialog *d, const char *text)
{
	struct invoice inv;
	int r;

	if (d->step != BILLING_VIEW_TEXT)
		return billing_view_waiting_text(c, d, text);
	if ((r = inv_void_load(c, &inv)) != 1)
		return r;
	return inv_void_start(c, &inv, text);
}

/* ---- /acts, /payments ------------------------------------------------------------------ */

static int
inv_acts(struct ctx *c, const struct partner *p)
{
	struct act rows[INV_ROWS_MAX];
	struct invoice inv;
	struct buf b;
	struct kb k;
	int r, n, i;

	if ((r = billing_view_read_gate(c, p, "acts")) != 1)
		return r;
	if ((n = act_list(c->db, p->id, rows, INV_ROWS_MAX)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "📑 <b>Акты</b> · ", "📑 <b>Acts</b> · "));
	buf_add_html(&b, p->name);
	if (n == 0)
		buf_adds(&b, TR(c, "\nАктов нет: они появляются, когда оплачен период.",
		    "\nNo acts: one comes when a period is paid."));
	for (i = 0; i < n; i++) {
		buf_adds(&b, "\n• <b>");
		buf_add_html(&b, rows[i].number);
		buf_adds(&b, "</b> · ");
		billing_view_period(&b, rows[i].period_start, rows[i].period_end);
		buf_adds(&b, " · ");
		billing_view_money(&b, rows[i].amount);
		buf_adds(&b, TR(c, " · от ", " · of "));
		billing_view_day(&b, rows[i].issued_on);
		if (invoice_get(c->db, rows[i].invoice_id, &inv) == 1) {
			buf_adds(&b, TR(c, " · счёт ", " · invoice "));
			buf_add_html(&b, inv.number);
		}
	}
	if (n == INV_ROWS_MAX)
		buf_printf(&b, TR(c, "\n(последние %d)", "\n(the latest %d)"), n);
	kb_init(&k);
	view_back_to_card(c, &k, p->id);
	return billing_view_send(c, &b, &k);
}

static const char *
inv_source_name(struct ctx *c, const char *source)
{
	if (strcmp(source, "manual") == 0)
		return TR(c, "вручную", "by hand");
	if (strcmp(source, "api") == 0)
		return TR(c, "банк/API", "bank/API");
	if (strcmp(source, "credit_note") == 0)
		return TR(c, "кредит-нота", "credit note");
	if (strcmp(source, "demo") == 0)
		return TR(c, "демо", "demo");
	return "?";
}

static int
inv_payments(struct ctx *c, const struct partner *p)
{
	struct payment rows[INV_ROWS_MAX];
	struct buf b;
	struct kb k;
	int r, n, i, text = billing_view_may_see_text(c);

	if ((r = billing_view_read_gate(c, p, "payments")) != 1)
		return r;
	if ((n = payment_list(c->db, p->id, rows, INV_ROWS_MAX)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "💳 <b>Платежи</b> · ", "💳 <b>Payments</b> · "));
	buf_add_html(&b, p->name);
	if (n == 0)
		buf_adds(&b, TR(c, "\nПлатежей нет.", "\nNo payments."));
	for (i = 0; i < n; i++) {
		buf_adds(&b, rows[i].amount < 0 ? "\n↩️ " : "\n• ");
		billing_view_day(&b, rows[i].received_on);
		buf_adds(&b, " · <b>");
		billing_view_money(&b, rows[i].amount);
		buf_printf(&b, "</b> · %s", inv_source_name(c, rows[i].source));
		if (text && rows[i].reference[0]) {
			buf_adds(&b, " · ");
			buf_add_html(&b, rows[i].reference);
		}
		if (text && rows[i].reason[0]) {
			buf_adds(&b, TR(c, " · причина: ", " · reason: "));
			buf_add_html(&b, rows[i].reason);
		}
	}
	if (n == INV_ROWS_MAX)
		buf_printf(&b, TR(c, "\n(последние %d)", "\n(the latest %d)"), n);
	kb_init(&k);
	view_back_to_card(c, &k, p->id);
	return billing_view_send(c, &b, &k);
}

/* A command (the partner typed) or a button (its id), the same view. */
static int
inv_acts_go(struct ctx *c)
{
	return billing_view_with_partner(c, "acts", inv_acts);
}

static int
inv_payments_go(struct ctx *c)
{
	return billing_view_with_partner(c, "pays", inv_payments);
}

/* ---- the tables ------------------------------------------------------------------------ */

static const struct billing_view_flow inv_flows[] = {
	{ "bill_void", inv_void_proceed, inv_void_apply },
	{ NULL, NULL, NULL },
};

static int
inv_confirm_btn(struct ctx *c)
{
	return billing_view_confirm_btn(c, inv_flows);
}

const struct command invoices_commands[] = {
	{ "invoices", "[партнёр|overdue|open]", BILLING_VIEW_READ, CMD_PARTNER, 0,
	  "счета: все, открытые, просроченные или одного партнёра",
	  "invoices: all, open, overdue or one partner's", inv_list_cmd },
	{ "invoice", "<номер>", BILLING_VIEW_READ, CMD_PARTNER, 1,
	  "счёт: строки, оплата, статус", "an invoice: lines, payment, status", inv_show_cmd },
	{ "invoice_void", "<номер> <причина>", BILLING_VIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "аннулировать открытый счёт (с причиной)", "void an open invoice (with a reason)",
	  inv_void_cmd },
	{ "pay", "<партнёр|счёт> <сумма> [ДД.ММ.ГГГГ] [основание]", BILLING_VIEW_WRITE,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 2,
	  "записать платёж (минус — возврат, с причиной)",
	  "record a payment (a minus: a refund, with a reason)", payment_record_cmd },
	{ "acts", "<партнёр>", BILLING_VIEW_READ, CMD_PARTNER, 1,
	  "акты партнёра", "a partner's acts", inv_acts_go },
	{ "payments", "<партнёр>", BILLING_VIEW_READ, CMD_PARTNER, 1,
	  "платежи и возвраты партнёра", "a partner's payments and refunds", inv_payments_go },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

/*
 * The dunning alert's buttons (dpay, dext, dblk) are pressed in the billing chat, so they carry
 * no CMD_PARTNER (that would refuse them in a group): what they show about the partner goes to
 * the presser's private chat, like the alert's card button.
 */
const struct button invoices_buttons[] = {
	{ "inl", BILLING_VIEW_READ, CMD_PARTNER, inv_page_btn, NULL },
	{ "inv", BILLING_VIEW_READ, CMD_PARTNER, inv_show_btn, NULL },
	{ "invp", BILLING_VIEW_READ, CMD_PARTNER, inv_partner_btn, NULL },
	{ "acts", BILLING_VIEW_READ, CMD_PARTNER, inv_acts_go, NULL },
	{ "pays", BILLING_VIEW_READ, CMD_PARTNER, inv_payments_go, NULL },
	{ "ivd", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, inv_void_btn, NULL },
	{ "iok", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, inv_confirm_btn, NULL },
	{ "ipy", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, payment_record_invoice_btn, NULL },
	{ "ypk", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, payment_record_pick_btn, NULL },
	{ "yok", BILLING_VIEW_WRITE, CMD_PARTNER | CMD_WRITES, payment_record_confirm_btn, NULL },
	{ "dpay", BILLING_VIEW_WRITE, 0, payment_record_dunning_pay_btn, NULL },
	{ "dext", BILLING_VIEW_WRITE, CMD_WRITES, payment_record_dunning_extend_btn, NULL },
	{ "dblk", BILLING_VIEW_WRITE, CMD_WRITES, payment_record_dunning_block_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct dialog_kind invoices_dialogs[] = {
	{ "bill_void", BILLING_VIEW_WRITE, inv_void_text, NULL },
	{ "bill_pay", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ "bill_block", BILLING_VIEW_WRITE, billing_view_waiting_text, NULL },
	{ NULL, 0, NULL, NULL },
};
