/*
 * access_request.c — the access requests an unknown user's /start sends to every superadmin, and
 * the buttons that decide them (approve as a role, or deny). Granting superadmin itself is left
 * to /grant.
 */
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"


#define ACCESS_REQUEST_COOLDOWN (24 * 3600)	/* seconds after a denial before a new request */

/* Roles a superadmin may grant straight from an access request. Superadmin itself is granted
 * deliberately with /grant, never by one tap. */
static const unsigned areq_grantable[] = {
	ROLE_SUPPORT, ROLE_DEVELOPER, ROLE_BILLING, ROLE_MANAGER,
};

struct areq_admins {
	int64_t	 ids[64];
	int	 n;
};

static void
areq_collect_admin(const struct member *m, void *arg)
{
	struct areq_admins *ad = arg;
	int i;

	if (!(m->roles & ROLE_SUPERADMIN))
		return;
	for (i = 0; i < ad->n; i++)
		if (ad->ids[i] == m->user_id)
			return;
	if (ad->n < (int)(sizeof(ad->ids) / sizeof(ad->ids[0])))
		ad->ids[ad->n++] = m->user_id;
}

/* Every superadmin: the bootstrap list from the configuration and those granted since. */
static int
areq_superadmins(struct ctx *c, struct areq_admins *ad)
{
	struct member m;
	int i;

	ad->n = 0;
	for (i = 0; i < c->cfg->nsuperadmins; i++) {
		m.user_id = c->cfg->superadmins[i];
		m.roles = ROLE_SUPERADMIN;
		areq_collect_admin(&m, ad);
	}
	return team_list(c->db, areq_collect_admin, ad) == -1 ? -1 : 0;
}

/* An unknown user's /start: a polite answer and, once, a request to every superadmin. */
int
access_request_send(struct ctx *c)
{
	struct areq_admins ad;
	struct buf b;
	struct kb k;
	char key[64];
	int64_t id, denied_at = 0;
	size_t i;
	int r, j, rc = -1;

	if (c->is_group)
		return 0;
	/* a denied person may ask again only after a day: no flood of requests to the admins */
	r = access_request_last_denial(c->db, c->user_id, &denied_at);
	if (r == -1)
		return -1;
	if (r == 1 && c->now - denied_at < ACCESS_REQUEST_COOLDOWN) {
		log_info("access request from user %lld refused: denied %llds ago",
		    (long long)c->user_id, (long long)(c->now - denied_at));
		return reply(c, TR(c, "Ваш запрос доступа недавно отклонён. Повторный запрос можно "
		    "отправить через сутки.", "Your access request was denied recently. You may ask "
		    "again after a day."), NULL);
	}
	r = access_request_add(c->db, c->user_id, c->username, c->first_name, c->chat_id, c->now,
	    &id);
	if (r == -1)
		return -1;
	if (r == 0)
		return reply(c, TR(c, "Ваш запрос доступа уже ждёт решения администратора.",
		    "Your access request is already waiting for an administrator."), NULL);
	log_info("access request %lld from user %lld", (long long)id, (long long)c->user_id);
	if (areq_superadmins(c, &ad) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, TR(c, "🔑 <b>Запрос доступа</b>\n", "🔑 <b>Access request</b>\n"));
	view_person(&b, c->first_name, c->username, c->user_id);
	buf_adds(&b, TR(c, "\nКакую роль выдать?", "\nWhich role to grant?"));
	kb_init(&k);
	for (i = 0; i < sizeof(areq_grantable) / sizeof(areq_grantable[0]); i++) {
		if (i == 2)
			kb_row(&k);
		kb_button(&k, view_role(c, areq_grantable[i]), "areq_ok:%lld:%s",
		    (long long)id, role_name(areq_grantable[i]));
	}
	kb_row(&k);
	kb_button(&k, TR(c, "✖️ Отклонить", "✖️ Deny"), "areq_no:%lld", (long long)id);
	for (j = 0; j < ad.n; j++) {
		snprintf(key, sizeof(key), "areq%lld:%lld", (long long)id, (long long)ad.ids[j]);
		if (notify(c, ad.ids[j], b.ptr, &k, key) == -1)
			goto out;
	}
	rc = reply(c, TR(c,
	    "Здравствуйте! Это внутренний бот команды. Запрос доступа отправлен администраторам; "
	    "я напишу, когда его рассмотрят.",
	    "Hello! This is the team's internal bot. Your access request went to the "
	    "administrators; I will write when it is decided."), NULL);
out:
	buf_release(&b);
	return rc;
}

