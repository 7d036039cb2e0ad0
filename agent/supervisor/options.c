/* options.c — the supervisor's command line: vigil [OPTIONS] -- PROGRAM [ARGS...] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/log.h"
#include "supervisor/supervisor.h"

static void options_usage(FILE *out)
{
	fputs("usage: vigil [OPTIONS] -- PROGRAM [ARGS...]\n"
	      "       vigil rules validate [--json] FILE...\n"
	      "       vigil rules list [--rules FILE]...\n"
	      "       vigil replay [--rules FILE]... [-p PRIO] EVENTS.ndjson\n"
	      "       vigil fim baseline|check|accept --db DB (--path PATH... | --config FILE)\n"
	      "       vigil aws check          (where the API key comes from; never prints it)\n"
	      "       vigil version\n"
	      "\n"
	      "Runs PROGRAM as a traced child, acting as its init (signals, zombies,\n"
	      "exit status), and evaluates what it does with Falco-format rules\n"
	      "(alerts as JSON lines on stdout, or the sinks of -o).\n"
	      "\n"
	      "options:\n"
	      "  -g                     forward signals to PROGRAM's whole process group\n"
	      "  --config FILE          configuration file (YAML; VIGIL_* variables override it)\n"
	      "  --rules FILE           load this rules file (repeatable; default: the bundled "
	      "rules)\n"
	      "  --no-rules             no rule evaluation (events only, with --events-out)\n"
	      "  -p, --priority PRIO    ignore rules below PRIO (emergency ... debug)\n"
	      "  --rule-matching MODE   first (default): one alert per event; all: every rule\n"
	      "  --fim PATH             watch PATH (recursively, every attribute) for file "
	      "changes\n"
	      "  -o, --output SINK      where alerts go: stdout (default), file:PATH, "
	      "https://URL,\n"
	      "                         falcosidekick:URL (repeatable)\n"
	      "  --ca-file FILE         CA certificates for HTTPS (default: the bundled file)\n"
	      "  --host                 running on a host, not in a container (container.id=host)\n"
	      "  --events-out PATH      write every event as NDJSON to PATH (- = stdout)\n"
	      "  --syscalls LIST        trace these syscalls (comma separated) instead of what "
	      "the\n"
	      "                         rules need; process-tree and tamper checks are always on\n"
	      "  --all-results          take the exit stop for every traced syscall\n"
	      "  --keep-cap SYS_PTRACE  let PROGRAM keep CAP_SYS_PTRACE (debuggers; weakens "
	      "vigil's\n"
	      "                         protection of its own memory: see docs/architecture.md)\n"
	      "  --allow-io-uring       let PROGRAM use io_uring (refused by default: its file "
	      "and\n"
	      "                         network operations are not seen)\n"
	      "  --sensor KIND          how syscalls reach vigil: ptrace, notify (seccomp user\n"
	      "                         notification), or auto (default: notify where Linux has\n"
	      "                         its synchronous wake-up, 6.6, else ptrace)\n"
	      "  --start-policy POLICY  availability (default): run PROGRAM even when it "
	      "cannot be\n"
	      "                         monitored; security: then do not start it (exit 77)\n"
	      "  --no-trace             run as a plain init, without tracing\n"
	      "  --drain-timeout MS     how long to let the analyzer deliver what is left at exit "
	      "(10000)\n"
	      "  --queue-size BYTES     supervisor event queue bound (4194304)\n"
	      "  -v, --verbose          more messages on stderr (repeatable)\n"
	      "  -q, --quiet            errors only\n"
	      "  -h, --help             this text\n",
	      out);
}

/* Pass a rule option through to the analyzer. */
static int rule_arg(struct sup_options *o, const char *opt, const char *val)
{
	if (o->n_rule_args + 2 >= (int)(sizeof(o->rule_args) / sizeof(o->rule_args[0]))) {
		fprintf(stderr, "vigil: too many rule options\n");
		return -1;
	}
	o->rule_args[o->n_rule_args++] = (char *)opt;
	if (val)
		o->rule_args[o->n_rule_args++] = (char *)val;
	o->rule_args[o->n_rule_args] = NULL;
	return 0;
}

