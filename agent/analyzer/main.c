/*
 * analyzer/main.c — vigil-analyzer: the untraced worker the supervisor runs.
 *
 * It receives events on the channel fd and (for now) writes them as NDJSON
 * to --events-out. Rules, FIM and delivery join its loop in later parts.
 * It keeps its progress (last evt.num handled) in a shared page, so that a
 * successor started after a crash can count exactly what was lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "analyzer/alerts.h"
#include "analyzer/context.h"
#include "analyzer/ndjson.h"
#include "analyzer/privscan.h"
#include "analyzer/receiver.h"
#include "analyzer/fim_cli.h"
#include "aws/aws_cli.h"
#include "analyzer/rules_cli.h"
#include "analyzer/rules_paths.h"
#include "analyzer/tracking.h"
#include "vigil/prefilter.h"
#include "vigil/log.h"
#include "vigil/strbuf.h"

#define OUT_FLUSH_BYTES (64u * 1024u)
#define HANDOFF_MAX (256u * 1024u) /* the supervisor reads at most this much */

struct analyzer {
	int out_fd;                  /* --events-out, or -1 */
	struct strbuf out;           /* lines not yet written */
	uint64_t out_last_num;       /* evt.num of the last line in `out` */
	volatile uint64_t *progress; /* shared with the supervisor and successors */
	uint64_t expected_num;       /* next evt.num we expect; 0 = unknown */
	uint64_t lost;
	bool write_failed;
	struct engine *engine;       /* NULL with --no-rules */
	struct field_ctx ctx;
	struct alert_out alerts;
	struct tracking tracking;    /* proc.is_exe_upper_layer, fd.l4proto */
};

/*
 * Write out buffered lines, then record progress: an event counts as
 * handled only once it is written, so a crash loses nothing uncounted.
 */
static void flush_out(struct analyzer *a)
{
	if (a->out_fd >= 0 && a->out.len && vigil_write_all(a->out_fd, a->out.data, a->out.len) != 0) {
		if (!a->write_failed)
			LOG_ERR("writing events: %s", strerror(errno));
		a->write_failed = true;
	}
	strbuf_reset(&a->out);
	if (a->progress && a->out_last_num) {
		a->progress[0] = a->out_last_num;
		a->progress[1] = a->lost;
	}
}

static void count_gap(struct analyzer *a, uint64_t num)
{
	if (a->expected_num == 0 && a->progress && *a->progress)
		a->expected_num = *a->progress + 1;
	if (a->expected_num && num > a->expected_num)
		a->lost += num - a->expected_num;
	a->expected_num = num + 1;
}

static int on_event(struct vigil_event *ev, void *ctx)
{
	struct analyzer *a = ctx;
	if (ev->kind == VIGIL_EV_END)
		return 1;
	count_gap(a, ev->num);
	if (ev->kind == VIGIL_EV_HEALTH) /* losses are known here, not in the supervisor */
		ev->health.events_lost = a->lost;
	else if (a->engine) {
		tracking_observe(&a->tracking, ev);
		engine_eval(a->engine, ev, &a->ctx, alerts_on_match, &a->alerts);
	}
	if (a->out_fd < 0) { /* nothing to write yet: the event counts as handled */
		a->out_last_num = ev->num;
		return 0;
	}
	size_t before = a->out.len;
	ndjson_event(&a->out, ev);
	strbuf_addc(&a->out, '\n');
	if (a->out.truncated) { /* cannot happen below the ceiling; never emit half a line */
		a->out.len = before;
		a->out.truncated = false;
	}
	a->out_last_num = ev->num;
	if (a->out.len >= OUT_FLUSH_BYTES)
		flush_out(a);
	return 0;
}

static void on_idle(void *ctx)
{
	struct analyzer *a = ctx;
	flush_out(a);
	if (a->engine)
		alerts_flush(&a->alerts);
}

static volatile uint64_t *map_progress(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

struct options {
	int channel_fd, progress_fd, syscalls_fd;
	const char *events_out;
	bool scan_privs, no_rules, on_host;
	char *rules[64];
	int n_rules;
	const char *priority, *matching;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){.channel_fd = -1, .progress_fd = -1, .syscalls_fd = -1};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strncmp(a, "--channel-fd=", 13) == 0)
			o->channel_fd = (int)strtol(a + 13, NULL, 10);
		else if (strncmp(a, "--progress-fd=", 14) == 0)
			o->progress_fd = (int)strtol(a + 14, NULL, 10);
		else if (strncmp(a, "--syscalls-fd=", 14) == 0)
			o->syscalls_fd = (int)strtol(a + 14, NULL, 10);
		else if (strcmp(a, "--no-new-privs") == 0)
			o->scan_privs = true;
		else if (strcmp(a, "--no-rules") == 0)
			o->no_rules = true;
		else if (strcmp(a, "--host") == 0)
			o->on_host = true;
		else if (!v)
			return -1;
		else if (strcmp(a, "--events-out") == 0)
			o->events_out = argv[++i];
		else if (strcmp(a, "--verbosity") == 0)
			vigil_log_verbosity = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(a, "--rules") == 0 && o->n_rules < 64)
			o->rules[o->n_rules++] = argv[++i];
		else if (strcmp(a, "--priority") == 0)
			o->priority = argv[++i];
		else if (strcmp(a, "--rule-matching") == 0)
			o->matching = argv[++i];
		else
			return -1;
	}
	return o->channel_fd < 0 ? -1 : 0;
}

