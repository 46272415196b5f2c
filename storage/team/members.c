/*
 * members.c — team members, their roles (one row per role, stored by name) and access requests.
 * The roles of a member are read back as the enum role bitmask.
 */
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

/* In enum role's bit order: role_names[i] is the name of 1u << i. Names are stored: never rename. */
static const char *const role_names[ROLE_COUNT] = {
	"superadmin", "support", "developer", "billing", "manager",
};
_Static_assert(ROLE_ALL == (1u << ROLE_COUNT) - 1, "role_names covers every role bit");

const char *
role_name(unsigned role)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++)
		if (role == 1u << i)
			return role_names[i];
	return NULL;
}

unsigned
role_parse(const char *name)
{
	int i;

	if (name == NULL)
		return 0;
	for (i = 0; i < ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

#define TEAM_COLS "m.user_id, m.username, m.name, m.added_at, r.role"

/*
 * Reads member rows joined with their roles (TEAM_COLS, one row per role, a member's rows
 * adjacent) and calls fn once per member with the roles gathered. Returns members seen or -1.
 */
static int
team_gather(struct db *db, sqlite3_stmt *st, void (*fn)(const struct member *, void *),
    void *arg)
{
	struct member m;
	int64_t uid;
	int n = 0, r;

	memset(&m, 0, sizeof(m));
	while ((r = db_step(db, st)) == 1) {
		uid = sqlite3_column_int64(st, 0);
		if (n == 0 || uid != m.user_id) {
			if (n > 0)
				fn(&m, arg);
			memset(&m, 0, sizeof(m));
			m.user_id = uid;
			db_col_copy(st, 1, m.username, sizeof(m.username));
			db_col_copy(st, 2, m.name, sizeof(m.name));
			m.added_at = sqlite3_column_int64(st, 3);
			n++;
		}
		/* A LEFT JOIN gives NULL for a member without roles; an unknown name adds nothing. */
		m.roles |= role_parse((const char *)sqlite3_column_text(st, 4));
	}
	if (r == -1)
		return -1;
	if (n > 0)
		fn(&m, arg);
	return n;
}

static void
team_keep(const struct member *m, void *arg)
{
	*(struct member *)arg = *m;
}

int
team_get(struct db *db, int64_t user_id, struct member *out)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT " TEAM_COLS " FROM members m LEFT JOIN member_roles r USING (user_id)"
	    " WHERE m.user_id = ?1");
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, user_id)) == 0)
		rc = team_gather(db, st, team_keep, out);
	db_done(st);
	return rc;
}

/* Accepts "@name", "name" (usernames compare case-insensitively) or a numeric user id. */
int
team_find(struct db *db, const char *who, struct member *out)
{
	sqlite3_stmt *st;
	int64_t id;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (who == NULL)
		return 0;
	if (str_to_i64(who, &id) == 0)
		return team_get(db, id, out);
	if (*who == '@')
		who++;
	if (*who == '\0')
		return 0;
	/* "username <> ''" repeats the partial index's condition so the index serves the lookup. */
	st = db_stmt(db, "SELECT user_id FROM members WHERE username = ?1 COLLATE NOCASE"
	    " AND username <> ''");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, who)) == -1)
		goto out;
	if ((rc = db_step(db, st)) == 1)
		id = sqlite3_column_int64(st, 0);
	db_done(st);
	if (rc == 1)
		rc = team_get(db, id, out);
out:
	db_done(st);
	return rc;
}

/*
 * Telegram usernames are unique at any moment, so whoever claims one now takes it from a member
 * who held it before (and has since changed it): lookups by username stay unambiguous.
 */
int
team_upsert(struct db *db, int64_t user_id, const char *username, const char *name, int64_t now)
{
	sqlite3_stmt *st;

	if (username == NULL)
		username = "";
	if (*username == '@')
		username++;
	st = db_stmt(db, "UPDATE members SET username = '' WHERE username = ?1 COLLATE NOCASE"
	    " AND username <> '' AND user_id <> ?2");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, username) |
	    sqlite3_bind_int64(st, 2, user_id)) == -1 || db_run(db, st) == -1)
		goto fail;
	st = db_stmt(db, "INSERT INTO members(user_id, username, name, added_at)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(user_id) DO UPDATE"
	    " SET username = excluded.username, name = excluded.name");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    db_bind_str(st, 2, username) | db_bind_str(st, 3, name ? name : "") |
	    sqlite3_bind_int64(st, 4, now)) == -1)
		goto fail;
	return db_run(db, st);
fail:
	db_done(st);
	return -1;
}

/*
 * Grants every role in the mask. A user who is not yet a member becomes one with empty names
 * (team_upsert fills them in). A role already held keeps its original grant.
 */
int
team_grant(struct db *db, int64_t user_id, unsigned role, int64_t by, int64_t now)
{
	sqlite3_stmt *st;
	int i;

	if (role == 0 || (role & ~ROLE_ALL) != 0) {
		log_error("team: not a role mask: %#x", role);
		return -1;
	}
	st = db_stmt(db, "INSERT INTO members(user_id, added_at) VALUES (?1, ?2)"
	    " ON CONFLICT(user_id) DO NOTHING");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    sqlite3_bind_int64(st, 2, now)) == -1 || db_run(db, st) == -1)
		goto fail;
	for (i = 0; i < ROLE_COUNT; i++) {
		if ((role & (1u << i)) == 0)
			continue;
		st = db_stmt(db, "INSERT INTO member_roles(user_id, role, granted_by, granted_at)"
		    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(user_id, role) DO NOTHING");
		if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
		    db_bind_str(st, 2, role_names[i]) | sqlite3_bind_int64(st, 3, by) |
		    sqlite3_bind_int64(st, 4, now)) == -1 || db_run(db, st) == -1)
			goto fail;
	}
	return 0;
