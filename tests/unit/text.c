/* text.t — HTML escaping, UTF-8 counting and validation, message splitting, bounded strings. */
#include "bot/bot.h"
#include "tests/tap.h"

/* Every part is at most max characters and valid UTF-8. */
static int
parts_fit(char **parts, int n, size_t max)
{
	int i;

	for (i = 0; i < n; i++)
		if (utf8_chars(parts[i], strlen(parts[i])) > max ||
		    !utf8_valid(parts[i], strlen(parts[i])))
			return 0;
	return 1;
}

/* No part ends inside "<...>" or "&...;", and none starts with the inside of one. */
static int
parts_cut_cleanly(char **parts, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *p = parts[i];
		const char *lt = strrchr(p, '<'), *gt = strrchr(p, '>');
		const char *amp = strrchr(p, '&'), *semi = strrchr(p, ';');
		const char *fgt = strchr(p, '>'), *flt = strchr(p, '<');
		const char *fsemi = strchr(p, ';'), *famp = strchr(p, '&');

		if (lt != NULL && (gt == NULL || gt < lt))
			return 0;	/* ends inside a tag */
		if (amp != NULL && (semi == NULL || semi < amp))
			return 0;	/* ends inside an entity */
		if (fgt != NULL && (flt == NULL || flt > fgt))
			return 0;	/* starts inside a tag */
		if (fsemi != NULL && (famp == NULL || famp > fsemi))
			return 0;	/* starts inside an entity */
	}
	return 1;
}

static void
test_html(void)
{
	struct buf b;

	buf_init(&b, 0);
	buf_add_html(&b, "a & b <c> \"d\" &amp;");
	is_str(b.ptr, "a &amp; b &lt;c&gt; &quot;d&quot; &amp;amp;", "buf_add_html escapes & first");
	buf_release(&b);
	buf_init(&b, 8);
	ok(buf_add_html(&b, "<<<") == -1 && b.overflow, "buf_add_html honours the maximum");
	buf_release(&b);
}

static void
test_utf8(void)
{
	const char *cyr = "Привет, мир";	/* 11 characters, 20 bytes */

	is_int(strlen(cyr), 20, "Cyrillic takes two bytes a letter");
	is_int(utf8_chars(cyr, strlen(cyr)), 11, "utf8_chars counts characters");
	is_int(utf8_chars("\xF0\x9F\x98\x80!", 5), 2, "utf8_chars: an emoji is one character");
	ok(utf8_valid(cyr, strlen(cyr)), "valid: Cyrillic");
	ok(utf8_valid("\xF4\x8F\xBF\xBF", 4), "valid: U+10FFFF");
	ok(utf8_valid("\xED\x9F\xBF", 3), "valid: U+D7FF");
	ok(!utf8_valid("\xC0\xAF", 2), "invalid: overlong '/'");
	ok(!utf8_valid("\xE0\x80\xAF", 3), "invalid: overlong 3-byte");
	ok(!utf8_valid("\xF0\x80\x80\xAF", 4), "invalid: overlong 4-byte");
	ok(!utf8_valid("\xED\xA0\x80", 3), "invalid: surrogate U+D800");
	ok(!utf8_valid("\xF4\x90\x80\x80", 4), "invalid: above U+10FFFF");
	ok(!utf8_valid("\xD0", 1), "invalid: truncated sequence");
	ok(!utf8_valid("\xD0\x41", 2), "invalid: bad continuation");
	ok(!utf8_valid("\x80", 1), "invalid: lone continuation");
	ok(!utf8_valid("\xFF", 1), "invalid: 0xFF");
}

static void
test_split_simple(void)
{
	char **parts;
	int n;

	n = text_split("short text", 4000, &parts);
	is_int(n, 1, "short text: one part");
	is_str(parts[0], "short text", "short text: identical");
	text_parts_free(parts, n);

	n = text_split("", 10, &parts);
	ok(n == 1 && strcmp(parts[0], "") == 0, "empty text: one empty part");
	text_parts_free(parts, n);

	n = text_split("aaaa bbbb\ncccc dddd", 12, &parts);
	ok(n == 2 && strcmp(parts[0], "aaaa bbbb") == 0 && strcmp(parts[1], "cccc dddd") == 0,
	    "split at the newline, newline stripped");
	text_parts_free(parts, n);

	n = text_split("aaaa bbbb cccc", 12, &parts);
	ok(n == 2 && strcmp(parts[0], "aaaa bbbb ") == 0 && strcmp(parts[1], "cccc") == 0,
	    "split at the last space when there is no newline");
	text_parts_free(parts, n);

	n = text_split("abcdefghij", 4, &parts);
	ok(n == 3 && strcmp(parts[0], "abcd") == 0 && strcmp(parts[2], "ij") == 0,
	    "hard cut when there is no space");
	text_parts_free(parts, n);

	n = text_split("жжжжжж", 4, &parts);
	ok(n == 2 && strcmp(parts[0], "жжжж") == 0 && strcmp(parts[1], "жж") == 0,
	    "hard cut counts characters, not bytes");
	text_parts_free(parts, n);
}

