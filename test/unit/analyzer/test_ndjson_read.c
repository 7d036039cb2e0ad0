/*
 * Unit tests: reading --events-out lines back (ndjson_read.h).
 *
 * The contract is a byte-identical round trip: write an event, read it
 * back, write it again. Malformed lines must fail with a message naming
 * the key, never crash (run under ASan/UBSan too).
 *
 * With file arguments it checks files instead (no cmocka):
 *   test_ndjson_read FILE...   every line round-trips byte for byte; prints lines/s
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

#include "analyzer/ndjson.h"
#include "analyzer/ndjson_read.h"
#include "vigil/syscalls.h"

static struct vigil_event ev, back;
static struct strbuf line1, line2;

/* ---- building events ------------------------------------------------------------- */

static void base_proc(struct vigil_event *e, int pid, const char *name, const char *args)
{
	struct vigil_proc *p = &e->proc;
	p->pid = p->tid = pid;
	p->ppid = 100;
	p->sid = 90;
	p->vpgid = 95;
	p->uid = 1000;
	p->gid = 1001;
	p->loginuid = 1000;
	p->tty = 34816;
	p->cap_effective = (1ull << 0) | (1ull << 19) | (1ull << 21) | (1ull << 40);
	p->name = vigil_event_cstr(e, name);
	p->exe = vigil_event_cstr(e, name);
	p->exepath = vigil_event_cstr(e, "/usr/bin/x");
	p->args = vigil_event_cstr(e, args);
	p->cwd = vigil_event_cstr(e, "/srv/app/");
	p->pname = vigil_event_cstr(e, "bash");
	p->pcmdline = vigil_event_cstr(e, "bash -c run");
	p->pexepath = vigil_event_cstr(e, "/bin/bash");
	static const char *const anc[] = {"bash", "tini", "vigil"};
	p->n_ancestors = 3;
	for (int i = 0; i < 3; i++) {
		p->ancestors[i].pid = 100 - i * 10;
		p->ancestors[i].name = vigil_event_cstr(e, anc[i]);
	}
}

static void start(struct vigil_event *e, enum vigil_event_kind kind, int type)
{
	vigil_event_init(e, kind);
	e->num = 4242;
	e->ts_ns = 1795624131419638343ull;
	e->type = (uint16_t)type;
	e->arch = VIGIL_ARCH_X86_64;
}

static void build_openat(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_OPENAT);
	e->has_res = 1;
	e->res = 3;
	vigil_event_arg_cstr(e, "dirfd", "AT_FDCWD");
	vigil_event_arg_cstr(e, "name", "../etc/shadow");
	vigil_event_arg_cstr(e, "flags", "O_RDWR|O_CREAT|O_CLOEXEC");
	vigil_event_arg_cstr(e, "mode", "0644");
	e->open_flags = VIGIL_OPEN_READ | VIGIL_OPEN_WRITE;
	e->fd.num = 3;
	e->fd.type = VIGIL_FD_FILE;
	e->fd.name = vigil_event_cstr(e, "/etc/shadow");
	base_proc(e, 4711, "cat", "/etc/shadow");
}

static void build_exec_long(struct vigil_event *e)
{
	static char args[VIGIL_ARGS_MAX];
	const char *utf8 = " h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x9a\x80 \"q\" back\\slash\ttab";
	size_t n = 0, ul = strlen(utf8);
	while (n + ul < sizeof(args) - 1) {
		memcpy(args + n, utf8, ul);
		n += ul;
	}
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_EXECVE);
	e->has_res = 1;
	vigil_event_arg_cstr(e, "filename", "/usr/bin/python3");
	base_proc(e, 5000, "python3", "");
	e->proc.args = vigil_event_str(e, args, n);
	e->proc.is_exe_from_memfd = 1;
	e->proc.loginuid = -1;
}

static void build_connect4(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_CONNECT);
	e->has_res = 1;
	e->res = -111;
	vigil_event_arg_int(e, "fd", 5);
	e->fd.num = 5;
	e->fd.type = VIGIL_FD_IPV4;
	e->fd.family = AF_INET;
	inet_pton(AF_INET, "10.1.2.3", e->fd.dip);
	e->fd.dport = 443;
	e->fd.name = vigil_event_cstr(e, "10.1.2.3:443");
	base_proc(e, 6000, "curl", "https://10.1.2.3/");
}

