// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CLGD5446 BitBLT engine (CL-GD5446 Technical Reference Manual, chapter
 * 10 "BitBLT Engine": GR20-GR39, the raster operation codes of GR32, BLT
 * mode GR30 and its extensions GR33), with the behaviour QEMU 7.2's
 * cirrus_vga.c gives a guest: which operation each mode combination runs,
 * the skip-left and pattern addressing, the colour registers per depth,
 * the CPU-fed source counting, and the bounds checks that refuse a blit.
 *
 * Safety does not rest on those checks alone. Every VRAM byte the engine
 * reads or writes is addressed as (addr & mask) with mask + 1 <= the
 * allocation, and the system-to-video buffer as (addr & (BUFSIZE - 1)), so
 * whatever width, height, pitch, direction or start address a guest
 * programs, and whatever wrap-around it causes, no access leaves its
 * buffer; and each blit is at most 8192 x 8192 pixels, one call. The
 * checks (QEMU's blit_is_unsafe after CVE-2014-8106, CVE-2017-2615,
 * CVE-2017-2620, CVE-2017-7980) decide, as in QEMU, which blits run at all.
 *
 * Left out, as in QEMU: video-to-system blits (GR30 bit 1: ignored), the
 * destination write mask bits 5-7 of GR2F, and the line-draw engine.
 */
#include "hw/vga/cirrus_blt.h"

#include <string.h>

#include "dm/log.h"
#include "hw/vga/cirrus_regs.h"

#define NOP_INDEX 2
#define SRC_INDEX 5

/* GR32 codes (TRM table "Raster Operations") in QEMU's table order; others are no-ops. */
static const uint8_t rop_codes[16] = {
	0x00, 0x05, 0x06, 0x09, 0x0b, 0x0d, 0x0e, 0x50,
	0x59, 0x6d, 0x90, 0x95, 0xad, 0xd0, 0xd6, 0xda,
};

static uint8_t rop_index(uint8_t code)
{
	for (unsigned i = 0; i < 16; i++)
		if (rop_codes[i] == code)
			return (uint8_t)i;
	return NOP_INDEX;
}

/* d: destination, s: source (or colour); the result is written back truncated. */
static uint32_t rop_apply(uint8_t idx, uint32_t d, uint32_t s)
{
	switch (idx) {
	case 0:
		return 0;
	case 1:
		return s & d;
	case 3:
		return s & ~d;
	case 4:
		return ~d;
	case 5:
		return s;
	case 6:
		return ~0u;
	case 7:
		return ~s & d;
	case 8:
		return s ^ d;
	case 9:
		return s | d;
	case 10:
		return ~s | ~d;
	case 11:
		return ~(s ^ d);
	case 12:
		return s | ~d;
	case 13:
		return ~s;
	case 14:
		return ~s | d;
	case 15:
		return ~s & ~d;
	default: /* NOP */
		return d;
	}
}

/* ---- VRAM and source access: every address reduced into its buffer ---- */

static uint8_t *vram_at(const struct cirrus_vram *v, uint32_t a)
{
	return &v->base[a & v->mask];
}

static uint32_t load_le(const uint8_t *p, unsigned n)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < n; i++)
		val |= (uint32_t)p[i] << (8 * i);
	return val;
}

static void store_le(uint8_t *p, unsigned n, uint32_t val)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(val >> (8 * i));
}

struct blt_ctx {
	struct cirrus_blt *b;
	const struct cirrus_regs *c;
	const struct cirrus_vram *v;
	bool cpu_src; /* the source is the system-to-video buffer */
};

/* n-byte source (1, 2 or 4) at a, aligned down to n as QEMU's cirrus_src16/32. */
static uint32_t src_n(const struct blt_ctx *x, uint32_t a, unsigned n)
{
	if (x->cpu_src)
		return load_le(&x->b->buf[a & (CIRRUS_BLTBUFSIZE - 1) & ~(n - 1)], n);
	return load_le(vram_at(x->v, a & ~(n - 1)), n);
}

