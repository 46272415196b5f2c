#!/usr/bin/env python3
# 030-faults-send.t — every outgoing-call fault for real: the fake answers 429, 5xx, garbage, a
# closed connection, 403, 400, "not modified", a hang, a group migration; each test shows the fault
# happened (the fake's request log) and what the bot did about it (requests, stored messages,
# outbox rows, its log).
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F401,F403

TEAM = -100123
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message")


def mark(fake, bot):
    """Where a scenario starts: (request seq, highest outbox id)."""
    return fake.last_seq(), bot.sql_value("SELECT coalesce(max(id), 0) FROM outbox")


def sends(fake, since, chat_id=None, method="sendMessage"):
    """The recorded calls of method since seq, optionally only those naming chat_id."""
    return [r for r in fake.requests(method, since)
            if chat_id is None or str(r["params"].get("chat_id")) == str(chat_id)]


def texts(fake, chat_id):
    return [m["text"] for m in fake.sent(chat_id)]


def wait_text(fake, chat_id, pattern, timeout=15.0):
    """Waits until a message matching pattern was stored for chat_id; returns all that match."""
    got = wait_for(lambda: [t for t in texts(fake, chat_id) if re.search(pattern, t)], timeout)
    return got or []


def rows(bot, since_id, where="1", params=()):
    return bot.sql("SELECT id, chat_id, method, state, attempts, last_error FROM outbox WHERE id > ? AND "
                   + where + " ORDER BY id", (since_id,) + tuple(params))


def wait_row_final(bot, since_id, where, params=(), timeout=15.0):
    """Waits until the outbox rows matching where (after since_id) exist and none is pending/sending."""
    def look():
        r = rows(bot, since_id, where, params)
        return r if r and all(x[3] >= 2 for x in r) else None
    return wait_for(look, timeout) or rows(bot, since_id, where, params)


