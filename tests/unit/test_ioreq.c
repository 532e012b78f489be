// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioreq: request semantics per type as xen-interface.md §2.4 describes them
 * (Xen public/hvm/ioreq.h; QEMU handle_ioreq, cpu_ioreq_pio, cpu_ioreq_move,
 * cpu_ioreq_config): single and rep accesses, data_is_ptr both directions and
 * both df, the write-data mask, PCI_CONFIG address decoding, INVALIDATE and
 * TIMEOFFSET, and every malformed field answered with -EINVAL and all ones;
 * and REP INS/OUTS in bulk through a port's string ops (bus.h read_rep,
 * write_rep) checked against the element loop on a twin bus: same guest
 * memory, dirty pages, device state and answers, whatever the device moves.
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

#include "dm/bus.h"
#include "dm/ioreq.h"
#include "dm/log.h"
#include "dm/memory.h"

#define RAM_SIZE 0x100000ull
#define PORT	 0x510
#define MMIO_A	 0xfe000000ull
#define MMIO_B	 0xfe001000ull
#define SHADOW	 0x80000ull /* an MMIO window over RAM, like legacy VGA */
#define DEVFN	 0x18	    /* 03.0 */

struct acc {
	char op;
	uint64_t off, val;
	unsigned size;
};

struct dev {
	struct acc log[64];
	unsigned n;
	uint64_t next; /* PIO: successive reads answer 0x11, 0x22, ... */
};

static void rec(struct dev *d, char op, uint64_t off, uint64_t val, unsigned size)
{
	if (d->n < 64)
		d->log[d->n++] = (struct acc){ op, off, val, size };
}

static uint64_t pattern(uint64_t off, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)((0xa0 + off + i) & 0xff) << (8 * i);
	return v;
}

static uint64_t fifo_read(void *opaque, uint64_t off, unsigned size)
{
	struct dev *d = opaque;

	rec(d, 'r', off, 0, size);
	d->next += 0x11;
	return d->next;
}

static uint64_t pat_read(void *opaque, uint64_t off, unsigned size)
{
	rec(opaque, 'r', off, 0, size);
	return pattern(off, size);
}

static void any_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	rec(opaque, 'w', off, val, size);
}

static uint32_t cfg_read(void *opaque, unsigned reg, unsigned size)
{
	rec(opaque, 'r', reg, 0, size);
	return (uint32_t)pattern(reg, size);
}

static void cfg_write(void *opaque, unsigned reg, uint32_t val, unsigned size)
{
	rec(opaque, 'w', reg, val, size);
}

static const struct region_ops fifo_ops = { .read = fifo_read, .write = any_write };
static const struct region_ops pat_ops = { .read = pat_read, .write = any_write };
static const struct pci_cfg_ops cfg_ops = { .read = cfg_read, .write = cfg_write };

struct fx {
	struct bus *bus;
	struct flat_ram ram;
	struct guest_mem gm;
	struct guest_mem_ops ops; /* flat RAM's, with invalidate counted */
	struct ioreq_ctx ctx;
	struct dev pio, a, b, shadow, cfg;
	struct region rp, ra, rb, rs;
	unsigned invalidates;
	int64_t offset_seen;
	unsigned offsets;
};

static struct fx *the_fx;

static void count_invalidate(void *opaque)
{
	(void)opaque;
	the_fx->invalidates++;
}

static void on_timeoffset(void *opaque, int64_t s)
{
	struct fx *f = opaque;

	f->offset_seen = s;
	f->offsets++;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	the_fx = f;
	f->bus = bus_new();
	assert_int_equal(flat_ram_init(&f->ram, &f->gm, RAM_SIZE), 0);
	f->ops = *f->gm.ops;
	f->ops.invalidate = count_invalidate;
	f->gm.ops = &f->ops;
	f->rp = (struct region){ "fifo", BUS_PIO, PORT, 4, &fifo_ops, &f->pio, false, 0 };
	f->ra = (struct region){ "a", BUS_MMIO, MMIO_A, 0x1000, &pat_ops, &f->a, false, 0 };
	f->rb = (struct region){ "b", BUS_MMIO, MMIO_B, 0x1000, &pat_ops, &f->b, false, 0 };
	f->rs = (struct region){ "shadow", BUS_MMIO, SHADOW, 0x10, &pat_ops, &f->shadow, false, 0 };
	assert_int_equal(bus_add(f->bus, &f->rp), 0);
	assert_int_equal(bus_add(f->bus, &f->ra), 0);
	assert_int_equal(bus_add(f->bus, &f->rb), 0);
	assert_int_equal(bus_add(f->bus, &f->rs), 0);
	assert_int_equal(bus_pci_attach(f->bus, DEVFN, &cfg_ops, &f->cfg), 0);
	f->ctx = (struct ioreq_ctx){
		.bus = f->bus, .mem = &f->gm, .timeoffset = on_timeoffset, .opaque = f
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->ram.maps_live, 0);
	bus_free(f->bus);
	flat_ram_fini(&f->ram);
	free(f);
	return 0;
}

