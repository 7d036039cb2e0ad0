/* log.h — one logging convention: "vigil: LEVEL: message" on stderr. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

enum vigil_log_level { VIGIL_LOG_ERROR, VIGIL_LOG_WARN, VIGIL_LOG_INFO, VIGIL_LOG_DEBUG };

extern int vigil_log_verbosity; /* messages above this level are dropped */

void vigil_log_set_prefix(const char *prefix); /* "vigil", "vigil-analyzer" */
void vigil_log(enum vigil_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define LOG_ERR(...) vigil_log(VIGIL_LOG_ERROR, __VA_ARGS__)
#define LOG_WARN(...) vigil_log(VIGIL_LOG_WARN, __VA_ARGS__)
#define LOG_INFO(...) vigil_log(VIGIL_LOG_INFO, __VA_ARGS__)
#define LOG_DEBUG(...)                                           \
	do {                                                     \
		if (vigil_log_verbosity >= VIGIL_LOG_DEBUG)      \
			vigil_log(VIGIL_LOG_DEBUG, __VA_ARGS__); \
	} while (0)

#endif
