// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine builder (dm/machine.c) on the standalone platform: the board
 * of each machine kind and qemu-xen's PCI placement
 * (shared/docs/qemu-xen-golden/README.md "PCI layout": xenfv puts the Xen
 * platform device at 00:02.0, the first free slot, before any -device; a
 * -device with addr= keeps its slot; without the platform device everything
 * moves one slot down).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/sim/sim.h"
#include "hw/isa/cmos.h"

#define DEVFN(slot, fn) ((slot) << 3 | (fn))

struct fixture {
	struct machine_opts o;
	struct sim s;
	bool built;
};

static struct fixture *fixture(enum machine_kind kind, const char *const *devices)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->o.kind = kind;
	f->o.ram_mb = 16;
	f->o.smp = 1;
	f->o.nodefaults = true;
	for (size_t i = 0; devices && devices[i]; i++)
		assert_int_equal(strlist_add(&f->o.devices, devices[i]), 0);
	return f;
}

static int build(struct fixture *f)
{
	int ret = sim_init(&f->s, &f->o);

	f->built = ret == 0;
	return ret;
}

static void release(struct fixture *f)
{
	if (f->built)
		sim_fini(&f->s);
	strlist_free(&f->o.devices);
	free(f);
}

static uint32_t pci_id(struct fixture *f, unsigned devfn)
{
	return bus_pci_read(f->s.m.bus, devfn, 0, 4);
}

static void xenfv_board_at_qemu_xen_addresses(void **state)
{
	struct fixture *f = fixture(MACHINE_XENFV, NULL);

	(void)state;
	assert_int_equal(build(f), 0);
	assert_int_equal(pci_id(f, DEVFN(0, 0)), 0x12378086); /* i440FX */
	assert_int_equal(pci_id(f, DEVFN(1, 0)), 0x70008086); /* PIIX3 ISA */
	if (dev_type_find("piix4-pm"))
		assert_int_equal(pci_id(f, DEVFN(1, 3)), 0x71138086);
	if (dev_type_find("xen-platform"))
		assert_int_equal(pci_id(f, DEVFN(2, 0)), 0x00015853);
	assert_false(bus_pci_present(f->s.m.bus, DEVFN(3, 0)));
	/* The next free slots, for whatever comes next (VGA 00:03.0, NIC 00:04.0). */
	assert_int_equal(machine_alloc_slot(&f->s.m), 3);
	assert_int_equal(machine_alloc_slot(&f->s.m), 4);
	release(f);
}

static void pc_has_no_platform_device(void **state)
{
	struct fixture *f = fixture(MACHINE_PC, NULL);

	(void)state;
	assert_int_equal(build(f), 0);
	assert_int_equal(pci_id(f, DEVFN(0, 0)), 0x12378086);
	assert_false(bus_pci_present(f->s.m.bus, DEVFN(2, 0)));
	assert_int_equal(machine_alloc_slot(&f->s.m), 2);
	release(f);
}

/* -global takes the type's name or its alias (QEMU's isa-serial is serial); the spec wins. */
static void global_by_name_or_alias(void **state)
{
	static const char *const devs[] = { "serial,id=s0", "serial,id=s1,iobase=0x3e8", NULL };
	struct fixture *f = fixture(MACHINE_PC, devs);

	(void)state;
	assert_int_equal(strlist_add(&f->o.globals, "isa-serial.iobase=0x2f8"), 0);
	assert_int_equal(strlist_add(&f->o.globals, "serial.irq=5"), 0);
	assert_int_equal(strlist_add(&f->o.globals, "isa-serialx.irq=7"), 0);
	assert_int_equal(build(f), 0);
	assert_int_equal(dev_prop_int(machine_find_dev(&f->s.m, "s0"), "iobase"), 0x2f8);
	assert_int_equal(dev_prop_int(machine_find_dev(&f->s.m, "s0"), "irq"), 5);
	assert_int_equal(dev_prop_int(machine_find_dev(&f->s.m, "s1"), "iobase"), 0x3e8);
	assert_int_equal(dev_prop_int(machine_find_dev(&f->s.m, "s1"), "irq"), 5);
	strlist_free(&f->o.globals);
	release(f);
}

/* PM1a_CNT (ACPI 2.0 §4.7.3.2.1) after hvmloader's PMBA 0xb000 setup and a system reset. */
static uint16_t pm1_cnt(struct fixture *f, bool reset)
{
	bus_pci_write(f->s.m.bus, DEVFN(1, 3), 0x40, 0xb001, 4); /* PMBA */
	bus_pci_write(f->s.m.bus, DEVFN(1, 3), 0x80, 0x01, 1);	 /* PMIOSE */
	if (reset)
		machine_reset(&f->s.m, RESET_SYSTEM);
	bus_pci_write(f->s.m.bus, DEVFN(1, 3), 0x40, 0xb001, 4);
	bus_pci_write(f->s.m.bus, DEVFN(1, 3), 0x80, 0x01, 1);
	return (uint16_t)bus_read(f->s.m.bus, BUS_PIO, 0xb004, 2);
}

