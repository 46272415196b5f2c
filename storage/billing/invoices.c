/*
 * invoices.c — invoices, their lines, and the per-year document numbers.
 *
 * A number is taken from doc_numbers by the same transaction that writes it onto the
 * document: the callers run BEGIN IMMEDIATE, so two issuers never read the same counter, and a
 * rollback takes the number back with the invoice — no gaps, no duplicates.
 *
 * Inserts take created_at from the struct (0: now); changes stamp updated_at now.
 */
#include <stdio.h>
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

/* Indexed by enum invoice_status. Names are shown and logged: never rename. */
static const char *const invoice_status_names[INV_STATUS_COUNT] = {
	"draft", "open", "paid", "void", "uncollectible",
};

const char *
invoice_status_name(int status)
{
	if (status < 0 || status >= INV_STATUS_COUNT)
		return NULL;
	return invoice_status_names[status];
}

/* The civil year of a day number, or -1 outside 1970..9999 (numbers carry a 4-digit year). */
static int
doc_year(int64_t day)
{
	int64_t y;

	if (day < 0 || day >= clock_days_from_civil(10000, 1, 1))
		return -1;
	y = 1970 + day * 400 / 146097;	/* 146097 days in 400 years: off by one at most */
	while (clock_days_from_civil(y, 1, 1) > day)
		y--;
	while (clock_days_from_civil(y + 1, 1, 1) <= day)
		y++;
	return (int)y;
}

int
doc_number_next(struct db *db, const char *kind, const char *prefix, int64_t day, char *out,
    size_t outsz)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int year, len, rc = -1;

	if ((year = doc_year(day)) == -1) {
		log_error("invoices: no %s number for day %lld", kind, (long long)day);
		return -1;
	}
	st = db_stmt(db, "INSERT INTO doc_numbers(kind, year, last) VALUES (?1, ?2, 1)"
	    " ON CONFLICT (kind, year) DO UPDATE SET last = last + 1 RETURNING last");
	if (st != NULL && db_bound(db, st, db_bind_str(st, 1, kind) |
	    sqlite3_bind_int(st, 2, year)) == 0 && db_step(db, st) == 1) {
		n = sqlite3_column_int64(st, 0);
		rc = db_step(db, st);	/* 0: the statement ran to its end */
	}
	db_done(st);
	if (rc != 0)
		return -1;
	len = snprintf(out, outsz, "%s%d-%04lld", prefix, year, (long long)n);
	if (len < 0 || (size_t)len >= outsz) {
		log_error("invoices: %s number %lld of %d does not fit", kind, (long long)n, year);
		return -1;
	}
	return 0;
}

#define INVOICE_COLS "id, number, partner_id, subscription_id, plan_id, kind, period_start," \
	" period_end, periods, amount, paid, status, issued_on, due_on, paid_on, hold_until," \
	" dunning, void_reason, created_by, created_at, updated_at"

/* Fills a struct invoice from a statement selecting INVOICE_COLS (db_rows' fill). */
static void
invoice_fill(sqlite3_stmt *st, void *row)
{
	struct invoice *inv = row;

	memset(inv, 0, sizeof(*inv));
	inv->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, inv->number, sizeof(inv->number));	/* NULL (a draft) reads "" */
	inv->partner_id = sqlite3_column_int64(st, 2);
	inv->subscription_id = sqlite3_column_int64(st, 3);
	inv->plan_id = sqlite3_column_int64(st, 4);
	inv->kind = sqlite3_column_int(st, 5);
	inv->period_start = sqlite3_column_int64(st, 6);
	inv->period_end = sqlite3_column_int64(st, 7);
	inv->periods = sqlite3_column_int(st, 8);
	inv->amount = sqlite3_column_int64(st, 9);
	inv->paid = sqlite3_column_int64(st, 10);
	inv->status = sqlite3_column_int(st, 11);
	inv->issued_on = sqlite3_column_int64(st, 12);
	inv->due_on = sqlite3_column_int64(st, 13);
	inv->paid_on = sqlite3_column_int64(st, 14);
	inv->hold_until = sqlite3_column_int64(st, 15);
	inv->dunning = sqlite3_column_int(st, 16);
	db_col_copy(st, 17, inv->void_reason, sizeof(inv->void_reason));
	inv->created_by = sqlite3_column_int64(st, 18);
	inv->created_at = sqlite3_column_int64(st, 19);
	inv->updated_at = sqlite3_column_int64(st, 20);
}

