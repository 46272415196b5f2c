#!/usr/bin/env python3
"""210-api-payments.t — POST /api/v1/payments over real HTTP, and the billing fields of
GET /api/v1/partners/{id}/status.

Fixtures are written into the stopped bot's database: a plan, partners with open invoices (due
ahead, so no dunning step is near), one partner the dunning suspended (its invoice 8 days overdue,
the suspension a status-history row by rule 'dunning', actor 0) and one a person suspended.

Checked: a payment goes to the oldest open invoice; a replay answers as the first time and
credits nothing again; a replay with another amount is 409; the partner by INN and by slug; an
overpayment becomes credit (the status endpoint shows it); a named invoice is paid first, another
partner's is 422, an unknown one 404; bad amounts (fraction, zero, string, huge), a bad currency,
an unknown member, a bad date; an unknown partner is 404 naming payments[i].partner; a batch is
applied whole or not at all; a refund takes from credit only, with a reason; a payment restores
the partner the dunning suspended and not the one a person suspended; every recorded payment is
audited (api.payment, actor 0, roles payments)."""
import copy
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *  # noqa: E402,F403

require_binary()

API_TOKEN = "t0ken-for-payments"
CONFIG = {"http": {"listen": "127.0.0.1:0", "api_token": API_TOKEN},
          "general": {"timezone": "Europe/Moscow"}}
TODAY = int((time.time() + 3 * 3600) // 86400)     # the day in Moscow (UTC+3, no DST)


def iso(day):
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86400))


def field_of(resp):
    return (resp or {}).get("field")


