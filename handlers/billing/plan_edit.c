/*
 * plan_edit.c — creating and changing plans: /plan_new (a guided dialog, or a one-line form for
 * those who know the fields) and /plan_edit. Every value is validated at this boundary; a wrong
 * one gets a message naming the field, the problem and an example. A change of anything a plan
 * costs or is called becomes the code's next version only after the person confirms the
 * old → new list; archived=yes|no on its own archives or restores the code at once.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "handlers/common/dialogs.h"
#include "handlers/billing/plans.h"

#define PLAN_FORM_MAX	16
#define PLAN_COUNT_MAX	1000000	/* included branches or users */
#define PLAN_TRIAL_MAX	365	/* days */
#define PLAN_FORMAT_RU	"<code>/plan_new code=start name=\"Старт\" period=month base=2990 " \
	"per_branch=990 included_branches=1 per_user=0 included_users=5 trial_days=14</code>"
#define PLAN_FORMAT_EN	"<code>/plan_new code=start name=\"Start\" period=month base=2990 " \
	"per_branch=990 included_branches=1 per_user=0 included_users=5 trial_days=14</code>"

/* How a field's value is read, shown and stored. */
enum plan_kind {
	PK_CODE,	/* p->code */
	PK_NAME,	/* p->name */
	PK_PERIOD,	/* p->yearly */
	PK_MONEY,	/* an int64_t of kopecks at offset */
	PK_COUNT,	/* an int64_t count at offset */
	PK_TRIAL,	/* p->trial_days */
};

/* One field of a plan, in the order the creation dialog asks. */
struct plan_field {
	const char	*key;		/* the one-line form's name and the dialog's value key */
	const char	*label_ru, *label_en;
	enum plan_kind	 kind;
	size_t		 offset;	/* PK_MONEY and PK_COUNT: the int64_t in struct plan */
	int		 required;	/* at creation */
	const char	*ask_ru, *ask_en;	/* the dialog's question, with an example */
};

static const struct plan_field plan_fields[] = {
	{ "code", "Код", "Code", PK_CODE, 0, 1,
	  "Код тарифа: строчные латинские буквы, цифры, «-» и «_», до 31 символа. Например: "
	  "<code>start</code>", "The plan's code: lowercase latin letters, digits, '-' and '_', up "
	  "to 31 characters. For example: <code>start</code>" },
	{ "name", "Название", "Name", PK_NAME, 0, 1,
	  "Название тарифа? Например: <code>Старт</code>",
	  "The plan's name? For example: <code>Start</code>" },
	{ "period", "Период", "Period", PK_PERIOD, 0, 0,
	  "Период оплаты: <code>month</code> (месяц) или <code>year</code> (год)? Пропустить — "
	  "месяц", "The billing period: <code>month</code> or <code>year</code>? Skip: a month" },
	{ "base", "Базовая цена", "Base fee", PK_MONEY, offsetof(struct plan, base), 1,
	  "Базовая цена за период, в рублях? Например: <code>2990</code> или <code>2 990,50</code>",
	  "The base fee per period, in rubles? For example: <code>2990</code>" },
	{ "per_branch", "За филиал", "Per branch", PK_MONEY, offsetof(struct plan, per_branch), 0,
	  "Доплата за каждый филиал сверх включённых, в рублях? Например: <code>990</code> "
	  "(пропустить — 0)", "The fee per branch above the included ones, in rubles? For "
	  "example: <code>990</code> (skip: 0)" },
	{ "included_branches", "Филиалов включено", "Branches included", PK_COUNT,
	  offsetof(struct plan, included_branches), 0,
	  "Сколько филиалов входит в базовую цену? Например: <code>1</code> (пропустить — 0)",
	  "How many branches does the base fee cover? For example: <code>1</code> (skip: 0)" },
	{ "per_user", "За пользователя", "Per user", PK_MONEY, offsetof(struct plan, per_user), 0,
	  "Доплата за каждого пользователя сверх включённых, в рублях? Например: <code>190</code> "
	  "(пропустить — 0)", "The fee per user above the included ones, in rubles? For example: "
	  "<code>190</code> (skip: 0)" },
	{ "included_users", "Пользователей включено", "Users included", PK_COUNT,
	  offsetof(struct plan, included_users), 0,
	  "Сколько пользователей входит в базовую цену? Например: <code>5</code> (пропустить — 0)",
	  "How many users does the base fee cover? For example: <code>5</code> (skip: 0)" },
	{ "trial_days", "Пробный период", "Trial", PK_TRIAL, 0, 0,
	  "Пробный период в днях? Например: <code>14</code>; <code>0</code> — без пробного "
	  "(пропустить — 14)", "The trial in days? For example: <code>14</code>; <code>0</code> "
	  "for none (skip: 14)" },
};
#define PLAN_NFIELDS (sizeof(plan_fields) / sizeof(plan_fields[0]))

