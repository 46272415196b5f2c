#!/usr/bin/env python3
# 901-alert-flows.t — the alert engine's promises end to end, under libfaketime:
#  (a) a DROP: one partner's activity is written as a busy week then a near-empty one → exactly
#      one drop alert for it; a restart the same day posts and edits nothing; a day later the
#      figures change (the week before has itself fallen under the minimum by then) → the same
#      message is edited, no new one; again a day later, better but still down → edited; a normal
#      week → edited to resolved;
#  (b) a SNOOZE: a dormant alert is snoozed for a day with «Отложить 1 д»; 12 hours later its
#      text changes (the last login moved back: 21 days instead of 14) → no edit while snoozed,
#      the change is kept on the alert; past the snooze → the message is edited exactly once,
#      to the new text, the footer without «отложено».
# The demo partners may raise alerts of their own: messages are told apart by "#<partner id>".
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()
if not os.path.exists(LIBFAKETIME):
    skip_all("libfaketime is not installed (Debian package faketime)")

TEAM = -100123
DAY = 86400
CONFIG = {"chats": {"team": TEAM}, "monitoring": {"dormant_days": 14, "drop_percent": 50}}
NOW = int(time.time())


def about(fake, pid):
    """The team chat's messages naming the partner."""
    return [m for m in fake.sent(TEAM) if re.search(r"#%d\b" % pid, m["plain"])]


def edit_requests(fake, mid):
    """editMessageText calls the bot made for the message (whatever the fake answered)."""
    return [r for r in fake.requests("editMessageText")
            if int((r.get("params") or {}).get("message_id") or 0) == mid]


def job_done(bot, job):
    return bot.sql_value("SELECT count(*) FROM job_runs WHERE job = ? AND finished_at IS NOT NULL", (job,))


def start_at(bot, offset, job):
    """Starts the bot at now + offset seconds and waits for the job's run in that slot."""
    before = job_done(bot, job)
    bot.env.update(faketime_env(offset))
    bot.start()
    return wait_for(lambda: job_done(bot, job) > before, 15) is not None


# ---------------------------------------------------------------------------------------------
# (a) a drop: fire once, edit on change (better and worse), resolve on recovery

def write_weeks(con, pid, offset, prev, cur):
    """The partner's activity as the drop scan at now + offset sees it: prev events over the
    week before, cur over the last 7 days (yesterday the last), a login today."""
    fake_now = NOW + offset
    y = fake_now // DAY - 1
    con.execute("DELETE FROM activity_daily WHERE partner_id = ?", (pid,))
    for first, total in ((y - 13, prev), (y - 6, cur)):
        for d in range(7):
            ops = total // 7 + (1 if d < total % 7 else 0)
            if ops:
                con.execute("INSERT INTO activity_daily(partner_id, day, logins, operations, active_users)"
                            " VALUES (?, ?, 0, ?, 1)", (pid, first + d, ops))
    con.execute("INSERT INTO activity_daily(partner_id, day, logins, operations, active_users)"
                " VALUES (?, ?, 0, 0, 1)", (pid, y + 1))
    con.execute("INSERT OR REPLACE INTO activity_last(partner_id, last_login_at) VALUES (?, ?)",
                (pid, fake_now - 600))


with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    pid = bot.sql_value("SELECT id FROM partners WHERE status = 0 ORDER BY id LIMIT 1")
    ok(pid, "an active demo partner: #%s" % pid)

    with sqlite_rw(bot.db_path) as con:
        write_weeks(con, pid, 0, prev=140, cur=7)
    ok(start_at(bot, 0, "activity_drop"), "the drop scan ran")
    got = fake.wait_for(lambda: about(fake, pid), 10) or []
    is_eq(len(got), 1, "exactly one team message about the partner")
    alert = got[0] if got else {"message_id": 0, "plain": "", "edits": []}
    mid = alert["message_id"]
    like(alert["plain"], r"Активность упала[\s\S]*#%d[\s\S]*за 7 дней: 7, неделей раньше: 140" % pid,
         "it is the drop alert with the figures")
    is_eq(bot.sql_value("SELECT count(*) FROM alerts WHERE key = ? AND state = 0", ("drop:%d" % pid,)), 1,
          "one open drop episode")

    bot.restart()
    time.sleep(3)
    is_eq([(m["message_id"], len(m["edits"])) for m in about(fake, pid)], [(mid, 0)],
          "a restart the same day posts nothing and edits nothing")
    bot.stop()

    # a day later: worse; the week before is empty now (under the minimum), the episode keeps
    # the baseline it opened with
    with sqlite_rw(bot.db_path) as con:
        write_weeks(con, pid, DAY, prev=0, cur=3)
    ok(start_at(bot, DAY, "activity_drop"), "a day later the drop scan runs again")
    m = fake.wait_edits(TEAM, mid, 1, timeout=10) or {"plain": "", "edits": []}
    like(m["plain"], r"за 7 дней: 3, неделей раньше: 140", "worse: the same message is edited to the new figures")
    is_eq(len(about(fake, pid)), 1, "no new message")
    bot.stop()

    # another day: better, still a drop
    with sqlite_rw(bot.db_path) as con:
        write_weeks(con, pid, 2 * DAY, prev=0, cur=40)
    ok(start_at(bot, 2 * DAY, "activity_drop"), "the next day's scan")
    m = fake.wait_edits(TEAM, mid, 2, timeout=10) or {"plain": "", "edits": []}
    like(m["plain"], r"Активность упала[\s\S]*за 7 дней: 40, неделей раньше: 140",
         "better: edited again, still a drop")
    is_eq(len(about(fake, pid)), 1, "still no new message")
    bot.stop()

    # recovered
    with sqlite_rw(bot.db_path) as con:
        write_weeks(con, pid, 3 * DAY, prev=0, cur=140)
    ok(start_at(bot, 3 * DAY, "activity_drop"), "the scan after the recovery")
    m = fake.wait_edits(TEAM, mid, 3, timeout=10) or {"plain": "", "edits": []}
    like(m["plain"], r"Активность восстановилась[\s\S]*#%d" % pid, "recovered: edited to resolved")
    time.sleep(1)
    is_eq([(x["message_id"], len(x["edits"])) for x in about(fake, pid)], [(mid, 3)],
          "one message for the whole episode, edited three times")
    is_eq(bot.sql_value("SELECT count(*) FROM alerts WHERE key = ? AND state = 0", ("drop:%d" % pid,)), 0,
          "the episode is closed")
    is_eq(bot.stop(), 0, "stopped")


