/*
 * creds.c — the credentials cache and the provider chain, in the order the
 * AWS SDKs use: environment, then ECS container credentials when their
 * variables are set, then EC2 instance metadata.
 */
#include <stdio.h>
#include <string.h>

#include "aws/creds.h"
#include "aws/secret.h"

/* Refresh 5 minutes ahead; short-lived credentials halfway through. */
#define REFRESH_AHEAD_S 300

int creds_cache_init(struct creds_cache *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->c = secret_alloc(sizeof(*cc->c));
	return cc->c ? 0 : -1;
}

void creds_cache_free(struct creds_cache *cc)
{
	secret_free(cc->c, sizeof(*cc->c));
	memset(cc, 0, sizeof(*cc));
}

void creds_invalidate(struct creds_cache *cc)
{
	cc->valid = false;
	secret_wipe(cc->c, sizeof(*cc->c));
}

time_t creds_refresh_time(time_t now, time_t exp)
{
	if (exp == 0)
		return 0;
	time_t left = exp - now;
	if (left <= 0)
		return now;
	return exp - (left / 2 < REFRESH_AHEAD_S ? left / 2 : REFRESH_AHEAD_S);
}

const char *creds_source_name(enum aws_creds_source s)
{
	switch (s) {
	case CREDS_ENV: return "env";
	case CREDS_ECS: return "ecs";
	case CREDS_IMDS: return "imds";
	default: return "none";
	}
}

void creds_mask_key_id(const char *akid, char *out, size_t cap)
{
	size_t n = strlen(akid), o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = i + 4 < n ? '*' : akid[i];
	out[o] = '\0';
}

/* Walk the chain; the first provider that is configured decides. */
static vigil_rc resolve(const struct aws_ctx *ctx, struct aws_creds *c, char *err, size_t errlen)
{
	bool configured = false;
	vigil_rc st = creds_from_env(c, &configured, err, errlen);
	if (configured)
		return st;
	st = creds_from_ecs(ctx, c, &configured, err, errlen);
	if (configured)
		return st;
	char imds_err[256] = "";
	st = creds_from_imds(ctx, c, &configured, imds_err, sizeof(imds_err));
	if (configured)
		return st == VIGIL_OK ? st : (snprintf(err, errlen, "%s", imds_err), st);
	snprintf(err, errlen,
		 "no AWS credentials found: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set, "
		 "no ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI), "
		 "and EC2 instance metadata gave none (%s)",
		 imds_err[0] ? imds_err : "disabled");
	return VIGIL_ERR_PERMANENT;
}

vigil_rc creds_get(struct creds_cache *cc, const struct aws_ctx *ctx, const struct aws_creds **out,
		   char *err, size_t errlen)
{
	time_t now = time(NULL);
	if (cc->valid && (cc->refresh_at == 0 || now < cc->refresh_at)) {
		*out = cc->c;
		return VIGIL_OK;
	}
	creds_invalidate(cc);
	vigil_rc st = resolve(ctx, cc->c, err, errlen);
	if (st != VIGIL_OK) {
		secret_wipe(cc->c, sizeof(*cc->c));
		return st;
	}
	if (cc->c->expiration && cc->c->expiration <= now) {
		snprintf(
			err, errlen,
			"credentials from %s (%s) expired before they arrived; is the clock right?",
			creds_source_name(cc->c->source), cc->c->detail);
		secret_wipe(cc->c, sizeof(*cc->c));
		return VIGIL_ERR_TRANSIENT;
	}
	cc->valid = true;
	cc->refresh_at = creds_refresh_time(now, cc->c->expiration);
	*out = cc->c;
	return VIGIL_OK;
}
