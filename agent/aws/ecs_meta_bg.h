/*
 * ecs_meta_bg.h — ECS task metadata fetched on a thread of its own, for
 * callers on an event loop that may not block (the coverage alert): start
 * it, then ask without waiting whether it is there yet.
 */
#ifndef VIGIL_AWS_ECS_META_BG_H
#define VIGIL_AWS_ECS_META_BG_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/ecs_meta.h"

struct ecs_meta_bg;

/* NULL when not on ECS (ECS_CONTAINER_METADATA_URI_V4 unset) or when no
 * thread could be started (*err says why). Each request may take
 * timeout_ms. */
struct ecs_meta_bg *ecs_meta_bg_start(unsigned timeout_ms, char *err, size_t errlen);
/* 0 still fetching, 1 done (out filled), -1 failed (err says why). */
int ecs_meta_bg_poll(struct ecs_meta_bg *b, struct ecs_task_meta *out, char *err, size_t errlen);
/* Whether the thread is still in a request (exit() must not run under it). */
bool ecs_meta_bg_busy(struct ecs_meta_bg *b);
/* Join the thread if it is done; otherwise leave it (the process exits
 * with _exit). NULL is fine. */
void ecs_meta_bg_free(struct ecs_meta_bg *b);

#endif
