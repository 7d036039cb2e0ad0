/*
 * wire.c — building events and checking them after they cross the channel.
 *
 * The analyzer validates every handle before use, so a corrupt or hostile
 * message can at worst be rejected, never read out of bounds.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vigil/event.h"
#include "vigil/strbuf.h"

static const vigil_str no_str = {VIGIL_STR_NONE, 0};

static const char *const fim_actions[] = {NULL, "created", "deleted", "modified", "metadata"};
static const char *const fim_detectors[] = {NULL, "inotify", "scan", "rescan"};
static const char *const tampers[VIGIL_TAMPER_COUNT] = {
	NULL,	      "clone_untraced", "foreign_arch",	  "ptrace_vigil",  "signal_vigil",
	"io_uring",   "untraced_child", "vm_write_vigil", "vm_read_vigil", "pidfd_vigil",
	"kcmp_vigil", "proc_vigil",	"seccomp_filter", "foreign_trace", "exec_race",
	"path_race",  "unseen_open",	"open_watch_lost"};
static const char *const arches[] = {"unknown", "x86_64", "i386", "x32", "aarch64"};
/* fd.type and fd.typechar (Falco's letters; memfd reads as a file). */
static const char *const fd_types[][2] = {
	[VIGIL_FD_FILE] = {"file", "f"},     [VIGIL_FD_DIRECTORY] = {"directory", "d"},
	[VIGIL_FD_IPV4] = {"ipv4", "4"},     [VIGIL_FD_IPV6] = {"ipv6", "6"},
	[VIGIL_FD_UNIX] = {"unix", "u"},     [VIGIL_FD_NETLINK] = {"netlink", "n"},
	[VIGIL_FD_PACKET] = {"packet", "o"}, [VIGIL_FD_MEMFD] = {"memfd", "f"},
	[VIGIL_FD_OTHER] = {"unknown", "o"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_name(const char *name, const char *s, size_t len)
{
	return name && strlen(name) == len && memcmp(name, s, len) == 0;
}

static unsigned index_of(const char *const *names, unsigned n, const char *s, size_t len)
{
	for (unsigned i = 1; i < n; i++)
		if (is_name(names[i], s, len))
			return i;
	return 0;
}

const char *vigil_arch_name(unsigned a)
{
	return arches[a < COUNT(arches) ? a : VIGIL_ARCH_UNKNOWN];
}

int vigil_arch_by_name(const char *s, size_t len)
{
	for (unsigned i = 0; i < COUNT(arches); i++)
		if (is_name(arches[i], s, len))
			return (int)i;
	return -1;
}

const char *vigil_fd_type_name(unsigned t)
{
	return t < COUNT(fd_types) ? fd_types[t][0] : NULL;
}

const char *vigil_fd_type_char(unsigned t)
{
	return t < COUNT(fd_types) ? fd_types[t][1] : NULL;
}

int vigil_fd_type_by_name(const char *s, size_t len)
{
	for (unsigned i = 0; i < COUNT(fd_types); i++)
		if (is_name(fd_types[i][0], s, len))
			return (int)i;
	return -1;
}

const char *vigil_fim_action_name(unsigned a)
{
	return a < sizeof(fim_actions) / sizeof(fim_actions[0]) ? fim_actions[a] : NULL;
}

const char *vigil_fim_detector_name(unsigned d)
{
	return d < sizeof(fim_detectors) / sizeof(fim_detectors[0]) ? fim_detectors[d] : NULL;
}

const char *vigil_tamper_name(unsigned t)
{
	return t < VIGIL_TAMPER_COUNT ? tampers[t] : NULL;
}

unsigned vigil_tamper_by_name(const char *s, size_t len)
{
	return index_of(tampers, VIGIL_TAMPER_COUNT, s, len);
}

static const char *const sensors[VIGIL_SENSOR_COUNT] = {"none", "ptrace", "notify", "notify-sync"};

const char *vigil_sensor_name(unsigned k)
{
	return sensors[k < VIGIL_SENSOR_COUNT ? k : VIGIL_SENSOR_NONE];
}

unsigned vigil_sensor_by_name(const char *s, size_t len)
{
	for (unsigned k = 0; k < VIGIL_SENSOR_COUNT; k++)
		if (strlen(sensors[k]) == len && memcmp(sensors[k], s, len) == 0)
			return k;
	return VIGIL_SENSOR_COUNT;
}

unsigned vigil_fim_action_by_name(const char *s, size_t len)
{
	return index_of(fim_actions, sizeof(fim_actions) / sizeof(fim_actions[0]), s, len);
}

unsigned vigil_fim_detector_by_name(const char *s, size_t len)
{
	return index_of(fim_detectors, sizeof(fim_detectors) / sizeof(fim_detectors[0]), s, len);
}

void vigil_event_init(struct vigil_event *ev, enum vigil_event_kind kind)
{
	/* Only the header is cleared: the arena is written before it is read. */
	memset(ev, 0, VIGIL_EVENT_HDR_SIZE);
	ev->magic = VIGIL_EVENT_MAGIC;
	ev->kind = (uint16_t)kind;
	ev->res = 0;
	ev->fd.num = -1;
	ev->proc.loginuid = -1;
	vigil_str *strs[] = {&ev->proc.name,	    &ev->proc.exe,	  &ev->proc.exepath,
			     &ev->proc.args,	    &ev->proc.cwd,	  &ev->proc.pname,
			     &ev->proc.pexepath,    &ev->proc.pcmdline,	  &ev->proc.pexe,
			     &ev->fd.name,	    &ev->proc.stdin_type, &ev->proc.stdin_name,
			     &ev->proc.stdout_type, &ev->proc.stdout_name};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		*strs[i] = no_str;
	for (int i = 0; i < VIGIL_MAX_ANCESTORS; i++)
		ev->proc.ancestors[i].name = no_str;
	vigil_str *fim[] = {&ev->fim.path,   &ev->fim.type,	  &ev->fim.changed,
			    &ev->fim.tags,   &ev->fim.sha256,	  &ev->fim.prev_sha256,
			    &ev->fim.target, &ev->fim.prev_target};
	for (size_t i = 0; i < sizeof(fim) / sizeof(fim[0]); i++)
		*fim[i] = no_str;
}

vigil_str vigil_event_str(struct vigil_event *ev, const char *s, size_t len)
{
	if (!s)
		return no_str;
	size_t room = VIGIL_EVENT_STRS_MAX - ev->strs_used;
	if (len > room)
		len = room;
	vigil_str h = {(uint16_t)ev->strs_used, (uint16_t)len};
	memcpy(ev->strs + ev->strs_used, s, len);
	ev->strs_used += (uint32_t)len;
	return h;
}

vigil_str vigil_event_cstr(struct vigil_event *ev, const char *s)
{
	return s ? vigil_event_str(ev, s, strlen(s)) : no_str;
}

void vigil_event_arg(struct vigil_event *ev, const char *key, const char *val, size_t val_len)
{
	if (ev->n_evargs >= VIGIL_MAX_EVARGS || !val)
		return;
	struct vigil_evarg *a = &ev->evargs[ev->n_evargs++];
	a->key = vigil_event_cstr(ev, key);
	a->val = vigil_event_str(ev, val, val_len);
}

void vigil_event_arg_cstr(struct vigil_event *ev, const char *key, const char *val)
{
	if (val)
		vigil_event_arg(ev, key, val, strlen(val));
}

void vigil_event_arg_int(struct vigil_event *ev, const char *key, long long val)
{
	char num[24];
	vigil_event_arg(ev, key, num, vigil_fmt_int(num, val));
}

uint32_t vigil_event_seal(struct vigil_event *ev)
{
	ev->wire_size = (uint32_t)(VIGIL_EVENT_HDR_SIZE + ev->strs_used);
	return ev->wire_size;
}

static int str_ok(const struct vigil_event *ev, vigil_str s)
{
	if (s.off == VIGIL_STR_NONE)
		return s.len == 0;
	return (uint32_t)s.off + s.len <= ev->strs_used;
}

uint32_t vigil_event_framed_size(const char *msg, size_t avail)
{
	uint32_t magic, size;
	if (avail < VIGIL_EVENT_HDR_SIZE)
		return 0;
	memcpy(&magic, msg, sizeof(magic));
	memcpy(&size, msg + offsetof(struct vigil_event, wire_size), sizeof(size));
	if (magic != VIGIL_EVENT_MAGIC || size < VIGIL_EVENT_HDR_SIZE ||
	    size > sizeof(struct vigil_event) || size > avail)
		return 0;
	return size;
}

int vigil_event_validate(const struct vigil_event *ev, size_t received)
{
	if (received < VIGIL_EVENT_HDR_SIZE || ev->magic != VIGIL_EVENT_MAGIC)
		return -1;
	if (ev->strs_used > VIGIL_EVENT_STRS_MAX || ev->wire_size != received ||
	    VIGIL_EVENT_HDR_SIZE + ev->strs_used != received)
		return -1;
	if (ev->n_evargs > VIGIL_MAX_EVARGS || ev->proc.n_ancestors > VIGIL_MAX_ANCESTORS)
		return -1;
	const vigil_str strs[] = {ev->proc.name,	ev->proc.exe,	     ev->proc.exepath,
				  ev->proc.args,	ev->proc.cwd,	     ev->proc.pname,
				  ev->proc.pexepath,	ev->proc.pcmdline,   ev->proc.pexe,
				  ev->fd.name,		ev->proc.stdin_type, ev->proc.stdin_name,
				  ev->proc.stdout_type, ev->proc.stdout_name};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!str_ok(ev, strs[i]))
			return -1;
	for (int i = 0; i < ev->proc.n_ancestors; i++)
		if (!str_ok(ev, ev->proc.ancestors[i].name))
			return -1;
	for (int i = 0; i < ev->n_evargs; i++)
		if (!str_ok(ev, ev->evargs[i].key) || !str_ok(ev, ev->evargs[i].val))
			return -1;
	const vigil_str fim[] = {ev->fim.path,	 ev->fim.type,	     ev->fim.changed,
				 ev->fim.tags,	 ev->fim.sha256,     ev->fim.prev_sha256,
				 ev->fim.target, ev->fim.prev_target};
	for (size_t i = 0; i < sizeof(fim) / sizeof(fim[0]); i++)
		if (!str_ok(ev, fim[i]))
			return -1;
	return 0;
}
