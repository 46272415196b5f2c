/*
 * billing.h — the billing tables (included by storage.h): plans and their versions,
 * subscriptions, invoices with their lines and per-year numbers, payments, their allocation to
 * invoices, and acts. Money is int64_t kopecks; calendar dates are day numbers (days since
 * 1970-01-01 of the civil date, in the configured zone: clock_local_day); period ends are
 * exclusive (the first day of the next period). Callers own the transaction: every function
 * runs inside the caller's BEGIN … COMMIT, so an action is applied whole or not at all.
 *
 * Return convention as storage.h: 0 ok / -1 error; lookups 1 found / 0 none / -1 error.
 */
#ifndef STORAGE_BILLING_H
#define STORAGE_BILLING_H

#include <stdint.h>

/* plans.c — a plan is a code with versions: a price change inserts a new version, so
 * subscriptions and invoices that point at an older version keep its prices. */
#define PLAN_CODE_MAX 32	/* bytes of a code: lowercase latin, digits, '-' and '_' */
struct plan {
	int64_t	 id;		/* this version's row */
	char	 code[PLAN_CODE_MAX];
	int	 version;	/* 1, 2, … */
	char	 name[256];
	int	 yearly;	/* 1: the period is a year; 0: a month */
	int64_t	 base, per_branch, per_user;		/* kopecks per period */
	int64_t	 included_branches, included_users;
	int	 trial_days;	/* 0: no trial */
	int	 archived;	/* the code takes no new subscriptions */
	int64_t	 created_at;	/* unix seconds */
	int64_t	 created_by;	/* user id, 0 = the system (demo) */
};
/* Inserts p as version 1 of a new code (p->version ignored). Fills id and version.
 * 1 created, 0 the code exists, -1 error. */
int	 plan_insert(struct db *, struct plan *);
/* Inserts p as the next version of its existing code (fills id and version). 0/-1. */
int	 plan_new_version(struct db *, struct plan *);
int	 plan_get(struct db *, int64_t id, struct plan *);		/* any version: 1/0/-1 */
int	 plan_current(struct db *, const char *code, struct plan *);	/* latest version: 1/0/-1 */
/* Every version of code, newest first: count or -1. */
int	 plan_versions(struct db *, const char *code, struct plan *, int max);
/* Archives (1) or restores (0) every version of code: 1 changed, 0 no such code, -1. */
int	 plan_set_archived(struct db *, const char *code, int archived);
/* The latest version of every code, active ones first, then by code; count or -1. */
int	 plan_list(struct db *, struct plan *, int max);
/* Live subscriptions on any version of code: count or -1. */
int64_t	 plan_subscribers(struct db *, const char *code);

/* subscriptions.c — one live (not canceled) subscription per partner. */
enum sub_status {
	SUB_TRIALING = 0,
	SUB_ACTIVE = 1,
	SUB_PAST_DUE = 2,	/* an invoice is overdue */
	SUB_CANCELED = 3,	/* ended: history only */
};
#define SUB_STATUS_COUNT 4
const char	*sub_status_name(int);	/* "trialing", …; NULL out of range */
struct subscription {
	int64_t	 id;
	int64_t	 partner_id;
	int64_t	 plan_id;	/* the plan version in force */
	int	 status;	/* enum sub_status */
	int	 autorenew;
	int	 anchor_dom;	/* day of month periods start on (1..31) */
	int64_t	 started_on;	/* day */
	int64_t	 period_start;	/* day: the current period (the trial, while trialing) */
	int64_t	 period_end;	/* day, exclusive */
	int64_t	 trial_end;	/* day, exclusive; 0 = no trial */
	int64_t	 paid_until;	/* day, exclusive: days before it are paid; 0 = nothing paid */
	int64_t	 next_plan_id;	/* a plan change waiting for the period end, 0 none */
	int	 cancel_at_end;	/* ends at period_end instead of renewing */
	char	 cancel_reason[512];
	int64_t	 ended_on;	/* day it ended, 0 while live */
	char	 end_rule[32];	/* why it ended: "canceled", "trial", "nonrenewal", "replaced" */
	int	 trial_noticed;	/* the trial reminder went out */
	int64_t	 created_at, updated_at;	/* unix seconds */
};
/* Inserts s (status and dates as given); fills id. 1 created, 0 the partner already has a live
 * subscription, -1 error. */
