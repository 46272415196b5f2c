/*
 * http.c — the HTTP server: one libwebsockets context served by the main thread, which also
 * handles SIGHUP reloads from a timer between events (the scheduler has its own thread).
 *
 * One request, in lws callbacks:
 *   HTTP             method, path, query and the few headers we use are copied out, and the
 *                    framing is checked (http_framing.c): a Content-Length or Transfer-Encoding
 *                    two parsers could read differently is answered 400 (411 without a length)
 *                    and the connection closed. A request without a body is answered at once,
 *                    and so is one over the limit while the client waits for "100 Continue"
 *                    (413); both then close: lws keeps what follows such a request out of our
 *                    sight, and would serve it as the next request;
 *   HTTP_BODY        the body is gathered (over [http] body_limit it is read and dropped, 413);
 *   BODY_COMPLETION  noted; the route waits for the next writeable callback, so that lws has
 *                    had its service pass over bytes it read beyond the body (it reports the
 *                    completion again for them);
 *   HTTP_WRITEABLE   bytes after the body (reported by lws or waiting on the socket): 400 and
 *                    close, the route never runs; otherwise the route runs. Then headers, the
 *                    body in chunks, and the connection is kept for the next request only when
 *                    nothing came after this one (lws_http_transaction_completed).
 * Every route runs in this thread with the main database connection and owns its transactions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <sodium.h>

#include "bot/bot.h"
#include "storage/storage.h"

#define HTTP_TICK_MS	200		/* reload and stop checks between events */
#define HTTP_HDR_MAX	1024		/* longest header value we keep (Authorization, secret) */
#define HTTP_HDR_REPEAT_MAX 16		/* instances of one header counted (2 is already too many) */
#define HTTP_PATH_MAX	2048
#define HTTP_CHUNK	16384		/* body bytes per lws_write */
#define HTTP_RESP_MAX	(32u << 20)	/* a response larger than this is a bug: 500 */
#define HTTP_JSON	"application/json; charset=utf-8"

/*
 * The routes. Columns:
 *   method   the one method the route answers (another method on the same path → 405);
 *   pattern  the path; a "{}" segment matches one non-empty segment, handed to the handler
 *            in req->params[] in order;
 *   auth     1: needs "Authorization: Bearer <[http] api_token>" (401 otherwise, checked
 *            before the handler runs);
 *   name     the route label of http_requests_total;
 *   fn       the handler: fills resp (status and JSON body).
 * /metrics and /healthz need no token: expose them to the monitoring network only (firewall).
 * The webhook checks Telegram's secret header itself.
 */
static const struct http_route http_routes[] = {
	{ "GET",	"/healthz",			0, "healthz",	healthz },
	{ "GET",	"/metrics",			0, "metrics",	metrics_page },
	{ "POST",	"/telegram/webhook",		0, "webhook",	webhook_receive },
	{ "POST",	"/api/v1/events",		1, "events",	api_events },
	{ "PUT",	"/api/v1/partners/{}/volume",	1, "volume",	api_volume },
	{ "GET",	"/api/v1/partners/{}/status",	1, "status",	api_status },
	{ "POST",	"/api/v1/payments",		1, "payments",	api_payments },
};
#define HTTP_NROUTES (sizeof(http_routes) / sizeof(http_routes[0]))

/* The server: one per process, reached from callbacks through the context's user pointer. */
struct http_server {
	struct app		*app;
	struct db		*db;
	struct lws_context	*ctx;
	lws_sorted_usec_list_t	 tick;		/* the periodic timer */
	uint32_t		 id_prefix;	/* random per start: request ids differ across restarts */
	uint64_t		 seq;		/* requests so far */
};

/* Per connection; one request at a time (HTTP/1.1 keep-alive reuses it after a reset). */
struct http_session {
	int		 active;	/* a request is being read or answered */
	char		 method[8];
	char		*path;		/* owned, decoded by lws */
	char		*query;		/* owned, "" when none */
	char		*auth;		/* owned: Authorization, NULL when absent */
	char		*secret;	/* owned: X-Telegram-Bot-Api-Secret-Token, NULL when absent */
	char		*content_type;	/* owned, NULL when absent */
	char		 request_id[24];
	int64_t		 started_us;
	struct http_framing frame;	/* the body's length and what arrived */
	int		 close_after;	/* close after answering (never keep-alive) */
	int		 oom;		/* the body could not be kept: 500 */
	struct buf	 body;
	int		 ready;		/* resp is filled in */
	struct http_resp resp;
	const char	*route;		/* route label, "none" when no route matched */
	char		 allow[64];	/* 405: the methods the path answers */
	int		 headers_sent;
	size_t		 sent;		/* body bytes written */
};

