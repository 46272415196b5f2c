/*
 * validate.c — the checks at the boundary of a person's input: names, counts, dates, slugs and
 * the one-line form (INN, phone and email are validate_contact.c's). Each check either
 * normalises the value or explains, in the person's language, what is wrong and what a good
 * answer looks like: "<field>: <problem>. Пример: <example>". Messages are plain text; callers
 * HTML-escape them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "handlers/common/validate.h"

#define VALID_NAME_MIN	2	/* characters */
#define VALID_NAME_MAX	200	/* characters */
#define VALID_YEAR_MIN	2000
#define VALID_YEAR_MAX	2100
#define SLUG_MAX	48	/* bytes */
#define FORM_KEY_MAX	31	/* bytes */
#define FORM_TOKEN_SHOWN 40	/* bytes of an offending token quoted back in an error */

#define DATE_EXAMPLE	"31.12.2025"
#define FORM_EXAMPLE	"name=\"ООО Ромашка\" inn=7707083893 email=ivan@romashka.ru"

/* Fills err (never cutting a UTF-8 sequence) and returns -1, so checks can `return valid_fail()`. */
int
valid_fail(char *err, size_t errsz, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL)
		str_copy(err, errsz, msg);
	return -1;
}

/* The Russian noun form after a number: 1 цифра, 2 цифры, 5 цифр, 11 цифр, 21 цифра. */
const char *
valid_plural_ru(size_t n, const char *one, const char *few, const char *many)
{
	if (n % 100 >= 11 && n % 100 <= 14)
		return many;
	if (n % 10 == 1)
		return one;
	if (n % 10 >= 2 && n % 10 <= 4)
		return few;
	return many;
}

/* Spaces a person may type or paste: ASCII blanks, no-break space, thin spaces. */
int
valid_is_space(long cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x2009 || cp == 0x202F;
}

/* The bounds of s without surrounding ASCII whitespace. */
void
valid_trim(const char *s, const char **start, size_t *len)
{
	size_t n;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		n--;
	*start = s;
	*len = n;
}

/* Name ---------------------------------------------------------------------------------------- */

/* Letters and digits of the scripts names are written in (not all of Unicode: no tables here). */
static const struct {
	long	 lo, hi;
} valid_alnum[] = {
	{ '0', '9' }, { 'A', 'Z' }, { 'a', 'z' },
	{ 0xC0, 0xD6 }, { 0xD8, 0xF6 }, { 0xF8, 0x24F },	/* Latin with diacritics */
	{ 0x386, 0x3FF },					/* Greek */
	{ 0x400, 0x481 }, { 0x48A, 0x52F },			/* Cyrillic, signs excluded */
	{ 0x531, 0x556 }, { 0x561, 0x587 },			/* Armenian */
	{ 0x5D0, 0x5EA },					/* Hebrew */
	{ 0x620, 0x64A }, { 0x660, 0x669 }, { 0x671, 0x6D3 },	/* Arabic */
	{ 0x10A0, 0x10FF },					/* Georgian */
	{ 0x1E00, 0x1EFF },					/* Latin extended additional */
	{ 0x3040, 0x30FF },					/* Japanese kana */
	{ 0x4E00, 0x9FFF },					/* CJK ideographs */
	{ 0xAC00, 0xD7A3 },					/* Hangul */
	{ 0xFF10, 0xFF19 }, { 0xFF21, 0xFF3A }, { 0xFF41, 0xFF5A },	/* full-width */
};

static int
valid_is_alnum(long cp)
{
	size_t i;

	for (i = 0; i < sizeof(valid_alnum) / sizeof(valid_alnum[0]); i++)
		if (cp >= valid_alnum[i].lo && cp <= valid_alnum[i].hi)
			return 1;
	return 0;
}

/* C0 and C1 controls (newlines too: a name is one line), DEL, and the invisible characters that
 * reorder or hide text (bidi overrides and isolates, zero-width space, BOM, line separators). */
static int
valid_is_control(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x200B || cp == 0x200E ||
	    cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xFEFF;
}

