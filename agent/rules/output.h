/*
 * output.h — Falco output strings ("... file=%fd.name user=%user.name") and
 * the alert JSON Falco prints, plus vigil's uuid.
 */
#ifndef VIGIL_RULES_OUTPUT_H
#define VIGIL_RULES_OUTPUT_H

#include <stddef.h>

#include "rules/fields.h"
#include "vigil/strbuf.h"

struct output_fmt;

/* Compile a format; unknown fields are an error (message in err). */
struct output_fmt *output_compile(const char *fmt, size_t len, char *err, size_t errlen);
void output_free(struct output_fmt *f);

/* Render the text, <NA> for missing values. */
void output_render(const struct output_fmt *f, const struct vigil_event *ev,
		   const struct field_ctx *ctx, struct strbuf *out);

/* What an alert says about the rule that fired. */
struct alert_rule {
	const char *name;
	const char *priority; /* Falco's capitalized name: "Warning" */
	const char *source;   /* "syscall" */
	const char *const *tags;
	size_t n_tags;
	const struct output_fmt *output;
};

/*
 * One alert as Falco's JSON (time, rule, priority, source, output,
 * output_fields, tags, hostname) plus uuid, without a trailing newline.
 */
void output_alert_json(struct strbuf *sb, const struct alert_rule *rule,
		       const struct vigil_event *ev, const struct field_ctx *ctx);

#endif
