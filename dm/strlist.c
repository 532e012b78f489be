// SPDX-License-Identifier: GPL-2.0-only
/* A growable list of option strings (machine.h), kept in command-line order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/machine.h"

int strlist_add(struct strlist *l, const char *s)
{
	char **v;
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	v[l->n++] = copy;
	l->v = v;
	return 0;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