static const struct plan_field *
plan_edit_field(const char *key)
{
	size_t i;

	for (i = 0; i < PLAN_NFIELDS; i++)
		if (strcmp(plan_fields[i].key, key) == 0)
			return &plan_fields[i];
	return NULL;
}

static int64_t *
plan_edit_i64(struct plan *p, const struct plan_field *f)
{
	return (int64_t *)(void *)((char *)p + f->offset);
}

static int64_t
plan_edit_i64_of(const struct plan *p, const struct plan_field *f)
{
	return *(const int64_t *)(const void *)((const char *)p + f->offset);
}

/* A new plan's defaults: a month, no extras, the product's 14 trial days. */
static void
plan_edit_defaults(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->trial_days = 14;
}

/* The error of a shared validator ("Сумма: …", "Количество: …") under the field's label. */
static int
plan_edit_fail(struct ctx *c, const struct plan_field *f, const char *e, char *err, size_t errsz)
{
	return dialogs_field_error(c, f->label_ru, f->label_en, e, err, errsz);
}

/* month | year, in either language. */
static int
plan_edit_parse_period(const char *v, int *yearly)
{
	static const struct {
		const char	*word;
		int		 yearly;
	} words[] = {
		{ "month", 0 }, { "monthly", 0 }, { "месяц", 0 }, { "мес", 0 }, { "ежемесячно", 0 },
		{ "year", 1 }, { "yearly", 1 }, { "annual", 1 }, { "год", 1 }, { "ежегодно", 1 },
	};
	char key[64];
	size_t i;

	text_fold(v, key, sizeof(key));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(key, words[i].word) == 0) {
			*yearly = words[i].yearly;
			return 0;
		}
	return -1;
}

/* Validates a person's value for f and sets it on p; err names the field and gives an example. */
static int
plan_edit_apply(struct ctx *c, const struct plan_field *f, struct plan *p, const char *v, char *err,
    size_t errsz)
{
	char e[512];
	int64_t n;

	switch (f->kind) {
	case PK_CODE:
		return plans_parse_code(c, v, p->code, sizeof(p->code), err, errsz);
	case PK_NAME: {
		char name[1024];

		/* valid_name counts characters; the column holds bytes (Cyrillic takes two) */
		if (valid_name(v, name, sizeof(name), c->lang, e, sizeof(e)) == -1)
			return plan_edit_fail(c, f, e, err, errsz);
		if (strlen(name) >= sizeof(p->name)) {
			snprintf(err, errsz, "%s", TR(c, "Название: слишком длинное, нужно короче "
			    "120 символов. Пример: Старт", "Name: too long, keep it under 120 "
			    "characters. Example: Start"));
			return -1;
		}
		str_copy(p->name, sizeof(p->name), name);
		return 0;
	}
	case PK_PERIOD:
		if (plan_edit_parse_period(v, &p->yearly) == 0)
			return 0;
		snprintf(err, errsz, "%s", TR(c, "Период: month (месяц) или year (год). "
		    "Пример: month", "Period: month or year. Example: month"));
		return -1;
	case PK_MONEY:
		if (money_parse(v, &n, c->lang, e, sizeof(e)) == -1)
			return plan_edit_fail(c, f, e, err, errsz);
		if (n < 0) {
			snprintf(err, errsz, TR(c, "%s: не может быть отрицательной. "
			    "Пример: 2990 или 0", "%s: cannot be negative. Example: 2990 or 0"),
			    TR(c, f->label_ru, f->label_en));
			return -1;
		}
		*plan_edit_i64(p, f) = n;
		return 0;
	case PK_COUNT:
		if (valid_count(v, PLAN_COUNT_MAX, &n, c->lang, e, sizeof(e)) == -1)
			return plan_edit_fail(c, f, e, err, errsz);
		*plan_edit_i64(p, f) = n;
		return 0;
	case PK_TRIAL:
		if (valid_count(v, PLAN_TRIAL_MAX, &n, c->lang, e, sizeof(e)) == -1)
			return plan_edit_fail(c, f, e, err, errsz);
		p->trial_days = (int)n;
		return 0;
	}
	return -1;
}

