/*
 * rules_handoff.h — the traced syscall set comes from the rules.
 *
 * The supervisor links no rule code: at start the analyzer loads the rules
 * and writes back, on a pipe, which syscalls they can match and which of
 * those need their result (exit stop). The program is started once that
 * answer is in (the only wait before exec: loading rules from local disk).
 * The answer also carries path predicates for opens (vigil/prefilter.h).
 */
#ifndef VIGIL_RULES_HANDOFF_H
#define VIGIL_RULES_HANDOFF_H

#include <stddef.h>

#include "vigil/syscalls.h"

/*
 * Read the analyzer's answer from fd (closes it) into buf (size bytes,
 * VIGIL_HANDOFF_MAX is enough: the writer's limit). On success fills `set`
 * (mandatory syscalls added) and `results`, returns 0. Returns -1 when the
 * rules did not load (the analyzer said so on stderr), 1 when no usable
 * answer came within timeout_ms (then the caller keeps its default set).
 */
struct prefilter;
/* open_paths: which opens need their result (inactive: all of those in results);
 * *policy: the configuration file's start_policy (VIGIL_HANDOFF_POLICY_*). */
int handoff_read(int fd, int timeout_ms, char *buf, size_t size, vigil_sc_set *set,
		 vigil_sc_set *results, struct prefilter *open_paths, int *policy);
/*
 * Without rules, only the configuration file's start_policy: *policy is
 * VIGIL_HANDOFF_POLICY_* (UNSET when none came). -1 when the configuration
 * did not load, else 0.
 */
int handoff_read_policy(int fd, int timeout_ms, char *buf, size_t size, int *policy);

#endif
