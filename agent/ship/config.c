/* config.c — ship settings: defaults, dotted keys, VIGIL_* environment, -o SINK. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship/ship.h"

void ship_config_defaults(struct ship_config *c)
{
	memset(c, 0, sizeof(*c));
	c->outputs[0].kind = SHIP_SINK_STDOUT;
	c->noutputs = 1;
	c->batch_max_alerts = 1000;
	c->batch_max_bytes = 1024 * 1024;
	c->batch_max_age_ms = 1000;
	c->max_body_bytes = 2 * 1024 * 1024;
	c->timeout_ms = 10000;
	c->max_inflight = 4;
	c->retry_initial_ms = 500;
	c->retry_max_ms = 30000;
	c->queue_max_bytes = 32 * 1024 * 1024;
	c->spool_max_bytes = 256 * 1024 * 1024;
	c->drain_timeout_ms = 25000; /* below ECS's default 30 s stopTimeout */
	c->file_max_bytes = 100 * 1024 * 1024;
	c->file_keep = 5;
	c->health_interval_s = 60;
}

/* Does `s` start with `prefix`? */
static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

vigil_rc ship_add_output(struct ship_config *c, const char *sink, char *err, size_t errlen)
{
	if (!c->outputs_set) { /* an explicit list replaces the default stdout */
		c->noutputs = 0;
		c->outputs_set = true;
	}
	if (c->noutputs == SHIP_MAX_OUTPUTS) {
		snprintf(err, errlen, "outputs: more than %d sinks", SHIP_MAX_OUTPUTS);
		return VIGIL_ERR_INPUT;
	}
	struct ship_output o = {0};
	const char *target = "";
	if (strcmp(sink, "stdout") == 0) {
		o.kind = SHIP_SINK_STDOUT;
	} else if (starts(sink, "file:")) {
		o.kind = SHIP_SINK_FILE;
		target = sink + 5;
	} else if (starts(sink, "https://") || starts(sink, "http://")) {
		o.kind = SHIP_SINK_HTTP;
		target = sink;
	} else if (starts(sink, "falcosidekick:")) {
		o.kind = SHIP_SINK_SIDEKICK;
		target = sink + 14;
		if (!starts(target, "http://") && !starts(target, "https://")) {
			snprintf(err, errlen, "outputs: '%s': falcosidekick needs an http(s) URL",
				 sink);
			return VIGIL_ERR_INPUT;
		}
	} else {
		snprintf(err, errlen,
			 "outputs: unknown sink '%s' (stdout, file:PATH, https://URL, "
			 "falcosidekick:URL)",
			 sink);
		return VIGIL_ERR_INPUT;
	}
	if ((o.kind == SHIP_SINK_FILE && !target[0]) || strlen(target) >= sizeof(o.target)) {
		snprintf(err, errlen, "outputs: '%.64s': empty or too long target", sink);
		return VIGIL_ERR_INPUT;
	}
	memcpy(o.target, target, strlen(target) + 1);
	c->outputs[c->noutputs++] = o;
	return VIGIL_OK;
}

