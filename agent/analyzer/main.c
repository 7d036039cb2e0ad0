/*
 * analyzer/main.c — vigil-analyzer: the untraced worker the supervisor runs.
 *
 * One event loop (evloop.h) joins the channel from the supervisor (events
 * evaluated by the rules, written as NDJSON to --events-out), live FIM and
 * alert output.
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
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/alerts.h"
#include "analyzer/backstop.h"
#include "analyzer/config_setup.h"
#include "analyzer/coverage.h"
#include "analyzer/delivery.h"
#include "analyzer/fim_live.h"
#include "analyzer/handoff.h"
#include "analyzer/heartbeat.h"
#include "analyzer/loss.h"
#include "analyzer/options.h"
#include "analyzer/context.h"
#include "analyzer/ndjson.h"
#include "analyzer/privscan.h"
#include "analyzer/progress.h"
#include "analyzer/receiver.h"
#include "analyzer/fim_cli.h"
#include "aws/aws_cli.h"
#include "analyzer/rules_cli.h"
#include "analyzer/rules_load.h"
#include "analyzer/rules_paths.h"
#include "analyzer/tracking.h"
#include "vigil/api_key.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"
#include "vigil/handoff_wire.h"
#include "vigil/prefilter.h"
#include "vigil/log.h"
#include "vigil/strbuf.h"

#define OUT_FLUSH_BYTES (64u * 1024u)
#define PROGRESS_EVERY_MS 100u

struct analyzer {
	int out_fd;	       /* --events-out, or -1 */
	struct strbuf out;     /* lines not yet written */
	uint64_t out_last_num; /* evt.num of the last line in `out` */
	uint64_t *progress;    /* shared with successors (progress.h) */
	uint64_t out_size;     /* --events-out's size when out_is_file */
	bool out_is_file;      /* a regular file (not stdout or a FIFO) */
	uint64_t expected_num; /* next evt.num we expect; 0 = unknown */
	uint64_t lost;
	bool write_failed;
	struct engine *engine; /* NULL with --no-rules */
	struct field_ctx ctx;
	struct alert_out alerts;
	struct tracking tracking; /* proc.is_exe_upper_layer, fd.l4proto */
	struct vigil_config cfg;
	struct evloop *loop;
	struct receiver rx;
	struct fim_live fim;
	struct backstop *backstop; /* NULL: off, or the rules name no file */
	struct delivery *delivery;
	uint64_t progress_timer;
	uint64_t crash_alerts;	       /* alerts a killed predecessor held in memory */
	struct progress_rec inherited; /* what the predecessor recorded */
	enum progress_state inherited_state;
	struct loss loss; /* loss reports (loss.h) */
	uint64_t loss_timer;
	struct vigil_event *health; /* scratch: health events of our own */
	struct coverage cov;	    /* the "vigil coverage" alert (coverage.h) */
	bool keep_config;
	bool meta_busy; /* the task metadata thread is still in a request */
	int rc;
};

/* Record what is handled: the last event, the losses, where --events-out
 * ends, and how many alerts exist only in this process's memory. */
static void store_progress(struct analyzer *a)
{
	if (!a->progress || !a->out_last_num)
		return;
	struct progress_rec r = {
		a->out_last_num,     a->lost,	       a->out_size,	     0,
		a->loss.rep_dropped, a->loss.rep_lost, a->loss.rep_restarts, a->loss.rep_ms};
	if (a->delivery)
		r.alerts_in_memory = delivery_in_memory(a->delivery);
	progress_store(a->progress, &r);
}

static void on_progress_timer(void *arg)
{
	struct analyzer *a = arg;
	store_progress(a); /* alerts leave memory on delivery's own time */
	a->progress_timer = evloop_add_timer(a->loop, PROGRESS_EVERY_MS, on_progress_timer, a);
}

/*
 * Write out buffered lines, then record progress: an event counts as
 * handled only once it is written, so a crash loses nothing uncounted.
 */
