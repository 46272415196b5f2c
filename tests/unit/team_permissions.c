/*
 * The permission matrix: every command, button and dialog × every role (and an unknown user),
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
	{ "ala", MEMBERS, 0 },		/* then the alert's kind decides: alert_kinds below */
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

/* Who may see an alert of each kind (/alerts, its card button) and act on it (acknowledge,
 * snooze, take) — PRODUCT.md, "Alerts" and "Team and access": billing's money is billing's
 * (managers read it, developers never), quiet partners are support's and managers', the
 * system's health is the developers'. */
static const struct {
	const char	*kind;
	unsigned	 read;
	unsigned	 act;
} alert_kinds[] = {
	{ "dormant", MEMBERS, SA | SU | MA },
	{ "drop", MEMBERS, SA | SU | MA },
	{ "crm", MEMBERS, SA | DE },
	{ "telegram", MEMBERS, SA | DE },
	{ "backlog", MEMBERS, SA | DE },
	{ "dunning", SA | BI | MA, SA | BI },
	{ "trial", SA | BI | MA, SA | BI },
	{ "sla", SA, SA },		/* a kind without a row yet (a later block's): superadmins */
};
/* The buttons whose argument names an alert: the gate weighs its kind (read: the card). */
static const struct {
	const char	*verb;
	int		 act;
} alert_buttons[] = { { "alc", 0 }, { "ala", 1 }, { "als", 1 }, { "alm", 1 } };

/* Every dialog kind and what starts it: a command ("/name") or a button ("verb"). An answer
 * passes the dialog's gate for exactly those who may run that, so a role taken away mid-dialog
 * ends the dialog at the next answer. */
