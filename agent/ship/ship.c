/* ship.c — the sinks behind one submit call; drain, counters, health, key wake-ups. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship/body.h"
#include "ship/health.h"
#include "ship/internal.h"
#include "ship/mcurl.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

struct ship {
	struct ship_ctx ctx;
	struct sink *sinks[SHIP_MAX_OUTPUTS];
	size_t nsinks;
	uint64_t health_timer;
	uint64_t lost_reported; /* losses in the last health alert */
	bool watching_key_fd;
	struct strbuf health;
};

/* The key source's fd is readable: the key changed. */
static void on_key_fd(int fd, uint32_t revents, void *arg)
{
	struct ship *s = arg;
	char buf[64];
	(void)revents;
	if (read(fd, buf, sizeof(buf)) < 0) { /* drained: an eventfd or a pipe */
	}
	for (size_t i = 0; i < s->nsinks; i++)
		if (s->sinks[i]->ops->key_changed)
			s->sinks[i]->ops->key_changed(s->sinks[i]);
}

/* Submit a `vigil health` alert now (also done every health.interval_s). */
static void ship_health_now(struct ship *s)
{
	int prio = health_alert(&s->health, &s->ctx.c, s->lost_reported, s->ctx.agent.hostname);
	s->lost_reported = ship_counters_lost(&s->ctx.c);
	if (!s->health.truncated)
		ship_submit(s, s->health.data, s->health.len, prio);
}

static void on_health(void *arg)
{
	struct ship *s = arg;
	s->health_timer = 0;
	ship_health_now(s);
	s->health_timer =
		evloop_add_timer(s->ctx.loop, s->ctx.cfg.health_interval_s * 1000ull, on_health, s);
}

/* The HMAC key named by http.hmac_key_env, kept only in ctx (wiped at free). */
static int load_hmac_key(struct ship_ctx *ctx, char *err, size_t errlen)
{
	const char *name = ctx->cfg.hmac_key_env;
	if (!name[0])
		return 0;
	const char *v = getenv(name);
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n > sizeof(ctx->hmac_key)) {
		snprintf(err, errlen, "http.hmac_key_env: %s is %s", name,
			 n ? "longer than 256 bytes" : "not set or empty");
		return -1;
	}
	memcpy(ctx->hmac_key, v, n);
	ctx->hmac_len = n;
	return 0;
}

static bool needs_tls(const struct ship_config *c)
{
	for (size_t i = 0; i < c->noutputs; i++)
		if (strncmp(c->outputs[i].target, "https://", 8) == 0)
			return true;
	return false;
}

static int add_sinks(struct ship *s, char *err, size_t errlen)
{
	struct ship_ctx *ctx = &s->ctx;
	size_t queued = 0;
	for (size_t i = 0; i < ctx->cfg.noutputs; i++)
		queued += ctx->cfg.outputs[i].kind >= SHIP_SINK_HTTP;
	uint64_t share = ctx->cfg.queue_max_bytes / (queued ? queued : 1);
	for (size_t i = 0; i < ctx->cfg.noutputs; i++) {
		const struct ship_output *o = &ctx->cfg.outputs[i];
		struct sink *k = NULL;
		switch (o->kind) {
		case SHIP_SINK_STDOUT: k = sink_stdout_new(ctx, err, errlen); break;
		case SHIP_SINK_FILE: k = sink_file_new(ctx, o->target, err, errlen); break;
		case SHIP_SINK_HTTP: k = sink_http_new(ctx, o->target, share, err, errlen); break;
		case SHIP_SINK_SIDEKICK:
			k = sink_sidekick_new(ctx, o->target, share, err, errlen);
			break;
		}
		if (!k)
			return -1;
		s->sinks[s->nsinks++] = k;
	}
	return 0;
}

static int ship_setup(struct ship *s, const struct ship_key_source *key, char *err, size_t errlen)
{
	struct ship_ctx *ctx = &s->ctx;
	if (ship_config_check(&ctx->cfg, err, errlen) != VIGIL_OK ||
	    load_hmac_key(ctx, err, errlen))
		return -1;
	if (needs_tls(&ctx->cfg) &&
	    ship_resolve_ca_file(ctx->cfg.ca_file, ctx->ca_file, sizeof(ctx->ca_file), err,
				 errlen) != VIGIL_OK)
		return -1;
	if (key && key->get) {
		ctx->key = *key;
		ctx->has_key = true;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(ctx->mc = mcurl_new(ctx->loop))) {
		snprintf(err, errlen, "http: libcurl initialisation failed");
		return -1;
	}
	if (add_sinks(s, err, errlen))
		return -1;
	if (ctx->has_key && key->fd >= 0) {
		if (evloop_add_fd(ctx->loop, key->fd, VIGIL_EV_READ, on_key_fd, s) != 0) {
			snprintf(err, errlen, "http: watching the key source: %s", strerror(errno));
			return -1;
		}
		s->watching_key_fd = true;
	}
	if (ctx->cfg.health_interval_s)
		s->health_timer = evloop_add_timer(ctx->loop, ctx->cfg.health_interval_s * 1000ull,
						   on_health, s);
	return 0;
}

