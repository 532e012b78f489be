// SPDX-License-Identifier: GPL-2.0-only
/*
 * bus: map changes (overlap, move, atomic batches with rollback), access-size
 * adjustment (QEMU memory core semantics: split wide, widen narrow, no
 * read-modify-write), unclaimed accesses, the MMIO last-hit cache and PCI
 * config dispatch by sbdf (Xen dm_op.h XEN_DMOP_PCI_SBDF encoding).
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
#include "dm/log.h"

/* ------------------------------------------------------------ a recording device */

struct acc {
	char op; /* 'r' or 'w' */
	uint64_t off, val;
	unsigned size;
};

struct dev {
	struct acc log[64];
	unsigned n;
};

/* Byte at offset o reads as 0xa0 + o (mod 256): any correct split shows the same bytes. */
static uint64_t pattern(uint64_t off, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)((0xa0 + off + i) & 0xff) << (8 * i);
	return v;
}

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
	struct dev *d = opaque;

	if (d->n < 64)
		d->log[d->n++] = (struct acc){ 'r', off, 0, size };
	return pattern(off, size) | 0xdead000000000000ull * (size < 8); /* junk above size */
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct dev *d = opaque;

	if (d->n < 64)
		d->log[d->n++] = (struct acc){ 'w', off, val, size };
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

static const struct region_ops ops_any = { .read = dev_read, .write = dev_write };
static const struct region_ops ops_max4 = { .read = dev_read, .write = dev_write, .max_size = 4 };
static const struct region_ops ops_min4 = {
	.read = dev_read, .write = dev_write, .min_size = 4, .max_size = 4
};
static const struct region_ops ops_min2 = {
	.read = dev_read, .write = dev_write, .min_size = 2, .max_size = 2
};
static const struct region_ops ops_unal = {
	.read = dev_read, .write = dev_write, .max_size = 4, .unaligned_ok = true
};

static struct region mkreg(const char *name, enum bus_space sp, uint64_t base, uint64_t len,
			   const struct region_ops *ops, struct dev *d)
{
	return (struct region){
		.name = name, .space = sp, .base = base, .len = len, .ops = ops, .opaque = d
	};
}

/* ------------------------------------------------------------ a recording listener */

struct call {
	char what; /* 'c' claim, 'r' release, 'P' pci claim, 'p' pci release */
	enum bus_space space;
	uint64_t first, last;
};

struct lsn {
	struct call log[64];
	unsigned n;
	/* the listener's view: ranges it holds */
	struct call held[32];
	unsigned nheld;
	uint64_t refuse_claim_at; /* refuse the next claim starting here (1: none) */
	int refuse_release;	  /* refuse every release */
	int refuse_pci;
};

static int lsn_claim(void *opaque, enum bus_space space, uint64_t first, uint64_t last, bool claim)
{
	struct lsn *l = opaque;
	unsigned i;

	if (claim && first == l->refuse_claim_at) {
		l->refuse_claim_at = 1; /* once: the rollback's re-claims must get through */
		return -EBUSY;
	}
	if (!claim && l->refuse_release)
		return -EPERM;
	if (l->n < 64)
		l->log[l->n++] = (struct call){ claim ? 'c' : 'r', space, first, last };
	if (claim) {
		for (i = 0; i < l->nheld; i++)
			if (l->held[i].space == space && l->held[i].first <= last &&
			    first <= l->held[i].last)
				return -EEXIST; /* as Xen's rangeset would */
		l->held[l->nheld++] = (struct call){ 'c', space, first, last };
		return 0;
	}
	for (i = 0; i < l->nheld; i++)
		if (l->held[i].space == space && l->held[i].first == first &&
		    l->held[i].last == last) {
			l->held[i] = l->held[--l->nheld];
			return 0;
		}
	fail_msg("release of a range never claimed: %llx-%llx", (unsigned long long)first,
		 (unsigned long long)last);
	return -ENOENT;
}

static int lsn_pci(void *opaque, unsigned devfn, bool claim)
{
	struct lsn *l = opaque;

	if (claim && l->refuse_pci)
		return -EBUSY;
	if (l->n < 64)
		l->log[l->n++] = (struct call){ claim ? 'P' : 'p', BUS_PIO, devfn, devfn };
	return 0;
}

static bool lsn_holds(const struct lsn *l, enum bus_space sp, uint64_t first, uint64_t last)
{
	unsigned i;

	for (i = 0; i < l->nheld; i++)
		if (l->held[i].space == sp && l->held[i].first == first && l->held[i].last == last)
			return true;
	return false;
}

static void assert_call(const struct lsn *l, unsigned i, char what, uint64_t first, uint64_t last)
{
	assert_true(i < l->n);
	assert_int_equal(l->log[i].what, what);
	assert_int_equal(l->log[i].first, first);
	assert_int_equal(l->log[i].last, last);
}

