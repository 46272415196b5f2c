/*
 * handlers.h — back-office actions. Handlers see plain C structs: a request context, the verbs of
 * storage/ and the reply verbs below. They never see JSON, curl or SQLite.
 *
 * A handler runs inside the worker's transaction for its update: its domain writes, audit records
 * and outgoing messages commit together or not at all. It returns 0 on success or -1 on failure
 * (the transaction is rolled back and the user gets a generic error).
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <stdint.h>

#include "bot/bot.h"
#include "storage/storage.h"

/* Permissions are role bitmasks; a member passes when they hold any listed role.
 * Superadmins pass everything. PERM_PUBLIC lets unknown users in (only /start and /help). */
#define PERM_PUBLIC	0u
#define PERM_MEMBER	ROLE_ALL

/* Command and button flags. */
#define CMD_WRITES	(1u << 0)	/* changes state */
#define CMD_CONFIRM	(1u << 1)	/* asks for confirmation before acting */
#define CMD_PARTNER	(1u << 2)	/* touches partner data (audited) */
#define CMD_HIDDEN	(1u << 3)	/* not shown in /help or the menu */
#define CMD_PRIVATE	(1u << 4)	/* only in a private chat with the bot */
#define CMD_ANYCHAT	(1u << 5)	/* also in groups that are not one of the configured [chats] */

/* A request: one command or one button press, from one person, in one chat. */
struct ctx {
	struct app	*app;
	struct db	*db;
	const struct config *cfg;
	enum lang	 lang;
	int64_t		 inbox_id;	/* the update being handled: dedupe keys derive from it */
	int		 nout;		/* outgoing messages queued so far (dedupe key suffix) */
	int64_t		 now;		/* unix seconds, read once per request */

	/* who */
	int64_t		 user_id;
	const char	*username;	/* without '@', may be "" */
	const char	*first_name;
	int		 is_member;	/* in the team (or a bootstrap superadmin) */
	unsigned	 roles;

	/* where */
	int64_t		 chat_id;
	int		 is_group;
	int64_t		 thread_id;
	int64_t		 message_id;	/* the command's message, or the message carrying the button */

	/* what */
	const char	*command;	/* without '/' and '@bot'; NULL for a button */
	const char	*args;		/* the rest of the line, trimmed; "" when none */
	const char	*verb;		/* button verb; NULL for a command */
	const char	*arg;		/* button argument after "verb:"; "" when none */
	int		 is_callback;	/* answered by dispatch before the handler runs */
};

/* Inline keyboards as plain data; reply.c turns them into JSON. */
#define KB_MAX_BUTTONS 100
#define KB_MAX_ROWS 20
struct kb_button {
	char	 text[256];
	char	 data[TG_CALLBACK_MAX + 1];	/* verb:arg, at most 64 bytes */
	int	 row;
};
struct kb {
	struct kb_button b[KB_MAX_BUTTONS];
	int	 n;
	int	 row;		/* current row index */
	int	 overflow;	/* a button did not fit (too many, or data over 64 bytes) */
};
void	 kb_init(struct kb *);
void	 kb_row(struct kb *);		/* the next button starts a new row */
/* Adds a button; data is printf-formatted "verb:arg". -1 if it does not fit (kb->overflow set). */
int	 kb_button(struct kb *, const char *text, const char *datafmt, ...) PRINTFLIKE(3, 4);

/* reply.c — queue outgoing messages in the current transaction. html is already escaped where it
 * interpolates values (use buf_add_html). Long texts are split at line boundaries. */
int	 reply(struct ctx *, const char *html, const struct kb *);
/* Edits the message that carried the pressed button; for a command it replies instead. */
int	 reply_edit(struct ctx *, const char *html, const struct kb *);
/* An answer to bad input (a usage line, "not found", a refusal, a validation error): always
 * one message, cut with "…" if it grew too long. Quote what the person typed with
 * buf_add_quote. reply_edit_error edits as reply_edit does. */
int	 reply_error(struct ctx *, const char *html);
int	 reply_edit_error(struct ctx *, const char *html);
/* A message to another chat (alerts, access requests). dedupe may be NULL. */
int	 notify(struct ctx *, int64_t chat_id, const char *html, const struct kb *, const char *dedupe);
/* Same, outside a request (jobs): the caller owns the transaction. */
int	 notify_chat(struct db *, int64_t chat_id, int is_group, const char *html, const struct kb *,
	    const char *dedupe);
/* A message that will be edited in place later (alerts): one message only (a text over
 * TG_SPLIT_AT characters is refused); the id of its outbox row in *outbox_id (0 when the chat
 * is 0: not configured, nothing queued). 0 ok (or a duplicate dedupe: its row's id), -1 error. */
