#!/usr/bin/env python3
"""Crash safety: kill -9 the bot again and again during a burst of updates, restart it, and check
that every update was applied exactly once and every reply was delivered.

The Bot API has no idempotency key, so a message whose sendMessage was in flight at the kill
cannot be known to have arrived: the bot sends it again after restart and says so in its log
("were being sent when the bot stopped"). The test holds the bot to exactly that: every reply
arrives, and the only repeats are the ones it reported (at most one per kill: it sends one at a
time)."""
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()
GROUP = -100777
N_GROUP = 240          # /whoami in the team group: each reply quotes its command
N_STRANGERS = 60       # /start from unknown users: each creates one access request
KILLS = 6
random.seed(int(os.environ.get("BO_CRASH_SEED", "0")) or None)

with Fake() as fake, Bot(fake) as bot:
    bot.start()
    injected = []          # (kind, update_id, message_id or user)
    lock = threading.Lock()

    def burst():
        for i in range(N_GROUP + N_STRANGERS):
            if i % 5 == 4 and i // 5 < N_STRANGERS:
                uid = 500000 + i
                r = fake.message(uid, "/start", first_name="Гость%d" % i)
                kind, ref = "stranger", uid
            else:
                r = fake.message(SUPERADMIN, "/whoami", chat_id=GROUP, chat_type="supergroup")
                kind, ref = "group", r["message_id"]
            with lock:
                injected.append((kind, r["update_id"], ref))
            time.sleep(random.uniform(0, 0.004))

    t = threading.Thread(target=burst)
    t.start()
    kills_mid_burst = 0
    for k in range(KILLS):
        time.sleep(random.uniform(0.05, 0.35))
        done_before = len(fake.requests("sendMessage"))
        bot.kill9()
        with lock:
            pending = len(injected)
        if t.is_alive() or done_before < pending:
            kills_mid_burst += 1
        bot.start()
    t.join()
    ok(kills_mid_burst >= KILLS // 2, "most kills landed while updates were still being handled "
       "(%d of %d)" % (kills_mid_burst, KILLS))

    groups = [m for kind, _, m in injected if kind == "group"]
    strangers = [u for kind, _, u in injected if kind == "stranger"]
    is_eq(len(injected), N_GROUP + N_STRANGERS, "every update was injected")

    def all_replied():
        quoted = {m["reply_to_message_id"] for m in fake.sent(GROUP)}
        if not set(groups) <= quoted:
            return None
        return all(fake.sent(u) for u in strangers)
    ok(wait_for(all_replied, timeout=60), "every update got its reply after the restarts")

    # Applied exactly once: one inbox row per update, each processed.
    ids = [u for _, u, _ in injected]
    rows = bot.sql("SELECT update_id, state FROM inbox WHERE update_id IS NOT NULL")
    by_id = {}
    for uid, state in rows:
        by_id.setdefault(uid, []).append(state)
    is_eq(sorted(by_id), sorted(ids), "the inbox holds exactly the injected updates")
    ok(all(v == [1] for v in by_id.values()), "each update stored once and processed (done)")
    is_eq(bot.sql_value("SELECT count(*) FROM access_requests"), N_STRANGERS,
          "one access request per stranger")
    is_eq(bot.sql_value("SELECT count(DISTINCT user_id) FROM access_requests"), N_STRANGERS,
          "no stranger's request applied twice")

    # Delivered: counted per quoted command and per stranger; repeats only where reported.
    wait_for(lambda: bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)") == 0, 20)
    is_eq(bot.sql_value("SELECT count(*) FROM outbox WHERE state IN (0, 1)"), 0,
          "the outbox drained: nothing pending or in flight")
    quoted = [m["reply_to_message_id"] for m in fake.sent(GROUP)]
    dup_group = sum(quoted.count(m) - 1 for m in set(groups))
    dup_strangers = sum(len(fake.sent(u)) - 1 for u in strangers)
    admin_notes = [m for m in fake.sent(SUPERADMIN) if "Запрос доступа" in m["text"]]
    dup_admin = len(admin_notes) - N_STRANGERS
    ok(dup_admin >= 0, "every access request reached the superadmin (%d)" % len(admin_notes))
    repeats = dup_group + dup_strangers + dup_admin
    reported = sum(int(n) for n in re.findall(r"outbox: (\d+) message\(s\) were being sent",
                                               bot.log()))
    diag("kills: %d, messages sent again after a kill: %d, repeats seen: %d"
         % (KILLS, reported, repeats))
    cmp_ok(reported, "<=", KILLS, "at most one message was in flight per kill")
    cmp_ok(repeats, "<=", reported, "every repeat was a message in flight at a kill, and reported")
    is_eq(bot.stop(), 0, "a clean stop after all that")
done()
