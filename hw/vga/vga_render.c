// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VGA scan-out (FreeVGA "Attribute Controller Registers", "CRT
 * Controller Registers", "Graphics Registers": Graphics Mode shift
 * control; IBM VGA Technical Reference "Video DAC"), drawn as QEMU 7.2's
 * vga.c draws it so screendumps compare byte for byte:
 *
 *  - blank while the attribute index's PAS bit (0x20) is clear;
 *  - text (GR6 bit 0 clear): cells of char + attribute in planes 0/1,
 *    glyphs from plane 2 (the character maps SR3 selects, attribute bit 3
 *    between them), 8/9/16-dot cells, the 9th column repeating the 8th
 *    for 0xb0-0xdf with AR10 bit 2, the cursor as a solid block of the
 *    foreground colour from CR0A to CR0B, blinking every 266 ms of the
 *    platform clock, line compare restarting at VRAM 0;
 *  - graphics by GR5 shift control: 0 planar 16-colour, 1 CGA 4-colour
 *    (odd/even), 2 256-colour (mode 13h/X, each byte two pixels wide) or,
 *    when the adapter's scan-out says so, linear 8/15/16/24/32 bpp; SR1
 *    bit 3 doubles pixels, CR9 doubles lines, CR17 bits 0-1 give CGA/
 *    Hercules line interleave; addresses wrap at the VRAM size.
 *
 * Like QEMU it leaves out text blink and underline (attribute bit 7 is a
 * background intensity bit), and the PEL mask.
 */
#include "hw/vga/vga_render.h"

#include <stdlib.h>
#include <string.h>

#include "dm/display.h"
#include "hw/vga/vga_adapter.h"
#include "hw/vga/vga_text.h"

#define CR_MODE		0x17
#define CR_LINE_COMPARE 0x18
#define AR_MODE		0x10
#define AR_PLANE_ENABLE 0x12
#define AR_COLOR_SELECT 0x14
#define BLINK_HALF_NS	(266 * 1000000ull) /* QEMU: 1000 * 2 * 16 / 60 ms, halved */

enum { MODE_TEXT, MODE_GRAPH, MODE_BLANK };

void vga_render_init(struct vga_render *r, uint64_t (*clock_ns)(void *), void *clock_opaque)
{
	memset(r, 0, sizeof(*r));
	r->mode = -1;
	r->clock_ns = clock_ns;
	r->clock_opaque = clock_opaque;
}

void vga_render_fini(struct vga_render *r)
{
	free(r->pixels);
	r->pixels = NULL;
	r->alloc = 0;
}

void vga_render_invalidate(struct vga_render *r)
{
	r->mode = -1;
}

static uint64_t now_ns(const struct vga_render *r)
{
	return r->clock_ns ? r->clock_ns(r->clock_opaque) : 0;
}

static uint32_t rgb(uint8_t red, uint8_t green, uint8_t blue)
{
	return (uint32_t)red << 16 | (uint32_t)green << 8 | blue;
}

static uint8_t c6_to_8(uint8_t v)
{
	uint8_t b = v & 1;

	v &= 0x3f;
	return (uint8_t)(v << 2 | b << 1 | b);
}

/* A size change: reallocate (nothing drawn is kept) and report a full redraw. */
static bool resize(struct vga_render *r, unsigned w, unsigned h)
{
	size_t n = (size_t)w * h;

	if (w == r->width && h == r->height && r->pixels)
		return false;
	if (n > r->alloc || !r->pixels) {
		uint32_t *p = realloc(r->pixels, (n ? n : 1u) * sizeof(*p));

		if (!p) {
			r->width = r->height = 0;
			return true;
		}
		r->pixels = p;
		r->alloc = n;
	}
	memset(r->pixels, 0, n * sizeof(*r->pixels));
	r->width = w;
	r->height = h;
	return true;
}

