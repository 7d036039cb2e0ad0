/*
 * receiver.c — read batches from the supervisor and split them into events.
 *
 * Each event is copied into an aligned buffer and validated before use: a
 * truncated or corrupt batch loses only what is unsound, and is counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "analyzer/receiver.h"
#include "vigil/log.h"

#define MSG_MAX (64u * 1024u)

static int split(const char *msg, size_t len, receiver_fn fn, void *ctx, struct receiver_stats *st,
		 struct vigil_event *ev)
{
	size_t off = 0;
	while (off + VIGIL_EVENT_HDR_SIZE <= len) {
		uint32_t magic, size;
		memcpy(&magic, msg + off, sizeof(magic));
		memcpy(&size, msg + off + offsetof(struct vigil_event, wire_size), sizeof(size));
		if (magic != VIGIL_EVENT_MAGIC || size < VIGIL_EVENT_HDR_SIZE || size > sizeof(*ev) ||
		    size > len - off) {
			st->invalid++;
			return 0; /* the rest of this batch cannot be framed */
		}
		memcpy(ev, msg + off, size);
		off += (size + 7u) & ~7u;
		if (vigil_event_validate(ev, size) != 0) {
			st->invalid++;
			continue;
		}
		st->events++;
		if (fn(ev, ctx))
			return 1;
	}
	return 0;
}

int receiver_run(int fd, receiver_fn fn, receiver_idle_fn idle, void *ctx, struct receiver_stats *st)
{
	char *msg = malloc(MSG_MAX);
	struct vigil_event *ev = malloc(sizeof(*ev));
	int rc = -1;
	if (!msg || !ev)
		goto out;
	for (;;) {
		ssize_t n = recv(fd, msg, MSG_MAX, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			idle(ctx);
			n = recv(fd, msg, MSG_MAX, 0);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			LOG_ERR("channel receive: %s", strerror(errno));
			goto out;
		}
		if (n == 0) {
			rc = 0;
			goto out;
		}
		st->messages++;
		if (split(msg, (size_t)n, fn, ctx, st, ev)) {
			rc = 0;
			goto out;
		}
	}
out:
	free(msg);
	free(ev);
	return rc;
}
