/*
 * access_session.c — who may see a partner's personal data, when and why. Personal data shows only
 * inside an access session opened with a reason (ticket, billing, onboarding, incident, other);
 * support must name a ticket and reads only; developers and managers never open one. Sessions
 * end by themselves ([access] session_minutes) or with /access_end. Everything is audited.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"

static int
access_support_only(const struct ctx *c)
{
	return !(c->roles & (ROLE_SUPERADMIN | ROLE_BILLING));
}

/* A ticket reference: 1..32 of letters, digits, '#', '-', '_', with at least one digit. */
static int
access_ticket_ok(const char *t)
{
	size_t n = 0;
	int digit = 0;

	for (; *t; t++, n++) {
		if (isdigit((unsigned char)*t))
			digit = 1;
		else if (!isalpha((unsigned char)*t) && *t != '#' && *t != '-' && *t != '_')
			return 0;
	}
	return n >= 1 && n <= 32 && digit;
}

/* Checks the reason text for its code: 0 ok, -1 answered (with what to type). */
static int
access_check_reason(struct ctx *c, int reason, const char *text)
{
	if (access_support_only(c) && reason != REASON_TICKET)
		return reply(c, TR(c, "Поддержка открывает данные только по тикету: "
		    "<code>/access &lt;партнёр&gt; ticket T-123</code>", "Support opens data only for "
		    "a ticket: <code>/access &lt;partner&gt; ticket T-123</code>"), NULL) == -1 ? -2 :
		    -1;
	if (reason == REASON_TICKET && !access_ticket_ok(text))
		return reply(c, TR(c, "Номер тикета: буквы, цифры, # или -, до 32 знаков, хотя бы одна "
		    "цифра. Пример: <code>T-123</code>", "The ticket reference: letters, digits, # or "
		    "-, up to 32, with a digit. Example: <code>T-123</code>"), NULL) == -1 ? -2 : -1;
	if (reason == REASON_OTHER && (strlen(text) < 3 || strlen(text) > 500))
		return reply(c, TR(c, "Опишите причину словами (от 3 до 500 символов).",
		    "Describe the reason in words (3 to 500 characters)."), NULL) == -1 ? -2 : -1;
	if (strlen(text) > 500)
		return reply(c, TR(c, "Пояснение: до 500 символов.", "The note: 500 characters at most."),
		    NULL) == -1 ? -2 : -1;
	return 0;
}

/* Opens the session, audits it and shows the card with the data. */
static int
access_open_for(struct ctx *c, const struct partner *p, int reason, const char *text)
{
	struct access_session s;
	struct buf why;
	int r;

	r = access_check_reason(c, reason, text);
	if (r != 0)
		return r == -2 ? -1 : 0;
	memset(&s, 0, sizeof(s));
	s.user_id = c->user_id;
	s.partner_id = p->id;
	s.reason = reason;
	str_copy(s.reason_text, sizeof(s.reason_text), text);
	s.writable = !access_support_only(c);
	s.opened_at = c->now;
	s.expires_at = c->now + c->cfg->session_minutes * 60;
	if (access_open(c->db, &s) == -1)
		return -1;
	buf_init(&why, 600);
	buf_adds(&why, access_reason_name(reason));
	if (*text) {
		buf_adds(&why, ": ");
		buf_adds(&why, text);
	}
	r = view_audit(c, p->id, "access.open", why.ptr, s.id, s.writable ? "read-write" :
	    "read-only");
	buf_release(&why);
	if (r == -1)
		return -1;
	log_info("access session %lld: user %lld, partner %lld", (long long)s.id,
	    (long long)c->user_id, (long long)p->id);
	return partners_show_card(c, p, 0);
}

/* /access <partner> <reason> [text] */
static int
access_cmd(struct ctx *c)
{
	char ref[128], code[32];
	const char *text;
	struct partner p;
	int reason, r;

	text = view_word(view_word(c->args, ref, sizeof(ref)), code, sizeof(code));
	reason = access_reason_parse(code);
	if (reason < 0) {
		/* "/access 12 сверка оплат": a free-text reason */
		reason = access_support_only(c) ? REASON_TICKET : REASON_OTHER;
		text = view_word(c->args, ref, sizeof(ref));
		if (access_support_only(c))
			text = code[0] ? code : "";
	}
	r = view_pick_partner(c, ref, &p, "pd");
	if (r != 1)
		return r;
	return access_open_for(c, &p, reason, text);
}

