/*
 * clock.h — the two clocks vigil reads, and which is for what.
 *
 * Deadlines, timeouts, intervals and backoff use the monotonic clock: a
 * step of the wall clock (NTP, a VM resumed, an operator) must not make a
 * drain end early or a restart wait an hour. The wall clock is only for
 * times that mean a date: event timestamps (evt.rawtime), alert times,
 * credential expirations, spool record ages shown to people.
 */
#ifndef VIGIL_CLOCK_H
#define VIGIL_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds / milliseconds. */
uint64_t vigil_mono_ns(void);
uint64_t vigil_mono_ms(void);
/* CLOCK_REALTIME in nanoseconds since the epoch. */
uint64_t vigil_wall_ns(void);

#endif
