/* update_parse.t — Update JSON to struct tg_update: kinds, ids, bounds, rejections, round trip. */
#include "bot/bot.h"
#include "tests/tap.h"

/* Parses s; returns update_parse's result and leaves the reason in err. */
static int
parse(const char *s, struct tg_update *u, struct buf *err)
{
	buf_reset(err);
	return update_parse(s, strlen(s), u, err);
}

static void
test_message(struct buf *err)
{
	struct tg_update u;

	ok(parse("{\"update_id\":10001,\"message\":{\"message_id\":77,\"date\":1700000000,"
	    "\"chat\":{\"id\":1099511627776,\"type\":\"private\",\"first_name\":\"Anna\"},"
	    "\"from\":{\"id\":1099511627776,\"is_bot\":false,\"first_name\":\"Анна\","
	    "\"username\":\"anna_k\",\"language_code\":\"ru\"},\"text\":\"/start\"}}",
	    &u, err) == 0, "private message parses");
	is_int(u.kind, UPD_MESSAGE, "kind message");
	is_int(u.update_id, 10001, "update_id");
	is_int(u.message_id, 77, "message_id");
	is_int(u.from.id, 1099511627776LL, "a 41-bit user id is preserved");
	is_int(u.chat_id, 1099511627776LL, "a 41-bit chat id is preserved");
	is_str(u.from.first_name, "Анна", "first_name in Cyrillic");
	is_str(u.from.username, "anna_k", "username");
	is_str(u.from.language_code, "ru", "language_code");
	is_str(u.chat_type, "private", "chat type");
	is_str(u.text, "/start", "text");
	ok(!update_is_group(&u), "a private chat is not a group");
	update_release(&u);
	ok(u.text == NULL, "update_release frees the text");

	ok(parse("{\"update_id\":10002,\"message\":{\"message_id\":5,\"date\":1,"
	    "\"message_thread_id\":9,\"reply_to_message\":{\"message_id\":4,\"date\":1,"
	    "\"chat\":{\"id\":-1001234567890,\"type\":\"supergroup\"}},"
	    "\"chat\":{\"id\":-1001234567890,\"type\":\"supergroup\",\"title\":\"Команда\"},"
	    "\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"Ivan\"},"
	    "\"text\":\"/invoices@backoffice_bot overdue\"}}", &u, err) == 0,
	    "command in a group parses");
	is_int(u.chat_id, -1001234567890LL, "a negative supergroup id is preserved");
	is_str(u.chat_title, "Команда", "chat title");
	is_str(u.text, "/invoices@backoffice_bot overdue", "command with @bot kept verbatim");
	is_int(u.thread_id, 9, "thread id");
	is_int(u.reply_to_message_id, 4, "reply_to_message id");
	ok(update_is_group(&u), "a supergroup is a group");
	update_release(&u);

	ok(parse("{\"update_id\":3,\"message\":{\"message_id\":5,\"date\":1,"
	    "\"chat\":{\"id\":-42,\"type\":\"group\",\"title\":\"g\"},"
	    "\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"I\"},"
	    "\"caption\":\"invoice.pdf\",\"document\":{}}}", &u, err) == 0 &&
	    u.text != NULL && strcmp(u.text, "invoice.pdf") == 0, "a caption stands in for text");
	ok(update_is_group(&u), "a basic group is a group");
	update_release(&u);

	ok(parse("{\"update_id\":4,\"edited_message\":{\"message_id\":5,\"date\":1,"
	    "\"chat\":{\"id\":1,\"type\":\"private\"},\"from\":{\"id\":1,\"is_bot\":false,"
	    "\"first_name\":\"a\"},\"text\":\"x\"}}", &u, err) == 0 && u.kind == UPD_OTHER &&
	    u.update_id == 4, "edited_message is UPD_OTHER");
}

