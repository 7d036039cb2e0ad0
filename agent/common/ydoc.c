/* ydoc.c — libyaml events to a small document tree, with limits.
 *
 * libyaml's parser is event based; this file turns the events of one YAML
 * file (a rules file, vigil.yaml) into trees of scalars, sequences and mappings (allocated in one
 * arena) so that items can be checked key by key. Untrusted input is
 * bounded: scalar size, nesting depth, and the node count with every alias
 * counted as a full copy of what it names (so "billion laughs" documents
 * stop early). Aliases share the anchored node; an anchor is usable only
 * once its node is complete, so no alias can form a cycle.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "vigil/strmap.h"
#include "vigil/ydoc.h"

/* ---- a bump allocator: the nodes of one document, freed at once ---- */

struct ydoc_arena_chunk {
	struct ydoc_arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (64u << 10)

static void *arena_alloc(struct ydoc_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct ydoc_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

static void arena_free(struct ydoc_arena *a)
{
	struct ydoc_arena_chunk *c = a->head;
	while (c) {
		struct ydoc_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

struct frame {
	struct ynode *node; /* NULL for the document frame */
	struct ynode **kids;
	size_t nkids, cap;
	char *anchor; /* libyaml-owned copy, freed with the frame */
};

struct builder {
	const unsigned char *buf;
	size_t len;
	size_t chr, byte; /* char index -> byte offset cursor */
	struct vigil_dctx *dc;
	struct ydoc *doc;
	struct frame stack[YDOC_MAX_DEPTH + 2];
	size_t depth;
	struct vigil_strmap anchors; /* name -> index in anchor_nodes */
	struct ynode **anchor_nodes;
	char **anchor_names;
	size_t nanchors, anchors_cap;
	size_t docs_cap;
	bool failed; /* an error that stops the parse */
	bool dup;    /* duplicate keys seen (parse goes on to find more) */
};

static size_t u8len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 1;
}

/* libyaml marks count characters; the source is UTF-8 bytes. */
static uint32_t to_byte(struct builder *b, size_t chr)
{
	while (b->chr > chr && b->byte > 0) { /* step back over one UTF-8 char */
		b->byte--;
		while (b->byte > 0 && (b->buf[b->byte] & 0xc0) == 0x80)
			b->byte--;
		b->chr--;
	}
	while (b->chr < chr && b->byte < b->len) {
		b->byte += u8len(b->buf[b->byte]);
		b->chr++;
	}
	if (b->byte > b->len)
		b->byte = b->len;
	return (uint32_t)b->byte;
}

static void fail(struct builder *b, const yaml_mark_t *m, const char *msg)
{
	vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, (uint32_t)m->line + 1, (uint32_t)m->column + 1,
		       NULL, "%s", msg);
	b->failed = true;
}

static void fail_oom(struct builder *b)
{
	vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "out of memory");
	b->failed = true;
}

static struct ynode *new_node(struct builder *b, enum ynode_kind kind, const yaml_mark_t *start)
{
	struct ynode *n = arena_alloc(&b->doc->arena, sizeof(*n));
	if (!n) {
		fail_oom(b);
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->line = (uint32_t)start->line + 1;
	n->col = (uint32_t)start->column + 1;
	n->start = to_byte(b, start->index);
	n->weight = 1;
	return n;
}

static int remember_anchor(struct builder *b, const char *name, struct ynode *n)
{
	size_t idx;
	if (vigil_strmap_get(&b->anchors, name, &idx) == 0) {
		b->anchor_nodes[idx] = n; /* YAML lets a later anchor reuse a name */
		return 0;
	}
	if (b->nanchors == b->anchors_cap) {
		size_t cap = b->anchors_cap ? b->anchors_cap * 2 : 16;
		struct ynode **nodes = realloc(b->anchor_nodes, cap * sizeof(*nodes));
		if (!nodes)
			return -1;
		b->anchor_nodes = nodes;
		char **names = realloc(b->anchor_names, cap * sizeof(*names));
		if (!names)
			return -1;
		b->anchor_names = names;
		b->anchors_cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -1;
	b->anchor_names[b->nanchors] = copy;
	b->anchor_nodes[b->nanchors] = n;
	if (vigil_strmap_put(&b->anchors, copy, b->nanchors) != 0) {
		free(copy);
		return -1;
	}
	b->nanchors++;
	return 0;
}

/* Give a finished node to the enclosing frame. */
static void attach(struct builder *b, struct ynode *n, const yaml_mark_t *at)
{
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node && f->node->kind == YN_MAP && f->nkids % 2 == 0 && n->kind != YN_SCALAR) {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, n->line, n->col, NULL,
			       "mapping keys must be strings");
		b->failed = true;
		return;
	}
	if (!f->node && f->nkids == 1) {
		fail(b, at, "internal error: two roots in a document");
		return;
	}
	if (f->nkids == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct ynode **k = realloc(f->kids, cap * sizeof(*k));
		if (!k) {
			fail_oom(b);
			return;
		}
		f->kids = k;
		f->cap = cap;
	}
	f->kids[f->nkids++] = n;
}

static bool push_frame(struct builder *b, struct ynode *n, const yaml_char_t *anchor,
		       const yaml_mark_t *at)
{
	if (b->depth >= YDOC_MAX_DEPTH + 1) {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, (uint32_t)at->line + 1,
			       (uint32_t)at->column + 1, NULL, "nesting deeper than %d levels",
			       YDOC_MAX_DEPTH);
		b->failed = true;
		return false;
	}
	struct frame *f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	if (anchor) {
		f->anchor = strdup((const char *)anchor);
		if (!f->anchor) {
			fail_oom(b);
			return false;
		}
	}
	return true;
}

