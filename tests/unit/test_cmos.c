// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmos: the MC146818A's NVRAM through ports 0x70/0x71 (MC146818A datasheet,
 * "Address Map"; xen-interface.md §6.3), with the contents QEMU's
 * pc_cmos_init()/set_boot_dev() give for the same options.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/isa/cmos.h"
#include "tests/unit/dev_rig.h"

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *cmos;
};

static int rig_build(struct rig *r, uint64_t ram_mb, unsigned smp, const char *boot)
{
	struct dm_dev *d = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, ram_mb, smp, NULL, NULL);
	r->o.boot = boot;
	ret = dev_rig_add(&r->m, "cmos", &d);
	if (ret)
		return ret;
	r->cmos = cmos_find(&r->m);
	assert_ptr_equal(r->cmos, d);
	return 0;
}

static void rig_free(struct rig *r)
{
	dev_rig_free(&r->m);
}

static uint8_t cmos_rd(struct rig *r, uint8_t idx)
{
	bus_write(r->m.bus, BUS_PIO, 0x70, idx, 1);
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, 0x71, 1);
}

static void cmos_wr(struct rig *r, uint8_t idx, uint8_t val)
{
	bus_write(r->m.bus, BUS_PIO, 0x70, idx, 1);
	bus_write(r->m.bus, BUS_PIO, 0x71, val, 1);
}

/* pc_cmos_init(): 0x15/0x16 base KiB (<= 640), 0x17/0x18 and 0x30/0x31 KiB above 1 MiB
 * clamped to 0xffff, 0x34/0x35 64 KiB units above 16 MiB, 0x5b-0x5d 64 KiB units above 4 GiB. */
static void memory_bytes_240m(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 240, 1, "order=cda"), 0);
	assert_int_equal(cmos_rd(&r, 0x15), 0x80);
	assert_int_equal(cmos_rd(&r, 0x16), 0x02);
	assert_int_equal(cmos_rd(&r, 0x17), 0xff);
	assert_int_equal(cmos_rd(&r, 0x18), 0xff);
	assert_int_equal(cmos_rd(&r, 0x30), 0xff);
	assert_int_equal(cmos_rd(&r, 0x31), 0xff);
	assert_int_equal(cmos_rd(&r, 0x34), 0x00); /* (240 - 16) MiB / 64 KiB = 0x0e00 */
	assert_int_equal(cmos_rd(&r, 0x35), 0x0e);
	assert_int_equal(cmos_rd(&r, 0x5b), 0);
	assert_int_equal(cmos_rd(&r, 0x5c), 0);
	assert_int_equal(cmos_rd(&r, 0x5d), 0);
	rig_free(&r);
}

static void memory_bytes_small(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 8, 1, NULL), 0);
	/* 7 MiB above 1 MiB = 7168 KiB = 0x1c00; nothing above 16 MiB. */
	assert_int_equal(cmos_get(r.cmos, 0x17), 0x00);
	assert_int_equal(cmos_get(r.cmos, 0x18), 0x1c);
	assert_int_equal(cmos_get(r.cmos, 0x30), 0x00);
	assert_int_equal(cmos_get(r.cmos, 0x31), 0x1c);
	assert_int_equal(cmos_get(r.cmos, 0x34), 0);
	assert_int_equal(cmos_get(r.cmos, 0x35), 0);
	rig_free(&r);
}

/* Xen: low RAM ends at HVM_BELOW_4G_RAM_END 0xf0000000 (xen-interface.md §3.4). */
static void memory_bytes_above_4g(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 8192, 1, NULL), 0);
	/* (3840 - 16) MiB / 64 KiB = 61184 = 0xef00 */
	assert_int_equal(cmos_get(r.cmos, 0x34), 0x00);
	assert_int_equal(cmos_get(r.cmos, 0x35), 0xef);
	/* 4352 MiB / 64 KiB = 69632 = 0x011000 */
	assert_int_equal(cmos_get(r.cmos, 0x5b), 0x00);
	assert_int_equal(cmos_get(r.cmos, 0x5c), 0x10);
	assert_int_equal(cmos_get(r.cmos, 0x5d), 0x01);
	rig_free(&r);
}

/* 0x5f = vCPUs - 1; 0x14 = FPU | PS/2 mouse, no floppy; 0x10 no floppy drives; 0x32 century. */
static void cpus_equipment_century(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 256, 4, NULL), 0);
	assert_int_equal(cmos_rd(&r, 0x5f), 3);
	assert_int_equal(cmos_rd(&r, 0x14), 0x06);
	assert_int_equal(cmos_rd(&r, 0x10), 0x00);
	assert_int_equal(cmos_rd(&r, 0x32), 0x20);
	assert_int_equal(cmos_rd(&r, 0x37), 0x20); /* QEMU 7.2 keeps the PS/2 copy too */
	rig_free(&r);
}

