/* cond_lex.c — scanning Falco conditions: tokens, positions, string escapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_lex.h"

/* Falco's blanks, \b included (its parser skips it too). */
static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\b';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_xdigit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_word(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.';
}

static bool ends_word(unsigned char c)
{
	return !is_word(c);
}

/* Ends a bare value: Falco's bare strings exclude blanks ( ) , = and quotes.
 * NUL is excluded too, so no value ever holds one. */
static bool ends_bare(unsigned char c)
{
	return is_blank(c) || c == '(' || c == ')' || c == ',' || c == '=' || c == '"' ||
	       c == '\'' || c == '\0';
}

/* Ends the junk token reported in "unexpected token '...'" messages. */
static bool ends_bad(unsigned char c)
{
	return is_blank(c) || c == '(' || c == ')' || c == ',' || c == '"' || c == '\'' ||
	       c == '\0';
}

/* Ends an unquoted field argument: proc.env[HOME], container.mount.dest[/proc*]. */
static bool ends_field_arg(unsigned char c)
{
	return is_blank(c) || c == '[' || c == ']' || c == '"' || c == '\'' || c == '\0';
}

void cond_lex_init(struct lexer *lx, const char *src, size_t len)
{
	lx->src = src;
	lx->len = len;
	lx->pos = (struct cond_pos){.line = 1, .col = 1, .off = 0};
	lx->last_end = lx->pos;
}

/* Advance p over src[p->off .. to), counting lines and characters. */
static void cond_lex_advance(const char *src, size_t len, struct cond_pos *p, size_t to)
{
	for (size_t i = p->off; i < to; i++) {
		unsigned char c = (unsigned char)src[i];
		/* \r\n is one line break: the \n counts it. */
		if (c == '\n' || (c == '\r' && !(i + 1 < len && src[i + 1] == '\n'))) {
			p->line++;
			p->col = 1;
		} else if (c != '\r' && (c & 0xC0) != 0x80) {
			/* UTF-8 continuation bytes do not start a character. */
			p->col++;
		}
	}
	p->off = to;
}

static void skip_blanks(struct lexer *lx)
{
	size_t i = lx->pos.off;
	while (i < lx->len && is_blank((unsigned char)lx->src[i]))
		i++;
	cond_lex_advance(lx->src, lx->len, &lx->pos, i);
}

/* Length of the run starting at off whose bytes do not satisfy stop(). */
static size_t run_len(const struct lexer *lx, size_t off, bool (*stop)(unsigned char))
{
	size_t i = off;
	while (i < lx->len && !stop((unsigned char)lx->src[i]))
		i++;
	return i - off;
}

/* A quoted string from its opening quote: a backslash always takes the next
 * byte with it, so \" never closes a "-string. */
static struct token scan_string(const struct lexer *lx, struct token t)
{
	char q = lx->src[t.pos.off];
	size_t i = t.pos.off + 1;
	while (i < lx->len) {
		if (lx->src[i] == '\\') {
			i += 2;
			continue;
		}
		if (lx->src[i] == q) {
			t.kind = TOK_STRING;
			t.len = i + 1 - t.pos.off;
			return t;
		}
		i++;
	}
	t.kind = TOK_UNTERMINATED;
	t.len = lx->len - t.pos.off;
	return t;
}

/* The token at the read position, if it is one both modes share. */
static bool common_token(const struct lexer *lx, struct token *t)
{
	t->text = lx->src + lx->pos.off;
	t->pos = lx->pos;
	t->len = 1;
	if (lx->pos.off >= lx->len) {
		t->kind = TOK_END;
		t->pos = lx->last_end;
		t->len = 0;
		return true;
	}
	switch (lx->src[lx->pos.off]) {
	case '(': t->kind = TOK_LPAREN; return true;
	case ')': t->kind = TOK_RPAREN; return true;
	case ',': t->kind = TOK_COMMA; return true;
	case '"':
	case '\'': *t = scan_string(lx, *t); return true;
	default: return false;
	}
}

/* = == != < <= > >=, longest first. */
static size_t op_len(const struct lexer *lx, size_t off)
{
	char c = lx->src[off];
	bool eq_next = off + 1 < lx->len && lx->src[off + 1] == '=';
	if (c == '=' || c == '<' || c == '>')
		return eq_next ? 2 : 1;
	if (c == '!' && eq_next)
		return 2;
	return 0;
}

struct token cond_lex_peek_expr(struct lexer *lx)
{
	struct token t;
	skip_blanks(lx);
	if (common_token(lx, &t))
		return t;
	size_t off = lx->pos.off;
	size_t n = op_len(lx, off);
	if (n) {
		t.kind = TOK_OP;
		t.len = n;
	} else if (is_word((unsigned char)lx->src[off])) {
		t.kind = TOK_WORD;
		t.len = run_len(lx, off, ends_word);
	} else {
		t.kind = TOK_BAD;
		t.len = run_len(lx, off, ends_bad);
		if (t.len == 0)
			t.len = 1;
	}
	return t;
}

