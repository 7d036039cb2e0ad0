/*
 * rules_cli.c — the rule commands.
 *
 *   vigil rules validate [--json] FILE...   exit 0 if every file loads
 *   vigil rules list [--rules FILE]...      rules, state, priority, tags, syscalls
 *   vigil replay [--rules FILE]... [-p PRIO] [--all] EVENTS.ndjson
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/replay.h"
#include "analyzer/rules_cli.h"
#include "analyzer/rules_load.h"
#include "analyzer/rules_paths.h"
#include "vigil/strbuf.h"

static int usage(void)
{
	fputs("usage: vigil rules validate [--json] FILE...\n"
	      "       vigil rules list [--rules FILE]...\n"
	      "       vigil replay [--rules FILE]... [-p PRIORITY] [--rule-matching first|all] "
	      "EVENTS.ndjson\n",
	      stderr);
	return 2;
}

static void json_diag(struct strbuf *sb, const struct vigil_diag_entry *e)
{
	strbuf_adds(sb, "{\"file\":");
	strbuf_add_json_str(sb, e->file, strlen(e->file));
	strbuf_addf(sb, ",\"line\":%u,\"column\":%u,\"item\":", e->line, e->col);
	if (e->item)
		strbuf_add_json_str(sb, e->item, strlen(e->item));
	else
		strbuf_adds(sb, "null");
	strbuf_adds(sb, ",\"message\":");
	strbuf_add_json_str(sb, e->msg, strlen(e->msg));
	strbuf_addc(sb, '}');
}

static void json_report(const struct vigil_diag *d, const struct engine *e, int rc)
{
	struct strbuf sb;
	strbuf_init(&sb, 16 << 20);
	strbuf_addf(&sb, "{\"ok\":%s,\"rules\":%zu,\"enabled\":%zu", rc == 0 ? "true" : "false",
		    engine_rule_count(e), engine_enabled_count(e));
	for (int level = 0; level < 2; level++) {
		strbuf_adds(&sb, level == 0 ? ",\"errors\":[" : ",\"warnings\":[");
		bool first = true;
		for (size_t i = 0; i < d->n; i++) {
			if ((int)d->v[i].level !=
			    (level == 0 ? VIGIL_DIAG_ERROR : VIGIL_DIAG_WARNING))
				continue;
			if (!first)
				strbuf_addc(&sb, ',');
			first = false;
			json_diag(&sb, &d->v[i]);
		}
		strbuf_addc(&sb, ']');
	}
	strbuf_adds(&sb, "}\n");
	fwrite(sb.data, 1, sb.len, stdout);
	strbuf_free(&sb);
}

static int validate(int argc, char **argv)
{
	bool json = argc > 0 && strcmp(argv[0], "--json") == 0;
	if (json)
		argc--, argv++;
	if (argc == 0)
		return usage();
	struct engine *e = engine_new();
	if (!e)
		return 2;
	struct vigil_diag d;
	vigil_diag_init(&d);
	int rc = engine_load(e, (const char *const *)argv, (size_t)argc, &d);
	if (json) {
		json_report(&d, e, rc);
	} else {
		vigil_diag_print(&d, stderr);
		printf("%s: %zu rules (%zu enabled), %zu error(s), %zu warning(s)\n",
		       rc == 0 ? "ok" : "invalid", engine_rule_count(e), engine_enabled_count(e),
		       d.nerrors, d.nwarnings);
	}
	vigil_diag_free(&d);
	engine_free(e);
	return rc == 0 ? 0 : 1;
}

/* Collect repeated --rules FILE options; returns the count, or -1 on a bad option. */
static int rules_opts(int *argc, char ***argv, char **files, int max)
{
	int n = 0;
	while (*argc >= 2 && strcmp((*argv)[0], "--rules") == 0 && n < max) {
		files[n++] = (*argv)[1];
		*argc -= 2, *argv += 2;
	}
	return n;
}

static void print_syscalls(const struct compiled_rule *r)
{
	if (r->any_type || !r->cond) {
		printf("%s", r->cond ? "(any)" : "-");
		return;
	}
	bool first = true;
	for (int t = 1; t < VIGIL_SC_COUNT; t++) {
		if (vigil_sc_set_has(&r->types, t)) {
			printf("%s%s", first ? "" : ",", vigil_syscall_name(t));
			first = false;
		}
	}
}

static int list(int argc, char **argv)
{
	char *files[64];
	int n = rules_opts(&argc, &argv, files, 64);
	if (argc != 0)
		return usage();
	struct engine *e = engine_new();
	if (!e)
		return 2;
	int rc = rules_load_reporting(e, files, (size_t)n, stderr, true);
	for (size_t i = 0; i < engine_rule_count(e); i++) {
		const struct compiled_rule *r = engine_rule_at(e, i);
		printf("%s\t%s\t%s\t", r->src->name, r->enabled ? "enabled" : r->disabled_why,
		       rules_priority_name(r->src->priority));
		for (size_t t = 0; t < r->src->ntags; t++)
			printf("%s%s", t ? "," : "", r->src->tags[t]);
		printf("\t");
		print_syscalls(r);
		printf("\n");
	}
	engine_free(e);
	return rc == 0 ? 0 : 1;
}

int rules_cli_main(int argc, char **argv)
{
	if (strcmp(argv[0], "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "validate") == 0)
		return validate(argc - 2, argv + 2);
	if (strcmp(argv[1], "list") == 0)
		return list(argc - 2, argv + 2);
	return usage();
}
