/*
 * fields_vigil.c — vigil.* fields: tamper attempts and vigil's own health
 * (see event.h, docs/events.md).
 *
 * vigil.tamper exists only on the syscall event that carries an attempt,
 * the counters only on health events (evt.source = vigil), so a rule on
 * them never matches an ordinary event by a default value.
 */
#include "rules/fields_ids.h"
#include "rules/fields_set.h"

static void health_field(int id, const struct vigil_health *h, struct field_value *v)
{
	switch (id) {
	case F_VIGIL_DROPPED: set_int(v, (int64_t)h->events_dropped); break;
	case F_VIGIL_LOST: set_int(v, (int64_t)h->events_lost); break;
	case F_VIGIL_RESTARTS: set_int(v, (int64_t)h->analyzer_restarts); break;
	case F_VIGIL_READ_ERRORS: set_int(v, (int64_t)h->read_errors); break;
	case F_VIGIL_TRACEES: set_int(v, (int64_t)h->tracee_count); break;
	case F_VIGIL_DROPPED_NEW: set_int(v, (int64_t)h->dropped_new); break;
	case F_VIGIL_LOST_NEW: set_int(v, (int64_t)h->lost_new); break;
	case F_VIGIL_RESTARTS_NEW: set_int(v, (int64_t)h->restarts_new); break;
	case F_VIGIL_FIM_DEGRADED: set_bool(v, h->fim_unwatched > 0); break;
	case F_VIGIL_FIM_UNWATCHED: set_int(v, (int64_t)h->fim_unwatched); break;
	case F_VIGIL_FIM_OVERFLOWS: set_int(v, (int64_t)h->fim_overflows); break;
	case F_VIGIL_SENSOR: set_cstr(v, vigil_sensor_name((unsigned)h->sensor)); break;
	}
}

void field_extract_vigil(int id, const struct vigil_event *ev, struct field_value *v)
{
	if (id == F_VIGIL_TAMPER) {
		if (ev->kind == VIGIL_EV_SYSCALL || ev->kind == VIGIL_EV_UNSEEN_OPEN)
			set_cstr(v, vigil_tamper_name(ev->tamper));
		return;
	}
	if (ev->kind == VIGIL_EV_HEALTH)
		health_field(id, &ev->health, v);
}
