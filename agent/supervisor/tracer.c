/*
 * tracer.c — the supervisor's one loop.
 *
 * Block in waitpid (traced stops, the analyzer, reparented orphans) and
 * handle each report — or, under the notify sensor, in the listener
 * itself, cancelled by SIGCHLD (recvwait.c; ppoll on the listener and
 * SIGCHLD where that cannot be done, pollwait.c); the signal thread
 * (sigfwd.c) forwards signals and interrupts the wait when the nearest
 * timer is due: batch flush, analyzer restart, health report. After the program exits, poll until the
 * analyzer has drained or the deadline passed.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vigil/cancelpoint.h"
#include "vigil/clock.h"
#include "vigil/log.h"
#include "supervisor/analyzer_ctl.h"
#include "supervisor/channel.h"
#include "supervisor/pollwait.h"
#include "supervisor/recvwait.h"
#include "sensor/notify/notify.h"
#include "sensor/sensor.h"
#include "supervisor/sigfwd.h"
#include "supervisor/supervisor.h"

#define HEALTH_INTERVAL_NS 1000000000ull
#define MAX_SLEEP_NS 1000000000ull

struct loop_state {
	struct channel *channel;
	struct analyzer_ctl *analyzer;
	struct sigfwd *sigfwd;
	struct vigil_event *marker; /* health and end events are built here */
	struct sensor *sensor;
	pid_t child;
	bool child_done;
	int child_status;
	bool draining;
	uint64_t drain_deadline;
	struct recvwait *recv; /* the sensor's descriptor is waited in itself */
	struct pollwait *poll; /* the sensor has a descriptor to poll; else waitpid */
	enum vigil_sensor_kind sensor_kind;
	uint64_t last_health_ns;
	struct vigil_health reported;
};

static void current_health(const struct loop_state *s, struct vigil_health *h)
{
	memset(h, 0, sizeof(*h));
	h->events_dropped = channel_dropped(s->channel);
	h->analyzer_restarts = analyzer_restarts(s->analyzer);
	h->read_errors = s->sensor->mem->errors;
	h->tracee_count = s->sensor->ops->task_count(s->sensor);
	h->sensor = s->sensor_kind;
}

static bool health_changed(const struct loop_state *s, const struct vigil_health *h)
{
	return h->events_dropped != s->reported.events_dropped ||
	       h->analyzer_restarts != s->reported.analyzer_restarts ||
	       h->read_errors != s->reported.read_errors;
}

/* Report counters when one changed (at most once a second), or when forced. */
static void report_health(struct loop_state *s, uint64_t now, bool force)
{
	struct vigil_health h;
	current_health(s, &h);
	if (!force && (!health_changed(s, &h) || now - s->last_health_ns < HEALTH_INTERVAL_NS))
		return;
	struct vigil_event *ev = s->marker;
	vigil_event_init(ev, VIGIL_EV_HEALTH);
	ev->ts_ns = vigil_wall_ns();
	ev->type = VIGIL_SC_HEALTH;
	ev->health = h;
	ev->proc.pid = getpid();
	channel_push(s->channel, ev);
	s->reported = h;
	s->last_health_ns = now;
}

static void dispatch(struct loop_state *s, pid_t pid, int status);

static void reaped(void *ctx, pid_t pid, int status)
{
	dispatch(ctx, pid, status);
}

static void dispatch(struct loop_state *s, pid_t pid, int status)
{
	bool gone = WIFEXITED(status) || WIFSIGNALED(status);
	if (pid == analyzer_pid(s->analyzer) && gone) {
		analyzer_exited(s->analyzer, status, s->draining);
		return;
	}
	s->sensor->ops->dispatch(s->sensor, pid, status);
	if (pid == s->child && gone) {
		s->child_done = true;
		s->child_status = status;
		sigfwd_child_done(s->sigfwd);
	}
}

/*
 * Wait for the next report. While the program runs this blocks in
 * waitpid() itself: a ptrace stop wakes it directly, without a signal.
 * The signal thread interrupts it (EINTR) when a timer is due.
 */
static void wait_and_dispatch(struct loop_state *s, bool block, uint64_t deadline)
{
	if (s->recv) {
		sigfwd_wake_at(s->sigfwd, block ? deadline : 0);
		recvwait_run(s->recv, s->sensor, block, reaped, s);
		sigfwd_forward_pending(s->sigfwd);
		return;
	}
	if (s->poll) {
		pollwait_run(s->poll, s->sensor, block ? deadline : 0, reaped, s);
		sigfwd_forward_pending(s->sigfwd);
		return;
	}
	sigfwd_wake_at(s->sigfwd, block ? deadline : 0);
	int status;
	/* One report per call: looping on WNOHANG would cost an extra, empty
	 * waitpid for nearly every stop, and the next blocking call returns at
	 * once anyway if more reports are queued. */
	pid_t pid = waitpid(-1, &status, __WALL | (block ? 0 : WNOHANG));
	if (pid > 0)
		dispatch(s, pid, status);
	sigfwd_forward_pending(s->sigfwd);
}

