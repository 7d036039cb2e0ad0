/*
 * sink_sidekick.c — Falcosidekick: one POST per alert, the alert object as
 * is (application/json), as Falco's http_output does.
 *
 * A bounded memory queue and retries with backoff; no spool (Falcosidekick
 * runs next to the agent, and the SaaS sink is the durable path). What
 * the queue cannot hold, or is left at exit, is counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship/backoff.h"
#include "ship/http.h"
#include "ship/mcurl.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

struct sk_item {
	struct sk_item *next;
	int prio;
	size_t len;
	char json[];
};

struct sk_sink;
struct sk_req {
	struct mcurl_xfer x;
	struct sk_sink *s;
	struct sk_item *it;
	struct curl_slist *hdrs;
	struct http_resp resp;
	struct sk_req *next;
};

struct sk_sink {
	struct sink base;
	char url[SHIP_URL_MAX];
	struct sk_item *head, *tail;
	uint64_t bytes, max_bytes; /* queued and in flight */
	struct sk_req *inflight;
	unsigned ninflight, attempt;
	bool backoff, stopped;
	uint64_t retry_timer, drain_timer;
	bool logged_status[600], logged_down;
};

static void sk_pump(struct sk_sink *s);

static void push(struct sk_sink *s, struct sk_item *it, bool front)
{
	if (front) {
		it->next = s->head;
		s->head = it;
		if (!s->tail)
			s->tail = it;
		return;
	}
	it->next = NULL;
	if (s->tail)
		s->tail->next = it;
	else
		s->head = it;
	s->tail = it;
}

static void forget(struct sk_sink *s, struct sk_item *it)
{
	s->bytes -= it->len;
	free(it);
}

/* Queue full: the oldest alert of the least severe priority queued goes. */
static void drop_one(struct sk_sink *s)
{
	int worst = -1;
	for (struct sk_item *it = s->head; it; it = it->next)
		if (it->prio > worst)
			worst = it->prio;
	for (struct sk_item **p = &s->head, *prev = NULL; *p; prev = *p, p = &(*p)->next) {
		if ((*p)->prio != worst)
			continue;
		struct sk_item *it = *p;
		*p = it->next;
		if (s->tail == it)
			s->tail = prev;
		s->base.ctx->c.dropped_queue_full++;
		forget(s, it);
		return;
	}
}

static void sk_submit(struct sink *k, const char *json, size_t len, int prio)
{
	struct sk_sink *s = (struct sk_sink *)k;
	struct sk_item *it = malloc(sizeof(*it) + len + 1);
	if (!it) {
		k->ctx->c.dropped_queue_full++;
		return;
	}
	it->prio = prio;
	it->len = len;
	memcpy(it->json, json, len);
	it->json[len] = '\0';
	s->bytes += len;
	push(s, it, false);
	while (s->bytes > s->max_bytes && s->head)
		drop_one(s);
	sk_pump(s);
}

static void on_retry(void *arg)
{
	struct sk_sink *s = arg;
	s->retry_timer = 0;
	s->backoff = false;
	sk_pump(s);
}

static void unlink_req(struct sk_sink *s, struct sk_req *r)
{
	for (struct sk_req **p = &s->inflight; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			s->ninflight--;
			return;
		}
}

static void req_free(struct sk_req *r)
{
	if (r->x.easy)
		curl_easy_cleanup(r->x.easy);
	curl_slist_free_all(r->hdrs);
	free(r);
}

static void retry_later(struct sk_sink *s, int64_t retry_after, const char *why)
{
	struct ship_ctx *ctx = s->base.ctx;
	ctx->c.retries++;
	if (!s->logged_down)
		LOG_WARN("falcosidekick: %s; retrying", why);
	s->logged_down = true;
	if (s->backoff)
		return;
	s->backoff = true;
	uint64_t d = retry_after >= 0
			     ? (uint64_t)retry_after
			     : backoff_delay_ms(ctx->cfg.retry_initial_ms, ctx->cfg.retry_max_ms,
						s->attempt++, ship_random64());
	s->retry_timer = evloop_add_timer(ctx->loop, d, on_retry, s);
}

