/*
 * path_tricks.c - open /etc/shadow for reading under another name.
 *
 *   path_tricks TRICK SCRATCH
 *
 * Each trick reaches /etc/shadow through a path that a lexical join of
 * cwd and path names otherwise: /proc/self magic links, symlinked
 * directories, symlinks followed by "..", a chroot, openat2's
 * RESOLVE_IN_ROOT, threads with their own cwd or fd table, a cwd changed
 * by a CLONE_FS child or read after the leader exited, a cwd deeper than
 * PATH_MAX. SCRATCH is an empty directory the trick may fill. One report:
 *
 *   {"trick": T, "path": the path given to the final open, "tid": its
 *    thread, "fd": the result, "same": 1 when that fd is /etc/shadow}
 *
 * Exit 0 when the open happened, 77 when the trick cannot be done here,
 * 99 when setup failed.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vt_common.h"

static struct stat shadow;
static const char *scratch;
static char final_path[8192];

static void die(const char *what)
{
    fprintf(stderr, "path_tricks: %s: %s\n", what, strerror(errno));
    exit(VT_EXIT_SETUP);
}

/* The final open's outcome, named by the path it was given. */
static int report(const char *trick, int fd)
{
    struct stat st;
    int same = fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == shadow.st_dev &&
               st.st_ino == shadow.st_ino;
    vt_report("{\"trick\":\"%s\",\"path\":\"%s\",\"tid\":%ld,\"fd\":%d,\"same\":%d}", trick,
              final_path, vt_gettid(), fd, same);
    return fd >= 0 ? 0 : 1;
}

static int open_as(const char *trick, int dirfd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int open_as(const char *trick, int dirfd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(final_path, sizeof(final_path), fmt, ap);
    va_end(ap);
    return report(trick, (int)syscall(SYS_openat, dirfd, final_path, O_RDONLY));
}

static void in_scratch(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", scratch, name);
}

static void link_in_scratch(const char *target, const char *name)
{
    char p[PATH_MAX];
    in_scratch(name, p, sizeof(p));
    if (symlink(target, p) != 0)
        die("symlink");
}

static int etc_dir(void)
{
    int fd = open("/etc", O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        die("open /etc");
    return fd;
}

static int trick_openat2(const char *trick, const char *path)
{
    int dfd = etc_dir();
    struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_IN_ROOT};
    snprintf(final_path, sizeof(final_path), "%s", path);
    return report(trick, (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how)));
}

/* /var/run/../etc/shadow works when /var/run is a symlink to a top directory. */
static int trick_var_run(void)
{
    char real[PATH_MAX], *dir;
    struct stat st;
    if (lstat("/var/run", &st) != 0 || !S_ISLNK(st.st_mode) || !realpath("/var/run", real))
        return VT_EXIT_SKIP;
    dir = dirname(real);
    if (strcmp(dir, "/") != 0)
        return VT_EXIT_SKIP;
    return open_as("var_run", AT_FDCWD, "/var/run/../etc/shadow");
}

/* ------------------------------------------------------------ threads */

static void *unshare_fs_thread(void *arg)
{
    (void)arg;
    if (unshare(CLONE_FS) != 0 || chdir("/etc") != 0)
        die("unshare(CLONE_FS)/chdir");
    return (void *)(long)open_as("unshare_fs_thread", AT_FDCWD, "shadow");
}

static int scratch_fd = -1;

static void *unshare_files_thread(void *arg)
{
    (void)arg;
    if (unshare(CLONE_FILES) != 0)
        die("unshare(CLONE_FILES)");
    int efd = etc_dir();
    if (dup2(efd, scratch_fd) < 0)
        die("dup2");
    return (void *)(long)open_as("unshare_files_thread", scratch_fd, "shadow");
}

static int run_thread(void *(*fn)(void *))
{
    pthread_t t;
    void *ret;
    if (pthread_create(&t, NULL, fn, NULL) != 0 || pthread_join(t, &ret) != 0)
        die("pthread");
    return (int)(long)ret;
}

static char clone_stack[64 * 1024] __attribute__((aligned(16)));

static int chdir_to_etc(void *arg)
{
    (void)arg;
    _exit(chdir("/etc") == 0 ? 0 : 1);
}

/* A CLONE_FS child changes the parent's cwd: no syscall of the parent says so. */
static int trick_clone_fs_child(void)
{
    int probe = open(".", O_RDONLY | O_DIRECTORY); /* the parent's cwd is known */
    if (probe >= 0)
        close(probe);
    pid_t child = clone(chdir_to_etc, clone_stack + sizeof(clone_stack), CLONE_FS | SIGCHLD, NULL);
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
        die("clone(CLONE_FS)");
    return open_as("clone_fs_child_chdir", AT_FDCWD, "shadow");
}

static int chroot_to_etc(void *arg)
{
    (void)arg;
    _exit(chroot("/etc") == 0 ? 0 : 1);
}

/* A CLONE_FS child moves the parent's root: vigil's cached "same root as
 * mine" for the parent must not survive it. */
static int trick_clone_fs_child_chroot(void)
{
    int probe = open("/etc/hostname", O_RDONLY); /* the parent's root is learnt */
    if (probe >= 0)
        close(probe);
    pid_t child = clone(chroot_to_etc, clone_stack + sizeof(clone_stack), CLONE_FS | SIGCHLD, NULL);
    int status;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
        die("clone(CLONE_FS) chroot");
    return open_as("clone_fs_child_chroot", AT_FDCWD, "/shadow");
}

static pid_t leader;

/* The leader is a zombie: its /proc/PID/cwd cannot be read any more. */
static bool leader_is_zombie(void)
{
    char p[64], buf[512];
    snprintf(p, sizeof(p), "/proc/%d/stat", (int)leader);
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *r = strrchr(buf, ')');
    return r && r[1] == ' ' && r[2] == 'Z';
}

