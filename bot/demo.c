/*
 * demo.c — demo data for `make run` and the benchmarks: a small team with every role.
 * Idempotent: running it again refreshes the same rows. Later blocks add their data here.
 */
#include <stdio.h>

#include "bot/bot.h"
#include "storage/storage.h"

static const struct demo_member {
	int64_t		 id;
	const char	*username;
	const char	*name;
	unsigned	 roles;
} demo_team[] = {
	{ 100000001, "anna_admin", "Анна Смирнова", ROLE_SUPERADMIN },
	{ 100000002, "igor_support", "Игорь Петров", ROLE_SUPPORT },
	{ 100000003, "olga_dev", "Ольга Кузнецова", ROLE_DEVELOPER },
	{ 100000004, "pavel_billing", "Павел Соколов", ROLE_BILLING },
	{ 100000005, "maria_manager", "Мария Волкова", ROLE_MANAGER | ROLE_BILLING },
};

int
demo_seed(struct app *a, int64_t partners)
{
	char errbuf[256];
	struct db *db;
	size_t i;
	unsigned r;
	int rc = -1;

	(void)partners;	/* partners arrive with the partners block */
	db = db_open(a->cfg.database, errbuf, sizeof(errbuf));
	if (db == NULL) {
		log_error("cannot open database '%s': %s", a->cfg.database, errbuf);
		return -1;
	}
	if (db_begin(db) == -1)
		goto out;
	for (i = 0; i < sizeof(demo_team) / sizeof(demo_team[0]); i++) {
		const struct demo_member *m = &demo_team[i];

		if (team_upsert(db, m->id, m->username, m->name, clock_now()) == -1)
			goto fail;
		for (r = 1; r <= ROLE_MANAGER; r <<= 1)
			if ((m->roles & r) && team_grant(db, m->id, r, 0, clock_now()) == -1)
				goto fail;
	}
	if (db_commit(db) == -1)
		goto out;
	printf("demo data in '%s': %zu team members\n", a->cfg.database,
	    sizeof(demo_team) / sizeof(demo_team[0]));
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	db_close(db);
	return rc;
}
