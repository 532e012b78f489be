// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga_regs: the VGA register file behind 0x3b0-0x3df (IBM VGA Technical
 * Reference; FreeVGA "External", "Sequencer", "Graphics", "CRT Controller",
 * "Attribute Controller" and "DAC" register pages), replayed against
 * sessions recorded from QEMU 7.2 and checked register by register.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dm/state.h"
#include "hw/vga/vga_regs.h"
#include "tests/unit/vga_qemu_sessions.h"

static const struct vga_regs_cfg std_cfg = { .retrace = VGA_RETRACE_TOGGLE };

static uint8_t rd(struct vga_regs *s, unsigned port)
{
	return vga_regs_read(s, port - VGA_IO_BASE);
}

static void wr(struct vga_regs *s, unsigned port, uint8_t val)
{
	vga_regs_write(s, port - VGA_IO_BASE, val);
}

static uint8_t rd_idx(struct vga_regs *s, unsigned port, uint8_t idx)
{
	wr(s, port, idx);
	return rd(s, port + 1);
}

static void wr_idx(struct vga_regs *s, unsigned port, uint8_t idx, uint8_t val)
{
	wr(s, port, idx);
	wr(s, port + 1, val);
}

static void replay(const struct qemu_io *io, size_t n)
{
	struct vga_regs s;

	vga_regs_init(&s, &std_cfg);
	for (size_t i = 0; i < n; i++) {
		if (io[i].op == 'w') {
			wr(&s, io[i].port, io[i].val);
			continue;
		}
		uint8_t got = rd(&s, io[i].port);

		if (got != io[i].val)
			fail_msg("row %zu: inb %#x = %#x, QEMU %#x", i, io[i].port, got, io[i].val);
	}
}

/* Every byte QEMU 7.2 read back in the recorded sessions, in order. */
static void qemu_sessions(void **state)
{
	(void)state;
	replay(qemu_session_reset_mono, sizeof(qemu_session_reset_mono) / sizeof(struct qemu_io));
	replay(qemu_session_color, sizeof(qemu_session_color) / sizeof(struct qemu_io));
	replay(qemu_session_floating, sizeof(qemu_session_floating) / sizeof(struct qemu_io));
}

/* QEMU vga_common_reset: misc output 0 (mono decode), every index and register 0. */
static void reset_values(void **state)
{
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	assert_int_equal(rd(&s, 0x3cc), 0);
	assert_int_equal(rd(&s, 0x3c2), 0); /* input status 0 */
	assert_int_equal(rd(&s, 0x3ca), 0);
	for (unsigned i = 0; i < VGA_SEQ_C; i++)
		assert_int_equal(rd_idx(&s, 0x3c4, i), 0);
	for (unsigned i = 0; i < VGA_GFX_C; i++)
		assert_int_equal(rd_idx(&s, 0x3ce, i), 0);
	for (unsigned i = 0; i < VGA_CRTC_C; i++)
		assert_int_equal(rd_idx(&s, 0x3b4, i), 0);
	assert_int_equal(rd(&s, 0x3c0), 0);
	assert_int_equal(rd(&s, 0x3c7), 0);
	assert_int_equal(rd(&s, 0x3c8), 0);
	for (unsigned i = 0; i < sizeof(s.palette); i++)
		assert_int_equal(rd(&s, 0x3c9), 0);

	/* reset after use returns to the same state, keeping the configuration */
	wr(&s, 0x3c2, 0x67);
	wr_idx(&s, 0x3c4, 2, 0x0f);
	wr(&s, 0x3c0, 0x10);
	vga_regs_reset(&s);
	assert_int_equal(rd(&s, 0x3cc), 0);
	assert_int_equal(rd_idx(&s, 0x3c4, 2), 0);
	assert_false(s.ar_flip_flop);
	assert_int_equal(s.cfg.retrace, VGA_RETRACE_TOGGLE);
}

/* Write all ones to each of n indexed registers at port, then read want[] back. */
static void check_write_masks(struct vga_regs *s, unsigned port, unsigned n, const uint8_t *want)
{
	for (unsigned i = 0; i < n; i++)
		wr_idx(s, port, i, 0xff);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(rd_idx(s, port, i), want[i]);
}

