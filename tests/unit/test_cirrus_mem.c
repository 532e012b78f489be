// SPDX-License-Identifier: GPL-2.0-only
/*
 * cirrus_mem: the CLGD5446 memory decode (CL-GD5446 TRM chapter 4 "Memory
 * Mapping", GR9-GRB, write modes 4/5; chapter 10 memory-mapped BitBLT
 * registers), replayed against a session recorded from QEMU 7.2 through a
 * vga_adapter as cirrus-vga builds it: the banked window, x8/x16 addressing,
 * write modes 4/5 (and CVE-2017-18030's burst at the top of VRAM), the BLT
 * registers at 0xb8000, at the top of the linear window and in BAR1, a
 * system-to-video blit fed through the window and the linear window, the
 * linear window as VRAM itself; then the hardware cursor.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/display.h"
#include "hw/vga/cirrus_cursor.h"
#include "hw/vga/cirrus_mem.h"
#include "hw/vga/vga_adapter.h"
#include "tests/unit/cirrus_mem_qemu_session.h"

#define LFB  0xe0000000u
#define MMIO 0xe2000000u
#define MIB  (1u << 20)

struct rig {
	struct vga_adapter a;
	struct cirrus_chip k;
};

static struct rig *rig_new(void)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	assert_int_equal(vga_adapter_init(&r->a, NULL, "cirrus-test", 8 * MIB, &cfg,
					  &cirrus_adapter_ops, &r->k),
			 0);
	cirrus_chip_init(&r->k, &r->a, true);
	return r;
}

static void rig_free(struct rig *r)
{
	vga_adapter_fini(&r->a);
	free(r);
}

/* One byte at a guest-physical address, as the bus would route it. */
static uint8_t mem_rd(struct rig *r, uint32_t addr)
{
	uint8_t v;

	if (addr >= 0xa0000 && addr < 0xc0000) {
		if (r->a.ops->window_read(&r->a, addr - 0xa0000, &v))
			return v;
		return vga_mem_read(&r->a.regs, &r->a.mem, addr - 0xa0000);
	}
	if (addr >= LFB && addr - LFB < CIRRUS_BAR0_SIZE)
		return cirrus_bar0_read(&r->k, addr - LFB);
	if (addr >= MMIO && addr - MMIO < CIRRUS_MMIO_SIZE)
		return cirrus_mmio_read(&r->k, addr - MMIO);
	fail_msg("address %#x routed nowhere", addr);
	return 0;
}

static void mem_wr(struct rig *r, uint32_t addr, uint8_t val)
{
	if (addr >= 0xa0000 && addr < 0xc0000) {
		if (!r->a.ops->window_write(&r->a, addr - 0xa0000, val))
			vga_mem_write(&r->a.regs, &r->a.mem, addr - 0xa0000, val);
	} else if (addr >= LFB && addr - LFB < CIRRUS_BAR0_SIZE) {
		cirrus_bar0_write(&r->k, addr - LFB, val);
	} else if (addr >= MMIO && addr - MMIO < CIRRUS_MMIO_SIZE) {
		cirrus_mmio_write(&r->k, addr - MMIO, val);
	} else {
		fail_msg("address %#x routed nowhere", addr);
	}
}

static uint64_t fnv_lfb(struct rig *r, uint32_t off, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ cirrus_bar0_read(&r->k, off + i)) * 0x100000001b3ull;
	return h;
}

/* Every answer QEMU 7.2 gave, in order, and VRAM as QEMU left it. */
static void qemu_session(void **state)
{
	struct rig *r = rig_new();
	unsigned bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cirrus_mem_session) / sizeof(cirrus_mem_session[0]); i++) {
		const struct mem_io *io = &cirrus_mem_session[i];
		uint32_t got = 0;

		switch (io->op) {
		case 'o':
			vga_adapter_port_write(&r->a, io->addr - VGA_IO_BASE, (uint8_t)io->val);
			continue;
		case 'W':
			for (unsigned b = 0; b < io->n; b++)
				mem_wr(r, io->addr + b, (uint8_t)(io->val >> (8 * b)));
			continue;
		case 'i':
			got = vga_adapter_port_read(&r->a, io->addr - VGA_IO_BASE);
			break;
		default:
			for (unsigned b = 0; b < io->n; b++)
				got |= (uint32_t)mem_rd(r, io->addr + b) << (8 * b);
			break;
		}
		if (got != io->val) {
			print_message("row %zu: %c %#x/%u = %#x, QEMU %#x\n", i, io->op, io->addr,
				      io->n, got, io->val);
			bad++;
		}
	}
	if (fnv_lfb(r, 0, 0x20000) != cirrus_mem_low)
		print_message("VRAM [0, 128 KiB) differs\n"), bad++;
	if (fnv_lfb(r, 0x3f0000, 0x10000) != cirrus_mem_high)
		print_message("VRAM [0x3f0000, 4 MiB) differs\n"), bad++;
	if (fnv_lfb(r, 0x400000, 0x10000) != cirrus_mem_upper)
		print_message("VRAM [4 MiB, +64 KiB) differs\n"), bad++;
	if (bad)
		fail_msg("%u differences from QEMU", bad);
	rig_free(r);
}

