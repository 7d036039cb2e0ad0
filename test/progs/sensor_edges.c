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
 *   fifo_threads a two-thread process (so its opens are checked at their
 *                exits, race.h) opens DIR/fifo for reading, which blocks
 *                until its second thread opens it for writing 1 s later;
 *                reports the CPU time the reading thread spent in its open
 *                (a sensor that interrupts the open again and again while
 *                it waits burns it).
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
#include <sys/stat.h>
#include <time.h>
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

static char fifo_path[4096];

static void *fifo_writer(void *arg)
{
	(void)arg;
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	int fd = open(fifo_path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "ok", 2) != 2)
			_exit(VT_EXIT_SETUP);
		close(fd);
	}
	return NULL;
}

static double thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fifo_threads(const char *dir)
{
	snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", dir);
	if (mkfifo(fifo_path, 0600) != 0)
		return VT_EXIT_SETUP;
	pthread_t th;
	if (pthread_create(&th, NULL, fifo_writer, NULL) != 0)
		return VT_EXIT_SETUP;
	double before = thread_cpu_ms();
	int fd = open(fifo_path, O_RDONLY | O_CLOEXEC);
	double cpu = thread_cpu_ms() - before;
	char buf[8] = "";
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	pthread_join(th, NULL);
	vt_report("{\"mode\":\"fifo_threads\",\"pid\":%d,\"child\":0,\"fd\":%d,\"read\":%zd,"
		  "\"open_cpu_ms\":%.1f}",
		  (int)getpid(), fd, n, cpu);
	return 0;
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
	if (strcmp(mode, "fifo_threads") == 0)
		return fifo_threads(dir);
	if (strcmp(mode, "thread_exec") == 0) {
		vt_report("{\"mode\":\"thread_exec\",\"pid\":%d,\"child\":0}", (int)getpid());
		pthread_t th;
		if (pthread_create(&th, NULL, exec_from_thread, NULL) != 0)
			return VT_EXIT_SETUP;
		pause(); /* the exec replaces us */
	}
	return VT_EXIT_SETUP;
}
