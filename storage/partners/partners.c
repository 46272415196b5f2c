/*
 * partners.c — the partner card, its search and its status history.
 *
 * Search works on two derived columns written with every insert and update: name_key, the folded
 * (text_fold: lowercase, ё = е) name and legal name, which a fragment is looked for in; and
 * sort_key, the folded name, which lists are ordered by. A fragment is matched with instr(), so
 * '%' and '_' in a query are plain characters.
 */
#include <stdio.h>
#include <string.h>

#include "bot/base.h"
#include "storage/db_private.h"

/* A folded name and legal name with the space between them (folding never grows the text). */
#define PARTNER_KEY_MAX (2 * PARTNER_NAME_MAX + 2)

/* Indexed by enum partner_status. Names are shown and parsed: never rename. */
static const char *const partner_status_names[PARTNER_STATUS_COUNT] = {
	"active", "suspended", "blocked", "archived",
};

/* Words partner_status_parse accepts, already folded. */
static const struct {
	const char	*word;
	int		 status;
} partner_status_words[] = {
	{ "active", PARTNER_ACTIVE },		{ "активен", PARTNER_ACTIVE },
	{ "активный", PARTNER_ACTIVE },
	{ "suspended", PARTNER_SUSPENDED },	{ "приостановлен", PARTNER_SUSPENDED },
	{ "blocked", PARTNER_BLOCKED },		{ "заблокирован", PARTNER_BLOCKED },
	{ "archived", PARTNER_ARCHIVED },	{ "архив", PARTNER_ARCHIVED },
	{ "в архиве", PARTNER_ARCHIVED },
};

/* allowed[from] is the set of statuses reachable from it (bit i = status i). */
static const unsigned partner_status_next[PARTNER_STATUS_COUNT] = {
	[PARTNER_ACTIVE] = 1u << PARTNER_SUSPENDED | 1u << PARTNER_BLOCKED | 1u << PARTNER_ARCHIVED,
	[PARTNER_SUSPENDED] = 1u << PARTNER_ACTIVE | 1u << PARTNER_BLOCKED | 1u << PARTNER_ARCHIVED,
	[PARTNER_BLOCKED] = 1u << PARTNER_ACTIVE | 1u << PARTNER_SUSPENDED | 1u << PARTNER_ARCHIVED,
	[PARTNER_ARCHIVED] = 1u << PARTNER_ACTIVE,
};

_Static_assert(PARTNER_ACTIVE == 0 && PARTNER_ARCHIVED == 3 && PARTNER_STATUS_COUNT == 4,
    "the partners table checks status BETWEEN 0 AND 3");

const char *
partner_status_name(int status)
{
	if (status < 0 || status >= PARTNER_STATUS_COUNT)
		return NULL;
	return partner_status_names[status];
}

int
partner_status_parse(const char *s)
{
	char key[64];
	size_t i;

	if (s == NULL)
		return -1;
	text_fold(s, key, sizeof(key));
	for (i = 0; i < sizeof(partner_status_words) / sizeof(partner_status_words[0]); i++)
		if (strcmp(key, partner_status_words[i].word) == 0)
			return partner_status_words[i].status;
	return -1;
}

int
partner_status_allowed(int from, int to)
{
	if (from < 0 || from >= PARTNER_STATUS_COUNT || to < 0 || to >= PARTNER_STATUS_COUNT)
		return 0;
	return (partner_status_next[from] & (1u << to)) != 0;
}

#define PARTNER_COLS "id, slug, name, legal_name, inn, contact_name, phone, email, status," \
	" connected_on, plan, next_payment_on, paid_through, branches, users, assigned_to, notes," \
	" created_at, updated_at"

