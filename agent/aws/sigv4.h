/*
 * sigv4.h — AWS Signature Version 4 (header-based, AWS4-HMAC-SHA256).
 *
 * The caller describes the request as it will be sent; the signer adds the
 * x-amz-date header (and x-amz-security-token for temporary credentials) to
 * the signed set, and the caller must send those two headers with the values
 * from sigv4_out, plus Authorization. Paths are normalised and URI-encoded as
 * for every service but S3 (the reference is the AWS SigV4 test suite).
 */
#ifndef VIGIL_AWS_SIGV4_H
#define VIGIL_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGV4_MAX_HEADERS 32
#define SIGV4_NAME_MAX 128   /* one header name */
#define SIGV4_CREQ_MAX 16384 /* canonical request */
#define SIGV4_STS_MAX 512    /* string to sign */
#define SIGV4_AUTH_MAX 1024  /* Authorization value */
#define SIGV4_DATE_LEN 16    /* "20150830T123600Z" */

struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method;		    /* "GET", "POST" */
	const char *path;		    /* as sent, without the query; "" means "/" */
	const char *query;		    /* as sent, without '?'; NULL or "" for none */
	const struct sigv4_header *headers; /* must include Host */
	size_t n_headers;
	const void *body;
	size_t body_len;
};

struct sigv4_key {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL or "" for long-term credentials */
};

struct sigv4_scope {
	const char *region;   /* "us-east-1" */
	const char *service;  /* "ssm" */
	const char *amz_date; /* "YYYYMMDDTHHMMSSZ"; NULL = now */
};

/* The result; canonical_request holds the session token: sigv4_out_wipe() it. */
struct sigv4_out {
	char amz_date[SIGV4_DATE_LEN + 1];
	char authorization[SIGV4_AUTH_MAX];
	char string_to_sign[SIGV4_STS_MAX];
	char canonical_request[SIGV4_CREQ_MAX];
};

/* Sign req. 0, or -1 with a message in err (never containing key material). */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_key *key,
	       const struct sigv4_scope *scope, struct sigv4_out *out, char *err, size_t errlen);
/* Zero everything in out (it holds the session token). */
void sigv4_out_wipe(struct sigv4_out *out);

/* Canonical request alone (used by sigv4_sign; exposed for tests). The token,
 * if any, is signed as x-amz-security-token. 0, or -1 with err. */
int sigv4_canonical_request(const struct sigv4_request *req, const char *amz_date,
			    const char *session_token, char *out, size_t cap, char *signed_headers,
			    size_t sh_cap, char *err, size_t errlen);

#endif
