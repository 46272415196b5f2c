/*
 * team_roles.c — the team and its roles: /team lists members, /grant and /revoke (superadmins)
 * change roles. A member is named by @username or id, or picked from a list. The last superadmin
 * cannot be removed; superadmins from the configuration are changed only there. Every change is
 * audited and the member's command menu follows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"

#define TEAM_LIST_MAX 64

struct team_rows {
	struct member	 m[TEAM_LIST_MAX];
	int		 n;
};

static void
team_collect(const struct member *m, void *arg)
{
	struct team_rows *t = arg;

	if (t->n < TEAM_LIST_MAX)
		t->m[t->n++] = *m;
}

/* Members with a role, plus the configuration's superadmins not in the table. */
static int
team_rows(struct ctx *c, struct team_rows *t)
{
	int i, j;

	t->n = 0;
	if (team_list(c->db, team_collect, t) == -1)
		return -1;
	for (i = 0; i < t->n; i++)
		if (cfg_is_superadmin(c->cfg, t->m[i].user_id))
			t->m[i].roles |= ROLE_SUPERADMIN;
	for (i = 0; i < c->cfg->nsuperadmins && t->n < TEAM_LIST_MAX; i++) {
		for (j = 0; j < t->n; j++)
			if (t->m[j].user_id == c->cfg->superadmins[i])
				break;
		if (j < t->n)
			continue;
		memset(&t->m[t->n], 0, sizeof(t->m[t->n]));
		if (team_get(c->db, c->cfg->superadmins[i], &t->m[t->n]) == -1)
			return -1;
		t->m[t->n].user_id = c->cfg->superadmins[i];
		t->m[t->n].roles |= ROLE_SUPERADMIN;
		t->n++;
	}
	return 0;
}

static int
team_cmd(struct ctx *c)
{
	struct team_rows *t;
	struct buf b;
	int i, rc = -1;

	if ((t = calloc(1, sizeof(*t))) == NULL || team_rows(c, t) == -1)
		goto out;
	buf_init(&b, 0);
	buf_printf(&b, TR(c, "👥 <b>Команда</b> (%d)\n", "👥 <b>Team</b> (%d)\n"), t->n);
	for (i = 0; i < t->n; i++) {
		buf_adds(&b, "\n• ");
		view_person(&b, t->m[i].name, t->m[i].username, t->m[i].user_id);
		buf_adds(&b, " — ");
		view_roles(c, t->m[i].roles, &b);
		if (cfg_is_superadmin(c->cfg, t->m[i].user_id))
			buf_adds(&b, TR(c, " (суперадмин из конфигурации)", " (superadmin from the config)"));
	}
	if (gate_allows(c->is_member, c->roles, ROLE_SUPERADMIN))
		buf_adds(&b, TR(c, "\n\nРоли: /grant и /revoke, например <code>/grant @ivan support"
		    "</code>", "\n\nRoles: /grant and /revoke, e.g. <code>/grant @ivan support</code>"));
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
out:
	free(t);
	return rc;
}

/* Superadmins there would be after taking the role from user_id. */
static int
team_superadmins_after_revoke(struct ctx *c, int64_t user_id)
{
	struct team_rows *t = calloc(1, sizeof(*t));
	int i, n = 0;

	if (t == NULL || team_rows(c, t) == -1) {
		free(t);
		return -1;
	}
	for (i = 0; i < t->n; i++)
		if ((t->m[i].roles & ROLE_SUPERADMIN) && t->m[i].user_id != user_id)
			n++;
	free(t);
	return n;
}

