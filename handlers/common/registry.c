/*
 * registry.c — every block's command and button tables in one place, and the permission gate.
 * A new block adds its tables to the two lists below; dispatch, /help, the menu and the
 * permission matrix test pick them up from here.
 */
#include <string.h>

#include "handlers/handlers.h"

static const struct command *const command_tables[] = {
	start_commands,
	partners_commands,
	partner_edit_commands,
	access_commands,
	team_commands,
	audit_commands,
	alerts_commands,
	monitoring_commands,
	plans_commands,
	subscriptions_commands,
	invoices_commands,
};

static const struct button *const button_tables[] = {
	partners_buttons,
	partner_edit_buttons,
	access_buttons,
	access_request_buttons,
	team_buttons,
	audit_buttons,
	alerts_buttons,
	monitoring_buttons,
	plans_buttons,
	subscriptions_buttons,
	invoices_buttons,
};

static const struct dialog_kind *const dialog_tables[] = {
	partner_edit_dialogs,
	access_dialogs,
	plans_dialogs,
	subscriptions_dialogs,
	invoices_dialogs,
};

#define NTABLES(t) (sizeof(t) / sizeof((t)[0]))

const struct command *
registry_command_at(size_t i)
{
	size_t t, j;

	for (t = 0; t < NTABLES(command_tables); t++)
		for (j = 0; command_tables[t][j].name != NULL; j++)
			if (i-- == 0)
				return &command_tables[t][j];
	return NULL;
}

const struct button *
registry_button_at(size_t i)
{
	size_t t, j;

	for (t = 0; t < NTABLES(button_tables); t++)
		for (j = 0; button_tables[t][j].verb != NULL; j++)
			if (i-- == 0)
				return &button_tables[t][j];
	return NULL;
}

const struct command *
registry_command(const char *name)
{
	const struct command *c;
	size_t i;

	for (i = 0; (c = registry_command_at(i)) != NULL; i++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct button *
registry_button(const char *verb)
{
	const struct button *b;
	size_t i;

	for (i = 0; (b = registry_button_at(i)) != NULL; i++)
		if (strcmp(b->verb, verb) == 0)
			return b;
	return NULL;
}

const struct dialog_kind *
registry_dialog_at(size_t i)
{
	size_t t, j;

	for (t = 0; t < NTABLES(dialog_tables); t++)
		for (j = 0; dialog_tables[t][j].kind != NULL; j++)
			if (i-- == 0)
				return &dialog_tables[t][j];
	return NULL;
}

const struct dialog_kind *
registry_dialog(const char *kind)
{
	const struct dialog_kind *k;
	size_t i;

	for (i = 0; (k = registry_dialog_at(i)) != NULL; i++)
		if (strcmp(k->kind, kind) == 0)
			return k;
	return NULL;
}

/*
 * Plain text (or /skip) from someone with an open dialog in this chat goes to the dialog, after
 * the same gate as a command (roles can change mid-dialog). 1 handled, 0 no dialog, -1 error.
 */
int
registry_run_dialog(struct ctx *c, const char *text, int skip)
{
	const struct dialog_kind *k;
	struct dialog d;
	int r;

	r = dialog_get(c->db, c->user_id, c->chat_id, &d);
	if (r != 1)
		return r;
	k = registry_dialog(d.kind);
	if (k == NULL || c->now - d.updated_at > DIALOG_TTL) {
		if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
			return -1;
		return reply_error(c, TR(c, "Диалог устарел и закрыт; начните заново.",
		    "The dialog timed out and was closed; start again.")) == -1 ? -1 : 1;
	}
	/* the dialog's permission (its command's) against the roles held now, at every answer:
	 * one started under a role since taken away ends here */
	if (!gate_allows(c->is_member, c->roles, k->perm)) {
		log_warn("dialog '%s' of user %lld (roles %#x) closed: no longer allowed", d.kind,
		    (long long)c->user_id, c->roles);
		if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
			return -1;
		r = reply_error(c, TR(c, "⛔ Диалог закрыт: у вас больше нет прав на это "
		    "действие; ничего не сохранено. Доступные команды: /help", "⛔ The dialog is "
		    "closed: you may no longer do this; nothing was saved. See /help"));
		return r == -1 ? -1 : 1;
	}
	if (skip)
		r = k->on_skip ? k->on_skip(c, &d) : reply(c, TR(c, "Здесь нечего пропускать: ответьте "
		    "или /cancel.", "Nothing to skip here: answer or /cancel."), NULL);
	else
		r = k->on_text(c, &d, text);
	return r == -1 ? -1 : 1;
}

/*
 * The one permission gate, deny by default: unknown users reach only PERM_PUBLIC entries;
 * superadmins reach everything; anyone else needs one of the listed roles.
 */
int
gate_allows(int is_member, unsigned roles, unsigned perm)
{
	if (perm == PERM_PUBLIC)
		return 1;
	if (!is_member || roles == 0)
		return 0;
	if (roles & ROLE_SUPERADMIN)
		return 1;
	return (roles & perm) != 0;
}

/*
 * A press: first the button's roles, then, for a button whose argument names something with
 * rules of its own (an alert and its kind), the roles of that thing. Deny by default: a thing
 * that cannot be read refuses the press.
 */
enum gate_verdict
gate_button(struct ctx *c, const struct button *b, struct gate_subject *s)
{
	memset(s, 0, sizeof(*s));
	if (!gate_allows(c->is_member, c->roles, b->perm))
		return GATE_ROLE;
	if (b->subject == NULL)
		return GATE_PASS;
	switch (b->subject(c, s)) {
	case 1:
		break;
	case 0:
		return GATE_STALE;
	default:
		return GATE_ERROR;
	}
	/* a rule that forgot to fill perm must not let everyone in (PERM_PUBLIC is 0) */
	if (s->perm == PERM_PUBLIC)
		s->perm = ROLE_SUPERADMIN;
	return gate_allows(c->is_member, c->roles, s->perm) ? GATE_PASS : GATE_SUBJECT;
}
