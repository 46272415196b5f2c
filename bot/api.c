/*
 * api.c — the CRM endpoints. The HTTP server (http.c) routes, checks the bearer token and the
 * body limit, then calls these with the parsed request; each answers JSON in resp.
 *
 *   POST /api/v1/events			activity events → daily aggregates (activity.c)
 *   PUT  /api/v1/partners/{id}/volume	data volumes
 *   GET  /api/v1/partners/{id}/status	what the CRM must enforce for the partner, and its
 *					billing (subscription, plan, dates, owed and credit)
 *   POST /api/v1/payments		money received (api_payments.c, documented there)
 *
 * The helpers every endpoint shares (checks, answers, dates) are here, declared in api.h.
 * A partner is named by our id (a JSON number; in a path, digits other than 10 or 12 of them),
 * its INN (10 or 12 digits, a string in JSON) or its slug. Each handler runs one transaction of
 * its own: a request is applied whole or not at all.
 *
 * Errors are {"error": "...", "field": "..."} (field names the member, e.g. "events[3].type"):
 *   400  the body is not UTF-8 JSON of the expected shape, or a member has the wrong JSON type
 *        (a string where a number belongs, a fraction or an exponent where an integer does:
 *        1e3 and 1000.0 too, null for a required member), or a string or a member name holds
 *        a NUL ("\u0000": cJSON would cut the string there), wherever it is in the body;
 *   422  the types are right but a value is not: a required member missing, an unknown member,
 *        a value out of range, an unknown event type, a batch over EVENTS_MAX;
 *   404  no such partner;  401 no valid token (the server checks; checked here again);
 *   503  the database stayed busy;  500 anything else (logged with the request id).
 *
 * Events are idempotent by the caller's id: an id seen before (in an earlier request or earlier
 * in the same batch) is skipped, so replaying a whole request changes nothing and answers as the
 * first time: {"accepted": N}, every event of the batch now stored (how many were new is only
 * logged). Ids are kept 30 days (the prune job): the replay horizon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "bot/api.h"
#include "bot/bot.h"
#include "bot/json.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define EVENTS_MAX 1000			/* events per request */
#define EVENT_ID_MAX 128		/* bytes of the caller's event id */
#define EVENT_COUNT_MAX 1000000		/* count of one event */
#define EVENT_AT_AHEAD 86400		/* seconds into the future tolerated (clock skew) */

/* The helpers of api.h ------------------------------------------------------------------------- */