struct fx {
	struct bus *bus;
	struct lsn l;
	struct bus_listener bl;
	struct dev d[4];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->bus = bus_new();
	f->l.refuse_claim_at = 1;
	f->bl = (struct bus_listener){ .claim_range = lsn_claim,
				       .claim_pci = lsn_pci,
				       .opaque = &f->l };
	bus_set_listener(f->bus, &f->bl);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	bus_free(f->bus);
	free(f);
	return 0;
}

/* ------------------------------------------------------------ map changes */

static void pio_overlap_rejected(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_PIO, 0x60, 4, &ops_any, &f->d[0]);
	struct region b = mkreg("b", BUS_PIO, 0x62, 4, &ops_any, &f->d[1]);
	struct region c = mkreg("c", BUS_PIO, 0x5e, 2, &ops_any, &f->d[2]);
	struct region e = mkreg("e", BUS_PIO, 0x64, 4, &ops_any, &f->d[3]);

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_add(f->bus, &b), -EEXIST);
	assert_false(b.mapped);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x64), NULL);
	assert_int_equal(bus_add(f->bus, &c), 0); /* adjacent below */
	assert_int_equal(bus_add(f->bus, &e), 0); /* adjacent above */
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x5f), &c);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x63), &a);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x64), &e);
	assert_int_equal(f->l.n, 3); /* the refused add never reached the listener */
	assert_call(&f->l, 0, 'c', 0x60, 0x63);
}

static void mmio_overlap_rejected(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_MMIO, 0xf0001000, 0x1000, &ops_any, &f->d[0]);
	struct region x = mkreg("x", BUS_MMIO, 0, 0, &ops_any, &f->d[1]);
	static const uint64_t bad[][2] = {
		{ 0xf0000800, 0x1000 }, /* tail overlaps a's head */
		{ 0xf0001800, 0x1000 }, /* head overlaps a's tail */
		{ 0xf0001100, 0x10 },	/* inside a */
		{ 0xf0000000, 0x4000 }, /* covers a */
		{ 0xf0001fff, 1 },	/* a's last byte */
	};
	unsigned i;

	assert_int_equal(bus_add(f->bus, &a), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x.base = bad[i][0];
		x.len = bad[i][1];
		assert_int_equal(bus_add(f->bus, &x), -EEXIST);
		assert_false(x.mapped);
	}
	x.base = 0xf0000000;
	x.len = 0x1000; /* adjacent below */
	assert_int_equal(bus_add(f->bus, &x), 0);
	bus_del(f->bus, &x);
	x.base = 0xf0002000; /* adjacent above */
	assert_int_equal(bus_add(f->bus, &x), 0);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xf0001fff), &a);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xf0002000), &x);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xf0000fff), NULL);
}

static void bad_ranges_rejected(void **state)
{
	struct fx *f = *state;
	struct region r = mkreg("r", BUS_PIO, 0xfffe, 4, &ops_any, &f->d[0]);
	static const struct region_ops ops_pio8 = { .read = dev_read,
						    .write = dev_write,
						    .max_size = 8 };
	static const struct region_ops ops_bad = { .read = dev_read,
						   .write = dev_write,
						   .min_size = 3 };

	assert_int_equal(bus_add(f->bus, &r), -EINVAL); /* runs past port 0xffff */
	r.base = 0x10000;
	r.len = 1;
	assert_int_equal(bus_add(f->bus, &r), -EINVAL);
	r.base = 0xffff;
	assert_int_equal(bus_add(f->bus, &r), 0); /* the last port is fine */
	bus_del(f->bus, &r);
	r.len = 0;
	assert_int_equal(bus_add(f->bus, &r), -EINVAL);
	r = mkreg("m", BUS_MMIO, ~0ull, 2, &ops_any, &f->d[0]);
	assert_int_equal(bus_add(f->bus, &r), -EINVAL); /* wraps */
	r.len = 1;
	assert_int_equal(bus_add(f->bus, &r), 0);
	bus_del(f->bus, &r);
	r = mkreg("p8", BUS_PIO, 0x80, 8, &ops_pio8, &f->d[0]);
	assert_int_equal(bus_add(f->bus, &r), -EINVAL); /* no 8-byte port access on x86 */
	r.ops = &ops_bad;
	assert_int_equal(bus_add(f->bus, &r), -EINVAL);
	assert_int_equal(f->l.nheld, 0);
}

