// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bad input (issue 4): every register write at every size and alignment is
 * harmless. The real xenfv and pc boards are built on the standalone
 * platform (dm/sim, as --replay and the fuzzer build them, with an IDE disk
 * and CD-ROM and a serial port), a firmware-like set-up maps every BAR, and
 * then a seeded PRNG (fixed seed: the run is the same every time) drives
 * bursts of:
 *
 *   - writes and reads of random values at sizes 1/2/4 (and 8 for MMIO) at
 *     every offset of every claimed port range and MMIO region, plus a few
 *     bytes before and beyond each (every alignment comes up);
 *   - PCI config writes and reads at offsets 0-255 and a few beyond (up to
 *     4095, and past 4096), sizes 1/2/4 at every alignment, to every present
 *     function, to absent ones and to other buses/segments; through
 *     bus_pci_*, through PCI_CONFIG ioreqs and through 0xcf8/0xcfc;
 *   - ioreqs of every type (valid and invalid type, direction, size, count,
 *     df), rep/data_is_ptr ioreqs whose buffer points anywhere: RAM, its
 *     edges, MMIO, holes, above 4 GiB, the top of the 64-bit space;
 *   - INVALIDATE and TIMEOFFSET requests, and virtual clock steps.
 *
 * After every burst the machine must be consistent: mapped regions sorted,
 * sane (len > 0, no wrap, ports below 64K) and not overlapping, each found
 * by bus_find at both ends; no guest-memory mapping left live; armed timers
 * few and due in the future (a clock step left none overdue); every PCI
 * function present at the start still present with its vendor ID; the
 * i440FX answering 8086:1237 at 00:00.0 through the bus and through
 * 0xcf8/0xcfc. The same binary under SAN=1 turns any UB or bad memory
 * access into a failure.
 *
 * Nothing is skipped: the reset and power requests (0xcf9 bit 2, port 0x92
 * bit 0, i8042 output port / pulse commands, PM1a_CNT SLP_EN) are hit like
 * any register; they reach the sim platform, which counts them and resets
 * the machine after the command (sim_after_command), exactly as in replay.
 * Xen platform unplug writes unplug the IDE disks; later IDE accesses then
 * hit an empty channel, which is part of what is tested.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "dm/ioreq.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/sim/sim.h"

#define SEED 0x4861726d6c657373ull /* "Harmless" */

/* Bursts per board and operations per burst: ~10^5 accesses per board. */
#define BURSTS	      1000
#define OPS_PER_BURST 400
/* Every this many bursts the firmware set-up runs again (BARs back in place). */
#define REMAP_EVERY 25

#define MAX_REGIONS 256
#define RAM_MB	    32
#define DISK_BYTES  (1u << 20)
#define CD_BYTES    (1u << 20)

/* A timer further out than this after a burst is a runaway deadline. */
#define TIMER_HORIZON_NS (3600ull * 1000000000ull)

/* ---------------------------------------------------------------- PRNG (splitmix64) */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned percent)
{
	return rnd_below(100) < percent;
}

/* An interesting value: all zeros/ones, single bits, small, or anything. */
static uint64_t rnd_value(void)
{
	switch (rnd_below(6)) {
	case 0:
		return 0;
	case 1:
		return ~0ull;
	case 2:
		return 1ull << rnd_below(64);
	case 3:
		return rnd_below(256);
	default:
		return rnd();
	}
}

/* ---------------------------------------------------------------- the rig */

struct rig {
	struct sim sim;
	struct machine_opts o;
	char disk[64], cd[64];
	char drive_hd[160], drive_cd[160], dev_cd[96];
	char *drives[2], *devices[1], *serials[1];

	/* Snapshot of the map, taken at the start of each burst. */
	struct region pio[MAX_REGIONS], mmio[MAX_REGIONS];
	size_t npio, nmmio;
	unsigned devfns[256];
	size_t ndevfns;
	uint16_t vendor[256];

	uint64_t ops, resets;
};

static char serial_null[] = "null";

static void make_image(char *path, size_t len, const char *tag, uint64_t bytes)
{
	int fd;

	snprintf(path, len, "/tmp/hvmdm-badinput-%d-%s.img", (int)getpid(), tag);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
}

