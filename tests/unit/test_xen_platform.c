// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-platform: the Xen platform PCI device (xen-interface.md §9; Xen
 * docs/misc/hvm-emulated-unplug.pandoc; QEMU hw/i386/xen/xen_platform.c),
 * checked against what qemu-xen gave a real guest
 * (../shared/docs/qemu-xen-golden: pci-a.log, ioreq-a.trace.gz, README).
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
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/pci/pci.h"
#include "hw/pci/xen_platform.h"
#include "tests/unit/dev_rig.h"

#define XP_DEVFN 0x10 /* 00:02.0, as on xenfv */

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *xp;
	unsigned ro_calls;
	bool ro_state;
	uint64_t ro_first, ro_nr;
	int ro_fail; /* -errno the platform answers, 0: success */
};

static int rig_set_ram_ro(void *opaque, uint64_t first_pfn, uint64_t nr, bool ro)
{
	struct rig *r = opaque;

	r->ro_calls++;
	r->ro_first = first_pfn;
	r->ro_nr = nr;
	if (r->ro_fail)
		return r->ro_fail;
	r->ro_state = ro;
	return 0;
}

static const struct platform_ops rig_plat = {
	.set_ram_ro = rig_set_ram_ro,
};

static void rig_build_spec(struct rig *r, const char *spec)
{
	memset(r, 0, sizeof(*r));
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, 240, 1, &rig_plat, r);
	assert_int_equal(dev_rig_add(&r->m, spec, &r->xp), 0);
}

static void rig_build(struct rig *r)
{
	rig_build_spec(r, "xen-platform");
}

static void rig_free(struct rig *r)
{
	dev_rig_free(&r->m);
}

static uint32_t cfg_rd(struct rig *r, unsigned reg, unsigned size)
{
	return bus_pci_read(r->m.bus, XP_DEVFN, reg, size);
}

static void cfg_wr(struct rig *r, unsigned reg, uint32_t val, unsigned size)
{
	bus_pci_write(r->m.bus, XP_DEVFN, reg, val, size);
}

static uint64_t in(struct rig *r, uint16_t port, unsigned size)
{
	return bus_read(r->m.bus, BUS_PIO, port, size);
}

static void out(struct rig *r, uint16_t port, uint64_t val, unsigned size)
{
	bus_write(r->m.bus, BUS_PIO, port, val, size);
}

/* ---------------------------------------------------------------- test devices for unplug */

struct fake_dev {
	struct xen_unplug_hook hook;
	struct dm_dev dev;
	unsigned calls;
	unsigned last_what;
	unsigned disks; /* IDE stand-in: disks still attached */
	bool gone;	/* NIC stand-in: removed itself */
};

/* An IDE controller: unplugging removes its disks, the controller stays registered. */
static void fake_ide_unplug(struct xen_unplug_hook *h, unsigned what)
{
	struct fake_dev *f = (struct fake_dev *)h;

	f->calls++;
	f->last_what = what;
	if (what & XEN_UNPLUG_IDE_DISKS)
		f->disks = 0;
	else if ((what & XEN_UNPLUG_AUX_IDE_DISKS) && f->disks > 1)
		f->disks = 1; /* the primary master stays */
}

/* A NIC: unplugging removes the device, which takes its hook with it. */
static void fake_nic_unplug(struct xen_unplug_hook *h, unsigned what)
{
	struct fake_dev *f = (struct fake_dev *)h;

	f->calls++;
	f->last_what = what;
	f->gone = true;
	xen_unplug_unregister(h);
}

static void fake_init(struct fake_dev *f, struct machine *m, unsigned mask,
		      void (*fn)(struct xen_unplug_hook *, unsigned))
{
	memset(f, 0, sizeof(*f));
	f->dev.m = m;
	f->hook.mask = mask;
	f->hook.unplug = fn;
	f->hook.dev = &f->dev;
	xen_unplug_register(&f->hook);
}

/* ---------------------------------------------------------------- golden dumps */

/*
 * Every config access hvmloader, SeaBIOS and Linux made to 00:02.0 in the
 * golden run a (ioreq-a.trace.gz, cpu_ioreq_config_read/write of sbdf 0x10,
 * in order), with the values qemu-xen answered.
 */
