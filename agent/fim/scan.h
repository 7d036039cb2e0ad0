/* scan.h — one full scan: walk every root, sort, de-duplicate, hash. */
#ifndef VIGIL_FIM_SCAN_H
#define VIGIL_FIM_SCAN_H

#include "fim/walk.h"

/* Scans roots into out (sorted, unique paths). A root that does not exist
 * is skipped when missing_ok, else it is an error. Returns VIGIL_OK, or
 * fim_walk's failure with errno and *bad_root set. */
vigil_rc fim_scan(const char *const *roots, size_t n_roots, bool missing_ok,
		  struct fim_walk_opts *o, struct fim_set *out, const char **bad_root);

/* Makes path absolute (relative to the working directory, links not
 * resolved) and strips trailing slashes. Returns a malloc'ed string. */
char *fim_abspath(const char *path);

/* Drops repeated paths from a sorted set (the first is kept). */
void fim_set_dedupe(struct fim_set *s);

#endif
