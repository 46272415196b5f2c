/*
 * libFuzzer target: the HTTP request framing (bot/http_framing.c) on raw request bytes.
 *
 * The input is a request as a client sends it: "METHOD /path HTTP/1.1", header lines, a blank
 * line, then whatever follows. The headers are handed over the way lws hands them to the server
 * (names lowercased; a value without its leading spaces; each repeat of a header counted; a name
 * with a blank before its colon kept apart), the bytes after the blank line are fed as body
 * chunks up to the declared length, and anything beyond it is reported the way lws reports it
 * (the end of the body, again). Checked against rules computed here independently:
 *   - a request is served only with at most one Content-Length of plain digits that strtoll
 *     reads to the same length, and no Transfer-Encoding;
 *   - a body only on POST, PUT or PATCH; 413 exactly when the length passes the limit;
 *   - a refusal is 400 or 411 with a message;
 *   - no request with a byte after its body is served or keeps its connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/bot.h"

#define LIMIT 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of [*p, end) (CRLF or a bare LF, as lws takes both), NUL-terminated in place. */
static char *
next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL) {
		*p = end;
		return s;	/* the last, unterminated line (end is a NUL) */
	}
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	*p = nl + 1;
	return s;
}

static int
digits_only(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_framing_in in;
	struct http_framing f;
	char *text, *p, *end, *line, *sp, method[16] = "", *cl = NULL;
	int64_t want = 0;
	size_t rest, chunk;
	int body_method, served;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p = text;
	end = text + size;
	memset(&in, 0, sizeof(in));
	in.body_limit = LIMIT;

	if ((line = next_line(&p, end)) == NULL)
		goto out;
	if ((sp = strchr(line, ' ')) != NULL)
		*sp = '\0';
	str_copy(method, sizeof(method), line);
	in.method = method;
	while ((line = next_line(&p, end)) != NULL && *line != '\0') {
		char *colon = strchr(line, ':'), *v;
		size_t nlen;

		if (colon == NULL)
			continue;	/* not a header: lws would skip it */
		nlen = (size_t)(colon - line);
		for (v = colon + 1; *v == ' '; v++)
			;
		if (nlen > 0 && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t')) {
			if (strncasecmp(line, "content-length", 14) == 0 ||
			    strncasecmp(line, "transfer-encoding", 17) == 0)
				in.spaced_name = 1;
			continue;
		}
		if (nlen == 14 && strncasecmp(line, "content-length", 14) == 0) {
			if (in.ncl++ == 0)
				cl = v;
		} else if (nlen == 17 && strncasecmp(line, "transfer-encoding", 17) == 0)
			in.nte++;
		else if (nlen == 6 && strncasecmp(line, "expect", 6) == 0)
			in.expect_continue = strcasecmp(v, "100-continue") == 0;
	}
	in.cl = cl;
	http_framing_check(&in, &f);

	body_method = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "PATCH") == 0;
	if (f.action == HTTP_FRAMING_REFUSE) {
		if ((f.status != 400 && f.status != 411) || f.error[0] == '\0' ||
		    strlen(f.error) >= sizeof(f.error))
			abort();
		goto out;
	}
	/* accepted: the headers must be unambiguous by rules computed here */
	if (in.nte != 0 || in.ncl > 1 || in.spaced_name || (body_method && in.ncl == 0))
		abort();
	if (in.ncl == 1) {
		errno = 0;
		if (!digits_only(cl) || (want = strtoll(cl, NULL, 10), errno == ERANGE))
			abort();
	}
	if (f.length != want || (want > 0 && !body_method) || f.too_large != (want > LIMIT))
		abort();
	if ((f.action == HTTP_FRAMING_BODY) != (want > 0 && !(f.too_large && in.expect_continue)))
		abort();

	/* the body as lws delivers it: chunks up to the length, then "complete" */
	rest = (size_t)(end - p);
	if (f.action == HTTP_FRAMING_BODY) {
		size_t fed = 0;

		while (fed < rest && (int64_t)fed < f.length) {
			chunk = 1 + (size_t)(unsigned char)p[fed] % 97;	/* uneven chunks */
			if (chunk > rest - fed)
				chunk = rest - fed;
			if ((int64_t)(fed + chunk) > f.length)
				chunk = (size_t)(f.length - (int64_t)fed);
			if (http_framing_body(&f, chunk) != 1)
				abort();
			fed += chunk;
		}
		if ((int64_t)fed < f.length)
			goto out;	/* the client has not sent it all: lws waits, no verdict */
		http_framing_done(&f);
		if (fed < rest)
			http_framing_done(&f);	/* lws's next pass over what it holds */
		served = http_framing_verdict(&f, 0) == 0;
		if (served != (fed == rest))
			abort();	/* served exactly when nothing came after the body */
		if (!served && (f.status != 400 || http_framing_keep_alive(&f, 0)))
			abort();
		if (served && !http_framing_keep_alive(&f, 0))
			abort();
	} else if (http_framing_verdict(&f, rest > 0) != 0 || http_framing_keep_alive(&f, 0))
		abort();	/* no body: served, and its connection never kept */
out:
	free(text);
	return 0;
}
