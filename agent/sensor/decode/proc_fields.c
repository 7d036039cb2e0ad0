/*
 * proc_fields.c — the process model into proc.* / user.* / thread.*.
 *
 * Copies what the model already holds (the core refreshed stale caches
 * first); the ancestor chain ends at the supervisor's own entry (`root`).
 */
#include "vigil/syscalls.h"
#include "sensor/decode/decode.h"

static vigil_str image_str(struct vigil_event *ev, const char *s)
{
	return vigil_event_cstr(ev, s);
}

void decode_proc(struct vigil_event *ev, const struct proc *p, pid_t tid, const struct proc *root)
{
	struct vigil_proc *vp = &ev->proc;
	vp->pid = p->pid;
	vp->tid = tid;
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
	const struct proc *parent = p->parent ? p->parent : (p != root ? root : NULL);
	vp->ppid = parent ? parent->pid : 0;
	if (parent && parent->image) {
		vp->pname = image_str(ev, parent->image->name);
		vp->pexepath = image_str(ev, parent->image->exepath);
		vp->pcmdline = image_str(ev, parent->image->cmdline);
		vp->pexe = image_str(ev, parent->image->exe);
	}
	int n = 0;
	for (const struct proc *a = parent; a && n < VIGIL_MAX_ANCESTORS; n++) {
		vp->ancestors[n].pid = a->pid;
		vp->ancestors[n].name = image_str(ev, a->image ? a->image->name : NULL);
		a = a->parent ? a->parent : (a != root ? root : NULL);
	}
	vp->n_ancestors = (uint8_t)n;
	/* By pid, never by name: only the program vigil started has the
	 * supervisor's own entry as its parent (a guessed parent does not count). */
	if (p->parent == root && root && !p->parent_guessed)
		vp->vflags |= VIGIL_PROC_PARENT_VIGIL;
	if (img && img->args_truncated)
		vp->vflags |= VIGIL_PROC_ARGS_TRUNCATED;
	/* The exec event (the core fills type and result first): the fds the
	 * new image starts with. */
	if ((ev->type == VIGIL_SC_EXECVE || ev->type == VIGIL_SC_EXECVEAT) && ev->has_res &&
	    ev->res == 0)
		decode_exec_stdio(ev, p->pid);
}
