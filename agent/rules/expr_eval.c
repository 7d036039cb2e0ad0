/*
 * expr_eval.c — evaluating compiled conditions against one event.
 *
 * A field with no value (<NA>) makes every comparison false except
 * `exists`, as in Falco. A field standing for several values (proc.aname
 * without an index: any ancestor) matches when any of them does.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "rules/expr_internal.h"
#include "rules/fields_ids.h"
#include "vigil/prefilter.h"

/* A NUL-terminated copy for the libc matchers (fnmatch, regexec). */
static const char *cstr(const struct field_value *v, char *buf, size_t size)
{
	size_t n = v->len < size - 1 ? v->len : size - 1;
	memcpy(buf, v->s, n);
	buf[n] = '\0';
	return buf;
}

static bool icontains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;
		while (j < nlen &&
		       tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == nlen)
			return true;
	}
	return false;
}

static bool in_sorted(const struct expr *e, const char *s, size_t len)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct operand *o = &e->vals[mid];
		size_t n = o->len < len ? o->len : len;
		int c = memcmp(o->s, s, n);
		if (!c)
			c = (o->len > len) - (o->len < len);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Path prefix: /etc matches /etc and /etc/passwd, not /etcetera. */
static bool pmatch(const struct expr *e, const char *s, size_t len)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct operand *o = &e->vals[i];
		size_t plen = o->len;
		while (plen > 1 && o->s[plen - 1] == '/')
			plen--;
		if (len >= plen && memcmp(s, o->s, plen) == 0 &&
		    (len == plen || s[plen] == '/' || (plen == 1 && o->s[0] == '/')))
			return true;
	}
	return false;
}

static bool match_int(const struct expr *e, int64_t x)
{
	int64_t y = e->n ? e->vals[0].i : 0;
	switch (e->op) {
	case OP_EQ: return x == y;
	case OP_NE: return x != y;
	case OP_LT: return x < y;
	case OP_LE: return x <= y;
	case OP_GT: return x > y;
	case OP_GE: return x >= y;
	case OP_IN:
	case OP_INTERSECTS:
		for (size_t i = 0; i < e->n; i++)
			if (e->vals[i].i == x)
				return true;
		return false;
	default: return false;
	}
}

static bool in_net(const struct operand *o, int family, const uint8_t *ip)
{
	if (family != o->family)
		return false;
	int full = o->prefix / 8, rest = o->prefix % 8;
	if (memcmp(ip, o->net, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (ip[full] & mask) == (o->net[full] & mask);
}

/* An address value against networks: = / in: inside one; != : inside none. */
static bool match_net(const struct expr *e, const struct field_value *v)
{
	char buf[64];
	uint8_t ip[16];
	const char *text = cstr(v, buf, sizeof(buf));
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, text, ip) != 1)
		return false;
	bool inside = false;
	for (size_t i = 0; i < e->n && !inside; i++)
		inside = in_net(&e->vals[i], family, ip);
	return e->op == OP_NE ? !inside : inside;
}

static bool match_str(const struct expr *e, const struct field_value *v)
{
	const struct operand *o = e->n ? &e->vals[0] : NULL;
	char buf[4200];
	switch (e->op) {
	case OP_EQ: return v->len == o->len && memcmp(v->s, o->s, o->len) == 0;
	case OP_NE: return !(v->len == o->len && memcmp(v->s, o->s, o->len) == 0);
	case OP_CONTAINS:
	case OP_BCONTAINS: return o->len == 0 || memmem(v->s, v->len, o->s, o->len) != NULL;
	case OP_ICONTAINS: return icontains(v->s, v->len, o->s, o->len);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH: return v->len >= o->len && memcmp(v->s, o->s, o->len) == 0;
	case OP_ENDSWITH:
		return v->len >= o->len && memcmp(v->s + v->len - o->len, o->s, o->len) == 0;
	case OP_GLOB: return fnmatch(o->s, cstr(v, buf, sizeof(buf)), 0) == 0;
	case OP_IGLOB: return fnmatch(o->s, cstr(v, buf, sizeof(buf)), FNM_CASEFOLD) == 0;
	case OP_REGEX: return regexec(o->re, cstr(v, buf, sizeof(buf)), 0, NULL, 0) == 0;
	case OP_IN:
	case OP_INTERSECTS: return in_sorted(e, v->s, v->len);
	case OP_PMATCH: return pmatch(e, v->s, v->len);
	default: return false;
	}
}

