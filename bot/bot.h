/*
 * bot.h — the runtime's private header: prototypes grouped by the file that defines them.
 * Only bot/ includes curl, cJSON and libwebsockets headers; nothing here exposes their types.
 */
#ifndef BOT_H
#define BOT_H

#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "bot/base.h"

#ifndef BO_VERSION
#define BO_VERSION "0.0.0"
#endif

struct db;		/* storage/storage.h: an open back-office database */

/* Telegram limits (TELEGRAM.md). */
#define TG_TEXT_MAX 4096	/* characters per message, after entities */
#define TG_SPLIT_AT 4000	/* characters: we split a little below the limit */
#define TG_CALLBACK_MAX 64	/* bytes of callback_data */
#define TG_ANSWER_MAX 200	/* characters of an answerCallbackQuery text */

/* config.c — parsed against one table (type, default, range, help). */
#define CFG_MAX_IDS 32
enum lang { LANG_RU, LANG_EN };
struct config {
	char	*path;			/* the file it came from */
	unsigned path_mode;		/* its permission bits when it was read */
	/* [telegram] */
	char	*token;			/* never logged */
	char	*token_file;
	char	*api_url;		/* base URL without the /bot<token> part */
	char	*mode;			/* "polling" or "webhook" */
	int64_t	 poll_timeout;		/* seconds of a held getUpdates */
	int64_t	 connect_timeout;	/* seconds */
	int64_t	 retry_after_cap;	/* seconds: longer 429 waits are capped and reported */
	char	*webhook_url;
	char	*webhook_secret;
	/* [access] */
	int64_t	 superadmins[CFG_MAX_IDS];
	int	 nsuperadmins;
	int64_t	 session_minutes;	/* access sessions to personal data last this long */
	/* [chats] 0 = not configured */
	int64_t	 chat_team, chat_billing, chat_support, chat_digest, chat_audit;
	/* [storage] */
	char	*database;
	char	*tenants_dir;
	char	*backups_dir;
	char	*lock_file;		/* empty: <database>.lock */
	char	*audit_key_file;	/* empty: <database>.audit-key */
	char	*audit_anchor_file;	/* empty: <database>.audit-anchors */
	/* [http] */
	char	*http_listen;
	char	*api_token;
	int64_t	 http_body_limit;	/* bytes */
	/* [monitoring] */
	char	*crm_health_url;	/* "" = no probe */
	int64_t	 probe_interval;	/* seconds */
	int64_t	 probe_failures;	/* failures (and successes) in a row that flip the state */
	int64_t	 dormant_days;
	int64_t	 drop_percent;		/* week-over-week activity drop that alerts */
	int64_t	 backlog_threshold;	/* outbox rows pending that alert */
	/* [alerts] each kind's chat: "team", "billing", "support", "digest" or "audit" */
	char	*alert_dormant, *alert_drop, *alert_crm, *alert_telegram, *alert_backlog;
	char	*alert_dunning, *alert_trial;
	/* [billing] days */
	int64_t	 payment_terms_days;	/* issue → due date */
	int64_t	 renew_ahead_days;	/* the next period's invoice, before the period ends */
	int64_t	 trial_notice_days;	/* the trial reminder, before the trial ends */
	int64_t	 grace_days;		/* due date → suspended */
	int64_t	 block_after_days;	/* due date → blocked */
	/* [general] */
	char	*timezone;
	char	*language_name;		/* "ru" or "en" */
	enum lang language;
	/* [limits] outbox rate limits */
	int64_t	 chat_per_minute;	/* messages per minute to one private chat (about 1/s) */
	int64_t	 chat_burst;		/* short bursts allowed per chat */
	int64_t	 group_per_minute;	/* messages per minute to one group */
	int64_t	 global_per_second;	/* messages per second overall */
};
enum cfg_type { CFG_STR, CFG_INT, CFG_BOOL, CFG_ENUM, CFG_ID, CFG_IDLIST };
struct cfg_key {
	const char	*section;
	const char	*name;
	enum cfg_type	 type;
	const char	*def;		/* default, as it would be written in the file */
	int64_t		 min, max;	/* CFG_INT range; CFG_STR maximum length in max */
	const char	*choices;	/* CFG_ENUM: "a|b|c" */
	size_t		 off;		/* offset in struct config */
	const char	*help;		/* one line, English, for config.example.ini */
};
extern const struct cfg_key cfg_keys[];
extern const size_t cfg_nkeys;
void	 cfg_defaults(struct config *);
/* Loads path over the defaults. 0 ok; -1 with one "file:line: message" per error in err. */
int	 cfg_load(struct config *, const char *path, struct buf *err);
/* Token: BACKOFFICE_TELEGRAM_TOKEN, then token, then token_file. A token_file, and a config file
 * that holds a token, must not be accessible by group or others (refused, even with the env). */