static const struct {
	enum lws_token_indexes	 tok;
	const char		*name;
} http_methods[] = {
	{ WSI_TOKEN_GET_URI, "GET" },
	{ WSI_TOKEN_POST_URI, "POST" },
	{ WSI_TOKEN_PUT_URI, "PUT" },
	{ WSI_TOKEN_PATCH_URI, "PATCH" },
	{ WSI_TOKEN_DELETE_URI, "DELETE" },
	{ WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
	{ WSI_TOKEN_HEAD_URI, "HEAD" },
};

void
http_json_error(struct http_resp *resp, int status, const char *error, const char *field)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;

	resp->status = status;
	resp->content_type = NULL;
	buf_reset(&resp->body);
	if (o != NULL && cJSON_AddStringToObject(o, "error", error ? error : "") != NULL &&
	    (field == NULL || cJSON_AddStringToObject(o, "field", field) != NULL))
		text = cJSON_PrintUnformatted(o);
	if (text == NULL || buf_adds(&resp->body, text) == -1) {
		resp->status = 500;
		buf_reset(&resp->body);
		buf_adds(&resp->body, "{\"error\":\"out of memory\"}");
	}
	cJSON_free(text);
	cJSON_Delete(o);
}

int
http_secret_equal(const char *given, const char *expected)
{
	unsigned char hg[crypto_generichash_BYTES], he[crypto_generichash_BYTES];

	if (given == NULL || expected == NULL || *expected == '\0')
		return 0;
	/* Hashes of equal size compared in constant time: neither the content nor the length of
	 * the expected secret shows in the timing. */
	crypto_generichash(hg, sizeof(hg), (const unsigned char *)given, strlen(given), NULL, 0);
	crypto_generichash(he, sizeof(he), (const unsigned char *)expected, strlen(expected), NULL, 0);
	return sodium_memcmp(hg, he, sizeof(hg)) == 0;
}

/* "Bearer <token>" (scheme case-insensitive) against [http] api_token. */
static int
http_bearer_ok(const char *auth, const char *token)
{
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return http_secret_equal(auth, token);
}

/*
 * 1 when path matches pattern; the "{}" segments are copied into scratch (at least as large as
 * path) and pointed to by params.
 */
static int
http_match(const char *pattern, const char *path, char *scratch, const char **params, int *nparams)
{
	const char *p = pattern, *q = path;
	char *out = scratch;
	int n = 0;

	while (*p != '\0' && *q != '\0') {
		size_t plen = strcspn(p, "/"), qlen = strcspn(q, "/");

		if (plen == 2 && memcmp(p, "{}", 2) == 0) {
			if (qlen == 0 || n == HTTP_MAX_PARAMS)
				return 0;
			memcpy(out, q, qlen);
			out[qlen] = '\0';
			params[n++] = out;
			out += qlen + 1;
		} else if (plen != qlen || memcmp(p, q, plen) != 0)
			return 0;
		p += plen;
		q += qlen;
		if (*p != *q)
			return 0;	/* one ends where the other has a '/' */
		if (*p == '/') {
			p++;
			q++;
		}
	}
	if (*p != '\0' || *q != '\0')
		return 0;
	*nparams = n;
	return 1;
}

static void
http_session_reset(struct http_session *s)
{
	if (s->active) {
		free(s->path);
		free(s->query);
		free(s->auth);
		free(s->secret);
		free(s->content_type);
		buf_release(&s->body);
		buf_release(&s->resp.body);
	}
	memset(s, 0, sizeof(*s));
}

