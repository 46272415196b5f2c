/*
 * worker.c — drains the inbox in order (so each chat sees its updates in order), one update at a
 * time: parse, then dispatch inside a transaction that also marks the inbox row done. A crash
 * before the commit leaves the row pending and it is processed again; after the commit it is
 * never processed again.
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
			if (worker_refusal(a, db, &row, &u) == 0 &&
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
