#!/usr/bin/env python3
"""Another process may open the database while the bot runs (an operator's sqlite3 shell, a
backup with .backup): the bot's later writes must stay visible and survive a restart.

Regression: db_open used to open() and close() the database file for each thread's connection.
Closing any descriptor drops all of a process's POSIX locks on the file, so another process's
connection, on closing, took the database for unused, checkpointed it and deleted the WAL the bot
was still writing to; every later write was lost."""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()


def outside(path, query):
    """What an operator's ordinary (read-write) connection sees."""
    con = sqlite3.connect(path, timeout=10)
    try:
        return con.execute(query).fetchone()[0]
    finally:
        con.close()


with Fake() as fake, Bot(fake) as bot:
    bot.start()
    seen = []
    for i in range(1, 4):
        fake.message(SUPERADMIN, "/whoami")
        ok(fake.wait_sent(SUPERADMIN, i), "reply %d" % i)
        ok(wait_for(lambda: outside(bot.db_path, "SELECT count(*) FROM inbox WHERE state = 1") == i, 5),
           "an outside connection sees update %d handled" % i)
    backup = os.path.join(bot.dir, "copy.db")
    r = subprocess.run(["sqlite3", bot.db_path, ".backup '%s'" % backup], capture_output=True, text=True)
    is_eq(r.returncode, 0, "sqlite3 .backup of the running bot's database works")
    is_eq(outside(backup, "SELECT count(*) FROM inbox"), 3, "and the copy holds every update")
    fake.message(SUPERADMIN, "/whoami")
    ok(fake.wait_sent(SUPERADMIN, 4), "the bot goes on after the backup")
    ok(wait_for(lambda: outside(bot.db_path, "SELECT count(*) FROM inbox WHERE state = 1") == 4, 5),
       "and its next write is visible outside too")
    bot.kill9()
    is_eq(outside(bot.db_path, "SELECT count(*) FROM inbox WHERE state = 1"), 4,
          "after kill -9 every handled update is still in the file")
    is_eq(outside(bot.db_path, "SELECT count(*) FROM outbox WHERE state = 2"), 4 + bot.sql_value(
        "SELECT count(*) FROM outbox WHERE state = 2 AND method <> 'sendMessage'"),
          "and every sent reply")
done()
