/*
 * json.h — JSON from outside the program (the CRM's bodies, Telegram's answers and updates),
 * read with cJSON without losing what cJSON loses. Every such text goes through json_parse;
 * only bot/ includes this header.
 */
#ifndef BOT_JSON_H
#define BOT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define JSON_INT_MAX 9007199254740991.0	/* 2^53 - 1: a larger number loses digits in a double */
#define JSON_PATH_MAX 128		/* bytes of a member's path ("payments[2].reference") */

/* The text (len bytes, NUL bytes allowed) as one JSON value, nothing but space after it; NULL
 * when it is not one. A NUL decoded from "\u0000" stays in its string as the two bytes C0 80
 * (never valid UTF-8), so the string is not cut there; each number keeps the text it was
 * written as in its valuestring. The caller deletes the tree with cJSON_Delete. */
cJSON	*json_parse(const char *text, size_t len);
/* 1 and the path of the first string or member name holding a NUL ("message.text",
 * "payments[2].id", a name written with "\u0000"), 0 when none does. */
int	 json_nul_path(const cJSON *, char path[JSON_PATH_MAX]);
/* The tree of json_parse as compact text: numbers as they were written, NULs as "\u0000".
 * NULL when out of memory; the caller frees with cJSON_free. */
char	*json_print(cJSON *);
/* A number written as an integer (digits, an optional minus: no fraction, no exponent, so
 * never 1e3 or 1000.0) into *out: 0; 1 an integer beyond ±JSON_INT_MAX; -1 anything else,
 * a number not from json_parse too. */
int	 json_integer(const cJSON *, int64_t *out);
/* Where the value of an object's member is in its text, found without building a tree: 1 and
 * [*off, *off + *vlen), 0 no such member, -1 the text is not an object the scan can follow.
 * The name is matched as written (an escaped spelling is not); the first of duplicates wins,
 * as in cJSON. The span is not checked to be JSON: parse it. */
int	 json_member_span(const char *text, size_t len, const char *key, size_t *off,
	    size_t *vlen);
/* Calls fn(element text, its length, arg) for each element of an array's text, in order, so
 * each can be parsed on its own: 0, or -1 when the text is not an array the scan can split
 * or fn returned -1 (fn may be NULL: the scan only). */
int	 json_array_spans(const char *text, size_t len,
	    int (*fn)(const char *, size_t, void *), void *arg);

#endif
