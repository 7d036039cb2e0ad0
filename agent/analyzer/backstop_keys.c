/*
 * backstop_keys.c — matching the opens the kernel reported with credits.
 *
 * Per watched object, two FIFOs: open events inotify reported, and credits
 * (an open or exec event of its path from the sensor, or one of vigil's
 * own reads). Either arrives first: an open event takes the oldest waiting
 * credit, or waits for one, and the other way round.
 *
 * inotify merges an event into the last one queued when they are the same
 * and the older one is unread, so one IN_OPEN stands for one or more opens
 * and credits may outnumber them. A credit left over is dropped as soon as
 * the queue has been read past the moment its open was made (its due
 * time): it is never kept to excuse a later open. Counts only, in runs of
 * arrivals close in time.
 */
#include <string.h>

#include "analyzer/backstop_internal.h"

static struct bs_run *newest(struct bs_side *s)
{
	return &s->run[(s->first + s->count - 1) % BS_RUNS];
}

/* One more arrival; it joins the newest run when close to it in time, or
 * when the ring is full (its time becomes the newest: judged later, never
 * sooner). */
static void push(struct bs_side *s, uint64_t mono_ms, uint64_t wall_ns)
{
	if (s->count) {
		struct bs_run *r = newest(s);
		if (s->count == BS_RUNS || mono_ms - r->mono_ms <= BS_MERGE_MS) {
			r->n++;
			r->mono_ms = mono_ms;
			r->wall_ns = wall_ns;
			return;
		}
	}
	s->run[(s->first + s->count) % BS_RUNS] = (struct bs_run){mono_ms, wall_ns, 1};
	s->count++;
}

/* Take `n` from the oldest runs; returns how many there were. */
static uint32_t take(struct bs_side *s, uint32_t n)
{
	uint32_t got = 0;
	while (got < n && s->count) {
		struct bs_run *r = &s->run[s->first];
		uint32_t k = r->n < n - got ? r->n : n - got;
		r->n -= k;
		got += k;
		if (r->n == 0) {
			s->first = (uint8_t)((s->first + 1) % BS_RUNS);
			s->count--;
		}
	}
	return got;
}

void bs_key_open(struct bs_key *k, uint64_t mono_ms, uint64_t wall_ns)
{
	if (take(&k->credits, 1) == 0)
		push(&k->opens, mono_ms, wall_ns);
}

void bs_key_credit(struct bs_key *k, uint64_t mono_ms, uint64_t due_wall, uint64_t drained_wall)
{
	if (take(&k->opens, 1) == 0 && due_wall > drained_wall) /* its IN_OPEN may yet come */
		push(&k->credits, mono_ms, due_wall);
}

bool bs_key_idle(const struct bs_key *k)
{
	return k->opens.count == 0 && k->credits.count == 0;
}

/* A credit whose open's IN_OPEN was read (merged into one a credit before
 * it matched), or never came (it failed), or is past the grace. */
static bool stale(const struct bs_run *r, uint64_t now_ms, uint64_t drained_wall)
{
	return r->wall_ns <= drained_wall || now_ms - r->mono_ms >= BS_GRACE_MS;
}

uint32_t bs_key_judge(struct bs_key *k, const struct bs_now *now, bool force,
		      bs_caught_up_fn caught_up, void *arg)
{
	while (k->credits.count && stale(&k->credits.run[k->credits.first], now->ms, now->drained))
		take(&k->credits, k->credits.run[k->credits.first].n);
	uint32_t unmatched = 0;
	while (k->opens.count) {
		struct bs_run *r = &k->opens.run[k->opens.first];
		uint64_t age = now->ms - r->mono_ms;
		if (!force &&
		    (age < BS_GRACE_MS || (age < BS_MAX_WAIT_MS && !caught_up(arg, r->wall_ns))))
			break;
		unmatched += take(&k->opens, r->n);
	}
	return unmatched;
}

/* The key of (t, name), or with len 0 a free one. */
static struct bs_dirkey *find(struct backstop *b, int t, const char *name, size_t len)
{
	for (size_t i = 0; i < BS_MAX_DIR_KEYS; i++) {
		struct bs_dirkey *d = &b->dk[i];
		if (d->len == len &&
		    (len == 0 || (d->target == t && memcmp(d->name, name, len) == 0)))
			return d;
	}
	return NULL;
}

struct bs_key *bs_dirkey(struct backstop *b, int t, const char *name, size_t len, bool create)
{
	if (len == 0 || len > NAME_MAX)
		return NULL;
	struct bs_dirkey *d = find(b, t, name, len);
	if (d || !create)
		return d ? &d->key : NULL;
	d = find(b, 0, "", 0);
	if (!d)
		return NULL;
	memset(d, 0, sizeof(*d));
	b->dk_used++;
	d->target = t;
	d->len = (uint8_t)len;
	memcpy(d->name, name, len);
	return &d->key;
}
