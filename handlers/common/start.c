/*
 * core.c — the commands every member has (/start, /help, /whoami) and the access requests an
 * unknown user's /start sends to the superadmins (approve as a role, or deny).
 */
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"

#define CORE_REQUEST_COOLDOWN (24 * 3600)	/* seconds after a denial before a new request */

/* Roles a superadmin may grant straight from an access request. Superadmin itself is granted
 * deliberately with /grant, never by one tap. */
static const unsigned core_grantable[] = {
	ROLE_SUPPORT, ROLE_DEVELOPER, ROLE_BILLING, ROLE_MANAGER,
};

int
core_refuse(struct ctx *c)
{
	log_info("refused unknown user %lld in chat %lld", (long long)c->user_id,
	    (long long)c->chat_id);
	if (c->is_group)
		return 0;	/* no lectures in group chats */
	return reply(c, TR(c,
	    "Здравствуйте! Это внутренний бот команды, доступ только для сотрудников.\n"
	    "Чтобы запросить доступ, отправьте /start — администратор рассмотрит запрос.",
	    "Hello! This is the team's internal bot; access is for staff only.\n"
	    "To ask for access, send /start and an administrator will review it."), NULL);
}

int
core_help_text(struct ctx *c, struct buf *b)
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
core_help(struct ctx *c)
{
	struct buf b;
	int rc;

	if (!c->is_member)
		return core_refuse(c);
	buf_init(&b, 0);
	rc = core_help_text(c, &b) == 0 ? reply(c, b.ptr, NULL) : -1;
	buf_release(&b);
	return rc;
}

struct core_admins {
	int64_t	 ids[64];
	int	 n;
};

static void
core_collect_admin(const struct member *m, void *arg)
{
	struct core_admins *ad = arg;
	int i;

	if (!(m->roles & ROLE_SUPERADMIN))
		return;
	for (i = 0; i < ad->n; i++)
		if (ad->ids[i] == m->user_id)
			return;
	if (ad->n < (int)(sizeof(ad->ids) / sizeof(ad->ids[0])))
		ad->ids[ad->n++] = m->user_id;
}

/* Every superadmin: the bootstrap list from the configuration and those granted since. */
static int
core_superadmins(struct ctx *c, struct core_admins *ad)
{
	struct member m;
	int i;

	ad->n = 0;
	for (i = 0; i < c->cfg->nsuperadmins; i++) {
		m.user_id = c->cfg->superadmins[i];
		m.roles = ROLE_SUPERADMIN;
		core_collect_admin(&m, ad);
	}
	return team_list(c->db, core_collect_admin, ad) == -1 ? -1 : 0;
}