static void add_del_move(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_PIO, 0x3f8, 8, &ops_any, &f->d[0]);

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_true(a.mapped);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x3fd, 1), pattern(5, 1));
	assert_acc(&f->d[0], 0, 'r', 5, 0, 1);
	assert_int_equal(bus_move(f->bus, &a, 0x2f8), 0);
	assert_int_equal(a.base, 0x2f8);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x3f8), NULL);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x2ff), &a);
	bus_write(f->bus, BUS_PIO, 0x2f9, 0x5a, 1);
	assert_acc(&f->d[0], 1, 'w', 1, 0x5a, 1);
	bus_del(f->bus, &a);
	assert_false(a.mapped);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x2f8), NULL);
	assert_int_equal(f->l.n, 4);
	assert_call(&f->l, 0, 'c', 0x3f8, 0x3ff);
	assert_call(&f->l, 1, 'r', 0x3f8, 0x3ff);
	assert_call(&f->l, 2, 'c', 0x2f8, 0x2ff);
	assert_call(&f->l, 3, 'r', 0x2f8, 0x2ff);
	assert_int_equal(f->l.nheld, 0);
	/* Deleting an unmapped region is harmless. */
	bus_del(f->bus, &a);
	assert_int_equal(f->l.n, 4);
}

static void batch_swap_succeeds(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_MMIO, 0xe0000000, 0x1000, &ops_any, &f->d[0]);
	struct region b = mkreg("b", BUS_MMIO, 0xe0001000, 0x1000, &ops_any, &f->d[1]);
	struct region_change ch[] = {
		{ &a, true, 0xe0001000 },
		{ &b, true, 0xe0000000 },
	};

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_add(f->bus, &b), 0);
	f->l.n = 0;
	assert_int_equal(bus_apply(f->bus, ch, 2), 0);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xe0000000), &b);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xe0001000), &a);
	/* Releases before claims, so the listener never sees an overlap. */
	assert_int_equal(f->l.n, 4);
	assert_call(&f->l, 0, 'r', 0xe0000000, 0xe0000fff);
	assert_call(&f->l, 1, 'r', 0xe0001000, 0xe0001fff);
	assert_call(&f->l, 2, 'c', 0xe0001000, 0xe0001fff);
	assert_call(&f->l, 3, 'c', 0xe0000000, 0xe0000fff);
}

static void batch_rolls_back_on_refusal(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_MMIO, 0xf0000000, 0x100, &ops_any, &f->d[0]);
	struct region b = mkreg("b", BUS_PIO, 0xc000, 0x40, &ops_any, &f->d[1]);
	struct region c = mkreg("c", BUS_MMIO, 0xf1000000, 0x100, &ops_any, &f->d[2]);
	struct region_change ch[] = {
		{ &a, true, 0xf2000000 }, /* move */
		{ &b, false, 0 },	  /* decode off */
		{ &c, true, 0xf1000000 }, /* add: refused */
	};

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_add(f->bus, &b), 0);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0xf0000010, 1), pattern(0x10, 1)); /* cache a */
	f->l.n = 0;
	f->l.refuse_claim_at = 0xf1000000;
	assert_int_equal(bus_apply(f->bus, ch, 3), -EBUSY);
	/* The map is exactly as before. */
	assert_true(a.mapped);
	assert_int_equal(a.base, 0xf0000000);
	assert_true(b.mapped);
	assert_false(c.mapped);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xf0000000), &a);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xf2000000), NULL);
	assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xf1000000), NULL);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0xc03f), &b);
	/* And so is the listener's view, after releases first, claims, then the undo. */
	assert_int_equal(f->l.nheld, 2);
	assert_true(lsn_holds(&f->l, BUS_MMIO, 0xf0000000, 0xf00000ff));
	assert_true(lsn_holds(&f->l, BUS_PIO, 0xc000, 0xc03f));
	assert_int_equal(f->l.n, 6);
	assert_call(&f->l, 0, 'r', 0xf0000000, 0xf00000ff);
	assert_call(&f->l, 1, 'r', 0xc000, 0xc03f);
	assert_call(&f->l, 2, 'c', 0xf2000000, 0xf20000ff);
	assert_call(&f->l, 3, 'r', 0xf2000000, 0xf20000ff);
	assert_call(&f->l, 4, 'c', 0xc000, 0xc03f);
	assert_call(&f->l, 5, 'c', 0xf0000000, 0xf00000ff);
	/* Dispatch still works where it was. */
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0xf0000020, 1), pattern(0x20, 1));
	f->l.refuse_claim_at = 1;
	assert_int_equal(bus_apply(f->bus, ch, 3), 0);
	assert_int_equal(a.base, 0xf2000000);
	assert_false(b.mapped);
	assert_true(c.mapped);
}

static void batch_overlap_rolls_back_without_listener(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_PIO, 0x100, 0x10, &ops_any, &f->d[0]);
	struct region b = mkreg("b", BUS_PIO, 0x200, 0x10, &ops_any, &f->d[1]);
	struct region c = mkreg("c", BUS_PIO, 0x300, 0x10, &ops_any, &f->d[2]);
	/* a moves away, c lands on b, which stays. */
	struct region_change ch[] = { { &a, true, 0x400 }, { &c, true, 0x208 } };
	struct region_change dup[] = { { &a, false, 0 }, { &a, true, 0x500 } };

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_add(f->bus, &b), 0);
	f->l.n = 0;
	assert_int_equal(bus_apply(f->bus, ch, 2), -EEXIST);
	assert_int_equal(f->l.n, 0);
	assert_int_equal(a.base, 0x100);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x10f), &a);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x400), NULL);
	assert_false(c.mapped);
	assert_int_equal(c.base, 0x300);
	assert_int_equal(bus_apply(f->bus, dup, 2), -EINVAL); /* one region twice */
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x100), &a);
}

