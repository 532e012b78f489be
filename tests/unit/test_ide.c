// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 IDE: ATA (ATA/ATAPI-6), ATAPI (SFF-8020i/MMC-3), bus-master DMA
 * (82371SB datasheet §2.7, §3.4), through the bus as a guest drives it, on
 * real image files, with the block backend both synchronous (replay) and
 * asynchronous (completions on the loop thread). Byte-level parity with
 * QEMU is the differential suite's job (tests/suites/ide_diff.sh); these
 * tests pin semantics: IRQ and status bits, range checks, PRD bounds, data
 * integrity across PIO/DMA/the file, errors, media change, unplug, exit;
 * and REP INS/OUTS ioreqs through the data port's bulk string ops giving
 * exactly what word-by-word accesses give.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/block.h"
#include "dm/bus.h"
#include "dm/device.h"
#include "dm/ioreq.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/memory.h"
#include "hw/ide/ide.h"
#include "hw/pci/xen_platform.h"

#define DISK_SECTORS 4096u /* 2 MiB */
#define CD_SECTORS   2048u /* 1 MiB = 512 CD sectors */
#define BM	     0xc000
#define SBDF_IDE     0x0009 /* 00:01.1 */

struct rig {
	struct machine m;
	struct machine_opts o;
	struct flat_ram ram;
	bool irq[16];
	unsigned raises[16];
	char dir[64], disk[96], disk2[96], cd[96], cd2[96];
	bool async;
};

static void rig_isa_irq(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;

	if (level && !r->irq[irq])
		r->raises[irq]++;
	r->irq[irq] = level;
}

static const struct platform_ops rig_plat = { .isa_irq = rig_isa_irq };

/* Sector n of a pattern image: its number, then bytes derived from it. */
static void pattern(uint8_t *p, uint64_t n, uint8_t salt)
{
	memcpy(p, &n, 8);
	for (unsigned i = 8; i < 512; i++)
		p[i] = (uint8_t)(n * 7 + i + salt);
}

static void make_image(const char *path, unsigned sectors, uint8_t salt)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	uint8_t s[512];

	assert_true(fd >= 0);
	for (unsigned n = 0; n < sectors; n++) {
		pattern(s, n, salt);
		assert_int_equal(write(fd, s, 512), 512);
	}
	close(fd);
}

static void add(struct strlist *l, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(strlist_add(l, buf), 0);
}

static struct dm_dev *create(struct rig *r, const char *spec)
{
	struct dm_dev *d;
	char err[256];

	assert_int_equal(dev_parse(&r->m, spec, &d, err, sizeof(err)), 0);
	assert_int_equal(dev_realize(d), 0);
	return d;
}

/* Appended to the first disk's -drive (rerror=/werror= tests). */
static const char *disk0_extra = "";

/* Disk at index 0 and 1 (if two), CD-ROM at ide.1 unit 0 as libxl writes it. */
static struct rig *rig_new(bool async, bool two_disks, bool cd)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->async = async;
	blk_set_sync(!async);
	strcpy(r->dir, "/tmp/test_ide.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->disk, sizeof(r->disk), "%s/disk.img", r->dir);
	snprintf(r->disk2, sizeof(r->disk2), "%s/disk2.img", r->dir);
	snprintf(r->cd, sizeof(r->cd), "%s/cd.iso", r->dir);
	snprintf(r->cd2, sizeof(r->cd2), "%s/cd2.iso", r->dir);
	make_image(r->disk, DISK_SECTORS, 0);
	make_image(r->disk2, DISK_SECTORS, 0x40);
	make_image(r->cd, CD_SECTORS, 0x80);
	make_image(r->cd2, CD_SECTORS, 0xc0);
	r->m.bus = bus_new();
	r->m.loop = loop_new(!async);
	assert_non_null(r->m.bus);
	assert_non_null(r->m.loop);
	assert_int_equal(flat_ram_init(&r->ram, &r->m.mem, 64 << 20), 0);
	r->m.plat.ops = &rig_plat;
	r->m.plat.opaque = r;
	r->o.kind = MACHINE_PC;
	r->m.opts = &r->o;
	r->m.devs_tail = &r->m.devs;
	add(&r->o.drives, "file=%s,if=ide,index=0,media=disk,format=raw,cache=writeback%s", r->disk,
	    disk0_extra);
	if (two_disks)
		add(&r->o.drives, "file=%s,if=ide,index=1,media=disk,format=raw,cache=none",
		    r->disk2);
	if (cd)
		add(&r->o.drives, "if=none,readonly=on,id=ide-5632,file=%s,format=raw", r->cd);
	create(r, "piix3-ide");
	if (cd)
		create(r, "ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0");
	/* BAR4 at 0xc000, I/O and bus master on (as SeaBIOS leaves it). */
	bus_pci_write(r->m.bus, SBDF_IDE, 0x20, BM | 1, 4);
	bus_pci_write(r->m.bus, SBDF_IDE, 0x04, 0x0005, 2);
	return r;
}

/* Reverse creation order, as machine_teardown does. */
static void teardown(struct rig *r)
{
	while (r->m.devs) {
		struct dm_dev **pp = &r->m.devs, *d;

		while ((*pp)->next)
			pp = &(*pp)->next;
		d = *pp;
		*pp = NULL;
		dev_free(d);
	}
	r->m.devs_tail = &r->m.devs;
}

static void rig_free(struct rig *r)
{
	char cmd[160];

	teardown(r);
	flat_ram_fini(&r->ram);
	loop_free(r->m.loop);
	bus_free(r->m.bus);
	strlist_free(&r->o.drives);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	assert_int_equal(system(cmd), 0);
	blk_set_sync(false);
	free(r);
}

static uint8_t inb(struct rig *r, uint16_t port)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, port, 1);
}

static uint16_t inw(struct rig *r, uint16_t port)
{
	return (uint16_t)bus_read(r->m.bus, BUS_PIO, port, 2);
}

static void outb(struct rig *r, uint16_t port, uint8_t v)
{
	bus_write(r->m.bus, BUS_PIO, port, v, 1);
}

static void outw(struct rig *r, uint16_t port, uint16_t v)
{
	bus_write(r->m.bus, BUS_PIO, port, v, 2);
}

static void outl(struct rig *r, uint16_t port, uint32_t v)
{
	bus_write(r->m.bus, BUS_PIO, port, v, 4);
}

/* Run the loop until BSY (and DRQ, for DMA) clear: completions come on the loop thread. */
static uint8_t settle(struct rig *r, uint16_t ctl, uint8_t mask)
{
	uint8_t st = inb(r, ctl);

	for (int i = 0; i < 2000 && (st & mask); i++) {
		if (r->async)
			loop_iterate(r->m.loop, 10);
		st = inb(r, ctl);
	}
	return st;
}

/* LBA28 task file and command on the primary channel, master. */
static void ata_cmd(struct rig *r, uint8_t cmd, uint32_t lba, uint8_t count)
{
	outb(r, 0x1f6, (uint8_t)(0xe0 | ((lba >> 24) & 0x0f)));
	outb(r, 0x1f2, count);
	outb(r, 0x1f3, (uint8_t)lba);
	outb(r, 0x1f4, (uint8_t)(lba >> 8));
	outb(r, 0x1f5, (uint8_t)(lba >> 16));
	outb(r, 0x1f7, cmd);
}

static void ata_cmd48(struct rig *r, uint8_t cmd, uint64_t lba, uint16_t count)
{
	outb(r, 0x1f6, 0x40);
	outb(r, 0x1f2, (uint8_t)(count >> 8));
	outb(r, 0x1f2, (uint8_t)count);
	outb(r, 0x1f3, (uint8_t)(lba >> 24));
	outb(r, 0x1f3, (uint8_t)lba);
	outb(r, 0x1f4, (uint8_t)(lba >> 32));
	outb(r, 0x1f4, (uint8_t)(lba >> 8));
	outb(r, 0x1f5, (uint8_t)(lba >> 40));
	outb(r, 0x1f5, (uint8_t)(lba >> 16));
	outb(r, 0x1f7, cmd);
}

