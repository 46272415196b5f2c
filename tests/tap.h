/*
 * tap.h — a tiny TAP producer for unit tests (plan, ok, is_int, is_str, like, done_testing).
 * Header-only: each test is one C program; prove reads its output.
 */
#ifndef TAP_H
#define TAP_H

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static void __attribute__((unused))
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static int __attribute__((unused))
ok_at(int cond, const char *file, int line, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

static int __attribute__((unused))
is_int_at(int64_t got, int64_t want, const char *file, int line, const char *name)
{
	int r = ok_at(got == want, file, line, name);

	if (!r)
		printf("#   got: %" PRId64 "\n#   expected: %" PRId64 "\n", got, want);
	return r;
}

static int __attribute__((unused))
is_str_at(const char *got, const char *want, const char *file, int line, const char *name)
{
	int same = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	int r = ok_at(same, file, line, name);

	if (!r)
		printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return r;
}

/* got matches the POSIX extended regular expression re (bytes: UTF-8 matches literally). */
static int __attribute__((unused))
like_at(const char *got, const char *re, const char *file, int line, const char *name)
{
	regex_t rx;
	int match = 0, r;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		printf("#   bad regular expression: %s\n", re);
	else {
		match = got != NULL && regexec(&rx, got, 0, NULL, 0) == 0;
		regfree(&rx);
	}
	r = ok_at(match, file, line, name);
	if (!r)
		printf("#   got: '%s'\n#   expected to match: '%s'\n", got ? got : "(null)", re);
	return r;
}

static void __attribute__((unused))
diag(const char *msg)
{
	printf("# %s\n", msg);
}

static int __attribute__((unused))
done_testing(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define ok(c, name) ok_at(!!(c), __FILE__, __LINE__, name)
#define is_int(g, w, name) is_int_at((int64_t)(g), (int64_t)(w), __FILE__, __LINE__, name)
#define is_str(g, w, name) is_str_at((g), (w), __FILE__, __LINE__, name)
#define like(g, re, name) like_at((g), (re), __FILE__, __LINE__, name)

#endif
