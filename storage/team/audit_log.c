/*
 * audit_log.c — the append-only, hash-chained audit log.
 *
 * Each record's hash is hex(HMAC-SHA256(key, prev_hash || content)), the key being the one in
 * the audit key file (audit_anchor.c), which lives outside the database; records written before
 * the log was keyed (an upgrade, up to the key file's plain_until) use hex(SHA-256(prev_hash ||
 * content)) instead. prev_hash is the previous record's hash in hex (64 zeros before the first
 * record) and content is every field but the hash in this order: id, at, actor, roles,
 * partner_id, action, reason, session_id, detail, prev_hash; each field as a 4-byte big-endian
 * byte length followed by its bytes, integers written in decimal. Ids run 1, 2, 3… without
 * gaps. The head (id and hash of the last record) is also kept in state, written in the same
 * transaction as the record: the link the next record continues from. Verification walks the
 * chain and compares it with the heads in the anchor file, which the database cannot rewrite.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/base.h"
#include "storage/db_private.h"

#define AUDIT_HASH_HEX 64
#define AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_HEAD_ID "audit_head_id"
#define AUDIT_HEAD_HASH "audit_head_hash"

/* The hashed fields as byte strings with lengths: from a struct or straight from a row, so a
 * stored value is hashed exactly as it is, whatever its length. */
struct audit_fields {
	int64_t		 id, at, actor, partner_id, session_id;
	const char	*roles, *action, *reason, *detail, *prev_hash;
	size_t		 roles_n, action_n, reason_n, detail_n, prev_hash_n;
};

/* SHA-256 for a plain record, HMAC-SHA256 for a keyed one, fed the same bytes. */
struct audit_mac {
	int				 keyed;
	crypto_hash_sha256_state	 plain;
	crypto_auth_hmacsha256_state	 hmac;
};

static void
audit_mac_init(struct audit_mac *m, const unsigned char *key)
{
	m->keyed = key != NULL;
	if (m->keyed)
		crypto_auth_hmacsha256_init(&m->hmac, key, crypto_auth_hmacsha256_KEYBYTES);
	else
		crypto_hash_sha256_init(&m->plain);
}

static void
audit_mac_update(struct audit_mac *m, const unsigned char *p, size_t n)
{
	if (m->keyed)
		crypto_auth_hmacsha256_update(&m->hmac, p, n);
	else
		crypto_hash_sha256_update(&m->plain, p, n);
}

static void
audit_mac_final(struct audit_mac *m, unsigned char out[32])
{
	if (m->keyed)
		crypto_auth_hmacsha256_final(&m->hmac, out);
	else
		crypto_hash_sha256_final(&m->plain, out);
	sodium_memzero(m, sizeof(*m));
}

static void
audit_feed(struct audit_mac *h, const char *p, size_t n)
{
	unsigned char len[4];

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	audit_mac_update(h, len, sizeof(len));
	audit_mac_update(h, (const unsigned char *)p, n);
}

static void
audit_feed_int(struct audit_mac *h, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%lld", (long long)v);

	audit_feed(h, t, (size_t)n);
}

static void
audit_hash_fields(const struct audit_fields *f, const unsigned char *key,
    char out[AUDIT_HASH_HEX + 1])
{
	unsigned char md[crypto_hash_sha256_BYTES];
	struct audit_mac h;

	audit_mac_init(&h, key);
	audit_mac_update(&h, (const unsigned char *)f->prev_hash, f->prev_hash_n);
	audit_feed_int(&h, f->id);
	audit_feed_int(&h, f->at);
	audit_feed_int(&h, f->actor);
	audit_feed(&h, f->roles, f->roles_n);
	audit_feed_int(&h, f->partner_id);
	audit_feed(&h, f->action, f->action_n);
	audit_feed(&h, f->reason, f->reason_n);
	audit_feed_int(&h, f->session_id);
	audit_feed(&h, f->detail, f->detail_n);
	audit_feed(&h, f->prev_hash, f->prev_hash_n);
	audit_mac_final(&h, md);
	sodium_bin2hex(out, AUDIT_HASH_HEX + 1, md, sizeof(md));
}