/* The 16 attribute palette entries through the colour select register (QEMU update_palette16). */
static bool palette16(struct vga_render *r, const struct vga_regs *g)
{
	bool changed = false;

	for (unsigned i = 0; i < 16; i++) {
		unsigned v = g->ar[i];
		uint32_t col;

		if (g->ar[AR_MODE] & 0x80)
			v = ((g->ar[AR_COLOR_SELECT] & 0x0f) << 4) | (v & 0x0f);
		else
			v = ((g->ar[AR_COLOR_SELECT] & 0x0c) << 4) | (v & 0x3f);
		v *= 3;
		col = rgb(c6_to_8(g->palette[v]), c6_to_8(g->palette[v + 1]),
			  c6_to_8(g->palette[v + 2]));
		changed |= col != r->palette[i];
		r->palette[i] = col;
	}
	return changed;
}

static bool palette256(struct vga_render *r, const struct vga_regs *g, bool dac_8bit)
{
	bool changed = false;

	for (unsigned i = 0; i < 256; i++) {
		const uint8_t *p = &g->palette[i * 3];
		uint32_t col = dac_8bit ? rgb(p[0], p[1], p[2])
					: rgb(c6_to_8(p[0]), c6_to_8(p[1]), c6_to_8(p[2]));

		changed |= col != r->palette[i];
		r->palette[i] = col;
	}
	return changed;
}

/* The CRTC's scan-out, or the adapter's when its own mode is on. */
static void scanout(struct vga_adapter *a, struct vga_scanout *so)
{
	const uint8_t *cr = a->regs.cr;
	unsigned vde = cr[VGA_CRTC_V_DISP_END] | (cr[VGA_CRTC_OVERFLOW] & 0x02) << 7 |
		       (cr[VGA_CRTC_OVERFLOW] & 0x40) << 3;

	so->dac_8bit = a->dac_8bit;
	if (a->ops && a->ops->scanout && a->ops->scanout(a, so))
		return;
	*so = (struct vga_scanout){
		.dac_8bit = a->dac_8bit,
		.width = (cr[VGA_CRTC_H_DISP] + 1u) * 8,
		.height = vde + 1,
		.start = ((uint32_t)cr[VGA_CRTC_START_HI] << 8 | cr[VGA_CRTC_START_LO]) * 4,
		.line_offset = (uint32_t)cr[VGA_CRTC_OFFSET] << 3,
		.line_compare = cr[CR_LINE_COMPARE] | (cr[VGA_CRTC_OVERFLOW] & 0x10) << 4 |
				(cr[VGA_CRTC_MAX_SCAN] & 0x40) << 3,
	};
}

/* A new start address, line offset or line compare redraws everything. */
static bool basic_params_changed(struct vga_render *r, const struct vga_scanout *so)
{
	bool changed = so->start != r->start || so->line_offset != r->line_offset ||
		       so->line_compare != r->line_compare;

	r->start = so->start;
	r->line_offset = so->line_offset;
	r->line_compare = so->line_compare;
	return changed;
}

/* ---------------------------------------------------------------- text */

/* The glyphs of both selected maps; true when they differ from what was drawn. */
static bool fonts_changed(struct vga_render *r, struct vga_adapter *a)
{
	bool changed = false;

	for (unsigned map = 0; map < 2; map++) {
		uint8_t *f = r->font[map];

		for (unsigned ch = 0; ch < 256; ch++) {
			for (unsigned line = 0; line < 32; line++) {
				uint8_t v = vga_text_glyph_row(&a->regs, &a->mem, (uint8_t)ch,
							       map ? 0x08 : 0, line);

				changed |= f[ch * 32 + line] != v;
				f[ch * 32 + line] = v;
			}
		}
	}
	return changed;
}

