/*
 * fuzz_config.c — libFuzzer target for the configuration loader (YAML ->
 * rules, FIM watches, delivery keys). No crash, no leak of an error: every
 * rejected input has at least one diagnostic with a position.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct vigil_config c;
	struct vigil_diag d;
	config_init(&c);
	vigil_diag_init(&d);
	int rc = config_load_buffer(&c, "fuzz.yaml", buf, size, &d);
	if (rc != 0 && d.nerrors == 0 && d.dropped == 0)
		abort(); /* rejected without saying why */
	for (size_t i = 0; i < c.fim.n_watches; i++)
		if (!c.fim.watches[i].path || c.fim.watches[i].path[0] != '/')
			abort(); /* a watch must be an absolute path */
	vigil_diag_free(&d);
	config_free(&c);
	free(buf);
	return 0;
}
