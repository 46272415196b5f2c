#!/usr/bin/env python3
# 201-billing-commands.t — the billing cycle as billing staff run it from Telegram, through the
# fake Bot API: plans (/plan_new) → /subscribe with its confirmation → the invoice →
# /pay (partial, then the rest from a choice list, with a date and a reference) → the act and
# the credit; /invoices and its filters, /invoice with its buttons, /renew, /invoice_void (the
# command and the invoice's button with a typed reason), a refund, /plan_change at the period
# end, /autorenew, /cancel_subscription, the dunning alert's buttons pressed in the billing
# chat (answers in the presser's private chat), and what is refused: bad amounts and dates,
# unknown numbers, a partner with a live subscription, stale confirmations, support and
# developers, partner data in a group.
import calendar
import datetime
import os
import re
import sys
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ME = SUPERADMIN
SUPPORT, DEV, BILLING = 100000002, 100000003, 100000004
BILLING_CHAT = -1001410000001
CONFIG = {"chats": {"billing": BILLING_CHAT}}

TODAY = datetime.datetime.now(ZoneInfo("Europe/Moscow")).date()
EPOCH = datetime.date(1970, 1, 1)


def day(d):
    return (d - EPOCH).days


def ddmm(d):
    return d.strftime("%d.%m.%Y")


def add_months(d, n, anchor=None):
    anchor = anchor or d.day
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return datetime.date(y, m, min(anchor, calendar.monthrange(y, m)[1]))