static void build_connect6(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_ACCEPT4);
	e->has_res = 1;
	e->res = 7;
	e->fd.num = 7;
	e->fd.type = VIGIL_FD_IPV6;
	e->fd.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", e->fd.dip);
	inet_pton(AF_INET6, "::ffff:192.0.2.9", e->fd.sip);
	e->fd.dport = 8443;
	e->fd.sport = 51000;
	e->fd.name = vigil_event_cstr(e, "[2001:db8::1]:8443");
	base_proc(e, 6001, "nginx", "-g daemon off;");
}

static void build_unix(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_CONNECT);
	e->arch = VIGIL_ARCH_AARCH64;
	vigil_event_arg_int(e, "fd", 4);
	e->fd.num = 4;
	e->fd.type = VIGIL_FD_UNIX;
	e->fd.family = AF_UNIX;
	e->fd.name = vigil_event_cstr(e, "/var/run/docker.sock");
	base_proc(e, 6002, "docker", "ps");
}

static void build_procexit(struct vigil_event *e, int exit_kind, int res)
{
	start(e, VIGIL_EV_PROCEXIT, VIGIL_SC_PROCEXIT);
	e->has_res = 1;
	e->exit_kind = (uint8_t)exit_kind;
	e->res = res;
	base_proc(e, 7000, "sleep", "1000");
}

static void build_health(struct vigil_event *e)
{
	start(e, VIGIL_EV_HEALTH, VIGIL_SC_HEALTH);
	e->health = (struct vigil_health){.events_dropped = 5, .events_lost = 6, .analyzer_restarts = 1,
					  .read_errors = 2, .tracee_count = 17, .dropped_new = 3,
					  .lost_new = 4, .restarts_new = 1, .fim_unwatched = 2,
					  .fim_overflows = 9};
}

static void build_tamper(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_PTRACE);
	e->arch = VIGIL_ARCH_I386;
	e->tamper = VIGIL_TAMPER_PTRACE_VIGIL;
	vigil_event_arg_cstr(e, "request", "PTRACE_ATTACH");
	vigil_event_arg_int(e, "pid", 1);
	base_proc(e, 8000, "gdb", "-p 1");
	e->proc.cap_effective = 0;
}

/* Awkward bytes: NUL, controls, quotes, invalid UTF-8 (written as U+FFFD). */
static void build_odd_bytes(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_UNKNOWN);
	base_proc(e, 9000, "a\0b", "x\x01y\x1f\"\\/\n\r\t\x7f");
	e->proc.name = vigil_event_str(e, "a\0b", 3);
	vigil_event_arg(e, "name", "nul\0in\0arg", 10);
	e->fd.type = VIGIL_FD_OTHER;
}

/* All eight evt.arg.* and eight ancestors; an entry-only event. */
static void build_full_tables(struct vigil_event *e)
{
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_MOUNT);
	base_proc(e, 9100, "mount", "-t tmpfs x /mnt");
	for (int i = 0; i < VIGIL_MAX_EVARGS; i++) {
		char k[8];
		snprintf(k, sizeof(k), "a%d", i);
		vigil_event_arg_int(e, k, -i);
	}
	e->proc.n_ancestors = VIGIL_MAX_ANCESTORS;
	for (int i = 0; i < VIGIL_MAX_ANCESTORS; i++) {
		e->proc.ancestors[i].pid = 1000 + i;
		e->proc.ancestors[i].name = vigil_event_cstr(e, i % 2 ? "sh" : "");
	}
}

/* An arena filled to the last byte. */
static void build_full_arena(struct vigil_event *e)
{
	static char big[VIGIL_EVENT_STRS_MAX];
	memset(big, 'p', sizeof(big));
	start(e, VIGIL_EV_SYSCALL, VIGIL_SC_UNLINKAT);
	base_proc(e, 9200, "rm", "-rf /");
	vigil_event_arg(e, "name", big, sizeof(big));
	assert_int_equal(e->strs_used, VIGIL_EVENT_STRS_MAX);
}