static void
test_callback(struct buf *err)
{
	struct tg_update u;
	char json[1024];
	const char *d64 = "0123456789012345678901234567890123456789012345678901234567890123";

	ok(parse("{\"update_id\":20,\"callback_query\":{\"id\":\"4382bfdwdsb323b2d9\","
	    "\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"Ivan\",\"username\":\"ivan\"},"
	    "\"chat_instance\":\"-1\",\"data\":\"inv:pay:17\",\"message\":{\"message_id\":901,"
	    "\"date\":1,\"chat\":{\"id\":-1001234567890,\"type\":\"supergroup\",\"title\":\"t\"},"
	    "\"text\":\"Invoice 17\"}}}", &u, err) == 0, "callback parses");
	is_int(u.kind, UPD_CALLBACK, "kind callback");
	is_str(u.callback_id, "4382bfdwdsb323b2d9", "callback id");
	is_str(u.callback_data, "inv:pay:17", "callback data");
	is_int(u.message_id, 901, "the message carrying the button");
	is_int(u.chat_id, -1001234567890LL, "the chat of that message");
	is_int(u.from.id, 42, "who pressed");
	update_release(&u);

	snprintf(json, sizeof(json), "{\"update_id\":21,\"callback_query\":{\"id\":\"q\","
	    "\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"I\"},\"data\":\"%s\","
	    "\"message\":{\"message_id\":1,\"date\":1,\"chat\":{\"id\":42,\"type\":\"private\"}}}}",
	    d64);
	ok(parse(json, &u, err) == 0 && strcmp(u.callback_data, d64) == 0,
	    "64 bytes of callback data are accepted whole");
	update_release(&u);
	snprintf(json, sizeof(json), "{\"update_id\":22,\"callback_query\":{\"id\":\"q\","
	    "\"from\":{\"id\":42,\"is_bot\":false,\"first_name\":\"I\"},\"data\":\"%sX\","
	    "\"message\":{\"message_id\":1,\"date\":1,\"chat\":{\"id\":42,\"type\":\"private\"}}}}",
	    d64);
	is_int(parse(json, &u, err), -1, "65 bytes of callback data are rejected");
	is_str(err->ptr, "callback data too long", "with a reason");
	is_int(u.update_id, 22, "a rejected update still reports its update_id");
}

static void
test_other_kinds(struct buf *err)
{
	struct tg_update u;

	ok(parse("{\"update_id\":30,\"my_chat_member\":{\"chat\":{\"id\":555,\"type\":\"private\","
	    "\"first_name\":\"P\"},\"from\":{\"id\":555,\"is_bot\":false,\"first_name\":\"P\"},"
	    "\"date\":1,\"old_chat_member\":{\"user\":{\"id\":1,\"is_bot\":true,"
	    "\"first_name\":\"bot\"},\"status\":\"member\"},\"new_chat_member\":{\"user\":{"
	    "\"id\":1,\"is_bot\":true,\"first_name\":\"bot\"},\"status\":\"kicked\","
	    "\"until_date\":0}}}", &u, err) == 0, "my_chat_member parses");
	is_int(u.kind, UPD_MY_CHAT_MEMBER, "kind my_chat_member");
	is_str(u.new_status, "kicked", "new status kicked");
	is_int(u.chat_id, 555, "its chat");
	is_int(u.from.id, 555, "who did it");

	ok(parse("{\"update_id\":31,\"message\":{\"message_id\":2,\"date\":1,"
	    "\"chat\":{\"id\":-4001234,\"type\":\"group\",\"title\":\"Team\"},"
	    "\"migrate_to_chat_id\":-1001234567890123}}", &u, err) == 0,
	    "migrate_to service message without from parses");
	is_int(u.migrate_to_chat_id, -1001234567890123LL, "migrate_to_chat_id");
	is_int(u.chat_id, -4001234, "from the old group");
	ok(u.text == NULL, "no text");
	ok(parse("{\"update_id\":32,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":-1001234567890123,\"type\":\"supergroup\",\"title\":\"Team\"},"
	    "\"from\":{\"id\":1087968824,\"is_bot\":true,\"first_name\":\"Group\","
	    "\"username\":\"GroupAnonymousBot\"},\"migrate_from_chat_id\":-4001234}}", &u,
	    err) == 0 && u.migrate_from_chat_id == -4001234 && u.from.is_bot,
	    "migrate_from service message parses");
}

