// SPDX-License-Identifier: GPL-2.0-only
/* The one filler of struct dm_error (dm/error.h). */
#include "dm/error.h"

#include <stdarg.h>
#include <stdio.h>

int dm_fail(struct dm_error *e, const char *cls, const char *fmt, ...)
{
	va_list ap;

	e->cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
	return -1;
}
