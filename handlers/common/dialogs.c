/*
 * dialogs.c — the pieces the form-and-dialog commands share: partner_edit.c and plan_edit.c
 * ask their creation dialogs, tell wrong answers and forms, and wait for confirmations in the
 * same words (see dialogs.h).
 */
#include <string.h>

#include "handlers/common/dialogs.h"

int
dialogs_ask(struct ctx *c, size_t step, size_t n, const char *ask_ru, const char *ask_en,
    int required)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_printf(&b, TR(c, "Шаг %zu из %zu. ", "Step %zu of %zu. "), step + 1, n);
	buf_adds(&b, TR(c, ask_ru, ask_en));
	buf_adds(&b, required ? TR(c, "\n/cancel — выйти", "\n/cancel to leave") :
	    TR(c, "\n/skip — пропустить, /cancel — выйти", "\n/skip to skip, /cancel to leave"));
	rc = reply(c, b.ptr, NULL);
	buf_release(&b);
	return rc;
}

int
dialogs_retry(struct ctx *c, const char *e)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, "⚠️ ");
	buf_add_html(&b, e);
	buf_adds(&b, TR(c, "\nПопробуйте ещё раз или /cancel.", "\nTry again or /cancel."));
	rc = reply_error(c, b.ptr);
	buf_release(&b);
	return rc;
}

int
dialogs_required(struct ctx *c)
{
	return reply_error(c, TR(c, "Это поле обязательно — ответьте или /cancel.",
	    "This field is required: answer or /cancel."));
}

int
dialogs_not_saved(struct ctx *c, const struct buf *err, const char *format)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, TR(c, "⚠️ Не сохранено, исправьте:\n", "⚠️ Not saved; fix this:\n"));
	buf_add(&b, err->ptr, err->len);
	buf_adds(&b, TR(c, "\nФормат: ", "\nFormat: "));
	buf_adds(&b, format);
	rc = reply_error(c, b.ptr);
	buf_release(&b);
	return rc;
}

int
dialogs_field_error(struct ctx *c, const char *label_ru, const char *label_en, const char *e,
    char *err, size_t errsz)
{
	const char *rest = strstr(e, ": ");
	struct buf b;

	buf_init(&b, errsz > 1 ? errsz - 1 : 1);
	buf_adds(&b, TR(c, label_ru, label_en));
	buf_adds(&b, ": ");
	buf_adds(&b, rest ? rest + 2 : e);
	str_copy(err, errsz, b.ptr);
	buf_release(&b);
	return -1;
}

int
dialogs_wait_button(struct ctx *c)
{
	return reply_error(c, TR(c, "Подтвердите кнопкой выше или /cancel.",
	    "Confirm with the button above or /cancel."));
}

int
dialogs_stale(struct ctx *c)
{
	return reply_edit_error(c, TR(c, "Это подтверждение устарело; начните заново.",
	    "This confirmation is stale; start again."));
}

int
dialogs_cancel(struct ctx *c, const char *kind, const char *said_ru, const char *said_en)
{
	struct dialog d;
	int r = dialog_get(c->db, c->user_id, c->chat_id, &d);

	if (r == -1)
		return -1;
	/* only this confirmation's dialog: another one the person opened since stays */
	if (r == 1 && strcmp(d.kind, kind) == 0 && dialog_end(c->db, c->user_id, c->chat_id) == -1)
		return -1;
	return reply_edit(c, TR(c, said_ru, said_en), NULL);
}
