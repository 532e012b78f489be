// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port-I/O, MMIO and PCI-config dispatch; the contract is dm/bus.h.
 *
 * Every mapped region takes a slot in one region table. Ports are looked
 * up through a flat 64K array of 16-bit slot numbers (0 = nothing there):
 * one load per access. MMIO regions sit in an array sorted by base, found
 * by binary search behind a one-entry last-hit cache that every map change
 * clears. PCI functions of bus 0 sit in a 256-entry devfn array.
 *
 * Size adjustment follows QEMU's memory core: an access a region cannot
 * take whole is cut into the largest aligned pieces it accepts; a piece
 * narrower than min_size becomes one access of min_size at the aligned
 * word holding it (reads extract the bytes, writes shift the value into
 * place with zeroes elsewhere: never read-modify-write, since device reads
 * have side effects). An access that spans regions, a hole or the end of a
 * region is done byte by byte.
 *
 * String I/O (bus_read_rep/bus_write_rep) reaches a port region's optional
 * read_rep/write_rep only when one element is an access the region takes
 * whole; the answer is clamped to the count asked, and whatever the device
 * did not move is left to the caller's element-by-element loop.
 *
 * PCI config accesses not aligned to their size are done byte by byte
 * (reg < 256 + size <= 4, aligned, is all a function ever sees); bytes at
 * 256 and above read all ones.
 *
 * bus_apply() validates the whole batch first, then edits the local map,
 * then tells the listener (all releases, then all claims); any failure
 * undoes what was done in reverse, so the map and the listener's view end
 * exactly as they were.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/log.h"

#define BUS_PORTS	  0x10000u
#define BUS_MAX_SLOTS	  0xffffu /* slot numbers fit the 16-bit port table; 0 means none */
#define BUS_PCI_FNS	  256u
#define PCI_CFG_SPACE	  256u
#define PCI_CFG_EXT_SPACE 4096u

struct pci_fn {
	const struct pci_cfg_ops *ops;
	void *opaque;
};

struct bus {
	uint16_t port[BUS_PORTS];
	struct region **slots; /* slots[0] stays NULL */
	unsigned nslots;       /* entries in slots, slot 0 included */
	struct region **mmio;  /* mapped MMIO regions, sorted by base */
	size_t nmmio, mmio_cap;
	struct region *mmio_hit;
	struct bus_listener l;
	uint64_t unclaimed;
	struct pci_fn pci[BUS_PCI_FNS];
};

static const char *const space_name[] = { [BUS_PIO] = "pio", [BUS_MMIO] = "mmio" };

static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static inline unsigned r_min(const struct region *r)
{
	return r->ops->min_size ? r->ops->min_size : 1;
}

static inline unsigned r_max(const struct region *r)
{
	if (r->ops->max_size)
		return r->ops->max_size;
	return r->space == BUS_PIO ? 4 : 8;
}

static inline uint64_t r_last(const struct region *r)
{
	return r->base + r->len - 1;
}

struct bus *bus_new(void)
{
	struct bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	bus->nslots = 16;
	bus->slots = calloc(bus->nslots, sizeof(*bus->slots));
	if (!bus->slots) {
		free(bus);
		return NULL;
	}
	return bus;
}

void bus_free(struct bus *bus)
{
	unsigned i;

	if (!bus)
		return;
	for (i = 1; i < bus->nslots; i++)
		if (bus->slots[i])
			bus->slots[i]->mapped = false;
	free(bus->slots);
	free(bus->mmio);
	free(bus);
}

void bus_set_listener(struct bus *bus, const struct bus_listener *l)
{
	if (l)
		bus->l = *l;
	else
		memset(&bus->l, 0, sizeof(bus->l));
}

uint64_t bus_unclaimed_count(const struct bus *bus)
{
	return bus->unclaimed;
}

/* ------------------------------------------------------------ lookup */

