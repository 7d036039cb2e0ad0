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

#include "analyzer/ndjson.h"
#include "analyzer/privscan.h"
#include "analyzer/receiver.h"
#include "vigil/log.h"
#include "vigil/strbuf.h"

#define OUT_FLUSH_BYTES (64u * 1024u)

struct analyzer {
	int out_fd;                  /* --events-out, or -1 */
	struct strbuf out;           /* lines not yet written */
	uint64_t out_last_num;       /* evt.num of the last line in `out` */
	volatile uint64_t *progress; /* shared with the supervisor and successors */
	uint64_t expected_num;       /* next evt.num we expect; 0 = unknown */
	uint64_t lost;
	bool write_failed;
};

/*
 * Write out buffered lines, then record progress: an event counts as
 * handled only once it is written, so a crash loses nothing uncounted.
 */
static void flush_out(struct analyzer *a)
{
	size_t off = 0;
	while (a->out_fd >= 0 && off < a->out.len) {
		ssize_t n = write(a->out_fd, a->out.data + off, a->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!a->write_failed)
				LOG_ERR("writing events: %s", strerror(errno));
			a->write_failed = true;
			break;
		}
		off += (size_t)n;
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
	flush_out(ctx);
}

static volatile uint64_t *map_progress(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char **argv)
{
	vigil_log_set_prefix("vigil-analyzer");
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the supervisor */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	int channel_fd = -1, progress_fd = -1;
	const char *events_out = NULL;
	bool scan_privs = false;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--channel-fd=", 13) == 0)
			channel_fd = (int)strtol(argv[i] + 13, NULL, 10);
		else if (strncmp(argv[i], "--progress-fd=", 14) == 0)
			progress_fd = (int)strtol(argv[i] + 14, NULL, 10);
		else if (strcmp(argv[i], "--events-out") == 0 && i + 1 < argc)
			events_out = argv[++i];
		else if (strcmp(argv[i], "--no-new-privs") == 0)
			scan_privs = true;
		else if (strcmp(argv[i], "--verbosity") == 0 && i + 1 < argc)
			vigil_log_verbosity = (int)strtol(argv[++i], NULL, 10);
	}
	if (channel_fd < 0) {
		fprintf(stderr, "vigil-analyzer is started by vigil; it is not a command\n");
		return 2;
	}
	struct analyzer a = {.out_fd = -1};
	strbuf_init(&a.out, OUT_FLUSH_BYTES + 512 * 1024);
	if (progress_fd >= 0)
		a.progress = map_progress(progress_fd);
	if (a.progress)
		a.lost = a.progress[1]; /* losses are counted across generations */
	if (events_out) {
		a.out_fd = strcmp(events_out, "-") == 0
				   ? dup(STDOUT_FILENO)
				   : open(events_out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (a.out_fd < 0) {
			LOG_ERR("cannot open --events-out %s: %s", events_out, strerror(errno));
			return 1;
		}
	}
	if (scan_privs)
		privscan_warn();
	struct receiver_stats st = {0};
	int rc = receiver_run(channel_fd, on_event, on_idle, &a, &st);
	flush_out(&a);
	if (a.write_failed)
		rc = -1;
	if (st.invalid)
		LOG_WARN("%llu malformed events from the channel were skipped",
			 (unsigned long long)st.invalid);
	return rc == 0 ? 0 : 1;
}
