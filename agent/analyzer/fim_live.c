/* fim_live.c — glue between the FIM monitor, the loop, attribution and rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/fim_live.h"
#include "vigil/clock.h"
#include "vigil/log.h"
#include "vigil/syscalls.h"

static void schedule(struct fim_live *f);

/* Start the event from the attributed syscall event (its process fields and
 * their strings), or empty. */
static void start_event(struct fim_live *f, const char *path)
{
	struct vigil_event *ev = f->ev;
	const struct vigil_event *who =
		f->attribution.by_path.live ? attribution_find(&f->attribution, path) : NULL;
	if (who) {
		memcpy(ev, who, who->wire_size);
		struct vigil_proc proc = ev->proc;
		uint32_t used = ev->strs_used;
		vigil_event_init(ev, VIGIL_EV_FIM);
		ev->proc = proc;
		ev->strs_used = used;
		ev->fim.attributed = 1;
	} else {
		vigil_event_init(ev, VIGIL_EV_FIM);
		ev->strs_used = 0;
	}
	ev->type = VIGIL_SC_FIM;
	ev->ts_ns = vigil_wall_ns();
	ev->num = 0; /* not from the channel: its numbers (and their gaps) are the tracer's */
}

static void put_entry(struct vigil_event *ev, const struct fim_entry *e, bool prev)
{
	char hex[2 * FIM_HASH_LEN + 1];
	struct vigil_fim *m = &ev->fim;
	if (!e)
		return;
	if (prev) {
		m->has_prev = 1;
		m->prev_mode = e->mode, m->prev_uid = e->uid, m->prev_gid = e->gid;
		m->prev_size = e->size, m->prev_ino = e->ino, m->prev_mtime_ns = e->mtime_ns;
	} else {
		m->has_cur = 1;
		m->mode = e->mode, m->uid = e->uid, m->gid = e->gid;
		m->size = e->size, m->ino = e->ino, m->mtime_ns = e->mtime_ns;
	}
	if (e->flags & FIM_F_HASHED) {
		fim_hex(e->sha256, FIM_HASH_LEN, hex);
		*(prev ? &m->prev_sha256 : &m->sha256) = vigil_event_cstr(ev, hex);
	}
	if (e->target)
		*(prev ? &m->prev_target : &m->target) = vigil_event_cstr(ev, e->target);
}

static void put_changed(struct vigil_event *ev, uint32_t bits)
{
	char buf[160];
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < FIM_N_ATTRS; i++)
		if (bits & (1u << i))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "",
					      fim_attr_name(i));
	if (n)
		ev->fim.changed = vigil_event_cstr(ev, buf);
}

static void deliver(struct fim_live *f)
{
	vigil_event_seal(f->ev);
	if (f->on_event)
		f->on_event(f->ev, f->on_event_arg);
	if (f->engine)
		engine_eval(f->engine, f->ev, f->ctx, alerts_on_match, f->alerts);
}

static void on_change(const struct fim_live_change *c, void *arg)
{
	struct fim_live *f = arg;
	const struct fim_entry *e = c->after ? c->after : c->before;
	start_event(f, e->path);
	struct vigil_event *ev = f->ev;
	ev->fim.action = (uint8_t)c->action;
	ev->fim.detected_by = (uint8_t)c->detected_by;
	ev->fim.path = vigil_event_cstr(ev, e->path);
	ev->fim.type = vigil_event_cstr(ev, fim_type_name(e->mode));
	if (c->watch && c->watch->tags)
		ev->fim.tags = vigil_event_cstr(ev, c->watch->tags);
	put_changed(ev, c->changed);
	put_entry(ev, c->before, true);
	put_entry(ev, c->after, false);
	deliver(f);
}

static void watch_limit_alert(struct fim_live *f, const struct fim_notice *n)
{
	char list[2048];
	size_t len = 0;
	list[0] = '\0';
	for (size_t i = 0; i < n->n_paths && len < sizeof(list) - 1; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "",
					n->paths[i]);
	LOG_WARN("fim: the inotify watch limit (fs.inotify.max_user_watches) is reached; "
		 "not real-time, scanned periodically instead: %s",
		 list);
	start_event(f, "");
	f->ev->fim.path = vigil_event_cstr(f->ev, list);
	vigil_event_seal(f->ev);
	static const char *const tags[] = {"fim", "vigil"};
	struct alert_rule ar = {
		"Vigil FIM watch limit reached", "Warning", "fim", tags, 2, f->limit_fmt};
	if (f->limit_fmt)
		alerts_emit(f->alerts, &ar, RULES_PRIO_WARNING, f->ev);
}

