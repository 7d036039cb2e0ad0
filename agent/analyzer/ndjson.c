/*
 * ndjson.c — the --events-out format (docs/events.md).
 *
 * Hand-written rather than built with a JSON library: it runs once per
 * event, and the shape is flat and fixed, so appending to one buffer is
 * both the simplest and the fastest way. Strings are escaped by strbuf.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "analyzer/ndjson.h"
#include "vigil/caps.h"
#include "vigil/syscalls.h"

static void key(struct strbuf *sb, const char *k)
{
	/* sb may hold earlier lines: a comma unless this is the object's first key. */
	if (sb->len && sb->data[sb->len - 1] != '{')
		strbuf_addc(sb, ',');
	strbuf_addc(sb, '"');
	strbuf_adds(sb, k);
	strbuf_add(sb, "\":", 2);
}

static void kv_str(struct strbuf *sb, const struct vigil_event *ev, const char *k, vigil_str s)
{
	if (!vigil_str_present(s))
		return;
	key(sb, k);
	strbuf_add_json_str(sb, vigil_str_ptr(ev, s), s.len);
}

static void kv_cstr(struct strbuf *sb, const char *k, const char *v)
{
	key(sb, k);
	strbuf_add_json_str(sb, v, strlen(v));
}

static void kv_int(struct strbuf *sb, const char *k, long long v)
{
	key(sb, k);
	strbuf_add_int(sb, v);
}

static void kv_bool(struct strbuf *sb, const char *k, bool v)
{
	key(sb, k);
	strbuf_adds(sb, v ? "true" : "false");
}

/* Falco's form. Masks rarely change between events: each set is formatted once. */
static void caps(struct strbuf *sb, const char *key, int which, uint64_t mask)
{
	static char buf[3][1024];
	static uint64_t cached_mask[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX};
	if (mask != cached_mask[which]) {
		struct strbuf tmp = {buf[which],	 0,	sizeof(buf[which]),
				     sizeof(buf[which]), false, false};
		buf[which][0] = '\0';
		vigil_caps_names(&tmp, mask);
		cached_mask[which] = mask;
	}
	kv_cstr(sb, key, buf[which]);
}

static void user_name(struct strbuf *sb, uint32_t uid)
{
	static uint32_t cached_uid = UINT32_MAX;
	static char cached[64];
	if (uid != cached_uid) {
		struct passwd pw, *res = NULL;
		char buf[2048];
		cached[0] = '\0';
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(cached, sizeof(cached), "%s", res->pw_name);
		cached_uid = uid;
	}
	if (cached[0])
		kv_cstr(sb, "user.name", cached);
}

