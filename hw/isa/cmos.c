// SPDX-License-Identifier: GPL-2.0-only
/*
 * CMOS NVRAM: the 128 bytes behind the Motorola MC146818A RTC's index/data
 * ports 0x70/0x71 (MC146818A datasheet, "Address Map": 14 clock/control
 * bytes, then 114 bytes of user RAM).
 *
 * Under Xen the hypervisor emulates the clock and registers A-D (indices
 * 0-13) and forwards to us only an index write of 14 or more and the data
 * accesses made while such an index is selected (xen-interface.md §6.3).
 * Standalone, indices 0-13 behave as plain RAM here: a harmless answer, no
 * clock. Bit 7 of the index write is the NMI mask; it is not part of the
 * index (as QEMU's mc146818rtc.c cmos_ioport_write). The index port reads
 * 0xff.
 *
 * Contents at creation follow QEMU's pc_cmos_init()/set_boot_dev() for the
 * same options, so SeaBIOS and hvmloader find what they find under qemu-xen:
 * 0x14 equipment (FPU, PS/2 mouse), 0x15-0x18/0x30-0x31/0x34-0x35 memory
 * sizes, 0x5b-0x5d RAM above 4 GiB, 0x5f vCPUs - 1, 0x3d/0x38 boot order,
 * 0x32 the century (BCD) of the platform's RTC date (plat_rtc_seconds(), never the host's
 * clock), copied at 0x37 (IBM PS/2) as QEMU's RTC does. The bytes persist across
 * reset, as in QEMU.
 *
 * Saved state: the index and the 128 bytes.
 *
 * Left out: the clock itself (Xen's), the floppy bytes (no floppy
 * controller: 0x10 stays 0), and the IDE geometry bytes 0x12/0x19-0x2c/0x39,
 * which hw/ide/ide_cmos.c fills through cmos_set() once the board is built.
 */
#include "hw/isa/cmos.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/qemuopts.h"
#include "dm/state.h"

#define CMOS_BASE      0x70
#define CMOS_INDEX_NMI 0x80 /* index port bit 7: NMI disable, not an index bit */

/* Offsets as QEMU's pc.c and SeaBIOS's cmos.h name them. */
#define CMOS_FLOPPY_TYPES 0x10
#define CMOS_EQUIPMENT	  0x14
#define CMOS_MEM_BASE	  0x15 /* KiB below 640 KiB, 16 bits */
#define CMOS_MEM_EXT	  0x17 /* KiB from 1 MiB, 16 bits, clamped */
#define CMOS_MEM_EXT2	  0x30 /* copy of 0x17 */
#define CMOS_CENTURY	  0x32
#define CMOS_CENTURY_PS2  0x37 /* IBM PS/2 copy of the century, as QEMU's RTC keeps it */
#define CMOS_MEM_16M	  0x34 /* 64 KiB units from 16 MiB to the end of low RAM */
#define CMOS_BOOT_FLAGS2  0x38 /* high nibble: 3rd boot device; bit 0: skip floppy sig check */
#define CMOS_BOOT_FLAGS1  0x3d /* low nibble: 1st, high nibble: 2nd boot device */
#define CMOS_MEM_4G	  0x5b /* 64 KiB units above 4 GiB, 24 bits */
#define CMOS_CPUS	  0x5f /* vCPUs - 1 */

#define EQUIP_FPU	0x02
#define EQUIP_PS2_MOUSE 0x04

/* Low RAM ends at min(ram, HVM_BELOW_4G_RAM_END) under Xen (xen-interface.md §3.4). */
#define HVM_BELOW_4G_RAM_END 0xf0000000ull

#define KIB 1024ull
#define MIB (1024ull * KIB)

struct cmos {
	struct dm_dev *dev;
	struct region io;
	uint8_t index;
	uint8_t ram[CMOS_SIZE];
	/* -boot once=: the -boot order to put back at the first system reset (QEMU
	 * restore_boot_order) */
	bool once_pending;
	char order[16];
};

const struct dev_type cmos_type;

static uint64_t cmos_read(void *opaque, uint64_t off, unsigned size)
{
	struct cmos *s = opaque;

	(void)size;
	if (off == 0)
		return 0xff; /* the index port is write-only */
	return s->ram[s->index];
}