static void pio_in(struct rig *r, uint16_t port, uint8_t *buf, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i += 2) {
		uint16_t w = inw(r, port);

		memcpy(buf + i, &w, 2);
	}
}

static void pio_out(struct rig *r, uint16_t port, const uint8_t *buf, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i += 2) {
		uint16_t w;

		memcpy(&w, buf + i, 2);
		outw(r, port, w);
	}
}

static void prd(struct rig *r, uint64_t at, uint32_t addr, uint32_t len, bool last)
{
	uint32_t e[2] = { addr, (len & 0xffff) | (last ? 0x80000000u : 0) };

	assert_int_equal(gm_write(&r->m.mem, at, e, 8), 0);
}

static uint8_t *ram(struct rig *r, uint64_t gpa, uint64_t len)
{
	uint8_t *p = flat_ram_ptr(&r->ram, gpa, len);

	assert_non_null(p);
	return p;
}

/* ------------------------------------------------------------ ATA */

/* ATA/ATAPI-6 §8.15: IDENTIFY DEVICE words; §5.2.9 INTRQ; §7.15 status read clears it. */
static void identify_and_irq(void **state)
{
	struct rig *r = rig_new(false, false, false);
	uint16_t id[256];
	char model[41];

	(void)state;
	assert_int_equal(inb(r, 0x1f7), 0x50);
	ata_cmd(r, 0xec, 0, 0);
	assert_true(r->irq[14]);
	assert_int_equal(inb(r, 0x3f6), 0x58); /* alternate status leaves INTRQ alone */
	assert_true(r->irq[14]);
	assert_int_equal(inb(r, 0x1f7), 0x58);
	assert_false(r->irq[14]);
	pio_in(r, 0x1f0, (uint8_t *)id, 512);
	assert_int_equal(inb(r, 0x1f7), 0x50);
	assert_int_equal(id[0], 0x0040);
	assert_int_equal(id[1], 4); /* QEMU's guess: 4096 / (16 * 63) cylinders, 16 heads, 63 */
	assert_int_equal(id[3], 16);
	assert_int_equal(id[6], 63);
	for (int i = 0; i < 20; i++)
		model[i] = (char)(id[27 + i / 2] >> (i & 1 ? 0 : 8));
	model[20] = 0;
	assert_string_equal(model, "QEMU HARDDISK       ");
	assert_int_equal(id[10] >> 8, 'Q');
	assert_int_equal(id[13] >> 8, '1'); /* "QM00001" */
	assert_int_equal(id[23], ('2' << 8) | '.');
	assert_int_equal(id[60] | id[61] << 16, DISK_SECTORS);
	assert_int_equal(id[100], DISK_SECTORS);
	assert_int_equal(id[83] & (1 << 10), 1 << 10); /* LBA48 */
	assert_int_equal(id[85] & (1 << 5), 1 << 5);   /* write cache on (cache=writeback) */
	/* The BM status latches the interrupt (datasheet §2.7.2). */
	assert_int_equal(inb(r, BM + 2) & 0x04, 0x04);
	rig_free(r);
}

/* §7.8: nIEN masks INTRQ; the BM interrupt bit follows the line. */
static void nien_masks_interrupt(void **state)
{
	struct rig *r = rig_new(false, false, false);

	(void)state;
	outb(r, 0x3f6, 0x02);
	ata_cmd(r, 0xe5, 0, 0);
	assert_false(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x04, 0);
	assert_int_equal(inb(r, 0x1f2), 0xff); /* CHECK POWER MODE: active */
	outb(r, 0x3f6, 0x00);
	ata_cmd(r, 0xe5, 0, 0);
	assert_true(r->irq[14]);
	rig_free(r);
}

/* §8 table 10 / §6.2: LBA28 and LBA48 ranges checked against the image (ABRT past the end). */
static void lba_range_checks(void **state)
{
	struct rig *r = rig_new(false, false, false);
	uint8_t buf[512], want[512];

	(void)state;
	ata_cmd48(r, 0x24, DISK_SECTORS - 1, 1);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x58);
	pio_in(r, 0x1f0, buf, 512);
	pattern(want, DISK_SECTORS - 1, 0);
	assert_memory_equal(buf, want, 512);
	ata_cmd48(r, 0x24, DISK_SECTORS - 1, 2); /* second sector is past the end */
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x58);
	pio_in(r, 0x1f0, buf, 512);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x41);
	assert_int_equal(inb(r, 0x1f1), 0x04);
	ata_cmd48(r, 0x24, 0x123456789abull, 1);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x41);
	ata_cmd(r, 0x20, 0x0fffffff, 1);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x41);
	/* CHS sector 0 does not exist (§6.2.1). */
	outb(r, 0x1f6, 0xa0);
	outb(r, 0x1f2, 1);
	outb(r, 0x1f3, 0);
	outb(r, 0x1f7, 0x20);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x41);
	/* CHS c0 h1 s1 is sector 63. */
	outb(r, 0x1f6, 0xa1);
	outb(r, 0x1f2, 1);
	outb(r, 0x1f3, 1);
	outb(r, 0x1f4, 0);
	outb(r, 0x1f5, 0);
	outb(r, 0x1f7, 0x20);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x58);
	pio_in(r, 0x1f0, buf, 512);
	pattern(want, 63, 0);
	assert_memory_equal(buf, want, 512);
	rig_free(r);
}

/* §8 (Table B.2): an opcode outside the command table aborts with ABRT and INTRQ. */
static void unknown_opcode_aborts(void **state)
{
	struct rig *r = rig_new(false, false, false);
	static const uint8_t bad[] = { 0x00, 0x01, 0x50, 0x87, 0xa0, 0xa1, 0xee, 0xff };

	(void)state;
	for (size_t i = 0; i < sizeof(bad); i++) {
		r->irq[14] = false;
		outb(r, 0x1f7, bad[i]);
		assert_int_equal(inb(r, 0x3f6), 0x41);
		assert_int_equal(inb(r, 0x1f1), 0x04);
		assert_true(r->irq[14]);
		inb(r, 0x1f7);
	}
	rig_free(r);
}

/*
 * EXECUTE DEVICE DIAGNOSTIC addressed to device 1 (ATA/ATAPI-6 §8.11: the
 * Device register's DEV bit is cleared), as QEMU 7.2's cmd_exec_dev_diagnostic
 * and its ide-test /x86_64/ide/diagnostic: the device register then reads 0xa0.
 */
static void diagnostic_clears_dev(void **state)
{
	struct rig *r = rig_new(false, true, false);

	(void)state;
	outb(r, 0x1f6, 0xf5); /* DEV=1, LBA, head 5 */
	outb(r, 0x1f7, 0x90);
	assert_int_equal(inb(r, 0x1f6), 0xa0);
	assert_int_equal(inb(r, 0x1f1), 0x01); /* device 0 passed, device 1 passed */
	assert_int_equal(inb(r, 0x1f7), 0x50); /* DRDY | DSC */
	rig_free(r);
}

/* ------------------------------------------------------------ DMA and data integrity */

static void dma_start(struct rig *r, uint32_t table, bool to_memory)
{
	outl(r, BM + 4, table);
	outb(r, BM + 2, 0x06);
	outb(r, BM, (uint8_t)(0x01 | (to_memory ? 0x08 : 0)));
}

static void dma_stop(struct rig *r)
{
	outb(r, BM, 0x00);
	outb(r, BM + 2, 0x06);
	inb(r, 0x1f7);
}

static void check_file(struct rig *r, const char *path, uint64_t lba, const uint8_t *want,
		       size_t len)
{
	uint8_t *got = malloc(len);
	int fd = open(path, O_RDONLY);

	(void)r;
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, got, len, (off_t)lba * 512), (ssize_t)len);
	assert_memory_equal(got, want, len);
	close(fd);
	free(got);
}

