/* fuzz_rules_yaml.c — libFuzzer target for the rules-file loader
 * (agent/common/ydoc.c, agent/rules/rules_yaml.c, rules_text.c, ruleset.c).
 *
 * The input is loaded twice into one rule set, as two files, so that the
 * second load exercises replacing, appending and overriding what the first
 * defined; then every text position map is walked and every message is
 * formatted.
 *
 * Build and run by hand, from the repository root:
 *   clang -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined -Iinclude -Iagent \
 *     test/fuzz/fuzz_rules_yaml.c agent/rules/rules_*.c agent/rules/ruleset.c \
 *     -lyaml -o /tmp/fuzz_rules_yaml
 *   mkdir -p /tmp/fuzz-corpus && cp test/data/falco-rules/falco*.yaml \
 *     test/unit/rules/data/ruleset/bad_*.yaml /tmp/fuzz-corpus/
 *   /tmp/fuzz_rules_yaml -max_total_time=60 -max_len=16384 \
 *     -dict=test/fuzz/rules_yaml.dict /tmp/fuzz-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules/ruleset.h"

/* Every offset of short texts, a sample of long ones; positions must be
 * set and never go back within one segment. */
static void walk_text(const struct rules_text *t)
{
	struct vigil_pos pos;
	size_t step = t->len / 512 + 1;
	for (size_t off = 0; off <= t->len; off += step) {
		if (!rules_text_locate(t, off, &pos) || !pos.file || pos.line == 0 || pos.col == 0)
			__builtin_trap();
	}
	for (size_t i = 1; i < t->nsegs; i++)
		if (t->segs[i].off <= t->segs[i - 1].off || t->segs[i].off > t->len)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = ruleset_new();
	struct vigil_diag d;
	if (!rs)
		return 0;
	vigil_diag_init(&d);
	ruleset_load_buffer(rs, "a.yaml", (const char *)data, size, &d);
	ruleset_load_buffer(rs, "b.yaml", (const char *)data, size, &d);

	for (size_t i = 0; i < ruleset_rule_count(rs); i++) {
		const struct rules_rule *r = ruleset_rule_at(rs, i);
		if (ruleset_find_rule(rs, r->name) != r)
			__builtin_trap();
		walk_text(&r->condition);
		walk_text(&r->output);
	}
	for (size_t i = 0; i < ruleset_macro_count(rs); i++)
		walk_text(&ruleset_macro_at(rs, i)->condition);
	for (size_t i = 0; i < ruleset_list_count(rs); i++) {
		const struct rules_list *l = ruleset_list_at(rs, i);
		if (ruleset_find_list(rs, l->name) != l)
			__builtin_trap();
	}
	char line[512];
	for (size_t i = 0; i < d.n; i++)
		vigil_diag_format(&d.v[i], line, sizeof(line));
	vigil_diag_free(&d);
	ruleset_free(rs);
	return 0;
}
