/* diag.c — the diagnostics list filled while loading rules files and vigil.yaml (see diag.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/diag.h"

void vigil_diag_init(struct vigil_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void vigil_diag_free(struct vigil_diag *d)
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

size_t vigil_diag_format(const struct vigil_diag_entry *e, char *buf, size_t size)
{
	const char *lvl = e->level == VIGIL_DIAG_ERROR ? "error" : "warning";
	const char *item = e->item ? e->item : "";
	const char *sep = e->item ? ": " : "";
	int n;
	if (e->line)
		n = snprintf(buf, size, "%s:%u:%u: %s: %s%s%s", e->file, e->line, e->col, lvl, item,
			     sep, e->msg);
	else
		n = snprintf(buf, size, "%s: %s: %s%s%s", e->file, lvl, item, sep, e->msg);
	return n < 0 ? 0 : (size_t)n;
}

void vigil_diag_print(const struct vigil_diag *d, FILE *out)
{
	char line[1024];
	for (size_t i = 0; i < d->n; i++) {
		vigil_diag_format(&d->v[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	if (d->dropped)
		fprintf(out, "(%zu more messages not shown)\n", d->dropped);
}

/* Append one entry; false on ENOMEM. */
static bool diag_push(struct vigil_diag *d, enum vigil_diag_level lvl, const char *file,
		      uint32_t line, uint32_t col, const char *item, const char *msg)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct vigil_diag_entry *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return false;
		d->v = v;
		d->cap = cap;
	}
	struct vigil_diag_entry *e = &d->v[d->n];
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

void vigil_diag_add(struct vigil_diag *d, enum vigil_diag_level level, const struct vigil_pos *pos,
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
	if (level == VIGIL_DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
}

void vigil_dctx_vadd(struct vigil_dctx *dc, enum vigil_diag_level lvl, uint32_t line, uint32_t col,
		     const char *item, const char *fmt, va_list ap)
{
	if (lvl == VIGIL_DIAG_ERROR)
		dc->nerrors++;
	else
		dc->nwarnings++;
	if (!dc->d)
		return;
	if (dc->kept >= VIGIL_MAX_DIAGS) {
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
	if (lvl == VIGIL_DIAG_ERROR)
		dc->d->nerrors++;
	else
		dc->d->nwarnings++;
}

void vigil_dctx_add(struct vigil_dctx *dc, enum vigil_diag_level lvl, uint32_t line, uint32_t col,
		    const char *item, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vigil_dctx_vadd(dc, lvl, line, col, item, fmt, ap);
	va_end(ap);
}
