// SPDX-License-Identifier: GPL-2.0-only
/*
 * cirrus_blt: the CLGD5446 BitBLT engine (CL-GD5446 Technical Reference
 * Manual chapter 10, "BitBLT Engine"): every raster operation forwards and
 * backwards, solid fill, colour expansion, pattern copy, transparency and
 * system-to-video at 8/16/24/32 bpp, each compared with what QEMU 7.2 left
 * in VRAM for the same register writes (tests/unit/cirrus_blt_qemu_cases.h);
 * then the shapes of the engine's CVE history, each bound at its edge and
 * one past it, against a VRAM whose every byte outside the blit is watched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw/vga/cirrus_blt.h"
#include "hw/vga/cirrus_regs.h"
#include "tests/unit/cirrus_blt_qemu_cases.h"

#define MIB	 (1u << 20)
#define LOW	 0x20000u
#define HIGH_AT	 0x3f0000u
#define HIGH	 0x10000u
#define APERTURE (16 * MIB) /* BAR0 offset of the system-to-video aperture */

static const struct vga_regs_cfg cfg = { .retrace = VGA_RETRACE_TOGGLE };

struct rig {
	struct vga_regs vga;
	struct cirrus_regs c;
	struct cirrus_blt b;
	struct cirrus_vram v;
	uint64_t dirty_bytes;
	uint32_t dirty_max; /* the highest end of a reported dirty range */
};

static void on_dirty(void *opaque, uint32_t off, uint32_t len)
{
	struct rig *r = opaque;

	assert_true(len > 0);
	assert_true((uint64_t)off + len <= r->v.mask + 1ull);
	r->dirty_bytes += len;
	if (off + len > r->dirty_max)
		r->dirty_max = off + len;
}

static uint8_t fill_byte(uint32_t off)
{
	return (uint8_t)(off * 7 + (off >> 8) * 13 + (off >> 16) * 5 + 1);
}

/* vgamem_mb MiB allocated, 4 MiB decoded: QEMU's cirrus-vga with libxl's vgamem_mb=8. */
static struct rig *rig_new(uint32_t vgamem)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	vga_regs_init(&r->vga, &cfg);
	cirrus_regs_init(&r->c, &r->vga);
	r->v.base = calloc(1, vgamem);
	assert_non_null(r->v.base);
	r->v.size = vgamem;
	r->v.mask = 4 * MIB - 1;
	r->v.dirty = on_dirty;
	r->v.dirty_opaque = r;
	return r;
}

static void rig_free(struct rig *r)
{
	free(r->v.base);
	free(r);
}

static uint8_t rd(struct rig *r, unsigned port)
{
	return cirrus_regs_read(&r->c, port - VGA_IO_BASE);
}

/* A port write as the adapter dispatches it: events go to the engine. */
static void wr(struct rig *r, unsigned port, uint8_t val)
{
	unsigned ev = cirrus_regs_write(&r->c, port - VGA_IO_BASE, val);

	if (ev & CIRRUS_EV_BLT_RESET)
		cirrus_blt_reset(&r->b, &r->c);
	if (ev & CIRRUS_EV_BLT_START)
		cirrus_blt_start(&r->b, &r->c, &r->v, true);
}

