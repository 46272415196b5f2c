"""
harness.py — helpers for backoffice's integration tests (Python 3.11 standard library only).

An integration test is an executable Python script printing TAP:

    #!/usr/bin/env python3
    import os, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import *

    require_binary()                      # "1..0 # SKIP" when build/backoffice is missing
    with Fake() as fake, Bot(fake) as bot:
        bot.start()                       # waits until the bot long-polls the fake
        fake.message(111, "/whoami")
        sent = fake.wait_sent(111, 1)
        is_eq(len(sent), 1, "one reply")
        like(sent[0]["text"], r"superadmin", "the reply names the role")
        is_eq(bot.stop(), 0, "SIGTERM exits 0")
    done()

Everything started here is stopped at exit (atexit and the context managers); temp directories
are removed unless BO_KEEP_TMP=1 is set. Nothing here reaches beyond 127.0.0.1.
"""

import atexit
import collections
import ctypes
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_TG = os.path.join(ROOT, "tests", "fake", "fake_tg.py")
BINARY = os.environ.get("BO_BINARY") or os.path.join(ROOT, "build", "backoffice")
TOKEN = "TEST:TOKEN123456"
BOT_USERNAME = "backoffice_bot"
SUPERADMIN = 111
KEEP_TMP = os.environ.get("BO_KEEP_TMP") == "1"
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"

# ---------------------------------------------------------------------------------------------
# TAP

_tap = {"n": 0, "failed": 0, "planned": None, "done": False}


def _out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def plan(n):
    """Declares the number of tests up front (optional: done() prints the plan otherwise)."""
    _tap["planned"] = n
    _out("1..%d" % n)


def diag(*msg):
    """Prints a diagnostic (# lines); multi-line strings become several # lines."""
    for m in msg:
        for line in str(m).splitlines() or [""]:
            _out("# " + line)


note = diag


def ok(cond, name="", *diagnostics):
    """One test line. Returns the truth of cond, so `if not ok(...): diag(...)` reads well."""
    _tap["n"] += 1
    cond = bool(cond)
    name = str(name).replace("\n", " ").replace("#", "\\#")
    _out("%sok %d - %s" % ("" if cond else "not ", _tap["n"], name))
    if not cond:
        _tap["failed"] += 1
        here = os.path.abspath(__file__)
        frames = [f for f in traceback.extract_stack() if os.path.abspath(f.filename) != here]
        where = ("  at %s line %d." % (frames[-1].filename, frames[-1].lineno)) if frames else ""
        diag("  Failed test '%s'" % name, where)
        for d in diagnostics:
            diag(d)
    return cond


def is_eq(got, want, name="", *more):
    """ok(got == want) with got/expected (and any more diagnostics) shown on failure."""
    return ok(got == want, name, "         got: %r" % (got,), "    expected: %r" % (want,), *more)


def isnt_eq(got, unwanted, name=""):
    return ok(got != unwanted, name, "         got: %r" % (got,), "    expected anything else")


def like(got, pattern, name=""):
    """ok when got is a string matching the regular expression pattern (re.search)."""
    good = isinstance(got, str) and re.search(pattern, got) is not None
    return ok(good, name, "                  %r" % (got,), "    doesn't match '%s'" % pattern)


def unlike(got, pattern, name=""):
    good = isinstance(got, str) and re.search(pattern, got) is None
    return ok(good, name, "                  %r" % (got,), "          matches '%s'" % pattern)


def cmp_ok(got, op, want, name=""):
    """cmp_ok(elapsed, "<", 2.0, "fast"); op is one of < <= > >= == !=."""
    ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
           ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
    try:
        good = ops[op](got, want)
    except TypeError:
        good = False
    return ok(good, name, "    %r" % (got,), "        %s" % op, "    %r" % (want,))


def skip(reason, count=1):
    for _ in range(count):
        _tap["n"] += 1
        _out("ok %d # skip %s" % (_tap["n"], reason))


def skip_all(reason):
    _out("1..0 # SKIP %s" % reason)
    _tap["done"] = True
    sys.exit(0)


