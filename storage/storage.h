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

/* db.c — open (WAL, foreign keys, busy timeout), migrations (schema.c), transactions. */
/* Opens or creates path (mode 0600), applies pending migrations. NULL on failure, reason in errbuf. */
struct db	*db_open(const char *path, char *errbuf, size_t errsz);
void		 db_close(struct db *);
int		 db_begin(struct db *);		/* BEGIN IMMEDIATE */
/* Commits of this connection survive a crash but not a power cut (no fsync each). */
int		 db_relax_sync(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
/* Savepoints inside the caller's transaction, nested by level (0 outermost, up to 2): several
 * updates share one commit, each undone on its own. db_release keeps the work, db_undo rolls it
 * back; both end the savepoint. */
int		 db_savepoint(struct db *, int level);
int		 db_release(struct db *, int level);
int		 db_undo(struct db *, int level);
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
	int64_t	 ref_id;	/* an edit of the message this outbox row posted, 0 none */
	int	 priority;	/* OUTBOX_PRIO_* */
};
/* Queues a call. dedupe (may be NULL) makes a second add with the same key a no-op.
 * 1 added, 0 duplicate, -1 error. */
int	 outbox_add(struct db *, int64_t chat_id, int is_group, const char *method,
	    const char *payload, const char *dedupe, int priority, int64_t now_ms, int64_t *id_out);
/* An edit of the message another outbox row posted (ref_id): the sender puts that message's id
 * in when it is known, and waits for it otherwise. 1 added, 0 duplicate, -1 error. */
int	 outbox_add_edit(struct db *, int64_t ref_id, const char *payload, const char *dedupe,
	    int64_t now_ms, int64_t *id_out);
/* Up to max due rows (state pending, next_at <= now), priority first, then id.
 * Fills rows[]; returns how many (release each with outbox_row_release), -1 on error. */
int	 outbox_due(struct db *, int64_t now_ms, struct outbox_row *rows, int max);
/* The due rows with after_id < id <= upto_id (queued since a read) that are to no chat or the
 * oldest pending row of their chat, so they can go before anything read earlier; same order
 * and return. Only that id range is looked at, so a wake costs what was queued since. */
int	 outbox_due_after(struct db *, int64_t now_ms, int64_t after_id, int64_t upto_id,
	    struct outbox_row *rows, int max);
/* The highest row id (0 with none), -1 on error. */
int64_t	 outbox_max_id(struct db *);
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

/* members.c — team members, roles, access requests. A member may hold several roles (a bitmask);
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
/* When the user was last denied: 1 (*at unix seconds), 0 never, -1 error. */
int	 access_request_last_denial(struct db *, int64_t user_id, int64_t *at);
/* Pending → approved/denied. 1 changed, 0 it was already decided, -1 error. */
int	 access_request_decide(struct db *, int64_t id, int state, unsigned role, int64_t by,
	    int64_t now);

/* jobs.c — scheduler bookkeeping: each (job, slot) runs once, or until it succeeds: a failed
 * run may be claimed again JOBS_RETRY seconds after it finished, JOBS_ATTEMPTS claims at most. */
#define JOBS_RETRY	60
#define JOBS_ATTEMPTS	5
/* 1 claimed (run it), 0 already ran, running, failed too recently or too often, -1 error. */
int	 jobs_claim(struct db *, const char *job, int64_t slot, int64_t now);
int	 jobs_finish(struct db *, const char *job, int64_t slot, int ok, const char *note, int64_t now);
/* Unfinished runs of a dead process are forgotten so they run again: count or -1. */
int	 jobs_forget_unfinished(struct db *);
/* Last finished run of a job: 1/0/-1. */
int	 jobs_last(struct db *, const char *job, int64_t *slot, int64_t *finished_at, int *ok);

/* partners.c — the partner card, its search and its status history. */
enum partner_status {
	PARTNER_ACTIVE = 0,
	PARTNER_SUSPENDED = 1,	/* the CRM warns and goes read-only */
	PARTNER_BLOCKED = 2,	/* no login; data export stays available */
	PARTNER_ARCHIVED = 3,	/* left; data kept until erased */
};
#define PARTNER_STATUS_COUNT 4
const char	*partner_status_name(int status);	/* "active", …; NULL when out of range */
int		 partner_status_parse(const char *);	/* -1 when unknown (accepts ru and en names) */
/* The transitions the state machine allows (never to the same status). */
int		 partner_status_allowed(int from, int to);