int	 cfg_resolve_token(struct config *, struct buf *err);
int	 cfg_is_superadmin(const struct config *, int64_t user_id);
void	 cfg_free(struct config *);

/* ratelimit.c — token buckets: per chat, per group, global. Pure logic, clock passed in. */
struct bucket {
	double	 tokens;
	double	 cap;
	double	 per_ms;	/* refill rate */
	int64_t	 last_ms;
};
void	 bucket_init(struct bucket *, double cap, double per_second, int64_t now_ms);
/* 0: a token was taken. >0: milliseconds until one will be available (nothing taken). */
int64_t	 bucket_take(struct bucket *, int64_t now_ms);
struct ratelimit;
struct ratelimit *ratelimit_new(const struct config *);
/* Takes a token from the global bucket and the chat's bucket (group or private rate) or none.
 * 0: send now. >0: milliseconds to wait. */
int64_t	 ratelimit_take(struct ratelimit *, int64_t chat_id, int is_group, int64_t now_ms);
/* Milliseconds until the global bucket has a token (0: it has one); takes nothing. */
int64_t	 ratelimit_global_wait(struct ratelimit *, int64_t now_ms);
/* Gives back the tokens a take just took for chat_id, when the call was not made after all. */
void	 ratelimit_refund(struct ratelimit *, int64_t chat_id);
size_t	 ratelimit_chats(const struct ratelimit *);	/* chat buckets kept (bounded); for tests */
void	 ratelimit_free(struct ratelimit *);

/* tg.c — the Telegram Bot API client (libcurl + cJSON). One client per thread. */
enum tg_class {
	TG_OK,			/* ok:true */
	TG_NOT_MODIFIED,	/* 400 "message is not modified": success */
	TG_RETRY_AFTER,		/* 429: wait retry_after seconds */
	TG_TRANSIENT,		/* 5xx, network error, timeout, malformed body: back off and retry */
	TG_CONFLICT,		/* 409: another getUpdates consumer or a webhook */
	TG_UNAUTHORIZED,	/* 401: bad token */
	TG_BLOCKED,		/* 403: blocked by the user, kicked, can't initiate: record, no retry */
	TG_MIGRATED,		/* 400 with migrate_to_chat_id */
	TG_BAD_REQUEST,		/* any other 4xx: permanent */
};
struct tg_result {
	enum tg_class	 cls;
	long		 http_status;	/* 0 when no HTTP response */
	int		 error_code;
	char		 description[256];
	int64_t		 retry_after;	/* seconds, from parameters */
	int64_t		 migrate_to;	/* chat id, from parameters */
	char		*result;	/* owned: the "result" member as JSON text, or NULL */
	int64_t		 message_id;	/* the result's message_id when it is a Message, else 0 */
	int		 connect_failed;	/* the request surely never reached the server */
	int64_t		 latency_ms;
};
const char	*tg_class_name(enum tg_class);
/* Classifies a response (pure: used by tg_call and the unit tests). body may be NULL. */
void		 tg_classify(long http_status, const char *body, size_t len, struct tg_result *);
struct tg_client;
struct tg_client *tg_new(const char *api_url, const char *token, int64_t connect_timeout_s);
/* POSTs a JSON body (NULL for none) to METHOD; total timeout is timeout_s (> the long poll).
 * Fills *res (release with tg_result_release). Returns res->cls. Never logs the token. */
