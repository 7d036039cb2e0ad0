/* context.h — where the analyzer runs: host name and container identity. */
#ifndef VIGIL_CONTEXT_H
#define VIGIL_CONTEXT_H

#include <stdbool.h>
#include "rules/fields.h"

/*
 * Fill ctx once at start. container.id is, in order: VIGIL_CONTAINER_ID,
 * the id in /proc/self/cgroup or /proc/self/mountinfo (docker, containerd,
 * podman, ECS), the host name; "host" only when on_host is set, so
 * Falco's `container` macro (container.id != host) holds inside a task.
 * container.name and container.image* come from VIGIL_CONTAINER_NAME and
 * VIGIL_CONTAINER_IMAGE (ECS task metadata comes with the delivery part).
 */
void context_init(struct field_ctx *ctx, bool on_host);

#endif
