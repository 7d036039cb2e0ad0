/*
 * bench_engine.c — rule engine micro-benchmarks for test/bench/rules/run.sh.
 *
 *   bench_engine eval EVENTS.ndjson MAX_EVENTS MIN_EVALS REPEATS RULES.yaml...
 *       Loads the rules (engine_load, rule matching "all"), decodes up to
 *       MAX_EVENTS lines of EVENTS.ndjson into memory (ndjson_read_event,
 *       each event kept in its compact wire size), evaluates the array once
 *       untimed (warm-up), then REPEATS times evaluates it as many whole
 *       passes as it takes to reach MIN_EVALS evaluations, timing each
 *       repeat. One thread. Prints key=value lines (rates of every repeat,
 *       the median, alerts per pass).
 *
 *   bench_engine rulecost EVENTS.ndjson MAX_EVENTS TOP RULES.yaml...
 *       Where the evaluation time goes: for each enabled rule, times its
 *       condition alone (expr_eval) over the in-memory events whose evt.type
 *       it is indexed under, and prints the TOP most expensive rules as
 *       "rulecost=ns_per_stream_event|share|events_evaluated|matches|name".
 *       (Rule-internal: needs compile.h in step with the library.)
 *
 *   bench_engine load RUNS RULES.yaml...
 *       Times engine_new + engine_load + engine_free RUNS times; prints the
 *       median, min and max in ms and the load's rule/diagnostic counts.
 *
 * Linked against libvigil_rules.a / libvigil_common.a, with the analyzer's
 * ndjson_read.c, json_flat.c and context.c compiled in (see run.sh).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/context.h"
#include "analyzer/ndjson_read.h"
#include "rules/engine.h"
#include "rules/expr.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void noop_match(const struct compiled_rule *r, const struct vigil_event *ev, void *arg)
{
	(void)r;
	(void)ev;
	(void)arg;
}

static struct engine *load(const char *const *paths, size_t n, struct vigil_diag *d, int *rc)
{
	struct engine *e = engine_new();
	if (!e) {
		fputs("bench_engine: engine_new failed\n", stderr);
		exit(1);
	}
	*rc = engine_load(e, paths, n, d);
	return e;
}

/* ----------------------------------------------------------------- load */
static int cmd_load(int runs, const char *const *paths, size_t n)
{
	double *t = calloc((size_t)runs, sizeof(*t));
	size_t total = 0, enabled = 0, errors = 0, warnings = 0;
	int rc = 0;
	if (!t)
		return 1;
	for (int i = 0; i < runs; i++) {
		struct vigil_diag d;
		vigil_diag_init(&d);
		double t0 = now_s();
		struct engine *e = load(paths, n, &d, &rc);
		if (i == 0) {
			total = engine_rule_count(e);
			enabled = engine_enabled_count(e);
		}
		engine_free(e);
		t[i] = (now_s() - t0) * 1e3;
		errors = d.nerrors;
		warnings = d.nwarnings;
		vigil_diag_free(&d);
	}
	double lo = t[0], hi = t[0];
	for (int i = 1; i < runs; i++) {
		lo = t[i] < lo ? t[i] : lo;
		hi = t[i] > hi ? t[i] : hi;
	}
	printf("load_rc=%d\nrules=%zu\nenabled=%zu\nerrors=%zu\nwarnings=%zu\n", rc, total, enabled,
	       errors, warnings);
	printf("runs=%d\nload_ms_median=%.2f\nload_ms_min=%.2f\nload_ms_max=%.2f\n", runs,
	       median(t, (size_t)runs), lo, hi);
	free(t);
	return 0;
}

/* ----------------------------------------------------------------- eval */
struct event_array {
	char *arena;                  /* events packed at 8-byte alignment */
	size_t used, cap;
	const struct vigil_event **v; /* pointers into arena (set after reading) */
	size_t *off;
	size_t n, vcap;
};