/* ---- helpers ------------------------------------------------------------------------ */

static void write_line(struct strbuf *sb, const struct vigil_event *e)
{
	strbuf_reset(sb);
	ndjson_event(sb, e);
	assert_false(sb->truncated);
}

static void assert_same_str(const struct vigil_event *a, vigil_str x, const struct vigil_event *b,
			    vigil_str y)
{
	assert_int_equal(vigil_str_present(x), vigil_str_present(y));
	assert_int_equal(x.len, y.len);
	if (x.len)
		assert_memory_equal(vigil_str_ptr(a, x), vigil_str_ptr(b, y), x.len);
}

/* The fields the writer carries must come back as they were. */
static void assert_same_event(const struct vigil_event *a, const struct vigil_event *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->num, b->num);
	assert_int_equal(a->ts_ns, b->ts_ns);
	if (a->kind == VIGIL_EV_HEALTH) {
		assert_memory_equal(&a->health, &b->health, sizeof(a->health));
		return;
	}
	assert_int_equal(a->arch, b->arch);
	assert_int_equal(a->has_res, b->has_res);
	if (a->has_res || a->kind == VIGIL_EV_PROCEXIT)
		assert_int_equal(a->res, b->res);
	assert_int_equal(a->tamper, b->tamper);
	assert_int_equal(a->n_evargs, b->n_evargs);
	for (int i = 0; i < a->n_evargs; i++) {
		assert_same_str(a, a->evargs[i].key, b, b->evargs[i].key);
		assert_same_str(a, a->evargs[i].val, b, b->evargs[i].val);
	}
	const struct vigil_proc *p = &a->proc, *q = &b->proc;
	assert_int_equal(p->pid, q->pid);
	assert_int_equal(p->tid, q->tid);
	assert_int_equal(p->ppid, q->ppid);
	assert_int_equal(p->sid, q->sid);
	assert_int_equal(p->vpgid, q->vpgid);
	assert_int_equal(p->uid, q->uid);
	assert_int_equal(p->gid, q->gid);
	assert_int_equal(p->loginuid, q->loginuid);
	assert_int_equal(p->tty, q->tty);
	assert_int_equal(p->cap_effective, q->cap_effective);
	assert_int_equal(p->is_exe_from_memfd, q->is_exe_from_memfd);
	assert_same_str(a, p->name, b, q->name);
	assert_same_str(a, p->exe, b, q->exe);
	assert_same_str(a, p->exepath, b, q->exepath);
	assert_same_str(a, p->args, b, q->args);
	assert_same_str(a, p->cwd, b, q->cwd);
	assert_same_str(a, p->pname, b, q->pname);
	assert_same_str(a, p->pcmdline, b, q->pcmdline);
	assert_same_str(a, p->pexepath, b, q->pexepath);
	assert_int_equal(p->n_ancestors, q->n_ancestors);
	for (int i = 0; i < p->n_ancestors; i++) {
		assert_int_equal(p->ancestors[i].pid, q->ancestors[i].pid);
		assert_same_str(a, p->ancestors[i].name, b, q->ancestors[i].name);
	}
	assert_int_equal(a->fd.num, b->fd.num);
	assert_int_equal(a->fd.type, b->fd.type);
	assert_same_str(a, a->fd.name, b, b->fd.name);
	if (a->fd.type == VIGIL_FD_IPV4 || a->fd.type == VIGIL_FD_IPV6) {
		assert_int_equal(a->fd.family, b->fd.family);
		assert_int_equal(a->fd.sport, b->fd.sport);
		assert_int_equal(a->fd.dport, b->fd.dport);
		assert_memory_equal(a->fd.dip, b->fd.dip, 16);
		assert_memory_equal(a->fd.sip, b->fd.sip, 16);
	}
	if (a->type == VIGIL_SC_OPENAT)
		assert_int_equal(a->open_flags, b->open_flags);
}

