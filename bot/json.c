/*
 * json.c — cJSON, and the two things it loses when it reads text from outside:
 *
 *   a NUL: cJSON decodes "\u0000" into its C strings, which then end there, so "nul-A\u0000one"
 *   and "nul-A\u0000two" both read as "nul-A" (one payment id answered as the other's replay);
 *
 *   how a number was written: cJSON keeps a double, so 1e3 and 1000.0 read as the integer 1000.
 *
 * json_parse copies the text first, writing each "\u0000" escape (and a raw NUL byte) as the
 * two bytes C0 80, the way modified UTF-8 writes NUL inside C strings; they are never valid
 * UTF-8, so no real text is mistaken for them, and every check that wants UTF-8 refuses them.
 * The same pass notes where each number's text is (outside strings, in order); once cJSON has
 * built the tree, each number node gets its text as its valuestring, which cJSON leaves NULL
 * for numbers and frees with the node. This is a scan for escapes and number tokens, not a
 * second parser: cJSON still decides what is JSON.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/json.h"

#define JSON_NUL	"\xC0\x80"	/* a NUL inside a string of json_parse's trees */
#define JSON_NUL_ESC	"\\u0000"

/* Where the number tokens of the copied text are, in order. */
struct json_numbers {
	size_t	*off;
	size_t	*len;
	size_t	 n, cap;
};

static int
json_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' ||
	    c == 'E';
}

static int
json_numbers_add(struct json_numbers *nums, size_t off, size_t len)
{
	size_t cap, *o, *l;

	if (nums->n == nums->cap) {
		cap = nums->cap ? nums->cap * 2 : 16;
		if ((o = realloc(nums->off, cap * sizeof(*o))) == NULL)
			return -1;
		nums->off = o;
		if ((l = realloc(nums->len, cap * sizeof(*l))) == NULL)
			return -1;
		nums->len = l;
		nums->cap = cap;
	}
	nums->off[nums->n] = off;
	nums->len[nums->n++] = len;
	return 0;
}

/*
 * Copies text into out (room for len + its raw NULs + 1 bytes), NULs as JSON_NUL, and notes
 * the number tokens. Inside a string a backslash always takes the next byte with it, so "\\"
 * followed by "u0000" is a backslash and text, not a NUL. Returns the copy's length, or -1.
 */
static long
json_copy(const char *text, size_t len, char *out, struct json_numbers *nums)
{
	size_t i, n = 0, start;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		char ch = text[i];

		if (ch == '\0') {
			memcpy(out + n, JSON_NUL, 2);
			n += 2;
		} else if (in_string && ch == '\\' && len - i >= 6 &&
		    memcmp(text + i + 1, "u0000", 5) == 0) {
			memcpy(out + n, JSON_NUL, 2);
			n += 2;
			i += 5;
		} else if (in_string && ch == '\\') {
			out[n++] = ch;
			if (i + 1 < len && text[i + 1] != '\0')
				out[n++] = text[++i];
		} else if (in_string) {
			out[n++] = ch;
			in_string = ch != '"';
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			for (start = n; i < len && json_number_char(text[i]); i++)
				out[n++] = text[i];
			i--;
			if (json_numbers_add(nums, start, n - start) == -1)
				return -1;
		} else {
			out[n++] = ch;
			in_string = ch == '"';
		}
	}
	out[n] = '\0';
	return (long)n;
}

/* Gives node and what it holds, in document order, their number texts: 0, or -1 when the
 * tokens and the numbers cJSON found do not pair up (never for JSON cJSON accepts). */
static int
json_attach(cJSON *node, const char *copy, const struct json_numbers *nums, size_t *k)
{
	cJSON *c;
	char *s;

	if (cJSON_IsNumber(node)) {
		if (*k >= nums->n || (s = cJSON_malloc(nums->len[*k] + 1)) == NULL)
			return -1;
		memcpy(s, copy + nums->off[*k], nums->len[*k]);
		s[nums->len[*k]] = '\0';
		node->valuestring = s;
		(*k)++;
	}
	for (c = node->child; c != NULL; c = c->next)
		if (json_attach(c, copy, nums, k) == -1)
			return -1;
	return 0;
}

