// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm/xen ioreq protocol against xensim (shared/docs/xen-interface.md §2):
 * the ioreq_t layout and translation (§2.2), the synchronous state machine
 * with 1 and 4 vCPUs (§2.3), rep/PTR in both directions and both df (§2.4),
 * PCI_CONFIG decoding (§2.5), the buffered ring (§2.6: wrap, split 64-bit
 * entries, the 100 ms timer, draining before a synchronous request), and
 * every malformed shape answered without a stall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <cmocka.h>

#include "dm/loop.h"
#include "dm/xen/xen_int.h"
#include "tests/xensim/xensim_env.h"

#define MS 1000000ull

static struct xensim_cfg cfg(unsigned vcpus)
{
	struct xensim_cfg c = { 0 };

	c.domid = ENV_DOMID;
	c.nr_vcpus = vcpus;
	c.ram_low = 64ull << 20;
	c.ram_high = 4ull << 20;
	return c;
}

static int setup1(void **state)
{
	struct env *e = malloc(sizeof(*e));
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };

	if (!e || env_setup(e, &c, &xo))
		return -1;
	*state = e;
	return 0;
}

static int setup4(void **state)
{
	struct env *e = malloc(sizeof(*e));
	struct xensim_cfg c = cfg(4);
	struct xen_opts xo = { 0 };

	if (!e || env_setup(e, &c, &xo))
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	unsigned errors = xensim_errors();
	int rc = env_teardown(e);

	free(e);
	return errors || rc ? -1 : 0;
}

static struct xen_platform *xp_of(struct env *e)
{
	return xen_of(&e->m);
}

/* Run a script on vCPU 0 and wait for it. */
static void run1(struct env *e, struct xensim_req *s, size_t n)
{
	assert_int_equal(xensim_vcpu_start(0, s, n), 0);
	env_run_vcpus(e);
}

/* Let the loop take every pending event, then run the buffered timer to an empty ring. */
static void pump_buffered(struct env *e)
{
	while (loop_iterate(e->m.loop, 0) > 0)
		;
	while (xensim_buffered_pending() || timer_pending(&xp_of(e)->buf_timer)) {
		loop_clock_step(e->m.loop, 100 * MS);
		while (loop_iterate(e->m.loop, 0) > 0)
			;
	}
}

/* ------------------------------------------------------------ layout */

/* public/hvm/ioreq.h: state bits 0-3, data_is_ptr 4, dir 5, df 6 of byte 30. */
static void slot_bits_match_header(void **state)
{
	ioreq_t x;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.state = 0xf;
	assert_int_equal(((uint8_t *)&x)[XIO_BYTE_FLAGS], XIO_STATE_MASK);
	memset(&x, 0, sizeof(x));
	x.data_is_ptr = 1;
	assert_int_equal(((uint8_t *)&x)[XIO_BYTE_FLAGS], XIO_PTR_BIT);
	memset(&x, 0, sizeof(x));
	x.dir = 1;
	assert_int_equal(((uint8_t *)&x)[XIO_BYTE_FLAGS], XIO_DIR_BIT);
	memset(&x, 0, sizeof(x));
	x.df = 1;
	assert_int_equal(((uint8_t *)&x)[XIO_BYTE_FLAGS], XIO_DF_BIT);
}

/* buf_ioreq_t: type 0-7, pad 8, dir 9, size 10-11, addr 12-31, then data. */
static void buf_slot_bits_match_header(void **state)
{
	buf_ioreq_t b;
	uint32_t w;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.type = 1;
	b.dir = 1;
	b.size = 3;
	b.addr = 0xabcde;
	b.data = 0x11223344;
	memcpy(&w, &b, 4);
	assert_int_equal(w, 1u | 1u << 9 | 3u << 10 | 0xabcdeu << 12);
	memcpy(&w, (uint8_t *)&b + 4, 4);
	assert_int_equal(w, 0x11223344);
}

