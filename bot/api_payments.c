/*
 * api_payments.c — POST /api/v1/payments: money received, as the payment provider reports it or
 * a bank import lists it. Each payment is recorded and allocated by billing_pay (handlers/
 * billing_rules.c): to the named invoice first, else the partner's oldest open invoice, the rest is
 * credit; a paid period extends the subscription, and a partner the dunning suspended or blocked
 * is active again.
 *
 * The body is one payment object, or {"payments": [ … ]} with 1 to PAYMENTS_MAX of them (a bank
 * import: one transaction, applied whole or not at all). A payment:
 *   id         required string, 1..128 bytes, no control characters: the provider's id, the
 *              idempotency key (kept for ever)
 *   partner    required: our id (a JSON number), the INN (a string of 10 or 12 digits) or the
 *              slug, matched exactly as for events
 *   amount     required: integer kopecks as a JSON number (1250050 is 12 500,50 ₽), never a
 *              string, a fraction or an exponent (1e3, 1000.0: no rounding anywhere);
 *              1..MONEY_MAX, or a refund
 *   currency   required: "RUB" (anything else 422 "unsupported currency")
 *   date       "YYYY-MM-DD" or an RFC 3339 time (its day in the configured zone); default
 *              today; 2000-01-01 at the earliest, at most one day ahead
 *   invoice    "2026-0001": paid first (an invoice no longer open is not an error: the money
 *              goes on as without it); another partner's invoice is 422
 *   reference  string ≤ 128 bytes: bank reference, payer
 *   reason     a refund's reason, ≤ 500 bytes; required with a negative amount, refused otherwise
 * A refund is a negative amount with a reason: it only takes from the partner's credit (more
 * than the credit is 422), never from an invoice (no `invoice`).
 *
 * The answer (200) lists the payments in the request's order:
 *   {"payments": [{"id": "<provider id>", "payment": <our id>, "partner": <our id>,
 *     "amount": <kopecks>, "date": "YYYY-MM-DD",
 *     "allocated": [{"invoice": "2026-0001", "amount": <kopecks>}, …],
 *     "credit": <kopecks>, "partner_status": "active", "replay": false}]}
 * "allocated" is what of this payment went to invoices when it was recorded (credit the
 * partner had before is allocated too, but is not this payment's, so it is not listed);
 * "credit" is what of the payment became credit: amount − allocated (≥ 0; < 0 for a refund). An answer lists at most PAYMENT_ALLOCS_MAX invoices a payment; credit is
 * exact all the same.
 * It is built from what is stored, so a replay — a provider id already recorded, in an earlier
 * request or earlier in the same one — changes nothing and answers as the first time, with
 * "replay": true and the partner's status as it is now. A replay naming another partner or
 * amount than the stored payment is a client's bug: 409, nothing of the request stored.
 *
 * Errors as in api.c; a single payment's fields are its member names ("amount"), a batch's
 * "payments[3].amount". 404 an unknown partner or invoice. Every recorded payment is audited
 * (actor 0, roles "payments", action api.payment), a replay too (api.payment.replay: the answer
 * discloses the partner's status), in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/api.h"
#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define PAYMENTS_MAX 500		/* payments per request */
#define PAYMENT_REASON_MAX 500		/* bytes of a refund's reason */
#define PAYMENT_AHEAD_DAYS 1		/* a date this far ahead is tolerated (zones, clocks) */
#define PAYMENT_ALLOCS_MAX 100		/* invoices listed in an answer per payment */

/* One payment as validated; the partner and invoice are resolved in the transaction. */
struct api_payment {
	struct payment	 p;		/* partner_id filled by resolution */
	int64_t		 ref_id;	/* our id when the partner was a number, else 0 */
	char		 ref_key[API_PARTNER_KEY_MAX];	/* INN or slug when a string */
	char		 invoice[INVOICE_NUMBER_MAX];	/* "" none */
	char		 prefix[24];	/* of its error fields: "" or "payments[3]." */
};