/* Patterns written by PIO and by DMA read back through both and through the image file. */
static void integrity(bool async)
{
	struct rig *r = rig_new(async, false, false);
	uint8_t a[8 * 512], b[8 * 512], got[8 * 512];

	for (unsigned i = 0; i < sizeof(a); i++) {
		a[i] = (uint8_t)(i * 13 + 1);
		b[i] = (uint8_t)(i * 29 + 7);
	}
	/* WRITE MULTIPLE (16-sector blocks) of 8 sectors at LBA 100. */
	ata_cmd(r, 0xc5, 100, 8);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x58);
	pio_out(r, 0x1f0, a, sizeof(a));
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x50);
	/* READ DMA into RAM through two PRDs, the second starting in the next page. */
	prd(r, 0x10000, 0x200f00, 0x100, false);
	prd(r, 0x10008, 0x201000, sizeof(a) - 0x100, true);
	ata_cmd(r, 0xc8, 100, 8);
	dma_start(r, 0x10000, true);
	assert_int_equal(settle(r, 0x3f6, 0x88), 0x50);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04);
	assert_memory_equal(ram(r, 0x200f00, sizeof(a)), a, sizeof(a));
	assert_true(flat_ram_test_dirty(&r->ram, 0x201000));
	dma_stop(r);
	/* WRITE DMA of b at LBA 200, READ SECTORS back, and the file. */
	memcpy(ram(r, 0x300000, sizeof(b)), b, sizeof(b));
	prd(r, 0x10000, 0x300000, sizeof(b), true);
	ata_cmd(r, 0xca, 200, 8);
	dma_start(r, 0x10000, false);
	assert_int_equal(settle(r, 0x3f6, 0x88), 0x50);
	dma_stop(r);
	ata_cmd(r, 0x20, 200, 8);
	for (unsigned s = 0; s < 8; s++) {
		assert_int_equal(settle(r, 0x3f6, 0x80), 0x58);
		pio_in(r, 0x1f0, got + s * 512, 512);
	}
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x50);
	assert_memory_equal(got, b, sizeof(b));
	/* FLUSH CACHE makes it durable; the file has both patterns. */
	outb(r, 0x1f7, 0xe7);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x50);
	check_file(r, r->disk, 100, a, sizeof(a));
	check_file(r, r->disk, 200, b, sizeof(b));
	rig_free(r);
}

static void integrity_sync(void **state)
{
	(void)state;
	integrity(false);
}

static void integrity_async(void **state)
{
	(void)state;
	integrity(true);
}

/* One REP INSW ioreq (data_is_ptr) moves a whole 8-sector DRQ block into guest memory. */
static void rep_insw_block(void **state)
{
	struct rig *r = rig_new(false, false, false);
	struct ioreq_ctx io = { .bus = r->m.bus, .mem = &r->m.mem };
	struct dm_ioreq req = { .addr = 0x1f0,
				.data = 0x400000,
				.count = 2048,
				.size = 2,
				.type = DM_IOREQ_PIO,
				.dir = DM_IOREQ_READ,
				.data_is_ptr = true };
	uint8_t want[512];

	(void)state;
	outb(r, 0x1f2, 8);
	outb(r, 0x1f7, 0xc6); /* SET MULTIPLE MODE 8 */
	ata_cmd(r, 0xc4, 16, 8);
	assert_int_equal(ioreq_handle(&io, &req), 0);
	for (unsigned s = 0; s < 8; s++) {
		pattern(want, 16 + s, 0);
		assert_memory_equal(ram(r, 0x400000 + s * 512, 512), want, 512);
	}
	assert_int_equal(inb(r, 0x3f6), 0x50);
	rig_free(r);
}

/* §3.4: a zero byte count is 64 KiB; Active clears at the end of a table that fits exactly. */
static void prd_zero_length_is_64k(void **state)
{
	struct rig *r = rig_new(false, false, false);
	uint8_t want[512];

	(void)state;
	prd(r, 0x10000, 0x500000, 0, true);
	ata_cmd(r, 0xc8, 0, 128);
	dma_start(r, 0x10000, true);
	assert_int_equal(inb(r, 0x3f6), 0x50);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04);
	pattern(want, 127, 0);
	assert_memory_equal(ram(r, 0x500000 + 127 * 512, 512), want, 512);
	rig_free(r);
}

/* A PRD table without an end: the walk stops after one page (512 entries); too short -> no IRQ. */
static void prd_endless_table_bounded(void **state)
{
	struct rig *r = rig_new(false, false, false);

	(void)state;
	for (unsigned i = 0; i < 2048; i++) /* 16 KiB of 2-byte entries, none marked last */
		prd(r, 0x20000 + i * 8, 0x600000 + i * 2, 2, false);
	ata_cmd(r, 0xc8, 0, 4); /* 2048 bytes needed, the first 512 entries describe 1024 */
	r->irq[14] = false;
	dma_start(r, 0x20000, true);
	assert_int_equal(inb(r, 0x3f6), 0x50);
	assert_false(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x00);
	/* Exactly 1024 bytes fit: completes, Active clear. */
	dma_stop(r);
	ata_cmd(r, 0xc8, 0, 2);
	dma_start(r, 0x20000, true);
	assert_int_equal(inb(r, 0x3f6), 0x50);
	assert_true(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04);
	rig_free(r);
}

/* PRDs longer than the transfer: Active stays set with the interrupt (§3.4.3). */
static void prd_longer_keeps_active(void **state)
{
	struct rig *r = rig_new(false, false, false);

	(void)state;
	prd(r, 0x10000, 0x500000, 4096, true);
	ata_cmd(r, 0xc8, 0, 1);
	dma_start(r, 0x10000, true);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x05);
	/* A table outside guest memory ends at once: short, no interrupt. */
	dma_stop(r);
	r->irq[14] = false;
	ata_cmd(r, 0xc8, 0, 1);
	dma_start(r, 0xfffff000u, true);
	assert_false(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x00);
	rig_free(r);
}

/* A failed backend read becomes ABRT (PIO) and an aborted DMA with the interrupt. */
static void io_error_becomes_abort(void **state)
{
	struct rig *r = rig_new(false, false, false);

	(void)state;
	assert_int_equal(truncate(r->disk, 512 * 10), 0);
	ata_cmd(r, 0x20, 100, 1);
	assert_int_equal(settle(r, 0x3f6, 0x80), 0x41);
	assert_int_equal(inb(r, 0x1f1), 0x04);
	prd(r, 0x10000, 0x500000, 512, true);
	r->irq[14] = false;
	ata_cmd(r, 0xc8, 200, 1);
	dma_start(r, 0x10000, true);
	assert_int_equal(inb(r, 0x3f6), 0x41);
	assert_true(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04);
	rig_free(r);
}

/* ACS-2 §7.10 DATA SET MANAGEMENT takes its block count from the low byte only, as QEMU's
 * cmd_data_set_management (no LBA48 transform): the 01h the reset signature left in the
 * HOB copy must not turn a 1-block TRIM into 257 blocks (which a 512-byte PRD cannot hold). */
/*
 * rerror=stop / werror=stop (QEMU 7.2 ide_handle_rw_error, ide_restart_bh):
 * a failed read stops the guest in "io-error" with the drive busy, and the
 * same request is redone when it runs again. The image shrinks under the
 * drive so that the backend read fails (as io_error_becomes_abort).
 */
