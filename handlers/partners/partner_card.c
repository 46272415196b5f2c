/*
 * partner_card.c — finding partners and reading their cards: /partners (a paginated list), /partner
 * (the card), the card's history. Personal data (contact, phone, email, a sole trader's INN,
 * notes) shows only inside an open access session; otherwise it is masked. Every view is
 * audited before it is shown: if the record cannot be written, nothing is shown.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"

#define LIST_PAGE 10
#define HISTORY_MAX 15

/* "+79161234567" → "+7 916 123-45-67"; other numbers as stored. */
static void
partners_phone(const char *phone, struct buf *b)
{
	if (strlen(phone) == 12 && strncmp(phone, "+7", 2) == 0) {
		buf_printf(b, "+7 %.3s %.3s-%.2s-%.2s", phone + 2, phone + 5, phone + 8, phone + 10);
		return;
	}
	buf_add_html(b, phone[0] ? phone : "—");
}

/* One personal field: clear inside a session, masked outside it. */
static void
partners_pd(struct buf *b, const char *value, int clear, void (*mask)(const char *, char *,
    size_t))
{
	char m[300];

	if (value[0] == '\0') {
		buf_adds(b, "—");
		return;
	}
	if (clear) {
		buf_add_html(b, value);
		return;
	}
	mask(value, m, sizeof(m));
	buf_add_html(b, m);
}

/* The card as text, with what the person may see. */
static void
partners_card_text(struct ctx *c, const struct partner *p, const struct access_session *s,
    int clear, struct buf *b)
{
	char d[32], m[64];

	buf_adds(b, "🏢 <b>");
	buf_add_html(b, p->name);
	buf_printf(b, "</b> · #%lld · <code>", (long long)p->id);
	buf_add_html(b, p->slug);
	buf_adds(b, "</code>\n");
	if (p->legal_name[0]) {
		view_legal_name(p, clear, b);
		buf_addc(b, '\n');
	}
	buf_adds(b, TR(c, "ИНН: ", "INN: "));
	if (strlen(p->inn) == 12)	/* a sole trader's INN is personal data */
		partners_pd(b, p->inn, clear, mask_inn);
	else
		buf_add_html(b, p->inn[0] ? p->inn : "—");
	buf_printf(b, TR(c, "\nСтатус: %s\n", "\nStatus: %s\n"), view_status(c, p->status));
	view_date(p->connected_on, d, sizeof(d));
	buf_printf(b, TR(c, "Подключён: %s\n", "Connected: %s\n"), d);
	billing_card_lines(c, p, b);
	buf_printf(b, TR(c, "Филиалов: %lld · пользователей: %lld\n",
	    "Branches: %lld · users: %lld\n"), (long long)p->branches, (long long)p->users);
	buf_adds(b, TR(c, "Ответственный: ", "Assigned to: "));
	if (p->assigned_to)
		view_member_name(c, p->assigned_to, b);
	else
		buf_adds(b, "—");
	buf_adds(b, TR(c, "\nКонтакт: ", "\nContact: "));
	partners_pd(b, p->contact_name, clear, mask_person);
	buf_adds(b, " · ");
	if (clear)
		partners_phone(p->phone, b);
	else
		partners_pd(b, p->phone, 0, mask_phone);
	buf_adds(b, " · ");
	partners_pd(b, p->email, clear, mask_email);
	if (clear && p->notes[0]) {
		buf_adds(b, TR(c, "\nЗаметки: ", "\nNotes: "));
		buf_add_html(b, p->notes);
	}
	buf_addc(b, '\n');
	if (clear) {
		view_time(s->expires_at, m, sizeof(m));
		buf_printf(b, TR(c, "\n🔓 Доступ к данным открыт до %s", "\n🔓 Data access open until %s"),
		    m + (strlen(m) > 5 ? strlen(m) - 5 : 0));
		buf_adds(b, " — ");
		view_reason(c, s, b);
		if (!s->writable)
			buf_adds(b, TR(c, " (только чтение)", " (read-only)"));
	} else if (view_may_open_pd(c))
		buf_adds(b, TR(c, "\n🔒 Личные данные скрыты: откройте доступ с причиной.",
		    "\n🔒 Personal data hidden: open access with a reason."));
	else
		buf_adds(b, TR(c, "\n🔒 Личные данные скрыты для вашей роли.",
		    "\n🔒 Personal data is hidden for your role."));
}

