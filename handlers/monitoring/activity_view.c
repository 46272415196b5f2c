/*
 * activity_view.c — what the CRM reports about its partners: /activity, /dormant, /volume, /top,
 * the texts the monitoring files share, and the command tables. How the bot itself is doing
 * (/health, the queues scan) is in health_view.c; the partner scans (dormant partners,
 * week-over-week drops) in activity_scan.c.
 *
 * Activity and volumes are partner data but not personal data: every member may see them, and
 * each view is audited (one record per view of a partner, one with partner 0 per list).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/monitoring/monitoring.h"

#define ACTIVITY_DEFAULT_DAYS	14
#define ACTIVITY_MAX_DAYS	90
#define DORMANT_SHOWN		50	/* /dormant lists this many, and counts the rest */
#define VOLUME_TOP		20
#define TOP_SHOWN		10
#define TOP_FETCH		200	/* candidates read to find TOP_SHOWN active partners */
#define DORMANT_STEP_DAYS	7

/* ---------------------------------------------------------------------------------------------
 * The pure parts. */

void
monitoring_sparkline(const int64_t *v, int n, struct buf *b)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	int64_t max = 0;
	int i, idx;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (i = 0; i < n; i++) {
		idx = 0;
		if (max > 0 && v[i] > 0)
			idx = (int)((double)v[i] * 7.0 / (double)max + 0.5);
		if (idx < 0)
			idx = 0;
		if (idx > 7)
			idx = 7;
		buf_adds(b, bars[idx]);
	}
}

int
monitoring_change_pct(int64_t prev, int64_t cur, int64_t *pct)
{
	double d;

	if (prev <= 0)
		return -1;
	d = ((double)cur - (double)prev) * 100.0 / (double)prev;
	*pct = (int64_t)(d < 0 ? -floor(-d + 0.5) : floor(d + 0.5));
	return 0;
}

int64_t
monitoring_dormant_step(int64_t days, int64_t dormant_days)
{
	if (dormant_days < 1 || days < dormant_days)
		return 0;
	return dormant_days + (days - dormant_days) / DORMANT_STEP_DAYS * DORMANT_STEP_DAYS;
}

int
monitoring_is_drop(int64_t prev, int64_t cur, int64_t drop_percent)
{
	if (prev < MONITORING_DROP_MIN)
		return 0;
	if (cur < 0)
		cur = 0;
	/* fell by more than drop_percent: cur < prev × (100 − drop) / 100 */
	return (double)cur * 100.0 < (double)prev * (double)(100 - drop_percent);
}

/* ---------------------------------------------------------------------------------------------
 * Formatting. */

/* "1,5 МБ" / "1.5 MB" */
void
mon_bytes(enum lang lang, int64_t n, struct buf *b)
{
	static const char *const ru[] = { "Б", "КБ", "МБ", "ГБ", "ТБ" };
	static const char *const en[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)(n < 0 ? 0 : n);
	char num[32], *dot;
	int u = 0;

	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(num, sizeof(num), "%lld", (long long)(n < 0 ? 0 : n));
	else
		snprintf(num, sizeof(num), "%.1f", v);
	if (lang == LANG_RU && (dot = strchr(num, '.')) != NULL)
		*dot = ',';
	buf_printf(b, "%s %s", num, lang == LANG_EN ? en[u] : ru[u]);
}

