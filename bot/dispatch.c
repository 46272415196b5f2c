/*
 * dispatch.c — the path of one update after intake: who is it, which command or button, may they,
 * then the handler inside one transaction with the inbox row's completion.
 *
 *   parse (update.c) → who (team + bootstrap superadmins) → table lookup → gate → handler
 *
 * Nothing reaches a handler before the gate; an unknown command gets a hint, an unknown user a
 * polite refusal (and the attempt is logged).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define CMD_NAME_MAX 32

/* Splits "/name@bot args" into name (lowercased) and args. 0 ok, -1 not a command,
 * 1 a command addressed to another bot. */
int
dispatch_parse_command(const char *text, const char *bot_username, char *name, size_t namesz,
    const char **args)
{
	const char *p = text, *at = NULL, *end;
	size_t n = 0;

	if (text == NULL || *p != '/')
		return -1;
	p++;
	for (end = p; *end && !isspace((unsigned char)*end); end++)
		if (*end == '@' && at == NULL)
			at = end;
	if (at == NULL)
		at = end;
	/* empty, or longer than Telegram allows any command to be */
	if (at == p || at - p > CMD_NAME_MAX || (size_t)(at - p) >= namesz)
		return -1;
	for (; p < at; p++)
		name[n++] = (char)tolower((unsigned char)*p);
	name[n] = '\0';
	if (at < end && bot_username != NULL && *bot_username) {
		size_t bl = strlen(bot_username);

		if ((size_t)(end - at - 1) != bl || strncasecmp(at + 1, bot_username, bl) != 0)
			return 1;
	}
	while (isspace((unsigned char)*end))
		end++;
	*args = end;
	return 0;
}

/* Counts whitespace-separated words. */
static int
dispatch_count_words(const char *s)
{
	int n = 0, in = 0;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

static void
dispatch_usage(struct ctx *c, const struct command *cmd)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s\n<code>/%s ", TR(c, "Не хватает аргументов. Формат:",
	    "Missing arguments. Usage:"), cmd->name);
	buf_add_html(&b, cmd->usage);
	buf_adds(&b, "</code>\n");
	buf_add_html(&b, TR(c, cmd->help_ru, cmd->help_en));
	reply_error(c, b.ptr);
	buf_release(&b);
}

/* A member refused at a partner-data command or button: the attempt goes to the audit log. */
static int
dispatch_audit_denial(struct ctx *c, const char *what)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "%s%s refused by role", c->command ? "/" : "button ",
	    what);
	return view_audit(c, 0, "access.deny", "role may not", 0, detail);
}

/* Is the group one of the configured chats (followed through a supergroup migration)? */
static int
dispatch_team_chat(struct ctx *c)
{
	const int64_t chats[] = { c->cfg->chat_team, c->cfg->chat_billing, c->cfg->chat_support,
	    c->cfg->chat_digest, c->cfg->chat_audit };
	size_t i;

	for (i = 0; i < sizeof(chats) / sizeof(chats[0]); i++)
		if (chats[i] != 0 && app_chat(c->db, chats[i]) == c->chat_id)
			return 1;
	return 0;
}

