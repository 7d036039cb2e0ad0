/*
 * race_exec DIR N - exec a path that a second thread keeps flipping.
 *
 * N times: fork a child; the child starts a thread that flips a 16-byte
 * buffer between "/bin/sh" and "/bin/true" (two aligned 8-byte stores), and
 * execs the buffer with argv {"race-exec", "-c", "echo $$ >> DIR/ran"}. What
 * really ran is known without vigil: a shell appends its pid to DIR/ran,
 * true writes nothing.
 *
 * Reports {"pid","children":[...],"exec_failed":K}: the pids of the children
 * whose exec succeeded (status 0) and how many execs failed (a torn mix).
 *
 * Expected under vigil: for every pid in DIR/ran, its exec event names the
 * shell (proc.name sh, proc.exepath of /bin/sh), or carries vigil.tamper.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>

#define MAX_CHILDREN 1000

static _Alignas(16) uint64_t path_buf[2];
static uint64_t sh_words[2], true_words[2];

static void set_words(uint64_t w[2], const char *s)
{
    char tmp[16] = {0};
    memcpy(tmp, s, strlen(s));
    memcpy(w, tmp, sizeof(tmp));
}

/* Runs until the exec replaces the process (or it exits). */
static void *flipper(void *arg)
{
    (void)arg;
    volatile uint64_t *p = path_buf;
    for (;;) {
        p[0] = sh_words[0];
        p[1] = sh_words[1];
        p[0] = true_words[0];
        p[1] = true_words[1];
    }
    return NULL;
}

__attribute__((noreturn)) static void child(const char *script)
{
    pthread_t t;
    if (pthread_create(&t, NULL, flipper, NULL) != 0)
        _exit(99);
    char *const args[] = {"race-exec", "-c", (char *)script, NULL};
    char *const env[] = {"PATH=/usr/bin:/bin", NULL};
    execve((const char *)path_buf, args, env);
    _exit(127);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: race_exec DIR N\n");
        return VT_EXIT_SETUP;
    }
    long n = strtol(argv[2], NULL, 10);
    if (n < 1 || n > MAX_CHILDREN)
        n = 300;
    char script[4200];
    snprintf(script, sizeof(script), "echo $$ >> '%s/ran'", argv[1]);
    set_words(sh_words, "/bin/sh");
    set_words(true_words, "/bin/true");
    memcpy(path_buf, true_words, sizeof(path_buf));
    static char list[MAX_CHILDREN * 12 + 16];
    size_t len = 0;
    long failed = 0;
    fflush(NULL);
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            vt_die("fork");
        if (pid == 0)
            child(script);
        int status = 0;
        if (waitpid(pid, &status, 0) < 0)
            vt_die("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed++;
            continue;
        }
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", len ? "," : "", (int)pid);
    }
    vt_report("{\"pid\":%d,\"children\":[%s],\"exec_failed\":%ld}", (int)getpid(), list, failed);
    return 0;
}