static void start_draining(struct loop_state *s, const struct sup_options *o, uint64_t now)
{
	s->draining = true;
	sigfwd_wake_at(s->sigfwd, 0); /* the drain polls; no wake-ups to interrupt it */
	s->drain_deadline = now + (uint64_t)o->drain_ms * 1000000ull;
	report_health(s, now, true);
	/* channel_push copied the health event: the buffer is free again. */
	struct vigil_event *end = s->marker;
	vigil_event_init(end, VIGIL_EV_END);
	end->ts_ns = vigil_wall_ns();
	channel_push(s->channel, end);
	channel_flush(s->channel, true, now);
}

static uint64_t min_nonzero(uint64_t a, uint64_t b)
{
	return a == 0 ? b : (b == 0 || a < b) ? a : b;
}

/* When the loop must run again even if no child reports anything. */
static uint64_t next_timer(struct loop_state *s, uint64_t now)
{
	uint64_t sleep_ns = MAX_SLEEP_NS;
	sleep_ns = min_nonzero(channel_flush_due(s->channel, now), sleep_ns);
	sleep_ns = min_nonzero(analyzer_restart_due(s->analyzer, now), sleep_ns);
	sleep_ns = min_nonzero(s->sensor->ops->due(s->sensor, now), sleep_ns);
	struct vigil_health h;
	current_health(s, &h);
	if (health_changed(s, &h)) /* a changed counter is reported within 1 s */
		sleep_ns = min_nonzero(s->last_health_ns + HEALTH_INTERVAL_NS > now
					       ? s->last_health_ns + HEALTH_INTERVAL_NS - now
					       : 1,
				       sleep_ns);
	return now + sleep_ns;
}

/* Draining: no program left to wake us; poll every millisecond until done. */
static void drain_pause(void)
{
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
}

int tracer_run(struct supervisor *sup, const struct sup_options *o, pid_t child,
	       struct sensor *sensor, bool traced)
{
	struct loop_state s = {.channel = &sup->channel,
			       .analyzer = &sup->analyzer,
			       .sigfwd = &sup->sigfwd,
			       .marker = &sup->marker,
			       .sensor = sensor,
			       .child = child};
	if (sigfwd_start(s.sigfwd, child, o->group_forward) != 0)
		return 1;
	s.sensor_kind = !traced			     ? VIGIL_SENSOR_NONE
			: !sensor->ops->poll_fd	     ? VIGIL_SENSOR_PTRACE
			: notify_sync_active(sensor) ? VIGIL_SENSOR_NOTIFY_SYNC
						     : VIGIL_SENSOR_NOTIFY;
	LOG_INFO("sensor: %s", vigil_sensor_name(s.sensor_kind)); /* and in every health event */
	struct pollwait pw;
	struct recvwait rw;
	if (sensor->ops->poll_fd && sensor->ops->wait_one && cancelpoint_supported() &&
	    !o->notify_poll) {
		if (recvwait_init(&rw) != 0)
			return 1;
		s.recv = &rw;
	} else if (sensor->ops->poll_fd) {
		if (pollwait_init(&pw) != 0)
			return 1;
		s.poll = &pw;
	}
	for (;;) {
		uint64_t now = vigil_mono_ns();
		if (s.child_done && !s.draining)
			start_draining(&s, o, now);
		if (s.draining) {
			sensor->ops->tick(sensor, now);
			analyzer_tick(s.analyzer, now);
			channel_flush(s.channel, true, now);
			if (analyzer_finished(s.analyzer) || now >= s.drain_deadline)
				break;
			drain_pause();
			wait_and_dispatch(&s, false, 0);
			continue;
		}
		report_health(&s, now, false);
		sensor->ops->tick(sensor, now);
		analyzer_tick(s.analyzer, now);
		channel_flush(s.channel, false, now);
		wait_and_dispatch(&s, true, next_timer(&s, now));
	}
	if (!analyzer_finished(s.analyzer)) { /* the deadline passed: say what that cost */
		pid_t apid = analyzer_pid(s.analyzer);
		if (apid > 0) {
			kill(apid, SIGKILL);
			waitpid(apid, NULL, 0);
		}
		LOG_WARN("analyzer did not finish within %u ms: %llu events were never analysed "
			 "(alerts they would raise are lost)",
			 o->drain_ms, (unsigned long long)channel_unanalysed_events(s.channel));
	}
	return init_exit_code(s.child_status);
}
