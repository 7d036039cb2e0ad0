/*
 * secret.h — memory for keys and credentials: page-aligned, excluded from
 * core dumps, locked when allowed, and zeroed before it is returned.
 *
 * Everything that holds the API key or AWS credentials for longer than one
 * function call lives in such an area; copies made on the stack are
 * cleansed by their users (OPENSSL_cleanse) before they go out of scope.
 */
#ifndef VIGIL_AWS_SECRET_H
#define VIGIL_AWS_SECRET_H

#include <pthread.h>
#include <stddef.h>

/* A zeroed area of at least n bytes, or NULL (errno set). MADV_DONTDUMP is
 * required (failure is an error); mlock is best effort (RLIMIT_MEMLOCK). */
void *secret_alloc(size_t n);
/* Zero and unmap an area from secret_alloc (n as given there); NULL is fine. */
void secret_free(void *p, size_t n);
/* Zero n bytes in a way the compiler cannot drop. */
void secret_wipe(void *p, size_t n);

/*
 * A thread whose stack is excluded from core dumps and zeroed when it ends.
 * Secrets pass through stack frames that are not ours to wipe: libraries'
 * locals, and the vector registers the dynamic linker saves on the stack
 * while resolving a symbol. The thread that fetches the key runs on such a
 * stack, so none of that reaches a dump.
 */
struct secret_thread {
	pthread_t thread;
	void *stack;
	size_t stack_len;
};

/* Start fn(arg) with every signal blocked; 0 or an errno value. */
int secret_thread_start(struct secret_thread *t, void *(*fn)(void *), void *arg);
/* Join, then wipe and unmap the stack. */
void secret_thread_join(struct secret_thread *t);

#endif