/* Fills p from a statement selecting PARTNER_COLS. */
static void
partner_fill(sqlite3_stmt *st, struct partner *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, p->slug, sizeof(p->slug));
	db_col_copy(st, 2, p->name, sizeof(p->name));
	db_col_copy(st, 3, p->legal_name, sizeof(p->legal_name));
	db_col_copy(st, 4, p->inn, sizeof(p->inn));
	db_col_copy(st, 5, p->contact_name, sizeof(p->contact_name));
	db_col_copy(st, 6, p->phone, sizeof(p->phone));
	db_col_copy(st, 7, p->email, sizeof(p->email));
	p->status = sqlite3_column_int(st, 8);
	p->connected_on = sqlite3_column_int64(st, 9);
	db_col_copy(st, 10, p->plan, sizeof(p->plan));
	p->next_payment_on = sqlite3_column_int64(st, 11);
	p->paid_through = sqlite3_column_int64(st, 12);
	p->branches = sqlite3_column_int64(st, 13);
	p->users = sqlite3_column_int64(st, 14);
	p->assigned_to = sqlite3_column_int64(st, 15);
	db_col_copy(st, 16, p->notes, sizeof(p->notes));
	p->created_at = sqlite3_column_int64(st, 17);
	p->updated_at = sqlite3_column_int64(st, 18);
}

int
partner_is_sole_trader(const struct partner *p)
{
	char key[64];

	if (strlen(p->inn) == 12)
		return 1;
	text_fold(p->legal_name, key, sizeof(key));
	return strncmp(key, "ип ", strlen("ип ")) == 0 ||
	    strncmp(key, "индивидуальный предприниматель", strlen("индивидуальный предприниматель"))
	    == 0;
}

/* The derived keys of a card (each PARTNER_KEY_MAX bytes): the public search key, the sort key,
 * and the personal one (a sole trader's legal name). */
static void
partner_keys(const struct partner *p, char *name_key, char *sort_key, char *pd_key)
{
	char both[PARTNER_KEY_MAX];
	int sole = partner_is_sole_trader(p);

	snprintf(both, sizeof(both), "%s %s", p->name, sole ? "" : p->legal_name);
	text_fold(both, name_key, PARTNER_KEY_MAX);
	text_fold(p->name, sort_key, PARTNER_KEY_MAX);
	text_fold(sole ? p->legal_name : "", pd_key, PARTNER_KEY_MAX);
}

/*
 * Binds a card's columns by number, the same in the insert and the update: ?1 id, ?2 slug,
 * ?3 name, ?4 name_key, ?5 sort_key, ?6 legal_name, ?7 inn (NULL when empty), ?8 contact_name,
 * ?9 phone, ?10 email, ?11 status, ?12 connected_on, ?13 plan, ?14 next_payment_on,
 * ?15 paid_through, ?16 branches, ?17 users, ?18 assigned_to, ?19 notes, ?20 now, ?21 pd_key.
 */
static int
partner_bind(struct db *db, sqlite3_stmt *st, const struct partner *p, const char *name_key,
    const char *sort_key, const char *pd_key, int64_t now)
{
	return db_bound(db, st, sqlite3_bind_int64(st, 1, p->id) | db_bind_str(st, 2, p->slug) |
	    db_bind_str(st, 3, p->name) | db_bind_str(st, 4, name_key) |
	    db_bind_str(st, 5, sort_key) | db_bind_str(st, 6, p->legal_name) |
	    db_bind_str(st, 7, p->inn[0] ? p->inn : NULL) | db_bind_str(st, 8, p->contact_name) |
	    db_bind_str(st, 9, p->phone) | db_bind_str(st, 10, p->email) |
	    sqlite3_bind_int(st, 11, p->status) | sqlite3_bind_int64(st, 12, p->connected_on) |
	    db_bind_str(st, 13, p->plan) | sqlite3_bind_int64(st, 14, p->next_payment_on) |
	    sqlite3_bind_int64(st, 15, p->paid_through) | sqlite3_bind_int64(st, 16, p->branches) |
	    sqlite3_bind_int64(st, 17, p->users) | sqlite3_bind_int64(st, 18, p->assigned_to) |
	    db_bind_str(st, 19, p->notes) | sqlite3_bind_int64(st, 20, now) |
	    db_bind_str(st, 21, pd_key));
}

