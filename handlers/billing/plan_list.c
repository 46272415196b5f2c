/*
 * plan_list.c — the plans billing staff sell: /plans (the list), /plan (a card with its version
 * history) and archiving; the command tables of the plans block. Creating and editing are in
 * plan_edit.c. A plan is a code with versions: any change of what a plan costs or is called
 * inserts the next version, so subscriptions and invoices made on an old version keep its
 * prices. The archived flag belongs to the code: an archived plan takes no new subscriptions,
 * the existing ones go on. Plans hold no partner data, so managers may read them; every change
 * is audited (partner 0).
 */
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"
#include "handlers/billing/plans.h"

#define PLAN_LIST_MAX	50	/* plans on the /plans page; there are a handful in practice */
#define PLAN_VERSIONS_SHOWN 10	/* versions on a card, newest first */

int
plans_parse_code(struct ctx *c, const char *in, char *out, size_t outsz, char *err,
    size_t errsz)
{
	char code[PLAN_CODE_MAX];
	const char *v = in;
	size_t n = 0;

	while (*v == ' ')
		v++;
	for (; *v != '\0' && *v != ' '; v++) {
		char ch = *v >= 'A' && *v <= 'Z' ? (char)(*v - 'A' + 'a') : *v;

		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ((ch == '-' || ch == '_') && n > 0);

		if (!ok || n + 1 >= sizeof(code))
			goto bad;
		code[n++] = ch;
	}
	while (*v == ' ')
		v++;
	if (n == 0 || *v != '\0')
		goto bad;
	code[n] = '\0';
	str_copy(out, outsz, code);
	return 0;
bad:
	snprintf(err, errsz, "%s", TR(c, "Код: только латинские буквы, цифры, «-» и «_» (не "
	    "первым), одним словом до 31 символа. Пример: start или pro-2026",
	    "Code: latin letters, digits, '-' and '_' (not first), one word of up to 31 "
	    "characters. Example: start or pro-2026"));
	return -1;
}

/* An extra fee in words: "+990,00 ₽ за филиал сверх 1"; nothing when there is neither a fee
 * nor anything included. */
static void
plans_extra(int64_t fee, int64_t included, const char *what, struct buf *b)
{
	char m[MONEY_TEXT_MAX];

	if (fee == 0 && included == 0)
		return;
	if (fee == 0)
		str_copy(m, sizeof(m), "0");
	else
		money_format(fee, m, sizeof(m));
	buf_printf(b, " · +%s %s %lld", m, what, (long long)included);
}

/* The price shape in words: "2 990,00 ₽/мес · +990,00 ₽ за филиал сверх 1 · +0 за
 * пользователя сверх 5 · пробный 14 дн". */
void
plans_shape(struct ctx *c, const struct plan *p, struct buf *b)
{
	char m[MONEY_TEXT_MAX];

	money_format(p->base, m, sizeof(m));
	buf_adds(b, m);
	buf_adds(b, p->yearly ? TR(c, "/год", "/yr") : TR(c, "/мес", "/mo"));
	plans_extra(p->per_branch, p->included_branches, TR(c, "за филиал сверх",
	    "per branch above"), b);
	plans_extra(p->per_user, p->included_users, TR(c, "за пользователя сверх",
	    "per user above"), b);
	if (p->trial_days > 0)
		buf_printf(b, TR(c, " · пробный %d дн", " · trial %d d"), p->trial_days);
	else
		buf_adds(b, TR(c, " · без пробного периода", " · no trial"));
}

static int
plans_may_edit(const struct ctx *c)
{
	return gate_allows(c->is_member, c->roles, ROLE_BILLING);
}

/* A code typed by a person, found: 1; 0 answered (a bad or unknown code); -1 error. */
int
plans_find(struct ctx *c, const char *typed, struct plan *p)
{
	char code[PLAN_CODE_MAX], e[256];
	struct buf b;
	int r, rc;

	r = plans_parse_code(c, typed, code, sizeof(code), e, sizeof(e)) == 0 ?
	    plan_current(c->db, code, p) : 0;
	if (r != 0)
		return r;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "Тариф «", "No plan “"));
	buf_add_quote(&b, typed);
	buf_adds(&b, TR(c, "» не найден. Список: /plans", "”. See /plans"));
	rc = reply_error(c, b.ptr);
	buf_release(&b);
	return rc == -1 ? -1 : 0;
}

/* ---- the list and the card --------------------------------------------------------------- */

