/*
 * config.c — the configuration table, config.example.ini against it, values, errors with
 * file:line, token resolution and the superadmins list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/bot.h"
#include "tests/tap.h"
#include "tests/testdb.h"

#define MAXFILES 32

static char files[MAXFILES][512];
static int nfiles;

/* Writes text to a new file in the temporary directory with the given mode; returns its path. */
static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	char *path = files[nfiles];
	FILE *fp;

	if (nfiles == MAXFILES) {
		diag("too many temporary files");
		exit(1);
	}
	testdb_file(path, sizeof(files[0]), name);
	if ((fp = fopen(path, "w")) == NULL) {
		diag("cannot create a temporary file");
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
	nfiles++;
	return path;
}

static void
cleanup(void)
{
	int i;

	for (i = 0; i < nfiles; i++)
		unlink(files[i]);
	testdb_cleanup();
}

/* Loads text as a config file over the defaults; err receives the messages. */
static int
load_text(struct config *cfg, const char *name, const char *text, struct buf *err,
    const char **pathp)
{
	const char *path = write_file(name, text, 0600);

	if (pathp)
		*pathp = path;
	cfg_defaults(cfg);
	buf_reset(err);
	return cfg_load(cfg, path, err);
}

/* True when err holds exactly the line "PATH:LINE: msg". */
static int
has_error(const struct buf *err, const char *path, int line, const char *msg)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s:%d: %s\n", path, line, msg);
	return strstr(err->ptr, want) != NULL;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
test_table_and_defaults(void)
{
	struct config cfg;
	size_t i, j;
	int bad = 0;

	ok(cfg_nkeys >= 29, "the table has every key (the example file test checks each)");
	for (i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		for (j = i + 1; j < cfg_nkeys; j++)
			if (strcmp(k->section, cfg_keys[j].section) == 0 &&
			    strcmp(k->name, cfg_keys[j].name) == 0)
				bad++;
		if (k->def == NULL || k->help == NULL || *k->help == '\0' ||
		    strchr(k->help, '=') != NULL || (k->type == CFG_ENUM && k->choices == NULL))
			bad++;
	}
	is_int(bad, 0, "keys are unique; each has a default and a one-line help without '='");

	cfg_defaults(&cfg);
	bad = 0;
	for (i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *field = (const char *)&cfg + k->off;
		int64_t want;

		switch (k->type) {
		case CFG_STR:
		case CFG_ENUM:
			if (strcmp(*(char *const *)(const void *)field, k->def) != 0)
				bad++;
			break;
		case CFG_INT:
		case CFG_ID:
			if (str_to_i64(k->def, &want) == -1 ||
			    *(const int64_t *)(const void *)field != want)
				bad++;
			if (k->type == CFG_INT && (want < k->min || want > k->max))
				bad++;
			break;
		case CFG_BOOL:
			break;
		case CFG_IDLIST:
			if (*k->def != '\0' || cfg.nsuperadmins != 0)
				bad++;
			break;
		}
	}
	is_int(bad, 0, "every field holds its table default");
	is_str(cfg.api_url, "https://api.telegram.org", "default api_url");
	is_str(cfg.mode, "polling", "default mode");
	is_int(cfg.poll_timeout, 25, "default poll_timeout");
	is_int(cfg.retry_after_cap, 300, "default retry_after_cap");
	is_str(cfg.token, "", "default token is empty");
	is_str(cfg.database, "backoffice.db", "default database");
	is_str(cfg.http_listen, "127.0.0.1:8080", "default listen");
	is_str(cfg.timezone, "Europe/Moscow", "default timezone");
	is_int(cfg.language, LANG_RU, "default language is ru");
	is_int(cfg.chat_team, 0, "default team chat is not set");
	is_int(cfg.global_per_second, 30, "default global_per_second");
	cfg_free(&cfg);
	ok(cfg.api_url == NULL && cfg.path == NULL, "cfg_free clears the strings");
}

