/* ruleset.h — Falco rules files, read with libyaml, merged into one rule set.
 *
 * Files are loaded one after another, in the order the operator gave them,
 * exactly as Falco does: a later `list`, `macro` or `rule` of the same name
 * replaces the earlier one in place (definition order never changes), the
 * deprecated `append: true` and the `override:` map extend or replace parts
 * of an earlier definition, and a rule item with only `rule` + `enabled`
 * switches an earlier rule on or off.
 *
 * Conditions and outputs stay text here; the condition parser and the rule
 * compiler work on the final merged texts. Every text keeps a map from byte
 * offsets back to file:line:col (a condition appended from a second file
 * maps into both files), so a later stage can point at a token.
 *
 * All-or-nothing per file: a file with any error changes nothing in the
 * rule set (lists, macros, rules, version requirements), its errors are
 * reported, and the load call returns -1. The rule set stays as it was
 * before that call, so the caller may go on with the other files or stop.
 *
 * Positions are 1-based; columns count characters (as libyaml does), not
 * bytes. File names in positions point into storage owned by the rule set.
 */
#ifndef VIGIL_RULES_RULESET_H
#define VIGIL_RULES_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vigil/diag.h"
#include "vigil/ydoc.h"

/* The Falco engine version whose rules-file format this loader implements.
 * A file whose `required_engine_version` is newer loads with a warning. */
#define RULES_ENGINE_VERSION_MAJOR 0
#define RULES_ENGINE_VERSION_MINOR 57
#define RULES_ENGINE_VERSION_PATCH 0
#define RULES_ENGINE_VERSION "0.57.0"

/* Limits on untrusted input; going past one is a load error. */
#define RULES_MAX_FILE_BYTES (16u << 20) /* one rules file */
/* (and the YAML limits of vigil/ydoc.h, VIGIL_MAX_DIAGS of vigil/diag.h) */
#define RULES_MAX_TAGS 256	 /* tags of one rule */
#define RULES_MAX_EXCEPTIONS 256 /* exceptions of one rule */

/* ---- positions and texts ---- */

/* From byte `off` of a text on, characters sit at pos, pos.col+1, ... on
 * one line, until the next segment. */
struct rules_text_seg {
	size_t off;
	struct vigil_pos pos;
};

/* A condition or output: the scalar's value (after YAML unquoting and
 * folding), where its first character is, and how it was written. */
struct rules_text {
	char *str; /* NUL-terminated */
	size_t len;
	struct vigil_pos pos;  /* of str[0] in the file (inside quotes, below a block header) */
	enum ydoc_style style; /* of the scalar str starts with */
	struct rules_text_seg *segs; /* sorted by off; segs[0].off == 0 */
	size_t nsegs;
};

/* File position of byte `off` of t (off == len gives the position just
 * after the last character). Exact for plain, single-quoted and block
 * scalars; for double-quoted ones an escape maps to its backslash.
 * Returns false if t has no position map. */
bool rules_text_locate(const struct rules_text *t, size_t off, struct vigil_pos *out);

/* ---- lists, macros, rules ---- */

struct rules_str {
	char *str;
	struct vigil_pos pos;
};

struct rules_list {
	char *name;
	struct vigil_pos pos;	 /* of the item that last (re)defined it */
	struct rules_str *items; /* an item may be the name of another list */
	size_t nitems;
	uint32_t visibility; /* load sequence number of the last change (Falco's "visibility") */
};

struct rules_macro {
	char *name;
	struct vigil_pos pos;
	struct rules_text condition;
	uint32_t visibility;
};

/* An exception's fields, comps or one of its values: a string or a list.
 * (Inside a loaded rule, fields and comps are always set.) */
struct rules_value {
	struct vigil_pos pos;
	bool is_list;
	char *str;		   /* !is_list; NULL if the key was absent */
	struct rules_value *items; /* is_list */
	size_t nitems;
};

/* Falco exception: `fields` is a list of field names with `comps` an equal
 * list of operators (default "="), and each value a list with one entry per
 * field (an entry is a string, or a list of strings for in/intersects/pmatch);
 * or `fields` is one field name, `comps` one of in/pmatch/intersects
 * (default "in") and each value a string. */
struct rules_exception {
	char *name;
	struct vigil_pos pos;
	struct rules_value fields;
	struct rules_value comps;
	struct rules_value *values;
	size_t nvalues;
};

enum rules_priority {
	RULES_PRIO_EMERGENCY,
	RULES_PRIO_ALERT,
	RULES_PRIO_CRITICAL,
	RULES_PRIO_ERROR,
	RULES_PRIO_WARNING,
	RULES_PRIO_NOTICE,
	RULES_PRIO_INFORMATIONAL,
	RULES_PRIO_DEBUG,
};

struct rules_rule {
	char *name;
	struct vigil_pos pos; /* of the item that last fully defined it */
	struct rules_text condition;
	struct rules_text output; /* trimmed, as Falco does */
	char *desc;
	enum rules_priority priority;
	char *source; /* "syscall" unless the rule says otherwise */
	bool enabled;
	bool warn_evttypes;	     /* default true */
	bool skip_if_unknown_filter; /* default false */
	char **tags;		     /* first-seen order, no duplicates */
	size_t ntags;
	struct rules_exception *exceptions;
	size_t nexceptions;
	uint32_t visibility;
};

/* `required_plugin_versions` entry (recorded only: plugins are not supported). */
struct rules_plugin_req {
	char *name;
	char *version;
	struct vigil_pos pos;
	struct rules_plugin_req *alternatives;
	size_t nalternatives;
};

/* "Emergency" ... "Debug", as Falco prints them. */
const char *rules_priority_name(enum rules_priority p);
/* Case-insensitive; accepts "info" for informational. */
bool rules_priority_parse(const char *s, enum rules_priority *out);

/* ---- the rule set ---- */

struct ruleset;

struct ruleset *ruleset_new(void); /* NULL on ENOMEM */
void ruleset_free(struct ruleset *rs);

/* Load one rules file on top of what is loaded. 0 on success (warnings may
 * have been added to diags), -1 if the file had errors and nothing of it
 * was applied. diags may be NULL. */
int ruleset_load_file(struct ruleset *rs, const char *path, struct vigil_diag *diags);
/* Same for a buffer; `name` is used in positions and messages. The buffer
 * need not be NUL-terminated. */
int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			struct vigil_diag *diags);

/* Definition order (a replaced item keeps its first place). */
size_t ruleset_rule_count(const struct ruleset *rs);
const struct rules_rule *ruleset_rule_at(const struct ruleset *rs, size_t i);
const struct rules_rule *ruleset_find_rule(const struct ruleset *rs, const char *name);

size_t ruleset_macro_count(const struct ruleset *rs);
const struct rules_macro *ruleset_macro_at(const struct ruleset *rs, size_t i);
const struct rules_macro *ruleset_find_macro(const struct ruleset *rs, const char *name);

size_t ruleset_list_count(const struct ruleset *rs);
const struct rules_list *ruleset_list_at(const struct ruleset *rs, size_t i);
const struct rules_list *ruleset_find_list(const struct ruleset *rs, const char *name);

/* Highest `required_engine_version` of the loaded files as "x.y.z", or NULL
 * if none asked for one; *pos (if given) is where it was asked. */
const char *ruleset_required_engine_version(const struct ruleset *rs, struct vigil_pos *pos);

/* `required_plugin_versions` entries of all loaded files, in load order. */
size_t ruleset_plugin_req_count(const struct ruleset *rs);
const struct rules_plugin_req *ruleset_plugin_req_at(const struct ruleset *rs, size_t i);

#endif
