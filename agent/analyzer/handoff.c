/*
 * handoff.c — tell the supervisor what to trace: the syscalls the rules can
 * match (plus what FIM attribution needs), which need their result, and
 * the path predicates that decide which opens need theirs.
 */
#include <string.h>

#include "analyzer/handoff.h"
#include "vigil/handoff_wire.h"
#include "vigil/log.h"

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

static enum vigil_handoff_policy policy_of(const char *p)
{
	return !p			    ? VIGIL_HANDOFF_POLICY_UNSET
	       : strcmp(p, "security") == 0 ? VIGIL_HANDOFF_POLICY_SECURITY
					    : VIGIL_HANDOFF_POLICY_AVAILABILITY;
}

void handoff_write_policy(int fd, const char *policy)
{
	struct strbuf sb;
	strbuf_init(&sb, 64);
	if (vigil_handoff_encode_policy(&sb, policy_of(policy)) != 0 ||
	    (sb.len && vigil_write_all(fd, sb.data, sb.len) != 0))
		LOG_WARN("telling the supervisor the start policy failed");
	strbuf_free(&sb);
}

void handoff_write_syscalls(int fd, const struct engine *e, const vigil_sc_set *extra,
			    const char *policy)
{
	struct vigil_handoff h;
	h.policy = policy_of(policy);
	h.all = !engine_syscalls(e, &h.set);
	for (size_t w = 0; extra && w < sizeof(h.set.bits) / sizeof(h.set.bits[0]); w++)
		h.set.bits[w] |= extra->bits[w];
	narrow_sends(&h.set);
	engine_result_syscalls(e, &h.results);
	engine_open_prefilter(e, &h.open_paths); /* which opens need their result, by path */
	struct strbuf sb;
	strbuf_init(&sb, VIGIL_HANDOFF_MAX);
	if (vigil_handoff_encode(&sb, &h) != 0 || vigil_write_all(fd, sb.data, sb.len) != 0)
		LOG_WARN("telling the supervisor the syscall set failed");
	prefilter_free(&h.open_paths);
	strbuf_free(&sb);
}