/* Parses "key = v" or "; key = v" (lowercase key); returns 1 and fills name/value. */
static int
example_key_line(const char *line, char *name, size_t namesz, char *value, size_t valuesz)
{
	const char *s = line, *e;
	size_t n;

	if (*s == ';') {
		s++;
		while (*s == ' ')
			s++;
	}
	for (e = s; (*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_'; e++)
		;
	n = (size_t)(e - s);
	if (n == 0 || n >= namesz)
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	while (*e == ' ')
		e++;
	if (*e != '=')
		return 0;
	for (e++; *e == ' '; e++)
		;
	str_copy(value, valuesz, e);
	n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\n' || value[n - 1] == '\r'))
		value[--n] = '\0';
	return 1;
}

static void
test_example(void)
{
	struct config cfg;
	struct buf err;
	FILE *fp;
	char line[512], prev[512] = "", section[64] = "", name[64], value[256];
	int listed[64] = { 0 }, unknown = 0, dup = 0, wrongdef = 0, nohelp = 0, missing = 0;
	size_t i;

	buf_init(&err, 0);
	cfg_defaults(&cfg);
	is_int(cfg_load(&cfg, "config.example.ini", &err), 0, "config.example.ini loads");
	is_str(err.ptr, "", "config.example.ini has no errors");
	cfg_free(&cfg);

	if ((fp = fopen("config.example.ini", "r")) == NULL) {
		ok(0, "config.example.ini opens");
		buf_release(&err);
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '[') {
			char *e = strchr(line, ']');

			if (e != NULL) {
				*e = '\0';
				str_copy(section, sizeof(section), line + 1);
			}
		} else if (example_key_line(line, name, sizeof(name), value, sizeof(value))) {
			const struct cfg_key *k = NULL;
			char help[512];

			for (i = 0; i < cfg_nkeys; i++)
				if (strcmp(cfg_keys[i].section, section) == 0 &&
				    strcmp(cfg_keys[i].name, name) == 0)
					k = &cfg_keys[i];
			if (k == NULL) {
				printf("# not in the table: [%s] %s\n", section, name);
				unknown++;
			} else {
				i = (size_t)(k - cfg_keys);
				if (listed[i]++)
					dup++;
				if (strcmp(value, k->def) != 0) {
					printf("# [%s] %s shows '%s', default '%s'\n", section, name,
					    value, k->def);
					wrongdef++;
				}
				snprintf(help, sizeof(help), "; %s\n", k->help);
				if (strcmp(prev, help) != 0) {
					printf("# [%s] %s is not under its help line\n", section, name);
					nohelp++;
				}
			}
		}
		str_copy(prev, sizeof(prev), line);
	}
	fclose(fp);
	for (i = 0; i < cfg_nkeys; i++) {
		if (!listed[i]) {
			printf("# missing from config.example.ini: [%s] %s\n", cfg_keys[i].section,
			    cfg_keys[i].name);
			missing++;
		}
	}
	is_int(unknown, 0, "config.example.ini lists no key outside the table");
	is_int(missing, 0, "config.example.ini lists every key of the table");
	is_int(dup, 0, "config.example.ini lists each key once");
	is_int(wrongdef, 0, "config.example.ini shows each key's default");
	is_int(nohelp, 0, "each key sits under its help line");
	buf_release(&err);
}

static void
test_demo(void)
{
	struct config cfg;
	struct buf err;

	buf_init(&err, 0);
	cfg_defaults(&cfg);
	is_int(cfg_load(&cfg, "contrib/demo.ini", &err), 0, "contrib/demo.ini loads");
	is_str(err.ptr, "", "contrib/demo.ini has no errors");
	ok(cfg_is_superadmin(&cfg, 100000001), "the demo superadmin is a superadmin");
	is_int(cfg.chat_audit, -1001000000005LL, "demo audit chat");
	is_str(cfg.database, "build/demo/backoffice.db", "demo database");
	cfg_free(&cfg);
	buf_release(&err);
}

static void
test_good_file(void)
{
	struct config cfg;
	struct buf err;

	buf_init(&err, 0);
	is_int(load_text(&cfg, "good.ini",
	    "\xEF\xBB\xBF; a comment\n"
	    "[telegram]\n"
	    "api_url = http://127.0.0.1:8081\r\n"
	    "mode = webhook ; inline comment\n"
	    "  poll_timeout = 50\n"
	    "\tconnect_timeout=1\n"
	    "webhook_url = https://bot.example.org/hook\n"
	    "webhook_secret = Abc_def-0123\n"
	    "\n"
	    "# another comment\n"
	    "[access]\n"
	    "superadmins = 7, 42 ,1000000001,42\n"
	    "[chats]\n"
	    "team = -1001234567890\n"
	    "billing =\n"
	    "support = 12345\n"
	    "[storage]\n"
	    "database = /var/lib/backoffice/bo.db\n"
	    "lock_file = /run/backoffice.lock\n"
	    "[http]\n"
	    "listen = 0.0.0.0:9000\n"
	    "[general]\n"
	    "timezone = Asia/Almaty\n"
	    "language = en\n"
	    "[limits]\n"
	    "chat_burst = 1000\n"
	    "global_per_second = 1\n", &err, NULL), 0, "a good file loads");
	is_str(err.ptr, "", "no errors");
	is_str(cfg.api_url, "http://127.0.0.1:8081", "CRLF line: value without \\r");
	is_str(cfg.mode, "webhook", "inline comment stripped");
	is_int(cfg.poll_timeout, 50, "indented key is a key, top of range accepted");
	is_int(cfg.connect_timeout, 1, "key=value without blanks, bottom of range accepted");
	is_str(cfg.webhook_url, "https://bot.example.org/hook", "webhook_url");
	is_str(cfg.webhook_secret, "Abc_def-0123", "webhook_secret");
	is_int(cfg.nsuperadmins, 3, "three distinct superadmins");
	ok(cfg.superadmins[0] == 7 && cfg.superadmins[1] == 42 &&
	    cfg.superadmins[2] == 1000000001, "superadmins in order");
	is_int(cfg.chat_team, -1001234567890LL, "negative chat id");
	is_int(cfg.chat_billing, 0, "empty chat id reads as not set");
	is_int(cfg.chat_support, 12345, "positive chat id");
	is_int(cfg.chat_digest, 0, "unset chat keeps its default");
	is_str(cfg.database, "/var/lib/backoffice/bo.db", "database");
	is_str(cfg.tenants_dir, "tenants", "unset string keeps its default");
	is_str(cfg.lock_file, "/run/backoffice.lock", "lock_file");
	is_str(cfg.http_listen, "0.0.0.0:9000", "listen");
	is_str(cfg.timezone, "Asia/Almaty", "timezone");
	is_str(cfg.language_name, "en", "language name");
	is_int(cfg.language, LANG_EN, "language enum follows the name");
	is_int(cfg.chat_burst, 1000, "chat_burst");
	is_int(cfg.global_per_second, 1, "global_per_second");
	ok(cfg.path != NULL && strstr(cfg.path, "good.ini") != NULL, "path remembered");
	ok(!cfg_is_superadmin(&cfg, 8), "8 is not a superadmin");
	ok(cfg_is_superadmin(&cfg, 1000000001), "1000000001 is a superadmin");
	cfg_free(&cfg);
	buf_release(&err);
}

static void
test_errors(void)
{
	struct config cfg;
	struct buf err;
	const char *path;
	char longline[400];

	buf_init(&err, 0);
	is_int(load_text(&cfg, "bad.ini",
	    "[telegram]\n"			/* 1 */
	    "mode = polling\n"			/* 2 */
	    "bogus = 1\n"			/* 3 */
	    "; comment\n"			/* 4 */
	    "poll_timeout = 99\n"		/* 5 */
	    "mode = webhook\n"			/* 6 */
	    "connect_timeout = ten\n"		/* 7 */
	    "[general]\n"			/* 8 */
	    "language = de\n"			/* 9 */
	    "[chats]\n"				/* 10 */
	    "team = abc\n"			/* 11 */
	    "[nosuch]\n"			/* 12 */
	    "x = 1\n"				/* 13 */
	    "y = 2\n"				/* 14 */
	    "[access]\n"			/* 15 */
	    "superadmins = 1, -5\n"		/* 16 */
	    "this line has no equals sign\n"	/* 17 */
	    "[limits]\n"			/* 18 */
	    "chat_burst = 0\n",			/* 19 */
	    &err, &path), -1, "a bad file is refused");
	ok(has_error(&err, path, 3, "unknown key 'bogus' in [telegram]"), "unknown key, line 3");
	ok(has_error(&err, path, 5, "[telegram] poll_timeout: 99 is out of range 1..50"),
	    "out of range with the range, line 5");
	ok(has_error(&err, path, 6, "duplicate key 'mode' in [telegram] (first set on line 2)"),
	    "duplicate key, line 6");
	ok(has_error(&err, path, 7,
	    "[telegram] connect_timeout: not an integer: 'ten' (range 1..120)"),
	    "bad integer, line 7");
	ok(has_error(&err, path, 9, "[general] language: bad value 'de' (choices: ru/en)"),
	    "bad enum lists the choices, line 9");
	ok(has_error(&err, path, 11, "[chats] team: bad chat id 'abc' (an integer; 0: not set)"),
	    "bad chat id, line 11");
	ok(has_error(&err, path, 12, "unknown section [nosuch]"), "unknown section, line 12");
	ok(has_error(&err, path, 16, "[access] superadmins: bad user id '-5' "
	    "(positive user ids, comma-separated)"), "negative user id, line 16");
	ok(has_error(&err, path, 17, "syntax error (expected [section] or key = value)"),
	    "syntax error, line 17");
	ok(has_error(&err, path, 19, "[limits] chat_burst: 0 is out of range 1..1000"),
	    "out of range at the bottom, line 19");
	is_int(count_lines(err.ptr), 10, "all ten errors collected, the unknown section once");
	if (count_lines(err.ptr) != 10)
		printf("# %s", err.ptr);
	is_str(cfg.mode, "polling", "a duplicate does not override the first value");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "nosection.ini", "mode = polling\n[telegram]\nmode=\n", &err,
	    &path), -1, "key before any section refused");
	ok(has_error(&err, path, 1, "key 'mode' outside any section"), "outside any section");
	ok(has_error(&err, path, 3, "[telegram] mode: bad value '' (choices: polling/webhook)"),
	    "empty enum refused");
	cfg_free(&cfg);

	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "timezone = ", 11);
	longline[100] = '\0';
	{
		char text[1024];

		snprintf(text, sizeof(text), "[general]\n%s\n[telegram]\nwebhook_secret = a b\n"
		    "webhook_url = http://x\napi_url = ftp://x\n[storage]\ndatabase =\n",
		    longline);
		is_int(load_text(&cfg, "strings.ini", text, &err, &path), -1, "bad strings refused");
	}
	ok(has_error(&err, path, 2, "[general] timezone: too long (at most 64 bytes)"),
	    "string too long");
	ok(has_error(&err, path, 4,
	    "[telegram] webhook_secret: must be 1-256 characters of A-Z a-z 0-9 _ -"),
	    "webhook_secret characters checked");
	ok(strstr(err.ptr, ":5: [telegram] webhook_url: must start with https://") != NULL,
	    "webhook_url must be https");
	ok(has_error(&err, path, 6, "[telegram] api_url: must start with https:// or http://"),
	    "api_url scheme checked");
	ok(has_error(&err, path, 8, "[storage] database: must not be empty"), "empty database");
	cfg_free(&cfg);

	memset(longline + 11, 'x', sizeof(longline) - 11);
	longline[sizeof(longline) - 1] = '\0';
	{
		char text[1024];

		snprintf(text, sizeof(text), "[general]\n%s\nlanguage = en\n", longline);
		is_int(load_text(&cfg, "longline.ini", text, &err, &path), -1,
		    "over-long line refused");
	}
	ok(has_error(&err, path, 2, "line too long (at most 198 characters)"), "line too long");
	is_int(count_lines(err.ptr), 1, "the rest of a long line is not read as more lines");
	is_int(cfg.language, LANG_EN, "the line after it still counts");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "webhook.ini", "[telegram]\nmode = webhook\n", &err, &path), -1,
	    "webhook mode without a URL refused");
	ok(has_error(&err, path, 2, "mode webhook needs [telegram] webhook_url"),
	    "webhook mode needs webhook_url");
	ok(has_error(&err, path, 2, "mode webhook needs [telegram] webhook_secret"),
	    "webhook mode needs webhook_secret");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "webhook2.ini", "[telegram]\nmode = webhook\n"
	    "webhook_url = https://bot.example.org/hook\n", &err, &path), -1,
	    "webhook mode with a URL but no secret refused");
	ok(has_error(&err, path, 2, "mode webhook needs [telegram] webhook_secret"),
	    "the secret is required too (Telegram's header is the webhook's only check)");
	is_int(count_lines(err.ptr), 1, "and only the secret is missing");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "limit.ini", "[http]\nbody_limit = 1000\n", &err, &path), -1,
	    "body_limit under 1 KiB refused");
	ok(has_error(&err, path, 2, "[http] body_limit: 1000 is out of range 1024..67108864"),
	    "body_limit range named");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "tz.ini", "[general]\ntimezone = Europe/Moskva\n", &err, &path), -1,
	    "a misspelt time zone refused (it would silently mean UTC)");
	ok(has_error(&err, path, 2, "[general] timezone: unknown time zone (expected a name such as "
	    "Europe/Moscow)"),
	    "the time zone error names the problem");
	cfg_free(&cfg);
	is_int(load_text(&cfg, "tz2.ini", "[general]\ntimezone = Asia/Vladivostok\n", &err, &path),
	    0, "a real zone loads");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "section.ini", "[telegram\nmode = polling\n", &err, &path), -1,
	    "unclosed section refused");
	ok(has_error(&err, path, 1, "syntax error (expected [section] or key = value)"),
	    "unclosed section is a syntax error");
	ok(has_error(&err, path, 2, "key 'mode' outside any section"),
	    "the keys under it belong to no section");
	cfg_free(&cfg);

	cfg_defaults(&cfg);
	buf_reset(&err);
	{
		char missing[300], want[400];

		testdb_file(missing, sizeof(missing), "missing.ini");
		is_int(cfg_load(&cfg, missing, &err), -1, "a missing file is an error");
		snprintf(want, sizeof(want), "%s: cannot open: %s\n", missing, strerror(ENOENT));
		is_str(err.ptr, want, "missing file: FILE: cannot open: reason");
	}
	cfg_free(&cfg);
	buf_release(&err);
}

