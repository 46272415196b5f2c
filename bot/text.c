/*
 * text.c — UTF-8 counting and validation, and splitting long HTML messages into parts that
 * Telegram accepts: at most maxchars characters each, never cutting a character, a tag or an
 * entity, and with formatting tags closed at the end of a part and reopened in the next.
 */
#include <stdlib.h>
#include <string.h>

#include "bot/bot.h"

#define TEXT_STACK_MAX	16	/* deeper nesting is not tracked (Telegram allows little) */
#define TEXT_ENTITY_MAX	10	/* bytes between '&' and ';' in the longest entity we accept */

size_t
utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	/* every byte that is not a continuation byte starts a character */
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Strict: shortest forms only, no surrogates, nothing above U+10FFFF. 1 valid, 0 not. */
int
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t n, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;	/* overlong below U+0800 */
			else if (c == 0xED)
				hi = 0x9F;	/* surrogates U+D800..U+DFFF */
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;	/* overlong below U+10000 */
			else if (c == 0xF4)
				hi = 0x8F;	/* above U+10FFFF */
		} else
			return 0;
		if (n > len - i - 1)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += n + 1;
	}
	return 1;
}

/* An open tag, by its place in the original text (so it can be reopened verbatim). */
struct text_tag {
	size_t	 off;		/* offset of '<' */
	size_t	 len;		/* through '>' */
	size_t	 namelen;	/* the name starts at off + 1 */
};

struct text_stack {
	struct text_tag	 tag[TEXT_STACK_MAX];
	int		 n;
};

static size_t
text_name_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && p[n] != '>' && p[n] != ' ' && p[n] != '\t' && p[n] != '\n' &&
	    p[n] != '/')
		n++;
	return n;
}

/* Applies the complete tag text[off .. off+len) to the stack. */
static void
text_apply_tag(const char *text, size_t off, size_t len, struct text_stack *st)
{
	const char *p = text + off + 1;
	size_t nl;
	int i;

	if (*p == '/') {
		p++;
		nl = text_name_len(p);
		/* pop up to the matching opener; an unmatched closer changes nothing */
		for (i = st->n - 1; i >= 0; i--) {
			if (st->tag[i].namelen == nl &&
			    strncmp(text + st->tag[i].off + 1, p, nl) == 0) {
				st->n = i;
				break;
			}
		}
		return;
	}
	nl = text_name_len(p);
	if (nl == 0 || text[off + len - 2] == '/' || st->n == TEXT_STACK_MAX)
		return;
	st->tag[st->n].off = off;
	st->tag[st->n].len = len;
	st->tag[st->n].namelen = nl;
	st->n++;
}

/* Length of the entity starting at s ('&'), through ';', or 0 if it is a bare '&'. */
static size_t
text_entity_len(const char *s)
{
	size_t i;

	for (i = 1; i <= TEXT_ENTITY_MAX + 1 && s[i] != '\0'; i++) {
		char c = s[i];

		if (c == ';')
			return i > 1 ? i + 1 : 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '#'))
			return 0;
	}
	return 0;
}

/*
 * Scans text[from .. to), applying the tags it contains to st. Returns to when a cut there is
 * safe, or the offset of the '<' or '&' whose tag or entity spans it (st then reflects the
 * text before that offset).
 */
static size_t
text_scan(const char *text, size_t from, size_t to, struct text_stack *st)
{
	size_t i = from;

	while (i < to) {
		size_t n;

		if (text[i] == '<') {
			const char *gt = strchr(text + i, '>');

			if (gt == NULL)
				return i;	/* an unterminated tag runs to the end */
			n = (size_t)(gt - (text + i)) + 1;
			if (i + n > to)
				return i;
			text_apply_tag(text, i, n, st);
			i += n;
		} else if (text[i] == '&' && (n = text_entity_len(text + i)) > 0) {
			if (i + n > to)
				return i;
			i += n;
		} else
			i++;
	}
	return to;
}

