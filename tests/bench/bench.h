/*
 * bench.h — what the C benchmarks share: a fixed-seed random source, latency percentiles, a
 * demo-seeded database and its removal, the run over sizes. Header-only; figures go to stdout,
 * nothing is judged.
 */
#ifndef BENCH_H
#define BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/bot.h"

/* splitmix64 over *state: repeatable runs for a given seed. */
static inline uint64_t
bench_rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int
bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts the n samples of lat and prints p50 and p99 under the label what. */
static inline void
bench_report(int64_t *lat, const char *what, int n, const char *unit)
{
	qsort(lat, (size_t)n, sizeof(lat[0]), bench_cmp_i64);
	printf("  %-46s p50 %8lld %s  p99 %8lld %s  (n=%d)\n", what, (long long)lat[n / 2], unit,
	    (long long)lat[(n * 99) / 100], unit, n);
}

static inline void
bench_remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", ".lock" };
	char p[512];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

/* demo_seed of n partners into path, timed under label: 0 ok, -1 error. */
static inline int
bench_seed(const char *path, int64_t n, const char *label)
{
	int64_t t0 = clock_mono_us();
	int rc = demo_seed(path, n, stdout);

	printf("  %-46s %lld ms\n", label, (long long)((clock_mono_us() - t0) / 1000));
	return rc;
}

/* The benchmarks by size: each size given (1..100000), else 20 and 10,000, run by fn in a fresh
 * temporary directory named after the benchmark. The exit status: 1 when a size failed. */
static inline int
bench_sizes(int argc, char **argv, const char *name, int (*fn)(const char *dir, int64_t n))
{
	static const int64_t defaults[] = { 20, 10000 };
	char dir[256];
	const char *tmp = getenv("TMPDIR");
	int64_t n;
	int i, rc = 0;

	snprintf(dir, sizeof(dir), "%s/%s.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp", name);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "%s: mkdtemp: %s\n", name, strerror(errno));
		return 1;
	}
	for (i = 1; i < argc; i++)
		if (str_to_i64(argv[i], &n) == -1 || n <= 0 || n > 100000) {
			fprintf(stderr, "%s: not a size: %s\n", name, argv[i]);
			rc = 1;
		} else if (fn(dir, n) == -1)
			rc = 1;
	for (i = 0; argc <= 1 && i < (int)(sizeof(defaults) / sizeof(defaults[0])); i++)
		if (fn(dir, defaults[i]) == -1)
			rc = 1;
	rmdir(dir);
	return rc;
}

#endif