/* Index of the last MMIO region with base <= addr, or -1. */
static long mmio_floor(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nmmio;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->mmio[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

static inline bool r_contains(const struct region *r, uint64_t addr)
{
	return addr - r->base < r->len;
}

static struct region *mmio_lookup(struct bus *bus, uint64_t addr)
{
	struct region *r = bus->mmio_hit;
	long i;

	if (r && r_contains(r, addr))
		return r;
	i = mmio_floor(bus, addr);
	if (i < 0 || !r_contains(bus->mmio[i], addr))
		return NULL;
	bus->mmio_hit = bus->mmio[i];
	return bus->mmio_hit;
}

static inline struct region *lookup(struct bus *bus, enum bus_space space, uint64_t addr)
{
	if (space == BUS_PIO)
		return addr < BUS_PORTS ? bus->slots[bus->port[addr]] : NULL;
	return mmio_lookup(bus, addr);
}

struct region *bus_find(struct bus *bus, enum bus_space space, uint64_t addr)
{
	if (space != BUS_PIO && space != BUS_MMIO)
		return NULL;
	return lookup(bus, space, addr);
}

struct region *bus_find_range(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t len)
{
	uint64_t last, p;
	long i;

	if (!len || (space != BUS_PIO && space != BUS_MMIO))
		return NULL;
	last = addr + (len - 1) < addr ? ~0ull : addr + (len - 1);
	if (space == BUS_PIO) {
		for (p = addr; p <= last && p < BUS_PORTS; p++)
			if (bus->port[p])
				return bus->slots[bus->port[p]];
		return NULL;
	}
	i = mmio_floor(bus, addr);
	if (i >= 0 && r_contains(bus->mmio[i], addr))
		return bus->mmio[i];
	if ((size_t)(i + 1) < bus->nmmio && bus->mmio[i + 1]->base <= last)
		return bus->mmio[i + 1];
	return NULL;
}

void bus_for_each(struct bus *bus, enum bus_space space,
		  void (*fn)(void *opaque, const struct region *r), void *opaque)
{
	size_t i;
	uint64_t p = 0;

	if (space == BUS_MMIO) {
		for (i = 0; i < bus->nmmio; i++)
			fn(opaque, bus->mmio[i]);
		return;
	}
	while (p < BUS_PORTS) {
		struct region *r = bus->slots[bus->port[p]];

		if (!r) {
			p++;
			continue;
		}
		fn(opaque, r);
		p = r->base + r->len;
	}
}

/* ------------------------------------------------------------ the local map */

static int slots_reserve(struct bus *bus, size_t extra)
{
	size_t used = 0, want, n;
	struct region **s;
	unsigned i;

	for (i = 1; i < bus->nslots; i++)
		used += bus->slots[i] != NULL;
	want = 1 + used + extra;
	if (want > BUS_MAX_SLOTS + 1)
		return -ENOSPC;
	if (want <= bus->nslots)
		return 0;
	n = bus->nslots;
	while (n < want)
		n *= 2;
	if (n > BUS_MAX_SLOTS + 1)
		n = BUS_MAX_SLOTS + 1;
	s = realloc(bus->slots, n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + bus->nslots, 0, (n - bus->nslots) * sizeof(*s));
	bus->slots = s;
	bus->nslots = (unsigned)n;
	return 0;
}

static int mmio_reserve(struct bus *bus, size_t extra)
{
	size_t n = bus->mmio_cap ? bus->mmio_cap : 16;
	struct region **m;

	if (bus->nmmio + extra <= bus->mmio_cap)
		return 0;
	while (n < bus->nmmio + extra)
		n *= 2;
	m = realloc(bus->mmio, n * sizeof(*m));
	if (!m)
		return -ENOMEM;
	bus->mmio = m;
	bus->mmio_cap = n;
	return 0;
}

static unsigned slot_alloc(const struct bus *bus)
{
	unsigned i;

	for (i = 1; i < bus->nslots; i++)
		if (!bus->slots[i])
			return i;
	return 0; /* not reached: slots_reserve ran first */
}

static int pio_insert(struct bus *bus, struct region *r, uint64_t base, unsigned slot)
{
	uint64_t p;

	for (p = base; p < base + r->len; p++)
		if (bus->port[p])
			return -EEXIST;
	for (p = base; p < base + r->len; p++)
		bus->port[p] = (uint16_t)slot;
	return 0;
}

static int mmio_insert(struct bus *bus, struct region *r, uint64_t base)
{
	uint64_t last = base + r->len - 1;
	size_t at = (size_t)(mmio_floor(bus, base) + 1);

	if (at > 0 && r_last(bus->mmio[at - 1]) >= base)
		return -EEXIST;
	if (at < bus->nmmio && bus->mmio[at]->base <= last)
		return -EEXIST;
	memmove(bus->mmio + at + 1, bus->mmio + at, (bus->nmmio - at) * sizeof(*bus->mmio));
	bus->mmio[at] = r;
	bus->nmmio++;
	return 0;
}

/* Map r at base in slot (0: a free one). -EEXIST if anything is there. */
static int map_insert(struct bus *bus, struct region *r, uint64_t base, unsigned slot)
{
	int rc;

	if (!slot)
		slot = slot_alloc(bus);
	if (r->space == BUS_PIO)
		rc = pio_insert(bus, r, base, slot);
	else
		rc = mmio_insert(bus, r, base);
	if (rc)
		return rc;
	bus->slots[slot] = r;
	r->slot = slot;
	r->base = base;
	r->mapped = true;
	bus->mmio_hit = NULL;
	return 0;
}

static void map_remove(struct bus *bus, struct region *r)
{
	uint64_t p;
	long at;

	if (r->space == BUS_PIO) {
		for (p = r->base; p < r->base + r->len; p++)
			bus->port[p] = 0;
	} else {
		at = mmio_floor(bus, r->base);
		if (at < 0 || bus->mmio[at] != r) {
			dm_err("bus", "%s is not in this bus's MMIO map", r->name);
			return;
		}
		memmove(bus->mmio + at, bus->mmio + at + 1,
			(bus->nmmio - (size_t)at - 1) * sizeof(*bus->mmio));
		bus->nmmio--;
	}
	bus->slots[r->slot] = NULL;
	r->mapped = false;
	bus->mmio_hit = NULL;
}

/* ------------------------------------------------------------ bus_apply */

struct saved {
	bool skip; /* nothing changes for this entry */
	bool was_mapped;
	bool inserted;
	uint64_t base;
	unsigned slot;
};

static bool pow2_size_ok(unsigned s)
{
	return s == 0 || s == 1 || s == 2 || s == 4 || s == 8;
}

static int check_change(const struct region_change *c)
{
	const struct region *r = c->r;

	if (!r || !r->ops || !r->ops->read || !r->ops->write)
		return -EINVAL;
	if (r->space != BUS_PIO && r->space != BUS_MMIO)
		return -EINVAL;
	if (!pow2_size_ok(r->ops->min_size) || !pow2_size_ok(r->ops->max_size) ||
	    r_min(r) > r_max(r) || (r->space == BUS_PIO && r_max(r) > 4))
		return -EINVAL;
	/* String I/O ops are port semantics (one offset, many elements). */
	if (r->space != BUS_PIO && (r->ops->read_rep || r->ops->write_rep))
		return -EINVAL;
	if (!c->map)
		return 0;
	if (!r->len || c->base + (r->len - 1) < c->base)
		return -EINVAL;
	if (r->space == BUS_PIO && (c->base >= BUS_PORTS || r->len > BUS_PORTS - c->base))
		return -EINVAL;
	return 0;
}

static int check_batch(const struct region_change *ch, size_t n)
{
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		rc = check_change(&ch[i]);
		if (rc)
			return rc;
		for (j = 0; j < i; j++)
			if (ch[j].r == ch[i].r)
				return -EINVAL;
	}
	return 0;
}

static int reserve_batch(struct bus *bus, const struct region_change *ch, size_t n)
{
	size_t i, adds = 0, mmio_adds = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (!ch[i].map)
			continue;
		adds++;
		mmio_adds += ch[i].r->space == BUS_MMIO;
	}
	rc = slots_reserve(bus, adds);
	if (rc)
		return rc;
	return mmio_reserve(bus, mmio_adds);
}

