// SPDX-License-Identifier: GPL-2.0-only
/*
 * IDE throughput: sequential READ/WRITE DMA EXT through the PIIX3 bus
 * master (64 KiB and 1 MiB per command) on a 1 GiB raw image opened
 * cache=none (O_DIRECT + libaio, completions on the loop's eventfd), beside
 * raw O_DIRECT preads/pwrites of the same file with the same block size
 * (the physical limit); then PIO MB/s through REP INSW ioreqs (one ioreq per
 * 8 KiB DRQ block of READ MULTIPLE). Prints figures, never a verdict.
 *
 *   bench_ide [DIR] [MiB per pass]      (default /var/tmp, 128)
 *
 * Each figure is the median of three passes, raw and hvmdm alternating, so
 * that the host's disk and page-cache noise hits both sides alike.
 * QEMU's qtest doing the same transfers is bench/bench_ide_qemu.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dm/block.h"
#include "dm/bus.h"
#include "dm/device.h"
#include "dm/ioreq.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/memory.h"

#define IMG_SIZE (1ull << 30)
#define BM	 0xc000
#define BUF_GPA	 0x1000000ull
#define PRD_GPA	 0x10000ull

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int make_image(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	size_t chunk = 8 << 20;
	char *buf = malloc(chunk);

	if (fd < 0 || !buf)
		return -1;
	for (size_t i = 0; i < chunk; i++)
		buf[i] = (char)(i * 31 + 7);
	for (uint64_t off = 0; off < IMG_SIZE; off += chunk)
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			return -1;
	fsync(fd);
	close(fd);
	free(buf);
	return 0;
}

static double raw_direct(const char *path, size_t bs, uint64_t total, bool wr)
{
	int fd = open(path, (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
	void *buf;
	double t0;

	if (fd < 0 || posix_memalign(&buf, 4096, bs))
		return 0;
	memset(buf, 0x5a, bs);
	t0 = now();
	for (uint64_t off = 0; off < total; off += bs) {
		ssize_t n = wr ? pwrite(fd, buf, bs, (off_t)off) : pread(fd, buf, bs, (off_t)off);

		if (n != (ssize_t)bs) {
			perror("raw O_DIRECT");
			break;
		}
	}
	if (wr)
		fdatasync(fd);
	t0 = now() - t0;
	close(fd);
	free(buf);
	return (double)total / t0 / 1e6;
}

struct rig {
	struct machine m;
	struct machine_opts o;
	struct flat_ram ram;
	struct ioreq_ctx io;
};

static void no_irq(void *opaque, unsigned irq, bool level)
{
	(void)opaque;
	(void)irq;
	(void)level;
}

static const struct platform_ops plat = { .isa_irq = no_irq };

static int rig_init(struct rig *r, const char *img)
{
	char spec[640], err[256];
	struct dm_dev *d;

	memset(r, 0, sizeof(*r));
	r->m.bus = bus_new();
	r->m.loop = loop_new(false);
	if (!r->m.bus || !r->m.loop || flat_ram_init(&r->ram, &r->m.mem, 64 << 20))
		return -1;
	r->m.plat.ops = &plat;
	r->o.kind = MACHINE_PC;
	r->m.opts = &r->o;
	r->m.devs_tail = &r->m.devs;
	snprintf(spec, sizeof(spec), "file=%s,if=ide,index=0,media=disk,format=raw,cache=none",
		 img);
	if (strlist_add(&r->o.drives, spec) ||
	    dev_parse(&r->m, "piix3-ide", &d, err, sizeof(err)) || dev_realize(d))
		return -1;
	bus_pci_write(r->m.bus, 0x0009, 0x20, BM | 1, 4);
	bus_pci_write(r->m.bus, 0x0009, 0x04, 0x0005, 2);
	r->io = (struct ioreq_ctx){ .bus = r->m.bus, .mem = &r->m.mem };
	return 0;
}

static void outb(struct rig *r, uint16_t p, uint8_t v)
{
	bus_write(r->m.bus, BUS_PIO, p, v, 1);
}

static uint8_t inb(struct rig *r, uint16_t p)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, p, 1);
}

static void taskfile48(struct rig *r, uint8_t cmd, uint64_t lba, uint32_t count)
{
	outb(r, 0x1f6, 0x40);
	outb(r, 0x1f2, (uint8_t)(count >> 8));
	outb(r, 0x1f2, (uint8_t)count);
	outb(r, 0x1f3, (uint8_t)(lba >> 24));
	outb(r, 0x1f3, (uint8_t)lba);
	outb(r, 0x1f4, (uint8_t)(lba >> 32));
	outb(r, 0x1f4, (uint8_t)(lba >> 8));
	outb(r, 0x1f5, 0);
	outb(r, 0x1f5, (uint8_t)(lba >> 16));
	outb(r, 0x1f7, cmd);
}

/* PRDs of 64 KiB covering bs bytes at BUF_GPA. */
static void set_prds(struct rig *r, size_t bs)
{
	unsigned n = (unsigned)(bs / 65536);

	for (unsigned i = 0; i < n; i++) {
		uint32_t e[2] = { (uint32_t)(BUF_GPA + i * 65536ull),
				  i + 1 == n ? 0x80000000u : 0 };

		if (gm_write(&r->m.mem, PRD_GPA + i * 8, e, 8))
			return;
	}
	bus_write(r->m.bus, BUS_PIO, BM + 4, PRD_GPA, 4);
}

