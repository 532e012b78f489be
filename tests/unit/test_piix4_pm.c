// SPDX-License-Identifier: GPL-2.0-only
/*
 * piix4-pm: the PIIX4 ACPI/PM function 00:01.3 (Intel 82371AB PIIX4
 * datasheet §3.4.2 function 3 configuration; ACPI 2.0 §4.7.3 PM1/GPE
 * registers; xen-interface.md §6.4), checked against what qemu-xen gave a
 * real guest (../shared/docs/qemu-xen-golden: pci-a.log, ioreq-a.trace.gz).
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
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci.h"
#include "hw/pci/piix4_pm.h"
#include "tests/unit/dev_rig.h"

#define PM_DEVFN 0x0b /* 00:01.3 */

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *pm;
	bool irq[16];
	unsigned irq_changes;
	unsigned req[3];
};

static void rig_isa_irq(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;

	r->irq[irq] = level;
	r->irq_changes++;
}

static void rig_request(void *opaque, enum plat_request req)
{
	struct rig *r = opaque;

	r->req[req]++;
}

static const struct platform_ops rig_plat = {
	.isa_irq = rig_isa_irq,
	.request = rig_request,
};

static char serial0[] = "file:/dev/null";
static char *serials[] = { serial0 };

static void rig_build(struct rig *r, unsigned smp)
{
	struct dm_dev *d;

	memset(r, 0, sizeof(*r));
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, 240, smp, &rig_plat, r);
	r->o.serials.v = serials; /* libxl's one -serial: 0x67 = 0x08 */
	r->o.serials.n = 1;
	assert_int_equal(dev_rig_add(&r->m, "piix4-pm", &d), 0);
	r->pm = piix4_pm_find(&r->m);
	assert_ptr_equal(r->pm, d);
}

static void rig_free(struct rig *r)
{
	dev_rig_free(&r->m);
}

static uint32_t cfg_rd(struct rig *r, unsigned reg, unsigned size)
{
	return bus_pci_read(r->m.bus, PM_DEVFN, reg, size);
}

static void cfg_wr(struct rig *r, unsigned reg, uint32_t val, unsigned size)
{
	bus_pci_write(r->m.bus, PM_DEVFN, reg, val, size);
}

static uint64_t in(struct rig *r, uint16_t port, unsigned size)
{
	return bus_read(r->m.bus, BUS_PIO, port, size);
}

static void out(struct rig *r, uint16_t port, uint64_t val, unsigned size)
{
	bus_write(r->m.bus, BUS_PIO, port, val, size);
}

/* What hvmloader's pci_setup() does to 00:01.3: PMBA 0xb001, PMREGMISC 1. */
static void hvmloader_pm_setup(struct rig *r)
{
	cfg_wr(r, 0x40, 0xb001, 4);
	cfg_wr(r, 0x80, 0x01, 1);
}

/* ---------------------------------------------------------------- golden dumps */

/*
 * Every config access hvmloader, SeaBIOS and Linux made to 00:01.3 in the
 * golden run a (ioreq-a.trace.gz, cpu_ioreq_config_read/write of sbdf 0xb,
 * in order), with the values qemu-xen answered.
 */