static void gr(struct rig *r, uint8_t idx, uint8_t val)
{
	wr(r, 0x3ce, idx);
	wr(r, 0x3cf, val);
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void fill_known(struct rig *r)
{
	for (uint32_t i = 0; i < LOW; i++)
		r->v.base[i] = fill_byte(i);
	for (uint32_t i = 0; i < HIGH; i++)
		r->v.base[HIGH_AT + i] = fill_byte(HIGH_AT + i);
}

static void run_case(struct rig *r, const struct blt_case *k)
{
	fill_known(r);
	for (unsigned i = 0; i < k->nio; i++) {
		if (k->io[i].val < 0)
			rd(r, k->io[i].port);
		else
			wr(r, k->io[i].port, (uint8_t)k->io[i].val);
	}
	for (unsigned i = 0; i < k->ndata; i++)
		cirrus_blt_data(&r->b, &r->c, &r->v, (uint8_t)(i * 37 + 11));
}

/* Every recorded case leaves VRAM and GR31 exactly as QEMU 7.2 left them. */
static void qemu_cases(void **state)
{
	unsigned bad = 0;

	(void)state;
	for (size_t n = 0; n < sizeof(blt_cases) / sizeof(blt_cases[0]); n++) {
		const struct blt_case *k = &blt_cases[n];
		struct rig *r = rig_new(8 * MIB);
		uint8_t gr31;

		run_case(r, k);
		gr31 = r->c.gr[CIRRUS_GR_BLT_STATUS];
		if (gr31 != k->gr31 || fnv(r->v.base, LOW) != k->low ||
		    fnv(r->v.base + HIGH_AT, HIGH) != k->high) {
			print_message("case \"%s\": GR31 %#x (QEMU %#x), low %s, high %s\n",
				      k->name, gr31, k->gr31,
				      fnv(r->v.base, LOW) == k->low ? "same" : "DIFFERS",
				      fnv(r->v.base + HIGH_AT, HIGH) == k->high ? "same"
										: "DIFFERS");
			bad++;
		}
		rig_free(r);
	}
	if (bad)
		fail_msg("%u of %zu cases differ from QEMU", bad,
			 sizeof(blt_cases) / sizeof(blt_cases[0]));
}

/* Program a blit through the GR registers as a driver does, then start it. */
struct blt_args {
	uint32_t w, h; /* bytes a line, lines */
	uint32_t dpitch, spitch, dst, src;
	uint8_t mode, rop, ext;
};

static void program(struct rig *r, const struct blt_args *a)
{
	gr(r, 0x20, (uint8_t)(a->w - 1));
	gr(r, 0x21, (uint8_t)((a->w - 1) >> 8));
	gr(r, 0x22, (uint8_t)(a->h - 1));
	gr(r, 0x23, (uint8_t)((a->h - 1) >> 8));
	gr(r, 0x24, (uint8_t)a->dpitch);
	gr(r, 0x25, (uint8_t)(a->dpitch >> 8));
	gr(r, 0x26, (uint8_t)a->spitch);
	gr(r, 0x27, (uint8_t)(a->spitch >> 8));
	gr(r, 0x28, (uint8_t)a->dst);
	gr(r, 0x29, (uint8_t)(a->dst >> 8));
	gr(r, 0x2a, (uint8_t)(a->dst >> 16));
	gr(r, 0x2c, (uint8_t)a->src);
	gr(r, 0x2d, (uint8_t)(a->src >> 8));
	gr(r, 0x2e, (uint8_t)(a->src >> 16));
	gr(r, 0x30, a->mode);
	gr(r, 0x32, a->rop ? a->rop : 0x0d);
	gr(r, 0x33, a->ext);
	gr(r, 0x31, CIRRUS_BLT_START);
}

/*
 * A VRAM of exactly the 4 MiB the chip decodes, every byte known: after a
 * blit the bytes outside [lo, hi) (modulo 4 MiB) are unchanged. Under
 * ASan a single access past the allocation fails the test by itself.
 */
static void expect_only(struct rig *r, const uint8_t *before, uint32_t lo, uint32_t hi)
{
	for (uint32_t i = 0; i < r->v.size; i++) {
		bool inside = lo <= hi ? (i >= lo && i < hi) : (i >= lo || i < hi);

		if (!inside && r->v.base[i] != before[i])
			fail_msg("byte %#x changed outside [%#x, %#x)", i, lo, hi);
	}
}

static struct rig *rig_exact(uint8_t **before)
{
	struct rig *r = rig_new(4 * MIB);

	for (uint32_t i = 0; i < r->v.size; i++)
		r->v.base[i] = fill_byte(i);
	*before = malloc(r->v.size);
	assert_non_null(*before);
	memcpy(*before, r->v.base, r->v.size);
	return r;
}

static void sr7(struct rig *r, uint8_t v)
{
	wr(r, 0x3c4, 0x07);
	wr(r, 0x3c5, v);
}

/* CVE-2014-8106: a forwards blit whose last line ends one byte past VRAM is refused;
 * ending exactly at the end, it runs. */
static void cve_2014_8106_forwards_bound(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = { .w = 256, .h = 4, .dpitch = 1024, .spitch = 1024, .src = 0x1000 };

	(void)state;
	sr7(r, 0x01);
	a.dst = 4 * MIB - (3 * 1024 + 256) + 1; /* one past */
	program(r, &a);
	assert_int_equal(r->b.refused, 1);
	assert_memory_equal(r->v.base, before, r->v.size);
	a.dst--; /* the last byte is the last of VRAM */
	program(r, &a);
	assert_int_equal(r->b.refused, 1);
	assert_int_equal(r->v.base[4 * MIB - 1], fill_byte(0x1000 + 3 * 1024 + 255));
	expect_only(r, before, a.dst, 0);
	/* the source one past the end, likewise */
	a.dst = 0x2000;
	a.src = 4 * MIB - (3 * 1024 + 256) + 1;
	memcpy(r->v.base, before, r->v.size);
	program(r, &a);
	assert_int_equal(r->b.refused, 2);
	assert_memory_equal(r->v.base, before, r->v.size);
	free(before);
	rig_free(r);
}

/* CVE-2017-2615: backwards, the lowest byte one below address 0 is refused; at 0, runs. */
static void cve_2017_2615_backwards_bound(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = {
		.w = 64, .h = 2, .dpitch = 640, .spitch = 640, .src = 0x9000, .mode = 0x01
	};

	(void)state;
	sr7(r, 0x01);
	a.dst = 640 + 62; /* last line would start at -1 */
	program(r, &a);
	assert_int_equal(r->b.refused, 1);
	assert_memory_equal(r->v.base, before, r->v.size);
	a.dst = 640 + 63;
	program(r, &a);
	assert_int_equal(r->b.refused, 1);
	assert_int_equal(r->v.base[0], fill_byte(0x9000 - 640 - 63));
	expect_only(r, before, 0, 640 + 64);
	/* the source below 0 */
	memcpy(r->v.base, before, r->v.size);
	a.dst = 0x9000;
	a.src = 640 + 62;
	program(r, &a);
	assert_int_equal(r->b.refused, 2);
	assert_memory_equal(r->v.base, before, r->v.size);
	/* and the start itself beyond VRAM (a 22-bit address reaches 4 MiB + 1 MiB) */
	gr(r, 0x2a, 0x3f); /* dst 0x3fxxxx is masked to 4 MiB: fine */
	free(before);
	rig_free(r);
}

/* CVE-2016-9921/9922: zero pitches never divide, never loop: refused; a plain copy in a
 * VGA (non-SVGA) mode is dropped as QEMU drops it. */
static void cve_2016_9921_zero_pitch(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = { .w = 64, .h = 4, .dpitch = 0, .spitch = 640, .dst = 0x1000 };

	(void)state;
	sr7(r, 0x01);
	program(r, &a);
	a.dpitch = 640;
	a.spitch = 0;
	a.src = 0x8000;
	program(r, &a);
	a.h = 1;
	a.dpitch = 0;
	program(r, &a);
	assert_int_equal(r->b.refused, 3);
	assert_memory_equal(r->v.base, before, r->v.size);
	/* VGA mode (SR7 bit 0 clear): a ROP-source copy moves nothing, a XOR copy does */
	sr7(r, 0x00);
	a.dpitch = a.spitch = 640;
	program(r, &a);
	assert_memory_equal(r->v.base, before, r->v.size);
	assert_int_equal(r->c.gr[CIRRUS_GR_BLT_STATUS] & CIRRUS_BLT_BUSY, 0);
	a.rop = 0x59;
	program(r, &a);
	assert_int_equal(r->v.base[0x1000], fill_byte(0x1000) ^ fill_byte(0x8000));
	expect_only(r, before, 0x1000, 0x1040);
	free(before);
	rig_free(r);
}

/* CVE-2017-2620: a system-to-video blit is checked before it takes a byte; a refused one
 * takes none (the CPU's bytes then go nowhere) and writes nothing. */
static void cve_2017_2620_system_to_video(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = { .w = 1024, .h = 8, .dpitch = 8191, .mode = 0x04 };

	(void)state;
	sr7(r, 0x01);
	a.dst = 4 * MIB - 7 * 8191 - 1024 + 1;
	program(r, &a);
	assert_int_equal(r->b.refused, 1);
	assert_false(cirrus_blt_wants_data(&r->b));
	for (unsigned i = 0; i < 64 * 1024; i++)
		cirrus_blt_data(&r->b, &r->c, &r->v, 0xee);
	assert_memory_equal(r->v.base, before, r->v.size);
	/* pattern form: likewise */
	a.mode = 0x44;
	program(r, &a);
	assert_int_equal(r->b.refused, 2);
	assert_false(cirrus_blt_wants_data(&r->b));
	/* at the edge it runs: 8 lines of 1024 bytes, each from one CPU line */
	a.mode = 0x04;
	a.dst--;
	program(r, &a);
	assert_true(cirrus_blt_wants_data(&r->b));
	for (unsigned i = 0; i < 8 * 1024; i++)
		cirrus_blt_data(&r->b, &r->c, &r->v, (uint8_t)i);
	assert_false(cirrus_blt_wants_data(&r->b));
	assert_int_equal(r->v.base[4 * MIB - 1], 0xff);
	assert_int_equal(r->c.gr[CIRRUS_GR_BLT_STATUS] & CIRRUS_BLT_BUSY, 0);
	free(before);
	rig_free(r);
}

/* CVE-2017-7980: the pattern source is aligned and must lie inside VRAM; sources and
 * destinations wrapping past the decoded 4 MiB stay inside it. */
static void cve_2017_7980_pattern_and_wrap(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = { .w = 64, .h = 8, .dpitch = 640, .dst = 0x1000, .mode = 0x70 };

	(void)state;
	sr7(r, 0x09);		  /* 32 bpp: 256-byte patterns */
	a.src = 4 * MIB - 256 + 1; /* aligned down to the last 256 bytes: inside */
	program(r, &a);
	assert_int_equal(r->b.refused, 0);
	assert_int_equal(r->v.base[0x1000], fill_byte(4 * MIB - 256));
	expect_only(r, before, 0x1000, 0x1000 + 7 * 640 + 64);
	/* colour expansion reads its source bytes in sequence: past the top, it wraps */
	memcpy(r->v.base, before, r->v.size);
	sr7(r, 0x01);
	a.w = 256;
	a.h = 100;
	a.spitch = 1;
	a.mode = 0x80;
	a.src = 4 * MIB - 16;
	program(r, &a); /* QEMU checks the source with its pitch: past the end */
	assert_int_equal(r->b.refused, 1);
	assert_memory_equal(r->v.base, before, r->v.size);
	/* with 8 MiB allocated (vgamem_mb=8) it passes, and the reads wrap inside the 4 MiB:
	 * only 4 MiB exist here, so an unreduced address would be an ASan error */
	r->v.size = 8 * MIB;
	program(r, &a);
	r->v.size = 4 * MIB;
	assert_int_equal(r->b.refused, 1);
	expect_only(r, before, 0x1000, 0x1000 + 99 * 640 + 256);
	/* a destination wrapping at the top of the 4 MiB lands at 0, nowhere else */
	memcpy(r->v.base, before, r->v.size);
	a.w = 64;
	a.h = 2;
	a.dpitch = a.spitch = 64;
	a.dst = 4 * MIB - 0x80 + 0x40;
	a.src = 0x2000;
	a.mode = 0;
	r->v.size = 8 * MIB; /* the check is against the allocation, as QEMU's vram_size */
	program(r, &a);
	r->v.size = 4 * MIB;
	assert_int_equal(r->v.base[0], fill_byte(0x2000 + 0x40));
	expect_only(r, before, 4 * MIB - 0x40, 0x40);
	free(before);
	rig_free(r);
}

/* The widest line is the buffer's, 8192 bytes: GR20-21 hold 13 bits, so no guest can ask
 * for more (the engine's own width check is the second line of defence). */
static void width_bound(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = {
		.w = 8192, .h = 1, .dpitch = 8191, .spitch = 8191, .dst = 0x1000, .src = 0x10000
	};

	(void)state;
	sr7(r, 0x01);
	program(r, &a);
	assert_int_equal(r->b.refused, 0);
	assert_int_equal(r->b.width, CIRRUS_BLTBUFSIZE);
	assert_int_equal(r->v.base[0x1000 + 8191], fill_byte(0x10000 + 8191));
	expect_only(r, before, 0x1000, 0x1000 + 8192);
	gr(r, 0x21, 0xff);
	assert_int_equal(cirrus_gr_read(&r->c, 0x21), 0x1f);
	free(before);
	rig_free(r);
}

/* Dirty ranges cover what changed, inside the decoded VRAM, split at the wrap. */
static void dirty_ranges(void **state)
{
	struct rig *r = rig_new(4 * MIB);
	struct blt_args a = {
		.w = 100, .h = 10, .dpitch = 1000, .spitch = 1000, .dst = 0x5000, .src = 0x100
	};

	(void)state;
	sr7(r, 0x01);
	program(r, &a);
	assert_int_equal(r->dirty_bytes, 1000);
	r->dirty_bytes = 0;
	a.dst = 4 * MIB - 50;
	a.h = 1;
	r->v.size = 8 * MIB; /* vgamem_mb=8: the check passes, the write wraps */
	program(r, &a);
	assert_int_equal(r->dirty_bytes, 100);
	assert_int_equal(r->dirty_max, 4 * MIB);
	rig_free(r);
}

/* Any register values at all: the engine ends every blit (or waits for CPU data) and
 * never touches memory outside its buffers (ASan watches). Small heights keep it fast;
 * 22-bit addresses, 13-bit pitches and widths, every mode and ROP byte are random. */
static void random_registers(void **state)
{
	struct rig *r = rig_new(4 * MIB);
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned n = 0; n < 3000; n++) {
		for (uint8_t i = 0x20; i <= 0x33; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			if (i != 0x31)
				gr(r, i, (uint8_t)(seed >> 33));
		}
		gr(r, 0x23, 0); /* at most 256 lines */
		if (n % 7 == 0)
			sr7(r, (uint8_t)(seed >> 50));
		gr(r, 0x31, 0);
		gr(r, 0x31, CIRRUS_BLT_START);
		for (unsigned k = 0; k < 300 && cirrus_blt_wants_data(&r->b); k++)
			cirrus_blt_data(&r->b, &r->c, &r->v, (uint8_t)k);
		gr(r, 0x31, CIRRUS_BLT_RESET);
		gr(r, 0x31, 0);
		assert_false(cirrus_blt_wants_data(&r->b));
	}
	rig_free(r);
}