/* The members of a payment, the required ones first. */
static const char *const api_payment_members[] = {
	"id", "partner", "amount", "currency", "date", "invoice", "reference", "reason"
};
#define API_PAYMENT_MEMBERS (sizeof(api_payment_members) / sizeof(api_payment_members[0]))
#define API_PAYMENT_REQUIRED 4
enum { PM_ID, PM_PARTNER, PM_AMOUNT, PM_CURRENCY, PM_DATE, PM_INVOICE, PM_REFERENCE, PM_REASON };

/* The error field of member m of ap. */
static const char *
api_pay_field(const struct api_payment *ap, int m, char field[API_FIELD_MAX])
{
	snprintf(field, API_FIELD_MAX, "%s%s", ap->prefix, api_payment_members[m]);
	return field;
}

/* The payment's day: "YYYY-MM-DD" or RFC 3339 (its local day). 0/-1 (e set). */
static int
api_pay_date(const cJSON *v, const char *field, int64_t today, int64_t *day, struct api_err *e)
{
	int64_t t;

	if (!cJSON_IsString(v))
		return api_fail(e, 400, field, "must be a string");
	if (api_date(v->valuestring, day) == -1) {
		if (api_rfc3339(v->valuestring, &t) == -1)
			return api_fail(e, 422, field,
			    "must be a date such as 2026-11-26 or an RFC 3339 time");
		*day = clock_local_day(t);
	}
	if (*day < API_AT_MIN / 86400)
		return api_fail(e, 422, field, "before 2000-01-01");
	if (*day > today + PAYMENT_AHEAD_DAYS)
		return api_fail(e, 422, field, "more than a day in the future");
	return 0;
}

/* Validates one payment object into ap (its prefix set): 0 ok, -1 (e set). */
static int
api_payment_check(const cJSON *o, int64_t today, struct api_payment *ap, struct api_err *e)
{
	const cJSON *v[API_PAYMENT_MEMBERS];
	struct payment *p = &ap->p;
	char field[API_FIELD_MAX];

	if (!cJSON_IsObject(o)) {
		snprintf(field, sizeof(field), "%.*s", (int)strcspn(ap->prefix, "."), ap->prefix);
		return api_fail(e, 400, field, "a payment must be a JSON object");
	}
	if (api_members(o, ap->prefix, api_payment_members, API_PAYMENT_MEMBERS,
	    API_PAYMENT_REQUIRED, v, e) == -1)
		return -1;

	if (api_string(v[PM_ID], api_pay_field(ap, PM_ID, field), PAYMENT_REF_MAX, 1, e) == -1)
		return -1;
	str_copy(p->provider_id, sizeof(p->provider_id), v[PM_ID]->valuestring);

	if (api_partner_member(v[PM_PARTNER], api_pay_field(ap, PM_PARTNER, field), &ap->ref_id,
	    ap->ref_key, e) == -1)
		return -1;

	api_pay_field(ap, PM_AMOUNT, field);
	if (api_int(v[PM_AMOUNT], field, -MONEY_MAX, MONEY_MAX, &p->amount, e) == -1)
		return -1;
	if (p->amount == 0)
		return api_fail(e, 422, field, "must not be 0");

	api_pay_field(ap, PM_CURRENCY, field);
	if (!cJSON_IsString(v[PM_CURRENCY]))
		return api_fail(e, 400, field, "must be a string");
	if (strcmp(v[PM_CURRENCY]->valuestring, "RUB") != 0)
		return api_fail(e, 422, field, "unsupported currency: only \"RUB\"");

	p->received_on = today;
	if (v[PM_DATE] != NULL && api_pay_date(v[PM_DATE], api_pay_field(ap, PM_DATE, field),
	    today, &p->received_on, e) == -1)
		return -1;

	if (v[PM_INVOICE] != NULL) {
		api_pay_field(ap, PM_INVOICE, field);
		if (!cJSON_IsString(v[PM_INVOICE]))
			return api_fail(e, 400, field, "must be a string such as \"2026-0001\"");
		/* a longer one names no invoice: the lookup answers 404 */
		if (strlen(v[PM_INVOICE]->valuestring) < sizeof(ap->invoice))
			str_copy(ap->invoice, sizeof(ap->invoice), v[PM_INVOICE]->valuestring);
		else
			str_copy(ap->invoice, sizeof(ap->invoice), "?");
		if (p->amount < 0)
			return api_fail(e, 422, field, "a refund is not paid to an invoice");
	}

	if (v[PM_REFERENCE] != NULL) {
		if (api_string(v[PM_REFERENCE], api_pay_field(ap, PM_REFERENCE, field),
		    PAYMENT_REF_MAX, 1, e) == -1)
			return -1;
		str_copy(p->reference, sizeof(p->reference), v[PM_REFERENCE]->valuestring);
	}

	api_pay_field(ap, PM_REASON, field);
	if (v[PM_REASON] != NULL) {
		if (p->amount > 0)
			return api_fail(e, 422, field,
			    "only a refund (a negative amount) has a reason");
		if (api_string(v[PM_REASON], field, PAYMENT_REASON_MAX, 1, e) == -1)
			return -1;
		str_copy(p->reason, sizeof(p->reason), v[PM_REASON]->valuestring);
	} else if (p->amount < 0)
		return api_fail(e, 422, field, "required for a refund (a negative amount)");

	str_copy(p->source, sizeof(p->source), "api");
	p->recorded_by = 0;
	return 0;
}

