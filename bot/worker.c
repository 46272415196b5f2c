/*
 * worker.c — drains the inbox in order (so each chat sees its updates in order), one update at a
 * time: parse, then dispatch inside a transaction that also marks the inbox row done. A crash
 * before the commit leaves the row pending and it is processed again; after the commit it is
 * never processed again.
 */
#include <string.h>

#include "bot/bot.h"
#include "storage/storage.h"

int
worker_process_one(struct app *a, struct db *db)
{
	struct inbox_row row;
	struct tg_update u;
	struct buf err;
	int r;

	r = inbox_next(db, &row);
	if (r != 1)
		return r;
	buf_init(&err, 512);
	memset(&u, 0, sizeof(u));
	if (update_parse(row.payload, strlen(row.payload), &u, &err) == -1) {
		log_warn("update %lld rejected: %s", (long long)row.update_id, err.ptr);
		if (db_begin(db) == 0) {
			/* a rejected button press still gets its answer, or its spinner keeps turning */
			if ((u.callback_id[0] == '\0' || reply_answer_callback(db, u.callback_id,
			    a->cfg.language == LANG_EN ? "This button cannot be used" :
			    "Эту кнопку нельзя обработать", 1, row.id) == 0) &&
			    inbox_finish(db, row.id, INBOX_FAILED, err.ptr, 0, clock_now_ms()) == 0) {
				r = db_commit(db) == 0 ? 1 : -1;
				app_wake_sender(a);
			} else {
				db_rollback(db);
				r = -1;
			}
		} else
			r = -1;
		goto out;
	}
	pthread_rwlock_rdlock(&a->cfg_lock);
	r = dispatch_update(a, db, row.id, &u) == 0 ? 1 : -1;
	pthread_rwlock_unlock(&a->cfg_lock);
	if (r == 1)
		app_stat_add(a, &a->stats.updates_done, 1);
out:
	update_release(&u);
	buf_release(&err);
	inbox_row_release(&row);
	return r;
}

void *
worker_thread(void *arg)
{
	struct app *a = arg;
	struct db *db;
	int r;

	if ((db = app_thread_db(a, "worker")) == NULL)
		return NULL;
	while (!a->stop) {
		r = worker_process_one(a, db);
		if (r == 1)
			continue;
		/* nothing pending, or the database is busy: wait for intake or retry shortly */
		app_wait(a, &a->inbox_pending, r == -1 ? 1000 : 250);
	}
	db_close(db);
	return NULL;
}