static struct dm_ioreq rq(uint8_t type, uint8_t dir, uint64_t addr, uint64_t data, uint32_t size,
			  uint32_t count, bool ptr, bool df)
{
	return (struct dm_ioreq){ .addr = addr,
				  .data = data,
				  .count = count,
				  .size = size,
				  .type = type,
				  .dir = dir,
				  .df = df,
				  .data_is_ptr = ptr };
}

static void assert_acc(const struct dev *d, unsigned i, char op, uint64_t off, uint64_t val,
		       unsigned size)
{
	assert_true(i < d->n);
	assert_int_equal(d->log[i].op, op);
	assert_int_equal(d->log[i].off, off);
	assert_int_equal(d->log[i].size, size);
	if (op == 'w')
		assert_int_equal(d->log[i].val, val);
}

static uint32_t ram32(struct fx *f, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, flat_ram_ptr(&f->ram, gpa, 4), 4);
	return v;
}

static uint16_t ram16(struct fx *f, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, flat_ram_ptr(&f->ram, gpa, 2), 2);
	return v;
}

/* ------------------------------------------------------------ PIO */

static void pio_single(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT + 2, 0x5555, 2, 1, false, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0x11);
	assert_acc(&f->pio, 0, 'r', 2, 0, 2);
	/* Write data is masked to the size before anything sees it (QEMU handle_ioreq). */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, PORT, 0xdeadbeef, 1, 1, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0xef);
	assert_acc(&f->pio, 1, 'w', 0, 0xef, 1);
	r = rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, PORT, 0xfeedfacecafef00dull, 4, 1, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->pio, 2, 'w', 0, 0xcafef00d, 4);
	/* A direct request is one access whatever its count. */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT, 0, 1, 5, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(f->pio.n, 4);
	/* An unclaimed port reads all ones. */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, 0x80, 0, 4, 1, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0xffffffff);
	assert_int_equal(f->ctx.handled, 5);
	assert_int_equal(f->ctx.rejected, 0);
}

static void pio_rep_ins_both_df(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT, 0x1000, 2, 4, true, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0x1000); /* the pointer is left as it was */
	assert_int_equal(ram16(f, 0x1000), 0x11);
	assert_int_equal(ram16(f, 0x1002), 0x22);
	assert_int_equal(ram16(f, 0x1004), 0x33);
	assert_int_equal(ram16(f, 0x1006), 0x44);
	assert_int_equal(f->pio.n, 4);
	assert_acc(&f->pio, 3, 'r', 0, 0, 2); /* the port does not move */
	assert_true(flat_ram_test_dirty(&f->ram, 0x1000));
	/* df: elements descend from data. */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT, 0x2008, 4, 3, true, true);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(ram32(f, 0x2008), 0x55);
	assert_int_equal(ram32(f, 0x2004), 0x66);
	assert_int_equal(ram32(f, 0x2000), 0x77);
	assert_int_equal(ram32(f, 0x200c), 0);
}

static void pio_rep_outs_both_df(void **state)
{
	struct fx *f = *state;
	static const uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct dm_ioreq r = rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, PORT, 0x3000, 2, 4, true, false);

	memcpy(flat_ram_ptr(&f->ram, 0x3000, 8), src, 8);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(f->pio.n, 4);
	assert_acc(&f->pio, 0, 'w', 0, 0x0201, 2);
	assert_acc(&f->pio, 1, 'w', 0, 0x0403, 2);
	assert_acc(&f->pio, 3, 'w', 0, 0x0807, 2);
	r = rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, PORT, 0x3006, 1, 3, true, true);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->pio, 4, 'w', 0, 7, 1);
	assert_acc(&f->pio, 5, 'w', 0, 6, 1);
	assert_acc(&f->pio, 6, 'w', 0, 5, 1);
}

static void ptr_fault_ends_the_rep(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT, RAM_SIZE - 8, 4, 4, true, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), -EFAULT);
	assert_int_equal(ram32(f, RAM_SIZE - 8), 0x11);
	assert_int_equal(ram32(f, RAM_SIZE - 4), 0x22);
	/* The third element's port read happened, then its store faulted. */
	assert_int_equal(f->pio.n, 3);
	/* OUTS from a buffer running out of RAM: the elements before the hole go out. */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, PORT, RAM_SIZE - 4, 4, 3, true, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), -EFAULT);
	assert_int_equal(f->pio.n, 4);
	assert_acc(&f->pio, 3, 'w', 0, 0x22, 4);
	/* Descending below 0 wraps to the top of the space, which is no memory. */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, PORT, 0x0, 4, 2, true, true);
	assert_int_equal(ioreq_handle(&f->ctx, &r), -EFAULT);
	assert_int_equal(f->pio.n, 5);
	/* MMIO REP MOVS into a hole. */
	r = rq(DM_IOREQ_COPY, DM_IOREQ_READ, MMIO_A, 0xc0000000, 8, 2, true, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), -EFAULT);
	assert_int_equal(f->a.n, 1);
	assert_int_equal(f->ctx.rejected, 0);
}

/* ------------------------------------------------------------ COPY */