static void
invoice_line_fill(sqlite3_stmt *st, void *row)
{
	struct invoice_line *l = row;

	memset(l, 0, sizeof(*l));
	l->id = sqlite3_column_int64(st, 0);
	l->invoice_id = sqlite3_column_int64(st, 1);
	db_col_copy(st, 2, l->kind, sizeof(l->kind));
	db_col_copy(st, 3, l->description, sizeof(l->description));
	l->quantity = sqlite3_column_int64(st, 4);
	l->unit_price = sqlite3_column_int64(st, 5);
	l->amount = sqlite3_column_int64(st, 6);
}

/* Binds an id that 0 means "none" as NULL (the columns reference other tables). */
static int
invoice_bind_ref(sqlite3_stmt *st, int idx, int64_t id)
{
	return id ? sqlite3_bind_int64(st, idx, id) : sqlite3_bind_null(st, idx);
}

static int
invoice_line_insert(struct db *db, int64_t invoice_id, const struct invoice_line *l)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO invoice_lines(invoice_id, kind, description, quantity, unit_price, amount)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, invoice_id) |
	    db_bind_str(st, 2, l->kind) | db_bind_str(st, 3, l->description) |
	    sqlite3_bind_int64(st, 4, l->quantity) | sqlite3_bind_int64(st, 5, l->unit_price) |
	    sqlite3_bind_int64(st, 6, l->amount)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return 0;
}

int
invoice_insert(struct db *db, struct invoice *inv, const struct invoice_line *lines, int nlines)
{
	sqlite3_stmt *st;
	int64_t amount = 0, now = inv->created_at ? inv->created_at : clock_now();
	int i;

	if (nlines < 0 || (nlines > 0 && lines == NULL))
		return -1;
	for (i = 0; i < nlines; i++)
		if (__builtin_add_overflow(amount, lines[i].amount, &amount)) {
			log_error("invoices: the lines' sum overflows");
			return -1;
		}
	/* DO NOTHING names invoices_period alone: a second live invoice for the same period is
	 * the answer "already invoiced"; every other constraint still fails. */
	st = db_stmt(db,
	    "INSERT INTO invoices(partner_id, subscription_id, plan_id, kind, period_start,"
	    " period_end, periods, amount, created_by, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
	    " ON CONFLICT (subscription_id, period_start, plan_id) WHERE kind = 0 AND status <> 3"
	    " DO NOTHING");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, inv->partner_id) |
	    invoice_bind_ref(st, 2, inv->subscription_id) | invoice_bind_ref(st, 3, inv->plan_id) |
	    sqlite3_bind_int(st, 4, inv->kind) | sqlite3_bind_int64(st, 5, inv->period_start) |
	    sqlite3_bind_int64(st, 6, inv->period_end) | sqlite3_bind_int(st, 7, inv->periods) |
	    sqlite3_bind_int64(st, 8, amount) | sqlite3_bind_int64(st, 9, inv->created_by) |
	    sqlite3_bind_int64(st, 10, now)) == -1 || db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) == 0) {
		st = db_stmt(db, "SELECT id FROM invoices WHERE subscription_id = ?1"
		    " AND period_start = ?2 AND plan_id IS ?3 AND kind = 0 AND status <> 3");
		if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, inv->subscription_id) |
		    sqlite3_bind_int64(st, 2, inv->period_start) |
		    invoice_bind_ref(st, 3, inv->plan_id)) == -1 || db_step(db, st) != 1) {
			db_done(st);
			return -1;
		}
		inv->id = sqlite3_column_int64(st, 0);
		db_done(st);
		return 0;
	}
	inv->id = db_last_id(db);
	for (i = 0; i < nlines; i++)
		if (invoice_line_insert(db, inv->id, &lines[i]) == -1)
			return -1;
	inv->number[0] = '\0';
	inv->amount = amount;
	inv->paid = inv->paid_on = inv->hold_until = inv->issued_on = inv->due_on = 0;
	inv->status = INV_DRAFT;
	inv->dunning = DUN_NONE;
	inv->void_reason[0] = '\0';
	inv->created_at = inv->updated_at = now;
	return 1;
}

