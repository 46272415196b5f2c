#!/usr/bin/env python3
"""410-api-activity.t — the CRM API over real HTTP: POST /api/v1/events, PUT /api/v1/partners/{id}/volume,
GET /api/v1/partners/{id}/status. For each: a good request, no token and a wrong token (401,
nothing stored), bad JSON (400), wrong types (400 naming the field), an oversize body (413 with
[http] body_limit = 4096), an unknown partner (404), and a replay of the same request (nothing
changes and the answer is the first one's: {"accepted": N}). Then 8 threads post distinct events at
once and the day's logins add up to exactly what was sent. The status read is audited (api.status,
actor 0, roles crm).

The server listens on 127.0.0.1:0; the port it got is in the database (state 'http_port').
Skipped while the HTTP server (bot/http.c) is not part of the build."""
import json
import os
import sys
import threading
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()
if not os.path.exists(os.path.join(ROOT, "bot", "http.c")):
    skip_all("http server not built")

API_TOKEN = "t0ken-for-tests"
LIMIT = 4096
DAY_AT = "2025-01-15T10:00:00Z"          # a day the demo history never touches
DAY_NUM = 20103                          # 2025-01-15 as a UTC day number
CONFIG = {"http": {"listen": "127.0.0.1:0", "api_token": API_TOKEN, "body_limit": LIMIT}}


