/*
 * billing_view.h — what the billing commands share (subscription_view.c, invoice_view.c): money,
 * dates and statuses as text, the read gate for a partner's billing, and pending actions.
 *
 * A pending action is this person's dialog row in this chat (storage/dialog.c): its kind names
 * the action, its values are the parsed arguments (amount, date, reason, …), and the value
 * "partner" the partner it is about. It survives between the command and the button press
 * (callback data could not hold a reference or a reason: 64 bytes), a press consumes it (a
 * second press of the same button finds nothing), and it goes stale after DIALOG_TTL. Steps:
 *   BILLING_VIEW_PICK     the partner was ambiguous: waiting for a choice button
 *   BILLING_VIEW_CONFIRM  waiting for the confirmation button
 *   BILLING_VIEW_TEXT     waiting for a typed reason (the invoice's "Аннулировать" button)
 * Buttons carry the partner id (and an option), checked against the row: a stale or forged
 * press changes nothing.
 */
#ifndef HANDLERS_BILLING_VIEW_H
#define HANDLERS_BILLING_VIEW_H

#include "handlers/handlers.h"

#define BILLING_VIEW_PICK		0
#define BILLING_VIEW_CONFIRM	1
#define BILLING_VIEW_TEXT		2

/* The read and write roles of billing (superadmins pass every gate). Developers never read a
 * partner's billing; support reads it only inside a ticket session; managers read amounts and
 * names (no personal data: references and reasons typed by people are hidden from them). */
#define BILLING_VIEW_READ	(ROLE_BILLING | ROLE_SUPPORT | ROLE_MANAGER)
#define BILLING_VIEW_WRITE	ROLE_BILLING

/* One kind of pending action. */
struct billing_view_flow {
	const char	*kind;		/* the dialog kind */
	/* The partner is known: check, then ask to confirm (billing_view_ask) or act at once.
	 * Reads the dialog's values; ends the dialog when it refuses. */
	int		(*proceed)(struct ctx *, const struct partner *);
	/* Confirmed: act. option is the button's (0 unless it offers a choice). The dialog is
	 * ended by the caller afterwards. */
	int		(*apply)(struct ctx *, const struct partner *, int option);
};

int64_t	 billing_view_today(const struct ctx *);
void	 billing_view_money(struct buf *, int64_t kopecks);
void	 billing_view_day(struct buf *, int64_t day);		/* "12.03.2026"; "—" for 0 */
void	 billing_view_through(struct buf *, int64_t end);		/* an exclusive end's last day */
void	 billing_view_period(struct buf *, int64_t start, int64_t end);	/* "01.03 – 31.03.2026" */
const char *billing_view_sub_status(struct ctx *, int);
const char *billing_view_invoice_status(struct ctx *, const struct invoice *, int64_t today);
const char *billing_view_period_word(struct ctx *, int yearly);	/* "мес", "год" */
/* May this person see what people typed (references, reasons)? */
int	 billing_view_may_see_text(const struct ctx *);
/* A view of a partner's billing: support only inside a ticket session, audited ("billing.read",
 * what). 1 go on, 0 refused (answered), -1 error. */
int	 billing_view_read_gate(struct ctx *, const struct partner *, const char *what);
/* A view of one partner from a command (view_pick_partner of the arguments; a choice list's
 * buttons run verb) or from a button "<verb>:<partner id>". */
int	 billing_view_with_partner(struct ctx *, const char *verb,
	    int (*show)(struct ctx *, const struct partner *));
/* An audit record of a billing change by this person (reason: typed or ""). 0/-1. */
int	 billing_view_audit(struct ctx *, int64_t partner_id, const char *action, const char *reason,
	    const char *detail);
/* Sends b (as a reply, or in place of the pressed button's message) and releases it. */
int	 billing_view_send(struct ctx *, struct buf *, const struct kb *);
/* Sends b as an answer to bad input (reply_edit_error: one message) and releases it. */
int	 billing_view_error(struct ctx *, struct buf *);
/* A short "⚠️ what is wrong" answer (html already escaped). */
int	 billing_view_say(struct ctx *, const char *html);