/* Put back every region of the batch as saved (nothing else moved meanwhile). */
static void local_undo(struct bus *bus, const struct region_change *ch, struct saved *sv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sv[i].inserted)
			map_remove(bus, ch[i].r);
	for (i = 0; i < n; i++) {
		if (sv[i].skip)
			continue;
		if (sv[i].was_mapped && map_insert(bus, ch[i].r, sv[i].base, sv[i].slot))
			dm_err("bus", "lost region %s while rolling back", ch[i].r->name);
		ch[i].r->base = sv[i].base;
	}
}

static int local_apply(struct bus *bus, const struct region_change *ch, struct saved *sv, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		struct region *r = ch[i].r;

		sv[i].was_mapped = r->mapped;
		sv[i].base = r->base;
		sv[i].slot = r->slot;
		sv[i].skip = ch[i].map ? (r->mapped && r->base == ch[i].base) : !r->mapped;
	}
	for (i = 0; i < n; i++)
		if (!sv[i].skip && sv[i].was_mapped)
			map_remove(bus, ch[i].r);
	for (i = 0; i < n; i++) {
		if (sv[i].skip || !ch[i].map)
			continue;
		rc = map_insert(bus, ch[i].r, ch[i].base, 0);
		if (rc) {
			local_undo(bus, ch, sv, n);
			return rc;
		}
		sv[i].inserted = true;
	}
	return 0;
}

