/*
 * badptr DIR - syscalls with pointers a tracer cannot (fully) read.
 *
 * Before each case the program calls openat(AT_FDCWD,
 * "/nonexistent-vigil-case/<case>", O_RDONLY) (fails ENOENT) as a sentinel,
 * so the test can find the case's event: the first event of the case's
 * syscall type after the sentinel, on the same thread.  Every case reports
 * {"case":NAME,"type":SYSCALL,"res":-errno}; the results must equal those of
 * a native run.  At the end DIR/done is created (tracing still works).
 *
 * Bad pointers used: (char *)1, a kernel address, a PROT_NONE page, a string
 * that runs into a PROT_NONE page without a NUL, a full page with no NUL,
 * a sockaddr that straddles into a PROT_NONE page.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "vt_common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

static const char *cur_case;

/* Emit the sentinel openat that marks the start of case NAME. */
static void sentinel(const char *name)
{
    char path[256];
    cur_case = name;
    snprintf(path, sizeof path, "/nonexistent-vigil-case/%s", name);
    syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
}

/* Report the result of the current case. */
static void result(const char *type, long r)
{
    vt_report("{\"case\":%s,\"type\":%s,\"res\":%ld}", vt_q(cur_case), vt_q(type), vt_res(r));
}

/* Map two pages: the first read-write filled with fill, the second PROT_NONE. */
static char *guarded_page(long page, int fill)
{
    char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        vt_die("mmap");
    memset(m, fill, (size_t)page);
    if (mprotect(m + page, (size_t)page, PROT_NONE) < 0)
        vt_die("mprotect");
    return m;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: badptr DIR\n");
        return VT_EXIT_SETUP;
    }
    const char *dir = argv[1];
    long page = sysconf(_SC_PAGESIZE);
    char *strpage = guarded_page(page, 'a'); /* page of 'a', no NUL, then PROT_NONE */
    char *protnone = strpage + page;
    char *tail = strpage + page - 100;       /* 100 'a' then PROT_NONE */
    char *kaddr = (char *)0xffffffff81000000UL;
    char *one = (char *)1;
    char exists[4096], newname[4096], done[4096];
    snprintf(exists, sizeof exists, "%s/exists", dir);
    snprintf(newname, sizeof newname, "%s/newname", dir);
    snprintf(done, sizeof done, "%s/done", dir);
    int efd = open(exists, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (efd < 0)
        vt_die("create exists");
    close(efd);

    vt_report("{\"pid\":%d,\"tid\":%ld}", (int)getpid(), vt_gettid());

    sentinel("open_addr1");
    result("openat", syscall(SYS_openat, AT_FDCWD, one, O_RDONLY));
    sentinel("open_kernel_addr");
    result("openat", syscall(SYS_openat, AT_FDCWD, kaddr, O_RDONLY));
    sentinel("open_protnone");
    result("openat", syscall(SYS_openat, AT_FDCWD, protnone, O_RDONLY));
    sentinel("open_unterminated");
    result("openat", syscall(SYS_openat, AT_FDCWD, tail, O_RDONLY));
    sentinel("open_fullpage");
    result("openat", syscall(SYS_openat, AT_FDCWD, strpage, O_RDONLY));

    char *good_argv[] = {"/bin/true", NULL};
    char *bad_elem_argv[] = {"/bin/true", one, NULL};
    char *good_env[] = {NULL};
    sentinel("execve_path_addr1");
    result("execve", syscall(SYS_execve, one, good_argv, good_env));
    sentinel("execve_path_unterminated");
    result("execve", syscall(SYS_execve, tail, good_argv, good_env));
    sentinel("execve_argv_protnone");
    result("execve", syscall(SYS_execve, "/bin/true", protnone, good_env));
    sentinel("execve_argv_elem_addr1");
    result("execve", syscall(SYS_execve, "/bin/true", bad_elem_argv, good_env));
    sentinel("execve_envp_addr1");
    result("execve", syscall(SYS_execve, "/bin/true", good_argv, one));

    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        vt_die("socket");
    /* A sockaddr_in whose last 8 bytes lie in a PROT_NONE page. */
    char *addrpage = guarded_page(page, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char *straddle = addrpage + page - 8;
    memcpy(straddle, &sin, 8);
    sentinel("connect_addr1");
    result("connect", syscall(SYS_connect, s, one, (long)sizeof sin));
    sentinel("connect_protnone");
    result("connect", syscall(SYS_connect, s, protnone, (long)sizeof sin));
    sentinel("connect_straddle");
    result("connect", syscall(SYS_connect, s, straddle, (long)sizeof sin));
    close(s);

    sentinel("rename_old_addr1");
    result("rename", syscall(SYS_rename, one, newname));
    sentinel("rename_new_protnone");
    result("rename", syscall(SYS_rename, exists, protnone));
    sentinel("rename_new_unterminated");
    result("rename", syscall(SYS_rename, exists, tail));

    sentinel("end");
    int fd = (int)syscall(SYS_openat, AT_FDCWD, done, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        vt_die("create done");
    close(fd);
    vt_report("{\"done\":%s}", vt_q(done));
    return 0;
}