struct token cond_lex_peek_value(struct lexer *lx)
{
	struct token t;
	skip_blanks(lx);
	if (common_token(lx, &t))
		return t;
	t.len = run_len(lx, lx->pos.off, ends_bare);
	t.kind = TOK_BARE;
	if (t.len == 0) {
		/* '=' or NUL, which no value may hold */
		t.kind = TOK_BAD;
		t.len = 1;
	}
	return t;
}

struct token cond_lex_field_arg(struct lexer *lx)
{
	struct token t = {.kind = TOK_BARE, .pos = lx->pos, .text = lx->src + lx->pos.off};
	if (lx->pos.off < lx->len && (lx->src[lx->pos.off] == '"' || lx->src[lx->pos.off] == '\''))
		return scan_string(lx, t);
	t.len = run_len(lx, lx->pos.off, ends_field_arg);
	return t;
}

void cond_lex_consume(struct lexer *lx, const struct token *t)
{
	if (t->kind == TOK_END)
		return;
	cond_lex_advance(lx->src, lx->len, &lx->pos, t->pos.off + t->len);
	lx->last_end = lx->pos;
}

bool cond_lex_at(const struct lexer *lx, char c)
{
	return lx->pos.off < lx->len && lx->src[lx->pos.off] == c;
}

void cond_lex_skip_byte(struct lexer *lx)
{
	if (lx->pos.off < lx->len) {
		cond_lex_advance(lx->src, lx->len, &lx->pos, lx->pos.off + 1);
		lx->last_end = lx->pos;
	}
}

bool cond_lex_is_identifier(const char *s, size_t n)
{
	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_alpha(c) && !is_digit(c) && c != '_')
			return false;
	}
	return true;
}

bool cond_lex_is_field_name(const char *s, size_t n)
{
	size_t parts = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!cond_lex_is_identifier(s + start, i - start))
			return false;
		parts++;
		start = i + 1;
	}
	return parts >= 2;
}

static size_t digits(const char *s, size_t n, size_t i)
{
	size_t j = i;
	while (j < n && is_digit((unsigned char)s[j]))
		j++;
	return j - i;
}

bool cond_lex_is_number(const char *s, size_t n)
{
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (size_t i = 2; i < n; i++)
			if (!is_xdigit((unsigned char)s[i]))
				return false;
		return true;
	}
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	size_t d = digits(s, n, i);
	if (d == 0)
		return false;
	i += d;
	if (i < n && s[i] == '.')
		i += 1 + digits(s, n, i + 1);
	/* Falco's exponent needs its sign: 1e+3, not 1e3. */
	if (i + 1 < n && (s[i] == 'e' || s[i] == 'E') && (s[i + 1] == '+' || s[i + 1] == '-')) {
		d = digits(s, n, i + 2);
		if (d == 0)
			return false;
		i += 2 + d;
	}
	return i == n;
}

bool cond_lex_word_is(const struct token *t, const char *kw)
{
	size_t n = strlen(kw);
	return t->kind == TOK_WORD && t->len == n && memcmp(t->text, kw, n) == 0;
}

/* The byte an escape stands for, or -1 if Falco rejects the escape. */
static int unescape_byte(char e, char quote)
{
	switch (e) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case '\\':
	case '/': return e;
	case ' ':
		/* Falco reads "\ " as a backslash (kept for old rules written that
		 * way, e.g. upstream's `proc.args contains "\ "`); so do we. */
		return '\\';
	case '"':
	case '\'':
		/* Falco allows escaping only the quote that delimits the string. */
		return e == quote ? e : -1;
	default: return -1;
	}
}

/* Position of byte `off` of token t, counted from the token's start. */
static struct cond_pos pos_in_token(const struct token *t, size_t off)
{
	struct cond_pos p = t->pos;
	const char *base = t->text - t->pos.off;
	cond_lex_advance(base, t->pos.off + t->len, &p, t->pos.off + off);
	return p;
}

int cond_lex_unquote(const struct token *t, char **out, size_t *outlen, struct cond_pos *at,
		     char *why, size_t whylen)
{
	char quote = t->text[0];
	char *buf = malloc(t->len); /* the content is at most len - 2 bytes */
	if (!buf)
		return -2;
	size_t n = 0;
	for (size_t i = 1; i + 1 < t->len; i++) {
		char c = t->text[i];
		if (c == '\0') {
			*at = pos_in_token(t, i);
			snprintf(why, whylen, "NUL byte in a string");
			free(buf);
			return -1;
		}
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		/* A backslash in a string token is never its last content byte:
		 * the scanner took the byte after it along. */
		int b = unescape_byte(t->text[i + 1], quote);
		if (b < 0) {
			*at = pos_in_token(t, i);
			unsigned char e = (unsigned char)t->text[i + 1];
			if (e >= 0x21 && e < 0x7f)
				snprintf(why, whylen, "unsupported escape sequence '\\%c'",
					 (char)e);
			else
				snprintf(why, whylen,
					 "unsupported escape sequence: '\\' before byte 0x%02x", e);
			free(buf);
			return -1;
		}
		buf[n++] = (char)b;
		i++;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}
