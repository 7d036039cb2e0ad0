/*
 * aws_cli.c — `vigil aws check [--watch SECONDS]`, for people debugging a
 * task that cannot get its API key: which region, which credentials
 * (masked), which parameter, whether the key came, its length and a
 * fingerprint. Never the key itself.
 *
 * --watch runs the same background provider the analyzer uses for that
 * long and prints every change; SIGUSR1 makes it re-fetch, as a 401 from
 * the endpoint would.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_cli.h"
#include "aws/ecs_meta.h"
#include "aws/http.h"
#include "aws/keyprov.h"
#include "aws/secret.h"
#include "vigil/clock.h"
#include "vigil/log.h"

static int usage(void)
{
	fputs("usage: vigil aws check [--watch SECONDS]\n"
	      "  Fetches the API key the way the agent does (VIGIL_API_KEY, VIGIL_API_KEY_FILE or\n"
	      "  VIGIL_API_KEY_SSM) and reports where it came from; never prints the key.\n",
	      stderr);
	return 2;
}

static void print_time(const char *label, time_t t)
{
	char buf[40];
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s%s\n", label, buf);
}

static void print_task(void)
{
	struct ecs_task_meta m;
	if (!ecs_meta_cached(&m))
		return;
	printf("task:          %s (cluster %s, family %s:%s, container %s, image %s, zone %s)\n",
	       m.task_arn, m.cluster, m.family, m.revision, m.container_name, m.image,
	       m.availability_zone);
}

static void print_report(const struct keyprov_report *r)
{
	printf("key source:    %s (%s)\n", r->source[0] ? r->source : "none", r->where);
	if (strcmp(r->source, "ssm") == 0) {
		printf("parameter:     %s\n", r->where);
		printf("region:        %s%s%s%s\n", r->region[0] ? r->region : "(unknown)",
		       r->region_from[0] ? " (from " : "", r->region_from,
		       r->region_from[0] ? ")" : "");
		if (r->ssm.endpoint[0])
			printf("ssm endpoint:  %s\n", r->ssm.endpoint);
		if (r->ssm.source != CREDS_NONE)
			printf("credentials:   %s (%s), access key id %s\n",
			       creds_source_name(r->ssm.source), r->ssm.creds_detail,
			       r->ssm.key_id_masked);
		if (r->creds_expiration)
			print_time("expires:       ", r->creds_expiration);
		if (r->ssm.attempts)
			printf("ssm attempts:  %u%s%s\n", r->ssm.attempts,
			       r->ssm.request_id[0] ? ", last request id " : "", r->ssm.request_id);
	}
	if (r->warning[0])
		printf("warning:       %s\n", r->warning);
	print_task();
}

static void print_key(const struct keyprov_report *r)
{
	printf("key:           fetched, %zu bytes, sha256 %s...\n", r->key_len, r->fingerprint);
}

/* One fetch, on a never-dumped stack like the provider thread's. */
struct once {
	const struct keyprov_config *cfg;
	struct aws_ctx ctx;
	struct keyprov_report rep;
	vigil_rc st;
	int meta;
	char meta_err[256], err[512];
};

static void *fetch_once(void *arg)
{
	struct once *o = arg;
	if (o->cfg->task_metadata)
		o->meta = ecs_meta_load(&o->ctx, o->meta_err, sizeof(o->meta_err));
	struct keyprov_fetcher *f = keyprov_fetcher_new(o->cfg, &o->ctx);
	char *key = secret_alloc(KEYPROV_KEY_MAX);
	size_t len = 0;
	o->st = VIGIL_ERR_TRANSIENT;
	if (f && key)
		o->st = keyprov_fetch(f, key, KEYPROV_KEY_MAX, &len, &o->rep, o->err,
				      sizeof(o->err));
	secret_free(key, KEYPROV_KEY_MAX); /* only its length and fingerprint are reported */
	keyprov_fetcher_free(f);
	return NULL;
}