static void rerror_stop_redoes_on_cont(void **state)
{
	struct rig *r;
	uint8_t buf[512], want[512];

	(void)state;
	disk0_extra = ",rerror=stop,werror=stop";
	r = rig_new(false, false, false);
	disk0_extra = "";
	r->m.rs.state = RUN_RUNNING;
	assert_int_equal(truncate(r->disk, 512 * 10), 0);
	ata_cmd(r, 0x20, 100, 1); /* READ SECTORS */
	assert_int_equal(r->m.rs.state, RUN_IO_ERROR);
	assert_int_equal(inb(r, 0x3f6) & 0x80, 0x80); /* BSY until cont */
	make_image(r->disk, DISK_SECTORS, 0);	      /* the medium is back */
	runstate_set(&r->m.rs, RUN_RUNNING);
	loop_run_deferred(r->m.loop);
	assert_int_equal(inb(r, 0x3f6), 0x58); /* DRQ: the read was redone */
	pio_in(r, 0x1f0, buf, 512);
	pattern(want, 100, 0); /* sector 100 of the image */
	assert_memory_equal(buf, want, 512);
	/* DMA: the same, the PRD table walked again from its start */
	assert_int_equal(truncate(r->disk, 512 * 10), 0);
	prd(r, 0x10000, 0x500000, 512, true);
	ata_cmd(r, 0xc8, 200, 1); /* READ DMA */
	dma_start(r, 0x10000, true);
	assert_int_equal(r->m.rs.state, RUN_IO_ERROR);
	assert_int_equal(inb(r, BM + 2) & 0x01, 0x01); /* still active */
	make_image(r->disk, DISK_SECTORS, 0);
	runstate_set(&r->m.rs, RUN_RUNNING);
	loop_run_deferred(r->m.loop);
	assert_int_equal(inb(r, 0x3f6), 0x50);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04); /* done, interrupt */
	rig_free(r);
}

/* rerror=ignore: the failed read completes as if it had succeeded (QEMU: no error, DRQ). */
static void rerror_ignore_completes(void **state)
{
	struct rig *r;

	(void)state;
	disk0_extra = ",rerror=ignore";
	r = rig_new(false, false, false);
	disk0_extra = "";
	r->m.rs.state = RUN_RUNNING;
	assert_int_equal(truncate(r->disk, 512 * 10), 0);
	ata_cmd(r, 0x20, 100, 1);
	assert_int_equal(inb(r, 0x3f6), 0x58);
	assert_int_equal(r->m.rs.state, RUN_RUNNING);
	rig_free(r);
}

static void trim_count_is_low_byte(void **state)
{
	struct rig *r = rig_new(false, false, false);
	uint64_t range = 5 | (uint64_t)1 << 48; /* LBA 5, one sector */

	(void)state;
	memset(ram(r, 0x500000, 512), 0, 512);
	memcpy(ram(r, 0x500000, 8), &range, 8);
	prd(r, 0x10000, 0x500000, 512, true);
	r->irq[14] = false;
	outb(r, 0x1f1, 0x01); /* feature: TRIM */
	ata_cmd(r, 0x06, 0, 1);
	dma_start(r, 0x10000, false);
	assert_int_equal(settle(r, 0x3f6, 0x88), 0x50);
	assert_int_equal(inb(r, 0x1f1), 0x00);
	assert_true(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04);
	dma_stop(r);
	/* A zero count ends before the PRD walk (QEMU ide_dma_cb): Active clears, 512 left. */
	r->irq[14] = false;
	ata_cmd(r, 0x06, 0, 0);
	dma_start(r, 0x10000, false);
	assert_int_equal(settle(r, 0x3f6, 0x88), 0x50);
	assert_true(r->irq[14]);
	assert_int_equal(inb(r, BM + 2) & 0x07, 0x04);
	rig_free(r);
}

/* Orderly exit: writes in flight are completed and flushed before the image is closed. */
static void exit_loses_nothing(void **state)
{
	struct rig *r = rig_new(true, false, false);
	uint8_t a[4096];
	char path[96];

	(void)state;
	memset(a, 0x77, sizeof(a));
	memcpy(ram(r, 0x300000, sizeof(a)), a, sizeof(a));
	prd(r, 0x10000, 0x300000, sizeof(a), true);
	ata_cmd(r, 0xca, 300, 8);
	dma_start(r, 0x10000, false);
	strcpy(path, r->disk);
	teardown(r); /* no loop iteration in between */
	check_file(r, path, 300, a, sizeof(a));
	rig_free(r);
}

/* The function's config space as qemu-xen shows it (qemu-xen-golden/lspci-vvv-a.txt 00:01.1). */
static void config_space_matches_golden(void **state)
{
	static const uint8_t reset_hdr[16] = { 0x86, 0x80, 0x10, 0x70, 0x00, 0x00, 0x80, 0x02,
					       0x00, 0x80, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t golden[0x48] = {
		[0x00] = 0x86, 0x80, 0x10,	    0x70, 0x05,		 0x00, 0x80,	      0x02,
		0x00,	       0x80, 0x01,	    0x01, [0x20] = 0x21, 0xc2, [0x2c] = 0xf4, 0x1a,
		0x00,	       0x11, [0x40] = 0x07, 0xe3, 0x03,		 0xe3,
	};
	struct rig *r = rig_new(false, false, false);

	(void)state;
	bus_pci_write(r->m.bus, SBDF_IDE, 0x04, 0, 2);
	bus_pci_write(r->m.bus, SBDF_IDE, 0x20, 0, 4);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, i, 1), reset_hdr[i]);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x20, 4), 0x00000001);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x3d, 1), 0); /* no INTx pin */
	/* BAR4 is 16 bytes of I/O (PIIX3 §2.7, lspci "Region 4: I/O ports at c220"). */
	bus_pci_write(r->m.bus, SBDF_IDE, 0x20, 0xffffffff, 4);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x20, 4), 0xfffffff1);
	/* What SeaBIOS and Linux's ata_piix write, then the dump qemu-xen gave. */
	bus_pci_write(r->m.bus, SBDF_IDE, 0x20, 0xc220, 4);
	bus_pci_write(r->m.bus, SBDF_IDE, 0x04, 0x0005, 2);
	bus_pci_write(r->m.bus, SBDF_IDE, 0x40, 0xe307, 2);
	bus_pci_write(r->m.bus, SBDF_IDE, 0x42, 0xe303, 2);
	for (unsigned i = 0; i < sizeof(golden); i++)
		assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, i, 1), golden[i]);
	assert_int_equal(inb(r, 0xc222), 0x00); /* BMISx of channel 0 at the new address */
	assert_int_equal(inb(r, 0xc22a), 0x00);
	rig_free(r);
}

/* ------------------------------------------------------------ ATAPI */

static void packet(struct rig *r, const uint8_t *p, uint16_t bcl)
{
	outb(r, 0x176, 0xa0);
	outb(r, 0x171, 0);
	outb(r, 0x174, (uint8_t)bcl);
	outb(r, 0x175, (uint8_t)(bcl >> 8));
	outb(r, 0x177, 0xa0);
	assert_int_equal(inb(r, 0x376), 0x58);
	assert_int_equal(inb(r, 0x172), 0x01); /* C/D = 1: waiting for the packet */
	pio_out(r, 0x170, p, 12);
}

/* TEST UNIT READY; returns the sense key in the Error register's high nibble (§9.8). */
static uint8_t tur(struct rig *r)
{
	static const uint8_t p[12] = { 0x00 };

	packet(r, p, 0);
	settle(r, 0x376, 0x80);
	return (uint8_t)(inb(r, 0x171) >> 4);
}

static void request_sense(struct rig *r, uint8_t *key, uint8_t *asc)
{
	static const uint8_t p[12] = { 0x03, 0, 0, 0, 18 };
	uint8_t s[18];

	packet(r, p, 18);
	assert_int_equal(settle(r, 0x376, 0x80), 0x58);
	assert_int_equal(inb(r, 0x174), 18);
	pio_in(r, 0x170, s, 18);
	*key = s[2];
	*asc = s[12];
}

/* INQUIRY with EVPD set; returns the byte count the drive transferred (0 on CHECK CONDITION). */
static unsigned inquiry_vpd(struct rig *r, uint8_t page, uint8_t alloc, uint8_t *out)
{
	const uint8_t p[12] = { 0x12, 0x01, page, 0, alloc };
	unsigned n;

	packet(r, p, 0xfffe);
	if (settle(r, 0x376, 0x80) != 0x58)
		return 0;
	n = inb(r, 0x174) | (unsigned)inb(r, 0x175) << 8;
	pio_in(r, 0x170, out, n);
	assert_int_equal(settle(r, 0x376, 0x80), 0x50);
	return n;
}

