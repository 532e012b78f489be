// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI core: header from the identity, write masks, W1C status bits, BAR
 * sizing (PCI Local Bus Specification 3.0, 6.2.5.1 and 6.2.5.2), decode
 * gated by the command register (6.2.2) producing exact claim/release
 * lists, BAR moves rolled back on overlap, the capability list (6.7), INTx
 * with Interrupt Disable and Interrupt Status (6.2.2, 6.2.3), reset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dm/state.h"
#include "hw/pci/pci.h"
#include "pci_testenv.h"

static const struct pci_identity test_id = {
	.vendor = 0x1234,
	.device = 0x5678,
	.subsys_vendor = 0x1af4,
	.subsys_id = 0x1100,
	.class_code = 0x020000,
	.revision = 0x20,
	.header_type = 0x00,
	.int_pin = 1,
	.status = PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK,
};

struct fixture {
	struct test_env *te;
	struct pci_func f;
	struct region io, mmio, mmio64, rom;
	uint64_t last_write_off, last_write_val;
	unsigned hook_writes;
	uint32_t hook_old;
	unsigned moved;
};

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)size;
	return 0xab00 + off;
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct fixture *fx = opaque;

	(void)size;
	fx->last_write_off = off;
	fx->last_write_val = val;
}

static const struct region_ops dev_ops = { .read = dev_read, .write = dev_write };

static void hook_write(struct pci_func *f, unsigned reg, uint32_t val, uint32_t old, unsigned size)
{
	struct fixture *fx = f->opaque;

	(void)val;
	if (pci_range_overlaps(reg, size, 0x40, 1)) {
		fx->hook_writes++;
		fx->hook_old = old;
	}
}

static uint32_t hook_read(struct pci_func *f, unsigned reg, unsigned size, uint32_t val)
{
	(void)f;
	(void)size;
	return reg == 0x44 ? 0xcafe : val;
}

static void hook_moved(struct pci_func *f, unsigned bar, bool mapped, uint64_t addr)
{
	struct fixture *fx = f->opaque;

	(void)bar;
	(void)mapped;
	(void)addr;
	fx->moved++;
}

static const struct pci_func_ops hooks = {
	.cfg_write = hook_write,
	.cfg_read = hook_read,
	.bar_moved = hook_moved,
};

static void region_set(struct region *r, const char *name, struct fixture *fx)
{
	r->name = name;
	r->ops = &dev_ops;
	r->opaque = fx;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->te = te_new();
	if (!fx->te)
		return -1;
	pci_func_init(&fx->f, &fx->te->m, PCI_DEVFN(4, 0), &test_id, &hooks, fx, "test@04.0");
	region_set(&fx->io, "io", fx);
	region_set(&fx->mmio, "mmio", fx);
	region_set(&fx->mmio64, "mmio64", fx);
	region_set(&fx->rom, "rom", fx);
	if (pci_bar_init(&fx->f, 0, PCI_BAR_IO, 256, &fx->io) ||
	    pci_bar_init(&fx->f, 1, PCI_BAR_MEM32, 4096, &fx->mmio) ||
	    pci_bar_init(&fx->f, 2, PCI_BAR_MEM64_PREFETCH, 128 * 1024, &fx->mmio64) ||
	    pci_bar_init(&fx->f, PCI_ROM_SLOT, PCI_BAR_ROM, 64 * 1024, &fx->rom))
		return -1;
	if (pci_func_attach(&fx->f))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	pci_func_detach(&fx->f);
	te_free(fx->te);
	free(fx);
	return 0;
}

static uint32_t rd(struct fixture *fx, unsigned reg, unsigned size)
{
	return bus_pci_read(fx->te->m.bus, fx->f.devfn, reg, size);
}

static void wr(struct fixture *fx, unsigned reg, uint32_t val, unsigned size)
{
	bus_pci_write(fx->te->m.bus, fx->f.devfn, reg, val, size);
}