/* One n-byte pixel through the ROP (16 and 32 bpp aligned down, 24 as three bytes). */
static void put_pixel(const struct blt_ctx *x, uint32_t a, uint32_t col, unsigned depth)
{
	uint8_t rop = x->b->rop;

	if (depth == 3) {
		for (unsigned i = 0; i < 3; i++) {
			uint8_t *p = vram_at(x->v, a + i);

			*p = (uint8_t)rop_apply(rop, *p, col >> (8 * i));
		}
		return;
	}
	uint8_t *p = vram_at(x->v, a & ~(depth - 1));

	store_le(p, depth, rop_apply(rop, load_le(p, depth), col));
}

/* Transparent copy: a result equal to the key (GR34, GR34-35 at 16 bpp) is not written. */
static void put_transp(const struct blt_ctx *x, uint32_t a, uint32_t s, unsigned depth)
{
	uint8_t *p = vram_at(x->v, a & ~(depth - 1));
	uint32_t keep = depth == 1 ? 0xff : 0xffff;
	uint32_t pixel = rop_apply(x->b->rop, load_le(p, depth), s) & keep;

	if (pixel != x->b->transp)
		store_le(p, depth, pixel);
}

/* ---- the operations, each over width bytes x height lines from dst ---- */

/*
 * A line of a byte copy whose source and destination both lie in VRAM
 * without wrapping at the top of the decoded 4 MiB (or below 0 backwards):
 * the same bytes, in the same order (overlaps smear as on the chip and in
 * QEMU), through plain pointers instead of one reduced address per byte.
 */
static bool row_inside(const struct blt_ctx *x, uint32_t dst, uint32_t src, int32_t w, bool back)
{
	uint32_t end = x->v->mask + 1, d = dst & x->v->mask, s = src & x->v->mask;

	if (x->cpu_src)
		return false;
	if (back)
		return d + 1 >= (uint32_t)w && s + 1 >= (uint32_t)w;
	return d + (uint32_t)w <= end && s + (uint32_t)w <= end;
}

static void row_rop(uint8_t *d, const uint8_t *s, int32_t w, int32_t step, uint8_t rop)
{
	if (rop == SRC_INDEX) {
		for (int32_t i = 0; i < w; i++, d += step, s += step)
			*d = *s;
		return;
	}
	for (int32_t i = 0; i < w; i++, d += step, s += step)
		*d = (uint8_t)rop_apply(rop, *d, *s);
}

/* A fill line inside VRAM with ROP source: each pixel stored at the address put_pixel
 * would use (16/32 bpp aligned down), without the per-byte reduction. */
static bool fill_row_fast(const struct blt_ctx *x, uint32_t dst, int32_t w, unsigned d)
{
	uint32_t a = dst & x->v->mask, col = x->b->fgcol;
	uint8_t *base = x->v->base;

	if (x->b->rop != SRC_INDEX || a + (uint32_t)w + 3 > x->v->mask + 1)
		return false;
	if (d == 1) {
		memset(base + a, (uint8_t)col, (size_t)w);
		return true;
	}
	for (int32_t i = 0; i < w; i += d)
		store_le(base + (d == 3 ? a + (uint32_t)i : (a + (uint32_t)i) & ~(d - 1u)), d, col);
	return true;
}