/* Applies a grant (or a revoke) after every check; answers either way. */
static int
team_change(struct ctx *c, struct member *m, unsigned role, int grant, int edit)
{
	struct buf b, d;
	int r, rc = -1, dropped = 0;

	buf_init(&b, 0);
	if (!grant && role == ROLE_SUPERADMIN && cfg_is_superadmin(c->cfg, m->user_id)) {
		buf_adds(&b, TR(c, "Этот суперадмин задан в конфигурации ([access] superadmins): "
		    "уберите его оттуда и перечитайте конфигурацию (SIGHUP).", "This superadmin comes "
		    "from the configuration ([access] superadmins): remove them there and reload."));
		goto say;
	}
	if (!grant && role == ROLE_SUPERADMIN) {
		r = team_superadmins_after_revoke(c, m->user_id);
		if (r == -1)
			goto out;
		if (r == 0) {
			buf_adds(&b, TR(c, "Это последний суперадмин — роль не снять. Сначала выдайте "
			    "её кому-то ещё.", "This is the last superadmin; grant the role to someone "
			    "else first."));
			goto say;
		}
	}
	if (grant && (m->roles & role)) {
		buf_printf(&b, TR(c, "У сотрудника уже есть роль «%s».", "They already hold “%s”."),
		    view_role(c, role));
		goto say;
	}
	if (!grant && !(m->roles & role)) {
		buf_printf(&b, TR(c, "У сотрудника нет роли «%s».", "They do not hold “%s”."),
		    view_role(c, role));
		goto say;
	}
	if ((grant ? team_grant(c->db, m->user_id, role, c->user_id, c->now) :
	    team_revoke(c->db, m->user_id, role)) == -1)
		goto out;
	buf_init(&d, 200);
	buf_printf(&d, "user %lld %s %s", (long long)m->user_id, grant ? "+" : "-", role_name(role));
	r = view_audit(c, 0, grant ? "team.grant" : "team.revoke", "", 0, d.ptr);
	buf_release(&d);
	if (r == -1 || menu_refresh(c->app, c->db, m->user_id) == -1)
		goto out;
	/* a revoked role ends the member's access sessions: they open anew under the roles left;
	 * and the dialogs they had open, so a half-filled form never resumes on a later grant */
	if (!grant) {
		int n = access_close(c->db, m->user_id, 0, c->now);

		if (n == -1 || (n > 0 && view_audit(c, 0, "access.close", "role revoked", 0,
		    "sessions of the member closed") == -1))
			goto out;
		if ((dropped = dialog_end_user(c->db, m->user_id)) == -1)
			goto out;
	}
	log_info("user %lld: role %s %s by user %lld%s", (long long)m->user_id, role_name(role),
	    grant ? "granted" : "revoked", (long long)c->user_id,
	    dropped > 0 ? "; their open dialog closed" : "");
	buf_adds(&b, grant ? "✅ " : "➖ ");
	view_person(&b, m->name, m->username, m->user_id);
	buf_printf(&b, grant ? TR(c, ": выдана роль «%s».", ": granted “%s”.") :
	    TR(c, ": снята роль «%s».", ": “%s” revoked."), view_role(c, role));
	{
		struct buf t;

		buf_init(&t, 0);
		buf_printf(&t, grant ? TR(c, "Вам выдана роль «%s». Команды: /help",
		    "You were granted “%s”. Commands: /help") : TR(c, "С вас снята роль «%s».",
		    "Your role “%s” was revoked."), view_role(c, role));
		if (dropped > 0)
			buf_adds(&t, TR(c, " Незаконченный диалог закрыт; из него ничего не "
			    "сохранено.", " The dialog you had open is closed; nothing of it was "
			    "saved."));
		r = m->user_id != c->user_id ? notify(c, m->user_id, t.ptr, NULL, NULL) : 0;
		buf_release(&t);
		if (r == -1)
			goto out;
	}
say:
	rc = edit ? reply_edit(c, b.ptr, NULL) : reply(c, b.ptr, NULL);
out:
	buf_release(&b);
	return rc;
}

/* Buttons to pick a member (verb:<user id>) — for /grant and /revoke without arguments. */
static int
team_pick(struct ctx *c, const char *verb, const char *question)
{
	struct team_rows *t = calloc(1, sizeof(*t));
	struct kb k;
	int i, rc = -1;

	if (t == NULL || team_rows(c, t) == -1)
		goto out;
	kb_init(&k);
	for (i = 0; i < t->n && i < 40; i++) {
		char label[300];

		snprintf(label, sizeof(label), "%s%s%s", t->m[i].name[0] ? t->m[i].name : "id",
		    t->m[i].username[0] ? " @" : "", t->m[i].username);
		if (i % 2 == 0)
			kb_row(&k);
		kb_button(&k, label, "%s:%lld", verb, (long long)t->m[i].user_id);
	}
	rc = reply(c, question, &k);
out:
	free(t);
	return rc;
}

/* Buttons to pick a role for a member: "tgr:<id>:<role>" or "trv:<id>:<role>". */
static int
team_pick_role(struct ctx *c, const struct member *m, int grant)
{
	struct buf b;
	struct kb k;
	unsigned r;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, grant ? TR(c, "Какую роль выдать: ", "Which role to grant: ") :
	    TR(c, "Какую роль снять: ", "Which role to revoke: "));
	view_person(&b, m->name, m->username, m->user_id);
	buf_adds(&b, "?");
	kb_init(&k);
	for (r = 1; r <= ROLE_MANAGER; r <<= 1) {
		if (grant == !!(m->roles & r))
			continue;
		kb_button(&k, view_role(c, r), "%s:%lld:%s", grant ? "tgr" : "trv",
		    (long long)m->user_id, role_name(r));
	}
	if (k.n == 0)
		buf_adds(&b, grant ? TR(c, "\nУ сотрудника уже есть все роли.",
		    "\nThey hold every role already.") : TR(c, "\nУ сотрудника нет ролей.",
		    "\nThey hold no role."));
	rc = reply_edit(c, b.ptr, &k);
	buf_release(&b);
	return rc;
}

