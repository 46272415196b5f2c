/*
 * partners_store.c — unit tests of the partner storage against a fresh database file: the card's
 * round trip, slugs, INNs, lookup and listing (Cyrillic, ё = е, literal wildcards), status
 * transitions and history, access sessions, dialogs and saved list filters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/storage.h"
#include "tests/tap.h"
#include "tests/testdb.h"

#define PD_NONE (&partner_pd_none)	/* personal search keys: none */
#define PD_ALL (&partner_pd_all)	/* every partner's */

/* A card with every field set, values derived from n so two cards differ everywhere. */
static void
card(struct partner *p, int n, const char *name, const char *legal, const char *inn)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->legal_name, sizeof(p->legal_name), "%s", legal);
	snprintf(p->inn, sizeof(p->inn), "%s", inn);
	snprintf(p->contact_name, sizeof(p->contact_name), "Иван Петров %d", n);
	snprintf(p->phone, sizeof(p->phone), "+7916123456%d", n % 10);
	snprintf(p->email, sizeof(p->email), "ivan%d@example.ru", n);
	p->status = PARTNER_ACTIVE;
	p->connected_on = 1700000000 + n * 86400;
	snprintf(p->plan, sizeof(p->plan), "plan-%d", n);
	p->next_payment_on = 1710000000 + n;
	p->paid_through = 1709000000 + n;
	p->branches = n + 1;
	p->users = n * 3;
	p->assigned_to = 5000 + n;
	snprintf(p->notes, sizeof(p->notes), "заметка %d; 'quotes' and \"double\"", n);
}

static int
same_card(const struct partner *a, const struct partner *b)
{
	return a->id == b->id && strcmp(a->slug, b->slug) == 0 && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->legal_name, b->legal_name) == 0 && strcmp(a->inn, b->inn) == 0 &&
	    strcmp(a->contact_name, b->contact_name) == 0 && strcmp(a->phone, b->phone) == 0 &&
	    strcmp(a->email, b->email) == 0 && a->status == b->status &&
	    a->connected_on == b->connected_on && strcmp(a->plan, b->plan) == 0 &&
	    a->next_payment_on == b->next_payment_on && a->paid_through == b->paid_through &&
	    a->branches == b->branches && a->users == b->users &&
	    a->assigned_to == b->assigned_to &&
	    strcmp(a->notes, b->notes) == 0 && a->created_at == b->created_at &&
	    a->updated_at == b->updated_at;
}

static int64_t
add(struct db *db, int n, const char *slug, const char *name, const char *legal, const char *inn)
{
	struct partner p;
	int64_t dup = 0;

	card(&p, n, name, legal, inn);
	snprintf(p.slug, sizeof(p.slug), "%s", slug);
	if (partner_insert(db, &p, 1000 + n, &dup) != 1)
		return -1;
	return p.id;
}