struct ship *ship_new(const struct ship_config *c, struct evloop *loop,
		      const struct ship_key_source *key, const struct ship_agent_info *agent,
		      char *err, size_t errlen)
{
	struct ship *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "ship: out of memory");
		return NULL;
	}
	s->ctx.loop = loop;
	s->ctx.cfg = *c;
	if (agent)
		s->ctx.agent = *agent;
	strbuf_init(&s->health, 16 * 1024);
	if (ship_setup(s, key, err, errlen)) {
		ship_free(s);
		return NULL;
	}
	return s;
}

void ship_submit(struct ship *s, const char *json, size_t len, int priority)
{
	s->ctx.c.submitted++;
	/* One JSON object on one line, or it would break a whole batch (or a log line). */
	if (len < 2 || json[0] != '{' || json[len - 1] != '}' || memchr(json, '\n', len)) {
		s->ctx.c.dropped_invalid++;
		return;
	}
	for (size_t i = 0; i < s->nsinks; i++)
		s->sinks[i]->ops->submit(s->sinks[i], json, len, priority);
}

/*
 * The closing health alert goes where someone aggregates counters (an
 * endpoint), or anywhere when something was lost or is still spooled; a
 * clean exit to stdout or a file adds no line after the application's
 * own output.
 */
static bool final_health_worth_it(const struct ship *s)
{
	if (ship_counters_lost(&s->ctx.c) || s->ctx.c.spool_alerts)
		return true;
	for (size_t i = 0; i < s->ctx.cfg.noutputs; i++)
		if (s->ctx.cfg.outputs[i].kind == SHIP_SINK_HTTP ||
		    s->ctx.cfg.outputs[i].kind == SHIP_SINK_SIDEKICK)
			return true;
	return false;
}

void ship_count_crash_loss(struct ship *s, uint64_t n)
{
	s->ctx.c.dropped_crash += n;
}

void ship_begin_drain(struct ship *s, uint64_t deadline_ms)
{
	if (s->ctx.cfg.health_interval_s && !s->ctx.draining && final_health_worth_it(s))
		ship_health_now(s); /* the last word: counters as we stop */
	s->ctx.draining = true;
	s->ctx.deadline_ms = deadline_ms;
	for (size_t i = 0; i < s->nsinks; i++)
		s->sinks[i]->ops->begin_drain(s->sinks[i]);
}

bool ship_drained(struct ship *s)
{
	for (size_t i = 0; i < s->nsinks; i++)
		if (!s->sinks[i]->ops->drained(s->sinks[i]))
			return false;
	return true;
}

void ship_set_agent_info(struct ship *s, const struct ship_agent_info *agent)
{
	s->ctx.agent = *agent;
}

void ship_stats(const struct ship *s, struct ship_counters *out)
{
	*out = s->ctx.c;
}

void ship_shutdown(struct ship *s)
{
	struct ship_ctx *ctx = &s->ctx;
	if (s->health_timer)
		evloop_cancel_timer(ctx->loop, s->health_timer);
	s->health_timer = 0;
	for (size_t i = 0; i < s->nsinks; i++)
		s->sinks[i]->ops->free(s->sinks[i]);
	s->nsinks = 0;
	if (s->watching_key_fd)
		evloop_del_fd(ctx->loop, ctx->key.fd);
	s->watching_key_fd = false;
	if (ctx->mc) {
		mcurl_free(ctx->mc);
		curl_global_cleanup();
	}
	ctx->mc = NULL;
}

void ship_free(struct ship *s)
{
	if (!s)
		return;
	struct ship_ctx *ctx = &s->ctx;
	ship_shutdown(s);
	explicit_bzero(ctx->hmac_key, sizeof(ctx->hmac_key));
	strbuf_free(&s->health);
	free(s);
}
