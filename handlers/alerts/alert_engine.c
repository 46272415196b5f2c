/*
 * alert_engine.c — the alert engine. An episode (a kind, a dedupe key, maybe a partner) is posted
 * once to its kind's chat ([alerts] routing) and then edited in place as it changes: worse,
 * better, acknowledged, snoozed, assigned, resolved. Edits are silent in Telegram, so an
 * acknowledged episode is kept up to date but never posted again. A snoozed one stays quiet: a
 * change at the same or a lower level is only recorded (dirty), and alert_snooze_job shows it
 * when the snooze ends; a higher level breaks through (an edit and one short new message). A
 * resolution is always shown. /alerts lists open ones.
 *
 * The message: a level icon and the text, then a footer with who acknowledged it, the snooze
 * and the assignee. Its buttons carry "verb:<alert id>[:days]":
 *   alc   the partner's card, sent to the presser's private chat (never into the group)
 *   ala   acknowledge
 *   als   snooze for 1 or 7 days
 *   alm   assign to me
 * A dunning episode has a row of its own, "verb:<partner id>" (handlers/billing/invoice_view.c):
 *   dpay  record a payment · dext  extend 7 days · dblk  block now
 * Every press is recorded on the alert and in the audit log, and the message is edited.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers/handlers.h"

#define ALERTS_LIST_MAX 30	/* episodes /alerts shows */
#define ALERTS_LINE_MAX 120	/* characters of an episode's first line in the list */
#define ALERTS_SNOOZE_MAX 30	/* days a snooze button may ask for */

#define L(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

/*
 * The kinds: where each is posted ([alerts] routing: where its [chats] name is kept), who may
 * read it (/alerts, the card button) and who may act on it (acknowledge, snooze, take), after
 * the product's roles: a partner's money is billing's (managers read it, developers never, and
 * support only inside a ticket session, which a list is not); partners going quiet are for the
 * people who talk to them, support and managers; the system's health is the developers'.
 * Superadmins pass every row. A kind missing here (a later block's, until its row is added) goes
 * to the team chat and is for superadmins only.
 */
#define ALERTS_BILLING_READ (ROLE_BILLING | ROLE_MANAGER)
static const struct {
	const char	*kind;
	size_t		 off;		/* char * in struct config */
	unsigned	 read;		/* roles that may see it */
	unsigned	 act;		/* roles that may press its buttons */
} alerts_kinds[] = {
	{ "dormant", offsetof(struct config, alert_dormant), PERM_MEMBER,
	  ROLE_SUPPORT | ROLE_MANAGER },
	{ "drop", offsetof(struct config, alert_drop), PERM_MEMBER, ROLE_SUPPORT | ROLE_MANAGER },
	{ "crm", offsetof(struct config, alert_crm), PERM_MEMBER, ROLE_DEVELOPER },
	{ "telegram", offsetof(struct config, alert_telegram), PERM_MEMBER, ROLE_DEVELOPER },
	{ "backlog", offsetof(struct config, alert_backlog), PERM_MEMBER, ROLE_DEVELOPER },
	{ "dunning", offsetof(struct config, alert_dunning), ALERTS_BILLING_READ, ROLE_BILLING },
	{ "trial", offsetof(struct config, alert_trial), ALERTS_BILLING_READ, ROLE_BILLING },
};
#define ALERTS_NKINDS (sizeof(alerts_kinds) / sizeof(alerts_kinds[0]))

void
alert_kind_roles(const char *kind, unsigned *read, unsigned *act)
{
	size_t i;

	*read = *act = ROLE_SUPERADMIN;
	for (i = 0; i < ALERTS_NKINDS; i++)
		if (strcmp(alerts_kinds[i].kind, kind) == 0) {
			*read = alerts_kinds[i].read;
			*act = alerts_kinds[i].act;
		}
}

/* The chat a kind is posted to, 0 when that chat is not configured. Read under the
 * configuration lock: SIGHUP may change the chat ids. */