/* An unknown user's /start: a polite answer and, once, a request to every superadmin. */
static int
core_request_access(struct ctx *c)
{
	struct core_admins ad;
	struct buf b;
	struct kb k;
	char key[64];
	int64_t id, denied_at = 0;
	size_t i;
	int r, j, rc = -1;

	if (c->is_group)
		return 0;
	/* a denied person may ask again only after a day: no flood of requests to the admins */
	r = access_request_last_denial(c->db, c->user_id, &denied_at);
	if (r == -1)
		return -1;
	if (r == 1 && c->now - denied_at < CORE_REQUEST_COOLDOWN) {
		log_info("access request from user %lld refused: denied %llds ago",
		    (long long)c->user_id, (long long)(c->now - denied_at));
		return reply(c, TR(c, "Ваш запрос доступа недавно отклонён. Повторный запрос можно "
		    "отправить через сутки.", "Your access request was denied recently. You may ask "
		    "again after a day."), NULL);
	}
	r = access_request_add(c->db, c->user_id, c->username, c->first_name, c->chat_id, c->now,
	    &id);
	if (r == -1)
		return -1;
	if (r == 0)
		return reply(c, TR(c, "Ваш запрос доступа уже ждёт решения администратора.",
		    "Your access request is already waiting for an administrator."), NULL);
	log_info("access request %lld from user %lld", (long long)id, (long long)c->user_id);
	if (core_superadmins(c, &ad) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔑 <b>Запрос доступа</b>\n", "🔑 <b>Access request</b>\n"));
	view_person(&b, c->first_name, c->username, c->user_id);
	buf_adds(&b, TR(c, "\nКакую роль выдать?", "\nWhich role to grant?"));
	kb_init(&k);
	for (i = 0; i < sizeof(core_grantable) / sizeof(core_grantable[0]); i++) {
		if (i == 2)
			kb_row(&k);
		kb_button(&k, view_role(c, core_grantable[i]), "areq_ok:%lld:%s",
		    (long long)id, role_name(core_grantable[i]));
	}
	kb_row(&k);
	kb_button(&k, TR(c, "✖️ Отклонить", "✖️ Deny"), "areq_no:%lld", (long long)id);
	for (j = 0; j < ad.n; j++) {
		snprintf(key, sizeof(key), "areq%lld:%lld", (long long)id, (long long)ad.ids[j]);
		if (notify(c, ad.ids[j], b.ptr, &k, key) == -1)
			goto out;
	}
	rc = reply(c, TR(c,
	    "Здравствуйте! Это внутренний бот команды. Запрос доступа отправлен администраторам; "
	    "я напишу, когда его рассмотрят.",
	    "Hello! This is the team's internal bot. Your access request went to the "
	    "administrators; I will write when it is decided."), NULL);
out:
	buf_release(&b);
	return rc;
}

static int
core_start(struct ctx *c)
{
	struct buf b;
	int rc;

	if (!c->is_member)
		return core_request_access(c);
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Здравствуйте, ", "Hello, "));
	buf_add_html(&b, c->first_name && *c->first_name ? c->first_name : "коллега");
	buf_adds(&b, TR(c, "! Это бэк-офис CRMka.\n\n", "! This is the CRMka back office.\n\n"));
	rc = core_help_text(c, &b) == 0 ? reply(c, b.ptr, NULL) : -1;
	buf_release(&b);
	return rc;
}

static int
core_whoami(struct ctx *c)
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

/* Parses "<id>" or "<id>:<role>" from a button argument. */
static int
core_parse_request_arg(const char *arg, int64_t *id, unsigned *role)
{
	char num[24];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, arg, n);
	num[n] = '\0';
	if (str_to_i64(num, id) == -1 || *id <= 0)
		return -1;
	*role = 0;
	if (colon != NULL && (*role = role_parse(colon + 1)) == 0)
		return -1;
	return 0;
}

