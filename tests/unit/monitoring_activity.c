/*
 * monitoring_activity.c — unit tests of the activity and volume storage
 * (storage/monitoring/activity.c) against a fresh database file: events folded per day, distinct
 * active users, replays ignored, the last login, the dormant scan's cutoff (never logged in → the
 * connection date; only active partners), totals and their order, partners named by id/INN/slug,
 * volumes, pruning the ids, whole days loaded at once, and the demo history (dormant partners and a
 * drop this week).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/bot.h"
#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

#define DAY 86400
#define D0 20000		/* a UTC day number: 2024-10-03 */
#define T0 ((int64_t)D0 * DAY)	/* its midnight */

static struct db *
fresh(void)
{
	char errbuf[256];
	struct db *db;

	testdb_remove(testdb_path);
	db = db_open(testdb_path, errbuf, sizeof(errbuf));
	if (db == NULL)
		printf("# db_open: %s\n", errbuf);
	return db;
}

/* A partner connected at connected_on with the given status; its id or -1. */
static int64_t
partner(struct db *db, const char *slug, const char *inn, int64_t connected_on, int status)
{
	struct partner p;
	int64_t dup = 0;

	memset(&p, 0, sizeof(p));
	snprintf(p.slug, sizeof(p.slug), "%s", slug);
	snprintf(p.name, sizeof(p.name), "Партнёр %s", slug);
	snprintf(p.inn, sizeof(p.inn), "%s", inn);
	p.connected_on = connected_on;
	if (partner_insert(db, &p, connected_on, &dup) != 1)
		return -1;
	if (status != PARTNER_ACTIVE &&
	    partner_set_status(db, p.id, status, 0, "test", "test", connected_on + 1) != 1)
		return -1;
	return p.id;
}

/* One event; returns activity_add's answer. */
static int
ev(struct db *db, const char *id, int64_t partner_id, int type, int64_t at, int64_t user,
    int64_t count)
{
	struct activity_event_in e;

	memset(&e, 0, sizeof(e));
	snprintf(e.id, sizeof(e.id), "%s", id);
	e.partner_id = partner_id;
	e.type = type;
	e.at = at;
	e.user_id = user;
	e.count = count;
	return activity_add(db, &e, T0 + 5 * DAY);
}

