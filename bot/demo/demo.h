/*
 * demo.h — what the demo data's files share: demo.c seeds, in order, the team (demo_team.c),
 * the partners (demo_partners.c), their billing history (demo_billing.c, demo_billing_story.c)
 * and their activity (demo_monitoring.c). A new block adds its demo_<block>.c and a line in
 * demo.c's demo_partners. Nothing outside bot/demo/ includes it.
 */
#ifndef BOT_DEMO_H
#define BOT_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DEMO_SEED 0x6b6f6d6f2d6465ull	/* fixed: the demo is the same everywhere */
#define DAY 86400

/* The demo team members who act in the history (demo_team.c). */
#define DEMO_ADMIN	100000001	/* Анна Смирнова, superadmin */
#define DEMO_BILLING	100000004	/* Павел Соколов, billing */
#define DEMO_MANAGER	100000005	/* Мария Волкова, manager and billing */

/* splitmix64: small, fast, good enough for demo data, the same on every platform. */
struct demo_rng {
	uint64_t	 s;
};
uint64_t demo_next(struct demo_rng *);
uint64_t demo_below(struct demo_rng *, uint64_t n);	/* 0 .. n-1 (n > 0) */
#define DEMO_PICK(r, a) ((a)[demo_below((r), NELEM(a))])

/* An audit record about partner_id at the clock's time: 0/-1. */
int	 demo_audit(struct db *, int64_t partner_id, const char *action, const char *reason,
	    const char *detail);

/* demo_team.c — adds the team or refreshes it; *n: how many members. 0/-1. */
int	 demo_team_seed(struct db *, size_t *n);

/* demo_partners.c — partner i's card and its creation record, the day being today. 0/-1. */
int	 demo_partner(struct db *, int64_t i, int64_t today, int64_t *id);

/* demo_monitoring.c — partner i's activity and data volumes after its billing history; active
 * counts the active partners so far (the dormant and the dropped are chosen by it). 0/-1. */
int	 demo_activity(struct db *, int64_t i, int64_t id, int64_t *active, int64_t today,
	    int64_t now);

/* demo_billing.c — the billing history of the n partners just added (ids ascending), walked
 * day by day up to today in the database's own transactions (the jobs commit their work).
 * Leaves the clock real. 0/-1. */
int	 demo_billing(struct db *, const int64_t *ids, int64_t n);
/* A few lines on what the billing history holds, for the demo's report. */
void	 demo_billing_report(struct db *, const int64_t *ids, int64_t n, FILE *);

/* The walk's state, shared by demo_billing.c (the days, the jobs, the event lists) and
 * demo_billing_story.c (what partners and staff do). */
#define DEMO_DAYS	730	/* the history: two years up to today */
enum demo_plan { DP_START, DP_TEAM, DP_PRO, DP_BASIC, DP_COUNT };

struct demo_event {
	int32_t	 next;		/* the day's next event, -1 last */
	int32_t	 acct;		/* -1: about every partner */
	int	 kind;		/* enum demo_ev (demo_billing_story.c) */
	int	 a;		/* its arguments, by kind */
	int64_t	 b;
};

struct demo_acct {
	int64_t	 id;		/* the partner */
	int	 story;
	int	 late;		/* percent of invoices paid after their due date */
	int	 weeks;		/* …by up to this many days */
	int	 bank;		/* pays by bank transfer (staff record it); else online (the API) */
	int	 round;		/* pays round sums: the rest is credit */
	int64_t	 stop_pay;	/* invoices issued from this day on stay unpaid; 0 never */
	int64_t	 dup_from;	/* the first invoice issued from this day on is paid twice; 0 */
	struct demo_rng rng;
};

struct demo_sim {
	struct app	 app;		/* the jobs' and rules': default [billing], no chats */
	struct db	*db;
	struct billing_terms terms;
	int64_t		 first, today, day;	/* the history's first day, today, the one walked */
	int64_t		 now;		/* the real time when the walk began */
	struct plan	 plans[DP_COUNT];	/* the versions new subscriptions get */
	const int64_t	*ids;		/* the partners, ascending */
	struct demo_acct *acct;		/* one per partner, in ids' order */
	int64_t		 n;
	struct demo_event *ev;
	int32_t		 nev, cap;
	int32_t		*head, *tail;	/* per day from first: its events in order */
	struct invoice	*page;		/* DEMO_PAGE rows */
	int64_t		 seen;		/* the newest invoice given a payment day */
	int64_t		 serial;	/* payments recorded so far */
};

/* Plans an event of partner k (-1: of all) on day: never before the day walked, dropped past
 * today. 0/-1. */
int	 demo_at(struct demo_sim *, int64_t day, int32_t k, int kind, int a, int64_t b);

/* demo_billing_story.c */
int	 demo_plans(struct demo_sim *);
int	 demo_plan_story(struct demo_sim *, int32_t k);	/* partner k's story and events */
int	 demo_do(struct demo_sim *, const struct demo_event *);
/* Partner k's payment day for an open invoice just issued, if it pays. 0/-1. */
int	 demo_on_invoice(struct demo_sim *, int32_t k, const struct invoice *);

#endif
