/*
 * bench_backstop.c — what the open backstop costs the analyzer per event
 * (test/bench/backstop/run.sh).
 *
 *   bench_backstop RULES.yaml... 
 *
 * Builds the backstop of the rules (real inotify watches on the files
 * they name) and times backstop_observe over in-memory events, one thread:
 *   - opens of paths nobody watches (a typical mix: libraries, /proc,
 *     /usr/share, /etc): the cost every open event pays;
 *   - execs (exepath and a relative filename to resolve);
 *   - events of other types (connect): the type check only;
 *   - opens of a watched path (a credit each, with its clock read);
 * and, for scale, engine_eval of the same unwatched opens. Prints
 * key=value lines: ns per event, median of 5 repeats.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/backstop.h"
#include "rules/engine.h"

#define EVALS 2000000
#define REPEATS 5

static const char *const paths[] = {
	"/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache",
	"/proc/self/stat",		       "/usr/share/zoneinfo/UTC",
	"/usr/lib/python3.11/os.py",	       "/etc/nginx/nginx.conf",
	"/app/static/css/site.css",	       "/var/log/app/access.log",
	"/tmp/upload-8f3a2b",		       "/dev/null",
	"/usr/lib/x86_64-linux-gnu/libssl.so.3", "/etc/ssl/certs/ca-certificates.crt",
	"/root/.cache/pip/http/a/b/c",	       "/sys/fs/cgroup/cpu.max",
	"/srv/data/2024/01/15/part-00001.parquet", "/etc/hostname",
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct vigil_event *event(int type, const char *path)
{
	struct vigil_event *ev = calloc(1, sizeof(*ev));
	if (!ev)
		exit(1);
	vigil_event_init(ev, VIGIL_EV_SYSCALL);
	ev->type = (uint16_t)type;
	ev->ts_ns = 1;
	ev->fd.type = VIGIL_FD_FILE;
	if (type == VIGIL_SC_EXECVE) {
		ev->has_res = 1;
		ev->proc.exepath = vigil_event_cstr(ev, path);
		ev->proc.cwd = vigil_event_cstr(ev, "/app/");
		vigil_event_arg_cstr(ev, "filename", "bin/run");
	} else {
		ev->fd.name = vigil_event_cstr(ev, path);
		vigil_event_arg_cstr(ev, "flags", "O_RDONLY|O_CLOEXEC");
	}
	vigil_event_seal(ev);
	return ev;
}

typedef void (*step_fn)(void *ctx, const struct vigil_event *ev);

static void observe(void *ctx, const struct vigil_event *ev)
{
	backstop_observe(ctx, ev);
}

static void evaluate(void *ctx, const struct vigil_event *ev)
{
	engine_eval(ctx, ev, NULL, NULL, NULL);
}

/* ns per event: the median of REPEATS timed passes over evs. */
static double time_it(step_fn fn, void *ctx, struct vigil_event **evs, size_t n)
{
	double r[REPEATS];
	for (size_t i = 0; i < n; i++)
		fn(ctx, evs[i]); /* warm */
	for (int k = 0; k < REPEATS; k++) {
		double t0 = now_s();
		for (size_t i = 0; i < EVALS; i++)
			fn(ctx, evs[i % n]);
		r[k] = (now_s() - t0) * 1e9 / EVALS;
	}
	qsort(r, REPEATS, sizeof(r[0]), cmp);
	return r[REPEATS / 2];
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: bench_backstop RULES.yaml...\n", stderr);
		return 2;
	}
	struct engine *e = engine_new();
	struct vigil_diag d;
	vigil_diag_init(&d);
	if (!e || engine_load(e, (const char *const *)argv + 1, (size_t)argc - 1, &d) != 0) {
		fputs("bench_backstop: the rules did not load\n", stderr);
		return 1;
	}
	struct backstop *b = backstop_new(e, -1);
	if (!b) {
		fputs("bench_backstop: the rules name no file to watch\n", stderr);
		return 1;
	}
	size_t n = sizeof(paths) / sizeof(paths[0]);
	struct vigil_event *opens[16], *execs[16], *others[1], *watched[1];
	for (size_t i = 0; i < n; i++) {
		opens[i] = event(VIGIL_SC_OPENAT, paths[i]);
		execs[i] = event(VIGIL_SC_EXECVE, paths[i]);
	}
	others[0] = event(VIGIL_SC_CONNECT, "10.0.0.1:443");
	watched[0] = event(VIGIL_SC_OPENAT, "/etc/shadow");
	printf("open_unwatched_ns=%.1f\n", time_it(observe, b, opens, n));
	printf("exec_unwatched_ns=%.1f\n", time_it(observe, b, execs, n));
	printf("other_type_ns=%.1f\n", time_it(observe, b, others, 1));
	printf("open_watched_ns=%.1f\n", time_it(observe, b, watched, 1));
	printf("engine_eval_open_ns=%.1f\n", time_it(evaluate, e, opens, n));
	backstop_free(b);
	engine_free(e);
	vigil_diag_free(&d);
	return 0;
}
