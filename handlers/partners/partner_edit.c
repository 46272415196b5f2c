/*
 * partner_edit.c — creating and changing partners: /partner_new (a guided dialog, or a one-line
 * form for those who know the fields) and /partner_edit; the status state machine (/status and
 * the card's Status button) is in partner_status.c, listed in this file's tables. Every value is
 * validated at this boundary; a wrong one gets a message naming the field, the problem and an
 * example. A card changes only inside a writable access session, whose reason is the change's
 * "why" in the audit log; a status change carries its own reason.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "handlers/common/dialogs.h"
#include "handlers/partners/partner_edit.h"

#define FORM_MAX 16

/* One editable field. apply validates a person's text and sets it on the partner. */
struct pfield {
	const char	*key;		/* the one-line form's name, and the dialog's value key */
	const char	*label_ru, *label_en;
	int		 required;	/* at creation */
	const char	*ask_ru, *ask_en;	/* the dialog's question, with an example */
	int		(*apply)(struct ctx *, struct partner *, const char *, char *, size_t);
};

static int
pe_name(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_name(v, p->name, sizeof(p->name), c->lang, err, errsz);
}

static int
pe_legal(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_name(v, p->legal_name, sizeof(p->legal_name), c->lang, err, errsz);
}

static int
pe_inn(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_inn(v, p->inn, sizeof(p->inn), c->lang, err, errsz);
}

static int
pe_contact(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_name(v, p->contact_name, sizeof(p->contact_name), c->lang, err, errsz);
}

static int
pe_phone(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_phone(v, p->phone, sizeof(p->phone), c->lang, err, errsz);
}

static int
pe_email(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_email(v, p->email, sizeof(p->email), c->lang, err, errsz);
}

static int
pe_branches(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_count(v, 10000, &p->branches, c->lang, err, errsz);
}

static int
pe_users(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_count(v, 1000000, &p->users, c->lang, err, errsz);
}

static int
pe_connected(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	return valid_date(v, &p->connected_on, c->lang, err, errsz);
}

static int
pe_assigned(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	struct member m;
	int r;

	if (strcmp(v, "-") == 0 || strcmp(v, "—") == 0) {
		p->assigned_to = 0;
		return 0;
	}
	r = team_find(c->db, v, &m);
	if (r == 1 && m.roles != 0) {
		p->assigned_to = m.user_id;
		return 0;
	}
	snprintf(err, errsz, "%s", TR(c, "Ответственный: нет такого сотрудника. Пример: @anna_admin "
	    "или id; «-» — никто", "Assigned to: no such team member. Example: @anna_admin or an "
	    "id; '-' for nobody"));
	return -1;
}

static int
pe_notes(struct ctx *c, struct partner *p, const char *v, char *err, size_t errsz)
{
	if (strlen(v) >= sizeof(p->notes) || !utf8_valid(v, strlen(v))) {
		snprintf(err, errsz, "%s", TR(c, "Заметки: слишком длинные (до 2000 байт).",
		    "Notes: too long (2000 bytes at most)."));
		return -1;
	}
	str_copy(p->notes, sizeof(p->notes), v);
	return 0;
}

