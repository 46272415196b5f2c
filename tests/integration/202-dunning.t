#!/usr/bin/env python3
# 202-dunning.t — the billing jobs (renewal, trial, period end, dunning) end to end under
# libfaketime, in the zone Asia/Vladivostok (UTC+10), with the default [billing] days: invoices
# renew_ahead_days = 7 before the period end, due payment_terms_days = 10 after issue; D+1
# overdue, D+7 suspended, D+14 blocked. Five partners share one calendar: period end E, the
# renewal invoices issued on E-7 and due on D = E+3.
#   P1  the whole ladder: nothing before D+1 (and nothing at 23:00 local of D, while 13:00 UTC);
#       the overdue alert at 23:30 UTC of D, already D+1 in Vladivostok (subscription past_due,
#       one message with the dunning buttons); suspended on D+7, blocked on D+14, the same
#       message edited; every step once (later runs the same day change and send nothing); a
#       payment through POST /api/v1/payments restores it and resolves the alert.
#   P2  paid through D+20: the overdue alert, but no suspension on D+7 or block on D+14; on
#       D+20 both steps at once, once each; on D+21 the payment provider pays through
#       POST /api/v1/payments: active again, the alert resolved.
#   P3  a trial ending on E: the next invoice on E-7, the reminder on E-3 (once), and unpaid on
#       E the subscription ends (rule trial), its invoice is void, the partner suspended.
#   P4  auto-renew off: no invoice; on E the subscription ends (nonrenewal), the partner is
#       suspended, a notice in the billing chat.
#   P5  as P1 until D+7; then a person blocks it by hand: the dunning's block on D+14 leaves
#       it alone, and the payment (/pay) does not lift the hand block.
# The renewal issues each invoice exactly once, on E-7 (not on E-8, not again later).
import os
import re
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()
if not os.path.exists(LIBFAKETIME):
    skip_all("libfaketime is not installed (Debian package faketime)")

ME = SUPERADMIN
BILLING = -100777
TZ = "Asia/Vladivostok"
ZONE = ZoneInfo(TZ)
API_TOKEN = "test-api-token-0123456789abcdef"
CONFIG = {"chats": {"billing": BILLING}, "general": {"timezone": TZ},
          "http": {"listen": "127.0.0.1:0", "api_token": API_TOKEN}}
PRICE = 1000000     # 10 000,00 ₽ a month
EPOCH = date(1970, 1, 1)


def local_day(t):
    return (datetime.fromtimestamp(t, ZONE).date() - EPOCH).days


def at_local(day, hour, minute=0):
    d = EPOCH + timedelta(days=day)
    return int(datetime(d.year, d.month, d.day, hour, minute, tzinfo=ZONE).timestamp())


def at_utc(day, hour, minute=0):
    """The UTC time of the (UTC) calendar day `day`."""
    return day * 86400 + hour * 3600 + minute * 60


def dmy(day):
    return (EPOCH + timedelta(days=day)).strftime("%d.%m.%Y")


def job_runs(bot):
    return bot.sql_value("SELECT count(*) FROM job_runs WHERE job = 'billing_dunning' AND finished_at IS NOT NULL")


