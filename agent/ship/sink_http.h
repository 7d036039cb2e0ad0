/*
 * sink_http.h — the SaaS endpoint sink, shared by its two files:
 * sink_http.c (queue, spool, states, timers) and sink_http_req.c (one
 * request: body, headers, answer).
 *
 * States: UP sends up to http.max_inflight batches at once; a retryable
 * failure moves to BACKOFF (everything in memory goes to the spool, one
 * timer); when it fires, PROBE sends one batch and its answer decides.
 * NOKEY waits for the key source (401/403, or no key yet), spooling too.
 */
#ifndef VIGIL_SHIP_SINK_HTTP_H
#define VIGIL_SHIP_SINK_HTTP_H

#include "ship/batch.h"
#include "ship/http.h"
#include "ship/internal.h"
#include "ship/mcurl.h"
#include "ship/spool.h"
#include "vigil/rc.h"
#include "vigil/strbuf.h"

enum hstate { ST_UP, ST_BACKOFF, ST_PROBE, ST_NOKEY };

struct http_sink;

struct hreq {
	struct mcurl_xfer x; /* first: mcurl hands it back */
	struct http_sink *s;
	struct sbatch *b;
	struct curl_slist *hdrs;
	struct strbuf body; /* gzip */
	struct http_resp resp;
	struct hreq *next;
};

struct http_sink {
	struct sink base;
	char url[SHIP_URL_MAX];
	char host[256];	     /* for messages: never the full URL (it may carry tokens) */
	struct spool *spool; /* NULL: disabled or unusable, memory only */
	struct sbatch *pending;
	uint64_t age_timer;
	struct sbatch *qhead, *qtail; /* sealed, in memory, oldest first */
	struct hreq *inflight;
	unsigned ninflight;
	uint64_t mem_bytes, queue_max;
	enum hstate state;
	unsigned attempt;
	uint64_t retry_timer, key_timer, drain_timer;
	uint64_t retry_due; /* evloop ms of the next attempt while in BACKOFF */
	uint64_t next_seq;
	uint64_t rejected_key; /* hash of the key a 401/403 answered, 0 if none */
	bool deadline_passed;
	bool logged_status[600], logged_tls, logged_key;
	bool key_pending;  /* the key source has no key yet (not: refused, failed) */
	struct strbuf raw; /* body before gzip */
};

/* sink_http_req.c */
/* Build and start a request for b. When it could not start, b is untouched
 * and the result says why: VIGIL_ERR_TOO_BIG, the body would be over
 * http.max_body_bytes (split b); VIGIL_ERR_NOMEM, out of memory (or libcurl
 * refused the request). */
vigil_rc hreq_start(struct http_sink *s, struct sbatch *b, const char *key, size_t keylen);
/* Free a request whose batch was already taken care of. */
void hreq_free(struct hreq *r);
/* FNV-1a of the key: tells a rotated key from the rejected one, reveals nothing. */
uint64_t key_hash(const char *key, size_t len);

/* sink_http.c, called from the request's completion */
void http_on_done(struct http_sink *s, struct hreq *r, CURLcode rc);

/* sink_http.c, for sink_http_life.c */
void http_submit(struct sink *k, const char *json, size_t len, int prio);
void http_key_changed(struct sink *k);
void http_seal(struct http_sink *s);
void http_pump(struct http_sink *s);
void http_spool_queue(struct http_sink *s);
void http_requeue(struct http_sink *s, struct sbatch *b);
void http_mem_adjust(struct http_sink *s, const struct sbatch *b, int sign);

#endif