/* In the order the creation dialog asks. */
static const struct pfield pe_fields[] = {
	{ "name", "Название", "Name", 1,
	  "Как называется партнёр? Например: <code>Ромашка</code>",
	  "The partner's name? For example: <code>Romashka</code>", pe_name },
	{ "legal", "Юрлицо", "Legal entity", 1,
	  "Юрлицо полностью? Например: <code>ООО «Ромашка»</code> или <code>ИП Иванов Иван "
	  "Иванович</code>", "The legal entity? For example: <code>OOO Romashka</code>", pe_legal },
	{ "inn", "ИНН", "INN", 0,
	  "ИНН (10 цифр у организации, 12 у ИП)? Например: <code>7707083893</code>",
	  "The INN (10 digits, 12 for a sole trader)? For example: <code>7707083893</code>",
	  pe_inn },
	{ "contact", "Контактное лицо", "Contact person", 0,
	  "Контактное лицо? Например: <code>Иван Петров</code>",
	  "The contact person? For example: <code>Ivan Petrov</code>", pe_contact },
	{ "phone", "Телефон", "Phone", 0,
	  "Телефон? Например: <code>+7 916 123-45-67</code>",
	  "The phone? For example: <code>+7 916 123-45-67</code>", pe_phone },
	{ "email", "Email", "Email", 0,
	  "Email? Например: <code>ivan@romashka.ru</code>",
	  "The email? For example: <code>ivan@romashka.ru</code>", pe_email },
	{ "branches", "Филиалов", "Branches", 0,
	  "Сколько филиалов? Например: <code>2</code>", "How many branches? For example: "
	  "<code>2</code>", pe_branches },
	{ "users", "Пользователей", "Users", 0,
	  "Сколько пользователей в CRM? Например: <code>15</code>",
	  "How many CRM users? For example: <code>15</code>", pe_users },
	{ "connected", "Дата подключения", "Connected on", 0,
	  "Дата подключения? Например: <code>01.09.2025</code> (пропустить — сегодня)",
	  "The connection date? For example: <code>2025-09-01</code> (skip: today)", pe_connected },
	{ "assigned", "Ответственный", "Assigned to", 0,
	  "Ответственный сотрудник? Например: <code>@anna_admin</code>",
	  "The team member in charge? For example: <code>@anna_admin</code>", pe_assigned },
	{ "notes", "Заметки", "Notes", 0,
	  "Заметки (видны только при открытом доступе)?",
	  "Notes (shown only with data access open)?", pe_notes },
};
#define NFIELDS (sizeof(pe_fields) / sizeof(pe_fields[0]))

static const struct pfield *
pe_field(const char *key)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(pe_fields[i].key, key) == 0)
			return &pe_fields[i];
	return NULL;
}

static void
pe_field_list(struct buf *b)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		buf_adds(b, i ? ", " : "");
		buf_adds(b, pe_fields[i].key);
	}
}

/*
 * Applies one field's value. The validators are shared and name their kind of value ("Количество",
 * "Имя или название"); the person is told the field instead ("Филиалов", "Юрлицо"), so two
 * wrong counts in one form are told apart.
 */
static int
pe_apply(struct ctx *c, const struct pfield *f, struct partner *p, const char *v, char *err,
    size_t errsz)
{
	char e[512];

	if (f->apply(c, p, v, e, sizeof(e)) == 0)
		return 0;
	return dialogs_field_error(c, f->label_ru, f->label_en, e, err, errsz);
}

/* A writable session for the partner: 1 yes; 0 no (the person was told how to open one). */
static int
pe_need_session(struct ctx *c, int64_t partner_id, struct access_session *s)
{
	struct kb k;
	int r;

	r = view_session(c, partner_id, s);
	if (r == -1)
		return -1;
	if (r == 1 && s->writable)
		return 1;
	kb_init(&k);
	kb_button(&k, TR(c, "🔓 Открыть данные", "🔓 Open data"), "pd:%lld", (long long)partner_id);
	return reply(c, TR(c, "Карточка меняется только при открытом доступе к данным — с причиной, "
	    "которая попадёт в аудит. Откройте доступ и повторите.", "A card changes only with "
	    "data access open, for a reason that goes to the audit log. Open it and try again."), &k)
	    == -1 ? -1 : 0;
}

