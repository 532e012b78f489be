// SPDX-License-Identifier: GPL-2.0-only
/*
 * Planar VRAM through the legacy window (IBM VGA Technical Reference,
 * "Graphics Controller"; FreeVGA "VGA Memory Organization", "Graphics
 * Registers": Graphics Mode, Data Rotate, Bit Mask, Set/Reset, Color
 * Compare; "Sequencer Registers": Map Mask, Memory Mode).
 *
 * Which addressing applies is chosen as QEMU 7.2's vga_mem_readb/writeb
 * choose it: chain-4 by SR4 bit 3; else odd/even by GR5 bit 4 (the plane
 * from A0 and GR4 bit 1, the plane offset A >> 1); else the latched planar
 * path. As in QEMU, only the planar path loads the latches.
 *
 * Every guest address is checked against the window and the VRAM size
 * before a byte moves.
 */
#include "hw/vga/vga_mem.h"

#include <string.h>

#include "dm/state.h"
#include "hw/vga/vga_regs.h"

#define VGA_SR04_CHAIN4	   0x08
#define VGA_GR05_ODD_EVEN  0x10
#define VGA_GR05_READ1	   0x08
#define VGA_GR05_WMODE	   0x03
#define VGA_GR06_MAP_SHIFT 2

/* Four bits to four bytes of all ones: plane masks over a 32-bit latch word. */
static uint32_t expand4(unsigned bits)
{
	uint32_t v = 0;

	for (unsigned p = 0; p < 4; p++)
		if (bits & (1u << p))
			v |= 0xffu << (8 * p);
	return v;
}

static uint32_t dup4(uint8_t b)
{
	return b * 0x01010101u;
}

/* The window offset within the map GR6 selects, or -1 outside it (FreeVGA "Miscellaneous
 * Graphics Register": 0 128 KiB at A0000, 1 64 KiB at A0000, 2 32 KiB at B0000, 3 at B8000). */
static int64_t map_offset(const struct vga_regs *r, const struct vga_mem *m, uint32_t off)
{
	off &= VGA_MEM_WINDOW_SIZE - 1;
	switch ((r->gr[VGA_GFX_MISC] >> VGA_GR06_MAP_SHIFT) & 3) {
	case 0:
		return off;
	case 1:
		return off < 0x10000 ? (int64_t)off + m->bank_offset : -1;
	case 2:
		return off >= 0x10000 && off < 0x18000 ? (int64_t)off - 0x10000 : -1;
	default:
		return off >= 0x18000 ? (int64_t)off - 0x18000 : -1;
	}
}

static void mark(struct vga_mem *m, uint32_t off, uint32_t len)
{
	if (m->dirty)
		m->dirty(m->dirty_opaque, off, len);
}

static uint32_t load_word(const struct vga_mem *m, uint64_t a)
{
	uint32_t w;

	memcpy(&w, m->vram + a * 4, 4);
	return w;
}

/* Read mode 1: a 1 for each pixel whose planes, masked by colour don't care, equal
 * colour compare. */
static uint8_t colour_compare(const struct vga_regs *r, uint32_t latch)
{
	uint32_t diff =
	    (latch ^ expand4(r->gr[VGA_GFX_COMPARE_VALUE])) & expand4(r->gr[VGA_GFX_COMPARE_MASK]);

	diff |= diff >> 16;
	diff |= diff >> 8;
	return (uint8_t)~diff;
}

uint8_t vga_mem_read(const struct vga_regs *r, struct vga_mem *m, uint32_t off)
{
	int64_t a = map_offset(r, m, off);

	if (a < 0)
		return 0xff;
	if (vga_sr(r, VGA_SEQ_MEMORY_MODE) & VGA_SR04_CHAIN4)
		return (uint64_t)a < m->vram_size ? m->vram[a] : 0xff;
	if (r->gr[VGA_GFX_MODE] & VGA_GR05_ODD_EVEN) {
		uint64_t b = ((uint64_t)(a & ~1) << 1) | (r->gr[VGA_GFX_PLANE_READ] & 2) | (a & 1);

		return b < m->vram_size ? m->vram[b] : 0xff;
	}
	if ((uint64_t)a >= m->vram_size / 4)
		return 0xff;
	m->latch = load_word(m, a);
	if (r->gr[VGA_GFX_MODE] & VGA_GR05_READ1)
		return colour_compare(r, m->latch);
	return (uint8_t)(m->latch >> (8 * (r->gr[VGA_GFX_PLANE_READ] & 3)));
}

