/* options.h — the analyzer's command line (set by the supervisor, not by users). */
#ifndef VIGIL_ANALYZER_OPTIONS_H
#define VIGIL_ANALYZER_OPTIONS_H

#include <stdbool.h>

#define ANALYZER_MAX_LIST 64

struct analyzer_options {
	int channel_fd, progress_fd, syscalls_fd, key_fd;
	const char *events_out, *config, *ca_file;
	bool scan_privs, no_rules, on_host;
	bool no_backstop; /* the program's opens are not traced: no open backstop */
	char *rules[ANALYZER_MAX_LIST];
	int n_rules;
	char *fim_paths[ANALYZER_MAX_LIST];
	int n_fim_paths;
	char *outputs[ANALYZER_MAX_LIST];
	int n_outputs;
	const char *priority, *matching;
	unsigned drain_ms; /* what the supervisor waits for us at the end */
};

/* 0, or -1 on an unknown or incomplete option. */
/* 0; -1 not a command line from vigil; -2 a limit was passed (logged). */
int analyzer_options_parse(int argc, char **argv, struct analyzer_options *o);

#endif
