/*
 * billing_view.c — what the billing commands share: money, dates and statuses as text, the read
 * gate for a partner's billing, and the pending actions behind confirmation buttons (see
 * billing_view.h for how they are kept).
 */
#include <stdio.h>
#include <string.h>

#include "handlers/billing/billing_view.h"

int64_t
billing_view_today(const struct ctx *c)
{
	return clock_local_day(c->now);
}

void
billing_view_money(struct buf *b, int64_t kopecks)
{
	char m[MONEY_TEXT_MAX];

	money_format(kopecks, m, sizeof(m));
	buf_adds(b, m);
}

void
billing_view_day(struct buf *b, int64_t day)
{
	char d[32];

	view_date(day > 0 ? day * 86400 : 0, d, sizeof(d));
	buf_adds(b, d);
}

void
billing_view_through(struct buf *b, int64_t end)
{
	billing_view_day(b, end > 0 ? end - 1 : 0);
}

void
billing_view_period(struct buf *b, int64_t start, int64_t end)
{
	if (start <= 0 || end <= start) {
		buf_adds(b, "—");
		return;
	}
	billing_view_day(b, start);
	buf_adds(b, " – ");
	billing_view_through(b, end);
}

const char *
billing_view_sub_status(struct ctx *c, int status)
{
	switch (status) {
	case SUB_TRIALING: return TR(c, "🧪 пробный период", "🧪 trial");
	case SUB_ACTIVE: return TR(c, "🟢 активна", "🟢 active");
	case SUB_PAST_DUE: return TR(c, "🟠 просрочена оплата", "🟠 past due");
	case SUB_CANCELED: return TR(c, "⚪️ завершена", "⚪️ ended");
	default: return "?";
	}
}

const char *
billing_view_invoice_status(struct ctx *c, const struct invoice *inv, int64_t today)
{
	switch (inv->status) {
	case INV_DRAFT: return TR(c, "черновик", "draft");
	case INV_OPEN:
		return inv->due_on > 0 && inv->due_on < today ? TR(c, "⚠️ просрочен",
		    "⚠️ overdue") : TR(c, "открыт", "open");
	case INV_PAID: return TR(c, "✅ оплачен", "✅ paid");
	case INV_VOID: return TR(c, "✖️ аннулирован", "✖️ void");
	case INV_UNCOLLECTIBLE: return TR(c, "списан", "written off");
	default: return "?";
	}
}

const char *
billing_view_period_word(struct ctx *c, int yearly)
{
	return yearly ? TR(c, "год", "year") : TR(c, "мес", "month");
}

int
billing_may_read(const struct ctx *c)
{
	return gate_allows(c->is_member, c->roles, BILLING_VIEW_READ);
}

/* Bank references name payers and reasons may name people: personal data. */
int
billing_view_may_see_text(const struct ctx *c)
{
	return view_may_open_pd(c);
}

int
billing_view_read_gate(struct ctx *c, const struct partner *p, const char *what)
{
	struct access_session s;
	char why[600];
	int r;

	if ((r = partners_support_gate(c, p, 0)) != 1)
		return r;
	r = view_session(c, p->id, &s);
	if (r == -1)
		return -1;
	why[0] = '\0';
	if (r == 1)
		snprintf(why, sizeof(why), "%s%s%s", access_reason_name(s.reason),
		    s.reason_text[0] ? ": " : "", s.reason_text);
	return view_audit(c, p->id, "billing.read", why, r == 1 ? s.id : 0, what) == -1 ? -1 : 1;
}

int
billing_view_with_partner(struct ctx *c, const char *verb,
    int (*show)(struct ctx *, const struct partner *))
{
	struct partner p;
	int r;

	r = c->command != NULL ? view_pick_partner(c, c->args, &p, verb) :
	    view_button_partner(c, c->arg, &p);
	return r != 1 ? r : show(c, &p);
}