static int64_t
alerts_route(struct app *a, const char *kind)
{
	const char *name = NULL;
	int64_t chat;
	size_t i;

	pthread_rwlock_rdlock(&a->cfg_lock);
	for (i = 0; i < ALERTS_NKINDS; i++)
		if (strcmp(alerts_kinds[i].kind, kind) == 0)
			name = *(char *const *)(const void *)((const char *)&a->cfg +
			    alerts_kinds[i].off);
	if (name == NULL || strcmp(name, "team") == 0)
		chat = a->cfg.chat_team;
	else if (strcmp(name, "billing") == 0)
		chat = a->cfg.chat_billing;
	else if (strcmp(name, "support") == 0)
		chat = a->cfg.chat_support;
	else if (strcmp(name, "digest") == 0)
		chat = a->cfg.chat_digest;
	else if (strcmp(name, "audit") == 0)
		chat = a->cfg.chat_audit;
	else
		chat = a->cfg.chat_team;
	pthread_rwlock_unlock(&a->cfg_lock);
	return chat;
}

static const char *
alerts_icon(int level)
{
	switch (level) {
	case ALERT_CRIT: return "🔴";
	case ALERT_WARN: return "⚠️";
	default: return "ℹ️";
	}
}

/* "27.11 10:00" in the configured zone. */
static void
alerts_when(int64_t at, char *out, size_t outsz)
{
	struct tm tm;
	time_t t = (time_t)at;

	localtime_r(&t, &tm);
	snprintf(out, outsz, "%02d.%02d %02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_hour,
	    tm.tm_min);
}

/* A member as the team knows them: the stored name, else @username, else the id. */
static void
alerts_who(struct db *db, int64_t user_id, struct buf *b)
{
	struct member m;

	if (team_get(db, user_id, &m) == 1) {
		if (m.name[0]) {
			buf_add_html(b, m.name);
			return;
		}
		if (m.username[0]) {
			buf_adds(b, "@");
			buf_add_html(b, m.username);
			return;
		}
	}
	buf_printf(b, "id %lld", (long long)user_id);
}

/* "Принято: Анна · отложено до 27.11 10:00 · ответственный: Игорь"; nothing when none. A snooze
 * that has ended, or of a resolved episode, is not shown. */
static void
alerts_footer(struct db *db, enum lang lang, const struct alert *a, int64_t now, struct buf *b)
{
	int first = 1;
	char t[32];

	if (a->acked_by != 0) {
		buf_adds(b, L(lang, "Принято: ", "Acknowledged: "));
		alerts_who(db, a->acked_by, b);
		first = 0;
	}
	if (a->state == ALERT_OPEN && a->snoozed_until > now) {
		alerts_when(a->snoozed_until, t, sizeof(t));
		buf_adds(b, first ? "" : " · ");
		buf_adds(b, first ? L(lang, "Отложено до ", "Snoozed until ") :
		    L(lang, "отложено до ", "snoozed until "));
		buf_adds(b, t);
		first = 0;
	}
	if (a->assigned_to != 0) {
		buf_adds(b, first ? "" : " · ");
		buf_adds(b, first ? L(lang, "Ответственный: ", "Assignee: ") :
		    L(lang, "ответственный: ", "assignee: "));
		alerts_who(db, a->assigned_to, b);
	}
}

/* The message of an episode as it is now, and its buttons (none once resolved). */
static void
alerts_render(struct db *db, enum lang lang, const struct alert *a, int64_t now, struct buf *b,
    struct kb *k)
{
	struct buf footer;

