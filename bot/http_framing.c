/*
 * http_framing.c — how long a request's body is, decided from the headers lws parsed, and the
 * body as it arrives. Pure (no lws, no I/O): the server, tests/unit/http_framing.c and
 * tests/fuzz/fuzz_http.c call the same code.
 *
 * The rule is the one that stops request smuggling: a request whose end two HTTP parsers could
 * place differently is refused, 400 (411 for a missing length), and its connection closed, since
 * nothing after it can be trusted to start a request. lws (4.1) reads Content-Length with atoll,
 * joins repeated headers with commas, takes a POST without one as 100 MB long, and mishandles a
 * request with a body that it finds already buffered after another; so this code accepts only
 * one Content-Length of plain digits, no Transfer-Encoding at all (lws decodes none), and no byte
 * after the body. Equal duplicates are refused too (RFC 9112 allows merging them; strict is
 * simpler to reason about and no honest client sends two).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bot/bot.h"

/* Methods whose requests carry a body here; others must not (a GET body is a smuggling vector). */
static const char *const http_framing_body_methods[] = { "POST", "PUT", "PATCH" };

static void
http_framing_refuse(struct http_framing *f, int status, const char *error)
{
	f->action = HTTP_FRAMING_REFUSE;
	f->status = status;
	str_copy(f->error, sizeof(f->error), error);
}

/* Content-Length as 1*DIGIT (RFC 9110 8.6) into *out. 0 ok, -1 not digits, -2 out of range. */
static int
http_framing_length(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -2;	/* a parser with a smaller counter would wrap: refuse */
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

void
http_framing_check(const struct http_framing_in *in, struct http_framing *f)
{
	int64_t len = 0;
	int body_method = 0;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->expect_continue = in->expect_continue;
	for (i = 0; i < sizeof(http_framing_body_methods) / sizeof(http_framing_body_methods[0]);
	    i++)
		if (in->method != NULL && strcmp(in->method, http_framing_body_methods[i]) == 0)
			body_method = 1;

	if (in->spaced_name) {
		http_framing_refuse(f, 400, "whitespace between a header name and its colon "
		    "(Content-Length or Transfer-Encoding)");
		return;
	}
	if (in->nte > 0 && in->ncl > 0) {
		http_framing_refuse(f, 400, "both Content-Length and Transfer-Encoding: send the "
		    "body with one Content-Length only");
		return;
	}
	if (in->nte > 0) {
		http_framing_refuse(f, 400, "Transfer-Encoding is not supported: send the body "
		    "with a Content-Length");
		return;
	}
	if (in->ncl > 1) {
		http_framing_refuse(f, 400, "duplicate Content-Length: send exactly one");
		return;
	}
	if (in->ncl == 1) {
		switch (http_framing_length(in->cl, &len)) {
		case -1:
			http_framing_refuse(f, 400, "Content-Length must be a decimal number of "
			    "bytes (digits only)");
			return;
		case -2:
			http_framing_refuse(f, 400, "Content-Length is out of range");
			return;
		}
	} else if (body_method) {
		/* no length: RFC 9112 says no body, lws reads one of 100 MB; neither is safe */
		http_framing_refuse(f, 411, "Content-Length required");
		return;
	}
	if (len > 0 && !body_method) {
		snprintf(f->error, sizeof(f->error), "a %.16s request carries no body",
		    in->method ? in->method : "?");
		f->action = HTTP_FRAMING_REFUSE;
		f->status = 400;
		return;
	}
	f->length = len;
	f->too_large = len > in->body_limit;
	if (len == 0 || (f->too_large && in->expect_continue))
		f->action = HTTP_FRAMING_NONE;	/* nothing to read (the client waits for a 100) */
	else
		f->action = HTTP_FRAMING_BODY;
}

int
http_framing_body(struct http_framing *f, size_t len)
{
	if (f->action != HTTP_FRAMING_BODY)
		return 0;
	if (f->complete || (uint64_t)len > (uint64_t)(f->length - f->got)) {
		f->surplus = 1;		/* more than Content-Length */
		return 0;
	}
	f->got += (int64_t)len;
	return 1;
}

void
http_framing_done(struct http_framing *f)
{
	if (f->action != HTTP_FRAMING_BODY)
		return;
	if (f->complete)
		f->surplus = 1;	/* lws reports the end again: it holds bytes after the body */
	f->complete = 1;
}

int
http_framing_verdict(struct http_framing *f, int bytes_waiting)
{
	if (f->action != HTTP_FRAMING_BODY)
		return 0;
	if (f->surplus || bytes_waiting) {
		http_framing_refuse(f, 400, "bytes after the body: a body longer than its "
		    "Content-Length, or a pipelined request (not supported: send the next request "
		    "after reading this answer)");
		return -1;
	}
	if (!f->complete || f->got != f->length) {
		http_framing_refuse(f, 400, "the body is shorter than its Content-Length");
		return -1;
	}
	return 0;
}

int
http_framing_keep_alive(const struct http_framing *f, int bytes_waiting)
{
	return f->action == HTTP_FRAMING_BODY && f->complete && f->got == f->length &&
	    !f->surplus && !bytes_waiting;
}