static void rig_init(struct rig *r, enum machine_kind kind)
{
	memset(r, 0, sizeof(*r));
	make_image(r->disk, sizeof(r->disk), "disk", DISK_BYTES);
	make_image(r->cd, sizeof(r->cd), "cd", CD_BYTES);
	snprintf(r->drive_hd, sizeof(r->drive_hd),
		 "file=%s,if=ide,index=0,media=disk,format=raw,cache=unsafe", r->disk);
	snprintf(r->drive_cd, sizeof(r->drive_cd), "if=none,readonly=on,id=cd0,file=%s,format=raw",
		 r->cd);
	snprintf(r->dev_cd, sizeof(r->dev_cd), "ide-cd,id=cd0,drive=cd0,bus=ide.1,unit=0");
	r->drives[0] = r->drive_hd;
	r->drives[1] = r->drive_cd;
	r->devices[0] = r->dev_cd;
	r->serials[0] = serial_null;

	r->o.kind = kind;
	r->o.ram_mb = RAM_MB;
	r->o.smp = 2;
	r->o.nodefaults = true;
	r->o.drives = (struct strlist){ r->drives, 2 };
	r->o.devices = (struct strlist){ r->devices, 1 };
	r->o.serials = (struct strlist){ r->serials, 1 };
	assert_int_equal(sim_init(&r->sim, &r->o), 0);
}

static void rig_fini(struct rig *r)
{
	/* Teardown leaves no timer armed and no mapping live (as the fuzz harness checks). */
	machine_teardown(&r->sim.m);
	assert_int_equal(loop_timers_armed(r->sim.m.loop), 0);
	assert_int_equal(r->sim.ram.maps_live, 0);
	sim_fini(&r->sim);
	unlink(r->disk);
	unlink(r->cd);
}

static struct bus *BUS(struct rig *r)
{
	return r->sim.m.bus;
}

static void firmware_setup(struct rig *r);

/*
 * After each operation, as the trace executor does: a requested reset
 * happens now; then the firmware runs again, as it would after a reboot.
 */
static void after_op(struct rig *r)
{
	r->ops++;
	if (!r->sim.reset_pending)
		return;
	r->resets++;
	sim_after_command(&r->sim);
	firmware_setup(r);
}

/* ---------------------------------------------------------------- snapshot of the map */

static void snap_pio(void *opaque, const struct region *reg)
{
	struct rig *r = opaque;

	if (r->npio < MAX_REGIONS)
		r->pio[r->npio++] = *reg;
}

static void snap_mmio(void *opaque, const struct region *reg)
{
	struct rig *r = opaque;

	if (r->nmmio < MAX_REGIONS)
		r->mmio[r->nmmio++] = *reg;
}

static void snapshot(struct rig *r)
{
	r->npio = r->nmmio = 0;
	bus_for_each(BUS(r), BUS_PIO, snap_pio, r);
	bus_for_each(BUS(r), BUS_MMIO, snap_mmio, r);
	assert_true(r->npio > 0 && r->npio < MAX_REGIONS);
	assert_true(r->nmmio < MAX_REGIONS);
}

/* ---------------------------------------------------------------- config helpers */

static uint32_t cfg_rd(struct rig *r, unsigned devfn, unsigned reg, unsigned size)
{
	return bus_pci_read(BUS(r), devfn, reg, size);
}

static void cfg_wr(struct rig *r, unsigned devfn, unsigned reg, uint32_t val, unsigned size)
{
	bus_pci_write(BUS(r), devfn, reg, val, size);
}

/*
 * What SeaBIOS/hvmloader do before a guest driver runs: size every BAR,
 * place it (I/O from 0xc000, memory from 0xe0000000, each aligned to its
 * size), turn decode and bus mastering on; PIIX3 PIRQ routes; the PIIX4 PM
 * block at 0xb000.
 */