/* A field's value as people read it (HTML-escaped), what old → new shows and compares; or, for
 * the audit log (plain text, read by tools too), as stored: kopecks, month|year, bare days. */
static void
plan_edit_value(struct ctx *c, const struct plan_field *f, const struct plan *p, int audit,
    struct buf *b)
{
	char m[MONEY_TEXT_MAX];

	switch (f->kind) {
	case PK_CODE:
	case PK_NAME:
		if (audit)
			buf_adds(b, f->kind == PK_CODE ? p->code : p->name);
		else
			buf_add_html(b, f->kind == PK_CODE ? p->code : p->name);
		break;
	case PK_PERIOD:
		buf_adds(b, audit ? (p->yearly ? "year" : "month") :
		    p->yearly ? TR(c, "год", "year") : TR(c, "месяц", "month"));
		break;
	case PK_MONEY:
		if (audit) {
			buf_printf(b, "%lld", (long long)plan_edit_i64_of(p, f));
			break;
		}
		money_format(plan_edit_i64_of(p, f), m, sizeof(m));
		buf_adds(b, m);
		break;
	case PK_COUNT:
		buf_printf(b, "%lld", (long long)plan_edit_i64_of(p, f));
		break;
	case PK_TRIAL:
		buf_printf(b, audit ? "%d" : TR(c, "%d дн", "%d d"), p->trial_days);
		break;
	}
}

/* Rubles as they are typed back into a form: "2990", "2990,50". */
static void
plan_edit_money_typed(int64_t k, struct buf *b)
{
	if (k % 100)
		buf_printf(b, "%lld,%02lld", (long long)(k / 100), (long long)(k % 100));
	else
		buf_printf(b, "%lld", (long long)(k / 100));
}

/* The plan as a one-line form (HTML-escaped), a ready start for /plan_edit. */
static void
plan_edit_typed(const struct plan *p, struct buf *b)
{
	const char *s;
	size_t i;

	buf_adds(b, "name=\"");
	for (s = p->name; *s; s++) {
		char one[2] = { *s, '\0' };

		if (*s == '"')
			buf_adds(b, "\\&quot;");	/* form_parse reads \" inside quotes */
		else
			buf_add_html(b, one);
	}
	buf_printf(b, "\" period=%s", p->yearly ? "year" : "month");
	for (i = 0; i < PLAN_NFIELDS; i++) {
		const struct plan_field *f = &plan_fields[i];

		if (f->kind != PK_MONEY && f->kind != PK_COUNT)
			continue;
		buf_printf(b, " %s=", f->key);
		if (f->kind == PK_MONEY)
			plan_edit_money_typed(plan_edit_i64_of(p, f), b);
		else
			buf_printf(b, "%lld", (long long)plan_edit_i64_of(p, f));
	}
	buf_printf(b, " trial_days=%d", p->trial_days);
}

/* ---- creating ---------------------------------------------------------------------------- */

/* The audit detail of a new code: its first version's every field as stored. */
static void
plan_edit_audit_shape(struct ctx *c, const struct plan *p, struct buf *d)
{
	size_t i;

	buf_printf(d, "%s v%d:", p->code, p->version);
	for (i = 1; i < PLAN_NFIELDS; i++) {
		buf_printf(d, " %s=", plan_fields[i].key);
		plan_edit_value(c, &plan_fields[i], p, 1, d);
	}
	buf_adds(d, " (money in kopecks)");
}