static void
test_status_names(void)
{
	is_str(partner_status_name(PARTNER_ACTIVE), "active", "status name: active");
	is_str(partner_status_name(PARTNER_ARCHIVED), "archived", "status name: archived");
	ok(partner_status_name(4) == NULL && partner_status_name(-1) == NULL,
	    "status name: out of range is NULL");
	is_int(partner_status_parse("Active"), PARTNER_ACTIVE, "parse: Active");
	is_int(partner_status_parse("АКТИВЕН"), PARTNER_ACTIVE, "parse: АКТИВЕН");
	is_int(partner_status_parse("активный"), PARTNER_ACTIVE, "parse: активный");
	is_int(partner_status_parse("Приостановлен"), PARTNER_SUSPENDED, "parse: Приостановлен");
	is_int(partner_status_parse("suspended"), PARTNER_SUSPENDED, "parse: suspended");
	is_int(partner_status_parse("заблокирован"), PARTNER_BLOCKED, "parse: заблокирован");
	is_int(partner_status_parse("BLOCKED"), PARTNER_BLOCKED, "parse: BLOCKED");
	is_int(partner_status_parse("архив"), PARTNER_ARCHIVED, "parse: архив");
	is_int(partner_status_parse("В  Архиве"), PARTNER_ARCHIVED, "parse: В  Архиве");
	is_int(partner_status_parse("archived"), PARTNER_ARCHIVED, "parse: archived");
	is_int(partner_status_parse("deleted"), -1, "parse: unknown word");
	is_int(partner_status_parse(""), -1, "parse: empty");
	is_int(partner_status_parse(NULL), -1, "parse: NULL");

	ok(partner_status_allowed(PARTNER_ACTIVE, PARTNER_SUSPENDED) &&
	    partner_status_allowed(PARTNER_ACTIVE, PARTNER_BLOCKED) &&
	    partner_status_allowed(PARTNER_ACTIVE, PARTNER_ARCHIVED), "active → the other three");
	ok(partner_status_allowed(PARTNER_SUSPENDED, PARTNER_ACTIVE) &&
	    partner_status_allowed(PARTNER_SUSPENDED, PARTNER_BLOCKED) &&
	    partner_status_allowed(PARTNER_SUSPENDED, PARTNER_ARCHIVED),
	    "suspended → the other three");
	ok(partner_status_allowed(PARTNER_BLOCKED, PARTNER_ACTIVE) &&
	    partner_status_allowed(PARTNER_BLOCKED, PARTNER_SUSPENDED) &&
	    partner_status_allowed(PARTNER_BLOCKED, PARTNER_ARCHIVED), "blocked → the other three");
	ok(partner_status_allowed(PARTNER_ARCHIVED, PARTNER_ACTIVE) &&
	    !partner_status_allowed(PARTNER_ARCHIVED, PARTNER_SUSPENDED) &&
	    !partner_status_allowed(PARTNER_ARCHIVED, PARTNER_BLOCKED), "archived → active only");
	ok(!partner_status_allowed(PARTNER_ACTIVE, PARTNER_ACTIVE) &&
	    !partner_status_allowed(PARTNER_BLOCKED, PARTNER_BLOCKED), "never to the same status");
	ok(!partner_status_allowed(-1, 0) && !partner_status_allowed(0, 4), "out of range: no");
}

static void
test_round_trip(struct db *db)
{
	struct partner p, q;
	int64_t dup = -7;

	card(&p, 1, "Ромашка", "ООО «Ромашка»", "7707083893");
	snprintf(p.slug, sizeof(p.slug), "romashka");
	is_int(partner_insert(db, &p, 1000, &dup), 1, "insert: created");
	ok(p.id > 0, "insert: fills the id");
	is_str(p.slug, "romashka", "insert: keeps the caller's slug");
	is_int(p.created_at, 1000, "insert: fills created_at");
	is_int(partner_get(db, p.id, &q), 1, "get: found");
	ok(same_card(&p, &q), "get: every field as inserted");
	is_int(partner_get(db, p.id + 100, &q), 0, "get: unknown id is not found");

	card(&q, 2, "Ромашка Плюс", "АО «Ромашка Плюс»", "500100732259");
	q.id = p.id;
	q.slug[0] = '\0';	/* keeps the stored slug */
	q.status = PARTNER_BLOCKED;	/* not written by an update */
	is_int(partner_update(db, &q, 2000, &dup), 1, "update: ok");
	is_int(partner_get(db, p.id, &p), 1, "update: read back");
	snprintf(q.slug, sizeof(q.slug), "romashka");
	q.status = PARTNER_ACTIVE;
	q.created_at = 1000;
	q.updated_at = 2000;
	ok(same_card(&p, &q), "update: every field written back, slug and status kept");
	is_int(partner_count(db), 1, "count: one partner");
}

static void
test_slugs_and_inn(struct db *db)
{
	struct partner p, q;
	int64_t a, b, c, dup = 0;

	a = add(db, 3, "", "Без слага", "", "");
	b = add(db, 4, "", "Тоже без слага", "", "");
	ok(a > 0 && b > 0, "an empty INN is allowed twice");
	partner_get(db, a, &p);
	partner_get(db, b, &q);
	is_str(p.slug, "partner", "an empty slug becomes \"partner\"");
	is_str(q.slug, "partner-2", "a taken slug gets -2");
	c = add(db, 5, "romashka", "Другая ромашка", "", "");
	partner_get(db, c, &p);
	is_str(p.slug, "romashka-2", "a taken caller's slug gets -2");
	c = add(db, 6, "romashka", "Третья ромашка", "", "");
	partner_get(db, c, &p);
	is_str(p.slug, "romashka-3", "then -3");
	is_str(p.inn, "", "an empty INN reads back empty");

	card(&p, 7, "Двойник", "ООО «Двойник»", "500100732259");
	is_int(partner_insert(db, &p, 3000, &dup), 0, "a taken INN is refused");
	partner_get(db, 1, &q);
	is_int(dup, q.id, "the refusal names the holder");
	snprintf(p.inn, sizeof(p.inn), "7707083893");
	is_int(partner_insert(db, &p, 3000, &dup), 1, "a free INN is accepted");
	snprintf(p.inn, sizeof(p.inn), "500100732259");
	dup = 0;
	is_int(partner_update(db, &p, 3001, &dup), 0, "an update to a taken INN is refused");
	is_int(dup, 1, "the update's refusal names the holder");
	is_int(partner_update(db, &q, 3002, &dup), 1, "an update keeping its own INN is fine");
	p.inn[0] = '\0';
	is_int(partner_update(db, &p, 3003, &dup), 1, "an update may clear the INN");
	partner_get(db, p.id, &q);
	is_str(q.inn, "", "the cleared INN reads back empty");
	p.status = 9;
	is_int(partner_insert(db, &p, 3004, &dup), -1, "a status out of range is an error");
}

