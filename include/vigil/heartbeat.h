/*
 * heartbeat.h — the analyzer's liveness signal, read by the supervisor.
 *
 * The analyzer stores CLOCK_MONOTONIC nanoseconds in one word of the
 * progress page (the memfd the supervisor creates and keeps) at least every
 * VIGIL_HEARTBEAT_INTERVAL_MS, from its event loop and from any long piece
 * of start-up work. The supervisor kills (SIGKILL) and restarts an analyzer
 * whose last beat is older than VIGIL_HEARTBEAT_TIMEOUT_MS, or that has not
 * beaten at all VIGIL_HEARTBEAT_FIRST_MS after it was started: a frozen
 * (SIGSTOP) or hung analyzer would otherwise leave the rest of a
 * long-running server's life unwatched.
 */
#ifndef VIGIL_HEARTBEAT_H
#define VIGIL_HEARTBEAT_H

#define VIGIL_PROGRESS_PAGE_SIZE 4096
/* uint64_t index of the beat in the page; 0 there means "no beat yet". */
#define VIGIL_HEARTBEAT_WORD 16
#define VIGIL_HEARTBEAT_INTERVAL_MS 500
#define VIGIL_HEARTBEAT_TIMEOUT_MS 2000
#define VIGIL_HEARTBEAT_FIRST_MS 10000

#endif
