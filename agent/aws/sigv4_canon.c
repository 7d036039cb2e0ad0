/*
 * sigv4_canon.c — the canonical request of SigV4: method, normalised and
 * encoded path, sorted encoded query, folded and sorted headers, signed
 * header list, payload hash. Every buffer is fixed and every count bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "aws/fbuf.h"
#include "aws/sigv4.h"
#include "vigil/textutil.h"

#define MAX_SEGMENTS 256
#define MAX_QUERY_PAIRS 64
#define QUERY_ARENA 8192

/* Headers botocore never signs: hop-by-hop or rewritten by proxies. */
static const char *const unsigned_headers[] = {
	"connection",
	"expect",
	"keep-alive",
	"proxy-authenticate",
	"proxy-authorization",
	"te",
	"trailer",
	"transfer-encoding",
	"upgrade",
	"user-agent",
	"x-amzn-trace-id",
};

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

/* RFC 3986 encoding as SigV4 wants it: everything but unreserved, upper-case hex. */
static void uri_encode(struct fbuf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			fbuf_addc(b, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			fbuf_add(b, esc, 3);
		}
	}
}

/* Percent-decode s[0..n) into out (at least n bytes); returns the length.
 * A '%' not followed by two hex digits stays as it is. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = vigil_hexval(s[i + 1])) >= 0 &&
		    (lo = vigil_hexval(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

struct span {
	const char *p;
	size_t n;
};

/* Remove empty and "." segments, resolve "..", keep a trailing slash. */
static int canon_path(struct fbuf *b, const char *path)
{
	struct span seg[MAX_SEGMENTS];
	size_t nseg = 0, len = strlen(path);
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		size_t n = j - i;
		if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (nseg)
				nseg--;
		} else if (n > 0 && !(n == 1 && path[i] == '.')) {
			if (nseg == MAX_SEGMENTS)
				return -1;
			seg[nseg++] = (struct span){path + i, n};
		}
		i = j + 1;
	}
	fbuf_addc(b, '/');
	for (size_t k = 0; k < nseg; k++) {
		if (k)
			fbuf_addc(b, '/');
		uri_encode(b, seg[k].p, seg[k].n, false);
	}
	if (nseg && len && path[len - 1] == '/')
		fbuf_addc(b, '/');
	return 0;
}

/* One query parameter, encoded, pointing into the fixed arena. */
struct qpair {
	const char *key, *val;
	size_t key_len, val_len;
};

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* By encoded key, then by encoded value (repeated keys). */
static int cmp_pair(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = cmp_bytes(x->key, x->key_len, y->key, y->key_len);
	return c ? c : cmp_bytes(x->val, x->val_len, y->val, y->val_len);
}

/* Decode then re-encode s[0..n) into the arena: one canonical spelling
 * whether the caller sent "%E1%88%B4" or the raw UTF-8 bytes. */
static const char *recode(struct fbuf *arena, const char *s, size_t n, size_t *out_len)
{
	char tmp[1024];
	if (n > sizeof(tmp))
		return NULL;
	size_t dn = pct_decode(s, n, tmp);
	size_t start = arena->len;
	uri_encode(arena, tmp, dn, false);
	fbuf_addc(arena, '\0'); /* keeps pairs apart; not part of the value */
	if (arena->over)
		return NULL;
	*out_len = arena->len - start - 1;
	return arena->p + start;
}

static int split_query(const char *q, struct fbuf *arena, struct qpair *pairs, size_t *np)
{
	size_t len = strlen(q), n = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && q[j] != '&')
			j++;
		if (j > i) { /* "a&&b": empty parts carry no parameter */
			if (n == MAX_QUERY_PAIRS)
				return -1;
			const char *eq = memchr(q + i, '=', j - i);
			size_t kn = eq ? (size_t)(eq - (q + i)) : j - i;
			struct qpair *p = &pairs[n++];
			p->key = recode(arena, q + i, kn, &p->key_len);
			p->val = eq ? recode(arena, eq + 1, j - i - kn - 1, &p->val_len)
				    : recode(arena, "", 0, &p->val_len);
			if (!p->key || !p->val)
				return -1;
		}
		i = j + 1;
	}
	*np = n;
	return 0;
}

static int canon_query(struct fbuf *b, const char *q)
{
	if (!q || !*q)
		return 0;
	char mem[QUERY_ARENA];
	struct fbuf arena;
	struct qpair pairs[MAX_QUERY_PAIRS];
	size_t n = 0;
	fbuf_init(&arena, mem, sizeof(mem));
	if (split_query(q, &arena, pairs, &n) != 0)
		return -1;
	qsort(pairs, n, sizeof(pairs[0]), cmp_pair);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fbuf_addc(b, '&');
		fbuf_add(b, pairs[i].key, pairs[i].key_len);
		fbuf_addc(b, '=');
		fbuf_add(b, pairs[i].val, pairs[i].val_len);
	}
	return 0;
}

struct hdr {
	char name[SIGV4_NAME_MAX]; /* lower case */
	const char *value;
	size_t order; /* position in the request: duplicates keep their order */
};