void
audit_hash_with(const struct audit_record *r, const unsigned char *key, char out[65])
{
	struct audit_fields f;

	f.id = r->id;
	f.at = r->at;
	f.actor = r->actor;
	f.partner_id = r->partner_id;
	f.session_id = r->session_id;
	f.roles = r->roles;
	f.roles_n = strlen(r->roles);
	f.action = r->action;
	f.action_n = strlen(r->action);
	f.reason = r->reason;
	f.reason_n = strlen(r->reason);
	f.detail = r->detail;
	f.detail_n = strlen(r->detail);
	f.prev_hash = r->prev_hash;
	f.prev_hash_n = strlen(r->prev_hash);
	audit_hash_fields(&f, key, out);
}

int
audit_hash(const struct audit_record *r, char out[65])
{
	const unsigned char *key;

	out[0] = '\0';
	if (audit_key_for(r->id, &key, NULL) != 0)
		return -1;
	audit_hash_with(r, key, out);
	return 0;
}

/* The stored head: 1 found, 0 none yet, -1 error (including half of it missing). */
static int
audit_stored_head(struct db *db, int64_t *id, char hash[AUDIT_HASH_HEX + 1])
{
	int a, b;

	if ((a = state_get_int(db, AUDIT_HEAD_ID, id)) == -1 ||
	    (b = state_get_str(db, AUDIT_HEAD_HASH, hash, AUDIT_HASH_HEX + 1)) == -1)
		return -1;
	if (a != b) {
		log_error("audit: half of the stored head is missing");
		return -1;
	}
	return a;
}

/*
 * The new record continues from the stored head, not from the table's last row: after a deleted
 * tail the next id leaves a gap that verification reports. A log with records but no stored head
 * is refused rather than re-anchored, and so is a call outside a transaction (the record and the
 * head must be written together).
 */
int
audit_append(struct db *db, struct audit_record *r)
{
	sqlite3_stmt *st;
	int64_t head_id = 0;
	int rc;

	if ((st = db_stmt(db, "SELECT EXISTS (SELECT 1 FROM audit_log)")) == NULL)
		return -1;
	if (sqlite3_get_autocommit(sqlite3_db_handle(st))) {
		log_error("audit: append outside a transaction");
		return -1;
	}
	if ((rc = audit_stored_head(db, &head_id, r->prev_hash)) == -1)
		return -1;
	if (rc == 0) {
		if (db_step(db, st) != 1 || sqlite3_column_int(st, 0) != 0) {
			db_done(st);
			log_error("audit: the log has records but no stored head: not appending");
			return -1;
		}
		db_done(st);
		head_id = 0;
		str_copy(r->prev_hash, sizeof(r->prev_hash), AUDIT_ZERO_HASH);
	}
	r->id = head_id + 1;
	if (audit_hash(r, r->hash) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO audit_log(id, at, actor, roles, partner_id, action, reason,"
	    " session_id, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11)");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, r->id) |
	    sqlite3_bind_int64(st, 2, r->at) | sqlite3_bind_int64(st, 3, r->actor) |
	    db_bind_str(st, 4, r->roles) | sqlite3_bind_int64(st, 5, r->partner_id) |
	    db_bind_str(st, 6, r->action) | db_bind_str(st, 7, r->reason) |
	    sqlite3_bind_int64(st, 8, r->session_id) | db_bind_str(st, 9, r->detail) |
	    db_bind_str(st, 10, r->prev_hash) | db_bind_str(st, 11, r->hash)) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	if (state_set_int(db, AUDIT_HEAD_ID, r->id) == -1 ||
	    state_set_str(db, AUDIT_HEAD_HASH, r->hash) == -1)
		return -1;
	return 0;
}

