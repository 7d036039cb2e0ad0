/*
 * fim_cli.c — the one-shot file integrity commands.
 *
 *   vigil fim baseline --db DB --path P... [--exclude GLOB]... [--tag TAG]...
 *   vigil fim check    --db DB --path P... [--json]
 *   vigil fim accept   --db DB --path P... --reason TEXT [FILE...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analyzer/fim_cli.h"
#include "fim/compare.h"
#include "fim/db.h"
#include "fim/scan.h"
#include "analyzer/config.h"

#define MAX_ARGS 256

struct fim_opts {
	const char *cmd, *db, *reason;
	char *paths[MAX_ARGS], *files[MAX_ARGS];
	const char *excludes[MAX_ARGS], *tags[MAX_ARGS];
	size_t n_paths, n_files, n_excludes, n_tags;
	bool json;
};

static int usage(void)
{
	fputs("usage: vigil fim baseline --db DB (--path P... | --config FILE) [--exclude GLOB]... "
	      "[--tag TAG]...\n"
	      "       vigil fim check --db DB --path P [--path P]... [--json]\n"
	      "       vigil fim accept --db DB --path P [--path P]... --reason TEXT [FILE]...\n",
	      stderr);
	return 2;
}

static void free_opts(struct fim_opts *o)
{
	for (size_t i = 0; i < o->n_paths; i++)
		free(o->paths[i]);
	for (size_t i = 0; i < o->n_files; i++)
		free(o->files[i]);
}

/*
 * --config FILE: the live configuration's fim.paths become --path, their
 * excludes --exclude and their tags --tag; fim.db is the default --db.
 * (Per-path include globs and attribute choices apply to live monitoring.)
 */
static int take_config(struct fim_opts *o, const char *file)
{
	static struct vigil_config c; /* its strings live as long as the command */
	struct vigil_diag d;
	vigil_diag_init(&d);
	config_init(&c);
	int rc = config_load_file(&c, file, &d);
	vigil_diag_print(&d, stderr);
	vigil_diag_free(&d);
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < c.fim.n_watches && o->n_paths < MAX_ARGS; i++) {
		const struct fim_watch_cfg *w = &c.fim.watches[i];
		if (!(o->paths[o->n_paths++] = strdup(w->path)))
			return -1;
		for (size_t j = 0; j < w->n_exclude && o->n_excludes < MAX_ARGS; j++)
			o->excludes[o->n_excludes++] = w->exclude[j];
		if (w->tags && o->n_tags < MAX_ARGS)
			o->tags[o->n_tags++] = w->tags;
	}
	if (!o->db)
		o->db = c.fim.db_path;
	return 0;
}

/* 0, or 2 after a usage message. */
static int parse(int argc, char **argv, struct fim_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (argc < 2)
		return usage();
	o->cmd = argv[1];
	bool accept = strcmp(o->cmd, "accept") == 0, baseline = strcmp(o->cmd, "baseline") == 0;
	if (!accept && !baseline && strcmp(o->cmd, "check") != 0)
		return usage();
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(a, "--db") == 0 || strcmp(a, "--path") == 0 ||
			     strcmp(a, "--exclude") == 0 || strcmp(a, "--tag") == 0 ||
			     strcmp(a, "--reason") == 0 || strcmp(a, "--config") == 0;
		if (takes && !v) {
			fprintf(stderr, "vigil: fim %s: %s needs a value\n", o->cmd, a);
			return usage();
		}
		if (takes &&
		    (o->n_paths >= MAX_ARGS || o->n_excludes >= MAX_ARGS || o->n_tags >= MAX_ARGS))
			return usage();
		if (strcmp(a, "--db") == 0)
			o->db = argv[++i];
		else if (strcmp(a, "--config") == 0) {
			if (take_config(o, argv[++i]) != 0)
				return 2;
		} else if (strcmp(a, "--path") == 0) {
			if (!(o->paths[o->n_paths++] = fim_abspath(argv[++i])))
				return usage();
		} else if (strcmp(a, "--exclude") == 0 && baseline)
			o->excludes[o->n_excludes++] = argv[++i];
		else if (strcmp(a, "--tag") == 0 && baseline)
			o->tags[o->n_tags++] = argv[++i];
		else if (strcmp(a, "--reason") == 0 && accept)
			o->reason = argv[++i];
		else if (strcmp(a, "--json") == 0 && !accept && !baseline)
			o->json = true;
		else if (accept && a[0] != '-' && o->n_files < MAX_ARGS) {
			if (!(o->files[o->n_files++] = fim_abspath(a)))
				return usage();
		} else {
			fprintf(stderr, "vigil: fim %s: unexpected argument '%s'\n", o->cmd, a);
			return usage();
		}
	}
	if (!o->db || o->n_paths == 0) {
		fprintf(stderr,
			"vigil: fim %s: --db and at least one --path (or --config) are required\n",
			o->cmd);
		return usage();
	}
	if (accept && (!o->reason || !o->reason[0])) {
		fprintf(stderr, "vigil: fim accept: --reason is required\n");
		return usage();
	}
	return 0;
}

