/*
 * demo.c — unit tests of the demo data (bot/demo/) on a fresh database file: 20 partners with
 * valid, unique INNs, phones already in normal form, a status mix, an intact audit chain, nothing
 * added by a second run; their billing history (plans with an archived one and a second price
 * version, invoices, payments, acts, partners in each dunning step today, invoice and act numbers
 * without gaps per year, every kopeck accounted for); 300 partners with unique slugs and sole
 * traders among them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

/* demo_seed on testdb_path, silent: its summary line would break the TAP stream. */
static int
seed(int64_t partners)
{
	if (testdb_audit_key(testdb_path) == -1)
		return -1;
	return demo_seed(testdb_path, partners, NULL);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* 1 when the n strings of size sz at v are pairwise different (sorts v). */
static int
all_distinct(char *v, size_t n, size_t sz)
{
	size_t i;

	qsort(v, n, sz, cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(v + (i - 1) * sz, v + i * sz) == 0)
			return 0;
	return 1;
}

static struct partner *
load_all(struct db *db, int want, int *got)
{
	struct partner *rows = calloc((size_t)want + 1, sizeof(*rows));
	int total = 0;

	*got = rows != NULL ? partner_list(db, -1, "", &partner_pd_all, 0, want + 1, rows,
	    &total) : -1;
	return rows;
}

static void
test_twenty(void)
{
	char errbuf[256], norm[32], mail[256], err[256], (*inns)[16];
	struct partner *rows;
	struct db *db;
	struct audit_check chk;
	int64_t audit_before = 0;
	int n = 0, i, inn_ok = 1, phone_ok = 1, email_ok = 1, seen[PARTNER_STATUS_COUNT] = { 0 };
	int distinct = 0, team = 0;

	testdb_remove(testdb_path);
	is_int(seed(20), 0, "demo_seed with 20 partners");
	db = db_open(testdb_path, errbuf, sizeof(errbuf));
	ok(db != NULL, "the database opens");
	if (db == NULL)
		return;
	is_int(partner_count(db), 20, "20 partners");
	team = team_count_role(db, ROLE_SUPERADMIN) + team_count_role(db, ROLE_SUPPORT) +
	    team_count_role(db, ROLE_DEVELOPER) + team_count_role(db, ROLE_BILLING) +
	    team_count_role(db, ROLE_MANAGER);
	is_int(team, 6, "the team: five members, one with two roles");

	rows = load_all(db, 20, &n);
	is_int(n, 20, "all 20 listed");
	inns = calloc(20, sizeof(*inns));
	for (i = 0; i < n && inns != NULL; i++) {
		if (!inn_checksum_ok(rows[i].inn)) {
			inn_ok = 0;
			printf("# bad INN: %s (%s)\n", rows[i].inn, rows[i].name);
		}
		str_copy(inns[i], sizeof(inns[i]), rows[i].inn);
		if (valid_phone(rows[i].phone, norm, sizeof(norm), LANG_RU, err, sizeof(err)) != 0 ||
		    strcmp(norm, rows[i].phone) != 0) {
			phone_ok = 0;
			printf("# phone not in normal form: %s\n", rows[i].phone);
		}
		if (valid_email(rows[i].email, mail, sizeof(mail), LANG_RU, err, sizeof(err)) != 0) {
			email_ok = 0;
			printf("# bad email: %s: %s\n", rows[i].email, err);
		}
		if (rows[i].status >= 0 && rows[i].status < PARTNER_STATUS_COUNT)
			seen[rows[i].status] = 1;
	}
	ok(inn_ok, "every INN passes the checksum");
	ok(inns != NULL && all_distinct(&inns[0][0], (size_t)n, sizeof(inns[0])),
	    "every INN is unique");
	ok(phone_ok, "every phone passes valid_phone unchanged");
	ok(email_ok, "every email passes valid_email");
	for (i = 0; i < PARTNER_STATUS_COUNT; i++)
		distinct += seen[i];
	ok(distinct >= 3, "at least three distinct statuses");
	free(inns);
	free(rows);

	ok(audit_verify(db, &chk) == 0, "the audit chain is intact");
	ok(chk.count >= 20, "at least one audit record per partner");
	audit_before = chk.count;
	db_close(db);

	is_int(seed(20), 0, "a second demo_seed succeeds");
	db = db_open(testdb_path, errbuf, sizeof(errbuf));
	if (db == NULL)
		return;
	is_int(partner_count(db), 20, "…and adds no partners");
	ok(audit_verify(db, &chk) == 0 && chk.count == audit_before, "…nor audit records");
	db_close(db);
}

/* Every invoice and act number of the database, per year: none missing, none twice, the
 * counters at the highest. seen: one flag per number, years 2000..2099 × up to 9999. */
#define NUM_YEARS 100
#define NUM_MAX 10000

struct numbers {
	unsigned char	 inv[NUM_YEARS][NUM_MAX], act[NUM_YEARS][NUM_MAX];
	int		 bad;		/* a malformed or repeated number */
};

static void
number_seen(unsigned char seen[][NUM_MAX], int year, int n, int *bad)
{
	if (year < 2000 || year >= 2000 + NUM_YEARS || n < 1 || n >= NUM_MAX ||
	    seen[year - 2000][n]++ != 0)
		(*bad)++;
}

/* 1 when the numbers of each year are exactly 1 .. the highest (and, for invoices, the counter
 * says so too). */
static int
numbers_gapless(struct db *db, unsigned char seen[][NUM_MAX], int invoices)
{
	int y, k, last, ok_all = 1;

	for (y = 0; y < NUM_YEARS; y++) {
		for (last = NUM_MAX - 1; last > 0 && !seen[y][last]; last--)
			;
		for (k = 1; k <= last; k++)
			if (!seen[y][k]) {
				printf("# %s number %d-%04d missing\n",
				    invoices ? "invoice" : "act", 2000 + y, k);
				ok_all = 0;
			}
		if (invoices && invoice_last_number(db, 2000 + y) != last) {
			printf("# the %d invoice counter says %lld, the highest is %d\n", 2000 + y,
			    (long long)invoice_last_number(db, 2000 + y), last);
			ok_all = 0;
		}
	}
	return ok_all;
}

/* The last status change of partner id: its rule and actor. */
static int
last_change(struct db *db, int64_t id, struct partner_status_change *ch)
{
	return partner_history(db, id, ch, 1) == 1;
}

static void
test_billing(void)
{
	static struct numbers num;
	static struct invoice inv[256];
	static struct payment pay[256];
	static struct act acts[256];
	struct invoice_line lines[BILLING_LINES_MAX];
	struct partner_status_change ch;
	struct subscription sub;
	struct plan plans[16], v;
	struct partner *rows;
	char errbuf[256];
	struct db *db;
	int64_t today, credit, paid_sum, money_in, line_sum, partners_paid = 0, total_inv = 0;
	int64_t total_pay = 0, total_acts = 0, acts_due;
	int n, np, na, nl, i, j, k, total, y, seq, lines_ok = 1, money_ok = 1, state_ok = 1;
	int acts_ok = 1, past_due = 0, dun_suspended = 0, dun_blocked = 0, hand_blocked = 0;
	int archived_plans = 0, trialing = 0, ended = 0, npay;

	db = db_open(testdb_path, errbuf, sizeof(errbuf));
	if (!ok(db != NULL, "billing: the demo database opens"))
		return;
	today = clock_local_day(clock_now());
	ok(clock_now() >= (int64_t)time(NULL) - 5 && clock_now() <= (int64_t)time(NULL) + 5,
	    "billing: the clock is real again after the walk");

	np = plan_list(db, plans, 16);
	is_int(np, 4, "billing: four plans");
	for (i = 0; i < np; i++)
		archived_plans += plans[i].archived != 0;
	is_int(archived_plans, 1, "…one of them archived");
	ok(plan_current(db, "basic", &v) == 1 && v.version == 2 && v.archived,
	    "…the old plan has a second price version");

	rows = load_all(db, 20, &n);
	for (k = 0; k < n; k++) {
		const struct partner *p = &rows[k];

		total = 0;
		if ((na = invoice_list(db, p->id, INVF_ALL, today, 0, 256, inv, &total)) < 0 ||
		    total != na) {
			ok(0, "billing: a partner's invoices fit a page");
			break;
		}
		total_inv += na;
		paid_sum = 0;
		acts_due = 0;
		for (i = 0; i < na; i++) {
			if (inv[i].status == INV_DRAFT ||
			    sscanf(inv[i].number, "%d-%d", &y, &seq) != 2)
				num.bad++;
			else
				number_seen(num.inv, y, seq, &num.bad);
			nl = invoice_lines(db, inv[i].id, lines, BILLING_LINES_MAX);
			for (j = 0, line_sum = 0; j < nl; j++)
				line_sum += lines[j].amount;
			if (nl < 1 || line_sum != inv[i].amount) {
				printf("# invoice %s: lines %lld, amount %lld\n", inv[i].number,
				    (long long)line_sum, (long long)inv[i].amount);
				lines_ok = 0;
			}
			if ((inv[i].status == INV_PAID && inv[i].paid != inv[i].amount) ||
			    (inv[i].status == INV_OPEN && (inv[i].paid < 0 ||
			    inv[i].paid >= inv[i].amount)) ||
			    (inv[i].status == INV_VOID && inv[i].paid != 0)) {
				printf("# invoice %s: status %d, paid %lld of %lld\n",
				    inv[i].number, inv[i].status, (long long)inv[i].paid,
				    (long long)inv[i].amount);
				state_ok = 0;
			}
			paid_sum += inv[i].paid;
			acts_due += inv[i].status == INV_PAID && inv[i].amount > 0 &&
			    inv[i].period_end != 0;
		}
		/* every kopeck: what came in, less the credit left, went onto invoices */
		npay = payment_list(db, p->id, pay, 256);
		for (i = 0, money_in = 0; i < npay; i++)
			money_in += pay[i].amount;
		total_pay += npay;
		partners_paid += npay > 0;
		if (npay < 0 || billing_credit(db, p->id, &credit) == -1 || credit < 0 ||
		    money_in - credit != paid_sum) {
			printf("# partner %lld: payments %lld, credit %lld, on invoices %lld\n",
			    (long long)p->id, (long long)money_in, (long long)credit,
			    (long long)paid_sum);
			money_ok = 0;
		}
		na = act_list(db, p->id, acts, 256);
		total_acts += na > 0 ? na : 0;
		if (na != acts_due) {
			printf("# partner %lld: %d acts for %lld paid invoices\n",
			    (long long)p->id, na, (long long)acts_due);
			acts_ok = 0;
		}
		for (i = 0; i < na; i++) {
			if (sscanf(acts[i].number, "А-%d-%d", &y, &seq) != 2)
				num.bad++;
			else
				number_seen(num.act, y, seq, &num.bad);
		}
		/* where each partner stands today */
		if (sub_live(db, p->id, &sub) == 1 && sub.status == SUB_PAST_DUE &&
		    p->status == PARTNER_ACTIVE)
			past_due++;
		if (sub_live(db, p->id, &sub) == 1)
			trialing += sub.status == SUB_TRIALING;
		else
			ended++;
		if ((p->status == PARTNER_SUSPENDED || p->status == PARTNER_BLOCKED) &&
		    last_change(db, p->id, &ch)) {
			dun_suspended += p->status == PARTNER_SUSPENDED && ch.actor == 0 &&
			    strcmp(ch.rule, "dunning") == 0;
			dun_blocked += p->status == PARTNER_BLOCKED && ch.actor == 0 &&
			    strcmp(ch.rule, "dunning") == 0;
			hand_blocked += p->status == PARTNER_BLOCKED && ch.actor != 0;
		}
	}
	ok(total_inv >= 200, "billing: two years of invoices (200 or more)");
	ok(total_pay >= 150 && partners_paid >= 15, "…payments from most partners");
	ok(total_acts >= 150, "…and acts");
	ok(lines_ok, "every invoice is the sum of its lines");
	ok(state_ok, "paid invoices are paid in full, open ones partly at most, void ones not");
	ok(money_ok, "every partner's payments less its credit are what its invoices were paid");
	ok(acts_ok, "one act per paid invoice of a period");
	is_int(num.bad, 0, "invoice and act numbers are well formed and never repeat");
	ok(numbers_gapless(db, num.inv, 1), "invoice numbers have no gaps in any year");
	ok(numbers_gapless(db, num.act, 0), "act numbers have no gaps in any year");
	ok(invoice_list(db, 0, INVF_OVERDUE, today, 0, 1, inv, &total) >= 0 && total >= 4,
	    "invoices overdue today");
	ok(past_due >= 1, "a partner just overdue: still active, its subscription past due");
	ok(dun_suspended >= 1, "a partner suspended by the dunning");
	ok(dun_blocked >= 1, "a partner blocked by the dunning");
	ok(hand_blocked >= 1, "a partner blocked by a person");
	ok(trialing >= 1, "a partner on its trial");
	ok(ended >= 2, "partners whose subscription ended (a trial unpaid, a cancellation)");
	/* open billing episodes are about partners still in play: an archived partner's trial or
	 * dunning story is resolved by the jobs */
	{
		static struct alert open[64];
		struct partner ap;
		int stale = 0, no;

		no = alert_list_open(db, "", NULL, open, 64);
		for (i = 0; i < no; i++)
			if ((strcmp(open[i].kind, "trial") == 0 ||
			    strcmp(open[i].kind, "dunning") == 0) &&
			    partner_get(db, open[i].partner_id, &ap) == 1 &&
			    ap.status == PARTNER_ARCHIVED)
				stale++;
		ok(no >= 4, "open alerts: the dunning of the partners overdue");
		is_int(stale, 0, "no open trial or dunning episode of an archived partner");
	}
	free(rows);
	db_close(db);
}

static void
test_three_hundred(void)
{
	char errbuf[256], (*slugs)[64];
	struct partner *rows;
	struct db *db;
	int n = 0, i, sole = 0;

	testdb_remove(testdb_path);
	is_int(seed(300), 0, "demo_seed with 300 partners");
	db = db_open(testdb_path, errbuf, sizeof(errbuf));
	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	is_int(partner_count(db), 300, "300 partners");
	rows = load_all(db, 300, &n);
	is_int(n, 300, "all 300 listed");
	slugs = calloc(300, sizeof(*slugs));
	for (i = 0; i < n && slugs != NULL; i++) {
		str_copy(slugs[i], sizeof(slugs[i]), rows[i].slug);
		if (strlen(rows[i].inn) == 12 && strncmp(rows[i].legal_name, "ИП ", 5) == 0)
			sole++;
	}
	ok(slugs != NULL && all_distinct(&slugs[0][0], (size_t)n, sizeof(slugs[0])),
	    "slugs are unique");
	ok(sole > 0, "sole traders (ИП, 12-digit INN) among them");
	free(slugs);
	free(rows);
	db_close(db);
}

int
main(void)
{
	if (testdb_setup("demo", "demo.db") == -1)
		return 1;
	log_init(-1);
	test_twenty();
	test_billing();
	test_three_hundred();
	testdb_cleanup();
	return done_testing();
}
