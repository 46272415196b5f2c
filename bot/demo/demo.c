/*
 * demo.c — demo data for `make run` and the benchmarks: a small team with every role and N
 * partners (realistic Russian education and service centres). This file seeds them in order;
 * each block makes its own part: demo_team.c, demo_partners.c, demo_billing.c (with
 * demo_billing_story.c) and demo_monitoring.c.
 *
 * Idempotent: the team is refreshed on every run; partners are added only to a database that has
 * none, in one transaction, then given two years of billing (demo_billing.c: it runs the jobs,
 * which commit as they go) and their activity. The partners are deterministic: partner i is
 * drawn from its own PRNG stream (fixed seed), so the first 20 of a 10,000 run are the default 20;
 * only the dates move with today.
 *
 * Names: a short hand-written list first, then "<kind> <word>" for every kind and word in a
 * scrambled order, then the same with a suffix ("Плюс", "на Садовой", …): about 15,000 distinct
 * names before any repeats (a repeated name gets "-2", "-3", … on its slug from storage).
 * INNs are made unique by a serial derived from i (a bijection below 100,000 for organisations and
 * 1,000,000 for sole traders), completed with their check digits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/demo/demo.h"

uint64_t
demo_next(struct demo_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The modulo bias is irrelevant here. */
uint64_t
demo_below(struct demo_rng *r, uint64_t n)
{
	return demo_next(r) % n;
}

int
demo_audit(struct db *db, int64_t partner_id, const char *action, const char *reason,
    const char *detail)
{
	struct audit_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.at = clock_now();
	rec.partner_id = partner_id;
	str_copy(rec.action, sizeof(rec.action), action);
	str_copy(rec.reason, sizeof(rec.reason), reason);
	str_copy(rec.detail, sizeof(rec.detail), detail);
	return audit_append(db, &rec);
}

/* Adds the n partners in one transaction, then their billing history (which commits as it
 * goes, like the jobs it runs), then their activity: the activity follows the statuses billing
 * left. ids: room for n. 0/-1. */
static int
demo_partners(struct db *db, int64_t n, int64_t *ids)
{
	int64_t k, today = clock_now() / DAY * DAY, active = 0;

	if (db_begin(db) == -1)
		return -1;
	for (k = 0; k < n; k++)
		if (demo_partner(db, k, today, &ids[k]) == -1) {
			log_error("demo: partner %lld: %s", (long long)k, db_errmsg(db));
			goto fail;
		}
	if (db_commit(db) == -1 || demo_billing(db, ids, n) == -1 || db_begin(db) == -1)
		return -1;
	for (k = 0; k < n; k++)
		if (demo_activity(db, k, ids[k], &active, today, clock_now()) == -1) {
			log_error("demo: activity of partner %lld: %s", (long long)k,
			    db_errmsg(db));
			goto fail;
		}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int
demo_seed(const char *database, int64_t partners, FILE *report)
{
	char errbuf[256];
	struct db *db;
	size_t nteam = 0;
	int64_t existing, *ids = NULL;
	int rc = -1;

	db = db_open(database, errbuf, sizeof(errbuf));
	if (db == NULL) {
		log_error("cannot open database '%s': %s", database, errbuf);
		return -1;
	}
	/* Demo data lost to a crash of the machine is made again: no fsync for the history's
	 * thousands of small commits (the jobs commit each item), which halves the time. */
	if (db_exec_fixed(db, "PRAGMA synchronous = OFF") == -1 || db_begin(db) == -1)
		goto out;
	if (demo_team_seed(db, &nteam) == -1)
		goto fail;
	if ((existing = partner_count(db)) < 0 || db_commit(db) == -1)
		goto fail;
	if (existing > 0 && partners > 0) {
		if (report != NULL)
			fprintf(report, "%lld partners already exist: none added\n",
			    (long long)existing);
	} else if (partners > 0) {
		if ((ids = calloc((size_t)partners, sizeof(*ids))) == NULL ||
		    demo_partners(db, partners, ids) == -1)
			goto out;
		existing = partners;
	}
	if (report != NULL) {
		fprintf(report, "demo data in '%s': %zu team members, %lld partners\n", database,
		    nteam, (long long)existing);
		if (ids != NULL)
			demo_billing_report(db, ids, partners, report);
	}
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(ids);
	db_close(db);
	return rc;
}
