#!/usr/bin/env python3
# 050-cli.t — the command line, check-config, token resolution, a rejected token, the single
# instance lock, SIGHUP reload, file modes of the data, demo-seed.
import os
import re
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

WRONG = "999:WRONGSECRETwrongsecret"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def menu_of(fake, uid):
    for c in fake.commands():
        if c["scope"] == {"type": "chat", "chat_id": uid}:
            return {x["command"] for x in c["commands"]}
    return None


def write(path, text, perm=0o600):
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, perm)
    return path


# --- usage, version, bad usage ---
with Bot(None) as cli:
    r = cli.run_cli(["--help"], conf=False)
    is_eq(r.rc, 0, "--help exits 0")
    ok(all(re.search(r"(?m)^\s+%s\b" % c, r.stdout) for c in ("run", "console", "check-config", "demo-seed"))
       and r.stdout.startswith("usage: backoffice"), "--help prints the usage with run, console, check-config, demo-seed",
       r.stdout)
    r = cli.run_cli(["-h"], conf=False)
    ok(r.rc == 0 and r.stdout.startswith("usage:"), "-h too")
    r = cli.run_cli(["--version"], conf=False)
    is_eq((r.rc, r.stdout), (0, "backoffice 0.1.0\n"), "--version: 'backoffice 0.1.0', exit 0")
    r = cli.run_cli(["frobnicate"])
    is_eq(r.rc, 2, "an unknown command exits 2")
    like(r.stderr, r"unknown command 'frobnicate'", "and says so")
    r = cli.run_cli(["check-config", "extra"])
    is_eq(r.rc, 2, "an extra argument exits 2")
    like(r.stderr, r"unexpected argument 'extra'", "and names it")
    r = cli.run_cli(["--frobnicate", "check-config"])
    is_eq(r.rc, 2, "an unknown option exits 2")
    like(r.stderr, r"usage:", "and prints the usage to stderr")
    r = cli.run_cli(["demo-seed", "--partners", "lots"])
    is_eq(r.rc, 2, "a bad --partners value exits 2")

    # --- check-config ---
    r = cli.run_cli(["check-config"])
    is_eq((r.rc, r.stdout), (0, "configuration OK\n"), "check-config on the harness config: 'configuration OK'")

    path = cli.conf_path
    cli.write_config(text="[telegram]\ntoken = %s\n; a comment\n\nsurprise = 1\n" % TOKEN)
    r = cli.run_cli(["check-config"])
    is_eq(r.rc, 2, "an unknown key: exit 2")
    like(r.stderr, r"^%s:5: unknown key 'surprise' in \[telegram\]" % re.escape(path), "FILE:5: names the key and line")
    unlike(r.stdout, r"configuration OK", "and no 'configuration OK'")

    cli.write_config(text="[telegram]\ntoken = %s\npoll_timeout = 999\n" % TOKEN)
    r = cli.run_cli(["check-config"])
    is_eq(r.rc, 2, "poll_timeout = 999: exit 2")
    like(r.stderr, r"%s:3: \[telegram\] poll_timeout: 999 is out of range 1\.\.50" % re.escape(path),
         "the line and the range")

    cli.write_config(text="[telegram]\ntoken = %s\npoll_timeout = 0\nmode = carrier-pigeon\n"
                          "[access]\nsuperadmins = 1, -2\n[nosuch]\nkey = 1\n[limits]\nchat_burst = many\n"
                          "[telegram]\npoll_timeout = 5\n" % TOKEN)
    r = cli.run_cli(["check-config"])
    is_eq(r.rc, 2, "several errors: exit 2")
    lines = [int(m) for m in re.findall(r"(?m)^%s:(\d+): " % re.escape(path), r.stderr)]
    is_eq(lines, [3, 4, 6, 7, 10, 12], "every error is reported, each with its line", )
    like(r.stderr, r":12: duplicate key 'poll_timeout' in \[telegram\] \(first set on line 3\)", "a duplicate key")
    unlike(r.stderr, re.escape(TOKEN), "the token is not echoed")

    cli.write_config(text="[telegram]\ntoken = %s\n" % TOKEN)
    r = cli.run_cli(["-c", os.path.join(cli.dir, "nope.ini"), "check-config"], conf=False)
    is_eq(r.rc, 2, "a missing config file: exit 2")
    like(r.stderr, r"nope\.ini: cannot open", "and says it cannot open it")

    example = os.path.join(ROOT, "config.example.ini")
    r = cli.run_cli(["-c", example, "check-config"], conf=False, env={"BACKOFFICE_TELEGRAM_TOKEN": TOKEN})
    is_eq((r.rc, r.stdout.strip()), (0, "configuration OK"),
          "config.example.ini with the token from BACKOFFICE_TELEGRAM_TOKEN passes check-config")
    r = cli.run_cli(["-c", example, "check-config"], conf=False)
    is_eq(r.rc, 2, "config.example.ini without a token: exit 2")
    like(r.stderr, r"no telegram token", "no telegram token")

