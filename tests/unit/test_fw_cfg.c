// SPDX-License-Identifier: GPL-2.0-only
/*
 * fw-cfg: QEMU's fw_cfg on ports 0x510/0x511 as qemu-xen has it for direct
 * kernel boot (QEMU docs/specs/fw_cfg.rst; the values qemu-xen gave in the
 * golden capture ioreq-a.trace), and the direct-boot layout of QEMU's
 * x86_load_linux (Documentation/x86/boot.rst header fields).
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
#include "hw/fw_cfg/fw_cfg.h"
#include "hw/fw_cfg/linux_boot.h"
#include "tests/unit/bzimage.h"
#include "tests/unit/dev_rig.h"

#define ROM_LEN 1024

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *dev;
	char kernel[32], initrd[32], rom[32];
	size_t kernel_len;
};

/* A machine of 240 MiB (golden a) with a fake ROM; kernel as spec, initrd of initrd_len (0: none).
 */
static int rig_build(struct rig *r, const struct bz_spec *spec, size_t initrd_len,
		     const char *append)
{
	char dev[96];

	memset(r, 0, sizeof(*r));
	dev_rig_init(&r->m, &r->o, MACHINE_XENFV, 240, 2, NULL, NULL);
	r->kernel_len = bz_write(r->kernel, spec);
	r->o.kernel = r->kernel;
	if (initrd_len) {
		blob_write(r->initrd, initrd_len, 0x5a);
		r->o.initrd = r->initrd;
	}
	r->o.append = append;
	r->o.nographic = true;
	blob_write(r->rom, ROM_LEN, 0xa5);
	snprintf(dev, sizeof(dev), "fw-cfg,rom=%s", r->rom);
	return dev_rig_add(&r->m, dev, &r->dev);
}

static void rig_free(struct rig *r)
{
	dev_rig_free(&r->m);
	unlink(r->kernel);
	unlink(r->rom);
	if (r->initrd[0])
		unlink(r->initrd);
}

static void sel(struct rig *r, uint16_t key)
{
	bus_write(r->m.bus, BUS_PIO, 0x510, key, 2);
}

static uint8_t rd8(struct rig *r)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, 0x511, 1);
}

/* n bytes of item key, one port read each. */
static void item(struct rig *r, uint16_t key, uint8_t *out, size_t n)
{
	sel(r, key);
	for (size_t i = 0; i < n; i++)
		out[i] = rd8(r);
}

