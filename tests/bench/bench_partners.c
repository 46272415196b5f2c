/*
 * bench_partners.c — the partner storage at 20 and at 10,000 partners (`make bench`).
 *
 * Not a timed test: it prints figures, it never passes or fails. For each size a fresh database
 * in a temporary directory is filled by demo_seed (the demo data of `backoffice demo-seed`), then
 * each operation runs ITER times on a warm connection (prepared statements cached) and its
 * latency is reported as p50/p99 in microseconds:
 *   partner_get by id; partner_lookup by INN, by slug and by a 3-letter Cyrillic fragment of a
 *   real name (up to LOOKUP_MAX matches, as a choice list would ask); partner_list (PAGE rows) at
 *   the first and the middle page, without and with a status filter; audit_append with its own
 *   transaction and commit per record (synchronous=FULL: an fsync each).
 * Then the database size and the process's peak RSS so far (getrusage).
 *
 *     build/tests/bench/bench_partners [sizes…]	(default: 20 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bot/bot.h"
#include "storage/storage.h"
#include "tests/bench/bench.h"

#define ITER 2000	/* timed calls per read operation */
#define AUDIT_ITER 1000	/* timed appends */
#define WARMUP 50
#define SAMPLES 1000	/* distinct partners the lookups draw from */
#define PAGE 10
#define LOOKUP_MAX 10

struct probe {
	int64_t	 id;
	char	 inn[16];
	char	 slug[64];
	char	 frag[16];	/* 3 characters of the name, no spaces */
};

static struct partner rows[PAGE];
static int64_t lat[ITER > AUDIT_ITER ? ITER : AUDIT_ITER];
static uint64_t rng_state = 0x62656e6368ull;	/* bench_rnd state: a fixed seed */




/* Three consecutive characters of name, none a space or a dash; the first three if none. */
static void
fragment(const char *name, char *out, size_t outsz)
{
	size_t off[PARTNER_NAME_MAX + 1], n = 0, i, tries, s, len;

	for (i = 0; name[i] != '\0'; i++)
		if (((unsigned char)name[i] & 0xc0) != 0x80)
			off[n++] = i;
	off[n] = i;
	if (n < 3) {
		str_copy(out, outsz, name);
		return;
	}
	for (tries = 0; tries < 64; tries++) {
		s = (size_t)(bench_rnd(&rng_state) % (n - 2));
		for (i = off[s]; i < off[s + 3]; i++)
			if (name[i] == ' ' || name[i] == '-')
				break;
		if (i == off[s + 3])
			break;
	}
	if (tries == 64)
		s = 0;
	len = off[s + 3] - off[s];
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, name + off[s], len);
	out[len] = '\0';
}



/* The partners the lookups use, drawn at random: 0 ok, -1 error. */
static int
probes(struct db *db, int64_t n, struct probe *pr, int count)
{
	struct partner p;
	int k;

	for (k = 0; k < count; k++) {
		pr[k].id = 1 + (int64_t)(bench_rnd(&rng_state) % (uint64_t)n);
		if (partner_get(db, pr[k].id, &p) != 1) {
			fprintf(stderr, "bench_partners: partner %lld missing\n", (long long)pr[k].id);
			return -1;
		}
		str_copy(pr[k].inn, sizeof(pr[k].inn), p.inn);
		str_copy(pr[k].slug, sizeof(pr[k].slug), p.slug);
		fragment(p.name, pr[k].frag, sizeof(pr[k].frag));
	}
	return 0;
}

enum op { OP_GET, OP_INN, OP_SLUG, OP_FRAG };

/* Times ITER calls of one lookup; 0 ok, -1 when a call failed or found nothing. */
static int
time_lookup(struct db *db, enum op op, const struct probe *pr, int count, const char *what)
{
	static const char *const names[] = { "partner_get by id", "partner_lookup by INN",
	    "partner_lookup by slug", "partner_lookup by name fragment" };
	struct partner p;
	int64_t out[LOOKUP_MAX], t0, hits = 0;
	int i, r = 0;

	for (i = -WARMUP; i < ITER; i++) {
		const struct probe *q = &pr[(i + WARMUP) % count];

		t0 = clock_mono_us();
		switch (op) {
		case OP_GET:
			r = partner_get(db, q->id, &p);
			break;
		case OP_INN:
			r = partner_lookup(db, q->inn, &partner_pd_all, out, LOOKUP_MAX);
			break;
		case OP_SLUG:
			r = partner_lookup(db, q->slug, &partner_pd_all, out, LOOKUP_MAX);
			break;
		case OP_FRAG:
			r = partner_lookup(db, q->frag, &partner_pd_all, out, LOOKUP_MAX);
			break;
		}
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
		if (r <= 0) {
			fprintf(stderr, "bench_partners: %s found nothing\n", names[op]);
			return -1;
		}
		hits += r;
	}
	bench_report(lat, what != NULL ? what : names[op], ITER, "us");
	if (op == OP_FRAG)
		printf("  %-44s %.1f (of at most %d), e.g. '%s', '%s', '%s'\n",
		    "  matches per fragment", (double)hits / (ITER + WARMUP), LOOKUP_MAX,
		    pr[0].frag, pr[1 % count].frag, pr[2 % count].frag);
	return 0;
}

