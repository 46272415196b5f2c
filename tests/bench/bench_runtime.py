#!/usr/bin/env python3
"""
bench_runtime.py — what the running bot costs per update, against the repo's fake Bot API.

Not a timed test: it prints figures, it never passes or fails. Each scenario starts a fresh bot
on the demo data (20 partners, or 10,000 with --partners), queues N /partners commands from 100
team members (one private chat each) at the fake while the bot is stopped, starts it, waits
until every reply has been stored by the fake, and reads the bot's own counters from /proc:

  CPU s per 1k updates   utime + stime spent after start-up (the idle bot's figure is taken
                         first and subtracted), per 1,000 updates;
  syscalls per update    read- and write-type system calls (/proc/PID/io syscr + syscw: read,
                         pread, recv, write, pwrite, send...) per update, where strace is not at
                         hand (strace -c -f gives the full mix);
  peak RSS               VmHWM at the end of the run;
  idle CPU               CPU over 5 s after the backlog drained: a bot that spins shows here.

The send limits are lifted (the fake is not Telegram); --limits keeps the production ones
(30 messages/s overall, 60/min per chat), and then the run is bounded by them.

    tests/bench/bench_runtime.py [-n 1000,10000] [--partners 10000] [--limits]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import harness  # noqa: E402
from harness import Bot, Fake  # noqa: E402

USERS = [5000 + i for i in range(100)]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / float(TICK)    # utime, stime (fields 14, 15)


def io_calls(pid):
    d = {}
    with open("/proc/%d/io" % pid) as fh:
        for line in fh:
            k, _, v = line.partition(":")
            d[k.strip()] = int(v)
    return d.get("syscr", 0) + d.get("syscw", 0)


def settle(pid, seconds=1.0):
    """Waits until the bot's CPU stops moving (start-up done), at most 10 s."""
    last, deadline = cpu_s(pid), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(seconds)
        now = cpu_s(pid)
        if now - last < 0.02:
            return
        last = now


def scenario(n, partners, limits, timeout):
    config = {}
    if not limits:
        config["limits"] = {"chat_per_minute": 100000, "chat_burst": 1000,
                            "group_per_minute": 100000, "global_per_second": 10000}
    else:
        config["limits"] = {"chat_per_minute": 60, "chat_burst": 3, "group_per_minute": 20,
                            "global_per_second": 30}
    with Fake() as fake, Bot(fake, config=config) as bot:
        seed = ["demo-seed"] + (["--partners", str(partners)] if partners else [])
        r = bot.run_cli(seed, timeout=600)
        if r.rc != 0:
            print("  demo-seed failed: %s" % r.stderr.strip()[-300:])
            return
        now = int(time.time())
        with harness.sqlite_rw(bot.db_path) as db:      # the 100 users are team members
            for u in USERS:
                db.execute("INSERT INTO members(user_id, username, name, added_at)"
                           " VALUES (?, ?, ?, ?)", (u, "bench%d" % u, "Bench %d" % u, now))
                db.execute("INSERT INTO member_roles(user_id, role, granted_by, granted_at)"
                           " VALUES (?, 'superadmin', 0, ?)", (u, now))
        bot.start(timeout=30)
        pid = bot.pid
        settle(pid)
        bot.stop()
        fake.reset()
        for i in range(n):
            fake.message(USERS[i % len(USERS)], "/partners")
        bot.start(timeout=30)
        pid = bot.pid
        t0, c0, s0 = time.monotonic(), cpu_s(pid), io_calls(pid)
        deadline = t0 + timeout
        while time.monotonic() < deadline and fake.state()["sent"] < n and bot.alive():
            time.sleep(0.05)
        wall = time.monotonic() - t0
        c1, s1 = cpu_s(pid), io_calls(pid)
        sent = fake.state()["sent"]
        time.sleep(0.5)
        i0 = cpu_s(pid)
        time.sleep(5)
        idle = cpu_s(pid) - i0
        rss = bot.rss_peak_kb()
        rc = bot.stop()
    done = max(sent, 1)
    print("%6d updates  %5s partners  %-11s  replies %6d  wall %6.2f s  cpu %6.2f s  "
          "cpu/1k %.3f s  syscalls/update %5.1f  peak RSS %6.1f MB  idle 5 s: %.2f s CPU  exit %s"
          % (n, partners or "demo", "limits" if limits else "no limits", sent, wall, c1 - c0,
             (c1 - c0) * 1000.0 / done, (s1 - s0) / float(done), (rss or 0) / 1024.0, idle, rc))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("-n", default="1000,10000", help="updates per run, comma-separated")
    ap.add_argument("--partners", type=int, default=10000,
                    help="also run 1,000 updates on a database of this many partners (0: skip)")
    ap.add_argument("--limits", action="store_true", help="production send limits")
    ap.add_argument("--timeout", type=int, default=900, help="seconds to wait for the replies")
    args = ap.parse_args()
    if not os.access(harness.BINARY, os.X_OK):
        print("bench_runtime: %s is not built (run make)" % harness.BINARY, file=sys.stderr)
        return 2
    print("backoffice runtime bench: %s, %d users, /partners" % (harness.BINARY, len(USERS)))
    print("CPU counts from the start of the backlog (start-up excluded), see the docstring")
    for n in [int(x) for x in args.n.split(",") if x]:
        scenario(n, 0, args.limits, args.timeout)
    if args.partners:
        scenario(1000, args.partners, args.limits, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