	kb_init(k);
	if (a->state == ALERT_RESOLVED)
		buf_adds(b, L(lang, "✅ Решено: ", "✅ Resolved: "));
	else {
		buf_adds(b, alerts_icon(a->level));
		buf_addc(b, ' ');
	}
	buf_adds(b, a->text);	/* the caller's HTML, escaped where it interpolates */
	buf_init(&footer, 0);
	alerts_footer(db, lang, a, now, &footer);
	if (footer.len > 0)
		buf_printf(b, "\n\n<i>%s</i>", footer.ptr);
	buf_release(&footer);
	if (a->state == ALERT_RESOLVED)
		return;
	/* an unpaid partner's episode: its own actions first (handlers in invoice_view.c) */
	if (strcmp(a->kind, "dunning") == 0 && a->partner_id != 0) {
		kb_button(k, L(lang, "💳 Оплата", "💳 Payment"), "dpay:%lld",
		    (long long)a->partner_id);
		kb_button(k, L(lang, "⏳ +7 дней", "⏳ +7 days"), "dext:%lld",
		    (long long)a->partner_id);
		kb_button(k, L(lang, "⛔ Заблокировать", "⛔ Block"), "dblk:%lld",
		    (long long)a->partner_id);
		kb_row(k);
	}
	if (a->partner_id != 0)
		kb_button(k, L(lang, "Карточка", "Card"), "alc:%lld", (long long)a->id);
	kb_button(k, L(lang, "Принять", "Acknowledge"), "ala:%lld", (long long)a->id);
	kb_button(k, L(lang, "Беру", "Mine"), "alm:%lld", (long long)a->id);
	kb_row(k);
	kb_button(k, L(lang, "Отложить 1 д", "Snooze 1 d"), "als:%lld:1", (long long)a->id);
	kb_button(k, L(lang, "Отложить 7 д", "Snooze 7 d"), "als:%lld:7", (long long)a->id);
}

/* Is the message the episode was posted with (still) good to edit? A post that failed, or
 * whose row is gone, is not: the episode is posted again. 1 yes, 0 no, -1 error. */
static int
alerts_posted(struct db *db, const struct alert *a)
{
	struct outbox_row row;
	int r;

	if (a->outbox_id == 0)
		return 0;
	r = outbox_get(db, a->outbox_id, &row);
	outbox_row_release(&row);
	if (r != 1)
		return r;
	return row.state != OUTBOX_FAILED && row.state != OUTBOX_BLOCKED;
}

/*
 * Shows the episode as it is now: edits its message, or posts it when it has none yet (open
 * episodes only; the chat of its kind, if configured). The caller saved a; a posting is saved
 * here. 0 ok, -1 error.
 */
static int
alerts_show(struct app *app, struct db *db, enum lang lang, struct alert *a, int64_t now)
{
	struct buf b;
	struct kb *k;
	int64_t chat, ob;
	int rc = -1, r;

	if ((k = malloc(sizeof(*k))) == NULL)
		return -1;
	buf_init(&b, 0);
	alerts_render(db, lang, a, now, &b, k);
	if ((r = alerts_posted(db, a)) == -1)
		goto out;
	if (r == 1) {
		rc = notify_edit_posted(db, a->outbox_id, b.ptr, k, NULL);
		goto out;
	}
	rc = 0;
	if (a->state != ALERT_OPEN)
		goto out;	/* never posted: nothing to say it is over */
	if ((chat = alerts_route(app, a->kind)) == 0) {
		log_info("alert %lld (%s): no chat configured for it; stored only", (long long)a->id,
		    a->key);
		goto out;
	}
	if ((rc = notify_post(db, chat, chat < 0, b.ptr, k, NULL, &ob)) == -1)
		goto out;
	a->chat_id = app_chat(db, chat);
	a->outbox_id = ob;
	rc = alert_save(db, a);
out:
	buf_release(&b);
	free(k);
	return rc;
}

/* The engine's inputs come from code, not people; a bad one is a bug, logged. */
static int
alerts_valid(const char *kind, const char *key, int level, const char *html)
{
	struct alert *a = NULL;

	if (kind == NULL || *kind == '\0' || strlen(kind) >= sizeof(a->kind) || key == NULL ||
	    *key == '\0' || strlen(key) >= sizeof(a->key)) {
		log_error("alert: bad kind or key \"%s\" \"%s\"", kind ? kind : "", key ? key : "");
		return -1;
	}
	if (level < ALERT_INFO || level > ALERT_CRIT) {
		log_error("alert %s: bad level %d", key, level);
		return -1;
	}
	/* a cut text could end inside a tag, and would differ from the next scan's every time */
	if (html == NULL || *html == '\0' || strlen(html) >= sizeof(a->text)) {
		log_error("alert %s: text empty or longer than %zu bytes", key, sizeof(a->text) - 1);
		return -1;
	}
	return 0;
}