def bail_out(reason):
    _out("Bail out! %s" % reason)
    _tap["done"] = True
    sys.exit(255)


def done():
    """Prints the plan if none was declared and exits: 0 when every test passed, else 1."""
    _tap["done"] = True
    if _tap["planned"] is None:
        _out("1..%d" % _tap["n"])
    elif _tap["planned"] != _tap["n"]:
        diag("Looks like you planned %d tests but ran %d." % (_tap["planned"], _tap["n"]))
        sys.exit(1)
    if _tap["failed"]:
        diag("Looks like you failed %d test(s) of %d." % (_tap["failed"], _tap["n"]))
    sys.exit(1 if _tap["failed"] else 0)


def require_binary():
    """Skips the whole script when build/backoffice has not been built."""
    if not os.access(BINARY, os.X_OK):
        skip_all("%s is not built (run make)" % os.path.relpath(BINARY, ROOT))


def wait_for(predicate, timeout=10.0, interval=0.05):
    """Calls predicate() until it returns a truthy value (returned) or timeout passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def faketime_env(offset):
    """The environment that moves a bot's wall clock by offset (seconds, or a libfaketime string
    such as "+6m"; libfaketime preloaded into the bot itself); the monotonic clock stays real."""
    if not isinstance(offset, str):
        offset = "%+d" % offset
    return {"LD_PRELOAD": LIBFAKETIME, "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "ASAN_OPTIONS": "verify_asan_link_order=0"}


# ---------------------------------------------------------------------------------------------
# Messages and test data

def buttons(msg):
    """The inline buttons of a stored message, row after row: [{text, callback_data}]."""
    return [b for row in ((msg or {}).get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def data_of(msg, label):
    """The callback data of the first button whose text matches the regular expression label."""
    for b in buttons(msg):
        if re.search(label, b["text"]):
            return b["callback_data"]
    return None


def inn10(lead9):
    """A valid 10-digit INN (an organisation's) from its first nine digits."""
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return lead9 + str(sum(a * int(b) for a, b in zip(w, lead9)) % 11 % 10)


def inn12(lead10):
    """A valid 12-digit INN (a sole trader's) from its first ten digits."""
    d = [int(x) for x in lead10]
    n11 = sum(a * b for a, b in zip([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], d)) % 11 % 10
    d.append(n11)
    n12 = sum(a * b for a, b in zip([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], d)) % 11 % 10
    return lead10 + str(n11) + str(n12)


# ---------------------------------------------------------------------------------------------
# Process hygiene: every child is registered, stopped at exit, and dies with us (PDEATHSIG).

_live = []


def _cleanup_all():
    for obj in reversed(list(_live)):
        try:
            obj.close()
        except Exception:
            pass


atexit.register(_cleanup_all)


def _sig_exit(signum, frame):
    raise SystemExit(128 + signum)


for _s in (signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_s) in (signal.SIG_DFL, None):
        signal.signal(_s, _sig_exit)

try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:
    _libc = None


def _child_setup():
    """In the child: die with the parent (PR_SET_PDEATHSIG = 1) so no process outlives a test."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def _clean_env(extra=None):
    """The environment for children: no proxies (tests stay on 127.0.0.1), no token override."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy")
           and k != "BACKOFFICE_TELEGRAM_TOKEN"}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
    return env


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FakeError(Exception):
    """A control call the fake refused (4xx): .status and .body."""

    def __init__(self, status, body):
        super().__init__("fake answered %d: %s" % (status, body))
        self.status = status
        self.body = body


# ---------------------------------------------------------------------------------------------
# The fake Telegram server.