static int tell(struct bus *bus, const struct region *r, uint64_t base, bool claim)
{
	if (!bus->l.claim_range)
		return 0;
	return bus->l.claim_range(bus->l.opaque, r->space, base, base + r->len - 1, claim);
}

/*
 * Step k of the listener sequence: steps 0..n-1 release old ranges, n..2n-1
 * claim new ones. Returns the listener's answer, 0 for steps with nothing to do.
 */
static int listener_step(struct bus *bus, const struct region_change *ch, const struct saved *sv,
			 size_t n, size_t k, bool undo)
{
	size_t i = k < n ? k : k - n;

	if (sv[i].skip)
		return 0;
	if (k < n)
		return sv[i].was_mapped ? tell(bus, ch[i].r, sv[i].base, undo) : 0;
	return ch[i].map ? tell(bus, ch[i].r, ch[i].base, !undo) : 0;
}

static int listener_apply(struct bus *bus, const struct region_change *ch, const struct saved *sv,
			  size_t n)
{
	size_t k;
	int rc;

	for (k = 0; k < 2 * n; k++) {
		rc = listener_step(bus, ch, sv, n, k, false);
		if (!rc)
			continue;
		while (k-- > 0)
			if (listener_step(bus, ch, sv, n, k, true))
				dm_err("bus", "listener refused to roll back step %zu", k);
		return rc;
	}
	return 0;
}

static void log_batch(const struct region_change *ch, const struct saved *sv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct region *r = ch[i].r;

		if (sv[i].skip)
			continue;
		if (ch[i].map)
			dm_dbg(LOG_BUS, "bus", "%s %s at 0x%llx+0x%llx", r->name,
			       space_name[r->space], (unsigned long long)r->base,
			       (unsigned long long)r->len);
		else
			dm_dbg(LOG_BUS, "bus", "%s %s unmapped", r->name, space_name[r->space]);
	}
}

int bus_apply(struct bus *bus, const struct region_change *ch, size_t n)
{
	struct saved sv_small[8], *sv = sv_small;
	int rc;

	if (!n)
		return 0;
	rc = check_batch(ch, n);
	if (rc)
		return rc;
	rc = reserve_batch(bus, ch, n);
	if (rc)
		return rc;
	if (n > sizeof(sv_small) / sizeof(sv_small[0])) {
		sv = calloc(n, sizeof(*sv));
		if (!sv)
			return -ENOMEM;
	} else {
		memset(sv, 0, sizeof(sv_small));
	}
	rc = local_apply(bus, ch, sv, n);
	if (!rc) {
		rc = listener_apply(bus, ch, sv, n);
		if (rc)
			local_undo(bus, ch, sv, n);
		else
			log_batch(ch, sv, n);
	}
	if (sv != sv_small)
		free(sv);
	return rc;
}

