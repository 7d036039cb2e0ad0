/*
 * race.h — arguments a second thread or process changes between vigil's
 * read and the kernel's.
 *
 * A sensor reads a path from the program's memory at the syscall's entry;
 * the kernel reads it again when the syscall runs. Whoever else can write
 * that memory meanwhile can make vigil name one file while the kernel opens
 * another. Where the kernel's own answer can be read afterwards, it wins:
 *
 *   exec  the image that runs is read at the exec event (comm from
 *         /proc/PID/status, /proc/PID/exe, argv from the new stack); a
 *         path that names another file raises VIGIL_TAMPER_EXEC_RACE;
 *   open  at the open's exit fd.name is the kernel's name of the new fd;
 *         an entry path that names another file raises VIGIL_TAMPER_PATH_RACE.
 *
 * An open's exit is taken (one more stop) when a rule needs its result, or
 * whenever someone else could write the caller's memory (race_possible).
 * Part of the core, like tamper.c: the same for every mechanism.
 */
#ifndef VIGIL_SENSOR_RACE_H
#define VIGIL_SENSOR_RACE_H

#include <stdbool.h>
#include <sys/types.h>

#include "vigil/event.h"
#include "sensor/core.h"

/* Another task can write p's memory while one of its threads is in a
 * syscall: it has more threads, or shares or had its memory written. */
bool race_possible(const struct proc *p);
/* process_vm_writev(target, ...) by a traced process: target's memory is
 * written from outside (proc.h: vm_shared) until it execs. */
void race_note_vm_write(struct sensor_core *c, pid_t target);

/* An open by path whose exit is taken: remember ev's fd.name for the exit.
 * False for the opens not by path (open_by_handle_at). */
bool race_open_entry(struct sensor_task *t, const struct vigil_event *ev);
/* At its exit, ev decoded with the result: fd.name is the kernel's name of
 * the new fd; VIGIL_TAMPER_PATH_RACE when the entry's did not name it. */
enum vigil_tamper race_open_exit(struct sensor_task *t, struct vigil_event *ev, long res);
/* Forget an open's entry (the task is gone, or a new syscall began). */
void race_open_forget(struct sensor_task *t);

/* At a successful exec, img built from the kernel's answers: the path read
 * at the entry (t->exec_filename) names the image that ran, or it is
 * replaced by img's exepath and VIGIL_TAMPER_EXEC_RACE is returned. */
enum vigil_tamper race_exec_check(struct sensor_task *t, const struct proc_image *img);

#endif
