/* rules_load.c — loading rules files with a printed summary (see rules_load.h). */
#include <limits.h>
#include <stdio.h>

#include "analyzer/rules_load.h"
#include "analyzer/rules_paths.h"
#include "vigil/sharedir.h"

int rules_load_reporting(struct engine *e, char *const *paths, size_t n, FILE *out, bool quiet)
{
	char **defaults = NULL;
	if (n == 0) {
		defaults = rules_paths_default();
		if (!defaults) {
			char looked[VIGIL_SHARE_MAX * VIGIL_SHARE_PATH_MAX + 64];
			rules_paths_looked(looked, sizeof(looked));
			fprintf(out,
				"vigil: error: no rules given and no bundled rules (*.yaml) "
				"found %s (set VIGIL_RULES_DIR or pass --rules FILE)\n",
				looked);
			return -1;
		}
		paths = defaults;
		while (defaults[n])
			n++;
	}
	struct vigil_diag d;
	vigil_diag_init(&d);
	int rc = engine_load(e, (const char *const *)paths, n, &d);
	if (!quiet || d.nerrors)
		vigil_diag_print(&d, out);
	size_t total = engine_rule_count(e), on = engine_enabled_count(e);
	if (!quiet)
		fprintf(out,
			"vigil: rules: %zu loaded from %zu file(s): %zu enabled, %zu disabled; "
			"%zu error(s), %zu warning(s)\n",
			total, n, on, total - on, d.nerrors, d.nwarnings);
	vigil_diag_free(&d);
	rules_paths_free(defaults);
	return rc;
}