/*
 * The payments of the body, validated into a new array (*out, freed by the caller) of *n. The
 * body is a payment object, or an object whose only member is "payments", an array. 0/-1 (e set).
 */
static int
api_payments_parse(const cJSON *j, int64_t today, struct api_payment **out, int *n,
    struct api_err *e)
{
	const cJSON *arr, *item;
	struct api_payment *aps;
	int count, i = 0;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(j))
		return api_fail(e, 400, NULL,
		    "the body must be a payment object or {\"payments\": [...]}");
	if ((arr = cJSON_GetObjectItemCaseSensitive(j, "payments")) != NULL) {
		for (item = j->child; item != NULL; item = item->next) {
			if (item == arr)
				continue;
			if (strcmp(item->string, "payments") == 0)
				return api_fail(e, 400, "payments", "member given twice");
			return api_fail(e, 422, item->string,
			    "unknown member: a batch has only \"payments\"");
		}
		if (!cJSON_IsArray(arr))
			return api_fail(e, 400, "payments", "must be an array");
		count = cJSON_GetArraySize(arr);
		if (count < 1)
			return api_fail(e, 422, "payments", "must list at least one payment");
		if (count > PAYMENTS_MAX)
			return api_fail(e, 422, "payments",
			    "too many payments: at most 500 per request");
	} else
		count = 1;
	if ((aps = calloc((size_t)count, sizeof(*aps))) == NULL)
		return api_fail(e, 500, NULL, "internal error");
	if (arr == NULL)
		i = api_payment_check(j, today, &aps[0], e) == -1 ? -1 : 1;
	else
		cJSON_ArrayForEach(item, arr) {
			snprintf(aps[i].prefix, sizeof(aps[i].prefix), "payments[%d].", i);
			if (api_payment_check(item, today, &aps[i], e) == -1) {
				i = -1;
				break;
			}
			i++;
		}
	if (i == -1) {
		free(aps);
		return -1;
	}
	*out = aps;
	*n = count;
	return 0;
}

/* Adds the answer for the stored payment p to arr, from what is stored: its allocations and the
 * partner's status now. 0/-1 (e set). */
