/*
 * schema.c — the database's schema: the list of migrations db.c applies when it opens a file.
 */
#include "storage/db_private.h"

/*
 * Migrations: an append-only list. Entry i takes the schema from user_version i to i + 1 and runs
 * in its own transaction. Never edit or reorder a shipped entry; append a new one instead.
 * Enum values appear as literals (state = 0 is pending) so partial indexes can serve the scans.
 */
const char *const db_migrations[] = {
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

	/* 7: billing (storage/billing/billing.h). Money in kopecks, dates as day numbers (the civil date
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

	/* 8: the sender's reads stay flat however long the backlog: the due rows are walked in
	 * the order they go (outbox_order) and stop at the batch's size, and whether a chat is held
	 * by an earlier row waiting for its retry is one seek (outbox_chat_wait), not a walk over
	 * the chat's pending rows. Saved list filters are found again instead of piling up. */
	"DROP INDEX outbox_chat_pending;"
	/* Fewer pages per send: a hand-over and a sent mark touched six index pages. The rows in
	 * flight are found by a scan once at start, the daily prune scans the week it keeps, and
	 * the earliest next_at (asked only when nothing is due) reads outbox_chat_wait. */
	"DROP INDEX outbox_next;"
	"DROP INDEX outbox_sending;"
	"DROP INDEX outbox_finished;"
	"DROP INDEX inbox_processed;"
	"CREATE INDEX outbox_chat_wait ON outbox(chat_id, next_at) WHERE state = 0;"
	"CREATE INDEX outbox_order ON outbox(priority DESC, id) WHERE state = 0;"
	"CREATE INDEX saved_queries_user ON saved_queries(user_id, kind, text);",
};

int
db_migrations_count(void)
{
	return (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));
}
