/*
 * record.h — one syscall as a sensor saw it, before it is an event.
 *
 * Every mechanism (ptrace stops, seccomp user notifications) fills the same
 * record; the core and the decoders read only this, the process model
 * (proc.h) and tracee memory through a reader (sensor.h), never a
 * mechanism's own state.
 */
#ifndef VIGIL_SENSOR_RECORD_H
#define VIGIL_SENSOR_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sensor_record {
	int id;	  /* enum vigil_syscall; VIGIL_SC_UNKNOWN if vigil has no name for it */
	int arch; /* enum vigil_arch */
	long nr;  /* the ABI's syscall number */
	uint64_t args[6];
	pid_t tid;	      /* the thread in the syscall */
	uint32_t filter_data; /* SECCOMP_RET_DATA of the filter that stopped it */
	uint64_t cookie;      /* the mechanism's handle (a user notification's id); 0 if none */
	/* What the mechanism learned while the syscall ran (ptrace: events). */
	bool exec_done; /* the exec succeeded (its event is already out) */
};

#endif
