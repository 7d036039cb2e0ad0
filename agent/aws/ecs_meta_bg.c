/* ecs_meta_bg.c — the task metadata fetch on its own thread (see ecs_meta_bg.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ctx.h"
#include "aws/ecs_meta_bg.h"
#include "aws/http.h"

struct ecs_meta_bg {
	pthread_t thread;
	struct aws_ctx ctx;
	atomic_int state; /* 0 fetching, 1 done, -1 failed */
	char err[256];	  /* written before state is set, read after */
};

static void *fetch(void *arg)
{
	struct ecs_meta_bg *b = arg;
	int rc = ecs_meta_load(&b->ctx, b->err, sizeof(b->err));
	if (rc == 0)
		snprintf(b->err, sizeof(b->err), "ECS_CONTAINER_METADATA_URI_V4 is not set");
	atomic_store(&b->state, rc == 1 ? 1 : -1);
	return NULL;
}

struct ecs_meta_bg *ecs_meta_bg_start(unsigned timeout_ms, char *err, size_t errlen)
{
	const char *uri = getenv("ECS_CONTAINER_METADATA_URI_V4");
	if (!uri || !*uri)
		return NULL;
	struct ecs_meta_bg *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	aws_ctx_defaults(&b->ctx);
	b->ctx.meta_timeout_ms = timeout_ms;
	aws_http_global_init(); /* before the thread: libcurl's global init is not ours to race */
	int e = pthread_create(&b->thread, NULL, fetch, b);
	if (e) {
		snprintf(err, errlen, "task metadata thread: %s", strerror(e));
		free(b);
		return NULL;
	}
	return b;
}

int ecs_meta_bg_poll(struct ecs_meta_bg *b, struct ecs_task_meta *out, char *err, size_t errlen)
{
	int st = atomic_load(&b->state);
	if (st == 1 && !ecs_meta_cached(out))
		st = -1; /* cannot happen: loaded means cached */
	if (st < 0)
		snprintf(err, errlen, "%s", b->err);
	return st;
}

bool ecs_meta_bg_busy(struct ecs_meta_bg *b)
{
	return b && atomic_load(&b->state) == 0;
}

void ecs_meta_bg_free(struct ecs_meta_bg *b)
{
	if (!b)
		return;
	if (ecs_meta_bg_busy(b)) { /* its memory stays with it; the process is ending */
		pthread_detach(b->thread);
		return;
	}
	pthread_join(b->thread, NULL);
	free(b);
}
