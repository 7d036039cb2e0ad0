/* secret.c — page-aligned, never-dumped memory for secrets (see secret.h). */
#include <errno.h>
#include <signal.h>
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

#define SECRET_STACK (1024u * 1024u) /* libcurl and OpenSSL need a few hundred KiB at most */

static void *map_stack(size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	*len = SECRET_STACK + page;
	char *p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
		       -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* The lowest page is a guard: an overflow faults instead of corrupting. */
	if (mprotect(p, page, PROT_NONE) != 0 ||
	    madvise(p + page, SECRET_STACK, MADV_DONTDUMP) != 0) {
		int saved = errno;
		munmap(p, *len);
		errno = saved;
		return NULL;
	}
	return p;
}

int secret_thread_start(struct secret_thread *t, void *(*fn)(void *), void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_attr_t attr;
	sigset_t all, old;
	t->stack = map_stack(&t->stack_len);
	if (!t->stack)
		return errno;
	int rc = pthread_attr_init(&attr);
	if (rc == 0)
		rc = pthread_attr_setstack(&attr, (char *)t->stack + page, SECRET_STACK);
	if (rc == 0) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&t->thread, &attr, fn, arg);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		munmap(t->stack, t->stack_len);
		t->stack = NULL;
	}
	return rc;
}

void secret_thread_join(struct secret_thread *t)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (!t->stack)
		return;
	pthread_join(t->thread, NULL);
	OPENSSL_cleanse((char *)t->stack + page, t->stack_len - page);
	munmap(t->stack, t->stack_len);
	t->stack = NULL;
}
