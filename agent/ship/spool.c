/* spool.c — the record index: put with eviction by priority, take oldest, remove. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship/spool.h"
#include "ship/spool_dir.h"
#include "ship/spool_rec.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

#define REC_MAX (SPOOL_HDR_LEN + SPOOL_MAX_RAW + 65536u)
/* After a failed write (disk full, read-only, I/O error) the spool refuses
 * records for this long instead of encoding and failing again for every
 * batch on every turn of the loop; removing a record (room made) ends it. */
#define WRITE_PAUSE_MS 1000u

struct spool_ent {
	uint64_t seq, bytes;
	uint32_t nalerts, prio[SHIP_NPRIO];
	bool busy; /* in flight: neither evicted nor taken again */
};

struct spool {
	int dirfd;
	uint64_t max_bytes, bytes;
	struct spool_ent *e; /* sorted by seq */
	size_t n, cap;
	struct ship_counters *c;
	struct strbuf rec, tmp;
	uint64_t paused_until_ms, failed_writes;
	int write_errno;
};

static void publish(struct spool *s)
{
	uint64_t alerts = 0;
	for (size_t i = 0; i < s->n; i++)
		alerts += s->e[i].nalerts;
	s->c->spool_records = s->n;
	s->c->spool_alerts = alerts;
	s->c->spool_bytes = s->bytes;
}

static struct spool_ent *find(struct spool *s, uint64_t seq)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].seq == seq)
			return &s->e[i];
	return NULL;
}

/* Insert keeping seq order (appends are the common case). */
static int index_add(struct spool *s, const struct spool_ent *ent)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct spool_ent *n = realloc(s->e, cap * sizeof(*n));
		if (!n)
			return -1;
		s->e = n;
		s->cap = cap;
	}
	size_t i = s->n;
	while (i > 0 && s->e[i - 1].seq > ent->seq) {
		s->e[i] = s->e[i - 1];
		i--;
	}
	s->e[i] = *ent;
	s->n++;
	s->bytes += ent->bytes;
	return 0;
}

static void index_del(struct spool *s, struct spool_ent *ent)
{
	size_t i = (size_t)(ent - s->e);
	s->bytes -= ent->bytes;
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof(*ent));
	s->n--;
}

static void unlink_seq(struct spool *s, uint64_t seq)
{
	char name[32];
	spool_name(name, seq);
	if (unlinkat(s->dirfd, name, 0) != 0 && errno != ENOENT)
		LOG_WARN("spool: removing %s: %s", name, strerror(errno));
}

/* A record failed its checks: delete, count, and say so (once per record). */
static void corrupt(struct spool *s, uint64_t seq, uint32_t claimed, const char *why)
{
	char name[32];
	spool_name(name, seq);
	LOG_WARN("spool: record %s is corrupt (%s): skipped, %u alerts lost", name, why, claimed);
	s->c->spool_corrupt++;
	s->c->spool_corrupt_alerts += claimed;
	unlink_seq(s, seq);
	struct spool_ent *ent = find(s, seq);
	if (ent)
		index_del(s, ent);
}

/* Index one directory entry; temp leftovers are deleted, strangers ignored. */
static void scan_one(struct spool *s, const char *name)
{
	uint64_t seq;
	if (strncmp(name, SPOOL_TMP_PREFIX, strlen(SPOOL_TMP_PREFIX)) == 0) {
		unlinkat(s->dirfd, name, 0); /* a writer died before its rename */
		return;
	}
	if (spool_parse_name(name, &seq))
		return;
	struct spool_hdr h;
	unsigned char buf[SPOOL_HDR_LEN];
	int fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	ssize_t got = fd >= 0 ? pread(fd, buf, sizeof(buf), 0) : -1;
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof(buf) || spool_rec_header(buf, sizeof(buf), &h) != VIGIL_OK ||
	    h.seq != seq || (uint64_t)size != SPOOL_HDR_LEN + (uint64_t)h.zlen) {
		corrupt(s, seq, 0, "bad header or size");
		return;
	}
	struct spool_ent ent = {.seq = seq, .bytes = (uint64_t)size, .nalerts = h.nalerts};
	memcpy(ent.prio, h.prio, sizeof(ent.prio));
	if (index_add(s, &ent))
		LOG_ERR("spool: out of memory indexing %s", name);
}