/* A copy of header h (NULL when absent or longer than max). */
static char *
http_header(struct lws *wsi, enum lws_token_indexes h, int max)
{
	int len = lws_hdr_total_length(wsi, h);
	char *v;

	if (len <= 0 || len > max || (v = malloc((size_t)len + 1)) == NULL)
		return NULL;
	if (lws_hdr_copy(wsi, v, len + 1, h) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

static char *
http_custom_header(struct lws *wsi, const char *name, int max)
{
	int nlen = (int)strlen(name), len = lws_hdr_custom_length(wsi, name, nlen);
	char *v;

	if (len < 0 || len > max || (v = malloc((size_t)len + 1)) == NULL)
		return NULL;
	if (lws_hdr_custom_copy(wsi, v, len + 1, name, nlen) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* The path for a log line: bounded, control characters shown as '?'. */
static void
http_log_path(const char *path, char *out, size_t outsz)
{
	size_t i;

	str_copy(out, outsz, path);
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
}

/* Picks the route, checks the token and the body size, runs the handler: fills s->resp. */
static void
http_dispatch(struct http_server *srv, struct http_session *s)
{
	const struct http_route *r, *hit = NULL;
	struct http_req req;
	char *allow = s->allow, *scratch;
	size_t i;

	memset(&req, 0, sizeof(req));
	req.method = s->method;
	req.path = s->path;
	req.query = s->query;
	req.body = s->body.ptr;
	req.body_len = s->body.len;
	req.webhook_secret = s->secret ? s->secret : "";
	req.content_type = s->content_type ? s->content_type : "";
	str_copy(req.request_id, sizeof(req.request_id), s->request_id);
	s->resp.status = 0;
	s->resp.content_type = NULL;
	s->route = "none";
	s->ready = 1;

	if (s->frame.action == HTTP_FRAMING_REFUSE) {
		/* the connection's framing is in doubt: answered before any route or token */
		http_json_error(&s->resp, s->frame.status, s->frame.error, NULL);
		metrics_http(s->route, s->resp.status);
		return;
	}
	if ((scratch = malloc(strlen(s->path) + 1)) == NULL) {
		http_json_error(&s->resp, 500, "out of memory", NULL);
		return;
	}
	allow[0] = '\0';
	for (i = 0; i < HTTP_NROUTES; i++) {
		const char *params[HTTP_MAX_PARAMS];
		int n;

		r = &http_routes[i];
		if (!http_match(r->pattern, s->path, scratch, params, &n))
			continue;
		if (strcmp(r->method, s->method) == 0) {
			hit = r;
			memcpy(req.params, params, sizeof(params));
			req.nparams = n;
			break;
		}
		if (strstr(allow, r->method) == NULL)
			snprintf(allow + strlen(allow), sizeof(s->allow) - strlen(allow), "%s%s",
			    allow[0] ? ", " : "", r->method);
	}
	if (hit == NULL) {
		if (allow[0])
			http_json_error(&s->resp, 405, "method not allowed", NULL);
		else
			http_json_error(&s->resp, 404, "not found", NULL);
		goto out;
	}
	s->route = hit->name;
	req.authorized = http_bearer_ok(s->auth, srv->app->cfg.api_token);
	if (hit->auth && srv->app->cfg.api_token[0] == '\0') {
		http_json_error(&s->resp, 401, "API disabled: set [http] api_token", NULL);
		goto out;
	}
	if (hit->auth && !req.authorized) {
		http_json_error(&s->resp, 401, s->auth ? "wrong bearer token" :
		    "missing Authorization: Bearer token", NULL);
		goto out;
	}
	if (s->frame.too_large) {
		char msg[96];

		snprintf(msg, sizeof(msg), "body too large (limit %lld bytes)",
		    (long long)srv->app->cfg.http_body_limit);
		http_json_error(&s->resp, 413, msg, NULL);
		goto out;
	}
	if (s->oom) {
		http_json_error(&s->resp, 500, "out of memory", NULL);
		goto out;
	}
	hit->fn(srv->app, srv->db, &req, &s->resp);
	if (s->resp.body.overflow) {
		log_error("http: %s %s: the response is too large", s->request_id, hit->name);
		http_json_error(&s->resp, 500, "internal error", NULL);
	} else if (s->resp.status < 100 || s->resp.status > 599) {
		log_error("http: %s %s: the handler set no status", s->request_id, hit->name);
		http_json_error(&s->resp, 500, "internal error", NULL);
	}
out:
	free(scratch);
	metrics_http(s->route, s->resp.status);
}

/* The query string, its parameters joined by '&' (lws splits and decodes them). */
static char *
http_query(struct lws *wsi)
{
	struct buf q;
	char frag[HTTP_PATH_MAX];
	int i, n;

	buf_init(&q, HTTP_PATH_MAX);
	for (i = 0; (n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS,
	    i)) >= 0; i++) {
		if ((i > 0 && buf_addc(&q, '&') == -1) || buf_add(&q, frag, (size_t)n) == -1)
			break;
	}
	if (q.overflow) {
		buf_release(&q);
		return NULL;
	}
	return q.cap ? buf_detach(&q) : strdup("");
}

/* How many times header h came: lws keeps each as a fragment (an empty one copies as ""). */
static int
http_header_count(struct lws *wsi, enum lws_token_indexes h)
{
	char v[1];
	int n;

	for (n = 0; n < HTTP_HDR_REPEAT_MAX; n++)
		if (lws_hdr_fragment_length(wsi, h, n) == 0 &&
		    lws_hdr_copy_fragment(wsi, v, sizeof(v), h, n) < 0)
			break;
	return n;
}

/*
 * The framing headers as lws parsed them, checked (http_framing_check). A name with blanks
 * before its colon is not one lws knows, so it lands among the custom headers: looked up there,
 * since a laxer parser in front of us may take it for the real one. 0 ok, -1 out of memory.
 */
static int
http_framing_read(struct lws *wsi, const char *method, int64_t limit, struct http_framing *f)
{
	static const char *const spaced[] = { "content-length :", "content-length\t:",
	    "transfer-encoding :", "transfer-encoding\t:" };
	struct http_framing_in in;
	char expect[32] = "", *cl = NULL;
	size_t i;
	int len;

	memset(&in, 0, sizeof(in));
	in.method = method;
	in.body_limit = limit;
	in.ncl = http_header_count(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
	in.nte = http_header_count(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING);
	for (i = 0; i < sizeof(spaced) / sizeof(spaced[0]); i++)
		if (lws_hdr_custom_length(wsi, spaced[i], (int)strlen(spaced[i])) >= 0)
			in.spaced_name = 1;
	if (in.ncl > 0) {
		len = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 0);
		if ((cl = malloc((size_t)len + 1)) == NULL)
			return -1;
		if (lws_hdr_copy_fragment(wsi, cl, len + 1, WSI_TOKEN_HTTP_CONTENT_LENGTH, 0) < 0)
			cl[0] = '\0';
		in.cl = cl;
	}
	if (lws_hdr_copy(wsi, expect, sizeof(expect), WSI_TOKEN_HTTP_EXPECT) > 0)
		in.expect_continue = strcasecmp(expect, "100-continue") == 0;
	http_framing_check(&in, f);
	free(cl);
	return 0;
}

/* 1 when the client has sent bytes we have not read yet (a peek; nothing is consumed). */
static int
http_bytes_waiting(struct lws *wsi)
{
	char c;

	return recv(lws_get_socket_fd(wsi), &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/*
 * A new request on this connection: copies what the routes need out of lws's header store and
 * checks the framing. 0 answer now, 1 a body follows, -1 out of memory.
 */
static int
http_begin(struct http_server *srv, struct http_session *s, struct lws *wsi, const char *uri)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	unsigned char cb[LWS_PRE + sizeof(cont)];
	size_t i;

	http_session_reset(s);
	s->active = 1;
	s->started_us = clock_mono_us();
	buf_init(&s->body, (size_t)srv->app->cfg.http_body_limit);
	buf_init(&s->resp.body, HTTP_RESP_MAX);
	snprintf(s->request_id, sizeof(s->request_id), "%08x-%06llx", (unsigned)srv->id_prefix,
	    (unsigned long long)++srv->seq);
	str_copy(s->method, sizeof(s->method), "?");
	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (lws_hdr_total_length(wsi, http_methods[i].tok) > 0) {
			str_copy(s->method, sizeof(s->method), http_methods[i].name);
			break;
		}
	s->path = strndup(uri ? uri : "/", HTTP_PATH_MAX);
	s->query = http_query(wsi);
	s->auth = http_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, HTTP_HDR_MAX);
	s->content_type = http_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, HTTP_HDR_MAX);
	s->secret = http_custom_header(wsi, "x-telegram-bot-api-secret-token:", HTTP_HDR_MAX);
	if (s->path == NULL || s->query == NULL ||
	    http_framing_read(wsi, s->method, srv->app->cfg.http_body_limit, &s->frame) == -1)
		return -1;
	switch (s->frame.action) {
	case HTTP_FRAMING_REFUSE:
		log_info("http: %s: refused: %s", s->request_id, s->frame.error);
		s->close_after = 1;
		return 0;
	case HTTP_FRAMING_NONE:
		s->close_after = 1;
		return 0;
	case HTTP_FRAMING_BODY:
		break;
	}
	if (s->frame.expect_continue && !s->frame.too_large) {
		memcpy(cb + LWS_PRE, cont, sizeof(cont) - 1);
		if (lws_write(wsi, cb + LWS_PRE, sizeof(cont) - 1, LWS_WRITE_HTTP) < 0)
			return -1;
	}
	return 1;	/* read (and dropped when too large), then decided when writeable */
}

/* Writes the status line and headers. 0 ok, -1 close the connection. */
static int
http_write_headers(struct http_session *s, struct lws *wsi)
{
	unsigned char hb[LWS_PRE + 1024], *start = hb + LWS_PRE, *p = start, *end = hb + sizeof(hb) - 1;
	const char *ct = s->resp.content_type ? s->resp.content_type : HTTP_JSON;

	if (lws_add_http_common_headers(wsi, (unsigned)s->resp.status, ct, s->resp.body.len, &p,
	    end) != 0 ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"x-request-id:",
	    (const unsigned char *)s->request_id, (int)strlen(s->request_id), &p, end) != 0 ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	    (const unsigned char *)"no-store", 8, &p, end) != 0)
		return -1;
	if (s->resp.status == 405 && s->allow[0] != '\0' &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"allow:",
	    (const unsigned char *)s->allow, (int)strlen(s->allow), &p, end) != 0)
		return -1;
	if (s->close_after &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
	    (const unsigned char *)"close", 5, &p, end) != 0)
		return -1;
	if (s->resp.status == 401 &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"www-authenticate:",
	    (const unsigned char *)"Bearer", 6, &p, end) != 0)
		return -1;
	return lws_finalize_write_http_header(wsi, start, &p, end) != 0 ? -1 : 0;
}

