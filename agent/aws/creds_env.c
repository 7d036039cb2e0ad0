/* creds_env.c — credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds.h"

static bool set(const char *v)
{
	return v && *v;
}

vigil_rc creds_from_env(struct aws_creds *out, bool *configured, char *err, size_t errlen)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	*configured = set(id) || set(secret);
	if (!*configured)
		return VIGIL_ERR_PERMANENT;
	if (!set(id) || !set(secret)) {
		snprintf(err, errlen, "%s is set but %s is not",
			 set(id) ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			 set(id) ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return VIGIL_ERR_PERMANENT;
	}
	if (strlen(id) >= sizeof(out->access_key_id) ||
	    strlen(secret) >= sizeof(out->secret_access_key) ||
	    (token && strlen(token) >= sizeof(out->session_token))) {
		snprintf(err, errlen, "AWS credentials in the environment are too long");
		return VIGIL_ERR_PERMANENT;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->access_key_id, id, strlen(id));
	memcpy(out->secret_access_key, secret, strlen(secret));
	if (set(token))
		memcpy(out->session_token, token, strlen(token));
	out->source = CREDS_ENV;
	snprintf(out->detail, sizeof(out->detail), "environment");
	return VIGIL_OK;
}
