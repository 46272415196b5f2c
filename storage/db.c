/*
 * db.c — opening the back office's database, its migrations, transactions and the per-connection
 * cache of prepared statements. A struct db belongs to one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/bot.h"
#include "storage/db_private.h"

/*
 * Migrations: an append-only list. Entry i takes the schema from user_version i to i + 1 and runs
 * in its own transaction. Never edit or reorder a shipped entry; append a new one instead.
 * Enum values appear as literals (state = 0 is pending) so partial indexes can serve the scans.
 */
static const char *const db_migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE state ("
	"  key         TEXT PRIMARY KEY,"
	"  value       ANY"
	") STRICT, WITHOUT ROWID;"

	/* Intake: one row per update, in arrival order (id). update_id is NULL for console input. */
	"CREATE TABLE inbox ("
	"  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  update_id   INTEGER UNIQUE,"
	"  source      TEXT NOT NULL DEFAULT '',"
	"  payload     TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"		/* unix ms */
	"  state       INTEGER NOT NULL DEFAULT 0,"	/* enum inbox_state */
	"  processed_at INTEGER,"			/* unix ms, set with a final state */
	"  handle_us   INTEGER,"
	"  error       TEXT"
	") STRICT;"
	"CREATE INDEX inbox_pending ON inbox(id) WHERE state = 0;"
	"CREATE INDEX inbox_processed ON inbox(processed_at) WHERE processed_at IS NOT NULL;"

	/* Outgoing calls. dedupe is unique when set; payload is JSON without chat_id. */
	"CREATE TABLE outbox ("
	"  id          INTEGER PRIMARY KEY,"
	"  chat_id     INTEGER NOT NULL,"
	"  is_group    INTEGER NOT NULL DEFAULT 0,"
	"  method      TEXT NOT NULL,"
	"  payload     TEXT NOT NULL,"
	"  dedupe      TEXT UNIQUE,"
	"  priority    INTEGER NOT NULL DEFAULT 0,"
	"  state       INTEGER NOT NULL DEFAULT 0,"	/* enum outbox_state */
	"  attempts    INTEGER NOT NULL DEFAULT 0,"
	"  next_at     INTEGER NOT NULL,"		/* unix ms: not before */
	"  created_at  INTEGER NOT NULL,"		/* unix ms */
	"  tried_at    INTEGER,"			/* unix ms of the last hand-over */
	"  sent_at     INTEGER,"			/* unix ms, state sent */
	"  finished_at INTEGER,"			/* unix ms of any final state */
	"  tg_message_id INTEGER,"
	"  last_error  TEXT"
	") STRICT;"
	/* Serves both the due scan (only rows already due are read, then sorted by priority and id)
	 * and the earliest next_at. */
	"CREATE INDEX outbox_next ON outbox(next_at) WHERE state = 0;"
	"CREATE INDEX outbox_chat_pending ON outbox(chat_id, id) WHERE state = 0;"
	"CREATE INDEX outbox_sending ON outbox(id) WHERE state = 1;"
	"CREATE INDEX outbox_finished ON outbox(finished_at) WHERE finished_at IS NOT NULL;"

	/* The team. Usernames are stored without '@'; '' when the user has none. Roles are stored
	 * by name, one row each, so adding a role later needs no rebuild. */
	"CREATE TABLE members ("
	"  user_id     INTEGER PRIMARY KEY,"
	"  username    TEXT NOT NULL DEFAULT '',"
	"  name        TEXT NOT NULL DEFAULT '',"
	"  added_at    INTEGER NOT NULL"		/* unix seconds */
	") STRICT;"
	"CREATE UNIQUE INDEX members_username ON members(username COLLATE NOCASE)"
	"  WHERE username <> '';"
	"CREATE TABLE member_roles ("
	"  user_id     INTEGER NOT NULL REFERENCES members(user_id) ON DELETE CASCADE,"
	"  role        TEXT NOT NULL,"
	"  granted_by  INTEGER NOT NULL DEFAULT 0,"	/* 0: configuration */
	"  granted_at  INTEGER NOT NULL,"		/* unix seconds */
	"  PRIMARY KEY (user_id, role)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX member_roles_role ON member_roles(role);"
	"CREATE TABLE access_requests ("
	"  id          INTEGER PRIMARY KEY,"
	"  user_id     INTEGER NOT NULL,"
	"  username    TEXT NOT NULL DEFAULT '',"
	"  name        TEXT NOT NULL DEFAULT '',"
	"  chat_id     INTEGER NOT NULL,"
	"  state       INTEGER NOT NULL DEFAULT 0,"	/* enum access_req_state */
	"  role        TEXT,"				/* granted role's name when approved */
	"  decided_by  INTEGER,"
	"  decided_at  INTEGER,"			/* unix seconds */
	"  created_at  INTEGER NOT NULL"		/* unix seconds */
	") STRICT;"
	/* At most one pending request per user. */
	"CREATE UNIQUE INDEX access_requests_pending ON access_requests(user_id) WHERE state = 0;"

	/* Scheduler: a (job, slot) row is the claim that the job runs for that slot. */
	"CREATE TABLE job_runs ("
	"  job         TEXT NOT NULL,"
	"  slot        INTEGER NOT NULL,"
	"  started_at  INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  ok          INTEGER,"
	"  note        TEXT,"
	"  PRIMARY KEY (job, slot)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX job_runs_finished ON job_runs(job, finished_at) WHERE finished_at IS NOT NULL;",

	/* 2: partners, their status history, access sessions, the audit log, dialogs, saved list
	 * filters. */
	/* name_key is text_fold(name + " " + legal_name), searched by fragment — except that a
	 * sole trader's legal name is a person's name: it goes to pd_key instead, searched only by
	 * those who may see personal data. sort_key is text_fold(name), the list order. The two
	 * indexes cover the scans of search and listing. An INN is unique when present; an empty
	 * one is stored as NULL. */
	"CREATE TABLE partners ("
	"  id          INTEGER PRIMARY KEY,"
	"  slug        TEXT NOT NULL UNIQUE,"
	"  name        TEXT NOT NULL,"
	"  name_key    TEXT NOT NULL,"
	"  sort_key    TEXT NOT NULL,"
	"  pd_key      TEXT NOT NULL DEFAULT '',"
	"  legal_name  TEXT NOT NULL DEFAULT '',"
	"  inn         TEXT UNIQUE CHECK (inn <> ''),"
	"  contact_name TEXT NOT NULL DEFAULT '',"
	"  phone       TEXT NOT NULL DEFAULT '',"
	"  email       TEXT NOT NULL DEFAULT '',"
	"  status      INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 3),"
	"  connected_on INTEGER NOT NULL DEFAULT 0,"	/* unix seconds */
	"  plan        TEXT NOT NULL DEFAULT '',"
	"  next_payment_on INTEGER NOT NULL DEFAULT 0,"
	"  paid_through INTEGER NOT NULL DEFAULT 0,"
	"  branches    INTEGER NOT NULL DEFAULT 0 CHECK (branches >= 0),"
	"  users       INTEGER NOT NULL DEFAULT 0 CHECK (users >= 0),"
	"  assigned_to INTEGER NOT NULL DEFAULT 0,"	/* a member's user id, 0 = nobody */
	"  notes       TEXT NOT NULL DEFAULT '',"
	"  created_at  INTEGER NOT NULL,"
	"  updated_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX partners_name ON partners(sort_key, name_key, pd_key);"
	"CREATE INDEX partners_status_name ON partners(status, sort_key, name_key, pd_key);"
	/* actor 0 is a rule, named in rule. */
	"CREATE TABLE partner_status_history ("
	"  id          INTEGER PRIMARY KEY,"
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  at          INTEGER NOT NULL,"
	"  from_status INTEGER NOT NULL,"
	"  to_status   INTEGER NOT NULL,"
	"  actor       INTEGER NOT NULL DEFAULT 0,"
	"  rule        TEXT NOT NULL DEFAULT '',"
	"  reason      TEXT NOT NULL DEFAULT ''"
	") STRICT;"
	"CREATE INDEX partner_status_history_partner ON partner_status_history(partner_id, id);"

	/* An access session is open while closed_at IS NULL and expires_at lies ahead. */
	"CREATE TABLE access_sessions ("
	"  id          INTEGER PRIMARY KEY,"
	"  user_id     INTEGER NOT NULL,"
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  reason      INTEGER NOT NULL CHECK (reason BETWEEN 0 AND 4),"	/* enum access_reason */
	"  reason_text TEXT NOT NULL DEFAULT '',"
	"  writable    INTEGER NOT NULL DEFAULT 0,"
	"  opened_at   INTEGER NOT NULL,"
	"  expires_at  INTEGER NOT NULL,"
	"  closed_at   INTEGER"
	") STRICT;"
	"CREATE INDEX access_sessions_open ON access_sessions(user_id, partner_id)"
	"  WHERE closed_at IS NULL;"

	/* The audit log: hash-chained, append-only. The triggers stop mistakes and honest code; the
	 * chain (anchored by the head kept in state) is what catches a hand with the file. */
	"CREATE TABLE audit_log ("
	"  id          INTEGER PRIMARY KEY,"
	"  at          INTEGER NOT NULL,"
	"  actor       INTEGER NOT NULL DEFAULT 0,"
	"  roles       TEXT NOT NULL DEFAULT '',"
	"  partner_id  INTEGER NOT NULL DEFAULT 0,"
	"  action      TEXT NOT NULL,"
	"  reason      TEXT NOT NULL DEFAULT '',"
	"  session_id  INTEGER NOT NULL DEFAULT 0,"
	"  detail      TEXT NOT NULL DEFAULT '',"
	"  prev_hash   TEXT NOT NULL,"
	"  hash        TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX audit_log_partner ON audit_log(partner_id, id);"
	"CREATE INDEX audit_log_actor ON audit_log(actor, id);"
	"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"

	/* Guided dialogs: one per (user, chat), its values dropped with it. */
	"CREATE TABLE dialogs ("
	"  user_id     INTEGER NOT NULL,"
	"  chat_id     INTEGER NOT NULL,"
	"  kind        TEXT NOT NULL,"
	"  step        INTEGER NOT NULL DEFAULT 0,"
	"  subject     INTEGER NOT NULL DEFAULT 0,"
	"  updated_at  INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, chat_id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE dialog_values ("
	"  user_id     INTEGER NOT NULL,"
	"  chat_id     INTEGER NOT NULL,"
	"  key         TEXT NOT NULL,"
	"  value       TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, chat_id, key),"
	"  FOREIGN KEY (user_id, chat_id) REFERENCES dialogs(user_id, chat_id) ON DELETE CASCADE"
	") STRICT, WITHOUT ROWID;"

	/* List filters behind pagination buttons. */
	"CREATE TABLE saved_queries ("
	"  id          INTEGER PRIMARY KEY,"
	"  user_id     INTEGER NOT NULL,"
	"  kind        TEXT NOT NULL,"
	"  text        TEXT NOT NULL DEFAULT '',"
	"  created_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX saved_queries_created ON saved_queries(created_at);",

	/* 3: what the CRM reports (activity.c). Events are folded into daily aggregates and not
	 * kept; their ids are, until pruned, so a replay changes nothing. Days are UTC day
	 * numbers (unix seconds / 86400). active_users is the number of activity_users rows of
	 * the day, kept beside the sums so a range of days is read from one table. */
	"CREATE TABLE activity_daily ("
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  day         INTEGER NOT NULL,"
	"  logins      INTEGER NOT NULL DEFAULT 0,"
	"  operations  INTEGER NOT NULL DEFAULT 0,"
	"  active_users INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (partner_id, day)"
	") STRICT, WITHOUT ROWID;"
	/* Totals over a day range for every partner read this index alone. */
	"CREATE INDEX activity_daily_day ON activity_daily(day, partner_id, logins, operations);"
	/* The distinct CRM users seen per partner and day. The day leads the key so pruning old
	 * days is a range delete; the per-event lookup is an exact key either way. */
	"CREATE TABLE activity_users ("
	"  day         INTEGER NOT NULL,"
	"  partner_id  INTEGER NOT NULL,"
	"  user_id     INTEGER NOT NULL,"
	"  PRIMARY KEY (day, partner_id, user_id)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE activity_last ("
	"  partner_id  INTEGER PRIMARY KEY REFERENCES partners(id),"
	"  last_login_at INTEGER NOT NULL"		/* unix seconds */
	") STRICT;"
	/* The dormant scan: partners that logged in before the cutoff (by this index), and
	 * active partners that never did, connected before it (by the partial index, which holds
	 * status too so the scan never reads the partners' rows). */
	"CREATE INDEX activity_last_at ON activity_last(last_login_at);"
	"CREATE INDEX partners_active_connected ON partners(connected_on, status) WHERE status = 0;"
	"CREATE TABLE event_ids ("
	"  id          TEXT PRIMARY KEY,"		/* the caller's event id */
	"  seen_at     INTEGER NOT NULL"		/* unix seconds */
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX event_ids_seen ON event_ids(seen_at);"
	"CREATE TABLE volumes ("
	"  partner_id  INTEGER PRIMARY KEY REFERENCES partners(id),"
	"  clients     INTEGER NOT NULL CHECK (clients >= 0),"
	"  lessons     INTEGER NOT NULL CHECK (lessons >= 0),"
	"  payments    INTEGER NOT NULL CHECK (payments >= 0),"
	"  db_bytes    INTEGER NOT NULL CHECK (db_bytes >= 0),"
	"  updated_at  INTEGER NOT NULL"		/* unix seconds */
	") STRICT;"
	"CREATE INDEX volumes_db_bytes ON volumes(db_bytes);",

	/* 4: alert episodes, and edits that name the outbox row whose message they change. */
	/* One open episode per key (state 0); a resolved one stays as history, and the next
	 * episode of the same key is a new row. Times are unix seconds, 0 = never. */
	"CREATE TABLE alerts ("
	"  id          INTEGER PRIMARY KEY,"
	"  kind        TEXT NOT NULL,"
	"  key         TEXT NOT NULL,"
	"  partner_id  INTEGER NOT NULL DEFAULT 0,"
	"  state       INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),"	/* enum alert_state */
	"  level       INTEGER NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 2),"
	"  text        TEXT NOT NULL,"
	"  chat_id     INTEGER NOT NULL DEFAULT 0,"	/* where it was posted, 0 = nowhere */
	"  outbox_id   INTEGER NOT NULL DEFAULT 0,"	/* the row that posted it, 0 = not posted */
	"  snoozed_until INTEGER NOT NULL DEFAULT 0,"
	"  snoozed_by  INTEGER NOT NULL DEFAULT 0,"
	"  acked_by    INTEGER NOT NULL DEFAULT 0,"
	"  acked_at    INTEGER NOT NULL DEFAULT 0,"
	"  assigned_to INTEGER NOT NULL DEFAULT 0,"
	"  assigned_at INTEGER NOT NULL DEFAULT 0,"
	"  opened_at   INTEGER NOT NULL,"
	"  updated_at  INTEGER NOT NULL,"
	"  resolved_at INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE state = 0;"
	"CREATE INDEX alerts_open ON alerts(id) WHERE state = 0;"
	"CREATE INDEX alerts_open_kind ON alerts(kind, id) WHERE state = 0;"
	/* editMessageText rows carry the outbox row that posted the message (0: none); the
	 * sender fills in its message_id once that row is sent. */
	"ALTER TABLE outbox ADD COLUMN ref_id INTEGER NOT NULL DEFAULT 0;",

	/* 5: a snoozed episode that changed quietly (dirty 1) is shown again when the snooze ends;
	 * the partial index finds the snoozes that may have ended. */
	("ALTER TABLE alerts ADD COLUMN dirty INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1));"
	"CREATE INDEX alerts_snoozed ON alerts(snoozed_until) WHERE state = 0 AND snoozed_until > 0;"),
	/* 6: a failed run may be retried in its slot: how many times the slot was claimed. */
	"ALTER TABLE job_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;",

	/* 7: billing (storage/billing.h). Money in kopecks, dates as day numbers (the civil date
	 * in the configured zone), period ends exclusive. A plan's price change is a new version
	 * row; subscriptions and invoices point at the version they were priced with. */
	"CREATE TABLE plans ("
	"  id          INTEGER PRIMARY KEY,"
	"  code        TEXT NOT NULL,"
	"  version     INTEGER NOT NULL,"
	"  name        TEXT NOT NULL,"
	"  yearly      INTEGER NOT NULL DEFAULT 0,"
	"  base        INTEGER NOT NULL DEFAULT 0 CHECK (base >= 0),"
	"  per_branch  INTEGER NOT NULL DEFAULT 0 CHECK (per_branch >= 0),"
	"  per_user    INTEGER NOT NULL DEFAULT 0 CHECK (per_user >= 0),"
	"  included_branches INTEGER NOT NULL DEFAULT 0 CHECK (included_branches >= 0),"
	"  included_users INTEGER NOT NULL DEFAULT 0 CHECK (included_users >= 0),"
	"  trial_days  INTEGER NOT NULL DEFAULT 14 CHECK (trial_days >= 0),"
	"  archived    INTEGER NOT NULL DEFAULT 0,"
	"  created_at  INTEGER NOT NULL,"
	"  created_by  INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (code, version)"
	") STRICT;"
	"CREATE TABLE subscriptions ("
	"  id          INTEGER PRIMARY KEY,"
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  plan_id     INTEGER NOT NULL REFERENCES plans(id),"
	"  status      INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),"	/* enum sub_status */
	"  autorenew   INTEGER NOT NULL DEFAULT 1,"
	"  anchor_dom  INTEGER NOT NULL,"
	"  started_on  INTEGER NOT NULL,"
	"  period_start INTEGER NOT NULL,"
	"  period_end  INTEGER NOT NULL,"
	"  trial_end   INTEGER NOT NULL DEFAULT 0,"
	"  paid_until  INTEGER NOT NULL DEFAULT 0,"
	"  next_plan_id INTEGER REFERENCES plans(id),"
	"  cancel_at_end INTEGER NOT NULL DEFAULT 0,"
	"  cancel_reason TEXT NOT NULL DEFAULT '',"
	"  ended_on    INTEGER NOT NULL DEFAULT 0,"
	"  end_rule    TEXT NOT NULL DEFAULT '',"
	"  trial_noticed INTEGER NOT NULL DEFAULT 0,"
	"  created_at  INTEGER NOT NULL,"
	"  updated_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE UNIQUE INDEX subscriptions_live ON subscriptions(partner_id) WHERE status <> 3;"
	/* The renewal and trial jobs page through live subscriptions by id (sub_due): period_end
	 * rides along so the ones not due are skipped without reading their rows. */
	"CREATE INDEX subscriptions_due ON subscriptions(id, period_end) WHERE status <> 3;"
	"CREATE INDEX subscriptions_partner ON subscriptions(partner_id, id);"
	"CREATE INDEX subscriptions_plan ON subscriptions(plan_id) WHERE status <> 3;"
	/* Per-year counters of invoices and acts: taking a number and using it happen in one
	 * transaction, so numbers have no gaps and no duplicates. */
	"CREATE TABLE doc_numbers ("
	"  kind        TEXT NOT NULL,"
	"  year        INTEGER NOT NULL,"
	"  last        INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, year)"
	") STRICT, WITHOUT ROWID;"
	"CREATE TABLE invoices ("
	"  id          INTEGER PRIMARY KEY,"
	"  number      TEXT UNIQUE,"		/* NULL while a draft */
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  subscription_id INTEGER REFERENCES subscriptions(id),"
	"  plan_id     INTEGER REFERENCES plans(id),"
	"  kind        INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 2),"	/* enum invoice_kind */
	"  period_start INTEGER NOT NULL DEFAULT 0,"
	"  period_end  INTEGER NOT NULL DEFAULT 0,"
	"  periods     INTEGER NOT NULL DEFAULT 0,"
	"  amount      INTEGER NOT NULL,"
	"  paid        INTEGER NOT NULL DEFAULT 0,"
	"  status      INTEGER NOT NULL DEFAULT 0"	/* enum invoice_status */
	"    CHECK (status BETWEEN 0 AND 4),"
	"  issued_on   INTEGER NOT NULL DEFAULT 0,"
	"  due_on      INTEGER NOT NULL DEFAULT 0,"
	"  paid_on     INTEGER NOT NULL DEFAULT 0,"
	"  hold_until  INTEGER NOT NULL DEFAULT 0,"
	"  dunning     INTEGER NOT NULL DEFAULT 0"	/* enum dunning_step */
	"    CHECK (dunning BETWEEN 0 AND 3),"
	"  void_reason TEXT NOT NULL DEFAULT '',"
	"  created_by  INTEGER NOT NULL DEFAULT 0,"
	"  created_at  INTEGER NOT NULL,"
	"  updated_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX invoices_partner ON invoices(partner_id, id);"
	"CREATE INDEX invoices_open ON invoices(due_on, id) WHERE status = 1;"
	"CREATE INDEX invoices_open_partner ON invoices(partner_id, due_on) WHERE status = 1;"
	/* The dunning job pages by id through the open invoices not yet blocked (invoice_overdue);
	 * blocked ones may stay open for good and drop out of it. */
	"CREATE INDEX invoices_dunning ON invoices(id, due_on) WHERE status = 1 AND dunning < 3;"
	/* One live period invoice per subscription, period start and plan: renewal is
	 * idempotent; a switch to a plan of another length may start a fresh period on the day a
	 * paid one started. */
	"CREATE UNIQUE INDEX invoices_period ON invoices(subscription_id, period_start, plan_id)"
	"  WHERE kind = 0 AND status <> 3;"
	"CREATE TABLE invoice_lines ("
	"  id          INTEGER PRIMARY KEY,"
	"  invoice_id  INTEGER NOT NULL REFERENCES invoices(id),"
	"  kind        TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  quantity    INTEGER NOT NULL,"
	"  unit_price  INTEGER NOT NULL,"
	"  amount      INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id, id);"
	"CREATE TABLE payments ("
	"  id          INTEGER PRIMARY KEY,"
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  amount      INTEGER NOT NULL,"
	"  received_on INTEGER NOT NULL,"
	"  source      TEXT NOT NULL,"
	"  provider_id TEXT UNIQUE,"		/* NULL when none */
	"  reference   TEXT NOT NULL DEFAULT '',"
	"  reason      TEXT NOT NULL DEFAULT '',"
	"  recorded_by INTEGER NOT NULL DEFAULT 0,"
	"  created_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX payments_partner ON payments(partner_id, id);"
	"CREATE TABLE allocations ("
	"  id          INTEGER PRIMARY KEY,"
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  invoice_id  INTEGER NOT NULL REFERENCES invoices(id),"
	"  payment_id  INTEGER REFERENCES payments(id),"
	"  amount      INTEGER NOT NULL,"
	"  created_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX allocations_partner ON allocations(partner_id);"
	"CREATE INDEX allocations_invoice ON allocations(invoice_id);"
	"CREATE TABLE acts ("
	"  id          INTEGER PRIMARY KEY,"
	"  number      TEXT NOT NULL UNIQUE,"
	"  partner_id  INTEGER NOT NULL REFERENCES partners(id),"
	"  invoice_id  INTEGER NOT NULL UNIQUE REFERENCES invoices(id),"
	"  period_start INTEGER NOT NULL,"
	"  period_end  INTEGER NOT NULL,"
	"  amount      INTEGER NOT NULL,"
	"  issued_on   INTEGER NOT NULL,"
	"  created_at  INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX acts_partner ON acts(partner_id, id);",
};
#define DB_NMIGRATIONS ((int)(sizeof(db_migrations) / sizeof(db_migrations[0])))

