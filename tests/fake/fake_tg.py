#!/usr/bin/env python3
"""
fake_tg.py — a fake Telegram Bot API server for backoffice's integration tests.

Listens on 127.0.0.1 only and never reaches the internet. Python 3.11 standard library only.

    fake_tg.py --port 0 --token TOKEN --bot-username backoffice_bot [--port-file F]
               [--update-id-start 100000]

Bot API: POST|GET /bot<TOKEN>/<method> (methods case-insensitive; body JSON, urlencoded or
multipart; query string parameters too). A wrong token gets 401 Unauthorized; an unknown method
404 Not Found. Implemented: getMe, logOut, close, deleteWebhook, setWebhook, getWebhookInfo,
getUpdates, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
setMyCommands, getMyCommands, deleteMyCommands, sendDocument, deleteMessage, sendChatAction.

Faithful where a bot can get it wrong:
  * offset semantics (update_id < offset is confirmed and forgotten; a negative offset keeps the
    last -offset updates), limit 1..100, held long polls (timeout), a newer getUpdates terminates
    a held one with 409, getUpdates while a webhook is set gets 409;
  * allowed_updates is sticky and applies to updates created after the call;
  * parse_mode HTML is validated like Telegram does (unsupported tags, unmatched end tags),
    text length 1..4096 characters after entities parsing, callback_data 1..64 bytes;
  * editMessageText: "message is not modified" when text, entities and markup are the same;
    omitting reply_markup removes the inline keyboard;
  * message_id increases per chat, shared by user and bot messages.

Control API (JSON in and out) under /_control — see CONTROL below and tests/integration/harness.py.
"""

import argparse
import email.parser
import email.policy
import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT_ID = 1000000001
MAX_BODY = 60 * 1024 * 1024
TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX = 64
POLL_TIMEOUT_MAX = 60.0

# Canonical method names; a request is matched case-insensitively.
METHODS = ["getMe", "logOut", "close", "deleteWebhook", "setWebhook", "getWebhookInfo",
           "getUpdates", "sendMessage", "editMessageText", "editMessageReplyMarkup",
           "answerCallbackQuery", "setMyCommands", "getMyCommands", "deleteMyCommands",
           "sendDocument", "deleteMessage", "sendChatAction"]
CANON = {m.lower(): m for m in METHODS}

# Update types delivered when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}

DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
         "make sure that only one bot instance is running",
    429: "Too Many Requests: retry after %d",
    500: "Internal Server Error",
}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
            b"</body>\r\n</html>\r\n")
FAULT_KINDS = {"400", "401", "403", "404", "409", "429", "500", "502", "hang", "malformed", "close"}


class ApiError(Exception):
    """An error answer of the Bot API: {"ok":false,"error_code":code,"description":...}."""

    def __init__(self, code, description, parameters=None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description):
    return ApiError(400, "Bad Request: " + description)


# ---------------------------------------------------------------------------------------------
# HTML parse_mode, after tdlib's parse_html: the same error texts for the common mistakes.

HTML_TAGS = {"a": "text_link", "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
             "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
             "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "code": "code",
             "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji"}
ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _boff(text, i):
    return len(text[:i].encode("utf-8", "surrogatepass"))


def _u16(s):
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(text):
    """Returns (plain_text, entities) or raises ApiError 400 like Telegram does."""
    pre = "Bad Request: can't parse entities: "
    out = []
    stack = []       # [name, start (chars of out), attrs]
    entities = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = ENTITY_RE.match(text, i)
            if m:
                ent = m.group(1)
                if ent in NAMED:
                    out.append(NAMED[ent])
                else:
                    code = int(ent[2:], 16) if ent[1] in "xX" else int(ent[1:])
                    if code > 0x10FFFF or code == 0:
                        code = 0xFFFD
                    out.append(chr(code))
                i = m.end()
            else:
                out.append("&")
                i += 1
            continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            j = text.find(">", i)
            if j < 0:
                raise ApiError(400, pre + "Unclosed end tag at byte offset %d" % _boff(text, begin))
            name = text[i + 2:j].strip().lower()
            if not stack:
                raise ApiError(400, pre + "Unexpected end tag at byte offset %d" % _boff(text, begin))
            top = stack.pop()
            if name and name != top[0]:
                raise ApiError(400, pre + 'Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"'
                               % (_boff(text, begin), top[0], name))
            plain_so_far = "".join(out)
            start = top[1]
            if len(plain_so_far) > start:
                e = {"type": HTML_TAGS[top[0]], "offset": _u16(plain_so_far[:start]),
                     "length": _u16(plain_so_far[start:])}
                if top[0] == "a" and "href" in top[2]:
                    e["url"] = top[2]["href"]
                if top[0] == "pre" and "language" in top[2]:
                    e["language"] = top[2]["language"]
                entities.append(e)
            i = j + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        name = text[i + 1:j].lower()
        if name not in HTML_TAGS:
            raise ApiError(400, pre + 'Unsupported start tag "%s" at byte offset %d' % (name, _boff(text, begin)))
        attrs = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise ApiError(400, pre + "Unclosed start tag at byte offset %d" % _boff(text, begin))
            if text[j] == ">":
                j += 1
                break
            k = j
            while k < n and text[k] not in "= \t\r\n>":
                k += 1
            aname = text[j:k].lower()
            if not aname:
                raise ApiError(400, pre + "Empty attribute name in the tag \"%s\" at byte offset %d"
                               % (name, _boff(text, begin)))
            j = k
            value = ""
            if j < n and text[j] == "=":
                j += 1
                if j < n and text[j] in "\"'":
                    q = text[j]
                    end = text.find(q, j + 1)
                    if end < 0:
                        raise ApiError(400, pre + "Unclosed start tag at byte offset %d" % _boff(text, begin))
                    value = text[j + 1:end]
                    j = end + 1
                else:
                    k = j
                    while k < n and not text[k].isspace() and text[k] != ">":
                        k += 1
                    value = text[j:k]
                    j = k
            attrs[aname] = ENTITY_RE.sub(lambda m: NAMED.get(m.group(1), m.group(0)), value)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ApiError(400, pre + 'Tag "span" must have class "tg-spoiler" at byte offset %d'
                           % _boff(text, begin))
        stack.append([name, len("".join(out)), attrs])
        i = j
    if stack:
        raise ApiError(400, pre + 'Can\'t find end tag corresponding to start tag "%s"' % stack[-1][0])
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def parse_text(text, parse_mode, what="message text"):
    """(plain, entities) of a text under parse_mode; length-checks like Telegram."""
    if not isinstance(text, str):
        raise bad("%s is empty" % what)
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode in ("", "markdown", "markdownv2"):
        plain, entities = text, []
    else:
        raise bad("unsupported parse_mode")
    return plain, entities


