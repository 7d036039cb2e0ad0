/*
 * longargv many N    execve("/bin/true", ["/bin/true", "arg00000", ... N args])
 * longargv big SIZE  execve("/bin/true", ["/bin/true", SIZE bytes of 'x'])
 * longargv weird     execve("/bin/true", args holding quotes, backslashes,
 *                    control characters and bytes that are not UTF-8)
 * longargv pad SIZE PROG ARG...
 *                    execve(PROG, [PROG, SIZE bytes of padding arguments
 *                    ("/nonexistent/padNNNNNN"), ARG...]): what hides a
 *                    pattern behind the part of argv vigil keeps
 *
 * Reports {"pid":P,"argc":N,"args_len":L} before the exec, where L is the
 * length of argv[1..] joined by single spaces (proc.args untruncated).  If the
 * exec fails (E2BIG for SIZE > 128 KiB) it reports {"exec_res":-errno} and
 * exits 0, so the test can compare with a native run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

/* dst[0..n-1] = PREFIX followed by i on `digits` digits (arg00000, ...). */
static void numbered_args(char **dst, long n, const char *prefix, int digits)
{
    size_t size = strlen(prefix) + (size_t)digits + 1;
    for (long i = 0; i < n; i++) {
        dst[i] = malloc(size);
        if (!dst[i])
            vt_die("malloc");
        snprintf(dst[i], size, "%s%0*ld", prefix, digits, i);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: longargv many N | big SIZE | weird | pad SIZE PROG ARG...\n");
        return VT_EXIT_SETUP;
    }
    const char *mode = argv[1];
    long count = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    char **args;
    long nargs;
    if (strcmp(mode, "many") == 0) {
        if (count < 1 || count > 100000)
            return VT_EXIT_SETUP;
        nargs = count;
        args = calloc((size_t)nargs + 2, sizeof *args);
        if (!args)
            vt_die("calloc");
        numbered_args(args + 1, nargs, "arg", 5);
    } else if (strcmp(mode, "big") == 0) {
        if (count < 1 || count > (64L << 20))
            return VT_EXIT_SETUP;
        nargs = 1;
        args = calloc(3, sizeof *args);
        char *big = malloc((size_t)count + 1);
        if (!args || !big)
            vt_die("malloc");
        memset(big, 'x', (size_t)count);
        big[count] = '\0';
        args[1] = big;
    } else if (strcmp(mode, "weird") == 0) {
        static char a1[] = "quote\"back\\slash";
        static char a2[] = "new\nline\ttab\x01\x1f";
        static char a3[] = "bad-utf8-\xff\xfe-\xc3(-end";
        static char a4[] = "ok-\xc3\xa9t\xc3\xa9";
        static char a5[] = "";
        nargs = 5;
        args = calloc(7, sizeof *args);
        if (!args)
            vt_die("calloc");
        args[1] = a1;
        args[2] = a2;
        args[3] = a3;
        args[4] = a4;
        args[5] = a5;
    } else if (strcmp(mode, "pad") == 0 && argc > 3) {
        if (count < 1 || count > (1L << 20))
            return VT_EXIT_SETUP;
        long npad = count / 24 + 1, ntail = argc - 4;
        nargs = npad + ntail;
        args = calloc((size_t)nargs + 2, sizeof *args);
        if (!args)
            vt_die("calloc");
        numbered_args(args + 1, npad, "/nonexistent/pad", 6);
        for (long i = 0; i < ntail; i++)
            args[npad + 1 + i] = argv[4 + i];
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return VT_EXIT_SETUP;
    }
    const char *path = strcmp(mode, "pad") == 0 ? argv[3] : "/bin/true";
    args[0] = (char *)path;
    size_t len = 0;
    for (long i = 1; i <= nargs; i++)
        len += strlen(args[i]) + (i > 1 ? 1 : 0);
    vt_report("{\"pid\":%d,\"argc\":%ld,\"args_len\":%zu}", (int)getpid(), nargs + 1, len);
    char *const env[] = {NULL};
    execve(path, args, env);
    vt_report("{\"exec_res\":%d}", -errno);
    return 0;
}