/* One cached statement; the key is the SQL text's address. */
struct db_slot {
	const char	*sql;		/* NULL: empty slot */
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3		*h;
	struct db_slot	*slots;		/* open addressing; nslots is 0 or a power of two */
	size_t		 nslots;
	size_t		 nused;		/* kept below nslots / 2 */
};

static size_t
db_slot_hash(const char *sql, size_t nslots)
{
	uintptr_t p = (uintptr_t)sql;

	p ^= p >> 17;
	p *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(p >> 7) & (nslots - 1);
}

static struct db_slot *
db_slot_find(struct db_slot *slots, size_t nslots, const char *sql)
{
	size_t i = db_slot_hash(sql, nslots);

	while (slots[i].sql != NULL && slots[i].sql != sql)
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

/* Doubles the table (or creates it); existing statements move over. */
static int
db_slots_grow(struct db *db)
{
	size_t n = db->nslots ? db->nslots * 2 : 64, i;
	struct db_slot *slots;

	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (i = 0; i < db->nslots; i++)
		if (db->slots[i].sql != NULL)
			*db_slot_find(slots, n, db->slots[i].sql) = db->slots[i];
	free(db->slots);
	db->slots = slots;
	db->nslots = n;
	return 0;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	struct db_slot *s;
	sqlite3_stmt *st = NULL;

	if (db->nslots && (s = db_slot_find(db->slots, db->nslots, sql))->sql != NULL)
		return s->stmt;
	if ((db->nused + 1) * 2 > db->nslots && db_slots_grow(db) == -1) {
		log_error("db: out of memory for the statement cache");
		return NULL;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("db: prepare failed: %s: \"%.80s\"", sqlite3_errmsg(db->h), sql);
		sqlite3_finalize(st);
		return NULL;
	}
	s = db_slot_find(db->slots, db->nslots, sql);
	s->sql = sql;
	s->stmt = st;
	db->nused++;
	return st;
}

void
db_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
db_step(struct db *db, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)		/* db_stmt failed and logged */
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_error("db: %s: \"%.80s\"", sqlite3_errmsg(db->h), sqlite3_sql(st));
	return -1;
}

