/*
 * ssm_error.c — what an SSM error answer means for the caller: retry,
 * refresh the credentials, or stop with a message a person can act on
 * (naming the IAM action and the parameter).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "aws/fbuf.h"
#include "aws/ssm.h"

/* botocore's throttling codes (legacy and standard retry modes). */
static const char *const throttles[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"RequestLimitExceeded",
	"RequestThrottled",
	"SlowDown",
	"LimitExceededException",
	"PriorRequestNotComplete",
	"TransactionInProgressException",
	"BandwidthLimitExceeded",
	"EC2ThrottledException",
	"RequestTimeout",
	"RequestTimeoutException",
	"InternalServerError",
	"InternalFailure",
	"ServiceUnavailable",
};

static const char *const expired[] = {
	"ExpiredToken",		"ExpiredTokenException",
	"RequestExpired",	"UnrecognizedClientException",
	"InvalidClientTokenId",
};

static bool in(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return true;
	return false;
}

/* "aws.protocoltests#FooError:http://..." -> "FooError", as botocore does. */
static void short_code(const char *raw, char *code, size_t cap)
{
	char tmp[256];
	str_copy(tmp, sizeof(tmp), raw);
	tmp[strcspn(tmp, ":")] = '\0';
	const char *hash = strrchr(tmp, '#');
	str_copy(code, cap, hash ? hash + 1 : tmp);
}

static void parse_error(const char *body, size_t len, const char *hdr, char *code, size_t ccap,
			char *msg, size_t mcap)
{
	json_t *o = json_loadb(body, len, 0, NULL);
	const char *c = json_string_value(json_object_get(o, "__type"));
	const char *m = json_string_value(json_object_get(o, "message"));
	if (!c)
		c = json_string_value(json_object_get(o, "code"));
	if (!m)
		m = json_string_value(json_object_get(o, "Message"));
	short_code(c ? c : hdr ? hdr : "", code, ccap);
	str_copy(msg, mcap, m ? m : "");
	json_decref(o);
}

static bool mentions_kms(const char *code, const char *msg)
{
	return strcasestr(code, "kms") || strcasestr(msg, "kms") ||
	       strcmp(code, "InvalidKeyId") == 0 || strcasestr(msg, "customer master key") ||
	       strcasestr(msg, "ciphertext");
}

static void fail_message(const char *code, const char *msg, long status, const char *name,
			 const char *region, char *err, size_t errlen)
{
	if (strcmp(code, "ParameterNotFound") == 0 || strcmp(code, "ParameterVersionNotFound") == 0)
		snprintf(err, errlen, "SSM parameter %s not found in region %s (%s)", name, region,
			 code);
	else if (mentions_kms(code, msg))
		snprintf(err, errlen,
			 "SSM could not decrypt parameter %s: the role needs kms:Decrypt on the "
			 "parameter's KMS key "
			 "(%s: %s)",
			 name, code, msg);
	else if (strcmp(code, "AccessDeniedException") == 0)
		snprintf(err, errlen,
			 "access denied: the role needs ssm:GetParameter on parameter %s (%s: %s)",
			 name, code, msg);
	else if (code[0])
		snprintf(err, errlen, "SSM GetParameter %s failed: HTTP %ld %s: %s", name, status,
			 code, msg);
	else
		snprintf(err, errlen, "SSM GetParameter %s failed: HTTP %ld", name, status);
}

enum ssm_verdict ssm_classify_error(long status, const char *body, size_t len,
				    const char *errtype_hdr, const char *name, const char *region,
				    char *err, size_t errlen)
{
	char code[128], msg[512];
	parse_error(body, len, errtype_hdr && *errtype_hdr ? errtype_hdr : NULL, code, sizeof(code),
		    msg, sizeof(msg));
	bool throttled = in(code, throttles, sizeof(throttles) / sizeof(throttles[0]));
	if (throttled || status == 429 || status >= 500) {
		snprintf(err, errlen, "SSM GetParameter %s: HTTP %ld %s%s%s", name, status,
			 code[0] ? code : "", msg[0] ? ": " : "", msg);
		return SSM_RETRY;
	}
	if (in(code, expired, sizeof(expired) / sizeof(expired[0]))) {
		snprintf(err, errlen, "SSM rejected the credentials (%s: %s)", code, msg);
		return SSM_REFRESH_CREDS;
	}
	fail_message(code, msg, status, name, region, err, errlen);
	return SSM_FAIL;
}
