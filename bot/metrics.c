/*
 * metrics.c — what /metrics (Prometheus text format 0.0.4) and /healthz report.
 *
 * Counters that the threads already keep (updates in, processed, messages out) are read from
 * app->stats under app->mu; queue depths are queried at scrape time; the rest — histograms of
 * handler and Bot API latency, Bot API calls by method and class, alerts by kind, HTTP requests
 * by route and code — live here, behind one mutex (updates are a few additions; scrapes are rare).
 * Label sets are bounded: past a table's size, new label values count under "other".
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "storage/storage.h"

#define METRICS_TEXT	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_LABEL	40	/* bytes of a label value we keep */
#define TG_METHODS	24
#define ALERT_KINDS	32
#define HTTP_SERIES	64
#define TG_NCLASSES	(TG_BAD_REQUEST + 1)

/* Bucket upper bounds in seconds; the +Inf bucket is implicit. */
static const double handler_bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5 };
/* Bot API calls: getUpdates is held up to poll_timeout, so the scale reaches a minute. */
static const double tg_bounds[] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
#define MAX_BOUNDS 10

struct histogram {
	int64_t	 counts[MAX_BOUNDS + 1];	/* per bucket, not cumulative; last = above all */
	int64_t	 count;
	double	 sum;			/* seconds */
};

static struct {
	pthread_mutex_t	 mu;
	struct histogram handler;
	struct {
		char		 method[METRICS_LABEL];
		int64_t		 by_class[TG_NCLASSES];
		struct histogram latency;
	} tg[TG_METHODS];
	int		 ntg;
	struct {
		char	 kind[METRICS_LABEL];
		int64_t	 n;
	} alerts[ALERT_KINDS];
	int		 nalerts;
	struct {
		char	 route[METRICS_LABEL];
		int	 code;
		int64_t	 n;
	} http[HTTP_SERIES];
	int		 nhttp;
} metrics = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
hist_add(struct histogram *h, const double *bounds, size_t nbounds, double seconds)
{
	size_t i;

	for (i = 0; i < nbounds && seconds > bounds[i]; i++)
		;
	h->counts[i]++;
	h->count++;
	h->sum += seconds;
}

/* The slot of label value v in a table of n entries of size stride (at most max): found,
 * added, or the "other" slot (the last) once the table is full. Called under metrics.mu. */
static int
label_slot(char *first, size_t stride, int *n, int max, const char *v)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(first + (size_t)i * stride, v) == 0)
			return i;
	if (*n == max - 1) {
		str_copy(first + (size_t)i * stride, METRICS_LABEL, "other");
		(*n)++;
		return i;
	}
	if (*n == max)
		return max - 1;
	str_copy(first + (size_t)i * stride, METRICS_LABEL, v);
	(*n)++;
	return i;
}

void
metrics_handler(int64_t us)
{
	pthread_mutex_lock(&metrics.mu);
	hist_add(&metrics.handler, handler_bounds, sizeof(handler_bounds) / sizeof(handler_bounds[0]),
	    (double)us / 1e6);
	pthread_mutex_unlock(&metrics.mu);
}

void
metrics_tg_call(const char *method, enum tg_class cls, int64_t latency_ms)
{
	int i;

	if ((unsigned)cls >= TG_NCLASSES)
		return;
	pthread_mutex_lock(&metrics.mu);
	i = label_slot(metrics.tg[0].method, sizeof(metrics.tg[0]), &metrics.ntg, TG_METHODS, method);
	metrics.tg[i].by_class[cls]++;
	if (latency_ms >= 0)
		hist_add(&metrics.tg[i].latency, tg_bounds, sizeof(tg_bounds) / sizeof(tg_bounds[0]),
		    (double)latency_ms / 1e3);
	pthread_mutex_unlock(&metrics.mu);
}

void
metrics_alert(const char *kind)
{
	int i;

	pthread_mutex_lock(&metrics.mu);
	i = label_slot(metrics.alerts[0].kind, sizeof(metrics.alerts[0]), &metrics.nalerts, ALERT_KINDS, kind);
	metrics.alerts[i].n++;
	pthread_mutex_unlock(&metrics.mu);
}

void
metrics_http(const char *route, int status)
{
	int i;

	pthread_mutex_lock(&metrics.mu);
	for (i = 0; i < metrics.nhttp; i++)
		if (metrics.http[i].code == status && strcmp(metrics.http[i].route, route) == 0)
			break;
	if (i == metrics.nhttp) {
		if (metrics.nhttp == HTTP_SERIES) {
			i = HTTP_SERIES - 1;	/* full: the last series absorbs the rest */
		} else {
			str_copy(metrics.http[i].route, sizeof(metrics.http[i].route), route);
			metrics.http[i].code = status;
			metrics.nhttp++;
		}
	}
	metrics.http[i].n++;
	pthread_mutex_unlock(&metrics.mu);
}

