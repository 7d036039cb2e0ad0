/*
 * exec_thread simple MARKER
 * exec_thread race MARKER [NWORKERS]
 *
 * simple: a non-leader thread calls execve(self, [self, "after", MARKER])
 *         while the leader blocks in pthread_join.
 * race:   NWORKERS threads (default 8) open /dev/null and exit at staggered
 *         times, the leader calls pthread_exit() at once (zombie leader), and
 *         one more thread calls execve while workers are still exiting.
 *
 * Reports {"stage":"start","pid":P,"tid":T} before, {"stage":"exec","tid":X}
 * from the exec'ing thread just before execve, and after the exec the new
 * image reports {"stage":"after","pid":P2,"tid":T2} and opens MARKER
 * (O_WRONLY|O_CREAT).  Expected: P2 == P == T2, and the execve event and
 * the marker openat carry proc.pid P.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <pthread.h>

static char self_path[4096];
static const char *marker;
static int nworkers = 8;

/* Exec this program again in "after" mode; returns only on failure. */
static void exec_after(void)
{
    char *const args[] = {self_path, "after", (char *)marker, NULL};
    char *const env[] = {NULL};
    vt_report("{\"stage\":\"exec\",\"tid\":%ld}", vt_gettid());
    execve(self_path, args, env);
    vt_report("{\"stage\":\"exec_failed\",\"errno\":%d}", errno);
    _exit(VT_EXIT_SETUP);
}

/* Thread that execs, after an optional delay in microseconds. */
static void *exec_thread(void *arg)
{
    long delay = (long)arg;
    if (delay > 0)
        usleep((useconds_t)delay);
    exec_after();
    return NULL;
}

/* Worker for race mode: one traced syscall, a staggered sleep, then exit. */
static void *worker(void *arg)
{
    long i = (long)arg;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    usleep((useconds_t)(i * 150));
    if (fd >= 0)
        close(fd);
    if (i % 2)
        pthread_exit(NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: exec_thread simple|race|after MARKER [NWORKERS]\n");
        return VT_EXIT_SETUP;
    }
    marker = argv[2];
    if (strcmp(argv[1], "after") == 0) {
        vt_report("{\"stage\":\"after\",\"pid\":%d,\"tid\":%ld}", (int)getpid(), vt_gettid());
        int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            vt_die("open marker");
        close(fd);
        return 0;
    }
    vt_self_exe(self_path, sizeof self_path);
    vt_report("{\"stage\":\"start\",\"pid\":%d,\"tid\":%ld}", (int)getpid(), vt_gettid());
    pthread_t t;
    if (strcmp(argv[1], "simple") == 0) {
        if (pthread_create(&t, NULL, exec_thread, (void *)0L) != 0)
            vt_die("pthread_create");
        pthread_join(t, NULL); /* never returns: the exec replaces us */
        return VT_EXIT_SETUP;
    }
    if (argc > 3)
        nworkers = (int)strtol(argv[3], NULL, 10);
    if (nworkers < 1 || nworkers > 256)
        nworkers = 8;
    for (long i = 0; i < nworkers; i++) {
        if (pthread_create(&t, NULL, worker, (void *)i) != 0)
            vt_die("pthread_create");
        pthread_detach(t);
    }
    if (pthread_create(&t, NULL, exec_thread, (void *)(long)(nworkers * 75)) != 0)
        vt_die("pthread_create");
    pthread_detach(t);
    pthread_exit(NULL);
}
