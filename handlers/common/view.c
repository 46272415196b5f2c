/*
 * view.c — what the blocks' views share: dates and times in the configured zone, status and
 * role names, people, the audit note every partner-data step writes, and finding the partner
 * or the team member a person meant.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "handlers/handlers.h"

void
view_date(int64_t day, char *out, size_t outsz)
{
	struct tm tm;
	time_t t = (time_t)day;

	if (day <= 0) {
		str_copy(out, outsz, "—");
		return;
	}
	gmtime_r(&t, &tm);	/* a date is stored as its UTC midnight */
	snprintf(out, outsz, "%02d.%02d.%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

void
view_time(int64_t at, char *out, size_t outsz)
{
	struct tm tm;
	time_t t = (time_t)at;

	if (at <= 0) {
		str_copy(out, outsz, "—");
		return;
	}
	localtime_r(&t, &tm);	/* TZ is the configured zone (set at start-up) */
	snprintf(out, outsz, "%02d.%02d.%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

const char *
view_status(struct ctx *c, int status)
{
	switch (status) {
	case PARTNER_ACTIVE: return TR(c, "🟢 активен", "🟢 active");
	case PARTNER_SUSPENDED: return TR(c, "🟡 приостановлен", "🟡 suspended");
	case PARTNER_BLOCKED: return TR(c, "🔴 заблокирован", "🔴 blocked");
	case PARTNER_ARCHIVED: return TR(c, "⚪️ в архиве", "⚪️ archived");
	default: return "?";
	}
}

const char *
view_role(struct ctx *c, unsigned role)
{
	switch (role) {
	case ROLE_SUPERADMIN: return TR(c, "суперадмин", "superadmin");
	case ROLE_SUPPORT: return TR(c, "поддержка", "support");
	case ROLE_DEVELOPER: return TR(c, "разработчик", "developer");
	case ROLE_BILLING: return TR(c, "биллинг", "billing");
	case ROLE_MANAGER: return TR(c, "менеджер", "manager");
	default: return "?";
	}
}

void
view_roles(struct ctx *c, unsigned roles, struct buf *b)
{
	unsigned r;
	int first = 1;

	for (r = 1; r <= ROLE_MANAGER; r <<= 1)
		if (roles & r) {
			buf_adds(b, first ? "" : ", ");
			buf_adds(b, view_role(c, r));
			first = 0;
		}
	if (first)
		buf_adds(b, "—");
}

void
view_person(struct buf *b, const char *name, const char *username, int64_t id)
{
	buf_add_html(b, name && *name ? name : "—");
	buf_adds(b, " (");
	if (username && *username) {
		buf_adds(b, "@");
		buf_add_html(b, username);
		buf_adds(b, ", ");
	}
	buf_printf(b, "id <code>%lld</code>)", (long long)id);
}

/* A member by user id as "Имя (@user)", or the bare id when unknown. */
void
view_member_name(struct ctx *c, int64_t user_id, struct buf *b)
{
	struct member m;

	if (user_id == 0) {
		buf_adds(b, TR(c, "система", "system"));
		return;
	}
	if (team_get(c->db, user_id, &m) == 1 && (m.name[0] || m.username[0])) {
		buf_add_html(b, m.name[0] ? m.name : m.username);
		if (m.username[0] && m.name[0]) {
			buf_adds(b, " (@");
			buf_add_html(b, m.username);
			buf_adds(b, ")");
		}
		return;
	}
	buf_printf(b, "id %lld", (long long)user_id);
}

/* The roles as stored with an audit record: English names, comma-separated. */
static void
view_role_names(unsigned roles, char *out, size_t outsz)
{
	struct buf b;
	unsigned r;

	buf_init(&b, outsz > 1 ? outsz - 1 : 1);
	for (r = 1; r <= ROLE_MANAGER; r <<= 1)
		if (roles & r) {
			if (b.len)
				buf_addc(&b, ',');
			buf_adds(&b, role_name(r));
		}
	str_copy(out, outsz, b.ptr);
	buf_release(&b);
}

int
view_audit(struct ctx *c, int64_t partner_id, const char *action, const char *reason,
    int64_t session_id, const char *detail)
{
	struct audit_record r;

	memset(&r, 0, sizeof(r));
	r.at = c->now;
	r.actor = c->user_id;
	view_role_names(c->roles, r.roles, sizeof(r.roles));
	r.partner_id = partner_id;
	str_copy(r.action, sizeof(r.action), action);
	str_copy(r.reason, sizeof(r.reason), reason ? reason : "");
	r.session_id = session_id;
	str_copy(r.detail, sizeof(r.detail), detail ? detail : "");
	if (audit_append(c->db, &r) == -1) {
		log_error("audit: cannot record %s by user %lld; the action is refused", action,
		    (long long)c->user_id);
		return -1;
	}
	return 0;
}

int
view_may_open_pd(const struct ctx *c)
{
	return (c->roles & (ROLE_SUPERADMIN | ROLE_BILLING | ROLE_SUPPORT)) != 0;
}

/* Personal search keys follow who may read personal data, and where: superadmins and billing
 * may open anyone's, so they search by them; support reads them only inside a ticket session,
 * so only the partners of their open ones are found that way; developers and managers never. */
void
view_pd_search(const struct ctx *c, struct partner_pd *pd)
{
	memset(pd, 0, sizeof(*pd));
	if (c->roles & (ROLE_SUPERADMIN | ROLE_BILLING))
		pd->mode = PARTNER_PD_ALL;
	else if (c->roles & ROLE_SUPPORT) {
		pd->mode = PARTNER_PD_SESSION;
		pd->user_id = c->user_id;
		pd->now = c->now;
	} else
		pd->mode = PARTNER_PD_NONE;
}

void
view_pd_search_hint(struct ctx *c, struct buf *b)
{
	struct partner_pd pd;

	view_pd_search(c, &pd);
	if (pd.mode == PARTNER_PD_SESSION)
		buf_adds(b, TR(c, "\nПо личным данным (ФИО предпринимателя, ИНН ИП) поддержка ищет "
		    "только внутри сессии по тикету: откройте её по номеру или slug партнёра — "
		    "<code>/access &lt;номер|slug&gt; ticket T-123</code>.", "\nSupport searches by "
		    "personal data (a sole trader's name or INN) only inside a ticket session: open one "
		    "by the partner's number or slug — <code>/access &lt;number|slug&gt; ticket "
		    "T-123</code>."));
	else if (pd.mode == PARTNER_PD_NONE)
		buf_adds(b, TR(c, "\nПо личным данным (ФИО предпринимателя, ИНН ИП) ваша роль не ищет.",
		    "\nYour role does not search by personal data (a sole trader's name or INN)."));
}

/* The session is weighed against the person's roles now, not when it was opened: a member
 * demoted to support keeps only ticket sessions, and only to read. */
int
view_session(struct ctx *c, int64_t partner_id, struct access_session *s)
{
	int r;

	if (!view_may_open_pd(c))
		return 0;
	r = access_current(c->db, c->user_id, partner_id, c->now, s);
	if (r != 1)
		return r;
	if (!(c->roles & (ROLE_SUPERADMIN | ROLE_BILLING))) {
		if (s->reason != REASON_TICKET)
			return 0;
		s->writable = 0;
	}
	return 1;
}

void
view_reason(struct ctx *c, const struct access_session *s, struct buf *b)
{
	static const char *const ru[] = { "тикет", "биллинг", "подключение", "инцидент",
	    "другое" };
	static const char *const en[] = { "ticket", "billing", "onboarding", "incident", "other" };

	if (s->reason >= 0 && s->reason < ACCESS_REASON_COUNT)
		buf_adds(b, c->lang == LANG_EN ? en[s->reason] : ru[s->reason]);
	if (s->reason_text[0]) {
		buf_adds(b, ": ");
		buf_add_html(b, s->reason_text);
	}
}

/*
 * Finds the partner a person meant: id, slug, INN or a piece of the name. 1 one partner (in p);
 * 0 the person was answered (nothing found, or a list to choose from whose buttons run verb);
 * -1 error.
 */
int
view_pick_partner(struct ctx *c, const char *query, struct partner *p, const char *verb)
{
	int64_t ids[VIEW_CHOICES + 1];
	struct partner_pd pd;
	struct partner q;
	struct buf b;
	struct kb k;
	int n, i, rc;

	view_pd_search(c, &pd);
	n = partner_lookup(c->db, query, &pd, ids, VIEW_CHOICES + 1);
	if (n == -1)
		return -1;
	if (n == 1)
		return partner_get(c->db, ids[0], p) == 1 ? 1 : -1;
	buf_init(&b, 0);
	if (n == 0) {
		buf_adds(&b, TR(c, "Партнёр «", "No partner matches “"));
		buf_add_quote(&b, query);
		buf_adds(&b, TR(c, "» не найден. Ищите по номеру, slug, ИНН или части названия: "
		    "<code>/partners ромашка</code>", "”. Search by number, slug, INN or part of the "
		    "name: <code>/partners acme</code>"));
		view_pd_search_hint(c, &b);
		rc = reply_error(c, b.ptr);
		buf_release(&b);
		return rc == -1 ? -1 : 0;
	}
	buf_adds(&b, TR(c, "Нашлось несколько партнёров — выберите:",
	    "Several partners match; pick one:"));
	if (n > VIEW_CHOICES)
		buf_printf(&b, TR(c, "\n(показаны первые %d; уточните запрос)",
		    "\n(the first %d; narrow the search)"), VIEW_CHOICES);
	kb_init(&k);
	for (i = 0; i < n && i < VIEW_CHOICES; i++) {
		char label[300], name[200];

		if (partner_get(c->db, ids[i], &q) != 1)
			continue;
		str_copy(name, sizeof(name), q.name);	/* a button label stays short */
		snprintf(label, sizeof(label), "%s · #%lld", name, (long long)q.id);
		kb_button(&k, label, "%s:%lld", verb, (long long)q.id);
		kb_row(&k);
	}
	rc = reply(c, b.ptr, &k);
	buf_release(&b);
	return rc == -1 ? -1 : 0;
}

/* A partner id from a button argument, and the partner: 1, 0 gone (answered), -1 error. */
int
view_button_partner(struct ctx *c, const char *arg, struct partner *p)
{
	int64_t id;
	char num[24];
	size_t n = strcspn(arg, ":");
	int r;

	if (n == 0 || n >= sizeof(num))
		return view_damaged(c) == -1 ? -1 : 0;
	memcpy(num, arg, n);
	num[n] = '\0';
	if (str_to_i64(num, &id) == -1 || id <= 0)
		return view_damaged(c) == -1 ? -1 : 0;
	r = partner_get(c->db, id, p);
	if (r == 0)
		return reply_edit_error(c, TR(c, "Партнёр не найден.", "No such partner.")) == -1 ?
		    -1 : 0;
	return r;
}

/* The first word of s into word (bounded); returns the rest, spaces skipped. */
const char *
view_word(const char *s, char *word, size_t wordsz)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s && *s != ' ') {
		if (n + 1 < wordsz)
			word[n++] = *s;
		s++;
	}
	word[n] = '\0';
	while (*s == ' ')
		s++;
	return s;
}

/* A sole trader's legal name is a person's name ("ИП Иванов Иван Иванович"): personal data,
 * masked outside an access session like the contact person. */
void
view_legal_name(const struct partner *p, int clear, struct buf *b)
{
	char m[300];

	if (clear || !partner_is_sole_trader(p)) {
		buf_add_html(b, p->legal_name);
		return;
	}
	if (strncmp(p->legal_name, "ИП ", strlen("ИП ")) == 0) {
		buf_adds(b, "ИП ");
		mask_person(p->legal_name + strlen("ИП "), m, sizeof(m));
	} else
		mask_person(p->legal_name, m, sizeof(m));	/* the legal form is masked too */
	buf_add_html(b, m);
}

int
view_damaged(struct ctx *c)
{
	return reply_edit_error(c, TR(c, "Кнопка повреждена.", "The button is damaged."));
}

void
view_back_to_card(struct ctx *c, struct kb *k, int64_t partner_id)
{
	kb_row(k);
	kb_button(k, TR(c, "◀ К карточке", "◀ Back to the card"), "p:%lld", (long long)partner_id);
}

/* Starts this person's dialog of kind about subject, with one value (key NULL: none). */
int
view_dialog_start(struct ctx *c, const char *kind, int64_t subject, int step, const char *key,
    const char *value)
{
	struct dialog d;

	memset(&d, 0, sizeof(d));
	d.user_id = c->user_id;
	d.chat_id = c->chat_id;
	str_copy(d.kind, sizeof(d.kind), kind);
	d.step = step;
	d.subject = subject;
	d.updated_at = c->now;
	if (dialog_start(c->db, &d) == -1)
		return -1;
	return key == NULL ? 0 : dialog_put(c->db, c->user_id, c->chat_id, key, value);
}

/*
 * A page button "<query id>:<offset>": the saved filter of kind (this person's only) into text.
 * 1 ok; 0 answered (damaged or stale; list names the command to run again); -1 error.
 */
int
view_page_button(struct ctx *c, const char *kind, const char *list, char *text, size_t textsz,
    int64_t *qid, int *offset)
{
	const char *colon = strchr(c->arg, ':');
	char k[32], num[24];
	size_t n = colon ? (size_t)(colon - c->arg) : 0;
	int64_t off;
	struct buf b;
	int r;

	if (n == 0 || n >= sizeof(num))
		return view_damaged(c) == -1 ? -1 : 0;
	memcpy(num, c->arg, n);
	num[n] = '\0';
	if (str_to_i64(num, qid) == -1 || str_to_i64(colon + 1, &off) == -1 || off < 0 ||
	    off > 10000000)
		return view_damaged(c) == -1 ? -1 : 0;
	r = query_load(c->db, *qid, c->user_id, k, sizeof(k), text, textsz);
	if (r == -1)
		return -1;
	if (r == 0 || strcmp(k, kind) != 0) {
		buf_init(&b, 0);
		buf_printf(&b, TR(c, "Список устарел: повторите %s.", "The list is stale: run %s "
		    "again."), list);
		r = reply_edit_error(c, b.ptr);
		buf_release(&b);
		return r == -1 ? -1 : 0;
	}
	*offset = (int)off;
	return 1;
}