static uint32_t item_le(struct rig *r, uint16_t key, unsigned bytes)
{
	uint8_t b[4] = { 0 };
	uint32_t v = 0;

	item(r, key, b, bytes);
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* fw_cfg.rst "Signature" / "Revision / feature bitmap": "QEMU", ID 1 (no DMA) as golden a. */
static void signature_and_id(void **state)
{
	struct bz_spec s = bz_modern(4096);
	struct rig r;
	uint8_t sig[4], uuid[16], zero[16] = { 0 };

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	item(&r, FW_CFG_SIGNATURE, sig, 4);
	assert_memory_equal(sig, "QEMU", 4);
	assert_int_equal(item_le(&r, FW_CFG_ID, 4), 1);
	item(&r, FW_CFG_UUID, uuid, 16);
	assert_memory_equal(uuid, zero, 16);
	assert_int_equal(item_le(&r, FW_CFG_NOGRAPHIC, 2), 1);
	assert_int_equal(item_le(&r, FW_CFG_NB_CPUS, 2), 2);
	assert_int_equal(item_le(&r, FW_CFG_BOOT_MENU, 2), 0);
	/* Items qemu-xen leaves unset read 0 (golden: RAM_SIZE, MAX_CPUS, arch 0x8000-0x8004). */
	assert_int_equal(item_le(&r, 0x03, 4), 0);
	assert_int_equal(item_le(&r, 0x0f, 2), 0);
	for (uint16_t k = 0x8000; k <= 0x8004; k++)
		assert_int_equal(item_le(&r, k, 4), 0);
	rig_free(&r);
}

/*
 * x86_load_linux for a protocol 2.15 kernel loaded high: setup at 0x10000,
 * command line at 0x20000, kernel at 1 MiB; initrd at the top of
 * initrd_addr_max capped below low RAM - ACPI data. With golden a's
 * 240 MiB and its initrd of 0x2444fc bytes qemu-xen put it at 0x0ed93000.
 */
static void linux_items(void **state)
{
	static const char cmd[] = "console=ttyS0 quiet rdinit=/init xen_emul_unplug=never";
	struct bz_spec s = bz_modern(70000);
	struct rig r;
	uint8_t *buf = malloc(0x2444fc);
	char cl[sizeof(cmd)];
	uint8_t setup[1536];

	(void)state;
	assert_non_null(buf);
	assert_int_equal(rig_build(&r, &s, 0x2444fc, cmd), 0);
	assert_int_equal(item_le(&r, FW_CFG_KERNEL_ADDR, 4), 0x100000);
	assert_int_equal(item_le(&r, FW_CFG_KERNEL_SIZE, 4), 70000);
	assert_int_equal(item_le(&r, FW_CFG_SETUP_ADDR, 4), 0x10000);
	assert_int_equal(item_le(&r, FW_CFG_SETUP_SIZE, 4), 1536);
	assert_int_equal(item_le(&r, FW_CFG_CMDLINE_ADDR, 4), 0x20000);
	assert_int_equal(item_le(&r, FW_CFG_CMDLINE_SIZE, 4), 0x37);
	item(&r, FW_CFG_CMDLINE_DATA, (uint8_t *)cl, sizeof(cl));
	assert_memory_equal(cl, cmd, sizeof(cmd));
	assert_int_equal(item_le(&r, FW_CFG_INITRD_ADDR, 4), 0x0ed93000);
	assert_int_equal(item_le(&r, FW_CFG_INITRD_SIZE, 4), 0x2444fc);
	item(&r, FW_CFG_INITRD_DATA, buf, 0x2444fc);
	for (uint32_t i = 0; i < 0x2444fc; i += 4099)
		assert_int_equal(buf[i], (uint8_t)(bz_pattern(i) ^ 0x5a));
	item(&r, FW_CFG_KERNEL_DATA, buf, 70000);
	for (uint32_t i = 0; i < 70000; i++)
		assert_int_equal(buf[i], bz_pattern(1536 + i));
	item(&r, FW_CFG_SETUP_DATA, setup, sizeof(setup));
	assert_memory_equal(setup, "MZ", 2);
	/* The loader fields (boot.rst): type_of_loader 0xb0, CAN_USE_HEAP, heap_end_ptr,
	 * cmd_line_ptr. */
	assert_int_equal(setup[0x210], 0xb0);
	assert_int_equal(setup[0x211], 0x81);
	assert_int_equal(setup[0x224] | setup[0x225] << 8, 0x20000 - 0x10000 - 0x200);
	assert_int_equal(setup[0x228] | setup[0x229] << 8 | setup[0x22a] << 16, 0x20000);
	assert_int_equal(setup[0x218] | setup[0x219] << 8 | setup[0x21a] << 16 |
			     (uint32_t)setup[0x21b] << 24,
			 0x0ed93000);
	assert_int_equal(setup[0x21c] | setup[0x21d] << 8 | setup[0x21e] << 16, 0x2444fc);
	/* The rest of the setup sectors are the file's. */
	for (uint32_t i = 0x240; i < sizeof(setup); i++)
		assert_int_equal(setup[i], bz_pattern(i));
	free(buf);
	rig_free(&r);
}

/* No -initrd: no initrd items; no -append: an empty command line of one NUL. */
static void no_initrd_no_append(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	assert_int_equal(item_le(&r, FW_CFG_INITRD_ADDR, 4), 0);
	assert_int_equal(item_le(&r, FW_CFG_INITRD_SIZE, 4), 0);
	assert_int_equal(item_le(&r, FW_CFG_INITRD_DATA, 4), 0);
	assert_int_equal(item_le(&r, FW_CFG_CMDLINE_SIZE, 4), 1);
	assert_int_equal(item_le(&r, FW_CFG_CMDLINE_DATA, 2), 0);
	rig_free(&r);
}

/* A kernel not loaded high (x86_load_linux's "low kernel"): setup at 0x90000, kernel at 64 KiB. */
static void low_kernel_layout(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;
	uint8_t setup[0x240];

	(void)state;
	s.loadflags = 0;
	assert_int_equal(rig_build(&r, &s, 0, "ab"), 0);
	assert_int_equal(item_le(&r, FW_CFG_SETUP_ADDR, 4), 0x90000);
	assert_int_equal(item_le(&r, FW_CFG_KERNEL_ADDR, 4), 0x10000);
	assert_int_equal(item_le(&r, FW_CFG_CMDLINE_ADDR, 4), 0x9a000 - 16);
	item(&r, FW_CFG_SETUP_DATA, setup, sizeof(setup));
	assert_int_equal(setup[0x211], 0x80);
	rig_free(&r);
}

/* vga=ext becomes vid_mode 0xfffe; a bad vga= is refused as QEMU refuses it. */
static void vga_parameter(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;
	uint8_t setup[0x1fc];

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, "quiet vga=ext"), 0);
	item(&r, FW_CFG_SETUP_DATA, setup, sizeof(setup));
	assert_int_equal(setup[0x1fa] | setup[0x1fb] << 8, 0xfffe);
	rig_free(&r);
	assert_int_equal(rig_build(&r, &s, 0, "vga=0x317"), 0);
	item(&r, FW_CFG_SETUP_DATA, setup, sizeof(setup));
	assert_int_equal(setup[0x1fa] | setup[0x1fb] << 8, 0x317);
	rig_free(&r);
	assert_int_equal(rig_build(&r, &s, 0, "vga=foo"), -EINVAL);
	rig_free(&r);
}