static int load_db(const char *path, struct fim_db *db)
{
	switch (fim_db_load(path, db)) {
	case VIGIL_OK: return 0;
	case VIGIL_ERR_IO:
		fprintf(stderr, "vigil: cannot read DB %s: %s\n", path, strerror(errno));
		break;
	case VIGIL_ERR_NOMEM:
		fprintf(stderr, "vigil: reading DB %s: %s\n", path, strerror(ENOMEM));
		break;
	default: /* VIGIL_ERR_INPUT: not a valid database image */
		fprintf(stderr, "vigil: DB corrupt: %s\n", path);
		break;
	}
	return -1;
}

/* Scans the --path trees with the DB's excludes plus the DB file itself. */
static int scan(const struct fim_opts *o, char *const *excl, size_t n_excl, bool missing_ok,
		struct fim_set *out)
{
	const char *ex[MAX_ARGS + 2];
	size_t n = 0;
	for (size_t i = 0; i < n_excl && n < MAX_ARGS; i++)
		ex[n++] = excl[i];
	char *dbabs = fim_abspath(o->db), *tmpglob = NULL;
	if (dbabs) {
		ex[n++] = dbabs;
		char *slash = strrchr(dbabs, '/');
		size_t len = strlen(dbabs) + 16;
		if ((tmpglob = malloc(len)) != NULL) {
			snprintf(tmpglob, len, "%.*s/.%s.tmp.*", (int)(slash - dbabs), dbabs,
				 slash + 1);
			ex[n++] = tmpglob;
		}
	}
	struct fim_walk_opts wo = {.excludes = ex, .n_excludes = n, .warn = stderr};
	const char *bad = NULL;
	vigil_rc rc =
		fim_scan((const char *const *)o->paths, o->n_paths, missing_ok, &wo, out, &bad);
	if (rc != VIGIL_OK)
		fprintf(stderr, "vigil: cannot scan %s: %s\n", bad ? bad : "?", strerror(errno));
	free(dbabs);
	free(tmpglob);
	return rc == VIGIL_OK ? 0 : -1;
}

static int save_db(const char *path, const struct fim_db *db)
{
	const char *what = "write";
	if (fim_db_save(path, db, &what) == VIGIL_OK)
		return 0;
	fprintf(stderr, "vigil: cannot %s DB %s: %s\n", what, path, strerror(errno));
	return -1;
}

static int cmd_baseline(const struct fim_opts *o)
{
	struct fim_db db = {0};
	db.excludes = (char **)o->excludes;
	db.n_excludes = o->n_excludes;
	db.tags = (char **)o->tags;
	db.n_tags = o->n_tags;
	int rc = 2;
	if (scan(o, db.excludes, db.n_excludes, false, &db.entries) == 0 &&
	    save_db(o->db, &db) == 0) {
		fprintf(stderr, "vigil: fim baseline: %zu entries recorded in %s\n", db.entries.n,
			o->db);
		rc = 0;
	}
	fim_set_free(&db.entries);
	return rc;
}

