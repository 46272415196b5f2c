/*
 * billview.h — what the billing commands share (subscriptions.c, invoices.c): money, dates and
 * statuses as text, the read gate for a partner's billing, and pending actions.
 *
 * A pending action is this person's dialog row in this chat (storage/dialog.c): its kind names
 * the action, its values are the parsed arguments (amount, date, reason, …), and the value
 * "partner" the partner it is about. It survives between the command and the button press
 * (callback data could not hold a reference or a reason: 64 bytes), a press consumes it (a
 * second press of the same button finds nothing), and it goes stale after DIALOG_TTL. Steps:
 *   BILLVIEW_PICK     the partner was ambiguous: waiting for a choice button
 *   BILLVIEW_CONFIRM  waiting for the confirmation button
 *   BILLVIEW_TEXT     waiting for a typed reason (the invoice's "Аннулировать" button)
 * Buttons carry the partner id (and an option), checked against the row: a stale or forged
 * press changes nothing.
 */
#ifndef HANDLERS_BILLVIEW_H
#define HANDLERS_BILLVIEW_H

#include "handlers/handlers.h"

#define BILLVIEW_PICK		0
#define BILLVIEW_CONFIRM	1
#define BILLVIEW_TEXT		2

/* The read and write roles of billing (superadmins pass every gate). Developers never read a
 * partner's billing; support reads it only inside a ticket session; managers read amounts and
 * names (no personal data: references and reasons typed by people are hidden from them). */
#define BILLVIEW_READ	(ROLE_BILLING | ROLE_SUPPORT | ROLE_MANAGER)
#define BILLVIEW_WRITE	ROLE_BILLING

/* One kind of pending action. */
struct billview_flow {
	const char	*kind;		/* the dialog kind */
	/* The partner is known: check, then ask to confirm (billview_ask) or act at once.
	 * Reads the dialog's values; ends the dialog when it refuses. */
	int		(*proceed)(struct ctx *, const struct partner *);
	/* Confirmed: act. option is the button's (0 unless it offers a choice). The dialog is
	 * ended by the caller afterwards. */
	int		(*apply)(struct ctx *, const struct partner *, int option);
};

int64_t	 billview_today(const struct ctx *);
void	 billview_money(struct buf *, int64_t kopecks);
void	 billview_day(struct buf *, int64_t day);		/* "12.03.2026"; "—" for 0 */
void	 billview_through(struct buf *, int64_t end);		/* an exclusive end's last day */
void	 billview_period(struct buf *, int64_t start, int64_t end);	/* "01.03 – 31.03.2026" */
const char *billview_sub_status(struct ctx *, int);
const char *billview_invoice_status(struct ctx *, const struct invoice *, int64_t today);
const char *billview_period_word(struct ctx *, int yearly);	/* "мес", "год" */
/* May this person see what people typed (references, reasons)? */
int	 billview_may_see_text(const struct ctx *);
/* A view of a partner's billing: support only inside a ticket session, audited ("billing.read",
 * what). 1 go on, 0 refused (answered), -1 error. */
int	 billview_read_gate(struct ctx *, const struct partner *, const char *what);
/* A view of one partner from a command (view_pick_partner of the arguments; a choice list's
 * buttons run verb) or from a button "<verb>:<partner id>". */
int	 billview_with_partner(struct ctx *, const char *verb,
	    int (*show)(struct ctx *, const struct partner *));
/* An audit record of a billing change by this person (reason: typed or ""). 0/-1. */
int	 billview_audit(struct ctx *, int64_t partner_id, const char *action, const char *reason,
	    const char *detail);
/* Sends b (as a reply, or in place of the pressed button's message) and releases it. */
int	 billview_send(struct ctx *, struct buf *, const struct kb *);
/* A short "⚠️ what is wrong" answer (html already escaped). */
int	 billview_say(struct ctx *, const char *html);

