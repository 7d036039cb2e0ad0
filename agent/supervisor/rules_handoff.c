/*
 * rules_handoff.c — reading the analyzer's syscall set (see rules_handoff.h).
 * The text and its limit are vigil/handoff_wire.h's, shared with the writer.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/rules_handoff.h"
#include "vigil/clock.h"
#include "vigil/handoff_wire.h"
#include "vigil/log.h"

/* Read until EOF (the analyzer closes its end after answering) or timeout. */
static ssize_t read_all(int fd, char *buf, size_t size, int timeout_ms)
{
	size_t len = 0;
	uint64_t start = vigil_mono_ms();
	while (len + 1 < size) {
		long spent = (long)(vigil_mono_ms() - start);
		struct pollfd p = {fd, POLLIN, 0};
		int r = spent >= timeout_ms ? 0 : poll(&p, 1, (int)(timeout_ms - spent));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

int handoff_read_policy(int fd, int timeout_ms, char *buf, size_t size, int *policy)
{
	*policy = VIGIL_HANDOFF_POLICY_UNSET;
	ssize_t n = read_all(fd, buf, size, timeout_ms);
	close(fd);
	if (n < 0)
		return 0; /* the caller sees no answer: the flag and the variable decide */
	struct vigil_handoff h;
	if (vigil_handoff_decode(buf, (size_t)n, &h) == VIGIL_HANDOFF_FAILED)
		return -1;
	*policy = h.policy;
	prefilter_free(&h.open_paths);
	return 0;
}

int handoff_read(int fd, int timeout_ms, char *buf, size_t size, vigil_sc_set *set,
		 vigil_sc_set *results, struct prefilter *open_paths, int *policy)
{
	*policy = VIGIL_HANDOFF_POLICY_UNSET;
	memset(open_paths, 0, sizeof(*open_paths));
	ssize_t n = read_all(fd, buf, size, timeout_ms);
	close(fd);
	if (n < 0) {
		LOG_WARN("the analyzer did not say which syscalls the rules need within %d ms; "
			 "tracing the full set",
			 timeout_ms);
		return 1;
	}
	struct vigil_handoff h;
	enum vigil_handoff_status st = vigil_handoff_decode(buf, (size_t)n, &h);
	*policy = h.policy;
	if (st == VIGIL_HANDOFF_FAILED)
		return -1;
	if (st == VIGIL_HANDOFF_NO_ANSWER)
		LOG_WARN("the analyzer ended before it said which syscalls the rules need; "
			 "tracing the full set");
	if (st == VIGIL_HANDOFF_UNREADABLE)
		LOG_WARN("unreadable syscall set from the analyzer; tracing the full set");
	if (st != VIGIL_HANDOFF_OK)
		return 1;
	*set = h.set;
	*results = h.results;
	*open_paths = h.open_paths;
	return 0;
}