static void sk_done(struct mcurl_xfer *x, CURLcode rc)
{
	struct sk_req *r = (struct sk_req *)x;
	struct sk_sink *s = r->s;
	struct ship_ctx *ctx = s->base.ctx;
	long status;
	enum http_verdict v = http_verdict(x->easy, rc, &status);
	unlink_req(s, r);
	if (v == HV_OK) {
		ctx->c.sidekick_delivered++;
		s->attempt = 0;
		s->logged_down = false;
		forget(s, r->it);
	} else if (v == HV_RETRY) {
		char why[96];
		snprintf(why, sizeof(why), "%s", rc ? curl_easy_strerror(rc) : "HTTP error");
		push(s, r->it, true);
		retry_later(s, r->resp.retry_after_ms, why);
	} else {
		ctx->c.dropped_rejected++;
		if (status >= 0 && status < 600 && !s->logged_status[status])
			LOG_ERR("falcosidekick: alert refused with HTTP %ld: dropped (counted)",
				status);
		if (status >= 0 && status < 600)
			s->logged_status[status] = true;
		forget(s, r->it);
	}
	req_free(r);
	sk_pump(s);
}

static bool sk_start(struct sk_sink *s, struct sk_item *it)
{
	struct ship_ctx *ctx = s->base.ctx;
	struct sk_req *r = calloc(1, sizeof(*r));
	if (!r)
		return false;
	r->s = s;
	r->it = it;
	r->x.done = sk_done;
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (!r->hdrs || !(r->x.easy = http_easy_new(ctx, s->url, &r->resp)) ||
	    curl_easy_setopt(r->x.easy, CURLOPT_HTTPHEADER, r->hdrs) ||
	    curl_easy_setopt(r->x.easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len) ||
	    curl_easy_setopt(r->x.easy, CURLOPT_POSTFIELDS, (const char *)&it->json[0]) ||
	    mcurl_start(ctx->mc, &r->x)) {
		req_free(r);
		return false;
	}
	ctx->c.requests++;
	r->next = s->inflight;
	s->inflight = r;
	s->ninflight++;
	return true;
}

static void sk_pump(struct sk_sink *s)
{
	while (!s->backoff && !s->stopped && s->head &&
	       s->ninflight < s->base.ctx->cfg.max_inflight) {
		struct sk_item *it = s->head;
		s->head = it->next;
		if (!s->head)
			s->tail = NULL;
		if (!sk_start(s, it)) {
			push(s, it, true);
			retry_later(s, -1, "cannot build a request (out of memory)");
			return;
		}
	}
}

/* Drop everything: counted as lost at shutdown. */
static void stop(struct sk_sink *s)
{
	struct ship_ctx *ctx = s->base.ctx;
	s->stopped = true;
	if (s->retry_timer)
		evloop_cancel_timer(ctx->loop, s->retry_timer);
	s->retry_timer = 0;
	struct sk_req *r;
	while ((r = s->inflight)) {
		s->inflight = r->next;
		s->ninflight--;
		mcurl_abort(ctx->mc, &r->x);
		push(s, r->it, true);
		req_free(r);
	}
	struct sk_item *it;
	while ((it = s->head)) {
		s->head = it->next;
		ctx->c.dropped_shutdown++;
		forget(s, it);
	}
	s->tail = NULL;
}

static void on_deadline(void *arg)
{
	struct sk_sink *s = arg;
	s->drain_timer = 0;
	if (s->head || s->inflight)
		LOG_WARN("falcosidekick: drain deadline reached; undelivered alerts are counted");
	stop(s);
}

static void sk_begin_drain(struct sink *k)
{
	struct sk_sink *s = (struct sk_sink *)k;
	uint64_t now = vigil_mono_ms(), dl = k->ctx->deadline_ms;
	if (s->drain_timer)
		evloop_cancel_timer(k->ctx->loop, s->drain_timer);
	s->drain_timer = evloop_add_timer(k->ctx->loop, dl > now ? dl - now : 0, on_deadline, s);
}

static bool sk_drained(struct sink *k)
{
	struct sk_sink *s = (struct sk_sink *)k;
	return !s->head && !s->inflight;
}

static void sk_free(struct sink *k)
{
	struct sk_sink *s = (struct sk_sink *)k;
	stop(s);
	if (s->drain_timer)
		evloop_cancel_timer(k->ctx->loop, s->drain_timer);
	free(s);
}

static const struct sink_ops sk_ops = {
	.submit = sk_submit,
	.begin_drain = sk_begin_drain,
	.drained = sk_drained,
	.free = sk_free,
};

struct sink *sink_sidekick_new(struct ship_ctx *ctx, const char *url, uint64_t queue_bytes,
			       char *err, size_t errlen)
{
	if (http_check_url(url, "outputs (falcosidekick)", err, errlen) != VIGIL_OK)
		return NULL;
	struct sk_sink *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "falcosidekick: out of memory");
		return NULL;
	}
	s->base.ops = &sk_ops;
	s->base.ctx = ctx;
	s->max_bytes = queue_bytes;
	snprintf(s->url, sizeof(s->url), "%s", url);
	return &s->base;
}
