/*
 * attribution.h — who changed a file: the traced syscalls that wrote,
 * created, renamed, linked, chmodded, chowned or removed each path.
 *
 * inotify says what changed but not who; the tracer says who touched what.
 * The last such syscall per path is kept for ATTRIBUTION_WINDOW_MS, and a
 * FIM change on that path takes that event's process fields.
 */
#ifndef VIGIL_ANALYZER_ATTRIBUTION_H
#define VIGIL_ANALYZER_ATTRIBUTION_H

#include "fim/pathmap.h"
#include "vigil/event.h"
#include "vigil/syscalls.h"

#define ATTRIBUTION_WINDOW_MS (5u * 60u * 1000u)
#define ATTRIBUTION_MAX_PATHS 8192u

struct attribution {
	struct pathmap by_path; /* path -> struct attr_record * */
};

void attribution_init(struct attribution *a);
void attribution_free(struct attribution *a);
/* The syscalls whose events feed it (added to the traced set when FIM is on). */
void attribution_syscalls(vigil_sc_set *set);
/* Look at one event from the tracer. */
void attribution_observe(struct attribution *a, const struct vigil_event *ev);
/* The last event that touched path within the window, or NULL. */
const struct vigil_event *attribution_find(const struct attribution *a, const char *path);

#endif
