// SPDX-License-Identifier: GPL-2.0-only
/*
 * i440FX host bridge (00:00.0) and configuration mechanism #1 (440FX
 * datasheet §3.2; PCI 3.0 §3.2.2.3.2): reset config space, CONFIG_ADDRESS
 * and CONFIG_DATA at every size and offset as QEMU's pci_host answers,
 * the PCI_CONFIG ioreq path sharing the port path, and the differential
 * checks: QEMU 7.2's qtest transcript (tests/traces/qemu) and the qemu-xen
 * golden dumps and ioreq trace (shared/docs/qemu-xen-golden).
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
#include "hw/pci/pci.h"
#include "pci_testenv.h"
#include "tests/golden/golden.h"

static int setup(void **state)
{
	struct test_env *te = te_new();

	if (!te || !te_add(te, "i440fx") || !te_add(te, "piix3"))
		return -1;
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

static uint32_t in(struct test_env *te, uint16_t port, unsigned size)
{
	return (uint32_t)bus_read(te->m.bus, BUS_PIO, port, size);
}

static void out(struct test_env *te, uint16_t port, uint32_t val, unsigned size)
{
	bus_write(te->m.bus, BUS_PIO, port, val, size);
}

/* QEMU hw/pci-host/i440fx.c: IDs, rev 02, class 0600, SMRAM 0x02, 0x57 = -m / 8 MiB. */
static void reset_config_space(void **state)
{
	struct test_env *te = *state;

	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x00, 4), 0x12378086);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x04, 4), 0x00000000);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x08, 4), 0x06000002);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x0c, 4), 0x00000000);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x2c, 4), 0x11001af4);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x57, 1), 128 / 8);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x59, 4), 0);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x72, 1), 0x02);
	/* PAM and SMRAM are plain read/write registers. */
	bus_pci_write(te->m.bus, 0, 0x59, 0x33, 1);
	bus_pci_write(te->m.bus, 0, 0x5a, 0x3333, 2);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x58, 4), 0x33333300);
}

static void ram_size_byte_caps(void **state)
{
	struct test_env *te = te_new();

	(void)state;
	te->opts.ram_mb = 4096;
	assert_non_null(te_add(te, "i440fx"));
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x57, 1), 0xff);
	te_remove_all(te);
	te_free(te);
}

/* CONFIG_ADDRESS: only a dword write at 0xcf8 sets it; reads at any offset return its low bytes. */
static void config_address_port(void **state)
{
	struct test_env *te = *state;

	out(te, 0xcf8, 0x80000858, 4);
	assert_int_equal(in(te, 0xcf8, 4), 0x80000858);
	assert_int_equal(in(te, 0xcf8, 2), 0x0858);
	assert_int_equal(in(te, 0xcf8, 1), 0x58);
	assert_int_equal(in(te, 0xcfa, 2), 0x0858);
	assert_int_equal(in(te, 0xcfa, 1), 0x58);
	assert_int_equal(in(te, 0xcfb, 1), 0x58);
	out(te, 0xcf8, 0x00, 1);
	out(te, 0xcf8, 0x1234, 2);
	out(te, 0xcfa, 0x0000, 2);
	out(te, 0xcfb, 0x01, 1); /* Linux's pci_check_type1 probe */
	assert_int_equal(in(te, 0xcf8, 4), 0x80000858);
}

/* CONFIG_DATA: register = CONFIG_ADDRESS bits 7:2 | port offset, any size at any offset. */
static void config_data_port(void **state)
{
	struct test_env *te = *state;

	out(te, 0xcf8, te_cf8(0, 0), 4);
	assert_int_equal(in(te, 0xcfc, 1), 0x86);
	assert_int_equal(in(te, 0xcfd, 1), 0x80);
	assert_int_equal(in(te, 0xcfe, 1), 0x37);
	assert_int_equal(in(te, 0xcff, 1), 0x12);
	assert_int_equal(in(te, 0xcfc, 2), 0x8086);
	assert_int_equal(in(te, 0xcfe, 2), 0x1237);
	assert_int_equal(in(te, 0xcfd, 2), 0x3780);
	assert_int_equal(in(te, 0xcfc, 4), 0x12378086);
	out(te, 0xcf8, te_cf8(0, 0x58), 4);
	out(te, 0xcfd, 0x33, 1);
	out(te, 0xcfe, 0x5511, 2);
	assert_int_equal(in(te, 0xcfc, 4), 0x55113300);
	assert_int_equal(in(te, 0xcfe, 1), 0x11);
	assert_int_equal(in(te, 0xcfd, 2), 0x1133);
	out(te, 0xcfc, 0, 4);
	assert_int_equal(in(te, 0xcfc, 4), 0);
}

