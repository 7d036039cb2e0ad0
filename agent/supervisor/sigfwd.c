/* sigfwd.c — signal forwarding thread and tracer wake-ups (see sigfwd.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vigil/clock.h"
#include "vigil/log.h"
#include "supervisor/sigfwd.h"
#include "supervisor/supervisor.h"

#define POLL_NS 20000000ull /* how often the thread checks for a due wake-up */
#define WAKE_SIG SIGRTMAX

static pid_t child_pid, tracer_tid;
static bool group_fwd;
static int child_pidfd = -1;
static atomic_bool child_gone;
static _Atomic uint64_t wake_at_ns;
static atomic_int external_wake_sigs; /* SIGRTMAX sent to vigil by someone else */

static void forward(int sig)
{
	if (atomic_load(&child_gone))
		return;
	/* A pidfd cannot hit a reused pid; the group form needs kill(). */
	if (!group_fwd && child_pidfd >= 0 &&
	    syscall(SYS_pidfd_send_signal, child_pidfd, sig, NULL, 0) == 0)
		return;
	init_forward(child_pid, sig, group_fwd);
}

static void *thread_main(void *arg)
{
	(void)arg;
	sigset_t set;
	sigfillset(&set);
	sigdelset(&set, SIGCHLD); /* ptrace stops: the tracer thread's business */
	sigdelset(&set, WAKE_SIG);
	for (;;) {
		struct timespec ts = {0, (long)POLL_NS};
		siginfo_t info;
		int sig = sigtimedwait(&set, &info, &ts);
		if (sig > 0) {
			forward(sig);
			continue;
		}
		uint64_t at = atomic_load(&wake_at_ns);
		if (at && vigil_mono_ns() >= at && atomic_compare_exchange_strong(&wake_at_ns, &at, 0))
			syscall(SYS_tgkill, getpid(), tracer_tid, WAKE_SIG);
	}
	return NULL;
}

/* Runs in the tracer thread; its only job is to interrupt waitpid(). */
static void on_wake(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)uc;
	if (info->si_code != SI_TKILL || info->si_pid != getpid())
		atomic_fetch_add(&external_wake_sigs, 1);
}

int sigfwd_start(pid_t child, bool group)
{
	child_pid = child;
	group_fwd = group;
	tracer_tid = (pid_t)syscall(SYS_gettid);
	child_pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	struct sigaction sa = {.sa_sigaction = on_wake, .sa_flags = SA_SIGINFO}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	if (sigaction(WAKE_SIG, &sa, NULL) != 0)
		return -1;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int rc = pthread_create(&th, &attr, thread_main, NULL); /* inherits the all-blocked mask */
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		LOG_ERR("starting the signal thread: %s", strerror(rc));
		return -1;
	}
	sigset_t wake;
	sigemptyset(&wake);
	sigaddset(&wake, WAKE_SIG);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL); /* only the tracer thread takes it */
	return 0;
}

void sigfwd_wake_at(uint64_t at_ns)
{
	atomic_store(&wake_at_ns, at_ns);
}

void sigfwd_forward_pending(void)
{
	for (int n = atomic_exchange(&external_wake_sigs, 0); n > 0; n--)
		forward(WAKE_SIG);
}

void sigfwd_child_done(void)
{
	atomic_store(&child_gone, true);
}
