/* ecs_meta.c — ECS task metadata v4: fetch, parse, cache (see ecs_meta.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/ecs_meta.h"
#include "aws/fbuf.h"
#include "aws/http.h"
#include "aws/ssm.h"

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
/* Held for a whole fetch (never by the event loop, which only reads the
 * cache): the key provider and the coverage alert ask the endpoint once. */
static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ecs_task_meta cache;
static bool cache_valid;

static void take(json_t *o, const char *name, char *out, size_t cap)
{
	const char *v = json_string_value(json_object_get(o, name));
	str_copy(out, cap, v ? v : "");
}

/* "us-west-2a" -> "us-west-2": drop the zone letters after the last digit. */
static void region_from_zone(const char *az, char *out, size_t cap)
{
	str_copy(out, cap, az);
	size_t n = strlen(out);
	while (n && out[n - 1] >= 'a' && out[n - 1] <= 'z')
		out[--n] = '\0';
	if (!aws_region_valid(out))
		out[0] = '\0';
}

static void derive(struct ecs_task_meta *m)
{
	const char *slash = strrchr(m->task_arn, '/');
	str_copy(m->task_id, sizeof(m->task_id), slash ? slash + 1 : "");
	if (aws_arn_region(m->task_arn, m->region, sizeof(m->region)) != 1)
		region_from_zone(m->availability_zone, m->region, sizeof(m->region));
}

int ecs_meta_parse(const char *task_doc, size_t task_len, const char *container_doc,
		   size_t container_len, struct ecs_task_meta *out, char *err, size_t errlen)
{
	json_t *t = json_loadb(task_doc, task_len, 0, NULL);
	json_t *c = json_loadb(container_doc, container_len, 0, NULL);
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(t) || !json_is_object(c)) {
		snprintf(err, errlen, "task metadata: %s is not a JSON object",
			 json_is_object(t) ? "container" : "task");
	} else {
		take(t, "Cluster", out->cluster, sizeof(out->cluster));
		take(t, "TaskARN", out->task_arn, sizeof(out->task_arn));
		take(t, "Family", out->family, sizeof(out->family));
		take(t, "Revision", out->revision, sizeof(out->revision));
		take(t, "AvailabilityZone", out->availability_zone, sizeof(out->availability_zone));
		take(t, "LaunchType", out->launch_type, sizeof(out->launch_type));
		take(c, "Name", out->container_name, sizeof(out->container_name));
		take(c, "Image", out->image, sizeof(out->image));
		take(c, "ImageID", out->image_digest, sizeof(out->image_digest));
		derive(out);
		rc = 0;
		if (!out->task_arn[0]) {
			snprintf(err, errlen, "task metadata has no TaskARN");
			rc = -1;
		}
	}
	json_decref(t);
	json_decref(c);
	return rc;
}

static int get(const struct aws_ctx *ctx, const char *url, struct aws_http_resp *r, char *err,
	       size_t errlen)
{
	struct aws_http_req req = {.method = "GET",
				   .url = url,
				   .link_local = true,
				   .timeout_ms = ctx->meta_timeout_ms};
	req.headers[req.n_headers++] = "Accept: application/json";
	char why[200];
	if (aws_http_do(ctx, &req, r, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "task metadata %s: %s", url, why);
		return -1;
	}
	if (r->status != 200) {
		snprintf(err, errlen, "task metadata %s: HTTP %ld", url, r->status);
		return -1;
	}
	return 0;
}

int ecs_meta_fetch(const struct aws_ctx *ctx, struct ecs_task_meta *out, char *err, size_t errlen)
{
	const char *base = getenv("ECS_CONTAINER_METADATA_URI_V4");
	if (!base || !*base)
		return 0;
	char url[1024];
	if (snprintf(url, sizeof(url), "%s/task", base) >= (int)sizeof(url)) {
		snprintf(err, errlen, "ECS_CONTAINER_METADATA_URI_V4 is too long");
		return -1;
	}
	struct aws_http_resp task, container;
	int rc = get(ctx, url, &task, err, errlen);
	if (rc == 0)
		rc = get(ctx, base, &container, err, errlen);
	if (rc == 0) {
		rc = ecs_meta_parse(task.body, task.len, container.body, container.len, out, err,
				    errlen) == 0
			     ? 1
			     : -1;
		aws_http_resp_free(&container);
	}
	aws_http_resp_free(&task);
	return rc;
}

int ecs_meta_load(const struct aws_ctx *ctx, char *err, size_t errlen)
{
	pthread_mutex_lock(&load_mu);
	pthread_mutex_lock(&cache_mu);
	bool have = cache_valid;
	pthread_mutex_unlock(&cache_mu);
	if (have) {
		pthread_mutex_unlock(&load_mu);
		return 1;
	}
	struct ecs_task_meta m;
	int rc = ecs_meta_fetch(ctx, &m, err, errlen);
	if (rc == 1) {
		pthread_mutex_lock(&cache_mu);
		cache = m;
		cache_valid = true;
		pthread_mutex_unlock(&cache_mu);
	}
	pthread_mutex_unlock(&load_mu);
	return rc;
}

bool ecs_meta_cached(struct ecs_task_meta *out)
{
	pthread_mutex_lock(&cache_mu);
	bool have = cache_valid;
	if (have)
		*out = cache;
	pthread_mutex_unlock(&cache_mu);
	return have;
}

static void field(struct strbuf *sb, bool *first, const char *name, const char *v)
{
	if (!v[0])
		return;
	if (!*first)
		strbuf_addc(sb, ',');
	*first = false;
	strbuf_add_json_str(sb, name, strlen(name));
	strbuf_addc(sb, ':');
	strbuf_add_json_str(sb, v, strlen(v));
}

void ecs_meta_json(const struct ecs_task_meta *m, struct strbuf *sb)
{
	bool first = true;
	strbuf_addc(sb, '{');
	if (m) {
		field(sb, &first, "cluster", m->cluster);
		field(sb, &first, "task_arn", m->task_arn);
		field(sb, &first, "task_id", m->task_id);
		field(sb, &first, "family", m->family);
		field(sb, &first, "revision", m->revision);
		field(sb, &first, "container", m->container_name);
		field(sb, &first, "image", m->image);
		field(sb, &first, "availability_zone", m->availability_zone);
		field(sb, &first, "region", m->region);
		field(sb, &first, "launch_type", m->launch_type);
	}
	strbuf_addc(sb, '}');
}