/* A duration, the two largest units: "3 ч 12 мин", "2 дн 4 ч", "45 с". */
void
mon_duration(enum lang lang, int64_t s, struct buf *b)
{
	int en = lang == LANG_EN;

	if (s < 0)
		s = 0;
	if (s < 60)
		buf_printf(b, en ? "%lld s" : "%lld с", (long long)s);
	else if (s < 3600)
		buf_printf(b, en ? "%lld min" : "%lld мин", (long long)(s / 60));
	else if (s < DAY)
		buf_printf(b, en ? "%lld h %lld min" : "%lld ч %lld мин", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		buf_printf(b, en ? "%lld d %lld h" : "%lld дн %lld ч", (long long)(s / DAY),
		    (long long)(s % DAY / 3600));
}

/* "+23 %", "−40 %", or "—" when there is nothing to compare with. */
static void
mon_change(int64_t prev, int64_t cur, struct buf *b)
{
	int64_t pct;

	if (monitoring_change_pct(prev, cur, &pct) == -1)
		buf_adds(b, "—");
	else if (pct < 0)
		buf_printf(b, "−%lld %%", (long long)-pct);
	else
		buf_printf(b, "+%lld %%", (long long)pct);
}

/* "Ромашка · #12" (escaped). */
void
mon_partner_name(struct buf *b, const struct partner *p)
{
	buf_adds(b, "<b>");
	buf_add_html(b, p->name);
	buf_printf(b, "</b> · #%lld", (long long)p->id);
}

/* When the partner last came in: their last login, else the connection date (never came in).
 * 1 a login, 0 never logged in (*at is the connection date, maybe 0). */
int
mon_last_seen(const struct partner *p, int64_t last_login, int64_t *at)
{
	if (last_login > 0) {
		*at = last_login;
		return 1;
	}
	*at = p->connected_on;
	return 0;
}

/* The last-seen line of a dormant partner, shown in /dormant and the alert. */
void
mon_last_seen_text(enum lang lang, const struct partner *p, int64_t last_login, struct buf *b)
{
	char t[32];
	int64_t at;
	int en = lang == LANG_EN;

	if (mon_last_seen(p, last_login, &at)) {
		view_time(at, t, sizeof(t));
		buf_printf(b, en ? "last login %s" : "последний вход %s", t);
	} else {
		view_date(at, t, sizeof(t));
		buf_printf(b, en ? "no logins yet, connected %s" : "входов не было, подключён %s", t);
	}
}

/* ---------------------------------------------------------------------------------------------
 * /activity <partner> [days] */

static int
mon_activity_show(struct ctx *c, const struct partner *p, int64_t days, int edit)
{
	struct activity_day *d = NULL;
	int64_t today = c->now / DAY, from = today - days + 1, week, prev_week, last, *series = NULL;
	int64_t sum_l = 0, sum_o = 0, max_users = 0;
	char t[32], detail[64];
	struct buf b;
	struct kb k;
	int n, i, rc = -1;

	/* support reads a partner's data only inside a ticket session, like the card */
	if ((rc = partners_support_gate(c, p, edit)) != 1)
		return rc;
	rc = -1;

	buf_init(&b, 0);
	d = calloc((size_t)days, sizeof(*d));
	series = calloc((size_t)days, sizeof(*series));
	if (d == NULL || series == NULL)
		goto out;
	n = activity_days(c->db, p->id, from, today, d, (int)days);
	last = activity_last_login(c->db, p->id);
	week = activity_total(c->db, p->id, today - 6, today);
	prev_week = activity_total(c->db, p->id, today - 13, today - 7);
	if (n == -1 || last == -1 || week == -1 || prev_week == -1)
		goto out;
	snprintf(detail, sizeof(detail), "activity, %lld days", (long long)days);
	if (view_audit(c, p->id, "partner.activity", "", 0, detail) == -1)
		goto out;

	buf_adds(&b, "📈 ");
	buf_adds(&b, TR(c, "<b>Активность</b> · ", "<b>Activity</b> · "));
	mon_partner_name(&b, p);
	view_date(from * DAY, t, sizeof(t));
	buf_printf(&b, TR(c, "\nЗа %lld дн. с %s\n", "\nOver %lld days since %s\n"),
	    (long long)days, t);
	for (i = 0; i < n; i++) {
		series[i] = d[i].logins + d[i].operations;
		sum_l += d[i].logins;
		sum_o += d[i].operations;
		if (d[i].active_users > max_users)
			max_users = d[i].active_users;
	}
	monitoring_sparkline(series, n, &b);
	buf_printf(&b, TR(c, "\nВходов: %lld · операций: %lld · пользователей в день: до %lld\n",
	    "\nLogins: %lld · operations: %lld · users a day: up to %lld\n"), (long long)sum_l,
	    (long long)sum_o, (long long)max_users);
	buf_adds(&b, TR(c, "Последний вход: ", "Last login: "));
	if (last > 0) {
		view_time(last, t, sizeof(t));
		buf_adds(&b, t);
		buf_adds(&b, " (");
		mon_duration(c->lang, c->now - last, &b);
		buf_adds(&b, TR(c, " назад)", " ago)"));
	} else
		buf_adds(&b, TR(c, "не было", "never"));
	buf_printf(&b, TR(c, "\nЗа 7 дней: %lld, неделей раньше: %lld · ",
	    "\nLast 7 days: %lld, the week before: %lld · "), (long long)week, (long long)prev_week);
	mon_change(prev_week, week, &b);
	buf_adds(&b, TR(c, "\n\n<pre>Дата   Входы  Опер. Польз.\n",
	    "\n\n<pre>Date   Logins   Ops  Users\n"));
	for (i = n - 1; i >= 0; i--) {	/* newest first */
		view_date(d[i].day * DAY, t, sizeof(t));
		buf_printf(&b, "%.5s %6lld %6lld %6lld\n", t, (long long)d[i].logins,
		    (long long)d[i].operations, (long long)d[i].active_users);
	}
	buf_adds(&b, "</pre>");
	kb_init(&k);
	kb_button(&k, TR(c, "7 дн.", "7 d"), "act:%lld:7", (long long)p->id);
	kb_button(&k, TR(c, "30 дн.", "30 d"), "act:%lld:30", (long long)p->id);
	kb_button(&k, TR(c, "90 дн.", "90 d"), "act:%lld:90", (long long)p->id);
	kb_row(&k);
	kb_button(&k, TR(c, "Объём данных", "Data volume"), "vol:%lld", (long long)p->id);
	view_back_to_card(c, &k, p->id);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
out:
	free(d);
	free(series);
	buf_release(&b);
	return rc;
}

/* "30" → days in 1..ACTIVITY_MAX_DAYS: 1 ok, 0 not a number, -1 out of range. */
static int
mon_parse_days(const char *s, int64_t max, int64_t *days)
{
	int64_t v;

	if (str_to_i64(s, &v) == -1)
		return 0;
	if (v < 1 || v > max)
		return -1;
	*days = v;
	return 1;
}

static int
mon_bad_days(struct ctx *c, int64_t max)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_printf(&b, TR(c, "Число дней — от 1 до %lld.", "Days must be 1 to %lld."), (long long)max);
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

static int
mon_activity_cmd(struct ctx *c)
{
	const char *sp = strrchr(c->args, ' ');
	int64_t days = ACTIVITY_DEFAULT_DAYS;
	char query[600];
	struct partner p;
	int r;

	str_copy(query, sizeof(query), c->args);
	/* a last word that is a number is the period, unless it is the only word (an id) */
	if (sp != NULL) {
		r = mon_parse_days(sp + 1, ACTIVITY_MAX_DAYS, &days);
		if (r == -1)
			return mon_bad_days(c, ACTIVITY_MAX_DAYS);
		if (r == 1) {
			size_t n = (size_t)(sp - c->args);

			while (n > 0 && c->args[n - 1] == ' ')
				n--;
			if (n < sizeof(query))
				query[n] = '\0';
		}
	}
	r = view_pick_partner(c, query, &p, "act");
	if (r != 1)
		return r;
	return mon_activity_show(c, &p, days, 0);
}

/* "act:<id>" or "act:<id>:<days>" */
static int
mon_activity_btn(struct ctx *c)
{
	const char *colon = strchr(c->arg, ':');
	int64_t days = ACTIVITY_DEFAULT_DAYS;
	struct partner p;
	int r;

	if (colon != NULL && mon_parse_days(colon + 1, ACTIVITY_MAX_DAYS, &days) != 1)
		return view_damaged(c);
	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	return mon_activity_show(c, &p, days, 1);
}

/* ---------------------------------------------------------------------------------------------
 * /dormant [days] */

/* Every dormant partner: ids and last logins (malloc'd, the caller frees both). Count or -1. */
int
mon_dormant_all(struct db *db, int64_t cutoff, int64_t **ids, int64_t **last)
{
	int64_t total = partner_count(db);
	int n;

	*ids = *last = NULL;
	if (total < 0)
		return -1;
	total++;	/* never a zero-sized allocation */
	*ids = calloc((size_t)total, sizeof(**ids));
	*last = calloc((size_t)total, sizeof(**last));
	if (*ids == NULL || *last == NULL) {
		free(*ids);
		free(*last);
		*ids = *last = NULL;
		return -1;
	}
	n = activity_dormant(db, cutoff, *ids, *last, (int)total);
	if (n == -1) {
		free(*ids);
		free(*last);
		*ids = *last = NULL;
	}
	return n;
}

static int
mon_dormant_cmd(struct ctx *c)
{
	int64_t days = c->cfg->dormant_days, *ids = NULL, *last = NULL, at;
	char word[32], detail[64];
	struct partner p;
	struct buf b;
	int n, i, shown = 0, rc = -1;

	view_word(c->args, word, sizeof(word));
	if (word[0] != '\0' && mon_parse_days(word, 365, &days) != 1)
		return mon_bad_days(c, 365);
	buf_init(&b, 0);
	n = mon_dormant_all(c->db, c->now - days * DAY, &ids, &last);
	if (n == -1)
		goto out;
	snprintf(detail, sizeof(detail), "dormant list, %lld days, %d partners", (long long)days, n);
	if (view_audit(c, 0, "partner.activity", "", 0, detail) == -1)
		goto out;
	if (n == 0) {
		buf_printf(&b, TR(c, "😴 Нет активных партнёров без входа больше %lld дн.",
		    "😴 No active partner has gone more than %lld days without a login."),
		    (long long)days);
		rc = reply(c, b.ptr, NULL);
		goto out;
	}
	buf_printf(&b, TR(c, "😴 <b>Не заходят больше %lld дн.</b>: %d", "😴 <b>No login for "
	    "more than %lld days</b>: %d"), (long long)days, n);
	if (n > DORMANT_SHOWN)
		buf_printf(&b, TR(c, " (показаны %d дольше всех)", " (the %d longest shown)"),
		    DORMANT_SHOWN);
	buf_addc(&b, '\n');
	for (i = 0; i < n && shown < DORMANT_SHOWN; i++) {
		int r = partner_get(c->db, ids[i], &p);

		if (r == -1)
			goto out;
		if (r == 0)
			continue;
		shown++;
		mon_last_seen(&p, last[i], &at);
		buf_printf(&b, "\n%d. ", shown);
		mon_partner_name(&b, &p);
		buf_adds(&b, " — ");
		if (at > 0)
			buf_printf(&b, TR(c, "%lld дн.; ", "%lld d; "), (long long)((c->now - at) / DAY));
		mon_last_seen_text(c->lang, &p, last[i], &b);
	}
	buf_adds(&b, TR(c, "\n\nПодробнее: /activity &lt;партнёр&gt;",
	    "\n\nMore: /activity &lt;partner&gt;"));
	rc = reply(c, b.ptr, NULL);
out:
	free(ids);
	free(last);
	buf_release(&b);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * /volume [partner] */

static void
mon_volume_line(struct ctx *c, const struct volume *v, struct buf *b)
{
	mon_bytes(c->lang, v->db_bytes, b);
	buf_printf(b, TR(c, " · клиентов %lld · занятий %lld · платежей %lld",
	    " · clients %lld · lessons %lld · payments %lld"), (long long)v->clients,
	    (long long)v->lessons, (long long)v->payments);
}

static int
mon_volume_show(struct ctx *c, const struct partner *p, int edit)
{
	struct volume v;
	struct buf b;
	struct kb k;
	char t[32];
	int r, rc = -1;

	if ((rc = partners_support_gate(c, p, edit)) != 1)
		return rc;
	rc = -1;

	r = volume_get(c->db, p->id, &v);
	if (r == -1 || view_audit(c, p->id, "partner.volume", "", 0, "data volume") == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🗄 <b>Объём данных</b> · ", "🗄 <b>Data volume</b> · "));
	mon_partner_name(&b, p);
	if (r == 0)
		buf_adds(&b, TR(c, "\nCRM ещё не присылала данных об объёме.",
		    "\nThe CRM has not reported the volume yet."));
	else {
		buf_adds(&b, TR(c, "\nБаза данных: ", "\nDatabase: "));
		mon_bytes(c->lang, v.db_bytes, &b);
		buf_printf(&b, TR(c, "\nКлиентов: %lld\nЗанятий: %lld\nПлатежей: %lld",
		    "\nClients: %lld\nLessons: %lld\nPayments: %lld"), (long long)v.clients,
		    (long long)v.lessons, (long long)v.payments);
		view_time(v.updated_at, t, sizeof(t));
		buf_printf(&b, TR(c, "\nОбновлено: %s", "\nUpdated: %s"), t);
	}
	kb_init(&k);
	kb_button(&k, TR(c, "Активность", "Activity"), "act:%lld", (long long)p->id);
	view_back_to_card(c, &k, p->id);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

static int
mon_volume_top(struct ctx *c)
{
	struct volume v[VOLUME_TOP];
	struct partner p;
	struct buf b;
	struct kb k;
	int n, i, r, rc = -1;

	n = volume_top(c->db, v, VOLUME_TOP);
	if (n == -1 || view_audit(c, 0, "partner.volume", "", 0, "top by database size") == -1)
		return -1;
	buf_init(&b, 0);
	kb_init(&k);
	if (n == 0) {
		rc = reply(c, TR(c, "🗄 CRM ещё не присылала данных об объёме.",
		    "🗄 The CRM has not reported any volumes yet."), NULL);
		goto out;
	}
	buf_printf(&b, TR(c, "🗄 <b>Самые большие базы</b> (%d)\n", "🗄 <b>Largest databases</b> "
	    "(%d)\n"), n);
	for (i = 0; i < n; i++) {
		char label[300], name[200];

		if ((r = partner_get(c->db, v[i].partner_id, &p)) == -1)
			goto out;
		if (r == 0)
			continue;
		buf_printf(&b, "\n%d. ", i + 1);
		mon_partner_name(&b, &p);
		buf_adds(&b, " — ");
		mon_volume_line(c, &v[i], &b);
		str_copy(name, sizeof(name), p.name);
		snprintf(label, sizeof(label), "%d. %s", i + 1, name);
		if (i % 2 == 0)
			kb_row(&k);
		kb_button(&k, label, "vol:%lld", (long long)p.id);
	}
	rc = reply(c, b.ptr, &k);
out:
	buf_release(&b);
	return rc;
}

static int
mon_volume_cmd(struct ctx *c)
{
	struct partner p;
	int r;

	if (c->args[0] == '\0')
		return mon_volume_top(c);
	r = view_pick_partner(c, c->args, &p, "vol");
	if (r != 1)
		return r;
	return mon_volume_show(c, &p, 0);
}

static int
mon_volume_btn(struct ctx *c)
{
	struct partner p;
	int r;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	return mon_volume_show(c, &p, 1);
}

/* ---------------------------------------------------------------------------------------------
 * /top */

/* Up to TOP_SHOWN active partners of one end of the list, as lines. -1 on error. */
static int
mon_top_list(struct ctx *c, int64_t from, int64_t to, int asc, struct buf *b)
{
	int64_t ids[TOP_FETCH], sums[TOP_FETCH];
	struct partner p;
	int n, i, r, shown = 0;

	n = activity_totals(c->db, from, to, asc, ids, sums, TOP_FETCH);
	if (n == -1)
		return -1;
	for (i = 0; i < n && shown < TOP_SHOWN; i++) {
		if ((r = partner_get(c->db, ids[i], &p)) == -1)
			return -1;
		if (r == 0 || p.status != PARTNER_ACTIVE)
			continue;
		shown++;
		buf_printf(b, "\n%d. ", shown);
		mon_partner_name(b, &p);
		buf_printf(b, " — %lld", (long long)sums[i]);
	}
	if (shown == 0)
		buf_adds(b, TR(c, "\nнет данных", "\nno data"));
	return 0;
}

static int
mon_top_cmd(struct ctx *c)
{
	int64_t today = c->now / DAY;
	struct buf b;
	int rc = -1;

	if (view_audit(c, 0, "partner.activity", "", 0, "top and bottom, 7 days") == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🏆 <b>Самые активные за 7 дней</b> (входы + операции)",
	    "🏆 <b>Most active over 7 days</b> (logins + operations)"));
	if (mon_top_list(c, today - 6, today, 0, &b) == -1)
		goto out;
	buf_adds(&b, TR(c, "\n\n🐢 <b>Наименее активные</b>", "\n\n🐢 <b>Least active</b>"));
	if (mon_top_list(c, today - 6, today, 1, &b) == -1)
		goto out;
	rc = reply(c, b.ptr, NULL);
out:
	buf_release(&b);
	return rc;
}


/* ---------------------------------------------------------------------------------------------
 * The tables. */

const struct command monitoring_commands[] = {
	{ "activity", "<партнёр> [дней]", PERM_MEMBER, CMD_PARTNER, 1,
	  "активность партнёра по дням: входы, операции, пользователи",
	  "a partner's activity by day: logins, operations, users", mon_activity_cmd },
	{ "dormant", "[дней]", PERM_MEMBER, CMD_PARTNER, 0,
	  "партнёры, которые давно не заходят", "partners who have not logged in for long",
	  mon_dormant_cmd },
	{ "volume", "[партнёр]", PERM_MEMBER, CMD_PARTNER, 0,
	  "объём данных партнёра или самые большие базы",
	  "a partner's data volume, or the largest databases", mon_volume_cmd },
	{ "top", "", PERM_MEMBER, CMD_PARTNER, 0,
	  "самые и наименее активные партнёры за неделю",
	  "the most and least active partners this week", mon_top_cmd },
	{ "health", "", PERM_MEMBER, 0, 0,
	  "состояние бота: Telegram, очереди, база, CRM",
	  "the bot's health: Telegram, queues, database, CRM", mon_health_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct button monitoring_buttons[] = {
	{ "act", PERM_MEMBER, CMD_PARTNER, mon_activity_btn, NULL },
	{ "vol", PERM_MEMBER, CMD_PARTNER, mon_volume_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