static int keep(struct event_array *a, const struct vigil_event *ev)
{
	size_t size = (ev->wire_size + 7u) & ~(size_t)7u;
	/* Slack of one whole struct past the end, so nothing can read outside
	 * the allocation even if it looked past wire_size. */
	while (a->used + size + sizeof(struct vigil_event) > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : (size_t)64 << 20;
		char *p = realloc(a->arena, cap);
		if (!p)
			return -1;
		a->arena = p;
		a->cap = cap;
	}
	if (a->n == a->vcap) {
		size_t vcap = a->vcap ? a->vcap * 2 : 65536;
		size_t *o = realloc(a->off, vcap * sizeof(*o));
		if (!o)
			return -1;
		a->off = o;
		a->vcap = vcap;
	}
	memcpy(a->arena + a->used, ev, ev->wire_size);
	a->off[a->n++] = a->used;
	a->used += size;
	return 0;
}

static struct engine *load_checked(const char *const *paths, size_t n, bool verbose)
{
	struct vigil_diag d;
	vigil_diag_init(&d);
	int rc;
	double t0 = now_s();
	struct engine *e = load(paths, n, &d, &rc);
	double load_ms = (now_s() - t0) * 1e3;
	if (rc != 0 && d.nerrors) {
		vigil_diag_print(&d, stderr);
		fputs("bench_engine: rules failed to load\n", stderr);
		exit(1);
	}
	engine_set_matching(e, ENGINE_MATCH_ALL);
	if (verbose)
		printf("rules=%zu\nenabled=%zu\nwarnings=%zu\nload_ms=%.1f\n", engine_rule_count(e),
		       engine_enabled_count(e), d.nwarnings, load_ms);
	vigil_diag_free(&d);
	return e;
}

/* Decode up to max_events lines of `events` into a; exits on failure. */
static void read_events(const char *events, size_t max_events, struct event_array *out, bool verbose)
{
	FILE *f = fopen(events, "re");
	if (!f) {
		perror(events);
		exit(1);
	}
	struct ndjson_reader rd;
	ndjson_reader_init(&rd, f);
	struct vigil_event *ev = malloc(sizeof(*ev));
	struct event_array a = {0};
	size_t bad = 0;
	double t0 = now_s();
	while (ev && a.n < max_events) {
		struct ndjson_read_error err = {0};
		int r = ndjson_reader_next(&rd, ev, &err);
		if (r == 0 || r == -2)
			break;
		if (r < 0) {
			bad++;
			continue;
		}
		if (keep(&a, ev) != 0) {
			fputs("bench_engine: out of memory\n", stderr);
			exit(1);
		}
	}
	double decode_s = now_s() - t0;
	ndjson_reader_free(&rd);
	fclose(f);
	free(ev);
	if (a.n == 0) {
		fputs("bench_engine: no events\n", stderr);
		exit(1);
	}
	a.v = malloc(a.n * sizeof(*a.v));
	for (size_t i = 0; i < a.n; i++)
		a.v[i] = (const struct vigil_event *)(a.arena + a.off[i]);
	if (verbose)
		printf("events_in_memory=%zu\nunreadable=%zu\narena_mib=%.1f\n"
		       "decode_events_per_s=%.0f\n",
		       a.n, bad, (double)a.used / (1 << 20), (double)a.n / decode_s);
	*out = a;
}

static void free_events(struct event_array *a)
{
	free(a->v);
	free(a->off);
	free(a->arena);
}