/* Tell the supervisor which syscalls to trace: "SYSCALLS a,b,...\nRESULTS c,...\n". */
static void write_syscalls(int fd, const struct engine *e)
{
	vigil_sc_set set, results;
	bool restricted = engine_syscalls(e, &set);
	engine_result_syscalls(e, &results);
	struct strbuf sb;
	strbuf_init(&sb, HANDOFF_MAX);
	for (int pass = 0; pass < 2; pass++) {
		const vigil_sc_set *s = pass ? &results : &set;
		strbuf_adds(&sb, pass ? "RESULTS " : restricted ? "SYSCALLS " : "SYSCALLS *");
		bool first = true;
		for (int t = 1; t < VIGIL_SC_PROCEXIT && (pass || restricted); t++) {
			if (!vigil_sc_set_has(s, t))
				continue;
			if (!first)
				strbuf_addc(&sb, ',');
			strbuf_adds(&sb, vigil_syscall_name(t));
			first = false;
		}
		strbuf_addc(&sb, '\n');
	}
	struct prefilter pf;
	engine_open_prefilter(e, &pf);
	if (pf.active) { /* which opens need their result, by path */
		strbuf_adds(&sb, "OPENPATHS\n");
		for (size_t i = 0; i < pf.n; i++) {
			strbuf_addc(&sb, pf.preds[i].op);
			strbuf_add(&sb, pf.preds[i].s, pf.preds[i].len);
			strbuf_addc(&sb, '\n');
		}
	}
	prefilter_free(&pf);
	if (sb.truncated || !sb.data || vigil_write_all(fd, sb.data, sb.len) != 0)
		LOG_WARN("telling the supervisor the syscall set failed");
	strbuf_free(&sb);
}

/* Load rules (first start only reports; restarts load quietly). */
static int setup_rules(struct analyzer *a, const struct options *o)
{
	context_init(&a->ctx, o->on_host);
	if (o->no_rules)
		return 0;
	a->engine = engine_new();
	bool quiet = o->syscalls_fd < 0; /* a restarted analyzer: already reported once */
	if (!a->engine || rules_load_reporting(a->engine, o->rules, (size_t)o->n_rules, stderr, quiet) != 0)
		return -1;
	enum rules_priority p;
	if (o->priority && !rules_priority_parse(o->priority, &p)) {
		LOG_ERR("unknown priority '%s' (emergency, alert, critical, error, warning, notice, "
			"informational, debug)", o->priority);
		return -1;
	}
	if (o->priority)
		engine_set_min_priority(a->engine, p);
	if (o->matching)
		engine_set_matching(a->engine, o->matching[0] == 'a' ? ENGINE_MATCH_ALL : ENGINE_MATCH_FIRST);
	alerts_init(&a->alerts, STDOUT_FILENO, &a->ctx);
	return tracking_init(&a->tracking, &a->ctx);
}

static int open_events_out(struct analyzer *a, const char *path)
{
	if (!path)
		return 0;
	a->out_fd = strcmp(path, "-") == 0 ? dup(STDOUT_FILENO)
					   : open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (a->out_fd < 0) {
		LOG_ERR("cannot open --events-out %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	vigil_log_set_prefix("vigil-analyzer");
	if (argc >= 2 && (strcmp(argv[1], "rules") == 0 || strcmp(argv[1], "replay") == 0)) {
		vigil_log_set_prefix("vigil");
		return rules_cli_main(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "fim") == 0) {
		vigil_log_set_prefix("vigil");
		return fim_cli_main(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "aws") == 0)
		return aws_cli_main(argc - 1, argv + 1);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the supervisor */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	struct options o;
	if (parse_options(argc, argv, &o) != 0) {
		fprintf(stderr, "vigil-analyzer is started by vigil; it is not a command\n");
		return 2;
	}
	struct analyzer a = {.out_fd = -1};
	strbuf_init(&a.out, OUT_FLUSH_BYTES + 512 * 1024);
	if (o.progress_fd >= 0)
		a.progress = map_progress(o.progress_fd);
	if (a.progress)
		a.lost = a.progress[1]; /* losses are counted across generations */
	if (setup_rules(&a, &o) != 0) {
		if (o.syscalls_fd >= 0 && write(o.syscalls_fd, "ERROR\n", 6) < 0)
			LOG_WARN("telling the supervisor: %s", strerror(errno));
		return 2;
	}
	if (o.syscalls_fd >= 0) {
		if (a.engine)
			write_syscalls(o.syscalls_fd, a.engine);
		close(o.syscalls_fd);
	}
	if (open_events_out(&a, o.events_out) != 0)
		return 1;
	if (o.scan_privs)
		privscan_warn();
	struct receiver_stats st = {0};
	int rc = receiver_run(o.channel_fd, on_event, on_idle, &a, &st);
	flush_out(&a);
	if (a.engine) {
		alerts_free(&a.alerts);
		engine_free(a.engine);
		tracking_free(&a.tracking);
	}
	if (a.write_failed)
		rc = -1;
	if (st.invalid)
		LOG_WARN("%llu malformed events from the channel were skipped",
			 (unsigned long long)st.invalid);
	return rc == 0 ? 0 : 1;
}
