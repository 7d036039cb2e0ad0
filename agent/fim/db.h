/* db.h — the FIM database: baseline entries, settings, approval records. */
#ifndef VIGIL_FIM_DB_H
#define VIGIL_FIM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "fim/entry.h"
#include "vigil/rc.h"

enum fim_action { FIM_ADDED = 0, FIM_REMOVED = 1, FIM_CHANGED = 2 };

struct fim_approval {
	char *path, *reason;
	uint32_t action, attrs, uid;
	int64_t time; /* seconds since the epoch */
};

struct fim_db {
	struct fim_set entries; /* sorted by path */
	char **excludes, **tags;
	size_t n_excludes, n_tags;
	struct fim_approval *appr;
	size_t n_appr, cap_appr;
};

#define FIM_DB_MAGIC "VIGILFIM"
#define FIM_DB_VERSION 1u
#define FIM_DB_HEADER 56 /* magic 8, version 4, reserved 4, body length 8, sha256 32 */

/* Serializes db into a malloc'ed buffer with header; NULL on ENOMEM. */
uint8_t *fim_db_encode(const struct fim_db *db, size_t *len);
/* Parses a whole file image (header checked, body hash verified):
 * VIGIL_OK, VIGIL_ERR_INPUT (not a valid image) or VIGIL_ERR_NOMEM. */
vigil_rc fim_db_decode(const uint8_t *buf, size_t len, struct fim_db *db);

/* Reads path: fim_db_decode's results, or VIGIL_ERR_IO with errno set. */
vigil_rc fim_db_load(const char *path, struct fim_db *db);
/* Writes crash-safely: temp file in the same directory, fsync, rename,
 * fsync of the directory. VIGIL_OK, or VIGIL_ERR_NOMEM (errno ENOMEM,
 * *what "encode") or VIGIL_ERR_IO, with errno and *what naming the step. */
vigil_rc fim_db_save(const char *path, const struct fim_db *db, const char **what);

/* Appends an approval record: VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc fim_db_add_approval(struct fim_db *db, const char *path, uint32_t action, uint32_t attrs,
			     const char *reason, int64_t time, uint32_t uid);
void fim_db_free(struct fim_db *db);

#endif
