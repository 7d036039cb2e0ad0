/* key_static.c — the simplest key source: an environment variable, read once. */
#include <stdlib.h>
#include <string.h>

#include "vigil/api_key.h"
#include "ship/ship.h"

struct static_key {
	size_t len;
	char key[4096];
};

static int static_get(void *ctx, char *out, size_t cap)
{
	struct static_key *k = ctx;
	if (!k->len)
		return -1;
	if (k->len >= cap)
		return -1;
	memcpy(out, k->key, k->len + 1);
	return (int)k->len;
}

static void static_invalidate(void *ctx)
{
	(void)ctx; /* nothing to fetch again: a rotated key needs a restart */
}

int ship_key_static_init(struct ship_key_source *ks, const char *env_name)
{
	struct static_key *k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	const char *v = env_name ? getenv(env_name) : vigil_api_key();
	size_t n = v ? strlen(v) : 0;
	if (n && n < sizeof(k->key)) {
		memcpy(k->key, v, n + 1);
		k->len = n;
	}
	*ks = (struct ship_key_source){static_get, static_invalidate, -1, k};
	return 0;
}

void ship_key_static_free(struct ship_key_source *ks)
{
	if (ks->ctx)
		explicit_bzero(ks->ctx, sizeof(struct static_key));
	free(ks->ctx);
	ks->ctx = NULL;
}
