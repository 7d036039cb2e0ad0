/* attrs.h — fill an entry from lstat, readlink and the extended attributes. */
#ifndef VIGIL_FIM_ATTRS_H
#define VIGIL_FIM_ATTRS_H

#include <sys/stat.h>

#include "fim/entry.h"
#include "vigil/rc.h"

/* Copies st into e, reads the symlink target and hashes the xattrs of
 * e->path (not following links). VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc fim_attrs_fill(struct fim_entry *e, const struct stat *st);

#endif
