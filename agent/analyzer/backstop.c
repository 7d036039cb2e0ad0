/*
 * backstop.c — the open backstop's life cycle and its place in the loop:
 * the inotify fd, one timer that judges what waited its grace and watches
 * again what went missing, and the last judgement at the end of the stream.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/backstop_internal.h"
#include "vigil/clock.h"
#include "vigil/log.h"
#include "vigil/strbuf.h"

static int n_off(const struct backstop *b)
{
	int n = 0;
	for (int i = 0; i < b->n; i++)
		n += b->t[i].off;
	return n;
}

/* Say once what is watched (and what waits to exist). */
static void log_watched(const struct backstop *b)
{
	struct strbuf on, off;
	strbuf_init(&on, 600); /* the log line holds 1 KiB */
	strbuf_init(&off, 250);
	for (int i = 0; i < b->n; i++) {
		const struct bs_target *t = &b->t[i];
		struct strbuf *sb = t->wd >= 0 ? &on : &off;
		if (t->off)
			continue; /* said when found out */
		strbuf_addf(sb, "%s%s%s", sb->len ? ", " : "", t->path, t->dir ? "/*" : "");
	}
	LOG_INFO("open backstop: watching %d of %d path(s) for opens no event accounts for: "
		 "%.*s%s%s%s",
		 b->n - b->missing - n_off(b), b->n - n_off(b), (int)on.len, on.data ? on.data : "",
		 off.len ? "; missing (watched once they exist): " : "", off.len ? off.data : "",
		 on.truncated || off.truncated ? " ..." : "");
	strbuf_free(&on);
	strbuf_free(&off);
}

struct backstop *backstop_new(const struct engine *e, int channel_fd)
{
	struct backstop *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->ifd = -1;
	b->channel_fd = channel_fd;
	if (bs_targets_build(b, e) == 0) {
		LOG_INFO("open backstop: the rules name no file for opens: nothing is watched");
		backstop_free(b);
		return NULL;
	}
	b->buf = aligned_alloc(__alignof__(struct inotify_event), BS_READ_BYTES);
	b->ev = malloc(sizeof(*b->ev));
	b->notes = calloc(BS_NOTES_PER_TAKE, sizeof(*b->notes));
	b->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (!b->buf || !b->ev || !b->notes || b->ifd < 0) {
		LOG_WARN("open backstop: off (%s): opens the sensor does not see are not "
			 "reported",
			 b->ifd < 0 ? strerror(errno) : "out of memory");
		backstop_free(b);
		return NULL;
	}
	bs_self_start(); /* before FIM's first walk: its opens are ours */
	bs_watch_all(b);
	log_watched(b);
	return b;
}

void backstop_syscalls(const struct backstop *b, vigil_sc_set *set)
{
	if (b)
		vigil_sc_set_add_opens(set);
}

/* Is the stream past an open read at wall_ns? Its newest event is later by
 * the settle margin, or the channel has been empty for a while. */
static bool caught_up(void *arg, uint64_t wall_ns)
{
	struct backstop *b = arg;
	if (b->last_ts_ns >= wall_ns + BS_SETTLE_NS)
		return true;
	if (vigil_mono_ms() - b->last_rx_ms < BS_QUIET_MS)
		return false;
	struct pollfd p = {b->channel_fd, POLLIN, 0};
	return b->channel_fd < 0 || poll(&p, 1, 0) == 0; /* nothing left unread */
}

/* vigil's own opens noted since the last look: credits. */
static void take_notes(struct backstop *b)
{
	struct bs_note *notes = b->notes;
	uint64_t ms = vigil_mono_ms();
	size_t n;
	while ((n = bs_self_take(notes, BS_NOTES_PER_TAKE)) > 0) {
		for (size_t i = 0; i < n; i++) {
			int o = bs_owner(b, notes[i].target);
			struct bs_key *k =
				notes[i].len ? bs_dirkey(b, o, notes[i].name, notes[i].len, true)
					     : &b->t[o].key;
			if (k)
				bs_key_credit(k, ms, notes[i].wall_ns, b->drained_wall);
		}
		bs_schedule(b);
	}
	uint64_t dropped = bs_self_dropped();
	if (dropped != b->self_dropped)
		LOG_WARN("open backstop: %llu of vigil's own opens could not be noted (too many "
			 "at once): unseen opens reported now may be vigil's own reads",
			 (unsigned long long)(dropped - b->self_dropped));
	b->self_dropped = dropped;
}

