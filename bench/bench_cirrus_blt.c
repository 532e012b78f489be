// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_cirrus_blt: the Cirrus BitBLT engine (hw/vga/cirrus_blt.c) on a
 * 1024x768 screen, each blit beside the plain memset/memcpy of the same
 * bytes (the physical limit): a 32 bpp solid fill, a 32 bpp screen-to-screen
 * copy forwards and backwards, an 8 bpp copy with ROP xor, an 8 bpp colour
 * expansion and a 32 bpp pattern fill. Every VRAM byte goes through the
 * 4 MiB address reduction, which is the price of the engine's safety.
 * Prints figures only; it never passes or fails on time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/vga/cirrus_blt.h"
#include "hw/vga/cirrus_regs.h"

#define MIB  (1u << 20)
#define W    1024u
#define H    768u
#define REPS 20u

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

struct rig {
	struct vga_regs vga;
	struct cirrus_regs c;
	struct cirrus_blt b;
	struct cirrus_vram v;
};

static void gr(struct rig *r, uint8_t i, uint8_t v)
{
	unsigned ev = cirrus_gr_write(&r->c, i, v);

	if (ev & CIRRUS_EV_BLT_START)
		cirrus_blt_start(&r->b, &r->c, &r->v, true);
}

/* width in bytes, height in lines; pitch 4096 (1024 pixels of 32 bpp). */
static void blit(struct rig *r, unsigned w, unsigned h, uint32_t dst, uint32_t src, uint8_t mode,
		 uint8_t rop, uint8_t ext)
{
	gr(r, 0x20, (uint8_t)(w - 1));
	gr(r, 0x21, (uint8_t)((w - 1) >> 8));
	gr(r, 0x22, (uint8_t)(h - 1));
	gr(r, 0x23, (uint8_t)((h - 1) >> 8));
	gr(r, 0x24, 0x00);
	gr(r, 0x25, 0x10);
	gr(r, 0x26, 0x00);
	gr(r, 0x27, 0x10);
	gr(r, 0x28, (uint8_t)dst);
	gr(r, 0x29, (uint8_t)(dst >> 8));
	gr(r, 0x2a, (uint8_t)(dst >> 16));
	gr(r, 0x2c, (uint8_t)src);
	gr(r, 0x2d, (uint8_t)(src >> 8));
	gr(r, 0x2e, (uint8_t)(src >> 16));
	gr(r, 0x30, mode);
	gr(r, 0x32, rop);
	gr(r, 0x33, ext);
	gr(r, 0x31, 0);
	gr(r, 0x31, CIRRUS_BLT_START);
}

static void report(const char *what, double t, double bytes, double tlimit)
{
	printf("   %-34s %8.2f ms/blit %8.0f MB/s   (memset/memcpy: %6.2f ms, %.1fx)\n", what,
	       t * 1e3 / REPS, bytes * REPS / t / 1e6, tlimit * 1e3 / REPS, t / tlimit);
}

int main(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	uint8_t *scratch = malloc(4 * MIB);
	double t0, t, tl;

	if (!r || !scratch)
		return 1;
	r->v.base = calloc(1, 8 * MIB);
	if (!r->v.base)
		return 1;
	r->v.size = 8 * MIB;
	r->v.mask = 4 * MIB - 1;
	vga_regs_init(&r->vga, &(struct vga_regs_cfg){ .retrace = VGA_RETRACE_TOGGLE });
	cirrus_regs_init(&r->c, &r->vga);
	r->c.sr[CIRRUS_SR_EXT_MODE] = 0x09; /* 32 bpp */
	printf("== Cirrus BitBLT, %ux%u, %u blits each\n", W, H, REPS);

	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		blit(r, W * 4 - 0, H, 0, 0, 0x30 | 0xc0, 0x0d, 0x04); /* 32 bpp solid fill */
	t = now() - t0;
	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		for (unsigned y = 0; y < H; y++)
			memset(scratch + y * 4096, (int)i, W * 4);
	tl = now() - t0;
	report("solid fill 32 bpp", t, W * 4.0 * H, tl);

	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		blit(r, W * 4 - 64, H - 16, 16 * 4096, 64, 0, 0x0d, 0); /* copy forwards */
	t = now() - t0;
	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		memmove(scratch + 16 * 4096, scratch + 64, (H - 16) * 4096);
	tl = now() - t0;
	report("copy forwards (ROP src)", t, (W * 4.0 - 64) * (H - 16), tl);

	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		blit(r, W * 4 - 64, H - 16, (H - 1) * 4096 + W * 4 - 1, (H - 17) * 4096 + W * 4 - 65,
		     0x01, 0x0d, 0); /* backwards */
	t = now() - t0;
	report("copy backwards (ROP src)", t, (W * 4.0 - 64) * (H - 16), tl);

	r->c.sr[CIRRUS_SR_EXT_MODE] = 0x01; /* 8 bpp */
	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		blit(r, W, H, 0x200000, 0x100000, 0, 0x59, 0); /* xor */
	t = now() - t0;
	report("copy 8 bpp, ROP xor", t, W * 1.0 * H, tl / 4);

	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		blit(r, W, H, 0x200000, 0x300000, 0x80, 0x0d, 0); /* colour expand */
	t = now() - t0;
	report("colour expand 8 bpp", t, W * 1.0 * H, tl / 4);

	r->c.sr[CIRRUS_SR_EXT_MODE] = 0x09;
	t0 = now();
	for (unsigned i = 0; i < REPS; i++)
		blit(r, W * 4, H, 0, 0x3fff00, 0x70, 0x0d, 0); /* 32 bpp pattern */
	t = now() - t0;
	report("pattern fill 32 bpp", t, W * 4.0 * H, tl);
	if (r->b.refused)
		printf("   (%llu blits refused: the figures are wrong)\n",
		       (unsigned long long)r->b.refused);
	free(r->v.base);
	free(r);
	free(scratch);
	return 0;
}