static const struct cfg_op golden_ops_a[] = {
	{ 'r', 0x0a, 2, 0xff80 },     { 'r', 0x00, 2, 0x5853 },	    { 'r', 0x02, 2, 0x1 },
	{ 'r', 0x04, 2, 0x0 },	      { 'w', 0x04, 2, 0x0 },	    { 'r', 0x10, 4, 0x1 },
	{ 'w', 0x10, 4, 0xffffffff }, { 'r', 0x10, 4, 0xffffff01 }, { 'w', 0x10, 4, 0x1 },
	{ 'r', 0x14, 4, 0x8 },	      { 'w', 0x14, 4, 0xffffffff }, { 'r', 0x14, 4, 0xff000008 },
	{ 'w', 0x14, 4, 0x8 },	      { 'r', 0x18, 4, 0x0 },	    { 'w', 0x18, 4, 0xffffffff },
	{ 'r', 0x18, 4, 0x0 },	      { 'w', 0x18, 4, 0x0 },	    { 'r', 0x1c, 4, 0x0 },
	{ 'w', 0x1c, 4, 0xffffffff }, { 'r', 0x1c, 4, 0x0 },	    { 'w', 0x1c, 4, 0x0 },
	{ 'r', 0x20, 4, 0x0 },	      { 'w', 0x20, 4, 0xffffffff }, { 'r', 0x20, 4, 0x0 },
	{ 'w', 0x20, 4, 0x0 },	      { 'r', 0x24, 4, 0x0 },	    { 'w', 0x24, 4, 0xffffffff },
	{ 'r', 0x24, 4, 0x0 },	      { 'w', 0x24, 4, 0x0 },	    { 'r', 0x30, 4, 0x0 },
	{ 'w', 0x30, 4, 0xfffff800 }, { 'r', 0x30, 4, 0x0 },	    { 'w', 0x30, 4, 0x0 },
	{ 'r', 0x3d, 1, 0x1 },	      { 'w', 0x3c, 1, 0xb },	    { 'r', 0x14, 4, 0x8 },
	{ 'w', 0x14, 4, 0xf0000008 }, { 'r', 0x10, 4, 0x1 },	    { 'w', 0x10, 4, 0xc001 },
	{ 'r', 0x04, 2, 0x0 },	      { 'w', 0x04, 2, 0x7 },	    { 'r', 0x00, 2, 0x5853 },
	{ 'r', 0x00, 4, 0x15853 },    { 'r', 0x08, 4, 0xff800001 }, { 'r', 0x0e, 1, 0x0 },
	{ 'r', 0x0e, 1, 0x0 },	      { 'r', 0x30, 4, 0x0 },	    { 'w', 0x30, 4, 0xfffffffe },
	{ 'r', 0x30, 4, 0x0 },	      { 'w', 0x30, 4, 0x0 },	    { 'r', 0x00, 2, 0x5853 },
	{ 'r', 0x08, 4, 0xff800001 }, { 'r', 0x0e, 1, 0x0 },	    { 'r', 0x00, 4, 0x15853 },
	{ 'r', 0x0a, 2, 0xff80 },     { 'r', 0x00, 2, 0x5853 },	    { 'r', 0x02, 2, 0x1 },
	{ 'r', 0x0e, 1, 0x0 },	      { 'r', 0x08, 4, 0xff800001 }, { 'r', 0x0e, 1, 0x0 },
	{ 'r', 0x00, 4, 0x15853 },    { 'r', 0x00, 4, 0x15853 },    { 'r', 0x00, 4, 0x15853 },
	{ 'r', 0x0e, 1, 0x0 },	      { 'r', 0x06, 2, 0x0 },	    { 'r', 0x08, 4, 0xff800001 },
	{ 'r', 0x06, 2, 0x0 },	      { 'r', 0x04, 2, 0x7 },	    { 'w', 0x04, 2, 0x407 },
	{ 'r', 0x04, 2, 0x407 },      { 'w', 0x04, 2, 0x7 },	    { 'r', 0x3d, 1, 0x1 },
	{ 'r', 0x3c, 1, 0xb },	      { 'r', 0x04, 2, 0x7 },	    { 'w', 0x04, 2, 0x4 },
	{ 'r', 0x10, 4, 0xc001 },     { 'w', 0x10, 4, 0xffffffff }, { 'r', 0x10, 4, 0xffffff01 },
	{ 'w', 0x10, 4, 0xc001 },     { 'w', 0x04, 2, 0x7 },	    { 'r', 0x04, 2, 0x7 },
	{ 'w', 0x04, 2, 0x4 },	      { 'r', 0x14, 4, 0xf0000008 }, { 'w', 0x14, 4, 0xffffffff },
	{ 'r', 0x14, 4, 0xff000008 }, { 'w', 0x14, 4, 0xf0000008 }, { 'w', 0x04, 2, 0x7 },
	{ 'r', 0x04, 2, 0x7 },	      { 'w', 0x04, 2, 0x4 },	    { 'r', 0x18, 4, 0x0 },
	{ 'w', 0x18, 4, 0xffffffff }, { 'r', 0x18, 4, 0x0 },	    { 'w', 0x18, 4, 0x0 },
	{ 'w', 0x04, 2, 0x7 },	      { 'r', 0x04, 2, 0x7 },	    { 'w', 0x04, 2, 0x4 },
	{ 'r', 0x1c, 4, 0x0 },	      { 'w', 0x1c, 4, 0xffffffff }, { 'r', 0x1c, 4, 0x0 },
	{ 'w', 0x1c, 4, 0x0 },	      { 'w', 0x04, 2, 0x7 },	    { 'r', 0x04, 2, 0x7 },
	{ 'w', 0x04, 2, 0x4 },	      { 'r', 0x20, 4, 0x0 },	    { 'w', 0x20, 4, 0xffffffff },
	{ 'r', 0x20, 4, 0x0 },	      { 'w', 0x20, 4, 0x0 },	    { 'w', 0x04, 2, 0x7 },
	{ 'r', 0x04, 2, 0x7 },	      { 'w', 0x04, 2, 0x4 },	    { 'r', 0x24, 4, 0x0 },
	{ 'w', 0x24, 4, 0xffffffff }, { 'r', 0x24, 4, 0x0 },	    { 'w', 0x24, 4, 0x0 },
	{ 'w', 0x04, 2, 0x7 },	      { 'r', 0x04, 2, 0x7 },	    { 'w', 0x04, 2, 0x4 },
	{ 'r', 0x30, 4, 0x0 },	      { 'w', 0x30, 4, 0xfffff800 }, { 'r', 0x30, 4, 0x0 },
	{ 'w', 0x30, 4, 0x0 },	      { 'w', 0x04, 2, 0x7 },	    { 'r', 0x2c, 2, 0x5853 },
	{ 'r', 0x2e, 2, 0x1 },	      { 'r', 0x06, 2, 0x0 },	    { 'r', 0x06, 2, 0x0 },
	{ 'r', 0x06, 2, 0x0 },	      { 'r', 0x06, 2, 0x0 },	    { 'r', 0x06, 2, 0x0 },
	{ 'r', 0x06, 2, 0x0 },	      { 'r', 0x06, 2, 0x0 },	    { 'r', 0x06, 2, 0x0 },
	{ 'r', 0x06, 2, 0x0 },	      { 'r', 0x0e, 1, 0x0 },	    { 'r', 0x04, 2, 0x7 },
	{ 'r', 0x04, 2, 0x7 },	      { 'r', 0x0c, 1, 0x0 },	    { 'r', 0x04, 2, 0x7 },
	{ 'r', 0x3d, 1, 0x1 },	      { 'r', 0x04, 2, 0x7 },	    { 'r', 0x00, 4, 0x15853 },
	{ 'r', 0x04, 4, 0x7 },	      { 'r', 0x08, 4, 0xff800001 }, { 'r', 0x0c, 4, 0x0 },
	{ 'r', 0x10, 4, 0xc001 },     { 'r', 0x14, 4, 0xf0000008 }, { 'r', 0x18, 4, 0x0 },
	{ 'r', 0x1c, 4, 0x0 },	      { 'r', 0x20, 4, 0x0 },	    { 'r', 0x24, 4, 0x0 },
	{ 'r', 0x28, 4, 0x0 },	      { 'r', 0x2c, 4, 0x15853 },    { 'r', 0x30, 4, 0x0 },
	{ 'r', 0x34, 4, 0x0 },	      { 'r', 0x38, 4, 0x0 },	    { 'r', 0x3c, 4, 0x10b },
	{ 'r', 0x40, 4, 0x0 },	      { 'r', 0x44, 4, 0x0 },	    { 'r', 0x48, 4, 0x0 },
	{ 'r', 0x4c, 4, 0x0 },	      { 'r', 0x50, 4, 0x0 },	    { 'r', 0x54, 4, 0x0 },
	{ 'r', 0x58, 4, 0x0 },	      { 'r', 0x5c, 4, 0x0 },	    { 'r', 0x60, 4, 0x0 },
	{ 'r', 0x64, 4, 0x0 },	      { 'r', 0x68, 4, 0x0 },	    { 'r', 0x6c, 4, 0x0 },
	{ 'r', 0x70, 4, 0x0 },	      { 'r', 0x74, 4, 0x0 },	    { 'r', 0x78, 4, 0x0 },
	{ 'r', 0x7c, 4, 0x0 },	      { 'r', 0x80, 4, 0x0 },	    { 'r', 0x84, 4, 0x0 },
	{ 'r', 0x88, 4, 0x0 },	      { 'r', 0x8c, 4, 0x0 },	    { 'r', 0x90, 4, 0x0 },
	{ 'r', 0x94, 4, 0x0 },	      { 'r', 0x98, 4, 0x0 },	    { 'r', 0x9c, 4, 0x0 },
	{ 'r', 0xa0, 4, 0x0 },	      { 'r', 0xa4, 4, 0x0 },	    { 'r', 0xa8, 4, 0x0 },
	{ 'r', 0xac, 4, 0x0 },	      { 'r', 0xb0, 4, 0x0 },	    { 'r', 0xb4, 4, 0x0 },
	{ 'r', 0xb8, 4, 0x0 },	      { 'r', 0xbc, 4, 0x0 },	    { 'r', 0xc0, 4, 0x0 },
	{ 'r', 0xc4, 4, 0x0 },	      { 'r', 0xc8, 4, 0x0 },	    { 'r', 0xcc, 4, 0x0 },
	{ 'r', 0xd0, 4, 0x0 },	      { 'r', 0xd4, 4, 0x0 },	    { 'r', 0xd8, 4, 0x0 },
	{ 'r', 0xdc, 4, 0x0 },	      { 'r', 0xe0, 4, 0x0 },	    { 'r', 0xe4, 4, 0x0 },
	{ 'r', 0xe8, 4, 0x0 },	      { 'r', 0xec, 4, 0x0 },	    { 'r', 0xf0, 4, 0x0 },
	{ 'r', 0xf4, 4, 0x0 },	      { 'r', 0xf8, 4, 0x0 },	    { 'r', 0xfc, 4, 0x0 },
};

