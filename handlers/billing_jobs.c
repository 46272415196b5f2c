/*
 * billing_jobs.c — the scheduler's billing jobs and the dunning alert.
 *
 * Both jobs run hourly (the slots are UTC hours, so a step happens on the right day in the
 * configured zone) and are idempotent by what they store, not by the slot: a renewal is an
 * invoice for the next period (there is one or there is not), a period end is the
 * subscription's period_end, a trial reminder is trial_noticed, a dunning step is the invoice's
 * dunning field. A second run on the same day, or after a restart, finds everything done; a
 * bot that was down for days does each missed thing once, in order.
 *
 * Each subscription or invoice is handled in its own transaction: one that fails is rolled
 * back alone, the others go on, and the job reports the failure at the end (the scheduler
 * retries the slot a minute later).
 *
 *   billing_renewal_job   the next period's invoice renew_ahead_days before the period end;
 *                         the trial reminder; the period end: roll over into the invoiced
 *                         period (paid or not), or end the subscription (no invoice, or a
 *                         trial nobody paid for) and suspend the partner.
 *   billing_dunning_job   the ladder of every overdue invoice (billing_dunning_due): past_due,
 *                         suspended, blocked, each once; then the partners' dunning alerts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"

#define L(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

#define BJ_PAGE		64	/* subscriptions or invoices read per page */
#define BJ_CATCHUP_MAX	120	/* periods one pass may roll a subscription over (10 years) */
#define BJ_OPEN_MAX	64	/* open invoices of one partner the dunning alert reads */
#define BJ_ALERT_ROOM	1700	/* bytes of an alert's invoice list: the text must stay < 2048 */
#define BJ_NAME_MAX	121	/* bytes of a partner's name quoted in a message (UTF-8 safe) */

/* What every step of a job needs, read once per run. */
struct bj {
	struct app	*app;
	struct db	*db;
	struct billing_terms terms;
	enum lang	 lang;
	int64_t		 today;		/* day number in the configured zone */
	int64_t		 now;		/* unix seconds */
	int64_t		 chat;		/* [chats] billing, 0 when not configured */
	int		 queued;	/* something was queued for the sender */
};

/* The scheduler runs on the main thread, which is also the one that reloads the
 * configuration: its fields are read without the lock here. */
static void
bj_init(struct bj *j, struct app *a, struct db *db)
{
	memset(j, 0, sizeof(*j));
	j->app = a;
	j->db = db;
	billing_terms_of(&a->cfg, &j->terms);
	j->lang = a->cfg.language;
	j->now = clock_now();
	j->today = clock_local_day(j->now);
	j->chat = a->cfg.chat_billing;
}

/* ---------------------------------------------------------------------------------------------
 * Texts. */

/* "<b>Ромашка</b> · #12", the name cut to BJ_NAME_MAX bytes so a message stays in bounds. */
static void
bj_partner_name(struct buf *b, const struct partner *p)
{
	char name[BJ_NAME_MAX];

	str_copy(name, sizeof(name), p->name);
	buf_adds(b, "<b>");
	buf_add_html(b, name);
	if (strlen(p->name) >= sizeof(name))
		buf_adds(b, "…");
	buf_printf(b, "</b> · #%lld", (long long)p->id);
}

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

