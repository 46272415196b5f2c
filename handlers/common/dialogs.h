/*
 * dialogs.h — the pieces the form-and-dialog commands share (partner_edit.c, plan_edit.c): a
 * guided dialog's question, its answers' retry and required messages, a one-line form's
 * not-saved message, a shared validator's error under the field's label, and the wait, stale
 * and cancel answers of a confirmation that waits in a dialog. Only those files include it.
 */
#ifndef HANDLERS_DIALOGS_H
#define HANDLERS_DIALOGS_H

#include "handlers/handlers.h"

/* Asks question number step (from 0) of n: "Шаг 2 из 9. " ask, then how to skip (unless the
 * field is required) or leave. ask is HTML. */
int	 dialogs_ask(struct ctx *, size_t step, size_t n, const char *ask_ru, const char *ask_en,
	    int required);
/* A dialog answer was wrong (e, plain text: what and an example); the question stays. */
int	 dialogs_retry(struct ctx *, const char *e);
/* /skip on a required question. */
int	 dialogs_required(struct ctx *);
/* A one-line form was not saved: what was wrong (err, HTML, a line each) and the format to type
 * (HTML). */
int	 dialogs_not_saved(struct ctx *, const struct buf *err, const char *format);
/* A shared validator's error ("Количество: …", "Сумма: …") told under the field's own label
 * ("Филиалов: …"), so two wrong counts in one form are told apart. Always -1. */
int	 dialogs_field_error(struct ctx *, const char *label_ru, const char *label_en,
	    const char *e, char *err, size_t errsz);
/* Text typed while a confirmation waits for its button. */
int	 dialogs_wait_button(struct ctx *);
/* A confirmation button whose dialog is gone, changed or too old. */
int	 dialogs_stale(struct ctx *);
/* A Cancel button: ends this person's dialog if it is of kind (another one opened since stays)
 * and edits the message to said_ru/said_en. */
int	 dialogs_cancel(struct ctx *, const char *kind, const char *said_ru, const char *said_en);

#endif
