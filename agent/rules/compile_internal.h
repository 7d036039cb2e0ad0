/* compile_internal.h — shared by compile.c and compile_exceptions.c. */
#ifndef VIGIL_RULES_COMPILE_INTERNAL_H
#define VIGIL_RULES_COMPILE_INTERNAL_H

#include "rules/compile.h"

/*
 * The rule's exceptions as one expression that is true when any exception
 * matches (the caller adds `and not (...)`), or NULL when there are none or
 * on error (reported to diags). The first unsupported field seen is stored
 * in *unsupported if it is still NULL.
 */
struct expr *compile_exceptions(const struct ruleset *rs, const struct rules_rule *r,
				struct vigil_diag *diags, const char *item,
				const struct field_def **unsupported);

#endif