static void
test_aggregates(void)
{
	struct activity_day days[8];
	struct db *db = fresh();
	int64_t a, b;
	int n;

	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	a = partner(db, "alpha", "7707083893", T0 - 100 * DAY, PARTNER_ACTIVE);
	b = partner(db, "beta", "", T0 - 100 * DAY, PARTNER_ACTIVE);
	ok(a > 0 && b > 0, "two partners");

	is_int(ev(db, "e1", a, EVENT_LOGIN, T0 + 3600, 7, 1), 1, "a login is applied");
	is_int(ev(db, "e2", a, EVENT_LOGIN, T0 + 7200, 8, 3), 1, "a login with count 3");
	is_int(ev(db, "e3", a, EVENT_OPERATION, T0 + 7300, 7, 5), 1, "5 operations by the same user");
	is_int(ev(db, "e4", a, EVENT_OPERATION, T0 + DAY - 1, 0, 2), 1,
	    "2 operations by an unknown user at 23:59:59");
	is_int(ev(db, "e5", a, EVENT_LOGIN, T0 + DAY, 7, 1), 1, "a login at the next midnight");
	is_int(ev(db, "e6", b, EVENT_LOGIN, T0 + 60, 7, 1), 1, "another partner's login");

	n = activity_days(db, a, D0 - 1, D0 + 2, days, 8);
	is_int(n, 4, "four days asked, four returned (zero days included)");
	is_int(days[0].day, D0 - 1, "oldest first");
	ok(days[0].logins == 0 && days[0].operations == 0 && days[0].active_users == 0,
	    "a day without events is zero");
	is_int(days[1].logins, 4, "logins of a day are summed with their counts");
	is_int(days[1].operations, 7, "operations likewise");
	is_int(days[1].active_users, 2, "two distinct users (7 and 8), the unknown one not counted");
	is_int(days[2].logins, 1, "midnight belongs to the next UTC day");
	is_int(days[2].active_users, 1, "user 7 counts again on a new day");
	is_int(days[3].logins + days[3].operations, 0, "the last day is empty");
	is_int(activity_days(db, a, D0, D0 + 9, days, 3), 3, "max caps the days filled");
	is_int(activity_days(db, a, D0 + 1, D0, days, 8), 0, "an empty range gives nothing");

	n = activity_days(db, b, D0, D0, days, 8);
	ok(n == 1 && days[0].logins == 1 && days[0].active_users == 1,
	    "the other partner's day is its own");

	/* replays */
	is_int(ev(db, "e2", a, EVENT_LOGIN, T0 + 7200, 8, 3), 0, "a replayed id is ignored");
	is_int(ev(db, "e2", b, EVENT_OPERATION, T0 + 7200, 9, 3), 0,
	    "…whatever the replay carries");
	activity_days(db, a, D0, D0, days, 1);
	ok(days[0].logins == 4 && days[0].operations == 7 && days[0].active_users == 2,
	    "a replay changes nothing");
	activity_days(db, b, D0, D0, days, 1);
	ok(days[0].operations == 0 && days[0].active_users == 1, "…for either partner");
	is_int(ev(db, "", a, EVENT_LOGIN, T0 + 60, 0, 1), 1, "an event without an id is applied");
	is_int(ev(db, "", a, EVENT_LOGIN, T0 + 60, 0, 1), 1, "…every time");
	ok(ev(db, "bad", a, 5, T0, 0, 1) == -1 && ev(db, "bad2", a, EVENT_LOGIN, T0, 0, 0) == -1,
	    "an unknown type or a zero count is an error");

	/* last login */
	is_int(activity_last_login(db, a), T0 + DAY, "the last login");
	is_int(ev(db, "e7", a, EVENT_LOGIN, T0 - 5 * DAY, 7, 1), 1, "a late, older login…");
	is_int(activity_last_login(db, a), T0 + DAY, "…does not move the last login back");
	is_int(ev(db, "e8", a, EVENT_OPERATION, T0 + 2 * DAY, 7, 1), 1, "a newer operation…");
	is_int(activity_last_login(db, a), T0 + DAY, "…is not a login");
	is_int(activity_last_login(db, 999), 0, "never: 0");

	is_int(activity_total(db, a, D0, D0), 13, "one partner's total for a day");
	is_int(activity_total(db, a, D0 - 10, D0 + 10), 16, "…over a range");
	is_int(activity_total(db, 999, D0, D0), 0, "a partner without activity: 0");
	db_close(db);
}

