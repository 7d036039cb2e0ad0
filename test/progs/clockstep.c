/*
 * clockstep.c - an LD_PRELOAD shim that steps the wall clock.
 *
 * CLOCK_REALTIME (and only it: CLOCK_MONOTONIC is untouched) reads
 * CLOCKSTEP_SECONDS later (earlier, if negative) than the real time, as
 * after an NTP step or a resumed VM:
 *   CLOCKSTEP_MARKER=FILE   once, while FILE exists;
 *   CLOCKSTEP_EVERY_MS=N    again every N ms since the process started
 *                           (cumulative), so every deadline spans a step.
 * CLOCKSTEP_ONLY=NAME limits it to processes whose executable is NAME.
 * Used by test_clock.py: a time namespace cannot do this (it offsets only
 * the monotonic and boot-time clocks), and stepping the machine's clock
 * would disturb everything else on it.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static clock_gettime_fn real;
static bool active;
static long seconds, every_ms;
static const char *marker;
static struct timespec t0;

__attribute__((constructor)) static void init(void)
{
	real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	const char *s = getenv("CLOCKSTEP_SECONDS"), *e = getenv("CLOCKSTEP_EVERY_MS");
	const char *only = getenv("CLOCKSTEP_ONLY");
	marker = getenv("CLOCKSTEP_MARKER");
	seconds = s ? strtol(s, NULL, 10) : 0;
	every_ms = e ? strtol(e, NULL, 10) : 0;
	active = seconds != 0 && (marker || every_ms > 0);
	if (active && only) {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = '\0';
		const char *base = strrchr(exe, '/');
		active = base && strcmp(base + 1, only) == 0;
	}
	if (real)
		real(CLOCK_MONOTONIC, &t0);
}

/* How far the wall clock is stepped now. */
static long offset(void)
{
	if (marker)
		return access(marker, F_OK) == 0 ? seconds : 0;
	struct timespec now;
	real(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
	return seconds * (ms / every_ms);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (!real)
		real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	int rc = real(id, ts);
	if (rc == 0 && active && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += offset();
	return rc;
}
