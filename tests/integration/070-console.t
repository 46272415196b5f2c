#!/usr/bin/env python3
# 070-console.t — `backoffice console` on demo data: the same dispatch and handlers as the bot with
# the terminal instead of Telegram; buttons are numbered and pressed by typing the number.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ADMIN = 100000001      # the demo superadmin (Анна)
SUPPORT = 100000002    # the demo support member (Игорь)


def segments(out):
    """The output after each ':as' / ':who' (their "вы: ..." line starts a segment); the banner
    and the start-up "вы:" line are dropped."""
    return re.split(r"(?m)^вы: ", out)[2:]


def quiet(r, what):
    ok(r.stderr == "", "%s: nothing on stderr" % what, "stderr: %r" % r.stderr)


with Bot(None) as bot:
    # [access] and [storage] only: the console needs no token and no Telegram
    bot.write_config({"telegram": None, "limits": None, "access": {"superadmins": ADMIN}})
    unlike(open(bot.conf_path).read(), r"token|api_url", "the console's config has no [telegram] section")
    r = bot.run_cli(["demo-seed"])
    is_eq(r.rc, 0, "demo-seed exits 0")

    # --- /help as the first superadmin ---
    r = bot.run_cli(["console"], input="/help\n")
    is_eq(r.rc, 0, "console: EOF ends it with exit 0")
    like(r.stdout, r"(?m)^вы: Анна Смирнова @anna_admin \(id %d\)" % ADMIN, "you start as the first superadmin")
    like(r.stdout, r"Команды \(доступные вам: суперадмин\)", "/help: 'Команды'")
    like(r.stdout, r"(?m)^/whoami — ", "/help lists /whoami")
    unlike(r.stdout, r"<b>|</b>|&lt;|&amp;", "HTML is rendered for the terminal (no tags or entities)")
    quiet(r, "/help")

    # --- an access request, approved by pressing its button's number ---
    r = bot.run_cli(["console"], input=":as 555\n/start\n:as %d\n1\n:as 555\n/whoami\n" % ADMIN)
    is_eq(r.rc, 0, "console session exits 0")
    seg = segments(r.stdout)
    ok(len(seg) == 3, "one output segment per :as", r.stdout)
    seg += [""] * (3 - len(seg))
    like(seg[0], r"^Гость \(id 555\), чат 555 \(личный\)", ":as 555 switches to the user and their chat")
    like(seg[0], r"── в чат %d ──\n🔑 Запрос доступа\nГость \(id 555\)" % ADMIN,
         "/start from 555 shows the request sent to the superadmin's chat")
    like(seg[0], r"\[1\] поддержка\s+\[2\] разработчик", "with numbered buttons '[1] поддержка'")
    like(seg[0], r"\[5\] ✖️ Отклонить", "and '[5] ✖️ Отклонить'")
    like(seg[0], r"Запрос доступа отправлен", "555 is told the request went out")
    like(seg[1], r"▶ поддержка", "typing 1 presses «поддержка»")
    like(seg[1], r"✅ Доступ выдан: Гость \(id 555\) — роль «поддержка»", "'Доступ выдан'")
    like(seg[1], r"── в чат 555 ──\n✅ Доступ открыт", "555 is told in their chat")
    like(seg[2], r"Роли: поддержка", ":as 555 /whoami: поддержка")
    quiet(r, "access request session")
    is_eq(bot.sql("SELECT role FROM member_roles WHERE user_id = 555"), [("support",)],
          "the grant is in the database")

    # --- the gate holds in the console too ---
    # 556 goes to the admin's chat in the console and presses the request's button himself
    r = bot.run_cli(["console"], input=":as 556\n/start\n:chat 100000001\n2\n:chat 556\n/whoami\n")
    seg = segments(r.stdout)
    seg += [""] * (1 - len(seg))
    like(r.stdout, r"\[2\] разработчик", "556 asks for access")
    like(r.stdout, r"▶ разработчик\n💬 ⛔ Недостаточно прав", "556 pressing the request's button himself: refused")
    like(r.stdout, r"доступ только для сотрудников", "and 556 is still a stranger")
    unlike(r.stdout, r"Доступ выдан", "nothing was granted")
    is_eq(bot.sql("SELECT role FROM member_roles WHERE user_id = 556"), [], "556 has no role")
    like(r.stderr, r"warn: refused button 'areq_ok' for user 556", "the refusal is a warning on stderr")
    unlike(r.stderr, r"error", "but no error")

    # --- console commands ---
    r = bot.run_cli(["console"], input=":foo\n")
    is_eq(r.rc, 0, "an unknown console command does not end the console")
    like(r.stdout, r":as ID\s+действовать от имени", "an unknown ':foo' prints the console help")
    like(r.stdout, r":quit\s+выйти", "the help lists :quit")
    quiet(r, ":foo")

    r = bot.run_cli(["console"], input=":as %d\n:who\n7\n/whoami\n/partners\n99\n:quit\n/help\n" % SUPPORT)
    is_eq(r.rc, 0, ":quit exits 0")
    like(r.stdout, r"вы: Игорь Петров @igor_support \(id %d\), чат %d \(личный\)" % (SUPPORT, SUPPORT),
         ":as and :who show the demo support member")
    like(r.stdout, r"Я понимаю команды", "a number where the last message has no buttons is text")
    like(r.stdout, r"нет кнопки 99 \(кнопки 1–\d+\)", "a number with no such button says so")
    like(r.stdout, r"Роли: поддержка", "/whoami as the support member")
    unlike(r.stdout, r"Команды", "nothing after :quit ran")
    quiet(r, ":who/:quit")

    r = bot.run_cli(["console"], input=":chat -100500\n/help@backoffice_bot\n/help@other_bot\nhello all\n")
    is_eq(r.rc, 0, "a group session exits 0")
    like(r.stdout, r"чат -100500", ":chat moves to the group")
    is_eq(len(re.findall(r"Команды \(", r.stdout)), 1,
          "in the group only /help@backoffice_bot is answered (not another bot's, not chatter)")
    quiet(r, "group session")

    # --- the happy path as a whole: nothing at warn level or above ---
    r = bot.run_cli(["console"], input="/start\n/whoami\n:as 555\n/help\n")
    is_eq(r.rc, 0, "happy path exits 0")
    like(r.stdout, r"Здравствуйте, Анна Смирнова", "/start greets the demo superadmin")
    is_eq(r.stderr, "", "stderr is empty on the happy path")

done()