static bool eval_cmp(const struct expr *e, const struct vigil_event *ev,
		     const struct field_ctx *ctx)
{
	if (e->by_type) {
		bool in = ev->type < VIGIL_SC_COUNT && vigil_sc_set_has(&e->typeset, ev->type);
		return e->op == OP_NE ? !in : in;
	}
	struct field_value v;
	int count = field_count(&e->field, ev);
	for (int k = 0; k < count; k++) {
		field_extract_nth(&e->field, ev, ctx, k, &v);
		if (e->op == OP_EXISTS) {
			if (v.present)
				return true;
			continue;
		}
		if (!v.present)
			continue;
		bool hit = v.type == FT_INT || v.type == FT_BOOL ? match_int(e, v.i)
			   : v.type == FT_NET			 ? match_net(e, &v)
								 : match_str(e, &v);
		if (hit)
			return true;
	}
	return false;
}

bool expr_eval(const struct expr *e, const struct vigil_event *ev, const struct field_ctx *ctx)
{
	switch (e->kind) {
	case EX_AND:
		for (size_t i = 0; i < e->nkids; i++)
			if (!expr_eval(e->kids[i], ev, ctx))
				return false;
		return true;
	case EX_OR:
		for (size_t i = 0; i < e->nkids; i++)
			if (expr_eval(e->kids[i], ev, ctx))
				return true;
		return false;
	case EX_NOT: return !expr_eval(e->a, ev, ctx);
	case EX_CONST: return e->cval;
	case EX_CMP: return eval_cmp(e, ev, ctx);
	}
	return false;
}

static void set_all(vigil_sc_set *s)
{
	memset(s, 0xff, sizeof(*s));
}

/* Types named by an evt.type comparison; exact = the comparison is only about type. */
static bool type_cmp(const struct expr *e, vigil_sc_set *s)
{
	memset(s, 0, sizeof(*s));
	if (e->op != OP_EQ && e->op != OP_IN && e->op != OP_INTERSECTS && e->op != OP_NE) {
		set_all(s);
		return false;
	}
	for (size_t i = 0; i < e->n; i++) {
		int id = vigil_syscall_by_name(e->vals[i].s);
		if (id != VIGIL_SC_UNKNOWN)
			vigil_sc_set_add(s, id);
	}
	if (e->op == OP_NE)
		for (size_t w = 0; w < sizeof(s->bits) / sizeof(s->bits[0]); w++)
			s->bits[w] = ~s->bits[w];
	return true;
}

static bool is_evt_type(const struct expr *e)
{
	return e->kind == EX_CMP && strcmp(e->field.def->name, "evt.type") == 0;
}

/* Returns whether the set is exact (e <=> type in set). */
static bool types(const struct expr *e, vigil_sc_set *s)
{
	vigil_sc_set a, b;
	bool ea, eb;
	switch (e->kind) {
	case EX_CMP:
		if (is_evt_type(e))
			return type_cmp(e, s);
		set_all(s);
		return false;
	case EX_CONST:
		if (e->cval)
			set_all(s);
		else
			memset(s, 0, sizeof(*s));
		return true;
	case EX_NOT:
		if (types(e->a, &a)) { /* only an exact set can be complemented */
			for (size_t w = 0; w < sizeof(a.bits) / sizeof(a.bits[0]); w++)
				s->bits[w] = ~a.bits[w];
			return true;
		}
		set_all(s);
		return false;
	case EX_AND:
	case EX_OR:
		ea = true;
		if (e->kind == EX_AND)
			set_all(&a);
		else
			memset(&a, 0, sizeof(a));
		for (size_t i = 0; i < e->nkids; i++) {
			eb = types(e->kids[i], &b);
			ea = ea && eb;
			for (size_t w = 0; w < sizeof(a.bits) / sizeof(a.bits[0]); w++)
				a.bits[w] = e->kind == EX_AND ? a.bits[w] & b.bits[w]
							      : a.bits[w] | b.bits[w];
		}
		*s = a;
		return ea;
	}
	return false;
}

bool expr_event_types(const struct expr *e, vigil_sc_set *set)
{
	types(e, set);
	for (size_t w = 0; w < sizeof(set->bits) / sizeof(set->bits[0]); w++)
		if (set->bits[w] != ~0ull)
			return true;
	return false;
}

bool expr_uses_field(const struct expr *e, const char *name)
{
	if (!e)
		return false;
	if (e->kind == EX_CMP)
		return strcmp(e->field.def->name, name) == 0;
	for (size_t i = 0; i < e->nkids; i++)
		if (expr_uses_field(e->kids[i], name))
			return true;
	return expr_uses_field(e->a, name);
}

bool expr_uses_result(const struct expr *e)
{
	if (!e)
		return false;
	if (e->kind == EX_CMP) {
		int id = e->field.def->id;
		return id == F_EVT_RES || id == F_EVT_RAWRES || id == F_EVT_DIR || id == F_FD_NUM ||
		       id == F_FD_CONNECTED || id == F_FD_NAME_CHANGED;
	}
	for (size_t i = 0; i < e->nkids; i++)
		if (expr_uses_result(e->kids[i]))
			return true;
	return expr_uses_result(e->a);
}

