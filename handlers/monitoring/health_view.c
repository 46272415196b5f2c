/*
 * health_view.c — how the bot itself is doing: /health, and the queues scan (the outbox
 * backlog, Telegram trouble), which opens and closes alert episodes through the alert engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/monitoring/monitoring.h"

#define POLL_STALE		300	/* seconds without a successful getUpdates: trouble */
#define TG_WINDOW		5	/* minutes of Telegram errors weighed */
#define TG_ERRORS_BAD		10	/* errors in the window that open the alert */
#define TG_ERRORS_OK		2	/* at most this many in the window to resolve it */
#define TG_QUIET		300	/* seconds without a long 429 wait to resolve it */
#define BACKLOG_CRIT_TIMES	5	/* pending above threshold × this is critical */

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

int
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
