/* signal_all.c — kill(-1) confined to the program's processes (see signal_all.h). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/proc.h"
#include "sensor/signal_all.h"

#define CAP_KILL_BIT 5

struct creds {
	unsigned long uid, euid, suid;
	unsigned long long cap_eff;
};

static bool read_creds(pid_t pid, struct creds *c)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long fsuid;
		if (sscanf(line, "Uid: %lu %lu %lu %lu", &c->uid, &c->euid, &c->suid, &fsuid) == 4)
			found |= 1;
		else if (sscanf(line, "CapEff: %llx", &c->cap_eff) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3;
}

/* The kernel's kill_ok_by_cred(): a matching uid, or CAP_KILL. */
static bool may_signal(const struct creds *from, const struct creds *to)
{
	return from->euid == to->suid || from->euid == to->uid || from->uid == to->suid ||
	       from->uid == to->uid || (from->cap_eff >> CAP_KILL_BIT) & 1;
}

struct sweep {
	pid_t caller_pid;
	struct creds from;
	int sig;
	int delivered;
};

static void signal_one(struct sensor_task *t, void *ctx)
{
	struct sweep *s = ctx;
	struct creds to;
	/* One signal per process: visit leaders only, never the caller's own. */
	if (t->tid != t->proc->pid || t->proc->pid == s->caller_pid || t->proc->exited)
		return;
	if (!read_creds(t->proc->pid, &to) || !may_signal(&s->from, &to))
		return;
	if (kill(t->proc->pid, s->sig) == 0)
		s->delivered++;
}

long signal_all_traced(struct sensor *sn, const struct sensor_task *caller, int sig)
{
	struct sweep s = {caller->proc->pid, {0}, sig, 0};
	if (sig < 0 || sig > SIGRTMAX)
		return -EINVAL;
	if (!read_creds(caller->tid, &s.from))
		return -ESRCH;
	sn->ops->foreach_task(sn, signal_one, &s);
	return s.delivered ? 0 : -ESRCH;
}