int	 notify_post(struct db *, int64_t chat_id, int is_group, const char *html,
	    const struct kb *, const char *dedupe, int64_t *outbox_id);
/* Edits the message that outbox row outbox_id posts (the sender waits until it is sent);
 * without a keyboard the old one is removed. dedupe may be NULL. 0 ok, -1 error. */
int	 notify_edit_posted(struct db *, int64_t outbox_id, const char *html, const struct kb *,
	    const char *dedupe);
/* Localised text: the Russian or the English string by the configured language. */
#define TR(c, ru, en) ((c)->lang == LANG_EN ? (en) : (ru))

/* The command table. Rows, not switches: dispatch checks arity and permission before exec. */
struct command {
	const char	*name;		/* without '/', lowercase a-z0-9_ (Telegram's rule) */
	const char	*usage;		/* arguments as shown in help, "" when none */
	unsigned	 perm;		/* roles that may run it */
	unsigned	 flags;		/* CMD_* */
	int		 min_args;	/* words required after the command */
	const char	*help_ru;
	const char	*help_en;
	int		(*exec)(struct ctx *);
};
/* What a button's argument names, as the gate weighs it after the roles: an alert's kind has
 * roles of its own. Filled by the button's subject rule. */
struct gate_subject {
	unsigned	 perm;		/* roles that may press it on this (superadmins always may) */
	int64_t		 partner_id;	/* the partner it is about, 0 none: for the audit record */
	char		 what[64];	/* "alert #12 (dunning)": for the log and the audit record */
};
/* The button table: callback data is "verb:arg"; every press is re-authorised. */
struct button {
	const char	*verb;
	unsigned	 perm;
	unsigned	 flags;
	int		(*exec)(struct ctx *);
	/* NULL, or the rule of what the argument names (callback data can be forged): 1 found
	 * (*s filled), 0 no such thing (a stale or damaged button), -1 error. */
	int		(*subject)(struct ctx *, struct gate_subject *s);
};

/* registry.c — all blocks' tables, looked up by dispatch, /help and the menu. */
const struct command	*registry_command(const char *name);
const struct button	*registry_button(const char *verb);
/* Iterates every command: i from 0 until NULL. */
const struct command	*registry_command_at(size_t i);
const struct button	*registry_button_at(size_t i);
/* The gate: may someone holding roles (is_member false = unknown) use something needing perm? */
int	 gate_allows(int is_member, unsigned roles, unsigned perm);
/* The gate for a press: the button's roles, then (with a subject rule) those of what it names. */
enum gate_verdict {
	GATE_PASS,	/* go on */
	GATE_ROLE,	/* the button is not for the presser's roles */
	GATE_SUBJECT,	/* the button is, but what it names is not (*s says what and for whom) */
	GATE_STALE,	/* it names nothing that exists */
	GATE_ERROR,	/* what it names could not be read: refused */
};
enum gate_verdict gate_button(struct ctx *, const struct button *, struct gate_subject *s);

/* start.c — /start, /help, /whoami, /cancel, /skip: what every member has. */
extern const struct command start_commands[];
/* Sent to an unknown user for anything but /start. */
int	 start_refuse(struct ctx *);
/* The help text for what roles may run (used by /help and the console). */
int	 start_help_text(struct ctx *, struct buf *);

/* Guided dialogs: a person answers field by field. While one is open in a chat, plain text from
 * its owner goes to the dialog's handler; /cancel leaves it, /skip skips an optional field. */
struct dialog_kind {
	const char	*kind;		/* matches struct dialog.kind */
	unsigned	 perm;		/* re-checked on every answer */
	int		(*on_text)(struct ctx *, const struct dialog *, const char *text);
	int		(*on_skip)(struct ctx *, const struct dialog *);	/* NULL: nothing to skip */
};
const struct dialog_kind *registry_dialog(const char *kind);
const struct dialog_kind *registry_dialog_at(size_t i);	/* from 0 until NULL */
#define DIALOG_TTL (30 * 60)	/* seconds a dialog waits for an answer */

/* validate.c — the checks at the boundary of a person's input. Each returns 0 with the value
 * normalised into out, or -1 with err filled: what is wrong and an example of what to type. */
