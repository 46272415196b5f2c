/*
 * buf.c — a growable byte buffer with a hard maximum per use (after curl's dynbuf and git's
 * strbuf): ptr is never NULL and always NUL-terminated; buf_detach hands ownership on.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"

static char buf_empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->ptr = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_DEFAULT_MAX;
	b->overflow = 0;
}

static int
buf_grow(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max - b->len) {
		b->overflow = 1;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	p = b->cap ? realloc(b->ptr, ncap) : malloc(ncap);
	if (p == NULL) {
		b->overflow = 1;
		return -1;
	}
	if (b->cap == 0)
		p[0] = '\0';
	b->ptr = p;
	b->cap = ncap;
	return 0;
}

int
buf_add(struct buf *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_grow(b, n) == -1)
		return -1;
	memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -1;
	if (buf_grow(b, (size_t)n) == -1)
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* Telegram's HTML mode needs &, < and > escaped; " too inside attribute values. */
int
buf_add_html(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: continue;
		}
		if (buf_add(b, run, (size_t)(s - run)) == -1 || buf_adds(b, rep) == -1)
			return -1;
		run = s + 1;
	}
	return buf_add(b, run, (size_t)(s - run));
}

/*
 * A person's input quoted back in an answer: at most BUF_QUOTE_CHARS characters of it, cut on a
 * character boundary and escaped character by character (so no entity is ever cut), line breaks
 * and other control characters shown as spaces, and "…" when something was left out. Escaped it
 * grows at most sixfold, so an answer quoting a 4,000-character input stays one short message.
 */
int
buf_add_quote(struct buf *b, const char *s)
{
	size_t i = 0, n;

	for (n = 0; s[i] != '\0' && n < BUF_QUOTE_CHARS; n++) {
		size_t j = i + 1;
		char one[2] = { s[i], '\0' };
		int r;

		/* a character is its lead byte and the continuation bytes after it */
		while (s[j] != '\0' && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			r = buf_addc(b, ' ');
		else if (j == i + 1)
			r = buf_add_html(b, one);
		else
			r = buf_add(b, s + i, j - i);
		if (r == -1)
			return -1;
		i = j;
	}
	return s[i] != '\0' ? buf_adds(b, "…") : 0;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
	b->overflow = 0;
}

char *
buf_detach(struct buf *b)
{
	char *p = b->cap ? b->ptr : strdup("");
	size_t max = b->max;

	buf_init(b, max);
	return p;
}

void
buf_release(struct buf *b)
{
	size_t max = b->max;

	if (b->cap)
		free(b->ptr);
	buf_init(b, max);
}

void
str_copy(char *dst, size_t dstsz, const char *src)
{
	size_t n;

	if (dstsz == 0)
		return;
	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= dstsz) {
		n = dstsz - 1;
		/* do not cut a UTF-8 sequence in half */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
str_to_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return -1;
	*out = (int64_t)v;
	return 0;
}
