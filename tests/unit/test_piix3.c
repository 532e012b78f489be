// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 PCI-ISA bridge (00:01.0): reset values (PIIX3 datasheet §2.2, QEMU
 * hw/isa/piix.c piix_reset), PIRQRC[A:D] (§2.2.9) reported to the platform
 * as qemu-xen does, the Reset Control Register at 0xcf9 (through the
 * i440FX's 0xcf8 dword, and on its own), port 0x92 (fast A20, fast reset),
 * reset and save/restore.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dm/device.h"
#include "dm/state.h"
#include "hw/pci/pci.h"
#include "pci_testenv.h"

#define PIIX3 PCI_DEVFN(1, 0)

static int setup(void **state)
{
	struct test_env *te = te_new();

	if (!te || !te_add(te, "i440fx") || !te_add(te, "piix3") || !te_add(te, "port92"))
		return -1;
	te_clear(te);
	*state = te;
	return 0;
}

static int teardown(void **state)
{
	struct test_env *te = *state;

	te_remove_all(te);
	te_free(te);
	return 0;
}

static uint32_t cfg_rd(struct test_env *te, unsigned reg, unsigned size)
{
	return bus_pci_read(te->m.bus, PIIX3, reg, size);
}

static void cfg_wr(struct test_env *te, unsigned reg, uint32_t val, unsigned size)
{
	bus_pci_write(te->m.bus, PIIX3, reg, val, size);
}

static uint32_t in(struct test_env *te, uint16_t port, unsigned size)
{
	return (uint32_t)bus_read(te->m.bus, BUS_PIO, port, size);
}

static void out(struct test_env *te, uint16_t port, uint32_t val, unsigned size)
{
	bus_write(te->m.bus, BUS_PIO, port, val, size);
}

/* The reset state QEMU 7.2 shows (tests/traces/qemu/pci-cfg.expected, devfn 08). */
static void reset_values(void **state)
{
	struct test_env *te = *state;
	static const struct {
		unsigned reg;
		uint32_t val;
	} want[] = {
		{ 0x00, 0x70008086 }, { 0x04, 0x02000000 }, { 0x08, 0x06010000 },
		{ 0x0c, 0x00800000 }, { 0x2c, 0x11001af4 }, { 0x3c, 0x00000000 },
		{ 0x4c, 0x0003004d }, { 0x60, 0x80808080 }, { 0x68, 0x00000200 },
		{ 0x70, 0x00000080 }, { 0x74, 0x0c0c0000 }, { 0x78, 0x00000002 },
		{ 0xa0, 0x00000008 }, { 0xa8, 0x0000000f }, { 0xfc, 0x00000000 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(cfg_rd(te, want[i].reg, 4), want[i].val);
	assert_int_equal(cfg_rd(te, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_MULTI_FUNCTION);
	/* QEMU's PCI core masks: command 0x0507 writable, DEVSEL read-only. */
	cfg_wr(te, PCI_COMMAND, 0xffffffff, 4);
	assert_int_equal(cfg_rd(te, PCI_COMMAND, 4), 0x02000507);
}

/* §2.2.9 PIRQRC: hvmloader's routing 5, 10, 11, 5 (hvmloader/pci.c), one report per byte. */
static void pirq_routes_reported(void **state)
{
	struct test_env *te = *state;

	cfg_wr(te, 0x60, 0x05, 1);
	cfg_wr(te, 0x61, 0x0a, 1);
	cfg_wr(te, 0x62, 0x0b, 1);
	cfg_wr(te, 0x63, 0x05, 1);
	assert_int_equal(te->nroutes, 4);
	assert_int_equal(te->route[0], 5);
	assert_int_equal(te->route[1], 10);
	assert_int_equal(te->route[2], 11);
	assert_int_equal(te->route[3], 5);
	assert_int_equal(cfg_rd(te, 0x60, 4), 0x050b0a05);
	/* ACPI _DIS sets bit 7: the link is disabled (route 0). */
	cfg_wr(te, 0x61, 0x8a, 1);
	assert_int_equal(te->route[1], 0);
	assert_int_equal(te->nroutes, 5);
	/* A dword write reports all four links. */
	te_clear(te);
	cfg_wr(te, 0x60, 0x0e0f0903, 4);
	assert_int_equal(te->nroutes, 4);
	assert_int_equal(te->route[0], 3);
	assert_int_equal(te->route[1], 9);
	assert_int_equal(te->route[2], 15);
	assert_int_equal(te->route[3], 14);
	/* A word write across 0x5f-0x60 reports link A only. */
	te_clear(te);
	cfg_wr(te, 0x5c, 0x0c000000, 4);
	assert_int_equal(te->nroutes, 0);
	bus_pci_write(te->m.bus, PIIX3, 0x5f, 0x0700, 2); /* unaligned: split by the bus */
	assert_int_equal(te->nroutes, 1);
	assert_int_equal(te->route[0], 7);
	/* Other registers report nothing. */
	te_clear(te);
	cfg_wr(te, 0x64, 0xffffffff, 4);
	cfg_wr(te, 0x4c, 0x4d, 1);
	assert_int_equal(te->nroutes, 0);
}

/* IRQ values the datasheet reserves (0, 1, 2, 8, 13) route nowhere. */
static void pirq_reserved_irqs_disable(void **state)
{
	struct test_env *te = *state;
	static const uint8_t rsvd[] = { 0, 1, 2, 8, 13 };

	for (size_t i = 0; i < sizeof(rsvd); i++) {
		cfg_wr(te, 0x60, 0x05, 1);
		assert_int_equal(te->route[0], 5);
		cfg_wr(te, 0x60, rsvd[i], 1);
		assert_int_equal(te->route[0], 0);
		assert_int_equal(cfg_rd(te, 0x60, 1), rsvd[i]); /* stored as written */
	}
	/* Bits 6:4 are reserved: the IRQ is bits 3:0. */
	cfg_wr(te, 0x60, 0x75, 1);
	assert_int_equal(te->route[0], 5);
}

/* Reset Control Register 0xcf9: SRST kept, RCPU requests a reboot. */
static void reset_control_cf9(void **state)
{
	struct test_env *te = *state;

	assert_int_equal(in(te, 0xcf9, 1), 0);
	out(te, 0xcf9, 0x02, 1);
	assert_int_equal(in(te, 0xcf9, 1), 0x02);
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 0);
	out(te, 0xcf9, 0x06, 1); /* hard reset */
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 1);
	out(te, 0xcf9, 0x04, 1); /* soft reset: a reboot under Xen too */
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 2);
	out(te, 0xcf9, 0xfd, 1); /* RCPU with other bits */
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 3);
	out(te, 0xcf9, 0xfb, 1); /* no RCPU: only bit 1 is kept */
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 3);
	assert_int_equal(in(te, 0xcf9, 1), 0x02);
	out(te, 0xcf9, 0xf1, 1);
	assert_int_equal(in(te, 0xcf9, 1), 0x00);
	/* CONFIG_ADDRESS dword writes do not touch the reset register. */
	out(te, 0xcf8, 0x80000600, 4);
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 3);
	assert_int_equal(in(te, 0xcf9, 1), 0x00);
	assert_int_equal(in(te, 0xcf8, 4), 0x80000600);
}

