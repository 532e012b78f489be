// SPDX-License-Identifier: GPL-2.0-only
/*
 * cirrus-vga: the PCI device libxl's default display is (qemu-xen-golden
 * cfg b, argv "-device cirrus-vga,vgamem_mb=8" at 00:03.0): its config space
 * equal to qemu-xen's dump after the firmware assigned the BARs, the BAR
 * sizes QEMU 7.2 answers, the BARs and legacy ports through the bus, the
 * display (a linear 8/16/24/32 bpp mode drawn from VRAM, the hardware cursor
 * on top), state save/load through dm_state, and bad configurations.
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
#include "tests/unit/cirrus_screen_qemu_cases.h"
#include "tests/unit/dev_rig.h"

#define DEVFN PCI_DEVFN_(3)
#define PCI_DEVFN_(s) ((s) << 3)
#define LFB  0xf0000000u /* where hvmloader put them in golden run b */
#define MMIO 0xf3070000u
#define ROM  0xf3060000u

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *d;
};

static struct rig *rig_new(const char *spec)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, 248, 1, NULL, NULL);
	assert_int_equal(dev_rig_add(&r->m, spec, &r->d), 0);
	return r;
}

static void rig_free(struct rig *r)
{
	dev_rig_free(&r->m);
	free(r);
}

static void cfg_w(struct rig *r, unsigned reg, uint32_t v, unsigned size)
{
	bus_pci_write(r->m.bus, DEVFN, reg, v, size);
}

static uint32_t cfg_r(struct rig *r, unsigned reg, unsigned size)
{
	return bus_pci_read(r->m.bus, DEVFN, reg, size);
}

/* As hvmloader and SeaBIOS left them in golden run b. */
static void program_bars(struct rig *r)
{
	cfg_w(r, 0x10, LFB, 4);
	cfg_w(r, 0x14, MMIO, 4);
	cfg_w(r, 0x30, ROM, 4);
	cfg_w(r, 0x04, 0x0007, 2);
}

/* After the same BAR and command writes, all 256 bytes are qemu-xen's (pci-b.log 00:03.0). */
static void golden_config_b(void **state)
{
	struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");
	uint8_t want[256];

	(void)state;
	if (golden_log_dump("pci-b.log", DEVFN, want)) {
		rig_free(r);
		skip();
	}
	program_bars(r);
	for (unsigned i = 0; i < 256; i++)
		if (cfg_r(r, i, 1) != want[i])
			fail_msg("config byte %#x = %#x, qemu-xen %#x", i, cfg_r(r, i, 1), want[i]);
	rig_free(r);
}

/* BAR sizing as QEMU 7.2 answers it: 32 MiB prefetchable, 4 KiB, a 64 KiB ROM. */
static void bar_sizes(void **state)
{
	struct rig *r = rig_new("cirrus-vga,addr=3");

	(void)state;
	assert_int_equal(cfg_r(r, 0x00, 4), 0x00b81013);
	assert_int_equal(cfg_r(r, 0x08, 4), 0x03000000);
	assert_int_equal(cfg_r(r, 0x2c, 4), 0x11001af4);
	assert_int_equal(cfg_r(r, 0x3d, 1), 0); /* no interrupt pin */
	cfg_w(r, 0x10, 0xffffffff, 4);
	assert_int_equal(cfg_r(r, 0x10, 4), 0xfe000008);
	cfg_w(r, 0x14, 0xffffffff, 4);
	assert_int_equal(cfg_r(r, 0x14, 4), 0xfffff000);
	cfg_w(r, 0x30, 0xffffffff, 4);
	assert_int_equal(cfg_r(r, 0x30, 4), 0xffff0001);
	rig_free(r);
}

/* The ROM BAR holds SeaBIOS's vgabios-cirrus.bin: the 0x55aa signature. */
static void rom_is_the_vga_bios(void **state)
{
	struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");

	(void)state;
	program_bars(r);
	cfg_w(r, 0x30, ROM | 1, 4);
	assert_int_equal(bus_read(r->m.bus, BUS_MMIO, ROM, 2), 0xaa55);
	rig_free(r);
}

/* A missing ROM file is a start-up error; romfile= empty means no ROM BAR. */
static void rom_missing_and_none(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, 248, 1, NULL, NULL);
	assert_int_equal(dev_rig_add(&r->m, "cirrus-vga,romfile=/nonexistent/vgabios.bin,addr=3", NULL),
			 -ENOENT);
	assert_int_equal(dev_rig_add(&r->m, "cirrus-vga,vgamem_mb=2,addr=3", NULL), -EINVAL);
	assert_int_equal(dev_rig_add(&r->m, "cirrus-vga,vgamem_mb=32,addr=3", NULL), -EINVAL);
	assert_int_equal(dev_rig_add(&r->m, "cirrus-vga,romfile=,addr=3", &r->d), 0);
	cfg_w(r, 0x30, 0xffffffff, 4);
	assert_int_equal(cfg_r(r, 0x30, 4), 0);
	rig_free(r);
}

