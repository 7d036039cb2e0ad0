/* http.c — one bounded, timed, verified HTTP exchange (see http.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "aws/http.h"
#include "aws/secret.h"
#include "vigil/sharedir.h"

struct sink {
	struct aws_http_resp *resp;
	bool too_big;
};

struct progress {
	const struct aws_ctx *ctx;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	if (n > AWS_HTTP_BODY_MAX - s->resp->len) {
		s->too_big = true;
		return 0; /* aborts the transfer: a body this large is not an AWS answer */
	}
	memcpy(s->resp->body + s->resp->len, data, n);
	s->resp->len += n;
	s->resp->body[s->resp->len] = '\0';
	return n;
}

/* Copy the value of header line "Name: value\r\n" into out if its name is name. */
static void grab_header(const char *line, size_t n, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1;
	size_t vn = n - nl - 1;
	while (vn && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
		vn--;
	if (vn >= cap)
		vn = cap - 1;
	memcpy(out, v, vn);
	out[vn] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct aws_http_resp *r = arg;
	size_t n = size * nmemb;
	grab_header(line, n, "x-amzn-RequestId", r->request_id, sizeof(r->request_id));
	grab_header(line, n, "X-Amzn-Errortype", r->error_type, sizeof(r->error_type));
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct progress *p = arg;
	return aws_ctx_stopped(p->ctx) ? 1 : 0; /* non-zero aborts: keyprov_stop is waiting */
}

/* A header with CR or LF would let a value inject headers. */
static bool header_ok(const char *h)
{
	return h && !strpbrk(h, "\r\n") && strchr(h, ':');
}

static struct curl_slist *build_headers(const struct aws_http_req *req, char *err, size_t errlen)
{
	struct curl_slist *list = NULL, *next;
	/* No "Expect: 100-continue" round trip, no compressed bodies to bound. */
	const char *fixed[] = {"Expect:", "Accept-Encoding: identity"};
	for (size_t i = 0; i < 2 + req->n_headers; i++) {
		const char *h = i < 2 ? fixed[i] : req->headers[i - 2];
		if (i >= 2 && !header_ok(h)) {
			snprintf(err, errlen, "invalid request header %zu", i - 2);
			curl_slist_free_all(list);
			return NULL;
		}
		next = curl_slist_append(list, h);
		if (!next) {
			snprintf(err, errlen, "out of memory");
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

static void set_options(CURL *c, const struct aws_ctx *ctx, const struct aws_http_req *req,
			struct curl_slist *hdrs, struct sink *sink, struct progress *prog)
{
	unsigned total = req->timeout_ms ? req->timeout_ms : ctx->timeout_ms;
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* the analyzer owns its signals */
#if LIBCURL_VERSION_NUM >= 0x075700
	curl_easy_setopt(c, CURLOPT_QUICK_EXIT, 1L); /* never join a stuck lookup (ship/http.c) */
#endif
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	/* Not configured: the image's bundle, else the vigil tree's (sharedir.h),
	 * looked up per call (AWS calls are rare) so a bundle that appears counts.
	 * With neither, libcurl's built-in default is left, and fails clearly. */
	char ca[VIGIL_SHARE_PATH_MAX];
	if (ctx->ca_file && *ctx->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ctx->ca_file);
	else if (vigil_ca_default(ca, sizeof(ca)) == 0)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca); /* libcurl copies the string */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(total < 3000 ? total : 3000));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)total);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (req->link_local)
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else if (strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, sink->resp);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, prog);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

int aws_http_do(const struct aws_ctx *ctx, const struct aws_http_req *req,
		struct aws_http_resp *resp, char *err, size_t errlen)
{
	memset(resp, 0, sizeof(*resp));
	resp->body = secret_alloc(AWS_HTTP_BODY_MAX + 1);
	if (!resp->body) {
		snprintf(err, errlen, "cannot allocate a response buffer");
		return -1;
	}
	struct curl_slist *hdrs = build_headers(req, err, errlen);
	CURL *c = hdrs ? curl_easy_init() : NULL;
	if (!c) {
		if (hdrs)
			snprintf(err, errlen, "curl_easy_init failed");
		curl_slist_free_all(hdrs);
		return -1;
	}
	struct sink sink = {resp, false};
	struct progress prog = {ctx};
	set_options(c, ctx, req, hdrs, &sink, &prog);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	else if (sink.too_big)
		snprintf(err, errlen, "response larger than %u bytes", AWS_HTTP_BODY_MAX);
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		snprintf(err, errlen, "stopped");
	else
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	return rc == CURLE_OK ? 0 : -1;
}

void aws_http_resp_free(struct aws_http_resp *resp)
{
	secret_free(resp->body, AWS_HTTP_BODY_MAX + 1);
	resp->body = NULL;
	resp->len = 0;
}

int aws_url_host(const char *url, char *host, size_t cap)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL;
	int rc = -1;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		CURLUcode pc =
			curl_url_get(u, CURLUPART_PORT, &port, 0); /* only an explicit port */
		int n = pc == CURLUE_OK ? snprintf(host, cap, "%s:%s", h, port)
					: snprintf(host, cap, "%s", h);
		rc = n > 0 && (size_t)n < cap ? 0 : -1;
	}
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