fail:
	db_done(st);
	return -1;
}

/* Revokes every role in the mask; revoking a role not held is not an error. */
int
team_revoke(struct db *db, int64_t user_id, unsigned role)
{
	sqlite3_stmt *st = NULL;
	int i;

	if (role == 0 || (role & ~ROLE_ALL) != 0) {
		log_error("team: not a role mask: %#x", role);
		return -1;
	}
	for (i = 0; i < ROLE_COUNT; i++) {
		if ((role & (1u << i)) == 0)
			continue;
		st = db_stmt(db, "DELETE FROM member_roles WHERE user_id = ?1 AND role = ?2");
		if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
		    db_bind_str(st, 2, role_names[i])) == -1 || db_run(db, st) == -1) {
			db_done(st);
			return -1;
		}
	}
	return 0;
}

/* fn runs while the list's statement is active: it must not call team_list itself. */
int
team_list(struct db *db, void (*fn)(const struct member *, void *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT " TEAM_COLS " FROM members m JOIN member_roles r USING (user_id)"
	    " ORDER BY m.name COLLATE NOCASE, m.user_id");
	int rc = -1;

	if (st != NULL)
		rc = team_gather(db, st, fn, arg);
	db_done(st);
	return rc;
}

/* Members holding the one role given; -1 for a mask that is not a single role. */
int
team_count_role(struct db *db, unsigned role)
{
	const char *name = role_name(role);
	sqlite3_stmt *st;
	int n = -1;

	if (name == NULL) {
		log_error("team: not a role: %#x", role);
		return -1;
	}
	st = db_stmt(db, "SELECT count(*) FROM member_roles WHERE role = ?1");
	if (st != NULL && db_bound(db, st, db_bind_str(st, 1, name)) == 0 && db_step(db, st) == 1)
		n = sqlite3_column_int(st, 0);
	db_done(st);
	return n;
}

int
access_request_add(struct db *db, int64_t user_id, const char *username, const char *name,
    int64_t chat_id, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db,
	    "INSERT INTO access_requests(user_id, username, name, chat_id, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(user_id) WHERE state = 0 DO NOTHING");
	int rc = -1;

	if (username != NULL && *username == '@')
		username++;
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id) |
	    db_bind_str(st, 2, username ? username : "") | db_bind_str(st, 3, name ? name : "") |
	    sqlite3_bind_int64(st, 4, chat_id) | sqlite3_bind_int64(st, 5, now)) == -1 ||
	    db_step(db, st) == -1)
		goto out;
	if (db_changes(db) == 1) {
		if (id != NULL)
			*id = db_last_id(db);
		rc = 1;
		goto out;
	}
	db_done(st);
	st = db_stmt(db, "SELECT id FROM access_requests WHERE user_id = ?1 AND state = 0");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id)) == -1)
		goto out;
	if (db_step(db, st) == 1 && id != NULL)
		*id = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	db_done(st);
	return rc;
}

int
access_request_get(struct db *db, int64_t id, struct access_request *out)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT id, user_id, username, name, chat_id, state, role, decided_by, created_at"
	    " FROM access_requests WHERE id = ?1");
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id)) == -1)
		goto out;
	if ((rc = db_step(db, st)) == 1) {
		out->id = sqlite3_column_int64(st, 0);
		out->user_id = sqlite3_column_int64(st, 1);
		db_col_copy(st, 2, out->username, sizeof(out->username));
		db_col_copy(st, 3, out->name, sizeof(out->name));
		out->chat_id = sqlite3_column_int64(st, 4);
		out->state = sqlite3_column_int(st, 5);
		out->role = role_parse((const char *)sqlite3_column_text(st, 6));
		out->decided_by = sqlite3_column_int64(st, 7);
		out->created_at = sqlite3_column_int64(st, 8);
	}
out:
	db_done(st);
	return rc;
}

/*
 * Decides a pending request once: approving needs exactly one role, denying records none.
 * Granting the role is the caller's step, in the same transaction.
 */
int
access_request_decide(struct db *db, int64_t id, int state, unsigned role, int64_t by,
    int64_t now)
{
	const char *rname = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (state == AREQ_APPROVED) {
		if ((rname = role_name(role)) == NULL) {
			log_error("team: approving needs one role, not %#x", role);
			return -1;
		}
	} else if (state != AREQ_DENIED) {
		log_error("team: not a decision: %d", state);
		return -1;
	}
	st = db_stmt(db, "UPDATE access_requests SET state = ?2, role = ?3, decided_by = ?4,"
	    " decided_at = ?5 WHERE id = ?1 AND state = 0");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int(st, 2, state) | db_bind_str(st, 3, rname) |
	    sqlite3_bind_int64(st, 4, by) | sqlite3_bind_int64(st, 5, now)) == -1 ||
	    db_step(db, st) == -1)
		goto out;
	rc = db_changes(db) == 1;
out:
	db_done(st);
	return rc;
}

/* When the user's latest request was denied: 1 (time in *at), 0 never denied, -1 error. */
int
access_request_last_denial(struct db *db, int64_t user_id, int64_t *at)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT max(decided_at) FROM access_requests WHERE user_id = ?1 AND state = 2");
	int r = -1;

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, user_id)) == -1)
		goto out;
	r = db_step(db, st);
	if (r == 1) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			r = 0;
		else
			*at = sqlite3_column_int64(st, 0);
	}
out:
	db_done(st);
	return r;
}
