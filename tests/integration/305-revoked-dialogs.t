#!/usr/bin/env python3
# 305-revoked-dialogs.t — a dialog does not outlive the right to it. The attack: a member in the
# middle of /partner_new lost the role, kept the dialog, and on a later re-grant their next text
# resumed it. Now /revoke drops the member's dialogs in the same transaction (and tells them),
# so the next text is refused or is plain text, before and after a re-grant; and an answer is
# re-gated at every step, so a dialog whose right went another way (a superadmin taken off
# [access] superadmins and the configuration reloaded) is closed with a clear message.
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ADMIN, BILLING, MARIA = SUPERADMIN, 100000004, 100000005
CFG_ONLY, CFG_MANAGER = 222, 333     # superadmins from the configuration only (one also a manager)
WHO = {BILLING: ("pavel_billing", "Павел Соколов"), MARIA: ("maria_manager", "Мария Волкова"),
       CFG_ONLY: ("cfg_only", "Конфиг Один"), CFG_MANAGER: ("cfg_manager", "Конфиг Два")}


with Fake() as fake, Bot(fake, config={"access": {"superadmins": "%d,%d,%d" % (ADMIN, CFG_ONLY, CFG_MANAGER)}}) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()

    def say(uid, text, expect=1):
        """Sends text as uid; returns the plain texts of the replies."""
        n = len(fake.sent(uid))
        un, fn = WHO.get(uid, (None, None))
        fake.message(uid, text, username=un, first_name=fn)
        return [m["plain"] for m in fake.wait_sent(uid, n + expect)[n:]]

    def last(uid, text):
        got = say(uid, text)
        return got[-1] if got else ""

    def dialogs(uid):
        return bot.sql_value("SELECT count(*) FROM dialogs WHERE user_id = ?", (uid,))

    def values(uid):
        return bot.sql_value("SELECT count(*) FROM dialog_values WHERE user_id = ?", (uid,))

    def roles(uid):
        return sorted(r[0] for r in bot.sql("SELECT role FROM member_roles WHERE user_id = ?", (uid,)))

    npartners = bot.sql_value("SELECT count(*) FROM partners")

    # --- the only role revoked mid-dialog: refused, and nothing resumes on re-grant -------------
    is_eq(roles(BILLING), ["billing"], "pavel holds billing only")
    got = say(BILLING, "/partner_new", 2)
    like(got[-1] if got else "", r"^Шаг 1 из \d+\. Как называется партнёр", "pavel starts /partner_new")
    is_eq(dialogs(BILLING), 1, "his dialog is stored")
    n = len(fake.sent(BILLING))
    t = last(ADMIN, "/revoke @pavel_billing billing")
    like(t, r"➖ Павел Соколов .*: снята роль «биллинг»", "the superadmin revokes billing")
    is_eq(dialogs(BILLING), 0, "the dialog went with the role (same transaction as the revoke)")
    s = fake.wait_sent(BILLING, n + 1)
    like(s[-1]["plain"] if len(s) > n else "",
         r"С вас снята роль «биллинг»\. Незаконченный диалог закрыт; из него ничего не сохранено",
         "pavel is told his dialog was closed")
    t = last(BILLING, "Ромашка")
    like(t, r"доступ только для сотрудников", "his next text is refused as from someone without a role")
    unlike(t, r"Шаг 2", "and is not taken by the dialog")
    t = last(ADMIN, "/grant @pavel_billing billing")
    like(t, r"выдана роль «биллинг»", "billing is granted again")
    t = last(BILLING, "Ромашка")
    like(t, r"^Я понимаю команды", "after the re-grant his text is plain text")
    unlike(t, r"Шаг 2", "not a resumed dialog step")
    is_eq(dialogs(BILLING), 0, "no dialog row for him")
    is_eq(bot.sql_value("SELECT count(*) FROM partners"), npartners, "no partner was created")

    # --- one of two roles revoked: the dialog and its values go too -----------------------------
    is_eq(roles(MARIA), ["billing", "manager"], "maria holds billing and manager")
    say(MARIA, "/partner_new", 2)
    t = last(MARIA, "Ромашка-Тест")
    like(t, r"^Шаг 2 из", "maria answers the first question")
    ok(dialogs(MARIA) == 1 and values(MARIA) >= 1, "her dialog and its answer are stored")
    t = last(ADMIN, "/revoke @maria_manager billing")
    like(t, r"снята роль «биллинг»", "billing is revoked from maria")
    is_eq((dialogs(MARIA), values(MARIA)), (0, 0), "her dialog and its values are gone")
    t = last(MARIA, "ООО «Ромашка-Тест»")
    like(t, r"^Я понимаю команды", "her next text (still a manager) is plain text, not step 2")
    t = last(MARIA, "/skip")
    like(t, r"диалога сейчас нет", "/skip: there is no dialog")
    last(ADMIN, "/grant @maria_manager billing")
    t = last(MARIA, "ООО «Ромашка-Тест»")
    like(t, r"^Я понимаю команды", "after the re-grant: still plain text")
    is_eq(dialogs(MARIA), 0, "no dialog row for her")

    # --- the right taken away without /revoke: re-checked at the next answer -------------------
    t = last(ADMIN, "/grant %d manager" % CFG_MANAGER)
    like(t, r"выдана роль «менеджер»", "333 (a configuration superadmin) is also a manager")
    for uid in (CFG_ONLY, CFG_MANAGER):
        got = say(uid, "/partner_new", 2)
        like(got[-1] if got else "", r"^Шаг 1 из", "configuration superadmin %d starts /partner_new" % uid)
        is_eq(dialogs(uid), 1, "%d's dialog is stored" % uid)
    bot.write_config({"access": {"superadmins": ADMIN}})
    bot.signal(signal.SIGHUP)
    ok(wait_for(lambda: "configuration reloaded" in bot.log(), 5), "SIGHUP: 222 and 333 are no longer superadmins")
    t = last(CFG_MANAGER, "Ромашка")
    like(t, r"^⛔ Диалог закрыт: у вас больше нет прав на это действие; ничего не сохранено",
         "333, now only a manager: the dialog is closed with a clear message")
    is_eq(dialogs(CFG_MANAGER), 0, "and dropped")
    t = last(CFG_ONLY, "Ромашка")
    like(t, r"^⛔ Диалог закрыт: у вас больше нет прав", "222, now nobody: the dialog is closed too")
    is_eq(dialogs(CFG_ONLY), 0, "and dropped, not kept for a later grant")
    t = last(CFG_ONLY, "Ромашка")
    like(t, r"доступ только для сотрудников", "222's next text is refused as a stranger's")
    is_eq(bot.sql_value("SELECT count(*) FROM partners"), npartners, "still no partner created")

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests()
           if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
