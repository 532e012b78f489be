// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga_mem: planar VRAM through 0xa0000-0xbffff (IBM VGA Technical
 * Reference "Graphics Controller"; FreeVGA "Graphics Registers",
 * "Sequencer Registers", "VGA Memory Organization"), against a session
 * recorded from QEMU 7.2 and case by case.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/state.h"
#include "hw/vga/vga_mem.h"
#include "hw/vga/vga_regs.h"
#include "tests/unit/vga_mem_qemu_session.h"

#define VRAM_SIZE      (256 * 1024) /* the IBM VGA's 256 KiB: four 64 KiB planes */
#define QEMU_VRAM_SIZE (16u << 20)  /* QEMU's std VGA default, vgamem_mb=16 */

struct rig {
	struct vga_regs r;
	struct vga_mem m;
	uint8_t *vram;
	uint32_t dirty_lo, dirty_hi; /* union of the ranges reported */
};

static void on_dirty(void *opaque, uint32_t off, uint32_t len)
{
	struct rig *g = opaque;

	if (off < g->dirty_lo)
		g->dirty_lo = off;
	if (off + len > g->dirty_hi)
		g->dirty_hi = off + len;
}

static struct rig *rig_new(uint32_t vram_size)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	struct rig *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	g->vram = calloc(1, vram_size);
	assert_non_null(g->vram);
	vga_regs_init(&g->r, &cfg);
	g->m.vram = g->vram;
	g->m.vram_size = vram_size;
	g->m.dirty = on_dirty;
	g->m.dirty_opaque = g;
	g->dirty_lo = UINT32_MAX;
	return g;
}

static void rig_free(struct rig *g)
{
	free(g->vram);
	free(g);
}

static void gr(struct rig *g, uint8_t idx, uint8_t val)
{
	vga_regs_write(&g->r, VGA_GFX_I, idx);
	vga_regs_write(&g->r, VGA_GFX_D, val);
}

static void sr(struct rig *g, uint8_t idx, uint8_t val)
{
	vga_regs_write(&g->r, VGA_SEQ_I, idx);
	vga_regs_write(&g->r, VGA_SEQ_D, val);
}

static uint8_t mrd(struct rig *g, uint32_t phys)
{
	return vga_mem_read(&g->r, &g->m, phys - 0xa0000);
}

static void mwr(struct rig *g, uint32_t phys, uint8_t val)
{
	vga_mem_write(&g->r, &g->m, phys - 0xa0000, val);
}

/* Every byte QEMU 7.2 read back, in order. */
static void qemu_session(void **state)
{
	struct rig *g = rig_new(QEMU_VRAM_SIZE);

	(void)state;
	for (size_t i = 0; i < sizeof(qemu_vram_session) / sizeof(qemu_vram_session[0]); i++) {
		const struct qemu_mem_io *io = &qemu_vram_session[i];
		uint8_t got;

		switch (io->op) {
		case 'o':
			vga_regs_write(&g->r, io->addr - VGA_IO_BASE, io->val);
			continue;
		case 'W':
			mwr(g, io->addr, io->val);
			continue;
		case 'i':
			got = vga_regs_read(&g->r, io->addr - VGA_IO_BASE);
			break;
		default:
			got = mrd(g, io->addr);
			break;
		}
		if (got != io->val)
			fail_msg("row %zu: %c %#x = %#x, QEMU %#x", i, io->op, io->addr, got,
				 io->val);
	}
	rig_free(g);
}

static uint8_t plane(struct rig *g, uint32_t a, unsigned p)
{
	return g->vram[a * 4 + p];
}

/* Write mode 0: rotate (GR3 0-2), set/reset per plane where enabled (GR0/GR1), the ALU
 * (GR3 3-4) with the latches, bit mask (GR8), map mask (SR2). */