/* Every field carried over; a direct write's data cut to its size (handle_ioreq). */
static void translation(void **state)
{
	ioreq_t x;
	struct dm_ioreq r;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.addr = 0x3f8;
	x.data = 0xffffffffffff1241ull;
	x.count = 1;
	x.size = 2;
	x.dir = IOREQ_WRITE;
	x.type = IOREQ_TYPE_PIO;
	xen_ioreq_from_xen(&x, &r);
	assert_int_equal(r.addr, 0x3f8);
	assert_int_equal(r.data, 0x1241);
	assert_int_equal(r.size, 2);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.type, DM_IOREQ_PIO);
	assert_int_equal(r.dir, DM_IOREQ_WRITE);
	assert_false(r.df);
	assert_false(r.data_is_ptr);

	x.type = IOREQ_TYPE_COPY;
	x.dir = IOREQ_READ;
	x.df = 1;
	x.data_is_ptr = 1;
	x.count = 77;
	x.size = 8;
	x.addr = 0xfebf0000;
	x.data = 0x123456789;
	xen_ioreq_from_xen(&x, &r);
	assert_int_equal(r.type, DM_IOREQ_COPY);
	assert_int_equal(r.dir, DM_IOREQ_READ);
	assert_true(r.df);
	assert_true(r.data_is_ptr);
	assert_int_equal(r.count, 77);
	assert_int_equal(r.size, 8);
	assert_int_equal(r.data, 0x123456789);
}

/* ------------------------------------------------------------ synchronous */

static void pio_reads_and_writes(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4, 0xdeadbeefdeadbeefull),
		env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT + 1, 1, 0),
		env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT + 2, 2, 0),
		env_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_REG_PORT, 2, 0xffffffffffffabcdull),
		env_req(IOREQ_TYPE_PIO, IOREQ_READ, 0x600, 1, 0), /* not claimed */
	};

	run1(e, s, 5);
	assert_int_equal(s[0].outcome, XSIM_DM);
	assert_int_equal(s[0].result, 0x12345678);
	assert_int_equal(s[1].result, 0x56);
	assert_int_equal(s[2].result, 0x1234);
	assert_int_equal(s[3].outcome, XSIM_DM);
	assert_int_equal(e->nlog, 1);
	assert_int_equal(e->log[0].addr, ENV_REG_PORT);
	assert_int_equal(e->log[0].val, 0xabcd);
	assert_int_equal(e->log[0].size, 2);
	/* Xen's null handler, not us, answers what we did not claim. */
	assert_int_equal(s[4].outcome, XSIM_NULL);
	assert_int_equal(xp_of(e)->stats.sync, 4);
	assert_int_equal(xensim_errors(), 0);
}

/* Many vCPUs at once: each gets its own answers; states only ever move forward. */
static void concurrent_vcpus(struct env *e, unsigned nv, unsigned per)
{
	struct xensim_req *s = calloc((size_t)nv * per, sizeof(*s));
	unsigned v, i;

	assert_non_null(s);
	for (v = 0; v < nv; v++) {
		for (i = 0; i < per; i++) {
			struct xensim_req *r = &s[v * per + i];
			uint64_t off = (v * 512 + (i % 64) * 8) % 4096;

			switch (i % 3) {
			case 0: /* a read answered over a poisoned data field */
				*r = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4,
					     0xdeadbeefdeadbeefull);
				break;
			case 1:
				*r = env_req(IOREQ_TYPE_COPY, IOREQ_WRITE, ENV_MMIO_BASE + off, 8,
					     (uint64_t)v << 56 | i);
				break;
			default:
				*r = env_req(IOREQ_TYPE_COPY, IOREQ_READ,
					     ENV_MMIO_BASE + ((v * 512 + ((i - 1) % 64) * 8) % 4096),
					     8, 0xdeadbeefdeadbeefull);
				break;
			}
		}
	}
	for (v = 0; v < nv; v++)
		assert_int_equal(xensim_vcpu_start(v, &s[v * per], per), 0);
	env_run_vcpus(e);
	for (v = 0; v < nv; v++) {
		for (i = 0; i < per; i++) {
			struct xensim_req *r = &s[v * per + i];

			assert_int_equal(r->outcome, XSIM_DM);
			if (i % 3 == 0)
				assert_int_equal(r->result, 0x12345678);
			else if (i % 3 == 2)
				assert_int_equal(r->result, (uint64_t)v << 56 | (i - 1));
		}
	}
	assert_int_equal(xp_of(e)->stats.sync, (uint64_t)nv * per);
	assert_int_equal(xensim_errors(), 0);
	free(s);
}

static void state_machine_1_vcpu(void **state)
{
	concurrent_vcpus(*state, 1, 3000);
}