int bus_add(struct bus *bus, struct region *r)
{
	struct region_change c = { .r = r, .map = true, .base = r ? r->base : 0 };

	return bus_apply(bus, &c, 1);
}

void bus_del(struct bus *bus, struct region *r)
{
	struct region_change c = { .r = r, .map = false };
	int rc;

	if (!r || !r->mapped)
		return;
	rc = bus_apply(bus, &c, 1);
	if (!rc)
		return;
	/* The region's memory is about to go away: it must leave the map regardless. */
	dm_err("bus", "%s: release refused (%d), removed locally anyway", r->name, rc);
	map_remove(bus, r);
}

int bus_move(struct bus *bus, struct region *r, uint64_t base)
{
	struct region_change c = { .r = r, .map = true, .base = base };

	return bus_apply(bus, &c, 1);
}

/* ------------------------------------------------------------ region accesses */

/* The largest piece at off, at most max and rem bytes, aligned unless the region allows not. */
static inline unsigned piece_size(const struct region *r, uint64_t off, uint64_t rem, unsigned max)
{
	unsigned p = max;

	while (p > rem || (!r->ops->unaligned_ok && (off & (p - 1))))
		p >>= 1;
	return p;
}

static uint64_t region_read_split(struct region *r, uint64_t off, unsigned size)
{
	unsigned mn = r_min(r), mx = r_max(r);
	uint64_t cur = off, end = off + size, val = 0;

	while (cur < end) {
		unsigned p = piece_size(r, cur, end - cur, mx);
		unsigned shift = 8 * (unsigned)(cur - off);
		uint64_t w, v, n;

		if (p >= mn) {
			v = r->ops->read(r->opaque, cur, p) & size_mask(p);
			n = p;
		} else {
			w = cur & ~(uint64_t)(mn - 1);
			n = (w + mn < end ? w + mn : end) - cur;
			v = r->ops->read(r->opaque, w, mn) >> (8 * (cur - w));
			v &= size_mask((unsigned)n);
		}
		val |= v << shift;
		cur += n;
	}
	return val;
}

static void region_write_split(struct region *r, uint64_t off, uint64_t val, unsigned size)
{
	unsigned mn = r_min(r), mx = r_max(r);
	uint64_t cur = off, end = off + size;

	while (cur < end) {
		unsigned p = piece_size(r, cur, end - cur, mx);
		uint64_t v = val >> (8 * (cur - off)), w, n;

		if (p >= mn) {
			r->ops->write(r->opaque, cur, v & size_mask(p), p);
			n = p;
		} else {
			w = cur & ~(uint64_t)(mn - 1);
			n = (w + mn < end ? w + mn : end) - cur;
			v = (v & size_mask((unsigned)n)) << (8 * (cur - w));
			r->ops->write(r->opaque, w, v, mn);
		}
		cur += n;
	}
}

static inline bool direct_ok(const struct region *r, uint64_t off, unsigned size)
{
	return size >= r_min(r) && size <= r_max(r) &&
	       (!(off & (size - 1)) || r->ops->unaligned_ok);
}

static inline uint64_t region_read(struct region *r, uint64_t off, unsigned size)
{
	if (direct_ok(r, off, size))
		return r->ops->read(r->opaque, off, size) & size_mask(size);
	return region_read_split(r, off, size);
}

static inline void region_write(struct region *r, uint64_t off, uint64_t val, unsigned size)
{
	val &= size_mask(size);
	if (direct_ok(r, off, size))
		r->ops->write(r->opaque, off, val, size);
	else
		region_write_split(r, off, val, size);
}

