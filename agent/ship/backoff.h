/* backoff.h — when to try again: capped full-jitter backoff and Retry-After. */
#ifndef VIGIL_SHIP_BACKOFF_H
#define VIGIL_SHIP_BACKOFF_H

#include <stdint.h>
#include <time.h>

/* Smallest delay ever returned: a down endpoint must never become a busy loop. */
#define BACKOFF_FLOOR_MS 10u
/* A Retry-After longer than this is capped (a broken server cannot park us for days). */
#define RETRY_AFTER_MAX_MS (15u * 60u * 1000u)

/*
 * Delay before attempt number `attempt` (0 = first retry): uniform in
 * [BACKOFF_FLOOR_MS, min(max_ms, initial_ms * 2^attempt)] ("full jitter").
 * `rnd` is a 64-bit random value, passed in so tests can check the bounds.
 */
uint64_t backoff_delay_ms(uint64_t initial_ms, uint64_t max_ms, unsigned attempt, uint64_t rnd);

/* The ceiling backoff_delay_ms() uses for this attempt. */
uint64_t backoff_ceiling_ms(uint64_t initial_ms, uint64_t max_ms, unsigned attempt);

/*
 * Parse a Retry-After value: delta-seconds or an HTTP date (relative to
 * `now`). Returns milliseconds (capped at RETRY_AFTER_MAX_MS; a date in the
 * past is 0), or -1 when the value is not valid.
 */
int64_t retry_after_ms(const char *value, size_t len, time_t now);

/* 64 random bits (getrandom, falling back to a clock-seeded xorshift). */
uint64_t ship_random64(void);

#endif
