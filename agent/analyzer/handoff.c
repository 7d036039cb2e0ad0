/*
 * handoff.c — tell the supervisor what to trace: the syscalls the rules can
 * match (plus what FIM attribution needs), which need their result, and
 * the path predicates that decide which opens need theirs.
 */
#include <string.h>

#include "analyzer/handoff.h"
#include "vigil/log.h"
#include "vigil/prefilter.h"
#include "vigil/strbuf.h"

#define HANDOFF_MAX (256u * 1024u) /* the supervisor reads at most this much */

/*
 * sendto/sendmsg/sendmmsg are data-path calls, as hot as write: vigil never
 * traps them whole for rules. A rule that names them gets their connecting
 * form, the sends with MSG_FASTOPEN, which the filter picks out in the
 * kernel when connect is traced (seccomp_filter.c). So Falco's outbound
 * macro, which names them, costs nothing on plain sends.
 */
static void narrow_sends(vigil_sc_set *set)
{
	static const int sends[] = {VIGIL_SC_SENDTO, VIGIL_SC_SENDMSG, VIGIL_SC_SENDMMSG};
	for (size_t i = 0; i < sizeof(sends) / sizeof(sends[0]); i++) {
		if (!vigil_sc_set_has(set, sends[i]))
			continue;
		vigil_sc_set_del(set, sends[i]);
		vigil_sc_set_add(set, VIGIL_SC_CONNECT);
	}
}

void handoff_write_syscalls(int fd, const struct engine *e, const vigil_sc_set *extra)
{
	vigil_sc_set set, results;
	bool restricted = engine_syscalls(e, &set);
	for (size_t w = 0; extra && w < sizeof(set.bits) / sizeof(set.bits[0]); w++)
		set.bits[w] |= extra->bits[w];
	narrow_sends(&set);
	engine_result_syscalls(e, &results);
	struct strbuf sb;
	strbuf_init(&sb, HANDOFF_MAX);
	for (int pass = 0; pass < 2; pass++) {
		const vigil_sc_set *s = pass ? &results : &set;
		strbuf_adds(&sb, pass ? "RESULTS " : restricted ? "SYSCALLS " : "SYSCALLS *");
		bool first = true;
		for (int t = 1; t < VIGIL_SC_PROCEXIT && (pass || restricted); t++) {
			if (!vigil_sc_set_has(s, t))
				continue;
			if (!first)
				strbuf_addc(&sb, ',');
			strbuf_adds(&sb, vigil_syscall_name(t));
			first = false;
		}
		strbuf_addc(&sb, '\n');
	}
	struct prefilter pf;
	engine_open_prefilter(e, &pf);
	if (pf.active) { /* which opens need their result, by path */
		strbuf_adds(&sb, "OPENPATHS\n");
		for (size_t i = 0; i < pf.n; i++) {
			strbuf_addc(&sb, pf.preds[i].op);
			strbuf_add(&sb, pf.preds[i].s, pf.preds[i].len);
			strbuf_addc(&sb, '\n');
		}
	}
	prefilter_free(&pf);
	if (sb.truncated || !sb.data || vigil_write_all(fd, sb.data, sb.len) != 0)
		LOG_WARN("telling the supervisor the syscall set failed");
	strbuf_free(&sb);
}

