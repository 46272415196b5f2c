/*
 * storage.h — the back office's SQLite database. Only storage/ includes sqlite3.h; callers see an
 * opaque struct db and plain C structs. Every statement is prepared and bound; SQL is never built
 * from user text. One connection per thread.
 *
 * Return convention: 0 ok, -1 error (logged); lookups return 1 found / 0 not found / -1 error.
 */
#ifndef STORAGE_H
#define STORAGE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* db.c — open (WAL, foreign keys, busy timeout), migrations, transactions. */
/* Opens or creates path (mode 0600), applies pending migrations. NULL on failure, reason in errbuf. */
struct db	*db_open(const char *path, char *errbuf, size_t errsz);
void		 db_close(struct db *);
int		 db_begin(struct db *);		/* BEGIN IMMEDIATE */
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_schema_version(struct db *);	/* PRAGMA user_version */
int		 db_migrations_count(void);
const char	*db_errmsg(struct db *);
int64_t		 db_size_bytes(struct db *);
/* Test hook: runs a fixed SQL text (never user input). */
int		 db_exec_fixed(struct db *, const char *sql);

/* state.c — key/value state (offset, chat migrations, …). */
int	 state_get_int(struct db *, const char *key, int64_t *out);	/* 1 found, 0 not, -1 error */
int	 state_set_int(struct db *, const char *key, int64_t value);
int	 state_get_str(struct db *, const char *key, char *out, size_t outsz);	/* 1/0/-1 */
int	 state_set_str(struct db *, const char *key, const char *value);

/* inbox.c — durable intake of updates. */
enum inbox_state { INBOX_PENDING = 0, INBOX_DONE = 1, INBOX_FAILED = 2 };
struct inbox_row {
	int64_t	 id;		/* our sequence: processing order */
	int64_t	 update_id;	/* Telegram's, 0 for console/webhook-less sources */
	char	*payload;	/* owned: the Update JSON */
	int64_t	 received_at;	/* unix ms */
};
/* 1 inserted, 0 duplicate update_id (ignored), -1 error. update_id 0 = none (never a duplicate). */
int	 inbox_add(struct db *, int64_t update_id, const char *source, const char *payload,
	    int64_t now_ms, int64_t *id_out);
/* The oldest pending row: 1 got (free with inbox_row_release), 0 none, -1 error. */
int	 inbox_next(struct db *, struct inbox_row *);
/* Marks a row processed inside the caller's transaction. */
int	 inbox_finish(struct db *, int64_t id, enum inbox_state, const char *error,
	    int64_t handle_us, int64_t now_ms);
int64_t	 inbox_pending_count(struct db *);
int	 inbox_prune(struct db *, int64_t older_than_ms);
void	 inbox_row_release(struct inbox_row *);

/* outbox.c — durable outgoing calls (sendMessage, editMessageText, answerCallbackQuery, …). */
enum outbox_state {
	OUTBOX_PENDING = 0,
	OUTBOX_SENDING = 1,	/* handed to Telegram; if we crash here the outcome is unknown */
	OUTBOX_SENT = 2,
	OUTBOX_FAILED = 3,	/* permanent: 4xx other than 429 */
	OUTBOX_BLOCKED = 4,	/* 403: the user blocked the bot or the bot left the chat */
};
#define OUTBOX_PRIO_ANSWER 10	/* answerCallbackQuery goes before everything */
#define OUTBOX_PRIO_NORMAL 0
#define OUTBOX_PRIO_BULK (-10)	/* menus, digests */
struct outbox_row {
	int64_t	 id;
	int64_t	 chat_id;	/* 0 for calls not addressed to a chat */
	int	 is_group;
	char	 method[40];
	char	*payload;	/* owned: JSON object without chat_id (the sender adds it) */
	int	 attempts;
	int	 state;
	char	 dedupe[128];
	int64_t	 tg_message_id;	/* set once sent */
};
/* Queues a call. dedupe (may be NULL) makes a second add with the same key a no-op.
 * 1 added, 0 duplicate, -1 error. */
int	 outbox_add(struct db *, int64_t chat_id, int is_group, const char *method,
	    const char *payload, const char *dedupe, int priority, int64_t now_ms, int64_t *id_out);
/* Up to max due rows (state pending, next_at <= now), priority first, then id.
 * Fills rows[]; returns how many (release each with outbox_row_release), -1 on error. */