static void del_refused_still_removes(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_PIO, 0x100, 0x10, &ops_any, &f->d[0]);

	assert_int_equal(bus_add(f->bus, &a), 0);
	f->l.refuse_release = 1;
	bus_del(f->bus, &a);
	assert_false(a.mapped);
	assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x100), NULL);
}

static void last_hit_cache_follows_moves(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_MMIO, 0x1000, 0x100, &ops_any, &f->d[0]);
	struct region b = mkreg("b", BUS_MMIO, 0x1000, 0x100, &ops_any, &f->d[1]);
	uint64_t unclaimed;

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x1010, 1), pattern(0x10, 1));
	assert_int_equal(bus_move(f->bus, &a, 0x2000), 0);
	unclaimed = bus_unclaimed_count(f->bus);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x1010, 4), 0xffffffff);
	assert_int_equal(bus_unclaimed_count(f->bus), unclaimed + 1);
	assert_int_equal(f->d[0].n, 1);
	assert_int_equal(bus_add(f->bus, &b), 0);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x1011, 1), pattern(0x11, 1));
	assert_acc(&f->d[1], 0, 'r', 0x11, 0, 1);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x20ff, 1), pattern(0xff, 1));
	assert_acc(&f->d[0], 1, 'r', 0xff, 0, 1);
	bus_del(f->bus, &a);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x2000, 1), 0xff);
	assert_int_equal(f->d[0].n, 2);
}

struct seen {
	const struct region *r[8];
	unsigned n;
};

static void collect(void *opaque, const struct region *reg)
{
	struct seen *s = opaque;

	if (s->n < 8)
		s->r[s->n++] = reg;
}

static void for_each_in_address_order(void **state)
{
	struct fx *f = *state;
	struct region r[6] = {
		mkreg("m3", BUS_MMIO, 0xfe000000, 0x10, &ops_any, NULL),
		mkreg("p2", BUS_PIO, 0xcf8, 8, &ops_any, NULL),
		mkreg("m1", BUS_MMIO, 0xa0000, 0x20000, &ops_any, NULL),
		mkreg("p1", BUS_PIO, 0x60, 1, &ops_any, NULL),
		mkreg("m2", BUS_MMIO, 0xf0000000, 0x1000000, &ops_any, NULL),
		mkreg("p3", BUS_PIO, 0xffff, 1, &ops_any, NULL),
	};
	struct seen s = { { 0 }, 0 };
	unsigned i;

	for (i = 0; i < 6; i++)
		assert_int_equal(bus_add(f->bus, &r[i]), 0);
	bus_for_each(f->bus, BUS_MMIO, collect, &s);
	assert_int_equal(s.n, 3);
	assert_ptr_equal(s.r[0], &r[2]);
	assert_ptr_equal(s.r[1], &r[4]);
	assert_ptr_equal(s.r[2], &r[0]);
	s.n = 0;
	bus_for_each(f->bus, BUS_PIO, collect, &s);
	assert_int_equal(s.n, 3);
	assert_ptr_equal(s.r[0], &r[3]);
	assert_ptr_equal(s.r[1], &r[1]);
	assert_ptr_equal(s.r[2], &r[5]);
	assert_ptr_equal(bus_find_range(f->bus, BUS_MMIO, 0x9f000, 0x1000), NULL);
	assert_ptr_equal(bus_find_range(f->bus, BUS_MMIO, 0x9f000, 0x1001), &r[2]);
	assert_ptr_equal(bus_find_range(f->bus, BUS_MMIO, 0xbffff, 0x40000000), &r[2]);
	assert_ptr_equal(bus_find_range(f->bus, BUS_MMIO, 0xc0000, ~0ull), &r[4]);
	assert_ptr_equal(bus_find_range(f->bus, BUS_PIO, 0xcf0, 9), &r[1]);
	assert_ptr_equal(bus_find_range(f->bus, BUS_PIO, 0xcf0, 8), NULL);
}

/* ------------------------------------------------------------ access sizes */

static void split_8_into_max4(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_MMIO, 0x10000, 0x100, &ops_max4, &f->d[0]);

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x10008, 8), pattern(8, 8));
	assert_int_equal(f->d[0].n, 2);
	assert_acc(&f->d[0], 0, 'r', 8, 0, 4);
	assert_acc(&f->d[0], 1, 'r', 12, 0, 4);
	bus_write(f->bus, BUS_MMIO, 0x10010, 0x1122334455667788ull, 8);
	assert_int_equal(f->d[0].n, 4);
	assert_acc(&f->d[0], 2, 'w', 0x10, 0x55667788, 4);
	assert_acc(&f->d[0], 3, 'w', 0x14, 0x11223344, 4);
}