static void state_machine_4_vcpus(void **state)
{
	concurrent_vcpus(*state, 4, 3000);
}

/* A notification with nothing READY in the slot is ignored, not answered. */
static void spurious_event(void **state)
{
	struct env *e = *state;
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 1, 0);

	xensim_notify_spurious(0);
	while (loop_iterate(e->m.loop, 0) > 0)
		;
	assert_int_equal(xp_of(e)->stats.spurious, 1);
	run1(e, &s, 1);
	assert_int_equal(s.result, 0x78);
	assert_int_equal(xensim_errors(), 0);
}

/* ------------------------------------------------------------ rep / PTR */

static struct xensim_req ptr_req(uint8_t type, uint8_t dir, uint64_t addr, uint32_t size,
				 uint32_t count, bool df, uint64_t buf)
{
	struct xensim_req r = env_req(type, dir, addr, size, buf);

	r.count = count;
	r.df = df;
	r.data_is_ptr = true;
	return r;
}

/* REP INSW: element i lands at buf + 2i (df 0) or buf - 2i (df 1); the port stays put. */
static void rep_insw_both_df(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		ptr_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_FIFO_PORT, 2, 8, false, 0x10000),
		ptr_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_FIFO_PORT, 2, 8, true, 0x2000e),
	};
	uint16_t w;
	unsigned i;

	run1(e, s, 2);
	for (i = 0; i < 8; i++) {
		memcpy(&w, xensim_ram(0x10000 + 2 * i, 2), 2);
		assert_int_equal(w, i);
		memcpy(&w, xensim_ram(0x2000e - 2 * i, 2), 2);
		assert_int_equal(w, 8 + i);
	}
	/* The data field still holds the buffer address. */
	assert_int_equal(s[0].result, 0x10000);
	assert_int_equal(s[1].result, 0x2000e);
}

/* REP OUTSW from guest RAM, forwards and backwards. */
static void rep_outsw_both_df(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		ptr_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_FIFO_PORT, 2, 4, false, 0x30000),
		ptr_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_FIFO_PORT, 2, 4, true, 0x30006),
	};
	static const uint16_t src[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
	unsigned i;

	memcpy(xensim_ram(0x30000, 8), src, 8);
	run1(e, s, 2);
	assert_int_equal(e->nlog, 8);
	for (i = 0; i < 4; i++) {
		assert_int_equal(e->log[i].addr, ENV_FIFO_PORT);
		assert_int_equal(e->log[i].val, src[i]);
		assert_int_equal(e->log[4 + i].val, src[3 - i]);
	}
}

/* REP MOVS between guest RAM and MMIO both ways, both df, 8-byte elements. */
static void rep_movs_both_ways(void **state)
{
	struct env *e = *state;
	uint64_t v;
	unsigned i;
	struct xensim_req s[] = {
		/* RAM 0x40000.. -> device 0x100.. */
		ptr_req(IOREQ_TYPE_COPY, IOREQ_WRITE, ENV_MMIO_BASE + 0x100, 8, 4, false, 0x40000),
		/* device 0x100.. -> RAM 0x50000.. */
		ptr_req(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE + 0x100, 8, 4, false, 0x50000),
		/* backwards: device 0x218, 0x210.. -> RAM 0x60018, 0x60010.. */
		ptr_req(IOREQ_TYPE_COPY, IOREQ_WRITE, ENV_MMIO_BASE + 0x218, 8, 4, true, 0x40018),
		ptr_req(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE + 0x218, 8, 4, true, 0x60018),
	};

	for (i = 0; i < 4; i++) {
		v = 0x0101010101010101ull * (i + 1);
		memcpy(xensim_ram(0x40000 + 8 * i, 8), &v, 8);
	}
	run1(e, s, 4);
	for (i = 0; i < 4; i++) {
		memcpy(&v, e->mmio_mem + 0x100 + 8 * i, 8);
		assert_int_equal(v, 0x0101010101010101ull * (i + 1));
		memcpy(&v, xensim_ram(0x50000 + 8 * i, 8), 8);
		assert_int_equal(v, 0x0101010101010101ull * (i + 1));
		memcpy(&v, e->mmio_mem + 0x200 + 8 * i, 8);
		assert_int_equal(v, 0x0101010101010101ull * (i + 1));
		memcpy(&v, xensim_ram(0x60000 + 8 * i, 8), 8);
		assert_int_equal(v, 0x0101010101010101ull * (i + 1));
	}
	assert_int_equal(xensim_errors(), 0);
}

