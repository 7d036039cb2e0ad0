/*
 * sockets.h — the layer-4 protocol of each process's sockets (fd.l4proto).
 *
 * Learned from the events themselves: socket() says what a new fd is,
 * accept inherits from the listening socket, dup2/dup3 copy. Bounded; the
 * oldest entries are forgotten first. A socket vigil never saw created
 * (inherited, passed over a unix socket) has no known protocol.
 */
#ifndef VIGIL_SOCKETS_H
#define VIGIL_SOCKETS_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

struct sockets;

struct sockets *sockets_new(size_t capacity);
void sockets_free(struct sockets *s);
/* Learn from ev; a dup of a known socket also gets its fd.type (ipv4/ipv6). */
void sockets_observe(struct sockets *s, struct vigil_event *ev);
/* field_ctx.l4proto: "tcp", "udp", "icmp", "raw" or NULL. */
const char *sockets_l4proto(const void *s, int32_t pid, int64_t fd);

#endif
