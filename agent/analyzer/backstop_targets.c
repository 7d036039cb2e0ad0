/*
 * backstop_targets.c — what the open backstop watches, and finding it by
 * name: the paths the rules name exactly, less what cannot be watched
 * usefully, looked up by hash from an event's fd.name.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/backstop_internal.h"
#include "vigil/log.h"
#include "vigil/prefilter.h"
#include "vigil/strbuf.h"

/*
 * Files vigil's own libraries read while it runs, where no report of ours
 * can reach: glibc's name service (user.name, group.name, the resolver of
 * alert delivery), the time zone, the loader's cache, OpenSSL's config.
 * Watched, each of those reads would be an unseen open, so they are not.
 */
static const char *const own_reads[] = {
	"/etc/passwd",
	"/etc/group",
	"/etc/nsswitch.conf",
	"/etc/hosts",
	"/etc/resolv.conf",
	"/etc/host.conf",
	"/etc/gai.conf",
	"/etc/services",
	"/etc/protocols",
	"/etc/localtime",
	"/etc/ld.so.cache",
	"/etc/ssl/openssl.cnf",
	"/usr/lib/ssl/openssl.cnf",
};

/*
 * Directories whose entries every process opens (programs, libraries,
 * devices, the directory of the files above): a watch there reports every
 * exec and library load of any process, and says nothing.
 */
static const char *const busy_dirs[] = {
	"/",
	"/etc",
	"/bin",
	"/sbin",
	"/usr/bin",
	"/usr/sbin",
	"/lib",
	"/lib64",
	"/usr/lib",
	"/usr/lib64",
	"/lib32",
	"/usr/lib32",
	"/dev",
	"/usr/local/bin",
	"/usr/local/sbin",
	"/usr/local/lib",
	"/usr/lib/ssl",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static bool below(const char *s, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(s, dir, n) == 0 && (s[n] == '\0' || s[n] == '/');
}

bool bs_excluded(const char *real, bool dir, const char **why)
{
	if (below(real, "/proc") || below(real, "/sys")) {
		*why = "a kernel file system";
		return true;
	}
	if (!dir && in_list(real, own_reads, sizeof(own_reads) / sizeof(own_reads[0]))) {
		*why = "vigil reads it itself";
		return true;
	}
	if (dir && in_list(real, busy_dirs, sizeof(busy_dirs) / sizeof(busy_dirs[0]))) {
		*why = "every process opens its entries";
		return true;
	}
	return false;
}

uint64_t bs_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

int bs_lookup(const struct backstop *b, const char *s, size_t len, uint64_t h)
{
	for (size_t i = h & (BS_MAP_SLOTS - 1);; i = (i + 1) & (BS_MAP_SLOTS - 1)) {
		const struct bs_slot *sl = &b->map[i];
		if (!sl->s)
			return -1;
		if (sl->len == len && memcmp(sl->s, s, len) == 0)
			return sl->target;
	}
}

/* Add name s for target i; false when present already or no room. */
static bool map_put(struct backstop *b, const char *s, int i)
{
	static const size_t room = BS_MAP_SLOTS / 2; /* probes stay short, one slot stays free */
	size_t len = strlen(s), used = 0;
	for (size_t k = 0; k < BS_MAP_SLOTS; k++)
		used += b->map[k].s != NULL;
	if (used >= room || bs_lookup(b, s, len, bs_hash(s, len)) >= 0)
		return false;
	size_t k = bs_hash(s, len) & (BS_MAP_SLOTS - 1);
	while (b->map[k].s)
		k = (k + 1) & (BS_MAP_SLOTS - 1);
	b->map[k] = (struct bs_slot){s, (uint32_t)len, i};
	if (len < VIGIL_PATH_MAX)
		b->name_lens[len / 64] |= 1ull << (len % 64);
	return true;
}

void bs_targets_alias(struct backstop *b, int i, const char *real)
{
	struct bs_target *t = &b->t[i];
	if (t->real || strcmp(real, t->path) == 0 || !(t->real = strdup(real)))
		return;
	if (!map_put(b, t->real, i)) { /* another target's name already: that one counts */
		free(t->real);
		t->real = NULL;
	}
}

/* One predicate: a new target, or a flag on the one of the same path. */
static void add_pred(struct backstop *b, const struct prefilter_pred *p, struct strbuf *left)
{
	bool dir = p->op == PF_DIR;
	const char *why;
	char *path = strndup(p->s, p->len);
	if (!path)
		return;
	int i = bs_lookup(b, path, p->len, bs_hash(path, p->len));
	if (i < 0 && bs_excluded(path, dir, &why)) {
		strbuf_addf(left, "%s%s (%s)", left->len ? ", " : "", path, why);
	} else if (i < 0 && b->n >= BS_MAX_TARGETS) {
		strbuf_addf(left, "%s%s (over %d paths)", left->len ? ", " : "", path,
			    BS_MAX_TARGETS);
	} else if (i < 0) {
		i = b->n++;
		b->t[i] = (struct bs_target){.path = path, .len = p->len, .wd = -1, .owner = i};
		path = NULL;
		map_put(b, b->t[i].path, i);
	}
	if (i >= 0) {
		b->t[i].self |= !dir;
		b->t[i].dir |= dir;
		b->any_dir |= dir;
	}
	free(path);
}

int bs_targets_build(struct backstop *b, const struct engine *e)
{
	struct prefilter pf;
	struct strbuf left;
	engine_open_watch_paths(e, &pf);
	strbuf_init(&left, 900);
	for (size_t k = 0; k < pf.n; k++)
		add_pred(b, &pf.preds[k], &left);
	if (left.len)
		LOG_INFO("open backstop: not watched: %.*s", (int)left.len, left.data);
	strbuf_free(&left);
	prefilter_free(&pf);
	return b->n;
}

void bs_targets_free(struct backstop *b)
{
	for (int i = 0; i < b->n; i++) {
		free(b->t[i].path);
		free(b->t[i].real);
	}
	b->n = 0;
}
