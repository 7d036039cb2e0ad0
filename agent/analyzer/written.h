/*
 * written.h — files created or written since vigil started.
 *
 * Feeds proc.is_exe_upper_layer ("dropped binary"): an executable whose
 * path vigil saw opened for writing, created, or renamed/linked into place
 * after the program started. Bounded: past the capacity the oldest paths
 * are forgotten (counted).
 */
#ifndef VIGIL_WRITTEN_H
#define VIGIL_WRITTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

struct written;

struct written *written_new(size_t capacity);
void written_free(struct written *w);
/* Learn from one event (opens for write, creat, rename and link targets). */
void written_observe(struct written *w, const struct vigil_event *ev);
/* field_ctx.was_written */
bool written_has(const void *w, const char *path, size_t len);
uint64_t written_forgotten(const struct written *w);

#endif