static const struct cfg_op golden_ops_a[] = {
	{ 'r', 0x0a, 2, 0x680 },      { 'r', 0x00, 2, 0x8086 },	    { 'r', 0x02, 2, 0x7113 },
	{ 'w', 0x20, 2, 0x0 },	      { 'w', 0xd2, 2, 0x0 },	    { 'w', 0x22, 2, 0x0 },
	{ 'w', 0x3c, 2, 0x9 },	      { 'w', 0x3c, 2, 0x1 },	    { 'w', 0x40, 4, 0xb001 },
	{ 'w', 0x80, 1, 0x1 },	      { 'r', 0x04, 2, 0x0 },	    { 'w', 0x04, 2, 0x0 },
	{ 'r', 0x10, 4, 0x0 },	      { 'w', 0x10, 4, 0xffffffff }, { 'r', 0x10, 4, 0x0 },
	{ 'w', 0x10, 4, 0x0 },	      { 'r', 0x14, 4, 0x0 },	    { 'w', 0x14, 4, 0xffffffff },
	{ 'r', 0x14, 4, 0x0 },	      { 'w', 0x14, 4, 0x0 },	    { 'r', 0x18, 4, 0x0 },
	{ 'w', 0x18, 4, 0xffffffff }, { 'r', 0x18, 4, 0x0 },	    { 'w', 0x18, 4, 0x0 },
	{ 'r', 0x1c, 4, 0x0 },	      { 'w', 0x1c, 4, 0xffffffff }, { 'r', 0x1c, 4, 0x0 },
	{ 'w', 0x1c, 4, 0x0 },	      { 'r', 0x20, 4, 0x0 },	    { 'w', 0x20, 4, 0xffffffff },
	{ 'r', 0x20, 4, 0x0 },	      { 'w', 0x20, 4, 0x0 },	    { 'r', 0x24, 4, 0x0 },
	{ 'w', 0x24, 4, 0xffffffff }, { 'r', 0x24, 4, 0x0 },	    { 'w', 0x24, 4, 0x0 },
	{ 'r', 0x30, 4, 0x0 },	      { 'w', 0x30, 4, 0xfffff800 }, { 'r', 0x30, 4, 0x0 },
	{ 'w', 0x30, 4, 0x0 },	      { 'r', 0x3d, 1, 0x1 },	    { 'w', 0x3c, 1, 0xa },
	{ 'r', 0x04, 2, 0x0 },	      { 'w', 0x04, 2, 0x4 },	    { 'r', 0x00, 2, 0x8086 },
	{ 'r', 0x00, 4, 0x71138086 }, { 'r', 0x08, 4, 0x6800003 },  { 'r', 0x0e, 1, 0x0 },
	{ 'r', 0x30, 4, 0x0 },	      { 'w', 0x30, 4, 0xfffffffe }, { 'r', 0x30, 4, 0x0 },
	{ 'w', 0x30, 4, 0x0 },	      { 'r', 0x00, 4, 0x71138086 }, { 'r', 0x0e, 1, 0x0 },
	{ 'r', 0x06, 2, 0x280 },      { 'r', 0x08, 4, 0x6800003 },  { 'r', 0x06, 2, 0x280 },
	{ 'r', 0x04, 2, 0x4 },	      { 'w', 0x04, 2, 0x404 },	    { 'r', 0x04, 2, 0x404 },
	{ 'w', 0x04, 2, 0x4 },	      { 'r', 0x3d, 1, 0x1 },	    { 'r', 0x3c, 1, 0xa },
	{ 'r', 0x04, 2, 0x4 },	      { 'r', 0x10, 4, 0x0 },	    { 'w', 0x10, 4, 0xffffffff },
	{ 'r', 0x10, 4, 0x0 },	      { 'w', 0x10, 4, 0x0 },	    { 'r', 0x04, 2, 0x4 },
	{ 'r', 0x14, 4, 0x0 },	      { 'w', 0x14, 4, 0xffffffff }, { 'r', 0x14, 4, 0x0 },
	{ 'w', 0x14, 4, 0x0 },	      { 'r', 0x04, 2, 0x4 },	    { 'r', 0x18, 4, 0x0 },
	{ 'w', 0x18, 4, 0xffffffff }, { 'r', 0x18, 4, 0x0 },	    { 'w', 0x18, 4, 0x0 },
	{ 'r', 0x04, 2, 0x4 },	      { 'r', 0x1c, 4, 0x0 },	    { 'w', 0x1c, 4, 0xffffffff },
	{ 'r', 0x1c, 4, 0x0 },	      { 'w', 0x1c, 4, 0x0 },	    { 'r', 0x04, 2, 0x4 },
	{ 'r', 0x20, 4, 0x0 },	      { 'w', 0x20, 4, 0xffffffff }, { 'r', 0x20, 4, 0x0 },
	{ 'w', 0x20, 4, 0x0 },	      { 'r', 0x04, 2, 0x4 },	    { 'r', 0x24, 4, 0x0 },
	{ 'w', 0x24, 4, 0xffffffff }, { 'r', 0x24, 4, 0x0 },	    { 'w', 0x24, 4, 0x0 },
	{ 'r', 0x04, 2, 0x4 },	      { 'r', 0x30, 4, 0x0 },	    { 'w', 0x30, 4, 0xfffff800 },
	{ 'r', 0x30, 4, 0x0 },	      { 'w', 0x30, 4, 0x0 },	    { 'r', 0x2c, 2, 0x1af4 },
	{ 'r', 0x2e, 2, 0x1100 },     { 'r', 0x40, 2, 0xb001 },	    { 'r', 0x90, 2, 0xb101 },
	{ 'r', 0x5c, 4, 0x10000000 }, { 'r', 0x60, 4, 0x60000000 }, { 'r', 0x64, 4, 0x8000000 },
	{ 'r', 0x78, 4, 0x0 },	      { 'r', 0x7c, 4, 0x0 },	    { 'r', 0x06, 2, 0x280 },
	{ 'r', 0x06, 2, 0x280 },      { 'r', 0x06, 2, 0x280 },	    { 'r', 0x06, 2, 0x280 },
	{ 'r', 0x06, 2, 0x280 },      { 'r', 0x06, 2, 0x280 },	    { 'r', 0x06, 2, 0x280 },
	{ 'r', 0x06, 2, 0x280 },      { 'r', 0x06, 2, 0x280 },	    { 'r', 0x0e, 1, 0x0 },
	{ 'r', 0x04, 2, 0x4 },	      { 'r', 0x04, 2, 0x4 },	    { 'r', 0x0c, 1, 0x0 },
	{ 'r', 0x00, 4, 0x71138086 }, { 'r', 0x04, 4, 0x2800004 },  { 'r', 0x08, 4, 0x6800003 },
	{ 'r', 0x0c, 4, 0x0 },	      { 'r', 0x10, 4, 0x0 },	    { 'r', 0x14, 4, 0x0 },
	{ 'r', 0x18, 4, 0x0 },	      { 'r', 0x1c, 4, 0x0 },	    { 'r', 0x20, 4, 0x0 },
	{ 'r', 0x24, 4, 0x0 },	      { 'r', 0x28, 4, 0x0 },	    { 'r', 0x2c, 4, 0x11001af4 },
	{ 'r', 0x30, 4, 0x0 },	      { 'r', 0x34, 4, 0x0 },	    { 'r', 0x38, 4, 0x0 },
	{ 'r', 0x3c, 4, 0x10a },      { 'r', 0x40, 4, 0xb001 },	    { 'r', 0x44, 4, 0x0 },
	{ 'r', 0x48, 4, 0x0 },	      { 'r', 0x4c, 4, 0x0 },	    { 'r', 0x50, 4, 0x0 },
	{ 'r', 0x54, 4, 0x0 },	      { 'r', 0x58, 4, 0x2000000 },  { 'r', 0x5c, 4, 0x10000000 },
	{ 'r', 0x60, 4, 0x60000000 }, { 'r', 0x64, 4, 0x8000000 },  { 'r', 0x68, 4, 0x0 },
	{ 'r', 0x6c, 4, 0x0 },	      { 'r', 0x70, 4, 0x0 },	    { 'r', 0x74, 4, 0x0 },
	{ 'r', 0x78, 4, 0x0 },	      { 'r', 0x7c, 4, 0x0 },	    { 'r', 0x80, 4, 0x1 },
	{ 'r', 0x84, 4, 0x0 },	      { 'r', 0x88, 4, 0x0 },	    { 'r', 0x8c, 4, 0x0 },
	{ 'r', 0x90, 4, 0xb101 },     { 'r', 0x94, 4, 0x0 },	    { 'r', 0x98, 4, 0x0 },
	{ 'r', 0x9c, 4, 0x0 },	      { 'r', 0xa0, 4, 0x0 },	    { 'r', 0xa4, 4, 0x0 },
	{ 'r', 0xa8, 4, 0x0 },	      { 'r', 0xac, 4, 0x0 },	    { 'r', 0xb0, 4, 0x0 },
	{ 'r', 0xb4, 4, 0x0 },	      { 'r', 0xb8, 4, 0x0 },	    { 'r', 0xbc, 4, 0x0 },
	{ 'r', 0xc0, 4, 0x0 },	      { 'r', 0xc4, 4, 0x0 },	    { 'r', 0xc8, 4, 0x0 },
	{ 'r', 0xcc, 4, 0x0 },	      { 'r', 0xd0, 4, 0x0 },	    { 'r', 0xd4, 4, 0x0 },
	{ 'r', 0xd8, 4, 0x0 },	      { 'r', 0xdc, 4, 0x0 },	    { 'r', 0xe0, 4, 0x0 },
	{ 'r', 0xe4, 4, 0x0 },	      { 'r', 0xe8, 4, 0x0 },	    { 'r', 0xec, 4, 0x0 },
	{ 'r', 0xf0, 4, 0x0 },	      { 'r', 0xf4, 4, 0x0 },	    { 'r', 0xf8, 4, 0x0 },
	{ 'r', 0xfc, 4, 0x0 },
};
#define N_GOLDEN_OPS (sizeof(golden_ops_a) / sizeof(golden_ops_a[0]))