/* One step of the answer: headers, then one chunk of the body. 1 done, 0 more, -1 close. */
static int
http_write_step(struct http_session *s, struct lws *wsi)
{
	static unsigned char chunk[LWS_PRE + HTTP_CHUNK];
	size_t n;
	int final;

	if (!s->headers_sent) {
		if (http_write_headers(s, wsi) == -1)
			return -1;
		s->headers_sent = 1;
		return 0;
	}
	n = s->resp.body.len - s->sent;
	if (n > HTTP_CHUNK)
		n = HTTP_CHUNK;
	final = s->sent + n == s->resp.body.len;
	memcpy(chunk + LWS_PRE, s->resp.body.ptr + s->sent, n);
	if (lws_write(wsi, chunk + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) <
	    (int)n)
		return -1;
	s->sent += n;
	return final ? 1 : 0;
}

static void
http_log_done(struct http_session *s)
{
	char path[160];
	int64_t ms = (clock_mono_us() - s->started_us) / 1000;

	http_log_path(s->path ? s->path : "?", path, sizeof(path));
	if (s->resp.status >= 500)
		log_warn("http: %s %s %s → %d (%lld ms)", s->request_id, s->method, path,
		    s->resp.status, (long long)ms);
	else
		log_info("http: %s %s %s → %d (%lld ms)", s->request_id, s->method, path,
		    s->resp.status, (long long)ms);
}

