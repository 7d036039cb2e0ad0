/*
 * test_race.c — the kernel's answers against the paths vigil read at entry
 * (race.h), on real files and this process's own /proc: an open's name
 * from its fd, an exec's path against /proc/self/exe.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "sensor/race.h"
#include "fixture.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vigil-test-race.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static struct sensor_task task_of(struct proc *p, int id)
{
	struct sensor_task t = {.tid = getpid(), .proc = p};
	t.rec = (struct sensor_record){.id = id, .arch = VIGIL_ARCH_X86_64, .tid = getpid()};
	return t;
}

/* An open with result res whose entry resolved `entry` (NULL: unreadable)
 * from the path `raw` (or none): the tamper kind, and fd.name into name. */
static enum vigil_tamper open_race_raw(const char *entry, const char *raw, long res, char *name,
				       size_t size)
{
	static struct vigil_event ev;
	struct proc *p = test_proc(getpid(), "/");
	struct sensor_task t = task_of(p, VIGIL_SC_OPENAT);
	t.rec.args[0] = (uint64_t)(long)AT_FDCWD;
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	if (entry)
		ev.fd.name = vigil_event_cstr(&ev, entry);
	if (raw)
		vigil_event_arg_cstr(&ev, "name", raw);
	assert_true(race_open_entry(&t, &ev));
	vigil_event_init(&ev, VIGIL_EV_SYSCALL);
	ev.fd.name = vigil_event_cstr(&ev, "/what/the/exit/read");
	enum vigil_tamper why = race_open_exit(&t, &ev, res);
	assert_false(t.open_pending);
	str_of(&ev, ev.fd.name, name, size);
	proc_unref(p);
	return why;
}

static enum vigil_tamper open_race(const char *entry, long res, char *name, size_t size)
{
	return open_race_raw(entry, NULL, res, name, size);
}