/* Support's personal search keys: only the partners of their open ticket sessions. */
static void
test_lookup_session(struct db *db, int64_t elka)
{
	struct partner_pd pd = { PARTNER_PD_SESSION, 500, 5000 };
	struct access_session s;
	int64_t out[16];
	int n;

	is_int(partner_lookup(db, "ёлкин", &pd, out, 16), 0, "support without a session: not found");
	memset(&s, 0, sizeof(s));
	s.user_id = 500;
	s.partner_id = elka;
	s.reason = REASON_BILLING;
	s.opened_at = 4000;
	s.expires_at = 7600;
	ok(access_open(db, &s) == 0, "a billing session for Ёлка");
	is_int(partner_lookup(db, "ёлкин", &pd, out, 16), 0, "not a ticket one: still not found");
	s.reason = REASON_TICKET;
	ok(access_open(db, &s) == 0, "a ticket session for Ёлка");
	is_int(partner_lookup(db, "ёлкин", &pd, out, 16), 1, "inside it, found by the legal name");
	is_int(out[0], elka, "the partner of the session");
	is_int(partner_list(db, -1, "ёлкин", &pd, 0, 0, NULL, &n), 0, "the list...");
	is_int(n, 1, "...finds it too");
	is_int(partner_lookup(db, "500100732259", &pd, out, 16), 0,
	    "another sole trader's INN, with no session: not found");
	is_int(partner_list(db, -1, "500100732259", &pd, 0, 0, NULL, &n), 0, "nor listed");
	is_int(n, 0, "the list counts none");
	pd.user_id = 501;
	is_int(partner_lookup(db, "ёлкин", &pd, out, 16), 0, "someone else's session counts not");
	pd.user_id = 500;
	pd.now = 7600;
	is_int(partner_lookup(db, "ёлкин", &pd, out, 16), 0, "nor an expired one");
	pd.now = 5000;
	ok(access_close(db, 500, elka, 5000) == 1, "the session closed");
	is_int(partner_lookup(db, "ёлкин", &pd, out, 16), 0, "nor a closed one");
}