#define PARTNER_NAME_MAX 832	/* 200 characters of any script, in UTF-8 */
struct partner {
	int64_t	 id;
	char	 slug[64];		/* unique, lowercase latin, digits and '-' */
	char	 name[PARTNER_NAME_MAX];	/* display name, e.g. "Ромашка" */
	char	 legal_name[PARTNER_NAME_MAX];	/* e.g. "ООО «Ромашка»" */
	char	 inn[16];		/* 10 digits (organisation) or 12 (sole trader: personal data) */
	char	 contact_name[PARTNER_NAME_MAX];	/* personal data */
	char	 phone[24];		/* personal data, normalised "+79161234567" */
	char	 email[256];		/* personal data */
	int	 status;		/* enum partner_status */
	int64_t	 connected_on;		/* unix seconds (UTC midnight of the connection date) */
	char	 plan[64];		/* "" until billing fills it */
	int64_t	 next_payment_on;	/* unix seconds, 0 until billing fills it */
	int64_t	 paid_through;		/* unix seconds, 0 until billing fills it */
	int64_t	 branches;
	int64_t	 users;
	int64_t	 assigned_to;		/* team member's user id, 0 = nobody */
	char	 notes[2048];
	int64_t	 created_at, updated_at;	/* unix seconds */
};
/* Inserts p (id and slug chosen here when p->slug is empty: from the name, made unique).
 * Fills p->id and p->slug. 1 created, 0 the INN is already taken (id of the holder in *dup), -1. */
int	 partner_insert(struct db *, struct partner *, int64_t now, int64_t *dup);
/* Writes every field of p back (not status: see partner_set_status). 1 ok, 0 INN taken, -1. */
int	 partner_update(struct db *, const struct partner *, int64_t now, int64_t *dup);
int	 partner_get(struct db *, int64_t id, struct partner *);	/* 1/0/-1 */
/* Which personal search keys a search may match: a sole trader's name and 12-digit INN (the
 * search itself would reveal them). None; every partner's; or only those of the partners
 * user_id holds an open ticket session for at now (support reads personal data only there). */
enum { PARTNER_PD_NONE, PARTNER_PD_ALL, PARTNER_PD_SESSION };
struct partner_pd {
	int	 mode;		/* PARTNER_PD_* */
	int64_t	 user_id;	/* PARTNER_PD_SESSION: whose sessions, at now */
	int64_t	 now;
};
extern const struct partner_pd partner_pd_none, partner_pd_all;
/* Finds by id, slug or INN exactly, else by a case-insensitive fragment of the name or the legal
 * name (Cyrillic included, ё = е); personal keys as pd allows. Up to max ids into out, best
 * first; returns the count or -1. */
int	 partner_lookup(struct db *, const char *query, const struct partner_pd *pd, int64_t *out,
	    int max);
/* A page of the list: status -1 = any; text "" = all (else as partner_lookup, or an id).
 * Fills up to max rows (ordered by name) and *total. Returns the number of rows or -1. */
int	 partner_list(struct db *, int status, const char *text, const struct partner_pd *pd,
	    int offset, int max, struct partner *rows, int *total);
/* A sole trader (12-digit INN, or a legal name "ИП …"): their legal name is a person's name. */
int	 partner_is_sole_trader(const struct partner *);
int64_t	 partner_count(struct db *);
/* Changes status with its history row (actor 0 = a rule, named in rule). 1 changed, 0 not
 * allowed from the current status, -1 error. */
int	 partner_set_status(struct db *, int64_t id, int to, int64_t actor, const char *rule,
	    const char *reason, int64_t now);
struct partner_status_change {
	int64_t	 at;
	int	 from, to;
	int64_t	 actor;		/* 0 = a rule */
	char	 rule[64];
	char	 reason[512];
};
/* The billing fields of the card (billing_sync_partner keeps them): plan name, paid through
 * and next payment date (unix seconds of the dates' UTC midnights, 0 none). 0/-1. */
int	 partner_set_billing(struct db *, int64_t id, const char *plan, int64_t paid_through,
	    int64_t next_payment_on);
/* The latest changes first; returns how many were filled, or -1. */
int	 partner_history(struct db *, int64_t id, struct partner_status_change *, int max);

