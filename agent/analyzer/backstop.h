/*
 * backstop.h — the open backstop: kernel truth for opens of the files the
 * rules name.
 *
 * The sensor reads an open's path from the program's memory, where a second
 * thread can change it between vigil's read and the kernel's, and processes
 * vigil does not trace (`docker exec`, ECS exec) or another name for the
 * file (a hard link) are never seen as opening it. So the analyzer watches
 * the files the loaded rules name exactly for opens (fd.name = X, fd.name
 * in (...); the directories of fd.directory = D, for their entries) with
 * inotify IN_OPEN, and matches every open the kernel reports with an open
 * or exec event of that path from the sensor, or with one of vigil's own
 * reads (vigil/selfopen.h), within a grace window. An open left unmatched
 * is an event of its own (VIGIL_EV_UNSEEN_OPEN, vigil.tamper = unseen_open,
 * fd.name = the file), which the bundled "Vigil tamper attempt" rule
 * reports. docs/architecture.md ("Tamper checks") has the details.
 *
 * Cost: nothing in the supervisor. In the analyzer, one hash of fd.name per
 * open or exec event; nothing else until a watched file is opened.
 */
#ifndef VIGIL_ANALYZER_BACKSTOP_H
#define VIGIL_ANALYZER_BACKSTOP_H

#include "analyzer/alerts.h"
#include "rules/engine.h"
#include "vigil/evloop.h"
#include "vigil/event.h"
#include "vigil/syscalls.h"

struct backstop;

/* Where unseen opens go: the rules, and --events-out (on_event, optional). */
struct backstop_out {
	const struct engine *engine;
	struct alert_out *alerts;
	const struct field_ctx *ctx;
	void (*on_event)(const struct vigil_event *ev, void *arg);
	void *arg;
};

/*
 * Watch what the rules of e name exactly; channel_fd is the channel from
 * the supervisor (to tell a stream that caught up). Says at start what is
 * watched (info). NULL when nothing is to be watched, or inotify cannot be
 * used (a warning): then every other call is a no-op on NULL.
 */
struct backstop *backstop_new(const struct engine *e, int channel_fd);
/* The syscalls the backstop needs traced: every open, when it watches
 * anything (a rule on openat alone would leave open(2) unseen by design). */
void backstop_syscalls(const struct backstop *b, vigil_sc_set *set);
/* Start serving inotify and the timers on loop. 0, or -1 (logged). */
int backstop_attach(struct backstop *b, struct evloop *loop, const struct backstop_out *out);
/* The channel was read (its data is handled): a stream that caught up. */
void backstop_channel_read(struct backstop *b);
/* One event from the sensor: an open or exec of a watched path is a credit. */
void backstop_observe(struct backstop *b, const struct vigil_event *ev);
/* The stream ended: every open the kernel reported is judged now. */
void backstop_finish(struct backstop *b);
void backstop_free(struct backstop *b);

#endif