/* Judge every key; true while something still waits. */
static bool judge(struct backstop *b, bool force)
{
	bool waiting = false;
	bs_read_inotify(b); /* the queue read to its end: which credits are stale */
	take_notes(b);
	struct bs_now now = {vigil_mono_ms(), b->drained_wall};
	for (int i = 0; i < b->n; i++) {
		uint32_t u = bs_key_judge(&b->t[i].key, &now, force, caught_up, b);
		if (u)
			bs_report_unseen(b, i, "", 0, u);
		waiting |= !bs_key_idle(&b->t[i].key);
	}
	for (size_t i = 0; i < BS_MAX_DIR_KEYS && b->dk_used; i++) {
		struct bs_dirkey *d = &b->dk[i];
		if (d->len == 0)
			continue; /* free */
		uint32_t u = bs_key_judge(&d->key, &now, force, caught_up, b);
		if (u)
			bs_report_unseen(b, d->target, d->name, d->len, u);
		if (bs_key_idle(&d->key))
			d->len = 0, b->dk_used--;
		else
			waiting = true;
	}
	bs_report_lost(b, force);
	return waiting || b->lost_unreported;
}

static void on_timer(void *arg)
{
	struct backstop *b = arg;
	b->timer = 0;
	if (b->missing && vigil_mono_ms() - b->last_retry_ms >= BS_RETRY_MS)
		bs_watch_all(b);
	if (judge(b, false))
		bs_schedule(b);
	else if (b->missing && !b->timer) /* nothing waits: only the retry, slower */
		b->timer = evloop_add_timer(b->loop, BS_RETRY_MS, on_timer, b);
}

void bs_schedule(struct backstop *b)
{
	if (!b->attached)
		return; /* not attached yet (the first tick is set then), or finished */
	if (b->timer)
		return; /* one timer for everything; a retry timer is early enough too */
	b->timer = evloop_add_timer(b->loop, BS_TICK_MS, on_timer, b);
}

static void on_inotify(int fd, uint32_t revents, void *arg)
{
	(void)fd, (void)revents;
	struct backstop *b = arg;
	bs_read_inotify(b);
	take_notes(b); /* FIM's notes come with its opens */
}

int backstop_attach(struct backstop *b, struct evloop *loop, const struct backstop_out *out)
{
	if (!b)
		return 0;
	b->out = *out;
	b->loop = loop;
	b->last_rx_ms = vigil_mono_ms();
	if (evloop_add_fd(loop, b->ifd, VIGIL_EV_READ, on_inotify, b) != 0) {
		LOG_ERR("open backstop: cannot serve inotify: %s", strerror(errno));
		b->loop = NULL;
		return -1;
	}
	b->attached = true;
	bs_schedule(b);
	return 0;
}

void backstop_channel_read(struct backstop *b)
{
	if (b)
		b->last_rx_ms = vigil_mono_ms();
}

/*
 * Closing an inotify instance that still has watches waits in the kernel
 * for their marks to be freed (an SRCU grace period, 15-20 ms here); a
 * watch removed earlier is freed in the background meanwhile. So the
 * watches go as soon as the last judgement is made, and the close at
 * backstop_free, after the alerts' drain, finds nothing left to wait for.
 */
static void unwatch_all(struct backstop *b)
{
	for (int i = 0; i < b->n; i++) {
		if (b->t[i].wd >= 0 && b->t[i].owner == i)
			inotify_rm_watch(b->ifd, b->t[i].wd);
	}
	for (int i = 0; i < b->n; i++)
		b->t[i].wd = -1;
}

void backstop_finish(struct backstop *b)
{
	if (!b || !b->attached)
		return;
	judge(b, true); /* every open made before the end is queued: read, judged */
	/* done: no more callbacks while the alerts drain, and no retry watching again */
	if (b->timer)
		evloop_cancel_timer(b->loop, b->timer);
	b->timer = 0;
	evloop_del_fd(b->loop, b->ifd);
	b->attached = false;
	unwatch_all(b);
}

void backstop_free(struct backstop *b)
{
	if (!b)
		return;
	if (b->ifd >= 0) {
		bs_self_stop();
		if (b->attached)
			evloop_del_fd(b->loop, b->ifd);
		close(b->ifd); /* quick once unwatch_all's marks are freed */
	}
	if (b->timer)
		evloop_cancel_timer(b->loop, b->timer);
	bs_targets_free(b);
	free(b->buf);
	free(b->ev);
	free(b->notes);
	free(b);
}