/* --events-out's size, and whether it is a regular file (else no size). */
static bool out_file_size(int fd, uint64_t *size)
{
	struct stat st;
	*size = 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	*size = (uint64_t)st.st_size;
	return true;
}

static void flush_out(struct analyzer *a)
{
	if (a->out_fd >= 0 && a->out.len) {
		if (vigil_write_all(a->out_fd, a->out.data, a->out.len) == 0) {
			if (a->out_is_file) /* we are its only writer: no fstat per flush */
				a->out_size += a->out.len;
		} else {
			if (!a->write_failed)
				LOG_ERR("writing events: %s", strerror(errno));
			a->write_failed = true;
			a->out_is_file = out_file_size(a->out_fd, &a->out_size); /* how much went */
		}
	}
	strbuf_reset(&a->out);
	store_progress(a);
}

/*
 * A predecessor killed in the middle of a write may have left part of a
 * batch (even half a line) after the last event it recorded as handled:
 * cut the file back to that point. Those events are counted as lost.
 */
static void truncate_unrecorded(struct analyzer *a)
{
	char why[160];
	uint64_t max_tail = a->out.max; /* the most one flush writes */
	if (a->inherited_state != PROGRESS_OK || !a->inherited.out_size)
		return;
	int r = progress_check_cut(a->out_fd, a->inherited.out_size, max_tail, why, sizeof(why));
	if (r < 0)
		LOG_WARN("--events-out is left as it is, not cut back to the recorded end of the "
			 "last "
			 "event: %s",
			 why);
	else if (r == 0 && ftruncate(a->out_fd, (off_t)a->inherited.out_size) != 0)
		LOG_WARN("cannot cut --events-out back to its last complete event: %s",
			 strerror(errno));
}

static void count_gap(struct analyzer *a, uint64_t num)
{
	if (a->expected_num == 0 && a->inherited.last_num)
		a->expected_num = a->inherited.last_num + 1;
	if (a->expected_num && num > a->expected_num)
		a->lost += num - a->expected_num;
	a->expected_num = num + 1;
}

/* Append one event to the --events-out buffer. */
static void write_event(struct analyzer *a, const struct vigil_event *ev)
{
	if (a->out_fd < 0)
		return;
	size_t before = a->out.len;
	ndjson_event(&a->out, ev);
	strbuf_addc(&a->out, '\n');
	if (a->out.truncated) { /* cannot happen below the ceiling; never emit half a line */
		a->out.len = before;
		a->out.truncated = false;
	}
	if (a->out.len >= OUT_FLUSH_BYTES)
		flush_out(a);
}

static void on_loss_timer(void *arg);
static void flush_all(struct analyzer *a);

/* What only the analyzer knows, on a health event: losses, FIM's state,
 * and whether the event is a loss report; a report still owed is timed. */
static void complete_health(struct analyzer *a, struct vigil_health *h, bool force)
{
	h->events_lost = a->lost; /* losses are known here, not in the supervisor */
	struct fim_monitor_stats st = {0};
	if (a->fim.mon)
		fim_monitor_stats(a->fim.mon, &st);
	h->fim_unwatched = st.unwatched_trees;
	h->fim_overflows = st.overflows;
	loss_update(&a->loss, h, vigil_mono_ms(), force);
	if (loss_pending(&a->loss) && !a->loss_timer && a->loop)
		a->loss_timer = evloop_add_timer(a->loop, loss_due_ms(&a->loss, vigil_mono_ms()),
						 on_loss_timer, a);
}

/*
 * A health event of our own (evt.num 0: not from the channel), with the
 * latest counters: a loss report the supervisor's events did not make (the
 * minute is over, or we exit), or a change of FIM's state.
 */
static void own_health(struct analyzer *a, bool force)
{
	struct vigil_event *ev = a->health;
	if (!ev)
		return;
	vigil_event_init(ev, VIGIL_EV_HEALTH);
	ev->type = VIGIL_SC_HEALTH;
	ev->ts_ns = vigil_wall_ns();
	ev->proc.pid = getppid();
	ev->health = a->loss.seen;
	complete_health(a, &ev->health, force);
	vigil_event_seal(ev);
	if (a->engine)
		engine_eval(a->engine, ev, &a->ctx, alerts_on_match, &a->alerts);
	write_event(a, ev);
}

