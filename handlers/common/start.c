/*
 * start.c — the commands every member has: /start, /help, /whoami, /cancel and /skip. An
 * unknown user's /start becomes an access request (handlers/team/access_request.c).
 */
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"



int
start_refuse(struct ctx *c)
{
	log_info("refused unknown user %lld in chat %lld", (long long)c->user_id,
	    (long long)c->chat_id);
	if (c->is_group)
		return 0;	/* no lectures in group chats */
	return reply_error(c, TR(c,
	    "Здравствуйте! Это внутренний бот команды, доступ только для сотрудников.\n"
	    "Чтобы запросить доступ, отправьте /start — администратор рассмотрит запрос.",
	    "Hello! This is the team's internal bot; access is for staff only.\n"
	    "To ask for access, send /start and an administrator will review it."));
}

int
start_help_text(struct ctx *c, struct buf *b)
{
	const struct command *cmd;
	unsigned r;
	size_t i;
	int first = 1;

	buf_adds(b, TR(c, "<b>Команды</b> (доступные вам", "<b>Commands</b> (available to you"));
	for (r = 1; r <= ROLE_MANAGER; r <<= 1)
		if (c->roles & r) {
			buf_adds(b, first ? ": " : ", ");
			buf_adds(b, view_role(c, r));
			first = 0;
		}
	buf_adds(b, ")\n\n");
	for (i = 0; (cmd = registry_command_at(i)) != NULL; i++) {
		if ((cmd->flags & CMD_HIDDEN) || !gate_allows(c->is_member, c->roles, cmd->perm))
			continue;
		buf_printf(b, "/%s", cmd->name);
		if (cmd->usage[0]) {
			buf_adds(b, " <i>");
			buf_add_html(b, cmd->usage);
			buf_adds(b, "</i>");
		}
		buf_adds(b, " — ");
		buf_add_html(b, TR(c, cmd->help_ru, cmd->help_en));
		buf_addc(b, '\n');
	}
	buf_adds(b, TR(c, "\nВ группах пишите команды так: <code>/help@имя_бота</code>.",
	    "\nIn groups address commands as <code>/help@bot_name</code>."));
	return b->overflow ? -1 : 0;
}

static int
start_help(struct ctx *c)
{
	struct buf b;
	int rc;

	if (!c->is_member)
		return start_refuse(c);
	buf_init(&b, 0);
	rc = start_help_text(c, &b) == 0 ? reply(c, b.ptr, NULL) : -1;
	buf_release(&b);
	return rc;
}

static int
start_welcome(struct ctx *c)
{
	struct buf b;
	int rc;

	if (!c->is_member)
		return access_request_send(c);
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Здравствуйте, ", "Hello, "));
	buf_add_html(&b, c->first_name && *c->first_name ? c->first_name : "коллега");
	buf_adds(&b, TR(c, "! Это бэк-офис CRMka.\n\n", "! This is the CRMka back office.\n\n"));
	rc = start_help_text(c, &b) == 0 ? reply(c, b.ptr, NULL) : -1;
	buf_release(&b);
	return rc;
}

static int
start_whoami(struct ctx *c)
{
	struct buf b;
	unsigned r;
	int first = 1, rc;

	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Вы: ", "You: "));
	view_person(&b, c->first_name, c->username, c->user_id);
	buf_adds(&b, TR(c, "\nРоли: ", "\nRoles: "));
	for (r = 1; r <= ROLE_MANAGER; r <<= 1)
		if (c->roles & r) {
			buf_adds(&b, first ? "" : ", ");
			buf_adds(&b, view_role(c, r));
			first = 0;
		}
	if (cfg_is_superadmin(c->cfg, c->user_id))
		buf_adds(&b, TR(c, " (из конфигурации)", " (from the configuration)"));
	buf_printf(&b, TR(c, "\nЧат: <code>%lld</code>", "\nChat: <code>%lld</code>"),
	    (long long)c->chat_id);
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

static int
start_cancel(struct ctx *c)
{
	struct dialog d;
	int r = dialog_get(c->db, c->user_id, c->chat_id, &d);

	if (r == -1)
		return -1;
	if (r == 0)
		return reply(c, TR(c, "Нечего отменять.", "Nothing to cancel."), NULL);
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	return reply(c, TR(c, "Отменено; ничего не сохранено.", "Cancelled; nothing was saved."),
	    NULL);
}

static int
start_skip(struct ctx *c)
{
	int r = registry_run_dialog(c, "", 1);

	if (r != 0)
		return r == -1 ? -1 : 0;
	return reply(c, TR(c, "/skip работает внутри диалога, а диалога сейчас нет.",
	    "/skip works inside a dialog, and there is none now."), NULL);
}

/*
 * The commands every member has. Columns: name, usage, permission (roles), flags, minimum words of
 * arguments, help (ru, en), handler.
 */
const struct command start_commands[] = {
	{ "start", "", PERM_PUBLIC, CMD_ANYCHAT, 0,
	  "начать работу; незнакомцам — запрос доступа", "start; strangers ask for access",
	  start_welcome },
	{ "help", "", PERM_PUBLIC, CMD_ANYCHAT, 0,
	  "список доступных вам команд", "the commands you may run", start_help },
	{ "whoami", "", PERM_MEMBER, CMD_ANYCHAT, 0,
	  "кто вы для бота: id и роли", "who you are to the bot: id and roles", start_whoami },
	{ "cancel", "", PERM_MEMBER, CMD_PRIVATE, 0,
	  "выйти из диалога (ничего не сохраняется)", "leave the dialog (nothing is saved)",
	  start_cancel },
	{ "skip", "", PERM_MEMBER, CMD_PRIVATE | CMD_HIDDEN, 0,
	  "пропустить необязательный вопрос", "skip an optional question", start_skip },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};