static void
test_superadmins(void)
{
	struct config cfg;
	struct buf err;
	char text[512];
	size_t n;
	int i;

	buf_init(&err, 0);
	is_int(load_text(&cfg, "sa1.ini", "[access]\nsuperadmins =  1 ,\t2,3  \n", &err, NULL), 0,
	    "ids with blanks around them");
	is_int(cfg.nsuperadmins, 3, "three ids");
	ok(cfg_is_superadmin(&cfg, 2) && !cfg_is_superadmin(&cfg, 0), "2 yes, 0 no");
	cfg_free(&cfg);

	is_int(load_text(&cfg, "sa2.ini", "[access]\nsuperadmins = 0\n", &err, NULL), -1,
	    "user id 0 refused");
	cfg_free(&cfg);
	is_int(load_text(&cfg, "sa3.ini", "[access]\nsuperadmins = 1,,2\n", &err, NULL), -1,
	    "an empty item refused");
	cfg_free(&cfg);
	is_int(load_text(&cfg, "sa4.ini", "[access]\nsuperadmins = 1 2\n", &err, NULL), -1,
	    "ids without commas refused");
	cfg_free(&cfg);
	is_int(load_text(&cfg, "sa5.ini", "[access]\nsuperadmins = 12x\n", &err, NULL), -1,
	    "junk after digits refused");
	is_int(cfg.nsuperadmins, 0, "a refused list leaves the old one");
	cfg_free(&cfg);

	n = (size_t)snprintf(text, sizeof(text), "[access]\nsuperadmins = ");
	for (i = 1; i <= CFG_MAX_IDS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%d", i > 1 ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "\n");
	is_int(load_text(&cfg, "sa6.ini", text, &err, NULL), 0, "CFG_MAX_IDS ids accepted");
	is_int(cfg.nsuperadmins, CFG_MAX_IDS, "all of them kept");
	cfg_free(&cfg);

	n = (size_t)snprintf(text, sizeof(text), "[access]\nsuperadmins = ");
	for (i = 1; i <= CFG_MAX_IDS + 1; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%d", i > 1 ? "," : "", i);
	snprintf(text + n, sizeof(text) - n, "\n");
	{
		const char *path;
		char want[128];

		is_int(load_text(&cfg, "sa7.ini", text, &err, &path), -1, "one id too many refused");
		snprintf(want, sizeof(want), "[access] superadmins: too many ids (at most %d)",
		    CFG_MAX_IDS);
		ok(has_error(&err, path, 2, want), "too many ids, with the maximum");
	}
	cfg_free(&cfg);
	buf_release(&err);
}

static void
test_token(void)
{
	static const char secret[] = "987654321:SECRETsecret_token-XYZ";
	struct config cfg;
	struct buf err;
	const char *path;
	char text[512];

	buf_init(&err, 0);
	unsetenv("BACKOFFICE_TELEGRAM_TOKEN");

	/* env beats the token and the token file */
	path = write_file("tok-env", "111:FILEtoken\n", 0600);
	snprintf(text, sizeof(text), "[telegram]\ntoken = 222:CONFIGtoken\ntoken_file = %s\n",
	    path);
	is_int(load_text(&cfg, "tok1.ini", text, &err, NULL), 0, "token keys load");
	setenv("BACKOFFICE_TELEGRAM_TOKEN", "333:ENVtoken", 1);
	is_int(cfg_resolve_token(&cfg, &err), 0, "token resolves");
	is_str(cfg.token, "333:ENVtoken", "the environment wins");
	unsetenv("BACKOFFICE_TELEGRAM_TOKEN");
	cfg_free(&cfg);

	/* then [telegram] token over token_file */
	is_int(load_text(&cfg, "tok2.ini", text, &err, NULL), 0, "token keys load again");
	is_int(cfg_resolve_token(&cfg, &err), 0, "token resolves without env");
	is_str(cfg.token, "222:CONFIGtoken", "token beats token_file");
	cfg_free(&cfg);

	/* a 0600 token file: first line, trimmed */
	path = write_file("tok-600", "  123456:ABCdef-ghi_jkl \t\r\nsecond line\n", 0600);
	snprintf(text, sizeof(text), "[telegram]\ntoken_file = %s\n", path);
	load_text(&cfg, "tok3.ini", text, &err, NULL);
	is_int(cfg_resolve_token(&cfg, &err), 0, "a 0600 token file is accepted");
	is_str(cfg.token, "123456:ABCdef-ghi_jkl", "first line, trimmed");
	cfg_free(&cfg);

	/* a 0644 token file is refused, with the file named and no token in the message */
	path = write_file("tok-644", secret, 0644);
	snprintf(text, sizeof(text), "[telegram]\ntoken_file = %s\n", path);
	load_text(&cfg, "tok4.ini", text, &err, NULL);
	buf_reset(&err);
	is_int(cfg_resolve_token(&cfg, &err), -1, "a 0644 token file is refused");
	ok(strstr(err.ptr, path) != NULL && strstr(err.ptr, "0644") != NULL &&
	    strstr(err.ptr, "chmod 600") != NULL, "the message names the file, mode and fix");
	ok(strstr(err.ptr, "SECRET") == NULL, "the message does not contain the token");
	is_str(cfg.token, "", "no token taken");
	cfg_free(&cfg);

	/* a config file holding the token must be private too, as a token file is */
	snprintf(text, sizeof(text), "[telegram]\ntoken = %s\n", secret);
	path = write_file("tok-cfg-644.ini", text, 0644);
	cfg_defaults(&cfg);
	buf_reset(&err);
	is_int(cfg_load(&cfg, path, &err), 0, "a 0644 config holding the token loads");
	is_int(cfg_resolve_token(&cfg, &err), -1, "  but its token is refused");
	ok(strstr(err.ptr, path) != NULL && strstr(err.ptr, "mode 0644") != NULL,
	    "  the message names the file and its mode");
	ok(strstr(err.ptr, "chmod 600") != NULL && strstr(err.ptr, "token_file") != NULL &&
	    strstr(err.ptr, "BACKOFFICE_TELEGRAM_TOKEN") != NULL,
	    "  and says what to do (chmod 600, token_file or the environment)");
	ok(strstr(err.ptr, "SECRET") == NULL, "  without the token in it");
	setenv("BACKOFFICE_TELEGRAM_TOKEN", "333:ENVtoken", 1);
	buf_reset(&err);
	is_int(cfg_resolve_token(&cfg, &err), -1,
	    "  refused with the environment's token too (the file still exposes one)");
	unsetenv("BACKOFFICE_TELEGRAM_TOKEN");
	cfg_free(&cfg);
	chmod(path, 0640);
	cfg_defaults(&cfg);
	buf_reset(&err);
	cfg_load(&cfg, path, &err);
	is_int(cfg_resolve_token(&cfg, &err), -1, "a 0640 config holding the token is refused");
	cfg_free(&cfg);
	chmod(path, 0600);
	cfg_defaults(&cfg);
	buf_reset(&err);
	cfg_load(&cfg, path, &err);
	is_int(cfg_resolve_token(&cfg, &err), 0, "at 0600 it is accepted");
	is_str(cfg.token, secret, "  with its token");
	cfg_free(&cfg);
	path = write_file("notok-644.ini", "[general]\nlanguage = en\n", 0644);
	cfg_defaults(&cfg);
	buf_reset(&err);
	cfg_load(&cfg, path, &err);
	setenv("BACKOFFICE_TELEGRAM_TOKEN", "333:ENVtoken", 1);
	is_int(cfg_resolve_token(&cfg, &err), 0, "a 0644 config without a token is fine");
	unsetenv("BACKOFFICE_TELEGRAM_TOKEN");
	cfg_free(&cfg);

	/* tokens that do not look like one are refused without being echoed */
	load_text(&cfg, "tok5.ini", "[telegram]\ntoken = SECRETnocolon\n", &err, NULL);
	buf_reset(&err);
	is_int(cfg_resolve_token(&cfg, &err), -1, "a token without ':' is refused");
	ok(strstr(err.ptr, "SECRET") == NULL && strstr(err.ptr, "does not look like") != NULL,
	    "refused without echoing it");
	cfg_free(&cfg);
	path = write_file("tok-space", "123:SECRET with space\n", 0600);
	snprintf(text, sizeof(text), "[telegram]\ntoken_file = %s\n", path);
	load_text(&cfg, "tok6.ini", text, &err, NULL);
	buf_reset(&err);
	is_int(cfg_resolve_token(&cfg, &err), -1, "a token with a blank inside is refused");
	ok(strstr(err.ptr, "SECRET") == NULL, "refused without echoing it");
	cfg_free(&cfg);

	/* no token anywhere */
	load_text(&cfg, "tok7.ini", "[telegram]\n", &err, NULL);
	is_int(cfg_resolve_token(&cfg, &err), -1, "no token is an error");
	ok(strstr(err.ptr, "BACKOFFICE_TELEGRAM_TOKEN") != NULL, "the message says where to put it");
	cfg_free(&cfg);

	/* errors elsewhere never echo the token, even when it is put under a wrong key */
	snprintf(text, sizeof(text), "[telegram]\ntoken = %s\npoll_timeout = %s\nmode = %s\n"
	    "tokne = %s\n[chats]\nteam = %s\n[access]\nsuperadmins = %s\n[telegram]\n"
	    "token = %s\n", secret, secret, secret, secret, secret, secret, secret);
	is_int(load_text(&cfg, "tok8.ini", text, &err, NULL), -1, "misplaced tokens refused");
	is_int(count_lines(err.ptr), 6, "six errors");
	ok(strstr(err.ptr, "SECRET") == NULL && strstr(err.ptr, "987654321") == NULL,
	    "no error message contains the token");
	if (strstr(err.ptr, "SECRET") != NULL)
		printf("# %s", err.ptr);
	cfg_free(&cfg);
	buf_release(&err);
}

int
main(void)
{
	if (testdb_setup("config", NULL) == -1)
		return 1;
	test_table_and_defaults();
	test_example();
	test_demo();
	test_good_file();
	test_errors();
	test_superadmins();
	test_token();
	cleanup();
	return done_testing();
}