static void widen_narrow_on_min4(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_MMIO, 0x20000, 0x100, &ops_min4, &f->d[0]);

	assert_int_equal(bus_add(f->bus, &a), 0);
	/* One aligned 4-byte read, the byte extracted. */
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x20006, 1), pattern(6, 1));
	assert_int_equal(f->d[0].n, 1);
	assert_acc(&f->d[0], 0, 'r', 4, 0, 4);
	/* One aligned 4-byte write, value shifted, zeroes elsewhere, no read first. */
	bus_write(f->bus, BUS_MMIO, 0x20007, 0xab, 1);
	assert_int_equal(f->d[0].n, 2);
	assert_acc(&f->d[0], 1, 'w', 4, 0xab000000, 4);
	bus_write(f->bus, BUS_MMIO, 0x20009, 0xbeef, 2);
	assert_acc(&f->d[0], 2, 'w', 8, 0xbeef00, 4);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x2000a, 2), pattern(10, 2));
	assert_acc(&f->d[0], 3, 'r', 8, 0, 4);
	/* 8 bytes into a max-4 region, each half whole. */
	bus_write(f->bus, BUS_MMIO, 0x20010, 0x0102030405060708ull, 8);
	assert_acc(&f->d[0], 4, 'w', 0x10, 0x05060708, 4);
	assert_acc(&f->d[0], 5, 'w', 0x14, 0x01020304, 4);
	assert_int_equal(f->d[0].n, 6);
}

static void misaligned_split_into_aligned_pieces(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_PIO, 0x1000, 0x10, &ops_max4, &f->d[0]);
	struct region u = mkreg("u", BUS_PIO, 0x2000, 0x10, &ops_unal, &f->d[1]);
	struct region w = mkreg("w", BUS_PIO, 0x3000, 0x10, &ops_min2, &f->d[2]);

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_add(f->bus, &u), 0);
	assert_int_equal(bus_add(f->bus, &w), 0);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x1001, 4), pattern(1, 4));
	assert_int_equal(f->d[0].n, 3);
	assert_acc(&f->d[0], 0, 'r', 1, 0, 1);
	assert_acc(&f->d[0], 1, 'r', 2, 0, 2);
	assert_acc(&f->d[0], 2, 'r', 4, 0, 1);
	bus_write(f->bus, BUS_PIO, 0x1003, 0xaabbccdd, 4);
	assert_acc(&f->d[0], 3, 'w', 3, 0xdd, 1);
	assert_acc(&f->d[0], 4, 'w', 4, 0xbbcc, 2);
	assert_acc(&f->d[0], 5, 'w', 6, 0xaa, 1);
	/* The handler that takes unaligned accesses gets them whole. */
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x2001, 4), pattern(1, 4));
	assert_int_equal(f->d[1].n, 1);
	assert_acc(&f->d[1], 0, 'r', 1, 0, 4);
	/* Misaligned on a 2-only region: two widened halves. */
	bus_write(f->bus, BUS_PIO, 0x3001, 0x1234, 2);
	assert_int_equal(f->d[2].n, 2);
	assert_acc(&f->d[2], 0, 'w', 0, 0x3400, 2);
	assert_acc(&f->d[2], 1, 'w', 2, 0x12, 2);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x3003, 2), pattern(3, 2));
	assert_acc(&f->d[2], 2, 'r', 2, 0, 2);
	assert_acc(&f->d[2], 3, 'r', 4, 0, 2);
}

static void spanning_regions_byte_by_byte(void **state)
{
	struct fx *f = *state;
	struct region a = mkreg("a", BUS_PIO, 0x100, 2, &ops_any, &f->d[0]);
	struct region b = mkreg("b", BUS_PIO, 0x102, 2, &ops_any, &f->d[1]);
	uint64_t n0 = bus_unclaimed_count(f->bus);

	assert_int_equal(bus_add(f->bus, &a), 0);
	assert_int_equal(bus_add(f->bus, &b), 0);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x101, 2), pattern(1, 1) | pattern(0, 1) << 8);
	assert_acc(&f->d[0], 0, 'r', 1, 0, 1);
	assert_acc(&f->d[1], 0, 'r', 0, 0, 1);
	assert_int_equal(bus_unclaimed_count(f->bus), n0);
	/* Off the end into a hole: the hole's bytes read ones, the access counts once. */
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x102, 4), 0xffff0000 | pattern(0, 2));
	assert_int_equal(bus_unclaimed_count(f->bus), n0 + 1);
	bus_write(f->bus, BUS_PIO, 0x101, 0x44332211, 4);
	assert_int_equal(bus_unclaimed_count(f->bus), n0 + 2);
	assert_acc(&f->d[0], 1, 'w', 1, 0x11, 1);
	assert_acc(&f->d[1], 3, 'w', 0, 0x22, 1);
	assert_acc(&f->d[1], 4, 'w', 1, 0x33, 1);
	assert_int_equal(f->d[1].n, 5);
}

