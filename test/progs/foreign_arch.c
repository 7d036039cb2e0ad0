/*
 * foreign_arch probe          i386 getpid via int $0x80; exit 77 if unsupported
 * foreign_arch i386 PATH      i386 open(PATH, O_WRONLY|O_CREAT, 0644) via
 *                             int $0x80 (PATH in the low 4 GiB, MAP_32BIT),
 *                             then i386 getpid and close, and an i386
 *                             socketcall(SYS_SOCKET, {AF_INET, SOCK_STREAM, 0})
 * foreign_arch x32probe       x32 getpid; exit 77 if the kernel lacks x32
 * foreign_arch x32 PATH       x32 openat(AT_FDCWD, PATH, O_WRONLY|O_CREAT)
 *
 * Reports {"pid":P,"path":PATH,"ptr":ADDR} before the foreign call and
 * {"open_res":R,"getpid_res":G} after it.  A tracer must trace the call
 * (evt.arch i386/x32) or refuse it (kill with a foreign_arch tamper event);
 * PATH must never be created without an event.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <fcntl.h>
#include <sys/mman.h>

#if defined(__x86_64__)

#define X32_BIT 0x40000000L

/* One i386 system call through int $0x80 (args are truncated to 32 bits). */
static long int80(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80"
                     : "=a"(r)
                     : "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "r8", "r9", "r10", "r11", "memory", "cc");
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: foreign_arch probe|i386 PATH|x32probe|x32 PATH\n");
        return VT_EXIT_SETUP;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "probe") == 0) {
        long r = int80(20, 0, 0, 0);
        vt_report("{\"getpid_res\":%ld,\"pid\":%d}", r, (int)getpid());
        if (r != getpid())
            vt_skip("kernel has no IA32 emulation (int $0x80 getpid failed)");
        return 0;
    }
    if (strcmp(mode, "x32probe") == 0) {
        long r = syscall(X32_BIT | SYS_getpid);
        vt_report("{\"getpid_res\":%ld,\"pid\":%d}", vt_res(r), (int)getpid());
        if (r != getpid())
            vt_skip("kernel has no x32 ABI");
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "missing PATH\n");
        return VT_EXIT_SETUP;
    }
    const char *path = argv[2];
    size_t len = strlen(path) + 1;
    if (len > 2048)
        return VT_EXIT_SETUP;
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED)
        vt_die("mmap MAP_32BIT");
    if ((unsigned long)low > 0xffffffffUL)
        vt_die("MAP_32BIT mapping above 4 GiB");
    memcpy(low, path, len);
    vt_report("{\"pid\":%d,\"path\":%s,\"ptr\":%lu}", (int)getpid(), vt_q(path), (unsigned long)low);
    long fd, g, sock = 0;
    if (strcmp(mode, "i386") == 0) {
        fd = int80(5, (long)(unsigned long)low, O_WRONLY | O_CREAT, 0644); /* i386 open */
        g = int80(20, 0, 0, 0);                                           /* i386 getpid */
        if (fd >= 0)
            int80(6, fd, 0, 0); /* i386 close */
        unsigned int *sargs = (unsigned int *)(low + 2048); /* socketcall's argument block */
        sargs[0] = 2; /* AF_INET */
        sargs[1] = 1; /* SOCK_STREAM */
        sargs[2] = 0;
        sock = int80(102, 1 /* SYS_SOCKET */, (long)(unsigned long)sargs, 0);
        if (sock >= 0)
            int80(6, sock, 0, 0);
    } else if (strcmp(mode, "x32") == 0) {
        fd = vt_res(syscall(X32_BIT | SYS_openat, AT_FDCWD, low, O_WRONLY | O_CREAT, 0644));
        g = vt_res(syscall(X32_BIT | SYS_getpid));
        if (fd >= 0)
            close((int)fd);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return VT_EXIT_SETUP;
    }
    vt_report("{\"open_res\":%ld,\"getpid_res\":%ld,\"socket_res\":%ld}", fd, g, sock);
    return 0;
}

#else

int main(void)
{
    vt_skip("foreign_arch: only meaningful on x86_64");
}

#endif
