// SPDX-License-Identifier: GPL-2.0-only
/*
 * The standard VGA (hw/vga/stdvga.c, bochs_vbe.c): PCI identity equal to
 * qemu-xen's (shared/docs/qemu-xen-golden pci-a.log, 00:03.0), BAR sizes
 * from vgamem_mb as QEMU 7.2 rounds them, the option ROM, the Bochs VBE
 * clipping that keeps every guest-set size and offset inside VRAM
 * (CVE-2016-3712), and save/restore. Register answers and screendumps
 * equal to QEMU's are tests/suites/vga_qemu.py.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/display.h"
#include "dm/state.h"
#include "hw/vga/bochs_vbe.h"
#include "tests/unit/dev_rig.h"

#define VGA_DEVFN 0x18 /* 00:03.0 on xenfv, after the Xen platform device */
#define LFB	  0xf1000000u
#define MMIO	  0xf2050000u

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *vga;
};

static int rig_build_spec(struct rig *r, const char *spec)
{
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, 240, 1, NULL, NULL);
	return dev_rig_add(&r->m, spec, &r->vga);
}

static void rig_build(struct rig *r)
{
	assert_int_equal(rig_build_spec(r, "VGA,addr=3,vgamem_mb=16"), 0);
}

static uint32_t cfg_rd(struct rig *r, unsigned reg, unsigned size)
{
	return bus_pci_read(r->m.bus, VGA_DEVFN, reg, size);
}

static void cfg_wr(struct rig *r, unsigned reg, uint32_t val, unsigned size)
{
	bus_pci_write(r->m.bus, VGA_DEVFN, reg, val, size);
}

static uint64_t rd(struct rig *r, uint64_t addr, unsigned size)
{
	return bus_read(r->m.bus, BUS_MMIO, addr, size);
}

static void wr(struct rig *r, uint64_t addr, uint64_t val, unsigned size)
{
	bus_write(r->m.bus, BUS_MMIO, addr, val, size);
}

static void vbe(struct rig *r, uint16_t idx, uint16_t val)
{
	bus_write(r->m.bus, BUS_PIO, 0x1ce, idx, 2);
	bus_write(r->m.bus, BUS_PIO, 0x1cf, val, 2);
}

static uint16_t vbe_rd(struct rig *r, uint16_t idx)
{
	bus_write(r->m.bus, BUS_PIO, 0x1ce, idx, 2);
	return (uint16_t)bus_read(r->m.bus, BUS_PIO, 0x1cf, 2);
}

/* What hvmloader and SeaBIOS left in the golden run a (pci-a.log 00:03.0). */
static void firmware_setup(struct rig *r)
{
	cfg_wr(r, 0x10, LFB, 4);
	cfg_wr(r, 0x18, MMIO, 4);
	cfg_wr(r, 0x30, 0xf2040000, 4);
	cfg_wr(r, 0x04, 0x0007, 2);
}

/* The config space equals qemu-xen's byte for byte (runs a and a-unplug). */
static void golden_config_dump(void **state)
{
	static const char *const logs[] = { "pci-a.log", "pci-a-unplug.log" };
	uint8_t want[256];
	struct rig r;

	(void)state;
	for (size_t l = 0; l < sizeof(logs) / sizeof(logs[0]); l++) {
		if (golden_log_dump(logs[l], VGA_DEVFN, want))
			skip();
		rig_build(&r);
		firmware_setup(&r);
		for (unsigned reg = 0; reg < 256; reg++)
			if (cfg_rd(&r, reg, 1) != want[reg])
				fail_msg("%s: 00:03.0 config[%#04x] = %#04x, golden %#04x", logs[l],
					 reg, cfg_rd(&r, reg, 1), want[reg]);
		dev_rig_free(&r.m);
	}
}

/* BAR sizing as QEMU 7.2 answers it: 16 MiB prefetchable, 4 KiB, 64 KiB ROM. */
static void bar_sizes(void **state)
{
	static const struct {
		const char *spec;
		uint32_t bar0;
	} cases[] = {
		{ "VGA,addr=3", 0xff000008 },		    /* default 16 MiB */
		{ "VGA,addr=3,vgamem_mb=3", 0xffc00008 },   /* rounded up to 4 MiB */
		{ "VGA,addr=3,vgamem_mb=0", 0xfff00008 },   /* at least 1 MiB */
		{ "VGA,addr=3,vgamem_mb=600", 0xe0000008 }, /* at most 512 MiB */
	};
	struct rig r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rig_build_spec(&r, cases[i].spec), 0);
		cfg_wr(&r, 0x10, 0xffffffff, 4);
		assert_int_equal(cfg_rd(&r, 0x10, 4), cases[i].bar0);
		cfg_wr(&r, 0x18, 0xffffffff, 4);
		assert_int_equal(cfg_rd(&r, 0x18, 4), 0xfffff000);
		cfg_wr(&r, 0x30, 0xffffffff, 4);
		assert_int_equal(cfg_rd(&r, 0x30, 4), 0xffff0001);
		dev_rig_free(&r.m);
	}
	/* mmio=off: no BAR2; romfile= (empty): no ROM */
	assert_int_equal(rig_build_spec(&r, "VGA,addr=3,mmio=off,romfile="), 0);
	cfg_wr(&r, 0x18, 0xffffffff, 4);
	assert_int_equal(cfg_rd(&r, 0x18, 4), 0);
	cfg_wr(&r, 0x30, 0xffffffff, 4);
	assert_int_equal(cfg_rd(&r, 0x30, 4), 0);
	dev_rig_free(&r.m);
}