enum tg_class	 tg_call(struct tg_client *, const char *method, const char *json, int64_t timeout_s,
		    struct tg_result *);
void		 tg_result_release(struct tg_result *);
/* Makes tg_call return TG_TRANSIENT quickly once *flag becomes non-zero (shutdown). */
void		 tg_set_abort_flag(struct tg_client *, volatile sig_atomic_t *flag);
void		 tg_free(struct tg_client *);

/* update.c — an Update as a typed, length-checked struct (only this file reads update JSON). */
enum update_kind { UPD_MESSAGE, UPD_CALLBACK, UPD_MY_CHAT_MEMBER, UPD_OTHER };
struct tg_user {
	int64_t	 id;
	int	 is_bot;
	char	 username[64];
	char	 first_name[256];
	char	 last_name[256];
	char	 language_code[16];
};
struct tg_update {
	int64_t		 update_id;	/* 0 when absent (console) */
	enum update_kind kind;
	struct tg_user	 from;
	int64_t		 chat_id;
	char		 chat_type[16];	/* private, group, supergroup, channel */
	char		 chat_title[256];
	int64_t		 message_id;	/* the message, or the message carrying the pressed button */
	int64_t		 thread_id;	/* forum topic, 0 when none */
	char		*text;		/* owned, may be NULL: message text or caption */
	int64_t		 reply_to_message_id;
	char		 callback_id[128];
	char		 callback_data[TG_CALLBACK_MAX + 1];
	int64_t		 migrate_to_chat_id;	/* service message: this group became a supergroup */
	int64_t		 migrate_from_chat_id;
	char		 new_status[32];	/* my_chat_member: member, administrator, kicked, left */
	char		 nul_field[128];	/* refused: the member holding a NUL ("message.text") */
};
/* 0 ok; -1 and a reason in err (bounded) when the JSON is not a usable Update; then only
 * update_id and, for a rejected button press, callback_id are kept (kind is UPD_OTHER). A
 * string holding a NUL ("\u0000", which would cut it) refuses the whole update: nul_field
 * names it, and kind, chat_id, chat_type and from.id stay as far as they were read, so the
 * person can be told. */
int	 update_parse(const char *json, size_t len, struct tg_update *, struct buf *err);
int	 update_is_group(const struct tg_update *);
void	 update_release(struct tg_update *);
/* Builds Update JSON for the console and tests (caller frees). */
char	*update_json_message(int64_t update_id, int64_t user_id, const char *username,
	    const char *first_name, int64_t chat_id, const char *chat_type, int64_t message_id,
	    const char *text);
char	*update_json_callback(int64_t update_id, int64_t user_id, const char *username,
	    const char *first_name, int64_t chat_id, const char *chat_type, int64_t message_id,
	    const char *callback_id, const char *data);

/* latency.c — recent samples for percentiles. */
#define LAT_SAMPLES 4096
struct latency {
	int64_t		 us[LAT_SAMPLES];	/* a ring of the latest samples, microseconds */
	size_t		 n, next;
	pthread_mutex_t	 mu;
};
void	 latency_init(struct latency *);
void	 latency_record(struct latency *, int64_t us);
int64_t	 latency_pct(struct latency *, int pct);	/* -1 when empty */

/* probe.c — the CRM health probe (its own thread): GET [monitoring] crm_health_url every
 * probe_interval s; down after probe_failures failures in a row, up after as many successes. */
