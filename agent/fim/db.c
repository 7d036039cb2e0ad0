/* db.c — encoding and decoding of the database image (little-endian). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fim/db.h"

#define NULL_STR 0xffffffffu

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int oom;
};

static void w_bytes(struct wbuf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

static void w_u64(struct wbuf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	w_bytes(b, x, 8);
}

static void w_u32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	w_bytes(b, x, 4);
}

static void w_str(struct wbuf *b, const char *s)
{
	if (!s) {
		w_u32(b, NULL_STR);
		return;
	}
	size_t n = strlen(s);
	w_u32(b, (uint32_t)n);
	w_bytes(b, s, n);
}

static void w_strs(struct wbuf *b, char *const *v, size_t n)
{
	w_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		w_str(b, v[i]);
}

static void w_entry(struct wbuf *b, const struct fim_entry *e)
{
	w_str(b, e->path);
	w_str(b, e->target);
	w_u32(b, e->mode);
	w_u32(b, e->uid);
	w_u32(b, e->gid);
	w_u32(b, e->flags);
	w_u32(b, e->err);
	w_u64(b, e->size);
	w_u64(b, e->ino);
	w_u64(b, e->nlink);
	w_u64(b, (uint64_t)e->mtime_ns);
	w_u64(b, (uint64_t)e->ctime_ns);
	w_bytes(b, e->xattr_hash, FIM_HASH_LEN);
	w_bytes(b, e->sha256, FIM_HASH_LEN);
}

static int sha256(const uint8_t *p, size_t n, uint8_t out[FIM_HASH_LEN])
{
	unsigned int olen = 0;
	return EVP_Digest(p, n, out, &olen, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

uint8_t *fim_db_encode(const struct fim_db *db, size_t *len)
{
	struct wbuf b = {0};
	uint8_t zero[FIM_DB_HEADER] = {0};
	w_bytes(&b, zero, sizeof(zero));
	w_strs(&b, db->excludes, db->n_excludes);
	w_strs(&b, db->tags, db->n_tags);
	w_u64(&b, db->entries.n);
	for (size_t i = 0; i < db->entries.n; i++)
		w_entry(&b, &db->entries.v[i]);
	w_u64(&b, db->n_appr);
	for (size_t i = 0; i < db->n_appr; i++) {
		const struct fim_approval *a = &db->appr[i];
		w_str(&b, a->path);
		w_str(&b, a->reason);
		w_u32(&b, a->action);
		w_u32(&b, a->attrs);
		w_u32(&b, a->uid);
		w_u64(&b, (uint64_t)a->time);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	/* header */
	struct wbuf h = {.p = b.p, .cap = b.cap};
	w_bytes(&h, FIM_DB_MAGIC, 8);
	w_u32(&h, FIM_DB_VERSION);
	w_u32(&h, 0);
	w_u64(&h, b.n - FIM_DB_HEADER);
	if (sha256(b.p + FIM_DB_HEADER, b.n - FIM_DB_HEADER, b.p + 24) != 0) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

struct rbuf {
	const uint8_t *p;
	size_t n, off;
	int bad;
};

