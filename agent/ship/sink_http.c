/* sink_http.c — the SaaS sink: batching, memory bound, spool, states and timers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship/backoff.h"
#include "ship/sink_http.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

#define KEY_POLL_MS 1000u
#define KEY_MAX 16384u /* SSM advanced parameters hold 8 KB */

/* Memory held by alerts of this sink, and the ship-wide figures. */
void http_mem_adjust(struct http_sink *s, const struct sbatch *b, int sign)
{
	struct ship_counters *c = &s->base.ctx->c;
	if (sign > 0) {
		s->mem_bytes += b->data_len;
		c->queue_bytes += b->data_len;
		c->queued_alerts += b->n;
	} else {
		s->mem_bytes -= b->data_len;
		c->queue_bytes -= b->data_len;
		c->queued_alerts -= b->n;
	}
}

static void push_tail(struct http_sink *s, struct sbatch *b)
{
	b->next = NULL;
	if (s->qtail)
		s->qtail->next = b;
	else
		s->qhead = b;
	s->qtail = b;
}

static void push_front(struct http_sink *s, struct sbatch *b)
{
	b->next = s->qhead;
	s->qhead = b;
	if (!s->qtail)
		s->qtail = b;
}

static struct sbatch *pop_front(struct http_sink *s)
{
	struct sbatch *b = s->qhead;
	if (b) {
		s->qhead = b->next;
		if (!s->qhead)
			s->qtail = NULL;
		b->next = NULL;
	}
	return b;
}

/* Move an in-memory batch (counted in mem) to disk. VIGIL_OK: done, b
 * freed; otherwise b is kept: VIGIL_ERR_NOT_FOUND when the sink has no
 * spool, else spool_put's failure. */
static vigil_rc http_to_spool(struct http_sink *s, struct sbatch *b)
{
	if (!s->spool)
		return VIGIL_ERR_NOT_FOUND;
	http_mem_adjust(s, b, -1);
	vigil_rc rc = spool_put(s->spool, b);
	if (rc != VIGIL_OK) {
		http_mem_adjust(s, b, +1); /* what is left of it: evictions were counted */
		return rc;
	}
	sbatch_free(b);
	return VIGIL_OK;
}

/* Persist everything queued in memory (the endpoint is out of reach). */
void http_spool_queue(struct http_sink *s)
{
	struct sbatch *b;
	while ((b = pop_front(s))) {
		if (http_to_spool(s, b) != VIGIL_OK) {
			push_front(s, b);
			return;
		}
	}
}

/* Drop the oldest alerts of the least severe priority held in memory (not in flight). */
static bool drop_one_priority(struct http_sink *s, uint64_t need)
{
	int worst = s->pending ? sbatch_worst_prio(s->pending) : -1;
	for (struct sbatch *b = s->qhead; b; b = b->next)
		if (sbatch_worst_prio(b) > worst)
			worst = sbatch_worst_prio(b);
	if (worst < 0)
		return false;
	struct sbatch *victim = NULL;
	for (struct sbatch *b = s->qhead; b && !victim; b = b->next)
		if (sbatch_count_prio(b, worst))
			victim = b;
	if (!victim)
		victim = s->pending;
	http_mem_adjust(s, victim, -1);
	size_t n = sbatch_drop_prio(victim, worst, (size_t)need);
	http_mem_adjust(s, victim, +1);
	s->base.ctx->c.dropped_queue_full += n;
	return n > 0;
}

/* Keep memory under queue.max_bytes: spool the oldest, else drop and count. */
static void enforce_bound(struct http_sink *s)
{
	while (s->mem_bytes > s->queue_max) {
		struct sbatch *b = pop_front(s);
		if (b && http_to_spool(s, b) == VIGIL_OK)
			continue;
		if (b)
			push_front(s, b);
		if (!drop_one_priority(s, s->mem_bytes - s->queue_max))
			return; /* only requests in flight hold memory: they will free it */
	}
	/* Emptied batches (everything dropped) are not worth a request. */
	while (s->qhead && s->qhead->n == 0)
		sbatch_free(pop_front(s));
}

static void on_age(void *arg);