static void
test_lookup(struct db *db)
{
	int64_t out[16], elka, cafe, pct;
	int n;

	/* So far: 1 Ромашка Плюс (500100732259), Без слага, Тоже без слага, Другая ромашка,
	 * Третья ромашка, Двойник. */
	elka = add(db, 10, "elka", "Ёлка", "ИП Ёлкин", "");
	cafe = add(db, 11, "cafe", "Кафе 100_процентов", "", "");
	pct = add(db, 12, "pct", "Скидки 50%", "", "");

	/* a sole trader's name and 12-digit INN are personal data: not searchable without it */
	is_int(partner_lookup(db, "ёлкин", PD_NONE, out, 16), 0,
	    "a sole trader's legal name is not matched without personal data");
	is_int(partner_lookup(db, "ёлка", PD_NONE, out, 16), 1, "the trading name still is");
	is_int(partner_lookup(db, "500100732259", PD_NONE, out, 16), 0,
	    "a 12-digit INN is not matched without personal data");
	is_int(partner_list(db, -1, "ёлкин", PD_NONE, 0, 0, NULL, &n), 0, "nor listed");
	is_int(n, 0, "the list counts none either");
	is_int(partner_list(db, -1, "ёлкин", PD_ALL, 0, 0, NULL, &n), 0, "with personal data...");
	is_int(n, 1, "...the list finds the sole trader by name");
	test_lookup_session(db, elka);
	is_int(partner_list(db, -1, "1", PD_NONE, 0, 0, NULL, &n), 0, "the list by id");
	ok(n >= 1, "finds the partner with that id");
	is_int(partner_lookup(db, "1", PD_ALL, out, 16), 1, "lookup by id: one");
	is_int(out[0], 1, "lookup by id: the partner");
	is_int(partner_lookup(db, "romashka", PD_ALL, out, 16), 1, "lookup by slug: one");
	is_int(out[0], 1, "lookup by slug: the partner");
	is_int(partner_lookup(db, "ROMASHKA-2", PD_ALL, out, 16), 1, "lookup by slug ignores case");
	is_int(partner_lookup(db, "500100732259", PD_ALL, out, 16), 1, "lookup by INN: one");
	is_int(out[0], 1, "lookup by INN: the holder");
	is_int(partner_lookup(db, "ромаш", PD_ALL, out, 16), 3, "\"ромаш\" finds the three Ромашки");
	is_int(out[0], 1, "a name starting with the query first: Ромашка Плюс");
	is_int(out[1], 4, "then by name: Другая ромашка");
	is_int(out[2], 5, "then Третья ромашка");
	is_int(partner_lookup(db, "ромашка плюс", PD_ALL, out, 16), 1, "a longer fragment narrows");
	is_int(partner_lookup(db, "ООО «РОМАШКА", PD_ALL, out, 16), 0,
	    "the old legal name is gone after the update");
	is_int(partner_lookup(db, "ао «ромашка", PD_ALL, out, 16), 1, "the legal name is searched");
	is_int(partner_lookup(db, "ЁЛКА", PD_ALL, out, 16), 1, "\"ЁЛКА\" finds Ёлка");
	is_int(out[0], elka, "the one found is Ёлка");
	is_int(partner_lookup(db, "елка", PD_ALL, out, 16), 1, "\"елка\" finds Ёлка (ё = е)");
	is_int(partner_lookup(db, "ёлкин", PD_ALL, out, 16), 1, "the legal name with ё");
	is_int(partner_lookup(db, "  ёлка  ", PD_ALL, out, 16), 1, "spaces around are ignored");
	is_int(partner_lookup(db, "%", PD_ALL, out, 16), 1, "\"%\" is a plain character");
	is_int(out[0], pct, "it finds only the name with %");
	is_int(partner_lookup(db, "_", PD_ALL, out, 16), 1, "\"_\" is a plain character");
	is_int(out[0], cafe, "it finds only the name with _");
	is_int(partner_lookup(db, "0_п", PD_ALL, out, 16), 1, "a fragment around _");
	is_int(partner_lookup(db, "50%", PD_ALL, out, 16), 1, "a fragment ending in %");
	is_int(partner_lookup(db, "нет такого", PD_ALL, out, 16), 0, "no match: 0");
	is_int(partner_lookup(db, "", PD_ALL, out, 16), 0, "an empty query: 0");
	is_int(partner_lookup(db, "без", PD_ALL, out, 1), 1, "max bounds the count");
	n = partner_lookup(db, "999", PD_ALL, out, 16);
	is_int(n, 0, "an unknown id that no name contains: 0");
}

static void
test_list(struct db *db)
{
	struct partner rows[4];
	int total = -1, n;

	n = partner_list(db, -1, "", PD_ALL, 0, 4, rows, &total);
	is_int(total, partner_count(db), "list: total of all");
	is_int(n, 4, "list: a full first page");
	ok(strcmp(rows[0].name, "Без слага") == 0 && strcmp(rows[1].name, "Двойник") == 0 &&
	    strcmp(rows[2].name, "Другая ромашка") == 0 && strcmp(rows[3].name, "Ёлка") == 0,
	    "list: ordered by the folded name (Ёлка after Д)");
	n = partner_list(db, -1, "", PD_ALL, 8, 4, rows, &total);
	is_int(n, total - 8, "list: the last page is short");
	n = partner_list(db, -1, "", PD_ALL, 100, 4, rows, &total);
	is_int(n, 0, "list: past the end is empty");
	is_int(total, partner_count(db), "list: past the end still counts");
	n = partner_list(db, -1, "РОМАШ", PD_ALL, 1, 4, rows, &total);
	is_int(total, 3, "list: text filter total");
	is_int(n, 2, "list: text filter with an offset");
	is_str(rows[0].name, "Ромашка Плюс", "list: text filter's second row");
	n = partner_list(db, -1, "500100732259", PD_ALL, 0, 4, rows, &total);
	ok(n == 1 && total == 1 && rows[0].id == 1, "list: by INN");
	n = partner_list(db, PARTNER_SUSPENDED, "", PD_ALL, 0, 4, rows, &total);
	ok(n == 0 && total == 0, "list: no suspended partner yet");
}

