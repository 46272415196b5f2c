/*
 * dunning_job.c — the scheduler's dunning job and the dunning alert (see renewal_job.c
 * for how the jobs run).
 *
 *   billing_dunning_job   the ladder of every overdue invoice (billing_dunning_due): past_due,
 *                         suspended, blocked, each once; then the partners' dunning alerts.
 *   billing_dunning_alert a partner's dunning alert as it stands: raised, edited or resolved,
 *                         with what the rules did and do next, and the days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/billing/billing_jobs.h"

#define BJ_OPEN_MAX	64	/* open invoices of one partner the dunning alert reads */
#define BJ_ALERT_ROOM	1700	/* bytes of an alert's invoice list: the text must stay < 2048 */

/* ---------------------------------------------------------------------------------------------
 * Texts. */

/* A partner's status as a word of the text. */
static const char *
bj_status_word(enum lang lang, int status)
{
	switch (status) {
	case PARTNER_ACTIVE: return L(lang, "активен", "active");
	case PARTNER_SUSPENDED: return L(lang, "приостановлен", "suspended");
	case PARTNER_BLOCKED: return L(lang, "заблокирован", "blocked");
	default: return L(lang, "в архиве", "archived");
	}
}

/* A day number as "12.03", for the dates of the ladder (always within a year of today). */
static void
bj_short_date(int64_t day, char *out, size_t outsz)
{
	int64_t y;
	int m, d;

	pricing_civil_from_days(day, &y, &m, &d);
	snprintf(out, outsz, "%02d.%02d", d, m);
}

/* ---------------------------------------------------------------------------------------------
 * Dunning. */

static const char *
bj_step_name(int step)
{
	switch (step) {
	case DUN_OVERDUE: return "overdue";
	case DUN_SUSPENDED: return "suspended";
	case DUN_BLOCKED: return "blocked";
	default: return "none";
	}
}

/* The subscription an invoice belongs to (its own, else the partner's live one): 1 found,
 * 0 none, -1 error. Its paid-through date protects the partner from the ladder. */
static int
bj_invoice_sub(struct db *db, const struct invoice *inv, struct subscription *s)
{
	int r;

	if (inv->subscription_id != 0 && (r = sub_get(db, inv->subscription_id, s)) != 0)
		return r;
	return sub_live(db, inv->partner_id, s);
}

/* One step of the ladder, in order: overdue → past_due; suspended → the partner (when active);
 * blocked → the partner (when active or suspended: an archived partner is left alone, and a
 * blocked one stays as it is, whoever blocked it). Audited. 0/-1. */
static int
bj_dunning_step(struct bj *j, const struct invoice *inv, struct subscription *s, int has_sub,
    struct partner *p, int step)
{
	char reason[128], detail[256];
	int r = 0, from = p->status;

	snprintf(reason, sizeof(reason), L(j->lang, "счёт %s не оплачен", "invoice %s unpaid"),
	    inv->number);
	switch (step) {
	case DUN_OVERDUE:
		if (has_sub && s->status == SUB_ACTIVE) {
			s->status = SUB_PAST_DUE;
			if (bj_sub_save(j, s) == -1)
				return -1;
		}
		break;
	case DUN_SUSPENDED:
		if (p->status == PARTNER_ACTIVE)
			r = bj_partner_status(j, p, PARTNER_SUSPENDED, "dunning", reason);
		break;
	case DUN_BLOCKED:
		if (p->status == PARTNER_ACTIVE || p->status == PARTNER_SUSPENDED)
			r = bj_partner_status(j, p, PARTNER_BLOCKED, "dunning", reason);
		break;
	}
	if (r == -1)
		return -1;
	if (step != DUN_OVERDUE && r == 0)
		snprintf(detail, sizeof(detail), "invoice %s: %s (partner left %s)", inv->number,
		    bj_step_name(step), partner_status_name(from));
	else
		snprintf(detail, sizeof(detail), "invoice %s: %s", inv->number, bj_step_name(step));
	return bj_audit(j, p->id, "billing.dunning", detail);
}

/* One overdue invoice, in the caller's transaction: the steps it has reached since the last
 * run, each once, and its partner's alert. 0/-1. */
static int
bj_dunning_invoice(struct bj *j, int64_t id)
{
	struct invoice inv;
	struct subscription s;
	struct partner p;
	int r, has_sub, step, k;

	if ((r = invoice_get(j->db, id, &inv)) != 1 || inv.status != INV_OPEN)
		return r == -1 ? -1 : 0;
	if ((has_sub = bj_invoice_sub(j->db, &inv, &s)) == -1)
		return -1;
	step = billing_dunning_due(&j->terms, inv.due_on, inv.hold_until,
	    has_sub ? s.paid_until : 0, j->today, inv.dunning);
	if (step <= inv.dunning)
		return 0;
	if ((r = partner_get(j->db, inv.partner_id, &p)) != 1)
		return r == -1 ? -1 : 0;
	for (k = inv.dunning + 1; k <= step; k++)
		if (bj_dunning_step(j, &inv, &s, has_sub, &p, k) == -1)
			return -1;
	inv.dunning = step;
	inv.updated_at = j->now;
	if (invoice_save(j->db, &inv) == -1 || billing_sync_partner(j->db, p.id, j->today) == -1)
		return -1;
	j->queued = 1;
	return billing_dunning_alert(j->app, j->db, p.id, j->today);
}

