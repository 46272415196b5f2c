/* json.t — json_parse keeps what cJSON loses: a NUL decoded from "\u0000" (found and named by
 * json_nul_path) and how a number was written (json_integer); json_print writes both back. */
#include <stdlib.h>
#include <string.h>

#include "bot/json.h"
#include "tests/tap.h"

static cJSON *
parse(const char *s)
{
	return json_parse(s, strlen(s));
}

/* The NUL path of s ("" none, "-" not JSON). */
static const char *
nul_of(const char *s)
{
	static char path[JSON_PATH_MAX];
	cJSON *j = parse(s);

	if (j == NULL)
		return "-";
	if (!json_nul_path(j, path))
		path[0] = '\0';
	cJSON_Delete(j);
	return path;
}

/* json_integer of the document s, a bare number: its result, the value in *v. */
static int
integer_of(const char *s, int64_t *v)
{
	cJSON *j = parse(s);
	int r;

	*v = -12345;
	r = j != NULL ? json_integer(j, v) : -2;
	cJSON_Delete(j);
	return r;
}

/* s through json_parse and json_print. */
static void
print_is(const char *s, const char *want, const char *name)
{
	cJSON *j = parse(s);
	char *out = j != NULL ? json_print(j) : NULL;

	is_str(out != NULL ? out : "(null)", want, name);
	cJSON_free(out);
	cJSON_Delete(j);
}

static void
test_nul(void)
{
	cJSON *j;
	char big[400];

	is_str(nul_of("{\"id\":\"nul-A\\u0000one\"}"), "id", "a NUL in a member's value");
	j = parse("{\"id\":\"nul-A\\u0000one\"}");
	ok(j != NULL && strlen(cJSON_GetObjectItem(j, "id")->valuestring) == 10,
	    "the string is whole, the NUL two bytes: nothing is cut at it");
	cJSON_Delete(j);
	is_str(nul_of("{\"payments\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"ref\":\"x\\u0000\"}]}"),
	    "payments[2].ref", "in an array: payments[2].ref");
	is_str(nul_of("{\"a\":{\"b\":{\"c\":[1,[2,\"\\u0000\"]]}}}"), "a.b.c[1][1]",
	    "nested arrays and objects");
	is_str(nul_of("[\"x\",\"\\u0000\"]"), "[1]", "a bare array's element");
	j = parse("\"\\u0000\"");
	ok(j != NULL && json_nul_path(j, big) == 1 && big[0] == '\0',
	    "a bare string: found, with an empty path");
	cJSON_Delete(j);
	is_str(nul_of("{\"ref\\u0000x\":1}"), "ref\\u0000x", "in a member's name, written as sent");
	is_str(nul_of("{\"a\":\"\\\\u0000\"}"), "", "an escaped backslash, then u0000: no NUL");
	is_str(nul_of("{\"a\":\"\\\\\\u0000\"}"), "a", "a backslash, then a real \\u0000: a NUL");
	is_str(nul_of("{\"a\":\"\\u00001\"}"), "a", "\\u0000 followed by a digit");
	is_str(nul_of("{\"a\":\"\\u0001\\u0100\\uD83D\\uDE00\"}"), "", "other escapes are no NUL");
	is_str(nul_of("{\"a\":\"x\"}\n "), "", "trailing space is fine");
	is_str(nul_of("{\"a\":\"x\"} {}"), "-", "anything after the value is not JSON");
	is_str(nul_of("{\"a\":\\u0000}"), "-", "\\u0000 outside a string is not JSON");
	j = json_parse("{\"a\":\"x\0y\"}", 11);
	ok(j != NULL && json_nul_path(j, big) == 1 && strcmp(big, "a") == 0,
	    "a raw NUL byte inside a string is found as a NUL");
	cJSON_Delete(j);
	ok((j = json_parse("{\"a\":1}\0", 8)) == NULL, "a raw NUL after the value is not JSON");
	cJSON_Delete(j);

	/* a path longer than JSON_PATH_MAX is cut, not overrun */
	memset(big, 'k', sizeof(big));
	memcpy(big, "{\"", 2);
	memcpy(big + 300, "\":\"\\u0000\"}", 12);
	is_int((int)strlen(nul_of(big)), JSON_PATH_MAX - 1, "a long path is cut to the buffer");
}

