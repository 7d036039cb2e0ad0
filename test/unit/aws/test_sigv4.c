/*
 * test_sigv4.c — every vector of the AWS SigV4 test suite, compared byte for
 * byte (canonical request, string to sign, Authorization), plus the signer's
 * own limits. The suite is read at run time from $VIGIL_SIGV4_SUITE; a missing
 * suite is a failure, never a skip.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "aws/sigv4.h"

#define MAX_CASES 128
#define FILE_MAX 65536

static const struct sigv4_key suite_key = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};

struct vector {
	char dir[1024], name[256];
};

/* Whole file, NUL-terminated (the suite's files have no trailing newline). */
static char *slurp(const struct vector *v, const char *ext)
{
	char path[1400];
	snprintf(path, sizeof(path), "%s/%s.%s", v->dir, v->name, ext);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	char *buf = calloc(1, FILE_MAX + 1);
	assert_non_null(buf);
	size_t n = fread(buf, 1, FILE_MAX, f);
	assert_true(feof(f));
	fclose(f);
	buf[n] = '\0';
	return buf;
}

struct parsed {
	char method[16], path[1024], query[1024];
	struct sigv4_header h[SIGV4_MAX_HEADERS];
	size_t nh;
	char amz_date[32], token[1024];
	const char *body;
	size_t body_len;
};

/* "GET /path?query HTTP/1.1": the target may hold spaces (get-space). */
static void parse_request_line(char *line, struct parsed *p)
{
	char *sp = strchr(line, ' '), *ver = strstr(line, " HTTP/");
	assert_non_null(sp);
	assert_non_null(ver);
	*sp = '\0';
	*ver = '\0';
	snprintf(p->method, sizeof(p->method), "%s", line);
	char *target = sp + 1, *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	snprintf(p->path, sizeof(p->path), "%s", target);
	snprintf(p->query, sizeof(p->query), "%s", q ? q : "");
}

/* Headers "Name:value", continuation lines start with whitespace. The date
 * and a security token are taken out: the signer adds those itself. */
static void take_header(char *line, struct parsed *p)
{
	char *colon = strchr(line, ':');
	assert_non_null(colon);
	*colon = '\0';
	const char *v = colon + 1;
	if (strcasecmp(line, "X-Amz-Date") == 0) {
		snprintf(p->amz_date, sizeof(p->amz_date), "%s", v);
		return;
	}
	if (strcasecmp(line, "X-Amz-Security-Token") == 0) {
		snprintf(p->token, sizeof(p->token), "%s", v);
		return;
	}
	assert_true(p->nh < SIGV4_MAX_HEADERS);
	p->h[p->nh++] = (struct sigv4_header){line, v};
}

static void parse_req(char *req, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	char *line = req, *next = strchr(line, '\n');
	assert_non_null(next);
	*next = '\0';
	parse_request_line(line, p);
	for (line = next + 1; line && *line;) {
		next = strchr(line, '\n');
		if (next)
			*next = '\0';
		if (*line == ' ' || *line == '\t') { /* folded onto the previous header */
			assert_true(p->nh > 0);
			line[-1] = '\n'; /* rejoin: the signer folds whitespace runs */
		} else {
			take_header(line, p);
		}
		line = next ? next + 1 : NULL;
		if (line && *line == '\n') { /* blank line: the body follows */
			p->body = line + 1;
			p->body_len = strlen(p->body);
			break;
		}
	}
	assert_true(p->amz_date[0] != '\0');
}

/* get-vanilla-with-session-token has the token only in the .creq. */
static void token_from_creq(const char *creq, struct parsed *p)
{
	const char *t = strstr(creq, "\nx-amz-security-token:");
	if (p->token[0] || !t)
		return;
	t += strlen("\nx-amz-security-token:");
	size_t n = strcspn(t, "\n");
	assert_true(n < sizeof(p->token));
	memcpy(p->token, t, n);
	p->token[n] = '\0';
}

static void run_vector(void **state)
{
	const struct vector *v = *state;
	char *req = slurp(v, "req"), *creq = slurp(v, "creq"), *sts = slurp(v, "sts"), *authz = slurp(v, "authz");
	struct parsed p;
	parse_req(req, &p);
	token_from_creq(creq, &p);
	struct sigv4_request r = {p.method, p.path, p.query, p.h, p.nh, p.body, p.body_len};
	struct sigv4_key key = suite_key;
	key.session_token = p.token[0] ? p.token : NULL;
	struct sigv4_scope scope = {"us-east-1", "service", p.amz_date};
	static struct sigv4_out out;
	char err[256] = "";
	if (sigv4_sign(&r, &key, &scope, &out, err, sizeof(err)) != 0)
		fail_msg("%s: %s", v->name, err);
	assert_string_equal(out.canonical_request, creq);
	assert_string_equal(out.string_to_sign, sts);
	assert_string_equal(out.authorization, authz);
	sigv4_out_wipe(&out);
	free(req);
	free(creq);
	free(sts);
	free(authz);
}

static bool has_req(const char *dir, const char *name)
{
	char path[1400];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s.req", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A vector is a directory <name> holding <name>.req; some are nested. */
static void find_vectors(const char *dir, struct vector *v, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char sub[1024];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (has_req(sub, e->d_name) && *n < MAX_CASES) {
			snprintf(v[*n].dir, sizeof(v[*n].dir), "%s", sub);
			snprintf(v[*n].name, sizeof(v[*n].name), "%s", e->d_name);
			(*n)++;
		}
		find_vectors(sub, v, n);
	}
	closedir(d);
}