class Fake:
    """Starts tests/fake/fake_tg.py on a free port and talks to its control API."""

    def __init__(self, token=TOKEN, bot_username=BOT_USERNAME, update_id_start=100000, start=True):
        self.token = token
        self.bot_username = bot_username
        self.update_id_start = update_id_start
        self.proc = None
        self.port = None
        self.tmp = tempfile.mkdtemp(prefix="bo-fake-")
        self.stderr_path = os.path.join(self.tmp, "fake.stderr")
        _live.append(self)
        if start:
            self.start()

    # --- lifecycle ---
    @property
    def url(self):
        """Base URL for [telegram] api_url: http://127.0.0.1:PORT"""
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=10.0):
        port_file = os.path.join(self.tmp, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self._err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, FAKE_TG, "--port", "0", "--token", self.token, "--bot-username",
             self.bot_username, "--port-file", port_file, "--update-id-start", str(self.update_id_start)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._err,
            env=_clean_env(), preexec_fn=_child_setup)
        if not wait_for(lambda: os.path.exists(port_file) or self.proc.poll() is not None, timeout):
            raise RuntimeError("fake_tg.py did not start")
        if self.proc.poll() is not None:
            raise RuntimeError("fake_tg.py exited: %s" % self.stderr())
        with open(port_file) as fh:
            self.port = int(fh.read().strip())
        return self

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as fh:
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        """Stops the server; shows its stderr (errors only) as diagnostics; removes the temp dir."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        err = self.stderr()
        if err.strip() and not getattr(self, "_shown", False):
            self._shown = True
            diag("fake_tg stderr:", err)
        if getattr(self, "_err", None):
            self._err.close()
            self._err = None
        if self.tmp and not KEEP_TMP:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self in _live:
            _live.remove(self)

    stop = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- raw HTTP ---
    def http(self, method, path, body=None, headers=None, timeout=30.0):
        """One HTTP request to the fake: returns (status, headers, body bytes)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            headers = dict(headers or {}, **{"Content-Type": "application/json"})
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with _opener.open(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def api(self, method, params=None, token=None, timeout=30.0, http_method="POST", form=False):
        """Calls the Bot API as a bot would: returns (status, parsed JSON or None, raw body).
        form=True sends application/x-www-form-urlencoded (non-string values JSON-encoded)."""
        path = "/bot%s/%s" % (self.token if token is None else token, method)
        if http_method == "GET":
            if params:
                path += "?" + urllib.parse.urlencode(
                    {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()})
            status, _, raw = self.http("GET", path, timeout=timeout)
        elif form:
            data = urllib.parse.urlencode(
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in (params or {}).items()}).encode()
            status, _, raw = self.http("POST", path, data,
                                       {"Content-Type": "application/x-www-form-urlencoded"}, timeout)
        else:
            status, _, raw = self.http("POST", path, params or {}, timeout=timeout)
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            parsed = None
        return status, parsed, raw

    def _post(self, name, body):
        status, _, raw = self.http("POST", "/_control/" + name, body)
        data = json.loads(raw.decode("utf-8")) if raw else None
        if status != 200:
            raise FakeError(status, data)
        return data

    def _get(self, name, **query):
        q = {k: v for k, v in query.items() if v is not None}
        path = "/_control/" + name + ("?" + urllib.parse.urlencode(q) if q else "")
        status, _, raw = self.http("GET", path)
        if status != 200:
            raise FakeError(status, raw)
        return json.loads(raw.decode("utf-8"))

    # --- control: inject ---
    def message(self, user_id, text, chat_id=None, username=None, first_name=None, chat_type=None,
                message_id=None, **extra):
        """Queues a message Update from user_id in chat_id (default: the user's private chat).
        extra: last_name, language_code, chat_title, reply_to_message_id, message_thread_id.
        Returns {"update_id", "message_id"} (update_id None when allowed_updates filtered it)."""
        body = dict(extra, user_id=user_id, text=text)
        for k, v in (("chat_id", chat_id), ("username", username), ("first_name", first_name),
                     ("chat_type", chat_type), ("message_id", message_id)):
            if v is not None:
                body[k] = v
        return self._post("message", body)

    def callback(self, user_id, message_id, data, chat_id=None, **extra):
        """Queues a button press (callback_query) on message_id in chat_id (default: user's chat).
        Returns {"update_id", "callback_query_id", "matched" (a button with that data exists),
        "message_known"}."""
        body = dict(extra, user_id=user_id, message_id=message_id, data=data)
        if chat_id is not None:
            body["chat_id"] = chat_id
        return self._post("callback", body)

    def press(self, user_id, chat_id, message, button_text):
        """Presses the button labelled button_text (exact or regex) of a stored message dict."""
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for b in row:
                if b.get("text") == button_text or re.search(button_text, b.get("text", "")):
                    return self.callback(user_id, message["message_id"], b["callback_data"], chat_id=chat_id)
        raise KeyError("no button %r in message %s" % (button_text, message.get("message_id")))

    def raw_update(self, update):
        """Queues any Update object (update_id optional). Returns {"update_id"}."""
        return self._post("raw_update", {"update": update})

    def migrate(self, chat_id, new_chat_id, service_updates=False, user_id=SUPERADMIN):
        """Later calls naming chat_id get 400 'group chat was upgraded to a supergroup chat' with
        parameters.migrate_to_chat_id; service_updates also queues the two service messages."""
        return self._post("migrate", {"chat_id": chat_id, "new_chat_id": new_chat_id,
                                      "service_updates": service_updates, "user_id": user_id})

    def fault(self, method, kind, count=1, retry_after=None, description=None, seconds=None, chat_id=None):
        """The next `count` calls of method ("*" = any) get the fault: kind is "400", "401",
        "403", "404", "409", "429", "500", "502" (HTML body), "hang" (sleep `seconds`, then answer
        normally), "malformed" (200, truncated JSON) or "close" (no response). chat_id restricts
        it to calls naming that chat. A faulted send is not stored (except "hang")."""
        body = {"method": method, "kind": str(kind), "count": count}
        for k, v in (("retry_after", retry_after), ("description", description), ("seconds", seconds),
                     ("chat_id", chat_id)):
            if v is not None:
                body[k] = v
        return self._post("fault", body)

    def clear_faults(self):
        return self._post("clear_faults", {})

    def reset(self, update_id_start=None):
        """Forgets updates, messages, faults, requests, webhook and commands; update ids go on."""
        body = {} if update_id_start is None else {"update_id_start": update_id_start}
        return self._post("reset", body)

    # --- control: observe ---
    def requests(self, method=None, since=0):
        """Recorded Bot API calls: [{seq, time, time_done, method, params, fault, status, description}]."""
        return self._get("requests", method=method, since=since)

    def last_seq(self):
        return self.state()["requests"]

    def sent(self, chat_id=None):
        """Messages the bot sent that the fake stored (in order): [{message_id, chat_id, text
        (as sent), plain (entities parsed), parse_mode, entities, reply_markup, time, edits,
        deleted, reply_to_message_id, document?}]. Without chat_id: all chats."""
        return self._get("sent", chat_id=chat_id)

    def state(self):
        """{pending_updates, confirmed_offset, next_update_id, allowed_updates, held_polls,
        webhook, webhook_last_error, faults, migrated, requests (last seq), sent (count)}"""
        return self._get("state")

    def updates(self):
        """The pending (unconfirmed) updates."""
        return self._get("updates")

    def commands(self):
        """setMyCommands results: [{scope, language_code, commands}]."""
        return self._get("commands")

    def callbacks(self):
        """Issued callback queries: [{id, answered (count), answers, chat_id, message_id, data, user_id}]."""
        return self._get("callbacks")

    def file(self, file_id):
        """The bytes of a document the bot uploaded."""
        status, _, raw = self.http("GET", "/_control/file?" + urllib.parse.urlencode({"file_id": file_id}))
        if status != 200:
            raise FakeError(status, raw)
        return raw

    # --- waiting ---
    wait_for = staticmethod(wait_for)

    def wait_sent(self, chat_id, n, timeout=10.0):
        """Waits until at least n messages were stored for chat_id; returns the list (maybe shorter)."""
        got = wait_for(lambda: (lambda s: s if len(s) >= n else None)(self.sent(chat_id)), timeout)
        return got if got is not None else self.sent(chat_id)

    def say(self, user_id, text, expect=1, timeout=10.0, chat_id=None):
        """Sends text from user_id (in chat_id, by default the user's private chat) and waits for
        expect new messages in that chat; returns the new ones (fewer when they did not come)."""
        where = chat_id if chat_id is not None else user_id
        n = len(self.sent(where))
        self.message(user_id, text, chat_id=chat_id)
        return self.wait_sent(where, n + expect, timeout)[n:]

    def wait_requests(self, method, n=1, since=0, timeout=10.0):
        """Waits until at least n calls of method were recorded after seq `since`; returns them."""
        got = wait_for(lambda: (lambda r: r if len(r) >= n else None)(self.requests(method, since)), timeout)
        return got if got is not None else self.requests(method, since)

    def wait_confirmed(self, update_id, timeout=10.0):
        """Waits until the bot confirmed update_id (getUpdates offset > update_id). True/False."""
        return wait_for(lambda: self.state()["confirmed_offset"] > update_id, timeout) is not None

    def wait_edits(self, chat_id, message_id, n=1, timeout=10.0):
        """Waits until the stored message has at least n edits; returns the message (or None)."""
        def look():
            for m in self.sent(chat_id):
                if m["message_id"] == message_id and len(m["edits"]) >= n:
                    return m
            return None
        return wait_for(look, timeout)

    def wait_answered(self, callback_query_id, timeout=10.0):
        """Waits until answerCallbackQuery was called for the id; returns the callback record."""
        def look():
            for c in self.callbacks():
                if c["id"] == callback_query_id and c["answered"]:
                    return c
            return None
        return wait_for(look, timeout)