static int
dispatch_command(struct ctx *c, const struct tg_update *u, const char *bot_username)
{
	char name[CMD_NAME_MAX + 2], *args_copy = NULL;
	const struct command *cmd;
	const char *args;
	struct buf b;
	int r, rc = 0;
	size_t al;

	r = dispatch_parse_command(u->text, bot_username, name, sizeof(name), &args);
	if (r == 1)
		return 0;	/* meant for another bot in the group */
	if (r == -1) {
		/* plain text: in groups it is chatter; in private an answer to a dialog, or a hint */
		if (c->is_group)
			return 0;
		/* a dialog goes to its gate even for someone no longer on the team: it is closed
		 * there (and they are told), never left to resume if a role comes back */
		c->args = u->text;
		r = registry_run_dialog(c, u->text, 0);
		if (r != 0)
			return r == -1 ? -1 : 0;
		if (!c->is_member)
			return start_refuse(c);
		return reply_error(c, TR(c, "Я понимаю команды. Список: /help",
		    "I understand commands. See /help"));
	}
	/* the arguments without trailing space */
	args_copy = strdup(args);
	if (args_copy == NULL)
		return -1;
	for (al = strlen(args_copy); al > 0 && isspace((unsigned char)args_copy[al - 1]); al--)
		args_copy[al - 1] = '\0';
	c->command = name;
	c->args = args_copy;

	cmd = registry_command(name);
	if (cmd == NULL) {
		if (!c->is_member) {
			rc = start_refuse(c);
			goto out;
		}
		buf_init(&b, 0);
		buf_adds(&b, TR(c, "Неизвестная команда <code>/", "Unknown command <code>/"));
		buf_add_quote(&b, name);
		buf_adds(&b, TR(c, "</code>. Список команд: /help", "</code>. See /help"));
		rc = reply_error(c, b.ptr);
		buf_release(&b);
		goto out;
	}
	if (!gate_allows(c->is_member, c->roles, cmd->perm)) {
		log_warn("refused /%s for user %lld (roles %#x) in chat %lld", name,
		    (long long)c->user_id, c->roles, (long long)c->chat_id);
		if (!c->is_member)
			rc = start_refuse(c);
		else if ((cmd->flags & CMD_PARTNER) && dispatch_audit_denial(c, name) == -1)
			rc = -1;
		else
			rc = reply_error(c, TR(c, "⛔ Недостаточно прав для этой команды. "
			    "Доступные: /help", "⛔ You may not run this command. See /help"));
		goto out;
	}
	/* Partner data is never shown in a group; other work only in the team's own chats. */
	if ((cmd->flags & (CMD_PRIVATE | CMD_PARTNER)) && c->is_group) {
		rc = reply_error(c, TR(c, "Эта команда работает только в личном чате с ботом.",
		    "This command works only in a private chat with the bot."));
		goto out;
	}
	if (c->is_group && !(cmd->flags & CMD_ANYCHAT) && !dispatch_team_chat(c)) {
		log_warn("/%s from user %lld in chat %lld, which is not in [chats]", name,
		    (long long)c->user_id, (long long)c->chat_id);
		rc = reply_error(c, TR(c, "Этот чат не указан в настройках бота ([chats]); здесь "
		    "работают только /help и /whoami. Остальные команды — в личном чате с ботом.",
		    "This chat is not in the bot's [chats] settings; only /help and /whoami work here. "
		    "Use the other commands in a private chat with the bot."));
		goto out;
	}
	if (dispatch_count_words(args_copy) < cmd->min_args) {
		dispatch_usage(c, cmd);
		goto out;
	}
	log_debug("user %lld runs /%s", (long long)c->user_id, name);
	rc = cmd->exec(c);
out:
	free(args_copy);
	return rc;
}

/* A button obeys the same places as a command: partner data never in a group, other buttons
 * in groups only in the configured chats (a forged press in any other group does nothing). */
static int
dispatch_button_place_ok(struct ctx *c, const struct button *btn)
{
	if (!c->is_group)
		return 1;
	return !(btn->flags & (CMD_PARTNER | CMD_PRIVATE)) && dispatch_team_chat(c);
}

/* A press refused by what it names (an alert of a kind not theirs): an audit record about it. */
static int
dispatch_audit_subject(struct ctx *c, const struct gate_subject *s)
{
	char detail[160];

	snprintf(detail, sizeof(detail), "button %s refused: %s is not for the roles", c->verb,
	    s->what);
	return view_audit(c, s->partner_id, "access.deny", "role may not", 0, detail);
}

/* The press was already answered (with the gate's verdict); here only the work. */
static int
dispatch_button(struct ctx *c, const struct button *btn, enum gate_verdict v,
    const struct gate_subject *s)
{
	if (btn == NULL || !dispatch_button_place_ok(c, btn))
		return 0;
	switch (v) {
	case GATE_PASS:
		return btn->exec(c);
	case GATE_ROLE:
		return c->is_member && (btn->flags & CMD_PARTNER) ?
		    dispatch_audit_denial(c, btn->verb) : 0;
	case GATE_SUBJECT:
		return c->is_member ? dispatch_audit_subject(c, s) : 0;
	default:
		return 0;	/* stale, or unreadable: answered, nothing to do */
	}
}

