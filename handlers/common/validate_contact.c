/*
 * validate_contact.c — the checks of a partner's details: INN (with its check digits), phone
 * and email. Each either normalises the value or explains, in the person's language, what is
 * wrong and what a good answer looks like: "<field>: <problem>. Пример: <example>". Messages
 * are plain text; callers HTML-escape them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "handlers/common/validate.h"

#define VALID_EMAIL_MAX	254	/* bytes, RFC 5321's path limit less the brackets */
#define VALID_LOCAL_MAX	64	/* bytes before '@' */
#define VALID_LABEL_MAX	63	/* bytes of one domain label */
#define VALID_PHONE_MIN	10	/* digits of an international number, country code included */
#define VALID_PHONE_MAX	15	/* ITU-T E.164 */

#define INN_EXAMPLE_RU	"7707083893 (организация) или 500100732259 (ИП)"
#define INN_EXAMPLE_EN	"7707083893 (organisation) or 500100732259 (sole trader)"
#define PHONE_EXAMPLE	"+7 916 123-45-67"
#define EMAIL_EXAMPLE	"ivan@romashka.ru"

/* INN ----------------------------------------------------------------------------------------- */

/* Russian INN check digits: weighted sums mod 11 mod 10 (Federal Tax Service order). */
static const int inn_w10[9] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
static const int inn_w11[10] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
static const int inn_w12[11] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };

static char
inn_check_digit(const char *d, const int *w, int n)
{
	int i, sum = 0;

	for (i = 0; i < n; i++)
		sum += (d[i] - '0') * w[i];
	return (char)('0' + sum % 11 % 10);
}

/* 1 when s is exactly n ASCII digits. */
static int
inn_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

int
inn_checksum_ok(const char *d)
{
	size_t n = d != NULL ? strlen(d) : 0;

	if (n == 10 && inn_all_digits(d, 10))
		return d[9] == inn_check_digit(d, inn_w10, 9);
	if (n == 12 && inn_all_digits(d, 12))
		return d[10] == inn_check_digit(d, inn_w11, 10) &&
		    d[11] == inn_check_digit(d, inn_w12, 11);
	return 0;
}

/* out is "" when lead is not 9 or 10 digits. */
void
inn_complete(const char *lead, char *out)
{
	size_t n = lead != NULL ? strlen(lead) : 0;

	out[0] = '\0';
	if (n == 9 && inn_all_digits(lead, 9)) {
		memcpy(out, lead, 9);
		out[9] = inn_check_digit(out, inn_w10, 9);
		out[10] = '\0';
	} else if (n == 10 && inn_all_digits(lead, 10)) {
		memcpy(out, lead, 10);
		out[10] = inn_check_digit(out, inn_w11, 10);
		out[11] = inn_check_digit(out, inn_w12, 11);
		out[12] = '\0';
	}
}

int
valid_inn(const char *in, char *out, size_t outsz, enum lang lang, char *err, size_t errsz)
{
	char d[13];
	size_t n = 0;
	const char *p;

	if (outsz > 0)
		out[0] = '\0';
	for (p = in != NULL ? in : ""; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
			p++;	/* a no-break space */
			continue;
		}
		if (*p < '0' || *p > '9')
			return valid_fail(err, errsz, VALID_TR(lang,
			    "ИНН: только цифры, без букв и знаков. Пример: %s",
			    "INN: digits only, no letters or signs. Example: %s"),
			    VALID_TR(lang, INN_EXAMPLE_RU, INN_EXAMPLE_EN));
		if (n < sizeof(d) - 1)
			d[n] = *p;
		n++;
	}
	if (n == 0)
		return valid_fail(err, errsz, VALID_TR(lang, "ИНН: не указан. Пример: %s",
		    "INN: empty. Example: %s"), VALID_TR(lang, INN_EXAMPLE_RU, INN_EXAMPLE_EN));
	if (n != 10 && n != 12)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "ИНН: %zu %s, а нужно 10 (организация) или 12 (ИП). Пример: %s",
		    "INN: %zu digit%s, but 10 (organisation) or 12 (sole trader) are needed. "
		    "Example: %s"), n,
		    lang == LANG_EN ? (n == 1 ? "" : "s") : valid_plural_ru(n, "цифра", "цифры", "цифр"),
		    VALID_TR(lang, INN_EXAMPLE_RU, INN_EXAMPLE_EN));
	d[n] = '\0';
	if (!inn_checksum_ok(d))
		return valid_fail(err, errsz, VALID_TR(lang,
		    "ИНН: не сходится контрольное число — проверьте цифры. Пример: %s",
		    "INN: the checksum does not match, check the digits. Example: %s"),
		    VALID_TR(lang, INN_EXAMPLE_RU, INN_EXAMPLE_EN));
	if (outsz <= n)
		return valid_fail(err, errsz, "INN: no room for the value");
	memcpy(out, d, n + 1);
	return 0;
}