static void replay(struct rig *r, bool check_reads)
{
	cfg_ops_replay(r->m.bus, XP_DEVFN, golden_ops_a,
		       sizeof(golden_ops_a) / sizeof(golden_ops_a[0]), check_reads);
}

/* Replaying the golden run's config accesses gives every read qemu-xen gave. */
static void golden_config_replay(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r);
	replay(&r, true);
	rig_free(&r);
}

/* ... and the config space the guest dumped, byte for byte (runs a and a-unplug). */
static void golden_config_dump(void **state)
{
	static const char *const logs[] = { "pci-a.log", "pci-a-unplug.log" };
	uint8_t want[256];
	struct rig r;

	(void)state;
	for (size_t l = 0; l < sizeof(logs) / sizeof(logs[0]); l++) {
		if (golden_log_dump(logs[l], XP_DEVFN, want))
			skip();
		rig_build(&r);
		replay(&r, false);
		for (unsigned reg = 0; reg < 256; reg++)
			if (cfg_rd(&r, reg, 1) != want[reg])
				fail_msg("%s: 00:02.0 config[%#04x] = %#04x, golden %#04x", logs[l],
					 reg, cfg_rd(&r, reg, 1), want[reg]);
		rig_free(&r);
	}
}

/* Reset values (xen-interface.md §9.1; command 0 as qemu-xen answered after reset). */
static void reset_values(void **state)
{
	static const struct {
		uint8_t reg, size;
		uint32_t val;
	} regs[] = {
		{ 0x00, 2, 0x5853 },	 { 0x02, 2, 0x0001 }, { 0x04, 2, 0x0000 },
		{ 0x06, 2, 0x0000 },	 { 0x08, 1, 0x01 },   { 0x09, 1, 0x00 },
		{ 0x0a, 2, 0xff80 },	 { 0x0e, 1, 0x00 },   { 0x10, 4, 0x00000001 },
		{ 0x14, 4, 0x00000008 }, { 0x18, 4, 0 },      { 0x2c, 2, 0x5853 },
		{ 0x2e, 2, 0x0001 },	 { 0x30, 4, 0 },      { 0x3c, 1, 0x00 },
		{ 0x3d, 1, 0x01 },
	};
	struct rig r;

	(void)state;
	rig_build(&r);
	assert_string_equal(r.xp->name, "xen-platform@02.0");
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (cfg_rd(&r, regs[i].reg, regs[i].size) != regs[i].val)
			fail_msg("config %#x/%u = %#x, want %#x", regs[i].reg, regs[i].size,
				 cfg_rd(&r, regs[i].reg, regs[i].size), regs[i].val);
	/* BAR sizing: 256 bytes of I/O, 16 MiB prefetchable memory */
	cfg_wr(&r, 0x10, 0xffffffff, 4);
	assert_int_equal(cfg_rd(&r, 0x10, 4), 0xffffff01);
	cfg_wr(&r, 0x14, 0xffffffff, 4);
	assert_int_equal(cfg_rd(&r, 0x14, 4), 0xff000008);
	rig_free(&r);
}

