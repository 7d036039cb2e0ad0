/* heartbeat.c — writing the analyzer's beat (see heartbeat.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "analyzer/heartbeat.h"
#include "vigil/clock.h"
#include "vigil/heartbeat.h"
#include "vigil/log.h"

/* Half the promised interval: a thread scheduled late still beats in time. */
#define BEAT_MS (VIGIL_HEARTBEAT_INTERVAL_MS / 2)
#define STEP_MS 10

static uint64_t *beat_page;
static pthread_t thread;
static bool running;
static int stop_flag; /* atomic */

static void heartbeat_beat(void)
{
	if (!beat_page)
		return;
	uint64_t ns = vigil_mono_ns(); /* the supervisor compares it with its own monotonic clock */
	__atomic_store_n(&beat_page[VIGIL_HEARTBEAT_WORD], ns ? ns : 1, __ATOMIC_RELEASE);
}

/* Polls the stop flag often, so that stopping never waits a whole beat. */
static void *beats(void *arg)
{
	(void)arg;
	struct timespec step = {0, STEP_MS * 1000000L};
	for (unsigned ms = 0; !__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE); ms += STEP_MS) {
		if (ms % BEAT_MS == 0)
			heartbeat_beat();
		nanosleep(&step, NULL);
	}
	return NULL;
}

void heartbeat_start(uint64_t *page)
{
	beat_page = page;
	heartbeat_beat();
	if (!beat_page || running)
		return;
	__atomic_store_n(&stop_flag, 0, __ATOMIC_RELEASE);
	int err = pthread_create(&thread, NULL, beats, NULL);
	if (err) /* the supervisor will take us for frozen and restart us */
		LOG_WARN("heartbeat thread: %s", strerror(err));
	running = err == 0;
}

void heartbeat_stop(void)
{
	if (!running)
		return;
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	running = false;
}
