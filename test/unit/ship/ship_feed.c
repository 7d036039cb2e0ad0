/*
 * ship_feed.c — drive agent/ship end to end until the analyzer does:
 * alerts from stdin (one JSON object per line) or generated, through
 * ship_new/ship_submit on an evloop; drain on EOF or SIGTERM.
 *
 *   ship-feed [-o SINK]... [--set key=value]... [--stats FILE]
 *             [--key-file FILE] [--generate N [--rate PER_S]] [--drain-ms MS]
 *
 * Counters go to --stats as JSON (rewritten every 100 ms and at exit), so a
 * test can wait for a state (e.g. "everything spooled") before kill -9.
 * Priorities are read from each alert's "priority" field.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ship/body.h"
#include "ship/ship.h"
#include "vigil/clock.h"
#include "vigil/evloop.h"
#include "vigil/log.h"

struct feed {
	struct evloop *loop;
	struct ship *ship;
	const char *stats_path;
	const char *key_file;
	char line[8 << 20];
	size_t len;
	bool eof, draining;
	uint64_t gen_total, gen_done, gen_rate, gen_start;
	uint64_t drain_ms;
	char alert[2048];
};

static int prio_of(const char *json, size_t len)
{
	static const char *const names[] = {"Emergency", "Alert", "Critical", "Error",
					    "Warning", "Notice", "Informational", "Debug"};
	const char *p = memmem(json, len, "\"priority\":\"", 12);
	if (!p)
		return 5;
	p += 12;
	for (int i = 0; i < 8; i++)
		if (strncasecmp(p, names[i], strlen(names[i])) == 0 && p[strlen(names[i])] == '"')
			return i;
	return 5;
}

static void write_stats(struct feed *f)
{
	if (!f->stats_path)
		return;
	struct ship_counters c;
	ship_stats(f->ship, &c);
	struct strbuf sb;
	strbuf_init(&sb, 1 << 16);
	ship_counters_json(&sb, &c, "");
	strbuf_addc(&sb, '\n');
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->stats_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (vigil_write_all(fd, sb.data, sb.len) == 0 && close(fd) == 0)
			rename(tmp, f->stats_path);
		else
			close(fd);
	}
	strbuf_free(&sb);
}

static void on_stats(void *arg)
{
	struct feed *f = arg;
	write_stats(f);
	evloop_add_timer(f->loop, 100, on_stats, f);
}

static void start_drain(struct feed *f)
{
	if (f->draining)
		return;
	f->draining = true;
	ship_begin_drain(f->ship, vigil_mono_ms() + f->drain_ms);
}

static void on_stdin(int fd, uint32_t revents, void *arg)
{
	struct feed *f = arg;
	ssize_t n = read(fd, f->line + f->len, sizeof(f->line) - f->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		evloop_del_fd(f->loop, fd);
		f->eof = true;
		start_drain(f);
		return;
	}
	f->len += (size_t)n;
	size_t start = 0;
	for (char *nl; (nl = memchr(f->line + start, '\n', f->len - start));) {
		size_t l = (size_t)(nl - (f->line + start));
		if (l)
			ship_submit(f->ship, f->line + start, l, prio_of(f->line + start, l));
		start += l + 1;
	}
	memmove(f->line, f->line + start, f->len - start);
	f->len -= start;
	if (f->len == sizeof(f->line)) /* a line longer than the buffer: skip it */
		f->len = 0;
}

static void on_signal(int fd, uint32_t revents, void *arg)
{
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		start_drain(arg);
}

/* A Falco-shaped alert with a sequence number the tests can count. */
static size_t make_alert(struct feed *f, uint64_t i, int *prio)
{
	static const char *const pn[] = {"Critical", "Error", "Warning", "Notice", "Informational"};
	static const int pv[] = {2, 3, 4, 5, 6};
	int k = (int)(i % 5);
	*prio = pv[k];
	int n = snprintf(f->alert, sizeof(f->alert),
		"{\"time\":\"2026-01-01T00:00:00.%09lluZ\",\"rule\":\"Terminal shell in container\","
		"\"priority\":\"%s\",\"source\":\"syscall\",\"output\":\"A shell was spawned in a "
		"container with an attached terminal (evt_type=execve user=root user_uid=0 "
		"process=bash proc_exepath=/usr/bin/bash parent=runc command=bash -i pid=%llu "
		"terminal=34816 container_id=0123456789ab)\",\"output_fields\":{\"evt.type\":\"execve\","
		"\"proc.name\":\"bash\",\"proc.pid\":%llu,\"proc.cmdline\":\"bash -i\",\"user.name\":"
		"\"root\",\"container.id\":\"0123456789ab\",\"vigil.seq\":%llu},\"tags\":[\"container\","
		"\"shell\",\"mitre_execution\",\"T1059\"],\"hostname\":\"ip-10-0-1-23\",\"uuid\":"
		"\"00000000-0000-4000-8000-%012llx\"}",
		(unsigned long long)(i % 1000000000ull), pn[k], (unsigned long long)(1000 + i % 30000),
		(unsigned long long)(1000 + i % 30000), (unsigned long long)i, (unsigned long long)i);
	return n > 0 && (size_t)n < sizeof(f->alert) ? (size_t)n : 0;
}

