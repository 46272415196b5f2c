/*
 * tg.c — the Telegram Bot API client: JSON POSTs over one reused libcurl easy handle, and the
 * classification of every answer into what the caller should do next (tg_class).
 * The token lives only in the URL prefix; no log line or description ever contains it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "bot/json.h"

#define TG_BODY_MAX	(8u << 20)		/* a getUpdates answer is far below this */
#define TG_METHOD_MAX	64

struct tg_client {
	CURL			*curl;
	struct curl_slist	*headers;
	char			*base;		/* api_url/bot<token>/ — secret, never logged */
	char			*token;		/* to keep curl's error text from leaking it */
	int64_t			 connect_timeout;
	volatile sig_atomic_t	*abort_flag;	/* may be NULL */
	struct buf		 body;		/* the response being received */
	char			 errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t tg_once = PTHREAD_ONCE_INIT;

/* curl_global_init is not thread-safe: run it once, before any handle exists. */
static void
tg_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *
tg_class_name(enum tg_class c)
{
	switch (c) {
	case TG_OK: return "ok";
	case TG_NOT_MODIFIED: return "not_modified";
	case TG_RETRY_AFTER: return "retry_after";
	case TG_TRANSIENT: return "transient";
	case TG_CONFLICT: return "conflict";
	case TG_UNAUTHORIZED: return "unauthorized";
	case TG_BLOCKED: return "blocked";
	case TG_MIGRATED: return "migrated";
	case TG_BAD_REQUEST: return "bad_request";
	}
	return "unknown";
}

/* A JSON number written as an integer below 2^53 in magnitude. 0 ok, -1 not. */
static int
tg_json_int(const cJSON *it, int64_t *out)
{
	return json_integer(it, out) == 0 ? 0 : -1;
}

/* Not a Bot API answer: a proxy's error page, a cut-off body. Retried; the log says which. */
static void
tg_malformed(struct tg_result *res)
{
	res->cls = TG_TRANSIENT;
	if (res->http_status != 200)
		snprintf(res->description, sizeof(res->description),
		    "malformed response, HTTP %ld", res->http_status);
	else
		str_copy(res->description, sizeof(res->description), "malformed response");
}

/*
 * An answer whose result is an array (getUpdates: up to 100 updates, or however many a server
 * that ignores the limit sends) is not read as one tree: the envelope is parsed with the array
 * cut out, and the array's text is handed over as written, for its reader to parse element by
 * element. 1 and the array's span when the answer is such an "ok": true one, else 0 (read it
 * whole).
 */
static int
tg_array_span(const char *body, size_t len, size_t *off, size_t *vlen)
{
	size_t n;
	cJSON *root;
	char *env;
	int ok;

	if (json_member_span(body, len, "result", off, vlen) != 1 || body[*off] != '[' ||
	    memchr(body + *off, '\0', *vlen) != NULL ||
	    json_array_spans(body + *off, *vlen, NULL, NULL) == -1)
		return 0;
	n = len - *vlen + 2;
	if ((env = malloc(n)) == NULL)
		return 0;
	memcpy(env, body, *off);
	memcpy(env + *off, "[]", 2);
	memcpy(env + *off + 2, body + *off + *vlen, len - *off - *vlen);
	root = json_parse(env, n);
	free(env);
	ok = root != NULL && cJSON_IsObject(root) &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "ok"));
	cJSON_Delete(root);
	return ok;
}

static int
tg_classify_array(long http_status, const char *body, size_t len, struct tg_result *res)
{
	size_t off, vlen;

	if (!tg_array_span(body, len, &off, &vlen) || (res->result = cJSON_malloc(vlen + 1)) == NULL)
		return 0;
	memcpy(res->result, body + off, vlen);
	res->result[vlen] = '\0';
	res->http_status = http_status;
	res->cls = TG_OK;
	return 1;
}