/* MMIO REP STOS (direct, count > 1) writes data at each element. */
static void rep_stos(void **state)
{
	struct env *e = *state;
	struct xensim_req s = env_req(IOREQ_TYPE_COPY, IOREQ_WRITE, ENV_MMIO_BASE + 0x400, 4,
				      0xa5a5a5a5);
	uint32_t w;
	unsigned i;

	s.count = 16;
	run1(e, &s, 1);
	for (i = 0; i < 16; i++) {
		memcpy(&w, e->mmio_mem + 0x400 + 4 * i, 4);
		assert_int_equal(w, 0xa5a5a5a5);
	}
}

/* ------------------------------------------------------------ PCI config */

static struct xensim_req pcicfg(uint8_t dir, unsigned devfn, unsigned reg, uint32_t size,
				uint64_t val)
{
	return env_req(IOREQ_TYPE_PCI_CONFIG, dir, (uint64_t)devfn << 32 | reg, size, val);
}

/* addr >> 32 is the SBDF (dm_op.h XEN_DMOP_PCI_SBDF), the low half the register. */
static void pci_config_decoding(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		pcicfg(IOREQ_READ, ENV_PCI_DEVFN, 0x10, 4, 0),
		pcicfg(IOREQ_READ, ENV_PCI_DEVFN, 0x3d, 1, 0),
		pcicfg(IOREQ_READ, ENV_PCI_DEVFN, 0x06, 2, 0),
		pcicfg(IOREQ_WRITE, ENV_PCI_DEVFN, 0x04, 2, 0x0107),
		pcicfg(IOREQ_READ, 0x20, 0x00, 4, 0), /* 00:04.0 is not ours */
	};

	run1(e, s, 5);
	assert_int_equal(s[0].result, ENV_PCI_DEVFN << 16 | 0x10);
	assert_int_equal(s[1].result, 0x3d);
	assert_int_equal(s[2].result, 0x06);
	assert_int_equal(e->nlog, 1);
	assert_int_equal(e->log[0].space, 'c');
	assert_int_equal(e->log[0].addr, 0x04);
	assert_int_equal(e->log[0].val, 0x0107);
	assert_int_equal(e->log[0].size, 2);
	assert_int_equal(s[4].outcome, XSIM_NULL);
	assert_int_equal(s[4].result, 0xffffffff);
}

/* A request for a function on another bus/segment reaching us still reads all ones. */
static void pci_config_other_bus(void **state)
{
	struct env *e = *state;
	struct xensim_req s = pcicfg(IOREQ_READ, 1u << 8 | ENV_PCI_DEVFN, 0, 4, 0);

	s.raw = true;
	run1(e, &s, 1);
	assert_int_equal(s.outcome, XSIM_DM);
	assert_int_equal(s.result, 0xffffffff);
}

/* ------------------------------------------------------------ buffered ring */

static struct xensim_req buffered(uint64_t addr, uint32_t size, uint64_t val)
{
	struct xensim_req r = env_req(IOREQ_TYPE_COPY, IOREQ_WRITE, addr, size, val);

	r.buffer_ok = true;
	return r;
}

/* Posted writes reach the device before the synchronous request that follows them. */
static void buffered_before_sync(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		buffered(ENV_VGA_BASE + 0x10, 1, 0x41),
		buffered(ENV_VGA_BASE + 0x20, 8, 0x1122334455667788ull),
		buffered(ENV_VGA_BASE + 0x30, 2, 0xbeef),
		env_req(IOREQ_TYPE_COPY, IOREQ_WRITE, ENV_MMIO_BASE, 4, 0x99),
	};

	run1(e, s, 4);
	assert_int_equal(s[0].outcome, XSIM_BUFFERED);
	assert_int_equal(s[1].outcome, XSIM_BUFFERED);
	assert_int_equal(s[3].outcome, XSIM_DM);
	assert_int_equal(e->nlog, 4);
	assert_int_equal(e->log[0].addr, ENV_VGA_BASE + 0x10);
	assert_int_equal(e->log[0].val, 0x41);
	/* The two halves of a quad word become one 8-byte write. */
	assert_int_equal(e->log[1].addr, ENV_VGA_BASE + 0x20);
	assert_int_equal(e->log[1].size, 8);
	assert_int_equal(e->log[1].val, 0x1122334455667788ull);
	assert_int_equal(e->log[2].val, 0xbeef);
	assert_int_equal(e->log[3].addr, ENV_MMIO_BASE);
	assert_int_equal(xp_of(e)->stats.buffered, 3);
}

