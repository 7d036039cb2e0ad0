/*
 * ndjson_read_priv.h — what ndjson_read.c shares with ndjson_read_fim.c:
 * the state of the line being read and the checks every field goes through,
 * so that fim.* values fail with the same words and fill the same arena.
 * Private to the NDJSON reader; the interface is ndjson_read.h.
 */
#ifndef VIGIL_NDJSON_READ_PRIV_H
#define VIGIL_NDJSON_READ_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/json_flat.h"
#include "analyzer/ndjson_read.h"

#define MAX_UNKNOWN 16 /* fast path: more unknown keys -> jansson */

/* A set of field ids. */
struct fset {
	uint64_t w[2];
};

/* The state of one line being read. */
struct rd {
	struct vigil_event *ev;
	struct ndjson_read_error *err;
	bool fast, failed;
	unsigned hint;		 /* fields[] index to try first */
	struct fset keys, seen;	 /* fields present (duplicates) / with a non-null value */
	uint32_t fim_keys;	 /* fim.* present (duplicates) */
	int dir;		 /* evt.dir: -1 absent, 0 '>', 1 '<' */
	int status_arg, sig_arg; /* evargs index of evt.arg.status / evt.arg.sig, or -1 */
	int n_aname, n_apid;	 /* array lengths, -1 absent */
	int sip_af, dip_af;	 /* AF_INET / AF_INET6 of fd.sip / fd.dip, 0 absent */
	uint8_t sip[16], dip[16];
	const char *time_s; /* evt.time, parsed only without evt.rawtime */
	size_t time_len;
	struct {
		const char *s;
		size_t len;
	} unknown[MAX_UNKNOWN]; /* fast-path duplicates */
	unsigned n_unknown;
};

/* Set err->msg ("line N: key: what") and return -1. */
int ndr_fail(struct rd *rd, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy into the arena, cut (and counted) when it does not fit. */
vigil_str ndr_put(struct rd *rd, const char *s, size_t len);
/* 0 when v has the type (and range), else ndr_fail's -1. */
int ndr_want_str(struct rd *rd, const char *k, const struct json_flat_val *v);
int ndr_want_int(struct rd *rd, const char *k, const struct json_flat_val *v, long long lo,
		 long long hi, long long *out);
int ndr_want_bool(struct rd *rd, const char *k, const struct json_flat_val *v, bool *out);
/* A key this version does not know: counted; 1 when the fast path must fall back. */
int ndr_unknown_key(struct rd *rd, const char *key, size_t klen);

/* ndjson_read_fim.c: one fim.* key; 0, -1 (error set) or 1 (fall back). */
int ndr_find_fim(struct rd *rd, const char *key, size_t klen, const struct json_flat_val *v);

#endif
