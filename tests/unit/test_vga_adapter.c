// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga_adapter + vga_render: the shared adapter's ports and window through
 * the bus, the VRAM dirty map, and the scan-out of each VGA mode family
 * (FreeVGA "Attribute Controller", "Graphics Registers" shift control,
 * "CRT Controller Registers"; the pixel rules of QEMU 7.2's vga.c and
 * vga-helpers.h, which the screendump comparison with QEMU checks whole).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/bus.h"
#include "dm/display.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "hw/vga/vga_adapter.h"
#include "tests/unit/dev_rig.h"

#define VRAM (16u << 20)

struct rig {
	struct machine m;
	struct machine_opts o;
	struct vga_adapter a;
};

static struct rig *rig_new(void)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	struct rig *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	dev_rig_init(&g->m, &g->o, MACHINE_PC, 128, 1, NULL, NULL);
	g->m.loop = loop_new(true);
	assert_non_null(g->m.loop);
	assert_int_equal(vga_adapter_init(&g->a, &g->m, "vga-test", VRAM, &cfg, NULL, NULL), 0);
	assert_int_equal(vga_adapter_map_legacy(&g->a), 0);
	return g;
}

static void rig_free(struct rig *g)
{
	vga_adapter_fini(&g->a);
	dev_rig_free(&g->m);
	free(g);
}

static void outb(struct rig *g, uint16_t port, uint8_t v)
{
	bus_write(g->m.bus, BUS_PIO, port, v, 1);
}

static uint8_t inb(struct rig *g, uint16_t port)
{
	return (uint8_t)bus_read(g->m.bus, BUS_PIO, port, 1);
}

static void idx(struct rig *g, uint16_t port, uint8_t i, uint8_t v)
{
	outb(g, port, i);
	outb(g, port + 1, v);
}

static void att(struct rig *g, uint8_t i, uint8_t v)
{
	(void)inb(g, 0x3da);
	outb(g, 0x3c0, i);
	outb(g, 0x3c0, v);
}

static void dac(struct rig *g, uint8_t i, uint8_t r, uint8_t gr, uint8_t b)
{
	outb(g, 0x3c8, i);
	outb(g, 0x3c9, r);
	outb(g, 0x3c9, gr);
	outb(g, 0x3c9, b);
}

static void memb(struct rig *g, uint32_t addr, uint8_t v)
{
	bus_write(g->m.bus, BUS_MMIO, addr, v, 1);
}

static void refresh(struct rig *g, bool full, struct display_surface *s, struct display_dirty *d)
{
	assert_true(display_refresh(&g->m, full, s, d));
}

static uint32_t px(const struct display_surface *s, unsigned x, unsigned y)
{
	assert_true(x < s->width && y < s->height);
	return s->pixels[y * (s->stride / 4) + x];
}

/* Mode 13h as the VGA BIOS sets it (FreeVGA "Mode 13h"): 320x200, chain-4, double scan. */
static void mode13(struct rig *g)
{
	outb(g, 0x3c2, 0x63);
	idx(g, 0x3c4, 0x01, 0x01);
	idx(g, 0x3c4, 0x02, 0x0f);
	idx(g, 0x3c4, 0x04, 0x0e);
	idx(g, 0x3d4, 0x01, 0x4f); /* 80 character clocks: 640 dots */
	idx(g, 0x3d4, 0x07, 0x1f);
	idx(g, 0x3d4, 0x09, 0x41); /* two scan lines per row, line compare bit 9 */
	idx(g, 0x3d4, 0x12, 0x8f); /* 400 lines */
	idx(g, 0x3d4, 0x13, 0x28);
	idx(g, 0x3d4, 0x17, 0xa3);
	idx(g, 0x3d4, 0x18, 0xff);
	idx(g, 0x3ce, 0x05, 0x40);
	idx(g, 0x3ce, 0x06, 0x05);
	idx(g, 0x3ce, 0x08, 0xff);
	for (unsigned i = 0; i < 16; i++)
		att(g, (uint8_t)i, (uint8_t)i);
	att(g, 0x10, 0x41);
	att(g, 0x12, 0x0f);
	outb(g, 0x3c0, 0x20); /* PAS: the palette is the screen's again */
}

