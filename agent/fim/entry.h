/* entry.h — one recorded file-system entry, and a path-sorted set of them. */
#ifndef VIGIL_FIM_ENTRY_H
#define VIGIL_FIM_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/rc.h"

#define FIM_HASH_LEN 32

/* Entry flags. */
#define FIM_F_HASHED 0x01     /* sha256 holds the content hash */
#define FIM_F_UNREADABLE 0x02 /* content (or directory) could not be read; err says why */

/* Attribute bits, in report order. */
enum fim_attr {
	FIM_A_TYPE = 1u << 0,
	FIM_A_MODE = 1u << 1,
	FIM_A_UID = 1u << 2,
	FIM_A_GID = 1u << 3,
	FIM_A_SIZE = 1u << 4,
	FIM_A_MTIME = 1u << 5,
	FIM_A_CTIME = 1u << 6,
	FIM_A_INODE = 1u << 7,
	FIM_A_NLINK = 1u << 8,
	FIM_A_TARGET = 1u << 9,
	FIM_A_XATTRS = 1u << 10,
	FIM_A_SHA256 = 1u << 11,
};
#define FIM_N_ATTRS 12

struct fim_entry {
	char *path;   /* absolute */
	char *target; /* symlink target, or NULL */
	uint32_t mode, uid, gid, flags, err;
	uint64_t size, ino, nlink;
	int64_t mtime_ns, ctime_ns;
	uint8_t xattr_hash[FIM_HASH_LEN];
	uint8_t sha256[FIM_HASH_LEN];
};

struct fim_set {
	struct fim_entry *v;
	size_t n, cap;
};

/* Appends a zeroed entry owning a copy of path; NULL on allocation failure. */
struct fim_entry *fim_set_add(struct fim_set *s, const char *path);
/* Appends a deep copy of src; NULL (set unchanged) on allocation failure. */
struct fim_entry *fim_set_add_copy(struct fim_set *s, const struct fim_entry *src);
void fim_set_sort(struct fim_set *s);
/* Binary search in a sorted set. */
struct fim_entry *fim_set_find(const struct fim_set *s, const char *path);
void fim_set_free(struct fim_set *s);
void fim_entry_free(struct fim_entry *e);
/* Deep copy of src into dst; VIGIL_OK or VIGIL_ERR_NOMEM. */
vigil_rc fim_entry_copy(struct fim_entry *dst, const struct fim_entry *src);

/* dir + "/" + name (one '/' even when dir ends with one); malloc'd, or NULL. */
char *fim_path_join(const char *dir, const char *name);
/* True if path is root or lies below it. */
bool fim_path_under(const char *path, const char *root);
/* Name of attribute bit a ("mode", ...); names in enum order. */
const char *fim_attr_name(unsigned bit_index);
/* "file", "dir", "symlink", "fifo", "socket", "chardev", "blockdev". */
const char *fim_type_name(uint32_t mode);
void fim_hex(const uint8_t *h, size_t n, char *out); /* out: 2n+1 bytes */

#endif