static void free_frame(struct frame *f)
{
	free(f->kids);
	free(f->anchor);
	memset(f, 0, sizeof(*f));
}

static void check_duplicates(struct builder *b, struct ynode *map)
{
	size_t n = map->n;
	struct ynode **k = map->u.kids;
	struct vigil_strmap seen = {0};
	for (size_t i = 0; i < n; i++) {
		const struct ynode *key = k[2 * i];
		const struct ynode *first = NULL;
		if (n <= 16) {
			for (size_t j = 0; j < i && !first; j++)
				if (strcmp(k[2 * j]->u.str, key->u.str) == 0)
					first = k[2 * j];
		} else {
			size_t idx;
			if (vigil_strmap_get(&seen, key->u.str, &idx) == 0)
				first = k[2 * idx];
			else if (vigil_strmap_put(&seen, key->u.str, i) != 0) {
				fail_oom(b);
				break;
			}
		}
		if (first) {
			vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, key->line, key->col, NULL,
				       "duplicate key '%.200s' (first at line %u, column %u)",
				       key->u.str, first->line, first->col);
			b->dup = true;
		}
	}
	vigil_strmap_free(&seen);
}

static void end_container(struct builder *b, const yaml_event_t *ev)
{
	struct frame *f = &b->stack[b->depth - 1];
	struct ynode *n = f->node;
	uint64_t w = 1;
	for (size_t i = 0; i < f->nkids; i++)
		w += f->kids[i]->weight;
	if (w > YDOC_MAX_NODES) {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, n->line, n->col, NULL,
			       "document too large: more than %u nodes (aliases count in full)",
			       YDOC_MAX_NODES);
		b->failed = true;
		return;
	}
	n->weight = w;
	n->end = to_byte(b, ev->end_mark.index);
	if (f->nkids) {
		n->u.kids = arena_alloc(&b->doc->arena, f->nkids * sizeof(*n->u.kids));
		if (!n->u.kids) {
			fail_oom(b);
			return;
		}
		memcpy(n->u.kids, f->kids, f->nkids * sizeof(*n->u.kids));
	}
	n->n = (uint32_t)(n->kind == YN_MAP ? f->nkids / 2 : f->nkids);
	if (n->kind == YN_MAP)
		check_duplicates(b, n);
	char *anchor = f->anchor;
	f->anchor = NULL;
	free_frame(f);
	b->depth--;
	if (anchor && remember_anchor(b, anchor, n) != 0)
		fail_oom(b);
	free(anchor);
	if (!b->failed)
		attach(b, n, &ev->start_mark);
}

static bool is_null_plain(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static void on_scalar(struct builder *b, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length;
	if (len > YDOC_MAX_SCALAR_BYTES) {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, (uint32_t)ev->start_mark.line + 1,
			       (uint32_t)ev->start_mark.column + 1, NULL,
			       "string longer than %u bytes", YDOC_MAX_SCALAR_BYTES);
		b->failed = true;
		return;
	}
	if (memchr(ev->data.scalar.value, '\0', len)) {
		fail(b, &ev->start_mark, "string contains a NUL character");
		return;
	}
	struct ynode *n = new_node(b, YN_SCALAR, &ev->start_mark);
	if (!n)
		return;
	n->u.str = arena_alloc(&b->doc->arena, len + 1);
	if (!n->u.str) {
		fail_oom(b);
		return;
	}
	memcpy(n->u.str, ev->data.scalar.value, len);
	n->u.str[len] = '\0';
	n->n = (uint32_t)len;
	n->end = to_byte(b, ev->end_mark.index);
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YDOC_STYLE_SINGLE_QUOTED; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YDOC_STYLE_DOUBLE_QUOTED; break;
	case YAML_LITERAL_SCALAR_STYLE: n->style = YDOC_STYLE_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n->style = YDOC_STYLE_FOLDED; break;
	default: n->style = YDOC_STYLE_PLAIN; break;
	}
	n->null = n->style == YDOC_STYLE_PLAIN && is_null_plain(n->u.str);
	if (ev->data.scalar.anchor &&
	    remember_anchor(b, (const char *)ev->data.scalar.anchor, n) != 0) {
		fail_oom(b);
		return;
	}
	attach(b, n, &ev->start_mark);
}