/* Answers a duplicate INN. */
static int
pe_dup(struct ctx *c, int64_t holder)
{
	struct partner h;
	struct buf b;
	struct kb k;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, TR(c, "ИНН: уже записан у другого партнёра", "INN: already held by another "
	    "partner"));
	if (partner_get(c->db, holder, &h) == 1) {
		buf_adds(&b, " — ");
		buf_add_html(&b, h.name);
		buf_printf(&b, " (#%lld)", (long long)holder);
	}
	buf_adds(&b, TR(c, ". Проверьте номер.", ". Check the number."));
	kb_init(&k);
	kb_button(&k, TR(c, "Открыть его карточку", "Open its card"), "p:%lld", (long long)holder);
	rc = reply(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

/* Today in the configured zone, as the UTC midnight dates are stored at. */
static int64_t
pe_today(int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return (int64_t)timegm(&tm);
}

/* Creates the partner, opens the creator's session (reason: onboarding), audits, shows it. */
static int
pe_create(struct ctx *c, struct partner *p)
{
	struct access_session s;
	struct buf d;
	int64_t dup = 0;
	int r;

	if (p->connected_on == 0)
		p->connected_on = pe_today(c->now);
	slug_from_name(p->name, p->slug, sizeof(p->slug));
	p->status = PARTNER_ACTIVE;
	r = partner_insert(c->db, p, c->now, &dup);
	if (r == -1)
		return -1;
	if (r == 0)
		return pe_dup(c, dup);
	memset(&s, 0, sizeof(s));
	s.user_id = c->user_id;
	s.partner_id = p->id;
	s.reason = REASON_ONBOARDING;
	str_copy(s.reason_text, sizeof(s.reason_text), TR(c, "создание карточки", "card created"));
	s.writable = 1;
	s.opened_at = c->now;
	s.expires_at = c->now + c->cfg->session_minutes * 60;
	if (access_open(c->db, &s) == -1 ||
	    view_audit(c, p->id, "access.open", "onboarding: card created", s.id, "") == -1)
		return -1;
	buf_init(&d, 1000);
	buf_printf(&d, "slug=%s inn=%s branches=%lld users=%lld", p->slug,
	    strlen(p->inn) == 12 ? "(personal)" : p->inn, (long long)p->branches,
	    (long long)p->users);
	r = view_audit(c, p->id, "partner.create", "onboarding: card created", s.id, d.ptr);
	buf_release(&d);
	if (r == -1)
		return -1;
	log_info("partner %lld created by user %lld", (long long)p->id, (long long)c->user_id);
	if (reply(c, TR(c, "✅ Партнёр создан.", "✅ Partner created."), NULL) == -1)
		return -1;
	return partners_show_card(c, p, 0);
}

/* Applies form fields to p. Errors (all of them) go to err; returns how many failed. */
static int
pe_apply_form(struct ctx *c, struct partner *p, const struct form_field *ff, int n, int creating,
    unsigned *touched, struct buf *err)
{
	char e[512];
	int i, bad = 0;
	size_t j;

	for (i = 0; i < n; i++) {
		const struct pfield *f = pe_field(ff[i].key);

		if (f == NULL) {
			buf_adds(err, TR(c, "Неизвестное поле «", "Unknown field “"));
			buf_add_html(err, ff[i].key);
			buf_adds(err, TR(c, "». Поля: ", "”. Fields: "));
			pe_field_list(err);
			buf_addc(err, '\n');
			bad++;
			continue;
		}
		if (pe_apply(c, f, p, ff[i].value, e, sizeof(e)) == -1) {
			buf_add_html(err, e);
			buf_addc(err, '\n');
			bad++;
			continue;
		}
		*touched |= 1u << (f - pe_fields);
	}
	if (creating)
		for (j = 0; j < NFIELDS; j++)
			if (pe_fields[j].required && !(*touched & (1u << j))) {
				buf_printf(err, TR(c, "%s: обязательное поле. Пример: %s=…\n",
				    "%s: required. Example: %s=…\n"), TR(c, pe_fields[j].label_ru,
				    pe_fields[j].label_en), pe_fields[j].key);
				bad++;
			}
	return bad;
}

/* cmd is HTML already (it goes into <code> as it is). */
static int
pe_form_errors(struct ctx *c, const char *cmd, struct buf *err)
{
	struct buf fmt;
	int rc;

	buf_init(&fmt, 0);
	buf_printf(&fmt, TR(c, "<code>/%s name=\"Ромашка\" legal=\"ООО «Ромашка»\" "
	    "inn=7707083893 phone=+79161234567 email=info@romashka.ru</code>",
	    "<code>/%s name=\"Romashka\" legal=\"OOO Romashka\" inn=7707083893 "
	    "phone=+79161234567 email=info@romashka.ru</code>"), cmd);
	rc = dialogs_not_saved(c, err, fmt.ptr);
	buf_release(&fmt);
	return rc;
}

/* Asks the creation dialog's question number step. */
static int
pe_ask(struct ctx *c, size_t step)
{
	return dialogs_ask(c, step, NFIELDS, pe_fields[step].ask_ru, pe_fields[step].ask_en,
	    pe_fields[step].required);
}

static int
pe_new_cmd(struct ctx *c)
{
	struct form_field ff[FORM_MAX];
	struct partner p;
	struct buf err;
	unsigned touched = 0;
	char e[512];
	int n, rc;

	if (c->args[0] == '\0') {
		if (view_dialog_start(c, "partner_new", 0, 0, NULL, NULL) == -1)
			return -1;
		if (reply(c, TR(c, "🆕 <b>Новый партнёр</b>. Отвечайте на вопросы по одному.",
		    "🆕 <b>New partner</b>. Answer the questions one by one."), NULL) == -1)
			return -1;
		return pe_ask(c, 0);
	}
	n = form_parse(c->args, ff, FORM_MAX, c->lang, e, sizeof(e));
	buf_init(&err, 0);
	if (n == -1) {
		buf_add_html(&err, e);
		buf_addc(&err, '\n');
		rc = pe_form_errors(c, "partner_new", &err);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.branches = 1;
	if (pe_apply_form(c, &p, ff, n, 1, &touched, &err) > 0) {
		rc = pe_form_errors(c, "partner_new", &err);
		goto out;
	}
	rc = pe_create(c, &p);
out:
	buf_release(&err);
	return rc;
}

/* The creation dialog: each answer is validated and kept; the last one creates the partner. */
static int
pe_new_step(struct ctx *c, const struct dialog *d, const char *text, int skip)
{
	struct partner p;
	char e[512];
	size_t i;

	if (d->step < 0 || (size_t)d->step >= NFIELDS)
		return dialog_end(c->db, c->user_id, c->chat_id);
	i = (size_t)d->step;
	if (skip && pe_fields[i].required)
		return dialogs_required(c);
	if (!skip) {
		memset(&p, 0, sizeof(p));
		if (pe_apply(c, &pe_fields[i], &p, text, e, sizeof(e)) == -1)
			return dialogs_retry(c, e);
		if (dialog_put(c->db, c->user_id, c->chat_id, pe_fields[i].key, text) == -1)
			return -1;
	}
	if (i + 1 < NFIELDS) {
		if (dialog_set_step(c->db, c->user_id, c->chat_id, (int)i + 1) == -1)
			return -1;
		return pe_ask(c, i + 1);
	}
	/* the last answer: build the partner from the kept answers (validated again) */
	memset(&p, 0, sizeof(p));
	p.branches = 1;
	for (i = 0; i < NFIELDS; i++) {
		char v[1024];
		int r = dialog_value(c->db, c->user_id, c->chat_id, pe_fields[i].key, v, sizeof(v));

		if (r == -1)
			return -1;
		if (r == 1 && pe_fields[i].apply(c, &p, v, e, sizeof(e)) == -1)
			return -1;
	}
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	return pe_create(c, &p);
}

static int
pe_new_text(struct ctx *c, const struct dialog *d, const char *text)
{
	return pe_new_step(c, d, text, 0);
}

static int
pe_new_skip(struct ctx *c, const struct dialog *d)
{
	return pe_new_step(c, d, NULL, 1);
}

/* Saves a partner whose fields in touched changed, with the audit record (the session's reason
 * is the why). 1 saved, 0 answered (a duplicate INN), -1 error. */
static int
pe_save(struct ctx *c, const struct partner *old, struct partner *p, unsigned touched,
    const struct access_session *s)
{
	struct buf d, why;
	int64_t dup = 0;
	size_t i;
	int r;

	r = partner_update(c->db, p, c->now, &dup);
	if (r == -1)
		return -1;
	if (r == 0)
		return pe_dup(c, dup) == -1 ? -1 : 0;
	/* the audit says which fields changed; values only where they are not personal */
	buf_init(&d, 1000);
	for (i = 0; i < NFIELDS; i++) {
		const struct pfield *f = &pe_fields[i];

		if (!(touched & (1u << i)))
			continue;
		buf_adds(&d, d.len ? "; " : "");
		buf_adds(&d, f->key);
		if (strcmp(f->key, "branches") == 0)
			buf_printf(&d, " %lld → %lld", (long long)old->branches,
			    (long long)p->branches);
		else if (strcmp(f->key, "users") == 0)
			buf_printf(&d, " %lld → %lld", (long long)old->users, (long long)p->users);
		else if (strcmp(f->key, "assigned") == 0)
			buf_printf(&d, " %lld → %lld", (long long)old->assigned_to,
			    (long long)p->assigned_to);
	}
	buf_init(&why, 600);
	buf_adds(&why, access_reason_name(s->reason));
	if (s->reason_text[0]) {
		buf_adds(&why, ": ");
		buf_adds(&why, s->reason_text);
	}
	r = view_audit(c, p->id, "partner.edit", why.ptr, s->id, d.ptr);
	buf_release(&why);
	buf_release(&d);
	return r == -1 ? -1 : 1;
}

static int pe_menu(struct ctx *, const struct partner *, int edit);

/* /partner_edit <partner> field=value …, or the card's Edit button without fields. */
static int
pe_edit_cmd(struct ctx *c)
{
	struct form_field ff[FORM_MAX];
	struct access_session s;
	struct partner p, old;
	char ref[128], e[512];
	const char *rest;
	struct buf err;
	unsigned touched = 0;
	int n, r, rc = -1;

	rest = view_word(c->args, ref, sizeof(ref));
	r = view_pick_partner(c, ref, &p, "pe");
	if (r != 1)
		return r;
	if (*rest == '\0')
		return pe_menu(c, &p, 0);
	buf_init(&err, 0);
	n = form_parse(rest, ff, FORM_MAX, c->lang, e, sizeof(e));
	if (n == -1) {
		buf_add_html(&err, e);
		buf_addc(&err, '\n');
		rc = pe_form_errors(c, "partner_edit &lt;партнёр&gt;", &err);
		goto out;
	}
	old = p;
	if (pe_apply_form(c, &p, ff, n, 0, &touched, &err) > 0) {
		rc = pe_form_errors(c, "partner_edit &lt;партнёр&gt;", &err);
		goto out;
	}
	if ((r = pe_need_session(c, p.id, &s)) != 1) {
		rc = r;
		goto out;
	}
	r = pe_save(c, &old, &p, touched, &s);
	if (r != 1) {
		rc = r;
		goto out;
	}
	rc = reply(c, TR(c, "✅ Сохранено.", "✅ Saved."), NULL) == -1 ? -1 :
	    partners_show_card(c, &p, 0);
out:
	buf_release(&err);
	return rc;
}

/* The Edit menu: one button per field. */
static int
pe_menu(struct ctx *c, const struct partner *p, int edit)
{
	struct buf b;
	struct kb k;
	size_t i;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, TR(c, "✏️ Что изменить у партнёра «", "✏️ What to change for “"));
	buf_add_html(&b, p->name);
	buf_adds(&b, TR(c, "»?\nИли одной строкой: <code>/partner_edit ", "”?\nOr in one line: "
	    "<code>/partner_edit "));
	buf_printf(&b, "%lld phone=+79161234567 users=20</code>", (long long)p->id);
	kb_init(&k);
	for (i = 0; i < NFIELDS; i++) {
		if (i % 3 == 0)
			kb_row(&k);
		kb_button(&k, TR(c, pe_fields[i].label_ru, pe_fields[i].label_en), "pf:%lld:%s",
		    (long long)p->id, pe_fields[i].key);
	}
	view_back_to_card(c, &k, p->id);
	rc = edit ? reply_edit(c, b.ptr, &k) : reply(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

static int
pe_menu_btn(struct ctx *c)
{
	struct partner p;
	int r = view_button_partner(c, c->arg, &p);

	return r != 1 ? r : pe_menu(c, &p, 1);
}

/* "pf:<id>:<field>": asks for the new value in a dialog. */
static int
pe_field_btn(struct ctx *c)
{
	const struct pfield *f;
	struct access_session s;
	struct partner p;
	struct buf b;
	const char *colon = strchr(c->arg, ':');
	int r, rc;

	r = view_button_partner(c, c->arg, &p);
	if (r != 1)
		return r;
	if (colon == NULL || (f = pe_field(colon + 1)) == NULL)
		return view_damaged(c);
	if ((r = pe_need_session(c, p.id, &s)) != 1)
		return r;
	if (view_dialog_start(c, "partner_edit", p.id, 0, "field", f->key) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, f->ask_ru, f->ask_en));
	buf_adds(&b, TR(c, "\n/cancel — отменить", "\n/cancel to leave"));
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

static int
pe_edit_text(struct ctx *c, const struct dialog *d, const char *text)
{
	const struct pfield *f;
	struct access_session s;
	struct partner p, old;
	char key[32], e[512];
	int r;

	if (dialog_value(c->db, c->user_id, c->chat_id, "field", key, sizeof(key)) != 1 ||
	    (f = pe_field(key)) == NULL || partner_get(c->db, d->subject, &p) != 1)
		return dialog_end(c->db, c->user_id, c->chat_id);
	old = p;
	if (pe_apply(c, f, &p, text, e, sizeof(e)) == -1)
		return dialogs_retry(c, e);
	/* the session may have ended while the person was typing */
	if ((r = pe_need_session(c, p.id, &s)) != 1)
		return r == -1 ? -1 : dialog_end(c->db, c->user_id, c->chat_id);
	r = pe_save(c, &old, &p, 1u << (f - pe_fields), &s);
	if (r != 1)
		return r;
	if (dialog_end(c->db, c->user_id, c->chat_id) == -1 ||
	    reply(c, TR(c, "✅ Сохранено.", "✅ Saved."), NULL) == -1)
		return -1;
	return partners_show_card(c, &p, 0);
}

const struct command partner_edit_commands[] = {
	{ "partner_new", "[name=… legal=… inn=… …]", ROLE_BILLING, CMD_PARTNER | CMD_WRITES, 0,
	  "новый партнёр: диалог или одна строка", "a new partner: a dialog or one line",
	  pe_new_cmd },
	{ "partner_edit", "<партнёр> [поле=значение …]", ROLE_BILLING, CMD_PARTNER | CMD_WRITES, 1,
	  "изменить карточку партнёра", "change a partner's card", pe_edit_cmd },
	{ "status", "<партнёр> <статус> <причина>", ROLE_BILLING,
	  CMD_PARTNER | CMD_WRITES | CMD_CONFIRM, 0,
	  "сменить статус партнёра (с причиной)", "change a partner's status (with a reason)",
	  pe_status_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct button partner_edit_buttons[] = {
	{ "pe", ROLE_BILLING, CMD_PARTNER, pe_menu_btn, NULL },
	{ "pf", ROLE_BILLING, CMD_PARTNER | CMD_WRITES, pe_field_btn, NULL },
	{ "ps", ROLE_BILLING, CMD_PARTNER, pe_status_btn, NULL },
	{ "pst", ROLE_BILLING, CMD_PARTNER | CMD_WRITES, pe_status_to_btn, NULL },
	{ "psc", ROLE_BILLING, CMD_PARTNER | CMD_WRITES, pe_status_confirm_btn, NULL },
	{ "psn", ROLE_BILLING, CMD_PARTNER, pe_status_cancel_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct dialog_kind partner_edit_dialogs[] = {
	{ "partner_new", ROLE_BILLING, pe_new_text, pe_new_skip },
	{ "partner_edit", ROLE_BILLING, pe_edit_text, NULL },
	{ "status", ROLE_BILLING, pe_status_text, NULL },
	{ NULL, 0, NULL, NULL },
};