static void
test_rejections(struct buf *err)
{
	struct tg_update u;

	is_int(parse("{\"update_id\":40,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":1,\"type\":\"private\"},\"text\":\"hi\"}}", &u, err), -1,
	    "a message without from is rejected");
	is_str(err->ptr, "missing from", "reason: missing from");
	is_int(parse("{\"update_id\":41,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":1,\"type\":\"private\"},\"from\":{\"id\":1,\"is_bot\":false,"
	    "\"first_name\":\"a\"},\"text\":\"bad \xC0\xAF here\"}}", &u, err), -1,
	    "text that is not UTF-8 is rejected");
	is_str(err->ptr, "text is not valid UTF-8", "reason: UTF-8");
	is_int(parse("{\"update_id\":42,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":1,\"type\":\"private\"},\"from\":{\"id\":1,\"is_bot\":false,"
	    "\"first_name\":\"\xED\xA0\x80\"},\"text\":\"x\"}}", &u, err), -1,
	    "a name with a surrogate is rejected");
	is_int(parse("[1,2,3]", &u, err), -1, "a JSON array is rejected");
	is_str(err->ptr, "update is not an object", "reason: not an object");
	is_int(parse("{\"update_id\":1,\"message\":", &u, err), -1, "truncated JSON is rejected");
	is_str(err->ptr, "invalid JSON", "reason: invalid JSON");
	is_int(parse("", &u, err), -1, "an empty body is rejected");
	is_int(parse("{\"update_id\":43,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":1,\"type\":\"secret\"},\"from\":{\"id\":1,\"is_bot\":false,"
	    "\"first_name\":\"a\"}}}", &u, err), -1, "an unknown chat type is rejected");
	is_int(parse("{\"update_id\":44,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":9007199254740993,\"type\":\"private\"},\"from\":{\"id\":1,"
	    "\"is_bot\":false,\"first_name\":\"a\"}}}", &u, err), -1,
	    "an id beyond 2^53 is rejected");
	is_int(parse("{\"update_id\":45,\"message\":{\"message_id\":1.5,\"date\":1,"
	    "\"chat\":{\"id\":1,\"type\":\"private\"},\"from\":{\"id\":1,\"is_bot\":false,"
	    "\"first_name\":\"a\"}}}", &u, err), -1, "a fractional id is rejected");
	is_int(parse("{\"update_id\":46,\"message\":{\"message_id\":1,\"date\":1,"
	    "\"chat\":{\"id\":\"1\",\"type\":\"private\"},\"from\":{\"id\":1,\"is_bot\":false,"
	    "\"first_name\":\"a\"}}}", &u, err), -1, "a string id is rejected");
	is_int(parse("{\"update_id\":47,\"callback_query\":{\"id\":\"q\",\"from\":{\"id\":1,"
	    "\"is_bot\":false,\"first_name\":\"a\"},\"data\":\"x\"}}", &u, err), -1,
	    "a callback without a message is rejected");
}

/* A message from user 42 in its private chat, with from's extra members and the text as JSON. */
#define NUL_MSG(from_extra, text) "{\"update_id\":50,\"message\":{\"message_id\":3,\"date\":1," \
	"\"chat\":{\"id\":42,\"type\":\"private\"},\"from\":{\"id\":42,\"is_bot\":false" \
	from_extra "},\"text\":" text "}}"

