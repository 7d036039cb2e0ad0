/*
 * init.c — what makes vigil a correct PID 1, as tini does it.
 *
 * No asynchronous handlers: every signal except the synchronous faults is
 * blocked and collected by sigtimedwait in the main loop, which forwards
 * it to the program. SIGTTIN/SIGTTOU are ignored so vigil is never stopped
 * by terminal I/O; the program gets the original mask and dispositions back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vigil/log.h"
#include "supervisor/supervisor.h"

int init_signals(struct init_state *st)
{
	static const int synchronous[] = {SIGFPE,  SIGILL, SIGSEGV, SIGBUS, SIGABRT,
					  SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU};
	sigset_t all;
	sigfillset(&all);
	for (size_t i = 0; i < sizeof(synchronous) / sizeof(synchronous[0]); i++)
		sigdelset(&all, synchronous[i]);
	if (sigprocmask(SIG_SETMASK, &all, &st->parent_mask) != 0) {
		LOG_ERR("sigprocmask: %s", strerror(errno));
		return -1;
	}
	struct sigaction ign = {.sa_handler = SIG_IGN};
	if (sigaction(SIGTTIN, &ign, &st->ttin) != 0 || sigaction(SIGTTOU, &ign, &st->ttou) != 0) {
		LOG_ERR("sigaction: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int init_subreaper(void)
{
	if (getpid() == 1)
		return 0;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		LOG_WARN("cannot become a child subreaper (%s): zombies of the program's "
			 "children will not be reaped by vigil",
			 strerror(errno));
		return -1;
	}
	return 0;
}

void init_forward(pid_t child, int sig, bool group)
{
	if (kill(group ? -child : child, sig) != 0 && errno != ESRCH)
		LOG_WARN("forwarding signal %d to %d: %s", sig, (int)child, strerror(errno));
}

int init_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 1;
}
