/*
 * backstop_internal.h — the open backstop's state, shared by its files:
 *
 *   backstop.c          life cycle, the loop (inotify fd, timer), judging
 *   backstop_targets.c  what to watch: the rules' exact paths, exclusions, lookup
 *   backstop_watch.c    inotify watches: adding, losing, re-adding; reading events
 *   backstop_keys.c     matching opens with credits, per watched object
 *   backstop_credit.c   credits from the sensor's open and exec events
 *   backstop_self.c     credits from vigil's own opens (any thread)
 *   backstop_report.c   the unseen-open and lost-events reports
 */
#ifndef VIGIL_ANALYZER_BACKSTOP_INTERNAL_H
#define VIGIL_ANALYZER_BACKSTOP_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include "analyzer/backstop.h"

#define BS_MAX_TARGETS 128  /* paths watched (files and directories the rules name) */
#define BS_MAP_SLOTS 512    /* path lookup: names and resolved names, load <= 1/2 */
#define BS_MAX_DIR_KEYS 512 /* entries of watched directories with something pending */
#define BS_RUNS 8	    /* runs kept per side of a key; arrivals beyond merge */
#define BS_MERGE_MS 50	    /* arrivals this close to the newest run join it */
#define BS_GRACE_MS 2000    /* an open or a credit waits this long for its match */
/* From the sensor's entry event to the open in the kernel: the tracer lets
 * the thread go, and it must get a CPU. */
#define BS_OPEN_LAG_NS (500ull * 1000000ull)
#define BS_SETTLE_NS (500ull * 1000000ull) /* the stream is this far past an open */
#define BS_QUIET_MS 100			   /* or the channel has been empty this long */
#define BS_MAX_WAIT_MS 30000		   /* a stream that never catches up: judged anyway */
#define BS_TICK_MS 250			   /* judging, while something waits */
#define BS_RETRY_MS 1000		   /* watching paths that are missing (again) */
#define BS_LOST_EVERY_MS 10000		   /* at most one lost-events report this often */
#define BS_READ_BYTES (16u * 1024u)	   /* one read of the inotify fd (~500 events) */
#define BS_READS_PER_WAKE 16		   /* then back to the loop */
#define BS_NOTES_PER_TAKE 64		   /* vigil's own opens taken at a time */

/* Arrivals on one side of a key, merged when close in time. */
struct bs_run {
	uint64_t mono_ms; /* when the newest of them arrived */
	/* opens: when read (compared with the stream's event times); credits:
	 * when their open was made at the latest (their due time) */
	uint64_t wall_ns;
	uint32_t n;
};

struct bs_side {
	struct bs_run run[BS_RUNS];
	uint8_t first, count; /* a ring, oldest first */
};

/* What waits for its match on one watched object (a file, or one entry of
 * a watched directory): opens the kernel reported, and credits (opens the
 * sensor or vigil itself reported). Each meets the oldest of the other. */
struct bs_key {
	struct bs_side opens, credits;
};

struct bs_target {
	char *path; /* absolute, as a rule names it */
	size_t len;
	char *real; /* its resolved name (realpath) when different, else NULL */
	bool self;  /* named by fd.name: its own opens count */
	bool dir;   /* named by fd.directory: its entries' opens count */
	int wd;	    /* -1 while not watched (missing) */
	bool off;   /* resolves to what is not watched (bs_excluded): never tried again */
	dev_t dev;  /* what wd watches */
	ino_t ino;
	/* The first target watching the same object (itself when none before):
	 * its key counts the object's opens, its flags are the group's union. */
	int owner;
	bool o_self, o_dir;
	struct bs_key key; /* opens of the object itself */
};

struct bs_dirkey {
	int target;  /* the owner of the directory's watch */
	uint8_t len; /* of name; 0: free (zeroed memory is a free table) */
	char name[NAME_MAX + 1];
	struct bs_key key;
};

struct bs_note;

struct bs_slot {
	const char *s; /* borrowed from a target (path or real); NULL empty */
	uint32_t len;
	int target;
};

