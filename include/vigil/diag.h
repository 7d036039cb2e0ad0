/*
 * diag.h — diagnostics a user must act on, as file:line:col messages.
 *
 * A library that reads user input (rules files, vigil.yaml) reports each
 * problem here instead of logging it; the process edge (a main function,
 * `vigil rules check`, `vigil config check`) decides where they go. The
 * list is append-only and may be shared by several loads.
 *
 * Positions are 1-based; columns count characters (as libyaml does), not
 * bytes. line 0 means "about the whole file".
 */
#ifndef VIGIL_DIAG_H
#define VIGIL_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VIGIL_MAX_DIAGS 100 /* diagnostics kept per load call */

struct vigil_pos {
	const char *file; /* owned by whoever made the position (a rule set, a diag list) */
	uint32_t line, col;
};

enum vigil_diag_level { VIGIL_DIAG_ERROR, VIGIL_DIAG_WARNING };

struct vigil_diag_entry {
	enum vigil_diag_level level;
	char *file;	    /* never NULL */
	uint32_t line, col; /* 0 when the message is about the whole file */
	char *item;	    /* "rule 'Terminal shell in container'", or NULL */
	char *msg;
};

struct vigil_diag {
	struct vigil_diag_entry *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
	size_t dropped; /* messages past VIGIL_MAX_DIAGS per load, or lost to ENOMEM */
};

void vigil_diag_init(struct vigil_diag *d);
void vigil_diag_free(struct vigil_diag *d);
/* "file:line:col: error: rule 'x': message" into buf (always NUL-terminated);
 * returns the length it wanted, like snprintf. */
size_t vigil_diag_format(const struct vigil_diag_entry *e, char *buf, size_t size);
/* Append one diagnostic at pos (NULL: about no place in particular), for
 * reports made after loading (the rule compiler's). Lost to ENOMEM: counted
 * in `dropped`. */
void vigil_diag_add(struct vigil_diag *d, enum vigil_diag_level level, const struct vigil_pos *pos,
		    const char *item, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Every entry, one line each. */
void vigil_diag_print(const struct vigil_diag *d, FILE *out);

/* The diagnostics of one load call: counts every message, keeps at most
 * VIGIL_MAX_DIAGS of them in d (which may be NULL). */
struct vigil_dctx {
	struct vigil_diag *d;
	const char *file;
	size_t nerrors, nwarnings, kept;
	bool oom;
};
void vigil_dctx_add(struct vigil_dctx *dc, enum vigil_diag_level lvl, uint32_t line, uint32_t col,
		    const char *item, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void vigil_dctx_vadd(struct vigil_dctx *dc, enum vigil_diag_level lvl, uint32_t line, uint32_t col,
		     const char *item, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

#endif