/* 80x25 text, 9x16 cells (mode 3). */
static void mode3(struct rig *g)
{
	outb(g, 0x3c2, 0x67);
	idx(g, 0x3c4, 0x01, 0x00);
	idx(g, 0x3c4, 0x03, 0x00);
	idx(g, 0x3c4, 0x04, 0x02);
	idx(g, 0x3d4, 0x01, 0x4f);
	idx(g, 0x3d4, 0x07, 0x1f);
	idx(g, 0x3d4, 0x09, 0x4f);
	idx(g, 0x3d4, 0x0a, 0x20); /* cursor off */
	idx(g, 0x3d4, 0x12, 0x8f);
	idx(g, 0x3d4, 0x13, 0x28);
	idx(g, 0x3d4, 0x17, 0xa3);
	idx(g, 0x3d4, 0x18, 0xff);
	idx(g, 0x3ce, 0x05, 0x10);
	idx(g, 0x3ce, 0x06, 0x0e);
	idx(g, 0x3ce, 0x08, 0xff);
	for (unsigned i = 0; i < 16; i++)
		att(g, (uint8_t)i, (uint8_t)i);
	att(g, 0x10, 0x08); /* blink enable, no line-graphics 9th column */
	att(g, 0x12, 0x0f);
	outb(g, 0x3c0, 0x20);
}

static void ports_decode_as_qemu(void **state)
{
	struct rig *g = rig_new();

	(void)state;
	assert_int_equal(inb(g, 0x3b0), 0xff); /* in the block, not decoded */
	assert_int_equal(inb(g, 0x3df), 0xff);
	idx(g, 0x3c4, 0x02, 0xff);
	assert_int_equal(inb(g, 0x3c5), 0x0f);
	/* a word write is index then data, as QEMU's portio splits it */
	bus_write(g->m.bus, BUS_PIO, 0x3ce, 0x0805 | 0xff00, 2);
	assert_int_equal(inb(g, 0x3cf), 0x7b);
	outb(g, 0x3c2, 0x01);
	idx(g, 0x3d4, 0x0c, 0x12);
	assert_int_equal(inb(g, 0x3d5), 0x12);
	assert_int_equal(inb(g, 0x3b5), 0xff);
	rig_free(g);
}

static void window_marks_pages(void **state)
{
	struct rig *g = rig_new();

	(void)state;
	idx(g, 0x3c4, 0x02, 0x0f);
	idx(g, 0x3c4, 0x04, 0x0e); /* chain-4 */
	vga_adapter_clear_dirty(&g->a);
	memb(g, 0xa0000 + 0x1234, 0x5a);
	assert_int_equal(g->a.vram[0x1234], 0x5a);
	assert_true(vga_adapter_dirty(&g->a, 0x1000, 1));
	assert_false(vga_adapter_dirty(&g->a, 0x0000, 0x1000));
	assert_false(vga_adapter_dirty(&g->a, 0x2000, VRAM - 0x2000));
	/* beyond VRAM: nothing, never a fault */
	assert_false(vga_adapter_dirty(&g->a, VRAM, 16));
	vga_adapter_mark(&g->a, VRAM - 1, 100);
	assert_true(vga_adapter_dirty(&g->a, VRAM - 4096, 4096));
	rig_free(g);
}

static void lfb_bounds(void **state)
{
	struct rig *g = rig_new();

	(void)state;
	vga_adapter_lfb_write(&g->a, VRAM - 4, 0x11223344, 4);
	assert_int_equal(vga_adapter_lfb_read(&g->a, VRAM - 4, 4), 0x11223344);
	vga_adapter_lfb_write(&g->a, VRAM - 2, 0xffffffff, 4); /* straddles the end: dropped */
	assert_int_equal(vga_adapter_lfb_read(&g->a, VRAM - 4, 4), 0x11223344);
	assert_true(vga_adapter_lfb_read(&g->a, VRAM - 2, 4) == ~0ull);
	assert_true(vga_adapter_lfb_read(&g->a, UINT64_MAX - 1, 4) == ~0ull);
	rig_free(g);
}