/* Close the batch being filled and queue (or spool) it. */
void http_seal(struct http_sink *s)
{
	struct sbatch *b = s->pending;
	if (s->age_timer)
		evloop_cancel_timer(s->base.ctx->loop, s->age_timer);
	s->age_timer = 0;
	s->pending = NULL;
	if (!b)
		return;
	if (b->n == 0) {
		sbatch_free(b);
		return;
	}
	if (s->state == ST_UP || http_to_spool(s, b) != VIGIL_OK)
		push_tail(s, b);
	enforce_bound(s);
	http_pump(s);
}

static void on_age(void *arg)
{
	struct http_sink *s = arg;
	s->age_timer = 0;
	http_seal(s);
}

void http_submit(struct sink *k, const char *json, size_t len, int prio)
{
	struct http_sink *s = (struct http_sink *)k;
	struct ship_ctx *ctx = k->ctx;
	if (len > ctx->cfg.batch_max_bytes) {
		ctx->c.dropped_too_large++;
		LOG_WARN("http: an alert of %zu bytes is larger than a batch may be: dropped", len);
		return;
	}
	if (s->pending &&
	    sbatch_full_with(s->pending, len, ctx->cfg.batch_max_alerts, ctx->cfg.batch_max_bytes))
		http_seal(s);
	if (!s->pending) {
		if (!(s->pending = sbatch_new(s->next_seq++))) {
			ctx->c.dropped_queue_full++;
			return;
		}
		s->pending->created_ms = vigil_mono_ms();
		uint64_t age = ctx->draining ? 0 : ctx->cfg.batch_max_age_ms;
		s->age_timer = evloop_add_timer(ctx->loop, age, on_age, s);
	}
	http_mem_adjust(s, s->pending, -1);
	if (sbatch_add(s->pending, json, len, prio) != 0)
		ctx->c.dropped_queue_full++;
	http_mem_adjust(s, s->pending, +1);
	enforce_bound(s);
}

/* The key to send with, into buf; false (and NOKEY) when there is none to use. */
static bool fetch_key(struct http_sink *s, char *buf, size_t cap, size_t *len)
{
	struct ship_ctx *ctx = s->base.ctx;
	int n = ctx->has_key ? ctx->key.get(ctx->key.ctx, buf, cap) : -1;
	s->key_pending = n == 0;
	if (n > 0 && (size_t)n < cap && key_hash(buf, (size_t)n) != s->rejected_key) {
		*len = (size_t)n;
		s->logged_key = false;
		return true;
	}
	explicit_bzero(buf, cap);
	if (!s->logged_key) {
		if (n > 0)
			LOG_WARN("http: %s: the API key was refused; buffering until it changes",
				 s->host);
		else if (n == 0)
			LOG_INFO("http: %s: API key not known yet; buffering alerts", s->host);
		else
			LOG_ERR("http: %s: no API key available; buffering alerts", s->host);
		s->logged_key = true;
	}
	return false;
}

static void on_key_poll(void *arg);

static void enter_nokey(struct http_sink *s)
{
	struct ship_ctx *ctx = s->base.ctx;
	s->state = ST_NOKEY;
	http_spool_queue(s);
	if (!s->key_timer)
		s->key_timer = evloop_add_timer(ctx->loop, KEY_POLL_MS, on_key_poll, s);
}

/* The key source says the key changed, or the poll timer fired. */
void http_key_changed(struct sink *k)
{
	struct http_sink *s = (struct http_sink *)k;
	if (s->state != ST_NOKEY)
		return;
	char key[KEY_MAX];
	size_t len;
	if (fetch_key(s, key, sizeof(key), &len)) {
		explicit_bzero(key, sizeof(key));
		s->state = ST_PROBE;
		http_pump(s);
	}
}

static void on_key_poll(void *arg)
{
	struct http_sink *s = arg;
	struct ship_ctx *ctx = s->base.ctx;
	s->key_timer = 0;
	http_key_changed(&s->base);
	if (s->state != ST_NOKEY)
		return;
	/* Still the refused key: the new one may not have been published when
	 * the source was first asked. Ask again (the source rate-limits). */
	if (s->rejected_key && ctx->has_key && ctx->key.invalidate)
		ctx->key.invalidate(ctx->key.ctx);
	s->key_timer = evloop_add_timer(ctx->loop, KEY_POLL_MS, on_key_poll, s);
}