/* Phone --------------------------------------------------------------------------------------- */

/* "too short" or "too long", with the digit count. */
static int
phone_fail_length(int too_short, size_t n, enum lang lang, char *err, size_t errsz)
{
	const char *digits = lang == LANG_EN ? (n == 1 ? "digit" : "digits") :
	    valid_plural_ru(n, "цифра", "цифры", "цифр");

	if (too_short)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Телефон: слишком короткий номер (%zu %s). Пример: %s",
		    "Phone: too short (%zu %s). Example: %s"), n, digits, PHONE_EXAMPLE);
	return valid_fail(err, errsz, VALID_TR(lang,
	    "Телефон: слишком длинный номер (%zu %s). Пример: %s",
	    "Phone: too long (%zu %s). Example: %s"), n, digits, PHONE_EXAMPLE);
}

/* Ten digits that read as a Russian number without the 7: a geographic code (3xx, 4xx, 8xx) or a
 * mobile one (9xx). "88…" and "89…" are a trunk 8 before a number missing a digit. */
static int
phone_russian_ten(const char *d)
{
	return d[0] == '3' || d[0] == '4' || d[0] == '9' ||
	    (d[0] == '8' && d[1] != '8' && d[1] != '9');
}

int
valid_phone(const char *in, char *out, size_t outsz, enum lang lang, char *err, size_t errsz)
{
	char d[VALID_PHONE_MAX + 2], norm[VALID_PHONE_MAX + 4];
	size_t n = 0;
	int plus = 0;
	const char *p;

	if (outsz > 0)
		out[0] = '\0';
	for (p = in != NULL ? in : ""; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n < sizeof(d) - 1)
				d[n] = *p;
			n++;
		} else if (*p == '+' && n == 0 && !plus)
			plus = 1;
		else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
			p++;	/* a no-break space */
		else if (strchr(" \t-().", *p) == NULL)
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Телефон: только цифры, пробелы, скобки, дефисы и + в начале. Пример: %s",
			    "Phone: digits, spaces, brackets, dashes and a leading + only. Example: %s"),
			    PHONE_EXAMPLE);
	}
	if (n == 0)
		return valid_fail(err, errsz, VALID_TR(lang, "Телефон: не указан. Пример: %s",
		    "Phone: empty. Example: %s"), PHONE_EXAMPLE);
	d[n < sizeof(d) ? n : sizeof(d) - 1] = '\0';

	if (!plus) {
		if (n == 11 && (d[0] == '7' || d[0] == '8'))
			snprintf(norm, sizeof(norm), "+7%s", d + 1);
		else if (n == 10 && phone_russian_ten(d))
			snprintf(norm, sizeof(norm), "+7%s", d);
		else if (n <= 10)
			return phone_fail_length(1, n, lang, err, errsz);
		else if (n > VALID_PHONE_MAX)
			return phone_fail_length(0, n, lang, err, errsz);
		else
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Телефон: это не российский номер; номер другой страны начните с +. "
			    "Пример: %s",
			    "Phone: not a Russian number; start another country's number with +. "
			    "Example: %s"), PHONE_EXAMPLE);
	} else {
		size_t min = d[0] == '7' ? 11 : VALID_PHONE_MIN;
		size_t max = d[0] == '7' ? 11 : VALID_PHONE_MAX;

		if (n < min || n > max)
			return phone_fail_length(n < min, n, lang, err, errsz);
		snprintf(norm, sizeof(norm), "+%s", d);
	}
	if (outsz <= strlen(norm))
		return valid_fail(err, errsz, "Phone: no room for the value");
	str_copy(out, outsz, norm);
	return 0;
}