static void proc_fields(struct strbuf *sb, const struct vigil_event *ev)
{
	const struct vigil_proc *p = &ev->proc;
	kv_int(sb, "proc.pid", p->pid);
	kv_int(sb, "thread.tid", p->tid);
	kv_int(sb, "proc.ppid", p->ppid);
	kv_str(sb, ev, "proc.name", p->name);
	kv_str(sb, ev, "proc.exe", p->exe);
	kv_str(sb, ev, "proc.exepath", p->exepath);
	kv_str(sb, ev, "proc.args", p->args);
	if (vigil_str_present(p->name)) {
		key(sb, "proc.cmdline");
		struct strbuf tmp;
		strbuf_init(&tmp, VIGIL_ARGS_MAX + 64);
		strbuf_add(&tmp, vigil_str_ptr(ev, p->name), p->name.len);
		if (vigil_str_present(p->args) && p->args.len) {
			strbuf_addc(&tmp, ' ');
			strbuf_add(&tmp, vigil_str_ptr(ev, p->args), p->args.len);
		}
		strbuf_add_json_str(sb, tmp.data ? tmp.data : "", tmp.len);
		strbuf_free(&tmp);
	}
	kv_str(sb, ev, "proc.cwd", p->cwd);
	kv_int(sb, "proc.tty", p->tty);
	kv_int(sb, "proc.sid", p->sid);
	kv_int(sb, "proc.vpgid", p->vpgid);
	kv_str(sb, ev, "proc.pname", p->pname);
	kv_str(sb, ev, "proc.pcmdline", p->pcmdline);
	kv_str(sb, ev, "proc.pexepath", p->pexepath);
	kv_str(sb, ev, "proc.pexe", p->pexe);
	key(sb, "proc.aname");
	strbuf_addc(sb, '[');
	strbuf_add_json_str(sb, vigil_str_ptr(ev, p->name) ? vigil_str_ptr(ev, p->name) : "",
			    p->name.len);
	for (int i = 0; i < p->n_ancestors; i++) {
		strbuf_addc(sb, ',');
		vigil_str n = p->ancestors[i].name;
		strbuf_add_json_str(sb, vigil_str_ptr(ev, n) ? vigil_str_ptr(ev, n) : "", n.len);
	}
	strbuf_addc(sb, ']');
	key(sb, "proc.apid");
	strbuf_addc(sb, '[');
	strbuf_add_int(sb, p->pid);
	for (int i = 0; i < p->n_ancestors; i++) {
		strbuf_addc(sb, ',');
		strbuf_add_int(sb, p->ancestors[i].pid);
	}
	strbuf_addc(sb, ']');
	kv_bool(sb, "proc.is_exe_from_memfd", p->is_exe_from_memfd);
	kv_str(sb, ev, "proc.stdin.type", p->stdin_type);
	kv_str(sb, ev, "proc.stdin.name", p->stdin_name);
	kv_str(sb, ev, "proc.stdout.type", p->stdout_type);
	kv_str(sb, ev, "proc.stdout.name", p->stdout_name);
	if (p->vflags & VIGIL_PROC_PARENT_VIGIL) /* written when true; absent reads as false */
		kv_bool(sb, "vigil.is_entrypoint", true);
	if (p->vflags & VIGIL_PROC_ARGS_TRUNCATED)
		kv_bool(sb, "vigil.args_truncated", true);
	if (p->start_ns)
		kv_int(sb, "proc.start_ts", (long long)p->start_ns);
	kv_int(sb, "user.uid", p->uid);
	user_name(sb, p->uid);
	kv_int(sb, "user.loginuid", p->loginuid);
	kv_int(sb, "group.gid", p->gid);
	caps(sb, "thread.cap_effective", 0, p->cap_effective);
	caps(sb, "thread.cap_permitted", 1, p->cap_permitted);
	caps(sb, "thread.cap_inheritable", 2, p->cap_inheritable);
}

static void fd_type_fields(struct strbuf *sb, int type)
{
	const char *name = vigil_fd_type_name((unsigned)type); /* NULL for none */
	if (!name)
		return;
	kv_cstr(sb, "fd.type", name);
	kv_cstr(sb, "fd.typechar", vigil_fd_type_char((unsigned)type));
	if (type == VIGIL_FD_IPV4 || type == VIGIL_FD_IPV6)
		kv_cstr(sb, "fd.sockfamily", "ip");
	else if (type == VIGIL_FD_UNIX)
		kv_cstr(sb, "fd.sockfamily", "unix");
}

static void ip_field(struct strbuf *sb, const char *k, int type, const uint8_t *ip)
{
	char buf[INET6_ADDRSTRLEN];
	static const uint8_t zero[16];
	if (memcmp(ip, zero, type == VIGIL_FD_IPV4 ? 4 : 16) == 0 && strcmp(k, "fd.sip") == 0)
		return;
	if (inet_ntop(type == VIGIL_FD_IPV4 ? AF_INET : AF_INET6, ip, buf, sizeof(buf)))
		kv_cstr(sb, k, buf);
}

