// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioreq core (contract: dm/ioreq.h): validates a request field by field,
 * then runs it against the bus and guest memory with the semantics of
 * shared/docs/xen-interface.md §2.4 (QEMU's handle_ioreq, cpu_ioreq_pio,
 * cpu_ioreq_move, cpu_ioreq_config):
 *
 *   PIO          single in/out, or REP INS/OUTS through a guest buffer
 *                (data_is_ptr) at data +/- i*size; the port never moves.
 *   COPY (MMIO)  count accesses at addr +/- i*size: REP STOS / last-read-wins
 *                with the value in data, REP MOVS with a guest buffer; the
 *                buffer side goes through ioreq_phys_*, which sends MMIO
 *                addresses to the bus and the rest to guest RAM.
 *   PCI_CONFIG   addr >> 32 is the SBDF, the low 32 bits the register;
 *                one element, direct or through a buffer.
 *   INVALIDATE   drops guest-memory mappings (gm_invalidate).
 *   TIMEOFFSET   handed to the platform's callback.
 *
 * Where QEMU would abort (PIO wider than 4, a PCI_CONFIG rep, an unknown
 * type) we reject: -EINVAL, reads answer all ones, the request is still
 * completed by the caller. Checked before anything runs: type, dir, size
 * (1/2/4/8; 4 at most for PIO and PCI_CONFIG), count (1..DM_IOREQ_MAX_COUNT,
 * exactly 1 for PCI_CONFIG), ports inside 0..0xffff, and for COPY that the
 * device-side extent addr +/- count*size does not wrap. INVALIDATE and
 * TIMEOFFSET are checked for type and dir only: Xen sends INVALIDATE with
 * count 0 (xen/common/ioreq.c ioreq_signal_mapcache_invalidate).
 *
 * A direct (not data_is_ptr) PIO request is one access whatever its count,
 * as in QEMU. The buffer address of a rep may wrap (Xen allows it); an
 * element outside guest memory ends the rep with -EFAULT, the elements
 * before it done, as a fault does on hardware.
 *
 * REP INS/OUTS of a port whose region has string ops (bus.h read_rep /
 * write_rep), with a guest buffer that is all RAM, go in bulk: the buffer is
 * mapped once and the device moves a data block with one copy. Element for
 * element the guest and the device see what the loop would do; elements the
 * device does not take in bulk, and any buffer that is not plainly RAM
 * (MMIO in it, a hole, a wrap: the loop then ends with -EFAULT where it
 * must), go through the loop.
 *
 * The hot path allocates nothing: values travel in a uint64_t, little-endian.
 */
#include <errno.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/ioreq.h"
#include "dm/log.h"
#include "dm/memory.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "element values are copied to and from guest memory as little-endian");

#define PORT_SPACE 0x10000ull

typedef uint64_t (*dev_read_fn)(struct bus *bus, uint64_t addr, unsigned size);
typedef void (*dev_write_fn)(struct bus *bus, uint64_t addr, uint64_t val, unsigned size);
typedef int (*run_fn)(struct ioreq_ctx *ctx, struct dm_ioreq *req);

/* ------------------------------------------------------------ device sides */

static uint64_t pio_rd(struct bus *bus, uint64_t addr, unsigned size)
{
	return bus_read(bus, BUS_PIO, addr, size);
}

static void pio_wr(struct bus *bus, uint64_t addr, uint64_t val, unsigned size)
{
	bus_write(bus, BUS_PIO, addr, val, size);
}

static uint64_t mmio_rd(struct bus *bus, uint64_t addr, unsigned size)
{
	return bus_read(bus, BUS_MMIO, addr, size);
}

static void mmio_wr(struct bus *bus, uint64_t addr, uint64_t val, unsigned size)
{
	bus_write(bus, BUS_MMIO, addr, val, size);
}

static uint64_t pci_rd(struct bus *bus, uint64_t addr, unsigned size)
{
	return bus_pci_read(bus, (uint32_t)(addr >> 32), (uint32_t)addr, size);
}

static void pci_wr(struct bus *bus, uint64_t addr, uint64_t val, unsigned size)
{
	bus_pci_write(bus, (uint32_t)(addr >> 32), (uint32_t)addr, (uint32_t)val, size);
}