/* Email --------------------------------------------------------------------------------------- */

static int
email_local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static int
email_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-';
}

/* The domain d (n bytes): two or more labels of [A-Za-z0-9-], none starting or ending with '-',
 * the last of two or more letters. 1 good, 0 not. */
static int
email_domain_ok(const char *d, size_t n)
{
	size_t i, start = 0, labels = 0;

	for (i = 0; i <= n; i++) {
		size_t k, len;

		if (i < n && d[i] != '.') {
			if (!email_label_char(d[i]))
				return 0;
			continue;
		}
		len = i - start;
		if (len == 0 || len > VALID_LABEL_MAX || d[start] == '-' || d[i - 1] == '-')
			return 0;
		labels++;
		if (i == n) {	/* the top-level domain */
			if (len < 2)
				return 0;
			for (k = start; k < i; k++)
				if (!((d[k] >= 'a' && d[k] <= 'z') || (d[k] >= 'A' && d[k] <= 'Z')))
					return 0;
		}
		start = i + 1;
	}
	return labels >= 2;
}

int
valid_email(const char *in, char *out, size_t outsz, enum lang lang, char *err, size_t errsz)
{
	const char *s, *at;
	size_t len, local, i;

	if (outsz > 0)
		out[0] = '\0';
	valid_trim(in != NULL ? in : "", &s, &len);
	if (len == 0)
		return valid_fail(err, errsz, VALID_TR(lang, "Email: не указан. Пример: %s",
		    "Email: empty. Example: %s"), EMAIL_EXAMPLE);
	if (len > VALID_EMAIL_MAX)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Email: адрес длиннее %d символов. Пример: %s",
		    "Email: longer than %d characters. Example: %s"), VALID_EMAIL_MAX,
		    EMAIL_EXAMPLE);
	at = memchr(s, '@', len);
	if (at == NULL)
		return valid_fail(err, errsz, VALID_TR(lang, "Email: нет знака @. Пример: %s",
		    "Email: no @ sign. Example: %s"), EMAIL_EXAMPLE);
	local = (size_t)(at - s);
	if (memchr(at + 1, '@', len - local - 1) != NULL)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Email: больше одного знака @. Пример: %s",
		    "Email: more than one @ sign. Example: %s"), EMAIL_EXAMPLE);
	if (local == 0 || local > VALID_LOCAL_MAX)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Email: часть до @ пустая или длиннее %d символов. Пример: %s",
		    "Email: the part before @ is empty or longer than %d characters. Example: %s"),
		    VALID_LOCAL_MAX, EMAIL_EXAMPLE);
	for (i = 0; i < local; i++)
		if (!email_local_char(s[i]) ||
		    (s[i] == '.' && (i == 0 || i == local - 1 || s[i + 1] == '.')))
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Email: недопустимый символ или лишняя точка до @. Пример: %s",
			    "Email: a character or a dot out of place before @. Example: %s"),
			    EMAIL_EXAMPLE);
	if (!email_domain_ok(at + 1, len - local - 1))
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Email: неверный домен после @. Пример: %s",
		    "Email: a bad domain after @. Example: %s"), EMAIL_EXAMPLE);
	if (outsz <= len)
		return valid_fail(err, errsz, "Email: no room for the value");
	memcpy(out, s, len);
	out[len] = '\0';
	for (i = local + 1; i < len; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] + ('a' - 'A'));
	return 0;
}