/*
 * On the port path CONFIG_ADDRESS bits 1:0 select bytes as QEMU's pci_host does
 * (config_reg | (addr & 3)), and an access is split by its address alignment as QEMU's
 * memory core splits it (a word at 0xcfd is two byte accesses). Every value below is
 * Debian's QEMU 7.2 answer (-machine pc -accel tcg -qtest stdio). Under Xen the hypervisor
 * decodes 0xcfc for the functions hvmdm claims and drops bits 1:0 (PCI_CONFIG ioreqs).
 */
static void config_address_low_bits_select_bytes(void **state)
{
	struct test_env *te = *state;

	out(te, 0xcf8, 0x80000001, 4);
	assert_int_equal(in(te, 0xcfc, 4), 0x00123780); /* bytes 1-4 */
	assert_int_equal(in(te, 0xcfc, 1), 0x80);
	assert_int_equal(in(te, 0xcfd, 1), 0x80); /* 1 | 1 */
	assert_int_equal(in(te, 0xcfc, 2), 0x3780);
	assert_int_equal(in(te, 0xcfe, 2), 0x0012); /* 1 | 2 = 3: bytes 3-4 */
	out(te, 0xcf8, 0x80000003, 4);
	assert_int_equal(in(te, 0xcfc, 1), 0x12);
	assert_int_equal(in(te, 0xcfd, 2), 0x1212); /* two bytes, both at 3 | 1, 3 | 2 = 3 */
	assert_int_equal(in(te, 0xcfc, 4), 0x00000012);
	assert_int_equal(in(te, 0xcf8, 4), 0x80000003);
	out(te, 0xcf8, 0x80000002, 4);
	assert_int_equal(in(te, 0xcfc, 2), 0x1237);
	out(te, 0xcf8, 0x80000806, 4);
	assert_int_equal(in(te, 0xcfc, 2), 0x0200); /* PIIX3 status */
	out(te, 0xcf8, 0x80000059, 4);		    /* PAM0: writes land at 0x59 | off */
	out(te, 0xcfc, 0x33, 1);
	out(te, 0xcfe, 0x11, 1);
	out(te, 0xcf8, 0x80000058, 4);
	assert_int_equal(in(te, 0xcfc, 4), 0x11003300); /* 0x59 and 0x59 | 2 */
}

static void config_data_disabled_and_absent(void **state)
{
	struct test_env *te = *state;

	out(te, 0xcf8, 0x00000000, 4);
	assert_int_equal(in(te, 0xcfc, 4), 0xffffffff);
	assert_int_equal(in(te, 0xcfe, 2), 0xffff);
	assert_int_equal(in(te, 0xcff, 1), 0xff);
	out(te, 0xcfc, 0x12345678, 4); /* dropped */
	out(te, 0xcf8, 0x80000058, 4);
	assert_int_equal(in(te, 0xcfc, 4), 0);
	out(te, 0xcf8, 0x8000f800, 4);
	assert_int_equal(in(te, 0xcfc, 4), 0xffffffff);
	out(te, 0xcf8, 0x80010000, 4); /* bus 1 */
	assert_int_equal(in(te, 0xcfc, 4), 0xffffffff);
}

/* Under Xen, 0xcfc accesses to claimed functions arrive as PCI_CONFIG: same answers. */
static void pci_config_ioreq_path_shares_port_path(void **state)
{
	struct test_env *te = *state;

	for (unsigned devfn = 0; devfn <= 8; devfn += 8) {
		for (unsigned reg = 0; reg < 256; reg += 4) {
			out(te, 0xcf8, te_cf8(devfn, reg), 4);
			assert_int_equal(in(te, 0xcfc, 4), bus_pci_read(te->m.bus, devfn, reg, 4));
			assert_int_equal(in(te, 0xcfe, 2),
					 bus_pci_read(te->m.bus, devfn, reg + 2, 2));
			assert_int_equal(in(te, 0xcff, 1),
					 bus_pci_read(te->m.bus, devfn, reg + 3, 1));
		}
	}
	bus_pci_write(te->m.bus, 8, 0x61, 0x0a, 1);
	out(te, 0xcf8, te_cf8(8, 0x60), 4);
	assert_int_equal(in(te, 0xcfd, 1), 0x0a);
}