static void
test_dormant(void)
{
	struct db *db = fresh();
	int64_t ids[16], last[16], cutoff = T0, a, b, c, d, e, f, g;
	int n;

	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	a = partner(db, "old-login", "", T0 - 300 * DAY, PARTNER_ACTIVE);
	b = partner(db, "recent-login", "", T0 - 300 * DAY, PARTNER_ACTIVE);
	c = partner(db, "never-old", "", T0 - 40 * DAY, PARTNER_ACTIVE);
	d = partner(db, "never-new", "", T0 + DAY, PARTNER_ACTIVE);
	e = partner(db, "suspended-old", "", T0 - 300 * DAY, PARTNER_SUSPENDED);
	f = partner(db, "at-cutoff", "", T0 - 300 * DAY, PARTNER_ACTIVE);
	g = partner(db, "never-archived", "", T0 - 300 * DAY, PARTNER_ARCHIVED);
	ok(a > 0 && b > 0 && c > 0 && d > 0 && e > 0 && f > 0 && g > 0, "seven partners");
	ev(db, "a1", a, EVENT_LOGIN, T0 - 30 * DAY, 1, 1);
	ev(db, "a2", a, EVENT_OPERATION, T0 - DAY, 1, 1);	/* operations do not wake it */
	ev(db, "b1", b, EVENT_LOGIN, T0 - 60 * DAY, 1, 1);
	ev(db, "b2", b, EVENT_LOGIN, T0 + 3600, 1, 1);
	ev(db, "e1", e, EVENT_LOGIN, T0 - 90 * DAY, 1, 1);
	ev(db, "f1", f, EVENT_LOGIN, cutoff, 1, 1);

	n = activity_dormant(db, cutoff, ids, last, 16);
	is_int(n, 2, "two dormant partners");
	ok(n == 2 && ids[0] == c && last[0] == 0,
	    "first the one that never logged in, connected 40 days before (0 = never)");
	ok(n == 2 && ids[1] == a && last[1] == T0 - 30 * DAY,
	    "then the one whose last login was 30 days before, with it");
	for (int i = 0; i < n; i++)
		ok(ids[i] != b && ids[i] != d && ids[i] != e && ids[i] != f && ids[i] != g,
		    "no recent, newly connected, suspended, archived or at-the-cutoff partner");
	is_int(activity_dormant(db, cutoff, ids, last, 1), 1, "max caps the list");
	is_int(ids[0], c, "…keeping the oldest");
	is_int(activity_dormant(db, cutoff + 1, ids, NULL, 16), 3,
	    "a login exactly at the cutoff is before cutoff + 1");
	is_int(activity_dormant(db, T0 - 41 * DAY, ids, last, 16), 0,
	    "an earlier cutoff: nobody yet");
	is_int(activity_dormant(db, T0 + 2 * DAY, ids, last, 16), 5,
	    "a later cutoff: every active partner but none other");
	db_close(db);
}

static void
test_totals(void)
{
	struct db *db = fresh();
	int64_t ids[16], sums[16], p[6];
	int n, i;

	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	p[0] = partner(db, "p-a", "", T0 - 100 * DAY, PARTNER_ACTIVE);
	p[1] = partner(db, "p-b", "", T0 - 100 * DAY, PARTNER_ACTIVE);
	p[2] = partner(db, "p-c", "", T0 - 100 * DAY, PARTNER_SUSPENDED);
	p[3] = partner(db, "p-d", "", T0 - 100 * DAY, PARTNER_BLOCKED);
	p[4] = partner(db, "p-e", "", T0 - 100 * DAY, PARTNER_ACTIVE);
	p[5] = partner(db, "p-f", "", T0 - 100 * DAY, PARTNER_ACTIVE);
	for (i = 0; i < 6; i++)
		ok(p[i] > 0, "a partner");
	ev(db, "", p[0], EVENT_LOGIN, T0, 1, 10);
	ev(db, "", p[0], EVENT_OPERATION, T0 + 6 * DAY, 1, 5);
	ev(db, "", p[0], EVENT_OPERATION, T0 + 7 * DAY, 1, 1000);	/* outside the week */
	ev(db, "", p[1], EVENT_LOGIN, T0 + 3 * DAY, 1, 30);
	ev(db, "", p[2], EVENT_OPERATION, T0 + DAY, 1, 7);
	ev(db, "", p[3], EVENT_LOGIN, T0 + DAY, 1, 99);			/* blocked: not listed */
	ev(db, "", p[4], EVENT_LOGIN, T0 - DAY, 1, 50);			/* before the week */
	ev(db, "", p[5], EVENT_LOGIN, T0 + 2 * DAY, 1, 15);

	n = activity_totals(db, D0, D0 + 6, 0, ids, sums, 16);
	is_int(n, 5, "every partner that may log in, blocked ones not");
	ok(n == 5 && ids[0] == p[1] && sums[0] == 30, "most active first: 30");
	ok(n == 5 && ids[1] == p[0] && sums[1] == 15 && ids[2] == p[5] && sums[2] == 15,
	    "15 and 15, ties by id");
	ok(n == 5 && ids[3] == p[2] && sums[3] == 7, "a suspended partner is listed");
	ok(n == 5 && ids[4] == p[4] && sums[4] == 0, "no activity in the range: 0");
	n = activity_totals(db, D0, D0 + 6, 1, ids, sums, 2);
	ok(n == 2 && ids[0] == p[4] && sums[0] == 0 && ids[1] == p[2] && sums[1] == 7,
	    "least active first when asc, capped by max");
	is_int(activity_total(db, p[0], D0, D0 + 6), 15, "activity_total agrees");
	db_close(db);
}

