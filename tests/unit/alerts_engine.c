/*
 * alerts_engine.c — the alert engine against a fresh database: one post per episode, edits by
 * reference as it changes, nothing when it does not, resolution, a new episode after it,
 * routing by [alerts], a chat that is not configured; and the sender's side of an edit by
 * reference (held until its message is sent, then sent with its message_id).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "handlers/handlers.h"
#include "tests/tap.h"
#include "tests/testdb.h"

#define CHAT_TEAM (-100123)
#define CHAT_BILLING (-100456)
#define FAR_FUTURE_MS (INT64_C(1) << 60)

/* Every pending outbox row, in order; returns how many (release with rows_release). */
static int
rows_pending(struct db *db, struct outbox_row *rows, int max)
{
	return outbox_due(db, FAR_FUTURE_MS, rows, max);
}

static void
rows_release(struct outbox_row *rows, int n)
{
	while (n > 0)
		outbox_row_release(&rows[--n]);
}

static int64_t
pending_count(struct db *db)
{
	return outbox_pending_count(db);
}

/* Marks every pending row sent, as the sender would (message ids from 1000 up). */
static void
send_all(struct db *db)
{
	static int64_t next_mid = 1000;
	struct outbox_row rows[32];
	int n, i;

	n = rows_pending(db, rows, 32);
	for (i = 0; i < n; i++)
		outbox_mark_sent(db, rows[i].id, next_mid++, clock_now_ms());
	rows_release(rows, n);
}