int
billing_view_audit(struct ctx *c, int64_t partner_id, const char *action, const char *reason,
    const char *detail)
{
	struct access_session s;
	int r = 0;

	if (partner_id != 0 && (r = view_session(c, partner_id, &s)) == -1)
		return -1;
	return view_audit(c, partner_id, action, reason, r == 1 ? s.id : 0, detail);
}

int
billing_view_send(struct ctx *c, struct buf *b, const struct kb *k)
{
	int rc = reply_edit(c, b->ptr, k);

	buf_release(b);
	return rc;
}

int
billing_view_error(struct ctx *c, struct buf *b)
{
	int rc = reply_edit_error(c, b->ptr);

	buf_release(b);
	return rc;
}

int
billing_view_say(struct ctx *c, const char *html)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "⚠️ ");
	buf_adds(&b, html);
	return billing_view_error(c, &b);
}

/* ---- pending actions ------------------------------------------------------------------- */

int
billing_view_begin(struct ctx *c, const char *kind, int step)
{
	return view_dialog_start(c, kind, 0, step, NULL, NULL);
}

int
billing_view_put(struct ctx *c, const char *key, const char *value)
{
	return dialog_put(c->db, c->user_id, c->chat_id, key, value);
}

int
billing_view_put_i64(struct ctx *c, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return billing_view_put(c, key, num);
}

int
billing_view_get(struct ctx *c, const char *key, char *out, size_t outsz)
{
	int r = dialog_value(c->db, c->user_id, c->chat_id, key, out, outsz);

	if (r != 1)
		out[0] = '\0';
	return r;
}

int
billing_view_get_i64(struct ctx *c, const char *key, int64_t *v)
{
	char num[32];
	int r = billing_view_get(c, key, num, sizeof(num));

	if (r != 1)
		return r;
	return str_to_i64(num, v) == 0 ? 1 : 0;
}

int
billing_view_end(struct ctx *c)
{
	return dialog_end(c->db, c->user_id, c->chat_id);
}

int
billing_view_pick(struct ctx *c, const char *ref, struct partner *p, const char *verb)
{
	struct partner_pd pd;
	int64_t ids[2];
	int n;

	/* nothing found: no choice list comes, so nothing stays pending */
	view_pd_search(c, &pd);
	n = partner_lookup(c->db, ref, &pd, ids, 2);
	if (n == -1 || (n == 0 && billing_view_end(c) == -1))
		return -1;
	return view_pick_partner(c, ref, p, verb);
}

int
billing_view_ask(struct ctx *c, const struct partner *p, struct buf *html, const struct kb *k)
{
	struct dialog d;
	char what[96];
	int r;

	/* a confirmation shows the partner's billing (credit, invoices, prices): it is a read,
	 * audited whether or not the person goes on */
	snprintf(what, sizeof(what), "confirmation: %s",
	    dialog_get(c->db, c->user_id, c->chat_id, &d) == 1 ? d.kind : "?");
	if ((r = billing_view_read_gate(c, p, what)) != 1) {
		buf_release(html);
		return r;
	}
	if (billing_view_put_i64(c, "partner", p->id) == -1 ||
	    dialog_set_step(c->db, c->user_id, c->chat_id, BILLING_VIEW_CONFIRM) == -1) {
		buf_release(html);
		return -1;
	}
	return billing_view_send(c, html, k);
}

int
billing_view_ask_yes(struct ctx *c, const struct partner *p, struct buf *html, const char *verb,
    const char *label)
{
	struct kb k;

	kb_init(&k);
	billing_view_yes(c, &k, verb, p->id, 0, label);
	billing_view_no(c, &k);
	return billing_view_ask(c, p, html, &k);
}

void
billing_view_yes(struct ctx *c, struct kb *k, const char *verb, int64_t partner_id, int option,
    const char *label)
{
	(void)c;
	kb_button(k, label, "%s:%lld:%d", verb, (long long)partner_id, option);
}

void
billing_view_no(struct ctx *c, struct kb *k)
{
	kb_button(k, TR(c, "Отмена", "Cancel"), "bxn:");
}

