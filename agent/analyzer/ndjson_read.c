/*
 * ndjson_read.c — the inverse of ndjson.c: an --events-out line back into
 * a struct vigil_event, for `vigil replay`.
 *
 * json_flat hands over the line's key/value pairs (fast scanner, jansson
 * when the line is not in the writer's flat shape); this file maps Falco
 * field names onto the event. Fields the writer derives from others
 * (proc.cmdline, evt.time, fd.directory, ...) are type-checked, not kept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "analyzer/ndjson_read.h"
#include "analyzer/ndjson_read_priv.h"
#include "vigil/caps.h"
#include "vigil/syscalls.h"

#define ARRAY_KEEP JSON_FLAT_ITEMS /* proc.aname[0] is the process itself, then 8 ancestors */
_Static_assert(ARRAY_KEEP == 1 + VIGIL_MAX_ANCESTORS,
	       "proc.aname holds the process and its ancestors");

/* Dense tables laid out by hand: */
/* clang-format off */
enum field {
	F_NONE, F_EVT_NUM, F_EVT_RAWTIME, F_EVT_TIME, F_EVT_TYPE, F_EVT_SOURCE, F_EVT_DIR,
	F_EVT_RES, F_EVT_ARCH, F_TAMPER, F_OPEN_READ, F_OPEN_WRITE, F_OPEN_EXEC, F_FD_NUM,
	F_FD_NAME, F_FD_TYPE, F_FD_TYPECHAR, F_FD_SOCKFAMILY, F_FD_DIRECTORY, F_FD_FILENAME,
	F_FD_DIP, F_FD_DPORT, F_FD_SIP, F_FD_SPORT, F_FD_L4PROTO, F_PID, F_TID, F_PPID, F_NAME,
	F_EXE, F_EXEPATH, F_ARGS, F_CMDLINE, F_CWD, F_TTY, F_SID, F_VPGID, F_PNAME, F_PCMDLINE,
	F_PEXEPATH, F_PEXE, F_ANAME, F_APID, F_MEMFD, F_STDIN_TYPE, F_STDIN_NAME, F_STDOUT_TYPE,
	F_STDOUT_NAME, F_ENTRYPOINT, F_ARGS_TRUNCATED, F_START, F_UID, F_USER_NAME, F_LOGINUID, F_GID, F_CAPS,
	F_CAPS_PRM, F_CAPS_INH,
	F_DROPPED, F_LOST, F_RESTARTS, F_READ_ERRORS, F_TRACEES, F_DROPPED_NEW, F_LOST_NEW,
	F_RESTARTS_NEW, F_FIM_DEGRADED, F_FIM_UNWATCHED, F_FIM_OVERFLOWS, F_SENSOR, F_COUNT
};
_Static_assert(F_COUNT <= 128, "fields are a 128-bit set");

#define FSET_HAS(s, f) (((s).w[(f) / 64] >> ((f) % 64)) & 1u)
#define FSET_ADD(s, f) ((s).w[(f) / 64] |= 1ull << ((f) % 64))

/*
 * How apply stores a field. Most are one value at a fixed place in the
 * event and share one path; K_SPECIAL ones (names to enums, addresses,
 * values other fields depend on) have code of their own in apply_special.
 */
enum kind {
	K_SPECIAL,
	K_STR,                             /* a string into the arena */
	K_U16, K_I32, K_U32, K_I64, K_U64, /* an integer within its type's range (int_range) */
	K_FLAG,                            /* true sets the bits `arg` of a uint8_t */
	K_CAPS,                            /* capability names into a mask; `arg` is caps_mask's slot */
	K_CHECK_STR, K_CHECK_BOOL,         /* derived by the writer from others: checked, not kept */
};

/* JSON integers are read as long long: a uint64_t field takes 0..LLONG_MAX. */
static const struct {
	long long lo, hi;
} int_range[] = {
	[K_U16] = {0, UINT16_MAX}, [K_I32] = {INT32_MIN, INT32_MAX}, [K_U32] = {0, UINT32_MAX},
	[K_I64] = {LLONG_MIN, LLONG_MAX}, [K_U64] = {0, LLONG_MAX},
};

_Static_assert(VIGIL_EVENT_HDR_SIZE <= USHRT_MAX, "fields[].off holds an offset into the header");

/*
 * In the writer's order: lookups start after the previous hit. The kind of
 * a value field comes from its member's type (_Generic), so a field's
 * bounds cannot drift from where it is stored: a member of another type
 * does not compile.
 */