/* Parses "<id>" or "<id>:<role>" from a button argument. */
static int
areq_parse_request_arg(const char *arg, int64_t *id, unsigned *role)
{
	char num[24];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, arg, n);
	num[n] = '\0';
	if (str_to_i64(num, id) == -1 || *id <= 0)
		return -1;
	*role = 0;
	if (colon != NULL && (*role = role_parse(colon + 1)) == 0)
		return -1;
	return 0;
}

static int
areq_decide(struct ctx *c, int approve)
{
	struct access_request ar;
	unsigned role = 0;
	struct buf b, t;
	int64_t id;
	int r, rc = -1;
	size_t i;

	if (areq_parse_request_arg(c->arg, &id, &role) == -1 || (approve && role == 0))
		return view_damaged(c);
	if (approve) {
		for (i = 0; i < sizeof(areq_grantable) / sizeof(areq_grantable[0]); i++)
			if (areq_grantable[i] == role)
				break;
		if (i == sizeof(areq_grantable) / sizeof(areq_grantable[0]))
			return reply_edit(c, TR(c, "Эту роль так выдать нельзя: используйте /grant.",
			    "This role cannot be granted here; use /grant."), NULL);
	}
	r = access_request_get(c->db, id, &ar);
	if (r != 1)
		return r == -1 ? -1 : reply_edit(c, TR(c, "Запрос не найден.", "No such request."),
		    NULL);
	buf_init(&b, 0);
	buf_init(&t, 0);
	r = access_request_decide(c->db, id, approve ? AREQ_APPROVED : AREQ_DENIED, role,
	    c->user_id, c->now);
	if (r == -1)
		goto out;
	if (r == 0) {
		buf_adds(&b, TR(c, "Этот запрос уже рассмотрен: ", "This request was already decided: "));
		view_person(&b, ar.name, ar.username, ar.user_id);
		rc = reply_edit(c, b.ptr, NULL);
		goto out;
	}
	{
		char detail[160];

		snprintf(detail, sizeof(detail), "request %lld: user %lld %s%s", (long long)id,
		    (long long)ar.user_id, approve ? "+" : "denied", approve ? role_name(role) : "");
		if (view_audit(c, 0, approve ? "team.grant" : "team.request_deny", "access request",
		    0, detail) == -1)
			goto out;
	}
	if (approve) {
		if (team_upsert(c->db, ar.user_id, ar.username, ar.name, c->now) == -1 ||
		    team_grant(c->db, ar.user_id, role, c->user_id, c->now) == -1 ||
		    menu_refresh(c->app, c->db, ar.user_id) == -1)
			goto out;
		buf_printf(&b, "✅ %s ", TR(c, "Доступ выдан:", "Access granted:"));
		view_person(&b, ar.name, ar.username, ar.user_id);
		buf_printf(&b, TR(c, " — роль «%s»", " — role “%s”"), view_role(c, role));
		buf_printf(&t, TR(c, "✅ Доступ открыт, ваша роль — «%s». Команды: /help",
		    "✅ Access granted; your role is “%s”. Commands: /help"), view_role(c, role));
	} else {
		buf_printf(&b, "✖️ %s ", TR(c, "Запрос отклонён:", "Request denied:"));
		view_person(&b, ar.name, ar.username, ar.user_id);
		buf_adds(&t, TR(c, "Запрос доступа отклонён администратором.",
		    "Your access request was denied by an administrator."));
	}
	buf_adds(&b, TR(c, "\nРешение: ", "\nDecided by: "));
	view_person(&b, c->first_name, c->username, c->user_id);
	log_info("access request %lld %s by user %lld", (long long)id,
	    approve ? "approved" : "denied", (long long)c->user_id);
	if (reply_edit(c, b.ptr, NULL) == -1 || notify(c, ar.chat_id, t.ptr, NULL, NULL) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&b);
	buf_release(&t);
	return rc;
}

static int
areq_approve(struct ctx *c)
{
	return areq_decide(c, 1);
}

static int
areq_deny(struct ctx *c)
{
	return areq_decide(c, 0);
}

/* Buttons. Columns: verb, permission, flags, handler. */
const struct button access_request_buttons[] = {
	{ "areq_ok", ROLE_SUPERADMIN, CMD_WRITES, areq_approve, NULL },
	{ "areq_no", ROLE_SUPERADMIN, CMD_WRITES, areq_deny, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