static void reset_control_without_i440fx(void **state)
{
	struct test_env *te = te_new();

	(void)state;
	assert_non_null(te_add(te, "piix3"));
	out(te, 0xcf9, 0x02, 1);
	assert_int_equal(in(te, 0xcf9, 1), 0x02);
	out(te, 0xcf9, 0x06, 1);
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 1);
	te_remove_all(te);
	te_free(te);
}

/* Port 0x92 (QEMU port92): bit 1 reads back, a rising bit 0 resets. */
static void port92(void **state)
{
	struct test_env *te = *state;

	assert_int_equal(in(te, 0x92, 1), 0);
	out(te, 0x92, 0x02, 1); /* Linux and SeaBIOS enable A20 */
	assert_int_equal(in(te, 0x92, 1), 0x02);
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 0);
	out(te, 0x92, 0x03, 1);
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 1);
	out(te, 0x92, 0x03, 1); /* still set: no new edge */
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 1);
	out(te, 0x92, 0x02, 1);
	out(te, 0x92, 0x01, 1);
	assert_int_equal(te->requests[PLAT_REQ_REBOOT], 2);
}

static struct dm_dev *find(struct test_env *te, const char *type)
{
	for (struct dm_dev *d = te->m.devs; d; d = d->next)
		if (!strcmp(d->type->name, type))
			return d;
	return NULL;
}

