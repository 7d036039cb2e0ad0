/* caps.h — Linux capability names, as Falco prints thread.cap_effective. */
#ifndef VIGIL_CAPS_H
#define VIGIL_CAPS_H

#include <stdint.h>
#include "vigil/strbuf.h"

/* Append "CAP_CHOWN CAP_KILL ..." for the bits of mask. */
void vigil_caps_names(struct strbuf *sb, uint64_t mask);
/* The bit number of a name ("CAP_SYS_ADMIN" -> 21), or -1. */
int vigil_cap_by_name(const char *name, size_t len);

#endif