/* The file directory (fw_cfg.rst "File Directory"): big-endian, sorted by name, from 0x20. */
static void file_directory(void **state)
{
	static const struct {
		const char *name;
		uint32_t size;
	} want[] = {
		{ "bios-geometry", 0 },
		{ "bootorder", 27 },
		{ "etc/boot-fail-wait", 4 },
		{ "etc/system-states", 6 },
		{ "genroms/linuxboot.bin", ROM_LEN },
	};
	struct bz_spec s = bz_modern(600);
	struct rig r;
	uint8_t dir[4 + 5 * 64], buf[ROM_LEN];

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	item(&r, FW_CFG_FILE_DIR, dir, sizeof(dir));
	assert_int_equal(be32(dir), 5);
	for (unsigned i = 0; i < 5; i++) {
		const uint8_t *e = dir + 4 + 64 * i;

		assert_int_equal(be32(e), want[i].size);
		assert_int_equal(e[4] << 8 | e[5], 0x20 + i);
		assert_int_equal(e[6] | e[7], 0);
		assert_string_equal((const char *)e + 8, want[i].name);
	}
	item(&r, 0x21, buf, 27);
	assert_memory_equal(buf, "/rom@genroms/linuxboot.bin", 27);
	assert_int_equal(item_le(&r, 0x22, 4), 0xffffffff);
	item(&r, 0x23, buf, 6);
	assert_memory_equal(buf, "\x80\x00\x00\x81\x82\x80", 6);
	item(&r, 0x24, buf, ROM_LEN);
	for (uint32_t i = 0; i < ROM_LEN; i++)
		assert_int_equal(buf[i], (uint8_t)(bz_pattern(i) ^ 0xa5));
	assert_int_equal(item_le(&r, 0x25, 4), 0); /* first unused slot */
	rig_free(&r);
}

/*
 * Selector edge cases (fw_cfg.rst "Selector Register"): the write-channel
 * bit is masked off, keys past the file slots and empty arch-local keys
 * read 0, a new select rewinds, reads past an item's end are 0 and stay so.
 */