/* access_sessions.c — access sessions: who may see a partner's personal data, why, until when. */
enum access_reason {
	REASON_TICKET = 0,	/* a support ticket (its reference is required) */
	REASON_BILLING = 1,
	REASON_ONBOARDING = 2,
	REASON_INCIDENT = 3,
	REASON_OTHER = 4,	/* free text required */
};
#define ACCESS_REASON_COUNT 5
const char	*access_reason_name(int);	/* "ticket", … */
int		 access_reason_parse(const char *);	/* -1 when unknown */
struct access_session {
	int64_t	 id;
	int64_t	 user_id;
	int64_t	 partner_id;
	int	 reason;		/* enum access_reason */
	char	 reason_text[512];	/* ticket reference or free text */
	int	 writable;		/* 0: read-only (support) */
	int64_t	 opened_at, expires_at, closed_at;	/* unix seconds; closed_at 0 = open */
};
/* Opens a session (an open one of the same user for the same partner is closed first).
 * Fills s->id. 0 ok, -1 error. */
int	 access_open(struct db *, struct access_session *);
/* The user's session for the partner that is open at now: 1 found, 0 none, -1 error. */
int	 access_current(struct db *, int64_t user_id, int64_t partner_id, int64_t now,
	    struct access_session *);
/* Closes the user's open sessions (partner 0 = all of them); returns how many, or -1. */
int	 access_close(struct db *, int64_t user_id, int64_t partner_id, int64_t now);

/* audit_log.c — the append-only, hash-chained audit log. Each record carries the HMAC (keyed by
 * the audit key file, outside the database) of the previous record's hash and its own content,
 * so an edited or deleted row breaks the chain, and the chain cannot be recomputed without the
 * key; the anchor file pins the heads posted each day. */
struct audit_record {
	int64_t	 id;
	int64_t	 at;		/* unix seconds */
	int64_t	 actor;		/* user id, 0 = the system (a rule or a job) */
	char	 roles[64];	/* the actor's roles at the time, e.g. "support,billing" */
	int64_t	 partner_id;	/* 0 when not about one partner */
	char	 action[48];	/* e.g. "partner.read", "partner.edit", "team.grant", "access.deny" */
	char	 reason[512];	/* the session's reason, or the denial's */
	int64_t	 session_id;	/* 0 when none */
	char	 detail[1024];	/* what changed: field names, old → new for non-personal fields */
	char	 hash[65];	/* hex HMAC-SHA256 (SHA-256 for records from before the key) */
	char	 prev_hash[65];
};
/* Appends a record in the caller's transaction (fills id, hash, prev_hash). If it fails the
 * caller must not show or change anything: roll back. 0 ok, -1 error (also without a key). */
int	 audit_append(struct db *, struct audit_record *);
/* Records matching the filters (0 / "" = any), newest first, skipping offset. Returns the count
 * filled or -1; *total is the number matching. since: unix seconds, 0 = all. */
int	 audit_query(struct db *, int64_t partner_id, int64_t actor, int64_t since, int offset,
	    int max, struct audit_record *, int *total);
/* What a verification found. */
struct audit_check {
	int64_t	 count;		/* records that verified */
	int64_t	 head_id;	/* the last of them (0: none) and its hash ("" when none) */
	char	 head_hash[65];
	int64_t	 bad_id;	/* broken: the first record that diverges */
	char	 why[512];	/* broken: what diverges there */
	int64_t	 anchors;	/* anchored heads that matched */
	int64_t	 anchor_id;	/* the newest of them (0: none) and when it was anchored */
	int64_t	 anchor_at;
};
/* Walks the whole chain and compares it with the anchor file. 0 intact; 1 broken at bad_id: the
 * first record whose id sequence, link, keyed hash or anchored head does not match (a deleted
 * tail shows as an anchored or stored head that is not found; a damaged anchor file breaks it
 * too, bad_id 0); -1 error. */
int	 audit_verify(struct db *, struct audit_check *);
/* The last record: 1 found, 0 empty log, -1 error. */
int	 audit_head(struct db *, int64_t *id, char hash[65]);
/* The hash a record must carry given its fields and prev_hash, under the loaded key (the
 * chain's definition, in audit_log.c): 0, or -1 without a key. */
int	 audit_hash(const struct audit_record *, char out[65]);

/* audit_anchor.c — the chain's key file and the anchor file, outside the database. */
/* Loads the key file, or creates it (0600) for an empty log or one from before keys; refuses a
 * loose mode and a keyed log without its key. Call once per process, before any append, with
 * the anchor file's path. 0, or -1 with a message in err. */
int	 audit_key_setup(struct db *, const char *key_path, const char *anchor_path, char *err,
	    size_t errsz);
