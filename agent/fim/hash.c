/* hash.c — a pool of worker threads taking regular files by atomic index. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fim/hash.h"
#include "vigil/selfopen.h"

#define HASH_BUF (128 * 1024)
#define MAX_WORKERS 64

struct pool {
	struct fim_set *s;
	atomic_size_t next;
	atomic_long unreadable;
	pthread_mutex_t warn_lock;
	FILE *warn;
};

static int hash_fd_ctx(EVP_MD_CTX *ctx, int fd, uint8_t *buf, uint8_t out[FIM_HASH_LEN])
{
	unsigned int olen = 0;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, HASH_BUF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(ctx, out, &olen);
	return 0;
}

/* O_NOATIME is refused (EPERM) on files the caller does not own without
 * CAP_FOWNER; then open without it. */
static int open_content(const char *path)
{
	int fl = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int fd = open(path, fl | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, fl);
	return fd;
}

/* Hashes e's content into e->sha256; 0 or an errno value. */
static int hash_content(struct fim_entry *e, EVP_MD_CTX *ctx, uint8_t *buf)
{
	int fd = open_content(e->path);
	int err = 0;
	if (fd < 0)
		return errno;
	struct stat st;
	bool stated = fstat(fd, &st) == 0;
	if (stated)
		vigil_selfopen_note(e->path, &st); /* an open the backstop may watch */
	if (!stated)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL; /* replaced since the walk */
	else {
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		if (hash_fd_ctx(ctx, fd, buf, e->sha256) != 0)
			err = errno;
	}
	close(fd);
	return err;
}

static void mark(struct fim_entry *e, int err)
{
	if (err == 0) {
		e->flags |= FIM_F_HASHED;
		return;
	}
	e->flags |= FIM_F_UNREADABLE;
	e->err = (uint32_t)err;
}

static void hash_one(struct pool *p, struct fim_entry *e, EVP_MD_CTX *ctx, uint8_t *buf)
{
	int err = hash_content(e, ctx, buf);
	mark(e, err);
	if (err == 0)
		return;
	atomic_fetch_add(&p->unreadable, 1);
	if (p->warn) {
		pthread_mutex_lock(&p->warn_lock);
		fprintf(p->warn, "vigil: warning: cannot read %s: %s\n", e->path, strerror(err));
		pthread_mutex_unlock(&p->warn_lock);
	}
}

int fim_hash_entry(struct fim_entry *e)
{
	uint8_t *buf = malloc(HASH_BUF);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int err = buf && ctx ? hash_content(e, ctx, buf) : ENOMEM;
	EVP_MD_CTX_free(ctx);
	free(buf);
	mark(e, err);
	return err ? -1 : 0;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	uint8_t *buf = malloc(HASH_BUF);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!buf || !ctx) {
		free(buf);
		EVP_MD_CTX_free(ctx);
		return (void *)1;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->s->n)
			break;
		struct fim_entry *e = &p->s->v[i];
		if (S_ISREG(e->mode))
			hash_one(p, e, ctx, buf);
	}
	EVP_MD_CTX_free(ctx);
	free(buf);
	return NULL;
}

long fim_hash_all(struct fim_set *s, int max_workers, FILE *warn)
{
	struct pool p = {.s = s, .warn = warn};
	atomic_init(&p.next, 0);
	atomic_init(&p.unreadable, 0);
	pthread_mutex_init(&p.warn_lock, NULL);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = ncpu > 0 ? (int)ncpu : 1;
	if (max_workers > 0 && n > max_workers)
		n = max_workers;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	pthread_t tids[MAX_WORKERS];
	int started = 0;
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[started], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		worker(&p); /* no threads available: do the work here */
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&p.warn_lock);
	return atomic_load(&p.unreadable);
}
