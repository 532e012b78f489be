/* SPDX-License-Identifier: GPL-2.0-only */
/* Growing a byte buffer by doubling: the one grower the writers share. */
#ifndef DM_GROWBUF_H
#define DM_GROWBUF_H

#include <stddef.h>

/*
 * buf (of *cap bytes; NULL with *cap 0 at first) with room for need bytes:
 * buf itself when it has, else a larger copy whose size (doubled from *cap,
 * or from min_cap) goes to *cap. NULL when the memory cannot be had or need
 * is absurd (over SIZE_MAX / 2): buf and *cap are then unchanged and valid.
 */
void *growbuf(void *buf, size_t *cap, size_t need, size_t min_cap);

#endif
