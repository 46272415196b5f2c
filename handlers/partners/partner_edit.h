/*
 * partner_edit.h — what the partner editing files share, and nobody else includes:
 * partner_edit.c (/partner_new, /partner_edit and the command tables) and partner_status.c
 * (the status state machine the tables list).
 */
#ifndef HANDLERS_PARTNER_EDIT_H
#define HANDLERS_PARTNER_EDIT_H

#include "handlers/handlers.h"

/* partner_status.c */
int	 pe_status_cmd(struct ctx *);		/* /status <partner> <new status> <reason> */
int	 pe_status_btn(struct ctx *);		/* ps: the transitions allowed from here */
int	 pe_status_to_btn(struct ctx *);	/* pst: asks for the reason */
int	 pe_status_confirm_btn(struct ctx *);	/* psc: the confirmation */
int	 pe_status_cancel_btn(struct ctx *);	/* psn: the confirmation cancelled */
int	 pe_status_text(struct ctx *, const struct dialog *, const char *);

#endif
