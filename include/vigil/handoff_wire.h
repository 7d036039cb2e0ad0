/*
 * handoff_wire.h — the analyzer's answer to the supervisor at start: which
 * syscalls the rules need traced, which need their result, and which opens
 * need it (by path). One definition of the text and its limit, used by the
 * writer (analyzer/handoff.c) and the reader (supervisor/rules_handoff.c).
 *
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

struct vigil_handoff {
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

/*
 * Parse text[0..len) (NUL-terminated there; edited in place). On OK fills
 * h (the sets with their mandatory syscalls, as vigil_sc_set_parse does);
 * otherwise h->open_paths is left inactive and empty. An answer that fills
 * the whole buffer may have been cut: its OPENPATHS are then ignored.
 */
enum vigil_handoff_status vigil_handoff_decode(char *text, size_t len, struct vigil_handoff *h);

#endif
