/*
 * renewal_job.c — the scheduler's billing jobs and what they share; the dunning job and the
 * dunning alert are in dunning_job.c.
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

#include "handlers/billing/billing_jobs.h"

#define BJ_CATCHUP_MAX	120	/* periods one pass may roll a subscription over (10 years) */
#define BJ_NAME_MAX	121	/* bytes of a partner's name quoted in a message (UTF-8 safe) */

/* The scheduler runs on the main thread, which is also the one that reloads the
 * configuration: its fields are read without the lock here. */
void
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

/* One item of a job (a subscription, an invoice) in its own transaction: step(j, id) committed,
 * or rolled back alone when it fails ("billing: <what> failed; rolled back"). 0 done, 1 failed. */
int
bj_in_tx(struct bj *j, int (*step)(struct bj *, int64_t), int64_t id, const char *what)
{
	if (db_begin(j->db) == -1)
		return 1;
	if (step(j, id) == -1) {
		log_error("billing: %s failed; rolled back", what);
		db_rollback(j->db);
		return 1;
	}
	return db_commit(j->db) == -1 ? 1 : 0;
}

int
bj_sweep(struct bj *j, const char *kind, int (*step)(struct bj *, int64_t))
{
	struct alert *open;
	char what[64];
	int64_t after = 0;
	int n, i, failed = 0;

	/* a page at a time: an episode is a couple of kilobytes, and there may be one per
	 * partner; a step that resolves one does not move the pages after it (keyed on id) */
	if ((open = calloc(BJ_PAGE, sizeof(*open))) == NULL)
		return 1;
	snprintf(what, sizeof(what), "the %s episode", kind);
	do {
		if ((n = alert_open_of_kind(j->db, kind, after, open, BJ_PAGE)) == -1) {
			failed++;
			break;
		}
		for (i = 0; i < n && !j->app->stop; i++) {
			after = open[i].id;
			failed += bj_in_tx(j, step, open[i].partner_id, what);
		}
	} while (n == BJ_PAGE && !j->app->stop);
	free(open);
	return failed;
}

/* ---------------------------------------------------------------------------------------------
 * Texts. */

/* "<b>Ромашка</b> · #12", the name cut to BJ_NAME_MAX bytes so a message stays in bounds. */
void
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

/* A day number as "12.03.2026". */
void
bj_date(int64_t day, char *out, size_t outsz)
{
	view_date(day > 0 ? day * 86400 : 0, out, outsz);
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
int
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

int
bj_sub_save(struct bj *j, struct subscription *s)
{
	s->updated_at = j->now;
	return sub_save(j->db, s);
}

/* Puts a partner the rules stopped into `to` with its history row, when the state machine
 * allows it from where the partner is. 1 changed, 0 left as it was, -1 error. */
int
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

/* Into the next period [period_end, end), on the plan it was invoiced with (plan_id; 0: not
 * invoiced, paid through all the same): a waiting plan change applies when that period is
 * priced with it — a period paid ahead at the old price keeps the old plan, and the change
 * waits for the first period priced with the new one. A trial becomes an active subscription
 * (and its episode is closed). 1 rolled over, -1 error. */
static int
bj_roll(struct bj *j, struct subscription *s, const struct partner *p, int64_t end,
    int64_t plan_id)
{
	struct buf b;
	char key[64], until[16];
	int trial = s->status == SUB_TRIALING, rc = -1;

	s->period_start = s->period_end;
	s->period_end = end;
	if (plan_id == 0)
		plan_id = s->next_plan_id != 0 ? s->next_plan_id : s->plan_id;
	s->plan_id = plan_id;
	if (s->next_plan_id == plan_id)
		s->next_plan_id = 0;
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
			return bj_roll(j, s, p, inv.period_end, inv.plan_id);
		if (s->status == SUB_TRIALING)
			return bj_trial_end(j, s, p, &inv);
		return bj_roll(j, s, p, inv.period_end, inv.plan_id);
	}
	/* no invoice: paid through the next period all the same (credit, history), or the end */
	if ((r = plan_get(j->db, s->next_plan_id ? s->next_plan_id : s->plan_id, &pl)) == -1)
		return -1;
	if (r == 1) {
		end = pricing_add_months(s->period_end, pl.yearly ? 12 : 1, s->anchor_dom);
		if (s->paid_until >= end)
			return bj_roll(j, s, p, end, 0);
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

/* An open trial episode whose story is over: the partner is archived, or subscribed again (a
 * live subscription past its trial). Resolved with what happened. 0/-1. */
static int
bj_trial_settle(struct bj *j, int64_t partner_id)
{
	struct subscription s;
	struct partner p;
	struct buf b;
	char key[64];
	int r, live, rc;

	if ((r = partner_get(j->db, partner_id, &p)) != 1)
		return r;
	if ((live = sub_live(j->db, partner_id, &s)) == -1)
		return -1;
	if (p.status != PARTNER_ARCHIVED && (live == 0 || s.status == SUB_TRIALING))
		return 0;
	buf_init(&b, 0);
	bj_partner_name(&b, &p);
	buf_adds(&b, p.status == PARTNER_ARCHIVED ? L(j->lang, ": партнёр в архиве",
	    ": the partner is archived") : L(j->lang, ": подписка оформлена снова",
	    ": subscribed again"));
	bj_trial_key(&p, key, sizeof(key));
	rc = alert_resolve(j->app, j->db, key, b.ptr) == -1 ? -1 : 0;
	buf_release(&b);
	return rc;
}


int
billing_renewal_job(struct app *a, struct db *db)
{
	struct subscription *rows;
	struct bj j;
	char what[64];
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
			snprintf(what, sizeof(what), "renewal of subscription %lld",
			    (long long)rows[i].id);
			failed += bj_in_tx(&j, bj_subscription, rows[i].id, what);
		}
	} while (n == BJ_PAGE && !a->stop);
	free(rows);
	if (!a->stop)
		failed += bj_sweep(&j, "trial", bj_trial_settle);	/* few; each closes for good */
	if (j.queued)
		app_wake_sender(a);
	return failed || a->stop ? -1 : 0;
}