/*
 * SCI_EN out of reset as QEMU 7.2's acpi_pm1_cnt_reset: set on an ACPI-only board, which
 * pc-i440fx-7.2 without SMM is (accel=xen has none); xenfv (pc-i440fx-3.1) has hw_compat_5_2's
 * PIIX4_PM smm-compat=on and leaves it clear for hvmloader's APM 0xf1. On an ACPI-only board
 * APM 0xf0/0xf1 change nothing (acpi_pm1_cnt_update), a PM1a_CNT write still does.
 */
static void pm1_cnt_sci_en_per_machine(void **state)
{
	struct fixture *f = fixture(MACHINE_PC, NULL);

	(void)state;
	assert_int_equal(build(f), 0);
	assert_int_equal(pm1_cnt(f, false), 0x0001);
	bus_write(f->s.m.bus, BUS_PIO, 0xb2, 0xf0, 1); /* ACPI disable: ignored */
	assert_int_equal(bus_read(f->s.m.bus, BUS_PIO, 0xb004, 2), 0x0001);
	bus_write(f->s.m.bus, BUS_PIO, 0xb004, 0x0000, 2);
	assert_int_equal(bus_read(f->s.m.bus, BUS_PIO, 0xb004, 2), 0x0000);
	bus_write(f->s.m.bus, BUS_PIO, 0xb2, 0xf1, 1); /* ACPI enable: ignored too */
	assert_int_equal(bus_read(f->s.m.bus, BUS_PIO, 0xb004, 2), 0x0000);
	assert_int_equal(pm1_cnt(f, true), 0x0001);
	release(f);

	f = fixture(MACHINE_XENFV, NULL);
	assert_int_equal(build(f), 0);
	assert_int_equal(pm1_cnt(f, false), 0x0000);
	bus_write(f->s.m.bus, BUS_PIO, 0xb2, 0xf1, 1);
	assert_int_equal(bus_read(f->s.m.bus, BUS_PIO, 0xb004, 2), 0x0001);
	assert_int_equal(pm1_cnt(f, true), 0x0000);
	release(f);
}

static void user_device_takes_next_free_slot_or_its_addr(void **state)
{
	static const char *const next[] = { "xen-platform,id=xp", NULL };
	static const char *const fixed[] = { "xen-platform,addr=6", NULL };
	struct fixture *f;

	(void)state;
	if (!dev_type_find("xen-platform"))
		skip();
	f = fixture(MACHINE_PC, next);
	assert_int_equal(build(f), 0);
	assert_int_equal(pci_id(f, DEVFN(2, 0)), 0x00015853);
	assert_non_null(machine_find_dev(&f->s.m, "xp"));
	assert_null(machine_find_dev(&f->s.m, "nosuch"));
	release(f);

	f = fixture(MACHINE_PC, fixed);
	assert_int_equal(build(f), 0);
	assert_false(bus_pci_present(f->s.m.bus, DEVFN(2, 0)));
	assert_int_equal(pci_id(f, DEVFN(6, 0)), 0x00015853);
	/* Slot 2 is still the first free one. */
	assert_int_equal(machine_alloc_slot(&f->s.m), 2);
	release(f);
}

static void bad_device_fails_the_build_and_frees_everything(void **state)
{
	static const char *const bad[] = { "nosuchdevice,x=1", NULL };
	struct fixture *f = fixture(MACHINE_XENFV, bad);

	(void)state;
	assert_int_equal(build(f), -EINVAL);
	release(f);
}

static void machine_none_has_no_devices(void **state)
{
	static const char *const one[] = { "cmos", NULL };
	struct fixture *f = fixture(MACHINE_NONE, NULL);

	(void)state;
	assert_int_equal(build(f), 0);
	assert_null(f->s.m.devs);
	assert_false(bus_pci_present(f->s.m.bus, DEVFN(0, 0)));
	release(f);
	f = fixture(MACHINE_NONE, one);
	assert_int_equal(build(f), -EINVAL);
	release(f);
}

/*
 * The IDE disks in CMOS once the board is built (QEMU 7.2 pc_cmos_init_late,
 * cmos_init_hd; the same bytes QEMU's hd-geo-test reads): a blank 1 GiB
 * master (2080 cylinders: LBA translation) and a blank 64 MiB slave
 * (130 cylinders: none), 16 heads, 63 sectors; a CD-ROM counts for nothing.
 */
