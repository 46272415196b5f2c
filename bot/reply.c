/*
 * reply.c — the verbs handlers use to talk: inline keyboards as plain data, and outgoing messages
 * queued in the outbox inside the handler's transaction. This is where a keyboard becomes JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

void
kb_init(struct kb *k)
{
	k->n = 0;
	k->row = 0;
	k->overflow = 0;
}

void
kb_row(struct kb *k)
{
	if (k->n > 0 && k->b[k->n - 1].row == k->row)
		k->row++;
}

int
kb_button(struct kb *k, const char *text, const char *fmt, ...)
{
	struct kb_button *b;
	va_list ap;
	int n;

	if (k->n >= KB_MAX_BUTTONS || k->row >= KB_MAX_ROWS) {
		k->overflow = 1;
		return -1;
	}
	b = &k->b[k->n];
	va_start(ap, fmt);
	n = vsnprintf(b->data, sizeof(b->data), fmt, ap);
	va_end(ap);
	/* callback_data is 1-64 bytes; a longer one would be rejected by Telegram */
	if (n <= 0 || (size_t)n > TG_CALLBACK_MAX) {
		log_error("callback data too long for button '%s'", text);
		k->overflow = 1;
		return -1;
	}
	str_copy(b->text, sizeof(b->text), text);
	b->row = k->row;
	k->n++;
	return 0;
}

/* {"inline_keyboard": [[{text, callback_data}…]…]} or NULL for no keyboard. */
static cJSON *
reply_markup(const struct kb *k)
{
	cJSON *m, *rows, *row = NULL, *btn;
	int i, cur = -1;

	if (k == NULL || k->n == 0)
		return NULL;
	m = cJSON_CreateObject();
	rows = cJSON_AddArrayToObject(m, "inline_keyboard");
	for (i = 0; i < k->n; i++) {
		if (k->b[i].row != cur) {
			row = cJSON_CreateArray();
			cJSON_AddItemToArray(rows, row);
			cur = k->b[i].row;
		}
		btn = cJSON_CreateObject();
		cJSON_AddStringToObject(btn, "text", k->b[i].text);
		cJSON_AddStringToObject(btn, "callback_data", k->b[i].data);
		cJSON_AddItemToArray(row, btn);
	}
	return m;
}

/*
 * One call's payload (the sender adds chat_id): the text, and the keyboard when k is given.
 * edit: an editMessageText, of message_id when it is known here (> 0); an edit without a
 * keyboard removes the old one. Otherwise a sendMessage in thread_id, quoting reply_to.
 * The caller frees the result with cJSON_free; NULL when out of memory.
 */
static char *
reply_payload(const char *text, int edit, int64_t message_id, int64_t thread_id, int64_t reply_to,
    const struct kb *k)
{
	cJSON *o = cJSON_CreateObject(), *mk;
	char *payload;

	if (o == NULL)
		return NULL;
	if (edit && message_id > 0)
		cJSON_AddNumberToObject(o, "message_id", (double)message_id);
	else if (!edit && thread_id > 0)
		cJSON_AddNumberToObject(o, "message_thread_id", (double)thread_id);
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddStringToObject(o, "parse_mode", "HTML");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "link_preview_options"),
	    "is_disabled", cJSON_CreateTrue());
	if (!edit && reply_to > 0) {
		cJSON *rp = cJSON_AddObjectToObject(o, "reply_parameters");

		cJSON_AddNumberToObject(rp, "message_id", (double)reply_to);
		cJSON_AddTrueToObject(rp, "allow_sending_without_reply");
	}
	if ((mk = reply_markup(k)) != NULL)
		cJSON_AddItemToObject(o, "reply_markup", mk);
	else if (edit)
		cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "reply_markup"),
		    "inline_keyboard", cJSON_CreateArray());
	payload = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return payload;
}

/*
 * Queues one text (split at line boundaries when long) for a chat. method is sendMessage, or
 * editMessageText with edit_id. The keyboard goes with the last part. key_prefix makes the dedupe
 * keys: re-running the same request queues nothing new.
 */
