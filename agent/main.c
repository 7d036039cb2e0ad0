/*
 * main.c — vigil's entry point: parse the command line, wire the parts.
 *
 * Reads like tini's main: options, signals, subreaper, analyzer, spawn,
 * loop. Each step is a function that reports its own error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/api_key.h"
#include "vigil/cancelpoint.h"
#include "vigil/log.h"
#include "vigil/prefilter.h"
#include "sensor/core.h"
#include "sensor/procinfo.h"
#include "sensor/notify/notify.h"
#include "sensor/ptrace/ptrace.h"
#include "sensor/seccomp/filter.h"
#include "supervisor/analyzer_ctl.h"
#include "supervisor/channel.h"
#include "supervisor/coverage.h"
#include "supervisor/rules_handoff.h"
#include "supervisor/supervisor.h"

/* How long the analyzer may take to load the rules before the program starts. */
#define RULES_LOAD_TIMEOUT_MS 10000

/* `vigil rules ...` and `vigil replay ...` are the analyzer's commands. */
static int exec_analyzer_command(char **argv)
{
	struct analyzer_ctl a;
	analyzer_init(&a);
	const char *path = analyzer_locate(&a, argv[0]);
	if (!path) {
		LOG_ERR("vigil-analyzer not found beside vigil or in ../libexec/vigil/");
		return 2;
	}
	argv[0] = "vigil-analyzer";
	execv(path, argv);
	LOG_ERR("exec %s: %s", path, strerror(errno));
	return 2;
}

/* The supervisor as a process: the root of every traced ancestor chain. */
static struct proc *make_root(void)
{
	struct proc *root = proc_new(getpid(), NULL);
	if (!root)
		return NULL;
	struct proc_image *img = procinfo_read_image(getpid(), NULL, NULL);
	proc_set_image(root, img);
	image_unref(img);
	procinfo_read_ids(root, getpid(), NULL, 0);
	procinfo_read_session(root, getpid());
	procinfo_read_cwd(root);
	return root;
}