/* Oldest first: the spool holds older batches than memory does. */
static struct sbatch *next_batch(struct http_sink *s)
{
	if (s->spool && spool_ready(s->spool)) {
		struct sbatch *b = spool_take_oldest(s->spool);
		if (b)
			return b;
	}
	struct sbatch *b = pop_front(s);
	if (b)
		http_mem_adjust(s, b, -1); /* re-added below while in flight */
	return b;
}

/* A batch that is not going out now: back to the spool's care or to memory. */
void http_requeue(struct http_sink *s, struct sbatch *b)
{
	if (b->spooled) {
		spool_release(s->spool, b->seq);
		sbatch_free(b);
		return;
	}
	http_mem_adjust(s, b, +1);
	if (s->state == ST_UP || http_to_spool(s, b) != VIGIL_OK)
		push_front(s, b);
}

/* A batch left for good (delivered, rejected, dropped): forget it everywhere. */
static void retire(struct http_sink *s, struct sbatch *b)
{
	if (b->spooled)
		spool_remove(s->spool, b->seq);
	sbatch_free(b);
}

/* 413, or a body over http.max_body_bytes: send two halves instead. */
static void split(struct http_sink *s, struct sbatch *b)
{
	struct ship_ctx *ctx = s->base.ctx;
	struct sbatch *lo, *hi;
	if (b->n < 2) {
		ctx->c.dropped_too_large += b->n;
		LOG_WARN("http: %s: one alert of %zu bytes is too large for the endpoint: dropped",
			 s->host, b->data_len);
		retire(s, b);
		return;
	}
	if (sbatch_split(b, s->next_seq, s->next_seq + 1, &lo, &hi) != 0) {
		http_requeue(s, b);
		return;
	}
	s->next_seq += 2;
	/* A spooled original is replaced on disk by its halves; otherwise they
	 * go to the front of the memory queue, lower half first. */
	bool was_spooled = b->spooled;
	struct sbatch *halves[2] = {hi, lo};
	for (int i = 0; i < 2; i++) {
		struct sbatch *x = halves[i];
		if (was_spooled && spool_put(s->spool, x) == VIGIL_OK) {
			sbatch_free(x);
			continue;
		}
		http_mem_adjust(s, x, +1);
		push_front(s, x);
	}
	retire(s, b);
}

static void on_retry(void *arg)
{
	struct http_sink *s = arg;
	s->retry_timer = 0;
	if (s->state == ST_BACKOFF) {
		s->state = ST_PROBE;
		http_pump(s);
	}
}

/* A retryable failure: stop sending, persist what is in memory, try later. */
static void enter_backoff(struct http_sink *s, int64_t retry_after, const char *why)
{
	struct ship_ctx *ctx = s->base.ctx;
	if (s->state == ST_BACKOFF)
		return;	       /* another request of the same outage */
	if (s->state == ST_UP) /* a failed probe is the same outage: said already */
		LOG_WARN("http: %s: %s; buffering alerts%s and retrying", s->host, why,
			 s->spool ? " to the spool" : " in memory");
	s->state = ST_BACKOFF;
	uint64_t delay = retry_after >= 0 ? (uint64_t)retry_after
					  : backoff_delay_ms(ctx->cfg.retry_initial_ms,
							     ctx->cfg.retry_max_ms, s->attempt,
							     ship_random64());
	s->attempt++;
	if (s->retry_timer)
		evloop_cancel_timer(ctx->loop, s->retry_timer);
	s->retry_timer = evloop_add_timer(ctx->loop, delay, on_retry, s);
	s->retry_due = vigil_mono_ms() + delay;
	http_spool_queue(s);
}

/* Start one batch; false when nothing was started. */
static bool start_one(struct http_sink *s, const char *key, size_t keylen)
{
	struct sbatch *b = next_batch(s);
	if (!b)
		return false;
	http_mem_adjust(s, b, +1);
	vigil_rc rc = hreq_start(s, b, key, keylen);
	if (rc == VIGIL_OK)
		return true;
	http_mem_adjust(s, b, -1);
	if (rc == VIGIL_ERR_TOO_BIG) {
		split(s, b); /* the body would be over http.max_body_bytes */
		return true;
	}
	http_requeue(s, b);
	enter_backoff(s, -1, "cannot build a request (out of memory)");
	return false;
}