static void op_copy(const struct blt_ctx *x, uint32_t dst, uint32_t src, int32_t dpitch,
		    int32_t spitch, int32_t w, int32_t h)
{
	const struct cirrus_blt *b = x->b;
	unsigned n = b->op == CIRRUS_OP_COPY_TRANSP ? b->pixelwidth : 1;
	int32_t step = b->backwards ? -(int32_t)n : (int32_t)n;
	/* QEMU's backwards transparent 16 bpp addresses each pixel by its high byte. */
	uint32_t adj = b->backwards ? n - 1 : 0;

	if (!b->backwards) {
		dpitch -= w;
		spitch -= w;
		/* Forwards, a pitch below the width would overlap lines: QEMU copies nothing. */
		if (h > 1 && (dpitch < 0 || spitch < 0))
			return;
	} else {
		dpitch += w;
		spitch += w;
	}
	for (int32_t y = 0; y < h; y++) {
		if (b->op == CIRRUS_OP_COPY && row_inside(x, dst, src, w, b->backwards)) {
			row_rop(vram_at(x->v, dst), vram_at(x->v, src), w, step, b->rop);
			dst += (uint32_t)(step * w) + (uint32_t)dpitch;
			src += (uint32_t)(step * w) + (uint32_t)spitch;
			continue;
		}
		for (int32_t i = 0; i < w; i += n) {
			uint32_t s = src_n(x, src - adj, n);

			if (b->op == CIRRUS_OP_COPY_TRANSP) {
				put_transp(x, dst - adj, s, n);
			} else {
				uint8_t *p = vram_at(x->v, dst);

				*p = (uint8_t)rop_apply(b->rop, *p, s);
			}
			dst += (uint32_t)step;
			src += (uint32_t)step;
		}
		dst += (uint32_t)dpitch;
		src += (uint32_t)spitch;
	}
}

static void op_fill(const struct blt_ctx *x, uint32_t dst, int32_t dpitch, int32_t w, int32_t h)
{
	unsigned d = x->b->pixelwidth;

	for (int32_t y = 0; y < h; y++, dst += (uint32_t)dpitch) {
		if (fill_row_fast(x, dst, w, d))
			continue;
		for (int32_t i = 0; i < w; i += d)
			put_pixel(x, dst + (uint32_t)i, x->b->fgcol, d);
	}
}

/* 8x8 pixel pattern: 8, 16 or 32 bytes a row (24 bpp rows are 32 bytes, 8 pixels of 3). */
static void op_pattern(const struct blt_ctx *x, uint32_t dst, uint32_t src, int32_t dpitch,
		       int32_t w, int32_t h)
{
	unsigned d = x->b->pixelwidth;
	unsigned ppitch = d == 1 ? 8 : d == 2 ? 16 : 32;
	unsigned skip = d == 3 ? (x->c->gr[CIRRUS_GR_BLT_WMASK] & 0x1f)
			       : (x->c->gr[CIRRUS_GR_BLT_WMASK] & 0x07) * d;
	unsigned py = x->b->srcaddr & 7;

	for (int32_t y = 0; y < h; y++, dst += (uint32_t)dpitch, py = (py + 1) & 7) {
		uint32_t row = src + py * ppitch;
		unsigned px = skip;

		for (int32_t i = (int32_t)skip; i < w; i += d) {
			uint32_t col;

			if (d == 3) {
				/* QEMU starts px at the skip in bytes and steps it in pixels */
				col = src_n(x, row + px * 3, 1) |
				      src_n(x, row + px * 3 + 1, 1) << 8 |
				      src_n(x, row + px * 3 + 2, 1) << 16;
				px = (px + 1) & 7;
			} else {
				col = src_n(x, row + px, d);
				px = (px + d) & (ppitch - 1);
			}
			put_pixel(x, dst + (uint32_t)i, col, d);
		}
	}
}

/* Skip-left for colour expansion: QEMU takes GR2F bits 0-4 in bytes at 24 bpp for the
 * transparent forms, bits 0-2 in pixels otherwise. */
static void expand_skips(const struct blt_ctx *x, bool transp, unsigned *sskip, unsigned *dskip)
{
	unsigned d = x->b->pixelwidth;
	uint8_t wm = x->c->gr[CIRRUS_GR_BLT_WMASK];

	if (d == 3 && transp) {
		*dskip = wm & 0x1f;
		*sskip = *dskip / 3;
	} else {
		*sskip = wm & 0x07;
		*dskip = *sskip * d;
	}
}

