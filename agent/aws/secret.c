/* secret.c — page-aligned, never-dumped memory for secrets (see secret.h). */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws/secret.h"

static size_t round_to_pages(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return n == 0 ? page : (n + page - 1) / page * page;
}

void *secret_alloc(size_t n)
{
	size_t len = round_to_pages(n);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* The reason this allocator exists: a core dump must not carry the key. */
	if (madvise(p, len, MADV_DONTDUMP) != 0) {
		int saved = errno;
		munmap(p, len);
		errno = saved;
		return NULL;
	}
	/* Keep it out of swap when the memlock limit allows; not fatal otherwise. */
	(void)mlock(p, len);
	return p;
}

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void secret_free(void *p, size_t n)
{
	if (!p)
		return;
	size_t len = round_to_pages(n);
	OPENSSL_cleanse(p, len);
	munlock(p, len);
	munmap(p, len);
}