int	 sub_insert(struct db *, struct subscription *);
/* Writes every mutable field of s back (by id). 0/-1. */
int	 sub_save(struct db *, const struct subscription *);
int	 sub_get(struct db *, int64_t id, struct subscription *);	/* 1/0/-1 */
int	 sub_live(struct db *, int64_t partner_id, struct subscription *);	/* 1/0/-1 */
/* A partner's subscriptions, newest first (canceled ones too): count or -1. */
int	 sub_history(struct db *, int64_t partner_id, struct subscription *, int max);
/* Live subscriptions whose period ends before `before` (day), by id, after id `after` (paging:
 * pass the last id seen, 0 first): count or -1. The renewal and trial jobs walk these in pages;
 * by id, a row the job changes (its period end moved) cannot make the walk skip others. */
int	 sub_due(struct db *, int64_t before, int64_t after, struct subscription *, int max);
int64_t	 sub_count_live(struct db *);

/* invoices.c — invoices, their lines, and gapless per-year numbers. */
enum invoice_status {
	INV_DRAFT = 0,
	INV_OPEN = 1,		/* issued, numbered, waiting for payment */
	INV_PAID = 2,
	INV_VOID = 3,		/* cancelled; its number stays used */
	INV_UNCOLLECTIBLE = 4,	/* written off */
};
#define INV_STATUS_COUNT 5
const char	*invoice_status_name(int);	/* "draft", …; NULL out of range */
enum invoice_kind {
	INV_KIND_PERIOD = 0,	/* a subscription period (first, renewal, manual renewal) */
	INV_KIND_CHANGE = 1,	/* a plan change now: the prorated difference */
	INV_KIND_MANUAL = 2,
};
/* Dunning steps an invoice has gone through (each happens once). */
enum dunning_step {
	DUN_NONE = 0,
	DUN_OVERDUE = 1,	/* D+1: alert, subscription past_due */
	DUN_SUSPENDED = 2,	/* D+grace_days: partner suspended */
	DUN_BLOCKED = 3,	/* D+block_after_days: partner blocked */
};
#define INVOICE_NUMBER_MAX 16	/* "2026-0001" */
struct invoice {
	int64_t	 id;
	char	 number[INVOICE_NUMBER_MAX];	/* "" while a draft */
	int64_t	 partner_id;
	int64_t	 subscription_id;	/* 0 none */
	int64_t	 plan_id;		/* the plan version priced, 0 none */
	int	 kind;			/* enum invoice_kind */
	int64_t	 period_start, period_end;	/* days (end exclusive) it pays for; 0 none */
	int	 periods;		/* periods covered (manual renewal for N), ≥ 1; 0 none */
	int64_t	 amount;		/* the sum of the lines */
	int64_t	 paid;			/* allocated to it so far */
	int	 status;		/* enum invoice_status */
	int64_t	 issued_on, due_on;	/* days; 0 while a draft */
	int64_t	 paid_on;		/* day it became paid, 0 not */
	int64_t	 hold_until;		/* day: no dunning step before it ("extend 7 days"), 0 */
	int	 dunning;		/* enum dunning_step reached */
	char	 void_reason[512];
	int64_t	 created_by;		/* user id, 0 = a job */
	int64_t	 created_at, updated_at;	/* unix seconds */
};
struct invoice_line {
	int64_t	 id;
	int64_t	 invoice_id;
	char	 kind[16];		/* "base", "branches", "users", "proration", "credit", "manual" */
	char	 description[256];
	int64_t	 quantity;
	int64_t	 unit_price;		/* kopecks */
	int64_t	 amount;		/* kopecks; quantity × unit_price, or a proration */
};
/* Inserts a draft (status, number and dates ignored) with its lines; inv->amount becomes their
 * sum. Fills inv->id. 1 created, 0 a live period invoice for this subscription and period
 * start already exists (its id in inv->id; renewal is idempotent), -1 error. */
int	 invoice_insert(struct db *, struct invoice *, const struct invoice_line *, int nlines);
/* Draft → open: takes the next number of the year of issued_on ("2026-0001"; gapless: the
 * counter and the invoice change in the caller's transaction), sets issued_on and due_on.
 * Fills inv's number, status and dates. 0 ok, -1 error (or not a draft). */
int	 invoice_issue(struct db *, struct invoice *, int64_t issued_on, int64_t due_on);
int	 invoice_get(struct db *, int64_t id, struct invoice *);		/* 1/0/-1 */
int	 invoice_by_number(struct db *, const char *number, struct invoice *);	/* 1/0/-1 */
/* Its lines in order: count or -1. */
int	 invoice_lines(struct db *, int64_t invoice_id, struct invoice_line *, int max);
/* Writes status, paid, paid_on, hold_until, dunning, void_reason, due_on back. 0/-1. */
int	 invoice_save(struct db *, const struct invoice *);
/* Filters for invoice_list. */
enum invoice_filter {
	INVF_ALL = 0,		/* every invoice (of the partner, when one is given) */
	INVF_OPEN = 1,		/* open */
	INVF_OVERDUE = 2,	/* open and due before `today` */
};
/* A page, newest first (partner 0 = all partners): by id for INVF_ALL, by due date then id for
 * INVF_OPEN and INVF_OVERDUE; *total counts the matches: count or -1. */
