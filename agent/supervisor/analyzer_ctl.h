/* analyzer_ctl.h — start, watch and restart the analyzer process. */
#ifndef VIGIL_ANALYZER_CTL_H
#define VIGIL_ANALYZER_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct analyzer_config {
	const char *events_out;   /* --events-out, or NULL */
	const char *self_exe;     /* path of the vigil binary (to find vigil-analyzer) */
	int verbosity;
	bool no_new_privs;        /* the program runs with no_new_privs: list what that weakens */
	int syscalls_fd;          /* write end of the syscall-set pipe for the first start, or -1 */
	char *const *extra_args;  /* rule options passed through (--rules F, --priority P ...) */
};

int analyzer_start(const struct analyzer_config *cfg);
/* Path of vigil-analyzer (beside vigil, or $VIGIL_ANALYZER), or NULL. */
const char *analyzer_locate(const char *self_exe);
pid_t analyzer_pid(void);
/* Called when waitpid reports the analyzer gone; schedules a restart. */
void analyzer_exited(int status, bool shutting_down);
/* Restart it if it is due (backoff). Call from the main loop. */
void analyzer_tick(uint64_t now_ns);
/* Nanoseconds until a pending restart, 0 if none pending. */
uint64_t analyzer_restart_due(uint64_t now_ns);
uint64_t analyzer_restarts(void);
/* It exited cleanly after the end marker (or never could run at all). */
bool analyzer_finished(void);

#endif