static int
has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static void
test_engine(struct app *a, struct db *db)
{
	struct outbox_row rows[16], post;
	struct alert al, al2;
	char data[64];
	int n;

	/* a first raise: one episode, one post with the buttons */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_WARN,
	    "Партнёр <b>Ромашка</b> не заходил 15 дней"), 1, "a first raise posts");
	ok(alert_open_get(db, "dormant:12", &al) == 1, "the episode is open");
	is_int(al.state, ALERT_OPEN, "state open");
	is_int(al.level, ALERT_WARN, "level kept");
	is_int(al.chat_id, CHAT_TEAM, "posted to the team chat");
	ok(al.outbox_id > 0, "the post's outbox row is remembered");
	n = rows_pending(db, rows, 16);
	is_int(n, 1, "one row in the outbox");
	if (n >= 1) {
		is_str(rows[0].method, "sendMessage", "it is a sendMessage");
		is_int(rows[0].id, al.outbox_id, "the remembered row");
		is_int(rows[0].chat_id, CHAT_TEAM, "to the team chat");
		is_int(rows[0].is_group, 1, "a group");
		ok(has(rows[0].payload, "⚠️ Партнёр <b>Ромашка</b>"), "the level icon and the text");
		snprintf(data, sizeof(data), "\"alc:%lld\"", (long long)al.id);
		ok(has(rows[0].payload, data), "a card button (the alert is about a partner)");
		snprintf(data, sizeof(data), "\"ala:%lld\"", (long long)al.id);
		ok(has(rows[0].payload, data), "an acknowledge button");
		snprintf(data, sizeof(data), "\"als:%lld:1\"", (long long)al.id);
		ok(has(rows[0].payload, data), "a snooze-for-a-day button");
		snprintf(data, sizeof(data), "\"als:%lld:7\"", (long long)al.id);
		ok(has(rows[0].payload, data), "a snooze-for-a-week button");
		snprintf(data, sizeof(data), "\"alm:%lld\"", (long long)al.id);
		ok(has(rows[0].payload, data), "an assign-to-me button");
		ok(has(rows[0].payload, "Отложить 7 д") && has(rows[0].payload, "Беру"),
		    "Russian labels");
	}
	rows_release(rows, n);

	/* the same again: nothing */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_WARN,
	    "Партнёр <b>Ромашка</b> не заходил 15 дней"), 0, "an unchanged raise does nothing");
	is_int(pending_count(db), 1, "no new outbox row");

	/* a new text: one edit by reference to the first post (still unsent) */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_WARN,
	    "Партнёр <b>Ромашка</b> не заходил 16 дней"), 1, "a changed text edits");
	n = rows_pending(db, rows, 16);
	is_int(n, 2, "one more row");
	if (n == 2) {
		is_str(rows[1].method, "editMessageText", "an editMessageText");
		is_int(rows[1].ref_id, al.outbox_id, "referencing the first post");
		is_int(rows[1].chat_id, CHAT_TEAM, "its chat copied from the post");
		ok(has(rows[1].payload, "16 дней") && !has(rows[1].payload, "message_id"),
		    "the new text; the message id is left to the sender");
		ok(has(rows[1].payload, "\"ala:"), "the buttons stay");
	}
	rows_release(rows, n);
	ok(alert_open_get(db, "dormant:12", &al2) == 1 && al2.id == al.id &&
	    has(al2.text, "16 дней"), "the same episode, its text saved");

	/* a worse level alone also edits */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_CRIT,
	    "Партнёр <b>Ромашка</b> не заходил 16 дней"), 1, "a changed level edits");
	n = rows_pending(db, rows, 16);
	ok(n == 3 && has(rows[2].payload, "🔴") && rows[2].ref_id == al.outbox_id,
	    "an edit with the critical icon");
	rows_release(rows, n);

	/* acknowledged and assigned (as the buttons record it): the next edit shows who */
	ok(team_upsert(db, 501, "anna", "Анна", clock_now()) == 0 &&
	    team_upsert(db, 502, "igor", "Игорь", clock_now()) == 0, "two members");
	ok(alert_open_get(db, "dormant:12", &al2) == 1, "reload");
	al2.acked_by = 501;
	al2.acked_at = clock_now();
	al2.assigned_to = 502;
	al2.snoozed_until = clock_now() + 86400;
	al2.snoozed_by = 501;
	ok(alert_save(db, &al2) == 0, "saved");
	/* snoozed: a change at the same or a lower level is recorded, not shown */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_WARN,
	    "Партнёр <b>Ромашка</b> не заходил 17 дней"), 0,
	    "a snoozed episode is not edited for a lower level");
	is_int(pending_count(db), 3, "nothing queued while snoozed");
	ok(alert_open_get(db, "dormant:12", &al2) == 1 && has(al2.text, "17 дней") &&
	    al2.level == ALERT_WARN && al2.dirty == 1, "the new text and level are kept, marked "
	    "to show later");
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_WARN,
	    "Партнёр <b>Ромашка</b> не заходил 18 дней"), 0,
	    "nor for a text change at the same level");
	is_int(pending_count(db), 3, "still nothing queued");

	/* a higher level breaks through: the edit, and one short new message */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_CRIT,
	    "Партнёр <b>Ромашка</b> не заходил 18 дней\nподробности"), 1,
	    "a higher level edits a snoozed episode");
	n = rows_pending(db, rows, 16);
	ok(n == 5 && rows[3].ref_id == al.outbox_id && strcmp(rows[3].method,
	    "editMessageText") == 0, "an edit, never a new post of the alert");
	if (n == 5) {
		ok(has(rows[3].payload, "<i>Принято: Анна · отложено до 27.11 10:00 · "
		    "ответственный: Игорь</i>"), "the footer names who acknowledged, the snooze "
		    "and the assignee");
		ok(has(rows[3].payload, "🔴") && has(rows[3].payload, "18 дней"),
		    "the edit shows the new level and text");
		is_str(rows[4].method, "sendMessage", "and one short new message");
		is_int(rows[4].chat_id, CHAT_TEAM, "in the alert's chat");
		is_int(rows[4].ref_id, 0, "not an edit");
		ok(has(rows[4].payload, "⬆️ Тревога усилилась: Партнёр Ромашка не заходил 18 дней") &&
		    !has(rows[4].payload, "подробности") && !has(rows[4].payload, "<b>"),
		    "it names the first line of the alert, without tags");
		ok(!has(rows[4].payload, "\"ala:"), "without buttons");
	}
	rows_release(rows, n);
	ok(alert_open_get(db, "dormant:12", &al2) == 1 && al2.dirty == 0 &&
	    al2.snoozed_until == clock_now() + 86400, "shown: not dirty, still snoozed");

	/* quiet again at the new level; the snooze job leaves it alone until the snooze ends */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_CRIT,
	    "Партнёр <b>Ромашка</b> не заходил 19 дней"), 0, "quiet again at the same level");
	is_int(alert_snooze_job(a, db), 0, "the snooze job runs");
	is_int(pending_count(db), 5, "the snooze has not ended: nothing queued");
	clock_set(1795687200 + 86400 + 60);
	is_int(alert_snooze_job(a, db), 0, "the snooze job runs after the snooze");
	n = rows_pending(db, rows, 16);
	ok(n == 6 && rows[5].ref_id == al.outbox_id && strcmp(rows[5].method,
	    "editMessageText") == 0, "the snooze's end edits the alert once");
	if (n == 6) {
		ok(has(rows[5].payload, "19 дней"), "to the text held while snoozed");
		ok(has(rows[5].payload, "<i>Принято: Анна · ответственный: Игорь</i>") &&
		    !has(rows[5].payload, "тложено"), "the footer no longer names the snooze");
		ok(has(rows[5].payload, "\"ala:"), "the buttons stay");
	}
	rows_release(rows, n);
	ok(alert_open_get(db, "dormant:12", &al2) == 1 && al2.dirty == 0 &&
	    al2.snoozed_until == 0, "the ended snooze is cleared");
	is_int(alert_snooze_job(a, db), 0, "the job again");
	is_int(pending_count(db), 6, "shows nothing twice");

	/* acknowledged, not snoozed: changes are edited (silently), never posted again */
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_CRIT,
	    "Партнёр <b>Ромашка</b> не заходил 20 дней"), 1, "an acknowledged episode is edited");
	n = rows_pending(db, rows, 16);
	ok(n == 7 && rows[6].ref_id == al.outbox_id && has(rows[6].payload, "20 дней"),
	    "by an edit of the post");
	rows_release(rows, n);
	clock_set(1795687200);

	/* snoozed again, then resolved: a resolution is always shown */
	ok(alert_open_get(db, "dormant:12", &al2) == 1, "reload");
	al2.snoozed_until = clock_now() + 7 * 86400;
	ok(alert_save(db, &al2) == 0, "snoozed for a week");

	/* resolved: an edit without buttons */
	is_int(alert_resolve(a, db, "dormant:12", "Ромашка снова заходит"), 1, "resolve");
	ok(alert_get(db, al.id, &al2) == 1 && al2.state == ALERT_RESOLVED &&
	    al2.resolved_at == clock_now(), "state resolved, with the time");
	is_int(alert_open_get(db, "dormant:12", &al2), 0, "no open episode for the key");
	n = rows_pending(db, rows, 16);
	ok(n == 8 && rows[7].ref_id == al.outbox_id, "one more edit of the first post, snoozed "
	    "or not");
	if (n == 8) {
		ok(has(rows[7].payload, "✅ Решено: Ромашка снова заходит"), "it says resolved");
		ok(has(rows[7].payload, "\"inline_keyboard\":[]"), "and removes the buttons");
		ok(!has(rows[7].payload, "отложено"), "a resolved episode shows no snooze");
	}
	rows_release(rows, n);
	is_int(alert_resolve(a, db, "dormant:12", NULL), 0, "resolving again: nothing open");
	is_int(pending_count(db), 8, "and nothing queued");

	/* a new episode of the same key after the resolution */
	send_all(db);
	is_int(alert_raise(a, db, "dormant", "dormant:12", 12, ALERT_WARN, "Опять тишина"), 1,
	    "raise after resolve");
	ok(alert_open_get(db, "dormant:12", &al2) == 1 && al2.id != al.id, "a new episode");
	ok(al2.outbox_id != al.outbox_id && outbox_get(db, al2.outbox_id, &post) == 1 &&
	    strcmp(post.method, "sendMessage") == 0 && post.state == OUTBOX_PENDING,
	    "and a new post");
	outbox_row_release(&post);

	/* an alert without a partner has no card button */
	is_int(alert_raise(a, db, "backlog", "backlog", 0, ALERT_INFO, "Очередь: 600"), 1,
	    "a system alert");
	ok(alert_open_get(db, "backlog", &al2) == 1 && outbox_get(db, al2.outbox_id, &post) == 1,
	    "posted");
	ok(has(post.payload, "ℹ️ Очередь: 600") && !has(post.payload, "\"alc:"),
	    "the info icon, and no card button without a partner");
	outbox_row_release(&post);

	/* bad input is refused */
	is_int(alert_raise(a, db, "", "k", 0, 0, "x"), -1, "an empty kind is refused");
	is_int(alert_raise(a, db, "dormant", "k", 0, 7, "x"), -1, "a bad level is refused");
	{
		char *big = malloc(3000);

		memset(big, 'a', 2999);
		big[2999] = '\0';
		is_int(alert_raise(a, db, "dormant", "k", 0, 0, big), -1,
		    "a text that does not fit is refused, not cut");
		free(big);
	}
}

