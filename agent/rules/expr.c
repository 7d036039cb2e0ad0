/* expr.c — building compiled conditions (see expr.h); evaluation is in expr_eval.c. */
#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/expr_internal.h"

static const char *const op_names[] = {
	[OP_EQ] = "=",
	[OP_NE] = "!=",
	[OP_LT] = "<",
	[OP_LE] = "<=",
	[OP_GT] = ">",
	[OP_GE] = ">=",
	[OP_CONTAINS] = "contains",
	[OP_ICONTAINS] = "icontains",
	[OP_BCONTAINS] = "bcontains",
	[OP_STARTSWITH] = "startswith",
	[OP_BSTARTSWITH] = "bstartswith",
	[OP_ENDSWITH] = "endswith",
	[OP_GLOB] = "glob",
	[OP_IGLOB] = "iglob",
	[OP_REGEX] = "regex",
	[OP_IN] = "in",
	[OP_INTERSECTS] = "intersects",
	[OP_PMATCH] = "pmatch",
	[OP_EXISTS] = "exists",
};

int expr_op_parse(const char *s, size_t len)
{
	if (len == 2 && memcmp(s, "==", 2) == 0)
		return OP_EQ;
	for (int i = 0; i <= OP_EXISTS; i++)
		if (strlen(op_names[i]) == len && memcmp(op_names[i], s, len) == 0)
			return i;
	return -1;
}

static const char *expr_op_name(enum expr_op op)
{
	return op <= OP_EXISTS ? op_names[op] : "?";
}

static struct expr *node(enum expr_kind kind)
{
	struct expr *e = calloc(1, sizeof(*e));
	if (e)
		e->kind = kind;
	return e;
}

struct expr *expr_const(bool v)
{
	struct expr *e = node(EX_CONST);
	if (e)
		e->cval = v;
	return e;
}

static int push_kid(struct expr *e, struct expr *k)
{
	struct expr **n = realloc(e->kids, (e->nkids + 1) * sizeof(*n));
	if (!n)
		return -1;
	e->kids = n;
	e->kids[e->nkids++] = k;
	return 0;
}

/* a AND b: operands of the same kind are merged into one n-ary node. */
static struct expr *binary(enum expr_kind kind, struct expr *a, struct expr *b)
{
	struct expr *e = a && b ? (a->kind == kind ? a : node(kind)) : NULL;
	if (!e || (e != a && push_kid(e, a) != 0)) {
		if (e != a)
			free(e);
		expr_free(a);
		expr_free(b);
		return NULL;
	}
	/* From here e owns a. */
	if (b->kind != kind) {
		if (push_kid(e, b) == 0)
			return e;
		expr_free(e);
		expr_free(b);
		return NULL;
	}
	for (size_t i = 0; i < b->nkids; i++) {
		if (push_kid(e, b->kids[i]) != 0) {
			expr_free(e);
			expr_free(b); /* the kids not moved yet */
			return NULL;
		}
		b->kids[i] = NULL;
	}
	expr_free(b);
	return e;
}

struct expr *expr_and(struct expr *a, struct expr *b)
{
	return binary(EX_AND, a, b);
}

struct expr *expr_or(struct expr *a, struct expr *b)
{
	return binary(EX_OR, a, b);
}

struct expr *expr_not(struct expr *a)
{
	struct expr *e = a ? node(EX_NOT) : NULL;
	if (!e) {
		expr_free(a);
		return NULL;
	}
	e->a = a;
	return e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->a);
	for (size_t i = 0; i < e->nkids; i++)
		expr_free(e->kids[i]);
	free(e->kids);
	for (size_t i = 0; i < e->n; i++) {
		free(e->vals[i].s);
		if (e->vals[i].re) {
			regfree(e->vals[i].re);
			free(e->vals[i].re);
		}
	}
	free(e->vals);
	free(e);
}

static bool is_numeric_op(enum expr_op op)
{
	return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT ||
	       op == OP_GE || op == OP_IN || op == OP_INTERSECTS || op == OP_EXISTS;
}

static bool is_list_op(enum expr_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

/* bcontains takes hex digits: "7f454c46" -> the 4 bytes. */
static int hex_decode(const char *s, size_t len, char *out, size_t *out_len)
{
	if (len % 2)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		char byte[3] = {s[i], s[i + 1], 0};
		char *end;
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
			return -1;
		out[i / 2] = (char)strtol(byte, &end, 16);
	}
	*out_len = len / 2;
	return 0;
}

/* "10.0.0.0/8", "fd00::/8" or a single address (full prefix). */
static int parse_net(struct operand *v, const char *s, size_t len)
{
	char buf[64];
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	v->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(v->family, buf, v->net) != 1)
		return -1;
	int max = v->family == AF_INET ? 32 : 128;
	v->prefix = max;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || p < 0 || p > max)
			return -1;
		v->prefix = (int)p;
	}
	return 0;
}

