/* options.c — parse the analyzer's command line. */
#include <stdlib.h>
#include <string.h>

#include "analyzer/options.h"
#include "vigil/log.h"

/* Past the limit, say it: the caller's error would read as a bad option. */
static int push(char **list, int *n, char *v, const char *flag)
{
	if (*n >= ANALYZER_MAX_LIST) {
		LOG_ERR("at most %d %s options are accepted", ANALYZER_MAX_LIST, flag);
		return -2;
	}
	list[(*n)++] = v;
	return 0;
}

static int fd_option(const char *a, const char *name, int *out)
{
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return 0;
	*out = (int)strtol(a + n, NULL, 10);
	return 1;
}

int analyzer_options_parse(int argc, char **argv, struct analyzer_options *o)
{
	*o = (struct analyzer_options){.channel_fd = -1,
				       .progress_fd = -1,
				       .syscalls_fd = -1,
				       .key_fd = -1,
				       .drain_ms = 10000};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (fd_option(a, "--channel-fd=", &o->channel_fd) ||
		    fd_option(a, "--progress-fd=", &o->progress_fd) ||
		    fd_option(a, "--syscalls-fd=", &o->syscalls_fd) ||
		    fd_option(a, "--key-fd=", &o->key_fd))
			continue;
		if (strcmp(a, "--no-new-privs") == 0)
			o->scan_privs = true;
		else if (strcmp(a, "--no-rules") == 0)
			o->no_rules = true;
		else if (strcmp(a, "--host") == 0)
			o->on_host = true;
		else if (strcmp(a, "--no-open-backstop") == 0)
			o->no_backstop = true;
		else if (!v)
			return -1;
		else if (strcmp(a, "--events-out") == 0)
			o->events_out = argv[++i];
		else if (strcmp(a, "--config") == 0)
			o->config = argv[++i];
		else if (strcmp(a, "--ca-file") == 0)
			o->ca_file = argv[++i];
		else if (strcmp(a, "--verbosity") == 0)
			vigil_log_verbosity = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(a, "--rules") == 0) {
			if (push(o->rules, &o->n_rules, argv[++i], "--rules"))
				return -2;
		} else if (strcmp(a, "--fim") == 0) {
			if (push(o->fim_paths, &o->n_fim_paths, argv[++i], "--fim"))
				return -2;
		} else if (strcmp(a, "--output") == 0) {
			if (push(o->outputs, &o->n_outputs, argv[++i], "--output"))
				return -2;
		} else if (strcmp(a, "--drain-ms") == 0)
			o->drain_ms = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--priority") == 0)
			o->priority = argv[++i];
		else if (strcmp(a, "--rule-matching") == 0)
			o->matching = argv[++i];
		else
			return -1;
	}
	return o->channel_fd < 0 ? -1 : 0;
}
