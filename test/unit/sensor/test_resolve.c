/*
 * test_resolve.c — the path resolver (sensor/resolve.h) against a real
 * "tracee": a child that sets up its cwd, fds or root, then waits while
 * the test resolves its paths through /proc/CHILD/task/CHILD, as the
 * supervisor does. Names are checked against a scratch tree made here.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sensor/resolve.h"

static char top[256]; /* the scratch tree (no symlinks on the way) */
static struct resolver rs;

struct child {
	pid_t pid;
	int go; /* write end: closing it lets the child exit */
};

static void mk(const char *rel, bool dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (dir)
		assert_int_equal(mkdir(p, 0755), 0);
	else
		assert_true(close(open(p, O_CREAT | O_WRONLY, 0644)) == 0);
}

static void ln(const char *target, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/vigil-resolve.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char real[PATH_MAX];
	assert_non_null(realpath(tmpl, real));
	assert_true(strlen(real) < sizeof(top));
	memcpy(top, real, strlen(real) + 1);
	mk("a", true);
	mk("a/b.txt", false);
	ln(top, "self");	  /* absolute link to the top */
	ln("a", "l");		  /* relative link to a directory */
	ln("made.txt", "dangling"); /* nothing there yet */
	ln("/a", "abs");	  /* absolute: means top/a only inside a chroot of top */
	resolver_init(&rs, NULL);
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	(void)state;
	resolver_fini(&rs);
	return nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A child whose cwd is top/CWD (after chroot(top) when `jail`), holding an
 * fd of top/a as fd 42; it waits until the test is done with it. */
static struct child spawn(const char *cwd, bool jail)
{
	int ready[2], go[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/a", top);
		int fd = open(p, O_RDONLY | O_DIRECTORY);
		bool ok = fd >= 0 && dup2(fd, 42) == 42;
		if (jail)
			ok = ok && chroot(top) == 0 && chdir(cwd) == 0;
		else
			snprintf(p, sizeof(p), "%s/%s", top, cwd), ok = ok && chdir(p) == 0;
		char c = ok ? 'y' : 'n';
		close(go[1]);
		(void)!write(ready[1], &c, 1);
		(void)!read(go[0], &c, 1); /* until the test closes it */
		_exit(0);
	}
	char c = 0;
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (c != 'y') { /* chroot needs root: say so rather than fail */
		close(go[1]);
		waitpid(pid, NULL, 0);
		return (struct child){-1, -1};
	}
	return (struct child){pid, go[1]};
}

static void reap(struct child *ch)
{
	close(ch->go);
	waitpid(ch->pid, NULL, 0);
}

/* Resolve for the child; the expected name is below top ("" = top). */
static void expect(const struct child *ch, int dirfd, const char *path, unsigned flags,
		   const char *want_rel)
{
	struct resolve_req q = {ch->pid, ch->pid, dirfd, path, flags};
	struct resolve_task t = {0};
	char out[PATH_MAX], want[PATH_MAX];
	snprintf(want, sizeof(want), "%s%s%s", top, *want_rel ? "/" : "", want_rel);
	assert_int_equal(resolve_path(&rs, &t, &q, out, sizeof(out)), 0);
	if (strcmp(out, want) != 0)
		fail_msg("%s (dirfd %d, flags %u): got %s, want %s", path, dirfd, flags, out, want);
}

static void test_plain_relative_paths(void **state)
{
	(void)state;
	struct child ch = spawn("a", false);
	expect(&ch, AT_FDCWD, "b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "new.txt", 0, "a/new.txt"); /* O_CREAT of a new file */
	expect(&ch, AT_FDCWD, "../a/./b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "", 0, "a"); /* AT_EMPTY_PATH: the cwd itself */
	expect(&ch, AT_FDCWD, "no/such/dir", 0, "a/no/such/dir"); /* fails the same way */
	expect(&ch, 42, "b.txt", 0, "a/b.txt");
	reap(&ch);
}

static void test_symlinks_are_followed_as_the_syscall_does(void **state)
{
	(void)state;
	struct child ch = spawn("", false);
	expect(&ch, AT_FDCWD, "l/b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "l", 0, "a");
	expect(&ch, AT_FDCWD, "l", RESOLVE_REQ_NOFOLLOW, "l"); /* unlink, rename: the link */
	expect(&ch, AT_FDCWD, "l/", RESOLVE_REQ_NOFOLLOW, "a"); /* a trailing slash follows */
	expect(&ch, AT_FDCWD, "self/l/../a/b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "l/../l/b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "dangling", 0, "made.txt"); /* O_CREAT creates the target */
	expect(&ch, AT_FDCWD, "dangling", RESOLVE_REQ_NOFOLLOW, "dangling");
	expect(&ch, AT_FDCWD, "l/new.txt", 0, "a/new.txt"); /* new file in a linked dir */
	reap(&ch);
}

static void test_proc_self_is_the_tracee(void **state)
{
	(void)state;
	struct child ch = spawn("a", false);
	expect(&ch, AT_FDCWD, "/proc/self/cwd/b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "/proc/thread-self/cwd", 0, "a");
	expect(&ch, AT_FDCWD, "/proc/self/fd/42/b.txt", 0, "a/b.txt");
	expect(&ch, AT_FDCWD, "/dev/fd/42/b.txt", 0, "a/b.txt");
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "/proc/%d/root%s/a", (int)ch.pid, top);
	expect(&ch, AT_FDCWD, p, 0, "a");
	/* A file of /proc itself: the tracee's, not vigil's. */
	struct resolve_req q = {ch.pid, ch.pid, AT_FDCWD, "/proc/self/status", 0};
	char out[PATH_MAX], want[64];
	snprintf(want, sizeof(want), "/proc/%d/status", (int)ch.pid);
	assert_int_equal(resolve_path(&rs, NULL, &q, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	reap(&ch);
}

static void test_in_root_and_chroot(void **state)
{
	(void)state;
	struct child ch = spawn("", false);
	expect(&ch, 42, "/b.txt", RESOLVE_REQ_IN_ROOT, "a/b.txt"); /* openat2 RESOLVE_IN_ROOT */
	expect(&ch, 42, "../../b.txt", RESOLVE_REQ_IN_ROOT, "a/b.txt");
	reap(&ch);
	ch = spawn("/a", true);
	if (ch.pid < 0)
		skip();
	expect(&ch, AT_FDCWD, "/a/b.txt", 0, "a/b.txt"); /* names relative to vigil's root */
	expect(&ch, AT_FDCWD, "/abs/b.txt", 0, "a/b.txt"); /* absolute links: the jail's root */
	expect(&ch, AT_FDCWD, "../../../a/b.txt", 0, "a/b.txt"); /* ".." stops at the jail */
	expect(&ch, AT_FDCWD, "../abs/new.txt", 0, "a/new.txt");
	expect(&ch, AT_FDCWD, "b.txt", 0, "a/b.txt");
	reap(&ch);
}

static void test_root_cache_and_its_invalidation(void **state)
{
	(void)state;
	struct child ch = spawn("a", false);
	struct resolve_req q = {ch.pid, ch.pid, AT_FDCWD, "b.txt", 0};
	struct resolve_task t = {0};
	char out[PATH_MAX];
	assert_int_equal(resolve_path(&rs, &t, &q, out, sizeof(out)), 0);
	assert_int_equal(t.root_state, RESOLVE_ROOT_SAME);
	uint32_t gen = rs.gen;
	resolver_root_changing(&rs, &t); /* chroot entered: nothing cached is trusted */
	assert_int_equal(rs.changing, 1);
	assert_true(rs.gen != gen);
	resolver_settled(&rs, &t);
	assert_int_equal(rs.changing, 0);
	assert_false(t.root_changing);
	reap(&ch);
	/* The thread is gone: the caller falls back to its lexical name. */
	q.tgid = q.tid = ch.pid;
	assert_int_equal(resolve_path(&rs, NULL, &q, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_relative_paths),
		cmocka_unit_test(test_symlinks_are_followed_as_the_syscall_does),
		cmocka_unit_test(test_proc_self_is_the_tracee),
		cmocka_unit_test(test_in_root_and_chroot),
		cmocka_unit_test(test_root_cache_and_its_invalidation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