static void firmware_setup(struct rig *r)
{
	uint64_t io = 0xc000, mem = 0xe0000000ull;

	for (unsigned devfn = 0; devfn < 256; devfn++) {
		if (!bus_pci_present(BUS(r), devfn))
			continue;
		for (unsigned bar = 0; bar < 6; bar++) {
			unsigned reg = 0x10 + 4 * bar;
			uint32_t orig = cfg_rd(r, devfn, reg, 4), sz;
			uint64_t size, *next;
			bool is64;

			cfg_wr(r, devfn, reg, 0xffffffffu, 4);
			sz = cfg_rd(r, devfn, reg, 4);
			if (!sz) {
				cfg_wr(r, devfn, reg, orig, 4);
				continue;
			}
			is64 = !(sz & 1) && (sz & 6) == 4;
			size = (uint64_t)(~(sz & (sz & 1 ? ~3u : ~15u)) + 1u);
			if (sz & 1)
				size &= 0xffff;
			if (!size)
				continue;
			next = sz & 1 ? &io : &mem;
			*next = (*next + size - 1) & ~(size - 1);
			cfg_wr(r, devfn, reg, (uint32_t)*next, 4);
			if (is64) {
				cfg_wr(r, devfn, reg + 4, 0, 4);
				bar++;
			}
			*next += size;
		}
		cfg_wr(r, devfn, 0x04, cfg_rd(r, devfn, 0x04, 2) | 0x7, 2);
	}
	/* PIIX3 PIRQA-D -> IRQ 5, 10, 11, 5; PIIX4 PM I/O at 0xb000, enabled. */
	cfg_wr(r, 0x08, 0x60, 0x050b0a05, 4);
	cfg_wr(r, 0x0b, 0x40, 0xb001, 4);
	cfg_wr(r, 0x0b, 0x80, 1, 1);
}

/* BAD_INPUT_VERBOSE=1: the map the bursts start from (what is being hit). */
static void print_region(void *opaque, const struct region *g)
{
	(void)opaque;
	printf("    %-4s %#10" PRIx64 "+%#-8" PRIx64 " %s\n", g->space == BUS_PIO ? "pio" : "mmio",
	       g->base, g->len, g->name);
}

static void print_map(struct rig *r)
{
	if (!getenv("BAD_INPUT_VERBOSE"))
		return;
	bus_for_each(BUS(r), BUS_PIO, print_region, NULL);
	bus_for_each(BUS(r), BUS_MMIO, print_region, NULL);
	for (size_t i = 0; i < r->ndevfns; i++)
		printf("    pci  %02x.%x %04x\n", r->devfns[i] >> 3, r->devfns[i] & 7,
		       r->vendor[r->devfns[i]]);
}

static void record_functions(struct rig *r)
{
	r->ndevfns = 0;
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		if (!bus_pci_present(BUS(r), devfn))
			continue;
		r->devfns[r->ndevfns++] = devfn;
		r->vendor[devfn] = (uint16_t)cfg_rd(r, devfn, 0, 2);
	}
	assert_true(r->ndevfns >= 4);
}

/* ---------------------------------------------------------------- operations */

static unsigned rnd_pio_size(void)
{
	static const unsigned s[] = { 1, 2, 4 };

	return s[rnd_below(3)];
}

static unsigned rnd_mmio_size(void)
{
	static const unsigned s[] = { 1, 2, 4, 8 };

	return s[rnd_below(4)];
}

/* An offset in a region: anywhere, near either end, or a few bytes outside. */
static uint64_t rnd_offset(uint64_t len)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(8);
	case 1:
		return len - 1 - rnd_below(len < 8 ? len : 8);
	case 2:
		return len + rnd_below(8) - 4; /* may wrap below 0: 4 bytes before */
	default:
		return rnd_below(len);
	}
}

static uint64_t rnd_port(struct rig *r)
{
	const struct region *g = &r->pio[rnd_below(r->npio)];

	return (g->base + rnd_offset(g->len)) & 0xffff;
}

static uint64_t rnd_mmio_addr(struct rig *r)
{
	const struct region *g;

	if (!r->nmmio)
		return 0xe0000000ull + rnd_below(1u << 24);
	g = &r->mmio[rnd_below(r->nmmio)];
	return g->base + rnd_offset(g->len);
}