static int cmd_eval(const char *events, size_t max_events, size_t min_evals, int repeats,
		    const char *const *paths, size_t n)
{
	struct engine *e = load_checked(paths, n, true);
	struct event_array a;
	read_events(events, max_events, &a, true);
	double t0;

	struct field_ctx ctx;
	context_init(&ctx, false);

	/* Warm-up pass; also the per-pass alert count. */
	size_t alerts = 0;
	for (size_t i = 0; i < a.n; i++)
		alerts += engine_eval(e, a.v[i], &ctx, noop_match, NULL);
	printf("alerts_per_pass=%zu\n", alerts);

	size_t passes = (min_evals + a.n - 1) / a.n;
	double *rate = calloc((size_t)repeats, sizeof(*rate));
	size_t total_alerts = 0;
	printf("passes_per_repeat=%zu\nevals_per_repeat=%zu\nrates=", passes, passes * a.n);
	for (int r = 0; r < repeats; r++) {
		t0 = now_s();
		for (size_t p = 0; p < passes; p++)
			for (size_t i = 0; i < a.n; i++)
				total_alerts += engine_eval(e, a.v[i], &ctx, noop_match, NULL);
		rate[r] = (double)(passes * a.n) / (now_s() - t0);
		printf("%s%.0f", r ? "," : "", rate[r]);
	}
	printf("\nalerts_total=%zu\nevents_per_s_median=%.0f\n", total_alerts,
	       median(rate, (size_t)repeats));
	free(rate);
	free_events(&a);
	engine_free(e);
	return 0;
}

/* ------------------------------------------------------------- rulecost */
struct cost {
	double ns;
	size_t evals, matches;
	const char *name;
};

static int by_cost(const void *x, const void *y)
{
	double a = ((const struct cost *)x)->ns, b = ((const struct cost *)y)->ns;
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmd_rulecost(const char *events, size_t max_events, size_t top, const char *const *paths,
			size_t n)
{
	struct engine *e = load_checked(paths, n, false);
	struct event_array a;
	read_events(events, max_events, &a, false);
	struct field_ctx ctx;
	context_init(&ctx, false);
	size_t nr = engine_rule_count(e), nc = 0;
	struct cost *c = calloc(nr ? nr : 1, sizeof(*c));
	const struct vigil_event **sel = malloc(a.n * sizeof(*sel));
	double total = 0;
	for (size_t i = 0; i < nr; i++) {
		const struct compiled_rule *r = engine_rule_at(e, i);
		if (!r->enabled || !r->cond)
			continue;
		size_t k = 0;
		for (size_t j = 0; j < a.n; j++)
			if (r->any_type || vigil_sc_set_has(&r->types, a.v[j]->type))
				sel[k++] = a.v[j];
		size_t m = 0;
		for (size_t j = 0; j < k; j++) /* warm-up */
			m += expr_eval(r->cond, sel[j], &ctx);
		int passes = 3;
		double t0 = now_s();
		for (int p = 0; p < passes; p++)
			for (size_t j = 0; j < k; j++)
				expr_eval(r->cond, sel[j], &ctx);
		double ns = (now_s() - t0) * 1e9 / passes / (double)a.n;
		c[nc++] = (struct cost){ns, k, m, r->src->name};
		total += ns;
	}
	qsort(c, nc, sizeof(*c), by_cost);
	printf("rulecost_total_ns_per_event=%.1f\n", total);
	for (size_t i = 0; i < nc && i < top; i++)
		printf("rulecost=%.1f|%.1f|%zu|%zu|%s\n", c[i].ns, total > 0 ? 100 * c[i].ns / total : 0,
		       c[i].evals, c[i].matches, c[i].name);
	free(c);
	free(sel);
	free_events(&a);
	engine_free(e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 7 && strcmp(argv[1], "eval") == 0) {
		int repeats = atoi(argv[5]);
		return cmd_eval(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
				repeats > 0 ? repeats : 1, (const char *const *)argv + 6,
				(size_t)(argc - 6));
	}
	if (argc >= 6 && strcmp(argv[1], "rulecost") == 0)
		return cmd_rulecost(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
				    (const char *const *)argv + 5, (size_t)(argc - 5));
	if (argc >= 4 && strcmp(argv[1], "load") == 0) {
		int runs = atoi(argv[2]);
		return cmd_load(runs > 0 ? runs : 1, (const char *const *)argv + 3, (size_t)(argc - 3));
	}
	fputs("usage: bench_engine eval EVENTS MAX_EVENTS MIN_EVALS REPEATS RULES...\n"
	      "       bench_engine rulecost EVENTS MAX_EVENTS TOP RULES...\n"
	      "       bench_engine load RUNS RULES...\n",
	      stderr);
	return 2;
}
