#!/usr/bin/env python3
"""
bench_http.py — events ingested per second over the CRM API (POST /api/v1/events), with a load
generator in the repo: client threads, each on one keep-alive connection, posting batches of
distinct events. Figures only; nothing passes or fails.

    tests/bench/bench_http.py [--partners 10000] [--clients 4] [--requests 500] [--batch 100]

Prints requests/s, events/s and the request latency p50/p99 at the stated partner count, then
the bot's peak RSS.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import harness  # noqa: E402
from harness import Bot, Fake  # noqa: E402

TOKEN = "bench-token"


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else float("nan")


def client(port, ids, cid, requests, batch, lat, errors):
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    now = int(time.time())
    for r in range(requests):
        events = [{"id": "b%d-%d-%d" % (cid, r, i), "partner": ids[(cid * 7919 + r * batch + i) % len(ids)],
                   "type": "login" if i % 5 == 0 else "operation", "at": now - (i % 3600),
                   "user": 1 + i % 20} for i in range(batch)]
        body = json.dumps({"events": events})
        t0 = time.perf_counter()
        con.request("POST", "/api/v1/events", body=body,
                    headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        resp = con.getresponse()
        resp.read()
        lat.append(time.perf_counter() - t0)
        if resp.status != 200:
            errors.append(resp.status)
    con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--partners", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=250, help="per client")
    ap.add_argument("--batch", type=int, default=100, help="events per request")
    args = ap.parse_args()
    if not os.access(harness.BINARY, os.X_OK):
        print("bench_http: %s is not built (run make)" % harness.BINARY, file=sys.stderr)
        return 2
    with Fake() as fake, Bot(fake, config={"http": {"listen": "127.0.0.1:0", "api_token": TOKEN}}) as bot:
        r = bot.run_cli(["demo-seed", "--partners", str(args.partners)], timeout=300)
        if r.rc != 0:
            print("bench_http: demo-seed failed: %s" % r.stderr, file=sys.stderr)
            return 1
        bot.start(timeout=60)
        port = bot.http_port()
        ids = [row[0] for row in bot.sql("SELECT id FROM partners")]
        lat, errors, threads = [], [], []
        t0 = time.perf_counter()
        for c in range(args.clients):
            t = threading.Thread(target=client, args=(port, ids, c, args.requests, args.batch, lat, errors))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        n = args.clients * args.requests
        print("POST /api/v1/events at %d partners: %d clients × %d requests × %d events"
              % (args.partners, args.clients, args.requests, args.batch))
        print("  %.0f requests/s  %.0f events/s  latency p50 %.1f ms  p99 %.1f ms  errors %d  (%.1f s)"
              % (n / elapsed, n * args.batch / elapsed, pct(lat, 50) * 1000, pct(lat, 99) * 1000,
                 len(errors), elapsed))
        stored = bot.sql_value("SELECT count(*) FROM event_ids")
        print("  event ids stored: %s; peak RSS %s kB" % (stored, bot.rss_peak_kb()))
        bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