static const struct {
	const char *name;
	unsigned char len, id, kind, arg;
	unsigned short off; /* offsetof(struct vigil_event, ...) */
} fields[] = {
#define M(m) (((struct vigil_event *)0)->m)
#define AT(n, id, kind, arg, m) {n, sizeof(n) - 1, id, kind, arg, offsetof(struct vigil_event, m)}
#define VAL(n, id, m)                                                                              \
	AT(n, id, _Generic(M(m), uint16_t: K_U16, int32_t: K_I32, uint32_t: K_U32, int64_t: K_I64, \
			   uint64_t: K_U64, vigil_str: K_STR), 0, m)
#define FLAG(n, id, m, bits) AT(n, id, _Generic(M(m), uint8_t: K_FLAG), bits, m)
#define CAPS(n, id, m, slot) AT(n, id, _Generic(M(m), uint64_t: K_CAPS), slot, m)
#define OTHER(n, id, kind) {n, sizeof(n) - 1, id, kind, 0, 0}
	VAL("evt.num", F_EVT_NUM, num), VAL("evt.rawtime", F_EVT_RAWTIME, ts_ns),
	OTHER("evt.time", F_EVT_TIME, K_SPECIAL), OTHER("evt.type", F_EVT_TYPE, K_SPECIAL),
	OTHER("evt.source", F_EVT_SOURCE, K_CHECK_STR), OTHER("evt.dir", F_EVT_DIR, K_SPECIAL),
	VAL("evt.res", F_EVT_RES, res), OTHER("evt.arch", F_EVT_ARCH, K_SPECIAL),
	OTHER("vigil.tamper", F_TAMPER, K_SPECIAL),
	FLAG("evt.is_open_read", F_OPEN_READ, open_flags, VIGIL_OPEN_READ),
	FLAG("evt.is_open_write", F_OPEN_WRITE, open_flags, VIGIL_OPEN_WRITE),
	FLAG("evt.is_open_exec", F_OPEN_EXEC, open_flags, VIGIL_OPEN_EXEC),
	VAL("fd.num", F_FD_NUM, fd.num), VAL("fd.name", F_FD_NAME, fd.name),
	OTHER("fd.type", F_FD_TYPE, K_SPECIAL), OTHER("fd.typechar", F_FD_TYPECHAR, K_CHECK_STR),
	OTHER("fd.sockfamily", F_FD_SOCKFAMILY, K_CHECK_STR),
	OTHER("fd.directory", F_FD_DIRECTORY, K_CHECK_STR),
	OTHER("fd.filename", F_FD_FILENAME, K_CHECK_STR), OTHER("fd.dip", F_FD_DIP, K_SPECIAL),
	VAL("fd.dport", F_FD_DPORT, fd.dport), OTHER("fd.sip", F_FD_SIP, K_SPECIAL),
	VAL("fd.sport", F_FD_SPORT, fd.sport), OTHER("fd.l4proto", F_FD_L4PROTO, K_SPECIAL),
	VAL("proc.pid", F_PID, proc.pid), VAL("thread.tid", F_TID, proc.tid),
	VAL("proc.ppid", F_PPID, proc.ppid), VAL("proc.name", F_NAME, proc.name),
	VAL("proc.exe", F_EXE, proc.exe), VAL("proc.exepath", F_EXEPATH, proc.exepath),
	VAL("proc.args", F_ARGS, proc.args), OTHER("proc.cmdline", F_CMDLINE, K_CHECK_STR),
	VAL("proc.cwd", F_CWD, proc.cwd), VAL("proc.tty", F_TTY, proc.tty),
	VAL("proc.sid", F_SID, proc.sid), VAL("proc.vpgid", F_VPGID, proc.vpgid),
	VAL("proc.pname", F_PNAME, proc.pname), VAL("proc.pcmdline", F_PCMDLINE, proc.pcmdline),
	VAL("proc.pexepath", F_PEXEPATH, proc.pexepath), VAL("proc.pexe", F_PEXE, proc.pexe),
	OTHER("proc.aname", F_ANAME, K_SPECIAL), OTHER("proc.apid", F_APID, K_SPECIAL),
	/* A 0/1 byte, cleared by vigil_event_init: setting bit 1 is storing true. */
	FLAG("proc.is_exe_from_memfd", F_MEMFD, proc.is_exe_from_memfd, 1),
	VAL("proc.stdin.type", F_STDIN_TYPE, proc.stdin_type),
	VAL("proc.stdin.name", F_STDIN_NAME, proc.stdin_name),
	VAL("proc.stdout.type", F_STDOUT_TYPE, proc.stdout_type),
	VAL("proc.stdout.name", F_STDOUT_NAME, proc.stdout_name),
	FLAG("vigil.is_entrypoint", F_ENTRYPOINT, proc.vflags, VIGIL_PROC_PARENT_VIGIL),
	FLAG("vigil.args_truncated", F_ARGS_TRUNCATED, proc.vflags, VIGIL_PROC_ARGS_TRUNCATED),
	VAL("proc.start_ts", F_START, proc.start_ns), VAL("user.uid", F_UID, proc.uid),
	OTHER("user.name", F_USER_NAME, K_CHECK_STR), VAL("user.loginuid", F_LOGINUID, proc.loginuid),
	VAL("group.gid", F_GID, proc.gid),
	CAPS("thread.cap_effective", F_CAPS, proc.cap_effective, 0),
	CAPS("thread.cap_permitted", F_CAPS_PRM, proc.cap_permitted, 1),
	CAPS("thread.cap_inheritable", F_CAPS_INH, proc.cap_inheritable, 2),
	VAL("vigil.events_dropped", F_DROPPED, health.events_dropped),
	VAL("vigil.events_lost", F_LOST, health.events_lost),
	VAL("vigil.analyzer_restarts", F_RESTARTS, health.analyzer_restarts),
	VAL("vigil.read_errors", F_READ_ERRORS, health.read_errors),
	VAL("vigil.tracees", F_TRACEES, health.tracee_count),
	VAL("vigil.events_dropped_new", F_DROPPED_NEW, health.dropped_new),
	VAL("vigil.events_lost_new", F_LOST_NEW, health.lost_new),
	VAL("vigil.analyzer_restarts_new", F_RESTARTS_NEW, health.restarts_new),
	/* derived from vigil.fim_unwatched */
	OTHER("vigil.fim_degraded", F_FIM_DEGRADED, K_CHECK_BOOL),
	VAL("vigil.fim_unwatched", F_FIM_UNWATCHED, health.fim_unwatched),
	VAL("vigil.fim_overflows", F_FIM_OVERFLOWS, health.fim_overflows),
	OTHER("vigil.sensor", F_SENSOR, K_SPECIAL),
#undef OTHER
#undef CAPS
#undef FLAG
#undef VAL
#undef AT
#undef M
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))
/* clang-format on */