static void op_pio(struct rig *r)
{
	uint64_t port = rnd_port(r);
	unsigned size = rnd_pio_size();

	if (chance(60))
		bus_write(BUS(r), BUS_PIO, port, rnd_value(), size);
	else
		(void)bus_read(BUS(r), BUS_PIO, port, size);
}

static void op_mmio(struct rig *r)
{
	uint64_t addr = rnd_mmio_addr(r);
	unsigned size = rnd_mmio_size();

	if (chance(60))
		bus_write(BUS(r), BUS_MMIO, addr, rnd_value(), size);
	else
		(void)bus_read(BUS(r), BUS_MMIO, addr, size);
}

/* A config register: 0-255 mostly, sometimes the extended space or past it. */
static unsigned rnd_cfg_reg(void)
{
	switch (rnd_below(10)) {
	case 0:
		return 256 + (unsigned)rnd_below(3840);
	case 1:
		return 4096 - 4 + (unsigned)rnd_below(8) + (chance(50) ? 0 : (unsigned)rnd());
	default:
		return (unsigned)rnd_below(256);
	}
}

/* A target: a present function, an absent one, or another bus/segment. */
static uint32_t rnd_sbdf(struct rig *r)
{
	switch (rnd_below(10)) {
	case 0:
		return (uint32_t)rnd_below(256);
	case 1:
		return (uint32_t)rnd();
	default:
		return r->devfns[rnd_below(r->ndevfns)];
	}
}

/*
 * Config writes to the header's decode registers move BARs all over the
 * place, which is the point; an occasional write of the chosen value to a
 * BAR at a sane address keeps devices reachable between set-ups.
 */
static void op_cfg(struct rig *r)
{
	uint32_t sbdf = rnd_sbdf(r);
	unsigned reg = rnd_cfg_reg(), size = rnd_pio_size();

	if (chance(60))
		bus_pci_write(BUS(r), sbdf, reg, (uint32_t)rnd_value(), size);
	else
		(void)bus_pci_read(BUS(r), sbdf, reg, size);
}

/* Through the chipset's ports: CONFIG_ADDRESS then CONFIG_DATA at any offset. */
static void op_cf8(struct rig *r)
{
	uint32_t addr = chance(80) ? 0x80000000u | (r->devfns[rnd_below(r->ndevfns)] << 8) |
					 (uint32_t)rnd_below(256)
				   : (uint32_t)rnd();
	unsigned size = rnd_pio_size();
	uint64_t port = 0xcfc + rnd_below(4);

	bus_write(BUS(r), BUS_PIO, 0xcf8, addr, 4);
	if (chance(60))
		bus_write(BUS(r), BUS_PIO, port, rnd_value(), size);
	else
		(void)bus_read(BUS(r), BUS_PIO, port, size);
}

/* A guest-physical buffer address: RAM, its edges, MMIO, holes, high, the top. */
static uint64_t rnd_gpa(struct rig *r)
{
	uint64_t ram = (uint64_t)RAM_MB << 20;

	switch (rnd_below(8)) {
	case 0:
		return rnd_below(ram);
	case 1:
		return ram - rnd_below(16);
	case 2:
		return rnd_mmio_addr(r);
	case 3:
		return 0x100000000ull + rnd_below(1u << 20);
	case 4:
		return ~0ull - rnd_below(64);
	case 5:
		return rnd();
	default:
		return rnd_below(1u << 20);
	}
}

static uint32_t rnd_count(void)
{
	switch (rnd_below(6)) {
	case 0:
		return 0;
	case 1:
		return DM_IOREQ_MAX_COUNT + (uint32_t)rnd_below(3);
	case 2:
		return (uint32_t)rnd();
	case 3:
		return 1 + (uint32_t)rnd_below(DM_IOREQ_MAX_COUNT);
	default:
		return 1 + (uint32_t)rnd_below(16);
	}
}