# ---------------------------------------------------------------------------------------------
# (b) a snoozed dormant alert stays quiet, and is shown again once the snooze ends

def set_last_login(con, pid, at):
    con.execute("DELETE FROM activity_daily WHERE partner_id = ? AND day >= ?", (pid, at // DAY))
    con.execute("INSERT OR REPLACE INTO activity_daily(partner_id, day, logins, operations, active_users)"
                " VALUES (?, ?, 1, 0, 1)", (pid, at // DAY))
    con.execute("INSERT OR REPLACE INTO activity_last(partner_id, last_login_at) VALUES (?, ?)", (pid, at))


with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    pid = bot.sql_value("SELECT id FROM partners WHERE status = 0 ORDER BY id LIMIT 1 OFFSET 1")
    with sqlite_rw(bot.db_path) as con:
        set_last_login(con, pid, NOW - 20 * DAY)
    ok(start_at(bot, 0, "dormant"), "the dormant scan ran")
    got = fake.wait_for(lambda: about(fake, pid), 10) or []
    is_eq(len(got), 1, "one dormant alert for the partner")
    alert = got[0] if got else {"message_id": 0, "plain": ""}
    mid = alert["message_id"]
    like(alert["plain"], r"Партнёр не заходит[\s\S]*#%d — нет входов больше 14 дн\." % pid, "14 days")
    aid = bot.sql_value("SELECT id FROM alerts WHERE key = ? AND state = 0", ("dormant:%d" % pid,))

    r = fake.callback(SUPERADMIN, mid, "als:%s:1" % aid, chat_id=TEAM)
    ok(fake.wait_answered(r["callback_query_id"]), "«Отложить 1 д» is answered")
    m = fake.wait_edits(TEAM, mid, 1, timeout=10) or {"plain": "", "edits": []}
    like(m["plain"], r"[Оо]тложено до \d\d\.\d\d \d\d:\d\d", "the message shows the snooze")
    is_eq(len(edit_requests(fake, mid)), 1, "one edit so far (the snooze)")
    bot.stop()

    # 12 hours on, within the snooze: the last login moves back to 25 days → "more than 21 days"
    with sqlite_rw(bot.db_path) as con:
        set_last_login(con, pid, NOW - 25 * DAY)
    ok(start_at(bot, DAY // 2, "dormant"), "12 hours later the dormant scan runs")
    ok(wait_for(lambda: "21 дн" in (bot.sql_value("SELECT text FROM alerts WHERE id = ?", (aid,)) or ""), 5),
       "the change is recorded on the alert")
    is_eq(bot.sql_value("SELECT dirty FROM alerts WHERE id = ?", (aid,)), 1, "marked to be shown later")
    time.sleep(3)
    is_eq(len(edit_requests(fake, mid)), 1, "no edit while snoozed")
    m = [x for x in about(fake, pid)]
    is_eq([(x["message_id"], len(x["edits"])) for x in m], [(mid, 1)], "and no new message")
    like(m[0]["plain"] if m else "", r"больше 14 дн\.", "the message still says 14 days")
    bot.stop()

    # past the snooze: shown once, with what it held
    ok(start_at(bot, DAY + 3600, "alerts_snooze"), "past the snooze the snooze job runs")
    m = fake.wait_edits(TEAM, mid, 2, timeout=10) or {"plain": ""}
    like(m["plain"], r"больше 21 дн\.", "the message is edited to the new text")
    unlike(m["plain"], r"тложено", "its footer no longer names the snooze")
    ok(wait_for(lambda: job_done(bot, "dormant") >= 3, 10), "the dormant scan ran after it")
    time.sleep(3)
    is_eq(len(edit_requests(fake, mid)), 2, "exactly one more edit")
    is_eq(len(about(fake, pid)), 1, "and still one message")
    is_eq(bot.sql("SELECT snoozed_until, dirty, state FROM alerts WHERE id = ?", (aid,)), [(0, 0, 0)],
          "the ended snooze is cleared; the episode stays open")
    is_eq(bot.stop(), 0, "stopped")
done()