def run_at(bot, t, what):
    """Starts the bot at unix time t (faked), waits for both billing jobs of that hour and for
    the outbox to drain, and stops it. True when both jobs ran and succeeded."""
    before = job_runs(bot)
    bot.env.update(faketime_env(t - int(time.time())))
    bot.start()
    ran = wait_for(lambda: job_runs(bot) > before, 20) is not None
    drained = wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 20)
    bot.stop()
    good = bot.sql("SELECT job, ok FROM job_runs WHERE job LIKE 'billing_%' AND slot = ?", (t // 3600,))
    return ok(ran and drained is not None and sorted(good) == [("billing_dunning", 1), ("billing_renewal", 1)],
              "%s: both billing jobs ran and succeeded" % what, good)


def about(fake, pid):
    return [m for m in fake.sent(BILLING) if re.search(r"#%d\b" % pid, m["plain"])]


def status(bot, pid):
    return bot.sql_value("SELECT status FROM partners WHERE id = ?", (pid,))


def sub_row(bot, pid):
    rows = bot.sql("SELECT status, period_start, period_end, end_rule, trial_noticed FROM subscriptions"
                   " WHERE partner_id = ? ORDER BY id DESC LIMIT 1", (pid,))
    return rows[0] if rows else None


def history(bot, pid):
    return bot.sql("SELECT from_status, to_status, actor, rule FROM partner_status_history"
                   " WHERE partner_id = ? ORDER BY id", (pid,))


def buttons(msg):
    return [b["callback_data"] for row in ((msg or {}).get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row]


with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    # --- five partners, made by hand at the real time -----------------------------------------
    bot.start()
    pids = {}
    for k, name in enumerate(("Лестница", "Оплачено вперёд", "Пробный", "Без продления", "Ручной блок")):
        inn = inn10("77070%04d" % (831 + k))
        n = len(fake.sent(ME))
        fake.message(ME, '/partner_new name="%s" legal="ООО «%s»" inn=%s' % (name, name, inn))
        fake.wait_sent(ME, n + 1)
        pids["P%d" % (k + 1)] = bot.sql_value("SELECT id FROM partners WHERE inn = ?", (inn,))
    ok(all(pids.values()), "five partners created", pids)
    P1, P2, P3, P4, P5 = (pids["P%d" % k] for k in range(1, 6))
    bot.stop()

    today = local_day(time.time())
    E = today + 40                      # the period end
    I = E - 7                           # renewal invoices issued
    D = I + 10                          # and due
    dom = (EPOCH + timedelta(days=E)).day
    with sqlite_rw(bot.db_path) as con:
        now = int(time.time())
        cur = con.execute("INSERT INTO plans(code, version, name, yearly, base, trial_days, created_at)"
                          " VALUES ('std', 1, 'Стандарт', 0, ?, 14, ?)", (PRICE, now))
        plan = cur.lastrowid
        for pid, st, autorenew, start, trial_end, paid in (
                (P1, 1, 1, E - 30, 0, E), (P2, 1, 1, E - 30, 0, E), (P3, 0, 1, E - 14, E, 0),
                (P4, 1, 0, E - 30, 0, E), (P5, 1, 1, E - 30, 0, E)):
            con.execute("INSERT INTO subscriptions(partner_id, plan_id, status, autorenew, anchor_dom, started_on,"
                        " period_start, period_end, trial_end, paid_until, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (pid, plan, st, autorenew, dom, start, start, E, trial_end, paid, now, now))

    def invoices(pid):
        return bot.sql("SELECT number, period_start, due_on, status, dunning FROM invoices WHERE partner_id = ?"
                       " ORDER BY id", (pid,))

    # --- renewal: not on E-8; on E-7, once ----------------------------------------------------
    run_at(bot, at_local(I - 1, 12), "E-8")
    is_eq(bot.sql_value("SELECT count(*) FROM invoices"), 0, "E-8: no invoice yet")
    run_at(bot, at_local(I, 12), "E-7")
    for name, pid in (("P1", P1), ("P2", P2), ("P5", P5)):
        inv = invoices(pid)
        is_eq([(r[1], r[2], r[3]) for r in inv], [(E, D, 1)],
              "E-7: %s has one open invoice for the period from E, due E+3" % name)
    # the invoice after a trial is due on the trial's last day, not after the trial has ended
    is_eq([(r[1], r[2], r[3]) for r in invoices(P3)], [(E, E - 1, 1)],
          "E-7: P3 (trialing) has one open invoice for the period from E, due the trial's last day")
    is_eq(invoices(P4), [], "E-7: no invoice for the partner without auto-renew")
    num1 = (invoices(P1) or [("?",)])[0][0]
    notices = [m for m in about(fake, P1) if "Выставлен счёт" in m["plain"]]
    is_eq(len(notices), 1, "one renewal notice for P1 in the billing chat")
    like(notices[0]["plain"] if notices else "",
         r"Выставлен счёт %s: Лестница · #%d, тариф «Стандарт», период %s–\d\d\.\d\d\.\d{4}, на сумму "
         r"10\u202f000,00\u00a0₽, срок оплаты %s\." % (re.escape(num1), P1, dmy(E), dmy(D)),
         "it names the invoice, the period, the amount and the due date")
    sent_before = len(fake.sent(BILLING))
    run_at(bot, at_local(I, 15), "E-7 later")
    is_eq(bot.sql_value("SELECT count(*) FROM invoices"), 4, "a second run the same day issues nothing")
    is_eq(len(fake.sent(BILLING)), sent_before, "and sends nothing")

    # P2 is paid through D+20 (say, a manual extension): the ladder must wait for it
    with sqlite_rw(bot.db_path) as con:
        con.execute("UPDATE subscriptions SET paid_until = ? WHERE partner_id = ?", (D + 20, P2))

    # --- the trial reminder on E-3, once -------------------------------------------------------
    run_at(bot, at_local(E - 3, 12), "E-3")
    trial = [m for m in about(fake, P3) if "Пробный период" in m["plain"]]
    is_eq(len(trial), 1, "E-3: one trial reminder")
    trial_mid = trial[0]["message_id"] if trial else 0
    like(trial[0]["plain"] if trial else "",
         r"Пробный период заканчивается: Пробный · #%d\nТариф «Стандарт», последний день пробного периода %s\."
         r"\nСчёт \S+ выставлен: к оплате 10\u202f000,00\u00a0₽, срок %s" % (P3, dmy(E - 1), dmy(E - 1)),
         "it names the plan, the last trial day and the invoice")
    is_eq((sub_row(bot, P3) or [None] * 5)[4], 1, "trial_noticed is set")
    sent_before = len(fake.sent(BILLING))
    run_at(bot, at_local(E - 3, 16), "E-3 later")
    is_eq(len(fake.sent(BILLING)), sent_before, "no second reminder")

    # --- the period end --------------------------------------------------------------------------
    run_at(bot, at_local(E, 12), "E")
    s1 = sub_row(bot, P1) or (None,) * 5
    is_eq((s1[0], s1[1]), (1, E), "P1 rolled over into the invoiced period (still active, unpaid)")
    ok(s1[2] > E + 27, "its period ends a month later", s1)
    is_eq((sub_row(bot, P3) or (None,) * 5)[:4][::3], (3, "trial"), "P3: the unpaid trial ended (rule trial)")
    is_eq([r[3] for r in invoices(P3)], [3], "its invoice is void")
    is_eq(history(bot, P3), [(0, 1, 0, "trial")], "P3 suspended by the rule trial")
    m = fake.wait_edits(BILLING, trial_mid, 1, timeout=10) or {"plain": ""}
    like(m["plain"], r"⚠️ Пробный период закончился без оплаты: Пробный · #%d\nПодписка завершена, счёт \S+ "
         r"аннулирован\. Партнёр приостановлен\." % P3, "the trial episode is edited to say so")
    is_eq((sub_row(bot, P4) or (None,) * 5)[:4][::3], (3, "nonrenewal"), "P4: not renewed, ended (nonrenewal)")
    is_eq(history(bot, P4), [(0, 1, 0, "subscription")], "P4 suspended by the rule subscription")
    like("\n".join(m["plain"] for m in about(fake, P4)), r"Подписка закончилась: Без продления · #%d" % P4,
         "a notice about P4 in the billing chat")
    is_eq(bot.sql_value("SELECT count(*) FROM audit_log WHERE action IN ('billing.trial_end', 'billing.sub_end')"
                        " AND actor = 0 AND roles = 'system'"), 2, "both ends audited as the system")

    # --- the ladder: nothing on D (23:00 in Vladivostok is 13:00 UTC) -------------------------
    run_at(bot, at_utc(D, 13), "D 23:00 local")
    is_eq([r[4] for r in invoices(P1)], [0], "D: no dunning step yet")
    ok(not [m for m in about(fake, P1) if "Просрочена" in m["plain"]], "D: no overdue alert")
    is_eq((sub_row(bot, P1) or [None])[0], 1, "D: the subscription is active")

    # 23:30 UTC of D is 09:30 of D+1 in Vladivostok: overdue
    run_at(bot, at_utc(D, 23, 30), "D+1 09:30 local (23:30 UTC of D)")
    dun = {}
    for name, pid in (("P1", P1), ("P2", P2), ("P5", P5)):
        got = [m for m in about(fake, pid) if "Просрочена оплата" in m["plain"]]
        is_eq(len(got), 1, "D+1: one overdue alert for %s" % name)
        dun[pid] = got[0] if got else {"message_id": 0, "plain": ""}
        is_eq((sub_row(bot, pid) or [None])[0], 2, "D+1: %s's subscription is past_due" % name)
        is_eq(status(bot, pid), 0, "D+1: %s is still active" % name)
    like(dun[P1]["plain"], r"⚠️ Просрочена оплата: Лестница · #%d\n• %s: 10\u202f000,00\u00a0₽, срок %s, просрочен "
         r"на 1 дн\.\nИтого просрочено: 10\u202f000,00\u00a0₽\nПриостановка %s; блокировка %s"
         % (P1, re.escape(num1), dmy(D), dmy(D + 7)[:5], dmy(D + 14)[:5]),
         "the alert: the invoice, what is overdue, and the days of the next steps")
    like(dun[P2]["plain"], r"Приостановка %s; блокировка %s" % (dmy(D + 20)[:5], dmy(D + 20)[:5]),
         "P2's alert: nothing before the paid-through date")
    is_eq(buttons(dun[P1])[:3], ["dpay:%d" % P1, "dext:%d" % P1, "dblk:%d" % P1],
          "the alert's buttons: Оплата · +7 дней · Заблокировать")
    ok(any(b.startswith("alc:") for b in buttons(dun[P1])), "and the card button")
    is_eq(bot.sql_value("SELECT count(*) FROM audit_log WHERE action = 'billing.dunning' AND partner_id = ?", (P1,)), 1,
          "the step is audited")
    sent_before = len(fake.sent(BILLING))
    run_at(bot, at_local(D + 1, 15), "D+1 15:00 local")
    is_eq(len(fake.sent(BILLING)), sent_before, "the same day again: no new message")
    is_eq([len(dun_m["edits"]) for dun_m in fake.sent(BILLING) if dun_m["message_id"] == dun[P1]["message_id"]], [0],
          "and no edit")

    # --- D+7: suspended (not P2: paid through D+20) -----------------------------------------------
    run_at(bot, at_local(D + 7, 12), "D+7")
    is_eq(history(bot, P1), [(0, 1, 0, "dunning")], "D+7: P1 suspended by the dunning, once")
    is_eq(status(bot, P2), 0, "D+7: P2 is not suspended before its paid-through date")
    m = fake.wait_edits(BILLING, dun[P1]["message_id"], 1, timeout=10) or {"plain": "", "edits": []}
    like(m["plain"], r"🔴 Просрочена оплата: Лестница · #%d\n.*просрочен на 7 дн\.[\s\S]*Приостановлен %s; "
         r"блокировка %s" % (P1, dmy(D + 7)[:5], dmy(D + 14)[:5]), "the same message is edited: critical, suspended")
    is_eq(len([x for x in about(fake, P1) if "Просрочена" in x["plain"]]), 1, "no new message")

    # a person blocks P5 by hand
    bot.env.update(faketime_env(at_local(D + 7, 14) - int(time.time())))
    bot.start()
    n = len(fake.sent(ME))
    fake.message(ME, "/status %d blocked договорились с юристом" % P5)
    conf = (fake.wait_sent(ME, n + 1)[n:] or [{}])[0]
    fake.press(ME, ME, conf, "заблокировать")
    ok(wait_for(lambda: status(bot, P5) == 2, 10), "P5 is blocked by hand")
    bot.stop()

    # --- D+14: blocked, once; the hand block is left alone ---------------------------------------
    run_at(bot, at_local(D + 14, 12), "D+14")
    is_eq(history(bot, P1), [(0, 1, 0, "dunning"), (1, 2, 0, "dunning")], "D+14: P1 blocked by the dunning, once")
    is_eq(history(bot, P5), [(0, 1, 0, "dunning"), (1, 2, ME, "")], "P5: the hand block is not touched")
    is_eq(status(bot, P2), 0, "D+14: P2 still active (paid through D+20)")
    m = fake.wait_edits(BILLING, dun[P1]["message_id"], 2, timeout=10) or {"plain": ""}
    like(m["plain"], r"🔴 [\s\S]*просрочен на 14 дн\.[\s\S]*Заблокирован %s" % dmy(D + 14)[:5], "edited: blocked")
    m5 = [x for x in fake.sent(BILLING) if x["message_id"] == dun[P5]["message_id"]]
    like(m5[0]["plain"] if m5 else "", r"Заблокирован вручную", "P5's alert says the block was a person's")
    hist_before = [history(bot, p) for p in (P1, P2, P5)]
    sent_before = len(fake.sent(BILLING))
    run_at(bot, at_local(D + 14, 18), "D+14 later")
    is_eq([history(bot, p) for p in (P1, P2, P5)], hist_before, "the same day again: no status change")
    is_eq(len(fake.sent(BILLING)), sent_before, "and no new message")
    is_eq(bot.sql_value("SELECT count(*) FROM audit_log WHERE action = 'billing.dunning' AND partner_id = ?", (P1,)), 3,
          "three steps audited for P1, one each")
    is_eq(bot.sql_value("SELECT count(*) FROM invoices WHERE partner_id = ? AND period_start = ?", (P1, E)), 1,
          "the renewal issued P1's invoice exactly once")

    # --- a payment on D+15 ----------------------------------------------------------------------
    bot.env.update(faketime_env(at_local(D + 15, 12) - int(time.time())))
    bot.start()

    def pay(start, what):
        """start() makes the bot ask ME to confirm a payment; the confirmation is pressed."""
        n = len(fake.sent(ME))
        start()
        conf = (fake.wait_sent(ME, n + 1)[n:] or [{}])[0]
        like(conf.get("plain"), r"Платёж[\s\S]*10\u202f000,00\u00a0₽", "%s: the payment is shown to confirm" % what)
        if conf.get("reply_markup"):
            fake.press(ME, ME, conf, "Записать платёж")

    # P1 pays from the alert: «💳 Оплата» asks in the private chat for what is owed
    alert1 = [x for x in fake.sent(BILLING) if x["message_id"] == dun[P1]["message_id"]]
    pay(lambda: fake.press(ME, BILLING, alert1[0], "Оплата"), "«💳 Оплата» on the alert")
    # P5 with /pay
    pay(lambda: fake.message(ME, "/pay %d 10000" % P5), "/pay")
    ok(wait_for(lambda: status(bot, P1) == 0, 10), "P1 is active again after the payment")
    is_eq(history(bot, P1)[-1][1:3], (0, 0), "restored by the system")
    is_eq((sub_row(bot, P1) or [None])[0], 1, "its subscription is active again")
    def resolved():
        got = [x for x in fake.sent(BILLING) if x["message_id"] == dun[P1]["message_id"]]
        return got[0] if got and got[0]["plain"].startswith("✅") else None
    m = wait_for(resolved, 10) or {"plain": "", "reply_markup": None}
    like(m["plain"], r"^✅ Решено: ", "the alert is resolved in place")
    is_eq(buttons(m), [], "without buttons")
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM invoices WHERE partner_id = ? AND status = 2", (P5,)), 10),
       "P5's invoice is paid")
    is_eq(status(bot, P5), 2, "P5 paid, but the hand block survives the payment")
    is_eq(bot.sql_value("SELECT count(*) FROM alerts WHERE key = ? AND state = 0", ("dunning:%d" % P5,)), 0,
          "P5's episode is closed all the same")
    bot.stop()

    # --- P2: never before the paid-through date, then both steps at once --------------------------
    run_at(bot, at_local(D + 19, 12), "D+19")
    is_eq(status(bot, P2), 0, "D+19: P2 still active")
    run_at(bot, at_local(D + 20, 12), "D+20")
    is_eq(history(bot, P2), [(0, 1, 0, "dunning"), (1, 2, 0, "dunning")],
          "D+20: paid-through reached: suspended and blocked, once each")
    is_eq(bot.sql_value("SELECT dunning FROM invoices WHERE partner_id = ? AND period_start = ?", (P2, E)), 3,
          "its invoice reached the last step")
    is_eq(len([x for x in about(fake, P2) if "Просрочена" in x["plain"]]), 1, "still one alert message for P2")
    is_eq(bot.sql_value("SELECT count(*) FROM invoices WHERE partner_id = ? AND period_start = ?", (P1, E)), 1,
          "and P1's invoice for E still once")

    # --- the payment provider pays P2's invoice through the API on D+21 -------------------------
    bot.env.update(faketime_env(at_local(D + 21, 12) - int(time.time())))
    bot.start()
    num2 = bot.sql_value("SELECT number FROM invoices WHERE partner_id = ? AND period_start = ?", (P2, E))
    st, _, raw, body = bot.http("POST", "/api/v1/payments", {"id": "psp-p2-1", "partner": P2, "amount": PRICE,
                                                             "currency": "RUB", "invoice": num2}, token=API_TOKEN)
    is_eq(st, 200, "POST /api/v1/payments for P2 is accepted", raw)
    is_eq(((body or {}).get("payments") or [{}])[0].get("partner_status"), "active",
          "the answer says P2 is active again")
    is_eq(history(bot, P2)[-1], (2, 0, 0, "payment"), "P2 restored by the payment rule")
    dun2 = dun[P2]["message_id"]
    ok(wait_for(lambda: [x for x in fake.sent(BILLING) if x["message_id"] == dun2
                         and x["plain"].startswith("✅ Решено")], 10), "P2's alert is resolved in place")
    bot.stop()
done()
