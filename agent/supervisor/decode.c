/*
 * decode.c — syscall arguments into Falco-named event fields.
 *
 * Runs on the tracer's hot path: it reads only the tracee memory the event
 * needs, with fixed bounds, and touches /proc only when a cache is stale.
 * Anything that cannot be read is left absent, never guessed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vigil/syscalls.h"
#include "supervisor/decode.h"
#include "supervisor/procinfo.h"

static struct proc *root_proc;

void decode_set_root(struct proc *root)
{
	root_proc = root;
}

static vigil_str image_str(struct vigil_event *ev, const char *s)
{
	return vigil_event_cstr(ev, s);
}

void decode_proc(struct vigil_event *ev, struct task *t)
{
	struct proc *p = t->proc;
	struct vigil_proc *vp = &ev->proc;
	if (p->ids_stale)
		procinfo_read_ids(p, t->tid);
	if (p->session_stale)
		procinfo_read_session(p, t->tid);
	if (p->cwd_stale)
		procinfo_read_cwd(p);
	vp->pid = p->pid;
	vp->tid = t->tid;
	vp->uid = p->uid, vp->gid = p->gid, vp->euid = p->euid, vp->egid = p->egid;
	vp->loginuid = p->loginuid;
	vp->cap_effective = p->cap_effective;
	vp->start_ns = p->start_ns;
	vp->cap_permitted = p->cap_permitted;
	vp->cap_inheritable = p->cap_inheritable;
	vp->sid = p->sid, vp->vpgid = p->pgid, vp->tty = p->tty;
	const struct proc_image *img = p->image;
	if (img) {
		vp->name = image_str(ev, img->name);
		vp->exe = image_str(ev, img->exe);
		vp->exepath = image_str(ev, img->exepath);
		vp->args = image_str(ev, img->args);
		vp->is_exe_from_memfd = img->from_memfd;
	}
	vp->cwd = image_str(ev, p->cwd);
	struct proc *parent = p->parent ? p->parent : (p != root_proc ? root_proc : NULL);
	vp->ppid = parent ? parent->pid : 0;
	if (parent && parent->image) {
		vp->pname = image_str(ev, parent->image->name);
		vp->pexepath = image_str(ev, parent->image->exepath);
		vp->pcmdline = image_str(ev, parent->image->cmdline);
		vp->pexe = image_str(ev, parent->image->exe);
	}
	int n = 0;
	for (struct proc *a = parent; a && n < VIGIL_MAX_ANCESTORS; n++) {
		vp->ancestors[n].pid = a->pid;
		vp->ancestors[n].name = image_str(ev, a->image ? a->image->name : NULL);
		a = a->parent ? a->parent : (a != root_proc ? root_proc : NULL);
	}
	vp->n_ancestors = (uint8_t)n;
	/* By pid, never by name: only the program vigil started has the
	 * supervisor's own entry as its parent (a guessed parent does not count). */
	if (p->parent == root_proc && root_proc && !p->parent_guessed)
		vp->vflags |= VIGIL_PROC_PARENT_VIGIL;
	if (img && img->args_truncated)
		vp->vflags |= VIGIL_PROC_ARGS_TRUNCATED;
	/* The exec event (emit_exec fills type and result first): the fds the
	 * new image starts with. */
	if ((ev->type == VIGIL_SC_EXECVE || ev->type == VIGIL_SC_EXECVEAT) && ev->has_res &&
	    ev->res == 0)
		decode_exec_stdio(ev, p->pid);
}

/* Lexically remove "." and ".." and duplicate slashes from an absolute path. */
static void normalize(char *path)
{
	char *out = path, *in = path;
	while (*in) {
		while (*in == '/')
			in++;
		char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Bounded copy (always NUL-terminated), without printf's cost. */
static void copy_str(char *out, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);
	memcpy(out, s, n);
	out[n] = '\0';
}

void decode_resolve_path(struct task *t, long dirfd, const char *path, char *out, size_t size)
{
	if (path[0] == '/') {
		copy_str(out, size, path);
	} else {
		char base[VIGIL_PATH_MAX];
		if ((int)dirfd == AT_FDCWD) {
			if (t->proc->cwd_stale)
				procinfo_read_cwd(t->proc);
			snprintf(base, sizeof(base), "%s", t->proc->cwd ? t->proc->cwd : "");
		} else if (procinfo_fd_path(t->proc->pid, (int)dirfd, base, sizeof(base)) != 0) {
			base[0] = '\0';
		}
		if (base[0] != '/') { /* unknown base: keep the path as given */
			copy_str(out, size, path);
			return;
		}
		if (path[0])
			snprintf(out, size, "%s/%s", base, path);
		else
			snprintf(out, size, "%s", base);
	}
	normalize(out);
}
