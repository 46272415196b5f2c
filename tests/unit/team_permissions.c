/*
 * The permission matrix: every command and every button × every role (and an unknown user),
 * allowed or refused as the product rules say (PRODUCT.md, "Team and access"). The matrix is
 * data: a command or button missing from it fails the test, so each new one must join it.
 */
#include <string.h>

#include "handlers/handlers.h"
#include "tests/tap.h"

#define SA ROLE_SUPERADMIN
#define SU ROLE_SUPPORT
#define DE ROLE_DEVELOPER
#define BI ROLE_BILLING
#define MA ROLE_MANAGER
#define MEMBERS (SA | SU | DE | BI | MA)
#define UNKNOWN (1u << 8)	/* a user who is not on the team */
#define ANYONE (MEMBERS | UNKNOWN)

static const struct {
	const char	*name;
	unsigned	 allowed;	/* who passes the gate */
	int		 partner;	/* touches partner data: audited, private chats only */
} commands[] = {
	{ "start", ANYONE, 0 },
	{ "help", ANYONE, 0 },
	{ "whoami", MEMBERS, 0 },
	{ "cancel", MEMBERS, 0 },
	{ "skip", MEMBERS, 0 },
	{ "team", MEMBERS, 0 },
	{ "grant", SA, 0 },
	{ "revoke", SA, 0 },
	{ "partners", MEMBERS, 1 },		/* managers and developers see it masked */
	{ "partner", MEMBERS, 1 },
	{ "partner_new", SA | BI, 1 },
	{ "partner_edit", SA | BI, 1 },
	{ "status", SA | BI, 1 },
	{ "access", SA | BI | SU, 1 },		/* never developers or managers */
	{ "access_end", SA | BI | SU, 1 },
	{ "audit", SA, 1 },
	{ "audit_verify", SA, 0 },
	{ "alerts", MEMBERS, 0 },
	{ "activity", MEMBERS, 1 },		/* partner data, no personal data: every role */
	{ "dormant", MEMBERS, 1 },
	{ "volume", MEMBERS, 1 },
	{ "top", MEMBERS, 1 },
	{ "health", MEMBERS, 0 },		/* developers need it most */
	/* billing: changes by billing (and superadmins); a partner's billing is partner data that
	 * support reads only in a ticket session, managers without personal data, developers
	 * never; the /invoices overview is refused to support by the handler */
	{ "subscribe", SA | BI, 1 },
	{ "plan_change", SA | BI, 1 },
	{ "autorenew", SA | BI, 1 },
	{ "cancel_subscription", SA | BI, 1 },
	{ "renew", SA | BI, 1 },
	{ "subscription", SA | BI | SU | MA, 1 },
	{ "invoices", SA | BI | SU | MA, 1 },
	{ "invoice", SA | BI | SU | MA, 1 },
	{ "invoice_void", SA | BI, 1 },
	{ "pay", SA | BI, 1 },
	{ "acts", SA | BI | SU | MA, 1 },
	{ "payments", SA | BI | SU | MA, 1 },
	{ "plans", SA | BI | MA, 0 },		/* plans hold no partner data: managers read */
	{ "plan", SA | BI | MA, 0 },
	{ "plan_new", SA | BI, 0 },
	{ "plan_edit", SA | BI, 0 },
}, buttons[] = {
	{ "areq_ok", SA, 0 },
	{ "areq_no", SA, 0 },
	{ "p", MEMBERS, 1 },
	{ "pl", MEMBERS, 1 },
	{ "ph", MEMBERS, 1 },
	{ "pe", SA | BI, 1 },
	{ "pf", SA | BI, 1 },
	{ "ps", SA | BI, 1 },
	{ "pst", SA | BI, 1 },
	{ "psc", SA | BI, 1 },
	{ "psn", SA | BI, 1 },
	{ "pd", SA | BI | SU, 1 },
	{ "pr", SA | BI | SU, 1 },
	{ "px", SA | BI | SU, 1 },
	{ "pa", SA, 1 },
	{ "al", SA, 1 },
	{ "tgp", SA, 0 },
	{ "trp", SA, 0 },
	{ "tgr", SA, 0 },
	{ "trv", SA, 0 },
	{ "alc", MEMBERS, 0 },		/* the card goes to the presser's private chat */
	{ "ala", MEMBERS, 0 },
	{ "als", MEMBERS, 0 },
	{ "alm", MEMBERS, 0 },
	{ "act", MEMBERS, 1 },
	{ "vol", MEMBERS, 1 },
	{ "sub", SA | BI | SU | MA, 1 },
	{ "spk", SA | BI, 1 },
	{ "sok", SA | BI, 1 },
	{ "bxn", SA | BI, 1 },
	{ "cpk", SA | BI, 1 },
	{ "cok", SA | BI, 1 },
	{ "inl", SA | BI | SU | MA, 1 },
	{ "inv", SA | BI | SU | MA, 1 },
	{ "invp", SA | BI | SU | MA, 1 },
	{ "acts", SA | BI | SU | MA, 1 },
	{ "pays", SA | BI | SU | MA, 1 },
	{ "ivd", SA | BI, 1 },
	{ "iok", SA | BI, 1 },
	{ "ipy", SA | BI, 1 },
	{ "ypk", SA | BI, 1 },
	{ "yok", SA | BI, 1 },
	{ "dpay", SA | BI, 0 },		/* in the billing chat: the answer goes to a private chat */
	{ "dext", SA | BI, 0 },
	{ "dblk", SA | BI, 0 },
	{ "plc", SA | BI | MA, 0 },
	{ "ple", SA | BI, 0 },
	{ "pla", SA | BI, 0 },
	{ "plo", SA | BI, 0 },
	{ "pln", SA | BI, 0 },
};

