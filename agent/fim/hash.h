/* hash.h — SHA-256 of regular files' content, in parallel. */
#ifndef VIGIL_FIM_HASH_H
#define VIGIL_FIM_HASH_H

#include <stdio.h>

#include "fim/entry.h"

/* Hashes every regular file of s with one worker per online CPU (capped by
 * max_workers if > 0). A file that cannot be opened or read gets
 * FIM_F_UNREADABLE and errno in err, and a warning on warn (if not NULL).
 * Returns the number of unreadable files, or -1 if no worker could start. */
long fim_hash_all(struct fim_set *s, int max_workers, FILE *warn);

/* Hashes one regular file's content as fim_hash_all does (FIM_F_HASHED, or
 * FIM_F_UNREADABLE with err). 0 or -1. */
int fim_hash_entry(struct fim_entry *e);

#endif