def call(port, method, path, body=None, token=API_TOKEN, raw=None, timeout=10):
    """One request: returns (status, parsed JSON or None, raw text)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return status, parsed, text


def field_of(resp):
    return (resp or {}).get("field")


with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    r = bot.run_cli(["demo-seed"])
    is_eq(r.rc, 0, "demo-seed succeeds")
    bot.start()
    port = wait_for(lambda: bot.sql_value("SELECT value FROM state WHERE key = 'http_port'"), 10)
    ok(port, "the bot published its HTTP port", bot.log()[-2000:])
    if not port:
        done()
    port = int(port)
    st, _, _ = call(port, "GET", "/healthz", token=None)
    is_eq(st, 200, "GET /healthz answers")

    p1, slug1, inn1 = bot.sql("SELECT id, slug, inn FROM partners WHERE inn IS NOT NULL"
                              " AND length(inn) = 10 ORDER BY id LIMIT 1")[0]
    p2 = bot.sql_value("SELECT id FROM partners WHERE id <> ? ORDER BY id LIMIT 1", (p1,))
    nobody = bot.sql_value("SELECT max(id) + 1000 FROM partners")

    def day_row(pid, day=DAY_NUM):
        rows = bot.sql("SELECT logins, operations, active_users FROM activity_daily"
                       " WHERE partner_id = ? AND day = ?", (pid, day))
        return rows[0] if rows else (0, 0, 0)

    def ids_stored(*ids):
        return bot.sql_value("SELECT count(*) FROM event_ids WHERE id IN (%s)"
                             % ",".join("?" * len(ids)), ids)

    def post(body, **kw):
        return call(port, "POST", "/api/v1/events", body, **kw)

    # --- events: good request, by id, INN and slug ---
    batch = {"events": [
        {"id": "t-1", "partner": p1, "type": "login", "at": DAY_AT, "user": 501},
        {"id": "t-2", "partner": inn1, "type": "login", "at": "2025-01-15T13:30:00+03:00",
         "user": 502, "count": 2},
        {"id": "t-3", "partner": slug1, "type": "operation", "at": DAY_AT, "user": 501,
         "count": 5},
    ]}
    st, resp, text = post(batch)
    is_eq(st, 200, "events: a good batch is accepted", text)
    is_eq(resp, {"accepted": 3}, "events: three accepted")
    is_eq(day_row(p1), (3, 5, 2), "events: logins 1 + 2, operations 5, two distinct users")

    st, resp, _ = post(batch)
    is_eq((st, resp), (200, {"accepted": 3}),
          "events: the same request again answers as the first time")
    is_eq(day_row(p1), (3, 5, 2), "events: the replay changed nothing")

    st, resp, _ = post([batch["events"][0], {"id": "t-4", "partner": p1, "type": "login",
                                             "at": DAY_AT, "user": 503}])
    is_eq((st, resp), (200, {"accepted": 2}),
          "events: a bare array; one old id, one new")
    is_eq(day_row(p1), (4, 5, 3), "events: only the new one counted")

    # a minute ago — or just after the demo's own latest login, which may be later than that
    # (demo-seed ran seconds ago and logs its partners in up to its "now")
    now_login = max(bot.sql_value("SELECT CAST(strftime('%s', 'now') AS INTEGER)") - 60,
                    (bot.sql_value("SELECT last_login_at FROM activity_last WHERE partner_id = ?",
                                   (p1,)) or 0) + 1)
    st, _, _ = post([{"id": "t-now", "partner": p1, "type": "login", "at": now_login}])
    is_eq(st, 200, "events: a login a minute ago (unix seconds)")
    is_eq(bot.sql_value("SELECT last_login_at FROM activity_last WHERE partner_id = ?", (p1,)),
          now_login, "events: it is the partner's last login")

    # --- events: auth ---
    one = [{"id": "t-auth", "partner": p1, "type": "login", "at": DAY_AT}]
    st, _, _ = post(one, token=None)
    is_eq(st, 401, "events: no token → 401")
    st, _, _ = post(one, token="wrong-token")
    is_eq(st, 401, "events: wrong token → 401")
    st, _, _ = post(one, token=API_TOKEN + "x")
    is_eq(st, 401, "events: the token with a byte more → 401")
    is_eq(ids_stored("t-auth"), 0, "events: nothing stored without the right token")

    # --- events: bad JSON, wrong types, invalid values (nothing stored) ---
    st, resp, _ = post(None, raw=b'{"events": [')
    is_eq(st, 400, "events: truncated JSON → 400")
    st, resp, _ = post(None, raw=b'{"events": [{"id": "\xff"}]}')
    is_eq(st, 400, "events: a body that is not UTF-8 → 400")
    st, resp, _ = post(None, raw=b'"events"')
    is_eq(st, 400, "events: a JSON string instead of an object → 400")
    st, resp, _ = post({"events": [{"id": "t-w1", "partner": p1, "type": 1, "at": DAY_AT}]})
    is_eq((st, field_of(resp)), (400, "events[0].type"), "events: type a number → 400 naming it")
    st, resp, _ = post({"events": [{"id": 7, "partner": p1, "type": "login", "at": DAY_AT}]})
    is_eq((st, field_of(resp)), (400, "events[0].id"), "events: id a number → 400")
    st, resp, _ = post({"events": [{"id": "t-w2", "partner": True, "type": "login", "at": DAY_AT}]})
    is_eq((st, field_of(resp)), (400, "events[0].partner"), "events: partner a boolean → 400")
    st, resp, _ = post({"events": [{"id": "t-w3", "partner": p1, "type": "login", "at": 1.5e9 + 0.5}]})
    is_eq((st, field_of(resp)), (400, "events[0].at"), "events: a fractional at → 400")
    st, resp, _ = post({"events": [{"id": "t-w4", "partner": p1, "type": "login", "at": DAY_AT,
                                    "count": "3"}]})
    is_eq((st, field_of(resp)), (400, "events[0].count"), "events: count a string → 400")
    st, resp, _ = post({"events": "no"})
    is_eq((st, field_of(resp)), (400, "events"), "events: events not an array → 400")

    mixed = [{"id": "t-m%d" % i, "partner": p1, "type": "login", "at": DAY_AT} for i in range(5)]
    mixed[3]["type"] = "logout"
    st, resp, _ = post({"events": mixed})
    is_eq((st, field_of(resp)), (422, "events[3].type"), "events: an unknown type → 422 at events[3]")
    is_eq(ids_stored(*["t-m%d" % i for i in range(5)]), 0,
          "events: one bad event and none of the batch is stored")
    for bad, fld, what in (
            ({"id": "", "partner": p1, "type": "login", "at": DAY_AT}, "id", "an empty id"),
            ({"id": "x" * 129, "partner": p1, "type": "login", "at": DAY_AT}, "id", "an id of 129 bytes"),
            ({"id": "t-v1", "partner": p1, "type": "login", "at": "2025-02-30T10:00:00Z"}, "at", "30 February"),
            ({"id": "t-v2", "partner": p1, "type": "login", "at": "15.01.2025"}, "at", "not RFC 3339"),
            ({"id": "t-v3", "partner": p1, "type": "login", "at": 4102444800}, "at", "the year 2100"),
            ({"id": "t-v4", "partner": p1, "type": "login", "at": DAY_AT, "count": 0}, "count", "count 0"),
            ({"id": "t-v5", "partner": p1, "type": "login", "at": DAY_AT, "count": 1000001}, "count", "count 1,000,001"),
            ({"id": "t-v6", "partner": p1, "type": "login", "at": DAY_AT, "extra": 1}, "extra", "an unknown member"),
            ({"id": "t-v7", "partner": p1, "type": "login"}, "at", "a missing at")):
        st, resp, _ = post([bad])
        is_eq((st, field_of(resp)), (422, "events[0]." + fld), "events: %s → 422" % what)
    st, resp, _ = post(None, raw=("[" + ",".join(["{}"] * 1001) + "]").encode())
    is_eq((st, field_of(resp)), (422, "events"), "events: 1001 events in one request → 422")

    # --- events: "\u0000" and integers written with an exponent or a fraction (nothing stored) ---
    def post_text(text):
        return post(None, raw=text.encode("utf-8"))

    def ev(eid, extra="", at='"%s"' % DAY_AT):
        return '{"id": "%s", "partner": %d, "type": "login", "at": %s%s}' % (eid, p1, at, extra)

    before = day_row(p1)
    st, resp, text = post_text('{"events": [%s, %s, %s, %s]}' % (
        ev("t-n0"), ev("t-n1"), ev("t-nul\\u0000a"), ev("t-nul\\u0000b")))
    is_eq((st, field_of(resp)), (400, "events[2].id"),
          "events: ids t-nul\\u0000a and t-nul\\u0000b → 400 at events[2].id", text)
    like((resp or {}).get("error", ""), r"NUL", "events: the error names the NUL character")
    is_eq((ids_stored("t-n0", "t-n1", "t-nul"), day_row(p1)), (0, before),
          "events: nothing of the batch stored, no event cut to t-nul")
    st, resp, _ = post_text("[%s]" % ev("t-n2", ', "ty\\u0000pe": "x"'))
    is_eq((st, field_of(resp)), (400, "events[0].ty\\u0000pe"),
          "events: a NUL in a member's name → 400 naming it")
    for extra, at, fld, what in (("", "1.7369352e9", "at", "at 1.7369352e9"),
                                 ("", "1736935200.0", "at", "at 1736935200.0"),
                                 (', "count": 2.0', '"%s"' % DAY_AT, "count", "count 2.0"),
                                 (', "count": 2e0', '"%s"' % DAY_AT, "count", "count 2e0"),
                                 (', "user": 5E2', '"%s"' % DAY_AT, "user", "user 5E2")):
        st, resp, text = post_text("[%s]" % ev("t-e", extra, at))
        is_eq((st, field_of(resp)), (400, "events[0]." + fld), "events: %s → 400" % what, text)
    st, resp, _ = post_text('[{"id": "t-e", "partner": %d.0, "type": "login", "at": "%s"}]'
                            % (p1, DAY_AT))
    is_eq((st, field_of(resp)), (400, "events[0].partner"), "events: partner %d.0 → 400" % p1)
    is_eq((ids_stored("t-n2", "t-e"), day_row(p1)), (0, before), "events: none of them stored")

    # --- events: unknown partner ---
    st, resp, _ = post([{"id": "t-u1", "partner": p1, "type": "login", "at": DAY_AT},
                        {"id": "t-u2", "partner": nobody, "type": "login", "at": DAY_AT}])
    is_eq((st, (resp or {}).get("error"), field_of(resp)),
          (404, "unknown partner", "events[1].partner"), "events: an unknown id → 404 at events[1]")
    st, resp, _ = post([{"id": "t-u3", "partner": "no-such-slug", "type": "login", "at": DAY_AT}])
    is_eq((st, field_of(resp)), (404, "events[0].partner"), "events: an unknown slug → 404")
    is_eq(ids_stored("t-u1", "t-u2", "t-u3"), 0, "events: nothing of a 404 batch is stored")
    is_eq(day_row(p1), (4, 5, 3), "events: the day is as it was")

    # --- events: oversize ---
    big = [{"id": "t-big-%04d" % i, "partner": p1, "type": "login", "at": DAY_AT} for i in range(80)]
    ok(len(json.dumps(big)) > LIMIT, "the big batch is over the limit (%d bytes)" % len(json.dumps(big)))
    st, _, _ = post(big)
    is_eq(st, 413, "events: a body over body_limit → 413")
    is_eq(ids_stored("t-big-0000", "t-big-0079"), 0, "events: nothing of it stored")

    # --- volume ---
    vol = {"clients": 120, "lessons": 3400, "payments": 560, "db_bytes": 7340032}

    def put(pid, body, **kw):
        return call(port, "PUT", "/api/v1/partners/%s/volume" % pid, body, **kw)

    st, resp, text = put(p1, vol)
    is_eq(st, 200, "volume: a good PUT", text)
    ok(resp and all(resp.get(k) == v for k, v in vol.items()) and resp.get("partner") == p1,
       "volume: the answer is the stored volume", text)
    is_eq(bot.sql("SELECT clients, lessons, payments, db_bytes FROM volumes WHERE partner_id = ?",
                  (p1,)), [(120, 3400, 560, 7340032)], "volume: stored")
    st2, resp2, _ = put(p1, vol)
    is_eq((st2, resp2), (200, resp), "volume: a replay answers exactly as the first time")
    st, resp, _ = put(slug1, dict(vol, clients=121))
    is_eq((st, (resp or {}).get("clients")), (200, 121), "volume: by slug")
    st, resp, _ = put(inn1, dict(vol, clients=122))
    is_eq((st, (resp or {}).get("clients")), (200, 122), "volume: by INN")
    st, _, _ = put(p1, dict(vol, clients=1), token=None)
    is_eq(st, 401, "volume: no token → 401")
    st, _, _ = put(p1, dict(vol, clients=1), token="wrong-token")
    is_eq(st, 401, "volume: wrong token → 401")
    is_eq(bot.sql_value("SELECT clients FROM volumes WHERE partner_id = ?", (p1,)), 122,
          "volume: unchanged by the refused calls")
    st, _, _ = put(p1, None, raw=b'{"clients": 1,')
    is_eq(st, 400, "volume: bad JSON → 400")
    st, resp, _ = put(p1, dict(vol, lessons="3400"))
    is_eq((st, field_of(resp)), (400, "lessons"), "volume: a string figure → 400 naming it")
    st, resp, _ = put(p1, dict(vol, payments=1.5))
    is_eq((st, field_of(resp)), (400, "payments"), "volume: a fraction → 400")
    st, resp, _ = put(p1, [vol])
    is_eq(st, 400, "volume: an array body → 400")
    st, resp, _ = put(p1, {k: v for k, v in vol.items() if k != "db_bytes"})
    is_eq((st, field_of(resp)), (422, "db_bytes"), "volume: a missing figure → 422")
    st, resp, _ = put(p1, dict(vol, db_bytes=-1))
    is_eq((st, field_of(resp)), (422, "db_bytes"), "volume: a negative figure → 422")
    st, resp, _ = put(p1, dict(vol, teachers=3))
    is_eq((st, field_of(resp)), (422, "teachers"), "volume: an unknown member → 422")
    st, _, _ = put(p1, None, raw=b'{"clients": 1, "lessons": 1, "payments": 1, "db_bytes": 1, "pad": "'
                   + b"x" * LIMIT + b'"}')
    is_eq(st, 413, "volume: a body over body_limit → 413")
    for text, fld, what in (('{"clients": 1e3, "lessons": 1, "payments": 1, "db_bytes": 1}',
                             "clients", "clients 1e3"),
                            ('{"clients": 1, "lessons": 1, "payments": 1, "db_bytes": 7340032.0}',
                             "db_bytes", "db_bytes 7340032.0"),
                            ('{"clients": 1, "lessons": 1, "payments": 1, "db_bytes": 1,'
                             ' "cli\\u0000ents": 5}', "cli\\u0000ents",
                             "a NUL in a member's name")):
        st, resp, _ = put(p1, None, raw=text.encode())
        is_eq((st, field_of(resp)), (400, fld), "volume: %s → 400 naming it" % what)
    st, resp, _ = put(nobody, vol)
    is_eq(st, 404, "volume: an unknown partner → 404")
    st, resp, _ = put("no-such-slug", vol)
    is_eq(st, 404, "volume: an unknown slug → 404")
    is_eq(bot.sql_value("SELECT clients FROM volumes WHERE partner_id = ?", (p1,)), 122,
          "volume: unchanged by every refused call")

    # --- status ---
    def audits():
        return bot.sql_value("SELECT count(*) FROM audit_log WHERE action = 'api.status'")

    def get(pid, **kw):
        return call(port, "GET", "/api/v1/partners/%s/status" % pid, **kw)

    a0 = audits()
    st, resp, text = get(p1)
    is_eq(st, 200, "status: a good GET", text)
    status1 = bot.sql_value("SELECT status FROM partners WHERE id = ?", (p1,))
    names = ["active", "suspended", "blocked", "archived"]
    ok(resp and resp.get("partner") == p1 and resp.get("slug") == slug1
       and resp.get("status") == names[status1] and resp.get("export_allowed") is True
       and "paid_through" in resp and "message" in resp, "status: the fields", text)
    is_eq(audits(), a0 + 1, "status: the read is audited")
    is_eq(bot.sql("SELECT actor, roles, partner_id FROM audit_log WHERE action = 'api.status'"
                  " ORDER BY id DESC LIMIT 1"), [(0, "crm", p1)],
          "status: …as the CRM (actor 0, roles crm), about the partner")
    st2, resp2, _ = get(p1)
    is_eq((st2, resp2), (200, resp), "status: a second read answers the same")
    st, resp, _ = get(slug1)
    is_eq((st, (resp or {}).get("partner")), (200, p1), "status: by slug")
    st, resp, _ = get(inn1)
    is_eq((st, (resp or {}).get("partner")), (200, p1), "status: by INN")
    sus = bot.sql_value("SELECT id FROM partners WHERE status = 1 ORDER BY id LIMIT 1")
    if sus:
        st, resp, _ = get(sus)
        ok(st == 200 and resp["status"] == "suspended" and resp["read_only"] is True
           and resp["login_allowed"] is True and resp["message"].startswith("Доступ ограничен"),
           "status: a suspended partner is read-only with a message")
    else:
        skip("no suspended partner in the demo data")
    blk = bot.sql_value("SELECT id FROM partners WHERE status IN (2, 3) ORDER BY id LIMIT 1")
    if blk:
        st, resp, _ = get(blk)
        ok(st == 200 and resp["login_allowed"] is False and resp["export_allowed"] is True
           and resp["message"].startswith("Доступ ограничен"),
           "status: a blocked or archived partner may not log in, may export")
    else:
        skip("no blocked partner in the demo data")
    a1 = audits()
    st, _, _ = get(p1, token=None)
    is_eq(st, 401, "status: no token → 401")
    st, _, _ = get(p1, token="wrong-token")
    is_eq(st, 401, "status: wrong token → 401")
    st, resp, _ = get(nobody)
    is_eq(st, 404, "status: an unknown partner → 404")
    st, resp, _ = get("no-such-slug")
    is_eq(st, 404, "status: an unknown slug → 404")
    is_eq(audits(), a1, "status: refused reads are not audited as reads")

    # --- concurrency: 8 clients, distinct ids, nothing lost ---
    THREADS, REQUESTS, PER = 8, 25, 20
    before = day_row(p2)[0]
    failures = []

    def client(t):
        for q in range(REQUESTS):
            evs = [{"id": "c-%d-%d-%d" % (t, q, i), "partner": p2, "type": "login",
                    "at": DAY_AT, "user": 1000 + t} for i in range(PER)]
            st, resp, text = post(evs, timeout=30)
            if st != 200 or resp != {"accepted": PER}:
                failures.append((t, q, st, text[:200]))

    threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    is_eq(failures, [], "concurrency: every request of the 8 clients answered 200, all accepted")
    is_eq(day_row(p2)[0] - before, THREADS * REQUESTS * PER,
          "concurrency: the day's logins grew by exactly %d" % (THREADS * REQUESTS * PER))
    is_eq(day_row(p2)[2], THREADS, "concurrency: one active user per client")
    is_eq(bot.sql_value("SELECT count(*) FROM event_ids WHERE id LIKE 'c-%'"),
          THREADS * REQUESTS * PER, "concurrency: every id remembered once")

    is_eq(bot.stop(), 0, "the bot stops cleanly")
done()
