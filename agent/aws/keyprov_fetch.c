/*
 * keyprov_fetch.c — get the API key once from its configured source:
 * the configured value, a file, or SSM (resolving the region first).
 * Blocking; the key provider thread and `vigil aws check` call it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "aws/ecs_meta.h"
#include "aws/fbuf.h"
#include "aws/keyprov.h"
#include "aws/secret.h"
#include "vigil/selfopen.h"

struct keyprov_fetcher {
	const struct keyprov_config *cfg;
	struct aws_ctx ctx;
	struct creds_cache creds;
};

struct keyprov_fetcher *keyprov_fetcher_new(const struct keyprov_config *cfg,
					    const struct aws_ctx *ctx)
{
	struct keyprov_fetcher *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->cfg = cfg;
	f->ctx = *ctx;
	if (creds_cache_init(&f->creds) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

void keyprov_fetcher_free(struct keyprov_fetcher *f)
{
	if (!f)
		return;
	creds_cache_free(&f->creds);
	free(f);
}

/* Trailing newlines are an editor's, not the key's; control characters
 * cannot travel in an HTTP header. */
static vigil_rc check_key(char *key, size_t *len, const char *where, char *err, size_t errlen)
{
	while (*len && (key[*len - 1] == '\n' || key[*len - 1] == '\r' || key[*len - 1] == ' ' ||
			key[*len - 1] == '\t'))
		key[--*len] = '\0';
	if (*len == 0) {
		snprintf(err, errlen, "the API key from %s is empty", where);
		return VIGIL_ERR_PERMANENT;
	}
	for (size_t i = 0; i < *len; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f) {
			snprintf(err, errlen, "the API key from %s contains control characters",
				 where);
			return VIGIL_ERR_PERMANENT;
		}
	return VIGIL_OK;
}

static vigil_rc from_file(const char *path, char *key, size_t cap, size_t *len,
			  struct keyprov_report *rep, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "API key file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? VIGIL_ERR_TRANSIENT
				       : VIGIL_ERR_PERMANENT; /* a mounted secret may come later */
	}
	vigil_selfopen_note(path, &st); /* a file rules may name: not an unseen open */
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (size_t)st.st_size >= cap) {
		snprintf(err, errlen, "API key file %s: not a regular file of 1 to %zu bytes", path,
			 cap - 1);
		close(fd);
		return VIGIL_ERR_PERMANENT;
	}
	if (st.st_mode & 077)
		str_copy(rep->warning, sizeof(rep->warning),
			 "the API key file is readable by group or others (chmod 600 it)");
	ssize_t n = read(fd, key, (size_t)st.st_size);
	int saved = errno;
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "API key file %s: %s", path,
			 n < 0 ? strerror(saved) : "short read");
		return VIGIL_ERR_TRANSIENT;
	}
	key[n] = '\0';
	*len = (size_t)n;
	return VIGIL_OK;
}

/* ARN, then configuration, then ECS task metadata. */
static vigil_rc resolve_region(struct keyprov_fetcher *f, struct keyprov_report *rep, char *err,
			       size_t errlen)
{
	int arn = aws_arn_region(f->cfg->ssm_parameter, rep->region, sizeof(rep->region));
	if (arn < 0) {
		snprintf(err, errlen, "VIGIL_API_KEY_SSM %s: malformed ARN", f->cfg->ssm_parameter);
		return VIGIL_ERR_PERMANENT;
	}
	if (arn > 0) {
		str_copy(rep->region_from, sizeof(rep->region_from), "parameter ARN");
		return VIGIL_OK;
	}
	if (f->cfg->region[0]) {
		str_copy(rep->region, sizeof(rep->region), f->cfg->region);
		str_copy(rep->region_from, sizeof(rep->region_from),
			 "AWS_REGION/AWS_DEFAULT_REGION");
		return aws_region_valid(rep->region)
			       ? VIGIL_OK
			       : (snprintf(err, errlen, "invalid region %s", rep->region),
				  VIGIL_ERR_PERMANENT);
	}
	struct ecs_task_meta m;
	char why[256] = "";
	int rc = f->cfg->task_metadata ? ecs_meta_load(&f->ctx, why, sizeof(why)) : 0;
	if (rc == 1 && ecs_meta_cached(&m) && m.region[0]) {
		str_copy(rep->region, sizeof(rep->region), m.region);
		str_copy(rep->region_from, sizeof(rep->region_from), "ECS task metadata");
		return VIGIL_OK;
	}
	snprintf(err, errlen,
		 "no AWS region for SSM parameter %s: set AWS_REGION or give the parameter's "
		 "ARN%s%s",
		 f->cfg->ssm_parameter, why[0] ? "; task metadata: " : "", why);
	return rc < 0 ? VIGIL_ERR_TRANSIENT : VIGIL_ERR_PERMANENT;
}