static void copy_direct(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq r = rq(DM_IOREQ_COPY, DM_IOREQ_READ, MMIO_A + 8, 0, 8, 1, false, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, pattern(8, 8));
	/* REP STOS, ascending and descending. */
	r = rq(DM_IOREQ_COPY, DM_IOREQ_WRITE, MMIO_A + 0x10, 0xab12345678ull, 4, 3, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->a, 1, 'w', 0x10, 0x12345678, 4);
	assert_acc(&f->a, 2, 'w', 0x14, 0x12345678, 4);
	assert_acc(&f->a, 3, 'w', 0x18, 0x12345678, 4);
	r = rq(DM_IOREQ_COPY, DM_IOREQ_WRITE, MMIO_A + 0x10, 0x99, 2, 3, false, true);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->a, 4, 'w', 0x10, 0x99, 2);
	assert_acc(&f->a, 5, 'w', 0x0e, 0x99, 2);
	assert_acc(&f->a, 6, 'w', 0x0c, 0x99, 2);
	/* Repeated reads: the last one wins. */
	r = rq(DM_IOREQ_COPY, DM_IOREQ_READ, MMIO_A + 0x20, 0, 1, 3, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, pattern(0x22, 1));
	assert_int_equal(f->a.n, 10);
	/* Unclaimed MMIO: all ones. */
	r = rq(DM_IOREQ_COPY, DM_IOREQ_READ, 0xfed00000, 0, 8, 1, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, ~0ull);
}

static void copy_ptr_both_directions_both_df(void **state)
{
	struct fx *f = *state;
	uint8_t want[16];
	struct dm_ioreq r = rq(DM_IOREQ_COPY, DM_IOREQ_READ, MMIO_A, 0x4000, 4, 4, true, false);
	unsigned i;

	for (i = 0; i < 16; i++)
		want[i] = (uint8_t)(0xa0 + i);
	/* MMIO -> RAM, ascending. */
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_memory_equal(flat_ram_ptr(&f->ram, 0x4000, 16), want, 16);
	assert_true(flat_ram_test_dirty(&f->ram, 0x4000));
	/* MMIO -> RAM, descending: the same bytes land in the same places. */
	r = rq(DM_IOREQ_COPY, DM_IOREQ_READ, MMIO_A + 12, 0x500c, 4, 4, true, true);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_memory_equal(flat_ram_ptr(&f->ram, 0x5000, 16), want, 16);
	assert_acc(&f->a, 4, 'r', 12, 0, 4);
	assert_acc(&f->a, 7, 'r', 0, 0, 4);
	/* RAM -> MMIO, both ways. */
	r = rq(DM_IOREQ_COPY, DM_IOREQ_WRITE, MMIO_A + 0x100, 0x4000, 8, 2, true, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->a, 8, 'w', 0x100, pattern(0, 8), 8);
	assert_acc(&f->a, 9, 'w', 0x108, pattern(8, 8), 8);
	r = rq(DM_IOREQ_COPY, DM_IOREQ_WRITE, MMIO_A + 0x108, 0x4008, 8, 2, true, true);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->a, 10, 'w', 0x108, pattern(8, 8), 8);
	assert_acc(&f->a, 11, 'w', 0x100, pattern(0, 8), 8);
}