static int
plans_list_cmd(struct ctx *c)
{
	struct plan rows[PLAN_LIST_MAX];
	struct buf b;
	struct kb k;
	int n, i, rc = -1;

	if ((n = plan_list(c->db, rows, PLAN_LIST_MAX)) == -1)
		return -1;
	buf_init(&b, 0);
	kb_init(&k);
	buf_printf(&b, TR(c, "📋 <b>Тарифы</b> · %d", "📋 <b>Plans</b> · %d"), n);
	if (n == 0)
		buf_adds(&b, TR(c, "\nТарифов пока нет.", "\nNo plans yet."));
	for (i = 0; i < n; i++) {
		int64_t subs = plan_subscribers(c->db, rows[i].code);

		if (subs == -1)
			goto out;
		buf_adds(&b, rows[i].archived ? "\n\n🗄 <b>" : "\n\n<b>");
		buf_add_html(&b, rows[i].code);
		buf_adds(&b, "</b> · ");
		buf_add_html(&b, rows[i].name);
		buf_printf(&b, " · v%d", rows[i].version);
		if (rows[i].archived)
			buf_adds(&b, TR(c, " · в архиве", " · archived"));
		buf_printf(&b, TR(c, " · подписчиков: %lld\n", " · subscribers: %lld\n"),
		    (long long)subs);
		plans_shape(c, &rows[i], &b);
		if (i % 3 == 0)
			kb_row(&k);
		kb_button(&k, rows[i].code, "plc:%s", rows[i].code);
	}
	if (n == PLAN_LIST_MAX)
		buf_printf(&b, TR(c, "\n\nПоказаны первые %d.", "\n\nThe first %d are shown."), n);
	if (plans_may_edit(c))
		buf_adds(&b, TR(c, "\n\nНовый тариф: /plan_new · карточка: /plan &lt;код&gt;",
		    "\n\nA new plan: /plan_new · a card: /plan &lt;code&gt;"));
	rc = reply(c, b.ptr, k.n ? &k : NULL);
out:
	buf_release(&b);
	return rc;
}

/* The card: the current version, its subscribers, and the version history. */
int
plans_show_card(struct ctx *c, const char *code, int edit)
{
	struct plan v[PLAN_VERSIONS_SHOWN];
	char at[32];
	int64_t subs;
	struct buf b;
	struct kb k;
	int n, i, rc;

	n = plan_versions(c->db, code, v, PLAN_VERSIONS_SHOWN);
	if (n == -1 || (subs = plan_subscribers(c->db, code)) == -1)
		return -1;
	if (n == 0)
		return reply_edit(c, TR(c, "Тариф не найден.", "No such plan."), NULL);
	buf_init(&b, 0);
	buf_adds(&b, "📋 <b>");
	buf_add_html(&b, v[0].name);
	buf_adds(&b, "</b> · ");
	buf_add_html(&b, v[0].code);
	buf_printf(&b, " · v%d\n", v[0].version);
	plans_shape(c, &v[0], &b);
	buf_printf(&b, TR(c, "\nПодписчиков: %lld", "\nSubscribers: %lld"), (long long)subs);
	if (v[0].archived)
		buf_adds(&b, TR(c, "\n🗄 В архиве: новые подписки не оформляются, действующие "
		    "продолжаются.", "\n🗄 Archived: no new subscriptions; the existing ones go "
		    "on."));
	buf_adds(&b, TR(c, "\n\n<b>Версии</b>", "\n\n<b>Versions</b>"));
	for (i = 0; i < n; i++) {
		view_time(v[i].created_at, at, sizeof(at));
		buf_printf(&b, "\nv%d · %s · ", v[i].version, at);
		view_member_name(c, v[i].created_by, &b);
		buf_adds(&b, "\n    ");
		buf_add_html(&b, v[i].name);
		buf_adds(&b, " · ");
		plans_shape(c, &v[i], &b);
	}
	if (n == PLAN_VERSIONS_SHOWN && v[n - 1].version > 1)
		buf_printf(&b, TR(c, "\n… и ещё %d", "\n… and %d more"), v[n - 1].version - 1);
	kb_init(&k);
	if (plans_may_edit(c)) {
		kb_button(&k, TR(c, "✏️ Изменить", "✏️ Edit"), "ple:%s", v[0].code);
		if (v[0].archived)
			kb_button(&k, TR(c, "↩️ Вернуть из архива", "↩️ Restore"), "pla:%s:0",
			    v[0].code);
		else
			kb_button(&k, TR(c, "🗄 В архив", "🗄 Archive"), "pla:%s:1", v[0].code);
	}
	rc = edit ? reply_edit(c, b.ptr, k.n ? &k : NULL) : reply(c, b.ptr, k.n ? &k : NULL);
	buf_release(&b);
	return rc;
}

static int
plans_card_cmd(struct ctx *c)
{
	struct plan p;
	int r = plans_find(c, c->args, &p);

	return r != 1 ? r : plans_show_card(c, p.code, 0);
}

