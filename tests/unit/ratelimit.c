/* ratelimit.t — token buckets with an explicit clock: refill, bursts, per chat, groups, global. */
#include "bot/bot.h"
#include "tests/tap.h"

static struct config
limits(int64_t per_minute, int64_t burst, int64_t group_per_minute, int64_t global)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.chat_per_minute = per_minute;
	c.chat_burst = burst;
	c.group_per_minute = group_per_minute;
	c.global_per_second = global;
	return c;
}

static void
test_bucket(void)
{
	struct bucket b;

	bucket_init(&b, 3, 1.0, 1000);
	ok(bucket_take(&b, 1000) == 0 && bucket_take(&b, 1000) == 0 && bucket_take(&b, 1000) == 0,
	    "a new bucket allows its capacity at once");
	is_int(bucket_take(&b, 1000), 1000, "then one token a second: wait 1000 ms");
	is_int(bucket_take(&b, 1500), 500, "half refilled after 500 ms: wait 500 ms more");
	is_int(bucket_take(&b, 2000), 0, "a full token after 1000 ms");
	is_int(bucket_take(&b, 2000), 1000, "and it was taken");
	ok(bucket_take(&b, 60000) == 0 && bucket_take(&b, 60000) == 0 &&
	    bucket_take(&b, 60000) == 0, "a long pause refills to the capacity");
	ok(bucket_take(&b, 60000) > 0, "but not beyond it");
	is_int(bucket_take(&b, 50000), 1000, "a clock going backwards refills nothing");

	bucket_init(&b, 1, 30.0, 0);
	is_int(bucket_take(&b, 0), 0, "30/s: first token");
	is_int(bucket_take(&b, 0), 34, "30/s: next in ceil(33.3) ms");
	is_int(bucket_take(&b, 33), 1, "30/s: at 33 ms still 1 ms short (rounded up, at least 1)");
	is_int(bucket_take(&b, 34), 0, "30/s: at 34 ms a token");
}

static void
test_chats(void)
{
	struct config c = limits(60, 3, 20, 30);
	struct ratelimit *rl = ratelimit_new(&c);
	int64_t t = 1000000, w;
	int i, sent;

	for (i = 0, sent = 0; i < 5; i++)
		sent += ratelimit_take(rl, 111, 0, t) == 0;
	is_int(sent, 3, "private chat: a burst of chat_burst messages");
	is_int(ratelimit_take(rl, 111, 0, t), 1000, "private chat: then one a second");
	is_int(ratelimit_take(rl, 222, 0, t), 0, "another chat is not held back by the first");
	is_int(ratelimit_take(rl, 111, 0, t + 1000), 0, "the first chat may send again after 1 s");

	/* group: 20 per minute, burst 3 */
	for (i = 0, sent = 0; i < 5; i++)
		sent += ratelimit_take(rl, -100333, 1, t) == 0;
	is_int(sent, 3, "group: a burst of 3");
	is_int(ratelimit_take(rl, -100333, 1, t), 3000, "group: then one every 3 s");
	is_int(ratelimit_take(rl, -100333, 1, t + 2999), 1, "group: 1 ms short at 2999 ms");
	is_int(ratelimit_take(rl, -100333, 1, t + 3000), 0, "group: a message at 3000 ms");
	/* over a minute a busy group gets the burst plus 20 */
	for (w = t + 3000, sent = 0; w <= t + 3000 + 60000; w += 100)
		sent += ratelimit_take(rl, -100444, 1, w) == 0;
	is_int(sent, 23, "group: 3 + 20 messages in 60 s");
	ratelimit_free(rl);
}

static void
test_global(void)
{
	struct config c = limits(60, 3, 20, 30);
	struct ratelimit *rl = ratelimit_new(&c);
	int64_t t = 5000000;
	int i, sent;

	for (i = 0, sent = 0; i < 100; i++)
		sent += ratelimit_take(rl, 1000 + i, 0, t) == 0;
	is_int(sent, 30, "global: 30 messages at once across 100 chats");
	is_int(ratelimit_take(rl, 5000, 0, t), 34, "global: the next in 34 ms");
	for (i = 0, sent = 0; i < 100; i++)
		sent += ratelimit_take(rl, 2000 + i, 0, t + 1000) == 0;
	is_int(sent, 30, "global: 30 more a second later");
	ratelimit_free(rl);

	/* a chat that must wait does not use up a global token */
	rl = ratelimit_new(&c);
	for (i = 0; i < 3; i++)
		ratelimit_take(rl, 7, 0, t);
	for (i = 0, sent = 0; i < 50; i++)
		sent += ratelimit_take(rl, 7, 0, t) == 0;
	is_int(sent, 0, "a throttled chat sends nothing");
	for (i = 0, sent = 0; i < 100; i++)
		sent += ratelimit_take(rl, 3000 + i, 0, t) == 0;
	is_int(sent, 27, "and the global bucket lost only the 3 sent messages");
	ratelimit_free(rl);
}

static void
test_eviction(void)
{
	struct config c = limits(60, 3, 20, 30);
	struct ratelimit *rl = ratelimit_new(&c);
	int64_t t = 9000000;
	size_t peak = 0;
	int i;

	/* one message to each of 50,000 chats, 40 ms apart (under the global rate) */
	for (i = 0; i < 50000; i++) {
		ratelimit_take(rl, 100000 + i, 0, t + (int64_t)i * 40);
		if (ratelimit_chats(rl) > peak)
			peak = ratelimit_chats(rl);
	}
	ok(peak <= 10000 && peak > 0, "idle chats: at most 10,000 buckets kept");
	ratelimit_free(rl);

	/* all at the same instant with no global limit: every bucket is busy */
	c = limits(60, 3, 20, 1000000);
	rl = ratelimit_new(&c);
	for (i = 0, peak = 0; i < 50000; i++) {
		ratelimit_take(rl, 100000 + i, 0, t);
		if (ratelimit_chats(rl) > peak)
			peak = ratelimit_chats(rl);
	}
	ok(peak <= 10000 && ratelimit_chats(rl) >= 5000, "busy chats: bounded, recent ones kept");
	ratelimit_take(rl, 149999, 0, t);
	ratelimit_take(rl, 149999, 0, t);
	ok(ratelimit_take(rl, 149999, 0, t) > 0, "a recent chat keeps its limit after eviction");
	ratelimit_free(rl);
}

int
main(void)
{
	test_bucket();
	test_chats();
	test_global();
	test_eviction();
	return done_testing();
}
