/* http_framing.t — the request framing rules (bot/http_framing.c): which Content-Length and
 * Transfer-Encoding headers are refused and how, the body limit, and the body accounting that
 * catches bytes after the body. Each refusal has the accepted case beside it. */
#include "bot/bot.h"
#include "tests/tap.h"

#define LIMIT 2048

static char tname[256];

static const char *
tn(const char *what, const char *detail)
{
	snprintf(tname, sizeof(tname), "%s: %s", what, detail);
	return tname;
}

/* A request's framing headers: a method, Content-Length (ncl of them, the first cl) and nte
 * Transfer-Encoding headers, under the limit LIMIT. */
static struct http_framing_in
input(const char *method, int ncl, const char *cl, int nte)
{
	struct http_framing_in in;

	memset(&in, 0, sizeof(in));
	in.method = method;
	in.ncl = ncl;
	in.cl = cl;
	in.nte = nte;
	in.body_limit = LIMIT;
	return in;
}

/* The verdict on those headers. */
static struct http_framing
frame(const char *method, int ncl, const char *cl, int nte)
{
	struct http_framing_in in = input(method, ncl, cl, nte);
	struct http_framing f;

	http_framing_check(&in, &f);
	return f;
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static void
test_content_length(void)
{
	static const struct {
		const char	*cl;
		int		 status;	/* 0: accepted */
		int64_t		 length;
		const char	*words;
	} cases[] = {
		{ "10", 0, 10, "" },
		{ "0010", 0, 10, "" },			/* leading zeros are still 1*DIGIT */
		{ "2048", 0, 2048, "" },
		{ "9223372036854775807", 0, INT64_MAX, "" },	/* valid, and too large: 413 */
		{ "9223372036854775808", 400, 0, "out of range" },
		{ "18446744073709551626", 400, 0, "out of range" },	/* wraps to 10 in 64 bits */
		{ "-5", 400, 0, "digits only" },
		{ "+10", 400, 0, "digits only" },
		{ "1 0", 400, 0, "digits only" },
		{ "10 ", 400, 0, "digits only" },
		{ "\t10", 400, 0, "digits only" },
		{ "10, 10", 400, 0, "digits only" },	/* what lws makes of two headers */
		{ "0x10", 400, 0, "digits only" },
		{ "1e3", 400, 0, "digits only" },
		{ "abc", 400, 0, "digits only" },
		{ "", 400, 0, "digits only" },
	};
	struct http_framing f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = frame("POST", 1, cases[i].cl, 0);
		if (cases[i].status == 0) {
			is_int(f.action, HTTP_FRAMING_BODY, tn("Content-Length accepted", cases[i].cl));
			is_int(f.length, cases[i].length, tn("  its length", cases[i].cl));
		} else {
			is_int(f.action, HTTP_FRAMING_REFUSE, tn("Content-Length refused", cases[i].cl));
			is_int(f.status, cases[i].status, tn("  with", cases[i].cl));
			ok(has(f.error, cases[i].words), tn("  saying", f.error));
		}
	}
	f = frame("POST", 1, NULL, 0);
	is_int(f.status, 400, "a Content-Length lws could not copy is refused");
}

static void
test_headers(void)
{
	struct http_framing_in in;
	struct http_framing f;

	f = frame("POST", 2, "10", 0);
	is_int(f.status, 400, "two Content-Length headers: 400 (even equal ones)");
	ok(has(f.error, "duplicate Content-Length"), tn("  saying", f.error));
	f = frame("POST", 1, "10", 1);
	is_int(f.status, 400, "Content-Length with Transfer-Encoding: 400");
	ok(has(f.error, "both Content-Length and Transfer-Encoding"), tn("  saying", f.error));
	f = frame("POST", 0, NULL, 1);
	is_int(f.status, 400, "Transfer-Encoding alone (lws decodes none): 400");
	ok(has(f.error, "Transfer-Encoding is not supported"), tn("  saying", f.error));
	f = frame("POST", 0, NULL, 0);
	is_int(f.status, 411, "a POST without Content-Length: 411");
	f = frame("PUT", 0, NULL, 0);
	is_int(f.status, 411, "a PUT without Content-Length: 411");
	f = frame("POST", 1, "0", 0);
	is_int(f.action, HTTP_FRAMING_NONE, "a POST with Content-Length: 0 has no body");
	f = frame("GET", 0, NULL, 0);
	is_int(f.action, HTTP_FRAMING_NONE, "a GET without a length has no body");
	f = frame("GET", 1, "0", 0);
	is_int(f.action, HTTP_FRAMING_NONE, "a GET with Content-Length: 0 has no body");
	f = frame("GET", 1, "5", 0);
	is_int(f.status, 400, "a GET with a body: 400");
	is_str(f.error, "a GET request carries no body", "  saying so");
	f = frame("DELETE", 1, "5", 0);
	is_int(f.status, 400, "a DELETE with a body: 400");

	in = input("POST", 1, "10", 0);
	in.spaced_name = 1;
	http_framing_check(&in, &f);
	is_int(f.status, 400, "a header name with a blank before its colon: 400");
	ok(has(f.error, "whitespace between a header name and its colon"), tn("  saying", f.error));
}

