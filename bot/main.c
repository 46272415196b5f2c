/*
 * main.c — the command line, start-up and shutdown.
 *
 *   backoffice [-c FILE] [-v] [run|console|check-config|demo-seed [--partners N]]
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.
 * run: single instance (lock file), getMe, deleteWebhook (polling) or setWebhook (webhook mode),
 * then the threads — intake (the poller, polling mode only), worker, sender, the CRM probe, the
 * scheduler — while the main thread serves HTTP (http.c) and handles signals:
 * SIGTERM/SIGINT finish in-flight work and exit within 2 s, SIGHUP reloads the configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "bot/json.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

#define DEFAULT_CONFIG "/etc/backoffice/config.ini"

static struct app *main_app;	/* for the signal handlers only */

static void
main_usage(FILE *f)
{
	fprintf(f,
	    "usage: backoffice [-c FILE] [-v] [COMMAND]\n"
	    "\n"
	    "commands:\n"
	    "  run             the Telegram bot (default)\n"
	    "  console         the same bot in this terminal, without Telegram\n"
	    "  check-config    check the configuration and say what is wrong\n"
	    "  demo-seed [--partners N]\n"
	    "                  fill the database with demo data\n"
	    "\n"
	    "options:\n"
	    "  -c FILE         configuration file (default " DEFAULT_CONFIG ")\n"
	    "  -v              debug logging\n"
	    "  -h, --help      this help\n"
	    "  -V, --version   the version\n"
	    "\n"
	    "The token may also come from BACKOFFICE_TELEGRAM_TOKEN.\n");
}

static void
main_on_signal(int sig)
{
	if (main_app == NULL)
		return;
	if (sig == SIGHUP)
		main_app->reload = 1;
	else
		main_app->stop = 1;
}