/* PCI 3.0 6.1: the header fields come from the identity and are read-only. */
static void header_from_identity(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, PCI_VENDOR_ID, 4), 0x56781234);
	assert_int_equal(rd(fx, PCI_COMMAND, 4), 0x02800000);
	assert_int_equal(rd(fx, PCI_REVISION_ID, 4), 0x02000020);
	assert_int_equal(rd(fx, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(rd(fx, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(rd(fx, PCI_INTERRUPT_PIN, 1), 1);
	wr(fx, PCI_VENDOR_ID, 0xffffffff, 4);
	wr(fx, PCI_REVISION_ID, 0xffffffff, 4);
	wr(fx, PCI_SUBSYSTEM_VENDOR_ID, 0xffffffff, 4);
	wr(fx, PCI_CAPABILITY_LIST, 0xff, 1);
	wr(fx, PCI_INTERRUPT_PIN, 0x04, 1);
	assert_int_equal(rd(fx, PCI_VENDOR_ID, 4), 0x56781234);
	assert_int_equal(rd(fx, PCI_REVISION_ID, 4), 0x02000020);
	assert_int_equal(rd(fx, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(rd(fx, PCI_CAPABILITY_LIST, 1), 0);
	assert_int_equal(rd(fx, PCI_INTERRUPT_PIN, 1), 1);
	/* Byte and word reads at every offset of the first dword. */
	assert_int_equal(rd(fx, 1, 1), 0x12);
	assert_int_equal(rd(fx, 2, 2), 0x5678);
	assert_int_equal(rd(fx, 1, 2), 0x7812); /* unaligned: the bus splits it */
}

/*
 * QEMU's masks (hw/pci/pci.c pci_init_wmask): command IO, MEMORY, MASTER,
 * SERR, INTX_DISABLE; cache line size and interrupt line; 0x40-0xff.
 */
static void write_masks(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PCI_COMMAND, 0xfffc, 2); /* all but IO/MEM: no decode change */
	assert_int_equal(rd(fx, PCI_COMMAND, 2), 0x0504);
	wr(fx, PCI_COMMAND, 0, 2);
	wr(fx, PCI_CACHE_LINE_SIZE, 0xffffffff, 4);
	assert_int_equal(rd(fx, PCI_CACHE_LINE_SIZE, 4), 0x000000ff);
	wr(fx, PCI_INTERRUPT_LINE, 0xffffffff, 4);
	assert_int_equal(rd(fx, PCI_INTERRUPT_LINE, 4), 0x000001ff);
	wr(fx, PCI_CARDBUS_CIS, 0xffffffff, 4);
	assert_int_equal(rd(fx, PCI_CARDBUS_CIS, 4), 0);
	wr(fx, 0x80, 0xdeadbeef, 4);
	assert_int_equal(rd(fx, 0x80, 4), 0xdeadbeef);
	pci_set_wmask(&fx->f, 0x84, 4, 0x0f);
	wr(fx, 0x84, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x84, 4), 0x0f0f0f0f);
}

/* PCI 3.0 6.2.3: error bits are write-1-to-clear; DEVSEL timing is read-only. */
static void status_w1c(void **state)
{
	struct fixture *fx = *state;

	pci_cfg_set16(&fx->f, PCI_STATUS, 0xf900 | PCI_STATUS_DEVSEL_MEDIUM | 0x80);
	wr(fx, PCI_STATUS, 0, 2);
	assert_int_equal(rd(fx, PCI_STATUS, 2), 0xfb80);
	wr(fx, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_PARITY, 2);
	assert_int_equal(rd(fx, PCI_STATUS, 2), 0xda80);
	/* A dword write to the command register carries status bits too. */
	wr(fx, PCI_COMMAND, 0xffff0000u, 4);
	assert_int_equal(rd(fx, PCI_STATUS, 2), 0x0280);
}

/* PCI 3.0 6.2.5.1: write all ones, read back the size mask and type bits. */
static void bar_sizing(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, 0x10, 4), 0x00000001);
	assert_int_equal(rd(fx, 0x18, 4), 0x0000000c);
	wr(fx, 0x10, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x10, 4), 0xffffff01);
	wr(fx, 0x14, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x14, 4), 0xfffff000);
	wr(fx, 0x18, 0xffffffff, 4);
	wr(fx, 0x1c, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x18, 4), 0xfffe000c);
	assert_int_equal(rd(fx, 0x1c, 4), 0xffffffff);
	/* Unimplemented BARs read zero whatever is written. */
	wr(fx, 0x20, 0xffffffff, 4);
	wr(fx, 0x24, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x20, 4), 0);
	assert_int_equal(rd(fx, 0x24, 4), 0);
	/* 6.2.5.2: the ROM's enable bit is writable, bits 1-10 are zero. */
	wr(fx, PCI_ROM_ADDRESS, 0xffffffff, 4);
	assert_int_equal(rd(fx, PCI_ROM_ADDRESS, 4), 0xffff0001);
	wr(fx, PCI_ROM_ADDRESS, 0xfffffffe, 4);
	assert_int_equal(rd(fx, PCI_ROM_ADDRESS, 4), 0xffff0000);
	/* Nothing was decoded while sizing with decode off. */
	assert_int_equal(fx->te->nclaims, 0);
}

