/* strbuf.h — a bounded append-only byte buffer for building output lines. */
#ifndef VIGIL_STRBUF_H
#define VIGIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *data;
	size_t len, cap;
	size_t max; /* hard ceiling; appends past it set `truncated` */
	bool truncated;
	bool oom;
};

void strbuf_init(struct strbuf *sb, size_t max);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write all len bytes to fd (retrying short writes and EINTR); 0 or -1 (errno set). */
int vigil_write_all(int fd, const void *buf, size_t len);
/* Decimal digits of v into out (>= 21 bytes), NUL-terminated; returns the length.
 * Used on hot paths instead of snprintf. */
size_t vigil_fmt_int(char *out, long long v);
void strbuf_add_int(struct strbuf *sb, long long v);
/* RFC 3339 UTC with nanoseconds (2026-11-25T15:34:08.123456789Z); returns the length. */
size_t vigil_fmt_rfc3339(char out[40], uint64_t ts_ns);
/* Append `s` as a JSON string literal (quotes included), escaping as RFC 8259. */
void strbuf_add_json_str(struct strbuf *sb, const char *s, size_t n);

#endif
