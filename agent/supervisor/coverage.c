/*
 * coverage.c — say whether the program is monitored (see coverage.h).
 *
 * Every way the program can end up unwatched has one sentence here naming
 * the call that failed and what an operator adds to fix it, so the stderr
 * line, the refusal and the alert all say the same thing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vigil/clock.h"
#include "vigil/log.h"
#include "vigil/syscalls.h"
#include "supervisor/coverage.h"
#include "supervisor/supervisor.h"

bool coverage_allows(const struct coverage *c)
{
	return c->gap == COVER_OK || !c->security;
}

/* "EPERM" for the errnos these calls fail with; the number otherwise. */
static const char *errno_name(int e, char *buf, size_t n)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {{EPERM, "EPERM"},	 {EACCES, "EACCES"}, {EINVAL, "EINVAL"},
		     {ENOSYS, "ENOSYS"}, {EFAULT, "EFAULT"}, {ENOMEM, "ENOMEM"},
		     {EBUSY, "EBUSY"},	 {ESRCH, "ESRCH"},   {ENOENT, "ENOENT"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(buf, n, "errno %d", e);
	return buf;
}

void coverage_reason(const struct coverage *c, char *buf, unsigned long size)
{
	char en[24];
	const char *name = errno_name(c->err, en, sizeof(en));
	const char *text = c->err ? strerror(c->err) : "no reason given";
	switch (c->gap) {
	case COVER_OK: snprintf(buf, size, "%s", ""); break;
	case COVER_NO_TRACE: snprintf(buf, size, "--no-trace was given"); break;
	case COVER_NO_ANALYZER:
		snprintf(buf, size,
			 "vigil-analyzer could not be started (missing beside vigil, or "
			 "VIGIL_ANALYZER wrong): no rules would see the program's events");
		break;
	case COVER_ANALYZER_SILENT:
		snprintf(buf, size,
			 "vigil-analyzer did not answer with the rules' syscall set (it died or "
			 "took too long): rules may not be evaluated");
		break;
	case COVER_ATTACH:
		snprintf(buf, size,
			 "ptrace(PTRACE_SEIZE) of the program failed: %s (%s); add the "
			 "SYS_PTRACE capability (ECS: linuxParameters.capabilities.add "
			 "[\"SYS_PTRACE\"]; docker/podman: --cap-add SYS_PTRACE) and allow "
			 "ptrace in the container's seccomp profile",
			 text, name);
		break;
	case COVER_FILTER:
		snprintf(buf, size,
			 "installing the seccomp filter failed: %s (%s); the container's seccomp "
			 "profile or a parent's filter forbids seccomp(2): allow "
			 "seccomp(SECCOMP_SET_MODE_FILTER) (the runtimes' default profiles do)",
			 text, name);
		break;
	case COVER_LISTENER:
		snprintf(buf, size,
			 "the seccomp notification listener is unavailable: installing the filter "
			 "with SECCOMP_FILTER_FLAG_NEW_LISTENER failed: %s (%s); allow it in the "
			 "seccomp profile, or use --sensor ptrace",
			 text, name);
		break;
	}
}

void coverage_log(const struct coverage *c)
{
	char why[640];
	coverage_reason(c, why, sizeof(why));
	if (c->gap == COVER_OK)
		LOG_INFO("coverage: %s is monitored (sensor %s)", c->program,
			 vigil_sensor_name(c->sensor));
	else if (c->refused)
		LOG_ERR("not starting %s: it cannot be monitored: %s; --start-policy security "
			"refuses to run it unmonitored (exit %d)",
			c->program, why, VIGIL_EXIT_UNMONITORED);
	else if (c->gap == COVER_NO_TRACE)
		LOG_WARN("%s runs unmonitored: %s", c->program, why);
	else
		LOG_ERR("%s runs UNMONITORED: %s (--start-policy security would refuse to start "
			"it)",
			c->program, why);
}

/* The comm of the PID namespace's init, when vigil is not it ("tini"). */
static void init_name(char *buf, size_t n)
{
	buf[0] = '\0';
	int fd = open("/proc/1/comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* pid1: vigil is the namespace's init; subreaper: under another init, its
 * orphans still come to vigil; child: neither (the subreaper call failed). */
static const char *init_mode(void)
{
	if (getpid() == 1)
		return "pid1";
	int on = 0;
	return prctl(PR_GET_CHILD_SUBREAPER, &on) == 0 && on ? "subreaper" : "child";
}

void coverage_event(struct vigil_event *ev, const struct coverage *c)
{
	char why[640], pid1[32];
	vigil_event_init(ev, VIGIL_EV_COVERAGE);
	ev->type = VIGIL_SC_COVERAGE;
	ev->ts_ns = vigil_wall_ns();
	ev->proc.pid = getpid();
	bool monitored = c->gap == COVER_OK;
	vigil_event_arg_cstr(ev, "monitored", monitored ? "true" : "false");
	vigil_event_arg_cstr(ev, "started", c->refused ? "false" : "true");
	vigil_event_arg_cstr(ev, "sensor", vigil_sensor_name(c->sensor));
	vigil_event_arg_cstr(ev, "sensor_choice", c->choice);
	vigil_event_arg_cstr(ev, "start_policy", c->security ? "security" : "availability");
	const char *mode = init_mode();
	vigil_event_arg_cstr(ev, "init", mode);
	if (strcmp(mode, "pid1") != 0) {
		init_name(pid1, sizeof(pid1));
		vigil_event_arg_cstr(ev, "pid1", pid1[0] ? pid1 : "unknown");
	}
	if (!monitored) {
		coverage_reason(c, why, sizeof(why));
		vigil_event_arg_cstr(ev, "reason", why);
	}
}
