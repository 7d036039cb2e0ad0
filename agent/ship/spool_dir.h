/* spool_dir.h — file operations inside the spool directory, relative to its fd. */
#ifndef VIGIL_SHIP_SPOOL_DIR_H
#define VIGIL_SHIP_SPOOL_DIR_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/rc.h"
#include "vigil/strbuf.h"

/* "%016llx.rec" for a seq; `out` holds at least 32 bytes. */
void spool_name(char out[32], uint64_t seq);
/* Parse a record name back; 0 and *seq, or -1 if it is not one. */
int spool_parse_name(const char *name, uint64_t *seq);
/* Atomically replace `name` with `len` bytes: random temp name, fsync, rename, fsync dir.
 * VIGIL_OK, or VIGIL_ERR_IO with errno set. */
vigil_rc spool_write_file(int dirfd, const char *name, const void *p, size_t len);
/* Read a whole file of at most `max` bytes into out (reset first); 0 or -1. */
int spool_read_file(int dirfd, const char *name, size_t max, struct strbuf *out);
/* Temp files start with this: leftovers of a killed writer, deleted at open. */
#define SPOOL_TMP_PREFIX ".tmp."

#endif
