/*
 * output.c — Falco output formats and alert JSON (see output.h).
 *
 * A format is compiled once into literal pieces and field references, so
 * rendering an alert is appends only. As in Falco, a field reference is
 * '%' followed by a field name ([A-Za-z0-9_.] and an optional [arg]).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rules/output.h"
#include "vigil/clock.h"

struct piece {
	const char *lit; /* into fmt copy; NULL for a field */
	size_t len;
	struct field_ref field;
	char *field_text; /* "proc.aname[2]": the key in output_fields */
};

struct output_fmt {
	char *text;
	struct piece *pieces;
	size_t n;
};

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static int add_piece(struct output_fmt *f, struct piece p)
{
	struct piece *np = realloc(f->pieces, (f->n + 1) * sizeof(*np));
	if (!np)
		return -1;
	f->pieces = np;
	f->pieces[f->n++] = p;
	return 0;
}

/* Parse "%name[arg]" at s (after '%'); returns its length or 0. */
static size_t field_token(const char *s, size_t len, size_t *name_len, const char **arg,
			  size_t *arg_len)
{
	size_t i = 0;
	while (i < len && name_char(s[i]))
		i++;
	while (i > 0 && s[i - 1] == '.') /* "...%proc.name." ends a sentence */
		i--;
	*name_len = i;
	*arg = NULL;
	*arg_len = 0;
	if (i < len && s[i] == '[') {
		const char *close = memchr(s + i, ']', len - i);
		if (close) {
			*arg = s + i + 1;
			*arg_len = (size_t)(close - *arg);
			return (size_t)(close - s) + 1;
		}
	}
	return i;
}