int	 valid_inn(const char *in, char *out, size_t outsz, enum lang, char *err, size_t errsz);
int	 valid_phone(const char *in, char *out, size_t outsz, enum lang, char *err, size_t errsz);
int	 valid_email(const char *in, char *out, size_t outsz, enum lang, char *err, size_t errsz);
/* A name: 2..200 characters of valid UTF-8 with at least one letter or digit; spaces squeezed. */
int	 valid_name(const char *in, char *out, size_t outsz, enum lang, char *err, size_t errsz);
/* A whole number 0..max. */
int	 valid_count(const char *in, int64_t max, int64_t *out, enum lang, char *err, size_t errsz);
/* A date "ДД.ММ.ГГГГ" or "YYYY-MM-DD" → unix seconds of that day's UTC midnight. */
int	 valid_date(const char *in, int64_t *out, enum lang, char *err, size_t errsz);
/* The INN checksum alone (10 or 12 digits): 1 valid, 0 not. */
int	 inn_checksum_ok(const char *digits);
/* Completes 9 (or 10) leading digits into a valid 10- (or 12-) digit INN; out has room for 13. */
void	 inn_complete(const char *lead, char *out);
/* A URL-safe slug from a name: Cyrillic transliterated, lowercase, '-' between words, ≤ 48. */
void	 slug_from_name(const char *name, char *out, size_t outsz);

/* The one-line form: name="ООО Ромашка" inn=7707083893 email=a@b.ru (quotes optional without
 * spaces; \" inside quotes). Returns the number of fields (≤ max) or -1 with err filled. */
struct form_field {
	char	 key[32];
	char	 value[1024];
};
int	 form_parse(const char *line, struct form_field *, int max, enum lang, char *err,
	    size_t errsz);

/* money.c — money is an int64_t count of kopecks everywhere; never floating point. */
#define MONEY_MAX	INT64_C(1000000000000000)	/* 10^15 kopecks: the largest amount typed */
#define MONEY_TEXT_MAX	48	/* bytes of money_format's longest text, NUL included */
/* "12 500,00 ₽": U+202F between thousands, U+00A0 before ₽, U+2212 for a negative amount. */
void	 money_format(int64_t kopecks, char *out, size_t outsz);
/* "12500", "12 500", "12 500,5", "12500.50", "12 500,00 ₽", "12500 руб", "12500р"; a leading
 * '-' or '−' for refunds; |amount| ≤ MONEY_MAX. 0, or -1 with err filled (the problem and an
 * example). Abbreviations ("1,5 тыс") and more than two decimals are refused. */
int	 money_parse(const char *in, int64_t *kopecks, enum lang, char *err, size_t errsz);

/* pricing.c — a plan's price for a partner's size, MRR, proration and the period calendar. All
 * amounts are kopecks; divisions round half up to the kopeck. Days are day numbers (days since
 * 1970-01-01, UTC). */
struct plan_price {
	int64_t	 base;			/* kopecks per period, ≥ 0 */
	int64_t	 per_branch;		/* kopecks per branch above included_branches, ≥ 0 */
	int64_t	 per_user;		/* kopecks per user above included_users, ≥ 0 */
	int64_t	 included_branches;	/* branches the base fee covers, ≥ 0 */
	int64_t	 included_users;	/* users the base fee covers, ≥ 0 */
	int	 yearly;		/* 1: the period is a year; 0: a month */
};
#define PRICING_ERROR	INT64_MIN	/* pricing_change_preview's failure (its results may be < 0) */
/* base + per_branch × extra branches + per_user × extra users for one period; -1 on overflow or
 * a negative input. */
int64_t	 pricing_period_amount(const struct plan_price *, int64_t branches, int64_t users);
/* The normalised monthly value: the period amount, or a yearly one / 12 rounded half up
 * (10 000,00/yr → 833,33; 0,06/yr → 0,01). -1 as pricing_period_amount. */
int64_t	 pricing_mrr(const struct plan_price *, int64_t branches, int64_t users);
/* amount × days_left / days_in_period, exact, rounded half up; -1 unless amount ≥ 0 and
 * 0 ≤ days_left ≤ days_in_period ≤ INT32_MAX. */
int64_t	 pricing_prorate(int64_t amount, int64_t days_left, int64_t days_in_period);
/* Switching plans now: the prorated new price for the days left minus the prorated credit for the
 * unused old one (each rounded on its own, as the invoice lines will be). Negative: a credit. A
 * switch between a monthly and a yearly plan starts a fresh full period of the new plan today, so
 * its charge is the full new amount. PRICING_ERROR on a bad input or overflow. */
int64_t	 pricing_change_preview(const struct plan_price *old, const struct plan_price *new,
	    int64_t branches, int64_t users, int64_t days_left, int64_t days_in_period);
