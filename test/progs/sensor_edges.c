/*
 * sensor_edges MODE DIR - what a sensor that does not stop every task
 * (seccomp notification: threads unattached, processes met at their first
 * notification) must still see exactly.
 *
 *   clone_nosig  a child from clone() with no exit signal: the kernel
 *                reports it as no fork event, so no tracer auto-attaches
 *                it. It opens DIR/marker-nosig and execs /bin/true.
 *   undumpable   PR_SET_DUMPABLE 0 (vigil's memory reads need ptrace
 *                access), then opens DIR/marker-undumpable.
 *   thread_exec  a thread that made no syscall vigil sees execs /bin/true
 *                (the leader waits): the exec must be reported with the
 *                new image, as from the leader.
 *
 * Reports {"mode","pid","child"} (child: the clone's pid, else 0).
 */
#include "vt_common.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char marker[4096];

static void open_marker(const char *dir, const char *name)
{
	snprintf(marker, sizeof(marker), "%s/marker-%s", dir, name);
	int fd = open(marker, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static int clone_nosig(const char *dir)
{
	/* Raw clone: flags 0 (a new process, no exit signal), child on our stack copy. */
	long child = syscall(SYS_clone, 0UL, 0UL, 0UL, 0UL, 0UL);
	if (child < 0)
		return VT_EXIT_SETUP;
	if (child == 0) {
		open_marker(dir, "nosig");
		execl("/bin/true", "true", "nosig-child", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (waitpid((pid_t)child, &status, __WALL) != (pid_t)child)
		return VT_EXIT_SETUP;
	vt_report("{\"mode\":\"clone_nosig\",\"pid\":%d,\"child\":%ld,\"status\":%d}", (int)getpid(),
		  child, status);
	return 0;
}

static void *exec_from_thread(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", "thread-exec", (char *)NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return VT_EXIT_SETUP;
	const char *mode = argv[1], *dir = argv[2];
	if (strcmp(mode, "clone_nosig") == 0)
		return clone_nosig(dir);
	if (strcmp(mode, "undumpable") == 0) {
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
			return VT_EXIT_SETUP;
		open_marker(dir, "undumpable");
		vt_report("{\"mode\":\"undumpable\",\"pid\":%d,\"child\":0}", (int)getpid());
		return 0;
	}
	if (strcmp(mode, "thread_exec") == 0) {
		vt_report("{\"mode\":\"thread_exec\",\"pid\":%d,\"child\":0}", (int)getpid());
		pthread_t th;
		if (pthread_create(&th, NULL, exec_from_thread, NULL) != 0)
			return VT_EXIT_SETUP;
		pause(); /* the exec replaces us */
	}
	return VT_EXIT_SETUP;
}