static void blank_until_pas(void **state)
{
	struct rig *g = rig_new();
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	refresh(g, false, &s, &d); /* power-on: PAS clear, nothing drawn yet */
	assert_int_equal(s.width, 0);
	mode13(g);
	refresh(g, false, &s, &d);
	assert_int_equal(s.width, 640);
	assert_int_equal(s.height, 400);
	rig_free(g);
}

static void mode13_pixels_and_dirty_rows(void **state)
{
	struct rig *g = rig_new();
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	mode13(g);
	dac(g, 1, 0x3f, 0x00, 0x00);
	dac(g, 2, 0x00, 0x20, 0x01);
	memb(g, 0xa0000 + 0, 1);
	memb(g, 0xa0000 + 320 * 199 + 319, 2);
	refresh(g, false, &s, &d);
	assert_int_equal(d.y0, 0);
	assert_int_equal(d.y1, 400);
	/* each byte two pixels wide, each line twice (CR9 scan lines) */
	assert_int_equal(px(&s, 0, 0), 0xff0000);
	assert_int_equal(px(&s, 1, 1), 0xff0000);
	assert_int_equal(px(&s, 2, 0), 0x000000);
	assert_int_equal(px(&s, 639, 399), 0x008007); /* c6_to_8: 0x20 -> 0x80, 0x01 -> 0x07 */
	/* nothing written: nothing redrawn */
	refresh(g, false, &s, &d);
	assert_int_equal(d.y0, d.y1);
	/* one byte on line 100: only the lines of its page (4 KiB = 12.8 source lines) */
	memb(g, 0xa0000 + 320 * 100, 1);
	refresh(g, false, &s, &d);
	assert_true(d.y0 <= 200 && d.y1 >= 202);
	assert_true(d.y1 - d.y0 <= 2 * 14 + 2);
	assert_int_equal(px(&s, 0, 200), 0xff0000);
	/* a palette change redraws every line */
	dac(g, 1, 0x00, 0x00, 0x3f);
	refresh(g, false, &s, &d);
	assert_int_equal(d.y1 - d.y0, 400);
	assert_int_equal(px(&s, 0, 0), 0x0000ff);
	rig_free(g);
}

static void planar16(void **state)
{
	struct rig *g = rig_new();
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	mode13(g);
	idx(g, 0x3c4, 0x04, 0x06); /* planar */
	idx(g, 0x3ce, 0x05, 0x00); /* shift control 0, write mode 0 */
	idx(g, 0x3d4, 0x09, 0x40); /* one scan line per row */
	idx(g, 0x3d4, 0x12, 0xdf);
	idx(g, 0x3d4, 0x07, 0x3e); /* 480 lines (VGA mode 12h) */
	dac(g, 5, 0x3f, 0x3f, 0x3f);
	att(g, 0x10, 0x01);
	outb(g, 0x3c0, 0x20);
	idx(g, 0x3c4, 0x02, 0x05); /* planes 0 and 2: colour 5 */
	memb(g, 0xa0000, 0x80);	   /* leftmost pixel of line 0 */
	refresh(g, false, &s, &d);
	assert_int_equal(s.width, 640);
	assert_int_equal(s.height, 480);
	assert_int_equal(px(&s, 0, 0), 0xffffff);
	assert_int_equal(px(&s, 1, 0), 0x000000);
	/* the colour plane enable register masks planes out */
	att(g, 0x12, 0x01);
	outb(g, 0x3c0, 0x20);
	refresh(g, true, &s, &d);
	assert_int_equal(px(&s, 0, 0), 0x000000); /* colour 1 (DAC entry 1 is black) */
	rig_free(g);
}

