/*
 * monitoring.c — what the CRM reports about its partners and how the bot itself is doing:
 * /activity, /dormant, /volume, /top, /health, and the scans the scheduler runs (dormant
 * partners, week-over-week drops, the outbox backlog, Telegram trouble), which open and close
 * alert episodes through the alert engine.
 *
 * Activity and volumes are partner data but not personal data: every member may see them, and
 * each view is audited (one record per view of a partner, one with partner 0 per list).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"

#define DAY			86400
#define ACTIVITY_DEFAULT_DAYS	14
#define ACTIVITY_MAX_DAYS	90
#define DORMANT_SHOWN		50	/* /dormant lists this many, and counts the rest */
#define VOLUME_TOP		20
#define TOP_SHOWN		10
#define TOP_FETCH		200	/* candidates read to find TOP_SHOWN active partners */
#define DORMANT_STEP_DAYS	7
#define JOB_BATCH		200	/* alert updates per transaction in a scan */
#define POLL_STALE		300	/* seconds without a successful getUpdates: trouble */
#define TG_WINDOW		5	/* minutes of Telegram errors weighed */
#define TG_ERRORS_BAD		10	/* errors in the window that open the alert */
#define TG_ERRORS_OK		2	/* at most this many in the window to resolve it */
#define TG_QUIET		300	/* seconds without a long 429 wait to resolve it */
#define BACKLOG_CRIT_TIMES	5	/* pending above threshold × this is critical */

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
static void
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
static void
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
static void
mon_partner_name(struct buf *b, const struct partner *p)
{
	buf_adds(b, "<b>");
	buf_add_html(b, p->name);
	buf_printf(b, "</b> · #%lld", (long long)p->id);
}

/* When the partner last came in: their last login, else the connection date (never came in).
 * 1 a login, 0 never logged in (*at is the connection date, maybe 0). */
static int
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
static void
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
static int
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
 * /health */

static void
mon_ms(struct ctx *c, int64_t us, struct buf *b)
{
	if (us < 0)
		buf_adds(b, "—");
	else
		buf_printf(b, TR(c, "%lld мс", "%lld ms"), (long long)((us + 500) / 1000));
}

static void
mon_probe_text(struct ctx *c, const struct probe_state *ps, struct buf *b)
{
	char t[32];

	buf_adds(b, "\nCRM: ");
	if (!ps->configured) {
		buf_adds(b, TR(c, "⚪️ проверка не настроена ([monitoring] crm_health_url)",
		    "⚪️ no probe configured ([monitoring] crm_health_url)"));
		return;
	}
	if (ps->up == 1)
		buf_adds(b, TR(c, "🟢 доступна", "🟢 up"));
	else if (ps->up == 0)
		buf_adds(b, TR(c, "🔴 недоступна", "🔴 down"));
	else
		buf_adds(b, TR(c, "⏳ состояние ещё не известно", "⏳ state not known yet"));
	if (ps->last_at > 0) {
		buf_adds(b, TR(c, "\n    последняя проверка ", "\n    last check "));
		mon_duration(c->lang, c->now - ps->last_at, b);
		buf_adds(b, TR(c, " назад: ", " ago: "));
		if (ps->last_status > 0)
			buf_printf(b, "HTTP %ld", ps->last_status);
		else
			buf_adds(b, TR(c, "нет ответа", "no answer"));
		buf_printf(b, TR(c, ", %lld мс", ", %lld ms"), (long long)ps->last_latency_ms);
		if (ps->last_error[0]) {
			buf_adds(b, " (");
			buf_add_html(b, ps->last_error);
			buf_adds(b, ")");
		}
	}
	if (ps->changed_at > 0) {
		view_time(ps->changed_at, t, sizeof(t));
		buf_printf(b, TR(c, "\n    в этом состоянии с %s", "\n    in this state since %s"), t);
	}
}