/* FreeVGA "Sequencer Registers": the reserved bits read 0; the index is 3 bits. */
static void sequencer_masks(void **state)
{
	static const uint8_t want[VGA_SEQ_C] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff };
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	check_write_masks(&s, 0x3c4, VGA_SEQ_C, want);
	wr(&s, 0x3c4, 0xfa);
	assert_int_equal(rd(&s, 0x3c4), 0x02);
	assert_int_equal(rd(&s, 0x3c5), 0x0f);
}

/* FreeVGA "Graphics Registers": 0-8 with their reserved bits 0, 9-15 read 0; 4-bit index. */
static void graphics_masks(void **state)
{
	static const uint8_t want[VGA_GFX_C] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03,
						 0x7b, 0x0f, 0x0f, 0xff };
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	check_write_masks(&s, 0x3ce, VGA_GFX_C, want);
	wr(&s, 0x3ce, 0xf8);
	assert_int_equal(rd(&s, 0x3ce), 0x08);
}

/* FreeVGA "Miscellaneous Output Register" bit 0 (I/OAS): which of 0x3b4/5+0x3ba and
 * 0x3d4/5+0x3da answer; one CRTC behind both. Bit 4 is reserved. */
static void crtc_aliasing_by_misc(void **state)
{
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	wr_idx(&s, 0x3b4, 0x0c, 0x12);
	wr_idx(&s, 0x3d4, 0x0d, 0x34); /* out of decode: lost */
	assert_int_equal(rd(&s, 0x3d4), 0xff);
	assert_int_equal(rd(&s, 0x3d5), 0xff);
	assert_int_equal(rd(&s, 0x3da), 0xff);
	assert_int_equal(rd_idx(&s, 0x3b4, 0x0d), 0x00);

	wr(&s, 0x3c2, 0xff);
	assert_int_equal(rd(&s, 0x3cc), 0xef);
	assert_int_equal(rd_idx(&s, 0x3d4, 0x0c), 0x12);
	assert_int_equal(rd(&s, 0x3b4), 0xff);
	assert_int_equal(rd(&s, 0x3b5), 0xff);
	assert_int_equal(rd(&s, 0x3ba), 0xff);
	wr_idx(&s, 0x3b4, 0x0c, 0x99); /* lost */
	assert_int_equal(rd_idx(&s, 0x3d4, 0x0c), 0x12);
	/* all 256 indices are storage, as in QEMU */
	wr_idx(&s, 0x3d4, 0xfe, 0xa5);
	assert_int_equal(rd_idx(&s, 0x3d4, 0xfe), 0xa5);
}

/* FreeVGA "Vertical Retrace End Register" bit 7: CR0-CR7 read-only, except CR7 bit 4
 * (line compare bit 8); CR8 onwards and CR11 itself stay writable. */
static void crtc_protect(void **state)
{
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	wr(&s, 0x3c2, 0x01);
	for (unsigned i = 0; i <= 7; i++)
		wr_idx(&s, 0x3d4, i, 0x40 + i);
	wr_idx(&s, 0x3d4, 0x11, 0x80);
	for (unsigned i = 0; i <= 7; i++)
		wr_idx(&s, 0x3d4, i, 0xff);
	for (unsigned i = 0; i <= 6; i++)
		assert_int_equal(rd_idx(&s, 0x3d4, i), 0x40 + i);
	assert_int_equal(rd_idx(&s, 0x3d4, 7), 0x57);
	wr_idx(&s, 0x3d4, 7, 0x00);
	assert_int_equal(rd_idx(&s, 0x3d4, 7), 0x47);
	wr_idx(&s, 0x3d4, 8, 0x12);
	assert_int_equal(rd_idx(&s, 0x3d4, 8), 0x12);
	wr_idx(&s, 0x3d4, 0x11, 0x0e);
	wr_idx(&s, 0x3d4, 0, 0x5f);
	assert_int_equal(rd_idx(&s, 0x3d4, 0), 0x5f);
}

/* FreeVGA "Attribute Controller Registers": one port for index and data through a
 * flip-flop that reading input status 1 points at the index; index bits 0-4 + PAS. */
