/*
 * fields_extract.c — values of fields for one event (see fields.h).
 *
 * Socket addresses follow Falco's meaning: for connect vigil's process is
 * the client (local = client, remote = server); for accept, bind and
 * listen it is the server. The event keeps local in fd.s* and remote in
 * fd.d* (docs/events.md).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "rules/errno_names.h"
#include "rules/fields.h"
#include "rules/fields_ids.h"
#include "rules/fields_set.h"
#include "vigil/caps.h"
#include "vigil/strbuf.h"
#include "vigil/syscalls.h"

static void evt_arg(const struct field_ref *ref, const struct vigil_event *ev,
		    struct field_value *v)
{
	for (int i = 0; i < ev->n_evargs; i++) {
		vigil_str k = ev->evargs[i].key;
		bool match = ref->argpos >= 0 ? i == ref->argpos
					      : k.len == strlen(ref->argname) &&
							memcmp(vigil_str_ptr(ev, k), ref->argname,
							       k.len) == 0;
		if (match) {
			set_vstr(v, ev, ev->evargs[i].val);
			return;
		}
	}
}

static void evt_args(const struct vigil_event *ev, struct field_value *v)
{
	struct strbuf sb = {v->buf, 0, sizeof(v->buf), sizeof(v->buf), false, false};
	for (int i = 0; i < ev->n_evargs; i++) {
		vigil_str k = ev->evargs[i].key, val = ev->evargs[i].val;
		if (i)
			strbuf_addc(&sb, ' ');
		strbuf_add(&sb, vigil_str_ptr(ev, k) ? vigil_str_ptr(ev, k) : "", k.len);
		strbuf_addc(&sb, '=');
		strbuf_add(&sb, vigil_str_ptr(ev, val) ? vigil_str_ptr(ev, val) : "", val.len);
	}
	set_buf(v, sb.len);
}

/* The ABI-independent errno name for a negative result ("ENOENT"), or NULL. */
static const char *field_errno_name(long err)
{
	return err < 0 ? errno_name(-err) : NULL;
}

static void evt_res(const struct vigil_event *ev, struct field_value *v)
{
	if (!ev->has_res || ev->kind != VIGIL_EV_SYSCALL)
		return;
	const char *name = ev->res >= 0 ? "SUCCESS" : field_errno_name(ev->res);
	if (name) {
		set_cstr(v, name);
	} else {
		int n = snprintf(v->buf, sizeof(v->buf), "%lld", (long long)ev->res);
		set_buf(v, n > 0 ? (size_t)n : 0);
	}
}

static void cmdline(const struct vigil_event *ev, struct field_value *v)
{
	const struct vigil_proc *p = &ev->proc;
	if (!vigil_str_present(p->name))
		return;
	struct strbuf sb = {v->buf, 0, sizeof(v->buf), sizeof(v->buf), false, false};
	strbuf_add(&sb, vigil_str_ptr(ev, p->name), p->name.len);
	if (vigil_str_present(p->args) && p->args.len) {
		strbuf_addc(&sb, ' ');
		strbuf_add(&sb, vigil_str_ptr(ev, p->args), p->args.len);
	}
	set_buf(v, sb.len);
}

/* Ancestor n: 0 is the process itself, 1 its parent, ... */
static void ancestor(const struct vigil_event *ev, int n, bool want_pid, struct field_value *v)
{
	if (n == 0) {
		if (want_pid)
			set_int(v, ev->proc.pid);
		else
			set_vstr(v, ev, ev->proc.name);
	} else if (n - 1 < ev->proc.n_ancestors) {
		const struct vigil_ancestor *a = &ev->proc.ancestors[n - 1];
		if (want_pid)
			set_int(v, a->pid);
		else
			set_vstr(v, ev, a->name);
	}
}