static void
test_integer(void)
{
	int64_t v;

	is_int(integer_of("1000", &v), 0, "1000 is an integer");
	is_int(v, 1000, "…of 1000");
	is_int(integer_of("-42", &v), 0, "-42 is an integer");
	is_int(v, -42, "…of -42");
	is_int(integer_of("9007199254740991", &v), 0, "2^53 - 1 is");
	is_int(integer_of("9007199254740993", &v), 1, "2^53 + 1: an integer, out of range");
	is_int(integer_of("-9007199254740993", &v), 1, "…and its negative");
	is_int(integer_of("1e3", &v), -1, "1e3 is not (written with an exponent)");
	is_int(v, -12345, "…and nothing is written to out");
	is_int(integer_of("1E3", &v), -1, "1E3 is not");
	is_int(integer_of("1e+3", &v), -1, "1e+3 is not");
	is_int(integer_of("1000.0", &v), -1, "1000.0 is not (a fraction)");
	is_int(integer_of("-1.0e3", &v), -1, "-1.0e3 is not");
	is_int(integer_of("1e300", &v), -1, "1e300 is not");
	ok(json_integer(NULL, &v) == -1, "NULL is not");
	{
		cJSON *n = cJSON_CreateNumber(5);	/* not read from text: no literal */

		is_int(json_integer(n, &v), -1, "a number not from json_parse is not");
		cJSON_Delete(n);
	}
	{
		cJSON *j = parse("{\"s\":\"12\",\"a\":[1,-2.5,3e1,\"4\"],\"b\":-0}");
		cJSON *a = cJSON_GetObjectItem(j, "a");

		ok(j != NULL && json_integer(cJSON_GetObjectItem(j, "s"), &v) == -1,
		    "a string of digits is not");
		ok(a != NULL && json_integer(cJSON_GetArrayItem(a, 0), &v) == 0 && v == 1 &&
		    json_integer(cJSON_GetArrayItem(a, 1), &v) == -1 &&
		    json_integer(cJSON_GetArrayItem(a, 2), &v) == -1,
		    "each number of an array keeps its own text");
		ok(json_integer(cJSON_GetObjectItem(j, "b"), &v) == 0 && v == 0, "-0 is 0");
		cJSON_Delete(j);
	}
}

static void
test_print(void)
{
	print_is("{\"a\": 1e3, \"b\": [1000.0, -0, 12], \"c\": \"x\\u0000y\"}",
	    "{\"a\":1e3,\"b\":[1000.0,-0,12],\"c\":\"x\\u0000y\"}",
	    "numbers print as written, a NUL as \\u0000");
	print_is("{\"k\\u0000\":\"\\u0000\\u0000\"}", "{\"k\\u0000\":\"\\u0000\\u0000\"}",
	    "NULs in names and several in a row");
	print_is("{\"t\":\"12 e3 \\\"-1\\\"\",\"n\":-7}", "{\"t\":\"12 e3 \\\"-1\\\"\",\"n\":-7}",
	    "digits inside strings are not numbers");
	{
		cJSON *j = parse("{\"r\":{\"x\":2.50,\"s\":\"\\u0000\"},\"z\":1}");
		char *out = json_print(cJSON_GetObjectItem(j, "r"));
		int64_t v;

		is_str(out, "{\"x\":2.50,\"s\":\"\\u0000\"}", "a member printed alone");
		ok(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "r"), "x")) &&
		    json_integer(cJSON_GetObjectItem(j, "z"), &v) == 0 && v == 1,
		    "printing leaves the tree's numbers numbers");
		cJSON_free(out);
		cJSON_Delete(j);
	}
	{
		/* printed and parsed again: the same NUL, the same number texts */
		cJSON *j = parse("{\"m\":{\"text\":\"a\\u0000b\",\"id\":1e2}}"), *k;
		char *out = json_print(j), path[JSON_PATH_MAX];
		int64_t v;

		k = out != NULL ? parse(out) : NULL;
		ok(k != NULL && json_nul_path(k, path) == 1 && strcmp(path, "m.text") == 0 &&
		    json_integer(cJSON_GetObjectItem(cJSON_GetObjectItem(k, "m"), "id"), &v) == -1,
		    "a round trip keeps the NUL and the exponent");
		cJSON_free(out);
		cJSON_Delete(j);
		cJSON_Delete(k);
	}
}