/* 1 bpp source, bytes in sequence across lines (the source pitch is not used). */
static void op_expand(const struct blt_ctx *x, uint32_t dst, uint32_t src, int32_t dpitch,
		      int32_t w, int32_t h)
{
	const struct cirrus_blt *b = x->b;
	bool transp = b->op == CIRRUS_OP_EXPAND_TRANSP;
	bool inv = b->modeext & CIRRUS_BLTMODEEXT_COLOREXPINV;
	uint8_t bits_xor = transp && inv ? 0xff : 0;
	uint32_t tcol = inv ? b->bgcol : b->fgcol;
	unsigned d = b->pixelwidth, sskip, dskip;

	expand_skips(x, transp, &sskip, &dskip);
	for (int32_t y = 0; y < h; y++, dst += (uint32_t)dpitch) {
		unsigned mask = 0x80u >> sskip;
		uint8_t bits = (uint8_t)src_n(x, src++, 1) ^ bits_xor;

		for (int32_t i = (int32_t)dskip; i < w; i += d, mask >>= 1) {
			if (!(mask & 0xff)) {
				mask = 0x80;
				bits = (uint8_t)src_n(x, src++, 1) ^ bits_xor;
			}
			if (!transp)
				put_pixel(x, dst + (uint32_t)i, (bits & mask) ? b->fgcol : b->bgcol,
					  d);
			else if (bits & mask)
				put_pixel(x, dst + (uint32_t)i, tcol, d);
		}
	}
}

/* 8x8 1 bpp pattern: eight bytes, one a line, from the source address. */
static void op_pattern_expand(const struct blt_ctx *x, uint32_t dst, uint32_t src, int32_t dpitch,
			      int32_t w, int32_t h)
{
	const struct cirrus_blt *b = x->b;
	bool transp = b->op == CIRRUS_OP_PATTERN_EXPAND_TRANSP;
	bool inv = b->modeext & CIRRUS_BLTMODEEXT_COLOREXPINV;
	uint8_t bits_xor = transp && inv ? 0xff : 0;
	uint32_t tcol = inv ? b->bgcol : b->fgcol;
	unsigned d = b->pixelwidth, sskip, dskip, py = b->srcaddr & 7;

	expand_skips(x, transp, &sskip, &dskip);
	for (int32_t y = 0; y < h; y++, dst += (uint32_t)dpitch, py = (py + 1) & 7) {
		uint8_t bits = (uint8_t)src_n(x, src + py, 1) ^ bits_xor;
		/* 24 bpp skips past 7 pixels start "before" bit 7: QEMU shifts by a negative
		 * count there, which x86 reads as a zero bit; so do we. */
		int bitpos = 7 - (int)sskip;

		for (int32_t i = (int32_t)dskip; i < w; i += d, bitpos = (bitpos - 1) & 7) {
			bool bit = bitpos >= 0 && ((bits >> bitpos) & 1);

			if (!transp)
				put_pixel(x, dst + (uint32_t)i, bit ? b->fgcol : b->bgcol, d);
			else if (bit)
				put_pixel(x, dst + (uint32_t)i, tcol, d);
		}
	}
}

static void run_op(const struct blt_ctx *x, uint32_t dst, uint32_t src, int32_t dpitch,
		   int32_t spitch, int32_t w, int32_t h)
{
	switch (x->b->op) {
	case CIRRUS_OP_COPY:
	case CIRRUS_OP_COPY_TRANSP:
		op_copy(x, dst, src, dpitch, spitch, w, h);
		break;
	case CIRRUS_OP_EXPAND:
	case CIRRUS_OP_EXPAND_TRANSP:
		op_expand(x, dst, src, dpitch, w, h);
		break;
	case CIRRUS_OP_PATTERN:
		op_pattern(x, dst, src, dpitch, w, h);
		break;
	default:
		op_pattern_expand(x, dst, src, dpitch, w, h);
		break;
	}
}

/* The rows a blit may have written, as QEMU's cirrus_invalidate_region marks them. */
static void mark_rows(const struct blt_ctx *x, uint32_t dst, int32_t pitch, int32_t w, int32_t h)
{
	const struct cirrus_vram *v = x->v;

	if (!v->dirty)
		return;
	if (pitch < 0)
		dst -= (uint32_t)(w - 1);
	for (int32_t y = 0; y < h; y++, dst += (uint32_t)pitch) {
		uint32_t a = dst & v->mask, len = (uint32_t)w;

		if (len > v->mask + 1 - a) { /* wraps at the top of VRAM */
			v->dirty(v->dirty_opaque, 0, len - (v->mask + 1 - a));
			len = v->mask + 1 - a;
		}
		v->dirty(v->dirty_opaque, a, len);
	}
}