static void op_ioreq(struct rig *r)
{
	static const uint8_t types[] = { DM_IOREQ_PIO,
					 DM_IOREQ_PIO,
					 DM_IOREQ_COPY,
					 DM_IOREQ_COPY,
					 DM_IOREQ_PCI_CONFIG,
					 DM_IOREQ_TIMEOFFSET,
					 DM_IOREQ_INVALIDATE,
					 3,
					 255 };
	static const uint32_t sizes[] = { 1, 2, 4, 8, 0, 3, 16 };
	struct dm_ioreq q = { 0 };

	q.type = chance(95) ? types[rnd_below(sizeof(types) - 2)] : types[rnd_below(sizeof(types))];
	q.dir = chance(95) ? (uint8_t)rnd_below(2) : (uint8_t)rnd();
	q.size =
	    chance(95) ? sizes[rnd_below(q.type == DM_IOREQ_COPY ? 4 : 3)] : sizes[rnd_below(7)];
	if (q.type == DM_IOREQ_PCI_CONFIG && chance(90))
		q.count = 1;
	else
		q.count = chance(70) ? 1 + (uint32_t)rnd_below(16) : rnd_count();
	q.df = chance(20);
	q.data_is_ptr = chance(50);
	q.data = q.data_is_ptr ? rnd_gpa(r) : rnd_value();
	switch (q.type) {
	case DM_IOREQ_PIO:
		q.addr = chance(95) ? rnd_port(r) : rnd();
		break;
	case DM_IOREQ_COPY:
		q.addr = chance(80) ? rnd_mmio_addr(r) : rnd_gpa(r);
		break;
	case DM_IOREQ_PCI_CONFIG:
		q.addr = (uint64_t)rnd_sbdf(r) << 32 | rnd_cfg_reg();
		break;
	default:
		q.addr = rnd();
		break;
	}
	(void)ioreq_handle(&r->sim.m.io, &q);
}

/*
 * The guest CPU writing its own RAM: descriptors and buffers a device may
 * read. Mostly the first MiB, where small register values point.
 */
static void op_ram(struct rig *r)
{
	uint64_t gpa = chance(80) ? rnd_below(1u << 20) : rnd_below((uint64_t)RAM_MB << 20);
	uint8_t *p = flat_ram_ptr(&r->sim.ram, gpa, 64);

	for (unsigned i = 0; p && i < 64; i += 8) {
		uint64_t v = rnd_value();

		memcpy(p + i, &v, 8);
	}
}

static void op_clock(struct rig *r)
{
	uint64_t ns = chance(90) ? rnd_below(10000000) : rnd_below(2000000000ull);

	loop_clock_step(r->sim.m.loop, ns);
}

static void one_op(struct rig *r)
{
	unsigned k = (unsigned)rnd_below(100);

	if (k < 35)
		op_pio(r);
	else if (k < 50)
		op_mmio(r);
	else if (k < 70)
		op_cfg(r);
	else if (k < 78)
		op_cf8(r);
	else if (k < 92)
		op_ioreq(r);
	else if (k < 96)
		op_ram(r);
	else
		op_clock(r);
	after_op(r);
}

/* ---------------------------------------------------------------- consistency */

struct walk {
	enum bus_space space;
	struct bus *bus;
	uint64_t next; /* first address the next region may start at */
	bool any;
	size_t n;
};

static void check_region(void *opaque, const struct region *g)
{
	struct walk *w = opaque;

	assert_non_null(g->ops);
	assert_true(g->mapped);
	assert_true(g->len > 0);
	assert_true(g->base + (g->len - 1) >= g->base); /* no wrap */
	if (w->space == BUS_PIO)
		assert_true(g->base + g->len <= 0x10000);
	if (w->any)
		assert_true(g->base >= w->next); /* sorted, no overlap */
	assert_ptr_equal(bus_find(w->bus, w->space, g->base), g);
	assert_ptr_equal(bus_find(w->bus, w->space, g->base + g->len - 1), g);
	w->next = g->base + g->len;
	w->any = true;
	w->n++;
}

static void check_map(struct rig *r, enum bus_space space)
{
	struct walk w = { .space = space, .bus = BUS(r) };

	bus_for_each(BUS(r), space, check_region, &w);
	if (space == BUS_PIO)
		assert_true(w.n > 0);
}