static int parse_uint(const char *opt, const char *val, unsigned long long max,
		      unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = val ? strtoull(val, &end, 10) : 0;
	if (!val || errno || *end || end == val || v > max) {
		fprintf(stderr, "vigil: %s needs a number up to %llu, got '%s'\n", opt, max,
			val ? val : "");
		return -1;
	}
	*out = v;
	return 0;
}

/* --keep-cap CAP: only SYS_PTRACE is ever taken away, so only it can be kept. */
static int keep_cap(struct sup_options *o, const char *val)
{
	if (val && strncasecmp(val, "CAP_", 4) == 0)
		val += 4;
	if (!val || strcasecmp(val, "SYS_PTRACE") != 0) {
		fprintf(stderr,
			"vigil: --keep-cap: only SYS_PTRACE can be kept (vigil removes no "
			"other capability), not '%s'\n",
			val ? val : "");
		return -1;
	}
	o->keep_ptrace = true;
	return 0;
}

static int sensor_kind(struct sup_options *o, const char *what, const char *val)
{
	if (val && strcmp(val, "auto") == 0)
		o->sensor = SENSOR_AUTO;
	else if (val && strcmp(val, "ptrace") == 0)
		o->sensor = SENSOR_PTRACE;
	else if (val && strcmp(val, "notify") == 0)
		o->sensor = SENSOR_NOTIFY;
	else {
		fprintf(stderr, "vigil: %s: auto, ptrace or notify, not '%s'\n", what,
			val ? val : "");
		return -1;
	}
	return 0;
}

static int start_policy(struct sup_options *o, const char *what, const char *val)
{
	if (val && strcmp(val, "availability") == 0)
		o->start_policy = POLICY_AVAILABILITY;
	else if (val && strcmp(val, "security") == 0)
		o->start_policy = POLICY_SECURITY;
	else {
		fprintf(stderr, "vigil: %s: availability or security, not '%s'\n", what,
			val ? val : "");
		return -1;
	}
	o->policy_given = true;
	return 0;
}

/* The same switches from the environment (task definitions set env easily). */
static int options_from_env(struct sup_options *o)
{
	const char *v = getenv("VIGIL_KEEP_CAPS");
	if (v && *v && keep_cap(o, v))
		return -1;
	v = getenv("VIGIL_SENSOR");
	if (v && *v && sensor_kind(o, "VIGIL_SENSOR", v))
		return -1;
	v = getenv("VIGIL_START_POLICY");
	if (v && *v && start_policy(o, "VIGIL_START_POLICY", v))
		return -1;
	v = getenv("VIGIL_CONFIG");
	o->config_given = v && *v;
	v = getenv("VIGIL_NOTIFY_SYNC");
	o->notify_no_sync = v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0);
	v = getenv("VIGIL_NOTIFY_WAIT");
	o->notify_poll = v && strcmp(v, "poll") == 0;
	v = getenv("VIGIL_ALLOW_IO_URING");
	if (v && *v) {
		if (strcmp(v, "1") != 0 && strcmp(v, "true") != 0 && strcmp(v, "0") != 0 &&
		    strcmp(v, "false") != 0) {
			fprintf(stderr,
				"vigil: VIGIL_ALLOW_IO_URING: 1, true, 0 or false, not '%s'\n", v);
			return -1;
		}
		o->allow_io_uring = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
	}
	return 0;
}

