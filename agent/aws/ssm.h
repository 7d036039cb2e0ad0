/*
 * ssm.h — SSM Parameter Store GetParameter (awsJson1_1, WithDecryption),
 * signed with SigV4, with retries for throttling and server errors and
 * clear messages for permission and not-found errors.
 */
#ifndef VIGIL_AWS_SSM_H
#define VIGIL_AWS_SSM_H

#include <stddef.h>

#include "aws/creds.h"
#include "aws/ctx.h"

#define SSM_NAME_MAX 2048
#define SSM_VALUE_MAX 8192 /* advanced parameters hold up to 8 KB */
#define AWS_REGION_MAX 64

/* What happened, for `vigil aws check` and logs; never holds secrets. */
struct ssm_report {
	char endpoint[512];
	enum aws_creds_source source;
	char key_id_masked[AWS_AKID_MAX];
	char creds_detail[256];
	unsigned attempts;
	char request_id[96];
	char type[32]; /* SecureString, String, StringList */
	long long version;
};

/* Region of an ARN ("arn:aws:ssm:eu-west-1:1234:parameter/x"): 1 and region
 * filled, 0 when s is not an ARN, -1 when it is a malformed one. */
int aws_arn_region(const char *s, char *region, size_t cap);
/* SSM endpoint: AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, else
 * https://ssm.REGION.amazonaws.com (.com.cn in China). 0 or -1 (too long). */
int ssm_endpoint(const char *override, const char *region, char *out, size_t cap);
/* Region names are lower-case letters, digits and dashes. */
bool aws_region_valid(const char *region);

/* Fetch the parameter value into value[cap] (secret memory), *len set.
 * Retries throttling/5xx/transport errors with capped full-jitter backoff
 * (ctx->max_attempts); refreshes credentials once if AWS says they expired. */
vigil_rc ssm_get_parameter(const struct aws_ctx *ctx, struct creds_cache *cc, const char *endpoint,
			   const char *region, const char *name, char *value, size_t cap,
			   size_t *len, struct ssm_report *rep, char *err, size_t errlen);

/* Internal to ssm*.c: classify an error answer. */
enum ssm_verdict { SSM_RETRY, SSM_REFRESH_CREDS, SSM_FAIL };
enum ssm_verdict ssm_classify_error(long status, const char *body, size_t len,
				    const char *errtype_hdr, const char *name, const char *region,
				    char *err, size_t errlen);

#endif