static void
test_routing(struct app *a, struct db *db)
{
	struct alert al;
	int64_t before;

	/* kind crm with [alerts] crm = billing goes to the billing chat */
	free(a->cfg.alert_crm);
	a->cfg.alert_crm = strdup("billing");
	a->cfg.chat_billing = CHAT_BILLING;
	is_int(alert_raise(a, db, "crm", "crm", 0, ALERT_CRIT, "CRM не отвечает"), 1, "crm raised");
	ok(alert_open_get(db, "crm", &al) == 1 && al.chat_id == CHAT_BILLING,
	    "crm goes to the billing chat");
	{
		struct outbox_row post;

		ok(outbox_get(db, al.outbox_id, &post) == 1 && post.chat_id == CHAT_BILLING,
		    "the post is addressed there");
		outbox_row_release(&post);
	}

	/* a kind with no key of its own goes to the team chat */
	ok(alert_raise(a, db, "sla", "sla:1", 0, ALERT_WARN, "SLA") == 1 &&
	    alert_open_get(db, "sla:1", &al) == 1 && al.chat_id == CHAT_TEAM,
	    "an unknown kind goes to the team chat");

	/* a chat that is not configured: stored, nothing posted */
	free(a->cfg.alert_drop);
	a->cfg.alert_drop = strdup("support");
	a->cfg.chat_support = 0;
	before = pending_count(db);
	is_int(alert_raise(a, db, "drop", "drop:5", 5, ALERT_WARN, "Активность −60 %"), 1,
	    "raise into a chat that is not configured");
	ok(alert_open_get(db, "drop:5", &al) == 1 && al.outbox_id == 0 && al.chat_id == 0,
	    "the episode is stored, not posted");
	is_int(pending_count(db), before, "nothing queued");
	is_int(alert_raise(a, db, "drop", "drop:5", 5, ALERT_WARN, "Активность −70 %"), 1,
	    "a change of it is saved");
	is_int(pending_count(db), before, "still nothing queued");
	is_int(alert_resolve(a, db, "drop:5", NULL), 1, "and it resolves");
	is_int(pending_count(db), before, "without a message");

	/* the chat configured later: the next change posts it */
	a->cfg.chat_support = -100789;
	is_int(alert_raise(a, db, "drop", "drop:6", 6, ALERT_WARN, "Активность −60 %"), 1, "raise");
	ok(alert_open_get(db, "drop:6", &al) == 1 && al.chat_id == -100789 && al.outbox_id > 0,
	    "posted once the chat is configured");

	/* a migrated group: the post goes to the supergroup */
	ok(app_chat_migrate(db, CHAT_BILLING, -1001234567890) == 0, "billing became a supergroup");
	ok(alert_raise(a, db, "crm", "crm:2", 0, ALERT_CRIT, "CRM снова") == 1 &&
	    alert_open_get(db, "crm:2", &al) == 1 && al.chat_id == -1001234567890,
	    "new posts follow the migration");
}