/* Byte offset after advancing n characters from off (or the end of the text). */
static size_t
text_advance(const char *text, size_t len, size_t off, size_t n)
{
	while (off < len && n > 0) {
		off++;
		while (off < len && ((unsigned char)text[off] & 0xC0) == 0x80)
			off++;
		n--;
	}
	return off;
}

static size_t
text_closers_chars(const struct text_stack *st)
{
	size_t n = 0;
	int i;

	for (i = 0; i < st->n; i++)
		n += st->tag[i].namelen + 3;	/* "</" name ">" */
	return n;
}

static size_t
text_openers_chars(const char *text, const struct text_stack *st)
{
	size_t n = 0;
	int i;

	for (i = 0; i < st->n; i++)
		n += utf8_chars(text + st->tag[i].off, st->tag[i].len);
	return n;
}

/*
 * Picks where the part starting at pos ends, with at most budget characters of text: the last
 * newline, else the last space, else a hard cut, each moved back out of any tag or entity.
 * Sets *next to where the following part starts (after a stripped newline); returns the cut.
 * Returns pos when no safe cut makes progress.
 */
static size_t
text_pick_cut(const char *text, size_t len, size_t pos, size_t budget,
    const struct text_stack *st0, size_t *next)
{
	size_t w = text_advance(text, len, pos, budget);
	size_t i, c;
	struct text_stack st;

	/* the last newline whose position is a safe cut (one right after the window counts) */
	for (i = w < len && text[w] == '\n' ? w + 1 : w; i > pos + 1; i--) {
		if (text[i - 1] != '\n')
			continue;
		st = *st0;
		if (text_scan(text, pos, i - 1, &st) == i - 1) {
			*next = i;
			return i - 1;
		}
	}
	/* the last space, kept at the end of the part */
	for (i = w; i > pos + 1; i--) {
		if (text[i - 1] != ' ')
			continue;
		st = *st0;
		if (text_scan(text, pos, i, &st) == i) {
			*next = i;
			return i;
		}
	}
	/* a hard cut on a character boundary, moved back before a tag or entity */
	st = *st0;
	c = text_scan(text, pos, w, &st);
	*next = c;
	return c;
}

/* Appends one part to the array. 0 ok, -1 out of memory. */
static int
text_push(char ***parts, int *n, struct buf *b)
{
	char **np = realloc(*parts, sizeof(**parts) * (size_t)(*n + 1));
	char *s;

	if (np == NULL)
		return -1;
	*parts = np;
	if (b->overflow || (s = buf_detach(b)) == NULL)
		return -1;
	np[(*n)++] = s;
	return 0;
}

int
text_split(const char *text, size_t maxchars, char ***parts)
{
	struct text_stack st = { .n = 0 };
	struct buf b;
	size_t len, pos = 0;
	char **out = NULL;
	int n = 0, i, rc = -1;

	*parts = NULL;
	buf_init(&b, 0);
	if (text == NULL || maxchars == 0)
		goto out;
	len = strlen(text);
	for (;;) {
		size_t prefix = text_openers_chars(text, &st);
		size_t budget, cut = pos, next = pos;
		struct text_stack after = st;
		int forced = 0;

		if (prefix >= maxchars) {
			st.n = 0;	/* cannot even reopen the tags: give up on them */
			prefix = 0;
			after = st;
		}
		if (prefix + utf8_chars(text + pos, len - pos) <= maxchars) {
			cut = next = len;
			after.n = 0;	/* the rest of the text closes its own tags */
		} else {
			budget = maxchars - prefix;
			for (;;) {
				size_t total;

				cut = text_pick_cut(text, len, pos, budget, &st, &next);
				after = st;
				if (cut > pos) {
					text_scan(text, pos, cut, &after);
					total = prefix + utf8_chars(text + pos, cut - pos) +
					    text_closers_chars(&after);
					if (total <= maxchars)
						break;
					budget -= total - maxchars < budget ? total - maxchars : budget;
				} else
					budget = 0;
				if (budget == 0) {
					/* pathological (tiny maxchars, a huge tag): a plain cut */
					forced = 1;
					after.n = 0;
					cut = next = text_advance(text, len, pos, maxchars - prefix);
					break;
				}
			}
		}
		for (i = 0; i < st.n; i++)
			buf_add(&b, text + st.tag[i].off, st.tag[i].len);
		buf_add(&b, text + pos, cut - pos);
		for (i = after.n - 1; i >= 0 && !forced; i--) {
			buf_adds(&b, "</");
			buf_add(&b, text + after.tag[i].off + 1, after.tag[i].namelen);
			buf_addc(&b, '>');
		}
		if (text_push(&out, &n, &b) == -1)
			goto out;
		st = after;
		pos = next;
		if (pos >= len)
			break;
	}
	*parts = out;
	out = NULL;
	rc = n;
out:
	buf_release(&b);
	if (out != NULL)
		text_parts_free(out, n);
	return rc;
}