static void
test_status(struct db *db)
{
	struct partner_status_change h[8];
	struct partner p, rows[4];
	int total = 0;

	is_int(partner_set_status(db, 1, PARTNER_SUSPENDED, 42, NULL, "не платит", 5000), 1,
	    "active → suspended");
	is_int(partner_set_status(db, 1, PARTNER_SUSPENDED, 42, NULL, "again", 5001), 0,
	    "suspended → suspended is refused");
	is_int(partner_set_status(db, 1, PARTNER_ARCHIVED, 0, "dunning", "D+30", 5002), 1,
	    "suspended → archived by a rule");
	is_int(partner_set_status(db, 1, PARTNER_BLOCKED, 42, NULL, "x", 5003), 0,
	    "archived → blocked is refused");
	is_int(partner_set_status(db, 1, PARTNER_ACTIVE, 43, "", "вернулся", 5004), 1,
	    "archived → active");
	is_int(partner_set_status(db, 1, 7, 43, "", "", 5005), -1, "a bad status is an error");
	is_int(partner_set_status(db, 9999, PARTNER_ACTIVE, 43, "", "", 5005), -1,
	    "an unknown partner is an error");
	partner_get(db, 1, &p);
	is_int(p.status, PARTNER_ACTIVE, "the status is stored");
	is_int(p.updated_at, 5004, "the status change touches updated_at");

	is_int(partner_history(db, 1, h, 8), 3, "history: three changes");
	ok(h[0].at == 5004 && h[0].from == PARTNER_ARCHIVED && h[0].to == PARTNER_ACTIVE &&
	    h[0].actor == 43 && strcmp(h[0].reason, "вернулся") == 0, "history: newest first");
	ok(h[1].at == 5002 && h[1].actor == 0 && strcmp(h[1].rule, "dunning") == 0 &&
	    strcmp(h[1].reason, "D+30") == 0, "history: a rule's change");
	ok(h[2].at == 5000 && h[2].from == PARTNER_ACTIVE && h[2].to == PARTNER_SUSPENDED &&
	    h[2].actor == 42 && h[2].rule[0] == '\0' && strcmp(h[2].reason, "не платит") == 0,
	    "history: the oldest last, with actor and reason");
	is_int(partner_history(db, 1, h, 1), 1, "history: max bounds it");
	is_int(partner_history(db, 2, h, 8), 0, "history: none for another partner");

	partner_set_status(db, 2, PARTNER_SUSPENDED, 42, NULL, "r", 5010);
	is_int(partner_list(db, PARTNER_SUSPENDED, "", PD_ALL, 0, 4, rows, &total), 1,
	    "list: the status filter");
	ok(total == 1 && rows[0].id == 2, "list: the suspended one");
	is_int(partner_list(db, PARTNER_ACTIVE, "без", PD_ALL, 0, 4, rows, &total), 1,
	    "list: status and text together");
	is_int(rows[0].id, 3, "list: the active one of the two");
	is_int(partner_list(db, PARTNER_SUSPENDED, "без", PD_ALL, 0, 4, rows, &total), 1,
	    "list: status and text matching");
}