int
api_fail(struct api_err *e, int status, const char *field, const char *error)
{
	char *p;

	e->status = status;
	str_copy(e->error, sizeof(e->error), error);
	str_copy(e->field, sizeof(e->field), field != NULL ? field : "");
	/* a member name is the client's text: no control characters into logs or answers */
	for (p = e->field; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

void
api_error(struct http_resp *resp, const struct api_err *e)
{
	http_json_error(resp, e->status, e->error, e->field[0] ? e->field : NULL);
}

void
api_reply(const struct http_req *req, struct http_resp *resp, cJSON *o)
{
	char *text = o != NULL ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (text == NULL) {
		log_error("api: out of memory for the answer, request %s", req->request_id);
		http_json_error(resp, 500, "internal error", NULL);
		return;
	}
	buf_reset(&resp->body);
	if (buf_adds(&resp->body, text) == -1) {
		cJSON_free(text);
		http_json_error(resp, 500, "internal error", NULL);
		return;
	}
	cJSON_free(text);
	resp->status = 200;
}

int
api_authorized(const struct http_req *req, struct http_resp *resp)
{
	if (req->authorized)
		return 1;
	http_json_error(resp, 401, "missing or wrong bearer token", NULL);
	return 0;
}

cJSON *
api_parse_body(const struct http_req *req, const char *array_name, struct api_err *e)
{
	char path[JSON_PATH_MAX], field[JSON_PATH_MAX + 16];
	cJSON *j;

	if (req->body == NULL || req->body_len == 0) {
		api_fail(e, 400, NULL, "empty body: a JSON object is required");
		return NULL;
	}
	if (memchr(req->body, '\0', req->body_len) != NULL || !utf8_valid(req->body, req->body_len)) {
		api_fail(e, 400, NULL, "the body is not valid UTF-8 text");
		return NULL;
	}
	if ((j = json_parse(req->body, req->body_len)) == NULL) {
		api_fail(e, 400, NULL, "the body is not valid JSON");
		return NULL;
	}
	/* one check for every endpoint: a NUL would end the string where a handler reads it */
	if (json_nul_path(j, path)) {
		snprintf(field, sizeof(field), "%s%s", cJSON_IsArray(j) && array_name != NULL ?
		    array_name : "", path);
		cJSON_Delete(j);
		api_fail(e, 400, field, "must not contain the NUL character (\\u0000)");
		return NULL;
	}
	return j;
}

int
api_members(const cJSON *o, const char *prefix, const char *const *names, size_t n,
    size_t required, const cJSON **v, struct api_err *e)
{
	const cJSON *m;
	char field[API_FIELD_MAX], name[25];
	size_t k;

	for (k = 0; k < n; k++)
		v[k] = NULL;
	cJSON_ArrayForEach(m, o) {
		for (k = 0; k < n && strcmp(m->string, names[k]) != 0; k++)
			;
		str_copy(name, sizeof(name), m->string);	/* cut on a character boundary */
		snprintf(field, sizeof(field), "%s%s", prefix, name);
		if (k == n)
			return api_fail(e, 422, field, "unknown member");
		if (v[k] != NULL)
			return api_fail(e, 400, field, "member given twice");
		/* an optional member may be null: the same as leaving it out */
		if (!cJSON_IsNull(m) || k < required)
			v[k] = m;
	}
	for (k = 0; k < required; k++)
		if (v[k] == NULL) {
			snprintf(field, sizeof(field), "%s%s", prefix, names[k]);
			return api_fail(e, 422, field, "required member missing");
		}
	return 0;
}

int
api_string(const cJSON *v, const char *field, size_t max, int plain, struct api_err *e)
{
	char msg[64];
	const char *p;
	size_t len;

	if (!cJSON_IsString(v))
		return api_fail(e, 400, field, "must be a string");
	len = strlen(v->valuestring);
	if (len < 1 || len > max) {
		snprintf(msg, sizeof(msg), "must be 1 to %zu bytes long", max);
		return api_fail(e, 422, field, msg);
	}
	for (p = v->valuestring; plain && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return api_fail(e, 422, field, "must not contain control characters");
	return 0;
}

int
api_int(const cJSON *v, const char *field, int64_t min, int64_t max, int64_t *out,
    struct api_err *e)
{
	char msg[96];
	int64_t n = 0;
	int r;

	if (!cJSON_IsNumber(v))
		return api_fail(e, 400, field, "must be a number");
	/* as written: 1e3 and 1000.0 are integral, but not integers */
	if ((r = json_integer(v, &n)) == -1)
		return api_fail(e, 400, field,
		    "must be an integer: digits only, no fraction or exponent");
	if (r == 1 || n < min || n > max) {
		snprintf(msg, sizeof(msg), "must be from %lld to %lld", (long long)min,
		    (long long)max);
		return api_fail(e, 422, field, msg);
	}
	*out = n;
	return 0;
}

int
api_partner_member(const cJSON *v, const char *field, int64_t *id,
    char key[API_PARTNER_KEY_MAX], struct api_err *e)
{
	size_t len;

	*id = 0;
	key[0] = '\0';
	if (cJSON_IsNumber(v))
		return api_int(v, field, 1, INT64_MAX, id, e);
	if (!cJSON_IsString(v))
		return api_fail(e, 400, field,
		    "must be a number (our id) or a string (INN or slug)");
	len = strlen(v->valuestring);
	if (len < 1 || len >= API_PARTNER_KEY_MAX)
		return api_fail(e, 422, field, "must be our id, an INN or a slug");
	memcpy(key, v->valuestring, len + 1);
	return 0;
}

/* Reads n digits at s into *v: 0 ok, -1 not all digits. */
static int
api_digits(const char *s, int n, int *v)
{
	int i;

	for (*v = 0, i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* The "YYYY-MM-DD" at the start of s (a real calendar date) as a day number: 0 ok, -1 not. */
static int
api_date_prefix(const char *s, int64_t *day)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, dim;

	if (strnlen(s, 10) < 10 || api_digits(s, 4, &y) || s[4] != '-' ||
	    api_digits(s + 5, 2, &mo) || s[7] != '-' || api_digits(s + 8, 2, &d) || mo < 1 ||
	    mo > 12)
		return -1;
	dim = mdays[mo - 1];
	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		dim = 29;
	if (d < 1 || d > dim)
		return -1;
	*day = clock_days_from_civil(y, mo, d);
	return 0;
}

int
api_date(const char *s, int64_t *day)
{
	return strlen(s) == 10 ? api_date_prefix(s, day) : -1;
}

/*
 * An RFC 3339 date-time ("2026-11-26T10:00:00Z", "2026-11-26T13:00:00.250+03:00") as unix
 * seconds; fractions are dropped, a leap second counts as :59. 0 ok, -1 not one.
 */
int
api_rfc3339(const char *s, int64_t *out)
{
	int h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t day;
	const char *p;

	if (strlen(s) < 20 || api_date_prefix(s, &day) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || api_digits(s + 11, 2, &h) ||
	    s[13] != ':' || api_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    api_digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (api_digits(p + 1, 2, &oh) || p[3] != ':' || api_digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0' || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	if (sec == 60)
		sec = 59;
	*out = day * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
}

void
api_format_time(int64_t t, char *out, size_t outsz, int date_only)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL) {
		str_copy(out, outsz, "");
		return;
	}
	strftime(out, outsz, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
api_begin(struct db *db, struct api_err *e)
{
	if (db_begin(db) == 0)
		return 0;
	return api_fail(e, 503, NULL, "the database is busy or unavailable, retry later");
}

/* Events --------------------------------------------------------------------------------------- */

/* One event as validated: the partner as named (id or key), to be resolved in the transaction. */
struct api_event {
	struct activity_event_in in;	/* partner_id filled by resolution */
	int64_t	 ref_id;		/* our id when the partner was a number, else 0 */
	char	 ref_key[API_PARTNER_KEY_MAX];	/* INN or slug when the partner was a string */
};

/* The members of an event, the required ones first. */
static const char *const api_event_members[] = { "id", "partner", "type", "at", "user", "count" };
#define API_EVENT_MEMBERS (sizeof(api_event_members) / sizeof(api_event_members[0]))
#define API_EVENT_REQUIRED 4

/* Validates events[i] into ev: 0 ok, -1 (e set). */
static int
api_event_check(const cJSON *o, int i, int64_t now, struct api_event *ev, struct api_err *e)
{
	const cJSON *v[API_EVENT_MEMBERS];
	char field[API_FIELD_MAX], prefix[24];

	memset(ev, 0, sizeof(*ev));
	snprintf(field, sizeof(field), "events[%d]", i);
	if (!cJSON_IsObject(o))
		return api_fail(e, 400, field, "an event must be a JSON object");
	snprintf(prefix, sizeof(prefix), "events[%d].", i);
	if (api_members(o, prefix, api_event_members, API_EVENT_MEMBERS, API_EVENT_REQUIRED, v,
	    e) == -1)
		return -1;

	snprintf(field, sizeof(field), "events[%d].id", i);
	if (api_string(v[0], field, EVENT_ID_MAX, 0, e) == -1)
		return -1;
	memcpy(ev->in.id, v[0]->valuestring, strlen(v[0]->valuestring) + 1);

	snprintf(field, sizeof(field), "events[%d].partner", i);
	if (api_partner_member(v[1], field, &ev->ref_id, ev->ref_key, e) == -1)
		return -1;

	snprintf(field, sizeof(field), "events[%d].type", i);
	if (!cJSON_IsString(v[2]))
		return api_fail(e, 400, field, "must be a string");
	if (strcmp(v[2]->valuestring, "login") == 0)
		ev->in.type = EVENT_LOGIN;
	else if (strcmp(v[2]->valuestring, "operation") == 0)
		ev->in.type = EVENT_OPERATION;
	else
		return api_fail(e, 422, field, "must be \"login\" or \"operation\"");

	snprintf(field, sizeof(field), "events[%d].at", i);
	if (cJSON_IsString(v[3])) {
		if (api_rfc3339(v[3]->valuestring, &ev->in.at) == -1)
			return api_fail(e, 422, field,
			    "must be an RFC 3339 time such as 2026-11-26T10:00:00Z");
	} else if (cJSON_IsNumber(v[3])) {
		if (api_int(v[3], field, INT64_MIN, INT64_MAX, &ev->in.at, e) == -1)
			return -1;
	} else
		return api_fail(e, 400, field, "must be unix seconds or an RFC 3339 string");
	if (ev->in.at < API_AT_MIN)
		return api_fail(e, 422, field, "before 2000-01-01");
	if (ev->in.at > now + EVENT_AT_AHEAD)
		return api_fail(e, 422, field, "more than a day in the future");

	snprintf(field, sizeof(field), "events[%d].user", i);
	if (v[4] != NULL && api_int(v[4], field, 0, INT64_MAX, &ev->in.user_id, e) == -1)
		return -1;
	snprintf(field, sizeof(field), "events[%d].count", i);
	ev->in.count = 1;
	if (v[5] != NULL && api_int(v[5], field, 1, EVENT_COUNT_MAX, &ev->in.count, e) == -1)
		return -1;
	return 0;
}

/* The events array of the body (an object with only "events", or a bare array). */
static const cJSON *
api_events_array(const cJSON *j, struct api_err *e)
{
	const cJSON *m, *arr = NULL;

	if (cJSON_IsArray(j))
		return j;
	if (!cJSON_IsObject(j)) {
		api_fail(e, 400, NULL, "the body must be a JSON object {\"events\": [...]}");
		return NULL;
	}
	cJSON_ArrayForEach(m, j) {
		if (strcmp(m->string, "events") != 0) {
			api_fail(e, 422, m->string, "unknown member");
			return NULL;
		}
		if (arr != NULL) {
			api_fail(e, 400, "events", "member given twice");
			return NULL;
		}
		arr = m;
	}
	if (arr == NULL) {
		api_fail(e, 422, "events", "required member missing");
		return NULL;
	}
	if (!cJSON_IsArray(arr)) {
		api_fail(e, 400, "events", "must be an array");
		return NULL;
	}
	return arr;
}

/* Resolves and applies every event in the open transaction. 0 ok (counts set), -1 (e set). */
static int
api_events_apply(struct db *db, struct api_event *evs, int n, int64_t now, int *accepted,
    int *duplicates, struct api_err *e)
{
	char field[API_FIELD_MAX];
	int64_t last_id = 0, last_ref = 0, pid = 0;
	const char *last_key = NULL;
	int i, r;

	*accepted = *duplicates = 0;
	for (i = 0; i < n; i++) {
		struct api_event *ev = &evs[i];

		/* batches usually name few partners, often in runs: the last one is remembered */
		if (last_id != 0 && (ev->ref_id != 0 ? ev->ref_id == last_ref :
		    last_key != NULL && strcmp(ev->ref_key, last_key) == 0))
			pid = last_id;
		else {
			if ((r = activity_partner_ref(db, ev->ref_id, ev->ref_key, &pid)) == -1)
				return api_fail(e, 500, NULL, "internal error");
			if (r == 0) {
				snprintf(field, sizeof(field), "events[%d].partner", i);
				return api_fail(e, 404, field, "unknown partner");
			}
			last_id = pid;
			last_ref = ev->ref_id;
			last_key = ev->ref_id != 0 ? NULL : ev->ref_key;
		}
		ev->in.partner_id = pid;
		if ((r = activity_add(db, &ev->in, now)) == -1)
			return api_fail(e, 500, NULL, "internal error");
		if (r == 1)
			(*accepted)++;
		else
			(*duplicates)++;
	}
	return 0;
}

void
api_events(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	struct api_err e = { 0, "", "" };
	struct api_event *evs = NULL;
	const cJSON *arr, *item;
	cJSON *j = NULL, *o;
	int64_t now = clock_now();
	int n = 0, accepted = 0, duplicates = 0;

	(void)a;
	if (!api_authorized(req, resp))
		return;
	if ((j = api_parse_body(req, "events", &e)) == NULL || (arr = api_events_array(j, &e)) == NULL)
		goto fail;
	if (cJSON_GetArraySize(arr) > EVENTS_MAX) {
		api_fail(&e, 422, "events", "too many events: at most 1000 per request");
		goto fail;
	}
	if ((evs = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*evs))) == NULL) {
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	cJSON_ArrayForEach(item, arr) {
		if (api_event_check(item, n, now, &evs[n], &e) == -1)
			goto fail;
		n++;
	}
	if (api_begin(db, &e) == -1)
		goto fail;
	if (api_events_apply(db, evs, n, now, &accepted, &duplicates, &e) == -1) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db) == -1) {
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	log_info("api: request %s: %d events accepted, %d duplicates", req->request_id, accepted,
	    duplicates);
	o = cJSON_CreateObject();
	if (o != NULL && cJSON_AddNumberToObject(o, "accepted", accepted + duplicates) == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	api_reply(req, resp, o);
	goto out;
fail:
	if (e.status >= 500)
		log_error("api: request %s: events not stored (%s)", req->request_id, e.error);
	else
		log_info("api: request %s: events rejected: %d %s%s%s", req->request_id, e.status,
		    e.error, e.field[0] ? " at " : "", e.field);
	api_error(resp, &e);
out:
	free(evs);
	cJSON_Delete(j);
}

/* Partners by path ------------------------------------------------------------------------------ */

/* The partner named by the route's {id}: 1 found (*id), 0 none, -1 error. Digits other than an
 * INN's 10 or 12 are our id; anything else is an INN or a slug, matched exactly. */
static int
api_path_partner(struct db *db, const struct http_req *req, int64_t *id)
{
	const char *s = req->nparams > 0 && req->params[0] != NULL ? req->params[0] : "";
	size_t len = strlen(s), i;
	int64_t num = 0;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (len == 0 || len > 63)
		return 0;
	if (i == len && len != 10 && len != 12)
		return str_to_i64(s, &num) == 0 && num > 0 ?
		    activity_partner_ref(db, num, NULL, id) : 0;
	return activity_partner_ref(db, 0, s, id);
}

/* Volume ---------------------------------------------------------------------------------------- */

static const char *const api_volume_members[] = { "clients", "lessons", "payments", "db_bytes" };
#define API_VOLUME_MEMBERS (sizeof(api_volume_members) / sizeof(api_volume_members[0]))

/* Validates the volume body into v (figures only): 0 ok, -1 (e set). */
static int
api_volume_check(const cJSON *j, struct volume *v, struct api_err *e)
{
	const cJSON *m, *vals[API_VOLUME_MEMBERS] = { NULL };
	int64_t *dst[API_VOLUME_MEMBERS] = { &v->clients, &v->lessons, &v->payments, &v->db_bytes };
	size_t k;

	if (!cJSON_IsObject(j))
		return api_fail(e, 400, NULL, "the body must be a JSON object");
	cJSON_ArrayForEach(m, j) {
		for (k = 0; k < API_VOLUME_MEMBERS && strcmp(m->string, api_volume_members[k]) != 0;
		    k++)
			;
		if (k == API_VOLUME_MEMBERS)
			return api_fail(e, 422, m->string, "unknown member");
		if (vals[k] != NULL)
			return api_fail(e, 400, m->string, "member given twice");
		vals[k] = m;
	}
	for (k = 0; k < API_VOLUME_MEMBERS; k++) {
		if (vals[k] == NULL)
			return api_fail(e, 422, api_volume_members[k], "required member missing");
		if (api_int(vals[k], api_volume_members[k], 0, (int64_t)JSON_INT_MAX, dst[k], e) == -1)
			return -1;
	}
	return 0;
}

static cJSON *
api_volume_json(const struct volume *v)
{
	char at[32];
	cJSON *o = cJSON_CreateObject();

	api_format_time(v->updated_at, at, sizeof(at), 0);
	if (o == NULL || cJSON_AddNumberToObject(o, "partner", (double)v->partner_id) == NULL ||
	    cJSON_AddNumberToObject(o, "clients", (double)v->clients) == NULL ||
	    cJSON_AddNumberToObject(o, "lessons", (double)v->lessons) == NULL ||
	    cJSON_AddNumberToObject(o, "payments", (double)v->payments) == NULL ||
	    cJSON_AddNumberToObject(o, "db_bytes", (double)v->db_bytes) == NULL ||
	    cJSON_AddStringToObject(o, "updated_at", at) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void
api_volume(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	struct api_err e = { 0, "", "" };
	struct volume v, stored;
	cJSON *j = NULL;
	int r;

	(void)a;
	if (!api_authorized(req, resp))
		return;
	memset(&v, 0, sizeof(v));
	if ((j = api_parse_body(req, NULL, &e)) == NULL || api_volume_check(j, &v, &e) == -1 ||
	    api_begin(db, &e) == -1)
		goto fail;
	if ((r = api_path_partner(db, req, &v.partner_id)) != 1) {
		db_rollback(db);
		api_fail(&e, r == 0 ? 404 : 500, r == 0 ? "partner" : NULL,
		    r == 0 ? "unknown partner" : "internal error");
		goto fail;
	}
	v.updated_at = clock_now();
	if (volume_set(db, &v) == -1 || volume_get(db, v.partner_id, &stored) != 1) {
		db_rollback(db);
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	if (db_commit(db) == -1) {
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	api_reply(req, resp, api_volume_json(&stored));
	cJSON_Delete(j);
	return;
fail:
	if (e.status >= 500)
		log_error("api: request %s: volume not stored (%s)", req->request_id, e.error);
	api_error(resp, &e);
	cJSON_Delete(j);
}

/* Status ---------------------------------------------------------------------------------------- */

/* What the CRM shows the partner, by status (NULL: nothing to show). Russian: the partners'
 * language, whatever the back office's own. */
static const char *const api_status_messages[PARTNER_STATUS_COUNT] = {
	[PARTNER_ACTIVE] = NULL,
	[PARTNER_SUSPENDED] = "Доступ ограничен: работа приостановлена, доступен только просмотр. "
	    "Выгрузка данных доступна. Чтобы возобновить работу, оплатите счёт или свяжитесь "
	    "с поддержкой.",
	[PARTNER_BLOCKED] = "Доступ ограничен: учётная запись заблокирована, вход недоступен. "
	    "Выгрузка данных остаётся доступной. Свяжитесь с поддержкой.",
	[PARTNER_ARCHIVED] = "Доступ ограничен: учётная запись в архиве, данные сохранены. "
	    "Чтобы возобновить работу, свяжитесь с поддержкой.",
};

/* The partner's row and its billing as the CRM sees them. Dates are the partners row's
 * (billing_sync_partner keeps them); money is kopecks. */
static cJSON *
api_status_json(const struct partner *p, const struct billing_summary *b)
{
	const char *msg = api_status_messages[p->status];
	const char *sub = b->has_sub ? sub_status_name(b->sub.status) : NULL;
	char paid[16], next[16];
	cJSON *o = cJSON_CreateObject();
	int ok;

	api_format_time(p->paid_through, paid, sizeof(paid), 1);
	api_format_time(p->next_payment_on, next, sizeof(next), 1);
	ok = o != NULL && cJSON_AddNumberToObject(o, "partner", (double)p->id) != NULL &&
	    cJSON_AddStringToObject(o, "slug", p->slug) != NULL &&
	    cJSON_AddStringToObject(o, "status", partner_status_name(p->status)) != NULL &&
	    (p->paid_through > 0 ? cJSON_AddStringToObject(o, "paid_through", paid) :
	    cJSON_AddNullToObject(o, "paid_through")) != NULL &&
	    cJSON_AddBoolToObject(o, "read_only", p->status == PARTNER_SUSPENDED) != NULL &&
	    cJSON_AddBoolToObject(o, "login_allowed", p->status == PARTNER_ACTIVE ||
	    p->status == PARTNER_SUSPENDED) != NULL &&
	    cJSON_AddBoolToObject(o, "export_allowed", 1) != NULL &&
	    (msg != NULL ? cJSON_AddStringToObject(o, "message", msg) :
	    cJSON_AddNullToObject(o, "message")) != NULL &&
	    (sub != NULL ? cJSON_AddStringToObject(o, "subscription", sub) :
	    cJSON_AddNullToObject(o, "subscription")) != NULL &&
	    (b->has_sub ? cJSON_AddStringToObject(o, "plan", b->plan.code) :
	    cJSON_AddNullToObject(o, "plan")) != NULL &&
	    (p->next_payment_on > 0 ? cJSON_AddStringToObject(o, "next_payment_on", next) :
	    cJSON_AddNullToObject(o, "next_payment_on")) != NULL &&
	    cJSON_AddNumberToObject(o, "owed", (double)b->owed) != NULL &&
	    cJSON_AddNumberToObject(o, "overdue", (double)b->overdue) != NULL &&
	    cJSON_AddNumberToObject(o, "credit", (double)b->credit) != NULL;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The read is partner data disclosed to the CRM: it is audited (actor 0, roles "crm") in the
 * same transaction, and nothing is answered when the record cannot be written. */
void
api_status(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	struct api_err e = { 0, "", "" };
	struct billing_summary bill;
	struct audit_record rec;
	struct partner p;
	int64_t id = 0;
	int r;

	(void)a;
	if (!api_authorized(req, resp))
		return;
	if (api_begin(db, &e) == -1)
		goto fail;
	if ((r = api_path_partner(db, req, &id)) == 1)
		r = partner_get(db, id, &p);
	if (r != 1) {
		db_rollback(db);
		api_fail(&e, r == 0 ? 404 : 500, r == 0 ? "partner" : NULL,
		    r == 0 ? "unknown partner" : "internal error");
		goto fail;
	}
	if (p.status < 0 || p.status >= PARTNER_STATUS_COUNT ||
	    billing_summary(db, &p, clock_local_day(clock_now()), &bill) == -1) {
		db_rollback(db);
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	memset(&rec, 0, sizeof(rec));
	rec.at = clock_now();
	str_copy(rec.roles, sizeof(rec.roles), "crm");
	rec.partner_id = p.id;
	str_copy(rec.action, sizeof(rec.action), "api.status");
	snprintf(rec.detail, sizeof(rec.detail), "status: %s; request %s",
	    partner_status_name(p.status), req->request_id);
	if (audit_append(db, &rec) == -1) {
		db_rollback(db);
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	if (db_commit(db) == -1) {
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	api_reply(req, resp, api_status_json(&p, &bill));
	return;
fail:
	if (e.status >= 500)
		log_error("api: request %s: status not read (%s)", req->request_id, e.error);
	api_error(resp, &e);
}