static void bar_sizes_large_and_prefetch(void **state)
{
	struct test_env *te = te_new();
	struct pci_func f;
	struct region a = { .name = "a", .ops = &dev_ops }, b = { .name = "b", .ops = &dev_ops };

	(void)state;
	assert_non_null(te);
	pci_func_init(&f, &te->m, PCI_DEVFN(5, 0), &test_id, NULL, NULL, "big");
	assert_int_equal(pci_bar_init(&f, 0, PCI_BAR_MEM32_PREFETCH, 16 << 20, &a), 0);
	assert_int_equal(pci_bar_init(&f, 1, PCI_BAR_MEM64, 1ull << 33, &b), 0);
	assert_int_equal(pci_func_attach(&f), 0);
	pci_cfg_write(&f, 0x10, 0xffffffff, 4);
	assert_int_equal(pci_cfg_read(&f, 0x10, 4), 0xff000008);
	pci_cfg_write(&f, 0x14, 0xffffffff, 4);
	pci_cfg_write(&f, 0x18, 0xffffffff, 4);
	assert_int_equal(pci_cfg_read(&f, 0x14, 4), 0x00000004);
	assert_int_equal(pci_cfg_read(&f, 0x18, 4), 0xfffffffe);
	pci_func_detach(&f);
	te_free(te);
}

static void bar_init_rejects(void **state)
{
	struct pci_func f;
	struct region r = { .name = "r", .ops = &dev_ops };

	(void)state;
	pci_func_init(&f, NULL, 0, &test_id, NULL, NULL, "x");
	assert_int_equal(pci_bar_init(&f, 0, PCI_BAR_IO, 3, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 0, PCI_BAR_IO, 512, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 0, PCI_BAR_MEM32, 8, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 5, PCI_BAR_MEM64, 4096, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 0, PCI_BAR_ROM, 4096, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, PCI_ROM_SLOT, PCI_BAR_MEM32, 4096, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, PCI_ROM_SLOT, PCI_BAR_ROM, 1024, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 7, PCI_BAR_MEM32, 4096, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 2, PCI_BAR_MEM64, 4096, &r), 0);
	assert_int_equal(pci_bar_init(&f, 3, PCI_BAR_MEM32, 4096, &r), -EINVAL); /* upper half */
	assert_int_equal(pci_bar_init(&f, 2, PCI_BAR_MEM32, 4096, &r), -EINVAL);
	assert_int_equal(pci_bar_init(&f, 1, PCI_BAR_MEM64, 4096, &r), -EINVAL); /* overlaps 2 */
}

static void expect_claim(struct test_env *te, unsigned i, enum bus_space sp, uint64_t first,
			 uint64_t last, bool claim)
{
	assert_true(i < te->nclaims);
	assert_int_equal(te->claims[i].space, sp);
	assert_int_equal(te->claims[i].first, first);
	assert_int_equal(te->claims[i].last, last);
	assert_int_equal(te->claims[i].claim, claim);
}

