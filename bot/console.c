/*
 * console.c — the console transport: the same inbox, dispatch, handlers and outbox as the bot, with
 * a terminal instead of Telegram. Each line typed becomes an update; the worker handles it; the
 * outbox is drained to the screen. Buttons are numbered and pressed by typing the number.
 *
 * A bare number presses a button of the latest message in the current chat when it has
 * buttons; otherwise it is sent as text (an answer in a dialog).
 *
 *   :as ID       act as another user (their private chat)
 *   :chat ID     act in another chat (a negative id is a group)
 *   :who         who and where you are
 *   :help, :quit
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "storage/storage.h"

#define CONSOLE_BUTTONS 100
#define CONSOLE_CHATS 16
#define DEMO_USER 100000001

struct console_button {
	char	 text[256];
	char	 data[TG_CALLBACK_MAX + 1];
};

struct console {
	struct app	*app;
	struct db	*db;
	int64_t		 user_id;
	char		 username[64];
	char		 name[256];
	int64_t		 chat_id;
	int64_t		 next_message_id;	/* ids the "sent" messages get */
	int64_t		 next_callback;
	int		 color;
	/* per chat, the buttons of its latest message: typing a number there presses one */
	struct console_kb {
		int64_t	 chat;
		int64_t	 message_id;
		int	 n;
		struct console_button b[CONSOLE_BUTTONS];
	} kbs[CONSOLE_CHATS];
	int		 nkbs;
};

/* The keyboard slot of a chat (the oldest slot is reused when all are taken). */
static struct console_kb *
console_kb(struct console *c, int64_t chat)
{
	int i;

	for (i = 0; i < c->nkbs; i++)
		if (c->kbs[i].chat == chat)
			return &c->kbs[i];
	if (c->nkbs < CONSOLE_CHATS)
		i = c->nkbs++;
	else {
		memmove(&c->kbs[0], &c->kbs[1], sizeof(c->kbs[0]) * (CONSOLE_CHATS - 1));
		i = CONSOLE_CHATS - 1;
	}
	memset(&c->kbs[i], 0, sizeof(c->kbs[i]));
	c->kbs[i].chat = chat;
	return &c->kbs[i];
}

static const char *
console_style(struct console *c, const char *code)
{
	return c->color ? code : "";
}

/* Prints Telegram HTML for a terminal: tags become styles (or nothing), entities are decoded. */
static void
console_print_html(struct console *c, const char *s)
{
	static const struct { const char *ent; char ch; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' },
	};
	size_t i;

	while (*s) {
		if (*s == '<') {
			const char *end = strchr(s, '>');
			int closing = s[1] == '/';
			char tag = (char)tolower((unsigned char)s[closing ? 2 : 1]);

			if (end == NULL)
				break;
			if (tag == 'b' || tag == 'i' || tag == 'c' || tag == 'p' || tag == 'u')
				fputs(console_style(c, closing ? "\033[0m" :
				    tag == 'b' ? "\033[1m" : tag == 'i' ? "\033[3m" : "\033[36m"), stdout);
			s = end + 1;
			continue;
		}
		if (*s == '&') {
			for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
				if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
					break;
			if (i < sizeof(ents) / sizeof(ents[0])) {
				putchar(ents[i].ch);
				s += strlen(ents[i].ent);
				continue;
			}
		}
		putchar(*s++);
	}
	putchar('\n');
}

/* Remembers and prints a message's keyboard, numbering its buttons from 1. */
static void
console_keyboard(struct console *c, cJSON *markup, int64_t chat, int64_t message_id)
{
	cJSON *rows = cJSON_GetObjectItemCaseSensitive(markup, "inline_keyboard"), *row, *b;
	struct console_kb *k = console_kb(c, chat);
	int n = 0;

	k->n = 0;
	if (!cJSON_IsArray(rows) || cJSON_GetArraySize(rows) == 0)
		return;
	cJSON_ArrayForEach(row, rows) {
		fputs("  ", stdout);
		cJSON_ArrayForEach(b, row) {
			cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
			cJSON *d = cJSON_GetObjectItemCaseSensitive(b, "callback_data");

			if (n >= CONSOLE_BUTTONS || !cJSON_IsString(t) || !cJSON_IsString(d))
				continue;
			str_copy(k->b[n].text, sizeof(k->b[n].text), t->valuestring);
			str_copy(k->b[n].data, sizeof(k->b[n].data), d->valuestring);
			n++;
			printf("%s[%d]%s %s   ", console_style(c, "\033[33m"), n,
			    console_style(c, "\033[0m"), t->valuestring);
		}
		putchar('\n');
	}
	k->n = n;
	k->message_id = message_id;
}

