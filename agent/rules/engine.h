/*
 * engine.h — the rule engine: load rules files, evaluate events.
 *
 * The engine knows nothing of where alerts go: it calls back for each
 * matching rule. Rules are indexed by evt.type, so an event only touches
 * the rules that can match its type (plus rules with no type restriction).
 */
#ifndef VIGIL_RULES_ENGINE_H
#define VIGIL_RULES_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/compile.h"

enum engine_matching { ENGINE_MATCH_FIRST, ENGINE_MATCH_ALL };

struct engine;

struct engine *engine_new(void);
void engine_free(struct engine *e);

/* Load rules files in order, then compile. 0 when every file loaded and
 * every rule compiled; -1 otherwise (details in diags). */
int engine_load(struct engine *e, const char *const *paths, size_t n, struct vigil_diag *diags);
/* Same from memory (tests, fuzzing). */
int engine_load_buffer(struct engine *e, const char *name, const char *buf, size_t len,
		       struct vigil_diag *diags);

/* Rules below this priority never fire (Falco's -p / priority config). */
void engine_set_min_priority(struct engine *e, enum rules_priority p);
void engine_set_matching(struct engine *e, enum engine_matching m);

typedef void (*engine_match_fn)(const struct compiled_rule *r, const struct vigil_event *ev,
				void *arg);
/* Evaluate one event; returns how many rules matched. */
size_t engine_eval(const struct engine *e, const struct vigil_event *ev,
		   const struct field_ctx *ctx, engine_match_fn fn, void *arg);

/* The syscalls the enabled rules can match (the tracer's filter). Returns
 * false when some enabled rule matches any event type. */
bool engine_syscalls(const struct engine *e, vigil_sc_set *set);

/* The syscalls whose result (exit stop) an enabled rule reads: evt.res,
 * evt.rawres, evt.dir or fd.num. */
void engine_result_syscalls(const struct engine *e, vigil_sc_set *set);

/* Path predicates for opens whose result a rule reads (see vigil/prefilter.h);
 * pf->active is false when some such rule does not constrain the path. */
struct prefilter;
void engine_open_prefilter(const struct engine *e, struct prefilter *pf);

/* The paths enabled open rules name exactly, for the open backstop: PF_EQ
 * (fd.name = X, fd.name in (...)) and PF_DIR (fd.directory = D), absolute
 * only, possibly repeated. Rules that constrain the path otherwise
 * (startswith, glob, ...) or not at all add nothing. */
void engine_open_watch_paths(const struct engine *e, struct prefilter *pf);

size_t engine_rule_count(const struct engine *e);
const struct compiled_rule *engine_rule_at(const struct engine *e, size_t i);
size_t engine_enabled_count(const struct engine *e);

#endif
