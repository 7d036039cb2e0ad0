/*
 * ndjson_read_fim.c — the fim.* keys of an --events-out line (ndjson.c's
 * fim_fields) back into ev->fim. Apart from ndjson_read.c because a FIM
 * side (current or recorded) is present as soon as any of its keys is, and
 * modes are octal strings: none of it fits the reader's generic fields.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/ndjson_read_priv.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* fim.* (ndjson.c's fim_fields), kept in the order of this table. */
static const char *const fim_names[] = {
	"fim.path",	   "fim.type",	   "fim.changed",     "fim.tags",      "fim.sha256",
	"fim.prev_sha256", "fim.target",   "fim.prev_target", "fim.action",    "fim.detected_by",
	"fim.attributed",  "fim.mode",	   "fim.prev_mode",   "fim.uid",       "fim.prev_uid",
	"fim.gid",	   "fim.prev_gid", "fim.size",	      "fim.prev_size",
};

static int fim_mode(struct rd *rd, const char *k, const struct json_flat_val *v, uint32_t *out)
{
	char buf[8];
	char *end;
	if (v->t != JF_STR || v->len == 0 || v->len >= sizeof(buf))
		return ndr_fail(rd, k, "expected an octal mode such as \"0644\"");
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	unsigned long m = strtoul(buf, &end, 8);
	if (*end || m > 07777)
		return ndr_fail(rd, k, "expected an octal mode such as \"0644\"");
	*out = (uint32_t)m;
	return 0;
}

static int fim_int(struct rd *rd, const char *k, const struct json_flat_val *v, long long hi,
		   uint64_t *out)
{
	long long n = 0;
	int r = ndr_want_int(rd, k, v, 0, hi, &n);
	if (!r)
		*out = (uint64_t)n;
	return r;
}

/* One fim.* key of a FIM event. */
static int apply_fim(struct rd *rd, int i, const struct json_flat_val *v)
{
	struct vigil_fim *f = &rd->ev->fim;
	const char *k = fim_names[i];
	vigil_str *strs[] = {&f->path,	 &f->type,	  &f->changed, &f->tags,
			     &f->sha256, &f->prev_sha256, &f->target,  &f->prev_target};
	bool b = false;
	uint64_t n = 0;
	int r = 0;
	unsigned a;
	if (v->t == JF_NULL)
		return 0;
	switch (i) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
	case 7:
		if (!(r = ndr_want_str(rd, k, v)))
			*strs[i] = ndr_put(rd, v->s, v->len);
		return r;
	case 8:
	case 9:
		if ((r = ndr_want_str(rd, k, v)))
			return r;
		a = i == 8 ? vigil_fim_action_by_name(v->s, v->len)
			   : vigil_fim_detector_by_name(v->s, v->len);
		if (!a)
			return ndr_fail(rd, k, "unknown value \"%.*s\"",
					(int)(v->len < 40 ? v->len : 40), v->s);
		*(i == 8 ? &f->action : &f->detected_by) = (uint8_t)a;
		return 0;
	case 10:
		if (!(r = ndr_want_bool(rd, k, v, &b)))
			f->attributed = b;
		return r;
	case 11: f->has_cur = 1; return fim_mode(rd, k, v, &f->mode);
	case 12: f->has_prev = 1; return fim_mode(rd, k, v, &f->prev_mode);
	}
	if ((r = fim_int(rd, k, v, i >= 17 ? LLONG_MAX : UINT32_MAX, &n)))
		return r;
	switch (i) {
	case 13: f->uid = (uint32_t)n, f->has_cur = 1; break;
	case 14: f->prev_uid = (uint32_t)n, f->has_prev = 1; break;
	case 15: f->gid = (uint32_t)n, f->has_cur = 1; break;
	case 16: f->prev_gid = (uint32_t)n, f->has_prev = 1; break;
	case 17: f->size = n, f->has_cur = 1; break;
	case 18: f->prev_size = n, f->has_prev = 1; break;
	}
	return 0;
}

int ndr_find_fim(struct rd *rd, const char *key, size_t klen, const struct json_flat_val *v)
{
	for (int i = 0; i < (int)COUNT(fim_names); i++) {
		if (strlen(fim_names[i]) != klen || memcmp(fim_names[i], key, klen) != 0)
			continue;
		if (rd->fim_keys & (1u << i))
			return rd->fast ? 1 : ndr_fail(rd, fim_names[i], "duplicate key");
		rd->fim_keys |= 1u << i;
		return apply_fim(rd, i, v);
	}
	return ndr_unknown_key(rd, key, klen);
}