static void out8(struct rig *r, unsigned port, uint8_t v)
{
	bus_write(r->m.bus, BUS_PIO, port, v, 1);
}

static uint8_t in8(struct rig *r, unsigned port)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, port, 1);
}

static void idx_out(struct rig *r, unsigned port, uint8_t idx, uint8_t v)
{
	out8(r, port, idx);
	out8(r, port + 1, v);
}

/* Ports, the MMIO BAR's view of the same ports and the BLT registers, the linear window. */
static void bars_and_ports_through_the_bus(void **state)
{
	struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");

	(void)state;
	program_bars(r);
	out8(r, 0x3c4, 0x06);
	out8(r, 0x3c5, 0x12);
	assert_int_equal(in8(r, 0x3c5), 0x12);
	assert_int_equal(bus_read(r->m.bus, BUS_MMIO, MMIO + 0x04, 1), 0x06); /* 0x3c4 */
	bus_write(r->m.bus, BUS_MMIO, MMIO + 0x108, 0x12345678, 4);	       /* width, height */
	out8(r, 0x3ce, 0x20);
	assert_int_equal(in8(r, 0x3cf), 0x78);
	out8(r, 0x3ce, 0x23);
	assert_int_equal(in8(r, 0x3cf), 0x12 & 0x1f);
	bus_write(r->m.bus, BUS_MMIO, LFB + 0x1234, 0xdeadbeef, 4);
	assert_int_equal(bus_read(r->m.bus, BUS_MMIO, LFB + 0x1234, 4), 0xdeadbeef);
	assert_int_equal(bus_read(r->m.bus, BUS_MMIO, LFB + 0x1000000, 1), 0xff); /* aperture */
	/* the banked window in an SVGA mode: GR9 = 1 (4 KiB units) */
	idx_out(r, 0x3c4, 0x07, 0x01);
	idx_out(r, 0x3ce, 0x09, 0x01);
	assert_int_equal(bus_read(r->m.bus, BUS_MMIO, 0xa0234, 4), 0xdeadbeef);
	rig_free(r);
}

/* 640x480 with the given SR7 (depth) and hidden DAC, graphics, display on. */
static void set_mode(struct rig *r, uint8_t sr7, uint8_t hdac, unsigned bytes_pp)
{
	out8(r, 0x3c2, 0x01);
	idx_out(r, 0x3d4, 0x11, 0x00);
	idx_out(r, 0x3d4, 0x01, 79);
	idx_out(r, 0x3d4, 0x12, 0xdf);
	idx_out(r, 0x3d4, 0x07, 0x02);
	idx_out(r, 0x3d4, 0x09, 0x00);
	idx_out(r, 0x3d4, 0x17, 0x03); /* no CGA/Hercules address wrapping */
	idx_out(r, 0x3d4, 0x13, (uint8_t)(640 * bytes_pp / 8));
	idx_out(r, 0x3d4, 0x1b, (uint8_t)(((640 * bytes_pp / 8) >> 4) & 0x10));
	idx_out(r, 0x3d4, 0x18, 0xff);
	idx_out(r, 0x3ce, 0x05, 0x40);
	idx_out(r, 0x3ce, 0x06, 0x01);
	idx_out(r, 0x3c4, 0x07, sr7);
	(void)in8(r, 0x3c8);
	for (int i = 0; i < 4; i++)
		(void)in8(r, 0x3c6);
	out8(r, 0x3c6, hdac);
	(void)in8(r, 0x3da);
	out8(r, 0x3c0, 0x20); /* attribute index with PAS: the display on */
}

#define rgb(r, g, b) ((uint32_t)(r) << 16 | (uint32_t)(g) << 8 | (uint32_t)(b))