static void attribute_flip_flop(void **state)
{
	static const uint8_t want[VGA_ATT_C] = { 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
						 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
						 0x3f, 0x3f, 0xef, 0xff, 0x3f, 0x0f, 0x0f };
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	wr(&s, 0x3c2, 0x01);
	for (unsigned i = 0; i < VGA_ATT_C; i++) {
		wr(&s, 0x3c0, i);
		wr(&s, 0x3c0, 0xff);
	}
	for (unsigned i = 0; i < VGA_ATT_C; i++) {
		wr(&s, 0x3c0, i | 0x20);
		assert_int_equal(rd(&s, 0x3c0), 0); /* QEMU: 0 while the flip-flop is at data */
		assert_int_equal(rd(&s, 0x3c1), want[i]);
		wr(&s, 0x3c0, want[i]); /* data phase: back to index */
		assert_int_equal(rd(&s, 0x3c0), i | 0x20);
	}
	wr(&s, 0x3c0, 0xf5);		    /* index 0x15 with PAS: beyond the file */
	assert_int_equal(rd(&s, 0x3c0), 0); /* QEMU: 0 while the flip-flop is at data */
	assert_int_equal(rd(&s, 0x3c1), 0);
	wr(&s, 0x3c0, 0x11); /* data for 0x15: dropped */
	assert_int_equal(rd(&s, 0x3c0), 0x35);

	/* half-way through a pair, input status 1 resets the flip-flop */
	wr(&s, 0x3c0, 0x02);
	(void)rd(&s, 0x3da);
	wr(&s, 0x3c0, 0x05); /* an index again */
	wr(&s, 0x3c0, 0x21);
	wr(&s, 0x3c0, 0x02);
	assert_int_equal(rd(&s, 0x3c1), 0x3f);
	wr(&s, 0x3c0, 0x3f);
	wr(&s, 0x3c0, 0x05);
	assert_int_equal(rd(&s, 0x3c1), 0x21);

	/* the out-of-decode 0x3ba does not reset it: still at data for index 5 */
	assert_int_equal(rd(&s, 0x3ba), 0xff);
	wr(&s, 0x3c0, 0x07);
	assert_int_equal(rd_idx(&s, 0x3c0, 0x05), 0x07); /* went to index 5 */
}

/* IBM VGA "Video DAC": write index, three components, auto-increment; a colour lands
 * only with its third write; read index, state register 0 (write) / 3 (read). */
static void dac_auto_increment(void **state)
{
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	wr(&s, 0x3c8, 0xfe);
	for (unsigned i = 0; i < 6; i++)
		wr(&s, 0x3c9, 0x10 + i);
	assert_int_equal(rd(&s, 0x3c8), 0x00); /* 0xfe, 0xff, wrapped */
	assert_int_equal(rd(&s, 0x3c7), 0);
	wr(&s, 0x3c9, 0x3f);
	wr(&s, 0x3c9, 0x3e); /* two of three: not in the palette */
	assert_int_equal(s.palette[0], 0);
	wr(&s, 0x3c7, 0xfe);
	assert_int_equal(rd(&s, 0x3c7), 3);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rd(&s, 0x3c9), 0x10 + i);
	assert_int_equal(rd(&s, 0x3c9), 0x00); /* entry 0 */
	assert_int_equal(rd(&s, 0x3c8), 0x00); /* the write index did not move */

	/* components are stored as written (QEMU reads back 8 bits) */
	wr(&s, 0x3c8, 0x40);
	wr(&s, 0x3c9, 0xff);
	wr(&s, 0x3c9, 0x41);
	wr(&s, 0x3c9, 0x3f);
	wr(&s, 0x3c7, 0x40);
	assert_int_equal(rd(&s, 0x3c9), 0xff);
	assert_int_equal(rd(&s, 0x3c9), 0x41);
	assert_int_equal(rd(&s, 0x3c9), 0x3f);
	assert_int_equal(rd(&s, 0x3c7), 3);
	/* a new write index restarts at R */
	wr(&s, 0x3c9, 0x01);
	wr(&s, 0x3c8, 0x41);
	wr(&s, 0x3c9, 0x0a);
	wr(&s, 0x3c9, 0x0b);
	wr(&s, 0x3c9, 0x0c);
	assert_memory_equal(&s.palette[0x41 * 3], "\x0a\x0b\x0c", 3);
}