static void copy_ptr_between_mmio_regions(void **state)
{
	struct fx *f = *state;
	/* REP MOVS from device a to device b: the "RAM" side is itself MMIO. */
	struct dm_ioreq r =
	    rq(DM_IOREQ_COPY, DM_IOREQ_READ, MMIO_A + 0x40, MMIO_B + 0x80, 4, 2, true, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(f->b.n, 2);
	assert_acc(&f->b, 0, 'w', 0x80, pattern(0x40, 4), 4);
	assert_acc(&f->b, 1, 'w', 0x84, pattern(0x44, 4), 4);
	/* An MMIO window over RAM takes precedence over the RAM under it. */
	memset(flat_ram_ptr(&f->ram, SHADOW, 0x10), 0x77, 0x10);
	r = rq(DM_IOREQ_COPY, DM_IOREQ_WRITE, MMIO_A, SHADOW + 4, 4, 1, true, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->shadow, 0, 'r', 4, 0, 4);
	assert_acc(&f->a, 2, 'w', 0, pattern(4, 4), 4);
}

static void phys_access_splits_ram_and_mmio(void **state)
{
	struct fx *f = *state;
	uint8_t buf[32], ram_before[0x10];
	unsigned i;

	for (i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	memcpy(ram_before, flat_ram_ptr(&f->ram, SHADOW, 0x10), 0x10);
	/* 8 bytes RAM, 16 bytes MMIO, 8 bytes RAM. */
	assert_int_equal(ioreq_phys_write(&f->ctx, SHADOW - 8, buf, 32), 0);
	assert_memory_equal(flat_ram_ptr(&f->ram, SHADOW - 8, 8), buf, 8);
	assert_memory_equal(flat_ram_ptr(&f->ram, SHADOW + 0x10, 8), buf + 24, 8);
	assert_memory_equal(flat_ram_ptr(&f->ram, SHADOW, 0x10), ram_before, 0x10);
	assert_int_equal(f->shadow.n, 2);
	assert_acc(&f->shadow, 0, 'w', 0, 0x0f0e0d0c0b0a0908ull, 8);
	assert_acc(&f->shadow, 1, 'w', 8, 0x1716151413121110ull, 8);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ioreq_phys_read(&f->ctx, SHADOW + 0xe, buf, 5), 0);
	assert_int_equal(buf[0], 0xae);
	assert_int_equal(buf[1], 0xaf);
	assert_int_equal(buf[2], 0x18);
	/* Nothing at all there, or running off the end of RAM. */
	assert_int_equal(ioreq_phys_read(&f->ctx, 0xc0000000, buf, 4), -EFAULT);
	assert_int_equal(ioreq_phys_write(&f->ctx, RAM_SIZE - 2, buf, 4), -EFAULT);
	assert_int_equal(ioreq_phys_read(&f->ctx, ~0ull - 1, buf, 4), -EFAULT);
	assert_int_equal(ioreq_phys_read(&f->ctx, ~0ull, buf, 0), 0);
}

/* ------------------------------------------------------------ PCI_CONFIG */

static void pci_config_decoding(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq r = rq(DM_IOREQ_PCI_CONFIG, DM_IOREQ_READ, (uint64_t)DEVFN << 32 | 0x40, 0,
			       4, 1, false, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, pattern(0x40, 4));
	assert_acc(&f->cfg, 0, 'r', 0x40, 0, 4);
	r = rq(DM_IOREQ_PCI_CONFIG, DM_IOREQ_WRITE, (uint64_t)DEVFN << 32 | 0x04, 0xffff0107, 2, 1,
	       false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->cfg, 1, 'w', 0x04, 0x0107, 2);
	/* Segment 1, bus 1, another device, extended space: all ones, nothing called. */
	r = rq(DM_IOREQ_PCI_CONFIG, DM_IOREQ_READ, (0x10000ull | DEVFN) << 32, 0, 4, 1, false,
	       false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0xffffffff);
	r.addr = (0x100ull | DEVFN) << 32;
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0xffffffff);
	r.addr = (uint64_t)0x20 << 32;
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0xffffffff);
	r.addr = (uint64_t)DEVFN << 32 | 0x100;
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(r.data, 0xffffffff);
	assert_int_equal(f->cfg.n, 2);
	/* Through a guest buffer, one element each way. */
	r = rq(DM_IOREQ_PCI_CONFIG, DM_IOREQ_READ, (uint64_t)DEVFN << 32 | 0x08, 0x6000, 4, 1, true,
	       false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(ram32(f, 0x6000), pattern(8, 4));
	r.dir = DM_IOREQ_WRITE;
	r.addr = (uint64_t)DEVFN << 32 | 0x10;
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_acc(&f->cfg, 3, 'w', 0x10, pattern(8, 4), 4);
}

/* ------------------------------------------------------------ control requests */

static void invalidate_and_timeoffset(void **state)
{
	struct fx *f = *state;
	/* As Xen sends it: size 4, data ~0, WRITE, count 0 (ioreq_signal_mapcache_invalidate). */
	struct dm_ioreq r = rq(DM_IOREQ_INVALIDATE, DM_IOREQ_WRITE, 0, ~0ull, 4, 0, false, false);

	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(f->invalidates, 1);
	/* Xen's send_timeoffset_req: size 8, count 1, data = offset in seconds. */
	r = rq(DM_IOREQ_TIMEOFFSET, DM_IOREQ_WRITE, 0, (uint64_t)-3600, 8, 1, false, false);
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(f->offsets, 1);
	assert_int_equal(f->offset_seen, -3600);
	f->ctx.timeoffset = NULL;
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	assert_int_equal(f->offsets, 1);
	assert_int_equal(f->ctx.handled, 3);
	/* Control requests are still checked for direction. */
	r.dir = 7;
	assert_int_equal(ioreq_handle(&f->ctx, &r), -EINVAL);
	assert_int_equal(f->ctx.rejected, 1);
}

/* ------------------------------------------------------------ malformed */

struct bad {
	const char *what;
	struct dm_ioreq r;
};