/* PCI 3.0 6.2.2: I/O Space and Memory Space bits gate decode. */
static void decode_follows_command(void **state)
{
	struct fixture *fx = *state;
	struct test_env *te = fx->te;

	wr(fx, 0x10, 0xc001, 4);
	wr(fx, 0x14, 0xf0000000, 4);
	wr(fx, 0x18, 0xe0000000, 4);
	wr(fx, 0x1c, 0x1, 4);
	assert_int_equal(te->nclaims, 0);
	assert_int_equal(bus_read(te->m.bus, BUS_PIO, 0xc010, 1), 0xff);

	wr(fx, PCI_COMMAND, PCI_COMMAND_IO, 2);
	assert_int_equal(te->nclaims, 1);
	expect_claim(te, 0, BUS_PIO, 0xc000, 0xc0ff, true);
	assert_int_equal(bus_read(te->m.bus, BUS_PIO, 0xc010, 1), 0x10);
	assert_int_equal(pci_bar_addr(&fx->f, 0), 0xc000);
	assert_int_equal(pci_bar_addr(&fx->f, 1), UINT64_MAX);

	te_clear(te);
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	assert_int_equal(te->nclaims, 2);
	expect_claim(te, 0, BUS_MMIO, 0xf0000000, 0xf0000fff, true);
	expect_claim(te, 1, BUS_MMIO, 0x1e0000000ull, 0x1e001ffffull, true);
	bus_write(te->m.bus, BUS_MMIO, 0xf0000008, 0x55, 4);
	assert_int_equal(fx->last_write_off, 8);
	assert_int_equal(fx->last_write_val, 0x55);
	/* ROM stays off until its enable bit is set. */
	wr(fx, PCI_ROM_ADDRESS, 0xfebf0000, 4);
	assert_int_equal(te->nclaims, 2);
	wr(fx, PCI_ROM_ADDRESS, 0xfebf0001, 4);
	assert_int_equal(te->nclaims, 3);
	expect_claim(te, 2, BUS_MMIO, 0xfebf0000, 0xfebfffff, true);

	/* Writing the same command again changes nothing. */
	te_clear(te);
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	assert_int_equal(te->nclaims, 0);

	/* Memory off: the three memory ranges go, I/O stays. */
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO, 2);
	assert_int_equal(te->nclaims, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_false(te->claims[i].claim);
	assert_int_equal(bus_read(te->m.bus, BUS_MMIO, 0xf0000008, 4), 0xffffffff);
	assert_int_equal(fx->moved, 7);
}

/* Moving a decoded BAR: release old, claim new; sizing with decode on unmaps. */
static void bar_move_and_sizing_with_decode_on(void **state)
{
	struct fixture *fx = *state;
	struct test_env *te = fx->te;

	wr(fx, 0x10, 0xc001, 4);
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO, 2);
	te_clear(te);
	wr(fx, 0x10, 0xc101, 4);
	assert_int_equal(te->nclaims, 2);
	expect_claim(te, 0, BUS_PIO, 0xc000, 0xc0ff, false);
	expect_claim(te, 1, BUS_PIO, 0xc100, 0xc1ff, true);
	te_clear(te);
	wr(fx, 0x10, 0xffffffff, 4); /* 0xffffff00: beyond the port space, not decoded */
	assert_int_equal(rd(fx, 0x10, 4), 0xffffff01);
	assert_int_equal(te->nclaims, 1);
	expect_claim(te, 0, BUS_PIO, 0xc100, 0xc1ff, false);
	wr(fx, 0x10, 0xc101, 4);
	assert_int_equal(te->nclaims, 2);
	expect_claim(te, 1, BUS_PIO, 0xc100, 0xc1ff, true);
	/* A BAR at 0 is never decoded (QEMU pci_bar_address). */
	wr(fx, 0x10, 0x0, 4);
	assert_int_equal(pci_bar_addr(&fx->f, 0), UINT64_MAX);
	/* 64-bit BAR: sizing either half with decode on unmaps, no rollback. */
	wr(fx, 0x18, 0xe0000000, 4);
	wr(fx, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_bar_addr(&fx->f, 2), 0xe0000000);
	wr(fx, 0x18, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x18, 4), 0xfffe000c);
	assert_int_equal(pci_bar_addr(&fx->f, 2), UINT64_MAX);
	wr(fx, 0x18, 0xe0000000, 4);
	wr(fx, 0x1c, 0xffffffff, 4);
	assert_int_equal(rd(fx, 0x1c, 4), 0xffffffff);
	assert_int_equal(pci_bar_addr(&fx->f, 2), UINT64_MAX);
	wr(fx, 0x1c, 0, 4);
	assert_int_equal(pci_bar_addr(&fx->f, 2), 0xe0000000);
}