/* Replaying the golden run's config accesses gives every read qemu-xen gave. */
static void golden_config_replay(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	cfg_ops_replay(r.m.bus, PM_DEVFN, golden_ops_a, N_GOLDEN_OPS, true);
	rig_free(&r);
}

/* ... and the config space the guest dumped at the end, byte for byte. */
static void golden_config_dump(void **state)
{
	static const char *const logs[] = { "pci-a.log", "pci-a-unplug.log", "pci-b.log",
					    "pci-c.log" };
	uint8_t want[256];
	struct rig r;

	(void)state;
	for (size_t l = 0; l < sizeof(logs) / sizeof(logs[0]); l++) {
		if (golden_log_dump(logs[l], PM_DEVFN, want))
			skip();
		rig_build(&r, 1);
		cfg_ops_replay(r.m.bus, PM_DEVFN, golden_ops_a, N_GOLDEN_OPS, false);
		for (unsigned reg = 0; reg < 256; reg++)
			if (cfg_rd(&r, reg, 1) != want[reg])
				fail_msg("%s: 00:01.3 config[%#04x] = %#04x, golden %#04x", logs[l],
					 reg, cfg_rd(&r, reg, 1), want[reg]);
		rig_free(&r);
	}
}

/* Reset values: header (PCI 3.0 §6.1) and QEMU's PIIX4 defaults, PM block not decoded. */
static void reset_values(void **state)
{
	static const struct {
		uint8_t reg, size;
		uint32_t val;
	} regs[] = {
		{ 0x00, 2, 0x8086 },	 { 0x02, 2, 0x7113 },	  { 0x04, 2, 0x0000 },
		{ 0x06, 2, 0x0280 },	 { 0x08, 1, 0x03 },	  { 0x09, 1, 0x00 },
		{ 0x0a, 2, 0x0680 },	 { 0x0e, 1, 0x00 },	  { 0x2c, 2, 0x1af4 },
		{ 0x2e, 2, 0x1100 },	 { 0x3c, 1, 0x00 },	  { 0x3d, 1, 0x01 },
		{ 0x40, 4, 0x00000001 }, /* PMBA: I/O space indicator */
		{ 0x58, 4, 0x02000000 }, /* 0x5b = 0x02: SMM marked as set up */
		{ 0x5c, 4, 0x10000000 }, { 0x60, 4, 0x60000000 }, { 0x64, 4, 0x08000000 },
		{ 0x80, 1, 0x00 },	 /* PMREGMISC: PMIOSE off */
		{ 0x90, 4, 0x0000b101 }, /* SMBBA 0xb100 | I/O */
		{ 0xd2, 1, 0x09 },	 /* SMBHSTCFG */
	};
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (cfg_rd(&r, regs[i].reg, regs[i].size) != regs[i].val)
			fail_msg("config %#x/%u = %#x, want %#x", regs[i].reg, regs[i].size,
				 cfg_rd(&r, regs[i].reg, regs[i].size), regs[i].val);
	assert_int_equal(in(&r, 0xb004, 2), 0xffff); /* PMIOSE off: nothing at PMBA */
	assert_int_equal(in(&r, 0xb2, 1), 0x00);
	assert_int_equal(in(&r, 0xafe0, 4), 0x00000000);
	assert_int_equal(in(&r, 0xae00, 4), 0);
	assert_int_equal(in(&r, 0xae04, 4), 0);
	assert_int_equal(in(&r, 0xae08, 4), 0);
	assert_int_equal(in(&r, 0xae10, 4), 0);
	assert_int_equal(in(&r, 0xae14, 4), 0);
	assert_false(r.irq[9]);
	rig_free(&r);
}