# ---------------------------------------------------------------------------------------------
# The bot under test.

def default_config(fake, data_dir):
    """The sections the harness writes, before a test's overrides."""
    return {
        "telegram": {"token": fake.token if fake else TOKEN,
                     "api_url": fake.url if fake else "http://127.0.0.1:9",
                     "poll_timeout": 1, "connect_timeout": 2, "retry_after_cap": 30},
        "access": {"superadmins": SUPERADMIN},
        "storage": {"database": os.path.join(data_dir, "backoffice.db"),
                    "tenants_dir": os.path.join(data_dir, "tenants"),
                    "backups_dir": os.path.join(data_dir, "backups")},
        "http": {"listen": "127.0.0.1:0"},    # a free port: tests run side by side
        "limits": {"chat_per_minute": 6000, "chat_burst": 100, "group_per_minute": 6000,
                   "global_per_second": 1000},
    }


def merge_config(base, overrides):
    """overrides: {section: {key: value}}; a value None deletes the key, a section None the section."""
    out = {s: dict(kv) for s, kv in base.items()}
    for sec, kv in (overrides or {}).items():
        if kv is None:
            out.pop(sec, None)
            continue
        dst = out.setdefault(sec, {})
        for k, v in kv.items():
            if v is None:
                dst.pop(k, None)
            else:
                dst[k] = v
    return out


