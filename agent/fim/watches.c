/* watches.c — add inotify watches recursively, map wds back to paths. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/watches.h"
#include "fim/entry.h"
#include "vigil/log.h"
#include "vigil/selfopen.h"

#define WATCH_MASK                                                                        \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | \
	 IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_DONT_FOLLOW | IN_ONLYDIR)

int fim_watches_init(struct fim_watches *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	const char *t = getenv("VIGIL_TEST_FIM_MAX_WATCHES");
	w->test_max_watches = t ? strtol(t, NULL, 10) : -1;
	return w->fd < 0 ? -1 : 0;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void fim_watches_free(struct fim_watches *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free_list(w->by_wd, w->cap);
	free_list(w->unwatched, w->n_unwatched);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

static int remember(struct fim_watches *w, int wd, const char *dir)
{
	if ((size_t)wd >= w->cap) {
		size_t cap = w->cap ? w->cap : 64;
		while (cap <= (size_t)wd)
			cap *= 2;
		char **v = realloc(w->by_wd, cap * sizeof(*v));
		if (!v)
			return -1;
		memset(v + w->cap, 0, (cap - w->cap) * sizeof(*v));
		w->by_wd = v;
		w->cap = cap;
	}
	if (w->by_wd[wd]) { /* the same directory again (a rescan): keep one */
		if (strcmp(w->by_wd[wd], dir) == 0)
			return 0;
		free(w->by_wd[wd]);
		w->n_watched--;
	}
	if (!(w->by_wd[wd] = strdup(dir)))
		return -1;
	w->n_watched++;
	return 0;
}

static void note_unwatched(struct fim_watches *w, const char *dir)
{
	w->limit_hit = true;
	for (size_t i = 0; i < w->n_unwatched; i++)
		if (fim_path_under(dir, w->unwatched[i]))
			return; /* its tree is already scanned periodically */
	char **v = realloc(w->unwatched, (w->n_unwatched + 1) * sizeof(*v));
	if (!v)
		return;
	w->unwatched = v;
	if ((v[w->n_unwatched] = strdup(dir)))
		w->n_unwatched++;
}

/* Adds one watch. 1 added, 0 not a directory / gone / limit, -1 fatal. */
static int add_one(struct fim_watches *w, const char *dir)
{
	int wd;
	if (w->test_max_watches >= 0 && (long)w->n_watched >= w->test_max_watches) {
		wd = -1;
		errno = ENOSPC;
	} else {
		wd = inotify_add_watch(w->fd, dir, WATCH_MASK);
	}
	if (wd >= 0)
		return remember(w, wd, dir) == 0 ? 1 : -1;
	if (errno == ENOSPC) {
		note_unwatched(w, dir);
		return 0;
	}
	if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
		LOG_WARN("fim: cannot watch %s: %s", dir, strerror(errno));
	return 0;
}

long fim_watches_add_tree(struct fim_watches *w, const struct fim_watch_cfg *cfg, const char *dir)
{
	int r = add_one(w, dir);
	if (r < 0)
		return -1;
	long added = r;
	if (r == 0 || !cfg->recursive)
		return added; /* no watch here: its subtree is unwatched as well */
	DIR *d = opendir(dir);
	if (!d)
		return added;
	vigil_selfopen_note_fd(dir, dirfd(d)); /* an open the backstop may watch */
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		char *child = fim_path_join(dir, n);
		if (!child)
			break;
		struct stat st;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
		    fim_watch_covers_dir(cfg, child)) {
			long k = fim_watches_add_tree(w, cfg, child);
			if (k < 0) {
				free(child);
				closedir(d);
				return -1;
			}
			added += k;
		}
		free(child);
	}
	closedir(d);
	return added;
}

const char *fim_watches_dir(const struct fim_watches *w, int wd)
{
	return wd >= 0 && (size_t)wd < w->cap ? w->by_wd[wd] : NULL;
}

void fim_watches_forget(struct fim_watches *w, int wd)
{
	if (wd >= 0 && (size_t)wd < w->cap && w->by_wd[wd]) {
		free(w->by_wd[wd]);
		w->by_wd[wd] = NULL;
		w->n_watched--;
	}
}

void fim_watches_drop_below(struct fim_watches *w, const char *dir)
{
	for (size_t i = 0; i < w->cap; i++) {
		if (w->by_wd[i] && fim_path_under(w->by_wd[i], dir)) {
			inotify_rm_watch(w->fd, (int)i);
			fim_watches_forget(w, (int)i);
		}
	}
}