static void write_mode0(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);

	(void)state;
	gr(g, VGA_GFX_MISC, 0x05); /* graphics, map 1: A0000 64 KiB */
	sr(g, VGA_SEQ_PLANE_WRITE, 0x0f);
	gr(g, VGA_GFX_BIT_MASK, 0xff);
	gr(g, VGA_GFX_DATA_ROTATE, 0x02); /* rotate right by 2 */
	gr(g, VGA_GFX_SR_ENABLE, 0x02);
	gr(g, VGA_GFX_SR_VALUE, 0x0f);
	mwr(g, 0xa0100, 0x81); /* 0x81 ror 2 = 0x60 */
	assert_int_equal(plane(g, 0x100, 0), 0x60);
	assert_int_equal(plane(g, 0x100, 1), 0xff); /* set/reset */
	assert_int_equal(plane(g, 0x100, 2), 0x60);
	assert_int_equal(plane(g, 0x100, 3), 0x60);
	assert_int_equal(g->dirty_lo, 0x400);
	assert_int_equal(g->dirty_hi, 0x404);

	/* latches loaded by a read, then XOR through a bit mask of 0xf0, planes 0 and 2 */
	(void)mrd(g, 0xa0100);
	gr(g, VGA_GFX_SR_ENABLE, 0);
	gr(g, VGA_GFX_DATA_ROTATE, 0x18);
	gr(g, VGA_GFX_BIT_MASK, 0xf0);
	sr(g, VGA_SEQ_PLANE_WRITE, 0x05);
	mwr(g, 0xa0100, 0xff);
	assert_int_equal(plane(g, 0x100, 0), 0x90); /* (0x60 ^ 0xff) & 0xf0 | 0x60 & 0x0f */
	assert_int_equal(plane(g, 0x100, 1), 0xff); /* not in the map mask */
	assert_int_equal(plane(g, 0x100, 2), 0x90);
	/* AND and OR */
	(void)mrd(g, 0xa0100);
	gr(g, VGA_GFX_DATA_ROTATE, 0x08);
	gr(g, VGA_GFX_BIT_MASK, 0xff);
	mwr(g, 0xa0100, 0x3c);
	assert_int_equal(plane(g, 0x100, 0), 0x10);
	(void)mrd(g, 0xa0100);
	gr(g, VGA_GFX_DATA_ROTATE, 0x10);
	mwr(g, 0xa0100, 0x03);
	assert_int_equal(plane(g, 0x100, 0), 0x13);
	rig_free(g);
}

/* Write mode 1 copies the latches; 2 writes the low nibble's bits as whole planes; 3 uses
 * set/reset as colour and the rotated byte AND bit mask as the mask. */
static void write_modes_1_2_3(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);

	(void)state;
	sr(g, VGA_SEQ_PLANE_WRITE, 0x0f);
	gr(g, VGA_GFX_BIT_MASK, 0xff);
	memcpy(&g->vram[0x10 * 4], "\x11\x22\x33\x44", 4);
	(void)mrd(g, 0xa0010);
	gr(g, VGA_GFX_MODE, 0x01);
	gr(g, VGA_GFX_BIT_MASK, 0x00); /* write mode 1 ignores it */
	mwr(g, 0xa0020, 0x00);
	assert_memory_equal(&g->vram[0x20 * 4], "\x11\x22\x33\x44", 4);

	gr(g, VGA_GFX_MODE, 0x02);
	gr(g, VGA_GFX_BIT_MASK, 0x0f);
	(void)mrd(g, 0xa0010); /* the read mode is 0 whatever the write mode */
	mwr(g, 0xa0030, 0x05);
	assert_memory_equal(&g->vram[0x30 * 4], "\x1f\x20\x3f\x40", 4);

	gr(g, VGA_GFX_MODE, 0x03);
	gr(g, VGA_GFX_SR_VALUE, 0x0a);
	gr(g, VGA_GFX_BIT_MASK, 0x3c);
	gr(g, VGA_GFX_DATA_ROTATE, 0x04); /* 0xf0 ror 4 = 0x0f; & 0x3c = 0x0c */
	mwr(g, 0xa0040, 0xf0);
	assert_memory_equal(&g->vram[0x40 * 4], "\x11\x2e\x33\x4c", 4);
	rig_free(g);
}

/* Read mode 0 returns the plane GR4 selects; read mode 1 compares colours: a 1 per pixel
 * whose planes in colour don't care (GR7) equal colour compare (GR2). Both load latches. */
