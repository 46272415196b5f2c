/*
 * partner_status.c — the partner status state machine: /status and the card's Status button.
 * Only the moves partner_status_allowed lists are offered or made; blocking and archiving ask
 * to confirm. A change carries its own reason, which goes to the audit log.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/common/dialogs.h"
#include "handlers/partners/partner_edit.h"

static int
pe_status_apply(struct ctx *c, const struct partner *p, int to, const char *reason)
{
	struct partner now;
	struct buf b;
	int r, rc;

	r = partner_set_status(c->db, p->id, to, c->user_id, "", reason, c->now);
	if (r == -1)
		return -1;
	buf_init(&b, 0);
	if (r == 0) {
		buf_printf(&b, TR(c, "Из статуса «%s» в «%s» перейти нельзя.",
		    "“%s” cannot change to “%s”."), view_status(c, p->status), view_status(c, to));
		rc = reply(c, b.ptr, NULL);
		buf_release(&b);
		return rc;
	}
	buf_printf(&b, "%s → %s", partner_status_name(p->status), partner_status_name(to));
	if (view_audit(c, p->id, "partner.status", reason, 0, b.ptr) == -1) {
		buf_release(&b);
		return -1;
	}
	log_info("partner %lld: %s by user %lld", (long long)p->id, b.ptr, (long long)c->user_id);
	buf_reset(&b);
	buf_printf(&b, TR(c, "✅ Статус: %s → %s", "✅ Status: %s → %s"), view_status(c, p->status),
	    view_status(c, to));
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	if (rc == -1 || partner_get(c->db, p->id, &now) != 1)
		return -1;
	return partners_show_card(c, &now, 0);
}

/* Blocking and archiving ask to confirm; the reason waits in the dialog. */
static int
pe_status_confirm(struct ctx *c, const struct partner *p, int to, const char *reason)
{
	struct buf b;
	struct kb k;
	int rc;

	/* step 1: waiting for the confirmation */
	if (view_dialog_start(c, "status", p->id, 1, "to", partner_status_name(to)) == -1 ||
	    dialog_put(c->db, c->user_id, c->chat_id, "reason", reason) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "❗️ Подтвердите: ", "❗️ Confirm: "));
	buf_add_html(&b, p->name);
	buf_printf(&b, " → %s\n", view_status(c, to));
	buf_adds(&b, TR(c, "Причина: ", "Reason: "));
	buf_add_html(&b, reason);
	if (to == PARTNER_BLOCKED)
		buf_adds(&b, TR(c, "\nВход в CRM будет закрыт; выгрузка данных останется доступной.",
		    "\nCRM login will be closed; data export stays available."));
	kb_init(&k);
	kb_button(&k, to == PARTNER_BLOCKED ? TR(c, "Да, заблокировать", "Yes, block") :
	    TR(c, "Да, в архив", "Yes, archive"), "psc:%lld:%s", (long long)p->id,
	    partner_status_name(to));
	kb_button(&k, TR(c, "Отмена", "Cancel"), "psn:%lld", (long long)p->id);
	rc = reply(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

static int
pe_status_go(struct ctx *c, const struct partner *p, int to, const char *reason)
{
	if (!partner_status_allowed(p->status, to)) {
		struct buf b;
		int rc, s, first = 1;

		buf_init(&b, 0);
		buf_printf(&b, TR(c, "Из статуса %s можно перейти только в: ",
		    "From %s the status can only go to: "), view_status(c, p->status));
		for (s = 0; s < PARTNER_STATUS_COUNT; s++)
			if (partner_status_allowed(p->status, s)) {
				buf_adds(&b, first ? "" : ", ");
				buf_adds(&b, partner_status_name(s));
				first = 0;
			}
		rc = reply(c, b.ptr, NULL);
		buf_release(&b);
		return rc;
	}
	if (to == PARTNER_BLOCKED || to == PARTNER_ARCHIVED)
		return pe_status_confirm(c, p, to, reason);
	return pe_status_apply(c, p, to, reason);
}

/* /status <partner> <new status> <reason> */
int
pe_status_cmd(struct ctx *c)
{
	char ref[128], st[64];
	const char *reason;
	struct partner p;
	int r, to;

	reason = view_word(view_word(c->args, ref, sizeof(ref)), st, sizeof(st));
	if ((to = partner_status_parse(st)) < 0 || *reason == '\0')
		return reply(c, TR(c, "Формат: <code>/status &lt;партнёр&gt; &lt;статус&gt; "
		    "&lt;причина&gt;</code>\nСтатусы: active, suspended, blocked, archived "
		    "(или по-русски).\nПример: <code>/status romashka suspended неоплата счёта "
		    "2026-0012</code>", "Usage: <code>/status &lt;partner&gt; &lt;status&gt; "
		    "&lt;reason&gt;</code>\nStatuses: active, suspended, blocked, archived."), NULL);
	if (strlen(reason) > 500)
		return reply(c, TR(c, "Причина: до 500 символов.", "Reason: 500 characters at most."),
		    NULL);
	r = view_pick_partner(c, ref, &p, "ps");
	if (r != 1)
		return r;
	return pe_status_go(c, &p, to, reason);
}

/* "ps:<id>": the transitions allowed from here. */
int
pe_status_btn(struct ctx *c)
{
	struct partner p;
	struct buf b;
	struct kb k;
	int r, s, rc;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Статус партнёра «", "The status of “"));
	buf_add_html(&b, p.name);
	buf_printf(&b, TR(c, "»: %s\nКуда перевести?", "”: %s\nChange it to?"),
	    view_status(c, p.status));
	kb_init(&k);
	for (s = 0; s < PARTNER_STATUS_COUNT; s++)
		if (partner_status_allowed(p.status, s))
			kb_button(&k, view_status(c, s), "pst:%lld:%s", (long long)p.id,
			    partner_status_name(s));
	view_back_to_card(c, &k, p.id);
	rc = reply_edit(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

/* "pst:<id>:<status>": asks for the reason. */
int
pe_status_to_btn(struct ctx *c)
{
	const char *colon = strchr(c->arg, ':');
	struct partner p;
	int r, to;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	if (colon == NULL || (to = partner_status_parse(colon + 1)) < 0)
		return view_damaged(c);
	if (view_dialog_start(c, "status", p.id, 0, "to", partner_status_name(to)) == -1)
		return -1;
	return reply(c, TR(c, "Причина смены статуса? Например: <code>неоплата счёта 2026-0012"
	    "</code>\n/cancel — отменить", "The reason for the change? For example: "
	    "<code>invoice 2026-0012 unpaid</code>\n/cancel to leave"), NULL);
}

int
pe_status_text(struct ctx *c, const struct dialog *d, const char *text)
{
	char to[32];
	struct partner p;

	if (d->step == 1)
		return dialogs_wait_button(c);
	if (strlen(text) > 500)
		return reply(c, TR(c, "Причина: до 500 символов. Короче, пожалуйста.",
		    "Reason: 500 characters at most."), NULL);
	if (dialog_value(c->db, c->user_id, c->chat_id, "to", to, sizeof(to)) != 1 ||
	    partner_get(c->db, d->subject, &p) != 1)
		return dialog_end(c->db, c->user_id, c->chat_id);
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	return pe_status_go(c, &p, partner_status_parse(to), text);
}

/* "psc:<id>:<status>": the confirmation; the reason comes from this person's dialog. */
int
pe_status_confirm_btn(struct ctx *c)
{
	char to[32], reason[600];
	const char *colon = strchr(c->arg, ':');
	struct partner p;
	struct dialog d;
	int r;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	if (dialog_get(c->db, c->user_id, c->chat_id, &d) != 1 || strcmp(d.kind, "status") != 0 ||
	    d.step != 1 || d.subject != p.id || colon == NULL ||
	    c->now - d.updated_at > DIALOG_TTL ||
	    dialog_value(c->db, c->user_id, c->chat_id, "to", to, sizeof(to)) != 1 ||
	    strcmp(to, colon + 1) != 0 ||
	    dialog_value(c->db, c->user_id, c->chat_id, "reason", reason, sizeof(reason)) != 1)
		return dialogs_stale(c);
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	if (reply_edit(c, TR(c, "Подтверждено.", "Confirmed."), NULL) == -1)
		return -1;
	return pe_status_apply(c, &p, partner_status_parse(to), reason);
}

int
pe_status_cancel_btn(struct ctx *c)
{
	return dialogs_cancel(c, "status", "Отменено; статус не изменён.",
	    "Cancelled; the status stays.");
}