static void draw_glyph(struct vga_render *r, unsigned x0, unsigned y0, const uint8_t *rows,
		       unsigned n, unsigned cw, uint32_t fg, uint32_t bg, bool dup9)
{
	for (unsigned y = 0; y < n; y++) {
		uint32_t *d = r->pixels + (size_t)(y0 + y) * r->width + x0;
		uint8_t bits = rows ? rows[y] : 0xff;

		for (unsigned x = 0; x < 8; x++) {
			uint32_t c = (bits & (0x80 >> x)) ? fg : bg;

			if (cw == 16) {
				d[2 * x] = d[2 * x + 1] = c;
			} else {
				d[x] = c;
			}
		}
		if (cw == 9)
			d[8] = (dup9 && (bits & 1)) ? fg : bg;
	}
}

static void draw_cursor(struct vga_render *r, const struct vga_regs *g, unsigned x0, unsigned y0,
			uint32_t fg, uint32_t bg)
{
	unsigned first = g->cr[VGA_CRTC_CURSOR_START] & 0x1f;
	unsigned last = g->cr[VGA_CRTC_CURSOR_END] & 0x1f;

	if (last > r->ch - 1)
		last = r->ch - 1;
	if (last >= first && first < r->ch)
		draw_glyph(r, x0, y0 + first, NULL, last - first + 1, r->cw, fg, bg, true);
}

static void draw_text(struct vga_render *r, struct vga_adapter *a, bool full,
		      struct display_dirty *d)
{
	const struct vga_regs *g = &a->regs;
	struct vga_text_geom tg;
	struct vga_scanout so;
	uint64_t now = now_ns(r);
	uint32_t addr;
	unsigned line = 0;

	vga_text_geometry(g, &tg);
	scanout(a, &so);
	full |= basic_params_changed(r, &so);
	if (tg.cols * tg.rows <= 1 || tg.cols * tg.rows > VGA_TEXT_MAX_CELLS)
		return; /* QEMU: a transient size, nothing drawn */
	if (tg.cols != r->cols || tg.rows != r->rows || tg.char_width != r->cw ||
	    tg.char_height != r->ch || r->depth) {
		r->cols = tg.cols;
		r->rows = tg.rows;
		r->cw = tg.char_width;
		r->ch = tg.char_height;
		r->depth = 0;
		full |= resize(r, tg.cols * tg.char_width, tg.rows * tg.char_height);
	}
	if (!r->pixels || r->width != tg.cols * tg.char_width)
		return;
	full |= palette16(r, g);
	if (vga_adapter_dirty(a, 0, 256 * 1024) || full)
		full |= fonts_changed(r, a);
	if (tg.cursor != r->cursor_cell || g->cr[VGA_CRTC_CURSOR_START] != r->cursor_start ||
	    g->cr[VGA_CRTC_CURSOR_END] != r->cursor_end) {
		full = true; /* old and new cursor cells (cheap next to a text frame) */
		r->cursor_cell = tg.cursor;
		r->cursor_start = g->cr[VGA_CRTC_CURSOR_START];
		r->cursor_end = g->cr[VGA_CRTC_CURSOR_END];
	}
	if (now >= r->blink_ns) {
		r->blink_ns = now + BLINK_HALF_NS;
		r->cursor_phase = !r->cursor_phase;
	}
	addr = so.start / 4;
	for (unsigned cy = 0; cy < tg.rows; cy++) {
		bool row_drawn = false;

		for (unsigned cx = 0; cx < tg.cols; cx++) {
			uint64_t cell = (uint64_t)addr + cx;
			uint16_t *cache = &r->cells[cy * tg.cols + cx];
			uint8_t ch, attr;
			uint16_t v;
			uint32_t fg, bg;
			bool is_cursor = cell == tg.cursor;

			if (cell * 4 + 2 > a->vram_size)
				break; /* QEMU stops the row at the end of VRAM */
			ch = a->vram[cell * 4];
			attr = a->vram[cell * 4 + 1];
			v = (uint16_t)(ch | attr << 8);
			if (!full && v == *cache && !is_cursor)
				continue;
			*cache = v;
			fg = r->palette[attr & 0x0f];
			bg = r->palette[attr >> 4];
			draw_glyph(r, cx * tg.char_width, cy * tg.char_height,
				   r->font[(attr >> 3) & 1] + ch * 32, tg.char_height,
				   tg.char_width, fg, bg,
				   ch >= 0xb0 && ch <= 0xdf && (g->ar[AR_MODE] & 0x04));
			if (is_cursor && tg.cursor_on && r->cursor_phase)
				draw_cursor(r, g, cx * tg.char_width, cy * tg.char_height, fg, bg);
			row_drawn = true;
		}
		if (row_drawn) {
			if (d->y0 == d->y1)
				d->y0 = cy * tg.char_height;
			d->y1 = (cy + 1) * tg.char_height;
		}
		addr += so.line_offset / 4;
		if (line < so.line_compare && line + tg.char_height >= so.line_compare)
			addr = 0;
		line += tg.char_height;
	}
}