static void
test_lists(struct app *a, struct db *db)
{
	struct alert rows[8];
	int n;

	(void)a;
	n = alert_list_open(db, "", NULL, rows, 8);
	ok(n >= 4, "open episodes are listed");
	ok(n >= 2 && rows[0].id > rows[1].id, "newest first");
	n = alert_list_open(db, "crm", NULL, rows, 8);
	ok(n == 2 && strcmp(rows[0].key, "crm:2") == 0 && strcmp(rows[1].key, "crm") == 0,
	    "filtered by kind");
	n = alert_list_open(db, "", ",drop,", rows, 8);
	ok(n == 1 && strcmp(rows[0].key, "drop:6") == 0, "only the kinds the reader may see");
	n = alert_list_open(db, "crm", ",drop,", rows, 8);
	is_int(n, 0, "a kind named but not among them: none");
	n = alert_list_open(db, "", ",cr,", rows, 8);
	is_int(n, 0, "kinds match whole, not as a part of a name");
	n = alert_open_of_kind(db, "drop", 0, rows, 8);
	ok(n == 1 && strcmp(rows[0].key, "drop:6") == 0, "open of a kind (the resolved one is not)");
	ok(db_exec_fixed(db, "INSERT INTO alerts(kind, key, text, opened_at, updated_at)"
	    " VALUES ('drop', 'drop:6', 'x', 1, 1)") == -1, "a second open episode of a key is "
	    "refused by the index");
}

