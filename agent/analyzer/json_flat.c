/*
 * json_flat.c — a JSON object as key/value pairs: fast scanner, jansson fallback.
 *
 * The scanner accepts only what is certainly valid JSON (RFC 8259, as
 * jansson reads it: UTF-8 checked, no lone surrogates, no NUL in keys) and
 * gives up on everything else, so both paths agree on what is valid.
 * jansson alone reads about 45k vigil event lines/s (it builds a tree of
 * ~45 allocations per line); the scanner several hundred thousand.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/json_flat.h"

#define GIVE_UP 1 /* the scanner cannot take this object: jansson will */

struct scan {
	const unsigned char *p, *end;
	bool rejected; /* the sink said -1: only check syntax now */
	char *scratch; /* decoded strings that had escapes */
	size_t scratch_used;
	struct json_flat_val items[JSON_FLAT_ITEMS];
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Length of a valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len = c >= 0xc2 && c <= 0xdf   ? 2
		     : c >= 0xe0 && c <= 0xef ? 3
		     : c >= 0xf0 && c <= 0xf4 ? 4
					      : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
		return 0; /* overlong, surrogate, above U+10FFFF */
	return len;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i];
		unsigned d = c >= '0' && c <= '9'   ? c - '0'
			     : c >= 'a' && c <= 'f' ? c - 'a' + 10
			     : c >= 'A' && c <= 'F' ? c - 'A' + 10
						    : 16;
		if (d == 16)
			return -1;
		v = v * 16 + d;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* One escape at p (after the backslash) into *out; returns bytes consumed, 0 if bad. */
static size_t unescape(const unsigned char *p, const unsigned char *end, char **out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = p < end && *p ? strchr(from, *p) : NULL;
	unsigned cp, lo;
	if (e) {
		*(*out)++ = to[e - from];
		return 1;
	}
	if (p >= end || *p != 'u' || hex4(p + 1, end, &cp) || (cp >= 0xdc00 && cp <= 0xdfff))
		return 0;
	size_t used = 5;
	if (cp >= 0xd800 && cp <= 0xdbff) { /* needs its low half */
		if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || hex4(p + 7, end, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return 0;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		used = 11;
	}
	*out = put_utf8(*out, cp);
	return used;
}

/* A string at s->p (its opening quote). Escaped strings are decoded into scratch. */
static int scan_string(struct scan *s, struct json_flat_val *v)
{
	const unsigned char *p = s->p + 1, *end = s->end, *start = p;
	char *out = NULL, *base = NULL;
	for (;;) {
		const unsigned char *run = p;
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (out) {
			memcpy(out, run, (size_t)(p - run));
			out += p - run;
		}
		if (p >= end || *p < 0x20)
			return GIVE_UP;
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			size_t l = utf8_len(p, (size_t)(end - p));
			if (!l)
				return GIVE_UP;
			if (out) {
				memcpy(out, p, l);
				out += l;
			}
			p += l;
			continue;
		}
		if (!out) { /* first escape; decoded text is never longer than its source */
			if (!s->scratch && !(s->scratch = malloc((size_t)(end - start))))
				return GIVE_UP;
			base = out = s->scratch + s->scratch_used;
			memcpy(out, start, (size_t)(p - start));
			out += p - start;
		}
		size_t used = unescape(p + 1, end, &out);
		if (!used)
			return GIVE_UP;
		p += 1 + used;
	}
	v->t = JF_STR;
	v->s = out ? base : (const char *)start;
	v->len = out ? (size_t)(out - base) : (size_t)(p - start);
	if (out)
		s->scratch_used += v->len;
	s->p = p + 1;
	return 0;
}

/* An integer; reals and integers jansson cannot hold are jansson's. */
static int scan_number(struct scan *s, struct json_flat_val *v)
{
	const unsigned char *p = s->p, *end = s->end;
	bool neg = *p == '-';
	unsigned long long u = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	p += neg;
	if (p >= end || *p < '0' || *p > '9')
		return GIVE_UP;
	if (*p == '0') /* no leading zeros: "01" fails at the next token */
		p++;
	else
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (u > (lim - (unsigned)(*p - '0')) / 10)
				return GIVE_UP;
			u = u * 10 + (unsigned)(*p - '0');
		}
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return GIVE_UP;
	v->t = JF_INT;
	v->i = neg ? (long long)(0 - u) : (long long)u;
	s->p = p;
	return 0;
}

static int scan_scalar(struct scan *s, struct json_flat_val *v)
{
	static const struct {
		const char *word;
		size_t len;
		enum json_flat_type t;
		bool b;
	} words[] = {{"true", 4, JF_BOOL, true},
		     {"false", 5, JF_BOOL, false},
		     {"null", 4, JF_NULL, false}};
	if (s->p >= s->end)
		return GIVE_UP;
	if (*s->p == '"')
		return scan_string(s, v);
	if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
		return scan_number(s, v);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((size_t)(s->end - s->p) >= words[i].len &&
		    memcmp(s->p, words[i].word, words[i].len) == 0) {
			v->t = words[i].t;
			v->b = words[i].b;
			s->p += words[i].len;
			return 0;
		}
	return GIVE_UP; /* objects, syntax errors */
}

