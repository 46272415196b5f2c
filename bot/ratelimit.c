/*
 * ratelimit.c — token buckets for the outbox: one global bucket and one per chat (private chats
 * and groups refill at different rates). Pure logic: the caller passes the clock.
 */
#include <math.h>
#include <stdlib.h>

#include "bot/bot.h"

#define RL_TABLE	16384	/* hash heads; a power of two above RL_MAX_CHATS */
#define RL_MAX_CHATS	10000	/* chat buckets kept; idle (full) ones are dropped first */
#define RL_GROUP_CAP	3	/* burst allowed to one group */
#define RL_EPSILON	1e-9	/* float slack so exactly one refilled token counts as one */

struct rl_chat {
	int64_t		 chat_id;
	int		 is_group;	/* 0 or 1; -1 only while being evicted */
	struct bucket	 b;
	struct rl_chat	*next;		/* hash chain */
};

struct ratelimit {
	struct bucket	 global;
	double		 chat_rate;	/* tokens per second to a private chat */
	double		 chat_cap;
	double		 group_rate;	/* tokens per second to a group */
	struct rl_chat	*table[RL_TABLE];
	size_t		 nchats;
};

void
bucket_init(struct bucket *b, double cap, double per_second, int64_t now_ms)
{
	b->cap = cap < 1 ? 1 : cap;
	b->tokens = b->cap;		/* a new bucket starts full */
	b->per_ms = per_second > 0 ? per_second / 1000.0 : 0;
	b->last_ms = now_ms;
}

static void
bucket_refill(struct bucket *b, int64_t now_ms)
{
	/* a clock going backwards refills nothing */
	if (now_ms <= b->last_ms)
		return;
	b->tokens += (double)(now_ms - b->last_ms) * b->per_ms;
	if (b->tokens > b->cap)
		b->tokens = b->cap;
	b->last_ms = now_ms;
}

/* Milliseconds until one token is available (after a refill); 0 when one is. */
static int64_t
bucket_wait(const struct bucket *b)
{
	double ms;

	if (b->tokens >= 1 - RL_EPSILON)
		return 0;
	if (b->per_ms <= 0)
		return 60000;	/* never refills: ask again in a minute */
	ms = ceil((1 - b->tokens) / b->per_ms - RL_EPSILON);
	return ms < 1 ? 1 : (int64_t)ms;
}

static void
bucket_consume(struct bucket *b)
{
	b->tokens -= 1;
	if (b->tokens < 0)
		b->tokens = 0;
}

static int
bucket_full(struct bucket *b, int64_t now_ms)
{
	bucket_refill(b, now_ms);
	return b->tokens >= b->cap - RL_EPSILON;
}

int64_t
bucket_take(struct bucket *b, int64_t now_ms)
{
	int64_t wait;

	bucket_refill(b, now_ms);
	if ((wait = bucket_wait(b)) == 0)
		bucket_consume(b);
	return wait;
}

struct ratelimit *
ratelimit_new(const struct config *cfg)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	double global;

	if (rl == NULL)
		return NULL;
	global = cfg->global_per_second > 0 ? (double)cfg->global_per_second : 1;
	bucket_init(&rl->global, global, global, 0);
	rl->chat_rate = cfg->chat_per_minute > 0 ? (double)cfg->chat_per_minute / 60.0 : 1 / 60.0;
	rl->chat_cap = cfg->chat_burst > 0 ? (double)cfg->chat_burst : 1;
	rl->group_rate = cfg->group_per_minute > 0 ? (double)cfg->group_per_minute / 60.0 : 1 / 60.0;
	return rl;
}

static size_t
rl_hash(int64_t id)
{
	uint64_t x = (uint64_t)id;

	/* splitmix64 finaliser: chat ids are far from uniform */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)(x & (RL_TABLE - 1));
}

static struct rl_chat *
rl_find(struct ratelimit *rl, int64_t chat_id)
{
	struct rl_chat *c;

	for (c = rl->table[rl_hash(chat_id)]; c != NULL; c = c->next)
		if (c->chat_id == chat_id)
			return c;
	return NULL;
}

/* Drops every chat whose bucket is full: forgetting it changes nothing. */
static void
rl_sweep(struct ratelimit *rl, int64_t now_ms)
{
	size_t i;

	for (i = 0; i < RL_TABLE; i++) {
		struct rl_chat **pp = &rl->table[i];

		while (*pp != NULL) {
			struct rl_chat *c = *pp;

			if (bucket_full(&c->b, now_ms)) {
				*pp = c->next;
				free(c);
				rl->nchats--;
			} else
				pp = &c->next;
		}
	}
}