/* ---- bounds: QEMU's blit_region_is_unsafe / blit_is_unsafe ---- */

static bool region_unsafe(const struct cirrus_blt *b, const struct cirrus_vram *v, int32_t pitch,
			  uint32_t addr)
{
	int64_t span = (int64_t)(b->height - 1) * pitch;

	if (pitch == 0)
		return true; /* CVE-2016-9921 shape: a zero pitch divided by in QEMU 2.7 */
	if (pitch < 0)
		/* backwards: the lowest byte is addr + span - width + 1 (CVE-2017-2615) */
		return (int64_t)addr + span - b->width < -1 || addr >= v->size;
	return (int64_t)addr + span + b->width > v->size; /* CVE-2014-8106 */
}

static bool blt_unsafe(struct cirrus_blt *b, const struct cirrus_vram *v, bool dst_only)
{
	bool bad = b->width > CIRRUS_BLTBUFSIZE || region_unsafe(b, v, b->dstpitch, b->dstaddr) ||
		   (!dst_only && region_unsafe(b, v, b->srcpitch, b->srcaddr));

	if (bad) {
		b->refused++;
		guest_err("cirrus-vga",
			  "blit refused: %dx%d bytes dst %#x pitch %d src %#x pitch %d mode %#x",
			  b->width, b->height, b->dstaddr, b->dstpitch, b->srcaddr, b->srcpitch,
			  b->mode);
	}
	return bad;
}

/* ---- starting, feeding and ending a blit ---- */

void cirrus_blt_reset(struct cirrus_blt *b, struct cirrus_regs *c)
{
	c->gr[CIRRUS_GR_BLT_STATUS] &= ~(CIRRUS_BLT_START | CIRRUS_BLT_BUSY | CIRRUS_BLT_FIFOUSED);
	b->buf_pos = b->buf_end = 0;
	b->srccounter = 0;
}

bool cirrus_blt_wants_data(const struct cirrus_blt *b)
{
	return b->buf_pos < b->buf_end;
}

/* FG/BG: byte 0 from the GR0/GR1 shadows, bytes 1-3 from GR10-GR15 (TRM "BLT Colour"). */
static void latch_colours(struct cirrus_blt *b, const struct cirrus_regs *c)
{
	uint32_t fg = c->shadow_gr1, bg = c->shadow_gr0;

	for (unsigned i = 1; i < b->pixelwidth; i++) {
		fg |= (uint32_t)c->gr[0x11 + 2 * (i - 1)] << (8 * i);
		bg |= (uint32_t)c->gr[0x10 + 2 * (i - 1)] << (8 * i);
	}
	b->fgcol = fg;
	b->bgcol = bg;
}

static void latch(struct cirrus_blt *b, const struct cirrus_regs *c, const struct cirrus_vram *v)
{
	const uint8_t *gr = c->gr;

	b->width = (gr[0x20] | gr[0x21] << 8) + 1;
	b->height = (gr[0x22] | gr[0x23] << 8) + 1;
	b->dstpitch = gr[0x24] | gr[0x25] << 8;
	b->srcpitch = gr[0x26] | gr[0x27] << 8;
	b->dstaddr = (gr[0x28] | gr[0x29] << 8 | (uint32_t)gr[0x2a] << 16) & v->mask;
	b->srcaddr = (gr[0x2c] | gr[0x2d] << 8 | (uint32_t)gr[0x2e] << 16) & v->mask;
	b->mode = gr[CIRRUS_GR_BLT_MODE];
	b->modeext = gr[CIRRUS_GR_BLT_MODEEXT];
	b->rop = rop_index(gr[CIRRUS_GR_BLT_ROP]);
	b->pixelwidth = ((b->mode & CIRRUS_BLTMODE_PIXELWIDTH_MASK) >> 4) + 1;
	b->mode &= ~CIRRUS_BLTMODE_PIXELWIDTH_MASK;
	b->backwards = false;
	b->transp = gr[CIRRUS_GR_BLT_TRANSP] | (b->pixelwidth == 2 ? gr[0x35] << 8 : 0);
	latch_colours(b, c);
}