/* A 6-bit DAC: the renderer sees each component's low 6 bits widened to 8 the way
 * QEMU's c6_to_8 does (bit 0 copied into the two new low bits). */
static void dac_six_bit_components(void **state)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x20, 0x3f, 0xff, 0x40, 0x2a };
	static const uint8_t out[] = { 0x00, 0x07, 0x80, 0xff, 0xff, 0x00, 0xa8 };
	struct vga_regs s;
	uint8_t rgb[3];

	(void)state;
	vga_regs_init(&s, &std_cfg);
	for (unsigned i = 0; i < sizeof(in); i++) {
		wr(&s, 0x3c8, i);
		wr(&s, 0x3c9, in[i]);
		wr(&s, 0x3c9, in[i]);
		wr(&s, 0x3c9, 0x3f);
		vga_dac_rgb8(&s, i, rgb);
		assert_int_equal(rgb[0], out[i]);
		assert_int_equal(rgb[1], out[i]);
		assert_int_equal(rgb[2], 0xff);
	}
}

/* IBM VGA "DAC Mask Register" 0x3c6: decoded (all ones at power-on) where the adapter
 * has it; QEMU's std VGA does not decode it (reads 0, writes lost). */
static void pel_mask(void **state)
{
	struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE, .pel_mask = true };
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	wr(&s, 0x3c6, 0x12);
	assert_int_equal(rd(&s, 0x3c6), 0);
	vga_regs_init(&s, &cfg);
	assert_int_equal(rd(&s, 0x3c6), 0xff);
	wr(&s, 0x3c6, 0x12);
	assert_int_equal(rd(&s, 0x3c6), 0x12);
	vga_regs_reset(&s);
	assert_int_equal(rd(&s, 0x3c6), 0xff);
}

/* FreeVGA "Feature Control Register": written at 0x3da/0x3ba (by I/OAS), read at 0x3ca;
 * QEMU keeps bit 4 only. */
static void feature_control(void **state)
{
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	wr(&s, 0x3ba, 0xff);
	assert_int_equal(rd(&s, 0x3ca), 0x10);
	wr(&s, 0x3da, 0x00); /* out of decode */
	assert_int_equal(rd(&s, 0x3ca), 0x10);
	wr(&s, 0x3c2, 0x01);
	wr(&s, 0x3da, 0xef);
	assert_int_equal(rd(&s, 0x3ca), 0x00);
	wr(&s, 0x3ca, 0x10); /* the read port: not a register */
	assert_int_equal(rd(&s, 0x3ca), 0x00);
}

/* QEMU's default retrace ("dumb"): every read of input status 1 flips VR and DD. */
static void retrace_toggle(void **state)
{
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	assert_int_equal(rd(&s, 0x3ba), 0x09);
	assert_int_equal(rd(&s, 0x3ba), 0x00);
	assert_int_equal(rd(&s, 0x3ba), 0x09);
}

struct fake_clock {
	uint64_t ns;
};

static uint64_t fake_now(void *opaque)
{
	return ((struct fake_clock *)opaque)->ns;
}

/* The first ns at which character number `chars` of the frame is being scanned. */
static uint64_t at_char(uint64_t chars, uint64_t ps_per_char)
{
	return (chars * ps_per_char + 999) / 1000;
}

/*
 * FreeVGA "CRT Controller Registers" with mode 3's timings as SeaBIOS's vgabios
 * programs them (CR0 0x5f, CR1 0x4f, CR6 0xbf, CR7 0x1f, CR10 0x9c, CR11 0x8e,
 * CR12 0x8f; misc 0x67: 28.322 MHz; SR1 0: 9-dot): 100 characters of
 * 9 * 10^12 / 28322000 = 317774 ps per line, 449 lines; display 80 characters and
 * 400 lines; vertical retrace from line 412 until the line's low bits are 0xe (414).
 */
