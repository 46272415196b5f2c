/* validate.t — input checks: INN, phone, email, names, counts, dates, slugs, the one-line form,
 * and text_fold (the search key). Every rule has a passing and a failing case. */
#include "handlers/handlers.h"
#include "tests/tap.h"

static char out[2048], err[512], tname[512];

/* A test name with the input in it. */
static const char *
tn(const char *what, const char *in)
{
	snprintf(tname, sizeof(tname), "%s: '%s'", what, in);
	return tname;
}

static int
has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* text_fold ----------------------------------------------------------------------------------- */

static void
test_fold(void)
{
	const char *src = "  Ёж  и\tЁЛКА  ";
	char full[64];
	size_t sz;
	int bad = 0;

	text_fold("  Привет   МИР  ", out, sizeof(out));
	is_str(out, "привет мир", "fold: Cyrillic lowercased, spaces squeezed and trimmed");
	text_fold("ABC xyz QwErTy", out, sizeof(out));
	is_str(out, "abc xyz qwerty", "fold: Latin lowercased");
	text_fold("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", out, sizeof(out));
	is_str(out, "абвгдежзийклмнопрстуфхцчшщъыьэюя", "fold: every Cyrillic capital А..Я");
	text_fold("Ёлка ёлка ЕЛКА", out, sizeof(out));
	is_str(out, "елка елка елка", "fold: Ё and ё become е");
	text_fold("Straße ÉCOLE №5", out, sizeof(out));
	is_str(out, "straße École №5", "fold: other code points unchanged (É stays)");
	text_fold("\tа\n\n\r б\r", out, sizeof(out));
	is_str(out, "а б", "fold: tabs and newlines are whitespace");
	text_fold("а\xc2\xa0\xc2\xa0б", out, sizeof(out));
	is_str(out, "а б", "fold: no-break spaces squeezed");
	text_fold("a\xff\xd0 b", out, sizeof(out));
	is_str(out, "a b", "fold: bytes that are not UTF-8 are dropped");
	text_fold("   ", out, sizeof(out));
	is_str(out, "", "fold: only spaces → empty");
	text_fold(NULL, out, sizeof(out));
	is_str(out, "", "fold: NULL → empty");
	text_fold("Привет", out, 4);
	is_str(out, "п", "fold: a small buffer keeps whole characters (4 bytes: one letter)");
	text_fold("Привет", out, 5);
	is_str(out, "пр", "fold: 5 bytes hold two Cyrillic letters");
	memset(out, 'x', 8);
	text_fold("Привет", out, 1);
	is_str(out, "", "fold: size 1 → empty, NUL-terminated");
	text_fold("ab cd", out, 4);
	is_str(out, "ab", "fold: a cut never leaves a trailing space");

	/* every size: valid UTF-8, a prefix of the full key, no trailing space */
	text_fold(src, full, sizeof(full));
	is_str(full, "еж и елка", "fold: the reference key");
	for (sz = 1; sz <= strlen(full) + 1; sz++) {
		text_fold(src, out, sz);
		if (strlen(out) >= sz || !utf8_valid(out, strlen(out)) ||
		    strncmp(out, full, strlen(out)) != 0 ||
		    (strlen(out) > 0 && out[strlen(out) - 1] == ' '))
			bad++;
	}
	is_int(bad, 0, "fold: every buffer size gives a valid, trimmed prefix");
	text_fold(src, out, strlen(full) + 1);
	is_str(out, full, "fold: exactly enough room gives the whole key");
}

/* INN ----------------------------------------------------------------------------------------- */

static void
inn_good(const char *in, const char *want)
{
	int r = valid_inn(in, out, sizeof(out), LANG_RU, err, sizeof(err));

	is_int(r, 0, tn("inn ok", in));
	is_str(out, want, tn("inn normalised", in));
}

static void
inn_bad(const char *in, enum lang lang, const char *problem)
{
	int r = valid_inn(in, out, sizeof(out), lang, err, sizeof(err));

	is_int(r, -1, tn("inn rejected", in));
	ok(has(err, problem) && has(err, lang == LANG_EN ? "INN: " : "ИНН: ") &&
	    has(err, "7707083893") && has(err, lang == LANG_EN ? "Example: " : "Пример: "),
	    tn("inn error names field, problem, example", in));
	if (!has(err, problem))
		diag(err);
}