/* The answer to a press the gate refused or found stale ("" when it goes on). */
static const char *
dispatch_refusal(struct ctx *c, const struct button *btn, enum gate_verdict v,
    const struct gate_subject *s, char *out, size_t outsz)
{
	struct buf b;

	switch (v) {
	case GATE_PASS:
		return "";
	case GATE_ROLE:
		log_warn("refused button '%s' for user %lld (roles %#x)", c->verb,
		    (long long)c->user_id, c->roles);
		return TR(c, "⛔ Недостаточно прав", "⛔ Not allowed");
	case GATE_SUBJECT:
		log_warn("refused button '%s' for user %lld (roles %#x): %s is for roles %#x",
		    btn->verb, (long long)c->user_id, c->roles, s->what, s->perm);
		buf_init(&b, outsz - 1);
		buf_adds(&b, TR(c, "⛔ Недостаточно прав: это для ролей: ",
		    "⛔ Not allowed: this is for the roles: "));
		view_roles(c, s->perm | ROLE_SUPERADMIN, &b);
		str_copy(out, outsz, b.ptr);
		buf_release(&b);
		return out;
	case GATE_STALE:
		return TR(c, "Кнопка устарела", "This button is no longer valid");
	default:
		log_error("button '%s': cannot check what it names; refused", btn->verb);
		return TR(c, "⚠️ Не получилось проверить права; попробуйте ещё раз",
		    "⚠️ Could not check the rights; try again");
	}
}

/* Splits callback data "verb:arg" in place. */
static void
dispatch_split_data(char *data, const char **verb, const char **arg)
{
	char *colon = strchr(data, ':');

	*verb = data;
	*arg = "";
	if (colon != NULL) {
		*colon = '\0';
		*arg = colon + 1;
	}
}

/*
 * Who is asking: roles from the team table, plus superadmin for the bootstrap list in the
 * configuration (never stored, so removing someone from the list takes the right away).
 * Returns 1 when a member's stored names are out of date (Telegram names change).
 */
static int
dispatch_who(struct app *a, struct db *db, struct ctx *c, const struct tg_update *u)
{
	struct member m;
	int found;

	c->user_id = u->from.id;
	c->username = u->from.username;
	c->first_name = u->from.first_name;
	c->is_member = 0;
	c->roles = 0;
	found = team_get(db, u->from.id, &m) == 1;
	if (found && m.roles != 0) {
		c->is_member = 1;
		c->roles = m.roles;
	}
	if (cfg_is_superadmin(&a->cfg, u->from.id)) {
		c->is_member = 1;
		c->roles |= ROLE_SUPERADMIN;
	}
	return c->is_member && (!found || strcmp(m.username, u->from.username) != 0 ||
	    strcmp(m.name, u->from.first_name) != 0);
}

/* Someone who writes to the bot has unblocked it: the sender may try their chat again. */
static int
dispatch_unblock(struct db *db, int64_t chat)
{
	char key[48];
	int64_t since = 0;

	if (chat <= 0)
		return 0;
	snprintf(key, sizeof(key), "blocked:%lld", (long long)chat);
	if (state_get_int(db, key, &since) == 1 && since > 0)
		return state_set_int(db, key, 0);
	return 0;
}

/* Service messages and membership changes: no reply, just bookkeeping. */
static int
dispatch_service(struct db *db, const struct tg_update *u)
{
	if (u->migrate_to_chat_id != 0)
		return app_chat_migrate(db, u->chat_id, u->migrate_to_chat_id);
	if (u->migrate_from_chat_id != 0)
		return app_chat_migrate(db, u->migrate_from_chat_id, u->chat_id);
	if (u->kind == UPD_MY_CHAT_MEMBER)
		log_info("bot is now '%s' in chat %lld", u->new_status, (long long)u->chat_id);
	return 0;
}