int	 outbox_due(struct db *, int64_t now_ms, struct outbox_row *rows, int max);
/* Earliest next_at among pending rows: 1 found (*at_ms), 0 none. */
int	 outbox_next_at(struct db *, int64_t *at_ms);
int	 outbox_mark_sending(struct db *, int64_t id, int64_t now_ms);
int	 outbox_mark_sent(struct db *, int64_t id, int64_t tg_message_id, int64_t now_ms);
int	 outbox_mark_final(struct db *, int64_t id, enum outbox_state, const char *error, int64_t now_ms);
int	 outbox_retry_at(struct db *, int64_t id, int64_t next_at_ms, const char *error);
/* After a crash: rows left in SENDING go back to PENDING (at-least-once; logged by the caller). */
int	 outbox_recover(struct db *);
/* A group became a supergroup: pending rows follow it. Returns rows changed or -1. */
int	 outbox_rewrite_chat(struct db *, int64_t old_chat, int64_t new_chat);
int	 outbox_get(struct db *, int64_t id, struct outbox_row *);	/* 1/0/-1 */
int64_t	 outbox_pending_count(struct db *);
int	 outbox_prune(struct db *, int64_t older_than_ms);
void	 outbox_row_release(struct outbox_row *);

/* team.c — team members, roles, access requests. A member may hold several roles (a bitmask);
 * the database stores each as its name. */
enum role {
	ROLE_SUPERADMIN	= 1u << 0,	/* everything, including managing the team */
	ROLE_SUPPORT	= 1u << 1,	/* tickets, KB, onboarding help */
	ROLE_DEVELOPER	= 1u << 2,	/* logs, metrics, health; never personal data */
	ROLE_BILLING	= 1u << 3,	/* plans, invoices, payments, analytics */
	ROLE_MANAGER	= 1u << 4,	/* analytics, digests */
};
#define ROLE_ALL 0x1fu
#define ROLE_COUNT 5
const char	*role_name(unsigned role);		/* "superadmin", …; NULL for a non-role */
unsigned	 role_parse(const char *name);		/* 0 when unknown */
struct member {
	int64_t		 user_id;
	char		 username[64];
	char		 name[256];
	unsigned	 roles;
	int64_t		 added_at;	/* unix seconds */
};
int	 team_get(struct db *, int64_t user_id, struct member *);	/* 1/0/-1 */
/* Resolves "@username" or a numeric id to a member: 1/0/-1. */
int	 team_find(struct db *, const char *who, struct member *);
/* Creates or refreshes a member's names (roles untouched). */
int	 team_upsert(struct db *, int64_t user_id, const char *username, const char *name, int64_t now);
int	 team_grant(struct db *, int64_t user_id, unsigned role, int64_t by, int64_t now);
int	 team_revoke(struct db *, int64_t user_id, unsigned role);
/* Members with any role, ordered by name; calls fn for each; returns count or -1. */
int	 team_list(struct db *, void (*fn)(const struct member *, void *), void *arg);
int	 team_count_role(struct db *, unsigned role);

enum access_req_state { AREQ_PENDING = 0, AREQ_APPROVED = 1, AREQ_DENIED = 2 };
struct access_request {
	int64_t	 id;
	int64_t	 user_id;
	char	 username[64];
	char	 name[256];
	int64_t	 chat_id;
	int	 state;
	unsigned role;		/* granted role when approved */
	int64_t	 decided_by;
	int64_t	 created_at;
};
/* 1 created (id in *id), 0 a pending request already exists (its id in *id), -1 error. */
int	 access_request_add(struct db *, int64_t user_id, const char *username, const char *name,
	    int64_t chat_id, int64_t now, int64_t *id);
int	 access_request_get(struct db *, int64_t id, struct access_request *);	/* 1/0/-1 */
/* Pending → approved/denied. 1 changed, 0 it was already decided, -1 error. */
int	 access_request_decide(struct db *, int64_t id, int state, unsigned role, int64_t by,
	    int64_t now);

/* jobs.c — scheduler bookkeeping: each (job, slot) runs once. */
/* 1 claimed (run it), 0 already ran or running, -1 error. */
int	 jobs_claim(struct db *, const char *job, int64_t slot, int64_t now);
int	 jobs_finish(struct db *, const char *job, int64_t slot, int ok, const char *note, int64_t now);
/* Unfinished runs of a dead process are forgotten so they run again: count or -1. */
int	 jobs_forget_unfinished(struct db *);
/* Last finished run of a job: 1/0/-1. */
int	 jobs_last(struct db *, const char *job, int64_t *slot, int64_t *finished_at, int *ok);

#endif
