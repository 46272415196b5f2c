/*
 * billing.h — subscriptions and billing, the block's part of the layer's interface (included by
 * handlers.h; nothing else includes it). Three layers, all in handlers/billing/:
 *   the rules      billing_rules.c: the rules of money: subscribe, issue, pay and allocate,
 *                  void, extend, and the partner card's billing fields; subscription_change.c:
 *                  plan changes, cancellation, auto-renewal. Shared by the commands, the
 *                  payments API, the scheduler's jobs and the demo. No UI, no audit: callers
 *                  audit what a person (or the API) did.
 *   the jobs       renewal_job.c: renewal and trial jobs (scheduler); dunning_job.c: the
 *                  dunning job and the dunning alert.
 *   the commands   plan_list.c, plan_edit.c (plans); subscription_view.c, plan_change.c
 *                  (subscriptions); invoice_view.c, payment_record.c (invoices, acts,
 *                  payments); billing_view.c: what their views share.
 *
 * Every function runs in the caller's transaction (the jobs open their own): on -1 the caller
 * rolls back and nothing is half-written. Money is int64_t kopecks; days are day numbers of the
 * configured zone's civil dates (clock_local_day); period ends are exclusive.
 */
#ifndef HANDLERS_BILLING_H
#define HANDLERS_BILLING_H

#include <stdint.h>

/* The [billing] days, read once per action from the configuration. */
struct billing_terms {
	int64_t	 payment_terms_days;	/* issue → due date */
	int64_t	 renew_ahead_days;	/* next period's invoice this many days before the end */
	int64_t	 trial_notice_days;	/* trial reminder this many days before its end */
	int64_t	 grace_days;		/* due date + this → suspended */
	int64_t	 block_after_days;	/* due date + this → blocked */
};
void	 billing_terms_of(const struct config *, struct billing_terms *);
/* The pricing view of a plan version. */
void	 billing_price_of(const struct plan *, struct plan_price *);

/* The lines of a period invoice for `periods` periods (≥ 1) of plan at the partner's size: base,
 * then branches and users above the included ones (quantity × unit price, lines with 0 left
 * out unless everything is 0). Fills lines (room for BILLING_LINES_MAX) and *amount; returns
 * the line count, or -1 on overflow. */
#define BILLING_LINES_MAX 8
int	 billing_period_lines(const struct plan *, int64_t branches, int64_t users, int periods,
	    enum lang, struct invoice_line *lines, int64_t *amount);

/* What a payment did, for the confirmation and the API's answer. */
#define BILLING_ALLOC_MAX 16
struct billing_alloc {
	int64_t	 invoice_id;
	char	 number[INVOICE_NUMBER_MAX];
	int64_t	 amount;		/* applied now */
	int64_t	 left;			/* still owed on it after this */
};
struct billing_outcome {
	struct billing_alloc alloc[BILLING_ALLOC_MAX];
	int	 nalloc;		/* invoices money went to (the first BILLING_ALLOC_MAX) */
	int	 paid;			/* invoices now fully paid */
	int64_t	 credit;		/* the partner's credit afterwards */
	int	 restored;		/* the partner went back to active */
	int	 acts;			/* acts created */
};

/* Starts a subscription for p on plan (an active, latest version): a trial when trial is asked
 * and plan->trial_days > 0 (period = the trial, nothing invoiced yet), else the first paid
 * period from today with its invoice issued (due after payment_terms_days) and the partner's
 * credit applied to it. Fills *out and, when one was issued, *inv (inv->id 0 otherwise).
 * 1 started, 0 the partner already has a live subscription, -1 error. */
int	 billing_subscribe(struct app *, struct db *, const struct billing_terms *,
	    const struct partner *, const struct plan *, int trial, int64_t today, int64_t actor,
	    struct subscription *out, struct invoice *inv);

/* Issues the period invoice of `periods` periods that start where the last invoiced (or paid)
 * period of sub ends — the renewal, or a manual renewal for N periods — priced with the plan
 * the subscription will be on then (a waiting plan change counts) at the partner's current
 * size; credit is applied. 1 issued, 0 it exists already (*out is it), -1 error. */
int	 billing_issue_next(struct app *, struct db *, const struct billing_terms *,
	    struct subscription *, int periods, int64_t today, int64_t actor, struct invoice *out);

/* Records p (fills p->id) and allocates it: to invoice_id when given (the rest goes on as
 * below), else to the partner's open invoices, oldest due first; what is left is credit. A
 * refund (amount < 0, reason required) only takes from credit. A paid invoice extends its
 * subscription's paid_until, gets its act (period invoices), and when nothing is overdue any
 * more the subscription leaves past_due, the dunning alert is resolved, and a partner that the
 * dunning (not a person) suspended or blocked is active again. app may be NULL (demo: no
 * alerts). 1 recorded, 0 refused: a replay of p->provider_id (p->id is the stored payment; out
 * describes nothing) or a refund larger than the credit; -1 error. */
int	 billing_pay(struct app *, struct db *, struct payment *, int64_t invoice_id, int64_t today,
	    struct billing_outcome *out);
/* What billing_pay of amount (> 0) would do, reading only: the allocations and the credit left
 * in out. 0/-1. */
int	 billing_pay_preview(struct db *, int64_t partner_id, int64_t amount, int64_t invoice_id,
	    struct billing_outcome *out);

/* Voids an open invoice with a reason: what was paid on it returns to credit (and goes to other
 * open invoices). A period invoice's subscription no longer counts that period as invoiced.
 * 1 voided, 0 not open, -1 error. */