require_binary()
T0 = time.monotonic()
with Fake() as fake, Bot(fake, config={"telegram": {"retry_after_cap": 2}, "chats": {"team": TEAM}}) as bot:
    bot.start()
    # the start-up calls (setMyCommands) are out of the way before any fault is armed
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 10),
       "start-up outbox drained")

    # --- 429 with retry_after 2 -------------------------------------------------------------
    seq, oid = mark(fake, bot)
    fake.fault("sendMessage", "429", retry_after=2)
    fake.message(111, "/f429")
    got = wait_text(fake, 111, r"/f429")
    is_eq(len(got), 1, "429: the reply is delivered")
    reqs = sends(fake, seq, 111)
    is_eq([(r["fault"], r["status"]) for r in reqs], [("429", 429), (None, 200)],
          "429: the fake answered 429 once, then the retry succeeded")
    if len(reqs) == 2:
        gap = reqs[1]["time"] - reqs[0]["time"]
        cmp_ok(gap, ">=", 1.98, "429: the retry came after retry_after (%.2f s)" % gap)
        cmp_ok(gap, "<", 6, "429: ... and not much later")
    else:
        skip("no retry to time", 2)
    r = wait_row_final(bot, oid, "chat_id = 111")
    ok(len(r) == 1 and r[0][3] == 2 and r[0][4] >= 2, "429: the outbox row is sent after >= 2 attempts", r)
    like(bot.log(), r"429, retry after 2s", "429: the wait is logged")

    # --- 429 with retry_after above the cap -----------------------------------------------------
    seq, oid = mark(fake, bot)
    fake.fault("sendMessage", "429", retry_after=100)
    fake.message(111, "/fcap")
    got = wait_text(fake, 111, r"/fcap", timeout=20)
    is_eq(len(got), 1, "429 over the cap: the reply is delivered once")
    reqs = sends(fake, seq, 111)
    is_eq([(r["fault"], r["status"]) for r in reqs], [("429", 429), (None, 200)],
          "429 over the cap: one 429, then success")
    if len(reqs) == 2:
        gap = reqs[1]["time"] - reqs[0]["time"]
        ok(1.98 <= gap < 8, "429 over the cap: waited about the cap (2 s), not 100 s (%.2f s)" % gap)
    else:
        skip("no retry to time")
    like(bot.log(), r"asked to wait 100s \(429\); waiting 2s", "429 over the cap: the capped wait is logged")
    # the long wait raises the "telegram" alert episode: one message in the team chat, with buttons
    notice = wait_for(lambda: [m for m in fake.sent(TEAM) if re.search(r"просит подождать 100", m["text"])],
                      15) or []
    is_eq(len(notice), 1, "429 over the cap: the team chat is told once about throttling")
    ok(notice and (notice[0].get("reply_markup") or {}).get("inline_keyboard"),
       "429 over the cap: the notice is an alert, with buttons", notice)
    like(notice[0]["text"] if notice else None,
         r"Telegram ограничивает бота: просит подождать 100 с; ждём 2 с\. Сообщения в очереди и не потеряются\.",
         "429 over the cap: what the alert says")
    ok(bot.sql_value("SELECT count(*) FROM outbox WHERE id > ? AND chat_id = ? AND method = 'sendMessage' "
                     "AND payload LIKE ?", (oid, TEAM, "%подождать 100%")) == 1,
       "429 over the cap: the notice was queued in the outbox once")
    is_eq(bot.sql("SELECT kind, level, state FROM alerts WHERE key = 'telegram'"), [("telegram", 1, 0)],
          "429 over the cap: an open 'telegram' episode, level warn")
    notice_id = notice[0]["message_id"] if notice else None

    # --- 5xx, HTML body, malformed JSON, closed connection: retried with backoff ---------------
    # "close" is armed twice: libcurl silently repeats a request once when a *reused* keep-alive
    # connection closes before any answer, so only the second close reaches the bot's own retry.
    for kind, count, logpat in (("500", 1, r"Internal Server Error; retrying in \d+ ms"),
                                ("502", 1, r"retrying in \d+ ms"),
                                ("malformed", 1, r"malformed response; retrying in \d+ ms"),
                                ("close", 2, r"the outcome is unknown, retrying in \d+ ms \(a duplicate is possible\)")):
        seq, oid = mark(fake, bot)
        loglen = len(bot.log())
        fake.fault("sendMessage", kind, count=count)
        cmd = "/f" + kind
        fake.message(111, cmd)
        got = wait_text(fake, 111, cmd + r"\b")
        is_eq(len(got), 1, "%s: the reply is delivered exactly once" % kind)
        reqs = sends(fake, seq, 111)
        is_eq([r["fault"] for r in reqs], [kind] * count + [None],
              "%s: %d faulted call(s), then one that succeeded" % (kind, count))
        if len(reqs) >= 2:
            gap = reqs[-1]["time"] - reqs[-2]["time"]
            ok(0.45 <= gap < 5, "%s: the bot retried after a backoff (%.2f s)" % (kind, gap))
        else:
            skip("no retry to time")
        r = wait_row_final(bot, oid, "chat_id = 111")
        ok(len(r) == 1 and r[0][3] == 2 and r[0][4] >= 2, "%s: outbox row sent after >= 2 attempts" % kind, r)
        like(bot.log()[loglen:], logpat, "%s: the failure and the retry are logged" % kind)

    # --- a slow answer (3 s hang, below the 30 s call timeout) ----------------------------------
    seq, oid = mark(fake, bot)
    fake.fault("sendMessage", "hang", seconds=3)
    fake.message(111, "/fhang")
    got = wait_text(fake, 111, r"/fhang")
    is_eq(len(got), 1, "hang 3 s: delivered")
    reqs = sends(fake, seq, 111)
    ok(len(reqs) == 1 and reqs[0]["fault"] == "hang" and reqs[0]["time_done"] - reqs[0]["time"] >= 2.9,
       "hang 3 s: one call, which the fake held 3 s", reqs)
    r = wait_row_final(bot, oid, "chat_id = 111")
    ok(len(r) == 1 and r[0][3:5] == (2, 1), "hang 3 s: sent on the first attempt, not repeated", r)

    # --- 403, 400, "not modified": final at once, never retried; other chats go on --------------
    seq, oid = mark(fake, bot)
    fake.fault("sendMessage", "403", chat_id=222)
    fake.fault("sendMessage", "400", description="Bad Request: chat not found", chat_id=333)
    fake.message(222, "/help")      # unknown users: a polite refusal, which meets the faults
    fake.message(333, "/help")
    fake.message(444, "/start", first_name="Newbie")     # an access request for 111
    fake.message(111, "/fother")
    req = wait_for(lambda: [m for m in fake.sent(111) if "444" in m["text"] and m["reply_markup"]], 10)
    ok(req, "access request from 444 reached the superadmin")
    r403 = wait_row_final(bot, oid, "chat_id = 222")
    ok(len(r403) == 1 and r403[0][3] == 4, "403: the outbox row is blocked (state 4)", r403)
    like(r403[0][5] if r403 else None, r"blocked by the user", "403: the description is recorded")
    r400 = wait_row_final(bot, oid, "chat_id = 333")
    ok(len(r400) == 1 and r400[0][3] == 3, "400: the outbox row is failed (state 3)", r400)
    like(r400[0][5] if r400 else None, r"chat not found", "400: the description is recorded")
    if req:
        eseq = fake.last_seq()
        fake.fault("editMessageText", "400", description=NOT_MODIFIED)
        fake.press(111, 111, req[0], "поддержка")
        granted = wait_text(fake, 444, r"Доступ открыт")
        is_eq(len(granted), 1, "not modified: the flow goes on (444 is told about the grant)")
    else:
        skip("no access request to press", 1)
    time.sleep(2.5)     # longer than the first backoff: a retry would have happened by now
    is_eq([(r["fault"], r["status"]) for r in sends(fake, seq, 222)], [("403", 403)],
          "403: exactly one sendMessage to the blocked chat, not retried")
    is_eq([(r["fault"], r["status"]) for r in sends(fake, seq, 333)], [("400", 400)],
          "400: exactly one sendMessage, not retried")
    like(bot.log(), r"to chat 222: Forbidden: bot was blocked by the user; not retried", "403: logged")
    is_eq(len(wait_text(fake, 111, r"/fother")), 1, "403/400: another chat is still answered")
    if req:
        edits = sends(fake, eseq, method="editMessageText")
        is_eq([(r["fault"], r["status"]) for r in edits], [("400", 400)],
              "not modified: one editMessageText, answered 400 'not modified', not retried")
        er = bot.sql("SELECT state, attempts, last_error FROM outbox WHERE id > ? AND method = 'editMessageText'",
                     (oid,))
        is_eq(er, [(2, 1, None)], "not modified: the outbox row counts as sent (state 2, one attempt)")
        m = [x for x in fake.sent(111) if x["message_id"] == req[0]["message_id"]][0]
        is_eq(len(m["edits"]), 0, "not modified: the fault really stood in for the edit")
    else:
        skip("no access request to press", 3)

    # --- group → supergroup: the 400 carries migrate_to_chat_id ---------------------------------
    seq, oid = mark(fake, bot)
    fake.migrate(-100500, -1009999)     # the group has moved; the bot does not know yet
    fake.message(111, "/fhelp@backoffice_bot", chat_id=-100500)
    got = wait_text(fake, -1009999, r"/fhelp")
    is_eq(len(got), 1, "migration: the reply arrives in the new supergroup")
    reqs = sends(fake, seq)
    old = [r for r in reqs if r["params"].get("chat_id") == -100500]
    new = [r for r in reqs if r["params"].get("chat_id") == -1009999]
    ok(len(old) == 1 and old[0]["status"] == 400, "migration: one call to the old id, answered 400", old)
    ok(len(new) == 1 and new[0]["status"] == 200 and new[0]["seq"] > old[0]["seq"] if old else False,
       "migration: then one call to the new id", new)
    is_eq(bot.sql_value("SELECT value FROM state WHERE key = 'chatmap:-100500'"), -1009999,
          "migration: state chatmap:-100500 = -1009999")
    is_eq([x[1:4] for x in wait_row_final(bot, oid, "1")], [(-1009999, "sendMessage", 2)],
          "migration: the outbox row was rewritten and sent")
    like(bot.log(), r"chat -100500 became supergroup -1009999", "migration: logged")
    is_eq(texts(fake, -100500), [], "migration: nothing stored in the old chat")

    # --- the service messages of a migration ----------------------------------------------------
    r = fake.migrate(-100600, -1008888, service_updates=True)
    is_eq(len(r["update_ids"]), 2, "service messages injected")
    ok(fake.wait_confirmed(max(r["update_ids"])), "service messages consumed")
    ok(wait_for(lambda: bot.sql_value("SELECT value FROM state WHERE key = 'chatmap:-100600'") == -1008888, 10),
       "service message: state chatmap:-100600 = -1008888")
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM inbox WHERE update_id IN (?, ?) AND state = 1",
                                      tuple(r["update_ids"])) == 2, 10),
       "service messages: both inbox rows done")

    # --- order within a chat survives 5xx retries -------------------------------------------
    seq, oid = mark(fake, bot)
    fake.fault("sendMessage", "500", count=3, chat_id=111)
    for i in range(1, 6):
        fake.message(111, "/ord%d" % i)
    got = wait_for(lambda: (lambda t: t if len(t) >= 5 else None)(
        [m["text"] for m in fake.sent(111) if "/ord" in m["text"]]), 30) or \
        [m["text"] for m in fake.sent(111) if "/ord" in m["text"]]
    is_eq([re.search(r"/ord(\d)", t).group(1) for t in got], ["1", "2", "3", "4", "5"],
          "order: five replies, delivered in the order asked")
    reqs = sends(fake, seq, 111)
    is_eq(sum(1 for r in reqs if r["fault"] == "500"), 3, "order: the fake failed three calls")
    attempted = [re.search(r"/ord(\d)", r["params"]["text"]).group(1) for r in reqs]
    is_eq(attempted, sorted(attempted), "order: no reply was even attempted before an earlier one (%s)"
          % ",".join(attempted))

    # --- nothing stuck -----------------------------------------------------------------------
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 15),
       "no outbox row left pending or sending", bot.sql("SELECT * FROM outbox WHERE state IN (0, 1)"))
    is_eq(fake.state()["faults"], [], "every armed fault was used")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

    # --- Telegram behaves again: the "telegram" episode is resolved --------------------------
    # after 5 minutes without a long wait, an error burst or a stale poll; the clock is moved
    # 6 minutes ahead with libfaketime (the time of the last long wait is kept in the database)
    if not os.path.exists(LIBFAKETIME):
        skip("libfaketime is not installed (Debian package faketime)", 3)
    elif notice_id is None:
        skip("no throttling alert to resolve", 3)
    else:
        bot.env.update(faketime_env(360))
        bot.start()

        def resolved():
            for m in fake.sent(TEAM):
                if m["message_id"] == notice_id and m["edits"] and "Решено" in m["text"]:
                    return m
            return None
        m = wait_for(resolved, 20)
        ok(m, "Telegram quiet for 5 minutes: the throttling alert is edited to «Решено»",
           [x for x in fake.sent(TEAM) if x["message_id"] == notice_id])
        is_eq(bot.sql("SELECT state FROM alerts WHERE key = 'telegram'"), [(1,)],
              "the 'telegram' episode is resolved")
        is_eq(bot.stop(), 0, "SIGTERM exits 0 (moved clock)")
    diag("%.1f s" % (time.monotonic() - T0))
done()