static void on_loss_timer(void *arg)
{
	struct analyzer *a = arg;
	a->loss_timer = 0;
	if (loss_pending(&a->loss))
		own_health(a, false);
	flush_all(a);
}

static void on_fim_degraded(void *arg)
{
	own_health(arg, false);
}

static int on_event(struct vigil_event *ev, void *ctx)
{
	struct analyzer *a = ctx;
	if (ev->kind == VIGIL_EV_END)
		return 1;
	count_gap(a, ev->num);
	backstop_observe(a->backstop, ev);
	if (ev->kind == VIGIL_EV_COVERAGE) {
		coverage_take(&a->cov, ev); /* vigil's own alert, not the rules' */
	} else if (ev->kind == VIGIL_EV_HEALTH) {
		complete_health(a, &ev->health, false);
		if (a->engine)
			engine_eval(a->engine, ev, &a->ctx, alerts_on_match, &a->alerts);
	} else {
		fim_live_observe(&a->fim, ev);
		if (a->engine) {
			tracking_observe(&a->tracking, ev);
			engine_eval(a->engine, ev, &a->ctx, alerts_on_match, &a->alerts);
		}
	}
	a->out_last_num = ev->num; /* before the line: its write may flush and record progress */
	write_event(a, ev);
	return 0;
}

/* Events of our own (FIM changes, unseen opens) go to --events-out too (evt.num 0:
 * they are not from the channel). */
static void on_own_event(const struct vigil_event *ev, void *arg)
{
	write_event(arg, ev);
}

static void flush_all(struct analyzer *a)
{
	flush_out(a);
	if (a->engine || a->fim.mon)
		alerts_flush(&a->alerts);
}

static void on_channel(int fd, uint32_t revents, void *arg)
{
	(void)fd, (void)revents;
	struct analyzer *a = arg;
	int r = receiver_drain(&a->rx, on_event, a);
	backstop_channel_read(a->backstop);
	flush_all(a); /* nothing more is ready: write out what we have */
	if (r != RECEIVER_AGAIN) {
		a->rc = r == RECEIVER_ERROR ? -1 : 0;
		evloop_stop(a->loop);
	}
}

/* Load rules (first start only reports; restarts load quietly). */
static int setup_rules(struct analyzer *a, const struct analyzer_options *o,
		       const struct vigil_config *c)
{
	context_init(&a->ctx, o->on_host);
	alerts_init(&a->alerts, STDOUT_FILENO, &a->ctx);
	if (o->no_rules)
		return 0;
	a->engine = engine_new();
	bool quiet = o->syscalls_fd < 0; /* a restarted analyzer: already reported once */
	if (!a->engine ||
	    rules_load_reporting(a->engine, c->rules, (size_t)c->n_rules, stderr, quiet) != 0)
		return -1;
	enum rules_priority p;
	if (c->priority && !rules_priority_parse(c->priority, &p)) {
		LOG_ERR("unknown priority '%s' (emergency, alert, critical, error, warning, "
			"notice, "
			"informational, debug)",
			c->priority);
		return -1;
	}
	if (c->priority)
		engine_set_min_priority(a->engine, p);
	if (c->rule_matching && strcmp(c->rule_matching, "first") != 0 &&
	    strcmp(c->rule_matching, "all") != 0) {
		LOG_ERR("rule_matching: 'first' or 'all', not '%s'", c->rule_matching);
		return -1;
	}
	if (c->rule_matching)
		engine_set_matching(a->engine, c->rule_matching[0] == 'a' ? ENGINE_MATCH_ALL
									  : ENGINE_MATCH_FIRST);
	return tracking_init(&a->tracking, &a->ctx);
}

