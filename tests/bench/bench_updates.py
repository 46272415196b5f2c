#!/usr/bin/env python3
"""
bench_updates.py — end-to-end update throughput of build/backoffice against the fake Bot API.

Not a timed test: it prints figures, it never passes or fails.

  1. superadmin: N /whoami messages from user 111 in its private chat 111 (one chat: per-chat order
     is preserved, so the i-th reply answers the i-th update);
  2. unknown: N /whoami messages spread round-robin over 50 unknown users, each in its own private
     chat, each answered with a refusal.

For each, the updates are queued first and the bot drains them: updates/s (first getUpdates to the
last reply the fake stored), the handler latency p50/p99 the bot recorded per update
(inbox.handle_us), and the bot's peak RSS (VmHWM). Limits are raised so the outbox rate
limiter does not dominate; pass --set limits.chat_per_minute=60 to measure with production limits.

    tests/bench/bench_updates.py [-n 2000] [--users 50] [--set section.key=value ...]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import harness  # noqa: E402
from harness import Bot, Fake, SUPERADMIN  # noqa: E402


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def run_scenario(fake, bot, name, senders, n, timeout):
    """senders: list of user ids (each in its own private chat), used round-robin.

    The N updates are queued at the fake while the bot is stopped, then the bot starts and drains
    them: updates/s is the bot's own throughput (first getUpdates of the run to the last reply),
    not the speed of the injector. Handler latency is the bot's own measure per update
    (inbox.handle_us: parse to the end of the handler, before the commit)."""
    bot.stop()
    fake.reset()
    for i in range(n):
        fake.message(senders[i % len(senders)], "/whoami")
    seq0 = fake.last_seq()
    first_id = bot.sql_value("SELECT coalesce(max(id), 0) FROM inbox") if os.path.exists(bot.db_path) else 0
    bot.start(timeout=20)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fake.state()["sent"] >= n or not bot.alive():
            break
        time.sleep(0.05)
    polls = fake.requests("getUpdates", seq0)
    t0 = polls[0]["time"] if polls else time.time()
    replies, last = 0, t0
    for chat in set(senders):
        sent = fake.sent(chat)
        replies += len(sent)
        last = max([last] + [m["time"] for m in sent])
    elapsed = last - t0
    us = [r[0] for r in bot.sql("SELECT handle_us FROM inbox WHERE id > ? AND state = 1", (first_id,))]
    print("%-12s %6d updates  %6d replies  %.2f s  %8.1f updates/s  handler p50 %6.3f ms  "
          "p99 %6.3f ms  peak RSS %s kB"
          % (name, n, replies, elapsed, (replies / elapsed) if elapsed > 0 else 0.0,
             pct(us, 50) / 1000.0, pct(us, 99) / 1000.0, bot.rss_peak_kb()))
    if replies < n:
        print("  (only %d of %d replies within %d s%s)" % (replies, n, timeout,
                                                          "; the bot exited" if not bot.alive() else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("-n", type=int, default=2000, help="updates per scenario (default 2000)")
    ap.add_argument("--users", type=int, default=50, help="unknown users in scenario 2 (default 50)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds to wait for the replies")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="config override (repeatable)")
    args = ap.parse_args()
    if not os.access(harness.BINARY, os.X_OK):
        print("bench_updates: %s is not built (run make)" % harness.BINARY, file=sys.stderr)
        return 2

    overrides = {"limits": {"chat_per_minute": 100000, "chat_burst": 1000, "group_per_minute": 100000,
                            "global_per_second": 10000}}
    for s in args.set:
        key, _, value = s.partition("=")
        sec, _, k = key.partition(".")
        overrides.setdefault(sec, {})[k] = value

    with Fake() as fake, Bot(fake, config=overrides) as bot:
        try:
            bot.start(timeout=20)
        except RuntimeError as e:
            print("bench_updates: %s" % e, file=sys.stderr)
            return 1
        print("backoffice bench: %s, limits %s" % (harness.BINARY, bot.config.get("limits")))
        run_scenario(fake, bot, "superadmin", [SUPERADMIN], args.n, args.timeout)
        run_scenario(fake, bot, "unknown", [900001 + i for i in range(args.users)], args.n, args.timeout)
        print("peak RSS (VmHWM) %s kB" % bot.rss_peak_kb())
        rc = bot.stop()
        print("stop: exit %s after %.2f s" % (rc, bot.stop_seconds or 0.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
