/*
 * billing_private.h — what the rules of money's two files share, and nobody else includes:
 * billing.c (invoices, payments and their allocation, extensions, the card's fields) and
 * billing_subs.c (subscribing, renewal invoices, plan changes, cancelling).
 */
#ifndef HANDLERS_BILLING_PRIVATE_H
#define HANDLERS_BILLING_PRIVATE_H

#include "handlers/handlers.h"

#define L(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

/* billing.c */
/* The day of month of a day number (1..31). */
int	 billing_dom(int64_t day);
/* The end of `periods` periods of plan from start, on anchor_dom. */
int64_t	 billing_periods_end(const struct plan *, int64_t start, int periods, int anchor_dom);
void	 billing_line(struct invoice_line *, const char *kind, const char *desc, int64_t qty,
	    int64_t unit, int64_t amount);
/* Inserts and issues an invoice with its lines (today; due after the payment terms). 1 issued,
 * 0 the period invoice existed (*inv is it), -1. */
int	 billing_issue(struct db *, const struct billing_terms *, struct invoice *,
	    const struct invoice_line *lines, int n, int64_t today);
/* Moves the partner's credit onto open invoices (invoice_id first); see billing.c. 0/-1. */
int	 billing_allocate(struct db *, int64_t partner_id, int64_t invoice_id, int64_t payment_id,
	    int64_t *budget, int64_t today, struct billing_outcome *);
/* After money came in (or a debt went away): past_due and a dunning status are lifted when
 * nothing is overdue any more. 1 restored, 0 not, -1. */
int	 billing_settle(struct app *, struct db *, int64_t partner_id, int64_t today);

#endif
