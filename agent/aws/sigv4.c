/*
 * sigv4.c — string to sign, signing key and Authorization header of SigV4.
 * The canonical request is built by sigv4_canon.c.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "aws/fbuf.h"
#include "aws/sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define SCOPE_MAX 160
#define SECRET_MAX 256

/* "YYYYMMDDTHHMMSSZ" for t (UTC). */
static void sigv4_format_date(time_t t, char out[SIGV4_DATE_LEN + 1])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	if (strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) != SIGV4_DATE_LEN)
		out[0] = '\0';
}

static bool valid_date(const char *d)
{
	if (strlen(d) != SIGV4_DATE_LEN || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return false;
	return true;
}

/* Scope parts go into the Authorization header verbatim: keep them plain. */
static bool valid_scope_part(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static bool valid_key_id(const char *s)
{
	if (!s || !*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static int hmac(const void *key, size_t key_len, const char *msg, unsigned char out[32])
{
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, strlen(msg), out,
		  &len) ||
	    len != 32)
		return -1;
	return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
static int signing_key(const char *secret, const char *date8, const struct sigv4_scope *s,
		       unsigned char out[32])
{
	char k0[SECRET_MAX + 5];
	unsigned char k1[32], k2[32], k3[32];
	int rc = -1;
	size_t n = strlen(secret);
	if (n == 0 || n > SECRET_MAX)
		return -1;
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, secret, n);
	if (hmac(k0, n + 4, date8, k1) == 0 && hmac(k1, 32, s->region, k2) == 0 &&
	    hmac(k2, 32, s->service, k3) == 0 && hmac(k3, 32, "aws4_request", out) == 0)
		rc = 0;
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	OPENSSL_cleanse(k3, sizeof(k3));
	return rc;
}

static int check_inputs(const struct sigv4_key *key, const struct sigv4_scope *s, const char *date,
			char *err, size_t errlen)
{
	if (!valid_date(date)) {
		snprintf(err, errlen, "invalid x-amz-date");
		return -1;
	}
	if (!valid_scope_part(s->region) || !valid_scope_part(s->service)) {
		snprintf(err, errlen, "invalid region or service name");
		return -1;
	}
	if (!valid_key_id(key->access_key_id)) {
		snprintf(err, errlen, "invalid access key id");
		return -1;
	}
	if (!key->secret_access_key || !*key->secret_access_key ||
	    strlen(key->secret_access_key) > SECRET_MAX) {
		snprintf(err, errlen, "missing or oversized secret access key");
		return -1;
	}
	return 0;
}

static int string_to_sign(struct sigv4_out *out, const char *scope)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	struct fbuf b;
	SHA256((const unsigned char *)out->canonical_request, strlen(out->canonical_request),
	       digest);
	fbuf_init(&b, out->string_to_sign, sizeof(out->string_to_sign));
	fbuf_adds(&b, ALGORITHM "\n");
	fbuf_adds(&b, out->amz_date);
	fbuf_addc(&b, '\n');
	fbuf_adds(&b, scope);
	fbuf_addc(&b, '\n');
	fbuf_hex(&b, digest, sizeof(digest));
	return b.over ? -1 : 0;
}

static int authorization(struct sigv4_out *out, const struct sigv4_key *key, const char *scope,
			 const char *signed_headers, const unsigned char kSigning[32])
{
	unsigned char sig[32];
	struct fbuf b;
	if (hmac(kSigning, 32, out->string_to_sign, sig) != 0)
		return -1;
	fbuf_init(&b, out->authorization, sizeof(out->authorization));
	fbuf_adds(&b, ALGORITHM " Credential=");
	fbuf_adds(&b, key->access_key_id);
	fbuf_addc(&b, '/');
	fbuf_adds(&b, scope);
	fbuf_adds(&b, ", SignedHeaders=");
	fbuf_adds(&b, signed_headers);
	fbuf_adds(&b, ", Signature=");
	fbuf_hex(&b, sig, sizeof(sig));
	return b.over ? -1 : 0;
}

int sigv4_sign(const struct sigv4_request *req, const struct sigv4_key *key,
	       const struct sigv4_scope *scope, struct sigv4_out *out, char *err, size_t errlen)
{
	char date8[9], scope_str[SCOPE_MAX], signed_headers[SIGV4_MAX_HEADERS * SIGV4_NAME_MAX];
	unsigned char kSigning[32];
	memset(out, 0, sizeof(*out));
	if (scope->amz_date)
		snprintf(out->amz_date, sizeof(out->amz_date), "%s", scope->amz_date);
	else
		sigv4_format_date(time(NULL), out->amz_date);
	if (check_inputs(key, scope, out->amz_date, err, errlen) != 0)
		return -1;
	memcpy(date8, out->amz_date, 8);
	date8[8] = '\0';
	snprintf(scope_str, sizeof(scope_str), "%s/%s/%s/aws4_request", date8, scope->region,
		 scope->service);
	if (sigv4_canonical_request(req, out->amz_date, key->session_token, out->canonical_request,
				    sizeof(out->canonical_request), signed_headers,
				    sizeof(signed_headers), err, errlen) != 0)
		return -1;
	if (string_to_sign(out, scope_str) != 0 ||
	    signing_key(key->secret_access_key, date8, scope, kSigning) != 0 ||
	    authorization(out, key, scope_str, signed_headers, kSigning) != 0) {
		OPENSSL_cleanse(kSigning, sizeof(kSigning));
		snprintf(err, errlen, "signing failed");
		return -1;
	}
	OPENSSL_cleanse(kSigning, sizeof(kSigning));
	return 0;
}

void sigv4_out_wipe(struct sigv4_out *out)
{
	OPENSSL_cleanse(out, sizeof(*out));
}