/* A missing VGA BIOS is a start-up error, not a ROM-less adapter. */
static void missing_rom_fails(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build_spec(&r, "VGA,addr=3,romfile=/nonexistent/vgabios.bin"),
			 -ENOENT);
	dev_rig_free(&r.m);
}

/* The ROM BAR reads the file, then zeros to the end of the 64 KiB. */
static void rom_contents(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r);
	firmware_setup(&r);
	cfg_wr(&r, 0x30, 0xf2040001, 4);
	assert_int_equal(rd(&r, 0xf2040000, 2), 0xaa55); /* an option ROM's signature */
	assert_int_equal(rd(&r, 0xf204fffc, 4), 0);
	wr(&r, 0xf2040000, 0, 2); /* read-only */
	assert_int_equal(rd(&r, 0xf2040000, 2), 0xaa55);
	dev_rig_free(&r.m);
}

/* The frame a VBE mode scans out never passes the end of VRAM (CVE-2016-3712). */
static void vbe_frame_inside_vram(struct rig *r, uint32_t vram)
{
	uint16_t bpp = vbe_rd(r, VBE_DISPI_INDEX_BPP);
	uint64_t bits = bpp == 15 ? 16 : bpp;
	uint64_t vw = vbe_rd(r, VBE_DISPI_INDEX_VIRT_WIDTH);
	uint64_t line = vw * bits / 8;
	uint64_t start = vbe_rd(r, VBE_DISPI_INDEX_Y_OFFSET) * line +
			 vbe_rd(r, VBE_DISPI_INDEX_X_OFFSET) * bits / 8;

	assert_true(vbe_rd(r, VBE_DISPI_INDEX_XRES) <= vw);
	assert_true(start + vbe_rd(r, VBE_DISPI_INDEX_YRES) * line <= vram);
}

