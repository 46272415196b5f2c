#!/usr/bin/env python3
# 900-alerts.t — an alert's buttons end to end. An open episode and the outbox row that posted
# it are written into a stopped bot's database, with the posted message placed in the fake team
# group as the bot would have sent it; then the real bot runs and people press the buttons in
# the group: «Принять», «Отложить 1 д», «Беру» edit the message to show who did what (recorded
# on the alert and in the audit log), «Карточка» sends the partner's card to the presser's
# private chat and never into the group (support meets the card's own ticket rule there),
# strangers are refused, a member whose roles the kind is not for is refused (902-alert-roles.t
# has every kind and role), and /alerts lists the episode. (The engine itself — one post, edits
# by reference, resolution — is tests/unit/alerts_engine.c; the scans that raise alerts are the
# monitoring tests'.)
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

TEAM = -100123
ADMIN = SUPERADMIN
IGOR = 100000002          # demo: support
OLGA = 100000003          # demo: developer
STRANGER = 555000111


with Fake() as fake, Bot(fake, config={"chats": {"team": TEAM}}) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    pid, pname = bot.sql("SELECT id, name FROM partners WHERE length(inn) = 10 ORDER BY id LIMIT 1")[0]

    # The post, as the bot would have sent it when the episode opened. Its kind is one no scan
    # manages here (a dormant episode would be resolved by the real dormant scan at start-up;
    # the CRM is probed only with a [monitoring] crm_health_url), and it names a partner, so
    # that it has a card button. The crm kind is the developers' (and superadmins').
    text = "CRM партнёра <b>%s</b> не отвечает 15 минут" % pname.replace("&", "&amp;").replace("<", "&lt;")
    now = int(time.time())
    with sqlite_rw(bot.db_path) as db:
        cur = db.execute("INSERT INTO alerts(kind, key, partner_id, state, level, text, chat_id,"
                         " opened_at, updated_at) VALUES ('crm', ?, ?, 0, 1, ?, ?, ?, ?)",
                         ("crm:%d" % pid, pid, text, TEAM, now - 3600, now - 3600))
        aid = cur.lastrowid
    kb = {"inline_keyboard": [
        [{"text": "Карточка", "callback_data": "alc:%d" % aid},
         {"text": "Принять", "callback_data": "ala:%d" % aid},
         {"text": "Беру", "callback_data": "alm:%d" % aid}],
        [{"text": "Отложить 1 д", "callback_data": "als:%d:1" % aid},
         {"text": "Отложить 7 д", "callback_data": "als:%d:7" % aid}]]}
    status, body, _ = fake.api("sendMessage", {"chat_id": TEAM, "text": "⚠️ " + text,
                                                "parse_mode": "HTML", "reply_markup": kb})
    is_eq(status, 200, "the fake group holds the alert's message")
    mid = body["result"]["message_id"]
    with sqlite_rw(bot.db_path) as db:
        ms = int(time.time() * 1000)
        cur = db.execute("INSERT INTO outbox(chat_id, is_group, method, payload, state, next_at,"
                         " created_at, sent_at, finished_at, tg_message_id)"
                         " VALUES (?, 1, 'sendMessage', ?, 2, ?, ?, ?, ?, ?)",
                         (TEAM, json.dumps({"text": "⚠️ " + text, "parse_mode": "HTML",
                                            "reply_markup": kb}), ms, ms, ms, ms, mid))
        db.execute("UPDATE alerts SET outbox_id = ? WHERE id = ?", (cur.lastrowid, aid))

    bot.start()

    # The configuration superadmin writes once, so the team knows his name.
    fake.message(ADMIN, "/whoami", first_name="Сергей")
    fake.wait_sent(ADMIN, 1)

    def group_msg():
        for m in fake.sent(TEAM):
            if m["message_id"] == mid:
                return m
        return None

    def press(uid, data, edits_before, first_name=None):
        extra = {"first_name": first_name} if first_name else {}
        cb = fake.callback(uid, mid, data, chat_id=TEAM, **extra)
        ok(cb["matched"], "%s is a button of the message" % data)
        ok(fake.wait_answered(cb["callback_query_id"]), "the press of %s is answered" % data)
        return fake.wait_edits(TEAM, mid, edits_before + 1)

    def audits(action):
        return bot.sql("SELECT actor, partner_id, detail FROM audit_log WHERE action = ? ORDER BY id",
                       (action,))

    # «Принять»
    m = press(ADMIN, "ala:%d" % aid, 0)
    ok(m is not None, "«Принять» edits the message")
    like(m and m["plain"], r"Принято: Сергей", "the message shows who acknowledged it")
    like(m and m["plain"], r"не отвечает 15 минут", "the alert's text stays")
    ok(data_of(m, r"^Принять$") and data_of(m, r"^Карточка$"), "the buttons stay")
    row = bot.sql("SELECT acked_by, acked_at FROM alerts WHERE id = ?", (aid,))[0]
    ok(row[0] == ADMIN and abs(row[1] - time.time()) < 60, "the alert records who and when")
    a = audits("alert.ack")
    ok(len(a) == 1 and a[0][0] == ADMIN and a[0][1] == pid, "audited as alert.ack with the partner", a)

    # «Отложить 1 д»
    m = press(ADMIN, "als:%d:1" % aid, 1)
    like(m and m["plain"], r"Принято: Сергей · отложено до \d\d\.\d\d \d\d:\d\d",
         "the message shows the snooze")
    row = bot.sql("SELECT snoozed_until, snoozed_by FROM alerts WHERE id = ?", (aid,))[0]
    ok(abs(row[0] - (time.time() + 86400)) < 60 and row[1] == ADMIN, "snoozed for a day, by whom")
    a = audits("alert.snooze")
    ok(len(a) == 1 and a[0][0] == ADMIN and a[0][1] == pid and "1 d" in a[0][2],
       "audited as alert.snooze", a)

    # «Беру», by the superadmin and then by a developer; support may not take a CRM episode
    m = press(ADMIN, "alm:%d" % aid, 2)
    like(m and m["plain"], r"ответственный: Сергей", "the message shows the assignee")
    m = press(OLGA, "alm:%d" % aid, 3)
    like(m and m["plain"], r"ответственный: Ольга Кузнецова", "a developer takes it over")
    is_eq(bot.sql_value("SELECT assigned_to FROM alerts WHERE id = ?", (aid,)), OLGA,
          "the alert records the assignee")
    is_eq([r[0] for r in audits("alert.assign")], [ADMIN, OLGA], "both presses audited")
    cb = fake.callback(IGOR, mid, "alm:%d" % aid, chat_id=TEAM)
    ans = fake.wait_answered(cb["callback_query_id"])
    like(ans and ans["answers"][0].get("text") or "", r"^⛔ Недостаточно прав: это для ролей: суперадмин, разработчик$",
         "support's «Беру» in the group is refused, naming who may")
    time.sleep(0.5)
    is_eq(len(group_msg()["edits"]), 4, "the message is not edited")
    is_eq(bot.sql_value("SELECT assigned_to FROM alerts WHERE id = ?", (aid,)), OLGA, "the assignee stays")

    # «Карточка»: to the presser's private chat, never into the group
    group_before = len(fake.sent(TEAM))
    edits_before = len(group_msg()["edits"])
    private_before = len(fake.sent(ADMIN))
    cb = fake.callback(ADMIN, mid, "alc:%d" % aid, chat_id=TEAM)
    fake.wait_answered(cb["callback_query_id"])
    got = fake.wait_sent(ADMIN, private_before + 1)
    ok(len(got) > private_before, "the card arrives in the superadmin's private chat")
    card = got[-1] if len(got) > private_before else {}
    like(card.get("plain", ""), re.escape(pname), "it is the partner's card")
    ok(data_of(card, r"История"), "with the card's own buttons")
    time.sleep(0.5)
    is_eq(len(fake.sent(TEAM)), group_before, "nothing new in the group")
    is_eq(len(group_msg()["edits"]), edits_before, "and the alert message is not touched")
    ok(any(r[1] == pid for r in bot.sql("SELECT actor, partner_id FROM audit_log WHERE action ="
                                           " 'partner.view' AND actor = ?", (ADMIN,))),
       "the card view is audited as usual")

    # support: the card's ticket rule applies, in private
    igor_before = len(fake.sent(IGOR))
    cb = fake.callback(IGOR, mid, "alc:%d" % aid, chat_id=TEAM)
    fake.wait_answered(cb["callback_query_id"])
    got = fake.wait_sent(IGOR, igor_before + 1)
    ok(len(got) > igor_before, "support gets an answer in the private chat")
    like(got[-1]["plain"] if len(got) > igor_before else "", r"только по тикету",
         "the card opens to support only for a ticket")
    is_eq(len(fake.sent(TEAM)), group_before, "still nothing new in the group")

    # a stranger is refused
    acks = len(audits("alert.ack"))
    cb = fake.callback(STRANGER, mid, "ala:%d" % aid, chat_id=TEAM)
    ans = fake.wait_answered(cb["callback_query_id"])
    ok(ans and re.search(r"Недостаточно прав", ans["answers"][0].get("text") or ""),
       "a stranger's press is refused")
    time.sleep(0.5)
    is_eq(len(group_msg()["edits"]), edits_before, "the message is not edited")
    is_eq(len(audits("alert.ack")), acks, "nothing recorded")
    is_eq(bot.sql_value("SELECT acked_by FROM alerts WHERE id = ?", (aid,)), ADMIN,
          "the acknowledgement stays the superadmin's")

    # /alerts lists the open episode
    n = len(fake.sent(ADMIN))
    fake.message(ADMIN, "/alerts")
    got = fake.wait_sent(ADMIN, n + 1)
    t = got[-1]["plain"] if len(got) > n else ""
    like(t, r"Открытые тревоги", "/alerts answers")
    like(t, r"#%d · crm" % aid, "with the episode's id and kind")
    like(t, r"не отвечает 15 минут", "its text")
    like(t, r"ответственный: Ольга Кузнецова", "and its state")
    n = len(fake.sent(ADMIN))
    fake.message(ADMIN, "/alerts backlog")
    got = fake.wait_sent(ADMIN, n + 1)
    like(got[-1]["plain"] if len(got) > n else "", r"Открытых тревог нет", "/alerts backlog: none")

    is_eq(bot.stop(), 0, "SIGTERM exits 0")
done()
