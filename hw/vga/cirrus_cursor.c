// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CLGD5446 hardware cursor (CL-GD5446 TRM chapter 9, "Hardware Cursor":
 * SR10/SR11 position with the index aliases for the low bits, SR12 enable,
 * size and the DAC's access to the cursor colours, SR13 pattern number).
 *
 * As QEMU 7.2 draws it: the pattern starts 16 KiB below the top of the
 * 4 MiB the chip decodes, at SR13 bits 2-5 (64x64: 16 bytes a line, plane
 * 0 then plane 1) or bits 0-5 (32x32: plane 0 four bytes a line, plane 1
 * 128 bytes on) times 256; a pixel with plane bits (1, 0) inverts the
 * screen, (0, 1) is colour 0 and (1, 1) colour 15 of the hidden palette,
 * (0, 0) transparent; clipped at the right and bottom of the screen.
 *
 * Unlike QEMU (which redraws the cursor only when it moves), a new bitmap
 * or colour shows at the next refresh.
 */
#include "hw/vga/cirrus_cursor.h"

#include <string.h>

#include "dm/display.h"
#include "hw/vga/cirrus_mem.h"

#define PATTERN_AREA 0x4000 /* the last 16 KiB of the decoded VRAM */

static uint8_t c6_to_8(uint8_t v)
{
	uint8_t b = v & 1;

	v &= 0x3f;
	return (uint8_t)(v << 2 | b << 1 | b);
}

static uint32_t colour(const struct cirrus_regs *c, unsigned idx)
{
	const uint8_t *p = &c->hidden_palette[idx * 3];

	return (uint32_t)c6_to_8(p[0]) << 16 | (uint32_t)c6_to_8(p[1]) << 8 | c6_to_8(p[2]);
}

/* The bitmap as two planes of size bits a line: line y plane p at pat[y * 16 + p * 8]. */
static void read_pattern(const struct cirrus_chip *k, unsigned size, uint8_t *pat)
{
	const struct cirrus_vram *v = &k->vram;
	uint8_t sr13 = k->regs.sr[CIRRUS_SR_CURSOR_PAT];
	uint32_t base = (v->mask + 1 - PATTERN_AREA) & v->mask;

	memset(pat, 0, CIRRUS_CURSOR_MAX * 16);
	for (unsigned y = 0; y < size; y++) {
		for (unsigned i = 0; i < size / 8; i++) {
			uint32_t a0, a1;

			if (size == 64) {
				a0 = base + (sr13 & 0x3c) * 256u + y * 16 + i;
				a1 = a0 + 8;
			} else {
				a0 = base + (sr13 & 0x3f) * 256u + y * 4 + i;
				a1 = a0 + 128;
			}
			pat[y * 16 + i] = v->base[a0 & v->mask];
			pat[y * 16 + 8 + i] = v->base[a1 & v->mask];
		}
	}
}

void cirrus_cursor_undo(struct cirrus_cursor *cur, uint32_t *pixels, unsigned width,
			unsigned height)
{
	if (cur->drawn && pixels && cur->surf_w == width && cur->surf_h == height)
		for (unsigned r = 0; r < cur->h; r++)
			memcpy(&pixels[(size_t)(cur->y + r) * width + cur->x],
			       &cur->under[r * CIRRUS_CURSOR_MAX], cur->w * sizeof(uint32_t));
	cur->drawn = false;
}

static void draw(struct cirrus_cursor *cur, uint32_t *pixels, unsigned width)
{
	for (unsigned r = 0; r < cur->h; r++) {
		uint32_t *line = &pixels[(size_t)(cur->y + r) * width + cur->x];
		const uint8_t *p0 = &cur->pattern[r * 16], *p1 = p0 + 8;

		memcpy(&cur->under[r * CIRRUS_CURSOR_MAX], line, cur->w * sizeof(uint32_t));
		for (unsigned x = 0; x < cur->w; x++) {
			unsigned b0 = (p0[x >> 3] >> (7 - (x & 7))) & 1;
			unsigned b1 = (p1[x >> 3] >> (7 - (x & 7))) & 1;

			if (b0 && !b1)
				line[x] ^= 0xffffff;
			else if (b1)
				line[x] = cur->colours[b0];
		}
	}
}

static void add_rows(struct display_dirty *d, unsigned y0, unsigned y1)
{
	if (y0 >= y1)
		return;
	if (d->y0 == d->y1) {
		d->y0 = y0;
		d->y1 = y1;
		return;
	}
	if (y0 < d->y0)
		d->y0 = y0;
	if (y1 > d->y1)
		d->y1 = y1;
}

void cirrus_cursor_apply(struct cirrus_cursor *cur, const struct cirrus_chip *k, uint32_t *pixels,
			 unsigned width, unsigned height, struct display_dirty *d)
{
	struct cirrus_cursor old = *cur;
	uint8_t sr12 = k->regs.sr[CIRRUS_SR_CURSOR];
	unsigned size = (sr12 & CIRRUS_SR12_LARGE) ? 64 : 32;
	bool shown = (sr12 & CIRRUS_SR12_SHOW) && pixels && k->regs.cursor_x < width &&
		     k->regs.cursor_y < height;
	bool was = old.surf_w == width && old.surf_h == height && old.w;

	cur->w = cur->h = 0;
	cur->surf_w = width;
	cur->surf_h = height;
	if (shown) {
		cur->x = k->regs.cursor_x;
		cur->y = k->regs.cursor_y;
		cur->w = width - cur->x < size ? width - cur->x : size;
		cur->h = height - cur->y < size ? height - cur->y : size;
		read_pattern(k, size, cur->pattern);
		cur->colours[0] = colour(&k->regs, 0);
		cur->colours[1] = colour(&k->regs, 15);
		draw(cur, pixels, width);
		cur->drawn = true;
	}
	if (was == shown &&
	    (!shown || (old.x == cur->x && old.y == cur->y && old.w == cur->w && old.h == cur->h &&
			!memcmp(old.pattern, cur->pattern, sizeof(old.pattern)) &&
			!memcmp(old.colours, cur->colours, sizeof(old.colours)))))
		return;
	if (was)
		add_rows(d, old.y, old.y + old.h);
	add_rows(d, cur->y, cur->y + cur->h);
}