/* ------------------------------------------------------------ bus accesses */

static inline bool access_size_ok(enum bus_space space, unsigned size)
{
	if (space == BUS_PIO)
		return size == 1 || size == 2 || size == 4;
	return space == BUS_MMIO && (size == 1 || size == 2 || size == 4 || size == 8);
}

static void note_unclaimed(struct bus *bus, enum bus_space space, bool write, uint64_t addr,
			   unsigned size)
{
	bus->unclaimed++;
	guest_err("bus", "unclaimed %s %s at 0x%llx size %u", space_name[space],
		  write ? "write" : "read", (unsigned long long)addr, size);
}

static inline bool fits(const struct region *r, uint64_t addr, unsigned size)
{
	return r->len - (addr - r->base) >= size;
}

static uint64_t read_bytes(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size)
{
	uint64_t val = 0, b;
	bool hole = false;
	unsigned i;

	for (i = 0; i < size; i++) {
		struct region *r = lookup(bus, space, addr + i);

		if (r) {
			b = region_read(r, addr + i - r->base, 1);
		} else {
			b = 0xff;
			hole = true;
		}
		val |= b << (8 * i);
	}
	if (hole)
		note_unclaimed(bus, space, false, addr, size);
	return val;
}

static void write_bytes(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t val,
			unsigned size)
{
	bool hole = false;
	unsigned i;

	for (i = 0; i < size; i++) {
		struct region *r = lookup(bus, space, addr + i);

		if (r)
			region_write(r, addr + i - r->base, (val >> (8 * i)) & 0xff, 1);
		else
			hole = true;
	}
	if (hole)
		note_unclaimed(bus, space, true, addr, size);
}

uint64_t bus_read(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size)
{
	struct region *r;

	if (!access_size_ok(space, size)) {
		guest_err("bus", "read of size %u at 0x%llx", size, (unsigned long long)addr);
		return ~0ull;
	}
	r = lookup(bus, space, addr);
	if (r && fits(r, addr, size))
		return region_read(r, addr - r->base, size);
	return read_bytes(bus, space, addr, size);
}

void bus_write(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t val, unsigned size)
{
	struct region *r;

	if (!access_size_ok(space, size)) {
		guest_err("bus", "write of size %u at 0x%llx", size, (unsigned long long)addr);
		return;
	}
	r = lookup(bus, space, addr);
	if (r && fits(r, addr, size))
		region_write(r, addr - r->base, val, size);
	else
		write_bytes(bus, space, addr, val, size);
}

/* ------------------------------------------------------------ string I/O */

struct region *bus_find_access(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size,
			       uint64_t *off)
{
	struct region *r;

	if (!access_size_ok(space, size))
		return NULL;
	r = lookup(bus, space, addr);
	if (!r || !fits(r, addr, size) || !direct_ok(r, addr - r->base, size))
		return NULL;
	*off = addr - r->base;
	return r;
}

size_t bus_read_rep(struct bus *bus, uint64_t port, unsigned size, void *buf, size_t count)
{
	uint64_t off;
	struct region *r = bus_find_access(bus, BUS_PIO, port, size, &off);
	size_t n;

	if (!r || !r->ops->read_rep || !count)
		return 0;
	n = r->ops->read_rep(r->opaque, off, size, buf, count);
	return n < count ? n : count;
}

size_t bus_write_rep(struct bus *bus, uint64_t port, unsigned size, const void *buf, size_t count)
{
	uint64_t off;
	struct region *r = bus_find_access(bus, BUS_PIO, port, size, &off);
	size_t n;

	if (!r || !r->ops->write_rep || !count)
		return 0;
	n = r->ops->write_rep(r->opaque, off, size, buf, count);
	return n < count ? n : count;
}

/* ------------------------------------------------------------ PCI config */