static void test_open_name_is_the_kernels(void **state)
{
	(void)state;
	char name[4096], link[128], self[64];
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(open_race("/etc/passwd", fd, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_string_equal(name, "/etc/passwd");
	/* The path was flipped: the kernel opened another file. */
	assert_int_equal(open_race("/etc/hostname", fd, name, sizeof(name)), VIGIL_TAMPER_PATH_RACE);
	assert_string_equal(name, "/etc/passwd");
	assert_int_equal(open_race(NULL, fd, name, sizeof(name)), VIGIL_TAMPER_PATH_RACE);
	assert_int_equal(open_race("/no/such/file", fd, name, sizeof(name)), VIGIL_TAMPER_PATH_RACE);
	/* A symlink names the file it leads to: no race, the kernel's name. */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(open_race(link, fd, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_string_equal(name, "/etc/passwd");
	/* "/proc/self" is the traced thread's, not vigil's (here the same). */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	assert_int_equal(open_race(self, fd, name, sizeof(name)), VIGIL_TAMPER_NONE);
	/* A failed open keeps the name its entry decided on. */
	assert_int_equal(open_race("/etc/hostname", -ENOENT, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_string_equal(name, "/etc/hostname");
	close(fd);
}

/* ".." after a symlink: the kernel goes up from the link's target, a
 * lexical resolution from the link. The path as passed decides. */
static void test_open_through_a_symlink_and_dotdot(void **state)
{
	(void)state;
	char name[4096], p[256], raw[256], lexical[256];
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/sub/inner", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/up", dir);
	assert_int_equal(symlink("sub/inner", p), 0);
	snprintf(lexical, sizeof(lexical), "%s/f", dir);
	assert_int_equal(close(open(lexical, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	snprintf(p, sizeof(p), "%s/sub/f", dir);
	assert_int_equal(close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
	snprintf(raw, sizeof(raw), "%s/up/../f", dir);
	int fd = open(raw, O_RDONLY | O_CLOEXEC); /* the kernel: dir/sub/f */
	assert_true(fd >= 0);
	assert_int_equal(open_race_raw(lexical, raw, fd, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_string_equal(name, p);
	close(fd);
}

static void test_open_of_an_unlinked_file(void **state)
{
	(void)state;
	char name[4096], path[128];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) { /* not every filesystem has O_TMPFILE */
		assert_int_equal(open_race(dir, fd, name, sizeof(name)), VIGIL_TAMPER_NONE);
		assert_string_equal(name, dir);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/gone", dir);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(open_race(path, fd, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_int_equal(open_race("/etc/hostname", fd, name, sizeof(name)), VIGIL_TAMPER_PATH_RACE);
	close(fd);
}

static void test_who_can_race(void **state)
{
	(void)state;
	struct proc *p = test_proc(getpid(), "/");
	p->threads = 1;
	assert_false(race_possible(p));
	p->threads = 2;
	assert_true(race_possible(p));
	p->threads = 1;
	p->vm_shared = true;
	assert_true(race_possible(p));
	proc_unref(p);
}

/* An exec of `path` (NULL: unreadable) whose kernel comm is `comm`, run
 * as this very process (its /proc/self/exe is the image). */
/* args: the new image's argv[1..] (an interpreter gets the script's path there), or NULL. */
static enum vigil_tamper exec_race_args(const char *path, const char *comm, const char *args,
					char *name, size_t size)
{
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	struct proc_image img = {.name = (char *)comm, .exepath = exe, .args = (char *)args};
	struct proc *p = test_proc(getpid(), "/");
	struct sensor_task t = task_of(p, VIGIL_SC_EXECVE);
	t.exec_filename = path ? strdup(path) : NULL;
	enum vigil_tamper why = race_exec_check(&t, &img);
	snprintf(name, size, "%s", t.exec_filename ? t.exec_filename : "");
	free(t.exec_filename);
	proc_unref(p);
	return why;
}

static enum vigil_tamper exec_race(const char *path, const char *comm, char *name, size_t size)
{
	return exec_race_args(path, comm, NULL, name, size);
}

static void put_file(const char *name, const char *text, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_exec_path_names_the_image(void **state)
{
	(void)state;
	char exe[4096], name[4096], path[256], text[4200], sub[128];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	const char *comm = strrchr(exe, '/') + 1; /* test_race: under 16 bytes */
	assert_int_equal(exec_race(exe, comm, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_string_equal(name, exe);
	/* A symlink to the image, by the image's name. */
	snprintf(sub, sizeof(sub), "%s/l", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s", sub, comm);
	assert_int_equal(symlink(exe, path), 0);
	assert_int_equal(exec_race(path, comm, name, sizeof(name)), VIGIL_TAMPER_NONE);
	assert_string_equal(name, path); /* the caller's path stays */
	/* A script whose interpreter is the image: the kernel handed the
	 * interpreter the path it read, after the #! line's argument. */
	snprintf(text, sizeof(text), "#! %s -x\n", exe);
	put_file(comm, text, path, sizeof(path));
	char args[600];
	snprintf(args, sizeof(args), "-x %s arg", path);
	assert_int_equal(exec_race_args(path, comm, args, name, sizeof(name)), VIGIL_TAMPER_NONE);
	snprintf(args, sizeof(args), "%s", path); /* no #! argument, no others */
	assert_int_equal(exec_race_args(path, comm, args, name, sizeof(name)), VIGIL_TAMPER_NONE);
	/* The interpreter got another path: not what vigil read. */
	assert_int_equal(exec_race_args(path, comm, "-x /tmp/other arg", name, sizeof(name)),
			 VIGIL_TAMPER_EXEC_RACE);
}

static void test_exec_path_of_another_image(void **state)
{
	(void)state;
	char exe[4096], name[4096], path[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	const char *comm = strrchr(exe, '/') + 1;
	/* The last component is not the kernel's comm. */
	assert_int_equal(exec_race("/bin/sh", comm, name, sizeof(name)), VIGIL_TAMPER_EXEC_RACE);
	assert_string_equal(name, exe); /* the event names what ran */
	assert_int_equal(exec_race(NULL, comm, name, sizeof(name)), VIGIL_TAMPER_EXEC_RACE);
	/* Same name, another native binary. */
	assert_int_equal(exec_race("/bin/true", "true", name, sizeof(name)), VIGIL_TAMPER_EXEC_RACE);
	/* Same name, a script run by another interpreter, or nothing there. */
	put_file(comm, "#!/bin/true\n", path, sizeof(path));
	assert_int_equal(exec_race(path, comm, name, sizeof(name)), VIGIL_TAMPER_EXEC_RACE);
	snprintf(path, sizeof(path), "%s/none/%s", dir, comm);
	assert_int_equal(exec_race(path, comm, name, sizeof(name)), VIGIL_TAMPER_EXEC_RACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_name_is_the_kernels),
		cmocka_unit_test(test_open_through_a_symlink_and_dotdot),
		cmocka_unit_test(test_open_of_an_unlinked_file),
		cmocka_unit_test(test_who_can_race),
		cmocka_unit_test(test_exec_path_names_the_image),
		cmocka_unit_test(test_exec_path_of_another_image),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
