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
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "bot/json.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define SENDER_BATCH 64		/* rows a full read takes */
#define SENDER_ANSWERS 16	/* rows read on their own after a wake: answers, quiet chats */
#define SENDER_SLOTS (SENDER_BATCH + SENDER_ANSWERS)

/* The due rows the sender read and has not finished with, kept across rounds. */
struct sender_batch {
	struct outbox_row rows[SENDER_SLOTS];
	int		 n;
	int		 fresh;		/* rows were queued since the last full read */
	int		 answers;	/* rows were queued since the last read of any kind */
	int		 reread;	/* the next round reads everything again */
	int64_t		 read_ms;	/* monotonic time of the last full read */
	int64_t		 max_id;	/* the highest row id read */
	int64_t		 scanned;	/* rows up to this id were looked at since the full read */
	/* The last row Telegram accepted, not yet marked sent: the mark goes in the transaction
	 * that hands the next row over (one write per message), or alone at the round's end. */
	int64_t		 done_id, done_msg, done_at;
};
#define SENDER_REREAD_MS 1000	/* new rows join the batch at most this late */
#define SENDER_CALL_TIMEOUT 30

/* The payload with chat_id added, and message_id when known (> 0): caller frees (cJSON_free),
 * or NULL. Payloads are stored as objects without either key, so both are written in front of
 * the stored text; one that holds either (a row from elsewhere) is rebuilt instead. */
