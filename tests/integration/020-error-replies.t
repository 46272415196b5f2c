#!/usr/bin/env python3
# 020-error-replies.t — an answer to bad input is one message, however long the input. The attack:
# one 4,000-character "/partner &&&…" came back as 7 messages (the quote, escaped to 20,000 bytes,
# was split). Now every such answer quotes a short escaped prefix ending in "…" and keeps its hint,
# and goes out as exactly one message under Telegram's 4,096 characters: not-found answers
# (partner, plan, invoice, team member), the usage lines of /audit and /grant, a one-line form's
# error, an unknown long command, and a long answer in a dialog opened by a button.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ME = SUPERADMIN
AMP = "&" * 4000
Q = 64          # characters of the input an answer quotes (BUF_QUOTE_CHARS)


with Fake() as fake, Bot(fake) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()

    def answers(text):
        """Sends text, then /whoami; returns every message that came before /whoami's answer.
        The chat's messages leave in order, so nothing of the first answer can come later."""
        n = len(fake.sent(ME))
        fake.message(ME, text)
        fake.message(ME, "/whoami")
        got = fake.wait_sent(ME, n + 2)
        wait_for(lambda: any(m["plain"].startswith("Вы: ") for m in fake.sent(ME)[n:]), 10)
        got = fake.sent(ME)[n:]
        for i, m in enumerate(got):
            if m["plain"].startswith("Вы: "):
                return got[:i]
        return got

    def one_message(what, text, plain_re, html_sub=None):
        got = answers(text)
        is_eq(len(got), 1, "%s: exactly one message" % what)
        m = got[0] if got else {"plain": "", "text": ""}
        cmp_ok(len(m["plain"]), "<=", 4096, "%s: under Telegram's 4,096 characters" % what)
        like(m["plain"], plain_re, "%s: the answer names the problem" % what)
        if html_sub is not None:
            ok(html_sub in m["text"], "%s: the quote went out escaped" % what, m["text"][:200])
        return m

    quoted = "&" * Q + "…"
    esc = "&amp;" * Q + "…"

    # --- not found: the quote is short, escaped, marked as cut; the hint after it survives -----
    m = one_message("/partner &×4000", "/partner " + AMP,
                    r"^Партнёр «%s» не найден\. Ищите по номеру, slug, ИНН" % re.escape(quoted),
                    "«" + esc + "»")
    unlike(m["plain"], r"&{%d}" % (Q + 1), "/partner: no more than %d characters of the input" % Q)
    one_message("/partner <×4000", "/partner " + "<" * 4000,
                r"^Партнёр «%s…» не найден" % ("<" * Q), "«" + "&lt;" * Q + "…»")
    one_message("/partner я×4000", "/partner " + "я" * 4000,
                r"^Партнёр «%s…» не найден" % ("я" * Q))
    one_message("/volume &×4000", "/volume " + AMP, r"^Партнёр «%s» не найден" % re.escape(quoted),
                esc)
    one_message("/invoices &×4000", "/invoices " + AMP,
                r"^Партнёр «%s» не найден" % re.escape(quoted), esc)
    one_message("/plan &×4000", "/plan " + AMP,
                r"^Тариф «%s» не найден\. Список: /plans" % re.escape(quoted), esc)
    # (the command reads the number as one word of at most 63 bytes before it looks it up)
    one_message("/invoice &×4000", "/invoice " + AMP,
                r"Счёт «&{1,%d}…?» не найден\. Номер вида 2026-0001" % Q, "«" + "&amp;" * 60)

    # --- a long /audit filter and a long /grant argument ------------------------------------
    one_message("/audit &×4000", "/audit " + AMP, r"^Партнёр «%s» не найден" % re.escape(quoted),
                esc)
    one_message("/audit 2 @&×4000", "/audit 2 @" + AMP, r"^Формат: /audit \[партнёр\]")
    one_message("/grant &×4000 support", "/grant " + AMP + " support",
                r"^Сотрудник «%s» не найден\. Укажите @username" % re.escape(quoted), esc)
    one_message("/grant @x &×4000", "/grant @x " + AMP, r"^Формат: /grant @user роль")

    # --- a one-line form, an over-long command ----------------------------------------------
    one_message("/partner_new &×4000", "/partner_new " + AMP,
                r"^⚠️ Не сохранено, исправьте:\nФорма: нет «=» в «&{1,64}")
    one_message("/a…×4000", "/" + "a" * 4000, r"^Я понимаю команды")

    # --- a long answer in a dialog a button opened --------------------------------------------
    got = answers("/access 2 other проверка длинных ответов")
    card = [m for m in got if m["plain"].startswith("🏢")]
    ok(card and data_of(card[-1], "Изменить"), "the card of #2 with data open has «Изменить»")
    if card:
        fake.callback(ME, card[-1]["message_id"], "pf:2:name")
        ok(wait_for(lambda: bot.sql("SELECT kind FROM dialogs WHERE user_id = ?", (ME,)), 10),
           "the «Название» button opened the edit dialog")
    one_message("a 4,000-character dialog answer", AMP,
                r"^⚠️ Название: длиннее 200 символов\. .*\nПопробуйте ещё раз или /cancel\.")
    one_message("a 4,000-character '<' dialog answer", "<" * 4000, r"^⚠️ Название: ")
    is_eq(bot.sql_value("SELECT name FROM partners WHERE id = 2"), "Знайка", "the name is unchanged")
    one_message("/cancel", "/cancel", r"^Отменено")

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests()
           if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
