/*
 * demo.c — unit tests of the demo data (bot/demo.c) on a fresh database file: 20 partners with
 * valid, unique INNs, phones already in normal form, a status mix, an intact audit chain, nothing
 * added by a second run; 300 partners with unique slugs and sole traders among them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"
#include "tests/tap.h"

static char dir[64], path[128];

static void
remove_db_files(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[192];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

/* demo_seed on path, silent: its summary line would break the TAP stream. */
static int
seed(int64_t partners)
{
	return demo_seed(path, partners, NULL);
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

	*got = rows != NULL ? partner_list(db, -1, "", 1, 0, want + 1, rows, &total) : -1;
	return rows;
}

static void
test_twenty(void)
{
	char errbuf[256], why[256], hash[65], norm[32], mail[256], err[256], (*inns)[16];
	struct partner *rows;
	struct db *db;
	int64_t count = 0, bad = 0, head = 0, audit_before = 0;
	int n = 0, i, inn_ok = 1, phone_ok = 1, email_ok = 1, seen[PARTNER_STATUS_COUNT] = { 0 };
	int distinct = 0, team = 0;

	remove_db_files();
	is_int(seed(20), 0, "demo_seed with 20 partners");
	db = db_open(path, errbuf, sizeof(errbuf));
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

	ok(audit_verify(db, &count, &bad, why, sizeof(why), &head, hash) == 0,
	    "the audit chain is intact");
	ok(count >= 20, "at least one audit record per partner");
	audit_before = count;
	db_close(db);

	is_int(seed(20), 0, "a second demo_seed succeeds");
	db = db_open(path, errbuf, sizeof(errbuf));
	if (db == NULL)
		return;
	is_int(partner_count(db), 20, "…and adds no partners");
	ok(audit_verify(db, &count, &bad, why, sizeof(why), &head, hash) == 0 &&
	    count == audit_before, "…nor audit records");
	db_close(db);
}

static void
test_three_hundred(void)
{
	char errbuf[256], (*slugs)[64];
	struct partner *rows;
	struct db *db;
	int n = 0, i, sole = 0;

	remove_db_files();
	is_int(seed(300), 0, "demo_seed with 300 partners");
	db = db_open(path, errbuf, sizeof(errbuf));
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
	str_copy(dir, sizeof(dir), "/tmp/bo-demo-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/demo.db", dir);
	log_init(-1);
	test_twenty();
	test_three_hundred();
	remove_db_files();
	rmdir(dir);
	return done_testing();
}
