/* rules_internal.h — shared by the rules-file loader's own files only
 * (rules_*.c, ruleset.c). Not part of the rule engine's interface. */
#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/ruleset.h"
#include "vigil/strmap.h"
#include "vigil/ydoc.h"

/* ---- texts (rules_text.c) ---- */

/* Build t from scalar n of the source buf (copies the value, maps offsets
 * back to file positions). -1 on ENOMEM. */
int rules_text_from_node(struct rules_text *t, const struct ynode *n, const char *buf, size_t len,
			 const char *file);
/* t := t + " " + add (Falco's way of appending conditions); add is left
 * as it was. -1 on ENOMEM (t unchanged). */
int rules_text_append(struct rules_text *t, const struct rules_text *add);
/* Strip leading/trailing whitespace, keeping the map right. */
void rules_text_trim(struct rules_text *t);
int rules_text_copy(struct rules_text *dst, const struct rules_text *src);
void rules_text_clear(struct rules_text *t);

/* ---- item structures: free and copy (rules_items.c) ---- */

void rules_value_clear(struct rules_value *v);
void rules_exception_clear(struct rules_exception *e);
void rules_list_clear(struct rules_list *l);
int rules_list_copy(struct rules_list *dst, const struct rules_list *src);
void rules_macro_clear(struct rules_macro *m);
int rules_macro_copy(struct rules_macro *dst, const struct rules_macro *src);
void rules_rule_clear(struct rules_rule *r);
int rules_rule_copy(struct rules_rule *dst, const struct rules_rule *src);
void rules_plugin_req_clear(struct rules_plugin_req *p);

/* Check values of an exception against its fields/comps (shape and arity);
 * on error, fills msg and *at and returns -1. */
int rules_exception_check_values(const struct rules_exception *shape,
				 const struct rules_value *values, size_t nvalues, char *msg,
				 size_t msglen, struct vigil_pos *at);
/* Fill default comps for present fields and check fields/comps agree. */
int rules_exception_check_shape(struct rules_exception *e, char *msg, size_t msglen,
				struct vigil_pos *at);
/* Add the strings of `add` not yet in *tags (copies); -1 on ENOMEM. */
int rules_tags_merge(char ***tags, size_t *ntags, char *const *add, size_t nadd);

/* ---- parsed items (rules_yaml.c) ---- */

enum ritem_kind { RI_LIST, RI_MACRO, RI_RULE, RI_ENGINE, RI_PLUGINS };

enum ritem_mode {
	RM_DEFINE,   /* a full definition (replaces an earlier one) */
	RM_APPEND,   /* deprecated `append: true` */
	RM_OVERRIDE, /* `override:` map */
	RM_ENABLE,   /* rule with only `enabled` */
};

/* Keys of an item, as bits. */
enum rkey {
	RK_CONDITION = 1u << 0,
	RK_OUTPUT = 1u << 1,
	RK_DESC = 1u << 2,
	RK_PRIORITY = 1u << 3,
	RK_SOURCE = 1u << 4,
	RK_ENABLED = 1u << 5,
	RK_TAGS = 1u << 6,
	RK_EXCEPTIONS = 1u << 7,
	RK_WARN_EVTTYPES = 1u << 8,
	RK_SKIP_UNKNOWN = 1u << 9,
	RK_ITEMS = 1u << 10,
	RK_APPEND = 1u << 11,
	RK_OVERRIDE = 1u << 12,
};

struct ritem {
	enum ritem_kind kind;
	enum ritem_mode mode;
	struct vigil_pos pos;
	char *label;	  /* "rule 'x'" for messages */
	uint32_t present; /* enum rkey bits */
	uint32_t ov_append, ov_replace;
	struct rules_list list;		  /* RI_LIST */
	struct rules_macro macro;	  /* RI_MACRO */
	struct rules_rule rule;		  /* RI_RULE */
	uint32_t ver[3];		  /* RI_ENGINE */
	struct rules_plugin_req *plugins; /* RI_PLUGINS */
	size_t nplugins;
};

/* Called for each item read without error while the file has none so
 * far; it may move what it keeps out of the item. */
typedef void rules_item_fn(void *ctx, struct ritem *it);

/* ---- reading items from YAML trees (rules_yaml.c, rules_yaml_values.c) ---- */

struct rules_rd {
	const char *file;
	const char *buf;
	size_t len;
	struct vigil_dctx *dc;
	const char *label; /* item being read, for messages */
	bool err;	   /* this item had an error */
	bool oom;
	size_t errors_before; /* dc->nerrors when the file started */
};

struct rules_keyinfo {
	const char *name;
	uint32_t bit;
};