/* xen-interface.md §9.2: every fixed-port read by width. */
static void fixed_port_reads(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r);
	assert_int_equal(in(&r, 0x10, 2), 0x49d2); /* magic */
	assert_int_equal(in(&r, 0x12, 1), 1);	   /* protocol version */
	assert_int_equal(in(&r, 0x10, 1), 0);	   /* platform flags */
	assert_int_equal(in(&r, 0x10, 4), 0xffffffff);
	assert_int_equal(in(&r, 0x12, 2), 0xffff);
	assert_int_equal(in(&r, 0x11, 1), 0xff);
	assert_int_equal(in(&r, 0x11, 2), 0xffff); /* unaligned: taken as it comes */
	for (uint16_t p = 0x13; p < 0x20; p++)
		assert_int_equal(in(&r, p, 1), 0xff);
	assert_int_equal(in(&r, 0x20, 1), 0xff); /* not ours */
	rig_free(&r);
}

/*
 * The handshake of a Linux guest (golden README): read 0x10 -> 0x49d2;
 * read 0x12 -> 1; write 0x12 <- 3; 32-bit write 0x10 <- 1; write 0x10 <- 3.
 * Afterwards the NIC is gone and the IDE disk is gone, the controller stays.
 */
static void linux_unplug_handshake(void **state)
{
	struct fake_dev ide, nic, nvme;
	struct rig r;

	(void)state;
	rig_build(&r);
	fake_init(&ide, &r.m, XEN_UNPLUG_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS, fake_ide_unplug);
	ide.disks = 1;
	fake_init(&nic, &r.m, XEN_UNPLUG_NICS, fake_nic_unplug);
	fake_init(&nvme, &r.m, XEN_UNPLUG_NVME, fake_ide_unplug);
	assert_int_equal(in(&r, 0x10, 2), 0x49d2);
	assert_int_equal(in(&r, 0x12, 1), 1);
	out(&r, 0x12, 3, 2); /* product: Linux */
	out(&r, 0x10, 1, 4); /* build number: nothing unplugged */
	assert_int_equal(ide.calls + nic.calls + nvme.calls, 0);
	assert_int_equal(in(&r, 0x10, 2), 0x49d2); /* not blacklisted */
	out(&r, 0x10, 3, 2);
	assert_int_equal(ide.calls, 1);
	assert_int_equal(ide.last_what, XEN_UNPLUG_IDE_DISKS);
	assert_int_equal(ide.disks, 0);
	assert_int_equal(nic.calls, 1);
	assert_true(nic.gone);
	assert_int_equal(nvme.calls, 0);
	/* a repeated unplug is harmless: the NIC is no longer there to ask */
	out(&r, 0x10, 3, 2);
	assert_int_equal(nic.calls, 1);
	assert_int_equal(ide.calls, 2);
	assert_int_equal(ide.disks, 0);
	xen_unplug_unregister(&ide.hook);
	xen_unplug_unregister(&nic.hook); /* not registered any more: harmless */
	xen_unplug_unregister(&nvme.hook);
	rig_free(&r);
}