static enum lang
alerts_lang(struct app *app)
{
	struct app_live live;

	app_live(app, &live);
	return live.language;
}

static void alerts_first_line(const char *html, size_t max, struct buf *b);

/* A snooze that has ended is forgotten once the message is shown again: the footer no longer
 * names it, and the snooze job has nothing left to re-render. */
static void
alerts_snooze_over(struct alert *a, int64_t now)
{
	if (a->snoozed_until != 0 && a->snoozed_until <= now) {
		a->snoozed_until = 0;
		a->dirty = 0;
	}
}

/* A snoozed episode got worse: besides the (silent) edit, one short new message in its chat, so
 * the team hears it. No buttons: they are on the alert's own message. */
static int
alerts_escalated(struct db *db, enum lang lang, const struct alert *a)
{
	struct buf b;
	int rc;

	if (a->outbox_id == 0 || a->chat_id == 0)
		return 0;	/* never posted: the edit posted it */
	buf_init(&b, 0);
	buf_adds(&b, L(lang, "⬆️ Тревога усилилась: ", "⬆️ Alert escalated: "));
	alerts_first_line(a->text, ALERTS_LINE_MAX, &b);
	rc = notify_chat(db, a->chat_id, a->chat_id < 0, b.ptr, NULL, NULL);
	buf_release(&b);
	return rc;
}

int
alert_raise(struct app *app, struct db *db, const char *kind, const char *key,
    int64_t partner_id, int level, const char *html)
{
	struct alert a;
	int64_t now = clock_now();
	enum lang lang;
	int r, snoozed, higher;

	if (alerts_valid(kind, key, level, html) == -1)
		return -1;
	if ((r = alert_open_get(db, key, &a)) == -1)
		return -1;
	if (r == 1) {
		if (a.level == level && strcmp(a.text, html) == 0)
			return 0;
		snoozed = a.snoozed_until > now;
		higher = level > a.level;
		a.level = level;
		str_copy(a.text, sizeof(a.text), html);
		a.updated_at = now;
		if (snoozed && !higher) {
			/* quiet while snoozed: kept for the message the snooze's end shows */
			a.dirty = 1;
			return alert_save(db, &a) == -1 ? -1 : 0;
		}
		alerts_snooze_over(&a, now);
		a.dirty = 0;
		lang = alerts_lang(app);
		if (alert_save(db, &a) == -1 || alerts_show(app, db, lang, &a, now) == -1)
			return -1;
		if (snoozed && alerts_escalated(db, lang, &a) == -1)
			return -1;
		return 1;
	}
	memset(&a, 0, sizeof(a));
	str_copy(a.kind, sizeof(a.kind), kind);
	str_copy(a.key, sizeof(a.key), key);
	a.partner_id = partner_id;
	a.state = ALERT_OPEN;
	a.level = level;
	str_copy(a.text, sizeof(a.text), html);
	a.opened_at = a.updated_at = now;
	if (alert_insert(db, &a) == -1 || alerts_show(app, db, alerts_lang(app), &a, now) == -1)
		return -1;
	log_info("alert %lld opened: %s", (long long)a.id, key);
	metrics_alert(kind);
	return 1;
}

int
alert_resolve(struct app *app, struct db *db, const char *key, const char *html)
{
	struct alert a;
	int64_t now = clock_now();
	int r;

	if ((r = alert_open_get(db, key, &a)) != 1)
		return r;
	if (html != NULL && *html != '\0') {
		if (alerts_valid(a.kind, key, a.level, html) == -1)
			return -1;
		str_copy(a.text, sizeof(a.text), html);
	}
	a.state = ALERT_RESOLVED;
	a.resolved_at = a.updated_at = now;
	a.dirty = 0;
	if (alert_save(db, &a) == -1 || alerts_show(app, db, alerts_lang(app), &a, now) == -1)
		return -1;
	log_info("alert %lld resolved: %s", (long long)a.id, key);
	return 1;
}

#define ALERTS_SNOOZE_BATCH 64	/* ended snoozes re-rendered per transaction */