/* PIIX4 §3.4.2: PMBA bits 15:6 place the block, PMREGMISC bit 0 turns it on. */
static void pmba_and_pmregmisc(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	cfg_wr(&r, 0x40, 0xb001, 4);
	assert_int_equal(in(&r, 0xb004, 2), 0xffff);
	cfg_wr(&r, 0x80, 0x01, 1);
	assert_int_equal(in(&r, 0xb004, 2), 0x0000);
	assert_int_equal(in(&r, 0xb002, 2), 0x0000);
	cfg_wr(&r, 0x40, 0xc03f, 4); /* bits 5:0 ignored: base 0xc000 */
	assert_int_equal(in(&r, 0xb004, 2), 0xffff);
	assert_int_equal(in(&r, 0xc004, 2), 0x0000);
	assert_int_equal(in(&r, 0xc03e, 2), 0xffff); /* hole in the 64-byte block */
	cfg_wr(&r, 0x80, 0x00, 1);
	assert_int_equal(in(&r, 0xc004, 2), 0xffff);
	cfg_wr(&r, 0x80, 0x01, 1);
	cfg_wr(&r, 0x41, 0xb0, 1); /* byte write to PMBA moves it too */
	assert_int_equal(in(&r, 0xb004, 2), 0x0000);
	assert_int_equal(in(&r, 0xc004, 2), 0xffff);
	rig_free(&r);
}

