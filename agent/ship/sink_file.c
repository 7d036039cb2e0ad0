/*
 * sink_file.c — JSON lines to stdout or to a file rotated by size.
 *
 * Lines are gathered and written in large writes, at most FLUSH_MS after
 * the first one. Writes block: stdout is usually a pipe shared with the
 * application (awslogs, FireLens), and making it non-blocking would change
 * it for the application too. A failed write is counted, never retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship/internal.h"
#include "vigil/evloop.h"
#include "vigil/log.h"
#include "vigil/strbuf.h"

#define FLUSH_MS 100u
#define FLUSH_BYTES (64u * 1024u)

struct line_sink {
	struct sink base;
	int fd;
	bool own_fd;
	char path[SHIP_PATH_MAX]; /* empty for stdout */
	uint64_t size;		  /* of the current file */
	struct strbuf buf;
	uint64_t nlines; /* lines in buf */
	uint64_t timer;
	bool logged_error;
};

static int open_file(struct line_sink *s)
{
	s->fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->fd < 0)
		return -1;
	struct stat st;
	s->size = fstat(s->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

/* PATH.(k-1) -> PATH.k down to PATH -> PATH.1; PATH.keep falls off. */
static void rotate(struct line_sink *s)
{
	uint32_t keep = s->base.ctx->cfg.file_keep;
	char from[SHIP_PATH_MAX + 16], to[SHIP_PATH_MAX + 16];
	close(s->fd);
	s->fd = -1;
	if (keep == 0) {
		unlink(s->path);
	} else {
		for (uint32_t k = keep; k > 1; k--) {
			snprintf(from, sizeof(from), "%s.%u", s->path, k - 1);
			snprintf(to, sizeof(to), "%s.%u", s->path, k);
			if (rename(from, to) != 0 && errno != ENOENT)
				LOG_WARN("file sink: rotating %s: %s", from, strerror(errno));
		}
		snprintf(to, sizeof(to), "%s.1", s->path);
		if (rename(s->path, to) != 0)
			LOG_WARN("file sink: rotating %s: %s", s->path, strerror(errno));
	}
	if (open_file(s) != 0) {
		LOG_ERR("file sink: reopening %s: %s", s->path, strerror(errno));
		s->size = 0;
	}
}

/* How much of buf[0..len) goes into the current file: whole lines up to
 * file.max_bytes, and at least one line so an empty file always progresses. */
static size_t fits(const struct line_sink *s, const char *buf, size_t len)
{
	uint64_t max = s->base.ctx->cfg.file_max_bytes;
	if (!s->path[0] || s->size + len <= max)
		return len;
	size_t room = s->size < max ? (size_t)(max - s->size) : 0, cut = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 > room && (cut || s->size))
			break;
		cut = i + 1;
	}
	return cut;
}

static void write_lines(struct line_sink *s, const char *buf, size_t len)
{
	struct ship_ctx *ctx = s->base.ctx;
	while (len) {
		size_t n = fits(s, buf, len);
		if (n == 0) {
			rotate(s);
			n = fits(s, buf, len);
			if (n == 0) /* no newline, or the reopen failed: write (or count) it all */
				n = len;
		}
		uint64_t lines = 0;
		for (size_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (s->fd >= 0 && vigil_write_all(s->fd, buf, n) == 0) {
			ctx->c.written += lines;
			s->size += n;
			s->logged_error = false;
		} else {
			ctx->c.dropped_write += lines;
			if (!s->logged_error)
				LOG_ERR("%s sink: writing alerts: %s (lost lines are counted)",
					s->path[0] ? s->path : "stdout",
					s->fd < 0 ? "not open" : strerror(errno));
			s->logged_error = true;
		}
		buf += n;
		len -= n;
		if (s->path[0] && s->size >= ctx->cfg.file_max_bytes)
			rotate(s);
	}
}

static void flush(struct line_sink *s)
{
	if (!s->buf.len)
		return;
	write_lines(s, s->buf.data, s->buf.len);
	strbuf_reset(&s->buf);
	s->base.ctx->c.line_buffered -= s->nlines;
	s->nlines = 0;
}

static void on_flush(void *arg)
{
	struct line_sink *s = arg;
	s->timer = 0;
	flush(s);
}

/* A line larger than the buffer goes out alone (the newline in a second write). */
static void write_alone(struct line_sink *s, const char *json, size_t len)
{
	flush(s);
	if (s->path[0] && s->size && s->size + len + 1 > s->base.ctx->cfg.file_max_bytes)
		rotate(s);
	if (s->fd >= 0 && vigil_write_all(s->fd, json, len) == 0 &&
	    vigil_write_all(s->fd, "\n", 1) == 0) {
		s->base.ctx->c.written++;
		s->size += len + 1;
	} else {
		s->base.ctx->c.dropped_write++;
	}
}

static void line_submit(struct sink *k, const char *json, size_t len, int prio)
{
	struct line_sink *s = (struct line_sink *)k;
	(void)prio;
	if (len + 1 > FLUSH_BYTES) {
		write_alone(s, json, len);
		return;
	}
	if (s->buf.len + len + 1 > FLUSH_BYTES)
		flush(s);
	strbuf_add(&s->buf, json, len);
	strbuf_addc(&s->buf, '\n');
	s->nlines++;
	k->ctx->c.line_buffered++;
	if (k->ctx->draining)
		flush(s);
	else if (!s->timer)
		s->timer = evloop_add_timer(k->ctx->loop, FLUSH_MS, on_flush, s);
}

static void line_begin_drain(struct sink *k)
{
	flush((struct line_sink *)k);
}

static bool line_drained(struct sink *k)
{
	return ((struct line_sink *)k)->buf.len == 0;
}

static void line_free(struct sink *k)
{
	struct line_sink *s = (struct line_sink *)k;
	flush(s);
	if (s->timer)
		evloop_cancel_timer(k->ctx->loop, s->timer);
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	strbuf_free(&s->buf);
	free(s);
}

static const struct sink_ops line_ops = {
	.submit = line_submit,
	.begin_drain = line_begin_drain,
	.drained = line_drained,
	.free = line_free,
};

static struct line_sink *line_new(struct ship_ctx *ctx)
{
	struct line_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base.ops = &line_ops;
	s->base.ctx = ctx;
	s->fd = -1;
	strbuf_init(&s->buf, FLUSH_BYTES + 1);
	return s;
}

struct sink *sink_stdout_new(struct ship_ctx *ctx, char *err, size_t errlen)
{
	struct line_sink *s = line_new(ctx);
	if (!s) {
		snprintf(err, errlen, "stdout sink: out of memory");
		return NULL;
	}
	s->fd = STDOUT_FILENO;
	return &s->base;
}

struct sink *sink_file_new(struct ship_ctx *ctx, const char *path, char *err, size_t errlen)
{
	struct line_sink *s = line_new(ctx);
	if (!s) {
		snprintf(err, errlen, "file sink: out of memory");
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->own_fd = true;
	if (open_file(s) != 0) {
		snprintf(err, errlen, "outputs: file:%s: %s", path, strerror(errno));
		strbuf_free(&s->buf);
		free(s);
		return NULL;
	}
	return &s->base;
}