static vigil_rc from_ssm(struct keyprov_fetcher *f, char *key, size_t cap, size_t *len,
			 struct keyprov_report *rep, char *err, size_t errlen)
{
	vigil_rc st = resolve_region(f, rep, err, errlen);
	if (st != VIGIL_OK)
		return st;
	char endpoint[512];
	if (ssm_endpoint(f->cfg->ssm_endpoint, rep->region, endpoint, sizeof(endpoint)) != 0) {
		snprintf(err, errlen, "SSM endpoint URL too long");
		return VIGIL_ERR_PERMANENT;
	}
	st = ssm_get_parameter(&f->ctx, &f->creds, endpoint, rep->region, f->cfg->ssm_parameter,
			       key, cap, len, &rep->ssm, err, errlen);
	rep->creds_expiration = f->creds.valid ? f->creds.c->expiration : 0;
	return st;
}

static void fingerprint(const char *key, size_t len, char out[17])
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	struct fbuf b;
	SHA256((const unsigned char *)key, len, d);
	fbuf_init(&b, out, 17);
	fbuf_hex(&b, d, 8);
}

vigil_rc keyprov_fetch(struct keyprov_fetcher *f, char *key, size_t cap, size_t *len,
		       struct keyprov_report *rep, char *err, size_t errlen)
{
	const struct keyprov_config *cfg = f->cfg;
	vigil_rc st;
	memset(rep, 0, sizeof(*rep));
	*len = 0;
	if (cfg->api_key && *cfg->api_key) {
		str_copy(rep->source, sizeof(rep->source), "env");
		str_copy(rep->where, sizeof(rep->where), "VIGIL_API_KEY");
		*len = strlen(cfg->api_key);
		st = *len < cap ? VIGIL_OK
				: (snprintf(err, errlen, "VIGIL_API_KEY is too long"),
				   VIGIL_ERR_PERMANENT);
		if (st == VIGIL_OK)
			memcpy(key, cfg->api_key, *len + 1);
	} else if (cfg->api_key_file[0]) {
		str_copy(rep->source, sizeof(rep->source), "file");
		str_copy(rep->where, sizeof(rep->where), cfg->api_key_file);
		st = from_file(cfg->api_key_file, key, cap, len, rep, err, errlen);
	} else if (cfg->ssm_parameter[0]) {
		str_copy(rep->source, sizeof(rep->source), "ssm");
		str_copy(rep->where, sizeof(rep->where), cfg->ssm_parameter);
		st = from_ssm(f, key, cap, len, rep, err, errlen);
	} else {
		snprintf(err, errlen,
			 "no API key configured: set VIGIL_API_KEY, VIGIL_API_KEY_FILE or "
			 "VIGIL_API_KEY_SSM");
		return VIGIL_ERR_PERMANENT;
	}
	if (st == VIGIL_OK)
		st = check_key(key, len, rep->where, err, errlen);
	if (st != VIGIL_OK) {
		secret_wipe(key, cap);
		*len = 0;
		return st;
	}
	rep->key_len = *len;
	fingerprint(key, *len, rep->fingerprint);
	return VIGIL_OK;
}

time_t keyprov_fetcher_creds_due(struct keyprov_fetcher *f)
{
	return f->creds.valid ? f->creds.refresh_at : 0;
}

void keyprov_fetcher_refresh_creds(struct keyprov_fetcher *f)
{
	const struct aws_creds *c;
	char err[256];
	if (f->creds.valid && f->creds.refresh_at && time(NULL) >= f->creds.refresh_at)
		(void)creds_get(&f->creds, &f->ctx, &c, err,
				sizeof(err)); /* a failure is retried at the next fetch */
}
