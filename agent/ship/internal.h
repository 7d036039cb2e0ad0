/*
 * internal.h — what the sinks share: the loop, the curl multi, the counters,
 * the key source and the agent description. One per ship.
 */
#ifndef VIGIL_SHIP_INTERNAL_H
#define VIGIL_SHIP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ship/ship.h"
#include "vigil/rc.h"

struct mcurl;

struct ship_ctx {
	struct evloop *loop;
	struct mcurl *mc;
	struct ship_config cfg;
	struct ship_counters c;
	struct ship_agent_info agent;
	struct ship_key_source key;
	bool has_key;
	char ca_file[SHIP_PATH_MAX];
	unsigned char hmac_key[256]; /* secret: wiped in ship_free */
	size_t hmac_len;
	bool draining;
	uint64_t deadline_ms;
};

struct sink;
struct sink_ops {
	void (*submit)(struct sink *k, const char *json, size_t len, int prio);
	void (*begin_drain)(struct sink *k);
	bool (*drained)(struct sink *k);
	void (*key_changed)(struct sink *k); /* may be NULL */
	void (*free)(struct sink *k);	     /* spools or counts what is left */
};

struct sink {
	const struct sink_ops *ops;
	struct ship_ctx *ctx;
};

struct sink *sink_stdout_new(struct ship_ctx *ctx, char *err, size_t errlen);
struct sink *sink_file_new(struct ship_ctx *ctx, const char *path, char *err, size_t errlen);
struct sink *sink_http_new(struct ship_ctx *ctx, const char *url, uint64_t queue_bytes, char *err,
			   size_t errlen);
struct sink *sink_sidekick_new(struct ship_ctx *ctx, const char *url, uint64_t queue_bytes,
			       char *err, size_t errlen);

/* Where the spool lives when spool.dir is not set: $XDG_RUNTIME_DIR/vigil/spool
 * or /tmp/vigil-spool-<uid>. */
void ship_default_spool_dir(char *out, size_t cap);
/* The CA file: http.ca_file, else the system's, else the bundle's
 * share/vigil/ca-certificates.crt (vigil_ca_default). VIGIL_OK; with err filled,
 * VIGIL_ERR_IO (http.ca_file is not readable) or VIGIL_ERR_NOT_FOUND (no
 * bundle found). */
vigil_rc ship_resolve_ca_file(const char *configured, char *out, size_t cap, char *err,
			      size_t errlen);

#endif
