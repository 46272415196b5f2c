/*
 * demo_monitoring.c — the partners' activity (logins and operations per day) and data volumes,
 * shaped so /dormant, /drops and /volume have something to show.
 */
#include <string.h>

#include "bot/demo/demo.h"

/*
 * Activity history: DEMO_HISTORY_DAYS days up to now through activity_add (one login event per
 * active user and day, the day's operations as one event), for the first DEMO_HISTORY_PARTNERS
 * partners — the benchmarks load larger histories themselves. Among active partners, counted in
 * order, every seventh from the third went quiet 20–40 days ago (dormant) and the sixth dropped
 * sharply this week. A partner that left active kept a trickle (suspended: read-only) or nothing
 * (blocked, archived) after its status changed. Every partner gets data volumes.
 */
#define DEMO_HISTORY_DAYS 60
#define DEMO_HISTORY_PARTNERS 300

enum demo_profile { DEMO_REGULAR, DEMO_DORMANT, DEMO_DROP };

/* One day's events of partner p: 0/-1. busy is the share of users active (percent). */
static int
demo_day(struct db *db, struct demo_rng *r, const struct partner *p, int64_t day_start,
    int64_t now, int busy)
{
	struct activity_event_in e;
	int64_t u, users = p->users > 0 ? p->users : 1, ops = 0, at;

	memset(&e, 0, sizeof(e));
	e.partner_id = p->id;
	for (u = 1; u <= users; u++) {
		if ((int)demo_below(r, 100) >= busy)
			continue;
		at = day_start + (8 + (int64_t)demo_below(r, 13)) * 3600 +
		    (int64_t)demo_below(r, 3600);
		if (at > now)
			continue;
		e.type = EVENT_LOGIN;
		e.at = at;
		e.user_id = p->id * 1000 + u;	/* the CRM's user ids: distinct per partner */
		e.count = 1 + (demo_below(r, 4) == 0);
		if (activity_add(db, &e, now) == -1)
			return -1;
		ops += 3 + (int64_t)demo_below(r, 25);
	}
	if (ops == 0)
		return 0;
	e.type = EVENT_OPERATION;
	e.at = day_start + 20 * 3600 < now ? day_start + 20 * 3600 : now;
	e.user_id = 0;
	e.count = ops;
	return activity_add(db, &e, now);
}

/* Partner i (our id) and its place among the active partners so far (advanced here). */
int
demo_activity(struct db *db, int64_t i, int64_t id, int64_t *active, int64_t today, int64_t now)
{
	struct demo_rng rng = { DEMO_SEED ^ 0x616374697669ull ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull) };
	struct partner_status_change ch;
	struct partner p;
	struct volume v;
	enum demo_profile profile = DEMO_REGULAR;
	int64_t day, from, until = today, changed = 0;
	int busy, weekday;

	if (partner_get(db, id, &p) != 1)
		return -1;
	if (p.status == PARTNER_ACTIVE) {
		if (*active % 7 == 2)
			profile = DEMO_DORMANT;
		else if (*active % 13 == 5)
			profile = DEMO_DROP;
		(*active)++;
	}
	if (profile == DEMO_DORMANT)
		until = today - (20 + (int64_t)demo_below(&rng, 21)) * DAY;
	if (p.status != PARTNER_ACTIVE && partner_history(db, p.id, &ch, 1) == 1)
		changed = ch.at / DAY * DAY;
	from = today - (DEMO_HISTORY_DAYS - 1) * DAY;
	if (from < p.connected_on)
		from = p.connected_on;
	if (i >= DEMO_HISTORY_PARTNERS)
		until = from - DAY;	/* volumes only */
	for (day = from; day <= until; day += DAY) {
		weekday = (int)((day / DAY + 4) % 7);	/* 0 = Sunday: 1970-01-01 was a Thursday */
		busy = weekday == 0 ? 25 : weekday == 6 ? 45 : 70;
		if (changed && day >= changed)
			busy = p.status == PARTNER_SUSPENDED ? busy / 8 : 0;
		if (profile == DEMO_DROP && day > today - 7 * DAY)
			busy /= 6;
		/* a day now and then without anyone: "every day or two" */
		if (busy == 0 || demo_below(&rng, 100) < 12)
			continue;
		if (demo_day(db, &rng, &p, day, now, busy) == -1)
			return -1;
	}
	memset(&v, 0, sizeof(v));
	v.partner_id = p.id;
	v.clients = p.users * (15 + (int64_t)demo_below(&rng, 40));
	v.lessons = v.clients * (8 + (int64_t)demo_below(&rng, 30));
	v.payments = v.clients * (2 + (int64_t)demo_below(&rng, 10));
	v.db_bytes = (v.clients * 6 + v.lessons + v.payments) * 1024 +
	    (int64_t)demo_below(&rng, 4 << 20);
	v.updated_at = now;
	return volume_set(db, &v);
}
