/* attrs.h — fill an entry from lstat, readlink and the extended attributes. */
#ifndef VIGIL_FIM_ATTRS_H
#define VIGIL_FIM_ATTRS_H

#include <sys/stat.h>

#include "fim/entry.h"

/* Copies st into e, reads the symlink target and hashes the xattrs of
 * e->path (not following links). 0, or -1 on allocation failure. */
int fim_attrs_fill(struct fim_entry *e, const struct stat *st);

#endif
