/* sink_http_life.c — the SaaS sink's life: creation, drain on SIGTERM, free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship/sink_http.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

/* Give back every request in flight (the deadline passed, or we are going away). */
static void abort_all(struct http_sink *s)
{
	struct ship_ctx *ctx = s->base.ctx;
	s->state = ST_BACKOFF; /* requeue then spools instead of keeping in memory */
	struct hreq *r;
	while ((r = s->inflight)) {
		s->inflight = r->next;
		s->ninflight--;
		mcurl_abort(ctx->mc, &r->x);
		http_mem_adjust(s, r->b, -1);
		http_requeue(s, r->b);
		hreq_free(r);
	}
}

static void cancel(struct http_sink *s, uint64_t *timer)
{
	if (*timer)
		evloop_cancel_timer(s->base.ctx->loop, *timer);
	*timer = 0;
}

/* Stop sending: what is in flight or in memory goes to the spool. */
static void stop_sending(struct http_sink *s)
{
	s->deadline_passed = true; /* http_pump starts nothing from now on */
	cancel(s, &s->retry_timer);
	cancel(s, &s->key_timer);
	abort_all(s);
	http_seal(s);
	http_spool_queue(s);
}

static void on_deadline(void *arg)
{
	struct http_sink *s = arg;
	s->drain_timer = 0;
	stop_sending(s);
	if (s->qhead)
		LOG_WARN("http: %s: drain deadline reached with alerts in memory that no spool "
			 "took (none configured, or it cannot be written): counted as "
			 "dropped_shutdown",
			 s->host);
}

static void http_begin_drain(struct sink *k)
{
	struct http_sink *s = (struct http_sink *)k;
	struct ship_ctx *ctx = k->ctx;
	uint64_t now = vigil_mono_ms();
	http_seal(s);
	if (s->state != ST_UP)
		http_spool_queue(s);
	cancel(s, &s->drain_timer);
	s->drain_timer = evloop_add_timer(
		ctx->loop, ctx->deadline_ms > now ? ctx->deadline_ms - now : 0, on_deadline, s);
	http_pump(s);
}

static bool http_drained(struct sink *k)
{
	struct http_sink *s = (struct http_sink *)k;
	if (s->pending || s->ninflight)
		return false;
	if (s->deadline_passed)
		return true;
	/* Failing: keep trying while a retry fits before the deadline; memory is
	 * on disk meanwhile, so stopping early loses nothing. A refused or
	 * failed key is not transient: done once memory is on disk; a key that
	 * is still on its way (a short-lived program) is waited for. */
	if (s->state == ST_BACKOFF)
		return s->qhead == NULL && s->retry_due >= s->base.ctx->deadline_ms;
	if (s->state == ST_NOKEY)
		return s->qhead == NULL && !s->key_pending;
	return s->qhead == NULL && (!s->spool || spool_count(s->spool) == 0);
}

static void http_free(struct sink *k)
{
	struct http_sink *s = (struct http_sink *)k;
	stop_sending(s);
	cancel(s, &s->drain_timer);
	struct sbatch *b;
	while ((b = s->qhead)) { /* nowhere to keep them: counted */
		s->qhead = b->next;
		http_mem_adjust(s, b, -1);
		k->ctx->c.dropped_shutdown += b->n;
		sbatch_free(b);
	}
	spool_close(s->spool);
	strbuf_free(&s->raw);
	free(s);
}

static const struct sink_ops http_ops = {
	.submit = http_submit,
	.begin_drain = http_begin_drain,
	.drained = http_drained,
	.key_changed = http_key_changed,
	.free = http_free,
};

/* The host part of the URL, for messages. */
static void url_host(const char *url, char *out, size_t cap)
{
	CURLU *u = curl_url();
	char *host = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		snprintf(out, cap, "%s", host);
	else
		snprintf(out, cap, "endpoint");
	curl_free(host);
	curl_url_cleanup(u);
}

/* <spool.dir>/<hash of the URL>: each endpoint keeps its own backlog. */
static int open_spool(struct http_sink *s, char *err, size_t errlen)
{
	struct ship_ctx *ctx = s->base.ctx;
	char dir[SHIP_PATH_MAX + 32], base[SHIP_PATH_MAX];
	if (ctx->cfg.spool_max_bytes == 0)
		return 0;
	if (ctx->cfg.spool_dir[0])
		snprintf(base, sizeof(base), "%s", ctx->cfg.spool_dir);
	else
		ship_default_spool_dir(base, sizeof(base));
	snprintf(dir, sizeof(dir), "%s/%016llx", base,
		 (unsigned long long)key_hash(s->url, strlen(s->url)));
	/* The base must be private too: others must not be able to swap our subdirectory. */
	int basefd = spool_dir_open(base, err, errlen);
	if (basefd >= 0) {
		close(basefd);
		s->spool = spool_open(dir, ctx->cfg.spool_max_bytes, &ctx->c, err, errlen);
	}
	if (s->spool)
		return 0;
	if (ctx->cfg.spool_dir[0])
		return -1; /* configured explicitly: an error, not a quiet downgrade */
	LOG_WARN("%s; alerts are buffered in memory only", err);
	return 0;
}

struct sink *sink_http_new(struct ship_ctx *ctx, const char *url, uint64_t queue_bytes, char *err,
			   size_t errlen)
{
	if (http_check_url(url, "outputs", err, errlen) != VIGIL_OK)
		return NULL;
	struct http_sink *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "http: out of memory");
		return NULL;
	}
	s->base.ops = &http_ops;
	s->base.ctx = ctx;
	snprintf(s->url, sizeof(s->url), "%s", url);
	url_host(url, s->host, sizeof(s->host));
	s->queue_max = queue_bytes;
	s->state = ST_UP;
	strbuf_init(&s->raw, ctx->cfg.batch_max_bytes + 64 * 1024);
	if (open_spool(s, err, errlen)) {
		strbuf_free(&s->raw);
		free(s);
		return NULL;
	}
	s->next_seq = (s->spool ? spool_max_seq(s->spool) : 0) + 1;
	if (s->spool && spool_count(s->spool))
		http_pump(s); /* a backlog from before a restart: send it */
	return &s->base;
}
