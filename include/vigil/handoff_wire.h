/*
 * handoff_wire.h — the analyzer's answer to the supervisor at start: which
 * syscalls the rules need traced, which need their result, and which opens
 * need it (by path). One definition of the text and its limit, used by the
 * writer (analyzer/handoff.c) and the reader (supervisor/rules_handoff.c).
 *
 *   POLICY security     (optional: the configuration file's start_policy)
 *   SYSCALLS a,b,c      (or "SYSCALLS *": every syscall vigil can decode)
 *   RESULTS d,e
 *   OPENPATHS           (optional) then one "<op><string>" per line
 *
 * or "ERROR\n" when the configuration or the rules did not load. Nothing
 * at all means the analyzer died before it answered (crashed, or killed by
 * someone): that is no verdict on the rules, so the program starts with the
 * full set and the restarted analyzer loads them again.
 */
#ifndef VIGIL_HANDOFF_WIRE_H
#define VIGIL_HANDOFF_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/prefilter.h"
#include "vigil/strbuf.h"
#include "vigil/syscalls.h"

/* The reader's buffer: an answer is at most VIGIL_HANDOFF_MAX - 1 bytes. */
#define VIGIL_HANDOFF_MAX (256u * 1024u)
#define VIGIL_HANDOFF_ERROR "ERROR\n"

/* The configuration file's start_policy, when it has one. */
enum vigil_handoff_policy {
	VIGIL_HANDOFF_POLICY_UNSET = 0,
	VIGIL_HANDOFF_POLICY_AVAILABILITY,
	VIGIL_HANDOFF_POLICY_SECURITY,
};

struct vigil_handoff {
	enum vigil_handoff_policy policy;
	bool all; /* "SYSCALLS *": `set` is not sent */
	vigil_sc_set set, results;
	struct prefilter open_paths; /* inactive: every open in `results` needs it */
};

enum vigil_handoff_status {
	VIGIL_HANDOFF_OK = 0,
	VIGIL_HANDOFF_FAILED = -1,    /* the analyzer said the rules did not load */
	VIGIL_HANDOFF_UNREADABLE = 1, /* lines that are not a set: keep the default set */
	VIGIL_HANDOFF_NO_LINE = 2,    /* not one complete line: keep the default set */
	VIGIL_HANDOFF_NO_ANSWER = 3,  /* nothing at all (it died first): keep the default set */
};

/* The answer into out (reset first); -1 when it exceeds the limit or memory. */
int vigil_handoff_encode(struct strbuf *out, const struct vigil_handoff *h);

/* An answer of the POLICY line alone (a start without rules), into out. */
int vigil_handoff_encode_policy(struct strbuf *out, enum vigil_handoff_policy p);

/*
 * Parse text[0..len) (NUL-terminated there; edited in place). h->policy is
 * filled whatever the status (a POLICY line alone is NO_LINE or
 * UNREADABLE for the sets). On OK fills
 * h (the sets with their mandatory syscalls, as vigil_sc_set_parse does);
 * otherwise h->open_paths is left inactive and empty. An answer that fills
 * the whole buffer may have been cut: its OPENPATHS are then ignored.
 */
enum vigil_handoff_status vigil_handoff_decode(char *text, size_t len, struct vigil_handoff *h);

#endif
