/*
 * ydoc.h — a YAML file as a small document tree, with limits, positions and
 * diagnostics: what the rules loader and the analyzer's configuration both
 * read their YAML with. libyaml does the parsing (agent/common/ydoc.c links
 * it; the supervisor never does).
 */
#ifndef VIGIL_YDOC_H
#define VIGIL_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/diag.h"

/* Limits on untrusted input; going past one is a load error. */
#define YDOC_MAX_SCALAR_BYTES (64u << 10) /* one YAML scalar */
#define YDOC_MAX_DEPTH 32		  /* nested sequences/mappings */
#define YDOC_MAX_NODES (1u << 20)	  /* YAML nodes per file, aliases expanded */

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

/* How a YAML scalar was written. */
enum ydoc_style {
	YDOC_STYLE_PLAIN,
	YDOC_STYLE_SINGLE_QUOTED,
	YDOC_STYLE_DOUBLE_QUOTED,
	YDOC_STYLE_LITERAL, /* | block */
	YDOC_STYLE_FOLDED,  /* > block */
};

struct ynode {
	uint8_t kind;	     /* enum ynode_kind */
	uint8_t style;	     /* enum ydoc_style, scalars */
	bool null;	     /* plain "", "~", "null": no value */
	uint32_t line, col;  /* 1-based start */
	uint32_t start, end; /* byte range in the source */
	uint32_t n;	     /* scalar: bytes; seq: items; map: key/value pairs */
	uint64_t weight;     /* nodes in the subtree, aliased subtrees included */
	union {
		char *str;	     /* scalar, NUL-terminated, no NUL inside */
		struct ynode **kids; /* seq: n items; map: 2n (key, value, ...) */
	} u;
};

struct ydoc_arena_chunk;
struct ydoc_arena {
	struct ydoc_arena_chunk *head;
};

struct ydoc {
	struct ynode **docs; /* root of each YAML document (never NULL) */
	size_t ndocs;
	struct ydoc_arena arena; /* every node, freed at once */
};

/* Parse buf with libyaml into trees. Syntax errors, limits, duplicate
 * keys, non-string keys and unknown aliases are reported through dc;
 * returns 0 if none, -1 otherwise (doc is freed then). */
int ydoc_parse(const char *buf, size_t len, struct vigil_dctx *dc, struct ydoc *doc);
void ydoc_free(struct ydoc *doc);

/* Map lookup: the value for key (NULL if absent); *keynode gets the key. */
const struct ynode *ymap_get(const struct ynode *map, const char *key,
			     const struct ynode **keynode);

/* The whole regular file `path`, at most `max` bytes, read to EOF (it may
 * change size meanwhile); NUL not appended. Errors go to dc as
 * "cannot open <what>: ...". Returns a malloc'd buffer, or NULL. */
char *ydoc_read_file(const char *path, const char *what, size_t max, size_t *len,
		     struct vigil_dctx *dc);

#endif