static void check_consistent(struct rig *r)
{
	struct loop *l = r->sim.m.loop;
	uint64_t now, next;

	check_map(r, BUS_PIO);
	check_map(r, BUS_MMIO);
	assert_int_equal(r->sim.ram.maps_live, 0);

	/* Due timers fire on a step; what is left is few and in the (near) future. */
	loop_clock_step(l, 0);
	now = loop_now(l);
	next = loop_next_deadline(l);
	assert_true(loop_timers_armed(l) < 64);
	if (next != UINT64_MAX) {
		assert_true(next > now);
		assert_true(next - now < TIMER_HORIZON_NS);
	}

	/* The platform's INTx bookkeeping adds up: each link counts its asserted pins. */
	for (unsigned link = 0; link < 4; link++) {
		unsigned n = 0;

		for (unsigned devfn = 0; devfn < 256; devfn++)
			for (unsigned pin = 0; pin < 4; pin++)
				n += (r->sim.intx[devfn] >> pin & 1) &&
				     pci_intx_link(devfn, pin) == link;
		assert_int_equal(r->sim.link_count[link], n);
	}

	/* Config access cannot be broken from the guest. */
	assert_int_equal(bus_pci_read(BUS(r), 0, 0, 4), 0x12378086);
	bus_write(BUS(r), BUS_PIO, 0xcf8, 0x80000000u, 4);
	assert_int_equal(bus_read(BUS(r), BUS_PIO, 0xcfc, 4), 0x12378086);
	for (size_t i = 0; i < r->ndevfns; i++) {
		unsigned devfn = r->devfns[i];

		assert_true(bus_pci_present(BUS(r), devfn));
		assert_int_equal(cfg_rd(r, devfn, 0, 2), r->vendor[devfn]);
	}
}

/* ---------------------------------------------------------------- the runs */

static void run_board(enum machine_kind kind, uint64_t seed)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	rng_state = seed;
	rig_init(r, kind);
	firmware_setup(r);
	record_functions(r);
	print_map(r);
	check_consistent(r);
	for (unsigned b = 0; b < BURSTS; b++) {
		if (b % REMAP_EVERY == 0)
			firmware_setup(r);
		snapshot(r);
		for (unsigned i = 0; i < OPS_PER_BURST; i++)
			one_op(r);
		check_consistent(r);
	}
	/* Something happened: accesses were claimed and the guest did reset the machine. */
	assert_true(r->ops == (uint64_t)BURSTS * OPS_PER_BURST);
	assert_true(r->sim.m.io.handled > 0 && r->sim.m.io.rejected > 0);
	printf("  %s: %" PRIu64 " ops, %" PRIu64 " ioreqs (%" PRIu64 " rejected), %" PRIu64
	       " resets, %" PRIu64 " power-off requests\n",
	       kind == MACHINE_XENFV ? "xenfv" : "pc", r->ops, r->sim.m.io.handled,
	       r->sim.m.io.rejected, r->resets, r->sim.requests[PLAT_REQ_POWEROFF]);
	rig_fini(r);
	free(r);
}

/* BAD_INPUT_SEED=N: explore from another seed (the checked-in runs use the fixed ones). */
static uint64_t seed_of(uint64_t fixed)
{
	const char *s = getenv("BAD_INPUT_SEED");

	return s ? fixed ^ strtoull(s, NULL, 0) : fixed;
}

static void test_xenfv(void **state)
{
	(void)state;
	run_board(MACHINE_XENFV, seed_of(SEED));
}

static void test_pc(void **state)
{
	(void)state;
	run_board(MACHINE_PC, seed_of(SEED ^ 0x5043));
}

/* A second xenfv run from another seed: other paths through the same registers. */
static void test_xenfv_seed2(void **state)
{
	(void)state;
	run_board(MACHINE_XENFV, seed_of(SEED * 3 + 1));
}

static int quiet(void **state)
{
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	/* Guest errors are the expected output of this test: thousands of them. */
	if (null)
		log_set_stream(null);
	blk_set_sync(true);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xenfv),
		cmocka_unit_test(test_pc),
		cmocka_unit_test(test_xenfv_seed2),
	};

	return cmocka_run_group_tests(tests, quiet, NULL);
}
