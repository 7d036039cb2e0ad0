/*
 * ssm.c — one GetParameter call, retried: build the JSON body, sign it with
 * SigV4 (service "ssm"), POST it, and take Parameter.Value from the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/fbuf.h"
#include "aws/http.h"
#include "aws/secret.h"
#include "aws/sigv4.h"
#include "aws/ssm.h"

#define TARGET "AmazonSSM.GetParameter"
#define CONTENT_TYPE "application/x-amz-json-1.1"
#define HDR_MEM (SIGV4_AUTH_MAX + AWS_TOKEN_MAX + 256) /* Authorization + token header lines */

struct call {
	const struct aws_ctx *ctx;
	const char *endpoint, *region, *name;
	char host[300];
	char *body;	       /* {"Name": ..., "WithDecryption": true} */
	struct sigv4_out *sig; /* secret memory: holds the token */
	char *hdr; /* secret memory: "Authorization: ...", "X-Amz-Security-Token: ..." */
};

static int sign(struct call *c, const struct aws_creds *cr, char *err, size_t errlen)
{
	struct sigv4_header h[] = {
		{"Host", c->host}, {"Content-Type", CONTENT_TYPE}, {"X-Amz-Target", TARGET}};
	struct sigv4_request req = {"POST", "/", NULL, h, 3, c->body, strlen(c->body)};
	struct sigv4_key key = {cr->access_key_id, cr->secret_access_key, cr->session_token};
	struct sigv4_scope scope = {c->region, "ssm", NULL};
	return sigv4_sign(&req, &key, &scope, c->sig, err, errlen);
}

/* Header lines in c->hdr: Authorization at 0, the token line after its NUL. */
static int header_lines(struct call *c, const struct aws_creds *cr, struct aws_http_req *req)
{
	struct fbuf b;
	fbuf_init(&b, c->hdr, HDR_MEM);
	fbuf_adds(&b, "Authorization: ");
	fbuf_adds(&b, c->sig->authorization);
	size_t tok = b.len + 1;
	fbuf_addc(&b, '\0');
	if (cr->session_token[0]) {
		fbuf_adds(&b, "X-Amz-Security-Token: ");
		fbuf_adds(&b, cr->session_token);
	}
	if (b.over)
		return -1;
	req->headers[req->n_headers++] = c->hdr;
	if (cr->session_token[0])
		req->headers[req->n_headers++] = c->hdr + tok;
	return 0;
}

/* Parameter.Value (and Type, Version for the report) from a 200 answer. */
static vigil_rc take_value(const struct aws_http_resp *r, char *value, size_t cap, size_t *len,
			   struct ssm_report *rep, const char *name, char *err, size_t errlen)
{
	json_t *o = json_loadb(r->body, r->len, 0, NULL);
	json_t *p = json_object_get(o, "Parameter");
	json_t *v = json_object_get(p, "Value");
	vigil_rc st = VIGIL_ERR_PERMANENT;
	if (!json_is_string(v))
		snprintf(err, errlen, "SSM answer for %s has no Parameter.Value", name);
	else if (json_string_length(v) == 0 || json_string_length(v) >= cap ||
		 strlen(json_string_value(v)) != json_string_length(v))
		snprintf(err, errlen,
			 "SSM parameter %s: value is empty, has a NUL byte or is longer than %zu "
			 "bytes",
			 name, cap - 1);
	else {
		*len = json_string_length(v);
		memcpy(value, json_string_value(v), *len + 1);
		const char *type = json_string_value(json_object_get(p, "Type"));
		str_copy(rep->type, sizeof(rep->type), type ? type : "");
		rep->version = json_integer_value(json_object_get(p, "Version"));
		st = VIGIL_OK;
	}
	json_decref(o); /* the wiping allocator zeroes jansson's copy of the value */
	return st;
}

