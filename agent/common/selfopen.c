/* selfopen.c — the one watcher of vigil's own opens (see vigil/selfopen.h). */
#include <stdatomic.h>
#include <stddef.h>

#include "vigil/selfopen.h"

/* Process-wide on purpose: the opens come from threads (FIM hash workers,
 * the key provider) that share no context with the watcher. */
static _Atomic(vigil_selfopen_fn) watcher;

void vigil_selfopen_install(vigil_selfopen_fn fn)
{
	atomic_store(&watcher, fn);
}

bool vigil_selfopen_wanted(void)
{
	return atomic_load_explicit(&watcher, memory_order_acquire) != NULL;
}

void vigil_selfopen_note(const char *path, const struct stat *st)
{
	vigil_selfopen_fn fn = atomic_load_explicit(&watcher, memory_order_acquire);
	if (fn && path && st)
		fn(path, st);
}

void vigil_selfopen_note_fd(const char *path, int fd)
{
	struct stat st;
	if (fd >= 0 && vigil_selfopen_wanted() && fstat(fd, &st) == 0)
		vigil_selfopen_note(path, &st);
}
