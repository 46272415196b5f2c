/* Unit tests: the Prometheus page (histograms, label escaping, bounded label sets), /healthz,
 * JSON errors and the constant-time secret check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

static int
has_line(const char *page, const char *line)
{
	size_t n = strlen(line);
	const char *p = page;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == page || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static void
page(struct app *a, struct db *db, struct http_resp *resp)
{
	struct http_req req;

	memset(&req, 0, sizeof(req));
	buf_init(&resp->body, 0);
	resp->status = 0;
	resp->content_type = NULL;
	metrics_page(a, db, &req, resp);
}

static void
test_metrics(struct app *a, struct db *db)
{
	struct http_resp resp;
	int i;

	metrics_handler(500);		/* 0.0005 s: the first bucket */
	metrics_handler(3000);		/* 0.003 s */
	metrics_handler(2000000);	/* 2 s */
	metrics_handler(10000000);	/* 10 s: only +Inf */
	metrics_tg_call("sendMessage", TG_OK, 40);
	metrics_tg_call("sendMessage", TG_RETRY_AFTER, 120);
	metrics_tg_call("getUpdates", TG_TRANSIENT, 25000);
	metrics_tg_call("we\"ird\\me\nthod", TG_OK, 1);
	metrics_alert("dormant");
	metrics_alert("dormant");
	metrics_alert("crm_down");
	metrics_http("healthz", 200);
	metrics_http("healthz", 200);
	metrics_http("none", 404);
	app_stat_add(a, &a->stats.updates_in, 7);
	page(a, db, &resp);
	is_int(resp.status, 200, "metrics: 200");
	ok(resp.content_type && strncmp(resp.content_type, "text/plain; version=0.0.4", 25) == 0,
	    "text format 0.0.4");
	ok(has_line(resp.body.ptr, "# TYPE backoffice_handler_duration_seconds histogram"),
	    "histogram TYPE line");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_bucket{le=\"0.001\"} 1"),
	    "le=0.001 holds the 0.5 ms sample");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_bucket{le=\"0.005\"} 2"),
	    "buckets are cumulative");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_bucket{le=\"1\"} 2"),
	    "the 2 s sample is above le=1");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_bucket{le=\"5\"} 3"),
	    "and within le=5");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_bucket{le=\"+Inf\"} 4"),
	    "+Inf counts everything");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_count 4"), "count");
	ok(has_line(resp.body.ptr, "backoffice_handler_duration_seconds_sum 12.003500"), "sum in seconds");
	ok(has_line(resp.body.ptr,
	    "backoffice_telegram_requests_total{method=\"sendMessage\",class=\"retry_after\"} 1"),
	    "Bot API calls by method and class");
	ok(has_line(resp.body.ptr, "backoffice_telegram_errors_total{class=\"transient\"} 1"),
	    "errors by class");
	ok(has_line(resp.body.ptr, "backoffice_telegram_errors_total{class=\"blocked\"} 0"),
	    "every error class is present, at 0 too");
	ok(has_line(resp.body.ptr,
	    "backoffice_telegram_request_duration_seconds_count{method=\"getUpdates\"} 1"),
	    "Bot API latency by method");
	ok(has_line(resp.body.ptr,
	    "backoffice_telegram_requests_total{method=\"we\\\"ird\\\\me\\nthod\",class=\"ok\"} 1"),
	    "label values escape \", \\ and newline");
	ok(has_line(resp.body.ptr, "backoffice_alerts_opened_total{kind=\"dormant\"} 2"),
	    "alerts by kind");
	ok(has_line(resp.body.ptr, "backoffice_http_requests_total{route=\"healthz\",code=\"200\"} 2"),
	    "HTTP requests by route and code");
	ok(has_line(resp.body.ptr, "backoffice_updates_received_total 7"), "updates in from app->stats");
	ok(has_line(resp.body.ptr, "backoffice_outbox_pending 0"), "outbox depth queried");
	buf_release(&resp.body);

	/* a flood of label values stays bounded: the rest count as "other" */
	for (i = 0; i < 100; i++) {
		char kind[32];

		snprintf(kind, sizeof(kind), "kind%d", i);
		metrics_alert(kind);
	}
	page(a, db, &resp);
	ok(has_line(resp.body.ptr, "backoffice_alerts_opened_total{kind=\"other\"} 71"),
	    "alert kinds past the table count as other");
	ok(strstr(resp.body.ptr, "kind=\"kind99\"") == NULL, "and are not listed one by one");
	buf_release(&resp.body);
}

