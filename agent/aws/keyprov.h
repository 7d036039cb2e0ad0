/*
 * keyprov.h — the API key for the alert endpoint, as the rest of vigil sees it.
 *
 * The key comes from the first source configured: VIGIL_API_KEY (the key
 * itself, e.g. injected by ECS `secrets`), VIGIL_API_KEY_FILE, or SSM
 * Parameter Store (VIGIL_API_KEY_SSM = name or ARN). Fetching may block on
 * the network, so it runs in a background thread; the event loop watches
 * keyprov_fd() and calls keyprov_get(), which never blocks on I/O.
 *
 * The key and the AWS credentials live in memory excluded from core dumps,
 * are zeroed when replaced or freed, and are never logged or written out.
 */
#ifndef VIGIL_AWS_KEYPROV_H
#define VIGIL_AWS_KEYPROV_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/ssm.h"

#define KEYPROV_KEY_MAX (SSM_VALUE_MAX + 1) /* a buffer this large always fits the key */
#define KEYPROV_PATH_MAX 4096

/* Plain data, so that a YAML loader can fill it as well as the environment. */
struct keyprov_config {
	const char *api_key;		     /* the key itself; borrowed, copied by keyprov_start */
	char api_key_file[KEYPROV_PATH_MAX]; /* file holding the key */
	char ssm_parameter[SSM_NAME_MAX + 1]; /* SSM parameter name or ARN */
	char region[AWS_REGION_MAX];	      /* "" = from the ARN, else ECS task metadata */
	char ssm_endpoint[512];		      /* "" = AWS_ENDPOINT_URL_SSM / _URL / standard */
	char ca_file[KEYPROV_PATH_MAX];	      /* "": the system's, else the bundle's */
	unsigned refresh_s;		      /* periodic re-fetch (default 900) */
	unsigned min_refetch_s; /* keyprov_invalidate() at most this often (default 30) */
	unsigned timeout_ms;	/* one SSM call (default 10000) */
	unsigned max_attempts;	/* SSM attempts on throttling/5xx (default 5) */
	unsigned retry_base_ms, retry_cap_ms; /* full-jitter backoff (default 200, 20000) */
	bool task_metadata; /* read ECS task metadata (default true; optional anyway) */
};

/* What the last fetch did: for logs and `vigil aws check`; no secrets. */
struct keyprov_report {
	char source[8];		      /* "env", "file", "ssm" */
	char where[KEYPROV_PATH_MAX]; /* VIGIL_API_KEY, the file, or the parameter */
	char region[AWS_REGION_MAX];
	char region_from[48];
	struct ssm_report ssm;
	time_t creds_expiration; /* 0: none or long-term */
	size_t key_len;
	char fingerprint[17]; /* first 8 bytes of SHA-256(key), hex */
	char warning[256];
};

struct keyprov;

/* Defaults, then VIGIL_API_KEY, VIGIL_API_KEY_FILE, VIGIL_API_KEY_SSM,
 * AWS_REGION / AWS_DEFAULT_REGION, VIGIL_CA_FILE, VIGIL_API_KEY_REFRESH
 * (seconds), VIGIL_API_KEY_MIN_REFETCH (seconds), VIGIL_AWS_TIMEOUT_MS,
 * VIGIL_AWS_MAX_ATTEMPTS, VIGIL_AWS_RETRY_BASE_MS. */
void keyprov_config_defaults(struct keyprov_config *cfg);
int keyprov_config_from_env(struct keyprov_config *cfg, char *err, size_t errlen);
/* true when some source of the key is configured. */
bool keyprov_configured(const struct keyprov_config *cfg);

/* Start the background thread; NULL with a message when nothing is
 * configured or the thread cannot start. The thread blocks every signal. */
struct keyprov *keyprov_start(const struct keyprov_config *cfg, char *err, size_t errlen);
/* An eventfd (non-blocking) that becomes readable when the key changes or a
 * permanent error happens; read 8 bytes to re-arm. */
int keyprov_fd(struct keyprov *kp);
/* Copy the current key into out[cap] (NUL-terminated). Returns its length,
 * 0 when not known yet, -1 on a permanent error with no key to serve (see
 * keyprov_error) or when cap is too small (use KEYPROV_KEY_MAX). */
int keyprov_get(struct keyprov *kp, char *out, size_t cap);
/* The last error (permanent or not) into buf; returns true if there is one. */
bool keyprov_error(struct keyprov *kp, char *buf, size_t cap);
/* The alert endpoint rejected the key (401/403): fetch it again, at most
 * once per min_refetch_s. */
void keyprov_invalidate(struct keyprov *kp);
/* A copy of what the last fetch did. */
void keyprov_report(struct keyprov *kp, struct keyprov_report *out);
/* Stop and join the thread, zero and free everything. NULL is fine. */
void keyprov_stop(struct keyprov *kp);

/* One blocking fetch, as the thread does it (used by `vigil aws check`). */
struct keyprov_fetcher;
struct keyprov_fetcher *keyprov_fetcher_new(const struct keyprov_config *cfg,
					    const struct aws_ctx *ctx);
void keyprov_fetcher_free(struct keyprov_fetcher *f);
vigil_rc keyprov_fetch(struct keyprov_fetcher *f, char *key, size_t cap, size_t *len,
		       struct keyprov_report *rep, char *err, size_t errlen);
/* Refresh the fetcher's AWS credentials if they are due (no-op for non-SSM
 * sources); returns when they next need refreshing (0 = never). */
time_t keyprov_fetcher_creds_due(struct keyprov_fetcher *f);
void keyprov_fetcher_refresh_creds(struct keyprov_fetcher *f);

#endif
