/*
 * spawn.c — start the program under the tracer.
 *
 * Order matters: the child must not install the seccomp filter before the
 * sensor watches it (a SECCOMP_RET_TRACE with no tracer fails the call
 * with ENOSYS), so the child waits on a socket for the parent's verdict:
 * 'T' traced (install the filter, exec), 'U' untraced (exec without filter,
 * the application must run even if tracing is impossible), 'X' refused
 * (--start-policy security: leave without exec). The filter's action and
 * the attaching are the sensor's (sensor_ops).
 *
 * After installing, the child reports on the same socket before it execs:
 * 'S' installed, 'L'/'K' installed with the listener a notification sensor
 * adopts (the exec itself is its first notification), or 'N' and then the
 * errno as one byte. The report goes by sendmsg, which no filter traps
 * without MSG_FASTOPEN, so the parent may wait for it. A program that
 * cannot be watched under the security policy leaves with
 * VIGIL_EXIT_UNMONITORED instead of exec'ing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vigil/log.h"
#include "supervisor/coverage.h"
#include "supervisor/execsh.h"
#include "supervisor/fdpass.h"
#include "supervisor/privs.h"
#include "sensor/core.h"
#include "sensor/seccomp/filter.h"
#include "sensor/sensor.h"
#include "supervisor/supervisor.h"

/* tini's isolate_child: own process group, and the terminal if there is one. */
static void isolate(void)
{
	setpgid(0, 0);
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) != 0 && errno != ENOTTY && errno != ENXIO &&
	    errno != EBADF && errno != EINVAL && errno != EPERM)
		LOG_WARN("tcsetpgrp: %s", strerror(errno));
}

/*
 * The program's environment: ours without VIGIL_* (the API key, the SSM
 * parameter, test hooks: vigil's own settings, not the application's).
 * Built in the parent, because after fork the child may only do
 * async-signal-safe things.
 */
static char **program_env(void)
{
	extern char **environ;
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = malloc((n + 1) * sizeof(*env));
	if (!env)
		return environ;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "VIGIL_", 6) != 0)
			env[k++] = environ[i];
	env[k] = NULL;
	return env;
}

/* 'N' and the errno (one byte: the errnos of seccomp(2) are all small). */
static void report_failure(int sync_fd, int err)
{
	fdpass_send(sync_fd, 'N', -1);
	fdpass_send(sync_fd, (char)(err > 0 && err < 256 ? err : 255), -1);
}

/* Install the filter and report it; a listener, if the sensor wants one,
 * goes to the parent. False when it could not be installed. */
static bool install_filter(const struct seccomp_prog *filter, bool listener, int sync_fd)
{
	if (!listener) {
		if (seccomp_install(filter) != 0) { /* seized but no filter: nothing would stop */
			report_failure(sync_fd, errno);
			return false;
		}
		fdpass_send(sync_fd, 'S', -1);
		return true;
	}
	bool killable = false;
	int fd = seccomp_install_listener(filter, &killable);
	if (fd < 0) {
		report_failure(sync_fd, errno);
		return false;
	}
	/* 'K': a listener whose notified tasks wait killable; 'L': one without. */
	fdpass_send(sync_fd, killable ? 'K' : 'L', fd);
	close(fd);
	return true;
}

static void child_main(const struct sup_options *o, const struct init_state *st,
		       const struct seccomp_prog *filter, bool listener, int sync_fd, char **env)
{
	isolate();
	char verdict = 'U';
	while (read(sync_fd, &verdict, 1) < 0 && errno == EINTR)
		;
	if (verdict == 'X') /* the parent said why */
		_exit(VIGIL_EXIT_UNMONITORED);
	if (!o->keep_ptrace && privs_drop_ptrace() != 0)
		LOG_WARN("could not remove CAP_SYS_PTRACE from the program (%s): it could read "
			 "vigil's "
			 "memory",
			 strerror(errno));
	if (verdict == 'T' && !install_filter(filter, listener, sync_fd) &&
	    o->start_policy == POLICY_SECURITY)
		_exit(VIGIL_EXIT_UNMONITORED); /* the parent says why */
	close(sync_fd);
	sigaction(SIGTTIN, &st->ttin, NULL);
	sigaction(SIGTTOU, &st->ttou, NULL);
	sigprocmask(SIG_SETMASK, &st->parent_mask, NULL);
	exec_program(o->program, env);
	int code = errno == ENOENT ? 127 : errno == EACCES ? 126 : 1;
	LOG_ERR("exec %s failed: %s", o->program[0], strerror(errno));
	_exit(code);
}

/*
 * The child's report on its filter: the listener goes to the sensor. False
 * (with cov's gap and errno) when no filter is in place; a child that died
 * before reporting counts as one whose filter failed, without an errno.
 */
static bool receive_report(struct sensor *sensor, int sock, struct coverage *cov)
{
	char byte = 0, err = 0;
	int fd = -1;
	bool listener = sensor->ops->wants_listener;
	int r = fdpass_recv(sock, &byte, &fd);
	if (r == 1 && byte == 'S' && !listener)
		return true;
	if (r == 1 && (byte == 'L' || byte == 'K') && listener && fd >= 0)
		return sensor->ops->adopt_listener(sensor, fd, byte == 'K') == 0;
	if (fd >= 0)
		close(fd);
	int efd = -1;
	if (r == 1 && byte == 'N' && fdpass_recv(sock, &err, &efd) == 1)
		cov->err = (unsigned char)err;
	if (efd >= 0)
		close(efd);
	cov->gap = listener ? COVER_LISTENER : COVER_FILTER;
	if (sensor->core) /* still attached: forks and execs only */
		sensor->core->entries_unseen = true;
	return false;
}

pid_t spawn_program(struct supervisor *sup, const struct sup_options *o,
		    const struct init_state *st, struct sensor *sensor, struct coverage *cov)
{
	int sync[2];
	if (!o->no_trace &&
	    seccomp_build(&o->syscalls, sensor->ops->filter_action, &sup->filter) != 0) {
		LOG_ERR("the seccomp filter for this syscall set is too large");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) != 0) {
		LOG_ERR("socketpair: %s", strerror(errno));
		return -1;
	}
	char **env = program_env();
	pid_t child = fork();
	if (child < 0) {
		LOG_ERR("fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0) {
		close(sync[1]);
		child_main(o, st, &sup->filter, sensor->ops->wants_listener, sync[0], env);
	}
	extern char **environ;
	if (env != environ)
		free(env); /* the child has its copy */
	close(sync[0]);
	setpgid(child, child); /* also here, so -g cannot race the child's own setpgid */
	char verdict = 'U';
	if (!o->no_trace) {
		if (sensor->ops->attach(sensor, child) == 0) {
			verdict = 'T';
		} else {
			cov->gap = COVER_ATTACH;
			cov->err = errno;
			verdict = coverage_allows(cov) ? 'U' : 'X';
		}
	}
	if (write(sync[1], &verdict, 1) != 1)
		LOG_ERR("sync socket: %s", strerror(errno));
	if (verdict == 'T')
		receive_report(sensor, sync[1], cov); /* the child leaves on its own if refused */
	cov->refused = !coverage_allows(cov);
	close(sync[1]);
	return child;
}