int
db_run(struct db *db, sqlite3_stmt *st)
{
	int rc = db_step(db, st);

	db_done(st);
	return rc == -1 ? -1 : 0;
}

int
db_bound(struct db *db, sqlite3_stmt *st, int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	log_error("db: bind failed: %s: \"%.80s\"", sqlite3_errmsg(db->h), sqlite3_sql(st));
	return -1;
}

int
db_bind_str(sqlite3_stmt *st, int idx, const char *s)
{
	/* SQLITE_STATIC: every caller clears the bindings (db_done) before s can go away. */
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

void
db_col_copy(sqlite3_stmt *st, int col, char *dst, size_t dstsz)
{
	str_copy(dst, dstsz, (const char *)sqlite3_column_text(st, col));
}

char *
db_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	char *p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (t != NULL)
		memcpy(p, t, n);
	p[t != NULL ? n : 0] = '\0';
	return p;
}

/* Runs fixed SQL (pragmas, transaction verbs, migrations): never user input. */
static int
db_exec(struct db *db, const char *sql, char *errbuf, size_t errsz)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (errbuf != NULL)
		snprintf(errbuf, errsz, "%s", msg ? msg : sqlite3_errmsg(db->h));
	else
		log_error("db: %s: \"%.80s\"", msg ? msg : sqlite3_errmsg(db->h), sql);
	sqlite3_free(msg);
	return -1;
}

