/* app.c — what the threads share: wake-ups, counters, the configuration lock. */
#include <string.h>
#include <time.h>

#include <stdio.h>
#include <stdlib.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

void
app_init(struct app *a)
{
	pthread_condattr_t ca;

	memset(a, 0, sizeof(*a));
	cfg_defaults(&a->cfg);
	pthread_mutex_init(&a->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_rwlock_init(&a->cfg_lock, NULL);
	a->stats.started_at = clock_now();
	latency_init(&a->handler_latency);
	latency_init(&a->tg_latency);
}

void
app_destroy(struct app *a)
{
	cfg_free(&a->cfg);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cond);
	pthread_rwlock_destroy(&a->cfg_lock);
}

static void
app_wake(struct app *a, int *flag)
{
	pthread_mutex_lock(&a->mu);
	*flag = 1;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->mu);
}

void
app_wake_worker(struct app *a)
{
	app_wake(a, &a->inbox_pending);
}

void
app_wake_sender(struct app *a)
{
	app_wake(a, &a->outbox_pending);
}

/* Wakes every waiting thread (shutdown). */
void
app_wake_all(struct app *a)
{
	pthread_mutex_lock(&a->mu);
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->mu);
}

int
app_wait(struct app *a, int *flag, int64_t timeout_ms)
{
	struct timespec ts;
	int woken;

	if (timeout_ms < 0)
		timeout_ms = 0;	/* a deadline read twice can already be past */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&a->mu);
	while (!*flag && !a->stop)
		if (pthread_cond_timedwait(&a->cond, &a->mu, &ts) != 0)
			break;	/* ETIMEDOUT, or an error that must not spin */
	woken = *flag;
	*flag = 0;
	pthread_mutex_unlock(&a->mu);
	return woken;
}

void
app_stat_add(struct app *a, int64_t *field, int64_t n)
{
	pthread_mutex_lock(&a->mu);
	*field += n;
	pthread_mutex_unlock(&a->mu);
}

void
app_stat_set(struct app *a, int64_t *field, int64_t v)
{
	pthread_mutex_lock(&a->mu);
	*field = v;
	pthread_mutex_unlock(&a->mu);
}

/* A group that became a supergroup keeps working: chat ids are looked up through the map the
 * migration wrote ("chatmap:<old id>" → new id). */
int64_t
app_chat(struct db *db, int64_t chat_id)
{
	char key[40];
	int64_t to;
	int hops;

	for (hops = 0; hops < 4 && chat_id != 0; hops++) {
		snprintf(key, sizeof(key), "chatmap:%lld", (long long)chat_id);
		if (state_get_int(db, key, &to) != 1)
			break;
		chat_id = to;
	}
	return chat_id;
}

/* Records a migration and moves queued messages; the caller owns the transaction. */
int
app_chat_migrate(struct db *db, int64_t old_chat, int64_t new_chat)
{
	char key[40];

	snprintf(key, sizeof(key), "chatmap:%lld", (long long)old_chat);
	if (state_set_int(db, key, new_chat) == -1 || outbox_rewrite_chat(db, old_chat, new_chat) == -1)
		return -1;
	log_warn("chat %lld became supergroup %lld; stored chat id rewritten", (long long)old_chat,
	    (long long)new_chat);
	return 0;
}

/* Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped at 60 s, then a random share. */
int64_t
app_backoff_ms(int attempt)
{
	int64_t base = 1000;

	while (attempt-- > 0 && base < 60000)
		base *= 2;
	if (base > 60000)
		base = 60000;
	return base / 2 + (int64_t)(random() % (base / 2 + 1));
}

/* Sleeps up to ms, returning early on shutdown. */
void
app_sleep(struct app *a, int64_t ms)
{
	int never = 0;
	int64_t until = clock_mono_ms() + ms;

	while (!a->stop && clock_mono_ms() < until)
		app_wait(a, &never, until - clock_mono_ms() > 250 ? 250 : until - clock_mono_ms());
}

/* A thread's own connection; on failure the whole bot stops with exit code 1. */
struct db *
app_thread_db(struct app *a, const char *who)
{
	char errbuf[256];
	struct db *db;

	db = db_open(a->cfg.database, errbuf, sizeof(errbuf));
	if (db == NULL) {
		log_error("%s: cannot open database '%s': %s", who, a->cfg.database, errbuf);
		a->exit_code = 1;
		a->stop = 1;
		app_wake_all(a);
	}
	return db;
}