/* This person's pending action of one of flows at step, fresh: the flow, or NULL. */
static const struct billing_view_flow *
billing_view_pending(struct ctx *c, const struct billing_view_flow *flows, int step, int *err)
{
	struct dialog d;
	size_t i;
	int r;

	*err = 0;
	r = dialog_get(c->db, c->user_id, c->chat_id, &d);
	if (r == -1)
		*err = -1;
	if (r != 1 || d.step != step || c->now - d.updated_at > DIALOG_TTL)
		return NULL;
	for (i = 0; flows[i].kind != NULL; i++)
		if (strcmp(flows[i].kind, d.kind) == 0)
			return &flows[i];
	return NULL;
}

static int
billing_view_stale(struct ctx *c)
{
	return reply_edit(c, TR(c, "Это действие устарело или уже выполнено; повторите команду.",
	    "This action is stale or done already; run the command again."), NULL);
}

/* "<verb>:<partner id>": a partner picked from a choice list continues the pending action. */
int
billing_view_pick_btn(struct ctx *c, const struct billing_view_flow *flows)
{
	const struct billing_view_flow *f;
	struct partner p;
	int r, err;

	f = billing_view_pending(c, flows, BILLING_VIEW_PICK, &err);
	if (err == -1)
		return -1;
	if (f == NULL)
		return billing_view_stale(c);
	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	return f->proceed(c, &p);
}

/* "<verb>:<partner id>:<option>": the confirmation. */
int
billing_view_confirm_btn(struct ctx *c, const struct billing_view_flow *flows)
{
	const struct billing_view_flow *f;
	const char *colon;
	struct partner p;
	int64_t pid, want, option = 0;
	int r, err;

	f = billing_view_pending(c, flows, BILLING_VIEW_CONFIRM, &err);
	if (err == -1)
		return -1;
	colon = strchr(c->arg, ':');
	if (f == NULL || billing_view_get_i64(c, "partner", &want) != 1)
		return billing_view_stale(c);
	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	pid = p.id;
	if (pid != want || (colon != NULL && (str_to_i64(colon + 1, &option) == -1 ||
	    option < 0 || option > 9)))
		return billing_view_stale(c);
	r = f->apply(c, &p, (int)option);
	if (r == -1)
		return -1;
	return billing_view_end(c);
}

int
billing_view_cancel_btn(struct ctx *c)
{
	struct dialog d;
	int r = dialog_get(c->db, c->user_id, c->chat_id, &d);

	if (r == -1)
		return -1;
	/* only a billing action: a dialog of another kind the person opened since stays */
	if (r == 1 && (d.step == BILLING_VIEW_CONFIRM || d.step == BILLING_VIEW_PICK) &&
	    strncmp(d.kind, "bill_", 5) == 0 && billing_view_end(c) == -1)
		return -1;
	return reply_edit(c, TR(c, "Отменено; ничего не изменено.", "Cancelled; nothing changed."),
	    NULL);
}

int
billing_view_waiting_text(struct ctx *c, const struct dialog *d, const char *text)
{
	(void)text;
	return reply(c, d->step == BILLING_VIEW_PICK ? TR(c, "Выберите партнёра кнопкой выше или "
	    "/cancel.", "Pick the partner with a button above or /cancel.") :
	    TR(c, "Подтвердите кнопкой выше или /cancel.", "Confirm with the button above or "
	    "/cancel."), NULL);
}

/* ---- what the subscription commands share ---------------------------------------------- */

/* "Старт (start, v2)" */
void
billing_view_plan_name(struct buf *b, const struct plan *pl)
{
	buf_add_html(b, pl->name);
	buf_adds(b, " (<code>");
	buf_add_html(b, pl->code);
	buf_printf(b, "</code>, v%d)", pl->version);
}

/* The lines of `periods` periods of pl at p's size, one per row; the total in *amount. */
int
billing_view_lines(struct ctx *c, struct buf *b, const struct plan *pl, const struct partner *p,
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
		billing_view_money(b, lines[i].unit_price);
		buf_adds(b, " = ");
		billing_view_money(b, lines[i].amount);
	}
	return 0;
}