static const struct {
	const char	*kind;
	const char	*started_by;
} dialogs[] = {
	{ "partner_new", "/partner_new" },
	{ "partner_edit", "/partner_edit" },
	{ "status", "/status" },
	{ "access", "/access" },
	{ "plan_new", "/plan_new" },
	{ "plan_edit", "/plan_edit" },
	{ "bill_subscribe", "/subscribe" },
	{ "bill_change", "/plan_change" },
	{ "bill_autorenew", "/autorenew" },
	{ "bill_cancel", "/cancel_subscription" },
	{ "bill_renew", "/renew" },
	{ "bill_void", "/invoice_void" },
	{ "bill_pay", "/pay" },
	{ "bill_block", "dblk" },
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

/* gate_button with a subject rule of the test's own: its verdicts, deny by default. */
static int subject_result;
static unsigned subject_perm;

static int
test_subject(struct ctx *c, struct gate_subject *s)
{
	(void)c;
	s->perm = subject_perm;
	return subject_result;
}

static int
test_exec(struct ctx *c)
{
	(void)c;
	return 0;
}

static void
test_gate_button(void)
{
	static const struct button plain = { "t", PERM_MEMBER, 0, test_exec, NULL };
	static const struct button named = { "t", PERM_MEMBER, 0, test_exec, test_subject };
	static const struct button billing = { "t", BI, 0, test_exec, test_subject };
	struct gate_subject s;
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.is_member = 1;
	c.roles = DE;
	is_int(gate_button(&c, &plain, &s), GATE_PASS, "a button without a subject rule: its roles");
	subject_result = 1;
	subject_perm = BI;
	is_int(gate_button(&c, &named, &s), GATE_SUBJECT, "a developer on a billing subject: refused");
	is_int((int)s.perm, BI, "the verdict says for whom it is");
	c.roles = DE | BI;
	is_int(gate_button(&c, &named, &s), GATE_PASS, "one of the subject's roles is enough");
	c.roles = SA;
	is_int(gate_button(&c, &named, &s), GATE_PASS, "superadmins pass every subject");
	c.roles = DE;
	is_int(gate_button(&c, &billing, &s), GATE_ROLE, "the button's own roles come first");
	subject_perm = PERM_PUBLIC;
	is_int(gate_button(&c, &named, &s), GATE_SUBJECT, "a rule that leaves perm 0 lets only "
	    "superadmins in, not everyone");
	subject_result = 0;
	is_int(gate_button(&c, &named, &s), GATE_STALE, "a subject that does not exist: stale");
	subject_result = -1;
	is_int(gate_button(&c, &named, &s), GATE_ERROR, "one that cannot be read: refused");
	c.is_member = 0;
	c.roles = 0;
	subject_result = 1;
	subject_perm = MEMBERS;
	is_int(gate_button(&c, &named, &s), GATE_ROLE, "a stranger: refused before the subject");
}

int
main(void)
{
	const struct command *c;
	const struct button *b;
	const struct dialog_kind *k;
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

	/* alerts: every kind × every role, for reading and for acting */
	for (j = 0; j < sizeof(alert_kinds) / sizeof(alert_kinds[0]); j++) {
		unsigned read, act;

		alert_kind_roles(alert_kinds[j].kind, &read, &act);
		wrong = 0;
		for (w = 0; w < sizeof(who) / sizeof(who[0]); w++) {
			if (gate(read, who[w]) != expected(alert_kinds[j].read, who[w])) {
				printf("# alert %s: %s reads: %d\n", alert_kinds[j].kind, whoname[w],
				    gate(read, who[w]));
				wrong++;
			}
			if (gate(act, who[w]) != expected(alert_kinds[j].act, who[w])) {
				printf("# alert %s: %s acts: %d\n", alert_kinds[j].kind, whoname[w],
				    gate(act, who[w]));
				wrong++;
			}
		}
		snprintf(name, sizeof(name), "alerts of kind %s: read and acted on as the matrix says",
		    alert_kinds[j].kind);
		is_int(wrong, 0, name);
	}
	for (j = 0; j < sizeof(alert_buttons) / sizeof(alert_buttons[0]); j++) {
		b = registry_button(alert_buttons[j].verb);
		snprintf(name, sizeof(name), "button %s weighs the alert's kind", alert_buttons[j].verb);
		ok(b != NULL && b->subject != NULL, name);
	}
	test_gate_button();

	/* every dialog kind is gated as what starts it */
	for (i = 0; (k = registry_dialog_at(i)) != NULL; i++) {
		unsigned perm = 0;
		int found = 0;

		for (j = 0; j < sizeof(dialogs) / sizeof(dialogs[0]); j++)
			if (strcmp(dialogs[j].kind, k->kind) == 0)
				break;
		snprintf(name, sizeof(name), "dialog %s is in the permission matrix", k->kind);
		if (!ok(j < sizeof(dialogs) / sizeof(dialogs[0]), name))
			continue;
		if (dialogs[j].started_by[0] == '/' &&
		    (c = registry_command(dialogs[j].started_by + 1)) != NULL) {
			perm = c->perm;
			found = 1;
		} else if ((b = registry_button(dialogs[j].started_by)) != NULL) {
			perm = b->perm;
			found = 1;
		}
		snprintf(name, sizeof(name), "dialog %s: %s is registered", k->kind,
		    dialogs[j].started_by);
		if (!ok(found, name))
			continue;
		wrong = 0;
		for (w = 0; w < sizeof(who) / sizeof(who[0]); w++)
			if (gate(k->perm, who[w]) != gate(perm, who[w])) {
				printf("# dialog %s for %s: gate says %d, %s says %d\n", k->kind,
				    whoname[w], gate(k->perm, who[w]), dialogs[j].started_by,
				    gate(perm, who[w]));
				wrong++;
			}
		snprintf(name, sizeof(name), "dialog %s: gated as %s for every role", k->kind,
		    dialogs[j].started_by);
		is_int(wrong, 0, name);
	}
	missing = 0;
	for (j = 0; j < sizeof(dialogs) / sizeof(dialogs[0]); j++)
		if (registry_dialog(dialogs[j].kind) == NULL)
			missing++;
	is_int(missing, 0, "every dialog of the matrix is registered");

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
