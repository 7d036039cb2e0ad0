/* stops.h — classify a ptrace stop of a traced task and act on it. */
#ifndef VIGIL_STOPS_H
#define VIGIL_STOPS_H

#include <stdbool.h>
#include <sys/types.h>
#include "supervisor/proctable.h"
#include "vigil/syscalls.h"

struct stops_config {
	bool results_all;
	vigil_sc_set traced;  /* what the filter traces (seccomp_build's set) */
	vigil_sc_set results; /* syscalls whose result a rule reads: take their exit stop */
	const struct prefilter *open_paths; /* for opens in results: only these paths */
};

void stops_init(const struct stops_config *cfg, struct proc *root);
/* Register the program's first task (seized before exec). */
struct task *stops_add_initial(pid_t pid);
/*
 * Handle one waitpid() report for a traced task. Returns true if `pid` was
 * a traced task (then the report is consumed).
 */
bool stops_handle(pid_t pid, int status);

#endif
