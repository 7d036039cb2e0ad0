/* textutil.h — small text helpers shared by the parsers (rules, config, AWS). */
#ifndef VIGIL_TEXTUTIL_H
#define VIGIL_TEXTUTIL_H

#include <stddef.h>

/* Value of one hex digit, or -1. */
int vigil_hexval(char c);

/*
 * Environment variable `name` as a whole number in [min, max] into *out.
 * Unset or empty: 0 and *out unchanged. Anything else that is not such a
 * number: -1 with a message naming the variable in err.
 */
int vigil_env_uint(const char *name, unsigned min, unsigned max, unsigned *out, char *err,
		   size_t errlen);

#endif