/* §9.3 step 6: bit 0 overrides bit 2; bit 3 NVMe; other bits mean nothing. */
static void unplug_mask_bits(void **state)
{
	struct fake_dev ide, nvme;
	struct rig r;

	(void)state;
	rig_build(&r);
	fake_init(&ide, &r.m, XEN_UNPLUG_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS, fake_ide_unplug);
	fake_init(&nvme, &r.m, XEN_UNPLUG_NVME, fake_ide_unplug);
	ide.disks = 3;
	out(&r, 0x10, XEN_UNPLUG_AUX_IDE_DISKS, 2);
	assert_int_equal(ide.last_what, XEN_UNPLUG_AUX_IDE_DISKS);
	assert_int_equal(ide.disks, 1); /* primary master kept */
	out(&r, 0x10, XEN_UNPLUG_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS, 2);
	assert_int_equal(ide.last_what, XEN_UNPLUG_IDE_DISKS);
	assert_int_equal(ide.disks, 0);
	out(&r, 0x10, 0xfff0, 2);
	assert_int_equal(ide.calls, 2);
	assert_int_equal(nvme.calls, 0);
	out(&r, 0x10, XEN_UNPLUG_NVME, 2);
	assert_int_equal(nvme.calls, 1);
	assert_int_equal(nvme.last_what, XEN_UNPLUG_NVME);
	assert_int_equal(xen_unplug(&r.m, 0), 0);
	xen_unplug_register(&ide.hook); /* twice: still called once */
	assert_int_equal(xen_unplug(&r.m, XEN_UNPLUG_ALL), 2);
	xen_unplug_unregister(&ide.hook);
	xen_unplug_unregister(&nvme.hook);
	assert_int_equal(xen_unplug(&r.m, XEN_UNPLUG_ALL), 0);
	rig_free(&r);
}

