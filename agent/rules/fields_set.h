/* fields_set.h — filling a field_value (fields_extract.c, fields_fim.c). */
#ifndef VIGIL_RULES_FIELDS_SET_H
#define VIGIL_RULES_FIELDS_SET_H

#include <string.h>

#include "rules/fields.h"

static inline void set_str(struct field_value *v, const char *s, size_t len)
{
	v->present = s != NULL;
	v->type = FT_STR;
	v->s = s;
	v->len = len;
}

static inline void set_cstr(struct field_value *v, const char *s)
{
	set_str(v, s, s ? strlen(s) : 0);
}

static inline void set_vstr(struct field_value *v, const struct vigil_event *ev, vigil_str s)
{
	set_str(v, vigil_str_ptr(ev, s), s.len);
}

static inline void set_int(struct field_value *v, int64_t i)
{
	v->present = true;
	v->type = FT_INT;
	v->i = i;
}

static inline void set_bool(struct field_value *v, bool b)
{
	set_int(v, b);
	v->type = FT_BOOL;
}

/* Text built in v->buf. */
static inline void set_buf(struct field_value *v, size_t len)
{
	set_str(v, v->buf, len < sizeof(v->buf) ? len : sizeof(v->buf) - 1);
}

#endif