with Fake() as fake:
    # --- token resolution ---
    with Bot(fake, config={"telegram": {"token": None}}) as bot:
        r = bot.run_cli(["run"], timeout=10)
        is_eq(r.rc, 2, "no token anywhere: run exits 2")
        like(r.stderr, r"no telegram token: set BACKOFFICE_TELEGRAM_TOKEN", "with a message saying where to put it")
        is_eq(fake.requests("getMe"), [], "and never calls Telegram")

        tf = write(os.path.join(bot.dir, "token"), TOKEN + "\n", 0o644)
        bot.write_config({"telegram": {"token_file": tf}})
        r = bot.run_cli(["run"], timeout=10)
        is_eq(r.rc, 2, "token_file with mode 0644 is refused (exit 2)")
        like(r.stderr, r"token file is accessible by group or others \(mode 0644\)", "the message names the mode")
        ok("TOKEN123456" not in r.stderr + r.stdout, "the token text is not printed")
        r = bot.run_cli(["check-config"])
        is_eq(r.rc, 2, "check-config refuses it too")

        os.chmod(tf, 0o600)
        bot.start()
        ok(bot.alive(), "token_file with mode 0600: the bot starts and polls")
        fake.message(SUPERADMIN, "/whoami")
        like((fake.wait_sent(SUPERADMIN, 1) or [{}])[-1].get("plain"), r"суперадмин", "and answers")
        is_eq(bot.stop(), 0, "stops cleanly")

    # a config file holding the token is refused when others can read it, as a token_file is
    with Bot(fake) as bot:
        is_eq(mode(bot.conf_path), 0o600, "the harness writes its config (with the token) 0600")
        os.chmod(bot.conf_path, 0o644)
        seq = fake.last_seq()
        r = bot.run_cli(["run"], timeout=10)
        is_eq(r.rc, 2, "a 0644 config holding the token: run exits 2")
        like(r.stderr, r"%s: holds \[telegram\] token and is accessible by group or others \(mode 0644\)"
             % re.escape(bot.conf_path), "  naming the file and its mode")
        like(r.stderr, r"chmod 600 .*token_file .*BACKOFFICE_TELEGRAM_TOKEN", "  and saying what to do")
        ok("TOKEN123456" not in r.stderr + r.stdout, "  without printing the token")
        is_eq(fake.requests("getMe", seq), [], "  and never calls Telegram")
        r = bot.run_cli(["check-config"])
        is_eq((r.rc, r.stdout), (2, ""), "check-config fails on it too")
        like(r.stderr, r"mode 0644", "  with the same message")
        os.chmod(bot.conf_path, 0o600)
        r = bot.run_cli(["check-config"])
        is_eq((r.rc, r.stdout), (0, "configuration OK\n"), "after chmod 600: configuration OK")

    with Bot(fake, config={"telegram": {"token": WRONG}}, env={"BACKOFFICE_TELEGRAM_TOKEN": TOKEN}) as bot:
        seq = fake.last_seq()
        bot.start()
        ok(bot.alive(), "BACKOFFICE_TELEGRAM_TOKEN wins over a wrong token in the file: the bot starts")
        ok(all(r.get("token_ok", True) for r in fake.requests(since=seq)), "every call used the env token")
        is_eq(bot.stop(), 0, "stops cleanly")

    # --- a token Telegram rejects ---
    with Bot(fake, config={"telegram": {"token": WRONG}}) as bot:
        seq = fake.last_seq()
        bot.start(wait=False)
        rc = bot.wait_exit(10)
        is_eq(rc, 1, "a wrong token: getMe gets 401 and the bot exits 1")
        got = fake.requests(since=seq)
        ok(got and got[0]["status"] == 401 and got[0]["method"] == "getMe", "the fake answered 401 to getMe",
           "requests: %r" % got[:3])
        log = bot.log()
        like(log, r"error: telegram rejected the token \(401 Unauthorized\)", "a clear message about the token")
        ok(WRONG not in log and "WRONGSECRET" not in log, "the message does not contain the token")

    # --- single instance ---
    with Bot(fake) as bot:
        bot.start()
        with Bot(fake, data_dir=bot.dir) as second:
            second.start(wait=False)
            is_eq(second.wait_exit(10), 1, "a second instance on the same data directory exits 1")
            like(second.log(), r"another instance is running", "saying 'another instance'")
        ok(bot.alive(), "the first keeps running")
        fake.message(SUPERADMIN, "/whoami")
        like((fake.wait_sent(SUPERADMIN, 2) or [{}])[-1].get("plain"), r"суперадмин", "and keeps answering")

        # --- files and directories are private ---
        is_eq(oct(mode(bot.db_path)), oct(0o600), "the database file is mode 0600")
        for d in ("tenants", "backups"):
            is_eq(oct(mode(os.path.join(bot.dir, d))), oct(0o700), "the %s directory is mode 0700" % d)
        is_eq(bot.stop(), 0, "stops cleanly")

    nested = Bot(fake)
    with nested as bot:
        base = os.path.join(bot.dir, "var", "lib")
        bot.write_config({"storage": {"database": os.path.join(base, "db", "bo.db"),
                                      "tenants_dir": os.path.join(base, "t1", "tenants"),
                                      "backups_dir": os.path.join(base, "b1", "backups")}})
        os.makedirs(os.path.join(base, "db"))
        bot.start()
        modes = {p: oct(mode(os.path.join(base, p))) for p in ("t1", "t1/tenants", "b1", "b1/backups")}
        is_eq(modes, {p: oct(0o700) for p in modes}, "nested data directories are created mode 0700")
        is_eq(oct(mode(os.path.join(base, "db", "bo.db"))), oct(0o600), "a database in a new place: mode 0600")
        is_eq(oct(mode(os.path.join(base, "db", "bo.db.lock"))), oct(0o600), "the lock file: mode 0600")
        is_eq(bot.stop(), 0, "stops cleanly")

    # --- SIGHUP reload ---
    with Bot(fake, config={"access": {"superadmins": "111"}}) as bot:
        bot.start()
        fake.message(777, "/whoami")
        like((fake.wait_sent(777, 1) or [{}])[-1].get("plain"), r"доступ только для сотрудников",
             "777 is refused before the reload")
        is_eq(menu_of(fake, 777), None, "777 has no command menu of their own")
        bot.write_config({"access": {"superadmins": "111,777"}})
        bot.signal(signal.SIGHUP)
        ok(wait_for(lambda: "configuration reloaded" in bot.log(), 5), "SIGHUP: configuration reloaded (logged)")
        fake.message(777, "/whoami")
        got = fake.wait_sent(777, 2)
        like(got[-1]["plain"] if len(got) > 1 else "", r"суперадмин", "after the reload 777's /whoami: суперадмин")
        ok(wait_for(lambda: "whoami" in (menu_of(fake, 777) or set()), 5),
           "after the reload 777's command menu (scope chat 777) includes whoami", "menu: %r" % menu_of(fake, 777))
        is_eq(len([r for r in fake.requests("setMyCommands", bot.start_seq)
                   if r["params"].get("scope") == {"type": "chat", "chat_id": SUPERADMIN}]), 1,
              "the unchanged menu of 111 was not sent again")

        bot.write_config(text=open(bot.conf_path).read() + "\n[access]\nsuperadmins = oops\n")
        bot.signal(signal.SIGHUP)
        ok(wait_for(lambda: "reload: configuration has errors" in bot.log(), 5),
           "a broken config on SIGHUP: an error is logged")
        like(bot.log(), r"error: reload: configuration has errors.*", "at error level")
        ok(bot.alive(), "and the bot keeps running")
        fake.message(777, "/whoami")
        got = fake.wait_sent(777, 3)
        like(got[-1]["plain"] if len(got) > 2 else "", r"суперадмин", "with the old configuration")

        # Taking someone off the list takes the right away: config superadmins are never stored.
        bot.write_config({"access": {"superadmins": "111"}})
        bot.signal(signal.SIGHUP)
        ok(wait_for(lambda: bot.log().count("configuration reloaded") >= 2, 5),
           "SIGHUP with 777 removed: reloaded")
        fake.message(777, "/whoami")
        got = fake.wait_sent(777, 4)
        like(got[-1]["plain"] if len(got) > 3 else "", r"доступ только для сотрудников",
             "777 is refused once off the list")
        bot.restart()
        fake.message(777, "/whoami")
        got = fake.wait_sent(777, 5)
        like(got[-1]["plain"] if len(got) > 4 else "", r"доступ только для сотрудников",
             "and stays refused after a restart")
        is_eq(bot.sql_value("SELECT count(*) FROM member_roles WHERE user_id = 777"), 0,
              "no role was ever stored for a config superadmin")
        is_eq(bot.stop(), 0, "stops cleanly")

# --- demo-seed ---
with Bot(None) as bot:
    ok(not os.path.exists(bot.db_path), "a fresh data directory has no database")
    r = bot.run_cli(["demo-seed"])
    is_eq(r.rc, 0, "demo-seed on a fresh database exits 0")
    like(r.stdout, r"5 team members", "and says what it made")
    is_eq(bot.sql_value("SELECT count(*) FROM members"), 5, "5 team members")
    is_eq(bot.sql_value("SELECT count(DISTINCT role) FROM member_roles"), 5, "holding all 5 roles")
    r = bot.run_cli(["demo-seed"])
    is_eq((r.rc, bot.sql_value("SELECT count(*) FROM members")), (0, 5), "demo-seed again: still 5 (idempotent)")
    is_eq(oct(mode(bot.db_path)), oct(0o600), "the demo database is mode 0600")

done()
