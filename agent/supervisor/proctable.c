/* proctable.c — tasks by tid (chained hash), procs by reference count. */
#include <stdlib.h>
#include <string.h>

#include "vigil/clock.h"
#include "supervisor/proctable.h"

struct task_node {
	struct task task;
	struct task_node *next;
};

static struct task_node **buckets;
static size_t n_buckets, n_tasks;

static size_t slot(pid_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (n_buckets - 1);
}

int proctable_init(void)
{
	n_buckets = 256;
	buckets = calloc(n_buckets, sizeof(*buckets));
	return buckets ? 0 : -1;
}

static void grow(void)
{
	size_t old_n = n_buckets;
	struct task_node **old = buckets;
	struct task_node **nb = calloc(old_n * 2, sizeof(*nb));
	if (!nb)
		return; /* keep the longer chains; still correct */
	buckets = nb;
	n_buckets = old_n * 2;
	for (size_t i = 0; i < old_n; i++) {
		for (struct task_node *n = old[i], *next; n; n = next) {
			next = n->next;
			size_t s = slot(n->task.tid);
			n->next = buckets[s];
			buckets[s] = n;
		}
	}
	free(old);
}

struct task *task_find(pid_t tid)
{
	for (struct task_node *n = buckets[slot(tid)]; n; n = n->next)
		if (n->task.tid == tid)
			return &n->task;
	return NULL;
}

static void link_node(struct task_node *n)
{
	size_t s = slot(n->task.tid);
	n->next = buckets[s];
	buckets[s] = n;
}

static void unlink_node(struct task *t)
{
	for (struct task_node **pp = &buckets[slot(t->tid)]; *pp; pp = &(*pp)->next) {
		if (&(*pp)->task == t) {
			*pp = (*pp)->next;
			return;
		}
	}
}

struct task *task_add(pid_t tid, struct proc *proc, struct proc *parent)
{
	if (n_tasks >= n_buckets)
		grow();
	struct task_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->task.tid = tid;
	if (proc) {
		proc_ref(proc);
	} else {
		proc = proc_new(tid, parent);
		if (!proc) {
			free(n);
			return NULL;
		}
	}
	n->task.proc = proc;
	link_node(n);
	n_tasks++;
	return &n->task;
}

void task_remove(struct task *t)
{
	unlink_node(t);
	n_tasks--;
	free(t->exec_filename);
	proc_unref(t->proc);
	free((struct task_node *)(void *)t); /* task is the node's first member */
}

struct task *task_rekey(struct task *t, pid_t new_tid)
{
	unlink_node(t);
	t->tid = new_tid;
	link_node((struct task_node *)(void *)t);
	return t;
}

size_t task_count(void)
{
	return n_tasks;
}

void task_foreach(void (*fn)(struct task *t, void *ctx), void *ctx)
{
	for (size_t i = 0; i < n_buckets; i++) {
		for (struct task_node *n = buckets[i], *next; n; n = next) {
			next = n->next; /* fn may remove the task */
			fn(&n->task, ctx);
		}
	}
}

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
