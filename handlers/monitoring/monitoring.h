/*
 * monitoring.h — what the monitoring block's files share, and nobody else includes:
 * activity_view.c (the views: /activity, /dormant, /volume, /top, and the command tables),
 * activity_scan.c (the dormant and drop scans) and health_view.c (/health, the queues
 * and Telegram scan).
 */
#ifndef HANDLERS_MONITORING_H
#define HANDLERS_MONITORING_H

#include "handlers/handlers.h"

#define DAY			86400

/* activity_view.c — texts */
void	 mon_bytes(enum lang, int64_t n, struct buf *);		/* "1,5 МБ" / "1.5 MB" */
void	 mon_duration(enum lang, int64_t s, struct buf *);	/* "3 ч 12 мин" */
void	 mon_partner_name(struct buf *, const struct partner *);	/* "Ромашка · #12" */
/* When the partner last came in (their last login, else the connection date): 1, 0 never. */
int	 mon_last_seen(const struct partner *, int64_t last_login, int64_t *at);
void	 mon_last_seen_text(enum lang, const struct partner *, int64_t last_login, struct buf *);
/* Every dormant partner: ids and last logins (malloc'd, the caller frees both). Count or -1. */
int	 mon_dormant_all(struct db *, int64_t cutoff, int64_t **ids, int64_t **last);

/* activity_scan.c — a scan's transactions: JOB_BATCH alert updates per commit. */
struct mon_batch {
	struct app	*a;
	struct db	*db;
	int		 open;		/* a transaction is open */
	int		 ops;		/* alert calls in it */
	int		 changed;	/* messages queued overall: wake the sender */
};
int	 mon_batch_begin(struct mon_batch *);
int	 mon_batch_result(struct mon_batch *, int r);
int	 mon_batch_end(struct mon_batch *, int ok);

/* health_view.c */
int	 mon_health_cmd(struct ctx *);		/* /health */

#endif