/* Name for a uid/gid from the container's own files, cached for the last id. */
static void id_name(bool group, uint32_t id, struct field_value *v)
{
	static uint32_t cached_id[2] = {UINT32_MAX, UINT32_MAX};
	static char cached[2][64];
	int k = group ? 1 : 0;
	if (cached_id[k] != id) {
		char buf[4096];
		cached[k][0] = '\0';
		if (group) {
			struct group gr, *res = NULL;
			if (getgrgid_r(id, &gr, buf, sizeof(buf), &res) == 0 && res)
				snprintf(cached[k], sizeof(cached[k]), "%s", res->gr_name);
		} else {
			struct passwd pw, *res = NULL;
			if (getpwuid_r(id, &pw, buf, sizeof(buf), &res) == 0 && res)
				snprintf(cached[k], sizeof(cached[k]), "%s", res->pw_name);
		}
		cached_id[k] = id;
	}
	if (cached[k][0])
		set_cstr(v, cached[k]);
}

static void path_part(const struct vigil_event *ev, bool want_dir, struct field_value *v)
{
	const struct vigil_fd *fd = &ev->fd;
	if ((fd->type != VIGIL_FD_FILE && fd->type != VIGIL_FD_DIRECTORY) ||
	    !vigil_str_present(fd->name))
		return;
	const char *name = vigil_str_ptr(ev, fd->name);
	const char *slash = memrchr(name, '/', fd->name.len);
	if (!slash)
		return;
	size_t dlen = (size_t)(slash - name);
	if (want_dir)
		set_str(v, dlen ? name : "/", dlen ? dlen : 1);
	else
		set_str(v, slash + 1, fd->name.len - dlen - 1);
}

/* Local (fd.s*) or remote (fd.d*) side of a socket event. */
static void sock_side(const struct vigil_event *ev, bool remote, bool want_port,
		      struct field_value *v)
{
	const struct vigil_fd *fd = &ev->fd;
	if (fd->type != VIGIL_FD_IPV4 && fd->type != VIGIL_FD_IPV6)
		return;
	uint16_t port = remote ? fd->dport : fd->sport;
	const uint8_t *ip = remote ? fd->dip : fd->sip;
	static const uint8_t zero[16];
	if (port == 0 && memcmp(ip, zero, fd->type == VIGIL_FD_IPV4 ? 4 : 16) == 0)
		return; /* that side is not known for this event */
	if (want_port) {
		set_int(v, port);
		return;
	}
	if (inet_ntop(fd->type == VIGIL_FD_IPV4 ? AF_INET : AF_INET6, ip, v->buf, sizeof(v->buf))) {
		enum field_type t = v->type; /* FT_IP or FT_NET, as the field says */
		set_buf(v, strlen(v->buf));
		v->type = t == FT_NET ? FT_NET : FT_IP;
	}
}

static bool is_client(const struct vigil_event *ev)
{
	/* A send with a destination connects (TCP Fast Open) or addresses a
	 * datagram: the caller is the client either way. */
	return ev->type == VIGIL_SC_CONNECT || ev->type == VIGIL_SC_SENDTO ||
	       ev->type == VIGIL_SC_SENDMSG || ev->type == VIGIL_SC_SENDMMSG;
}

/*
 * fd.connected and fd.name_changed as Falco's fd table has them after the
 * event, for the calls vigil traces: a connect that succeeded connects its
 * socket (in progress: not yet), an accepted socket is connected, and a
 * connect done or in progress names the socket with its tuple. (vigil does
 * not trace sendto/sendmsg, Falco's other source of name changes.) Other
 * events with an fd: false; no fd, or the result not known: <NA>.
 */
static void fd_state(int id, const struct vigil_event *ev, struct field_value *v)
{
	bool conn = ev->type == VIGIL_SC_CONNECT;
	bool acc = ev->type == VIGIL_SC_ACCEPT || ev->type == VIGIL_SC_ACCEPT4;
	if (ev->fd.type == VIGIL_FD_NONE || ((conn || acc) && !ev->has_res))
		return;
	if (id == F_FD_CONNECTED)
		set_bool(v, (conn && ev->res == 0) || (acc && ev->res >= 0));
	else
		set_bool(v, conn && (ev->res == 0 || ev->res == -EINPROGRESS));
}