/*
 * SPC-3 §7.6 VPD pages as QEMU 7.2's ATAPI cmd_inquiry answers them: page 00h lists 00h and
 * 83h; page 83h (§7.6.3) carries the serial (ASCII, vendor specific) and, when 100 bytes fit,
 * "ATA" + model + serial (T10 vendor id); under 28 bytes it is ILLEGAL REQUEST / DATA PHASE
 * ERROR (4Bh), and every other page ILLEGAL REQUEST / INVALID FIELD IN CDB (24h).
 */
static void inquiry_evpd_pages(void **state)
{
	struct rig *r = rig_new(false, false, true);
	static const uint8_t page0[] = { 0x05, 0x00, 0x00, 0x02, 0x00, 0x83 };
	static const char serial[] = "QM00003             ";
	static const char t10[] =
	    "ATA     QEMU DVD-ROM                            QM00003             ";
	uint8_t b[256], key, asc;

	(void)state;
	assert_int_equal(inquiry_vpd(r, 0x00, 255, b), sizeof(page0));
	assert_memory_equal(b, page0, sizeof(page0));
	assert_int_equal(inquiry_vpd(r, 0x00, 4, b), 4); /* cut to the allocation length */
	assert_memory_equal(b, page0, 4);

	assert_int_equal(inquiry_vpd(r, 0x83, 255, b), 100);
	assert_memory_equal(b, ((const uint8_t[]){ 0x05, 0x83, 0x00, 96, 0x02, 0x00, 0x00, 20 }),
			    8);
	assert_memory_equal(b + 8, serial, 20);
	assert_memory_equal(b + 28, ((const uint8_t[]){ 0x02, 0x01, 0x00, 68 }), 4);
	assert_memory_equal(b + 32, t10, 68);
	/* Room for the first descriptor only: the second is left out, not cut. */
	assert_int_equal(inquiry_vpd(r, 0x83, 99, b), 28);
	assert_int_equal(b[3], 24);
	assert_int_equal(inquiry_vpd(r, 0x83, 28, b), 28);

	assert_int_equal(inquiry_vpd(r, 0x83, 27, b), 0);
	assert_int_equal(inb(r, 0x171) >> 4, 5);
	request_sense(r, &key, &asc);
	assert_int_equal(key, 5);
	assert_int_equal(asc, 0x4b);
	static const uint8_t unsupported[] = { 0x80, 0x01, 0xb0, 0xff };
	for (size_t i = 0; i < sizeof(unsupported); i++) {
		assert_int_equal(inquiry_vpd(r, unsupported[i], 255, b), 0);
		request_sense(r, &key, &asc);
		assert_int_equal(key, 5);
		assert_int_equal(asc, 0x24);
	}
	/* Without EVPD the standard data, whatever the page byte says. */
	{
		const uint8_t p[12] = { 0x12, 0x00, 0x83, 0, 36 };

		packet(r, p, 36);
		assert_int_equal(settle(r, 0x376, 0x80), 0x58);
		pio_in(r, 0x170, b, 36);
		assert_int_equal(b[0], 0x05);
		assert_int_equal(b[4], 31);
		assert_memory_equal(b + 8, "QEMU    QEMU DVD-ROM    ", 24);
	}
	rig_free(r);
}

/* MMC-5 §4.1.6.1: eject -> NOT READY/3A; new medium -> NOT READY once, then UNIT ATTENTION/28. */
static void media_change_sequence(void **state)
{
	struct rig *r = rig_new(false, false, true);
	struct dm_error e;
	struct blk *b;
	uint8_t key, asc;
	char err[128];

	(void)state;
	assert_int_equal(tur(r), 0);
	assert_int_equal(ide_eject(&r->m, "ide-5632", false, &e), 0);
	assert_true(r->irq[15]);
	assert_int_equal(tur(r), 2);
	request_sense(r, &key, &asc);
	assert_int_equal(key, 2);
	assert_int_equal(asc, 0x3a);
	b = blk_open(r->m.loop, r->cd2, true, BLK_CACHE_WRITEBACK, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(ide_change_medium(&r->m, "ide-5632", b, r->cd2, &e), 0);
	assert_int_equal(tur(r), 2);
	assert_int_equal(tur(r), 6);
	request_sense(r, &key, &asc);
	assert_int_equal(key, 6);
	assert_int_equal(asc, 0x28);
	assert_int_equal(tur(r), 0);
	/* PREVENT MEDIUM REMOVAL: eject refused unless forced. */
	{
		static const uint8_t prevent[12] = { 0x1e, 0, 0, 0, 1 };

		packet(r, prevent, 0);
		settle(r, 0x376, 0x80);
	}
	assert_int_equal(ide_eject(&r->m, "ide-5632", false, &e), -1);
	assert_string_equal(e.cls, "GenericError");
	assert_non_null(strstr(e.desc, "is locked"));
	assert_int_equal(ide_eject(&r->m, "ide-5632", true, &e), 0);
	assert_int_equal(ide_eject(&r->m, "nope", false, &e), -1);
	assert_string_equal(e.cls, "DeviceNotFound");
	assert_int_equal(ide_eject(&r->m, "ide0-hd0", false, &e), -1);
	assert_non_null(strstr(e.desc, "not removable"));
	rig_free(r);
}

/* §9.9: a READ(10) split into elementary transfers of the byte count limit (odd -> even). */
static void atapi_byte_count_limit(void **state)
{
	struct rig *r = rig_new(false, false, true);
	static const uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 2, 0, 0, 1 };
	uint8_t buf[2048], want[512];
	unsigned got = 0;

	(void)state;
	tur(r);
	packet(r, rd, 1001);
	while (got < sizeof(buf)) {
		unsigned n;

		assert_int_equal(settle(r, 0x376, 0x80), 0x58);
		assert_int_equal(inb(r, 0x172), 0x02); /* I/O = 1: data to the host */
		n = inb(r, 0x174) | inb(r, 0x175) << 8;
		assert_true(n == 1000 || n == 48);
		pio_in(r, 0x170, buf + got, n);
		got += n;
	}
	assert_int_equal(settle(r, 0x376, 0x80), 0x50);
	assert_int_equal(inb(r, 0x172), 0x03);
	pattern(want, 8, 0x80); /* CD sector 2 = 512-byte sector 8 */
	assert_memory_equal(buf, want, 512);
	rig_free(r);
}

/* PACKET DMA (Features bit 0): READ(10) of the whole medium in 64-sector chunks, then READ CD
 * of 2352-byte raw sectors (sync header, MSF, mode 1: MMC-3 §6.1.15) one chunk per sector. */