static void
test_access(struct db *db)
{
	struct access_session s, t;

	is_str(access_reason_name(REASON_TICKET), "ticket", "reason name: ticket");
	is_str(access_reason_name(REASON_OTHER), "other", "reason name: other");
	ok(access_reason_name(5) == NULL, "reason name: out of range");
	is_int(access_reason_parse("incident"), REASON_INCIDENT, "reason parse: incident");
	is_int(access_reason_parse("onboarding"), REASON_ONBOARDING, "reason parse: onboarding");
	is_int(access_reason_parse("billing"), REASON_BILLING, "reason parse: billing");
	is_int(access_reason_parse("nope"), -1, "reason parse: unknown");

	memset(&s, 0, sizeof(s));
	s.user_id = 77;
	s.partner_id = 1;
	s.reason = REASON_TICKET;
	snprintf(s.reason_text, sizeof(s.reason_text), "T-123");
	s.opened_at = 10000;
	s.expires_at = 13600;
	is_int(access_open(db, &s), 0, "access: open");
	ok(s.id > 0, "access: the session has an id");
	is_int(access_current(db, 77, 1, 10001, &t), 1, "access: current while open");
	ok(t.id == s.id && t.user_id == 77 && t.partner_id == 1 && t.reason == REASON_TICKET &&
	    strcmp(t.reason_text, "T-123") == 0 && t.writable == 0 && t.opened_at == 10000 &&
	    t.expires_at == 13600 && t.closed_at == 0, "access: every field read back");
	is_int(access_current(db, 77, 2, 10001, &t), 0, "access: not for another partner");
	is_int(access_current(db, 78, 1, 10001, &t), 0, "access: not for another user");
	is_int(access_current(db, 77, 1, 13599, &t), 1, "access: open a second before expiry");
	is_int(access_current(db, 77, 1, 13600, &t), 0, "access: none at expires_at");
	is_int(access_current(db, 77, 1, 20000, &t), 0, "access: none after expiry");

	s.reason = REASON_BILLING;
	s.writable = 1;
	s.opened_at = 11000;
	s.expires_at = 14600;
	is_int(access_open(db, &s), 0, "access: reopen");
	is_int(access_current(db, 77, 1, 11001, &t), 1, "access: the new session is current");
	ok(t.id == s.id && t.reason == REASON_BILLING && t.writable == 1,
	    "access: it is the new one");
	is_int(access_close(db, 77, 1, 11002), 1, "access: only one was open (reopen closed it)");
	is_int(access_current(db, 77, 1, 11003, &t), 0, "access: none after close");

	s.partner_id = 1;
	s.opened_at = 12000;
	s.expires_at = 15600;
	access_open(db, &s);
	s.partner_id = 2;
	access_open(db, &s);
	s.user_id = 78;
	access_open(db, &s);
	is_int(access_close(db, 77, 0, 12001), 2, "access: close all of one user's");
	is_int(access_current(db, 78, 2, 12002, &t), 1, "access: another user's stays open");
	is_int(access_close(db, 78, 2, 20000), 0, "access: a lapsed session is not counted");
	is_int(access_close(db, 78, 0, 20001), 0, "access: nothing left to close");
	s.partner_id = 9999;
	is_int(access_open(db, &s), -1, "access: an unknown partner is refused");
	s.partner_id = 1;
	s.reason = 9;
	is_int(access_open(db, &s), -1, "access: an unknown reason is refused");
}