/* Write, read, write: identical lines, and through jansson too. */
static void round_trip(const struct vigil_event *e, bool exact_fields)
{
	struct ndjson_read_error err = {.line = 1};
	write_line(&line1, e);
	int rc = ndjson_read_event(line1.data, line1.len, &back, &err);
	if (rc)
		fail_msg("%s\n%.300s", err.msg, line1.data);
	assert_false(err.slow_path);
	assert_int_equal(err.unknown_keys, 0);
	assert_int_equal(err.truncated, 0);
	assert_int_equal(vigil_event_validate(&back, back.wire_size), 0);
	if (exact_fields)
		assert_same_event(e, &back);
	write_line(&line2, &back);
	assert_int_equal(line1.len, line2.len);
	assert_memory_equal(line1.data, line2.data, line1.len);

	/* A nested value under an unknown key sends the line through jansson. */
	char *slow = malloc(line1.len + 64);
	memcpy(slow, line1.data, line1.len - 1);
	int n = snprintf(slow + line1.len - 1, 64, ",\"x.future\":{\"a\":[1.5,{}]}}\n");
	assert_int_equal(ndjson_read_event(slow, line1.len - 1 + (size_t)n, &back, &err), 0);
	assert_true(err.slow_path);
	assert_int_equal(err.unknown_keys, 1);
	write_line(&line2, &back);
	assert_int_equal(line1.len, line2.len);
	assert_memory_equal(line1.data, line2.data, line1.len);
	free(slow);
}

/* Read `json` (a C string) expecting failure; returns the message. */
static const char *reject(const char *json, size_t len)
{
	static struct ndjson_read_error err;
	err = (struct ndjson_read_error){.line = 12};
	assert_int_equal(ndjson_read_event(json, len ? len : strlen(json), &back, &err), -1);
	assert_true(strncmp(err.msg, "line 12: ", 9) == 0);
	return err.msg;
}

#define assert_rejected(json, what)                                                        \
	do {                                                                               \
		const char *m_ = reject(json, 0);                                          \
		if (!strstr(m_, what))                                                     \
			fail_msg("%s: got \"%s\", want \"%s\"", json, m_, what);           \
	} while (0)

/* ---- round trips -------------------------------------------------------------------- */

static void test_round_trip_syscall(void **state)
{
	(void)state;
	build_openat(&ev);
	round_trip(&ev, true);
	assert_string_equal(vigil_syscall_name(back.type), "openat");
	assert_int_equal(back.fd.num, 3);
}

static void test_round_trip_exec_long_utf8(void **state)
{
	(void)state;
	build_exec_long(&ev);
	round_trip(&ev, true);
	assert_true(back.proc.args.len > 4000);
}

static void test_round_trip_network(void **state)
{
	(void)state;
	build_connect4(&ev);
	round_trip(&ev, true);
	assert_int_equal(back.fd.family, AF_INET);
	build_connect6(&ev);
	round_trip(&ev, true);
	assert_int_equal(back.fd.family, AF_INET6);
	build_unix(&ev);
	round_trip(&ev, true);
	assert_int_equal(back.fd.family, AF_UNIX);
	assert_int_equal(back.arch, VIGIL_ARCH_AARCH64);
}

static void test_round_trip_procexit_health_tamper(void **state)
{
	(void)state;
	build_procexit(&ev, 2, 9);
	round_trip(&ev, true);
	assert_int_equal(back.kind, VIGIL_EV_PROCEXIT);
	assert_int_equal(back.exit_kind, 2);
	assert_int_equal(back.n_evargs, 0);
	build_procexit(&ev, 1, 3);
	round_trip(&ev, true);
	assert_int_equal(back.exit_kind, 1);
	assert_int_equal(back.res, 3);
	build_health(&ev);
	round_trip(&ev, true);
	assert_int_equal(back.kind, VIGIL_EV_HEALTH);
	build_tamper(&ev);
	round_trip(&ev, true);
}

static void test_round_trip_odd_bytes_and_limits(void **state)
{
	(void)state;
	build_odd_bytes(&ev);
	round_trip(&ev, true);
	assert_int_equal(back.proc.name.len, 3);
	assert_memory_equal(vigil_str_ptr(&back, back.proc.name), "a\0b", 3);
	build_full_tables(&ev);
	round_trip(&ev, true);
	build_full_arena(&ev);
	round_trip(&ev, true);

	/* Invalid UTF-8 is written as U+FFFD: from then on the line is stable. */
	start(&ev, VIGIL_EV_SYSCALL, VIGIL_SC_OPEN);
	ev.fd.name = vigil_event_str(&ev, "/tmp/\xff\xfe", 7);
	write_line(&line1, &ev);
	assert_int_equal(ndjson_read_event(line1.data, line1.len, &back, NULL), 0);
	assert_int_equal(back.fd.name.len, 5 + 6);
	round_trip(&back, true);
}

