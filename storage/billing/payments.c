/*
 * payments.c — money received or refunded, its allocation to invoices, and acts.
 *
 * The ledger is two sums per partner: payments (refunds negative) and allocations (an
 * allocation moves money onto an invoice; a negative one gives it back). Credit is their
 * difference; each invoice's paid column is the sum of its allocations, kept in step by
 * allocation_add, which refuses to take paid below 0 or above the invoice's amount.
 *
 * Inserts take created_at from the struct (0: now).
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

#define PAYMENT_COLS "id, partner_id, amount, received_on, source, provider_id, reference," \
	" reason, recorded_by, created_at"

static void
payment_fill(sqlite3_stmt *st, void *row)
{
	struct payment *p = row;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->partner_id = sqlite3_column_int64(st, 1);
	p->amount = sqlite3_column_int64(st, 2);
	p->received_on = sqlite3_column_int64(st, 3);
	db_col_copy(st, 4, p->source, sizeof(p->source));
	db_col_copy(st, 5, p->provider_id, sizeof(p->provider_id));	/* NULL reads "" */
	db_col_copy(st, 6, p->reference, sizeof(p->reference));
	db_col_copy(st, 7, p->reason, sizeof(p->reason));
	p->recorded_by = sqlite3_column_int64(st, 8);
	p->created_at = sqlite3_column_int64(st, 9);
}

int
payment_insert(struct db *db, struct payment *p)
{
	/* A provider's id is stored once: a replay finds the first payment instead of a second
	 * one. "" is stored as NULL, which UNIQUE never matches. */
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO payments(partner_id, amount, received_on, source, provider_id, reference,"
	    " reason, recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT (provider_id) DO NOTHING");
	int64_t now = p->created_at ? p->created_at : clock_now();

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, p->partner_id) |
	    sqlite3_bind_int64(st, 2, p->amount) | sqlite3_bind_int64(st, 3, p->received_on) |
	    db_bind_str(st, 4, p->source) |
	    db_bind_str(st, 5, p->provider_id[0] ? p->provider_id : NULL) |
	    db_bind_str(st, 6, p->reference) | db_bind_str(st, 7, p->reason) |
	    sqlite3_bind_int64(st, 8, p->recorded_by) | sqlite3_bind_int64(st, 9, now)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) == 0) {
		st = db_stmt(db, "SELECT id FROM payments WHERE provider_id = ?1");
		if (st == NULL || db_bound(db, st, db_bind_str(st, 1, p->provider_id)) == -1 ||
		    db_step(db, st) != 1) {
			db_done(st);
			return -1;
		}
		p->id = sqlite3_column_int64(st, 0);
		db_done(st);
		return 0;
	}
	p->id = db_last_id(db);
	p->created_at = now;
	return 1;
}

int
payment_get(struct db *db, int64_t id, struct payment *p)
{
	memset(p, 0, sizeof(*p));
	return db_rows_by(db, "SELECT " PAYMENT_COLS " FROM payments WHERE id = ?1", &id, 1,
	    payment_fill, p, sizeof(*p), 1);
}

int
payment_by_provider(struct db *db, const char *provider_id, struct payment *p)
{
	sqlite3_stmt *st;

	memset(p, 0, sizeof(*p));
	if (provider_id == NULL || provider_id[0] == '\0')
		return 0;	/* "no provider id" names no payment */
	st = db_stmt(db, "SELECT " PAYMENT_COLS " FROM payments WHERE provider_id = ?1");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, provider_id)) == -1) {
		db_done(st);
		return -1;
	}
	return db_rows(db, st, payment_fill, p, sizeof(*p), 1);
}

int
payment_list(struct db *db, int64_t partner_id, struct payment *rows, int max)
{
	return db_rows_by(db, "SELECT " PAYMENT_COLS " FROM payments"
	    " WHERE partner_id = ?1 ORDER BY id DESC LIMIT ?2", &partner_id, 1, payment_fill, rows,
	    sizeof(*rows), max);
}

int
allocation_add(struct db *db, int64_t partner_id, int64_t invoice_id, int64_t payment_id,
    int64_t amount, int64_t now)
{
	sqlite3_stmt *st;

	if (amount == 0)
		return 0;
	/* The invoice first: it must be the partner's, and its paid stays within 0..amount. */
	st = db_stmt(db, "UPDATE invoices SET paid = paid + ?3, updated_at = ?4"
	    " WHERE id = ?2 AND partner_id = ?1 AND paid + ?3 BETWEEN 0 AND amount");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    sqlite3_bind_int64(st, 2, invoice_id) | sqlite3_bind_int64(st, 3, amount) |
	    sqlite3_bind_int64(st, 4, now)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) != 1) {
		log_error("payments: cannot allocate %lld to invoice %lld of partner %lld",
		    (long long)amount, (long long)invoice_id, (long long)partner_id);
		return -1;
	}
	st = db_stmt(db, "INSERT INTO allocations(partner_id, invoice_id, payment_id, amount,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    sqlite3_bind_int64(st, 2, invoice_id) |
	    (payment_id ? sqlite3_bind_int64(st, 3, payment_id) : sqlite3_bind_null(st, 3)) |
	    sqlite3_bind_int64(st, 4, amount) | sqlite3_bind_int64(st, 5, now)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return 0;
}