/* What goes over the wire for a stored payload: exact text, valid JSON. */
static void
payload_is(struct db *db, int64_t chat, const char *stored, const char *want, const char *name)
{
	struct outbox_row r;
	char why[128], *json = NULL;
	cJSON *j;

	memset(&r, 0, sizeof(r));
	r.chat_id = chat;
	snprintf(r.method, sizeof(r.method), "sendMessage");
	r.payload = (char *)stored;
	if (want == NULL) {
		is_int(sender_prepare(db, &r, &json, why, sizeof(why)), SENDER_FAIL, name);
		return;
	}
	ok(sender_prepare(db, &r, &json, why, sizeof(why)) == SENDER_GO && json != NULL &&
	    strcmp(json, want) == 0, name);
	if (json == NULL || strcmp(json, want) != 0)
		printf("# got %s\n", json ? json : "(null)");
	ok((j = cJSON_Parse(json ? json : "")) != NULL && cJSON_IsObject(j), "and it is JSON");
	cJSON_Delete(j);
	free(json);
}

static void
test_sender_payloads(struct db *db)
{
	payload_is(db, 77, "{}", "{\"chat_id\":77}", "an empty payload gets only its chat");
	payload_is(db, 0, "{\"callback_query_id\":\"q\"}", "{\"callback_query_id\":\"q\"}",
	    "a call to no chat goes as stored");
	payload_is(db, 0, "{}", "{}", "an empty call to no chat");
	payload_is(db, -5, "{\"text\":\"say \\\"chat_id\\\"\"}",
	    "{\"chat_id\":-5,\"text\":\"say \\\"chat_id\\\"\"}",
	    "the words chat_id inside a text are only text");
	payload_is(db, -5, "{\"chat_id\":1,\"text\":\"t\"}", "{\"text\":\"t\",\"chat_id\":-5}",
	    "a stored chat_id is replaced, never sent twice");
	payload_is(db, -5, "[1]", NULL, "a payload that is no object is dropped");
	payload_is(db, -5, "{\"text\":", NULL, "a cut-off payload is dropped");
}

