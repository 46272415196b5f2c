/*
 * update.c — the only code that reads Update JSON. It turns a Telegram Update into a typed,
 * length-checked struct tg_update, or rejects it with a short reason. Everything else in the
 * program sees only the struct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "bot/json.h"

#define UPDATE_JSON_MAX	(1u << 20)		/* one Update is far below this */
#define UPDATE_TEXT_MAX	(TG_TEXT_MAX * 4)	/* bytes: 4096 characters of up to 4 bytes */

/* Error reasons are constant strings; a failure reports one through this. */
struct update_ctx {
	const char	*why;
};

static int
update_fail(struct update_ctx *ctx, const char *why)
{
	if (ctx->why == NULL)
		ctx->why = why;
	return -1;
}

/* Reads an integer id: a JSON number written as an integer, |v| < 2^53. Absent: 0 ok when
 * !required. */
static int
update_get_id(const cJSON *obj, const char *name, int required, int64_t *out,
    struct update_ctx *ctx, const char *why)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = 0;
	if (it == NULL)
		return required ? update_fail(ctx, why) : 0;
	if (json_integer(it, out) != 0) {
		*out = 0;
		return update_fail(ctx, why);
	}
	return 0;
}

/* Copies a string member (bounded, valid UTF-8). Absent: "" ok when !required. */
static int
update_get_str(const cJSON *obj, const char *name, int required, char *dst, size_t dstsz,
    struct update_ctx *ctx, const char *why)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	dst[0] = '\0';
	if (it == NULL)
		return required ? update_fail(ctx, why) : 0;
	if (!cJSON_IsString(it) || it->valuestring == NULL ||
	    !utf8_valid(it->valuestring, strlen(it->valuestring)))
		return update_fail(ctx, why);
	str_copy(dst, dstsz, it->valuestring);
	return 0;
}

static int
update_parse_user(const cJSON *obj, struct tg_user *u, struct update_ctx *ctx)
{
	const cJSON *bot;

	if (!cJSON_IsObject(obj))
		return update_fail(ctx, "missing from");
	if (update_get_id(obj, "id", 1, &u->id, ctx, "bad from.id") == -1 ||
	    update_get_str(obj, "username", 0, u->username, sizeof(u->username), ctx,
	    "bad from.username") == -1 ||
	    update_get_str(obj, "first_name", 0, u->first_name, sizeof(u->first_name), ctx,
	    "bad from.first_name") == -1 ||
	    update_get_str(obj, "last_name", 0, u->last_name, sizeof(u->last_name), ctx,
	    "bad from.last_name") == -1 ||
	    update_get_str(obj, "language_code", 0, u->language_code, sizeof(u->language_code),
	    ctx, "bad from.language_code") == -1)
		return -1;
	bot = cJSON_GetObjectItemCaseSensitive(obj, "is_bot");
	if (bot != NULL && !cJSON_IsBool(bot))
		return update_fail(ctx, "bad from.is_bot");
	u->is_bot = cJSON_IsTrue(bot);
	return 0;
}

static int
update_parse_chat(const cJSON *obj, struct tg_update *u, struct update_ctx *ctx)
{
	static const char *const types[] = { "private", "group", "supergroup", "channel" };
	size_t i;

	if (!cJSON_IsObject(obj))
		return update_fail(ctx, "missing chat");
	if (update_get_id(obj, "id", 1, &u->chat_id, ctx, "bad chat.id") == -1 ||
	    update_get_str(obj, "type", 1, u->chat_type, sizeof(u->chat_type), ctx,
	    "bad chat.type") == -1 ||
	    update_get_str(obj, "title", 0, u->chat_title, sizeof(u->chat_title), ctx,
	    "bad chat.title") == -1)
		return -1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(u->chat_type, types[i]) == 0)
			return 0;
	return update_fail(ctx, "unknown chat.type");
}