/* Shows one outgoing call; returns the message id it "got". */
static int64_t
console_show(struct console *c, const struct outbox_row *r)
{
	cJSON *o = cJSON_Parse(r->payload), *text, *mk, *mid;
	int64_t id = 0;

	if (o == NULL)
		return 0;
	text = cJSON_GetObjectItemCaseSensitive(o, "text");
	mk = cJSON_GetObjectItemCaseSensitive(o, "reply_markup");
	if (strcmp(r->method, "sendMessage") == 0 || strcmp(r->method, "editMessageText") == 0) {
		int edit = r->method[0] == 'e';

		if (edit) {
			mid = cJSON_GetObjectItemCaseSensitive(o, "message_id");
			id = cJSON_IsNumber(mid) ? (int64_t)mid->valuedouble : 0;
		} else
			id = ++c->next_message_id;
		putchar('\n');
		if (r->chat_id != c->chat_id)
			printf("%s── %s %lld ──%s\n", console_style(c, "\033[2m"),
			    c->app->cfg.language == LANG_EN ? "to chat" : "в чат",
			    (long long)r->chat_id, console_style(c, "\033[0m"));
		if (edit)
			printf("%s✎ #%lld%s\n", console_style(c, "\033[2m"), (long long)id,
			    console_style(c, "\033[0m"));
		if (cJSON_IsString(text))
			console_print_html(c, text->valuestring);
		/* numbers press the buttons of the chat's latest message; a new message without
		 * buttons makes numbers plain text again (answers such as "2" in a dialog) */
		if (mk != NULL)
			console_keyboard(c, mk, r->chat_id, id);
		else if (!edit)
			console_kb(c, r->chat_id)->n = 0;
	} else if (strcmp(r->method, "answerCallbackQuery") == 0) {
		if (cJSON_IsString(text))
			printf("%s💬 %s%s\n", console_style(c, "\033[2m"), text->valuestring,
			    console_style(c, "\033[0m"));
	}
	/* setMyCommands and the like have nothing to show */
	cJSON_Delete(o);
	return id;
}

/* Handles every pending update, then shows every queued call, until both are empty. */
static void
console_settle(struct console *c)
{
	struct outbox_row rows[32];
	int n, i, busy = 1;

	while (busy) {
		busy = 0;
		while (worker_process_batch(c->app, c->db) > 0)
			busy = 1;
		n = outbox_due(c->db, INT64_MAX, rows, 32);
		for (i = 0; i < n; i++) {
			int64_t id = console_show(c, &rows[i]);

			outbox_mark_sent(c->db, rows[i].id, id, clock_now_ms());
			outbox_row_release(&rows[i]);
			busy = 1;
		}
	}
	fflush(stdout);
}

static void
console_identity(struct console *c, int64_t user_id)
{
	struct member m;

	c->user_id = user_id;
	c->chat_id = user_id;
	c->username[0] = '\0';
	str_copy(c->name, sizeof(c->name), "Гость");
	if (team_get(c->db, user_id, &m) == 1) {
		str_copy(c->username, sizeof(c->username), m.username);
		if (m.name[0])
			str_copy(c->name, sizeof(c->name), m.name);
	}
}

static void
console_who(struct console *c)
{
	printf("%s: %s%s%s (id %lld), %s %lld%s\n",
	    c->app->cfg.language == LANG_EN ? "you are" : "вы", c->name,
	    c->username[0] ? " @" : "", c->username, (long long)c->user_id,
	    c->app->cfg.language == LANG_EN ? "chat" : "чат", (long long)c->chat_id,
	    c->chat_id == c->user_id ? (c->app->cfg.language == LANG_EN ? " (private)" :
	    " (личный)") : "");
}

static void
console_help(void)
{
	puts("  /команда …   команда бота, как в Telegram (например /help)\n"
	    "  N            нажать кнопку N последнего сообщения с кнопками\n"
	    "  :as ID       действовать от имени пользователя ID (его личный чат)\n"
	    "  :chat ID     перейти в чат ID (отрицательный id — группа)\n"
	    "  :who         кто вы и где\n"
	    "  :quit        выйти (или Ctrl-D)");
}

static void
console_submit(struct console *c, char *json)
{
	if (json == NULL)
		return;
	if (db_begin(c->db) == 0) {
		if (inbox_add(c->db, 0, "console", json, clock_now_ms(), NULL) == 1)
			db_commit(c->db);
		else
			db_rollback(c->db);
	}
	free(json);
	console_settle(c);
}