/* System reset: config defaults back, routed links reported disabled, RCR and 0x92 bit 0 cleared.
 */
static void system_reset(void **state)
{
	struct test_env *te = *state;
	struct dm_dev *piix3 = find(te, "piix3"), *p92 = find(te, "port92");

	cfg_wr(te, 0x60, 0x800b0a05, 4);
	cfg_wr(te, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	out(te, 0xcf9, 0x02, 1);
	out(te, 0x92, 0x03, 1);
	te_clear(te);
	for (unsigned i = 0; i < 4; i++)
		te->route[i] = 0xff;
	piix3->type->reset(piix3, RESET_SYSTEM);
	p92->type->reset(p92, RESET_SYSTEM);
	assert_int_equal(te->nroutes, 3);
	assert_int_equal(te->route[0], 0);
	assert_int_equal(te->route[1], 0);
	assert_int_equal(te->route[2], 0);
	assert_int_equal(te->route[3], 0xff); /* was disabled already: not told again */
	assert_int_equal(cfg_rd(te, 0x60, 4), 0x80808080);
	assert_int_equal(cfg_rd(te, PCI_COMMAND, 2), 0);
	assert_int_equal(in(te, 0xcf9, 1), 0);
	assert_int_equal(in(te, 0x92, 1), 0x02);
}

/* Save, change, load (dm_state_load, post_load): config, RCR and routes come back. */
static void save_restore(void **state)
{
	struct test_env *te = *state;
	struct snap_wr w;

	cfg_wr(te, 0x60, 0x05, 1);
	out(te, 0xcf9, 0x02, 1);
	out(te, 0x92, 0x02, 1);
	out(te, 0xcf8, 0x80000860, 4);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&te->m, &w), 0);
	cfg_wr(te, 0x60, 0x80, 1);
	out(te, 0xcf9, 0x00, 1);
	out(te, 0x92, 0x00, 1);
	out(te, 0xcf8, 0, 4);
	te_clear(te);
	assert_int_equal(dm_state_load(&te->m, w.buf, w.len), 0);
	assert_int_equal(cfg_rd(te, 0x60, 1), 0x05);
	assert_int_equal(te->route[0], 5);
	assert_int_equal(in(te, 0xcf9, 1), 0x02);
	assert_int_equal(in(te, 0x92, 1), 0x02);
	assert_int_equal(in(te, 0xcf8, 4), 0x80000860);
	/* A truncated stream changes nothing. */
	cfg_wr(te, 0x60, 0x80, 1);
	assert_int_not_equal(dm_state_load(&te->m, w.buf, w.len - 9), 0);
	assert_int_equal(cfg_rd(te, 0x60, 1), 0x80);
	snap_wr_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reset_values, setup, teardown),
		cmocka_unit_test_setup_teardown(pirq_routes_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(pirq_reserved_irqs_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_control_cf9, setup, teardown),
		cmocka_unit_test(reset_control_without_i440fx),
		cmocka_unit_test_setup_teardown(port92, setup, teardown),
		cmocka_unit_test_setup_teardown(system_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(save_restore, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