static uint8_t rotate(const struct vga_regs *r, uint8_t val)
{
	unsigned n = r->gr[VGA_GFX_DATA_ROTATE] & 7;

	return (uint8_t)(val >> n | val << ((8 - n) & 7));
}

/* The ALU (GR3 bits 3-4): replace, AND, OR, XOR with the latches. */
static uint32_t alu(const struct vga_regs *r, uint32_t val, uint32_t latch)
{
	switch (r->gr[VGA_GFX_DATA_ROTATE] >> 3) {
	case 1:
		return val & latch;
	case 2:
		return val | latch;
	case 3:
		return val ^ latch;
	default:
		return val;
	}
}

/* Write modes 0, 2, 3 (FreeVGA "Graphics Mode Register"): the four planes' new bytes. */
static uint32_t planar_value(const struct vga_regs *r, const struct vga_mem *m, uint8_t val)
{
	uint32_t v, sr_en, bit_mask = r->gr[VGA_GFX_BIT_MASK];

	switch (r->gr[VGA_GFX_MODE] & VGA_GR05_WMODE) {
	case 0:
		sr_en = expand4(r->gr[VGA_GFX_SR_ENABLE]);
		v = (dup4(rotate(r, val)) & ~sr_en) | (expand4(r->gr[VGA_GFX_SR_VALUE]) & sr_en);
		break;
	case 2:
		v = expand4(val & 0x0f);
		break;
	default: /* 3: the rotated byte ANDed with the bit mask; set/reset as colour */
		bit_mask &= rotate(r, val);
		v = expand4(r->gr[VGA_GFX_SR_VALUE]);
		break;
	}
	v = alu(r, v, m->latch);
	bit_mask = dup4((uint8_t)bit_mask);
	return (v & bit_mask) | (m->latch & ~bit_mask);
}

static void write_byte(struct vga_mem *m, uint64_t b, uint8_t val)
{
	if (b >= m->vram_size)
		return;
	m->vram[b] = val;
	mark(m, b, 1);
}

void vga_mem_write(const struct vga_regs *r, struct vga_mem *m, uint32_t off, uint8_t val)
{
	int64_t a = map_offset(r, m, off);
	uint8_t map_mask = vga_sr(r, VGA_SEQ_PLANE_WRITE);
	uint32_t v, keep, old;

	if (a < 0)
		return;
	if (vga_sr(r, VGA_SEQ_MEMORY_MODE) & VGA_SR04_CHAIN4) {
		if (map_mask & (1u << (a & 3)))
			write_byte(m, a, val);
		return;
	}
	if (r->gr[VGA_GFX_MODE] & VGA_GR05_ODD_EVEN) {
		unsigned plane = (r->gr[VGA_GFX_PLANE_READ] & 2) | (a & 1);

		if (map_mask & (1u << plane))
			write_byte(m, ((uint64_t)(a & ~1) << 1) | plane, val);
		return;
	}
	if ((uint64_t)a >= m->vram_size / 4)
		return;
	/* write mode 1 copies the latches; the others go through the ALU and bit mask */
	v = (r->gr[VGA_GFX_MODE] & VGA_GR05_WMODE) == 1 ? m->latch : planar_value(r, m, val);
	keep = ~expand4(map_mask);
	old = load_word(m, a);
	v = (old & keep) | (v & ~keep);
	memcpy(m->vram + a * 4, &v, 4);
	mark(m, a * 4, 4);
}

int vga_mem_save(const struct vga_mem *m, struct snap_wr *w)
{
	return snap_u32(w, "latch", m->latch);
}

/* Any 32-bit latch value is one a planar read can load: nothing to refuse but a bad field. */
int vga_mem_load(struct vga_mem *m, struct snap_rd *r)
{
	uint32_t latch;
	int ret = snap_get_u32(r, "latch", &latch);

	if (ret)
		return ret;
	m->latch = latch;
	return 0;
}