/* Handle one option at argv[*i]; returns 0, or -1 on error. */
static int parse_one(int argc, char **argv, int *i, struct sup_options *o)
{
	const char *a = argv[*i];
	const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	unsigned long long n;
	if (strcmp(a, "-g") == 0) {
		o->group_forward = true;
	} else if (strcmp(a, "--all-results") == 0) {
		o->results_all = true;
	} else if (strcmp(a, "--keep-cap") == 0) {
		if (keep_cap(o, val))
			return -1;
		(*i)++;
	} else if (strcmp(a, "--sensor") == 0) {
		if (sensor_kind(o, "--sensor", val))
			return -1;
		(*i)++;
	} else if (strcmp(a, "--start-policy") == 0) {
		if (start_policy(o, "--start-policy", val))
			return -1;
		(*i)++;
	} else if (strcmp(a, "--allow-io-uring") == 0) {
		o->allow_io_uring = true;
	} else if (strcmp(a, "--no-trace") == 0) {
		o->no_trace = true;
	} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
		o->verbosity++;
	} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
		o->verbosity = VIGIL_LOG_ERROR;
	} else if (strcmp(a, "--no-rules") == 0) {
		o->no_rules = true;
		return rule_arg(o, "--no-rules", NULL);
	} else if (strcmp(a, "--host") == 0) {
		return rule_arg(o, "--host", NULL);
	} else if (strcmp(a, "--rules") == 0 || strcmp(a, "-p") == 0 ||
		   strcmp(a, "--priority") == 0 || strcmp(a, "--rule-matching") == 0 ||
		   strcmp(a, "--fim") == 0 || strcmp(a, "--config") == 0 || strcmp(a, "-o") == 0 ||
		   strcmp(a, "--output") == 0 || strcmp(a, "--ca-file") == 0) {
		if (!val || !*val) {
			fprintf(stderr, "vigil: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "--rule-matching") == 0 && strcmp(val, "first") != 0 &&
		    strcmp(val, "all") != 0) {
			fprintf(stderr, "vigil: --rule-matching: 'first' or 'all', not '%s'\n",
				val);
			return -1;
		}
		(*i)++;
		if (strcmp(a, "--config") == 0)
			o->config_given = true;
		return rule_arg(o,
				strcmp(a, "-p") == 0   ? "--priority"
				: strcmp(a, "-o") == 0 ? "--output"
						       : a,
				val);
	} else if (strcmp(a, "--events-out") == 0) {
		if (!val || !*val) {
			fprintf(stderr, "vigil: --events-out needs a path\n");
			return -1;
		}
		o->events_out = val;
		(*i)++;
	} else if (strcmp(a, "--syscalls") == 0) {
		const char *bad = NULL;
		int bad_len = 0;
		o->syscalls_given = true;
		if (!val || vigil_sc_set_parse(&o->syscalls, val, &bad, &bad_len) != 0) {
			fprintf(stderr, "vigil: --syscalls: unknown syscall '%.*s'\n", bad_len,
				bad ? bad : "");
			return -1;
		}
		(*i)++;
	} else if (strcmp(a, "--drain-timeout") == 0) {
		if (parse_uint(a, val, 600000, &n))
			return -1;
		o->drain_ms = (unsigned)n;
		(*i)++;
	} else if (strcmp(a, "--queue-size") == 0) {
		if (parse_uint(a, val, 1ull << 32, &n))
			return -1;
		o->queue_bytes = (size_t)n;
		(*i)++;
	} else {
		fprintf(stderr, "vigil: unknown option '%s' (see vigil --help)\n", a);
		return -1;
	}
	return 0;
}

/* The analyzer's open backstop matches the opens the kernel reports with
 * the sensor's open events: with opens untraced, every one would be unseen. */
static bool opens_traced(const struct sup_options *o)
{
	if (o->no_trace)
		return false;
	for (int id = 1; o->syscalls_given && id < VIGIL_SC_COUNT; id++)
		if (vigil_sc_opens_file(id) && vigil_sc_set_has(&o->syscalls, id))
			return true;
	return !o->syscalls_given;
}

int options_parse(int argc, char **argv, struct sup_options *o)
{
	memset(o, 0, sizeof(*o));
	vigil_sc_set_default(&o->syscalls);
	o->drain_ms = 10000;
	o->queue_bytes = 4u << 20;
	o->verbosity = VIGIL_LOG_WARN;
	if (options_from_env(o))
		return -1;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			options_usage(stdout);
			return 1;
		}
		if (argv[i][0] != '-') /* tini style: the program may follow directly */
			break;
		if (parse_one(argc, argv, &i, o) != 0)
			return -1;
	}
	if (i >= argc) {
		fprintf(stderr, "vigil: no program given\n");
		options_usage(stderr);
		return -1;
	}
	o->program = argv + i;
	if (o->no_trace && o->start_policy == POLICY_SECURITY) {
		fprintf(stderr, "vigil: --no-trace runs the program unmonitored, which "
				"--start-policy security forbids\n");
		return -1;
	}
	if (!opens_traced(o) && rule_arg(o, "--no-open-backstop", NULL) != 0)
		return -1;
	/* The analyzer plans its alert delivery drain within what we will wait. */
	snprintf(o->drain_arg, sizeof(o->drain_arg), "%u", o->drain_ms);
	return rule_arg(o, "--drain-ms", o->drain_arg);
}