/* "\u0000" would end cJSON's C string there: the update is refused, never read cut. */
static void
test_nul(struct buf *err)
{
	static const char raw[] = NUL_MSG(",\"first_name\":\"a\"", "\"/whoami\0x\"");
	struct tg_update u;

	is_int(parse(NUL_MSG(",\"first_name\":\"a\"", "\"/whoami\\u0000/grant @x superadmin\""),
	    &u, err), -1, "a text with \\u0000 is refused, not read as /whoami");
	is_str(err->ptr, "a NUL character (\\u0000) in message.text", "reason names message.text");
	is_str(u.nul_field, "message.text", "nul_field names it");
	ok(u.text == NULL, "no text is kept");
	ok(u.kind == UPD_MESSAGE && u.chat_id == 42 && strcmp(u.chat_type, "private") == 0 &&
	    u.from.id == 42 && u.update_id == 50, "kind, chat, sender and update_id are kept");

	is_int(parse(NUL_MSG(",\"first_name\":\"An\\u0000na\"", "\"/whoami\""), &u, err), -1,
	    "a first_name with \\u0000 is refused");
	is_str(u.nul_field, "message.from.first_name", "…naming message.from.first_name");
	ok(u.chat_id == 42, "…the chat is kept");
	is_int(parse(NUL_MSG(",\"first_name\":\"a\",\"username\":\"x\\u0000\"", "\"hi\""), &u,
	    err), -1, "a username with \\u0000 is refused");
	is_str(u.nul_field, "message.from.username", "…naming message.from.username");
	is_int(parse(NUL_MSG(",\"first_name\":\"a\",\"la\\u0000st\":\"b\"", "\"hi\""), &u, err),
	    -1, "a member name with \\u0000 is refused");
	is_str(u.nul_field, "message.from.la\\u0000st", "…named as written");
	is_int(parse(NUL_MSG(",\"first_name\":\"a\"", "\"hi\",\"entities\":[{\"type\":\"b\"},"
	    "{\"type\":\"x\\u0000\"}]"), &u, err), -1, "a NUL in a member nobody reads still refuses");
	is_str(u.nul_field, "message.entities[1].type", "…naming message.entities[1].type");
	is_int(update_parse(raw, sizeof(raw) - 1, &u, err), -1, "a raw NUL byte in the text too");
	is_str(u.nul_field, "message.text", "…naming message.text");

	is_int(parse("{\"update_id\":51,\"callback_query\":{\"id\":\"q51\",\"from\":{\"id\":42,"
	    "\"is_bot\":false,\"first_name\":\"a\"},\"data\":\"act:1:7\\u0000evil\","
	    "\"message\":{\"message_id\":9,\"date\":1,\"chat\":{\"id\":42,\"type\":\"private\"}}}}",
	    &u, err), -1, "callback data with \\u0000 is refused, not cut to act:1:7");
	is_str(u.nul_field, "callback_query.data", "…naming callback_query.data");
	is_str(u.callback_id, "q51", "…its id kept to answer the press");
	ok(u.callback_data[0] == '\0', "…and no data kept");

	ok(parse(NUL_MSG(",\"first_name\":\"a\"", "\"C:\\\\u0000 is a path\""), &u, err) == 0 &&
	    u.text != NULL && strcmp(u.text, "C:\\u0000 is a path") == 0 && u.nul_field[0] == '\0',
	    "an escaped backslash before u0000 is text, not a NUL");
	update_release(&u);
}

/* A private message whose update_id, message_id and chat.id are written as given. */
#define ID_MSG(update_id, message_id, chat_id) "{\"update_id\":" update_id ",\"message\":{" \
	"\"message_id\":" message_id ",\"date\":1,\"chat\":{\"id\":" chat_id ",\"type\":" \
	"\"private\"},\"from\":{\"id\":1,\"is_bot\":false,\"first_name\":\"a\"}}}"

