/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text mode as the CRTC and sequencer define it: screen geometry, the
 * cursor, each cell's character and attribute, each glyph row from the
 * font in plane 2. What a renderer draws from and what tests read a text
 * screen with.
 */
#ifndef HW_VGA_VGA_TEXT_H
#define HW_VGA_VGA_TEXT_H

#include <stdbool.h>
#include <stdint.h>

struct vga_regs;
struct vga_mem;

struct vga_text_geom {
	unsigned cols, rows;		  /* characters */
	unsigned char_width, char_height; /* pixels */
	uint32_t start;			  /* planar address of the top-left cell */
	unsigned stride;		  /* planar addresses from one row to the next */
	bool cursor_on;
	uint32_t cursor;		   /* planar address of the cursor cell */
	unsigned cursor_start, cursor_end; /* scan lines */
};

void vga_text_geometry(const struct vga_regs *r, struct vga_text_geom *g);

/* The cell at (row, col): 0, or -EINVAL outside the screen or past VRAM. */
__attribute__((warn_unused_result)) int vga_text_cell(const struct vga_mem *m,
						      const struct vga_text_geom *g, unsigned row,
						      unsigned col, uint8_t *ch, uint8_t *attr);

/* Row `line` (0-31) of ch's glyph in the font attr selects; 0 past VRAM. */
uint8_t vga_text_glyph_row(const struct vga_regs *r, const struct vga_mem *m, uint8_t ch,
			   uint8_t attr, unsigned line);

#endif
