// SPDX-License-Identifier: GPL-2.0-only
/*
 * cirrus_regs: the CLGD5446's extended sequencer, graphics controller and
 * CRTC registers and the hidden DAC (CL-GD5446 Technical Reference Manual,
 * chapters 8-9, "Extension Registers"), replayed against the sessions
 * recorded from QEMU 7.2's -device cirrus-vga, then checked register by
 * register where a session alone would not say why.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dm/state.h"
#include "hw/vga/cirrus_regs.h"
#include "tests/unit/cirrus_qemu_sessions.h"

static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };

/* The register file over its own VGA core, as the adapter pairs them. */
struct chip {
	struct vga_regs vga;
	struct cirrus_regs cl;
};

static void chip_init(struct chip *k)
{
	vga_regs_init(&k->vga, &cfg);
	cirrus_regs_init(&k->cl, &k->vga);
}

static uint8_t rd(struct cirrus_regs *c, unsigned port)
{
	return cirrus_regs_read(c, port - VGA_IO_BASE);
}

static unsigned wr(struct cirrus_regs *c, unsigned port, uint8_t val)
{
	return cirrus_regs_write(c, port - VGA_IO_BASE, val);
}

static unsigned wr_idx(struct cirrus_regs *c, unsigned port, uint8_t idx, uint8_t val)
{
	wr(c, port, idx);
	return wr(c, port + 1, val);
}

static uint8_t rd_idx(struct cirrus_regs *c, unsigned port, uint8_t idx)
{
	wr(c, port, idx);
	return rd(c, port + 1);
}

static void replay(const char *name, const struct qemu_io *io, size_t n)
{
	struct chip kc;

	chip_init(&kc);
	for (size_t i = 0; i < n; i++) {
		if (io[i].op == 'w') {
			wr(&kc.cl, io[i].port, io[i].val);
			continue;
		}
		uint8_t got = rd(&kc.cl, io[i].port);

		if (got != io[i].val)
			fail_msg("%s row %zu: inb %#x = %#x, QEMU %#x", name, i, io[i].port, got,
				 io[i].val);
	}
}

#define REPLAY(s) replay(#s, s, sizeof(s) / sizeof(s[0]))

/* Every byte QEMU 7.2 read back: all 256 SR/GR/CR indices from reset and after writes. */
static void qemu_sessions(void **state)
{
	(void)state;
	REPLAY(cirrus_session_reset);
	REPLAY(cirrus_session_writes);
	REPLAY(cirrus_session_dac);
	REPLAY(cirrus_session_misc);
}

/* The identity a driver probes: CR27 part ID 0xb8 (CLGD5446), 4 MiB in SR15/SR0F. */
static void identity_and_memory_size(void **state)
{
	struct chip kc;

	(void)state;
	chip_init(&kc);
	wr(&kc.cl, 0x3c2, VGA_MIS_COLOR);
	assert_int_equal(rd_idx(&kc.cl, 0x3d4, 0x27), 0xb8);
	wr(&kc.cl, 0x3d5, 0x00); /* read-only */
	assert_int_equal(rd(&kc.cl, 0x3d5), 0xb8);
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0x15), 0x04); /* TRM SR15: 4 MiB */
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0x0f), 0x98); /* 32-bit DRAM data bus, bank switch */
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0x17), 0x20); /* bus type PCI */
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0x1f), 0x2d);
	assert_int_equal(rd_idx(&kc.cl, 0x3ce, 0x18), 0x0f);
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0x06), 0x0f); /* extensions locked */
	wr(&kc.cl, 0x3c5, 0x12);
	assert_int_equal(rd(&kc.cl, 0x3c5), 0x12);
}

