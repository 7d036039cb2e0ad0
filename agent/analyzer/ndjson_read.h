/*
 * ndjson_read.h — one --events-out line (docs/events.md) back into a
 * struct vigil_event: the inverse of ndjson.h, for `vigil replay`.
 *
 * ndjson_event(ndjson_read_event(line)) reproduces `line` byte for byte
 * for every line ndjson_event wrote (fields the writer derives, such as
 * proc.cmdline, evt.time or fd.directory, are type-checked and ignored).
 */
#ifndef VIGIL_NDJSON_READ_H
#define VIGIL_NDJSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vigil/event.h"

/* Why a line was rejected, and what an accepted line carried that was not kept. */
struct ndjson_read_error {
	unsigned long line; /* in: line number used in messages; 0 leaves it out */
	char msg[256];	    /* out, on failure: "line 12: evt.num: expected an integer" */
	/* Out, reset by every call, set on success too: */
	unsigned unknown_keys; /* keys this version does not know: ignored */
	unsigned
		unknown_values; /* evt.arch, fd.type or capability names not known: mapped to unknown */
	unsigned
		truncated; /* strings cut to fit the arena; evt.arg.* or ancestors past the limits */
	char unknown_type[32]; /* evt.type not known here (then ev->type == VIGIL_SC_UNKNOWN) */
	bool slow_path;	       /* the line was not in the writer's flat shape: jansson parsed it */
};

/*
 * Parse one line (`len` bytes, need not be NUL-terminated; a trailing
 * newline is allowed) into `ev`, which is initialised, filled, sealed and
 * checked with vigil_event_validate. Returns 0, or -1 with err->msg set
 * (ev then holds no meaningful event). `err` may be NULL.
 */
int ndjson_read_event(const char *line, size_t len, struct vigil_event *ev,
		      struct ndjson_read_error *err);

/* Reads a stream of lines, counting them; blank lines are skipped. */
struct ndjson_reader {
	FILE *f;
	char *buf;
	size_t cap;
	unsigned long line; /* lines read so far */
};

void ndjson_reader_init(struct ndjson_reader *r, FILE *f);
/* 1: an event in ev; 0: end of file; -1: a bad line (err set, reading may
 * go on); -2: a read error (err set). */
int ndjson_reader_next(struct ndjson_reader *r, struct vigil_event *ev,
		       struct ndjson_read_error *err);
void ndjson_reader_free(struct ndjson_reader *r); /* does not close f */

#endif
