/* coverage.c — when the coverage alert goes out (see coverage.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analyzer/coverage.h"
#include "aws/ecs_meta_bg.h"
#include "vigil/clock.h"
#include "vigil/log.h"

#define POLL_MS 20u
#define REQUEST_MS 1000u /* per metadata request: link-local, answers in ms */

void coverage_init(struct coverage *c, struct evloop *loop, struct delivery *d,
		   const struct field_ctx *ctx)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	c->delivery = d;
	c->ctx = ctx;
	c->bg = ecs_meta_bg_start(REQUEST_MS, c->bg_err, sizeof(c->bg_err));
}

static void copy_arg(char *dst, size_t n, const struct vigil_event *ev, vigil_str v)
{
	size_t len = v.len < n - 1 ? v.len : n - 1;
	const char *p = vigil_str_ptr(ev, v);
	memcpy(dst, p ? p : "", p ? len : 0);
	dst[p ? len : 0] = '\0';
}

/* evt.arg.* of the event into the facts; unknown keys are ignored. */
static void read_event(struct coverage_facts *f, const struct vigil_event *ev)
{
	char flag[8];
	memset(f, 0, sizeof(*f));
	f->pid = ev->proc.pid;
	for (int i = 0; i < ev->n_evargs && i < VIGIL_MAX_EVARGS; i++) {
		const struct vigil_evarg *a = &ev->evargs[i];
		const char *k = vigil_str_ptr(ev, a->key);
		size_t kl = a->key.len;
#define IS(name) (k && kl == strlen(name) && memcmp(k, name, kl) == 0)
		if (IS("monitored") || IS("started")) {
			copy_arg(flag, sizeof(flag), ev, a->val);
			*(IS("monitored") ? &f->monitored : &f->started) =
				strcmp(flag, "true") == 0;
		} else if (IS("sensor"))
			copy_arg(f->sensor, sizeof(f->sensor), ev, a->val);
		else if (IS("sensor_choice"))
			copy_arg(f->choice, sizeof(f->choice), ev, a->val);
		else if (IS("start_policy"))
			copy_arg(f->policy, sizeof(f->policy), ev, a->val);
		else if (IS("init"))
			copy_arg(f->init, sizeof(f->init), ev, a->val);
		else if (IS("pid1"))
			copy_arg(f->pid1, sizeof(f->pid1), ev, a->val);
		else if (IS("reason"))
			copy_arg(f->reason, sizeof(f->reason), ev, a->val);
#undef IS
	}
}

static void emit(struct coverage *c)
{
	struct coverage_facts *f = &c->facts;
	c->pending = false;
	if (c->timer)
		evloop_cancel_timer(c->loop, c->timer);
	c->timer = 0;
	if (!c->bg) {
		f->meta = c->bg_err[0] ? -1 : 0;
		snprintf(f->meta_err, sizeof(f->meta_err), "%s", c->bg_err);
	} else {
		f->meta = ecs_meta_bg_poll(c->bg, &f->task, f->meta_err, sizeof(f->meta_err));
		if (f->meta == 0) {
			f->meta = -1;
			snprintf(f->meta_err, sizeof(f->meta_err),
				 "no answer from the task metadata endpoint within %llu ms",
				 (unsigned long long)(vigil_mono_ms() - c->taken_ms));
		}
	}
	struct strbuf sb;
	strbuf_init(&sb, 64 * 1024);
	int prio = coverage_alert_json(&sb, f, c->ctx);
	if (sb.data && !sb.truncated && !sb.oom && c->delivery)
		delivery_submit(c->delivery, sb.data, sb.len, prio);
	else
		LOG_ERR("coverage alert: could not be built (out of memory)");
	strbuf_free(&sb);
}

static void on_timer(void *arg)
{
	struct coverage *c = arg;
	struct ecs_task_meta m;
	char err[8];
	c->timer = 0;
	if (!c->pending)
		return;
	if (ecs_meta_bg_poll(c->bg, &m, err, sizeof(err)) != 0 || vigil_mono_ms() >= c->deadline_ms)
		emit(c);
	else
		c->timer = evloop_add_timer(c->loop, POLL_MS, on_timer, c);
}

void coverage_take(struct coverage *c, const struct vigil_event *ev)
{
	if (c->taken) /* one per start: the supervisor sends one */
		return;
	c->taken = true;
	c->taken_ms = vigil_mono_ms();
	read_event(&c->facts, ev);
	c->pending = true;
	struct ecs_task_meta m;
	char err[8];
	if (!c->bg || ecs_meta_bg_poll(c->bg, &m, err, sizeof(err)) != 0 || !c->loop) {
		emit(c);
		return;
	}
	c->deadline_ms = vigil_mono_ms() + COVERAGE_META_WAIT_MS;
	c->timer = evloop_add_timer(c->loop, POLL_MS, on_timer, c);
}

void coverage_flush(struct coverage *c, uint64_t max_wait_ms)
{
	if (!c->pending)
		return;
	/* The program ended first (a short job): metadata may still be on its
	 * way, and the loop has nothing else to do but drain. */
	uint64_t until = vigil_mono_ms() + max_wait_ms;
	if (until > c->deadline_ms)
		until = c->deadline_ms;
	struct timespec step = {0, (long)POLL_MS * 1000000L};
	while (ecs_meta_bg_busy(c->bg) && vigil_mono_ms() < until)
		nanosleep(&step, NULL);
	emit(c);
}

bool coverage_busy(const struct coverage *c)
{
	return ecs_meta_bg_busy(c->bg);
}

void coverage_free(struct coverage *c)
{
	if (c->timer && c->loop)
		evloop_cancel_timer(c->loop, c->timer);
	c->timer = 0;
	ecs_meta_bg_free(c->bg);
	c->bg = NULL;
}
