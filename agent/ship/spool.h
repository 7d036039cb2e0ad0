/*
 * spool.h — the HTTP sink's disk buffer: one file per batch in a private
 * directory, oldest first, bounded in bytes.
 *
 * Records are written to a temp file, fsynced and renamed, so a kill -9
 * leaves either the whole record or none. A record that fails its checks
 * is deleted and counted, and the rest are read as usual. When the cap is
 * reached the least severe alerts go first, oldest first within a
 * priority, each one counted in dropped_spool_full.
 */
#ifndef VIGIL_SHIP_SPOOL_H
#define VIGIL_SHIP_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ship/batch.h"
#include "ship/ship.h"
#include "vigil/rc.h"

struct spool;

/*
 * Open (creating 0700 if needed) `dir`, which must be a directory owned by
 * us and closed to others; index the records there, deleting leftover temp
 * files and corrupt records. Counters are updated through `c`.
 */
struct spool *spool_open(const char *dir, uint64_t max_bytes, struct ship_counters *c, char *err,
			 size_t errlen);
void spool_close(struct spool *s);

/*
 * Write batch `b` as record b->seq, evicting older/less severe alerts
 * (possibly from `b` itself) to stay under the cap. Sets b->spooled.
 * Returns VIGIL_OK, or when it could not be written (b unchanged unless
 * alerts were dropped from it, which are counted): VIGIL_ERR_IO (errno
 * set; also while writes pause after a failure), VIGIL_ERR_NOMEM, or
 * VIGIL_ERR_TOO_BIG (b cannot be encoded as one record).
 */
vigil_rc spool_put(struct spool *s, struct sbatch *b);
/* Records not in flight. */
size_t spool_ready(const struct spool *s);
size_t spool_count(const struct spool *s);
/* Largest seq on disk, 0 if none: new batches number after it. */
uint64_t spool_max_seq(const struct spool *s);
/*
 * Load the oldest record not in flight and mark it in flight; NULL when
 * there is none. Corrupt records met on the way are deleted and counted.
 */
struct sbatch *spool_take_oldest(struct spool *s);
/* The record is no longer in flight (its send failed; it stays). */
void spool_release(struct spool *s, uint64_t seq);
/* Delete a record (delivered or dropped). */
void spool_remove(struct spool *s, uint64_t seq);

/* Make `path` (and missing parents) and check it is a private directory we own. */
int spool_dir_open(const char *path, char *err, size_t errlen);

#endif
