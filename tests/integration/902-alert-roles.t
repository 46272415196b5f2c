#!/usr/bin/env python3
# 902-alert-roles.t — who may act on which alert. Every alert button names an episode by id
# (alc, ala, als, alm: "verb:<alert id>[:days]"), and callback data can be forged, so the gate
# weighs the presser's roles against the episode's kind (the kinds' table in
# handlers/alerts/alert_engine.c): dunning and trial belong to billing, dormant and drop to
# support and managers, crm, telegram and backlog to developers; superadmins act on all, and
# managers may open the card of a billing episode (they read billing) but not act on it.
# The attack: a developer in a private chat presses «Отложить 7 д» and «Беру» on the billing
# team's dunning episode that was never shown to them. A refused press is answered with a
# refusal naming the roles, changes nothing on the episode, sends nothing, and is in the audit
# log; the right role's press works; a press naming no episode is answered as stale.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()

DEV, SUPPORT, BILLING = 100000003, 100000002, 100000004     # demo-seed's members
MANAGER = 777                                               # granted "manager" only, below
DAY = 86400


with Fake() as fake, Bot(fake) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    dunning, dpid = bot.sql("SELECT id, partner_id FROM alerts WHERE kind = 'dunning' AND state = 0"
                            " ORDER BY id LIMIT 1")[0]
    trial = bot.sql_value("SELECT id FROM alerts WHERE kind = 'trial' AND state = 0 ORDER BY id LIMIT 1")
    ok(dunning and trial, "the demo has an open dunning (#%s) and trial (#%s) episode" % (dunning, trial))
    # A CRM episode (no scan touches it: no [monitoring] crm_health_url), and a partner made
    # dormant so that the dormant scan at start-up opens its episode.
    now = int(time.time())
    sleepy = bot.sql_value("SELECT id FROM partners WHERE status = 0 AND id <> ? ORDER BY id LIMIT 1", (dpid,))
    with sqlite_rw(bot.db_path) as db:
        crm = db.execute("INSERT INTO alerts(kind, key, partner_id, state, level, text, chat_id, opened_at,"
                         " updated_at) VALUES ('crm', 'crm', 0, 0, 2, '🔴 CRM не отвечает', 0, ?, ?)",
                         (now - 600, now - 600)).lastrowid
        db.execute("DELETE FROM activity_daily WHERE partner_id = ? AND day >= ?", (sleepy, (now - 20 * DAY) // DAY))
        db.execute("INSERT OR REPLACE INTO activity_last(partner_id, last_login_at) VALUES (?, ?)",
                   (sleepy, now - 20 * DAY))
    bot.start()
    dormant = wait_for(lambda: bot.sql_value("SELECT id FROM alerts WHERE key = ? AND state = 0",
                                             ("dormant:%d" % sleepy,)), 15)
    ok(dormant, "the dormant scan opened an episode for #%d" % sleepy)
    fake.say(SUPERADMIN, "/grant %d manager" % MANAGER)

    def row(aid):
        return bot.sql("SELECT acked_by, snoozed_until, snoozed_by, assigned_to, updated_at FROM alerts"
                       " WHERE id = ?", (aid,))[0]

    def denials(uid):
        return bot.sql("SELECT partner_id, detail FROM audit_log WHERE action = 'access.deny' AND actor = ?"
                       " ORDER BY id", (uid,))

    def forge(uid, data):
        """A press with forged data in uid's private chat; returns the answer's text."""
        cb = fake.callback(uid, 1, data)
        ans = fake.wait_answered(cb["callback_query_id"])
        return ((ans or {}).get("answers") or [{}])[0].get("text") or ""

    def refused(uid, data, aid, roles, partner):
        before, d0, n = row(aid), len(denials(uid)), len(fake.sent(uid))
        text = forge(uid, data)
        like(text, r"^⛔ .*%s" % roles, "%s by %d: the answer refuses and names who may (%s)" % (data, uid, roles))
        ok(len(text) <= 200, "the answer fits Telegram's 200 characters")
        ok(wait_for(lambda: len(denials(uid)) > d0, 5), "%s by %d: audited as access.deny" % (data, uid))
        d = denials(uid)[d0:]
        is_eq([(x[0], bool(re.search(r"button %s .*alert #%d" % (data.split(":")[0], aid), x[1]))) for x in d],
              [(partner, True)], "the record names the button, the episode and its partner", d)
        time.sleep(0.3)
        is_eq(row(aid), before, "%s by %d: the episode is unchanged" % (data, uid))
        is_eq(len(fake.sent(uid)), n, "and nothing is sent to the presser")

    # --- the attack: a developer on the billing team's episodes ------------------------------
    tpid = bot.sql_value("SELECT partner_id FROM alerts WHERE id = ?", (trial,))
    for data, aid, partner in (("als:%d:7" % dunning, dunning, dpid), ("alm:%d" % dunning, dunning, dpid),
                               ("ala:%d" % dunning, dunning, dpid), ("als:%d:1" % trial, trial, tpid)):
        refused(DEV, data, aid, "биллинг", partner)
    # the card of a dunning episode would tell which partner owes: refused too, no card sent
    refused(DEV, "alc:%d" % dunning, dunning, "биллинг", dpid)
    is_eq(bot.sql("SELECT snoozed_until, assigned_to, acked_by FROM alerts WHERE id = ?", (dunning,)),
          [(0, 0, 0)], "the dunning episode is neither snoozed, taken nor acknowledged")

    # --- other wrong roles --------------------------------------------------------------------
    refused(SUPPORT, "ala:%d" % dunning, dunning, "биллинг", dpid)
    refused(SUPPORT, "alm:%d" % crm, crm, "разработчик", 0)
    refused(BILLING, "ala:%d" % crm, crm, "разработчик", 0)
    refused(DEV, "alm:%d" % dormant, dormant, "поддержка", sleepy)
    refused(MANAGER, "als:%d:1" % dunning, dunning, "биллинг", dpid)

    # --- the right roles -----------------------------------------------------------------------
    is_eq(forge(DEV, "ala:%d" % crm), "", "a developer acknowledges the CRM episode: answered quietly")
    ok(wait_for(lambda: row(crm)[0] == DEV, 5), "and it is recorded")
    forge(SUPPORT, "alm:%d" % dormant)
    ok(wait_for(lambda: row(dormant)[3] == SUPPORT, 5), "support takes the dormant episode")
    forge(BILLING, "als:%d:7" % dunning)
    ok(wait_for(lambda: abs(row(dunning)[1] - (time.time() + 7 * DAY)) < 120, 5),
       "billing snoozes its dunning episode for 7 days")
    forge(BILLING, "alm:%d" % dunning)
    ok(wait_for(lambda: row(dunning)[3] == BILLING, 5), "and takes it")
    forge(SUPERADMIN, "ala:%d" % trial)
    ok(wait_for(lambda: row(trial)[0] == SUPERADMIN, 5), "a superadmin acknowledges the trial episode")
    # a manager reads billing: the card of a dunning episode opens in their private chat
    n = len(fake.sent(MANAGER))
    forge(MANAGER, "alc:%d" % dunning)
    got = fake.wait_sent(MANAGER, n + 1)[n:]
    like(got[0]["plain"] if got else "", r"^🏢 .* · #%d" % dpid, "a manager gets the card of the dunning episode")
    is_eq(len(denials(MANAGER)), 1, "with no new refusal")

    # --- a press naming no episode -------------------------------------------------------------
    like(forge(DEV, "als:99999:7"), r"устарела", "a press naming no episode is answered as stale")
    like(forge(DEV, "alm:abc"), r"устарела", "and so is a damaged one")

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "stopped")
done()