static void every_malformed_field(void **state)
{
	struct fx *f = *state;
	const uint8_t P = DM_IOREQ_PIO, C = DM_IOREQ_COPY, G = DM_IOREQ_PCI_CONFIG;
	const uint8_t R = DM_IOREQ_READ, W = DM_IOREQ_WRITE;
	const uint64_t cfg = (uint64_t)DEVFN << 32;
	const struct bad bad[] = {
		{ "size 0", rq(C, R, MMIO_A, 0, 0, 1, false, false) },
		{ "size 3", rq(C, R, MMIO_A, 0, 3, 1, false, false) },
		{ "size 16", rq(C, R, MMIO_A, 0, 16, 1, false, false) },
		{ "size 5 write", rq(C, W, MMIO_A, 0, 5, 1, false, false) },
		{ "pio size 8", rq(P, R, PORT, 0, 8, 1, false, false) },
		{ "pci size 8", rq(G, R, cfg, 0, 8, 1, false, false) },
		{ "pci size 0", rq(G, R, cfg, 0, 0, 1, false, false) },
		{ "count 0", rq(P, R, PORT, 0x1000, 1, 0, true, false) },
		{ "count 0 direct", rq(C, W, MMIO_A, 0, 4, 0, false, false) },
		{ "count max+1", rq(P, R, PORT, 0x1000, 1, DM_IOREQ_MAX_COUNT + 1, true, false) },
		{ "count ~0", rq(C, R, MMIO_A, 0x1000, 1, 0xffffffffu, true, false) },
		{ "pci count 2", rq(G, R, cfg, 0x1000, 4, 2, true, false) },
		{ "pci count 0", rq(G, R, cfg, 0, 4, 0, false, false) },
		{ "dir 2", rq(P, 2, PORT, 0, 1, 1, false, false) },
		{ "dir 255", rq(C, 255, MMIO_A, 0, 4, 1, false, false) },
		{ "type 3 (vmware port)", rq(3, R, PORT, 0, 4, 1, false, false) },
		{ "type 4", rq(4, R, 0, 0, 4, 1, false, false) },
		{ "type 9", rq(9, R, 0, 0, 4, 1, false, false) },
		{ "type 255", rq(255, R, 0, 0, 4, 1, false, false) },
		{ "port 0x10000", rq(P, R, 0x10000, 0, 1, 1, false, false) },
		{ "port 0xffff size 2", rq(P, R, 0xffff, 0, 2, 1, false, false) },
		{ "port way out", rq(P, R, 0xffffffff00000510ull, 0, 1, 1, false, false) },
		{ "copy last byte wraps", rq(C, R, ~0ull - 3, 0, 8, 1, false, false) },
		{ "copy rep wraps up", rq(C, R, ~0ull - 0x7ffe, 0x1000, 8, 4096, true, false) },
		{ "copy rep wraps down", rq(C, R, 0x10, 0, 8, 4, false, true) },
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dm_ioreq r = bad[i].r;

		r.data = 0x1000;
		if (ioreq_handle(&f->ctx, &r) != -EINVAL)
			fail_msg("%s: accepted", bad[i].what);
		if (r.dir != DM_IOREQ_WRITE && r.data != ~0ull)
			fail_msg("%s: read data 0x%llx, not all ones", bad[i].what,
				 (unsigned long long)r.data);
		if (r.dir == DM_IOREQ_WRITE && r.data != 0x1000)
			fail_msg("%s: write data changed", bad[i].what);
	}
	assert_int_equal(f->ctx.rejected, i);
	assert_int_equal(f->ctx.handled, 0);
	assert_int_equal(f->pio.n + f->a.n + f->cfg.n, 0);
	assert_int_equal(ram32(f, 0x1000), 0);
}

static void boundaries_accepted(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq ok[] = {
		rq(DM_IOREQ_COPY, DM_IOREQ_READ, 0x18, 0, 8, 4, false, true),	    /* down to 0 */
		rq(DM_IOREQ_COPY, DM_IOREQ_READ, ~0ull - 7, 0, 8, 1, false, false), /* to the top */
		rq(DM_IOREQ_COPY, DM_IOREQ_READ, ~0ull - 0x7fff, 0, 8, DM_IOREQ_MAX_COUNT, false,
		   false),
		rq(DM_IOREQ_PIO, DM_IOREQ_READ, 0xfffc, 0, 4, 1, false, false),
		rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT, 0x10000, 1, DM_IOREQ_MAX_COUNT, true, false),
	};
	unsigned i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ioreq_handle(&f->ctx, &ok[i]) != 0)
			fail_msg("request %u refused", i);
	assert_int_equal(f->ctx.rejected, 0);
	assert_int_equal(f->pio.next, 0x11ull * DM_IOREQ_MAX_COUNT);
}

/* With -d ioreq every request is logged, with what it answered. */
static void ioreq_category_logs_requests(void **state)
{
	struct fx *f = *state;
	struct dm_ioreq r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, PORT, 0, 1, 1, false, false);
	char line[256] = "";
	FILE *out = tmpfile();
	unsigned saved = log_mask;

	assert_non_null(out);
	log_set_stream(out);
	log_mask |= LOG_IOREQ;
	assert_int_equal(ioreq_handle(&f->ctx, &r), 0);
	log_mask = saved;
	log_set_stream(NULL);
	rewind(out);
	assert_non_null(fgets(line, sizeof(line), out));
	fclose(out);
	assert_non_null(strstr(line, "ioreq: pio read addr 0x510 size 1 count 1 data 0x11 -> 0"));
}

/* ------------------------------------------------------------ string I/O in bulk */

/*
 * A port with a data stream: element k reads as bytes elem_byte(k, i), and
 * every BLOCK elements a block ends (a status change the bulk path must
 * produce at the same element). Written elements land in sink. The same
 * device is mapped twice: with read_rep/write_rep on one bus, without on
 * the other, so the element loop is the reference for the bulk path.
 */
#define REP_PORT  0x1f0
#define REP_BLOCK 256u
#define REP_SINK  (DM_IOREQ_MAX_COUNT * 4 * 4)