/* A day number as "12.03.2026". */
static void
bj_date(int64_t day, char *out, size_t outsz)
{
	view_date(day > 0 ? day * 86400 : 0, out, outsz);
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

/* The plan's name (its code when the row is gone), HTML-escaped. 0/-1. */
static int
bj_plan_name(struct db *db, int64_t plan_id, struct buf *b)
{
	struct plan pl;
	int r;

	if ((r = plan_get(db, plan_id, &pl)) == -1)
		return -1;
	buf_adds(b, "«");
	buf_add_html(b, r == 1 ? pl.name : "?");
	buf_adds(b, "»");
	return 0;
}

/* One audit record of the system (a rule, not a person). 0/-1: the caller rolls back. */
static int
bj_audit(struct bj *j, int64_t partner_id, const char *action, const char *detail)
{
	struct audit_record r;

	memset(&r, 0, sizeof(r));
	r.at = j->now;
	r.actor = 0;
	str_copy(r.roles, sizeof(r.roles), "system");
	r.partner_id = partner_id;
	str_copy(r.action, sizeof(r.action), action);
	str_copy(r.detail, sizeof(r.detail), detail);
	if (audit_append(j->db, &r) == -1) {
		log_error("audit: cannot record %s for partner %lld; the change is rolled back",
		    action, (long long)partner_id);
		return -1;
	}
	return 0;
}

/* A short message to the billing chat (nothing when it is not configured). */
static int
bj_notice(struct bj *j, const char *html, const char *dedupe)
{
	if (j->chat == 0)
		return 0;
	if (notify_chat(j->db, j->chat, j->chat < 0, html, NULL, dedupe) == -1)
		return -1;
	j->queued = 1;
	return 0;
}

static int
bj_sub_save(struct bj *j, struct subscription *s)
{
	s->updated_at = j->now;
	return sub_save(j->db, s);
}

/* Puts a partner the rules stopped into `to` with its history row, when the state machine
 * allows it from where the partner is. 1 changed, 0 left as it was, -1 error. */
static int
bj_partner_status(struct bj *j, struct partner *p, int to, const char *rule, const char *reason)
{
	int r;

	r = partner_set_status(j->db, p->id, to, 0, rule, reason, j->now);
	if (r == 1)
		p->status = to;
	return r;
}

/* ---------------------------------------------------------------------------------------------
 * Renewal, trials, period ends. */

static int
bj_trial_key(const struct partner *p, char *key, size_t keysz)
{
	return snprintf(key, keysz, "trial:%lld", (long long)p->id);
}

/* The next period's invoice, renew_ahead_days before the period end, once: an auto-renewing
 * subscription that is not cancelled and whose next period is neither invoiced nor paid. */
static int
bj_renew(struct bj *j, struct subscription *s, const struct partner *p)
{
	struct invoice inv;
	struct buf b;
	char due[16], from[16], to[16], amount[MONEY_TEXT_MAX], key[64], detail[128];
	int r, rc = -1;

	if (!s->autorenew || s->cancel_at_end ||
	    j->today < s->period_end - j->terms.renew_ahead_days)
		return 0;
	/* paid beyond the period end already (a manual renewal): the rollover follows it */
	if (s->paid_until > s->period_end)
		return 0;
	if ((r = invoice_for_period(j->db, s->id, s->period_end, &inv)) != 0)
		return r == -1 ? -1 : 0;
	if ((r = billing_issue_next(j->app, j->db, &j->terms, s, 1, j->today, 0, &inv)) != 1)
		return r;
	if (sub_get(j->db, s->id, s) != 1)
		return -1;
	snprintf(detail, sizeof(detail), "invoice %s issued for the next period", inv.number);
	if (bj_audit(j, p->id, "billing.renew", detail) == -1)
		return -1;

	buf_init(&b, 0);
	bj_date(inv.due_on, due, sizeof(due));
	bj_date(inv.period_start, from, sizeof(from));
	bj_date(inv.period_end - 1, to, sizeof(to));
	money_format(inv.amount, amount, sizeof(amount));
	buf_printf(&b, L(j->lang, "🧾 Выставлен счёт %s: ", "🧾 Invoice %s issued: "), inv.number);
	bj_partner_name(&b, p);
	buf_adds(&b, L(j->lang, ", тариф ", ", plan "));
	if (bj_plan_name(j->db, inv.plan_id, &b) == -1)
		goto out;
	buf_printf(&b, L(j->lang, ", период %s–%s, на сумму %s, срок оплаты %s.",
	    ", period %s–%s, amount %s, due %s."), from, to, amount, due);
	if (inv.status == INV_PAID)
		buf_adds(&b, L(j->lang, " Оплачен из аванса.", " Paid from credit."));
	snprintf(key, sizeof(key), "renew:%lld", (long long)inv.id);
	rc = bj_notice(j, b.ptr, key);
out:
	buf_release(&b);
	return rc;
}

/* The trial reminder, trial_notice_days before the trial ends, once (trial_noticed). */
static int
bj_trial_notice(struct bj *j, struct subscription *s, const struct partner *p)
{
	struct invoice inv;
	struct buf b;
	char key[64], last[16], due[16], amount[MONEY_TEXT_MAX];
	int r, rc = -1;

	if (s->status != SUB_TRIALING || s->trial_noticed || s->trial_end == 0 ||
	    j->today < s->trial_end - j->terms.trial_notice_days || j->today >= s->trial_end)
		return 0;
	if ((r = invoice_for_period(j->db, s->id, s->trial_end, &inv)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, L(j->lang, "Пробный период заканчивается: ", "Trial ending: "));
	bj_partner_name(&b, p);
	buf_adds(&b, L(j->lang, "\nТариф ", "\nPlan "));
	if (bj_plan_name(j->db, s->plan_id, &b) == -1)
		goto out;
	bj_date(s->trial_end - 1, last, sizeof(last));
	buf_printf(&b, L(j->lang, ", последний день пробного периода %s.",
	    ", the last day of the trial is %s."), last);
	if (r == 1) {
		bj_date(inv.due_on, due, sizeof(due));
		money_format(inv.amount - inv.paid, amount, sizeof(amount));
		if (inv.status == INV_PAID)
			buf_printf(&b, L(j->lang, "\nСчёт %s выставлен и оплачен.",
			    "\nInvoice %s is issued and paid."), inv.number);
		else
			buf_printf(&b, L(j->lang,
			    "\nСчёт %s выставлен: к оплате %s, срок %s. Без оплаты подписка "
			    "закончится вместе с пробным периодом, партнёр будет приостановлен.",
			    "\nInvoice %s is issued: %s to pay, due %s. Unpaid, the subscription ends "
			    "with the trial and the partner is suspended."), inv.number, amount, due);
	} else if (s->autorenew && !s->cancel_at_end) {
		bj_date(s->trial_end - j->terms.renew_ahead_days, due, sizeof(due));
		buf_printf(&b, L(j->lang, "\nСчёт ещё не выставлен (будет выставлен %s).",
		    "\nNo invoice issued yet (it will be on %s)."), due);
	} else
		buf_adds(&b, L(j->lang, "\nСчёт не выставлен: подписка не продлевается, по окончании "
		    "партнёр будет приостановлен.", "\nNo invoice: the subscription does not renew; "
		    "the partner is suspended when the trial ends."));
	bj_trial_key(p, key, sizeof(key));
	if (alert_raise(j->app, j->db, "trial", key, p->id, ALERT_INFO, b.ptr) == -1)
		goto out;
	s->trial_noticed = 1;
	rc = bj_sub_save(j, s);
out:
	buf_release(&b);
	return rc;
}

/* Into the next period [period_end, end): a waiting plan change applies, a trial becomes an
 * active subscription (and its episode is closed). 1 rolled over, -1 error. */
static int
bj_roll(struct bj *j, struct subscription *s, const struct partner *p, int64_t end)
{
	struct buf b;
	char key[64], until[16];
	int trial = s->status == SUB_TRIALING, rc = -1;

	s->period_start = s->period_end;
	s->period_end = end;
	if (s->next_plan_id != 0) {
		s->plan_id = s->next_plan_id;
		s->next_plan_id = 0;
	}
	if (trial)
		s->status = SUB_ACTIVE;
	if (bj_sub_save(j, s) == -1 || billing_sync_partner(j->db, p->id, j->today) == -1)
		return -1;
	if (!trial)
		return 1;
	buf_init(&b, 0);
	buf_adds(&b, L(j->lang, "Пробный период закончился, подписка оплачена: ",
	    "Trial over, the subscription is paid: "));
	bj_partner_name(&b, p);
	buf_adds(&b, L(j->lang, "\nТариф ", "\nPlan "));
	if (bj_plan_name(j->db, s->plan_id, &b) == -1)
		goto out;
	bj_date(s->paid_until - 1, until, sizeof(until));
	if (s->paid_until > 0)
		buf_printf(&b, L(j->lang, ", оплачено по %s.", ", paid through %s."), until);
	bj_trial_key(p, key, sizeof(key));
	if (alert_resolve(j->app, j->db, key, b.ptr) == -1)
		goto out;
	rc = 1;
out:
	buf_release(&b);
	return rc;
}

/* Ends the subscription today by rule, suspends the partner (when active) by the same rule's
 * name for partners (status_rule), and audits it with detail followed by what happened. 1 the
 * partner was suspended, 0 not, -1 error. */
static int
bj_close(struct bj *j, struct subscription *s, struct partner *p, const char *end_rule,
    const char *status_rule, const char *why, const char *action, const char *detail)
{
	char what[512];
	int suspended = 0;

	s->status = SUB_CANCELED;
	s->ended_on = j->today;
	str_copy(s->end_rule, sizeof(s->end_rule), end_rule);
	if (bj_sub_save(j, s) == -1)
		return -1;
	if (p->status == PARTNER_ACTIVE &&
	    (suspended = bj_partner_status(j, p, PARTNER_SUSPENDED, status_rule, why)) == -1)
		return -1;
	snprintf(what, sizeof(what), "%s%s", detail, suspended ? "; partner suspended" : "");
	if (billing_sync_partner(j->db, p->id, j->today) == -1 ||
	    bj_audit(j, p->id, action, what) == -1)
		return -1;
	return suspended;
}

/* A trial ended and its invoice is not paid: the subscription ends, the invoice is voided, the
 * partner is suspended (when active), and the trial episode says so. 0/-1. */
static int
bj_trial_end(struct bj *j, struct subscription *s, struct partner *p, struct invoice *inv)
{
	const char *why = L(j->lang, "пробный период закончился без оплаты",
	    "the trial ended unpaid");
	struct buf b;
	char key[64], detail[256];
	int suspended, rc = -1;

	if (billing_void(j->app, j->db, inv, why, j->today) == -1)
		return -1;
	/* the void may have touched the subscription: end what is stored, not a stale copy */
	if (sub_get(j->db, s->id, s) != 1)
		return -1;
	snprintf(detail, sizeof(detail), "trial ended unpaid; invoice %s voided", inv->number);
	if ((suspended = bj_close(j, s, p, "trial", "trial", why, "billing.trial_end",
	    detail)) == -1)
		return -1;

	buf_init(&b, 0);
	buf_adds(&b, L(j->lang, "Пробный период закончился без оплаты: ",
	    "Trial ended unpaid: "));
	bj_partner_name(&b, p);
	buf_printf(&b, L(j->lang, "\nПодписка завершена, счёт %s аннулирован.",
	    "\nThe subscription ended; invoice %s is void."), inv->number);
	if (suspended)
		buf_adds(&b, L(j->lang, " Партнёр приостановлен.", " The partner is suspended."));
	bj_trial_key(p, key, sizeof(key));
	if (alert_raise(j->app, j->db, "trial", key, p->id, ALERT_WARN, b.ptr) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/* The period ended and nothing covers the next one (auto-renew off, or cancelled at the period
 * end): the subscription ends and the partner is suspended (when active). 0/-1. */
static int
bj_end(struct bj *j, struct subscription *s, struct partner *p)
{
	const char *rule = s->cancel_at_end ? "canceled" : "nonrenewal";
	const char *why = s->cancel_at_end ?
	    L(j->lang, "подписка отменена", "the subscription was cancelled") :
	    L(j->lang, "подписка не продлена", "the subscription was not renewed");
	struct buf b;
	char key[64], detail[256], end[16];
	int trial = s->status == SUB_TRIALING, suspended, rc = -1;

	snprintf(detail, sizeof(detail), "subscription %lld ended: %s", (long long)s->id, rule);
	if ((suspended = bj_close(j, s, p, rule, "subscription", why, "billing.sub_end",
	    detail)) == -1)
		return -1;

	buf_init(&b, 0);
	buf_adds(&b, L(j->lang, "⏹ Подписка закончилась: ", "⏹ Subscription ended: "));
	bj_partner_name(&b, p);
	bj_date(s->period_end - 1, end, sizeof(end));
	buf_printf(&b, L(j->lang, "\nПоследний день периода %s; %s.",
	    "\nThe period's last day was %s; %s."), end, why);
	if (suspended)
		buf_adds(&b, L(j->lang, " Партнёр приостановлен.", " The partner is suspended."));
	if (s->cancel_reason[0] != '\0') {
		buf_adds(&b, L(j->lang, "\nПричина отмены: ", "\nReason: "));
		buf_add_html(&b, s->cancel_reason);
	}
	snprintf(key, sizeof(key), "subend:%lld", (long long)s->id);
	if (bj_notice(j, b.ptr, key) == -1)
		goto out;
	if (trial) {
		buf_reset(&b);
		buf_adds(&b, L(j->lang, "Пробный период закончился, подписка не продлена: ",
		    "Trial over, not renewed: "));
		bj_partner_name(&b, p);
		bj_trial_key(p, key, sizeof(key));
		if (alert_resolve(j->app, j->db, key, b.ptr) == -1)
			goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/* The period ended (today ≥ period_end): roll over into the next period when an invoice covers
 * it (paid, or not: the dunning follows an unpaid one) or it is paid through; else end the
 * subscription. 1 rolled over (look again: a long outage may have ended several periods),
 * 0 ended or stopped, -1 error. */
static int
bj_period_end(struct bj *j, struct subscription *s, struct partner *p)
{
	struct invoice inv;
	struct plan pl;
	int64_t end;
	int r;

	if ((r = invoice_for_period(j->db, s->id, s->period_end, &inv)) == -1)
		return -1;
	if (r == 1) {
		if (inv.period_end <= s->period_end) {
			log_error("billing: invoice %s of subscription %lld ends before its start",
			    inv.number, (long long)s->id);
			return 0;
		}
		if (inv.status == INV_PAID || s->paid_until >= inv.period_end)
			return bj_roll(j, s, p, inv.period_end);
		if (s->status == SUB_TRIALING)
			return bj_trial_end(j, s, p, &inv);
		return bj_roll(j, s, p, inv.period_end);
	}
	/* no invoice: paid through the next period all the same (credit, history), or the end */
	if ((r = plan_get(j->db, s->next_plan_id ? s->next_plan_id : s->plan_id, &pl)) == -1)
		return -1;
	if (r == 1) {
		end = pricing_add_months(s->period_end, pl.yearly ? 12 : 1, s->anchor_dom);
		if (s->paid_until >= end)
			return bj_roll(j, s, p, end);
	}
	return bj_end(j, s, p);
}

/* One subscription, in the caller's transaction: renewals and period ends until today (a bot
 * that was down catches up, each thing once), then the trial reminder. 0/-1. */
static int
bj_subscription(struct bj *j, int64_t id)
{
	struct subscription s;
	struct partner p;
	int r, k;

	if ((r = sub_get(j->db, id, &s)) != 1 || s.status == SUB_CANCELED)
		return r == -1 ? -1 : 0;
	if ((r = partner_get(j->db, s.partner_id, &p)) != 1)
		return r == -1 ? -1 : 0;
	for (k = 0; k < BJ_CATCHUP_MAX; k++) {
		if (bj_renew(j, &s, &p) == -1)
			return -1;
		if (j->today < s.period_end)
			break;
		if ((r = bj_period_end(j, &s, &p)) != 1)
			return r;
	}
	return bj_trial_notice(j, &s, &p);
}

int
billing_renewal_job(struct app *a, struct db *db)
{
	struct subscription *rows;
	struct bj j;
	int64_t before, after = 0, ahead;
	int n, i, failed = 0;

	bj_init(&j, a, db);
	ahead = j.terms.renew_ahead_days > j.terms.trial_notice_days ?
	    j.terms.renew_ahead_days : j.terms.trial_notice_days;
	before = j.today + ahead + 1;	/* every period with something due today or earlier */
	if ((rows = calloc(BJ_PAGE, sizeof(*rows))) == NULL)
		return -1;
	do {
		if ((n = sub_due(db, before, after, rows, BJ_PAGE)) == -1) {
			failed++;
			break;
		}
		for (i = 0; i < n && !a->stop; i++) {
			after = rows[i].id;
			if (db_begin(db) == -1) {
				failed++;
				continue;
			}
			if (bj_subscription(&j, rows[i].id) == -1) {
				log_error("billing: renewal of subscription %lld failed; rolled back",
				    (long long)rows[i].id);
				db_rollback(db);
				failed++;
			} else if (db_commit(db) == -1)
				failed++;
		}
	} while (n == BJ_PAGE && !a->stop);
	free(rows);
	if (j.queued)
		app_wake_sender(a);
	return failed || a->stop ? -1 : 0;
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

/* Every open dunning episode is brought up to date: the days overdue move on, and one whose
 * partner owes nothing overdue any more (paid, voided, extended) is resolved. 0, or the count
 * of failures. */
static int
bj_dunning_sweep(struct bj *j)
{
	struct alert *open;
	int64_t max;
	int n, i, failed = 0;

	/* one episode per partner at most, and a few of partners since removed */
	if ((max = partner_count(j->db)) == -1)
		return 1;
	max += 16;
	if ((open = calloc((size_t)max, sizeof(*open))) == NULL)
		return 1;
	if ((n = alert_open_of_kind(j->db, "dunning", open, (int)max)) == -1)
		n = 0, failed++;
	for (i = 0; i < n && !j->app->stop; i++) {
		if (db_begin(j->db) == -1) {
			failed++;
			continue;
		}
		if (billing_dunning_alert(j->app, j->db, open[i].partner_id, j->today) == -1) {
			db_rollback(j->db);
			failed++;
		} else if (db_commit(j->db) == -1)
			failed++;
		else
			j->queued = 1;
	}
	free(open);
	return failed;
}

int
billing_dunning_job(struct app *a, struct db *db)
{
	struct invoice *rows;
	struct bj j;
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
			if (db_begin(db) == -1) {
				failed++;
				continue;
			}
			if (bj_dunning_invoice(&j, rows[i].id) == -1) {
				log_error("billing: dunning of invoice %s failed; rolled back",
				    rows[i].number);
				db_rollback(db);
				failed++;
			} else if (db_commit(db) == -1)
				failed++;
		}
	} while (n == BJ_PAGE && !a->stop);
	free(rows);
	if (!a->stop)
		failed += bj_dunning_sweep(&j);
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
