/* prefilter.c — path predicates for opens (see prefilter.h). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/prefilter.h"

int prefilter_add(struct prefilter *pf, char op, const char *s, size_t len)
{
	if (memchr(s, '\n', len) || memchr(s, '\0', len))
		return -1;
	struct prefilter_pred *n = realloc(pf->preds, (pf->n + 1) * sizeof(*n));
	if (!n)
		return -1;
	pf->preds = n;
	char *copy = strndup(s, len);
	if (!copy)
		return -1;
	pf->preds[pf->n++] = (struct prefilter_pred){op, copy, len};
	return 0;
}

void prefilter_free(struct prefilter *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		free(pf->preds[i].s);
	free(pf->preds);
	memset(pf, 0, sizeof(*pf));
}

/* The path's directory (fd.directory: "/" for "/x") is s[0..n). */
static bool dir_is(const char *path, size_t len, const char *s, size_t n)
{
	const char *slash = memrchr(path, '/', len);
	if (!slash)
		return false;
	size_t dlen = slash == path ? 1 : (size_t)(slash - path);
	return dlen == n && memcmp(path, s, n) == 0;
}

static bool match_one(const struct prefilter_pred *p, const char *path, size_t len)
{
	switch (p->op) {
	case PF_EQ: return len == p->len && memcmp(path, p->s, len) == 0;
	case PF_PREFIX: return len >= p->len && memcmp(path, p->s, p->len) == 0;
	case PF_SUFFIX: return len >= p->len && memcmp(path + len - p->len, p->s, p->len) == 0;
	case PF_CONTAINS: return p->len == 0 || memmem(path, len, p->s, p->len) != NULL;
	case PF_DIR: return dir_is(path, len, p->s, p->len);
	case PF_GLOB: {
		char buf[4200];
		if (len >= sizeof(buf))
			return true; /* too long to test: take the stop */
		memcpy(buf, path, len);
		buf[len] = '\0';
		return fnmatch(p->s, buf, 0) == 0;
	}
	default: return true; /* unknown: be safe */
	}
}

bool prefilter_match(const struct prefilter *pf, const char *path, size_t len)
{
	if (!pf || !pf->active || !path)
		return true;
	for (size_t i = 0; i < pf->n; i++)
		if (match_one(&pf->preds[i], path, len))
			return true;
	return false;
}

int prefilter_parse_pred(struct prefilter *pf, const char *line)
{
	char op = line[0];
	if (op != PF_EQ && op != PF_PREFIX && op != PF_SUFFIX && op != PF_CONTAINS && op != PF_GLOB)
		return -1;
	return prefilter_add(pf, op, line + 1, strlen(line + 1));
}
