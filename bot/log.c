/*
 * log.c — leveled logging to stderr. Under systemd (JOURNAL_STREAM set) each line starts with a
 * "<N>" priority that journald understands; otherwise with a UTC time and the level's name.
 * The token is registered as a secret and replaced by "***" wherever it would appear.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/bot.h"

static int log_verbose;	/* -1 warnings and errors only, 0 info, 1 debug */
static int log_journal;
static char log_secret[256];
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void
log_init(int verbose)
{
	log_verbose = verbose;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

int
log_verbosity(void)
{
	return log_verbose;
}

void
log_set_secret(const char *s)
{
	pthread_mutex_lock(&log_mu);
	str_copy(log_secret, sizeof(log_secret), s ? s : "");
	pthread_mutex_unlock(&log_mu);
}

static const char *
log_level_name(enum log_level l)
{
	switch (l) {
	case LL_ERROR: return "error";
	case LL_WARN: return "warn";
	case LL_INFO: return "info";
	default: return "debug";
	}
}

#define LOG_LINE_MAX 8192	/* bytes written per line, after the secret is masked */

/* msg with every occurrence of the secret replaced, cut to LOG_LINE_MAX on a character
 * boundary. Masking comes first, so a cut can never leave part of the secret. */
static void
log_write_scrubbed(FILE *f, const char *msg)
{
	size_t sl = strlen(log_secret), n;
	const char *p;
	struct buf out;

	buf_init(&out, 1u << 20);
	while (sl >= 4 && (p = strstr(msg, log_secret)) != NULL) {
		buf_add(&out, msg, (size_t)(p - msg));
		buf_adds(&out, "***");
		msg = p + sl;
	}
	buf_adds(&out, msg);
	n = out.len;
	if (n > LOG_LINE_MAX) {
		n = LOG_LINE_MAX;
		while (n > 0 && ((unsigned char)out.ptr[n] & 0xC0) == 0x80)
			n--;
	}
	fwrite(out.ptr, 1, n, f);
	if (n < out.len)
		fputs(" …", f);
	buf_release(&out);
}

static void
log_vmsg(enum log_level l, const char *fmt, va_list ap)
{
	struct buf line;
	struct tm tm;
	time_t t;

	if ((l == LL_DEBUG && log_verbose < 1) || (l == LL_INFO && log_verbose < 0))
		return;
	buf_init(&line, 1u << 20);
	if (buf_vprintf(&line, fmt, ap) == -1)
		buf_adds(&line, "(log line too long)");
	pthread_mutex_lock(&log_mu);
	if (log_journal) {
		fprintf(stderr, "<%d>", (int)l);
	} else {
		t = time(NULL);
		gmtime_r(&t, &tm);
		fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02dZ %s: ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, log_level_name(l));
	}
	log_write_scrubbed(stderr, line.ptr);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_mu);
	buf_release(&line);
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(l, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