/* The plan named by code for a new subscription or a change: 1 found, 0 answered. */
int
billing_view_plan_arg(struct ctx *c, const char *code, struct plan *pl)
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
	buf_add_quote(&b, code);
	buf_adds(&b, r == 1 ? TR(c, "» в архиве и новых подписок не принимает. Действующие: /plans",
	    "” is archived and takes no new subscriptions. Active ones: /plans") :
	    TR(c, "» не найден. Коды тарифов: /plans", "” does not exist. Plan codes: /plans"));
	return billing_view_error(c, &b) == -1 ? -1 : 0;
}

/* The plan a pending action named, still the latest active version: 1, 0 answered. */
int
billing_view_pending_plan(struct ctx *c, struct plan *pl)
{
	struct plan cur;
	int64_t id;
	int r;

	if ((r = billing_view_get_i64(c, "plan", &id)) == -1 || (r == 1 &&
	    (r = plan_get(c->db, id, pl)) == -1))
		return -1;
	if (r == 1 && (r = plan_current(c->db, pl->code, &cur)) == -1)
		return -1;
	if (r == 1 && cur.id == pl->id && !cur.archived)
		return 1;
	if (billing_view_end(c) == -1)
		return -1;
	return billing_view_say(c, TR(c, "Тариф изменился, пока вы подтверждали; повторите команду.",
	    "The plan changed while you were confirming; run the command again.")) == -1 ? -1 : 0;
}

/* The partner's live subscription: 1, 0 none (answered, the pending action ended). */
int
billing_view_live_sub(struct ctx *c, const struct partner *p, struct subscription *s)
{
	struct buf b;
	int r;

	if ((r = sub_live(c->db, p->id, s)) != 0)
		return r;
	if (billing_view_end(c) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⚠️ У партнёра «", "⚠️ “"));
	buf_add_html(&b, p->name);
	buf_printf(&b, TR(c, "» нет действующей подписки. Оформить: <code>/subscribe %lld "
	    "&lt;тариф&gt;</code>", "” has no live subscription. Start one: <code>/subscribe %lld "
	    "&lt;plan&gt;</code>"), (long long)p->id);
	return billing_view_send(c, &b, NULL) == -1 ? -1 : 0;
}

/* A change is logged and audited (billing_rules.c has brought the partner's row up to date). */
int
billing_view_changed(struct ctx *c, int64_t partner_id, const char *action, const char *reason,
    const char *detail)
{
	log_info("partner %lld: %s by user %lld", (long long)partner_id, action,
	    (long long)c->user_id);
	return billing_view_audit(c, partner_id, action, reason, detail);
}

/* The buttons under a result: the invoice issued (if any) and the subscription. */
void
billing_view_result_buttons(struct ctx *c, struct kb *k, const struct invoice *inv, int64_t partner_id)
{
	kb_init(k);
	if (inv->id > 0 && inv->number[0])
		kb_button(k, TR(c, "Счёт", "Invoice"), "inv:%lld", (long long)inv->id);
	kb_button(k, TR(c, "Подписка", "Subscription"), "sub:%lld", (long long)partner_id);
}

/* "Выставлен счёт 2026-0001 на 12 500,00 ₽, срок оплаты 10.12.2026." */
void
billing_view_invoice_issued(struct ctx *c, struct buf *b, const struct invoice *inv)
{
	buf_adds(b, TR(c, "\nВыставлен счёт <b>", "\nInvoice <b>"));
	buf_add_html(b, inv->number);
	buf_adds(b, TR(c, "</b> на ", "</b> issued for "));
	billing_view_money(b, inv->amount);
	if (inv->paid > 0) {
		buf_adds(b, TR(c, " (зачтено с баланса ", " ("));
		billing_view_money(b, inv->paid);
		buf_adds(b, TR(c, ")", " paid from credit)"));
	}
	buf_adds(b, TR(c, ", срок оплаты ", ", due "));
	billing_view_day(b, inv->due_on);
	buf_adds(b, ".");
}