/* Every one-digit change of a valid INN fails the checksum. */
static int
inn_corruptions_passing(const char *inn)
{
	char c[16];
	size_t i;
	int d, passing = 0;

	for (i = 0; i < strlen(inn); i++)
		for (d = '0'; d <= '9'; d++) {
			if (d == inn[i])
				continue;
			str_copy(c, sizeof(c), inn);
			c[i] = (char)d;
			passing += inn_checksum_ok(c);
		}
	return passing;
}

static void
test_inn(void)
{
	char lead[16], full[13];
	uint64_t seed = 0x9E3779B97F4A7C15u;
	int i, k, round = 0, corrupted = 0;

	ok(inn_checksum_ok("7707083893"), "inn: 7707083893 (Sberbank) passes");
	ok(inn_checksum_ok("500100732259"), "inn: 500100732259 (a sole trader) passes");
	is_int(inn_corruptions_passing("7707083893"), 0, "inn: all 90 one-digit corruptions fail (10)");
	is_int(inn_corruptions_passing("500100732259"), 0,
	    "inn: all 108 one-digit corruptions fail (12)");
	ok(!inn_checksum_ok("770708389"), "inn: 9 digits is not an INN");
	ok(!inn_checksum_ok("77070838931"), "inn: 11 digits is not an INN");
	ok(!inn_checksum_ok("77070838a3"), "inn: letters are not an INN");
	ok(!inn_checksum_ok(""), "inn: empty is not an INN");

	inn_complete("770708389", full);
	is_str(full, "7707083893", "inn_complete: 9 leading digits → the organisation's INN");
	inn_complete("5001007322", full);
	is_str(full, "500100732259", "inn_complete: 10 leading digits → the sole trader's INN");
	inn_complete("12", full);
	is_str(full, "", "inn_complete: a wrong lead → empty");
	inn_complete("77070838x", full);
	is_str(full, "", "inn_complete: a non-digit lead → empty");

	for (i = 0; i < 1000; i++) {
		int len = i % 2 ? 10 : 9;

		for (k = 0; k < len; k++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			lead[k] = (char)('0' + (seed >> 33) % 10);
		}
		lead[len] = '\0';
		inn_complete(lead, full);
		if (strlen(full) == (size_t)len + (len == 9 ? 1 : 2) &&
		    strncmp(full, lead, (size_t)len) == 0 && inn_checksum_ok(full))
			round++;
		full[strlen(full) - 1] = full[strlen(full) - 1] == '9' ? '0' :
		    (char)(full[strlen(full) - 1] + 1);
		corrupted += inn_checksum_ok(full);
	}
	is_int(round, 1000, "inn_complete: 1000 pseudo-random leads round-trip");
	is_int(corrupted, 0, "inn_complete: their last digit changed fails every time");

	inn_good("7707083893", "7707083893");
	inn_good(" 7707 083 893 ", "7707083893");
	inn_good("5001 0073 2259", "500100732259");
	inn_good("7707\xc2\xa0" "083893", "7707083893");
	inn_bad("77070838A3", LANG_RU, "только цифры");
	inn_bad("7707-083893", LANG_RU, "только цифры");
	inn_bad("12345", LANG_RU, "5 цифр");
	inn_bad("77070838931", LANG_RU, "11 цифр");
	inn_bad("7707083", LANG_RU, "7 цифр");
	inn_bad("1", LANG_RU, "1 цифра");
	inn_bad("12345678901234567890123", LANG_RU, "23 цифры");
	inn_bad("", LANG_RU, "не указан");
	inn_bad("7707083894", LANG_RU, "контрольное число");
	inn_bad("500100732258", LANG_RU, "контрольное число");
	inn_bad("12345", LANG_EN, "5 digits");
	inn_bad("7707083894", LANG_EN, "checksum");
	inn_bad("abc", LANG_EN, "digits only");
	is_int(valid_inn("7707083893", out, 10, LANG_RU, err, sizeof(err)), -1,
	    "inn: no room in out is an error, not a cut value");
	valid_inn("abc", out, sizeof(out), LANG_RU, err, 20);
	ok(strlen(err) < 20 && utf8_valid(err, strlen(err)), "inn: a short err stays valid UTF-8");
}

/* Phone --------------------------------------------------------------------------------------- */