static int
api_payment_answer(struct db *db, const struct payment *p, int replay, cJSON *arr,
    struct api_err *e)
{
	struct payment_alloc al[PAYMENT_ALLOCS_MAX];
	struct partner partner;
	const char *status;
	cJSON *o, *list, *a;
	int64_t total = 0;
	char date[16];
	int n, i, ok;

	if ((n = payment_allocations(db, p->partner_id, p->id, al, PAYMENT_ALLOCS_MAX,
	    &total)) == -1 ||
	    partner_get(db, p->partner_id, &partner) != 1 ||
	    (status = partner_status_name(partner.status)) == NULL)
		return api_fail(e, 500, NULL, "internal error");
	api_format_time(p->received_on * 86400, date, sizeof(date), 1);
	if ((o = cJSON_CreateObject()) == NULL)
		return api_fail(e, 500, NULL, "out of memory");
	cJSON_AddItemToArray(arr, o);
	ok = cJSON_AddStringToObject(o, "id", p->provider_id) != NULL &&
	    cJSON_AddNumberToObject(o, "payment", (double)p->id) != NULL &&
	    cJSON_AddNumberToObject(o, "partner", (double)p->partner_id) != NULL &&
	    cJSON_AddNumberToObject(o, "amount", (double)p->amount) != NULL &&
	    cJSON_AddStringToObject(o, "date", date) != NULL &&
	    (list = cJSON_AddArrayToObject(o, "allocated")) != NULL;
	for (i = 0; ok && i < n; i++) {
		ok = (a = cJSON_CreateObject()) != NULL;
		if (ok) {
			cJSON_AddItemToArray(list, a);
			ok = cJSON_AddStringToObject(a, "invoice", al[i].number) != NULL &&
			    cJSON_AddNumberToObject(a, "amount", (double)al[i].amount) != NULL;
		}
	}
	ok = ok && cJSON_AddNumberToObject(o, "credit", (double)(p->amount - total)) != NULL &&
	    cJSON_AddStringToObject(o, "partner_status", status) != NULL &&
	    cJSON_AddBoolToObject(o, "replay", replay) != NULL;
	return ok ? 0 : api_fail(e, 500, NULL, "out of memory");
}

/* The audit record of a recorded (or replayed) payment, in the open transaction. 0/-1. */
static int
api_payment_audit(struct db *db, const struct http_req *req, const struct payment *p,
    int replay)
{
	struct audit_record rec;
	char money[MONEY_TEXT_MAX];

	memset(&rec, 0, sizeof(rec));
	rec.at = clock_now();
	str_copy(rec.roles, sizeof(rec.roles), "payments");
	rec.partner_id = p->partner_id;
	str_copy(rec.action, sizeof(rec.action), replay ? "api.payment.replay" : "api.payment");
	money_format(p->amount, money, sizeof(money));
	snprintf(rec.detail, sizeof(rec.detail),
	    "payment %lld: %s (%lld kopecks), provider id %s; request %s", (long long)p->id, money,
	    (long long)p->amount, p->provider_id, req->request_id);
	return audit_append(db, &rec);
}

/* The invoice ap names, checked against its partner: 0 ok (*id: 0 none, or not open), -1 (e). */
static int
api_payment_invoice(struct db *db, const struct api_payment *ap, int64_t *id,
    struct api_err *e)
{
	struct invoice inv;
	char field[API_FIELD_MAX];
	int r;

	*id = 0;
	if (ap->invoice[0] == '\0')
		return 0;
	api_pay_field(ap, PM_INVOICE, field);
	if ((r = invoice_by_number(db, ap->invoice, &inv)) == -1)
		return api_fail(e, 500, NULL, "internal error");
	if (r == 0)
		return api_fail(e, 404, field, "unknown invoice");
	if (inv.partner_id != ap->p.partner_id)
		return api_fail(e, 422, field, "the invoice is another partner's");
	if (inv.status == INV_OPEN)
		*id = inv.id;
	return 0;
}