static int
http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct http_session *s = user;
	struct http_server *srv = lws_context_user(lws_get_context(wsi));
	int r;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (s != NULL && s->active) {
			/* lws parsed a request while this one is open: never served */
			log_warn("http: %s: a request arrived before its answer; closing",
			    s->request_id);
			return -1;
		}
		r = http_begin(srv, s, wsi, in);
		if (r == -1) {
			log_error("http: out of memory");
			return -1;
		}
		if (r == 1)
			return 0;	/* the body follows */
		http_dispatch(srv, s);
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_HTTP_BODY:
		if (s == NULL || !s->active || !http_framing_body(&s->frame, len) ||
		    s->frame.too_large || s->oom)
			return 0;	/* surplus, dropped, or not ours to keep */
		if (buf_add(&s->body, in, len) == -1) {
			s->oom = 1;
			buf_release(&s->body);
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (s == NULL || !s->active)
			return 0;
		r = s->frame.complete;
		http_framing_done(&s->frame);
		if (!r && s->frame.complete)
			lws_callback_on_writable(wsi);	/* decided there (see the top) */
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (s == NULL || !s->active)
			return 0;
		if (!s->ready) {
			if (!s->frame.complete)
				return 0;	/* the body is still coming */
			if (http_framing_verdict(&s->frame, http_bytes_waiting(wsi)) == -1) {
				log_info("http: %s: refused: %s", s->request_id, s->frame.error);
				s->close_after = 1;
			}
			http_dispatch(srv, s);
		}
		r = http_write_step(s, wsi);
		if (r == -1) {
			http_log_done(s);
			http_session_reset(s);
			return -1;
		}
		if (r == 0) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		http_log_done(s);
		r = s->close_after || !http_framing_keep_alive(&s->frame, http_bytes_waiting(wsi));
		http_session_reset(s);
		if (r)
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s != NULL)
			http_session_reset(s);
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols http_protocols[] = {
	{ "http", http_callback, sizeof(struct http_session), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* Between events: a pending reload, and the stop flag. */
static void
http_tick(lws_sorted_usec_list_t *sul)
{
	struct http_server *srv = lws_container_of(sul, struct http_server, tick);
	struct app *a = srv->app;

	if (!a->stop && a->reload) {
		a->reload = 0;
		app_reload(a, srv->db);
	}
	if (a->stop) {
		lws_cancel_service(srv->ctx);
		return;
	}
	lws_sul_schedule(srv->ctx, 0, &srv->tick, http_tick, HTTP_TICK_MS * LWS_US_PER_MS);
}

/* lws's own warnings and errors go to our log. */
static void
http_lws_log(int level, const char *line)
{
	char msg[512];
	size_t n;

	str_copy(msg, sizeof(msg), line);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (level & LLL_ERR)
		log_error("http: lws: %s", msg);
	else if (level & LLL_WARN)
		log_warn("http: lws: %s", msg);
	else
		log_debug("http: lws: %s", msg);
}

/*
 * Splits "host:port" ("[v6]:port" too) into host (empty or "*" = every interface) and port.
 * 0 ok, -1 malformed.
 */
static int
http_parse_listen(const char *listen, char *host, size_t hostsz, int *port)
{
	const char *colon = strrchr(listen, ':');
	size_t hlen;
	int64_t p;

	if (colon == NULL || str_to_i64(colon + 1, &p) == -1 || p < 0 || p > 65535)
		return -1;
	hlen = (size_t)(colon - listen);
	if (hlen >= 2 && listen[0] == '[' && listen[hlen - 1] == ']') {
		listen++;
		hlen -= 2;
	}
	if (hlen >= hostsz)
		return -1;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	*port = (int)p;
	return 0;
}

int
http_run(struct app *a, struct db *db)
{
	struct lws_context_creation_info info;
	struct http_server srv;
	struct lws_vhost *vh;
	char host[256];
	int port, level = LLL_ERR | LLL_WARN;

	if (http_parse_listen(a->cfg.http_listen, host, sizeof(host), &port) == -1) {
		log_error("http: bad [http] listen '%s' (expected host:port)", a->cfg.http_listen);
		return -1;
	}
	if (sodium_init() < 0) {
		log_error("http: libsodium failed to initialise");
		return -1;
	}
	memset(&srv, 0, sizeof(srv));
	srv.app = a;
	srv.db = db;
	srv.id_prefix = randombytes_random();
	if (a->verbose)
		level |= LLL_NOTICE;
	lws_set_log_level(level, http_lws_log);

	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = host[0] ? host : NULL;
	info.protocols = http_protocols;
	info.user = &srv;
	info.server_string = "backoffice";
	info.max_http_header_data = 8192;
	if (strchr(host, ':') == NULL)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	/* the context first, then the listening vhost: a failed listen can then be torn down
	 * cleanly (lws leaks when a context fails to create its default vhost) */
	info.options |= LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	if ((srv.ctx = lws_create_context(&info)) == NULL) {
		log_error("http: cannot create the libwebsockets context");
		return -1;
	}
	if ((vh = lws_create_vhost(srv.ctx, &info)) == NULL) {
		log_error("http: cannot listen on %s (in use, or not an address of this host?)",
		    a->cfg.http_listen);
		lws_context_destroy(srv.ctx);
		return -1;
	}
	port = lws_get_vhost_listen_port(vh);
	/* stored before it is logged: whoever waits for the log line then reads this run's port */
	if (state_set_int(db, "http_port", port) == -1)
		log_warn("http: the port was not stored in the state table");
	log_info("http: listening on %s:%d", host[0] ? host : "0.0.0.0", port);

	lws_sul_schedule(srv.ctx, 0, &srv.tick, http_tick, 1);
	while (!a->stop)
		if (lws_service(srv.ctx, 0) < 0)
			break;
	lws_sul_schedule(srv.ctx, 0, &srv.tick, NULL, LWS_SET_TIMER_USEC_CANCEL);
	lws_context_destroy(srv.ctx);
	return a->stop ? 0 : -1;
}