struct backstop {
	int ifd, channel_fd;
	struct bs_target t[BS_MAX_TARGETS];
	int n;
	bool any_dir;
	struct bs_slot map[BS_MAP_SLOTS];
	/* The lengths of the names in map: most paths are ruled out by their
	 * length (and their directory's), before any hashing. */
	uint64_t name_lens[(VIGIL_PATH_MAX + 63) / 64];
	struct bs_dirkey dk[BS_MAX_DIR_KEYS];
	int dk_used;		  /* entries of dk in use: judging skips the table when 0 */
	int missing;		  /* targets without a watch */
	uint64_t last_retry_ms;	  /* when missing ones were last tried */
	uint64_t last_ts_ns;	  /* the newest event time the stream brought */
	uint64_t drained_wall;	  /* every IN_OPEN queued before it has been read */
	uint64_t last_rx_ms;	  /* when the channel was last read */
	uint64_t lost_unreported; /* overflows and untracked opens, not said yet */
	uint64_t lost_report_ms;
	bool watch_limit_warned;
	bool started; /* the first bs_watch_all is done (later ones say what they add) */
	struct evloop *loop;
	uint64_t timer;
	struct backstop_out out;
	bool attached;
	struct vigil_event *ev; /* scratch for reports */
	struct bs_note *notes;	/* BS_NOTES_PER_TAKE, scratch */
	uint64_t self_dropped;	/* bs_self_dropped() at the last look */
	char *buf;		/* BS_READ_BYTES, aligned for struct inotify_event */
};

/* backstop_targets.c */
/* Targets from the rules (deduplicated, excluded ones left out); logs what
 * is left out. Returns how many. */
int bs_targets_build(struct backstop *b, const struct engine *e);
/* Make `real` another name of target i in the lookup (once). */
void bs_targets_alias(struct backstop *b, int i, const char *real);
/* FNV-1a over s[0..len). */
uint64_t bs_hash(const char *s, size_t len);
/* Whether some name in the lookup is len bytes long. */
static inline bool bs_len_named(const struct backstop *b, size_t len)
{
	return len < VIGIL_PATH_MAX && (b->name_lens[len / 64] >> (len % 64)) & 1u;
}
/* The target named s[0..len) (h its hash), or -1. */
int bs_lookup(const struct backstop *b, const char *s, size_t len, uint64_t h);
/* Whether real (a resolved path) must not be watched; why in *why. */
bool bs_excluded(const char *real, bool dir, const char **why);
void bs_targets_free(struct backstop *b);

/* backstop_watch.c */
/* Watch every target that has no watch (now, or whenever it is missing). */
void bs_watch_all(struct backstop *b);
void bs_read_inotify(struct backstop *b);
/* The owner of target i (itself while unwatched). */
static inline int bs_owner(const struct backstop *b, int i)
{
	return b->t[i].wd >= 0 ? b->t[i].owner : i;
}

/* backstop_keys.c */
/* An open event read at wall_ns. */
void bs_key_open(struct bs_key *k, uint64_t mono_ms, uint64_t wall_ns);
/* A credit for an open made by due_wall at the latest; kept only while its
 * open's IN_OPEN may still be unread (due_wall > drained_wall). */
void bs_key_credit(struct bs_key *k, uint64_t mono_ms, uint64_t due_wall, uint64_t drained_wall);
bool bs_key_idle(const struct bs_key *k);
/* Is the stream past an open read at wall_ns? (asked while judging) */
typedef bool (*bs_caught_up_fn)(void *arg, uint64_t wall_ns);
struct bs_now {
	uint64_t ms;	  /* monotonic */
	uint64_t drained; /* wall time the inotify queue was last read empty from */
};
/* Stale credits are dropped; opens past the grace are removed and returned
 * as unmatched once the stream caught up (or after the longest wait); with
 * force, every open left. */
uint32_t bs_key_judge(struct bs_key *k, const struct bs_now *now, bool force,
		      bs_caught_up_fn caught_up, void *arg);
/* The key of entry name[0..len) of owner target t's directory; created when
 * `create`; NULL when absent or when the table is full. */
struct bs_key *bs_dirkey(struct backstop *b, int t, const char *name, size_t len, bool create);

/* backstop_self.c: vigil's own opens, noted on any thread. */
struct bs_note {
	uint64_t wall_ns; /* when it was noted: after the open */
	int target;	  /* a target (its owner's key counts it) */
	uint8_t len;	  /* 0: the object itself, else the entry name[0..len) */
	char name[NAME_MAX + 1];
};
void bs_self_start(void);
void bs_self_stop(void);
/* Tell the notes what target i watches now (after any change of watches). */
void bs_self_update(const struct backstop *b);
/* Notes taken since the last call, into out[0..max); returns how many. */
size_t bs_self_take(struct bs_note *out, size_t max);
/* Notes dropped because nobody took them in time (the ring was full). */
uint64_t bs_self_dropped(void);

/* backstop_report.c */
void bs_report_unseen(struct backstop *b, int target, const char *name, size_t len, uint32_t n);
void bs_report_lost(struct backstop *b, bool now);

/* backstop.c: something waits: make sure the timer runs. */
void bs_schedule(struct backstop *b);

#endif
