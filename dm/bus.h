/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port-I/O, MMIO and PCI-config dispatch.
 *
 * A device describes each register block as a struct region (owned by the
 * device, usually inside its state) and adds it to the bus. Handlers get the
 * offset within their region and a value, never an absolute address or an
 * ioreq. Lookup: a flat 64K table for ports, a sorted array with binary
 * search and a last-hit cache for MMIO, a devfn-indexed array for PCI config.
 *
 * Sizes: a region declares the access sizes its handlers take
 * ([min_size, max_size], powers of two up to 8). The core splits a wider or
 * misaligned access into aligned pieces, little-endian, and widens a
 * narrower one: a narrow read reads the aligned min_size word and extracts
 * the bytes; a narrow write writes the aligned min_size word with the value
 * shifted into place and zeroes elsewhere (as QEMU does; no read-modify-write,
 * since reads can have side effects). An access that spans two regions, or
 * runs off the end of one, is done byte by byte.
 *
 * Unclaimed reads answer all ones, unclaimed writes are dropped; both are
 * logged (guest_errors, rate-limited).
 *
 * Every change of the map (add, remove, move, decode on/off) goes through
 * bus_apply(), which also tells the platform (claim/release of the range with
 * the ioreq server) and rolls everything back if any step fails.
 */
#ifndef DM_BUS_H
#define DM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bus_space { BUS_PIO, BUS_MMIO };

struct region_ops {
	uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
	void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
	uint8_t min_size;  /* 0 means 1 */
	uint8_t max_size;  /* 0 means 4 for PIO, 8 for MMIO */
	bool unaligned_ok; /* handler takes accesses not aligned to their size */
	/*
	 * Optional string I/O on a port (REP INS / REP OUTS; PIO regions only,
	 * NULL: the core makes count single accesses). Moves up to count
	 * elements of size bytes, all at off, into buf (read_rep) or out of it
	 * (write_rep), packed one after another, little-endian; the effect of
	 * each element on the device (status, interrupts, end of a data block)
	 * must be exactly that of one read/write call. Returns how many
	 * elements it moved, from the first; fewer than count (even 0) when it
	 * cannot go on in bulk, and the core then does the rest one access at
	 * a time. Called only with size in [min_size, max_size] and an access
	 * that fits the region (and is aligned unless unaligned_ok). buf may
	 * point into guest memory: the op must not change the bus map nor
	 * touch guest memory itself.
	 */
	size_t (*read_rep)(void *opaque, uint64_t off, unsigned size, void *buf, size_t count);
	size_t (*write_rep)(void *opaque, uint64_t off, unsigned size, const void *buf,
			    size_t count);
};

struct region {
	const char *name;
	enum bus_space space;
	uint64_t base; /* where it is mapped (or will be, by bus_add) */
	uint64_t len;  /* bytes, > 0 */
	const struct region_ops *ops;
	void *opaque;
	/* Owned by the bus. */
	bool mapped;
	unsigned slot; /* index in the bus's region table while mapped */
};

/*
 * The platform's view of the map: told of every claimed range and PCI
 * function, may refuse (the change is then rolled back).
 */
struct bus_listener {
	int (*claim_range)(void *opaque, enum bus_space space, uint64_t first, uint64_t last,
			   bool claim);
	int (*claim_pci)(void *opaque, unsigned devfn, bool claim);
	void *opaque;
};

struct pci_cfg_ops {
	/* reg < 256 + size <= 4, aligned to size; the PCI core handles the rest. */
	uint32_t (*read)(void *opaque, unsigned reg, unsigned size);
	void (*write)(void *opaque, unsigned reg, uint32_t val, unsigned size);
};

struct bus;

struct bus *bus_new(void);
void bus_free(struct bus *bus);
void bus_set_listener(struct bus *bus, const struct bus_listener *l);

/* One change of the map: region r ends up mapped at base (map) or unmapped. */
struct region_change {
	struct region *r;
	bool map;
	uint64_t base;
};

/*
 * Apply all changes or none: 0, -EEXIST (overlap), -EINVAL (bad range,
 * port range beyond 0xffff, zero length, bad ops sizes, string I/O ops on an
 * MMIO region, one region twice in the batch), -ENOMEM, or the listener's
 * error. The listener sees releases before claims; a change that changes
 * nothing (mapping a region where it already is, unmapping an unmapped one)
 * does not reach it.
 */
__attribute__((warn_unused_result)) int bus_apply(struct bus *bus, const struct region_change *ch,
						  size_t n);
/* Shorthands for one change. bus_del removes r from the map even if the listener refuses. */
__attribute__((warn_unused_result)) int bus_add(struct bus *bus, struct region *r);
void bus_del(struct bus *bus, struct region *r);
__attribute__((warn_unused_result)) int bus_move(struct bus *bus, struct region *r, uint64_t base);

/* size 1, 2, 4 or 8 (PIO: 1, 2, 4). Values are little-endian, low bytes first. */
uint64_t bus_read(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size);
void bus_write(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t val, unsigned size);
/*
 * The region that takes an access of size bytes at addr whole, in one call of
 * its handler (the access fits inside it and has a size and alignment it
 * declares), or NULL; *off gets the offset within it.
 */
struct region *bus_find_access(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size,
			       uint64_t *off);
/*
 * REP INS / REP OUTS of count elements of size bytes at port, in bulk through
 * the region's read_rep/write_rep: the number of elements moved from the
 * first, at most count (a device claiming more is clamped); 0 when the port's
 * region has no such op or does not take the access whole. The caller does
 * the rest with bus_read/bus_write.
 */
size_t bus_read_rep(struct bus *bus, uint64_t port, unsigned size, void *buf, size_t count);
size_t bus_write_rep(struct bus *bus, uint64_t port, unsigned size, const void *buf, size_t count);
/* The region mapped at addr, or NULL. */
struct region *bus_find(struct bus *bus, enum bus_space space, uint64_t addr);
/*
 * The lowest-addressed mapped region overlapping [addr, addr + len), or NULL
 * (len 0: none). Lets a caller split a guest-physical range into RAM and MMIO.
 */
struct region *bus_find_range(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t len);

/* Call fn for every mapped region of space, in address order. For checks and QMP. */
void bus_for_each(struct bus *bus, enum bus_space space,
		  void (*fn)(void *opaque, const struct region *r), void *opaque);
/* Count of unclaimed accesses so far (tests, stats). */
uint64_t bus_unclaimed_count(const struct bus *bus);

/* PCI config space of bus 0, by devfn (slot << 3 | function). */
__attribute__((warn_unused_result)) int bus_pci_attach(struct bus *bus, unsigned devfn,
						       const struct pci_cfg_ops *ops, void *opaque);
void bus_pci_detach(struct bus *bus, unsigned devfn);
bool bus_pci_present(const struct bus *bus, unsigned devfn);
/*
 * sbdf as Xen encodes it (seg << 16 | bus << 8 | devfn). Anything but
 * segment 0 bus 0, or an absent function, reads all ones and drops writes.
 * reg may be up to 4095 (extended space reads all ones). An access not
 * aligned to its size is done byte by byte.
 */
uint32_t bus_pci_read(struct bus *bus, uint32_t sbdf, unsigned reg, unsigned size);
void bus_pci_write(struct bus *bus, uint32_t sbdf, unsigned reg, uint32_t val, unsigned size);

#endif
