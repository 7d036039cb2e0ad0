/*
 * ship.h — alert delivery: stdout, rotating file, the SaaS endpoint (batched
 * gzip JSON over libcurl with retries and a disk spool) and Falcosidekick.
 *
 * Everything runs on the analyzer's evloop: ship_submit() only copies the
 * alert into a queue and returns; requests, timers and disk writes are
 * driven by the loop. Nothing is lost silently: every alert that is not
 * delivered is either still queued or spooled, or counted in ship_counters.
 */
#ifndef VIGIL_SHIP_H
#define VIGIL_SHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/rc.h"

struct evloop;
struct ship;

#define SHIP_MAX_OUTPUTS 8
#define SHIP_PATH_MAX 1024
#define SHIP_URL_MAX 2048

enum ship_sink_kind { SHIP_SINK_STDOUT, SHIP_SINK_FILE, SHIP_SINK_HTTP, SHIP_SINK_SIDEKICK };

struct ship_output {
	enum ship_sink_kind kind;
	char target[SHIP_URL_MAX]; /* file path or URL; empty for stdout */
};

struct ship_config {
	struct ship_output outputs[SHIP_MAX_OUTPUTS];
	size_t noutputs;
	bool outputs_set;	       /* the first explicit output replaces the default stdout */
	uint32_t batch_max_alerts;     /* http.batch_max_alerts */
	uint64_t batch_max_bytes;      /* http.batch_max_bytes: raw JSON of the alerts */
	uint64_t batch_max_age_ms;     /* http.batch_max_age_ms */
	uint64_t max_body_bytes;       /* http.max_body_bytes: the compressed body sent */
	uint64_t timeout_ms;	       /* http.timeout_ms: a whole request */
	uint32_t max_inflight;	       /* http.max_inflight: concurrent requests per sink */
	char ca_file[SHIP_PATH_MAX];   /* http.ca_file; empty: the bundled one */
	char hmac_key_env[128];	       /* http.hmac_key_env; empty: no signature */
	uint64_t retry_initial_ms;     /* http.retry_initial_ms */
	uint64_t retry_max_ms;	       /* http.retry_max_ms */
	uint64_t queue_max_bytes;      /* queue.max_bytes: memory for queued alerts */
	char spool_dir[SHIP_PATH_MAX]; /* spool.dir; empty: per-user runtime dir */
	uint64_t spool_max_bytes;      /* spool.max_bytes; 0 disables the spool */
	uint64_t drain_timeout_ms;     /* drain.timeout_ms */
	uint64_t file_max_bytes;       /* file.max_bytes: rotate past this */
	uint32_t file_keep;	       /* file.keep: rotated files kept */
	uint32_t health_interval_s;    /* health.interval_s; 0 disables */
};

/* Defaults: stdout only, 1000 alerts / 1 MiB / 1 s batches, 25 s drain. */
void ship_config_defaults(struct ship_config *c);

/*
 * Set one dotted key ("http.batch_max_alerts", "outputs", ...) from its
 * text value. "outputs" appends one sink (repeat it for a list). Returns
 * VIGIL_OK, or VIGIL_ERR_INPUT with a message naming the key and the
 * problem in err (as do the three functions below).
 */
vigil_rc ship_config_set(struct ship_config *c, const char *key, const char *value, char *err,
			 size_t errlen);

/* VIGIL_ + the key uppercased with '.' -> '_' (VIGIL_OUTPUTS is a comma list). */
vigil_rc ship_config_from_env(struct ship_config *c, char *err, size_t errlen);

/* "-o SINK": stdout | file:PATH | https://... | http://... | falcosidekick:URL */
vigil_rc ship_add_output(struct ship_config *c, const char *sink, char *err, size_t errlen);

/* Check the whole config (limits consistent, URLs usable); VIGIL_OK or
 * VIGIL_ERR_INPUT with err. */
vigil_rc ship_config_check(const struct ship_config *c, char *err, size_t errlen);

/*
 * Where the API key comes from, without ship knowing about AWS.
 *   get(): copies the key into out (NUL-terminated) and returns its length
 *          (> 0); 0 when not known yet (alerts are spooled, never dropped);
 *          -1 on a permanent error (alerts are spooled too, and an error is
 *          logged once).
 *   invalidate(): the endpoint answered 401/403; fetch the key again.
 *   fd: becomes readable when the key changed, or -1 (ship then polls get()
 *       every second while it waits). Ship registers it in the evloop and
 *       reads (and discards) up to 64 bytes per wake-up: an eventfd or the
 *       read end of a non-blocking pipe.
 * May be NULL when no sink needs a key.
 */