char *
text_cut(const char *text, size_t maxchars)
{
	char **parts = NULL, *out = NULL;
	struct buf b;
	int n;

	if (text == NULL || maxchars < 2)
		return NULL;
	if (utf8_chars(text, strlen(text)) <= maxchars)
		return strdup(text);
	/* one character of room for the "…" that says the rest was left out */
	if ((n = text_split(text, maxchars - 1, &parts)) <= 0)
		return NULL;
	buf_init(&b, 0);
	if (buf_adds(&b, parts[0]) == 0 && buf_adds(&b, "…") == 0)
		out = buf_detach(&b);
	buf_release(&b);
	text_parts_free(parts, n);
	return out;
}

void
text_parts_free(char **parts, int n)
{
	int i;

	if (parts == NULL)
		return;
	for (i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
}

/*
 * One character of possibly broken UTF-8 at s (len bytes left): its length in bytes, and its code
 * point in *cp. A byte that does not start a well-formed sequence is reported as length 1 with
 * *cp = -1, so callers can skip it.
 */
size_t
utf8_decode(const char *str, size_t len, long *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, k;
	long v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		n = 0;
	if (n == 0 || n > len || !utf8_valid(str, n)) {
		*cp = -1;
		return 1;
	}
	v = s[0] & (0xFF >> (n + 1));
	for (k = 1; k < n; k++)
		v = (v << 6) | (s[k] & 0x3F);
	*cp = v;
	return n;
}

/* Writes the code point cp as UTF-8 into o (room for 4); returns the length. */
static size_t
text_encode(long cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ASCII whitespace and the no-break and thin spaces people paste from documents. */
static int
text_is_space(long cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x2009 ||
	    cp == 0x202F;
}

/*
 * The fold maps a character to one character, so the output is never longer than the input.
 * Bytes that are not well-formed UTF-8 are dropped: a search key must stay valid text. When out
 * is too small the key ends at the last whole character that fits (never with a space).
 */
void
text_fold(const char *in, char *out, size_t outsz)
{
	size_t len, i = 0, o = 0;
	int space = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (in == NULL)
		return;
	len = strlen(in);
	while (i < len) {
		char enc[4];
		long cp;
		size_t n = utf8_decode(in + i, len - i, &cp), m;

		i += n;
		if (cp < 0)
			continue;
		if (text_is_space(cp)) {
			space = o > 0;
			continue;
		}
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		else if (cp >= 0x410 && cp <= 0x42F)
			cp += 0x20;
		else if (cp == 0x401 || cp == 0x451)
			cp = 0x435;
		m = text_encode(cp, enc);
		if (o + (size_t)space + m >= outsz)
			break;
		if (space)
			out[o++] = ' ';
		memcpy(out + o, enc, m);
		o += m;
		space = 0;
	}
	out[o] = '\0';
}