/* Creates p as version 1 of its code, audits, shows the card. */
static int
plan_edit_create(struct ctx *c, struct plan *p)
{
	struct buf d;
	int r;

	p->created_at = c->now;
	p->created_by = c->user_id;
	if ((r = plan_insert(c->db, p)) == -1)
		return -1;
	if (r == 0) {
		buf_init(&d, 0);
		buf_adds(&d, TR(c, "⚠️ Тариф с кодом «", "⚠️ A plan with the code “"));
		buf_add_html(&d, p->code);
		buf_adds(&d, TR(c, "» уже есть: /plan ", "” exists: /plan "));
		buf_add_html(&d, p->code);
		buf_adds(&d, TR(c, ". Новая цена для него — <code>/plan_edit ", ". A new price for "
		    "it: <code>/plan_edit "));
		buf_add_html(&d, p->code);
		buf_adds(&d, TR(c, " base=…</code>; или выберите другой код.",
		    " base=…</code>; or choose another code."));
		r = reply(c, d.ptr, NULL);
		buf_release(&d);
		return r;
	}
	buf_init(&d, 1000);
	plan_edit_audit_shape(c, p, &d);
	r = view_audit(c, 0, "plan.create", "", 0, d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	log_info("plan %s created by user %lld", p->code, (long long)c->user_id);
	if (reply(c, TR(c, "✅ Тариф создан.", "✅ Plan created."), NULL) == -1)
		return -1;
	return plans_show_card(c, p->code, 0);
}

/* The one-line form's fields: the count, or -1 with the problem added to err. form_parse's own
 * example is a partner's; the plan's format follows the errors, so it is left out. */
static int
plan_edit_parse(struct ctx *c, const char *line, struct form_field *ff, struct buf *err)
{
	char e[512], *example;
	int n = form_parse(line, ff, PLAN_FORM_MAX, c->lang, e, sizeof(e));

	if (n != -1)
		return n;
	if ((example = strstr(e, TR(c, " Пример: ", " Example: "))) != NULL)
		*example = '\0';
	buf_add_html(err, e);
	buf_addc(err, '\n');
	return -1;
}

/* Applies form fields to p: every error goes to err (HTML); returns how many failed. The code
 * is set only when creating; an edit changes everything else. A required field that is missing
 * is named once: given but wrong, its own error says enough. */
static int
plan_edit_apply_form(struct ctx *c, struct plan *p, const struct form_field *ff, int n,
    int creating, struct buf *err)
{
	unsigned given = 0;
	char e[512];
	size_t j;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		const struct plan_field *f = plan_edit_field(ff[i].key);

		if (f == NULL) {
			buf_adds(err, TR(c, "Неизвестное поле «", "Unknown field “"));
			buf_add_html(err, ff[i].key);
			buf_adds(err, TR(c, "». Поля: ", "”. Fields: "));
			/* the code is the first field: an edit names it in the command, not here */
			for (j = creating ? 0 : 1; j < PLAN_NFIELDS; j++) {
				buf_adds(err, plan_fields[j].key);
				buf_adds(err, j + 1 < PLAN_NFIELDS ? ", " : "");
			}
			buf_adds(err, creating ? "\n" : ", archived\n");
			bad++;
			continue;
		}
		given |= 1u << (f - plan_fields);
		if (f->kind == PK_CODE && !creating) {
			buf_adds(err, TR(c, "Код: не меняется. Нужен другой код — создайте "
			    "новый тариф (/plan_new) и отправьте этот в архив.\n", "Code: cannot "
			    "change. For another code create a new plan (/plan_new) and archive "
			    "this one.\n"));
			bad++;
			continue;
		}
		if (plan_edit_apply(c, f, p, ff[i].value, e, sizeof(e)) == -1) {
			buf_add_html(err, e);
			buf_addc(err, '\n');
			bad++;
		}
	}
	if (creating)
		for (j = 0; j < PLAN_NFIELDS; j++)
			if (plan_fields[j].required && !(given & (1u << j))) {
				buf_printf(err, TR(c, "%s: обязательное поле. Пример: %s=…\n",
				    "%s: required. Example: %s=…\n"), TR(c, plan_fields[j].label_ru,
				    plan_fields[j].label_en), plan_fields[j].key);
				bad++;
			}
	return bad;
}

/* Asks the creation dialog's question number step. */
static int
plan_edit_ask(struct ctx *c, size_t step)
{
	return dialogs_ask(c, step, PLAN_NFIELDS, plan_fields[step].ask_ru,
	    plan_fields[step].ask_en, plan_fields[step].required);
}

