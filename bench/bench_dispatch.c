// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_dispatch: ioreqs per second through ioreq_handle() and the bus.
 *
 * A bus with a few PIO and MMIO regions whose handlers are plain register
 * files, then 1M requests (by default; argv[1] overrides) of each mix:
 *   pio    single in/out on three port blocks
 *   mmio   single 4/8-byte accesses spread over five MMIO regions (so the
 *          last-hit cache misses often) and a min-4 region taking 1-byte
 *          accesses (the widening path)
 *   mixed  PIO and MMIO interleaved, ~1/3 writes
 *   rep    REP INS and REP MOVS of 16 elements through flat RAM
 * Prints figures only; it never passes or fails on time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/bus.h"
#include "dm/ioreq.h"
#include "dm/log.h"
#include "dm/memory.h"

#define NREQ_DEFAULT 1000000u
#define TABLE	     4096u /* requests cycled through; a power of two */

struct regs {
	uint64_t r[512];
};

static uint64_t regs_read(void *opaque, uint64_t off, unsigned size)
{
	struct regs *g = opaque;

	(void)size;
	return g->r[(off >> 3) & 511];
}

static void regs_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct regs *g = opaque;

	(void)size;
	g->r[(off >> 3) & 511] = val;
}

static const struct region_ops pio_ops = { .read = regs_read, .write = regs_write };
static const struct region_ops mmio_ops = { .read = regs_read, .write = regs_write };
static const struct region_ops min4_ops = {
	.read = regs_read, .write = regs_write, .min_size = 4, .max_size = 4
};

static const struct {
	enum bus_space space;
	uint64_t base, len;
	const struct region_ops *ops;
} layout[] = {
	{ BUS_PIO, 0x3f8, 8, &pio_ops },
	{ BUS_PIO, 0xc000, 0x40, &pio_ops },
	{ BUS_PIO, 0x510, 2, &pio_ops },
	{ BUS_MMIO, 0xa0000, 0x20000, &mmio_ops },
	{ BUS_MMIO, 0xf0000000, 0x1000000, &mmio_ops },
	{ BUS_MMIO, 0xf1000000, 0x1000, &mmio_ops },
	{ BUS_MMIO, 0xf1020000, 0x20000, &mmio_ops },
	{ BUS_MMIO, 0xfebf0000, 0x1000, &min4_ops },
};
#define NREG (sizeof(layout) / sizeof(layout[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static struct dm_ioreq pio_req(void)
{
	static const uint16_t ports[] = { 0x3f8, 0x3fd, 0xc000, 0xc010, 0x510 };
	struct dm_ioreq r = { .count = 1, .type = DM_IOREQ_PIO };
	unsigned k = rnd();

	r.addr = ports[k % 5];
	r.size = (r.addr == 0xc000 || r.addr == 0xc010) ? 4 : (r.addr == 0x510 ? 2 : 1);
	r.dir = k % 3 == 0 ? DM_IOREQ_WRITE : DM_IOREQ_READ;
	r.data = k;
	return r;
}

static struct dm_ioreq mmio_req(void)
{
	static const uint64_t bases[] = { 0xa0000, 0xf0000000, 0xf1000000, 0xf1020000, 0xfebf0000 };
	struct dm_ioreq r = { .count = 1, .type = DM_IOREQ_COPY };
	unsigned k = rnd();

	r.addr = bases[k % 5] + ((k >> 8) & 0xff8);
	r.size = k % 5 == 4 ? 1 : (k & 0x10 ? 8 : 4);
	r.dir = k % 3 == 0 ? DM_IOREQ_WRITE : DM_IOREQ_READ;
	r.data = k;
	return r;
}

static struct dm_ioreq rep_req(void)
{
	struct dm_ioreq r = { .count = 16, .data_is_ptr = true };
	unsigned k = rnd();

	if (k & 1) {
		r.type = DM_IOREQ_PIO;
		r.addr = 0xc000;
		r.size = 4;
	} else {
		r.type = DM_IOREQ_COPY;
		r.addr = 0xf0000000 + ((k >> 8) & 0xff8);
		r.size = 8;
	}
	r.dir = k & 2 ? DM_IOREQ_WRITE : DM_IOREQ_READ;
	r.data = 0x100000 + ((k >> 4) & 0xff000);
	return r;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run(struct ioreq_ctx *ctx, const char *name, struct dm_ioreq (*gen)(void),
		struct dm_ioreq (*gen2)(void), unsigned n)
{
	static struct dm_ioreq table[TABLE];
	uint64_t sink = 0, rej0 = ctx->rejected;
	double t0, dt;
	unsigned i;

	for (i = 0; i < TABLE; i++)
		table[i] = gen2 && (i & 1) ? gen2() : gen();
	t0 = now();
	for (i = 0; i < n; i++) {
		struct dm_ioreq r = table[i & (TABLE - 1)];

		ioreq_handle(ctx, &r);
		sink += r.data;
	}
	dt = now() - t0;
	printf("%-6s %9u ioreqs  %8.3f s  %12.0f ioreqs/s  %7.1f ns/ioreq%s  (sink %llx)\n", name,
	       n, dt, n / dt, dt * 1e9 / n, ctx->rejected != rej0 ? "  REJECTS!" : "",
	       (unsigned long long)(sink & 0xf));
}

int main(int argc, char **argv)
{
	static struct regs regs[NREG];
	static struct region regions[NREG];
	struct flat_ram ram;
	struct guest_mem gm;
	struct ioreq_ctx ctx = { 0 };
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : NREQ_DEFAULT;
	struct bus *bus;
	unsigned i;

	log_mask = 0;
	if (!n)
		n = NREQ_DEFAULT;
	bus = bus_new();
	if (!bus || flat_ram_init(&ram, &gm, 16u << 20)) {
		fprintf(stderr, "bench_dispatch: out of memory\n");
		return 1;
	}
	for (i = 0; i < NREG; i++) {
		regions[i] = (struct region){ .name = "bench",
					      .space = layout[i].space,
					      .base = layout[i].base,
					      .len = layout[i].len,
					      .ops = layout[i].ops,
					      .opaque = &regs[i] };
		if (bus_add(bus, &regions[i])) {
			fprintf(stderr, "bench_dispatch: bus_add %u failed\n", i);
			return 1;
		}
	}
	ctx.bus = bus;
	ctx.mem = &gm;
	printf("bench_dispatch: %zu regions, requests cycled from a table of %u\n", NREG, TABLE);
	run(&ctx, "pio", pio_req, NULL, n);
	run(&ctx, "mmio", mmio_req, NULL, n);
	run(&ctx, "mixed", pio_req, mmio_req, n);
	run(&ctx, "rep16", rep_req, NULL, n / 16 ? n / 16 : 1);
	bus_free(bus);
	flat_ram_fini(&ram);
	return 0;
}
