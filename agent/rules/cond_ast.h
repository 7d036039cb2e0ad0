/*
 * cond_ast.h — Falco's condition language: syntax tree, parser, printer.
 *
 * cond_parse() turns the text of a `condition:` into a tree and nothing
 * more: macro names, list names and field names are kept as written, and
 * the rule compiler decides what they mean (a bare word inside a list may
 * name a list, a bare identifier is a macro reference, ...).
 *
 * Grammar (Falco's; `not` binds tighter than `and`, `and` than `or`, both
 * left associative; keywords are case-sensitive; blanks include newlines):
 *
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' expr ')' | field op value | field 'exists' | identifier
 *   field   := name ('.' name)+ ('[' (quoted | bare-arg)? ']')?
 *   value   := quoted | bare              after = == != contains ... regex
 *            | number                     after < <= > >=
 *            | '(' item (',' item)* ')'   after in intersects pmatch
 *            | identifier                 (a list name, same as '(' name ')')
 *   item    := quoted | bare | '(' item (',' item)* ')'
 *
 * Every node, field and value records where it starts in the text.
 */
#ifndef VIGIL_RULES_COND_AST_H
#define VIGIL_RULES_COND_AST_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting of '(' , 'not' and lists inside lists that cond_parse
 * accepts; the parser is recursive and must not be driven off the stack. */
#define COND_MAX_DEPTH 256

/* A point in the condition text. Lines and columns are 1-based; columns
 * count characters (UTF-8 sequences count once, a tab counts once), like
 * libyaml's marks. `off` is the 0-based byte offset, which is what a caller
 * maps back to a file position through YAML folding and quoting. */
struct cond_pos {
	unsigned line, col;
	size_t off;
};

enum cond_kind {
	COND_AND,   /* bin.left and bin.right */
	COND_OR,    /* bin.left or bin.right */
	COND_NOT,   /* not child */
	COND_GROUP, /* ( child ): kept so positions and the source shape survive */
	COND_CMP,   /* cmp.field cmp.op cmp.value */
	COND_UNARY, /* cmp.field cmp.op, no value (exists) */
	COND_MACRO, /* macro.name: a bare identifier, i.e. a macro reference */
};

enum cond_op {
	COND_OP_EQ, /* = and == */
	COND_OP_NE,
	COND_OP_LT,
	COND_OP_LE,
	COND_OP_GT,
	COND_OP_GE,
	COND_OP_CONTAINS,
	COND_OP_ICONTAINS,
	COND_OP_BCONTAINS,
	COND_OP_STARTSWITH,
	COND_OP_BSTARTSWITH,
	COND_OP_ENDSWITH,
	COND_OP_GLOB,
	COND_OP_IGLOB,
	COND_OP_REGEX,
	COND_OP_IN,
	COND_OP_INTERSECTS,
	COND_OP_PMATCH,
	COND_OP_EXISTS,
};

enum cond_val_kind {
	COND_VAL_BARE, /* unquoted: /etc/shadow, -1, O_TRUNC, <NA>; in a list, maybe a list name */
	COND_VAL_QUOTED, /* '...' or "...": str is the text with escapes resolved */
	COND_VAL_NUMBER, /* the operand of < <= > >=, checked to be a decimal or 0x number */
	COND_VAL_LIST,	 /* (a, b, ...) after in/intersects/pmatch; `in name` gives (name) */
};

struct cond_value {
	enum cond_val_kind kind;
	struct cond_pos pos;
	char *str; /* not LIST: NUL-terminated, never contains NUL */
	size_t len;
	struct cond_value *items; /* LIST: n_items (>= 1) values, which may be lists too */
	size_t n_items;
};

struct cond_field {
	char *name; /* the dotted name, whole: "proc.aname", "evt.arg.flags" */
	char *arg;  /* between [ and ]: "2", "/proc*", "" for []; NULL without brackets */
	size_t arg_len;
	bool arg_quoted; /* written as ["..."]; arg holds the unescaped text */
	struct cond_pos pos;
};

/* Each pointer in a node is its own malloc'd allocation owned by the node,
 * so subtrees can be moved between trees and cond_free releases the lot.
 * `and`/`or` chains are left-deep binary trees (a and b and c is
 * ((a and b) and c)); their length is not limited by COND_MAX_DEPTH. */
struct cond_node {
	enum cond_kind kind;
	struct cond_pos
		pos; /* AND/OR/NOT: the keyword; GROUP: '('; CMP/UNARY: the field; MACRO: the name */
	union {
		struct {
			struct cond_node *left, *right;
		} bin;
		struct cond_node *child;
		struct {
			struct cond_field field;
			enum cond_op op;
			struct cond_pos op_pos;
			struct cond_value value; /* COND_CMP only */
		} cmp;
		struct {
			char *name;
		} macro;
	};
};

struct cond_error {
	unsigned line, col; /* 1-based, within the condition text */
	size_t off;	    /* byte offset of the same point */
	char msg[256]; /* "unexpected token 'and' at 3:14: expected a field, macro name, 'not' or '('" */
	char reason[256]; /* the same without " at L:C", for callers that print a file position */
};

/*
 * Parse `len` bytes of `text` (not necessarily NUL-terminated; nothing past
 * len is read). Returns the tree, or NULL with *err filled (err may be NULL).
 * Out of memory is reported as an error too.
 */
struct cond_node *cond_parse(const char *text, size_t len, struct cond_error *err);

/* Free a tree from cond_parse (or built the same way). NULL is fine. */
void cond_free(struct cond_node *n);

/*
 * Canonical text of a tree with parentheses only where precedence needs
 * them: "not a and (b or c)". Groups that change nothing print none, `==`
 * prints as `=`, quoted values print double-quoted. The text never nests
 * deeper than the text the tree was parsed from, so it parses back (within
 * COND_MAX_DEPTH) to the same canonical text. Returns a malloc'd string
 * (free it), or NULL on out of memory.
 */
char *cond_to_string(const struct cond_node *n);

/*
 * The same with every and/or/not node parenthesised, which shows the tree's
 * shape: "((not a) and (b or c))". It may nest deeper than the input did.
 */
char *cond_to_explicit_string(const struct cond_node *n);

/* The operator as written in Falco ("=", "startswith", "exists" ...). */
const char *cond_op_name(enum cond_op op);

#endif