/* The member named by "@user" or an id (config superadmins included). 1, 0 answered, -1. */
static int
team_resolve(struct ctx *c, const char *who, struct member *m, int may_be_new)
{
	int64_t id;
	int r;

	r = team_find(c->db, who, m);
	if (r == -1)
		return -1;
	if (r == 0 && may_be_new && str_to_i64(who, &id) == 0 && id > 0) {
		/* by id, someone who has not written to the bot yet may be granted a role */
		memset(m, 0, sizeof(*m));
		m->user_id = id;
		r = 1;
	}
	if (r == 0) {
		struct buf b;
		int rc;

		buf_init(&b, 0);
		buf_adds(&b, TR(c, "Сотрудник «", "No team member “"));
		buf_add_quote(&b, who);
		buf_adds(&b, TR(c, "» не найден. Укажите @username того, кто уже писал боту, или "
		    "числовой id (его покажет /whoami).", "” found. Give the @username of someone who "
		    "has written to the bot, or a numeric id (/whoami shows it)."));
		rc = reply_error(c, b.ptr);
		buf_release(&b);
		return rc == -1 ? -1 : 0;
	}
	if (cfg_is_superadmin(c->cfg, m->user_id))
		m->roles |= ROLE_SUPERADMIN;
	return 1;
}

static int
team_grant_revoke_cmd(struct ctx *c, int grant)
{
	char who[128], rolename[32];
	struct member m;
	unsigned role;
	const char *rest;
	int r;

	if (c->args[0] == '\0')
		return team_pick(c, grant ? "tgp" : "trp", grant ?
		    TR(c, "Кому выдать роль?", "Grant a role to whom?") :
		    TR(c, "У кого снять роль?", "Revoke a role from whom?"));
	rest = view_word(view_word(c->args, who, sizeof(who)), rolename, sizeof(rolename));
	if (*rest != '\0' || (rolename[0] && (role = role_parse(rolename)) == 0))
		return reply_error(c, TR(c, "Формат: <code>/grant @user роль</code>. Роли: "
		    "superadmin, support, developer, billing, manager.", "Usage: <code>/grant @user "
		    "role</code>. Roles: superadmin, support, developer, billing, manager."));
	r = team_resolve(c, who, &m, grant);
	if (r != 1)
		return r;
	if (rolename[0] == '\0')
		return team_pick_role(c, &m, grant);
	role = role_parse(rolename);
	if (grant && m.name[0] == '\0' && m.username[0] == '\0' &&
	    team_upsert(c->db, m.user_id, "", "", c->now) == -1)
		return -1;
	return team_change(c, &m, role, grant, 0);
}

static int
team_grant_cmd(struct ctx *c)
{
	return team_grant_revoke_cmd(c, 1);
}

static int
team_revoke_cmd(struct ctx *c)
{
	return team_grant_revoke_cmd(c, 0);
}

/* "tgp:<id>" / "trp:<id>": a member picked; now the role. */
static int
team_member_btn(struct ctx *c, int grant)
{
	struct member m;
	int r = team_resolve(c, c->arg, &m, 0);

	return r != 1 ? r : team_pick_role(c, &m, grant);
}

static int
team_grant_pick_btn(struct ctx *c)
{
	return team_member_btn(c, 1);
}

static int
team_revoke_pick_btn(struct ctx *c)
{
	return team_member_btn(c, 0);
}

/* "tgr:<id>:<role>" / "trv:<id>:<role>" */
static int
team_role_btn(struct ctx *c, int grant)
{
	const char *colon = strchr(c->arg, ':');
	char who[24];
	struct member m;
	unsigned role;
	size_t n;
	int r;

	n = colon ? (size_t)(colon - c->arg) : 0;
	if (n == 0 || n >= sizeof(who) || (role = role_parse(colon + 1)) == 0)
		return view_damaged(c);
	memcpy(who, c->arg, n);
	who[n] = '\0';
	r = team_resolve(c, who, &m, 0);
	return r != 1 ? r : team_change(c, &m, role, grant, 1);
}

static int
team_grant_btn(struct ctx *c)
{
	return team_role_btn(c, 1);
}

static int
team_revoke_btn(struct ctx *c)
{
	return team_role_btn(c, 0);
}

const struct command team_commands[] = {
	{ "team", "", PERM_MEMBER, 0, 0,
	  "команда и роли", "the team and its roles", team_cmd },
	{ "grant", "[@user роль]", ROLE_SUPERADMIN, CMD_WRITES, 0,
	  "выдать роль сотруднику", "grant a role", team_grant_cmd },
	{ "revoke", "[@user роль]", ROLE_SUPERADMIN, CMD_WRITES, 0,
	  "снять роль с сотрудника", "revoke a role", team_revoke_cmd },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, NULL },
};

const struct button team_buttons[] = {
	{ "tgp", ROLE_SUPERADMIN, 0, team_grant_pick_btn, NULL },
	{ "trp", ROLE_SUPERADMIN, 0, team_revoke_pick_btn, NULL },
	{ "tgr", ROLE_SUPERADMIN, CMD_WRITES, team_grant_btn, NULL },
	{ "trv", ROLE_SUPERADMIN, CMD_WRITES, team_revoke_btn, NULL },
	{ NULL, 0, 0, NULL, NULL },
};
