/* ptrace.h — the ptrace sensor: seccomp SECCOMP_RET_TRACE stops under PTRACE_SEIZE. */
#ifndef VIGIL_SENSOR_PTRACE_H
#define VIGIL_SENSOR_PTRACE_H

#include "sensor/sensor.h"

/* The ptrace sensor, bound to `core` (core_init has run). NULL if out of memory. */
struct sensor *ptrace_sensor_new(struct sensor_core *core);

#endif