/* Differential: QEMU 7.2 (-machine pc, qtest) answers, line for line. */
static void qemu_qtest_transcript(void **state)
{
	struct test_env *te = *state;
	const char *root = golden_repo_root();
	char tr[4096], ex[4096];
	unsigned checked, skipped;
	long bad;

	assert_non_null(root);
	(void)te_add(te, "piix3-ide");
	(void)te_add(te, "piix4-pm");
	golden_path(tr, sizeof(tr), root, "tests/traces/qemu/pci-cfg.trace");
	golden_path(ex, sizeof(ex), root, "tests/traces/qemu/pci-cfg.expected");
	bad = golden_qtest_replay(tr, ex, te->m.bus, &checked, &skipped);
	printf("qtest transcript: %u answers compared, %u skipped (absent function or known "
	       "difference), %ld differ\n",
	       checked, skipped, bad);
	assert_int_equal(bad, 0);
	assert_true(checked > 300);
}

/* ---------------------------------------------------------------- qemu-xen golden */
struct replay {
	struct test_env *te;
	bool check_reads;
	unsigned reads, writes, bad;
};

static int replay_op(void *opaque, const struct golden_cfg_op *op)
{
	struct replay *r = opaque;
	struct bus *bus = r->te->m.bus;

	if (op->sbdf != 0 && op->sbdf != 8)
		return 0;
	if (op->write) {
		bus_pci_write(bus, op->sbdf, op->reg, op->data, op->size);
		r->writes++;
		return 0;
	}
	r->reads++;
	if (r->check_reads) {
		uint32_t got = bus_pci_read(bus, op->sbdf, op->reg, op->size);

		if (got != op->data && !golden_known_diff("qemu-xen", op->sbdf, op->reg)) {
			fprintf(stderr,
				"trace read %02x.%x reg 0x%02x/%u: qemu-xen 0x%x, hvmdm 0x%x\n",
				op->sbdf >> 3, op->sbdf & 7, op->reg, op->size, op->data, got);
			r->bad++;
		}
	}
	return 0;
}

/*
 * Each golden configuration: build i440FX + PIIX3 with that -m, replay the
 * chipset config writes hvmloader, SeaBIOS and Linux made (ioreq-a: the
 * same firmware and kernel in every configuration) and compare all 256
 * bytes of 00:00.0 and 00:01.0 with the dump the guest took.
 */
static void golden_dumps_match(void **state)
{
	static const char *const cfgs[] = { "a", "a-unplug", "b", "c" };
	const char *dir = golden_dir();
	char p[4096], name[64];
	unsigned compared = 0;

	(void)state;
	if (!dir) {
		printf("qemu-xen-golden not found next to the repository: skipped\n");
		skip();
	}
	for (size_t c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		struct test_env *te = te_new();
		struct replay r = { .te = te, .check_reads = !strcmp(cfgs[c], "a") };
		long n;

		snprintf(name, sizeof(name), "argv-%s.txt", cfgs[c]);
		te->opts.ram_mb =
		    (uint64_t)golden_argv_ram_mb(golden_path(p, sizeof(p), dir, name));
		assert_true(te->opts.ram_mb > 0);
		assert_non_null(te_add(te, "i440fx"));
		assert_non_null(te_add(te, "piix3"));
		n = golden_trace_cfg_ops(golden_path(p, sizeof(p), dir, "ioreq-a.trace.gz"),
					 replay_op, &r);
		assert_true(n > 0);
		assert_int_equal(r.bad, 0);
		assert_true(r.writes > 50);

		snprintf(name, sizeof(name), "pci-%s.log", cfgs[c]);
		for (unsigned devfn = 0; devfn <= 8; devfn += 8) {
			uint8_t want[256];

			assert_int_equal(
			    golden_pci_dump(golden_path(p, sizeof(p), dir, name), devfn, want), 0);
			for (unsigned reg = 0; reg < 256; reg++) {
				uint8_t got = (uint8_t)bus_pci_read(te->m.bus, devfn, reg, 1);

				if (golden_known_diff("qemu-xen", devfn, reg))
					continue;
				if (got != want[reg])
					fprintf(stderr,
						"%s 00:%02x.%x reg 0x%02x: golden 0x%02x hvmdm "
						"0x%02x\n",
						name, devfn >> 3, devfn & 7, reg, want[reg], got);
				assert_int_equal(got, want[reg]);
				compared++;
			}
		}
		if (r.check_reads)
			printf("ioreq-a: %u chipset config reads matched qemu-xen, %u writes "
			       "replayed\n",
			       r.reads, r.writes);
		te_remove_all(te);
		te_free(te);
	}
	printf("golden dumps: %u bytes compared\n", compared);
}

