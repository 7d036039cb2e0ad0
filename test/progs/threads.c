/*
 * threads DIR [N] - start N (default 8) pthreads that all exist at once;
 * thread i opens DIR/thread-<i> with openat(O_WRONLY|O_CREAT).
 *
 * Reports {"pid":P} and one {"tid":T,"path":"DIR/thread-i","fd":F} per thread.
 * Expected events: one openat per thread, proc.pid == P, thread.tid == T.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <pthread.h>

#define MAX_THREADS 64

struct job {
    const char *dir;
    int index;
    pthread_barrier_t *barrier;
};

/* Thread body: wait until every thread exists, then open this thread's file. */
static void *worker(void *arg)
{
    struct job *job = arg;
    char path[4096];
    snprintf(path, sizeof path, "%s/thread-%d", job->dir, job->index);
    pthread_barrier_wait(job->barrier);
    long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    vt_report("{\"tid\":%ld,\"path\":%s,\"fd\":%ld}", vt_gettid(), vt_q(path), vt_res(fd));
    /* Keep every thread alive until all have opened, so tids are distinct. */
    pthread_barrier_wait(job->barrier);
    if (fd >= 0)
        close((int)fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: threads DIR [N]\n");
        return VT_EXIT_SETUP;
    }
    int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 8;
    if (n < 1 || n > MAX_THREADS)
        n = 8;
    pthread_barrier_t barrier;
    if (pthread_barrier_init(&barrier, NULL, (unsigned)n) != 0)
        vt_die("pthread_barrier_init");
    vt_report("{\"pid\":%d,\"n\":%d}", (int)getpid(), n);
    pthread_t th[MAX_THREADS];
    struct job jobs[MAX_THREADS];
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct job){.dir = argv[1], .index = i, .barrier = &barrier};
        if (pthread_create(&th[i], NULL, worker, &jobs[i]) != 0)
            vt_die("pthread_create");
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    return 0;
}