struct repdev {
	uint32_t pos, blocks;
	size_t rep_limit; /* most elements one rep call moves */
	size_t rep_claim; /* added to what a rep call answers (a lying device) */
	unsigned rep_calls, singles;
	size_t rep_elems;
	uint8_t sink[REP_SINK];
};

static uint8_t elem_byte(uint32_t k, unsigned i)
{
	return (uint8_t)(k * 13 + i * 0x51 + 7);
}

static void rep_advance(struct repdev *d)
{
	d->pos++;
	if (d->pos % REP_BLOCK == 0)
		d->blocks++;
}

static uint64_t rep_elem(struct repdev *d, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)elem_byte(d->pos, i) << (8 * i);
	rep_advance(d);
	return v;
}

static void rep_store(struct repdev *d, uint64_t v, unsigned size)
{
	if ((size_t)d->pos * size + size <= REP_SINK)
		memcpy(d->sink + (size_t)d->pos * size, &v, size);
	rep_advance(d);
}

static uint64_t rep_read(void *opaque, uint64_t off, unsigned size)
{
	struct repdev *d = opaque;

	assert_int_equal(off, 0);
	d->singles++;
	return rep_elem(d, size);
}

static void rep_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct repdev *d = opaque;

	assert_int_equal(off, 0);
	d->singles++;
	rep_store(d, val, size);
}

static size_t rep_n(struct repdev *d, size_t count)
{
	d->rep_calls++;
	return count < d->rep_limit ? count : d->rep_limit;
}

static size_t rep_read_rep(void *opaque, uint64_t off, unsigned size, void *buf, size_t count)
{
	struct repdev *d = opaque;
	size_t n = rep_n(d, count);

	assert_int_equal(off, 0);
	for (size_t k = 0; k < n; k++) {
		uint64_t v = rep_elem(d, size);

		memcpy((uint8_t *)buf + k * size, &v, size);
	}
	d->rep_elems += n;
	return n + d->rep_claim;
}

static size_t rep_write_rep(void *opaque, uint64_t off, unsigned size, const void *buf,
			    size_t count)
{
	struct repdev *d = opaque;
	size_t n = rep_n(d, count);

	assert_int_equal(off, 0);
	for (size_t k = 0; k < n; k++) {
		uint64_t v = 0;

		memcpy(&v, (const uint8_t *)buf + k * size, size);
		rep_store(d, v, size);
	}
	d->rep_elems += n;
	return n + d->rep_claim;
}

static const struct region_ops rep_loop_ops = { .read = rep_read, .write = rep_write };
static const struct region_ops rep_bulk_ops = {
	.read = rep_read,
	.write = rep_write,
	.read_rep = rep_read_rep,
	.write_rep = rep_write_rep,
};

/* One side of the comparison: a bus, RAM with an MMIO window at SHADOW, the device. */
struct side {
	struct bus *bus;
	struct flat_ram ram;
	struct guest_mem gm;
	struct ioreq_ctx ctx;
	struct repdev dev;
	struct dev shadow;
	struct region r, rs;
};

static void side_init(struct side *s, const struct region_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->bus = bus_new();
	assert_non_null(s->bus);
	assert_int_equal(flat_ram_init(&s->ram, &s->gm, RAM_SIZE), 0);
	for (uint64_t a = 0; a < RAM_SIZE; a++)
		s->ram.buf[a] = (uint8_t)(a * 29 + (a >> 8));
	s->dev.rep_limit = SIZE_MAX;
	s->r = (struct region){ "rep", BUS_PIO, REP_PORT, 8, ops, &s->dev, false, 0 };
	s->rs = (struct region){ "shadow", BUS_MMIO, SHADOW, 0x10, &pat_ops, &s->shadow, false, 0 };
	assert_int_equal(bus_add(s->bus, &s->r), 0);
	assert_int_equal(bus_add(s->bus, &s->rs), 0);
	s->ctx = (struct ioreq_ctx){ .bus = s->bus, .mem = &s->gm };
}

static void side_fini(struct side *s)
{
	assert_int_equal(s->ram.maps_live, 0);
	bus_free(s->bus);
	flat_ram_fini(&s->ram);
}

struct pair {
	struct side loop, bulk;
};

static struct pair *pair_new(void)
{
	struct pair *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	side_init(&p->loop, &rep_loop_ops);
	side_init(&p->bulk, &rep_bulk_ops);
	return p;
}

static void pair_free(struct pair *p)
{
	side_fini(&p->loop);
	side_fini(&p->bulk);
	free(p);
}

/* Guest memory, dirty pages and the device end the same on both sides. */
static void assert_same(struct pair *p)
{
	struct repdev *a = &p->loop.dev, *b = &p->bulk.dev;

	assert_memory_equal(p->loop.ram.buf, p->bulk.ram.buf, RAM_SIZE);
	for (uint64_t pg = 0; pg < RAM_SIZE; pg += 1u << GM_PAGE_SHIFT)
		if (flat_ram_test_dirty(&p->loop.ram, pg) != flat_ram_test_dirty(&p->bulk.ram, pg))
			fail_msg("page 0x%llx dirty on one side only", (unsigned long long)pg);
	assert_int_equal(a->pos, b->pos);
	assert_int_equal(a->blocks, b->blocks);
	assert_int_equal(a->singles, b->singles + b->rep_elems);
	assert_memory_equal(a->sink, b->sink, REP_SINK);
	assert_int_equal(p->loop.shadow.n, p->bulk.shadow.n);
}

