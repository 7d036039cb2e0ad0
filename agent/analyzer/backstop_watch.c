/*
 * backstop_watch.c — the inotify watches of the open backstop, and what
 * they report.
 *
 * A watch is on an object (an inode), a target is a name: a replaced file
 * (rename over it, delete and create) leaves the watch on the old inode,
 * so a watch that is removed, moved or loses its name is dropped and the
 * name watched again; a name that does not exist is tried again every
 * BS_RETRY_MS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/backstop_internal.h"
#include "vigil/clock.h"
#include "vigil/log.h"

/*
 * IN_CLOSE is asked for and ignored: the kernel merges an event into the
 * last one queued when both are the same and it is unread, so without a
 * close between them two opens of a file would be one IN_OPEN. With it,
 * only opens that overlap (the second before the first is closed) merge.
 */
#define FILE_MASK (IN_OPEN | IN_CLOSE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_MASK_ADD)
#define DIR_MASK (IN_OPEN | IN_CLOSE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_MASK_ADD)

/* Owners and their flags, after any change of watches; the notes learn it. */
static void regroup(struct backstop *b)
{
	b->missing = 0;
	for (int i = 0; i < b->n; i++) {
		struct bs_target *t = &b->t[i];
		t->owner = i;
		t->o_self = t->self;
		t->o_dir = t->dir;
		b->missing += t->wd < 0 && !t->off;
		for (int j = 0; j < i && t->wd >= 0; j++) {
			if (b->t[j].wd == t->wd && b->t[j].owner == j) {
				t->owner = j;
				b->t[j].o_self |= t->self;
				b->t[j].o_dir |= t->dir;
				break;
			}
		}
	}
	bs_self_update(b);
}

static void watch_failed(struct backstop *b, const struct bs_target *t)
{
	if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
		return; /* missing for now: tried again */
	if (errno == ENOSPC && !b->watch_limit_warned) {
		b->watch_limit_warned = true;
		LOG_WARN("open backstop: the inotify watch limit (fs.inotify.max_user_watches) "
			 "is reached: %s is not watched for opens",
			 t->path);
	} else if (errno != ENOSPC) {
		LOG_WARN("open backstop: cannot watch %s: %s", t->path, strerror(errno));
	}
}

/* Watch target i by its name; false when that name is missing (for now). */
static bool watch_one(struct backstop *b, int i)
{
	struct bs_target *t = &b->t[i];
	char real[PATH_MAX];
	struct stat st;
	const char *why;
	if (!realpath(t->path, real) || stat(real, &st) != 0)
		return false;
	if (bs_excluded(real, t->dir, &why)) {
		LOG_INFO("open backstop: %s is %s: not watched (%s)", t->path, real, why);
		t->off = true;
		return false;
	}
	int wd = inotify_add_watch(b->ifd, real,
				   S_ISDIR(st.st_mode) ? DIR_MASK | FILE_MASK : FILE_MASK);
	if (wd < 0) {
		watch_failed(b, t);
		return false;
	}
	t->wd = wd;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	bs_targets_alias(b, i, real);
	return true;
}

/* Watch what has no watch; regroup when that, or the caller, changed any. */
static void rewatch(struct backstop *b, bool changed)
{
	for (int i = 0; i < b->n; i++) {
		if (b->t[i].wd >= 0 || b->t[i].off || !watch_one(b, i))
			continue;
		changed = true;
		if (b->started)
			LOG_DEBUG("open backstop: watching %s again (new file)", b->t[i].path);
	}
	if (changed || !b->started)
		regroup(b);
	b->last_retry_ms = vigil_mono_ms();
	b->started = true;
}

void bs_watch_all(struct backstop *b)
{
	rewatch(b, false); /* a retry that finds nothing new costs a failed lookup each */
}

/* The watch wd is gone (or going): its names are missing until watched again. */
static void lose(struct backstop *b, int wd, bool remove)
{
	if (remove)
		inotify_rm_watch(b->ifd, wd); /* its IN_IGNORED finds no target */
	for (int i = 0; i < b->n; i++)
		if (b->t[i].wd == wd)
			b->t[i].wd = -1;
	rewatch(b, true); /* a replaced file has its new inode there already */
	bs_schedule(b);
}

/* IN_ATTRIB: a link count change may mean the name is another file now. */
static void check_name(struct backstop *b, int owner)
{
	struct bs_target *t = &b->t[owner];
	struct stat st;
	if (stat(t->path, &st) != 0 || st.st_dev != t->dev || st.st_ino != t->ino)
		lose(b, t->wd, true);
}

static int owner_of(const struct backstop *b, int wd)
{
	for (int i = 0; i < b->n; i++)
		if (b->t[i].wd == wd)
			return b->t[i].owner;
	return -1;
}

static void on_open(struct backstop *b, int o, const struct inotify_event *ie, uint64_t ms,
		    uint64_t wall)
{
	size_t len = ie->len ? strnlen(ie->name, ie->len) : 0;
	struct bs_key *k = NULL;
	if (len == 0 && b->t[o].o_self)
		k = &b->t[o].key;
	else if (len && b->t[o].o_dir && !(k = bs_dirkey(b, o, ie->name, len, true)))
		b->lost_unreported++; /* no room to follow it: said as lost */
	if (k)
		bs_key_open(k, ms, wall);
	if (k || b->lost_unreported)
		bs_schedule(b);
}

static void on_one(struct backstop *b, const struct inotify_event *ie, uint64_t ms, uint64_t wall)
{
	if (ie->mask & IN_Q_OVERFLOW) {
		b->lost_unreported++;
		bs_report_lost(b, false);
		for (int i = 0; i < b->n; i++) /* a replacement's events may be lost too */
			if (b->t[i].wd >= 0 && b->t[i].owner == i)
				check_name(b, i);
		return;
	}
	int o = owner_of(b, ie->wd);
	if (o < 0)
		return; /* a watch we dropped */
	if (ie->mask & IN_OPEN)
		on_open(b, o, ie, ms, wall);
	if (ie->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
		lose(b, ie->wd, (ie->mask & IN_MOVE_SELF) != 0);
	else if ((ie->mask & IN_ATTRIB) && ie->len == 0)
		check_name(b, o);
}

void bs_read_inotify(struct backstop *b)
{
	for (int r = 0; r < BS_READS_PER_WAKE; r++) {
		uint64_t wall = vigil_wall_ns();
		ssize_t n = read(b->ifd, b->buf, BS_READ_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			b->drained_wall = wall; /* what was queued before `wall` is read */
		if (n <= 0)
			return;
		uint64_t ms = vigil_mono_ms();
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *ie = (const void *)(b->buf + off);
			off += (ssize_t)(sizeof(*ie) + ie->len);
			if (off > n)
				break;
			on_one(b, ie, ms, wall);
		}
	}
}
