/* batch.c — batches of alerts: append, limits, split in halves, drop by priority. */
#include <stdlib.h>
#include <string.h>

#include "ship/backoff.h"
#include "ship/batch.h"

void ship_uuid(char out[SHIP_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	uint64_t r1 = ship_random64(), r2 = ship_random64();
	memcpy(b, &r1, 8);
	memcpy(b + 8, &r2, 8);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

struct sbatch *sbatch_new(uint64_t seq)
{
	struct sbatch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	ship_uuid(b->id);
	b->seq = seq;
	return b;
}

void sbatch_free(struct sbatch *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->a);
	free(b);
}

/* Grow an array to hold `need` items of `size` bytes; false on OOM. */
static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * size);
	if (!n)
		return false;
	*p = n;
	*cap = c;
	return true;
}

int sbatch_add(struct sbatch *b, const char *json, size_t len, int prio)
{
	if (len > UINT32_MAX || b->data_len + len > UINT32_MAX)
		return -1;
	if (!grow((void **)&b->data, &b->data_cap, b->data_len + len, 1) ||
	    !grow((void **)&b->a, &b->cap, b->n + 1, sizeof(*b->a)))
		return -1;
	if (prio < 0 || prio >= SHIP_NPRIO)
		prio = SHIP_NPRIO - 1;
	memcpy(b->data + b->data_len, json, len);
	b->a[b->n++] = (struct alert_ref){(uint32_t)b->data_len, (uint32_t)len, (uint8_t)prio};
	b->data_len += len;
	return 0;
}

size_t sbatch_raw_bytes(const struct sbatch *b)
{
	return b->data_len + (b->n ? b->n - 1 : 0);
}

bool sbatch_full_with(const struct sbatch *b, size_t len, size_t max_alerts, size_t max_bytes)
{
	if (!b->n)
		return false; /* an empty batch takes any alert the caller let through */
	return b->n + 1 > max_alerts || sbatch_raw_bytes(b) + 1 + len > max_bytes;
}

int sbatch_worst_prio(const struct sbatch *b)
{
	int worst = -1;
	for (size_t i = 0; i < b->n; i++)
		if (b->a[i].prio > worst)
			worst = b->a[i].prio;
	return worst;
}

size_t sbatch_count_prio(const struct sbatch *b, int prio)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		n += b->a[i].prio == prio;
	return n;
}

/* Rewrite data and refs keeping only refs with keep[i] set. */
static void compact(struct sbatch *b, const bool *keep)
{
	size_t out = 0, off = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (!keep[i])
			continue;
		struct alert_ref r = b->a[i];
		memmove(b->data + off, b->data + r.off, r.len);
		b->a[out++] = (struct alert_ref){(uint32_t)off, r.len, r.prio};
		off += r.len;
	}
	b->n = out;
	b->data_len = off;
}

size_t sbatch_drop_prio(struct sbatch *b, int prio, size_t bytes)
{
	bool *keep = malloc(b->n ? b->n : 1);
	if (!keep)
		return 0;
	size_t dropped = 0, freed = 0;
	for (size_t i = 0; i < b->n; i++) {
		bool drop = b->a[i].prio == prio && (bytes == 0 || freed < bytes);
		keep[i] = !drop;
		if (drop) {
			dropped++;
			freed += b->a[i].len + 1;
		}
	}
	if (dropped)
		compact(b, keep);
	free(keep);
	return dropped;
}

/* A new batch holding alerts [from, to) of b. */
static struct sbatch *slice(const struct sbatch *b, size_t from, size_t to, uint64_t seq)
{
	struct sbatch *s = sbatch_new(seq);
	if (!s)
		return NULL;
	s->created_ms = b->created_ms;
	for (size_t i = from; i < to; i++) {
		if (sbatch_add(s, b->data + b->a[i].off, b->a[i].len, b->a[i].prio)) {
			sbatch_free(s);
			return NULL;
		}
	}
	return s;
}

int sbatch_split(const struct sbatch *b, uint64_t seq_lo, uint64_t seq_hi, struct sbatch **lo,
		 struct sbatch **hi)
{
	if (b->n < 2)
		return -1;
	size_t mid = b->n / 2;
	*lo = slice(b, 0, mid, seq_lo);
	*hi = *lo ? slice(b, mid, b->n, seq_hi) : NULL;
	if (!*hi) {
		sbatch_free(*lo);
		*lo = NULL;
		return -1;
	}
	return 0;
}
