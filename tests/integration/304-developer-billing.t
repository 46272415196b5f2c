#!/usr/bin/env python3
# 304-developer-billing.t — developers never read billing. A sweep of every view a developer
# can reach (the help, the team, partner lists and cards, status histories, activity, volumes,
# health, /alerts and each alert kind, the card an alert button sends) over the demo's partners
# in every billing state (paying, on a trial, past due, suspended and blocked by the dunning):
# no message or edit sent to the developer holds a billing word (plan, subscription, paid
# through, next payment, balance, overdue, trial, an invoice number, an amount in roubles, the
# dunning's rule names) or a button leading to billing. The same sweep over a billing member's
# messages finds them (so it can fail), and the developer still sees what is theirs: the
# partner's status, activity and the system's alerts.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()

DEV, BILLING = 100000003, 100000004      # demo-seed's developer and billing member

# What billing looks like in a message: its words (ru and en), money, invoice and act numbers.
# (The CRM's own data volumes, "платежей: N" in /volume, are the developers': not matched.)
BILLING_TEXT = re.compile(r"тариф|оплат|оплач|платёж\b|платеж\b|баланс|долг|аванс|подписк|просроч|пробн|"
                          r"₽|руб\b|счёт|счет|\bакты?\b|plan\b|paid|payment\b|balance|overdue|subscri|"
                          r"trial|invoice|dunning|credit|\b(?:А-)?20\d\d-\d{4}\b", re.I)
# The verbs of the billing block's buttons (handlers/billing/*: the tables' rows).
BILLING_VERBS = {"sub", "spk", "sok", "bxn", "cpk", "cok", "inl", "inv", "invp", "acts", "pays", "ivd",
                 "iok", "ipy", "ypk", "yok", "dpay", "dext", "dblk", "plc", "ple", "pla", "plo", "pln"}


def texts(m):
    return [m["plain"]] + [e.get("plain") or e.get("text") or "" for e in m.get("edits", [])]


def leaks(fake, uid):
    """(billing words found, billing buttons found) in everything sent to uid."""
    words, verbs = set(), set()
    for m in fake.sent(uid):
        for t in texts(m):
            words |= {w.group(0) for w in BILLING_TEXT.finditer(t)}
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", []):
            verbs |= {b["callback_data"].split(":")[0] for b in row if b.get("callback_data")} & BILLING_VERBS
    return sorted(words), sorted(verbs)


with Fake() as fake, Bot(fake) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()
    say = fake.say

    # partners in every billing state the demo has
    trial_pid = bot.sql_value("SELECT partner_id FROM alerts WHERE kind = 'trial' AND state = 0 LIMIT 1")
    dun = bot.sql("SELECT a.id, a.partner_id, p.status FROM alerts a JOIN partners p ON p.id = a.partner_id"
                  " WHERE a.kind = 'dunning' AND a.state = 0 ORDER BY p.status")
    paying = bot.sql_value("SELECT s.partner_id FROM subscriptions s JOIN partners p ON p.id = s.partner_id"
                           " WHERE s.status = 1 AND p.status = 0 ORDER BY s.partner_id LIMIT 1")
    pids = [paying, trial_pid] + [d[1] for d in dun]
    ok(paying and trial_pid and {d[2] for d in dun} >= {0, 1, 2},
       "partners paying, on a trial, past due, suspended and blocked by the dunning: %s" % pids)

    # --- every view a developer reaches ---------------------------------------------------------
    for cmd in ("/help", "/whoami", "/team", "/partners", "/partners приостановлен", "/partners заблокирован",
                "/dormant", "/top", "/volume", "/health"):
        got = say(DEV, cmd)
        ok(got, "developer %s: answered" % cmd)
    def history(uid, pid):
        """uid's card of pid, then its «История» (the edited message's text)."""
        got = say(uid, "/partner %d" % pid)
        card = next((m for m in got if m["plain"].startswith("🏢")), None)
        like(card["plain"] if card else "", r"Статус: ", "%d /partner %d: the card, with the partner's status" % (uid, pid))
        if not card:
            return ""
        fake.press(uid, uid, card, "История")
        e = fake.wait_edits(uid, card["message_id"], len(card["edits"]) + 1)
        like(e["plain"] if e else "", r"История статусов", "%d: the status history of #%d" % (uid, pid))
        return e["plain"] if e else ""

    suspended = next(d[1] for d in dun if d[2] == 1)
    for pid in pids:
        h = history(DEV, pid)
        if pid == suspended:
            like(h, r"активен → 🟡 приостановлен · система", "the dunning's suspension reads «система» to the developer")
        say(DEV, "/activity %d" % pid)
        say(DEV, "/volume %d" % pid)
    got = say(DEV, "/alerts")
    like(got[0]["plain"] if got else "", r"тревог", "developer /alerts: answered")
    for kind in ("dunning", "trial"):
        got = say(DEV, "/alerts %s" % kind)
        like(got[0]["plain"] if got else "", r"⛔", "developer /alerts %s: refused" % kind)
    for aid, pid, _ in dun[:1]:
        cb = fake.callback(DEV, 1, "alc:%d" % aid)
        fake.wait_answered(cb["callback_query_id"])

    words, verbs = leaks(fake, DEV)
    is_eq(words, [], "no billing word or figure in any message or edit sent to the developer")
    is_eq(verbs, [], "and no button leading to billing")

    # --- the developer's own things are still there ------------------------------------------------
    sent = "\n".join(t for m in fake.sent(DEV) for t in texts(m))
    like(sent, r"приостановлен", "the developer sees a suspended partner's status")
    like(sent, r"заблокирован", "and a blocked one's")
    like(sent, r"Входов|входов|вход", "and activity")

    # --- the sweep finds billing where it is shown -------------------------------------------------
    for pid in pids[:3]:
        say(BILLING, "/partner %d" % pid)
    like(history(BILLING, suspended), r"приостановлен · правило dunning", "billing reads the rule's name")
    say(BILLING, "/alerts")
    words, verbs = leaks(fake, BILLING)
    ok({"тариф", "оплач", "₽", "просроч"} <= {w.lower() for w in words},
       "the same sweep over billing's messages finds the plan, paid through, money, overdue (it can fail)", words)
    ok("sub" in verbs, "and the card's «Биллинг» button", verbs)

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "stopped")
done()
