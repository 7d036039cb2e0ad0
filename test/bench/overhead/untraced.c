#define _DEFAULT_SOURCE /* syscall() is not ISO C; run.sh builds with -std=c17 */
/* Workload (c): COUNT syscalls no rule traces: getppid, and pipe
 * write+read of one byte (COUNT/2 getppid, COUNT/4 write + COUNT/4 read). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	int p[2];
	if (pipe(p) != 0) {
		perror("pipe");
		return 1;
	}
	char c = 'x';
	long sum = 0;
	for (long i = 0; i < n / 2; i++)
		sum += syscall(SYS_getppid); /* not cached by libc */
	for (long i = 0; i < n / 4; i++) {
		if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1) {
			perror("pipe io");
			return 1;
		}
	}
	return sum == 0 ? 3 : 0; /* keep the loop */
}