static void atapi_dma_reads(void **state)
{
	struct rig *r = rig_new(false, false, true);
	static const uint8_t rd10[12] = { 0x28, 0, 0, 0, 0, 0, 0, 0x02, 0x00 }; /* 512 sectors */
	static const uint8_t rdcd[12] = { 0xbe, 0, 0, 0, 0, 5, 0, 0x01, 0x00, 0xf8 }; /* 256 raw */
	uint8_t want[512];

	(void)state;
	tur(r);
	for (unsigned i = 0; i < 16; i++) /* 1 MiB in 64 KiB PRDs (zero count = 64 KiB) */
		prd(r, 0x10000 + i * 8, 0x800000 + i * 0x10000, 0, i == 15);
	outl(r, BM + 8 + 4, 0x10000);
	outb(r, 0x176, 0xa0);
	outb(r, 0x171, 0x01);
	outb(r, 0x177, 0xa0);
	pio_out(r, 0x170, rd10, 12);
	outb(r, BM + 8, 0x09);
	assert_int_equal(settle(r, 0x376, 0x88), 0x50);
	assert_int_equal(inb(r, 0x172), 0x03);
	assert_int_equal(inb(r, BM + 10) & 0x07, 0x04);
	for (unsigned n = 0; n < CD_SECTORS; n += 97) {
		pattern(want, n, 0x80);
		assert_memory_equal(ram(r, 0x800000 + n * 512, 512), want, 512);
	}
	outb(r, BM + 8, 0x00);
	outb(r, BM + 10, 0x06);
	for (unsigned i = 0; i < 16; i++)
		prd(r, 0x10000 + i * 8, 0x800000 + i * 0x10000, 0, i == 15);
	outb(r, 0x171, 0x01);
	outb(r, 0x177, 0xa0);
	pio_out(r, 0x170, rdcd, 12);
	outb(r, BM + 8, 0x09);
	assert_int_equal(settle(r, 0x376, 0x88), 0x50);
	{
		const uint8_t *raw = ram(r, 0x800000 + 2352, 2352); /* CD sector 6: MSF 00:02:06 */
		static const uint8_t sync[12] = { 0,	0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0 };

		assert_memory_equal(raw, sync, 12);
		assert_int_equal(raw[12], 0);
		assert_int_equal(raw[13], 2);
		assert_int_equal(raw[14], 6);
		assert_int_equal(raw[15], 1);
		pattern(want, 24, 0x80);
		assert_memory_equal(raw + 16, want, 512);
	}
	rig_free(r);
}

/* ------------------------------------------------------------ unplug */

/* xen-interface.md §9.3: bit 2 takes the disks but the primary master, bit 0 all; CD stays. */
static void unplug_only_disks(void **state)
{
	struct rig *r = rig_new(true, true, true);
	uint8_t a[512];

	(void)state;
	memset(a, 0x99, sizeof(a));
	/* A write in flight on the disk about to go: drained and flushed first. */
	outb(r, 0x1f6, 0xf0);
	outb(r, 0x1f2, 1);
	outb(r, 0x1f3, 5);
	outb(r, 0x1f7, 0x30);
	settle(r, 0x3f6, 0x80);
	pio_out(r, 0x1f0, a, 512);
	assert_int_equal(xen_unplug(&r->m, XEN_UNPLUG_AUX_IDE_DISKS), 1);
	check_file(r, r->disk2, 5, a, sizeof(a));
	outb(r, 0x1f6, 0xb0);
	assert_int_equal(inb(r, 0x1f7), 0x00); /* device 1 gone */
	outb(r, 0x1f6, 0xa0);
	assert_int_equal(inb(r, 0x1f7), 0x50);				/* device 0 stays */
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x04, 2), 0); /* function reset */
	assert_int_equal(xen_unplug(&r->m, XEN_UNPLUG_IDE_DISKS), 1);
	assert_int_equal(inb(r, 0x1f7), 0x00); /* primary channel empty */
	assert_int_equal(tur(r), 0);	       /* the CD-ROM is still there */
	assert_int_equal(xen_unplug(&r->m, XEN_UNPLUG_ALL), 0);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x00, 4), 0x70108086);
	rig_free(r);
}

/*
 * The unplug resets the function as QEMU 7.2's piix_ide_reset does: COMMAND 0000h and
 * STATUS 0280h (82371AB datasheet §6.2.2, §6.2.3) and the BMIBA low byte 01h (§6.2.11;
 * 7.2 writes the byte only), nothing else. The timing registers stay: Linux's ata_piix
 * keeps IDETIM bit 15 (IDE decode enable, §6.2.14) of what it reads, and a cleared bit
 * makes it disable the channel whose CD-ROM is meant to stay.
 */
static void unplug_keeps_timing(void **state)
{
	struct rig *r = rig_new(false, true, true);

	(void)state;
	bus_pci_write(r->m.bus, SBDF_IDE, 0x40, 0x8000, 2); /* primary IDETIM: decode on */
	bus_pci_write(r->m.bus, SBDF_IDE, 0x42, 0xa307, 2); /* secondary: decode + timings */
	bus_pci_write(r->m.bus, SBDF_IDE, 0x3c, 0x0e, 1);
	bus_pci_write(r->m.bus, SBDF_IDE, 0x20, 0xc0d1, 4);
	assert_int_equal(xen_unplug(&r->m, XEN_UNPLUG_IDE_DISKS), 2);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x04, 2), 0x0000);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x06, 2), 0x0280);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x20, 4), 0xc001);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x40, 4), 0xa3078000);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x3c, 1), 0x0e);
	assert_int_equal(bus_pci_read(r->m.bus, SBDF_IDE, 0x00, 4), 0x70108086);
	assert_int_equal(tur(r), 0); /* the CD-ROM is still there */
	rig_free(r);
}

/*
 * A hostile guest: random accesses of every width to every IDE and BM port,
 * random PRD tables and packets, commands mixed in. Nothing may crash or
 * hang (ASan/UBSan run this too); afterwards SRST brings the disk back.
 */
static void random_guest_survives(void **state)
{
	static const uint16_t ports[] = { 0x1f0,  0x1f1,  0x1f2,   0x1f3,   0x1f4,  0x1f5,  0x1f6,
					  0x1f7,  0x3f6,  0x170,   0x171,   0x172,  0x173,  0x174,
					  0x175,  0x176,  0x177,   0x376,   BM,	    BM + 2, BM + 4,
					  BM + 6, BM + 8, BM + 10, BM + 12, BM + 14 };
	static const uint8_t cmds[] = { 0x20, 0x24, 0x25, 0x29, 0x30, 0x35, 0x39, 0xc4, 0xc5,
					0xc8, 0xca, 0xec, 0xa0, 0xa1, 0x06, 0xb0, 0xef, 0xe7 };
	struct rig *r = rig_new(false, false, true);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint16_t id[256];

	(void)state;
	for (unsigned i = 0; i < 200000; i++) {
		uint16_t port;
		unsigned size;
		uint32_t v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		port = ports[x % (sizeof(ports) / sizeof(ports[0]))];
		size = 1u << ((x >> 8) % 3);
		v = (uint32_t)(x >> 20);
		if (((x >> 40) & 15) == 0)
			outb(r, (x >> 44) & 1 ? 0x177 : 0x1f7, cmds[(x >> 45) % sizeof(cmds)]);
		else if (((x >> 40) & 15) == 1)
			assert_int_equal(gm_write(&r->m.mem, 0x10000 + ((x >> 48) & 0xff8), &x, 8),
					 0);
		else if ((x >> 63) & 1)
			bus_write(r->m.bus, BUS_PIO, port, v, size);
		else
			bus_read(r->m.bus, BUS_PIO, port, size);
	}
	outb(r, BM, 0);
	outb(r, BM + 8, 0);
	outb(r, 0x3f6, 0x04);
	outb(r, 0x3f6, 0x00);
	assert_int_equal(inb(r, 0x1f7) & 0x89, 0);
	outb(r, 0x1f6, 0xa0);
	outb(r, 0x1f7, 0xec);
	assert_int_equal(inb(r, 0x1f7), 0x58);
	pio_in(r, 0x1f0, (uint8_t *)id, 512);
	assert_int_equal(id[0], 0x0040);
	rig_free(r);
}

/* ------------------------------------------------------------ REP INS/OUTS in bulk */

/*
 * Twin rigs run the same guest script: one moves the data register a word
 * (or dword) at a time through the bus, as the element loop does, the other
 * with REP INSW/OUTSW/INSD/OUTSD ioreqs (data_is_ptr), which go in bulk
 * through the data port's string ops. After each step guest memory, the
 * image files, the task file, status, the BM status and the IRQ lines and
 * edges must be the same (ATA/ATAPI-6 §9.5 PIO data-in, §9.6 PIO data-out,
 * §9.8 PACKET: DRQ per block, INTRQ at each block, status 50h after the
 * last).
 */
#define TW_DST 0x400000ull /* where data-in lands */
#define TW_SRC 0x500000ull /* what data-out sends */
#define TW_PKT 0x600000ull /* ATAPI packets */