cJSON *
json_parse(const char *text, size_t len)
{
	struct json_numbers nums = { NULL, NULL, 0, 0 };
	cJSON *root = NULL;
	size_t i, nuls = 0, k = 0;
	char *copy;
	long n;

	if (text == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		nuls += text[i] == '\0';
	if ((copy = malloc(len + nuls + 1)) == NULL)
		return NULL;
	if ((n = json_copy(text, len, copy, &nums)) == -1)
		goto out;
	/* the length counts the terminating NUL: nothing but space may come before it */
	root = cJSON_ParseWithLengthOpts(copy, (size_t)n + 1, NULL, 1);
	if (root != NULL && (json_attach(root, copy, &nums, &k) == -1 || k != nums.n)) {
		cJSON_Delete(root);
		root = NULL;
	}
out:
	free(nums.off);
	free(nums.len);
	free(copy);
	return root;
}

/* Appends s to path[0..len), NULs written as "\u0000", cut whole characters short of
 * JSON_PATH_MAX: the new length. */
static size_t
json_path_add(char *path, size_t len, const char *s)
{
	size_t n;

	for (; *s != '\0'; s += n) {
		n = strncmp(s, JSON_NUL, 2) == 0 ? 2 : 1;
		if (len + (n == 2 ? 6 : 1) >= JSON_PATH_MAX) {
			while (len > 0 && ((unsigned char)path[len - 1] & 0x80))
				len--;
			break;
		}
		if (n == 2) {
			memcpy(path + len, JSON_NUL_ESC, 6);
			len += 6;
		} else
			path[len++] = *s;
	}
	path[len] = '\0';
	return len;
}

/* The walk of json_nul_path below node, whose own path is path[0..len). */
static int
json_nul_walk(const cJSON *node, char *path, size_t len)
{
	const cJSON *c;
	char index[24];
	size_t l;
	int i = 0;

	if (cJSON_IsString(node) && strstr(node->valuestring, JSON_NUL) != NULL)
		return 1;
	for (c = node->child; c != NULL; c = c->next, i++) {
		path[len] = '\0';
		if (cJSON_IsObject(node) && c->string != NULL) {
			l = len > 0 ? json_path_add(path, len, ".") : len;
			l = json_path_add(path, l, c->string);
			if (strstr(c->string, JSON_NUL) != NULL)
				return 1;
		} else {
			snprintf(index, sizeof(index), "[%d]", i);
			l = json_path_add(path, len, index);
		}
		if (json_nul_walk(c, path, l))
			return 1;
	}
	path[len] = '\0';
	return 0;
}

int
json_nul_path(const cJSON *root, char path[JSON_PATH_MAX])
{
	path[0] = '\0';
	return root != NULL && json_nul_walk(root, path, 0);
}

/* Numbers of json_parse's trees print as they were written: as raw text, for the time of the
 * print (the trees hold no raw nodes of their own). */
static void
json_retype(cJSON *node, int from, int to)
{
	cJSON *c;

	if ((node->type & 0xFF) == from && node->valuestring != NULL)
		node->type = (node->type & ~0xFF) | to;
	for (c = node->child; c != NULL; c = c->next)
		json_retype(c, from, to);
}

char *
json_print(cJSON *root)
{
	char *text, *out, *p, *q;
	size_t nuls = 0;

	if (root == NULL)
		return NULL;
	json_retype(root, cJSON_Number, cJSON_Raw);
	text = cJSON_PrintUnformatted(root);
	json_retype(root, cJSON_Raw, cJSON_Number);
	if (text == NULL)
		return NULL;
	/* cJSON copies the bytes C0 80 as they are; only a NUL of ours makes them */
	for (p = text; (p = strstr(p, JSON_NUL)) != NULL; p += 2)
		nuls++;
	if (nuls == 0)
		return text;
	if ((out = cJSON_malloc(strlen(text) + nuls * 4 + 1)) == NULL) {
		cJSON_free(text);
		return NULL;
	}
	for (p = text, q = out; *p != '\0'; )
		if (strncmp(p, JSON_NUL, 2) == 0) {
			memcpy(q, JSON_NUL_ESC, 6);
			q += 6;
			p += 2;
		} else
			*q++ = *p++;
	*q = '\0';
	cJSON_free(text);
	return out;
}

int
json_integer(const cJSON *v, int64_t *out)
{
	const char *s;

	if (!cJSON_IsNumber(v) || (s = v->valuestring) == NULL)
		return -1;
	if (*s == '-')
		s++;
	if (*s == '\0' || s[strspn(s, "0123456789")] != '\0')
		return -1;
	if (!isfinite(v->valuedouble) || fabs(v->valuedouble) > JSON_INT_MAX)
		return 1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

/*
 * Spans: where a value's text ends, found by its brackets and strings alone, so a long array
 * (a getUpdates answer) is read one element at a time instead of as one tree. Nothing here
 * decides what is JSON: each span is handed to json_parse (or, for an envelope, the text with
 * the span cut out is), and a text the scan cannot follow is read whole as before.
 */
static size_t
json_space(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* The end (one past) of the value at i, or 0 when no value can start there. */
static size_t
json_value_end(const char *t, size_t len, size_t i)
{
	size_t start = i;
	int depth = 0, in_string = 0;

	if (i >= len)
		return 0;
	if (t[i] == '"') {
		for (i++; i < len; i++) {
			if (t[i] == '\\')
				i++;
			else if (t[i] == '"')
				return i + 1;
		}
		return 0;
	}
	if (t[i] == '{' || t[i] == '[') {
		for (; i < len; i++) {
			char c = t[i];

			if (in_string) {
				if (c == '\\')
					i++;
				else if (c == '"')
					in_string = 0;
			} else if (c == '"')
				in_string = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return i + 1;
		}
		return 0;
	}
	while (i < len && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' &&
	    t[i] != '\t' && t[i] != '\n' && t[i] != '\r' && t[i] != '\0')
		i++;
	return i > start ? i : 0;
}

int
json_member_span(const char *t, size_t len, const char *key, size_t *off, size_t *vlen)
{
	size_t i = json_space(t, len, 0), kstart, kend, vend, klen = strlen(key);

	if (i >= len || t[i] != '{')
		return -1;
	i = json_space(t, len, i + 1);
	if (i < len && t[i] == '}')
		return 0;
	while (i < len) {
		kstart = i;
		if (t[i] != '"' || (kend = json_value_end(t, len, i)) == 0)
			return -1;
		i = json_space(t, len, kend);
		if (i >= len || t[i] != ':')
			return -1;
		i = json_space(t, len, i + 1);
		if ((vend = json_value_end(t, len, i)) == 0)
			return -1;
		/* the name as written, between its quotes: an escaped spelling is not recognised */
		if (kend - kstart == klen + 2 && memcmp(t + kstart + 1, key, klen) == 0) {
			*off = i;
			*vlen = vend - i;
			return 1;
		}
		i = json_space(t, len, vend);
		if (i < len && t[i] == '}')
			return 0;
		if (i >= len || t[i] != ',')
			return -1;
		i = json_space(t, len, i + 1);
	}
	return -1;
}

int
json_array_spans(const char *t, size_t len, int (*fn)(const char *, size_t, void *), void *arg)
{
	size_t i = json_space(t, len, 0), end;

	if (i >= len || t[i] != '[')
		return -1;
	i = json_space(t, len, i + 1);
	if (i < len && t[i] == ']')
		return json_space(t, len, i + 1) == len ? 0 : -1;
	while (i < len) {
		if ((end = json_value_end(t, len, i)) == 0)
			return -1;
		if (fn != NULL && fn(t + i, end - i, arg) == -1)
			return -1;
		i = json_space(t, len, end);
		if (i < len && t[i] == ']')
			return json_space(t, len, i + 1) == len ? 0 : -1;
		if (i >= len || t[i] != ',')
			return -1;
		i = json_space(t, len, i + 1);
	}
	return -1;
}