void ry_err(struct rules_rd *r, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ry_warn(struct rules_rd *r, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ry_oom(struct rules_rd *r, const struct ynode *n);
struct vigil_pos ry_pos(const struct rules_rd *r, const struct ynode *n);
const char *ry_kind_name(const struct ynode *n); /* "a list", "no value", ... */
/* " (did you mean 'x'?)" for the closest of names (NULL-terminated), or "". */
void ry_suggest(char *out, size_t outlen, const char *key, const char *const *names);
/* Report keys of map not in allowed (NULL-terminated). */
uint32_t ry_check_keys(struct rules_rd *r, const struct ynode *map, const char *const *allowed);
/* Typed values of key `key`; on a wrong type they report and return
 * NULL/false. */
char *ry_string(struct rules_rd *r, const char *key, const struct ynode *v); /* non-empty */
bool ry_bool(struct rules_rd *r, const char *key, const struct ynode *v, bool *out);
bool ry_strlist(struct rules_rd *r, const char *key, const struct ynode *v, struct rules_str **out,
		size_t *nout);
bool ry_text(struct rules_rd *r, const char *key, const struct ynode *v, struct rules_text *t);
bool ry_tags(struct rules_rd *r, const struct ynode *v, struct rules_rule *rule);
/* `exceptions:`; full = definitions (fields needed, shape checked now),
 * else values to append (checked when merged). */
void ry_exceptions(struct rules_rd *r, const struct ynode *v, bool full, struct rules_rule *rule);
/* `override:` map into it->ov_append / ov_replace. */
void ry_override(struct rules_rd *r, const struct ynode *v, const struct rules_keyinfo *keys,
		 uint32_t can_append, uint32_t can_replace, struct ritem *it);
/* Overridable keys present must be named in the override, and the reverse. */
void ry_check_override_keys(struct rules_rd *r, const struct ynode *item,
			    const struct ynode *ovnode, const struct rules_keyinfo *keys,
			    uint32_t overridable, const struct ritem *it);
/* `append:` -> 1 true, 0 false or absent, -1 bad; warns that it is deprecated. */
int ry_append_flag(struct rules_rd *r, const struct ynode *item, const struct ynode **key);

/* Read the items of one file in order, handing each to fn (positions use
 * `file`, which must outlive them). 0 if the file had no error (fn's
 * errors included), -1 otherwise. */
int rules_yaml_read(const char *file, const char *buf, size_t len, rules_item_fn *fn, void *ctx,
		    struct vigil_dctx *dc);

/* ---- the rule set's storage (ruleset.c), used by rules_merge.c ---- */

enum rules_kind { RS_LIST, RS_MACRO, RS_RULE };

struct rules_entries {
	void **v;      /* struct rules_list / rules_macro / rules_rule *, definition order */
	uint32_t *gen; /* load generation that made each copy */
	size_t n, cap;
	struct vigil_strmap idx; /* name -> slot */
};

struct rules_undo {
	enum rules_kind kind;
	size_t slot;
	void *old;
	uint32_t old_gen;
};

struct ruleset {
	struct rules_entries e[3]; /* by enum rules_kind */
	uint32_t seq;		   /* visibility counter */
	uint32_t gen;		   /* current load */
	char **files;		   /* interned file names */
	size_t nfiles;
	struct rules_plugin_req *plugins;
	size_t nplugins;
	bool has_engine;
	uint32_t engine[3];
	struct vigil_pos engine_pos;
	char engine_str[40];
	struct rules_undo *undo; /* entries replaced during the current load */
	size_t nundo, undo_cap;
};

const char *rules_set_entry_name(enum rules_kind k, const void *p);
void rules_set_entry_free(enum rules_kind k, void *p);
/* 0 and *slot if a `k` named name exists, -1 if not. */
int rules_set_find(const struct ruleset *rs, enum rules_kind k, const char *name, size_t *slot);
/* Put p (malloc'd, owned from now on) in slot, replacing what is there in
 * an undoable way, or at the end if slot == count. -1 on ENOMEM (p not taken). */
int rules_set_put(struct ruleset *rs, enum rules_kind k, size_t slot, void *p);
/* The entry in slot, copied first if the current load has not changed it
 * yet (so the old one can be put back). NULL on ENOMEM. */
void *rules_set_writable(struct ruleset *rs, enum rules_kind k, size_t slot);
void rules_set_engine_fmt(struct ruleset *rs);

/* Apply one item (rules_merge.c); errors go to dc. Moves what it keeps out of it. */
void rules_merge_item(struct ruleset *rs, struct vigil_dctx *dc, struct ritem *it);

/* "x.y.z" with each part a decimal number that fits in 32 bits. */
bool rules_parse_semver(const char *s, uint32_t out[3]);

/* p, or p moved to a block of at least `need` bytes with room to grow by
 * half again, so that appending one by one costs amortized O(1) whatever
 * size p was allocated with; NULL on ENOMEM (p untouched). */
void *rules_grow(void *p, size_t need);

/* strdup that fails politely (NULL on ENOMEM, NULL in -> NULL out). */
char *rules_strdup(const char *s);

#endif