static int
rl_cmp_last(const void *a, const void *b)
{
	const struct rl_chat *x = *(struct rl_chat *const *)a, *y = *(struct rl_chat *const *)b;

	return x->b.last_ms < y->b.last_ms ? -1 : x->b.last_ms > y->b.last_ms;
}

/*
 * Makes room: drops idle chats, and when most are busy, the least recently used ones down to
 * three quarters of the maximum (so this O(n log n) pass runs once per many inserts).
 */
static void
rl_shrink(struct ratelimit *rl, int64_t now_ms)
{
	struct rl_chat **all, **pp;
	size_t i, n = 0, drop;

	rl_sweep(rl, now_ms);
	if (rl->nchats < RL_MAX_CHATS * 3 / 4)
		return;
	if ((all = malloc(sizeof(*all) * rl->nchats)) == NULL)
		return;
	for (i = 0; i < RL_TABLE; i++)
		for (pp = &rl->table[i]; *pp != NULL; pp = &(*pp)->next)
			all[n++] = *pp;
	qsort(all, n, sizeof(*all), rl_cmp_last);
	drop = n - RL_MAX_CHATS * 3 / 4;
	for (i = 0; i < drop; i++)
		all[i]->is_group = -1;		/* marked for removal */
	for (i = 0; i < RL_TABLE; i++) {
		pp = &rl->table[i];
		while (*pp != NULL) {
			struct rl_chat *c = *pp;

			if (c->is_group == -1) {
				*pp = c->next;
				free(c);
				rl->nchats--;
			} else
				pp = &c->next;
		}
	}
	free(all);
}

static struct rl_chat *
rl_insert(struct ratelimit *rl, int64_t chat_id, int is_group, int64_t now_ms)
{
	struct rl_chat *c;
	size_t h;

	if (rl->nchats >= RL_MAX_CHATS)
		rl_shrink(rl, now_ms);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->chat_id = chat_id;
	c->is_group = is_group;
	if (is_group)
		bucket_init(&c->b, RL_GROUP_CAP, rl->group_rate, now_ms);
	else
		bucket_init(&c->b, rl->chat_cap, rl->chat_rate, now_ms);
	h = rl_hash(chat_id);
	c->next = rl->table[h];
	rl->table[h] = c;
	rl->nchats++;
	return c;
}

int64_t
ratelimit_take(struct ratelimit *rl, int64_t chat_id, int is_group, int64_t now_ms)
{
	struct rl_chat *c;
	int64_t gw, cw;

	bucket_refill(&rl->global, now_ms);
	gw = bucket_wait(&rl->global);
	c = rl_find(rl, chat_id);
	if (c != NULL && c->is_group != !!is_group) {
		/* the caller changed its mind about the chat's kind: start over at the right rate */
		if (is_group)
			bucket_init(&c->b, RL_GROUP_CAP, rl->group_rate, now_ms);
		else
			bucket_init(&c->b, rl->chat_cap, rl->chat_rate, now_ms);
		c->is_group = !!is_group;
	}
	if (c == NULL) {
		/* an unknown chat has a full bucket: only the global limit can hold it back */
		if (gw > 0)
			return gw;
		if ((c = rl_insert(rl, chat_id, !!is_group, now_ms)) == NULL)
			return 1000;	/* out of memory: try again later */
	}
	bucket_refill(&c->b, now_ms);
	cw = bucket_wait(&c->b);
	if (gw == 0 && cw == 0) {
		bucket_consume(&rl->global);
		bucket_consume(&c->b);
		return 0;
	}
	return gw > cw ? gw : cw;
}

int64_t
ratelimit_global_wait(struct ratelimit *rl, int64_t now_ms)
{
	bucket_refill(&rl->global, now_ms);
	return bucket_wait(&rl->global);
}

static void
bucket_refund(struct bucket *b)
{
	b->tokens += 1;
	if (b->tokens > b->cap)
		b->tokens = b->cap;
}

void
ratelimit_refund(struct ratelimit *rl, int64_t chat_id)
{
	struct rl_chat *c = rl_find(rl, chat_id);

	bucket_refund(&rl->global);
	if (c != NULL)
		bucket_refund(&c->b);
}

size_t
ratelimit_chats(const struct ratelimit *rl)
{
	return rl->nchats;
}

void
ratelimit_free(struct ratelimit *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < RL_TABLE; i++) {
		struct rl_chat *c = rl->table[i], *next;

		for (; c != NULL; c = next) {
			next = c->next;
			free(c);
		}
	}
	free(rl);
}
