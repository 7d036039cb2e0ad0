/* deploy_app: the application of the container tests (test_deploy*.py).
 *
 * Behaves like a compromised service, in any image (no libc assumptions
 * beyond POSIX: built with glibc, and with musl-gcc static or dynamic):
 *   1. reads /etc/shadow (root) or tries to (non-root: the attempt alerts);
 *   2. spawns /bin/sh -c 'exit 0' where the image has a shell, else copies
 *      itself to TMPDIR (default /tmp) and runs that copy (a dropped binary);
 *   3. after --settle MS (default 1000: vigil sets its FIM watches and
 *      baseline while the application starts, never before it), writes
 *      WATCH/app.conf (a file under FIM);
 *   4. with --serve, says "ready" and waits for SIGTERM ("got-term"),
 *      else lingers --linger MS; then exits with --exit N.
 * Each step prints one "key=value" line on stdout, first a "facts" line:
 * its pid, parent pid, uid and the name of PID 1.
 *
 * usage: deploy_app [--watch DIR] [--settle MS] [--serve] [--linger MS] [--exit N]
 *        deploy_app --noop                  (the dropped copy: exit 0)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *key, int err)
{
	if (err)
		printf("%s=%s\n", key, strerror(err));
	else
		printf("%s=ok\n", key);
	fflush(stdout);
}

static void facts(void)
{
	char pid1[64] = "?";
	int fd = open("/proc/1/comm", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, pid1, sizeof pid1 - 1);
		pid1[n > 0 ? n : 0] = 0;
		pid1[strcspn(pid1, "\n")] = 0;
		close(fd);
	}
	printf("facts pid=%d ppid=%d uid=%d pid1=%s\n", (int)getpid(), (int)getppid(),
	       (int)getuid(), pid1);
	fflush(stdout);
}

static int read_shadow(void)
{
	char buf[64];
	int fd = open("/etc/shadow", O_RDONLY);
	if (fd < 0)
		return errno;
	if (read(fd, buf, sizeof buf) < 0) {
		int err = errno;
		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;
	if (pid < 0)
		return errno;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static int copy_self(const char *dest)
{
	char buf[65536];
	ssize_t n;
	int in = open("/proc/self/exe", O_RDONLY), out;
	if (in < 0)
		return errno;
	unlink(dest);
	out = open(dest, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (out < 0) {
		int err = errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	int err = n < 0 ? errno : 0;
	close(in);
	if (close(out) < 0 && !err)
		err = errno;
	return err;
}

static int spawn_shell_or_dropped(void)
{
	if (access("/bin/sh", X_OK) == 0) {
		char *argv[] = {"/bin/sh", "-c", "exit 0", NULL};
		say("shell", run(argv));
		return 0;
	}
	const char *tmp = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/dropped", tmp && *tmp ? tmp : "/tmp");
	int err = copy_self(path);
	if (!err) {
		char *argv[] = {path, "--noop", NULL};
		err = run(argv);
	}
	say("dropped", err);
	return 0;
}

static int write_watched(const char *dir)
{
	char path[512];
	static const char text[] = "{\"debug\": true}\n";
	snprintf(path, sizeof path, "%s/app.conf", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return errno;
	int err = write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1) ? 0 : EIO;
	if (close(fd) < 0 && !err)
		err = errno;
	return err;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void wait_for_term(void)
{
	sigset_t set;
	int sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready\n");
	fflush(stdout);
	while (sigwait(&set, &sig) != 0 || sig != SIGTERM)
		;
	printf("got-term\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *watch = "/srv/data";
	int serve = 0, code = 0;
	long linger_ms = 0, settle_ms = 1000;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--noop"))
			return 0;
		if (!strcmp(argv[i], "--serve"))
			serve = 1;
		else if (!strcmp(argv[i], "--watch") && i + 1 < argc)
			watch = argv[++i];
		else if (!strcmp(argv[i], "--settle") && i + 1 < argc)
			settle_ms = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--linger") && i + 1 < argc)
			linger_ms = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--exit") && i + 1 < argc)
			code = (int)strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "deploy_app: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	facts();
	say("shadow", read_shadow());
	spawn_shell_or_dropped();
	sleep_ms(settle_ms);
	say("watched", write_watched(watch));
	if (serve)
		wait_for_term();
	else
		sleep_ms(linger_ms);
	printf("exit=%d\n", code);
	fflush(stdout);
	return code;
}