static void extract_fd(int id, const struct vigil_event *ev, const struct field_ctx *ctx,
		       struct field_value *v)
{
	switch (id) {
	case F_FD_L4PROTO:
		if (ctx && ctx->l4proto && ev->fd.num >= 0)
			set_cstr(v, ctx->l4proto(ctx->sockets_state, ev->proc.pid, ev->fd.num));
		break;
	case F_FD_NUM:
		if (ev->fd.num >= 0)
			set_int(v, ev->fd.num);
		break;
	case F_FD_NAME:
	case F_FD_NAMERAW: set_vstr(v, ev, ev->fd.name); break;
	case F_FD_TYPE: set_cstr(v, vigil_fd_type_name(ev->fd.type)); break;
	case F_FD_TYPECHAR: set_cstr(v, vigil_fd_type_char(ev->fd.type)); break;
	case F_FD_DIRECTORY: path_part(ev, true, v); break;
	case F_FD_FILENAME: path_part(ev, false, v); break;
	case F_FD_SOCKFAMILY:
		if (ev->fd.type == VIGIL_FD_IPV4 || ev->fd.type == VIGIL_FD_IPV6)
			set_cstr(v, "ip");
		else if (ev->fd.type == VIGIL_FD_UNIX)
			set_cstr(v, "unix");
		break;
	case F_FD_LIP: sock_side(ev, false, false, v); break;
	case F_FD_RIP: sock_side(ev, true, false, v); break;
	case F_FD_LPORT: sock_side(ev, false, true, v); break;
	case F_FD_RPORT: sock_side(ev, true, true, v); break;
	case F_FD_SIP: sock_side(ev, is_client(ev), false, v); break;
	case F_FD_SPORT: sock_side(ev, is_client(ev), true, v); break;
	case F_FD_CIP: sock_side(ev, !is_client(ev), false, v); break;
	case F_FD_CPORT: sock_side(ev, !is_client(ev), true, v); break;
	case F_FD_LNET: sock_side(ev, false, false, v); break;
	case F_FD_RNET: sock_side(ev, true, false, v); break;
	case F_FD_SNET: sock_side(ev, is_client(ev), false, v); break;
	case F_FD_CNET: sock_side(ev, !is_client(ev), false, v); break;
	case F_FD_CONNECTED:
	case F_FD_NAME_CHANGED: fd_state(id, ev, v); break;
	}
}

