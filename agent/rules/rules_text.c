/* rules_text.c — conditions and outputs as text with a map back to the file.
 *
 * A YAML scalar's value differs from its bytes in the file: quotes and
 * escapes go, line breaks fold into spaces, block indentation is stripped.
 * To point at a token inside a condition, the value is walked alongside
 * the raw bytes once (both only move forward, so this is linear): each
 * value character is matched to the raw character it came from, and a new
 * segment starts wherever the value stops following the file one column
 * at a time (a new line, a skipped escape or indentation).
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_internal.h"
#include "vigil/textutil.h"

struct segvec {
	struct rules_text_seg *v;
	size_t n, cap;
	bool oom;
};

static void seg_add(struct segvec *s, size_t off, const char *file, uint32_t line, uint32_t col)
{
	if (s->oom)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct rules_text_seg *v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].off = off;
	s->v[s->n].pos.file = file;
	s->v[s->n].pos.line = line;
	s->v[s->n].pos.col = col;
	s->n++;
}

static size_t utf8_bytes(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* A double-quoted escape at s[0] == '\\': how many raw bytes it takes and
 * how many value bytes it makes (0 for an escaped line break). */
static void escape_len(const char *s, size_t n, size_t *raw, size_t *val)
{
	*raw = n < 2 ? n : 2;
	*val = 1;
	if (n < 2)
		return;
	size_t digits = 0;
	switch (s[1]) {
	case '\r':
		*raw = (n > 2 && s[2] == '\n') ? 3 : 2;
		*val = 0;
		return;
	case '\n': *val = 0; return;
	case 'N':
	case '_': *val = 2; return;
	case 'L':
	case 'P': *val = 3; return;
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: return;
	}
	uint32_t cp = 0;
	for (size_t i = 0; i < digits && 2 + i < n; i++) {
		int h = vigil_hexval(s[2 + i]);
		if (h < 0)
			return;
		cp = cp * 16 + (uint32_t)h;
	}
	*raw = 2 + digits <= n ? 2 + digits : n;
	*val = utf8_bytes(cp);
}

struct walk {
	const char *buf;
	size_t p, end;
	uint32_t line, col;
};