/* ------------------------------------------------------------ the "RAM side" */

/* n bytes of MMIO at gpa, in the widest natural pieces; the bus adjusts them per region. */
static void mmio_copy(struct ioreq_ctx *ctx, uint64_t gpa, uint8_t *p, const uint8_t *src,
		      uint64_t n)
{
	while (n) {
		unsigned s = 8;
		uint64_t v = 0;

		while (s > n)
			s >>= 1;
		if (src) {
			memcpy(&v, src, s);
			bus_write(ctx->bus, BUS_MMIO, gpa, v, s);
			src += s;
		} else {
			v = bus_read(ctx->bus, BUS_MMIO, gpa, s);
			memcpy(p, &v, s);
			p += s;
		}
		gpa += s;
		n -= s;
	}
}

/* One of ioreq_phys_read (src NULL, into dst) or ioreq_phys_write (from src). */
static int phys_rw(struct ioreq_ctx *ctx, uint64_t gpa, uint8_t *dst, const uint8_t *src,
		   uint64_t len)
{
	if (!len)
		return 0;
	if (len - 1 > ~0ull - gpa)
		return -EFAULT;
	while (len) {
		const struct region *r = bus_find_range(ctx->bus, BUS_MMIO, gpa, len);
		uint64_t n;
		int rc;

		if (r && r->base <= gpa) {
			n = r->base + (r->len - 1) - gpa + 1;
			n = n < len ? n : len;
			mmio_copy(ctx, gpa, dst, src, n);
		} else {
			n = r ? r->base - gpa : len;
			rc = src ? gm_write(ctx->mem, gpa, src, n) : gm_read(ctx->mem, gpa, dst, n);
			if (rc)
				return -EFAULT;
		}
		gpa += n;
		len -= n;
		if (src)
			src += n;
		else
			dst += n;
	}
	return 0;
}

int ioreq_phys_read(struct ioreq_ctx *ctx, uint64_t gpa, void *buf, uint32_t len)
{
	return phys_rw(ctx, gpa, buf, NULL, len);
}

int ioreq_phys_write(struct ioreq_ctx *ctx, uint64_t gpa, const void *buf, uint32_t len)
{
	return phys_rw(ctx, gpa, NULL, buf, len);
}

/* ------------------------------------------------------------ element loops */

static inline uint64_t step(uint64_t base, bool df, uint64_t delta)
{
	return df ? base - delta : base + delta;
}

/*
 * Direct requests: n accesses at addr +/- i*dstep. Reads leave the last value
 * in data (a REP LODS of MMIO), writes repeat data (REP STOS).
 */
static int run_direct(struct ioreq_ctx *ctx, struct dm_ioreq *req, dev_read_fn rd, dev_write_fn wr,
		      uint64_t dstep, uint32_t n)
{
	uint64_t a = req->addr;
	uint32_t i;

	for (i = 0; i < n; i++, a = step(a, req->df, dstep)) {
		if (req->dir == DM_IOREQ_READ)
			req->data = rd(ctx->bus, a, req->size);
		else
			wr(ctx->bus, a, req->data, req->size);
	}
	return 0;
}

/*
 * Buffered requests: element i at data +/- i*size in guest memory and at
 * addr +/- i*dstep on the device side, from element first on (those before
 * it were moved in bulk).
 */
static int run_ptr(struct ioreq_ctx *ctx, struct dm_ioreq *req, dev_read_fn rd, dev_write_fn wr,
		   uint64_t dstep, uint32_t first)
{
	uint64_t a = step(req->addr, req->df, (uint64_t)first * dstep);
	uint64_t g = step(req->data, req->df, (uint64_t)first * req->size), v;
	uint32_t i;

	for (i = first; i < req->count;
	     i++, a = step(a, req->df, dstep), g = step(g, req->df, req->size)) {
		if (req->dir == DM_IOREQ_READ) {
			v = rd(ctx->bus, a, req->size);
			if (ioreq_phys_write(ctx, g, &v, req->size))
				goto fault;
		} else {
			v = 0;
			if (ioreq_phys_read(ctx, g, &v, req->size))
				goto fault;
			wr(ctx->bus, a, v, req->size);
		}
	}
	return 0;
fault:
	guest_err("ioreq", "rep element %u of %u: guest buffer 0x%llx is not memory", i, req->count,
		  (unsigned long long)g);
	return -EFAULT;
}