static void
phone_good(const char *in, const char *want)
{
	int r = valid_phone(in, out, sizeof(out), LANG_RU, err, sizeof(err));

	is_int(r, 0, tn("phone ok", in));
	is_str(out, want, tn("phone normalised", in));
}

static void
phone_bad(const char *in, enum lang lang, const char *problem)
{
	int r = valid_phone(in, out, sizeof(out), lang, err, sizeof(err));

	is_int(r, -1, tn("phone rejected", in));
	ok(has(err, problem) && has(err, lang == LANG_EN ? "Phone: " : "Телефон: ") &&
	    has(err, "+7 916 123-45-67"), tn("phone error names field, problem, example", in));
	if (!has(err, problem))
		diag(err);
}

static void
test_phone(void)
{
	phone_good("+7 916 123-45-67", "+79161234567");
	phone_good("8 (916) 123 45 67", "+79161234567");
	phone_good("79161234567", "+79161234567");
	phone_good("9161234567", "+79161234567");
	phone_good("+7(916)123.45.67", "+79161234567");
	phone_good(" 8-916-123-45-67 ", "+79161234567");
	phone_good("495 123-45-67", "+74951234567");
	phone_good("8 812 123 45 67", "+78121234567");
	phone_good("8121234567", "+78121234567");
	phone_good("+44 20 7946 0958", "+442079460958");
	phone_good("+380 50 123 4567", "+380501234567");
	phone_good("+1 2025550123", "+12025550123");
	phone_good("+123456789012345", "+123456789012345");
	phone_bad("+7 916 123-45-6a", LANG_RU, "только цифры");
	phone_bad("позвонить", LANG_RU, "только цифры");
	phone_bad("+7 916 +123", LANG_RU, "только цифры");
	phone_bad("12345", LANG_RU, "короткий номер (5 цифр)");
	phone_bad("+7 916 123 45 6", LANG_RU, "короткий номер (10 цифр)");
	phone_bad("8 916 123 45 6", LANG_RU, "короткий номер");
	phone_bad("+7 916 123 45 678", LANG_RU, "длинный номер (12 цифр)");
	phone_bad("+123456789", LANG_RU, "короткий номер (9 цифр)");
	phone_bad("+1234567890123456", LANG_RU, "длинный номер (16 цифр)");
	phone_bad("12345678901234567", LANG_RU, "длинный номер (17 цифр)");
	phone_bad("380501234567", LANG_RU, "начните с +");
	phone_bad("59161234567", LANG_RU, "начните с +");
	phone_bad("", LANG_RU, "не указан");
	phone_bad(" - ", LANG_RU, "не указан");
	phone_bad("12345", LANG_EN, "too short (5 digits)");
	phone_bad("+7 916 123 45 678", LANG_EN, "too long (12 digits)");
	phone_bad("call me", LANG_EN, "digits");
}

/* Email --------------------------------------------------------------------------------------- */

static void
email_good(const char *in, const char *want)
{
	int r = valid_email(in, out, sizeof(out), LANG_RU, err, sizeof(err));

	is_int(r, 0, tn("email ok", in));
	is_str(out, want, tn("email normalised", in));
}

static void
email_bad(const char *in, const char *problem)
{
	int r = valid_email(in, out, sizeof(out), LANG_RU, err, sizeof(err));

	is_int(r, -1, tn("email rejected", in));
	ok(has(err, "Email: ") && has(err, problem) && has(err, "Пример: ivan@romashka.ru"),
	    tn("email error names field, problem, example", in));
	if (!has(err, problem))
		diag(err);
}