static void read_modes(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);

	(void)state;
	memcpy(&g->vram[0x50 * 4], "\xf0\xcc\xaa\x0f", 4);
	for (unsigned p = 0; p < 4; p++) {
		gr(g, VGA_GFX_PLANE_READ, p);
		assert_int_equal(mrd(g, 0xa0050), g->vram[0x50 * 4 + p]);
	}
	gr(g, VGA_GFX_MODE, 0x08);
	gr(g, VGA_GFX_COMPARE_VALUE, 0x07); /* planes 0-2 set, 3 clear */
	gr(g, VGA_GFX_COMPARE_MASK, 0x0f);
	/* pixel bit b has colour (p3 p2 p1 p0): only bit 7 (0 1 1 1)... from f0 cc aa 0f */
	assert_int_equal(mrd(g, 0xa0050), 0x80);
	gr(g, VGA_GFX_COMPARE_MASK, 0x01); /* only plane 0 counts */
	assert_int_equal(mrd(g, 0xa0050), 0xf0);
	gr(g, VGA_GFX_COMPARE_MASK, 0x00);
	assert_int_equal(mrd(g, 0xa0050), 0xff);
	assert_int_equal(g->m.latch, 0x0faaccf0);
	rig_free(g);
}

/* Chain-4 (SR4 bit 3): byte addresses, the plane is A0-1, gated by the map mask. */
static void chain4(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);

	(void)state;
	sr(g, VGA_SEQ_MEMORY_MODE, 0x0e);
	sr(g, VGA_SEQ_PLANE_WRITE, 0x0b);
	for (unsigned i = 0; i < 8; i++)
		mwr(g, 0xa1000 + i, 0x10 + i);
	assert_memory_equal(&g->vram[0x1000], "\x10\x11\x00\x13\x14\x15\x00\x17", 8);
	assert_int_equal(mrd(g, 0xa1003), 0x13);
	assert_int_equal(g->m.latch, 0); /* QEMU: chain-4 reads leave the latches */
	rig_free(g);
}

/* Odd/even (GR5 bit 4): A0 picks plane 0/1 (2/3 with GR4 bit 1), the plane offset is A >> 1
 * (QEMU's layout: character i at word i). */
static void odd_even(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);

	(void)state;
	gr(g, VGA_GFX_MODE, 0x10);
	gr(g, VGA_GFX_MISC, 0x0e); /* B8000 32 KiB, chain odd/even */
	sr(g, VGA_SEQ_PLANE_WRITE, 0x03);
	mwr(g, 0xb8000, 'A');
	mwr(g, 0xb8001, 0x07);
	mwr(g, 0xb8002, 'B');
	mwr(g, 0xb8003, 0x1f);
	assert_memory_equal(g->vram, "A\x07\0\0B\x1f\0\0", 8);
	gr(g, VGA_GFX_PLANE_READ, 2);
	mwr(g, 0xb8000, 0x55); /* plane 2 not in the map mask */
	assert_int_equal(g->vram[2], 0);
	sr(g, VGA_SEQ_PLANE_WRITE, 0x04);
	mwr(g, 0xb8000, 0x55);
	assert_int_equal(g->vram[2], 0x55);
	assert_int_equal(mrd(g, 0xb8000), 0x55);
	gr(g, VGA_GFX_PLANE_READ, 0);
	assert_int_equal(mrd(g, 0xb8003), 0x1f);
	rig_free(g);
}

/* GR6 bits 2-3: A0000 128 KiB, A0000 64 KiB (+ bank offset), B0000 32 KiB, B8000 32 KiB;
 * outside the selected map reads float and writes are lost. */
static void memory_maps(void **state)
{
	static const struct {
		uint8_t misc;
		uint32_t lo, hi; /* the map, physical */
	} maps[] = {
		{ 0x00, 0xa0000, 0xc0000 },
		{ 0x04, 0xa0000, 0xb0000 },
		{ 0x08, 0xb0000, 0xb8000 },
		{ 0x0c, 0xb8000, 0xc0000 },
	};
	static const uint32_t probes[] = { 0xa0000, 0xaffff, 0xb0000, 0xb7fff, 0xb8000, 0xbffff };

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		struct rig *g = rig_new(VRAM_SIZE);

		sr(g, VGA_SEQ_MEMORY_MODE, 0x08); /* chain-4: byte = offset in the map */
		sr(g, VGA_SEQ_PLANE_WRITE, 0x0f);
		gr(g, VGA_GFX_MISC, maps[i].misc);
		for (unsigned j = 0; j < 6; j++) {
			uint32_t a = probes[j];
			bool in = a >= maps[i].lo && a < maps[i].hi;

			mwr(g, a, 0x5a);
			assert_int_equal(mrd(g, a), in ? 0x5a : 0xff);
			if (in)
				assert_int_equal(g->vram[a - maps[i].lo], 0x5a);
		}
		rig_free(g);
	}
}

