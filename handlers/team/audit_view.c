/*
 * audit_view.c — reading the audit log: /audit [partner] [@member] [N days] (paginated; a number of
 * 7+ digits is a member's Telegram id unless it is a valid INN), the card's Audit button,
 * /audit_verify (walks the hash chain and names the first broken record), and the daily job
 * that posts the chain head to the audit chat, so the head also lives outside the database.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"

#define AUDIT_PAGE 10

/* "7d", "7д", "30дн" → days; 0 when the word is not a number of days. */
static int64_t
audit_days(const char *w)
{
	int64_t v = 0;
	const char *p = w;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) && v < 100000)
		v = v * 10 + (*p++ - '0');
	if (strcmp(p, "d") == 0 || strcmp(p, "д") == 0 || strcmp(p, "дн") == 0 ||
	    strcmp(p, "days") == 0 || strcmp(p, "дней") == 0)
		return v;
	return 0;
}

int
audit_show(struct ctx *c, int64_t partner_id, int64_t actor, int64_t since, int offset,
    int64_t qid, int edit)
{
	struct audit_record *rows;
	struct partner p;
	struct buf b;
	struct kb k;
	char t[32];
	int n, total, i, rc = -1;

	if ((rows = calloc(AUDIT_PAGE, sizeof(*rows))) == NULL)
		return -1;
	n = audit_query(c->db, partner_id, actor, since, offset, AUDIT_PAGE, rows, &total);
	if (n == -1)
		goto out;
	/* reading the audit log is itself recorded */
	buf_init(&b, 300);
	buf_printf(&b, "partner=%lld actor=%lld since=%lld offset=%d", (long long)partner_id,
	    (long long)actor, (long long)since, offset);
	i = view_audit(c, partner_id, "audit.read", "", 0, b.ptr);
	buf_release(&b);
	if (i == -1)
		goto out;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🧾 <b>Аудит</b>", "🧾 <b>Audit</b>"));
	if (partner_id && partner_get(c->db, partner_id, &p) == 1) {
		buf_adds(&b, " · ");
		buf_add_html(&b, p.name);
	}
	if (actor) {
		buf_adds(&b, " · ");
		view_member_name(c, actor, &b);
	}
	if (since) {
		view_time(since, t, sizeof(t));
		buf_printf(&b, TR(c, " · с %s", " · since %s"), t);
	}
	if (total == 0)
		buf_adds(&b, TR(c, "\nЗаписей нет.", "\nNo records."));
	else
		buf_printf(&b, TR(c, " · %d–%d из %d\n", " · %d–%d of %d\n"), offset + 1, offset + n,
		    total);
	for (i = 0; i < n; i++) {
		view_time(rows[i].at, t, sizeof(t));
		buf_printf(&b, "\n<b>#%lld</b> %s · ", (long long)rows[i].id, t);
		view_member_name(c, rows[i].actor, &b);
		if (rows[i].roles[0]) {
			buf_adds(&b, " [");
			buf_add_html(&b, rows[i].roles);
			buf_adds(&b, "]");
		}
		buf_adds(&b, "\n    <code>");
		buf_add_html(&b, rows[i].action);
		buf_adds(&b, "</code>");
		if (rows[i].partner_id && !partner_id)
			buf_printf(&b, TR(c, " партнёр #%lld", " partner #%lld"),
			    (long long)rows[i].partner_id);
		if (rows[i].reason[0]) {
			buf_adds(&b, TR(c, " · причина: ", " · reason: "));
			buf_add_html(&b, rows[i].reason);
		}
		if (rows[i].session_id)
			buf_printf(&b, TR(c, " · сессия %lld", " · session %lld"),
			    (long long)rows[i].session_id);
		if (rows[i].detail[0]) {
			buf_adds(&b, " · ");
			buf_add_html(&b, rows[i].detail);
		}
	}
	kb_init(&k);
	if (qid > 0 && offset > 0)
		kb_button(&k, TR(c, "◀ Новее", "◀ Newer"), "al:%lld:%d", (long long)qid,
		    offset >= AUDIT_PAGE ? offset - AUDIT_PAGE : 0);
	if (qid > 0 && offset + n < total)
		kb_button(&k, TR(c, "Старее ▶", "Older ▶"), "al:%lld:%d", (long long)qid,
		    offset + AUDIT_PAGE);
	if (partner_id)
		view_back_to_card(c, &k, partner_id);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
	buf_release(&b);
out:
	free(rows);
	return rc;
}