with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    bot.start()                 # creates and migrates the database
    is_eq(bot.stop(), 0, "the bot ran once to create its database")

    now = int(time.time())
    partners = {}
    with sqlite_rw(bot.db_path) as db:
        plan = db.execute("INSERT INTO plans(code, version, name, base, created_at)"
                          " VALUES ('std', 1, 'Стандарт', 1000000, ?)", (now,)).lastrowid

        def partner(slug, inn, status=0):
            pid = db.execute("INSERT INTO partners(slug, name, name_key, sort_key, inn, status,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (slug, slug, slug, slug, inn, status, now, now)).lastrowid
            partners[slug] = pid
            return pid

        def sub(pid, status):
            return db.execute("INSERT INTO subscriptions(partner_id, plan_id, status, anchor_dom,"
                              " started_on, period_start, period_end, created_at, updated_at)"
                              " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
                              (pid, plan, status, TODAY - 40, TODAY - 10, TODAY + 20, now,
                               now)).lastrowid

        def invoice(pid, number, amount, due, dunning=0):
            return db.execute("INSERT INTO invoices(number, partner_id, kind, amount, status,"
                              " issued_on, due_on, dunning, created_at, updated_at)"
                              " VALUES (?, ?, 2, ?, 1, ?, ?, ?, ?, ?)",
                              (number, pid, amount, due - 10, due, dunning, now,
                               now)).lastrowid

        a = partner("pay-a", "7700000101")
        sub(a, 1)
        invoice(a, "2026-9002", 200000, TODAY + 20)      # inserted first, due last
        invoice(a, "2026-9001", 100000, TODAY + 5)
        b = partner("pay-b", "7700000102")
        invoice(b, "2026-9101", 30000, TODAY + 3)
        invoice(b, "2026-9102", 70000, TODAY + 9)
        c = partner("pay-c", "770000010312")
        invoice(c, "2026-9201", 50000, TODAY + 10)
        d = partner("pay-d", None, status=1)             # suspended by the dunning
        sub(d, 2)
        invoice(d, "2026-9301", 80000, TODAY - 8, dunning=2)
        db.execute("INSERT INTO partner_status_history(partner_id, at, from_status, to_status,"
                   " actor, rule, reason) VALUES (?, ?, 0, 1, 0, 'dunning', 'просрочка')",
                   (d, now - 86400))
        e = partner("pay-e", None, status=1)             # suspended by a person
        invoice(e, "2026-9401", 40000, TODAY - 8, dunning=2)
        db.execute("INSERT INTO partner_status_history(partner_id, at, from_status, to_status,"
                   " actor, rule, reason) VALUES (?, ?, 0, 1, ?, '', 'нарушение договора')",
                   (e, now - 86400, SUPERADMIN))
        nobody = a + 1000

    bot.start()
    ok(bot.http_port(), "the bot listens", bot.log()[-2000:])

    def call(method, path, body, token=API_TOKEN, raw=None):
        """(status, parsed JSON or None, text) of one request."""
        st, _, text, parsed = bot.http(method, path, raw if raw is not None else body,
                                       token=token)
        return st, parsed, text.decode("utf-8", "replace")

    def post(body, **kw):
        return call("POST", "/api/v1/payments", body, **kw)

    def status_of(pid):
        return call("GET", "/api/v1/partners/%s/status" % pid, None)

    def paid(number):
        return bot.sql_value("SELECT paid FROM invoices WHERE number = ?", (number,))

    def inv_status(number):
        return bot.sql_value("SELECT status FROM invoices WHERE number = ?", (number,))

    def npayments():
        return bot.sql_value("SELECT count(*) FROM payments")

    def pay(pid, pid_ref, amount, **extra):
        p = {"id": pid, "partner": pid_ref, "amount": amount, "currency": "RUB"}
        p.update(extra)
        return p

    # --- one payment: the oldest open invoice first ---
    first = pay("prov-1", a, 40000, reference="п/п 17")
    st, resp, text = post(first)
    is_eq(st, 200, "a payment is accepted", text)
    got = (resp or {}).get("payments", [{}])[0]
    our_id = bot.sql_value("SELECT id FROM payments WHERE provider_id = 'prov-1'")
    is_eq(got, {"id": "prov-1", "payment": our_id, "partner": a, "amount": 40000,
                "date": iso(TODAY), "allocated": [{"invoice": "2026-9001", "amount": 40000}],
                "credit": 0, "partner_status": "active", "replay": False},
          "the answer: our payment, the oldest open invoice, no credit", text)
    is_eq((paid("2026-9001"), paid("2026-9002")), (40000, 0),
          "the money is on the invoice due first")
    is_eq(bot.sql("SELECT partner_id, amount, received_on, source, reference, recorded_by"
                  " FROM payments WHERE provider_id = 'prov-1'"),
          [(a, 40000, TODAY, "api", "п/п 17", 0)], "stored: source api, recorded by 0")
    is_eq(bot.sql("SELECT actor, roles, partner_id FROM audit_log WHERE action = 'api.payment'"),
          [(0, "payments", a)], "the payment is audited (actor 0, roles payments)")
    like(bot.sql_value("SELECT detail FROM audit_log WHERE action = 'api.payment'"),
         r"40000 kopecks.*provider id prov-1", "…with the amount and the provider id")

    # --- replay ---
    st, resp2, _ = post(first)
    want = copy.deepcopy(resp)
    want["payments"][0]["replay"] = True
    is_eq((st, resp2), (200, want), "a replay answers as the first time (replay: true)")
    is_eq((npayments(), paid("2026-9001")), (1, 40000), "the replay credited nothing again")
    st, resp2, _ = post({"payments": [first]})
    is_eq((st, resp2), (200, want), "…and again inside a batch")
    st, resp2, _ = post(pay("prov-1", a, 40001))
    is_eq((st, field_of(resp2)), (409, "id"), "the same id with another amount → 409")
    is_eq((npayments(), paid("2026-9001")), (1, 40000), "…nothing changed")

    # --- by INN; overpayment → credit ---
    st, resp, text = post(pay("prov-2", "7700000101", 270000, date=iso(TODAY - 1)))
    got = (resp or {}).get("payments", [{}])[0]
    is_eq((st, got.get("allocated"), got.get("credit"), got.get("date")),
          (200, [{"invoice": "2026-9001", "amount": 60000},
                 {"invoice": "2026-9002", "amount": 200000}], 10000, iso(TODAY - 1)),
          "by INN: both invoices paid, oldest first, 10 000 kopecks left as credit", text)
    is_eq((inv_status("2026-9001"), inv_status("2026-9002")), (2, 2), "both invoices are paid")
    st, resp, text = status_of(a)
    ok(st == 200 and resp.get("credit") == 10000 and resp.get("owed") == 0
       and resp.get("overdue") == 0 and resp.get("subscription") == "active"
       and resp.get("plan") == "std" and "next_payment_on" in resp,
       "status: subscription, plan, owed, overdue and credit", text)

    # --- by slug; a named invoice first ---
    st, resp, text = post(pay("prov-3", "pay-b", 70000, invoice="2026-9102"))
    got = (resp or {}).get("payments", [{}])[0]
    is_eq((st, got.get("allocated")), (200, [{"invoice": "2026-9102", "amount": 70000}]),
          "by slug, the named invoice is paid first", text)
    is_eq((paid("2026-9101"), paid("2026-9102")), (0, 70000), "…not the older one")
    n0 = npayments()
    st, resp, _ = post(pay("prov-4", b, 100, invoice="2026-9201"))
    is_eq((st, field_of(resp)), (422, "invoice"), "another partner's invoice → 422")
    st, resp, _ = post(pay("prov-4", b, 100, invoice="2026-0999"))
    is_eq((st, field_of(resp), (resp or {}).get("error")), (404, "invoice", "unknown invoice"),
          "an unknown invoice → 404")

    # --- bad amounts, currency, members, dates ---
    for amount, code, what in ((100.5, 400, "a fraction"), (0.5, 400, "half a kopeck"),
                               (0, 422, "zero"), ("100", 400, "a string"),
                               ("12500.50", 400, "a decimal string"),
                               (10 ** 16, 422, "10^16 kopecks"), (1e300, 400, "1e300, an exponent"),
                               (None, 400, "null"), (True, 400, "a boolean")):
        st, resp, _ = post(pay("prov-bad", a, amount))
        is_eq((st, field_of(resp)), (code, "amount"), "amount %s → %d" % (what, code))
    st, resp, _ = post(pay("prov-bad", a, 100, currency="USD"))
    is_eq((st, field_of(resp), (resp or {}).get("error")),
          (422, "currency", 'unsupported currency: only "RUB"'), "currency USD → 422")
    st, resp, _ = post({"id": "prov-bad", "partner": a, "amount": 100})
    is_eq((st, field_of(resp)), (422, "currency"), "a missing currency → 422")
    st, resp, _ = post(pay("prov-bad", a, 100, extra=1))
    is_eq((st, field_of(resp)), (422, "extra"), "an unknown member → 422")
    st, resp, _ = post({"payments": [pay("prov-bad", a, 100, fee=1)]})
    is_eq((st, field_of(resp)), (422, "payments[0].fee"), "…in a batch, named with its index")
    st, resp, _ = post({"payments": [], "note": "x"})
    is_eq((st, field_of(resp)), (422, "note"), "a batch has only \"payments\"")
    for date, what in ((iso(TODAY + 2), "two days ahead"), ("2025-02-30", "30 February"),
                       ("1999-12-31", "before 2000"), ("15.01.2025", "not a date")):
        st, resp, _ = post(pay("prov-bad", a, 100, date=date))
        is_eq((st, field_of(resp)), (422, "date"), "date %s → 422" % what)
    st, resp, _ = post(pay("", a, 100))
    is_eq((st, field_of(resp)), (422, "id"), "an empty id → 422")
    st, resp, _ = post(pay("x" * 129, a, 100))
    is_eq((st, field_of(resp)), (422, "id"), "an id of 129 bytes → 422")
    st, resp, _ = post(None, raw=b'{"id": "prov-bad",')
    is_eq(st, 400, "bad JSON → 400")
    st, resp, _ = post([pay("prov-bad", a, 100)])
    is_eq(st, 400, "a bare array → 400")
    st, resp, _ = post({"payments": [pay("p%d" % i, a, 100) for i in range(501)]})
    is_eq((st, field_of(resp)), (422, "payments"), "501 payments → 422")
    st, _, _ = post(pay("prov-bad", a, 100), token=None)
    is_eq(st, 401, "no token → 401")
    st, _, _ = post(pay("prov-bad", a, 100), token="wrong")
    is_eq(st, 401, "a wrong token → 401")
    is_eq(npayments(), n0, "nothing stored by any refused request")

    # --- unknown partner; a batch whole or not at all ---
    st, resp, _ = post(pay("prov-u", nobody, 100))
    is_eq((st, field_of(resp), (resp or {}).get("error")), (404, "partner", "unknown partner"),
          "an unknown partner → 404")
    batch = [pay("prov-b1", b, 10000), pay("prov-b2", "7700000102", 5000),
             pay("prov-b3", c, 50000), pay("prov-b4", nobody, 100)]
    st, resp, _ = post({"payments": batch})
    is_eq((st, field_of(resp)), (404, "payments[3].partner"),
          "a batch with an unknown partner at [3] → 404 naming it")
    bad = copy.deepcopy(batch[:3])
    bad[2]["amount"] = -1
    st, resp, _ = post({"payments": bad})
    is_eq((st, field_of(resp)), (422, "payments[2].reason"),
          "a batch with a refund without a reason at [2] → 422")
    is_eq((npayments(), paid("2026-9101"), paid("2026-9201")), (n0, 0, 0),
          "nothing of the refused batches is stored")
    st, resp, text = post({"payments": batch[:3]})
    got = (resp or {}).get("payments", [])
    is_eq((st, [g.get("id") for g in got], [g.get("allocated") for g in got]),
          (200, ["prov-b1", "prov-b2", "prov-b3"],
           [[{"invoice": "2026-9101", "amount": 10000}],
            [{"invoice": "2026-9101", "amount": 5000}],
            [{"invoice": "2026-9201", "amount": 50000}]]),
          "the batch is applied in order", text)
    is_eq((npayments(), paid("2026-9101"), inv_status("2026-9201")), (n0 + 3, 15000, 2),
          "all three stored")

    # --- refunds: from credit only, with a reason ---
    st, resp, text = post(pay("prov-r1", a, -4000, reason="возврат переплаты"))
    got = (resp or {}).get("payments", [{}])[0]
    is_eq((st, got.get("amount"), got.get("allocated"), got.get("credit")),
          (200, -4000, [], -4000), "a refund from credit", text)
    is_eq((status_of(a)[1] or {}).get("credit"), 6000, "the credit is 6 000 kopecks less")
    st, resp, _ = post(pay("prov-r2", a, -6001, reason="слишком много"))
    is_eq((st, field_of(resp)), (422, "amount"), "a refund over the credit → 422")
    st, resp, _ = post(pay("prov-r3", a, -100))
    is_eq((st, field_of(resp)), (422, "reason"), "a refund without a reason → 422")
    st, resp, _ = post(pay("prov-r4", a, 100, reason="почему-то"))
    is_eq((st, field_of(resp)), (422, "reason"), "a reason on a payment → 422")
    st, resp, _ = post(pay("prov-r5", a, -100, reason="x", invoice="2026-9001"))
    is_eq((st, field_of(resp)), (422, "invoice"), "a refund to an invoice → 422")

    # --- a payment restores the partner the dunning suspended, not one a person did ---
    st, resp, text = status_of(d)
    ok(st == 200 and resp.get("status") == "suspended" and resp.get("overdue") == 80000
       and resp.get("subscription") == "past_due", "status: suspended, 80 000 overdue", text)
    st, resp, text = post(pay("prov-d", d, 80000, date=iso(TODAY) + "T09:30:00+03:00"))
    got = (resp or {}).get("payments", [{}])[0]
    is_eq((st, got.get("partner_status"), got.get("date")), (200, "active", iso(TODAY)),
          "paying the overdue invoice: the partner is active again", text)
    is_eq(bot.sql("SELECT to_status, actor FROM partner_status_history WHERE partner_id = ?"
                  " ORDER BY id DESC LIMIT 1", (d,)), [(0, 0)], "…recorded as a rule's change")
    st, resp, text = status_of(d)
    ok(st == 200 and resp.get("status") == "active" and resp.get("overdue") == 0
       and resp.get("read_only") is False and resp.get("subscription") == "active",
       "status: active, nothing overdue, the subscription active", text)
    st, resp, text = post(pay("prov-e", e, 40000))
    got = (resp or {}).get("payments", [{}])[0]
    is_eq((st, got.get("partner_status")), (200, "suspended"),
          "a partner a person suspended stays suspended", text)
    st, resp, text = status_of(e)
    ok(st == 200 and resp.get("subscription") is None and resp.get("plan") is None
       and resp.get("overdue") == 0, "status without a subscription: null plan", text)

    # --- "\u0000" in a string: refused, never cut (cJSON's C strings would end at the NUL) ---
    def post_text(text):
        return post(None, raw=text.encode("utf-8"))

    def one(pid_text, amount="5000", extra=""):
        return ('{"id": "%s", "partner": %d, "amount": %s, "currency": "RUB"%s}'
                % (pid_text, c, amount, extra))

    st, resp, text = post_text(one("nul-A"))
    is_eq(st, 200, "a payment nul-A is recorded", text)
    first_nul = bot.sql("SELECT id, partner_id, amount, reference FROM payments"
                        " WHERE provider_id = 'nul-A'")
    n1 = npayments()
    for pid_text in ("nul-A\\u0000one", "nul-A\\u0000two"):
        st, resp, text = post_text(one(pid_text))
        is_eq((st, field_of(resp)), (400, "id"), "id %s → 400 naming id" % pid_text, text)
        like((resp or {}).get("error", ""), r"NUL", "…the error names the NUL character")
        ok("replay" not in text, "…and it is not answered as a replay of nul-A", text)
    is_eq(npayments(), n1, "neither NUL id was stored")
    is_eq(bot.sql("SELECT id, partner_id, amount, reference FROM payments"
                  " WHERE provider_id = 'nul-A'"), first_nul, "the payment nul-A is unchanged")
    st, resp, _ = post_text(one("nul-R", extra=', "reference": "ok\\u0000<b>hidden"'))
    is_eq((st, field_of(resp)), (400, "reference"), "reference ok\\u0000<b>hidden → 400")
    st, resp, _ = post_text('{"payments": [%s, %s, %s]}' % (
        one("nul-b0"), one("nul-b1"), one("nul-b2", extra=', "invoice": "20\\u00002"')))
    is_eq((st, field_of(resp)), (400, "payments[2].invoice"),
          "a NUL in a batch is named with its index: payments[2].invoice")
    st, resp, _ = post_text(one("nul-K", extra=', "reference\\u0000x": "п/п 1"'))
    is_eq((st, field_of(resp)), (400, "reference\\u0000x"), "a NUL in a member's name → 400 naming it")
    st, resp, _ = post_text(one("nul-raw", extra=', "reference": "a\x00b"'))
    is_eq(st, 400, "a raw NUL byte in the body → 400")
    is_eq(npayments(), n1, "nothing of the NUL requests was stored")
    is_eq(bot.sql_value("SELECT count(*) FROM payments WHERE provider_id LIKE 'nul-%'"), 1,
          "…only nul-A")
    st, resp, text = post_text(one("nul-B\\\\u0000"))
    is_eq(st, 200, "an escaped backslash before u0000 is no NUL: accepted", text)
    is_eq(bot.sql_value("SELECT count(*) FROM payments WHERE provider_id = ?", ("nul-B\\u0000",)),
          1, "…stored with its six characters \\u0000")

    # --- an integer is written as one: 1e3 and 1000.0 are refused although integral ---
    n1 = npayments()
    for amount in ("1e3", "1E3", "1e+3", "1000.0", "10.0e2", "-1e3"):
        st, resp, text = post_text(one("exp-%s" % amount, amount=amount,
                                       extra=', "reason": "x"' if amount[0] == "-" else ""))
        is_eq((st, field_of(resp)), (400, "amount"), "amount %s → 400 naming amount" % amount,
              text)
    st, resp, _ = post_text('{"id": "exp-p", "partner": %de0, "amount": 100, "currency": "RUB"}'
                            % c)
    is_eq((st, field_of(resp)), (400, "partner"), "partner %de0 → 400" % c)
    st, resp, _ = post_text('{"payments": [%s, %s]}' % (one("exp-b0"), one("exp-b1", "5e3")))
    is_eq((st, field_of(resp)), (400, "payments[1].amount"), "…in a batch: payments[1].amount")
    is_eq(npayments(), n1, "no payment with an exponent or a fraction was stored")
    st, resp, text = post_text(one("exp-ok", amount="1000"))
    is_eq(st, 200, "the same amount written 1000 is accepted", text)

    is_eq(bot.sql_value("SELECT count(*) FROM audit_log WHERE action = 'api.payment'"),
          npayments(), "one audit record per recorded payment")
    is_eq(bot.stop(), 0, "the bot stops cleanly")
done()