static void
test_healthz(struct app *a, struct db *db)
{
	struct http_resp resp;
	struct http_req req;
	cJSON *o, *q, *tg, *crm;

	memset(&req, 0, sizeof(req));
	buf_init(&resp.body, 0);
	resp.status = 0;
	healthz(a, db, &req, &resp);
	is_int(resp.status, 200, "healthz: 200 with a database");
	o = cJSON_Parse(resp.body.ptr);
	ok(o != NULL, "healthz is JSON");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "database")), "ok", "database ok");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(o, "uptime_s")), "uptime_s");
	q = cJSON_GetObjectItem(o, "queues");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(q, "inbox")) &&
	    cJSON_IsNumber(cJSON_GetObjectItem(q, "outbox")), "queue depths");
	tg = cJSON_GetObjectItem(o, "telegram");
	ok(cJSON_IsNull(cJSON_GetObjectItem(tg, "last_poll_ok_s_ago")), "no poll yet: null");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(tg, "errors")), "telegram errors");
	crm = cJSON_GetObjectItem(o, "crm");
	ok(cJSON_IsNull(cJSON_GetObjectItem(crm, "up")), "crm up unknown: null");
	cJSON_Delete(o);

	app_stat_set(a, &a->stats.last_poll_ok, clock_now() - 3);
	a->stats.started_at = clock_now() - 1000;
	healthz(a, db, &req, &resp);
	o = cJSON_Parse(resp.body.ptr);
	tg = cJSON_GetObjectItem(o, "telegram");
	is_int((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(tg, "last_poll_ok_s_ago")), 3,
	    "seconds since the last good poll");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")), "ok", "a fresh poll: ok");
	cJSON_Delete(o);
	app_stat_set(a, &a->stats.last_poll_ok, clock_now() - 600);
	healthz(a, db, &req, &resp);
	o = cJSON_Parse(resp.body.ptr);
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")), "degraded",
	    "no good poll for 10 minutes: degraded");
	cJSON_Delete(o);
	buf_release(&resp.body);
}

static void
test_json_error(void)
{
	struct http_resp resp;
	cJSON *o;

	buf_init(&resp.body, 0);
	http_json_error(&resp, 422, "bad \"value\"\n<x>", "events[0].at");
	is_int(resp.status, 422, "status set");
	o = cJSON_Parse(resp.body.ptr);
	ok(o != NULL, "the error is valid JSON");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "error")), "bad \"value\"\n<x>",
	    "quotes and newlines survive escaping");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "field")), "events[0].at", "field");
	cJSON_Delete(o);
	http_json_error(&resp, 404, "not found", NULL);
	is_str(resp.body.ptr, "{\"error\":\"not found\"}", "no field: only error");
	buf_release(&resp.body);
}

static void
test_secret(void)
{
	ok(http_secret_equal("S3cret_x", "S3cret_x"), "equal secrets match");
	ok(!http_secret_equal("S3cret_", "S3cret_x"), "a prefix does not");
	ok(!http_secret_equal("S3cret_xy", "S3cret_x"), "a longer one does not");
	ok(!http_secret_equal("S3cret_y", "S3cret_x"), "one character off does not");
	ok(!http_secret_equal("", ""), "an empty expected secret never matches");
	ok(!http_secret_equal(NULL, "x"), "no header never matches");
}

int
main(void)
{
	char err[256];
	struct app a;
	struct db *db;

	if (testdb_setup("metrics", "bo.db") == -1)
		return 1;
	if ((db = db_open(testdb_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "db_open: %s\n", err);
		return 1;
	}
	app_init(&a);
	test_metrics(&a, db);
	test_healthz(&a, db);
	test_json_error();
	test_secret();
	db_close(db);
	app_destroy(&a);
	testdb_cleanup();
	return done_testing();
}