static int cmp_vector(const void *a, const void *b)
{
	return strcmp(((const struct vector *)a)->dir, ((const struct vector *)b)->dir);
}

static struct vector vectors[MAX_CASES];
static size_t n_vectors;

/* The suite has 34 cases; fewer means a broken or missing copy. */
static void test_suite_present(void **state)
{
	const char *dir = getenv("VIGIL_SIGV4_SUITE");
	if (!dir)
		fail_msg("VIGIL_SIGV4_SUITE is not set");
	if (n_vectors < 34)
		fail_msg("%s: found %zu SigV4 vectors, expected 34", dir, n_vectors);
}

/* The signer adds x-amz-date itself and ignores one the caller passed. */
static void test_date_owned_by_signer(void **state)
{
	struct sigv4_header h[] = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "19990101T000000Z"}};
	struct sigv4_request r = {"GET", "/", NULL, h, 2, NULL, 0};
	struct sigv4_scope scope = {"us-east-1", "service", NULL};
	static struct sigv4_out out;
	char err[128];
	assert_int_equal(sigv4_sign(&r, &suite_key, &scope, &out, err, sizeof(err)), 0);
	assert_int_equal(strlen(out.amz_date), SIGV4_DATE_LEN);
	assert_non_null(strstr(out.canonical_request, out.amz_date));
	assert_null(strstr(out.canonical_request, "19990101"));
}

/* Limits: no Host, too many headers, bad scope, bad date: errors, not crashes. */
static void test_rejects(void **state)
{
	static struct sigv4_header many[SIGV4_MAX_HEADERS + 1];
	for (size_t i = 0; i < SIGV4_MAX_HEADERS + 1; i++)
		many[i] = (struct sigv4_header){"Host", "x"};
	struct sigv4_header noh[] = {{"Accept", "*/*"}};
	struct sigv4_header ok[] = {{"Host", "h"}};
	struct sigv4_request r1 = {"GET", "/", NULL, noh, 1, NULL, 0};
	struct sigv4_request r2 = {"GET", "/", NULL, many, SIGV4_MAX_HEADERS + 1, NULL, 0};
	struct sigv4_request r3 = {"GET", "/", NULL, ok, 1, NULL, 0};
	struct sigv4_scope good = {"us-east-1", "ssm", "20150830T123600Z"};
	struct sigv4_scope bad_region = {"us east", "ssm", "20150830T123600Z"};
	struct sigv4_scope bad_date = {"us-east-1", "ssm", "2015-08-30"};
	struct sigv4_key bad_id = {"AKID/../x", "s", NULL};
	static struct sigv4_out out;
	char err[128];
	assert_int_equal(sigv4_sign(&r1, &suite_key, &good, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Host"));
	assert_int_equal(sigv4_sign(&r2, &suite_key, &good, &out, err, sizeof(err)), -1);
	assert_int_equal(sigv4_sign(&r3, &suite_key, &bad_region, &out, err, sizeof(err)), -1);
	assert_int_equal(sigv4_sign(&r3, &suite_key, &bad_date, &out, err, sizeof(err)), -1);
	assert_int_equal(sigv4_sign(&r3, &bad_id, &good, &out, err, sizeof(err)), -1);
	assert_int_equal(sigv4_sign(&r3, &suite_key, &good, &out, err, sizeof(err)), 0);
}

/* Query details the suite does not cover: empty parts, a key without '=',
 * a stray '%' and the reserved characters. */
static void test_query_edges(void **state)
{
	struct sigv4_header h[] = {{"Host", "h"}};
	struct sigv4_request r = {"GET", "/a b/%7e", "b=2&&a&c=%zz&d=a+b/c", h, 1, NULL, 0};
	char creq[4096], sh[256], err[128];
	assert_int_equal(sigv4_canonical_request(&r, "20150830T123600Z", NULL, creq, sizeof(creq), sh,
						 sizeof(sh), err, sizeof(err)), 0);
	assert_string_equal(strchr(creq, '\n') + 1,
			    "/a%20b/%257e\n"
			    "a=&b=2&c=%25zz&d=a%2Bb%2Fc\n"
			    "host:h\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* too small an output buffer is an error, never a truncated signature */
	assert_int_equal(sigv4_canonical_request(&r, "20150830T123600Z", NULL, creq, 40, sh, sizeof(sh),
						 err, sizeof(err)), -1);
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES + 4];
	size_t n = 0;
	const char *dir = getenv("VIGIL_SIGV4_SUITE");
	if (dir)
		find_vectors(dir, vectors, &n_vectors);
	qsort(vectors, n_vectors, sizeof(vectors[0]), cmp_vector);
	tests[n++] = (struct CMUnitTest){"suite_present", test_suite_present, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"date_owned_by_signer", test_date_owned_by_signer, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"rejects", test_rejects, NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"query_edges", test_query_edges, NULL, NULL, NULL};
	for (size_t i = 0; i < n_vectors; i++)
		tests[n++] = (struct CMUnitTest){vectors[i].name, run_vector, NULL, NULL, &vectors[i]};
	return _cmocka_run_group_tests("sigv4", tests, n, NULL, NULL);
}