static void retrace_from_clock(void **state)
{
	struct fake_clock clk = { 0 };
	struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_CLOCK,
				    .clock_ns = fake_now,
				    .clock_opaque = &clk };
	static const uint8_t crtc[][2] = { { 0x00, 0x5f }, { 0x01, 0x4f }, { 0x06, 0xbf },
					   { 0x07, 0x1f }, { 0x10, 0x9c }, { 0x11, 0x8e },
					   { 0x12, 0x8f } };
	const uint64_t ps = 317774, frame = 449 * 100;
	struct vga_regs s;

	(void)state;
	vga_regs_init(&s, &cfg);
	wr(&s, 0x3c2, 0x67);
	for (unsigned i = 0; i < sizeof(crtc) / sizeof(crtc[0]); i++)
		wr_idx(&s, 0x3d4, crtc[i][0], crtc[i][1]);

	const struct {
		uint64_t chars;
		uint8_t is1;
	} want[] = {
		{ 0, 0x00 },
		{ 79, 0x00 },
		{ 80, VGA_IS1_DD },
		{ 99, VGA_IS1_DD },
		{ 100, 0x00 },
		{ 399 * 100 + 79, 0x00 },
		{ 400 * 100, VGA_IS1_DD },
		{ 411 * 100 + 99, VGA_IS1_DD },
		{ 412 * 100, VGA_IS1_VR | VGA_IS1_DD },
		{ 413 * 100 + 99, VGA_IS1_VR | VGA_IS1_DD },
		{ 414 * 100, VGA_IS1_DD },
		{ 448 * 100 + 99, VGA_IS1_DD },
		{ frame, 0x00 },
		{ 7 * frame + 412 * 100 + 5, VGA_IS1_VR | VGA_IS1_DD },
	};
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		clk.ns = at_char(want[i].chars, ps);
		if (rd(&s, 0x3da) != want[i].is1)
			fail_msg("character %llu: %#x", (unsigned long long)want[i].chars, s.st01);
		assert_int_equal(rd(&s, 0x3da), want[i].is1); /* reading does not move it */
	}

	/* SR1 bit 3 halves the dot clock: line 412 comes twice as late */
	wr_idx(&s, 0x3c4, 1, 0x08);
	clk.ns = at_char(412 * 100, ps);
	assert_int_equal(rd(&s, 0x3da), 0x00); /* half-way: line 206, displayed */
	clk.ns = at_char(412 * 100, 2 * ps);
	assert_int_equal(rd(&s, 0x3da), VGA_IS1_VR | VGA_IS1_DD);

	/* the end of time and a CRTC of zeros (5 x 2 characters): no overflow, no trap */
	clk.ns = UINT64_MAX;
	assert_int_equal(rd(&s, 0x3da) & ~(VGA_IS1_VR | VGA_IS1_DD), 0);
	vga_regs_reset(&s);
	wr(&s, 0x3c2, 0x01);
	assert_int_equal(rd(&s, 0x3da) & ~(VGA_IS1_VR | VGA_IS1_DD), 0);
}

/* Hostile offsets: past the window nothing answers and nothing changes. */
static void offsets_beyond_window(void **state)
{
	struct vga_regs s, before;

	(void)state;
	vga_regs_init(&s, &std_cfg);
	before = s;
	for (unsigned off = VGA_IO_SIZE; off < 0x1000; off++) {
		assert_int_equal(vga_regs_read(&s, off), 0xff);
		vga_regs_write(&s, off, 0xff);
	}
	vga_regs_write(&s, UINT32_MAX, 0xff);
	assert_int_equal(vga_regs_read(&s, UINT32_MAX), 0xff);
	assert_memory_equal(&s, &before, sizeof(s));
}

static void fill(struct vga_regs *s)
{
	wr(s, 0x3c2, 0x67);
	wr_idx(s, 0x3c4, 4, 0x06);
	wr_idx(s, 0x3ce, 5, 0x10);
	wr_idx(s, 0x3d4, 0x0a, 0x0d);
	wr(s, 0x3c0, 0x12);
	wr(s, 0x3c0, 0x0f);
	wr(s, 0x3c0, 0x31); /* leave the flip-flop at data */
	wr(s, 0x3c8, 0x07);
	wr(s, 0x3c9, 0x2a);
	wr(s, 0x3c9, 0x15);
	wr(s, 0x3c9, 0x3f);
	wr(s, 0x3c9, 0x01); /* one pending component */
	(void)rd(s, 0x3da);
}