static int open_events_out(struct analyzer *a, const char *path)
{
	if (!path)
		return 0;
	/* Read access too: a cut back is checked against the bytes before it. */
	a->out_fd = strcmp(path, "-") == 0
			    ? dup(STDOUT_FILENO)
			    : open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (a->out_fd < 0 && errno == EACCES && strcmp(path, "-") != 0) /* write-only for us */
		a->out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (a->out_fd < 0) {
		LOG_ERR("cannot open --events-out %s: %s", path, strerror(errno));
		return -1;
	}
	truncate_unrecorded(a);
	a->out_is_file = out_file_size(a->out_fd, &a->out_size);
	return 0;
}

static void tell_supervisor(struct analyzer *a, const struct analyzer_options *o, bool ok)
{
	if (o->syscalls_fd < 0)
		return;
	if (!ok) {
		if (write(o->syscalls_fd, VIGIL_HANDOFF_ERROR, strlen(VIGIL_HANDOFF_ERROR)) < 0)
			LOG_WARN("telling the supervisor: %s", strerror(errno));
	} else if (a->engine) {
		vigil_sc_set extra = {0};
		if (a->cfg.fim.n_watches)
			attribution_syscalls(&extra);
		backstop_syscalls(a->backstop, &extra);
		handoff_write_syscalls(o->syscalls_fd, a->engine, &extra, a->cfg.start_policy);
	} else {
		handoff_write_policy(o->syscalls_fd, a->cfg.start_policy);
	}
	close(o->syscalls_fd);
}

static int run(struct analyzer *a, const struct analyzer_options *o)
{
	a->loop = evloop_new();
	a->rx.fd = o->channel_fd;
	if (!a->loop || evloop_add_fd(a->loop, o->channel_fd, VIGIL_EV_READ, on_channel, a) != 0) {
		LOG_ERR("cannot set up the event loop: %s", strerror(errno));
		return 1;
	}
	a->delivery = delivery_start(&a->cfg, a->loop, &a->ctx);
	if (!a->delivery)
		return 1;
	a->alerts.delivery = a->delivery;
	coverage_init(&a->cov, a->loop, a->delivery, &a->ctx);
	if (a->crash_alerts) {
		delivery_count_crash_loss(a->delivery, a->crash_alerts);
		store_progress(a); /* counted once: not again by our own successor */
	}
	a->progress_timer = evloop_add_timer(a->loop, PROGRESS_EVERY_MS, on_progress_timer, a);
	struct backstop_out bout = {a->engine, &a->alerts, &a->ctx,
				    a->out_fd >= 0 ? on_own_event : NULL, a};
	if (backstop_attach(a->backstop, a->loop, &bout) != 0) {
		backstop_free(a->backstop);
		a->backstop = NULL;
	}
	if (a->cfg.fim.n_watches) {
		if (fim_live_start(&a->fim, &a->cfg.fim, a->loop, a->engine, &a->alerts, &a->ctx) !=
		    0)
			LOG_ERR("fim: live monitoring is off (see above)");
		a->fim.on_event = a->out_fd >= 0 ? on_own_event : NULL;
		a->fim.on_event_arg = a;
		a->fim.on_degraded = on_fim_degraded;
	}
	int rc = evloop_run(a->loop) != 0 ? -1 : a->rc;
	backstop_finish(a->backstop); /* the stream ended: every open is judged now */
	fim_live_flush(&a->fim);
	if (loss_pending(&a->loss)) /* a report still owed goes out now, not never */
		own_health(a, true);
	/* The program ended before task metadata came: a quarter of the drain. */
	coverage_flush(&a->cov, o->drain_ms / 4);
	flush_all(a);
	/* what the supervisor waits for us, less a margin for the rest of the exit */
	delivery_finish(a->delivery, o->drain_ms > 1000 ? o->drain_ms - 500 : o->drain_ms / 2);
	a->keep_config = fim_live_stop(&a->fim);
	a->meta_busy = coverage_busy(&a->cov);
	coverage_free(&a->cov);
	backstop_free(a->backstop);
	a->backstop = NULL;
	evloop_cancel_timer(a->loop, a->progress_timer);
	evloop_cancel_timer(a->loop, a->loss_timer);
	store_progress(a); /* after the drain: what is left is spooled or counted */
	delivery_free(a->delivery);
	a->delivery = NULL;
	a->alerts.delivery = NULL;
	receiver_free(&a->rx);
	evloop_free(a->loop);
	return rc;
}