static const uint8_t *r_bytes(struct rbuf *r, size_t n)
{
	if (r->bad || r->n - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t r_u64(struct rbuf *r)
{
	const uint8_t *x = r_bytes(r, 8);
	uint64_t v = 0;
	for (int i = 0; x && i < 8; i++)
		v |= (uint64_t)x[i] << (8 * i);
	return v;
}

static uint32_t r_u32(struct rbuf *r)
{
	const uint8_t *x = r_bytes(r, 4);
	uint32_t v = 0;
	for (int i = 0; x && i < 4; i++)
		v |= (uint32_t)x[i] << (8 * i);
	return v;
}

/* Returns a malloc'ed string, NULL for a NULL string (or error: r->bad). */
static char *r_str(struct rbuf *r, int *oom)
{
	uint32_t n = r_u32(r);
	if (r->bad || n == NULL_STR)
		return NULL;
	const uint8_t *p = r_bytes(r, n);
	if (!p)
		return NULL;
	if (memchr(p, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	char *s = strndup((const char *)p, n);
	if (!s)
		*oom = 1;
	return s;
}

static char **r_strs(struct rbuf *r, size_t *count, int *oom)
{
	uint32_t n = r_u32(r);
	if (r->bad || n > r->n - r->off)
		return r->bad = 1, NULL;
	char **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return *oom = 1, NULL;
	for (uint32_t i = 0; i < n && !r->bad && !*oom; i++)
		v[i] = r_str(r, oom);
	*count = n;
	return v;
}

vigil_rc fim_db_decode(const uint8_t *buf, size_t len, struct fim_db *db)
{
	memset(db, 0, sizeof(*db));
	if (len < FIM_DB_HEADER || memcmp(buf, FIM_DB_MAGIC, 8) != 0)
		return VIGIL_ERR_INPUT;
	struct rbuf h = {.p = buf, .n = FIM_DB_HEADER, .off = 8};
	uint32_t version = r_u32(&h);
	(void)r_u32(&h);
	uint64_t body = r_u64(&h);
	uint8_t digest[FIM_HASH_LEN];
	if (version != FIM_DB_VERSION || body != len - FIM_DB_HEADER ||
	    sha256(buf + FIM_DB_HEADER, (size_t)body, digest) != 0 ||
	    memcmp(digest, buf + 24, FIM_HASH_LEN) != 0)
		return VIGIL_ERR_INPUT;
	struct rbuf r = {.p = buf, .n = len, .off = FIM_DB_HEADER};
	int oom = 0;
	db->excludes = r_strs(&r, &db->n_excludes, &oom);
	db->tags = r_strs(&r, &db->n_tags, &oom);
	uint64_t n = r_u64(&r);
	for (uint64_t i = 0; i < n && !r.bad && !oom; i++) {
		char *path = r_str(&r, &oom);
		if (!path) {
			r.bad = !oom;
			break;
		}
		struct fim_entry *e = fim_set_add(&db->entries, path);
		free(path);
		if (!e) {
			oom = 1;
			break;
		}
		e->target = r_str(&r, &oom);
		e->mode = r_u32(&r);
		e->uid = r_u32(&r);
		e->gid = r_u32(&r);
		e->flags = r_u32(&r);
		e->err = r_u32(&r);
		e->size = r_u64(&r);
		e->ino = r_u64(&r);
		e->nlink = r_u64(&r);
		e->mtime_ns = (int64_t)r_u64(&r);
		e->ctime_ns = (int64_t)r_u64(&r);
		const uint8_t *x = r_bytes(&r, FIM_HASH_LEN), *s = r_bytes(&r, FIM_HASH_LEN);
		if (x && s) {
			memcpy(e->xattr_hash, x, FIM_HASH_LEN);
			memcpy(e->sha256, s, FIM_HASH_LEN);
		}
	}
	n = r_u64(&r);
	for (uint64_t i = 0; i < n && !r.bad && !oom; i++) {
		char *path = r_str(&r, &oom), *reason = r_str(&r, &oom);
		uint32_t action = r_u32(&r), attrs = r_u32(&r), uid = r_u32(&r);
		int64_t t = (int64_t)r_u64(&r);
		if (!r.bad && !oom && path &&
		    fim_db_add_approval(db, path, action, attrs, reason, t, uid) != VIGIL_OK)
			oom = 1;
		free(path);
		free(reason);
	}
	if (!r.bad && !oom && r.off != r.n)
		r.bad = 1;
	if (r.bad || oom) {
		fim_db_free(db);
		return oom ? VIGIL_ERR_NOMEM : VIGIL_ERR_INPUT;
	}
	fim_set_sort(&db->entries);
	return VIGIL_OK;
}

vigil_rc fim_db_add_approval(struct fim_db *db, const char *path, uint32_t action, uint32_t attrs,
			     const char *reason, int64_t time, uint32_t uid)
{
	if (db->n_appr == db->cap_appr) {
		size_t cap = db->cap_appr ? db->cap_appr * 2 : 16;
		struct fim_approval *v = realloc(db->appr, cap * sizeof(*v));
		if (!v)
			return VIGIL_ERR_NOMEM;
		db->appr = v;
		db->cap_appr = cap;
	}
	struct fim_approval *a = &db->appr[db->n_appr];
	a->path = strdup(path);
	a->reason = reason ? strdup(reason) : NULL;
	if (!a->path || (reason && !a->reason)) {
		free(a->path);
		free(a->reason);
		return VIGIL_ERR_NOMEM;
	}
	a->action = action;
	a->attrs = attrs;
	a->uid = uid;
	a->time = time;
	db->n_appr++;
	return VIGIL_OK;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void fim_db_free(struct fim_db *db)
{
	fim_set_free(&db->entries);
	free_strs(db->excludes, db->n_excludes);
	free_strs(db->tags, db->n_tags);
	for (size_t i = 0; i < db->n_appr; i++) {
		free(db->appr[i].path);
		free(db->appr[i].reason);
	}
	free(db->appr);
	memset(db, 0, sizeof(*db));
}