/* Writes that concern the adapter come back as events; others do not. */
static void write_events(void **state)
{
	struct chip kc;

	(void)state;
	chip_init(&kc);
	assert_int_equal(wr_idx(&kc.cl, 0x3c4, 0x07, 0x01), CIRRUS_EV_MAP);
	assert_int_equal(wr_idx(&kc.cl, 0x3c4, 0x17, 0x44), CIRRUS_EV_MAP);
	assert_int_equal(wr_idx(&kc.cl, 0x3c4, 0x08, 0x44), 0);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x05, 0x04), CIRRUS_EV_MAP);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x09, 0x10), CIRRUS_EV_MAP);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x0b, 0x21), CIRRUS_EV_MAP);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x02, 0x01), 0);
	/* GR31: start on 0->1 of bit 1, reset on 1->0 of bit 2, nothing otherwise */
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x31, CIRRUS_BLT_START), CIRRUS_EV_BLT_START);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x31, CIRRUS_BLT_START), 0);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x31, CIRRUS_BLT_RESET), 0);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x31, 0), CIRRUS_EV_BLT_RESET);
	/* GR2A starts a blit only with autostart */
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x2a, 0x01), 0);
	wr_idx(&kc.cl, 0x3ce, 0x31, CIRRUS_BLT_AUTOSTART);
	assert_int_equal(wr_idx(&kc.cl, 0x3ce, 0x2a, 0x01), CIRRUS_EV_BLT_START);
	assert_int_equal(cirrus_gr_write(&kc.cl, 0x29, 0x12), 0);
	assert_int_equal(cirrus_gr_read(&kc.cl, 0x29), 0x12);
}

/* GR0/GR1: the VGA's set/reset keeps 4 bits (the planar path uses them), the blitter 8. */
static void gr0_gr1_shadows(void **state)
{
	struct chip kc;

	(void)state;
	chip_init(&kc);
	wr_idx(&kc.cl, 0x3ce, 0x00, 0xa7);
	wr_idx(&kc.cl, 0x3ce, 0x01, 0x7c);
	assert_int_equal(kc.vga.gr[0], 0x07);
	assert_int_equal(kc.vga.gr[1], 0x0c);
	assert_int_equal(kc.cl.shadow_gr0, 0xa7);
	assert_int_equal(rd_idx(&kc.cl, 0x3ce, 0x01), 0x7c);
	/* GR5 write mode 4/5 bit: 7 bits read back, the core keeps its VGA mask */
	wr_idx(&kc.cl, 0x3ce, 0x05, 0xff);
	assert_int_equal(rd(&kc.cl, 0x3cf), 0x7f);
	assert_int_equal(kc.vga.gr[5], 0x7b);
}

/* Cursor position: SR10/SR11 are the high 8 bits, the index's bits 5-7 the low 3. */
static void cursor_position(void **state)
{
	struct chip kc;

	(void)state;
	chip_init(&kc);
	wr_idx(&kc.cl, 0x3c4, 0xf0, 0x12);
	assert_int_equal(kc.cl.cursor_x, 0x12 << 3 | 7);
	wr_idx(&kc.cl, 0x3c4, 0x31, 0x40);
	assert_int_equal(kc.cl.cursor_y, 0x40 << 3 | 1);
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0x10), 0x12);
	assert_int_equal(rd_idx(&kc.cl, 0x3c4, 0xd1), 0x40);
}

/* The hidden DAC: after four 0x3c6 reads, the fifth reads it and a write sets it; any
 * other access of the DAC's index port 0x3c8 starts the count again. */
static void hidden_dac(void **state)
{
	struct chip kc;

	(void)state;
	chip_init(&kc);
	rd(&kc.cl, 0x3c8);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rd(&kc.cl, 0x3c6), 0xff);
	wr(&kc.cl, 0x3c6, 0xe0);
	assert_int_equal(kc.cl.hidden_dac, 0xe0);
	wr_idx(&kc.cl, 0x3c4, 0x07, 0x07); /* SVGA, 16 bpp */
	assert_int_equal(cirrus_bpp(&kc.cl), 15); /* low bits 0: Sierra 5-5-5 */
	rd(&kc.cl, 0x3c8);
	for (int i = 0; i < 4; i++)
		rd(&kc.cl, 0x3c6);
	wr(&kc.cl, 0x3c6, 0x01);
	assert_int_equal(cirrus_bpp(&kc.cl), 16);
	/* three reads, then a write: ignored */
	rd(&kc.cl, 0x3c8);
	for (int i = 0; i < 3; i++)
		rd(&kc.cl, 0x3c6);
	wr(&kc.cl, 0x3c6, 0x00);
	assert_int_equal(kc.cl.hidden_dac, 0x01);
}