/* A label value: backslash, double quote and newline escaped (text format 0.0.4). */
static void
put_label(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_adds(b, "\\\\");
		else if (*v == '"')
			buf_adds(b, "\\\"");
		else if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *v);
	}
}

static void
put_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One histogram's series; labels is "" or `name="value",` pairs ending in a comma. */
static void
put_hist(struct buf *b, const char *name, const char *labels, const struct histogram *h,
    const double *bounds, size_t nbounds)
{
	int64_t cum = 0;
	size_t i;

	for (i = 0; i < nbounds; i++) {
		cum += h->counts[i];
		buf_printf(b, "%s_bucket{%sle=\"%g\"} %lld\n", name, labels, bounds[i], (long long)cum);
	}
	buf_printf(b, "%s_bucket{%sle=\"+Inf\"} %lld\n", name, labels, (long long)h->count);
	if (*labels) {
		size_t n = strlen(labels) - 1;	/* without the trailing comma */

		buf_printf(b, "%s_sum{%.*s} %.6f\n", name, (int)n, labels, h->sum);
		buf_printf(b, "%s_count{%.*s} %lld\n", name, (int)n, labels, (long long)h->count);
	} else {
		buf_printf(b, "%s_sum %.6f\n", name, h->sum);
		buf_printf(b, "%s_count %lld\n", name, (long long)h->count);
	}
}

static void
put_value(struct buf *b, const char *name, const char *type, const char *help, int64_t v)
{
	put_head(b, name, type, help);
	buf_printf(b, "%s %lld\n", name, (long long)v);
}

void
metrics_page(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	struct buf *b = &resp->body;
	struct probe_state pr;
	struct stats st;
	struct buf lab;
	int64_t inbox, outbox;
	int i, c;

	(void)req;
	pthread_mutex_lock(&a->mu);
	st = a->stats;
	pthread_mutex_unlock(&a->mu);
	probe_get(a, &pr);
	inbox = inbox_pending_count(db);
	outbox = outbox_pending_count(db);
	buf_reset(b);
	buf_init(&lab, 4096);

	put_value(b, "backoffice_uptime_seconds", "gauge", "Seconds since the bot started.",
	    clock_now() - st.started_at);
	put_value(b, "backoffice_updates_received_total", "counter",
	    "Telegram updates stored in the inbox (polling or webhook).", st.updates_in);
	put_value(b, "backoffice_updates_processed_total", "counter",
	    "Updates the worker processed.", st.updates_done);
	put_value(b, "backoffice_messages_sent_total", "counter",
	    "Bot API calls from the outbox that Telegram accepted.", st.messages_out);
	put_value(b, "backoffice_sender_rounds_total", "counter",
	    "Rounds the sender ran over the outbox (one per refill or wake, none while it waits).",
	    st.sender_rounds);
	put_value(b, "backoffice_sender_rows_read_total", "counter",
	    "Outbox rows the sender read; over messages sent, the rows read per message.",
	    st.sender_rows_read);
	put_value(b, "backoffice_telegram_last_poll_ok_timestamp_seconds", "gauge",
	    "Unix time of the last successful getUpdates (0: none; webhook mode does not poll).",
	    st.last_poll_ok);
	if (inbox >= 0)
		put_value(b, "backoffice_inbox_pending", "gauge",
		    "Updates stored and not processed yet.", inbox);
	if (outbox >= 0)
		put_value(b, "backoffice_outbox_pending", "gauge",
		    "Outgoing Bot API calls queued and not sent yet.", outbox);
	if (pr.configured) {
		put_head(b, "backoffice_crm_up", "gauge",
		    "The CRM health probe: 1 up, 0 down (absent until known).");
		if (pr.up >= 0)
			buf_printf(b, "backoffice_crm_up %d\n", pr.up);
		put_head(b, "backoffice_crm_probe_latency_seconds", "gauge",
		    "Latency of the last CRM health probe.");
		buf_printf(b, "backoffice_crm_probe_latency_seconds %.3f\n",
		    (double)pr.last_latency_ms / 1e3);
	}

	pthread_mutex_lock(&metrics.mu);
	put_head(b, "backoffice_handler_duration_seconds", "histogram",
	    "Time to process one update (dispatch, handler and commit).");
	put_hist(b, "backoffice_handler_duration_seconds", "", &metrics.handler, handler_bounds,
	    sizeof(handler_bounds) / sizeof(handler_bounds[0]));

	put_head(b, "backoffice_telegram_request_duration_seconds", "histogram",
	    "Bot API call latency by method (getUpdates includes the long-poll wait).");
	for (i = 0; i < metrics.ntg; i++) {
		buf_reset(&lab);
		buf_adds(&lab, "method=\"");
		put_label(&lab, metrics.tg[i].method);
		buf_adds(&lab, "\",");
		put_hist(b, "backoffice_telegram_request_duration_seconds", lab.ptr, &metrics.tg[i].latency,
		    tg_bounds, sizeof(tg_bounds) / sizeof(tg_bounds[0]));
	}
	put_head(b, "backoffice_telegram_requests_total", "counter",
	    "Bot API calls by method and result class.");
	for (i = 0; i < metrics.ntg; i++)
		for (c = 0; c < TG_NCLASSES; c++) {
			if (metrics.tg[i].by_class[c] == 0)
				continue;
			buf_adds(b, "backoffice_telegram_requests_total{method=\"");
			put_label(b, metrics.tg[i].method);
			buf_printf(b, "\",class=\"%s\"} %lld\n", tg_class_name((enum tg_class)c),
			    (long long)metrics.tg[i].by_class[c]);
		}
	put_head(b, "backoffice_telegram_errors_total", "counter",
	    "Failed Bot API calls by error class.");
	for (c = TG_RETRY_AFTER; c < TG_NCLASSES; c++) {
		int64_t n = 0;

		for (i = 0; i < metrics.ntg; i++)
			n += metrics.tg[i].by_class[c];
		buf_printf(b, "backoffice_telegram_errors_total{class=\"%s\"} %lld\n",
		    tg_class_name((enum tg_class)c), (long long)n);
	}

	put_head(b, "backoffice_alerts_opened_total", "counter", "Alert episodes opened by kind.");
	for (i = 0; i < metrics.nalerts; i++) {
		buf_adds(b, "backoffice_alerts_opened_total{kind=\"");
		put_label(b, metrics.alerts[i].kind);
		buf_printf(b, "\"} %lld\n", (long long)metrics.alerts[i].n);
	}

	put_head(b, "backoffice_http_requests_total", "counter",
	    "HTTP requests served, by route and status code.");
	for (i = 0; i < metrics.nhttp; i++) {
		buf_adds(b, "backoffice_http_requests_total{route=\"");
		put_label(b, metrics.http[i].route);
		buf_printf(b, "\",code=\"%d\"} %lld\n", metrics.http[i].code, (long long)metrics.http[i].n);
	}
	pthread_mutex_unlock(&metrics.mu);
	buf_release(&lab);
	resp->status = 200;
	resp->content_type = METRICS_TEXT;
}

