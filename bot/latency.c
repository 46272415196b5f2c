/* latency.c — the most recent samples of a latency, for percentiles in /health and benchmarks. */
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"

void
latency_init(struct latency *l)
{
	memset(l->us, 0, sizeof(l->us));
	l->n = 0;
	l->next = 0;
	pthread_mutex_init(&l->mu, NULL);
}

void
latency_record(struct latency *l, int64_t us)
{
	pthread_mutex_lock(&l->mu);
	l->us[l->next] = us;
	l->next = (l->next + 1) % LAT_SAMPLES;
	if (l->n < LAT_SAMPLES)
		l->n++;
	pthread_mutex_unlock(&l->mu);
}

static int
latency_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The pct-th percentile (nearest rank) of the recorded samples; -1 when there are none. */
int64_t
latency_pct(struct latency *l, int pct)
{
	int64_t *copy, v = -1;
	size_t n, rank;

	pthread_mutex_lock(&l->mu);
	n = l->n;
	copy = n ? malloc(n * sizeof(*copy)) : NULL;
	if (copy != NULL)
		memcpy(copy, l->us, n * sizeof(*copy));
	pthread_mutex_unlock(&l->mu);
	if (copy == NULL)
		return -1;
	qsort(copy, n, sizeof(*copy), latency_cmp);
	rank = (n * (size_t)pct + 99) / 100;
	v = copy[rank ? rank - 1 : 0];
	free(copy);
	return v;
}