/* A one-integer query such as a pragma or a count; -1 on error. */
int64_t
db_query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	if (db_step(db, st) == 1)
		v = sqlite3_column_int64(st, 0);
	db_done(st);
	return v;
}

int
db_rows(struct db *db, sqlite3_stmt *st, void (*fill)(sqlite3_stmt *, void *), void *rows,
    size_t size, int max)
{
	int n = 0, r = 0;

	while (n < max && (r = db_step(db, st)) == 1)
		fill(st, (char *)rows + (size_t)n++ * size);
	db_done(st);
	return r == -1 ? -1 : n;
}

int
db_rows_by(struct db *db, const char *sql, const int64_t *keys, int nkeys,
    void (*fill)(sqlite3_stmt *, void *), void *rows, size_t size, int max)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int i, rc = SQLITE_OK;

	if (st == NULL)
		return -1;
	for (i = 0; i < nkeys; i++)
		rc |= sqlite3_bind_int64(st, i + 1, keys[i]);
	if (sqlite3_bind_parameter_count(st) > nkeys)
		rc |= sqlite3_bind_int(st, nkeys + 1, max);
	if (db_bound(db, st, rc) == -1) {
		db_done(st);
		return -1;
	}
	return db_rows(db, st, fill, rows, size, max);
}

/* Applies the pending migrations, each in its own transaction. The version is re-read under the
 * write lock, so two processes opening the same file at once apply each migration once. */