/* Step over one raw byte, keeping line and column (columns count chars). */
static void raw_step(struct walk *w)
{
	unsigned char c = (unsigned char)w->buf[w->p++];
	if (c == '\n') {
		w->line++;
		w->col = 1;
	} else if (c == '\r') {
		if (w->p >= w->end || w->buf[w->p] != '\n') {
			w->line++;
			w->col = 1;
		}
	} else if ((c & 0xc0) != 0x80) {
		w->col++;
	}
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Map value bytes to raw bytes; see the file comment. */
static void build_segments(struct segvec *s, const char *val, size_t vlen, const struct ynode *n,
			   const char *buf, size_t len, const char *file)
{
	struct walk w = {buf, n->start, n->end < len ? n->end : len, n->line, n->col};
	if (n->style == YDOC_STYLE_SINGLE_QUOTED || n->style == YDOC_STYLE_DOUBLE_QUOTED) {
		if (w.p < w.end)
			raw_step(&w);
	} else if (n->style == YDOC_STYLE_LITERAL || n->style == YDOC_STYLE_FOLDED) {
		while (w.p < w.end && buf[w.p] != '\n' && buf[w.p] != '\r')
			raw_step(&w);
	}
	size_t i = 0, vchars = 0;
	uint32_t seg_line = 0, seg_col = 0;
#define MAP_HERE()                                                              \
	do {                                                                    \
		if (!s->n || w.line != seg_line || w.col != seg_col + vchars) { \
			seg_add(s, i, file, w.line, w.col);                     \
			seg_line = w.line;                                      \
			seg_col = w.col;                                        \
			vchars = 0;                                             \
		}                                                               \
		vchars++;                                                       \
	} while (0)
	while (i < vlen && w.p < w.end) {
		char v = val[i], r = buf[w.p];
		if (n->style == YDOC_STYLE_DOUBLE_QUOTED && r == '\\') {
			size_t rl, vl;
			escape_len(buf + w.p, w.end - w.p, &rl, &vl);
			if (vl)
				MAP_HERE();
			i += vl;
			for (size_t k = 0; k < rl; k++)
				raw_step(&w);
			continue;
		}
		if (n->style == YDOC_STYLE_SINGLE_QUOTED && r == '\'' && v == '\'' &&
		    w.p + 1 < w.end && buf[w.p + 1] == '\'') {
			MAP_HERE();
			i++;
			raw_step(&w);
			raw_step(&w);
			continue;
		}
		if (v == r) {
			if (((unsigned char)v & 0xc0) != 0x80)
				MAP_HERE();
			i++;
			raw_step(&w);
		} else if (is_ws(r)) {
			raw_step(&w); /* indentation, or a break folded away */
		} else if (is_ws(v)) {
			MAP_HERE(); /* a break folded into a space */
			i++;
		} else {
			raw_step(&w); /* not expected in well-formed input */
		}
	}
#undef MAP_HERE
	if (!s->n)
		seg_add(s, 0, file, n->line, n->col);
}

int rules_text_from_node(struct rules_text *t, const struct ynode *n, const char *buf, size_t len,
			 const char *file)
{
	memset(t, 0, sizeof(*t));
	t->str = malloc((size_t)n->n + 1);
	if (!t->str)
		return -1;
	memcpy(t->str, n->u.str, n->n);
	t->str[n->n] = '\0';
	t->len = n->n;
	t->style = (enum ydoc_style)n->style;
	struct segvec s = {0};
	build_segments(&s, t->str, t->len, n, buf, len, file);
	if (s.oom) {
		free(s.v);
		free(t->str);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	t->segs = s.v;
	t->nsegs = s.n;
	t->pos = s.v[0].pos;
	return 0;
}

bool rules_text_locate(const struct rules_text *t, size_t off, struct vigil_pos *out)
{
	if (!t->nsegs)
		return false;
	if (off > t->len)
		off = t->len;
	size_t lo = 0, hi = t->nsegs; /* last seg with seg.off <= off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->segs[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	const struct rules_text_seg *sg = &t->segs[lo];
	uint32_t chars = 0;
	for (size_t k = sg->off; k < off; k++)
		if (((unsigned char)t->str[k] & 0xc0) != 0x80)
			chars++;
	*out = sg->pos;
	out->col += chars;
	return true;
}

int rules_text_append(struct rules_text *t, const struct rules_text *add)
{
	size_t len = t->len + 1 + add->len;
	char *str = rules_grow(t->str, len + 1);
	if (!str)
		return -1;
	t->str = str;
	struct rules_text_seg *segs =
		rules_grow(t->segs, (t->nsegs + add->nsegs + 1) * sizeof(*segs));
	if (!segs) {
		t->str[t->len] = '\0';
		return -1;
	}
	t->segs = segs;
	str[t->len] = ' ';
	memcpy(str + t->len + 1, add->str, add->len);
	str[len] = '\0';
	for (size_t k = 0; k < add->nsegs; k++) {
		segs[t->nsegs] = add->segs[k];
		segs[t->nsegs++].off += t->len + 1;
	}
	t->len = len;
	return 0;
}

void rules_text_trim(struct rules_text *t)
{
	size_t lead = 0, end = t->len;
	while (lead < end && is_ws(t->str[lead]))
		lead++;
	while (end > lead && is_ws(t->str[end - 1]))
		end--;
	if (lead && t->nsegs) {
		struct vigil_pos p0;
		rules_text_locate(t, lead, &p0);
		size_t k = 0;
		while (k < t->nsegs && t->segs[k].off <= lead)
			k++;
		t->segs[0].off = 0;
		t->segs[0].pos = p0;
		size_t out = 1;
		for (; k < t->nsegs; k++) {
			t->segs[out] = t->segs[k];
			t->segs[out++].off -= lead;
		}
		t->nsegs = out;
		t->pos = p0;
	}
	memmove(t->str, t->str + lead, end - lead);
	t->len = end - lead;
	t->str[t->len] = '\0';
	size_t out = t->nsegs ? 1 : 0;
	for (size_t k = 1; k < t->nsegs; k++)
		if (t->segs[k].off < t->len)
			t->segs[out++] = t->segs[k];
	t->nsegs = out;
}

int rules_text_copy(struct rules_text *dst, const struct rules_text *src)
{
	*dst = *src;
	dst->str = NULL;
	dst->segs = NULL;
	if (src->str) {
		dst->str = malloc(src->len + 1);
		if (!dst->str)
			goto oom;
		memcpy(dst->str, src->str, src->len + 1);
	}
	if (src->nsegs) {
		dst->segs = malloc(src->nsegs * sizeof(*dst->segs));
		if (!dst->segs)
			goto oom;
		memcpy(dst->segs, src->segs, src->nsegs * sizeof(*dst->segs));
	}
	return 0;
oom:
	free(dst->str);
	memset(dst, 0, sizeof(*dst));
	return -1;
}

void rules_text_clear(struct rules_text *t)
{
	free(t->str);
	free(t->segs);
	memset(t, 0, sizeof(*t));
}
