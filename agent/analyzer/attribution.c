/* attribution.c — remember the last file-changing syscall per path (see attribution.h). */
#include <stdlib.h>
#include <string.h>

#include "analyzer/attribution.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"

struct attr_record {
	uint64_t at_ms;
	struct vigil_event ev; /* only wire_size bytes are allocated and valid */
};

/* Besides the opens (for writing), which vigil_sc_opens_file() knows. */
static const int changing[] = {
	VIGIL_SC_UNLINK,   VIGIL_SC_UNLINKAT,  VIGIL_SC_RMDIR,	  VIGIL_SC_RENAME,
	VIGIL_SC_RENAMEAT, VIGIL_SC_RENAMEAT2, VIGIL_SC_LINK,	  VIGIL_SC_LINKAT,
	VIGIL_SC_SYMLINK,  VIGIL_SC_SYMLINKAT, VIGIL_SC_MKDIR,	  VIGIL_SC_MKDIRAT,
	VIGIL_SC_CHMOD,	   VIGIL_SC_FCHMOD,    VIGIL_SC_FCHMODAT, VIGIL_SC_FCHMODAT2,
	VIGIL_SC_CHOWN,	   VIGIL_SC_FCHOWN,    VIGIL_SC_LCHOWN,	  VIGIL_SC_FCHOWNAT,
};

static const char *const path_args[] = {"oldpath", "newpath",  "linkpath",
					"path",	   "filename", "name"};

void attribution_init(struct attribution *a)
{
	memset(a, 0, sizeof(*a));
}

static void free_record(const char *key, void *val, void *arg)
{
	(void)key;
	(void)arg;
	free(val);
}

void attribution_free(struct attribution *a)
{
	pathmap_each(&a->by_path, free_record, NULL);
	pathmap_clear(&a->by_path);
}

void attribution_syscalls(vigil_sc_set *set)
{
	vigil_sc_set_add_opens(set);
	for (size_t i = 0; i < sizeof(changing) / sizeof(changing[0]); i++)
		vigil_sc_set_add(set, changing[i]);
}

static bool is_changing(const struct vigil_event *ev)
{
	if (ev->kind != VIGIL_EV_SYSCALL || (ev->has_res && ev->res < 0))
		return false;
	if (vigil_sc_opens_file(ev->type))
		return ev->open_flags & VIGIL_OPEN_WRITE;
	for (size_t i = 0; i < sizeof(changing) / sizeof(changing[0]); i++)
		if (ev->type == changing[i])
			return true;
	return false;
}

/* Too many paths: drop the stale ones, and everything if that is not enough. */
static void prune(struct attribution *a, uint64_t now)
{
	if (a->by_path.live < ATTRIBUTION_MAX_PATHS)
		return;
	for (size_t i = 0; i < a->by_path.cap; i++) {
		struct pathmap_slot *s = &a->by_path.slots[i];
		struct attr_record *r = s->val;
		if (r && now - r->at_ms > ATTRIBUTION_WINDOW_MS)
			free(pathmap_del(&a->by_path, s->key));
	}
	if (a->by_path.live >= ATTRIBUTION_MAX_PATHS)
		attribution_free(a);
}

static void remember(struct attribution *a, const struct vigil_event *ev, const char *p, size_t len,
		     uint64_t now)
{
	if (!p || !len || p[0] != '/' || len >= VIGIL_PATH_MAX || memchr(p, '\0', len))
		return;
	char path[VIGIL_PATH_MAX];
	memcpy(path, p, len);
	path[len] = '\0';
	size_t size = offsetof(struct attr_record, ev) + ev->wire_size;
	struct attr_record *r = malloc(size);
	if (!r)
		return;
	r->at_ms = now;
	memcpy(&r->ev, ev, ev->wire_size);
	void *old;
	if (pathmap_put(&a->by_path, path, r, &old) != VIGIL_OK)
		free(r);
	free(old);
}

void attribution_observe(struct attribution *a, const struct vigil_event *ev)
{
	if (!is_changing(ev))
		return;
	uint64_t now = vigil_mono_ms();
	prune(a, now);
	remember(a, ev, vigil_str_ptr(ev, ev->fd.name), ev->fd.name.len, now);
	for (int i = 0; i < ev->n_evargs; i++) {
		vigil_str k = ev->evargs[i].key, v = ev->evargs[i].val;
		const char *ks = vigil_str_ptr(ev, k);
		for (size_t j = 0; ks && j < sizeof(path_args) / sizeof(path_args[0]); j++)
			if (k.len == strlen(path_args[j]) && memcmp(ks, path_args[j], k.len) == 0)
				remember(a, ev, vigil_str_ptr(ev, v), v.len, now);
	}
}

const struct vigil_event *attribution_find(const struct attribution *a, const char *path)
{
	const struct attr_record *r = pathmap_get(&a->by_path, path);
	return r && vigil_mono_ms() - r->at_ms <= ATTRIBUTION_WINDOW_MS ? &r->ev : NULL;
}
