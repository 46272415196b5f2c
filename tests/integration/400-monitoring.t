#!/usr/bin/env python3
# 400-monitoring.t — partner monitoring as the team sees it:
#  (a) /activity, /dormant, /volume, /top and /health answer in Russian for a superadmin and a
#      developer (every member may see activity: partner data without personal data), and /activity
#      shows the day aggregates that are stored;
#  (b) dormant alerts under libfaketime: one message in the team chat with buttons; a restart in
#      the same hour posts nothing new; seven days later the same message is edited (the day count
#      moves in 7-day steps); a new login edits it to resolved;
#  (c) the CRM probe against a local HTTP server that answers 200, then 500, then 200 again: one
#      "CRM недоступна" alert, edited when the CRM is back; /health shows the state; a probe the
#      CRM leaves hanging does not hold up SIGTERM.
# Activity is written into the day aggregates directly (activity_daily / activity_last) when their
# columns are recognised, else through the CRM API (POST /api/v1/events); when neither is there the
# parts that need activity are skipped with the reason.
import http.server
import os
import re
import socket
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
import json

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ME, DEV = SUPERADMIN, 100000003       # the demo team's developer
TEAM = -100123
DAY = 86400
API_TOKEN = "monitoring-test-token"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------------------------
# Writing activity: the aggregates directly (bot stopped), or the CRM API (bot running).

class Activity:
    """How this build stores activity, found out from the database and the HTTP server."""

    LAST_COLUMNS = ("last_login", "last_login_at", "login_at", "at")

    def __init__(self, bot, api_port):
        self.bot = bot
        self.api_port = api_port
        self.daily = self.last = None
        self.reason = None
        try:
            daily = [r[1] for r in bot.sql("PRAGMA table_info(activity_daily)")]
            last = [r[1] for r in bot.sql("PRAGMA table_info(activity_last)")]
        except sqlite3.Error as e:
            daily, last = [], []
            self.reason = str(e)
        if {"partner_id", "day", "logins", "operations"} <= set(daily) and "partner_id" in last:
            col = next((c for c in self.LAST_COLUMNS if c in last), None)
            if col:
                self.daily, self.last = daily, col
        if self.daily is None:
            self.reason = ("activity_daily/activity_last missing or with unknown columns (%s / %s)"
                           % (daily or "none", last or "none"))

    @property
    def direct(self):
        return self.daily is not None

    def login(self, con, pid, at, logins=1, operations=0, users=1):
        """Adds a day's activity (bot stopped): con is a sqlite_rw connection."""
        day = at // DAY
        row = con.execute("SELECT logins, operations FROM activity_daily WHERE partner_id = ? AND day = ?",
                          (pid, day)).fetchone()
        if row:
            con.execute("UPDATE activity_daily SET logins = logins + ?, operations = operations + ? "
                        "WHERE partner_id = ? AND day = ?", (logins, operations, pid, day))
        elif "active_users" in self.daily:
            con.execute("INSERT INTO activity_daily(partner_id, day, logins, operations, active_users) "
                        "VALUES (?, ?, ?, ?, ?)", (pid, day, logins, operations, users))
        else:
            con.execute("INSERT INTO activity_daily(partner_id, day, logins, operations) VALUES (?, ?, ?, ?)",
                        (pid, day, logins, operations))
        if logins:
            cur = con.execute("SELECT %s FROM activity_last WHERE partner_id = ?" % self.last, (pid,)).fetchone()
            if cur is None:
                con.execute("INSERT INTO activity_last(partner_id, %s) VALUES (?, ?)" % self.last, (pid, at))
            elif cur[0] is None or cur[0] < at:
                con.execute("UPDATE activity_last SET %s = ? WHERE partner_id = ?" % self.last, (at, pid))

    def forget_logins_after(self, con, pid, at):
        """Makes at the partner's last login (demo history may hold later ones)."""
        con.execute("DELETE FROM activity_daily WHERE partner_id = ? AND day > ?", (pid, at // DAY))
        con.execute("DELETE FROM activity_last WHERE partner_id = ?", (pid,))

    def api_events(self, events):
        """POST /api/v1/events; True when the server took them (2xx)."""
        if not self.api_port:
            return False
        body = json.dumps({"events": events}).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/api/v1/events" % self.api_port, data=body,
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "Authorization": "Bearer " + API_TOKEN})
        try:
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=10) as r:
                return 200 <= r.status < 300
        except (urllib.error.URLError, OSError) as e:
            diag("POST /api/v1/events: %s" % e)
            return False


