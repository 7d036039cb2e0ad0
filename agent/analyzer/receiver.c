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
		uint32_t size = vigil_event_framed_size(msg + off, len - off);
		if (size == 0) {
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

int receiver_drain(struct receiver *r, receiver_fn fn, void *ctx)
{
	if (!r->msg && (!(r->msg = malloc(MSG_MAX)) || !(r->ev = malloc(sizeof(*r->ev)))))
		return RECEIVER_ERROR;
	for (;;) {
		ssize_t n = recv(r->fd, r->msg, MSG_MAX, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return RECEIVER_AGAIN;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			LOG_ERR("channel receive: %s", strerror(errno));
			return RECEIVER_ERROR;
		}
		if (n == 0)
			return RECEIVER_EOF;
		r->st.messages++;
		if (split(r->msg, (size_t)n, fn, ctx, &r->st, r->ev))
			return RECEIVER_END;
	}
}

void receiver_free(struct receiver *r)
{
	free(r->msg);
	free(r->ev);
	r->msg = NULL;
	r->ev = NULL;
}