#define AUDIT_COLS "id, at, actor, roles, partner_id, action, reason, session_id, detail," \
	" prev_hash, hash"
/* ?1 partner, ?2 actor, ?3 since; one text per filter shape so each can use its index. */
#define AUDIT_BY_PARTNER " WHERE partner_id = ?1 AND (?2 = 0 OR actor = ?2) AND at >= ?3"
#define AUDIT_BY_ACTOR " WHERE actor = ?2 AND at >= ?3"
#define AUDIT_BY_TIME " WHERE at >= ?3"
#define AUDIT_PAGE " ORDER BY id DESC LIMIT ?5 OFFSET ?4"

static const char *const audit_count_sql[] = {
	"SELECT count(*) FROM audit_log" AUDIT_BY_PARTNER,
	"SELECT count(*) FROM audit_log" AUDIT_BY_ACTOR,
	"SELECT count(*) FROM audit_log" AUDIT_BY_TIME,
};
static const char *const audit_page_sql[] = {
	"SELECT " AUDIT_COLS " FROM audit_log" AUDIT_BY_PARTNER AUDIT_PAGE,
	"SELECT " AUDIT_COLS " FROM audit_log" AUDIT_BY_ACTOR AUDIT_PAGE,
	"SELECT " AUDIT_COLS " FROM audit_log" AUDIT_BY_TIME AUDIT_PAGE,
};

static void
audit_fill(sqlite3_stmt *st, struct audit_record *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->actor = sqlite3_column_int64(st, 2);
	db_col_copy(st, 3, r->roles, sizeof(r->roles));
	r->partner_id = sqlite3_column_int64(st, 4);
	db_col_copy(st, 5, r->action, sizeof(r->action));
	db_col_copy(st, 6, r->reason, sizeof(r->reason));
	r->session_id = sqlite3_column_int64(st, 7);
	db_col_copy(st, 8, r->detail, sizeof(r->detail));
	db_col_copy(st, 9, r->prev_hash, sizeof(r->prev_hash));
	db_col_copy(st, 10, r->hash, sizeof(r->hash));
}

/* Binds the filters (?1..?3) and, for a page, its place (?4, ?5) to a statement from the
 * tables above. */
static int
audit_bind(struct db *db, sqlite3_stmt *st, int64_t partner_id, int64_t actor, int64_t since,
    int offset, int max)
{
	int rc = sqlite3_bind_int64(st, 1, partner_id) | sqlite3_bind_int64(st, 2, actor) |
	    sqlite3_bind_int64(st, 3, since);

	if (sqlite3_bind_parameter_count(st) >= 5)
		rc |= sqlite3_bind_int(st, 4, offset) | sqlite3_bind_int(st, 5, max);
	return db_bound(db, st, rc);
}

int
audit_query(struct db *db, int64_t partner_id, int64_t actor, int64_t since, int offset,
    int max, struct audit_record *out, int *total)
{
	sqlite3_stmt *st;
	int shape = partner_id != 0 ? 0 : actor != 0 ? 1 : 2;
	int n = 0, r;

	if (total != NULL)
		*total = 0;
	if (offset < 0)
		offset = 0;
	if (max < 0)
		max = 0;
	st = db_stmt(db, audit_count_sql[shape]);
	if (st == NULL || audit_bind(db, st, partner_id, actor, since, offset, max) == -1 ||
	    (r = db_step(db, st)) == -1) {
		db_done(st);
		return -1;
	}
	if (r == 1 && total != NULL)
		*total = sqlite3_column_int(st, 0);
	db_done(st);
	if (max == 0)
		return 0;
	st = db_stmt(db, audit_page_sql[shape]);
	if (st == NULL || audit_bind(db, st, partner_id, actor, since, offset, max) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1)
		audit_fill(st, &out[n++]);
	db_done(st);
	return r == -1 ? -1 : n;
}