/* Pending actions. */
int	 billing_view_begin(struct ctx *, const char *kind, int step);
int	 billing_view_put(struct ctx *, const char *key, const char *value);
int	 billing_view_put_i64(struct ctx *, const char *key, int64_t);
int	 billing_view_get(struct ctx *, const char *key, char *out, size_t outsz);	/* 1/0/-1 */
int	 billing_view_get_i64(struct ctx *, const char *key, int64_t *);	/* 1/0 (absent, bad)/-1 */
int	 billing_view_end(struct ctx *);
/* The partner ref names (view_pick_partner; a choice list's buttons run verb and the action
 * stays pending): 1 found, 0 answered (nothing found ends the action), -1 error. */
int	 billing_view_pick(struct ctx *, const char *ref, struct partner *, const char *verb);
/* Stores the partner, waits for the confirmation, shows html (escaped) with k. */
int	 billing_view_ask(struct ctx *, const struct partner *, struct buf *html, const struct kb *);
/* The same with one confirm button ("<verb>:<partner id>:0", label) and «Отмена». */
int	 billing_view_ask_yes(struct ctx *, const struct partner *, struct buf *html, const char *verb,
	    const char *label);
/* The confirm and cancel buttons: "<verb>:<partner id>:<option>" and "bxn". */
void	 billing_view_yes(struct ctx *, struct kb *, const char *verb, int64_t partner_id, int option,
	    const char *label);
void	 billing_view_no(struct ctx *, struct kb *);
/* The buttons' bodies, for the flows of one file. */
int	 billing_view_pick_btn(struct ctx *, const struct billing_view_flow *);
int	 billing_view_confirm_btn(struct ctx *, const struct billing_view_flow *);
int	 billing_view_cancel_btn(struct ctx *);
/* Text typed while a pending action waits for a button. */
int	 billing_view_waiting_text(struct ctx *, const struct dialog *, const char *);

/* Subscriptions: "Старт (<code>start</code>, v2)"; the lines of periods of a plan at the
 * partner's size ("• description: q × price = amount"), the total in *amount (0/-1). */
void	 billing_view_plan_name(struct buf *, const struct plan *);
int	 billing_view_lines(struct ctx *, struct buf *, const struct plan *, const struct partner *,
	    int periods, int64_t *amount);
/* The active plan a command names by code: 1, 0 answered (unknown or archived), -1. */
int	 billing_view_plan_arg(struct ctx *, const char *code, struct plan *);
/* The plan a pending action keeps ("plan"), still the latest active version: 1, 0 answered
 * (the action ended), -1. */
int	 billing_view_pending_plan(struct ctx *, struct plan *);
/* The partner's live subscription: 1, 0 none (answered, the action ended), -1. */
int	 billing_view_live_sub(struct ctx *, const struct partner *, struct subscription *);
/* A change by this person: logged and audited (billing_rules.c keeps the partner row). 0/-1. */
int	 billing_view_changed(struct ctx *, int64_t partner_id, const char *action,
	    const char *reason, const char *detail);
/* A result's buttons (the invoice issued, the subscription) and its invoice line. */
void	 billing_view_result_buttons(struct ctx *, struct kb *, const struct invoice *,
	    int64_t partner_id);
void	 billing_view_invoice_issued(struct ctx *, struct buf *, const struct invoice *);

/* plan_change.c — /plan_change, /renew and their buttons (rows in subscription_view.c's tables). */
int	 plan_change_change_cmd(struct ctx *);
int	 plan_change_renew_cmd(struct ctx *);
int	 plan_change_pick_btn(struct ctx *);	/* cpk */
int	 plan_change_confirm_btn(struct ctx *);	/* cok */

/* invoice_view.c — an invoice by its number: 1, 0 answered (unknown: what to type), -1. */
int	 invoices_by_number(struct ctx *, const char *number, struct invoice *);

/* payment_record.c — /pay, the invoice's payment button, the dunning alert's buttons (rows in
 * invoice_view.c's tables). */
int	 payment_record_cmd(struct ctx *);
int	 payment_record_invoice_btn(struct ctx *);		/* ipy */
int	 payment_record_pick_btn(struct ctx *);		/* ypk */
int	 payment_record_confirm_btn(struct ctx *);		/* yok */
int	 payment_record_dunning_pay_btn(struct ctx *);		/* dpay */
int	 payment_record_dunning_extend_btn(struct ctx *);	/* dext */
int	 payment_record_dunning_block_btn(struct ctx *);	/* dblk */

#endif