int
dispatch_update(struct app *a, struct db *db, int64_t inbox_id, const struct tg_update *u)
{
	char data[TG_CALLBACK_MAX + 1], refusal[4 * TG_ANSWER_MAX + 1];
	const struct button *btn = NULL;
	enum gate_verdict verdict = GATE_STALE;
	struct gate_subject subject;
	int64_t t0 = clock_mono_us();
	struct ctx c;
	char botname[64];
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&subject, 0, sizeof(subject));
	c.app = a;
	c.db = db;
	c.cfg = &a->cfg;
	c.lang = a->cfg.language;
	c.inbox_id = inbox_id;
	c.now = clock_now();
	c.chat_id = u->chat_id;
	c.is_group = update_is_group(u);
	c.thread_id = u->thread_id;
	c.message_id = u->message_id;
	c.args = "";
	str_copy(botname, sizeof(botname), a->bot_username);

	/* Everything of this update is one savepoint of the worker's transaction (several updates
	 * share a commit); the work is a savepoint inside it, so a press keeps its answer and the
	 * person an error reply when the work is undone. */
	if (db_savepoint(db, 0) == -1)
		return -1;
	if (u->kind == UPD_CALLBACK) {
		const char *text = "";
		int alert = 0;

		dispatch_who(a, db, &c, u);
		str_copy(data, sizeof(data), u->callback_data);
		dispatch_split_data(data, &c.verb, &c.arg);
		c.is_callback = 1;
		btn = registry_button(c.verb);
		if (btn == NULL) {
			text = TR(&c, "Кнопка устарела", "This button is no longer valid");
			alert = 1;
		} else if ((verdict = gate_button(&c, btn, &subject)) != GATE_PASS) {
			text = dispatch_refusal(&c, btn, verdict, &subject, refusal,
			    sizeof(refusal));
			alert = 1;
		} else if (!dispatch_button_place_ok(&c, btn)) {
			log_warn("refused button '%s' for user %lld in chat %lld", c.verb,
			    (long long)c.user_id, (long long)c.chat_id);
			text = TR(&c, "Эта кнопка работает только в личном чате с ботом",
			    "This button works only in a private chat with the bot");
			alert = 1;
		}
		if (reply_answer_callback(db, u->callback_id, text, alert, inbox_id) == -1)
			goto undo;
	}

	if (db_savepoint(db, 1) == -1)
		goto undo;
	if (!c.is_group && dispatch_unblock(db, c.chat_id) == -1) {
		db_undo(db, 1);
		goto undo;
	}
	switch (u->kind) {
	case UPD_MESSAGE:
		if (u->migrate_to_chat_id || u->migrate_from_chat_id) {
			rc = dispatch_service(db, u);
			break;
		}
		if (dispatch_who(a, db, &c, u) &&
		    team_upsert(db, c.user_id, c.username, c.first_name, c.now) == -1) {
			rc = -1;
			break;
		}
		if (u->from.is_bot || u->text == NULL) {
			rc = 0;
			break;
		}
		rc = dispatch_command(&c, u, botname);
		break;
	case UPD_CALLBACK:
		rc = dispatch_button(&c, btn, verdict, &subject);
		break;
	case UPD_MY_CHAT_MEMBER:
		rc = dispatch_service(db, u);
		break;
	default:
		rc = 0;
	}
	if (rc == 0 && inbox_finish(db, inbox_id, INBOX_DONE, NULL, clock_mono_us() - t0,
	    clock_now_ms()) == 0 && db_release(db, 1) == 0 && db_release(db, 0) == 0) {
		latency_record(&a->handler_latency, clock_mono_us() - t0);
		metrics_handler(clock_mono_us() - t0);
		return 0;
	}

	/* Nothing of the handler stays; the person learns that it failed. */
	if (db_undo(db, 1) == -1)
		goto undo;
	log_error("handler failed for update %lld (inbox %lld)", (long long)u->update_id,
	    (long long)inbox_id);
	c.nout = 0;
	if (u->kind != UPD_MY_CHAT_MEMBER && c.chat_id != 0)
		reply_error(&c, TR(&c, "⚠️ Не получилось выполнить действие; ничего не изменено. "
		    "Попробуйте ещё раз или сообщите администратору.", "⚠️ The action failed; "
		    "nothing was changed. Try again or tell an administrator."));
	if (inbox_finish(db, inbox_id, INBOX_FAILED, "handler failed", 0, clock_now_ms()) == -1 ||
	    db_release(db, 0) == -1)
		goto undo;
	return 0;
undo:
	/* not even the failure could be recorded: the update stays pending, tried again later */
	db_undo(db, 0);
	return -1;
}