static void
test_refs_and_volumes(void)
{
	struct volume v, got, top[4];
	struct db *db = fresh();
	int64_t a, b, id = 0;

	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	a = partner(db, "romashka", "7707083893", T0, PARTNER_ACTIVE);
	b = partner(db, "ip-ivanov", "500100732259", T0, PARTNER_ACTIVE);
	ok(a > 0 && b > 0, "two partners");
	ok(activity_partner_ref(db, a, NULL, &id) == 1 && id == a, "by our id");
	ok(activity_partner_ref(db, 0, "7707083893", &id) == 1 && id == a, "by a 10-digit INN");
	ok(activity_partner_ref(db, 0, "500100732259", &id) == 1 && id == b, "by a 12-digit INN");
	ok(activity_partner_ref(db, 0, "ip-ivanov", &id) == 1 && id == b, "by slug");
	is_int(activity_partner_ref(db, 0, "roma", &id), 0, "a fragment is not a match");
	is_int(activity_partner_ref(db, 0, "Romashka", &id), 0, "a slug matches exactly");
	is_int(activity_partner_ref(db, 999, NULL, &id), 0, "an unknown id");
	is_int(activity_partner_ref(db, 0, "", &id), 0, "an empty key");

	is_int(volume_get(db, a, &got), 0, "no volume yet");
	memset(&v, 0, sizeof(v));
	v.partner_id = a;
	v.clients = 120;
	v.lessons = 3400;
	v.payments = 560;
	v.db_bytes = 7340032;
	v.updated_at = T0;
	is_int(volume_set(db, &v), 0, "volume_set");
	ok(volume_get(db, a, &got) == 1 && got.clients == 120 && got.lessons == 3400 &&
	    got.payments == 560 && got.db_bytes == 7340032 && got.updated_at == T0,
	    "round trip");
	v.updated_at = T0 + 100;
	volume_set(db, &v);
	ok(volume_get(db, a, &got) == 1 && got.updated_at == T0,
	    "the same figures again leave updated_at alone");
	v.clients = 121;
	volume_set(db, &v);
	ok(volume_get(db, a, &got) == 1 && got.clients == 121 && got.updated_at == T0 + 100,
	    "a change replaces the figures and updated_at");
	v.clients = -1;
	is_int(volume_set(db, &v), -1, "a negative figure is refused");
	v.partner_id = b;
	v.clients = 1;
	v.db_bytes = 9000000;
	volume_set(db, &v);
	ok(volume_top(db, top, 4) == 2 && top[0].partner_id == b && top[1].partner_id == a,
	    "volume_top: largest database first");
	db_close(db);
}

static void
test_prune(void)
{
	struct activity_day days[1];
	struct db *db = fresh();
	struct activity_event_in e;
	int64_t a;

	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	a = partner(db, "prune", "", T0 - 10 * DAY, PARTNER_ACTIVE);
	memset(&e, 0, sizeof(e));
	e.partner_id = a;
	e.type = EVENT_LOGIN;
	e.count = 1;
	e.user_id = 7;
	e.at = T0;
	snprintf(e.id, sizeof(e.id), "old");
	is_int(activity_add(db, &e, T0), 1, "an event seen at T0");
	snprintf(e.id, sizeof(e.id), "new");
	e.at = T0 + 2 * DAY;
	is_int(activity_add(db, &e, T0 + 2 * DAY), 1, "another seen two days later");
	is_int(activity_prune_ids(db, T0 + DAY), 2,
	    "pruning at T0 + 1 day: the old id and the user row of its day");
	is_int(activity_prune_ids(db, T0 + DAY), 0, "a second prune finds nothing");
	snprintf(e.id, sizeof(e.id), "new");
	is_int(activity_add(db, &e, T0 + 3 * DAY), 0, "the kept id is still a replay");
	snprintf(e.id, sizeof(e.id), "old");
	e.at = T0;
	is_int(activity_add(db, &e, T0 + 3 * DAY), 1,
	    "a forgotten id is applied again (documented: keep ids longer than retries)");
	activity_days(db, a, D0, D0, days, 1);
	ok(days[0].logins == 2 && days[0].active_users == 2,
	    "…and its user, forgotten with the day's rows, is counted again");
	db_close(db);
}