static void cmos_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct cmos *s = opaque;

	(void)size;
	if (off == 0) {
		s->index = val & ~CMOS_INDEX_NMI & 0xff;
		return;
	}
	dm_dbg(LOG_CMOS, s->dev->name, "[%#04x] <- %#04x", s->index, (unsigned)(val & 0xff));
	s->ram[s->index] = val & 0xff;
}

static const struct region_ops cmos_ops = {
	.read = cmos_read,
	.write = cmos_write,
	.min_size = 1,
	.max_size = 1,
};

static uint8_t boot_nibble(char c)
{
	switch (c) {
	case 'a':
	case 'b':
		return 0x1; /* floppy */
	case 'c':
		return 0x2; /* hard disk */
	case 'd':
		return 0x3; /* CD-ROM */
	case 'n':
		return 0x4; /* network */
	default:
		return 0;
	}
}

int cmos_boot_bytes(const char *order, uint8_t *r3d, uint8_t *r38)
{
	uint8_t bds[3] = { 0, 0, 0 };
	size_t n = strlen(order);

	if (n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		bds[i] = boot_nibble(order[i]);
		if (!bds[i])
			return -EINVAL;
	}
	*r3d = (uint8_t)(bds[1] << 4 | bds[0]);
	*r38 = (uint8_t)(bds[2] << 4); /* bit 0 clear: floppy signature check on (fd_bootchk) */
	return 0;
}

/*
 * The boot order in a -boot value: "order=cda[,...]", or QEMU's legacy bare
 * "cda". Copied into buf; "cad" (QEMU's pc default) when none is given.
 */
static int boot_order(const char *spec, char *buf, size_t len)
{
	struct qopts o;
	const char *order = NULL;
	int r;

	snprintf(buf, len, "cad");
	if (!spec || !*spec)
		return 0;
	r = qopts_parse(spec, &o);
	if (r)
		return r;
	order = qopts_get(&o, "order");
	if (!order && o.n && !o.v[0].val)
		order = o.v[0].key;
	if (order && strlen(order) < len)
		snprintf(buf, len, "%s", order);
	else if (order)
		r = -EINVAL;
	qopts_free(&o);
	return r;
}