/* What a predecessor recorded, checked before anything relies on it. */
static void inherit_progress(struct analyzer *a)
{
	char why[160] = "";
	struct progress_rec *pr = &a->inherited;
	a->inherited_state =
		a->progress ? progress_load(a->progress, pr, why, sizeof(why)) : PROGRESS_NONE;
	if (a->inherited_state == PROGRESS_REJECTED)
		LOG_WARN("the progress record left by the previous analyzer is not sound (%s): "
			 "--events-out is not cut, and losses at this restart may be uncounted",
			 why);
	a->lost = pr->lost; /* losses are counted across generations */
	a->out_last_num = pr->last_num;
	a->crash_alerts = pr->alerts_in_memory;
	a->loss = (struct loss){.rep_dropped = pr->rep_dropped,
				.rep_lost = pr->rep_lost,
				.rep_restarts = pr->rep_restarts,
				.rep_ms = pr->rep_ms};
	a->loss.seen.events_dropped = pr->rep_dropped; /* nothing owed until an event says so */
	a->loss.seen.events_lost = pr->rep_lost;
	a->loss.seen.analyzer_restarts = pr->rep_restarts;
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
	/* It may hold the API key and AWS credentials: no core dump, and no
	 * ptrace or /proc/PID/mem from processes of the same user that lack
	 * CAP_SYS_PTRACE, as the program does (supervisor/privs.h). */
	prctl(PR_SET_DUMPABLE, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	struct analyzer_options o;
	int parsed = analyzer_options_parse(argc, argv, &o);
	if (parsed == -2) {
		tell_supervisor(NULL, &o, false);
		return 2;
	}
	if (parsed != 0) {
		fprintf(stderr, "vigil-analyzer is started by vigil; it is not a command\n");
		return 2;
	}
	/* The key comes on a pipe, never in the environment (vigil/api_key.h). */
	if (o.key_fd >= 0 && vigil_api_key_read_fd(o.key_fd) != 0)
		return 2;
	static struct analyzer a = {.out_fd = -1};
	strbuf_init(&a.out, OUT_FLUSH_BYTES + 512 * 1024);
	a.health = malloc(sizeof(*a.health));
	if (o.progress_fd >= 0)
		a.progress = progress_map(o.progress_fd);
	heartbeat_start(a.progress); /* as soon as the page is there */
	inherit_progress(&a);
	bool ok = analyzer_config_setup(&a.cfg, &o, o.syscalls_fd < 0) == 0 &&
		  setup_rules(&a, &o, &a.cfg) == 0;
	/* Watching before the program starts. Not on a host (--host): its files
	 * are every process's there, and vigil traces one program. */
	if (ok && a.engine && !o.no_backstop && !o.on_host)
		a.backstop = backstop_new(a.engine, o.channel_fd);
	tell_supervisor(&a, &o, ok);
	if (!ok)
		return 2;
	if (open_events_out(&a, o.events_out) != 0)
		return 1;
	if (o.scan_privs)
		privscan_warn();
	int rc = run(&a, &o);
	if (a.engine) {
		engine_free(a.engine);
		tracking_free(&a.tracking);
	}
	alerts_free(&a.alerts);
	if (a.keep_config || a.meta_busy) {
		/* A FIM scan thread, or the task metadata thread, is still running:
		 * leave now, without exit()'s teardown (atexit handlers, sanitizer
		 * checks) under its feet. */
		fflush(NULL);
		_exit(rc == 0 && !a.write_failed ? 0 : 1);
	}
	config_free(&a.cfg);
	free(a.health);
	if (a.write_failed)
		rc = -1;
	if (a.rx.st.invalid)
		LOG_WARN("%llu malformed events from the channel were skipped",
			 (unsigned long long)a.rx.st.invalid);
	return rc == 0 ? 0 : 1;
}