static int cmp_hdr(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static bool is_unsigned(const char *lname)
{
	for (size_t i = 0; i < sizeof(unsigned_headers) / sizeof(unsigned_headers[0]); i++)
		if (strcmp(lname, unsigned_headers[i]) == 0)
			return true;
	return false;
}

/* Lower-case a header name into h->name; -1 if empty, too long or not a token. */
static int take_name(struct hdr *h, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof(h->name))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= ' ' || c >= 0x7f || c == ':')
			return -1;
		h->name[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	h->name[n] = '\0';
	return 0;
}

/* Trim, and fold every run of whitespace (including line folding) to one space. */
static void add_trimmed(struct fbuf *b, const char *v)
{
	bool pending_space = false, started = false;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
			pending_space = started;
			continue;
		}
		if (pending_space)
			fbuf_addc(b, ' ');
		fbuf_addc(b, *v);
		pending_space = false;
		started = true;
	}
}

/* Collect the signed headers: the request's own plus x-amz-date and the token. */
static int collect_headers(const struct sigv4_request *req, const char *amz_date, const char *token,
			   struct hdr *h, size_t *nh, char *err, size_t errlen)
{
	size_t n = 0;
	if (req->n_headers > SIGV4_MAX_HEADERS) {
		snprintf(err, errlen, "more than %d headers to sign", SIGV4_MAX_HEADERS);
		return -1;
	}
	for (size_t i = 0; i < req->n_headers; i++) {
		if (take_name(&h[n], req->headers[i].name) != 0) {
			snprintf(err, errlen, "header %zu: invalid name", i);
			return -1;
		}
		if (is_unsigned(h[n].name) || strcmp(h[n].name, "x-amz-date") == 0 ||
		    strcmp(h[n].name, "x-amz-security-token") == 0 ||
		    strcmp(h[n].name, "authorization") == 0)
			continue; /* the signer owns these */
		h[n].value = req->headers[i].value ? req->headers[i].value : "";
		h[n].order = i;
		n++;
	}
	snprintf(h[n].name, sizeof(h[n].name), "x-amz-date");
	h[n].value = amz_date;
	h[n].order = n;
	n++;
	if (token && *token) {
		snprintf(h[n].name, sizeof(h[n].name), "x-amz-security-token");
		h[n].value = token;
		h[n].order = n;
		n++;
	}
	qsort(h, n, sizeof(h[0]), cmp_hdr);
	*nh = n;
	return 0;
}

/* "name:v1,v2\n" per distinct name, and "a;b;c" into sh. */
static void emit_headers(struct fbuf *b, struct fbuf *sh, const struct hdr *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(h[i].name, h[i - 1].name) != 0;
		bool last = i + 1 == n || strcmp(h[i].name, h[i + 1].name) != 0;
		if (first) {
			fbuf_adds(b, h[i].name);
			fbuf_addc(b, ':');
			if (i)
				fbuf_addc(sh, ';');
			fbuf_adds(sh, h[i].name);
		} else {
			fbuf_addc(b, ',');
		}
		add_trimmed(b, h[i].value);
		if (last)
			fbuf_addc(b, '\n');
	}
}

static bool has_host(const struct hdr *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].name, "host") == 0)
			return true;
	return false;
}

int sigv4_canonical_request(const struct sigv4_request *req, const char *amz_date,
			    const char *session_token, char *out, size_t cap, char *signed_headers,
			    size_t sh_cap, char *err, size_t errlen)
{
	struct hdr h[SIGV4_MAX_HEADERS + 2];
	size_t nh = 0;
	struct fbuf b, sh;
	fbuf_init(&b, out, cap);
	fbuf_init(&sh, signed_headers, sh_cap);
	if (collect_headers(req, amz_date, session_token, h, &nh, err, errlen) != 0)
		return -1;
	if (!has_host(h, nh)) {
		snprintf(err, errlen, "no Host header to sign");
		return -1;
	}
	fbuf_adds(&b, req->method);
	fbuf_addc(&b, '\n');
	if (canon_path(&b, req->path ? req->path : "") != 0) {
		snprintf(err, errlen, "path has more than %d segments", MAX_SEGMENTS);
		return -1;
	}
	fbuf_addc(&b, '\n');
	if (canon_query(&b, req->query) != 0) {
		snprintf(err, errlen, "query string too long or has more than %d parameters",
			 MAX_QUERY_PAIRS);
		return -1;
	}
	fbuf_addc(&b, '\n');
	emit_headers(&b, &sh, h, nh);
	fbuf_addc(&b, '\n');
	fbuf_add(&b, sh.p, sh.len);
	fbuf_addc(&b, '\n');
	unsigned char digest[SHA256_DIGEST_LENGTH];
	SHA256(req->body ? req->body : (const void *)"", req->body_len, digest);
	fbuf_hex(&b, digest, sizeof(digest));
	if (b.over || sh.over) {
		snprintf(err, errlen, "canonical request longer than %zu bytes", cap);
		return -1;
	}
	return 0;
}