struct probe_state {
	int	 configured;
	int	 up;			/* 1 up, 0 down, -1 not known yet */
	int64_t	 last_at;		/* unix seconds */
	int64_t	 last_latency_ms;
	long	 last_status;		/* HTTP status, 0 on a network error */
	char	 last_error[128];
	int64_t	 changed_at;
};
/* app.c — what the threads share. */
struct stats {
	int64_t	 started_at;		/* unix seconds */
	int64_t	 updates_in;
	int64_t	 updates_done;
	int64_t	 messages_out;
	int64_t	 tg_errors;
	int64_t	 last_poll_ok;		/* unix seconds of the last successful getUpdates */
	int64_t	 sender_rounds;		/* sender rounds run */
	int64_t	 sender_rows_read;	/* outbox rows the sender read */
};
struct app {
	struct config	 cfg;
	const char	*config_path;
	int		 console;	/* console transport instead of Telegram */
	int		 verbose;
	char		 bot_username[64];
	int64_t		 bot_id;
	volatile sig_atomic_t stop;	/* set by SIGTERM/SIGINT */
	volatile sig_atomic_t reload;	/* set by SIGHUP */
	volatile sig_atomic_t abort_sends;	/* set when a send in flight outlives the stop grace */
	pthread_mutex_t	 mu;		/* guards the fields below and cfg during reload */
	pthread_cond_t	 cond;
	pthread_rwlock_t cfg_lock;	/* readers: the worker per update; writer: SIGHUP reload */
	int		 exit_code;	/* set with stop by a thread that gives up (401) */
	int		 inbox_pending;	/* work for the worker */
	int		 outbox_pending;	/* work for the sender */
	struct stats	 stats;
	struct latency	 handler_latency;	/* one update through dispatch */
	struct probe_state probe;		/* guarded by mu */
	struct latency	 tg_latency;		/* one Bot API call */
};
void	 app_init(struct app *);
void	 app_destroy(struct app *);
void	 app_wake_worker(struct app *);
void	 app_wake_sender(struct app *);
/* Waits for a wake-up or timeout_ms; returns 1 when woken, 0 on timeout. flag selects the field. */
int	 app_wait(struct app *, int *flag, int64_t timeout_ms);
void	 app_wake_all(struct app *);
/* The settings SIGHUP may change, read consistently by threads other than the worker. */
struct app_live {
	int64_t	 retry_after_cap;
	int64_t	 chat_team;
	enum lang language;
};
void	 app_live(struct app *, struct app_live *);
/* SIGHUP: re-reads the configuration and swaps in what can change live (main thread).
 * 0 reloaded, -1 the file has errors and the old settings stay. */
int	 app_reload(struct app *, struct db *);
/* A long 429 wait: logged, and raises the "telegram" alert (warn) in its own transaction; the
 * time is kept in state TG_LONG_WAIT_KEY for the queues job, which resolves the episode. */
#define TG_LONG_WAIT_KEY	"tg_long_wait_at"
void	 app_report_throttle(struct app *, struct db *, const char *method, int64_t asked,
	    int64_t waited);
void	 app_stat_add(struct app *, int64_t *field, int64_t n);
void	 app_stat_set(struct app *, int64_t *field, int64_t v);
int64_t	 app_backoff_ms(int attempt);
void	 app_sleep(struct app *, int64_t ms);
struct db *app_thread_db(struct app *, const char *who);	/* NULL: the bot is stopping */
int64_t	 app_chat(struct db *, int64_t chat_id);	/* follows group → supergroup moves */
int	 app_chat_migrate(struct db *, int64_t old_chat, int64_t new_chat);

/* intake.c — the poller: getUpdates → inbox (durable) → next offset. */
void	*intake_thread(void *app);
/* One getUpdates round; 0 ok, -1 failed (already logged and backed off). Exposed for tests. */
int	 intake_poll_once(struct app *, struct tg_client *, struct db *);

/* worker.c — drains the inbox in order, one transaction per update. */
void	*worker_thread(void *app);
/* Processes the oldest pending updates in one transaction: how many, 0 none pending, -1 error. */
int	 worker_process_batch(struct app *, struct db *);

/* sender.c — drains the outbox under the rate limits. */
void	*sender_thread(void *app);

