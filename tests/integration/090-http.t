#!/usr/bin/env python3
# 090-http.t — the HTTP server beside the polling bot: /healthz, /metrics (Prometheus text and
# counters that move), 404 and 405 as JSON, the bearer token (missing, wrong, API disabled), the
# body limit (413 with and without Expect: 100-continue), request ids in the log and the response,
# keep-alive after a request with a body (a request without one closes), and SIGTERM within 2 s.
# Then request framing over raw sockets (request smuggling): every Content-Length or
# Transfer-Encoding two parsers could read differently, a body longer than its Content-Length and
# pipelined requests are answered 400 (411 without a length) and the connection closed, and the
# smuggled request is never served: no second answer, no event recorded, the server not wedged.
import http.client
import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

API_TOKEN = "t0ken-for-tests"


def metric(text, name, **labels):
    """The value of one series in a Prometheus text page (None when absent)."""
    want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        if not m or m.group(1) != name:
            continue
        got = ",".join(sorted(p for p in re.findall(r'[a-z_]+="(?:[^"\\]|\\.)*"', m.group(2) or "")))
        if got == want:
            return float(m.group(3))
    return None


def raw_request(port, data, read_timeout=5.0):
    """Sends raw bytes and reads the answer until the server closes or read_timeout passes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


with Fake() as fake, Bot(fake, config={"http": {"api_token": API_TOKEN, "body_limit": 2048}}) as bot:
    bot.start()
    port = bot.http_port()
    ok(isinstance(port, int) and port > 0, "the port picked for listen = 127.0.0.1:0 is in state.http_port (%r)" % port)
    like(bot.log(), r"info: http: listening on 127\.0\.0\.1:%d\b" % (port or 0), "and logged at info")

    # --- /healthz ---
    st, hdrs, raw, js = bot.http("GET", "/healthz")
    is_eq(st, 200, "GET /healthz: 200")
    is_eq(hdrs.get("content-type"), "application/json; charset=utf-8", "/healthz: JSON content type")
    is_eq(int(hdrs.get("content-length", -1)), len(raw), "/healthz: Content-Length matches the body")
    js = js or {}
    ok(js.get("status") in ("ok", "degraded"), "status is ok or degraded (%r)" % js.get("status"))
    is_eq(js.get("database"), "ok", "database: ok")
    ok(isinstance(js.get("uptime_s"), (int, float)) and js["uptime_s"] >= 0, "uptime_s is a number")
    is_eq(sorted((js.get("queues") or {}).keys()), ["inbox", "outbox"], "queues: inbox and outbox")
    ok(isinstance((js.get("queues") or {}).get("outbox"), int), "queue depths are numbers")
    tg = js.get("telegram") or {}
    ok("last_poll_ok_s_ago" in tg and "errors" in tg, "telegram: last_poll_ok_s_ago and errors", "got %r" % tg)
    ok(wait_for(lambda: (bot.http("GET", "/healthz")[3] or {}).get("telegram", {}).get("last_poll_ok_s_ago")
                is not None, 5), "after a poll, last_poll_ok_s_ago is a number")
    crm = js.get("crm") or {}
    ok("up" in crm and "latency_ms" in crm, "crm: up and latency_ms (not configured here)", "got %r" % crm)
    like(hdrs.get("x-request-id", ""), r"^[0-9a-f]{8}-[0-9a-f]{6}$", "the answer carries X-Request-Id")
    rid = hdrs.get("x-request-id", "?")
    ok(wait_for(lambda: re.search(r"info: http: %s GET /healthz → 200 \(\d+ ms\)" % re.escape(rid), bot.log()), 5),
       "the request id, method, path, status and time are logged")

    # --- /metrics, before and after a /whoami through the fake ---
    st, hdrs, raw, _ = bot.http("GET", "/metrics")
    is_eq(st, 200, "GET /metrics: 200")
    like(hdrs.get("content-type", ""), r"^text/plain; version=0\.0\.4", "/metrics: Prometheus text 0.0.4")
    before = raw.decode()
    like(before, r"(?m)^# HELP backoffice_updates_received_total .+\n# TYPE backoffice_updates_received_total counter$",
         "HELP and TYPE lines")
    bad = [l for l in before.splitlines() if l and not l.startswith("#")
           and not re.match(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-z_]+="(?:[^"\\\n]|\\.)*",?)*\})? -?[0-9.e+Inf-]+$', l)]
    is_eq(bad, [], "every sample line parses as name{labels} value")
    fake.message(SUPERADMIN, "/whoami")
    fake.wait_sent(SUPERADMIN, 1)
    ok(wait_for(lambda: (metric(bot.http("GET", "/metrics")[2].decode(), "backoffice_messages_sent_total") or 0)
                > (metric(before, "backoffice_messages_sent_total") or 0), 5),
       "messages_sent_total moves after a /whoami")
    after = bot.http("GET", "/metrics")[2].decode()
    cmp_ok(metric(after, "backoffice_updates_received_total") or 0, ">",
           metric(before, "backoffice_updates_received_total") or 0, "updates_received_total moves")
    cmp_ok(metric(after, "backoffice_handler_duration_seconds_count") or 0, ">=", 1,
           "the handler latency histogram counted the update")
    is_eq(metric(after, "backoffice_handler_duration_seconds_bucket", le="+Inf"),
          metric(after, "backoffice_handler_duration_seconds_count"), "its +Inf bucket equals its count")
    cmp_ok(metric(after, "backoffice_telegram_requests_total", method="sendMessage", **{"class": "ok"}) or 0, ">=", 1,
           "Bot API calls by method and class: sendMessage ok")
    cmp_ok(metric(after, "backoffice_telegram_request_duration_seconds_count", method="getUpdates") or 0, ">=", 1,
           "Bot API latency histogram for getUpdates")
    is_eq(metric(after, "backoffice_telegram_errors_total", **{"class": "transient"}), 0.0,
          "errors by class start at 0")
    ok(metric(after, "backoffice_outbox_pending") is not None and metric(after, "backoffice_inbox_pending") is not None,
       "outbox and inbox depth")
    cmp_ok(metric(after, "backoffice_http_requests_total", route="healthz", code="200") or 0, ">=", 2,
           "http_requests_total for /healthz 200")

    # a Bot API error shows by class
    fake.fault("sendMessage", "500", count=1)
    fake.message(SUPERADMIN, "/whoami")
    fake.wait_sent(SUPERADMIN, 2)
    ok(wait_for(lambda: (metric(bot.http("GET", "/metrics")[2].decode(), "backoffice_telegram_errors_total",
                                **{"class": "transient"}) or 0) >= 1, 5),
       "a 500 from the fake counts as a transient error")

    # --- 404, 405 ---
    st, hdrs, raw, js = bot.http("GET", "/nope")
    is_eq((st, js), (404, {"error": "not found"}), "unknown path: 404 JSON")
    is_eq(hdrs.get("content-type"), "application/json; charset=utf-8", "404 is JSON")
    st, hdrs, raw, js = bot.http("POST", "/healthz", body="{}")
    is_eq((st, (js or {}).get("error")), (405, "method not allowed"), "POST /healthz: 405 JSON")
    is_eq(hdrs.get("allow"), "GET", "405 names the allowed method")
    st, _, _, _ = bot.http("GET", "/api/v1/events")
    is_eq(st, 405, "GET on the events route: 405")
    st, _, _, _ = bot.http("GET", "/api/v1/partners//status", token=API_TOKEN)
    is_eq(st, 404, "an empty {} segment does not match")

    # --- the bearer token ---
    for path, method, body in (("/api/v1/events", "POST", {"events": []}),
                               ("/api/v1/partners/demo/volume", "PUT", {"clients": 1}),
                               ("/api/v1/partners/demo/status", "GET", None)):
        st, hdrs, _, js = bot.http(method, path, body=body)
        is_eq(st, 401, "%s %s without a token: 401" % (method, path))
        ok(isinstance(js, dict) and isinstance(js.get("error"), str), "  with a JSON error", "got %r" % js)
        is_eq(hdrs.get("www-authenticate"), "Bearer", "  and WWW-Authenticate: Bearer")
        st, _, _, js = bot.http(method, path, body=body, token=API_TOKEN + "x")
        is_eq((st, (js or {}).get("error")), (401, "wrong bearer token"), "%s %s with a wrong token: 401" % (method, path))
        st, _, _, _ = bot.http(method, path, body=body, token=API_TOKEN[:-1])
        is_eq(st, 401, "  a prefix of the token: 401")
        st, _, _, _ = bot.http(method, path, body=body, headers={"Authorization": "Basic " + API_TOKEN})
        is_eq(st, 401, "  another scheme: 401")
        st, _, _, _ = bot.http(method, path, body=body, token=API_TOKEN)
        isnt_eq(st, 401, "%s %s with the token gets past the check" % (method, path))

    # --- the body limit (2048 here) ---
    big = b'{"events":[' + b'"x",' * 1000 + b'"x"]}'
    st, hdrs, _, js = bot.http("POST", "/api/v1/events", body=big, token=API_TOKEN,
                               headers={"Content-Type": "application/json"})
    is_eq(st, 413, "a body over body_limit: 413 (%d bytes)" % len(big))
    is_eq(js, {"error": "body too large (limit 2048 bytes)"}, "  with a JSON error naming the limit")
    st, _, _, js = bot.http("POST", "/telegram/webhook", body=big)
    ok(st in (404, 413), "the webhook route reads no more than the limit either (%d)" % st)
    # a client that waits for 100 Continue gets its 413 before sending the body
    t0 = time.monotonic()
    out = raw_request(port, b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + API_TOKEN.encode()
                      + b"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
    like(out.decode("latin-1"), r"^HTTP/1\.1 413 ", "Expect: 100-continue with a body too large: 413 at once")
    cmp_ok(time.monotonic() - t0, "<", 2.0, "  and the connection is closed (no body read)")
    out = raw_request(port, b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + API_TOKEN.encode()
                      + b"\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n", read_timeout=1.0)
    like(out.decode("latin-1"), r"^HTTP/1\.1 100 Continue\r\n\r\n$", "a body within the limit: 100 Continue, then we wait")

    # --- keep-alive: after a request with a body; a request without one closes the connection
    # (lws keeps whatever follows such a request where the server cannot see it) ---
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    codes, ends = [], set()
    for path in ("/api/v1/events", "/nope", "/api/v1/events"):
        con.request("POST", path, body=b'{"events": []}', headers={"Authorization": "Bearer " + API_TOKEN})
        r = con.getresponse()
        r.read()
        codes.append((r.status, r.getheader("connection")))
        ends.add(con.sock.getsockname() if con.sock else None)
    con.close()
    is_eq(codes, [(200, None), (404, None), (200, None)], "three POSTs on one kept-alive connection")
    is_eq(len(ends), 1, "  the same connection each time (%r)" % ends)
    st, hdrs, _, _ = bot.http("GET", "/healthz")
    is_eq((st, hdrs.get("connection")), (200, "close"), "a GET is answered with Connection: close")

    # --- the log: one line per request with its id ---
    lines = re.findall(r"info: http: ([0-9a-f]{8}-[0-9a-f]{6}) (\S+) (\S+) → (\d+) \(\d+ ms\)", bot.log())
    ok(len(lines) >= 20, "each request logged with its id (%d lines)" % len(lines))
    is_eq(len({l[0] for l in lines}), len(lines), "request ids are unique")
    unlike(bot.log(), re.escape(API_TOKEN), "the API token is never logged")

    # --- the fake Bot API still works, and SIGTERM still exits within 2 s ---
    n = len(fake.sent(SUPERADMIN))
    fake.message(SUPERADMIN, "/whoami")
    like((fake.wait_sent(SUPERADMIN, n + 1)[n:] or [{"plain": ""}])[0]["plain"], r"суперадмин",
         "polling and replies go on beside the HTTP server")
    idle = socket.create_connection(("127.0.0.1", port))   # an idle client must not hold the stop
    rc = bot.stop()
    idle.close()
    is_eq(rc, 0, "SIGTERM exits 0 with the HTTP server running")
    cmp_ok(bot.stop_seconds, "<", 2.0, "within 2 seconds (%.2f s)" % (bot.stop_seconds or -1))

# --- request framing over raw sockets (request smuggling) ---


def exchange(port, data, timeout=3.0):
    """Sends data on a new connection; reads until the server closes it or timeout passes.
    Returns (answers, closed): answers a list of (status, headers, body bytes) in order."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out, closed = b"", False
    try:
        s.sendall(data)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            out += chunk
    finally:
        s.close()
    answers = []
    while out:
        head, sep, rest = out.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
        if not sep or not m:
            answers.append((None, {}, out))
            break
        hdrs = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.decode("latin-1").partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        answers.append((int(m.group(1)), hdrs, rest[:n]))
        out = rest[n:]
    return answers, closed


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


