/* alerts.c — Falco-format alert lines, buffered and written in large writes. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/alerts.h"
#include "analyzer/delivery.h"
#include "vigil/log.h"

#define FLUSH_BYTES (64u * 1024u)

void alerts_init(struct alert_out *a, int fd, const struct field_ctx *ctx)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->ctx = ctx;
	strbuf_init(&a->buf, FLUSH_BYTES + 1024 * 1024);
	strbuf_init(&a->one, 1024 * 1024);
}

void alerts_flush(struct alert_out *a)
{
	if (a->buf.len && vigil_write_all(a->fd, a->buf.data, a->buf.len) != 0) {
		if (!a->failed)
			LOG_ERR("writing alerts: %s", strerror(errno));
		a->failed = true;
	}
	strbuf_reset(&a->buf);
}

void alerts_emit(struct alert_out *a, const struct alert_rule *ar, int priority,
		 const struct vigil_event *ev)
{
	a->count++;
	if (a->delivery) { /* one alert at a time: the sinks queue and batch */
		strbuf_reset(&a->one);
		output_alert_json(&a->one, ar, ev, a->ctx);
		if (!a->one.truncated && a->one.data)
			delivery_submit(a->delivery, a->one.data, a->one.len, priority);
		return;
	}
	size_t before = a->buf.len;
	output_alert_json(&a->buf, ar, ev, a->ctx);
	strbuf_addc(&a->buf, '\n');
	if (a->buf.truncated) { /* never a half line */
		a->buf.len = before;
		a->buf.truncated = false;
		alerts_flush(a);
		output_alert_json(&a->buf, ar, ev, a->ctx);
		strbuf_addc(&a->buf, '\n');
	}
	if (a->buf.len >= FLUSH_BYTES)
		alerts_flush(a);
}

void alerts_on_match(const struct compiled_rule *r, const struct vigil_event *ev, void *arg)
{
	struct alert_rule ar = {r->src->name,	rules_priority_name(r->src->priority),
				r->src->source, (const char *const *)r->src->tags,
				r->src->ntags,	r->output};
	alerts_emit(arg, &ar, (int)r->src->priority, ev);
}

void alerts_free(struct alert_out *a)
{
	alerts_flush(a);
	strbuf_free(&a->buf);
	strbuf_free(&a->one);
}