static void on_notice(const struct fim_notice *n, void *arg)
{
	struct fim_live *f = arg;
	switch (n->kind) {
	case FIM_NOTICE_WATCH_LIMIT:
		watch_limit_alert(f, n);
		if (f->on_degraded)
			f->on_degraded(f->on_event_arg);
		break;
	case FIM_NOTICE_OVERFLOW:
		LOG_WARN("fim: the inotify queue overflowed; rescanning the watched trees");
		if (f->on_degraded)
			f->on_degraded(f->on_event_arg);
		break;
	case FIM_NOTICE_BASELINE_DONE:
		LOG_INFO("fim: baseline of %llu entries in %llu ms", (unsigned long long)n->entries,
			 (unsigned long long)n->ms);
		break;
	}
}

static void on_inotify(int fd, uint32_t revents, void *arg)
{
	(void)fd, (void)revents;
	struct fim_live *f = arg;
	fim_monitor_on_inotify(f->mon);
	schedule(f);
}

static void on_scan_done(int fd, uint32_t revents, void *arg)
{
	(void)fd, (void)revents;
	struct fim_live *f = arg;
	fim_monitor_on_scan_done(f->mon);
	schedule(f);
}

static void on_timer(void *arg)
{
	struct fim_live *f = arg;
	f->timer = 0;
	fim_monitor_tick(f->mon);
	schedule(f);
}

/* One timer, for the monitor's earliest due work. */
static void schedule(struct fim_live *f)
{
	if (f->timer)
		evloop_cancel_timer(f->loop, f->timer);
	f->timer = 0;
	int ms = fim_monitor_next_ms(f->mon);
	if (ms >= 0)
		f->timer = evloop_add_timer(f->loop, (uint64_t)ms, on_timer, f);
}

int fim_live_start(struct fim_live *f, const struct fim_config *cfg, struct evloop *loop,
		   struct engine *engine, struct alert_out *alerts, const struct field_ctx *ctx)
{
	memset(f, 0, sizeof(*f));
	f->loop = loop, f->engine = engine, f->alerts = alerts, f->ctx = ctx;
	attribution_init(&f->attribution);
	static const char fmt[] =
		"File integrity monitoring is not real-time under %fim.path: the inotify "
		"watch limit is reached, these trees are scanned periodically instead";
	char err[160];
	f->limit_fmt = output_compile(fmt, sizeof(fmt) - 1, err, sizeof(err));
	f->ev = malloc(sizeof(*f->ev));
	if (!f->ev)
		return -1;
	f->mon = fim_monitor_start(cfg, on_change, on_notice, f);
	if (!f->mon) {
		LOG_ERR("fim: cannot start inotify: %s", strerror(errno));
		return -1;
	}
	if (evloop_add_fd(loop, fim_monitor_inotify_fd(f->mon), VIGIL_EV_READ, on_inotify, f) !=
		    0 ||
	    evloop_add_fd(loop, fim_monitor_scan_fd(f->mon), VIGIL_EV_READ, on_scan_done, f) != 0)
		return -1;
	schedule(f);
	return 0;
}

void fim_live_observe(struct fim_live *f, const struct vigil_event *ev)
{
	if (f->mon)
		attribution_observe(&f->attribution, ev);
}

void fim_live_flush(struct fim_live *f)
{
	if (f->mon)
		fim_monitor_flush(f->mon);
}

bool fim_live_stop(struct fim_live *f)
{
	bool abandoned = false;
	if (f->mon) {
		evloop_del_fd(f->loop, fim_monitor_inotify_fd(f->mon));
		evloop_del_fd(f->loop, fim_monitor_scan_fd(f->mon));
		abandoned = fim_monitor_free(f->mon);
	}
	if (f->timer)
		evloop_cancel_timer(f->loop, f->timer);
	attribution_free(&f->attribution);
	output_free(f->limit_fmt);
	free(f->ev);
	memset(f, 0, sizeof(*f));
	return abandoned;
}