void
healthz(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	struct probe_state pr;
	struct stats st;
	cJSON *o, *tg, *q, *crm;
	char *text;
	int64_t now = clock_now(), uptime, ago = -1, inbox, outbox;
	int db_ok, degraded = 0, polling = strcmp(a->cfg.mode, "polling") == 0;

	(void)req;
	pthread_mutex_lock(&a->mu);
	st = a->stats;
	pthread_mutex_unlock(&a->mu);
	probe_get(a, &pr);
	/* reads a page of the file, not only the connection */
	db_ok = db_exec_fixed(db, "SELECT 1 FROM sqlite_schema LIMIT 1") == 0;
	inbox = db_ok ? inbox_pending_count(db) : -1;
	outbox = db_ok ? outbox_pending_count(db) : -1;
	uptime = now - st.started_at;
	if (st.last_poll_ok > 0)
		ago = now - st.last_poll_ok;
	/* polling: a poll ends at least every poll_timeout s; a minute more is trouble */
	if (polling && (ago > a->cfg.poll_timeout + 60 || (ago < 0 && uptime > 60)))
		degraded = 1;
	if (!db_ok || (pr.configured && pr.up == 0))
		degraded = 1;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", degraded ? "degraded" : "ok");
	cJSON_AddNumberToObject(o, "uptime_s", (double)uptime);
	cJSON_AddStringToObject(o, "database", db_ok ? "ok" : "error");
	tg = cJSON_AddObjectToObject(o, "telegram");
	cJSON_AddStringToObject(tg, "mode", a->cfg.mode);
	if (ago >= 0)
		cJSON_AddNumberToObject(tg, "last_poll_ok_s_ago", (double)ago);
	else
		cJSON_AddNullToObject(tg, "last_poll_ok_s_ago");
	cJSON_AddNumberToObject(tg, "errors", (double)st.tg_errors);
	q = cJSON_AddObjectToObject(o, "queues");
	if (inbox >= 0)
		cJSON_AddNumberToObject(q, "inbox", (double)inbox);
	else
		cJSON_AddNullToObject(q, "inbox");
	if (outbox >= 0)
		cJSON_AddNumberToObject(q, "outbox", (double)outbox);
	else
		cJSON_AddNullToObject(q, "outbox");
	crm = cJSON_AddObjectToObject(o, "crm");
	if (pr.configured && pr.up >= 0)
		cJSON_AddBoolToObject(crm, "up", pr.up);
	else
		cJSON_AddNullToObject(crm, "up");
	if (pr.configured && pr.last_at > 0)
		cJSON_AddNumberToObject(crm, "latency_ms", (double)pr.last_latency_ms);
	else
		cJSON_AddNullToObject(crm, "latency_ms");

	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL) {
		http_json_error(resp, 500, "out of memory", NULL);
		return;
	}
	buf_reset(&resp->body);
	buf_adds(&resp->body, text);
	cJSON_free(text);
	resp->status = db_ok ? 200 : 503;
}
