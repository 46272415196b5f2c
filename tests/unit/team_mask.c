/* mask.t — personal data as developers and managers see it: exact masks, empty values, small
 * buffers (never a cut character). */
#include "handlers/handlers.h"
#include "tests/tap.h"

static char out[256], tname[256];

static const char *
tn(const char *what, const char *in)
{
	snprintf(tname, sizeof(tname), "%s: '%s'", what, in ? in : "(null)");
	return tname;
}

static void
phone_is(const char *in, const char *want)
{
	mask_phone(in, out, sizeof(out));
	is_str(out, want, tn("mask_phone", in));
}

static void
email_is(const char *in, const char *want)
{
	mask_email(in, out, sizeof(out));
	is_str(out, want, tn("mask_email", in));
}

static void
person_is(const char *in, const char *want)
{
	mask_person(in, out, sizeof(out));
	is_str(out, want, tn("mask_person", in));
}

static void
inn_is(const char *in, const char *want)
{
	mask_inn(in, out, sizeof(out));
	is_str(out, want, tn("mask_inn", in));
}

int
main(void)
{
	size_t sz;
	int bad;

	phone_is("+79161234567", "+7 9** ***-**-67");
	phone_is("+74951234512", "+7 4** ***-**-12");
	phone_is("89161234567", "+7 9** ***-**-67");
	phone_is("+442079460958", "+44********58");
	phone_is("+380501234567", "+38********67");
	phone_is("+1234", "+****");
	phone_is("", "—");
	phone_is(NULL, "—");

	email_is("ivan@mail.ru", "i***@m***.ru");
	email_is("Ivan.Petrov@romashka.com", "I***@r***.com");
	email_is("a@x.mail.ru", "a***@x***.ru");
	email_is("юля@почта.рф", "ю***@п***.рф");
	email_is("@mail.ru", "***@m***.ru");
	email_is("ivan@localhost", "i***@l***");
	email_is("ivan@", "i***@");
	email_is("ivan", "i***");
	email_is("", "—");
	email_is(NULL, "—");

	person_is("Иван Петров", "И*** П***");
	person_is("  Анна   Мария-Луиза  Ёлкина ", "А*** М*** Ё***");
	person_is("John", "J***");
	person_is("Ян", "Я***");
	person_is("", "—");
	person_is("   ", "—");
	person_is(NULL, "—");

	inn_is("500100732259", "50********59");
	inn_is("7707083893", "7707083893");
	inn_is("7707 083 893", "7707083893");
	inn_is("12345678", "12****78");
	inn_is("123", "***");
	inn_is("", "—");
	inn_is(NULL, "—");

	/* small buffers: whole pieces only, valid UTF-8, never the unmasked middle */
	mask_person("Иван Петров", out, 6);
	is_str(out, "И***", "mask_person: 6 bytes hold the first word only");
	mask_person("Иван", out, 2);
	is_str(out, "", "mask_person: no room for a letter → empty");
	mask_phone("+79161234567", out, 4);
	is_str(out, "+7 ", "mask_phone: a small buffer stops before any digit that does not fit");
	bad = 0;
	for (sz = 1; sz < 24; sz++) {
		mask_email("юля@почта.рф", out, sz);
		if (strlen(out) >= sz || !utf8_valid(out, strlen(out)) || strstr(out, "ля") ||
		    strstr(out, "очта"))
			bad++;
		mask_person("Юлия Ёлкина", out, sz);
		if (strlen(out) >= sz || !utf8_valid(out, strlen(out)) || strstr(out, "лия"))
			bad++;
	}
	is_int(bad, 0, "masks: every buffer size gives valid UTF-8 without unmasked text");
	return done_testing();
}
