/*
 * sender.c — drains the outbox under the rate limits (per chat, per group, overall), keeping each
 * chat's messages in order. Every error body decides what happens to the row:
 *   ok, "not modified"      → sent
 *   429                     → the row and the whole sender wait retry_after (capped, reported)
 *   5xx, network, timeout   → retried with jittered backoff
 *   403                     → recorded as blocked, never retried
 *   migrate_to_chat_id      → the chat id is rewritten and the row retried at once
 *   other 4xx               → recorded as failed
 * A row is marked "sending" before the call; if we crash during the call it is sent again after
 * restart (at least once: the Bot API has no idempotency key).
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define SENDER_BATCH 64
#define SENDER_CALL_TIMEOUT 30

/* The payload with chat_id added (caller frees), or NULL. */
static char *
sender_payload(const struct outbox_row *r)
{
	cJSON *o = cJSON_Parse(r->payload);
	char *s;

	if (o == NULL || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	if (r->chat_id != 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "chat_id");
		cJSON_AddNumberToObject(o, "chat_id", (double)r->chat_id);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* message_id of a sent Message result, 0 when the result is not a Message. */
static int64_t
sender_message_id(const char *result)
{
	cJSON *o, *id;
	int64_t v = 0;

	if (result == NULL || (o = cJSON_Parse(result)) == NULL)
		return 0;
	id = cJSON_GetObjectItemCaseSensitive(o, "message_id");
	if (cJSON_IsNumber(id) && id->valuedouble > 0 && id->valuedouble < 9007199254740991.0)
		v = (int64_t)id->valuedouble;
	cJSON_Delete(o);
	return v;
}

/* Tells the team chat once an hour at most that Telegram is throttling us. */
static void
sender_report_long_wait(struct app *a, struct db *db, int64_t asked, int64_t waited)
{
	char key[64], text[512];

	log_warn("telegram asked to wait %llds (429); waiting %llds", (long long)asked,
	    (long long)waited);
	if (a->cfg.chat_team == 0)
		return;
	snprintf(key, sizeof(key), "tg429:%lld", (long long)(clock_now() / 3600));
	snprintf(text, sizeof(text), "%s %lld %s %lld %s",
	    a->cfg.language == LANG_EN ? "⚠️ Telegram throttles the bot: asked to wait" :
	    "⚠️ Telegram ограничивает бота: просит подождать", (long long)asked,
	    a->cfg.language == LANG_EN ? "s; waiting" : "с; ждём", (long long)waited,
	    a->cfg.language == LANG_EN ? "s. Messages are queued, none are lost." :
	    "с. Сообщения в очереди и не потеряются.");
	if (db_begin(db) == 0) {
		if (notify_chat(db, a->cfg.chat_team, 1, text, NULL, key) == 0)
			db_commit(db);
		else
			db_rollback(db);
	}
}

/*
 * Sends one row and records the outcome. Returns the milliseconds the whole sender must pause
 * (a 429), or 0. *again is set when the row went back to pending (its chat must wait for it).
 */
static int64_t
sender_send(struct app *a, struct db *db, struct tg_client *tg, struct outbox_row *r, int *again)
{
	struct tg_result res;
	int64_t pause = 0, wait, now;
	char *json;

	*again = 0;

	json = sender_payload(r);
	if (json == NULL) {
		log_error("outbox %lld: payload is not a JSON object; dropped", (long long)r->id);
		outbox_mark_final(db, r->id, OUTBOX_FAILED, "bad payload", clock_now_ms());
		return 0;
	}
	outbox_mark_sending(db, r->id, clock_now_ms());
	tg_call(tg, r->method, json, SENDER_CALL_TIMEOUT, &res);
	cJSON_free(json);
	now = clock_now_ms();
	if (res.latency_ms >= 0 && res.http_status != 0)
		latency_record(&a->tg_latency, res.latency_ms * 1000);
	switch (res.cls) {
	case TG_OK:
	case TG_NOT_MODIFIED:
		outbox_mark_sent(db, r->id, sender_message_id(res.result), now);
		app_stat_add(a, &a->stats.messages_out, 1);
		break;
	case TG_RETRY_AFTER:
		wait = res.retry_after;
		if (wait > a->cfg.retry_after_cap) {
			sender_report_long_wait(a, db, wait, a->cfg.retry_after_cap);
			wait = a->cfg.retry_after_cap;
		} else
			log_info("%s to chat %lld: 429, retry after %llds", r->method,
			    (long long)r->chat_id, (long long)wait);
		pause = wait * 1000;
		outbox_retry_at(db, r->id, now + pause, res.description);
		*again = 1;
		break;
	case TG_MIGRATED:
		if (db_begin(db) == 0) {
			if (app_chat_migrate(db, r->chat_id, res.migrate_to) == 0 &&
			    outbox_retry_at(db, r->id, now, "chat migrated") == 0)
				db_commit(db);
			else
				db_rollback(db);
		}
		*again = 1;
		break;
	case TG_BLOCKED:
		log_warn("%s to chat %lld: %s; not retried", r->method, (long long)r->chat_id,
		    res.description);
		outbox_mark_final(db, r->id, OUTBOX_BLOCKED, res.description, now);
		break;
	case TG_TRANSIENT:
		app_stat_add(a, &a->stats.tg_errors, 1);
		if (a->stop) {
			/* aborted by shutdown: it goes again after restart */
			outbox_retry_at(db, r->id, now, "interrupted by shutdown");
			*again = 1;
			break;
		}
		wait = app_backoff_ms(r->attempts);
		if (!res.connect_failed && res.http_status == 0)
			log_warn("%s to chat %lld: %s; the outcome is unknown, retrying in %lld ms "
			    "(a duplicate is possible)", r->method, (long long)r->chat_id,
			    res.description, (long long)wait);
		else
			log_warn("%s to chat %lld: %s; retrying in %lld ms", r->method,
			    (long long)r->chat_id, res.description, (long long)wait);
		outbox_retry_at(db, r->id, now + wait, res.description);
		*again = 1;
		break;
	default:
		app_stat_add(a, &a->stats.tg_errors, 1);
		log_error("%s to chat %lld failed: %s (%s)", r->method, (long long)r->chat_id,
		    res.description, tg_class_name(res.cls));
		outbox_mark_final(db, r->id, OUTBOX_FAILED, res.description, now);
		break;
	}
	tg_result_release(&res);
	return pause;
}

/* Is chat already in the list of chats held back in this round? */
static int
sender_held(const int64_t *held, int n, int64_t chat)
{
	int i;

	for (i = 0; i < n; i++)
		if (held[i] == chat)
			return 1;
	return 0;
}

/*
 * One round over the due rows. Returns the milliseconds until the next round should run.
 * The rate limiter is skipped for calls that are not messages to a chat (chat_id 0).
 */
int64_t
sender_round(struct app *a, struct db *db, struct tg_client *tg, struct ratelimit *rl)
{
	struct outbox_row rows[SENDER_BATCH];
	int64_t held[SENDER_BATCH], next = 1000, wait, at;
	int n, i, nheld = 0, again;

	n = outbox_due(db, clock_now_ms(), rows, SENDER_BATCH);
	if (n <= 0) {
		if (n == 0 && outbox_next_at(db, &at) == 1)
			next = at - clock_now_ms();
		return next < 1 ? 1 : next > 1000 ? 1000 : next;
	}
	for (i = 0; i < n; i++) {
		struct outbox_row *r = &rows[i];

		if (a->stop || sender_held(held, nheld, r->chat_id))
			continue;
		if (r->chat_id != 0) {
			wait = ratelimit_take(rl, r->chat_id, r->is_group, clock_mono_ms());
			if (wait > 0) {
				/* later rows of this chat wait too, so order is kept */
				held[nheld++] = r->chat_id;
				if (wait < next)
					next = wait;
				continue;
			}
		}
		wait = sender_send(a, db, tg, r, &again);
		if (again && r->chat_id != 0 && !sender_held(held, nheld, r->chat_id))
			held[nheld++] = r->chat_id;	/* its later rows were read as due already */
		if (wait > 0) {
			/* a 429 holds every send, not only this chat's */
			a->sender_pause_until = clock_mono_ms() + wait;
			next = wait;
			break;
		}
		next = 0;
	}
	for (i = 0; i < n; i++)
		outbox_row_release(&rows[i]);
	return next;
}

void *
sender_thread(void *arg)
{
	struct app *a = arg;
	struct tg_client *tg;
	struct ratelimit *rl;
	struct db *db;
	int64_t next;
	int n;

	if ((db = app_thread_db(a, "sender")) == NULL)
		return NULL;
	n = outbox_recover(db);
	if (n > 0)
		log_warn("outbox: %d message(s) were being sent when the bot stopped; sending again "
		    "(a duplicate is possible)", n);
	tg = tg_new(a->cfg.api_url, a->cfg.token, a->cfg.connect_timeout);
	tg_set_abort_flag(tg, &a->stop);
	rl = ratelimit_new(&a->cfg);
	while (!a->stop) {
		if (clock_mono_ms() < a->sender_pause_until) {
			app_sleep(a, a->sender_pause_until - clock_mono_ms());
			continue;
		}
		next = sender_round(a, db, tg, rl);
		if (next > 0)
			app_wait(a, &a->outbox_pending, next);
	}
	ratelimit_free(rl);
	tg_free(tg);
	db_close(db);
	return NULL;
}