/* hvmloader.c acpi_enable_sci(): inb(PM1a_CNT); outb(0xb2, 0xf1); BUG_ON(!(inb & SCI_EN)). */
static void hvmloader_acpi_enable_sci(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	hvmloader_pm_setup(&r);
	assert_int_equal(in(&r, 0xb004, 1) & 1, 0);
	out(&r, 0xb2, 0xf1, 1);
	assert_int_equal(in(&r, 0xb004, 1), 0x01);
	assert_int_equal(in(&r, 0xb004, 2), 0x0001);
	assert_int_equal(in(&r, 0xb2, 1), 0xf1); /* APM_CNT reads back */
	out(&r, 0xb2, 0xf0, 1);			 /* ACPI disable */
	assert_int_equal(in(&r, 0xb004, 2) & 1, 0);
	out(&r, 0xb2, 0x55, 1); /* any other command leaves SCI_EN alone */
	assert_int_equal(in(&r, 0xb004, 2) & 1, 0);
	out(&r, 0xb3, 0xa5, 1); /* APM_STS is a scratch byte */
	assert_int_equal(in(&r, 0xb3, 1), 0xa5);
	assert_int_equal(in(&r, 0xb2, 2), 0xa555);
	rig_free(&r);
}

/*
 * ACPI 2.0 §4.7.3.2.1 PM1_CNT: SLP_EN (bit 13) with SLP_TYP (12:10); Xen's
 * DSDT: _S5 = _S4 = 0 (power off), _S3 = 1 (suspend). SLP_EN reads 0.
 */
static void pm1_cnt_sleep_states(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	hvmloader_pm_setup(&r);
	out(&r, 0xb2, 0xf1, 1);
	out(&r, 0xb004, 0x0001 | 1 << 10 | 1 << 13, 2); /* S3 */
	assert_int_equal(r.req[PLAT_REQ_SUSPEND], 1);
	assert_int_equal(r.req[PLAT_REQ_POWEROFF], 0);
	assert_int_equal(in(&r, 0xb004, 2), 0x0401);	/* SLP_TYP kept, SLP_EN not */
	out(&r, 0xb004, 0x0001 | 5 << 10 | 1 << 13, 2); /* not a Xen sleep type */
	assert_int_equal(r.req[PLAT_REQ_SUSPEND], 1);
	assert_int_equal(r.req[PLAT_REQ_POWEROFF], 0);
	out(&r, 0xb004, 0x0001, 2);
	out(&r, 0xb005, 0x20, 1); /* high byte only: low byte (SCI_EN) kept */
	assert_int_equal(r.req[PLAT_REQ_POWEROFF], 1);
	assert_int_equal(in(&r, 0xb004, 2), 0x0001);
	out(&r, 0xb004, 0x2001, 2); /* what the golden guest wrote at power off */
	assert_int_equal(r.req[PLAT_REQ_POWEROFF], 2);
	out(&r, 0xb004, 0x80, 1); /* byte write to the low byte clears the high one (QEMU) */
	assert_int_equal(in(&r, 0xb004, 2), 0x0080);
	assert_int_equal(in(&r, 0xb005, 1), 0x00);
	rig_free(&r);
}