int	 billing_void(struct app *, struct db *, struct invoice *, const char *reason,
	    int64_t today);

/* A plan change as billing staff see it before they confirm. Switching now prorates what the
 * current period was invoiced (one period or several) over its days: the unused part of a paid
 * period comes back as credit; an unpaid period's invoice is replaced by one charging the old
 * plan for the days used and the new one for the rest. */
struct billing_change {
	int64_t	 old_amount, new_amount;	/* per period at the partner's size */
	int64_t	 days_left, days_in_period;	/* of the current period, from today */
	int64_t	 charge_now;		/* switching now: > 0 invoiced, < 0 credited (net) */
	int64_t	 credit_now;		/* of which credit for the unused days of a paid period */
	int64_t	 at_end_day;		/* switching at the period end: the day it applies */
	int	 fresh_period;		/* monthly ↔ yearly or from a trial: a new period today */
	int	 now_refused;		/* periods after this one are paid: only at the period end */
	char	 replaces[INVOICE_NUMBER_MAX];	/* the unpaid invoice switching now voids, "" */
};
int	 billing_change_preview(struct db *, const struct subscription *, const struct plan *to,
	    const struct partner *, int64_t today, struct billing_change *);
/* At the period end (now = 0): the change waits in next_plan_id (a renewal invoice already
 * issued at the old price is issued again). Now: as the preview says; *out is the invoice
 * issued (id 0 when none). 1 done, 0 refused (now_refused), -1 error. */
int	 billing_change_apply(struct app *, struct db *, const struct billing_terms *,
	    struct subscription *, const struct plan *to, const struct partner *, int now,
	    int64_t today, int64_t actor, struct invoice *out);
/* Cancels at the period end with a reason (an invoice already issued for a later period is
 * voided). 0/-1. */
int	 billing_cancel(struct app *, struct db *, struct subscription *, const char *reason,
	    int64_t today);
/* Auto-renewal on or off; off voids a renewal invoice already issued and unpaid (no invoice
 * is due for a period that will not come). 0/-1. */
int	 billing_set_autorenew(struct app *, struct db *, struct subscription *, int on,
	    int64_t today);
/* "Extend 7 days": no dunning step on the partner's open invoices before today + days, and a
 * partner the dunning suspended is active again (a block, by hand or by the dunning, stays:
 * unblocking is a person's decision with /status). 1 done, 0 nothing overdue, -1 error. */
int	 billing_extend(struct app *, struct db *, int64_t partner_id, int days, int64_t today,
	    int64_t actor);

/* The partner's billing fields (plan name, paid through, next payment) recomputed from its
 * subscription and invoices into the partners row, so the card, lists and the status API read
 * one place. 0/-1. */
int	 billing_sync_partner(struct db *, int64_t partner_id, int64_t today);

/* The card's billing summary. */
struct billing_summary {
	int	 has_sub;		/* a live subscription */
	struct subscription sub;
	struct plan plan;		/* its plan version */
	int64_t	 price;			/* per period at the partner's size */
	int64_t	 credit;		/* unallocated money */
	int64_t	 owed;			/* open invoices' remainder */
	int64_t	 overdue;		/* of which past due */
	int64_t	 next_due;		/* the oldest open invoice's due day, 0 none */
};
int	 billing_summary(struct db *, const struct partner *, int64_t today,
	    struct billing_summary *);

/* The dunning step an open invoice due on due_on has reached on today (pure): D+1 overdue,
 * D+grace suspended, D+block blocked; never a step while today < hold_until (the step stays
 * where it was: pass `current`), and never suspended or blocked while today < paid_until (the
 * paid-through date wins). Never below current. */
int	 billing_dunning_due(const struct billing_terms *, int64_t due_on, int64_t hold_until,
	    int64_t paid_until, int64_t today, int current);

/* renewal_job.c, dunning_job.c — the scheduler's jobs (own transactions, one subscription
 * or invoice each, idempotent by what they store). */
int	 billing_renewal_job(struct app *, struct db *);	/* renewals, trials, period ends */
int	 billing_dunning_job(struct app *, struct db *);	/* the dunning ladder */
/* The dunning alert of a partner as it stands (raised, edited or resolved). */
int	 billing_dunning_alert(struct app *, struct db *, int64_t partner_id, int64_t today);
/* The same for an episode that is open already (after a payment, a void, an extension or a
 * hand block: the message shows it at once); none open: nothing (the dunning job raises). */
int	 billing_dunning_refresh(struct app *, struct db *, int64_t partner_id, int64_t today);

/* The commands and buttons. */
extern const struct command plans_commands[];
extern const struct button plans_buttons[];
extern const struct dialog_kind plans_dialogs[];
extern const struct command subscriptions_commands[];
extern const struct button subscriptions_buttons[];
extern const struct command invoices_commands[];
extern const struct button invoices_buttons[];
/* The pending billing actions waiting for a button (typed text gets a hint). */
extern const struct dialog_kind subscriptions_dialogs[];
extern const struct dialog_kind invoices_dialogs[];
/* The card's billing lines (plan, price, paid through, next payment, balance); nothing for
 * those who may not read billing. */
void	 billing_card_lines(struct ctx *, const struct partner *, struct buf *);
/* May this person read partners' billing at all? Developers never (support only inside a
 * ticket session: the views that show one partner check that). Every view outside the billing
 * commands that touches billing (the card, its «Биллинг» button, the billing rules named in a
 * status history) asks this. */
int	 billing_may_read(const struct ctx *);

#endif