/* Who holds inn, other than partner self: 1 someone (*holder), 0 nobody or no INN, -1 error. */
static int
partner_inn_holder(struct db *db, const char *inn, int64_t self, int64_t *holder)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (inn[0] == '\0')
		return 0;
	st = db_stmt(db, "SELECT id FROM partners WHERE inn = ?1 AND id <> ?2");
	if (st != NULL && db_bound(db, st, db_bind_str(st, 1, inn) |
	    sqlite3_bind_int64(st, 2, self)) == 0 && (rc = db_step(db, st)) == 1 && holder != NULL)
		*holder = sqlite3_column_int64(st, 0);
	db_done(st);
	return rc;
}

/* 1 the slug is taken, 0 free, -1 error. */
static int
partner_slug_taken(struct db *db, const char *slug)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM partners WHERE slug = ?1");
	int rc = -1;

	if (st != NULL && db_bound(db, st, db_bind_str(st, 1, slug)) == 0)
		rc = db_step(db, st);
	db_done(st);
	return rc;
}

/* Makes slug (the caller's, or "partner" when empty) unique with "-2", "-3", … shortening the
 * base when the suffix would not fit. 0 ok, -1 error. */
static int
partner_slug_pick(struct db *db, char *slug, size_t slugsz)
{
	char base[sizeof(((struct partner *)0)->slug)], cand[sizeof(base)], suffix[24];
	int64_t n;
	size_t len;
	int r;

	str_copy(base, sizeof(base), slug[0] ? slug : "partner");
	str_copy(cand, sizeof(cand), base);
	for (n = 2; (r = partner_slug_taken(db, cand)) == 1; n++) {
		snprintf(suffix, sizeof(suffix), "-%lld", (long long)n);
		str_copy(cand, sizeof(cand) - strlen(suffix), base);
		len = strlen(cand);
		while (len > 0 && cand[len - 1] == '-')
			len--;
		memcpy(cand + len, suffix, strlen(suffix) + 1);
	}
	if (r == -1)
		return -1;
	str_copy(slug, slugsz, cand);
	return 0;
}

int
partner_insert(struct db *db, struct partner *p, int64_t now, int64_t *dup)
{
	char name_key[PARTNER_KEY_MAX], sort_key[PARTNER_KEY_MAX], pd_key[PARTNER_KEY_MAX];
	sqlite3_stmt *st;
	int r;

	if (p->status < 0 || p->status >= PARTNER_STATUS_COUNT) {
		log_error("partners: not a status: %d", p->status);
		return -1;
	}
	if ((r = partner_inn_holder(db, p->inn, 0, dup)) != 0)
		return r == 1 ? 0 : -1;
	if (partner_slug_pick(db, p->slug, sizeof(p->slug)) == -1)
		return -1;
	partner_keys(p, name_key, sort_key, pd_key);
	st = db_stmt(db, "INSERT INTO partners(slug, name, name_key, sort_key, legal_name, inn,"
	    " contact_name, phone, email, status, connected_on, plan, next_payment_on,"
	    " paid_through, branches, users, assigned_to, notes, created_at, updated_at, pd_key)"
	    " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	    " ?19, ?20, ?20, ?21)");
	if (st == NULL || partner_bind(db, st, p, name_key, sort_key, pd_key, now) == -1 ||
	    db_run(db, st) == -1) {
		db_done(st);
		return -1;
	}
	p->id = db_last_id(db);
	p->created_at = p->updated_at = now;
	return 1;
}