static int check_once(const struct keyprov_config *cfg)
{
	static struct once o;
	struct secret_thread t = {0};
	o.cfg = cfg;
	aws_ctx_defaults(&o.ctx);
	o.ctx.ca_file = cfg->ca_file[0] ? cfg->ca_file : NULL;
	o.ctx.timeout_ms = cfg->timeout_ms;
	o.ctx.max_attempts = cfg->max_attempts;
	o.ctx.retry_base_ms = cfg->retry_base_ms;
	o.ctx.retry_cap_ms = cfg->retry_cap_ms;
	int rc = secret_thread_start(&t, fetch_once, &o);
	if (rc != 0) {
		fprintf(stderr, "vigil: error: cannot start a thread: %s\n", strerror(rc));
		return 1;
	}
	secret_thread_join(&t);
	if (o.meta < 0)
		printf("task:          metadata unavailable: %s\n", o.meta_err);
	print_report(&o.rep);
	if (o.st == VIGIL_OK) {
		print_key(&o.rep);
		return 0;
	}
	printf("key:           NOT fetched\n");
	fprintf(stderr, "vigil: error: %s\n", o.err[0] ? o.err : "out of memory");
	return 1;
}

/* What a change on the provider's fd means, printed. */
static void on_change(struct keyprov *kp, char *key)
{
	static struct keyprov_report rep;
	char err[512];
	int n = keyprov_get(kp, key, KEYPROV_KEY_MAX);
	secret_wipe(key, KEYPROV_KEY_MAX);
	keyprov_report(kp, &rep);
	if (n > 0) {
		print_report(&rep);
		print_key(&rep);
	} else if (n < 0 && keyprov_error(kp, err, sizeof(err))) {
		printf("key:           NOT fetched\nerror:         %s\n", err);
	}
	fflush(stdout);
}

static int block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* SIGUSR1 re-fetches (as a 401 would); SIGINT/SIGTERM end the watch. */
static bool on_signal(int sfd, struct keyprov *kp)
{
	struct signalfd_siginfo si;
	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGUSR1)
			return false;
		printf("invalidate:    re-fetch requested\n");
		fflush(stdout);
		keyprov_invalidate(kp);
	}
	return true;
}

static int watch(const struct keyprov_config *cfg, unsigned seconds)
{
	char err[512];
	int sfd = block_signals();
	struct keyprov *kp = sfd >= 0 ? keyprov_start(cfg, err, sizeof(err)) : NULL;
	char *key = secret_alloc(KEYPROV_KEY_MAX);
	if (!kp || !key) {
		fprintf(stderr, "vigil: error: %s\n",
			sfd < 0 ? strerror(errno)
			: kp	? "out of memory"
				: err);
		keyprov_stop(kp);
		return 1;
	}
	uint64_t start = vigil_mono_ms();
	for (bool run = true; run;) {
		long left = (long)seconds * 1000 - (long)(vigil_mono_ms() - start);
		if (left <= 0)
			break;
		struct pollfd p[2] = {{keyprov_fd(kp), POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			break;
		uint64_t v;
		if ((p[0].revents & POLLIN) && read(p[0].fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			on_change(kp, key);
		if (p[1].revents & POLLIN)
			run = on_signal(sfd, kp);
	}
	int n = keyprov_get(kp, key, KEYPROV_KEY_MAX);
	secret_free(key, KEYPROV_KEY_MAX);
	if (n <= 0 && keyprov_error(kp, err, sizeof(err)))
		fprintf(stderr, "vigil: error: %s\n", err);
	else if (n <= 0)
		fprintf(stderr, "vigil: error: no key within %u seconds\n", seconds);
	keyprov_stop(kp);
	close(sfd);
	return n > 0 ? 0 : 1;
}

int aws_cli_main(int argc, char **argv)
{
	vigil_log_set_prefix("vigil");
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return usage();
	unsigned watch_s = 0;
	for (int i = 2; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "--watch") == 0 && i + 1 < argc) {
			unsigned long v = strtoul(argv[++i], &end, 10);
			if (*end || v == 0 || v > 86400)
				return usage();
			watch_s = (unsigned)v;
		} else {
			return usage();
		}
	}
	struct keyprov_config cfg;
	char err[512];
	if (keyprov_config_from_env(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "vigil: error: %s\n", err);
		return 1;
	}
	if (!keyprov_configured(&cfg)) {
		fprintf(stderr, "vigil: error: no API key configured: set VIGIL_API_KEY, "
				"VIGIL_API_KEY_FILE or VIGIL_API_KEY_SSM\n");
		return 1;
	}
	aws_http_global_init();
	return watch_s ? watch(&cfg, watch_s) : check_once(&cfg);
}
