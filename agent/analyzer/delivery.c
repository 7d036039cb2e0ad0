/* delivery.c — wire ship (sinks) and keyprov (API key) into the analyzer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/delivery.h"
#include "ship/spool.h"
#include "aws/ecs_meta.h"
#include "aws/keyprov.h"
#include "ship/ship.h"
#include "vigil/clock.h"
#include "vigil/log.h"

#define META_POLL_MS 1000u
#define META_POLL_TRIES 120u

struct delivery {
	struct ship *ship;
	struct keyprov *kp;
	struct keyprov_config kcfg;
	struct evloop *loop;
	struct ship_agent_info agent;
	uint64_t meta_timer;
	unsigned meta_tries;
	uint64_t drain_timeout_ms; /* drain.timeout_ms */
};

static int kp_get(void *ctx, char *out, size_t cap)
{
	return keyprov_get(ctx, out, cap);
}

static void kp_invalidate(void *ctx)
{
	keyprov_invalidate(ctx);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* api_key.* go to the key provider, the rest to ship. */
static int set_key_option(struct keyprov_config *k, const struct config_kv *kv, char *err, size_t n)
{
	const char *name = kv->key + strlen("api_key.");
	if (strcmp(name, "ssm") == 0)
		copy(k->ssm_parameter, sizeof(k->ssm_parameter), kv->val);
	else if (strcmp(name, "file") == 0)
		copy(k->api_key_file, sizeof(k->api_key_file), kv->val);
	else if (strcmp(name, "region") == 0)
		copy(k->region, sizeof(k->region), kv->val);
	else if (strcmp(name, "refresh_interval_s") == 0 && atoi(kv->val) > 0)
		k->refresh_s = (unsigned)atoi(kv->val);
	else {
		snprintf(err, n,
			 "%s: %s: unknown key or bad value (api_key: ssm, file, region, "
			 "refresh_interval_s)",
			 kv->where, kv->key);
		return -1;
	}
	return 0;
}

/* File, then env, over ship's and keyprov's defaults; -o came in as "outputs" too. */
static int build_config(const struct vigil_config *c, struct ship_config *sc,
			struct keyprov_config *kc)
{
	char err[512];
	ship_config_defaults(sc);
	keyprov_config_defaults(kc);
	for (size_t i = 0; i < c->n_ship; i++) {
		const struct config_kv *kv = &c->ship[i];
		if (kv->where[0] == '-')
			continue; /* flags after the environment */
		if (strncmp(kv->key, "api_key.", 8) == 0) {
			if (set_key_option(kc, kv, err, sizeof(err)) != 0) {
				LOG_ERR("%s", err);
				return -1;
			}
		} else if (ship_config_set(sc, kv->key, kv->val, err, sizeof(err)) != VIGIL_OK) {
			LOG_ERR("%s: %s", kv->where, err);
			return -1;
		}
	}
	if (ship_config_from_env(sc, err, sizeof(err)) != VIGIL_OK ||
	    keyprov_config_from_env(kc, err, sizeof(err)) != 0) {
		LOG_ERR("%s", err);
		return -1;
	}
	for (size_t i = 0; i < c->n_ship; i++) {
		const struct config_kv *kv = &c->ship[i];
		if (kv->where[0] != '-')
			continue;
		vigil_rc r = strcmp(kv->where, "-o") == 0
				     ? ship_add_output(sc, kv->val, err, sizeof(err))
				     : ship_config_set(sc, kv->key, kv->val, err, sizeof(err));
		if (r != VIGIL_OK) {
			LOG_ERR("%s %s: %s", kv->where, kv->val, err);
			return -1;
		}
	}
	if (ship_config_check(sc, err, sizeof(err)) != VIGIL_OK) {
		LOG_ERR("%s", err);
		return -1;
	}
	if (sc->ca_file[0] && !kc->ca_file[0]) /* one CA setting for every HTTPS call */
		copy(kc->ca_file, sizeof(kc->ca_file), sc->ca_file);
	return 0;
}

/* Files that must be readable when the sinks start: found before the program runs. */
static int check_files(const struct ship_config *sc)
{
	bool https = false;
	for (size_t i = 0; i < sc->noutputs; i++)
		https |= sc->outputs[i].kind == SHIP_SINK_HTTP ||
			 sc->outputs[i].kind == SHIP_SINK_SIDEKICK;
	if (https && sc->ca_file[0] && access(sc->ca_file, R_OK) != 0) {
		LOG_ERR("http.ca_file: %s: %s", sc->ca_file, strerror(errno));
		return -1;
	}
	/* An explicit spool that cannot be used stops the start, as the http
	 * sink would refuse it later (docs/troubleshooting.md). */
	if (https && sc->spool_dir[0] && sc->spool_max_bytes) {
		char err[512];
		int fd = spool_dir_open(sc->spool_dir, err, sizeof(err));
		if (fd < 0) {
			LOG_ERR("%s", err);
			return -1;
		}
		close(fd);
	}
	return 0;
}

int delivery_check(const struct vigil_config *c)
{
	struct ship_config sc;
	struct keyprov_config kc;
	return build_config(c, &sc, &kc) == 0 && check_files(&sc) == 0 ? 0 : -1;
}

static bool needs_key(const struct ship_config *sc)
{
	for (size_t i = 0; i < sc->noutputs; i++)
		if (sc->outputs[i].kind == SHIP_SINK_HTTP)
			return true;
	return false;
}

static void describe_agent(struct delivery *d, const struct field_ctx *ctx)
{
	struct ship_agent_info *a = &d->agent;
	copy(a->version, sizeof(a->version), VIGIL_VERSION);
	copy(a->hostname, sizeof(a->hostname), ctx->hostname);
	copy(a->container_id, sizeof(a->container_id), ctx->container_id);
	copy(a->container_name, sizeof(a->container_name), ctx->container_name);
	copy(a->image, sizeof(a->image), ctx->image);
}

/* Task metadata is read by the key provider's thread: pick it up when it is there. */
static void poll_task_meta(void *arg)
{
	struct delivery *d = arg;
	struct ecs_task_meta m;
	d->meta_timer = 0;
	if (ecs_meta_cached(&m)) {
		copy(d->agent.cluster, sizeof(d->agent.cluster), m.cluster);
		copy(d->agent.task_arn, sizeof(d->agent.task_arn), m.task_arn);
		copy(d->agent.family, sizeof(d->agent.family), m.family);
		copy(d->agent.revision, sizeof(d->agent.revision), m.revision);
		copy(d->agent.availability_zone, sizeof(d->agent.availability_zone),
		     m.availability_zone);
		if (!d->agent.container_name[0])
			copy(d->agent.container_name, sizeof(d->agent.container_name),
			     m.container_name);
		if (!d->agent.image[0])
			copy(d->agent.image, sizeof(d->agent.image), m.image);
		ship_set_agent_info(d->ship, &d->agent);
	} else if (++d->meta_tries < META_POLL_TRIES) {
		d->meta_timer = evloop_add_timer(d->loop, META_POLL_MS, poll_task_meta, d);
	}
}

struct delivery *delivery_start(const struct vigil_config *c, struct evloop *loop,
				const struct field_ctx *ctx)
{
	struct delivery *d = calloc(1, sizeof(*d));
	struct ship_config sc;
	char err[512];
	if (!d || build_config(c, &sc, &d->kcfg) != 0) {
		free(d);
		return NULL;
	}
	d->loop = loop;
	d->drain_timeout_ms = sc.drain_timeout_ms;
	describe_agent(d, ctx);
	struct ship_key_source ks = {0}, *key = NULL;
	if (needs_key(&sc) && keyprov_configured(&d->kcfg)) {
		if (!(d->kp = keyprov_start(&d->kcfg, err, sizeof(err))))
			LOG_ERR("api key: %s (alerts are spooled until a key is available)", err);
	} else if (needs_key(&sc)) {
		LOG_WARN("no API key configured (VIGIL_API_KEY, VIGIL_API_KEY_FILE or "
			 "VIGIL_API_KEY_SSM): "
			 "alerts for the endpoint are spooled until one is");
	}
	if (d->kp) {
		ks = (struct ship_key_source){kp_get, kp_invalidate, keyprov_fd(d->kp), d->kp};
		key = &ks;
	}
	if (!(d->ship = ship_new(&sc, loop, key, &d->agent, err, sizeof(err)))) {
		/* It passed the check before the program started, so this is the
		 * machine (memory, a spool directory gone): keep alerts on stdout. */
		LOG_ERR("alert delivery: %s; alerts go to stdout only", err);
		ship_config_defaults(&sc);
		d->ship = ship_new(&sc, loop, NULL, &d->agent, err, sizeof(err));
	}
	if (!d->ship) {
		LOG_ERR("alert delivery: %s", err);
		keyprov_stop(d->kp);
		free(d);
		return NULL;
	}
	if (d->kp)
		d->meta_timer = evloop_add_timer(loop, 0, poll_task_meta, d);
	return d;
}

void delivery_submit(struct delivery *d, const char *json, size_t len, int priority)
{
	ship_submit(d->ship, json, len, priority);
}

void delivery_finish(struct delivery *d, uint64_t budget_ms)
{
	if (d->drain_timeout_ms < budget_ms)
		budget_ms = d->drain_timeout_ms;
	uint64_t deadline = vigil_mono_ms() + budget_ms;
	ship_begin_drain(d->ship, deadline);
	while (!ship_drained(d->ship) && vigil_mono_ms() < deadline)
		evloop_run_once(d->loop, 100);
	ship_shutdown(d->ship);
	struct ship_counters s;
	ship_stats(d->ship, &s);
	uint64_t lost = s.dropped_queue_full + s.dropped_spool_full + s.dropped_too_large +
			s.dropped_rejected + s.dropped_write + s.dropped_shutdown +
			s.dropped_invalid;
	if (lost || s.spool_alerts)
		LOG_WARN("alert delivery: %llu alerts lost (see the counters in the health alert), "
			 "%llu "
			 "left in the spool for the next start",
			 (unsigned long long)lost, (unsigned long long)s.spool_alerts);
}

uint64_t delivery_in_memory(const struct delivery *d)
{
	struct ship_counters s;
	ship_stats(d->ship, &s);
	return s.queued_alerts + s.line_buffered; /* a kill -9 loses both */
}

void delivery_count_crash_loss(struct delivery *d, uint64_t n)
{
	LOG_WARN("alert delivery: %llu alerts were in the memory of the analyzer that was stopped; "
		 "counted as lost (dropped_crash)",
		 (unsigned long long)n);
	ship_count_crash_loss(d->ship, n);
}

void delivery_free(struct delivery *d)
{
	if (!d)
		return;
	if (d->meta_timer)
		evloop_cancel_timer(d->loop, d->meta_timer);
	ship_free(d->ship);
	keyprov_stop(d->kp);
	free(d);
}
