/* expr_internal.h — the compiled condition tree (expr.c builds it, expr_eval.c runs it). */
#ifndef VIGIL_RULES_EXPR_INTERNAL_H
#define VIGIL_RULES_EXPR_INTERNAL_H

#include <regex.h>
#include <stdint.h>

#include "rules/expr.h"

struct operand {
	char *s; /* string operands (NUL-terminated copy; bcontains: decoded bytes) */
	size_t len;
	int64_t i;   /* numeric and boolean operands */
	regex_t *re; /* regex operands */
	int family;  /* network operands (FT_NET fields): AF_INET or AF_INET6 */
	uint8_t net[16];
	int prefix; /* bits */
};

struct expr {
	enum expr_kind kind;
	struct expr *a; /* NOT */
	struct expr **
		kids; /* AND, OR: n-ary, so a long `and not ...` chain is a loop, not a recursion */
	size_t nkids;
	bool cval; /* EX_CONST */
	struct field_ref field;
	enum expr_op op;
	size_t n;
	struct operand *vals;
	bool by_type; /* evt.type =/!=/in: answered from typeset, no string work */
	vigil_sc_set typeset;
};

#endif
