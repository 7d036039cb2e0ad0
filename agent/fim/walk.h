/* walk.h — recursive walk of the monitored trees. */
#ifndef VIGIL_FIM_WALK_H
#define VIGIL_FIM_WALK_H

#include <stdio.h>

#include "fim/entry.h"
#include "vigil/rc.h"

struct fim_walk_opts {
	const char *const *excludes; /* fnmatch globs: full path, or base name if no '/' */
	size_t n_excludes;
	bool no_recurse; /* the root and its direct children only */
	FILE *warn;	 /* warnings (unreadable entries) go here; NULL for none */
	size_t n_warnings;
};

/* Adds root and everything below it to out (not following symlinks, not
 * entering /proc, /sys, /dev). Unreadable directories are recorded with
 * FIM_F_UNREADABLE and a warning. Returns VIGIL_OK; VIGIL_ERR_IO with errno
 * if root itself cannot be lstat'ed (ENOENT included); VIGIL_ERR_NOMEM. */
vigil_rc fim_walk(const char *root, struct fim_walk_opts *o, struct fim_set *out);

/* True if path matches one of globs: a glob with a '/' is matched against
 * the full path, otherwise against the last component. */
bool fim_glob_match(const char *const *globs, size_t n, const char *path);
/* /proc, /sys, /dev: recorded, never entered. */
bool fim_is_pseudo_fs(const char *path);

#endif