/* An empty slug keeps the stored one; another partner's slug is an error. */
int
partner_update(struct db *db, const struct partner *p, int64_t now, int64_t *dup)
{
	char name_key[PARTNER_KEY_MAX], sort_key[PARTNER_KEY_MAX], pd_key[PARTNER_KEY_MAX];
	sqlite3_stmt *st;
	int r;

	if ((r = partner_inn_holder(db, p->inn, p->id, dup)) != 0)
		return r == 1 ? 0 : -1;
	partner_keys(p, name_key, sort_key, pd_key);
	st = db_stmt(db, "UPDATE partners SET slug = coalesce(nullif(?2, ''), slug), name = ?3,"
	    " name_key = ?4, sort_key = ?5, legal_name = ?6, inn = ?7, contact_name = ?8,"
	    " phone = ?9, email = ?10, connected_on = ?12, plan = ?13, next_payment_on = ?14,"
	    " paid_through = ?15, branches = ?16, users = ?17, assigned_to = ?18, notes = ?19,"
	    " updated_at = ?20, pd_key = ?21 WHERE id = ?1");
	if (st == NULL || partner_bind(db, st, p, name_key, sort_key, pd_key, now) == -1 ||
	    db_step(db, st) == -1) {
		db_done(st);
		return -1;
	}
	db_done(st);
	if (db_changes(db) != 1) {
		log_warn("partners: update of a partner that does not exist: %lld",
		    (long long)p->id);
		return -1;
	}
	return 1;
}

int
partner_get(struct db *db, int64_t id, struct partner *p)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PARTNER_COLS " FROM partners WHERE id = ?1");
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (st != NULL && db_bound(db, st, sqlite3_bind_int64(st, 1, id)) == 0 &&
	    (rc = db_step(db, st)) == 1)
		partner_fill(st, p);
	db_done(st);
	return rc;
}

/* 1 when s is n ASCII digits and nothing else. */
static int
partner_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i == n;
}

const struct partner_pd partner_pd_none = { PARTNER_PD_NONE, 0, 0 };
const struct partner_pd partner_pd_all = { PARTNER_PD_ALL, 0, 0 };

/* May this row's personal keys be matched? ?7 the mode, ?8 the member, ?9 now, ?10 the ticket
 * reason: the same numbers in every statement below (none of them uses more than ?6 else). */
#define PARTNER_PD_OK "(?7 = 1 OR (?7 = 2 AND id IN (SELECT partner_id FROM access_sessions" \
	" WHERE user_id = ?8 AND reason = ?10 AND closed_at IS NULL AND expires_at > ?9)))"

static int
partner_bind_pd(sqlite3_stmt *st, const struct partner_pd *pd)
{
	return sqlite3_bind_int(st, 7, pd->mode) | sqlite3_bind_int64(st, 8, pd->user_id) |
	    sqlite3_bind_int64(st, 9, pd->now) | sqlite3_bind_int(st, 10, REASON_TICKET);
}

/* Exact matches of a folded query by id, slug and INN (in that order, without repeats). */
static int
partner_lookup_exact(struct db *db, const char *key, const struct partner_pd *pd, int64_t *out,
    int max)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT id, 0 FROM partners WHERE id = ?1"
	    " UNION ALL SELECT id, 1 FROM partners WHERE slug = ?2"
	    " UNION ALL SELECT id, 2 FROM partners WHERE inn = ?3"
	    " AND (length(inn) = 10 OR " PARTNER_PD_OK ") ORDER BY 2");
	int64_t id, num = 0;
	int n = 0, i, r = 0;

	if (str_to_i64(key, &num) == -1 || num <= 0 || key[0] < '0' || key[0] > '9')
		num = 0;
	if (st == NULL || db_bound(db, st, (num > 0 ? sqlite3_bind_int64(st, 1, num) :
	    sqlite3_bind_null(st, 1)) | db_bind_str(st, 2, key) |
	    db_bind_str(st, 3, partner_all_digits(key, 10) || partner_all_digits(key, 12) ?
	    key : NULL) | partner_bind_pd(st, pd)) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1) {
		id = sqlite3_column_int64(st, 0);
		for (i = 0; i < n && out[i] != id; i++)
			;
		if (i == n)
			out[n++] = id;
	}
	db_done(st);
	return r == -1 ? -1 : n;
}

/*
 * Exact id, slug or INN matches win; otherwise the partners whose name or legal name contains the
 * folded query: a name equal to it first, then names starting with it, then the rest by name.
 * The scan reads only the partners_name index, which holds both keys.
 */
