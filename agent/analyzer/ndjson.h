/* ndjson.h — an event as one flat JSON object keyed by Falco field names. */
#ifndef VIGIL_NDJSON_H
#define VIGIL_NDJSON_H

#include "vigil/event.h"
#include "vigil/strbuf.h"

/* Append the JSON object (no newline) for `ev` to sb. */
void ndjson_event(struct strbuf *sb, const struct vigil_event *ev);

#endif