/* /plan_new: the dialog without arguments, the one-line form with them. */
int
plan_edit_new_cmd(struct ctx *c)
{
	struct form_field ff[PLAN_FORM_MAX];
	struct plan p;
	struct buf err;
	int n, rc;

	if (c->args[0] == '\0') {
		if (view_dialog_start(c, "plan_new", 0, 0, NULL, NULL) == -1 ||
		    reply(c, TR(c, "🆕 <b>Новый тариф</b>. Отвечайте на вопросы по одному. Или "
		    "одной строкой:\n" PLAN_FORMAT_RU, "🆕 <b>New plan</b>. Answer the questions "
		    "one by one. Or in one line:\n" PLAN_FORMAT_EN), NULL) == -1)
			return -1;
		return plan_edit_ask(c, 0);
	}
	buf_init(&err, 0);
	plan_edit_defaults(&p);
	n = plan_edit_parse(c, c->args, ff, &err);
	if (n == -1 || plan_edit_apply_form(c, &p, ff, n, 1, &err) > 0)
		rc = dialogs_not_saved(c, &err, TR(c, PLAN_FORMAT_RU, PLAN_FORMAT_EN));
	else
		rc = plan_edit_create(c, &p);
	buf_release(&err);
	return rc;
}

/* The creation dialog: each answer is validated and kept; the last one creates the plan. */
static int
plan_edit_new_step(struct ctx *c, const struct dialog *d, const char *text, int skip)
{
	struct plan p;
	char e[512], v[1024];
	size_t i;
	int r;

	if (d->step < 0 || (size_t)d->step >= PLAN_NFIELDS)
		return dialog_end(c->db, c->user_id, c->chat_id);
	i = (size_t)d->step;
	if (skip && plan_fields[i].required)
		return dialogs_required(c);
	if (!skip) {
		plan_edit_defaults(&p);
		if (plan_edit_apply(c, &plan_fields[i], &p, text, e, sizeof(e)) == -1)
			return dialogs_retry(c, e);
		/* a taken code is said now, not after eight more answers */
		if (plan_fields[i].kind == PK_CODE) {
			struct plan taken;

			if ((r = plan_current(c->db, p.code, &taken)) == -1)
				return -1;
			if (r == 1) {
				snprintf(e, sizeof(e), TR(c, "Код: тариф «%s» уже есть. Другой "
				    "код?", "Code: the plan “%s” exists. Another code?"), p.code);
				return dialogs_retry(c, e);
			}
		}
		if (dialog_put(c->db, c->user_id, c->chat_id, plan_fields[i].key, text) == -1)
			return -1;
	}
	if (i + 1 < PLAN_NFIELDS) {
		if (dialog_set_step(c->db, c->user_id, c->chat_id, (int)i + 1) == -1)
			return -1;
		return plan_edit_ask(c, i + 1);
	}
	/* the last answer: the plan from the kept answers (validated again) */
	plan_edit_defaults(&p);
	for (i = 0; i < PLAN_NFIELDS; i++) {
		r = dialog_value(c->db, c->user_id, c->chat_id, plan_fields[i].key, v, sizeof(v));
		if (r == -1 ||
		    (r == 1 && plan_edit_apply(c, &plan_fields[i], &p, v, e, sizeof(e)) == -1))
			return -1;
	}
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	return plan_edit_create(c, &p);
}

int
plan_edit_new_text(struct ctx *c, const struct dialog *d, const char *text)
{
	return plan_edit_new_step(c, d, text, 0);
}

int
plan_edit_new_skip(struct ctx *c, const struct dialog *d)
{
	return plan_edit_new_step(c, d, NULL, 1);
}

/* ---- editing ----------------------------------------------------------------------------- */

/* How to change a plan: its values as a ready line. */
static int
plan_edit_hint(struct ctx *c, const struct plan *p)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✏️ Тариф «", "✏️ The plan “"));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "»: напишите одной строкой то, что меняется, например:\n"
	    "<code>/plan_edit ", "”: type what changes in one line, for example:\n"
	    "<code>/plan_edit "));
	buf_add_html(&b, p->code);
	buf_addc(&b, ' ');
	plan_edit_typed(p, &b);
	buf_adds(&b, TR(c, "</code>\nСмена цены, периода, включённого, пробного периода или "
	    "названия — новая версия тарифа (после подтверждения); подписки и счета на прежней "
	    "версии её не замечают.\nВ архив: <code>/plan_edit ", "</code>\nA change of price, "
	    "period, included amounts, trial or name makes a new version (after a confirmation); "
	    "subscriptions and invoices on the old version keep it.\nArchive: <code>/plan_edit "));
	buf_add_html(&b, p->code);
	buf_adds(&b, " archived=yes</code>");
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

