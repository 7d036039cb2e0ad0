/* http.h — what the HTTP and Falcosidekick sinks share: easy handles, answers, URL checks. */
#ifndef VIGIL_SHIP_HTTP_H
#define VIGIL_SHIP_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "ship/internal.h"
#include "vigil/rc.h"

/* The part of an answer we keep: bounded, never trusted beyond this. */
#define HTTP_RESP_KEEP 256
struct http_resp {
	char body[HTTP_RESP_KEEP + 1];
	size_t body_len;
	int64_t retry_after_ms; /* -1: no (valid) Retry-After */
};

enum http_verdict {
	HV_OK,	      /* 2xx */
	HV_RETRY,     /* transport error, 408, 429, 5xx: back off and retry */
	HV_AUTH,      /* 401, 403: new key, then retry */
	HV_TOO_LARGE, /* 413: split */
	HV_REJECT,    /* other answers: permanent */
};

/* An easy handle with vigil's transport settings; the answer lands in resp. */
CURL *http_easy_new(const struct ship_ctx *ctx, const char *url, struct http_resp *resp);
/* Classify a finished transfer; *status gets the HTTP status (0 if none). */
enum http_verdict http_verdict(CURL *easy, CURLcode rc, long *status);
/* Is rc a TLS verification failure (a configuration error, logged as one)? */
bool http_tls_failure(CURLcode rc);
/* Check a sink URL: http(s), a host; warns about plain http to a non-loopback host.
 * VIGIL_OK, or VIGIL_ERR_INPUT with err filled. */
vigil_rc http_check_url(const char *url, const char *what, char *err, size_t errlen);
/* Zero and free a header list that carried a secret. */
void http_free_headers(struct curl_slist *h);

#endif
