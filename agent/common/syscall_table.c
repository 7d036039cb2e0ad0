/*
 * syscall_table.c — vigil syscall ids <-> ABI numbers.
 *
 * Native numbers come from the kernel headers (<sys/syscall.h>); the i386
 * and x32 numbers are fixed by the kernel ABI and written out here, because
 * a 64-bit x86 process can issue them (int 0x80, the x32 bit) and the
 * seccomp filter must not let them through untraced.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>

#include "vigil/event.h"
#include "vigil/syscalls.h"

struct sc_info {
	const char *name;
	unsigned flags;
};

static const struct sc_info sc_infos[VIGIL_SC_COUNT] = {
	[VIGIL_SC_UNKNOWN] = {"unknown", VIGIL_SC_QUIET},
#define VIGIL_SC_INFO(id, nm, fl) [VIGIL_SC_##id] = {nm, fl},
	VIGIL_SYSCALL_LIST(VIGIL_SC_INFO)
#undef VIGIL_SC_INFO
		[VIGIL_SC_PROCEXIT] = {"procexit", VIGIL_SC_QUIET},
	[VIGIL_SC_HEALTH] = {"vigil_health", VIGIL_SC_QUIET},
	[VIGIL_SC_FIM] = {"fim", VIGIL_SC_QUIET},
	[VIGIL_SC_UNSEEN_OPEN] = {"vigil_unseen_open", VIGIL_SC_QUIET},
	[VIGIL_SC_COVERAGE] = {"vigil_coverage", VIGIL_SC_QUIET},
};

const char *vigil_syscall_name(int id)
{
	if (id < 0 || id >= VIGIL_SC_COUNT || !sc_infos[id].name)
		return "unknown";
	return sc_infos[id].name;
}

int vigil_syscall_by_name(const char *name)
{
	/* Called per event by replay: compare the first byte before the rest. */
	for (int id = 1; id < VIGIL_SC_COUNT; id++)
		if (sc_infos[id].name && sc_infos[id].name[0] == name[0] &&
		    strcmp(sc_infos[id].name, name) == 0)
			return id;
	return VIGIL_SC_UNKNOWN;
}

unsigned vigil_syscall_flags(int id)
{
	if (id < 0 || id >= VIGIL_SC_COUNT)
		return 0;
	return sc_infos[id].flags;
}

void vigil_sc_set_add_opens(vigil_sc_set *s)
{
	for (int id = 1; id < VIGIL_SC_PROCEXIT; id++)
		if (sc_infos[id].flags & VIGIL_SC_OPENS)
			vigil_sc_set_add(s, id);
}

void vigil_sc_set_add_results(vigil_sc_set *s)
{
	for (int id = 1; id < VIGIL_SC_PROCEXIT; id++)
		if (sc_infos[id].flags & VIGIL_SC_RESULT)
			vigil_sc_set_add(s, id);
}

void vigil_sc_set_add_mandatory(vigil_sc_set *s)
{
	for (int id = 1; id < VIGIL_SC_PROCEXIT; id++)
		if (sc_infos[id].flags & (VIGIL_SC_TREE | VIGIL_SC_TAMPER))
			vigil_sc_set_add(s, id);
	/* i386 reaches the socket calls through one multiplexer too. */
	static const int socket_ids[] = {VIGIL_SC_SOCKET, VIGIL_SC_BIND,   VIGIL_SC_CONNECT,
					 VIGIL_SC_LISTEN, VIGIL_SC_ACCEPT, VIGIL_SC_ACCEPT4};
	for (size_t i = 0; i < sizeof(socket_ids) / sizeof(socket_ids[0]); i++)
		if (vigil_sc_set_has(s, socket_ids[i]))
			vigil_sc_set_add(s, VIGIL_SC_SOCKETCALL);
}

void vigil_sc_set_default(vigil_sc_set *s)
{
	/* Everything the tracer decodes; fork and clone are followed through
	 * ptrace events and need no syscall stop of their own (nor does a
	 * thread's exit: the notify sensor adds it for itself), and the
	 * argument-conditional ones are traced when their argument says so. */
	memset(s, 0, sizeof(*s));
	for (int id = 1; id < VIGIL_SC_PROCEXIT; id++)
		if (id != VIGIL_SC_FORK && id != VIGIL_SC_VFORK && id != VIGIL_SC_CLONE &&
		    id != VIGIL_SC_EXIT && !(sc_infos[id].flags & VIGIL_SC_ARGCOND))
			vigil_sc_set_add(s, id);
	vigil_sc_set_add_mandatory(s);
}