static double bmdma(struct rig *r, size_t bs, uint64_t total, bool wr)
{
	double t0 = now();

	set_prds(r, bs);
	for (uint64_t off = 0; off < total; off += bs) {
		taskfile48(r, wr ? 0x35 : 0x25, off / 512, (uint32_t)(bs / 512));
		outb(r, BM, wr ? 0x01 : 0x09);
		while (inb(r, 0x3f6) & 0x88)
			loop_iterate(r->m.loop, 100);
		outb(r, BM, 0);
		outb(r, BM + 2, 0x06);
		if (inb(r, 0x1f7) & 0x01) {
			fprintf(stderr, "DMA error at %llu\n", (unsigned long long)off);
			break;
		}
	}
	if (wr) {
		outb(r, 0x1f7, 0xea); /* FLUSH CACHE EXT, as the raw figure ends with fdatasync */
		while (inb(r, 0x3f6) & 0x80)
			loop_iterate(r->m.loop, 100);
	}
	return (double)total / (now() - t0) / 1e6;
}

/* READ MULTIPLE (16-sector DRQ blocks) drained by REP INSW ioreqs of 4096 words. */
static double pio(struct rig *r, uint64_t total)
{
	struct dm_ioreq req;
	double t0 = now();

	for (uint64_t off = 0; off < total; off += 256 * 512) {
		taskfile48(r, 0x29, off / 512, 256);
		for (unsigned blk = 0; blk < 256 / 16; blk++) {
			while (!(inb(r, 0x3f6) & 0x08))
				loop_iterate(r->m.loop, 100);
			req = (struct dm_ioreq){ .addr = 0x1f0,
						 .data = BUF_GPA,
						 .count = 4096,
						 .size = 2,
						 .type = DM_IOREQ_PIO,
						 .dir = DM_IOREQ_READ,
						 .data_is_ptr = true };
			ioreq_handle(&r->io, &req);
		}
	}
	return (double)total / (now() - t0) / 1e6;
}

static double median3(const double *v)
{
	double a = v[0], b = v[1], c = v[2];

	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/var/tmp";
	uint64_t total = (argc > 2 ? strtoull(argv[2], NULL, 0) : 128) << 20;
	static const size_t sizes[] = { 64 << 10, 1 << 20 };
	char img[512];
	struct rig r;

	snprintf(img, sizeof(img), "%s/bench_ide.%d.img", dir, (int)getpid());
	if (total > IMG_SIZE)
		total = IMG_SIZE;
	printf("== IDE bus-master DMA, 1 GiB raw image in %s, %llu MiB per pass, cache=none\n", dir,
	       (unsigned long long)(total >> 20));
	if (make_image(img)) {
		perror(img);
		return 1;
	}
	if (rig_init(&r, img)) {
		fprintf(stderr, "bench_ide: cannot build the IDE machine\n");
		unlink(img);
		return 1;
	}
	printf("   %-7s %-6s %12s %14s %7s\n", "op", "block", "raw O_DIRECT", "hvmdm BMDMA",
	       "ratio");
	for (int wr = 0; wr < 2; wr++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			double rs[3], os[3], raw, ours;

			for (int k = 0; k < 3; k++) {
				rs[k] = raw_direct(img, sizes[i], total, wr);
				os[k] = bmdma(&r, sizes[i], total, wr);
			}
			raw = median3(rs);
			ours = median3(os);

			printf("   %-7s %4zuK %9.0f MB/s %9.0f MB/s %6.0f%%\n",
			       wr ? "write" : "read", sizes[i] >> 10, raw, ours,
			       raw > 0 ? 100 * ours / raw : 0);
		}
	}
	printf("== IDE PIO: READ MULTIPLE, REP INSW ioreqs of 8 KiB (data_is_ptr)\n");
	printf("   %.0f MB/s\n", pio(&r, total / 4));
	unlink(img);
	return 0;
}
