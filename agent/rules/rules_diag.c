/* rules_diag.c — the diagnostics list filled while loading rules files. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_internal.h"

void rules_diag_init(struct rules_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void rules_diag_free(struct rules_diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].item);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

size_t rules_diag_format(const struct rules_diag_entry *e, char *buf, size_t size)
{
	const char *lvl = e->level == RULES_DIAG_ERROR ? "error" : "warning";
	const char *item = e->item ? e->item : "";
	const char *sep = e->item ? ": " : "";
	int n;
	if (e->line)
		n = snprintf(buf, size, "%s:%u:%u: %s: %s%s%s", e->file, e->line, e->col, lvl, item, sep,
			     e->msg);
	else
		n = snprintf(buf, size, "%s: %s: %s%s%s", e->file, lvl, item, sep, e->msg);
	return n < 0 ? 0 : (size_t)n;
}

void rules_diag_print(const struct rules_diag *d, FILE *out)
{
	char line[1024];
	for (size_t i = 0; i < d->n; i++) {
		rules_diag_format(&d->v[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	if (d->dropped)
		fprintf(out, "(%zu more messages not shown)\n", d->dropped);
}

/* Append one entry; false on ENOMEM. */
static bool diag_push(struct rules_diag *d, enum rules_diag_level lvl, const char *file, uint32_t line,
		      uint32_t col, const char *item, const char *msg)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct rules_diag_entry *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return false;
		d->v = v;
		d->cap = cap;
	}
	struct rules_diag_entry *e = &d->v[d->n];
	e->level = lvl;
	e->line = line;
	e->col = col;
	e->file = strdup(file ? file : "<rules>");
	e->item = item ? strdup(item) : NULL;
	e->msg = strdup(msg);
	if (!e->file || !e->msg || (item && !e->item)) {
		free(e->file);
		free(e->item);
		free(e->msg);
		return false;
	}
	d->n++;
	return true;
}

void rules_diag_add(struct rules_diag *d, enum rules_diag_level level, const struct rules_pos *pos,
		    const char *item, const char *fmt, ...)
{
	if (!d)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!diag_push(d, level, pos && pos->file ? pos->file : "(rules)", pos ? pos->line : 0,
		       pos ? pos->col : 0, item, msg)) {
		d->dropped++;
		return;
	}
	if (level == RULES_DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
}

void rules_dctx_vadd(struct rules_dctx *dc, enum rules_diag_level lvl, uint32_t line, uint32_t col,
		     const char *item, const char *fmt, va_list ap)
{
	if (lvl == RULES_DIAG_ERROR)
		dc->nerrors++;
	else
		dc->nwarnings++;
	if (!dc->d)
		return;
	if (dc->kept >= RULES_MAX_DIAGS) {
		dc->d->dropped++;
		return;
	}
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!diag_push(dc->d, lvl, dc->file, line, col, item, msg)) {
		dc->d->dropped++;
		return;
	}
	dc->kept++;
	if (lvl == RULES_DIAG_ERROR)
		dc->d->nerrors++;
	else
		dc->d->nwarnings++;
}

void rules_dctx_add(struct rules_dctx *dc, enum rules_diag_level lvl, uint32_t line, uint32_t col,
		    const char *item, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rules_dctx_vadd(dc, lvl, line, col, item, fmt, ap);
	va_end(ap);
}
