/*
 * cond_parser.h — state and helpers shared by the parser's files
 * (cond_parse.c: expressions; cond_values.c: fields and operands;
 * cond_perr.c: errors). Internal to agent/rules/cond_*.c.
 *
 * Convention: a function that fails records the error in the parser
 * (the first one wins, later ones are its consequences) and returns
 * NULL/false; the caller frees what it owns and passes the failure up.
 */
#ifndef VIGIL_RULES_COND_PARSER_H
#define VIGIL_RULES_COND_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/cond_ast.h"
#include "rules/cond_lex.h"

struct parser {
	struct lexer lx;
	struct cond_error *err;
	unsigned depth; /* current nesting of '(' , 'not' and lists */
	bool failed;
};

/* ---- errors (cond_perr.c) ---- */

/* "<what> at L:C[: <detail>]" into p->err, unless an error is already set. */
void cond_fail(struct parser *p, struct cond_pos at, const char *what, const char *detail);
void cond_fail_oom(struct parser *p);
/* "unexpected token 'x'" / "unexpected end of condition" / "unterminated string", then `expected`. */
void cond_fail_unexpected(struct parser *p, const struct token *t, const char *expected);
/* A '(' never closed, reported at the '('. */
void cond_fail_unclosed(struct parser *p, struct cond_pos open);
/* Falco's tolower(f), val(f) ...: an error that says they are not supported. */
void cond_fail_transformer(struct parser *p, const struct token *t);
bool cond_is_transformer_call(const struct lexer *lx, const struct token *t);
/* Source text fit for a message: at most 40 bytes, control bytes as \xNN. */
void cond_show(const char *s, size_t n, char *out, size_t outlen);

/* Enter one nesting level at `at`; false (and an error) past COND_MAX_DEPTH. */
bool cond_depth_push(struct parser *p, struct cond_pos at);
void cond_depth_pop(struct parser *p);

/* NUL-terminated copy of n bytes. */
char *cond_dup_text(struct parser *p, const char *s, size_t n);
/* The text of a quoted token with its escapes resolved. */
bool cond_unquote(struct parser *p, const struct token *t, char **out, size_t *outlen);

/* ---- fields and operands (cond_values.c) ---- */

/* name ('[' arg ']')?, starting at the field-name token `name`. */
bool cond_parse_field(struct parser *p, const struct token *name, struct cond_field *f);
/* The operand after = != contains ... regex: a quoted or bare value. */
bool cond_parse_scalar(struct parser *p, const char *opname, struct cond_value *v);
/* The operand after < <= > >=: a number. */
bool cond_parse_number(struct parser *p, const char *opname, struct cond_value *v);
/* The operand after in / intersects / pmatch: a list or a list name. */
bool cond_parse_list_operand(struct parser *p, const char *opname, struct cond_value *v);

#endif
