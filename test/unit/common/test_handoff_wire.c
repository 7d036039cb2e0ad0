/* test_handoff_wire.c — the supervisor⇄analyzer start-up answer: round trip, cut and oversized input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/handoff_wire.h"

static struct vigil_handoff sample(void)
{
	struct vigil_handoff h = {0};
	vigil_sc_set_add(&h.set, VIGIL_SC_OPENAT);
	vigil_sc_set_add(&h.set, VIGIL_SC_CONNECT);
	vigil_sc_set_add_mandatory(&h.set); /* the reader adds them: compare like with like */
	vigil_sc_set_add(&h.results, VIGIL_SC_OPENAT);
	vigil_sc_set_add_mandatory(&h.results);
	h.open_paths.active = true;
	assert_int_equal(prefilter_add(&h.open_paths, PF_PREFIX, "/etc/", 5), 0);
	assert_int_equal(prefilter_add(&h.open_paths, PF_GLOB, "*.pem", 5), 0);
	return h;
}

/* Encode into a fresh buffer the way the reader receives it: NUL after the text. */
static char *encode(const struct vigil_handoff *h, size_t *len)
{
	struct strbuf sb;
	strbuf_init(&sb, VIGIL_HANDOFF_MAX);
	assert_int_equal(vigil_handoff_encode(&sb, h), 0);
	char *text = strndup(sb.data, sb.len);
	*len = sb.len;
	strbuf_free(&sb);
	return text;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct vigil_handoff in = sample(), out;
	size_t len;
	char *text = encode(&in, &len);
	assert_int_equal(vigil_handoff_decode(text, len, &out), VIGIL_HANDOFF_OK);
	assert_false(out.all);
	assert_memory_equal(&out.set, &in.set, sizeof(in.set));
	assert_memory_equal(&out.results, &in.results, sizeof(in.results));
	assert_true(out.open_paths.active);
	assert_int_equal(out.open_paths.n, 2);
	assert_int_equal(out.open_paths.preds[0].op, PF_PREFIX);
	assert_string_equal(out.open_paths.preds[0].s, "/etc/");
	assert_string_equal(out.open_paths.preds[1].s, "*.pem");
	prefilter_free(&out.open_paths);
	prefilter_free(&in.open_paths);
	free(text);
}

static void test_all_syscalls(void **state)
{
	(void)state;
	struct vigil_handoff in = {.all = true}, out;
	vigil_sc_set all;
	vigil_sc_set_default(&all);
	size_t len;
	char *text = encode(&in, &len);
	assert_true(strncmp(text, "SYSCALLS *\n", 11) == 0);
	assert_int_equal(vigil_handoff_decode(text, len, &out), VIGIL_HANDOFF_OK);
	assert_true(out.all);
	assert_memory_equal(&out.set, &all, sizeof(all));
	assert_false(out.open_paths.active);
	free(text);
}

static void test_error_and_empty(void **state)
{
	(void)state;
	struct vigil_handoff out;
	char err[] = VIGIL_HANDOFF_ERROR, empty[] = "";
	assert_int_equal(vigil_handoff_decode(err, strlen(err), &out), VIGIL_HANDOFF_FAILED);
	/* Nothing: the analyzer died before answering, no verdict on the rules. */
	assert_int_equal(vigil_handoff_decode(empty, 0, &out), VIGIL_HANDOFF_NO_ANSWER);
}

/* Every cut of a valid answer is refused, or read as a prefix that loses nothing it kept. */
static void test_truncated(void **state)
{
	(void)state;
	struct vigil_handoff in = sample(), out;
	size_t len;
	char *text = encode(&in, &len);
	size_t first_nl = (size_t)(strchr(text, '\n') - text);
	for (size_t cut = 1; cut < len; cut++) {
		char *part = strndup(text, cut);
		enum vigil_handoff_status st = vigil_handoff_decode(part, cut, &out);
		if (cut <= first_nl)
			assert_int_equal(st, VIGIL_HANDOFF_NO_LINE);
		else if (st == VIGIL_HANDOFF_OK) /* only whole predicate lines are kept */
			for (size_t i = 0; i < out.open_paths.n; i++)
				assert_int_equal(out.open_paths.preds[i].len, in.open_paths.preds[i].len);
		else
			assert_false(out.open_paths.active);
		prefilter_free(&out.open_paths);
		free(part);
	}
	prefilter_free(&in.open_paths);
	free(text);
}