/* ---------------------------------------------------------------- graphics */

struct line_ctx {
	const uint8_t *vram;
	uint32_t mask; /* VRAM size - 1 */
	const uint32_t *pal;
	uint32_t plane_mask;
};

static uint8_t vb(const struct line_ctx *c, uint32_t addr)
{
	return c->vram[addr & c->mask];
}

static uint32_t vdw(const struct line_ctx *c, uint32_t addr)
{
	return vb(c, addr) | (uint32_t)vb(c, addr + 1) << 8 | (uint32_t)vb(c, addr + 2) << 16 |
	       (uint32_t)vb(c, addr + 3) << 24;
}

static uint32_t plane_mask(uint8_t enable)
{
	uint32_t m = 0;

	for (unsigned p = 0; p < 4; p++)
		if (enable & (1u << p))
			m |= 0xffu << (8 * p);
	return m;
}

/* Pixels of 2 bits each from planes 0 (low) and 2 (high), then 1 and 3: CGA modes 4/5. */
static void line2(const struct line_ctx *c, uint32_t *d, uint32_t addr, unsigned width, bool dbl)
{
	for (unsigned x = 0; x < width / 8; x++, addr += 4) {
		uint32_t w = vdw(c, addr) & c->plane_mask;

		for (unsigned half = 0; half < 2; half++) {
			uint8_t lo = (uint8_t)(w >> (8 * half)),
				hi = (uint8_t)(w >> (8 * (half + 2)));

			for (unsigned i = 0; i < 4; i++) {
				unsigned sh = 6 - 2 * i;
				uint32_t col = c->pal[((lo >> sh) & 3) | ((hi >> sh) & 3) << 2];

				if (dbl) {
					*d++ = col;
					*d++ = col;
				} else {
					*d++ = col;
				}
			}
		}
	}
}

/* Planar 16-colour: pixel i of a byte from bit 7 - i of each plane. */
static void line4(const struct line_ctx *c, uint32_t *d, uint32_t addr, unsigned width, bool dbl)
{
	for (unsigned x = 0; x < width / 8; x++, addr += 4) {
		uint32_t w = vdw(c, addr) & c->plane_mask;

		for (unsigned i = 0; i < 8; i++) {
			unsigned bit = 7 - i, v = 0;

			for (unsigned p = 0; p < 4; p++)
				v |= ((w >> (8 * p + bit)) & 1) << p;
			*d++ = c->pal[v];
			if (dbl)
				*d++ = c->pal[v];
		}
	}
}

/* 256-colour through the VGA's 8-bit pixel path: each byte two pixels wide. */
static void line8d2(const struct line_ctx *c, uint32_t *d, uint32_t addr, unsigned width)
{
	for (unsigned x = 0; x < width / 8; x++, addr += 4) {
		for (unsigned i = 0; i < 4; i++) {
			uint32_t col = c->pal[vb(c, addr + i)];

			*d++ = col;
			*d++ = col;
		}
	}
}

