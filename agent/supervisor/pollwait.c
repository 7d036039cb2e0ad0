/* pollwait.c — see pollwait.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vigil/clock.h"
#include "vigil/log.h"
#include "sensor/sensor.h"
#include "supervisor/pollwait.h"

int pollwait_init(struct pollwait *w)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	w->listener_hup = false;
	w->sigchld_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->sigchld_fd < 0)
		LOG_ERR("signalfd: %s", strerror(errno));
	return w->sigchld_fd < 0 ? -1 : 0;
}

static struct timespec until(uint64_t deadline)
{
	uint64_t now = vigil_mono_ns(), d = deadline > now ? deadline - now : 0;
	return (struct timespec){(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
}

void pollwait_reap_queued(void (*reaped)(void *ctx, pid_t pid, int status), void *ctx)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0)
		reaped(ctx, pid, status);
}

/* SIGCHLDs coalesce: drain the signalfd first, then every report queued. */
static void reap(struct pollwait *w, void (*reaped)(void *, pid_t, int), void *ctx)
{
	struct signalfd_siginfo si[8];
	while (read(w->sigchld_fd, si, sizeof(si)) > 0)
		;
	pollwait_reap_queued(reaped, ctx);
}

void pollwait_run(struct pollwait *w, struct sensor *sensor, uint64_t deadline,
		  void (*reaped)(void *ctx, pid_t pid, int status), void *ctx)
{
	int listener = w->listener_hup ? -1 : sensor->ops->poll_fd(sensor);
	struct pollfd p[2] = {{w->sigchld_fd, POLLIN, 0}, {listener, POLLIN, 0}};
	struct timespec ts = until(deadline);
	int n = ppoll(p, listener >= 0 ? 2 : 1, &ts, NULL);
	if (n <= 0) /* timeout, or EINTR (the signal thread's wake-up) */
		return;
	if (p[0].revents & POLLIN)
		reap(w, reaped, ctx);
	if (listener < 0)
		return;
	if (p[1].revents & POLLIN)
		sensor->ops->on_readable(sensor);
	else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
		w->listener_hup = true; /* no task left that the filter could stop */
}
