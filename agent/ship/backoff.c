/* backoff.c — capped full-jitter exponential backoff and Retry-After parsing. */
#include <curl/curl.h>
#include <string.h>
#include <sys/random.h>

#include "ship/backoff.h"
#include "vigil/clock.h"

uint64_t backoff_ceiling_ms(uint64_t initial_ms, uint64_t max_ms, unsigned attempt)
{
	uint64_t c = initial_ms ? initial_ms : 1;
	for (unsigned i = 0; i < attempt && c < max_ms; i++)
		c *= 2; /* stops once past max_ms, so it cannot overflow */
	if (c > max_ms)
		c = max_ms;
	return c < BACKOFF_FLOOR_MS ? BACKOFF_FLOOR_MS : c;
}

uint64_t backoff_delay_ms(uint64_t initial_ms, uint64_t max_ms, unsigned attempt, uint64_t rnd)
{
	uint64_t ceil = backoff_ceiling_ms(initial_ms, max_ms, attempt);
	return BACKOFF_FLOOR_MS + rnd % (ceil - BACKOFF_FLOOR_MS + 1);
}

int64_t retry_after_ms(const char *value, size_t len, time_t now)
{
	char buf[64];
	while (len && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' ||
		       value[len - 1] == '\n'))
		len--;
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, value, len);
	buf[len] = '\0';
	if (buf[0] >= '0' && buf[0] <= '9') { /* delta-seconds: digits only */
		uint64_t secs = 0;
		for (size_t i = 0; i < len; i++) {
			if (buf[i] < '0' || buf[i] > '9')
				return -1;
			if (secs < RETRY_AFTER_MAX_MS / 1000 + 1)
				secs = secs * 10 + (uint64_t)(buf[i] - '0');
		}
		uint64_t ms = secs * 1000;
		return (int64_t)(ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : ms);
	}
	/* curl_getdate knows the three HTTP date forms (RFC 9110 section 5.6.7). */
	time_t t = curl_getdate(buf, NULL);
	if (t == (time_t)-1)
		return -1;
	if (t <= now)
		return 0;
	uint64_t ms = (uint64_t)(t - now) * 1000;
	return (int64_t)(ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : ms);
}

uint64_t ship_random64(void)
{
	uint64_t r;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	/* No entropy yet (early boot): jitter only needs to differ between agents. */
	static uint64_t x;
	uint64_t ns = vigil_mono_ns();
	x ^= (ns % 1000000000u) * 0x9e3779b97f4a7c15ull + ns / 1000000000u;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}