static int
core_decide(struct ctx *c, int approve)
{
	struct access_request ar;
	unsigned role = 0;
	struct buf b, t;
	int64_t id;
	int r, rc = -1;
	size_t i;

	if (core_parse_request_arg(c->arg, &id, &role) == -1 || (approve && role == 0))
		return view_damaged(c);
	if (approve) {
		for (i = 0; i < sizeof(core_grantable) / sizeof(core_grantable[0]); i++)
			if (core_grantable[i] == role)
				break;
		if (i == sizeof(core_grantable) / sizeof(core_grantable[0]))
			return reply_edit(c, TR(c, "Эту роль так выдать нельзя: используйте /grant.",
			    "This role cannot be granted here; use /grant."), NULL);
	}
	r = access_request_get(c->db, id, &ar);
	if (r != 1)
		return r == -1 ? -1 : reply_edit(c, TR(c, "Запрос не найден.", "No such request."),
		    NULL);
	buf_init(&b, 0);
	buf_init(&t, 0);
	r = access_request_decide(c->db, id, approve ? AREQ_APPROVED : AREQ_DENIED, role,
	    c->user_id, c->now);
	if (r == -1)
		goto out;
	if (r == 0) {
		buf_adds(&b, TR(c, "Этот запрос уже рассмотрен: ", "This request was already decided: "));
		view_person(&b, ar.name, ar.username, ar.user_id);
		rc = reply_edit(c, b.ptr, NULL);
		goto out;
	}
	{
		char detail[160];

		snprintf(detail, sizeof(detail), "request %lld: user %lld %s%s", (long long)id,
		    (long long)ar.user_id, approve ? "+" : "denied", approve ? role_name(role) : "");
		if (view_audit(c, 0, approve ? "team.grant" : "team.request_deny", "access request",
		    0, detail) == -1)
			goto out;
	}
	if (approve) {
		if (team_upsert(c->db, ar.user_id, ar.username, ar.name, c->now) == -1 ||
		    team_grant(c->db, ar.user_id, role, c->user_id, c->now) == -1 ||
		    menu_refresh(c->app, c->db, ar.user_id) == -1)
			goto out;
		buf_printf(&b, "✅ %s ", TR(c, "Доступ выдан:", "Access granted:"));
		view_person(&b, ar.name, ar.username, ar.user_id);
		buf_printf(&b, TR(c, " — роль «%s»", " — role “%s”"), view_role(c, role));
		buf_printf(&t, TR(c, "✅ Доступ открыт, ваша роль — «%s». Команды: /help",
		    "✅ Access granted; your role is “%s”. Commands: /help"), view_role(c, role));
	} else {
		buf_printf(&b, "✖️ %s ", TR(c, "Запрос отклонён:", "Request denied:"));
		view_person(&b, ar.name, ar.username, ar.user_id);
		buf_adds(&t, TR(c, "Запрос доступа отклонён администратором.",
		    "Your access request was denied by an administrator."));
	}
	buf_adds(&b, TR(c, "\nРешение: ", "\nDecided by: "));
	view_person(&b, c->first_name, c->username, c->user_id);
	log_info("access request %lld %s by user %lld", (long long)id,
	    approve ? "approved" : "denied", (long long)c->user_id);
	if (reply_edit(c, b.ptr, NULL) == -1 || notify(c, ar.chat_id, t.ptr, NULL, NULL) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&b);
	buf_release(&t);
	return rc;
}

static int
core_approve(struct ctx *c)
{
	return core_decide(c, 1);
}

static int
core_deny(struct ctx *c)
{
	return core_decide(c, 0);
}

static int
core_cancel(struct ctx *c)
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
core_skip(struct ctx *c)
{
	int r = registry_run_dialog(c, "", 1);

	if (r != 0)
		return r == -1 ? -1 : 0;
	return reply(c, TR(c, "/skip работает внутри диалога, а диалога сейчас нет.",
	    "/skip works inside a dialog, and there is none now."), NULL);
}

/*
 * The core commands. Columns: name, usage, permission (roles), flags, minimum words of
 * arguments, help (ru, en), handler.
 */
const struct command core_commands[] = {
	{ "start", "", PERM_PUBLIC, CMD_ANYCHAT, 0,
	  "начать работу; незнакомцам — запрос доступа", "start; strangers ask for access",
	  core_start },
	{ "help", "", PERM_PUBLIC, CMD_ANYCHAT, 0,
	  "список доступных вам команд", "the commands you may run", core_help },
	{ "whoami", "", PERM_MEMBER, CMD_ANYCHAT, 0,
	  "кто вы для бота: id и роли", "who you are to the bot: id and roles", core_whoami },
	{ "cancel", "", PERM_MEMBER, CMD_PRIVATE, 0,
	  "выйти из диалога (ничего не сохраняется)", "leave the dialog (nothing is saved)",
	  core_cancel },
	{ "skip", "", PERM_MEMBER, CMD_PRIVATE | CMD_HIDDEN, 0,
	  "пропустить необязательный вопрос", "skip an optional question", core_skip },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* Buttons. Columns: verb, permission, flags, handler. */
const struct button core_buttons[] = {
	{ "areq_ok", ROLE_SUPERADMIN, CMD_WRITES, core_approve },
	{ "areq_no", ROLE_SUPERADMIN, CMD_WRITES, core_deny },
	{ NULL, 0, 0, NULL },
};