/* SR7 depth field (TRM SR7 bits 1-3) and QEMU's line offset/start address composition. */
static void display_parameters(void **state)
{
	struct chip kc;
	unsigned w, h;

	(void)state;
	chip_init(&kc);
	assert_int_equal(cirrus_bpp(&kc.cl), 0);
	wr_idx(&kc.cl, 0x3c4, 0x07, 0x01);
	assert_int_equal(cirrus_bpp(&kc.cl), 8);
	wr_idx(&kc.cl, 0x3c4, 0x07, 0x05);
	assert_int_equal(cirrus_bpp(&kc.cl), 24);
	wr_idx(&kc.cl, 0x3c4, 0x07, 0x09);
	assert_int_equal(cirrus_bpp(&kc.cl), 32);
	wr_idx(&kc.cl, 0x3c4, 0x07, 0x0f); /* undefined depth: QEMU shows 8 */
	assert_int_equal(cirrus_bpp(&kc.cl), 8);
	wr(&kc.cl, 0x3c2, VGA_MIS_COLOR);
	wr_idx(&kc.cl, 0x3d4, 0x13, 0x80);
	wr_idx(&kc.cl, 0x3d4, 0x1b, 0x1d); /* offset bit 8, start bits 16, 17-18 */
	wr_idx(&kc.cl, 0x3d4, 0x1d, 0x80); /* start bit 19 */
	wr_idx(&kc.cl, 0x3d4, 0x0c, 0x12);
	wr_idx(&kc.cl, 0x3d4, 0x0d, 0x34);
	assert_int_equal(cirrus_line_offset(&kc.cl), (0x100 | 0x80) << 3);
	assert_int_equal(cirrus_start_addr(&kc.cl), 0x1234 | 1 << 16 | 3 << 17 | 1 << 19);
	wr_idx(&kc.cl, 0x3d4, 0x01, 0x7f);
	wr_idx(&kc.cl, 0x3d4, 0x12, 0xff);
	wr_idx(&kc.cl, 0x3d4, 0x07, 0x42);
	cirrus_resolution(&kc.cl, &w, &h);
	assert_int_equal(w, 1024);
	assert_int_equal(h, 0x3ff + 1);
	wr_idx(&kc.cl, 0x3d4, 0x1a, 0x01);
	cirrus_resolution(&kc.cl, &w, &h);
	assert_int_equal(h, 2048);
	wr_idx(&kc.cl, 0x3d4, 0x18, 0x34);
	wr_idx(&kc.cl, 0x3d4, 0x09, 0x40);
	assert_int_equal(cirrus_line_compare(&kc.cl), 0x34 | 1 << 9); /* CR7 bit 4 clear */
}

static void save_to(const struct cirrus_regs *c, struct snap_wr *w)
{
	snap_wr_init(w);
	assert_int_equal(snap_begin_dev(w, "cirrus", 1), 0);
	assert_int_equal(cirrus_regs_save(c, w), 0);
	assert_int_equal(snap_end_dev(w), 0);
}

static struct snap_rd body_of(const struct snap_wr *w)
{
	const uint8_t *p = w->buf;
	uint8_t keylen = p[1];
	uint32_t len;
	struct snap_rd r;

	p += 2 + keylen + 4;
	memcpy(&len, p, 4);
	snap_rd_init(&r, p + 4, len);
	return r;
}

