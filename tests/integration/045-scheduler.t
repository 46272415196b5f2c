#!/usr/bin/env python3
"""The scheduler: a periodic job runs once per slot, is not repeated by a restart in the same slot,
and a run a crash cut short runs again. The prune job is the example: the whole process is moved
eight days ahead with faketime, and the handled updates and sent messages of a week ago go."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()
if not os.path.exists(LIBFAKETIME):
    skip_all("libfaketime is not installed (Debian package faketime)")

# libfaketime preloaded into the bot itself (the faketime command would stand between the test
# and the bot's pid). Only the wall clock moves: intervals keep the real monotonic clock.
ENV = faketime_env("+8d")

with Fake() as fake, Bot(fake) as bot:
    bot.start()
    for _ in range(3):
        fake.message(SUPERADMIN, "/whoami")
    ok(fake.wait_sent(SUPERADMIN, 3), "three updates handled today")
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM job_runs WHERE job = 'prune'") == 1, 5),
       "the prune job ran once at start-up (its slot of this hour)")
    is_eq(bot.stop(), 0, "stopped")
    bot.start()
    fake.message(SUPERADMIN, "/whoami")
    ok(fake.wait_sent(SUPERADMIN, 4), "restarted in the same hour")
    is_eq(bot.sql_value("SELECT count(*) FROM job_runs WHERE job = 'prune'"), 1,
          "a restart in the same slot does not run the job again")
    inbox_before = bot.sql_value("SELECT count(*) FROM inbox")
    outbox_before = bot.sql_value("SELECT count(*) FROM outbox WHERE state = 2")
    ok(inbox_before >= 4 and outbox_before >= 4, "rows to prune exist (%d inbox, %d outbox)"
       % (inbox_before, outbox_before))
    is_eq(bot.stop(), 0, "stopped")

    # Eight days later: last week's rows go; today's (none yet) stay.
    bot.env.update(ENV)
    bot.start()
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM job_runs WHERE job = 'prune'") == 2, 10),
       "eight days later the job runs in its new slot")
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM inbox") == 0, 5),
       "handled updates older than a week are pruned")
    is_eq(bot.sql_value("SELECT count(*) FROM outbox WHERE state = 2"), 0,
          "sent messages older than a week are pruned")
    fake.message(SUPERADMIN, "/whoami")
    ok(fake.wait_sent(SUPERADMIN, 5), "the bot works on in the future")
    is_eq(bot.sql_value("SELECT count(*) FROM inbox"), 1, "and keeps the new update")
    bot.kill9()

    # A claim the crash left unfinished is forgotten at the next start, so the slot runs again.
    with sqlite_rw(bot.db_path) as db:
        db.execute("UPDATE job_runs SET finished_at = NULL, ok = NULL "
                   "WHERE slot = (SELECT max(slot) FROM job_runs)")
    bot.start()
    ok(wait_for(lambda: "cut short by a crash" in bot.log(), 5), "the cut-short run is reported")
    ok(wait_for(lambda: bot.sql_value("SELECT count(*) FROM job_runs WHERE finished_at IS NULL") == 0
                and bot.sql_value("SELECT count(*) FROM job_runs WHERE job = 'prune'") == 2, 5),
       "and it ran again to the end")
    is_eq(bot.stop(), 0, "stopped")
done()
