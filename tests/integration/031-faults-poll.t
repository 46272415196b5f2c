#!/usr/bin/env python3
# 031-faults-poll.t — faults on the receiving side: a rejected token at start, getUpdates answering
# 429, 409, 502, hanging past the client timeout, 401 while running, and updates the parser must
# refuse. Each test shows the fault in the fake's request log and the bot's reaction.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F401,F403


def texts(fake, chat_id):
    return [m["text"] for m in fake.sent(chat_id)]


def wait_text(fake, chat_id, pattern, timeout=15.0):
    got = wait_for(lambda: [m for m in fake.sent(chat_id) if re.search(pattern, m["text"])], timeout)
    return got or []


def faulted(fake, since, kind, n=1, timeout=10.0):
    """Waits until n getUpdates calls since seq got the fault kind; returns them."""
    got = wait_for(lambda: (lambda r: r if len(r) >= n else None)(
        [q for q in fake.requests("getUpdates", since) if q["fault"] == kind]), timeout)
    return got or [q for q in fake.requests("getUpdates", since) if q["fault"] == kind]


require_binary()
T0 = time.monotonic()

# --- getMe 401 at start: a wrong token ends the start-up with exit code 1 ---------------------
with Fake() as fake, Bot(fake, config={"telegram": {"token": "WRONG:BADTOKEN999"}}) as bot:
    bot.start(wait=False)
    rc = bot.wait_exit(15)
    is_eq(rc, 1, "wrong token: exit code 1")
    me = fake.requests("getMe")
    ok(len(me) == 1 and me[0]["status"] == 401, "wrong token: one getMe, answered 401", me)
    is_eq(fake.requests("getUpdates"), [], "wrong token: never polled")
    like(bot.log(), r"telegram rejected the token \(401 Unauthorized\)", "wrong token: the log says so")
    unlike(bot.log(), r"BADTOKEN999", "wrong token: the token itself is not logged")

