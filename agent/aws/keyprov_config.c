/* keyprov_config.c — the key provider's settings: defaults, then the environment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/api_key.h"
#include "aws/fbuf.h"
#include "aws/keyprov.h"
#include "vigil/textutil.h"

void keyprov_config_defaults(struct keyprov_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->refresh_s = 900;
	cfg->min_refetch_s = 30;
	cfg->timeout_ms = 10000;
	cfg->max_attempts = 5;
	cfg->retry_base_ms = 200;
	cfg->retry_cap_ms = 20000;
	cfg->task_metadata = true;
}

/* Copy env var name into out[cap]; -1 when it does not fit. */
static int env_str(const char *name, char *out, size_t cap, char *err, size_t errlen)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	if (strlen(v) >= cap) {
		snprintf(err, errlen, "%s is longer than %zu characters", name, cap - 1);
		return -1;
	}
	str_copy(out, cap, v);
	return 0;
}

int keyprov_config_from_env(struct keyprov_config *cfg, char *err, size_t errlen)
{
	keyprov_config_defaults(cfg);
	cfg->api_key =
		vigil_api_key(); /* handed over by the supervisor, never in our environment */
	if (env_str("VIGIL_API_KEY_FILE", cfg->api_key_file, sizeof(cfg->api_key_file), err,
		    errlen) ||
	    env_str("VIGIL_API_KEY_SSM", cfg->ssm_parameter, sizeof(cfg->ssm_parameter), err,
		    errlen) ||
	    env_str("AWS_DEFAULT_REGION", cfg->region, sizeof(cfg->region), err, errlen) ||
	    env_str("AWS_REGION", cfg->region, sizeof(cfg->region), err,
		    errlen) || /* wins, as in the SDKs */
	    env_str("VIGIL_CA_FILE", cfg->ca_file, sizeof(cfg->ca_file), err, errlen) ||
	    vigil_env_uint("VIGIL_API_KEY_REFRESH", 1, 7 * 86400, &cfg->refresh_s, err, errlen) ||
	    vigil_env_uint("VIGIL_API_KEY_MIN_REFETCH", 0, 86400, &cfg->min_refetch_s, err,
			   errlen) ||
	    vigil_env_uint("VIGIL_AWS_TIMEOUT_MS", 100, 120000, &cfg->timeout_ms, err, errlen) ||
	    vigil_env_uint("VIGIL_AWS_MAX_ATTEMPTS", 1, 20, &cfg->max_attempts, err, errlen) ||
	    vigil_env_uint("VIGIL_AWS_RETRY_BASE_MS", 1, 60000, &cfg->retry_base_ms, err, errlen))
		return -1;
	return 0;
}

bool keyprov_configured(const struct keyprov_config *cfg)
{
	return (cfg->api_key && *cfg->api_key) || cfg->api_key_file[0] || cfg->ssm_parameter[0];
}
