/*
 * menu.c — each member's command menu (setMyCommands with a per-chat scope) shows what they may
 * run; the default scope shows /start and /help. Display only: the gate enforces access.
 * A menu is queued only when its content changed since the last one queued for that scope.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

static uint64_t
menu_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Queues setMyCommands for one scope: user_id 0 = the default scope. */
static int
menu_queue(struct db *db, enum lang lang, int64_t user_id, int is_member, unsigned roles)
{
	const struct command *c;
	cJSON *o, *cmds, *item, *scope;
	char key[48], hash[24], last[24], *payload;
	size_t i;
	int r;

	o = cJSON_CreateObject();
	cmds = cJSON_AddArrayToObject(o, "commands");
	for (i = 0; (c = registry_command_at(i)) != NULL && i < 100; i++) {
		if ((c->flags & CMD_HIDDEN) || !gate_allows(is_member, roles, c->perm))
			continue;
		if (!is_member && c->perm != PERM_PUBLIC)
			continue;
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "command", c->name);
		cJSON_AddStringToObject(item, "description", lang == LANG_EN ? c->help_en : c->help_ru);
		cJSON_AddItemToArray(cmds, item);
	}
	scope = cJSON_AddObjectToObject(o, "scope");
	if (user_id != 0) {
		cJSON_AddStringToObject(scope, "type", "chat");
		cJSON_AddNumberToObject(scope, "chat_id", (double)user_id);
	} else
		cJSON_AddStringToObject(scope, "type", "default");
	payload = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (payload == NULL)
		return -1;
	/* the last menu queued for this scope is remembered; only a different one goes out
	 * (A → B → A sends A again, which a dedupe key of the content would not) */
	snprintf(key, sizeof(key), "menu:%lld", (long long)user_id);
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)menu_hash(payload));
	r = state_get_str(db, key, last, sizeof(last));
	if (r == 1 && strcmp(last, hash) == 0)
		r = 0;
	else if (r != -1)
		r = outbox_add(db, 0, 0, "setMyCommands", payload, NULL, OUTBOX_PRIO_BULK,
		    clock_now_ms(), NULL) == -1 || state_set_str(db, key, hash) == -1 ? -1 : 0;
	cJSON_free(payload);
	return r == -1 ? -1 : 0;
}

int
menu_refresh(struct app *a, struct db *db, int64_t user_id)
{
	struct member m;
	unsigned roles = 0;
	int r;

	if (user_id == 0)
		return menu_queue(db, a->cfg.language, 0, 0, 0);
	r = team_get(db, user_id, &m);
	if (r == -1)
		return -1;
	if (r == 1)
		roles = m.roles;
	if (cfg_is_superadmin(&a->cfg, user_id))
		roles |= ROLE_SUPERADMIN;
	return menu_queue(db, a->cfg.language, user_id, roles != 0, roles);
}

struct menu_all {
	struct app	*app;
	struct db	*db;
	int		 rc;
};

static void
menu_one(const struct member *m, void *arg)
{
	struct menu_all *ma = arg;

	if (menu_refresh(ma->app, ma->db, m->user_id) == -1)
		ma->rc = -1;
}

/* The default menu and every member's; at start-up (unchanged menus are not re-sent). */
int
menu_refresh_all(struct app *a, struct db *db)
{
	struct menu_all ma = { a, db, 0 };
	int i;

	if (db_begin(db) == -1)
		return -1;
	if (menu_refresh(a, db, 0) == -1 || team_list(db, menu_one, &ma) == -1 || ma.rc == -1)
		goto fail;
	for (i = 0; i < a->cfg.nsuperadmins; i++)
		if (menu_refresh(a, db, a->cfg.superadmins[i]) == -1)
			goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}