static int
db_migrate(struct db *db, char *errbuf, size_t errsz)
{
	char sql[64];
	int v;

	for (;;) {
		if (db_exec(db, "BEGIN IMMEDIATE", errbuf, errsz) == -1)
			return -1;
		v = db_schema_version(db);
		if (v < 0) {
			snprintf(errbuf, errsz, "cannot read the schema version");
			goto fail;
		}
		if (v > DB_NMIGRATIONS) {
			snprintf(errbuf, errsz, "schema version %d is newer than this program's %d",
			    v, DB_NMIGRATIONS);
			goto fail;
		}
		if (v == DB_NMIGRATIONS)
			break;
		if (db_exec(db, db_migrations[v], errbuf, errsz) == -1)
			goto fail;
		/* user_version cannot be bound; v is our own counter, not input. */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (db_exec(db, sql, errbuf, errsz) == -1 || db_exec(db, "COMMIT", errbuf, errsz) == -1)
			goto fail;
	}
	return db_exec(db, "COMMIT", errbuf, errsz);
fail:
	db_exec(db, "ROLLBACK", NULL, 0);
	return -1;
}

static int
db_is_memory(const char *path)
{
	return strcmp(path, ":memory:") == 0 || path[0] == '\0';
}

struct db *
db_open(const char *path, char *errbuf, size_t errsz)
{
	struct db *db = NULL;
	sqlite3_stmt *st;
	int fd, wal = 0;

	if (errsz > 0)
		errbuf[0] = '\0';
	/* Create the file ourselves so it is never readable by others; SQLite gives its -wal and
	 * -shm files the database file's mode. An existing file is made private with chmod: never
	 * open() and close() a database file other connections of this process have open — closing
	 * any descriptor of a file drops all of the process's POSIX locks on it, and another process
	 * could then take the database for unused and delete its WAL under our feet. */
	if (!db_is_memory(path)) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1)
			close(fd);	/* new: nobody can hold a lock on it yet */
		else if (errno != EEXIST) {
			snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
			return NULL;
		} else if (chmod(path, 0600) == -1)
			log_warn("db: cannot make '%s' private (0600): %s", path, strerror(errno));
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(errbuf, errsz, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	/* FULL: a commit survives a power loss, not only a crash. The next getUpdates confirms
	 * what intake committed, and Telegram will not send it again. */
	if (db_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
	    errbuf, errsz) == -1)
		goto fail;
	/* journal_mode answers with the mode in force; anything but wal means it did not take. */
	if ((st = db_stmt(db, "PRAGMA journal_mode = WAL")) == NULL) {
		snprintf(errbuf, errsz, "%s", sqlite3_errmsg(db->h));
		goto fail;
	}
	if (db_step(db, st) == 1)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	db_done(st);
	if (!wal && !db_is_memory(path)) {
		snprintf(errbuf, errsz, "%s: cannot switch to WAL journal mode", path);
		goto fail;
	}
	if (db_migrate(db, errbuf, errsz) == -1)
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nslots; i++)
		sqlite3_finalize(db->slots[i].stmt);
	free(db->slots);
	if (db->h != NULL) {
		/* Keeps the planner's statistics fresh; cheap when nothing changed. */
		sqlite3_exec(db->h, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close(db->h);
	}
	free(db);
}

