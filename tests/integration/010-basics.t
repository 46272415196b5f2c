#!/usr/bin/env python3
# 010-basics.t — start-up order, the command menus, /start /help /whoami, hints, group addressing,
# HTML escaping, the persisted offset, SIGTERM during a held poll, the token kept out of the log.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

GROUP = -1001234567890
NASTY = '<b>&"</b>'


def texts(msgs):
    return [m["plain"] for m in msgs]


def scope_commands(fake, scope):
    for c in fake.commands():
        if c["scope"] == scope:
            return [x["command"] for x in c["commands"]]
    return None


with Fake() as fake, Bot(fake) as bot:
    bot.start()

    # --- start-up order: getMe, deleteWebhook, then getUpdates ---
    reqs = [r for r in fake.requests(since=bot.start_seq)]
    methods = [r["method"] for r in reqs]
    first = {m: methods.index(m) for m in ("getMe", "deleteWebhook", "getUpdates") if m in methods}
    ok(len(first) == 3 and first["getMe"] < first["deleteWebhook"] < first["getUpdates"],
       "start-up: getMe, then deleteWebhook, then getUpdates", "methods: %r" % methods[:10])
    is_eq(methods[0] if methods else None, "getMe", "the very first call is getMe")
    gu = fake.requests("getUpdates", bot.start_seq)[0]["params"]
    is_eq(gu.get("allowed_updates"), ["message", "callback_query", "my_chat_member"],
          "getUpdates names allowed_updates explicitly")
    is_eq(gu.get("timeout"), 1, "getUpdates long-polls with the configured poll_timeout")

    # --- the command menus ---
    ok(wait_for(lambda: scope_commands(fake, {"type": "chat", "chat_id": SUPERADMIN}) is not None
                and scope_commands(fake, {"type": "default"}) is not None, 10),
       "setMyCommands sent for the default scope and the superadmin's chat")
    is_eq(sorted(scope_commands(fake, {"type": "default"}) or []), ["help", "start"],
          "default scope: only start and help")
    sa_menu = scope_commands(fake, {"type": "chat", "chat_id": SUPERADMIN}) or []
    ok("whoami" in sa_menu and "start" in sa_menu and "help" in sa_menu,
       "superadmin's chat scope includes whoami", "menu: %r" % sa_menu)

    # --- /start, /help, /whoami from the superadmin ---
    fake.message(SUPERADMIN, "/start", first_name="Анна")
    sent = fake.wait_sent(SUPERADMIN, 1)
    is_eq(len(sent), 1, "/start: one reply")
    start_text = sent[0]["plain"] if sent else ""
    like(start_text, r"Здравствуйте, Анна", "/start greets in Russian by name")
    like(start_text, r"(?m)^/help", "/start lists the commands")
    like(start_text, r"(?m)^/whoami", "/start lists /whoami for the superadmin")
    is_eq(sent[0].get("parse_mode") if sent else None, "HTML", "replies use parse_mode HTML")

    fake.message(SUPERADMIN, "/help")
    sent = fake.wait_sent(SUPERADMIN, 2)
    help_text = sent[1]["plain"] if len(sent) > 1 else ""
    like(help_text, r"Команды", "/help: 'Команды'")
    listed = set(re.findall(r"(?m)^/([a-z0-9_]+)", help_text))
    ok({"help", "start", "whoami", "grant", "audit"} <= listed and "skip" not in listed,
       "/help lists the superadmin's commands, hidden ones not", "listed: %r" % sorted(listed))

    fake.message(SUPERADMIN, "/whoami", username="anna")
    sent = fake.wait_sent(SUPERADMIN, 3)
    who = sent[2]["plain"] if len(sent) > 2 else ""
    like(who, r"суперадмин", "/whoami names the role «суперадмин»")
    like(who, r"id 111\b", "/whoami shows the user id")
    like(who, r"@anna", "/whoami shows the username")

    # --- hints ---
    fake.message(SUPERADMIN, "/nosuchcommand")
    sent = fake.wait_sent(SUPERADMIN, 4)
    hint = sent[3]["plain"] if len(sent) > 3 else ""
    like(hint, r"Неизвестная команда /nosuchcommand", "unknown command: named back")
    like(hint, r"/help", "unknown command: hint names /help")

    fake.message(SUPERADMIN, "привет, бот")
    sent = fake.wait_sent(SUPERADMIN, 5)
    like(sent[4]["plain"] if len(sent) > 4 else "", r"/help", "plain text in private: a hint naming /help")

    # --- group chat: addressing ---
    base_group = len(fake.sent(GROUP))
    m_other = fake.message(SUPERADMIN, "/help@other_bot", chat_id=GROUP, chat_type="supergroup")
    m_chat = fake.message(SUPERADMIN, "hello team", chat_id=GROUP, chat_type="supergroup")
    m_bare_plain = fake.message(SUPERADMIN, "/ nothing", chat_id=GROUP, chat_type="supergroup")
    m_ours = fake.message(SUPERADMIN, "/help@backoffice_bot", chat_id=GROUP, chat_type="supergroup")
    gsent = fake.wait_sent(GROUP, base_group + 1)
    new = gsent[base_group:]
    ok(len(new) >= 1 and re.search(r"Команды", new[0]["plain"]),
       "/help@backoffice_bot answers into the group")
    is_eq(new[0]["reply_to_message_id"] if new else None, m_ours["message_id"],
          "the group reply quotes the command's message")
    time.sleep(0.5)   # anything queued for the earlier messages would have been sent before ours
    is_eq(len(fake.sent(GROUP)) - base_group, 1,
          "/help@other_bot, chatter and a bare '/' got nothing in the group")
    ok(fake.wait_confirmed(m_other["update_id"]) and fake.wait_confirmed(m_chat["update_id"]),
       "the ignored group updates were consumed")

    # --- HTML escaping ---
    n = len(fake.sent(SUPERADMIN))
    fake.message(SUPERADMIN, "/x<y")
    sent = fake.wait_sent(SUPERADMIN, n + 1)
    got = sent[n]["plain"] if len(sent) > n else ""
    like(got, r"Неизвестная команда /x<y\.", "unknown command '/x<y' is echoed back escaped")
    ok(len(sent) > n and "&lt;" in sent[n]["text"] and "/x<y" not in sent[n]["text"],
       "the raw text carries &lt;, not a bare <")

    fake.message(SUPERADMIN, "/whoami " + NASTY, username=NASTY, first_name=NASTY)
    sent = fake.wait_sent(SUPERADMIN, n + 2)
    got = sent[n + 1]["plain"] if len(sent) > n + 1 else ""
    ok(NASTY in got and "@" + NASTY in got, "a username and name with <b>&\"</b> survive parse_mode HTML",
       "got: %r" % got)
    ok(len(sent) > n + 1 and "&amp;" in sent[n + 1]["text"] and "&lt;b&gt;" in sent[n + 1]["text"],
       "they were escaped (&amp;, &lt;b&gt;)")

    fake.message(SUPERADMIN, "/start " + NASTY, first_name='Ann & <i>Bob</i> "x"')
    sent = fake.wait_sent(SUPERADMIN, n + 3)
    got = sent[n + 2]["plain"] if len(sent) > n + 2 else ""
    like(got, re.escape('Здравствуйте, Ann & <i>Bob</i> "x"!'), "/start with a nasty first name and argument")

    failed_sends = [r for r in fake.requests("sendMessage", bot.start_seq) if r["status"] != 200]
    is_eq([(r["status"], r["description"]) for r in failed_sends], [],
          "no sendMessage was rejected (HTML always parsed)")
    all_sent = fake.sent()
    long_ones = [len(m["plain"]) for m in all_sent if len(m["plain"] or "") > 4096]
    ok(len(all_sent) >= 9 and not long_ones, "every reply's text is at most 4096 characters (%d replies)"
       % len(all_sent), "too long: %r" % long_ones)

    # --- the offset is persisted; a restart processes nothing twice ---
    last = fake.message(SUPERADMIN, "/whoami")
    n_before = len(fake.wait_sent(SUPERADMIN, n + 4))
    ok(fake.wait_confirmed(last["update_id"]), "the last update was confirmed")
    ok(wait_for(lambda: bot.sql_value("SELECT value FROM state WHERE key='tg_offset'") == last["update_id"] + 1, 5),
       "state.tg_offset = last update_id + 1",
       "tg_offset: %r, last: %r" % (bot.sql_value("SELECT value FROM state WHERE key='tg_offset'"),
                                   last["update_id"]))

    # Hold one update unconfirmed: the poll after it is stored breaks (connection closed), so
    # Telegram would send it again to a bot that forgot its offset.
    fake.fault("getUpdates", "close", count=1000)
    held = fake.message(SUPERADMIN, "/help")
    sent = fake.wait_sent(SUPERADMIN, n_before + 1)
    is_eq(len(sent), n_before + 1, "the held update was answered once")
    ok(wait_for(lambda: any(r["fault"] == "close" for r in fake.requests("getUpdates", bot.start_seq)), 5),
       "the poll confirming it failed (connection closed)")
    is_eq(fake.state()["pending_updates"], 1, "the fake still holds the update as unconfirmed")
    is_eq(bot.sql_value("SELECT value FROM state WHERE key='tg_offset'"), held["update_id"] + 1,
          "its offset was stored before Telegram was told")
    is_eq(bot.stop(), 0, "stopped while the update is unconfirmed")
    fake.clear_faults()
    seq = fake.last_seq()
    bot.start()
    first_poll = fake.requests("getUpdates", seq)[0]["params"]
    is_eq(first_poll.get("offset"), held["update_id"] + 1, "after the restart the first poll sends the stored offset")
    after = fake.message(SUPERADMIN, "/whoami")
    sent = fake.wait_sent(SUPERADMIN, n_before + 2)
    time.sleep(0.3)
    sent = fake.sent(SUPERADMIN)
    is_eq(len(sent), n_before + 2, "after the restart: only the new update was answered")
    like(sent[-1]["plain"] if sent else "", r"суперадмин", "the new reply is the /whoami answer")
    is_eq(bot.sql_value("SELECT count(*) FROM inbox WHERE update_id = ?", (held["update_id"],)), 1,
          "the held update is in the inbox once")
    is_eq(bot.sql_value("SELECT count(*) - count(DISTINCT update_id) FROM inbox WHERE update_id IS NOT NULL"), 0,
          "no update_id twice in the inbox")
    ok(fake.wait_confirmed(after["update_id"]), "polling goes on after the restart")

    unlike(bot.log(), r"TOKEN123456", "the token is not in the log (info level)")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

# SIGTERM while a long poll (20 s) is held; -v; the token is never logged.
with Fake() as fake, Bot(fake, config={"telegram": {"poll_timeout": 20}}) as bot:
    bot.start(args=("-v", "run"))
    ok(wait_for(lambda: fake.state()["held_polls"] == 1, 5), "a 20 s long poll is held")
    fake.message(SUPERADMIN, "/whoami")
    fake.wait_sent(SUPERADMIN, 1)
    ok(wait_for(lambda: fake.state()["held_polls"] == 1, 5), "the next long poll is held")
    time.sleep(0.3)
    rc = bot.stop()
    is_eq(rc, 0, "SIGTERM during a held poll exits 0")
    cmp_ok(bot.stop_seconds, "<", 2.0, "and within 2 seconds (%.2f s)" % (bot.stop_seconds or -1))
    log = bot.log()
    like(log, r"debug: tg: getUpdates", "-v logs every Bot API call (debug)")
    like(log, r"stopped", "the bot logged its stop")
    unlike(log, r"TOKEN123456", "the token is not in the -v log")
    unlike(bot.stdout(), r"TOKEN123456", "nor on stdout")

done()