int vigil_sc_set_parse(vigil_sc_set *s, const char *list, const char **bad, int *bad_len)
{
	memset(s, 0, sizeof(*s));
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		char name[32];
		if (n > 0) {
			int id = VIGIL_SC_UNKNOWN;
			if (n < sizeof(name)) {
				memcpy(name, p, n);
				name[n] = '\0';
				id = vigil_syscall_by_name(name);
			}
			if (id == VIGIL_SC_UNKNOWN || id >= VIGIL_SC_PROCEXIT) {
				*bad = p;
				*bad_len = (int)n;
				return -1;
			}
			vigil_sc_set_add(s, id);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	vigil_sc_set_add_mandatory(s);
	return 0;
}

/* One ABI number of one vigil id. */
struct sc_nr {
	int nr;
	int id;
};

/* Native numbers, where this architecture has the syscall at all. */
_Static_assert(VIGIL_SC_COUNT <= 256, "syscall ids fit a byte (native_direct)");

/* A dense table laid out by hand: */
/* clang-format off */
static const struct sc_nr native_nrs[] = {
#define N(sys, id) {__NR_##sys, VIGIL_SC_##id},
	N(execve, EXECVE) N(execveat, EXECVEAT) N(clone, CLONE)
#ifdef __NR_clone3
	N(clone3, CLONE3)
#else
	{435, VIGIL_SC_CLONE3},
#endif
#ifdef __NR_fork
	N(fork, FORK) N(vfork, VFORK) N(open, OPEN) N(creat, CREAT)
	N(unlink, UNLINK) N(rename, RENAME) N(mkdir, MKDIR) N(rmdir, RMDIR)
	N(link, LINK) N(symlink, SYMLINK) N(chmod, CHMOD) N(chown, CHOWN)
	N(lchown, LCHOWN) N(dup2, DUP2) N(accept, ACCEPT)
#endif
	N(exit, EXIT) N(chdir, CHDIR) N(fchdir, FCHDIR) N(setsid, SETSID) N(setpgid, SETPGID) N(openat, OPENAT)
	{437, VIGIL_SC_OPENAT2},
	N(connect, CONNECT) N(accept4, ACCEPT4) N(bind, BIND) N(listen, LISTEN)
	N(socket, SOCKET) N(unlinkat, UNLINKAT) N(renameat2, RENAMEAT2)
#ifdef __NR_renameat
	N(renameat, RENAMEAT)
#endif
	N(mkdirat, MKDIRAT) N(linkat, LINKAT) N(symlinkat, SYMLINKAT)
	N(fchmod, FCHMOD) N(fchmodat, FCHMODAT) {452, VIGIL_SC_FCHMODAT2},
	N(fchown, FCHOWN) N(fchownat, FCHOWNAT)
	N(setuid, SETUID) N(setgid, SETGID) N(setreuid, SETREUID) N(setregid, SETREGID)
	N(setresuid, SETRESUID) N(setresgid, SETRESGID) N(ptrace, PTRACE)
	N(memfd_create, MEMFD_CREATE) N(mount, MOUNT) N(umount2, UMOUNT2)
	N(init_module, INIT_MODULE) N(finit_module, FINIT_MODULE) N(bpf, BPF)
	N(dup, DUP) N(dup3, DUP3) {425, VIGIL_SC_IO_URING_SETUP},
	N(kill, KILL) N(tkill, TKILL) N(tgkill, TGKILL) {424, VIGIL_SC_PIDFD_SEND_SIGNAL},
	N(process_vm_writev, PROCESS_VM_WRITEV) N(process_vm_readv, PROCESS_VM_READV)
	{434, VIGIL_SC_PIDFD_OPEN}, {438, VIGIL_SC_PIDFD_GETFD}, N(kcmp, KCMP)
	N(rt_sigqueueinfo, RT_SIGQUEUEINFO) N(rt_tgsigqueueinfo, RT_TGSIGQUEUEINFO)
	N(seccomp, SECCOMP) N(prctl, PRCTL)
	{428, VIGIL_SC_OPEN_TREE}, {429, VIGIL_SC_MOVE_MOUNT}, {430, VIGIL_SC_FSOPEN},
	{432, VIGIL_SC_FSMOUNT}, {433, VIGIL_SC_FSPICK}, {442, VIGIL_SC_MOUNT_SETATTR},
	N(sendto, SENDTO) N(sendmsg, SENDMSG) N(sendmmsg, SENDMMSG)
	N(open_by_handle_at, OPEN_BY_HANDLE_AT)
	N(chroot, CHROOT) N(pivot_root, PIVOT_ROOT) N(setns, SETNS) N(unshare, UNSHARE)
#undef N
};
/* clang-format on */

#if defined(__x86_64__)
/* i386 (int 0x80 / sysenter), from arch/x86/entry/syscalls/syscall_32.tbl. */
/* A dense table laid out by hand: */
/* clang-format off */
static const struct sc_nr i386_nrs[] = {
	{11, VIGIL_SC_EXECVE}, {358, VIGIL_SC_EXECVEAT}, {120, VIGIL_SC_CLONE},
	{435, VIGIL_SC_CLONE3}, {2, VIGIL_SC_FORK}, {190, VIGIL_SC_VFORK},
	{1, VIGIL_SC_EXIT}, {12, VIGIL_SC_CHDIR}, {133, VIGIL_SC_FCHDIR}, {66, VIGIL_SC_SETSID}, {57, VIGIL_SC_SETPGID},
	{5, VIGIL_SC_OPEN}, {295, VIGIL_SC_OPENAT}, {437, VIGIL_SC_OPENAT2}, {8, VIGIL_SC_CREAT},
	{362, VIGIL_SC_CONNECT}, {364, VIGIL_SC_ACCEPT4}, {361, VIGIL_SC_BIND},
	{363, VIGIL_SC_LISTEN}, {359, VIGIL_SC_SOCKET}, {102, VIGIL_SC_SOCKETCALL},
	{10, VIGIL_SC_UNLINK}, {301, VIGIL_SC_UNLINKAT}, {38, VIGIL_SC_RENAME},
	{302, VIGIL_SC_RENAMEAT}, {353, VIGIL_SC_RENAMEAT2}, {39, VIGIL_SC_MKDIR},
	{296, VIGIL_SC_MKDIRAT}, {40, VIGIL_SC_RMDIR}, {9, VIGIL_SC_LINK},
	{303, VIGIL_SC_LINKAT}, {83, VIGIL_SC_SYMLINK}, {304, VIGIL_SC_SYMLINKAT},
	{15, VIGIL_SC_CHMOD}, {94, VIGIL_SC_FCHMOD}, {306, VIGIL_SC_FCHMODAT},
	{452, VIGIL_SC_FCHMODAT2},
	{182, VIGIL_SC_CHOWN}, {212, VIGIL_SC_CHOWN}, {95, VIGIL_SC_FCHOWN},
	{207, VIGIL_SC_FCHOWN}, {16, VIGIL_SC_LCHOWN}, {198, VIGIL_SC_LCHOWN},
	{298, VIGIL_SC_FCHOWNAT},
	{23, VIGIL_SC_SETUID}, {213, VIGIL_SC_SETUID}, {46, VIGIL_SC_SETGID},
	{214, VIGIL_SC_SETGID}, {70, VIGIL_SC_SETREUID}, {203, VIGIL_SC_SETREUID},
	{71, VIGIL_SC_SETREGID}, {204, VIGIL_SC_SETREGID}, {164, VIGIL_SC_SETRESUID},
	{208, VIGIL_SC_SETRESUID}, {170, VIGIL_SC_SETRESGID}, {210, VIGIL_SC_SETRESGID},
	{26, VIGIL_SC_PTRACE}, {356, VIGIL_SC_MEMFD_CREATE}, {21, VIGIL_SC_MOUNT},
	{22, VIGIL_SC_UMOUNT2}, {52, VIGIL_SC_UMOUNT2}, {128, VIGIL_SC_INIT_MODULE},
	{350, VIGIL_SC_FINIT_MODULE}, {357, VIGIL_SC_BPF}, {41, VIGIL_SC_DUP},
	{63, VIGIL_SC_DUP2}, {330, VIGIL_SC_DUP3}, {425, VIGIL_SC_IO_URING_SETUP},
	{37, VIGIL_SC_KILL}, {238, VIGIL_SC_TKILL}, {270, VIGIL_SC_TGKILL},
	{424, VIGIL_SC_PIDFD_SEND_SIGNAL}, {348, VIGIL_SC_PROCESS_VM_WRITEV},
	{347, VIGIL_SC_PROCESS_VM_READV}, {434, VIGIL_SC_PIDFD_OPEN}, {438, VIGIL_SC_PIDFD_GETFD},
	{349, VIGIL_SC_KCMP}, {178, VIGIL_SC_RT_SIGQUEUEINFO}, {335, VIGIL_SC_RT_TGSIGQUEUEINFO},
	{354, VIGIL_SC_SECCOMP}, {172, VIGIL_SC_PRCTL},
	{428, VIGIL_SC_OPEN_TREE}, {429, VIGIL_SC_MOVE_MOUNT}, {430, VIGIL_SC_FSOPEN},
	{432, VIGIL_SC_FSMOUNT}, {433, VIGIL_SC_FSPICK}, {442, VIGIL_SC_MOUNT_SETATTR},
	{369, VIGIL_SC_SENDTO}, {370, VIGIL_SC_SENDMSG}, {345, VIGIL_SC_SENDMMSG},
	{342, VIGIL_SC_OPEN_BY_HANDLE_AT},
	{61, VIGIL_SC_CHROOT}, {217, VIGIL_SC_PIVOT_ROOT}, {346, VIGIL_SC_SETNS},
	{310, VIGIL_SC_UNSHARE},
};
/* clang-format on */

/* x32 syscalls whose numbers differ from x86_64 (the 512+ compat range). */
/* A dense table laid out by hand: */
/* clang-format off */
static const struct sc_nr x32_nrs[] = {
	{520, VIGIL_SC_EXECVE}, {545, VIGIL_SC_EXECVEAT},
	{521, VIGIL_SC_PTRACE}, {540, VIGIL_SC_PROCESS_VM_WRITEV},
	{539, VIGIL_SC_PROCESS_VM_READV}, {524, VIGIL_SC_RT_SIGQUEUEINFO},
	{536, VIGIL_SC_RT_TGSIGQUEUEINFO}, {518, VIGIL_SC_SENDMSG}, {538, VIGIL_SC_SENDMMSG},
};
/* clang-format on */
#endif

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct sc_nr *table_for(int arch, int *n)
{
	switch (arch) {
#if defined(__x86_64__)
	case VIGIL_ARCH_X86_64: *n = COUNT(native_nrs); return native_nrs;
	case VIGIL_ARCH_I386: *n = COUNT(i386_nrs); return i386_nrs;
#elif defined(__aarch64__)
	case VIGIL_ARCH_AARCH64: *n = COUNT(native_nrs); return native_nrs;
#endif
	default: *n = 0; return NULL;
	}
}

int vigil_syscall_numbers(int arch, int id, int nrs[], int max)
{
	int n, count = 0;
	const struct sc_nr *t = table_for(arch, &n);
	for (int i = 0; i < n && count < max; i++)
		if (t[i].id == id)
			nrs[count++] = t[i].nr;
	return count;
}

static int lookup(const struct sc_nr *t, int n, long nr)
{
	for (int i = 0; i < n; i++)
		if (t[i].nr == nr)
			return t[i].id;
	return VIGIL_SC_UNKNOWN;
}

/*
 * Every traced stop asks this (the filter's data is not trusted), so the
 * native ABI gets a direct table, built on first use; numbers are dense
 * below 512 on x86_64 and aarch64.
 */
#define NATIVE_DIRECT 512
static unsigned char native_direct[NATIVE_DIRECT];
static bool native_direct_ready;

static int native_lookup(long nr)
{
	if (!native_direct_ready) {
		for (int i = 0; i < COUNT(native_nrs); i++)
			if (native_nrs[i].nr >= 0 && native_nrs[i].nr < NATIVE_DIRECT)
				native_direct[native_nrs[i].nr] = (unsigned char)native_nrs[i].id;
		native_direct_ready = true;
	}
	return nr >= 0 && nr < NATIVE_DIRECT ? native_direct[nr] : VIGIL_SC_UNKNOWN;
}

int vigil_syscall_from_nr(int arch, long nr)
{
#if defined(__x86_64__)
	if (arch == VIGIL_ARCH_X86_64)
		return native_lookup(nr);
#elif defined(__aarch64__)
	if (arch == VIGIL_ARCH_AARCH64)
		return native_lookup(nr);
#endif
#if defined(__x86_64__)
	if (arch == VIGIL_ARCH_X32) {
		long base = nr & ~0x40000000L;
		int id = lookup(x32_nrs, COUNT(x32_nrs), base);
		return id != VIGIL_SC_UNKNOWN ? id : lookup(native_nrs, COUNT(native_nrs), base);
	}
#endif
	int n;
	const struct sc_nr *t = table_for(arch, &n);
	return t ? lookup(t, n, nr) : VIGIL_SC_UNKNOWN;
}
