/* spool_rec.c — encode and check spool records (little-endian, two CRC-32s). */
#include <string.h>

#include "ship/gzip.h"
#include "ship/spool_rec.h"
#include "vigil/clock.h"

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The payload before deflate: per alert, priority (1 byte), length (4), JSON. */
static vigil_rc raw_payload(const struct sbatch *b, struct strbuf *raw)
{
	strbuf_reset(raw);
	for (size_t i = 0; i < b->n; i++) {
		unsigned char h[5];
		h[0] = b->a[i].prio;
		put32(h + 1, b->a[i].len);
		strbuf_add(raw, (const char *)h, sizeof(h));
		strbuf_add(raw, b->data + b->a[i].off, b->a[i].len);
	}
	if (raw->oom)
		return VIGIL_ERR_NOMEM;
	return raw->truncated || raw->len > SPOOL_MAX_RAW ? VIGIL_ERR_TOO_BIG : VIGIL_OK;
}

vigil_rc spool_rec_encode(const struct sbatch *b, struct strbuf *rec, struct strbuf *tmp)
{
	vigil_rc rc = raw_payload(b, tmp);
	if (rc != VIGIL_OK)
		return rc;
	unsigned char h[SPOOL_HDR_LEN] = {0};
	memcpy(h, SPOOL_MAGIC, 8);
	put32(h + 8, SPOOL_HDR_LEN);
	put32(h + 12, (uint32_t)b->n);
	put64(h + 16, b->seq);
	put64(h + 24, vigil_wall_ns() / 1000000u); /* a date on disk, kept across reboots: wall */
	put32(h + 32, (uint32_t)tmp->len);
	for (size_t i = 0; i < b->n; i++) {
		unsigned char *cnt = h + 44 + 4 * b->a[i].prio;
		put32(cnt, get32(cnt) + 1);
	}
	memcpy(h + 76, b->id, SHIP_UUID_LEN);
	/* Deflate into rec after room for the header, then fill the header in. */
	struct strbuf z;
	strbuf_init(&z, SPOOL_MAX_RAW + 1024);
	if (ship_deflate(tmp->data ? tmp->data : "", tmp->len, SHIP_SPOOL_LEVEL, Z_FMT_ZLIB, &z)) {
		bool over = !z.oom; /* as hreq_start tells the two apart */
		strbuf_free(&z);
		return over ? VIGIL_ERR_TOO_BIG : VIGIL_ERR_NOMEM;
	}
	put32(h + 36, (uint32_t)z.len);
	put32(h + 40, ship_crc32(z.data, z.len));
	put32(h + 112, ship_crc32(h, 112));
	strbuf_reset(rec);
	strbuf_add(rec, (const char *)h, sizeof(h));
	strbuf_add(rec, z.data, z.len);
	strbuf_free(&z);
	if (rec->oom)
		return VIGIL_ERR_NOMEM;
	return rec->truncated ? VIGIL_ERR_TOO_BIG : VIGIL_OK;
}

vigil_rc spool_rec_header(const void *p, size_t n, struct spool_hdr *h)
{
	const unsigned char *u = p;
	if (n < SPOOL_HDR_LEN || memcmp(u, SPOOL_MAGIC, 8) != 0 || get32(u + 8) != SPOOL_HDR_LEN ||
	    get32(u + 112) != ship_crc32(u, 112))
		return VIGIL_ERR_INPUT;
	memset(h, 0, sizeof(*h));
	h->nalerts = get32(u + 12);
	h->seq = get64(u + 16);
	h->created_unix_ms = get64(u + 24);
	h->raw_len = get32(u + 32);
	h->zlen = get32(u + 36);
	h->payload_crc = get32(u + 40);
	uint64_t sum = 0;
	for (int i = 0; i < SHIP_NPRIO; i++)
		sum += h->prio[i] = get32(u + 44 + 4 * i);
	memcpy(h->id, u + 76, SHIP_UUID_LEN);
	h->id[SHIP_UUID_LEN] = '\0';
	if (sum != h->nalerts || h->nalerts > SPOOL_MAX_ALERTS || h->raw_len > SPOOL_MAX_RAW ||
	    strlen(h->id) != SHIP_UUID_LEN)
		return VIGIL_ERR_INPUT;
	return VIGIL_OK;
}

/* Walk the inflated payload into a batch; NULL if any length is out of bounds. */
static struct sbatch *parse_payload(const struct spool_hdr *h, const unsigned char *p, size_t n)
{
	struct sbatch *b = sbatch_new(h->seq);
	if (!b)
		return NULL;
	memcpy(b->id, h->id, sizeof(b->id));
	size_t off = 0;
	while (off < n) {
		if (n - off < 5)
			goto bad;
		uint32_t len = get32(p + off + 1);
		int prio = p[off];
		if (prio >= SHIP_NPRIO || len > n - off - 5)
			goto bad;
		if (sbatch_add(b, (const char *)p + off + 5, len, prio))
			goto bad;
		off += 5 + (size_t)len;
	}
	if (b->n != h->nalerts)
		goto bad;
	for (int i = 0; i < SHIP_NPRIO; i++)
		if (sbatch_count_prio(b, i) != h->prio[i])
			goto bad;
	return b;
bad:
	sbatch_free(b);
	return NULL;
}

struct sbatch *spool_rec_decode(const void *p, size_t n, struct strbuf *tmp)
{
	struct spool_hdr h;
	const unsigned char *u = p;
	if (spool_rec_header(p, n, &h) != VIGIL_OK || n - SPOOL_HDR_LEN != h.zlen ||
	    ship_crc32(u + SPOOL_HDR_LEN, h.zlen) != h.payload_crc)
		return NULL;
	size_t saved_max = tmp->max;
	tmp->max = (size_t)h.raw_len + 2; /* what the header promised, and one byte to see more */
	int rc = ship_inflate(u + SPOOL_HDR_LEN, h.zlen, Z_FMT_ZLIB, tmp);
	tmp->max = saved_max;
	if (rc || tmp->len != h.raw_len)
		return NULL;
	return parse_payload(&h, (const unsigned char *)tmp->data, tmp->len);
}
