/* http.c — libcurl settings shared by the sinks, answer parsing, URL checks. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ship/backoff.h"
#include "ship/http.h"
#include "vigil/log.h"

/* Keep the first HTTP_RESP_KEEP bytes of the body for the log; drop the rest. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *r = arg;
	size_t n = size * nmemb;
	size_t room = HTTP_RESP_KEEP - r->body_len;
	size_t k = n < room ? n : room;
	memcpy(r->body + r->body_len, p, k);
	r->body_len += k;
	r->body[r->body_len] = '\0';
	return n; /* accepting everything: a large answer must not fail the send */
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *r = arg;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0)
		r->retry_after_ms =
			retry_after_ms(p + sizeof(name) - 1, n - (sizeof(name) - 1), time(NULL));
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after 100 Continue) */
		r->retry_after_ms = -1;
		r->body_len = 0;
	}
	return n;
}

CURL *http_easy_new(const struct ship_ctx *ctx, const char *url, struct http_resp *resp)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	resp->body_len = 0;
	resp->body[0] = '\0';
	resp->retry_after_ms = -1;
	uint64_t t = ctx->cfg.timeout_ms;
	int bad = 0;
	bad |= curl_easy_setopt(e, CURLOPT_URL, url);
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L); /* the analyzer owns its signals */
#if LIBCURL_VERSION_NUM >= 0x075700
	/* A transfer given up (drain deadline) must not join a name lookup that
	 * still waits on a silent nameserver (musl: 5 s): the analyzer would miss
	 * its deadline and be stopped before spooling. */
	bad |= curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)t);
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(t < 5000 ? t : 5000));
	bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Over TLS (where h2 can be offered) parallel requests wait for the
	 * first connection to tell whether it multiplexes instead of each
	 * opening its own; plain http is HTTP/1.1 and gains nothing by waiting. */
	if (strncmp(url, "https://", 8) == 0)
		bad |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ctx->ca_file[0])
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, ctx->ca_file);
	bad |= curl_easy_setopt(e, CURLOPT_CAPATH, NULL); /* only the CA file we chose */
	bad |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, resp);
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, resp);
	if (bad) {
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

bool http_tls_failure(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

enum http_verdict http_verdict(CURL *easy, CURLcode rc, long *status)
{
	*status = 0;
	if (rc != CURLE_OK)
		return HV_RETRY;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
	long s = *status;
	if (s >= 200 && s < 300)
		return HV_OK;
	if (s == 408 || s == 429 || s >= 500 || s < 200)
		return HV_RETRY;
	if (s == 401 || s == 403)
		return HV_AUTH;
	if (s == 413)
		return HV_TOO_LARGE;
	return HV_REJECT; /* 3xx (we follow no redirects) and the other 4xx */
}

static bool loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

vigil_rc http_check_url(const char *url, const char *what, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	vigil_rc rc = VIGIL_ERR_INPUT;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errlen, "%s: '%.200s' is not a valid URL", what, url);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		snprintf(err, errlen, "%s: '%.200s': only http and https are supported", what, url);
		goto out;
	}
	if (strcmp(scheme, "http") == 0 && !loopback(host))
		LOG_WARN("%s: %s sends alerts and the API key unencrypted; use https", what, host);
	rc = VIGIL_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

void http_free_headers(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}
