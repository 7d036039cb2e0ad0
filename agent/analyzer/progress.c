/* progress.c — the double-buffered progress record (see progress.h). */
#include <string.h>
#include <sys/mman.h>

#include "analyzer/progress.h"

#define SLOT(page, i) ((page) + 1 + 4 * (i)) /* page[0]: current slot + 1, 0 = none */

uint64_t *progress_map(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

bool progress_load(const uint64_t *page, struct progress_rec *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t cur = __atomic_load_n(&page[0], __ATOMIC_ACQUIRE);
	if (cur != 1 && cur != 2)
		return false;
	const uint64_t *s = SLOT(page, cur - 1);
	*out = (struct progress_rec){s[0], s[1], s[2], s[3]};
	return true;
}

void progress_store(uint64_t *page, const struct progress_rec *rec)
{
	uint64_t cur = __atomic_load_n(&page[0], __ATOMIC_RELAXED);
	uint64_t next = cur == 1 ? 2 : 1;
	uint64_t *s = SLOT(page, next - 1);
	s[0] = rec->last_num;
	s[1] = rec->lost;
	s[2] = rec->out_size;
	s[3] = rec->alerts_in_memory;
	__atomic_store_n(&page[0], next, __ATOMIC_RELEASE);
}