static void unclaimed_all_ones_and_counted(void **state)
{
	struct fx *f = *state;
	uint64_t n0 = bus_unclaimed_count(f->bus);

	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x80, 1), 0xff);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x80, 2), 0xffff);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x80, 4), 0xffffffff);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0xfebf0000, 8), ~0ull);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0xfebf0000, 2), 0xffff);
	bus_write(f->bus, BUS_PIO, 0x80, 1, 1);
	bus_write(f->bus, BUS_MMIO, 0x0, 1, 8);
	assert_int_equal(bus_unclaimed_count(f->bus), n0 + 7);
	/* Port 0xffff, 2 bytes: the second byte is beyond the port space. */
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0xffff, 2), 0xffff);
	/* Bad sizes are refused, not dispatched. */
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x80, 8), ~0ull);
	assert_int_equal(bus_read(f->bus, BUS_MMIO, 0x80, 3), ~0ull);
}

/* ------------------------------------------------------------ PCI config */

struct pcidev {
	unsigned n;
	unsigned reg[16], size[16];
	uint32_t wval[16];
	char op[16];
};

static uint32_t pci_rd(void *opaque, unsigned reg, unsigned size)
{
	struct pcidev *p = opaque;

	assert_true(reg < 256 && size <= 4 && !(reg & (size - 1)));
	if (p->n < 16) {
		p->op[p->n] = 'r';
		p->reg[p->n] = reg;
		p->size[p->n++] = size;
	}
	return (uint32_t)pattern(reg, size);
}

static void pci_wr(void *opaque, unsigned reg, uint32_t val, unsigned size)
{
	struct pcidev *p = opaque;

	assert_true(reg < 256 && size <= 4 && !(reg & (size - 1)));
	if (p->n < 16) {
		p->op[p->n] = 'w';
		p->reg[p->n] = reg;
		p->wval[p->n] = val;
		p->size[p->n++] = size;
	}
}

static const struct pci_cfg_ops pci_ops = { .read = pci_rd, .write = pci_wr };

static void pci_dispatch_by_devfn(void **state)
{
	struct fx *f = *state;
	struct pcidev p1 = { 0 }, p2 = { 0 };

	assert_int_equal(bus_pci_attach(f->bus, 0x08, &pci_ops, &p1), 0); /* 01.0 */
	assert_int_equal(bus_pci_attach(f->bus, 0x0b, &pci_ops, &p2), 0); /* 01.3 */
	assert_int_equal(bus_pci_attach(f->bus, 0x08, &pci_ops, &p2), -EEXIST);
	assert_int_equal(bus_pci_attach(f->bus, 256, &pci_ops, &p2), -EINVAL);
	assert_true(bus_pci_present(f->bus, 0x0b));
	assert_false(bus_pci_present(f->bus, 0x10));
	assert_call(&f->l, 0, 'P', 0x08, 0x08);
	assert_call(&f->l, 1, 'P', 0x0b, 0x0b);

	assert_int_equal(bus_pci_read(f->bus, 0x08, 0, 4), pattern(0, 4));
	assert_int_equal(bus_pci_read(f->bus, 0x0b, 0x3e, 2), pattern(0x3e, 2));
	assert_int_equal(p1.n, 1);
	assert_int_equal(p2.n, 1);
	assert_int_equal(p2.reg[0], 0x3e);
	bus_pci_write(f->bus, 0x0b, 0x04, 0xffff0007, 2); /* value masked to the size */
	assert_int_equal(p2.wval[1], 0x0007);
	assert_int_equal(p2.size[1], 2);

	/* Misaligned: byte by byte. */
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0x3, 2), pattern(3, 2));
	assert_int_equal(p1.n, 3);
	assert_int_equal(p1.reg[1], 3);
	assert_int_equal(p1.reg[2], 4);
	assert_int_equal(p1.size[2], 1);
	/* Misaligned straddling 0x100: the extended byte reads ones. */
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0xff, 2), 0xff00 | pattern(0xff, 1));
	assert_int_equal(p1.n, 4);
}