int
invoice_issue(struct db *db, struct invoice *inv, int64_t issued_on, int64_t due_on)
{
	sqlite3_stmt *st;
	char number[INVOICE_NUMBER_MAX];
	int64_t now = clock_now();
	int rc;

	/* Checked before the counter moves, so a refusal never spends a number. */
	st = db_stmt(db, "SELECT 1 FROM invoices WHERE id = ?1 AND status = 0");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, inv->id)) == -1)
		rc = -1;
	else
		rc = db_step(db, st);
	db_done(st);
	if (rc != 1) {
		if (rc == 0)
			log_error("invoices: issuing %lld, which is not a draft", (long long)inv->id);
		return -1;
	}
	if (doc_number_next(db, "invoice", "", issued_on, number, sizeof(number)) == -1)
		return -1;
	st = db_stmt(db, "UPDATE invoices SET number = ?2, status = 1, issued_on = ?3,"
	    " due_on = ?4, updated_at = ?5 WHERE id = ?1 AND status = 0");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, inv->id) |
	    db_bind_str(st, 2, number) | sqlite3_bind_int64(st, 3, issued_on) |
	    sqlite3_bind_int64(st, 4, due_on) | sqlite3_bind_int64(st, 5, now)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	str_copy(inv->number, sizeof(inv->number), number);
	inv->status = INV_OPEN;
	inv->issued_on = issued_on;
	inv->due_on = due_on;
	inv->updated_at = now;
	return 0;
}

int
invoice_get(struct db *db, int64_t id, struct invoice *inv)
{
	memset(inv, 0, sizeof(*inv));
	return db_rows_by(db, "SELECT " INVOICE_COLS " FROM invoices WHERE id = ?1", &id, 1,
	    invoice_fill, inv, sizeof(*inv), 1);
}

int
invoice_by_number(struct db *db, const char *number, struct invoice *inv)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " INVOICE_COLS " FROM invoices WHERE number = ?1");

	memset(inv, 0, sizeof(*inv));
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, number)) == -1) {
		db_done(st);
		return -1;
	}
	return db_rows(db, st, invoice_fill, inv, sizeof(*inv), 1);
}

int
invoice_lines(struct db *db, int64_t invoice_id, struct invoice_line *rows, int max)
{
	return db_rows_by(db, "SELECT id, invoice_id, kind, description, quantity, unit_price,"
	    " amount FROM invoice_lines WHERE invoice_id = ?1 ORDER BY id LIMIT ?2",
	    &invoice_id, 1, invoice_line_fill, rows, sizeof(*rows), max);
}

int
invoice_save(struct db *db, const struct invoice *inv)
{
	sqlite3_stmt *st = db_stmt(db,
	    "UPDATE invoices SET status = ?2, paid = ?3, paid_on = ?4, hold_until = ?5,"
	    " dunning = ?6, void_reason = ?7, due_on = ?8, updated_at = ?9 WHERE id = ?1");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, inv->id) |
	    sqlite3_bind_int(st, 2, inv->status) | sqlite3_bind_int64(st, 3, inv->paid) |
	    sqlite3_bind_int64(st, 4, inv->paid_on) | sqlite3_bind_int64(st, 5, inv->hold_until) |
	    sqlite3_bind_int(st, 6, inv->dunning) | db_bind_str(st, 7, inv->void_reason) |
	    sqlite3_bind_int64(st, 8, inv->due_on) | sqlite3_bind_int64(st, 9, clock_now())) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (db_changes(db) != 1) {
		log_error("invoices: saving an invoice that does not exist: %lld",
		    (long long)inv->id);
		return -1;
	}
	return 0;
}

/*
 * invoice_list's statements by [filter][partner given], each on an index: all by id (the
 * partner's through invoices_partner), open and overdue by due date then id (through
 * invoices_open or invoices_open_partner, read backwards: no sort). Parameters: ?1 partner,
 * ?2 today, ?3 limit, ?4 offset; a statement need not use each.
 */
static const char *const invoice_list_sql[3][2] = {
	[INVF_ALL] = {
		"SELECT " INVOICE_COLS " FROM invoices ORDER BY id DESC LIMIT ?3 OFFSET ?4",
		"SELECT " INVOICE_COLS " FROM invoices WHERE partner_id = ?1"
		" ORDER BY id DESC LIMIT ?3 OFFSET ?4",
	},
	[INVF_OPEN] = {
		"SELECT " INVOICE_COLS " FROM invoices WHERE status = 1"
		" ORDER BY due_on DESC, id DESC LIMIT ?3 OFFSET ?4",
		"SELECT " INVOICE_COLS " FROM invoices WHERE partner_id = ?1 AND status = 1"
		" ORDER BY due_on DESC, id DESC LIMIT ?3 OFFSET ?4",
	},
	[INVF_OVERDUE] = {
		"SELECT " INVOICE_COLS " FROM invoices WHERE status = 1 AND due_on < ?2"
		" ORDER BY due_on DESC, id DESC LIMIT ?3 OFFSET ?4",
		"SELECT " INVOICE_COLS " FROM invoices WHERE partner_id = ?1 AND status = 1"
		" AND due_on < ?2 ORDER BY due_on DESC, id DESC LIMIT ?3 OFFSET ?4",
	},
};
static const char *const invoice_count_sql[3][2] = {
	[INVF_ALL] = {
		"SELECT count(*) FROM invoices",
		"SELECT count(*) FROM invoices WHERE partner_id = ?1",
	},
	[INVF_OPEN] = {
		"SELECT count(*) FROM invoices WHERE status = 1",
		"SELECT count(*) FROM invoices WHERE partner_id = ?1 AND status = 1",
	},
	[INVF_OVERDUE] = {
		"SELECT count(*) FROM invoices WHERE status = 1 AND due_on < ?2",
		"SELECT count(*) FROM invoices WHERE partner_id = ?1 AND status = 1 AND due_on < ?2",
	},
};

