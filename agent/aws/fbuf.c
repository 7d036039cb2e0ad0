/* fbuf.c — bounded appends into fixed memory (see fbuf.h for why). */
#include <string.h>

#include "aws/fbuf.h"

void fbuf_init(struct fbuf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->over = cap == 0;
	if (cap)
		mem[0] = '\0';
}

void fbuf_add(struct fbuf *b, const char *s, size_t n)
{
	if (b->over || n >= b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void fbuf_adds(struct fbuf *b, const char *s)
{
	fbuf_add(b, s, strlen(s));
}

void fbuf_addc(struct fbuf *b, char c)
{
	fbuf_add(b, &c, 1);
}

void fbuf_hex(struct fbuf *b, const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		char two[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 15]};
		fbuf_add(b, two, 2);
	}
}

void str_copy(char *dst, size_t cap, const char *src)
{
	if (cap == 0)
		return;
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}
