/* clock.c — monotonic for deadlines, wall for dates (see clock.h). */
#include <time.h>

#include "vigil/clock.h"

static uint64_t read_ns(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0) /* cannot fail for these clocks; never return garbage */
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vigil_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

uint64_t vigil_mono_ms(void)
{
	return read_ns(CLOCK_MONOTONIC) / 1000000ull;
}

uint64_t vigil_wall_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}
