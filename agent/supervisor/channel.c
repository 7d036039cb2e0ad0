/* channel.c — batching, bounded queue and non-blocking sends to the analyzer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vigil/clock.h"
#include "vigil/log.h"
#include "supervisor/channel.h"

/* 32 KiB: with 64 KiB messages (paged skbs) this kernel was seen to keep
 * returning EAGAIN after the receiver had stalled and drained. */
#define BATCH_BYTES (32u * 1024u)
#define FLUSH_AGE_NS (20u * 1000u * 1000u) /* max latency added by batching */

struct batch {
	struct batch *next;
	size_t len;
	char data[BATCH_BYTES];
};

int channel_open(struct channel *ch, size_t queue_max_bytes)
{
	*ch = (struct channel){.sock_fds = {-1, -1}, .next_num = 1};
	int *sock_fds = ch->sock_fds;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock_fds) != 0) {
		LOG_ERR("socketpair for the analyzer channel: %s", strerror(errno));
		return -1;
	}
	int sz = 4 << 20; /* the kernel caps this at wmem_max; best effort */
	setsockopt(sock_fds[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sock_fds[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	ch->max_batches = queue_max_bytes / BATCH_BYTES;
	if (ch->max_batches < 2)
		ch->max_batches = 2;
	return 0;
}

int channel_analyzer_fd(const struct channel *ch)
{
	return ch->sock_fds[1];
}

static struct batch *new_batch(struct channel *ch)
{
	struct batch *b = ch->spare;
	if (b)
		ch->spare = NULL;
	else if (!(b = malloc(sizeof(*b))))
		return NULL;
	b->next = NULL;
	b->len = 0;
	if (ch->tail)
		ch->tail->next = b;
	else
		ch->head = b;
	ch->tail = b;
	ch->n_batches++;
	return b;
}

void channel_push(struct channel *ch, struct vigil_event *ev)
{
	uint32_t size = vigil_event_seal(ev);
	size_t padded = (size + 7u) & ~7u;
	/* Health and end markers may exceed the bound by a batch: they carry
	 * the drop counts, so dropping them would make the loss silent; so
	 * would dropping the coverage event (is the program watched at all). */
	bool vital = ev->kind == VIGIL_EV_HEALTH || ev->kind == VIGIL_EV_END ||
		     ev->kind == VIGIL_EV_COVERAGE;
	size_t n = ch->n_batches, max = ch->max_batches;
	if (!vital && n > max) { /* that batch is kept for the vital ones */
		ch->dropped++;
		return;
	}
	struct batch *tail = ch->tail;
	if (!tail || tail->len + padded > BATCH_BYTES) {
		if ((n >= max && !(vital && n <= max)) || !(tail = new_batch(ch))) {
			ch->dropped++;
			return;
		}
	}
	ev->num = ch->next_num++;
	memcpy(tail->data + tail->len, ev, size);
	if (padded > size)
		memset(tail->data + tail->len + size, 0, padded - size);
	if (tail->len == 0 && ch->head == tail)
		ch->first_pending_ns = vigil_mono_ns(); /* an age, not a date: never ev->ts_ns */
	tail->len += padded;
}

static void release_head(struct channel *ch)
{
	struct batch *b = ch->head;
	ch->head = b->next;
	if (!ch->head)
		ch->tail = NULL;
	ch->n_batches--;
	if (!ch->spare)
		ch->spare = b;
	else
		free(b);
}

void channel_flush(struct channel *ch, bool force, uint64_t now)
{
	struct batch *head;
	while ((head = ch->head) && head->len > 0) {
		/* A batch still being filled goes only when forced or old enough. */
		if (head == ch->tail && !force && head->len < BATCH_BYTES / 2 &&
		    now - ch->first_pending_ns < FLUSH_AGE_NS)
			return;
		ssize_t n =
			send(ch->sock_fds[0], head->data, head->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			LOG_DEBUG("send %zu bytes: %s (batches %zu)", head->len, strerror(errno),
				  ch->n_batches);
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
				LOG_WARN("analyzer channel send: %s", strerror(errno));
			return;
		}
		release_head(ch);
		if (ch->head)
			ch->first_pending_ns = now;
	}
}

uint64_t channel_flush_due(const struct channel *ch, uint64_t now)
{
	if (!ch->head || ch->head->len == 0)
		return 0;
	uint64_t age = now - ch->first_pending_ns;
	return age >= FLUSH_AGE_NS ? 1 : FLUSH_AGE_NS - age;
}

/* Events in one batch, framed as the analyzer frames them. */
static uint64_t count_events(const char *msg, size_t len)
{
	uint64_t n = 0;
	size_t off = 0;
	uint32_t size;
	while (off < len && (size = vigil_event_framed_size(msg + off, len - off)) != 0) {
		n++;
		off += (size + 7u) & ~7u;
	}
	return n;
}

uint64_t channel_unanalysed_events(struct channel *ch)
{
	uint64_t n = 0;
	for (const struct batch *b = ch->head; b; b = b->next)
		n += count_events(b->data, b->len);
	/* No analyzer runs now: what it never read is still in the socket. */
	char *msg = malloc(2 * BATCH_BYTES);
	for (ssize_t got;
	     msg && (got = recv(ch->sock_fds[1], msg, 2 * BATCH_BYTES, MSG_DONTWAIT)) > 0;)
		n += count_events(msg, (size_t)got);
	free(msg);
	return n;
}

uint64_t channel_dropped(const struct channel *ch)
{
	return ch->dropped;
}