int
partner_lookup(struct db *db, const char *query, const struct partner_pd *pd, int64_t *out,
    int max)
{
	char key[PARTNER_KEY_MAX];
	sqlite3_stmt *st;
	int n = 0, r = 0;

	if (query == NULL || max <= 0)
		return 0;
	text_fold(query, key, sizeof(key));
	if (key[0] == '\0')
		return 0;
	if ((n = partner_lookup_exact(db, key, pd, out, max)) != 0)
		return n;
	st = db_stmt(db, "SELECT id FROM partners WHERE instr(name_key, ?1) > 0"
	    " OR (instr(pd_key, ?1) > 0 AND " PARTNER_PD_OK ")"
	    " ORDER BY CASE WHEN sort_key = ?1 THEN 0 WHEN instr(sort_key, ?1) = 1 THEN 1"
	    " ELSE 2 END, sort_key, name_key, pd_key, id LIMIT ?2");
	if (st == NULL || db_bound(db, st, db_bind_str(st, 1, key) |
	    sqlite3_bind_int(st, 2, max) | partner_bind_pd(st, pd)) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1)
		out[n++] = sqlite3_column_int64(st, 0);
	db_done(st);
	return r == -1 ? -1 : n;
}

/* The list's filter: ?1 status (in the by-status texts only), ?2 the folded text or "" for all
 * (a fragment of the names, or a slug, an INN or an id exactly), ?6 the text as an id (0 when
 * not a number), and PARTNER_PD_OK: whether personal data (a sole trader's name and 12-digit
 * INN) may be matched. */
#define PARTNER_LIST_TEXT "(?2 = '' OR instr(name_key, ?2) > 0 OR slug = ?2 OR id = ?6" \
	" OR ((instr(pd_key, ?2) > 0 OR (inn = ?2 AND length(inn) = 12)) AND " PARTNER_PD_OK ")" \
	" OR (inn = ?2 AND length(inn) = 10))"
#define PARTNER_LIST_ORDER " ORDER BY sort_key, name_key, pd_key, id LIMIT ?4 OFFSET ?3"

int
partner_list(struct db *db, int status, const char *text, const struct partner_pd *pd,
    int offset, int max, struct partner *rows, int *total)
{
	char key[PARTNER_KEY_MAX];
	sqlite3_stmt *st;
	int64_t id = 0;
	int n = 0, r = 0;

	if (total != NULL)
		*total = 0;
	if (offset < 0)
		offset = 0;
	text_fold(text ? text : "", key, sizeof(key));
	if (str_to_i64(key, &id) == -1 || id < 0)
		id = 0;
	/* Separate texts with and without the status let the planner use partners_status_name. */
	if (status >= 0)
		st = db_stmt(db, "SELECT count(*) FROM partners WHERE status = ?1 AND "
		    PARTNER_LIST_TEXT);
	else
		st = db_stmt(db, "SELECT count(*) FROM partners WHERE " PARTNER_LIST_TEXT);
	if (st == NULL || db_bound(db, st, sqlite3_bind_int(st, 1, status) |
	    db_bind_str(st, 2, key) | sqlite3_bind_int64(st, 6, id) |
	    partner_bind_pd(st, pd)) == -1 || (r = db_step(db, st)) == -1) {
		db_done(st);
		return -1;
	}
	if (r == 1 && total != NULL)
		*total = sqlite3_column_int(st, 0);
	db_done(st);
	if (max <= 0)
		return 0;
	if (status >= 0)
		st = db_stmt(db, "SELECT " PARTNER_COLS " FROM partners WHERE status = ?1 AND "
		    PARTNER_LIST_TEXT PARTNER_LIST_ORDER);
	else
		st = db_stmt(db, "SELECT " PARTNER_COLS " FROM partners WHERE "
		    PARTNER_LIST_TEXT PARTNER_LIST_ORDER);
	if (st == NULL || db_bound(db, st, sqlite3_bind_int(st, 1, status) |
	    db_bind_str(st, 2, key) | sqlite3_bind_int(st, 3, offset) |
	    sqlite3_bind_int(st, 4, max) | sqlite3_bind_int64(st, 6, id) |
	    partner_bind_pd(st, pd)) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1)
		partner_fill(st, &rows[n++]);
	db_done(st);
	return r == -1 ? -1 : n;
}