/* A scalar, or an array of scalars (its first JSON_FLAT_ITEMS passed on). */
static int scan_value(struct scan *s, struct json_flat_val *v)
{
	if (s->p >= s->end || *s->p != '[')
		return scan_scalar(s, v);
	struct json_flat_val skip;
	*v = (struct json_flat_val){
		.t = JF_ARRAY, .items = s->items, .all_str = true, .all_int = true};
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		struct json_flat_val *it = v->total < JSON_FLAT_ITEMS ? &s->items[v->total] : &skip;
		*it = (struct json_flat_val){.t = JF_NULL};
		if (scan_scalar(s, it))
			return GIVE_UP;
		v->all_str &= it->t == JF_STR;
		v->all_int &= it->t == JF_INT;
		v->n += v->total++ < JSON_FLAT_ITEMS;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
		} else if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		} else {
			return GIVE_UP;
		}
	}
}

/* 0: scanned to the end (s->rejected says whether the sink took it); GIVE_UP. */
static int fast_parse(struct scan *s, const struct json_flat_sink *sink)
{
	skip_ws(s);
	if (s->p >= s->end || *s->p++ != '{')
		return GIVE_UP;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}')
		s->p++;
	else
		for (;;) {
			struct json_flat_val k = {0}, v = {0};
			if (s->p >= s->end || *s->p != '"' || scan_string(s, &k) ||
			    memchr(k.s, '\0', k.len))
				return GIVE_UP;
			skip_ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return GIVE_UP;
			skip_ws(s);
			if (scan_value(s, &v))
				return GIVE_UP;
			if (!s->rejected) { /* once rejected, a later syntax error still wins */
				int r = sink->pair(sink->ctx, k.s, k.len, &v);
				if (r > 0)
					return GIVE_UP;
				s->rejected = r < 0;
			}
			skip_ws(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				skip_ws(s);
				continue;
			}
			if (s->p < s->end && *s->p++ == '}')
				break;
			return GIVE_UP;
		}
	skip_ws(s);
	return s->p == s->end ? 0 : GIVE_UP;
}

static void to_val(json_t *j, struct json_flat_val *v, struct json_flat_val *items)
{
	*v = (struct json_flat_val){.t = JF_NULL};
	switch (json_typeof(j)) {
	case JSON_STRING:
		v->t = JF_STR;
		v->s = json_string_value(j);
		v->len = json_string_length(j);
		break;
	case JSON_INTEGER:
		v->t = JF_INT;
		v->i = json_integer_value(j);
		break;
	case JSON_REAL:
		v->t = JF_REAL;
		v->d = json_real_value(j);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		v->t = JF_BOOL;
		v->b = json_is_true(j);
		break;
	case JSON_NULL: break;
	case JSON_OBJECT: v->t = JF_OBJECT; break;
	case JSON_ARRAY:
		v->t = JF_ARRAY;
		v->items = items;
		v->total = json_array_size(j);
		v->all_str = v->all_int = true;
		for (size_t i = 0; i < v->total; i++) {
			json_t *e = json_array_get(j, i);
			v->all_str &= json_is_string(e);
			v->all_int &= json_is_integer(e);
			if (items && i < JSON_FLAT_ITEMS)
				to_val(e, &items[v->n++],
				       NULL); /* one level: nested arrays stay empty */
		}
		break;
	}
}

static const char *kind_name(json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int slow_parse(const char *text, size_t len, const struct json_flat_sink *sink,
		      struct json_flat_val *items, char *msg, size_t msglen)
{
	json_error_t je;
	json_t *root = json_loadb(text, len,
				  JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!root) {
		size_t i = 0;
		while (i < len &&
		       (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
			i++;
		if (i == len)
			snprintf(msg, msglen, "empty line");
		else
			snprintf(msg, msglen, "not valid JSON: %s (at byte %d)", je.text,
				 je.position);
		return -2;
	}
	int r = -2;
	if (!json_is_object(root)) {
		snprintf(msg, msglen, "expected a JSON object, got %s", kind_name(root));
	} else {
		const char *k;
		json_t *val;
		r = 0;
		json_object_foreach(root, k, val)
		{
			struct json_flat_val v;
			to_val(val, &v, items);
			if ((r = sink->pair(sink->ctx, k, strlen(k), &v)) != 0)
				break;
		}
		r = r ? -1 : sink->end(sink->ctx); /* while jansson still owns the strings */
	}
	json_decref(root);
	return r;
}

int json_flat_parse(const char *text, size_t len, const struct json_flat_sink *sink, bool *slow,
		    char *msg, size_t msglen)
{
	struct scan s = {.p = (const unsigned char *)text,
			 .end = (const unsigned char *)text + len};
	int r;
	*slow = fast_parse(&s, sink) != 0;
	if (!*slow) {
		r = s.rejected ? -1 : sink->end(sink->ctx);
	} else {
		sink->restart(sink->ctx);
		r = slow_parse(text, len, sink, s.items, msg, msglen);
	}
	free(s.scratch);
	return r;
}