/* ---- what the reader accepts besides the writer's lines ----------------------------- */

static void test_tolerated_input(void **state)
{
	(void)state;
	struct ndjson_read_error err = {0};
	const char *l = " {\"evt.type\":\"frobnicate\",\"evt.time\":\"2026-11-25T16:28:51.5+01:00\","
			"\"proc.pid\":null,\"evt.arg.flags\":3,\"evt.arg.big\":1.5,\"evt.arg.ok\":true,"
			"\"evt.arch\":\"riscv64\",\"fd.type\":\"eventfd\",\"x.new\":\"y\","
			"\"thread.cap_effective\":\"CAP_KILL  CAP_NEW CAP_BPF\",\"evt.res\":-2,"
			"\"fd.dip\":\"192.0.2.1\",\"fd.dport\":53,\"evt.arg.EVIL\":\"x\"} \n";
	assert_int_equal(ndjson_read_event(l, strlen(l), &back, &err), 0);
	assert_true(err.slow_path); /* 1.5 */
	assert_string_equal(err.unknown_type, "frobnicate");
	assert_int_equal(back.type, VIGIL_SC_UNKNOWN);
	assert_int_equal(back.kind, VIGIL_EV_SYSCALL);
	assert_int_equal(err.unknown_keys, 2);   /* x.new, evt.arg.EVIL */
	assert_int_equal(err.unknown_values, 3); /* riscv64, eventfd, CAP_NEW */
	assert_int_equal(back.ts_ns, 1795620531500000000ull);
	assert_int_equal(back.proc.pid, 0);
	assert_int_equal(back.arch, VIGIL_ARCH_UNKNOWN);
	assert_int_equal(back.fd.type, VIGIL_FD_OTHER);
	assert_int_equal(back.proc.cap_effective, (1ull << 5) | (1ull << 39));
	assert_true(back.has_res); /* evt.res without evt.dir */
	assert_int_equal(back.res, -2);
	assert_int_equal(back.n_evargs, 3);
	assert_memory_equal(vigil_str_ptr(&back, back.evargs[0].val), "3", 1);
	assert_memory_equal(vigil_str_ptr(&back, back.evargs[1].val), "1.5", 3);
	assert_memory_equal(vigil_str_ptr(&back, back.evargs[2].val), "true", 4);

	/* An address without fd.type says which family it is. */
	l = "{\"evt.type\":\"connect\",\"fd.dip\":\"::1\",\"fd.dport\":80}";
	assert_int_equal(ndjson_read_event(l, strlen(l), &back, &err), 0);
	assert_false(err.slow_path);
	assert_int_equal(back.fd.type, VIGIL_FD_IPV6);
	assert_int_equal(back.fd.dip[15], 1);

	/* Escapes, surrogate pairs and NUL, decoded on the fast path. */
	l = "{\"evt.type\":\"open\",\"proc.name\":\"\\u00e9\\ud83d\\ude80\\u0000\\/\\b\"}";
	assert_int_equal(ndjson_read_event(l, strlen(l), &back, &err), 0);
	assert_false(err.slow_path);
	assert_int_equal(back.proc.name.len, 2 + 4 + 1 + 1 + 1);
	assert_memory_equal(vigil_str_ptr(&back, back.proc.name), "\xc3\xa9\xf0\x9f\x9a\x80\0/\b", 9);

	/* More ancestors than the event holds: the nearest eight are kept. */
	l = "{\"evt.type\":\"open\",\"proc.aname\":[\"a\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"],"
	    "\"proc.apid\":[1,2,3,4,5,6,7,8,9,10,11]}";
	assert_int_equal(ndjson_read_event(l, strlen(l), &back, &err), 0);
	assert_int_equal(back.proc.n_ancestors, VIGIL_MAX_ANCESTORS);
	assert_int_equal(back.proc.ancestors[7].pid, 9);
	assert_int_equal(err.truncated, 2);
}

