/*
 * cond_lex.h — tokens of Falco's condition language (internal to cond_*.c).
 *
 * The language needs two scanners: in an expression, `<` is an operator and
 * `proc.name` a field; after an operator, `<` and `/etc/passwd` are bare
 * values (evt.dir = <). So the parser asks for the next token in the mode
 * that fits where it is. Peeking skips blanks but consumes nothing else.
 */
#ifndef VIGIL_RULES_COND_LEX_H
#define VIGIL_RULES_COND_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/cond_ast.h"

enum tok_kind {
	TOK_END,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_OP,	  /* expression mode: = == != < <= > >= */
	TOK_WORD, /* expression mode: [A-Za-z0-9_.]+ (keyword, identifier, field, operator word) */
	TOK_STRING,	  /* a quoted string, quotes included */
	TOK_BARE,	  /* value mode: a run of anything but blanks ( ) , = " ' NUL */
	TOK_UNTERMINATED, /* a quote with no closing quote before the end */
	TOK_BAD,	  /* anything else: a run of non-blank, non-delimiter bytes */
};

struct token {
	enum tok_kind kind;
	struct cond_pos pos; /* of the first byte; for TOK_END, just after the last token */
	const char *text;    /* into the source */
	size_t len;
};

struct lexer {
	const char *src;
	size_t len;
	struct cond_pos pos;	  /* next byte to read */
	struct cond_pos last_end; /* just after the last consumed token */
};

void cond_lex_init(struct lexer *lx, const char *src, size_t len);

/* Next token in expression / value mode (blanks skipped, token not consumed). */
struct token cond_lex_peek_expr(struct lexer *lx);
struct token cond_lex_peek_value(struct lexer *lx);

/* Move past t, which must be the token just peeked. */
void cond_lex_consume(struct lexer *lx, const struct token *t);

/* The byte right at the read position (no blank skipping) is c. */
bool cond_lex_at(const struct lexer *lx, char c);

/* Consume exactly one byte (used for '[' and ']', which must touch their field). */
void cond_lex_skip_byte(struct lexer *lx);

/* The argument of a field, right after '[': a quoted string or a run of
 * anything but blanks [ ] " ' (possibly empty: TOK_BARE of length 0). */
struct token cond_lex_field_arg(struct lexer *lx);

/* Token classes. */
bool cond_lex_is_identifier(const char *s, size_t n); /* [A-Za-z][A-Za-z0-9_]* */
bool cond_lex_is_field_name(const char *s, size_t n); /* identifier ('.' identifier)+ */
bool cond_lex_is_number(const char *s, size_t n); /* Falco: [+-]?D+(.D*)?([eE][+-]D+)? or 0xH+ */
bool cond_lex_word_is(const struct token *t, const char *kw);

/*
 * Resolve the escapes of quoted token t into a new NUL-terminated string.
 * Returns 0; -1 on a bad escape or a NUL byte, with `why` describing it and
 * *at pointing at it; -2 when out of memory.
 */
int cond_lex_unquote(const struct token *t, char **out, size_t *outlen, struct cond_pos *at,
		     char *why, size_t whylen);

#endif