static const char *action_name(uint32_t a)
{
	return a == FIM_ADDED ? "added" : a == FIM_REMOVED ? "removed" : "changed";
}

static json_t *attrs_json(uint32_t attrs)
{
	json_t *v = json_array();
	for (unsigned b = 0; b < FIM_N_ATTRS; b++)
		if (attrs & (1u << b))
			json_array_append_new(v, json_string(fim_attr_name(b)));
	return v;
}

static json_t *entry_json(const struct fim_entry *e)
{
	if (!e)
		return json_null();
	char mode[16], hex[2 * FIM_HASH_LEN + 1], xhex[2 * FIM_HASH_LEN + 1];
	snprintf(mode, sizeof(mode), "%o", e->mode);
	fim_hex(e->sha256, FIM_HASH_LEN, hex);
	fim_hex(e->xattr_hash, FIM_HASH_LEN, xhex);
	json_t *v = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "type",
			      fim_type_name(e->mode), "mode", mode, "uid", (json_int_t)e->uid,
			      "gid", (json_int_t)e->gid, "size", (json_int_t)e->size, "mtime",
			      (json_int_t)e->mtime_ns, "ctime", (json_int_t)e->ctime_ns, "inode",
			      (json_int_t)e->ino, "nlink", (json_int_t)e->nlink, "xattrs", xhex);
	json_object_set_new(v, "target", e->target ? json_string(e->target) : json_null());
	json_object_set_new(v, "sha256",
			    (e->flags & FIM_F_HASHED) ? json_string(hex) : json_null());
	if (e->flags & FIM_F_UNREADABLE)
		json_object_set_new(v, "error", json_string(strerror((int)e->err)));
	return v;
}

static bool under_roots(const struct fim_opts *o, const char *path)
{
	for (size_t i = 0; i < o->n_paths; i++)
		if (fim_path_under(path, o->paths[i]))
			return true;
	return false;
}

static void print_json(const struct fim_opts *o, const struct fim_db *db,
		       const struct fim_changes *c)
{
	json_t *changes = json_array(), *appr = json_array(), *tags = json_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct fim_change *ch = &c->v[i];
		const char *path = ch->after ? ch->after->path : ch->before->path;
		json_array_append_new(changes, json_pack("{s:s,s:s,s:o,s:o,s:o,s:b}", "path", path,
							 "action", action_name(ch->action),
							 "attributes", attrs_json(ch->attrs),
							 "before", entry_json(ch->before), "after",
							 entry_json(ch->after), "approved", 0));
	}
	for (size_t i = 0; i < db->n_appr; i++) {
		const struct fim_approval *a = &db->appr[i];
		if (!under_roots(o, a->path))
			continue;
		json_array_append_new(
			appr, json_pack("{s:s,s:s,s:o,s:s,s:I,s:I}", "path", a->path, "action",
					action_name(a->action), "attributes", attrs_json(a->attrs),
					"reason", a->reason ? a->reason : "", "time",
					(json_int_t)a->time, "uid", (json_int_t)a->uid));
	}
	for (size_t i = 0; i < db->n_tags; i++)
		json_array_append_new(tags, json_string(db->tags[i]));
	json_t *root =
		json_pack("{s:o,s:{s:I,s:I,s:I},s:o,s:o}", "changes", changes, "summary", "added",
			  (json_int_t)c->added, "removed", (json_int_t)c->removed, "changed",
			  (json_int_t)c->changed, "approvals", appr, "tags", tags);
	json_dumpf(root, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(root);
}

static void print_human(const struct fim_changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct fim_change *ch = &c->v[i];
		const char *path = ch->after ? ch->after->path : ch->before->path;
		if (ch->action != FIM_CHANGED) {
			printf("%s %s\n", action_name(ch->action), path);
			continue;
		}
		printf("changed %s: ", path);
		const char *sep = "";
		for (unsigned b = 0; b < FIM_N_ATTRS; b++)
			if (ch->attrs & (1u << b)) {
				printf("%s%s", sep, fim_attr_name(b));
				sep = ",";
			}
		putchar('\n');
	}
}

