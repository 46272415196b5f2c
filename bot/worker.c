/*
 * worker.c — drains the inbox in order (so each chat sees its updates in order): parse, then
 * dispatch inside a transaction that also marks the inbox row done; a backlog is taken in
 * batches that share one commit. A crash before the commit leaves the rows pending and they are
 * processed again; after the commit they are never processed again.
 */
#include <stdio.h>
#include <string.h>

#include "bot/bot.h"
#include "handlers/handlers.h"
#include "storage/storage.h"

/*
 * What the person is told about their refused update, in the transaction that marks it failed:
 * a press always gets its answer (or its spinner keeps turning); a message holding a NUL is
 * answered in a private chat, saying where the NUL is. In a group it is only logged: nobody
 * types a NUL, so it is a crafted client, and the team's chat is not its echo.
 */
static int
worker_refusal(struct app *a, struct db *db, const struct inbox_row *row,
    const struct tg_update *u)
{
	int en = a->cfg.language == LANG_EN, text;
	char answer[256], key[48];
	struct buf b;
	int r;

	if (u->callback_id[0] != '\0') {
		if (u->nul_field[0] != '\0')
			snprintf(answer, sizeof(answer), en ?
			    "Button refused: a NUL character (U+0000) in %s" :
			    "Кнопка не сработала: нулевой символ (U+0000) в поле %s", u->nul_field);
		else
			str_copy(answer, sizeof(answer), en ? "This button cannot be used" :
			    "Эту кнопку нельзя обработать");
		return reply_answer_callback(db, u->callback_id, answer, 1, row->id);
	}
	if (u->nul_field[0] == '\0' || u->kind != UPD_MESSAGE || u->chat_id <= 0 ||
	    strcmp(u->chat_type, "private") != 0)
		return 0;
	text = strcmp(u->nul_field, "message.text") == 0 ||
	    strcmp(u->nul_field, "message.caption") == 0;
	buf_init(&b, 2048);
	if (text)
		buf_adds(&b, en ? "⛔ Message not accepted: its text holds a NUL character (U+0000), "
		    "which cannot be processed. Send the text again without it." :
		    "⛔ Сообщение не принято: в тексте нулевой символ (U+0000), его нельзя "
		    "обработать. Отправьте текст ещё раз без него.");
	else {
		buf_adds(&b, en ? "⛔ Message not accepted: a NUL character (U+0000) in the field "
		    "<code>" : "⛔ Сообщение не принято: нулевой символ (U+0000) в поле <code>");
		buf_add_html(&b, u->nul_field);
		buf_adds(&b, en ? "</code> (the Telegram profile's name, for example). Remove it and "
		    "send the message again." : "</code> (например, в имени профиля Telegram). "
		    "Уберите его и отправьте сообщение ещё раз.");
	}
	snprintf(key, sizeof(key), "in%lld:nul", (long long)row->id);
	r = b.overflow ? -1 : notify_chat(db, u->chat_id, 0, b.ptr, NULL, key);
	buf_release(&b);
	return r;
}

/* One update of the batch, in the worker's transaction: 0 done (or refused, with its answer),
 * -1 nothing of it could be recorded (it stays pending). */
static int
worker_one(struct app *a, struct db *db, const struct inbox_row *row)
{
	struct tg_update u;
	struct buf err;
	int r = 0;

	buf_init(&err, 512);
	memset(&u, 0, sizeof(u));
	if (update_parse(row->payload, strlen(row->payload), &u, &err) == -1) {
		log_warn("update %lld rejected: %s", (long long)row->update_id, err.ptr);
		if (db_savepoint(db, 0) == -1 || worker_refusal(a, db, row, &u) == -1 ||
		    inbox_finish(db, row->id, INBOX_FAILED, err.ptr, 0, clock_now_ms()) == -1 ||
		    db_release(db, 0) == -1) {
			db_undo(db, 0);
			r = -1;
		}
	} else {
		pthread_rwlock_rdlock(&a->cfg_lock);
		r = dispatch_update(a, db, row->id, &u);
		pthread_rwlock_unlock(&a->cfg_lock);
		if (r == 0)
			app_stat_add(a, &a->stats.updates_done, 1);
	}
	update_release(&u);
	buf_release(&err);
	return r;
}

/*
 * Up to WORKER_BATCH pending updates, in order, share one transaction and so one commit (one
 * fsync): a backlog costs a fraction of a commit per update. Each update is a savepoint of it,
 * undone on its own when it fails; the batch ends after WORKER_BATCH_US of work so its replies
 * are not held back. A crash before the commit leaves all of them pending, and each is
 * processed again; after it, none is. Returns how many were processed, 0 none pending, -1 the
 * database refused (what was done before is committed).
 */
#define WORKER_BATCH 32
#define WORKER_BATCH_US 20000

int
worker_process_batch(struct app *a, struct db *db)
{
	struct inbox_row row;
	int64_t t0 = clock_mono_us();
	int n = 0, r = 0;

	if (db_begin(db) == -1)
		return -1;
	while (n < WORKER_BATCH && clock_mono_us() - t0 < WORKER_BATCH_US) {
		if ((r = inbox_next(db, &row)) != 1)
			break;
		r = worker_one(a, db, &row);
		inbox_row_release(&row);
		if (r == -1)
			break;
		n++;
	}
	if (n == 0) {
		db_rollback(db);
		return r == -1 ? -1 : 0;
	}
	if (db_commit(db) == -1)
		return -1;
	app_wake_sender(a);
	return r == -1 ? -1 : n;
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
		r = worker_process_batch(a, db);
		if (r > 0)
			continue;
		/* nothing pending, or the database is busy: wait for intake or retry shortly */
		app_wait(a, &a->inbox_pending, r == -1 ? 1000 : 250);
	}
	db_close(db);
	return NULL;
}
