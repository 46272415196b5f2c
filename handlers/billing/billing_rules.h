/*
 * billing_rules.h — what billing_rules.c shares with subscription_change.c and nobody else: the
 * pieces of issuing and paying that a plan change reuses. Every function runs in the caller's
 * transaction.
 */
#ifndef HANDLERS_BILLING_INT_H
#define HANDLERS_BILLING_INT_H

#include "handlers/handlers.h"

/* The day of month of a day number (1..31). */
int	 billing_dom(int64_t day);
/* The end of `periods` periods of plan from start, on anchor_dom. */
int64_t	 billing_periods_end(const struct plan *, int64_t start, int periods, int anchor_dom);
void	 billing_line(struct invoice_line *, const char *kind, const char *desc, int64_t qty,
	    int64_t unit, int64_t amount);
/* Inserts and issues an invoice with its lines (issued today, due on due_on); an invoice of
 * 0,00 ₽ is paid as issued. 1 issued, 0 the period invoice existed (*inv is it), -1. */
int	 billing_issue(struct db *, struct invoice *, const struct invoice_line *, int n,
	    int64_t today, int64_t due_on);
/* Issues the period invoice of plan for [start, start + periods) at the partner's size (extra:
 * one more line, or NULL) and applies the partner's credit. Due after the payment terms; the
 * invoice after a trial is due on the trial's last day. 1/0/-1 as billing_issue. */
int	 billing_issue_period(struct app *, struct db *, const struct billing_terms *,
	    const struct subscription *, const struct plan *, int64_t start, int periods,
	    const struct invoice_line *extra, int64_t today, int64_t actor, struct invoice *out);
/* Moves the partner's credit onto open invoices (invoice_id first), marking the ones it pays in
 * full; payment_id names the payment just recorded (0: none) and *budget what of its money is
 * not placed yet. 0/-1. */
int	 billing_allocate(struct db *, int64_t partner_id, int64_t invoice_id, int64_t payment_id,
	    int64_t *budget, int64_t today, struct billing_outcome *);
/* After money came in (or a debt went away): when nothing is overdue any more the subscription
 * leaves past_due and a partner the rules suspended is active again (the dunning's at once; the
 * end of a trial or subscription once a live one is paid through today); an open dunning
 * alert shows what is left. 1 restored, 0 not, -1. */
int	 billing_settle(struct app *, struct db *, int64_t partner_id, int64_t today);

#endif