/* Hostile addresses: a VRAM smaller than the window, a bank offset past its end, offsets
 * with high bits set: nothing outside VRAM is read or written. */
static void bounds(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);

	(void)state;
	g->m.vram_size = 0x8000; /* the rig's buffer is bigger: bytes past 0x8000 are a canary */
	memset(&g->vram[0x8000], 0xcc, VRAM_SIZE - 0x8000);
	sr(g, VGA_SEQ_PLANE_WRITE, 0x0f);
	gr(g, VGA_GFX_BIT_MASK, 0xff);
	for (uint32_t a = 0x1ff0; a < 0x2010; a++) /* planar: 0x2000 words fit */
		mwr(g, 0xa0000 + a, 0x11);
	assert_int_equal(mrd(g, 0xa1fff), 0x11);
	assert_int_equal(mrd(g, 0xa2000), 0xff);
	sr(g, VGA_SEQ_MEMORY_MODE, 0x08);
	mwr(g, 0xa8000, 0x22);
	assert_int_equal(mrd(g, 0xa8000), 0xff);
	sr(g, VGA_SEQ_MEMORY_MODE, 0x00);
	gr(g, VGA_GFX_MODE, 0x10);
	mwr(g, 0xa4000, 0x33); /* odd/even: byte 0x8000 */
	assert_int_equal(mrd(g, 0xa4000), 0xff);
	gr(g, VGA_GFX_MODE, 0x00);
	gr(g, VGA_GFX_MISC, 0x04);
	g->m.bank_offset = UINT32_MAX - 4;
	mwr(g, 0xa0000, 0x44);
	assert_int_equal(mrd(g, 0xa0000), 0xff);
	vga_mem_write(&g->r, &g->m, UINT32_MAX, 0x55);
	(void)vga_mem_read(&g->r, &g->m, UINT32_MAX);
	for (uint32_t i = 0x8000; i < VRAM_SIZE; i++)
		if (g->vram[i] != 0xcc)
			fail_msg("byte %#x outside VRAM written", i);
	rig_free(g);
}

/* Save-state: the latches a planar read loaded come back, so a later write mode 1 copy
 * writes what it would have; a section without the field is refused and changes nothing. */
static void latch_save_load(void **state)
{
	struct rig *g = rig_new(VRAM_SIZE);
	struct snap_wr w;
	struct snap_rd r;
	const uint8_t *p;
	uint32_t len;

	(void)state;
	memcpy(&g->vram[0x60 * 4], "\x01\x02\x03\x04", 4);
	(void)mrd(g, 0xa0060);
	snap_wr_init(&w);
	assert_int_equal(snap_begin_dev(&w, "vga", 1), 0);
	assert_int_equal(vga_mem_save(&g->m, &w), 0);
	assert_int_equal(snap_end_dev(&w), 0);
	g->m.latch = 0;
	p = w.buf + 2 + w.buf[1] + 4; /* 'D' keylen key version */
	memcpy(&len, p, 4);
	snap_rd_init(&r, p + 4, len);
	assert_int_equal(vga_mem_load(&g->m, &r), 0);
	assert_int_equal(g->m.latch, 0x04030201);
	sr(g, VGA_SEQ_PLANE_WRITE, 0x0f);
	gr(g, VGA_GFX_MODE, 0x01);
	mwr(g, 0xa0070, 0);
	assert_memory_equal(&g->vram[0x70 * 4], "\x01\x02\x03\x04", 4);

	snap_rd_init(&r, p + 4, 3); /* truncated */
	g->m.latch = 0x55;
	assert_int_equal(vga_mem_load(&g->m, &r), -EINVAL);
	assert_int_equal(g->m.latch, 0x55);
	snap_wr_free(&w);
	rig_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_session),
		cmocka_unit_test(write_mode0),
		cmocka_unit_test(write_modes_1_2_3),
		cmocka_unit_test(read_modes),
		cmocka_unit_test(chain4),
		cmocka_unit_test(odd_even),
		cmocka_unit_test(memory_maps),
		cmocka_unit_test(bounds),
		cmocka_unit_test(latch_save_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