const struct field_def *expr_unsupported_field(const struct expr *e)
{
	if (!e)
		return NULL;
	if (e->kind == EX_CMP)
		return e->field.def->support == FS_NO ? e->field.def : NULL;
	for (size_t i = 0; i < e->nkids; i++) {
		const struct field_def *d = expr_unsupported_field(e->kids[i]);
		if (d)
			return d;
	}
	return expr_unsupported_field(e->a);
}

/* Move every predicate of `from` to the end of `to`. */
static bool absorb(struct prefilter *to, struct prefilter *from)
{
	bool ok = true;
	for (size_t i = 0; i < from->n && ok; i++)
		ok = prefilter_add(to, from->preds[i].op, from->preds[i].s, from->preds[i].len) ==
		     0;
	prefilter_free(from);
	return ok;
}

/* Predicates for one comparison on fd.name, fd.nameraw, fd.directory or fd.filename. */
static bool path_cmp(const struct expr *e, struct prefilter *pf)
{
	int id = e->field.def->id;
	bool name = id == F_FD_NAME || id == F_FD_NAMERAW;
	if (!name && id != F_FD_DIRECTORY && id != F_FD_FILENAME)
		return false;
	for (size_t i = 0; i < e->n; i++) {
		const struct operand *o = &e->vals[i];
		char buf[4200];
		int rc = 0;
		bool eq = e->op == OP_EQ || e->op == OP_IN || e->op == OP_INTERSECTS;
		if (!name && eq && id == F_FD_DIRECTORY && pf->exact) {
			size_t n = o->len > 1 && o->s[o->len - 1] == '/' ? o->len - 1 : o->len;
			rc = prefilter_add(pf, PF_DIR, o->s, n); /* "/root/" names /root */
		} else if (!name && eq) {
			/* dir d: the path starts with "d/"; file f: it ends with "/f". */
			int n = id == F_FD_DIRECTORY
					? snprintf(buf, sizeof(buf), "%s%s", o->s,
						   o->len && o->s[o->len - 1] == '/' ? "" : "/")
					: snprintf(buf, sizeof(buf), "/%s", o->s);
			if (n <= 0 || (size_t)n >= sizeof(buf))
				return false;
			rc = prefilter_add(pf, id == F_FD_DIRECTORY ? PF_PREFIX : PF_SUFFIX, buf,
					   (size_t)n);
		} else if (!name) {
			return false;
		} else if (eq) {
			rc = prefilter_add(pf, PF_EQ, o->s, o->len);
		} else if (e->op == OP_STARTSWITH || e->op == OP_PMATCH) {
			rc = prefilter_add(pf, PF_PREFIX, o->s,
					   o->len); /* pmatch: a superset, fine */
		} else if (e->op == OP_ENDSWITH) {
			rc = prefilter_add(pf, PF_SUFFIX, o->s, o->len);
		} else if (e->op == OP_CONTAINS) {
			rc = prefilter_add(pf, PF_CONTAINS, o->s, o->len);
		} else if (e->op == OP_GLOB) {
			rc = prefilter_add(pf, PF_GLOB, o->s, o->len);
		} else {
			return false;
		}
		if (rc != 0)
			return false;
	}
	return true;
}

static bool all_exact(const struct prefilter *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		if (pf->preds[i].op != PF_EQ && pf->preds[i].op != PF_DIR)
			return false;
	return true;
}

/*
 * Any constrained operand is a necessary condition of the whole: the first
 * one, or, when exact predicates are asked for, the first whose predicates
 * all name paths exactly (Falco's `fd.name startswith /etc and (fd.name in
 * (...))` gives the list, not /etc), else the first.
 */
static bool and_constraint(const struct expr *e, struct prefilter *pf)
{
	struct prefilter first = {.exact = pf->exact};
	bool have = false;
	for (size_t i = 0; i < e->nkids; i++) {
		struct prefilter tmp = {.exact = pf->exact};
		if (expr_path_constraint(e->kids[i], &tmp)) {
			if (!pf->exact || all_exact(&tmp)) {
				prefilter_free(&first);
				return absorb(pf, &tmp);
			}
			if (!have) {
				first = tmp;
				have = true;
				continue;
			}
		}
		prefilter_free(&tmp);
	}
	return have && absorb(pf, &first);
}

bool expr_path_constraint(const struct expr *e, struct prefilter *pf)
{
	struct prefilter tmp = {.exact = pf->exact};
	switch (e->kind) {
	case EX_CMP: return path_cmp(e, pf);
	case EX_CONST: return !e->cval; /* false matches nothing: no predicate needed */
	case EX_NOT: return false;
	case EX_AND: return and_constraint(e, pf);
	case EX_OR: /* every operand must be constrained */
		for (size_t i = 0; i < e->nkids; i++) {
			if (!expr_path_constraint(e->kids[i], &tmp)) {
				prefilter_free(&tmp);
				return false;
			}
		}
		return absorb(pf, &tmp);
	}
	return false;
}
