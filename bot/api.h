/*
 * api.h — private to the CRM endpoints (api.c, api_payments.c): the request's first problem,
 * the JSON helpers every endpoint checks its body with, and the answers. Only these files parse
 * the API's JSON; what they hand on is typed and checked.
 */
#ifndef BOT_API_H
#define BOT_API_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"

#define API_FIELD_MAX 48			/* bytes of a member name in an error */
#define API_AT_MIN 946684800			/* 2000-01-01T00:00:00Z: earlier is a client's bug */

/* The first problem found in a request. */
struct api_err {
	int	 status;
	char	 error[160];
	char	 field[API_FIELD_MAX];
};

/* Sets e (control characters of the field replaced); returns -1 for `return api_fail(…)`. */
int	 api_fail(struct api_err *, int status, const char *field, const char *error);
/* e as the answer: {"error": …, "field": …}. */
void	 api_error(struct http_resp *, const struct api_err *);
/* Serialises o (freed here; NULL: out of memory, 500) as the 200 answer. */
void	 api_reply(const struct http_req *, struct http_resp *, cJSON *o);
/* 1 the bearer token matched; 0 answered 401. */
int	 api_authorized(const struct http_req *, struct http_resp *);
/* The body as one JSON value (UTF-8, nothing after it, read by json_parse), no string or member
 * name holding a NUL, raw or as "\u0000" (400 naming the member; a bare array's elements are
 * named array_name[i] when it is not NULL); NULL with e set otherwise. The caller deletes the
 * result. */
cJSON	*api_parse_body(const struct http_req *, const char *array_name, struct api_err *);
/* Checks object o's members against names[0..n) (the first `required` of them required) into
 * v[] (NULL when absent; an optional null counts as absent). field names are prefix + name
 * ("events[3].type"). 400 not an object or a member twice, 422 unknown or missing. 0/-1. */
int	 api_members(const cJSON *o, const char *prefix, const char *const *names, size_t n,
	    size_t required, const cJSON **v, struct api_err *);
/* A string member of 1..max bytes (no control characters when plain): 0 ok, -1 (e set). */
int	 api_string(const cJSON *v, const char *field, size_t max, int plain, struct api_err *);
/* An integer member, written as one (1e3 and 1000.0 are not): 0 ok, -1 (e set: 400 not an
 * integer, 422 outside [min, max]). */
int	 api_int(const cJSON *v, const char *field, int64_t min, int64_t max, int64_t *out,
	    struct api_err *);
/* A partner as named in a body: our id (a number, into *id, key "") or an INN or slug (a
 * string, into key, *id 0). 0/-1 (e set). Resolve with activity_partner_ref. */
#define API_PARTNER_KEY_MAX 64
int	 api_partner_member(const cJSON *v, const char *field, int64_t *id,
	    char key[API_PARTNER_KEY_MAX], struct api_err *);
/* An RFC 3339 date-time as unix seconds: 0 ok, -1 not one. */
int	 api_rfc3339(const char *, int64_t *out);
/* "YYYY-MM-DD" as a day number: 0 ok, -1 not a valid date. */
int	 api_date(const char *, int64_t *day);
/* Unix seconds as "2026-11-26T10:00:00Z", or its date only. */
void	 api_format_time(int64_t t, char *out, size_t outsz, int date_only);
/* BEGIN; a busy database is a 503: 0 ok, -1 (e set). */
int	 api_begin(struct db *, struct api_err *);

#endif
