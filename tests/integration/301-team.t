#!/usr/bin/env python3
# 301-team.t — /team, /grant and /revoke: roles change (and the member's command menu follows),
# a configuration superadmin cannot be revoked in the bot, database superadmins can while the
# configuration one remains, only superadmins may change roles, and the pick-from-a-list flow.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ADMIN, ANNA, SUPPORT, DEV, BILLING = SUPERADMIN, 100000001, 100000002, 100000003, 100000004


with Fake() as fake, Bot(fake) as bot:
    is_eq(bot.run_cli(["demo-seed"]).rc, 0, "demo-seed succeeds")
    bot.start()

    # Members write with their Telegram names (the bot refreshes stored names from each message).
    WHO = {ANNA: ("anna_admin", "Анна Смирнова"), SUPPORT: ("igor_support", "Игорь Петров"),
           DEV: ("olga_dev", "Ольга Кузнецова"), BILLING: ("pavel_billing", "Павел Соколов")}

    def say(uid, text, expect=1):
        n = len(fake.sent(uid))
        un, fn = WHO.get(uid, (None, None))
        fake.message(uid, text, username=un, first_name=fn)
        got = fake.wait_sent(uid, n + expect)[n:]
        return got[-1]["plain"] if got else ""

    def roles(uid):
        return sorted(r[0] for r in bot.sql("SELECT role FROM member_roles WHERE user_id = ?", (uid,)))

    def menu(uid):
        for c in fake.commands():
            if c["scope"] == {"type": "chat", "chat_id": uid}:
                return {x["command"] for x in c["commands"]}
        return None

    def menu_after(uid, since_seq, pred):
        """Waits for a setMyCommands for uid's chat after since_seq whose command set satisfies pred."""
        def look():
            for r in fake.requests("setMyCommands", since_seq):
                sc = r["params"].get("scope")
                if isinstance(sc, str):
                    import json
                    sc = json.loads(sc)
                if sc == {"type": "chat", "chat_id": uid}:
                    cmds = r["params"].get("commands")
                    if isinstance(cmds, str):
                        import json
                        cmds = json.loads(cmds)
                    s = {c["command"] for c in cmds}
                    if pred(s):
                        return s
            return None
        return wait_for(look, 5)

    def audits(action, since):
        return [r[0] for r in bot.sql("SELECT detail FROM audit_log WHERE action = ? AND actor = ? AND id > ? ORDER BY id",
                                      (action, ADMIN, since))]

    head = bot.audit_head

    # --- /team ----------------------------------------------------------------------------
    t = say(ADMIN, "/team")
    like(t, r"Команда", "/team answers")
    like(t, r"Игорь Петров \(@igor_support, id 100000002\) — поддержка", "lists igor_support with his role")
    like(t, r"Мария Волкова \(@maria_manager, id 100000005\) — биллинг, менеджер", "a member with two roles")
    like(t, r"id 111\) — суперадмин \(суперадмин из конфигурации\)", "the configuration superadmin is marked")
    t = say(DEV, "/team")
    like(t, r"Ольга Кузнецова", "any member may see the team")
    unlike(t, r"/grant", "but only superadmins are told about /grant")

    # --- /grant by @username: the role and the menu ----------------------------------------
    a0, seq = head(), fake.last_seq()
    ok("partner_new" not in (menu(SUPPORT) or set()), "support's menu has no partner_new yet")
    nsup = len(fake.sent(SUPPORT))
    t = say(ADMIN, "/grant @igor_support billing")
    like(t, r"✅ Игорь Петров \(@igor_support, id 100000002\): выдана роль «биллинг»", "/grant @igor_support billing")
    is_eq(roles(SUPPORT), ["billing", "support"], "igor holds support and billing")
    got = menu_after(SUPPORT, seq, lambda s: "partner_new" in s)
    ok(got is not None, "setMyCommands for igor's chat now includes partner_new", menu(SUPPORT))
    s = fake.wait_sent(SUPPORT, nsup + 1)
    like(s[-1]["plain"] if len(s) > nsup else "", r"Вам выдана роль «биллинг»", "igor is told")
    is_eq(audits("team.grant", a0), ["user 100000002 + billing"], "audit team.grant")
    t = say(ADMIN, "/grant @igor_support billing")
    like(t, r"уже есть роль «биллинг»", "granting it again: «уже есть»")
    is_eq(audits("team.grant", a0), ["user 100000002 + billing"], "no second grant recorded")
    t = say(ADMIN, "/grant @nobody_here support")
    like(t, r"Сотрудник «@nobody_here» не найден", "an unknown @username: «не найден»")
    t = say(ADMIN, "/grant @igor_support king")
    like(t, r"Роли: superadmin, support, developer, billing, manager", "an unknown role: the roles are listed")

    # --- only superadmins change roles ------------------------------------------------------
    t = say(BILLING, "/grant @olga_dev superadmin")
    like(t, r"Недостаточно прав", "billing may not /grant")
    is_eq(roles(DEV), ["developer"], "olga's roles are unchanged")
    n = len(fake.sent(DEV))
    say(ADMIN, "/whoami")
    cb = fake.callback(BILLING, fake.sent(BILLING)[-1]["message_id"], "tgr:%d:superadmin" % DEV)
    ans = fake.wait_answered(cb["callback_query_id"])
    ok(ans and re.search(r"Недостаточно прав", ans["answers"][0].get("text") or ""), "a forged tgr: press is refused")
    is_eq(roles(DEV), ["developer"], "still only developer")

    # --- /revoke --------------------------------------------------------------------------
    a0, seq = head(), fake.last_seq()
    t = say(ADMIN, "/revoke @igor_support billing")
    like(t, r"➖ .*: снята роль «биллинг»", "/revoke @igor_support billing")
    is_eq(roles(SUPPORT), ["support"], "igor is back to support")
    ok(menu_after(SUPPORT, seq, lambda s: "partner_new" not in s and "access" in s) is not None,
       "and his menu lost partner_new")
    is_eq(audits("team.revoke", a0), ["user 100000002 - billing"], "audit team.revoke")
    t = say(ADMIN, "/revoke @igor_support billing")
    like(t, r"нет роли «биллинг»", "revoking a role not held: «нет роли»")

    # --- superadmins: the configuration one stays, database ones may go -----------------------
    t = say(ADMIN, "/revoke %d superadmin" % ADMIN)
    like(t, r"задан в конфигурации", "the configuration superadmin cannot be revoked («конфигурации»)")
    t = say(ADMIN, "/whoami")
    like(t, r"Роли: суперадмин \(из конфигурации\)", "111 is still superadmin")

    t = say(ADMIN, "/grant %d superadmin" % BILLING)
    like(t, r"выдана роль «суперадмин»", "/grant 100000004 superadmin")
    is_eq(roles(BILLING), ["billing", "superadmin"], "pavel holds billing and superadmin")
    t = say(BILLING, "/audit_verify")
    like(t, r"Журнал аудита цел", "pavel may now run superadmin commands")
    t = say(ADMIN, "/revoke %d superadmin" % ANNA)
    like(t, r"снята роль «суперадмин»", "anna's superadmin is revoked (others remain)")
    is_eq(roles(ANNA), [], "anna holds nothing")
    a0 = head()
    t = say(ADMIN, "/revoke %d superadmin" % BILLING)
    like(t, r"➖ Павел Соколов .*: снята роль «суперадмин»",
         "the only database superadmin is revoked: allowed, 111 from the configuration remains")
    is_eq(roles(BILLING), ["billing"], "pavel is billing again")
    is_eq(audits("team.revoke", a0), ["user 100000004 - superadmin"], "audited")
    t = say(BILLING, "/audit_verify")
    like(t, r"Недостаточно прав", "and may no longer run superadmin commands")
    is_eq(bot.sql_value("SELECT count(*) FROM member_roles WHERE role = 'superadmin'"), 0, "no superadmin in the database")
    t = say(ADMIN, "/grant @olga_dev support")
    like(t, r"выдана роль «поддержка»", "111 still manages the team")

    # --- the pick-from-a-list flow ----------------------------------------------------------
    n = len(fake.sent(ADMIN))
    fake.message(ADMIN, "/grant")
    got = fake.wait_sent(ADMIN, n + 1)[n:]
    pick = got[0] if got else {}
    like(pick.get("plain"), r"Кому выдать роль", "/grant without arguments: whom?")
    d = data_of(pick, "Ольга")
    is_eq(d, "tgp:%d" % DEV, "members are buttons tgp:<id>")
    fake.callback(ADMIN, pick["message_id"], d)
    e = fake.wait_edits(ADMIN, pick["message_id"], 1)
    like((e or {}).get("plain"), r"Какую роль выдать: Ольга Кузнецова", "then: which role?")
    is_eq(sorted(b["callback_data"] for b in buttons(e)),
          sorted("tgr:%d:%s" % (DEV, r) for r in ("superadmin", "billing", "manager")),
          "only the roles she does not hold")
    fake.callback(ADMIN, pick["message_id"], "tgr:%d:manager" % DEV)
    e = fake.wait_edits(ADMIN, pick["message_id"], 2)
    like((e or {}).get("plain"), r"выдана роль «менеджер»", "the role button grants it")
    is_eq(roles(DEV), ["developer", "manager", "support"], "olga's roles")

    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