int
alert_snooze_job(struct app *app, struct db *db)
{
	struct alert *rows;
	int64_t now = clock_now();
	enum lang lang = alerts_lang(app);
	int n, i, shown = 0, rc = -1;

	if ((rows = calloc(ALERTS_SNOOZE_BATCH, sizeof(*rows))) == NULL)
		return -1;
	/* each pass clears the snoozes it shows, so the next one finds the rest */
	for (;;) {
		if (db_begin(db) == -1)
			goto out;
		if ((n = alert_snooze_ended(db, now, rows, ALERTS_SNOOZE_BATCH)) == -1)
			goto fail;
		for (i = 0; i < n; i++) {
			alerts_snooze_over(&rows[i], now);
			if (alert_save(db, &rows[i]) == -1 ||
			    alerts_show(app, db, lang, &rows[i], now) == -1)
				goto fail;
		}
		if (db_commit(db) == -1)
			goto out;
		shown += n;
		if (n < ALERTS_SNOOZE_BATCH)
			break;
	}
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	if (shown > 0) {
		log_info("alerts: %d snooze(s) ended, shown again", shown);
		app_wake_sender(app);
	}
	free(rows);
	return rc;
}

/* ---- buttons ---- */

/* The episode a button names ("<id>" or "<id>:<more>"; *rest is what follows the id). 1 found,
 * 0 a damaged or stale button (logged, nothing else: the message is left alone), -1 error. */
static int
alerts_button_alert(struct ctx *c, struct alert *a, const char **rest)
{
	size_t n = strcspn(c->arg, ":");
	char num[24];
	int64_t id;
	int r;

	if (n == 0 || n >= sizeof(num))
		goto damaged;
	memcpy(num, c->arg, n);
	num[n] = '\0';
	if (str_to_i64(num, &id) == -1 || id <= 0)
		goto damaged;
	if ((r = alert_get(c->db, id, a)) != 1) {
		if (r == 0)
			log_warn("button %s: no alert %lld", c->verb, (long long)id);
		return r;
	}
	*rest = c->arg[n] == ':' ? c->arg + n + 1 : "";
	return 1;
damaged:
	log_warn("button %s: damaged argument from user %lld", c->verb, (long long)c->user_id);
	return 0;
}

/* The gate's rule for a button naming an episode: the roles of its kind (read for the card,
 * act for the rest). 1, 0 no such episode, -1 error. */
static int
alerts_subject(struct ctx *c, struct gate_subject *s, int act)
{
	unsigned read, acting;
	struct alert a;
	const char *rest;
	int r;

	if ((r = alerts_button_alert(c, &a, &rest)) != 1)
		return r;
	alert_kind_roles(a.kind, &read, &acting);
	s->perm = act ? acting : read;
	s->partner_id = a.partner_id;
	snprintf(s->what, sizeof(s->what), "alert #%lld (%s)", (long long)a.id, a.kind);
	return 1;
}

static int
alerts_may_read(struct ctx *c, struct gate_subject *s)
{
	return alerts_subject(c, s, 0);
}

static int
alerts_may_act(struct ctx *c, struct gate_subject *s)
{
	return alerts_subject(c, s, 1);
}

/* A press changed a: saved, audited, and the message edited to show it. */
static int
alerts_pressed(struct ctx *c, struct alert *a, const char *action, const char *what)
{
	char detail[256];

	a->updated_at = c->now;
	alerts_snooze_over(a, c->now);
	snprintf(detail, sizeof(detail), "alert %lld %s: %s", (long long)a->id, a->key, what);
	if (alert_save(c->db, a) == -1 || view_audit(c, a->partner_id, action, "", 0, detail) == -1)
		return -1;
	return alerts_show(c->app, c->db, c->lang, a, c->now);
}

static int
alerts_ack_btn(struct ctx *c)
{
	struct alert a;
	const char *rest;
	int r;

	if ((r = alerts_button_alert(c, &a, &rest)) != 1 || a.state != ALERT_OPEN)
		return r == -1 ? -1 : 0;
	a.acked_by = c->user_id;
	a.acked_at = c->now;
	return alerts_pressed(c, &a, "alert.ack", "acknowledged");
}

