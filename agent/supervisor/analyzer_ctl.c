/*
 * analyzer_ctl.c — the analyzer's life cycle, seen from the supervisor.
 *
 * The analyzer is `vigil-analyzer` from the same bin/ directory, started
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

static const struct analyzer_config *config;
static pid_t pid = -1;
static uint64_t restarts, restart_at_ns, backoff_ns = RESTART_MIN_NS;
#define MAX_DRAIN_RESTARTS 3
static int drain_restarts;
static char analyzer_path[PATH_MAX];
static bool finished;
static int progress_fd = -1; /* shared page: last evt.num the analyzer handled */
static uint64_t *progress_page; /* our mapping of it, for the heartbeat */
static uint64_t started_mono_ns;  /* when the current analyzer was started */
static bool killed_as_hung;       /* SIGKILL sent, the reap is pending */
static int key_fd = -1;           /* the API key's pipe for the start under way */

static int find_analyzer(const char *self_exe);

const char *analyzer_locate(const char *self_exe)
{
	return find_analyzer(self_exe) == 0 && access(analyzer_path, X_OK) == 0 ? analyzer_path : NULL;
}

static int find_analyzer(const char *self_exe)
{
	const char *env = getenv("VIGIL_ANALYZER");
	if (env && *env) {
		snprintf(analyzer_path, sizeof(analyzer_path), "%s", env);
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
	int len = snprintf(analyzer_path, sizeof(analyzer_path), "%s/vigil-analyzer", self);
	return len > 0 && (size_t)len < sizeof(analyzer_path) ? 0 : -1;
}

#define MAX_ARGS 160

/* The analyzer's argv, built before fork (no allocation in the child). */
static void build_argv(char **argv, char *verbosity, size_t vsize, bool first)
{
	int argc = 0;
	snprintf(verbosity, vsize, "%d", config->verbosity);
	argv[argc++] = "vigil-analyzer";
	argv[argc++] = "--channel-fd=3";
	if (progress_fd >= 0)
		argv[argc++] = "--progress-fd=4";
	if (first && config->syscalls_fd >= 0)
		argv[argc++] = "--syscalls-fd=5";
	if (key_fd >= 0)
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

static void exec_analyzer(char **argv, bool first)
{
	/* Child: fd 3 = channel, 4 = progress page, 5 = the syscall-set pipe (first start),
	 * 6 = the API key's pipe.
	 * Each is first copied above 10, so a source that already sits on one of
	 * the targets cannot be overwritten before it is moved (and dup2 onto a
	 * different number is what clears close-on-exec). */
	int src[4] = {channel_analyzer_fd(), progress_fd, first ? config->syscalls_fd : -1, key_fd};
	int tmp[4];
	for (int i = 0; i < 4; i++)
		if ((tmp[i] = src[i] >= 0 ? fcntl(src[i], F_DUPFD_CLOEXEC, 10) : -1) < 0 && src[i] >= 0)
			_exit(120);
	for (int i = 0; i < 4; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], 3 + i) < 0)
			_exit(120);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(analyzer_path, argv);
	_exit(121);
}

static int spawn(void)
{
	char *argv[MAX_ARGS], verbosity[16];
	bool first = restarts == 0;
	key_fd = vigil_api_key_pipe(); /* a fresh copy for every start */
	build_argv(argv, verbosity, sizeof(verbosity), first);
	if (progress_page) /* the successor's first beat is its own */
		__atomic_store_n(&progress_page[VIGIL_HEARTBEAT_WORD], 0, __ATOMIC_RELEASE);
	pid_t child = fork();
	if (child == 0)
		exec_analyzer(argv, first);
	if (key_fd >= 0)
		close(key_fd);
	key_fd = -1;
	if (child < 0) {
		LOG_ERR("fork analyzer: %s", strerror(errno));
		return -1;
	}
	pid = child;
	started_mono_ns = vigil_mono_ns();
	killed_as_hung = false;
	return 0;
}