/* Saves the filters behind the page buttons: "partner actor since". */
static int64_t
audit_save(struct ctx *c, int64_t partner_id, int64_t actor, int64_t since)
{
	char text[96];

	snprintf(text, sizeof(text), "%lld %lld %lld", (long long)partner_id, (long long)actor,
	    (long long)since);
	return query_save(c->db, c->user_id, "audit", text, c->now);
}

/* /audit [partner] [@member|member id] [N days] */
static int
audit_cmd(struct ctx *c)
{
	int64_t partner_id = 0, actor = 0, since = 0, days, qid, v;
	const char *rest = c->args;
	struct partner p;
	struct member m;
	char w[128];
	int r;

	while (*rest) {
		rest = view_word(rest, w, sizeof(w));
		if ((days = audit_days(w)) > 0) {
			since = c->now - days * 86400;
		} else if (w[0] == '@' || (str_to_i64(w, &v) == 0 && v >= 1000000 &&
		    !inn_checksum_ok(w))) {
			/* a member: @username, or a Telegram id (they are large numbers) */
			r = team_find(c->db, w, &m);
			if (r == -1)
				return -1;
			actor = r == 1 ? m.user_id : (w[0] != '@' ? v : 0);
			if (actor == 0)
				goto bad;
		} else {
			r = view_pick_partner(c, w, &p, "pa");
			if (r != 1)
				return r;
			partner_id = p.id;
		}
	}
	if ((qid = audit_save(c, partner_id, actor, since)) == -1)
		return -1;
	return audit_show(c, partner_id, actor, since, 0, qid, 0);
bad:
	return reply(c, TR(c, "Формат: <code>/audit [партнёр] [@сотрудник] [7д]</code>",
	    "Usage: <code>/audit [partner] [@member] [7d]</code>"), NULL);
}

/* "pa:<partner id>" from the card. */
static int
audit_partner_btn(struct ctx *c)
{
	struct partner p;
	int64_t qid;
	int r;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	if ((qid = audit_save(c, p.id, 0, 0)) == -1)
		return -1;
	return audit_show(c, p.id, 0, 0, 0, qid, 1);
}

/* "al:<query id>:<offset>" */
static int
audit_page_btn(struct ctx *c)
{
	long long pid, actor, since;
	char text[128];
	int64_t qid;
	int r, off;

	r = view_page_button(c, "audit", "/audit", text, sizeof(text), &qid, &off);
	if (r != 1)
		return r;
	if (sscanf(text, "%lld %lld %lld", &pid, &actor, &since) != 3)
		return view_damaged(c);
	return audit_show(c, pid, actor, since, off, qid, 1);
}

/* The verdict of a verification, as the person and the audit chat read it. */
static void
audit_verdict(struct buf *b, int en, int r, const struct audit_check *k)
{
	char when[32];

	if (r != 0) {
		buf_printf(b, en ? "❌ The audit log is broken at record #%lld: " :
		    "❌ Журнал аудита нарушен: запись #%lld — ", (long long)k->bad_id);
		buf_add_html(b, k->why);
		log_error("audit chain broken at record %lld: %s", (long long)k->bad_id, k->why);
		return;
	}
	buf_printf(b, en ? "✅ The audit log is intact: %lld records, head #%lld\n<code>%s</code>" :
	    "✅ Журнал аудита цел: %lld записей, голова #%lld\n<code>%s</code>",
	    (long long)k->count, (long long)k->head_id, k->count ? k->head_hash : "—");
	if (k->anchors == 0) {
		buf_adds(b, en ? "\nNo anchored heads to compare with yet." :
		    "\nЗакреплённых голов для сверки пока нет.");
		return;
	}
	view_time(k->anchor_at, when, sizeof(when));
	buf_printf(b, en ? "\nMatches %lld anchored heads, the newest #%lld of %s." :
	    "\nСовпадает с закреплёнными головами: %lld, последняя — #%lld от %s.",
	    (long long)k->anchors, (long long)k->anchor_id, when);
}

