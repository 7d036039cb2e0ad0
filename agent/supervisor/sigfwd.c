/* sigfwd.c — signal forwarding thread and tracer wake-ups (see sigfwd.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vigil/cancelpoint.h"
#include "vigil/clock.h"
#include "vigil/log.h"
#include "supervisor/sigfwd.h"
#include "supervisor/supervisor.h"

#define POLL_NS 20000000ull /* how often the thread checks for a due wake-up */
#define WAKE_SIG SIGRTMAX

/*
 * SIGRTMAX sent to vigil by someone else, counted by on_wake. A global
 * because a signal handler gets no context pointer; it is per process
 * anyway, as the disposition that installs the handler is.
 */
static atomic_int external_wake_sigs;

static void forward(struct sigfwd *f, int sig)
{
	if (atomic_load(&f->child_gone))
		return;
	/* A pidfd cannot hit a reused pid; the group form needs kill(). */
	if (!f->group_fwd && f->child_pidfd >= 0 &&
	    syscall(SYS_pidfd_send_signal, f->child_pidfd, sig, NULL, 0) == 0)
		return;
	init_forward(f->child_pid, sig, f->group_fwd);
}

/*
 * The wake-up is not a one-shot: the tracer stores a fresh wake_at_ns on
 * every turn, and while the stored time is due it is sent again every
 * POLL_NS. A signal that lands between the tracer's store and its entering
 * waitpid() is taken in user space and interrupts nothing; sent once only,
 * that left the tracer asleep until the program's next stop, which may
 * never come (a restart of the analyzer waited for it).
 */
static void wake_if_due(struct sigfwd *f, uint64_t *last_sent)
{
	uint64_t at = atomic_load(&f->wake_at_ns), now = vigil_mono_ns();
	if (!at || now < at || now - *last_sent < POLL_NS)
		return;
	syscall(SYS_tgkill, getpid(), f->tracer_tid, WAKE_SIG);
	*last_sent = now;
}

static void *thread_main(void *arg)
{
	struct sigfwd *f = arg;
	sigset_t set;
	sigfillset(&set);
	sigdelset(&set, SIGCHLD); /* ptrace stops: the tracer thread's business */
	sigdelset(&set, WAKE_SIG);
	uint64_t last_sent = 0;
	for (;;) {
		struct timespec ts = {0, (long)POLL_NS};
		siginfo_t info;
		int sig = sigtimedwait(&set, &info, &ts);
		if (sig > 0)
			forward(f, sig);
		wake_if_due(
			f,
			&last_sent); /* also after a signal: a stream of them must not starve it */
	}
	return NULL;
}

/* Runs in the tracer thread; its only job is to interrupt its wait:
 * waitpid() (EINTR) or the notify listener's (cancelpoint.h). */
static void on_wake(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	cancelpoint_interrupt(uc);
	if (info->si_code != SI_TKILL || info->si_pid != getpid())
		atomic_fetch_add(&external_wake_sigs, 1);
}

int sigfwd_start(struct sigfwd *f, pid_t child, bool group)
{
	f->child_pid = child;
	f->group_fwd = group;
	f->tracer_tid = (pid_t)syscall(SYS_gettid);
	f->child_pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	atomic_init(&f->child_gone, false);
	atomic_init(&f->wake_at_ns, 0);
	struct sigaction sa = {.sa_sigaction = on_wake, .sa_flags = SA_SIGINFO}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	if (sigaction(WAKE_SIG, &sa, NULL) != 0)
		return -1;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int rc = pthread_create(&th, &attr, thread_main, f); /* inherits the all-blocked mask */
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

void sigfwd_wake_at(struct sigfwd *f, uint64_t at_ns)
{
	atomic_store(&f->wake_at_ns, at_ns);
}

void sigfwd_forward_pending(struct sigfwd *f)
{
	for (int n = atomic_exchange(&external_wake_sigs, 0); n > 0; n--)
		forward(f, WAKE_SIG);
}

void sigfwd_child_done(struct sigfwd *f)
{
	atomic_store(&f->child_gone, true);
}