/* The text or, failing that, the caption: valid UTF-8, bounded, copied. */
static int
update_parse_text(const cJSON *msg, struct tg_update *u, struct update_ctx *ctx)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(msg, "text");
	size_t len;

	if (it == NULL)
		it = cJSON_GetObjectItemCaseSensitive(msg, "caption");
	if (it == NULL)
		return 0;
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return update_fail(ctx, "bad text");
	len = strlen(it->valuestring);
	if (len > UPDATE_TEXT_MAX)
		return update_fail(ctx, "text too long");
	if (!utf8_valid(it->valuestring, len))
		return update_fail(ctx, "text is not valid UTF-8");
	if ((u->text = strdup(it->valuestring)) == NULL)
		return update_fail(ctx, "out of memory");
	return 0;
}

static int
update_parse_message(const cJSON *msg, struct tg_update *u, struct update_ctx *ctx)
{
	const cJSON *from, *reply;

	if (!cJSON_IsObject(msg))
		return update_fail(ctx, "message is not an object");
	u->kind = UPD_MESSAGE;
	if (update_get_id(msg, "message_id", 1, &u->message_id, ctx, "bad message_id") == -1 ||
	    update_get_id(msg, "message_thread_id", 0, &u->thread_id, ctx,
	    "bad message_thread_id") == -1 ||
	    update_parse_chat(cJSON_GetObjectItemCaseSensitive(msg, "chat"), u, ctx) == -1 ||
	    update_get_id(msg, "migrate_to_chat_id", 0, &u->migrate_to_chat_id, ctx,
	    "bad migrate_to_chat_id") == -1 ||
	    update_get_id(msg, "migrate_from_chat_id", 0, &u->migrate_from_chat_id, ctx,
	    "bad migrate_from_chat_id") == -1)
		return -1;
	/* migration service messages need not carry a sender; everything else must */
	from = cJSON_GetObjectItemCaseSensitive(msg, "from");
	if (from != NULL || (u->migrate_to_chat_id == 0 && u->migrate_from_chat_id == 0))
		if (update_parse_user(from, &u->from, ctx) == -1)
			return -1;
	reply = cJSON_GetObjectItemCaseSensitive(msg, "reply_to_message");
	if (reply != NULL && (!cJSON_IsObject(reply) ||
	    update_get_id(reply, "message_id", 1, &u->reply_to_message_id, ctx,
	    "bad reply_to_message") == -1))
		return update_fail(ctx, "bad reply_to_message");
	return update_parse_text(msg, u, ctx);
}

static int
update_parse_callback(const cJSON *cq, struct tg_update *u, struct update_ctx *ctx)
{
	const cJSON *data, *msg;

	if (!cJSON_IsObject(cq))
		return update_fail(ctx, "callback_query is not an object");
	u->kind = UPD_CALLBACK;
	if (update_get_str(cq, "id", 1, u->callback_id, sizeof(u->callback_id), ctx,
	    "bad callback_query.id") == -1)
		return -1;
	if (u->callback_id[0] == '\0')
		return update_fail(ctx, "empty callback_query.id");
	if (update_parse_user(cJSON_GetObjectItemCaseSensitive(cq, "from"), &u->from, ctx) == -1)
		return -1;
	/* data is untrusted: at most 64 bytes, never truncated into something else */
	data = cJSON_GetObjectItemCaseSensitive(cq, "data");
	if (data != NULL) {
		if (!cJSON_IsString(data) || data->valuestring == NULL)
			return update_fail(ctx, "bad callback data");
		if (strlen(data->valuestring) > TG_CALLBACK_MAX)
			return update_fail(ctx, "callback data too long");
		if (!utf8_valid(data->valuestring, strlen(data->valuestring)))
			return update_fail(ctx, "callback data is not valid UTF-8");
		str_copy(u->callback_data, sizeof(u->callback_data), data->valuestring);
	}
	/* inline-mode buttons have no message; this bot only sends buttons in chats */
	msg = cJSON_GetObjectItemCaseSensitive(cq, "message");
	if (!cJSON_IsObject(msg))
		return update_fail(ctx, "callback without message");
	if (update_get_id(msg, "message_id", 1, &u->message_id, ctx, "bad message_id") == -1 ||
	    update_get_id(msg, "message_thread_id", 0, &u->thread_id, ctx,
	    "bad message_thread_id") == -1)
		return -1;
	return update_parse_chat(cJSON_GetObjectItemCaseSensitive(msg, "chat"), u, ctx);
}

