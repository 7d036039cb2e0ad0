/* tasks.c — the ptrace sensor's threads by tid (chained hash). */
#include <stdlib.h>

#include "sensor/ptrace/ptrace_int.h"
#include "sensor/race.h"

static size_t slot(const struct task_table *tt, pid_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (tt->n_buckets - 1);
}

int tasks_init(struct task_table *tt)
{
	tt->n_buckets = 256;
	tt->n_tasks = 0;
	tt->buckets = calloc(tt->n_buckets, sizeof(*tt->buckets));
	return tt->buckets ? 0 : -1;
}

static void link_task(struct task_table *tt, struct task *t)
{
	size_t s = slot(tt, t->st.tid);
	t->next = tt->buckets[s];
	tt->buckets[s] = t;
}

static void grow(struct task_table *tt)
{
	size_t old_n = tt->n_buckets;
	struct task **old = tt->buckets;
	struct task **nb = calloc(old_n * 2, sizeof(*nb));
	if (!nb)
		return; /* keep the longer chains; still correct */
	tt->buckets = nb;
	tt->n_buckets = old_n * 2;
	for (size_t i = 0; i < old_n; i++) {
		for (struct task *t = old[i], *next; t; t = next) {
			next = t->next;
			link_task(tt, t);
		}
	}
	free(old);
}

struct task *task_find(struct task_table *tt, pid_t tid)
{
	for (struct task *t = tt->buckets[slot(tt, tid)]; t; t = t->next)
		if (t->st.tid == tid)
			return t;
	return NULL;
}

static void unlink_task(struct task_table *tt, struct task *t)
{
	for (struct task **pp = &tt->buckets[slot(tt, t->st.tid)]; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

struct task *task_add(struct task_table *tt, pid_t tid, struct proc *proc, struct proc *parent)
{
	if (tt->n_tasks >= tt->n_buckets)
		grow(tt);
	struct task *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->st.tid = tid;
	t->attached = true;
	if (proc) {
		proc_ref(proc);
	} else {
		proc = proc_new(tid, parent);
		if (!proc) {
			free(t);
			return NULL;
		}
	}
	t->st.proc = proc;
	proc->threads++;
	link_task(tt, t);
	tt->n_tasks++;
	return t;
}

void task_remove(struct task_table *tt, struct task *t)
{
	unlink_task(tt, t);
	tt->n_tasks--;
	free(t->st.exec_filename);
	race_open_forget(&t->st);
	t->st.proc->threads--;
	proc_unref(t->st.proc);
	free(t);
}

struct task *task_rekey(struct task_table *tt, struct task *t, pid_t new_tid)
{
	unlink_task(tt, t);
	t->st.tid = new_tid;
	link_task(tt, t);
	return t;
}

void tasks_foreach(struct task_table *tt, void (*fn)(struct sensor_task *t, void *ctx), void *ctx)
{
	for (size_t i = 0; i < tt->n_buckets; i++) {
		for (struct task *t = tt->buckets[i], *next; t; t = next) {
			next = t->next; /* fn may remove the task */
			fn(&t->st, ctx);
		}
	}
}