/* Resolves, records (or finds the replay of) and answers one payment in the open transaction:
 * 0/-1 (e set). */
static int
api_payment_apply(struct app *a, struct db *db, const struct http_req *req,
    struct api_payment *ap, int64_t today, cJSON *arr, struct api_err *e)
{
	struct billing_outcome out;
	struct payment stored;
	char field[API_FIELD_MAX];
	int64_t invoice_id;
	int r, replay;

	if ((r = activity_partner_ref(db, ap->ref_id, ap->ref_key, &ap->p.partner_id)) == -1)
		return api_fail(e, 500, NULL, "internal error");
	if (r == 0)
		return api_fail(e, 404, api_pay_field(ap, PM_PARTNER, field), "unknown partner");
	if ((r = payment_by_provider(db, ap->p.provider_id, &stored)) == -1)
		return api_fail(e, 500, NULL, "internal error");
	if ((replay = r == 1)) {
		if (stored.partner_id != ap->p.partner_id || stored.amount != ap->p.amount)
			return api_fail(e, 409, api_pay_field(ap, PM_ID, field),
			    "this id was recorded for another partner or amount");
	} else {
		if (api_payment_invoice(db, ap, &invoice_id, e) == -1)
			return -1;
		memset(&out, 0, sizeof(out));
		if ((r = billing_pay(a, db, &ap->p, invoice_id, today, &out)) == -1)
			return api_fail(e, 500, NULL, "internal error");
		/* refused, and not a replay (looked up above): a refund over the credit */
		if (r == 0 && ap->p.amount < 0)
			return api_fail(e, 422, api_pay_field(ap, PM_AMOUNT, field),
			    "the refund is larger than the partner's credit");
		if (r == 0)
			return api_fail(e, 500, NULL, "internal error");
		if ((r = payment_get(db, ap->p.id, &stored)) != 1)
			return api_fail(e, 500, NULL, "internal error");
		log_info("api: request %s: payment %lld recorded for partner %lld, %d invoice(s) "
		    "paid%s", req->request_id, (long long)stored.id, (long long)stored.partner_id,
		    out.paid, out.restored ? ", partner active again" : "");
	}
	if (api_payment_audit(db, req, &stored, replay) == -1)
		return api_fail(e, 500, NULL, "internal error");
	return api_payment_answer(db, &stored, replay, arr, e);
}

void
api_payments(struct app *a, struct db *db, const struct http_req *req, struct http_resp *resp)
{
	struct api_err e = { 0, "", "" };
	struct api_payment *aps = NULL;
	cJSON *j = NULL, *o = NULL, *arr;
	int64_t today = clock_local_day(clock_now());
	int i, n = 0;

	if (!api_authorized(req, resp))
		return;
	if ((j = api_parse_body(req, NULL, &e)) == NULL ||
	    api_payments_parse(j, today, &aps, &n, &e) == -1)
		goto fail;
	if ((o = cJSON_CreateObject()) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "payments")) == NULL) {
		api_fail(&e, 500, NULL, "out of memory");
		goto fail;
	}
	if (api_begin(db, &e) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (api_payment_apply(a, db, req, &aps[i], today, arr, &e) == -1) {
			db_rollback(db);
			goto fail;
		}
	if (db_commit(db) == -1) {
		api_fail(&e, 500, NULL, "internal error");
		goto fail;
	}
	api_reply(req, resp, o);
	o = NULL;
	goto out;
fail:
	if (e.status >= 500)
		log_error("api: request %s: payments not stored (%s)", req->request_id, e.error);
	else
		log_info("api: request %s: payments rejected: %d %s%s%s", req->request_id,
		    e.status, e.error, e.field[0] ? " at " : "", e.field);
	api_error(resp, &e);
out:
	cJSON_Delete(o);
	free(aps);
	cJSON_Delete(j);
}
