/* walk.c — depth-first walk with lstat; directories read with getdents via readdir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fim/attrs.h"
#include "fim/walk.h"
#include "vigil/selfopen.h"

static const char *const pseudo_fs[] = {"/proc", "/sys", "/dev"};

bool fim_glob_match(const char *const *globs, size_t n, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], strchr(globs[i], '/') ? path : base, 0) == 0)
			return true;
	return false;
}

/* True if path matches one of the exclude globs. */
static bool fim_excluded(const struct fim_walk_opts *o, const char *path)
{
	return fim_glob_match(o->excludes, o->n_excludes, path);
}

bool fim_is_pseudo_fs(const char *path)
{
	for (size_t i = 0; i < sizeof(pseudo_fs) / sizeof(pseudo_fs[0]); i++)
		if (strcmp(path, pseudo_fs[i]) == 0)
			return true;
	return false;
}

static void warn(struct fim_walk_opts *o, const char *what, const char *path, int err)
{
	o->n_warnings++;
	if (o->warn)
		fprintf(o->warn, "vigil: warning: %s %s: %s\n", what, path, strerror(err));
}

/* Reads the names of directory path (sorted later with the whole set). */
static int walk_rec(const char *path, struct fim_walk_opts *o, struct fim_set *out,
		    const struct stat *st, unsigned depth)
{
	struct fim_entry *e = fim_set_add(out, path);
	if (!e || fim_attrs_fill(e, st) != VIGIL_OK)
		return -1;
	if (!S_ISDIR(st->st_mode) || fim_is_pseudo_fs(path) || (o->no_recurse && depth > 0))
		return 0;
	DIR *d = opendir(path);
	if (!d) {
		int err = errno;
		e = &out->v[out->n - 1];
		e->flags |= FIM_F_UNREADABLE;
		e->err = (uint32_t)err;
		warn(o, "cannot read directory", path, err);
		return 0;
	}
	vigil_selfopen_note_fd(path, dirfd(d)); /* an open the backstop may watch */
	int rc = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
			continue;
		char *child = fim_path_join(path, n);
		if (!child) {
			rc = -1;
			break;
		}
		struct stat cst;
		if (!fim_excluded(o, child)) {
			if (fstatat(dirfd(d), n, &cst, AT_SYMLINK_NOFOLLOW) != 0) {
				if (errno != ENOENT)
					warn(o, "cannot stat", child, errno);
			} else if (walk_rec(child, o, out, &cst, depth + 1) != 0) {
				rc = -1;
			}
		}
		free(child);
		if (rc != 0)
			break;
		errno = 0;
	}
	if (rc == 0 && errno != 0)
		warn(o, "cannot read directory", path, errno);
	closedir(d);
	return rc;
}

vigil_rc fim_walk(const char *root, struct fim_walk_opts *o, struct fim_set *out)
{
	struct stat st;
	if (lstat(root, &st) != 0)
		return VIGIL_ERR_IO;
	if (fim_excluded(o, root))
		return VIGIL_OK;
	/* walk_rec fails only when memory runs out */
	return walk_rec(root, o, out, &st, 0) == 0 ? VIGIL_OK : VIGIL_ERR_NOMEM;
}
