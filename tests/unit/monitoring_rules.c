/* monitoring.t — the pure parts of monitoring: the sparkline, the week-over-week change, the
 * 7-day steps of a dormant alert's text, and the drop rule. */
#include "handlers/handlers.h"
#include "tests/tap.h"

static void
spark_is(const int64_t *v, int n, const char *want, const char *name)
{
	struct buf b;

	buf_init(&b, 0);
	monitoring_sparkline(v, n, &b);
	is_str(b.ptr, want, name);
	buf_release(&b);
}

static void
pct_is(int64_t prev, int64_t cur, int want_rc, int64_t want, const char *name)
{
	int64_t pct = 12345;
	int rc = monitoring_change_pct(prev, cur, &pct);

	is_int(rc, want_rc, name);
	if (want_rc == 0)
		is_int(pct, want, name);
	else
		is_int(pct, 12345, "nothing written without a base");
}

int
main(void)
{
	static const int64_t ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const int64_t zeros[] = { 0, 0, 0 };
	static const int64_t big[] = { 1, 1000000, 500000, -5 };
	static const int64_t flat[] = { 9, 9 };
	struct buf b;

	spark_is(ramp, 8, "▁▂▃▄▅▆▇█", "a ramp uses every bar");
	spark_is(zeros, 3, "▁▁▁", "all zero: the lowest bar, no division by zero");
	spark_is(big, 4, "▁█▅▁", "scaled to the largest; a tiny value and a negative one are low");
	spark_is(flat, 2, "██", "a flat line at its maximum");
	spark_is(ramp, 0, "", "no days: empty");
	buf_init(&b, 0);
	monitoring_sparkline(ramp, 8, &b);
	is_int(utf8_chars(b.ptr, b.len), 8, "one character per day");
	buf_release(&b);

	pct_is(100, 123, 0, 23, "+23 %");
	pct_is(100, 40, 0, -60, "−60 %");
	pct_is(3, 2, 0, -33, "rounded: 2 of 3 is −33 %");
	pct_is(3, 1, 0, -67, "rounded half away from zero: −66.7 → −67");
	pct_is(2, 3, 0, 50, "+50 %");
	pct_is(50, 0, 0, -100, "to nothing: −100 %");
	pct_is(0, 10, -1, 0, "no base week: nothing to compare");

	is_int(monitoring_dormant_step(13, 14), 0, "13 days of 14: not dormant yet");
	is_int(monitoring_dormant_step(14, 14), 14, "14 days: step 14");
	is_int(monitoring_dormant_step(20, 14), 14, "20 days: still 14 (no edit every day)");
	is_int(monitoring_dormant_step(21, 14), 21, "21 days: step 21");
	is_int(monitoring_dormant_step(27, 14), 21, "27 days: still 21");
	is_int(monitoring_dormant_step(28, 14), 28, "28 days: step 28");
	is_int(monitoring_dormant_step(400, 14), 399, "400 days: 14 + 55 weeks");
	is_int(monitoring_dormant_step(10, 10), 10, "dormant_days 10: steps 10, 17, …");
	is_int(monitoring_dormant_step(17, 10), 17, "17");
	is_int(monitoring_dormant_step(5, 0), 0, "a nonsense setting never divides by zero");

	ok(!monitoring_is_drop(19, 0, 50), "fewer than 20 events the week before: no drop");
	ok(monitoring_is_drop(20, 9, 50), "20 → 9 is more than 50 %");
	ok(!monitoring_is_drop(20, 10, 50), "20 → 10 is exactly 50 %: not more");

	/* the "telegram" episode: raised on an error burst or stale polling (a long 429 wait raises
	 * it by itself); resolved after 5 quiet minutes with polling fresh; otherwise left alone */
	is_int(monitoring_tg_verdict(10, 5, -1), 1, "tg: an error burst is trouble");
	is_int(monitoring_tg_verdict(0, 301, -1), 1, "tg: no successful poll for 5 minutes is trouble");
	is_int(monitoring_tg_verdict(0, 5, -1), -1, "tg: no errors, fresh poll, no long wait: healthy");
	is_int(monitoring_tg_verdict(0, -1, -1), -1, "tg: webhook mode, no errors: healthy");
	is_int(monitoring_tg_verdict(0, 5, 10), 0, "tg: a long wait 10 s ago: not resolved yet");
	is_int(monitoring_tg_verdict(0, 5, 299), 0, "tg: a long wait 299 s ago: not resolved yet");
	is_int(monitoring_tg_verdict(0, 5, 300), -1, "tg: 5 quiet minutes after a long wait: healthy");
	is_int(monitoring_tg_verdict(0, -1, 600), -1, "tg: webhook mode, long wait long ago: healthy");
	is_int(monitoring_tg_verdict(5, 5, 600), 0, "tg: a few errors: neither raised nor resolved");
	is_int(monitoring_tg_verdict(0, 300, 600), -1, "tg: a poll 5 minutes ago is still recent");
	ok(monitoring_is_drop(100, 0, 100) == 0, "drop_percent 100: only below nothing, never");
	ok(monitoring_is_drop(100, 89, 10), "100 → 89 with 10 %");
	ok(!monitoring_is_drop(100, 150, 10), "a rise is no drop");
	return done_testing();
}
