/*
 * analyzer_ctl.c — the analyzer's life cycle, seen from the supervisor.
 *
 * The analyzer is `vigil-analyzer` beside vigil or in ../libexec/vigil/, started
 * with the channel on fd 3 and never traced. If it dies it is restarted
 * with a growing delay (0.1 s doubling to 5 s) so a crash loop cannot eat
 * the CPU the application needs; events that arrive meanwhile wait in the
 * socket and the channel queue, or are dropped and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vigil/api_key.h"
#include "vigil/clock.h"
#include "vigil/heartbeat.h"
#include "vigil/log.h"
#include "supervisor/analyzer_ctl.h"
#include "supervisor/channel.h"

#define RESTART_MIN_NS 100000000ull
#define RESTART_MAX_NS 5000000000ull

#define MAX_DRAIN_RESTARTS 3

void analyzer_init(struct analyzer_ctl *a)
{
	*a = (struct analyzer_ctl){
		.pid = -1, .backoff_ns = RESTART_MIN_NS, .progress_fd = -1, .key_fd = -1};
}

static int find_analyzer(struct analyzer_ctl *a, const char *self_exe);

const char *analyzer_locate(struct analyzer_ctl *a, const char *self_exe)
{
	return find_analyzer(a, self_exe) == 0 && access(a->path, X_OK) == 0 ? a->path : NULL;
}

/*
 * $VIGIL_ANALYZER, else beside vigil (a build directory, the old bundle
 * layout), else DIR/../libexec/vigil/vigil-analyzer (an install or the
 * /opt/vigil bundle: the analyzer is not a command, so not in bin/). The
 * first executable one; when none is, the last, for the message.
 */
static int find_analyzer(struct analyzer_ctl *a, const char *self_exe)
{
	const char *env = getenv("VIGIL_ANALYZER");
	if (env && *env) {
		snprintf(a->path, sizeof(a->path), "%s", env);
		return 0;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		if (!self_exe)
			return -1;
		snprintf(self, sizeof(self), "%s", self_exe);
		n = (ssize_t)strlen(self);
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	static const char *const rel[] = {"vigil-analyzer", "../libexec/vigil/vigil-analyzer"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		int len = snprintf(a->path, sizeof(a->path), "%s/%s", self, rel[i]);
		if (len <= 0 || (size_t)len >= sizeof(a->path))
			return -1;
		if (access(a->path, X_OK) == 0)
			return 0;
	}
	return 0;
}

#define MAX_ARGS 160

/* The analyzer's argv, built before fork (no allocation in the child). */
static void build_argv(const struct analyzer_ctl *a, char **argv, char *verbosity, size_t vsize,
		       bool first)
{
	const struct analyzer_config *config = a->config;
	int argc = 0;
	snprintf(verbosity, vsize, "%d", config->verbosity);
	argv[argc++] = "vigil-analyzer";
	argv[argc++] = "--channel-fd=3";
	if (a->progress_fd >= 0)
		argv[argc++] = "--progress-fd=4";
	if (first && config->syscalls_fd >= 0)
		argv[argc++] = "--syscalls-fd=5";
	if (a->key_fd >= 0)
		argv[argc++] = "--key-fd=6";
	argv[argc++] = "--verbosity";
	argv[argc++] = verbosity;
	if (config->no_new_privs && first)
		argv[argc++] = "--no-new-privs";
	if (config->events_out) {
		argv[argc++] = "--events-out";
		argv[argc++] = (char *)config->events_out;
	}
	for (char *const *x = config->extra_args; x && *x && argc < MAX_ARGS - 1; x++)
		argv[argc++] = *x;
	argv[argc] = NULL;
}

static void exec_analyzer(const struct analyzer_ctl *a, char **argv, bool first)
{
	const struct analyzer_config *config = a->config;
	/* Child: fd 3 = channel, 4 = progress page, 5 = the syscall-set pipe (first start),
	 * 6 = the API key's pipe.
	 * Each is first copied above 10, so a source that already sits on one of
	 * the targets cannot be overwritten before it is moved (and dup2 onto a
	 * different number is what clears close-on-exec). */
	int src[4] = {channel_analyzer_fd(config->channel), a->progress_fd,
		      first ? config->syscalls_fd : -1, a->key_fd};
	int tmp[4];
	for (int i = 0; i < 4; i++)
		if ((tmp[i] = src[i] >= 0 ? fcntl(src[i], F_DUPFD_CLOEXEC, 10) : -1) < 0 &&
		    src[i] >= 0)
			_exit(120);
	for (int i = 0; i < 4; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], 3 + i) < 0)
			_exit(120);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(a->path, argv);
	_exit(121);
}

