/*
 * fuzz_ndjson.c — libFuzzer target for the --events-out reader (`vigil
 * replay` input). No crash; an accepted line validates; and what the
 * writer makes of it is a fixed point: writing, reading and writing again
 * gives the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/ndjson.h"
#include "analyzer/ndjson_read.h"
#include "vigil/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vigil_event ev1, ev2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct ndjson_read_error err = {0};
	if (ndjson_read_event(buf, size, &ev1, &err) == 0) {
		if (vigil_event_validate(&ev1, ev1.wire_size) != 0)
			abort();
		struct strbuf a, b;
		strbuf_init(&a, 1 << 20);
		strbuf_init(&b, 1 << 20);
		ndjson_event(&a, &ev1);
		if (!a.data || ndjson_read_event(a.data, a.len, &ev2, &err) != 0)
			abort(); /* the reader refuses what the writer wrote */
		ndjson_event(&b, &ev2);
		if (!b.data || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			abort();
		strbuf_free(&a);
		strbuf_free(&b);
	} else if (!err.msg[0]) {
		abort(); /* rejected without a reason */
	}
	free(buf);
	return 0;
}