int bus_pci_attach(struct bus *bus, unsigned devfn, const struct pci_cfg_ops *ops, void *opaque)
{
	int rc;

	if (devfn >= BUS_PCI_FNS || !ops || !ops->read || !ops->write)
		return -EINVAL;
	if (bus->pci[devfn].ops)
		return -EEXIST;
	if (bus->l.claim_pci) {
		rc = bus->l.claim_pci(bus->l.opaque, devfn, true);
		if (rc)
			return rc;
	}
	bus->pci[devfn].ops = ops;
	bus->pci[devfn].opaque = opaque;
	dm_dbg(LOG_PCI, "bus", "pci %02x.%x attached", devfn >> 3, devfn & 7);
	return 0;
}

void bus_pci_detach(struct bus *bus, unsigned devfn)
{
	int rc;

	if (devfn >= BUS_PCI_FNS || !bus->pci[devfn].ops)
		return;
	if (bus->l.claim_pci) {
		rc = bus->l.claim_pci(bus->l.opaque, devfn, false);
		if (rc)
			dm_err("bus", "pci %02x.%x: release refused (%d)", devfn >> 3, devfn & 7,
			       rc);
	}
	bus->pci[devfn].ops = NULL;
	bus->pci[devfn].opaque = NULL;
}

bool bus_pci_present(const struct bus *bus, unsigned devfn)
{
	return devfn < BUS_PCI_FNS && bus->pci[devfn].ops;
}

/* The function addressed, or NULL (logged) when the access reaches nothing. */
static const struct pci_fn *pci_target(struct bus *bus, uint32_t sbdf, unsigned reg, unsigned size,
				       bool write)
{
	const struct pci_fn *fn;

	if (size != 1 && size != 2 && size != 4) {
		guest_err("bus", "pci config %s of size %u", write ? "write" : "read", size);
		return NULL;
	}
	if (reg >= PCI_CFG_EXT_SPACE) {
		guest_err("bus", "pci config %s at register 0x%x", write ? "write" : "read", reg);
		return NULL;
	}
	if (sbdf >= BUS_PCI_FNS) {
		guest_err("bus", "pci config %s for %04x:%02x:%02x.%x, not on bus 0",
			  write ? "write" : "read", sbdf >> 16, (sbdf >> 8) & 0xff,
			  (sbdf >> 3) & 0x1f, sbdf & 7);
		return NULL;
	}
	fn = &bus->pci[sbdf];
	if (!fn->ops) {
		guest_err("bus", "pci config %s for absent %02x.%x", write ? "write" : "read",
			  sbdf >> 3, sbdf & 7);
		return NULL;
	}
	return fn;
}

uint32_t bus_pci_read(struct bus *bus, uint32_t sbdf, unsigned reg, unsigned size)
{
	const struct pci_fn *fn = pci_target(bus, sbdf, reg, size, false);
	uint32_t val = 0;
	unsigned i;

	if (!fn)
		return size == 1 || size == 2 ? (uint32_t)size_mask(size) : 0xffffffffu;
	if (!(reg & (size - 1)))
		return reg < PCI_CFG_SPACE ? fn->ops->read(fn->opaque, reg, size) & size_mask(size)
					   : (uint32_t)size_mask(size);
	for (i = 0; i < size; i++) {
		uint32_t b =
		    reg + i < PCI_CFG_SPACE ? fn->ops->read(fn->opaque, reg + i, 1) & 0xff : 0xff;

		val |= b << (8 * i);
	}
	return val;
}

void bus_pci_write(struct bus *bus, uint32_t sbdf, unsigned reg, uint32_t val, unsigned size)
{
	const struct pci_fn *fn = pci_target(bus, sbdf, reg, size, true);
	unsigned i;

	if (!fn)
		return;
	val &= (uint32_t)size_mask(size);
	if (!(reg & (size - 1))) {
		if (reg < PCI_CFG_SPACE)
			fn->ops->write(fn->opaque, reg, val, size);
		return;
	}
	for (i = 0; i < size; i++)
		if (reg + i < PCI_CFG_SPACE)
			fn->ops->write(fn->opaque, reg + i, (val >> (8 * i)) & 0xff, 1);
}