/* An open dunning episode brought up to date: the days overdue move on, and one whose partner
 * owes nothing overdue any more (paid, voided, extended) is resolved. */
static int
bj_dunning_refresh_one(struct bj *j, int64_t partner_id)
{
	j->queued = 1;
	return billing_dunning_alert(j->app, j->db, partner_id, j->today);
}

int
billing_dunning_job(struct app *a, struct db *db)
{
	struct invoice *rows;
	struct bj j;
	char what[96];
	int64_t after = 0;
	int n, i, failed = 0;

	bj_init(&j, a, db);
	if ((rows = calloc(BJ_PAGE, sizeof(*rows))) == NULL)
		return -1;
	do {
		if ((n = invoice_overdue(db, j.today, after, rows, BJ_PAGE)) == -1) {
			failed++;
			break;
		}
		for (i = 0; i < n && !a->stop; i++) {
			after = rows[i].id;
			snprintf(what, sizeof(what), "dunning of invoice %s", rows[i].number);
			failed += bj_in_tx(&j, bj_dunning_invoice, rows[i].id, what);
		}
	} while (n == BJ_PAGE && !a->stop);
	free(rows);
	if (!a->stop)
		failed += bj_sweep(&j, "dunning", bj_dunning_refresh_one);
	if (j.queued)
		app_wake_sender(a);
	return failed || a->stop ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * The dunning alert. */

/* The day a step falls on for an invoice: its offset from the due date, not before a hold ends,
 * and (suspension and block) not before the paid-through date — billing_dunning_due's rules. */
static int64_t
bj_step_day(const struct billing_terms *t, const struct invoice *inv, int64_t paid_until,
    int step)
{
	int64_t day = inv->due_on + (step == DUN_OVERDUE ? 1 : step == DUN_SUSPENDED ?
	    t->grace_days : t->block_after_days);

	if (inv->hold_until > day)
		day = inv->hold_until;
	if (step >= DUN_SUSPENDED && paid_until > day)
		day = paid_until;
	return day;
}

/* "приостановлен 12.03; блокировка 19.03": what the rules did to the partner and what they do
 * next, with the days. 0/-1. */
static int
bj_ladder_text(struct bj *j, const struct partner *p, const struct invoice *rows, int n,
    struct buf *b)
{
	struct partner_status_change h;
	struct subscription s;
	int64_t suspend = 0, block = 0, day, pu;
	char d[16];
	int i, r;

	for (i = 0; i < n; i++) {
		if ((r = bj_invoice_sub(j->db, &rows[i], &s)) == -1)
			return -1;
		pu = r == 1 ? s.paid_until : 0;
		if (rows[i].dunning < DUN_SUSPENDED) {
			day = bj_step_day(&j->terms, &rows[i], pu, DUN_SUSPENDED);
			suspend = suspend == 0 || day < suspend ? day : suspend;
		}
		if (rows[i].dunning < DUN_BLOCKED) {
			day = bj_step_day(&j->terms, &rows[i], pu, DUN_BLOCKED);
			block = block == 0 || day < block ? day : block;
		}
	}
	if (p->status == PARTNER_SUSPENDED || p->status == PARTNER_BLOCKED) {
		if ((r = partner_history(j->db, p->id, &h, 1)) == -1)
			return -1;
		buf_adds(b, p->status == PARTNER_BLOCKED ? L(j->lang, "Заблокирован", "Blocked") :
		    L(j->lang, "Приостановлен", "Suspended"));
		if (r == 1 && h.to == p->status) {
			if (h.actor != 0)
				buf_adds(b, L(j->lang, " вручную", " by hand"));
			bj_short_date(clock_local_day(h.at), d, sizeof(d));
			buf_printf(b, " %s", d);
		}
		if (p->status == PARTNER_SUSPENDED && block != 0) {
			bj_short_date(block, d, sizeof(d));
			buf_printf(b, L(j->lang, "; блокировка %s", "; block on %s"), d);
		}
		return 0;
	}
	if (p->status == PARTNER_ARCHIVED) {
		buf_adds(b, L(j->lang, "Партнёр в архиве", "The partner is archived"));
		return 0;
	}
	if (suspend != 0) {
		bj_short_date(suspend, d, sizeof(d));
		buf_printf(b, L(j->lang, "Приостановка %s", "Suspension on %s"), d);
	}
	if (block != 0) {
		bj_short_date(block, d, sizeof(d));
		buf_printf(b, suspend != 0 ? L(j->lang, "; блокировка %s", "; block on %s") :
		    L(j->lang, "Блокировка %s", "Block on %s"), d);
	}
	return 0;
}

int
billing_dunning_alert(struct app *app, struct db *db, int64_t partner_id, int64_t today)
{
	struct invoice *rows = NULL;
	struct partner p;
	struct bj j;
	struct buf b, line;
	char key[64], due[16], left[MONEY_TEXT_MAX], total_s[MONEY_TEXT_MAX];
	int64_t total = 0;
	int n, i, nover = 0, shown = 0, level = ALERT_WARN, r, rc = -1;

	if (app == NULL)
		return 0;	/* the demo's payments: no alerts */
	bj_init(&j, app, db);
	j.today = today;
	snprintf(key, sizeof(key), "dunning:%lld", (long long)partner_id);
	if ((r = partner_get(db, partner_id, &p)) != 1)
		return r == -1 ? -1 : alert_resolve(app, db, key, NULL);
	if (p.status == PARTNER_ARCHIVED) {
		/* the dunning leaves an archived partner alone: its episode is over */
		buf_init(&b, 0);
		bj_partner_name(&b, &p);
		buf_adds(&b, L(j.lang, ": партнёр в архиве, взыскание остановлено",
		    ": the partner is archived, the dunning stops"));
		r = alert_resolve(app, db, key, b.ptr);
		buf_release(&b);
		return r == -1 ? -1 : 0;
	}
	if ((rows = calloc(BJ_OPEN_MAX, sizeof(*rows))) == NULL)
		return -1;
	buf_init(&b, 0);
	buf_init(&line, 0);
	if ((n = invoice_open_of(db, partner_id, rows, BJ_OPEN_MAX)) == -1)
		goto out;
	/* oldest due first: the overdue ones lead */
	while (nover < n && rows[nover].due_on < today)
		nover++;
	if (nover == 0) {
		buf_adds(&b, L(j.lang, "Оплачено, просроченных счетов нет: ",
		    "Paid, nothing overdue any more: "));
		bj_partner_name(&b, &p);
		if (p.status == PARTNER_ACTIVE)
			buf_adds(&b, L(j.lang, "\nПартнёр активен.", "\nThe partner is active."));
		else
			buf_printf(&b, L(j.lang, "\nПартнёр остаётся в статусе «%s»: его меняет "
			    "человек (/status).", "\nThe partner stays %s: a person changes that "
			    "(/status)."), bj_status_word(j.lang, p.status));
		rc = alert_resolve(app, db, key, b.ptr);
		goto out;
	}

	buf_adds(&b, L(j.lang, "Просрочена оплата: ", "Payment overdue: "));
	bj_partner_name(&b, &p);
	for (i = 0; i < nover; i++) {
		if (rows[i].dunning >= DUN_SUSPENDED)
			level = ALERT_CRIT;
		total += rows[i].amount - rows[i].paid;
		buf_reset(&line);
		bj_date(rows[i].due_on, due, sizeof(due));
		money_format(rows[i].amount - rows[i].paid, left, sizeof(left));
		buf_printf(&line, L(j.lang, "\n• %s: %s, срок %s, просрочен на %lld дн.",
		    "\n• %s: %s, due %s, %lld days overdue"), rows[i].number, left, due,
		    (long long)(today - rows[i].due_on));
		if (b.len + line.len < BJ_ALERT_ROOM) {
			buf_adds(&b, line.ptr);
			shown++;
		}
	}
	if (shown < nover)
		buf_printf(&b, L(j.lang, "\n… и ещё %d", "\n… and %d more"), nover - shown);
	if (p.status == PARTNER_SUSPENDED || p.status == PARTNER_BLOCKED)
		level = ALERT_CRIT;
	money_format(total, total_s, sizeof(total_s));
	buf_printf(&b, L(j.lang, "\nИтого просрочено: %s%s", "\nOverdue in total: %s%s"),
	    total_s, n == BJ_OPEN_MAX ? "+" : "");
	buf_reset(&line);
	if (bj_ladder_text(&j, &p, rows, nover, &line) == -1)
		goto out;
	if (line.len > 0)
		buf_printf(&b, "\n%s", line.ptr);
	rc = alert_raise(app, db, "dunning", key, p.id, level, b.ptr);
out:
	buf_release(&line);
	buf_release(&b);
	free(rows);
	return rc == -1 ? -1 : 0;
}

int
billing_dunning_refresh(struct app *app, struct db *db, int64_t partner_id, int64_t today)
{
	struct alert a;
	char key[64];
	int r;

	if (app == NULL)
		return 0;
	snprintf(key, sizeof(key), "dunning:%lld", (long long)partner_id);
	if ((r = alert_open_get(db, key, &a)) != 1)
		return r;
	return billing_dunning_alert(app, db, partner_id, today);
}