static void vbe_limits(void **state)
{
	static const uint16_t bpps[] = { 4, 8, 15, 16, 24, 32 };
	struct rig r;
	uint32_t seed = 1;

	(void)state;
	rig_build(&r);
	vbe(&r, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
	for (unsigned i = 0; i < 4000; i++) {
		uint16_t idx, val;

		seed = seed * 1103515245 + 12345;
		idx = (uint16_t)((seed >> 16) % 10);
		val = (uint16_t)(seed >> 8);
		if (idx == VBE_DISPI_INDEX_ENABLE)
			continue;
		if (idx == VBE_DISPI_INDEX_BPP)
			val = bpps[val % 6];
		vbe(&r, idx, val);
		vbe_frame_inside_vram(&r, 16u << 20);
	}
	/* the corners: the largest width at 32 bpp leaves 262 lines of 16 MiB */
	vbe(&r, VBE_DISPI_INDEX_BPP, 32);
	vbe(&r, VBE_DISPI_INDEX_XRES, 0xffff);
	vbe(&r, VBE_DISPI_INDEX_YRES, 0xffff);
	assert_int_equal(vbe_rd(&r, VBE_DISPI_INDEX_XRES), 16000);
	assert_int_equal(vbe_rd(&r, VBE_DISPI_INDEX_YRES), (16u << 20) / (16000 * 4));
	assert_int_equal(vbe_rd(&r, VBE_DISPI_INDEX_VIRT_HEIGHT), (16u << 20) / (16000 * 4));
	vbe(&r, VBE_DISPI_INDEX_Y_OFFSET, 1);
	assert_int_equal(vbe_rd(&r, VBE_DISPI_INDEX_Y_OFFSET), 0); /* one line more does not fit */
	/* the bank masked to the 256 banks of 16 MiB */
	vbe(&r, VBE_DISPI_INDEX_BANK, 0xffff);
	assert_int_equal(vbe_rd(&r, VBE_DISPI_INDEX_BANK), 0xff);
	/* the banked window at its last byte lands on VRAM's last byte */
	wr(&r, 0xaffff, 0x5a, 1);
	cfg_wr(&r, 0x10, LFB, 4);
	cfg_wr(&r, 0x04, 0x0002, 2);
	assert_int_equal(rd(&r, LFB + (16u << 20) - 1, 1), 0x5a);
	dev_rig_free(&r.m);
}

/* Enabling clears YRES x line bytes, no more; NOCLEARMEM keeps VRAM. */
static void vbe_enable_clears_frame(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r);
	cfg_wr(&r, 0x10, LFB, 4);
	cfg_wr(&r, 0x04, 0x0002, 2);
	wr(&r, LFB, 0x11111111, 4);
	wr(&r, LFB + 64 * 64, 0x22222222, 4);
	vbe(&r, VBE_DISPI_INDEX_XRES, 64);
	vbe(&r, VBE_DISPI_INDEX_YRES, 64);
	vbe(&r, VBE_DISPI_INDEX_BPP, 8);
	vbe(&r, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
	assert_int_equal(rd(&r, LFB, 4), 0x11111111);
	vbe(&r, VBE_DISPI_INDEX_ENABLE, 0);
	vbe(&r, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
	assert_int_equal(rd(&r, LFB, 4), 0);
	assert_int_equal(rd(&r, LFB + 64 * 64, 4), 0x22222222);
	dev_rig_free(&r.m);
}

/* A VBE mode's picture: 32 bpp from the framebuffer BAR, panned by the X/Y offsets. */
static void vbe_render(void **state)
{
	struct display_surface s;
	struct display_dirty d;
	struct rig r;

	(void)state;
	rig_build(&r);
	cfg_wr(&r, 0x10, LFB, 4);
	cfg_wr(&r, 0x04, 0x0002, 2);
	vbe(&r, VBE_DISPI_INDEX_XRES, 640);
	vbe(&r, VBE_DISPI_INDEX_YRES, 480);
	vbe(&r, VBE_DISPI_INDEX_BPP, 32);
	vbe(&r, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
	bus_read(r.m.bus, BUS_PIO, 0x3da, 1);
	bus_write(r.m.bus, BUS_PIO, 0x3c0, 0x20, 1);
	vbe(&r, VBE_DISPI_INDEX_VIRT_WIDTH, 800);
	vbe(&r, VBE_DISPI_INDEX_X_OFFSET, 8);
	vbe(&r, VBE_DISPI_INDEX_Y_OFFSET, 2);
	wr(&r, LFB + (2 * 800 + 8) * 4, 0x00123456, 4);
	wr(&r, LFB + (3 * 800 + 9) * 4, 0xff654321, 4);
	assert_true(display_refresh(&r.m, false, &s, &d));
	assert_int_equal(s.width, 640);
	assert_int_equal(s.height, 480);
	assert_int_equal(s.pixels[0], 0x123456);
	assert_int_equal(s.pixels[640 + 1], 0x654321);
	/* one pixel written: only its line redrawn */
	wr(&r, LFB + (100 * 800 + 8) * 4, 0x0000ff, 4);
	assert_true(display_refresh(&r.m, false, &s, &d));
	assert_true(d.y0 <= 98 && d.y1 >= 99 && d.y1 - d.y0 <= 2);
	assert_int_equal(s.pixels[98 * 640], 0x0000ff);
	dev_rig_free(&r.m);
}

static void save_and_restore(void **state)
{
	struct snap_wr w;
	struct rig a, b;

	(void)state;
	rig_build(&a);
	firmware_setup(&a);
	vbe(&a, VBE_DISPI_INDEX_XRES, 1024);
	vbe(&a, VBE_DISPI_INDEX_YRES, 768);
	vbe(&a, VBE_DISPI_INDEX_BPP, 16);
	vbe(&a, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC);
	vbe(&a, VBE_DISPI_INDEX_BANK, 7);
	vbe(&a, VBE_DISPI_INDEX_Y_OFFSET, 5);
	bus_write(a.m.bus, BUS_PIO, 0x3c8, 9, 1);
	bus_write(a.m.bus, BUS_PIO, 0x3c9, 0x3f, 1);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);
	rig_build(&b);
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	for (uint16_t i = 0; i <= VBE_DISPI_INDEX_VIDEO_MEMORY_64K; i++)
		assert_int_equal(vbe_rd(&b, i), vbe_rd(&a, i));
	for (unsigned reg = 0; reg < 256; reg += 4)
		assert_int_equal(cfg_rd(&b, reg, 4), cfg_rd(&a, reg, 4));
	/* BAR2 where the guest put it, and the bank in the window */
	assert_int_equal(rd(&b, MMIO + 0x50a, 2), 7);
	wr(&b, 0xa0000, 0x77, 1);
	assert_int_equal(rd(&b, LFB + 7 * 0x10000, 1), 0x77);
	snap_wr_free(&w);
	dev_rig_free(&a.m);
	dev_rig_free(&b.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_config_dump), cmocka_unit_test(bar_sizes),
		cmocka_unit_test(missing_rom_fails),  cmocka_unit_test(rom_contents),
		cmocka_unit_test(vbe_limits),	      cmocka_unit_test(vbe_enable_clears_frame),
		cmocka_unit_test(vbe_render),	      cmocka_unit_test(save_and_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
