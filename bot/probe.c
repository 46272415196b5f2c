/*
 * probe.c — the CRM health probe, in its own thread: a GET of [monitoring] crm_health_url every
 * probe_interval seconds (connect timeout 5 s, 10 s in all, no redirects). A 2xx answer is a
 * success; anything else, or no answer, a failure. The CRM is called down after probe_failures
 * failures in a row and up again after as many successes; each change opens or closes the "crm"
 * alert episode; an alert that could not be written is tried again every round until it is, and
 * a database that cannot be opened is tried again every round too (the probe never stops).
 * The last result is kept in app->probe (under app->mu) for /health and /metrics.
 *
 * The request runs on a curl multi handle polled in short steps, so a stop is noticed within a
 * fraction of a second even while the CRM hangs.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define PROBE_CONNECT_TIMEOUT	5L	/* seconds */
#define PROBE_TOTAL_TIMEOUT	10L	/* seconds */
#define PROBE_POLL_MS		100	/* a stop is noticed within this */
#define PROBE_BODY_MAX		(64 * 1024)	/* bytes read of an answer; the rest is an error */

/* One probe's outcome. */
struct probe_result {
	int	 ok;			/* 2xx */
	long	 status;		/* HTTP status, 0 without an answer */
	int64_t	 latency_ms;
	char	 error[128];		/* "" when ok */
};

static size_t
probe_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	size_t *got = arg;

	(void)ptr;
	*got += size * nmemb;
	return *got > PROBE_BODY_MAX ? 0 : size * nmemb;	/* the body itself is not needed */
}

/* One GET of url. 0 done (res filled), -1 interrupted by a stop. */
static int
probe_once(struct app *a, const char *url, struct probe_result *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLM *m = NULL;
	CURL *h = NULL;
	CURLMsg *msg;
	CURLcode cc = CURLE_FAILED_INIT;
	size_t got = 0;
	int64_t t0 = clock_mono_ms();
	int running = 1, left, rc = 0;

	memset(res, 0, sizeof(*res));
	if ((h = curl_easy_init()) == NULL || (m = curl_multi_init()) == NULL) {
		str_copy(res->error, sizeof(res->error), "out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, PROBE_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, PROBE_TOTAL_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "backoffice-probe/" BO_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, probe_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_multi_add_handle(m, h);
	while (running) {
		if (a->stop) {
			rc = -1;
			goto out;
		}
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running && curl_multi_poll(m, NULL, 0, PROBE_POLL_MS, NULL) != CURLM_OK)
			break;
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h)
			cc = msg->data.result;
	res->latency_ms = clock_mono_ms() - t0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	if (cc != CURLE_OK) {
		res->status = cc == CURLE_WRITE_ERROR ? res->status : 0;
		snprintf(res->error, sizeof(res->error), "%s", cc == CURLE_WRITE_ERROR ?
		    "answer too long" : errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else if (res->status < 200 || res->status > 299)
		snprintf(res->error, sizeof(res->error), "HTTP %ld", res->status);
	else
		res->ok = 1;
out:
	if (m != NULL && h != NULL)
		curl_multi_remove_handle(m, h);
	if (h != NULL)
		curl_easy_cleanup(h);
	if (m != NULL)
		curl_multi_cleanup(m);
	return rc;
}

/* The host (and port) of a URL, escaped; never its user, password, path or query. */
static void
probe_host(const char *url, struct buf *b)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		buf_add_html(b, host);
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			buf_printf(b, ":%s", port);
	} else
		buf_adds(b, "?");
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* The alert for a change of state, in its own transaction. 0 ok, -1 failed. */
static int
probe_alert(struct app *a, struct db *db, int up, const struct probe_result *res)
{
	struct app_live live;
	struct buf b;
	int r, en;

	app_live(a, &live);
	en = live.language == LANG_EN;
	buf_init(&b, 0);
	if (up)
		buf_printf(&b, en ? "✅ The CRM is up again (HTTP %ld, %lld ms)" :
		    "✅ CRM снова доступна (HTTP %ld, %lld мс)", res->status,
		    (long long)res->latency_ms);
	else {
		buf_adds(&b, en ? "🔴 <b>The CRM is down</b>: " : "🔴 <b>CRM недоступна</b>: ");
		buf_add_html(&b, res->error);
		/* only the host: a health URL may carry credentials or a token */
		buf_adds(&b, en ? "\nchecked host: " : "\nпроверяемый хост: ");
		probe_host(a->cfg.crm_health_url, &b);
	}
	if (db_begin(db) == -1) {
		buf_release(&b);
		return -1;
	}
	r = up ? alert_resolve(a, db, "crm", b.ptr) :
	    alert_raise(a, db, "crm", "crm", 0, ALERT_CRIT, b.ptr);
	buf_release(&b);
	if (r == -1) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) == -1)
		return -1;
	if (r == 1)
		app_wake_sender(a);
	return 0;
}