/* check-config: a key file that exists must be 0600 and well formed. 0, or -1 with err. */
int	 audit_key_check(const char *key_path, char *err, size_t errsz);
/* Appends the head (id, hash) anchored at `at` to the anchor file (fsynced; nothing when it
 * repeats the newest anchor). Only a verified head may be anchored. 0, -1 error (logged). */
int	 audit_anchor_append(int64_t id, const char *hash, int64_t at);

/* dialog.c — a guided dialog's state per (user, chat): its kind, step and collected values. */
struct dialog {
	int64_t	 user_id;
	int64_t	 chat_id;
	char	 kind[32];	/* e.g. "partner_new", "partner_edit", "status", "access" */
	int	 step;
	int64_t	 subject;	/* e.g. the partner id; 0 when none */
	int64_t	 updated_at;	/* unix seconds */
};
/* Starts (or restarts) a dialog, dropping any earlier values. 0/-1. */
int	 dialog_start(struct db *, const struct dialog *);
int	 dialog_get(struct db *, int64_t user_id, int64_t chat_id, struct dialog *);	/* 1/0/-1 */
int	 dialog_set_step(struct db *, int64_t user_id, int64_t chat_id, int step);
int	 dialog_put(struct db *, int64_t user_id, int64_t chat_id, const char *key, const char *value);
/* 1 found (copied, bounded), 0 not set, -1 error. */
int	 dialog_value(struct db *, int64_t user_id, int64_t chat_id, const char *key, char *out,
	    size_t outsz);
int	 dialog_end(struct db *, int64_t user_id, int64_t chat_id);
/* Ends all of a person's dialogs (every chat): how many were open, or -1. */
int	 dialog_end_user(struct db *, int64_t user_id);

/* queries.c — list filters behind pagination buttons (callback data holds only their id). */
/* Saves a filter and returns its id (>0), or -1. */
int64_t	 query_save(struct db *, int64_t user_id, const char *kind, const char *text, int64_t now);
/* 1 found (text copied), 0 not found or another user's, -1 error. */
int	 query_load(struct db *, int64_t id, int64_t user_id, char *kind, size_t kindsz, char *text,
	    size_t textsz);
/* Drops filters saved before older_than (unix seconds): rows removed or -1. */
int	 query_prune(struct db *, int64_t older_than);

/* activity.c — what the CRM reports: events folded into daily aggregates per partner (the
 * events themselves are not kept; their ids are, for a while, so a replay changes nothing), and
 * data volumes. Days are UTC day numbers (unix seconds / 86400). */
enum activity_event { EVENT_LOGIN = 0, EVENT_OPERATION = 1 };
struct activity_event_in {
	char	 id[129];	/* the caller's id (1..128 bytes): a second event with it is ignored;
				 * "" = no id (demo data, bulk loads): always applied */
	int64_t	 partner_id;
	int	 type;		/* enum activity_event */
	int64_t	 at;		/* unix seconds */
	int64_t	 user_id;	/* the CRM user, 0 when unknown */
	int64_t	 count;		/* ≥ 1 */
};
/* Applies one event in the caller's transaction: 1 applied, 0 a replay (ignored), -1 error.
 * The partner must exist (the caller resolved it). A user counts once per partner and day. */
int	 activity_add(struct db *, const struct activity_event_in *, int64_t now);
struct activity_day {
	int64_t	 day;		/* UTC day number */
	int64_t	 logins, operations, active_users;
};
/* The partner's days in [from_day, to_day], oldest first, zero days included; count or -1. */
int	 activity_days(struct db *, int64_t partner_id, int64_t from_day, int64_t to_day,
	    struct activity_day *, int max);
/* Unix seconds of the first event the CRM ever reported, 0 none yet; -1 error. */
int64_t	 activity_feed_start(struct db *);
/* Unix seconds of the partner's last login, 0 never; -1 error. */
int64_t	 activity_last_login(struct db *, int64_t partner_id);
/* Active partners (status active) without a login since before cutoff (never logged in:
 * counted from their connection date), oldest first. Fills ids and last logins; count or -1. */
int	 activity_dormant(struct db *, int64_t cutoff, int64_t *ids, int64_t *last_login, int max);
/* Sums of logins + operations for [from_day, to_day] per partner, for week-over-week drops
 * and /top: fills ids and sums, most active first (least active first when asc), ties by id;
 * count or -1. Every partner that may log in (active or suspended) is listed, with 0 when it
 * has no activity in the range; blocked and archived partners are not. */
