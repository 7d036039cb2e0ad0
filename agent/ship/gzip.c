/* gzip.c — deflate/inflate into bounded buffers with zlib. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ship/gzip.h"

/* windowBits: +16 writes a gzip wrapper, plain 15 the zlib one. */
static int window_bits(enum zformat fmt)
{
	return fmt == Z_FMT_GZIP ? 15 + 16 : 15;
}

/*
 * Make sure out has room for `want` more bytes (less if out->max is closer);
 * false when it is already at its ceiling or out of memory. strbuf's fields
 * are public: zlib writes straight into its storage.
 */
static bool room(struct strbuf *out, size_t want)
{
	if (out->len + 1 >= out->max)
		return false;
	if (out->len + want + 1 > out->max)
		want = out->max - out->len - 1;
	if (out->len + want + 1 <= out->cap)
		return out->cap > out->len + 1;
	size_t cap = out->len + want + 1;
	char *p = realloc(out->data, cap);
	if (!p) {
		out->oom = true;
		return false;
	}
	out->data = p;
	out->cap = cap;
	return true;
}

/* Bytes zlib may write now: within the storage and the ceiling. */
static size_t space(const struct strbuf *out)
{
	size_t lim = out->cap < out->max ? out->cap : out->max;
	return lim > out->len + 1 ? lim - out->len - 1 : 0;
}

int ship_deflate(const void *in, size_t n, int level, enum zformat fmt, struct strbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	strbuf_reset(out);
	if (deflateInit2(&z, level, Z_DEFLATED, window_bits(fmt), 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n; /* callers bound n far below 4 GiB */
	int rc = Z_OK;
	size_t bound = deflateBound(&z, (uLong)n);
	while (rc == Z_OK) {
		if (!room(out, bound > 65536 ? bound : 65536)) {
			rc = Z_BUF_ERROR;
			break;
		}
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)space(out);
		size_t before = z.avail_out;
		rc = deflate(&z, Z_FINISH);
		out->len += before - z.avail_out;
		if (rc == Z_BUF_ERROR && before == z.avail_out)
			break;
		if (rc == Z_BUF_ERROR)
			rc = Z_OK;
	}
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		return -1;
	out->data[out->len] = '\0';
	return 0;
}

int ship_inflate(const void *in, size_t n, enum zformat fmt, struct strbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	strbuf_reset(out);
	if (inflateInit2(&z, window_bits(fmt)) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	int rc = Z_OK;
	while (rc == Z_OK) {
		if (!room(out, 4 * n + 4096)) {
			rc = Z_BUF_ERROR;
			break;
		}
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)space(out);
		size_t before = z.avail_out;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += before - z.avail_out;
		if (rc == Z_BUF_ERROR && before != z.avail_out)
			rc = Z_OK; /* progress was made; go round */
	}
	bool trailing = z.avail_in != 0;
	inflateEnd(&z);
	if (rc != Z_STREAM_END || trailing)
		return -1;
	out->data[out->len] = '\0';
	return 0;
}

uint32_t ship_crc32(const void *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)p, (uInt)n);
}
