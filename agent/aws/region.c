/* region.c — regions from ARNs, and the SSM endpoint for a region. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/ssm.h"

bool aws_region_valid(const char *r)
{
	size_t n = strlen(r);
	if (n == 0 || n >= AWS_REGION_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return false;
	return true;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE */
int aws_arn_region(const char *s, char *region, size_t cap)
{
	if (strncmp(s, "arn:", 4) != 0)
		return 0;
	const char *p = s;
	for (int field = 0; field < 3; field++) {
		p = strchr(p, ':');
		if (!p)
			return -1;
		p++;
	}
	const char *end = strchr(p, ':');
	if (!end || (size_t)(end - p) >= cap || end == p)
		return -1;
	memcpy(region, p, (size_t)(end - p));
	region[end - p] = '\0';
	return aws_region_valid(region) && strchr(end + 1, ':') ? 1 : -1;
}

int ssm_endpoint(const char *override, const char *region, char *out, size_t cap)
{
	const char *env = override && *override ? override : NULL;
	if (!env)
		env = getenv("AWS_ENDPOINT_URL_SSM");
	if (!env || !*env)
		env = getenv("AWS_ENDPOINT_URL");
	int n;
	if (env && *env)
		n = snprintf(out, cap, "%s", env);
	else
		n = snprintf(out, cap, "https://ssm.%s.amazonaws.com%s", region,
			     strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	if (n < 0 || (size_t)n >= cap)
		return -1;
	size_t len = (size_t)n;
	while (len > 8 && out[len - 1] == '/') /* the request path is "/" */
		out[--len] = '\0';
	return 0;
}