/*
 * A stopped (SIGSTOP) or hung analyzer leaves events unanalysed for the
 * rest of the program's life: one that has not beaten in time is killed,
 * and its reaping restarts it like any other death (counted in
 * vigil.analyzer_restarts).
 */
static void check_heartbeat(void)
{
	if (pid <= 0 || !progress_page || killed_as_hung)
		return;
	uint64_t now = vigil_mono_ns();
	uint64_t beat = __atomic_load_n(&progress_page[VIGIL_HEARTBEAT_WORD], __ATOMIC_ACQUIRE);
	uint64_t since = beat ? beat : started_mono_ns;
	uint64_t limit_ms = beat ? VIGIL_HEARTBEAT_TIMEOUT_MS : VIGIL_HEARTBEAT_FIRST_MS;
	if (now < since || now - since <= limit_ms * 1000000ull)
		return;
	LOG_WARN("analyzer %d has not answered for %llu ms (stopped or hung): killing it",
		 (int)pid, (unsigned long long)((now - since) / 1000000ull));
	kill(pid, SIGKILL);
	killed_as_hung = true;
}

int analyzer_start(const struct analyzer_config *cfg)
{
	if (find_analyzer(cfg->self_exe) != 0 || access(analyzer_path, X_OK) != 0) {
		LOG_ERR("analyzer program not found at %s: events will be counted as dropped",
			analyzer_path[0] ? analyzer_path : "(unknown)");
		return -1; /* config stays NULL: nothing to restart or wait for */
	}
	config = cfg;
	progress_fd = memfd_create("vigil-progress", MFD_CLOEXEC);
	if (progress_fd >= 0 && ftruncate(progress_fd, VIGIL_PROGRESS_PAGE_SIZE) != 0) {
		close(progress_fd);
		progress_fd = -1;
	}
	if (progress_fd >= 0) {
		void *p = mmap(NULL, VIGIL_PROGRESS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			       progress_fd, 0);
		progress_page = p == MAP_FAILED ? NULL : p;
	}
	return spawn();
}

pid_t analyzer_pid(void)
{
	return pid;
}

void analyzer_exited(int status, bool shutting_down)
{
	pid = -1;
	if (shutting_down && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		finished = true; /* it saw the end marker and wrote everything out */
		return;
	}
	/* While draining there is no time for backoff, so a successor starts at
	 * once; but one that fails again and again will not drain anything. */
	if (shutting_down && ++drain_restarts > MAX_DRAIN_RESTARTS) {
		LOG_WARN("analyzer failed %d times while finishing; giving up on it: %llu "
			 "events were never analysed (alerts they would raise are lost)",
			 MAX_DRAIN_RESTARTS, (unsigned long long)channel_unanalysed_events());
		finished = true;
		return;
	}
	restarts++;
	if (WIFSIGNALED(status))
		LOG_WARN("analyzer killed by signal %d; restarting", WTERMSIG(status));
	else
		LOG_WARN("analyzer exited with status %d; restarting", WEXITSTATUS(status));
	restart_at_ns = vigil_mono_ns() + (shutting_down ? 1 : backoff_ns);
	backoff_ns = backoff_ns * 2 > RESTART_MAX_NS ? RESTART_MAX_NS : backoff_ns * 2;
}

bool analyzer_finished(void)
{
	return finished || !config;
}

void analyzer_tick(uint64_t now)
{
	check_heartbeat();
	if (pid > 0 || restart_at_ns == 0 || now < restart_at_ns || !config)
		return;
	restart_at_ns = 0;
	spawn();
}

uint64_t analyzer_restart_due(uint64_t now)
{
	if (pid > 0 || restart_at_ns == 0)
		return 0;
	return restart_at_ns > now ? restart_at_ns - now : 1;
}

uint64_t analyzer_restarts(void)
{
	return restarts;
}