static void selector_edges(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;
	uint8_t b[8];

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	item(&r, FW_CFG_WRITE_CHANNEL | FW_CFG_SIGNATURE, b, 4);
	assert_memory_equal(b, "QEMU", 4);
	for (unsigned k = FW_CFG_MAX_ENTRY; k <= 0xffff; k += 0x3f) {
		if ((k & FW_CFG_ENTRY_MASK) < FW_CFG_MAX_ENTRY && !(k & FW_CFG_ARCH_LOCAL))
			continue;
		assert_int_equal(item_le(&r, (uint16_t)k, 4), 0);
	}
	assert_int_equal(item_le(&r, 0xffff, 4), 0);
	/* Past the end: the 4-byte ID then zeros, however long the guest reads. */
	item(&r, FW_CFG_ID, b, 8);
	assert_memory_equal(b, "\x01\x00\x00\x00\x00\x00\x00\x00", 8);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(rd8(&r), 0);
	/* Re-select rewinds. */
	sel(&r, FW_CFG_SIGNATURE);
	assert_int_equal(rd8(&r), 'Q');
	assert_int_equal(rd8(&r), 'E');
	sel(&r, FW_CFG_SIGNATURE);
	assert_int_equal(rd8(&r), 'Q');
	/* The data byte can be read at either port (QEMU's comb region takes byte reads at both).
	 */
	assert_int_equal(bus_read(r.m.bus, BUS_PIO, 0x510, 1), 'E');
	rig_free(&r);
}

/* Writes: data bytes are ignored (QEMU >= 2.4), a 16-bit read answers 0 and does not advance. */
static void writes_and_wide_reads(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	sel(&r, FW_CFG_SIGNATURE);
	bus_write(r.m.bus, BUS_PIO, 0x511, 0x41, 1);
	bus_write(r.m.bus, BUS_PIO, 0x510, 0x01, 1); /* a byte write to the selector: data */
	assert_int_equal(rd8(&r), 'Q');
	assert_int_equal(bus_read(r.m.bus, BUS_PIO, 0x510, 2), 0);
	assert_int_equal(rd8(&r), 'E');
	sel(&r, FW_CFG_SIGNATURE);
	assert_int_equal(rd8(&r), 'Q');
	rig_free(&r);
}

/* rep insb on 0x511 (bus_read_rep): the whole item in one call, zeros past its end. */
static void rep_insb(void **state)
{
	struct bz_spec s = bz_modern(5000);
	struct rig r;
	uint8_t a[6000], b[6000];

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	item(&r, FW_CFG_KERNEL_DATA, a, sizeof(a));
	memset(b, 0xee, sizeof(b));
	sel(&r, FW_CFG_KERNEL_DATA);
	assert_int_equal(bus_read_rep(r.m.bus, 0x511, 1, b, 100), 100);
	assert_int_equal(bus_read_rep(r.m.bus, 0x511, 1, b + 100, 5900), 5900);
	assert_memory_equal(a, b, sizeof(a));
	for (size_t i = 5000; i < sizeof(b); i++)
		assert_int_equal(b[i], 0);
	/* An invalid key: all zeros in bulk too. */
	sel(&r, 0x1234);
	memset(b, 0xee, 64);
	assert_int_equal(bus_read_rep(r.m.bus, 0x511, 1, b, 64), 64);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(b[i], 0);
	/* Word string reads are not bulk (the core does them one by one, each reads 0). */
	assert_int_equal(bus_read_rep(r.m.bus, 0x510, 2, b, 4), 0);
	rig_free(&r);
}

/* Reset selects the signature and rewinds (QEMU fw_cfg_reset). */
static void reset_and_state(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;

	(void)state;
	assert_int_equal(rig_build(&r, &s, 0, NULL), 0);
	assert_int_equal(rd8(&r), 'Q'); /* at creation the signature is selected too */
	sel(&r, FW_CFG_ID);
	r.dev->type->reset(r.dev, RESET_SYSTEM);
	assert_int_equal(rd8(&r), 'Q');
	rig_free(&r);
}