/* Hooks belong to their machine: another guest's devices are never asked. */
static void unplug_only_own_machine(void **state)
{
	struct fake_dev mine, other;
	struct machine m2;
	struct rig r;

	(void)state;
	memset(&m2, 0, sizeof(m2));
	rig_build(&r);
	fake_init(&mine, &r.m, XEN_UNPLUG_NICS, fake_nic_unplug);
	fake_init(&other, &m2, XEN_UNPLUG_NICS, fake_nic_unplug);
	out(&r, 0x10, XEN_UNPLUG_NICS, 2);
	assert_int_equal(mine.calls, 1);
	assert_int_equal(other.calls, 0);
	xen_unplug_unregister(&other.hook);
	rig_free(&r);
}

/* BAR0 (§9.1): offset 0 flags, 4 SUSE unplug, 8 Novell unplug or log byte. */
static void bar0_registers(void **state)
{
	struct fake_dev ide, nic;
	struct rig r;

	(void)state;
	rig_build(&r);
	fake_init(&ide, &r.m, XEN_UNPLUG_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS, fake_ide_unplug);
	cfg_wr(&r, 0x10, 0xc001, 4);
	assert_int_equal(in(&r, 0xc000, 1), 0xff); /* I/O decode still off */
	cfg_wr(&r, 0x04, 0x0001, 2);
	assert_int_equal(in(&r, 0xc000, 1), 0x00);
	assert_int_equal(in(&r, 0xc001, 1), 0xff);
	assert_int_equal(in(&r, 0xc0ff, 1), 0xff);
	assert_int_equal(in(&r, 0xc000, 4), 0xffffff00);
	out(&r, 0xc000, 1, 1);
	assert_int_equal(in(&r, 0x10, 1), 1);
	assert_true(r.ro_state);
	out(&r, 0xc004, 2, 1); /* SUSE: only 1 means anything */
	assert_int_equal(ide.calls, 0);
	fake_init(&nic, &r.m, XEN_UNPLUG_NICS, fake_nic_unplug);
	out(&r, 0xc004, 1, 1);
	assert_int_equal(ide.calls, 1);
	assert_int_equal(nic.calls, 1);
	fake_init(&nic, &r.m, XEN_UNPLUG_NICS, fake_nic_unplug);
	out(&r, 0xc008, 1, 1); /* VMDP: disks */
	assert_int_equal(ide.calls, 2);
	assert_int_equal(nic.calls, 0);
	out(&r, 0xc008, 2, 1); /* VMDP: NICs */
	assert_int_equal(nic.calls, 1);
	out(&r, 0xc008, 'x', 1); /* a log byte */
	assert_int_equal(ide.calls, 2);
	xen_unplug_unregister(&ide.hook);
	rig_free(&r);
}