int
valid_name(const char *in, char *out, size_t outsz, enum lang lang, char *err, size_t errsz)
{
	char tmp[VALID_NAME_MAX * 4 + 1];
	size_t len, i = 0, o = 0, chars = 0;
	int space = 0, alnum = 0;

	if (outsz > 0)
		out[0] = '\0';
	if (in == NULL)
		in = "";
	len = strlen(in);
	while (i < len) {
		long cp;
		size_t n = utf8_decode(in + i, len - i, &cp);

		if (cp < 0)
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Имя или название: текст повреждён (не UTF-8). Пример: %s",
			    "Name: broken text (not UTF-8). Example: %s"),
			    VALID_TR(lang, "ООО «Ромашка»", "Romashka LLC"));
		if (valid_is_space(cp)) {
			space = o > 0;
			i += n;
			continue;
		}
		if (valid_is_control(cp))
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Имя или название: недопустимый управляющий символ (перевод строки, "
			    "табуляция и т. п.). Пример: %s",
			    "Name: a control character (line break, etc.) is not allowed. "
			    "Example: %s"), VALID_TR(lang, "ООО «Ромашка»", "Romashka LLC"));
		chars += 1 + (size_t)space;
		if (chars > VALID_NAME_MAX)
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Имя или название: длиннее %d символов. Пример: %s",
			    "Name: longer than %d characters. Example: %s"), VALID_NAME_MAX,
			    VALID_TR(lang, "ООО «Ромашка»", "Romashka LLC"));
		if (space)
			tmp[o++] = ' ';
		memcpy(tmp + o, in + i, n);
		o += n;
		space = 0;
		alnum |= valid_is_alnum(cp);
		i += n;
	}
	tmp[o] = '\0';
	if (chars < VALID_NAME_MIN)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Имя или название: слишком коротко, нужно от %d до %d символов. Пример: %s",
		    "Name: too short, %d to %d characters are needed. Example: %s"),
		    VALID_NAME_MIN, VALID_NAME_MAX,
		    VALID_TR(lang, "ООО «Ромашка» или Иван Петров", "Romashka LLC or Ivan Petrov"));
	if (!alnum)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Имя или название: нет ни одной буквы или цифры. Пример: %s",
		    "Name: no letter or digit. Example: %s"),
		    VALID_TR(lang, "ООО «Ромашка» или Иван Петров", "Romashka LLC or Ivan Petrov"));
	if (outsz <= o)
		return valid_fail(err, errsz, "Name: no room for the value");
	memcpy(out, tmp, o + 1);
	return 0;
}

/* Count --------------------------------------------------------------------------------------- */

/* A negative max allows nothing but 0. */
int
valid_count(const char *in, int64_t max, int64_t *out, enum lang lang, char *err, size_t errsz)
{
	const char *s;
	size_t len, i;
	int64_t v = 0, example;

	if (max < 0)
		max = 0;
	example = max < 10 ? max : 10;
	valid_trim(in != NULL ? in : "", &s, &len);
	if (len == 0)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Количество: не указано. Пример: %" PRId64,
		    "Count: empty. Example: %" PRId64), example);
	for (i = 0; i < len; i++) {
		int digit = s[i] - '0';

		if (s[i] < '0' || s[i] > '9')
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Количество: только цифры, без знаков и пробелов. Пример: %" PRId64,
			    "Count: digits only, no signs or spaces. Example: %" PRId64), example);
		if (v > (max - digit) / 10)
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Количество: не больше %" PRId64 ". Пример: %" PRId64,
			    "Count: at most %" PRId64 ". Example: %" PRId64), max, example);
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* Date ---------------------------------------------------------------------------------------- */

/* Reads min..max digits at *p into *v; 0 ok, -1 not. */
static int
valid_digits(const char **p, int min, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min && !(**p >= '0' && **p <= '9') ? 0 : -1;
}

int
valid_date(const char *in, int64_t *out, enum lang lang, char *err, size_t errsz)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char tmp[32];
	const char *s, *p;
	size_t len;
	int y, m, d, dim, ok;

	valid_trim(in != NULL ? in : "", &s, &len);
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;	/* too long for a date: fails the format check below */
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	p = tmp;
	if (len == 10 && tmp[4] == '-')
		ok = valid_digits(&p, 4, 4, &y) == 0 && *p++ == '-' &&
		    valid_digits(&p, 2, 2, &m) == 0 && *p++ == '-' &&
		    valid_digits(&p, 2, 2, &d) == 0 && *p == '\0';
	else
		ok = valid_digits(&p, 1, 2, &d) == 0 && *p++ == '.' &&
		    valid_digits(&p, 1, 2, &m) == 0 && *p++ == '.' &&
		    valid_digits(&p, 4, 4, &y) == 0 && *p == '\0';
	if (!ok)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Дата: нужен формат ДД.ММ.ГГГГ или ГГГГ-ММ-ДД. Пример: %s",
		    "Date: use DD.MM.YYYY or YYYY-MM-DD. Example: %s"), DATE_EXAMPLE);
	if (y < VALID_YEAR_MIN || y > VALID_YEAR_MAX)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Дата: год от %d до %d. Пример: %s",
		    "Date: the year must be %d to %d. Example: %s"),
		    VALID_YEAR_MIN, VALID_YEAR_MAX, DATE_EXAMPLE);
	dim = m >= 1 && m <= 12 ? mdays[m - 1] : 0;
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		dim = 29;
	if (d < 1 || d > dim)
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Дата: такого дня нет в календаре (%02d.%02d.%04d). Пример: %s",
		    "Date: no such day in the calendar (%02d.%02d.%04d). Example: %s"),
		    d, m, y, DATE_EXAMPLE);
	*out = clock_days_from_civil(y, m, d) * 86400;
	return 0;
}

