/*
 * signal_all.h — kill(-1, sig) from the program, delivered to the program.
 *
 * The kernel would deliver kill(-1) to every process the caller may
 * signal except PID 1 and itself: the analyzer among them, and the
 * supervisor too when it is not PID 1. vigil refuses the syscall and
 * sends the signal itself to each traced process the caller could have
 * signalled (the kernel's own permission rule), so the program sees the
 * same result and vigil keeps running.
 */
#ifndef VIGIL_SENSOR_SIGNAL_ALL_H
#define VIGIL_SENSOR_SIGNAL_ALL_H

#include "sensor/sensor.h"

/* Returns what the syscall returns: 0 when a process was signalled, else -ESRCH. */
long signal_all_traced(struct sensor *s, const struct sensor_task *caller, int sig);

#endif