static int scan(struct spool *s)
{
	int fd = dup(s->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		scan_one(s, de->d_name);
	closedir(d);
	return 0;
}

struct spool *spool_open(const char *dir, uint64_t max_bytes, struct ship_counters *c, char *err,
			 size_t errlen)
{
	struct spool *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "spool: out of memory");
		return NULL;
	}
	s->c = c;
	s->max_bytes = max_bytes;
	strbuf_init(&s->rec, REC_MAX);
	strbuf_init(&s->tmp, SPOOL_MAX_RAW + 2);
	s->dirfd = spool_dir_open(dir, err, errlen);
	if (s->dirfd < 0 || scan(s)) {
		if (s->dirfd >= 0)
			snprintf(err, errlen, "spool.dir: reading %s: %s", dir, strerror(errno));
		spool_close(s);
		return NULL;
	}
	publish(s);
	if (s->n)
		LOG_INFO("spool: %zu batches (%llu alerts) waiting in %s", s->n,
			 (unsigned long long)c->spool_alerts, dir);
	return s;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	strbuf_free(&s->rec);
	strbuf_free(&s->tmp);
	free(s->e);
	free(s);
}

size_t spool_count(const struct spool *s)
{
	return s->n;
}

size_t spool_ready(const struct spool *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += !s->e[i].busy;
	return n;
}

uint64_t spool_max_seq(const struct spool *s)
{
	return s->n ? s->e[s->n - 1].seq : 0;
}

/* Load record `seq` (must be indexed); corrupt ones are removed and NULL returned. */
static struct sbatch *load(struct spool *s, uint64_t seq)
{
	char name[32];
	spool_name(name, seq);
	struct spool_ent *ent = find(s, seq);
	uint32_t claimed = ent ? ent->nalerts : 0;
	if (spool_read_file(s->dirfd, name, REC_MAX, &s->rec) != 0) {
		corrupt(s, seq, claimed, errno == ENOENT ? "vanished" : "unreadable");
		return NULL;
	}
	struct sbatch *b = spool_rec_decode(s->rec.data, s->rec.len, &s->tmp);
	if (!b)
		corrupt(s, seq, claimed, "checksum or contents");
	else
		b->spooled = true;
	return b;
}

struct sbatch *spool_take_oldest(struct spool *s)
{
	for (size_t i = 0; i < s->n;) {
		if (s->e[i].busy) {
			i++;
			continue;
		}
		uint64_t seq = s->e[i].seq;
		struct sbatch *b = load(s, seq);
		if (b) {
			find(s, seq)->busy = true;
			return b;
		}
		publish(s); /* the corrupt one left the index: same i is the next */
	}
	return NULL;
}

void spool_release(struct spool *s, uint64_t seq)
{
	struct spool_ent *ent = find(s, seq);
	if (ent)
		ent->busy = false;
}

void spool_remove(struct spool *s, uint64_t seq)
{
	struct spool_ent *ent = find(s, seq);
	unlink_seq(s, seq);
	s->paused_until_ms = 0; /* room was made: the next put may try at once */
	if (ent)
		index_del(s, ent);
	publish(s);
}

/* Store s->rec (the encoding of b) as record b->seq and index it:
 * VIGIL_OK, VIGIL_ERR_IO (errno set) or VIGIL_ERR_NOMEM. */