/*
 * The hello guest (hvmloader + SeaBIOS + a boot sector, -m 64): every
 * chipset config read qemu-xen answered, hvmdm answers the same.
 */
static void golden_hello_trace_reads(void **state)
{
	const char *dir = golden_dir();
	struct test_env *te;
	struct replay r;
	char p[4096];
	long n;

	(void)state;
	if (!dir)
		skip();
	te = te_new();
	r = (struct replay){ .te = te, .check_reads = true };
	te->opts.ram_mb =
	    (uint64_t)golden_argv_ram_mb(golden_path(p, sizeof(p), dir, "argv-hello.txt"));
	assert_int_equal(te->opts.ram_mb, 64);
	assert_non_null(te_add(te, "i440fx"));
	assert_non_null(te_add(te, "piix3"));
	n = golden_trace_cfg_ops(golden_path(p, sizeof(p), dir, "ioreq-hello.trace.gz"), replay_op,
				 &r);
	assert_true(n > 0);
	assert_int_equal(r.bad, 0);
	assert_true(r.reads > 20);
	printf("ioreq-hello: %u chipset config reads matched qemu-xen, %u writes replayed\n",
	       r.reads, r.writes);
	te_remove_all(te);
	te_free(te);
}

static void reset_clears_config_address(void **state)
{
	struct test_env *te = *state;
	struct dm_dev *host = te->m.devs;

	out(te, 0xcf8, 0x80000004, 4);
	out(te, 0xcfc, PCI_COMMAND_MASTER, 2);
	host->type->reset(host, RESET_SYSTEM);
	assert_int_equal(in(te, 0xcf8, 4), 0);
	assert_int_equal(bus_pci_read(te->m.bus, 0, PCI_COMMAND, 2), 0);
}

/*
 * Hostile guest: 200k random port accesses of every size to 0xcf8-0xcff
 * (deterministic xorshift). No crash, no sanitizer report, and what the
 * masks protect (IDs, class, header type, PIIX3 status) never changes.
 */
static void random_port_accesses(void **state)
{
	struct test_env *te = *state;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	static const unsigned sizes[] = { 1, 2, 4 };

	for (unsigned i = 0; i < 200000; i++) {
		unsigned port, size;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		port = 0xcf8 + (unsigned)(x & 7);
		size = sizes[(x >> 3) % 3];
		if ((x >> 8) & 1) {
			/* Keep to bus 0, devfn 0 or 8, so the chipset takes the writes. */
			uint32_t v = (uint32_t)(x >> 32);

			if (port == 0xcf8 && size == 4)
				v = 0x80000000u | (v & 0x8fc);
			out(te, (uint16_t)port, v, size);
		} else {
			(void)in(te, (uint16_t)port, size);
		}
	}
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x00, 4), 0x12378086);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x08, 4), 0x06000002);
	assert_int_equal(bus_pci_read(te->m.bus, 0, 0x0e, 1), 0x00);
	assert_int_equal(bus_pci_read(te->m.bus, 8, 0x00, 4), 0x70008086);
	assert_int_equal(bus_pci_read(te->m.bus, 8, 0x08, 4), 0x06010000);
	assert_int_equal(bus_pci_read(te->m.bus, 8, 0x0e, 1), 0x80);
	assert_int_equal(bus_pci_read(te->m.bus, 8, 0x06, 2), 0x0200);
	assert_int_equal(bus_pci_read(te->m.bus, 8, 0x2c, 4), 0x11001af4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reset_config_space, setup, teardown),
		cmocka_unit_test(ram_size_byte_caps),
		cmocka_unit_test_setup_teardown(config_address_port, setup, teardown),
		cmocka_unit_test_setup_teardown(config_data_port, setup, teardown),
		cmocka_unit_test_setup_teardown(config_address_low_bits_select_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(config_data_disabled_and_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(pci_config_ioreq_path_shares_port_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(qemu_qtest_transcript, setup, teardown),
		cmocka_unit_test(golden_dumps_match),
		cmocka_unit_test(golden_hello_trace_reads),
		cmocka_unit_test_setup_teardown(reset_clears_config_address, setup, teardown),
		cmocka_unit_test_setup_teardown(random_port_accesses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
