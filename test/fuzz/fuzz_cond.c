/*
 * fuzz_cond.c — libFuzzer target for the Falco condition parser.
 *
 * Build: clang -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Iagent test/fuzz/fuzz_cond.c agent/rules/cond_*.c agent/common/strbuf.c -o fuzz_cond
 *
 * Besides "no crash, no read past len", it checks what the tests rely on:
 * an error always has a sane position and message, and a parsed tree's
 * canonical text parses back to the same tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_ast.h"

static void check_error(const struct cond_error *err, size_t len)
{
	if (err->line < 1 || err->col < 1 || err->off > len)
		abort();
	if (!memchr(err->msg, '\0', sizeof(err->msg)) || !memchr(err->reason, '\0', sizeof(err->reason)))
		abort();
	if (err->msg[0] == '\0' || err->reason[0] == '\0')
		abort();
}

/* The minimal text parses back to the same tree (compared through the
 * explicit text, which shows the shape and is never re-parsed). */
static void check_round_trip(const struct cond_node *n)
{
	struct cond_error err;
	char *s1 = cond_to_string(n);
	char *shape1 = cond_to_explicit_string(n);
	if (!s1 || !shape1)
		abort();
	struct cond_node *again = cond_parse(s1, strlen(s1), &err);
	if (!again)
		abort(); /* the printer wrote something the parser rejects */
	char *s2 = cond_to_string(again);
	char *shape2 = cond_to_explicit_string(again);
	if (!s2 || !shape2 || strcmp(s1, s2) != 0 || strcmp(shape1, shape2) != 0)
		abort();
	free(s1);
	free(s2);
	free(shape1);
	free(shape2);
	cond_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: the harness's buffer may have slack after size. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct cond_error err;
	struct cond_node *n = cond_parse(buf, size, &err);
	free(buf); /* the tree must not point into the text */
	if (n) {
		check_round_trip(n);
		cond_free(n);
	} else {
		check_error(&err, size);
	}
	return 0;
}
