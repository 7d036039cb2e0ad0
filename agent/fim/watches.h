/*
 * watches.h — inotify watches over the configured trees.
 *
 * One watch per directory (inotify is not recursive). When the kernel's
 * watch limit is reached (ENOSPC), the directories left without a watch
 * are remembered so the monitor can scan them periodically instead and say
 * so once.
 */
#ifndef VIGIL_FIM_WATCHES_H
#define VIGIL_FIM_WATCHES_H

#include <stdbool.h>
#include <stddef.h>

#include "fim/config.h"

struct fim_watches {
	int fd;	      /* inotify, non-blocking */
	char **by_wd; /* wd -> directory path (NULL if none) */
	size_t cap;
	size_t n_watched;
	char **unwatched; /* directories that got no watch (ENOSPC) */
	size_t n_unwatched;
	bool limit_hit;	       /* ENOSPC seen since the last fim_watches_take_limit() */
	long test_max_watches; /* VIGIL_TEST_FIM_MAX_WATCHES: ENOSPC after this many (tests) */
};

int fim_watches_init(struct fim_watches *w);
void fim_watches_free(struct fim_watches *w);
/* Watches dir and, when recursive, every directory below it (excluded
 * ones aside). Returns the number of watches added; -1 on a fatal error. */
long fim_watches_add_tree(struct fim_watches *w, const struct fim_watch_cfg *cfg, const char *dir);
/* The directory a wd stands for, or NULL. */
const char *fim_watches_dir(const struct fim_watches *w, int wd);
/* Forget a wd the kernel dropped (IN_IGNORED). */
void fim_watches_forget(struct fim_watches *w, int wd);
/* Forget every watch at or below dir (it was moved away or deleted). */
void fim_watches_drop_below(struct fim_watches *w, const char *dir);

#endif
