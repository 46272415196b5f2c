#!/usr/bin/env python3
# 300-access-requests.t — unknown users are refused (and logged), /start asks the superadmins for access,
# buttons are re-authorised on every press, decisions are final, and /help shows each role
# exactly the commands of the table below.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

GROUP = -1001234567890

# What /help lists for each role. A new command joins its roles' sets here.
EVERYONE = {"start", "help", "whoami", "cancel", "partners", "partner", "team", "alerts",
            "activity", "dormant", "volume", "top", "health"}
PLANS_READ = {"plans", "plan"}
PLANS_WRITE = {"plan_new", "plan_edit"}
BILLING_READ = {"subscription", "invoices", "invoice", "acts", "payments"}
BILLING_WRITE = {"subscribe", "plan_change", "autorenew", "cancel_subscription", "renew",
                 "invoice_void", "pay"}
ROLE_COMMANDS = {
    "superadmin": EVERYONE | {"partner_new", "partner_edit", "status", "access", "access_end",
                              "grant", "revoke", "audit", "audit_verify"} | PLANS_READ | PLANS_WRITE
                  | BILLING_READ | BILLING_WRITE,
    "support": EVERYONE | {"access", "access_end"} | BILLING_READ,
    "developer": EVERYONE,
    "billing": EVERYONE | {"partner_new", "partner_edit", "status", "access", "access_end"} | PLANS_READ
               | PLANS_WRITE | BILLING_READ | BILLING_WRITE,
    "manager": EVERYONE | PLANS_READ | BILLING_READ,
}
# The role's button on an access request and the name /whoami uses.
ROLE_TITLE = {"superadmin": "суперадмин", "support": "поддержка", "developer": "разработчик",
              "billing": "биллинг", "manager": "менеджер"}
# Users made members through the access-request flow below.
MEMBERS = {222: "support", 444: "developer", 555: "billing", 666: "manager"}


def help_commands(text):
    return set(re.findall(r"(?m)^/([a-z0-9_]+)", text or ""))