struct ship_key_source {
	int (*get)(void *ctx, char *out, size_t cap);
	void (*invalidate)(void *ctx);
	int fd;
	void *ctx;
};

/* A key source reading VIGIL_API_KEY once; the value is copied, never logged. */
int ship_key_static_init(struct ship_key_source *ks, const char *env_name);
void ship_key_static_free(struct ship_key_source *ks);

/* Who sends: goes into each batch's "agent" and "task" objects. Any may be "". */
struct ship_agent_info {
	char version[32];
	char hostname[256];
	char container_id[128];
	char container_name[256];
	char image[512];
	char cluster[256];
	char task_arn[512];
	char family[256];
	char revision[32];
	char availability_zone[64];
};

/* Every alert not delivered is in one of these (plus what is still queued). */
struct ship_counters {
	uint64_t submitted;	     /* ship_submit calls (including health alerts) */
	uint64_t delivered;	     /* alerts in batches the endpoint accepted (2xx) */
	uint64_t sidekick_delivered; /* alerts Falcosidekick accepted */
	uint64_t written;	     /* lines written by stdout and file sinks */
	uint64_t dropped_queue_full; /* memory queue full and no spool to take them */
	uint64_t dropped_spool_full; /* evicted from the spool at its size cap */
	uint64_t dropped_too_large;  /* one alert larger than a batch may be */
	uint64_t dropped_rejected;   /* permanent 4xx answers */
	uint64_t dropped_write;	     /* stdout/file write errors */
	uint64_t dropped_shutdown;   /* left in memory at exit with no spool */
	uint64_t dropped_invalid;    /* not a JSON object on one line */
	uint64_t
		dropped_crash; /* in the memory of an analyzer that was killed (its successor counts them) */
	uint64_t spool_corrupt;	       /* spool records skipped as corrupt */
	uint64_t spool_corrupt_alerts; /* alerts those records claimed to hold */
	uint64_t requests;	       /* HTTP requests made */
	uint64_t retries;	       /* requests that failed and will be retried */
	uint64_t spooled_batches;      /* batches written to the spool */
	uint64_t spool_records;	       /* records in the spool now */
	uint64_t spool_alerts;	       /* alerts in the spool now */
	uint64_t spool_bytes;	       /* bytes in the spool now */
	uint64_t queued_alerts;	       /* alerts in memory now (pending + queued + in flight) */
	uint64_t queue_bytes;	       /* bytes of alerts in memory now */
	uint64_t
		line_buffered; /* lines in the stdout/file buffers now (for dropped_crash; not reported) */
};

/*
 * Build the sinks. The key source and agent info are copied (the key source
 * context must outlive the ship). Returns NULL with a message in err.
 */
struct ship *ship_new(const struct ship_config *c, struct evloop *loop,
		      const struct ship_key_source *key, const struct ship_agent_info *agent,
		      char *err, size_t errlen);

/*
 * Queue one alert: a complete JSON object (no trailing newline) and its
 * rules priority (0 = Emergency ... 7 = Debug; lower is more severe).
 * Never blocks on the network; never loses silently.
 */
void ship_submit(struct ship *s, const char *alert_json, size_t len, int priority);

/* Stop accepting new batches lazily: flush everything by deadline_ms (vigil_mono_ms clock),
 * then spool what is left. Poll ship_drained() from the loop. */
void ship_begin_drain(struct ship *s, uint64_t deadline_ms);
bool ship_drained(struct ship *s);

void ship_stats(const struct ship *s, struct ship_counters *out);
/* Count n alerts lost with a predecessor process (dropped_crash). */
void ship_count_crash_loss(struct ship *s, uint64_t n);
/* Replace the agent/task description (e.g. once ECS task metadata arrives);
 * batches built from now on carry it. */
void ship_set_agent_info(struct ship *s, const struct ship_agent_info *agent);
/*
 * Stop: what is in flight or in memory goes to the spool, or is counted as
 * lost (dropped_shutdown). Afterwards only ship_stats and ship_free.
 */
void ship_shutdown(struct ship *s);
void ship_free(struct ship *s); /* ship_shutdown if not done, then free */

#endif