/* Linear modes: each depth's pixel format, palette at 8 bpp, the surface size. */
static void display_linear_modes(void **state)
{
	static const struct {
		uint8_t sr7, hdac;
		unsigned bytes;
		uint32_t pixel;	  /* in VRAM, little-endian */
		uint32_t surface; /* 0x00RRGGBB as QEMU draws it */
	} modes[] = {
		{ 0x01, 0x00, 1, 0x05, rgb(0x80, 0x40, 0xff) },	  /* palette entry 5 */
		{ 0x07, 0x00, 2, 0x7c1f, rgb(0xf8, 0x00, 0xf8) }, /* 5-5-5 */
		/* 5-6-5, widened as QEMU's shared display shows it (no cursor) */
		{ 0x07, 0x01, 2, 0xf81f, rgb(0xff, 0x00, 0xff) },
		{ 0x07, 0x01, 2, 0x07e0, rgb(0x00, 0xff, 0x00) },
		{ 0x05, 0x00, 3, 0x123456, rgb(0x12, 0x34, 0x56) },
		{ 0x09, 0x00, 4, 0x00abcdef, rgb(0xab, 0xcd, 0xef) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");
		struct display_surface s;
		struct display_dirty d;
		uint32_t at = 2 * 640 * modes[i].bytes + 7 * modes[i].bytes; /* (7, 2) */

		program_bars(r);
		set_mode(r, modes[i].sr7, modes[i].hdac, modes[i].bytes);
		out8(r, 0x3c8, 5);
		out8(r, 0x3c9, 0x20);
		out8(r, 0x3c9, 0x10);
		out8(r, 0x3c9, 0x3f);
		for (unsigned b = 0; b < modes[i].bytes; b++)
			bus_write(r->m.bus, BUS_MMIO, LFB + at + b, (modes[i].pixel >> (8 * b)) & 0xff,
				  1);
		assert_true(display_refresh(&r->m, true, &s, &d));
		assert_int_equal(s.width, 640);
		assert_int_equal(s.height, 480);
		if (s.pixels[2 * (s.stride / 4) + 7] != modes[i].surface)
			fail_msg("mode %zu: pixel %#x, want %#x", i, s.pixels[2 * (s.stride / 4) + 7],
				 modes[i].surface);
		assert_int_equal(s.pixels[2 * (s.stride / 4) + 8], 0);
		/* nothing changed: nothing to redraw */
		assert_true(display_refresh(&r->m, false, &s, &d));
		assert_int_equal(d.y0, d.y1);
		rig_free(r);
	}
}

/* The hardware cursor over the picture through the machine's display. */
static void display_cursor(void **state)
{
	struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");
	struct display_surface s;
	struct display_dirty d;
	uint32_t pat = (4u << 20) - 0x4000; /* SR13 = 0: the pattern at the top 16 KiB */

	(void)state;
	program_bars(r);
	set_mode(r, 0x09, 0, 4);
	for (unsigned l = 0; l < 32; l++) {
		bus_write(r->m.bus, BUS_MMIO, LFB + pat + l * 4, 0x80, 1);	 /* plane 0 */
		bus_write(r->m.bus, BUS_MMIO, LFB + pat + 128 + l * 4, 0x80, 1); /* plane 1 */
	}
	idx_out(r, 0x3c4, 0x12, 0x02); /* colour 15 through the hidden palette */
	out8(r, 0x3c8, 15);
	out8(r, 0x3c9, 0x3f);
	out8(r, 0x3c9, 0x00);
	out8(r, 0x3c9, 0x00);
	idx_out(r, 0x3c4, 0x12, 0x01);
	idx_out(r, 0x3c4, 0x10 | (3 << 5), 10); /* x = 83 */
	idx_out(r, 0x3c4, 0x11, 5);		/* y = 40 */
	assert_true(display_refresh(&r->m, true, &s, &d));
	assert_int_equal(s.pixels[40 * (s.stride / 4) + 83], rgb(0xff, 0, 0));
	assert_int_equal(s.pixels[40 * (s.stride / 4) + 84], 0);
	assert_int_equal(s.pixels[72 * (s.stride / 4) + 83], 0);
	/* moved: the old place shows the picture again, the rows are reported */
	idx_out(r, 0x3c4, 0x11, 6); /* y = 48 */
	assert_true(display_refresh(&r->m, false, &s, &d));
	assert_int_equal(s.pixels[40 * (s.stride / 4) + 83], 0);
	assert_int_equal(s.pixels[48 * (s.stride / 4) + 83], rgb(0xff, 0, 0));
	assert_true(d.y0 <= 40 && d.y1 >= 80);
	rig_free(r);
}

/* Save and load through dm_state: the registers come back; a forged section is refused. */
static void state_round_trip(void **state)
{
	struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");
	struct snap_wr w;

	(void)state;
	program_bars(r);
	set_mode(r, 0x09, 0x01, 4);
	idx_out(r, 0x3ce, 0x09, 0x21);
	idx_out(r, 0x3c4, 0x70, 0x44);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&r->m, &w), 0);
	idx_out(r, 0x3ce, 0x09, 0x00);
	idx_out(r, 0x3c4, 0x07, 0x00);
	assert_int_equal(dm_state_load(&r->m, w.buf, w.len), 0);
	out8(r, 0x3ce, 0x09);
	assert_int_equal(in8(r, 0x3cf), 0x21);
	out8(r, 0x3c4, 0x07);
	assert_int_equal(in8(r, 0x3c5), 0x09);
	out8(r, 0x3c4, 0x10);
	assert_int_equal(in8(r, 0x3c5), 0x44);
	assert_int_equal(bus_read(r->m.bus, BUS_MMIO, MMIO + 0x04, 1), 0x10);
	/* a forged register (the field: u8 name length, name, u8 type, u32 length, bytes):
	 * refused, nothing changes */
	for (size_t i = 1; i + 0x30 < w.len; i++)
		if (w.buf[i - 1] == 5 && !memcmp(&w.buf[i], "cl_gr", 5)) {
			w.buf[i + 5 + 1 + 4 + 0x21] = 0xff; /* GR21 beyond its 5 bits */
			break;
		}
	assert_int_not_equal(dm_state_load(&r->m, w.buf, w.len), 0);
	out8(r, 0x3ce, 0x09);
	assert_int_equal(in8(r, 0x3cf), 0x21);
	snap_wr_free(&w);
	rig_free(r);
}

