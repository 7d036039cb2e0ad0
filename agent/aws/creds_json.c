/* creds_json.c — the credentials document ECS and IMDS both return. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/creds.h"

time_t creds_parse_time(const char *s)
{
	struct tm tm = {0};
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	const char *p = s + n;
	if (*p == '.') /* fractional seconds: irrelevant at this scale */
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int hh = atoi(p + 1), mm = atoi(p + 4);
		off = (*p == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
	} else {
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? -1 : t - off;
}

/* Copy member name of o into out[cap]; false if absent, not a string or too long. */
static bool take(json_t *o, const char *name, char *out, size_t cap)
{
	json_t *v = json_object_get(o, name);
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap)
		return false;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return true;
}

/* IMDS can answer 200 with {"Code": "...", "Message": "..."} instead of credentials. */
static bool failed_code(json_t *o, char *err, size_t errlen)
{
	const char *code = json_string_value(json_object_get(o, "Code"));
	if (!code || strcmp(code, "Success") == 0)
		return false;
	const char *msg = json_string_value(json_object_get(o, "Message"));
	snprintf(err, errlen, "credentials endpoint answered %s: %s", code,
		 msg ? msg : "(no message)");
	return true;
}

vigil_rc creds_parse_json(const char *body, size_t len, bool token_required, struct aws_creds *out,
			  char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *o = json_loadb(body, len, 0, &jerr);
	vigil_rc st = VIGIL_ERR_TRANSIENT;
	char when[64] = "";
	if (!json_is_object(o)) {
		snprintf(err, errlen, "credentials response is not a JSON object");
	} else if (failed_code(o, err, errlen)) {
		st = VIGIL_ERR_TRANSIENT;
	} else if (!take(o, "AccessKeyId", out->access_key_id, sizeof(out->access_key_id)) ||
		   !take(o, "SecretAccessKey", out->secret_access_key,
			 sizeof(out->secret_access_key))) {
		snprintf(err, errlen, "credentials response lacks AccessKeyId or SecretAccessKey");
	} else if (!take(o, "Token", out->session_token, sizeof(out->session_token)) &&
		   token_required) {
		snprintf(err, errlen, "credentials response lacks Token");
	} else if (!take(o, "Expiration", when, sizeof(when)) ||
		   (out->expiration = creds_parse_time(when)) <= 0) {
		snprintf(err, errlen, "credentials response has no valid Expiration");
	} else {
		st = VIGIL_OK;
	}
	json_decref(o);
	return st;
}