with Fake() as fake, Bot(fake) as bot:
    bot.start()

    # --- getUpdates 429 retry_after 2 -------------------------------------------------------
    seq = fake.last_seq()
    fake.fault("getUpdates", "429", retry_after=2)
    f = faulted(fake, seq, "429")       # the message goes in only once the 429 was answered
    ok(len(f) == 1 and f[0]["status"] == 429, "getUpdates 429: the fake answered 429")
    fake.message(111, "/p429")
    got = wait_text(fake, 111, r"/p429")
    is_eq(len(got), 1, "getUpdates 429: the message is still answered, once")
    if f:
        later = [q for q in fake.requests("getUpdates", f[0]["seq"])]
        gap = later[0]["time"] - f[0]["time"] if later else 0
        ok(1.98 <= gap < 5, "getUpdates 429: the next poll came after retry_after (%.2f s)" % gap)
        ok(got and got[0]["time"] - f[0]["time"] >= 1.98, "getUpdates 429: the reply came after the wait")
    else:
        skip("no 429 seen", 2)

    # --- 409 twice: another instance or a webhook -------------------------------------------
    seq = fake.last_seq()
    loglen = len(bot.log())
    fake.fault("getUpdates", "409", count=2)
    f = faulted(fake, seq, "409", 2, timeout=15)
    is_eq([q["status"] for q in f], [409, 409], "getUpdates 409: the fake answered 409 twice")
    if len(f) == 2:
        ok(f[1]["time"] - f[0]["time"] >= 1.9, "getUpdates 409: the bot backed off between them (%.2f s)"
           % (f[1]["time"] - f[0]["time"]))
    else:
        skip("no two 409s")
    fake.message(111, "/p409")
    is_eq(len(wait_text(fake, 111, r"/p409", 20)), 1, "getUpdates 409: polling resumed; the message is answered")
    log = bot.log()[loglen:]
    is_eq(len(re.findall(r"conflict \(409\): another instance polls with this token, or a webhook is set", log)),
          2, "getUpdates 409: each conflict logged, naming another instance or a webhook")

    # --- 502 with an HTML body --------------------------------------------------------------
    seq = fake.last_seq()
    loglen = len(bot.log())
    fake.fault("getUpdates", "502")
    f = faulted(fake, seq, "502")
    fake.message(111, "/p502")
    is_eq(len(wait_text(fake, 111, r"/p502")), 1, "getUpdates 502: the message is answered once")
    like(bot.log()[loglen:], r"getUpdates failed \(transient: [^)]*\); retrying in \d+ ms",
         "getUpdates 502: logged with the retry")
    if f:
        later = fake.requests("getUpdates", f[0]["seq"])
        ok(later and later[0]["time"] - f[0]["time"] >= 0.45, "getUpdates 502: retried after a backoff")
    else:
        skip("no 502 seen")

    # --- updates the parser refuses -----------------------------------------------------------
    loglen = len(bot.log())
    bad1 = fake.raw_update({"message": {"message_id": 77, "date": int(time.time()), "text": "/whoami",
                                        "chat": {"id": 111, "type": "private", "first_name": "X"}}})
    bad2 = fake.raw_update({"callback_query": {
        "id": "4100000000000000001", "from": {"id": 111, "is_bot": False, "first_name": "Boss"},
        "chat_instance": "1", "data": "a" * 65,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 111, "type": "private"}}}})
    fake.message(111, "/pgood")
    got = wait_text(fake, 111, r"/pgood")
    is_eq(len(got), 1, "malformed updates: the next good message is answered")
    u1, u2 = bad1["update_id"], bad2["update_id"]
    st = bot.sql("SELECT update_id, state, error FROM inbox WHERE update_id IN (?, ?) ORDER BY update_id",
                 (u1, u2))
    is_eq(st, [(u1, 2, "missing from"), (u2, 2, "callback data too long")],
          "malformed updates: inbox rows failed (state 2) with the reason")
    log = bot.log()[loglen:]
    like(log, r"update %d rejected: missing from" % u1, "message without from: rejection logged")
    like(log, r"update %d rejected: callback data too long" % u2, "65-byte callback data: rejection logged")
    answers = bot.sql("SELECT payload FROM outbox WHERE method = 'answerCallbackQuery'")
    is_eq(len(answers), 1, "the refused press is still answered, so its spinner stops")
    like(answers[0][0] if answers else "", r'"show_alert":true', "with an alert saying it was refused")
    is_eq(bot.sql_value("SELECT count(*) FROM outbox WHERE method = 'editMessageText'"), 0,
          "and nothing else is done for it (no message edited)")
    ok(bot.alive(), "the bot keeps running")

    # --- a getUpdates that hangs longer than the client timeout (1 s poll + 15 s) -------------
    seq = fake.last_seq()
    loglen = len(bot.log())
    fake.fault("getUpdates", "hang", seconds=20)
    f = faulted(fake, seq, "hang")
    fake.message(111, "/phang")
    got = wait_text(fake, 111, r"/phang", 40)
    is_eq(len(got), 1, "getUpdates hang: the message is answered after the bot gave up on the call")
    if f and got:
        h = f[0]
        after = [q for q in fake.requests("getUpdates", h["seq"])]
        ok(after and 15.5 <= after[0]["time"] - h["time"] < 25,
           "getUpdates hang: the bot polled again after its 16 s client timeout (%.1f s)"
           % (after[0]["time"] - h["time"] if after else -1))
        ok(got[0]["time"] - h["time"] < 20, "getUpdates hang: answered before the hung call ended (%.1f s)"
           % (got[0]["time"] - h["time"]))
    else:
        skip("no hang seen", 2)
    like(bot.log()[loglen:], r"getUpdates failed \(transient: [^)]*(timed out|[Tt]imeout)[^)]*\)", "getUpdates hang: timeout logged")
    fake.message(111, "/pafter")
    is_eq(len(wait_text(fake, 111, r"/pafter", 20)), 1, "getUpdates hang: polling goes on afterwards")

    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 10),
       "no outbox row left pending or sending")
    is_eq([len(texts(fake, 111))], [6], "six replies in all, no duplicates")

    # --- 401 while running: stop with exit code 1 ---------------------------------------------
    seq = fake.last_seq()
    fake.fault("getUpdates", "401")
    rc = bot.wait_exit(15)
    is_eq(rc, 1, "getUpdates 401: the bot stops with exit code 1")
    is_eq([q["status"] for q in fake.requests("getUpdates", seq) if q["fault"]], [401], "getUpdates 401: faulted")
    like(bot.log(), r"getUpdates: telegram rejected the token \(401\); stopping", "getUpdates 401: logged")

diag("%.1f s" % (time.monotonic() - T0))
done()