static void
test_add_day(void)
{
	struct activity_day d, got[2];
	struct db *db = fresh();
	int64_t a;

	if (db == NULL) {
		ok(0, "the database opens");
		return;
	}
	a = partner(db, "bulk", "", T0 - 10 * DAY, PARTNER_ACTIVE);
	is_int(ev(db, "x1", a, EVENT_LOGIN, T0 + 100, 7, 1), 1, "an event first");
	memset(&d, 0, sizeof(d));
	d.day = D0;
	d.logins = 10;
	d.operations = 20;
	d.active_users = 3;
	is_int(activity_add_day(db, a, &d, T0 + 50), 0, "a whole day added");
	ok(activity_days(db, a, D0, D0, got, 2) == 1 && got[0].logins == 11 &&
	    got[0].operations == 20 && got[0].active_users == 4, "…to the day's sums");
	is_int(activity_last_login(db, a), T0 + 100, "an older login does not move the last one");
	d.day = D0 + 1;
	is_int(activity_add_day(db, a, &d, 0), 0, "a day without a login time");
	is_int(activity_last_login(db, a), T0 + 100, "…leaves the last login");
	d.logins = -1;
	is_int(activity_add_day(db, a, &d, 0), -1, "negative sums are refused");
	db_close(db);
}

/* demo_seed on testdb_path, silent: its summary line would break the TAP stream. */
static int
seed(int64_t partners)
{
	if (testdb_audit_key(testdb_path) == -1)
		return -1;
	return demo_seed(testdb_path, partners, NULL);
}

static void
test_demo(void)
{
	char errbuf[256];
	struct volume v;
	struct db *db;
	int64_t ids[32], last[32], sums[32], now = clock_now(), today = now / DAY, k, week, before;
	int n, active = 0, drops = 0, volumes = 0, i;

	testdb_remove(testdb_path);
	is_int(seed(20), 0, "demo_seed with 20 partners");
	if ((db = db_open(testdb_path, errbuf, sizeof(errbuf))) == NULL) {
		ok(0, "the database opens");
		return;
	}
	n = activity_dormant(db, now - 14 * DAY, ids, last, 32);
	ok(n >= 2 && n <= 3, "two or three dormant partners (no login for 14 days)");
	for (i = 0; i < n; i++)
		ok(last[i] > 0 && last[i] < now - 19 * DAY && last[i] > now - 42 * DAY,
		    "…quiet for 20 to 40 days (a day either side for the hour of the day)");
	n = activity_totals(db, today - 6, today, 0, ids, sums, 32);
	for (i = 0; i < n; i++) {
		week = sums[i];
		before = activity_total(db, ids[i], today - 13, today - 7);
		if (week > 0)
			active++;
		if (before > 0 && week * 3 < before)
			drops++;
	}
	ok(active >= 10, "most partners were active this week");
	ok(drops >= 1, "one (or more) dropped sharply this week");
	for (k = 1; k <= 20; k++)
		volumes += volume_get(db, k, &v) == 1 && v.clients > 0 && v.db_bytes > 0;
	is_int(volumes, 20, "every demo partner has data volumes");
	db_close(db);
}

int
main(void)
{
	if (testdb_setup("activity", "activity.db") == -1)
		return 1;
	log_init(-1);
	test_aggregates();
	test_dormant();
	test_totals();
	test_refs_and_volumes();
	test_prune();
	test_add_day();
	test_demo();
	testdb_cleanup();
	return done_testing();
}