/* set_boot_dev(): a/b = 1, c = 2, d = 3, n = 4; 0x3d = 2nd << 4 | 1st, 0x38 = 3rd << 4. */
static void boot_order_bytes(void **state)
{
	static const struct {
		const char *boot;
		uint8_t r3d, r38;
	} cases[] = {
		{ "order=cda", 0x32, 0x10 }, /* libxl's argv-a.txt */
		{ NULL, 0x12, 0x30 },	     /* QEMU's default "cad" */
		{ "order=n", 0x04, 0x00 },   { "order=dc,menu=on", 0x23, 0x00 },
		{ "cd", 0x32, 0x00 }, /* the legacy bare form */
		{ "order=", 0x00, 0x00 },
	};
	struct rig r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rig_build(&r, 256, 1, cases[i].boot), 0);
		assert_int_equal(cmos_rd(&r, 0x3d), cases[i].r3d);
		assert_int_equal(cmos_rd(&r, 0x38), cases[i].r38);
		rig_free(&r);
	}
}

static void bad_boot_order_is_an_error(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 256, 1, "order=cdx"), -EINVAL);
	rig_free(&r);
	assert_int_equal(rig_build(&r, 256, 1, "order=cdan"), -EINVAL);
	rig_free(&r);
}

/* Index port: bit 7 is NMI disable, not an index bit; the index port reads 0xff. */
static void index_data_and_nmi_bit(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 256, 1, NULL), 0);
	cmos_wr(&r, 0x40, 0xa5);
	assert_int_equal(cmos_rd(&r, 0x40), 0xa5);
	assert_int_equal(cmos_rd(&r, 0xc0), 0xa5); /* NMI bit set: same byte */
	cmos_wr(&r, 0xff, 0x5a);		   /* index 0x7f */
	assert_int_equal(cmos_rd(&r, 0x7f), 0x5a);
	assert_int_equal(bus_read(r.m.bus, BUS_PIO, 0x70, 1), 0xff);
	/* Standalone, indices 0-13 are answered as stored bytes. */
	cmos_wr(&r, 0x0b, 0x02);
	assert_int_equal(cmos_rd(&r, 0x0b), 0x02);
	rig_free(&r);
}

/* The bytes survive a reset (QEMU keeps cmos_data); the selected index does not. */
static void reset_keeps_contents(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 256, 1, NULL), 0);
	cmos_wr(&r, 0x00, 0x11);
	cmos_wr(&r, 0x50, 0x77);
	r.cmos->type->reset(r.cmos, RESET_SYSTEM);
	assert_int_equal(bus_read(r.m.bus, BUS_PIO, 0x71, 1), 0x11); /* index back to 0 */
	assert_int_equal(cmos_rd(&r, 0x50), 0x77);
	rig_free(&r);
}

static void set_get_api_bounds(void **state)
{
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 256, 1, NULL), 0);
	assert_int_equal(cmos_set(r.cmos, 0x12, 0xf0), 0);
	assert_int_equal(cmos_rd(&r, 0x12), 0xf0);
	assert_int_equal(cmos_set(r.cmos, 128, 1), -EINVAL);
	assert_int_equal(cmos_get(r.cmos, 128), -EINVAL);
	assert_int_equal(cmos_get(r.cmos, 0x12), 0xf0);
	rig_free(&r);
}

/* Save/restore (dm/state.h): contents and index come back; a bad index is refused whole. */
static void save_and_restore(void **state)
{
	struct snap_wr w;
	struct rig a, b;

	(void)state;
	assert_int_equal(rig_build(&a, 256, 1, NULL), 0);
	cmos_wr(&a, 0x42, 0x99);
	bus_write(a.m.bus, BUS_PIO, 0x70, 0x33, 1);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);
	assert_int_equal(rig_build(&b, 512, 2, NULL), 0);
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	assert_int_equal(bus_read(b.m.bus, BUS_PIO, 0x71, 1), cmos_get(a.cmos, 0x33));
	assert_int_equal(cmos_rd(&b, 0x42), 0x99);
	for (unsigned i = 0; i < 128; i++)
		assert_int_equal(cmos_get(b.cmos, i), cmos_get(a.cmos, i));
	/* corrupt the index byte: the field after its name "index" and type 1 */
	for (size_t i = 0; i + 6 < w.len; i++) {
		if (!memcmp(w.buf + i, "index", 5)) {
			w.buf[i + 6] = 0x80;
			break;
		}
	}
	cmos_wr(&b, 0x42, 0x11);
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), -EINVAL);
	assert_int_equal(cmos_rd(&b, 0x42), 0x11); /* nothing committed */
	snap_wr_free(&w);
	rig_free(&a);
	rig_free(&b);
}