static void gr(struct rig *r, uint8_t idx, uint8_t val)
{
	vga_adapter_port_write(&r->a, VGA_GFX_I, idx);
	vga_adapter_port_write(&r->a, VGA_GFX_D, val);
}

static void sr(struct rig *r, uint8_t idx, uint8_t val)
{
	vga_adapter_port_write(&r->a, VGA_SEQ_I, idx);
	vga_adapter_port_write(&r->a, VGA_SEQ_D, val);
}

/* CVE-2017-18030: write mode 4/5 bursts stay inside the 4 MiB, whatever the bank. */
static void write_mode_burst_stays_inside(void **state)
{
	struct rig *r = rig_new();
	uint8_t *copy = malloc(8 * MIB);

	(void)state;
	assert_non_null(copy);
	sr(r, 0x07, 0x01);
	gr(r, 0x00, 0x11);
	gr(r, 0x01, 0x22);
	gr(r, 0x05, 0x05);
	memcpy(copy, r->a.vram, 8 * MIB);
	/* every GRB with write modes 4/5 on (bit 2): the emulated path, reduced to 4 MiB */
	for (unsigned grb = 4; grb < 0x40; grb += 8)
		for (unsigned bank = 0xf0; bank < 0x100; bank++) {
			gr(r, 0x0b, (uint8_t)grb);
			gr(r, 0x09, (uint8_t)bank);
			for (uint32_t off = 0x7ff0; off < 0x8000; off++)
				mem_wr(r, 0xa0000 + off, 0xa5);
			mem_wr(r, LFB + 4 * MIB - 1, 0xff);
		}
	/* nothing at or past 4 MiB changed: the upper 4 MiB is outside what the chip decodes
	 * (only BAR0 as plain VRAM reaches it, as on QEMU) */
	assert_memory_equal(r->a.vram + 4 * MIB, copy + 4 * MIB, 4 * MIB);
	free(copy);
	rig_free(r);
}

/* The linear window is VRAM itself only while nothing needs the chip in between. */
static void linear_direct_conditions(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	assert_false(r->k.linear_mapped); /* reset: emulated until a decode register is written */
	gr(r, 0x05, 0x00);
	assert_true(r->k.linear_mapped);
	sr(r, 0x17, 0x64); /* BLT registers at the top of the window */
	assert_false(r->k.linear_mapped);
	sr(r, 0x17, 0x20);
	assert_true(r->k.linear_mapped);
	gr(r, 0x0b, 0x02); /* x8 */
	assert_false(r->k.linear_mapped);
	gr(r, 0x0b, 0x04); /* write modes 4/5 on, mode 5 */
	gr(r, 0x05, 0x05);
	assert_false(r->k.linear_mapped);
	gr(r, 0x05, 0x00);
	assert_true(r->k.linear_mapped);
	/* a system-to-video transfer waiting: emulated until its last byte */
	gr(r, 0x20, 3);
	gr(r, 0x22, 0);
	gr(r, 0x24, 64);
	gr(r, 0x30, 0x04);
	gr(r, 0x32, 0x0d);
	gr(r, 0x31, 0x02);
	assert_false(r->k.linear_mapped);
	for (int i = 0; i < 4; i++)
		cirrus_bar0_write(&r->k, CIRRUS_BLT_APERTURE, (uint8_t)i);
	assert_true(r->k.linear_mapped);
	assert_int_equal(r->a.vram[3], 3);
	rig_free(r);
}