/* Column text with its length (NULL reads as ""). */
static const char *
audit_col(sqlite3_stmt *st, int col, size_t *n)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	*n = (size_t)sqlite3_column_bytes(st, col);
	return t != NULL ? t : "";
}

/* The anchors, sorted by id, compared as the walk reaches them: next is the first not yet
 * reached. */
struct audit_anchors {
	struct audit_anchor	*v;
	size_t			 n, next;
};

static void
audit_when(int64_t at, char *out, size_t outsz)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, outsz, "%lld", (long long)at);
}

/* The anchored head a does not match the record with the same id: says where the change lies,
 * between the newest anchor that still matched and this one. */
static void
audit_diverged(const struct audit_anchor *a, struct audit_check *c)
{
	char when[40];
	int n;

	audit_when(a->at, when, sizeof(when));
	n = snprintf(c->why, sizeof(c->why), "differs from the head anchored on %s", when);
	if (n < 0 || (size_t)n >= sizeof(c->why))
		return;
	if (c->anchor_id > 0)
		snprintf(c->why + n, sizeof(c->why) - (size_t)n, "; the anchor of record "
		    "#%lld still matches: rewritten within #%lld…#%lld", (long long)c->anchor_id,
		    (long long)c->anchor_id + 1, (long long)a->id);
	else
		snprintf(c->why + n, sizeof(c->why) - (size_t)n, "; rewritten within "
		    "#1…#%lld", (long long)a->id);
}

/*
 * Walks the rows by id: 0 all consistent (c's count and head), 1 a broken record (c's bad_id and
 * why), -1 error. Checks in order: the id follows the previous one (the first is 1), the row links
 * to the previous hash, the row's hash matches its content under the key, and the row's hash is
 * the one anchored for its id.
 */
static int
audit_walk(struct db *db, struct audit_anchors *an, struct audit_check *c)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " AUDIT_COLS " FROM audit_log ORDER BY id");
	char want[AUDIT_HASH_HEX + 1];
	const struct audit_anchor *a;
	const unsigned char *key;
	struct audit_fields f;
	const char *hash;
	int64_t lost;
	size_t hash_n;
	int r, rc = 0;

	str_copy(c->head_hash, sizeof(c->head_hash), AUDIT_ZERO_HASH);
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		f.id = sqlite3_column_int64(st, 0);
		f.at = sqlite3_column_int64(st, 1);
		f.actor = sqlite3_column_int64(st, 2);
		f.roles = audit_col(st, 3, &f.roles_n);
		f.partner_id = sqlite3_column_int64(st, 4);
		f.action = audit_col(st, 5, &f.action_n);
		f.reason = audit_col(st, 6, &f.reason_n);
		f.session_id = sqlite3_column_int64(st, 7);
		f.detail = audit_col(st, 8, &f.detail_n);
		f.prev_hash = audit_col(st, 9, &f.prev_hash_n);
		hash = audit_col(st, 10, &hash_n);
		c->bad_id = f.id;
		rc = 1;
		if (f.id != c->head_id + 1) {
			snprintf(c->why, sizeof(c->why), "record missing before this one");
			break;
		}
		if (f.prev_hash_n != AUDIT_HASH_HEX || memcmp(f.prev_hash, c->head_hash,
		    AUDIT_HASH_HEX) != 0) {
			snprintf(c->why, sizeof(c->why), "link to previous broken");
			break;
		}
		if ((r = audit_key_for(f.id, &key, &lost)) != 0) {
			if (r == 1)
				snprintf(c->why, sizeof(c->why), "keyed with a key the key file does not "
				    "hold (it was made anew): records #%lld…#%lld cannot be verified until "
				    "the old key file is put back", (long long)f.id, (long long)lost);
			else
				rc = -1;
			r = 0;
			break;
		}
		audit_hash_fields(&f, key, want);
		if (hash_n != AUDIT_HASH_HEX || memcmp(hash, want, AUDIT_HASH_HEX) != 0) {
			snprintf(c->why, sizeof(c->why), "content changed");
			break;
		}
		for (; an->next < an->n && (a = &an->v[an->next])->id == f.id; an->next++) {
			if (memcmp(a->hash, hash, AUDIT_HASH_HEX) != 0)
				break;
			c->anchors++;
			c->anchor_id = a->id;
			c->anchor_at = a->at;
		}
		if (an->next < an->n && an->v[an->next].id == f.id) {
			audit_diverged(&an->v[an->next], c);
			break;
		}
		rc = 0;
		c->head_id = f.id;
		memcpy(c->head_hash, hash, AUDIT_HASH_HEX);
		c->head_hash[AUDIT_HASH_HEX] = '\0';
		c->count++;
	}
	db_done(st);
	if (r == -1)
		return -1;
	if (rc == 0)
		c->bad_id = 0;
	return rc;
}

