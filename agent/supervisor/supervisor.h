/* supervisor.h — the PID-1 supervisor: options, init duties, tracer entry. */
#ifndef VIGIL_SUPERVISOR_H
#define VIGIL_SUPERVISOR_H

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vigil/event.h"
#include "vigil/handoff_wire.h"
#include "vigil/prefilter.h"
#include "vigil/syscalls.h"
#include "sensor/core.h"
#include "sensor/seccomp/filter.h"
#include "supervisor/analyzer_ctl.h"
#include "supervisor/channel.h"
#include "supervisor/sigfwd.h"

struct sensor;
struct coverage;

/*
 * vigil's exit status when --start-policy security refused to start the
 * program unmonitored (docs/usage.md). sysexits.h's EX_NOPERM: the usual
 * cause is a missing permission (SYS_PTRACE, a seccomp profile), and it is
 * none of vigil's other statuses (1, 2, 126, 127, 128+N).
 */
#define VIGIL_EXIT_UNMONITORED 77

/* --start-policy: what to do when the program cannot be monitored. */
enum start_policy {
	POLICY_AVAILABILITY = 0, /* start it anyway, unmonitored (and say so) */
	POLICY_SECURITY,	 /* do not start it: exit VIGIL_EXIT_UNMONITORED */
};

enum sup_sensor {
	SENSOR_AUTO = 0, /* notify with sync wake-up, else ptrace (main.c, use_notify) */
	SENSOR_PTRACE,
	SENSOR_NOTIFY,
};

struct sup_options {
	enum sup_sensor sensor;		/* --sensor, VIGIL_SENSOR */
	enum start_policy start_policy; /* --start-policy, VIGIL_START_POLICY, the file's */
	bool policy_given;		/* by the flag or the variable: the file's is ignored */
	bool config_given;		/* --config or VIGIL_CONFIG: the file may set it */
	bool notify_no_sync;	/* VIGIL_NOTIFY_SYNC=0: no same-CPU wake-up (measurements) */
	bool notify_poll;	/* VIGIL_NOTIFY_WAIT=poll: ppoll, not the listener (measurements) */
	bool group_forward;	/* -g: signal the program's process group */
	bool results_all;	/* --all-results: exit stop for every traced syscall */
	bool no_trace;		/* --no-trace: plain init, for comparisons */
	const char *events_out; /* --events-out PATH */
	vigil_sc_set syscalls;	/* traced set */
	unsigned drain_ms;	/* --drain-timeout: wait for the analyzer at exit */
	size_t queue_bytes;	/* --queue-size */
	int verbosity;
	bool syscalls_given;  /* --syscalls: the rules do not choose the set */
	bool no_rules;	      /* --no-rules */
	bool keep_ptrace;     /* --keep-cap SYS_PTRACE: the program keeps CAP_SYS_PTRACE */
	bool allow_io_uring;  /* --allow-io-uring: io_uring_setup is not refused */
	char *rule_args[140]; /* rule options for the analyzer, NULL-terminated */
	int n_rule_args;
	char **program;	    /* argv of the program, NULL-terminated */
	char drain_arg[24]; /* --drain-ms's value, pointed to by rule_args */
};

/* options.c: 0 ok, 1 = handled (help printed), -1 = usage error (printed). */
int options_parse(int argc, char **argv, struct sup_options *o);

/* init.c: tini's duties. */
struct init_state {
	sigset_t parent_mask;	     /* what the program gets back before exec */
	struct sigaction ttin, ttou; /* dispositions to restore in the child */
};
int init_signals(struct init_state *st);
int init_subreaper(void);
/* Forward `sig` to the program (or its group). */
void init_forward(pid_t child, int sig, bool group);
/* 128+N for a signal death, the exit code otherwise. */
int init_exit_code(int status);

/*
 * All of the supervisor's state, one per vigil: main.c creates it and hands
 * each part its own piece.
 */
struct supervisor {
	struct channel channel;	      /* events to the analyzer */
	struct analyzer_ctl analyzer; /* its process: start, heartbeat, restarts */
	struct sigfwd sigfwd;	      /* shared with the signal thread */
	/* The rest is large, which is why the whole lives on the heap. */
	char handoff_text[VIGIL_HANDOFF_MAX]; /* the rules' answer (rules_handoff.h) */
	struct prefilter open_paths;	      /* from that answer; the core points to it */
	struct sensor_core core;	      /* the sensor's state, an event included */
	struct seccomp_prog filter;	      /* built before fork, installed by the child */
	struct vigil_event marker;	      /* the health or end event the loop builds */
};

/*
 * spawn.c: fork the program, let the sensor attach, install the filter,
 * exec. What came of the watching goes to cov (gap, errno, refused): under
 * --start-policy security a program that cannot be watched never execs, it
 * exits VIGIL_EXIT_UNMONITORED.
 */
pid_t spawn_program(struct supervisor *sup, const struct sup_options *o,
		    const struct init_state *st, struct sensor *sensor, struct coverage *cov);

/* tracer.c: the main loop. Returns vigil's exit code. */
int tracer_run(struct supervisor *sup, const struct sup_options *o, pid_t child,
	       struct sensor *sensor, bool traced);

#endif
