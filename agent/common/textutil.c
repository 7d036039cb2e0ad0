/* textutil.c — see textutil.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vigil/textutil.h"

int vigil_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vigil_env_uint(const char *name, unsigned min, unsigned max, unsigned *out, char *err,
		   size_t errlen)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || v[0] == '-' || n < min || n > max) {
		snprintf(err, errlen, "%s=%.40s: expected a whole number from %u to %u", name, v,
			 min, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}