static int compile_field(struct output_fmt *f, const char *s, size_t name_len, const char *arg,
			 size_t arg_len, size_t tok_len, char *err, size_t errlen)
{
	char name[128], argbuf[64];
	if (name_len >= sizeof(name) || arg_len >= sizeof(argbuf)) {
		snprintf(err, errlen, "field name too long in output");
		return -1;
	}
	memcpy(name, s, name_len);
	name[name_len] = '\0';
	if (arg) {
		memcpy(argbuf, arg, arg_len);
		argbuf[arg_len] = '\0';
	}
	struct piece p = {0};
	if (field_resolve(name, arg ? argbuf : NULL, &p.field, err, errlen) != 0)
		return -1;
	p.field_text = strndup(s, tok_len);
	if (!p.field_text || add_piece(f, p) != 0) {
		free(p.field_text);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct output_fmt *output_compile(const char *fmt, size_t len, char *err, size_t errlen)
{
	struct output_fmt *f = calloc(1, sizeof(*f));
	if (!f || !(f->text = strndup(fmt, len)))
		goto oom;
	const char *s = f->text;
	len = strlen(s);
	size_t i = 0, lit = 0;
	while (i < len) {
		size_t name_len, arg_len, tok;
		const char *arg;
		if (s[i] != '%' ||
		    !(tok = field_token(s + i + 1, len - i - 1, &name_len, &arg, &arg_len)) ||
		    name_len == 0) {
			i++;
			continue;
		}
		if (i > lit && add_piece(f, (struct piece){.lit = s + lit, .len = i - lit}) != 0)
			goto oom;
		if (compile_field(f, s + i + 1, name_len, arg, arg_len, tok, err, errlen) != 0) {
			output_free(f);
			return NULL;
		}
		i += 1 + tok;
		lit = i;
	}
	if (len > lit && add_piece(f, (struct piece){.lit = s + lit, .len = len - lit}) != 0)
		goto oom;
	return f;
oom:
	output_free(f);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void output_free(struct output_fmt *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->pieces[i].field_text);
	free(f->pieces);
	free(f->text);
	free(f);
}

/* The value as text (Falco's rendering): numbers in decimal, booleans true/false. */
static void value_text(const struct field_value *v, struct strbuf *out)
{
	if (!v->present)
		strbuf_adds(out, "<NA>");
	else if (v->type == FT_INT)
		strbuf_add_int(out, v->i);
	else if (v->type == FT_BOOL)
		strbuf_adds(out, v->i ? "true" : "false");
	else
		strbuf_add(out, v->s, v->len);
}

void output_render(const struct output_fmt *f, const struct vigil_event *ev,
		   const struct field_ctx *ctx, struct strbuf *out)
{
	struct field_value v;
	for (size_t i = 0; i < f->n; i++) {
		const struct piece *p = &f->pieces[i];
		if (p->lit) {
			strbuf_add(out, p->lit, p->len);
			continue;
		}
		field_extract(&p->field, ev, ctx, &v);
		value_text(&v, out);
	}
}

static void json_value(struct strbuf *sb, const struct field_value *v)
{
	if (!v->present)
		strbuf_adds(sb, "null");
	else if (v->type == FT_INT)
		strbuf_add_int(sb, v->i);
	else if (v->type == FT_BOOL)
		strbuf_adds(sb, v->i ? "true" : "false");
	else
		strbuf_add_json_str(sb, v->s, v->len);
}

/* Random (version 4) UUID from the kernel's CSPRNG. */
static void uuid4(char out[37])
{
	unsigned char b[16] = {0};
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		uint64_t ns = vigil_wall_ns(); /* never fails silently to all-zero */
		memcpy(b, &ns, sizeof(ns));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* Falco's text prefix: local time of day with nanoseconds, then the priority. */
static void output_prefix(struct strbuf *sb, const struct vigil_event *ev, const char *priority)
{
	time_t secs = (time_t)(ev->ts_ns / 1000000000ull);
	struct tm tm;
	char hms[16];
	localtime_r(&secs, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	strbuf_addf(sb, "%s.%09llu: %s ", hms, (unsigned long long)(ev->ts_ns % 1000000000ull),
		    priority);
}

static void output_fields_json(struct strbuf *sb, const struct output_fmt *f,
			       const struct vigil_event *ev, const struct field_ctx *ctx)
{
	struct field_value v;
	bool first = true;
	strbuf_addc(sb, '{');
	for (size_t i = 0; i < f->n; i++) {
		const struct piece *p = &f->pieces[i];
		if (p->lit)
			continue;
		bool seen = false; /* a field used twice is listed once */
		for (size_t j = 0; j < i && !seen; j++)
			seen = !f->pieces[j].lit &&
			       strcmp(f->pieces[j].field_text, p->field_text) == 0;
		if (seen)
			continue;
		if (!first)
			strbuf_addc(sb, ',');
		first = false;
		strbuf_add_json_str(sb, p->field_text, strlen(p->field_text));
		strbuf_addc(sb, ':');
		field_extract(&p->field, ev, ctx, &v);
		json_value(sb, &v);
	}
	strbuf_addc(sb, '}');
}

void output_alert_json(struct strbuf *sb, const struct alert_rule *rule,
		       const struct vigil_event *ev, const struct field_ctx *ctx)
{
	char ts[40], uuid[37];
	struct strbuf text;
	strbuf_init(&text, 64 * 1024);
	output_prefix(&text, ev, rule->priority);
	output_render(rule->output, ev, ctx, &text);
	vigil_fmt_rfc3339(ts, ev->ts_ns);
	uuid4(uuid);
	strbuf_adds(sb, "{\"hostname\":");
	const char *host = ctx && ctx->hostname ? ctx->hostname : "";
	strbuf_add_json_str(sb, host, strlen(host));
	strbuf_adds(sb, ",\"output\":");
	strbuf_add_json_str(sb, text.data ? text.data : "", text.len);
	strbuf_adds(sb, ",\"output_fields\":");
	output_fields_json(sb, rule->output, ev, ctx);
	strbuf_adds(sb, ",\"priority\":");
	strbuf_add_json_str(sb, rule->priority, strlen(rule->priority));
	strbuf_adds(sb, ",\"rule\":");
	strbuf_add_json_str(sb, rule->name, strlen(rule->name));
	strbuf_adds(sb, ",\"source\":");
	strbuf_add_json_str(sb, rule->source, strlen(rule->source));
	strbuf_adds(sb, ",\"tags\":[");
	for (size_t i = 0; i < rule->n_tags; i++) {
		if (i)
			strbuf_addc(sb, ',');
		strbuf_add_json_str(sb, rule->tags[i], strlen(rule->tags[i]));
	}
	strbuf_adds(sb, "],\"time\":\"");
	strbuf_adds(sb, ts);
	strbuf_adds(sb, "\",\"uuid\":\"");
	strbuf_adds(sb, uuid);
	strbuf_adds(sb, "\"}");
	strbuf_free(&text);
}