/* Slug ---------------------------------------------------------------------------------------- */

/* а..я (U+0430..U+044F) in Latin letters; ё is folded to е before this table is used. */
static const char *const slug_translit[32] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
};

/* Legal forms dropped from the start of a name (folded; "ooo"/"oao" typed in Latin letters). */
static const char *const slug_legal_forms[] = {
	"ооо", "ао", "пао", "зао", "оао", "ип", "ooo", "oao",
};

/* A word character after folding: a-z, 0-9, а-я. */
static int
slug_word_char(long cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp >= 0x430 && cp <= 0x44F);
}

static int
slug_is_legal_form(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(slug_legal_forms) / sizeof(slug_legal_forms[0]); i++)
		if (strlen(slug_legal_forms[i]) == n && memcmp(slug_legal_forms[i], w, n) == 0)
			return 1;
	return 0;
}

void
slug_from_name(const char *name, char *out, size_t outsz)
{
	char folded[1024];
	size_t len, i = 0, o = 0, cap;
	int leading = 1;

	if (outsz == 0)
		return;
	cap = outsz - 1 < SLUG_MAX ? outsz - 1 : SLUG_MAX;
	text_fold(name, folded, sizeof(folded));
	len = strlen(folded);
	while (i < len && o < cap) {
		char word[SLUG_MAX + 8];
		size_t start, wlen = 0;
		int full = 0;
		long cp;

		start = i;
		i += utf8_decode(folded + i, len - i, &cp);
		if (!slug_word_char(cp))
			continue;
		/* one word, transliterated (past the buffer it is longer than a slug: the rest is dropped) */
		for (;;) {
			char ascii[2] = { (char)cp, '\0' };
			const char *t = cp >= 0x430 ? slug_translit[cp - 0x430] : ascii;
			size_t tl = strlen(t), n;

			if (!full && wlen + tl < sizeof(word)) {
				memcpy(word + wlen, t, tl);
				wlen += tl;
			} else
				full = 1;
			if (i >= len)
				break;
			n = utf8_decode(folded + i, len - i, &cp);
			if (!slug_word_char(cp))
				break;
			i += n;
		}
		if (leading && slug_is_legal_form(folded + start, i - start))
			continue;
		leading = 0;
		if (wlen == 0)
			continue;	/* a word of ъ and ь alone */
		if (o == 0) {
			if (wlen > cap)
				wlen = cap;	/* one long word: a hard cut (ASCII, so safe) */
			memcpy(out, word, wlen);
			o = wlen;
		} else if (o + 1 + wlen <= cap) {
			out[o++] = '-';
			memcpy(out + o, word, wlen);
			o += wlen;
		} else
			break;
	}
	if (o == 0) {
		str_copy(out, outsz, "partner");
		return;
	}
	out[o] = '\0';
}

/* One-line form ------------------------------------------------------------------------------- */

static int
form_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A token as quoted back in an error: at most FORM_TOKEN_SHOWN bytes of whole characters (the
 * line is valid UTF-8), "…" when cut. */
static const char *
form_shown(const char *tok, size_t n, char *buf, size_t bufsz)
{
	const char *more = "";

	if (n > FORM_TOKEN_SHOWN) {
		n = FORM_TOKEN_SHOWN;
		while (n > 0 && ((unsigned char)tok[n] & 0xC0) == 0x80)
			n--;
		more = "…";
	}
	snprintf(buf, bufsz, "%.*s%s", (int)n, tok, more);
	return buf;
}

enum form_value { FORM_OK, FORM_TOO_LONG, FORM_UNTERMINATED, FORM_JUNK };