/* A BAR moved onto another device's range: bus_apply fails, the write is undone. */
static void bar_move_overlap_rolls_back(void **state)
{
	struct fixture *fx = *state;
	struct test_env *te = fx->te;
	struct region other = { .name = "other",
				.space = BUS_PIO,
				.base = 0xc200,
				.len = 16,
				.ops = &dev_ops,
				.opaque = fx };

	assert_int_equal(bus_add(te->m.bus, &other), 0);
	wr(fx, 0x10, 0xc001, 4);
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO, 2);
	te_clear(te);
	wr(fx, 0x10, 0xc201, 4);
	assert_int_equal(rd(fx, 0x10, 4), 0xc001);
	assert_int_equal(pci_bar_addr(&fx->f, 0), 0xc000);
	assert_int_equal(te->nclaims, 0);
	assert_int_equal(bus_read(te->m.bus, BUS_PIO, 0xc004, 1), 0x04);
	/* Turning memory decode on when the platform refuses: command write undone. */
	wr(fx, 0x14, 0xf0000000, 4);
	te->refuse = -ENOSPC;
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	assert_int_equal(rd(fx, PCI_COMMAND, 2), PCI_COMMAND_IO);
	assert_int_equal(pci_bar_addr(&fx->f, 1), UINT64_MAX);
	assert_int_equal(pci_bar_addr(&fx->f, 0), 0xc000);
	te->refuse = 0;
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_bar_addr(&fx->f, 1), 0xf0000000);
	bus_del(te->m.bus, &other);
}

/* 32-bit memory BARs ending at or above 4 GiB, and I/O above 64 KiB, are not decoded. */
static void invalid_addresses_not_decoded(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	wr(fx, 0x14, 0xfffff000, 4);
	assert_int_equal(pci_bar_addr(&fx->f, 1), UINT64_MAX);
	wr(fx, 0x14, 0xffffe000, 4);
	assert_int_equal(pci_bar_addr(&fx->f, 1), 0xffffe000);
	wr(fx, 0x10, 0x10001, 4);
	assert_int_equal(pci_bar_addr(&fx->f, 0), UINT64_MAX);
	wr(fx, 0x10, 0xff01, 4);
	assert_int_equal(pci_bar_addr(&fx->f, 0), 0xff00);
}