# ---------------------------------------------------------------------------------------------
# Parameters: JSON values arrive as strings in query strings and forms.

def p_int(params, name, required=False, default=None):
    v = params.get(name)
    if v is None or v == "":
        if required:
            raise bad("%s is empty" % name if name != "chat_id" else "chat_id is empty")
        return default
    if isinstance(v, bool):
        raise bad("invalid %s specified" % name)
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            pass
    raise bad("invalid %s specified" % name)


def p_chat_id(params):
    v = params.get("chat_id")
    if v is None or v == "":
        raise bad("chat_id is empty")
    if isinstance(v, str) and v.startswith("@"):
        raise bad("chat not found")
    try:
        return p_int(params, "chat_id", True)
    except ApiError:
        raise bad("chat not found")


def p_json(params, name):
    v = params.get(name)
    if isinstance(v, str):
        if v == "":
            return None
        try:
            return json.loads(v)
        except ValueError:
            raise bad("can't parse %s JSON object" % name)
    return v


def p_bool(params, name):
    v = params.get(name)
    if isinstance(v, str):
        return v.lower() in ("1", "true", "yes", "on")
    return bool(v)


def check_markup(markup):
    """Validates reply_markup; returns it normalised (None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        kb = markup["inline_keyboard"]
        if not isinstance(kb, list) or not all(isinstance(r, list) for r in kb):
            raise bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
        for row in kb:
            for btn in row:
                if not isinstance(btn, dict) or not isinstance(btn.get("text"), str):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                if btn["text"] == "":
                    raise bad("BUTTON_TEXT_EMPTY")
                if "callback_data" in btn:
                    d = btn["callback_data"]
                    if not isinstance(d, str) or not (1 <= len(d.encode("utf-8")) <= CALLBACK_DATA_MAX):
                        raise bad("BUTTON_DATA_INVALID")
                elif not any(k in btn for k in ("url", "switch_inline_query", "login_url", "web_app",
                                                 "switch_inline_query_current_chat", "copy_text", "pay",
                                                 "callback_game", "switch_inline_query_chosen_chat")):
                    raise bad("can't parse inline keyboard button: InlineKeyboardButton must have exactly one optional field")
    return markup


# ---------------------------------------------------------------------------------------------
# Requests: bodies and forms.

def parse_multipart(ctype, body):
    """Returns (fields, files); files maps name -> {file_name, content_type, data}."""
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not msg.is_multipart():
        raise bad("can't parse multipart body")
    fields, files = {}, {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = {"file_name": filename, "content_type": part.get_content_type(), "data": data}
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files


# ---------------------------------------------------------------------------------------------
# State: one lock; one condition for held polls.

class State:
    def __init__(self, token, username, update_id_start):
        self.token = token
        self.username = username
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.next_update_id = update_id_start
        self.stopping = False
        self.poll_gen = 0            # a newer getUpdates terminates a held older one (409)
        self.epoch = 0               # bumped by reset: held polls return [] at once
        self.held_polls = 0
        self.reset_locked()

    def reset_locked(self):
        """Forgets everything but the update_id counter (ids keep increasing, as on Telegram)."""
        self.updates = []            # pending, sorted by update_id: {"update_id":..., ...}
        self.update_times = {}       # update_id -> time it was queued
        self.confirmed_offset = 0
        self.allowed_updates = None  # None: never set
        self.chats = {}              # chat_id -> Chat object
        self.next_msg_id = {}        # chat_id -> next message_id
        self.messages = {}           # (chat_id, message_id) -> stored message (bot's and users')
        self.sent = {}               # chat_id -> [bot messages in order]
        self.faults = []
        self.requests = []
        self.seq = 0
        self.migrated = {}           # old chat id -> new chat id
        self.webhook = None          # {"url", "secret_token", ...}
        self.webhook_error = None    # (date, message)
        self.commands = {}           # (scope json, language_code) -> [commands]
        self.callbacks = {}          # id -> {"answered": n, "chat_id", "message_id", "data"}
        self.next_callback = 1
        self.files = {}              # file_id -> bytes
        self.next_file = 1

    # --- helpers (lock held) ---
    def chat_obj(self, chat_id):
        c = self.chats.get(chat_id)
        if c:
            return dict(c)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User %d" % chat_id}
        t = "supergroup" if chat_id <= -1000000000000 else "group"
        return {"id": chat_id, "type": t, "title": "Chat %d" % chat_id}

    def alloc_msg_id(self, chat_id, wanted=None):
        nxt = self.next_msg_id.get(chat_id, 1)
        if wanted is not None:
            self.next_msg_id[chat_id] = max(nxt, wanted + 1)
            return wanted
        self.next_msg_id[chat_id] = nxt + 1
        return nxt

    def bot_user(self):
        return {"id": BOT_ID, "is_bot": True, "first_name": "Backoffice", "username": self.username}

    def update_type(self, upd):
        for k in upd:
            if k != "update_id":
                return k
        return None

    def enqueue_locked(self, upd):
        """Queues an update dict (update_id optional). Returns its id or None when filtered."""
        kind = self.update_type(upd)
        allowed = self.allowed_updates
        if allowed:
            if kind not in allowed:
                return None
        elif kind in DEFAULT_EXCLUDED:
            return None
        if "update_id" in upd:
            uid = int(upd["update_id"])
            self.next_update_id = max(self.next_update_id, uid + 1)
        else:
            uid = self.next_update_id
            self.next_update_id += 1
        upd = {"update_id": uid, **{k: v for k, v in upd.items() if k != "update_id"}}
        self.updates.append(upd)
        self.updates.sort(key=lambda u: u["update_id"])
        self.update_times[uid] = time.time()
        self.cond.notify_all()
        return uid

    def confirm_locked(self, offset):
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)
        elif offset < 0:
            keep = -offset
            if len(self.updates) > keep:
                self.updates = self.updates[len(self.updates) - keep:]
            if self.updates:
                self.confirmed_offset = max(self.confirmed_offset, self.updates[0]["update_id"])
            else:
                self.confirmed_offset = max(self.confirmed_offset, self.next_update_id)

    def take_fault_locked(self, method, params):
        for f in self.faults:
            if f["method"] not in ("*", method.lower()):
                continue
            if f.get("chat_id") is not None:
                try:
                    if p_int(params, "chat_id") != f["chat_id"]:
                        continue
                except ApiError:
                    continue
            f["count"] -= 1
            if f["count"] <= 0:
                self.faults.remove(f)
            return dict(f)
        return None


# ---------------------------------------------------------------------------------------------
# The Bot API methods. Each gets (state, params, files) and runs with the lock held except
# getUpdates, which waits on the condition. Each returns the "result" or raises ApiError.

def m_getme(st, p, f):
    r = st.bot_user()
    r.update({"can_join_groups": True, "can_read_all_group_messages": False,
              "supports_inline_queries": False, "can_connect_to_business": False,
              "has_main_web_app": False})
    return r


def m_logout(st, p, f):
    return True


def m_deletewebhook(st, p, f):
    had = st.webhook is not None
    st.webhook = None
    st.webhook_error = None
    if p_bool(p, "drop_pending_updates"):
        st.updates = []
    st.cond.notify_all()
    return (True, "Webhook was deleted" if had else "Webhook is already deleted")


def m_setwebhook(st, p, f):
    url = p.get("url") or ""
    if not isinstance(url, str):
        raise bad("invalid webhook URL specified")
    if url == "":
        return m_deletewebhook(st, p, f)
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise bad("invalid webhook URL specified")
    secret = p.get("secret_token")
    if secret is not None and (not isinstance(secret, str) or
                               not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)):
        raise bad("secret token contains unallowed characters")
    allowed = p_json(p, "allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad("can't parse allowed updates")
        st.allowed_updates = [str(x) for x in allowed]
    if p_bool(p, "drop_pending_updates"):
        st.updates = []
    st.webhook = {"url": url, "secret_token": secret,
                  "max_connections": p_int(p, "max_connections", default=40),
                  "ip_address": p.get("ip_address")}
    st.webhook_error = None
    st.cond.notify_all()
    return (True, "Webhook was set")


def m_getwebhookinfo(st, p, f):
    r = {"url": "", "has_custom_certificate": False, "pending_update_count": len(st.updates)}
    if st.webhook:
        r["url"] = st.webhook["url"]
        r["max_connections"] = st.webhook["max_connections"]
        if st.webhook.get("ip_address"):
            r["ip_address"] = st.webhook["ip_address"]
        if st.allowed_updates is not None:
            r["allowed_updates"] = list(st.allowed_updates)
        if st.webhook_error:
            r["last_error_date"], r["last_error_message"] = st.webhook_error
    return r


def m_getupdates(st, p, f):
    """Called with the lock held; may wait on st.cond (which releases it)."""
    offset = p_int(p, "offset", default=0)
    limit = p_int(p, "limit", default=100)
    if limit is None or limit < 1 or limit > 100:
        limit = 100 if (limit is None or limit > 100) else 1
    timeout = p_int(p, "timeout", default=0) or 0
    timeout = min(max(timeout, 0), POLL_TIMEOUT_MAX)
    allowed = p_json(p, "allowed_updates")
    if st.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad("can't parse allowed updates")
        st.allowed_updates = [str(x) for x in allowed]
    st.confirm_locked(offset)
    st.poll_gen += 1
    gen, epoch = st.poll_gen, st.epoch
    st.cond.notify_all()      # a held older poll is terminated with 409
    deadline = time.monotonic() + timeout
    st.held_polls += 1
    try:
        while True:
            if st.poll_gen != gen:
                raise ApiError(409, DESCRIPTIONS[409])
            if st.webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            if st.epoch != epoch:
                return []
            if st.updates or st.stopping:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            st.cond.wait(left)
    finally:
        st.held_polls -= 1
    return [json.loads(json.dumps(u)) for u in st.updates[:limit]]


def _message_result(st, msg):
    r = {"message_id": msg["message_id"], "from": st.bot_user(), "chat": st.chat_obj(msg["chat_id"]),
         "date": int(msg["date"])}
    if msg.get("edit_date"):
        r["edit_date"] = int(msg["edit_date"])
    if msg.get("document"):
        d = msg["document"]
        r["document"] = {"file_id": d["file_id"], "file_unique_id": d["file_unique_id"],
                         "file_name": d["file_name"], "mime_type": d["mime_type"],
                         "file_size": d["file_size"]}
        if msg.get("plain"):
            r["caption"] = msg["plain"]
            if msg.get("entities"):
                r["caption_entities"] = msg["entities"]
    else:
        r["text"] = msg["plain"]
        if msg.get("entities"):
            r["entities"] = msg["entities"]
    if msg.get("reply_markup") and "inline_keyboard" in msg["reply_markup"]:
        r["reply_markup"] = {"inline_keyboard": msg["reply_markup"]["inline_keyboard"]}
    return r


def _check_migrated(st, chat_id):
    if chat_id in st.migrated:
        raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                       {"migrate_to_chat_id": st.migrated[chat_id]})


def _store(st, chat_id, text, parse_mode, plain, entities, markup, p, document=None):
    mid = st.alloc_msg_id(chat_id)
    now = time.time()
    msg = {"message_id": mid, "chat_id": chat_id, "text": text, "parse_mode": parse_mode,
           "plain": plain, "entities": entities, "reply_markup": markup, "date": now, "time": now,
           "edits": [], "deleted": False, "from_bot": True,
           "reply_to_message_id": p_int(p, "reply_to_message_id"),
           "message_thread_id": p_int(p, "message_thread_id"), "document": document}
    rp = p_json(p, "reply_parameters")
    if isinstance(rp, dict) and rp.get("message_id") is not None:
        msg["reply_to_message_id"] = rp.get("message_id")
    st.messages[(chat_id, mid)] = msg
    st.sent.setdefault(chat_id, []).append(msg)
    return msg


def _checked_text(p, too_long):
    """text, parse_mode, plain text and entities of a send or edit, checked as Telegram does."""
    text = p.get("text")
    if not isinstance(text, str) or text == "":
        raise bad("message text is empty")
    parse_mode = p.get("parse_mode")
    plain, entities = parse_text(text, parse_mode)
    if plain.strip() == "":
        raise bad("message text is empty")
    if len(plain) > TEXT_MAX:
        raise bad(too_long)
    return text, parse_mode, plain, entities


def m_sendmessage(st, p, f):
    chat_id = p_chat_id(p)
    _check_migrated(st, chat_id)
    text, parse_mode, plain, entities = _checked_text(p, "message is too long")
    markup = check_markup(p_json(p, "reply_markup"))
    msg = _store(st, chat_id, text, parse_mode, plain, entities, markup, p)
    return _message_result(st, msg)


def _find_own_message(st, p, what):
    if p.get("inline_message_id"):
        raise bad("message %s not found" % what if what != "edit" else "message to edit not found")
    chat_id = p_chat_id(p)
    _check_migrated(st, chat_id)
    mid = p_int(p, "message_id")
    if mid is None:
        raise bad("message identifier is not specified")
    msg = st.messages.get((chat_id, mid))
    if msg is None or msg["deleted"]:
        raise bad("message to %s not found" % what)
    return msg


def _edit(st, msg, text, parse_mode, plain, entities, markup):
    if not msg["from_bot"]:
        raise bad("message can't be edited")
    if plain == msg["plain"] and entities == msg["entities"] and markup == msg["reply_markup"]:
        raise bad(NOT_MODIFIED[len("Bad Request: "):])
    now = time.time()
    msg["edits"].append({"time": now, "text": text, "parse_mode": parse_mode, "reply_markup": markup,
                         "previous_text": msg["text"], "previous_reply_markup": msg["reply_markup"]})
    msg.update({"text": text, "parse_mode": parse_mode, "plain": plain, "entities": entities,
                "reply_markup": markup, "edit_date": now})
    return _message_result(st, msg)


def m_editmessagetext(st, p, f):
    msg = _find_own_message(st, p, "edit")
    text, parse_mode, plain, entities = _checked_text(p, "MESSAGE_TOO_LONG")
    markup = check_markup(p_json(p, "reply_markup"))
    if msg.get("document"):
        raise bad("there is no text in the message to edit")
    return _edit(st, msg, text, parse_mode, plain, entities, markup)


def m_editmessagereplymarkup(st, p, f):
    msg = _find_own_message(st, p, "edit")
    markup = check_markup(p_json(p, "reply_markup"))
    return _edit(st, msg, msg["text"], msg["parse_mode"], msg["plain"], msg["entities"], markup)


def m_deletemessage(st, p, f):
    chat_id = p_chat_id(p)
    _check_migrated(st, chat_id)
    mid = p_int(p, "message_id")
    msg = st.messages.get((chat_id, mid)) if mid is not None else None
    if msg is None or msg["deleted"]:
        raise bad("message to delete not found")
    msg["deleted"] = True
    msg["deleted_time"] = time.time()
    return True


def m_answercallbackquery(st, p, f):
    qid = p.get("callback_query_id")
    cb = st.callbacks.get(str(qid)) if qid is not None else None
    if cb is None:
        raise bad("query is too old and response timeout expired or query ID is invalid")
    text = p.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > 200):
        raise bad("MESSAGE_TOO_LONG")
    cb["answered"] += 1
    cb["answers"].append({"time": time.time(), "text": text, "show_alert": p_bool(p, "show_alert")})
    return True


def _commands_key(p):
    scope = p_json(p, "scope") or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad("can't parse BotCommandScope JSON object")
    if scope["type"] not in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators",
                             "chat", "chat_administrators", "chat_member"):
        raise bad("wrong BotCommandScope type specified")
    lang = p.get("language_code") or ""
    return json.dumps(scope, sort_keys=True), lang


def m_setmycommands(st, p, f):
    cmds = p_json(p, "commands")
    if not isinstance(cmds, list):
        raise bad("can't parse commands JSON object")
    if len(cmds) > 100:
        raise bad("too many commands specified")
    for c in cmds:
        if not isinstance(c, dict):
            raise bad("can't parse BotCommand JSON object")
        name, desc = c.get("command"), c.get("description")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad("BOT_COMMAND_INVALID")
        if not isinstance(desc, str) or not (1 <= len(desc) <= 256):
            raise bad("command description must be non-empty")
    key = _commands_key(p)
    if cmds:
        st.commands[key] = [{"command": c["command"], "description": c["description"]} for c in cmds]
    else:
        st.commands.pop(key, None)
    return True


def m_getmycommands(st, p, f):
    return st.commands.get(_commands_key(p), [])


def m_deletemycommands(st, p, f):
    st.commands.pop(_commands_key(p), None)
    return True


def m_sendchataction(st, p, f):
    chat_id = p_chat_id(p)
    _check_migrated(st, chat_id)
    return True


def m_senddocument(st, p, f):
    chat_id = p_chat_id(p)
    _check_migrated(st, chat_id)
    doc = (f or {}).get("document")
    if doc is not None:
        data = doc["data"]
        if len(data) > 50 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        if len(data) == 0:
            raise bad("file must be non-empty")
        file_id = "BQACAgIAAxkDAAI%06d" % st.next_file
        st.next_file += 1
        st.files[file_id] = data
        document = {"file_id": file_id, "file_unique_id": "AgAD%06d" % (st.next_file - 1),
                    "file_name": doc["file_name"] or "document",
                    "mime_type": doc["content_type"] or "application/octet-stream",
                    "file_size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    else:
        ref = p.get("document")
        if not isinstance(ref, str) or ref == "":
            raise bad("there is no document in the request")
        if ref.startswith("attach://"):
            raise bad("wrong remote file identifier specified: can't find attached file")
        if ref in st.files:
            data = st.files[ref]
            document = {"file_id": ref, "file_unique_id": "AgAD" + ref[-6:], "file_name": "document",
                        "mime_type": "application/octet-stream", "file_size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()}
        elif ref.startswith("http://") or ref.startswith("https://"):
            raise bad("failed to get HTTP URL content")
        else:
            raise bad("wrong file identifier/HTTP URL specified")
    caption = p.get("caption")
    parse_mode = p.get("parse_mode")
    plain, entities = ("", [])
    if caption:
        plain, entities = parse_text(caption, parse_mode, "caption")
        if len(plain) > CAPTION_MAX:
            raise bad("message caption is too long")
    markup = check_markup(p_json(p, "reply_markup"))
    msg = _store(st, chat_id, caption, parse_mode, plain, entities, markup, p, document)
    return _message_result(st, msg)


HANDLERS = {
    "getme": m_getme, "logout": m_logout, "close": m_logout, "deletewebhook": m_deletewebhook,
    "setwebhook": m_setwebhook, "getwebhookinfo": m_getwebhookinfo, "getupdates": m_getupdates,
    "sendmessage": m_sendmessage, "editmessagetext": m_editmessagetext,
    "editmessagereplymarkup": m_editmessagereplymarkup, "deletemessage": m_deletemessage,
    "answercallbackquery": m_answercallbackquery, "setmycommands": m_setmycommands,
    "getmycommands": m_getmycommands, "deletemycommands": m_deletemycommands,
    "senddocument": m_senddocument, "sendchataction": m_sendchataction,
}


# ---------------------------------------------------------------------------------------------
# Control API.

def _user(body, uid):
    u = {"id": uid, "is_bot": False, "first_name": body.get("first_name") or "User%d" % uid}
    if body.get("last_name"):
        u["last_name"] = body["last_name"]
    if body.get("username"):
        u["username"] = body["username"]
    u["language_code"] = body.get("language_code") or "en"
    return u


def _req_int(body, name, default=None):
    v = body.get(name, default)
    if v is None:
        raise ValueError("%s is required" % name)
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ValueError("%s must be an integer" % name)
    return int(v)


def _register_chat(st, body, chat_id, user):
    ctype = body.get("chat_type") or ("private" if chat_id > 0 else
                                      "supergroup" if chat_id <= -1000000000000 else "group")
    if ctype not in ("private", "group", "supergroup", "channel"):
        raise ValueError("bad chat_type")
    if ctype == "private":
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if user.get("username"):
            chat["username"] = user["username"]
    else:
        chat = {"id": chat_id, "type": ctype, "title": body.get("chat_title") or "Chat %d" % chat_id}
    st.chats[chat_id] = chat
    return chat


def c_message(st, body):
    uid = _req_int(body, "user_id")
    chat_id = _req_int(body, "chat_id", uid)
    text = body.get("text")
    if not isinstance(text, str):
        raise ValueError("text is required")
    user = _user(body, uid)
    chat = _register_chat(st, body, chat_id, user)
    mid = st.alloc_msg_id(chat_id, _req_int(body, "message_id") if body.get("message_id") is not None else None)
    now = time.time()
    msg = {"message_id": mid, "from": user, "chat": chat, "date": int(now), "text": text}
    m = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if m:
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": _u16(m.group(0))}]
    if body.get("reply_to_message_id") is not None:
        rid = _req_int(body, "reply_to_message_id")
        stored = st.messages.get((chat_id, rid))
        if stored and stored["from_bot"]:
            msg["reply_to_message"] = _message_result(st, stored)
        else:
            msg["reply_to_message"] = {"message_id": rid, "chat": chat, "date": int(now)}
    if body.get("message_thread_id") is not None:
        msg["message_thread_id"] = _req_int(body, "message_thread_id")
        msg["is_topic_message"] = True
    st.messages[(chat_id, mid)] = {"message_id": mid, "chat_id": chat_id, "text": text, "plain": text,
                                   "entities": [], "reply_markup": None, "date": now, "edits": [],
                                   "deleted": False, "from_bot": False}
    uid_ = st.enqueue_locked({"message": msg})
    return {"ok": True, "update_id": uid_, "message_id": mid}


def c_callback(st, body):
    uid = _req_int(body, "user_id")
    chat_id = _req_int(body, "chat_id", uid)
    mid = _req_int(body, "message_id")
    data = body.get("data")
    if not isinstance(data, str):
        raise ValueError("data is required")
    user = _user(body, uid)
    stored = st.messages.get((chat_id, mid))
    if stored is not None and stored["from_bot"]:
        message = _message_result(st, stored)
    else:
        message = {"message_id": mid, "chat": st.chat_obj(chat_id), "date": int(time.time())}
    matched = False
    if stored is not None and stored.get("reply_markup"):
        for row in stored["reply_markup"].get("inline_keyboard", []):
            for b in row:
                if b.get("callback_data") == data:
                    matched = True
    qid = str(4000000000000000000 + st.next_callback)
    st.next_callback += 1
    st.callbacks[qid] = {"answered": 0, "answers": [], "chat_id": chat_id, "message_id": mid, "data": data,
                         "user_id": uid}
    cq = {"id": qid, "from": user, "message": message, "chat_instance": str(abs(chat_id) * 7 + 13),
          "data": data}
    upd = st.enqueue_locked({"callback_query": cq})
    return {"ok": True, "update_id": upd, "callback_query_id": qid, "matched": matched,
            "message_known": stored is not None}


def c_raw_update(st, body):
    upd = body.get("update", body)
    if not isinstance(upd, dict) or not any(k != "update_id" for k in upd):
        raise ValueError("an update object is required")
    return {"ok": True, "update_id": st.enqueue_locked(upd)}


def c_migrate(st, body):
    old = _req_int(body, "chat_id")
    new = _req_int(body, "new_chat_id")
    st.migrated[old] = new
    title = st.chat_obj(old).get("title") or "Chat"
    st.chats[new] = {"id": new, "type": "supergroup", "title": title}
    ids = []
    if body.get("service_updates"):
        uid = _req_int(body, "user_id", 111)
        user = _user(body, uid)
        now = int(time.time())
        ids.append(st.enqueue_locked({"message": {
            "message_id": st.alloc_msg_id(old), "from": user, "chat": {"id": old, "type": "group", "title": title},
            "date": now, "migrate_to_chat_id": new}}))
        ids.append(st.enqueue_locked({"message": {
            "message_id": st.alloc_msg_id(new), "from": {"id": 1087968824, "is_bot": True,
                                                        "first_name": "Group", "username": "GroupAnonymousBot"},
            "sender_chat": {"id": new, "type": "supergroup", "title": title},
            "chat": {"id": new, "type": "supergroup", "title": title}, "date": now,
            "migrate_from_chat_id": old}}))
    return {"ok": True, "update_ids": ids}


def c_fault(st, body):
    method = body.get("method")
    kind = str(body.get("kind", ""))
    if not isinstance(method, str) or not method:
        raise ValueError("method is required")
    if kind not in FAULT_KINDS:
        raise ValueError("kind must be one of %s" % ", ".join(sorted(FAULT_KINDS)))
    count = int(body.get("count", 1))
    if count < 1:
        raise ValueError("count must be >= 1")
    f = {"method": method.lower(), "kind": kind, "count": count,
         "retry_after": int(body.get("retry_after", 1)), "description": body.get("description"),
         "seconds": float(body.get("seconds", 5)),
         "chat_id": _req_int(body, "chat_id") if body.get("chat_id") is not None else None}
    st.faults.append(f)
    return {"ok": True, "pending_faults": len(st.faults)}


def c_clear_faults(st, body):
    n = len(st.faults)
    st.faults = []
    return {"ok": True, "cleared": n}


def c_reset(st, body):
    st.reset_locked()
    if body.get("update_id_start") is not None:
        st.next_update_id = _req_int(body, "update_id_start")
    st.epoch += 1             # held polls answer [] at once
    st.cond.notify_all()
    return {"ok": True}


def _public_msg(m):
    r = {k: m.get(k) for k in ("message_id", "chat_id", "text", "parse_mode", "plain", "entities",
                               "reply_markup", "time", "edits", "deleted", "reply_to_message_id",
                               "message_thread_id")}
    if m.get("document"):
        r["document"] = dict(m["document"])
    return r


def g_requests(st, q):
    method = (q.get("method") or "").lower()
    since = int(q.get("since") or 0)
    return [dict(r) for r in st.requests
            if r["seq"] > since and (not method or r["method"].lower() == method)]


def g_sent(st, q):
    if q.get("chat_id") not in (None, ""):
        cid = int(q["chat_id"])
        msgs = st.sent.get(cid, [])
    else:
        msgs = [m for lst in st.sent.values() for m in lst]
        msgs.sort(key=lambda m: m["time"])
    if q.get("include_deleted") in (None, "", "1", "true"):
        return [_public_msg(m) for m in msgs]
    return [_public_msg(m) for m in msgs if not m["deleted"]]


def g_state(st, q):
    return {"pending_updates": len(st.updates), "confirmed_offset": st.confirmed_offset,
            "next_update_id": st.next_update_id, "allowed_updates": st.allowed_updates,
            "held_polls": st.held_polls, "webhook": st.webhook,
            "webhook_last_error": st.webhook_error, "faults": [dict(f) for f in st.faults],
            "migrated": {str(k): v for k, v in st.migrated.items()},
            "requests": st.seq, "sent": sum(len(v) for v in st.sent.values())}


def g_updates(st, q):
    return json.loads(json.dumps(st.updates))


def g_commands(st, q):
    return [{"scope": json.loads(k[0]), "language_code": k[1], "commands": v}
            for k, v in sorted(st.commands.items())]


def g_callbacks(st, q):
    return [dict(v, id=k) for k, v in st.callbacks.items()]


CONTROL_POST = {"message": c_message, "callback": c_callback, "raw_update": c_raw_update,
                "migrate": c_migrate, "fault": c_fault, "clear_faults": c_clear_faults, "reset": c_reset}
CONTROL_GET = {"requests": g_requests, "sent": g_sent, "state": g_state, "updates": g_updates,
               "commands": g_commands, "callbacks": g_callbacks}


# ---------------------------------------------------------------------------------------------
# HTTP.

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer at once: headers and body go in separate writes, and Nagle plus the client's
    # delayed ACK would add 40 ms to every call.
    disable_nagle_algorithm = True
    server_version = "nginx/1.18.0"
    sys_version = ""

    def log_message(self, fmt, *args):   # quiet: errors only, through log_error
        pass

    def log_error(self, fmt, *args):
        pass

    # --- plumbing ---
    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ValueError("truncated chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise OverflowError()
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        n = int(cl)
        if n < 0:
            raise ValueError("bad Content-Length")
        if n > MAX_BODY:
            raise OverflowError()
        data = self.rfile.read(n)
        if len(data) != n:
            raise ValueError("truncated body")
        return data

    def _send(self, status, body, ctype="application/json"):
        if isinstance(body, (dict, list)) or body is None or isinstance(body, bool):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.close_connection = True

    def _api_error(self, e):
        body = {"ok": False, "error_code": e.code, "description": e.description}
        if e.parameters:
            body["parameters"] = e.parameters
        self._send(e.code, body)
        return body

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self):
        st = self.server.state
        try:
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            try:
                body = self._read_body()
            except OverflowError:
                self.close_connection = True
                self._send(413, {"ok": False, "error_code": 413, "description": "Request Entity Too Large"})
                return
            except ValueError:
                self.close_connection = True
                self._send(400, {"ok": False, "error_code": 400, "description": "Bad Request: bad body"})
                return
            if path.startswith("/_control/"):
                self._control(st, path[len("/_control/"):], url.query, body)
            elif path.startswith("/bot"):
                self._bot(st, path, url.query, body)
            else:
                self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        except Exception:  # never crash the server on a request
            sys.stderr.write("fake_tg: error handling %s %s\n%s" % (self.command, self.path,
                                                                      traceback.format_exc()))
            self.close_connection = True
            self._send(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})

    # --- control ---
    def _control(self, st, name, query, body):
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        if self.command == "POST" and name in CONTROL_POST:
            try:
                data = json.loads(body.decode("utf-8")) if body.strip() else {}
                if not isinstance(data, dict):
                    raise ValueError("a JSON object is required")
                with st.lock:
                    res = CONTROL_POST[name](st, data)
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
                self._send(400, {"ok": False, "error": str(e) or e.__class__.__name__})
                return
            self._send(200, res)
        elif self.command in ("GET", "HEAD") and name in CONTROL_GET:
            try:
                with st.lock:
                    res = CONTROL_GET[name](st, q)
            except (ValueError, TypeError) as e:
                self._send(400, {"ok": False, "error": str(e)})
                return
            self._send(200, res)
        elif self.command in ("GET", "HEAD") and name == "file":
            with st.lock:
                data = st.files.get(q.get("file_id", ""))
            if data is None:
                self._send(404, {"ok": False, "error": "no such file"})
            else:
                self._send(200, data, "application/octet-stream")
        else:
            self._send(404, {"ok": False, "error": "unknown control endpoint %s %s" % (self.command, name)})

    # --- Bot API ---
    def _params(self, query, body):
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        files = {}
        ctype = self.headers.get("Content-Type") or ""
        base = ctype.split(";")[0].strip().lower()
        if body.strip():
            if base == "application/json":
                try:
                    data = json.loads(body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    raise bad("can't parse JSON object")
                if not isinstance(data, dict):
                    raise bad("can't parse JSON object")
                params.update(data)
            elif base == "multipart/form-data":
                try:
                    fields, files = parse_multipart(ctype, body)
                except ApiError:
                    raise
                except Exception:
                    raise bad("can't parse multipart body")
                params.update(fields)
            else:   # application/x-www-form-urlencoded and friends
                try:
                    form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    raise bad("strings must be encoded in UTF-8")
                params.update({k: v[-1] for k, v in form.items()})
        return params, files

    def _bot(self, st, path, query, body):
        rest = path[len("/bot"):]
        token, sep, method = rest.partition("/")
        if token != st.token:
            self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            with st.lock:
                self._record(st, method or "", {}, None, 401, "Unauthorized", token_ok=False)
            return
        canon = CANON.get(method.lower(), method)
        try:
            params, files = self._params(query, body)
        except ApiError as e:
            with st.lock:
                self._record(st, canon, {"_raw": body[:1000].decode("utf-8", "replace")}, None,
                             e.code, e.description)
            self._api_error(e)
            return
        shown = dict(params)
        for name, fobj in files.items():
            shown[name] = {"file_name": fobj["file_name"], "size": len(fobj["data"]),
                           "content_type": fobj["content_type"]}
        with st.lock:
            fault = st.take_fault_locked(canon, params)
            rec = self._record(st, canon, shown, fault["kind"] if fault else None, None, None)
        if fault and fault["kind"] != "hang":
            self._fault(st, fault, rec)
            return
        if fault:   # hang: answer normally after a delay
            time.sleep(fault["seconds"])
        handler = HANDLERS.get(method.lower())
        if handler is None:
            self._finish(st, rec, 404, "Not Found")
            self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            with st.lock:
                result = handler(st, params, files)
                desc = None
                if isinstance(result, tuple):
                    result, desc = result
                self._finish_locked(rec, 200, None)
            body = {"ok": True, "result": result}
            if desc:
                body["description"] = desc
            self._send(200, body)
        except ApiError as e:
            self._finish(st, rec, e.code, e.description)
            self._api_error(e)

    def _record(self, st, method, params, fault, status, description, token_ok=True):
        st.seq += 1
        rec = {"seq": st.seq, "time": time.time(), "method": method, "params": params, "fault": fault,
               "status": status, "description": description, "time_done": None}
        if not token_ok:
            rec["token_ok"] = False
            rec["time_done"] = rec["time"]
        st.requests.append(rec)
        return rec

    def _finish_locked(self, rec, status, description):
        rec["status"] = status
        rec["description"] = description
        rec["time_done"] = time.time()

    def _finish(self, st, rec, status, description):
        with st.lock:
            self._finish_locked(rec, status, description)

    def _fault(self, st, f, rec):
        kind = f["kind"]
        if kind == "close":
            self._finish(st, rec, 0, "connection closed")
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if kind == "malformed":
            self._finish(st, rec, 200, "malformed body")
            self._send(200, b'{"ok":true,"result":{"message_id":4')
            return
        if kind == "502":
            self._finish(st, rec, 502, "Bad Gateway")
            self._send(502, HTML_502, "text/html")
            return
        code = int(kind)
        desc = f.get("description")
        params = None
        if code == 429:
            desc = desc or DESCRIPTIONS[429] % f["retry_after"]
            params = {"retry_after": f["retry_after"]}
        else:
            desc = desc or DESCRIPTIONS.get(code, "Error")
        self._finish(st, rec, code, desc)
        self._api_error(ApiError(code, desc, params))


# ---------------------------------------------------------------------------------------------
# Webhook delivery: when a webhook is set, pending updates are POSTed to it, one at a time,
# with X-Telegram-Bot-Api-Secret-Token; a non-2xx answer is retried and shown in getWebhookInfo.

def webhook_loop(st):
    while True:
        with st.lock:
            while not st.stopping and (st.webhook is None or not st.updates):
                st.cond.wait(1.0)
            if st.stopping:
                return
            hook = dict(st.webhook)
            upd = st.updates[0]
        req = urllib.request.Request(hook["url"], data=json.dumps(upd).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
        if hook.get("secret_token"):
            req.add_header("X-Telegram-Bot-Api-Secret-Token", hook["secret_token"])
        err = None
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(req, timeout=10) as r:
                r.read()
        except urllib.error.HTTPError as e:
            err = "Wrong response from the webhook: %d %s" % (e.code, e.reason)
        except Exception as e:
            err = "Connection refused" if isinstance(e, ConnectionRefusedError) else "Connection error: %s" % e
        with st.lock:
            if err is None:
                st.updates = [u for u in st.updates if u["update_id"] != upd["update_id"]]
                st.webhook_error = None
            else:
                st.webhook_error = (int(time.time()), err)
                st.cond.wait(1.0)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description="fake Telegram Bot API server for tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", required=True)
    ap.add_argument("--bot-username", default="backoffice_bot")
    ap.add_argument("--port-file")
    ap.add_argument("--update-id-start", type=int, default=100000)
    args = ap.parse_args()

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args.token, args.bot_username, args.update_id_start)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print(port, flush=True)

    def stop(signum, frame):
        with srv.state.lock:
            srv.state.stopping = True
            srv.state.cond.notify_all()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=webhook_loop, args=(srv.state,), daemon=True).start()
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