static uint8_t vram_byte(uint32_t i)
{
	return (uint8_t)(i * 13 + (i >> 9) * 7 + (i >> 17));
}

/* FNV-1a of the PPM QEMU's screendump writes for the surface (P6, 8-bit RGB). */
static uint64_t ppm_hash(const struct display_surface *s, unsigned *len)
{
	char hdr[64];
	int n = snprintf(hdr, sizeof(hdr), "P6\n%u %u\n255\n", s->width, s->height);
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < n; i++)
		h = (h ^ (uint8_t)hdr[i]) * 0x100000001b3ull;
	for (unsigned y = 0; y < s->height; y++)
		for (unsigned x = 0; x < s->width; x++) {
			uint32_t p = s->pixels[y * (s->stride / 4) + x];

			h = (h ^ ((p >> 16) & 0xff)) * 0x100000001b3ull;
			h = (h ^ ((p >> 8) & 0xff)) * 0x100000001b3ull;
			h = (h ^ (p & 0xff)) * 0x100000001b3ull;
		}
	*len = (unsigned)n + s->width * s->height * 3;
	return h;
}

/* With $CIRRUS_PPM_DIR set, a differing screen is written there (screen-N.ppm) to compare. */
static void dump_ppm(const struct display_surface *s, size_t n)
{
	const char *dir = getenv("CIRRUS_PPM_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/screen-%zu.ppm", dir, n);
	f = fopen(path, "wb");
	if (!f)
		return;
	fprintf(f, "P6\n%u %u\n255\n", s->width, s->height);
	for (unsigned y = 0; y < s->height; y++)
		for (unsigned x = 0; x < s->width; x++) {
			uint32_t p = s->pixels[y * (s->stride / 4) + x];

			fputc((p >> 16) & 0xff, f);
			fputc((p >> 8) & 0xff, f);
			fputc(p & 0xff, f);
		}
	fclose(f);
}

/* Each recorded screen, pixel for pixel what QEMU 7.2's screendump wrote. */
static void qemu_screens(void **state)
{
	unsigned bad = 0;

	(void)state;
	for (size_t n = 0; n < sizeof(screen_cases) / sizeof(screen_cases[0]); n++) {
		const struct screen_case *k = &screen_cases[n];
		struct rig *r = rig_new("cirrus-vga,vgamem_mb=8,addr=3");
		struct display_surface s;
		struct display_dirty d;
		uint32_t top = (4u << 20) - 0x4000;
		unsigned len;
		uint64_t h;

		program_bars(r);
		for (uint32_t i = 0; i < k->nfill; i++)
			bus_write(r->m.bus, BUS_MMIO, LFB + i, vram_byte(i), 1);
		for (uint32_t i = 0; i < 0x4000; i++)
			bus_write(r->m.bus, BUS_MMIO, LFB + top + i, (uint8_t)(i * 29 + 3), 1);
		for (unsigned i = 0; i < k->nio; i++) {
			if (k->io[i].op == 'i')
				(void)in8(r, k->io[i].port);
			else
				out8(r, k->io[i].port, k->io[i].val);
		}
		assert_true(display_refresh(&r->m, true, &s, &d));
		h = ppm_hash(&s, &len);
		if (h != k->ppm || len != k->ppm_len) {
			dump_ppm(&s, n);
			print_message("screen \"%s\": %ux%u, differs from QEMU's\n", k->name, s.width,
				      s.height);
			bad++;
		}
		rig_free(r);
	}
	if (bad)
		fail_msg("%u screens differ", bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_config_b),
		cmocka_unit_test(bar_sizes),
		cmocka_unit_test(rom_is_the_vga_bios),
		cmocka_unit_test(rom_missing_and_none),
		cmocka_unit_test(bars_and_ports_through_the_bus),
		cmocka_unit_test(display_linear_modes),
		cmocka_unit_test(display_cursor),
		cmocka_unit_test(qemu_screens),
		cmocka_unit_test(state_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
