/* proc.c — procs and images by reference count (see proc.h). */
#include <stdlib.h>
#include <string.h>

#include "vigil/clock.h"
#include "sensor/proc.h"

struct proc *proc_new(pid_t pid, struct proc *parent)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->refs = 1;
	p->start_ns = vigil_wall_ns(); /* a date: proc start time */
	p->loginuid = -1;
	p->cwd_stale = true;
	p->ids_stale = true;
	p->session_stale = true;
	if (parent) {
		proc_ref(parent);
		p->parent = parent;
		proc_set_image(p, parent->image);
		p->uid = parent->uid, p->gid = parent->gid;
		p->euid = parent->euid, p->egid = parent->egid;
		p->loginuid = parent->loginuid;
		p->cap_effective = parent->cap_effective;
		p->cap_permitted = parent->cap_permitted;
		p->cap_inheritable = parent->cap_inheritable;
		p->sid = parent->sid, p->pgid = parent->pgid, p->tty = parent->tty;
		if (parent->cwd && !parent->cwd_stale) {
			p->cwd = strdup(parent->cwd);
			p->cwd_stale = p->cwd == NULL;
		}
		p->ids_stale = parent->ids_stale;
		p->session_stale = parent->session_stale;
	}
	return p;
}

void proc_ref(struct proc *p)
{
	p->refs++;
}

void proc_unref(struct proc *p)
{
	/* Iterative: a long chain of exited ancestors must not recurse deeply. */
	while (p && --p->refs == 0) {
		struct proc *parent = p->parent;
		image_unref(p->image);
		free(p->cwd);
		free(p);
		p = parent;
	}
}

void proc_set_image(struct proc *p, struct proc_image *img)
{
	if (img)
		img->refs++;
	image_unref(p->image);
	p->image = img;
}

struct proc_image *image_new(void)
{
	struct proc_image *img = calloc(1, sizeof(*img));
	if (img)
		img->refs = 1;
	return img;
}

void image_unref(struct proc_image *img)
{
	if (!img || --img->refs > 0)
		return;
	free(img->name);
	free(img->exe);
	free(img->exepath);
	free(img->args);
	free(img->cmdline);
	free(img);
}