/* Too many predicates for the limit: the writer refuses, the reader ignores a full buffer's. */
static void test_oversized(void **state)
{
	(void)state;
	struct vigil_handoff in = sample(), out;
	char path[1024];
	memset(path, 'a', sizeof(path));
	while (in.open_paths.n * sizeof(path) < VIGIL_HANDOFF_MAX + 4 * sizeof(path))
		assert_int_equal(prefilter_add(&in.open_paths, PF_EQ, path, sizeof(path)), 0);
	struct strbuf sb;
	strbuf_init(&sb, 2 * VIGIL_HANDOFF_MAX);
	assert_int_equal(vigil_handoff_encode(&sb, &in), -1);
	char *full = strndup(sb.data, VIGIL_HANDOFF_MAX - 1); /* what the reader's buffer holds */
	assert_int_equal(vigil_handoff_decode(full, VIGIL_HANDOFF_MAX - 1, &out), VIGIL_HANDOFF_OK);
	assert_false(out.open_paths.active);
	free(full);
	strbuf_free(&sb);
	prefilter_free(&in.open_paths);
}

static void test_unreadable(void **state)
{
	(void)state;
	struct vigil_handoff out;
	char bad_set[] = "SYSCALLS openat,nosuchcall\nRESULTS \n";
	char no_results[] = "SYSCALLS openat\nPATHS\n";
	assert_int_equal(vigil_handoff_decode(bad_set, strlen(bad_set), &out), VIGIL_HANDOFF_UNREADABLE);
	assert_int_equal(vigil_handoff_decode(no_results, strlen(no_results), &out),
			 VIGIL_HANDOFF_UNREADABLE);
	assert_false(out.open_paths.active);
}

/* The configuration file's start_policy travels first; alone without rules. */
static void test_policy(void **state)
{
	(void)state;
	struct vigil_handoff in = sample(), out;
	in.policy = VIGIL_HANDOFF_POLICY_SECURITY;
	size_t len;
	char *text = encode(&in, &len);
	assert_true(strncmp(text, "POLICY security\n", 16) == 0);
	assert_int_equal(vigil_handoff_decode(text, len, &out), VIGIL_HANDOFF_OK);
	assert_int_equal(out.policy, VIGIL_HANDOFF_POLICY_SECURITY);
	assert_memory_equal(&out.set, &in.set, sizeof(in.set));
	assert_int_equal(out.open_paths.n, 2);
	prefilter_free(&out.open_paths);
	prefilter_free(&in.open_paths);
	free(text);
	char alone[] = "POLICY availability\n";
	assert_int_equal(vigil_handoff_decode(alone, strlen(alone), &out), VIGIL_HANDOFF_NO_LINE);
	assert_int_equal(out.policy, VIGIL_HANDOFF_POLICY_AVAILABILITY);
	char none[] = "SYSCALLS *\nRESULTS openat\n";
	assert_int_equal(vigil_handoff_decode(none, strlen(none), &out), VIGIL_HANDOFF_OK);
	assert_int_equal(out.policy, VIGIL_HANDOFF_POLICY_UNSET);
	char bad[] = "POLICY maybe\nSYSCALLS *\nRESULTS openat\n";
	assert_int_equal(vigil_handoff_decode(bad, strlen(bad), &out), VIGIL_HANDOFF_OK);
	assert_int_equal(out.policy, VIGIL_HANDOFF_POLICY_UNSET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_all_syscalls),
		cmocka_unit_test(test_error_and_empty), cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized),     cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