int	 invoice_list(struct db *, int64_t partner_id, int filter, int64_t today, int offset,
	    int max, struct invoice *, int *total);
/* A partner's open invoices, oldest due first (allocation order): count or -1. */
int	 invoice_open_of(struct db *, int64_t partner_id, struct invoice *, int max);
/* Open invoices due before `before` (day) whose dunning step is below DUN_BLOCKED, by id, after
 * id `after` (paging, as sub_due): count or -1. */
int	 invoice_overdue(struct db *, int64_t before, int64_t after, struct invoice *, int max);
/* The live (not void) period invoice of a subscription whose period holds the day
 * period_start — the one starting on it, or one for several periods that began earlier (the
 * latest-starting such invoice): 1/0/-1. */
int	 invoice_for_period(struct db *, int64_t subscription_id, int64_t period_start,
	    struct invoice *);
/* The highest number taken in year (0 none) — for tests and /invoices. */
int64_t	 invoice_last_number(struct db *, int year);

/* payments.c — money received (or refunded: a negative amount with a reason), its allocation
 * to invoices, the partner's credit, and acts. */
#define PAYMENT_REF_MAX 128
struct payment {
	int64_t	 id;
	int64_t	 partner_id;
	int64_t	 amount;		/* kopecks; < 0 a refund */
	int64_t	 received_on;		/* day */
	char	 source[16];		/* "manual", "api", "credit_note", "demo" */
	char	 provider_id[PAYMENT_REF_MAX + 1];	/* the provider's id ("" none): unique */
	char	 reference[PAYMENT_REF_MAX + 1];	/* bank reference, payer, … */
	char	 reason[512];		/* a refund's reason */
	int64_t	 recorded_by;		/* user id, 0 = API or a job */
	int64_t	 created_at;		/* unix seconds */
};
/* Inserts p (fills id). 1 created, 0 provider_id already recorded (the stored payment's id in
 * p->id), -1 error. */
int	 payment_insert(struct db *, struct payment *);
int	 payment_get(struct db *, int64_t id, struct payment *);	/* 1/0/-1 */
/* By the provider's id: 1/0/-1. */
int	 payment_by_provider(struct db *, const char *provider_id, struct payment *);
/* A partner's payments, newest first: count or -1. */
int	 payment_list(struct db *, int64_t partner_id, struct payment *, int max);
/* Moves amount (may be < 0: returning an allocation to credit, as when an invoice is voided)
 * of the partner's credit onto an invoice; payment_id is the payment it came from (0: credit
 * of several). Adds to invoice.paid. 0/-1: -1 also when the invoice is not the partner's or
 * its paid would leave 0..amount. Amount 0 writes nothing. */
int	 allocation_add(struct db *, int64_t partner_id, int64_t invoice_id, int64_t payment_id,
	    int64_t amount, int64_t now);
/* What a payment of the partner paid on invoices: its allocations (payment_id = its id; those
 * billing_pay made when it was recorded), oldest first, with the invoices' numbers, up to max
 * into out; *total sums all of them. The payments API answers a replay from this, as the first
 * time. Count or -1. */
struct payment_alloc {
	int64_t	 invoice_id;
	char	 number[INVOICE_NUMBER_MAX];
	int64_t	 amount;
};
int	 payment_allocations(struct db *, int64_t partner_id, int64_t payment_id,
	    struct payment_alloc *, int max, int64_t *total);
/* The partner's unallocated money: payments minus allocations (≥ 0 normally). -1 on error is
 * told apart by the return: 0 ok with *credit set, -1 error. */
int	 billing_credit(struct db *, int64_t partner_id, int64_t *credit);
/* Money owed on open invoices (amount − paid summed): 0 ok with *owed set, -1 error. */
int	 billing_owed(struct db *, int64_t partner_id, int64_t *owed);

struct act {
	int64_t	 id;
	char	 number[INVOICE_NUMBER_MAX + 4];	/* "А-2026-0001" */
	int64_t	 partner_id;
	int64_t	 invoice_id;
	int64_t	 period_start, period_end;	/* days, end exclusive */
	int64_t	 amount;
	int64_t	 issued_on;	/* day */
	int64_t	 created_at;
};
/* One act per paid period invoice: numbered per year of issued_on, gapless like invoices.
 * Fills id and number. 1 created, 0 the invoice has one already (its act in *a), -1 error. */
int	 act_insert(struct db *, struct act *);
/* A partner's acts, newest first: count or -1. */
int	 act_list(struct db *, int64_t partner_id, struct act *, int max);

#endif
