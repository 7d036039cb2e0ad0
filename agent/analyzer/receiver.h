/* receiver.h — the analyzer end of the channel: messages in, events out. */
#ifndef VIGIL_RECEIVER_H
#define VIGIL_RECEIVER_H

#include <stdint.h>
#include "vigil/event.h"

/* Called for each valid event; return nonzero to stop (END seen). */
typedef int (*receiver_fn)(struct vigil_event *ev, void *ctx);

struct receiver_stats {
	uint64_t messages, events, invalid;
};

/* Non-blocking use from an event loop. */
struct receiver {
	int fd;
	char *msg;
	struct vigil_event *ev;
	struct receiver_stats st;
};

enum { RECEIVER_AGAIN = 0, RECEIVER_END = 1, RECEIVER_EOF = 2, RECEIVER_ERROR = -1 };

/* Handle every message ready on r->fd; returns one of RECEIVER_*. */
int receiver_drain(struct receiver *r, receiver_fn fn, void *ctx);
void receiver_free(struct receiver *r);

#endif
