/*
 * race_open MODE N - open a path that someone else keeps flipping.
 *
 * The flipper rewrites a 16-byte buffer between "/etc/shadow" and
 * "/etc/hostname" (two aligned 8-byte stores; a torn mix names no file),
 * the opener opens the buffer N times with open(2) and fstat()s every fd it
 * gets: the kernel's answer, not the buffer, says which file it opened.
 * MODE says who flips:
 *   thread   a second thread; the opener is a third (its tid opens nothing else)
 *   mainthread  a second thread that makes no traced syscall at all; the
 *            opener is the main thread (a sensor that meets threads at
 *            their first traced call never meets the flipper)
 *   vmproc   a process sharing the memory (clone(CLONE_VM) without
 *            CLONE_THREAD); the opener is the single-threaded main thread
 *   vmwrite  a forked child, with process_vm_writev into the parent; the
 *            opener (main thread) starts after the child's first write
 * Just before its loop the opener opens "race-open-start" (no such file):
 * its open events after that one are its attempts, in order.
 *
 * Reports {"pid","tid","tries","classes"}: classes has one letter per
 * attempt: S (really /etc/shadow), H (/etc/hostname), O (another file) or
 * E (the open failed). Exits 77 when process_vm_writev is refused.
 *
 * Expected under vigil: every S attempt's event says fd.name=/etc/shadow,
 * or carries vigil.tamper (the race was seen and alerted).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define MAX_TRIES 15000

/* The path, as two 8-byte words each store of which is atomic. */
static _Alignas(16) uint64_t path_buf[2];
static uint64_t shadow_words[2], hostname_words[2];
static atomic_int stop;

static void set_words(uint64_t w[2], const char *s)
{
    char tmp[16] = {0};
    memcpy(tmp, s, strlen(s));
    memcpy(w, tmp, sizeof(tmp));
}

/* Hold each value a moment (about a microsecond): whole names, rarely torn,
 * flipping many times within the tracer's read-to-kernel window. */
static void hold(void)
{
    for (volatile int i = 0; i < 300; i++)
        ;
}

static void flip_here(void)
{
    volatile uint64_t *p = path_buf;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        p[0] = shadow_words[0];
        p[1] = shadow_words[1];
        hold();
        p[0] = hostname_words[0];
        p[1] = hostname_words[1];
        hold();
    }
}

static void *flip_thread(void *arg)
{
    flip_here();
    return arg;
}

static int flip_vm_process(void *arg)
{
    flip_here();
    return arg != NULL;
}

/* The child writes the parent's buffer through process_vm_writev until
 * killed; its first write (the same words) is what `ready` waits for. */
__attribute__((noreturn)) static void flip_remotely(pid_t parent, int ready)
{
    const uint64_t *words[] = {hostname_words, shadow_words};
    for (long i = 0;; i++) {
        struct iovec local = {(void *)words[i % 2 == 0 ? 0 : 1], 16};
        struct iovec remote = {path_buf, 16};
        if (process_vm_writev(parent, &local, 1, &remote, 1, 0) != 16)
            _exit(i == 0 ? VT_EXIT_SKIP : 0);
        if (i == 0 && write(ready, "x", 1) != 1)
            _exit(VT_EXIT_SETUP);
    }
}

struct opener {
    long tries;
    long tid;
    char classes[MAX_TRIES + 1];
    struct stat shadow, hostname;
};

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static void *opener(void *arg)
{
    struct opener *o = arg;
    o->tid = vt_gettid();
    (void)open("race-open-start", O_RDONLY | O_CLOEXEC);
    for (long i = 0; i < o->tries; i++) {
        int fd = open((const char *)path_buf, O_RDONLY | O_CLOEXEC);
        struct stat st;
        char c = 'E';
        if (fd >= 0) {
            c = 'O';
            if (fstat(fd, &st) == 0)
                c = same_file(&st, &o->shadow) ? 'S' : same_file(&st, &o->hostname) ? 'H' : 'O';
            close(fd);
        }
        o->classes[i] = c;
    }
    o->classes[o->tries] = '\0';
    return NULL;
}

static void run_threads(struct opener *o)
{
    pthread_t b, a;
    if (pthread_create(&b, NULL, flip_thread, NULL) != 0)
        vt_die("pthread_create flipper");
    if (pthread_create(&a, NULL, opener, o) != 0)
        vt_die("pthread_create opener");
    pthread_join(a, NULL);
    atomic_store(&stop, 1);
    pthread_join(b, NULL);
}

static void run_main_thread(struct opener *o)
{
    pthread_t b;
    if (pthread_create(&b, NULL, flip_thread, NULL) != 0)
        vt_die("pthread_create flipper");
    opener(o);
    atomic_store(&stop, 1);
    pthread_join(b, NULL);
}

static void run_vm_process(struct opener *o)
{
    static _Alignas(16) char stack[64 * 1024];
    pid_t pid = clone(flip_vm_process, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
    if (pid < 0)
        vt_die("clone(CLONE_VM)");
    opener(o);
    atomic_store(&stop, 1);
    waitpid(pid, NULL, 0);
}

static void run_vm_writer(struct opener *o)
{
    int ready[2];
    char c;
    if (pipe(ready) != 0)
        vt_die("pipe");
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        vt_die("fork");
    if (pid == 0)
        flip_remotely(parent, ready[1]);
    if (read(ready[0], &c, 1) != 1) {
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == VT_EXIT_SKIP)
            vt_skip("process_vm_writev into the parent is refused");
        vt_die("the writer died");
    }
    opener(o);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    static struct opener o;
    if (argc < 3) {
        fprintf(stderr, "usage: race_open thread|mainthread|vmproc|vmwrite N\n");
        return VT_EXIT_SETUP;
    }
    o.tries = strtol(argv[2], NULL, 10);
    if (o.tries < 1 || o.tries > MAX_TRIES)
        o.tries = 2000;
    if (stat("/etc/shadow", &o.shadow) != 0 || stat("/etc/hostname", &o.hostname) != 0)
        vt_die("stat /etc/shadow, /etc/hostname");
    set_words(shadow_words, "/etc/shadow");
    set_words(hostname_words, "/etc/hostname");
    memcpy(path_buf, hostname_words, sizeof(path_buf));
    if (strcmp(argv[1], "thread") == 0)
        run_threads(&o);
    else if (strcmp(argv[1], "mainthread") == 0)
        run_main_thread(&o);
    else if (strcmp(argv[1], "vmproc") == 0)
        run_vm_process(&o);
    else if (strcmp(argv[1], "vmwrite") == 0)
        run_vm_writer(&o);
    else
        vt_die("unknown MODE");
    vt_report("{\"pid\":%d,\"tid\":%ld,\"tries\":%ld,\"classes\":\"%s\"}", (int)getpid(), o.tid,
              o.tries, o.classes);
    return 0;
}