/* The blitter property off: GR31 start does nothing but reset. */
static void blitter_disabled(void **state)
{
	uint8_t *before;
	struct rig *r = rig_exact(&before);
	struct blt_args a = { .w = 16, .h = 2, .dpitch = 64, .spitch = 64, .dst = 0x100 };

	(void)state;
	sr7(r, 0x01);
	program(r, &a); /* through wr(): enabled */
	assert_int_not_equal(r->v.base[0x100], before[0x100]);
	memcpy(r->v.base, before, r->v.size);
	cirrus_blt_start(&r->b, &r->c, &r->v, false);
	assert_memory_equal(r->v.base, before, r->v.size);
	assert_int_equal(r->c.gr[CIRRUS_GR_BLT_STATUS] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START), 0);
	free(before);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_cases),
		cmocka_unit_test(cve_2014_8106_forwards_bound),
		cmocka_unit_test(cve_2017_2615_backwards_bound),
		cmocka_unit_test(cve_2016_9921_zero_pitch),
		cmocka_unit_test(cve_2017_2620_system_to_video),
		cmocka_unit_test(cve_2017_7980_pattern_and_wrap),
		cmocka_unit_test(width_bound),
		cmocka_unit_test(dirty_ranges),
		cmocka_unit_test(random_registers),
		cmocka_unit_test(blitter_disabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