/* ------------------------------------------------------------ string I/O in bulk */

/* df set: element i sits at index count-1-i of the mapped range; moved through tmp. */
#define BULK_BOUNCE 2048u

static __attribute__((noinline)) size_t bulk_descending(struct ioreq_ctx *ctx,
							const struct dm_ioreq *req, uint8_t *p)
{
	uint8_t tmp[BULK_BOUNCE];
	size_t sz = req->size, done = 0, want, got, k;
	bool in = req->dir == DM_IOREQ_READ;

	while (done < req->count) {
		want = req->count - done < BULK_BOUNCE / sz ? req->count - done : BULK_BOUNCE / sz;
		for (k = 0; !in && k < want; k++)
			memcpy(tmp + k * sz, p + (req->count - 1 - done - k) * sz, sz);
		got = in ? bus_read_rep(ctx->bus, req->addr, req->size, tmp, want)
			 : bus_write_rep(ctx->bus, req->addr, req->size, tmp, want);
		for (k = 0; in && k < got; k++)
			memcpy(p + (req->count - 1 - done - k) * sz, tmp + k * sz, sz);
		done += got;
		if (got < want)
			break;
	}
	return done;
}

/*
 * REP INS/OUTS through the port region's string ops when the whole guest
 * buffer is plain RAM: the elements moved, from the first (0: the element
 * loop does them all). Any doubt (no op, MMIO in the buffer, a range that
 * wraps or is not all RAM) leaves the request to the loop, which has the
 * exact fault semantics; so does whatever the device did not move.
 */
static uint32_t pio_bulk(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	uint64_t len = (uint64_t)req->count * req->size; /* <= 4096 * 4 */
	uint64_t span = len - req->size, lo, off;
	bool in = req->dir == DM_IOREQ_READ;
	const struct region *r;
	size_t n;
	uint8_t *p;

	r = bus_find_access(ctx->bus, BUS_PIO, req->addr, req->size, &off);
	if (!r || (in ? !r->ops->read_rep : !r->ops->write_rep))
		return 0;
	if (req->df ? span > req->data : len - 1 > ~0ull - req->data)
		return 0;
	lo = req->df ? req->data - span : req->data;
	if (bus_find_range(ctx->bus, BUS_MMIO, lo, len))
		return 0;
	p = gm_map(ctx->mem, lo, len, in);
	if (!p)
		return 0;
	if (req->df)
		n = bulk_descending(ctx, req, p);
	else if (in)
		n = bus_read_rep(ctx->bus, req->addr, req->size, p, req->count);
	else
		n = bus_write_rep(ctx->bus, req->addr, req->size, p, req->count);
	if (in && n)
		gm_mark_dirty(ctx->mem, req->df ? req->data - (n - 1) * req->size : lo,
			      n * req->size);
	gm_unmap(ctx->mem, p, lo, len, false);
	return (uint32_t)n;
}

/*
 * REP INS/OUTS: bulk first, then the loop. Out of line, so that a direct
 * PIO request (the hot path) does not pay for this one's stack frame.
 */
static __attribute__((noinline)) int run_pio_rep(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	return run_ptr(ctx, req, pio_rd, pio_wr, 0, pio_bulk(ctx, req));
}

static int run_pio(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	if (req->data_is_ptr)
		return run_pio_rep(ctx, req);
	return run_direct(ctx, req, pio_rd, pio_wr, 0, 1);
}

static int run_copy(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	if (req->data_is_ptr)
		return run_ptr(ctx, req, mmio_rd, mmio_wr, req->size, 0);
	return run_direct(ctx, req, mmio_rd, mmio_wr, req->size, req->count);
}

static int run_pci(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	if (req->data_is_ptr)
		return run_ptr(ctx, req, pci_rd, pci_wr, 0, 0);
	return run_direct(ctx, req, pci_rd, pci_wr, 0, 1);
}