static void
partners_card_buttons(struct ctx *c, const struct partner *p, int clear, struct kb *k)
{
	kb_init(k);
	if (gate_allows(c->is_member, c->roles, ROLE_BILLING)) {
		kb_button(k, TR(c, "Статус", "Status"), "ps:%lld", (long long)p->id);
		kb_button(k, TR(c, "Изменить", "Edit"), "pe:%lld", (long long)p->id);
		kb_row(k);
	}
	kb_button(k, TR(c, "История", "History"), "ph:%lld", (long long)p->id);
	if (billing_may_read(c))	/* developers never */
		kb_button(k, TR(c, "Биллинг", "Billing"), "sub:%lld", (long long)p->id);
	kb_button(k, TR(c, "Активность", "Activity"), "act:%lld", (long long)p->id);
	if (gate_allows(c->is_member, c->roles, ROLE_SUPERADMIN))
		kb_button(k, TR(c, "Аудит", "Audit"), "pa:%lld", (long long)p->id);
	kb_row(k);
	if (clear)
		kb_button(k, TR(c, "🔒 Закрыть доступ", "🔒 Close access"), "px:%lld",
		    (long long)p->id);
	else if (view_may_open_pd(c))
		kb_button(k, TR(c, "🔓 Открыть данные", "🔓 Open data"), "pd:%lld", (long long)p->id);
}

/*
 * Support works only inside a session bound to a ticket: without one, not even the masked card
 * or its history. 1 go on; 0 refused (answered, audited); -1 error.
 */
int
partners_support_gate(struct ctx *c, const struct partner *p, int edit)
{
	struct access_session s;
	struct buf b;
	struct kb k;
	int r, rc;

	if (c->roles & (ROLE_SUPERADMIN | ROLE_BILLING | ROLE_DEVELOPER | ROLE_MANAGER))
		return 1;
	r = view_session(c, p->id, &s);
	if (r != 0)
		return r;
	if (view_audit(c, p->id, "partner.deny", "no access session", 0, "card") == -1)
		return -1;
	kb_init(&k);
	kb_button(&k, TR(c, "🔓 Указать тикет", "🔓 Give the ticket"), "pd:%lld", (long long)p->id);
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Карточка партнёра «", "The card of “"));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "» открывается поддержке только по тикету. Укажите номер тикета: "
	    "кнопкой ниже или командой <code>/access ", "” opens to support only for a ticket. "
	    "Give its number with the button below or <code>/access "));
	buf_printf(&b, "%lld ticket T-123</code>", (long long)p->id);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
	buf_release(&b);
	return rc == -1 ? -1 : 0;
}

int
partners_show_card(struct ctx *c, const struct partner *p, int edit)
{
	struct access_session s;
	struct buf b;
	struct kb k;
	char reason[600];
	int r, rc = -1;

	if ((r = partners_support_gate(c, p, edit)) != 1)
		return r;
	r = view_session(c, p->id, &s);
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	if (r == 1) {
		struct buf rb;

		buf_init(&rb, sizeof(reason) - 1);
		buf_adds(&rb, access_reason_name(s.reason));
		if (s.reason_text[0]) {
			buf_adds(&rb, ": ");
			buf_adds(&rb, s.reason_text);
		}
		str_copy(reason, sizeof(reason), rb.ptr);
		buf_release(&rb);
		if (view_audit(c, p->id, "partner.read", reason, s.id, "card with personal data") == -1)
			goto out;
	} else if (view_audit(c, p->id, "partner.view", "", 0, "card, personal data masked") == -1)
		goto out;
	partners_card_text(c, p, &s, r == 1, &b);
	partners_card_buttons(c, p, r == 1, &k);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
out:
	buf_release(&b);
	return rc;
}

