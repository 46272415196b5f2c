/*
 * registry.c — every block's command and button tables in one place, and the permission gate.
 * A new block adds its tables to the two lists below; dispatch, /help, the menu and the
 * permission matrix test pick them up from here.
 */
#include <string.h>

#include "handlers/handlers.h"

static const struct command *const command_tables[] = {
	core_commands,
};

static const struct button *const button_tables[] = {
	core_buttons,
};

#define NTABLES(t) (sizeof(t) / sizeof((t)[0]))

const struct command *
registry_command_at(size_t i)
{
	size_t t, j;

	for (t = 0; t < NTABLES(command_tables); t++)
		for (j = 0; command_tables[t][j].name != NULL; j++)
			if (i-- == 0)
				return &command_tables[t][j];
	return NULL;
}

const struct button *
registry_button_at(size_t i)
{
	size_t t, j;

	for (t = 0; t < NTABLES(button_tables); t++)
		for (j = 0; button_tables[t][j].verb != NULL; j++)
			if (i-- == 0)
				return &button_tables[t][j];
	return NULL;
}

const struct command *
registry_command(const char *name)
{
	const struct command *c;
	size_t i;

	for (i = 0; (c = registry_command_at(i)) != NULL; i++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct button *
registry_button(const char *verb)
{
	const struct button *b;
	size_t i;

	for (i = 0; (b = registry_button_at(i)) != NULL; i++)
		if (strcmp(b->verb, verb) == 0)
			return b;
	return NULL;
}

/*
 * The one permission gate, deny by default: unknown users reach only PERM_PUBLIC entries;
 * superadmins reach everything; anyone else needs one of the listed roles.
 */
int
gate_allows(int is_member, unsigned roles, unsigned perm)
{
	if (perm == PERM_PUBLIC)
		return 1;
	if (!is_member || roles == 0)
		return 0;
	if (roles & ROLE_SUPERADMIN)
		return 1;
	return (roles & perm) != 0;
}