static void extract_proc(int id, const struct field_ref *ref, const struct vigil_event *ev, int nth,
			 const struct field_ctx *ctx, struct field_value *v)
{
	const struct vigil_proc *p = &ev->proc;
	switch (id) {
	case F_PROC_PID:
	case F_PROC_VPID: set_int(v, p->pid); break;
	case F_PROC_PPID: set_int(v, p->ppid); break;
	case F_PROC_NAME: set_vstr(v, ev, p->name); break;
	case F_PROC_EXE: set_vstr(v, ev, p->exe); break;
	case F_PROC_EXEPATH: set_vstr(v, ev, p->exepath); break;
	case F_PROC_CMDLINE: cmdline(ev, v); break;
	case F_PROC_ARGS: set_vstr(v, ev, p->args); break;
	case F_PROC_PNAME: set_vstr(v, ev, p->pname); break;
	case F_PROC_PCMDLINE: set_vstr(v, ev, p->pcmdline); break;
	case F_PROC_PEXEPATH: set_vstr(v, ev, p->pexepath); break;
	case F_PROC_PEXE: set_vstr(v, ev, p->pexe); break;
	case F_PROC_ANAME:
	case F_PROC_APID:
		ancestor(ev, ref->index >= 0 ? ref->index : nth + 1, id == F_PROC_APID, v);
		break;
	case F_PROC_CWD: set_vstr(v, ev, p->cwd); break;
	case F_PROC_TTY: set_int(v, p->tty); break;
	case F_PROC_SID: set_int(v, p->sid); break;
	case F_PROC_VPGID: set_int(v, p->vpgid); break;
	case F_PROC_IS_VPGID_LEADER: set_bool(v, p->pid == p->vpgid); break;
	case F_PROC_IS_EXE_FROM_MEMFD: set_bool(v, p->is_exe_from_memfd); break;
	case F_PROC_DURATION:
		if (p->start_ns && ev->ts_ns >= p->start_ns)
			set_int(v, (int64_t)(ev->ts_ns - p->start_ns));
		break;
	case F_PROC_IS_EXE_UPPER_LAYER:
		if (ctx && ctx->was_written && vigil_str_present(p->exepath))
			set_bool(v,
				 ctx->was_written(ctx->written_state, vigil_str_ptr(ev, p->exepath),
						  p->exepath.len));
		break;
	case F_PROC_STDIN_TYPE: set_vstr(v, ev, p->stdin_type); break;
	case F_PROC_STDIN_NAME: set_vstr(v, ev, p->stdin_name); break;
	case F_PROC_STDOUT_TYPE: set_vstr(v, ev, p->stdout_type); break;
	case F_PROC_STDOUT_NAME: set_vstr(v, ev, p->stdout_name); break;
	case F_VIGIL_IS_ENTRYPOINT: set_bool(v, p->vflags & VIGIL_PROC_PARENT_VIGIL); break;
	case F_VIGIL_ARGS_TRUNCATED: set_bool(v, p->vflags & VIGIL_PROC_ARGS_TRUNCATED); break;
	case F_THREAD_TID: set_int(v, p->tid); break;
	case F_THREAD_CAP_EFFECTIVE:
	case F_THREAD_CAP_PERMITTED:
	case F_THREAD_CAP_INHERITABLE: {
		struct strbuf sb = {v->buf, 0, sizeof(v->buf), sizeof(v->buf), false, false};
		vigil_caps_names(&sb, id == F_THREAD_CAP_EFFECTIVE   ? p->cap_effective
				      : id == F_THREAD_CAP_PERMITTED ? p->cap_permitted
								     : p->cap_inheritable);
		set_buf(v, sb.len);
		break;
	}
	case F_USER_UID: set_int(v, p->uid); break;
	case F_USER_NAME: id_name(false, p->uid, v); break;
	case F_USER_LOGINUID: set_int(v, p->loginuid); break;
	case F_USER_LOGINNAME:
		if (p->loginuid >= 0)
			id_name(false, (uint32_t)p->loginuid, v);
		break;
	case F_GROUP_GID: set_int(v, p->gid); break;
	case F_GROUP_NAME: id_name(true, p->gid, v); break;
	}
}

static void extract_evt(int id, const struct field_ref *ref, const struct vigil_event *ev,
			const struct field_ctx *ctx, struct field_value *v)
{
	switch (id) {
	case F_EVT_TYPE: set_cstr(v, vigil_syscall_name(ev->type)); break;
	case F_EVT_DIR: set_cstr(v, ev->has_res ? "<" : ">"); break;
	case F_EVT_NUM: set_int(v, (int64_t)ev->num); break;
	case F_EVT_TIME: set_buf(v, vigil_fmt_rfc3339(v->buf, ev->ts_ns)); break;
	case F_EVT_RAWTIME: set_int(v, (int64_t)ev->ts_ns); break;
	case F_EVT_RES: evt_res(ev, v); break;
	case F_EVT_RAWRES:
		if (ev->has_res)
			set_int(v, ev->res);
		break;
	case F_EVT_ARGS: evt_args(ev, v); break;
	case F_EVT_ARG: evt_arg(ref, ev, v); break;
	case F_EVT_IS_OPEN_READ:
	case F_EVT_IS_OPEN_WRITE:
	case F_EVT_IS_OPEN_EXEC: {
		unsigned bit = id == F_EVT_IS_OPEN_READ	   ? VIGIL_OPEN_READ
			       : id == F_EVT_IS_OPEN_WRITE ? VIGIL_OPEN_WRITE
							   : VIGIL_OPEN_EXEC;
		set_bool(v, vigil_sc_opens_file(ev->type) && (ev->open_flags & bit));
		break;
	}
	case F_EVT_SOURCE:
		set_cstr(v, ev->kind == VIGIL_EV_HEALTH || ev->kind == VIGIL_EV_UNSEEN_OPEN ||
					    ev->kind == VIGIL_EV_COVERAGE
				    ? "vigil"
			    : ev->kind == VIGIL_EV_FIM ? "fim"
						       : "syscall");
		break;
	case F_EVT_HOSTNAME: set_cstr(v, ctx ? ctx->hostname : NULL); break;
	}
}

