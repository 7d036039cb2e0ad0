/* entry.c — the entry set: append, sort, find, free, and small helpers. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fim/entry.h"

/* Room for one more entry; NULL on allocation failure. */
static struct fim_entry *grow(struct fim_set *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct fim_entry *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	return &s->v[s->n];
}

struct fim_entry *fim_set_add(struct fim_set *s, const char *path)
{
	struct fim_entry *e = grow(s);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	s->n++;
	return e;
}

struct fim_entry *fim_set_add_copy(struct fim_set *s, const struct fim_entry *src)
{
	struct fim_entry *e = grow(s);
	if (!e || fim_entry_copy(e, src) != VIGIL_OK)
		return NULL;
	s->n++;
	return e;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct fim_entry *)a)->path, ((const struct fim_entry *)b)->path);
}

void fim_set_sort(struct fim_set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_entry);
}

struct fim_entry *fim_set_find(const struct fim_set *s, const char *path)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].path, path);
		if (c == 0)
			return &s->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void fim_entry_free(struct fim_entry *e)
{
	free(e->path);
	free(e->target);
	e->path = e->target = NULL;
}

void fim_set_free(struct fim_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		fim_entry_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

vigil_rc fim_entry_copy(struct fim_entry *dst, const struct fim_entry *src)
{
	*dst = *src;
	dst->path = strdup(src->path);
	dst->target = src->target ? strdup(src->target) : NULL;
	if (!dst->path || (src->target && !dst->target)) {
		fim_entry_free(dst);
		return VIGIL_ERR_NOMEM;
	}
	return VIGIL_OK;
}

char *fim_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	size_t off = dl;
	if (!dl || dir[dl - 1] != '/')
		p[off++] = '/';
	memcpy(p + off, name, nl + 1);
	return p;
}

bool fim_path_under(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static const char *const attr_names[FIM_N_ATTRS] = {
	"type",	 "mode",  "uid",   "gid",    "size",   "mtime",
	"ctime", "inode", "nlink", "target", "xattrs", "sha256",
};

const char *fim_attr_name(unsigned bit_index)
{
	return bit_index < FIM_N_ATTRS ? attr_names[bit_index] : "?";
}

const char *fim_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "chardev";
	case S_IFBLK: return "blockdev";
	default: return "unknown";
	}
}

void fim_hex(const uint8_t *h, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[h[i] >> 4];
		out[2 * i + 1] = d[h[i] & 15];
	}
	out[2 * n] = '\0';
}
