/*
 * compile.h — from a merged rule set to rules the engine can evaluate.
 *
 * Macros and lists are expanded at load time, exceptions become
 * `and not (...)`, fields are resolved. A rule whose condition needs a
 * field vigil cannot produce, or whose source vigil does not have, is kept
 * but disabled, with one warning naming why: it never silently matches
 * and is never silently dropped.
 */
#ifndef VIGIL_RULES_COMPILE_H
#define VIGIL_RULES_COMPILE_H

#include "rules/expr.h"
#include "rules/output.h"
#include "rules/ruleset.h"

struct compiled_rule {
	const struct rules_rule *src; /* name, priority, tags, positions (owned by the rule set) */
	struct expr *cond;
	struct output_fmt *output;
	vigil_sc_set types; /* evt.type values it can match */
	bool any_type;	    /* no evt.type restriction: every event */
	bool tamper_watch;  /* any_type on vigil.tamper: widens nothing traced */
	bool needs_result; /* reads evt.res/rawres/dir, fd.num or fd.connected/name_changed: needs the exit stop */
	bool needs_writes;  /* reads proc.is_exe_upper_layer: file writes must be traced */
	bool needs_sockets; /* reads fd.l4proto: socket creation must be traced */
	bool enabled;
	char disabled_why[160]; /* "needs field fd.l4proto", "disabled in the rules file", ... */
};

/* Compile one rule; errors and warnings go to diags. Returns 0, or -1 on an
 * error (the rule then has no condition and is disabled). */
int compile_rule(const struct ruleset *rs, const struct rules_rule *r, struct compiled_rule *out,
		 struct vigil_diag *diags);
void compiled_rule_free(struct compiled_rule *r);

#endif