/* Font bytes to plane 2 and cells to planes 0/1, as the BIOS does it. */
static void text_put(struct rig *g)
{
	dac(g, 1, 0x00, 0x00, 0x2a);
	dac(g, 15, 0x3f, 0x3f, 0x3f);
	idx(g, 0x3c4, 0x02, 0x04);
	idx(g, 0x3c4, 0x04, 0x06);
	idx(g, 0x3ce, 0x04, 0x02);
	idx(g, 0x3ce, 0x05, 0x00);
	idx(g, 0x3ce, 0x06, 0x04);
	for (unsigned line = 0; line < 16; line++)
		memb(g, 0xa0000 + 'A' * 32 + line, line == 0 ? 0x81 : 0x00);
	memb(g, 0xa0000 + 0xc4 * 32 + 0, 0x01); /* a line-drawing char: 9th column repeats */
	idx(g, 0x3c4, 0x02, 0x03);
	idx(g, 0x3c4, 0x04, 0x02);
	idx(g, 0x3ce, 0x04, 0x00);
	idx(g, 0x3ce, 0x05, 0x10);
	idx(g, 0x3ce, 0x06, 0x0e);
	memb(g, 0xb8000, 'A');
	memb(g, 0xb8001, 0x1f); /* white on blue */
	memb(g, 0xb8002, 0xc4);
	memb(g, 0xb8003, 0x1f);
}

static void text_mode(void **state)
{
	struct rig *g = rig_new();
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	mode3(g);
	text_put(g);
	refresh(g, false, &s, &d);
	assert_int_equal(s.width, 720);
	assert_int_equal(s.height, 400);
	assert_int_equal(px(&s, 0, 0), 0xffffff); /* glyph bit 7 */
	assert_int_equal(px(&s, 1, 0), 0x0000a8);
	assert_int_equal(px(&s, 7, 0), 0xffffff);
	assert_int_equal(px(&s, 8, 0), 0x0000a8); /* 9th column: background for 'A' */
	assert_int_equal(px(&s, 9 + 7, 0), 0xffffff);
	assert_int_equal(px(&s, 9 + 8, 0), 0x0000a8); /* AR10 bit 2 clear: not repeated */
	att(g, 0x10, 0x08 | 0x04);
	outb(g, 0x3c0, 0x20);
	refresh(g, true, &s, &d);
	assert_int_equal(px(&s, 9 + 8, 0), 0xffffff); /* 0xc4 repeats column 8 */
	/* cell 0 rewritten: only its character row redrawn */
	memb(g, 0xb8000, 'B');
	refresh(g, false, &s, &d);
	assert_int_equal(d.y0, 0);
	assert_int_equal(d.y1, 16);
	assert_int_equal(px(&s, 0, 0), 0x0000a8); /* 'B' has an empty glyph */
	rig_free(g);
}

static void text_cursor_blinks(void **state)
{
	struct rig *g = rig_new();
	struct display_surface s;
	struct display_dirty d;

	(void)state;
	mode3(g);
	text_put(g);
	idx(g, 0x3d4, 0x0a, 0x0e);
	idx(g, 0x3d4, 0x0b, 0x0f);
	idx(g, 0x3d4, 0x0e, 0x00);
	idx(g, 0x3d4, 0x0f, 0x00);
	refresh(g, false, &s, &d); /* QEMU: the cursor is visible on the first frame */
	assert_int_equal(px(&s, 1, 14), 0xffffff);
	assert_int_equal(px(&s, 1, 13), 0x0000a8);
	loop_clock_step(g->m.loop, 100 * 1000000ull);
	refresh(g, false, &s, &d);
	assert_int_equal(px(&s, 1, 14), 0xffffff);
	loop_clock_step(g->m.loop, 200 * 1000000ull); /* past 266 ms */
	refresh(g, false, &s, &d);
	assert_int_equal(px(&s, 1, 14), 0x0000a8);
	rig_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ports_decode_as_qemu),
		cmocka_unit_test(window_marks_pages),
		cmocka_unit_test(lfb_bounds),
		cmocka_unit_test(blank_until_pas),
		cmocka_unit_test(mode13_pixels_and_dirty_rows),
		cmocka_unit_test(planar16),
		cmocka_unit_test(text_mode),
		cmocka_unit_test(text_cursor_blinks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
