/* errno_names.h — the symbolic name of a Linux errno number. */
#ifndef VIGIL_RULES_ERRNO_NAMES_H
#define VIGIL_RULES_ERRNO_NAMES_H

/* "ENOENT" for 2: the kernel's name of errno ERR, or NULL when ERR is none
 * (<= 0, or beyond the numbers the kernel's headers name). */
const char *errno_name(long err);

#endif
