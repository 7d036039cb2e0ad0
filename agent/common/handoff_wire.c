/* handoff_wire.c — the supervisor⇄analyzer start-up answer (see handoff_wire.h). */
#include <string.h>

#include "vigil/handoff_wire.h"

static void encode_set(struct strbuf *out, const char *key, const vigil_sc_set *s)
{
	strbuf_adds(out, key);
	bool first = true;
	for (int t = 1; t < VIGIL_SC_PROCEXIT; t++) {
		if (!vigil_sc_set_has(s, t))
			continue;
		if (!first)
			strbuf_addc(out, ',');
		strbuf_adds(out, vigil_syscall_name(t));
		first = false;
	}
	strbuf_addc(out, '\n');
}

static const char *policy_name(enum vigil_handoff_policy p)
{
	return p == VIGIL_HANDOFF_POLICY_SECURITY	? "security"
	       : p == VIGIL_HANDOFF_POLICY_AVAILABILITY ? "availability"
							: NULL;
}

int vigil_handoff_encode_policy(struct strbuf *out, enum vigil_handoff_policy p)
{
	const char *name = policy_name(p);
	if (name) {
		strbuf_adds(out, "POLICY ");
		strbuf_adds(out, name);
		strbuf_addc(out, '\n');
	}
	return out->truncated || out->oom ? -1 : 0;
}

int vigil_handoff_encode(struct strbuf *out, const struct vigil_handoff *h)
{
	strbuf_reset(out);
	vigil_handoff_encode_policy(out, h->policy);
	if (h->all)
		strbuf_adds(out, "SYSCALLS *\n");
	else
		encode_set(out, "SYSCALLS ", &h->set);
	encode_set(out, "RESULTS ", &h->results);
	const struct prefilter *pf = &h->open_paths;
	if (pf->active) {
		strbuf_adds(out, "OPENPATHS\n");
		for (size_t i = 0; i < pf->n; i++) {
			strbuf_addc(out, pf->preds[i].op);
			strbuf_add(out, pf->preds[i].s, pf->preds[i].len);
			strbuf_addc(out, '\n');
		}
	}
	/* The reader's buffer keeps a NUL after the answer. */
	return out->truncated || out->oom || !out->data || out->len > VIGIL_HANDOFF_MAX - 1 ? -1
											    : 0;
}

/* "SYSCALLS a,b" or "SYSCALLS *" (every decodable syscall). */
static int parse_line(const char *line, const char *key, vigil_sc_set *set)
{
	size_t klen = strlen(key);
	if (strncmp(line, key, klen) != 0)
		return -1;
	const char *list = line + klen;
	if (strcmp(list, "*") == 0) {
		vigil_sc_set_default(set);
		return 0;
	}
	const char *bad;
	int bad_len;
	return vigil_sc_set_parse(set, list, &bad, &bad_len);
}

/* "OPENPATHS" then one predicate per line; anything unreadable switches it off. */
static void parse_prefilter(char *text, struct prefilter *pf)
{
	if (!text || strncmp(text, "OPENPATHS\n", 10) != 0)
		return;
	pf->active = true;
	for (char *line = text + 10, *nl; *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			break; /* cut short: the last line is incomplete */
		*nl = '\0';
		if (prefilter_parse_pred(pf, line) != 0) {
			prefilter_free(pf);
			return;
		}
	}
}

enum vigil_handoff_status vigil_handoff_decode(char *text, size_t len, struct vigil_handoff *h)
{
	size_t whole = len; /* a full buffer may have been cut */
	memset(h, 0, sizeof(*h));
	if (len == 0)
		return VIGIL_HANDOFF_NO_ANSWER;
	if (strncmp(text, "POLICY ", 7) == 0) { /* first, and optional */
		char *end = strchr(text, '\n');
		if (!end)
			return VIGIL_HANDOFF_NO_LINE;
		*end = '\0';
		h->policy = strcmp(text + 7, "security") == 0 ? VIGIL_HANDOFF_POLICY_SECURITY
			    : strcmp(text + 7, "availability") == 0
				    ? VIGIL_HANDOFF_POLICY_AVAILABILITY
				    : VIGIL_HANDOFF_POLICY_UNSET;
		len -= (size_t)(end + 1 - text);
		text = end + 1;
		if (len == 0)
			return VIGIL_HANDOFF_NO_LINE;
	}
	if (strncmp(text, "ERROR", 5) == 0)
		return VIGIL_HANDOFF_FAILED;
	char *nl = strchr(text, '\n');
	if (!nl)
		return VIGIL_HANDOFF_NO_LINE;
	*nl = '\0';
	char *second = nl + 1;
	char *nl2 = strchr(second, '\n');
	if (nl2)
		*nl2 = '\0';
	if (parse_line(text, "SYSCALLS ", &h->set) != 0 ||
	    parse_line(second, "RESULTS ", &h->results) != 0)
		return VIGIL_HANDOFF_UNREADABLE;
	h->all = strcmp(text, "SYSCALLS *") == 0;
	if (nl2 && whole < VIGIL_HANDOFF_MAX - 1) /* a full buffer may be cut: no prefilter then */
		parse_prefilter(nl2 + 1, &h->open_paths);
	return VIGIL_HANDOFF_OK;
}
