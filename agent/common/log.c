/* log.c — messages for operators on stderr, one line each, never secrets. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "vigil/log.h"

int vigil_log_verbosity = VIGIL_LOG_WARN;
static const char *log_prefix = "vigil";

void vigil_log_set_prefix(const char *prefix)
{
	log_prefix = prefix;
}

void vigil_log(enum vigil_log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	if ((int)lvl > vigil_log_verbosity)
		return;
	int saved = errno;
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s: %s: ", log_prefix, names[lvl]);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	line[sizeof(line) - 2] = '\0';
	size_t len = 0;
	while (line[len])
		len++;
	line[len++] = '\n';
	/* One write so lines from the supervisor and analyzer never interleave. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
	errno = saved;
}