static void
test_dialog(struct db *db)
{
	struct dialog d, e;
	char v[8];

	memset(&d, 0, sizeof(d));
	d.user_id = 77;
	d.chat_id = 770;
	snprintf(d.kind, sizeof(d.kind), "partner_new");
	d.step = 1;
	d.subject = 0;
	d.updated_at = 100;
	is_int(dialog_get(db, 77, 770, &e), 0, "dialog: none yet");
	is_int(dialog_put(db, 77, 770, "name", "x"), -1, "dialog: no value without a dialog");
	is_int(dialog_start(db, &d), 0, "dialog: start");
	is_int(dialog_get(db, 77, 770, &e), 1, "dialog: get");
	ok(e.user_id == 77 && e.chat_id == 770 && strcmp(e.kind, "partner_new") == 0 &&
	    e.step == 1 && e.subject == 0 && e.updated_at == 100, "dialog: fields read back");
	is_int(dialog_put(db, 77, 770, "name", "Ромашка"), 0, "dialog: put");
	is_int(dialog_put(db, 77, 770, "inn", "7707083893"), 0, "dialog: put another");
	is_int(dialog_put(db, 77, 770, "name", "Лютик"), 0, "dialog: put replaces");
	is_int(dialog_value(db, 77, 770, "name", v, sizeof(v)), 1, "dialog: value found");
	is_str(v, "Лют", "dialog: value bounded on a character boundary");
	is_int(dialog_value(db, 77, 770, "email", v, sizeof(v)), 0, "dialog: unset value");
	is_int(dialog_value(db, 77, 771, "name", v, sizeof(v)), 0, "dialog: per chat");
	is_int(dialog_set_step(db, 77, 770, 3), 0, "dialog: set step");
	dialog_get(db, 77, 770, &e);
	is_int(e.step, 3, "dialog: step stored");
	is_int(dialog_set_step(db, 77, 771, 3), -1, "dialog: no step without a dialog");

	snprintf(d.kind, sizeof(d.kind), "status");
	d.subject = 1;
	d.step = 0;
	is_int(dialog_start(db, &d), 0, "dialog: restart");
	dialog_get(db, 77, 770, &e);
	ok(strcmp(e.kind, "status") == 0 && e.subject == 1 && e.step == 0,
	    "dialog: the restart replaces the row");
	is_int(dialog_value(db, 77, 770, "inn", v, sizeof(v)), 0, "dialog: restart drops values");
	dialog_put(db, 77, 770, "reason", "r");
	is_int(dialog_end(db, 77, 770), 0, "dialog: end");
	is_int(dialog_get(db, 77, 770, &e), 0, "dialog: gone after end");
	is_int(dialog_value(db, 77, 770, "reason", v, sizeof(v)), 0, "dialog: values gone too");
	is_int(dialog_end(db, 77, 770), 0, "dialog: ending twice is fine");

	/* a revoked role ends the person's dialogs in every chat, and only theirs */
	dialog_start(db, &d);
	dialog_put(db, 77, 770, "reason", "r");
	d.chat_id = 771;
	dialog_start(db, &d);
	d.user_id = 78;
	dialog_start(db, &d);
	is_int(dialog_end_user(db, 77), 2, "dialog_end_user: both of the person's dialogs");
	ok(dialog_get(db, 77, 770, &e) == 0 && dialog_get(db, 77, 771, &e) == 0 &&
	    dialog_value(db, 77, 770, "reason", v, sizeof(v)) == 0,
	    "dialog_end_user: rows and values gone");
	is_int(dialog_get(db, 78, 771, &e), 1, "dialog_end_user: another person's dialog stays");
	is_int(dialog_end_user(db, 77), 0, "dialog_end_user: none left");
	dialog_end(db, 78, 771);
}

static void
test_queries(struct db *db)
{
	char kind[16], text[64];
	int64_t id;

	id = query_save(db, 77, "partners", "status=1 ромаш", 500);
	ok(id > 0, "query: saved");
	is_int(query_load(db, id, 77, kind, sizeof(kind), text, sizeof(text)), 1, "query: loaded");
	is_str(kind, "partners", "query: kind");
	is_str(text, "status=1 ромаш", "query: text");
	is_int(query_load(db, id, 78, kind, sizeof(kind), text, sizeof(text)), 0,
	    "query: another user's is not found");
	is_str(text, "", "query: nothing copied for another user");
	is_int(query_load(db, id + 1, 77, kind, sizeof(kind), text, sizeof(text)), 0,
	    "query: unknown id");
	is_int(query_save(db, 77, "partners", "status=1 ромаш", 600), id,
	    "query: the same filter again is the same row");
	ok(query_save(db, 78, "partners", "status=1 ромаш", 600) != id,
	    "query: another user's filter is their own");
	ok(query_save(db, 77, "invoices", "status=1 ромаш", 600) != id,
	    "query: another kind is another row");
	is_int(query_prune(db, 500), 0, "query: prune keeps the recent");
	is_int(query_prune(db, 501), 1, "query: prune drops the old");
	is_int(query_load(db, id, 77, kind, sizeof(kind), text, sizeof(text)), 0,
	    "query: pruned");
	is_int(query_prune(db, 601), 2, "query: the repeat wrote no row of its own");
	id = query_save(db, 77, "partners", "x", 1000);
	is_int(query_save(db, 77, "partners", "x", 1000 + 2 * 86400), id,
	    "query: a filter used again days later keeps its row");
	is_int(query_prune(db, 1001), 0, "query: and its week counts from the last use");
}

int
main(void)
{
	char err[256];
	struct db *db;

	if (testdb_setup("pstore", "bo.db") == -1)
		return 1;
	if ((db = db_open(testdb_path, err, sizeof(err))) == NULL) {
		diag(err);
		return 1;
	}
	test_status_names();
	test_round_trip(db);
	test_slugs_and_inn(db);
	test_lookup(db);
	test_list(db);
	test_status(db);
	test_access(db);
	test_dialog(db);
	test_queries(db);
	db_close(db);

	testdb_cleanup();
	return done_testing();
}
