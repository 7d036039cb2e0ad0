/*
 * batch.h — a batch of alerts for the HTTP sink: the alert JSON back to
 * back, each with its priority, and the Idempotency-Key that names the
 * batch for its whole life (retries, the spool, restarts).
 */
#ifndef VIGIL_SHIP_BATCH_H
#define VIGIL_SHIP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHIP_NPRIO 8 /* rules priorities 0 (Emergency) .. 7 (Debug) */
#define SHIP_UUID_LEN 36

struct alert_ref {
	uint32_t off, len;
	uint8_t prio;
};

struct sbatch {
	char id[SHIP_UUID_LEN + 1]; /* Idempotency-Key, a random UUID */
	uint64_t seq;		    /* smaller is older; the spool record's name */
	uint64_t created_ms;	    /* evloop clock: the age limit */
	char *data;		    /* alerts back to back, no separators */
	size_t data_len, data_cap;
	struct alert_ref *a;
	size_t n, cap;
	bool spooled;	     /* a copy is on disk as record `seq` */
	struct sbatch *next; /* queue link */
};

/* Random version-4 UUID text (36 chars + NUL). */
void ship_uuid(char out[SHIP_UUID_LEN + 1]);

struct sbatch *sbatch_new(uint64_t seq);
void sbatch_free(struct sbatch *b);
/* Append one alert; -1 on allocation failure (the batch is unchanged). */
int sbatch_add(struct sbatch *b, const char *json, size_t len, int prio);
/* Bytes the alerts occupy in a body: lengths plus the commas between them. */
size_t sbatch_raw_bytes(const struct sbatch *b);
/* Would one more alert of `len` bytes break the count or byte limit? */
bool sbatch_full_with(const struct sbatch *b, size_t len, size_t max_alerts, size_t max_bytes);
/* Least severe priority present (largest number), or -1 when empty. */
int sbatch_worst_prio(const struct sbatch *b);
/* How many alerts of priority `prio` the batch holds. */
size_t sbatch_count_prio(const struct sbatch *b, int prio);
/*
 * Remove alerts of priority `prio`, oldest first, until at least `bytes`
 * bytes were freed (0: all of them). Returns how many were removed.
 */
size_t sbatch_drop_prio(struct sbatch *b, int prio, size_t bytes);
/*
 * Split a batch of n >= 2 alerts into two halves with fresh ids and the
 * given seqs (the 413 answer). Returns 0; -1 (nothing changed) on OOM.
 */
int sbatch_split(const struct sbatch *b, uint64_t seq_lo, uint64_t seq_hi, struct sbatch **lo,
		 struct sbatch **hi);

#endif