/* "ple:<code>" */
int
plan_edit_hint_btn(struct ctx *c)
{
	struct plan p;
	int r = plan_current(c->db, c->arg, &p);

	return r != 1 ? (r == -1 ? -1 : view_damaged(c)) : plan_edit_hint(c, &p);
}

/* The changed fields of cur → next: lines "Label: old → new" (HTML), or for the audit a plain
 * "key old → new; …" as stored. The count of changes. */
static int
plan_edit_diff(struct ctx *c, const struct plan *cur, const struct plan *next, int audit,
    struct buf *out)
{
	struct buf a, b;
	size_t i;
	int n = 0;

	buf_init(&a, 0);
	buf_init(&b, 0);
	for (i = 1; i < PLAN_NFIELDS; i++) {
		const struct plan_field *f = &plan_fields[i];

		buf_reset(&a);
		buf_reset(&b);
		plan_edit_value(c, f, cur, audit, &a);
		plan_edit_value(c, f, next, audit, &b);
		if (strcmp(a.ptr, b.ptr) == 0)
			continue;
		if (audit)
			buf_printf(out, "%s%s %s → %s", n ? "; " : "", f->key, a.ptr, b.ptr);
		else
			buf_printf(out, "\n%s: %s → %s", TR(c, f->label_ru, f->label_en), a.ptr,
			    b.ptr);
		n++;
	}
	buf_release(&a);
	buf_release(&b);
	return n;
}

/* The edit form applied to a copy of cur: 1 next differs (diff in html), 0 answered (errors,
 * nothing changed), -1 error. */
static int
plan_edit_prepare(struct ctx *c, const struct plan *cur, const char *form, struct plan *next,
    struct buf *html)
{
	struct form_field ff[PLAN_FORM_MAX];
	struct buf err, fmt;
	int n, rc;

	*next = *cur;
	buf_init(&err, 0);
	buf_init(&fmt, 0);
	buf_adds(&fmt, "<code>/plan_edit ");
	buf_add_html(&fmt, cur->code);
	buf_adds(&fmt, " base=3490 trial_days=7</code>");
	n = plan_edit_parse(c, form, ff, &err);
	if (n == -1 || plan_edit_apply_form(c, next, ff, n, 0, &err) > 0)
		rc = dialogs_not_saved(c, &err, fmt.ptr) == -1 ? -1 : 0;
	else if (plan_edit_diff(c, cur, next, 0, html) == 0)
		rc = reply(c, TR(c, "Ничего не изменилось: значения те же, что в текущей версии.",
		    "Nothing changed: the values are those of the current version."), NULL) == -1 ?
		    -1 : 0;
	else
		rc = 1;
	buf_release(&err);
	buf_release(&fmt);
	return rc;
}

/* archived=yes|no on its own: 1 it was that (done or answered), 0 not an archive request. */
static int
plan_edit_archived(struct ctx *c, const struct plan *cur, const char *form, int *rc)
{
	struct form_field ff[PLAN_FORM_MAX];
	char e[512], v[16];
	int n, i, to;

	n = form_parse(form, ff, PLAN_FORM_MAX, c->lang, e, sizeof(e));
	for (i = 0; i < n && strcmp(ff[i].key, "archived") != 0; i++)
		;
	if (n <= 0 || i == n)
		return 0;
	text_fold(ff[i].value, v, sizeof(v));
	to = strcmp(v, "yes") == 0 || strcmp(v, "да") == 0 || strcmp(v, "1") == 0 ? 1 :
	    strcmp(v, "no") == 0 || strcmp(v, "нет") == 0 || strcmp(v, "0") == 0 ? 0 : -1;
	if (n > 1 || to == -1) {
		struct buf b;

		buf_init(&b, 0);
		buf_adds(&b, n > 1 ? TR(c, "⚠️ archived меняется отдельно от цены: ",
		    "⚠️ archived changes apart from the price: ") : TR(c, "⚠️ archived: yes или no "
		    "(да или нет). Пример: ", "⚠️ archived: yes or no. Example: "));
		buf_adds(&b, "<code>/plan_edit ");
		buf_add_html(&b, cur->code);
		buf_adds(&b, " archived=yes</code>");
		*rc = reply(c, b.ptr, NULL);
		buf_release(&b);
		return 1;
	}
	*rc = plans_archive(c, cur, to, 0);
	return 1;
}