/* Bad input refused with an error, nothing mapped: no -kernel, a missing ROM. */
static void refused_setups(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct machine m;
	struct machine_opts o;
	char k[32];

	(void)state;
	dev_rig_init(&m, &o, MACHINE_XENFV, 240, 1, NULL, NULL);
	assert_int_equal(dev_rig_add(&m, "fw-cfg", NULL), -EINVAL);
	bz_write(k, &s);
	o.kernel = k;
	assert_int_equal(dev_rig_add(&m, "fw-cfg,rom=/nonexistent/linuxboot.bin", NULL), -ENOENT);
	assert_null(bus_find(m.bus, BUS_PIO, 0x510));
	dev_rig_free(&m);
	unlink(k);
}

static int load(const struct bz_spec *s, size_t initrd_len, char *err, size_t errlen)
{
	struct linux_boot lb;
	char k[32], i[32];
	int ret;

	bz_write(k, s);
	if (initrd_len)
		blob_write(i, initrd_len, 0);
	ret = linux_boot_load(&lb, k, initrd_len ? i : NULL, NULL, 240ull << 20, err, errlen);
	if (!ret)
		linux_boot_free(&lb);
	unlink(k);
	if (initrd_len)
		unlink(i);
	return ret;
}

/* The bzImage checks: HdrS, protocol >= 2.00, setup inside the file, initrd below its max. */
static void bad_kernels(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct linux_boot lb;
	char err[512], t[32];

	(void)state;
	s.truncate = 1000; /* less than the 3 * 512 setup bytes */
	assert_int_equal(load(&s, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "truncated bzImage"));
	s.truncate = 0x200; /* not even the header */
	assert_int_equal(load(&s, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a Linux bzImage"));
	s = bz_modern(600);
	s.version = 0x104;
	assert_int_equal(load(&s, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "boot protocol 1.04 is too old"));
	/* initrd_addr_max 1 MiB: an initrd of 1 MiB does not fit, one just below does. */
	s = bz_modern(600);
	s.initrd_max = 0xfffff;
	assert_int_equal(load(&s, 0x100000, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "-initrd"));
	assert_int_equal(load(&s, 0xff000, err, sizeof(err)), 0);
	/* A text file. */
	tmp_write(t, "#!/bin/sh\necho not a kernel\n", 28);
	assert_int_equal(linux_boot_load(&lb, t, NULL, NULL, 240ull << 20, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, t));
	unlink(t);
	assert_int_equal(linux_boot_load(&lb, "/nonexistent/vmlinuz", NULL, NULL, 240ull << 20, err,
					 sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/vmlinuz"));
}

/* XLF_CAN_BE_LOADED_ABOVE_4G with protocol >= 2.12: only low RAM - ACPI data bounds the initrd. */
static void initrd_above_4g_flag(void **state)
{
	struct bz_spec s = bz_modern(600);
	struct rig r;

	(void)state;
	s.version = 0x20c;
	s.xloadflags = 0x02;
	s.initrd_max = 0xfffff;
	assert_int_equal(rig_build(&r, &s, 0x100000, NULL), 0);
	assert_int_equal(item_le(&r, FW_CFG_INITRD_ADDR, 4),
			 ((0xf000000u - 0x28000u - 1) - 0x100000u) & ~4095u);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature_and_id),
		cmocka_unit_test(linux_items),
		cmocka_unit_test(no_initrd_no_append),
		cmocka_unit_test(low_kernel_layout),
		cmocka_unit_test(vga_parameter),
		cmocka_unit_test(file_directory),
		cmocka_unit_test(selector_edges),
		cmocka_unit_test(writes_and_wide_reads),
		cmocka_unit_test(rep_insb),
		cmocka_unit_test(reset_and_state),
		cmocka_unit_test(refused_setups),
		cmocka_unit_test(bad_kernels),
		cmocka_unit_test(initrd_above_4g_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