def api_reachable(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# (a) the commands, for a superadmin and a developer

API_PORT = free_port()
CONFIG = {"chats": {"team": TEAM}, "monitoring": {"dormant_days": 14},
          "http": {"listen": "127.0.0.1:%d" % API_PORT, "api_token": API_TOKEN}}

with Fake() as fake, Bot(fake, config=CONFIG) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()

    say = fake.say

    def text_of(msgs):
        return "\n----\n".join(m["plain"] for m in msgs)

    active = [r[0] for r in bot.sql("SELECT id FROM partners WHERE status = 0 ORDER BY id")]
    ok(len(active) >= 2, "the demo has active partners")
    pid = active[0]
    for uid, who in ((ME, "superadmin"), (DEV, "developer")):
        t = text_of(say(uid, "/activity %d" % pid))
        like(t, r"Активность · .*#%d" % pid, "%s: /activity answers with the partner's activity" % who)
        like(t, r"Последний вход: ", "%s: /activity shows the last login" % who)
        like(t, r"[▁▂▃▄▅▆▇█]{14}", "%s: /activity draws a sparkline of 14 days" % who)
        t = text_of(say(uid, "/dormant"))
        like(t, r"(Не заходят больше 14 дн\.|Нет активных партнёров без входа больше 14 дн\.)",
             "%s: /dormant answers (14 days by default)" % who)
        t = text_of(say(uid, "/volume"))
        like(t, r"(Самые большие базы|CRM ещё не присылала данных об объёме)", "%s: /volume answers" % who)
        t = text_of(say(uid, "/volume %d" % pid))
        like(t, r"Объём данных · .*#%d" % pid, "%s: /volume <partner> answers" % who)
        t = text_of(say(uid, "/top"))
        like(t, r"Самые активные за 7 дней[\s\S]*Наименее активные", "%s: /top shows both ends" % who)
        t = text_of(say(uid, "/health"))
        like(t, r"Состояние бота[\s\S]*Telegram API: p50 [\s\S]*Очереди: исходящие \d+ · входящие \d+"
             r"[\s\S]*База данных: [\d,]+ [КМГ]?Б[\s\S]*CRM: ⚪️ проверка не настроена",
             "%s: /health shows uptime, Telegram, queues, database and the (unconfigured) probe" % who)
        unlike(t, r"Не получилось|Недостаточно прав", "%s: no refusal or failure" % who)
    t = text_of(say(ME, "/activity %d 91" % pid))
    like(t, r"Число дней — от 1 до 90", "/activity: more than 90 days is refused with the range")
    audit = bot.sql("SELECT actor, partner_id, action FROM audit_log WHERE action IN "
                    "('partner.activity', 'partner.volume')")
    ok((ME, pid, "partner.activity") in audit and (DEV, pid, "partner.activity") in audit,
       "/activity of one partner is audited with the partner, for both")
    ok((DEV, 0, "partner.activity") in audit, "the lists (/dormant, /top) are audited with partner 0")
    ok((DEV, pid, "partner.volume") in audit and (DEV, 0, "partner.volume") in audit,
       "/volume is audited (one partner, and the top list)")

    # stored aggregates show up in /activity
    bot.stop()
    act = Activity(bot, API_PORT)
    now = int(time.time())
    today = now // DAY
    if act.direct:
        with sqlite_rw(bot.db_path) as con:
            for d in range(14):
                act.login(con, pid, (today - d) * DAY + 3600, logins=2 + d % 3, operations=5000 + d, users=3)
        bot.start()
        want = bot.sql_value("SELECT sum(logins) FROM activity_daily WHERE partner_id = ? AND day BETWEEN ? AND ?",
                             (pid, today - 13, today))
        t = text_of(say(ME, "/activity %d" % pid))
        like(t, r"Входов: %d · операций: \d+" % want, "/activity sums the stored logins (%d)" % want)
        like(t, r"За 7 дней: \d+, неделей раньше: \d+ · [+−]\d+ %", "/activity shows the week-over-week change")
        t = text_of(say(ME, "/top"))
        like(t, r"Самые активные за 7 дней[^\n]*\n1\. .*#%d — \d+" % pid, "/top puts the busy partner first")
        bot.stop()
    else:
        skip("no activity tables to write into: %s" % act.reason, 3)
    is_eq(bot.stop(), 0, "stopped")


# ---------------------------------------------------------------------------------------------
# (b) dormant alerts under libfaketime

def team_alerts(fake, pid):
    """The team chat's messages about the partner (the dormant alert, whatever its state)."""
    return [m for m in fake.sent(TEAM) if re.search(r"#%d\b" % pid, m["plain"])]


if not os.path.exists(LIBFAKETIME):
    skip("libfaketime is not installed (Debian package faketime)", 9)
else:
    with Fake() as fake, Bot(fake, config=dict(CONFIG, http={"listen": "127.0.0.1:%d" % free_port(),
                                                               "api_token": API_TOKEN})) as bot:
        is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
        act = Activity(bot, None)
        if not act.direct:
            # A store that creates its tables on first use: one run an hour back, without a team
            # chat, so this hour's scan still runs once the login below is in place.
            diag("activity tables appear on first use; a warm-up run first")
            warm = Bot(fake, config={"chats": {"team": 0}}, data_dir=bot.dir,
                       env=faketime_env(-3600))
            warm.config["storage"] = bot.config["storage"]
            warm.write_config()
            warm.start()
            fake.message(ME, "/dormant")
            fake.wait_sent(ME, 1)
            warm.stop()
            warm.close()
            act = Activity(bot, None)
        pid = bot.sql_value("SELECT id FROM partners WHERE status = 0 ORDER BY id LIMIT 1")
        if not act.direct:
            skip("dormant alerts need a login in the past: %s" % act.reason, 8)
        else:
            now = int(time.time())
            last = now - 15 * DAY - 600      # 15 days ago: step 14
            with sqlite_rw(bot.db_path) as con:
                act.forget_logins_after(con, pid, last - DAY)
                act.login(con, pid, last, logins=1)
            bot.start()
            got = fake.wait_for(lambda: team_alerts(fake, pid), 10) or []
            is_eq(len(got), 1, "one dormant alert for the partner in the team chat")
            alert = got[0] if got else {}
            like(alert.get("plain"), r"больше 14 дн\.", "it says more than 14 days")
            ok(len(buttons(alert)) > 0, "the alert has buttons")
            mid = alert.get("message_id")

            bot.restart()                      # the same hour: the job's slot has run
            time.sleep(3)
            now_alerts = team_alerts(fake, pid)
            is_eq([(m["message_id"], len(m["edits"])) for m in now_alerts], [(mid, 0)],
                  "a restart in the same hour posts nothing and edits nothing")

            # A week on, the outbox's prune has removed the row that posted the alert: the
            # episode must still edit its own message (the alert engine keeps what it needs).
            bot.stop()
            bot.env.update(faketime_env(7 * DAY))
            bot.start()
            m = fake.wait_edits(TEAM, mid, 1, timeout=15)
            like((m or {}).get("plain"), r"больше 21 дн\.", "seven days later the same message is edited: 21 days")
            is_eq(len(team_alerts(fake, pid)), 1, "and no new message was posted")

            bot.stop()
            with sqlite_rw(bot.db_path) as con:
                act.login(con, pid, now + 7 * DAY - 600, logins=1)   # a login «today» for the bot
            bot.env.update(faketime_env(7 * DAY + 3600))          # the next hour: the scan runs again
            bot.start()
            m = fake.wait_edits(TEAM, mid, 2, timeout=15)
            like((m or {}).get("plain"), r"Снова заходит", "a new login edits the alert to resolved")
            is_eq(len(team_alerts(fake, pid)), 1, "still one message for the episode")
        is_eq(bot.stop(), 0, "stopped")


# ---------------------------------------------------------------------------------------------
# (c) the CRM probe against a local server

class Crm:
    """A health endpoint that answers what it is told: 200, 500, or hangs."""

    def __init__(self):
        self.mode = "up"
        self.hits = 0
        self.lock = threading.Lock()
        crm = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with crm.lock:
                    crm.hits += 1
                    mode = crm.mode
                if mode == "hang":
                    time.sleep(8)
                code = 200 if mode == "up" else 500
                body = b'{"ok": true}' if code == 200 else b'{"ok": false}'
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def set(self, mode):
        with self.lock:
            self.mode = mode
            self.hits_at_change = self.hits

    def close(self):
        self.server.shutdown()
        self.server.server_close()


crm = Crm()
try:
    cfg = dict(CONFIG, http={"listen": "127.0.0.1:%d" % free_port(), "api_token": API_TOKEN},
               monitoring={"crm_health_url": "http://127.0.0.1:%d/health" % crm.port,
                           "probe_interval": 5, "probe_failures": 2})
    with Fake() as fake, Bot(fake, config=cfg) as bot:
        bot.start()

        def health():
            n = len(fake.sent(ME))
            fake.message(ME, "/health")
            got = fake.wait_sent(ME, n + 1)
            return got[-1]["plain"] if len(got) > n else ""

        def crm_alerts():
            """Team messages that said «CRM недоступна», now or before an edit."""
            return [m for m in fake.sent(TEAM) if "CRM недоступна" in m["plain"] or
                    any("CRM недоступна" in (e.get("previous_text") or "") for e in m["edits"])]

        ok(wait_for(lambda: crm.hits >= 1, 5), "the probe calls the health URL at start")
        ok(wait_for(lambda: "CRM: 🟢 доступна" in health(), 12, 1), "after two successes /health says the CRM is up")
        like(health(), r"последняя проверка .* назад: HTTP 200, \d+ мс", "/health shows the last status and latency")
        is_eq(crm_alerts(), [], "no alert while the CRM is up")

        crm.set("down")
        got = fake.wait_for(lambda: crm_alerts(), 20) or []
        is_eq(len(got), 1, "two failures in a row: one «CRM недоступна» alert in the team chat")
        ok(crm.hits - crm.hits_at_change >= 2, "after at least two probes of the failing URL")
        like(got[0]["plain"] if got else "", r"HTTP 500", "the alert says what failed")
        like(health(), r"CRM: 🔴 недоступна[\s\S]*HTTP 500", "/health shows the CRM down")
        mid = got[0]["message_id"] if got else None

        crm.set("up")
        m = fake.wait_edits(TEAM, mid, 1, timeout=20)
        like((m or {}).get("plain"), r"CRM снова доступна", "two successes: the same message is edited to resolved")
        is_eq(len(crm_alerts()), 1, "and no second alert was posted")
        ok(wait_for(lambda: "CRM: 🟢 доступна" in health(), 5, 1), "/health shows it up again")

        crm.set("hang")
        ok(wait_for(lambda: crm.hits > crm.hits_at_change, 10, 0.1), "a probe is held by the CRM")
        time.sleep(0.5)
        is_eq(bot.stop(), 0, "SIGTERM while a probe hangs: exit 0")
        cmp_ok(bot.stop_seconds, "<", 2.0, "within the 2 s budget")
finally:
    crm.close()
done()
