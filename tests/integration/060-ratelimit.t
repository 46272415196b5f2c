#!/usr/bin/env python3
# 060-ratelimit.t — the outbox's token buckets with production-like limits: one private chat
# (60/min, burst 3), one group (60/min, burst 3), overall (5/s), and a busy chat not holding up
# another. Timings are the fake's request arrival times.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F401,F403

TOL = 0.1       # seconds of slack for scheduling and the loopback round trip


def send_times(fake, since, chat_id=None):
    return [q["time"] for q in fake.requests("sendMessage", since)
            if q["status"] == 200 and (chat_id is None or q["params"].get("chat_id") == chat_id)]


def wait_sends(fake, since, n, chat_id=None, timeout=20.0):
    got = wait_for(lambda: (lambda t: t if len(t) >= n else None)(send_times(fake, since, chat_id)), timeout)
    return got or send_times(fake, since, chat_id)


def counters(bot):
    """The sender's counters from /metrics: rounds, rows read, messages sent."""
    body = bot.http("GET", "/metrics")[2].decode("utf-8")
    got = dict(re.findall(r"(?m)^(backoffice_[a-z_]+_total) (\d+)$", body))
    return tuple(int(got.get(k, -1)) for k in ("backoffice_sender_rounds_total", "backoffice_sender_rows_read_total",
                                               "backoffice_messages_sent_total"))


def check_paced(times, what, burst=3, interval=1.0):
    """After the first `burst` sends, each comes >= ~interval after the one before."""
    gaps = [b - a for a, b in zip(times, times[1:])]
    late = gaps[burst - 1:]
    ok(late and min(late) >= interval - TOL, "%s: after the burst of %d, one per %.0f s (gaps %s)"
       % (what, burst, interval, " ".join("%.2f" % g for g in gaps)))
    span = times[-1] - times[0]
    want = (len(times) - burst) * interval
    ok(want - TOL * 5 <= span < want + 3, "%s: %d sends span %.2f s (about %.1f s)" % (what, len(times), span, want))


require_binary()
T0 = time.monotonic()
limits = {"chat_per_minute": 60, "chat_burst": 3, "group_per_minute": 60, "global_per_second": 5}
with Fake() as fake, Bot(fake, config={"limits": limits}) as bot:
    bot.start()
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 10),
       "start-up outbox drained")

    # --- one private chat: 8 replies, burst 3, then 1/s ---------------------------------------
    seq = fake.last_seq()
    for i in range(8):
        fake.message(111, "/whoami")
    times = wait_sends(fake, seq, 8, 111)
    is_eq(len(times), 8, "private chat: 8 replies")
    if len(times) == 8:
        ok(times[2] - times[0] < 0.5, "private chat: the first 3 go at once (%.2f s)" % (times[2] - times[0]))
        check_paced(times, "private chat")
    else:
        skip("replies missing", 3)
    time.sleep(0.5)
    is_eq(len(fake.sent(111)), 8, "private chat: no more than 8 messages")

    # --- one group: 60/min, burst 3 ------------------------------------------------------------
    seq = fake.last_seq()
    for i in range(6):
        fake.message(111, "/whoami@backoffice_bot", chat_id=-100777)
    times = wait_sends(fake, seq, 6, -100777)
    is_eq(len(times), 6, "group: 6 replies")
    if len(times) == 6:
        ok(times[2] - times[0] < 0.5, "group: the first 3 go at once")
        check_paced(times, "group")
    else:
        skip("replies missing", 3)

    # --- overall: 20 chats at 5/s ------------------------------------------------------------
    time.sleep(1.2)     # the global bucket is full again
    before = counters(bot)
    seq = fake.last_seq()
    users = list(range(2001, 2021))
    for u in users:
        fake.message(u, "/help")    # unknown users: one refusal each, to 20 different chats
    times = sorted(wait_sends(fake, seq, 20))
    is_eq(len(times), 20, "global: 20 refusals sent")
    is_eq(sorted(q["params"]["chat_id"] for q in fake.requests("sendMessage", seq)), users,
          "global: one to each of the 20 chats")
    # a bucket of capacity 5 refilled at 5/s: any run of k sends spans at least (k - 5) / 5 s
    worst = min(((times[j] - times[i]) - (j - i + 1 - 5) / 5.0, i, j)
                for i in range(len(times)) for j in range(i, len(times)))
    ok(worst[0] >= -TOL, "global: never more than 5 + 5/s·t in any window (worst slack %.2f s, sends %d..%d)"
       % worst)
    win = max(sum(1 for t in times if a <= t < a + 1.0) for a in times)
    cmp_ok(win, "<=", 10, "global: at most 10 sends in any 1-second window (%d)" % win)
    span = times[-1] - times[0]
    ok(span >= 3.0 - TOL * 3, "global: 20 sends take about 3 s, not less (%.2f s)" % span)
    after = counters(bot)
    rounds, read, sent = (b - a for a, b in zip(before, after))
    ok(-1 not in before, "/metrics has the sender's rounds and rows read (%s)" % (before,))
    cmp_ok(sent, ">=", 20, "the backlog: %d messages sent" % sent)
    cmp_ok(read, "<=", 3 * max(sent, 1), "waiting for the limit, the sender read %d outbox rows for %d messages "
           "(at most 3 a message: a refill sends the next row, it does not read the backlog again)" % (read, sent))
    cmp_ok(rounds, "<=", 4 * max(sent, 1), "and ran %d rounds for them (no spinning while it waits)" % rounds)

    # --- a chat that must wait does not hold up another ----------------------------------------
    time.sleep(3.2)     # 111's bucket is full again
    seq = fake.last_seq()
    for i in range(10):
        fake.message(111, "/whoami")
    t_other = time.time()
    fake.message(3001, "/help")
    busy = wait_sends(fake, seq, 10, 111, timeout=20)
    other = send_times(fake, seq, 3001)
    is_eq((len(busy), len(other)), (10, 1), "busy chat: 10 replies; the other chat: 1")
    if len(busy) == 10 and other:
        cmp_ok(other[0] - t_other, "<", 1.0, "busy chat: the other chat's reply was not queued behind it")
        cmp_ok(other[0], "<", busy[4], "busy chat: the other chat went before the busy one's 5th reply")
        check_paced(busy, "busy chat")
    else:
        skip("replies missing", 4)

    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 10),
       "no outbox row left pending or sending")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")
diag("%.1f s" % (time.monotonic() - T0))
done()