static void line_linear(const struct line_ctx *c, uint32_t *d, uint32_t addr, unsigned width,
			unsigned bpp, bool widen16)
{
	for (unsigned x = 0; x < width; x++) {
		uint32_t v;

		switch (bpp) {
		case 8:
			d[x] = c->pal[vb(c, addr++)];
			break;
		case 15:
			v = vb(c, addr) | (uint32_t)vb(c, addr + 1) << 8;
			d[x] = rgb((v >> 7) & 0xf8, (v >> 2) & 0xf8, (v << 3) & 0xf8);
			addr += 2;
			break;
		case 16:
			v = vb(c, addr) | (uint32_t)vb(c, addr + 1) << 8;
			if (widen16)
				d[x] = rgb((uint8_t)((v >> 8 & 0xf8) | v >> 13),
					   (uint8_t)((v >> 3 & 0xfc) | (v >> 9 & 3)),
					   (uint8_t)((v << 3 & 0xf8) | (v >> 2 & 7)));
			else
				d[x] = rgb((v >> 8) & 0xf8, (v >> 3) & 0xfc, (v << 3) & 0xf8);
			addr += 2;
			break;
		case 24:
			d[x] = rgb(vb(c, addr + 2), vb(c, addr + 1), vb(c, addr));
			addr += 3;
			break;
		default: /* 32 */
			d[x] = rgb(vb(c, addr + 2), vb(c, addr + 1), vb(c, addr));
			addr += 4;
			break;
		}
	}
}

struct graph_mode {
	unsigned shift_control, bpp, bits, disp_width;
	bool pixel_double;
};

static void graph_mode(struct vga_render *r, const struct vga_regs *g, const struct vga_scanout *so,
		       struct graph_mode *gm, bool *full)
{
	bool sr1_double = vga_sr(g, VGA_SEQ_CLOCK_MODE) & VGA_SR01_DOT_CLOCK_DIV;

	gm->shift_control = (g->gr[VGA_GFX_MODE] >> 5) & 3;
	gm->disp_width = so->width;
	gm->bpp = 0;
	gm->pixel_double = false;
	if (gm->shift_control < 2) {
		gm->pixel_double = sr1_double;
		if (sr1_double)
			gm->disp_width <<= 1;
		*full |= palette16(r, g);
		gm->bits = 4;
		return;
	}
	switch (so->bpp) {
	case 8:
		*full |= palette256(r, g, so->dac_8bit);
		gm->bpp = 8;
		gm->bits = 8;
		break;
	case 15:
	case 16:
		gm->bpp = so->bpp;
		gm->bits = 16;
		break;
	case 24:
	case 32:
		gm->bpp = so->bpp;
		gm->bits = so->bpp;
		break;
	default: /* 0 and anything else: the VGA's own 256-colour path */
		*full |= palette256(r, g, so->dac_8bit);
		gm->bits = 4;
		break;
	}
}

static void draw_graphic(struct vga_render *r, struct vga_adapter *a, bool full,
			 struct display_dirty *d)
{
	const struct vga_regs *g = &a->regs;
	struct vga_scanout so;
	struct graph_mode gm;
	struct line_ctx c = { a->vram, a->vram_size - 1, r->palette, 0 };
	unsigned double_scan, multi_scan, multi_run, y1 = 0;
	uint32_t addr1, bwidth;
	unsigned depth;