static void test_huge_strings_truncate(void **state)
{
	(void)state;
	struct ndjson_read_error err = {0};
	size_t big = 3 * VIGIL_EVENT_STRS_MAX;
	char *l = malloc(big + 200);
	int n = snprintf(l, 200, "{\"evt.type\":\"execve\",\"proc.name\":\"sh\",\"proc.args\":\"");
	size_t len = (size_t)n;
	for (size_t i = 0; i < big / 3; i++) { /* U+20AC, three bytes each: cuts fall inside one */
		memcpy(l + len, "\xe2\x82\xac", 3);
		len += 3;
	}
	len += (size_t)snprintf(l + len, 200, "\",\"proc.cwd\":\"/x/\"}");
	assert_int_equal(ndjson_read_event(l, len, &back, &err), 0);
	assert_int_equal(err.truncated, 2);
	assert_int_equal(vigil_event_validate(&back, back.wire_size), 0);
	assert_int_equal(back.proc.args.len % 3, 0); /* cut at a character boundary */
	assert_true(back.proc.args.len > VIGIL_EVENT_STRS_MAX - 8);
	assert_true(vigil_str_present(back.proc.cwd));
	write_line(&line1, &back); /* and what is left writes as valid JSON again */
	assert_int_equal(ndjson_read_event(line1.data, line1.len, &back, &err), 0);
	free(l);
}

/* ---- malformed input ---------------------------------------------------------------- */

static void test_errors_name_the_key(void **state)
{
	(void)state;
	assert_string_equal(reject("{\"evt.num\":\"12\",\"evt.type\":\"open\"}", 0),
			    "line 12: evt.num: expected an integer");
	assert_rejected("{\"evt.type\":\"open\",\"proc.pid\":\"1\"}", "proc.pid: expected an integer");
	assert_rejected("{\"evt.type\":\"open\",\"proc.pid\":2147483648}", "proc.pid: 2147483648 is out of range");
	assert_rejected("{\"evt.type\":\"open\",\"evt.num\":-1}", "evt.num: expected a non-negative integer");
	assert_rejected("{\"evt.type\":\"open\",\"evt.num\":1.0}", "evt.num: expected an integer");
	assert_rejected("{\"evt.type\":\"open\",\"user.uid\":4294967296}", "user.uid: 4294967296 is out of range");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":7}", "proc.name: expected a string");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":[\"x\"]}", "proc.name: expected a string");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":{\"x\":1}}", "proc.name: expected a string");
	assert_rejected("{\"evt.type\":\"open\",\"evt.is_open_read\":\"true\"}", "evt.is_open_read: expected true or false");
	assert_rejected("{\"evt.type\":\"open\",\"proc.aname\":[\"a\",1]}", "proc.aname: expected an array of strings");
	assert_rejected("{\"evt.type\":\"open\",\"proc.apid\":\"1\"}", "proc.apid: expected an array of integers");
	assert_rejected("{\"evt.type\":\"open\",\"proc.aname\":[\"a\",\"b\"],\"proc.apid\":[1]}",
			"proc.apid: 1 entries, but proc.aname has 2");
	assert_rejected("{\"evt.type\":\"open\",\"evt.dir\":\"<>\"}", "evt.dir: expected \"<\" or \">\"");
	assert_rejected("{\"evt.type\":\"open\",\"evt.arg.flags\":[1]}", "evt.arg.flags: expected a string or a number");
	assert_rejected("{\"evt.type\":\"open\",\"evt.arg.flags\":{}}", "evt.arg.flags: expected a string or a number");
	assert_rejected("{\"evt.type\":\"open\",\"fd.sip\":\"1.2.3\"}", "fd.sip: expected an IP address");
	assert_rejected("{\"evt.type\":\"open\",\"fd.type\":\"ipv4\",\"fd.sip\":\"::1\"}",
			"fd.sip: expected an IPv4 address");
	assert_rejected("{\"evt.type\":\"open\",\"fd.dport\":65536}", "fd.dport: 65536 is out of range");
	assert_rejected("{\"evt.type\":\"open\",\"vigil.tamper\":\"new_trick\"}", "vigil.tamper: unknown value \"new_trick\"");
	assert_rejected("{\"evt.type\":\"open\",\"evt.rawtime\":true}", "evt.rawtime: expected an integer");
	assert_rejected("{\"evt.type\":\"open\",\"evt.time\":\"yesterday\"}", "evt.time: expected an RFC 3339 time");
	assert_rejected("{\"evt.type\":\"procexit\",\"evt.arg.status\":\"x\"}", "evt.arg.status: expected an integer");
	assert_rejected("{\"evt.type\":\"procexit\",\"evt.arg.status\":1,\"evt.arg.sig\":9}", "not both");
	assert_rejected("{\"evt.num\":1}", "evt.type: missing");
	assert_rejected("{\"evt.type\":null}", "evt.type: missing");
	assert_rejected("{}", "evt.type: missing");
	/* The first wrong key is the one named; a later syntax error still wins. */
	assert_rejected("{\"proc.pid\":\"a\",\"proc.ppid\":\"b\",\"evt.type\":\"x\"}", "proc.pid:");
	assert_rejected("{\"proc.pid\":\"a\",\"evt.type\":\"x\"", "not valid JSON");
}