static void fd_fields(struct strbuf *sb, const struct vigil_event *ev)
{
	const struct vigil_fd *fd = &ev->fd;
	if (fd->num >= 0)
		kv_int(sb, "fd.num", fd->num);
	kv_str(sb, ev, "fd.name", fd->name);
	fd_type_fields(sb, fd->type);
	if ((fd->type == VIGIL_FD_FILE || fd->type == VIGIL_FD_DIRECTORY) &&
	    vigil_str_present(fd->name)) {
		const char *name = vigil_str_ptr(ev, fd->name);
		const char *slash = memrchr(name, '/', fd->name.len);
		if (slash) {
			size_t dlen = (size_t)(slash - name);
			key(sb, "fd.directory");
			strbuf_add_json_str(sb, dlen ? name : "/", dlen ? dlen : 1);
			key(sb, "fd.filename");
			strbuf_add_json_str(sb, slash + 1, fd->name.len - dlen - 1);
		}
	}
	if (fd->type == VIGIL_FD_IPV4 || fd->type == VIGIL_FD_IPV6) {
		bool has_d = fd->dport != 0, has_s = fd->sport != 0;
		if (has_d) {
			ip_field(sb, "fd.dip", fd->type, fd->dip);
			kv_int(sb, "fd.dport", fd->dport);
		}
		if (has_s || !has_d) {
			ip_field(sb, "fd.sip", fd->type, fd->sip);
			kv_int(sb, "fd.sport", fd->sport);
		}
	}
}

static void health_fields(struct strbuf *sb, const struct vigil_health *h)
{
	kv_int(sb, "vigil.events_dropped", (long long)h->events_dropped);
	kv_int(sb, "vigil.events_lost", (long long)h->events_lost);
	kv_int(sb, "vigil.analyzer_restarts", (long long)h->analyzer_restarts);
	kv_int(sb, "vigil.read_errors", (long long)h->read_errors);
	kv_int(sb, "vigil.tracees", (long long)h->tracee_count);
	kv_int(sb, "vigil.events_dropped_new", (long long)h->dropped_new);
	kv_int(sb, "vigil.events_lost_new", (long long)h->lost_new);
	kv_int(sb, "vigil.analyzer_restarts_new", (long long)h->restarts_new);
	kv_bool(sb, "vigil.fim_degraded", h->fim_unwatched > 0);
	kv_int(sb, "vigil.fim_unwatched", (long long)h->fim_unwatched);
	kv_int(sb, "vigil.fim_overflows", (long long)h->fim_overflows);
	kv_cstr(sb, "vigil.sensor", vigil_sensor_name((unsigned)h->sensor));
}

/* One side of a FIM change: the recorded ("fim.prev_") or current ("fim.") state. */
static void fim_side(struct strbuf *sb, const struct vigil_event *ev, const char *prefix,
		     uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size, vigil_str sha256,
		     vigil_str target)
{
	char k[32], m[16];
	snprintf(m, sizeof(m), "%04o", mode & 07777);
	snprintf(k, sizeof(k), "%smode", prefix);
	kv_cstr(sb, k, m);
	snprintf(k, sizeof(k), "%suid", prefix);
	kv_int(sb, k, uid);
	snprintf(k, sizeof(k), "%sgid", prefix);
	kv_int(sb, k, gid);
	snprintf(k, sizeof(k), "%ssize", prefix);
	kv_int(sb, k, (long long)size);
	snprintf(k, sizeof(k), "%ssha256", prefix);
	kv_str(sb, ev, k, sha256);
	snprintf(k, sizeof(k), "%starget", prefix);
	kv_str(sb, ev, k, target);
}

/* fim.* as the rules see them (fields_fim.c): octal modes, hex hashes. */
static void fim_fields(struct strbuf *sb, const struct vigil_event *ev)
{
	const struct vigil_fim *f = &ev->fim;
	const char *action = vigil_fim_action_name(f->action),
		   *by = vigil_fim_detector_name(f->detected_by);
	kv_str(sb, ev, "fim.path", f->path);
	if (action)
		kv_cstr(sb, "fim.action", action);
	kv_str(sb, ev, "fim.type", f->type);
	kv_str(sb, ev, "fim.changed", f->changed);
	kv_str(sb, ev, "fim.tags", f->tags);
	if (by)
		kv_cstr(sb, "fim.detected_by", by);
	kv_bool(sb, "fim.attributed", f->attributed);
	if (f->has_prev)
		fim_side(sb, ev, "fim.prev_", f->prev_mode, f->prev_uid, f->prev_gid, f->prev_size,
			 f->prev_sha256, f->prev_target);
	if (f->has_cur)
		fim_side(sb, ev, "fim.", f->mode, f->uid, f->gid, f->size, f->sha256, f->target);
}

