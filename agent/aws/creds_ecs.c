/*
 * creds_ecs.c — ECS container credentials: GET http://169.254.170.2 +
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, or AWS_CONTAINER_CREDENTIALS_FULL_URI
 * (EKS Pod Identity and custom agents) with an authorization token taken from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time: it rotates) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. Hosts for FULL_URI are checked like
 * botocore does: https anywhere, plain http only to loopback or the ECS/EKS
 * link-local agents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aws/creds.h"
#include "aws/fbuf.h"
#include "aws/http.h"
#include "aws/secret.h"
#include "vigil/selfopen.h"

#define ECS_HOST "http://169.254.170.2"
#define TOKEN_MAX 4096
#define ATTEMPTS 3

static bool allowed_http_host(const char *url)
{
	static const char *const ok[] = {"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]",
					 "localhost", "[::1]"};
	char host[300];
	if (aws_url_host(url, host, sizeof(host)) != 0)
		return false;
	char *colon = host[0] == '[' ? strchr(host, ']') : host;
	colon = colon ? strchr(colon, ':') : NULL;
	if (colon)
		*colon = '\0'; /* drop the port */
	if (strncmp(host, "127.", 4) == 0)
		return true;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(host, ok[i]) == 0)
			return true;
	return false;
}

static vigil_rc container_url(char *url, size_t cap, bool *configured, char *err, size_t errlen)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	*configured = (rel && *rel) || (full && *full);
	if (!*configured)
		return VIGIL_ERR_PERMANENT;
	int n = rel && *rel ? snprintf(url, cap, ECS_HOST "%s%s", rel[0] == '/' ? "" : "/", rel)
			    : snprintf(url, cap, "%s", full);
	if (n < 0 || (size_t)n >= cap) {
		snprintf(err, errlen, "container credentials URI too long");
		return VIGIL_ERR_PERMANENT;
	}
	if (!(rel && *rel) && strncasecmp(full, "https://", 8) != 0 &&
	    (strncasecmp(full, "http://", 7) != 0 || !allowed_http_host(full))) {
		snprintf(err, errlen,
			 "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: plain http is only allowed to "
			 "loopback, "
			 "169.254.170.2, 169.254.170.23 or fd00:ec2::23",
			 full);
		return VIGIL_ERR_PERMANENT;
	}
	return VIGIL_OK;
}

/* Read the whole token file into out (secret memory), without the final newline. */
static vigil_rc read_token_file(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", path,
			 strerror(errno));
		return VIGIL_ERR_PERMANENT;
	}
	vigil_selfopen_note_fd(path, fd); /* a file rules may name: not an unseen open */
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, out + len, cap - 1 - len)) > 0 && len + (size_t)n < cap - 1)
		len += (size_t)n;
	int saved = errno;
	close(fd);
	if (n < 0 || n > 0) {
		snprintf(err, errlen, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", path,
			 n < 0 ? strerror(saved) : "longer than 4096 bytes");
		return VIGIL_ERR_PERMANENT;
	}
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		len--;
	out[len] = '\0';
	return VIGIL_OK;
}

/* "Authorization: <token>" in hdr (secret memory), or "" when no token is configured. */
static vigil_rc auth_header(char *hdr, size_t cap, char *err, size_t errlen)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *inline_tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *prefix = "Authorization: ";
	size_t pl = strlen(prefix);
	hdr[0] = '\0';
	if (file && *file) {
		vigil_rc st = read_token_file(file, hdr + pl, cap - pl, err, errlen);
		if (st != VIGIL_OK)
			return st;
	} else if (inline_tok && *inline_tok) {
		if (strlen(inline_tok) >= cap - pl) {
			snprintf(err, errlen, "AWS_CONTAINER_AUTHORIZATION_TOKEN is too long");
			return VIGIL_ERR_PERMANENT;
		}
		memcpy(hdr + pl, inline_tok, strlen(inline_tok) + 1);
	} else {
		return VIGIL_OK;
	}
	if (strpbrk(hdr + pl, "\r\n") || !hdr[pl]) {
		snprintf(err, errlen,
			 "the container authorization token is empty or contains a line break");
		hdr[0] = '\0';
		return VIGIL_ERR_PERMANENT;
	}
	memcpy(hdr, prefix, pl);
	return VIGIL_OK;
}

/* One GET; VIGIL_OK fills out. */
static vigil_rc fetch_once(const struct aws_ctx *ctx, const char *url, const char *auth,
			   struct aws_creds *out, char *err, size_t errlen)
{
	struct aws_http_req req = {.method = "GET",
				   .url = url,
				   .link_local = true,
				   .timeout_ms = ctx->meta_timeout_ms};
	struct aws_http_resp resp;
	req.headers[req.n_headers++] = "Accept: application/json";
	if (auth[0])
		req.headers[req.n_headers++] = auth;
	char why[200];
	vigil_rc st = VIGIL_ERR_TRANSIENT;
	if (aws_http_do(ctx, &req, &resp, why, sizeof(why)) != 0)
		snprintf(err, errlen, "container credentials %s: %s", url, why);
	else if (resp.status != 200)
		snprintf(err, errlen, "container credentials %s: HTTP %ld%s", url, resp.status,
			 resp.status == 401 || resp.status == 403
				 ? " (is the authorization token right?)"
				 : "");
	else
		st = creds_parse_json(resp.body, resp.len, false, out, err, errlen);
	if (st != VIGIL_OK && resp.status >= 400 && resp.status < 500)
		st = VIGIL_ERR_PERMANENT;
	aws_http_resp_free(&resp);
	return st;
}

vigil_rc creds_from_ecs(const struct aws_ctx *ctx, struct aws_creds *out, bool *configured,
			char *err, size_t errlen)
{
	char url[2048];
	vigil_rc st = container_url(url, sizeof(url), configured, err, errlen);
	if (!*configured || st != VIGIL_OK)
		return st;
	char *auth = secret_alloc(TOKEN_MAX + 32);
	if (!auth) {
		snprintf(err, errlen, "cannot allocate secret memory");
		return VIGIL_ERR_TRANSIENT;
	}
	for (unsigned attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (attempt && !aws_ctx_sleep(ctx, aws_backoff_ms(attempt, 250, 1000))) {
			st = VIGIL_ERR_STOPPED;
			break;
		}
		st = auth_header(auth, TOKEN_MAX + 32, err,
				 errlen); /* the file may rotate between tries */
		if (st == VIGIL_OK)
			st = fetch_once(ctx, url, auth, out, err, errlen);
		if (st != VIGIL_ERR_TRANSIENT)
			break;
	}
	secret_free(auth, TOKEN_MAX + 32);
	if (st == VIGIL_OK) {
		out->source = CREDS_ECS;
		str_copy(out->detail, sizeof(out->detail), url);
	}
	return st;
}