static void fill(struct cirrus_regs *c)
{
	wr(c, 0x3c2, VGA_MIS_COLOR);
	wr_idx(c, 0x3c4, 0x06, 0x12);
	wr_idx(c, 0x3c4, 0x07, 0x09);
	wr_idx(c, 0x3c4, 0x12, 0x07);
	wr_idx(c, 0x3c4, 0x70, 0x33);
	wr_idx(c, 0x3ce, 0x00, 0xa7);
	wr_idx(c, 0x3ce, 0x0b, 0x21);
	wr_idx(c, 0x3ce, 0x20, 0x99);
	wr_idx(c, 0x3ce, 0x05, 0x44);
	wr_idx(c, 0x3d4, 0x1b, 0x22);
	wr(c, 0x3c8, 0x03);
	wr(c, 0x3c9, 0x2a);
	rd(c, 0x3c8);
	for (int i = 0; i < 4; i++)
		rd(c, 0x3c6);
	wr(c, 0x3c6, 0x01);
	rd(c, 0x3c6);
	wr(c, 0x3c4, 0x99);
}

/* Every extended register, index, shadow, hidden DAC state and cursor round-trips. */
static void save_load_round_trip(void **state)
{
	struct chip ka, kb;
	struct snap_wr w;
	struct snap_rd r;

	(void)state;
	chip_init(&ka);
	fill(&ka.cl);
	save_to(&ka.cl, &w);
	chip_init(&kb);
	kb.vga = ka.vga; /* the adapter loads the core first */
	r = body_of(&w);
	assert_int_equal(cirrus_regs_load(&kb.cl, &r), 0);
	assert_memory_equal(&ka.cl.sr, &kb.cl.sr, sizeof(ka.cl) - offsetof(struct cirrus_regs, sr));
	snap_wr_free(&w);
}

/* A state no guest write can make is refused and changes nothing. */
static void load_rejects_impossible_values(void **state)
{
	struct chip ka, kb;
	struct cirrus_regs before;
	struct {
		const char *what;
		unsigned field;
	} cases[] = {
		{ "SR6 neither locked nor unlocked", 0 }, { "SR17 bus type changed", 1 },
		{ "GR21 beyond 13 bits", 2 },		  { "GR0 copy differs from shadow", 3 },
		{ "cursor x not from SR10", 4 },	  { "part ID", 5 },
		{ "SR5 written", 6 },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snap_wr w;
		struct snap_rd r;

		chip_init(&ka);
		fill(&ka.cl);
		switch (cases[i].field) {
		case 0:
			ka.cl.sr[6] = 0x13;
			break;
		case 1:
			ka.cl.sr[0x17] = 0x38;
			break;
		case 2:
			ka.cl.gr[0x21] = 0x20;
			break;
		case 3:
			ka.vga.gr[0] = 0x01;
			break;
		case 4:
			ka.cl.cursor_x = 0x5ff;
			break;
		case 5:
			ka.vga.cr[0x27] = 0xac;
			break;
		default:
			ka.cl.sr[5] = 1;
			break;
		}
		save_to(&ka.cl, &w);
		chip_init(&kb);
		kb.vga = ka.vga; /* the adapter loads the core first */
		before = kb.cl;
		r = body_of(&w);
		if (cirrus_regs_load(&kb.cl, &r) != -EINVAL)
			fail_msg("%s: loaded", cases[i].what);
		assert_memory_equal(&kb.cl, &before, sizeof(before));
		snap_wr_free(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_sessions),
		cmocka_unit_test(identity_and_memory_size),
		cmocka_unit_test(write_events),
		cmocka_unit_test(gr0_gr1_shadows),
		cmocka_unit_test(cursor_position),
		cmocka_unit_test(hidden_dac),
		cmocka_unit_test(display_parameters),
		cmocka_unit_test(save_load_round_trip),
		cmocka_unit_test(load_rejects_impossible_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
