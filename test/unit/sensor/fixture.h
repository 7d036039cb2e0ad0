/*
 * fixture.h — a sensor for unit tests of the core: tracee memory is a
 * local buffer mapped at BASE, refusals and events are recorded. This is
 * the seam itself (sensor_ops, sensor_mem), not a mock of what is tested.
 */
#ifndef VIGIL_TEST_SENSOR_FIXTURE_H
#define VIGIL_TEST_SENSOR_FIXTURE_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "vigil/event.h"
#include "sensor/core.h"
#include "sensor/proc.h"
#include "sensor/sensor.h"

#define BASE 0x10000ull

struct buf_mem {
	struct sensor_mem base; /* first */
	unsigned char bytes[8192];
	size_t used;
};

static inline ssize_t buf_read_upto(struct sensor_mem *m, pid_t tid, uint64_t addr, void *out, size_t len)
{
	struct buf_mem *bm = (struct buf_mem *)(void *)m;
	(void)tid;
	if (addr < BASE || addr >= BASE + sizeof(bm->bytes))
		return -1;
	size_t off = (size_t)(addr - BASE), avail = sizeof(bm->bytes) - off;
	size_t n = len < avail ? len : avail;
	memcpy(out, bm->bytes + off, n);
	return (ssize_t)n;
}

/* Place `len` bytes in tracee memory (8-aligned); returns their address. */
static inline uint64_t put(struct buf_mem *bm, const void *data, size_t len)
{
	size_t at = (bm->used + 7) & ~(size_t)7;
	memcpy(bm->bytes + at, data, len);
	bm->used = at + len;
	return BASE + at;
}

static inline uint64_t put_str(struct buf_mem *bm, const char *s)
{
	return put(bm, s, strlen(s) + 1);
}

struct test_sensor {
	struct sensor base; /* first */
	struct buf_mem mem;
	int n_refused;
	long refused_with;
};

static inline bool ts_refuse(struct sensor *s, struct sensor_task *t, long result)
{
	struct test_sensor *ts = (struct test_sensor *)(void *)s;
	(void)t;
	ts->n_refused++;
	ts->refused_with = result;
	return true;
}

static inline void ts_foreach(struct sensor *s, void (*fn)(struct sensor_task *t, void *ctx), void *ctx)
{
	(void)s, (void)fn, (void)ctx; /* no other watched thread */
}

__attribute__((unused)) static const struct sensor_ops test_ops = {
	.name = "test",
	.refuse = ts_refuse,
	.foreach_task = ts_foreach,
};

/* Events the core emitted (copies of the last one and a count). */
__attribute__((unused)) static struct vigil_event last_event;
__attribute__((unused)) static int n_events;

static inline void capture(struct vigil_event *ev)
{
	memcpy(&last_event, ev, sizeof(last_event));
	n_events++;
}

/* A process with a known cwd and nothing stale (no /proc reads). */
static inline struct proc *test_proc(pid_t pid, const char *cwd)
{
	struct proc *p = proc_new(pid, NULL);
	p->cwd = strdup(cwd);
	p->cwd_stale = p->ids_stale = p->session_stale = false;
	return p;
}

/* The value of evt.arg.KEY as a NUL-terminated string in out, or NULL. */
static inline const char *arg_of(const struct vigil_event *ev, const char *key, char *out, size_t size)
{
	for (int i = 0; i < ev->n_evargs; i++) {
		const struct vigil_evarg *a = &ev->evargs[i];
		const char *k = vigil_str_ptr(ev, a->key);
		if (k && a->key.len == strlen(key) && memcmp(k, key, a->key.len) == 0) {
			size_t n = a->val.len < size - 1 ? a->val.len : size - 1;
			memcpy(out, vigil_str_ptr(ev, a->val), n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

/* A vigil_str of ev as a NUL-terminated string in out ("" when absent). */
static inline const char *str_of(const struct vigil_event *ev, vigil_str s, char *out, size_t size)
{
	const char *p = vigil_str_ptr(ev, s);
	size_t n = p ? (s.len < size - 1 ? s.len : size - 1) : 0;
	if (p)
		memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* A test sensor bound to core c (emits captured). */
static inline void test_sensor_init(struct test_sensor *ts, struct sensor_core *c, struct proc *root)
{
	static struct core_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	vigil_sc_set_default(&cfg.traced);
	cfg.emit = capture;
	core_init(c, &cfg, root);
	memset(ts, 0, sizeof(*ts));
	ts->mem.base.read_upto = buf_read_upto;
	ts->base = (struct sensor){&test_ops, &ts->mem.base, c};
	c->sensor = &ts->base;
	n_events = 0;
}

#endif