/* Run req on both sides: same answer, same rc; returns the rc. */
static int both(struct pair *p, struct dm_ioreq req)
{
	struct dm_ioreq ra = req, rb = req;
	int rca = ioreq_handle(&p->loop.ctx, &ra);
	int rcb = ioreq_handle(&p->bulk.ctx, &rb);

	assert_int_equal(rca, rcb);
	assert_int_equal(ra.data, rb.data);
	assert_same(p);
	return rca;
}

/* Bulk and loop agree element for element: sizes, both directions, both df, sizes of buffers. */
static void rep_bulk_matches_loop(void **state)
{
	static const struct {
		uint64_t gpa;
		uint32_t count;
	} bufs[] = {
		{ 0x1000, 1 },
		{ 0x2001, 7 },
		{ 0x2ffe, 300 },
		{ 0x10000, 256 },
		{ 0x20000, 4096 },
		{ 0x3fff, 513 },
		{ RAM_SIZE - 0x4000, 4096 },
	};
	struct pair *p = pair_new();

	(void)state;
	for (unsigned dir = 0; dir < 2; dir++)
		for (unsigned size = 1; size <= 4; size *= 2)
			for (unsigned df = 0; df < 2; df++)
				for (unsigned i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
					uint64_t g = bufs[i].gpa;

					/* df: the same bytes, reached from the top element. */
					if (df)
						g += (uint64_t)(bufs[i].count - 1) * size;
					flat_ram_clear_dirty(&p->loop.ram);
					flat_ram_clear_dirty(&p->bulk.ram);
					assert_int_equal(
					    both(p, rq(DM_IOREQ_PIO, (uint8_t)dir, REP_PORT, g,
						       size, bufs[i].count, true, df)),
					    0);
				}
	/* Everything went in bulk. */
	assert_int_equal(p->bulk.dev.singles, 0);
	assert_true(p->bulk.dev.blocks > 10);
	pair_free(p);
}

/* INS stores element 0 at data, element 1 below it (df), and marks the pages it wrote dirty. */
static void rep_bulk_descending_layout(void **state)
{
	struct pair *p = pair_new();
	struct side *s = &p->bulk;
	struct dm_ioreq r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 0x5002, 2, 3, true, true);
	uint16_t w;

	(void)state;
	flat_ram_clear_dirty(&s->ram);
	flat_ram_clear_dirty(&p->loop.ram);
	assert_int_equal(both(p, r), 0);
	for (unsigned k = 0; k < 3; k++) {
		memcpy(&w, flat_ram_ptr(&s->ram, 0x5002 - 2 * k, 2), 2);
		assert_int_equal(w, elem_byte(k, 0) | elem_byte(k, 1) << 8);
	}
	assert_true(flat_ram_test_dirty(&s->ram, 0x4ffe));
	assert_true(flat_ram_test_dirty(&s->ram, 0x5000));
	assert_false(flat_ram_test_dirty(&s->ram, 0x6000));
	assert_int_equal(s->dev.rep_calls, 1);
	/* More than one bounce of elements, descending, across pages. */
	r = rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 0x30000, 4, 4096, true, true);
	assert_int_equal(both(p, r), 0);
	assert_true(s->dev.rep_calls > 2);
	assert_int_equal(s->dev.singles, 0);
	pair_free(p);
}

/* A device that stops early: the loop does the rest, the guest cannot tell. */
static void rep_partial_bulk_then_loop(void **state)
{
	struct pair *p = pair_new();

	(void)state;
	p->bulk.dev.rep_limit = 5;
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 0x8000, 2, 300, true, false)), 0);
	assert_int_equal(p->bulk.dev.rep_calls, 1);
	assert_int_equal(p->bulk.dev.singles, 295);
	/* Descending: after the short chunk, the rest by the loop. */
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, REP_PORT, 0x9ffc, 4, 1000, true, true)), 0);
	assert_int_equal(p->bulk.dev.rep_calls, 2);
	assert_int_equal(p->bulk.dev.singles, 295 + 995);
	/* A device that moves nothing in bulk. */
	p->bulk.dev.rep_limit = 0;
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 0xa000, 2, 64, true, false)), 0);
	assert_int_equal(p->bulk.dev.singles, 295 + 995 + 64);
	pair_free(p);
}

