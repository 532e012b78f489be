/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VGA core's memory window 0xa0000-0xbffff: planar VRAM behind the
 * sequencer and graphics controller (write modes 0-3, read modes 0-1,
 * latches, map mask, bit mask, set/reset, rotate/function, chain-4,
 * odd/even), selected by the memory map field GR6 bits 2-3.
 *
 * VRAM layout as QEMU's: the four planes are interleaved, plane p of
 * planar address a at byte a * 4 + p, so chain-4 addresses are plain byte
 * offsets and the renderer reads what QEMU's reads.
 */
#ifndef HW_VGA_VGA_MEM_H
#define HW_VGA_VGA_MEM_H

#include <stdint.h>

struct vga_regs;
struct snap_wr;
struct snap_rd;

#define VGA_MEM_WINDOW_SIZE 0x20000 /* 0xa0000-0xbffff */

struct vga_mem {
	uint8_t *vram;
	uint32_t vram_size;   /* bytes; a multiple of 4 */
	uint32_t bank_offset; /* added in the 64 KiB map (GR6 map 1), for banked SVGA */
	uint32_t latch;	      /* plane p in bits 8p..8p+7 */
	/* Called with the VRAM bytes a write changed (may be NULL). */
	void (*dirty)(void *opaque, uint32_t off, uint32_t len);
	void *dirty_opaque;
};

/* One byte at off from 0xa0000 (only the low 17 bits count). Outside the
 * selected map or past VRAM: 0xff / nothing written. */
uint8_t vga_mem_read(const struct vga_regs *r, struct vga_mem *m, uint32_t off);
void vga_mem_write(const struct vga_regs *r, struct vga_mem *m, uint32_t off, uint8_t val);

/* Save-state: the latches (VRAM itself is guest memory, saved with it). */
int vga_mem_save(const struct vga_mem *m, struct snap_wr *w);
__attribute__((warn_unused_result)) int vga_mem_load(struct vga_mem *m, struct snap_rd *r);

#endif
