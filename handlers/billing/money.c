/*
 * money.c — amounts of money as people read and type them. Money is an int64_t count of kopecks
 * everywhere; there is no floating point on any path here. Shown as "12 500,00 ₽": a narrow
 * no-break space (U+202F) between thousands, a comma before the kopecks, a no-break space
 * (U+00A0) before the sign, and a real minus (U+2212) for refunds and credits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "handlers/common/validate.h"

#define MONEY_THIN_NBSP	"\xE2\x80\xAF"	/* U+202F, between thousands */
#define MONEY_NBSP	"\xC2\xA0"	/* U+00A0, before the ruble sign */
#define MONEY_MINUS	"\xE2\x88\x92"	/* U+2212 */
#define MONEY_RUB	"\xE2\x82\xBD"	/* U+20BD ₽ */
#define MONEY_EXAMPLE	"12 500,00"
#define MONEY_FRACTION	2		/* digits after the comma: kopecks */

#define MONEY_TR(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

void
money_format(int64_t kopecks, char *out, size_t outsz)
{
	char rev[64], text[80];
	uint64_t mag, rub;
	size_t n = 0, o = 0;
	int digits = 0;

	/* The magnitude in unsigned arithmetic, so INT64_MIN has one too. */
	mag = kopecks < 0 ? (uint64_t)0 - (uint64_t)kopecks : (uint64_t)kopecks;
	rub = mag / 100;
	/* Ruble digits, least significant first, a reversed separator every three. */
	do {
		if (digits > 0 && digits % 3 == 0) {
			rev[n++] = '\xAF';
			rev[n++] = '\x80';
			rev[n++] = '\xE2';
		}
		rev[n++] = (char)('0' + rub % 10);
		rub /= 10;
		digits++;
	} while (rub > 0);
	if (kopecks < 0) {
		memcpy(text, MONEY_MINUS, 3);
		o = 3;
	}
	while (n > 0)
		text[o++] = rev[--n];
	snprintf(text + o, sizeof(text) - o, ",%02u" MONEY_NBSP MONEY_RUB, (unsigned)(mag % 100));
	str_copy(out, outsz, text);
}

/* Spaces a person may type or paste between thousands: ASCII, no-break, thin, narrow no-break. */
static size_t
money_space(const char *s)
{
	long cp;
	size_t n;

	if (*s == '\0')
		return 0;
	n = utf8_decode(s, strlen(s), &cp);
	return cp == ' ' || cp == 0xA0 || cp == 0x2009 || cp == 0x202F ? n : 0;
}

static int
money_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Is s (after optional spaces) the ruble sign or word, and nothing else? */
static int
money_currency(const char *s)
{
	static const char *const names[] = {
		MONEY_RUB, "руб.", "руб", "Руб.", "Руб", "РУБ", "р.", "р", "Р", "rub", "RUB",
	};
	size_t i, n;

	while ((n = money_space(s)) > 0)
		s += n;
	if (*s == '\0')
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/* Does s (after optional spaces) start with a multiplier word people abbreviate amounts with? */
static int
money_abbreviation(const char *s)
{
	static const char *const words[] = {
		"тыс", "Тыс", "ТЫС", "т.", "млн", "Млн", "МЛН", "млрд", "к", "К", "k", "K",
	};
	size_t i, n;

	while ((n = money_space(s)) > 0)
		s += n;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncmp(s, words[i], strlen(words[i])) == 0)
			return 1;
	return 0;
}

