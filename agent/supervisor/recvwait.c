/* recvwait.c — see recvwait.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "vigil/cancelpoint.h"
#include "vigil/log.h"
#include "sensor/sensor.h"
#include "supervisor/pollwait.h"
#include "supervisor/recvwait.h"

static void on_sigchld(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)info;
	cancelpoint_interrupt(uc);
}

int recvwait_init(struct recvwait *w)
{
	w->listener_broken = false;
	/* No SA_RESTART: a SIGCHLD ends the wait. No SA_NOCLDSTOP: it would
	 * also silence ptrace stops. */
	struct sigaction sa = {.sa_sigaction = on_sigchld, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigaction(SIGCHLD, &sa, NULL) != 0 || pthread_sigmask(SIG_UNBLOCK, &chld, NULL) != 0) {
		LOG_ERR("SIGCHLD handler: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static bool readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

void recvwait_run(struct recvwait *w, struct sensor *sensor, bool block,
		  void (*reaped)(void *ctx, pid_t pid, int status), void *ctx)
{
	/* Cleared before reaping: a SIGCHLD from here on cancels the wait below. */
	if (atomic_exchange(&cancelpoint_pending, 0))
		pollwait_reap_queued(reaped, ctx);
	if (!block) {
		if (!w->listener_broken && readable(sensor->ops->poll_fd(sensor)))
			sensor->ops->on_readable(sensor);
		return;
	}
	if (!w->listener_broken && sensor->ops->wait_one(sensor) >= 0)
		return;
	w->listener_broken = true;
	/* No listener to sleep in: a blocking waitpid(), ended by a report or
	 * by the signal thread's timer signal, as in the ptrace loop. */
	int status;
	pid_t pid = waitpid(-1, &status, __WALL);
	if (pid > 0)
		reaped(ctx, pid, status);
}