static char *
sender_payload(const struct outbox_row *r, int64_t message_id)
{
	size_t len = strlen(r->payload);
	cJSON *o;
	char *s;

	if (len >= 2 && r->payload[0] == '{' && r->payload[len - 1] == '}' &&
	    strstr(r->payload, "\"chat_id\"") == NULL &&
	    strstr(r->payload, "\"message_id\"") == NULL) {
		char head[64];
		int n = 0;

		if (r->chat_id != 0)
			n = snprintf(head, sizeof(head), "\"chat_id\":%lld", (long long)r->chat_id);
		if (message_id > 0)
			n += snprintf(head + n, sizeof(head) - (size_t)n, "%s\"message_id\":%lld",
			    n ? "," : "", (long long)message_id);
		if ((s = cJSON_malloc(len + (size_t)n + 2)) == NULL)
			return NULL;
		s[0] = '{';
		memcpy(s + 1, head, (size_t)n);
		if (n > 0 && len > 2)
			s[++n] = ',';
		memcpy(s + 1 + n, r->payload + 1, len);	/* the rest, its '}' and the NUL */
		return s;
	}
	o = cJSON_Parse(r->payload);
	if (o == NULL || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	if (r->chat_id != 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "chat_id");
		cJSON_AddNumberToObject(o, "chat_id", (double)r->chat_id);
	}
	if (message_id > 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "message_id");
		cJSON_AddNumberToObject(o, "message_id", (double)message_id);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/*
 * What to send for a row. An edit of the message another row posts (ref_id) needs that
 * message's id: it waits while the other row is pending or being sent, and fails with it.
 * Its own chat_id is used (a migration rewrites it like any pending row's).
 */
enum sender_prep
sender_prepare(struct db *db, const struct outbox_row *r, char **json, char *why, size_t whysz)
{
	struct outbox_row ref;
	int64_t message_id = 0;
	int got;

	*json = NULL;
	str_copy(why, whysz, "");
	if (r->ref_id != 0) {
		got = outbox_get(db, r->ref_id, &ref);
		if (got == -1)
			return SENDER_HOLD;	/* the database refused: try in the next round */
		outbox_row_release(&ref);
		if (got == 0) {
			str_copy(why, whysz, "the message to edit is no longer known");
			return SENDER_FAIL;
		}
		switch (ref.state) {
		case OUTBOX_PENDING:
		case OUTBOX_SENDING:
			return SENDER_HOLD;
		case OUTBOX_SENT:
			if (ref.tg_message_id > 0) {
				message_id = ref.tg_message_id;
				break;
			}
			str_copy(why, whysz, "the message to edit has no id");
			return SENDER_FAIL;
		default:
			str_copy(why, whysz, "the message to edit was never sent");
			return SENDER_FAIL;
		}
	}
	if ((*json = sender_payload(r, message_id)) == NULL) {
		str_copy(why, whysz, "bad payload");
		return SENDER_FAIL;
	}
	return SENDER_GO;
}

#define SENDER_MAX_ATTEMPTS 1500	/* with backoff capped at 60 s: about a day of outage */

/* Records the outcome of a call; a database that refuses is logged (the row stays in sending
 * and goes again after a restart). */
static void
sender_record(int r, const struct outbox_row *row, const char *what)
{
	if (r == -1)
		log_error("outbox %lld: cannot record %s; it goes again after a restart",
		    (long long)row->id, what);
}

/* Marks the row Telegram last accepted as sent, on its own. */
static void
sender_flush(struct db *db, struct sender_batch *sb)
{
	struct outbox_row r;

	if (sb->done_id == 0)
		return;
	r.id = sb->done_id;
	sender_record(outbox_mark_sent(db, sb->done_id, sb->done_msg, sb->done_at), &r,
	    "a sent message");
	sb->done_id = 0;
}

/* A private chat whose user blocked the bot: later messages are not even tried, until the
 * user writes again (dispatch clears the mark). */
static int
sender_chat_blocked(struct db *db, int64_t chat)
{
	char key[48];
	int64_t since = 0;

	if (chat <= 0)
		return 0;
	snprintf(key, sizeof(key), "blocked:%lld", (long long)chat);
	return state_get_int(db, key, &since) == 1 && since > 0;
}

static void
sender_mark_chat_blocked(struct db *db, int64_t chat)
{
	char key[48];

	if (chat <= 0)
		return;
	snprintf(key, sizeof(key), "blocked:%lld", (long long)chat);
	state_set_int(db, key, clock_now());
}

/*
 * Hands the row over (pending → sending), in one transaction with the mark of the row sent
 * before it and the look at whether its chat blocked the bot: until that commits, both are
 * known as in flight only by the earlier one, so a crash still leaves at most one message to
 * send again. 0 handed over, 1 not: its chat blocked the bot (the row is recorded so), -1 not
 * handed over (the database refused).
 */
static int
sender_hand_over(struct db *db, struct sender_batch *sb, const struct outbox_row *row)
{
	struct outbox_row r;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	if (sb->done_id != 0) {
		r.id = sb->done_id;
		sender_record(outbox_mark_sent(db, sb->done_id, sb->done_msg, sb->done_at), &r,
		    "a sent message");
	}
	if (sender_chat_blocked(db, row->chat_id)) {
		sender_record(outbox_mark_final(db, row->id, OUTBOX_BLOCKED,
		    "the user blocked the bot", clock_now_ms()), row, "a blocked chat");
		rc = 1;
	} else
		rc = outbox_mark_sending(db, row->id, clock_now_ms());
	if (db_commit(db) == -1)
		return -1;
	sb->done_id = 0;
	return rc;
}

/*
 * Sends one row and records the outcome. *again is set when the row went back to pending: later
 * rows of its chat wait for it (a 429 or a 5xx holds one chat, not every chat, so button answers
 * and other chats go on).
 */
static void
sender_send(struct app *a, struct db *db, struct tg_client *tg, struct sender_batch *sb,
    struct outbox_row *r, char *json, int *again)
{
	struct app_live live;
	struct tg_result res;
	int64_t wait, now;

	*again = 0;
	app_live(a, &live);
	switch (sender_hand_over(db, sb, r)) {
	case 0:
		break;
	case 1:
		cJSON_free(json);
		return;
	default:
		cJSON_free(json);
		*again = 1;	/* not handed over: try in the next round */
		return;
	}
	tg_call(tg, r->method, json, SENDER_CALL_TIMEOUT, &res);
	cJSON_free(json);
	now = clock_now_ms();
	if (res.latency_ms >= 0 && res.http_status != 0)
		latency_record(&a->tg_latency, res.latency_ms * 1000);
	metrics_tg_call(r->method, res.cls, res.latency_ms);
	switch (res.cls) {
	case TG_OK:
	case TG_NOT_MODIFIED:
		sb->done_id = r->id;
		sb->done_msg = res.message_id;
		sb->done_at = now;
		app_stat_add(a, &a->stats.messages_out, 1);
		break;
	case TG_RETRY_AFTER:
		wait = res.retry_after;
		if (wait > live.retry_after_cap) {
			app_report_throttle(a, db, r->method, wait, live.retry_after_cap);
			wait = live.retry_after_cap;
		} else
			log_info("%s to chat %lld: 429, retry after %llds", r->method,
			    (long long)r->chat_id, (long long)wait);
		sender_record(outbox_retry_at(db, r->id, now + wait * 1000, res.description), r,
		    "a retry");
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
		sender_mark_chat_blocked(db, r->chat_id);
		sender_record(outbox_mark_final(db, r->id, OUTBOX_BLOCKED, res.description, now), r,
		    "a blocked chat");
		break;
	case TG_UNAUTHORIZED:
		/* the token was revoked: keep the queue for the next token and stop the bot */
		log_error("%s: telegram rejected the token (%ld); stopping", r->method,
		    res.http_status);
		sender_record(outbox_retry_at(db, r->id, now, res.description), r, "a retry");
		a->exit_code = 1;
		a->stop = 1;
		app_wake_all(a);
		*again = 1;
		break;
	case TG_TRANSIENT:
		app_stat_add(a, &a->stats.tg_errors, 1);
		if (a->stop) {
			/* aborted by shutdown: it goes again after restart */
			sender_record(outbox_retry_at(db, r->id, now, "interrupted by shutdown"), r,
			    "a retry");
			*again = 1;
			break;
		}
		if (r->attempts >= SENDER_MAX_ATTEMPTS) {
			log_error("%s to chat %lld: still failing after %d attempts (%s); given up",
			    r->method, (long long)r->chat_id, r->attempts, res.description);
			sender_record(outbox_mark_final(db, r->id, OUTBOX_FAILED, res.description,
			    now), r, "a failure");
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
		sender_record(outbox_retry_at(db, r->id, now + wait, res.description), r, "a retry");
		*again = 1;
		break;
	default:
		app_stat_add(a, &a->stats.tg_errors, 1);
		log_error("%s to chat %lld failed: %s (%s)", r->method, (long long)r->chat_id,
		    res.description, tg_class_name(res.cls));
		sender_record(outbox_mark_final(db, r->id, OUTBOX_FAILED, res.description, now), r,
		    "a failure");
		break;
	}
	tg_result_release(&res);
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

/* Releases the batch's rows; the next round reads the due rows again. */
static void
sender_batch_free(struct sender_batch *sb)
{
	int i;

	for (i = 0; i < sb->n; i++)
		outbox_row_release(&sb->rows[i]);
	sb->n = 0;
}

/* The order of a full read: priority first (button answers), then id. */
static int
sender_row_cmp(const void *x, const void *y)
{
	const struct outbox_row *a = x, *b = y;

	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Reads the due rows into the batch: everything (full) or, after a wake, the rows queued since
 * that can go at once (button answers, and the first row of a chat with nothing else pending),
 * in the batch's order. The number read, or -1. */
static int
sender_batch_read(struct app *a, struct db *db, struct sender_batch *sb, int full)
{
	int64_t upto;
	int n, i, room;

	if (full) {
		sender_batch_free(sb);
		n = outbox_due(db, clock_now_ms(), sb->rows, SENDER_BATCH);
		sb->read_ms = clock_mono_ms();
		sb->reread = sb->fresh = sb->answers = 0;
		if (n > 0)
			sb->n = n;
		sb->scanned = 0;
	} else {
		/* only what was queued since the last look: a wake costs its own rows, however
		 * long the backlog; rows passed over wait for the next full read */
		sb->answers = 0;
		room = SENDER_SLOTS - sb->n;
		if (room > SENDER_ANSWERS)
			room = SENDER_ANSWERS;
		if ((upto = outbox_max_id(db)) == -1)
			return -1;
		if (sb->scanned < sb->max_id)
			sb->scanned = sb->max_id;
		n = outbox_due_after(db, clock_now_ms(), sb->scanned, upto, &sb->rows[sb->n],
		    room);
		if (n >= 0 && n < room)
			sb->scanned = upto;
		if (n > 0) {
			sb->n += n;
			qsort(sb->rows, (size_t)sb->n, sizeof(sb->rows[0]), sender_row_cmp);
		}
	}
	for (i = 0; i < sb->n; i++)
		if (sb->rows[i].id > sb->max_id)
			sb->max_id = sb->rows[i].id;
	app_stat_add(a, &a->stats.sender_rows_read, n > 0 ? n : 0);
	return n;
}

/* Drops the rows finished with in this round, keeping the order of the rest. */
static void
sender_batch_compact(struct sender_batch *sb, const unsigned char *done)
{
	int i, k = 0;

	for (i = 0; i < sb->n; i++) {
		if (done[i])
			outbox_row_release(&sb->rows[i]);
		else
			sb->rows[k++] = sb->rows[i];
	}
	sb->n = k;
}

/*
 * One round over the due rows. Returns the milliseconds until the next round should run.
 *
 * The due rows are read once into the batch and kept across rounds while the limits hold them
 * back: when a bucket refills, the next of them goes without reading or building anything
 * again, and while the overall bucket is empty a round is one look at it. The batch is read
 * again when it is used up, when a row went back for a retry (its chat's later rows must wait
 * for it: the query knows how), when nothing in a full batch could go (rows of other chats may
 * be due behind it), and at most a second after new rows were queued (sb->fresh). Button
 * answers queued meanwhile (no chat, no rate limit) are read at once on their own, so a backlog
 * never keeps a spinner turning. The rate limiter is skipped for calls to no chat; a row's JSON
 * is built only once its tokens are taken.
 */
static int64_t
sender_round(struct app *a, struct db *db, struct tg_client *tg, struct ratelimit *rl,
    struct sender_batch *sb)
{
	unsigned char done[SENDER_SLOTS];
	int64_t held[SENDER_SLOTS], next = 1000, wait, at, since;
	int i, nheld = 0, again, sent = 0, global = 0, n;
	char why[128], *json;

	app_stat_add(a, &a->stats.sender_rounds, 1);
	since = clock_mono_ms() - sb->read_ms;
	if (sb->n == 0 || sb->reread || (sb->fresh && since >= SENDER_REREAD_MS)) {
		if ((n = sender_batch_read(a, db, sb, 1)) <= 0) {
			if (n == 0 && outbox_next_at(db, &at) == 1)
				next = at - clock_now_ms();
			return next < 1 ? 1 : next > 1000 ? 1000 : next;
		}
	} else {
		if (sb->answers && sender_batch_read(a, db, sb, 0) == -1)
			return 1000;
		/* no answer to send and the overall bucket empty: nothing can go before it refills */
		if ((sb->n == 0 || sb->rows[0].chat_id != 0) &&
		    (wait = ratelimit_global_wait(rl, clock_mono_ms())) > 0) {
			if (sb->fresh && SENDER_REREAD_MS - since < wait)
				wait = SENDER_REREAD_MS - since;
			return wait < 1 ? 1 : wait;
		}
	}
	memset(done, 0, sizeof(done));
	for (i = 0; i < sb->n && !global && !a->stop; i++) {
		struct outbox_row *r = &sb->rows[i];

		if (sender_held(held, nheld, r->chat_id))
			continue;
		if (r->chat_id != 0) {
			if ((wait = ratelimit_global_wait(rl, clock_mono_ms())) > 0) {
				global = 1;	/* every later row would wait as long */
				if (wait < next)
					next = wait;
				break;
			}
			if ((wait = ratelimit_take(rl, r->chat_id, r->is_group, clock_mono_ms())) > 0) {
				/* later rows of this chat wait too, so order is kept */
				held[nheld++] = r->chat_id;
				if (wait < next)
					next = wait;
				continue;
			}
		}
		if (r->ref_id != 0)
			sender_flush(db, sb);	/* the edit may need that row's message id */
		switch (sender_prepare(db, r, &json, why, sizeof(why))) {
		case SENDER_HOLD:
			/* an edit whose message is not sent yet: its chat waits, in order */
			if (r->chat_id != 0) {
				ratelimit_refund(rl, r->chat_id);
				held[nheld++] = r->chat_id;
			}
			continue;
		case SENDER_FAIL:
			log_error("outbox %lld: %s; dropped", (long long)r->id, why);
			sender_record(outbox_mark_final(db, r->id, OUTBOX_FAILED, why,
			    clock_now_ms()), r, "a failure");
			done[i] = 1;
			continue;
		case SENDER_GO:
			break;
		}
		sender_send(a, db, tg, sb, r, json, &again);
		if (again) {
			/* back to pending: its chat's later rows wait for it, as the query knows */
			sb->reread = 1;
			if (r->chat_id != 0 && !sender_held(held, nheld, r->chat_id))
				held[nheld++] = r->chat_id;
		}
		done[i] = 1;
		sent++;
		next = 0;
	}
	sender_flush(db, sb);
	if (sent == 0 && !global && sb->n >= SENDER_BATCH)
		sb->reread = 1;
	sender_batch_compact(sb, done);
	if (sb->fresh && next > SENDER_REREAD_MS - since)
		next = SENDER_REREAD_MS - since;
	return next < 0 ? 0 : next;
}

void *
sender_thread(void *arg)
{
	struct app *a = arg;
	struct tg_client *tg;
	struct sender_batch sb;
	struct ratelimit *rl;
	struct db *db;
	int64_t next;
	int n;

	if ((db = app_thread_db(a, "sender")) == NULL)
		return NULL;
	/* the sender's marks are cheap to lose in a power cut (a resend), costly to fsync each */
	if (db_relax_sync(db) == -1)
		log_warn("sender: synchronous=NORMAL refused; every mark is synced");
	n = outbox_recover(db);
	if (n > 0)
		log_warn("outbox: %d message(s) were being sent when the bot stopped; sending again "
		    "(a duplicate is possible)", n);
	tg = tg_new(a->cfg.api_url, a->cfg.token, a->cfg.connect_timeout);
	rl = ratelimit_new(&a->cfg);
	if (tg == NULL || rl == NULL) {
		log_error("sender: out of memory");
		a->exit_code = 1;
		a->stop = 1;
		app_wake_all(a);
		goto out;
	}
	/* A send in flight at shutdown is let finish (it may already have reached Telegram);
	 * main aborts it only when it outlives the grace period. */
	tg_set_abort_flag(tg, &a->abort_sends);
	memset(&sb, 0, sizeof(sb));
	while (!a->stop) {
		next = sender_round(a, db, tg, rl, &sb);
		/* rows queued meanwhile: answers are read at once, the rest with the next read */
		if (app_wait(a, &a->outbox_pending, next))
			sb.fresh = sb.answers = 1;
	}
	sender_batch_free(&sb);
out:
	if (rl != NULL)
		ratelimit_free(rl);
	if (tg != NULL)
		tg_free(tg);
	db_close(db);
	return NULL;
}