/* evt.arg.* names come off the wire: only [a-z0-9_], at most 40 bytes. */
static bool key_is_safe(const char *k, size_t len)
{
	if (!k || len == 0 || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* vigil.tamper and the evt.arg.* entries. */
static void tamper_and_args(struct strbuf *sb, const struct vigil_event *ev)
{
	const char *tamper = vigil_tamper_name(ev->tamper);
	if (tamper)
		kv_cstr(sb, "vigil.tamper", tamper);
	for (int i = 0; i < ev->n_evargs; i++) {
		char k[64];
		vigil_str ks = ev->evargs[i].key;
		if (!key_is_safe(vigil_str_ptr(ev, ks), ks.len))
			continue;
		snprintf(k, sizeof(k), "evt.arg.%.*s", (int)ks.len, vigil_str_ptr(ev, ks));
		kv_str(sb, ev, k, ev->evargs[i].val);
	}
}

void ndjson_event(struct strbuf *sb, const struct vigil_event *ev)
{
	char ts[40];
	strbuf_addc(sb, '{');
	kv_int(sb, "evt.num", (long long)ev->num);
	kv_int(sb, "evt.rawtime", (long long)ev->ts_ns);
	vigil_fmt_rfc3339(ts, ev->ts_ns);
	kv_cstr(sb, "evt.time", ts);
	kv_cstr(sb, "evt.type", vigil_syscall_name(ev->type));
	if (ev->kind == VIGIL_EV_FIM) {
		kv_cstr(sb, "evt.source", "fim");
		fim_fields(sb, ev);
		if (ev->fim.attributed)
			proc_fields(sb, ev);
		strbuf_addc(sb, '}');
		return;
	}
	if (ev->kind == VIGIL_EV_HEALTH) {
		kv_cstr(sb, "evt.source", "vigil");
		health_fields(sb, &ev->health);
		strbuf_addc(sb, '}');
		return;
	}
	if (ev->kind == VIGIL_EV_COVERAGE) { /* vigil's own: who it is and what it watches */
		kv_cstr(sb, "evt.source", "vigil");
		kv_int(sb, "proc.pid", ev->proc.pid);
		tamper_and_args(sb, ev);
		strbuf_addc(sb, '}');
		return;
	}
	if (ev->kind == VIGIL_EV_UNSEEN_OPEN) { /* no process: nobody said who opened it */
		kv_cstr(sb, "evt.source", "vigil");
		tamper_and_args(sb, ev);
		fd_fields(sb, ev);
		strbuf_addc(sb, '}');
		return;
	}
	kv_cstr(sb, "evt.source", "syscall");
	kv_cstr(sb, "evt.dir", ev->has_res ? "<" : ">");
	if (ev->kind == VIGIL_EV_PROCEXIT) {
		kv_int(sb, ev->exit_kind == 2 ? "evt.arg.sig" : "evt.arg.status", ev->res);
		kv_int(sb, "evt.res", 0);
	} else if (ev->has_res) {
		kv_int(sb, "evt.res", ev->res);
	}
	kv_cstr(sb, "evt.arch", vigil_arch_name(ev->arch));
	tamper_and_args(sb, ev);
	if (vigil_sc_opens_file(ev->type)) {
		kv_bool(sb, "evt.is_open_read", ev->open_flags & VIGIL_OPEN_READ);
		kv_bool(sb, "evt.is_open_write", ev->open_flags & VIGIL_OPEN_WRITE);
		kv_bool(sb, "evt.is_open_exec", ev->open_flags & VIGIL_OPEN_EXEC);
	}
	fd_fields(sb, ev);
	proc_fields(sb, ev);
	strbuf_addc(sb, '}');
}
