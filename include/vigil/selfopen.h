/*
 * selfopen.h — vigil's own opens, told to whoever watches opens.
 *
 * The analyzer's open backstop (analyzer/backstop.h) watches the files the
 * rules name with inotify IN_OPEN, which cannot say who opened a file.
 * vigil's own reads (FIM walking and hashing, on its scan threads too; the
 * key provider's credential files) must not count as opens that no event
 * accounted for, so the code making them reports each successful open
 * here. Until a watcher is installed a report costs one atomic load.
 */
#ifndef VIGIL_SELFOPEN_H
#define VIGIL_SELFOPEN_H

#include <stdbool.h>
#include <sys/stat.h>

/* Called on the thread that opened path (st: what it opened, from fstat). */
typedef void (*vigil_selfopen_fn)(const char *path, const struct stat *st);

/* One watcher per process; NULL removes it. */
void vigil_selfopen_install(vigil_selfopen_fn fn);
/* Whether a watcher wants reports (callers skip an fstat when not). */
bool vigil_selfopen_wanted(void);
/* Report an open that succeeded: by what it opened, or by its fd. */
void vigil_selfopen_note(const char *path, const struct stat *st);
void vigil_selfopen_note_fd(const char *path, int fd);

#endif
