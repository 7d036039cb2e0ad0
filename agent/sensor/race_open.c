/*
 * race_open.c — an open's name from the kernel at its exit (race.h).
 *
 * The kernel's name of the new fd is /proc/PID/task/TID/fd/N (the thread's
 * own table: unshare(CLONE_FILES) gives it one). It differs from the name
 * resolved at entry legitimately when the path went through a symlink, and
 * by a race when another thread changed the path: which one is told by the
 * object, the file the entry path names now against the file opened.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vigil/log.h"
#include "sensor/procinfo.h"
#include "sensor/race.h"
#include "sensor/tracee_path.h"

#define DELETED " (deleted)"

bool race_possible(const struct proc *p)
{
	return p->threads > 1 || p->vm_shared;
}

struct vm_write {
	pid_t target;
};

static void mark_written(struct sensor_task *t, void *ctx)
{
	const struct vm_write *w = ctx;
	if (t->tid == w->target || t->proc->pid == w->target)
		t->proc->vm_shared = true;
}

void race_note_vm_write(struct sensor_core *c, pid_t target)
{
	struct vm_write w = {target};
	c->sensor->ops->foreach_task(c->sensor, mark_written, &w);
}

static char *copy_of(const struct vigil_event *ev, vigil_str s)
{
	const char *p = vigil_str_ptr(ev, s);
	return p ? strndup(p, s.len) : NULL;
}

/* evt.arg.name: the path as the caller passed it. */
static char *arg_name(const struct vigil_event *ev)
{
	for (int i = 0; i < ev->n_evargs; i++) {
		const struct vigil_evarg *a = &ev->evargs[i];
		const char *k = vigil_str_ptr(ev, a->key);
		if (k && a->key.len == 4 && memcmp(k, "name", 4) == 0)
			return copy_of(ev, a->val);
	}
	return NULL;
}

bool race_open_entry(struct sensor_task *t, const struct vigil_event *ev)
{
	race_open_forget(t);
	if (t->rec.id == VIGIL_SC_OPEN_BY_HANDLE_AT)
		return false; /* no path: its name is the kernel's already */
	t->open_name = copy_of(ev, ev->fd.name);
	t->open_arg = arg_name(ev);
	t->open_pending = true;
	return true;
}

void race_open_forget(struct sensor_task *t)
{
	free(t->open_name);
	free(t->open_arg);
	t->open_name = t->open_arg = NULL;
	t->open_pending = false;
}

static bool stat_is(const struct sensor_task *t, int dirfd, const char *path, const struct stat *fd)
{
	struct stat st;
	return tracee_stat(t->proc->pid, t->tid, dirfd, path, &st) == 0 &&
	       tracee_same_file(&st, fd);
}

/*
 * What vigil read names the open file `fd`: the path as passed, resolved
 * by the kernel from the thread's dirfd, cwd or root (exact, ".." after a
 * symlink included), or the name resolved at entry, in the thread's root
 * or in vigil's (a relative path went through the cwd as vigil sees it).
 */
static bool names_file(const struct sensor_task *t, const char *entry, const struct stat *fd)
{
	int id = t->rec.id;
	int dirfd =
		id == VIGIL_SC_OPENAT || id == VIGIL_SC_OPENAT2 ? (int)t->rec.args[0] : AT_FDCWD;
	struct stat st;
	if (t->open_arg && stat_is(t, dirfd, t->open_arg, fd))
		return true;
	if (stat_is(t, AT_FDCWD, entry, fd))
		return true;
	return entry[0] == '/' && stat(entry, &st) == 0 && tracee_same_file(&st, fd);
}

/* An unlinked file (O_TMPFILE, or removed since) has no path to stat: its
 * kernel name less " (deleted)" is the entry path, or a file in it. */
static bool names_unlinked(const char *entry, char *real)
{
	size_t n = strlen(real), d = strlen(DELETED);
	if (n > d && strcmp(real + n - d, DELETED) == 0)
		real[n - d] = '\0';
	return strcmp(real, entry) == 0 || strcmp(dirname(real), entry) == 0;
}

static void report(struct sensor_task *t, const char *entry, const char *real)
{
	if (t->proc->race_reported)
		return; /* once per process: the events say the rest */
	t->proc->race_reported = true;
	LOG_WARN("process %d: the path vigil read for %s (%s) is not the file the kernel opened "
		 "(%s): another thread or process changed it; reported as a path race",
		 (int)t->tid, vigil_syscall_name(t->rec.id), entry ? entry : "unreadable", real);
}

static int fd_stat(const struct sensor_task *t, int fd, struct stat *st)
{
	char link[96];
	if (tracee_task_dir(t->proc->pid, t->tid, link, sizeof(link)) != 0)
		return -1;
	size_t n = strlen(link);
	snprintf(link + n, sizeof(link) - n, "/fd/%d", fd);
	return stat(link, st);
}

/* fd.name from the kernel; NONE, or PATH_RACE when entry named another file. */
static enum vigil_tamper check(struct sensor_task *t, struct vigil_event *ev, const char *entry,
			       int fd)
{
	char real[VIGIL_PATH_MAX], copy[VIGIL_PATH_MAX];
	struct stat st;
	if (procinfo_fd_path(t->proc->pid, t->tid, fd, real, sizeof(real)) != 0 || real[0] != '/')
		return VIGIL_TAMPER_NONE; /* a pipe, socket or anon inode: nothing a path names */
	bool same = entry && strcmp(entry, real) == 0;
	if (!same && fd_stat(t, fd, &st) != 0)
		return VIGIL_TAMPER_NONE; /* closed by another thread already: nothing to compare */
	if (!same && st.st_nlink == 0) {
		memcpy(copy, real, sizeof(copy));
		if (entry && names_unlinked(entry, copy))
			return VIGIL_TAMPER_NONE; /* fd.name stays the entry's: it has no other */
	} else if (!same) {
		same = entry && names_file(t, entry, &st);
	}
	ev->fd.name = vigil_event_cstr(ev, real);
	if (same)
		return VIGIL_TAMPER_NONE;
	report(t, entry, real);
	return VIGIL_TAMPER_PATH_RACE;
}

enum vigil_tamper race_open_exit(struct sensor_task *t, struct vigil_event *ev, long res)
{
	if (!t->open_pending)
		return VIGIL_TAMPER_NONE;
	/* What the entry decided on (the exit's own read of memory may differ). */
	if (t->open_name)
		ev->fd.name = vigil_event_cstr(ev, t->open_name);
	enum vigil_tamper why = res >= 0 ? check(t, ev, t->open_name, (int)res) : VIGIL_TAMPER_NONE;
	race_open_forget(t);
	return why;
}
