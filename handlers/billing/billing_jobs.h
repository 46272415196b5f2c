/*
 * billing_jobs.h — what the scheduler's billing files share, and nobody else includes:
 * renewal_job.c (renewal, trials, period ends) and dunning_job.c (the dunning ladder and
 * the dunning alert).
 */
#ifndef HANDLERS_BILLING_JOBS_H
#define HANDLERS_BILLING_JOBS_H

#include "handlers/handlers.h"

#define L(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

#define BJ_PAGE		64	/* subscriptions or invoices read per page */

/* What every step of a job needs, read once per run. */
struct bj {
	struct app	*app;
	struct db	*db;
	struct billing_terms terms;
	enum lang	 lang;
	int64_t		 today;		/* day number in the configured zone */
	int64_t		 now;		/* unix seconds */
	int64_t		 chat;		/* [chats] billing, 0 when not configured */
	int		 queued;	/* something was queued for the sender */
};

/* renewal_job.c */
void	 bj_init(struct bj *, struct app *, struct db *);
/* One item of a job in its own transaction, rolled back alone on failure. 0 done, 1 failed. */
int	 bj_in_tx(struct bj *, int (*step)(struct bj *, int64_t), int64_t id, const char *what);
/* Every open episode of an alert kind, step(j, partner id) each in its own transaction.
 * 0, or the count of failures. */
int	 bj_sweep(struct bj *, const char *kind, int (*step)(struct bj *, int64_t));
/* "<b>Ромашка</b> · #12", the name cut so a message stays in bounds. */
void	 bj_partner_name(struct buf *, const struct partner *);
void	 bj_date(int64_t day, char *out, size_t outsz);		/* "12.03.2026" */
/* One audit record of the system (a rule, not a person). 0/-1: the caller rolls back. */
int	 bj_audit(struct bj *, int64_t partner_id, const char *action, const char *detail);
int	 bj_sub_save(struct bj *, struct subscription *);
/* Puts a partner the rules stopped into `to` with its history row, when the state machine
 * allows it. 1 changed, 0 left as it was, -1 error. */
int	 bj_partner_status(struct bj *, struct partner *, int to, const char *rule,
	    const char *reason);

#endif