/* Create (truncate) the events file now, so a bad path fails before the program runs. */
static int prepare_events_out(const char *path)
{
	struct stat st;
	if (!path || strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return 0; /* a FIFO or device: the analyzer opens it; opening here could block */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		LOG_ERR("--events-out %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Close vigil's memory to the program once the program is seized (a
 * non-dumpable child could not be seized without CAP_SYS_PTRACE): no
 * /proc/1/mem, environ or fd, and no ptrace, for processes without
 * CAP_SYS_PTRACE, which the program no longer has (privs.h).
 */
static void close_own_memory(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		LOG_WARN("PR_SET_DUMPABLE: %s", strerror(errno));
}

/*
 * The sensor core calls back without a context argument (core_config's
 * emit and analyzer_pid are plain functions, and sensor/ is not the
 * supervisor's to change), so the one supervisor is reachable from those
 * callbacks through this pointer, set once before the core is built.
 */
static struct supervisor *callback_sup;

static void emit_to_channel(struct vigil_event *ev)
{
	channel_push(&callback_sup->channel, ev);
}

static pid_t current_analyzer_pid(void)
{
	return analyzer_pid(&callback_sup->analyzer);
}

/*
 * ptrace or seccomp notification (docs/architecture.md, "Sensors"). auto:
 * notification where the kernel hands each one over on the same CPU
 * (Linux 6.6) and the supervisor can wait in the listener itself
 * (vigil/cancelpoint.h); ptrace elsewhere. Without those two, notification
 * measured no cheaper than ptrace (docs/performance.md).
 */
static bool auto_picks_notify(const struct notify_support *k, const char **why)
{
	if (!k->available)
		*why = "no seccomp user notification with continue (Linux < 5.5)";
	else if (!k->sync_wakeup)
		*why = "no synchronous wake-up for seccomp notifications (Linux < 6.6)";
	else if (!cancelpoint_supported())
		*why = "no waiting in the notification listener on this architecture yet";
	else {
		*why = "seccomp user notification with synchronous wake-up";
		return true;
	}
	return false;
}

/* Which mechanism, and how it was chosen (the coverage event says it). */
static bool use_notify(const struct sup_options *o, char *choice, size_t n)
{
	if (o->sensor == SENSOR_PTRACE || o->no_trace) {
		snprintf(choice, n, "%s", o->no_trace ? "--no-trace" : "--sensor ptrace");
		return false;
	}
	struct notify_support k = notify_probe();
	if (o->sensor == SENSOR_AUTO) {
		const char *why = "";
		bool notify = auto_picks_notify(&k, &why);
		LOG_INFO("sensor auto: %s (%s)", notify ? "notify" : "ptrace", why);
		snprintf(choice, n, "auto: %s (%s)", notify ? "notify" : "ptrace", why);
		return notify;
	}
	if (!k.available)
		LOG_WARN("--sensor notify: this kernel has no seccomp user notification with "
			 "continue (Linux 5.5): using ptrace");
	snprintf(choice, n, "%s",
		 k.available ? "--sensor notify"
			     : "--sensor notify: no seccomp user notification with continue "
			       "(Linux < 5.5): ptrace");
	return k.available;
}

/* The sensor core (sup->core) and its mechanism, fed the rules' sets. */
static struct sensor *make_sensor(struct supervisor *sup, struct sup_options *o,
				  const vigil_sc_set *results, struct coverage *cov)
{
	struct proc *root = make_root();
	if (!root)
		return NULL;
	struct core_config ccfg = {
		.results_all = o->results_all,
		.allow_io_uring = o->allow_io_uring,
		.traced = o->syscalls,
		.results = *results,
		.open_paths = &sup->open_paths,
		.emit = emit_to_channel,
		.analyzer_pid = current_analyzer_pid,
	};
	bool notify = use_notify(o, cov->choice, sizeof(cov->choice));
	if (notify) { /* unattached threads are forgotten when they end */
		vigil_sc_set_add(&o->syscalls, VIGIL_SC_EXIT);
		ccfg.traced = o->syscalls;
		/* Results cost stops here: what the rules read, all of them when no
		 * rules said (events only), and always an open by handle's (its
		 * entry names no file). */
		ccfg.exits_on_demand = true;
		if (o->no_rules || o->syscalls_given)
			vigil_sc_set_add_results(&ccfg.results);
		vigil_sc_set_add(&ccfg.results, VIGIL_SC_OPEN_BY_HANDLE_AT);
		/* Threads are not announced here: clone3's escape check would misfire. */
		vigil_sc_set_del(&ccfg.results, VIGIL_SC_CLONE3);
	}
	callback_sup = sup;
	core_init(&sup->core, &ccfg, root);
	struct sensor *s = notify ? notify_sensor_new(&sup->core, !o->notify_no_sync)
				  : ptrace_sensor_new(&sup->core);
	return s;
}

/* The mechanism that watches the program (health events say the same). */
static enum vigil_sensor_kind sensor_kind(const struct sup_options *o, struct sensor *s)
{
	if (o->no_trace)
		return VIGIL_SENSOR_NONE;
	if (!s->ops->poll_fd)
		return VIGIL_SENSOR_PTRACE;
	return notify_sync_active(s) ? VIGIL_SENSOR_NOTIFY_SYNC : VIGIL_SENSOR_NOTIFY;
}

/* Say it once on stderr, and once as an event for the alert sinks. */
static void announce_coverage(struct supervisor *sup, const struct coverage *cov)
{
	coverage_log(cov);
	coverage_event(&sup->marker, cov);
	channel_push(&sup->channel, &sup->marker); /* copied: the marker is free again */
}

static int run(struct supervisor *sup, struct sup_options *o, const char *argv0)
{
	struct coverage cov = {.program = o->program[0],
			       .gap = o->no_trace ? COVER_NO_TRACE : COVER_OK};
	if (vigil_api_key_take_env() != 0)
		return 2;
	if (prepare_events_out(o->events_out))
		return 2;
	struct init_state st;
	if (init_signals(&st))
		return 1;
	init_subreaper();
	if (channel_open(&sup->channel, o->queue_bytes))
		return 1;
	/* The rules decide the traced set unless --syscalls or --no-rules;
	 * the configuration file may decide the start policy. */
	int handoff[2] = {-1, -1};
	bool ask_rules = !o->no_rules && !o->syscalls_given && !o->no_trace;
	bool ask_policy = !ask_rules && o->config_given && !o->policy_given && !o->no_trace;
	if ((ask_rules || ask_policy) && pipe2(handoff, O_CLOEXEC) != 0) {
		LOG_ERR("pipe: %s", strerror(errno));
		return 1;
	}
	struct analyzer_config acfg = {&sup->channel,
				       o->events_out,
				       argv0,
				       o->verbosity,
				       !o->no_trace && seccomp_needs_no_new_privs(),
				       handoff[1],
				       o->rule_args};
	bool analyzer_up = analyzer_start(&sup->analyzer, &acfg) == 0;
	if (!analyzer_up && !o->no_trace)
		cov.gap = COVER_NO_ANALYZER;
	vigil_sc_set results = {0};
	int file_policy = VIGIL_HANDOFF_POLICY_UNSET;
	if (ask_rules || ask_policy) {
		close(handoff[1]);
		acfg.syscalls_fd = -1;
		int rc = !analyzer_up ? (close(handoff[0]), 1)
			 : ask_policy ? handoff_read_policy(handoff[0], RULES_LOAD_TIMEOUT_MS,
							    sup->handoff_text,
							    sizeof(sup->handoff_text), &file_policy)
				      : handoff_read(handoff[0], RULES_LOAD_TIMEOUT_MS,
						     sup->handoff_text, sizeof(sup->handoff_text),
						     &o->syscalls, &results, &sup->open_paths,
						     &file_policy);
		if (rc < 0) {
			LOG_ERR("the configuration or the rules did not load (see above): not "
				"starting %s",
				o->program[0]);
			return 2;
		}
		if (rc > 0 && analyzer_up)
			cov.gap = COVER_ANALYZER_SILENT;
	}
	if (!o->policy_given && file_policy != VIGIL_HANDOFF_POLICY_UNSET) /* flag > env > file */
		o->start_policy = file_policy == VIGIL_HANDOFF_POLICY_SECURITY
					  ? POLICY_SECURITY
					  : POLICY_AVAILABILITY;
	cov.security = o->start_policy == POLICY_SECURITY;
	struct sensor *sensor = make_sensor(sup, o, &results, &cov);
	if (!sensor)
		return 1;
	cov.sensor = sensor_kind(o, sensor);
	if (!coverage_allows(&cov)) { /* no analyzer to tell: stderr says it */
		cov.refused = true;
		coverage_log(&cov);
		return VIGIL_EXIT_UNMONITORED;
	}
	if (o->allow_io_uring && !o->no_trace)
		LOG_WARN("--allow-io-uring: file and network operations the program makes through "
			 "io_uring rings are not seen by the rules (FIM still sees file changes)");
	pid_t child = spawn_program(sup, o, &st, sensor, &cov);
	if (child < 0)
		return 1;
	cov.sensor = sensor_kind(o, sensor); /* the listener decides notify-sync */
	announce_coverage(sup, &cov);
	close_own_memory();
	bool watched = !o->no_trace && cov.gap != COVER_ATTACH && cov.gap != COVER_FILTER &&
		       cov.gap != COVER_LISTENER;
	int code = tracer_run(sup, o, child, sensor, watched);
	return cov.refused ? VIGIL_EXIT_UNMONITORED : code;
}

int main(int argc, char **argv)
{
	vigil_log_set_prefix("vigil");
	if (argc >= 2 && (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "rules") == 0 || strcmp(argv[1], "replay") == 0 ||
			  strcmp(argv[1], "fim") == 0 || strcmp(argv[1], "aws") == 0))
		return exec_analyzer_command(argv);
	struct sup_options o;
	int rc = options_parse(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	vigil_log_verbosity = o.verbosity;
	struct supervisor *sup = calloc(1, sizeof(*sup));
	if (!sup) {
		LOG_ERR("out of memory");
		return 1;
	}
	analyzer_init(&sup->analyzer);
	return run(sup, &o, argv[0]);
}
