/*
 * spool_rec.h — one spool record: a batch on disk.
 *
 * A fixed header (magic, sizes, seq, priority counts, Idempotency-Key, its
 * own CRC-32) followed by the alerts deflated, covered by a second CRC-32.
 * The header alone is enough to index and evict; the payload is read only
 * to send. Secrets are never part of a record: the key and signature are
 * added when a request is built.
 */
#ifndef VIGIL_SHIP_SPOOL_REC_H
#define VIGIL_SHIP_SPOOL_REC_H

#include <stddef.h>
#include <stdint.h>

#include "ship/batch.h"
#include "vigil/rc.h"
#include "vigil/strbuf.h"

#define SPOOL_MAGIC "VIGILSP1"
#define SPOOL_HDR_LEN 116u
/* Limits a header must respect before anything is allocated from it. */
#define SPOOL_MAX_RAW (256u * 1024u * 1024u)
#define SPOOL_MAX_ALERTS 1000000u

struct spool_hdr {
	uint32_t nalerts;
	uint64_t seq;
	uint64_t created_unix_ms;
	uint32_t raw_len, zlen, payload_crc;
	uint32_t prio[SHIP_NPRIO];
	char id[SHIP_UUID_LEN + 1];
};

/* Encode a batch into `rec` (reset first); `tmp` is scratch. VIGIL_OK,
 * VIGIL_ERR_NOMEM, or VIGIL_ERR_TOO_BIG (over the record's bounds). */
vigil_rc spool_rec_encode(const struct sbatch *b, struct strbuf *rec, struct strbuf *tmp);
/* Parse and check a header (magic, CRC, bounds): VIGIL_OK or VIGIL_ERR_INPUT. */
vigil_rc spool_rec_header(const void *p, size_t n, struct spool_hdr *h);
/*
 * Decode a whole record: header, payload CRC, inflate, every alert in
 * bounds and the counts matching the header. Returns the batch (seq and id
 * from the record) or NULL when anything is off.
 */
struct sbatch *spool_rec_decode(const void *p, size_t n, struct strbuf *tmp);

#endif