def rub(kop):
    """money_format: "14 100,00 ₽" with U+202F between thousands and U+00A0 before ₽."""
    sign = "\u2212" if kop < 0 else ""
    kop = abs(kop)
    r = "{:,}".format(kop // 100).replace(",", "\u202f")
    return "%s%s,%02d\u00a0₽" % (sign, r, kop % 100)


def R(kop):
    return re.escape(rub(kop))


with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    r = bot.run_cli(["demo-seed"])
    is_eq(r.rc, 0, "demo-seed succeeds")
    bot.start()

    def say(text, expect=1, uid=ME, chat=None, timeout=10):
        return fake.say(uid, text, expect, timeout, chat)

    def one(text, uid=ME):
        got = say(text, uid=uid)
        return got[0] if got else {"plain": "", "message_id": 0}

    def press(msg, label, uid=ME, chat=None):
        """Presses a button of msg; returns msg after its next edit."""
        n = len(msg.get("edits") or [])
        fake.press(uid, chat if chat is not None else uid, msg, label)
        return fake.wait_edits(chat if chat is not None else uid, msg["message_id"], n + 1) or {"plain": ""}

    def q(sql, *p):
        return bot.sql(sql, p)

    def v(sql, *p):
        return bot.sql_value(sql, p)

    def my_dialog(uid=ME):
        return bot.sql("SELECT kind, step FROM dialogs WHERE user_id = ?", (uid,))

    # --- plans, made as billing staff make them ----------------------------------------------
    for form in ('code=itest-basic name=Старт period=month base=10000 per_branch=2000 included_branches=1 '
                 'per_user=50 included_users=10 trial_days=14',
                 'code=itest-pro name=Про period=month base=25000 trial_days=0',
                 'code=itest-old name=Старый period=month base=1000 trial_days=0'):
        like(say("/plan_new " + form, 2)[0]["plain"], r"^✅ Тариф создан", "/plan_new " + form.split()[0])
    say("/plan_edit itest-old archived=yes", 2)
    is_eq(q("SELECT code, base, per_branch, per_user, included_branches, included_users, trial_days, archived "
            "FROM plans WHERE code LIKE 'itest-%' ORDER BY id"),
          [("itest-basic", 1000000, 200000, 5000, 1, 10, 14, 0), ("itest-pro", 2500000, 0, 0, 0, 0, 0, 0),
           ("itest-old", 100000, 0, 0, 0, 0, 0, 1)], "three plans, one archived")
    plan_pro = v("SELECT id FROM plans WHERE code = 'itest-pro'")

    # --- two partners (their names share a word: a choice list) ---------------------------
    inns = []
    lead = 770141000
    while len(inns) < 2:
        lead += 1
        cand = inn10(str(lead))
        if not q("SELECT 1 FROM partners WHERE inn = ?", cand):
            inns.append(cand)
    say('/partner_new name="Биллинг Альфа" legal="ООО «Биллинг Альфа»" inn=%s branches=3 users=12' % inns[0], 2)
    say('/partner_new name="Биллинг Бета" legal="ООО «Биллинг Бета»" inn=%s' % inns[1], 2)
    A = v("SELECT id FROM partners WHERE name = 'Биллинг Альфа'")
    B = v("SELECT id FROM partners WHERE name = 'Биллинг Бета'")
    ok(A and B, "two partners created (#%s, #%s)" % (A, B))
    PRICE = 1000000 + 2 * 200000 + 2 * 5000      # base, 2 branches above 1, 2 users above 10
    END = add_months(TODAY, 1)

    # --- /subscribe -----------------------------------------------------------------------
    conf = one("/subscribe %d itest-basic без_пробного" % A)
    t = conf["plain"]
    like(t, r"Подписка · Биллинг Альфа · #%d" % A, "/subscribe: a confirmation for the partner")
    like(t, r"Тариф: Старт \(itest-basic, v1\)", "it names the plan, its code and version")
    like(t, r"Филиалы сверх 1: 2 × 1 × мес\.: 2 × %s = %s" % (R(200000), R(400000)), "the branches line")
    like(t, r"Итого: %s/мес" % R(PRICE), "the price at the partner's size: %s" % rub(PRICE))
    like(t, r"Первый период: %s – %s" % (ddmm(TODAY), ddmm(END - datetime.timedelta(days=1))),
         "the first period")
    like(t, r"срок оплаты %s" % ddmm(TODAY + datetime.timedelta(days=10)), "the due date: today + 10 days")
    is_eq(data_of(conf, "Оформить"), "sok:%d:0" % A, "a confirm button sok:<partner>:0")
    is_eq(v("SELECT count(*) FROM subscriptions WHERE partner_id = ?", A), 0, "nothing before the press")
    is_eq(my_dialog(), [("bill_subscribe", 1)], "the pending action waits in the dialog row")
    got = say("что-то")
    like(got[0]["plain"] if got else "", r"Подтвердите кнопкой выше или /cancel", "typed text: use the button")
    res = press(conf, "Оформить")
    N1 = v("SELECT number FROM invoices WHERE partner_id = ?", A)
    like(res["plain"], r"✅ Подписка оформлена: Биллинг Альфа → Старт \(itest-basic, v1\)\.", "the press subscribes")
    like(res["plain"], r"Выставлен счёт %s на %s, срок оплаты %s\." % (re.escape(N1 or "?"), R(PRICE),
         ddmm(TODAY + datetime.timedelta(days=10))), "and names the invoice issued")
    is_eq(q("SELECT status, autorenew, period_start, period_end FROM subscriptions WHERE partner_id = ?", A),
          [(1, 1, day(TODAY), day(END))], "stored: active, auto-renewing, the period")
    is_eq(q("SELECT status, amount, paid, due_on FROM invoices WHERE number = ?", N1),
          [(1, PRICE, 0, day(TODAY) + 10)], "the invoice: open, the amount, unpaid, due in 10 days")
    is_eq(my_dialog(), [], "the pending action is consumed")
    fake.callback(ME, conf["message_id"], "sok:%d:0" % A)
    again = fake.wait_edits(ME, conf["message_id"], 2) or {"plain": ""}
    like(again["plain"], r"устарело или уже выполнено", "a second press of the confirmation: stale")
    is_eq(v("SELECT count(*) FROM invoices WHERE partner_id = ?", A), 1, "still one invoice")

    got = one("/subscribe %d itest-pro" % A)
    like(got["plain"], r"уже подписан \(🟢 активна\)\. Сменить тариф: /plan_change %d itest-pro" % A,
         "a partner with a live subscription: pointed to /plan_change")
    like(one("/subscribe %d nosuch" % A)["plain"], r"Тариф «nosuch» не найден", "an unknown plan code")
    like(one("/subscribe %d itest-old" % A)["plain"], r"Тариф «itest-old» в архиве", "an archived plan")
    like(one("/subscribe %d itest-basic maybe" % A)["plain"], r"Третье слово — trial", "a bad third word")
    is_eq(my_dialog(), [], "no refused command leaves an action pending")

    # --- /invoice, /invoices --------------------------------------------------------------
    inv = one("/invoice %s" % N1)
    t = inv["plain"]
    like(t, r"Счёт %s · открыт\nПартнёр: Биллинг Альфа · #%d" % (re.escape(N1), A), "/invoice: number, status, partner")
    like(t, r"Тариф «Старт», 1 × мес\.: 1 × %s = %s" % (R(1000000), R(1000000)), "its base line")
    like(t, r"Итого: %s\nОплачено: %s · осталось: %s" % (R(PRICE), R(0), R(PRICE)), "total, paid and left")
    ok(data_of(inv, "Оплата") == "ipy:%d" % v("SELECT id FROM invoices WHERE number = ?", N1)
       and data_of(inv, "Аннулировать"), "the «Оплата» and «Аннулировать» buttons")
    like(one("/invoice 2099-9999")["plain"], r"Счёт «2099-9999» не найден\. Номер вида 2026-0001",
         "an unknown invoice number: what numbers look like")
    read = q("SELECT actor, detail FROM audit_log WHERE partner_id = ? AND action = 'billing.read' "
             "ORDER BY id DESC LIMIT 1", A)
    is_eq(read, [(ME, "invoice %s" % N1)], "reading the invoice is audited")

    lst = one("/invoices %d" % A)
    like(lst["plain"], r"Счета 1–1 из 1 · Биллинг Альфа\n• %s · %s · срок %s · открыт" % (
        re.escape(N1), R(PRICE), ddmm(TODAY + datetime.timedelta(days=10))), "/invoices <partner>: its invoice")
    like(one("/invoices open")["plain"], r"%s · Биллинг Альфа · %s" % (re.escape(N1), R(PRICE)),
         "/invoices open lists it with the partner's name")
    unlike(one("/invoices overdue")["plain"], re.escape(N1), "/invoices overdue does not (not due yet)")

    # --- /pay: bad inputs -----------------------------------------------------------------
    bad = [
        ("/pay %d abc" % A, r"Сумма: должна начинаться с цифры(.|\n)*Формат: /pay", "letters for an amount"),
        ("/pay %d 0" % A, r"Сумма: нужна больше нуля", "a zero amount"),
        ("/pay %d 1e3" % A, r"Сумма: запись со степенью(.|\n)*Формат: /pay", "an exponent (1e3)"),
        ("/pay %d 1,555" % A, r"после запятой не больше двух цифр", "three decimals"),
        ("/pay %d 100 01.01.2099" % A, r"Дата платежа в будущем", "a date in the future"),
        ("/pay %d 100 31.02.2026" % A, r"Дата: такого дня нет", "a date not in the calendar"),
        ("/pay 2099-0001 100", r"Счёт «2099-0001» не найден", "an unknown invoice number"),
        ("/pay Нетакогопартнёра 100", r"Партнёр «Нетакогопартнёра» не найден", "an unknown partner"),
        ("/pay %d -500" % A, r"Возврат: укажите причину", "a refund without a reason"),
    ]
    for cmd, pat, what in bad:
        like(one(cmd)["plain"], pat, "/pay refuses %s" % what)
    is_eq(v("SELECT count(*) FROM payments WHERE partner_id = ?", A), 0, "no payment recorded")
    is_eq(my_dialog(), [], "nothing left pending")

    # --- /pay: part of the invoice, by its number, "5 000" in two words --------------------
    conf = one("/pay %s 5 000" % N1)
    t = conf["plain"]
    like(t, r"Платёж · Биллинг Альфа · #%d\nСумма: %s · дата: %s" % (A, R(500000), ddmm(TODAY)),
         "/pay <invoice> 5 000: the confirmation shows the amount and today")
    like(t, r"Будет зачтено:\n• %s: %s \(останется %s\)" % (re.escape(N1), R(500000), R(PRICE - 500000)),
         "what it goes to (billing_pay_preview)")
    like(t, r"На балансе \(аванс\) после: %s" % R(0), "and the credit left")
    like(t, r"/pay %s 5000,00 ДД\.ММ\.ГГГГ основание" % re.escape(N1), "the exact command for another amount")
    res = press(conf, "Записать платёж")
    like(res["plain"], r"✅ Платёж записан: %s · Биллинг Альфа · %s\n• %s: %s, осталось %s" % (
        R(500000), ddmm(TODAY), re.escape(N1), R(500000), R(PRICE - 500000)), "recorded, with what it paid")
    is_eq(q("SELECT amount, received_on, source, recorded_by FROM payments WHERE partner_id = ?", A),
          [(500000, day(TODAY), "manual", ME)], "stored: amount, date, source manual, who recorded it")
    is_eq(q("SELECT status, paid FROM invoices WHERE number = ?", N1), [(1, 500000)], "the invoice: still open, part paid")
    is_eq(v("SELECT count(*) FROM audit_log WHERE partner_id = ? AND action = 'billing.pay' AND actor = ?", A, ME), 1,
          "the payment is audited")

    # --- /pay: the rest and more, from a choice list, with a date and a reference -----------
    YDAY = TODAY - datetime.timedelta(days=1)
    ch = one("/pay Биллинг 10000 %s п/п 42" % ddmm(YDAY))
    like(ch["plain"], r"Нашлось несколько партнёров", "an ambiguous partner: a choice list")
    is_eq(sorted(b["callback_data"] for b in buttons(ch)), sorted(["ypk:%d" % A, "ypk:%d" % B]),
          "its buttons continue the payment (ypk:<partner>)")
    is_eq(my_dialog(), [("bill_pay", 0)], "the payment waits for the choice")
    conf = press(ch, "Альфа")
    t = conf["plain"]
    like(t, r"Сумма: %s · дата: %s\nОснование: п/п 42" % (R(1000000), ddmm(YDAY)), "the choice shows the confirmation")
    like(t, r"• %s: %s — оплачен полностью\nНа балансе \(аванс\) после: %s" % (
        re.escape(N1), R(PRICE - 500000), R(1000000 - (PRICE - 500000))), "the rest pays it, the remainder is credit")
    res = press(conf, "Записать платёж")
    CREDIT = 1000000 - (PRICE - 500000)
    like(res["plain"], r"• %s: %s — оплачен\nАктов создано: 1\nНа балансе \(аванс\): %s" % (
        re.escape(N1), R(PRICE - 500000), R(CREDIT)), "paid in full: an act, the credit")
    is_eq(q("SELECT status, paid FROM invoices WHERE number = ?", N1), [(2, PRICE)], "the invoice is paid")
    is_eq(q("SELECT amount, received_on, reference FROM payments WHERE partner_id = ? ORDER BY id DESC LIMIT 1", A),
          [(1000000, day(YDAY), "п/п 42")], "the payment keeps its date and reference")
    fake.callback(ME, conf["message_id"], "yok:%d:0" % A)
    like((fake.wait_edits(ME, conf["message_id"], len(res["edits"]) + 1) or {}).get("plain"), r"устарело",
         "a double press: stale")
    is_eq(v("SELECT count(*) FROM payments WHERE partner_id = ?", A), 2, "recorded once")

    acts = one("/acts %d" % A)
    ACT = v("SELECT number FROM acts WHERE partner_id = ?", A)
    like(acts["plain"], r"Акты · Биллинг Альфа\n• %s · %s – %s · %s · от %s · счёт %s" % (
        re.escape(ACT or "?"), ddmm(TODAY), ddmm(END - datetime.timedelta(days=1)), R(PRICE), ddmm(TODAY),
        re.escape(N1)), "/acts: the act of the paid period")
    pays = one("/payments %d" % A)
    like(pays["plain"], r"• %s · %s · вручную · п/п 42" % (ddmm(YDAY), R(1000000)), "/payments: with the reference")
    like(pays["plain"], r"• %s · %s · вручную" % (ddmm(TODAY), R(500000)), "and the first payment")

    card = [m for m in say("/partner %d" % A) if m["plain"].startswith("🏢")]
    ct = card[0]["plain"] if card else ""
    like(ct, r"Тариф: Старт · %s/мес · 🟢 активна\nОплачено по: %s · следующий платёж: %s\nБаланс: аванс %s" % (
        R(PRICE), ddmm(END - datetime.timedelta(days=1)), ddmm(END), R(CREDIT)), "the card's billing lines")
    is_eq(data_of(card[0] if card else {}, "^Биллинг$"), "sub:%d" % A, "the card has a «Биллинг» button")

    # --- a refund -------------------------------------------------------------------------
    like(one("/pay %d -5000 ошибка" % A)["plain"], r"Возврат больше баланса партнёра: на балансе %s" % R(CREDIT),
         "a refund over the credit: refused")
    like(one("/pay %s -100 причина" % N1)["plain"], r"Возврат — с баланса партнёра, не по счёту", "a refund of an invoice")
    conf = one("/pay %d -500 возврат переплаты" % A)
    like(conf["plain"], r"Возврат · Биллинг Альфа(.|\n)*Причина: возврат переплаты(.|\n)*останется %s" % R(CREDIT - 50000),
         "a refund: its reason and the credit left")
    res = press(conf, "Записать возврат")
    like(res["plain"], r"✅ Возврат записан: %s" % R(50000), "recorded")
    CREDIT -= 50000
    is_eq(q("SELECT amount, reason FROM payments WHERE partner_id = ? AND amount < 0", A),
          [(-50000, "возврат переплаты")], "stored negative, with the reason")
    is_eq(v("SELECT count(*) FROM audit_log WHERE partner_id = ? AND action = 'billing.refund'", A), 1, "audited")

    # --- /plan_change at the period end, /autorenew -----------------------------------------
    prev = one("/plan_change %d itest-pro" % A)
    t = prev["plain"]
    like(t, r"Смена тарифа · Биллинг Альфа · #%d\nСтарт \(itest-basic, v1\) → Про \(itest-pro, v1\)" % A,
         "/plan_change: a preview from → to")
    like(t, r"Цена за период: %s/мес → %s/мес" % (R(PRICE), R(2500000)), "old and new price")
    like(t, r"С конца периода: новый тариф с %s" % ddmm(END), "the date at the period end")
    is_eq(data_of(prev, r"^С конца периода \(%s\)$" % re.escape(ddmm(END))), "cok:%d:0" % A, "its button (cok:…:0)")
    ok(data_of(prev, r"^Сейчас, с перерасчётом") == "cok:%d:1" % A and data_of(prev, "^Отмена$") == "bxn:",
       "and «Сейчас, с перерасчётом (…)», «Отмена»")
    res = press(prev, "^С конца периода")
    like(res["plain"], r"✅ Биллинг Альфа: Про \(itest-pro, v1\) — с %s" % ddmm(END), "applied at the period end")
    is_eq(v("SELECT next_plan_id FROM subscriptions WHERE partner_id = ?", A), plan_pro, "next_plan_id is Про")
    sub = one("/subscription %d" % A)
    like(sub["plain"], r"Смена тарифа: → Про \(itest-pro, v1\) с %s" % ddmm(END), "/subscription shows the change")
    like(sub["plain"], r"История\n• %s – %s · itest-basic · 🟢 активна" % (ddmm(TODAY), ddmm(END - datetime.timedelta(days=1))),
         "and the history")
    like(one("/autorenew %d выкл" % A)["plain"], r"✅ Автопродление выключено: Биллинг Альфа", "/autorenew выкл")
    is_eq(v("SELECT autorenew FROM subscriptions WHERE partner_id = ?", A), 0, "stored")
    like(one("/autorenew %d off" % A)["plain"], r"Автопродление уже выключено", "off again: said so")
    like(one("/autorenew %d on" % A)["plain"], r"✅ Автопродление включено", "/autorenew on")
    like(one("/autorenew %d может" % A)["plain"], r"Второе слово — on или off", "a bad switch word")

    # --- /renew, /invoice_void --------------------------------------------------------------
    like(one("/renew %d 13" % A)["plain"], r"Число периодов — от 1 до 12", "/renew 13: refused")
    conf = one("/renew %d 2" % A)
    like(conf["plain"], r"Продление · Биллинг Альфа\nТариф: Про \(itest-pro, v1\)\nПериодов: 2, %s – %s" % (
        ddmm(END), ddmm(add_months(TODAY, 3) - datetime.timedelta(days=1))), "/renew 2: the next plan, two periods")
    like(conf["plain"], r"Сумма счёта: %s" % R(5000000), "priced at the plan it will be on")
    res = press(conf, "Выставить счёт")
    N2 = v("SELECT number FROM invoices WHERE partner_id = ? ORDER BY id DESC LIMIT 1", A)
    like(res["plain"], r"✅ Продление: Биллинг Альфа(.|\n)*Выставлен счёт %s на %s \(зачтено с баланса %s\)" % (
        re.escape(N2), R(5000000), R(CREDIT)), "issued, the credit applied")
    is_eq(q("SELECT periods, amount, paid, status FROM invoices WHERE number = ?", N2), [(2, 5000000, CREDIT, 1)],
          "stored: 2 periods")
    like(one("/renew %d" % A)["plain"], r"Счёт за следующий период уже выставлен и не оплачен: %s" % re.escape(N2),
         "renewing again while it is unpaid: refused, naming it")

    like(one("/invoice_void %s x" % N2)["plain"], r"Причина аннулирования: от 3 до 500 символов", "a too short reason")
    like(one("/invoice_void %s по ошибке" % N1)["plain"], r"Аннулировать можно только открытый счёт; счёт %s сейчас: ✅ оплачен"
         % re.escape(N1), "a paid invoice cannot be voided")
    conf = one("/invoice_void %s выставлен по ошибке" % N2)
    like(conf["plain"], r"Аннулировать счёт %s · Биллинг Альфа\nСумма: %s; оплаченные %s вернутся на баланс" % (
        re.escape(N2), R(5000000), R(CREDIT)), "/invoice_void: the confirmation says where the paid money goes")
    res = press(conf, "Да, аннулировать")
    like(res["plain"], r"✅ Счёт %s аннулирован\. Баланс партнёра \(аванс\): %s\." % (re.escape(N2), R(CREDIT)), "voided")
    is_eq(q("SELECT status, void_reason FROM invoices WHERE number = ?", N2), [(3, "выставлен по ошибке")], "stored")
    is_eq(v("SELECT count(*) FROM audit_log WHERE partner_id = ? AND action = 'billing.void'", A), 1, "audited")

    # the invoice's «Аннулировать» button asks for the reason
    press(one("/renew %d" % A), "Выставить счёт")
    N3 = v("SELECT number FROM invoices WHERE partner_id = ? ORDER BY id DESC LIMIT 1", A)
    inv = one("/invoice %s" % N3)
    n = len(fake.sent(ME))
    fake.press(ME, ME, inv, "Аннулировать")
    got = fake.wait_sent(ME, n + 1)[n:]
    like(got[0]["plain"] if got else "", r"Причина аннулирования счёта %s\?" % re.escape(N3), "the button asks for a reason")
    is_eq(my_dialog(), [("bill_void", 2)], "and waits for it")
    conf = one("тариф выбран неверно")
    like(conf["plain"], r"Аннулировать счёт %s(.|\n)*Причина: тариф выбран неверно" % re.escape(N3),
         "the typed reason leads to the confirmation")
    press(conf, "Да, аннулировать")
    is_eq(v("SELECT status FROM invoices WHERE number = ?", N3), 3, "voided")

    # an overdue invoice
    press(one("/renew %d" % A), "Выставить счёт")
    N4 = v("SELECT number FROM invoices WHERE partner_id = ? ORDER BY id DESC LIMIT 1", A)
    with sqlite_rw(bot.db_path) as db:
        db.execute("UPDATE invoices SET issued_on = ?, due_on = ? WHERE number = ?",
                   (day(TODAY) - 12, day(TODAY) - 2, N4))
    OWED = v("SELECT amount - paid FROM invoices WHERE number = ?", N4)
    like(one("/invoices overdue")["plain"], r"⚠️ %s · Биллинг Альфа · [^\n]* · ⚠️ просрочен" % re.escape(N4),
         "/invoices overdue: the overdue one, marked")
    unlike(one("/invoices overdue")["plain"], re.escape(N1), "not the paid one")
    card = [m for m in say("/partner %d" % A) if m["plain"].startswith("🏢")]
    like(card[0]["plain"] if card else "", r"Баланс: долг %s \(⚠️ просрочено %s\)" % (R(OWED), R(OWED)),
         "the card shows the debt and what is overdue")

    # the invoice's «Оплата» button, then «Отмена»
    inv = one("/invoice %s" % N4)
    conf = press(inv, "Оплата")
    like(conf["plain"], r"Платёж · Биллинг Альфа(.|\n)*Сумма: %s" % R(OWED), "«Оплата»: a payment of what is left")
    res = press(conf, "^Отмена$")
    like(res["plain"], r"Отменено; ничего не изменено", "«Отмена» cancels")
    is_eq(v("SELECT count(*) FROM payments WHERE partner_id = ?", A), 3, "nothing recorded")
    ok(v("SELECT count(*) FROM audit_log WHERE partner_id = ? AND action = 'billing.read'"
         " AND detail = 'confirmation: bill_pay'", A) >= 1,
       "the cancelled confirmation is a read of the partner's billing: audited")

    # --- the dunning alert's buttons in the billing chat --------------------------------------
    grp_before = len(fake.sent(BILLING_CHAT))
    n = len(fake.sent(BILLING))
    fake.callback(BILLING, 777, "dext:%d" % A, chat_id=BILLING_CHAT)
    got = fake.wait_sent(BILLING, n + 1)[n:]
    like(got[0]["plain"] if got else "", r"✅ Отсрочка на 7 дней: шагов взыскания не будет до %s · Биллинг Альфа" % ddmm(
        TODAY + datetime.timedelta(days=7)), "dext: the answer in the presser's private chat")
    is_eq(v("SELECT hold_until FROM invoices WHERE number = ?", N4), day(TODAY) + 7, "the invoice is on hold")
    n = len(fake.sent(BILLING))
    fake.callback(BILLING, 777, "dpay:%d" % A, chat_id=BILLING_CHAT)
    got = fake.wait_sent(BILLING, n + 1)[n:]
    conf = got[0] if got else {"plain": "", "message_id": 0}
    like(conf["plain"], r"Платёж · Биллинг Альфа(.|\n)*Сумма: %s(.|\n)*• %s: %s — оплачен полностью" % (
        R(OWED), re.escape(N4), R(OWED)), "dpay: a confirmation of everything owed, in private")
    res = press(conf, "Записать платёж", uid=BILLING)
    like(res["plain"], r"✅ Платёж записан: %s" % R(OWED), "confirmed by the billing member: recorded")
    is_eq(q("SELECT status FROM invoices WHERE number = ?", N4), [(2,)], "the overdue invoice is paid")
    is_eq(v("SELECT recorded_by FROM payments WHERE partner_id = ? ORDER BY id DESC LIMIT 1", A), BILLING,
          "recorded by the presser")
    n = len(fake.sent(BILLING))
    fake.callback(BILLING, 777, "dext:%d" % A, chat_id=BILLING_CHAT)
    got = fake.wait_sent(BILLING, n + 1)[n:]
    like(got[0]["plain"] if got else "", r"Просроченных счетов нет", "dext with nothing overdue: said so")
    ns = len(fake.sent(SUPPORT))
    fake.callback(SUPPORT, 777, "dpay:%d" % A, chat_id=BILLING_CHAT)
    time.sleep(1)
    is_eq(len(fake.sent(SUPPORT)), ns, "support's press of dpay does nothing")
    is_eq(len(fake.sent(BILLING_CHAT)), grp_before, "nothing about the partner is posted in the group")

    # --- who may -------------------------------------------------------------------------
    like(one("/pay %d 100" % A, uid=SUPPORT)["plain"], r"⛔ Недостаточно прав", "support cannot record payments")
    like(one("/invoice_void %s тест" % N4, uid=DEV)["plain"], r"⛔ Недостаточно прав", "developers cannot void")
    like(one("/invoice %s" % N1, uid=DEV)["plain"], r"⛔ Недостаточно прав", "developers cannot read invoices")
    like(one("/subscribe %d itest-basic" % B, uid=DEV)["plain"], r"⛔ Недостаточно прав", "nor subscribe")
    like(one("/invoice %s" % N1, uid=SUPPORT)["plain"], r"открывается поддержке только по тикету",
         "support without a ticket session: asked for the ticket")
    like(one("/invoices", uid=SUPPORT)["plain"], r"Поддержке — только счета партнёра по тикету", "support: no overview")
    say("/access %d ticket T-141" % A, uid=SUPPORT)
    inv = one("/invoice %s" % N1, uid=SUPPORT)
    like(inv["plain"], r"Счёт %s · ✅ оплачен" % re.escape(N1), "support inside a ticket session reads the invoice")
    is_eq([data_of(inv, "Оплата"), data_of(inv, "Аннулировать")], [None, None], "without the change buttons")
    fake.callback(DEV, 1, "sok:%d:0" % B)
    fake.callback(SUPPORT, 1, "yok:%d:0" % A)
    time.sleep(1)
    is_eq(v("SELECT count(*) FROM subscriptions WHERE partner_id = ?", B), 0, "a forged confirm press changes nothing")
    got = say("/invoice@%s %s" % (BOT_USERNAME, N1), chat=BILLING_CHAT)
    like(got[0]["plain"] if got else "", r"только в личном чате", "a partner's invoice is never shown in a group")

    # --- /cancel_subscription, a hand block ---------------------------------------------------
    like(one("/cancel_subscription %d" % A)["plain"], r"/cancel_subscription", "the reason is required (usage)")
    conf = one("/cancel_subscription %d переходят к конкуренту" % A)
    like(conf["plain"], r"Отмена подписки · Биллинг Альфа\nПодписка закончится в конце периода: последний день %s" %
         ddmm(END - datetime.timedelta(days=1)), "a confirmation with the last day")
    res = press(conf, "Да, отменить")
    like(res["plain"], r"✅ Подписка отменена: Биллинг Альфа", "cancelled")
    is_eq(q("SELECT cancel_at_end, autorenew, cancel_reason FROM subscriptions WHERE partner_id = ? AND status <> 3", A),
          [(1, 0, "переходят к конкуренту")], "stored: at the period end, with the reason")
    n = len(fake.sent(BILLING))
    fake.callback(BILLING, 777, "dblk:%d" % A, chat_id=BILLING_CHAT)
    got = fake.wait_sent(BILLING, n + 1)[n:]
    conf = got[0] if got else {"plain": "", "message_id": 0}
    like(conf["plain"], r"Заблокировать сейчас · Биллинг Альфа", "dblk: a confirmation in private")
    is_eq(v("SELECT status FROM partners WHERE id = ?", A), 0, "not blocked before the press")
    res = press(conf, "Да, заблокировать", uid=BILLING)
    like(res["plain"], r"✅ Заблокирован: Биллинг Альфа", "blocked")
    is_eq(q("SELECT to_status, actor FROM partner_status_history WHERE partner_id = ? ORDER BY id DESC LIMIT 1", A),
          [(2, BILLING)], "a block by a person (the payment rule will not lift it)")

    # --- a trial, then a switch now (a trial's switch starts a paid period at once) ------------
    conf = one("/subscribe %d itest-basic" % B)
    TRIAL_END = TODAY + datetime.timedelta(days=14)
    like(conf["plain"], r"Итого: %s/мес\nПробный период: 14 дн\., по %s" % (R(1000000), ddmm(TRIAL_END - datetime.timedelta(days=1))),
         "/subscribe without a word: the plan's trial")
    res = press(conf, "Оформить")
    like(res["plain"], r"Пробный период по %s\." % ddmm(TRIAL_END - datetime.timedelta(days=1)), "subscribed to a trial")
    unlike(res["plain"], r"Выставлен счёт", "no invoice for a trial")
    is_eq(q("SELECT status, trial_end FROM subscriptions WHERE partner_id = ?", B), [(0, day(TRIAL_END))], "stored: trialing")
    is_eq(v("SELECT count(*) FROM invoices WHERE partner_id = ?", B), 0, "nothing invoiced")
    card = [m for m in say("/partner %d" % B) if m["plain"].startswith("🏢")]
    like(card[0]["plain"] if card else "", r"Тариф: Старт · %s/мес · 🧪 пробный период\nПробный период по %s" % (
        R(1000000), ddmm(TRIAL_END - datetime.timedelta(days=1))), "the card shows the trial")
    prev = one("/plan_change %d itest-pro сейчас" % B)
    like(prev["plain"], r"Сейчас: новый период с сегодняшнего дня(.|\n)*счёт на %s" % R(2500000),
         "/plan_change now of a trial: a fresh period in full")
    first = buttons(prev)[0] if buttons(prev) else {}
    is_eq((first.get("text"), first.get("callback_data")), ("Сейчас, с перерасчётом (%s)" % rub(2500000), "cok:%d:1" % B),
          "«now» asked for: its button comes first")
    res = press(prev, "^Сейчас")
    NB = v("SELECT number FROM invoices WHERE partner_id = ?", B)
    like(res["plain"], r"✅ Биллинг Бета: Про \(itest-pro, v1\) — с сегодняшнего дня\.\nВыставлен счёт %s на %s" % (
        re.escape(NB or "?"), R(2500000)), "switched now, the new period invoiced")
    is_eq(q("SELECT status, plan_id, period_start FROM subscriptions WHERE partner_id = ? AND status <> 3", B),
          [(1, plan_pro, day(TODAY))], "stored: active on Про from today")

    acts = dict(q("SELECT action, count(*) FROM audit_log WHERE partner_id = ? GROUP BY action", A))
    for a in ("subscription.create", "subscription.change", "subscription.autorenew", "subscription.renew",
              "subscription.cancel", "billing.pay", "billing.refund", "billing.void", "billing.extend", "billing.read"):
        ok(acts.get(a, 0) >= 1, "audit has %s" % a)

    is_eq(bot.stop(), 0, "the bot stops cleanly")
done()