static void ide_disks_in_cmos(void **state)
{
	static const uint8_t want_1b[9] = { 0x20, 0x08, 16, 0xff, 0xff, 0xc8, 0x20, 0x08, 63 };
	static const uint8_t want_24[9] = { 0x82, 0x00, 16, 0xff, 0xff, 0xc8, 0x82, 0x00, 63 };
	char big[] = "/tmp/test_machine.big.XXXXXX", small[] = "/tmp/test_machine.small.XXXXXX";
	char spec[128];
	struct fixture *f = fixture(MACHINE_PC, NULL);
	struct dm_dev *cmos;
	int fd;

	(void)state;
	fd = mkstemp(big);
	assert_true(fd >= 0 && ftruncate(fd, 1ll << 30) == 0);
	close(fd);
	fd = mkstemp(small);
	assert_true(fd >= 0 && ftruncate(fd, 64ll << 20) == 0);
	close(fd);
	snprintf(spec, sizeof(spec), "file=%s,if=ide,index=0,format=raw", big);
	assert_int_equal(strlist_add(&f->o.drives, spec), 0);
	snprintf(spec, sizeof(spec), "file=%s,if=ide,index=1,format=raw", small);
	assert_int_equal(strlist_add(&f->o.drives, spec), 0);
	assert_int_equal(strlist_add(&f->o.drives, "if=ide,index=2,media=cdrom"), 0);
	assert_int_equal(build(f), 0);
	cmos = cmos_find(&f->s.m);
	assert_non_null(cmos);
	assert_int_equal(cmos_get(cmos, 0x12), 0xff);
	assert_int_equal(cmos_get(cmos, 0x19), 47);
	assert_int_equal(cmos_get(cmos, 0x1a), 47);
	for (unsigned i = 0; i < 9; i++) {
		assert_int_equal(cmos_get(cmos, 0x1b + i), want_1b[i]);
		assert_int_equal(cmos_get(cmos, 0x24 + i), want_24[i]);
	}
	assert_int_equal(cmos_get(cmos, 0x39), 0x01); /* master LBA (2 - 1), the rest none */
	strlist_free(&f->o.drives);
	release(f);
	unlink(big);
	unlink(small);
}

/* ide-hd cyls=/heads=/secs=/bios-chs-trans= reach CMOS (QEMU's hd-geo-test device/user cases). */
static void ide_user_geometry(void **state)
{
	static const struct {
		const char *props;
		int ret, trans;
	} cases[] = {
		{ "cyls=480,heads=4,secs=32", 0, 0x00 },		     /* auto: none */
		{ "bios-chs-trans=lba,cyls=480,heads=4,secs=32", 0, 0x01 }, /* lba - 1 */
		{ "cyls=480,heads=0,secs=32", -EINVAL, 0 },
		{ "cyls=480,heads=4,secs=32,bios-chs-trans=fast", -EINVAL, 0 },
	};
	static const uint8_t want[9] = { 0xe0, 0x01, 4, 0xff, 0xff, 0xc0, 0xe0, 0x01, 32 };
	char img[] = "/tmp/test_machine.user.XXXXXX", spec[160];
	int fd = mkstemp(img);

	(void)state;
	assert_true(fd >= 0 && ftruncate(fd, 8ll << 20) == 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture *f;
		struct dm_dev *cmos;

		snprintf(spec, sizeof(spec), "ide-hd,drive=d0,bus=ide.0,unit=0,%s", cases[i].props);
		f = fixture(MACHINE_PC, (const char *const[]){ spec, NULL });
		snprintf(spec, sizeof(spec), "if=none,id=d0,file=%s,format=raw", img);
		assert_int_equal(strlist_add(&f->o.drives, spec), 0);
		assert_int_equal(build(f) < 0 ? -EINVAL : 0, cases[i].ret);
		if (!cases[i].ret) {
			cmos = cmos_find(&f->s.m);
			assert_int_equal(cmos_get(cmos, 0x12), 0xf0);
			for (unsigned b = 0; b < 9; b++)
				assert_int_equal(cmos_get(cmos, 0x1b + b), want[b]);
			assert_int_equal(cmos_get(cmos, 0x39), cases[i].trans);
		}
		strlist_free(&f->o.drives);
		release(f);
	}
	unlink(img);
}

static void slots_run_out_cleanly(void **state)
{
	struct fixture *f = fixture(MACHINE_PC, NULL);
	int slot, n = 0;

	(void)state;
	assert_int_equal(build(f), 0);
	while ((slot = machine_alloc_slot(&f->s.m)) >= 0) {
		assert_true(slot >= 2 && slot < 32);
		n++;
	}
	assert_int_equal(slot, -ENOSPC);
	assert_int_equal(n, 30);
	release(f);
}

static int quiet(void **state)
{
	(void)state;
	log_mask = 0;
	log_level_max = LOG_ERR;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xenfv_board_at_qemu_xen_addresses),
		cmocka_unit_test(pc_has_no_platform_device),
		cmocka_unit_test(pm1_cnt_sci_en_per_machine),
		cmocka_unit_test(global_by_name_or_alias),
		cmocka_unit_test(user_device_takes_next_free_slot_or_its_addr),
		cmocka_unit_test(bad_device_fails_the_build_and_frees_everything),
		cmocka_unit_test(machine_none_has_no_devices),
		cmocka_unit_test(slots_run_out_cleanly),
		cmocka_unit_test(ide_disks_in_cmos),
		cmocka_unit_test(ide_user_geometry),
	};

	return cmocka_run_group_tests(tests, quiet, NULL);
}
