#!/usr/bin/env python3
# 303-audit.t — every step with partner data leaves the right audit record (action, actor, roles,
# partner, reason, session); /audit shows and pages them and filters by partner; /audit_verify says
# the chain is intact, and names the record after a row is changed or deleted in the database
# (the append-only triggers dropped first: they refuse both); a failing audit write hides the data
# (fail closed) and the bot runs on; the daily anchor posts the chain head to the audit chat and
# appends it to the anchor file. The review's attack (delete records, recompute every hash with
# the documented algorithm, rewrite the stored head, restore the triggers) is caught because the
# chain is keyed by a 0600 key file outside the database; a rewrite made with a stolen key is
# caught at the first anchored head it changed; a loose or missing key file stops the bot.
import hashlib
import hmac
import os
import stat
import struct
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ADMIN, SUPPORT, DEV, BILLING = SUPERADMIN, 100000002, 100000003, 100000004
AUDIT_CHAT = -100999


def copy_db(src, dst):
    """A consistent copy of a stopped bot's database (WAL included) with the backup API."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def spec_hash(row, key):
    """A record's hash as the chain's definition (storage/team/audit_log.c) spells it, computed
    independently: key None is the plain SHA-256 of the same bytes."""
    rid, at, actor, roles, partner, action, reason, session, detail, prev = row
    msg = prev.encode()
    for v in (rid, at, actor, roles, partner, action, reason, session, detail, prev):
        b = str(v).encode() if isinstance(v, int) else (v or "").encode()
        msg += struct.pack(">I", len(b)) + b
    if key is None:
        return hashlib.sha256(msg).hexdigest()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def rewrite_chain(path, delete_ids, key):
    """The review's attack on a stopped bot's database: the triggers dropped, records deleted,
    the rest renumbered 1..n and every hash recomputed (key None: the public algorithm), the
    stored head rewritten, the triggers restored. Returns the new number of records."""
    with sqlite_rw(path) as db:
        trig = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'").fetchall()
        for name, _ in trig:
            db.execute("DROP TRIGGER %s" % name)
        rows = db.execute("SELECT id, at, actor, roles, partner_id, action, reason, session_id, detail FROM audit_log "
                          "ORDER BY id").fetchall()
        db.execute("DELETE FROM audit_log")
        prev, n = "0" * 64, 0
        for r in rows:
            if r[0] in delete_ids:
                continue
            n += 1
            row = (n,) + tuple(r[1:]) + (prev,)
            h = spec_hash(row, key)
            db.execute("INSERT INTO audit_log(id, at, actor, roles, partner_id, action, reason, session_id, detail, "
                       "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", row + (h,))
            prev = h
        db.execute("UPDATE state SET value = ? WHERE key = 'audit_head_id'", (n,))
        db.execute("UPDATE state SET value = ? WHERE key = 'audit_head_hash'", (prev,))
        for _, sql in trig:
            db.execute(sql)
    return n


def read_key(path):
    with open(path) as fh:
        for line in fh:
            if line.startswith("key "):
                return bytes.fromhex(line.split()[1])
    return None


with Fake() as fake, Bot(fake, config={"chats": {"audit": AUDIT_CHAT}}) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    seeded = bot.sql_value("SELECT count(*) FROM audit_log")
    bot.start()

    # --- the daily anchor: the chain head goes to the audit chat at start ----------------------
    got = fake.wait_sent(AUDIT_CHAT, 1)
    like(got[0]["plain"] if got else "", r"^🧾 Голова цепочки аудита: запись #%d из %d\n[0-9a-f]{64}$" % (seeded, seeded),
         "at start the audit chat gets «Голова цепочки аудита» with the head record and hash")
    head_hash = bot.sql_value("SELECT hash FROM audit_log WHERE id = ?", (seeded,))
    ok(got and head_hash in got[0]["plain"], "the posted hash is the head record's hash")
    key_file, anchor_file = bot.db_path + ".audit-key", bot.db_path + ".audit-anchors"
    is_eq(stat.S_IMODE(os.stat(key_file).st_mode), 0o600, "the audit key file is made beside the database, 0600")
    KEY = read_key(key_file)
    is_eq(len(KEY or b""), 32, "holding a 32-byte key")
    first = bot.sql("SELECT id, at, actor, roles, partner_id, action, reason, session_id, detail, prev_hash, hash "
                    "FROM audit_log WHERE id = 1")[0]
    is_eq(spec_hash(first[:10], KEY), first[10], "a record's hash is the documented HMAC-SHA256 under that key")
    isnt_eq(spec_hash(first[:10], None), first[10], "not the plain SHA-256 anyone could recompute")
    with open(anchor_file) as fh:
        anchors = fh.read().split("\n")
    like(anchors[-2] if len(anchors) > 1 else "", r"^%d %s \d+$" % (seeded, head_hash),
         "the posted head is appended to the anchor file («id hash time»)")
    is_eq(stat.S_IMODE(os.stat(anchor_file).st_mode), 0o600, "the anchor file is 0600")

    say = fake.say

    def text_of(msgs):
        return "\n".join(m["plain"] for m in msgs or [])

    head = bot.audit_head

    def new_rows(since):
        return bot.sql("SELECT action, actor, roles, partner_id, reason, session_id, detail FROM audit_log "
                       "WHERE id > ? ORDER BY id", (since,))

    def session_of(uid, pid):
        return bot.sql_value("SELECT max(id) FROM access_sessions WHERE user_id = ? AND partner_id = ?", (uid, pid))

    # --- partner.create: the form opens an onboarding session and records both ------------------
    a0 = head()
    got = say(ADMIN, '/partner_new name="Аудит" legal="ООО «Аудит»" inn=7707083893 phone=+79161234567', 2)
    like(text_of(got), r"Партнёр создан", "a partner is created")
    pid = bot.sql_value("SELECT id FROM partners WHERE name = 'Аудит'")
    s = session_of(ADMIN, pid)
    is_eq(new_rows(a0), [
        ("access.open", ADMIN, "superadmin", pid, "onboarding: card created", s, ""),
        ("partner.create", ADMIN, "superadmin", pid, "onboarding: card created", s,
         "slug=audit inn=7707083893 branches=1 users=0"),
        ("partner.read", ADMIN, "superadmin", pid, "onboarding: создание карточки", s, "card with personal data"),
    ], "creation: access.open, partner.create and partner.read, with the session")

    # --- partner.view (masked, no session) --------------------------------------------------------
    demo = 5
    a0 = head()
    say(ADMIN, "/partner %d" % demo)
    is_eq(new_rows(a0), [("partner.view", ADMIN, "superadmin", demo, "", 0, "card, personal data masked")],
          "a masked card: partner.view without a session")

    # --- access.open and partner.read ---------------------------------------------------------------
    a0 = head()
    got = say(ADMIN, "/access %d billing сверка оплат" % demo)
    s = session_of(ADMIN, demo)
    ok(s, "a session was opened")
    is_eq(new_rows(a0), [
        ("access.open", ADMIN, "superadmin", demo, "billing: сверка оплат", s, "read-write"),
        ("partner.read", ADMIN, "superadmin", demo, "billing: сверка оплат", s, "card with personal data"),
    ], "/access: access.open and partner.read with the reason and session")

    # --- partner.edit: the fields, never the personal values ------------------------------------------
    a0 = head()
    say(ADMIN, "/partner_edit %d phone=+79169998877 branches=4" % demo, 2)
    rows = new_rows(a0)
    is_eq(rows[0][:6], ("partner.edit", ADMIN, "superadmin", demo, "billing: сверка оплат", s),
          "partner.edit with the session's reason and its text")
    like(rows[0][6], r"^phone; branches \d+ → 4$", "its detail names the fields (and the count's change)")
    ok(all("9998877" not in str(r) for r in bot.sql("SELECT * FROM audit_log")), "the new phone is in no audit record")

    # --- partner.status ------------------------------------------------------------------------------
    a0 = head()
    say(ADMIN, "/status %d suspended неоплата счёта 2026-0001" % demo, 2)
    rows = new_rows(a0)
    is_eq(rows[0], ("partner.status", ADMIN, "superadmin", demo, "неоплата счёта 2026-0001", 0, "active → suspended"),
          "partner.status: reason and the transition")

    # --- access.close -------------------------------------------------------------------------------
    a0 = head()
    say(ADMIN, "/access_end %d" % demo)
    is_eq(new_rows(a0), [("access.close", ADMIN, "superadmin", demo, "", 0, "closed by hand")], "/access_end: access.close")

    # --- denials -----------------------------------------------------------------------------------
    a0 = head()
    say(DEV, "/access %d other любопытство" % demo)
    is_eq(new_rows(a0), [("access.deny", DEV, "developer", 0, "role may not", 0, "/access refused by role")],
          "a developer's /access: access.deny with the role")
    a0 = head()
    say(DEV, "/partner %d" % demo)
    is_eq(new_rows(a0), [("partner.view", DEV, "developer", demo, "", 0, "card, personal data masked")],
          "a developer's card: partner.view")
    a0 = head()
    say(SUPPORT, "/partner %d" % demo)
    is_eq(new_rows(a0), [("partner.deny", SUPPORT, "support", demo, "no access session", 0, "card")],
          "support without a session: partner.deny")
    a0 = head()
    say(SUPPORT, "/access %d ticket T-77" % demo)
    s2 = session_of(SUPPORT, demo)
    is_eq(new_rows(a0), [
        ("access.open", SUPPORT, "support", demo, "ticket: T-77", s2, "read-only"),
        ("partner.read", SUPPORT, "support", demo, "ticket: T-77", s2, "card with personal data"),
    ], "support with a ticket: access.open (read-only) and partner.read")

    # --- team.grant / team.revoke -------------------------------------------------------------------------
    a0 = head()
    say(ADMIN, "/grant 777 manager")
    say(ADMIN, "/revoke 777 manager")
    is_eq(new_rows(a0), [("team.grant", ADMIN, "superadmin", 0, "", 0, "user 777 + manager"),
                         ("team.revoke", ADMIN, "superadmin", 0, "", 0, "user 777 - manager")],
          "team.grant and team.revoke")

    # --- /audit: pages and the partner filter --------------------------------------------------------------
    hb = head()
    got = say(ADMIN, "/audit")
    m = got[0] if got else {}
    like(m.get("plain"), r"^🧾 Аудит · 1–10 из %d\n" % hb, "/audit: the newest 10 of all (%d)" % hb)
    ids = [int(x) for x in re.findall(r"(?m)^#(\d+) ", m.get("plain", ""))]
    is_eq(ids, list(range(hb, hb - 10, -1)), "newest first")
    is_eq(new_rows(hb), [("audit.read", ADMIN, "superadmin", 0, "", 0, "partner=0 actor=0 since=0 offset=0")],
          "reading the log is itself recorded (audit.read)")
    like(m.get("plain"), r"team\.revoke · user 777 - manager", "the records show action and detail")
    like(m.get("plain"), r"access\.open партнёр #%d · причина: ticket: T-77 · сессия %d · read-only" % (demo, s2),
         "and partner, reason and session")
    older = data_of(m, "Старее")
    ok(older and re.fullmatch(r"al:\d+:10", older), "an «Старее ▶» button al:<query>:10", older)
    hb = head()
    fake.callback(ADMIN, m["message_id"], older)
    e = fake.wait_edits(ADMIN, m["message_id"], 1)
    like((e or {}).get("plain"), r"^🧾 Аудит · 11–20 из %d" % hb, "the page button edits in the next page")
    ids2 = [int(x) for x in re.findall(r"(?m)^#(\d+) ", (e or {}).get("plain", ""))]
    is_eq(ids2, list(range(hb - 10, hb - 20, -1)), "records 11–20, newest first")
    ok(data_of(e, "Новее"), "and a «◀ Новее» button")
    is_eq(new_rows(hb)[-1][6], "partner=0 actor=0 since=0 offset=10", "the page read is recorded too")

    hb = head()
    got = say(ADMIN, "/audit %d" % demo)
    t = text_of(got)
    like(t, r"^🧾 Аудит · %s · 1–10 из \d+" % re.escape(bot.sql_value("SELECT name FROM partners WHERE id = ?", (demo,))),
         "/audit <partner>: filtered, named")
    ids = [int(x) for x in re.findall(r"(?m)^#(\d+) ", t)]
    want = [r[0] for r in bot.sql("SELECT id FROM audit_log WHERE partner_id = ? AND id <= ? ORDER BY id DESC LIMIT 10",
                                  (demo, hb))]
    is_eq(ids, want, "exactly that partner's records, newest first")
    cmp_ok(bot.sql_value("SELECT count(*) FROM audit_log WHERE partner_id <> ? AND id <= ?", (demo, hb)), ">", 10,
           "(while other partners' records exist)")
    got = say(ADMIN, "/audit @nobody_at_all")
    like(text_of(got), r"Формат: /audit", "an unknown member in /audit: the usage")

    got = say(ADMIN, "/audit_verify")
    n = bot.sql_value("SELECT count(*) FROM audit_log")
    like(text_of(got), r"^✅ Журнал аудита цел: %d записей, голова #%d" % (n - 1, n - 1),
         "/audit_verify: intact («цел»), every record counted")

    # --- the triggers refuse changes -------------------------------------------------------------------
    is_eq(bot.stop(), 0, "stopped")
    trig = sorted(r[0] for r in bot.sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"))
    is_eq(trig, ["audit_log_no_delete", "audit_log_no_update"], "the audit_log triggers exist")
    for what, q in (("UPDATE", "UPDATE audit_log SET detail = 'x' WHERE id = 3"), ("DELETE", "DELETE FROM audit_log WHERE id = 3")):
        try:
            with sqlite_rw(bot.db_path) as db:
                db.execute(q)
            ok(False, "the trigger refuses %s" % what)
        except (sqlite3.IntegrityError, sqlite3.OperationalError) as ex:
            like(str(ex), r"append-only", "the trigger refuses %s (%s)" % (what, ex))
    saved = os.path.join(bot.dir, "saved.db")
    copy_db(bot.db_path, saved)
    total = bot.sql_value("SELECT count(*) FROM audit_log")

    def restore():
        copy_db(saved, bot.db_path)

    def verify_text():
        got = say(ADMIN, "/audit_verify")
        return text_of(got)

    # --- a changed record ---------------------------------------------------------------------------
    X = total // 2
    with sqlite_rw(bot.db_path) as db:
        for t in trig:
            db.execute("DROP TRIGGER %s" % t)
        db.execute("UPDATE audit_log SET detail = detail || ' (edited)' WHERE id = ?", (X,))
    bot.start()
    like(verify_text(), r"❌ Журнал аудита нарушен: запись #%d — content changed" % X,
         "an UPDATE of record #%d: /audit_verify names it" % X)
    like(bot.log(), r"audit chain broken at record %d" % X, "and logs it")
    is_eq(bot.stop(), 0, "stopped")

    # --- a deleted record ---------------------------------------------------------------------------
    restore()
    is_eq(bot.sql_value("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"), 2,
          "a fresh copy (the triggers are back)")
    Y = total // 3
    with sqlite_rw(bot.db_path) as db:
        for t in trig:
            db.execute("DROP TRIGGER %s" % t)
        db.execute("DELETE FROM audit_log WHERE id = ?", (Y,))
    bot.start()
    like(verify_text(), r"❌ Журнал аудита нарушен: запись #%d — record missing before this one" % (Y + 1),
         "a DELETE of record #%d: /audit_verify names the next, #%d" % (Y, Y + 1))
    is_eq(bot.stop(), 0, "stopped")

    # --- an untouched copy verifies (the checks above are about the tampering) ---------------------------
    restore()
    bot.start()
    like(verify_text(), r"✅ Журнал аудита цел: %d записей" % total, "the untouched copy is intact")
    is_eq(bot.stop(), 0, "stopped")

    # --- the review's attack: the whole chain recomputed with the public algorithm ------------------
    restore()
    with open(anchor_file) as fh:
        anchors_before = fh.read()
    n = rewrite_chain(bot.db_path, {3, total - 1}, None)
    is_eq(bot.sql_value("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"), 2,
          "(records 3 and %d deleted, %d renumbered and rehashed with SHA-256, the head and triggers restored)" % (total - 1, n))
    log_len = len(bot.log())
    bot.start()
    like(bot.log()[log_len:], r"error: audit chain broken at record 1: content changed",
         "at start the bot checks the chain and logs it broken at record #1")
    like(verify_text(), r"^❌ Журнал аудита нарушен: запись #1 — content changed",
         "/audit_verify: the recomputed chain is broken at record #1")
    is_eq(bot.stop(), 0, "stopped")
    with open(anchor_file) as fh:
        is_eq(fh.read(), anchors_before, "a broken chain is not anchored")

    # --- the same with a stolen key: the anchored heads disagree ---------------------------------------
    restore()
    n = rewrite_chain(bot.db_path, {3}, KEY)
    bot.start()
    got = verify_text()
    like(got, r"^❌ Журнал аудита нарушен: запись #%d — differs from the head anchored on \d{4}-\d\d-\d\d \d\d:\d\d UTC; "
         r"rewritten within #1…#%d" % (seeded, seeded),
         "a rewrite with the key: broken at the first anchored head it changed (#%d, the head after demo-seed)" % seeded)
    is_eq(bot.stop(), 0, "stopped")

    # --- the key file: a loose mode or a missing file stops the bot ----------------------------------
    restore()
    os.chmod(key_file, 0o644)
    r = bot.run_cli(["check-config"])
    is_eq(r.rc, 2, "check-config refuses a key file others may read")
    like(r.stderr, r"audit key file is accessible by group or others \(mode 0644\); run chmod 600", "saying what to do")
    bot.start(wait=False)
    is_eq(bot.wait_exit(10), 1, "the bot does not start with it")
    like(bot.log(), r"audit: .*\.audit-key: the audit key file is accessible by group or others", "and logs why")
    os.chmod(key_file, 0o600)
    os.rename(key_file, key_file + ".away")
    bot.start()
    like(bot.log(), r"error: audit: the key file .*\.audit-key was missing while the audit log's %d records are keyed: "
         r"made a new key; records 1\.\.%d cannot be verified until the old key file is put back" % (total, total),
         "without its key file (a copied database) the bot starts with a new key and says what is lost")
    like(verify_text(), r"^❌ Журнал аудита нарушен: запись #1 — keyed with a key the key file does not hold",
         "and /audit_verify does not call the old records intact")
    is_eq(bot.stop(), 0, "stopped")
    restore()
    os.replace(key_file + ".away", key_file)
    bot.start()
    like(verify_text(), r"^✅ Журнал аудита цел: %d записей, голова #%d\n[0-9a-f]{64}\nСовпадает с закреплёнными головами: \d+, последняя — #%d от "
         % (total, total, total), "the key back: intact, and the anchored heads match")
    is_eq(bot.stop(), 0, "stopped")

    # --- fail closed: the audit table refuses inserts ------------------------------------------------------
    restore()
    with sqlite_rw(bot.db_path) as db:
        db.execute("CREATE TRIGGER audit_ro BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'read-only'); END;")
    name, phone = bot.sql("SELECT name, phone FROM partners WHERE id = ?", (demo,))[0]
    bot.start()
    n0 = len(fake.sent(ADMIN))
    got = say(ADMIN, "/partner %d" % demo)
    t = text_of(got)
    like(t, r"Не получилось выполнить действие; ничего не изменено", "/partner with a read-only audit: an error message")
    ok("🏢" not in t and name not in t, "and no card (no «🏢», no name)", t)
    got = say(ADMIN, "/access %d billing проверка" % demo)
    t = text_of(got)
    like(t, r"Не получилось выполнить действие", "/access: refused too")
    ok(phone[-4:] not in t and "🏢" not in t, "no personal data and no card")
    is_eq(bot.sql_value("SELECT count(*) FROM access_sessions WHERE partner_id = ? AND user_id = ? AND closed_at IS NULL",
                        (demo, ADMIN)), 0, "no session was left open for it (the whole step rolled back)")
    ok(all("🏢" not in m["plain"] for m in fake.sent(ADMIN)[n0:]), "no card was sent at all while the audit failed")
    like(bot.log(), r"audit: cannot record partner\.(view|read)", "the refusal is logged")
    ok(bot.alive(), "the bot keeps running")
    got = say(ADMIN, "/whoami")
    like(text_of(got), r"Роли: суперадмин", "and answers what needs no audit")

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
