/*
 * base.h — the small utilities every layer uses: the bounded buffer, strings, logging, the clock
 * and UTF-8 text. bot/ defines them (buf.c, log.c, clock.c, text.c); storage/ and handlers/
 * include this header (bot.h does too), so storage/ needs nothing of the runtime's private
 * header. Nothing here knows about Telegram, SQLite or the configuration.
 */
#ifndef BOT_BASE_H
#define BOT_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))

/* buf.c — a growable, always NUL-terminated byte buffer with a hard maximum per use. */
struct buf {
	char	*ptr;		/* never NULL after buf_init; NUL-terminated */
	size_t	 len;		/* bytes used, excluding the NUL */
	size_t	 cap;		/* bytes allocated (0 while ptr points at the shared "") */
	size_t	 max;		/* hard limit on len; an append past it fails and sets overflow */
	int	 overflow;	/* set once an append did not fit */
};
#define BUF_DEFAULT_MAX (16u << 20)
void	 buf_init(struct buf *, size_t max);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_adds(struct buf *, const char *);
int	 buf_addc(struct buf *, char);
int	 buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
int	 buf_vprintf(struct buf *, const char *, va_list);
int	 buf_add_html(struct buf *, const char *);	/* HTML-escaped (&, <, >, ") */
/* A person's input quoted in an answer: HTML-escaped, at most BUF_QUOTE_CHARS characters, line
 * breaks as spaces, "…" when cut. Every answer that echoes what someone typed uses it. */
#define BUF_QUOTE_CHARS 64
int	 buf_add_quote(struct buf *, const char *);
void	 buf_truncate(struct buf *, size_t);
void	 buf_reset(struct buf *);			/* len = 0, keeps memory */
char	*buf_detach(struct buf *);			/* caller frees; buf is re-initialised */
void	 buf_release(struct buf *);			/* frees memory; buf is re-initialised */
/* Bounded copy into a fixed array: always NUL-terminates, truncates on a UTF-8 boundary. */
void	 str_copy(char *dst, size_t dstsz, const char *src);
/* Strict integer parsing: whole string, base 10, range-checked. 0 ok, -1 bad. */
int	 str_to_i64(const char *, int64_t *);

/* log.c — to stderr, journald-friendly ("<N>" priority prefixes when JOURNAL_STREAM is set). */
enum log_level { LL_ERROR = 3, LL_WARN = 4, LL_INFO = 6, LL_DEBUG = 7 };
void	 log_init(int verbose);	/* -1 warnings only, 0 info, 1 debug */
int	 log_verbosity(void);	/* what log_init was given */
void	 log_set_secret(const char *);	/* this string is replaced by "***" in every line */
void	 log_msg(enum log_level, const char *, ...) PRINTFLIKE(2, 3);
#define	 log_error(...) log_msg(LL_ERROR, __VA_ARGS__)
#define	 log_warn(...)  log_msg(LL_WARN, __VA_ARGS__)
#define	 log_info(...)  log_msg(LL_INFO, __VA_ARGS__)
#define	 log_debug(...) log_msg(LL_DEBUG, __VA_ARGS__)
void	 fatalx(const char *, ...) PRINTFLIKE(1, 2) NORETURN;

/* clock.c — the one place the code reads the time (unit tests may set it). */
int64_t	 clock_now(void);		/* UTC seconds */
int64_t	 clock_now_ms(void);		/* UTC milliseconds */
int64_t	 clock_mono_ms(void);		/* monotonic milliseconds, for intervals and latency */
int64_t	 clock_mono_us(void);		/* monotonic microseconds, for handler latency */
void	 clock_set(int64_t unix_seconds);	/* tests only; 0 returns to the real clock */
/* Days since 1970-01-01 of a calendar date (no time zone, no locale). */
int64_t	 clock_days_from_civil(int64_t y, int m, int d);
/* The civil date of unix time t in the configured zone (TZ), as a day number: what "today"
 * means for due dates and billing periods. */
int64_t	 clock_local_day(int64_t t);

/* text.c — HTML escaping and message splitting (characters, not bytes). */
size_t	 utf8_chars(const char *, size_t len);
int	 utf8_valid(const char *, size_t len);
/* One character at s (len bytes left, len > 0): its length, and its code point in *cp; a byte
 * that starts no well-formed sequence is length 1 with *cp = -1. */
size_t	 utf8_decode(const char *s, size_t len, long *cp);
/* Splits text into parts of at most maxchars characters, at line boundaries where possible.
 * Returns the number of parts; *parts is a malloc'd array of malloc'd strings (caller frees each). */
int	 text_split(const char *text, size_t maxchars, char ***parts);
void	 text_parts_free(char **, int);
/* The text as one message of at most maxchars characters: a copy when it fits, else its first
 * part as text_split makes it (tags closed, no entity cut) and "…". Caller frees; NULL when out
 * of memory. */
char	*text_cut(const char *text, size_t maxchars);
/* A search key: lowercase (ASCII and Cyrillic), ё → е, runs of spaces squeezed, trimmed.
 * Always NUL-terminates; never cuts a UTF-8 sequence. */
void	 text_fold(const char *in, char *out, size_t outsz);

#endif