/* What a row needs before it can go: SENDER_GO with the JSON body in *json (caller frees with
 * free), SENDER_HOLD (an edit whose message is not sent yet: the row and its chat wait), or
 * SENDER_FAIL (why filled: the row is dropped as failed). */
enum sender_prep { SENDER_GO, SENDER_HOLD, SENDER_FAIL };
struct outbox_row;
enum sender_prep sender_prepare(struct db *, const struct outbox_row *, char **json, char *why,
	    size_t whysz);

/* dispatch.c — parse → who → table lookup → gate → handler. Runs inside the worker's transaction. */
int	 dispatch_update(struct app *, struct db *, int64_t inbox_id, const struct tg_update *);
/* "/name@bot args": 0 a command for us, 1 for another bot, -1 not a command. */
int	 dispatch_parse_command(const char *text, const char *bot_username, char *name, size_t namesz,
	    const char **args);

/* reply.c — serialises keyboards and queues outgoing messages (see handlers.h for the verbs). */
int	 reply_answer_callback(struct db *, const char *callback_id, const char *text, int alert,
	    int64_t inbox_id);

/* http.c — the HTTP server (libwebsockets) on [http] listen: the CRM API, the Telegram webhook,
 * /healthz and /metrics. It runs in the main thread, whose loop also handles SIGHUP. */
#define HTTP_MAX_PARAMS 4
struct http_req {
	const char	*method;	/* "GET", "POST", "PUT", … */
	const char	*path;		/* without the query string */
	const char	*query;		/* "" when none */
	const char	*body;		/* NUL-terminated; "" when none; at most [http] body_limit
					 * bytes (larger bodies are answered 413 before any route) */
	size_t		 body_len;
	char		 request_id[24];	/* in every log line about this request */
	int		 authorized;	/* "Authorization: Bearer <api_token>" matched (constant time) */
	const char	*webhook_secret;	/* X-Telegram-Bot-Api-Secret-Token, "" when absent */
	const char	*content_type;	/* Content-Type, "" when absent */
	/* the {…} segments of the route's pattern, in order: non-empty, %-decoded by lws, never
	 * containing '/' (e.g. the partner of /api/v1/partners/{}/status is params[0]) */
	const char	*params[HTTP_MAX_PARAMS];
	int		 nparams;
};
struct http_resp {
	int		 status;
	const char	*content_type;	/* default application/json; charset=utf-8 */
	struct buf	 body;
};
/* A route's handler: runs in the main thread with the main connection, owns its transactions,
 * sets resp->status and writes JSON into resp->body (or calls http_json_error). The request and
 * its strings live until the handler returns. */
typedef void	(*http_handler)(struct app *, struct db *, const struct http_req *,
		    struct http_resp *);
struct http_route {
	const char	*method;
	const char	*pattern;	/* "/api/v1/partners/{}/status": {} matches one segment */
	int		 auth;		/* needs the bearer token */
	const char	*name;		/* for metrics: a route label */
	http_handler	 fn;
};
/* {"error": "...", "field": "..."} with the status (field may be NULL). */
void	 http_json_error(struct http_resp *, int status, const char *error, const char *field);
/* 1 when given equals expected (a non-empty secret), compared in constant time. */
int	 http_secret_equal(const char *given, const char *expected);
/* Serves until app->stop; runs SIGHUP reloads between events. 0/-1. */
int	 http_run(struct app *, struct db *);

/* http_framing.c — a request's body length from its headers, strictly (request smuggling), and
 * the body as lws hands it over. Pure: the server, the unit test and the fuzzer call it. */
