/* heartbeat.c — writing the analyzer's beat (see heartbeat.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "analyzer/evloop.h"
#include "analyzer/heartbeat.h"
#include "vigil/heartbeat.h"
#include "vigil/log.h"

/* Half the promised interval: a timer that runs late still beats in time. */
#define BEAT_MS (VIGIL_HEARTBEAT_INTERVAL_MS / 2)

static uint64_t *beat_page;
static pthread_t startup_thread;
static bool startup_running;
static int startup_stop; /* atomic */
static uint64_t loop_timer;

void heartbeat_init(uint64_t *page)
{
	beat_page = page;
	heartbeat_beat();
}

void heartbeat_beat(void)
{
	if (!beat_page)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	__atomic_store_n(&beat_page[VIGIL_HEARTBEAT_WORD], ns ? ns : 1, __ATOMIC_RELEASE);
}

/* Polls the stop flag often, so that ending the start-up never waits a beat. */
static void *startup_beats(void *arg)
{
	(void)arg;
	struct timespec step = {0, 10 * 1000000L};
	for (unsigned ms = 0; ms < HEARTBEAT_STARTUP_MAX_MS && !__atomic_load_n(&startup_stop, __ATOMIC_ACQUIRE);
	     ms += 10) {
		if (ms % BEAT_MS == 0)
			heartbeat_beat();
		nanosleep(&step, NULL);
	}
	return NULL;
}

void heartbeat_startup_begin(void)
{
	if (!beat_page || startup_running)
		return;
	__atomic_store_n(&startup_stop, 0, __ATOMIC_RELEASE);
	int err = pthread_create(&startup_thread, NULL, startup_beats, NULL);
	if (err) /* the supervisor allows a first beat VIGIL_HEARTBEAT_FIRST_MS late */
		LOG_WARN("heartbeat during start-up: %s", strerror(err));
	startup_running = err == 0;
}

void heartbeat_startup_end(void)
{
	if (!startup_running)
		return;
	__atomic_store_n(&startup_stop, 1, __ATOMIC_RELEASE);
	pthread_join(startup_thread, NULL);
	startup_running = false;
	heartbeat_beat();
}

static void on_beat(void *arg)
{
	heartbeat_beat();
	loop_timer = evloop_add_timer(arg, BEAT_MS, on_beat, arg);
}

void heartbeat_loop_start(struct evloop *loop)
{
	if (beat_page)
		on_beat(loop);
}

void heartbeat_loop_stop(struct evloop *loop)
{
	evloop_cancel_timer(loop, loop_timer);
	loop_timer = 0;
}
