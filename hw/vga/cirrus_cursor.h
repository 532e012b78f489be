/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CLGD5446 hardware cursor (TRM chapter 9, SR10-SR13 "Graphics Cursor"):
 * a 32x32 or 64x64 two-plane pattern in the last 16 KiB of the decoded 4 MiB,
 * drawn over the scan-out as QEMU 7.2's cirrus_cursor_draw_line draws it.
 *
 * The renderer's surface holds the picture without the cursor between
 * refreshes: cirrus_cursor_undo() puts back the pixels the cursor covered,
 * the renderer brings the surface up to date, cirrus_cursor_apply() saves
 * what is under the cursor now and draws it. A still cursor over a still
 * screen costs two copies of at most 64x64 pixels and reports nothing.
 */
#ifndef HW_VGA_CIRRUS_CURSOR_H
#define HW_VGA_CIRRUS_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

struct cirrus_chip;
struct display_dirty;

#define CIRRUS_CURSOR_MAX 64

struct cirrus_cursor {
	bool drawn; /* under[] holds the pixels at (x, y) of a width x height surface */
	unsigned x, y, w, h;
	unsigned surf_w, surf_h;
	uint32_t under[CIRRUS_CURSOR_MAX * CIRRUS_CURSOR_MAX];
	uint8_t pattern[CIRRUS_CURSOR_MAX * 16]; /* the bitmap as last drawn */
	uint32_t colours[2];
};

/* Put back what the cursor covered in pixels (width x height, stride = width). */
void cirrus_cursor_undo(struct cirrus_cursor *cur, uint32_t *pixels, unsigned width,
			unsigned height);
/*
 * Draw the cursor (if shown) over pixels; rows it changed compared with the
 * last picture (moved, shown, hidden, new bitmap or colours) are added to d.
 */
void cirrus_cursor_apply(struct cirrus_cursor *cur, const struct cirrus_chip *k, uint32_t *pixels,
			 unsigned width, unsigned height, struct display_dirty *d);

#endif
