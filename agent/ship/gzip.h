/* gzip.h — zlib in one place: gzip bodies for HTTP, deflate for spool records. */
#ifndef VIGIL_SHIP_GZIP_H
#define VIGIL_SHIP_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/strbuf.h"

/* Level for request bodies: measured in test/bench/ship (ratio vs alerts/s). */
#define SHIP_GZIP_LEVEL 5
/* Level for spool records: written during outages, favour speed. */
#define SHIP_SPOOL_LEVEL 1

enum zformat { Z_FMT_GZIP, Z_FMT_ZLIB };

/*
 * Compress n bytes of `in`, appending to `out` (reset first). Returns 0, or
 * -1 on a zlib error or when the result would not fit in out->max.
 */
int ship_deflate(const void *in, size_t n, int level, enum zformat fmt, struct strbuf *out);
/* Inflate `in` into `out` (reset first); -1 on corrupt input or past out->max. */
int ship_inflate(const void *in, size_t n, enum zformat fmt, struct strbuf *out);
/* zlib's CRC-32. */
uint32_t ship_crc32(const void *p, size_t n);

#endif