static int
alerts_snooze_btn(struct ctx *c)
{
	struct alert a;
	const char *rest;
	char what[64];
	int64_t days;
	int r;

	if ((r = alerts_button_alert(c, &a, &rest)) != 1 || a.state != ALERT_OPEN)
		return r == -1 ? -1 : 0;
	if (str_to_i64(rest, &days) == -1 || days < 1 || days > ALERTS_SNOOZE_MAX) {
		log_warn("button als: bad number of days from user %lld", (long long)c->user_id);
		return 0;
	}
	a.snoozed_until = c->now + days * 86400;
	a.snoozed_by = c->user_id;
	snprintf(what, sizeof(what), "snoozed for %lld d", (long long)days);
	return alerts_pressed(c, &a, "alert.snooze", what);
}

static int
alerts_assign_btn(struct ctx *c)
{
	struct alert a;
	const char *rest;
	int r;

	if ((r = alerts_button_alert(c, &a, &rest)) != 1 || a.state != ALERT_OPEN)
		return r == -1 ? -1 : 0;
	a.assigned_to = c->user_id;
	a.assigned_at = c->now;
	return alerts_pressed(c, &a, "alert.assign", "assigned to the presser");
}

/* The partner's card goes to the presser's private chat, under the card's own rules (and
 * audit): partner data is never shown in a group. */
static int
alerts_card_btn(struct ctx *c)
{
	struct partner *p;
	struct alert a;
	const char *rest;
	struct ctx pc;
	int r;

	if ((r = alerts_button_alert(c, &a, &rest)) != 1 || a.partner_id == 0)
		return r == -1 ? -1 : 0;
	if ((p = malloc(sizeof(*p))) == NULL)
		return -1;
	r = partner_get(c->db, a.partner_id, p);
	if (r == 1) {
		pc = *c;
		pc.chat_id = c->user_id;
		pc.is_group = 0;
		pc.is_callback = 0;
		pc.thread_id = 0;
		pc.message_id = 0;
		r = partners_show_card(&pc, p, 0);
		c->nout = pc.nout;	/* dedupe keys stay unique within the request */
	} else if (r == 0)
		log_warn("alert %lld: partner %lld is gone", (long long)a.id,
		    (long long)a.partner_id);
	free(p);
	return r == -1 ? -1 : 0;
}

/* ---- /alerts ---- */

/* The first line of an HTML text without its tags, at most max characters; entities are kept
 * whole, and a stray '&' is escaped. */
static void
alerts_first_line(const char *html, size_t max, struct buf *b)
{
	const char *p = html, *end = html + strlen(html), *e;
	size_t chars = 0, n;
	long cp;

	while (p < end && *p != '\n' && chars < max) {
		if (*p == '<') {
			if ((e = memchr(p, '>', (size_t)(end - p))) == NULL)
				break;
			p = e + 1;
			continue;
		}
		if (*p == '&') {
			e = memchr(p, ';', (size_t)(end - p));
			if (e != NULL && e - p <= 10) {
				buf_add(b, p, (size_t)(e - p + 1));
				p = e + 1;
			} else {
				buf_adds(b, "&amp;");
				p++;
			}
			chars++;
			continue;
		}
		n = utf8_decode(p, (size_t)(end - p), &cp);
		buf_add(b, p, n);
		p += n;
		chars++;
	}
	if (p < end && *p != '\n')
		buf_adds(b, "…");
}

/* ",dormant,drop,": the kinds this person may see, into b; NULL for a superadmin (every
 * kind, a later block's too). */
static const char *
alerts_readable(struct ctx *c, struct buf *b)
{
	size_t i;

	if (c->roles & ROLE_SUPERADMIN)
		return NULL;
	buf_addc(b, ',');
	for (i = 0; i < ALERTS_NKINDS; i++)
		if (gate_allows(c->is_member, c->roles, alerts_kinds[i].read)) {
			buf_adds(b, alerts_kinds[i].kind);
			buf_addc(b, ',');
		}
	return b->ptr;
}

/* /alerts <kind> of a kind not theirs: said, without its episodes (nor the kind's name, which
 * names a block they do not read). 1 refused, 0 go on, -1 error. */