/* A buffer leaving RAM, wrapping, or over MMIO goes through the loop: -EFAULT where it was. */
static void rep_bulk_not_ram_falls_back(void **state)
{
	struct pair *p = pair_new();

	(void)state;
	/* The third element's read happens, its store faults. */
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, RAM_SIZE - 8, 4, 16, true, false)),
	    -EFAULT);
	assert_int_equal(p->loop.dev.pos, 3);
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, REP_PORT, RAM_SIZE - 6, 2, 8, true, false)),
	    -EFAULT);
	/* Descending below 0. */
	assert_int_equal(both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 2, 4, 2, true, true)),
			 -EFAULT);
	/* Ascending past the top of the space. */
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, ~0ull - 3, 2, 4, true, false)),
	    -EFAULT);
	/* Over the MMIO window: the elements in it go to the device there. */
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, SHADOW - 8, 4, 8, true, false)), 0);
	assert_int_equal(p->bulk.shadow.n, 4);
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, REP_PORT, SHADOW + 0xe, 2, 4, true, true)), 0);
	assert_int_equal(p->bulk.dev.rep_calls, 0);
	pair_free(p);
}

/* A device answering more than it was asked is clamped; nothing runs past the buffer. */
static void rep_device_claiming_too_many(void **state)
{
	struct pair *p = pair_new();

	(void)state;
	p->bulk.dev.rep_claim = 1000;
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 0xb000, 2, 100, true, false)), 0);
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_WRITE, REP_PORT, 0xb0fe, 2, 100, true, true)), 0);
	p->bulk.dev.rep_claim = SIZE_MAX - 200;
	assert_int_equal(
	    both(p, rq(DM_IOREQ_PIO, DM_IOREQ_READ, REP_PORT, 0xc000, 4, 50, true, true)), 0);
	assert_int_equal(p->bulk.dev.singles, 0);
	assert_int_equal(p->bulk.dev.pos, 250);
	/* The bus helper clamps for every caller. */
	assert_int_equal(bus_read_rep(p->bulk.bus, REP_PORT, 2, p->bulk.ram.buf, 3), 3);
	assert_int_equal(p->bulk.dev.pos, 253);
	pair_free(p);
}

/* The bus side: which accesses reach a string op at all. */
static void rep_bus_helpers(void **state)
{
	struct pair *p = pair_new();
	struct bus *bus = p->bulk.bus;
	static const struct region_ops narrow = {
		.read = rep_read, .write = rep_write, .read_rep = rep_read_rep, .max_size = 2
	};
	struct repdev d2 = { .rep_limit = SIZE_MAX };
	struct region r2 = { "narrow", BUS_PIO, 0x300, 4, &narrow, &d2, false, 0 };
	struct region mm = { "mm", BUS_MMIO, 0xfe000000, 0x10, &rep_bulk_ops, &d2, false, 0 };
	uint8_t buf[64];
	uint64_t off = 99;

	(void)state;
	assert_ptr_equal(bus_find_access(bus, BUS_PIO, REP_PORT + 4, 4, &off), &p->bulk.r);
	assert_int_equal(off, 4);
	assert_null(bus_find_access(bus, BUS_PIO, REP_PORT + 6, 4, &off)); /* runs off the end */
	assert_null(bus_find_access(bus, BUS_PIO, REP_PORT + 1, 2, &off)); /* unaligned */
	assert_null(bus_find_access(bus, BUS_PIO, 0x80, 1, &off));	   /* nothing there */
	assert_null(bus_find_access(bus, BUS_PIO, REP_PORT, 8, &off));	   /* no 8-byte port I/O */
	assert_int_equal(bus_add(bus, &r2), 0);
	assert_null(bus_find_access(bus, BUS_PIO, 0x300, 4, &off)); /* wider than it takes */
	assert_int_equal(bus_read_rep(bus, 0x300, 4, buf, 4), 0);
	assert_int_equal(bus_read_rep(bus, 0x300, 2, buf, 4), 4);
	assert_int_equal(bus_write_rep(bus, 0x300, 2, buf, 4), 0); /* no write_rep */
	assert_int_equal(bus_read_rep(bus, 0x300, 2, buf, 0), 0);
	assert_int_equal(d2.rep_calls, 1);
	/* String ops mean port semantics: an MMIO region offering them is refused. */
	assert_int_equal(bus_add(bus, &mm), -EINVAL);
	bus_del(bus, &r2);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pio_single, setup, teardown),
		cmocka_unit_test_setup_teardown(pio_rep_ins_both_df, setup, teardown),
		cmocka_unit_test_setup_teardown(pio_rep_outs_both_df, setup, teardown),
		cmocka_unit_test_setup_teardown(ptr_fault_ends_the_rep, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_ptr_both_directions_both_df, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_ptr_between_mmio_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(phys_access_splits_ram_and_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(pci_config_decoding, setup, teardown),
		cmocka_unit_test_setup_teardown(invalidate_and_timeoffset, setup, teardown),
		cmocka_unit_test_setup_teardown(every_malformed_field, setup, teardown),
		cmocka_unit_test_setup_teardown(boundaries_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(ioreq_category_logs_requests, setup, teardown),
		cmocka_unit_test(rep_bulk_matches_loop),
		cmocka_unit_test(rep_bulk_descending_layout),
		cmocka_unit_test(rep_partial_bulk_then_loop),
		cmocka_unit_test(rep_bulk_not_ram_falls_back),
		cmocka_unit_test(rep_device_claiming_too_many),
		cmocka_unit_test(rep_bus_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
