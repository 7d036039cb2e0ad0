/*
 * expr.h — compiled conditions: what the evaluator runs for each event.
 *
 * The compiler (compile.c) turns a parsed condition, with its macros and
 * lists expanded, into this tree. Values are converted once at build time
 * (numbers parsed, regexes compiled, lists sorted for binary search), so
 * evaluation does no parsing and no allocation.
 */
#ifndef VIGIL_RULES_EXPR_H
#define VIGIL_RULES_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/fields.h"
#include "vigil/syscalls.h"

enum expr_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_CONTAINS,
	OP_ICONTAINS,
	OP_BCONTAINS,
	OP_STARTSWITH,
	OP_BSTARTSWITH,
	OP_ENDSWITH,
	OP_GLOB,
	OP_IGLOB,
	OP_REGEX,
	OP_IN,
	OP_INTERSECTS,
	OP_PMATCH,
	OP_EXISTS,
};

enum expr_kind { EX_AND, EX_OR, EX_NOT, EX_CMP, EX_CONST };

struct expr;

/* Operator by its Falco spelling ("=", "in", "startswith" ...); -1 if none. */
int expr_op_parse(const char *s, size_t len);

/*
 * Build a comparison. `values` are the operand texts (one for most
 * operators, any number for in/intersects/pmatch, none for exists). Fails
 * with a message when a value cannot be used with the field's type
 * (e.g. proc.pid = abc) or a regex does not compile.
 */
struct expr *expr_cmp(const struct field_ref *field, enum expr_op op, const char *const *values,
		      const size_t *lens, size_t n, char *err, size_t errlen);
struct expr *expr_and(struct expr *a, struct expr *b);
struct expr *expr_or(struct expr *a, struct expr *b);
struct expr *expr_not(struct expr *a);
struct expr *expr_const(bool v);
void expr_free(struct expr *e);

/* Evaluate for one event. */
bool expr_eval(const struct expr *e, const struct vigil_event *ev, const struct field_ctx *ctx);

/*
 * The evt.type values for which e can be true (an over-approximation).
 * Returns false if e can match any type (then `set` is all ones).
 */
bool expr_event_types(const struct expr *e, vigil_sc_set *set);

/*
 * Add to pf path predicates that any event matching e must satisfy in
 * fd.name (a necessary condition). Returns false when e does not constrain
 * the path (then pf may hold partial predicates; the caller gives up).
 */
struct prefilter;
bool expr_path_constraint(const struct expr *e, struct prefilter *pf);

/* Whether e uses the field named `name`. */
bool expr_uses_field(const struct expr *e, const char *name);
/* Whether e reads a syscall's result (evt.res, evt.rawres, evt.dir, fd.num). */
bool expr_uses_result(const struct expr *e);

/* The first field with support FS_NO that e uses, or NULL. */
const struct field_def *expr_unsupported_field(const struct expr *e);

#endif