	scanout(a, &so);
	full |= basic_params_changed(r, &so);
	double_scan = g->cr[VGA_CRTC_MAX_SCAN] >> 7;
	graph_mode(r, g, &so, &gm, &full);
	if (gm.shift_control != 1)
		multi_scan = (((g->cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1u) << double_scan) - 1;
	else
		multi_scan = double_scan; /* QEMU: CGA modes ignore the scan line count */
	if (gm.shift_control != r->shift_control || double_scan != r->double_scan) {
		full = true;
		r->shift_control = gm.shift_control;
		r->double_scan = double_scan;
	}
	depth = gm.bpp ? gm.bpp : 8; /* what QEMU's surface format changes with */
	if (gm.disp_width > DISPLAY_MAX_WIDTH || so.height > DISPLAY_MAX_HEIGHT || !gm.disp_width ||
	    !so.height)
		return; /* larger than any consumer takes: the last picture stays */
	if (depth != r->depth) {
		r->depth = depth;
		full = true;
	}
	full |= resize(r, gm.disp_width, so.height);
	if (!r->pixels || r->width != gm.disp_width)
		return;
	c.plane_mask = plane_mask(g->ar[AR_PLANE_ENABLE] & 0x0f);
	addr1 = so.start;
	bwidth = (so.width * gm.bits + 7) / 8;
	multi_run = multi_scan;
	for (unsigned y = 0; y < so.height; y++) {
		uint32_t addr = addr1, page0, page1;
		uint32_t *line = r->pixels + (size_t)y * r->width;
		bool update;

		if (!(g->cr[CR_MODE] & 1)) {
			unsigned shift = 14 + ((g->cr[CR_MODE] >> 6) & 1);

			addr = (addr & ~(1u << shift)) | ((y1 & 1) << shift);
		}
		if (!(g->cr[CR_MODE] & 2))
			addr = (addr & ~0x8000u) | ((y1 & 2) << 14);
		page0 = addr & c.mask;
		page1 = (addr + bwidth - 1) & c.mask;
		update = full || page1 < page0 || vga_adapter_dirty(a, page0, page1 - page0 + 1);
		if (update) {
			if (gm.shift_control == 0)
				line4(&c, line, addr, so.width, gm.pixel_double);
			else if (gm.shift_control == 1)
				line2(&c, line, addr, so.width, gm.pixel_double);
			else if (gm.bpp)
				line_linear(&c, line, addr, so.width, gm.bpp, so.widen16);
			else
				line8d2(&c, line, addr, so.width);
			if (d->y0 == d->y1)
				d->y0 = y;
			d->y1 = y + 1;
		}
		if (!multi_run) {
			unsigned mask = (g->cr[CR_MODE] & 3) ^ 3;

			if ((y1 & mask) == mask)
				addr1 += so.line_offset;
			y1++;
			multi_run = multi_scan;
		} else {
			multi_run--;
		}
		if (y == so.line_compare)
			addr1 = 0;
	}
}

static void draw_blank(struct vga_render *r, bool full, struct display_dirty *d)
{
	if (!full || !r->pixels || !r->width || !r->height)
		return;
	memset(r->pixels, 0, (size_t)r->width * r->height * sizeof(*r->pixels));
	*d = (struct display_dirty){ 0, r->height };
}

void vga_render_refresh(struct vga_render *r, struct vga_adapter *a, bool full,
			struct display_surface *s, struct display_dirty *d)
{
	const struct vga_regs *g = &a->regs;
	int mode;

	*d = (struct display_dirty){ 0, 0 };
	vga_adapter_sync_dirty(a);
	if (!(g->ar_index & 0x20))
		mode = MODE_BLANK;
	else
		mode = (g->gr[VGA_GFX_MISC] & 1) ? MODE_GRAPH : MODE_TEXT;
	if (mode != r->mode) {
		r->mode = mode;
		r->blink_ns = now_ns(r);
		full = true;
	}
	if (mode == MODE_TEXT)
		draw_text(r, a, full, d);
	else if (mode == MODE_GRAPH)
		draw_graphic(r, a, full, d);
	else
		draw_blank(r, full, d);
	vga_adapter_clear_dirty(a);
	*s = (struct display_surface){ r->width, r->height, r->width * 4, r->pixels };
	if (!r->pixels)
		*s = (struct display_surface){ 0 };
}
