/*
 * plans.h — what the plans block's two files share, and nobody else includes: plan_list.c (the
 * list, the card, archiving, the command tables) and plan_edit.c (creating and editing).
 */
#ifndef HANDLERS_PLANS_H
#define HANDLERS_PLANS_H

/* plan_list.c */
/* A code as typed ("Start " → "start"): lowercase latin, digits, '-' and '_' (not first), one
 * word of at most PLAN_CODE_MAX - 1 bytes. 0, or -1 with err filled (the rule and an example). */
int	 plans_parse_code(struct ctx *, const char *in, char *out, size_t outsz, char *err,
	    size_t errsz);
/* The price shape in words (HTML): "2 990,00 ₽/мес · +990,00 ₽ за филиал сверх 1 · …". */
void	 plans_shape(struct ctx *, const struct plan *, struct buf *);
/* The current version of a code a person typed: 1; 0 answered (no such plan); -1 error. */
int	 plans_find(struct ctx *, const char *typed, struct plan *);
/* The card with the version history (edit: in place of the pressed button's message). */
int	 plans_show_card(struct ctx *, const char *code, int edit);
/* Archives (1) or restores (0) p's code, audited (edit: the card's button redraws it). */
int	 plans_archive(struct ctx *, const struct plan *, int archived, int edit);

/* plan_edit.c — the commands, buttons and dialogs plan_list.c lists in the tables. */
int	 plan_edit_new_cmd(struct ctx *);		/* /plan_new */
int	 plan_edit_cmd(struct ctx *);			/* /plan_edit */
int	 plan_edit_hint_btn(struct ctx *);		/* ple: how to edit this plan */
int	 plan_edit_confirm_btn(struct ctx *);		/* plo: the edit confirmed */
int	 plan_edit_cancel_btn(struct ctx *);		/* pln: the edit cancelled */
int	 plan_edit_new_text(struct ctx *, const struct dialog *, const char *);
int	 plan_edit_new_skip(struct ctx *, const struct dialog *);
int	 plan_edit_wait_text(struct ctx *, const struct dialog *, const char *);

#endif