/* Draw the 32x32 cursor at (x, y) with pattern bits from pat(line, plane). */
static void cursor_setup(struct rig *r, unsigned x, unsigned y)
{
	uint8_t *base = r->a.vram + 4 * MIB - 0x4000 + 2 * 256; /* SR13 = 2 */

	memset(base, 0, 256);
	for (unsigned l = 0; l < 32; l++) {
		base[l * 4] = 0xf0;	  /* plane 0: pixels 0-3 */
		base[128 + l * 4] = 0xcc; /* plane 1: pixels 0-1, 4-5 */
	}
	sr(r, 0x13, 2);
	vga_adapter_port_write(&r->a, VGA_SEQ_I, (uint8_t)(0x10 | (x & 7) << 5));
	vga_adapter_port_write(&r->a, VGA_SEQ_D, (uint8_t)(x >> 3));
	vga_adapter_port_write(&r->a, VGA_SEQ_I, (uint8_t)(0x11 | (y & 7) << 5));
	vga_adapter_port_write(&r->a, VGA_SEQ_D, (uint8_t)(y >> 3));
	/* cursor colours 0 and 15 through the hidden palette */
	sr(r, 0x12, CIRRUS_SR12_HIDDEN);
	vga_adapter_port_write(&r->a, VGA_PEL_IW, 0);
	for (unsigned i = 0; i < 3; i++)
		vga_adapter_port_write(&r->a, VGA_PEL_D, 0x3f);
	vga_adapter_port_write(&r->a, VGA_PEL_IW, 15);
	vga_adapter_port_write(&r->a, VGA_PEL_D, 0x10);
	vga_adapter_port_write(&r->a, VGA_PEL_D, 0x20);
	vga_adapter_port_write(&r->a, VGA_PEL_D, 0x01);
	sr(r, 0x12, CIRRUS_SR12_SHOW);
}

/* QEMU's vga_draw_cursor_line: (1,0) inverts, (0,1) colour 0, (1,1) colour 15, (0,0) shows
 * through; clipped at the right edge; undo puts the picture back exactly. */
static void cursor_draw_and_undo(void **state)
{
	struct rig *r = rig_new();
	enum { W = 100, H = 40 };
	static uint32_t px[W * H], orig[W * H];
	struct cirrus_cursor *cur = calloc(1, sizeof(*cur));
	struct display_dirty d = { 0, 0 };

	(void)state;
	assert_non_null(cur);
	for (unsigned i = 0; i < W * H; i++)
		orig[i] = px[i] = 0x00102030u + i;
	cursor_setup(r, 97, 20);
	cirrus_cursor_apply(cur, &r->k, px, W, H, &d);
	assert_int_equal(d.y0, 20);
	assert_int_equal(d.y1, 40);
	/* line 20: pixels 97, 98, 99 are cursor pixels 0, 1, 2: (b0,b1) = (1,1), (1,1), (1,0) */
	assert_int_equal(px[20 * W + 97], 0x4080u << 8 | 0x07); /* 0x10,0x20,0x01 in 8 bits */
	assert_int_equal(px[20 * W + 98], px[20 * W + 97]);
	assert_int_equal(px[20 * W + 99], orig[20 * W + 99] ^ 0xffffff);
	assert_int_equal(px[19 * W + 97], orig[19 * W + 97]);
	/* unchanged next time: nothing reported */
	cirrus_cursor_undo(cur, px, W, H);
	assert_memory_equal(px, orig, sizeof(px));
	d = (struct display_dirty){ 0, 0 };
	cirrus_cursor_apply(cur, &r->k, px, W, H, &d);
	assert_int_equal(d.y0, d.y1);
	/* moved: old and new rows */
	cirrus_cursor_undo(cur, px, W, H);
	cursor_setup(r, 0, 0);
	cirrus_cursor_apply(cur, &r->k, px, W, H, &d);
	assert_int_equal(d.y0, 0);
	assert_int_equal(d.y1, 40);
	assert_int_equal(px[4], 0xffffff); /* (0,1): colour 0, 6-bit 0x3f -> 0xff */
	/* hidden: the picture is back, the rows reported */
	cirrus_cursor_undo(cur, px, W, H);
	sr(r, 0x12, 0);
	d = (struct display_dirty){ 0, 0 };
	cirrus_cursor_apply(cur, &r->k, px, W, H, &d);
	assert_memory_equal(px, orig, sizeof(px));
	assert_int_equal(d.y0, 0);
	assert_int_equal(d.y1, 32);
	free(cur);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_session),
		cmocka_unit_test(write_mode_burst_stays_inside),
		cmocka_unit_test(linear_direct_conditions),
		cmocka_unit_test(cursor_draw_and_undo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
