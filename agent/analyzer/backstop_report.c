/*
 * backstop_report.c — what the open backstop found, as events of its own:
 * an unseen open (vigil.tamper = unseen_open, fd.name = the file), or
 * lost track (open_watch_lost: the inotify queue overflowed, or too many
 * entries at once). They go through the rules (the bundled CRITICAL "Vigil
 * tamper attempt") and to --events-out, with evt.num 0 like FIM's events:
 * they do not come from the tracer.
 */
#include <string.h>

#include "analyzer/backstop_internal.h"
#include "vigil/clock.h"
#include "vigil/log.h"

static const char opener[] = "unknown: a process vigil does not trace, a path changed after "
			     "vigil read it, or another name of the file (a hard link)";

static void start(struct vigil_event *ev, enum vigil_tamper why)
{
	vigil_event_init(ev, VIGIL_EV_UNSEEN_OPEN);
	ev->type = VIGIL_SC_UNSEEN_OPEN;
	ev->ts_ns = vigil_wall_ns();
	ev->num = 0; /* not from the channel: its numbers (and gaps) are the tracer's */
	ev->tamper = (uint8_t)why;
}

static void deliver(struct backstop *b)
{
	struct vigil_event *ev = b->ev;
	vigil_event_seal(ev);
	if (b->out.on_event)
		b->out.on_event(ev, b->out.arg);
	if (b->out.engine)
		engine_eval(b->out.engine, ev, b->out.ctx, alerts_on_match, b->out.alerts);
}

void bs_report_unseen(struct backstop *b, int target, const char *name, size_t len, uint32_t n)
{
	struct vigil_event *ev = b->ev;
	const struct bs_target *t = &b->t[target];
	char path[VIGIL_PATH_MAX + NAME_MAX + 2];
	int plen =
		snprintf(path, sizeof(path), "%s%s%.*s", t->path, len ? "/" : "", (int)len, name);
	if (plen < 0 || !ev)
		return;
	LOG_WARN("open of %s that no event of the sensor accounts for (%u time%s): opened by a "
		 "process vigil does not trace, through a path changed after vigil read it, "
		 "or by another name (a hard link)",
		 path, n, n == 1 ? "" : "s");
	start(ev, VIGIL_TAMPER_UNSEEN_OPEN);
	ev->fd.type = VIGIL_FD_FILE;
	ev->fd.name = vigil_event_str(ev, path, (size_t)plen);
	vigil_event_arg_cstr(ev, "opener", opener);
	vigil_event_arg_int(ev, "opens", n);
	deliver(b);
}

/* The first loss at once, later ones at most every BS_LOST_EVERY_MS
 * (carried to the next report, or to the end with `now`). */
void bs_report_lost(struct backstop *b, bool now)
{
	uint64_t ms = vigil_mono_ms();
	if (!b->lost_unreported || !b->ev ||
	    (!now && b->lost_report_ms && ms - b->lost_report_ms < BS_LOST_EVERY_MS))
		return;
	LOG_WARN("open backstop: lost track of %llu open(s) of watched files (the inotify "
		 "queue overflowed, or too many at once): some opens went unchecked",
		 (unsigned long long)b->lost_unreported);
	start(b->ev, VIGIL_TAMPER_OPEN_WATCH_LOST);
	vigil_event_arg_int(b->ev, "lost", (long long)b->lost_unreported);
	b->lost_unreported = 0;
	b->lost_report_ms = ms;
	deliver(b);
}