/* Alone, the ring drains 100 ms after its channel fires; the port stays masked meanwhile. */
static void buffered_timer(void **state)
{
	struct env *e = *state;

	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE, 4, 7), 0);
	while (loop_iterate(e->m.loop, 0) > 0)
		;
	assert_true(timer_pending(&xp_of(e)->buf_timer));
	assert_int_equal(e->nlog, 0);
	/* A second write while masked raises no new event, and is drained with the first. */
	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE + 4, 4, 8), 0);
	loop_clock_step(e->m.loop, 99 * MS);
	assert_int_equal(e->nlog, 0);
	loop_clock_step(e->m.loop, 1 * MS);
	assert_int_equal(e->nlog, 2);
	assert_int_equal(e->log[1].val, 8);
	/* Re-armed because it found work; the next run finds none and unmasks. */
	assert_true(timer_pending(&xp_of(e)->buf_timer));
	loop_clock_step(e->m.loop, 100 * MS);
	assert_false(timer_pending(&xp_of(e)->buf_timer));
	/* Unmasked: a new write raises the channel again. */
	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE + 8, 4, 9), 0);
	while (loop_iterate(e->m.loop, 0) > 0)
		;
	assert_true(timer_pending(&xp_of(e)->buf_timer));
	pump_buffered(e);
	assert_int_equal(e->nlog, 3);
}

/* Many times round the 511-slot ring, with quad words straddling the wrap. */
static void buffered_wraps(void **state)
{
	struct env *e = *state;
	unsigned i, n = 5000, got = 0;
	uint32_t rp, wp;

	for (i = 0; i < n; i++) {
		uint32_t size = i % 7 == 3 ? 8 : i % 3 == 0 ? 2 : 4;
		uint64_t val = size == 8 ? 0x0123456789abcdefull ^ i : i & 0xffff;

		while (xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE + (i % 0x1000) * 8, size,
					     val) == -EAGAIN)
			pump_buffered(e);
		xensim_buffered_pointers(&rp, &wp);
		/* Xen canonicalises: the read pointer never runs past the ring size. */
		assert_true(rp < IOREQ_BUFFER_SLOT_NUM);
	}
	pump_buffered(e);
	assert_int_equal(e->nlog, n);
	for (i = 0; i < n; i++) {
		uint32_t size = i % 7 == 3 ? 8 : i % 3 == 0 ? 2 : 4;
		uint64_t val = size == 8 ? 0x0123456789abcdefull ^ i : i & 0xffff;

		assert_int_equal(e->log[i].addr, ENV_VGA_BASE + (i % 0x1000) * 8);
		assert_int_equal(e->log[i].size, size);
		assert_int_equal(e->log[i].val, val);
		got++;
	}
	assert_int_equal(got, n);
}

/* A quad word whose halves sit in slot 510 and slot 0. */
static void buffered_quad_across_wrap(void **state)
{
	struct env *e = *state;
	unsigned i;

	for (i = 0; i < 510; i++)
		assert_int_equal(xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE, 4, i), 0);
	/* One slot left: a quad word does not fit and Xen would send it synchronously. */
	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE, 8, 1), -EAGAIN);
	pump_buffered(e);
	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_COPY, ENV_VGA_BASE + 8, 8,
					       0xfedcba9876543210ull),
			 0);
	pump_buffered(e);
	assert_int_equal(e->nlog, 511);
	assert_int_equal(e->log[510].size, 8);
	assert_int_equal(e->log[510].val, 0xfedcba9876543210ull);
}

/*
 * A vCPU producing faster than the ring drains: full ring falls back to a
 * synchronous request, which drains first; order is kept throughout while
 * Xen canonicalises the pointers under the consumer.
 */