/* /plan_edit <code> field=value …: shows old → new and waits for the confirmation. */
int
plan_edit_cmd(struct ctx *c)
{
	char typed[128];
	const char *form;
	struct plan cur, next;
	struct buf b;
	struct kb k;
	int r, rc;

	form = view_word(c->args, typed, sizeof(typed));
	if ((r = plans_find(c, typed, &cur)) != 1)
		return r;
	if (*form == '\0')
		return plan_edit_hint(c, &cur);
	if (plan_edit_archived(c, &cur, form, &rc))
		return rc;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "❗️ Подтвердите изменение тарифа «", "❗️ Confirm the change of “"));
	buf_add_html(&b, cur.name);
	buf_adds(&b, "» (");
	buf_add_html(&b, cur.code);
	buf_adds(&b, "):");
	if ((r = plan_edit_prepare(c, &cur, form, &next, &b)) != 1) {
		buf_release(&b);
		return r;
	}
	buf_printf(&b, TR(c, "\n\nБудет версия %d. Подписки и счета, оформленные на версии %d, "
	    "остаются на её ценах.", "\n\nThis makes version %d. Subscriptions and invoices made "
	    "on version %d keep its prices."), cur.version + 1, cur.version);
	/* step 1: the form waits in the dialog for the press */
	if (view_dialog_start(c, "plan_edit", cur.id, 1, "form", form) == -1) {
		buf_release(&b);
		return -1;
	}
	kb_init(&k);
	kb_button(&k, TR(c, "✅ Подтвердить", "✅ Confirm"), "plo:%lld", (long long)cur.id);
	kb_button(&k, TR(c, "Отмена", "Cancel"), "pln:%lld", (long long)cur.id);
	rc = reply(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

int
plan_edit_wait_text(struct ctx *c, const struct dialog *d, const char *text)
{
	(void)d;
	(void)text;
	return dialogs_wait_button(c);
}

/* "plo:<plan id>": the confirmation. The form is applied again to the version the person saw;
 * if another version appeared meanwhile, the confirmation is stale. */
int
plan_edit_confirm_btn(struct ctx *c)
{
	char form[4096];
	struct plan cur, now, next;
	struct buf diff, detail;
	struct dialog d;
	int64_t id;
	int r;

	if (str_to_i64(c->arg, &id) == -1)
		return view_damaged(c);
	if (dialog_get(c->db, c->user_id, c->chat_id, &d) != 1 ||
	    strcmp(d.kind, "plan_edit") != 0 || d.step != 1 || d.subject != id ||
	    c->now - d.updated_at > DIALOG_TTL ||
	    dialog_value(c->db, c->user_id, c->chat_id, "form", form, sizeof(form)) != 1 ||
	    plan_get(c->db, id, &cur) != 1 || plan_current(c->db, cur.code, &now) != 1 ||
	    now.id != cur.id)
		return dialogs_stale(c);
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	buf_init(&diff, 0);
	buf_init(&detail, 2000);
	if ((r = plan_edit_prepare(c, &cur, form, &next, &diff)) != 1)
		goto out;
	r = -1;
	next.created_at = c->now;
	next.created_by = c->user_id;
	if (plan_new_version(c->db, &next) == -1)
		goto out;
	buf_printf(&detail, "%s v%d → v%d: ", cur.code, cur.version, next.version);
	plan_edit_diff(c, &cur, &next, 1, &detail);
	if (view_audit(c, 0, "plan.edit", "", 0, detail.ptr) == -1)
		goto out;
	log_info("plan %s v%d by user %lld", next.code, next.version, (long long)c->user_id);
	buf_reset(&diff);
	buf_printf(&diff, TR(c, "✅ Подтверждено: тариф %s, версия %d.",
	    "✅ Confirmed: plan %s, version %d."), next.code, next.version);
	if (reply_edit(c, diff.ptr, NULL) == -1)
		goto out;
	r = plans_show_card(c, next.code, 0);
out:
	buf_release(&diff);
	buf_release(&detail);
	return r;
}

/* "pln:<plan id>" */
int
plan_edit_cancel_btn(struct ctx *c)
{
	return dialogs_cancel(c, "plan_edit", "Отменено; тариф не изменён.",
	    "Cancelled; the plan stays.");
}