/* One signed POST. VIGIL_OK: value filled. Otherwise *verdict says what next. */
static vigil_rc attempt(struct call *c, const struct aws_creds *cr, char *value, size_t cap,
			size_t *len, struct ssm_report *rep, enum ssm_verdict *verdict, char *err,
			size_t errlen)
{
	*verdict = SSM_FAIL;
	if (sign(c, cr, err, errlen) != 0)
		return VIGIL_ERR_PERMANENT;
	char date_hdr[64], host_hdr[320];
	snprintf(date_hdr, sizeof(date_hdr), "X-Amz-Date: %s", c->sig->amz_date);
	snprintf(host_hdr, sizeof(host_hdr), "Host: %s", c->host);
	struct aws_http_req req = {
		.method = "POST", .url = c->endpoint, .body = c->body, .body_len = strlen(c->body)};
	req.headers[req.n_headers++] = host_hdr;
	req.headers[req.n_headers++] = "Content-Type: " CONTENT_TYPE;
	req.headers[req.n_headers++] = "X-Amz-Target: " TARGET;
	req.headers[req.n_headers++] = date_hdr;
	if (header_lines(c, cr, &req) != 0) {
		snprintf(err, errlen, "request headers too long");
		return VIGIL_ERR_PERMANENT;
	}
	struct aws_http_resp r;
	char why[256];
	vigil_rc st = VIGIL_ERR_TRANSIENT;
	if (aws_http_do(c->ctx, &req, &r, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "SSM %s: %s", c->endpoint, why);
		*verdict = SSM_RETRY;
	} else {
		str_copy(rep->request_id, sizeof(rep->request_id), r.request_id);
		if (r.status == 200)
			st = take_value(&r, value, cap, len, rep, c->name, err, errlen);
		else
			*verdict = ssm_classify_error(r.status, r.body, r.len, r.error_type,
						      c->name, c->region, err, errlen);
		if (r.status != 200 && *verdict == SSM_FAIL)
			st = VIGIL_ERR_PERMANENT; /* a person must act: retrying cannot help */
	}
	aws_http_resp_free(&r);
	secret_wipe(c->hdr, HDR_MEM);
	sigv4_out_wipe(c->sig);
	return st;
}

static void note_creds(struct ssm_report *rep, const struct aws_creds *cr)
{
	rep->source = cr->source;
	creds_mask_key_id(cr->access_key_id, rep->key_id_masked, sizeof(rep->key_id_masked));
	str_copy(rep->creds_detail, sizeof(rep->creds_detail), cr->detail);
}

static vigil_rc run(struct call *c, struct creds_cache *cc, char *value, size_t cap, size_t *len,
		    struct ssm_report *rep, char *err, size_t errlen)
{
	bool refreshed = false;
	unsigned max = c->ctx->max_attempts ? c->ctx->max_attempts : 1;
	for (unsigned i = 0; i < max; i++) {
		const struct aws_creds *cr;
		enum ssm_verdict verdict;
		vigil_rc st = creds_get(cc, c->ctx, &cr, err, errlen);
		if (st != VIGIL_OK)
			return st;
		note_creds(rep, cr);
		rep->attempts++;
		st = attempt(c, cr, value, cap, len, rep, &verdict, err, errlen);
		if (st == VIGIL_OK || verdict == SSM_FAIL)
			return st;
		if (verdict == SSM_REFRESH_CREDS) {
			if (refreshed)
				return VIGIL_ERR_PERMANENT; /* fresh credentials rejected too: not a timing problem */
			refreshed = true;
			creds_invalidate(cc);
			continue; /* no wait: new credentials, not a busy service */
		}
		if (i + 1 < max && !aws_ctx_sleep(c->ctx, aws_backoff_ms(i, c->ctx->retry_base_ms,
									 c->ctx->retry_cap_ms)))
			return VIGIL_ERR_STOPPED;
	}
	return aws_ctx_stopped(c->ctx) ? VIGIL_ERR_STOPPED : VIGIL_ERR_TRANSIENT;
}

vigil_rc ssm_get_parameter(const struct aws_ctx *ctx, struct creds_cache *cc, const char *endpoint,
			   const char *region, const char *name, char *value, size_t cap,
			   size_t *len, struct ssm_report *rep, char *err, size_t errlen)
{
	struct call c = {.ctx = ctx, .endpoint = endpoint, .region = region, .name = name};
	str_copy(rep->endpoint, sizeof(rep->endpoint), endpoint);
	if (aws_url_host(endpoint, c.host, sizeof(c.host)) != 0) {
		snprintf(err, errlen, "invalid SSM endpoint URL %s", endpoint);
		return VIGIL_ERR_PERMANENT;
	}
	if (!name[0] || strlen(name) > SSM_NAME_MAX) {
		snprintf(err, errlen, "SSM parameter name must be 1 to %d characters",
			 SSM_NAME_MAX);
		return VIGIL_ERR_PERMANENT;
	}
	json_t *body = json_pack("{s:s, s:b}", "Name", name, "WithDecryption", 1);
	c.body = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	c.sig = secret_alloc(sizeof(*c.sig));
	c.hdr = secret_alloc(HDR_MEM);
	vigil_rc st = VIGIL_ERR_TRANSIENT;
	if (!c.body || !c.sig || !c.hdr)
		snprintf(err, errlen, "out of memory");
	else
		st = run(&c, cc, value, cap, len, rep, err, errlen);
	free(c.body);
	secret_free(c.sig, sizeof(*c.sig));
	secret_free(c.hdr, HDR_MEM);
	return st;
}