/* "pd:<id>": the reasons this person may give. */
static int
access_reasons_btn(struct ctx *c)
{
	static const char *const ru[] = { "Тикет", "Биллинг", "Подключение", "Инцидент", "Другое" };
	static const char *const en[] = { "Ticket", "Billing", "Onboarding", "Incident", "Other" };
	struct partner p;
	struct buf b;
	struct kb k;
	int r, i, rc;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔓 Зачем вам личные данные партнёра «", "🔓 Why do you need the "
	    "personal data of “"));
	buf_add_html(&b, p.name);
	buf_adds(&b, TR(c, "»? Причина попадёт в журнал аудита.", "”? The reason goes to the audit "
	    "log."));
	kb_init(&k);
	for (i = 0; i < ACCESS_REASON_COUNT; i++) {
		if (access_support_only(c) && i != REASON_TICKET)
			continue;
		if (i == 3)
			kb_row(&k);
		kb_button(&k, c->lang == LANG_EN ? en[i] : ru[i], "pr:%lld:%s", (long long)p.id,
		    access_reason_name(i));
	}
	view_back_to_card(c, &k, p.id);
	rc = reply_edit(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

/* "pr:<id>:<reason>": a ticket or "other" asks for text; the rest open at once. */
static int
access_reason_btn(struct ctx *c)
{
	const char *colon = strchr(c->arg, ':');
	struct partner p;
	int r, reason;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	if (colon == NULL || (reason = access_reason_parse(colon + 1)) < 0)
		return view_damaged(c);
	if (reason != REASON_TICKET && reason != REASON_OTHER && !access_support_only(c))
		return access_open_for(c, &p, reason, "");
	if (view_dialog_start(c, "access", p.id, 0, "reason", access_reason_name(reason)) == -1)
		return -1;
	return reply(c, reason == REASON_TICKET ?
	    TR(c, "Номер тикета? Например: <code>T-123</code>\n/cancel — отменить",
	    "The ticket reference? For example: <code>T-123</code>\n/cancel to leave") :
	    TR(c, "Опишите причину одной строкой.\n/cancel — отменить",
	    "Describe the reason in one line.\n/cancel to leave"), NULL);
}

static int
access_dialog_text(struct ctx *c, const struct dialog *d, const char *text)
{
	char code[32];
	struct partner p;
	int reason;

	if (dialog_value(c->db, c->user_id, c->chat_id, "reason", code, sizeof(code)) != 1 ||
	    (reason = access_reason_parse(code)) < 0 || partner_get(c->db, d->subject, &p) != 1)
		return dialog_end(c->db, c->user_id, c->chat_id);
	switch (access_check_reason(c, reason, text)) {
	case -2:
		return -1;
	case -1:
		return 0;	/* answered; the dialog waits for a better answer */
	}
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	return access_open_for(c, &p, reason, text);
}

/* "px:<id>": closes the session and shows the card masked again. */
static int
access_close_btn(struct ctx *c)
{
	struct partner p;
	int r, n;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	n = access_close(c->db, c->user_id, p.id, c->now);
	if (n == -1 || (n > 0 && view_audit(c, p.id, "access.close", "", 0, "closed by hand") == -1))
		return -1;
	return partners_show_card(c, &p, 1);
}

/* /access_end [partner]: closes one session or all of them. */
static int
access_end_cmd(struct ctx *c)
{
	struct partner p;
	struct buf b;
	int64_t pid = 0;
	int r, n, rc;

	if (c->args[0]) {
		r = view_pick_partner(c, c->args, &p, "px");
		if (r != 1)
			return r;
		pid = p.id;
	}
	n = access_close(c->db, c->user_id, pid, c->now);
	if (n == -1)
		return -1;
	if (n == 0)
		return reply(c, TR(c, "Открытых доступов нет.", "No open data access."), NULL);
	if (view_audit(c, pid, "access.close", "", 0, pid ? "closed by hand" :
	    "all sessions closed by hand") == -1)
		return -1;
	buf_init(&b, 0);
	buf_printf(&b, TR(c, "🔒 Закрыто доступов: %d.", "🔒 Data access closed: %d."), n);
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

#define PD_ROLES (ROLE_SUPERADMIN | ROLE_BILLING | ROLE_SUPPORT)

const struct command access_commands[] = {
	{ "access", "<партнёр> <ticket|billing|onboarding|incident|other> [пояснение]", PD_ROLES,
	  CMD_PARTNER, 2, "открыть доступ к личным данным партнёра (с причиной)",
	  "open access to a partner's personal data (with a reason)", access_cmd },
	{ "access_end", "[партнёр]", PD_ROLES, CMD_PARTNER, 0,
	  "закрыть доступ к личным данным", "close access to personal data", access_end_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct button access_buttons[] = {
	{ "pd", PD_ROLES, CMD_PARTNER, access_reasons_btn, NULL },
	{ "pr", PD_ROLES, CMD_PARTNER, access_reason_btn, NULL },
	{ "px", PD_ROLES, CMD_PARTNER, access_close_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct dialog_kind access_dialogs[] = {
	{ "access", PD_ROLES, access_dialog_text, NULL },
	{ NULL, 0, NULL, NULL },
};
