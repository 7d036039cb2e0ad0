/*
 * http_alloc.c — allocators for libcurl and jansson that zero a block before
 * it goes back to malloc. Request headers (Authorization, security tokens)
 * and parsed JSON (credentials, the key) pass through these libraries' heap;
 * without this, freed copies would stay readable in a core dump.
 *
 * The free functions work on any malloc'd block (malloc_usable_size), so
 * installing them after other code already used jansson is safe. If another
 * part of vigil initialised libcurl first, curl keeps its allocators; the
 * wiping is then best effort for curl, still done for jansson.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "aws/http.h"

static void wiping_free(void *p)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}

/* realloc that never leaves the old block unwiped. */
static void *wiping_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n == 0) {
		wiping_free(p);
		return NULL;
	}
	void *q = malloc(n);
	if (!q)
		return NULL;
	size_t old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wiping_free(p);
	return q;
}

static char *wiping_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static void install(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
	curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, wiping_free, wiping_realloc,
			     wiping_strdup, calloc);
}

void aws_http_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, install);
}
