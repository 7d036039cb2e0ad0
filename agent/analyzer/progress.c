/*
 * progress.c — the double-buffered, checksummed progress record (see
 * progress.h).
 *
 * The checksum is not keyed, on purpose. The page is a CLOEXEC memfd that
 * only the supervisor and the analyzers hold; the application reaches it
 * only through /proc/<vigil>/fd, map_files, ptrace or process_vm_writev of
 * a vigil process, all refused as tamper. Whoever could still write the
 * page could as well read or write the analyzer's memory, where a key
 * would have to live, so a MAC would stop no one a checksum does not. The
 * checksum catches torn and stray writes; the checks on what a record may
 * claim (counters never go down, a cut only of what one write leaves)
 * bound what any forgery can do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/progress.h"
#include "vigil/heartbeat.h"

#define SLOT_WORDS 9 /* 8 values and the checksum */
#define SLOT_BASE 32 /* page[0]: current slot + 1 (0 = none); slots from here */
#define SLOT(page, i) ((page) + SLOT_BASE + SLOT_WORDS * (i))
_Static_assert(VIGIL_HEARTBEAT_WORD > 0 && VIGIL_HEARTBEAT_WORD < SLOT_BASE,
	       "the heartbeat word lies outside the progress slots");
_Static_assert((SLOT_BASE + 2 * SLOT_WORDS) * 8 <= VIGIL_PROGRESS_PAGE_SIZE, "slots fit the page");

uint64_t *progress_map(int fd)
{
	void *p = mmap(NULL, VIGIL_PROGRESS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* FNV-1a over the values, seeded with the slot number. */
static uint64_t checksum(const uint64_t *v, unsigned slot)
{
	uint64_t h = 0xcbf29ce484222325ull ^ slot;
	for (int i = 0; i < SLOT_WORDS - 1; i++)
		for (int b = 0; b < 64; b += 8) {
			h ^= (v[i] >> b) & 0xff;
			h *= 0x100000001b3ull;
		}
	return h;
}

static void to_rec(const uint64_t *s, struct progress_rec *r)
{
	*r = (struct progress_rec){s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]};
}

static bool slot_sound(const uint64_t *page, unsigned i, struct progress_rec *r)
{
	uint64_t v[SLOT_WORDS];
	memcpy(v, SLOT(page, i), sizeof(v));
	to_rec(v, r);
	return v[SLOT_WORDS - 1] == checksum(v, i);
}

/* The name of a counter of cur below the same one in prev, or NULL. */
static const char *went_down(const struct progress_rec *cur, const struct progress_rec *prev)
{
	return cur->last_num < prev->last_num		? "last evt.num"
	       : cur->lost < prev->lost			? "events lost"
	       : cur->out_size < prev->out_size		? "--events-out size"
	       : cur->rep_dropped < prev->rep_dropped	? "reported drops"
	       : cur->rep_lost < prev->rep_lost		? "reported losses"
	       : cur->rep_restarts < prev->rep_restarts ? "reported restarts"
							: NULL;
}

static void keep_highest(struct progress_rec *out, const struct progress_rec *a,
			 const struct progress_rec *b)
{
	const uint64_t *x = &a->last_num, *y = &b->last_num;
	uint64_t *o = &out->last_num;
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		o[i] = x[i] > y[i] ? x[i] : y[i];
	out->out_size = 0; /* never a place to cut the file at */
}

enum progress_state progress_load(const uint64_t *page, struct progress_rec *out, char *why,
				  size_t whylen)
{
	memset(out, 0, sizeof(*out));
	uint64_t cur = __atomic_load_n(&page[0], __ATOMIC_ACQUIRE);
	if (cur == 0)
		return PROGRESS_NONE;
	struct progress_rec a, b;
	bool a_ok = cur <= 2 && slot_sound(page, (unsigned)cur - 1, &a);
	bool b_ok = cur <= 2 && slot_sound(page, (unsigned)(2 - cur), &b);
	const char *bad = cur > 2 ? "slot index out of range" : !a_ok ? "checksum mismatch" : NULL;
	if (!bad && b_ok && (b.last_num || b.out_size))
		bad = went_down(&a, &b);
	if (!bad) {
		*out = a;
		return PROGRESS_OK;
	}
	snprintf(why, whylen, "%s%s", bad, a_ok && b_ok ? " went down" : "");
	if (cur <= 2) {
		to_rec(SLOT(page, cur - 1), &a);
		to_rec(SLOT(page, 2 - cur), &b);
		keep_highest(out, &a, &b);
	}
	return PROGRESS_REJECTED;
}

void progress_store(uint64_t *page, const struct progress_rec *rec)
{
	uint64_t cur = __atomic_load_n(&page[0], __ATOMIC_RELAXED);
	uint64_t next = cur == 1 ? 2 : 1;
	uint64_t v[SLOT_WORDS] = {rec->last_num,	 rec->lost,	   rec->out_size,
				  rec->alerts_in_memory, rec->rep_dropped, rec->rep_lost,
				  rec->rep_restarts,	 rec->rep_ms};
	v[SLOT_WORDS - 1] = checksum(v, (unsigned)next - 1);
	memcpy(SLOT(page, next - 1), v, sizeof(v));
	__atomic_store_n(&page[0], next, __ATOMIC_RELEASE);
}

int progress_check_cut(int fd, uint64_t out_size, uint64_t max_tail, char *why, size_t whylen)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size == out_size)
		return 1;
	uint64_t size = (uint64_t)st.st_size;
	char last = '\n';
	if (size < out_size)
		snprintf(why, whylen, "it ends at %llu, before the recorded %llu",
			 (unsigned long long)size, (unsigned long long)out_size);
	else if (size - out_size > max_tail)
		snprintf(why, whylen,
			 "%llu bytes after the recorded end, more than one write leaves",
			 (unsigned long long)(size - out_size));
	else if (out_size && pread(fd, &last, 1, (off_t)out_size - 1) != 1)
		snprintf(why, whylen, "cannot read it: %s", strerror(errno));
	else if (last != '\n')
		snprintf(why, whylen, "the recorded end %llu is not the end of a line",
			 (unsigned long long)out_size);
	else
		return 0;
	return -1;
}
