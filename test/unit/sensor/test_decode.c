/*
 * test_decode.c — the decoder table over a record and a memory reader
 * backed by a local buffer: arguments, paths resolved against the
 * process's cwd, results, and what happens when memory is unreadable.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"
#include "fixture.h"

static struct buf_mem mem;
static struct vigil_event ev;
static char out[4096];

static bool run(const struct sensor_record *r, struct proc *p, bool has_res, long res)
{
	/* No resolver: paths are joined lexically with the proc's cwd (the
	 * kernel's resolution is tested by test_resolve and the integration suite). */
	struct decode_ctx c = {r, &mem.base, p, has_res, res, NULL, NULL};
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	return decode_syscall(&ev, &c);
}

static void setup_mem(void)
{
	memset(&mem, 0, sizeof(mem));
	mem.base.read_upto = buf_read_upto;
}

static void test_openat_relative_path(void **state)
{
	(void)state;
	setup_mem();
	struct proc *p = test_proc(4242, "/srv/app/");
	struct sensor_record r = {.id = VIGIL_SC_OPENAT, .arch = VIGIL_ARCH_X86_64, .tid = 4242};
	r.args[0] = (uint64_t)(long)AT_FDCWD;
	r.args[1] = put_str(&mem, "../etc/./shadow");
	r.args[2] = O_RDWR | O_CREAT;
	r.args[3] = 0640;
	assert_true(run(&r, p, false, 0));
	assert_int_equal(ev.type, VIGIL_SC_OPENAT);
	assert_string_equal(str_of(&ev, ev.fd.name, out, sizeof(out)), "/srv/etc/shadow");
	assert_string_equal(arg_of(&ev, "name", out, sizeof(out)), "../etc/./shadow");
	assert_string_equal(arg_of(&ev, "flags", out, sizeof(out)), "O_RDWR|O_CREAT");
	assert_string_equal(arg_of(&ev, "mode", out, sizeof(out)), "0640");
	assert_int_equal(ev.fd.type, VIGIL_FD_FILE);
	assert_int_equal(ev.open_flags, VIGIL_OPEN_READ | VIGIL_OPEN_WRITE);
	assert_int_equal(ev.fd.num, -1); /* entry only: no fd yet */
	assert_true(run(&r, p, true, 7));
	assert_int_equal(ev.fd.num, 7);
	assert_true(run(&r, p, true, -13));
	assert_int_equal(ev.fd.num, -1);
	proc_unref(p);
}

static void test_openat2_reads_open_how(void **state)
{
	(void)state;
	setup_mem();
	struct proc *p = test_proc(1, "/");
	struct open_how how = {.flags = O_WRONLY | O_DIRECTORY};
	struct sensor_record r = {.id = VIGIL_SC_OPENAT2, .tid = 1};
	r.args[0] = (uint64_t)(long)AT_FDCWD;
	r.args[1] = put_str(&mem, "/var//log/");
	r.args[2] = put(&mem, &how, sizeof(how));
	r.args[3] = sizeof(how);
	assert_true(run(&r, p, false, 0));
	assert_string_equal(str_of(&ev, ev.fd.name, out, sizeof(out)), "/var/log");
	assert_int_equal(ev.fd.type, VIGIL_FD_DIRECTORY);
	assert_int_equal(ev.open_flags, VIGIL_OPEN_WRITE);
	proc_unref(p);
}

static void test_unreadable_path_is_absent(void **state)
{
	(void)state;
	setup_mem();
	struct proc *p = test_proc(1, "/");
	struct sensor_record r = {.id = VIGIL_SC_UNLINK, .tid = 1};
	r.args[0] = 0xdead0000; /* outside the buffer */
	assert_true(run(&r, p, false, 0));
	assert_false(vigil_str_present(ev.fd.name));
	assert_null(arg_of(&ev, "path", out, sizeof(out)));
	assert_int_equal(mem.base.errors, 1);
	/* No NUL before the end of readable memory: not a truncated string. */
	memset(mem.bytes, 'a', sizeof(mem.bytes));
	r.args[0] = BASE + sizeof(mem.bytes) - 16;
	assert_true(run(&r, p, false, 0));
	assert_false(vigil_str_present(ev.fd.name));
	assert_int_equal(mem.base.errors, 2);
	proc_unref(p);
}

static void test_rename_names_the_new_path(void **state)
{
	(void)state;
	setup_mem();
	struct proc *p = test_proc(1, "/home/u/");
	struct sensor_record r = {.id = VIGIL_SC_RENAMEAT2, .tid = 1};
	r.args[0] = (uint64_t)(long)AT_FDCWD;
	r.args[1] = put_str(&mem, "a.txt");
	r.args[2] = (uint64_t)(long)AT_FDCWD;
	r.args[3] = put_str(&mem, "/etc/cron.d/x");
	assert_true(run(&r, p, false, 0));
	assert_string_equal(arg_of(&ev, "oldpath", out, sizeof(out)), "/home/u/a.txt");
	assert_string_equal(arg_of(&ev, "newpath", out, sizeof(out)), "/etc/cron.d/x");
	assert_string_equal(str_of(&ev, ev.fd.name, out, sizeof(out)), "/etc/cron.d/x");
	assert_int_equal(ev.fd.type, VIGIL_FD_FILE);
	proc_unref(p);
}

static void test_connect_sockaddr(void **state)
{
	(void)state;
	setup_mem();
	struct proc *p = test_proc(1, "/");
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(443)};
	inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
	struct sensor_record r = {.id = VIGIL_SC_CONNECT, .tid = 1};
	r.args[0] = 5;
	r.args[1] = put(&mem, &in, sizeof(in));
	r.args[2] = sizeof(in);
	assert_true(run(&r, p, false, 0));
	assert_int_equal(ev.fd.num, 5);
	assert_int_equal(ev.fd.type, VIGIL_FD_IPV4);
	assert_int_equal(ev.fd.dport, 443);
	assert_memory_equal(ev.fd.dip, &in.sin_addr, 4);
	assert_string_equal(str_of(&ev, ev.fd.name, out, sizeof(out)), "10.1.2.3:443");
	proc_unref(p);
}

static void test_ids_and_no_decoder(void **state)
{
	(void)state;
	setup_mem();
	struct proc *p = test_proc(1, "/");
	struct sensor_record r = {.id = VIGIL_SC_SETRESUID, .tid = 1, .args = {0, 1000, 2}};
	assert_true(run(&r, p, false, 0));
	assert_string_equal(arg_of(&ev, "euid", out, sizeof(out)), "1000");
	assert_string_equal(arg_of(&ev, "sgid", out, sizeof(out)) ? out : "none", "none");
	r.id = VIGIL_SC_KILL; /* tamper family: no decoder, not an event by itself */
	assert_false(run(&r, p, false, 0));
	r.id = VIGIL_SC_UNKNOWN;
	assert_false(run(&r, p, false, 0));
	proc_unref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat_relative_path),
		cmocka_unit_test(test_openat2_reads_open_how),
		cmocka_unit_test(test_unreadable_path_is_absent),
		cmocka_unit_test(test_rename_names_the_new_path),
		cmocka_unit_test(test_connect_sockaddr),
		cmocka_unit_test(test_ids_and_no_decoder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