/* PM1_STS write-1-to-clear, PM1_EN read/write (ACPI 2.0 §4.7.3.1); odd bytes as QEMU. */
static void pm1_evt_registers(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	hvmloader_pm_setup(&r);
	out(&r, 0xb002, 0x0521, 2);
	assert_int_equal(in(&r, 0xb002, 2), 0x0521);
	assert_int_equal(in(&r, 0xb002, 1), 0x21);
	assert_int_equal(in(&r, 0xb003, 1), 0x00); /* QEMU: odd offset reads 0 */
	out(&r, 0xb000, 0xffff, 2);		   /* clearing nothing set */
	assert_int_equal(in(&r, 0xb000, 2), 0x0000);
	assert_int_equal(in(&r, 0xb000, 4), 0x05210000);
	assert_false(r.irq[9]);
	rig_free(&r);
}

/* PM_TMR (ACPI 2.0 §4.7.3.3): 24 bits at 3.579545 MHz on the device clock. */
static void pm_timer_counts(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	r.m.loop = loop_new(true);
	assert_non_null(r.m.loop);
	hvmloader_pm_setup(&r);
	assert_int_equal(in(&r, 0xb008, 4), 0);
	loop_clock_set(r.m.loop, 1000000000ull);
	assert_int_equal(in(&r, 0xb008, 4), 3579545 & 0xffffff);
	loop_clock_set(r.m.loop, 10000000000ull); /* wraps at 2^24 */
	assert_int_equal(in(&r, 0xb008, 4), 35795450 & 0xffffff);
	rig_free(&r);
}

/* GPE0 at 0xafe0 (xen-interface.md §6.4): STS W1C, EN r/w, SCI on ISA IRQ 9 when STS & EN. */
static void gpe0_and_sci(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 2);
	out(&r, 0xafe2, 0x06, 1); /* what Linux wrote in the golden run */
	assert_int_equal(in(&r, 0xafe2, 1), 0x06);
	out(&r, 0xafe3, 0x81, 1);
	assert_int_equal(in(&r, 0xafe2, 2), 0x8106);
	assert_false(r.irq[9]);
	assert_int_equal(piix4_pm_cpu_set_present(r.pm, 2, true), 0);
	assert_int_equal(in(&r, 0xafe0, 1), 0x04);
	assert_true(r.irq[9]);
	assert_int_equal(in(&r, 0xaf00, 1), 0x07);
	out(&r, 0xafe0, 0xfb, 1); /* other bits: nothing cleared */
	assert_true(r.irq[9]);
	out(&r, 0xafe0, 0xff, 1);
	assert_int_equal(in(&r, 0xafe0, 1), 0x00);
	assert_false(r.irq[9]);
	assert_int_equal(piix4_pm_cpu_set_present(r.pm, 0, false), 0);
	assert_int_equal(in(&r, 0xaf00, 1), 0x06);
	out(&r, 0xafe2, 0x00, 1); /* disabled: status stays, no SCI */
	assert_false(r.irq[9]);
	assert_int_equal(in(&r, 0xafe0, 1), 0x04);
	out(&r, 0xafe2, 0x04, 1); /* enabling a pending event raises the SCI */
	assert_true(r.irq[9]);
	assert_int_equal(piix4_pm_cpu_set_present(r.pm, 256, true), -EINVAL);
	rig_free(&r);
}

/* The CPU-present bitmap the DSDT's PRSC reads at 0xaf00: one bit per vCPU. */
static void cpu_present_bitmap(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 10);
	assert_int_equal(in(&r, 0xaf00, 1), 0xff);
	assert_int_equal(in(&r, 0xaf01, 1), 0x03);
	assert_int_equal(in(&r, 0xaf00, 4), 0x000003ff);
	for (uint16_t p = 0xaf02; p < 0xaf20; p++)
		assert_int_equal(in(&r, p, 1), 0);
	out(&r, 0xaf00, 0, 1); /* read-only */
	assert_int_equal(in(&r, 0xaf00, 1), 0xff);
	assert_int_equal(in(&r, 0xaf20, 1), 0xff); /* past the block */
	rig_free(&r);
}

/* A stand-in config space for the other functions on the bus: class code only. */
static uint32_t fake_cfg_read(void *opaque, unsigned reg, unsigned size)
{
	uint32_t cls = (uint32_t)(uintptr_t)opaque; /* class << 8 | subclass */
	uint8_t b[4] = { 0 };
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++) {
		unsigned at = reg + i;

		b[i] = at == 0x0a ? cls & 0xff : at == 0x0b ? cls >> 8 : 0;
		v |= (uint32_t)b[i] << (8 * i);
	}
	return v;
}