static int convert_value(const struct field_ref *f, enum expr_op op, struct operand *v,
			 const char *s, size_t len, char *err, size_t errlen)
{
	enum field_type type = f->def->type;
	if (type == FT_NET && parse_net(v, s, len) != 0) {
		snprintf(err, errlen, "%s needs an address or network (10.0.0.0/8), got '%.*s'",
			 f->def->name, (int)len, s);
		return -1;
	}
	if (type == FT_INT || type == FT_BOOL) {
		char tmp[32];
		if (len >= sizeof(tmp))
			goto bad_number;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		if (type == FT_BOOL && (strcmp(tmp, "true") == 0 || strcmp(tmp, "false") == 0)) {
			v->i = tmp[0] == 't';
			return 0;
		}
		char *end;
		errno = 0;
		v->i = strtoll(tmp, &end, 0);
		if (errno || *end || end == tmp)
			goto bad_number;
		return 0;
	}
	v->s = malloc(len + 1);
	if (!v->s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(v->s, s, len);
	v->s[len] = '\0';
	v->len = len;
	if ((op == OP_BCONTAINS || op == OP_BSTARTSWITH) &&
	    hex_decode(s, len, v->s, &v->len) != 0) {
		snprintf(err, errlen, "%s needs hex bytes, got '%.*s'", expr_op_name(op), (int)len,
			 s);
		return -1;
	}
	if (op == OP_REGEX) {
		v->re = malloc(sizeof(*v->re));
		if (!v->re || regcomp(v->re, v->s, REG_EXTENDED | REG_NOSUB) != 0) {
			free(v->re);
			v->re = NULL;
			snprintf(err, errlen, "invalid regex '%.*s'", (int)len, s);
			return -1;
		}
	}
	return 0;
bad_number:
	snprintf(err, errlen, "%s is a %s: '%.*s' is not one", f->def->name,
		 type == FT_BOOL ? "boolean" : "number", (int)len, s);
	return -1;
}

static int cmp_operand(const void *a, const void *b)
{
	const struct operand *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int check_op(const struct field_ref *f, enum expr_op op, size_t n, char *err, size_t errlen)
{
	if ((f->def->type == FT_INT || f->def->type == FT_BOOL) && !is_numeric_op(op)) {
		snprintf(err, errlen, "operator '%s' cannot be used with %s (a %s)",
			 expr_op_name(op), f->def->name,
			 f->def->type == FT_INT ? "number" : "boolean");
		return -1;
	}
	/* An empty list is fine (a list meant to be filled by users): it matches nothing. */
	if (op == OP_EXISTS ? n != 0 : !is_list_op(op) && n != 1) {
		snprintf(err, errlen, "operator '%s' takes %s", expr_op_name(op),
			 op == OP_EXISTS  ? "no value"
			 : is_list_op(op) ? "a list"
					  : "one value");
		return -1;
	}
	if (f->def->type == FT_NET && op != OP_EQ && op != OP_NE && op != OP_IN &&
	    op != OP_INTERSECTS) {
		snprintf(err, errlen, "operator '%s' cannot be used with %s (a network match)",
			 expr_op_name(op), f->def->name);
		return -1;
	}
	if ((op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE) && f->def->type != FT_INT) {
		snprintf(err, errlen, "operator '%s' needs a numeric field, %s is not",
			 expr_op_name(op), f->def->name);
		return -1;
	}
	return 0;
}

struct expr *expr_cmp(const struct field_ref *field, enum expr_op op, const char *const *values,
		      const size_t *lens, size_t n, char *err, size_t errlen)
{
	if (check_op(field, op, n, err, errlen) != 0)
		return NULL;
	struct expr *e = node(EX_CMP);
	if (!e || (n && !(e->vals = calloc(n, sizeof(*e->vals))))) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->field = *field;
	e->op = op;
	for (size_t i = 0; i < n; i++, e->n++) {
		if (convert_value(field, op, &e->vals[i], values[i], lens[i], err, errlen) != 0) {
			e->n++;
			expr_free(e);
			return NULL;
		}
	}
	/* evt.type is compared as a bit in a set: a third of all comparisons in
	 * Falco's rules, answered without extracting or comparing a string. */
	if (strcmp(field->def->name, "evt.type") == 0 &&
	    (op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS)) {
		e->by_type = true;
		for (size_t i = 0; i < e->n; i++) {
			int id = vigil_syscall_by_name(e->vals[i].s);
			if (id != VIGIL_SC_UNKNOWN)
				vigil_sc_set_add(&e->typeset, id);
		}
	}
	/* Sorted string lists are searched in O(log n) per value. */
	if ((op == OP_IN || op == OP_INTERSECTS) && field->def->type != FT_INT &&
	    field->def->type != FT_BOOL && field->def->type != FT_NET && e->n > 1)
		qsort(e->vals, e->n, sizeof(*e->vals), cmp_operand);
	return e;
}
