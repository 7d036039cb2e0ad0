/*
 * open_race.c - open a file whose path another thread changes while the
 * open waits in vigil's tracer: the race the open backstop is the answer to
 * (test_open_backstop.py).
 *
 *   open_race SECRET DECOY N
 *
 * SECRET and DECOY are paths of the same length. N times the buffer holds
 * DECOY and the main thread opens it; a second thread writes SECRET over
 * the buffer a moment after the open began, a moment that grows from round
 * to round (0 to 100 us): the tracer, which reads the path while the
 * thread is stopped, may have read DECOY, and the kernel, which reads it
 * once the tracer lets the thread go, SECRET. Without a tracer the open is
 * over before any flip. fstat says which file each open reached. Reports
 * {"opens": N, "secret": K}, K being the opens that reached SECRET.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "vt_common.h"

static char buf[PATH_MAX];
static const char *secret;
static atomic_int phase; /* 0: set up, 1: opening, 2: opened, 3: flipper done */
static atomic_int round_no;

static atomic_llong began; /* when this round's open began, ns */

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *flipper(void *arg)
{
	(void)arg;
	for (;;) {
		int p; /* a round has begun at 1, or at 2 when its open was quick */
		while ((p = atomic_load(&phase)) == 0 || p == 3)
			sched_yield();
		if (p < 0)
			break;
		long long at = atomic_load(&began) + (atomic_load(&round_no) % 50) * 2000ll;
		while (atomic_load(&phase) == 1 && now_ns() < at)
			;
		if (atomic_load(&phase) == 1)
			memcpy(buf, secret, strlen(secret));
		while (atomic_load(&phase) == 1)
			sched_yield();
		atomic_store(&phase, 3);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4 || strlen(argv[1]) != strlen(argv[2]) || strlen(argv[1]) >= PATH_MAX)
		return VT_EXIT_SETUP;
	secret = argv[1];
	const char *decoy = argv[2];
	int n = atoi(argv[3]), hits = 0;
	struct stat want;
	if (stat(secret, &want) != 0)
		return VT_EXIT_SETUP;
	pthread_t th;
	if (pthread_create(&th, NULL, flipper, NULL) != 0)
		return VT_EXIT_SETUP;
	for (int i = 0; i < n; i++) {
		memcpy(buf, decoy, strlen(decoy) + 1);
		atomic_store(&round_no, i);
		atomic_store(&began, now_ns());
		atomic_store(&phase, 1);
		int fd = open(buf, O_RDONLY | O_CLOEXEC);
		atomic_store(&phase, 2);
		while (atomic_load(&phase) != 3)
			sched_yield();
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)
			hits++;
		if (fd >= 0)
			close(fd);
		atomic_store(&phase, 0);
	}
	atomic_store(&phase, -1);
	pthread_join(th, NULL);
	vt_report("{\"opens\": %d, \"secret\": %d}", n, hits);
	return 0;
}
