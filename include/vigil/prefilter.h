/*
 * prefilter.h — which opens need their result, decided from the path alone.
 *
 * The rules that read an open's result (fd.num, evt.res) all constrain its
 * path (Falco's open rules test fd.name against lists and prefixes). The
 * analyzer derives those constraints from the rules and hands them to the
 * supervisor as data; at an open's entry the supervisor takes the exit stop
 * only when the path could match one of them. A rule whose path cannot be
 * constrained switches the prefilter off (every open then takes the stop).
 */
#ifndef VIGIL_PREFILTER_H
#define VIGIL_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

enum prefilter_op {
	PF_EQ = '=',	   /* the path is s */
	PF_PREFIX = '^',   /* starts with s */
	PF_SUFFIX = '$',   /* ends with s */
	PF_CONTAINS = '~', /* contains s */
	PF_GLOB = '*',	   /* fnmatch(s) */
	PF_DIR = '/',	   /* its directory is s (fd.directory); only with `exact` */
};

struct prefilter_pred {
	char op;
	char *s;
	size_t len;
};

struct prefilter {
	bool active; /* false: no constraint known, every open needs its result */
	/* Asked for paths named exactly (the open backstop, analyzer/backstop.h):
	 * fd.directory becomes PF_DIR rather than a PF_PREFIX, and an `and`
	 * gives the operand whose predicates are all PF_EQ/PF_DIR when it has
	 * one. Never set for the supervisor's prefilter, nor sent to it. */
	bool exact;
	struct prefilter_pred *preds;
	size_t n;
};

/* Add a predicate; -1 on ENOMEM or a string the handoff cannot carry ('\n'). */
int prefilter_add(struct prefilter *pf, char op, const char *s, size_t len);
void prefilter_free(struct prefilter *pf);
/* Could an open of `path` match one of the predicates? */
bool prefilter_match(const struct prefilter *pf, const char *path, size_t len);
/* One predicate as a handoff line "<op><string>" (without newline). */
int prefilter_parse_pred(struct prefilter *pf, const char *line);

#endif
