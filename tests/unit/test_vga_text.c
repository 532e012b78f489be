// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga_text: text-mode geometry, cells, cursor and glyphs (FreeVGA "CRT
 * Controller Registers", "Sequencer Registers" Clocking Mode and Character
 * Map Select), with the screen and font written through the legacy window
 * as a VGA BIOS writes them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw/vga/vga_mem.h"
#include "hw/vga/vga_regs.h"
#include "hw/vga/vga_text.h"

#define VRAM_SIZE (256 * 1024)

struct rig {
	struct vga_regs r;
	struct vga_mem m;
	uint8_t vram[VRAM_SIZE];
};

static void idx(struct rig *g, unsigned port, uint8_t i, uint8_t v)
{
	vga_regs_write(&g->r, port - VGA_IO_BASE, i);
	vga_regs_write(&g->r, port + 1 - VGA_IO_BASE, v);
}

/* Mode 3 as SeaBIOS's vgabios programs it (80x25, 9x16 cells, 720x400). */
static struct rig *mode3(void)
{
	static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };
	static const uint8_t crtc[][2] = { { 0x00, 0x5f }, { 0x01, 0x4f }, { 0x06, 0xbf },
					   { 0x07, 0x1f }, { 0x09, 0x4f }, { 0x0a, 0x0d },
					   { 0x0b, 0x0e }, { 0x12, 0x8f }, { 0x13, 0x28 },
					   { 0x10, 0x9c }, { 0x11, 0x8e } };
	struct rig *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	vga_regs_init(&g->r, &cfg);
	g->m.vram = g->vram;
	g->m.vram_size = VRAM_SIZE;
	vga_regs_write(&g->r, VGA_MIS_W, 0x67);
	for (unsigned i = 0; i < sizeof(crtc) / sizeof(crtc[0]); i++)
		idx(g, 0x3d4, crtc[i][0], crtc[i][1]);
	idx(g, 0x3c4, VGA_SEQ_CLOCK_MODE, 0x00);
	idx(g, 0x3c4, VGA_SEQ_PLANE_WRITE, 0x03);
	idx(g, 0x3c4, VGA_SEQ_MEMORY_MODE, 0x02);
	idx(g, 0x3ce, VGA_GFX_MODE, 0x10);
	idx(g, 0x3ce, VGA_GFX_MISC, 0x0e);
	return g;
}

static void put(struct rig *g, uint32_t phys, const char *s, uint8_t attr)
{
	for (; *s; s++, phys += 2) {
		vga_mem_write(&g->r, &g->m, phys - 0xa0000, (uint8_t)*s);
		vga_mem_write(&g->r, &g->m, phys + 1 - 0xa0000, attr);
	}
}

/* Mode 3: 80 columns (CR1 + 1), 16-line cells (CR9 bits 0-4 + 1), 25 rows (CR12/CR7
 * display end 399 + 1 over 16), 9 dots (SR1 bit 0 clear), 80 cells per row (CR13 * 2). */
static void mode3_geometry(void **state)
{
	struct rig *g = mode3();
	struct vga_text_geom t;

	(void)state;
	vga_text_geometry(&g->r, &t);
	assert_int_equal(t.cols, 80);
	assert_int_equal(t.rows, 25);
	assert_int_equal(t.char_width, 9);
	assert_int_equal(t.char_height, 16);
	assert_int_equal(t.stride, 80);
	assert_int_equal(t.start, 0);
	assert_true(t.cursor_on);
	assert_int_equal(t.cursor_start, 13);
	assert_int_equal(t.cursor_end, 14);

	idx(g, 0x3c4, VGA_SEQ_CLOCK_MODE, 0x01);
	vga_text_geometry(&g->r, &t);
	assert_int_equal(t.char_width, 8);
	idx(g, 0x3c4, VGA_SEQ_CLOCK_MODE, 0x09); /* halved dot clock: QEMU draws 16 wide */
	vga_text_geometry(&g->r, &t);
	assert_int_equal(t.char_width, 16);
	idx(g, 0x3d4, 0x09, 0x47); /* 8-line cells: 50 rows */
	idx(g, 0x3d4, 0x0a, 0x20); /* cursor off */
	vga_text_geometry(&g->r, &t);
	assert_int_equal(t.rows, 50);
	assert_false(t.cursor_on);
	idx(g, 0x3d4, 0x11, 0x0e); /* unprotect CR0-7 */
	idx(g, 0x3d4, 0x06, 100);  /* QEMU's CGA 160x100 case */
	vga_text_geometry(&g->r, &t);
	assert_int_equal(t.rows, 100);
	free(g);
}

/* Text written at B8000 in odd/even mode reads back cell by cell; the start address
 * (CR0C/0D) scrolls; the cursor location (CR0E/0F) names a cell. */
