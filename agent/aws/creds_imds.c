/*
 * creds_imds.c — EC2 instance metadata, IMDSv2 only: PUT a session token,
 * GET the role name, GET the role's credentials. The base URL is
 * AWS_EC2_METADATA_SERVICE_ENDPOINT (as in the SDKs) or 169.254.169.254;
 * AWS_EC2_METADATA_DISABLED=true turns the provider off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/creds.h"
#include "aws/fbuf.h"
#include "aws/http.h"
#include "aws/secret.h"

#define IMDS_BASE "http://169.254.169.254"
#define IMDS_TOKEN_MAX 1024
#define CREDS_PATH "/latest/meta-data/iam/security-credentials/"

struct imds {
	const struct aws_ctx *ctx;
	char base[512];
	char *token_hdr; /* "X-aws-ec2-metadata-token: ...", secret memory */
};

/* One request; the body is copied into out (cap) on 200. */
static vigil_rc call(struct imds *m, const char *method, const char *path, const char *hdr,
		     char *out, size_t cap, char *err, size_t errlen)
{
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", m->base, path);
	struct aws_http_req req = {.method = method,
				   .url = url,
				   .link_local = true,
				   .timeout_ms = m->ctx->meta_timeout_ms};
	req.headers[req.n_headers++] = hdr;
	struct aws_http_resp resp;
	char why[200];
	vigil_rc st = VIGIL_OK;
	if (aws_http_do(m->ctx, &req, &resp, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "IMDS %s %s: %s", method, path, why);
		st = VIGIL_ERR_TRANSIENT;
	} else if (resp.status != 200) {
		snprintf(err, errlen, "IMDS %s %s: HTTP %ld%s", method, path, resp.status,
			 resp.status == 404 && strcmp(method, "GET") == 0
				 ? " (no instance profile attached?)"
				 : "");
		st = resp.status >= 500 ? VIGIL_ERR_TRANSIENT : VIGIL_ERR_PERMANENT;
	} else if (resp.len >= cap) {
		snprintf(err, errlen, "IMDS %s %s: answer too long", method, path);
		st = VIGIL_ERR_PERMANENT;
	} else {
		memcpy(out, resp.body, resp.len + 1);
		while (resp.len && (out[resp.len - 1] == '\n' || out[resp.len - 1] == '\r'))
			out[--resp.len] = '\0';
	}
	aws_http_resp_free(&resp);
	return st;
}

static vigil_rc get_token(struct imds *m, char *err, size_t errlen)
{
	const char *prefix = "X-aws-ec2-metadata-token: ";
	size_t pl = strlen(prefix);
	memcpy(m->token_hdr, prefix, pl);
	vigil_rc st =
		call(m, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 21600",
		     m->token_hdr + pl, IMDS_TOKEN_MAX, err, errlen);
	if (st == VIGIL_OK && (!m->token_hdr[pl] || strpbrk(m->token_hdr + pl, "\r\n"))) {
		snprintf(err, errlen, "IMDS returned an empty or malformed token");
		st = VIGIL_ERR_PERMANENT;
	}
	return st;
}

/* The role name: the first line of the listing, a plain path segment. */
static vigil_rc get_role(struct imds *m, char *role, size_t cap, char *err, size_t errlen)
{
	vigil_rc st = call(m, "GET", CREDS_PATH, m->token_hdr, role, cap, err, errlen);
	if (st != VIGIL_OK)
		return st;
	role[strcspn(role, "\r\n")] = '\0';
	if (!role[0] || strpbrk(role, "/?#% ")) {
		snprintf(err, errlen,
			 "IMDS: no usable IAM role name in the instance profile listing");
		return VIGIL_ERR_PERMANENT;
	}
	return VIGIL_OK;
}

static vigil_rc run(struct imds *m, struct aws_creds *out, char *err, size_t errlen)
{
	char role[256], path[512];
	char *doc = secret_alloc(AWS_HTTP_BODY_MAX);
	if (!doc) {
		snprintf(err, errlen, "cannot allocate secret memory");
		return VIGIL_ERR_TRANSIENT;
	}
	vigil_rc st = get_role(m, role, sizeof(role), err, errlen); /* the token is already there */
	if (st == VIGIL_OK) {
		snprintf(path, sizeof(path), CREDS_PATH "%s", role);
		st = call(m, "GET", path, m->token_hdr, doc, AWS_HTTP_BODY_MAX, err, errlen);
	}
	if (st == VIGIL_OK)
		st = creds_parse_json(doc, strlen(doc), true, out, err, errlen);
	if (st == VIGIL_OK) {
		out->source = CREDS_IMDS;
		struct fbuf d;
		fbuf_init(&d, out->detail, sizeof(out->detail));
		fbuf_adds(&d, "role ");
		fbuf_adds(&d, role);
		fbuf_adds(&d, " at ");
		fbuf_adds(&d, m->base); /* cut short if long: it is only a description */
	}
	secret_free(doc, AWS_HTTP_BODY_MAX);
	return st;
}

vigil_rc creds_from_imds(const struct aws_ctx *ctx, struct aws_creds *out, bool *configured,
			 char *err, size_t errlen)
{
	const char *off = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	*configured = false;
	if (off && strcasecmp(off, "true") == 0) {
		snprintf(err, errlen, "AWS_EC2_METADATA_DISABLED=true");
		return VIGIL_ERR_PERMANENT;
	}
	struct imds m = {.ctx = ctx};
	snprintf(m.base, sizeof(m.base), "%s", base && *base ? base : IMDS_BASE);
	size_t bl = strlen(m.base);
	while (bl && m.base[bl - 1] == '/')
		m.base[--bl] = '\0';
	m.token_hdr = secret_alloc(IMDS_TOKEN_MAX + 64);
	if (!m.token_hdr) {
		snprintf(err, errlen, "cannot allocate secret memory");
		return VIGIL_ERR_TRANSIENT;
	}
	vigil_rc st = get_token(&m, err, errlen);
	/* Not reachable at all: not on EC2, so the chain found nothing. An
	 * explicit endpoint means the operator wants IMDS: report its error. */
	*configured = st != VIGIL_ERR_TRANSIENT || (base && *base);
	if (st == VIGIL_OK)
		st = run(&m, out, err, errlen);
	secret_free(m.token_hdr, IMDS_TOKEN_MAX + 64);
	return st;
}