static void generate(struct feed *f, uint64_t upto)
{
	int prio;
	for (; f->gen_done < upto && f->gen_done < f->gen_total; f->gen_done++) {
		size_t n = make_alert(f, f->gen_done, &prio);
		ship_submit(f->ship, f->alert, n, prio);
	}
	if (f->gen_done == f->gen_total)
		start_drain(f);
}

static void on_gen(void *arg)
{
	struct feed *f = arg;
	if (f->draining)
		return;
	if (f->gen_rate) {
		uint64_t due = (vigil_mono_ms() - f->gen_start) * f->gen_rate / 1000;
		generate(f, due);
		evloop_add_timer(f->loop, 5, on_gen, f);
	} else {
		generate(f, f->gen_done + 1000); /* a chunk, then let the loop run */
		evloop_add_timer(f->loop, 0, on_gen, f);
	}
}

/* A key source re-reading a file at every use: rotation is a rewrite of the file. */
static int file_key_get(void *ctx, char *out, size_t cap)
{
	struct feed *f = ctx;
	int fd = open(f->key_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* not there yet: "not known yet" */
	ssize_t n = read(fd, out, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	out[n] = '\0';
	return (int)n;
}

static void file_key_invalidate(void *ctx)
{
	(void)ctx;
}

static int parse_args(struct feed *f, struct ship_config *c, int argc, char **argv)
{
	char err[512];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (!v) {
			fprintf(stderr, "ship-feed: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "-o") == 0) {
			rc = ship_add_output(c, v, err, sizeof(err));
		} else if (strcmp(a, "--set") == 0) {
			char key[128];
			const char *eq = strchr(v, '=');
			if (!eq || (size_t)(eq - v) >= sizeof(key)) {
				fprintf(stderr, "ship-feed: --set key=value\n");
				return -1;
			}
			memcpy(key, v, (size_t)(eq - v));
			key[eq - v] = '\0';
			rc = ship_config_set(c, key, eq + 1, err, sizeof(err));
		} else if (strcmp(a, "--stats") == 0) {
			f->stats_path = v;
		} else if (strcmp(a, "--key-file") == 0) {
			f->key_file = v;
		} else if (strcmp(a, "--generate") == 0) {
			f->gen_total = strtoull(v, NULL, 10);
		} else if (strcmp(a, "--rate") == 0) {
			f->gen_rate = strtoull(v, NULL, 10);
		} else if (strcmp(a, "--drain-ms") == 0) {
			f->drain_ms = strtoull(v, NULL, 10);
		} else {
			fprintf(stderr, "ship-feed: unknown option %s\n", a);
			return -1;
		}
		if (rc) {
			fprintf(stderr, "ship-feed: %s\n", err);
			return -1;
		}
		i++;
	}
	return 0;
}

static int watch_signals(struct feed *f)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN); /* curl is told NOSIGNAL: SIGPIPE is ours to handle */
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sfd < 0 ? -1 : evloop_add_fd(f->loop, sfd, VIGIL_EV_READ, on_signal, f);
}

static void agent_info(struct ship_agent_info *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->version, sizeof(a->version), "%s", VIGIL_VERSION);
	if (gethostname(a->hostname, sizeof(a->hostname) - 1) != 0)
		snprintf(a->hostname, sizeof(a->hostname), "unknown");
	snprintf(a->container_id, sizeof(a->container_id), "0123456789ab");
	snprintf(a->container_name, sizeof(a->container_name), "app");
	snprintf(a->image, sizeof(a->image), "example/app:1.0");
}

int main(int argc, char **argv)
{
	static struct feed f;
	struct ship_config c;
	struct ship_key_source ks;
	struct ship_agent_info agent;
	char err[512];
	vigil_log_set_prefix("ship-feed");
	vigil_log_verbosity = getenv("SHIP_FEED_DEBUG") ? VIGIL_LOG_DEBUG : VIGIL_LOG_INFO;
	ship_config_defaults(&c);
	if (ship_config_from_env(&c, err, sizeof(err))) {
		fprintf(stderr, "ship-feed: %s\n", err);
		return 2;
	}
	if (parse_args(&f, &c, argc, argv))
		return 2;
	if (!f.drain_ms)
		f.drain_ms = c.drain_timeout_ms;
	if (!(f.loop = evloop_new()) || watch_signals(&f))
		return 1;
	if (f.key_file)
		ks = (struct ship_key_source){file_key_get, file_key_invalidate, -1, &f};
	else if (ship_key_static_init(&ks, "VIGIL_API_KEY"))
		return 1;
	agent_info(&agent);
	if (!(f.ship = ship_new(&c, f.loop, &ks, &agent, err, sizeof(err)))) {
		fprintf(stderr, "ship-feed: %s\n", err);
		if (!f.key_file)
			ship_key_static_free(&ks);
		evloop_free(f.loop);
		return 2;
	}
	if (f.gen_total) {
		f.gen_start = vigil_mono_ms();
		evloop_add_timer(f.loop, 0, on_gen, &f);
	} else {
		fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
		if (evloop_add_fd(f.loop, STDIN_FILENO, VIGIL_EV_READ, on_stdin, &f) != 0)
			return 1;
	}
	on_stats(&f);
	while (!(f.draining && ship_drained(f.ship)))
		if (evloop_run_once(f.loop, 100) < 0)
			break;
	ship_shutdown(f.ship); /* what is still in memory goes to the spool, or is counted */
	write_stats(&f);
	ship_free(f.ship);
	if (!f.key_file)
		ship_key_static_free(&ks);
	evloop_free(f.loop);
	return 0;
}
