/*
 * channel.h — the bounded, never-blocking path from tracer to analyzer.
 *
 * Events are numbered and packed into batches; a batch is one SEQPACKET
 * message. Sends never block: a batch the socket cannot take waits in a
 * queue bounded in bytes, and when that is full new events are dropped and
 * counted. The supervisor keeps both ends of the socket, so messages queued
 * in it survive an analyzer crash and reach its successor.
 */
#ifndef VIGIL_CHANNEL_H
#define VIGIL_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include "vigil/event.h"

struct batch;

/* The channel's state; zeroed by the owner, then channel_open. */
struct channel {
	int sock_fds[2];	   /* [0] ours, [1] the analyzer's */
	struct batch *head, *tail; /* tail is the batch being filled */
	struct batch *spare;	   /* one recycled batch, to avoid malloc churn */
	size_t n_batches, max_batches;
	uint64_t next_num, dropped, first_pending_ns;
};

int channel_open(struct channel *ch, size_t queue_max_bytes);
int channel_analyzer_fd(const struct channel *ch); /* the end handed to each analyzer */
/* Number, seal and queue the event (or count it dropped). */
void channel_push(struct channel *ch, struct vigil_event *ev);
/* Send what the socket will take; `force` sends a partial batch now. */
void channel_flush(struct channel *ch, bool force, uint64_t now_ns);
/* Nanoseconds until pending events must be flushed; 0 = none pending. */
uint64_t channel_flush_due(const struct channel *ch, uint64_t now_ns);
/* Once no analyzer will run again: how many events it never received
 * (still queued here or unread in the channel). Consumes the channel. */
uint64_t channel_unanalysed_events(struct channel *ch);
uint64_t channel_dropped(const struct channel *ch);

#endif
