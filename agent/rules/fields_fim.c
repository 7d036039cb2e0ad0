/*
 * fields_fim.c — fim.* fields of a FIM change event (see event.h, docs/fim.md).
 *
 * Values of the current state are absent for a deleted file and prev_*
 * values are absent for a created one, so `fim.prev_sha256 exists` and
 * Falco's <NA> in outputs mean what they say.
 */
#include <stdio.h>

#include "rules/fields_ids.h"
#include "rules/fields_set.h"
#include "vigil/strbuf.h"

static void put_int(struct field_value *v, bool present, int64_t i)
{
	if (present)
		set_int(v, i);
}

static void put_mode(struct field_value *v, bool present, uint32_t mode)
{
	if (present)
		set_buf(v, (size_t)snprintf(v->buf, sizeof(v->buf), "%04o", mode & 07777));
}

static void put_time(struct field_value *v, bool present, int64_t ns)
{
	if (present && ns >= 0)
		set_buf(v, vigil_fmt_rfc3339(v->buf, (uint64_t)ns));
}

/* fim.directory and fim.filename: split at the last '/'. */
static void path_part(const struct vigil_event *ev, bool dir, struct field_value *v)
{
	const char *p = vigil_str_ptr(ev, ev->fim.path);
	if (!p)
		return;
	size_t len = ev->fim.path.len, slash = len;
	while (slash > 0 && p[slash - 1] != '/')
		slash--;
	if (!dir)
		set_str(v, p + slash, len - slash);
	else
		set_str(v, p, slash > 1 ? slash - 1 : slash);
}

void field_extract_fim(int id, const struct vigil_event *ev, struct field_value *v)
{
	if (ev->kind != VIGIL_EV_FIM)
		return;
	const struct vigil_fim *f = &ev->fim;
	bool cur = f->has_cur, prev = f->has_prev;
	switch (id) {
	case F_FIM_PATH: set_vstr(v, ev, f->path); break;
	case F_FIM_DIRECTORY: path_part(ev, true, v); break;
	case F_FIM_FILENAME: path_part(ev, false, v); break;
	case F_FIM_ACTION: set_cstr(v, vigil_fim_action_name(f->action)); break;
	case F_FIM_TYPE: set_vstr(v, ev, f->type); break;
	case F_FIM_CHANGED: set_vstr(v, ev, f->changed); break;
	case F_FIM_TAGS: set_vstr(v, ev, f->tags); break;
	case F_FIM_DETECTED_BY: set_cstr(v, vigil_fim_detector_name(f->detected_by)); break;
	case F_FIM_ATTRIBUTED: set_bool(v, f->attributed); break;
	case F_FIM_SHA256: set_vstr(v, ev, f->sha256); break;
	case F_FIM_PREV_SHA256: set_vstr(v, ev, f->prev_sha256); break;
	case F_FIM_MODE: put_mode(v, cur, f->mode); break;
	case F_FIM_PREV_MODE: put_mode(v, prev, f->prev_mode); break;
	case F_FIM_UID: put_int(v, cur, f->uid); break;
	case F_FIM_PREV_UID: put_int(v, prev, f->prev_uid); break;
	case F_FIM_GID: put_int(v, cur, f->gid); break;
	case F_FIM_PREV_GID: put_int(v, prev, f->prev_gid); break;
	case F_FIM_SIZE: put_int(v, cur, (int64_t)f->size); break;
	case F_FIM_PREV_SIZE: put_int(v, prev, (int64_t)f->prev_size); break;
	case F_FIM_INODE: put_int(v, cur, (int64_t)f->ino); break;
	case F_FIM_PREV_INODE: put_int(v, prev, (int64_t)f->prev_ino); break;
	case F_FIM_MTIME: put_time(v, cur, f->mtime_ns); break;
	case F_FIM_PREV_MTIME: put_time(v, prev, f->prev_mtime_ns); break;
	case F_FIM_TARGET: set_vstr(v, ev, f->target); break;
	case F_FIM_PREV_TARGET: set_vstr(v, ev, f->prev_target); break;
	}
}
