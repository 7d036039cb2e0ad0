/* rules_handoff.c — reading the analyzer's syscall set (see rules_handoff.h). */
#define HANDOFF_MAX (256u * 1024u)
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil/log.h"
#include "supervisor/rules_handoff.h"
#include "vigil/prefilter.h"

/* Read until EOF (the analyzer closes its end after answering) or timeout. */
static ssize_t read_all(int fd, char *buf, size_t size, int timeout_ms)
{
	size_t len = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (len + 1 < size) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
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

/* "SYSCALLS a,b" or "SYSCALLS *" (every decodable syscall). */
static int parse_line(const char *line, const char *key, vigil_sc_set *set)
{
	size_t klen = strlen(key);
	if (strncmp(line, key, klen) != 0)
		return -1;
	const char *list = line + klen;
	if (strcmp(list, "*") == 0) {
		vigil_sc_set_default(set);
		return 0;
	}
	const char *bad;
	int bad_len;
	return vigil_sc_set_parse(set, list, &bad, &bad_len);
}

/* "OPENPATHS" then one predicate per line; anything unreadable switches it off. */
static void parse_prefilter(char *text, struct prefilter *pf)
{
	memset(pf, 0, sizeof(*pf));
	if (!text || strncmp(text, "OPENPATHS\n", 10) != 0)
		return;
	pf->active = true;
	for (char *line = text + 10, *nl; *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			break; /* cut short: the last line is incomplete */
		*nl = '\0';
		if (prefilter_parse_pred(pf, line) != 0) {
			prefilter_free(pf);
			return;
		}
	}
}

int handoff_read(int fd, int timeout_ms, vigil_sc_set *set, vigil_sc_set *results,
		 struct prefilter *open_paths)
{
	static char buf[HANDOFF_MAX];
	memset(open_paths, 0, sizeof(*open_paths));
	ssize_t n = read_all(fd, buf, sizeof(buf), timeout_ms);
	close(fd);
	if (n < 0) {
		LOG_WARN("the analyzer did not say which syscalls the rules need within %d ms; "
			 "tracing the full set", timeout_ms);
		return 1;
	}
	if (strncmp(buf, "ERROR", 5) == 0 || n == 0)
		return -1;
	char *nl = strchr(buf, '\n');
	if (!nl)
		return 1;
	*nl = '\0';
	char *second = nl + 1;
	char *nl2 = strchr(second, '\n');
	if (nl2)
		*nl2 = '\0';
	if (nl2 && (size_t)n < sizeof(buf) - 1) /* a full buffer may be cut: no prefilter then */
		parse_prefilter(nl2 + 1, open_paths);
	vigil_sc_set s, r;
	if (parse_line(buf, "SYSCALLS ", &s) != 0 || parse_line(second, "RESULTS ", &r) != 0) {
		LOG_WARN("unreadable syscall set from the analyzer; tracing the full set");
		return 1;
	}
	*set = s;
	*results = r;
	return 0;
}
