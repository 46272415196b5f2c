/* Unit tests: command parsing, the permission gate, the tables, callback data limits. */
#include <string.h>

#include "handlers/handlers.h"
#include "tests/tap.h"

static void
test_parse(void)
{
	char name[34];
	const char *args = NULL;

	is_int(dispatch_parse_command("/help", "bo_bot", name, sizeof(name), &args), 0, "plain");
	is_str(name, "help", "name");
	is_str(args, "", "no args");
	is_int(dispatch_parse_command("/Partner  ООО Ромашка ", "bo_bot", name, sizeof(name), &args),
	    0, "with args");
	is_str(name, "partner", "lowercased");
	is_str(args, "ООО Ромашка ", "args start after spaces");
	is_int(dispatch_parse_command("/help@BO_bot x", "bo_bot", name, sizeof(name), &args), 0,
	    "addressed to us (case-insensitive)");
	is_str(args, "x", "args after @bot");
	is_int(dispatch_parse_command("/help@other_bot", "bo_bot", name, sizeof(name), &args), 1,
	    "addressed to another bot");
	is_int(dispatch_parse_command("hello", "bo_bot", name, sizeof(name), &args), -1, "text");
	is_int(dispatch_parse_command("/", "bo_bot", name, sizeof(name), &args), -1, "bare slash");
	is_int(dispatch_parse_command("/@bo_bot", "bo_bot", name, sizeof(name), &args), -1,
	    "no name");
	is_int(dispatch_parse_command("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bo_bot", name,
	    sizeof(name), &args), -1, "name longer than any command");
	/* found by fuzz_command: 33 bytes fit the buffer but no command is longer than 32 */
	is_int(dispatch_parse_command("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bo_bot", name,
	    sizeof(name), &args), -1, "33 characters: not a command");
	is_int(dispatch_parse_command("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bo_bot", name,
	    sizeof(name), &args), 0, "32 characters: a command name");
}

static void
test_gate(void)
{
	ok(gate_allows(0, 0, PERM_PUBLIC), "unknown user reaches public");
	ok(!gate_allows(0, 0, PERM_MEMBER), "unknown user refused for members");
	ok(!gate_allows(0, ROLE_SUPERADMIN, ROLE_SUPERADMIN), "not a member: roles ignored");
	ok(!gate_allows(1, 0, PERM_MEMBER), "member without roles refused");
	ok(gate_allows(1, ROLE_SUPPORT, PERM_MEMBER), "any role is a member");
	ok(gate_allows(1, ROLE_SUPERADMIN, ROLE_BILLING), "superadmin passes everything");
	ok(gate_allows(1, ROLE_BILLING, ROLE_BILLING | ROLE_MANAGER), "listed role passes");
	ok(!gate_allows(1, ROLE_DEVELOPER, ROLE_BILLING | ROLE_MANAGER), "unlisted role refused");
	ok(!gate_allows(1, ROLE_MANAGER, ROLE_SUPERADMIN), "superadmin-only refused to manager");
}

static int
valid_command_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static void
test_tables(void)
{
	const struct command *c, *d;
	const struct button *b;
	size_t i, j;
	int bad = 0, dup = 0, n = 0;

	for (i = 0; (c = registry_command_at(i)) != NULL; i++, n++) {
		if (!valid_command_name(c->name) || !c->help_ru[0] || !c->help_en[0] ||
		    strlen(c->help_ru) > 256 || c->exec == NULL || c->usage == NULL)
			bad++;
		for (j = i + 1; (d = registry_command_at(j)) != NULL; j++)
			if (strcmp(c->name, d->name) == 0)
				dup++;
		if (registry_command(c->name) != c)
			bad++;
	}
	ok(n >= 3 && n <= 100, "between 3 and 100 commands (Telegram's menu limit)");
	is_int(bad, 0, "every command: Telegram-valid name, help in ru and en, a handler");
	is_int(dup, 0, "command names are unique");
	ok(registry_command("nosuchcommand") == NULL, "unknown command not found");
	ok(registry_command("start")->perm == PERM_PUBLIC, "/start is public");
	ok(registry_command("whoami")->perm != PERM_PUBLIC, "/whoami needs a member");
	bad = 0;
	for (i = 0; (b = registry_button_at(i)) != NULL; i++)
		/* the verb plus ':' plus a 20-digit id and a role name must stay within 64 bytes */
		if (strlen(b->verb) > 16 || strchr(b->verb, ':') || b->exec == NULL ||
		    b->perm == PERM_PUBLIC)
			bad++;
	is_int(bad, 0, "every button: short verb, a handler, never public");
	ok(registry_button("areq_ok") != NULL, "access approve button registered");
}

static void
test_kb(void)
{
	static struct kb k;
	char data[80];

	kb_init(&k);
	is_int(kb_button(&k, "Одобрить", "areq_ok:%d:%s", 12, "support"), 0, "button added");
	memset(data, 'x', 64);
	data[64] = '\0';
	is_int(kb_button(&k, "64 bytes", "%s", data), 0, "64 bytes of data fit");
	/* 31 Cyrillic letters are 62 bytes: with "v:" exactly 64 */
	is_int(kb_button(&k, "кириллица", "v:%s", "яяяяяяяяяяяяяяяяяяяяяяяяяяяяяяя"), 0,
	    "Cyrillic data counted in bytes: 64 fit");
	ok(!k.overflow, "no overflow yet");
	is_int(kb_button(&k, "too long", "v:%sx", "яяяяяяяяяяяяяяяяяяяяяяяяяяяяяяя"), -1,
	    "65 bytes refused (31 Cyrillic letters are 62 bytes, not 31)");
	ok(k.overflow, "overflow flagged, so the message is not sent with a broken keyboard");
	is_int(k.n, 3, "three buttons kept");
	kb_init(&k);
	kb_button(&k, "a", "a:1");
	kb_button(&k, "b", "b:1");
	kb_row(&k);
	kb_button(&k, "c", "c:1");
	is_int(k.b[1].row, 0, "same row");
	is_int(k.b[2].row, 1, "kb_row starts a new row");
}

int
main(void)
{
	test_parse();
	test_gate();
	test_tables();
	test_kb();
	return done_testing();
}