/* Ids are integers as written: 1e3 and 1000.0 are refused although integral. */
static void
test_integer_text(struct buf *err)
{
	static const struct {
		const char	*json, *name, *why;
	} bad[] = {
		{ ID_MSG("60", "1e3", "1"), "message_id 1e3 is refused", "bad message_id" },
		{ ID_MSG("61", "1", "42.0"), "chat.id 42.0 is refused", "bad chat.id" },
		{ ID_MSG("6.2e1", "1", "1"), "update_id 6.2e1 is refused", "bad update_id" },
		{ ID_MSG("64", "1", "-1E2"), "chat.id -1E2 is refused", "bad chat.id" },
	};
	struct tg_update u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(bad[i].json, &u, err), -1, bad[i].name);
		is_str(err->ptr, bad[i].why, "…with its reason");
	}
	ok(parse(ID_MSG("63", "1", "-1001234567890"), &u, err) == 0 &&
	    u.chat_id == -1001234567890LL, "a negative integer id is still an integer");
	update_release(&u);
}

static void
test_long_text(struct buf *err)
{
	struct buf text;
	struct tg_update u;
	char *json;
	int i;

	buf_init(&text, 0);
	for (i = 0; i < TG_TEXT_MAX; i++)
		buf_adds(&text, "\xF0\x9F\x98\x80");	/* 4096 four-byte characters: the maximum */
	json = update_json_message(1, 1, "u", "U", 1, "private", 1, text.ptr);
	ok(parse(json, &u, err) == 0 && u.text != NULL && strlen(u.text) == text.len,
	    "4096 four-byte characters are accepted");
	update_release(&u);
	free(json);
	buf_addc(&text, 'x');
	json = update_json_message(1, 1, "u", "U", 1, "private", 1, text.ptr);
	is_int(parse(json, &u, err), -1, "one byte more is rejected");
	free(json);
	buf_release(&text);
}

static void
test_round_trip(struct buf *err)
{
	struct tg_update u;
	char *json;

	clock_set(1700000000);
	json = update_json_message(7, 1099511627776LL, "boss", "Босс", -1001234567890LL,
	    "supergroup", 31, "/partner show \"Acme & Co\"");
	ok(json != NULL, "update_json_message builds JSON");
	ok(parse(json, &u, err) == 0, "and update_parse accepts it");
	ok(u.kind == UPD_MESSAGE && u.update_id == 7 && u.message_id == 31,
	    "round trip: kind, update_id, message_id");
	ok(u.from.id == 1099511627776LL && u.chat_id == -1001234567890LL,
	    "round trip: big ids survive");
	ok(strcmp(u.from.username, "boss") == 0 && strcmp(u.from.first_name, "Босс") == 0 &&
	    !u.from.is_bot, "round trip: user");
	ok(strcmp(u.chat_type, "supergroup") == 0 && u.chat_title[0] != '\0',
	    "round trip: a group gets a title");
	is_str(u.text, "/partner show \"Acme & Co\"", "round trip: text");
	ok(strstr(json, "\"date\":1700000000") != NULL, "the date comes from clock_now");
	update_release(&u);
	free(json);

	json = update_json_callback(8, 42, "ivan", "Ivan", 42, "private", 900, "cbq-1",
	    "inv:pay:17");
	ok(json != NULL && parse(json, &u, err) == 0, "update_json_callback round trip parses");
	ok(u.kind == UPD_CALLBACK && u.update_id == 8 && u.from.id == 42 && u.chat_id == 42 &&
	    u.message_id == 900, "callback round trip: ids");
	is_str(u.callback_id, "cbq-1", "callback round trip: id");
	is_str(u.callback_data, "inv:pay:17", "callback round trip: data");
	update_release(&u);
	free(json);
	clock_set(0);
}

int
main(void)
{
	struct buf err;

	buf_init(&err, 256);
	test_message(&err);
	test_callback(&err);
	test_other_kinds(&err);
	test_rejections(&err);
	test_nul(&err);
	test_integer_text(&err);
	test_long_text(&err);
	test_round_trip(&err);
	buf_release(&err);
	return done_testing();
}
