/*
 * http.h — one blocking HTTP exchange with libcurl, for AWS calls only.
 *
 * TLS verification is always on; every call has a connect and a total
 * timeout; the response body is capped and held in secret memory, because
 * it may carry credentials or the API key. No redirects are followed.
 */
#ifndef VIGIL_AWS_HTTP_H
#define VIGIL_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/ctx.h"

#define AWS_HTTP_BODY_MAX (64u * 1024u)
#define AWS_HTTP_MAX_HEADERS 16

struct aws_http_req {
	const char *method; /* "GET", "PUT", "POST" */
	const char *url;
	const char *headers[AWS_HTTP_MAX_HEADERS]; /* "Name: value" */
	size_t n_headers;
	const void *body;
	size_t body_len;
	unsigned timeout_ms;
	bool link_local; /* metadata endpoint: never through a proxy */
};

struct aws_http_resp {
	long status;
	char *body; /* NUL-terminated, secret memory of AWS_HTTP_BODY_MAX + 1 */
	size_t len;
	char request_id[96];  /* x-amzn-RequestId */
	char error_type[128]; /* X-Amzn-Errortype */
};

/* Install libcurl and jansson allocators that zero memory before freeing it,
 * so headers and bodies with secrets do not linger in the heap. Idempotent;
 * call before starting threads that use libcurl. */
void aws_http_global_init(void);

/* 0 when an HTTP response arrived (any status), -1 on transport failure or
 * stop, with a message in err. resp must be freed with aws_http_resp_free. */
int aws_http_do(const struct aws_ctx *ctx, const struct aws_http_req *req,
		struct aws_http_resp *resp, char *err, size_t errlen);
void aws_http_resp_free(struct aws_http_resp *resp);

/* Host header value for url ("host" or "host:port" when the port is explicit). */
int aws_url_host(const char *url, char *host, size_t cap);

#endif
