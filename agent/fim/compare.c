/* compare.c — a merge of two path-sorted sets into added/removed/changed. */
#include <stdlib.h>
#include <string.h>

#include "fim/compare.h"

uint32_t fim_entry_diff(const struct fim_entry *a, const struct fim_entry *b)
{
	uint32_t d = 0;
	if ((a->mode & 0170000) != (b->mode & 0170000))
		d |= FIM_A_TYPE;
	if (a->mode != b->mode)
		d |= FIM_A_MODE;
	if (a->uid != b->uid)
		d |= FIM_A_UID;
	if (a->gid != b->gid)
		d |= FIM_A_GID;
	if (a->size != b->size)
		d |= FIM_A_SIZE;
	if (a->mtime_ns != b->mtime_ns)
		d |= FIM_A_MTIME;
	if (a->ctime_ns != b->ctime_ns)
		d |= FIM_A_CTIME;
	if (a->ino != b->ino)
		d |= FIM_A_INODE;
	if (a->nlink != b->nlink)
		d |= FIM_A_NLINK;
	if ((a->target == NULL) != (b->target == NULL) ||
	    (a->target && strcmp(a->target, b->target) != 0))
		d |= FIM_A_TARGET;
	if (memcmp(a->xattr_hash, b->xattr_hash, FIM_HASH_LEN) != 0)
		d |= FIM_A_XATTRS;
	/* Content: compared when both were read; a file that became (un)readable
	 * with no other change still shows as a content change. */
	bool ha = a->flags & FIM_F_HASHED, hb = b->flags & FIM_F_HASHED;
	if (ha && hb ? memcmp(a->sha256, b->sha256, FIM_HASH_LEN) != 0 : ha != hb)
		d |= FIM_A_SHA256;
	return d;
}

static int push(struct fim_changes *c, uint32_t action, uint32_t attrs, const struct fim_entry *b,
		const struct fim_entry *a)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct fim_change *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] =
		(struct fim_change){.action = action, .attrs = attrs, .before = b, .after = a};
	if (action == FIM_ADDED)
		c->added++;
	else if (action == FIM_REMOVED)
		c->removed++;
	else
		c->changed++;
	return 0;
}

static bool under_any(const char *path, const char *const *roots, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fim_path_under(path, roots[i]))
			return true;
	return false;
}

vigil_rc fim_compare(const struct fim_set *before, const struct fim_set *after,
		     const char *const *roots, size_t n_roots, struct fim_changes *out)
{
	memset(out, 0, sizeof(*out));
	size_t i = 0, j = 0;
	while (i < before->n || j < after->n) {
		const struct fim_entry *b = i < before->n ? &before->v[i] : NULL;
		const struct fim_entry *a = j < after->n ? &after->v[j] : NULL;
		if (b && !under_any(b->path, roots, n_roots)) {
			i++;
			continue;
		}
		int c = !b ? 1 : !a ? -1 : strcmp(b->path, a->path);
		int rc = 0;
		if (c < 0) {
			rc = push(out, FIM_REMOVED, 0, b, NULL);
			i++;
		} else if (c > 0) {
			rc = push(out, FIM_ADDED, 0, NULL, a);
			j++;
		} else {
			uint32_t d = fim_entry_diff(b, a);
			if (d)
				rc = push(out, FIM_CHANGED, d, b, a);
			i++;
			j++;
		}
		if (rc != 0) {
			fim_changes_free(out);
			return VIGIL_ERR_NOMEM;
		}
	}
	return VIGIL_OK;
}

void fim_changes_free(struct fim_changes *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
