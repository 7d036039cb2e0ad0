/* state.c — baseline array + overlay map (see state.h). */
#include <stdlib.h>
#include <string.h>

#include "fim/state.h"

void fim_state_init(struct fim_state *s)
{
	memset(s, 0, sizeof(*s));
}

static void free_overlay_entry(const char *key, void *val, void *arg)
{
	(void)key;
	(void)arg;
	fim_entry_free(val);
	free(val);
}

static void clear_overlay(struct fim_state *s)
{
	pathmap_each(&s->overlay, free_overlay_entry, NULL);
	pathmap_clear(&s->overlay);
}

void fim_state_free(struct fim_state *s)
{
	clear_overlay(s);
	fim_set_free(&s->base);
}

const struct fim_entry *fim_state_get(const struct fim_state *s, const char *path)
{
	const struct fim_entry *e = pathmap_get(&s->overlay, path);
	if (e)
		return e->path ? e : NULL;
	return fim_set_find(&s->base, path);
}

static int put(struct fim_state *s, const char *path, struct fim_entry *e)
{
	void *old;
	if (pathmap_put(&s->overlay, path, e, &old) != VIGIL_OK)
		return -1;
	if (old)
		free_overlay_entry(NULL, old, NULL);
	return 0;
}

vigil_rc fim_state_set(struct fim_state *s, struct fim_entry *e)
{
	struct fim_entry *copy = malloc(sizeof(*copy));
	if (!copy)
		return VIGIL_ERR_NOMEM;
	*copy = *e;
	memset(e, 0, sizeof(*e));
	if (put(s, copy->path, copy) != 0) {
		*e = *copy; /* give it back: the caller still owns it */
		free(copy);
		return VIGIL_ERR_NOMEM;
	}
	return VIGIL_OK;
}

vigil_rc fim_state_delete(struct fim_state *s, const char *path)
{
	if (!fim_state_get(s, path))
		return VIGIL_OK;
	struct fim_entry *tomb = calloc(1, sizeof(*tomb));
	if (!tomb || put(s, path, tomb) != 0) {
		free(tomb);
		return VIGIL_ERR_NOMEM;
	}
	return VIGIL_OK;
}

struct below_ctx {
	const struct fim_state *s;
	const char *dir;
	void (*fn)(const struct fim_entry *e, void *arg);
	void *arg;
};

static void overlay_below(const char *key, void *val, void *arg)
{
	struct below_ctx *b = arg;
	const struct fim_entry *e = val;
	if (e->path && strcmp(key, b->dir) != 0 && fim_path_under(key, b->dir) &&
	    !fim_set_find(&b->s->base, key))
		b->fn(e, b->arg);
}

void fim_state_below(const struct fim_state *s, const char *dir,
		     void (*fn)(const struct fim_entry *e, void *arg), void *arg)
{
	/* In the sorted base, dir's descendants are the run after "dir/". */
	size_t dlen = strlen(dir), lo = 0, hi = s->base.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->base.v[mid].path, dir) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < s->base.n; i++) {
		const char *p = s->base.v[i].path;
		if (strncmp(p, dir, dlen) != 0)
			break;
		if (p[dlen] != '/' && !(dlen == 1 && dir[0] == '/'))
			continue; /* "/etc-old" sorts among "/etc/..." */
		const struct fim_entry *cur = fim_state_get(s, p);
		if (cur)
			fn(cur, arg);
	}
	struct below_ctx b = {s, dir, fn, arg};
	pathmap_each(&s->overlay, overlay_below, &b);
}

struct snap_ctx {
	struct fim_set *out;
	int rc;
};

static void snap_overlay(const char *key, void *val, void *arg)
{
	(void)key; /* e->path is the same text */
	struct snap_ctx *c = arg;
	const struct fim_entry *e = val;
	if (c->rc || !e->path)
		return;
	if (!fim_set_add_copy(c->out, e))
		c->rc = -1;
}

vigil_rc fim_state_snapshot(const struct fim_state *s, struct fim_set *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < s->base.n; i++) {
		if (pathmap_get(&s->overlay, s->base.v[i].path))
			continue; /* the overlay has the newer state (or a tombstone) */
		if (!fim_set_add_copy(out, &s->base.v[i]))
			goto fail;
	}
	struct snap_ctx c = {out, 0};
	pathmap_each(&s->overlay, snap_overlay, &c);
	if (c.rc)
		goto fail;
	fim_set_sort(out);
	return VIGIL_OK;
fail:
	fim_set_free(out);
	return VIGIL_ERR_NOMEM;
}

void fim_state_replace(struct fim_state *s, struct fim_set *scan)
{
	clear_overlay(s);
	fim_set_free(&s->base);
	s->base = *scan;
	memset(scan, 0, sizeof(*scan));
	if (s->base.cap > s->base.n && s->base.n) { /* give back the doubling slack */
		struct fim_entry *v = realloc(s->base.v, s->base.n * sizeof(*v));
		if (v) {
			s->base.v = v;
			s->base.cap = s->base.n;
		}
	}
}

size_t fim_state_count(const struct fim_state *s)
{
	return s->base.n + s->overlay.live;
}
