/*
 * demo_team.c — the demo team: one member per role, and a manager who also does billing. The
 * ids DEMO_ADMIN, DEMO_BILLING and DEMO_MANAGER act in the billing history (demo.h).
 */
#include "bot/demo/demo.h"

static const struct demo_member {
	int64_t		 id;
	const char	*username;
	const char	*name;
	unsigned	 roles;
} demo_team[] = {
	{ DEMO_ADMIN, "anna_admin", "Анна Смирнова", ROLE_SUPERADMIN },
	{ 100000002, "igor_support", "Игорь Петров", ROLE_SUPPORT },
	{ 100000003, "olga_dev", "Ольга Кузнецова", ROLE_DEVELOPER },
	{ DEMO_BILLING, "pavel_billing", "Павел Соколов", ROLE_BILLING },
	{ DEMO_MANAGER, "maria_manager", "Мария Волкова", ROLE_MANAGER | ROLE_BILLING },
};

/* The team: refreshed on every run (names, and the roles granted again). 0/-1. */
int
demo_team_seed(struct db *db, size_t *n)
{
	size_t i;
	unsigned r;

	for (i = 0; i < NELEM(demo_team); i++) {
		const struct demo_member *m = &demo_team[i];

		if (team_upsert(db, m->id, m->username, m->name, clock_now()) == -1)
			return -1;
		for (r = 1; r <= ROLE_MANAGER; r <<= 1)
			if ((m->roles & r) && team_grant(db, m->id, r, 0, clock_now()) == -1)
				return -1;
	}
	*n = NELEM(demo_team);
	return 0;
}