with Fake() as fake, Bot(fake, config={"http": {"api_token": API_TOKEN, "body_limit": 2048}}) as bot:
    bot.start()
    is_eq(bot.stop(), 0, "framing: the bot ran once to create its database")
    now = int(time.time())
    with sqlite_rw(bot.db_path) as db:
        partner = db.execute("INSERT INTO partners(slug, name, name_key, sort_key, status, created_at,"
                             " updated_at) VALUES ('smug', 'smug', 'smug', 'smug', 0, ?, ?)",
                             (now, now)).lastrowid
    bot.start()
    port = bot.http_port()
    auth = b"Authorization: Bearer " + API_TOKEN.encode() + b"\r\n"

    def body(eid):
        return json.dumps({"events": [{"id": eid, "partner": partner, "type": "login",
                                       "at": "2025-01-15T10:00:00Z"}]}).encode()

    def post(eid, cl=None, extra=b""):
        b = body(eid)
        return (b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\n" + auth + extra
                + b"Content-Length: %d\r\n\r\n" % (len(b) if cl is None else cl) + b)

    def recorded(*ids):
        return bot.sql_value("SELECT count(*) FROM event_ids WHERE id IN (%s)" % ",".join("?" * len(ids)), ids)

    # the requests are real: sent alone they are served and recorded
    answers, closed = exchange(port, post("control"))
    is_eq([a[0] for a in answers], [200], "framing: a well-framed POST is answered 200")
    is_eq(recorded("control"), 1, "  and its event recorded")
    ok(not closed, "  and the connection kept open")

    head = b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\n" + auth
    cases = [
        # name, bytes (outer-<name> is the outer request's event, smuggled-<name> the hidden one), status
        ("two different Content-Length", lambda n: head + b"Content-Length: %d\r\nContent-Length: 0\r\n\r\n"
         % len(body("outer-" + n)) + body("outer-" + n), 400, "duplicate Content-Length"),
        ("Content-Length 0 then the real one", lambda n: head + b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n"
         % len(body("outer-" + n)) + body("outer-" + n), 400, "duplicate Content-Length"),
        ("two equal Content-Length", lambda n: head + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n"
         % (len(body("outer-" + n)), len(body("outer-" + n))) + body("outer-" + n), 400, "duplicate Content-Length"),
        ("two equal values in one header", lambda n: head + b"Content-Length: %d, %d\r\n\r\n"
         % (len(body("outer-" + n)), len(body("outer-" + n))) + body("outer-" + n), 400, "Content-Length"),
        ("a negative Content-Length", lambda n: head + b"Content-Length: -1\r\n\r\n" + post("smuggled-" + n),
         400, "Content-Length"),
        ("a Content-Length that is not a number", lambda n: head + b"Content-Length: abc\r\n\r\n"
         + post("smuggled-" + n), 400, "Content-Length"),
        ("a leading +", lambda n: head + b"Content-Length: +%d\r\n\r\n" % len(body("outer-" + n))
         + body("outer-" + n), 400, "Content-Length"),
        ("a space inside", lambda n: head + b"Content-Length: 1 0\r\n\r\n" + post("smuggled-" + n),
         400, "Content-Length"),
        ("a tab before the digits", lambda n: head + b"Content-Length:\t%d\r\n\r\n" % len(body("outer-" + n))
         + body("outer-" + n), 400, "Content-Length"),
        ("a value that wraps a 64-bit counter", lambda n: head + b"Content-Length: %d\r\n\r\n"
         % (2 ** 64 + len(body("outer-" + n))) + body("outer-" + n), 400, "Content-Length"),
        ("a space before the colon", lambda n: head + b"Content-Length : %d\r\n\r\n" % len(body("outer-" + n))
         + body("outer-" + n), 400, "Content-Length"),
        ("Content-Length with Transfer-Encoding", lambda n: head + b"Content-Length: %d\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n" % len(body("outer-" + n)) + body("outer-" + n), 400,
         "Transfer-Encoding"),
        ("Transfer-Encoding: chunked", lambda n: head + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n"
         % len(body("outer-" + n)) + body("outer-" + n) + b"\r\n0\r\n\r\n", 400, "Transfer-Encoding"),
        ("Transfer-Encoding: gzip", lambda n: head + b"Transfer-Encoding: gzip\r\n\r\n" + post("smuggled-" + n),
         400, "Transfer-Encoding"),
        ("a space before the colon of Transfer-Encoding", lambda n: post("outer-" + n,
         extra=b"Transfer-Encoding : chunked\r\n"), 400, "Transfer-Encoding"),
        ("a body longer than its Content-Length", lambda n: post("outer-" + n) + b'{"x": 1}', 400, "after the body"),
        ("a request pipelined after a POST", lambda n: post("outer-" + n) + post("smuggled-" + n), 400,
         "after the body"),
        ("a GET with a body", lambda n: b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
         % len(post("smuggled-" + n)) + post("smuggled-" + n), 400, "body"),
        ("a POST without Content-Length", lambda n: head + b"\r\n" + post("smuggled-" + n), 411,
         "Content-Length required"),
    ]
    for name, make, status, words in cases:
        answers, closed = exchange(port, make(name))
        got = answers[0] if answers else (None, {}, b"")
        try:
            err = json.loads(got[2].decode("utf-8"))
        except ValueError:
            err = None
        is_eq(got[0], status, "framing: %s: %d" % (name, status), "answers: %r" % answers)
        ok(isinstance(err, dict) and words in err.get("error", ""), "  with a JSON error naming it (%r)" % err)
        is_eq(got[1].get("connection"), "close", "  and Connection: close")
        ok(closed, "  and the connection closed")
        is_eq(len(answers), 1, "  and no second answer")
        is_eq(recorded("outer-" + name, "smuggled-" + name), 0, "  and neither event recorded")

    # a request after one without a body is never read (lws would keep it out of sight)
    answers, closed = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + post("smuggled-get"))
    is_eq([a[0] for a in answers], [200], "framing: a GET with a request pipelined after it: the GET answered")
    is_eq(answers[0][1].get("connection") if answers else None, "close", "  with Connection: close")
    ok(closed, "  and the connection closed")
    is_eq(recorded("smuggled-get"), 0, "  and the pipelined request never served")

    # nothing of it wedged the server: it answers, idles and stops
    st, _, _, _ = bot.http("GET", "/healthz", timeout=2)
    is_eq(st, 200, "framing: the server still answers")
    c0 = cpu_seconds(bot.pid)
    time.sleep(1.0)
    cmp_ok(cpu_seconds(bot.pid) - c0, "<", 0.5, "  and idles (no busy loop on a connection)")
    lines = re.findall(r"info: http: [0-9a-f]{8}-[0-9a-f]{6} (\S+) (\S+) → (\d+)", bot.log())
    is_eq(len(lines), len(cases) + 3, "  one request logged per connection (%d)" % len(lines))
    rc = bot.stop()
    is_eq(rc, 0, "  and SIGTERM exits 0")
    cmp_ok(bot.stop_seconds, "<", 2.0, "  within 2 seconds (%.2f s)" % (bot.stop_seconds or -1))

# An empty api_token disables the API; a busy port is a clear start-up failure.
with Fake() as fake, Bot(fake) as bot:
    bot.start()
    st, _, _, js = bot.http("GET", "/api/v1/partners/demo/status", token="anything")
    is_eq((st, js), (401, {"error": "API disabled: set [http] api_token"}), "no api_token: 401 API disabled")
    st, _, _, _ = bot.http("GET", "/healthz")
    is_eq(st, 200, "while /healthz still answers")
    busy = bot.http_port()
    with Bot(fake, config={"http": {"listen": "127.0.0.1:%d" % busy}}) as second:
        second.start(wait=False)
        is_eq(second.wait_exit(10), 1, "a second bot on a port in use exits 1")
        like(second.log(), r"http: cannot listen on 127\.0\.0\.1:%d" % busy, "  saying it cannot listen")
    is_eq(bot.stop(), 0, "the first one stops cleanly")

done()
