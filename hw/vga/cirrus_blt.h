/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CLGD5446 BitBLT engine: video-to-video and system-to-video blits,
 * the 16 raster operations forwards and backwards, pattern copy, colour
 * expansion, transparency and solid fill, programmed through GR20-GR39
 * (struct cirrus_regs) and started by GR31.
 *
 * The engine touches VRAM only through struct cirrus_vram: every byte
 * address is reduced by mask (the 4 MiB the chip decodes), and mask + 1
 * never exceeds size, so no guest-programmed pitch, width, height or
 * address reaches outside the buffer; a blit the chip's own checks refuse
 * (QEMU's blit_is_unsafe) moves no byte at all.
 */
#ifndef HW_VGA_CIRRUS_BLT_H
#define HW_VGA_CIRRUS_BLT_H

#include <stdbool.h>
#include <stdint.h>

struct cirrus_regs;

/* One scan line of system-to-video data (QEMU's CIRRUS_BLTBUFSIZE): the widest blit. */
#define CIRRUS_BLTBUFSIZE (2048 * 4)

/* GR30, BLT mode. */
#define CIRRUS_BLTMODE_BACKWARDS       0x01
#define CIRRUS_BLTMODE_MEMSYSDEST      0x02
#define CIRRUS_BLTMODE_MEMSYSSRC       0x04
#define CIRRUS_BLTMODE_TRANSPARENTCOMP 0x08
#define CIRRUS_BLTMODE_PIXELWIDTH_MASK 0x30
#define CIRRUS_BLTMODE_PATTERNCOPY     0x40
#define CIRRUS_BLTMODE_COLOREXPAND     0x80

/* GR33, BLT mode extensions. */
#define CIRRUS_BLTMODEEXT_DWORDGRANULARITY 0x01
#define CIRRUS_BLTMODEEXT_COLOREXPINV	   0x02
#define CIRRUS_BLTMODEEXT_SOLIDFILL	   0x04

struct cirrus_vram {
	uint8_t *base;
	uint32_t size; /* bytes allocated: the bound a blit region is checked against */
	uint32_t mask; /* the chip's address mask; mask + 1 <= size, a power of two */
	/* Bytes [off, off + len) changed (may be NULL); off + len <= mask + 1. */
	void (*dirty)(void *opaque, uint32_t off, uint32_t len);
	void *dirty_opaque;
};

/* What a blit does with each destination pixel (QEMU's cirrus_rop choice). */
enum cirrus_blt_op {
	CIRRUS_OP_COPY,		 /* source bytes through the ROP, forwards or backwards */
	CIRRUS_OP_COPY_TRANSP,	 /* ... skipping results equal to the transparent colour */
	CIRRUS_OP_EXPAND,	 /* 1 bpp source: FG where 1, BG where 0 */
	CIRRUS_OP_EXPAND_TRANSP, /* 1 bpp source: FG (or BG, inverted) where 1 only */
	CIRRUS_OP_PATTERN,	 /* an 8x8 pixel pattern */
	CIRRUS_OP_PATTERN_EXPAND,
	CIRRUS_OP_PATTERN_EXPAND_TRANSP,
};

struct cirrus_blt {
	/* Latched from the registers when the blit starts. */
	enum cirrus_blt_op op;
	uint8_t rop;	    /* index 0-15 into the ROP table */
	uint8_t pixelwidth; /* 1-4 bytes */
	uint8_t mode, modeext, skip;
	bool backwards;
	uint16_t transp;
	int32_t width, height, dstpitch, srcpitch; /* width in bytes; pitches signed */
	uint32_t dstaddr, srcaddr, fgcol, bgcol;
	/* System-to-video: the CPU writes one source line (or the pattern) into buf. */
	uint32_t buf_pos, buf_end; /* buf_pos < buf_end while a transfer waits for data */
	uint32_t srccounter;	   /* source bytes still to come */
	uint8_t buf[CIRRUS_BLTBUFSIZE];
	uint64_t refused; /* blits the bounds checks refused (for tests and logs) */
};

/* GR31 went to START (or GR2A with autostart): run it, or set up the CPU transfer.
 * blitter false (the "blitter" property off): every blit is ignored. */
void cirrus_blt_start(struct cirrus_blt *b, struct cirrus_regs *c, const struct cirrus_vram *v,
		      bool blitter);
/* GR31 reset, a finished blit, a machine reset: no transfer pending, not busy. */
void cirrus_blt_reset(struct cirrus_blt *b, struct cirrus_regs *c);

/* A system-to-video transfer is waiting for bytes: CPU writes to the window go here. */
bool cirrus_blt_wants_data(const struct cirrus_blt *b);
void cirrus_blt_data(struct cirrus_blt *b, struct cirrus_regs *c, const struct cirrus_vram *v,
		     uint8_t val);

#endif