struct spans {
	char	 seen[8][64];
	int	 n;
	int	 stop_at;	/* -1: never */
};

static int
span_cb(const char *t, size_t len, void *arg)
{
	struct spans *sp = arg;

	if (sp->n == sp->stop_at)
		return -1;
	if (sp->n < 8)
		snprintf(sp->seen[sp->n], sizeof(sp->seen[0]), "%.*s", (int)len, t);
	sp->n++;
	return 0;
}

static int
spans_of(const char *t, struct spans *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->stop_at = -1;
	return json_array_spans(t, strlen(t), span_cb, sp);
}

/* Spans find each element and member value by brackets and strings alone; what they cannot
 * follow is refused, so the caller reads the text whole. */
static void
test_spans(void)
{
	struct spans sp;
	size_t off = 0, len = 0;
	const char *t;

	ok(spans_of(" [ {\"a\":[1,{\"b\":\"]}\\\"\"}]} , 2 ,\"x,]\", [] ,null] ", &sp) == 0 &&
	    sp.n == 5, "five elements, brackets and commas inside strings ignored");
	is_str(sp.seen[0], "{\"a\":[1,{\"b\":\"]}\\\"\"}]}", "the first element whole");
	is_str(sp.seen[1], "2", "a number");
	is_str(sp.seen[2], "\"x,]\"", "a string holding a comma and a bracket");
	is_str(sp.seen[3], "[]", "an empty array");
	is_str(sp.seen[4], "null", "a literal");
	ok(spans_of("[]", &sp) == 0 && sp.n == 0, "an empty array has no elements");
	ok(spans_of("[1 2]", &sp) == -1, "a missing comma is refused");
	ok(spans_of("[1,]", &sp) == -1, "a trailing comma is refused");
	ok(spans_of("[{\"a\":1}", &sp) == -1, "a cut-off array is refused");
	ok(spans_of("[1] x", &sp) == -1, "text after the array is refused");
	ok(spans_of("{\"a\":1}", &sp) == -1, "an object is not an array");
	ok(spans_of("[\"abc]", &sp) == -1, "an unterminated string is refused");
	memset(&sp, 0, sizeof(sp));
	sp.stop_at = 1;
	ok(json_array_spans("[1,2,3]", 7, span_cb, &sp) == -1 && sp.n == 1,
	    "the callback's -1 stops the walk");
	t = "{\"ok\" : true, \"x\":{\"result\":1}, \"result\" : [1, 2] }";
	ok(json_member_span(t, strlen(t), "result", &off, &len) == 1 &&
	    len == 6 && strncmp(t + off, "[1, 2]", 6) == 0,
	    "a member's value is found at the top level, not inside another member");
	t = "{\"ok\":true}";
	is_int(json_member_span(t, strlen(t), "result", &off, &len), 0, "no such member");
	t = "{\"ok\":true,\"result\":[1],\"result\":[2]}";
	ok(json_member_span(t, strlen(t), "result", &off, &len) == 1 && t[off + 1] == '1',
	    "the first of duplicate members, as cJSON reads them");
	t = "{\"ok\" true}";
	is_int(json_member_span(t, strlen(t), "ok", &off, &len), -1, "a missing colon is refused");
	t = "[1]";
	is_int(json_member_span(t, strlen(t), "ok", &off, &len), -1, "an array is not an object");
	t = "{\"ok\":true,";
	is_int(json_member_span(t, strlen(t), "result", &off, &len), -1, "a cut-off object");
}

int
main(void)
{
	test_nul();
	test_integer();
	test_print();
	test_spans();
	return done_testing();
}