void
app_live(struct app *a, struct app_live *l)
{
	pthread_rwlock_rdlock(&a->cfg_lock);
	l->retry_after_cap = a->cfg.retry_after_cap;
	l->chat_team = a->cfg.chat_team;
	l->language = a->cfg.language;
	pthread_rwlock_unlock(&a->cfg_lock);
}

/*
 * A long 429 wait is Telegram trouble: it raises the "telegram" alert episode (warn), in its own
 * transaction, and notes when it happened (state TG_LONG_WAIT_KEY) so the queues job resolves
 * the episode only once Telegram has behaved for a while. An episode the queues job opened as
 * critical (an error burst, stale polling) is left as it is. Called by the sender and the
 * intake threads with their own connection, outside any transaction.
 */
void
app_report_throttle(struct app *a, struct db *db, const char *method, int64_t asked,
    int64_t waited)
{
	struct app_live live;
	struct alert cur;
	char text[512];
	int en, r;

	app_live(a, &live);
	en = live.language == LANG_EN;
	log_warn("%s: telegram asked to wait %llds (429); waiting %llds", method, (long long)asked,
	    (long long)waited);
	snprintf(text, sizeof(text), en ? "Telegram throttles the bot: asked to wait %lld s; "
	    "waiting %lld s. Messages are queued, none are lost." :
	    "Telegram ограничивает бота: просит подождать %lld с; ждём %lld с. "
	    "Сообщения в очереди и не потеряются.", (long long)asked, (long long)waited);
	if (db_begin(db) == -1) {
		log_error("%s: the telegram alert was not recorded", method);
		return;
	}
	r = state_set_int(db, TG_LONG_WAIT_KEY, clock_now());
	if (r != -1 && (r = alert_open_get(db, "telegram", &cur)) != -1)
		r = r == 1 && cur.level > ALERT_WARN ? 0 :
		    alert_raise(a, db, "telegram", "telegram", 0, ALERT_WARN, text);
	if (r == -1) {
		db_rollback(db);
		log_error("%s: the telegram alert was not recorded", method);
		return;
	}
	if (db_commit(db) == -1) {
		log_error("%s: the telegram alert was not recorded", method);
		return;
	}
	if (r == 1)
		app_wake_sender(a);
}

/* SIGHUP: settings that can change live are swapped in; the rest need a restart. */
int
app_reload(struct app *a, struct db *db)
{
	struct config nc;
	struct buf err;
	int i, rc = -1;

	cfg_defaults(&nc);
	buf_init(&err, 0);
	if (cfg_load(&nc, a->config_path, &err) == -1) {
		log_error("reload: configuration has errors, keeping the old one:\n%s", err.ptr);
		goto out;
	}
	if (strcmp(nc.database, a->cfg.database) != 0 || strcmp(nc.api_url, a->cfg.api_url) != 0 ||
	    strcmp(nc.mode, a->cfg.mode) != 0 || strcmp(nc.http_listen, a->cfg.http_listen) != 0)
		log_warn("reload: database, api_url, mode and [http] listen changes need a restart");
	pthread_rwlock_wrlock(&a->cfg_lock);
	for (i = 0; i < nc.nsuperadmins; i++)
		a->cfg.superadmins[i] = nc.superadmins[i];
	a->cfg.nsuperadmins = nc.nsuperadmins;
	a->cfg.chat_team = nc.chat_team;
	a->cfg.chat_billing = nc.chat_billing;
	a->cfg.chat_support = nc.chat_support;
	a->cfg.chat_digest = nc.chat_digest;
	a->cfg.chat_audit = nc.chat_audit;
	a->cfg.language = nc.language;
	a->cfg.retry_after_cap = nc.retry_after_cap;
	/* read by the main thread only (the HTTP server): a token can be rotated live */
	free(a->cfg.api_token);
	a->cfg.api_token = nc.api_token;
	nc.api_token = NULL;
	a->cfg.http_body_limit = nc.http_body_limit;
	pthread_rwlock_unlock(&a->cfg_lock);
	log_info("configuration reloaded from '%s'", a->config_path);
	rc = 0;
	/* a superadmin added by the reload gets their full menu now */
	if (menu_refresh_all(a, db) == -1)
		log_warn("command menus were not queued");
	else
		app_wake_sender(a);
out:
	buf_release(&err);
	cfg_free(&nc);
	return rc;
}
