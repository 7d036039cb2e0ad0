/*
 * race_exec.c — does the path read at an exec's entry name what ran? (race.h)
 *
 * The kernel sets comm to the last component of the path it read (for a
 * script too: the script's name), and /proc/PID/exe to the file it mapped:
 * the binary, or a script's interpreter. The entry path names the image
 * when its last component is comm and the file it names now is exe, or is
 * a script (#!) whose interpreter chain ends at exe. A file of a format the
 * kernel hands to binfmt_misc (not ELF, not #!) cannot be followed: comm
 * alone decides then. A symlink (/bin/sh -> dash) is no mismatch.
 */
#include <fcntl.h>
#include <linux/elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/log.h"
#include "sensor/race.h"
#include "sensor/tracee_path.h"

#define COMM_MAX 15	   /* TASK_COMM_LEN - 1 */
#define HEAD_MAX 256	   /* BINPRM_BUF_SIZE: what the kernel reads of a script */
#define MAX_INTERP_DEPTH 5 /* the kernel follows 4 interpreters (BINPRM_MAX_RECURSION) */

#if defined(__x86_64__)
#define NATIVE_MACHINE(m) ((m) == EM_X86_64 || (m) == EM_386)
#else
#define NATIVE_MACHINE(m) ((m) == EM_AARCH64 || (m) == EM_ARM)
#endif

/* The kernel's comm for an exec of `path`: its last component, cut. */
static bool comm_is_of(const char *path, const char *comm)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, comm, COMM_MAX) == 0 && strlen(comm) == strnlen(base, COMM_MAX);
}

/* What a file's first bytes say the kernel does with it. */
enum format { FMT_OTHER, FMT_NATIVE_ELF, FMT_SCRIPT };

static enum format read_head(const char *path, char *interp, size_t size)
{
	unsigned char h[HEAD_MAX + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return FMT_OTHER;
	ssize_t n = read(fd, h, HEAD_MAX);
	close(fd);
	if (n >= 20 && memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_DATA] == ELFDATA2LSB)
		return NATIVE_MACHINE(h[18] | h[19] << 8) ? FMT_NATIVE_ELF : FMT_OTHER;
	if (n < 3 || h[0] != '#' || h[1] != '!')
		return FMT_OTHER;
	h[n] = '\0';
	char *p = (char *)h + 2;
	p += strspn(p, " \t");
	size_t len = strcspn(p, " \t\n");
	if (len == 0 || len >= size)
		return FMT_OTHER;
	memcpy(interp, p, len);
	interp[len] = '\0';
	return FMT_SCRIPT;
}

/* `path` (relative to dirfd) is exe, or a script whose interpreters lead there. */
static bool runs_as(const struct sensor_task *t, int dirfd, const char *path,
		    const struct stat *exe, int depth)
{
	char p[VIGIL_PATH_MAX + 128], interp[HEAD_MAX];
	struct stat st;
	if (tracee_path(t->proc->pid, t->tid, dirfd, path, p, sizeof(p)) != 0 || stat(p, &st) != 0)
		return false; /* nothing there now: not what ran */
	if (tracee_same_file(&st, exe))
		return true;
	if (!S_ISREG(st.st_mode) || depth == MAX_INTERP_DEPTH)
		return false;
	switch (read_head(p, interp, sizeof(interp))) {
	case FMT_NATIVE_ELF: return false; /* the kernel runs it itself: it would be exe */
	case FMT_SCRIPT: return runs_as(t, AT_FDCWD, interp, exe, depth + 1);
	default: return true; /* binfmt_misc's: its interpreter is not ours to find */
	}
}

/* The exec's dirfd, and whether it named the file by its fd alone. */
static int exec_dirfd(const struct sensor_task *t, const char *path, bool *by_fd)
{
	*by_fd = false;
	if (t->rec.id != VIGIL_SC_EXECVEAT)
		return AT_FDCWD;
	*by_fd = (t->rec.args[4] & AT_EMPTY_PATH) && !*path;
	return (int)t->rec.args[0];
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

static bool names_image(const struct sensor_task *t, const char *path, const struct proc_image *img)
{
	bool by_fd;
	int dirfd = exec_dirfd(t, path, &by_fd);
	/* fexecve names the file /dev/fd/N, and the kernel comms it by its dentry. */
	bool fd_name = by_fd || strncmp(path, "/dev/fd/", 8) == 0;
	if (!fd_name && img->name && !comm_is_of(path, img->name))
		return false;
	if (path[0] == '/' && strcmp(path, img->exepath) == 0)
		return true;
	/* An image removed since (a memfd, a dropper deleting itself) has no
	 * path left to compare: its name, already checked, is all there is. */
	if (ends_with(img->exepath, " (deleted)"))
		return true;
	char link[64];
	struct stat exe, dir;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)t->proc->pid);
	if (stat(link, &exe) != 0)
		return true; /* gone already: nothing to compare with */
	if (dirfd != AT_FDCWD && tracee_stat(t->proc->pid, t->tid, dirfd, "", &dir) != 0)
		return true; /* its dirfd was close-on-exec: the name decides */
	/* The common case first, at a third of the cost: an absolute path that
	 * names the image in vigil's view names it, whatever the thread's root
	 * (it is the same file); the thread's view is for the rest. */
	if (dirfd == AT_FDCWD && path[0] == '/' && stat(path, &dir) == 0 &&
	    tracee_same_file(&dir, &exe))
		return true;
	return runs_as(t, dirfd, path, &exe, 0);
}

enum vigil_tamper race_exec_check(struct sensor_task *t, const struct proc_image *img)
{
	if (!img->exepath)
		return VIGIL_TAMPER_NONE; /* nothing to compare with */
	const char *path = t->exec_filename;
	if (path && names_image(t, path, img))
		return VIGIL_TAMPER_NONE;
	LOG_WARN("process %d: the path vigil read for %s (%s) is not the image that ran (%s, "
		 "comm %s): another thread or process changed it; reported as an exec race",
		 (int)t->tid, vigil_syscall_name(t->rec.id), path ? path : "unreadable",
		 img->exepath, img->name ? img->name : "?");
	free(t->exec_filename);
	t->exec_filename = strdup(img->exepath);
	return VIGIL_TAMPER_EXEC_RACE;
}