static void test_not_json(void **state)
{
	(void)state;
	assert_rejected("not json", "not valid JSON");
	assert_rejected("[1,2]", "expected a JSON object, got an array");
	assert_rejected("\"str\"", "expected a JSON object, got a string");
	assert_rejected("42", "expected a JSON object, got a number");
	assert_rejected("   \n", "empty line");
	assert_rejected("{\"evt.type\":\"open\"} {}", "not valid JSON: end of file expected");
	assert_rejected("{\"evt.type\":\"open\",}", "not valid JSON");
	assert_rejected("{\"evt.type\":\"open\",\"evt.num\":01}", "not valid JSON");
	assert_rejected("{\"evt.type\":\"open\",\"evt.num\":99999999999999999999}", "too big integer");
	assert_rejected("{\"evt.type\":\"open\",\"evt.type\":\"open\"}", "duplicate object key");
	assert_rejected("{\"evt.type\":\"open\",\"evt\\u002etype\":\"open\"}", "duplicate object key");
	assert_rejected("{\"evt.type\":\"open\",\"evt.arg.a\":\"1\",\"evt.arg.a\":\"2\"}", "duplicate object key");
	assert_rejected("{\"evt.type\":\"open\",\"x.y\":1,\"x.y\":2}", "duplicate object key");
	assert_rejected("{\"evt.type\":\"open\",\"a\\u0000b\":1}", "NUL byte in object key");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":\"\\ud800\"}", "invalid Unicode");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":\"\\x\"}", "invalid escape");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":\"\xff\"}", "unable to decode byte 0xff");
	assert_rejected("{\"evt.type\":\"open\",\"proc.name\":\"a\tb\"}", "not valid JSON");
	static const char nul_line[] = "{\"evt.type\":\"open\",\"proc.name\":\"a\0b\"}";
	assert_true(strstr(reject(nul_line, sizeof(nul_line) - 1), "not valid JSON"));

	/* Deep nesting, at the top and under a key: jansson's depth limit. */
	size_t depth = 100000;
	char *deep = malloc(depth + 64);
	memset(deep, '[', depth);
	deep[depth] = '\0';
	assert_true(strstr(reject(deep, depth), "maximum parsing depth"));
	int n = snprintf(deep, 64, "{\"evt.type\":\"open\",\"x\":");
	memset(deep + n, '[', depth);
	assert_true(strstr(reject(deep, (size_t)n + depth), "maximum parsing depth"));
	free(deep);
}

