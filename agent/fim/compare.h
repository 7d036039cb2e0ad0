/* compare.h — differences between a recorded and a current entry set. */
#ifndef VIGIL_FIM_COMPARE_H
#define VIGIL_FIM_COMPARE_H

#include "fim/db.h"
#include "fim/entry.h"
#include "vigil/rc.h"

struct fim_change {
	uint32_t action;			/* enum fim_action */
	uint32_t attrs;				/* FIM_A_* bits, for FIM_CHANGED */
	const struct fim_entry *before, *after; /* borrowed; NULL when absent */
};

struct fim_changes {
	struct fim_change *v;
	size_t n, cap;
	size_t added, removed, changed;
};

/* Attribute bits that differ between a and b. */
uint32_t fim_entry_diff(const struct fim_entry *a, const struct fim_entry *b);

/* Compares the entries of before that lie under one of roots with all of
 * after (both sorted). Changes come out sorted by path. VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc fim_compare(const struct fim_set *before, const struct fim_set *after,
		     const char *const *roots, size_t n_roots, struct fim_changes *out);
void fim_changes_free(struct fim_changes *c);

#endif