static void cells_and_cursor(void **state)
{
	struct rig *g = mode3();
	struct vga_text_geom t;
	uint8_t ch, attr;

	(void)state;
	put(g, 0xb8000 + (80 * 1 + 2) * 2, "Hi!", 0x1f);
	put(g, 0xb8000 + (80 * 24 + 79) * 2, "z", 0x70);
	idx(g, 0x3d4, 0x0e, 0x00);
	idx(g, 0x3d4, 0x0f, 0x52);
	vga_text_geometry(&g->r, &t);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(vga_text_cell(&g->m, &t, 1, 2 + i, &ch, &attr), 0);
		assert_int_equal(ch, "Hi!"[i]);
		assert_int_equal(attr, 0x1f);
	}
	assert_int_equal(vga_text_cell(&g->m, &t, 24, 79, &ch, &attr), 0);
	assert_int_equal(ch, 'z');
	assert_int_equal(attr, 0x70);
	assert_int_equal(t.cursor, 80 * 1 + 2);
	assert_int_equal(vga_text_cell(&g->m, &t, 25, 0, &ch, &attr), -EINVAL);
	assert_int_equal(vga_text_cell(&g->m, &t, 0, 80, &ch, &attr), -EINVAL);

	idx(g, 0x3d4, 0x0c, 0x00);
	idx(g, 0x3d4, 0x0d, 80); /* scroll one row */
	vga_text_geometry(&g->r, &t);
	assert_int_equal(vga_text_cell(&g->m, &t, 0, 2, &ch, &attr), 0);
	assert_int_equal(ch, 'H');

	/* a start address near the end of VRAM: cells past it are refused, not read */
	idx(g, 0x3d4, 0x0c, 0xff);
	idx(g, 0x3d4, 0x0d, 0xff);
	g->m.vram_size = 0x10000 * 4 - 4 * 8; /* the last 8 planar addresses gone */
	vga_text_geometry(&g->r, &t);
	assert_int_equal(vga_text_cell(&g->m, &t, 0, 0, &ch, &attr), -EINVAL);
	assert_int_equal(vga_text_cell(&g->m, &t, 24, 79, &ch, &attr), -EINVAL);
	free(g);
}

/* Fonts live in plane 2, 32 rows a glyph, the character map select register naming the
 * two maps (FreeVGA: map n at n = bit hi + 2 * two bits, 8 K apart); attribute bit 3
 * picks map A. Loaded as a BIOS loads them: planar access, map mask plane 2. */
static void glyphs_from_plane2(void **state)
{
	struct rig *g = mode3();

	(void)state;
	idx(g, 0x3c4, VGA_SEQ_PLANE_WRITE, 0x04);
	idx(g, 0x3c4, VGA_SEQ_MEMORY_MODE, 0x06);
	idx(g, 0x3ce, VGA_GFX_MODE, 0x00);
	idx(g, 0x3ce, VGA_GFX_MISC, 0x04);
	idx(g, 0x3ce, VGA_GFX_BIT_MASK, 0xff);
	for (unsigned l = 0; l < 16; l++) {
		vga_mem_write(&g->r, &g->m, 'A' * 32 + l, (uint8_t)(0x80 >> (l & 7)));
		/* map 5 (bit hi 1, two bits 2): (1 + 2 * 2) * 8 K = 0xa000 */
		vga_mem_write(&g->r, &g->m, 0xa000 + 'A' * 32 + l, (uint8_t)(0x01 << (l & 7)));
	}
	assert_int_equal(g->vram[('A' * 32 + 3) * 4 + 2], 0x10); /* plane 2 */
	assert_int_equal(g->vram[('A' * 32 + 3) * 4 + 0], 0x00);
	for (unsigned l = 0; l < 16; l++)
		assert_int_equal(vga_text_glyph_row(&g->r, &g->m, 'A', 0x07, l), 0x80 >> (l & 7));
	/* SR3 = 0x28: map A = 5 (bit 5 set, bits 3-2 = 2), map B = 0 */
	idx(g, 0x3c4, VGA_SEQ_CHARACTER_MAP, 0x28);
	assert_int_equal(vga_text_glyph_row(&g->r, &g->m, 'A', 0x0f, 2), 0x04);
	assert_int_equal(vga_text_glyph_row(&g->r, &g->m, 'A', 0x07, 2), 0x20);
	/* SR3 = 0x12: map B = 5 (bit 4 set, bits 1-0 = 2) */
	idx(g, 0x3c4, VGA_SEQ_CHARACTER_MAP, 0x12);
	assert_int_equal(vga_text_glyph_row(&g->r, &g->m, 'A', 0x07, 2), 0x04);
	assert_int_equal(vga_text_glyph_row(&g->r, &g->m, 'A', 0x0f, 2), 0x20);
	/* a font map past a small VRAM reads 0 */
	g->m.vram_size = 0x8000 * 4;
	assert_int_equal(vga_text_glyph_row(&g->r, &g->m, 'A', 0x07, 2), 0);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mode3_geometry),
		cmocka_unit_test(cells_and_cursor),
		cmocka_unit_test(glyphs_from_plane2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