void
tg_classify(long http_status, const char *body, size_t len, struct tg_result *res)
{
	cJSON *root = NULL;
	const cJSON *ok, *params;
	cJSON *it;
	int64_t code = 0, v;

	memset(res, 0, sizeof(*res));
	res->http_status = http_status;
	res->cls = TG_TRANSIENT;
	if (body != NULL && len > 0 && tg_classify_array(http_status, body, len, res))
		return;
	if (body == NULL || len == 0 || (root = json_parse(body, len)) == NULL ||
	    !cJSON_IsObject(root) ||
	    !cJSON_IsBool(ok = cJSON_GetObjectItemCaseSensitive(root, "ok"))) {
		tg_malformed(res);
		goto out;
	}
	if (cJSON_IsTrue(ok)) {
		it = cJSON_GetObjectItemCaseSensitive(root, "result");
		if (it == NULL) {
			tg_malformed(res);
			goto out;
		}
		/* a sent Message's id, read once here rather than from the text again */
		if (cJSON_IsObject(it) && (json_integer(cJSON_GetObjectItemCaseSensitive(it,
		    "message_id"), &v) != 0 || v < 0))
			v = 0;
		res->message_id = cJSON_IsObject(it) ? v : 0;
		/* as Telegram wrote it: a NUL stays "\u0000", numbers keep their text */
		if ((res->result = json_print(it)) == NULL) {
			str_copy(res->description, sizeof(res->description), "out of memory");
			goto out;
		}
		res->cls = TG_OK;
		goto out;
	}

	/* ok:false — error_code ("subject to change") backs up the HTTP status */
	it = cJSON_GetObjectItemCaseSensitive(root, "error_code");
	if (tg_json_int(it, &code) == -1 || code < 100 || code > 599)
		code = http_status;
	res->error_code = (int)code;
	it = cJSON_GetObjectItemCaseSensitive(root, "description");
	if (cJSON_IsString(it) && it->valuestring != NULL && it->valuestring[0] != '\0')
		str_copy(res->description, sizeof(res->description), it->valuestring);
	else
		snprintf(res->description, sizeof(res->description), "error %d", res->error_code);
	params = cJSON_GetObjectItemCaseSensitive(root, "parameters");
	if (cJSON_IsObject(params)) {
		if (tg_json_int(cJSON_GetObjectItemCaseSensitive(params, "retry_after"), &v) == 0 &&
		    v > 0)
			res->retry_after = v;
		if (tg_json_int(cJSON_GetObjectItemCaseSensitive(params, "migrate_to_chat_id"),
		    &v) == 0)
			res->migrate_to = v;
	}

	if (code == 429) {
		res->cls = TG_RETRY_AFTER;
		if (res->retry_after <= 0)
			res->retry_after = 1;
	} else if (code == 409)
		res->cls = TG_CONFLICT;
	else if (code == 401 || code == 404)
		res->cls = TG_UNAUTHORIZED;	/* the API answers 404 Not Found to a bad token */
	else if (code == 403)
		res->cls = TG_BLOCKED;
	else if (code == 400 && res->migrate_to != 0)
		res->cls = TG_MIGRATED;
	else if (code == 400 && strcasestr(res->description, "message is not modified") != NULL)
		res->cls = TG_NOT_MODIFIED;
	else if (code >= 400 && code <= 499)
		res->cls = TG_BAD_REQUEST;
	else
		res->cls = TG_TRANSIENT;	/* 5xx, or an error code we do not know */
out:
	cJSON_Delete(root);
}

void
tg_result_release(struct tg_result *res)
{
	if (res == NULL)
		return;
	cJSON_free(res->result);
	res->result = NULL;
}

static size_t
tg_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct tg_client *tg = arg;
	size_t n = size * nmemb;

	/* returning less than n makes curl fail with CURLE_WRITE_ERROR */
	if (buf_add(&tg->body, data, n) == -1)
		return 0;
	return n;
}

static int
tg_xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct tg_client *tg = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return tg->abort_flag != NULL && *tg->abort_flag != 0;
}