static void buffered_racing_producer(void **state)
{
	struct env *e = *state;
	unsigned i, n = 20000;
	struct xensim_req *s = calloc(n, sizeof(*s));

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = buffered(ENV_VGA_BASE + (i % 0x4000) * 4, 4, i);
	run1(e, s, n);
	pump_buffered(e);
	assert_int_equal(e->nlog, n);
	for (i = 0; i < n; i++)
		assert_int_equal(e->log[i].val, i);
	assert_true(xp_of(e)->stats.sync > 0);
	assert_int_equal(xensim_errors(), 0);
	free(s);
}

/*
 * A guest that keeps the ring fed (here: every write the device takes posts
 * another, as a second vCPU spinning on a posted write would) cannot hold
 * the loop in one drain: a drain takes at most a ring's worth of slots,
 * the timer takes the rest. Without the bound xen_drain_buffered never
 * returned.
 */
#define FEED_PORT 0x530

struct feeder {
	struct region r;
	unsigned seen, left;
};

static uint64_t feed_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque, (void)off, (void)size;
	return 0;
}

static void feed_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct feeder *fd = opaque;

	(void)off, (void)size;
	fd->seen++;
	if (fd->left && xensim_buffered_write(IOREQ_TYPE_PIO, FEED_PORT, 1, val + 1) == 0)
		fd->left--;
}

static const struct region_ops feed_ops = { .read = feed_read, .write = feed_write };

static void buffered_feeding_guest_bounded(void **state)
{
	struct env *e = *state;
	struct feeder fd = { .left = 5 * IOREQ_BUFFER_SLOT_NUM };
	unsigned done;

	fd.r = (struct region){ .name = "feeder", .space = BUS_PIO, .base = FEED_PORT, .len = 1,
				.ops = &feed_ops, .opaque = &fd };
	assert_int_equal(bus_add(e->m.bus, &fd.r), 0);
	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_PIO, FEED_PORT, 1, 0), 0);
	done = xen_drain_buffered(xp_of(e));
	assert_true(done > 0 && done <= IOREQ_BUFFER_SLOT_NUM);
	assert_int_equal(fd.seen, done);
	/* The timer takes the rest, a ring's worth per run, until the feeder stops. */
	pump_buffered(e);
	assert_int_equal(fd.left, 0);
	assert_int_equal(fd.seen, 5 * IOREQ_BUFFER_SLOT_NUM + 1);
	bus_del(e->m.bus, &fd.r);
}

/* TIMEOFFSET comes buffered as a quad word; it is consumed, nothing reaches a device. */
static void buffered_timeoffset(void **state)
{
	struct env *e = *state;

	assert_int_equal(xensim_buffered_write(IOREQ_TYPE_TIMEOFFSET, 0, 8, 3600), 0);
	pump_buffered(e);
	assert_int_equal(e->nlog, 0);
	assert_int_equal(xp_of(e)->stats.buffered, 1);
	assert_int_equal(xp_of(e)->stats.malformed, 0);
}

/* ------------------------------------------------------------ malformed */

static struct xensim_req raw(uint8_t type, uint8_t dir, uint64_t addr, uint32_t size,
			     uint32_t count)
{
	struct xensim_req r = env_req(type, dir, addr, size, 0x5555);

	r.count = count;
	r.raw = true;
	return r;
}

/* Every shape ioreq_handle refuses is completed, reads all ones, and nothing stalls. */
static void malformed_answered(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		raw(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 8, 1),   /* PIO wider than 4 */
		raw(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 3, 1),   /* size not a power of 2 */
		raw(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 0, 1),   /* size 0 */
		raw(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE, 16, 1), /* wider than 8 */
		raw(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE, 4, 0),  /* count 0 */
		raw(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE, 4, 100000), /* count too big */
		raw(IOREQ_TYPE_PCI_CONFIG, IOREQ_READ, (uint64_t)ENV_PCI_DEVFN << 32, 4, 2),
		raw(IOREQ_TYPE_PCI_CONFIG, IOREQ_READ, (uint64_t)ENV_PCI_DEVFN << 32, 8, 1),
		raw(5, IOREQ_READ, 0, 4, 1),                        /* unknown type */
		raw(3, IOREQ_READ, 0x5658, 4, 1),                   /* VMware port: not in Xen */
		raw(0xff, IOREQ_READ, 0, 4, 1),
		raw(IOREQ_TYPE_PIO, IOREQ_READ, 0xfffe, 4, 1),      /* runs past port 0xffff */
		raw(IOREQ_TYPE_PIO, IOREQ_READ, 0x123456, 1, 1),    /* port beyond 0xffff */
		raw(IOREQ_TYPE_COPY, IOREQ_READ, ~0ull - 7, 8, 4),  /* extent wraps */
	};
	size_t n = sizeof(s) / sizeof(s[0]), i;

	run1(e, s, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(s[i].outcome, XSIM_DM);
		assert_int_equal(s[i].result, ~0ull);
	}
	assert_int_equal(xp_of(e)->stats.malformed, n);
	assert_int_equal(e->nlog, 0);
	assert_int_equal(xensim_errors(), 0);
}

