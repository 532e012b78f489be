// SPDX-License-Identifier: GPL-2.0-only
/*
 * The std VGA's display path (hw/vga/vga_render.c through dm/display.h):
 * CPU time to render a full 1024x768x32 frame, a 1 % dirty update (8 lines
 * rewritten through the framebuffer BAR), and a refresh of a static screen,
 * beside a plain memcpy of the frame (the physical limit). Measures; never
 * fails. QEMU's screendump of the same content: bench/run.sh notes it is
 * not measured here (QEMU pays a QMP round trip and a PPM write per frame).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/display.h"
#include "dm/machine.h"

#define LFB 0xe0000000u
#define W   1024
#define H   768

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void vbe(struct bus *b, uint16_t i, uint16_t v)
{
	bus_write(b, BUS_PIO, 0x1ce, i, 2);
	bus_write(b, BUS_PIO, 0x1cf, v, 2);
}

int main(void)
{
	struct machine_opts o = { .kind = MACHINE_PC, .ram_mb = 64, .smp = 1 };
	struct machine m = { .opts = &o };
	struct display_surface s;
	struct display_dirty d;
	struct dm_dev *dev;
	char err[256];
	double t0, full, part, idle, copy;
	uint32_t *frame, *dst;
	unsigned n = 200;

	m.devs_tail = &m.devs;
	m.bus = bus_new();
	if (!m.bus || dev_parse(&m, "VGA,addr=2,romfile=", &dev, err, sizeof(err)) ||
	    dev_realize(dev) || !m.devs) {
		fprintf(stderr, "bench_vga: cannot build the VGA: %s\n", err);
		return 1;
	}
	bus_pci_write(m.bus, 0x10, 0x10, LFB, 4);
	bus_pci_write(m.bus, 0x10, 0x04, 2, 2);
	vbe(m.bus, 1, W);
	vbe(m.bus, 2, H);
	vbe(m.bus, 3, 32);
	vbe(m.bus, 4, 0x41);
	bus_read(m.bus, BUS_PIO, 0x3da, 1);
	bus_write(m.bus, BUS_PIO, 0x3c0, 0x20, 1);
	for (unsigned i = 0; i < W * H; i++)
		bus_write(m.bus, BUS_MMIO, LFB + 4 * i, i * 2654435761u, 4);
	t0 = now();
	for (unsigned i = 0; i < n; i++)
		display_refresh(&m, true, &s, &d);
	full = (now() - t0) / n;
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		for (unsigned y = 0; y < H / 100; y++)
			for (unsigned x = 0; x < W; x += 64)
				bus_write(m.bus, BUS_MMIO, LFB + 4 * ((i * 8 + y) % H * W + x), i,
					  4);
		display_refresh(&m, false, &s, &d);
	}
	part = (now() - t0) / n;
	t0 = now();
	for (unsigned i = 0; i < n * 10; i++)
		display_refresh(&m, false, &s, &d);
	idle = (now() - t0) / (n * 10);
	frame = malloc(W * H * 4);
	dst = malloc(W * H * 4);
	memset(frame, 1, W * H * 4);
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		memcpy(dst, frame, W * H * 4);
		frame[i % (W * H)] ^= dst[(i * 7) % (W * H)];
	}
	copy = (now() - t0) / n;
	printf("vga render 1024x768x32: full frame %.3f ms, 1%% dirty (8 lines) %.3f ms, "
	       "static screen %.4f ms, memcpy of the frame %.3f ms\n",
	       full * 1e3, part * 1e3, idle * 1e3, copy * 1e3);
	free(frame);
	free(dst);
	m.devs = NULL;
	dev_free(dev);
	bus_free(m.bus);
	return 0;
}
