/* rules_util.c — small helpers of the rules-file loader: growing arrays,
 * version and priority parsing. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules_internal.h"

void *rules_grow(void *p, size_t need)
{
	if (p && malloc_usable_size(p) >= need)
		return p;
	size_t cap = need < 64 ? 64 : need + need / 2;
	if (cap < need)
		return NULL;
	return realloc(p, cap);
}

char *rules_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

bool rules_parse_semver(const char *s, uint32_t out[3])
{
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		uint64_t v = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > UINT32_MAX)
				return false;
		}
		out[i] = (uint32_t)v;
		if (i < 2 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static const char *const prio_names[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *rules_priority_name(enum rules_priority p)
{
	if ((unsigned)p >= sizeof(prio_names) / sizeof(prio_names[0]))
		return "Unknown";
	return prio_names[p];
}

bool rules_priority_parse(const char *s, enum rules_priority *out)
{
	for (size_t i = 0; i < sizeof(prio_names) / sizeof(prio_names[0]); i++) {
		if (strcasecmp(s, prio_names[i]) == 0) {
			*out = (enum rules_priority)i;
			return true;
		}
	}
	if (strcasecmp(s, "info") == 0) {
		*out = RULES_PRIO_INFORMATIONAL;
		return true;
	}
	return false;
}