/* Which operation the mode bits choose (QEMU cirrus_bitblt_start); false: ignore. */
static bool choose_op(struct cirrus_blt *b)
{
	uint8_t m = b->mode & (CIRRUS_BLTMODE_COLOREXPAND | CIRRUS_BLTMODE_PATTERNCOPY);
	bool transp = b->mode & CIRRUS_BLTMODE_TRANSPARENTCOMP;

	if (m == CIRRUS_BLTMODE_COLOREXPAND) {
		b->op = transp ? CIRRUS_OP_EXPAND_TRANSP : CIRRUS_OP_EXPAND;
		return true;
	}
	if (m) {
		b->op = !(m & CIRRUS_BLTMODE_COLOREXPAND) ? CIRRUS_OP_PATTERN
			: transp			  ? CIRRUS_OP_PATTERN_EXPAND_TRANSP
							  : CIRRUS_OP_PATTERN_EXPAND;
		return true;
	}
	if (transp && b->pixelwidth > 2) {
		guest_err("cirrus-vga", "transparent copy at %u bytes a pixel ignored",
			  b->pixelwidth);
		return false;
	}
	b->op = transp ? CIRRUS_OP_COPY_TRANSP : CIRRUS_OP_COPY;
	if (b->mode & CIRRUS_BLTMODE_BACKWARDS) {
		b->backwards = true;
		b->dstpitch = -b->dstpitch;
		b->srcpitch = -b->srcpitch;
	}
	return true;
}

/* Pattern copy: from VRAM the pattern is aligned to its size (CVE-2017-7980: and must
 * lie inside VRAM); from the CPU it is the buffer. */
static bool pattern_copy(struct cirrus_blt *b, const struct cirrus_regs *c,
			 const struct cirrus_vram *v, bool cpu_src)
{
	struct blt_ctx x = { b, c, v, cpu_src };

	if (!cpu_src) {
		unsigned bpp = cirrus_bpp(c);
		uint32_t size = bpp == 8 ? 64 : bpp == 15 || bpp == 16 ? 128 : 256;

		b->srcaddr &= ~(size - 1);
		if ((uint64_t)b->srcaddr + size > v->size) {
			b->refused++;
			return false;
		}
	}
	if (blt_unsafe(b, v, true))
		return false;
	run_op(&x, b->dstaddr, cpu_src ? 0 : b->srcaddr, b->dstpitch, 0, b->width, b->height);
	mark_rows(&x, b->dstaddr, b->dstpitch, b->width, b->height);
	return true;
}

static bool video_to_video(struct cirrus_blt *b, const struct cirrus_regs *c,
			   const struct cirrus_vram *v)
{
	struct blt_ctx x = { b, c, v, false };

	if (b->mode & CIRRUS_BLTMODE_PATTERNCOPY)
		return pattern_copy(b, c, v, false);
	if (blt_unsafe(b, v, false))
		return false;
	/* QEMU's cirrus_do_copy: a plain source copy in a VGA (below 8 bpp) mode is dropped
	 * (its display shortcut divided by the depth: CVE-2016-9922). */
	if (b->op == CIRRUS_OP_COPY && b->rop == SRC_INDEX && cirrus_bpp(c) / 8 == 0)
		return false;
	run_op(&x, b->dstaddr, b->srcaddr, b->dstpitch, b->srcpitch, b->width, b->height);
	mark_rows(&x, b->dstaddr, b->dstpitch, b->width, b->height);
	return true;
}

/* System-to-video: the destination is checked before any data is taken (CVE-2017-2620);
 * then one line (or the whole pattern) is collected at a time. */
