/* clock.c — the one place the code reads the time, so unit tests can set it. */
#include <time.h>

#include "bot/bot.h"

static int64_t clock_fixed;	/* 0: the real clock */

int64_t
clock_now(void)
{
	return clock_fixed ? clock_fixed : (int64_t)time(NULL);
}

int64_t
clock_now_ms(void)
{
	struct timespec ts;

	if (clock_fixed)
		return clock_fixed * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
clock_set(int64_t t)
{
	clock_fixed = t;
}
