/*
 * intake.c — the poller. Each getUpdates batch is written to the inbox together with the next
 * offset in one transaction, and only then is the offset sent to Telegram (which confirms the
 * batch). A crash at any point either leaves the batch unconfirmed (Telegram sends it again and
 * the unique update_id drops the copies) or already stored.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "bot/json.h"
#include "storage/storage.h"

#define ALLOWED_UPDATES "[\"message\",\"callback_query\",\"my_chat_member\"]"
#define OFFSET_KEY "tg_offset"
/* The shortest cycle of empty polls when the server does not hold them. */
#define INTAKE_EMPTY_CYCLE_MS 500

struct intake_batch {
	struct db	*db;
	int64_t		 max_id;
	int		 added;
};

/* Stores one update as sent; 0, or -1 when the database refused it. */
static int
intake_store_one(struct intake_batch *b, cJSON *u)
{
	int64_t uid;
	char *payload;
	int r;

	if (json_integer(cJSON_GetObjectItemCaseSensitive(u, "update_id"), &uid) != 0 ||
	    uid < 0) {
		log_warn("getUpdates: an update without a usable update_id was skipped");
		return 0;
	}
	/* stored as sent: a NUL in it is refused when the worker parses it, with an answer */
	if ((payload = json_print(u)) == NULL)
		return -1;
	r = inbox_add(b->db, uid, "telegram", payload, clock_now_ms(), NULL);
	cJSON_free(payload);
	if (r == -1)
		return -1;
	b->added += r;
	if (uid > b->max_id)
		b->max_id = uid;
	return 0;
}

/* One element of the result's text: parsed on its own, so a long answer never is one tree. */
static int
intake_store_text(const char *text, size_t len, void *arg)
{
	cJSON *u = json_parse(text, len);
	int r;

	if (u == NULL)
		return -1;	/* not JSON after all: the whole answer is read as one below */
	r = intake_store_one(arg, u);
	cJSON_Delete(u);
	return r;
}

/* Stores every update of a getUpdates result, and the next offset, in one transaction;
 * returns how many were new, -1 on error. */
static int
intake_store(struct app *a, struct db *db, const char *result)
{
	struct intake_batch b = { db, -1, 0 };
	size_t len = strlen(result);
	cJSON *arr = NULL, *u;

	if (db_begin(db) == -1)
		return -1;
	if (json_array_spans(result, len, intake_store_text, &b) == -1) {
		db_rollback(db);
		if ((arr = json_parse(result, len)) == NULL || !cJSON_IsArray(arr)) {
			cJSON_Delete(arr);
			log_warn("getUpdates: result is not an array");
			return -1;
		}
		b.max_id = -1;
		b.added = 0;
		if (db_begin(db) == -1) {
			cJSON_Delete(arr);
			return -1;
		}
		cJSON_ArrayForEach(u, arr)
			if (intake_store_one(&b, u) == -1)
				goto fail;
	}
	if (b.max_id < 0) {
		db_rollback(db);	/* nothing to store, no offset to move */
		cJSON_Delete(arr);
		return 0;
	}
	if (state_set_int(db, OFFSET_KEY, b.max_id + 1) == -1)
		goto fail;
	if (db_commit(db) == -1)
		goto fail_norollback;
	cJSON_Delete(arr);
	if (b.added > 0) {
		app_stat_add(a, &a->stats.updates_in, b.added);
		app_wake_worker(a);
	}
	return b.added;
fail:
	db_rollback(db);
fail_norollback:
	cJSON_Delete(arr);
	return -1;
}

int
intake_poll_once(struct app *a, struct tg_client *tg, struct db *db)
{
	static int failures;
	struct app_live live;
	struct tg_result res;
	int64_t offset = 0, wait;
	char body[256];
	int rc = -1, n;

	if (state_get_int(db, OFFSET_KEY, &offset) == -1)
		return -1;
	snprintf(body, sizeof(body), "{\"offset\":%lld,\"limit\":100,\"timeout\":%lld,"
	    "\"allowed_updates\":" ALLOWED_UPDATES "}", (long long)offset,
	    (long long)a->cfg.poll_timeout);
	/* the client's total timeout is longer than the poll, so a dead connection is noticed */
	tg_call(tg, "getUpdates", body, a->cfg.poll_timeout + 15, &res);
	metrics_tg_call("getUpdates", res.cls, res.latency_ms);
	if (a->stop)
		goto out;
	switch (res.cls) {
	case TG_OK:
		if ((n = intake_store(a, db, res.result ? res.result : "[]")) == -1) {
			app_sleep(a, 1000);
			goto out;
		}
		app_stat_set(a, &a->stats.last_poll_ok, clock_now());
		failures = 0;
		rc = 0;
		/* An empty answer long before the poll's timeout: the server does not hold long
		 * polls (a test server, a proxy), and asking again at once would spin on it.
		 * Telegram holds them, so this never delays a real update. */
		if (n == 0 && res.latency_ms >= 0 && res.latency_ms < a->cfg.poll_timeout * 500 &&
		    res.latency_ms < INTAKE_EMPTY_CYCLE_MS)
			app_sleep(a, INTAKE_EMPTY_CYCLE_MS - res.latency_ms);
		goto out;
	case TG_RETRY_AFTER:
		app_live(a, &live);
		wait = res.retry_after;
		if (wait > live.retry_after_cap) {
			app_report_throttle(a, db, "getUpdates", wait, live.retry_after_cap);
			wait = live.retry_after_cap;
		}
		app_sleep(a, wait * 1000);
		goto out;
	case TG_CONFLICT:
		log_error("getUpdates: conflict (409): another instance polls with this token, or a "
		    "webhook is set: %s", res.description);
		app_sleep(a, app_backoff_ms(failures++ + 2));
		goto out;
	case TG_UNAUTHORIZED:
		log_error("getUpdates: telegram rejected the token (%ld); stopping",
		    res.http_status);
		a->exit_code = 1;
		a->stop = 1;
		app_wake_all(a);
		goto out;
	default:
		app_stat_add(a, &a->stats.tg_errors, 1);
		wait = app_backoff_ms(failures++);
		log_warn("getUpdates failed (%s: %s); retrying in %lld ms", tg_class_name(res.cls),
		    res.description, (long long)wait);
		app_sleep(a, wait);
		goto out;
	}
out:
	tg_result_release(&res);
	return rc;
}

void *
intake_thread(void *arg)
{
	struct app *a = arg;
	struct tg_client *tg;
	struct db *db;

	if ((db = app_thread_db(a, "intake")) == NULL)
		return NULL;
	tg = tg_new(a->cfg.api_url, a->cfg.token, a->cfg.connect_timeout);
	if (tg == NULL) {
		log_error("intake: out of memory");
		a->exit_code = 1;
		a->stop = 1;
		app_wake_all(a);
		db_close(db);
		return NULL;
	}
	/* a held long poll is simply dropped at shutdown: its updates stay unconfirmed */
	tg_set_abort_flag(tg, &a->stop);
	while (!a->stop)
		intake_poll_once(a, tg, db);
	tg_free(tg);
	db_close(db);
	return NULL;
}