void	 pricing_civil_from_days(int64_t day, int64_t *y, int *m, int *d);
int	 pricing_days_in_month(int64_t y, int m);	/* m 1..12 */
/* The day `months` calendar months after day (negative: before), on anchor_dom (1..31; other
 * values: day's own day of month) clamped to that month's last day. Renewals pass the
 * subscription's original start day of month, so Jan 31 → Feb 28 → Mar 31, never Mar 28. */
int64_t	 pricing_add_months(int64_t day, int months, int anchor_dom);
/* One month (or year) after start_day, anchored on start_day's own day of month. */
int64_t	 pricing_period_end(int64_t start_day, int yearly);
int64_t	 pricing_days_between(int64_t from_day, int64_t to_day);	/* to − from */

/* mask.c — personal data as developers and managers see it. */
void	 mask_phone(const char *phone, char *out, size_t outsz);	/* +7 9** ***-**-12 */
void	 mask_email(const char *email, char *out, size_t outsz);	/* i***@m***.ru */
void	 mask_person(const char *name, char *out, size_t outsz);	/* И*** П*** */
void	 mask_inn(const char *inn, char *out, size_t outsz);	/* 12 digits: 77********12 */

/* view.c — what the blocks' views share. */
#define VIEW_CHOICES 8		/* partners offered when a search is ambiguous */
void	 view_date(int64_t day, char *out, size_t outsz);	/* "12.03.2025"; "—" for 0 */
void	 view_time(int64_t at, char *out, size_t outsz);	/* local "12.03.2025 14:35" */
const char *view_status(struct ctx *, int status);		/* "🟢 активен" */
const char *view_role(struct ctx *, unsigned role);		/* "поддержка" */
void	 view_roles(struct ctx *, unsigned roles, struct buf *);	/* "биллинг, менеджер" */
void	 view_person(struct buf *, const char *name, const char *username, int64_t id);
void	 view_member_name(struct ctx *, int64_t user_id, struct buf *);
/* One audit record for what c is doing. -1: it could not be written, and the caller must fail
 * (the transaction rolls back: nothing is shown or changed). */
int	 view_audit(struct ctx *, int64_t partner_id, const char *action, const char *reason,
	    int64_t session_id, const char *detail);
/* May this person ever see personal data (superadmin, billing, support)? */
int	 view_may_open_pd(const struct ctx *);
/* The personal search keys (a sole trader's name, a 12-digit INN) this person may use, and
 * the line a search that found nothing adds about them (nothing for those who use them all). */
void	 view_pd_search(const struct ctx *, struct partner_pd *);
void	 view_pd_search_hint(struct ctx *, struct buf *);
/* Their open access session for the partner: 1 found, 0 none (or never allowed), -1 error. */
int	 view_session(struct ctx *, int64_t partner_id, struct access_session *);
void	 view_reason(struct ctx *, const struct access_session *, struct buf *);
int	 view_pick_partner(struct ctx *, const char *query, struct partner *, const char *verb);
int	 view_button_partner(struct ctx *, const char *arg, struct partner *);
const char *view_word(const char *s, char *word, size_t wordsz);
/* Buttons: a damaged one is answered; "◀ К карточке" closes a keyboard; a page button's saved
 * filter ("<query id>:<offset>") is loaded (1 ok, 0 answered, -1 error). */
int	 view_damaged(struct ctx *);
void	 view_back_to_card(struct ctx *, struct kb *, int64_t partner_id);
int	 view_page_button(struct ctx *, const char *kind, const char *list, char *text,
	    size_t textsz, int64_t *qid, int *offset);
/* Starts this person's dialog (key NULL: no first value). 0/-1. */
int	 view_dialog_start(struct ctx *, const char *kind, int64_t subject, int step,
	    const char *key, const char *value);
/* A sole trader's legal name is a person's name: personal data, masked unless clear. */
void	 view_legal_name(const struct partner *, int clear, struct buf *);

/* partner_card.c — /partners, /partner, the card. */
extern const struct command partners_commands[];
extern const struct button partners_buttons[];
/* Shows a partner's card (edit: in place of the pressed button's message), audited. */
int	 partners_show_card(struct ctx *, const struct partner *, int edit);
/* Support sees a partner only inside a ticket session: 1 go on, 0 refused (answered), -1. */
int	 partners_support_gate(struct ctx *, const struct partner *, int edit);

/* partner_edit.c — /partner_new, /partner_edit, /status. */
extern const struct command partner_edit_commands[];
extern const struct button partner_edit_buttons[];
extern const struct dialog_kind partner_edit_dialogs[];

/* access_session.c — /access, /access_end, the reason buttons. */
extern const struct command access_commands[];
extern const struct button access_buttons[];
extern const struct dialog_kind access_dialogs[];

