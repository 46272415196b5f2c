/*
 * mask.c — personal data as developers and managers see it: enough to tell records apart
 * (a first letter, the last digits, the top-level domain), never enough to contact anyone.
 * Every mask writes "—" for an empty value, always NUL-terminates and never cuts a character.
 */
#include <string.h>

#include "handlers/handlers.h"

#define MASK_EMPTY	"—"
#define MASK_STARS	"***"

/* A bounded output: a piece goes in whole or not at all, and nothing goes in after a miss. */
struct mask_out {
	char	*p;
	size_t	 sz;
	size_t	 len;
	int	 full;
};

static void
mask_begin(struct mask_out *m, char *out, size_t outsz)
{
	m->p = out;
	m->sz = outsz;
	m->len = 0;
	m->full = outsz == 0;
	if (outsz > 0)
		out[0] = '\0';
}

static void
mask_add(struct mask_out *m, const char *s, size_t n)
{
	if (m->full || m->len + n >= m->sz) {
		m->full = 1;
		return;
	}
	memcpy(m->p + m->len, s, n);
	m->len += n;
	m->p[m->len] = '\0';
}

static void
mask_adds(struct mask_out *m, const char *s)
{
	mask_add(m, s, strlen(s));
}

static void
mask_addc(struct mask_out *m, char c)
{
	mask_add(m, &c, 1);
}

/* Bytes of the UTF-8 character at s (n bytes left): 1..4, never past n or a non-continuation. */
static size_t
mask_char_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1, k;

	for (k = 1; k < want && k < n; k++)
		if (((unsigned char)s[k] & 0xC0) != 0x80)
			break;
	return k;
}

static int
mask_is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The digits of s: how many, whether a '+' was there, the first two and the last two. */
struct mask_digits {
	size_t	 n;
	int	 plus;
	char	 first[2];
	char	 last[2];	/* last[1] is the final digit */
};

static void
mask_scan_digits(const char *s, struct mask_digits *d)
{
	memset(d, 0, sizeof(*d));
	for (; *s != '\0'; s++) {
		if (*s == '+')
			d->plus = 1;
		if (*s < '0' || *s > '9')
			continue;
		if (d->n < 2)
			d->first[d->n] = *s;
		d->last[0] = d->last[1];
		d->last[1] = *s;
		d->n++;
	}
}

/* Keeps the first two and the last two digits, stars between; fewer than five: stars only. */
static void
mask_middle(struct mask_out *m, const struct mask_digits *d)
{
	size_t i;

	if (d->n < 5) {
		for (i = 0; i < (d->n > 0 ? d->n : 3); i++)
			mask_addc(m, '*');
		return;
	}
	mask_add(m, d->first, 2);
	for (i = 4; i < d->n; i++)
		mask_addc(m, '*');
	mask_add(m, d->last, 2);
}

/* "+79161234567" → "+7 9** ***-**-67"; another country: "+44*******89". */
void
mask_phone(const char *phone, char *out, size_t outsz)
{
	struct mask_out m;
	struct mask_digits d;

	mask_begin(&m, out, outsz);
	if (phone == NULL || *phone == '\0') {
		mask_adds(&m, MASK_EMPTY);
		return;
	}
	mask_scan_digits(phone, &d);
	if (d.n == 11 && (d.first[0] == '7' || (d.first[0] == '8' && !d.plus))) {
		mask_adds(&m, "+7 ");
		mask_addc(&m, d.first[1]);
		mask_adds(&m, "** ***-**-");
		mask_add(&m, d.last, 2);
		return;
	}
	if (d.plus)
		mask_addc(&m, '+');
	mask_middle(&m, &d);
}

/* "ivan@mail.ru" → "i***@m***.ru": subdomains hide with the name ("a@x.mail.ru" → "a***@x***.ru"). */
void
mask_email(const char *email, char *out, size_t outsz)
{
	struct mask_out m;
	const char *at, *dom, *dot;

	mask_begin(&m, out, outsz);
	if (email == NULL || *email == '\0') {
		mask_adds(&m, MASK_EMPTY);
		return;
	}
	at = strrchr(email, '@');
	if (at != email)
		mask_add(&m, email, mask_char_len(email, at ? (size_t)(at - email) : strlen(email)));
	mask_adds(&m, MASK_STARS);
	if (at == NULL)
		return;
	mask_addc(&m, '@');
	dom = at + 1;
	if (*dom == '\0')
		return;
	dot = strrchr(dom, '.');
	if (dot != dom)
		mask_add(&m, dom, mask_char_len(dom, dot ? (size_t)(dot - dom) : strlen(dom)));
	mask_adds(&m, MASK_STARS);
	if (dot != NULL)
		mask_adds(&m, dot);
}

/* "Иван Петров" → "И*** П***": the first character of each word. */
void
mask_person(const char *name, char *out, size_t outsz)
{
	struct mask_out m;
	const char *s = name != NULL ? name : "";

	mask_begin(&m, out, outsz);
	for (;;) {
		size_t n;

		while (mask_is_space(*s))
			s++;
		if (*s == '\0')
			break;
		if (m.len > 0)
			mask_addc(&m, ' ');
		n = mask_char_len(s, strlen(s));
		mask_add(&m, s, n);
		mask_adds(&m, MASK_STARS);
		for (s += n; *s != '\0' && !mask_is_space(*s); s++)
			;
	}
	if (m.len == 0 && !m.full)
		mask_adds(&m, MASK_EMPTY);
}

/*
 * A sole trader's INN (12 digits) is personal data: "500100732259" → "50********59". An
 * organisation's (10 digits) is public and returned as is. Anything else is treated as personal.
 */
void
mask_inn(const char *inn, char *out, size_t outsz)
{
	struct mask_out m;
	struct mask_digits d;
	const char *s;
	int other = 0;

	mask_begin(&m, out, outsz);
	if (inn == NULL || *inn == '\0') {
		mask_adds(&m, MASK_EMPTY);
		return;
	}
	for (s = inn; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && *s != ' ')
			other = 1;
	mask_scan_digits(inn, &d);
	if (d.n == 10 && !other) {
		for (s = inn; *s != '\0'; s++)
			if (*s != ' ')
				mask_addc(&m, *s);
		return;
	}
	mask_middle(&m, &d);
}
