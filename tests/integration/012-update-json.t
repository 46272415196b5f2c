#!/usr/bin/env python3
# 012-update-json.t — what Telegram's JSON may hold that cJSON would read wrong, through the fake
# Bot API (getUpdates). A "\u0000" in a string would end it there: "/whoami\u0000/grant …" read as
# /whoami, a forged button "act:1:7\u0000…" as a real one. Such an update is refused whole and
# logged with the member's path; a private message gets an answer naming where the NUL is, a
# press gets its callback answer, a group message only the log. An id written as 1000.0 is not
# an integer and is refused too. The updates after them are processed as usual.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

GROUP = -1001234567890


def inbox_error(bot, update_id):
    rows = bot.sql("SELECT state, error FROM inbox WHERE update_id = ?", (update_id,))
    return rows[0] if rows else None


with Fake() as fake, Bot(fake, config={"chats": {"team": GROUP}}) as bot:
    bot.start()

    # --- a NUL in the text: refused with an answer, never run as the command before it ---
    u = fake.message(SUPERADMIN, "/whoami\x00/grant @mallory superadmin")
    sent = fake.wait_sent(SUPERADMIN, 1)
    is_eq(len(sent), 1, "a text with \\u0000: one answer")
    text = sent[0]["plain"] if sent else ""
    like(text, r"Сообщение не принято: в тексте нулевой символ \(U\+0000\)",
         "the answer says the text holds a NUL")
    unlike(text, r"суперадмин", "the text was not run as /whoami")
    is_eq(inbox_error(bot, u["update_id"]), (2, "a NUL character (\\u0000) in message.text"),
          "the inbox row failed, with the member named")
    like(bot.log(), r"update %d rejected: a NUL character \(\\u0000\) in message\.text"
         % u["update_id"], "the refusal is logged with the member")

    # --- a forged button whose data is a real one cut at a NUL ---
    cb = fake.callback(SUPERADMIN, 1, "act:1:7\x00evil")
    got = fake.wait_answered(cb["callback_query_id"])
    answer = (got or {}).get("answers", [{}])[-1].get("text") or ""
    like(answer, r"Кнопка не сработала: нулевой символ \(U\+0000\) в поле callback_query\.data",
         "a press with \\u0000 in its data is answered, naming callback_query.data")
    like(bot.log(), r"update %d rejected: a NUL character \(\\u0000\) in callback_query\.data"
         % cb["update_id"], "…and logged")

    # --- a NUL in the sender's name: the answer names the field ---
    fake.message(SUPERADMIN, "/whoami", first_name="Ан\x00на")
    sent = fake.wait_sent(SUPERADMIN, 2)
    text = sent[1]["plain"] if len(sent) > 1 else ""
    like(text, r"нулевой символ \(U\+0000\) в поле message\.from\.first_name",
         "a first_name with \\u0000: the answer names message.from.first_name")
    unlike(text, r"суперадмин", "…and /whoami did not run")
    fake.message(SUPERADMIN, "/start", first_name="Анна")     # the fake's chat as before

    # --- in a group: logged, not answered ---
    g = fake.message(SUPERADMIN, "/help@backoffice_bot\x00", chat_id=GROUP)
    # --- an id written 1000.0: not an integer ---
    r = fake.raw_update({"message": {
        "message_id": 1000.0, "date": int(time.time()), "text": "/whoami",
        "from": {"id": SUPERADMIN, "is_bot": False, "first_name": "Анна"},
        "chat": {"id": SUPERADMIN, "type": "private", "first_name": "Анна"}}})
    # --- and the next update is processed as usual ---
    fake.message(SUPERADMIN, "/whoami")
    sent = fake.wait_sent(SUPERADMIN, 4)
    is_eq(len(sent), 4, "the next updates are answered: nothing stalled")
    like(sent[3]["plain"] if len(sent) > 3 else "", r"суперадмин", "…the last is the /whoami answer")
    like(bot.log(), r"update %d rejected: a NUL character \(\\u0000\) in message\.text"
         % g["update_id"], "the group message with \\u0000 is refused and logged")
    is_eq(bot.sql_value("SELECT count(*) FROM outbox WHERE chat_id = ?", (GROUP,)), 0,
          "…and nothing is posted in the group")
    is_eq(inbox_error(bot, r["update_id"]), (2, "bad message_id"),
          "message_id 1000.0 is refused: an integer is written as one")
    time.sleep(0.3)
    is_eq(len(fake.sent(SUPERADMIN)), 4, "no other answer was sent")
    is_eq(bot.stop(), 0, "the bot stops cleanly")
done()