static vigil_rc write_rec(struct spool *s, const struct sbatch *b)
{
	char name[32];
	spool_name(name, b->seq);
	if (spool_write_file(s->dirfd, name, s->rec.data, s->rec.len) != VIGIL_OK)
		return VIGIL_ERR_IO;
	struct spool_ent ent = {.seq = b->seq, .bytes = s->rec.len, .nalerts = (uint32_t)b->n};
	for (size_t i = 0; i < b->n; i++)
		ent.prio[b->a[i].prio]++;
	struct spool_ent *old = find(s, b->seq);
	if (old) { /* a rewrite after eviction */
		ent.busy = old->busy;
		index_del(s, old);
	}
	if (index_add(s, &ent)) {
		unlink_seq(s, b->seq);
		return VIGIL_ERR_NOMEM;
	}
	return VIGIL_OK;
}

/* Least severe priority held by a record that is not in flight, or -1. */
static int worst_on_disk(const struct spool *s)
{
	int worst = -1;
	for (size_t i = 0; i < s->n; i++)
		for (int p = SHIP_NPRIO - 1; p > worst; p--)
			if (!s->e[i].busy && s->e[i].prio[p])
				worst = p;
	return worst;
}

/* Drop every priority-p alert from the oldest idle record holding some. */
static void evict_one(struct spool *s, int p)
{
	struct spool_ent *ent = NULL;
	for (size_t i = 0; i < s->n && !ent; i++)
		if (!s->e[i].busy && s->e[i].prio[p])
			ent = &s->e[i];
	if (!ent)
		return;
	uint64_t seq = ent->seq;
	struct sbatch *b = load(s, seq);
	if (!b)
		return; /* corrupt: it is gone, which also made room */
	s->c->dropped_spool_full += sbatch_drop_prio(b, p, 0);
	if (b->n == 0 || spool_rec_encode(b, &s->rec, &s->tmp) != VIGIL_OK ||
	    write_rec(s, b) != VIGIL_OK)
		spool_remove(s, seq);	  /* nothing left, or cannot rewrite: the rest goes too */
	if (find(s, seq) == NULL && b->n) /* removed with alerts still in it */
		s->c->dropped_spool_full += b->n;
	sbatch_free(b);
}

/* Said once per episode: a full disk must not flood the log. */
static void write_failed(struct spool *s, const struct sbatch *b)
{
	s->write_errno = errno;
	if (s->failed_writes++ == 0)
		LOG_WARN("spool: writing batch %s: %s; alerts stay in memory (up to "
			 "queue.max_bytes, "
			 "then the least severe are dropped and counted); retrying every %u ms",
			 b->id, strerror(s->write_errno), WRITE_PAUSE_MS);
	s->paused_until_ms = vigil_mono_ms() + WRITE_PAUSE_MS;
}

vigil_rc spool_put(struct spool *s, struct sbatch *b)
{
	if (b->spooled)
		return VIGIL_OK;
	if (s->paused_until_ms && vigil_mono_ms() < s->paused_until_ms) {
		errno = s->write_errno;
		return VIGIL_ERR_IO; /* the last write failed; not retried before the pause ends */
	}
	vigil_rc rc;
	for (;;) {
		if (b->n == 0) {
			publish(s);
			return VIGIL_OK; /* every alert was evicted (and counted): nothing to write */
		}
		rc = spool_rec_encode(b, &s->rec, &s->tmp);
		if (rc != VIGIL_OK) {
			publish(s);
			return rc;
		}
		if (s->bytes + s->rec.len <= s->max_bytes)
			break;
		int pd = worst_on_disk(s), pb = sbatch_worst_prio(b);
		if (pd >= pb) { /* the same priority on disk is older: it goes first */
			evict_one(s, pd);
		} else {
			s->c->dropped_spool_full += sbatch_drop_prio(b, pb, 0);
		}
	}
	rc = write_rec(s, b);
	if (rc != VIGIL_OK) {
		write_failed(s, b);
		publish(s);
		return rc;
	}
	if (s->failed_writes)
		LOG_INFO("spool: writing works again (%llu attempts failed meanwhile)",
			 (unsigned long long)s->failed_writes);
	s->failed_writes = 0;
	b->spooled = true;
	s->c->spooled_batches++;
	publish(s);
	return VIGIL_OK;
}