static int
audit_verify_cmd(struct ctx *c)
{
	struct audit_check k;
	struct buf b;
	int r, rc;

	if ((r = audit_verify(c->db, &k)) == -1)
		return -1;
	buf_init(&b, 0);
	audit_verdict(&b, c->lang == LANG_EN, r, &k);
	rc = view_audit(c, 0, "audit.verify", "", 0, r == 0 ? "intact" : k.why) == -1 ? -1 :
	    reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

/*
 * At start: a verified head is anchored (to the file only; the chat gets the daily post), so
 * what was written before a stop is pinned before anything else runs; a broken chain is logged.
 */
int
audit_anchor_at_start(struct db *db)
{
	struct audit_check k;
	int r;

	if ((r = audit_verify(db, &k)) == -1)
		return -1;
	if (r == 1) {
		log_error("audit chain broken at record %lld: %s", (long long)k.bad_id, k.why);
		return 0;
	}
	return k.count > 0 ? audit_anchor_append(k.head_id, k.head_hash, clock_now()) : 0;
}

/*
 * Daily (the first run at the first start): a verified chain head is appended to the anchor file, which the
 * database cannot rewrite, and posted to the audit chat (and the log), so a rewrite of the
 * table, even with the key, is caught by the next verification. A broken chain is reported at
 * once and not anchored.
 */
int
audit_anchor_job(struct app *a, struct db *db)
{
	struct audit_check k;
	char key[64];
	int r, en = a->cfg.language == LANG_EN;
	struct buf text;

	if ((r = audit_verify(db, &k)) == -1)
		return -1;
	snprintf(key, sizeof(key), "anchor:%lld", (long long)(clock_now() / 86400));
	buf_init(&text, 0);
	if (r == 0) {
		log_info("audit chain intact: %lld records, head %lld %s", (long long)k.count,
		    (long long)k.head_id, k.count ? k.head_hash : "-");
		buf_printf(&text, en ? "🧾 Audit chain head: record #%lld of %lld\n<code>%s</code>" :
		    "🧾 Голова цепочки аудита: запись #%lld из %lld\n<code>%s</code>",
		    (long long)k.head_id, (long long)k.count, k.count ? k.head_hash : "—");
		if (k.count > 0 && audit_anchor_append(k.head_id, k.head_hash, clock_now()) == -1)
			buf_adds(&text, en ? "\n⚠️ Not written to the anchor file: see the log." :
			    "\n⚠️ В файл якорей не записана: см. журнал бота.");
	} else
		audit_verdict(&text, en, r, &k);
	r = 0;
	if (a->cfg.chat_audit != 0) {
		if ((r = db_begin(db)) == 0) {
			if (notify_chat(db, a->cfg.chat_audit, a->cfg.chat_audit < 0, text.ptr, NULL,
			    key) == -1) {
				db_rollback(db);
				r = -1;
			} else
				r = db_commit(db);
		}
	}
	buf_release(&text);
	return r;
}

const struct command audit_commands[] = {
	{ "audit", "[партнёр] [@сотрудник] [7д]", ROLE_SUPERADMIN, CMD_PARTNER, 0,
	  "журнал аудита: кто, когда, зачем", "the audit log: who, when, why", audit_cmd },
	{ "audit_verify", "", ROLE_SUPERADMIN, 0, 0,
	  "проверить цепочку аудита", "verify the audit chain", audit_verify_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct button audit_buttons[] = {
	{ "pa", ROLE_SUPERADMIN, CMD_PARTNER, audit_partner_btn, NULL },
	{ "al", ROLE_SUPERADMIN, CMD_PARTNER, audit_page_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