enum http_framing_action {
	HTTP_FRAMING_REFUSE,	/* answer status/error at once and close; read nothing more */
	HTTP_FRAMING_NONE,	/* no body: answer, then close (lws hides bytes that follow) */
	HTTP_FRAMING_BODY,	/* read length bytes (dropped when too_large), then decide */
};
struct http_framing_in {
	const char	*method;	/* "GET", "POST", … */
	int		 ncl;		/* Content-Length headers received */
	const char	*cl;		/* the first one's value (lws drops leading spaces) */
	int		 nte;		/* Transfer-Encoding headers received */
	int		 spaced_name;	/* "Content-Length :" or "Transfer-Encoding :" was sent */
	int		 expect_continue;	/* Expect: 100-continue */
	int64_t		 body_limit;	/* [http] body_limit */
};
struct http_framing {
	enum http_framing_action action;
	int		 status;	/* REFUSE: 400 or 411 */
	char		 error[192];	/* REFUSE: the JSON error */
	int64_t		 length;	/* the declared body length */
	int		 too_large;	/* length > body_limit: the answer is 413 */
	int		 expect_continue;	/* the client waits for "100 Continue" */
	int64_t		 got;		/* body bytes so far (<= length) */
	int		 complete;	/* lws reported the end of the body */
	int		 surplus;	/* something came after the body */
};
void	 http_framing_check(const struct http_framing_in *, struct http_framing *);
/* A body chunk of len bytes: 1 it belongs to the body, 0 it is surplus (nothing to keep). */
int	 http_framing_body(struct http_framing *, size_t len);
/* lws says the body is complete; said again, lws holds bytes after it. */
void	 http_framing_done(struct http_framing *);
/* Once the body is complete, with bytes_waiting on the socket: 0 serve it, -1 refused (400). */
int	 http_framing_verdict(struct http_framing *, int bytes_waiting);
/* After the answer: 1 the connection may carry another request. */
int	 http_framing_keep_alive(const struct http_framing *, int bytes_waiting);

/* api.c — the CRM endpoints (routes below), idempotent by the caller's ids. */
void	 api_events(struct app *, struct db *, const struct http_req *, struct http_resp *);
void	 api_volume(struct app *, struct db *, const struct http_req *, struct http_resp *);
void	 api_status(struct app *, struct db *, const struct http_req *, struct http_resp *);
/* api_payments.c — payments from the provider or a bank import, idempotent by its ids. */
void	 api_payments(struct app *, struct db *, const struct http_req *, struct http_resp *);

/* webhook.c — webhook mode: setWebhook at start, POST /telegram/webhook into the inbox. */
int	 webhook_setup(struct app *, struct tg_client *);	/* 0 ok, -1 failed (logged) */
void	 webhook_receive(struct app *, struct db *, const struct http_req *, struct http_resp *);

/* metrics.c — counters and histograms for /metrics (Prometheus text) and /health. */
enum metric_counter {
	M_UPDATES_IN, M_UPDATES_DONE, M_MESSAGES_OUT, M_HTTP_REQUESTS,
	M_COUNTERS
};
void	 metrics_http(const char *route, int status);	/* one HTTP request served */
void	 metrics_tg_call(const char *method, enum tg_class, int64_t latency_ms);
void	 metrics_alert(const char *kind);	/* an alert episode opened */
void	 metrics_handler(int64_t us);		/* one update through dispatch */
void	 healthz(struct app *, struct db *, const struct http_req *, struct http_resp *);
void	 metrics_page(struct app *, struct db *, const struct http_req *, struct http_resp *);

void	*probe_thread(void *app);
void	 probe_get(struct app *, struct probe_state *);	/* a consistent copy */

/* sched.c — periodic, idempotent jobs. */
void	 sched_run_due(struct app *, struct db *);
/* The scheduler's thread: its own connection, sched_run_due every SCHED_TICK_MS until stop. */
void	*sched_thread(void *);

/* console.c — the console transport. */
int	 console_main(struct app *);

/* demo.c — demo data for `make run` and the benchmarks. */
/* Seeds the database (idempotent); a summary line goes to report unless it is NULL. 0/-1. */
int	 demo_seed(const char *database, int64_t partners, FILE *report);

/* menu.c — setMyCommands per scope. */
int	 menu_refresh(struct app *, struct db *, int64_t user_id);	/* 0: the default scope */
int	 menu_refresh_all(struct app *, struct db *);			/* own transaction */

#endif
