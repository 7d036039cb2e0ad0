/* analyzer_ctl.h — start, watch and restart the analyzer process. */
#ifndef VIGIL_ANALYZER_CTL_H
#define VIGIL_ANALYZER_CTL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct channel;

struct analyzer_config {
	struct channel *channel; /* its far end is each analyzer's fd 3 */
	const char *events_out;	 /* --events-out, or NULL */
	const char *self_exe;	 /* path of the vigil binary (to find vigil-analyzer) */
	int verbosity;
	bool no_new_privs;	 /* the program runs with no_new_privs: list what that weakens */
	int syscalls_fd;	 /* write end of the syscall-set pipe for the first start, or -1 */
	char *const *extra_args; /* rule options passed through (--rules F, --priority P ...) */
};

/* The analyzer's life cycle; set up by analyzer_init. */
struct analyzer_ctl {
	const struct analyzer_config *config; /* NULL: not found, nothing to restart */
	pid_t pid;
	uint64_t restarts, restart_at_ns, backoff_ns;
	int drain_restarts;
	char path[PATH_MAX];
	bool finished;
	int progress_fd;	  /* shared page: last evt.num the analyzer handled */
	uint64_t *progress_page;  /* our mapping of it, for the heartbeat */
	uint64_t started_mono_ns; /* when the current analyzer was started */
	bool killed_as_hung;	  /* SIGKILL sent, the reap is pending */
	int key_fd;		  /* the API key's pipe for the start under way */
};

/* No analyzer yet: the state analyzer_start begins from. */
void analyzer_init(struct analyzer_ctl *a);
int analyzer_start(struct analyzer_ctl *a, const struct analyzer_config *cfg);
/* Path of vigil-analyzer ($VIGIL_ANALYZER, else beside vigil, else
 * ../libexec/vigil/), or NULL; kept in a->path. */
const char *analyzer_locate(struct analyzer_ctl *a, const char *self_exe);
pid_t analyzer_pid(const struct analyzer_ctl *a);
/* Called when waitpid reports the analyzer gone; schedules a restart. */
void analyzer_exited(struct analyzer_ctl *a, int status, bool shutting_down);
/* Kill it if its heartbeat is late; restart it if that is due (backoff).
 * Call from the main loop with its CLOCK_MONOTONIC now. */
void analyzer_tick(struct analyzer_ctl *a, uint64_t now_ns);
/* Nanoseconds until a pending restart, 0 if none pending. */
uint64_t analyzer_restart_due(const struct analyzer_ctl *a, uint64_t now_ns);
uint64_t analyzer_restarts(const struct analyzer_ctl *a);
/* It exited cleanly after the end marker (or never could run at all). */
bool analyzer_finished(const struct analyzer_ctl *a);

#endif