/* Binds v[0..3] to ?1..?4 as far as the statement numbers its parameters (an unused number
 * below the highest one used is a valid slot; one above it is not). */
static int
invoice_bind_list(struct db *db, sqlite3_stmt *st, const int64_t v[4])
{
	int i, n = sqlite3_bind_parameter_count(st), rc = SQLITE_OK;

	for (i = 0; i < n && i < 4; i++)
		rc |= sqlite3_bind_int64(st, i + 1, v[i]);
	return db_bound(db, st, rc);
}

int
invoice_list(struct db *db, int64_t partner_id, int filter, int64_t today, int offset,
    int max, struct invoice *rows, int *total)
{
	int64_t v[4] = { partner_id, today, max > 0 ? max : 0, offset > 0 ? offset : 0 };
	sqlite3_stmt *st;
	int64_t n;

	if (filter < INVF_ALL || filter > INVF_OVERDUE) {
		log_error("invoices: not a list filter: %d", filter);
		return -1;
	}
	st = db_stmt(db, invoice_count_sql[filter][partner_id != 0]);
	if (st == NULL || invoice_bind_list(db, st, v) == -1 || db_step(db, st) != 1) {
		db_done(st);
		return -1;
	}
	n = sqlite3_column_int64(st, 0);
	db_done(st);
	if (total != NULL)
		*total = n > INT32_MAX ? INT32_MAX : (int)n;
	st = db_stmt(db, invoice_list_sql[filter][partner_id != 0]);
	if (st == NULL || invoice_bind_list(db, st, v) == -1) {
		db_done(st);
		return -1;
	}
	return db_rows(db, st, invoice_fill, rows, sizeof(*rows), max);
}

int
invoice_open_of(struct db *db, int64_t partner_id, struct invoice *rows, int max)
{
	return db_rows_by(db, "SELECT " INVOICE_COLS " FROM invoices"
	    " WHERE partner_id = ?1 AND status = 1 ORDER BY due_on, id LIMIT ?2", &partner_id, 1,
	    invoice_fill, rows, sizeof(*rows), max);
}

/*
 * Pages by id, as sub_due does and for the same reason: the job changes what it visits. The
 * walk goes through invoices_dunning — open, not yet blocked, with due_on to pass over the ones
 * not due without reading them — so invoices left blocked for good cost nothing.
 */
int
invoice_overdue(struct db *db, int64_t before, int64_t after, struct invoice *rows, int max)
{
	int64_t keys[2] = { before, after };

	return db_rows_by(db, "SELECT " INVOICE_COLS " FROM invoices"
	    " WHERE status = 1 AND dunning < 3 AND due_on < ?1 AND id > ?2 ORDER BY id LIMIT ?3",
	    keys, 2, invoice_fill, rows, sizeof(*rows), max);
}

/*
 * The latest-starting live period invoice whose period holds the day: an invoice for several
 * periods (a manual renewal) answers for each of them, so a renewal never bills a day twice.
 * Read backwards on invoices_period from the day.
 */
int
invoice_for_period(struct db *db, int64_t subscription_id, int64_t period_start,
    struct invoice *inv)
{
	int64_t keys[2] = { subscription_id, period_start };

	memset(inv, 0, sizeof(*inv));
	return db_rows_by(db, "SELECT " INVOICE_COLS " FROM invoices"
	    " WHERE subscription_id = ?1 AND kind = 0 AND status <> 3 AND period_start <= ?2"
	    " AND period_end > ?2 ORDER BY period_start DESC, id DESC LIMIT 1", keys, 2,
	    invoice_fill, inv, sizeof(*inv), 1);
}

int64_t
invoice_last_number(struct db *db, int year)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT last FROM doc_numbers WHERE kind = 'invoice' AND year = ?1");
	int64_t n = -1;
	int rc;

	if (st != NULL && db_bound(db, st, sqlite3_bind_int(st, 1, year)) == 0 &&
	    (rc = db_step(db, st)) != -1)
		n = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	db_done(st);
	return n;
}
