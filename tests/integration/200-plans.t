#!/usr/bin/env python3
# 200-plans.t — plans through the fake Bot API: creation by the one-line form (stored to the
# kopeck, the price shape on the card) and by the guided dialog (a bad answer refused at several
# steps, /skip taking the defaults); bad inputs named with an example (a bad code, "12,345", an
# unknown period, negative amounts, a taken code, an unknown field); /plans (active first, the
# subscribers of every version counted, archived marked); /plan_edit making version 2 only after
# the confirmation while version 1 stays readable with its old prices (a cancel and a stale press
# change nothing); archiving by /plan_edit and restoring by the card's button; the audit
# (partner 0); and who may do what: support and developers are refused, a manager reads the list
# and the card but cannot create, edit or archive.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ADMIN, SUPPORT, DEV, BILLING = SUPERADMIN, 100000002, 100000003, 100000004
MANAGER = 777          # granted only "manager" below


def norm(text):
    """Money is shown with a narrow no-break space between thousands and a no-break space
    before ₽; tests compare with plain spaces."""
    return (text or "").replace("\u202f", " ").replace("\xa0", " ")


with Fake() as fake, Bot(fake) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()

    say = fake.say

    def text_of(msgs):
        return norm("\n----\n".join(m["plain"] for m in msgs or []))

    def card_of(msgs):
        for m in msgs or []:
            if m["plain"].startswith("📋") and "Версии" in m["plain"]:
                return m
        return None

    def versions(code):
        return bot.sql("SELECT version, name, yearly, base, per_branch, included_branches, per_user, "
                       "included_users, trial_days, archived FROM plans WHERE code = ? ORDER BY version", (code,))

    def nplans():
        return bot.sql_value("SELECT count(*) FROM plans")

    def audit(action, since):
        return bot.sql("SELECT actor, partner_id, detail FROM audit_log WHERE action = ? AND id > ? ORDER BY id",
                       (action, since))

    head = bot.audit_head

    def dialog_step(uid):
        row = bot.sql("SELECT kind, step FROM dialogs WHERE user_id = ?", (uid,))
        return row[0] if row else None

    # --- creation: the one-line form ------------------------------------------------------
    a0 = head()
    got = say(BILLING, '/plan_new code=t-start name="Старт" period=month base=2990 per_branch=990 '
                       'included_branches=1 per_user=0 included_users=5 trial_days=14', 2)
    like(text_of(got[:1]), r"^✅ Тариф создан", "billing: a good form creates the plan")
    c = card_of(got)
    t = norm(c["plain"]) if c else text_of(got)
    like(t, r"^📋 Старт · t-start · v1\n", "then its card: name, code, version 1")
    like(t, r"\n2 990,00 ₽/мес · \+990,00 ₽ за филиал сверх 1 · \+0 за пользователя сверх 5 · пробный 14 дн\n",
         "the price shape in words, money formatted")
    like(t, r"Подписчиков: 0", "no subscribers yet")
    is_eq(versions("t-start"), [(1, "Старт", 0, 299000, 99000, 1, 0, 5, 14, 0)],
          "stored as version 1, amounts in kopecks")
    is_eq(bot.sql_value("SELECT created_by FROM plans WHERE code = 't-start'"), BILLING, "created_by is the billing member")
    rows = audit("plan.create", a0)
    ok(len(rows) == 1 and rows[0][0] == BILLING and rows[0][1] == 0 and "t-start v1" in rows[0][2]
       and "base=299000" in rows[0][2], "one plan.create audit record, partner 0, with the prices", rows)

    before = nplans()
    bad_forms = [
        ("a bad code", 'code="Старт!" name="Тест" base=100', r"Код: только латинские буквы, цифры.*Пример: start"),
        ("a code with a space", 'code="a b" name="Тест" base=100', r"Код: только латинские буквы"),
        ("a code of 32 bytes", 'code=%s name="Тест" base=100' % ("x" * 32), r"Код: .*до 31 символа"),
        ("money 12,345", 'code=t-bad name="Тест" base=12,345', r"Базовая цена: после запятой не больше двух цифр.*Пример"),
        ("money in words", 'code=t-bad name="Тест" base=много', r"Базовая цена: .*Пример"),
        ("an unknown period", 'code=t-bad name="Тест" base=100 period=week',
         r"Период: month \(месяц\) или year \(год\)\. Пример: month"),
        ("a negative base", 'code=t-bad name="Тест" base=-5', r"Базовая цена: не может быть отрицательной\. Пример"),
        ("a negative per-branch fee", 'code=t-bad name="Тест" base=1 per_branch=−990',
         r"За филиал: не может быть отрицательной"),
        ("negative trial days", 'code=t-bad name="Тест" base=100 trial_days=-1', r"Пробный период: только цифры.*Пример"),
        ("a negative included count", 'code=t-bad name="Тест" base=100 included_users=-2',
         r"Пользователей включено: только цифры"),
        ("no base", 'code=t-bad name="Тест"', r"Базовая цена: обязательное поле\. Пример: base="),
        ("an unknown field", 'code=t-bad name="Тест" base=1 color=red', r"Неизвестное поле «color»\. Поля: code, name, period"),
        ("a name of 130 Cyrillic letters", 'code=t-bad name="%s" base=1' % ("Я" * 130),
         r"Название: слишком длинное, нужно короче 120 символов\. Пример"),
        ("an unterminated quote", 'code=t-bad name="Тест base=1', r"не закрыта кавычка"),
    ]
    for what, form, pat in bad_forms:
        got = say(BILLING, "/plan_new " + form)
        text = text_of(got)
        like(text, r"^⚠️ Не сохранено, исправьте:", "form with %s: not saved" % what)
        like(text, pat, "form with %s: the message names the field and what to type" % what)
        like(text, r"Формат: /plan_new code=start name=\"Старт\" period=month base=2990", "form with %s: the format" % what)
    got = say(BILLING, "/plan_new code=t-start name=Другой base=1")
    like(text_of(got), r"Тариф с кодом «t-start» уже есть: /plan t-start", "a taken code: named, with the way to edit it")
    is_eq(nplans(), before, "no bad form created anything")

    # --- creation: the guided dialog ------------------------------------------------------
    got = say(ADMIN, "/plan_new", 2)
    like(text_of(got), r"Новый тариф(.|\n)*Шаг 1 из 9\. Код тарифа", "/plan_new without arguments: step 1 asks the code")
    is_eq(dialog_step(ADMIN), ("plan_new", 0), "a plan_new dialog at step 0")
    seq = [
        # (the answer, what the bot says, the dialog's step afterwards)
        ("Pro Plan", r"^⚠️ Код: только латинские буквы", 0),
        ("t-start", r"^⚠️ Код: тариф «t-start» уже есть", 0),
        ("T-Pro", r"Шаг 2 из 9\. Название", 1),
        ("/skip", r"Это поле обязательно", 1),
        ("Про", r"Шаг 3 из 9\. Период", 2),
        ("неделя", r"^⚠️ Период: month \(месяц\) или year \(год\)\. Пример: month", 2),
        ("год", r"Шаг 4 из 9\. Базовая цена", 3),
        ("12,345", r"^⚠️ Базовая цена: после запятой не больше двух цифр", 3),
        ("29 900", r"Шаг 5 из 9\. Доплата за каждый филиал", 4),
        ("/skip", r"Шаг 6 из 9\. Сколько филиалов", 5),
        ("/skip", r"Шаг 7 из 9\. Доплата за каждого пользователя", 6),
        ("-5", r"^⚠️ За пользователя: не может быть отрицательной", 6),
        ("190,50", r"Шаг 8 из 9\. Сколько пользователей", 7),
        ("десять", r"^⚠️ Пользователей включено: только цифры", 7),
        ("10", r"Шаг 9 из 9\. Пробный период", 8),
    ]
    for answer, pat, step in seq:
        got = say(ADMIN, answer)
        like(text_of(got), pat, "dialog: %r → %s" % (answer, pat))
        is_eq(dialog_step(ADMIN), ("plan_new", step), "dialog: at step %d after %r" % (step + 1, answer))
    is_eq(versions("t-pro"), [], "nothing created before the last answer")
    got = say(ADMIN, "/skip", 2)
    like(text_of(got[:1]), r"^✅ Тариф создан", "trial /skip: the plan is created")
    c = card_of(got)
    like(norm(c["plain"]) if c else "", r"^📋 Про · t-pro · v1\n29 900,00 ₽/год · \+190,50 ₽ за пользователя сверх 10 · "
         r"пробный 14 дн\n", "its card: yearly, no branch fee shown, the default 14 trial days")
    is_eq(versions("t-pro"), [(1, "Про", 1, 2990000, 0, 0, 19050, 10, 14, 0)],
          "stored: the code lower-cased, skipped fields at their defaults")
    is_eq(dialog_step(ADMIN), None, "the dialog is over")

    got = say(ADMIN, "/plan_new", 2)
    say(ADMIN, "t-cancel")
    got = say(ADMIN, "/cancel")
    like(text_of(got), r"Отменено; ничего не сохранено", "/cancel mid-dialog")
    is_eq(versions("t-cancel"), [], "nothing was created")

    # --- /plans and subscribers -----------------------------------------------------------
    # Two rows by hand, a live one on t-start v1 and a canceled one (which does not count), for
    # two demo partners whose own subscriptions (on the demo's plans) have ended.
    v1_id = bot.sql_value("SELECT id FROM plans WHERE code = 't-start' AND version = 1")
    p1, p2 = [r[0] for r in bot.sql("SELECT id FROM partners WHERE id NOT IN (SELECT partner_id"
                                     " FROM subscriptions WHERE status <> 3) ORDER BY id LIMIT 2")]
    with sqlite_rw(bot.db_path) as db:
        for pid, status in ((p1, 1), (p2, 3)):
            db.execute("INSERT INTO subscriptions(partner_id, plan_id, status, anchor_dom, started_on, period_start, "
                       "period_end, created_at, updated_at) VALUES (?, ?, ?, 1, 20000, 20000, 20031, 1, 1)",
                       (pid, v1_id, status))
    got = say(BILLING, "/plans")
    t = text_of(got)
    like(t, r"^📋 Тарифы · \d+", "/plans: the title with the count")
    like(t, r"\nt-pro · Про · v1 · подписчиков: 0\n29 900,00 ₽/год · ", "t-pro: code, name, version, subscribers, shape")
    like(t, r"\nt-start · Старт · v1 · подписчиков: 1\n2 990,00 ₽/мес · \+990,00 ₽ за филиал сверх 1 · .*пробный 14 дн",
         "t-start: one live subscriber (the canceled one does not count)")
    ok(t.find("t-pro ·") < t.find("t-start ·"), "ordered by code")
    is_eq(data_of(got[0], "^t-start$"), "plc:t-start", "a button opens each plan's card")
    like(t, r"Новый тариф: /plan_new", "billing sees how to add one")

    # --- /plan_edit: version 2 after the confirmation -------------------------------------
    a0 = head()
    got = say(BILLING, "/plan_edit t-start base=3490 trial_days=7")
    conf = got[0] if got else {}
    t = norm(conf.get("plain"))
    like(t, r"^❗️ Подтвердите изменение тарифа «Старт» \(t-start\):", "/plan_edit asks for a confirmation")
    like(t, r"\nБазовая цена: 2 990,00 ₽ → 3 490,00 ₽\n", "old → new base fee")
    like(t, r"\nПробный период: 14 дн → 7 дн", "old → new trial")
    unlike(t, r"За филиал:", "unchanged fields are not listed")
    like(t, r"Будет версия 2\. Подписки и счета, оформленные на версии 1, остаются на её ценах",
         "it says a version 2 comes and version 1 keeps its prices")
    ok(data_of(conf, "Подтвердить") and data_of(conf, "Отмена"), "with Подтвердить and Отмена buttons")
    is_eq(len(versions("t-start")), 1, "nothing changes before the press")
    n = len(fake.sent(BILLING))
    fake.press(BILLING, BILLING, conf, "Подтвердить")
    ed = fake.wait_edits(BILLING, conf["message_id"], 1)
    like((ed or {}).get("plain"), r"Подтверждено: тариф t-start, версия 2", "the press confirms")
    got = fake.wait_sent(BILLING, n + 1)[n:]
    c = card_of(got)
    t = norm(c["plain"]) if c else text_of(got)
    like(t, r"^📋 Старт · t-start · v2\n3 490,00 ₽/мес · \+990,00 ₽ за филиал сверх 1 · .*пробный 7 дн\n",
         "the card shows version 2's prices")
    like(t, r"Подписчиков: 1", "the subscriber on version 1 still counts for the code")
    like(t, r"\nv2 · [^\n]+\n    Старт · 3 490,00 ₽/мес[^\n]*пробный 7 дн\nv1 · [^\n]+\n    Старт · 2 990,00 ₽/мес[^\n]*пробный 14 дн",
         "the version history: v2 then v1, each with its prices")
    vs = versions("t-start")
    is_eq(vs, [(1, "Старт", 0, 299000, 99000, 1, 0, 5, 14, 0), (2, "Старт", 0, 349000, 99000, 1, 0, 5, 7, 0)],
          "version 1 untouched, version 2 with the new prices")
    is_eq(bot.sql_value("SELECT plan_id FROM subscriptions WHERE partner_id = ? AND status <> 3",
                        (p1,)), v1_id,
          "the subscription still points at version 1")
    rows = audit("plan.edit", a0)
    ok(len(rows) == 1 and rows[0][0] == BILLING and rows[0][1] == 0 and "t-start v1 → v2" in rows[0][2]
       and "base" in rows[0][2] and "trial_days" in rows[0][2], "one plan.edit audit record naming the change", rows)
    fake.callback(BILLING, conf["message_id"], data_of(conf, "Подтвердить"))
    ed = fake.wait_edits(BILLING, conf["message_id"], 2)
    like((ed or {}).get("plain"), r"устарело", "a second press of the confirmation: stale")
    is_eq(len(versions("t-start")), 2, "still two versions")

    got = say(BILLING, '/plan_edit t-start name="Старт Плюс"')
    conf = got[0] if got else {}
    like(norm(conf.get("plain")), r"Название: Старт → Старт Плюс", "a name change also asks (a new version)")
    fake.press(BILLING, BILLING, conf, "Отмена")
    ed = fake.wait_edits(BILLING, conf["message_id"], 1)
    like((ed or {}).get("plain"), r"Отменено; тариф не изменён", "Отмена: nothing changes")
    is_eq(len(versions("t-start")), 2, "still two versions after the cancel")
    got = say(BILLING, "/plan_edit t-start base=3490")
    like(text_of(got), r"Ничего не изменилось", "the same values: nothing to confirm")
    got = say(BILLING, "/plan_edit t-start code=other base=1 colour=red")
    t = text_of(got)
    like(t, r"Код: не меняется", "the code cannot change")
    like(t, r"Неизвестное поле «colour»\. Поля: name, period, base.*archived", "an unknown field lists the editable ones")
    like(t, r"Формат: /plan_edit t-start base=3490 trial_days=7", "with the format")
    got = say(BILLING, "/plan_edit t-start base=12,345")
    like(text_of(got), r"Базовая цена: после запятой не больше двух цифр", "bad money in an edit: named")
    got = say(BILLING, "/plan_edit nosuch base=1")
    like(text_of(got), r"Тариф «nosuch» не найден\. Список: /plans", "an unknown plan")
    is_eq(len(versions("t-start")), 2, "no bad edit made a version")

    got = say(BILLING, "/plan t-start")
    c = card_of(got)
    like(norm(c["plain"]) if c else text_of(got), r"^📋 Старт · t-start · v2", "/plan <code>: the card")
    # version 1 is still there for whoever reads it (invoices point at it)
    is_eq(bot.sql("SELECT base, trial_days FROM plans WHERE id = ?", (v1_id,)), [(299000, 14)], "version 1 readable by id")

    # --- archiving ------------------------------------------------------------------------
    a0 = head()
    got = say(BILLING, "/plan_edit t-start archived=yes", 2)
    like(text_of(got[:1]), r"Тариф «Старт» в архиве: новые подписки на него не оформляются, действующие продолжаются",
         "archived=yes: archived at once, saying what it means")
    c = card_of(got)
    like(c["plain"] if c else "", r"🗄 В архиве", "the card says so")
    is_eq([v[9] for v in versions("t-start")], [1, 1], "every version archived")
    is_eq(audit("plan.archive", a0), [(BILLING, 0, "t-start archived")], "audited")
    got = say(BILLING, "/plans")
    t = text_of(got)
    like(t, r"🗄 t-start · Старт · v2 · в архиве · подписчиков: 1", "/plans marks it archived (its subscriber goes on)")
    ok(t.find("t-pro ·") < t.find("t-start ·"), "archived after the active ones")
    got = say(BILLING, "/plan_edit t-start archived=yes base=1")
    like(text_of(got), r"archived меняется отдельно", "archived with a price: refused, one thing at a time")
    got = say(BILLING, "/plan_edit t-start archived=maybe")
    like(text_of(got), r"archived: yes или no", "archived=maybe: refused with the choices")
    # the card's button restores it
    n = len(fake.sent(BILLING))
    is_eq(data_of(c, "Вернуть из архива"), "pla:t-start:0", "the archived card has a restore button")
    fake.press(BILLING, BILLING, c, "Вернуть из архива")
    ed = fake.wait_edits(BILLING, c["message_id"], 1)
    unlike((ed or {}).get("plain"), r"В архиве", "the press redraws the card without the archive line")
    is_eq(data_of(ed, "В архив"), "pla:t-start:1", "and offers to archive again")
    is_eq([v[9] for v in versions("t-start")], [0, 0], "every version active again")
    is_eq(len(audit("plan.archive", a0)), 2, "the restore is audited too")

    # --- who may ---------------------------------------------------------------------------
    for uid, who in ((SUPPORT, "support"), (DEV, "developer")):
        for cmd in ("/plans", "/plan t-start", "/plan_new code=t-x name=Икс base=1", "/plan_edit t-start base=1"):
            got = say(uid, cmd)
            like(text_of(got), r"⛔ Недостаточно прав", "%s: %s refused" % (who, cmd.split()[0]))
    got = say(ADMIN, "/grant %d manager" % MANAGER)
    like(text_of(got), r"выдана роль «менеджер»", "777 becomes a manager")
    got = say(MANAGER, "/plans")
    t = text_of(got)
    like(t, r"t-start · Старт · v2 · подписчиков: 1", "manager: /plans lists the plans")
    unlike(t, r"/plan_new", "manager: no hint to create one")
    got = say(MANAGER, "/plan t-start")
    c = card_of(got)
    like(c["plain"] if c else text_of(got), r"^📋 Старт · t-start · v2", "manager: /plan shows the card")
    is_eq(buttons(c), [], "manager: the card has no edit or archive buttons")
    for cmd in ("/plan_new code=t-m name=Менеджерский base=1", "/plan_edit t-start base=1",
                "/plan_edit t-start archived=yes"):
        got = say(MANAGER, cmd)
        like(text_of(got), r"⛔ Недостаточно прав", "manager: %s refused" % cmd)
    cb = fake.callback(MANAGER, c["message_id"], "pla:t-start:1")
    ans = fake.wait_answered(cb["callback_query_id"])
    ok(ans and re.search(r"Недостаточно прав", ans["answers"][0].get("text") or ""), "manager: a forged archive press is refused")
    is_eq([v[9] for v in versions("t-start")], [0, 0], "and archives nothing")
    is_eq(len(versions("t-start")), 2, "no version made by anyone refused")
    is_eq(bot.sql_value("SELECT count(*) FROM plans WHERE code IN ('t-x', 't-m')"), 0, "no plan created by anyone refused")

    # everything above: no rejected call (the fake refuses bad HTML), buttons within 64 bytes
    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected (HTML always valid)")
    longest = max(len(b["callback_data"].encode()) for u in (ADMIN, BILLING, MANAGER) for m in fake.sent(u)
                  for b in buttons(m))
    cmp_ok(longest, "<=", 64, "every callback_data is at most 64 bytes")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