static void fake_cfg_write(void *opaque, unsigned reg, uint32_t val, unsigned size)
{
	(void)opaque;
	(void)reg;
	(void)val;
	(void)size;
}

static const struct pci_cfg_ops fake_ops = { fake_cfg_read, fake_cfg_write };

/*
 * QEMU's legacy PCI hotplug block: PCIU/PCID 0 with no hotplug, B0EJ reads 0,
 * B0RM = slots that are not the host bridge/ISA bridge/VGA: qemu-xen
 * answered 0xfffffff4 for golden config a (host 0, PIIX 1, platform 2, VGA 3, NIC 4).
 */
static void pci_hotplug_registers(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	assert_int_equal(bus_pci_attach(r.m.bus, PCI_DEVFN(0, 0), &fake_ops, (void *)0x0600), 0);
	assert_int_equal(bus_pci_attach(r.m.bus, PCI_DEVFN(1, 0), &fake_ops, (void *)0x0601), 0);
	assert_int_equal(bus_pci_attach(r.m.bus, PCI_DEVFN(2, 0), &fake_ops, (void *)0xff80), 0);
	assert_int_equal(bus_pci_attach(r.m.bus, PCI_DEVFN(3, 0), &fake_ops, (void *)0x0300), 0);
	assert_int_equal(bus_pci_attach(r.m.bus, PCI_DEVFN(4, 0), &fake_ops, (void *)0x0200), 0);
	assert_int_equal(in(&r, 0xae0c, 4), 0xfffffff4);
	assert_int_equal(in(&r, 0xae0c, 1), 0xf4); /* narrow reads come from the dword */
	assert_int_equal(in(&r, 0xae0d, 1), 0xff);
	out(&r, 0xae08, 1u << 4, 4); /* eject slot 4: nothing pending, nothing happens */
	assert_int_equal(in(&r, 0xae08, 4), 0);
	assert_int_equal(in(&r, 0xae04, 4), 0);
	out(&r, 0xae00, 0xffffffff, 4); /* PCIU is read-only */
	assert_int_equal(in(&r, 0xae00, 4), 0);
	out(&r, 0xae10, 1, 4); /* select a bus that does not exist: all zero */
	assert_int_equal(in(&r, 0xae10, 4), 1);
	assert_int_equal(in(&r, 0xae0c, 4), 0);
	out(&r, 0xae10, 0, 4);
	assert_int_equal(in(&r, 0xae0c, 4), 0xfffffff4);
	for (unsigned s = 0; s < 5; s++)
		bus_pci_detach(r.m.bus, PCI_DEVFN(s, 0));
	rig_free(&r);
}

/* QEMU piix4_pm_reset: config back to defaults, PM1/GPE cleared, block off; APM kept. */
static void reset_clears_pm_state(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, 1);
	hvmloader_pm_setup(&r);
	out(&r, 0xb2, 0xf1, 1);
	out(&r, 0xb002, 0x0100, 2);
	out(&r, 0xafe2, 0x04, 1);
	assert_int_equal(piix4_pm_cpu_set_present(r.pm, 0, true), 0);
	assert_true(r.irq[9]);
	r.pm->type->reset(r.pm, RESET_SYSTEM);
	assert_false(r.irq[9]);
	assert_int_equal(cfg_rd(&r, 0x40, 4), 1);
	assert_int_equal(cfg_rd(&r, 0x80, 1), 0);
	assert_int_equal(in(&r, 0xb004, 2), 0xffff);
	hvmloader_pm_setup(&r);
	assert_int_equal(in(&r, 0xb004, 2), 0);
	assert_int_equal(in(&r, 0xb002, 2), 0);
	assert_int_equal(in(&r, 0xafe0, 4), 0);
	assert_int_equal(in(&r, 0xb2, 1), 0xf1);
	rig_free(&r);
}

