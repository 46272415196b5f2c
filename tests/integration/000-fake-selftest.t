#!/usr/bin/env python3
# 000-fake-selftest.t — the fake Telegram server itself, over real HTTP (no bot involved).
import http.client
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F401,F403


def multipart(fields, files):
    """(content_type, body) for multipart/form-data; files: {name: (filename, bytes, ctype)}."""
    boundary = "----bo-test-boundary-7f3a"
    out = []
    for k, v in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                    % (boundary, k, v)).encode())
    for k, (fname, data, ctype) in files.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, k, fname, ctype)).encode() + data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return "multipart/form-data; boundary=%s" % boundary, b"".join(out)


with Fake() as fake:
    api = fake.api

    # --- getMe, tokens, methods ---
    st, r, _ = api("getMe")
    is_eq(st, 200, "getMe: HTTP 200")
    is_eq((r["ok"], r["result"]["id"], r["result"]["is_bot"], r["result"]["username"]),
          (True, 1000000001, True, "backoffice_bot"), "getMe: id, is_bot, username")
    st, r, _ = api("GETME", http_method="GET")
    ok(st == 200 and r["ok"], "methods are case-insensitive, GET works")
    st, r, _ = api("getMe", token="TEST:WRONG")
    is_eq((st, r), (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
          "wrong token: 401 Unauthorized")
    st, r, _ = api("noSuchMethod")
    is_eq((st, r.get("description")), (404, "Not Found"), "unknown method: 404 Not Found")
    st, r, _ = api("deleteWebhook")
    ok(st == 200 and r["result"] is True, "deleteWebhook answers true")

    # --- offset semantics ---
    ids = [fake.message(111, "m%d" % i)["update_id"] for i in range(3)]
    is_eq(ids, [100000, 100001, 100002], "update ids increase from --update-id-start")
    st, r, _ = api("getUpdates", {"allowed_updates": ["message", "callback_query", "my_chat_member"]})
    is_eq([u["update_id"] for u in r["result"]], ids, "getUpdates returns the three updates")
    m = r["result"][0]["message"]
    ok(m["from"]["id"] == 111 and m["chat"]["id"] == 111 and m["chat"]["type"] == "private"
       and m["text"] == "m0", "an injected message looks like Telegram's (from, chat, text)")
    is_eq(fake.state()["allowed_updates"], ["message", "callback_query", "my_chat_member"],
          "allowed_updates is recorded")
    st, r, _ = api("getUpdates")
    is_eq(len(r["result"]), 3, "unconfirmed updates are delivered again")
    st, r, _ = api("getUpdates", {"offset": ids[1]})
    is_eq([u["update_id"] for u in r["result"]], ids[1:], "offset confirms the updates below it")
    st, r, _ = api("getUpdates", {"offset": ids[2] + 1})
    is_eq(r["result"], [], "offset = last + 1: nothing left")
    is_eq((fake.state()["pending_updates"], fake.state()["confirmed_offset"]), (0, ids[2] + 1),
          "state: no pending updates, confirmed offset")
    ids = [fake.message(222, "n%d" % i)["update_id"] for i in range(4)]
    st, r, _ = api("getUpdates", {"limit": 2})
    is_eq([u["update_id"] for u in r["result"]], ids[:2], "limit is honoured")
    st, r, _ = api("getUpdates", {"offset": -1})
    is_eq([u["update_id"] for u in r["result"]], ids[-1:], "negative offset: the last update")
    st, r, _ = api("getUpdates")
    is_eq([u["update_id"] for u in r["result"]], ids[-1:], "negative offset forgot the earlier ones")
    api("getUpdates", {"offset": ids[-1] + 1})
    st, r, _ = api("getUpdates", {"offset": str(ids[-1] + 1), "timeout": "0"}, form=True)
    ok(st == 200 and r["result"] == [], "form-encoded getUpdates")

    # --- long polling ---
    def inject_later():
        time.sleep(0.5)
        fake.message(333, "late")
    threading.Thread(target=inject_later).start()
    t0 = time.monotonic()
    st, r, _ = api("getUpdates", {"offset": ids[-1] + 1, "timeout": 5})
    dt = time.monotonic() - t0
    ok(len(r["result"]) == 1 and r["result"][0]["message"]["text"] == "late",
       "held poll returns the injected update")
    ok(0.4 <= dt < 2.5, "held poll returned early (%.2f s)" % dt)
    last = r["result"][0]["update_id"]
    t0 = time.monotonic()
    st, r, _ = api("getUpdates", {"offset": last + 1, "timeout": 1})
    dt = time.monotonic() - t0
    ok(r["result"] == [] and 0.9 <= dt < 2.0, "empty held poll waits about timeout (%.2f s)" % dt)

    held = {}

    def hold():
        held["resp"] = api("getUpdates", {"offset": last + 1, "timeout": 5})
    th = threading.Thread(target=hold)
    th.start()
    wait_for(lambda: fake.state()["held_polls"] == 1, 3)
    st, r, _ = api("getUpdates", {"offset": last + 1, "timeout": 0})
    th.join(6)
    is_eq((held["resp"][0], held["resp"][1]["error_code"]), (409, 409),
          "a newer getUpdates terminates the held one with 409")

    # --- sendMessage, edit ---
    kb = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y:1"}, {"text": "No", "callback_data": "n:1"}]]}
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "<b>Hi</b> &amp; bye", "parse_mode": "HTML",
                                   "reply_markup": kb})
    ok(st == 200 and r["ok"] and r["result"]["text"] == "Hi & bye", "sendMessage: ok, entities parsed")
    is_eq(r["result"]["entities"], [{"type": "bold", "offset": 0, "length": 2}], "sendMessage: bold entity")
    mid1 = r["result"]["message_id"]
    st, r, _ = api("sendMessage", {"chat_id": "111", "text": "second"}, form=True)
    mid2 = r["result"]["message_id"]
    is_eq(mid2, mid1 + 1, "message_id increases per chat")
    st, r, _ = api("sendMessage", {"chat_id": -100500, "text": "group"})
    ok(r["result"]["chat"]["type"] == "group" and r["result"]["message_id"] == 1,
       "another chat has its own message ids")
    sent = fake.sent(111)
    is_eq([(m["message_id"], m["text"], m["reply_markup"]) for m in sent],
          [(mid1, "<b>Hi</b> &amp; bye", kb), (mid2, "second", None)], "sent: text as sent and reply_markup stored")
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "a < b", "parse_mode": "HTML"})
    like(r.get("description"), r"^Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2$",
         "unescaped < in HTML: can't parse entities")
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "x" * 4097})
    is_eq((st, r["description"]), (400, "Bad Request: message is too long"), "4097 characters: too long")
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "я" * 4096})
    is_eq(st, 200, "4096 Cyrillic characters are fine (characters, not bytes)")
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "k",
                                   "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "я" * 33}]]}})
    is_eq(r["description"], "Bad Request: BUTTON_DATA_INVALID", "callback_data over 64 bytes is refused")
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": ""})
    is_eq(r["description"], "Bad Request: message text is empty", "empty text is refused")

    st, r, _ = api("editMessageText", {"chat_id": 111, "message_id": mid1, "text": "<b>Hi</b> &amp; bye",
                                       "parse_mode": "HTML", "reply_markup": kb})
    is_eq((st, r["description"]), (400, "Bad Request: message is not modified: specified new message content and "
                                         "reply markup are exactly the same as a current content and reply markup "
                                         "of the message"), "identical edit: message is not modified")
    st, r, _ = api("editMessageText", {"chat_id": 111, "message_id": mid1, "text": "Done", "parse_mode": "HTML"})
    ok(st == 200 and r["result"]["text"] == "Done" and "reply_markup" not in r["result"],
       "edit without reply_markup removes the keyboard")
    m = [x for x in fake.sent(111) if x["message_id"] == mid1][0]
    is_eq((m["text"], m["reply_markup"], len(m["edits"])), ("Done", None, 1), "the edit is stored")
    st, r, _ = api("editMessageText", {"chat_id": 111, "message_id": 9999, "text": "x"})
    is_eq((st, r["description"]), (400, "Bad Request: message to edit not found"), "unknown message: not found")
    st, r, _ = api("deleteMessage", {"chat_id": 111, "message_id": mid2})
    ok(st == 200 and [x for x in fake.sent(111) if x["message_id"] == mid2][0]["deleted"], "deleteMessage")
    st, r, _ = api("deleteMessage", {"chat_id": 111, "message_id": mid2})
    is_eq(r["description"], "Bad Request: message to delete not found", "deleting twice: not found")

    # --- callbacks ---
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "pick", "reply_markup": kb})
    pick = r["result"]
    c = fake.press(111, 111, [x for x in fake.sent(111) if x["message_id"] == pick["message_id"]][0], "Yes")
    ok(c["matched"] and c["update_id"] > last, "callback injected for a real button")
    st, r, _ = api("getUpdates", {"offset": last + 1})
    cq = r["result"][-1]["callback_query"]
    ok(cq["data"] == "y:1" and cq["message"]["message_id"] == pick["message_id"] and cq["from"]["id"] == 111,
       "callback_query carries data, message and from")
    st, r, _ = api("answerCallbackQuery", {"callback_query_id": cq["id"], "text": "ok"})
    ok(st == 200 and fake.wait_answered(cq["id"], 1), "answerCallbackQuery is recorded")
    st, r, _ = api("answerCallbackQuery", {"callback_query_id": "42"})
    is_eq(r["description"], "Bad Request: query is too old and response timeout expired or query ID is invalid",
          "unknown callback id refused")
    c = fake.callback(111, pick["message_id"], "forged")
    ok(not c["matched"], "forged callback data can be injected (matched=false)")
    api("getUpdates", {"offset": fake.state()["next_update_id"]})

    # --- migration ---
    fake.migrate(-100500, -1001234567890)
    st, r, _ = api("sendMessage", {"chat_id": -100500, "text": "hello"})
    is_eq((st, r["description"], r.get("parameters")),
          (400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": -1001234567890}),
          "migrated chat: 400 with parameters.migrate_to_chat_id")
    st, r, _ = api("sendMessage", {"chat_id": -1001234567890, "text": "hello"})
    ok(st == 200 and r["result"]["chat"]["type"] == "supergroup", "the new chat id works")

    # --- faults ---
    n_before = len(fake.sent(111))
    fake.fault("sendMessage", "429", retry_after=7)
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "x"})
    is_eq((st, r["error_code"], r["parameters"]), (429, 429, {"retry_after": 7}), "fault 429 with retry_after")
    st, r, _ = api("sendMessage", {"chat_id": 111, "text": "x"})
    is_eq(st, 200, "a fault applies to count calls only (default 1)")
    is_eq(len(fake.sent(111)), n_before + 1, "a faulted sendMessage is not stored")
    for kind, code, desc in (("400", 400, "Bad Request: chat not found"),
                             ("403", 403, "Forbidden: bot was blocked by the user"),
                             ("409", 409, "Conflict: terminated by other getUpdates request; make sure that only "
                                          "one bot instance is running"),
                             ("500", 500, "Internal Server Error")):
        fake.fault("sendMessage", kind)
        st, r, _ = api("sendMessage", {"chat_id": 111, "text": "x"})
        is_eq((st, r["ok"], r["error_code"], r["description"]), (code, False, code, desc), "fault %s" % kind)
    fake.fault("sendMessage", "400", description="Bad Request: chat not found", chat_id=222)
    st1, _, _ = api("sendMessage", {"chat_id": 111, "text": "x"})
    st2, _, _ = api("sendMessage", {"chat_id": 222, "text": "x"})
    is_eq((st1, st2), (200, 400), "a fault restricted to one chat_id")
    fake.fault("*", "502", count=2)
    st1, _, raw1 = api("getMe")
    st2, _, raw2 = api("sendMessage", {"chat_id": 111, "text": "x"})
    ok(st1 == 502 and st2 == 502 and raw1.startswith(b"<html>"), "fault 502 on any method, HTML body, count 2")
    fake.fault("getMe", "malformed")
    st, r, raw = api("getMe")
    ok(st == 200 and r is None and raw.startswith(b'{"ok":true'), "fault malformed: 200 with truncated JSON")
    fake.fault("getme", "hang", seconds=1)
    t0 = time.monotonic()
    st, r, _ = api("getMe")
    dt = time.monotonic() - t0
    ok(st == 200 and r["ok"] and dt >= 0.95, "fault hang: answers normally after %.2f s" % dt)
    fake.fault("sendMessage", "close")
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    try:
        conn.request("POST", "/bot%s/sendMessage" % TOKEN, json.dumps({"chat_id": 111, "text": "x"}),
                     {"Content-Type": "application/json"})
        conn.getresponse()
        got = "a response"
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine) as e:
        got = type(e).__name__
    finally:
        conn.close()
    ok(got != "a response", "fault close: connection closed without a response (%s)" % got)
    fake.fault("getUpdates", "401")
    st, r, _ = api("getUpdates")
    is_eq((st, r["description"]), (401, "Unauthorized"), "fault 401 on getUpdates")
    try:
        fake.fault("getMe", "teapot")
        ok(False, "an unknown fault kind is refused")
    except FakeError as e:
        is_eq(e.status, 400, "an unknown fault kind is refused")
    is_eq(fake.state()["faults"], [], "no fault left pending")

    # --- requests recorded ---
    reqs = fake.requests("sendMessage")
    ok(all(isinstance(q["time"], float) and isinstance(q["seq"], int) for q in reqs), "requests have seq and time")
    is_eq(sorted({q["fault"] for q in reqs if q["fault"]}),
          ["400", "403", "409", "429", "500", "502", "close"], "every sendMessage fault kind is recorded")
    ok({q["fault"] for q in fake.requests("getMe")} >= {"malformed", "hang", "502", None}, "getMe faults recorded")
    seq = fake.last_seq()
    api("sendMessage", {"chat_id": 111, "text": "after"})
    reqs = fake.requests("SENDMESSAGE", since=seq)
    is_eq([(q["method"], q["params"]["text"], q["status"]) for q in reqs], [("sendMessage", "after", 200)],
          "requests?method=&since= filters; params parsed")

    # --- documents, commands, webhook ---
    ctype, body = multipart({"chat_id": "111", "caption": "backup"},
                            {"document": ("b.db.zst", b"\x28\xb5\x2f\xfd" + b"z" * 1000, "application/zstd")})
    st, _, raw = fake.http("POST", "/bot%s/sendDocument" % TOKEN, body, {"Content-Type": ctype})
    r = json.loads(raw)
    ok(st == 200 and r["result"]["document"]["file_name"] == "b.db.zst" and r["result"]["caption"] == "backup",
       "sendDocument multipart")
    fid = r["result"]["document"]["file_id"]
    is_eq(fake.file(fid), b"\x28\xb5\x2f\xfd" + b"z" * 1000, "uploaded bytes are kept")
    st, r, _ = api("sendDocument", {"chat_id": 111, "document": fid})
    ok(st == 200 and r["result"]["document"]["file_size"] == 1004, "sendDocument JSON by file_id")
    cmds = [{"command": "help", "description": "Help"}, {"command": "whoami", "description": "Who am I"}]
    st, r, _ = api("setMyCommands", {"commands": cmds, "scope": {"type": "chat", "chat_id": 111}})
    ok(st == 200 and fake.commands()[0]["commands"] == cmds, "setMyCommands stored per scope")
    st, r, _ = api("setMyCommands", {"commands": [{"command": "Bad-Name", "description": "x"}]})
    is_eq(r["description"], "Bad Request: BOT_COMMAND_INVALID", "invalid command name refused")
    api("deleteMyCommands", {"scope": {"type": "chat", "chat_id": 111}})
    is_eq(fake.commands(), [], "deleteMyCommands")
    st, r, _ = api("setWebhook", {"url": "http://127.0.0.1:9/hook", "secret_token": "s3cr3t"})
    st2, r2, _ = api("getUpdates")
    is_eq((st, st2, r2["error_code"]), (200, 409, 409), "setWebhook; getUpdates then gets 409")
    st, r, _ = api("getWebhookInfo")
    is_eq(r["result"]["url"], "http://127.0.0.1:9/hook", "getWebhookInfo shows the url")
    st, r, _ = api("deleteWebhook")
    is_eq(fake.state()["webhook"], None, "deleteWebhook")

    # --- robustness ---
    st, _, raw = fake.http("POST", "/bot%s/sendMessage" % TOKEN, b"{not json", {"Content-Type": "application/json"})
    r = json.loads(raw)
    is_eq((st, r["ok"], r["error_code"]), (400, False, 400), "malformed JSON body: 400 JSON")
    st, _, raw = fake.http("POST", "/bot%s/sendMessage" % TOKEN, b"[1,2]", {"Content-Type": "application/json"})
    is_eq(st, 400, "JSON that is not an object: 400")
    st, _, raw = fake.http("POST", "/bot%s/sendMessage" % TOKEN, b"\xff\xfe=\xff", {"Content-Type": "application/x-www-form-urlencoded"})
    is_eq(st, 400, "non-UTF-8 form: 400")
    st, _, raw = fake.http("POST", "/bot%s/sendDocument" % TOKEN, b"garbage", {"Content-Type": "multipart/form-data"})
    is_eq(st, 400, "broken multipart: 400")
    st, _, raw = fake.http("POST", "/bot%s/sendMessage" % TOKEN, {"chat_id": {"x": 1}, "text": ["a"]})
    is_eq(st, 400, "wrong parameter types: 400")
    st, _, raw = fake.http("POST", "/_control/message", b"\x00\x01", {"Content-Type": "application/json"})
    is_eq((st, json.loads(raw)["ok"]), (400, False), "control: malformed JSON is 400")
    st, _, raw = fake.http("POST", "/_control/message", {"text": "no user"})
    is_eq(st, 400, "control: missing user_id is 400")
    s = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
    s.sendall(b"POST /_control/message HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
    data = s.recv(100)
    s.close()
    ok(data.startswith(b"HTTP/1.1 400"), "negative Content-Length: 400")
    s = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
    s.sendall(b"\x16\x03\x01garbage\r\n\r\n")
    s.recv(100)
    s.close()
    st, r, _ = api("getMe")
    ok(st == 200 and fake.proc.poll() is None, "the server survived all of the above")

    # --- reset ---
    fake.message(111, "pending")
    before = fake.state()["next_update_id"]
    fake.reset()
    s = fake.state()
    ok(s["pending_updates"] == 0 and s["sent"] == 0 and s["requests"] == 0 and s["next_update_id"] == before,
       "reset forgets everything but the update id counter")
    is_eq(fake.stderr(), "", "the fake logged no error")

done()
