/* handoff.h — the analyzer's answer to the supervisor at start (rules_handoff.h). */
#ifndef VIGIL_ANALYZER_HANDOFF_H
#define VIGIL_ANALYZER_HANDOFF_H

#include "rules/engine.h"
#include "vigil/syscalls.h"

/* Writes "[POLICY p]\nSYSCALLS a,b,...\nRESULTS c,...\n[OPENPATHS ...]" to fd; extra
 * (may be NULL) adds syscalls to trace that no rule asked for. */
void handoff_write_syscalls(int fd, const struct engine *e, const vigil_sc_set *extra,
			    const char *policy);
/* Without rules: the POLICY line alone, if the configuration has one. */
void handoff_write_policy(int fd, const char *policy);

#endif