static int
update_parse_member(const cJSON *m, struct tg_update *u, struct update_ctx *ctx)
{
	const cJSON *ncm;

	if (!cJSON_IsObject(m))
		return update_fail(ctx, "my_chat_member is not an object");
	u->kind = UPD_MY_CHAT_MEMBER;
	if (update_parse_chat(cJSON_GetObjectItemCaseSensitive(m, "chat"), u, ctx) == -1 ||
	    update_parse_user(cJSON_GetObjectItemCaseSensitive(m, "from"), &u->from, ctx) == -1)
		return -1;
	ncm = cJSON_GetObjectItemCaseSensitive(m, "new_chat_member");
	if (!cJSON_IsObject(ncm))
		return update_fail(ctx, "missing new_chat_member");
	if (update_get_str(ncm, "status", 1, u->new_status, sizeof(u->new_status), ctx,
	    "bad new_chat_member.status") == -1)
		return -1;
	if (u->new_status[0] == '\0')
		return update_fail(ctx, "empty new_chat_member.status");
	return 0;
}

int
update_parse(const char *json, size_t len, struct tg_update *u, struct buf *err)
{
	struct update_ctx ctx = { NULL };
	char nul[JSON_PATH_MAX] = "", why[JSON_PATH_MAX + 48];
	cJSON *root = NULL;
	const cJSON *it;
	int rc = -1;

	memset(u, 0, sizeof(*u));
	u->kind = UPD_OTHER;
	if (json == NULL || len == 0) {
		update_fail(&ctx, "empty update");
		goto out;
	}
	if (len > UPDATE_JSON_MAX) {
		update_fail(&ctx, "update too large");
		goto out;
	}
	root = json_parse(json, len);
	if (root == NULL) {
		update_fail(&ctx, "invalid JSON");
		goto out;
	}
	/* anywhere in the update: a string cut at its NUL would be read as another one (a forged
	 * button's data cut to a real one); the rest is still parsed, for whom to tell */
	if (json_nul_path(root, nul)) {
		snprintf(why, sizeof(why), "a NUL character (\\u0000) in %s", nul);
		update_fail(&ctx, why);
	}
	if (!cJSON_IsObject(root)) {
		update_fail(&ctx, "update is not an object");
		goto out;
	}
	if (update_get_id(root, "update_id", 0, &u->update_id, &ctx, "bad update_id") == -1)
		goto out;
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "message")) != NULL) {
		if (update_parse_message(it, u, &ctx) == -1)
			goto out;
	} else if ((it = cJSON_GetObjectItemCaseSensitive(root, "callback_query")) != NULL) {
		if (update_parse_callback(it, u, &ctx) == -1)
			goto out;
	} else if ((it = cJSON_GetObjectItemCaseSensitive(root, "my_chat_member")) != NULL) {
		if (update_parse_member(it, u, &ctx) == -1)
			goto out;
	}
	/* anything else (edited_message, channel_post, ...) stays UPD_OTHER */
	rc = nul[0] != '\0' ? -1 : 0;
out:
	cJSON_Delete(root);
	if (rc == -1) {
		struct tg_update kept;

		/* still useful: the id to log, a rejected press's id to stop its spinner, and for a
		 * NUL the chat and the sender, to say why */
		memset(&kept, 0, sizeof(kept));
		kept.update_id = u->update_id;
		kept.kind = UPD_OTHER;
		str_copy(kept.callback_id, sizeof(kept.callback_id),
		    u->kind == UPD_CALLBACK ? u->callback_id : "");
		if (nul[0] != '\0') {
			kept.kind = u->kind;
			kept.chat_id = u->chat_id;
			str_copy(kept.chat_type, sizeof(kept.chat_type), u->chat_type);
			kept.from.id = u->from.id;
			str_copy(kept.nul_field, sizeof(kept.nul_field), nul);
		}
		update_release(u);
		*u = kept;
		if (err != NULL)
			buf_adds(err, ctx.why != NULL ? ctx.why : "invalid update");
	}
	return rc;
}