/*
 * One read transaction (when the caller holds none) covers the walk and the stored head, so a
 * record appended meanwhile by another connection cannot look like a mismatch.
 */
int
audit_verify(struct db *db, struct audit_check *c)
{
	struct audit_anchors an = { NULL, 0, 0 };
	char stored_hash[AUDIT_HASH_HEX + 1], when[40];
	int64_t stored_id = 0;
	sqlite3_stmt *begin;
	int own = 0, rc = -1, r;

	memset(c, 0, sizeof(*c));
	if ((r = audit_anchors_load(&an.v, &an.n, c->why, sizeof(c->why))) != 0)
		return r;	/* a damaged anchor file (1) breaks the proof like a damaged record */
	if ((begin = db_stmt(db, "BEGIN")) == NULL)
		goto out;
	if (sqlite3_get_autocommit(sqlite3_db_handle(begin))) {
		if (db_run(db, begin) == -1)
			goto out;
		own = 1;
	}
	if ((rc = audit_walk(db, &an, c)) != 0)
		goto out;
	rc = -1;
	if ((r = audit_stored_head(db, &stored_id, stored_hash)) == -1)
		goto out;
	rc = 1;
	if (an.next < an.n) {
		c->bad_id = an.v[an.next].id;
		audit_when(an.v[an.next].at, when, sizeof(when));
		snprintf(c->why, sizeof(c->why), "tail missing: record #%lld, anchored on %s, is not "
		    "in the database", (long long)c->bad_id, when);
	} else if (r == 0 && c->count > 0) {
		c->bad_id = c->head_id;
		snprintf(c->why, sizeof(c->why), "stored head missing");
	} else if (r == 1 && stored_id > c->head_id) {
		c->bad_id = stored_id;
		snprintf(c->why, sizeof(c->why), "tail missing: stored head %lld not found",
		    (long long)stored_id);
	} else if (r == 1 && stored_id < c->head_id) {
		c->bad_id = stored_id + 1;
		snprintf(c->why, sizeof(c->why), "records after the stored head %lld",
		    (long long)stored_id);
	} else if (r == 1 && strcmp(stored_hash, c->head_hash) != 0) {
		c->bad_id = c->head_id;
		snprintf(c->why, sizeof(c->why), "last record does not match the stored head");
	} else {
		rc = 0;
	}
out:
	if (own && db_commit(db) == -1)
		rc = -1;
	free(an.v);
	if (rc != 1)
		c->bad_id = 0;
	if (c->count == 0)
		c->head_hash[0] = '\0';
	return rc;
}

int
audit_head(struct db *db, int64_t *id, char hash[65])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
	int rc = -1;

	if (st != NULL && (rc = db_step(db, st)) == 1) {
		if (id != NULL)
			*id = sqlite3_column_int64(st, 0);
		if (hash != NULL)
			db_col_copy(st, 1, hash, AUDIT_HASH_HEX + 1);
	}
	db_done(st);
	if (rc == 0) {
		if (id != NULL)
			*id = 0;
		if (hash != NULL)
			hash[0] = '\0';
	}
	return rc;
}