/* access_request.c — an unknown user's /start asks every superadmin; the buttons decide. */
extern const struct button access_request_buttons[];
/* Answers the unknown user and, once a day at most, sends the request with its buttons. */
int	 access_request_send(struct ctx *);

/* team_roles.c — /team, /grant, /revoke. */
extern const struct command team_commands[];
extern const struct button team_buttons[];

/* audit_view.c — /audit, /audit_verify, the daily chain head. */
extern const struct command audit_commands[];
extern const struct button audit_buttons[];
/* The audit list, filtered (0 = any), a page from offset; edit: in place. */
int	 audit_show(struct ctx *, int64_t partner_id, int64_t actor, int64_t since, int offset,
	    int64_t qid, int edit);
/* The scheduler's daily job: posts the chain head to the audit chat. */
int	 audit_anchor_at_start(struct db *);
int	 audit_anchor_job(struct app *, struct db *);

/* start.c — /cancel and /skip reach the open dialog through this. 1 handled, 0 no dialog. */
int	 registry_run_dialog(struct ctx *, const char *text, int skip);
/* alert_engine.c — the alert engine: one message per episode, edited in place as it changes, with
 * buttons (Open card · Acknowledge · Snooze 1 d / 7 d · Assign to me); /alerts lists open ones.
 * Callers own the transaction. kind picks the chat ([alerts] routing, team by default). */
extern const struct command alerts_commands[];
extern const struct button alerts_buttons[];
/* Opens an episode (posts it) or updates the open one (edits it when level or text changed;
 * nothing when the same). A snoozed episode stays quiet: a change at the same or a lower level
 * is only recorded (shown when the snooze ends); a higher level edits it and sends one short
 * new message. 1 posted or edited, 0 unchanged or held by a snooze, -1 error. */
int	 alert_raise(struct app *, struct db *, const char *kind, const char *key,
	    int64_t partner_id, int level, const char *html);
/* Resolves the open episode of key, if any (edits it to say so). 1 resolved, 0 none, -1. */
int	 alert_resolve(struct app *, struct db *, const char *key, const char *html);
/* Who may read (see it in /alerts, open its card) and act on (acknowledge, snooze, take) an
 * episode of kind: role masks (superadmins pass anyway; an unknown kind is theirs alone). */
void	 alert_kind_roles(const char *kind, unsigned *read, unsigned *act);
/* The scheduler's job: episodes whose snooze has ended are shown again (their message edited
 * to the latest text, without the snooze in the footer). Own transactions. 0/-1. */
int	 alert_snooze_job(struct app *, struct db *);

/* activity_view.c — /activity, /dormant, /volume, /top, /health, and the scans the scheduler runs. */
extern const struct command monitoring_commands[];
extern const struct button monitoring_buttons[];	/* a partner picked for /activity, /volume */
int	 monitoring_dormant_job(struct app *, struct db *);	/* dormant partners → alerts */
int	 monitoring_drop_job(struct app *, struct db *);	/* week-over-week drops → alerts */
int	 monitoring_queues_job(struct app *, struct db *);	/* outbox backlog, Telegram trouble */
/* The "telegram" episode's verdict from the Bot API errors of the last minutes, the age in
 * seconds of the last successful poll (-1: not polling) and of the last long 429 wait (-1:
 * none): 1 trouble (raise), -1 healthy (resolve), 0 neither (leave it as it is). */
int	 monitoring_tg_verdict(int64_t errs, int64_t poll_age, int64_t long_wait_age);
/* The pure parts, for the unit tests. A sparkline of n values (▁ … █, scaled to the largest;
 * negative values count as 0). */
void	 monitoring_sparkline(const int64_t *v, int n, struct buf *);
/* The change from prev to cur in whole percent (rounded half away from zero): 0, or -1 when
 * prev is 0 and there is nothing to compare with. */
int	 monitoring_change_pct(int64_t prev, int64_t cur, int64_t *pct);
/* The day count a dormant alert states: dormant_days, then every 7 days more (14, 21, 28 … for
 * 14), so its text changes once a week, not every hour. 0 when not dormant yet. */
int64_t	 monitoring_dormant_step(int64_t days, int64_t dormant_days);
/* Week over week: 1 when the previous week had at least MONITORING_DROP_MIN events and this
 * week fell by more than drop_percent of it. */
#define MONITORING_DROP_MIN 20
int	 monitoring_is_drop(int64_t prev, int64_t cur, int64_t drop_percent);

/* Subscriptions and billing. */
#include "handlers/billing/billing.h"

#endif
