/*
 * webhook.c — webhook mode ([telegram] mode = webhook). At start setWebhook points Telegram at
 * [telegram] webhook_url with our secret; then Telegram POSTs each update to /telegram/webhook
 * with X-Telegram-Bot-Api-Secret-Token, and the update goes into the same durable inbox the
 * poller writes. A delivery is answered 200 only once the update is committed, so Telegram
 * retries anything we did not store; a redelivered update_id is answered 200 and dropped.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "bot/json.h"
#include "storage/storage.h"

#define WEBHOOK_MAX_CONNECTIONS 40

int
webhook_setup(struct app *a, struct tg_client *tg)
{
	static const char *const allowed[] = { "message", "callback_query", "my_chat_member" };
	struct tg_result res;
	cJSON *o, *arr;
	char *body = NULL;
	size_t i;
	int rc = -1;

	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "allowed_updates");
	if (o == NULL || arr == NULL || cJSON_AddStringToObject(o, "url", a->cfg.webhook_url) == NULL ||
	    cJSON_AddStringToObject(o, "secret_token", a->cfg.webhook_secret) == NULL ||
	    cJSON_AddNumberToObject(o, "max_connections", WEBHOOK_MAX_CONNECTIONS) == NULL ||
	    cJSON_AddFalseToObject(o, "drop_pending_updates") == NULL) {
		log_error("setWebhook: out of memory");
		cJSON_Delete(o);
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(allowed[i]));
	if ((body = cJSON_PrintUnformatted(o)) == NULL) {
		log_error("setWebhook: out of memory");
		cJSON_Delete(o);
		return -1;
	}
	cJSON_Delete(o);
	tg_call(tg, "setWebhook", body, a->cfg.connect_timeout + 10, &res);
	cJSON_free(body);
	metrics_tg_call("setWebhook", res.cls, res.latency_ms);
	if (res.cls == TG_OK) {
		log_info("webhook set: telegram delivers updates to '%s'", a->cfg.webhook_url);
		rc = 0;
	} else
		log_error("setWebhook failed (%s, %ld: %s); check [telegram] webhook_url and "
		    "webhook_secret, or use mode = polling", tg_class_name(res.cls), res.http_status,
		    res.description);
	tg_result_release(&res);
	return rc;
}

void
webhook_receive(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	cJSON *u, *id;
	char *payload = NULL;
	int64_t uid;
	int r;

	if (strcmp(a->cfg.mode, "webhook") != 0) {
		http_json_error(resp, 404, "webhook mode is off", NULL);
		return;
	}
	/* nothing of a request without the secret is looked at, let alone stored */
	if (!http_secret_equal(req->webhook_secret, a->cfg.webhook_secret)) {
		log_warn("webhook: %s: missing or wrong secret token; rejected", req->request_id);
		http_json_error(resp, 401, "missing or wrong X-Telegram-Bot-Api-Secret-Token", NULL);
		return;
	}
	u = json_parse(req->body, req->body_len);
	if (u == NULL || !cJSON_IsObject(u)) {
		http_json_error(resp, 400, "body is not a JSON object", NULL);
		goto out;
	}
	id = cJSON_GetObjectItemCaseSensitive(u, "update_id");
	if (json_integer(id, &uid) != 0 || uid < 1) {
		http_json_error(resp, 400, "update_id must be a positive integer", "update_id");
		goto out;
	}
	/* stored as sent, as the poller stores its updates: a NUL in it ("\u0000") is refused when
	 * the worker parses it, and the person answered; a 4xx here would only be redelivered */
	if ((payload = json_print(u)) == NULL) {
		http_json_error(resp, 500, "out of memory", NULL);
		goto out;
	}
	if (db_begin(db) == -1) {
		http_json_error(resp, 503, "database busy; retry", NULL);
		goto out;
	}
	if ((r = inbox_add(db, uid, "webhook", payload, clock_now_ms(), NULL)) == -1 ||
	    db_commit(db) == -1) {
		if (r == -1)
			db_rollback(db);
		http_json_error(resp, 503, "update not stored; retry", NULL);
		goto out;
	}
	if (r == 1) {
		app_stat_add(a, &a->stats.updates_in, 1);
		app_wake_worker(a);
	} else
		log_info("webhook: %s: update %lld was already stored; dropped", req->request_id,
		    (long long)uid);
	resp->status = 200;
	buf_reset(&resp->body);
	buf_adds(&resp->body, "{\"ok\":true}");
out:
	cJSON_free(payload);
	cJSON_Delete(u);
}