/* Malformed writes do nothing; a rep whose buffer leaves RAM stops there but completes. */
static void malformed_writes_and_faults(void **state)
{
	struct env *e = *state;
	struct xensim_req s[] = {
		raw(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_REG_PORT, 8, 1),
		raw(9, IOREQ_WRITE, 0, 4, 1),
		/* OUTSW from 128 MiB, past RAM and no device: nothing to send */
		ptr_req(IOREQ_TYPE_PIO, IOREQ_WRITE, ENV_FIFO_PORT, 2, 4, false, 0x8000000),
		/* INSW into a buffer that leaves RAM after two elements (64 MiB end) */
		ptr_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_FIFO_PORT, 2, 4, false, (64ull << 20) - 4),
		/* a buffer far beyond guest memory */
		ptr_req(IOREQ_TYPE_COPY, IOREQ_READ, ENV_MMIO_BASE, 8, 2, false, 1ull << 50),
	};
	size_t n = sizeof(s) / sizeof(s[0]), i;
	uint16_t w;

	s[2].raw = s[3].raw = s[4].raw = true;
	run1(e, s, n);
	for (i = 0; i < n; i++)
		assert_int_equal(s[i].outcome, XSIM_DM);
	assert_int_equal(e->nlog, 0);
	memcpy(&w, xensim_ram((64ull << 20) - 2, 2), 2);
	assert_int_equal(w, 1);
	assert_int_equal(xensim_errors(), 0);
}

/* Broken buffered rings: a read, a lone half quad word, impossible pointers. */
static void malformed_buffered(void **state)
{
	struct env *e = *state;
	const uint32_t bad_dir[1][2] = { { IOREQ_TYPE_COPY | 1u << 9 | 2u << 10 | 0x10u << 12, 5 } };
	const uint32_t bad_type[1][2] = { { 5u | 2u << 10, 5 } };
	const uint32_t half[1][2] = { { IOREQ_TYPE_COPY | 3u << 10 | 0xa0u << 12, 5 } };
	const uint32_t good[1][2] = { { IOREQ_TYPE_COPY | 2u << 10 | 0xa0000u << 12, 0x77 } };
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4, 0);

	xensim_buffered_raw(bad_dir, 1, 1);
	xensim_buffered_raw(bad_type, 1, 1);
	xensim_buffered_raw(half, 1, 1);
	pump_buffered(e);
	assert_int_equal(e->nlog, 0);
	assert_int_equal(xp_of(e)->stats.malformed, 3);
	/* Write pointer 1000 slots ahead: skipped, not read 1000 times round the ring. */
	xensim_buffered_raw(good, 0, 1000);
	pump_buffered(e);
	assert_int_equal(e->nlog, 0);
	assert_int_equal(xensim_buffered_pending(), 0);
	/* And the ring still works. */
	xensim_buffered_raw(good, 1, 1);
	run1(e, &s, 1);
	assert_int_equal(e->nlog, 1);
	assert_int_equal(e->log[0].addr, 0xa0000);
	assert_int_equal(e->log[0].val, 0x77);
	assert_int_equal(s.result, 0x12345678);
}

/* ------------------------------------------------------------ the simulator's own checks */

/* Wait (bounded) until vCPU 0's slot shows READY, without letting the DM run. */
static bool wait_ready(struct xen_platform *xp)
{
	volatile uint8_t *flags = (volatile uint8_t *)&xp->shared->vcpu_ioreq[0] + XIO_BYTE_FLAGS;
	unsigned i;

	for (i = 0; i < 5000000; i++) {
		if ((*flags & XIO_STATE_MASK) == STATE_IOREQ_READY)
			return true;
		sched_yield();
	}
	return false;
}

