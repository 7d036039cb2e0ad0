/* cond_perr.c — the parser's shared helpers: error messages, nesting, copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_parser.h"

void cond_fail(struct parser *p, struct cond_pos at, const char *what, const char *detail)
{
	struct cond_error *e = p->err;
	if (p->failed)
		return;
	p->failed = true;
	e->line = at.line;
	e->col = at.col;
	e->off = at.off;
	if (detail) {
		snprintf(e->msg, sizeof(e->msg), "%.120s at %u:%u: %.120s", what, at.line, at.col,
			 detail);
		snprintf(e->reason, sizeof(e->reason), "%.120s: %.120s", what, detail);
	} else {
		snprintf(e->msg, sizeof(e->msg), "%.120s at %u:%u", what, at.line, at.col);
		snprintf(e->reason, sizeof(e->reason), "%.120s", what);
	}
}

void cond_fail_oom(struct parser *p)
{
	cond_fail(p, p->lx.pos, "out of memory", NULL);
}

/* Source text for a message: at most 40 bytes, control bytes as \xNN. */
void cond_show(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n && i < 40 && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (n > 40 && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* "unexpected token 'x'" or "unexpected end of condition", then what was expected. */
void cond_fail_unexpected(struct parser *p, const struct token *t, const char *expected)
{
	char what[128], tok[64];
	if (t->kind == TOK_END) {
		cond_fail(p, t->pos, "unexpected end of condition", expected);
		return;
	}
	if (t->kind == TOK_UNTERMINATED) {
		cond_fail(p, t->pos, "unterminated string",
			  t->text[0] == '"' ? "missing closing '\"'" : "missing closing \"'\"");
		return;
	}
	cond_show(t->text, t->len, tok, sizeof(tok));
	snprintf(what, sizeof(what), "unexpected token '%s'", tok);
	cond_fail(p, t->pos, what, expected);
}

bool cond_depth_push(struct parser *p, struct cond_pos at)
{
	if (p->depth >= COND_MAX_DEPTH) {
		char detail[80];
		snprintf(detail, sizeof(detail), "more than %d levels of '(' and 'not'",
			 COND_MAX_DEPTH);
		cond_fail(p, at, "nesting too deep", detail);
		return false;
	}
	p->depth++;
	return true;
}

void cond_depth_pop(struct parser *p)
{
	p->depth--;
}

char *cond_dup_text(struct parser *p, const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d) {
		cond_fail_oom(p);
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* The text of a quoted token, escapes resolved. */
bool cond_unquote(struct parser *p, const struct token *t, char **out, size_t *outlen)
{
	struct cond_pos at;
	char why[96];
	int rc = cond_lex_unquote(t, out, outlen, &at, why, sizeof(why));
	if (rc == -1)
		cond_fail(p, at, why, NULL);
	else if (rc == -2)
		cond_fail_oom(p);
	return rc == 0;
}

/* Falco's field transformers (tolower(proc.name)) and field references
 * (val(proc.pname)) are not supported: say so instead of a syntax error. */
bool cond_is_transformer_call(const struct lexer *lx, const struct token *t)
{
	static const char *const names[] = {"tolower", "toupper", "b64", "basename",
					    "len",     "join",	  "val"};
	size_t after = t->pos.off + t->len;
	if (after >= lx->len || lx->src[after] != '(')
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (t->len == strlen(names[i]) && memcmp(t->text, names[i], t->len) == 0)
			return true;
	return false;
}

void cond_fail_transformer(struct parser *p, const struct token *t)
{
	char what[128], name[64];
	cond_show(t->text, t->len, name, sizeof(name));
	snprintf(what, sizeof(what), "unsupported field transformer '%s()'", name);
	cond_fail(p, t->pos, what, "fields are compared as extracted");
}

void cond_fail_unclosed(struct parser *p, struct cond_pos open)
{
	cond_fail(p, open, "unclosed '('", "expected ')' before end of condition");
}