/*
 * Random accesses of every size at 0x6e-0x73: the bus cuts them into bytes;
 * a reference model of index/data must agree with every read and with the
 * final contents.
 */
static void random_accesses_stay_consistent(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4 };
	uint8_t ram[128], idx = 0;
	uint32_t seed = 12345;
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, 256, 1, NULL), 0);
	for (unsigned i = 0; i < 128; i++)
		ram[i] = (uint8_t)cmos_get(r.cmos, i);
	idx = 0x7f; /* last index cmos_get-free reads left is unknown: select one */
	bus_write(r.m.bus, BUS_PIO, 0x70, idx, 1);
	for (int n = 0; n < 20000; n++) {
		unsigned size = sizes[lcg(&seed) % 3];
		uint16_t port = (uint16_t)(0x6e + lcg(&seed) % 6);
		uint32_t val = lcg(&seed) ^ (lcg(&seed) << 16);
		bool wr = lcg(&seed) & 1;
		uint64_t got = wr ? 0 : bus_read(r.m.bus, BUS_PIO, port, size);

		if (wr)
			bus_write(r.m.bus, BUS_PIO, port, val, size);
		for (unsigned b = 0; b < size; b++) {
			uint16_t p = port + b;
			uint8_t vb = (val >> (8 * b)) & 0xff;
			uint8_t want = 0xff;

			if (p == 0x70 && wr)
				idx = vb & 0x7f;
			else if (p == 0x71 && wr)
				ram[idx] = vb;
			else if (p == 0x71)
				want = ram[idx];
			if (!wr)
				assert_int_equal((got >> (8 * b)) & 0xff, want);
		}
	}
	for (unsigned i = 0; i < 128; i++)
		assert_int_equal(cmos_get(r.cmos, i), ram[i]);
	rig_free(&r);
}

/*
 * -boot once=a,order=c: QEMU 7.2 writes the once order into 0x3d/0x38 at
 * start and restores the order at the first system reset (restore_boot_order),
 * as its boot-order-test checks ("-boot once=a,order=c": 0x0100, then 0x0200).
 */
static void boot_once_until_first_reset(void **state)
{
	struct rig r;
	struct dm_dev *d = NULL;

	(void)state;
	memset(&r, 0, sizeof(r));
	dev_rig_init(&r.m, &r.o, MACHINE_XENFV, 16, 1, NULL, NULL);
	r.o.boot = "c";
	r.o.boot_once = "a";
	assert_int_equal(dev_rig_add(&r.m, "cmos", &d), 0);
	assert_non_null(d);
	assert_int_equal(cmos_rd(&r, 0x3d) | cmos_rd(&r, 0x38) << 8, 0x0001);
	d->type->reset(d, RESET_POWER_ON); /* not a guest reset: once stays */
	assert_int_equal(cmos_rd(&r, 0x3d), 0x01);
	d->type->reset(d, RESET_SYSTEM);
	assert_int_equal(cmos_rd(&r, 0x3d) | cmos_rd(&r, 0x38) << 8, 0x0002);
	cmos_wr(&r, 0x3d, 0x03); /* the guest's own write stays over later resets */
	d->type->reset(d, RESET_SYSTEM);
	assert_int_equal(cmos_rd(&r, 0x3d), 0x03);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memory_bytes_240m),
		cmocka_unit_test(memory_bytes_small),
		cmocka_unit_test(memory_bytes_above_4g),
		cmocka_unit_test(cpus_equipment_century),
		cmocka_unit_test(boot_order_bytes),
		cmocka_unit_test(boot_once_until_first_reset),
		cmocka_unit_test(bad_boot_order_is_an_error),
		cmocka_unit_test(index_data_and_nmi_bit),
		cmocka_unit_test(reset_keeps_contents),
		cmocka_unit_test(set_get_api_bounds),
		cmocka_unit_test(save_and_restore),
		cmocka_unit_test(random_accesses_stay_consistent),
	};
	return cmocka_run_group_tests_name("cmos", tests, NULL, NULL);
}
