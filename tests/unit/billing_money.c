/* money.t — money_format and money_parse: every accepted and refused form, the exact bytes of
 * the separators, INT64_MIN, and a format → parse round trip. */
#include "handlers/handlers.h"
#include "tests/tap.h"

#define NN "\xE2\x80\xAF"	/* U+202F */
#define NB "\xC2\xA0"		/* U+00A0 */
#define MI "\xE2\x88\x92"	/* U+2212 */

static char out[128], err[512], tname[512];

static const char *
tn(const char *what, const char *in)
{
	snprintf(tname, sizeof(tname), "%s: '%s'", what, in);
	return tname;
}

static void
fmt_is(int64_t k, const char *want)
{
	money_format(k, out, sizeof(out));
	snprintf(tname, sizeof(tname), "format %" PRId64, k);
	is_str(out, want, tname);
}

static void
test_format(void)
{
	fmt_is(0, "0,00" NB "₽");
	fmt_is(1, "0,01" NB "₽");
	fmt_is(10, "0,10" NB "₽");
	fmt_is(100, "1,00" NB "₽");
	fmt_is(99999, "999,99" NB "₽");
	fmt_is(100000, "1" NN "000,00" NB "₽");
	fmt_is(1250000, "12" NN "500,00" NB "₽");
	fmt_is(123456789, "1" NN "234" NN "567,89" NB "₽");
	fmt_is(INT64_C(100000000000), "1" NN "000" NN "000" NN "000,00" NB "₽");
	fmt_is(-120050, MI "1" NN "200,50" NB "₽");
	fmt_is(-1, MI "0,01" NB "₽");
	fmt_is(INT64_MAX, "92" NN "233" NN "720" NN "368" NN "547" NN "758,07" NB "₽");
	fmt_is(INT64_MIN, MI "92" NN "233" NN "720" NN "368" NN "547" NN "758,08" NB "₽");
	money_format(INT64_MIN, out, MONEY_TEXT_MAX);
	ok(strlen(out) == strlen(MI "92" NN "233" NN "720" NN "368" NN "547" NN "758,08" NB "₽"),
	    "MONEY_TEXT_MAX holds the longest text");
	money_format(1250000, out, 5);
	is_str(out, "12", "a short buffer is cut before a whole character, never inside one");
	ok(strchr("0123456789", out[0]) != NULL, "a cut text is still a prefix of the number");
}

static void
accept(const char *in, int64_t want)
{
	int64_t k = -777;

	err[0] = '\0';
	if (!is_int(money_parse(in, &k, LANG_RU, err, sizeof(err)), 0, tn("accepted", in)))
		printf("#   err: %s\n", err);
	is_int(k, want, tn("value", in));
}

static void
refuse(const char *in, const char *why)
{
	int64_t k = -777;

	err[0] = '\0';
	is_int(money_parse(in, &k, LANG_RU, err, sizeof(err)), -1, tn("refused", in));
	is_int(k, -777, tn("value untouched", in));
	if (!ok(strncmp(err, "Сумма: ", strlen("Сумма: ")) == 0 && strstr(err, why) != NULL &&
	    strstr(err, "Пример: ") != NULL, tn("the message names the problem", in)))
		printf("#   err: %s\n", err);
}

static void
test_parse(void)
{
	accept("12500", 1250000);
	accept("12 500", 1250000);
	accept("12" NB "500", 1250000);
	accept("12" NN "500", 1250000);
	accept("12 500,5", 1250050);
	accept("12500.50", 1250050);
	accept("12500,05", 1250005);
	accept("12 500,00 ₽", 1250000);
	accept("12500₽", 1250000);
	accept("12500 руб", 1250000);
	accept("12500 руб.", 1250000);
	accept("12500р", 1250000);
	accept("12500 р.", 1250000);
	accept("  7  ", 700);
	accept("0", 0);
	accept("0,01", 1);
	accept("1 234 567,89", 123456789);
	accept("-1200,50", -120050);
	accept(MI "1" NN "200,50" NB "₽", -120050);
	accept("10000000000000", INT64_C(1000000000000000));
	accept("-10 000 000 000 000,00", -INT64_C(1000000000000000));

	refuse("", "пустое");
	refuse("   ", "пустое");
	refuse("1,5 тыс", "сокращения");
	refuse("15к", "сокращения");
	refuse("2 млн", "сокращения");
	refuse("12500,505", "не больше двух цифр");
	refuse("1.234", "не больше двух цифр");
	refuse("12500,", "после запятой");
	refuse("abc", "начинаться с цифры");
	refuse("12abc", "только цифры");
	refuse("12 500 USD", "только цифры");
	refuse("12 500,00 ₽ ₽", "только цифры");
	refuse("+100", "начинаться с цифры");
	refuse("1 2345", "пробелы только между тысячами");
	refuse("1234 567", "пробелы только между тысячами");
	refuse("12 50", "пробелы только между тысячами");
	refuse("10000000000000,01", "слишком большая");
	refuse("99999999999999999999999", "слишком большая");
	refuse("-", "начинаться с цифры");
	refuse("1e5", "запись со степенью");
	refuse("1E3", "запись со степенью");
	refuse("1,5e3", "запись со степенью");
	refuse("2e-2", "запись со степенью");
	refuse("-1e+3", "запись со степенью");
	refuse("1e", "только цифры");
	is_int(money_parse("1e5", &(int64_t){0}, LANG_EN, err, sizeof(err)), -1, "English: refused");
	ok(strncmp(err, "Amount: ", 8) == 0 && strstr(err, "Example: ") != NULL,
	    "English: the message is in English");
}

/* A deterministic spread of values: small, around the separators, large, negative. */
static void
test_round_trip(void)
{
	uint64_t x = 88172645463325252u;
	int i, bad = 0;

	for (i = 0; i < 10000; i++) {
		int64_t v, got = -1;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (i % 4) {
		case 0: v = i; break;
		case 1: v = (int64_t)(x % 100000000); break;
		default: v = (int64_t)(x % (uint64_t)(MONEY_MAX + 1)); break;
		}
		if (i % 3 == 0)
			v = -v;
		money_format(v, out, sizeof(out));
		if (money_parse(out, &got, LANG_RU, err, sizeof(err)) != 0 || got != v) {
			if (bad++ < 5)
				printf("#   %" PRId64 " → '%s' → %" PRId64 " (%s)\n", v, out, got, err);
		}
	}
	is_int(bad, 0, "format → parse gives back the same kopecks for 10,000 values");
}

int
main(void)
{
	test_format();
	test_parse();
	test_round_trip();
	return done_testing();
}