/* The probe's own connection, opened on first need. Unlike app_thread_db a failure does not stop
 * the bot: the probe goes on and tries again at its next round. NULL: not open (logged once). */
static struct db *
probe_db(struct app *a, int *warned)
{
	char errbuf[256];
	struct db *db;

	if ((db = db_open(a->cfg.database, errbuf, sizeof(errbuf))) != NULL) {
		if (*warned)
			log_info("probe: the database is open again");
		*warned = 0;
		return db;
	}
	if (!*warned)
		log_error("probe: cannot open database '%s': %s; retrying every %llds",
		    a->cfg.database, errbuf, (long long)a->cfg.probe_interval);
	*warned = 1;
	return NULL;
}

void *
probe_thread(void *arg)
{
	struct app *a = arg;
	struct probe_result res, due_res;
	struct db *db = NULL;
	const char *url = a->cfg.crm_health_url;
	int64_t k = a->cfg.probe_failures, streak = 0, next;
	int up = -1, pending = -1, was, due = 0, db_warned = 0, failed = 0;

	pthread_mutex_lock(&a->mu);
	memset(&a->probe, 0, sizeof(a->probe));
	a->probe.up = -1;
	a->probe.configured = url != NULL && url[0] != '\0';
	pthread_mutex_unlock(&a->mu);
	if (url == NULL || url[0] == '\0')
		return NULL;
	memset(&due_res, 0, sizeof(due_res));
	log_info("probe: checking the crm every %llds", (long long)a->cfg.probe_interval);
	while (!a->stop) {
		next = clock_mono_ms() + a->cfg.probe_interval * 1000;
		if (probe_once(a, url, &res) == -1)
			break;
		/* a streak counts results that disagree with the current state */
		if (res.ok == (up == 1) && up != -1)
			streak = 0;
		else if (res.ok == pending)
			streak++;
		else {
			pending = res.ok;
			streak = 1;
		}
		was = up;
		if (streak >= k) {
			up = res.ok;
			streak = 0;
			pending = -1;
		}
		pthread_mutex_lock(&a->mu);
		a->probe.last_at = clock_now();
		a->probe.last_latency_ms = res.latency_ms;
		a->probe.last_status = res.status;
		str_copy(a->probe.last_error, sizeof(a->probe.last_error), res.error);
		if (up != was) {
			a->probe.up = up;
			a->probe.changed_at = a->probe.last_at;
		}
		pthread_mutex_unlock(&a->mu);
		if (!res.ok)
			log_debug("probe: %s", res.error);
		if (up != was) {
			if (up)
				log_info("probe: the crm is up (HTTP %ld, %lld ms)", res.status,
				    (long long)res.latency_ms);
			else
				log_warn("probe: the crm is down: %s", res.error);
			/* the alert for the latest change is due until it is written */
			due = 1;
			due_res = res;
		}
		/* a change whose alert could not be written (a busy database, I/O, no connection)
		 * is tried again every round until it is; a newer change replaces it */
		if (due && db == NULL)
			db = probe_db(a, &db_warned);
		if (due && db != NULL) {
			/* from "not known yet" to up: an episode left open before a restart closes */
			if (probe_alert(a, db, up, &due_res) == 0) {
				if (failed)
					log_info("probe: the crm %s alert is recorded at last",
					    up ? "up" : "down");
				due = failed = 0;
			} else {
				if (!failed)
					log_error("probe: the crm %s alert was not recorded; retrying "
					    "every %llds", up ? "up" : "down",
					    (long long)a->cfg.probe_interval);
				failed = 1;
			}
		}
		app_sleep(a, next - clock_mono_ms());
	}
	if (db != NULL)
		db_close(db);
	return NULL;
}

void
probe_get(struct app *a, struct probe_state *out)
{
	pthread_mutex_lock(&a->mu);
	*out = a->probe;
	pthread_mutex_unlock(&a->mu);
}