static int
reply_queue(struct db *db, int64_t chat_id, int is_group, int64_t thread_id, int64_t reply_to,
    int64_t edit_id, const char *html, const struct kb *k, const char *key_prefix)
{
	char **parts = NULL, key[160];
	int nparts, i, rc = -1;

	if (k != NULL && k->overflow) {
		log_error("keyboard overflow; message not sent");
		return -1;
	}
	nparts = text_split(html, TG_SPLIT_AT, &parts);
	if (nparts <= 0)
		return -1;
	/* an edit cannot grow into several messages: the rest goes as new messages */
	for (i = 0; i < nparts; i++) {
		int edit = edit_id > 0 && i == 0;
		char *payload;
		int r;

		payload = reply_payload(parts[i], edit, edit_id, thread_id,
		    i == 0 ? reply_to : 0, i == nparts - 1 ? k : NULL);
		if (payload == NULL)
			goto out;
		snprintf(key, sizeof(key), "%s.%d", key_prefix, i);
		r = outbox_add(db, chat_id, is_group, edit ? "editMessageText" : "sendMessage", payload,
		    key, OUTBOX_PRIO_NORMAL, clock_now_ms(), NULL);
		cJSON_free(payload);
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	text_parts_free(parts, nparts);
	return rc;
}

/* A message that is edited later by its outbox row must stay one message. */
static int
reply_one_part(const char *html, const struct kb *k)
{
	if (k != NULL && k->overflow) {
		log_error("keyboard overflow; message not sent");
		return -1;
	}
	if (utf8_chars(html, strlen(html)) > TG_SPLIT_AT) {
		log_error("a message to be edited in place is too long (%zu characters)",
		    utf8_chars(html, strlen(html)));
		return -1;
	}
	return 0;
}

int
notify_post(struct db *db, int64_t chat_id, int is_group, const char *html, const struct kb *k,
    const char *dedupe, int64_t *outbox_id)
{
	char *payload;
	int r;

	*outbox_id = 0;
	if (chat_id == 0)
		return 0;
	if (reply_one_part(html, k) == -1 ||
	    (payload = reply_payload(html, 0, 0, 0, 0, k)) == NULL)
		return -1;
	r = outbox_add(db, app_chat(db, chat_id), is_group, "sendMessage", payload, dedupe,
	    OUTBOX_PRIO_NORMAL, clock_now_ms(), outbox_id);
	cJSON_free(payload);
	return r == -1 ? -1 : 0;
}

int
notify_edit_posted(struct db *db, int64_t outbox_id, const char *html, const struct kb *k,
    const char *dedupe)
{
	char *payload;
	int r;

	if (reply_one_part(html, k) == -1 || (payload = reply_payload(html, 1, 0, 0, 0, k)) == NULL)
		return -1;
	r = outbox_add_edit(db, outbox_id, payload, dedupe, clock_now_ms(), NULL);
	cJSON_free(payload);
	return r == -1 ? -1 : 0;
}

static void
reply_key(struct ctx *c, char *key, size_t keysz)
{
	snprintf(key, keysz, "in%lld:%d", (long long)c->inbox_id, c->nout++);
}

int
reply(struct ctx *c, const char *html, const struct kb *k)
{
	char key[64];

	reply_key(c, key, sizeof(key));
	/* in groups a reply quotes the command, so it is clear whom it answers */
	return reply_queue(c->db, c->chat_id, c->is_group, c->thread_id,
	    c->is_group && !c->is_callback ? c->message_id : 0, 0, html, k, key);
}

int
reply_edit(struct ctx *c, const char *html, const struct kb *k)
{
	char key[64];

	if (!c->is_callback || c->message_id <= 0)
		return reply(c, html, k);
	reply_key(c, key, sizeof(key));
	return reply_queue(c->db, c->chat_id, c->is_group, c->thread_id, 0, c->message_id, html, k,
	    key);
}

/*
 * An answer to bad input is one message whatever it quotes: a person who pastes 4,000 characters
 * gets one line back, not a wall of parts. Quotes are short already (buf_add_quote); this is the
 * backstop for any text that still grew too long.
 */
static int
reply_error_one(struct ctx *c, const char *html, int edit)
{
	char *one = text_cut(html, TG_SPLIT_AT);
	int rc;

	if (one == NULL)
		return -1;
	if (strcmp(one, html) != 0)
		log_warn("an error answer of %zu characters was cut to one message",
		    utf8_chars(html, strlen(html)));
	rc = edit ? reply_edit(c, one, NULL) : reply(c, one, NULL);
	free(one);
	return rc;
}

int
reply_error(struct ctx *c, const char *html)
{
	return reply_error_one(c, html, 0);
}

int
reply_edit_error(struct ctx *c, const char *html)
{
	return reply_error_one(c, html, 1);
}

int
notify(struct ctx *c, int64_t chat_id, const char *html, const struct kb *k, const char *dedupe)
{
	char key[160];

	if (dedupe == NULL) {
		reply_key(c, key, sizeof(key));
		dedupe = key;
	}
	return notify_chat(c->db, chat_id, chat_id < 0, html, k, dedupe);
}

int
notify_chat(struct db *db, int64_t chat_id, int is_group, const char *html, const struct kb *k,
    const char *dedupe)
{
	static int64_t seq;	/* keys unique in the process, even several in one millisecond */
	char key[160];

	if (chat_id == 0)
		return 0;	/* the chat is not configured: nothing to do */
	if (dedupe == NULL)
		snprintf(key, sizeof(key), "n%lld.%lld", (long long)clock_now_ms(),
		    (long long)__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	else
		str_copy(key, sizeof(key), dedupe);
	return reply_queue(db, app_chat(db, chat_id), is_group, 0, 0, 0, html, k, key);
}

/* Answers a button press (the spinner stops); queued ahead of everything else. */
int
reply_answer_callback(struct db *db, const char *callback_id, const char *text, int alert,
    int64_t inbox_id)
{
	cJSON *o = cJSON_CreateObject();
	char key[64], *payload;
	int r;

	cJSON_AddStringToObject(o, "callback_query_id", callback_id);
	if (text != NULL && *text)
		cJSON_AddStringToObject(o, "text", text);
	if (alert)
		cJSON_AddTrueToObject(o, "show_alert");
	payload = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (payload == NULL)
		return -1;
	snprintf(key, sizeof(key), "ans%lld", (long long)inbox_id);
	r = outbox_add(db, 0, 0, "answerCallbackQuery", payload, key, OUTBOX_PRIO_ANSWER,
	    clock_now_ms(), NULL);
	cJSON_free(payload);
	return r == -1 ? -1 : 0;
}
