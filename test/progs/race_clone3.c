/*
 * race_clone3 DIR N - clone3 with CLONE_UNTRACED flipped in memory.
 *
 * A second thread flips the flags word of the struct clone_args between 0
 * and CLONE_UNTRACED (one aligned 8-byte store) while the main thread calls
 * clone3 with it N times. A child first marks slot i of a shared page (no
 * syscall: it cannot be stopped before that), then opens DIR/c-<i> and
 * stores the open's result; a child vigil cannot see gets ENOSYS from its
 * traced open (a SECCOMP_RET_TRACE with no tracer), so it knows it ran
 * unseen. Afterwards the glibc calls that use clone3 are tried once each:
 * pthread_create, fork, posix_spawn.
 *
 * Reports {"pid","tries","enosys","eperm","other","created","ran":R,"pthread":0|errno,
 * "fork":status,"spawn":status}, and writes DIR/ran: one line "i pid open_res" for each
 * of the R children that ran.
 *
 * Expected under vigil: every child in "ran" has its open of DIR/c-<i> in
 * the events (proc.pid = pid); no child ever runs unseen.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef CLONE_UNTRACED
#define CLONE_UNTRACED 0x00800000
#endif
#define MAX_TRIES 20000

/* struct clone_args, version 0 (64 bytes), spelled out to avoid header clashes. */
struct vt_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

struct slot {
    int ran;
    int pid;
    long open_res;
};

static _Alignas(64) struct vt_clone_args args;
static atomic_int stop;

static void *flipper(void *arg)
{
    (void)arg;
    volatile uint64_t *flags = &args.flags;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        *flags = CLONE_UNTRACED;
        *flags = 0;
    }
    return NULL;
}

__attribute__((noreturn)) static void child(struct slot *s, const char *dir, long i)
{
    s->ran = 1; /* first, before any syscall */
    s->pid = (int)getpid();
    char path[4200];
    snprintf(path, sizeof(path), "%s/c-%ld", dir, i);
    long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    s->open_res = vt_res(fd);
    _exit(0);
}

static void *nothing(void *arg)
{
    return arg;
}

/* The glibc paths that try clone3 first must still work. */
static void fallbacks(int *pt, int *fk, int *sp)
{
    pthread_t t;
    *pt = pthread_create(&t, NULL, nothing, NULL);
    if (*pt == 0)
        pthread_join(t, NULL);
    int status = -1;
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    *fk = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    char *const av[] = {"true", NULL};
    char *const env[] = {NULL};
    *sp = -1;
    if (posix_spawn(&pid, "/bin/true", NULL, NULL, av, env) == 0 &&
        waitpid(pid, &status, 0) == pid && WIFEXITED(status))
        *sp = WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: race_clone3 DIR N\n");
        return VT_EXIT_SETUP;
    }
    long n = strtol(argv[2], NULL, 10);
    if (n < 1 || n > MAX_TRIES)
        n = 3000;
    struct slot *slots = mmap(NULL, sizeof(struct slot) * (size_t)n, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED)
        vt_die("mmap");
    args.exit_signal = SIGCHLD;
    pthread_t t;
    if (pthread_create(&t, NULL, flipper, NULL) != 0)
        vt_die("pthread_create");
    long enosys = 0, eperm = 0, other = 0, created = 0;
    fflush(NULL);
    for (long i = 0; i < n; i++) {
        long r = syscall(SYS_clone3, &args, sizeof(args));
        if (r == 0)
            child(&slots[i], argv[1], i);
        if (r > 0) {
            created++;
            waitpid((pid_t)r, NULL, 0);
        } else if (errno == ENOSYS) {
            enosys++;
        } else if (errno == EPERM) {
            eperm++;
        } else {
            other++;
        }
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    char path[4200];
    snprintf(path, sizeof(path), "%s/ran", argv[1]);
    FILE *f = fopen(path, "we");
    if (!f)
        vt_die("fopen DIR/ran");
    long ran = 0;
    for (long i = 0; i < n; i++) {
        if (!slots[i].ran)
            continue;
        ran++;
        fprintf(f, "%ld %d %ld\n", i, slots[i].pid, slots[i].open_res);
    }
    if (fclose(f) != 0)
        vt_die("fclose DIR/ran");
    int pt, fk, sp;
    fallbacks(&pt, &fk, &sp);
    vt_report("{\"pid\":%d,\"tries\":%ld,\"enosys\":%ld,\"eperm\":%ld,\"other\":%ld,\"created\":%ld,"
              "\"ran\":%ld,\"pthread\":%d,\"fork\":%d,\"spawn\":%d}",
              (int)getpid(), n, enosys, eperm, other, created, ran, pt, fk, sp);
    return 0;
}