static void extract_container(int id, const struct field_ctx *ctx, struct field_value *v)
{
	if (!ctx)
		return;
	switch (id) {
	case F_CONTAINER_ID: set_cstr(v, ctx->container_id); break;
	case F_CONTAINER_NAME: set_cstr(v, ctx->container_name); break;
	case F_CONTAINER_IMAGE: set_cstr(v, ctx->image); break;
	case F_CONTAINER_IMAGE_REPOSITORY: set_cstr(v, ctx->image_repository); break;
	case F_CONTAINER_IMAGE_TAG: set_cstr(v, ctx->image_tag); break;
	case F_CONTAINER_PRIVILEGED:
		if (ctx->container_privileged >= 0)
			set_bool(v, ctx->container_privileged);
		break;
	}
}

void field_extract_nth(const struct field_ref *ref, const struct vigil_event *ev,
		       const struct field_ctx *ctx, int nth, struct field_value *v)
{
	v->present = false;
	v->type = ref->def->type;
	v->s = NULL;
	v->len = 0;
	v->i = 0;
	int id = ref->def->id;
	/* A FIM change has process fields only when vigil saw who made it; an
	 * unseen open never has them (no event said who opened the file). */
	bool fim = ev->kind == VIGIL_EV_FIM;
	bool has_proc = (!fim || ev->fim.attributed) && ev->kind != VIGIL_EV_UNSEEN_OPEN;
	if (id >= F_EVT_TYPE && id <= F_EVT_HOSTNAME)
		extract_evt(id, ref, ev, ctx, v);
	else if (id >= F_FIM_PATH && id <= F_FIM_PREV_TARGET)
		field_extract_fim(id, ev, v);
	else if (id >= F_PROC_PID && id <= F_GROUP_NAME) {
		if (has_proc)
			extract_proc(id, ref, ev, nth, ctx, v);
	} else if ((id == F_FD_IP || id == F_FD_PORT || id == F_FD_NET) &&
		   !fim) /* nth 0: local, 1: remote */
		sock_side(ev, nth == 1, id == F_FD_PORT, v);
	else if (id >= F_FD_NUM && id <= F_FD_NAME_CHANGED && !fim)
		extract_fd(id, ev, ctx, v);
	else if (id >= F_CONTAINER_ID && id <= F_CONTAINER_PRIVILEGED)
		extract_container(id, ctx, v);
	else if (id >= F_VIGIL_TAMPER && id <= F_VIGIL_SENSOR)
		field_extract_vigil(id, ev, v);
}

void field_extract(const struct field_ref *ref, const struct vigil_event *ev,
		   const struct field_ctx *ctx, struct field_value *out)
{
	field_extract_nth(ref, ev, ctx, 0, out);
}

int field_count(const struct field_ref *ref, const struct vigil_event *ev)
{
	int id = ref->def->id;
	if ((id == F_PROC_ANAME || id == F_PROC_APID) && ref->index < 0)
		return ev->proc.n_ancestors; /* any ancestor, parent first */
	if (id == F_FD_IP || id == F_FD_PORT || id == F_FD_NET)
		return 2; /* either end of the connection */
	return 1;
}