/* One REP of count (<= 4096) elements, as an ioreq (rep) or element by element as its loop does. */
static void tw_rep(struct rig *r, bool rep, bool in, uint16_t port, unsigned size, uint64_t gpa,
		   uint32_t count, bool df)
{
	struct ioreq_ctx io = { .bus = r->m.bus, .mem = &r->m.mem };
	struct dm_ioreq q = { .addr = port,
			      .data = gpa,
			      .count = count,
			      .size = size,
			      .type = DM_IOREQ_PIO,
			      .dir = in ? DM_IOREQ_READ : DM_IOREQ_WRITE,
			      .df = df,
			      .data_is_ptr = true };

	if (rep) {
		assert_int_equal(ioreq_handle(&io, &q), 0);
		return;
	}
	for (uint32_t k = 0; k < count; k++, gpa = df ? gpa - size : gpa + size) {
		uint64_t v = 0;

		if (in) {
			v = bus_read(r->m.bus, BUS_PIO, port, size);
			assert_int_equal(gm_write(&r->m.mem, gpa, &v, size), 0);
		} else {
			assert_int_equal(gm_read(&r->m.mem, gpa, &v, size), 0);
			bus_write(r->m.bus, BUS_PIO, port, v, size);
		}
	}
}

/* count elements of size through port: into RAM at gpa (in) or out of it. */
static void tw_data(struct rig *r, bool rep, bool in, uint16_t port, unsigned size, uint64_t gpa,
		    uint32_t count)
{
	while (count) {
		uint32_t n = count < DM_IOREQ_MAX_COUNT ? count : DM_IOREQ_MAX_COUNT;

		tw_rep(r, rep, in, port, size, gpa, n, false);
		count -= n;
		gpa += (uint64_t)n * size;
	}
}

/* One DRQ block after another (settling between them, for the async backend). */
static void tw_blocks(struct rig *r, bool rep, bool in, uint16_t port, unsigned size, uint64_t gpa,
		      uint32_t sectors, uint32_t per_block)
{
	while (sectors) {
		uint32_t n = sectors < per_block ? sectors : per_block;

		settle(r, port == 0x1f0 ? 0x3f6 : 0x376, 0x80);
		inb(r, port + 7); /* the driver's status read: INTRQ falls, each block raises it */
		tw_data(r, rep, in, port, size, gpa, n * 512 / size);
		gpa += n * 512;
		sectors -= n;
	}
	settle(r, port == 0x1f0 ? 0x3f6 : 0x376, 0x80);
}

static void tw_packet(struct rig *r, bool rep, const uint8_t *p, uint16_t bcl)
{
	memcpy(ram(r, TW_PKT, 12), p, 12);
	outb(r, 0x176, 0xa0);
	outb(r, 0x171, 0);
	outb(r, 0x174, (uint8_t)bcl);
	outb(r, 0x175, (uint8_t)(bcl >> 8));
	outb(r, 0x177, 0xa0);
	tw_data(r, rep, false, 0x170, 2, TW_PKT, 6);
	settle(r, 0x376, 0x80);
}

/* A PACKET reply, an elementary transfer per ioreq, dwords while they fit. */
static void tw_reply(struct rig *r, bool rep, uint64_t gpa)
{
	for (unsigned i = 0; i < 64 && (inb(r, 0x376) & 0x08); i++) {
		unsigned n = inb(r, 0x174) | inb(r, 0x175) << 8;

		tw_data(r, rep, true, 0x170, 4, gpa, n / 4);
		tw_data(r, rep, true, 0x170, 2, gpa + n / 4 * 4, (n % 4) / 2);
		gpa += n;
		settle(r, 0x376, 0x80);
	}
}

static void tw_script(struct rig *r, bool rep, unsigned step)
{
	static const uint8_t tur[12] = { 0 };
	static const uint8_t rd10[12] = { 0x28, 0, 0, 0, 0, 3, 0, 0, 2 };

	switch (step) {
	case 0: /* READ SECTORS, 3 one-sector blocks */
		ata_cmd(r, 0x20, 100, 3);
		tw_blocks(r, rep, true, 0x1f0, 2, TW_DST, 3, 1);
		break;
	case 1: /* SET MULTIPLE 4, READ MULTIPLE of 10 in dwords: blocks of 4, 4, 2 */
		outb(r, 0x1f2, 4);
		outb(r, 0x1f7, 0xc6);
		settle(r, 0x3f6, 0x80);
		ata_cmd(r, 0xc4, 7, 10);
		tw_blocks(r, rep, true, 0x1f0, 4, TW_DST + 0x10000, 10, 4);
		break;
	case 2: /* WRITE SECTORS of 2 */
		ata_cmd(r, 0x30, 200, 2);
		tw_blocks(r, rep, false, 0x1f0, 2, TW_SRC, 2, 1);
		break;
	case 3: /* WRITE MULTIPLE of 9 in dwords: blocks of 4, 4, 1 */
		ata_cmd(r, 0xc5, 300, 9);
		tw_blocks(r, rep, false, 0x1f0, 4, TW_SRC + 0x1000, 9, 4);
		outb(r, 0x1f7, 0xe7); /* FLUSH CACHE */
		settle(r, 0x3f6, 0x80);
		break;
	case 4: /* read back what was written, LBA48 */
		ata_cmd48(r, 0x24, 200, 2);
		tw_blocks(r, rep, true, 0x1f0, 2, TW_DST + 0x20000, 2, 1);
		ata_cmd48(r, 0x29, 300, 9);
		tw_blocks(r, rep, true, 0x1f0, 2, TW_DST + 0x30000, 9, 4);
		break;
	case 5: /* a REP longer than the transfer: the words after the last block read 0 */
		ata_cmd(r, 0x20, 5, 1);
		settle(r, 0x3f6, 0x80);
		tw_data(r, rep, true, 0x1f0, 2, TW_DST + 0x40000, 4096);
		break;
	case 6: /* IDENTIFY, read half, status (clears INTRQ), then the rest */
		ata_cmd(r, 0xec, 0, 0);
		tw_data(r, rep, true, 0x1f0, 2, TW_DST + 0x50000, 100);
		inb(r, 0x1f7);
		tw_data(r, rep, true, 0x1f0, 2, TW_DST + 0x50000 + 200, 156);
		break;
	case 7: /* byte string I/O on the data register: word by word in both */
		ata_cmd(r, 0x20, 60, 1);
		settle(r, 0x3f6, 0x80);
		tw_data(r, rep, true, 0x1f0, 1, TW_DST + 0x60000, 300);
		break;
	case 8: /* a write with more data than the command takes: the rest is dropped */
		ata_cmd(r, 0x30, 400, 1);
		settle(r, 0x3f6, 0x80);
		tw_data(r, rep, false, 0x1f0, 2, TW_SRC + 0x4000, 600);
		settle(r, 0x3f6, 0x80);
		break;
	case 9: /* ATAPI: TEST UNIT READY, READ(10) of 2 CD sectors, byte count limit 1001 */
		tw_packet(r, rep, tur, 0);
		tw_packet(r, rep, rd10, 1001);
		tw_reply(r, rep, TW_DST + 0x70000);
		break;
	case 10: /* READ MULTIPLE of 256 drained by REP INSW of 4096 words, blocks spanned */
		outb(r, 0x1f2, 16);
		outb(r, 0x1f7, 0xc6);
		settle(r, 0x3f6, 0x80);
		ata_cmd(r, 0xc4, 1000, 0);
		for (unsigned i = 0; i < 256 / 16; i++) {
			settle(r, 0x3f6, 0x80);
			inb(r, 0x1f7);
			tw_data(r, rep, true, 0x1f0, 2, TW_DST + 0x80000 + i * 8192, 4096);
		}
		settle(r, 0x3f6, 0x80);
		break;
	}
}

#define TW_STEPS 11u