static void
test_split_cyrillic(void)
{
	struct buf in, joined;
	char **parts;
	int n, i, nl_ok = 1;

	buf_init(&in, 0);
	buf_init(&joined, 0);
	/* 10,000 characters: words of 9 letters and a space, a newline every 7 words */
	for (i = 0; i < 1000; i++)
		buf_adds(&in, i % 7 == 6 ? "абвгдеёжз\n" : "абвгдеёжз ");
	is_int(utf8_chars(in.ptr, in.len), 10000, "input is 10,000 characters");
	n = text_split(in.ptr, TG_SPLIT_AT, &parts);
	ok(n >= 3, "10,000 characters make at least three parts");
	ok(parts_fit(parts, n, TG_SPLIT_AT), "every part is at most 4000 characters, valid UTF-8");
	for (i = 0; i < n; i++) {
		buf_adds(&joined, parts[i]);
		if (i < n - 1) {
			buf_addc(&joined, '\n');	/* each cut here removed one newline */
			if (parts[i][strlen(parts[i]) - 1] == ' ')
				nl_ok = 0;
		}
	}
	ok(nl_ok, "cuts happen at newlines when there are some");
	is_str(joined.ptr, in.ptr, "parts plus the removed newlines equal the input");
	text_parts_free(parts, n);
	buf_release(&in);
	buf_release(&joined);
}

static void
test_split_html(void)
{
	struct buf in;
	char **parts;
	int n, i;

	/* entities every few characters: a cut must never land inside one */
	buf_init(&in, 0);
	for (i = 0; i < 300; i++)
		buf_adds(&in, "x&amp;y&lt;");
	n = text_split(in.ptr, 50, &parts);
	ok(n > 1 && parts_fit(parts, n, 50), "entity text: parts fit");
	ok(parts_cut_cleanly(parts, n), "entity text: no entity cut");
	text_parts_free(parts, n);
	buf_release(&in);

	n = text_split("aaaa&amp;bbbb", 6, &parts);
	ok(n == 3 && strcmp(parts[0], "aaaa") == 0 && strcmp(parts[1], "&amp;b") == 0,
	    "a cut inside an entity moves back before '&'");
	text_parts_free(parts, n);

	/* a link tag that would straddle the cut moves to the next part */
	n = text_split("0123456789 <a href=\"https://example.com/\">link</a>", 40, &parts);
	ok(n >= 2 && parts_cut_cleanly(parts, n), "no part cuts a tag");
	is_str(parts[0], "0123456789 ", "the cut moves back before '<'");
	text_parts_free(parts, n);

	/* an open <b> is closed at the cut and reopened */
	n = text_split("<b>bold words here\nmore bold text</b> x", 25, &parts);
	ok(n == 2, "bold text: two parts");
	if (n == 2) {
		is_str(parts[0], "<b>bold words here</b>", "open <b> closed at the end of a part");
		is_str(parts[1], "<b>more bold text</b> x", "and reopened in the next");
	}
	ok(parts_fit(parts, n, 25), "closing tags count towards the limit");
	text_parts_free(parts, n);

	/* nested tags are closed innermost first and reopened outermost first */
	n = text_split("<b><i>aaaa bbbb cccc dddd eeee</i></b>", 24, &parts);
	ok(n >= 2 && parts_fit(parts, n, 24), "nested: parts fit");
	if (n >= 2) {
		size_t l = strlen(parts[0]);

		ok(l > 8 && strcmp(parts[0] + l - 8, "</i></b>") == 0,
		    "nested: closed innermost first");
		ok(strncmp(parts[1], "<b><i>", 6) == 0, "nested: reopened outermost first");
	}
	text_parts_free(parts, n);

	/* <pre> with an attribute-bearing <code> reopens verbatim */
	n = text_split("<pre><code class=\"language-c\">int a;\nint b;\nint c;</code></pre>", 60,
	    &parts);
	ok(n == 2 && strncmp(parts[1], "<pre><code class=\"language-c\">", 30) == 0,
	    "pre/code reopened with its attributes");
	text_parts_free(parts, n);
}