static int cmd_check(const struct fim_opts *o)
{
	struct fim_db db;
	if (load_db(o->db, &db) != 0)
		return 2;
	struct fim_set now = {0};
	struct fim_changes c = {0};
	int rc = 2;
	if (scan(o, db.excludes, db.n_excludes, true, &now) == 0 &&
	    fim_compare(&db.entries, &now, (const char *const *)o->paths, o->n_paths, &c) ==
		    VIGIL_OK) {
		if (o->json)
			print_json(o, &db, &c);
		else
			print_human(&c);
		rc = c.n ? 1 : 0;
	}
	fflush(stdout);
	fim_changes_free(&c);
	fim_set_free(&now);
	fim_db_free(&db);
	return rc;
}

static bool selected(const struct fim_opts *o, const char *path)
{
	if (o->n_files == 0)
		return true;
	for (size_t i = 0; i < o->n_files; i++)
		if (strcmp(path, o->files[i]) == 0)
			return true;
	return false;
}

/* Builds the new entry set: the recorded entries minus the accepted
 * removed/changed ones, plus the current state of accepted added/changed. */
static int apply(const struct fim_opts *o, struct fim_db *db, const struct fim_changes *c,
		 size_t *n_acc)
{
	bool *drop = calloc(db->entries.n + 1, sizeof(*drop));
	struct fim_set next = {0};
	int64_t now = (int64_t)time(NULL);
	if (!drop)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		const struct fim_change *ch = &c->v[i];
		const char *path = ch->after ? ch->after->path : ch->before->path;
		if (!selected(o, path))
			continue;
		if (ch->before)
			drop[ch->before - db->entries.v] = true;
		if (fim_db_add_approval(db, path, ch->action, ch->attrs, o->reason, now,
					(uint32_t)getuid()) != VIGIL_OK)
			goto oom;
		(*n_acc)++;
	}
	for (size_t i = 0; i < db->entries.n; i++)
		if (!drop[i]) {
			if (!fim_set_add_copy(&next, &db->entries.v[i]))
				goto oom;
		}
	for (size_t i = 0; i < c->n; i++) {
		const struct fim_entry *a = c->v[i].after;
		if (!a || !selected(o, a->path))
			continue;
		if (!fim_set_add_copy(&next, a))
			goto oom;
	}
	free(drop);
	fim_set_sort(&next);
	fim_set_free(&db->entries);
	db->entries = next;
	return 0;
oom:
	free(drop);
	fim_set_free(&next);
	return -1;
}

static int cmd_accept(const struct fim_opts *o)
{
	struct fim_db db;
	if (load_db(o->db, &db) != 0)
		return 2;
	struct fim_set now = {0};
	struct fim_changes c = {0};
	size_t n_acc = 0;
	int rc = 2;
	if (scan(o, db.excludes, db.n_excludes, true, &now) == 0 &&
	    fim_compare(&db.entries, &now, (const char *const *)o->paths, o->n_paths, &c) ==
		    VIGIL_OK) {
		if (apply(o, &db, &c, &n_acc) != 0)
			fprintf(stderr, "vigil: fim accept: %s\n", strerror(ENOMEM));
		else if (save_db(o->db, &db) == 0) {
			fprintf(stderr, "vigil: fim accept: %zu change(s) accepted\n", n_acc);
			rc = 0;
		}
	}
	fim_changes_free(&c);
	fim_set_free(&now);
	fim_db_free(&db);
	return rc;
}

int fim_cli_main(int argc, char **argv)
{
	struct fim_opts o;
	int rc = parse(argc, argv, &o);
	if (rc == 0) {
		if (strcmp(o.cmd, "baseline") == 0)
			rc = cmd_baseline(&o);
		else if (strcmp(o.cmd, "check") == 0)
			rc = cmd_check(&o);
		else
			rc = cmd_accept(&o);
	}
	free_opts(&o);
	return rc;
}