static void
console_press(struct console *c, const struct console_kb *k, int n)
{
	char cbid[32];

	printf("%s▶ %s%s\n", console_style(c, "\033[2m"), k->b[n - 1].text,
	    console_style(c, "\033[0m"));
	snprintf(cbid, sizeof(cbid), "console-%lld", (long long)++c->next_callback);
	console_submit(c, update_json_callback(0, c->user_id, c->username, c->name, k->chat,
	    k->chat < 0 ? "supergroup" : "private", k->message_id, cbid, k->b[n - 1].data));
}

/* Returns 1 to quit. */
static int
console_line(struct console *c, char *line)
{
	struct console_kb *k;
	int64_t v;
	char *arg;

	if (line[0] == ':') {
		arg = strchr(line, ' ');
		if (arg != NULL)
			*arg++ = '\0';
		if (strcmp(line, ":quit") == 0 || strcmp(line, ":q") == 0)
			return 1;
		if (strcmp(line, ":who") == 0)
			console_who(c);
		else if (strcmp(line, ":as") == 0 && arg && str_to_i64(arg, &v) == 0 && v > 0) {
			console_identity(c, v);
			console_who(c);
		} else if (strcmp(line, ":chat") == 0 && arg && str_to_i64(arg, &v) == 0 && v != 0) {
			c->chat_id = v;
			console_who(c);
		} else
			console_help();
		return 0;
	}
	k = console_kb(c, c->chat_id);
	if (str_to_i64(line, &v) == 0 && k->n > 0) {
		if (v >= 1 && v <= k->n)
			console_press(c, k, (int)v);
		else
			printf("нет кнопки %lld (кнопки 1–%d)\n", (long long)v, k->n);
		return 0;
	}
	console_submit(c, update_json_message(0, c->user_id, c->username, c->name, c->chat_id,
	    c->chat_id < 0 ? "supergroup" : "private", ++c->next_message_id, line));
	return 0;
}

static char *
console_read(const char *prompt)
{
#ifdef HAVE_READLINE
	char *l;

	if (isatty(STDIN_FILENO)) {
		l = readline(prompt);
		if (l != NULL && *l)
			add_history(l);
		return l;
	}
#endif
	{
		struct buf b;
		int ch;

		if (isatty(STDIN_FILENO)) {
			fputs(prompt, stdout);
			fflush(stdout);
		}
		buf_init(&b, 64 * 1024);
		while ((ch = getchar()) != EOF && ch != '\n')
			buf_addc(&b, (char)ch);
		if (ch == EOF && b.len == 0) {
			buf_release(&b);
			return NULL;
		}
		return buf_detach(&b);
	}
}

int
console_main(struct app *a)
{
	struct console c;
	char errbuf[256], *line, *p;
	size_t len;
	int quit = 0;

	memset(&c, 0, sizeof(c));
	c.app = a;
	c.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	c.next_message_id = 1000;
	c.db = db_open(a->cfg.database, errbuf, sizeof(errbuf));
	if (c.db == NULL) {
		log_error("cannot open database '%s': %s", a->cfg.database, errbuf);
		return 1;
	}
	/* Work queued for Telegram belongs to the bot: the console would print it and mark it
	 * sent, and it would never reach anyone. */
	if (inbox_pending_count(c.db) != 0 || outbox_pending_count(c.db) != 0) {
		log_error("the database '%s' has updates or messages queued for Telegram; start the "
		    "bot (run) to handle them, or give the console a database of its own",
		    a->cfg.database);
		db_close(c.db);
		return 1;
	}
	str_copy(a->bot_username, sizeof(a->bot_username), "backoffice_bot");
	console_identity(&c, a->cfg.nsuperadmins > 0 ? a->cfg.superadmins[0] : DEMO_USER);
	printf("backoffice %s — %s\n", BO_VERSION, a->cfg.language == LANG_EN ?
	    "console: the bot without Telegram. :help for console commands, /help for the bot's." :
	    "консоль: бот без Telegram. :help — команды консоли, /help — команды бота.");
	console_who(&c);
	while (!quit && !a->stop && (line = console_read("> ")) != NULL) {
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (len = strlen(p); len > 0 && isspace((unsigned char)p[len - 1]); len--)
			p[len - 1] = '\0';
		if (*p)
			quit = console_line(&c, p);
		free(line);
	}
	db_close(c.db);
	return 0;
}
