/*
 * fbuf.h — append into caller-owned fixed memory, never reallocating.
 *
 * Signing and credential code builds strings that hold secrets (session
 * tokens, signing material). A growable buffer leaves old copies behind in
 * freed heap on every realloc; a fixed one has exactly one copy, which the
 * owner cleanses. Overflow is sticky and checked once at the end.
 */
#ifndef VIGIL_AWS_FBUF_H
#define VIGIL_AWS_FBUF_H

#include <stdbool.h>
#include <stddef.h>

struct fbuf {
	char *p;
	size_t len, cap; /* cap includes room for the NUL */
	bool over;	 /* an append did not fit: the content is incomplete */
};

void fbuf_init(struct fbuf *b, char *mem, size_t cap);
void fbuf_add(struct fbuf *b, const char *s, size_t n);
void fbuf_adds(struct fbuf *b, const char *s);
void fbuf_addc(struct fbuf *b, char c);
/* Lowercase hex of n bytes. */
void fbuf_hex(struct fbuf *b, const unsigned char *bytes, size_t n);
/* Copy src into dst[cap], truncating; for descriptive text only. */
void str_copy(char *dst, size_t cap, const char *src);

#endif