static void
test_str(void)
{
	char small[6];
	int64_t v = 0;

	str_copy(small, sizeof(small), "ab\xD0\x96\xD0\x96");	/* "abЖЖ" is 6 bytes */
	is_str(small, "ab\xD0\x96", "str_copy does not cut a UTF-8 sequence");
	str_copy(small, sizeof(small), "abc");
	is_str(small, "abc", "str_copy copies a short string");
	ok(str_to_i64("12x", &v) == -1, "str_to_i64 rejects trailing garbage");
	ok(str_to_i64("", &v) == -1, "str_to_i64 rejects the empty string");
	ok(str_to_i64("99999999999999999999", &v) == -1, "str_to_i64 rejects overflow");
	ok(str_to_i64("-1001234567890", &v) == 0 && v == -1001234567890LL,
	    "str_to_i64 parses a big negative id");
}

/* A quote of what someone typed: short, escaped, never an entity cut, "…" when cut. */
static void
test_quote(void)
{
	char amp[4001], cyr[2 * 100 + 1], want[512];
	struct buf b;
	size_t i;

	memset(amp, '&', 4000);
	amp[4000] = '\0';
	buf_init(&b, 0);
	buf_add_quote(&b, amp);
	for (i = 0, want[0] = '\0'; i < BUF_QUOTE_CHARS; i++)
		memcpy(want + i * 5, "&amp;", 6);
	str_copy(want + BUF_QUOTE_CHARS * 5, sizeof(want) - BUF_QUOTE_CHARS * 5, "…");
	is_str(b.ptr, want, "4,000 '&' quote as 64 escaped ones and '…'");
	buf_reset(&b);
	for (i = 0; i < 100; i++)
		memcpy(cyr + 2 * i, "\xD1\x8F", 2);	/* "я" × 100 */
	cyr[200] = '\0';
	buf_add_quote(&b, cyr);
	ok(utf8_valid(b.ptr, b.len) && utf8_chars(b.ptr, b.len) == BUF_QUOTE_CHARS + 1,
	    "100 Cyrillic letters: 64 whole ones and '…'");
	buf_reset(&b);
	buf_add_quote(&b, "a<b>\nc\td\"");
	is_str(b.ptr, "a&lt;b&gt; c d&quot;", "a short quote: escaped, line breaks as spaces, no '…'");
	buf_reset(&b);
	memset(amp, 'x', BUF_QUOTE_CHARS);
	amp[BUF_QUOTE_CHARS] = '\0';
	buf_add_quote(&b, amp);
	is_int(b.len, BUF_QUOTE_CHARS, "exactly the limit: kept whole, no '…'");
	buf_release(&b);
}

/* One message whatever the text: a copy when it fits, else a clean first part and '…'. */
static void
test_cut(void)
{
	struct buf b;
	char *one;
	size_t n;
	int i;

	one = text_cut("<b>short</b>", 4000);
	is_str(one, "<b>short</b>", "text_cut keeps a text that fits");
	free(one);
	buf_init(&b, 0);
	buf_adds(&b, "<b>");
	for (i = 0; i < 4000; i++)
		buf_adds(&b, "&amp;");
	buf_adds(&b, "</b> the end");
	one = text_cut(b.ptr, 4000);
	n = one ? strlen(one) : 0;
	ok(one != NULL && utf8_chars(one, n) <= 4000, "text_cut: at most 4,000 characters");
	ok(one != NULL && n > 4 && strcmp(one + n - strlen("</b>…"), "</b>…") == 0,
	    "the bold tag is closed and '…' says the rest was left out");
	ok(one != NULL && parts_cut_cleanly(&one, 1), "no entity or tag is cut");
	free(one);
	buf_release(&b);
}

int
main(void)
{
	test_html();
	test_utf8();
	test_split_simple();
	test_split_cyrillic();
	test_split_html();
	test_str();
	test_quote();
	test_cut();
	return done_testing();
}
