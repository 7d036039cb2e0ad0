/*
 * json_flat.h — one JSON object, delivered as a stream of key/value pairs.
 *
 * Made for NDJSON lines of scalars and arrays of scalars (docs/events.md):
 * a strict scanner takes that shape without building a tree; anything else
 * (real numbers, nested values, syntax errors, duplicate keys) is parsed
 * again from the start by jansson, which is the reference for valid JSON
 * and words the errors. Strings are decoded and may hold NUL bytes.
 */
#ifndef VIGIL_JSON_FLAT_H
#define VIGIL_JSON_FLAT_H

#include <stdbool.h>
#include <stddef.h>

enum json_flat_type { JF_NULL, JF_BOOL, JF_INT, JF_REAL, JF_STR, JF_ARRAY, JF_OBJECT };

#define JSON_FLAT_ITEMS 9 /* array elements passed on; the rest are only counted */

struct json_flat_val {
	enum json_flat_type t;
	bool b;
	long long i;
	double d;
	const char *s; /* JF_STR: valid until the end callback returns */
	size_t len;
	/* JF_ARRAY: the first n of total elements (nested arrays and objects
	 * are JF_ARRAY / JF_OBJECT with nothing inside); all_* cover every one. */
	const struct json_flat_val *items;
	size_t n, total;
	bool all_str, all_int;
};

struct json_flat_sink {
	/* One pair, in document order. Returns 0 to go on, -1 to reject the
	 * object (no more pairs are delivered), or 1, from the fast scanner only,
	 * to have jansson parse the object instead (e.g. to judge a duplicate). */
	int (*pair)(void *ctx, const char *key, size_t klen, const struct json_flat_val *v);
	/* jansson starts the object again: forget every pair delivered. */
	void (*restart)(void *ctx);
	/* After the last pair, while the strings are still valid: 0 or -1. */
	int (*end)(void *ctx);
	void *ctx;
};

/*
 * Parse `len` bytes holding one JSON object. Returns 0 when the sink
 * accepted it, -1 when the sink rejected it, -2 when the text is not a
 * JSON object (msg says why: "not valid JSON: ... (at byte N)"). *slow
 * tells whether jansson parsed it.
 */
int json_flat_parse(const char *text, size_t len, const struct json_flat_sink *sink, bool *slow,
		    char *msg, size_t msglen);

#endif