int ndr_fail(struct rd *rd, const char *key, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	char at[32] = "";
	if (rd->err->line)
		snprintf(at, sizeof(at), "line %lu: ", rd->err->line);
	snprintf(rd->err->msg, sizeof(rd->err->msg), "%s%s%s%s", at, key ? key : "",
		 key ? ": " : "", what);
	rd->failed = true;
	return -1;
}

/* Copy into the arena; a string that does not fit is cut at a UTF-8 boundary. */
vigil_str ndr_put(struct rd *rd, const char *s, size_t len)
{
	size_t room = VIGIL_EVENT_STRS_MAX - rd->ev->strs_used;
	if (len > room) {
		len = room;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		rd->err->truncated++;
	}
	return vigil_event_str(rd->ev, s, len);
}

static bool eq(const char *s, size_t len, const char *name)
{
	/* First byte first: most candidates differ there, and strlen is then skipped. */
	return name && len && name[0] == s[0] && strlen(name) == len && memcmp(s, name, len) == 0;
}

static bool parse_ll(const char *s, size_t len, long long *out)
{
	size_t i = len && s[0] == '-';
	unsigned long long v = 0, lim = i ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (lim - (unsigned)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = s[0] == '-' ? (long long)(0 - v) : (long long)v;
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" -> ns since the epoch. */
static bool parse_rfc3339(const char *s, size_t len, uint64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	int v[6] = {0}, k = 0;
	if (len < sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return false;
			v[k] = v[k] * 10 + s[i] - '0';
		} else if (s[i] != shape[i] && !(shape[i] == 'T' && (s[i] == 't' || s[i] == ' '))) {
			return false;
		} else {
			k++;
		}
	}
	size_t i = sizeof(shape) - 1;
	uint64_t frac = 0;
	int digits = 0;
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
			if (digits < 9)
				frac = frac * 10 + (uint64_t)(s[i] - '0');
		if (!digits)
			return false;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	long off = 0;
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		long long hh, mm;
		if (!parse_ll(s + i + 1, 2, &hh) || !parse_ll(s + i + 4, 2, &mm) || hh > 23 ||
		    mm > 59 || s[i + 1] == '-' || s[i + 4] == '-')
			return false;
		off = (s[i] == '-' ? -1 : 1) * (long)(hh * 3600 + mm * 60);
	} else {
		return false;
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return false;
	struct tm tm = {.tm_year = v[0] - 1900,
			.tm_mon = v[1] - 1,
			.tm_mday = v[2],
			.tm_hour = v[3],
			.tm_min = v[4],
			.tm_sec = v[5]};
	long long secs = (long long)timegm(&tm) - off;
	/* evt.rawtime is a signed 64-bit count of ns (up to 2262): stay within it */
	if (secs < 0 || secs > LLONG_MAX / 1000000000ll - 1)
		return false;
	*out = (uint64_t)secs * 1000000000ull + frac;
	return true;
}

/* "CAP_A CAP_B ..." -> mask. The writer repeats one string on nearly every line. */
/* slot: which capability field (effective, permitted, inheritable); each keeps
 * its own last string, since the three usually differ but rarely change. */
static uint64_t caps_mask(struct rd *rd, int slot, const char *s, size_t len)
{
	static _Thread_local struct {
		char s[1024];
		size_t len;
		uint64_t mask;
		unsigned unknown;
	} lasts[3];
	__typeof__(lasts[0]) *lastp = &lasts[slot];
	if (len && len == lastp->len && memcmp(s, lastp->s, len) == 0) {
		rd->err->unknown_values += lastp->unknown;
		return lastp->mask;
	}
	uint64_t mask = 0;
	unsigned unknown = 0;
	for (size_t i = 0, j; i < len; i = j) {
		while (i < len && s[i] == ' ')
			i++;
		for (j = i; j < len && s[j] != ' ';)
			j++;
		int c = j > i ? vigil_cap_by_name(s + i, j - i) : 0;
		if (c >= 0 && c < 64)
			mask |= j > i ? 1ull << c : 0;
		else
			unknown++;
	}
	if (len <= sizeof(lastp->s)) {
		memcpy(lastp->s, s, len);
		lastp->len = len;
		lastp->mask = mask;
		lastp->unknown = unknown;
	}
	rd->err->unknown_values += unknown;
	return mask;
}

int ndr_want_str(struct rd *rd, const char *k, const struct json_flat_val *v)
{
	return v->t == JF_STR ? 0 : ndr_fail(rd, k, "expected a string");
}

int ndr_want_int(struct rd *rd, const char *k, const struct json_flat_val *v, long long lo,
		 long long hi, long long *out)
{
	if (v->t != JF_INT)
		return ndr_fail(rd, k, "expected an integer");
	if (v->i < lo || v->i > hi)
		return lo == 0 && v->i < 0 ? ndr_fail(rd, k, "expected a non-negative integer")
					   : ndr_fail(rd, k, "%lld is out of range", v->i);
	*out = v->i;
	return 0;
}

int ndr_want_bool(struct rd *rd, const char *k, const struct json_flat_val *v, bool *out)
{
	if (v->t != JF_BOOL)
		return ndr_fail(rd, k, "expected true or false");
	*out = v->b;
	return 0;
}

static int set_ip(struct rd *rd, const char *k, const struct json_flat_val *v, uint8_t ip[16],
		  int *af)
{
	char buf[INET6_ADDRSTRLEN];
	if (ndr_want_str(rd, k, v))
		return -1;
	if (v->len < sizeof(buf) && !memchr(v->s, '\0', v->len)) {
		memcpy(buf, v->s, v->len);
		buf[v->len] = '\0';
		*af = strchr(buf, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(*af, buf, ip) == 1)
			return 0;
	}
	*af = 0;
	return ndr_fail(rd, k, "expected an IP address");
}

static int set_evt_type(struct rd *rd, const struct json_flat_val *v)
{
	char name[32];
	int id = VIGIL_SC_UNKNOWN;
	if (ndr_want_str(rd, "evt.type", v))
		return -1;
	if (v->len < sizeof(name) && !memchr(v->s, '\0', v->len)) {
		memcpy(name, v->s, v->len);
		name[v->len] = '\0';
		id = vigil_syscall_by_name(name);
	}
	rd->ev->type = (uint16_t)id;
	if (id == VIGIL_SC_UNKNOWN) { /* kept: the rules can still see proc.* and fd.* */
		size_t n = v->len < sizeof(rd->err->unknown_type) - 1
				   ? v->len
				   : sizeof(rd->err->unknown_type) - 1;
		memcpy(rd->err->unknown_type, v->s, n);
		rd->err->unknown_type[n] = '\0';
	}
	return 0;
}

/* proc.aname / proc.apid: [0] is the process itself, [1..] its ancestors. */
static int set_ancestors(struct rd *rd, const char *k, const struct json_flat_val *v, bool names)
{
	if (v->t != JF_ARRAY || !(names ? v->all_str : v->all_int))
		return ndr_fail(rd, k,
				names ? "expected an array of strings"
				      : "expected an array of integers");
	struct vigil_proc *p = &rd->ev->proc;
	for (size_t i = 1; i < v->n; i++) {
		if (names) {
			p->ancestors[i - 1].name = ndr_put(rd, v->items[i].s, v->items[i].len);
		} else if (v->items[i].i < INT32_MIN || v->items[i].i > INT32_MAX) {
			return ndr_fail(rd, k, "%lld is out of range", v->items[i].i);
		} else {
			p->ancestors[i - 1].pid = (int32_t)v->items[i].i;
		}
	}
	if (v->total > ARRAY_KEEP)
		rd->err->truncated++;
	*(names ? &rd->n_aname : &rd->n_apid) = (int)v->n;
	return 0;
}

/* evt.arg.NAME: NAME as the writer allows it ([a-z0-9_], 1..40 bytes). */
static bool arg_name_ok(const char *k, size_t len)
{
	if (len == 0 || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* Returns 0, -1 (error set), or 1: the fast path must hand the line to jansson. */
static int set_evarg(struct rd *rd, const char *key, size_t klen, const struct json_flat_val *v)
{
	struct vigil_event *ev = rd->ev;
	const char *name = key + 8;
	size_t nlen = klen - 8;
	char num[40];
	const char *val = v->s;
	size_t vlen = v->len;
	for (int i = 0; rd->fast && i < ev->n_evargs; i++)
		if (ev->evargs[i].key.len == nlen &&
		    memcmp(vigil_str_ptr(ev, ev->evargs[i].key), name, nlen) == 0)
			return 1; /* duplicate: jansson words the error */
	switch (v->t) {
	case JF_NULL: return 0;
	case JF_STR: break;
	case JF_INT:
		vlen = (size_t)snprintf(num, sizeof(num), "%lld", v->i);
		val = num;
		break;
	case JF_REAL:
		vlen = (size_t)snprintf(num, sizeof(num), "%.17g", v->d);
		val = num;
		break;
	case JF_BOOL:
		val = v->b ? "true" : "false";
		vlen = strlen(val);
		break;
	default: {
		char k[56]; /* key is not NUL-terminated; arg_name_ok bounded it */
		snprintf(k, sizeof(k), "%.*s", (int)klen, key);
		return ndr_fail(rd, k, "expected a string or a number");
	}
	}
	if (ev->n_evargs >= VIGIL_MAX_EVARGS) {
		rd->err->truncated++;
		return rd->fast ? 1 : 0; /* past the limit duplicates are jansson's to find */
	}
	if (eq(name, nlen, "status"))
		rd->status_arg = ev->n_evargs;
	else if (eq(name, nlen, "sig"))
		rd->sig_arg = ev->n_evargs;
	struct vigil_evarg *a = &ev->evargs[ev->n_evargs++];
	a->key = ndr_put(rd, name, nlen);
	a->val = ndr_put(rd, val, vlen);
	return 0;
}

int ndr_unknown_key(struct rd *rd, const char *key, size_t klen)
{
	if (rd->fast) {
		for (unsigned i = 0; i < rd->n_unknown; i++)
			if (rd->unknown[i].len == klen && memcmp(rd->unknown[i].s, key, klen) == 0)
				return 1;
		if (rd->n_unknown == MAX_UNKNOWN)
			return 1;
		rd->unknown[rd->n_unknown].s = key;
		rd->unknown[rd->n_unknown++].len = klen;
	}
	rd->err->unknown_keys++;
	return 0;
}

/* The fields[] entry for key, or -1. */
static int find_field(struct rd *rd, const char *key, size_t klen)
{
	for (unsigned t = 0; t < N_FIELDS; t++) {
		unsigned i = (rd->hint + t) % N_FIELDS;
		if (fields[i].len == klen && memcmp(fields[i].name, key, klen) == 0) {
			rd->hint = i + 1;
			return (int)i;
		}
	}
	return -1;
}

/* A field of the generic kinds into its place in the event. */
static int store(struct rd *rd, int idx, const struct json_flat_val *v)
{
	const char *k = fields[idx].name; /* NUL-terminated, unlike the line's key */
	unsigned kind = fields[idx].kind;
	char *dst = (char *)rd->ev + fields[idx].off;
	long long n = 0;
	bool b = false;
	switch (kind) {
	case K_STR:
		if (ndr_want_str(rd, k, v))
			return -1;
		*(vigil_str *)dst = ndr_put(rd, v->s, v->len);
		return 0;
	case K_FLAG:
		if (ndr_want_bool(rd, k, v, &b))
			return -1;
		*(uint8_t *)dst |= b ? fields[idx].arg : 0;
		return 0;
	case K_CAPS:
		if (ndr_want_str(rd, k, v))
			return -1;
		*(uint64_t *)dst = caps_mask(rd, fields[idx].arg, v->s, v->len);
		return 0;
	case K_CHECK_STR: return ndr_want_str(rd, k, v);
	case K_CHECK_BOOL: return ndr_want_bool(rd, k, v, &b);
	}
	if (ndr_want_int(rd, k, v, int_range[kind].lo, int_range[kind].hi, &n))
		return -1;
	switch (kind) {
	case K_U16: *(uint16_t *)dst = (uint16_t)n; break;
	case K_I32: *(int32_t *)dst = (int32_t)n; break;
	case K_U32: *(uint32_t *)dst = (uint32_t)n; break;
	case K_I64: *(int64_t *)dst = n; break;
	case K_U64: *(uint64_t *)dst = (uint64_t)n; break;
	}
	return 0;
}

/* The fields that are not a plain value: names to enums, addresses, and
 * what finish() combines with other fields. */
static int apply_special(struct rd *rd, int f, const char *k, const struct json_flat_val *v)
{
	struct vigil_event *ev = rd->ev;
	int r = 0;
	switch ((enum field)f) {
	case F_EVT_TIME: /* parsed in finish, and only without evt.rawtime */
		if (!(r = ndr_want_str(rd, k, v))) {
			rd->time_s = v->s;
			rd->time_len = v->len;
		}
		return r;
	case F_EVT_TYPE: return set_evt_type(rd, v);
	case F_EVT_DIR:
		if (v->t != JF_STR || v->len != 1 || (v->s[0] != '<' && v->s[0] != '>'))
			return ndr_fail(rd, k, "expected \"<\" or \">\"");
		rd->dir = v->s[0] == '<';
		return 0;
	case F_EVT_ARCH:
		if (!(r = ndr_want_str(rd, k, v))) {
			int a = vigil_arch_by_name(v->s, v->len);
			ev->arch = (uint8_t)(a < 0 ? VIGIL_ARCH_UNKNOWN : a);
			rd->err->unknown_values += a < 0;
		}
		return r;
	case F_SENSOR: {
		if ((r = ndr_want_str(rd, k, v)))
			return r;
		unsigned s = vigil_sensor_by_name(v->s, v->len);
		if (s == VIGIL_SENSOR_COUNT)
			return ndr_fail(rd, k, "unknown value \"%.*s\"",
					(int)(v->len < 40 ? v->len : 40), v->s);
		ev->health.sensor = s;
		return 0;
	}
	case F_TAMPER: {
		if ((r = ndr_want_str(rd, k, v)))
			return r;
		unsigned t = vigil_tamper_by_name(v->s, v->len);
		if (t == VIGIL_TAMPER_NONE) /* never downgrade a tamper event to an ordinary one */
			return ndr_fail(rd, k, "unknown value \"%.*s\"",
					(int)(v->len < 40 ? v->len : 40), v->s);
		ev->tamper = (uint8_t)t;
		return 0;
	}
	case F_FD_TYPE:
		if (!(r = ndr_want_str(rd, k, v))) {
			int t = vigil_fd_type_by_name(v->s, v->len);
			ev->fd.type = (uint8_t)(t < 0 ? VIGIL_FD_OTHER : t);
			rd->err->unknown_values += t < 0;
		}
		return r;
	case F_FD_L4PROTO:
		if (!(r = ndr_want_str(rd, k, v)))
			ev->fd.l4proto = eq(v->s, v->len, "tcp")    ? 6
					 : eq(v->s, v->len, "udp")  ? 17
					 : eq(v->s, v->len, "icmp") ? 1
								    : 0;
		return r;
	case F_FD_DIP: return set_ip(rd, k, v, rd->dip, &rd->dip_af);
	case F_FD_SIP: return set_ip(rd, k, v, rd->sip, &rd->sip_af);
	case F_ANAME: return set_ancestors(rd, k, v, true);
	case F_APID: return set_ancestors(rd, k, v, false);
	default: return 0; /* every K_SPECIAL field has its case above */
	}
}

/* One key/value pair into the event. Returns 0, -1 (error set) or 1 (fall back). */
static int apply(struct rd *rd, const char *key, size_t klen, const struct json_flat_val *v)
{
	int idx = find_field(rd, key, klen);
	if (idx < 0 && klen > 4 && memcmp(key, "fim.", 4) == 0)
		return ndr_find_fim(rd, key, klen, v);
	if (idx < 0)
		return klen > 8 && memcmp(key, "evt.arg.", 8) == 0 && arg_name_ok(key + 8, klen - 8)
			       ? set_evarg(rd, key, klen, v)
			       : ndr_unknown_key(rd, key, klen);
	int f = fields[idx].id;
	if (FSET_HAS(rd->keys, f))
		return rd->fast ? 1 : ndr_fail(rd, fields[idx].name, "duplicate key");
	FSET_ADD(rd->keys, f);
	if (v->t == JF_NULL) /* a field with no value, as Falco's <NA> */
		return 0;
	FSET_ADD(rd->seen, f);
	return fields[idx].kind == K_SPECIAL ? apply_special(rd, f, fields[idx].name, v)
					     : store(rd, idx, v);
}

/* The procexit status or signal travels as evt.arg.status / evt.arg.sig. */
static int take_exit(struct rd *rd)
{
	struct vigil_event *ev = rd->ev;
	int idx = rd->sig_arg >= 0 ? rd->sig_arg : rd->status_arg;
	ev->res = 0;
	if (rd->sig_arg >= 0 && rd->status_arg >= 0)
		return ndr_fail(rd, "evt.arg.sig",
				"a procexit has evt.arg.status or evt.arg.sig, not both");
	if (idx < 0)
		return 0;
	long long n;
	vigil_str val = ev->evargs[idx].val;
	if (!parse_ll(vigil_str_ptr(ev, val), val.len, &n))
		return ndr_fail(rd, rd->sig_arg >= 0 ? "evt.arg.sig" : "evt.arg.status",
				"expected an integer");
	ev->res = n;
	ev->exit_kind = rd->sig_arg >= 0 ? 2 : 1;
	memmove(&ev->evargs[idx], &ev->evargs[idx + 1],
		(size_t)(ev->n_evargs - idx - 1) * sizeof(ev->evargs[0]));
	ev->n_evargs--;
	return 0;
}

static int take_ip(struct rd *rd, const char *k, int af, const uint8_t *ip, uint8_t *dst)
{
	struct vigil_fd *fd = &rd->ev->fd;
	if (!af)
		return 0;
	if (fd->type == VIGIL_FD_NONE)
		fd->type = af == AF_INET ? VIGIL_FD_IPV4 : VIGIL_FD_IPV6;
	if (fd->type != VIGIL_FD_IPV4 && fd->type != VIGIL_FD_IPV6)
		return 0; /* an address on a non-IP fd: dropped */
	if ((fd->type == VIGIL_FD_IPV4) != (af == AF_INET))
		return ndr_fail(rd, k, "expected an %s address (fd.type)",
				fd->type == VIGIL_FD_IPV4 ? "IPv4" : "IPv6");
	memcpy(dst, ip, af == AF_INET ? 4 : 16);
	return 0;
}

/* Whole-line checks and the fields that depend on several keys. */
static int finish(struct rd *rd)
{
	struct vigil_event *ev = rd->ev;
	if (!FSET_HAS(rd->seen, F_EVT_TYPE))
		return ndr_fail(rd, "evt.type", "missing");
	ev->kind = ev->type == VIGIL_SC_PROCEXIT      ? VIGIL_EV_PROCEXIT
		   : ev->type == VIGIL_SC_HEALTH      ? VIGIL_EV_HEALTH
		   : ev->type == VIGIL_SC_FIM	      ? VIGIL_EV_FIM
		   : ev->type == VIGIL_SC_UNSEEN_OPEN ? VIGIL_EV_UNSEEN_OPEN
		   : ev->type == VIGIL_SC_COVERAGE    ? VIGIL_EV_COVERAGE
						      : VIGIL_EV_SYSCALL;
	if (ev->kind == VIGIL_EV_FIM && !vigil_str_present(ev->fim.path))
		return ndr_fail(rd, "fim.path", "missing");
	if (!FSET_HAS(rd->seen, F_EVT_RAWTIME) && rd->time_s &&
	    !parse_rfc3339(rd->time_s, rd->time_len, &ev->ts_ns))
		return ndr_fail(rd, "evt.time", "expected an RFC 3339 time");
	ev->has_res = rd->dir >= 0 ? (uint8_t)rd->dir
				   : ev->kind == VIGIL_EV_SYSCALL && FSET_HAS(rd->seen, F_EVT_RES);
	if (rd->n_aname >= 0 && rd->n_apid >= 0 && rd->n_aname != rd->n_apid)
		return ndr_fail(rd, "proc.apid", "%d entries, but proc.aname has %d", rd->n_apid,
				rd->n_aname);
	int n = rd->n_aname > rd->n_apid ? rd->n_aname : rd->n_apid;
	ev->proc.n_ancestors = (uint8_t)(n > 1 ? n - 1 : 0);
	if (take_ip(rd, "fd.sip", rd->sip_af, rd->sip, ev->fd.sip) ||
	    take_ip(rd, "fd.dip", rd->dip_af, rd->dip, ev->fd.dip))
		return -1;
	static const uint16_t family[] = {
		[VIGIL_FD_IPV4] = AF_INET,     [VIGIL_FD_IPV6] = AF_INET6,
		[VIGIL_FD_UNIX] = AF_UNIX,     [VIGIL_FD_NETLINK] = AF_NETLINK,
		[VIGIL_FD_PACKET] = AF_PACKET, [VIGIL_FD_OTHER] = 0};
	ev->fd.family = family[ev->fd.type];
	if (ev->kind == VIGIL_EV_PROCEXIT && take_exit(rd))
		return -1;
	if (vigil_event_validate(ev, vigil_event_seal(ev)))
		return ndr_fail(rd, NULL, "internal error: the event does not validate");
	return 0;
}

/* ---- json_flat sink ---- */

static int on_pair(void *ctx, const char *key, size_t klen, const struct json_flat_val *v)
{
	return apply(ctx, key, klen, v);
}

static int on_end(void *ctx)
{
	return finish(ctx);
}

static void rd_start(struct rd *rd, bool fast)
{
	struct vigil_event *ev = rd->ev;
	struct ndjson_read_error *err = rd->err;
	unsigned long line = err->line;
	memset(err, 0, sizeof(*err));
	err->line = line;
	err->slow_path = !fast;
	memset(rd, 0, sizeof(*rd));
	rd->ev = ev;
	rd->err = err;
	rd->fast = fast;
	rd->dir = rd->status_arg = rd->sig_arg = rd->n_aname = rd->n_apid = -1;
	vigil_event_init(ev, VIGIL_EV_SYSCALL);
}

static void on_restart(void *ctx)
{
	rd_start(ctx, false);
}

int ndjson_read_event(const char *line, size_t len, struct vigil_event *ev,
		      struct ndjson_read_error *err)
{
	struct ndjson_read_error dummy = {0};
	struct rd rd = {.ev = ev, .err = err ? err : &dummy};
	struct json_flat_sink sink = {on_pair, on_restart, on_end, &rd};
	char msg[200];
	bool slow;
	rd_start(&rd, true);
	int r = json_flat_parse(line, len, &sink, &slow, msg, sizeof(msg));
	if (r == -2) {
		rd.failed = false;
		ndr_fail(&rd, NULL, "%s", msg);
	}
	return r ? -1 : 0;
}

void ndjson_reader_init(struct ndjson_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
}

int ndjson_reader_next(struct ndjson_reader *r, struct vigil_event *ev,
		       struct ndjson_read_error *err)
{
	for (;;) {
		errno = 0;
		ssize_t n = getline(&r->buf, &r->cap, r->f);
		if (n < 0) {
			if (!ferror(r->f))
				return 0;
			snprintf(err->msg, sizeof(err->msg), "line %lu: read: %s", r->line + 1,
				 strerror(errno ? errno : EIO));
			return -2;
		}
		r->line++;
		size_t i = 0;
		while (i < (size_t)n && (r->buf[i] == ' ' || r->buf[i] == '\t' ||
					 r->buf[i] == '\n' || r->buf[i] == '\r'))
			i++;
		if (i == (size_t)n)
			continue; /* blank */
		err->line = r->line;
		return ndjson_read_event(r->buf, (size_t)n, ev, err) ? -1 : 1;
	}
}

void ndjson_reader_free(struct ndjson_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
