/*
 * ctx.h — what every AWS call shares: outcome classes (vigil_rc), time limits, and a
 * way to be stopped. The key provider thread passes a context whose sleep
 * wakes up on keyprov_stop(); the CLI passes one that just sleeps.
 */
#ifndef VIGIL_AWS_CTX_H
#define VIGIL_AWS_CTX_H

#include <stdatomic.h>
#include <stdbool.h>

#include "vigil/rc.h" /* outcomes: VIGIL_OK, _TRANSIENT, _PERMANENT, _STOPPED */

struct aws_ctx {
	const char *ca_file;	  /* NULL: vigil_ca_default (vigil/sharedir.h) */
	unsigned timeout_ms;	  /* one AWS API call (SSM) */
	unsigned meta_timeout_ms; /* one metadata/credentials call (link-local) */
	unsigned max_attempts;	  /* SSM attempts for retryable errors */
	unsigned retry_base_ms, retry_cap_ms;
	atomic_bool *stop; /* NULL: never stopped */
	/* Sleep ms unless stopped; false when stopped. NULL: nanosleep. */
	bool (*sleep_ms)(void *arg, unsigned ms);
	void *sleep_arg;
};

/* Defaults: 10 s per call, 2 s for metadata, 5 attempts, 200 ms..20 s backoff. */
void aws_ctx_defaults(struct aws_ctx *c);
bool aws_ctx_stopped(const struct aws_ctx *c);
/* Interruptible sleep; false if stopped. */
bool aws_ctx_sleep(const struct aws_ctx *c, unsigned ms);
/* Full-jitter backoff for attempt (0-based): uniform in [0, min(cap, base * 2^attempt)]. */
unsigned aws_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms);

#endif
