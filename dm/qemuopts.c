// SPDX-License-Identifier: GPL-2.0-only
/* QEMU option strings: see qemuopts.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dm/qemuopts.h"

/* Copy one comma-separated element starting at *sp, un-doubling ",,". */
static char *next_element(const char **sp)
{
	const char *s = *sp;
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	while (*s) {
		if (*s == ',') {
			if (s[1] != ',')
				break;
			s++;
		}
		out[n++] = *s++;
	}
	out[n] = '\0';
	*sp = *s ? s + 1 : s;
	return out;
}

static int add_element(struct qopts *o, char *elem)
{
	struct qopt *v = realloc(o->v, (o->n + 1) * sizeof(*v));
	char *eq = strchr(elem, '=');

	if (!v)
		return -ENOMEM;
	o->v = v;
	if (eq == elem || elem[0] == '\0')
		return -EINVAL;
	if (eq) {
		*eq = '\0';
		v[o->n].val = strdup(eq + 1);
		if (!v[o->n].val)
			return -ENOMEM;
	} else {
		v[o->n].val = NULL;
	}
	v[o->n].key = elem;
	o->n++;
	return 0;
}

int qopts_parse(const char *s, struct qopts *out)
{
	int ret = 0;

	out->v = NULL;
	out->n = 0;
	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		char *elem = next_element(&s);

		if (!elem) {
			ret = -ENOMEM;
			break;
		}
		ret = add_element(out, elem);
		if (ret) {
			free(elem);
			break;
		}
	}
	if (ret)
		qopts_free(out);
	return ret;
}

void qopts_free(struct qopts *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].key);
		free(o->v[i].val);
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

const char *qopts_get(const struct qopts *o, const char *key)
{
	const char *val = NULL;

	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].key, key))
			val = o->v[i].val ? o->v[i].val : "on";
	return val;
}

bool qopts_has(const struct qopts *o, const char *key)
{
	return qopts_get(o, key) != NULL;
}

int qopts_get_bool(const struct qopts *o, const char *key, bool def)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	const char *v = qopts_get(o, key);

	if (!v)
		return def;
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -EINVAL;
}

const char *qopts_unknown_key(const struct qopts *o, const char *const *allowed, bool skip_first)
{
	for (size_t i = skip_first ? 1 : 0; i < o->n; i++) {
		size_t k;

		for (k = 0; allowed[k]; k++)
			if (!strcmp(o->v[i].key, allowed[k]))
				break;
		if (!allowed[k])
			return o->v[i].key;
	}
	return NULL;
}

int qopts_parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int qopts_parse_size(const char *s, unsigned long long *out)
{
	static const char units[] = "bkmgt";
	unsigned long long v;
	char *end;
	const char *u;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	u = end[1] == '\0' ? strchr(units, end[0] | 0x20) : NULL;
	if (!u)
		return -EINVAL;
	for (long shift = 10 * (u - units); shift > 0; shift -= 10) {
		if (v > (~0ull >> 10))
			return -ERANGE;
		v <<= 10;
	}
	*out = v;
	return 0;
}