/* Every prefix and many corruptions of a real line: an answer, never a crash. */
static void test_mangled_lines(void **state)
{
	(void)state;
	struct ndjson_read_error err;
	build_connect6(&ev);
	write_line(&line1, &ev);
	char *buf = malloc(line1.len);
	for (size_t cut = 0; cut < line1.len; cut++) {
		memcpy(buf, line1.data, cut); /* heap copy: ASan sees reads past the end */
		assert_int_equal(ndjson_read_event(buf, cut, &back, &err), -1);
	}
	static const char junk[] = "\"\\{}[]:,0-9e.\x00\x80\xc3\xffu tnf";
	srand(7);
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, line1.data, line1.len);
		for (int k = 0; k < 1 + i % 4; k++)
			buf[(size_t)rand() % line1.len] = junk[rand() % (int)(sizeof(junk) - 1)];
		if (ndjson_read_event(buf, line1.len, &back, &err) == 0)
			assert_int_equal(vigil_event_validate(&back, back.wire_size), 0);
		else
			assert_true(err.msg[0] != '\0');
	}
	free(buf);
}

static void test_reader_stream(void **state)
{
	(void)state;
	static char text[4096];
	build_procexit(&ev, 1, 0);
	write_line(&line1, &ev);
	snprintf(text, sizeof(text), "%s\n\n   \nnope\r\n%s", line1.data, line1.data);
	FILE *f = fmemopen(text, strlen(text), "r");
	struct ndjson_reader r;
	struct ndjson_read_error err;
	ndjson_reader_init(&r, f);
	assert_int_equal(ndjson_reader_next(&r, &back, &err), 1);
	assert_int_equal(ndjson_reader_next(&r, &back, &err), -1);
	assert_int_equal(r.line, 4);
	assert_true(strncmp(err.msg, "line 4: not valid JSON", 22) == 0);
	assert_int_equal(ndjson_reader_next(&r, &back, &err), 1); /* no final newline */
	assert_int_equal(back.kind, VIGIL_EV_PROCEXIT);
	assert_int_equal(ndjson_reader_next(&r, &back, &err), 0);
	ndjson_reader_free(&r);
	fclose(f);
}

/* ---- file mode: round-trip and time real --events-out files ------------------------- */

static int check_files(int argc, char **argv)
{
	struct ndjson_read_error err;
	unsigned long lines = 0, bad = 0, diff = 0, slow = 0, unknown = 0;
	double secs = 0;
	size_t bytes = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		struct ndjson_reader r;
		ndjson_reader_init(&r, f);
		for (;;) {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			int rc = ndjson_reader_next(&r, &ev, &err);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (rc == 0)
				break;
			lines++;
			if (rc < 0) {
				if (bad++ < 5)
					fprintf(stderr, "%s: %s\n", argv[i], err.msg);
				if (rc == -2)
					break;
				continue;
			}
			slow += err.slow_path;
			unknown += err.unknown_keys;
			size_t len = strlen(r.buf);
			while (len && (r.buf[len - 1] == '\n' || r.buf[len - 1] == '\r'))
				len--;
			bytes += len + 1;
			write_line(&line1, &ev);
			if (line1.len != len || memcmp(line1.data, r.buf, len) != 0) {
				if (diff++ < 5)
					fprintf(stderr, "%s:%lu differs\n  in:  %.*s\n  out: %s\n", argv[i],
						r.line, (int)len, r.buf, line1.data);
			}
		}
		ndjson_reader_free(&r);
		fclose(f);
	}
	printf("%lu lines, %lu rejected, %lu not byte-identical, %lu via jansson, %lu unknown keys\n",
	       lines, bad, diff, slow, unknown);
	printf("read: %.3f s, %.0f lines/s, %.0f MB/s (reader incl. getline, without the re-write)\n",
	       secs, (double)lines / secs, (double)bytes / secs / 1e6);
	return bad || diff ? 1 : 0;
}

int main(int argc, char **argv)
{
	strbuf_init(&line1, 1u << 20);
	strbuf_init(&line2, 1u << 20);
	if (argc > 1)
		return check_files(argc, argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_syscall),
		cmocka_unit_test(test_round_trip_exec_long_utf8),
		cmocka_unit_test(test_round_trip_network),
		cmocka_unit_test(test_round_trip_procexit_health_tamper),
		cmocka_unit_test(test_round_trip_odd_bytes_and_limits),
		cmocka_unit_test(test_tolerated_input),
		cmocka_unit_test(test_huge_strings_truncate),
		cmocka_unit_test(test_errors_name_the_key),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_mangled_lines),
		cmocka_unit_test(test_reader_stream),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	strbuf_free(&line1);
	strbuf_free(&line2);
	return rc;
}
