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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/log.h"
#include "sensor/race.h"
#include "sensor/tracee_path.h"

#define COMM_MAX 15 /* TASK_COMM_LEN - 1 */

/* The kernel's comm for an exec of `path`: its last component, cut. */
static bool comm_is_of(const char *path, const char *comm)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, comm, COMM_MAX) == 0 && strlen(comm) == strnlen(base, COMM_MAX);
}

/*
 * For a script (or a binfmt_misc format) the kernel maps the interpreter
 * and hands it the path it read as an argument: after the #! line's
 * optional argument, so argv[1] or argv[2] of the new image. That copy is
 * the kernel's own; the path vigil read names the image when it is that
 * string. (Reading the script's #! line instead would open the file, which
 * is an open of a watched file no event accounts for: the open backstop.)
 */
static bool is_arg(const char *args, const char *path)
{
	size_t n = strlen(path);
	return strncmp(args, path, n) == 0 && (args[n] == ' ' || args[n] == '\0');
}

static bool interpreter_got(const struct proc_image *img, const char *path)
{
	const char *args = img->args;
	if (!args || !*path)
		return false;
	if (is_arg(args, path))
		return true;
	const char *second = strchr(args, ' ');
	return second && is_arg(second + 1, path);
}

/* `path` (relative to dirfd) names exe in the thread's view. */
static bool runs_as(const struct sensor_task *t, int dirfd, const char *path,
		    const struct stat *exe)
{
	char p[VIGIL_PATH_MAX + 128];
	struct stat st;
	if (tracee_path(t->proc->pid, t->tid, dirfd, path, p, sizeof(p)) != 0 || stat(p, &st) != 0)
		return false; /* nothing there now: not what ran */
	return tracee_same_file(&st, exe);
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
	return runs_as(t, dirfd, path, &exe) || interpreter_got(img, path);
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
