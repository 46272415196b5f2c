#!/usr/bin/env python3
# 302-access-sessions.t — who sees a partner's personal data, when and why: a developer and a manager see it
# masked in every view (and their messages never contain it); they cannot open a session; support
# is refused without a ticket and reads only inside a ticket session; billing opens a session with
# the reason buttons; /access_end closes a session; sessions expire ([access] session_minutes,
# the process moved ahead with libfaketime).
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ADMIN, SUPPORT, DEV, BILLING, MANAGER_BILLING = SUPERADMIN, 100000002, 100000003, 100000004, 100000005
MANAGER = 777          # granted only "manager" below


def phone_shown(p):
    """The card's clear format: +7 903 179-52-13."""
    return "+7 %s %s-%s-%s" % (p[2:5], p[5:8], p[8:10], p[10:12])


with Fake() as fake, Bot(fake, config={"access": {"session_minutes": 5}}) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()

    say = fake.say

    def press(uid, msg, label, expect_edit=None, expect_new=0):
        n = len(fake.sent(uid))
        edits = len(msg["edits"]) if msg else 0
        fake.press(uid, uid, msg, label)
        out = {}
        if expect_edit:
            out["edit"] = fake.wait_edits(uid, msg["message_id"], edits + 1)
        if expect_new:
            out["new"] = fake.wait_sent(uid, n + expect_new)[n:]
        return out

    def card(msgs):
        for m in msgs or []:
            if m["plain"].startswith("🏢"):
                return m
        return None

    def text_of(msgs):
        return "\n".join(m["plain"] for m in msgs or [])

    def audit_rows(action, actor, since_id=0):
        return bot.sql("SELECT id, partner_id, reason, session_id, detail FROM audit_log "
                       "WHERE action = ? AND actor = ? AND id > ? ORDER BY id", (action, actor, since_id))

    head = bot.audit_head

    # The partner: a sole trader (12-digit INN) with every personal field filled in.
    pid, name, inn, contact, phone, email = bot.sql(
        "SELECT id, name, inn, contact_name, phone, email FROM partners "
        "WHERE length(inn) = 12 AND status = 0 AND contact_name <> '' AND email <> '' ORDER BY id LIMIT 1")[0]
    SECRETS = [inn, contact, phone, phone[2:], phone_shown(phone), email]
    MASK_PHONE = "+7 %s** ***-**-%s" % (phone[2], phone[-2:])
    MASK_INN = inn[:2] + "*" * 8 + inn[-2:]
    MASK_EMAIL = email[0] + "***@" + email.split("@")[1][0] + "***." + email.rsplit(".", 1)[1]
    MASK_CONTACT = " ".join(w[0] + "***" for w in contact.split())
    note("partner #%d %s: masks %s %s %s %s" % (pid, name, MASK_PHONE, MASK_INN, MASK_EMAIL, MASK_CONTACT))

    def leaks(uid):
        """The personal values found in any message (or edit) sent to uid."""
        found = []
        for m in fake.sent(uid):
            texts = [m["plain"]] + [e.get("plain") or e.get("text") or "" for e in m.get("edits", [])]
            for t in texts:
                found += [s for s in SECRETS if s in t]
        return sorted(set(found))

    def masked_card_ok(uid, who):
        got = say(uid, "/partner %d" % pid)
        c = card(got)
        t = c["plain"] if c else text_of(got)
        like(t, r"^🏢 %s · #%d" % (re.escape(name), pid), "%s: /partner opens the card" % who)
        ok(MASK_PHONE in t and t.count("+7 9** ***-**-") == 1, "%s: the phone is masked (%s)" % (who, MASK_PHONE), t)
        ok(MASK_EMAIL in t and "***@" in t, "%s: the email is masked (%s)" % (who, MASK_EMAIL))
        ok("ИНН: " + MASK_INN in t, "%s: the sole trader's INN is masked (%s)" % (who, MASK_INN))
        ok("Контакт: " + MASK_CONTACT in t, "%s: the contact is masked (%s)" % (who, MASK_CONTACT))
        return c

    # --- a developer: masked everywhere, no session --------------------------------------
    c = masked_card_ok(DEV, "developer")
    like(c["plain"] if c else "", r"Личные данные скрыты для вашей роли", "developer: «скрыты для вашей роли»")
    is_eq([b["callback_data"] for b in buttons(c)], ["ph:%d" % pid, "act:%d" % pid],
          "developer: only History and Activity (no open-data)")
    say(DEV, "/partners")
    say(DEV, "/partners %s" % name.split()[0])
    r = press(DEV, c, "История", expect_edit=True)
    like((r.get("edit") or {}).get("plain"), r"История статусов", "developer: the history opens")
    a0 = head()
    got = say(DEV, "/access %d other проверка логов" % pid)
    like(text_of(got), r"⛔ Недостаточно прав", "developer /access: refused")
    rows = audit_rows("access.deny", DEV, a0)
    is_eq([(x[4]) for x in rows], ["/access refused by role"], "an access.deny audit row for it")
    got = say(DEV, "/partner_edit %d phone=+79160000000" % pid)
    like(text_of(got), r"⛔ Недостаточно прав", "developer /partner_edit: refused")
    # a forged «open data» press
    cb = fake.callback(DEV, c["message_id"], "pd:%d" % pid)
    ans = fake.wait_answered(cb["callback_query_id"])
    ok(ans and re.search(r"Недостаточно прав", ans["answers"][0].get("text") or ""), "a forged pd: press is refused")
    ok(wait_for(lambda: audit_rows("access.deny", DEV, a0)[-1][4] == "button pd refused by role", 5),
       "and audited as access.deny")
    is_eq(bot.sql_value("SELECT count(*) FROM access_sessions WHERE user_id = ?", (DEV,)), 0, "the developer holds no session")
    is_eq(leaks(DEV), [], "no personal value in any message to the developer (cards, lists, history)")

    # --- a manager (only that role): the same ---------------------------------------------
    got = say(ADMIN, "/grant %d manager" % MANAGER)
    like(text_of(got), r"выдана роль «менеджер»", "111 grants 777 the manager role")
    is_eq(bot.sql("SELECT role FROM member_roles WHERE user_id = ?", (MANAGER,)), [("manager",)], "777 is only a manager")
    c = masked_card_ok(MANAGER, "manager")
    like(c["plain"] if c else "", r"скрыты для вашей роли", "manager: «скрыты для вашей роли»")
    ok(data_of(c, "Открыть данные") is None, "manager: no open-data button")
    got = say(MANAGER, "/partners")
    like(text_of(got), r"Партнёры 1–10 из 20", "manager: the list")
    got = say(MANAGER, "/access %d billing" % pid)
    like(text_of(got), r"⛔ Недостаточно прав", "manager /access: refused")
    is_eq(leaks(MANAGER), [], "no personal value in any message to the manager")

    # --- support: a ticket or nothing, and read-only ---------------------------------------
    a0 = head()
    got = say(SUPPORT, "/partner %d" % pid)
    t = text_of(got)
    like(t, r"открывается поддержке только по тикету", "support without a session: refused, asked for a ticket")
    ok(card(got) is None, "no card is sent")
    is_eq(data_of(got[0] if got else {}, "тикет"), "pd:%d" % pid, "a «Указать тикет» button")
    rows = audit_rows("partner.deny", SUPPORT, a0)
    is_eq([(x[1], x[4]) for x in rows], [(pid, "card")], "a partner.deny audit row names the partner")
    for cmd in ("/activity %d" % pid, "/volume %d" % pid):
        t = text_of(say(SUPPORT, cmd))
        like(t, r"только по тикету", "support without a session: %s refused too" % cmd.split()[0])
        unlike(t, r"Входов|Клиентов|клиент", "and shows no figures")
    is_eq(leaks(SUPPORT), [], "nothing personal sent to support so far")
    r = press(SUPPORT, got[0], "тикет", expect_edit=True)
    is_eq([b["callback_data"] for b in buttons(r.get("edit"))], ["pr:%d:ticket" % pid, "p:%d" % pid],
          "support's reasons: only «Тикет» (and back)")
    got = say(SUPPORT, "/access %d billing" % pid)
    like(text_of(got), r"Поддержка открывает данные только по тикету", "support /access billing: only a ticket")
    got = say(SUPPORT, "/access %d ticket нет" % pid)
    like(text_of(got), r"Номер тикета: .*Пример: T-123", "a ticket reference without a digit: refused")
    is_eq(bot.sql_value("SELECT count(*) FROM access_sessions WHERE user_id = ?", (SUPPORT,)), 0, "no session yet")
    got = say(SUPPORT, "/access %d ticket T-55" % pid)
    c = card(got)
    t = c["plain"] if c else text_of(got)
    ok(phone_shown(phone) in t and email in t and inn in t and contact in t, "support with ticket T-55: the data", t)
    like(t, r"🔓 Доступ к данным открыт до \d\d:\d\d — тикет: T-55 \(только чтение\)", "marked read-only with the ticket")
    is_eq(bot.sql("SELECT reason, reason_text, writable, expires_at - opened_at FROM access_sessions WHERE user_id = ?",
                  (SUPPORT,)), [(0, "T-55", 0, 300)], "a read-only ticket session of 5 minutes")
    ok(data_of(c, "^Изменить$") is None, "no Edit button for support")
    ok(set(leaks(SUPPORT)) >= {phone_shown(phone), email, inn, contact}, "the leak check finds the data once it is shown (it can fail)",
       leaks(SUPPORT))
    a0 = head()
    got = say(SUPPORT, "/partner_edit %d phone=+79160000000" % pid)
    like(text_of(got), r"⛔ Недостаточно прав", "support /partner_edit: refused by the gate")
    is_eq(bot.sql_value("SELECT phone FROM partners WHERE id = ?", (pid,)), phone, "the phone is unchanged")
    is_eq([x[4] for x in audit_rows("access.deny", SUPPORT, a0)], ["/partner_edit refused by role"], "audited")

    # --- billing opens with the reason buttons ---------------------------------------------
    got = say(BILLING, "/partner %d" % pid)
    c = card(got)
    ok(c and MASK_PHONE in c["plain"], "billing without a session: masked")
    like(c["plain"] if c else "", r"откройте доступ с причиной", "and told to open access with a reason")
    r = press(BILLING, c, "Открыть данные", expect_edit=True)
    e = r.get("edit")
    like((e or {}).get("plain"), r"Зачем вам личные данные партнёра", "«Открыть данные» asks why")
    is_eq([b["text"] for b in buttons(e)], ["Тикет", "Биллинг", "Подключение", "Инцидент", "Другое", "◀ К карточке"],
          "every reason is a button")
    n = len(fake.sent(BILLING))
    fake.press(BILLING, BILLING, e, "^Биллинг$")
    got = fake.wait_sent(BILLING, n + 1)[n:]
    c = card(got)
    t = c["plain"] if c else text_of(got)
    ok(phone_shown(phone) in t and email in t, "«Биллинг» opens the data without typing anything", t)
    like(t, r"— биллинг$", "the card names the reason")
    is_eq(bot.sql("SELECT reason, writable FROM access_sessions WHERE user_id = ?", (BILLING,)), [(1, 1)],
          "a writable billing session")
    is_eq(data_of(c, "Закрыть доступ"), "px:%d" % pid, "with a «Закрыть доступ» button")

    # --- /access_end closes a session --------------------------------------------------------
    other = bot.sql_value("SELECT id FROM partners WHERE id <> ? AND phone <> '' ORDER BY id LIMIT 1", (pid,))
    other_phone = bot.sql_value("SELECT phone FROM partners WHERE id = ?", (other,))
    got = say(ADMIN, "/access %d incident сбой синхронизации" % other)
    ok(card(got) and phone_shown(other_phone) in card(got)["plain"], "111 opens #%d (incident)" % other)
    a0 = head()
    got = say(ADMIN, "/access_end %d" % other)
    like(text_of(got), r"Закрыто доступов: 1", "/access_end closes it")
    is_eq([(x[1], x[4]) for x in audit_rows("access.close", ADMIN, a0)], [(other, "closed by hand")], "audit access.close")
    got = say(ADMIN, "/partner %d" % other)
    ok(card(got) and phone_shown(other_phone) not in card(got)["plain"] and "+7 9** ***-**-" in card(got)["plain"],
       "the card is masked again")
    got = say(ADMIN, "/access_end")
    like(text_of(got), r"Открытых доступов нет", "a second /access_end: nothing open")

    # --- search does not reveal what masking hides --------------------------------------------
    sole = bot.sql("SELECT id, legal_name, inn FROM partners WHERE length(inn) = 12 LIMIT 1")[0]
    surname = sole[1].split()[1]          # "ИП Егоров Евгений …" → "Егоров"
    got = say(DEV, "/partners %s" % surname)
    unlike(text_of(got), r"#%d\b" % sole[0], "a developer's search by a sole trader's surname finds nothing")
    got = say(DEV, "/partner %s" % sole[2])
    like(text_of(got), r"не найден", "nor by the sole trader's 12-digit INN")
    got = say(ADMIN, "/partners %s" % surname)
    like(text_of(got), r"#%d\b" % sole[0], "while a superadmin finds the sole trader by name")
    rows = bot.sql("SELECT detail FROM audit_log WHERE action = 'partner.list' ORDER BY id DESC LIMIT 2")
    ok(rows and all(surname not in r[0] for r in rows), "the search text is not kept in the audit log",
       repr(rows))

    # --- support searches by personal data only inside a ticket session -------------------------
    # (support holds a ticket session for #pid since T-55 above: another sole trader here)
    sole, legal, sole_inn = bot.sql("SELECT id, legal_name, inn FROM partners WHERE length(inn) = 12"
                                    " AND id <> ? ORDER BY id LIMIT 1", (pid,))[0]
    surname = legal.split()[1]
    other = bot.sql("SELECT id, legal_name FROM partners WHERE length(inn) = 12 AND id NOT IN (?, ?)"
                    " ORDER BY id LIMIT 1", (pid, sole))[0]
    for query in (surname, sole_inn):
        t = text_of(say(SUPPORT, "/partners %s" % query))
        unlike(t, r"#%d\b" % sole, "support without a session: /partners by the sole trader's %s finds nothing"
               % ("surname" if query == surname else "INN"))
        like(t, r"по тикету[\s\S]*/access", "and is told to open a ticket session for it")
    t = text_of(say(SUPPORT, "/partner %s" % sole_inn))
    like(t, r"не найден[\s\S]*по тикету[\s\S]*/access", "/partner by the INN: not found, with what to do")
    unlike(t, re.escape(bot.sql_value("SELECT name FROM partners WHERE id = ?", (sole,))),
           "and the partner's name is not given away")
    t = text_of(say(SUPPORT, "/access %s ticket T-60" % sole_inn))
    like(t, r"не найден", "nor can a session be opened by the INN alone")
    got = say(SUPPORT, "/access %d ticket T-61" % sole)
    ok(card(got), "support opens a ticket session for #%d by its number" % sole)
    t = text_of(say(SUPPORT, "/partners %s" % surname))
    like(t, r"#%d\b" % sole, "inside the session /partners by the surname finds it")
    got = say(SUPPORT, "/partner %s" % sole_inn)
    like(card(got)["plain"] if card(got) else text_of(got), r"^🏢 .* · #%d" % sole, "and /partner by the INN opens its card")
    t = text_of(say(SUPPORT, "/partners %s" % other[1].split()[1]))
    unlike(t, r"#%d\b" % other[0], "while another sole trader (#%d), with no session, is still not found by name"
           % other[0])
    got = say(BILLING, "/partners %s" % surname)
    like(text_of(got), r"#%d\b" % sole, "billing finds the sole trader by name without a session")

    # --- a partner button pressed in a group does nothing there -----------------------------------
    n = len(fake.requests("answerCallbackQuery"))
    fake.callback(ADMIN, 1, "p:%d" % pid, chat_id=-1001234)
    ans = fake.wait_requests("answerCallbackQuery", n + 1)
    like(str(ans[-1]["params"] if ans else ""), r"только в личном чате",
         "a forged card button in a group is answered with a refusal")
    ok(not [m for m in fake.sent(-1001234) if m["plain"].startswith("🏢")], "and no card reaches the group")

    # --- a revoked role ends the member's sessions -------------------------------------------------
    say(ADMIN, "/grant %d billing" % SUPPORT, 1)
    got = say(SUPPORT, "/access %d billing сверка" % pid)
    ok(card(got) and phone_shown(phone) in card(got)["plain"], "support with billing opens a billing session")
    say(ADMIN, "/revoke %d billing" % SUPPORT, 1)
    got = say(SUPPORT, "/partner %d" % pid)
    ok(card(got) is None and re.search(r"только по тикету", text_of(got)),
       "after the revoke, support alone: the billing session is gone and a ticket is asked for")
    is_eq(bot.sql_value("SELECT count(*) FROM access_sessions WHERE user_id = ? AND closed_at IS NULL "
                        "AND expires_at > strftime('%%s','now')" % (), (SUPPORT,)), 0,
          "no open session is left for the member")

    # --- sessions expire ----------------------------------------------------------------------
    got = say(ADMIN, "/access %d billing" % pid)
    ok(card(got) and phone_shown(phone) in card(got)["plain"], "111 opens #%d: clear" % pid)
    got = say(ADMIN, "/partner %d" % pid)
    ok(card(got) and phone_shown(phone) in card(got)["plain"], "and /partner shows the data while it lasts")
    is_eq(bot.stop(), 0, "stopped")
    if not os.path.exists(LIBFAKETIME):
        skip("libfaketime is not installed", 6)
    else:
        bot.env.update(faketime_env("+6m"))
        bot.start()
        got = say(ADMIN, "/partner %d" % pid)
        c = card(got)
        ok(c and MASK_PHONE in c["plain"] and phone_shown(phone) not in c["plain"],
           "six minutes later: 111's card is masked again", text_of(got))
        ok(data_of(c, "Открыть данные") is not None, "and offers to open the data again")
        got = say(BILLING, "/partner %d" % pid)
        ok(card(got) and MASK_PHONE in card(got)["plain"], "billing's session expired too")
        got = say(SUPPORT, "/partner %d" % pid)
        like(text_of(got), r"только по тикету", "support is refused again")
        ok(card(got) is None, "without a card")
        ok(all(phone_shown(phone) not in m["plain"] for m in fake.sent(ADMIN)[-1:]), "the last message to 111 has no phone")
        is_eq(bot.stop(), 0, "stopped")

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")

done()