static void pci_all_ones_where_nothing_answers(void **state)
{
	struct fx *f = *state;
	struct pcidev p1 = { 0 };

	assert_int_equal(bus_pci_attach(f->bus, 0x08, &pci_ops, &p1), 0);
	assert_int_equal(bus_pci_read(f->bus, 0x10, 0, 4), 0xffffffff);	    /* absent 02.0 */
	assert_int_equal(bus_pci_read(f->bus, 0x10008, 0, 4), 0xffffffff);  /* segment 1 */
	assert_int_equal(bus_pci_read(f->bus, 0x108, 0, 2), 0xffff);	    /* bus 1 */
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0x100, 4), 0xffffffff); /* extended */
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0xffc, 1), 0xff);
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0x1000, 4), 0xffffffff); /* beyond 4K */
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0, 3), 0xffffffff);	     /* bad size */
	bus_pci_write(f->bus, 0x10008, 0x04, 7, 2);
	bus_pci_write(f->bus, 0x08, 0x104, 7, 4);
	bus_pci_write(f->bus, 0x10, 0x04, 7, 2);
	assert_int_equal(p1.n, 0);
	bus_pci_detach(f->bus, 0x08);
	assert_false(bus_pci_present(f->bus, 0x08));
	assert_call(&f->l, 1, 'p', 0x08, 0x08);
	assert_int_equal(bus_pci_read(f->bus, 0x08, 0, 4), 0xffffffff);
	assert_int_equal(p1.n, 0);
	f->l.refuse_pci = 1;
	assert_int_equal(bus_pci_attach(f->bus, 0x08, &pci_ops, &p1), -EBUSY);
	assert_false(bus_pci_present(f->bus, 0x08));
}

/* ------------------------------------------------------------ model check */

#define MC_REGIONS 16
#define MC_SPAN	   256 /* units of address space where regions start */
#define MC_MAXLEN  24  /* units, longest region */

struct model {
	bool mapped[MC_REGIONS];
	uint64_t base[MC_REGIONS]; /* in units */
};

static uint64_t mc_rng = 0x2545f4914f6cdd1dull;

static unsigned mc_rand(unsigned n)
{
	mc_rng ^= mc_rng << 13;
	mc_rng ^= mc_rng >> 7;
	mc_rng ^= mc_rng << 17;
	return (unsigned)(mc_rng % n);
}

/* What the batch should do to the model: the new model, or false if it must fail. */
static bool model_apply(const struct model *m, struct model *out, const unsigned *idx,
			const bool *map, const uint64_t *base, unsigned n, const uint64_t *len,
			uint64_t poison, bool bounded)
{
	int owner[MC_SPAN + MC_MAXLEN];
	unsigned i, j;
	uint64_t u;

	*out = *m;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (idx[j] == idx[i])
				return false; /* one region twice */
		if (bounded && map[i] && base[i] + len[idx[i]] > MC_SPAN)
			return false; /* beyond port 0xffff */
	}
	for (i = 0; i < n; i++) {
		bool skip =
		    map[i] ? (m->mapped[idx[i]] && m->base[idx[i]] == base[i]) : !m->mapped[idx[i]];

		if (!skip && map[i] && base[i] == poison)
			return false; /* the listener refuses this claim */
		out->mapped[idx[i]] = map[i];
		if (map[i])
			out->base[idx[i]] = base[i];
	}
	for (u = 0; u < MC_SPAN + MC_MAXLEN; u++)
		owner[u] = -1;
	for (i = 0; i < MC_REGIONS; i++) {
		if (!out->mapped[i])
			continue;
		for (u = out->base[i]; u < out->base[i] + len[i]; u++) {
			if (owner[u] >= 0)
				return false; /* overlap */
			owner[u] = (int)i;
		}
	}
	return true;
}

