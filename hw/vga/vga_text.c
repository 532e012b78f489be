// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text mode addressing (FreeVGA "CRT Controller Registers": Horizontal
 * Display End, Maximum Scan Line, Vertical Display End, Offset, Start
 * Address, Cursor Start/End/Location; "Sequencer Registers": Clocking
 * Mode, Character Map Select).
 *
 * The layout is QEMU's (see vga_mem.h): character i of the screen is
 * plane 0 of a planar address, its attribute plane 1 of the same address,
 * a row is CR13 * 2 addresses, glyphs are 32 rows of plane 2 at the
 * character map's offset. The geometry follows QEMU 7.2's
 * vga_get_text_resolution, CR6 == 100 meaning 100 rows included (its
 * CGA 160x100 case), so a screendump can match QEMU's.
 *
 * Left out here: blink, underline and the renderer itself.
 */
#include "hw/vga/vga_text.h"

#include <errno.h>

#include "hw/vga/vga_mem.h"
#include "hw/vga/vga_regs.h"

#define VGA_GLYPH_ROWS	  32
#define VGA_FONT_MAP_SIZE 8192 /* planar addresses per character map step */

void vga_text_geometry(const struct vga_regs *r, struct vga_text_geom *g)
{
	const uint8_t *cr = r->cr;
	uint8_t ov = cr[VGA_CRTC_OVERFLOW];
	unsigned vde = cr[VGA_CRTC_V_DISP_END] | (ov & 0x02) << 7 | (ov & 0x40) << 3;
	uint8_t sr1 = vga_sr(r, VGA_SEQ_CLOCK_MODE);

	g->char_height = (cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1;
	g->char_width = (sr1 & VGA_SR01_DOT_CLOCK_DIV) ? 16 : (sr1 & VGA_SR01_8DOT) ? 8 : 9;
	g->cols = cr[VGA_CRTC_H_DISP] + 1u;
	g->rows = cr[VGA_CRTC_V_TOTAL] == 100 ? 100 : (vde + 1) / g->char_height;
	g->start = (uint32_t)cr[VGA_CRTC_START_HI] << 8 | cr[VGA_CRTC_START_LO];
	g->stride = cr[VGA_CRTC_OFFSET] * 2u;
	g->cursor_on = !(cr[VGA_CRTC_CURSOR_START] & VGA_CR0A_CURSOR_OFF);
	g->cursor = (uint32_t)cr[VGA_CRTC_CURSOR_HI] << 8 | cr[VGA_CRTC_CURSOR_LO];
	g->cursor_start = cr[VGA_CRTC_CURSOR_START] & 0x1f;
	g->cursor_end = cr[VGA_CRTC_CURSOR_END] & 0x1f;
}

int vga_text_cell(const struct vga_mem *m, const struct vga_text_geom *g, unsigned row,
		  unsigned col, uint8_t *ch, uint8_t *attr)
{
	uint64_t a;

	if (row >= g->rows || col >= g->cols)
		return -EINVAL;
	a = g->start + (uint64_t)row * g->stride + col;
	if (a >= m->vram_size / 4)
		return -EINVAL;
	*ch = m->vram[a * 4];
	*attr = m->vram[a * 4 + 1];
	return 0;
}

/* Character map n (0-7) from its three bits, high bit apart (FreeVGA "Character Map
 * Select Register"): n = hi + 2 * lo2, 8 K addresses apart. */
static uint32_t font_map(unsigned hi, unsigned lo2)
{
	return (hi | lo2 << 1) * VGA_FONT_MAP_SIZE;
}

uint8_t vga_text_glyph_row(const struct vga_regs *r, const struct vga_mem *m, uint8_t ch,
			   uint8_t attr, unsigned line)
{
	uint8_t v = vga_sr(r, VGA_SEQ_CHARACTER_MAP);
	/* attribute bit 3 set picks map A (bits 5, 3-2), clear map B (bits 4, 1-0) */
	uint32_t base =
	    (attr & 0x08) ? font_map(v >> 5 & 1, v >> 2 & 3) : font_map(v >> 4 & 1, v & 3);
	uint64_t a = base + (uint64_t)ch * VGA_GLYPH_ROWS + (line % VGA_GLYPH_ROWS);

	return a < m->vram_size / 4 ? m->vram[a * 4 + 2] : 0;
}
