/*
 * creds.h — AWS credentials and the standard provider chain:
 * environment, ECS container credentials, EC2 instance metadata (IMDSv2).
 *
 * Credentials live in secret memory (secret.h). Temporary ones carry an
 * expiration and are refreshed ahead of it: 5 minutes before, or halfway
 * through their lifetime when they live less than 10 minutes.
 */
#ifndef VIGIL_AWS_CREDS_H
#define VIGIL_AWS_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/ctx.h"

#define AWS_AKID_MAX 129
#define AWS_SECRET_KEY_MAX 257
#define AWS_TOKEN_MAX 4097

enum aws_creds_source { CREDS_NONE = 0, CREDS_ENV, CREDS_ECS, CREDS_IMDS };

struct aws_creds {
	char access_key_id[AWS_AKID_MAX];
	char secret_access_key[AWS_SECRET_KEY_MAX];
	char session_token[AWS_TOKEN_MAX]; /* "" for long-term keys */
	time_t expiration;		   /* 0: does not expire */
	enum aws_creds_source source;
	char detail[256]; /* where exactly: the URI or IMDS role (no secrets) */
};

/* The cached credentials of one owner (the key provider, the CLI). */
struct creds_cache {
	struct aws_creds *c; /* secret memory */
	bool valid;
	time_t refresh_at; /* 0: never */
};

int creds_cache_init(struct creds_cache *cc);
void creds_cache_free(struct creds_cache *cc);
/* Current credentials, fetched when missing or due for refresh. */
vigil_rc creds_get(struct creds_cache *cc, const struct aws_ctx *ctx, const struct aws_creds **out,
		   char *err, size_t errlen);
/* Forget them (the service said they are expired or invalid). */
void creds_invalidate(struct creds_cache *cc);

const char *creds_source_name(enum aws_creds_source s);
/* "****************WXYZ": all but the last 4 characters masked. */
void creds_mask_key_id(const char *akid, char *out, size_t cap);

/* Providers: VIGIL_OK with *out filled, VIGIL_ERR_PERMANENT with err "not configured"
 * semantics given by *configured = false, or an error status. */
vigil_rc creds_from_env(struct aws_creds *out, bool *configured, char *err, size_t errlen);
vigil_rc creds_from_ecs(const struct aws_ctx *ctx, struct aws_creds *out, bool *configured,
			char *err, size_t errlen);
vigil_rc creds_from_imds(const struct aws_ctx *ctx, struct aws_creds *out, bool *configured,
			 char *err, size_t errlen);

/* Parse {"AccessKeyId","SecretAccessKey","Token","Expiration"} (ECS and IMDS
 * share the shape). token_required: IMDS always has one. */
vigil_rc creds_parse_json(const char *body, size_t len, bool token_required, struct aws_creds *out,
			  char *err, size_t errlen);
/* "2020-02-25T06:03:31Z" (fraction and +hh:mm accepted) to time_t; -1 if invalid. */
time_t creds_parse_time(const char *s);
/* When to refresh credentials expiring at exp, seen at now. */
time_t creds_refresh_time(time_t now, time_t exp);

#endif