/* PCI 3.0 6.7: the list from 0x34, IDs and next pointers read-only, walk bounded. */
static void capability_list(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(pci_find_cap(&fx->f, PCI_CAP_ID_PM), 0);
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_PM, 0x50, 8), 0);
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_MSI, 0x60, 14), 0);
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_VNDR, 0x80, 4), 0);
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_VNDR, 0x54, 4), -EINVAL); /* overlap */
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_VNDR, 0x3c, 4), -EINVAL);
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_VNDR, 0x91, 4), -EINVAL);
	assert_int_equal(pci_add_cap(&fx->f, PCI_CAP_ID_VNDR, 0xfc, 8), -EINVAL);
	assert_int_equal(rd(fx, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	assert_int_equal(rd(fx, PCI_CAPABILITY_LIST, 1), 0x50);
	assert_int_equal(rd(fx, 0x50, 2), 0x6001);
	assert_int_equal(rd(fx, 0x60, 2), 0x8005);
	assert_int_equal(rd(fx, 0x80, 2), 0x0009);
	wr(fx, 0x50, 0xffff, 2);
	assert_int_equal(rd(fx, 0x50, 2), 0x6001);
	assert_int_equal(pci_find_cap(&fx->f, PCI_CAP_ID_PM), 0x50);
	assert_int_equal(pci_find_cap(&fx->f, PCI_CAP_ID_MSI), 0x60);
	assert_int_equal(pci_find_cap(&fx->f, PCI_CAP_ID_VNDR), 0x80);
	assert_int_equal(pci_find_cap(&fx->f, 0x10), 0);
	/* A loop in the list ends the walk. */
	fx->f.cfg[0x81] = 0x50;
	assert_int_equal(pci_find_cap(&fx->f, 0x10), 0);
}

/* INTx: level changes only, Interrupt Disable masks, Interrupt Status follows the request. */
static void intx_levels(void **state)
{
	struct fixture *fx = *state;
	struct test_env *te = fx->te;

	pci_set_irq(&fx->f, true);
	assert_int_equal(te->nintx, 1);
	assert_int_equal(te->intx[0].devfn, PCI_DEVFN(4, 0));
	assert_int_equal(te->intx[0].pin, 0);
	assert_true(te->intx[0].level);
	assert_int_equal(rd(fx, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	pci_set_irq(&fx->f, true);
	assert_int_equal(te->nintx, 1);
	wr(fx, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	assert_int_equal(te->nintx, 2);
	assert_false(te->intx[1].level);
	assert_int_equal(rd(fx, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	pci_set_irq(&fx->f, false);
	assert_int_equal(te->nintx, 2);
	assert_int_equal(rd(fx, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	pci_set_irq(&fx->f, true);
	wr(fx, PCI_COMMAND, 0, 2);
	assert_int_equal(te->nintx, 3);
	assert_true(te->intx[2].level);
	/* The status bit is read-only to the guest. */
	wr(fx, PCI_STATUS, 0xffff, 2);
	assert_int_equal(rd(fx, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	pci_set_irq(&fx->f, false);
	assert_int_equal(te->nintx, 4);
	assert_false(te->intx[3].level);
}

static void intx_pin_none_ignored(void **state)
{
	struct test_env *te = te_new();
	static const struct pci_identity nopin = { .vendor = 1, .device = 2 };
	struct pci_func f;

	(void)state;
	pci_func_init(&f, &te->m, PCI_DEVFN(6, 0), &nopin, NULL, NULL, "nopin");
	pci_set_irq(&f, true);
	assert_int_equal(te->nintx, 0);
	assert_int_equal(pci_cfg_read(&f, PCI_STATUS, 2), 0);
	te_free(te);
}

/* Device hooks see their registers after the masks; read hooks can compute values. */
static void device_hooks(void **state)
{
	struct fixture *fx = *state;

	wr(fx, 0x40, 0x12, 1);
	wr(fx, 0x40, 0x34, 1);
	assert_int_equal(fx->hook_writes, 2);
	assert_int_equal(fx->hook_old, 0x12);
	wr(fx, 0x42, 0x1, 1);
	assert_int_equal(fx->hook_writes, 2);
	assert_int_equal(rd(fx, 0x44, 2), 0xcafe);
	assert_int_equal(rd(fx, 0x40, 1), 0x34);
}

/* Reset: attach-time config space back, BARs released, INTx lowered. */
static void reset_restores(void **state)
{
	struct fixture *fx = *state;
	struct test_env *te = fx->te;

	wr(fx, 0x10, 0xc001, 4);
	wr(fx, 0x14, 0xf0000000, 4);
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	wr(fx, 0x90, 0x11223344, 4);
	wr(fx, PCI_INTERRUPT_LINE, 11, 1);
	pci_set_irq(&fx->f, true);
	te_clear(te);
	pci_func_reset(&fx->f);
	assert_int_equal(te->nclaims, 2);
	assert_false(te->claims[0].claim);
	assert_false(te->claims[1].claim);
	assert_int_equal(te->nintx, 1);
	assert_false(te->intx[0].level);
	assert_memory_equal(fx->f.cfg, fx->f.cfg_reset, PCI_CFG_SIZE);
	assert_int_equal(rd(fx, 0x10, 4), 1);
	assert_int_equal(rd(fx, 0x90, 4), 0);
	assert_int_equal(rd(fx, PCI_STATUS, 2), 0x0280);
	assert_int_equal(pci_bar_addr(&fx->f, 0), UINT64_MAX);
	assert_int_equal(bus_read(te->m.bus, BUS_PIO, 0xc000, 1), 0xff);
}

/* Out-of-range accesses from any caller read all ones and change nothing. */
static void bad_accesses(void **state)
{
	struct fixture *fx = *state;
	uint8_t before[PCI_CFG_SIZE];

	memcpy(before, fx->f.cfg, sizeof(before));
	assert_int_equal(pci_cfg_read(&fx->f, 0xfe, 4), 0xffffffff);
	assert_int_equal(pci_cfg_read(&fx->f, 0x100, 1), 0xffffffff);
	assert_int_equal(pci_cfg_read(&fx->f, 0x10, 3), 0xffffffff);
	pci_cfg_write(&fx->f, 0xfe, 0, 4);
	pci_cfg_write(&fx->f, 0x40, 0xffffffff, 8);
	assert_memory_equal(before, fx->f.cfg, PCI_CFG_SIZE);
	assert_int_equal(rd(fx, 0x100, 4), 0xffffffff);
}

static void attach_twice_fails(void **state)
{
	struct fixture *fx = *state;
	struct pci_func g;

	pci_func_init(&g, &fx->te->m, fx->f.devfn, &test_id, NULL, NULL, "dup");
	assert_int_equal(pci_func_attach(&g), -EEXIST);
	assert_int_equal(rd(fx, 0, 2), 0x1234);
}

/* A BAR with no region (e.g. VRAM the platform maps): decoded and reported, nothing on the bus. */
static void bar_without_region(void **state)
{
	struct test_env *te = te_new();
	struct fixture fx = { .te = te };
	struct pci_func *f = &fx.f;

	(void)state;
	pci_func_init(f, &te->m, PCI_DEVFN(7, 0), &test_id, &hooks, &fx, "vram");
	assert_int_equal(pci_bar_init(f, 0, PCI_BAR_MEM32_PREFETCH, 16 << 20, NULL), 0);
	assert_int_equal(pci_func_attach(f), 0);
	pci_cfg_write(f, 0x10, 0xf0000000, 4);
	pci_cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_bar_addr(f, 0), 0xf0000000);
	assert_int_equal(fx.moved, 1);
	assert_int_equal(te->nclaims, 0);
	pci_func_detach(f);
	assert_int_equal(fx.moved, 2);
	te_free(te);
}

/* PCI 3.0 6.2.5.2: the ROM decodes only with Memory Space on as well as its enable bit. */
static void rom_needs_memory_decode(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PCI_ROM_ADDRESS, 0xfebf0001, 4);
	assert_int_equal(pci_bar_addr(&fx->f, PCI_ROM_SLOT), UINT64_MAX);
	wr(fx, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_bar_addr(&fx->f, PCI_ROM_SLOT), 0xfebf0000);
	assert_int_equal(bus_read(fx->te->m.bus, BUS_MMIO, 0xfebf0004, 1), 0x04);
	wr(fx, PCI_ROM_ADDRESS, 0xfebf0000, 4);
	assert_int_equal(pci_bar_addr(&fx->f, PCI_ROM_SLOT), UINT64_MAX);
}

/* Save and load: config and INTx come back; a foreign identity is refused. */
static void save_load(void **state)
{
	struct fixture *fx = *state;
	struct snap_wr w;
	struct snap_rd r;
	struct pci_func scratch;
	static const struct pci_identity other = { .vendor = 0x8086, .device = 0x1237 };
	struct pci_func foreign;

	wr(fx, 0x10, 0xc001, 4);
	wr(fx, PCI_COMMAND, PCI_COMMAND_IO, 2);
	pci_set_irq(&fx->f, true);
	snap_wr_init(&w);
	assert_int_equal(pci_func_save(&fx->f, &w), 0);
	assert_int_equal(w.err, 0);

	/* Load into a scratch copy, commit, post_load: as dm_state_load does. */
	pci_set_irq(&fx->f, false);
	wr(fx, PCI_COMMAND, 0, 2);
	wr(fx, 0x10, 0xd001, 4);
	scratch = fx->f;
	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(pci_func_load(&scratch, &r), 0);
	fx->f = scratch;
	fx->te->nintx = 0;
	pci_func_post_load(&fx->f);
	assert_int_equal(pci_bar_addr(&fx->f, 0), 0xc000);
	assert_int_equal(bus_read(fx->te->m.bus, BUS_PIO, 0xc002, 1), 0x02);
	assert_int_equal(fx->te->nintx, 1);
	assert_true(fx->te->intx[0].level);

	pci_func_init(&foreign, NULL, 0, &other, NULL, NULL, "foreign");
	memcpy(foreign.cfg_reset, foreign.cfg, PCI_CFG_SIZE);
	snap_rd_init(&r, w.buf, w.len);
	assert_int_equal(pci_func_load(&foreign, &r), -EINVAL);
	snap_rd_init(&r, w.buf, w.len - 1);
	assert_int_equal(pci_func_load(&scratch, &r), -EINVAL);
	snap_wr_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(header_from_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(write_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(status_w1c, setup, teardown),
		cmocka_unit_test_setup_teardown(bar_sizing, setup, teardown),
		cmocka_unit_test(bar_sizes_large_and_prefetch),
		cmocka_unit_test(bar_init_rejects),
		cmocka_unit_test_setup_teardown(decode_follows_command, setup, teardown),
		cmocka_unit_test_setup_teardown(bar_move_and_sizing_with_decode_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bar_move_overlap_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_addresses_not_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(capability_list, setup, teardown),
		cmocka_unit_test_setup_teardown(intx_levels, setup, teardown),
		cmocka_unit_test(intx_pin_none_ignored),
		cmocka_unit_test_setup_teardown(device_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_accesses, setup, teardown),
		cmocka_unit_test_setup_teardown(attach_twice_fails, setup, teardown),
		cmocka_unit_test(bar_without_region),
		cmocka_unit_test_setup_teardown(rom_needs_memory_decode, setup, teardown),
		cmocka_unit_test_setup_teardown(save_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
