/*
 * activity_scan.c — the scans the scheduler runs over the partners: dormant partners and
 * week-over-week drops, which open and close alert episodes through the alert engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/monitoring/monitoring.h"

#define JOB_BATCH		200	/* alert updates per transaction in a scan */

/* ---------------------------------------------------------------------------------------------
 * The scans. Each manages its own transactions: JOB_BATCH alert updates per commit, so a first
 * scan over thousands of partners neither holds the database nor syncs once per partner. */

/* Opens the batch's transaction unless one is open. */
int
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
int
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
int
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
	n = alert_open_of_kind(db, kind, 0, *out, (int)max);
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
