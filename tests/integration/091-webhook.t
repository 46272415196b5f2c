#!/usr/bin/env python3
# 091-webhook.t — webhook mode: setWebhook at start (url, secret_token, allowed_updates; the fake
# records it), no getUpdates; POST /telegram/webhook with a missing or wrong secret → 401 and
# nothing stored; the right secret → stored once and answered once even when delivered twice;
# malformed bodies → 400; check-config wants the secret; a refused setWebhook stops the start.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

SECRET = "S3cret_for-tests"
HOOK = "https://example.invalid/hook"
WEBHOOK = {"telegram": {"mode": "webhook", "webhook_url": HOOK, "webhook_secret": SECRET}}


def update(update_id, text, user_id=SUPERADMIN, message_id=None):
    """An Update as Telegram would POST it: a private message from user_id."""
    msg = {"message_id": message_id or update_id % 100000, "date": int(time.time()),
           "from": {"id": user_id, "is_bot": False, "first_name": "Anna", "username": "anna"},
           "chat": {"id": user_id, "type": "private", "first_name": "Anna"}, "text": text}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": msg}


def hook(bot, body, secret=SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return bot.http("POST", "/telegram/webhook", body=body, headers=headers)


def inbox_rows(bot):
    return bot.sql_value("SELECT count(*) FROM inbox")


with Fake() as fake, Bot(fake, config=WEBHOOK) as bot:
    bot.start(wait=False)
    port = bot.http_port()
    ok(port, "the bot listens (port %r)" % port)

    # --- start-up: getMe, then setWebhook with the secret and the update types; no polling ---
    sw = fake.wait_requests("setWebhook", 1, bot.start_seq)
    ok(len(sw) == 1, "setWebhook called once")
    p = sw[0]["params"] if sw else {}
    is_eq(p.get("url"), HOOK, "setWebhook url = webhook_url")
    is_eq(p.get("secret_token"), SECRET, "setWebhook secret_token = webhook_secret")
    is_eq(p.get("allowed_updates"), ["message", "callback_query", "my_chat_member"], "allowed_updates named explicitly")
    is_eq(p.get("max_connections"), 40, "max_connections 40")
    is_eq((fake.state()["webhook"] or {}).get("url"), HOOK, "the fake holds the webhook")
    methods = [r["method"] for r in fake.requests(since=bot.start_seq)]
    ok(methods[:1] == ["getMe"] and methods.index("setWebhook") > 0, "getMe comes first", "methods: %r" % methods)
    like(bot.log(), r"webhook set", "the log says the webhook is set")
    like(bot.log(), r"running \(webhook,", "and that the bot runs in webhook mode")

    # --- a wrong or missing secret: 401, nothing stored ---
    st, _, _, js = hook(bot, update(500001, "/whoami"), secret="wrong")
    is_eq(st, 401, "a wrong secret: 401")
    ok(isinstance(js, dict) and "error" in js, "  with a JSON error")
    st, _, _, _ = hook(bot, update(500001, "/whoami"), secret=None)
    is_eq(st, 401, "no secret header: 401")
    st, _, _, _ = hook(bot, update(500001, "/whoami"), secret=SECRET + "x")
    is_eq(st, 401, "the secret with one more character: 401")
    st, _, _, _ = hook(bot, update(500001, "/whoami"), secret=SECRET[:-1])
    is_eq(st, 401, "a prefix of the secret: 401")
    st, _, _, _ = hook(bot, "not json at all", secret="wrong")
    is_eq(st, 401, "a wrong secret is refused before the body is looked at")
    is_eq(inbox_rows(bot), 0, "nothing reached the inbox")
    time.sleep(0.3)
    is_eq(fake.sent(SUPERADMIN), [], "and nothing was answered")

    # --- the right secret: stored, processed, answered once ---
    st, _, _, js = hook(bot, update(500001, "/whoami"))
    is_eq((st, js), (200, {"ok": True}), "the right secret: 200 {\"ok\":true}")
    sent = fake.wait_sent(SUPERADMIN, 1)
    is_eq(len(sent), 1, "the /whoami got one reply through the fake")
    like(sent[0]["plain"] if sent else "", r"суперадмин", "the reply is the /whoami answer")
    is_eq(bot.sql("SELECT update_id, source FROM inbox"), [(500001, "webhook")], "the inbox row names its source")

    # --- the same update delivered again: 200, processed once ---
    st, _, _, js = hook(bot, update(500001, "/whoami"))
    is_eq((st, js), (200, {"ok": True}), "a redelivery is answered 200 (Telegram stops retrying)")
    time.sleep(0.7)
    is_eq(len(fake.sent(SUPERADMIN)), 1, "and not answered twice")
    is_eq(bot.sql_value("SELECT count(*) FROM inbox WHERE update_id = 500001"), 1, "the inbox holds it once")
    like(bot.log(), r"update 500001 was already stored", "the duplicate is logged")

    # --- malformed bodies: 400, nothing stored ---
    for body, why in (("{not json", "bad JSON"), ("[1,2]", "an array"), ('{"message":{}}', "no update_id"),
                      ('{"update_id":"500002"}', "update_id as a string"), ('{"update_id":-5}', "a negative update_id"),
                      ('{"update_id":1.5}', "a fractional update_id"), ("", "an empty body")):
        st, _, _, js = hook(bot, body)
        is_eq(st, 400, "%s: 400" % why)
    is_eq(inbox_rows(bot), 1, "no malformed body reached the inbox")

    # --- several updates in a row keep their order ---
    for i, t in enumerate(("/start", "/help", "/whoami")):
        st, _, _, _ = hook(bot, update(500010 + i, t))
    sent = fake.wait_sent(SUPERADMIN, 4)
    is_eq(len(sent), 4, "three more updates, three more replies")
    ok(len(sent) == 4 and re.search(r"Здравствуйте", sent[1]["plain"]) and re.search(r"Команды", sent[2]["plain"])
       and re.search(r"суперадмин", sent[3]["plain"]), "answered in order")

    # --- metrics and health in webhook mode ---
    st, _, raw, _ = bot.http("GET", "/metrics")
    like(raw.decode(), r"(?m)^backoffice_updates_received_total 4$", "updates_received_total counts webhook updates")
    like(raw.decode(), r'(?m)^backoffice_http_requests_total\{route="webhook",code="401"\} 5$',
         "the refused deliveries are counted by route and code")
    st, _, _, js = bot.http("GET", "/healthz")
    is_eq(((js or {}).get("telegram") or {}).get("mode"), "webhook", "/healthz shows webhook mode")

    # --- "\u0000" in a delivered update: stored (Telegram would only redeliver a 4xx), then
    # refused whole with an answer; an update_id written 5.0e5 is not an integer ---
    st, _, _, js = hook(bot, update(500020, "/whoami\x00/grant @mallory superadmin"))
    is_eq((st, js), (200, {"ok": True}), "an update with \\u0000 in its text: 200, stored")
    ok("\\u0000" in (bot.sql_value("SELECT payload FROM inbox WHERE update_id = 500020") or ""),
       "the inbox keeps the NUL as \\u0000, not a cut text")
    sent = fake.wait_sent(SUPERADMIN, 5)
    is_eq(len(sent), 5, "it is answered once")
    like(sent[4]["plain"] if len(sent) > 4 else "", r"Сообщение не принято: в тексте нулевой",
         "…saying the text holds a NUL, not running /whoami")
    is_eq(bot.sql("SELECT state, error FROM inbox WHERE update_id = 500020"),
          [(2, "a NUL character (\\u0000) in message.text")], "the update is refused, named")
    st, _, _, js = hook(bot, '{"update_id": 5.0e5, "message": {}}')
    is_eq((st, (js or {}).get("field")), (400, "update_id"), "update_id 5.0e5: 400 naming it")

    is_eq(fake.requests("getUpdates", bot.start_seq), [], "no getUpdates in webhook mode")
    is_eq(fake.requests("deleteWebhook", bot.start_seq), [], "no deleteWebhook in webhook mode")
    unlike(bot.log(), re.escape(SECRET), "the secret is never logged")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")
    cmp_ok(bot.stop_seconds, "<", 2.0, "within 2 seconds (%.2f s)" % (bot.stop_seconds or -1))

# A webhook posted to a polling bot is refused and not stored.
with Fake() as fake, Bot(fake, config={"telegram": {"webhook_secret": SECRET}}) as bot:
    bot.start()
    st, _, _, js = hook(bot, update(600001, "/whoami"))
    is_eq(st, 404, "polling mode: POST /telegram/webhook is 404 (webhook mode is off)")
    is_eq(inbox_rows(bot), 0, "  and nothing is stored")
    is_eq(bot.stop(), 0, "polling bot stops")

# The configuration and a refused setWebhook.
with Fake() as fake, Bot(fake, config={"telegram": {"mode": "webhook", "webhook_url": HOOK}}) as bot:
    r = bot.run_cli(["check-config"])
    is_eq(r.rc, 2, "check-config: webhook mode without webhook_secret exits 2")
    like(r.stderr, r"mode webhook needs \[telegram\] webhook_secret", "  and names the missing key")
    bot.write_config(config={"telegram": {"webhook_secret": SECRET}})
    r = bot.run_cli(["check-config"])
    is_eq((r.rc, r.stdout), (0, "configuration OK\n"), "with the secret: configuration OK")

    fake.fault("setWebhook", "400", description="Bad Request: bad webhook: Failed to resolve host")
    bot.start(wait=False)
    is_eq(bot.wait_exit(10), 1, "setWebhook refused: exit 1")
    like(bot.log(), r"setWebhook failed \(bad_request.*Failed to resolve host", "  with Telegram's reason in the log")
    is_eq(fake.requests("getUpdates", bot.start_seq), [], "  and no polling instead")

done()