/*
 * A device model that steps the state backwards, or writes more than data,
 * is caught by xensim as Xen would catch it (wait_for_io: "weird HVM ioreq
 * state transition"): the checks the other tests rely on are not vacuous.
 */
static void sim_catches_violations(void **state)
{
	struct xensim_cfg c = cfg(1);
	struct xen_opts xo = { 0 };
	struct env *e = malloc(sizeof(*e));
	struct xensim_req s = env_req(IOREQ_TYPE_PIO, IOREQ_READ, ENV_REG_PORT, 4, 0);
	struct xen_platform *xp;
	volatile uint8_t *flags;

	(void)state;
	assert_non_null(e);
	assert_int_equal(env_setup(e, &c, &xo), 0);
	xp = xp_of(e);
	flags = (volatile uint8_t *)&xp->shared->vcpu_ioreq[0] + XIO_BYTE_FLAGS;

	/* READY -> NONE: backwards. */
	assert_int_equal(xensim_vcpu_start(0, &s, 1), 0);
	assert_true(wait_ready(xp));
	*flags = (uint8_t)(*flags & ~XIO_STATE_MASK);
	assert_int_equal(xenevtchn_notify(xp->xce, xp->vcpu_port[0]), 0);
	xensim_vcpu_join_all();
	assert_int_equal(s.outcome, XSIM_ERROR);
	assert_int_equal(xensim_errors(), 1);
	assert_true(xensim_log_find("ERROR vcpu 0: weird ioreq state transition 1 -> 0", 0) >= 0);

	/* IORESP_READY with the address changed: more than data written. */
	assert_int_equal(xensim_vcpu_start(0, &s, 1), 0);
	assert_true(wait_ready(xp));
	xp->shared->vcpu_ioreq[0].addr = 0x999;
	*flags = (uint8_t)((*flags & ~XIO_STATE_MASK) | STATE_IORESP_READY);
	assert_int_equal(xenevtchn_notify(xp->xce, xp->vcpu_port[0]), 0);
	xensim_vcpu_join_all();
	assert_int_equal(xensim_errors(), 2);
	assert_true(xensim_log_find("ERROR vcpu 0: device model wrote more than data and state",
				    0) >= 0);
	env_teardown(e);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slot_bits_match_header),
		cmocka_unit_test(buf_slot_bits_match_header),
		cmocka_unit_test(translation),
		cmocka_unit_test_setup_teardown(pio_reads_and_writes, setup1, teardown),
		cmocka_unit_test_setup_teardown(state_machine_1_vcpu, setup1, teardown),
		cmocka_unit_test_setup_teardown(state_machine_4_vcpus, setup4, teardown),
		cmocka_unit_test_setup_teardown(spurious_event, setup1, teardown),
		cmocka_unit_test_setup_teardown(rep_insw_both_df, setup1, teardown),
		cmocka_unit_test_setup_teardown(rep_outsw_both_df, setup1, teardown),
		cmocka_unit_test_setup_teardown(rep_movs_both_ways, setup1, teardown),
		cmocka_unit_test_setup_teardown(rep_stos, setup1, teardown),
		cmocka_unit_test_setup_teardown(pci_config_decoding, setup1, teardown),
		cmocka_unit_test_setup_teardown(pci_config_other_bus, setup1, teardown),
		cmocka_unit_test_setup_teardown(buffered_before_sync, setup1, teardown),
		cmocka_unit_test_setup_teardown(buffered_timer, setup1, teardown),
		cmocka_unit_test_setup_teardown(buffered_wraps, setup1, teardown),
		cmocka_unit_test_setup_teardown(buffered_quad_across_wrap, setup1, teardown),
		cmocka_unit_test_setup_teardown(buffered_racing_producer, setup4, teardown),
		cmocka_unit_test_setup_teardown(buffered_timeoffset, setup1, teardown),
		cmocka_unit_test_setup_teardown(buffered_feeding_guest_bounded, setup1, teardown),
		cmocka_unit_test_setup_teardown(malformed_answered, setup1, teardown),
		cmocka_unit_test_setup_teardown(malformed_writes_and_faults, setup1, teardown),
		cmocka_unit_test_setup_teardown(malformed_buffered, setup1, teardown),
		cmocka_unit_test(sim_catches_violations),
	};
	return cmocka_run_group_tests_name("xen_ioreq", tests, NULL, NULL);
}
