/* receiver.h — the analyzer end of the channel: messages in, events out. */
#ifndef VIGIL_RECEIVER_H
#define VIGIL_RECEIVER_H

#include <stdint.h>
#include "vigil/event.h"

/* Called for each valid event; return nonzero to stop (END seen). */
typedef int (*receiver_fn)(struct vigil_event *ev, void *ctx);
/* Called when the channel has nothing ready (flush output then). */
typedef void (*receiver_idle_fn)(void *ctx);

struct receiver_stats {
	uint64_t messages, events, invalid;
};

/* Loop until END or EOF; returns 0 on END/EOF, -1 on a receive error. */
int receiver_run(int fd, receiver_fn fn, receiver_idle_fn idle, void *ctx, struct receiver_stats *st);

#endif
