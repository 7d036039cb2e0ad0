/*
 * vt_common.h - helpers shared by the tracer test programs.
 *
 * Every program reports what it did as JSON lines on stdout, each prefixed
 * with "VIGILTEST " so the pytest suite can tell them apart from anything
 * else written to stdout (vigil's own stdout alert sink, for one).  A report
 * line is written with a single write(2) so lines from several processes or
 * threads sharing the pipe never interleave.
 *
 * Exit codes follow the strace convention: 0 pass, 77 skip (feature
 * missing), 99 setup failure.
 */
#ifndef VT_COMMON_H
#define VT_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VT_EXIT_SKIP 77
#define VT_EXIT_SETUP 99

#define VT_PREFIX "VIGILTEST "

/* Thread id of the caller (glibc 2.36 has gettid(), raw syscall keeps it portable). */
static inline long vt_gettid(void)
{
    return syscall(SYS_gettid);
}

/*
 * Write all of buf to fd, retrying on EINTR and short writes.
 * Returns 0 on success, -1 on error.
 */
static inline int vt_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Format one report line (a JSON object without the prefix) and write it to
 * stdout as "VIGILTEST <json>\n" in a single write.  errno is preserved.
 */
__attribute__((format(printf, 1, 2)))
static inline void vt_report(const char *fmt, ...)
{
    char line[16384];
    int saved = errno;
    size_t pre = strlen(VT_PREFIX);
    memcpy(line, VT_PREFIX, pre);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + pre, sizeof line - pre - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t len = pre + (size_t)n;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    (void)vt_write_all(STDOUT_FILENO, line, len);
    errno = saved;
}

/*
 * Quote s as a JSON string into one of a few thread-local rotating buffers
 * (so several vt_q() results can appear in one vt_report call).  Bytes that
 * are not printable ASCII are escaped as \u00XX, which is enough for the
 * paths these programs report.
 */
static inline const char *vt_q(const char *s)
{
    static _Thread_local char bufs[4][4200];
    static _Thread_local int next;
    char *out = bufs[next];
    next = (next + 1) % 4;
    size_t o = 0, cap = sizeof bufs[0];
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*p;
        } else if (*p < 0x20 || *p >= 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* Return -errno if r is -1, else r: the raw result a tracer should report. */
static inline long vt_res(long r)
{
    return r == -1 ? -(long)errno : r;
}

/* Print a setup failure naming the operation and exit 99. */
__attribute__((noreturn))
static inline void vt_die(const char *what)
{
    fprintf(stderr, "setup failure: %s: %s\n", what, strerror(errno));
    exit(VT_EXIT_SETUP);
}

/* Print a reason and exit 77 (skip). */
__attribute__((noreturn))
static inline void vt_skip(const char *why)
{
    fprintf(stderr, "skip: %s\n", why);
    exit(VT_EXIT_SKIP);
}

/* Resolve the running executable's path into buf (size n); dies on error. */
static inline void vt_self_exe(char *buf, size_t n)
{
    ssize_t r = readlink("/proc/self/exe", buf, n - 1);
    if (r < 0)
        vt_die("readlink /proc/self/exe");
    buf[r] = '\0';
}

#endif /* VT_COMMON_H */