static int spawn(struct analyzer_ctl *a)
{
	char *argv[MAX_ARGS], verbosity[16];
	bool first = a->restarts == 0;
	a->key_fd = vigil_api_key_pipe(); /* a fresh copy for every start */
	build_argv(a, argv, verbosity, sizeof(verbosity), first);
	if (a->progress_page) /* the successor's first beat is its own */
		__atomic_store_n(&a->progress_page[VIGIL_HEARTBEAT_WORD], 0, __ATOMIC_RELEASE);
	pid_t child = fork();
	if (child == 0)
		exec_analyzer(a, argv, first);
	if (a->key_fd >= 0)
		close(a->key_fd);
	a->key_fd = -1;
	if (child < 0) {
		LOG_ERR("fork analyzer: %s", strerror(errno));
		return -1;
	}
	a->pid = child;
	a->started_mono_ns = vigil_mono_ns();
	a->killed_as_hung = false;
	return 0;
}

/*
 * A stopped (SIGSTOP) or hung analyzer leaves events unanalysed for the
 * rest of the program's life: one that has not beaten in time is killed,
 * and its reaping restarts it like any other death (counted in
 * vigil.analyzer_restarts).
 */
static void check_heartbeat(struct analyzer_ctl *a, uint64_t now)
{
	if (a->pid <= 0 || !a->progress_page || a->killed_as_hung)
		return;
	uint64_t beat = __atomic_load_n(&a->progress_page[VIGIL_HEARTBEAT_WORD], __ATOMIC_ACQUIRE);
	uint64_t since = beat ? beat : a->started_mono_ns;
	uint64_t limit_ms = beat ? VIGIL_HEARTBEAT_TIMEOUT_MS : VIGIL_HEARTBEAT_FIRST_MS;
	if (now < since || now - since <= limit_ms * 1000000ull)
		return;
	LOG_WARN("analyzer %d has not answered for %llu ms (stopped or hung): killing it",
		 (int)a->pid, (unsigned long long)((now - since) / 1000000ull));
	kill(a->pid, SIGKILL);
	a->killed_as_hung = true;
}

int analyzer_start(struct analyzer_ctl *a, const struct analyzer_config *cfg)
{
	if (find_analyzer(a, cfg->self_exe) != 0 || access(a->path, X_OK) != 0) {
		LOG_ERR("analyzer program not found at %s: events will be counted as dropped",
			a->path[0] ? a->path : "(unknown)");
		return -1; /* config stays NULL: nothing to restart or wait for */
	}
	a->config = cfg;
	a->progress_fd = memfd_create("vigil-progress", MFD_CLOEXEC);
	if (a->progress_fd >= 0 && ftruncate(a->progress_fd, VIGIL_PROGRESS_PAGE_SIZE) != 0) {
		close(a->progress_fd);
		a->progress_fd = -1;
	}
	if (a->progress_fd >= 0) {
		void *p = mmap(NULL, VIGIL_PROGRESS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			       a->progress_fd, 0);
		a->progress_page = p == MAP_FAILED ? NULL : p;
	}
	return spawn(a);
}

pid_t analyzer_pid(const struct analyzer_ctl *a)
{
	return a->pid;
}

void analyzer_exited(struct analyzer_ctl *a, int status, bool shutting_down)
{
	a->pid = -1;
	if (shutting_down && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		a->finished = true; /* it saw the end marker and wrote everything out */
		return;
	}
	/* While draining there is no time for backoff, so a successor starts at
	 * once; but one that fails again and again will not drain anything. */
	if (shutting_down && ++a->drain_restarts > MAX_DRAIN_RESTARTS) {
		LOG_WARN("analyzer failed %d times while finishing; giving up on it: %llu "
			 "events were never analysed (alerts they would raise are lost)",
			 MAX_DRAIN_RESTARTS,
			 (unsigned long long)channel_unanalysed_events(a->config->channel));
		a->finished = true;
		return;
	}
	a->restarts++;
	if (WIFSIGNALED(status))
		LOG_WARN("analyzer killed by signal %d; restarting", WTERMSIG(status));
	else
		LOG_WARN("analyzer exited with status %d; restarting", WEXITSTATUS(status));
	a->restart_at_ns = vigil_mono_ns() + (shutting_down ? 1 : a->backoff_ns);
	a->backoff_ns = a->backoff_ns * 2 > RESTART_MAX_NS ? RESTART_MAX_NS : a->backoff_ns * 2;
}

bool analyzer_finished(const struct analyzer_ctl *a)
{
	return a->finished || !a->config;
}

void analyzer_tick(struct analyzer_ctl *a, uint64_t now)
{
	check_heartbeat(a, now); /* the loop's monotonic now: once per stop, no second read */
	if (a->pid > 0 || a->restart_at_ns == 0 || now < a->restart_at_ns || !a->config)
		return;
	a->restart_at_ns = 0;
	spawn(a);
}

uint64_t analyzer_restart_due(const struct analyzer_ctl *a, uint64_t now)
{
	if (a->pid > 0 || a->restart_at_ns == 0)
		return 0;
	return a->restart_at_ns > now ? a->restart_at_ns - now : 1;
}

uint64_t analyzer_restarts(const struct analyzer_ctl *a)
{
	return a->restarts;
}