int
db_begin(struct db *db)
{
	return db_run(db, db_stmt(db, "BEGIN IMMEDIATE"));
}

/* On failure the transaction is rolled back, so the connection is never left inside one. */
int
db_commit(struct db *db)
{
	if (db_run(db, db_stmt(db, "COMMIT")) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		db_run(db, db_stmt(db, "ROLLBACK"));
}

int
db_schema_version(struct db *db)
{
	return (int)db_query_int(db, "PRAGMA user_version");
}

int
db_migrations_count(void)
{
	return DB_NMIGRATIONS;
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int64_t
db_size_bytes(struct db *db)
{
	return db_query_int(db,
	    "SELECT c.page_count * s.page_size FROM pragma_page_count() c, pragma_page_size() s");
}

int
db_exec_fixed(struct db *db, const char *sql)
{
	return db_exec(db, sql, NULL, 0);
}

int
db_run_int(struct db *db, const char *sql, int64_t param)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, param)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	return db_changes(db);
}

/* For a connection whose commits may be lost to a power cut without harm (the sender: a lost
 * "sent" mark only means a message goes again): no fsync per commit. Crash safety stays. */
int
db_relax_sync(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA synchronous = NORMAL");

	if (st == NULL || db_step(db, st) == -1) {
		db_done(st);
		return -1;
	}
	db_done(st);
	return 0;
}