static void tw_compare(struct rig *a, struct rig *b, unsigned step)
{
	static const uint16_t regs[] = {
		0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x3f6,  0x171,
		0x172, 0x173, 0x174, 0x175, 0x176, 0x376, BM + 2, BM + 10
	};

	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (inb(a, regs[i]) != inb(b, regs[i]))
			fail_msg("step %u: port 0x%x reads 0x%x word by word, 0x%x in bulk", step,
				 regs[i], inb(a, regs[i]), inb(b, regs[i]));
	for (unsigned irq = 14; irq <= 15; irq++) {
		assert_int_equal(a->irq[irq], b->irq[irq]);
		assert_int_equal(a->raises[irq], b->raises[irq]);
	}
	assert_memory_equal(ram(a, TW_DST, 0x200000), ram(b, TW_DST, 0x200000), 0x200000);
	for (uint64_t pg = TW_DST; pg < TW_DST + 0x100000; pg += 4096)
		assert_int_equal(flat_ram_test_dirty(&a->ram, pg),
				 flat_ram_test_dirty(&b->ram, pg));
}

static void twins(bool async)
{
	struct rig *a = rig_new(async, false, true), *b = rig_new(async, false, true);
	uint8_t want[512];

	for (uint64_t i = 0; i < 0x10000; i++) {
		ram(a, TW_SRC + i, 1)[0] = (uint8_t)(i * 7 + (i >> 9));
		ram(b, TW_SRC + i, 1)[0] = (uint8_t)(i * 7 + (i >> 9));
	}
	for (unsigned step = 0; step < TW_STEPS; step++) {
		tw_script(a, false, step);
		tw_script(b, true, step);
		tw_compare(a, b, step);
	}
	/* The script did what it says: data, the end of each command, the files. */
	pattern(want, 102, 0);
	assert_memory_equal(ram(b, TW_DST + 1024, 512), want, 512);
	pattern(want, 16, 0);
	assert_memory_equal(ram(b, TW_DST + 0x10000 + 9 * 512, 512), want, 512);
	assert_memory_equal(ram(b, TW_DST + 0x20000, 1024), ram(b, TW_SRC, 1024), 1024);
	assert_memory_equal(ram(b, TW_DST + 0x30000, 9 * 512), ram(b, TW_SRC + 0x1000, 9 * 512),
			    9 * 512);
	check_file(b, b->disk, 300, ram(b, TW_SRC + 0x1000, 9 * 512), 9 * 512);
	check_file(b, b->disk, 400, ram(b, TW_SRC + 0x4000, 512), 512);
	pattern(want, 1255, 0);
	assert_memory_equal(ram(b, TW_DST + 0x80000 + 255 * 512, 512), want, 512);
	pattern(want, 12, 0x80); /* CD sector 3 */
	assert_memory_equal(ram(b, TW_DST + 0x70000, 512), want, 512);
	assert_int_equal(inb(b, 0x3f6), 0x50);
	assert_int_equal(b->raises[14], a->raises[14]);
	/* INTRQ edges on the primary: 3 + (1 + 3) + 2 + (3 + 1) + (2 + 3) + 1 + 1 + 1 + 1 + (1 +
	 * 16). */
	assert_int_equal(b->raises[14], 39);
	rig_free(a);
	rig_free(b);
}

/*
 * A random guest on twin rigs: commands (ATA and PACKET, on both channels),
 * task-file writes, status reads, resets and REP INS/OUTS of random size,
 * count, direction and df through the data ports; the rigs must agree after
 * every step, whatever state the random commands leave the drives in.
 */
static void rep_bulk_random_guest(void **state)
{
	static const uint8_t cmds[] = { 0x20, 0x24, 0x29, 0x30, 0x34, 0x39, 0xc4, 0xc5, 0xc6,
					0xec, 0xa1, 0xa0, 0xb0, 0x91, 0xe7, 0x40, 0x06 };
	static const uint16_t regs[] = { 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6,
					 0x171, 0x172, 0x173, 0x174, 0x175, 0x176 };
	struct rig *a = rig_new(false, true, true), *b = rig_new(false, true, true);
	uint64_t x = 0x2545f4914f6cdd1dull;

	(void)state;
	for (unsigned i = 0; i < 6000; i++) {
		uint16_t base, port;
		uint8_t v;
		unsigned kind, size;
		uint32_t count;
		uint64_t gpa;
		bool in, df;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		base = (x >> 4) & 1 ? 0x170 : 0x1f0;
		kind = (unsigned)(x >> 5) % 16;
		v = (uint8_t)(x >> 12);
		if (kind == 0) {
			outb(a, base + 7, cmds[(x >> 20) % sizeof(cmds)]);
			outb(b, base + 7, cmds[(x >> 20) % sizeof(cmds)]);
		} else if (kind <= 3) {
			port = regs[(x >> 20) % (sizeof(regs) / sizeof(regs[0]))];
			/* Small counts and LBAs, so that commands find the data they ask for. */
			v = port == 0x1f2 || port == 0x172   ? v % 9
			    : port == 0x1f6 || port == 0x176 ? (v & 0x10) | 0xe0
							     : v & 7;
			outb(a, port, v);
			outb(b, port, v);
		} else if (kind == 4) {
			inb(a, base + 7);
			inb(b, base + 7);
		} else if (kind == 5 && ((x >> 24) & 15) == 0) {
			outb(a, base == 0x1f0 ? 0x3f6 : 0x376, 0x04);
			outb(b, base == 0x1f0 ? 0x3f6 : 0x376, 0x04);
			outb(a, base == 0x1f0 ? 0x3f6 : 0x376, 0x00);
			outb(b, base == 0x1f0 ? 0x3f6 : 0x376, 0x00);
		} else {
			size = 1u << ((x >> 24) % 3);
			count = (x >> 26) & 1 ? 1 + (uint32_t)((x >> 28) % 700)
					      : 1 + (uint32_t)((x >> 28) % DM_IOREQ_MAX_COUNT);
			in = (x >> 40) & 1;
			df = ((x >> 41) & 7) == 0;
			gpa = TW_DST + 0x8000 + ((x >> 44) % 0x40000);
			tw_rep(a, false, in, base, size, gpa, count, df);
			tw_rep(b, true, in, base, size, gpa, count, df);
		}
		tw_compare(a, b, 1000 + i);
	}
	rig_free(a);
	rig_free(b);
}

static void rep_bulk_matches_words_sync(void **state)
{
	(void)state;
	twins(false);
}

static void rep_bulk_matches_words_async(void **state)
{
	(void)state;
	twins(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_space_matches_golden),
		cmocka_unit_test(identify_and_irq),
		cmocka_unit_test(nien_masks_interrupt),
		cmocka_unit_test(lba_range_checks),
		cmocka_unit_test(unknown_opcode_aborts),
		cmocka_unit_test(diagnostic_clears_dev),
		cmocka_unit_test(rerror_stop_redoes_on_cont),
		cmocka_unit_test(rerror_ignore_completes),
		cmocka_unit_test(integrity_sync),
		cmocka_unit_test(integrity_async),
		cmocka_unit_test(rep_insw_block),
		cmocka_unit_test(prd_zero_length_is_64k),
		cmocka_unit_test(prd_endless_table_bounded),
		cmocka_unit_test(prd_longer_keeps_active),
		cmocka_unit_test(io_error_becomes_abort),
		cmocka_unit_test(trim_count_is_low_byte),
		cmocka_unit_test(exit_loses_nothing),
		cmocka_unit_test(media_change_sequence),
		cmocka_unit_test(inquiry_evpd_pages),
		cmocka_unit_test(atapi_byte_count_limit),
		cmocka_unit_test(atapi_dma_reads),
		cmocka_unit_test(unplug_only_disks),
		cmocka_unit_test(unplug_keeps_timing),
		cmocka_unit_test(random_guest_survives),
		cmocka_unit_test(rep_bulk_matches_words_sync),
		cmocka_unit_test(rep_bulk_matches_words_async),
		cmocka_unit_test(rep_bulk_random_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