/* Pending actions. */
int	 billview_begin(struct ctx *, const char *kind, int step);
int	 billview_put(struct ctx *, const char *key, const char *value);
int	 billview_put_i64(struct ctx *, const char *key, int64_t);
int	 billview_get(struct ctx *, const char *key, char *out, size_t outsz);	/* 1/0/-1 */
int	 billview_get_i64(struct ctx *, const char *key, int64_t *);	/* 1/0 (absent, bad)/-1 */
int	 billview_end(struct ctx *);
/* The partner ref names (view_pick_partner; a choice list's buttons run verb and the action
 * stays pending): 1 found, 0 answered (nothing found ends the action), -1 error. */
int	 billview_pick(struct ctx *, const char *ref, struct partner *, const char *verb);
/* Stores the partner, waits for the confirmation, shows html (escaped) with k. */
int	 billview_ask(struct ctx *, const struct partner *, struct buf *html, const struct kb *);
/* The same with one confirm button ("<verb>:<partner id>:0", label) and «Отмена». */
int	 billview_ask_yes(struct ctx *, const struct partner *, struct buf *html, const char *verb,
	    const char *label);
/* The confirm and cancel buttons: "<verb>:<partner id>:<option>" and "bxn". */
void	 billview_yes(struct ctx *, struct kb *, const char *verb, int64_t partner_id, int option,
	    const char *label);
void	 billview_no(struct ctx *, struct kb *);
/* The buttons' bodies, for the flows of one file. */
int	 billview_pick_btn(struct ctx *, const struct billview_flow *);
int	 billview_confirm_btn(struct ctx *, const struct billview_flow *);
int	 billview_cancel_btn(struct ctx *);
/* Text typed while a pending action waits for a button. */
int	 billview_waiting_text(struct ctx *, const struct dialog *, const char *);

/* Subscriptions: "Старт (<code>start</code>, v2)"; the lines of periods of a plan at the
 * partner's size ("• description: q × price = amount"), the total in *amount (0/-1). */
void	 billview_plan_name(struct buf *, const struct plan *);
int	 billview_lines(struct ctx *, struct buf *, const struct plan *, const struct partner *,
	    int periods, int64_t *amount);
/* The active plan a command names by code: 1, 0 answered (unknown or archived), -1. */
int	 billview_plan_arg(struct ctx *, const char *code, struct plan *);
/* The plan a pending action keeps ("plan"), still the latest active version: 1, 0 answered
 * (the action ended), -1. */
int	 billview_pending_plan(struct ctx *, struct plan *);
/* The partner's live subscription: 1, 0 none (answered, the action ended), -1. */
int	 billview_live_sub(struct ctx *, const struct partner *, struct subscription *);
/* A change by this person: logged and audited (billing.c keeps the partner row). 0/-1. */
int	 billview_changed(struct ctx *, int64_t partner_id, const char *action,
	    const char *reason, const char *detail);
/* A result's buttons (the invoice issued, the subscription) and its invoice line. */
void	 billview_result_buttons(struct ctx *, struct kb *, const struct invoice *,
	    int64_t partner_id);
void	 billview_invoice_issued(struct ctx *, struct buf *, const struct invoice *);

/* subplan.c — /plan_change, /renew and their buttons (rows in subscriptions.c's tables). */
int	 subplan_change_cmd(struct ctx *);
int	 subplan_renew_cmd(struct ctx *);
int	 subplan_pick_btn(struct ctx *);	/* cpk */
int	 subplan_confirm_btn(struct ctx *);	/* cok */

/* invoices.c — an invoice by its number: 1, 0 answered (unknown: what to type), -1. */
int	 invoices_by_number(struct ctx *, const char *number, struct invoice *);

/* billpay.c — /pay, the invoice's payment button, the dunning alert's buttons (rows in
 * invoices.c's tables). */
int	 billpay_cmd(struct ctx *);
int	 billpay_invoice_btn(struct ctx *);		/* ipy */
int	 billpay_pick_btn(struct ctx *);		/* ypk */
int	 billpay_confirm_btn(struct ctx *);		/* yok */
int	 billpay_dunning_pay_btn(struct ctx *);		/* dpay */
int	 billpay_dunning_extend_btn(struct ctx *);	/* dext */
int	 billpay_dunning_block_btn(struct ctx *);	/* dblk */

#endif