static int
partners_card_cmd(struct ctx *c)
{
	struct partner p;
	int r;

	r = view_pick_partner(c, c->args, &p, "p");
	if (r != 1)
		return r;
	return partners_show_card(c, &p, 0);
}

/* The card from a button: a choice list or the list's "open". */
static int
partners_card_btn(struct ctx *c)
{
	struct partner p;
	int r;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	return partners_show_card(c, &p, 0);
}

/* "status|text" saved behind the pagination buttons. */
static int
partners_list_page(struct ctx *c, int64_t qid, int status, const char *text, int offset, int edit)
{
	struct partner rows[LIST_PAGE];
	struct partner_pd pd;
	struct buf b, detail;
	struct kb k;
	int n, total, i, rc = -1;

	view_pd_search(c, &pd);
	n = partner_list(c->db, status, text, &pd, offset, LIST_PAGE, rows, &total);
	if (n == -1)
		return -1;
	buf_init(&detail, 512);
	/* the search text may be a person's name: the audit keeps only its length */
	buf_printf(&detail, "status=%s search=%zu chars offset=%d",
	    status >= 0 ? partner_status_name(status) : "any", utf8_chars(text, strlen(text)),
	    offset);
	if (view_audit(c, 0, "partner.list", "", 0, detail.ptr) == -1) {
		buf_release(&detail);
		return -1;
	}
	buf_release(&detail);
	buf_init(&b, 0);
	if (total == 0) {
		buf_adds(&b, TR(c, "Партнёров не найдено", "No partners found"));
		if (status >= 0)
			buf_printf(&b, TR(c, " (статус: %s)", " (status: %s)"), view_status(c, status));
		if (*text) {
			buf_adds(&b, TR(c, " по запросу «", " for “"));
			buf_add_html(&b, text);
			buf_adds(&b, TR(c, "»", "”"));
		}
		buf_adds(&b, ".");
		if (*text)
			view_pd_search_hint(c, &b);
		rc = edit ? reply_edit(c, b.ptr, NULL) : reply(c, b.ptr, NULL);
		buf_release(&b);
		return rc;
	}
	buf_printf(&b, TR(c, "<b>Партнёры</b> %d–%d из %d", "<b>Partners</b> %d–%d of %d"),
	    offset + 1, offset + n, total);
	if (status >= 0)
		buf_printf(&b, " · %s", view_status(c, status));
	if (*text) {
		buf_adds(&b, " · «");
		buf_add_html(&b, text);
		buf_adds(&b, "»");
	}
	buf_addc(&b, '\n');
	kb_init(&k);
	for (i = 0; i < n; i++) {
		char label[300], name[200];

		buf_printf(&b, "\n%d. %s <b>", offset + i + 1, view_status(c, rows[i].status));
		buf_add_html(&b, rows[i].name);
		buf_printf(&b, "</b> · #%lld", (long long)rows[i].id);
		if (rows[i].legal_name[0]) {
			/* lists open no session: a sole trader's name stays masked here */
			buf_adds(&b, " · ");
			view_legal_name(&rows[i], 0, &b);
		}
		str_copy(name, sizeof(name), rows[i].name);	/* a button label stays short */
		snprintf(label, sizeof(label), "%d. %s", offset + i + 1, name);
		if (i % 2 == 0)
			kb_row(&k);
		kb_button(&k, label, "p:%lld", (long long)rows[i].id);
	}
	kb_row(&k);
	if (offset > 0)
		kb_button(&k, TR(c, "◀ Назад", "◀ Back"), "pl:%lld:%d", (long long)qid,
		    offset >= LIST_PAGE ? offset - LIST_PAGE : 0);
	if (offset + n < total)
		kb_button(&k, TR(c, "Дальше ▶", "Next ▶"), "pl:%lld:%d", (long long)qid,
		    offset + LIST_PAGE);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

static int
partners_list_cmd(struct ctx *c)
{
	char word[64], saved[600];
	const char *text = c->args;
	int status = -1;
	int64_t qid;

	/* an optional status first: /partners blocked, /partners приостановлен ромашка */
	text = view_word(c->args, word, sizeof(word));
	if (word[0] == '\0' || (status = partner_status_parse(word)) < 0) {
		status = -1;
		text = c->args;
	}
	if (strlen(text) > 200)
		return reply(c, TR(c, "Слишком длинный запрос: до 200 символов.",
		    "The search is too long: 200 characters at most."), NULL);
	snprintf(saved, sizeof(saved), "%d|%s", status, text);
	qid = query_save(c->db, c->user_id, "partners", saved, c->now);
	if (qid == -1)
		return -1;
	return partners_list_page(c, qid, status, text, 0, 0);
}

/* "pl:<query id>:<offset>" */
static int
partners_list_btn(struct ctx *c)
{
	char saved[600], *bar;
	int64_t qid, status;
	int r, off;

	r = view_page_button(c, "partners", "/partners", saved, sizeof(saved), &qid, &off);
	if (r != 1)
		return r;
	bar = strchr(saved, '|');
	if (bar == NULL)
		return view_damaged(c);
	*bar = '\0';
	if (str_to_i64(saved, &status) == -1 || status < -1 || status >= PARTNER_STATUS_COUNT)
		return view_damaged(c);
	return partners_list_page(c, qid, (int)status, bar + 1, off, 1);
}

static int
partners_history_btn(struct ctx *c)
{
	struct partner_status_change h[HISTORY_MAX];
	struct partner p;
	struct buf b;
	struct kb k;
	char t[32];
	int r, n, i, rc;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	if ((r = partners_support_gate(c, &p, 1)) != 1)
		return r;
	n = partner_history(c->db, p.id, h, HISTORY_MAX);
	if (n == -1 || view_audit(c, p.id, "partner.history", "", 0, "status history") == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "📜 <b>История статусов</b> · ", "📜 <b>Status history</b> · "));
	buf_add_html(&b, p.name);
	buf_addc(&b, '\n');
	if (n == 0)
		buf_adds(&b, TR(c, "\nСтатус не менялся с подключения.",
		    "\nThe status has not changed since the connection."));
	for (i = 0; i < n; i++) {
		view_time(h[i].at, t, sizeof(t));
		buf_printf(&b, "\n%s · %s → %s · ", t, view_status(c, h[i].from),
		    view_status(c, h[i].to));
		/* the rules that change a status are billing's (dunning, trial, payment, …):
		 * their names say why, which is billing; others read "the system" */
		if (h[i].actor || !billing_may_read(c))
			view_member_name(c, h[i].actor, &b);
		else {
			buf_adds(&b, TR(c, "правило ", "rule "));
			buf_add_html(&b, h[i].rule);
		}
		/* a typed reason may name people: shown to those who may see personal data */
		if (h[i].reason[0] && view_may_open_pd(c)) {
			buf_adds(&b, "\n    ");
			buf_add_html(&b, h[i].reason);
		}
	}
	kb_init(&k);
	view_back_to_card(c, &k, p.id);
	rc = reply_edit(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

const struct command partners_commands[] = {
	{ "partners", "[статус] [текст]", PERM_MEMBER, CMD_PARTNER, 0,
	  "список партнёров: фильтр по статусу, поиск по названию, ИНН, slug",
	  "the partner list: filter by status, search by name, INN, slug", partners_list_cmd },
	{ "partner", "<номер|slug|ИНН|название>", PERM_MEMBER, CMD_PARTNER, 1,
	  "карточка партнёра", "a partner's card", partners_card_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct button partners_buttons[] = {
	{ "p", PERM_MEMBER, CMD_PARTNER, partners_card_btn, NULL },
	{ "pl", PERM_MEMBER, CMD_PARTNER, partners_list_btn, NULL },
	{ "ph", PERM_MEMBER, CMD_PARTNER, partners_history_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