static void *after_leader(void *arg)
{
    (void)arg;
    /* Poll the condition itself (bounded): the leader's exit is its own. */
    for (int i = 0; i < 20000 && !leader_is_zombie(); i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    if (!leader_is_zombie())
        die("the leader did not exit");
    if (chdir("/etc") != 0)
        die("chdir");
    exit(open_as("zombie_leader", AT_FDCWD, "shadow"));
}

static int trick_zombie_leader(void)
{
    pthread_t t;
    leader = getpid();
    if (pthread_create(&t, NULL, after_leader, NULL) != 0)
        die("pthread_create");
    pthread_exit(NULL);
}

/* A cwd of ~4000 bytes: cwd + the relative path is longer than PATH_MAX. */
static int trick_deep_cwd(void)
{
    char name[201], cwd[PATH_MAX];
    memset(name, 'd', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    if (chdir(scratch) != 0)
        die("chdir scratch");
    while (getcwd(cwd, sizeof(cwd)) && strlen(cwd) < PATH_MAX - 2 * sizeof(name)) {
        if (mkdir(name, 0755) != 0 || chdir(name) != 0)
            die("mkdir/chdir deep");
    }
    size_t n = 0;
    for (int i = 0; i < 200; i++) /* more ".." than levels: they stop at / */
        n += (size_t)snprintf(final_path + n, sizeof(final_path) - n, "../");
    snprintf(final_path + n, sizeof(final_path) - n, "etc/shadow");
    return report("deep_cwd", (int)syscall(SYS_openat, AT_FDCWD, final_path, O_RDONLY));
}

static int trick(const char *t)
{
    char p[PATH_MAX];
    if (strcmp(t, "proc_self_root") == 0)
        return open_as(t, AT_FDCWD, "/proc/self/root/etc/shadow");
    if (strcmp(t, "proc_self_cwd") == 0) {
        if (chdir("/etc") != 0)
            die("chdir");
        return open_as(t, AT_FDCWD, "/proc/self/cwd/shadow");
    }
    if (strcmp(t, "proc_self_fd_dir") == 0)
        return open_as(t, AT_FDCWD, "/proc/self/fd/%d/shadow", etc_dir());
    if (strcmp(t, "thread_self_fd_dir") == 0)
        return open_as(t, AT_FDCWD, "/proc/thread-self/fd/%d/shadow", etc_dir());
    if (strcmp(t, "dev_fd_dir") == 0)
        return open_as(t, AT_FDCWD, "/dev/fd/%d/shadow", etc_dir());
    if (strcmp(t, "opath_reopen") == 0) {
        int pfd = open("/etc/shadow", O_PATH);
        if (pfd < 0)
            die("open O_PATH");
        return open_as(t, AT_FDCWD, "/proc/self/fd/%d", pfd);
    }
    if (strcmp(t, "symlinked_dir") == 0) {
        link_in_scratch("/etc", "x");
        in_scratch("x/shadow", p, sizeof(p));
        return open_as(t, AT_FDCWD, "%s", p);
    }
    if (strcmp(t, "relative_symlink") == 0) {
        char target[PATH_MAX] = "";
        for (int i = 0; i < 40; i++)
            strcat(target, "../");
        strcat(target, "etc/shadow");
        link_in_scratch(target, "rel");
        in_scratch("rel", p, sizeof(p));
        return open_as(t, AT_FDCWD, "%s", p);
    }
    if (strcmp(t, "dot_symlink") == 0) {
        link_in_scratch("/etc", "e");
        link_in_scratch("./e/shadow", "dot");
        in_scratch("dot", p, sizeof(p));
        return open_as(t, AT_FDCWD, "%s", p);
    }
    if (strcmp(t, "symlink_dotdot") == 0) { /* /var/run/../etc/shadow, built here */
        link_in_scratch("/usr", "vrun");
        in_scratch("vrun/../etc/shadow", p, sizeof(p));
        return open_as(t, AT_FDCWD, "%s", p);
    }
    if (strcmp(t, "var_run") == 0)
        return trick_var_run();
    if (strcmp(t, "chroot_etc") == 0) {
        if (chroot("/etc") != 0)
            die("chroot");
        return open_as(t, AT_FDCWD, "/shadow");
    }
    if (strcmp(t, "openat2_in_root_abs") == 0)
        return trick_openat2(t, "/shadow");
    if (strcmp(t, "openat2_in_root_rel") == 0)
        return trick_openat2(t, "shadow");
    if (chdir(scratch) != 0)
        die("chdir scratch");
    if (strcmp(t, "unshare_fs_thread") == 0)
        return run_thread(unshare_fs_thread);
    if (strcmp(t, "unshare_files_thread") == 0) {
        if ((scratch_fd = open(".", O_RDONLY | O_DIRECTORY)) < 0)
            die("open scratch");
        return run_thread(unshare_files_thread);
    }
    if (strcmp(t, "clone_fs_child_chdir") == 0)
        return trick_clone_fs_child();
    if (strcmp(t, "clone_fs_child_chroot") == 0)
        return trick_clone_fs_child_chroot();
    if (strcmp(t, "zombie_leader") == 0)
        return trick_zombie_leader();
    if (strcmp(t, "deep_cwd") == 0)
        return trick_deep_cwd();
    fprintf(stderr, "path_tricks: unknown trick %s\n", t);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: path_tricks TRICK SCRATCH\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    scratch = argv[2];
    if (stat("/etc/shadow", &shadow) != 0 || access("/etc/shadow", R_OK) != 0)
        return VT_EXIT_SKIP; /* not root, or no shadow file here */
    return trick(argv[1]);
}