/* Save/restore: registers, PM I/O placement and the SCI line come back on a fresh machine. */
static void save_and_restore(void **state)
{
	struct snap_wr w;
	struct rig a, b;

	(void)state;
	rig_build(&a, 3);
	hvmloader_pm_setup(&a);
	out(&a, 0xb2, 0xf1, 1);
	out(&a, 0xb3, 0x5a, 1);
	out(&a, 0xb002, 0x0100, 2);
	out(&a, 0xafe2, 0x04, 1);
	assert_int_equal(piix4_pm_cpu_set_present(a.pm, 5, true), 0);
	assert_true(a.irq[9]);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);
	rig_build(&b, 1);
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	assert_true(b.irq[9]);
	assert_int_equal(in(&b, 0xb004, 2), 0x0001);
	assert_int_equal(in(&b, 0xb002, 2), 0x0100);
	assert_int_equal(in(&b, 0xb2, 2), 0x5af1);
	assert_int_equal(in(&b, 0xafe0, 4), 0x00040004);
	assert_int_equal(in(&b, 0xaf00, 1), 0x27);
	assert_int_equal(cfg_rd(&b, 0x40, 4), 0xb001);
	snap_wr_free(&w);
	rig_free(&a);
	rig_free(&b);
}

/*
 * Random accesses of every size to every claimed port and random config
 * writes to every offset: nothing crashes, the read-only header stays, the
 * SCI always equals its formula, SLP_EN never reads back.
 */
static void random_accesses_stay_consistent(void **state)
{
	static const uint16_t ports[] = { 0xb000, 0xb002, 0xb004, 0xb005, 0xb008, 0xb2,	  0xb3,
					  0xafe0, 0xafe1, 0xafe2, 0xafe3, 0xae00, 0xae08, 0xae0c,
					  0xae10, 0xae14, 0xae17, 0xaf00, 0xaf1f, 0xb03f };
	static const unsigned sizes[] = { 1, 2, 4 };
	uint8_t hdr[0x10];
	uint32_t seed = 4242;
	struct rig r;

	(void)state;
	log_mask = 0;
	rig_build(&r, 4);
	hvmloader_pm_setup(&r);
	for (unsigned i = 0; i < sizeof(hdr); i++)
		hdr[i] = (uint8_t)cfg_rd(&r, i, 1);
	for (int n = 0; n < 50000; n++) {
		unsigned size = sizes[lcg(&seed) % 3];
		uint32_t val = lcg(&seed) ^ lcg(&seed) << 16;
		unsigned pick = lcg(&seed) % 16;

		if (pick == 0) {
			unsigned reg = (lcg(&seed) % 256) & ~(size - 1);

			/* keep PM I/O where the ports below expect it, or off */
			if (reg <= 0x43 && reg + size > 0x40)
				continue;
			cfg_wr(&r, reg, val, size);
		} else {
			uint16_t port = ports[lcg(&seed) % (sizeof(ports) / sizeof(ports[0]))];

			/* SLP_EN would ask for power off: fine, but count it */
			if (pick & 1)
				out(&r, port, val, size);
			else
				(void)in(&r, port, size);
		}
		assert_int_equal(in(&r, 0xb004, 2) == 0xffff ? 0 : in(&r, 0xb004, 2) & 0x2000, 0);
		if (cfg_rd(&r, 0x80, 1) & 1) {
			uint16_t gsts = (uint16_t)in(&r, 0xafe0, 2),
				 gen = (uint16_t)in(&r, 0xafe2, 2);
			uint16_t sts = (uint16_t)in(&r, 0xb000, 2),
				 en = (uint16_t)in(&r, 0xb002, 2);

			assert_int_equal(r.irq[9], (sts & en & 0x0521) || (gsts & gen));
		}
	}
	for (unsigned i = 0; i < sizeof(hdr); i++)
		if (i != 0x04 && i != 0x05 && i != 0x0c && i != 0x0d)
			assert_int_equal(cfg_rd(&r, i, 1), hdr[i]);
	rig_free(&r);
	log_mask = LOG_GUEST_ERR;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_config_replay),
		cmocka_unit_test(golden_config_dump),
		cmocka_unit_test(reset_values),
		cmocka_unit_test(pmba_and_pmregmisc),
		cmocka_unit_test(hvmloader_acpi_enable_sci),
		cmocka_unit_test(pm1_cnt_sleep_states),
		cmocka_unit_test(pm1_evt_registers),
		cmocka_unit_test(pm_timer_counts),
		cmocka_unit_test(gpe0_and_sci),
		cmocka_unit_test(cpu_present_bitmap),
		cmocka_unit_test(pci_hotplug_registers),
		cmocka_unit_test(reset_clears_pm_state),
		cmocka_unit_test(save_and_restore),
		cmocka_unit_test(random_accesses_stay_consistent),
	};
	return cmocka_run_group_tests_name("piix4_pm", tests, NULL, NULL);
}