int
update_is_group(const struct tg_update *u)
{
	return strcmp(u->chat_type, "group") == 0 || strcmp(u->chat_type, "supergroup") == 0;
}

void
update_release(struct tg_update *u)
{
	free(u->text);
	u->text = NULL;
}

static int
update_is_group_type(const char *type)
{
	return type != NULL && (strcmp(type, "group") == 0 || strcmp(type, "supergroup") == 0);
}

/* Adds {id, type[, title]}: the chat as Telegram would describe it. */
static cJSON *
update_json_chat(cJSON *parent, int64_t chat_id, const char *chat_type)
{
	cJSON *chat = cJSON_AddObjectToObject(parent, "chat");

	if (chat == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(chat, "id", (double)chat_id) == NULL ||
	    cJSON_AddStringToObject(chat, "type", chat_type ? chat_type : "private") == NULL)
		return NULL;
	if (update_is_group_type(chat_type) &&
	    cJSON_AddStringToObject(chat, "title", "Console group") == NULL)
		return NULL;
	return chat;
}

static cJSON *
update_json_from(cJSON *parent, int64_t user_id, const char *username, const char *first_name)
{
	cJSON *from = cJSON_AddObjectToObject(parent, "from");

	if (from == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(from, "id", (double)user_id) == NULL ||
	    cJSON_AddFalseToObject(from, "is_bot") == NULL ||
	    cJSON_AddStringToObject(from, "first_name", first_name ? first_name : "") == NULL)
		return NULL;
	if (username != NULL && username[0] != '\0' &&
	    cJSON_AddStringToObject(from, "username", username) == NULL)
		return NULL;
	return from;
}

char *
update_json_message(int64_t update_id, int64_t user_id, const char *username,
    const char *first_name, int64_t chat_id, const char *chat_type, int64_t message_id,
    const char *text)
{
	cJSON *root = cJSON_CreateObject(), *msg;
	char *out = NULL;

	if (root == NULL ||
	    cJSON_AddNumberToObject(root, "update_id", (double)update_id) == NULL ||
	    (msg = cJSON_AddObjectToObject(root, "message")) == NULL ||
	    cJSON_AddNumberToObject(msg, "message_id", (double)message_id) == NULL ||
	    cJSON_AddNumberToObject(msg, "date", (double)clock_now()) == NULL ||
	    update_json_chat(msg, chat_id, chat_type) == NULL ||
	    update_json_from(msg, user_id, username, first_name) == NULL)
		goto out;
	if (text != NULL && cJSON_AddStringToObject(msg, "text", text) == NULL)
		goto out;
	out = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return out;
}

char *
update_json_callback(int64_t update_id, int64_t user_id, const char *username,
    const char *first_name, int64_t chat_id, const char *chat_type, int64_t message_id,
    const char *callback_id, const char *data)
{
	cJSON *root = cJSON_CreateObject(), *cq, *msg;
	char *out = NULL;

	if (root == NULL ||
	    cJSON_AddNumberToObject(root, "update_id", (double)update_id) == NULL ||
	    (cq = cJSON_AddObjectToObject(root, "callback_query")) == NULL ||
	    cJSON_AddStringToObject(cq, "id", callback_id ? callback_id : "") == NULL ||
	    update_json_from(cq, user_id, username, first_name) == NULL ||
	    cJSON_AddStringToObject(cq, "chat_instance", "0") == NULL ||
	    cJSON_AddStringToObject(cq, "data", data ? data : "") == NULL ||
	    (msg = cJSON_AddObjectToObject(cq, "message")) == NULL ||
	    cJSON_AddNumberToObject(msg, "message_id", (double)message_id) == NULL ||
	    update_json_chat(msg, chat_id, chat_type) == NULL ||
	    cJSON_AddNumberToObject(msg, "date", (double)clock_now()) == NULL ||
	    cJSON_AddStringToObject(msg, "text", "") == NULL)
		goto out;
	out = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return out;
}