def render_ini(config):
    lines = []
    for sec, kv in config.items():
        lines.append("[%s]" % sec)
        for k, v in kv.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, (list, tuple)):
                v = ",".join(str(x) for x in v)
            lines.append("%s = %s" % (k, v))
        lines.append("")
    return "\n".join(lines)


CliResult = collections.namedtuple("CliResult", "rc stdout stderr")


class Bot:
    """build/backoffice against a Fake, with a temp config and data directory.

    Bot(fake, config=None, env=None, data_dir=None, binary=None)
      config   overrides merged into default_config() (see merge_config)
      env      extra environment variables (None removes one)
      data_dir share another Bot's data directory (e.g. a second instance); not removed by us
    """

    def __init__(self, fake, config=None, env=None, data_dir=None, binary=None, wrapper=None):
        self.fake = fake
        self.binary = binary or BINARY
        self.wrapper = list(wrapper or [])     # e.g. ["valgrind", "--error-exitcode=99"]
        self.env = dict(env or {})
        self._own_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="bo-bot-")
        self.conf_path = os.path.join(self.dir, "backoffice-%d.ini" % id(self))
        self.stderr_path = os.path.join(self.dir, "stderr-%d.log" % id(self))
        self.stdout_path = os.path.join(self.dir, "stdout-%d.log" % id(self))
        self.config = merge_config(default_config(fake, self.dir), config)
        self.proc = None
        self.returncode = None
        self.stop_seconds = None
        self.start_seq = 0
        self.starts = 0
        _live.append(self)
        self.write_config()

    @property
    def db_path(self):
        return self.config.get("storage", {}).get("database", os.path.join(self.dir, "backoffice.db"))

    def write_config(self, config=None, text=None):
        """Rewrites the config file: from self.config, a new dict of overrides, or raw text.
        Mode 0600, as an operator keeps a config that holds the token (the bot refuses a looser one)."""
        if config is not None:
            self.config = merge_config(self.config, config)
        fd = os.open(self.conf_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text if text is not None else render_ini(self.config))
        return self.conf_path

    # --- lifecycle ---
    def start(self, args=("run",), wait=True, timeout=10.0):
        """Starts `backoffice -c CONF run`. wait=True: returns once the bot long-polls the fake
        (a getUpdates recorded after this start); raises RuntimeError if it exits first."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("bot already running")
        self.start_seq = self.fake.last_seq() if self.fake else 0
        self.returncode = None
        self.starts += 1
        err = open(self.stderr_path, "ab")
        out = open(self.stdout_path, "ab")
        if self.starts > 1:
            err.write(b"--- harness: start %d ---\n" % self.starts)
            err.flush()
        try:
            self.proc = subprocess.Popen(self.wrapper + [self.binary, "-c", self.conf_path] + list(args),
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                         env=_clean_env(self.env), cwd=self.dir, preexec_fn=_child_setup)
        finally:
            err.close()
            out.close()
        if wait and self.fake:
            if not self.wait_polling(timeout):
                rc = self.proc.poll()
                raise RuntimeError("bot did not start polling (exit %s); stderr:\n%s" % (rc, self.log()))
        return self

    def wait_polling(self, timeout=10.0):
        """True once a getUpdates from this run was recorded (False if the bot exited first)."""
        def look():
            if self.proc.poll() is not None:
                return "exited"
            return self.fake.requests("getUpdates", self.start_seq) and "polling"
        return wait_for(look, timeout) == "polling"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout=10.0):
        """Waits for the process to exit by itself; returns its exit code (None if still running)."""
        if self.proc is None:
            return self.returncode
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self, timeout=5.0):
        """SIGTERM, then waits up to timeout; returns the exit code (a negative signal number if
        it had to be killed). self.stop_seconds is how long the exit took."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            t0 = time.monotonic()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                diag("bot did not exit %.1f s after SIGTERM; killing it" % timeout)
                self.proc.kill()
                self.proc.wait()
            self.stop_seconds = time.monotonic() - t0
        self.returncode = self.proc.returncode
        return self.returncode

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def kill9(self):
        """SIGKILL, no chance to clean up; returns the exit code (-9)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.returncode = self.proc.returncode if self.proc else None
        return self.returncode

    def restart(self, wait=True, timeout=10.0, hard=False):
        """stop() (or kill9() with hard=True), then start(); returns the previous exit code."""
        rc = self.kill9() if hard else self.stop()
        self.start(wait=wait, timeout=timeout)
        return rc

    def close(self):
        """Stops the process; removes the data dir we created (shows stderr when tests failed).
        A sanitizer report in the bot's stderr (make test SANITIZE=…) is a failed test."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        if self.starts:
            m = re.search(r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:).*", self.log())
            ok(m is None, "no sanitizer report in the bot's stderr", m.group(0) if m else "")
        if _tap["failed"] and not getattr(self, "_shown", False):
            self._shown = True
            log = self.log()
            if log.strip():
                diag("bot stderr (last 60 lines):", "\n".join(log.splitlines()[-60:]))
        if self._own_dir and self.dir and not KEEP_TMP:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- output ---
    def log(self):
        """Everything the bot wrote to stderr over all its starts."""
        try:
            with open(self.stderr_path, "rb") as fh:
                return fh.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def stdout(self):
        try:
            with open(self.stdout_path, "rb") as fh:
                return fh.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def rss_peak_kb(self):
        """VmHWM of the running process in kB (None when not running)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except (OSError, AttributeError):
            return None
        return None

    # --- one-shot commands and the database ---
    def run_cli(self, args, timeout=30.0, input=None, env=None, conf=True):
        """Runs `backoffice -c CONF ARGS...` (conf=False: without -c) to completion.
        Returns CliResult(rc, stdout, stderr)."""
        argv = [self.binary] + (["-c", self.conf_path] if conf else []) + list(args)
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run(argv, input=input.encode() if isinstance(input, str) else input,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_clean_env(e),
                           cwd=self.dir, timeout=timeout, preexec_fn=_child_setup)
        return CliResult(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))

    # --- the bot's HTTP server ([http] listen; the harness sets 127.0.0.1:0) ---
    def http_port(self, timeout=10.0):
        """The port the HTTP server of this run listens on (state key http_port, once this
        run logged "http: listening on"), or None."""
        def look():
            this_run = self.log().split("--- harness: start %d ---" % self.starts)[-1]
            if self.starts == 0 or "http: listening on" not in this_run:
                return None
            return self.sql_value("SELECT value FROM state WHERE key = 'http_port'")
        return wait_for(look, timeout)

    def http(self, method, path, body=None, headers=None, token=None, timeout=10.0):
        """One request to the bot's HTTP server: returns (status, headers, body bytes, parsed
        JSON or None). body: bytes, str, or a dict/list sent as JSON; token: a bearer token."""
        import http.client
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        con = http.client.HTTPConnection("127.0.0.1", self.http_port(), timeout=timeout)
        try:
            con.request(method, path, body=body, headers=hdrs)
            r = con.getresponse()
            raw = r.read()
            got = {k.lower(): v for k, v in r.getheaders()}
        finally:
            con.close()
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            parsed = None
        return r.status, got, raw, parsed

    def sql(self, query, params=()):
        """A read-only query on the bot's database; returns a list of tuples."""
        # Read-only; but a WAL database whose -shm file is gone (the bot has stopped) cannot be
        # opened read-only, so then an ordinary connection that only queries.
        uri = "file:%s?mode=ro" % urllib.parse.quote(self.db_path)
        try:
            con = sqlite3.connect(uri, uri=True, timeout=10)
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.OperationalError:
            con = sqlite3.connect(self.db_path, timeout=10)
            con.execute("PRAGMA query_only = 1")
        try:
            con.execute("PRAGMA busy_timeout = 10000")
            return [tuple(r) for r in con.execute(query, params).fetchall()]
        finally:
            con.close()

    def sql_value(self, query, params=()):
        """The first column of the first row (None when no row)."""
        rows = self.sql(query, params)
        return rows[0][0] if rows else None

    def audit_head(self):
        """The id of the newest audit record (0 when there is none): new records come after it."""
        return self.sql_value("SELECT coalesce(max(id), 0) FROM audit_log")


class sqlite_rw:
    """A writable connection for tests that tamper with a stopped bot's database on purpose:
    with sqlite_rw(path) as db: db.execute(...) — committed on leaving the block."""

    def __init__(self, path):
        self.con = sqlite3.connect(path, timeout=10)

    def __enter__(self):
        return self.con

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.con.commit()
        self.con.close()


__all__ = ["ROOT", "BINARY", "TOKEN", "BOT_USERNAME", "SUPERADMIN", "LIBFAKETIME", "plan", "ok", "is_eq",
           "isnt_eq", "like", "unlike", "cmp_ok", "diag", "note", "skip", "skip_all", "bail_out", "done",
           "require_binary", "wait_for", "faketime_env", "buttons", "data_of", "inn10", "inn12", "Fake",
           "FakeError", "Bot", "CliResult", "default_config", "merge_config", "render_ini", "sqlite_rw"]
