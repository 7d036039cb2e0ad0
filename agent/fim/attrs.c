/* attrs.c — lstat fields, symlink target and an xattr digest of one entry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fim/attrs.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA-256 over the sorted (name NUL value-length value) list. An entry
 * without xattrs (or on a file system without them) hashes the empty list. */
static void hash_xattrs(const char *path, uint8_t out[FIM_HASH_LEN])
{
	char stackbuf[4096], *names = stackbuf, *heap = NULL;
	ssize_t len = llistxattr(path, stackbuf, sizeof(stackbuf));
	if (len < 0 && errno == ERANGE) {
		ssize_t need = llistxattr(path, NULL, 0);
		if (need > 0 && (heap = malloc((size_t)need)) != NULL) {
			names = heap;
			len = llistxattr(path, heap, (size_t)need);
		}
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int olen = 0;
	if (!ctx) {
		memset(out, 0, FIM_HASH_LEN);
		free(heap);
		return;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	if (len > 0) {
		size_t n = 0;
		for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1)
			n++;
		char **list = calloc(n, sizeof(*list));
		if (list) {
			size_t k = 0;
			for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1)
				list[k++] = names + i;
			qsort(list, n, sizeof(*list), cmp_str);
			for (size_t j = 0; j < n; j++) {
				char val[65536];
				ssize_t vl = lgetxattr(path, list[j], val, sizeof(val));
				uint64_t vlen = vl < 0 ? UINT64_MAX : (uint64_t)vl;
				EVP_DigestUpdate(ctx, list[j], strlen(list[j]) + 1);
				EVP_DigestUpdate(ctx, &vlen, sizeof(vlen));
				if (vl > 0)
					EVP_DigestUpdate(ctx, val, (size_t)vl);
			}
			free(list);
		}
	}
	EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx);
	free(heap);
}

vigil_rc fim_attrs_fill(struct fim_entry *e, const struct stat *st)
{
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->size = (uint64_t)st->st_size;
	e->ino = st->st_ino;
	e->nlink = st->st_nlink;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	if (S_ISLNK(st->st_mode)) {
		size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
		for (;;) {
			char *buf = malloc(cap);
			if (!buf)
				return VIGIL_ERR_NOMEM;
			ssize_t n = readlink(e->path, buf, cap);
			if (n < 0) {
				free(buf);
				e->flags |= FIM_F_UNREADABLE;
				e->err = (uint32_t)errno;
				break;
			}
			if ((size_t)n < cap) {
				buf[n] = '\0';
				e->target = buf;
				break;
			}
			free(buf);
			cap *= 2;
		}
	}
	hash_xattrs(e->path, e->xattr_hash);
	return VIGIL_OK;
}