/* BAR1: 16 MiB prefetchable that reads 0 and drops writes. */
static void bar1_reads_zero(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r);
	cfg_wr(&r, 0x14, 0xf0000008, 4);
	cfg_wr(&r, 0x04, 0x0002, 2);
	assert_int_equal(bus_read(r.m.bus, BUS_MMIO, 0xf0000000, 8), 0);
	bus_write(r.m.bus, BUS_MMIO, 0xf0123456, 0x1122334455667788ull, 8);
	assert_int_equal(bus_read(r.m.bus, BUS_MMIO, 0xf0123456, 4), 0);
	assert_int_equal(bus_read(r.m.bus, BUS_MMIO, 0xf0ffffff, 1), 0);
	assert_int_equal(bus_read(r.m.bus, BUS_MMIO, 0xf1000000, 1), 0xff); /* past it */
	rig_free(&r);
}

/* Platform flags bit 0: ROM area 0xc0000-0xfffff read-only (HVMMEM_ram_ro), cleared at reset. */
static void rom_lock_flags(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r);
	out(&r, 0x10, 0xff, 1);
	assert_int_equal(in(&r, 0x10, 1), 0x01); /* only bit 0 is kept */
	assert_true(r.ro_state);
	assert_int_equal(r.ro_first, 0xc0);
	assert_int_equal(r.ro_nr, 0x40);
	r.ro_fail = -EPERM; /* the platform refuses: flags unchanged */
	out(&r, 0x10, 0x00, 1);
	assert_int_equal(in(&r, 0x10, 1), 0x01);
	r.ro_fail = 0;
	r.xp->type->reset(r.xp, RESET_SYSTEM);
	assert_int_equal(in(&r, 0x10, 1), 0x00);
	assert_false(r.ro_state);
	rig_free(&r);
}

/* §9.3 step 7: log bytes at 0x12, a line per '\n' or 4095 bytes, sanitised, rate-limited. */
static void guest_log_lines(void **state)
{
	static const char msg[] = "xen-platform-pci: hello\x1b[2J\n";
	char *buf = NULL;
	size_t len = 0, lines = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned old_mask = log_mask;
	struct rig r;

	(void)state;
	assert_non_null(f);
	log_set_stream(f);
	log_mask |= LOG_PLATFORM;
	rig_build(&r);
	for (size_t i = 0; i < sizeof(msg) - 1; i++)
		out(&r, 0x12, (uint8_t)msg[i], 1);
	fflush(f);
	assert_non_null(strstr(buf, "guest: xen-platform-pci: hello?[2J"));
	assert_null(strchr(buf, 0x1b));
	for (int i = 0; i < 5000; i++) /* no newline: flushed at 4095 bytes */
		out(&r, 0x12, 'a', 1);
	fflush(f);
	assert_non_null(strstr(buf, "guest: aaaa"));
	for (int i = 0; i < 200; i++) /* a flood of lines is cut down */
		out(&r, 0x12, '\n', 1);
	fflush(f);
	for (char *p = buf; (p = strstr(p, "guest:")); p++)
		lines++;
	assert_true(lines < 100);
	log_set_stream(NULL);
	log_mask = old_mask;
	fclose(f);
	free(buf);
	rig_free(&r);
}

