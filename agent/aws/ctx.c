/* ctx.c — shared call context: stop flag, sleeping, full-jitter backoff. */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include <openssl/rand.h>

#include "aws/ctx.h"

void aws_ctx_defaults(struct aws_ctx *c)
{
	*c = (struct aws_ctx){
		.timeout_ms = 10000,
		.meta_timeout_ms = 2000,
		.max_attempts = 5,
		.retry_base_ms = 200,
		.retry_cap_ms = 20000,
	};
}

bool aws_ctx_stopped(const struct aws_ctx *c)
{
	return c->stop && atomic_load(c->stop);
}

bool aws_ctx_sleep(const struct aws_ctx *c, unsigned ms)
{
	if (aws_ctx_stopped(c))
		return false;
	if (c->sleep_ms)
		return c->sleep_ms(c->sleep_arg, ms);
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return !aws_ctx_stopped(c);
}

unsigned aws_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms)
{
	uint64_t ceiling = base_ms;
	for (unsigned i = 0; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	uint32_t r = 0;
	/* Jitter spreads many agents' retries apart; a weak fallback is fine. */
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)time(NULL) * 2654435761u;
	return (unsigned)(ceiling * r / UINT32_MAX);
}