static int
time_list(struct db *db, int status, int middle, const char *what)
{
	int64_t t0;
	int i, total = 0, offset = 0, r;

	if (partner_list(db, status, "", &partner_pd_all, 0, 0, rows, &total) == -1)
		return -1;
	if (total == 0) {
		printf("  %-44s (no such partners)\n", what);
		return 0;
	}
	if (middle)
		offset = total / 2 / PAGE * PAGE;
	for (i = -WARMUP; i < ITER; i++) {
		t0 = clock_mono_us();
		r = partner_list(db, status, "", &partner_pd_all, offset, PAGE, rows, &total);
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
		if (r <= 0) {
			fprintf(stderr, "bench_partners: %s: nothing listed\n", what);
			return -1;
		}
	}
	bench_report(lat, what, ITER, "us");
	return 0;
}

static int
time_audit(struct db *db, int64_t n)
{
	struct audit_record rec;
	int64_t t0;
	int i;

	for (i = -WARMUP; i < AUDIT_ITER; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.at = clock_now();
		rec.actor = 100000001;
		str_copy(rec.roles, sizeof(rec.roles), "superadmin");
		rec.partner_id = 1 + (int64_t)(bench_rnd(&rng_state) % (uint64_t)n);
		str_copy(rec.action, sizeof(rec.action), "partner.read");
		str_copy(rec.reason, sizeof(rec.reason), "ticket: T-1234");
		str_copy(rec.detail, sizeof(rec.detail), "bench");
		t0 = clock_mono_us();
		if (db_begin(db) == -1)
			return -1;
		if (audit_append(db, &rec) == -1) {
			db_rollback(db);
			return -1;
		}
		if (db_commit(db) == -1)
			return -1;
		if (i >= 0)
			lat[i] = clock_mono_us() - t0;
	}
	bench_report(lat, "audit_append + commit (one record each)", AUDIT_ITER, "us");
	return 0;
}

static int
bench_size(const char *dir, int64_t n)
{
	static struct probe pr[SAMPLES];
	char path[512], errbuf[256], why[256], head_hash[65];
	struct rusage ru;
	struct db *db;
	int64_t count, bad, head, t0;
	int rc = -1, nprobe = n < SAMPLES ? (int)n : SAMPLES;

	snprintf(path, sizeof(path), "%s/bench-%lld.db", dir, (long long)n);
	printf("-- %lld partners\n", (long long)n);
	if (bench_seed(path, n, "demo_seed (one transaction)") == -1)
		goto out;
	if ((db = db_open(path, errbuf, sizeof(errbuf))) == NULL) {
		fprintf(stderr, "bench_partners: %s\n", errbuf);
		goto out;
	}
	if (partner_count(db) != n || n <= 0) {
		fprintf(stderr, "bench_partners: %lld partners, expected %lld\n",
		    (long long)partner_count(db), (long long)n);
		goto close;
	}
	if (probes(db, n, pr, nprobe) == -1 ||
	    time_lookup(db, OP_GET, pr, nprobe, NULL) == -1 ||
	    time_lookup(db, OP_INN, pr, nprobe, NULL) == -1 ||
	    time_lookup(db, OP_SLUG, pr, nprobe, NULL) == -1 ||
	    time_lookup(db, OP_FRAG, pr, nprobe, NULL) == -1 ||
	    time_list(db, -1, 0, "partner_list: first page, any status") == -1 ||
	    time_list(db, -1, 1, "partner_list: middle page, any status") == -1 ||
	    time_list(db, PARTNER_ACTIVE, 0, "partner_list: first page, active") == -1 ||
	    time_list(db, PARTNER_ACTIVE, 1, "partner_list: middle page, active") == -1 ||
	    time_list(db, PARTNER_SUSPENDED, 0, "partner_list: first page, suspended") == -1 ||
	    time_list(db, PARTNER_SUSPENDED, 1, "partner_list: middle page, suspended") == -1 ||
	    time_audit(db, n) == -1)
		goto close;
	t0 = clock_mono_us();
	if (audit_verify(db, &count, &bad, why, sizeof(why), &head, head_hash) != 0) {
		fprintf(stderr, "bench_partners: audit chain not intact: %s\n", why);
		goto close;
	}
	printf("  %-44s %lld ms (%lld records)\n", "audit_verify (whole chain)",
	    (long long)((clock_mono_us() - t0) / 1000), (long long)count);
	getrusage(RUSAGE_SELF, &ru);
	printf("  %-44s %.1f MB\n", "database size", (double)db_size_bytes(db) / (1 << 20));
	printf("  %-44s %.1f MB\n", "peak RSS (process so far)", (double)ru.ru_maxrss / 1024);
	rc = 0;
close:
	db_close(db);
out:
	bench_remove_db(path);
	return rc;
}

int
main(int argc, char **argv)
{
	log_init(-1);
	printf("bench_partners: p50/p99 in microseconds over %d calls (%d appends), warm cache\n",
	    ITER, AUDIT_ITER);
	return bench_sizes(argc, argv, "bench_partners", bench_size);
}