int	 activity_totals(struct db *, int64_t from_day, int64_t to_day, int asc, int64_t *ids,
	    int64_t *sums, int max);
/* One partner's total over [from_day, to_day]. */
int64_t	 activity_total(struct db *, int64_t partner_id, int64_t from_day, int64_t to_day);
/* Forgets event ids first seen before `before` (unix seconds), and the per-user rows of days
 * that ended before it (their counts stay in the aggregates): rows removed or -1. After this a
 * replay of such an event would be applied again, so keep ids longer than the CRM retries. */
int	 activity_prune_ids(struct db *, int64_t before);
/* Adds a whole day's aggregates at once (bulk loads, benchmarks): no event ids, no per-user
 * rows (active_users is added as given); last_login_at (0: none) becomes the partner's last
 * login when it is later. In the caller's transaction; 0/-1. */
int	 activity_add_day(struct db *, int64_t partner_id, const struct activity_day *,
	    int64_t last_login_at);
/* The partner an API caller names (added for api.c): our id when id > 0, else key exactly —
 * a 10- or 12-digit INN, or a slug. 1 found (*out), 0 none, -1 error. */
int	 activity_partner_ref(struct db *, int64_t id, const char *key, int64_t *out);

struct volume {
	int64_t	 partner_id;
	int64_t	 clients, lessons, payments, db_bytes;
	int64_t	 updated_at;
};
/* Creates or replaces the partner's volume (all four figures ≥ 0). updated_at is when the
 * figures last changed: the same figures again leave the row as it was. 0/-1. */
int	 volume_set(struct db *, const struct volume *);
int	 volume_get(struct db *, int64_t partner_id, struct volume *);	/* 1/0/-1 */
/* Partners by database size, largest first (ties by id): count or -1. */
int	 volume_top(struct db *, struct volume *, int max);

/* alerts.c — alert episodes. One open episode per key; its message is posted once and edited in
 * place (the outbox row it was posted with is remembered). */
enum alert_state { ALERT_OPEN = 0, ALERT_RESOLVED = 1 };
enum alert_level { ALERT_INFO = 0, ALERT_WARN = 1, ALERT_CRIT = 2 };
struct alert {
	int64_t	 id;
	char	 kind[32];	/* "dormant", "drop", "crm", "telegram", "backlog", … */
	char	 key[128];	/* the episode's dedupe key, e.g. "dormant:12" */
	int64_t	 partner_id;	/* 0 when not about a partner */
	int	 state;		/* enum alert_state */
	int	 level;		/* enum alert_level */
	char	 text[2048];	/* the current HTML text (without the status line) */
	int64_t	 chat_id;
	int64_t	 outbox_id;	/* the outbox row that posted it */
	int64_t	 snoozed_until;	/* unix seconds, 0 none */
	int64_t	 acked_by, acked_at;
	int64_t	 assigned_to;
	int64_t	 opened_at, updated_at, resolved_at;
	int64_t	 snoozed_by;	/* who pressed a snooze button last, 0 nobody */
	int64_t	 assigned_at;	/* unix seconds, 0 never */
	int	 dirty;		/* changed while snoozed, not shown yet: 1 */
};
/* The open episode of key: 1 found, 0 none, -1 error. */
int	 alert_open_get(struct db *, const char *key, struct alert *);
int	 alert_get(struct db *, int64_t id, struct alert *);	/* 1/0/-1 */
int	 alert_insert(struct db *, struct alert *);		/* fills id; 0/-1 */
/* Writes every mutable field of a (by id). 0/-1. */
int	 alert_save(struct db *, const struct alert *);
/* Open episodes, newest first (kind "" = any), of the kinds in `kinds` (",dormant,crm,": the
 * ones the reader may see; NULL = every kind): count or -1. */
int	 alert_list_open(struct db *, const char *kind, const char *kinds, struct alert *, int max);
/* Open episodes of kind with an id above `after` (0: from the first), by id, max at most: a
 * scan resolves those whose condition has passed, paging on the last id seen. Count or -1. */
int	 alert_open_of_kind(struct db *, const char *kind, int64_t after, struct alert *,
	    int max);
/* Open episodes whose snooze has ended by now (0 < snoozed_until <= now), oldest first:
 * count or -1. */
int	 alert_snooze_ended(struct db *, int64_t now, struct alert *, int max);

/* Plans, subscriptions, invoices, payments, acts. */
#include "storage/billing/billing.h"

#endif