static void
main_signals(struct app *a)
{
	struct sigaction sa;

	main_app = a;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* One instance per database: an flock held for the life of the process. -1 if taken. */
static int
main_lock(const struct config *cfg)
{
	char path[4096];
	int fd;

	if (cfg->lock_file[0])
		str_copy(path, sizeof(path), cfg->lock_file);
	else
		snprintf(path, sizeof(path), "%s.lock", cfg->database);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_error("cannot open lock file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		log_error("another instance is running (lock '%s' is held)", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* The audit key and anchor files: as configured, or beside the database. */
static void
main_audit_paths(const struct config *cfg, char *key, char *anchors, size_t sz)
{
	if (cfg->audit_key_file[0])
		str_copy(key, sz, cfg->audit_key_file);
	else
		snprintf(key, sz, "%s.audit-key", cfg->database);
	if (cfg->audit_anchor_file[0])
		str_copy(anchors, sz, cfg->audit_anchor_file);
	else
		snprintf(anchors, sz, "%s.audit-anchors", cfg->database);
}

/* Loads (or makes) the audit chain's key before anything can write an audit record: without
 * it every audited action would be refused; with anchor, then pins the verified chain head in
 * the anchor file (a run or a console session starting). 0, or -1 after saying why. */
static int
main_audit_key(const struct config *cfg, int anchor)
{
	char key[4096], anchors[4096], err[8300];
	struct db *db;
	int rc;

	main_audit_paths(cfg, key, anchors, sizeof(key));
	if ((db = db_open(cfg->database, err, sizeof(err))) == NULL) {
		log_error("cannot open database '%s': %s", cfg->database, err);
		return -1;
	}
	if ((rc = audit_key_setup(db, key, anchors, err, sizeof(err))) == -1)
		log_error("audit: %s", err);
	else if (anchor && audit_anchor_at_start(db) == -1)
		log_warn("audit: the chain head was not anchored at start");
	db_close(db);
	return rc;
}

/* Creates a data directory (and its parents) readable only by the bot. */
static int
main_mkdirs(const char *path)
{
	char p[4096];
	size_t i;

	str_copy(p, sizeof(p), path);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			goto fail;
		p[i] = '/';
	}
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	log_error("cannot create directory '%s': %s", p, strerror(errno));
	return -1;
}

/* Loads and checks the configuration; prints file:line errors. 0 ok, -1 bad. */
static int
main_config(struct app *a, const char *path)
{
	struct buf err;
	int rc;

	buf_init(&err, 0);
	rc = cfg_load(&a->cfg, path, &err);
	if (rc == -1)
		fputs(err.ptr, stderr);
	buf_release(&err);
	return rc;
}

/* getMe until it answers: 401 ends the start-up, network trouble is retried. */
static int
main_hello(struct app *a, struct tg_client *tg)
{
	struct tg_result res;
	int attempt = 0;

	while (!a->stop) {
		tg_call(tg, "getMe", NULL, a->cfg.connect_timeout + 10, &res);
		if (res.cls == TG_OK) {
			cJSON *me = res.result ? json_parse(res.result, strlen(res.result)) : NULL;
			cJSON *u = cJSON_GetObjectItemCaseSensitive(me, "username");

			/* a NUL in it reads as two bytes that are never UTF-8: not taken */
			if (cJSON_IsString(u) && utf8_valid(u->valuestring, strlen(u->valuestring)))
				str_copy(a->bot_username, sizeof(a->bot_username), u->valuestring);
			cJSON_Delete(me);
			tg_result_release(&res);
			log_info("connected to telegram as @%s", a->bot_username);
			return 0;
		}
		if (res.cls == TG_UNAUTHORIZED) {
			log_error("telegram rejected the token (%ld %s); check [telegram] token or "
			    "BACKOFFICE_TELEGRAM_TOKEN", res.http_status, res.description);
			tg_result_release(&res);
			return -1;
		}
		log_warn("getMe failed (%s: %s); retrying", tg_class_name(res.cls), res.description);
		tg_result_release(&res);
		app_sleep(a, app_backoff_ms(attempt++));
	}
	return -1;
}

/* Polling mode: a webhook would make getUpdates fail with 409. */
static void
main_delete_webhook(struct app *a, struct tg_client *tg)
{
	struct tg_result res;

	tg_call(tg, "deleteWebhook", "{\"drop_pending_updates\":false}", a->cfg.connect_timeout + 10,
	    &res);
	if (res.cls != TG_OK)
		log_warn("deleteWebhook failed (%s: %s)", tg_class_name(res.cls), res.description);
	tg_result_release(&res);
}

#define STOP_GRACE_MS 1500

/* Joins t, giving up at the monotonic deadline: 0 joined, -1 still running. */
static int
main_join_by(pthread_t t, int64_t deadline_ms)
{
	struct timespec now, ts;
	int64_t left = deadline_ms - clock_mono_ms();

	if (left < 0)
		left = 0;
	clock_gettime(CLOCK_REALTIME, &now);
	ts.tv_sec = now.tv_sec + left / 1000;
	ts.tv_nsec = now.tv_nsec + (left % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(t, NULL, &ts) == 0 ? 0 : -1;
}

static int
main_run(struct app *a)
{
	pthread_t t_intake, t_worker, t_sender, t_probe, t_sched;
	struct tg_client *tg;
	char errbuf[256];
	struct db *db;
	struct buf err;
	int64_t stop_at;
	int lockfd, i, webhook = strcmp(a->cfg.mode, "webhook") == 0;

	buf_init(&err, 0);
	if (cfg_resolve_token(&a->cfg, &err) == -1) {
		fputs(err.ptr, stderr);
		buf_release(&err);
		return 2;
	}
	buf_release(&err);
	log_set_secret(a->cfg.token);
	if (main_mkdirs(a->cfg.tenants_dir) == -1 || main_mkdirs(a->cfg.backups_dir) == -1)
		return 1;
	if ((lockfd = main_lock(&a->cfg)) == -1)
		return 1;
	if (main_audit_key(&a->cfg, 1) == -1) {
		close(lockfd);
		return 1;
	}
	db = db_open(a->cfg.database, errbuf, sizeof(errbuf));
	if (db == NULL) {
		log_error("cannot open database '%s': %s", a->cfg.database, errbuf);
		close(lockfd);
		return 1;
	}
	tg = tg_new(a->cfg.api_url, a->cfg.token, a->cfg.connect_timeout);
	tg_set_abort_flag(tg, &a->stop);
	if (main_hello(a, tg) == -1 || (webhook && webhook_setup(a, tg) == -1)) {
		tg_free(tg);
		db_close(db);
		close(lockfd);
		return a->stop ? 0 : 1;
	}
	if (!webhook)
		main_delete_webhook(a, tg);
	tg_free(tg);
	if ((i = jobs_forget_unfinished(db)) > 0)
		log_warn("%d scheduled job run(s) were cut short by a crash; they run again", i);
	if (menu_refresh_all(a, db) == -1)
		log_warn("command menus were not queued");

	/* in webhook mode updates arrive through the HTTP server: no poller */
	if ((!webhook && pthread_create(&t_intake, NULL, intake_thread, a) != 0) ||
	    pthread_create(&t_worker, NULL, worker_thread, a) != 0 ||
	    pthread_create(&t_sender, NULL, sender_thread, a) != 0 ||
	    pthread_create(&t_probe, NULL, probe_thread, a) != 0 ||
	    pthread_create(&t_sched, NULL, sched_thread, a) != 0)
		fatalx("cannot start threads");
	log_info("backoffice %s running (%s, database '%s')", BO_VERSION, a->cfg.mode,
	    a->cfg.database);
	/* the HTTP server, until SIGTERM */
	if (http_run(a, db) == -1 && !a->stop) {
		a->exit_code = 1;
		a->stop = 1;
	}
	log_info("stopping: finishing in-flight work");
	app_wake_all(a);
	stop_at = clock_mono_ms();
	if (!webhook)
		pthread_join(t_intake, NULL);
	pthread_join(t_worker, NULL);
	pthread_join(t_probe, NULL);	/* a probe in flight is dropped within 0.1 s */
	pthread_join(t_sched, NULL);	/* a job stops between items; the item in hand commits */
	/* The sender finishes the call in hand; one that outlives the grace is cut off (and its
	 * message goes again after restart). The whole stop stays under 2 s. */
	if (main_join_by(t_sender, stop_at + STOP_GRACE_MS) != 0) {
		log_warn("stopping: a send is still in flight after %d ms; interrupting it",
		    STOP_GRACE_MS);
		a->abort_sends = 1;
		pthread_join(t_sender, NULL);
	}
	db_close(db);
	close(lockfd);
	log_info("stopped");
	return a->exit_code;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "partners", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG, *cmd = "run";
	int64_t partners = 20;
	struct app a;
	int ch, rc, verbose = 0;

	while ((ch = getopt_long(argc, argv, "c:vhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		case 'V':
			printf("backoffice %s\n", BO_VERSION);
			return 0;
		case 'p':
			if (str_to_i64(optarg, &partners) == -1 || partners < 0 || partners > 100000) {
				fprintf(stderr, "backoffice: --partners wants a number 0..100000\n");
				return 2;
			}
			break;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "backoffice: unexpected argument '%s'\n", argv[optind]);
		main_usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "console") != 0 &&
	    strcmp(cmd, "check-config") != 0 && strcmp(cmd, "demo-seed") != 0) {
		fprintf(stderr, "backoffice: unknown command '%s'\n", cmd);
		main_usage(stderr);
		return 2;
	}
	app_init(&a);
	a.verbose = verbose;
	log_init(verbose);
	a.config_path = path;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (main_config(&a, path) == -1) {
		app_destroy(&a);
		return 2;
	}
	umask(077);	/* the database, backups and exports hold personal data */
	/* times are shown in the configured zone; set before any thread starts */
	setenv("TZ", a.cfg.timezone, 1);
	tzset();
	if (strcmp(cmd, "check-config") == 0) {
		struct buf err;

		buf_init(&err, 0);
		rc = 0;
		char key[4096], anchors[4096], kerr[8300];

		main_audit_paths(&a.cfg, key, anchors, sizeof(key));
		if (cfg_resolve_token(&a.cfg, &err) == -1) {
			fputs(err.ptr, stderr);
			rc = 2;
		} else if (audit_key_check(key, kerr, sizeof(kerr)) == -1) {
			fprintf(stderr, "%s\n", kerr);
			rc = 2;
		} else
			printf("configuration OK\n");
		buf_release(&err);
	} else if (strcmp(cmd, "demo-seed") == 0) {
		rc = main_audit_key(&a.cfg, 0) == 0 &&
		    demo_seed(a.cfg.database, partners, stdout) == 0 ? 0 : 1;
	} else if (strcmp(cmd, "console") == 0) {
		int lockfd;

		a.console = 1;
		if (!verbose)
			log_init(-1);	/* the terminal is the user's: only warnings */
		main_signals(&a);
		/* never beside a running bot on the same database: it would take the bot's work */
		if ((lockfd = main_lock(&a.cfg)) == -1)
			rc = 1;
		else if (main_audit_key(&a.cfg, 1) == -1) {
			rc = 1;
			close(lockfd);
		} else {
			rc = console_main(&a);
			close(lockfd);
		}
	} else {
		main_signals(&a);
		rc = main_run(&a);
	}
	app_destroy(&a);
	return rc;
}