static int
mon_health_cmd(struct ctx *c)
{
	struct probe_state ps;
	struct stats st;
	int64_t p50, p95, outq, inq, dbsz;
	char t[32];
	struct buf b;
	int rc;

	pthread_mutex_lock(&c->app->mu);
	st = c->app->stats;
	pthread_mutex_unlock(&c->app->mu);
	probe_get(c->app, &ps);
	p50 = latency_pct(&c->app->tg_latency, 50);
	p95 = latency_pct(&c->app->tg_latency, 95);
	outq = outbox_pending_count(c->db);
	inq = inbox_pending_count(c->db);
	dbsz = db_size_bytes(c->db);

	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🩺 <b>Состояние бота</b>\n", "🩺 <b>Bot health</b>\n"));
	buf_adds(&b, TR(c, "Работает ", "Up for "));
	mon_duration(c->lang, c->now - st.started_at, &b);
	view_time(st.started_at, t, sizeof(t));
	buf_printf(&b, TR(c, " (с %s), версия %s\n", " (since %s), version %s\n"), t, BO_VERSION);
	buf_adds(&b, TR(c, "Telegram API: p50 ", "Telegram API: p50 "));
	mon_ms(c, p50, &b);
	buf_adds(&b, " · p95 ");
	mon_ms(c, p95, &b);
	buf_printf(&b, TR(c, " · ошибок: %lld\n", " · errors: %lld\n"), (long long)st.tg_errors);
	buf_adds(&b, TR(c, "Последний успешный опрос: ", "Last successful poll: "));
	if (c->app->console)
		buf_adds(&b, TR(c, "— (консоль)", "— (console)"));
	else if (c->cfg->mode != NULL && strcmp(c->cfg->mode, "webhook") == 0)
		buf_adds(&b, TR(c, "— (режим вебхука)", "— (webhook mode)"));
	else if (st.last_poll_ok <= 0)
		buf_adds(&b, TR(c, "ещё не было", "none yet"));
	else {
		mon_duration(c->lang, c->now - st.last_poll_ok, &b);
		buf_adds(&b, TR(c, " назад", " ago"));
	}
	buf_printf(&b, TR(c, "\nОбновлений получено: %lld, обработано: %lld; сообщений "
	    "отправлено: %lld\n", "\nUpdates received: %lld, handled: %lld; messages sent: %lld\n"),
	    (long long)st.updates_in, (long long)st.updates_done, (long long)st.messages_out);
	buf_printf(&b, TR(c, "Очереди: исходящие %lld · входящие %lld\n",
	    "Queues: outgoing %lld · incoming %lld\n"), (long long)outq, (long long)inq);
	buf_adds(&b, TR(c, "База данных: ", "Database: "));
	if (dbsz < 0)
		buf_adds(&b, "—");
	else
		mon_bytes(c->lang, dbsz, &b);
	mon_probe_text(c, &ps, &b);
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The scans. Each manages its own transactions: JOB_BATCH alert updates per commit, so a first
 * scan over thousands of partners neither holds the database nor syncs once per partner. */

struct mon_batch {
	struct app	*a;
	struct db	*db;
	int		 open;		/* a transaction is open */
	int		 ops;		/* alert calls in it */
	int		 changed;	/* messages queued overall: wake the sender */
};

/* Opens the batch's transaction unless one is open. */
static int
mon_batch_begin(struct mon_batch *t)
{
	if (t->open)
		return 0;
	if (db_begin(t->db) == -1)
		return -1;
	t->open = 1;
	t->ops = 0;
	return 0;
}

/* Counts one alert call (r: alert_raise's or alert_resolve's result); commits every JOB_BATCH. */
static int
mon_batch_result(struct mon_batch *t, int r)
{
	if (r == -1)
		return -1;
	if (r == 1)
		t->changed = 1;
	if (++t->ops < JOB_BATCH)
		return 0;
	t->open = 0;
	if (db_commit(t->db) == -1)
		return -1;
	if (t->changed)
		app_wake_sender(t->a);	/* a long scan's first messages need not wait for its end */
	return 0;
}

/* Commits what is open (ok) or rolls it back; wakes the sender when something was queued. */
static int
mon_batch_end(struct mon_batch *t, int ok)
{
	int rc = ok ? 0 : -1;

	if (t->open) {
		if (ok)
			rc = db_commit(t->db);
		else
			db_rollback(t->db);
		t->open = 0;
	}
	if (t->changed)
		app_wake_sender(t->a);
	return rc;
}

/* Is id among the n ids? (Sorted copy, binary search.) */
static int
mon_cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static int
mon_has(const int64_t *sorted, int n, int64_t id)
{
	return n > 0 && bsearch(&id, sorted, (size_t)n, sizeof(id), mon_cmp_i64) != NULL;
}

/* The alerts the scan may have to close: every open episode of kind (malloc'd, caller frees).
 * Count or -1. */
static int
mon_open_alerts(struct db *db, const char *kind, struct alert **out)
{
	int64_t max = partner_count(db);
	int n;

	*out = NULL;
	if (max < 0)
		return -1;
	max += 16;	/* episodes of partners since removed, and never a zero-sized array */
	if ((*out = calloc((size_t)max, sizeof(**out))) == NULL)
		return -1;
	n = alert_open_of_kind(db, kind, *out, (int)max);
	if (n == -1) {
		free(*out);
		*out = NULL;
	}
	return n;
}

/* The dormant alert's text: the day count moves in 7-day steps, so it is edited once a week. */
static void
mon_dormant_text(enum lang lang, const struct partner *p, int64_t step, int64_t last_login,
    struct buf *b)
{
	int en = lang == LANG_EN;

	buf_adds(b, en ? "😴 <b>Dormant partner</b>\n" : "😴 <b>Партнёр не заходит</b>\n");
	mon_partner_name(b, p);
	buf_printf(b, en ? " — no login for more than %lld days\n" :
	    " — нет входов больше %lld дн.\n", (long long)step);
	mon_last_seen_text(lang, p, last_login, b);
}

#define DORMANT_NEW_MAX 20	/* new dormant alerts posted per hourly scan */

int
monitoring_dormant_job(struct app *a, struct db *db)
{
	int64_t now = clock_now(), nd = a->cfg.dormant_days, *ids = NULL, *last = NULL, *sorted = NULL;
	int en = a->cfg.language == LANG_EN;
	struct mon_batch t = { a, db, 0, 0, 0 };
	struct alert *open = NULL;
	struct partner p;
	struct buf b;
	char key[64], tm[32];
	int n, nopen, i, r, ok = 0, fresh = 0, held = 0;
	int64_t at, step, ll, feed;
	struct alert cur;

	buf_init(&b, 0);
	if ((feed = activity_feed_start(db)) == -1)
		goto out;
	n = mon_dormant_all(db, now - nd * DAY, &ids, &last);
	if (n == -1)
		goto out;
	for (i = 0; i < n; i++) {
		/* "never logged in" means something only once the CRM has reported for longer than
		 * dormant_days; before that every partner would look dormant on the first scan */
		if (last[i] == 0 && (feed == 0 || feed > now - nd * DAY))
			continue;
		if ((r = partner_get(db, ids[i], &p)) == -1)
			goto out;
		if (r == 0)
			continue;
		snprintf(key, sizeof(key), "dormant:%lld", (long long)p.id);
		/* at most DORMANT_NEW_MAX new posts a scan: the rest come an hour later, and the
		 * team chat is never flooded past Telegram's group limit */
		if ((r = alert_open_get(db, key, &cur)) == -1)
			goto out;
		if (r == 0 && fresh++ >= DORMANT_NEW_MAX) {
			held++;
			continue;
		}
		mon_last_seen(&p, last[i], &at);
		/* 0: no date to count from, or dormant by a cutoff a few seconds short of a day */
		step = at > 0 ? monitoring_dormant_step((now - at) / DAY, nd) : 0;
		if (step == 0)
			step = nd;
		buf_reset(&b);
		mon_dormant_text(a->cfg.language, &p, step, last[i], &b);
		if (mon_batch_begin(&t) == -1 ||
		    mon_batch_result(&t, alert_raise(a, db, "dormant", key, p.id, ALERT_WARN,
		    b.ptr)) == -1)
			goto out;
	}

	if (held > 0)
		log_info("dormant: %d more dormant partners are posted by the next scans", held);

	/* episodes whose partner came back (or is no longer active) are closed */
	if ((sorted = malloc(((size_t)n + 1) * sizeof(*sorted))) == NULL)
		goto out;
	memcpy(sorted, ids, (size_t)n * sizeof(*sorted));
	qsort(sorted, (size_t)n, sizeof(*sorted), mon_cmp_i64);
	if ((nopen = mon_open_alerts(db, "dormant", &open)) == -1)
		goto out;
	for (i = 0; i < nopen; i++) {
		if (mon_has(sorted, n, open[i].partner_id))
			continue;
		buf_reset(&b);
		r = partner_get(db, open[i].partner_id, &p);
		if (r == -1)
			goto out;
		if (r == 0)
			buf_printf(&b, en ? "✅ Partner #%lld was removed" : "✅ Партнёр #%lld удалён",
			    (long long)open[i].partner_id);
		else if (p.status != PARTNER_ACTIVE) {
			buf_adds(&b, en ? "✅ No longer watched: " : "✅ Больше не отслеживается: ");
			mon_partner_name(&b, &p);
			buf_printf(&b, en ? " is not active (%s)" : " не активен (%s)",
			    partner_status_name(p.status));
		} else {
			if ((ll = activity_last_login(db, p.id)) == -1)
				goto out;
			buf_adds(&b, en ? "✅ Back again: " : "✅ Снова заходит: ");
			mon_partner_name(&b, &p);
			if (ll > 0) {
				view_time(ll, tm, sizeof(tm));
				buf_printf(&b, en ? "\nlast login %s" : "\nпоследний вход %s", tm);
			}
		}
		if (mon_batch_begin(&t) == -1 ||
		    mon_batch_result(&t, alert_resolve(a, db, open[i].key, b.ptr)) == -1)
			goto out;
	}
	ok = 1;
out:
	if (mon_batch_end(&t, ok) == -1)
		ok = 0;
	if (ok)
		log_debug("dormant scan: %d dormant partner(s)", n);
	free(ids);
	free(last);
	free(sorted);
	free(open);
	buf_release(&b);
	return ok ? 0 : -1;
}

/* The drop episode's baseline (the week before the drop) is kept beside it in the state table. */
static void
mon_drop_key(char *key, size_t keysz, int64_t partner_id)
{
	snprintf(key, keysz, "monitoring.drop_base:%lld", (long long)partner_id);
}

static void
mon_drop_text(enum lang lang, const struct partner *p, int64_t base, int64_t cur, struct buf *b)
{
	int64_t pct = 0;
	int en = lang == LANG_EN;

	monitoring_change_pct(base, cur, &pct);
	buf_adds(b, en ? "📉 <b>Activity dropped</b>\n" : "📉 <b>Активность упала</b>\n");
	mon_partner_name(b, p);
	buf_printf(b, en ? " — %lld %% week over week\nlast 7 days: %lld, the week before: %lld "
	    "(logins + operations)" : " — на %lld %% за неделю\nза 7 дней: %lld, неделей раньше: "
	    "%lld (входы + операции)", (long long)(pct < 0 ? -pct : pct), (long long)cur,
	    (long long)base);
}

int
monitoring_drop_job(struct app *a, struct db *db)
{
	int64_t today = clock_now() / DAY - 1;	/* whole days only: yesterday is the last */
	int64_t total = partner_count(db), *ids = NULL, *sums = NULL, cur, base;
	int en = a->cfg.language == LANG_EN;
	struct mon_batch t = { a, db, 0, 0, 0 };
	struct alert *open = NULL, cur_alert;
	struct partner p;
	struct buf b;
	char key[64], skey[64];
	int n, nopen, i, r, ok = 0;

	buf_init(&b, 0);
	if (total < 0)
		goto out;
	total++;
	ids = calloc((size_t)total, sizeof(*ids));
	sums = calloc((size_t)total, sizeof(*sums));
	if (ids == NULL || sums == NULL)
		goto out;
	/* the previous week, busiest first: only those with enough events can drop */
	n = activity_totals(db, today - 13, today - 7, 0, ids, sums, (int)total);
	if (n == -1)
		goto out;
	for (i = 0; i < n && sums[i] >= MONITORING_DROP_MIN; i++) {
		if ((cur = activity_total(db, ids[i], today - 6, today)) == -1)
			goto out;
		if (!monitoring_is_drop(sums[i], cur, a->cfg.drop_percent))
			continue;
		if ((r = partner_get(db, ids[i], &p)) == -1)
			goto out;
		if (r == 0 || p.status != PARTNER_ACTIVE)
			continue;
		snprintf(key, sizeof(key), "drop:%lld", (long long)p.id);
		mon_drop_key(skey, sizeof(skey), p.id);
		if (mon_batch_begin(&t) == -1)
			goto out;
		/* an open episode keeps the baseline it opened with */
		if ((r = alert_open_get(db, key, &cur_alert)) == -1)
			goto out;
		base = sums[i];
		if (r == 1) {
			if (state_get_int(db, skey, &base) == -1)
				goto out;
		} else if (state_set_int(db, skey, base) == -1)
			goto out;
		buf_reset(&b);
		mon_drop_text(a->cfg.language, &p, base, cur, &b);
		if (mon_batch_result(&t, alert_raise(a, db, "drop", key, p.id, ALERT_WARN,
		    b.ptr)) == -1)
			goto out;
	}

	/* open episodes: recovered when the last 7 days are back within drop_percent of the
	 * baseline (or the partner is no longer active) */
	if ((nopen = mon_open_alerts(db, "drop", &open)) == -1)
		goto out;
	for (i = 0; i < nopen; i++) {
		mon_drop_key(skey, sizeof(skey), open[i].partner_id);
		if ((r = state_get_int(db, skey, &base)) == -1)
			goto out;
		if (r == 0)
			base = 0;
		if ((cur = activity_total(db, open[i].partner_id, today - 6, today)) == -1)
			goto out;
		if ((r = partner_get(db, open[i].partner_id, &p)) == -1)
			goto out;
		if (r == 1 && p.status == PARTNER_ACTIVE &&
		    monitoring_is_drop(base, cur, a->cfg.drop_percent)) {
			/* still down against its baseline: the message follows the figures (better
			 * or worse) even once the week before has itself fallen under the minimum
			 * and the partner left the list above; unchanged figures change nothing */
			buf_reset(&b);
			mon_drop_text(a->cfg.language, &p, base, cur, &b);
			if (mon_batch_begin(&t) == -1 ||
			    mon_batch_result(&t, alert_raise(a, db, "drop", open[i].key, p.id,
			    ALERT_WARN, b.ptr)) == -1)
				goto out;
			continue;
		}
		buf_reset(&b);
		if (r == 0)
			buf_printf(&b, en ? "✅ Partner #%lld was removed" : "✅ Партнёр #%lld удалён",
			    (long long)open[i].partner_id);
		else if (p.status != PARTNER_ACTIVE) {
			buf_adds(&b, en ? "✅ No longer watched: " : "✅ Больше не отслеживается: ");
			mon_partner_name(&b, &p);
		} else {
			buf_adds(&b, en ? "✅ Activity recovered: " : "✅ Активность восстановилась: ");
			mon_partner_name(&b, &p);
			buf_printf(&b, en ? "\nlast 7 days: %lld, before the drop: %lld" :
			    "\nза 7 дней: %lld, до падения: %lld", (long long)cur, (long long)base);
		}
		if (mon_batch_begin(&t) == -1 || state_set_int(db, skey, 0) == -1 ||
		    mon_batch_result(&t, alert_resolve(a, db, open[i].key, b.ptr)) == -1)
			goto out;
	}
	ok = 1;
out:
	if (mon_batch_end(&t, ok) == -1)
		ok = 0;
	free(ids);
	free(sums);
	free(open);
	buf_release(&b);
	return ok ? 0 : -1;
}

/*
 * Telegram errors over the last minutes: the queues job samples the error counter once a
 * minute (it runs in the main thread only). The counter starts at 0 with the process.
 */
static struct {
	int64_t	 minute[TG_WINDOW + 1];
	int64_t	 errors[TG_WINDOW + 1];
	int	 n;
	int	 sampled;	/* a sample was ever taken */
} mon_tg;

/* Errors counted over the window of TG_WINDOW minutes before this sample. */
static int64_t
mon_tg_window(int64_t minute, int64_t errors)
{
	int64_t base;
	int i, j;

	for (i = j = 0; i < mon_tg.n; i++)
		if (mon_tg.minute[i] >= minute - TG_WINDOW && mon_tg.minute[i] < minute) {
			mon_tg.minute[j] = mon_tg.minute[i];
			mon_tg.errors[j] = mon_tg.errors[i];
			j++;
		}
	mon_tg.n = j;
	/* the oldest sample in the window; none: since start-up, or nothing known */
	base = j > 0 ? mon_tg.errors[0] : mon_tg.sampled ? errors : 0;
	mon_tg.minute[j] = minute;
	mon_tg.errors[j] = errors;
	mon_tg.n = j + 1;
	mon_tg.sampled = 1;
	return errors > base ? errors - base : 0;
}

int
monitoring_tg_verdict(int64_t errs, int64_t poll_age, int64_t long_wait_age)
{
	if (errs >= TG_ERRORS_BAD || poll_age > POLL_STALE)
		return 1;
	if (errs <= TG_ERRORS_OK && (poll_age < 0 || poll_age <= POLL_STALE) &&
	    (long_wait_age < 0 || long_wait_age >= TG_QUIET))
		return -1;
	return 0;
}

int
monitoring_queues_job(struct app *a, struct db *db)
{
	int64_t now = clock_now(), pending, thr = a->cfg.backlog_threshold, errs, poll_age = -1;
	int64_t long_wait = 0;
	int en = a->cfg.language == LANG_EN, polling, level, trouble, healthy, verdict, r, ok = 0;
	struct mon_batch t = { a, db, 0, 0, 0 };
	struct alert cur;
	struct stats st;
	struct buf b;

	buf_init(&b, 0);
	if ((pending = outbox_pending_count(db)) == -1)
		goto out;
	pthread_mutex_lock(&a->mu);
	st = a->stats;
	pthread_mutex_unlock(&a->mu);
	errs = mon_tg_window(now / 60, st.tg_errors);
	polling = !a->console && a->cfg.mode != NULL && strcmp(a->cfg.mode, "polling") == 0;
	if (polling)
		poll_age = now - (st.last_poll_ok > 0 ? st.last_poll_ok : st.started_at);

	if (mon_batch_begin(&t) == -1)
		goto out;
	/* the backlog: opens above the threshold, closes below half of it */
	if (pending > thr) {
		level = pending > thr * BACKLOG_CRIT_TIMES ? ALERT_CRIT : ALERT_WARN;
		buf_printf(&b, en ? "📬 <b>Outgoing queue backlog</b>\nmore than %lld messages are "
		    "waiting to be sent (threshold %lld)" : "📬 <b>Очередь исходящих растёт</b>\n"
		    "ждут отправки больше %lld сообщений (порог %lld)",
		    (long long)(level == ALERT_CRIT ? thr * BACKLOG_CRIT_TIMES : thr), (long long)thr);
		r = alert_raise(a, db, "backlog", "backlog", 0, level, b.ptr);
	} else if (pending < (thr + 1) / 2) {
		buf_printf(&b, en ? "✅ The outgoing queue is cleared: %lld waiting" :
		    "✅ Очередь исходящих разобрана: ждут %lld", (long long)pending);
		r = alert_resolve(a, db, "backlog", b.ptr);
	} else
		r = 0;
	if (mon_batch_result(&t, r) == -1)
		goto out;

	/* Telegram: many errors lately, or polling that has not succeeded for a while (a long 429
	 * wait raises the episode itself, app_report_throttle); it resolves once none of these,
	 * nor a long wait, has been seen for a while */
	if ((r = state_get_int(db, TG_LONG_WAIT_KEY, &long_wait)) == -1)
		goto out;
	verdict = monitoring_tg_verdict(errs, poll_age,
	    r == 1 && long_wait > 0 ? (now > long_wait ? now - long_wait : 0) : -1);
	trouble = verdict == 1;
	healthy = verdict == -1;
	buf_reset(&b);
	if (trouble) {
		buf_adds(&b, en ? "📡 <b>Trouble with Telegram</b>" : "📡 <b>Проблемы с Telegram</b>");
		if (errs >= TG_ERRORS_BAD)
			buf_printf(&b, en ? "\nmany failed Bot API calls in the last %d minutes" :
			    "\nмного ошибок Bot API за последние %d минут", TG_WINDOW);
		if (poll_age > POLL_STALE)
			buf_printf(&b, en ? "\nno successful getUpdates for more than %d minutes" :
			    "\nбольше %d минут нет успешного getUpdates", POLL_STALE / 60);
		r = alert_raise(a, db, "telegram", "telegram", 0, ALERT_CRIT, b.ptr);
	} else if (healthy) {
		r = alert_open_get(db, "telegram", &cur);
		if (r == 1) {
			buf_adds(&b, en ? "✅ Telegram works normally again" :
			    "✅ Telegram снова работает нормально");
			r = alert_resolve(a, db, "telegram", b.ptr);
		}
	} else
		r = 0;
	if (mon_batch_result(&t, r) == -1)
		goto out;
	ok = 1;
out:
	if (mon_batch_end(&t, ok) == -1)
		ok = 0;
	buf_release(&b);
	return ok ? 0 : -1;
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
	{ "act", PERM_MEMBER, CMD_PARTNER, mon_activity_btn },
	{ "vol", PERM_MEMBER, CMD_PARTNER, mon_volume_btn },
	{ NULL, 0, 0, NULL },
};