struct tg_client *
tg_new(const char *api_url, const char *token, int64_t connect_timeout_s)
{
	struct tg_client *tg = NULL;
	struct buf url;
	size_t ulen;
	int ok = 0;

	buf_init(&url, 4096);
	pthread_once(&tg_once, tg_global_init);
	if (api_url == NULL || token == NULL || (tg = calloc(1, sizeof(*tg))) == NULL)
		goto out;
	buf_init(&tg->body, TG_BODY_MAX);
	tg->connect_timeout = connect_timeout_s > 0 ? connect_timeout_s : 10;
	ulen = strlen(api_url);
	if (ulen > 0 && api_url[ulen - 1] == '/')
		ulen--;
	if (buf_add(&url, api_url, ulen) == -1 || buf_printf(&url, "/bot%s/", token) == -1)
		goto out;
	if ((tg->token = strdup(token)) == NULL)
		goto out;
	tg->base = buf_detach(&url);
	if ((tg->curl = curl_easy_init()) == NULL)
		goto out;
	if ((tg->headers = curl_slist_append(NULL, "Content-Type: application/json")) == NULL)
		goto out;
	/* no "Expect: 100-continue" round trip for larger bodies */
	if ((tg->headers = curl_slist_append(tg->headers, "Expect:")) == NULL)
		goto out;
	curl_easy_setopt(tg->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(tg->curl, CURLOPT_HTTPHEADER, tg->headers);
	curl_easy_setopt(tg->curl, CURLOPT_CONNECTTIMEOUT, (long)tg->connect_timeout);
	curl_easy_setopt(tg->curl, CURLOPT_WRITEFUNCTION, tg_write_cb);
	curl_easy_setopt(tg->curl, CURLOPT_WRITEDATA, tg);
	curl_easy_setopt(tg->curl, CURLOPT_XFERINFOFUNCTION, tg_xferinfo_cb);
	curl_easy_setopt(tg->curl, CURLOPT_XFERINFODATA, tg);
	curl_easy_setopt(tg->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(tg->curl, CURLOPT_ERRORBUFFER, tg->errbuf);
	/* a held long poll must notice a dead peer (TELEGRAM.md 4.1.6) */
	curl_easy_setopt(tg->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(tg->curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(tg->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	ok = 1;
out:
	buf_release(&url);
	if (!ok) {
		tg_free(tg);
		tg = NULL;
	}
	return tg;
}

void
tg_set_abort_flag(struct tg_client *tg, volatile sig_atomic_t *flag)
{
	tg->abort_flag = flag;
}

/* Method names are plain identifiers: nothing that could reshape the URL. */
static int
tg_method_ok(const char *m)
{
	size_t i;

	for (i = 0; m[i] != '\0'; i++) {
		char c = m[i];

		if (i >= TG_METHOD_MAX || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return i > 0;
}

/* curl's detailed text when it is safe (no token in it), else the generic one. */
static void
tg_curl_error(struct tg_client *tg, CURLcode cc, struct tg_result *res)
{
	const char *msg = curl_easy_strerror(cc);

	if (cc == CURLE_WRITE_ERROR && tg->body.overflow)
		msg = "response too large";
	else if (cc == CURLE_ABORTED_BY_CALLBACK)
		msg = "aborted by shutdown";
	else if (tg->errbuf[0] != '\0' && strstr(tg->errbuf, tg->token) == NULL &&
	    strstr(tg->errbuf, "/bot") == NULL)
		msg = tg->errbuf;
	str_copy(res->description, sizeof(res->description), msg);
}

enum tg_class
tg_call(struct tg_client *tg, const char *method, const char *json, int64_t timeout_s,
    struct tg_result *res)
{
	struct buf url;
	CURLcode cc;
	size_t off, vlen;
	long status = 0;
	int64_t t0 = clock_mono_ms();
	const char *name = method != NULL && tg_method_ok(method) ? method : "(bad method)";

	memset(res, 0, sizeof(*res));
	res->cls = TG_TRANSIENT;
	buf_init(&url, 8192);
	if (method != name) {
		str_copy(res->description, sizeof(res->description), "bad method name");
		res->cls = TG_BAD_REQUEST;
		res->connect_failed = 1;
		goto out;
	}
	if (buf_adds(&url, tg->base) == -1 || buf_adds(&url, method) == -1) {
		str_copy(res->description, sizeof(res->description), "out of memory");
		res->connect_failed = 1;
		goto out;
	}
	if (json == NULL)
		json = "{}";
	buf_reset(&tg->body);
	tg->errbuf[0] = '\0';
	curl_easy_setopt(tg->curl, CURLOPT_URL, url.ptr);
	curl_easy_setopt(tg->curl, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(tg->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	curl_easy_setopt(tg->curl, CURLOPT_TIMEOUT, (long)(timeout_s > 0 ? timeout_s : 30));
	cc = curl_easy_perform(tg->curl);
	/* the handle must not keep pointers into the caller's memory */
	curl_easy_setopt(tg->curl, CURLOPT_POSTFIELDS, NULL);
	if (cc != CURLE_OK) {
		tg_curl_error(tg, cc, res);
		res->connect_failed = cc == CURLE_COULDNT_CONNECT ||
		    cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY;
		goto out;
	}
	curl_easy_getinfo(tg->curl, CURLINFO_RESPONSE_CODE, &status);
	if (tg->body.cap > 0 && tg_array_span(tg->body.ptr, tg->body.len, &off, &vlen)) {
		/* the array becomes the result in the answer's own buffer: no second copy of a
		 * long getUpdates answer */
		memmove(tg->body.ptr, tg->body.ptr + off, vlen);
		tg->body.ptr[vlen] = '\0';
		res->result = buf_detach(&tg->body);
		res->http_status = status;
		res->cls = TG_OK;
	} else
		tg_classify(status, tg->body.ptr, tg->body.len, res);
out:
	res->latency_ms = clock_mono_ms() - t0;
	explicit_bzero(url.ptr, url.len);	/* it holds the token */
	buf_release(&url);
	if (tg->body.cap > (64u << 10))
		buf_release(&tg->body);		/* do not keep a rare huge answer's memory */
	if (res->cls == TG_OK || res->cls == TG_NOT_MODIFIED)
		log_debug("tg: %s %s in %lld ms", name, tg_class_name(res->cls),
		    (long long)res->latency_ms);
	else
		log_debug("tg: %s failed: %s \"%s\" (http %ld, %lld ms)", name,
		    tg_class_name(res->cls), res->description, res->http_status,
		    (long long)res->latency_ms);
	return res->cls;
}

void
tg_free(struct tg_client *tg)
{
	if (tg == NULL)
		return;
	if (tg->curl != NULL)
		curl_easy_cleanup(tg->curl);
	curl_slist_free_all(tg->headers);
	if (tg->base != NULL) {
		explicit_bzero(tg->base, strlen(tg->base));
		free(tg->base);
	}
	if (tg->token != NULL) {
		explicit_bzero(tg->token, strlen(tg->token));
		free(tg->token);
	}
	buf_release(&tg->body);
	free(tg);
}