static void on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t idx;
	if (vigil_strmap_get(&b->anchors, name, &idx) != 0) {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, (uint32_t)ev->start_mark.line + 1,
			       (uint32_t)ev->start_mark.column + 1, NULL, "unknown alias '*%.200s'",
			       name);
		b->failed = true;
		return;
	}
	attach(b, b->anchor_nodes[idx], &ev->start_mark);
}

static void on_document_end(struct builder *b)
{
	struct frame *f = &b->stack[b->depth - 1];
	struct ynode *root = f->nkids ? f->kids[0] : NULL;
	free_frame(f);
	b->depth--;
	if (!root)
		return;
	struct ydoc *d = b->doc;
	if (d->ndocs == b->docs_cap) {
		size_t cap = b->docs_cap ? b->docs_cap * 2 : 4;
		struct ynode **v = realloc(d->docs, cap * sizeof(*v));
		if (!v) {
			fail_oom(b);
			return;
		}
		d->docs = v;
		b->docs_cap = cap;
	}
	d->docs[d->ndocs++] = root;
}

/* Report libyaml's own error with the best position it gives. */
static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	if (p->error == YAML_MEMORY_ERROR) {
		fail_oom(b);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* problem_offset is a byte offset: find its line and column */
		uint32_t line = 1, col = 1;
		size_t end = p->problem_offset < b->len ? p->problem_offset : b->len;
		for (size_t i = 0; i < end; i++) {
			if (b->buf[i] == '\n') {
				line++;
				col = 1;
			} else if ((b->buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, line, col, NULL, "YAML syntax error: %s",
			       problem);
	} else if (p->context) {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, (uint32_t)p->problem_mark.line + 1,
			       (uint32_t)p->problem_mark.column + 1, NULL,
			       "YAML syntax error: %s (%s at line %zu, column %zu)", problem,
			       p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	} else {
		vigil_dctx_add(b->dc, VIGIL_DIAG_ERROR, (uint32_t)p->problem_mark.line + 1,
			       (uint32_t)p->problem_mark.column + 1, NULL, "YAML syntax error: %s",
			       problem);
	}
	b->failed = true;
}

static void on_event(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT: push_frame(b, NULL, NULL, &ev->start_mark); break;
	case YAML_DOCUMENT_END_EVENT: on_document_end(b); break;
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(b, YN_SEQ, &ev->start_mark);
		if (n)
			push_frame(b, n, ev->data.sequence_start.anchor, &ev->start_mark);
		break;
	case YAML_MAPPING_START_EVENT:
		n = new_node(b, YN_MAP, &ev->start_mark);
		if (n)
			push_frame(b, n, ev->data.mapping_start.anchor, &ev->start_mark);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: end_container(b, ev); break;
	case YAML_SCALAR_EVENT: on_scalar(b, ev); break;
	case YAML_ALIAS_EVENT: on_alias(b, ev); break;
	default: break;
	}
}

int ydoc_parse(const char *buf, size_t len, struct vigil_dctx *dc, struct ydoc *doc)
{
	memset(doc, 0, sizeof(*doc));
	struct builder *b = calloc(1, sizeof(*b));
	if (!b) {
		vigil_dctx_add(dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "out of memory");
		return -1;
	}
	b->buf = (const unsigned char *)buf;
	b->len = len;
	b->dc = dc;
	b->doc = doc;

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		free(b);
		vigil_dctx_add(dc, VIGIL_DIAG_ERROR, 0, 0, NULL, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

	bool done = false;
	while (!done && !b->failed) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(b, &p);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		on_event(b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);

	while (b->depth)
		free_frame(&b->stack[--b->depth]);
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchor_names[i]);
	free(b->anchor_names);
	free(b->anchor_nodes);
	vigil_strmap_free(&b->anchors);
	bool bad = b->failed || b->dup;
	free(b);
	if (bad) {
		ydoc_free(doc);
		return -1;
	}
	return 0;
}

void ydoc_free(struct ydoc *doc)
{
	free(doc->docs);
	arena_free(&doc->arena);
	memset(doc, 0, sizeof(*doc));
}

const struct ynode *ymap_get(const struct ynode *map, const char *key, const struct ynode **keynode)
{
	for (uint32_t i = 0; i < map->n; i++) {
		if (strcmp(map->u.kids[2 * i]->u.str, key) == 0) {
			if (keynode)
				*keynode = map->u.kids[2 * i];
			return map->u.kids[2 * i + 1];
		}
	}
	return NULL;
}