/* Send what may be sent now. */
void http_pump(struct http_sink *s)
{
	struct ship_ctx *ctx = s->base.ctx;
	if (s->deadline_passed)
		return;
	while ((s->state == ST_UP && s->ninflight < ctx->cfg.max_inflight) ||
	       (s->state == ST_PROBE && s->ninflight == 0)) {
		if (!s->qhead && !(s->spool && spool_ready(s->spool)))
			return;
		char key[KEY_MAX];
		size_t keylen = 0;
		if (!fetch_key(s, key, sizeof(key), &keylen)) {
			enter_nokey(s);
			return;
		}
		bool started = start_one(s, key, keylen);
		explicit_bzero(key, keylen);
		/* A probe is one request; a split started none, so go round again. */
		if (!started || (s->state == ST_PROBE && s->ninflight))
			return;
	}
}

static void unlink_req(struct http_sink *s, struct hreq *r)
{
	for (struct hreq **p = &s->inflight; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			s->ninflight--;
			return;
		}
	}
}

/* Say why a request failed, without the response beyond a bounded, printable prefix. */
static void describe(const struct hreq *r, CURLcode rc, long status, char *out, size_t cap)
{
	if (rc != CURLE_OK) {
		snprintf(out, cap, "%s", curl_easy_strerror(rc));
		return;
	}
	char body[81];
	size_t n = 0;
	for (size_t i = 0; i < r->resp.body_len && n < sizeof(body) - 1; i++) {
		char c = r->resp.body[i];
		body[n++] = c >= 0x20 && c < 0x7f ? c : '.';
	}
	body[n] = '\0';
	snprintf(out, cap, "HTTP %ld%s%s", status, n ? ": " : "", body);
}

static void on_auth_failure(struct http_sink *s, struct sbatch *b)
{
	struct ship_ctx *ctx = s->base.ctx;
	char key[KEY_MAX];
	int n = ctx->has_key ? ctx->key.get(ctx->key.ctx, key, sizeof(key)) : -1;
	if (n > 0 && (size_t)n < sizeof(key))
		s->rejected_key = key_hash(key, (size_t)n);
	explicit_bzero(key, sizeof(key));
	if (ctx->has_key && ctx->key.invalidate)
		ctx->key.invalidate(ctx->key.ctx);
	s->logged_key = false;
	enter_nokey(s);
	http_requeue(s, b);
}

/* Permanent refusal: count, say so once per status. */
static void on_reject(struct http_sink *s, struct sbatch *b, const char *why, long status)
{
	s->base.ctx->c.dropped_rejected += b->n;
	if (status < 0 || status >= 600 || !s->logged_status[status])
		LOG_ERR("http: %s: batch refused (%s): %zu alerts dropped; further refusals with "
			"this status are only counted",
			s->host, why, b->n);
	if (status >= 0 && status < 600)
		s->logged_status[status] = true;
	retire(s, b);
}

void http_on_done(struct http_sink *s, struct hreq *r, CURLcode rc)
{
	struct ship_ctx *ctx = s->base.ctx;
	struct sbatch *b = r->b;
	long status;
	enum http_verdict v = http_verdict(r->x.easy, rc, &status);
	char why[160];
	describe(r, rc, status, why, sizeof(why));
	unlink_req(s, r);
	http_mem_adjust(s, b, -1);
	switch (v) {
	case HV_OK:
		ctx->c.delivered += b->n;
		if (s->state != ST_UP) {
			if (s->attempt)
				LOG_INFO("http: %s: endpoint reachable again", s->host);
			s->state = ST_UP;
			s->logged_tls = false;
		}
		s->attempt = 0;
		retire(s, b);
		break;
	case HV_TOO_LARGE: split(s, b); break;
	case HV_AUTH: on_auth_failure(s, b); break;
	case HV_REJECT: on_reject(s, b, why, status); break;
	case HV_RETRY:
		ctx->c.retries++;
		if (http_tls_failure(rc) && !s->logged_tls) {
			LOG_ERR("http: %s: TLS certificate verification failed (%s, CA file %s); "
				"alerts are kept until it succeeds",
				s->host, why, ctx->ca_file);
			s->logged_tls = true;
		}
		enter_backoff(s, r->resp.retry_after_ms, why);
		http_requeue(s, b);
		break;
	}
	hreq_free(r);
	http_pump(s);
}
