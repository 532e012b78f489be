// SPDX-License-Identifier: GPL-2.0-only
#include "dm/growbuf.h"

#include <stdint.h>
#include <stdlib.h>

void *growbuf(void *buf, size_t *cap, size_t need, size_t min_cap)
{
	size_t c = *cap ? *cap : (min_cap ? min_cap : 1);
	void *p;

	if (need <= *cap)
		return buf;
	if (need > SIZE_MAX / 2)
		return NULL;
	while (c < need)
		c *= 2;
	p = realloc(buf, c);
	if (p)
		*cap = c;
	return p;
}