/* A sum statement bound to ?1 = partner (and ?2 = key when it has one): 0 with *out set, -1
 * (an overflowing sum is one). */
static int
payment_sum(struct db *db, sqlite3_stmt *st, int64_t partner_id, int64_t key, int64_t *out)
{
	int rc = -1;

	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, partner_id) |
	    (sqlite3_bind_parameter_count(st) > 1 ? sqlite3_bind_int64(st, 2, key) : 0)) == 0 &&
	    db_step(db, st) == 1) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	db_done(st);
	return rc;
}

int
billing_credit(struct db *db, int64_t partner_id, int64_t *credit)
{
	return payment_sum(db, db_stmt(db,
	    "SELECT (SELECT coalesce(sum(amount), 0) FROM payments WHERE partner_id = ?1) -"
	    " (SELECT coalesce(sum(amount), 0) FROM allocations WHERE partner_id = ?1)"),
	    partner_id, 0, credit);
}

int
billing_owed(struct db *db, int64_t partner_id, int64_t *owed)
{
	return payment_sum(db, db_stmt(db, "SELECT coalesce(sum(amount - paid), 0) FROM invoices"
	    " WHERE partner_id = ?1 AND status = 1"), partner_id, 0, owed);
}

static void
payment_alloc_fill(sqlite3_stmt *st, void *row)
{
	struct payment_alloc *a = row;

	memset(a, 0, sizeof(*a));
	a->invoice_id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, a->number, sizeof(a->number));
	a->amount = sqlite3_column_int64(st, 2);
}

/* Both statements go through the partner's index: allocations has none by payment. */
int
payment_allocations(struct db *db, int64_t partner_id, int64_t payment_id,
    struct payment_alloc *rows, int max, int64_t *total)
{
	const int64_t keys[2] = { partner_id, payment_id };

	if (payment_sum(db, db_stmt(db, "SELECT coalesce(sum(amount), 0) FROM allocations"
	    " WHERE partner_id = ?1 AND payment_id = ?2"), partner_id, payment_id, total) == -1)
		return -1;
	return db_rows_by(db, "SELECT a.invoice_id, coalesce(i.number, ''), a.amount"
	    " FROM allocations a JOIN invoices i ON i.id = a.invoice_id"
	    " WHERE a.partner_id = ?1 AND a.payment_id = ?2 ORDER BY a.id LIMIT ?3", keys, 2,
	    payment_alloc_fill, rows, sizeof(*rows), max);
}

#define ACT_COLS "id, number, partner_id, invoice_id, period_start, period_end, amount," \
	" issued_on, created_at"

static void
act_fill(sqlite3_stmt *st, void *row)
{
	struct act *a = row;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, a->number, sizeof(a->number));
	a->partner_id = sqlite3_column_int64(st, 2);
	a->invoice_id = sqlite3_column_int64(st, 3);
	a->period_start = sqlite3_column_int64(st, 4);
	a->period_end = sqlite3_column_int64(st, 5);
	a->amount = sqlite3_column_int64(st, 6);
	a->issued_on = sqlite3_column_int64(st, 7);
	a->created_at = sqlite3_column_int64(st, 8);
}

int
act_insert(struct db *db, struct act *a)
{
	sqlite3_stmt *st;
	struct act old;
	int64_t now = a->created_at ? a->created_at : clock_now();
	int rc;

	/* Looked for before a number is taken: a second act for the invoice spends none. */
	if ((rc = db_rows_by(db, "SELECT " ACT_COLS " FROM acts WHERE invoice_id = ?1",
	    &a->invoice_id, 1, act_fill, &old, sizeof(old), 1)) != 0) {
		if (rc == 1)
			*a = old;
		return rc == 1 ? 0 : -1;
	}
	if (doc_number_next(db, "act", "А-", a->issued_on, a->number, sizeof(a->number)) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO acts(number, partner_id, invoice_id, period_start,"
	    " period_end, amount, issued_on, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, a->number) |
	    sqlite3_bind_int64(st, 2, a->partner_id) | sqlite3_bind_int64(st, 3, a->invoice_id) |
	    sqlite3_bind_int64(st, 4, a->period_start) | sqlite3_bind_int64(st, 5, a->period_end) |
	    sqlite3_bind_int64(st, 6, a->amount) | sqlite3_bind_int64(st, 7, a->issued_on) |
	    sqlite3_bind_int64(st, 8, now)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	a->id = db_last_id(db);
	a->created_at = now;
	return 1;
}

int
act_list(struct db *db, int64_t partner_id, struct act *rows, int max)
{
	return db_rows_by(db, "SELECT " ACT_COLS " FROM acts"
	    " WHERE partner_id = ?1 ORDER BY id DESC LIMIT ?2", &partner_id, 1, act_fill, rows,
	    sizeof(*rows), max);
}
