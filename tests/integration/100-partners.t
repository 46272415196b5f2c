#!/usr/bin/env python3
# 100-partners.t — the partners block as the superadmin sees it in the private chat: the list and
# its pages, search (id, slug, INN, a Cyrillic fragment in another case), choice lists, creation by
# the one-line form (every kind of bad value named) and by the guided dialog (a bad answer at every
# step), /cancel, editing (a command and the Edit button), the status machine with its
# confirmation and history, and HTML in a partner's name.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import *

require_binary()

ME = SUPERADMIN


with Fake() as fake, Bot(fake) as bot:
    r = bot.run_cli(["demo-seed"])
    is_eq(r.rc, 0, "demo-seed succeeds")
    bot.start()

    def say(text, expect=1, uid=ME, timeout=10):
        """Sends text as uid; returns the replies (waits for `expect` of them)."""
        return fake.say(uid, text, expect, timeout)

    def plains(msgs):
        return "\n----\n".join(m["plain"] for m in msgs)

    def npartners():
        return bot.sql_value("SELECT count(*) FROM partners")

    def dialog_step():
        row = bot.sql("SELECT kind, step FROM dialogs WHERE user_id = ?", (ME,))
        return row[0] if row else None

    parts = {r[0]: r for r in bot.sql("SELECT id, slug, name, legal_name, inn, phone, status FROM partners")}
    is_eq(len(parts), 20, "20 demo partners")

    # --- the list and its pages -----------------------------------------------------------
    got = say("/partners")
    lst = got[0] if got else {}
    like(lst.get("plain"), r"^Партнёры 1–10 из 20", "/partners: the first page of 20")
    is_eq(len([b for b in buttons(lst) if b["callback_data"].startswith("p:")]), 10, "ten open buttons")
    nxt = data_of(lst, "Дальше")
    ok(nxt is not None and re.fullmatch(r"pl:\d+:10", nxt), "a «Дальше ▶» button pl:<query>:10", nxt)
    first_page_ids = {b["callback_data"] for b in buttons(lst) if b["callback_data"].startswith("p:")}
    n_before = len(fake.sent(ME))
    fake.callback(ME, lst["message_id"], nxt)
    ed = fake.wait_edits(ME, lst["message_id"], 1)
    like((ed or {}).get("plain"), r"^Партнёры 11–20 из 20", "the press edits the same message: 11–20")
    page2 = {b["callback_data"] for b in buttons(ed) if b["callback_data"].startswith("p:")}
    is_eq(len(page2), 10, "ten more partners on page 2")
    is_eq(page2 & first_page_ids, set(), "page 2 shows other partners than page 1")
    is_eq(page2 | first_page_ids, {"p:%d" % i for i in parts}, "both pages together are all 20")
    ok(data_of(ed, "Назад") and data_of(ed, "Дальше") is None, "page 2 has «◀ Назад» and no «Дальше»")
    is_eq(len(fake.sent(ME)), n_before, "the page button sent no new message")

    got = say("/partners blocked")
    blocked = sorted(i for i, p in parts.items() if p[6] == 2)
    ok(blocked, "the demo has a blocked partner")
    like(got[0]["plain"] if got else "", r"из %d · 🔴 заблокирован" % len(blocked), "/partners blocked: the blocked count")
    is_eq(sorted(int(b["callback_data"][2:]) for b in buttons(got[0]) if b["callback_data"].startswith("p:")),
          blocked, "and exactly the blocked partners")

    # --- search ---------------------------------------------------------------------------
    def card_of(msgs):
        for m in msgs:
            if m["plain"].startswith("🏢"):
                return m
        return None

    pid = 2
    for how, q in (("id", str(pid)), ("slug", parts[pid][1]), ("INN", parts[pid][4])):
        got = say("/partner %s" % q)
        c = card_of(got)
        like(c["plain"] if c else plains(got), r"^🏢 %s · #%d" % (re.escape(parts[pid][2]), pid),
             "/partner by %s (%s) opens the card of #%d" % (how, q, pid))

    # a unique Cyrillic fragment, sent in upper case
    frag, fid = None, None
    for i, p in sorted(parts.items()):
        f = p[2][:3]
        if re.fullmatch(r"[А-Яа-яЁё]{3}", f):
            hits = [j for j, q in parts.items() if f.lower() in (q[2] + " " + q[3]).lower()]
            if hits == [i]:
                frag, fid = f.upper(), i
                break
    ok(frag is not None, "a unique Cyrillic fragment exists (%s)" % frag)
    got = say("/partner %s" % frag)
    c = card_of(got)
    like(c["plain"] if c else plains(got), r"^🏢 %s · #%d" % (re.escape(parts[fid][2]), fid),
         "/partner %s (upper case) finds «%s»" % (frag, parts[fid][2]))
    got = say("/partners %s" % frag)
    like(got[0]["plain"] if got else "", r"Партнёры 1–1 из 1 · «%s»" % frag, "/partners %s: one match" % frag)

    got = say("/partner школа")
    m = got[0] if got else {}
    like(m.get("plain"), r"Нашлось несколько партнёров", "several matches: a choice list")
    want = sorted(i for i, p in parts.items() if "школа" in (p[2] + " " + p[3]).lower())
    ids = sorted(int(b["callback_data"][2:]) for b in buttons(m) if re.fullmatch(r"p:\d+", b["callback_data"]))
    ok(set(ids) <= set(want) and len(ids) == min(len(want), 8), "its buttons are p:<id> of the matching partners",
       "buttons %r, matches %r" % (ids, want))
    cmp_ok(len(ids), ">=", 2, "with at least two choices")
    n = len(fake.sent(ME))
    cb = fake.callback(ME, m["message_id"], "p:%d" % ids[0])
    got = fake.wait_sent(ME, n + 1)[n:]
    like(got[0]["plain"] if got else "", r"^🏢 .* · #%d" % ids[0], "pressing a choice sends that card")

    got = say("/partner Нетакогопартнёра")
    like(got[0]["plain"] if got else "", r"Партнёр «Нетакогопартнёра» не найден", "unknown partner: «не найден»")
    is_eq(buttons(got[0]) if got else None, [], "without buttons")

    # --- creation: the one-line form ------------------------------------------------------
    INN_A = inn10("770708389")          # 7707083893, not in the demo
    ok(INN_A not in [p[4] for p in parts.values()], "a valid INN the demo does not hold")
    before = npartners()
    bad_forms = [
        ("bad INN checksum", 'name="Тест" legal="ООО «Тест»" inn=7707083894', r"ИНН: .*контрольн.*Пример: 7707083893"),
        ("INN of 11 digits", 'name="Тест" legal="ООО «Тест»" inn=77070838931', r"ИНН: .*11 цифр.*Пример"),
        ("phone with letters", 'name="Тест" legal="ООО «Тест»" phone=+7916abc4567', r"Телефон: .*Пример: \+7 916 123-45-67"),
        ("bad email", 'name="Тест" legal="ООО «Тест»" email=ivan@@mail', r"Email: .*Пример: ivan@romashka\.ru"),
        ("unknown field", 'name="Тест" legal="ООО «Тест»" color=red', r"Неизвестное поле «color»\. Поля: name, legal, inn"),
        ("missing name", 'legal="ООО «Тест»"', r"Название: обязательное поле\. Пример: name="),
        ("missing legal", 'name="Тест"', r"Юрлицо: обязательное поле\. Пример: legal="),
        ("unterminated quote", 'name="Тест legal=x', r"не закрыта кавычка в поле «name».*Пример"),
        ("two bad counts", 'name="Тест" legal="ООО «Тест»" branches=-1 users=many',
         r"Филиалов: .*Пример(.|\n)*Пользователей: .*Пример"),
        ("a bad legal name", 'name="Тест" legal="!"', r"Юрлицо: слишком коротко.*Пример"),
    ]
    for what, form, pat in bad_forms:
        got = say("/partner_new " + form)
        text = got[0]["plain"] if got else ""
        like(text, r"^⚠️ Не сохранено, исправьте:", "form with %s: not saved" % what)
        like(text, pat, "form with %s: the message names the field and gives an example" % what)
    dup = 2
    got = say('/partner_new name="Дубль" legal="ООО «Дубль»" inn=%s' % parts[dup][4])
    like(got[0]["plain"] if got else "", r"ИНН: уже записан у другого партнёра — %s \(#%d\)" % (re.escape(parts[dup][2]), dup),
         "duplicate INN: names the holder")
    is_eq(data_of(got[0] if got else {}, "карточку"), "p:%d" % dup, "with a button to the holder's card")
    is_eq(npartners(), before, "no bad form created anything")

    got = say('/partner_new name="Тест" legal="ООО «Тест»" inn=%s phone="+7 (916) 000-11-22" email=Test@Example.ru'
              % INN_A, 2)
    like(got[0]["plain"] if got else "", r"✅ Партнёр создан", "a good form: «Партнёр создан»")
    c = card_of(got)
    like(c["plain"] if c else "", r"^🏢 Тест · #\d+ · test", "then the card")
    new_id = int(re.search(r"#(\d+)", c["plain"]).group(1)) if c else 0
    row = bot.sql("SELECT name, legal_name, inn, phone, email, status FROM partners WHERE id = ?", (new_id,))
    is_eq(row, [("Тест", "ООО «Тест»", INN_A, "+79160001122", "Test@example.ru", 0)],
          "stored with the phone normalised and the domain lower-cased")
    like(c["plain"] if c else "", r"\+7 916 000-11-22", "the creator sees the phone (a session opened at creation)")

    # --- creation: the guided dialog, a bad answer at every step --------------------------
    got = say("/partner_new", 2)
    like(plains(got), r"Новый партнёр(.|\n)*Шаг 1 из 11\. Как называется партнёр", "/partner_new: step 1 asks the name")
    is_eq(dialog_step(), ("partner_new", 0), "a partner_new dialog at step 0")
    INN_B = inn12("5001007322")
    steps = [
        # (field label in the error, bad answer, pattern of the error, good answer or None for /skip, next question)
        ("Название", "!", r"Название: слишком коротко", "Ёлка", r"Шаг 2 из 11\. Юрлицо"),
        ("Юрлицо", "  ", r"Юрлицо: слишком коротко", "ИП Ёлкин Пётр Ильич", r"Шаг 3 из 11\. ИНН"),
        ("ИНН", "123", r"ИНН: .*3 цифры", INN_B, r"Шаг 4 из 11\. Контактное лицо"),
        ("Контактное лицо", "x", r"Контактное лицо: слишком коротко", "Пётр Ёлкин", r"Шаг 5 из 11\. Телефон"),
        ("Телефон", "abc", r"Телефон: ", "8 (903) 111-22-33", r"Шаг 6 из 11\. Email"),
        ("Email", "a@b", r"Email: ", "petr@elka.ru", r"Шаг 7 из 11\. Сколько филиалов"),
        ("Филиалов", "-1", r"Филиалов: только цифры", "3", r"Шаг 8 из 11\. Сколько пользователей"),
        ("Пользователей", "many", r"Пользователей: только цифры", None, r"Шаг 9 из 11\. Дата подключения"),
        ("Дата подключения", "31.02.2025", r"Дата подключения: такого дня нет", "01.09.2025", r"Шаг 10 из 11\. Ответственный"),
        ("Ответственный", "@nobody", r"Ответственный: нет такого сотрудника", "@pavel_billing", r"Шаг 11 из 11\. Заметки"),
    ]
    for k, (label, bad, pat, good, nextq) in enumerate(steps):
        got = say(bad)
        text = got[0]["plain"] if got else ""
        like(text, r"^⚠️ " + pat, "step %d (%s): %r is refused naming the field" % (k + 1, label, bad))
        like(text, r"Пример|Попробуйте ещё раз", "step %d: with an example or a hint" % (k + 1))
        is_eq(dialog_step(), ("partner_new", k), "step %d: the dialog stays on the same question" % (k + 1))
        got = say(good if good is not None else "/skip")
        like(got[0]["plain"] if got else "", nextq, "step %d: %s → the next question" % (k + 1, good or "/skip"))
    is_eq(npartners(), before + 1, "nothing created before the last answer")
    got = say("/skip", 2)
    like(got[0]["plain"] if got else "", r"✅ Партнёр создан", "notes /skip: the partner is created")
    c = card_of(got)
    like(c["plain"] if c else "", r"^🏢 Ёлка · #\d+", "and its card is shown")
    row = bot.sql("SELECT legal_name, inn, contact_name, phone, email, branches, users, assigned_to, notes "
                  "FROM partners WHERE name = 'Ёлка'")
    is_eq(row, [("ИП Ёлкин Пётр Ильич", INN_B, "Пётр Ёлкин", "+79031112233", "petr@elka.ru", 3, 0, 100000004, "")],
          "every answer was stored (users skipped stays 0)")
    is_eq(dialog_step(), None, "the dialog is over")

    # /cancel in the middle
    before = npartners()
    say("/partner_new", 2)
    say("Отменяемый")
    say("ООО «Отменяемый»")
    got = say("/cancel")
    like(got[0]["plain"] if got else "", r"Отменено; ничего не сохранено", "/cancel mid-dialog: «ничего не сохранено»")
    is_eq(npartners(), before, "no partner was created")
    is_eq(bot.sql_value("SELECT count(*) FROM partners WHERE name = 'Отменяемый'"), 0, "not even half of one")
    is_eq(dialog_step(), None, "the dialog is gone")
    got = say("Ещё текст")
    like(got[0]["plain"] if got else "", r"Я понимаю команды", "a later text is not taken as an answer")

    # --- editing --------------------------------------------------------------------------
    eid = 5
    old_phone = parts[eid][5]
    got = say("/partner_edit %d phone=+79165554433" % eid)
    like(got[0]["plain"] if got else "", r"Карточка меняется только при открытом доступе к данным",
         "/partner_edit of a phone without a session: asked to open data access")
    is_eq(data_of(got[0] if got else {}, "Открыть данные"), "pd:%d" % eid, "with the «Открыть данные» button")
    is_eq(bot.sql_value("SELECT phone FROM partners WHERE id = ?", (eid,)), old_phone, "the phone is unchanged")
    got = say("/access %d billing сверка" % eid)
    like(card_of(got)["plain"] if card_of(got) else "", r"🔓 Доступ к данным открыт", "/access billing opens a session")
    got = say("/partner_edit %d phone=+79165554433 users=42" % eid, 2)
    like(got[0]["plain"] if got else "", r"✅ Сохранено", "with a session: saved")
    like(card_of(got)["plain"] if card_of(got) else "", r"\+7 916 555-44-33", "the card shows the new phone")
    is_eq(bot.sql("SELECT phone, users FROM partners WHERE id = ?", (eid,)), [("+79165554433", 42)], "stored")
    got = say("/partner_edit %d users=lots" % eid)
    like(got[0]["plain"] if got else "", r"Пользователей: только цифры", "a bad value in /partner_edit names the field")
    is_eq(bot.sql_value("SELECT users FROM partners WHERE id = ?", (eid,)), 42, "and changes nothing")

    # the Edit button → a field button → the dialog
    got = say("/partner %d" % eid)
    card = card_of(got)
    cb = fake.press(ME, ME, card, "^Изменить$")
    menu = fake.wait_edits(ME, card["message_id"], 1)
    like((menu or {}).get("plain"), r"Что изменить у партнёра «%s»" % re.escape(parts[eid][2]), "Edit: the field menu")
    is_eq(data_of(menu, "^Филиалов$"), "pf:%d:branches" % eid, "a button per field (pf:<id>:<field>)")
    ok(all(len(b["callback_data"].encode()) <= 64 for b in buttons(menu)), "its callback_data fit in 64 bytes")
    n = len(fake.sent(ME))
    fake.press(ME, ME, menu, "^Филиалов$")
    q = fake.wait_sent(ME, n + 1)[n:]
    like(q[0]["plain"] if q else "", r"Сколько филиалов", "the field button asks for the value")
    got = say("двенадцать")
    like(got[0]["plain"] if got else "", r"Филиалов: только цифры", "a bad answer: named")
    got = say("12", 2)
    like(got[0]["plain"] if got else "", r"✅ Сохранено", "a good answer: saved")
    like(card_of(got)["plain"] if card_of(got) else "", r"Филиалов: 12 ", "the card shows 12 branches")
    is_eq(bot.sql_value("SELECT branches FROM partners WHERE id = ?", (eid,)), 12, "stored")

    # --- the status machine ---------------------------------------------------------------
    sid = 2
    is_eq(bot.sql_value("SELECT status FROM partners WHERE id = ?", (sid,)), 0, "#%d is active" % sid)
    got = say("/status %d suspended неоплата счёта 2026-0012" % sid, 2)
    like(got[0]["plain"] if got else "", r"✅ Статус: 🟢 активен → 🟡 приостановлен", "/status suspended applies at once")
    is_eq(bot.sql_value("SELECT status FROM partners WHERE id = ?", (sid,)), 1, "stored: suspended")
    hist = bot.sql("SELECT from_status, to_status, actor, reason FROM partner_status_history WHERE partner_id = ? "
                   "ORDER BY id DESC LIMIT 1", (sid,))
    is_eq(hist, [(0, 1, ME, "неоплата счёта 2026-0012")], "history row: from, to, actor, reason")

    got = say("/status %d blocked злостная неоплата" % sid)
    conf = got[0] if got else {}
    like(conf.get("plain"), r"Подтвердите: %s → 🔴 заблокирован\nПричина: злостная неоплата" % re.escape(parts[sid][2]),
         "/status blocked asks for confirmation")
    is_eq(data_of(conf, "заблокировать"), "psc:%d:blocked" % sid, "with a psc: button")
    is_eq(bot.sql_value("SELECT status FROM partners WHERE id = ?", (sid,)), 1, "not applied before the press")
    n = len(fake.sent(ME))
    fake.press(ME, ME, conf, "заблокировать")
    ed = fake.wait_edits(ME, conf["message_id"], 1)
    like((ed or {}).get("plain"), r"Подтверждено", "the press confirms")
    got = fake.wait_sent(ME, n + 2)[n:]
    like(got[0]["plain"] if got else "", r"✅ Статус: 🟡 приостановлен → 🔴 заблокирован", "and applies")
    is_eq(bot.sql_value("SELECT status FROM partners WHERE id = ?", (sid,)), 2, "stored: blocked")
    # an old confirmation pressed again does nothing
    fake.callback(ME, conf["message_id"], "psc:%d:blocked" % sid)
    ed = fake.wait_edits(ME, conf["message_id"], 2)
    like((ed or {}).get("plain"), r"устарело", "a second press of the confirmation: stale")
    is_eq(bot.sql_value("SELECT count(*) FROM partner_status_history WHERE partner_id = ? AND to_status = 2", (sid,)), 1,
          "blocked once")

    arch = [i for i, p in parts.items() if p[6] == 3][0]
    got = say("/status %d suspended попытка" % arch)
    like(got[0]["plain"] if got else "", r"Из статуса ⚪️ в архиве можно перейти только в: active$",
         "archived → suspended: refused, naming the allowed one")
    is_eq(bot.sql_value("SELECT status FROM partners WHERE id = ?", (arch,)), 3, "still archived")

    # the card's History button
    got = say("/partner %d" % sid)
    card = card_of(got)
    fake.press(ME, ME, card, "^История$")
    h = fake.wait_edits(ME, card["message_id"], 1)
    text = (h or {}).get("plain", "")
    like(text, r"История статусов · %s" % re.escape(parts[sid][2]), "History: the title")
    like(text, r"🟡 приостановлен → 🔴 заблокирован · [^\n]+\n    злостная неоплата", "lists the block with its reason")
    like(text, r"🟢 активен → 🟡 приостановлен · [^\n]+\n    неоплата счёта 2026-0012", "and the suspension")
    actor_line = re.search(r"→ 🔴 заблокирован · ([^\n]+)", text)
    ok(actor_line and actor_line.group(1).strip() not in ("", "система"), "the actor is named",
       actor_line.group(1) if actor_line else text)

    # --- HTML in a name never breaks a message --------------------------------------------
    seq = fake.last_seq()
    got = say('/partner_new name="<b>&" legal="ООО «<i>Тег</i> & Co»" inn=%s' % inn10("500100732"), 2)
    c = card_of(got)
    like(c["plain"] if c else plains(got), r"^🏢 <b>& · #\d+", "a partner named «<b>&» is created, the name shown literally")
    like(c["plain"] if c else "", r"ООО «<i>Тег</i> & Co»", "and its legal name literally")
    got = say("/partners <b>")
    like(got[0]["plain"] if got else "", r"<b>& · #\d+", "the list shows it literally too")
    like(got[0]["plain"] if got else "", r"· «<b>»", "and the search text")
    got = say("/partner <b>&")
    like(card_of(got)["plain"] if card_of(got) else plains(got), r"^🏢 <b>&", "found by its name")

    # everything above: no rejected call (the fake refuses bad HTML), buttons within 64 bytes
    bad = [(r["method"], r["status"], r["description"]) for r in fake.requests() if r["status"] not in (200, None)]
    is_eq(bad, [], "no Bot API call was rejected (HTML always valid)")
    longest = max(len(b["callback_data"].encode()) for m in fake.sent(ME) for b in buttons(m))
    cmp_ok(longest, "<=", 64, "every callback_data is at most 64 bytes")
    is_eq(bot.stop(), 0, "SIGTERM exits 0")

done()
