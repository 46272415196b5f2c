/*
 * config_keys.c — the configuration table (cfg_keys): every key, its type, default, bounds and
 * help line. config.c parses files against it; a test checks config.example.ini against it.
 */
#include <stddef.h>

#include "bot/config.h"

/*
 * The configuration table: one row per key, in the order config.example.ini lists them.
 *   section, name  where the key lives ("[section] name = value");
 *   type           how the value is parsed and which C type the field has:
 *                    CFG_STR    char *, max = longest value in bytes;
 *                    CFG_INT    int64_t, min..max inclusive;
 *                    CFG_BOOL   int, yes/no, true/false, on/off, 1/0;
 *                    CFG_ENUM   char *, one of choices ("a|b");
 *                    CFG_ID     int64_t chat id, any integer, 0 = not set;
 *                    CFG_IDLIST int64_t[max] of positive user ids, followed by an int count;
 *   def            the default, written as in the file (cfg_defaults parses it like a value);
 *   min, max       see type;
 *   choices        CFG_ENUM only;
 *   off            offsetof(struct config, field);
 *   help           one line for config.example.ini (a test checks the file against this table).
 */
const struct cfg_key cfg_keys[] = {
	{ "telegram", "token", CFG_STR, "", 0, TOKEN_LEN, NULL, F(token),
	  "Bot token from @BotFather; prefer BACKOFFICE_TELEGRAM_TOKEN or token_file (set here, this "
	  "file must be 0600)" },
	{ "telegram", "token_file", CFG_STR, "", 0, PATH_LEN, NULL, F(token_file),
	  "File whose first line is the token; must not be readable by group or others (0600)" },
	{ "telegram", "api_url", CFG_STR, "https://api.telegram.org", 0, URL_LEN, NULL, F(api_url),
	  "Bot API base URL, without the /bot<token> part" },
	{ "telegram", "mode", CFG_ENUM, "polling", 0, 0, "polling|webhook", F(mode),
	  "How updates arrive: polling (getUpdates) or webhook" },
	{ "telegram", "poll_timeout", CFG_INT, "25", 1, 50, NULL, F(poll_timeout),
	  "Seconds a getUpdates long poll is held open (1..50)" },
	{ "telegram", "connect_timeout", CFG_INT, "10", 1, 120, NULL, F(connect_timeout),
	  "Seconds to wait for a connection to the Bot API (1..120)" },
	{ "telegram", "retry_after_cap", CFG_INT, "300", 1, 86400, NULL, F(retry_after_cap),
	  "Longest 429 retry_after wait honoured, in seconds; longer ones are capped and reported" },
	{ "telegram", "webhook_url", CFG_STR, "", 0, URL_LEN, NULL, F(webhook_url),
	  "Public https:// URL Telegram delivers updates to (needed in webhook mode)" },
	{ "telegram", "webhook_secret", CFG_STR, "", 0, 256, NULL, F(webhook_secret),
	  "Secret Telegram sends with each webhook call: 1-256 of A-Z a-z 0-9 _ -" },

	{ "access", "superadmins", CFG_IDLIST, "", 1, CFG_MAX_IDS, NULL, F(superadmins),
	  "Telegram user ids with every right, comma-separated (at most 32)" },
	{ "access", "session_minutes", CFG_INT, "60", 5, 1440, NULL, F(session_minutes),
	  "Minutes an access session to a partner's personal data stays open (5..1440)" },

	{ "chats", "team", CFG_ID, "0", 0, 0, NULL, F(chat_team),
	  "Chat id of the team group (0: not set; group ids are negative)" },
	{ "chats", "billing", CFG_ID, "0", 0, 0, NULL, F(chat_billing),
	  "Chat id for payment and dunning alerts (0: not set)" },
	{ "chats", "support", CFG_ID, "0", 0, 0, NULL, F(chat_support),
	  "Chat id for support tickets and SLA alerts (0: not set)" },
	{ "chats", "digest", CFG_ID, "0", 0, 0, NULL, F(chat_digest),
	  "Chat id that receives the daily digest (0: not set)" },
	{ "chats", "audit", CFG_ID, "0", 0, 0, NULL, F(chat_audit),
	  "Chat id that receives the audit trail of changes (0: not set)" },

	{ "alerts", "dormant", CFG_ENUM, "team", 0, 0, "team|billing|support|digest|audit",
	  F(alert_dormant),
	  "Chat of the dormant-partner alerts: team, billing, support, digest or audit" },
	{ "alerts", "drop", CFG_ENUM, "team", 0, 0, "team|billing|support|digest|audit",
	  F(alert_drop), "Chat of the activity-drop alerts (one of the [chats] names)" },
	{ "alerts", "crm", CFG_ENUM, "team", 0, 0, "team|billing|support|digest|audit",
	  F(alert_crm), "Chat of the CRM down and up alerts (one of the [chats] names)" },
	{ "alerts", "telegram", CFG_ENUM, "team", 0, 0, "team|billing|support|digest|audit",
	  F(alert_telegram), "Chat of the Telegram trouble alerts (one of the [chats] names)" },
	{ "alerts", "backlog", CFG_ENUM, "team", 0, 0, "team|billing|support|digest|audit",
	  F(alert_backlog), "Chat of the outbox backlog alerts (one of the [chats] names)" },
	{ "alerts", "dunning", CFG_ENUM, "billing", 0, 0, "team|billing|support|digest|audit",
	  F(alert_dunning), "Chat of the overdue-invoice (dunning) alerts (one of the [chats] names)" },
	{ "alerts", "trial", CFG_ENUM, "billing", 0, 0, "team|billing|support|digest|audit",
	  F(alert_trial), "Chat of the trial-ending reminders (one of the [chats] names)" },

	{ "storage", "database", CFG_STR, "backoffice.db", 0, PATH_LEN, NULL, F(database),
	  "SQLite database file of the back office" },
	{ "storage", "tenants_dir", CFG_STR, "tenants", 0, PATH_LEN, NULL, F(tenants_dir),
	  "Directory of the per-partner CRM databases (<slug>.db)" },
	{ "storage", "backups_dir", CFG_STR, "backups", 0, PATH_LEN, NULL, F(backups_dir),
	  "Directory the scheduled backups are written to" },
	{ "storage", "lock_file", CFG_STR, "", 0, PATH_LEN, NULL, F(lock_file),
	  "Lock file that stops a second instance (empty: the database path plus .lock)" },
	{ "storage", "audit_key_file", CFG_STR, "", 0, PATH_LEN, NULL, F(audit_key_file),
	  "Key of the audit chain, 0600, made on first start (empty: the database path plus "
	  ".audit-key); keep a copy apart from the database" },
	{ "storage", "audit_anchor_file", CFG_STR, "", 0, PATH_LEN, NULL, F(audit_anchor_file),
	  "Append-only file of the daily audit chain heads (empty: the database path plus "
	  ".audit-anchors)" },

	{ "http", "listen", CFG_STR, "127.0.0.1:8080", 0, 256, NULL, F(http_listen),
	  "Address and port of the HTTP server (webhook, CRM API, /healthz, /metrics)" },
	{ "http", "api_token", CFG_STR, "", 0, 256, NULL, F(api_token),
	  "Bearer token the CRM must send to the API (empty: the API refuses every call)" },
	{ "http", "body_limit", CFG_INT, "1048576", 1024, 64 << 20, NULL, F(http_body_limit),
	  "Largest request body accepted, in bytes (1024..67108864); a larger one gets 413" },

	{ "monitoring", "crm_health_url", CFG_STR, "", 0, URL_LEN, NULL, F(crm_health_url),
	  "CRM health URL the bot probes with GET, http:// or https:// (empty: no probe)" },
	{ "monitoring", "probe_interval", CFG_INT, "60", 5, 3600, NULL, F(probe_interval),
	  "Seconds between two probes of the CRM health URL (5..3600)" },
	{ "monitoring", "probe_failures", CFG_INT, "3", 1, 20, NULL, F(probe_failures),
	  "Probes in a row that must fail (or succeed) to call the CRM down (or up) (1..20)" },
	{ "monitoring", "dormant_days", CFG_INT, "14", 1, 365, NULL, F(dormant_days),
	  "Days without a login after which an active partner is dormant (1..365)" },
	{ "monitoring", "drop_percent", CFG_INT, "50", 10, 100, NULL, F(drop_percent),
	  "Week-over-week activity drop, in percent, that raises an alert (10..100)" },
	{ "monitoring", "backlog_threshold", CFG_INT, "100", 1, 1000000, NULL, F(backlog_threshold),
	  "Messages waiting in the outgoing queue above which the team is alerted (1..1000000)" },

	{ "billing", "payment_terms_days", CFG_INT, "10", 0, 90, NULL, F(payment_terms_days),
	  "Days from an invoice's issue to its due date (0..90)" },
	{ "billing", "renew_ahead_days", CFG_INT, "7", 0, 60, NULL, F(renew_ahead_days),
	  "Days before a period ends that the next period's invoice is issued (0..60)" },
	{ "billing", "trial_notice_days", CFG_INT, "3", 0, 30, NULL, F(trial_notice_days),
	  "Days before a trial ends that billing is reminded (0..30)" },
	{ "billing", "grace_days", CFG_INT, "7", 1, 90, NULL, F(grace_days),
	  "Days after the due date that an unpaid partner is suspended (1..90)" },
	{ "billing", "block_after_days", CFG_INT, "14", 2, 180, NULL, F(block_after_days),
	  "Days after the due date that an unpaid partner is blocked (2..180, above grace_days)" },

	{ "general", "timezone", CFG_STR, "Europe/Moscow", 0, 64, NULL, F(timezone),
	  "IANA time zone for schedules, due dates and the times users see" },
	{ "general", "language", CFG_ENUM, "ru", 0, 0, "ru|en", F(language_name),
	  "Language of the bot's messages: ru or en" },

	{ "limits", "chat_per_minute", CFG_INT, "60", 1, 100000, NULL, F(chat_per_minute),
	  "Messages per minute to one private chat" },
	{ "limits", "chat_burst", CFG_INT, "3", 1, 1000, NULL, F(chat_burst),
	  "Messages one chat may receive in a short burst" },
	{ "limits", "group_per_minute", CFG_INT, "20", 1, 100000, NULL, F(group_per_minute),
	  "Messages per minute to one group" },
	{ "limits", "global_per_second", CFG_INT, "30", 1, 10000, NULL, F(global_per_second),
	  "Messages per second over all chats" },
};
#define CFG_NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))
const size_t cfg_nkeys = CFG_NKEYS;

/* config.c keeps a line number per key in an array of CFG_KEYS_MAX. */
_Static_assert(CFG_NKEYS <= CFG_KEYS_MAX, "more keys than CFG_KEYS_MAX");