static int
alerts_refuse_kind(struct ctx *c, const char *kind)
{
	unsigned read, act;
	struct buf b;
	int rc;

	alert_kind_roles(kind, &read, &act);
	if (gate_allows(c->is_member, c->roles, read) || read == ROLE_SUPERADMIN)
		return 0;	/* theirs, or not a kind at all: the list says "none" */
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⛔ Тревоги этого вида видны только ролям: ",
	    "⛔ Alerts of this kind are only for the roles: "));
	view_roles(c, read | ROLE_SUPERADMIN, &b);
	buf_adds(&b, TR(c, ". Ваши тревоги: /alerts", ". Yours: /alerts"));
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc == -1 ? -1 : 1;
}

static int
alerts_list_cmd(struct ctx *c)
{
	struct alert *rows;
	struct buf b, kinds;
	char kind[32], t[32];
	int n, i, rc = -1;

	view_word(c->args, kind, sizeof(kind));
	if (kind[0] && (rc = alerts_refuse_kind(c, kind)) != 0)
		return rc == -1 ? -1 : 0;
	rc = -1;
	if ((rows = calloc(ALERTS_LIST_MAX, sizeof(*rows))) == NULL)
		return -1;
	buf_init(&kinds, 0);
	n = alert_list_open(c->db, kind, alerts_readable(c, &kinds), rows, ALERTS_LIST_MAX);
	buf_release(&kinds);
	if (n == -1)
		goto out;
	buf_init(&b, 0);
	if (n == 0) {
		buf_adds(&b, TR(c, "Открытых тревог нет", "No open alerts"));
		if (kind[0]) {
			buf_adds(&b, TR(c, " (вид «", " (kind “"));
			buf_add_html(&b, kind);
			buf_adds(&b, TR(c, "»)", "”)"));
		}
		buf_adds(&b, ".");
	} else {
		buf_adds(&b, TR(c, "🚨 <b>Открытые тревоги</b>", "🚨 <b>Open alerts</b>"));
		if (kind[0]) {
			buf_adds(&b, " · ");
			buf_add_html(&b, kind);
		}
		if (n == ALERTS_LIST_MAX)
			buf_printf(&b, TR(c, " (последние %d)", " (the latest %d)"), n);
	}
	for (i = 0; i < n; i++) {
		size_t before;

		alerts_when(rows[i].opened_at, t, sizeof(t));
		buf_printf(&b, "\n\n%s <b>#%lld</b> · ", alerts_icon(rows[i].level),
		    (long long)rows[i].id);
		buf_add_html(&b, rows[i].kind);
		buf_printf(&b, TR(c, " · с %s\n", " · since %s\n"), t);
		alerts_first_line(rows[i].text, ALERTS_LINE_MAX, &b);
		before = b.len;
		buf_adds(&b, "\n<i>");
		alerts_footer(c->db, c->lang, &rows[i], c->now, &b);
		if (b.len == before + strlen("\n<i>"))
			buf_truncate(&b, before);
		else
			buf_adds(&b, "</i>");
	}
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
out:
	free(rows);
	return rc;
}

const struct command alerts_commands[] = {
	{ "alerts", "[вид]", PERM_MEMBER, 0, 0,
	  "открытые тревоги (вид: dormant, drop, crm, telegram, backlog)",
	  "open alerts (kind: dormant, drop, crm, telegram, backlog)", alerts_list_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* Flags 0: the buttons work in the configured team chats the alerts are posted to. The card
 * button shows nothing in the group: the card goes to the presser's private chat. Each press
 * is weighed against the episode's kind (alerts_kinds) by the gate. */
const struct button alerts_buttons[] = {
	{ "alc", PERM_MEMBER, 0, alerts_card_btn, alerts_may_read },
	{ "ala", PERM_MEMBER, 0, alerts_ack_btn, alerts_may_act },
	{ "als", PERM_MEMBER, 0, alerts_snooze_btn, alerts_may_act },
	{ "alm", PERM_MEMBER, 0, alerts_assign_btn, alerts_may_act },
	{ NULL, 0, 0, NULL, NULL },
};