static void
test_email(void)
{
	char big[400];

	email_good("ivan@romashka.ru", "ivan@romashka.ru");
	email_good("Ivan.Petrov+crm@Mail.Example.COM", "Ivan.Petrov+crm@mail.example.com");
	email_good("  a@b.co  ", "a@b.co");
	email_good("o'neil_x{1}@x-y.org", "o'neil_x{1}@x-y.org");
	email_good("user@sub.domain-1.ru", "user@sub.domain-1.ru");
	email_bad("ivanromashka.ru", "нет знака @");
	email_bad("", "не указан");
	email_bad("a@@b.ru", "больше одного");
	email_bad("a@b@c.ru", "больше одного");
	email_bad("@b.ru", "до @ пустая");
	email_bad(".a@b.ru", "точка");
	email_bad("a.@b.ru", "точка");
	email_bad("a..b@c.ru", "точка");
	email_bad("a b@c.ru", "символ");
	email_bad("иван@romashka.ru", "символ");
	email_bad("a(b)@c.ru", "символ");
	email_bad("a@b", "домен");
	email_bad("a@b.r", "домен");
	email_bad("a@b.r1", "домен");
	email_bad("a@-b.ru", "домен");
	email_bad("a@b-.ru", "домен");
	email_bad("a@b..ru", "домен");
	email_bad("a@.b.ru", "домен");
	email_bad("a@b.ru.", "домен");
	email_bad("a@b_c.ru", "домен");
	email_bad("a@почта.рф", "домен");
	memset(big, 'a', 65);
	str_copy(big + 65, sizeof(big) - 65, "@b.ru");
	email_bad(big, "длиннее 64");
	memset(big, 'a', 64);
	str_copy(big + 64, sizeof(big) - 64, "@b.ru");
	is_int(valid_email(big, out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "email: a 64-byte local part is fine");
	/* 64 + 1 + 63 + 1 + 63 + 1 + 58 + 3 = 254 bytes is the most; one more is too long */
	memset(big, 'a', 64);
	big[64] = '@';
	memset(big + 65, 'b', 63);
	big[128] = '.';
	memset(big + 129, 'c', 63);
	big[192] = '.';
	memset(big + 193, 'd', 58);
	str_copy(big + 251, sizeof(big) - 251, ".ru");
	is_int(strlen(big), 254, "email: the long address is 254 bytes");
	is_int(valid_email(big, out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "email: 254 bytes are fine");
	memset(big + 193, 'd', 59);
	str_copy(big + 252, sizeof(big) - 252, ".ru");
	email_bad(big, "длиннее 254");
	is_int(valid_email("a@b", out, sizeof(out), LANG_EN, err, sizeof(err)), -1,
	    "email: rejected in English too");
	ok(has(err, "Email: a bad domain") && has(err, "Example: ivan@romashka.ru"),
	    "email: the English message");
}

/* Name ---------------------------------------------------------------------------------------- */

static void
name_bad(const char *in, const char *problem, const char *what)
{
	int r = valid_name(in, out, sizeof(out), LANG_RU, err, sizeof(err));

	is_int(r, -1, what);
	ok(has(err, "Имя или название: ") && has(err, problem) && has(err, "Пример: "), what);
	if (!has(err, problem))
		diag(err);
}

static void
test_name(void)
{
	char big[1024];
	int i;

	is_int(valid_name("  ООО   «Ромашка»  ", out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "name: spaces around and inside");
	is_str(out, "ООО «Ромашка»", "name: trimmed and squeezed");
	is_int(valid_name("Ян", out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "name: two Cyrillic letters (4 bytes) are enough");
	is_int(valid_name("а\tб", out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "name: a tab is a space");
	is_str(out, "а б", "name: the tab squeezed into one space");
	is_int(valid_name("«1»", out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "name: a digit counts as a letter or digit");
	name_bad("Ё", "слишком коротко", "name: one letter (2 bytes) is too short");
	name_bad("  я  ", "слишком коротко", "name: one letter in spaces is too short");
	name_bad("", "слишком коротко", "name: empty");
	name_bad("!!! ...", "ни одной буквы", "name: only punctuation");
	name_bad("«—» №", "ни одной буквы", "name: only Unicode punctuation");
	big[0] = '\0';
	for (i = 0; i < 200; i++)
		str_copy(big + strlen(big), sizeof(big) - strlen(big), "ж");
	is_int(valid_name(big, out, sizeof(out), LANG_RU, err, sizeof(err)), 0,
	    "name: 200 Cyrillic characters (400 bytes) are fine");
	str_copy(big + strlen(big), sizeof(big) - strlen(big), "ж");
	name_bad(big, "длиннее 200", "name: 201 Cyrillic characters are too long");
	name_bad("Рома\x01шка", "управляющий", "name: a C0 control character");
	name_bad("Рома\nшка", "управляющий", "name: a line break");
	name_bad("Рома\x7fшка", "управляющий", "name: DEL");
	name_bad("Рома\xe2\x80\xaeшка", "управляющий", "name: a bidi override (U+202E)");
	name_bad("Рома\xd0", "UTF-8", "name: a cut UTF-8 sequence");
	name_bad("\xc0\xaf\xc0\xaf", "UTF-8", "name: an overlong encoding");
	is_int(valid_name("Ромашка", out, 8, LANG_RU, err, sizeof(err)), -1,
	    "name: no room in out is an error");
	is_int(valid_name("!", out, sizeof(out), LANG_EN, err, sizeof(err)), -1, "name: English");
	ok(has(err, "Name: too short") && has(err, "Example: "), "name: the English message");
}

/* Count --------------------------------------------------------------------------------------- */

static void
test_count(void)
{
	int64_t v = -5;

	is_int(valid_count("0", 10, &v, LANG_RU, err, sizeof(err)), 0, "count: 0");
	is_int(v, 0, "count: 0 read");
	is_int(valid_count(" 42 ", 100, &v, LANG_RU, err, sizeof(err)), 0, "count: 42 in spaces");
	is_int(v, 42, "count: 42 read");
	is_int(valid_count("100", 100, &v, LANG_RU, err, sizeof(err)), 0, "count: max itself");
	is_int(v, 100, "count: 100 read");
	is_int(valid_count("9223372036854775807", INT64_MAX, &v, LANG_RU, err, sizeof(err)), 0,
	    "count: INT64_MAX");
	is_int(v, INT64_MAX, "count: INT64_MAX read");
	v = 7;
	is_int(valid_count("101", 100, &v, LANG_RU, err, sizeof(err)), -1, "count: over max");
	ok(has(err, "Количество: не больше 100") && has(err, "Пример: 10"), "count: says the max");
	is_int(v, 7, "count: out untouched on error");
	is_int(valid_count("99999999999999999999", INT64_MAX, &v, LANG_RU, err, sizeof(err)), -1,
	    "count: overflow");
	is_int(valid_count("-1", 100, &v, LANG_RU, err, sizeof(err)), -1, "count: a sign");
	ok(has(err, "только цифры") && has(err, "Пример: "), "count: digits-only message");
	is_int(valid_count("1.5", 100, &v, LANG_RU, err, sizeof(err)), -1, "count: a fraction");
	is_int(valid_count("1 000", 5000, &v, LANG_RU, err, sizeof(err)), -1, "count: inner space");
	is_int(valid_count("три", 5, &v, LANG_RU, err, sizeof(err)), -1, "count: a word");
	ok(has(err, "Пример: 5"), "count: the example is within max");
	is_int(valid_count("", 5, &v, LANG_EN, err, sizeof(err)), -1, "count: empty");
	ok(has(err, "Count: empty. Example: 5"), "count: the English message");
}

/* Date ---------------------------------------------------------------------------------------- */

static void
date_is(const char *in, int64_t want)
{
	int64_t v = -1;

	is_int(valid_date(in, &v, LANG_RU, err, sizeof(err)), 0, tn("date ok", in));
	is_int(v, want, tn("date value", in));
}

static void
date_bad(const char *in, const char *problem)
{
	int64_t v = 12345;

	is_int(valid_date(in, &v, LANG_RU, err, sizeof(err)), -1, tn("date rejected", in));
	ok(has(err, "Дата: ") && has(err, problem) && has(err, "Пример: 31.12.2025") && v == 12345,
	    tn("date error names the problem", in));
	if (!has(err, problem))
		diag(err);
}

static void
test_date(void)
{
	date_is("2025-12-31", 1767139200);
	date_is("31.12.2025", 1767139200);
	date_is(" 31.12.2025 ", 1767139200);
	date_is("29.02.2024", 1709164800);
	date_is("1.3.2024", 1709251200);
	date_is("01.01.2000", 946684800);
	date_is("29.02.2000", 951782400);
	date_is("2100-12-31", 4133894400);
	date_bad("29.02.2023", "такого дня нет");
	date_bad("31.04.2025", "нет в календаре (31.04.2025)");
	date_bad("29.02.2100", "такого дня нет");
	date_bad("32.01.2025", "такого дня нет");
	date_bad("00.01.2025", "такого дня нет");
	date_bad("15.13.2025", "такого дня нет");
	date_bad("2025-00-10", "такого дня нет");
	date_bad("31.12.1999", "год от 2000 до 2100");
	date_bad("2101-01-01", "год от 2000 до 2100");
	date_bad("2025-1-01", "формат");
	date_bad("2025/12/31", "формат");
	date_bad("31.12.25", "формат");
	date_bad("31-12-2025", "формат");
	date_bad("123.12.2025", "формат");
	date_bad("31.12.2025г", "формат");
	date_bad("", "формат");
	date_bad("31.12.2025 31.12.2025 31.12.2025", "формат");
	is_int(valid_date("31.04.2025", &(int64_t){ 0 }, LANG_EN, err, sizeof(err)), -1,
	    "date: English");
	ok(has(err, "Date: no such day") && has(err, "Example: 31.12.2025"),
	    "date: the English message");
}

/* Slug ---------------------------------------------------------------------------------------- */

static void
slug_is(const char *in, const char *want)
{
	slug_from_name(in, out, sizeof(out));
	is_str(out, want, tn("slug", in));
}

static void
test_slug(void)
{
	char big[256];
	int i;

	slug_is("ООО «Ромашка»", "romashka");
	slug_is("ИП Щукин Ёж", "shchukin-ezh");
	slug_is("АО \"Весна\"", "vesna");
	slug_is("ПАО Газ-Нефть", "gaz-neft");
	slug_is("ЗАО Хлеб & Соль", "khleb-sol");
	slug_is("ОАО Заря", "zarya");
	slug_is("OOO Zvezda", "zvezda");
	slug_is("oao Luch", "luch");
	slug_is("Ромашка ООО", "romashka-ooo");
	slug_is("Acme Corp. 2024", "acme-corp-2024");
	slug_is("Подъезд Объект", "podezd-obekt");
	slug_is("Цех №5", "tsekh-5");
	slug_is("Юла-Яхт", "yula-yakht");
	slug_is("ЖЗЙХЦЧШЩЫЭЮЯ", "zhzykhtschshshchyeyuya");
	slug_is("  --Мир!!  ", "mir");
	slug_is("", "partner");
	slug_is("ООО", "partner");
	slug_is("«»!!!", "partner");
	slug_is("Ъ", "partner");
	slug_is("Рога и Копыта Международная Торговая Компания Северо-Запад",
	    "roga-i-kopyta-mezhdunarodnaya-torgovaya");
	memset(big, 'a', 60);
	big[60] = '\0';
	slug_from_name(big, out, sizeof(out));
	is_int(strlen(out), 48, "slug: one long word is cut at 48 bytes");
	big[0] = '\0';
	for (i = 0; i < 30; i++)
		str_copy(big + strlen(big), sizeof(big) - strlen(big), "Щи ");
	slug_from_name(big, out, sizeof(out));
	ok(strlen(out) <= 48 && out[strlen(out) - 1] != '-' && strncmp(out, "shchi-shchi", 11) == 0,
	    "slug: many words stop at a '-' boundary within 48 bytes");
	is_int(strlen(out), 47, "slug: 8 words of 'shchi' = 47 bytes");
	slug_from_name("ООО Ромашка", out, 5);
	is_str(out, "roma", "slug: a small out is respected");
}

/* Form ---------------------------------------------------------------------------------------- */

static void
form_bad(const char *line, int max, const char *problem, const char *what)
{
	struct form_field f[4];

	is_int(form_parse(line, f, max, LANG_RU, err, sizeof(err)), -1, what);
	ok(has(err, "Форма: ") && has(err, problem) && has(err, "Пример: name="), what);
	if (!has(err, problem))
		diag(err);
}

static void
test_form(void)
{
	struct form_field f[8];
	static char big[2200];
	int n;

	n = form_parse("name=\"ООО Ромашка\" inn=7707083893 email=a@b.ru", f, 8, LANG_RU, err,
	    sizeof(err));
	is_int(n, 3, "form: three fields");
	is_str(f[0].key, "name", "form: first key");
	is_str(f[0].value, "ООО Ромашка", "form: a quoted value keeps its space");
	is_str(f[1].key, "inn", "form: second key");
	is_str(f[1].value, "7707083893", "form: an unquoted value");
	is_str(f[2].value, "a@b.ru", "form: third value");

	n = form_parse("name=«ООО «Ромашка»» city=Москва", f, 8, LANG_RU, err, sizeof(err));
	is_int(n, 2, "form: guillemets");
	is_str(f[0].value, "ООО «Ромашка»", "form: nested «» kept inside «…»");
	is_str(f[1].value, "Москва", "form: the field after guillemets");

	n = form_parse("note=\"он сказал \\\"да\\\"\" path=\"C:\\dir\"", f, 8, LANG_RU, err,
	    sizeof(err));
	is_int(n, 2, "form: escapes");
	is_str(f[0].value, "он сказал \"да\"", "form: \\\" is a quote inside \"…\"");
	is_str(f[1].value, "C:\\dir", "form: another backslash is kept");

	n = form_parse("  a=  b=1\tc=\"\"  d=x\"y ", f, 8, LANG_RU, err, sizeof(err));
	is_int(n, 4, "form: empty values, tabs, spaces around");
	is_str(f[0].value, "", "form: a= is empty");
	is_str(f[1].value, "1", "form: b after an empty value");
	is_str(f[2].value, "", "form: \"\" is empty");
	is_str(f[3].value, "x\"y", "form: a quote inside an unquoted value is literal");
	is_int(form_parse("url=a=b", f, 8, LANG_RU, err, sizeof(err)), 1, "form: '=' in a value");
	is_str(f[0].value, "a=b", "form: the value keeps its '='");
	is_int(form_parse("", f, 8, LANG_RU, err, sizeof(err)), 0, "form: empty line");
	is_int(form_parse("   ", f, 8, LANG_RU, err, sizeof(err)), 0, "form: only spaces");
	is_int(form_parse("a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p=1", f, 8, LANG_RU, err, sizeof(err)), 1,
	    "form: a 31-byte key");

	form_bad("name", 4, "нет «=» в «name»", "form: missing '=' names the token");
	form_bad("inn=1 Ромашка", 4, "нет «=» в «Ромашка»", "form: a stray word after a field");
	form_bad("Name=x", 4, "неверное имя поля «Name»", "form: an uppercase key");
	form_bad("=x", 4, "неверное имя поля «»", "form: an empty key");
	form_bad("имя=x", 4, "неверное имя поля «имя»", "form: a Cyrillic key");
	form_bad("a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_pq=1", 4, "неверное имя поля",
	    "form: a 32-byte key");
	form_bad("a=1 b=2 a=3", 4, "поле «a» указано дважды", "form: a duplicate key");
	form_bad("a=\"abc", 4, "не закрыта кавычка в поле «a»", "form: unterminated \"");
	form_bad("a=\"abc\\\"", 4, "не закрыта кавычка", "form: an escaped last quote");
	form_bad("a=«abc", 4, "не закрыта кавычка в поле «a»", "form: unterminated «");
	form_bad("a=«ООО «Ромашка»", 4, "не закрыта кавычка", "form: unbalanced nested «");
	form_bad("a=1 b=2 c=3", 2, "больше 2 полей", "form: more than max fields");
	form_bad("a=\"x\"y", 4, "после закрывающей кавычки", "form: text after a closing quote");
	form_bad("a=\xd0", 4, "UTF-8", "form: broken UTF-8");

	memcpy(big, "v=", 2);
	memset(big + 2, 'x', 1023);
	big[1025] = '\0';
	is_int(form_parse(big, f, 8, LANG_RU, err, sizeof(err)), 1, "form: a 1023-byte value");
	is_int(strlen(f[0].value), 1023, "form: all 1023 bytes kept");
	big[1025] = 'x';
	big[1026] = '\0';
	form_bad(big, 4, "длиннее 1023 байт", "form: a 1024-byte value");
	memcpy(big, "v=\"", 3);
	memset(big + 3, 'x', 1100);
	memcpy(big + 1103, "\"", 2);
	form_bad(big, 4, "длиннее 1023 байт", "form: a 1100-byte quoted value");

	big[0] = '\0';
	for (n = 0; n < 50; n++)
		str_copy(big + strlen(big), sizeof(big) - strlen(big), "ж");
	is_int(form_parse(big, f, 8, LANG_RU, err, sizeof(err)), -1, "form: a long stray token");
	ok(utf8_valid(err, strlen(err)) && has(err, "«жжжж") && has(err, "…»"),
	    "form: the token is shortened on a character boundary");

	is_int(form_parse("name", f, 8, LANG_EN, err, sizeof(err)), -1, "form: English");
	ok(has(err, "Form: no \"=\" in \"name\"") && has(err, "Example: name="),
	    "form: the English message");
}

int
main(void)
{
	test_fold();
	test_inn();
	test_phone();
	test_email();
	test_name();
	test_count();
	test_date();
	test_slug();
	test_form();
	return done_testing();
}