/* Reads one value at *pp into v (vsz bytes with the NUL) and moves *pp past it. */
static enum form_value
form_read_value(const char **pp, char *v, size_t vsz)
{
	const char *p = *pp;
	size_t n = 0;
	int depth = 0;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return FORM_UNTERMINATED;
			if (p[0] == '\\' && p[1] == '"')
				p++;
			if (n + 1 >= vsz)
				return FORM_TOO_LONG;
			v[n++] = *p;
		}
		p++;
	} else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xAB) {
		for (p += 2, depth = 1;; p++) {
			if (*p == '\0')
				return FORM_UNTERMINATED;
			if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xAB)
				depth++;
			else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xBB &&
			    --depth == 0)
				break;
			if (n + 1 >= vsz)
				return FORM_TOO_LONG;
			v[n++] = *p;
		}
		p += 2;
	} else {
		for (; *p != '\0' && !form_is_space(*p); p++) {
			if (n + 1 >= vsz)
				return FORM_TOO_LONG;
			v[n++] = *p;
		}
	}
	v[n] = '\0';
	*pp = p;
	return *p == '\0' || form_is_space(*p) ? FORM_OK : FORM_JUNK;
}

/*
 * key=value pairs. A value in "…" may hold spaces and \" for a quote (a backslash before anything
 * else is kept as is); a value in «…» may hold spaces and nested «» pairs, as in
 * name=«ООО «Ромашка»». An unquoted value runs to the next space; quotes inside it are kept.
 */
int
form_parse(const char *line, struct form_field *f, int max, enum lang lang, char *err,
    size_t errsz)
{
	char shown[FORM_TOKEN_SHOWN + 8];
	const char *p = line != NULL ? line : "";
	int n = 0, i;

	if (!utf8_valid(p, strlen(p)))
		return valid_fail(err, errsz, VALID_TR(lang,
		    "Форма: текст повреждён (не UTF-8). Пример: %s",
		    "Form: broken text (not UTF-8). Example: %s"), FORM_EXAMPLE);
	for (;;) {
		const char *tok;
		size_t klen, k;

		while (form_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		tok = p;
		while (*p != '\0' && *p != '=' && !form_is_space(*p))
			p++;
		klen = (size_t)(p - tok);
		if (*p != '=')
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Форма: нет «=» в «%s». Пример: %s",
			    "Form: no \"=\" in \"%s\". Example: %s"),
			    form_shown(tok, klen, shown, sizeof(shown)), FORM_EXAMPLE);
		for (k = 0; k < klen; k++)
			if (!((tok[k] >= 'a' && tok[k] <= 'z') || tok[k] == '_'))
				break;
		if (klen == 0 || klen > FORM_KEY_MAX || k < klen)
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Форма: неверное имя поля «%s» (латинские a–z и _, до %d символов). "
			    "Пример: %s",
			    "Form: bad field name \"%s\" (a-z and _, up to %d characters). "
			    "Example: %s"),
			    form_shown(tok, klen, shown, sizeof(shown)), FORM_KEY_MAX, FORM_EXAMPLE);
		for (i = 0; i < n; i++)
			if (strlen(f[i].key) == klen && memcmp(f[i].key, tok, klen) == 0)
				return valid_fail(err, errsz, VALID_TR(lang,
				    "Форма: поле «%s» указано дважды. Пример: %s",
				    "Form: field \"%s\" is given twice. Example: %s"),
				    f[i].key, FORM_EXAMPLE);
		if (n >= max)
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Форма: больше %d полей. Пример: %s",
			    "Form: more than %d fields. Example: %s"), max < 0 ? 0 : max,
			    FORM_EXAMPLE);
		memcpy(f[n].key, tok, klen);
		f[n].key[klen] = '\0';
		p++;	/* past '=' */
		switch (form_read_value(&p, f[n].value, sizeof(f[n].value))) {
		case FORM_OK:
			break;
		case FORM_TOO_LONG:
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Форма: значение поля «%s» длиннее %zu байт. Пример: %s",
			    "Form: the value of \"%s\" is longer than %zu bytes. Example: %s"),
			    f[n].key, sizeof(f[n].value) - 1, FORM_EXAMPLE);
		case FORM_UNTERMINATED:
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Форма: не закрыта кавычка в поле «%s». Пример: %s",
			    "Form: the quote of \"%s\" is not closed. Example: %s"),
			    f[n].key, FORM_EXAMPLE);
		case FORM_JUNK:
			return valid_fail(err, errsz, VALID_TR(lang,
			    "Форма: после закрывающей кавычки в поле «%s» нужен пробел. Пример: %s",
			    "Form: a space is needed after the closing quote of \"%s\". Example: %s"),
			    f[n].key, FORM_EXAMPLE);
		}
		n++;
	}
	return n;
}
