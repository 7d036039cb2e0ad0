/*
 * ecs_meta.h — ECS task metadata v4 (ECS_CONTAINER_METADATA_URI_V4):
 * which cluster, task, task definition, container and image this agent runs
 * in. Optional: outside ECS the variable is absent and nothing is reported.
 *
 * Fetching blocks on the network, so only the key provider thread and the
 * CLI call ecs_meta_load(); the event loop reads the process-wide cache with
 * ecs_meta_cached(), which never blocks.
 */
#ifndef VIGIL_AWS_ECS_META_H
#define VIGIL_AWS_ECS_META_H

#include <stdbool.h>

#include "aws/ctx.h"
#include "vigil/strbuf.h"

struct ecs_task_meta {
	char cluster[256]; /* short name on EC2, ARN on Fargate (as ECS reports it) */
	char task_arn[256];
	char task_id[128]; /* last '/' segment of the task ARN */
	char family[256];
	char revision[32];
	char container_name[256]; /* this container (the one vigil runs in) */
	char image[512];
	char image_digest[160]; /* the container's ImageID ("sha256:..."); "" if not given */
	char availability_zone[64];
	char region[64];      /* from the task ARN, else the zone without its letter */
	char launch_type[16]; /* "EC2", "FARGATE" or "" */
};

/* Blocking fetch of ${URI}/task and ${URI}: 1 filled, 0 when the variable is
 * not set (not on ECS: not an error), -1 on failure with a message in err. */
int ecs_meta_fetch(const struct aws_ctx *ctx, struct ecs_task_meta *out, char *err, size_t errlen);
/* Fetch once per process and cache the result; later calls return the
 * cached outcome (1) at once. One fetch at a time: a second caller waits
 * for the first and takes its result from the cache. Same return values
 * as ecs_meta_fetch. */
int ecs_meta_load(const struct aws_ctx *ctx, char *err, size_t errlen);
/* Non-blocking: copy the cached metadata into out; false if not known. */
bool ecs_meta_cached(struct ecs_task_meta *out);
/* The batch's "task" object: {"cluster":..,"task_arn":..,"task_id":..,
 * "family":..,"revision":..,"container":..,"image":..,"availability_zone":..,
 * "region":..,"launch_type":..}; empty fields are left out; m NULL gives {}. */
void ecs_meta_json(const struct ecs_task_meta *m, struct strbuf *sb);

/* Parse the two documents (exposed for tests). 0 or -1 with err. */
int ecs_meta_parse(const char *task_doc, size_t task_len, const char *container_doc,
		   size_t container_len, struct ecs_task_meta *out, char *err, size_t errlen);

#endif