static void put16(uint8_t *ram, unsigned idx, uint64_t val)
{
	if (val > 0xffff)
		val = 0xffff;
	ram[idx] = val & 0xff;
	ram[idx + 1] = (val >> 8) & 0xff;
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

/* pc_cmos_init(): memory sizes, CPU count, equipment. */
/* The Gregorian year of a date in UTC seconds since the epoch (days to civil date, proleptic). */
static int64_t utc_year(int64_t secs)
{
	int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400 + 719468; /* from 0000-03-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153; /* 0 = March .. 11 = February */

	return yoe + era * 400 + (mp >= 10);
}

static void cmos_fill_machine(struct cmos *s, uint64_t ram_bytes, unsigned smp, int64_t rtc_secs)
{
	uint64_t below = ram_bytes < HVM_BELOW_4G_RAM_END ? ram_bytes : HVM_BELOW_4G_RAM_END;
	uint64_t above = ram_bytes - below;
	uint64_t base_kib = below / KIB < 640 ? below / KIB : 640;
	uint64_t ext = below > MIB ? (below - MIB) / KIB : 0;
	uint64_t mem16 = below > 16 * MIB ? (below - 16 * MIB) / (64 * KIB) : 0;
	uint64_t high = above / (64 * KIB);
	int64_t year = utc_year(rtc_secs);

	put16(s->ram, CMOS_MEM_BASE, base_kib);
	put16(s->ram, CMOS_MEM_EXT, ext);
	put16(s->ram, CMOS_MEM_EXT2, ext);
	put16(s->ram, CMOS_MEM_16M, mem16);
	s->ram[CMOS_MEM_4G] = high & 0xff;
	s->ram[CMOS_MEM_4G + 1] = (high >> 8) & 0xff;
	s->ram[CMOS_MEM_4G + 2] = (high >> 16) & 0xff;
	s->ram[CMOS_CPUS] = smp ? (uint8_t)((smp - 1) > 0xff ? 0xff : smp - 1) : 0;
	s->ram[CMOS_EQUIPMENT] = EQUIP_FPU | EQUIP_PS2_MOUSE;
	s->ram[CMOS_FLOPPY_TYPES] = 0;
	s->ram[CMOS_CENTURY] = bcd(year > 0 ? (unsigned)(year / 100) : 0);
	s->ram[CMOS_CENTURY_PS2] = s->ram[CMOS_CENTURY];
}

static int cmos_init(struct dm_dev *dev)
{
	struct cmos *s = dev->state;
	const struct machine_opts *o = dev->m ? dev->m->opts : NULL;
	char order[16];
	int r;

	s->dev = dev;
	snprintf(dev->name, sizeof(dev->name), "cmos@%x", CMOS_BASE);
	r = boot_order(o ? o->boot : NULL, s->order, sizeof(s->order));
	snprintf(order, sizeof(order), "%s", s->order);
	s->once_pending = o && o->boot_once;
	if (!r && s->once_pending)
		r = boot_order(o->boot_once, order, sizeof(order));
	if (!r)
		r = cmos_boot_bytes(order, &s->ram[CMOS_BOOT_FLAGS1], &s->ram[CMOS_BOOT_FLAGS2]);
	if (r) {
		dm_err(dev->name, "-boot %s: the boot order must be up to three of a, b, c, d, n",
		       o && o->boot ? o->boot : "");
		return -EINVAL;
	}
	cmos_fill_machine(s, o ? o->ram_mb * MIB : 0, o ? o->smp : 1,
			  dev->m ? plat_rtc_seconds(&dev->m->plat) : PLAT_RTC_BASE_DEFAULT);
	s->io = (struct region){
		.name = "cmos",
		.space = BUS_PIO,
		.base = CMOS_BASE,
		.len = 2,
		.ops = &cmos_ops,
		.opaque = s,
	};
	r = bus_add(dev->m->bus, &s->io);
	if (r)
		dm_err(dev->name, "ports %#x-%#x: %s", CMOS_BASE, CMOS_BASE + 1, strerror(-r));
	return r;
}

static void cmos_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct cmos *s = dev->state;

	s->index = 0;
	if (kind == RESET_SYSTEM && s->once_pending) {
		s->once_pending = false;
		/* the order was checked at creation */
		(void)cmos_boot_bytes(s->order, &s->ram[CMOS_BOOT_FLAGS1],
				      &s->ram[CMOS_BOOT_FLAGS2]);
	}
}

static void cmos_fini(struct dm_dev *dev)
{
	struct cmos *s = dev->state;

	if (s->io.mapped)
		bus_del(dev->m->bus, &s->io);
}

/* Saved: the selected index and the 128 bytes (QEMU saves cmos_index and cmos_data). */
static int cmos_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct cmos *s = dev->state;

	snap_u8(w, "index", s->index);
	snap_bytes(w, "ram", s->ram, sizeof(s->ram));
	return w->err;
}

static int cmos_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct cmos *s = dev->state;
	uint8_t index;
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = snap_get_u8(r, "index", &index);
	if (!ret && index >= CMOS_SIZE)
		ret = -EINVAL;
	if (!ret)
		ret = snap_get_bytes(r, "ram", s->ram, sizeof(s->ram));
	if (!ret)
		s->index = index;
	return ret;
}

struct dm_dev *cmos_find(struct machine *m)
{
	return dev_find_type(m, &cmos_type);
}

int cmos_set(struct dm_dev *cmos, unsigned idx, uint8_t val)
{
	struct cmos *s = cmos->state;

	if (cmos->type != &cmos_type || idx >= CMOS_SIZE)
		return -EINVAL;
	s->ram[idx] = val;
	return 0;
}

int cmos_get(const struct dm_dev *cmos, unsigned idx)
{
	const struct cmos *s = cmos->state;

	if (cmos->type != &cmos_type || idx >= CMOS_SIZE)
		return -EINVAL;
	return s->ram[idx];
}

const struct dev_type cmos_type = {
	.name = "cmos",
	.kind = DEV_KIND_ISA,
	.help = "CMOS NVRAM at 0x70/0x71 (indices 14-127; 0-13 are Xen's RTC)",
	.state_size = sizeof(struct cmos),
	.state_version = 1,
	.init = cmos_init,
	.reset = cmos_reset,
	.fini = cmos_fini,
	.save = cmos_save,
	.load = cmos_load,
};