static void
test_limit(void)
{
	struct http_framing_in in;
	struct http_framing f;

	f = frame("POST", 1, "2049", 0);
	is_int(f.action, HTTP_FRAMING_BODY, "over the limit: the body is read (and dropped)");
	ok(f.too_large, "  and marked too large (413)");
	f = frame("POST", 1, "2048", 0);
	ok(!f.too_large, "exactly the limit is not too large");
	in = input("POST", 1, "100000", 0);
	in.expect_continue = 1;
	http_framing_check(&in, &f);
	is_int(f.action, HTTP_FRAMING_NONE, "over the limit with Expect: 100-continue: not read");
	ok(f.too_large && f.expect_continue, "  answered 413 at once");
	in.cl = "100";
	http_framing_check(&in, &f);
	is_int(f.action, HTTP_FRAMING_BODY, "within the limit with Expect: the body is read");
	ok(f.expect_continue && !f.too_large, "  after a 100 Continue");
}

static void
test_body(void)
{
	struct http_framing f;

	f = frame("POST", 1, "10", 0);
	is_int(http_framing_body(&f, 4), 1, "a body in two chunks: the first belongs to it");
	is_int(http_framing_body(&f, 6), 1, "  and the second");
	http_framing_done(&f);
	is_int(http_framing_verdict(&f, 0), 0, "  complete and nothing after it: served");
	is_int(http_framing_keep_alive(&f, 0), 1, "  and the connection kept");
	is_int(http_framing_keep_alive(&f, 1), 0, "  unless bytes wait on the socket by then");

	f = frame("POST", 1, "10", 0);
	http_framing_body(&f, 10);
	http_framing_done(&f);
	http_framing_done(&f);
	is_int(http_framing_verdict(&f, 0), -1, "the end reported twice (lws holds more): refused");
	is_int(f.status, 400, "  400");
	ok(has(f.error, "bytes after the body"), tn("  saying", f.error));
	is_int(http_framing_keep_alive(&f, 0), 0, "  and the connection closed");

	f = frame("POST", 1, "10", 0);
	http_framing_body(&f, 10);
	http_framing_done(&f);
	is_int(http_framing_verdict(&f, 1), -1, "bytes waiting on the socket after the body: refused");

	f = frame("POST", 1, "10", 0);
	is_int(http_framing_body(&f, 11), 0, "a chunk longer than the rest of the body is surplus");
	http_framing_done(&f);
	is_int(http_framing_verdict(&f, 0), -1, "  and refused");

	f = frame("POST", 1, "10", 0);
	http_framing_body(&f, 10);
	http_framing_done(&f);
	is_int(http_framing_body(&f, 3), 0, "a chunk after the end is surplus");
	is_int(http_framing_verdict(&f, 0), -1, "  and refused");

	f = frame("POST", 1, "10", 0);
	http_framing_body(&f, 7);
	http_framing_done(&f);
	is_int(http_framing_verdict(&f, 0), -1, "an end before Content-Length bytes: refused");

	f = frame("GET", 0, NULL, 0);
	is_int(http_framing_body(&f, 0), 0, "a request without a body keeps no chunk");
	http_framing_done(&f);
	is_int(http_framing_verdict(&f, 0), 0, "  and is served");
	is_int(http_framing_keep_alive(&f, 0), 0, "  but never keeps the connection");
}

int
main(void)
{
	test_content_length();
	test_headers();
	test_limit();
	test_body();
	return done_testing();
}