int64_t
partner_count(struct db *db)
{
	return db_query_int(db, "SELECT count(*) FROM partners");
}

/* The caller holds the transaction, so the check and the change see the same status. */
int
partner_set_status(struct db *db, int64_t id, int to, int64_t actor, const char *rule,
    const char *reason, int64_t now)
{
	sqlite3_stmt *st;
	int from, r;

	if (to < 0 || to >= PARTNER_STATUS_COUNT) {
		log_error("partners: not a status: %d", to);
		return -1;
	}
	st = db_stmt(db, "SELECT status FROM partners WHERE id = ?1");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id)) == -1 ||
	    (r = db_step(db, st)) == -1) {
		db_done(st);
		return -1;
	}
	from = sqlite3_column_int(st, 0);
	db_done(st);
	if (r == 0) {
		log_warn("partners: status change of a partner that does not exist: %lld",
		    (long long)id);
		return -1;
	}
	if (!partner_status_allowed(from, to))
		return 0;
	st = db_stmt(db, "INSERT INTO partner_status_history(partner_id, at, from_status,"
	    " to_status, actor, rule, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int64(st, 2, now) | sqlite3_bind_int(st, 3, from) |
	    sqlite3_bind_int(st, 4, to) | sqlite3_bind_int64(st, 5, actor) |
	    db_bind_str(st, 6, rule ? rule : "") |
	    db_bind_str(st, 7, reason ? reason : "")) == -1 ||
	    db_run(db, st) == -1)
		goto fail;
	st = db_stmt(db, "UPDATE partners SET status = ?2, updated_at = ?3 WHERE id = ?1");
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int(st, 2, to) | sqlite3_bind_int64(st, 3, now)) == -1 ||
	    db_run(db, st) == -1)
		goto fail;
	return 1;
fail:
	db_done(st);
	return -1;
}

int
partner_history(struct db *db, int64_t id, struct partner_status_change *out, int max)
{
	sqlite3_stmt *st = db_stmt(db,
	    "SELECT at, from_status, to_status, actor, rule, reason FROM partner_status_history"
	    " WHERE partner_id = ?1 ORDER BY id DESC LIMIT ?2");
	int n = 0, r = 0;

	if (max <= 0)
		return 0;
	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    sqlite3_bind_int(st, 2, max)) == -1) {
		db_done(st);
		return -1;
	}
	while (n < max && (r = db_step(db, st)) == 1) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].at = sqlite3_column_int64(st, 0);
		out[n].from = sqlite3_column_int(st, 1);
		out[n].to = sqlite3_column_int(st, 2);
		out[n].actor = sqlite3_column_int64(st, 3);
		db_col_copy(st, 4, out[n].rule, sizeof(out[n].rule));
		db_col_copy(st, 5, out[n].reason, sizeof(out[n].reason));
		n++;
	}
	db_done(st);
	return r == -1 ? -1 : n;
}

int
partner_set_billing(struct db *db, int64_t id, const char *plan, int64_t paid_through,
    int64_t next_payment_on)
{
	/* no updated_at: the card did not change by a person's hand, and the jobs call this
	 * for every subscription they touch */
	sqlite3_stmt *st = db_stmt(db, "UPDATE partners SET plan = ?2, paid_through = ?3,"
	    " next_payment_on = ?4 WHERE id = ?1 AND (plan IS NOT ?2 OR paid_through IS NOT ?3"
	    " OR next_payment_on IS NOT ?4)");

	if (st == NULL || db_bound(db, st, sqlite3_bind_int64(st, 1, id) |
	    db_bind_str(st, 2, plan) | sqlite3_bind_int64(st, 3, paid_through) |
	    sqlite3_bind_int64(st, 4, next_payment_on)) == -1) {
		db_done(st);
		return -1;
	}
	return db_run(db, st);
}