static const unsigned who[] = { SA, SU, DE, BI, MA, UNKNOWN, SU | MA, BI | MA, 0 };
static const char *const whoname[] = { "superadmin", "support", "developer", "billing",
    "manager", "unknown", "support+manager", "billing+manager", "member without roles" };

/* What the matrix says for a person holding roles (several roles: any one passes). */
static int
expected(unsigned allowed, unsigned roles)
{
	if (roles == UNKNOWN)
		return (allowed & UNKNOWN) != 0;
	if (roles == 0)
		return (allowed & UNKNOWN) != 0;	/* no role: treated as a stranger */
	return (allowed & roles) != 0;
}

static int
gate(unsigned perm, unsigned roles)
{
	int member = roles != UNKNOWN && roles != 0;

	return gate_allows(member, member ? roles : 0, perm);
}

int
main(void)
{
	const struct command *c;
	const struct button *b;
	size_t i, j, w;
	int missing, wrong;
	char name[160];

	/* every registered command is in the matrix, and the gate agrees with it */
	for (i = 0; (c = registry_command_at(i)) != NULL; i++) {
		for (j = 0; j < sizeof(commands) / sizeof(commands[0]); j++)
			if (strcmp(commands[j].name, c->name) == 0)
				break;
		snprintf(name, sizeof(name), "/%s is in the permission matrix", c->name);
		if (!ok(j < sizeof(commands) / sizeof(commands[0]), name))
			continue;
		wrong = 0;
		for (w = 0; w < sizeof(who) / sizeof(who[0]); w++)
			if (gate(c->perm, who[w]) != expected(commands[j].allowed, who[w])) {
				printf("# /%s for %s: gate says %d\n", c->name, whoname[w],
				    gate(c->perm, who[w]));
				wrong++;
			}
		snprintf(name, sizeof(name), "/%s: the gate matches the matrix for every role", c->name);
		is_int(wrong, 0, name);
		snprintf(name, sizeof(name), "/%s: partner-data flag as the matrix says", c->name);
		is_int(!!(c->flags & CMD_PARTNER), commands[j].partner, name);
	}
	missing = 0;
	for (j = 0; j < sizeof(commands) / sizeof(commands[0]); j++)
		if (registry_command(commands[j].name) == NULL) {
			printf("# /%s is in the matrix but not registered\n", commands[j].name);
			missing++;
		}
	is_int(missing, 0, "every command of the matrix is registered");

	for (i = 0; (b = registry_button_at(i)) != NULL; i++) {
		for (j = 0; j < sizeof(buttons) / sizeof(buttons[0]); j++)
			if (strcmp(buttons[j].name, b->verb) == 0)
				break;
		snprintf(name, sizeof(name), "button %s is in the permission matrix", b->verb);
		if (!ok(j < sizeof(buttons) / sizeof(buttons[0]), name))
			continue;
		wrong = 0;
		for (w = 0; w < sizeof(who) / sizeof(who[0]); w++)
			if (gate(b->perm, who[w]) != expected(buttons[j].allowed, who[w])) {
				printf("# button %s for %s: gate says %d\n", b->verb, whoname[w],
				    gate(b->perm, who[w]));
				wrong++;
			}
		snprintf(name, sizeof(name), "button %s: the gate matches the matrix for every role",
		    b->verb);
		is_int(wrong, 0, name);
		snprintf(name, sizeof(name), "button %s: partner-data flag as the matrix says", b->verb);
		is_int(!!(b->flags & CMD_PARTNER), buttons[j].partner, name);
	}
	missing = 0;
	for (j = 0; j < sizeof(buttons) / sizeof(buttons[0]); j++)
		if (registry_button(buttons[j].name) == NULL)
			missing++;
	is_int(missing, 0, "every button of the matrix is registered");

	/* the product's hard rules, said once more in plain words */
	ok(!gate(registry_command("access")->perm, DE) && !gate(registry_command("access")->perm, MA),
	    "developers and managers can never open personal data");
	ok(!gate(registry_command("partner_edit")->perm, SU), "support is read-only");
	ok(!gate(registry_command("grant")->perm, BI | MA | SU | DE),
	    "only superadmins manage the team");
	ok(!gate(registry_button("areq_ok")->perm, UNKNOWN), "a stranger cannot approve himself");
	ok(!gate(registry_command("pay")->perm, SU | DE | MA) &&
	    !gate(registry_command("invoice_void")->perm, SU | DE | MA) &&
	    !gate(registry_command("subscribe")->perm, SU | DE | MA),
	    "only billing and superadmins change billing");
	ok(!gate(registry_command("invoice")->perm, DE) &&
	    !gate(registry_command("subscription")->perm, DE),
	    "developers never read a partner's billing");
	ok(gate(registry_command("plans")->perm, MA) && !gate(registry_command("plan_new")->perm, MA) &&
	    !gate(registry_command("plan_edit")->perm, MA | SU | DE),
	    "managers read plans; only billing and superadmins change them");
	return done_testing();
}