static bool cpu_to_video(struct cirrus_blt *b, const struct cirrus_vram *v)
{
	if (blt_unsafe(b, v, true))
		return false;
	b->mode &= ~CIRRUS_BLTMODE_MEMSYSSRC;
	if (b->mode & CIRRUS_BLTMODE_PATTERNCOPY) {
		b->srcpitch = (b->mode & CIRRUS_BLTMODE_COLOREXPAND) ? 8 : 8 * 8 * b->pixelwidth;
		b->srccounter = (uint32_t)b->srcpitch;
	} else {
		if (b->mode & CIRRUS_BLTMODE_COLOREXPAND) {
			int32_t w = b->width / b->pixelwidth;

			/* QEMU counts dword granularity in dwords, not bytes */
			b->srcpitch = (b->modeext & CIRRUS_BLTMODEEXT_DWORDGRANULARITY)
					  ? (w + 31) >> 5
					  : (w + 7) >> 3;
		} else {
			b->srcpitch = (b->width + 3) & ~3; /* lines padded to 32 bits */
		}
		b->srccounter = (uint32_t)b->srcpitch * (uint32_t)b->height;
	}
	b->buf_pos = 0;
	b->buf_end = (uint32_t)b->srcpitch; /* <= CIRRUS_BLTBUFSIZE: width was checked */
	return true;
}

void cirrus_blt_start(struct cirrus_blt *b, struct cirrus_regs *c, const struct cirrus_vram *v,
		      bool blitter)
{
	struct blt_ctx x = { b, c, v, false };
	uint8_t both = CIRRUS_BLTMODE_MEMSYSSRC | CIRRUS_BLTMODE_MEMSYSDEST;
	uint8_t fill_mask = CIRRUS_BLTMODE_MEMSYSDEST | CIRRUS_BLTMODE_TRANSPARENTCOMP |
			    CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND;

	if (!blitter)
		goto ignore;
	c->gr[CIRRUS_GR_BLT_STATUS] |= CIRRUS_BLT_BUSY;
	latch(b, c, v);
	if ((b->mode & both) == both)
		goto ignore; /* system-to-system */
	if ((b->modeext & CIRRUS_BLTMODEEXT_SOLIDFILL) &&
	    (b->mode & fill_mask) == (CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND)) {
		/* As QEMU: a refused fill leaves the engine busy until the guest resets it. */
		if (blt_unsafe(b, v, true))
			return;
		op_fill(&x, b->dstaddr, b->dstpitch, b->width, b->height);
		mark_rows(&x, b->dstaddr, b->dstpitch, b->width, b->height);
		goto ignore;
	}
	if (!choose_op(b))
		goto ignore;
	if (b->mode & CIRRUS_BLTMODE_MEMSYSSRC) {
		if (cpu_to_video(b, v))
			return;
		goto ignore;
	}
	/* Video-to-system is not modelled (QEMU ignores it too). Done or refused, a
	 * video-to-video blit leaves the engine idle. */
	if (!(b->mode & CIRRUS_BLTMODE_MEMSYSDEST))
		video_to_video(b, c, v);
ignore:
	cirrus_blt_reset(b, c);
}

/* A full line (or pattern) arrived: blit it, then wait for the next. */
static void cpu_line(struct cirrus_blt *b, struct cirrus_regs *c, const struct cirrus_vram *v)
{
	struct blt_ctx x = { b, c, v, true };

	if (b->mode & CIRRUS_BLTMODE_PATTERNCOPY) {
		pattern_copy(b, c, v, true);
		cirrus_blt_reset(b, c);
		return;
	}
	run_op(&x, b->dstaddr, 0, 0, 0, b->width, 1);
	mark_rows(&x, b->dstaddr, 0, b->width, 1);
	b->dstaddr += (uint32_t)b->dstpitch;
	b->srccounter -= (uint32_t)b->srcpitch;
	if (b->srccounter == 0) {
		cirrus_blt_reset(b, c);
		return;
	}
	b->buf_pos = 0;
}

void cirrus_blt_data(struct cirrus_blt *b, struct cirrus_regs *c, const struct cirrus_vram *v,
		     uint8_t val)
{
	if (!cirrus_blt_wants_data(b))
		return;
	b->buf[b->buf_pos++] = val;
	if (b->buf_pos >= b->buf_end)
		cpu_line(b, c, v);
}
