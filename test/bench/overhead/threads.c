/* Workload (e): COUNT threads, each created and joined in turn. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *body(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int rc = pthread_create(&t, NULL, body, (void *)i);
		if (rc != 0) {
			fprintf(stderr, "pthread_create: %d\n", rc);
			return 1;
		}
		void *ret;
		if (pthread_join(t, &ret) != 0 || ret != (void *)i)
			return 1;
	}
	return 0;
}