static void
test_sender(struct app *a, struct db *db)
{
	struct outbox_row rows[32], edit;
	struct alert al;
	int64_t post_id, edit_id = 0, other;
	char why[128], *json = NULL;
	int n, i;

	send_all(db);
	is_int(alert_raise(a, db, "telegram", "tg", 0, ALERT_WARN, "429: ждём 300 с"), 1, "raise");
	ok(alert_open_get(db, "tg", &al) == 1, "open");
	post_id = al.outbox_id;
	is_int(alert_raise(a, db, "telegram", "tg", 0, ALERT_WARN, "429: ждём 600 с"), 1, "edit");
	n = rows_pending(db, rows, 32);
	for (i = 0; i < n; i++)
		if (rows[i].ref_id == post_id)
			edit_id = rows[i].id;
	rows_release(rows, n);
	ok(edit_id > 0, "the edit row is queued");
	ok(outbox_get(db, edit_id, &edit) == 1, "read it");

	is_int(sender_prepare(db, &edit, &json, why, sizeof(why)), SENDER_HOLD,
	    "held while the post is pending");
	ok(json == NULL, "nothing to send");
	ok(outbox_mark_sending(db, post_id, clock_now_ms()) == 0, "the post is being sent");
	is_int(sender_prepare(db, &edit, &json, why, sizeof(why)), SENDER_HOLD,
	    "held while the post is being sent");
	ok(outbox_mark_sent(db, post_id, 4242, clock_now_ms()) == 0, "the post is sent");
	is_int(sender_prepare(db, &edit, &json, why, sizeof(why)), SENDER_GO,
	    "sent once the post is");
	ok(has(json, "\"message_id\":4242"), "with the post's message id");
	ok(has(json, "\"chat_id\":-100123"), "to its chat");
	ok(has(json, "600 с"), "the new text");
	free(json);
	json = NULL;
	outbox_row_release(&edit);

	/* the chat migrated while the edit waited: it goes to the new chat */
	ok(app_chat_migrate(db, CHAT_TEAM, -1009999999999) == 0, "the team group migrated");
	ok(outbox_get(db, edit_id, &edit) == 1 && edit.chat_id == -1009999999999,
	    "the pending edit follows");
	ok(sender_prepare(db, &edit, &json, why, sizeof(why)) == SENDER_GO &&
	    has(json, "\"chat_id\":-1009999999999"), "and is sent there");
	free(json);
	json = NULL;
	outbox_row_release(&edit);

	/* a post that failed takes its edits with it */
	ok(outbox_add(db, -100123, 1, "sendMessage", "{\"text\":\"x\"}", NULL, 0, clock_now_ms(),
	    &other) == 1, "another post");
	ok(outbox_add_edit(db, other, "{\"text\":\"y\"}", NULL, clock_now_ms(), &edit_id) == 1,
	    "an edit of it");
	ok(outbox_mark_final(db, other, OUTBOX_BLOCKED, "kicked", clock_now_ms()) == 0,
	    "the post is blocked");
	ok(outbox_get(db, edit_id, &edit) == 1, "read the edit");
	is_int(sender_prepare(db, &edit, &json, why, sizeof(why)), SENDER_FAIL,
	    "the edit fails too");
	ok(json == NULL && has(why, "never sent"), "with a reason");
	outbox_row_release(&edit);

	/* a row that is no edit goes as it is, with its chat */
	ok(outbox_get(db, other, &edit) == 1, "read a plain row");
	ok(sender_prepare(db, &edit, &json, why, sizeof(why)) == SENDER_GO &&
	    has(json, "\"chat_id\":-100123") && !has(json, "message_id"), "a plain row goes as is");
	is_str(json, "{\"chat_id\":-100123,\"text\":\"x\"}", "the chat written in front, the "
	    "stored text as it is");
	free(json);
	outbox_row_release(&edit);
	test_sender_payloads(db);

	is_int(outbox_add_edit(db, 987654, "{}", NULL, clock_now_ms(), NULL), -1,
	    "an edit of an unknown row is refused");
}

static void
test_prune(struct db *db)
{
	struct alert al;
	struct outbox_row r;
	int64_t plain;

	ok(alert_open_get(db, "tg", &al) == 1, "an open alert whose post was sent");
	ok(outbox_add(db, 5, 0, "sendMessage", "{\"text\":\"z\"}", NULL, 0, 1, &plain) == 1 &&
	    outbox_mark_sent(db, plain, 9, 1) == 0, "an old sent row");
	ok(db_exec_fixed(db, "UPDATE outbox SET finished_at = 1 WHERE state IN (2, 3, 4)") == 0,
	    "every finished row is old");
	ok(outbox_prune(db, 1000) > 0, "prune removes old rows");
	is_int(outbox_get(db, plain, &r), 0, "the old plain row is gone");
	outbox_row_release(&r);
	ok(outbox_get(db, al.outbox_id, &r) == 1, "the open alert's post stays");
	outbox_row_release(&r);
}

int
main(void)
{
	struct app a;
	struct db *db;
	char err[256];

	setenv("TZ", "UTC", 1);
	tzset();
	log_init(-1);
	if (testdb_setup("alerts", "alerts.db") == -1)
		return 1;
	db = db_open(testdb_path, err, sizeof(err));
	if (!ok(db != NULL, "a fresh database")) {
		diag(err);
		return 1;
	}
	clock_set(1795687200);	/* 2026-11-26 10:00 UTC: a snooze of a day ends 27.11 10:00 */
	app_init(&a);
	a.cfg.chat_team = CHAT_TEAM;

	test_engine(&a, db);
	test_routing(&a, db);
	test_lists(&a, db);
	test_sender(&a, db);
	test_prune(db);

	app_destroy(&a);
	db_close(db);
	testdb_cleanup();
	return done_testing();
}
