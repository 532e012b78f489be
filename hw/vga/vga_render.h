/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VGA scan-out: what the CRTC, attribute controller and DAC make of
 * VRAM, drawn into an XRGB8888 surface (dm/display.h) for text modes,
 * CGA 4-colour, planar 16-colour, 256-colour (mode 13h, mode X) and the
 * linear 8/15/16/24/32 bpp modes adapters add (Bochs VBE, Cirrus).
 *
 * It draws what QEMU 7.2's vga_update_display draws for the same
 * registers and VRAM, so that a screendump equals QEMU's; and only the
 * lines whose VRAM pages were written (vga_adapter's dirty map), whose
 * text cells changed, or all of them when the mode, palette or font did.
 */
#ifndef HW_VGA_VGA_RENDER_H
#define HW_VGA_VGA_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vga_adapter;
struct display_surface;
struct display_dirty;

/* Scan-out parameters (QEMU's get_resolution, get_bpp, get_offsets). */
struct vga_scanout {
	unsigned width, height; /* graphics: pixels; ignored in text mode */
	unsigned bpp;		/* 0: the CRTC's modes; 8, 15, 16, 24, 32 linear */
	uint32_t start;		/* bytes from the start of VRAM */
	uint32_t line_offset;	/* bytes from one line to the next */
	uint32_t line_compare;	/* the line after which scan-out restarts at VRAM 0 */
	bool dac_8bit;		/* palette components are 8 bits, not 6 */
	/*
	 * 16 bpp components widened by repeating their top bits: what QEMU's
	 * screendump shows when its display shares the frame with VRAM (std
	 * VGA; not while something is drawn over it, as Cirrus's hardware
	 * cursor). Clear: shifted up, low bits 0.
	 */
	bool widen16;
};

#define VGA_TEXT_MAX_CELLS (160 * 100) /* QEMU's CH_ATTR_SIZE: larger is not drawn */

struct vga_render {
	uint32_t *pixels; /* width x height, stride 4 * width */
	unsigned width, height;
	size_t alloc; /* pixels allocated */
	int mode;     /* -1 none yet, 0 text, 1 graphics, 2 blank */
	uint32_t palette[256];
	unsigned shift_control, double_scan, depth;
	uint32_t start, line_offset, line_compare; /* QEMU's update_basic_params */
	/* text mode */
	unsigned cols, rows, cw, ch;
	uint16_t cells[VGA_TEXT_MAX_CELLS]; /* char | attr << 8 as last drawn; 0xffff: redraw */
	uint8_t font[2][256 * 32];	    /* the two selected character maps as last drawn */
	uint32_t cursor_cell;		    /* planar address */
	uint8_t cursor_start, cursor_end;
	bool cursor_phase; /* QEMU's cursor_visible_phase */
	uint64_t blink_ns; /* when the cursor next toggles */
	uint64_t (*clock_ns)(void *opaque);
	void *clock_opaque;
};

void vga_render_init(struct vga_render *r, uint64_t (*clock_ns)(void *), void *clock_opaque);
void vga_render_fini(struct vga_render *r);
/* Forget what was drawn: the next refresh draws everything. */
void vga_render_invalidate(struct vga_render *r);

/*
 * Bring r's surface up to date with a's registers and VRAM (full: redraw
 * it all) and report it with the rows rewritten. Clears a's dirty map.
 */
void vga_render_refresh(struct vga_render *r, struct vga_adapter *a, bool full,
			struct display_surface *s, struct display_dirty *d);

#endif