/* "plc:<code>": a plan of the list, as a new message (the list stays). */
static int
plans_card_btn(struct ctx *c)
{
	return plans_show_card(c, c->arg, 0);
}

/* ---- archiving --------------------------------------------------------------------------- */

/* Archives (1) or restores (0) the code of p; edit: the card's button (the card is redrawn). */
int
plans_archive(struct ctx *c, const struct plan *p, int archived, int edit)
{
	char detail[64];
	struct buf b;
	int rc;

	if (p->archived == archived)
		return reply(c, archived ? TR(c, "Тариф уже в архиве.", "The plan is archived "
		    "already.") : TR(c, "Тариф и так не в архиве.", "The plan is not archived."),
		    NULL);
	if (plan_set_archived(c->db, p->code, archived) != 1)
		return -1;
	snprintf(detail, sizeof(detail), "%s %s", p->code, archived ? "archived" : "restored");
	if (view_audit(c, 0, "plan.archive", "", 0, detail) == -1)
		return -1;
	log_info("plan %s by user %lld", detail, (long long)c->user_id);
	if (edit)
		return plans_show_card(c, p->code, 1);
	buf_init(&b, 0);
	buf_adds(&b, archived ? TR(c, "✅ Тариф «", "✅ The plan “") : TR(c, "✅ Тариф «",
	    "✅ The plan “"));
	buf_add_html(&b, p->name);
	buf_adds(&b, archived ? TR(c, "» в архиве: новые подписки на него не оформляются, "
	    "действующие продолжаются.", "” is archived: no new subscriptions; the existing ones "
	    "go on.") : TR(c, "» снова доступен для новых подписок.", "” takes new subscriptions "
	    "again."));
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc == -1 ? -1 : plans_show_card(c, p->code, 0);
}

/* "pla:<code>:<1|0>" */
static int
plans_archive_btn(struct ctx *c)
{
	char code[PLAN_CODE_MAX];
	const char *colon = strchr(c->arg, ':');
	struct plan p;
	int r;

	if (colon == NULL || (colon[1] != '0' && colon[1] != '1') || colon[2] != '\0' ||
	    (size_t)(colon - c->arg) >= sizeof(code))
		return view_damaged(c);
	memcpy(code, c->arg, (size_t)(colon - c->arg));
	code[colon - c->arg] = '\0';
	if ((r = plan_current(c->db, code, &p)) != 1)
		return r == -1 ? -1 : view_damaged(c);
	return plans_archive(c, &p, colon[1] == '1', 1);
}

/* Plans are no partner data: managers read them, and the list works in the team's chats. */
const struct command plans_commands[] = {
	{ "plans", "", ROLE_BILLING | ROLE_MANAGER, 0, 0,
	  "тарифы: цены, подписчики, архив", "plans: prices, subscribers, archive",
	  plans_list_cmd },
	{ "plan", "<код>", ROLE_BILLING | ROLE_MANAGER, 0, 1,
	  "карточка тарифа с историей версий", "a plan's card with its versions", plans_card_cmd },
	{ "plan_new", "[code=… name=… base=… …]", ROLE_BILLING, CMD_WRITES | CMD_PRIVATE, 0,
	  "новый тариф: диалог или одна строка", "a new plan: a dialog or one line",
	  plan_edit_new_cmd },
	{ "plan_edit", "<код> [поле=значение …]", ROLE_BILLING,
	  CMD_WRITES | CMD_CONFIRM | CMD_PRIVATE, 1,
	  "изменить тариф (новая версия) или отправить в архив",
	  "change a plan (a new version) or archive it", plan_edit_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* plc: a card from the list · ple: how to edit · pla: archive/restore · plo/pln: confirm or
 * cancel an edit. */
const struct button plans_buttons[] = {
	{ "plc", ROLE_BILLING | ROLE_MANAGER, 0, plans_card_btn, NULL },
	{ "ple", ROLE_BILLING, 0, plan_edit_hint_btn, NULL },
	{ "pla", ROLE_BILLING, CMD_WRITES, plans_archive_btn, NULL },
	{ "plo", ROLE_BILLING, CMD_WRITES | CMD_PRIVATE, plan_edit_confirm_btn, NULL },
	{ "pln", ROLE_BILLING, CMD_PRIVATE, plan_edit_cancel_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct dialog_kind plans_dialogs[] = {
	{ "plan_new", ROLE_BILLING, plan_edit_new_text, plan_edit_new_skip },
	{ "plan_edit", ROLE_BILLING, plan_edit_wait_text, NULL },
	{ NULL, 0, NULL, NULL },
};