def buttons(msg):
    return [b["text"] for row in ((msg or {}).get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def button_data(msg, label):
    for row in ((msg or {}).get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if re.search(label, b["text"]):
                return b["callback_data"]
    return None


def say(fake, uid, text, n_before=None, **kw):
    """Sends text from uid in their private chat; returns the new replies (waits for one)."""
    if n_before is None:
        n_before = len(fake.sent(uid))
    fake.message(uid, text, **kw)
    return fake.wait_sent(uid, n_before + 1)[n_before:]


def last_text(fake, uid, n_before, what=""):
    got = fake.wait_sent(uid, n_before + 1)
    return got[-1]["plain"] if len(got) > n_before else ""


def barrier(fake):
    """The superadmin's /whoami and its reply: everything queued before it has been sent."""
    n = len(fake.sent(SUPERADMIN))
    fake.message(SUPERADMIN, "/whoami")
    got = fake.wait_sent(SUPERADMIN, n + 1)
    time.sleep(0.2)
    return len(got) > n


def user_roles(bot, uid):
    return sorted(r[0] for r in bot.sql("SELECT role FROM member_roles WHERE user_id = ?", (uid,)))


with Fake() as fake, Bot(fake) as bot:
    bot.start()

    # --- unknown users are refused politely, and it is logged ---
    for text in ("/help", "/whoami", "hello?"):
        got = say(fake, 222, text)
        ok(len(got) == 1 and re.search(r"доступ только для сотрудников", got[0]["plain"])
           and "/start" in got[0]["plain"], "unknown user's %r: a polite refusal mentioning /start" % text,
           "got: %r" % [m["plain"] for m in got])
    like(bot.log(), r"refused.*\b222\b", "the refusals are logged with the user id")
    is_eq(user_roles(bot, 222), [], "222 is not a member")

    # --- in a group an unknown user's command gets no reply ---
    nb = len(fake.sent(GROUP))
    fake.message(222, "/help@backoffice_bot", chat_id=GROUP, chat_type="supergroup")
    fake.message(222, "/start@backoffice_bot", chat_id=GROUP, chat_type="supergroup")
    mine = fake.message(SUPERADMIN, "/whoami@backoffice_bot", chat_id=GROUP, chat_type="supergroup")
    g = fake.wait_sent(GROUP, nb + 1)
    time.sleep(0.3)
    g = fake.sent(GROUP)[nb:]
    is_eq([m["reply_to_message_id"] for m in g], [mine["message_id"]],
          "in the group only the member's command was answered")
    is_eq(bot.sql_value("SELECT count(*) FROM access_requests"), 0, "/start in a group asks for nothing")

    # --- /start: the access request ---
    n111 = len(fake.sent(SUPERADMIN))
    got = say(fake, 222, "/start", username="vasya", first_name="Вася")
    like(got[0]["plain"] if got else "", r"Запрос доступа отправлен", "222 /start: 'Запрос доступа отправлен'")
    s111 = fake.wait_sent(SUPERADMIN, n111 + 1)
    req = s111[n111] if len(s111) > n111 else {}
    like(req.get("plain"), r"Запрос доступа", "111 gets the access request")
    like(req.get("plain"), r"Вася \(@vasya, id 222\)", "the request names the user")
    is_eq(buttons(req), ["поддержка", "разработчик", "биллинг", "менеджер", "✖️ Отклонить"],
          "buttons: the four roles and «Отклонить»")
    areq_id = bot.sql_value("SELECT id FROM access_requests WHERE user_id = 222 AND state = 0")
    ok(areq_id is not None, "a pending access request is stored")
    is_eq(button_data(req, "поддержка"), "areq_ok:%s:support" % areq_id, "the button carries the request id and role")

    got = say(fake, 222, "/start", username="vasya", first_name="Вася")
    like(got[0]["plain"] if got else "", r"уже ждёт", "a second /start: 'уже ждёт'")
    barrier(fake)
    is_eq(len([m for m in fake.sent(SUPERADMIN) if buttons(m)]), 1, "111 was not notified again")

    # --- a forged press by the requester himself ---
    own = fake.sent(222)[-1]["message_id"]
    seq = fake.last_seq()
    cb = fake.callback(222, own, "areq_ok:%s:support" % areq_id)
    ans = fake.wait_answered(cb["callback_query_id"])
    ok(ans is not None, "the forged press is answered")
    a0 = (ans or {"answers": [{}]})["answers"][0]
    ok(a0.get("show_alert") and re.search(r"Недостаточно прав", a0.get("text") or ""),
       "with an alert refusing it", "answer: %r" % a0)
    barrier(fake)
    is_eq(user_roles(bot, 222), [], "222 did not become a member")
    is_eq(bot.sql_value("SELECT state FROM access_requests WHERE id = ?", (areq_id,)), 0, "the request is still pending")
    is_eq([r["method"] for r in fake.requests("editMessageText", seq)], [], "nothing was edited")
    like(bot.log(), r"refused button 'areq_ok' for user 222", "the forged press is logged")

    # --- 111 approves as support ---
    n222 = len(fake.sent(222))
    seq = fake.last_seq()
    cb = fake.press(SUPERADMIN, SUPERADMIN, req, "^поддержка$")
    ok(cb["matched"], "111 presses «поддержка»")
    edited = fake.wait_edits(SUPERADMIN, req["message_id"], 1)
    like((edited or {}).get("plain"), r"Доступ выдан: Вася \(@vasya, id 222\) — роль «поддержка»",
         "111's message is edited: access granted")
    is_eq(buttons(edited), [], "the edit removes the buttons")
    answers = fake.requests("answerCallbackQuery", seq)
    edits = fake.requests("editMessageText", seq)
    ok(answers and edits and answers[0]["seq"] < edits[0]["seq"],
       "answerCallbackQuery is called before editMessageText",
       "answers: %r edits: %r" % ([a["seq"] for a in answers], [e["seq"] for e in edits]))
    is_eq((answers[0]["params"].get("callback_query_id") if answers else None), cb["callback_query_id"],
          "the answer is for this press")
    like(last_text(fake, 222, n222), r"Доступ открыт, ваша роль — «поддержка»", "222 gets «Доступ открыт»")
    is_eq(user_roles(bot, 222), ["support"], "222 is a member with the role support")

    def menu(uid):
        for c in fake.commands():
            if c["scope"] == {"type": "chat", "chat_id": uid}:
                return {x["command"] for x in c["commands"]}
        return None
    ok(wait_for(lambda: menu(222) is not None, 5), "setMyCommands for scope chat 222 was sent")
    ok("whoami" in (menu(222) or set()), "the menu of 222 contains whoami", "menu: %r" % menu(222))
    got = say(fake, 222, "/whoami")
    like(got[0]["plain"] if got else "", r"Роли: поддержка", "222's /whoami now answers «поддержка»")

    # --- the same request again: already decided ---
    seq = fake.last_seq()
    fake.callback(SUPERADMIN, req["message_id"], button_data(req, "разработчик"))
    edited = fake.wait_edits(SUPERADMIN, req["message_id"], 2)
    like((edited or {}).get("plain"), r"уже рассмотрен", "another button of the old request: «уже рассмотрен»")
    is_eq(user_roles(bot, 222), ["support"], "and the role did not change")

    # --- a button with an unknown verb ---
    seq = fake.last_seq()
    cb = fake.callback(SUPERADMIN, req["message_id"], "nosuch:1")
    ans = fake.wait_answered(cb["callback_query_id"])
    a0 = (ans or {"answers": [{}]})["answers"][0]
    ok(a0.get("show_alert") and re.search(r"Кнопка устарела", a0.get("text") or ""),
       "unknown verb: answered with the alert «Кнопка устарела»", "answer: %r" % a0)
    barrier(fake)
    calls = [r["method"] for r in fake.requests(since=seq) if r["method"] not in ("getUpdates",)]
    is_eq(calls, ["answerCallbackQuery", "sendMessage"], "nothing else was done for it (only the barrier's reply)")

    # --- 333 is denied ---
    n111 = len(fake.sent(SUPERADMIN))
    say(fake, 333, "/start", first_name="Пётр")
    s111 = fake.wait_sent(SUPERADMIN, n111 + 1)
    req333 = s111[-1] if len(s111) > n111 else {}
    like(req333.get("plain"), r"id 333", "111 gets 333's request")
    n333 = len(fake.sent(333))
    fake.press(SUPERADMIN, SUPERADMIN, req333, "Отклонить")
    like(last_text(fake, 333, n333), r"отклонён", "333 gets «отклонён»")
    edited = fake.wait_edits(SUPERADMIN, req333["message_id"], 1)
    like((edited or {}).get("plain"), r"Запрос отклонён", "111's message says denied")
    is_eq(user_roles(bot, 333), [], "333 is not a member")
    got = say(fake, 333, "/whoami")
    like(got[0]["plain"] if got else "", r"доступ только для сотрудников", "333 is still refused")

    # --- more members, one per role ---
    for uid, role in MEMBERS.items():
        if uid == 222:
            continue
        n111 = len(fake.sent(SUPERADMIN))
        nu = len(fake.sent(uid))
        say(fake, uid, "/start")
        s111 = fake.wait_sent(SUPERADMIN, n111 + 1)
        r = s111[-1] if len(s111) > n111 else {}
        fake.press(SUPERADMIN, SUPERADMIN, r, "^%s$" % ROLE_TITLE[role])
        like(last_text(fake, uid, nu + 1), r"Доступ открыт, ваша роль — «%s»" % ROLE_TITLE[role],
             "%d became %s" % (uid, role))
        is_eq(user_roles(bot, uid), [role], "%d holds exactly the role %s" % (uid, role))

    # --- /help per role: exactly the table's commands ---
    for uid, role in [(SUPERADMIN, "superadmin")] + sorted(MEMBERS.items()):
        got = say(fake, uid, "/help")
        text = got[0]["plain"] if got else ""
        like(text, r"Команды \(доступные вам: %s\)" % ROLE_TITLE[role], "/help for %s names the role" % role)
        is_eq(help_commands(text), ROLE_COMMANDS[role], "/help for %s lists exactly its commands" % role)
        ok("whoami" in help_commands(text), "every member's /help lists whoami (%s)" % role)
        got = say(fake, uid, "/whoami")
        like(got[0]["plain"] if got else "", r"Роли: %s" % ROLE_TITLE[role], "/whoami of %d: %s" % (uid, role))
    for uid in (333, 777):
        got = say(fake, uid, "/help")
        text = got[0]["plain"] if got else ""
        like(text, r"доступ только для сотрудников", "/help of unknown %d is refused" % uid)
        is_eq(help_commands(text), set(), "and lists no command")

    is_eq([r for r in fake.requests() if r["status"] not in (200, None)], [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
