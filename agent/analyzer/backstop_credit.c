/*
 * backstop_credit.c — the sensor's events as credits: each open of a
 * watched path (successful or not known yet; not O_PATH nor failed ones,
 * which raise no IN_OPEN), and each exec of one (the kernel opens the file
 * it runs, and a script's interpreter).
 *
 * This runs for every event of the stream, so the common case is one hash
 * of the path and a probe or two: a path that is not watched costs nothing
 * more.
 */
#include <string.h>

#include "analyzer/backstop_internal.h"
#include "vigil/clock.h"

/* What a path reaches: a watched object by its name, an entry of a watched
 * directory. */
struct hit {
	int file, dir;	  /* owner targets, or -1 */
	const char *name; /* the entry, for dir */
	size_t nlen;
};

/* What s[0..len) names, if anything. A path whose length, and whose
 * directory's length, no watched name has costs a bitmap test and a
 * memrchr, not a hash: that is almost every open. */
static bool hits_for(const struct backstop *b, const char *s, size_t len, struct hit *h)
{
	const char *slash = memrchr(s, '/', len);
	size_t dlen = !slash ? 0 : slash == s ? 1 : (size_t)(slash - s); /* "/x" is in "/" */
	bool file = bs_len_named(b, len);
	bool dir = b->any_dir && slash && slash + 1 < s + len && bs_len_named(b, dlen);
	h->file = h->dir = -1;
	if (!file && !dir)
		return false;
	int t = file ? bs_lookup(b, s, len, bs_hash(s, len)) : -1;
	if (t >= 0 && b->t[bs_owner(b, t)].o_self)
		h->file = bs_owner(b, t);
	t = dir ? bs_lookup(b, s, dlen, bs_hash(s, dlen)) : -1;
	if (t >= 0 && b->t[bs_owner(b, t)].o_dir) {
		h->dir = bs_owner(b, t);
		h->name = slash + 1;
		h->nlen = (size_t)(s + len - slash - 1);
	}
	return h->file >= 0 || h->dir >= 0;
}

/* The keys of a hit, added to k[0..n) unless there; returns the new n. */
static int keys_of(struct backstop *b, const struct hit *h, struct bs_key **k, int n)
{
	struct bs_key *add[2] = {h->file >= 0 ? &b->t[h->file].key : NULL,
				 h->dir >= 0 ? bs_dirkey(b, h->dir, h->name, h->nlen, true) : NULL};
	if (h->dir >= 0 && !add[1]) {
		b->lost_unreported++; /* no room to follow it: said as lost */
		bs_schedule(b);
	}
	for (int i = 0; i < 2; i++) {
		bool seen = !add[i];
		for (int j = 0; j < n && !seen; j++)
			seen = k[j] == add[i];
		if (!seen)
			k[n++] = add[i];
	}
	return n;
}

/* The opens were made by due_wall at the latest: an event at entry stops
 * before the open (the thread must still be let go and get a CPU), one at
 * exit or exec after it. */
static void credit(struct backstop *b, struct bs_key *const *k, int n, const struct vigil_event *ev)
{
	if (n == 0)
		return;
	uint64_t ms = vigil_mono_ms();
	uint64_t due = ev->has_res ? ev->ts_ns : ev->ts_ns + BS_OPEN_LAG_NS;
	for (int i = 0; i < n; i++)
		bs_key_credit(k[i], ms, due, b->drained_wall);
	bs_schedule(b);
}

static const struct vigil_evarg *arg(const struct vigil_event *ev, const char *key)
{
	size_t kl = strlen(key);
	for (int i = 0; i < ev->n_evargs; i++) {
		vigil_str k = ev->evargs[i].key;
		if (k.len == kl && memcmp(vigil_str_ptr(ev, k), key, kl) == 0)
			return &ev->evargs[i];
	}
	return NULL;
}

/* O_PATH opens and failed ones raise no IN_OPEN: no credit (none to bank). */
static bool raises_in_open(const struct vigil_event *ev)
{
	/* Refused by vigil (a tamper event), or failed; a path race did open
	 * (its fd.name is the kernel's name of the file). */
	if ((ev->tamper && ev->tamper != VIGIL_TAMPER_PATH_RACE) || (ev->has_res && ev->res < 0))
		return false;
	const struct vigil_evarg *f = arg(ev, "flags");
	return !f || !memmem(vigil_str_ptr(ev, f->val), f->val.len, "O_PATH", 6);
}

static void credit_open(struct backstop *b, const struct vigil_event *ev)
{
	struct hit h;
	struct bs_key *k[2];
	const char *name = vigil_str_ptr(ev, ev->fd.name);
	if (name && hits_for(b, name, ev->fd.name.len, &h) && raises_in_open(ev))
		credit(b, k, keys_of(b, &h, k, 0), ev);
}

/* The exec's filename as the kernel resolved it: from cwd when relative. */
static size_t exec_path(const struct vigil_event *ev, char *out, size_t cap)
{
	const struct vigil_evarg *f = arg(ev, "filename");
	const char *cwd = vigil_str_ptr(ev, ev->proc.cwd);
	if (!f || f->val.len == 0)
		return 0;
	const char *fn = vigil_str_ptr(ev, f->val);
	size_t pre = fn[0] == '/' || !cwd ? 0 : ev->proc.cwd.len; /* cwd ends with '/' */
	if (pre + f->val.len >= cap)
		return 0;
	if (pre)
		memcpy(out, cwd, pre);
	memcpy(out + pre, fn, f->val.len);
	return pre + f->val.len;
}

/* An exec opens the file it was given (a script) and what it runs (the
 * executable, or the script's interpreter): both, each key once. */
static void credit_exec(struct backstop *b, const struct vigil_event *ev)
{
	struct hit h;
	struct bs_key *k[4];
	int n = 0;
	char path[VIGIL_PATH_MAX];
	const char *exe = vigil_str_ptr(ev, ev->proc.exepath);
	if (exe && hits_for(b, exe, ev->proc.exepath.len, &h))
		n = keys_of(b, &h, k, n);
	size_t len = exec_path(ev, path, sizeof(path));
	if (len && hits_for(b, path, len, &h))
		n = keys_of(b, &h, k, n);
	credit(b, k, n, ev);
}

void backstop_observe(struct backstop *b, const struct vigil_event *ev)
{
	if (!b)
		return;
	b->last_ts_ns = ev->ts_ns; /* how far the stream is */
	if (ev->kind != VIGIL_EV_SYSCALL)
		return;
	if (vigil_sc_opens_file(ev->type))
		credit_open(b, ev);
	else if (ev->type == VIGIL_SC_EXECVE || ev->type == VIGIL_SC_EXECVEAT)
		credit_exec(b, ev);
}