static void save_to(const struct vga_regs *s, struct snap_wr *w)
{
	snap_wr_init(w);
	assert_int_equal(snap_begin_dev(w, "vga", 1), 0);
	assert_int_equal(vga_regs_save(s, w), 0);
	assert_int_equal(snap_end_dev(w), 0);
}

/* The body of the one section save_to wrote: 'D' u8 keylen key u32 version u32 bodylen. */
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

/* Save-state: every register, index, flip-flop and the pending DAC write round-trip. */
static void save_load_round_trip(void **state)
{
	struct vga_regs a, b;
	struct snap_wr w;
	struct snap_rd r;

	(void)state;
	vga_regs_init(&a, &std_cfg);
	fill(&a);
	save_to(&a, &w);
	vga_regs_init(&b, &std_cfg);
	r = body_of(&w);
	assert_int_equal(vga_regs_load(&b, &r), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* and it behaves the same afterwards */
	wr(&b, 0x3c9, 0x02);
	wr(&b, 0x3c9, 0x03);
	assert_int_equal(rd(&b, 0x3c8), 0x09);
	wr(&b, 0x3c7, 0x08);
	assert_int_equal(rd(&b, 0x3c9), 0x01);
	assert_int_equal(rd(&b, 0x3c9), 0x02);
	snap_wr_free(&w);
}

/* A stored value no guest write could produce is refused and nothing changes. */
static void load_rejects_impossible_values(void **state)
{
	static const struct {
		const char *name;
		uint8_t val;
	} bad[] = {
		{ "msr", 0x10 },      { "fcr", 0x01 },	      { "st00", 0x01 },
		{ "st01", 0x02 },     { "sr_index", 8 },      { "gr_index", 16 },
		{ "ar_index", 0x40 }, { "ar_flip_flop", 2 },  { "pel_mask", 0x12 },
		{ "dac_state", 1 },   { "dac_sub_index", 3 },
	};
	struct vga_regs a, b, before;

	(void)state;
	vga_regs_init(&a, &std_cfg);
	fill(&a);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct snap_wr w;
		struct snap_rd r;
		uint8_t *p;

		save_to(&a, &w);
		/* a field is u8 namelen, name, u8 type (1), the byte */
		p = NULL;
		for (size_t at = 1; at + strlen(bad[i].name) + 2 < w.len; at++)
			if (w.buf[at - 1] == strlen(bad[i].name) &&
			    !memcmp(&w.buf[at], bad[i].name, strlen(bad[i].name)) &&
			    w.buf[at + strlen(bad[i].name)] == 1) {
				p = &w.buf[at + strlen(bad[i].name) + 1];
				break;
			}
		assert_non_null(p);
		*p = bad[i].val;
		vga_regs_init(&b, &std_cfg);
		before = b;
		r = body_of(&w);
		if (vga_regs_load(&b, &r) != -EINVAL)
			fail_msg("%s = %#x loaded", bad[i].name, bad[i].val);
		assert_memory_equal(&b, &before, sizeof(b));
		snap_wr_free(&w);
	}
	/* a register bit the write masks never let through */
	vga_regs_init(&b, &std_cfg);
	b.sr[1] = 0x02;
	{
		struct snap_wr w;
		struct snap_rd r;
		struct vga_regs c;

		save_to(&b, &w);
		vga_regs_init(&c, &std_cfg);
		before = c;
		r = body_of(&w);
		assert_int_equal(vga_regs_load(&c, &r), -EINVAL);
		assert_memory_equal(&c, &before, sizeof(c));
		snap_wr_free(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_sessions),
		cmocka_unit_test(reset_values),
		cmocka_unit_test(sequencer_masks),
		cmocka_unit_test(graphics_masks),
		cmocka_unit_test(crtc_aliasing_by_misc),
		cmocka_unit_test(crtc_protect),
		cmocka_unit_test(attribute_flip_flop),
		cmocka_unit_test(dac_auto_increment),
		cmocka_unit_test(dac_six_bit_components),
		cmocka_unit_test(pel_mask),
		cmocka_unit_test(feature_control),
		cmocka_unit_test(retrace_toggle),
		cmocka_unit_test(retrace_from_clock),
		cmocka_unit_test(offsets_beyond_window),
		cmocka_unit_test(save_load_round_trip),
		cmocka_unit_test(load_rejects_impossible_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
