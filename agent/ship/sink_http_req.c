/* sink_http_req.c — one POST of one batch: gzip body, headers, signature. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship/body.h"
#include "ship/gzip.h"
#include "ship/sink_http.h"

uint64_t key_hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ull;
	return h | 1; /* never 0, which means "none" */
}

static void mcurl_done(struct mcurl_xfer *x, CURLcode rc)
{
	struct hreq *r = (struct hreq *)x;
	http_on_done(r->s, r, rc);
}

/* "X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the gzip body>" */
static struct curl_slist *add_signature(const struct ship_ctx *ctx, struct curl_slist *h,
					const struct strbuf *body)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	if (!HMAC(EVP_sha256(), ctx->hmac_key, (int)ctx->hmac_len,
		  (const unsigned char *)body->data, body->len, mac, &maclen))
		return NULL;
	char line[48 + 2 * EVP_MAX_MD_SIZE];
	int n = snprintf(line, sizeof(line), "X-Vigil-Signature: sha256=");
	for (unsigned i = 0; i < maclen && (size_t)n + 3 < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", mac[i]);
	return curl_slist_append(h, line);
}

/* Every header of the request; NULL on OOM. The key is wiped from our copy. */
static struct curl_slist *headers(const struct ship_ctx *ctx, const struct hreq *r, const char *key,
				  size_t keylen)
{
	struct curl_slist *h = NULL, *t;
	char line[16384 + 64]; /* the key may be an 8 KB SSM advanced parameter */
	const char *fixed[] = {"Content-Type: application/json", "Content-Encoding: gzip",
			       "Expect:"}; /* no 100-continue round trip */
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (!(t = curl_slist_append(h, fixed[i])))
			goto oom;
		h = t;
	}
	snprintf(line, sizeof(line), "Idempotency-Key: %s", r->b->id);
	if (!(t = curl_slist_append(h, line)))
		goto oom;
	h = t;
	int n = snprintf(line, sizeof(line), "Authorization: Bearer %.*s", (int)keylen, key);
	t = n > 0 && (size_t)n < sizeof(line) ? curl_slist_append(h, line) : NULL;
	explicit_bzero(line, sizeof(line));
	if (!t)
		goto oom;
	h = t;
	if (ctx->hmac_len) {
		if (!(t = add_signature(ctx, h, &r->body)))
			goto oom;
		h = t;
	}
	return h;
oom:
	http_free_headers(h);
	return NULL;
}

void hreq_free(struct hreq *r)
{
	if (!r)
		return;
	if (r->x.easy)
		curl_easy_cleanup(r->x.easy);
	http_free_headers(r->hdrs);
	strbuf_free(&r->body);
	free(r);
}

vigil_rc hreq_start(struct http_sink *s, struct sbatch *b, const char *key, size_t keylen)
{
	struct ship_ctx *ctx = s->base.ctx;
	struct hreq *r = calloc(1, sizeof(*r));
	if (!r)
		return VIGIL_ERR_NOMEM;
	r->s = s;
	r->b = b;
	r->x.done = mcurl_done;
	strbuf_init(&r->body, ctx->cfg.max_body_bytes + 1);
	body_build(&s->raw, b, &ctx->agent, &ctx->c);
	if (s->raw.truncated || s->raw.oom) {
		hreq_free(r);
		return s->raw.truncated ? VIGIL_ERR_TOO_BIG : VIGIL_ERR_NOMEM;
	}
	if (ship_deflate(s->raw.data, s->raw.len, SHIP_GZIP_LEVEL, Z_FMT_GZIP, &r->body)) {
		bool over = !r->body.oom;
		hreq_free(r);
		return over ? VIGIL_ERR_TOO_BIG : VIGIL_ERR_NOMEM;
	}
	if (!(r->hdrs = headers(ctx, r, key, keylen)) ||
	    !(r->x.easy = http_easy_new(ctx, s->url, &r->resp)) ||
	    curl_easy_setopt(r->x.easy, CURLOPT_HTTPHEADER, r->hdrs) ||
	    curl_easy_setopt(r->x.easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len) ||
	    curl_easy_setopt(r->x.easy, CURLOPT_POSTFIELDS, r->body.data) ||
	    mcurl_start(ctx->mc, &r->x)) {
		hreq_free(r);
		return VIGIL_ERR_NOMEM;
	}
	ctx->c.requests++;
	r->next = s->inflight;
	s->inflight = r;
	s->ninflight++;
	return VIGIL_OK;
}
