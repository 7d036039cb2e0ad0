/*
 * fields.h — Falco's field names, and their values for a vigil event.
 *
 * The table is the contract between rules and events: the compiler looks a
 * field up by name (an unknown name is a load error; a known name vigil
 * cannot produce disables the rule with a warning naming it), and the
 * evaluator extracts values with no allocation.
 */
#ifndef VIGIL_RULES_FIELDS_H
#define VIGIL_RULES_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/event.h"

enum field_type {
	FT_STR, /* compared as bytes */
	FT_INT, /* signed 64-bit */
	FT_BOOL,
	FT_IP,	/* an address; compared as its text */
	FT_NET, /* an address compared to networks: fd.net = 10.0.0.0/8 */
};

enum field_arg {
	FA_NONE,
	FA_INDEX, /* proc.aname[2]: a number, optional (proc.aname alone = [0]) */
	FA_NAME,  /* evt.arg.flags / evt.arg[0]: a name or a position */
};

enum field_support {
	FS_YES, /* produced by vigil */
	FS_NO,	/* a Falco field vigil cannot produce: rules using it load disabled */
};

struct field_def {
	const char *name;
	enum field_type type;
	enum field_arg arg;
	enum field_support support;
	uint16_t id; /* enum field_id (fields.c) */
	const char *desc;
};

/* A field as written in a rule: definition plus argument. */
struct field_ref {
	const struct field_def *def;
	int index;	  /* FA_INDEX; -1 when absent */
	char argname[32]; /* FA_NAME by name ("flags"); empty when by position */
	int argpos;	  /* FA_NAME by position (evt.arg[0]); -1 when by name */
};

/* Where the analyzer runs: container and host facts (container.*, evt.hostname). */
struct field_ctx {
	const char *hostname;
	const char *container_id, *container_name, *image, *image_repository, *image_tag;
	int container_privileged; /* -1 unknown */
	/* Files written since start (proc.is_exe_upper_layer); NULL: unknown. */
	bool (*was_written)(const void *state, const char *path, size_t len);
	const void *written_state;
	/* fd.l4proto of a process's fd; NULL: unknown. */
	const char *(*l4proto)(const void *state, int32_t pid, int64_t fd);
	const void *sockets_state;
};

struct field_value {
	bool present; /* false renders as <NA> and matches nothing */
	enum field_type type;
	const char *s; /* FT_STR / FT_IP text (not NUL-terminated) */
	size_t len;
	int64_t i;		       /* FT_INT, FT_BOOL */
	char buf[VIGIL_ARGS_MAX + 64]; /* storage for values built on the fly */
};

/*
 * Resolve `name` with its optional bracket argument `arg` (NULL if none),
 * e.g. ("proc.aname", "2"), ("evt.arg.flags", NULL), ("evt.arg", "0").
 * Returns 0, or -1 with a message in err (unknown field, bad argument).
 */
int field_resolve(const char *name, const char *arg, struct field_ref *ref, char *err,
		  size_t errlen);

/* Extract the value of ref for ev. */
void field_extract(const struct field_ref *ref, const struct vigil_event *ev,
		   const struct field_ctx *ctx, struct field_value *out);
/*
 * Fields without an index that stand for several values (proc.aname,
 * proc.apid: any ancestor, as in Falco) have field_count() > 1; the
 * evaluator asks for each with field_extract_nth (n from 0).
 */
int field_count(const struct field_ref *ref, const struct vigil_event *ev);
void field_extract_nth(const struct field_ref *ref, const struct vigil_event *ev,
		       const struct field_ctx *ctx, int n, struct field_value *out);

#endif