int
money_parse(const char *in, int64_t *kopecks, enum lang lang, char *err, size_t errsz)
{
	const char *p = in, *end;
	int64_t rub = 0, kop = 0;
	int neg = 0, group = 0, grouped = 0, fdigits = 0;
	size_t n;

	if (in == NULL)
		in = p = "";
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
		end--;
	if (end == p)
		return valid_fail(err, errsz, MONEY_TR(lang,
		    "Сумма: пустое значение, нужна сумма в рублях. Пример: %s",
		    "Amount: empty, type an amount in rubles. Example: %s"), MONEY_EXAMPLE);
	if (*p == '-') {
		neg = 1;
		p++;
	} else if (strncmp(p, MONEY_MINUS, 3) == 0) {
		neg = 1;
		p += 3;
	}
	if (!money_digit(*p))
		return valid_fail(err, errsz, MONEY_TR(lang,
		    "Сумма: должна начинаться с цифры (минус перед ней — только для возврата). "
		    "Пример: %s",
		    "Amount: must start with a digit (a minus before it only for a refund). "
		    "Example: %s"), MONEY_EXAMPLE);
	/* Rubles: digits, optionally grouped by three with spaces ("12 500"). */
	for (;;) {
		if (money_digit(*p)) {
			if (rub > (MONEY_MAX / 100) / 10 + 1)
				goto overflow;
			rub = rub * 10 + (*p++ - '0');
			group++;
			continue;
		}
		if (p < end && (n = money_space(p)) > 0 && money_digit(p[n])) {
			if ((grouped && group != 3) || group > 3)
				goto badgroup;
			grouped = 1;
			group = 0;
			p += n;
			continue;
		}
		break;
	}
	if (grouped && group != 3)
		goto badgroup;
	/* Kopecks after a comma or a point: one or two digits. */
	if (*p == ',' || *p == '.') {
		p++;
		while (money_digit(*p)) {
			if (fdigits < MONEY_FRACTION)
				kop = kop * 10 + (*p - '0');
			fdigits++;
			p++;
		}
		if (fdigits > MONEY_FRACTION)
			return valid_fail(err, errsz, MONEY_TR(lang,
			    "Сумма: после запятой не больше двух цифр (копейки). Пример: %s",
			    "Amount: at most two digits after the comma (kopecks). Example: %s"),
			    MONEY_EXAMPLE);
		if (fdigits == 0)
			return valid_fail(err, errsz, MONEY_TR(lang,
			    "Сумма: после запятой нужны копейки или ничего. Пример: %s",
			    "Amount: kopecks after the comma, or no comma. Example: %s"),
			    MONEY_EXAMPLE);
		if (fdigits == 1)
			kop *= 10;
	}
	/* 1e3 is how programs write a number, not people: say so rather than "digits only" */
	if ((*p == 'e' || *p == 'E') && (money_digit(p[1]) ||
	    ((p[1] == '-' || p[1] == '+') && money_digit(p[2]))))
		goto exponent;
	if (p < end) {
		char rest[128];

		if ((size_t)(end - p) >= sizeof(rest))
			goto letters;
		memcpy(rest, p, (size_t)(end - p));
		rest[end - p] = '\0';
		if (money_abbreviation(rest))
			goto abbreviation;
		if (!money_currency(rest))
			goto letters;
	}
	if (rub > MONEY_MAX / 100 || rub * 100 + kop > MONEY_MAX)
		goto overflow;
	*kopecks = neg ? -(rub * 100 + kop) : rub * 100 + kop;
	return 0;

overflow:
	return valid_fail(err, errsz, MONEY_TR(lang,
	    "Сумма: слишком большая, не больше 10 000 000 000 000,00. Пример: %s",
	    "Amount: too large, at most 10 000 000 000 000.00. Example: %s"), MONEY_EXAMPLE);
badgroup:
	return valid_fail(err, errsz, MONEY_TR(lang,
	    "Сумма: пробелы только между тысячами (по три цифры). Пример: %s",
	    "Amount: spaces only between thousands (three digits each). Example: %s"),
	    MONEY_EXAMPLE);
abbreviation:
	return valid_fail(err, errsz, MONEY_TR(lang,
	    "Сумма: сокращения («тыс», «млн», «к») не принимаются, напишите число полностью. "
	    "Пример: 1 500,00 вместо «1,5 тыс»",
	    "Amount: abbreviations (\"тыс\", \"млн\", \"k\") are not accepted, write the whole "
	    "number. Example: 1 500.00 instead of \"1,5 тыс\""));
exponent:
	return valid_fail(err, errsz, MONEY_TR(lang,
	    "Сумма: запись со степенью («1e3») не принимается, напишите число цифрами. "
	    "Пример: %s",
	    "Amount: exponent notation (\"1e3\") is not accepted, write the number in digits. "
	    "Example: %s"), MONEY_EXAMPLE);
letters:
	return valid_fail(err, errsz, MONEY_TR(lang,
	    "Сумма: только цифры, пробелы между тысячами, запятая перед копейками и «₽» или "
	    "«руб» в конце. Пример: %s",
	    "Amount: digits only, spaces between thousands, a comma before the kopecks and "
	    "\"₽\" or \"руб\" at the end. Example: %s"), MONEY_EXAMPLE);
}