static uint32_t null_cfg_read(void *opaque, unsigned reg, unsigned size)
{
	(void)opaque;
	(void)reg;
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void null_cfg_write(void *opaque, unsigned reg, uint32_t val, unsigned size)
{
	(void)opaque;
	(void)reg;
	(void)val;
	(void)size;
}

static const struct pci_cfg_ops null_cfg_ops = { null_cfg_read, null_cfg_write };

/* Placement: addr= as given (the machine builder's choice), else the first free slot from 2. */
static void slot_placement(void **state)
{
	struct machine m;
	struct machine_opts o;
	struct dm_dev *d;
	char err[256];
	struct rig r;

	(void)state;
	rig_build_spec(&r, "xen-platform,addr=5");
	assert_string_equal(r.xp->name, "xen-platform@05.0");
	assert_true(bus_pci_present(r.m.bus, PCI_DEVFN(5, 0)));
	assert_false(bus_pci_present(r.m.bus, PCI_DEVFN(2, 0)));
	rig_free(&r);

	memset(&m, 0, sizeof(m));
	memset(&o, 0, sizeof(o));
	m.opts = &o;
	m.devs_tail = &m.devs;
	m.bus = bus_new();
	assert_non_null(m.bus);
	assert_int_equal(bus_pci_attach(m.bus, PCI_DEVFN(2, 0), &null_cfg_ops, NULL), 0);
	assert_int_equal(dev_parse(&m, "xen-platform", &d, err, sizeof(err)), 0);
	assert_int_equal(dev_realize(d), 0);
	assert_string_equal(d->name, "xen-platform@03.0");
	m.devs = NULL;
	dev_free(d);
	bus_pci_detach(m.bus, PCI_DEVFN(2, 0));
	bus_free(m.bus);
}

/* Save/restore: config space (BARs re-mapped) and the ROM lock re-applied on load. */
static void save_and_restore(void **state)
{
	struct snap_wr w;
	struct rig a, b;

	(void)state;
	rig_build(&a);
	replay(&a, false);
	out(&a, 0x10, 1, 1);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);
	rig_build(&b);
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	assert_true(b.ro_state);
	assert_int_equal(in(&b, 0x10, 1), 1);
	assert_int_equal(in(&b, 0xc000, 1), 1); /* BAR0 mapped where the guest put it */
	for (unsigned reg = 0; reg < 256; reg += 4)
		assert_int_equal(cfg_rd(&b, reg, 4), cfg_rd(&a, reg, 4));
	snap_wr_free(&w);
	rig_free(&a);
	rig_free(&b);
}

/* Random accesses of every size to every fixed port and BAR0 offset stay harmless. */
static void random_accesses_stay_consistent(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4 };
	struct fake_dev ide;
	uint8_t hdr[0x40];
	uint32_t seed = 777;
	struct rig r;

	(void)state;
	rig_build(&r);
	fake_init(&ide, &r.m, XEN_UNPLUG_IDE_DISKS | XEN_UNPLUG_AUX_IDE_DISKS, fake_ide_unplug);
	cfg_wr(&r, 0x10, 0xc001, 4);
	cfg_wr(&r, 0x04, 0x0001, 2);
	for (unsigned i = 0; i < sizeof(hdr); i++)
		hdr[i] = (uint8_t)cfg_rd(&r, i, 1);
	for (int n = 0; n < 50000; n++) {
		unsigned size = sizes[lcg(&seed) % 3];
		uint32_t val = lcg(&seed) ^ lcg(&seed) << 16;
		uint16_t port = (lcg(&seed) & 1) ? (uint16_t)(0x0e + lcg(&seed) % 20)
						 : (uint16_t)(0xc000 + lcg(&seed) % 0x104);

		if (lcg(&seed) & 1)
			out(&r, port, val, size);
		else
			(void)in(&r, port, size);
		assert_int_equal(in(&r, 0x10, 2), 0x49d2);
		assert_int_equal(in(&r, 0x12, 1), 1);
		assert_true(in(&r, 0x10, 1) <= 1);
	}
	for (unsigned i = 0; i < sizeof(hdr); i++)
		assert_int_equal(cfg_rd(&r, i, 1), hdr[i]);
	xen_unplug_unregister(&ide.hook);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_config_replay),
		cmocka_unit_test(golden_config_dump),
		cmocka_unit_test(reset_values),
		cmocka_unit_test(fixed_port_reads),
		cmocka_unit_test(linux_unplug_handshake),
		cmocka_unit_test(unplug_mask_bits),
		cmocka_unit_test(unplug_only_own_machine),
		cmocka_unit_test(bar0_registers),
		cmocka_unit_test(bar1_reads_zero),
		cmocka_unit_test(rom_lock_flags),
		cmocka_unit_test(guest_log_lines),
		cmocka_unit_test(slot_placement),
		cmocka_unit_test(save_and_restore),
		cmocka_unit_test(random_accesses_stay_consistent),
	};
	return cmocka_run_group_tests_name("xen_platform", tests, NULL, NULL);
}
