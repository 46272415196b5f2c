#!/usr/bin/env python3
"""The daemon under valgrind: start-up, a burst of commands and button presses, SIGTERM. Any
invalid read or write, use of uninitialised memory or definite leak fails the test."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()
if shutil.which("valgrind") is None:
    skip_all("valgrind is not installed")
if "-san" in BINARY:
    skip_all("a sanitizer build does not run under valgrind")

VG = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
      "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--track-origins=yes"]

with Fake() as fake, Bot(fake, wrapper=VG) as bot:
    bot.start(timeout=60)
    for i in range(20):
        fake.message(SUPERADMIN, "/whoami" if i % 2 else "/help")
    fake.message(222, "/start")
    fake.message(333, "/help")
    ok(fake.wait_sent(SUPERADMIN, 21, timeout=60), "the burst was answered (20 replies and a request)")
    note = [m for m in fake.sent(SUPERADMIN) if m.get("reply_markup")][-1]
    fake.press(SUPERADMIN, SUPERADMIN, note, "биллинг")
    ok(fake.wait_sent(222, 2, timeout=30), "the approval reached the requester")
    rc = bot.stop(timeout=30)
    is_eq(rc, 0, "valgrind found no errors and no definite leaks (exit 99 if it did)")
    if rc != 0:
        diag(bot.log()[-4000:])
done()
