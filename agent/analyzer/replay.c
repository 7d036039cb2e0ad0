/*
 * replay.c — `vigil replay [--rules FILE]... [-p PRIO] [--rule-matching M] EVENTS.ndjson`
 *
 * Reads events back (ndjson_read.c), evaluates them with the same engine
 * the live analyzer uses, and prints alerts as Falco JSON lines on stdout.
 * A line that does not parse is reported with its number and skipped, and
 * makes the exit status 1: a replay that did not see every event must not
 * pass for a clean one in a script or CI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/alerts.h"
#include "analyzer/context.h"
#include "analyzer/ndjson_read.h"
#include "analyzer/replay.h"
#include "analyzer/rules_load.h"
#include "analyzer/rules_paths.h"
#include "analyzer/tracking.h"

#define REPLAY_MAX_RULES 64

struct replay_opts {
	char *rules[REPLAY_MAX_RULES];
	int n_rules;
	const char *events;
	const char *priority;
	const char *matching;
};

static int parse(int argc, char **argv, struct replay_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--rules") == 0 && v && o->n_rules >= REPLAY_MAX_RULES) {
			fprintf(stderr, "vigil: replay: at most %d --rules options are accepted\n",
				REPLAY_MAX_RULES);
			return -2;
		} else if (strcmp(a, "--rules") == 0 && v)
			o->rules[o->n_rules++] = argv[++i];
		else if ((strcmp(a, "-p") == 0 || strcmp(a, "--priority") == 0) && v)
			o->priority = argv[++i];
		else if (strcmp(a, "--rule-matching") == 0 && v)
			o->matching = argv[++i];
		else if (a[0] != '-' && !o->events)
			o->events = a;
		else
			return -1;
	}
	return o->events ? 0 : -1;
}

static int configure(struct engine *e, const struct replay_opts *o)
{
	if (o->priority) {
		enum rules_priority p;
		if (!rules_priority_parse(o->priority, &p)) {
			fprintf(stderr, "vigil: -p: unknown priority '%s' (emergency ... debug)\n",
				o->priority);
			return -1;
		}
		engine_set_min_priority(e, p);
	}
	if (o->matching) {
		if (strcmp(o->matching, "first") != 0 && strcmp(o->matching, "all") != 0) {
			fprintf(stderr, "vigil: --rule-matching: 'first' or 'all', not '%s'\n",
				o->matching);
			return -1;
		}
		engine_set_matching(e,
				    o->matching[0] == 'a' ? ENGINE_MATCH_ALL : ENGINE_MATCH_FIRST);
	}
	return 0;
}

int replay_main(int argc, char **argv)
{
	struct replay_opts o = {0};
	int parsed = parse(argc, argv, &o);
	if (parsed == -2)
		return 2;
	if (parsed != 0) {
		fputs("usage: vigil replay [--rules FILE]... [-p PRIORITY] [--rule-matching "
		      "first|all] "
		      "EVENTS.ndjson\n",
		      stderr);
		return 2;
	}
	FILE *in = strcmp(o.events, "-") == 0 ? stdin : fopen(o.events, "re");
	if (!in) {
		fprintf(stderr, "vigil: replay: %s: %s\n", o.events, strerror(errno));
		return 2;
	}
	/* 64 KiB reads: musl's stdio buffer is 1 KiB (glibc's 4 KiB), two read(2)s
	 * per event; musl takes a size only with a buffer. */
	static char inbuf[1 << 16];
	setvbuf(in, inbuf, _IOFBF, sizeof(inbuf));
	struct engine *e = engine_new();
	if (!e || rules_load_reporting(e, o.rules, (size_t)o.n_rules, stderr, false) != 0 ||
	    configure(e, &o) != 0) {
		engine_free(e);
		if (in != stdin)
			fclose(in);
		return 2;
	}
	struct field_ctx ctx;
	context_init(&ctx, false);
	struct tracking tracking;
	tracking_init(&tracking, &ctx);
	struct alert_out out;
	alerts_init(&out, STDOUT_FILENO, &ctx);
	struct vigil_event *ev = malloc(sizeof(*ev));
	char *line = NULL;
	size_t cap = 0, lineno = 0, events = 0, bad = 0;
	ssize_t len;
	while (ev && (len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (len == 0 || line[0] == '\n')
			continue;
		struct ndjson_read_error err = {0}; /* line 0: we print our own position */
		if (ndjson_read_event(line, (size_t)len, ev, &err) != 0) {
			if (bad++ < 10)
				fprintf(stderr, "vigil: replay: %s:%zu: %s\n", o.events, lineno,
					err.msg);
			continue;
		}
		events++;
		if (ev->kind == VIGIL_EV_COVERAGE)
			continue; /* live, vigil alerts it itself; no rule sees it (events.md) */
		tracking_observe(&tracking, ev);
		engine_eval(e, ev, &ctx, alerts_on_match, &out);
	}
	alerts_free(&out);
	fprintf(stderr, "vigil: replay: %zu events, %llu alerts, %zu unreadable line(s)\n", events,
		(unsigned long long)out.count, bad);
	free(line);
	free(ev);
	tracking_free(&tracking);
	engine_free(e);
	if (in != stdin)
		fclose(in);
	return out.failed || bad ? 1 : 0;
}