/* Parse a decimal in [min, max]; -1 with a message naming the key otherwise. */
static int parse_u64(const char *key, const char *v, uint64_t min, uint64_t max, uint64_t *out,
		     char *err, size_t errlen)
{
	char *end;
	errno = 0;
	while (isspace((unsigned char)*v))
		v++;
	unsigned long long n = strtoull(v, &end, 10);
	if (*v == '-' || !isdigit((unsigned char)*v) || errno || *end || n < min || n > max) {
		snprintf(err, errlen, "%s: '%.64s' is not a whole number in %llu..%llu", key, v,
			 (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

static vigil_rc set_str(const char *key, char *dst, size_t cap, const char *v, char *err,
			size_t errlen)
{
	size_t n = strlen(v);
	if (n >= cap) {
		snprintf(err, errlen, "%s: longer than %zu bytes", key, cap - 1);
		return VIGIL_ERR_INPUT;
	}
	memcpy(dst, v, n + 1);
	return VIGIL_OK;
}

#define MiB (1024ull * 1024ull)
#define GiB (1024ull * MiB)

struct num_key {
	const char *name;
	size_t off, size; /* field in struct ship_config: uint32_t or uint64_t */
	uint64_t min, max;
};

#define NK(n, f, lo, hi)                                                                         \
	{                                                                                        \
		n, offsetof(struct ship_config, f), sizeof(((struct ship_config *)0)->f), lo, hi \
	}
static const struct num_key num_keys[] = {
	NK("http.batch_max_alerts", batch_max_alerts, 1, 100000),
	NK("http.batch_max_bytes", batch_max_bytes, 1024, 64 * MiB),
	NK("http.batch_max_age_ms", batch_max_age_ms, 1, 3600000),
	NK("http.max_body_bytes", max_body_bytes, 1024, 256 * MiB),
	NK("http.timeout_ms", timeout_ms, 100, 600000),
	NK("http.max_inflight", max_inflight, 1, 64),
	NK("http.retry_initial_ms", retry_initial_ms, 1, 3600000),
	NK("http.retry_max_ms", retry_max_ms, 1, 86400000),
	NK("queue.max_bytes", queue_max_bytes, 64 * 1024, 64 * GiB),
	NK("spool.max_bytes", spool_max_bytes, 0, 1024 * GiB),
	NK("drain.timeout_ms", drain_timeout_ms, 0, 3600000),
	NK("file.max_bytes", file_max_bytes, 4096, 1024 * GiB),
	NK("file.keep", file_keep, 0, 1000),
	NK("health.interval_s", health_interval_s, 0, 86400),
};

static vigil_rc set_num(struct ship_config *c, const struct num_key *k, const char *v, char *err,
			size_t errlen)
{
	uint64_t n;
	if (parse_u64(k->name, v, k->min, k->max, &n, err, errlen))
		return VIGIL_ERR_INPUT;
	char *field = (char *)c + k->off;
	if (k->size == sizeof(uint32_t)) {
		uint32_t n32 = (uint32_t)n;
		memcpy(field, &n32, sizeof(n32));
	} else {
		memcpy(field, &n, sizeof(n));
	}
	return VIGIL_OK;
}

vigil_rc ship_config_set(struct ship_config *c, const char *key, const char *value, char *err,
			 size_t errlen)
{
	if (!value) {
		snprintf(err, errlen, "%s: missing value", key);
		return VIGIL_ERR_INPUT;
	}
	if (strcmp(key, "outputs") == 0)
		return ship_add_output(c, value, err, errlen);
	if (strcmp(key, "http.ca_file") == 0)
		return set_str(key, c->ca_file, sizeof(c->ca_file), value, err, errlen);
	if (strcmp(key, "http.hmac_key_env") == 0)
		return set_str(key, c->hmac_key_env, sizeof(c->hmac_key_env), value, err, errlen);
	if (strcmp(key, "spool.dir") == 0)
		return set_str(key, c->spool_dir, sizeof(c->spool_dir), value, err, errlen);
	for (size_t i = 0; i < sizeof(num_keys) / sizeof(num_keys[0]); i++)
		if (strcmp(key, num_keys[i].name) == 0)
			return set_num(c, &num_keys[i], value, err, errlen);
	snprintf(err, errlen, "%s: unknown setting", key);
	return VIGIL_ERR_INPUT;
}

/* VIGIL_OUTPUTS=stdout,https://x: one sink per comma-separated item. */
static vigil_rc outputs_from_env(struct ship_config *c, const char *v, char *err, size_t errlen)
{
	char item[SHIP_URL_MAX + 32];
	while (*v) {
		size_t n = strcspn(v, ",");
		if (n >= sizeof(item)) {
			snprintf(err, errlen, "VIGIL_OUTPUTS: an item is too long");
			return VIGIL_ERR_INPUT;
		}
		memcpy(item, v, n);
		item[n] = '\0';
		char *s = item;
		while (isspace((unsigned char)*s))
			s++;
		for (size_t e = strlen(s); e && isspace((unsigned char)s[e - 1]); e--)
			s[e - 1] = '\0';
		if (*s && ship_add_output(c, s, err, errlen))
			return VIGIL_ERR_INPUT;
		v += n + (v[n] == ',');
	}
	return VIGIL_OK;
}

/* "http.batch_max_alerts" -> "VIGIL_HTTP_BATCH_MAX_ALERTS" */
static void env_name(const char *key, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "VIGIL_");
	for (; *key && n + 1 < cap; key++)
		out[n++] = *key == '.' ? '_' : (char)toupper((unsigned char)*key);
	out[n] = '\0';
}

vigil_rc ship_config_from_env(struct ship_config *c, char *err, size_t errlen)
{
	static const char *const str_keys[] = {"http.ca_file", "http.hmac_key_env", "spool.dir"};
	char name[96];
	const char *v = getenv("VIGIL_OUTPUTS");
	if (v && outputs_from_env(c, v, err, errlen))
		return VIGIL_ERR_INPUT;
	for (size_t i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++) {
		env_name(str_keys[i], name, sizeof(name));
		if ((v = getenv(name)) && ship_config_set(c, str_keys[i], v, err, errlen))
			goto named;
	}
	for (size_t i = 0; i < sizeof(num_keys) / sizeof(num_keys[0]); i++) {
		env_name(num_keys[i].name, name, sizeof(name));
		if ((v = getenv(name)) && ship_config_set(c, num_keys[i].name, v, err, errlen))
			goto named;
	}
	return VIGIL_OK;
named : /* say which variable carried the bad value */
{
	char inner[256];
	snprintf(inner, sizeof(inner), "%s", err);
	snprintf(err, errlen, "%s (from %s)", inner, name);
}
	return VIGIL_ERR_INPUT;
}

vigil_rc ship_config_check(const struct ship_config *c, char *err, size_t errlen)
{
	if (c->retry_max_ms < c->retry_initial_ms) {
		snprintf(err, errlen,
			 "http.retry_max_ms: %llu is below http.retry_initial_ms (%llu)",
			 (unsigned long long)c->retry_max_ms,
			 (unsigned long long)c->retry_initial_ms);
		return VIGIL_ERR_INPUT;
	}
	/* Batches in flight count against the bound: room for them and two more. */
	if (c->queue_max_bytes < (c->max_inflight + 2ull) * c->batch_max_bytes) {
		snprintf(err, errlen,
			 "queue.max_bytes: %llu must hold (http.max_inflight + 2) x "
			 "http.batch_max_bytes = %llu",
			 (unsigned long long)c->queue_max_bytes,
			 (unsigned long long)((c->max_inflight + 2ull) * c->batch_max_bytes));
		return VIGIL_ERR_INPUT;
	}
	if (c->spool_max_bytes && c->spool_max_bytes < c->batch_max_bytes) {
		snprintf(err, errlen,
			 "spool.max_bytes: %llu is below http.batch_max_bytes (0 disables)",
			 (unsigned long long)c->spool_max_bytes);
		return VIGIL_ERR_INPUT;
	}
	return VIGIL_OK;
}