static int run_invalidate(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	(void)req;
	gm_invalidate(ctx->mem);
	return 0;
}

static int run_timeoffset(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	if (ctx->timeoffset)
		ctx->timeoffset(ctx->opaque, (int64_t)req->data);
	return 0;
}

/* ------------------------------------------------------------ validation */

struct ioreq_type {
	const char *name;
	run_fn run;
	uint8_t max_size; /* 0: a control request, size and count not used */
	bool single;	  /* count must be 1 */
};

static const struct ioreq_type ioreq_types[] = {
	[DM_IOREQ_PIO] = { "pio", run_pio, 4, false },
	[DM_IOREQ_COPY] = { "copy", run_copy, 8, false },
	[DM_IOREQ_PCI_CONFIG] = { "pci_config", run_pci, 4, true },
	[DM_IOREQ_TIMEOFFSET] = { "timeoffset", run_timeoffset, 0, false },
	[DM_IOREQ_INVALIDATE] = { "invalidate", run_invalidate, 0, false },
};

#define N_TYPES (sizeof(ioreq_types) / sizeof(ioreq_types[0]))

/* Does the device-side extent of a COPY stay inside the 64-bit space? */
static bool copy_extent_ok(const struct dm_ioreq *req)
{
	uint64_t span = (uint64_t)(req->count - 1) * req->size; /* count <= 4096, size <= 8 */

	if (req->size - 1 > ~0ull - req->addr)
		return false;
	return req->df ? span <= req->addr : span <= ~0ull - (req->addr + req->size - 1);
}

/* NULL if req is well formed, else what is wrong with it. */
static const char *malformed(const struct dm_ioreq *req, const struct ioreq_type *t)
{
	if (req->dir != DM_IOREQ_WRITE && req->dir != DM_IOREQ_READ)
		return "bad direction";
	if (!t->max_size)
		return NULL;
	if ((req->size != 1 && req->size != 2 && req->size != 4 && req->size != 8) ||
	    req->size > t->max_size)
		return "bad size";
	if (req->count < 1 || req->count > DM_IOREQ_MAX_COUNT || (t->single && req->count != 1))
		return "bad count";
	if (req->type == DM_IOREQ_PIO &&
	    (req->addr >= PORT_SPACE || req->addr + req->size > PORT_SPACE))
		return "port beyond 0xffff";
	if (req->type == DM_IOREQ_COPY && !copy_extent_ok(req))
		return "address range wraps";
	return NULL;
}

static int reject(struct ioreq_ctx *ctx, struct dm_ioreq *req, const char *why)
{
	ctx->rejected++;
	guest_err("ioreq", "rejected (%s): type %u dir %u size %u count %u addr 0x%llx%s", why,
		  req->type, req->dir, req->size, req->count, (unsigned long long)req->addr,
		  req->data_is_ptr ? " ptr" : "");
	if (req->dir != DM_IOREQ_WRITE)
		req->data = ~0ull;
	return -EINVAL;
}

int ioreq_handle(struct ioreq_ctx *ctx, struct dm_ioreq *req)
{
	const struct ioreq_type *t;
	const char *why;
	int rc;

	if (req->type >= N_TYPES || !ioreq_types[req->type].run)
		return reject(ctx, req, "unknown type");
	t = &ioreq_types[req->type];
	why = malformed(req, t);
	if (why)
		return reject(ctx, req, why);
	if (t->max_size && !req->data_is_ptr && req->dir == DM_IOREQ_WRITE && req->size < 8)
		req->data &= (1ull << (8 * req->size)) - 1;
	rc = t->run(ctx, req);
	ctx->handled++;
	dm_dbg(LOG_IOREQ, "ioreq", "%s %s addr 0x%llx size %u count %u%s%s data 0x%llx -> %d",
	       t->name, req->dir == DM_IOREQ_READ ? "read" : "write", (unsigned long long)req->addr,
	       req->size, req->count, req->data_is_ptr ? " ptr" : "", req->df ? " df" : "",
	       (unsigned long long)req->data, rc);
	return rc;
}
