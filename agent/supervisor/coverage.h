/*
 * coverage.h — whether the program is monitored, and why not: the one
 * message on stderr, the refusal under --start-policy security, and the
 * vigil_coverage event the analyzer turns into the "vigil coverage" alert
 * (docs/alert-format.md). libc only, like the rest of the supervisor.
 */
#ifndef VIGIL_SUPERVISOR_COVERAGE_H
#define VIGIL_SUPERVISOR_COVERAGE_H

#include <stdbool.h>

#include "vigil/event.h"

/* Why the program is not monitored; COVER_OK when it is. */
enum cover_gap {
	COVER_OK = 0,
	COVER_NO_TRACE,	       /* --no-trace: asked for */
	COVER_NO_ANALYZER,     /* vigil-analyzer could not be started */
	COVER_ANALYZER_SILENT, /* it did not answer with the rules' syscall set */
	COVER_ATTACH,	       /* the sensor could not watch the child (ptrace) */
	COVER_FILTER,	       /* the seccomp filter could not be installed */
	COVER_LISTENER,	       /* the same, with a notification listener */
};

struct coverage {
	enum cover_gap gap;
	int err;		       /* errno of the refused call, 0 if none */
	bool refused;		       /* security: the program was not started */
	bool security;		       /* --start-policy security */
	enum vigil_sensor_kind sensor; /* the mechanism chosen (NONE with --no-trace) */
	char choice[200];	       /* how it was chosen ("auto: ptrace (why)") */
	const char *program;	       /* argv[0] of the program, for messages */
};

/* Whether the policy lets the program run with this gap. */
bool coverage_allows(const struct coverage *c);
/* The reason as one sentence (what failed, errno, what to do); "" when OK. */
void coverage_reason(const struct coverage *c, char *buf, unsigned long size);
/* The one message on stderr about a gap (an error, or a warning for
 * --no-trace); nothing when monitored (-v: an info line). */
void coverage_log(const struct coverage *c);
/* The vigil_coverage event: evt.arg.* as docs/events.md lists them. */
void coverage_event(struct vigil_event *ev, const struct coverage *c);

#endif