static void model_check_space(struct fx *f, enum bus_space sp, uint64_t unit, uint64_t origin)
{
	struct region r[MC_REGIONS];
	struct model m = { { 0 }, { 0 } }, next;
	uint64_t len[MC_REGIONS];
	unsigned step, i, seen[3] = { 0, 0, 0 };

	for (i = 0; i < MC_REGIONS; i++) {
		len[i] = 1 + mc_rand(MC_MAXLEN);
		r[i] = mkreg("mc", sp, origin, len[i] * unit, &ops_any, &f->d[0]);
	}
	for (step = 0; step < 3000; step++) {
		struct region_change ch[20];
		unsigned idx[20], n = 1 + (step % 7 == 0 ? 9 + mc_rand(11) : mc_rand(4));
		bool map[20], ok;
		uint64_t base[20], poison;
		int rc;

		for (i = 0; i < n; i++) {
			idx[i] = mc_rand(MC_REGIONS);
			map[i] = mc_rand(3) != 0;
			base[i] = mc_rand(MC_SPAN);
			ch[i] =
			    (struct region_change){ &r[idx[i]], map[i], origin + base[i] * unit };
		}
		/* Now and then the listener refuses the claim of one of the new bases. */
		poison = mc_rand(3) ? MC_SPAN + 1 : base[mc_rand(n)];
		ok = model_apply(&m, &next, idx, map, base, n, len, poison, sp == BUS_PIO);
		f->l.refuse_claim_at = origin + poison * unit;
		rc = bus_apply(f->bus, ch, n);
		if (ok != (rc == 0))
			fail_msg("step %u: bus_apply %d, model says %s", step, rc,
				 ok ? "ok" : "fail");
		if (ok)
			m = next;
		seen[rc == 0 ? 0 : rc == -EBUSY ? 1 : 2]++;
		/* The map, the regions and the listener's view all match the model. */
		for (i = 0; i < MC_REGIONS; i++) {
			assert_int_equal(r[i].mapped, m.mapped[i]);
			if (m.mapped[i]) {
				assert_int_equal(r[i].base, origin + m.base[i] * unit);
				assert_ptr_equal(bus_find(f->bus, sp, r[i].base), &r[i]);
				assert_ptr_equal(bus_find(f->bus, sp, r[i].base + r[i].len - 1),
						 &r[i]);
				assert_true(
				    lsn_holds(&f->l, sp, r[i].base, r[i].base + r[i].len - 1));
			}
		}
		for (i = 0; i < MC_SPAN + MC_MAXLEN; i++) {
			const struct region *at = bus_find(f->bus, sp, origin + i * unit);

			assert_true(!at || (at->mapped && at->base <= origin + i * unit));
		}
		{
			unsigned held = 0;

			for (i = 0; i < MC_REGIONS; i++)
				held += m.mapped[i];
			assert_int_equal(f->l.nheld, held);
		}
	}
	for (i = 0; i < MC_REGIONS; i++)
		bus_del(f->bus, &r[i]);
	assert_int_equal(f->l.nheld, 0);
	/* The walk saw plenty of commits, listener refusals and local refusals. */
	print_message("  %s: %u applied, %u refused by the listener, %u refused locally\n",
		      sp == BUS_PIO ? "pio" : "mmio", seen[0], seen[1], seen[2]);
	assert_true(seen[0] > 300 && seen[1] > 50 && seen[2] > 300);
}

/* Random batches against a reference model: all or nothing, always. */
static void random_batches_match_model(void **state)
{
	struct fx *f = *state;

	model_check_space(f, BUS_PIO, 1, 0xff00);
	model_check_space(f, BUS_MMIO, 0x1000, 0xfe000000);
}

/* Many regions: the slot table and the MMIO array grow; lookups stay right. */
static void many_regions(void **state)
{
	struct fx *f = *state;
	static struct region p[300], m[300];
	unsigned i;

	bus_set_listener(f->bus, NULL);
	for (i = 0; i < 300; i++) {
		p[i] = mkreg("p", BUS_PIO, 0x1000 + i * 4, 4, &ops_any, &f->d[0]);
		m[i] = mkreg("m", BUS_MMIO, 0xd0000000 - i * 0x1000ull, 0x800, &ops_any, &f->d[0]);
		assert_int_equal(bus_add(f->bus, &p[i]), 0);
		assert_int_equal(bus_add(f->bus, &m[i]), 0);
	}
	for (i = 0; i < 300; i += 2) {
		bus_del(f->bus, &p[i]);
		bus_del(f->bus, &m[i]);
	}
	for (i = 0; i < 300; i++) {
		assert_ptr_equal(bus_find(f->bus, BUS_PIO, 0x1000 + i * 4 + 3),
				 i & 1 ? &p[i] : NULL);
		assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xd0000000 - i * 0x1000ull + 0x7ff),
				 i & 1 ? &m[i] : NULL);
		assert_ptr_equal(bus_find(f->bus, BUS_MMIO, 0xd0000000 - i * 0x1000ull + 0x800),
				 NULL);
	}
	/* Dispatch with bus-category logging on, to exercise the format strings. */
	log_mask |= LOG_BUS | LOG_PCI;
	assert_int_equal(bus_move(f->bus, &p[1], 0x20), 0);
	assert_int_equal(bus_read(f->bus, BUS_PIO, 0x21, 1), pattern(1, 1));
	log_mask &= ~(unsigned)(LOG_BUS | LOG_PCI);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pio_overlap_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(mmio_overlap_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_ranges_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(add_del_move, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_swap_succeeds, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_rolls_back_on_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_overlap_rolls_back_without_listener, setup,
						teardown),
		cmocka_unit_test_setup_teardown(del_refused_still_removes, setup, teardown),
		cmocka_unit_test_setup_teardown(last_hit_cache_follows_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(for_each_in_address_order, setup, teardown),
		cmocka_unit_test_setup_teardown(split_8_into_max4, setup, teardown),
		cmocka_unit_test_setup_teardown(widen_narrow_on_min4, setup, teardown),
		cmocka_unit_test_setup_teardown(misaligned_split_into_aligned_pieces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(spanning_regions_byte_by_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(unclaimed_all_ones_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(pci_dispatch_by_devfn, setup, teardown),
		cmocka_unit_test_setup_teardown(pci_all_ones_where_nothing_answers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(random_batches_match_model, setup, teardown),
		cmocka_unit_test_setup_teardown(many_regions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
