// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-physical memory access (contract: dm/memory.h): the gm_* wrappers
 * every device and the ioreq core use, and the flat RAM backend of the
 * in-process platform, tests and fuzzers.
 *
 * The wrappers own the checks common to every backend: a zero length does
 * nothing and succeeds, a range whose end wraps past 2^64 is -EFAULT, and
 * every write (gm_write, or gm_unmap of a pointer written through) is
 * reported dirty so live migration under log-dirty sees DMA.
 *
 * Flat RAM is laid out as a PC's is under Xen's hvmloader: [0, low) below
 * the PCI hole, the rest from 4 GiB up. The host buffer holds both parts
 * back to back, so an access is valid only if it lies wholly inside one of
 * them: one spanning the hole (or running past the end) is refused whole,
 * never split, so nothing is copied on failure. The buffer is an anonymous
 * mapping: a guest of several GiB costs only the pages it touches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dm/log.h"
#include "dm/memory.h"

#define GIB4	     0x100000000ull
#define GM_PAGE_SIZE (1ull << GM_PAGE_SHIFT)

/* ------------------------------------------------------------ wrappers */

static inline bool range_wraps(uint64_t gpa, size_t len)
{
	return (uint64_t)len > ~0ull - gpa;
}

int gm_read(struct guest_mem *gm, uint64_t gpa, void *buf, size_t len)
{
	if (!len)
		return 0;
	if (!gm || !gm->ops || !gm->ops->read || range_wraps(gpa, len))
		return -EFAULT;
	return gm->ops->read(gm->opaque, gpa, buf, len);
}

int gm_write(struct guest_mem *gm, uint64_t gpa, const void *buf, size_t len)
{
	int rc;

	if (!len)
		return 0;
	if (!gm || !gm->ops || !gm->ops->write || range_wraps(gpa, len))
		return -EFAULT;
	rc = gm->ops->write(gm->opaque, gpa, buf, len);
	if (!rc)
		gm_mark_dirty(gm, gpa, len);
	return rc;
}

void *gm_map(struct guest_mem *gm, uint64_t gpa, size_t len, bool writable)
{
	if (!len || !gm || !gm->ops || !gm->ops->map || range_wraps(gpa, len))
		return NULL;
	return gm->ops->map(gm->opaque, gpa, len, writable);
}

void gm_unmap(struct guest_mem *gm, void *ptr, uint64_t gpa, size_t len, bool written)
{
	if (!ptr || !gm || !gm->ops)
		return;
	if (written)
		gm_mark_dirty(gm, gpa, len);
	if (gm->ops->unmap)
		gm->ops->unmap(gm->opaque, ptr, len);
}

void gm_mark_dirty(struct guest_mem *gm, uint64_t gpa, size_t len)
{
	if (!len || !gm || !gm->ops || !gm->ops->mark_dirty || range_wraps(gpa, len))
		return;
	gm->ops->mark_dirty(gm->opaque, gpa, len);
}

void gm_invalidate(struct guest_mem *gm)
{
	if (gm && gm->ops && gm->ops->invalidate)
		gm->ops->invalidate(gm->opaque);
}

/* ------------------------------------------------------------ flat RAM */

static inline uint64_t high_size(const struct flat_ram *r)
{
	return r->size - r->low_size;
}

/* Offset into buf of [gpa, gpa + len), len >= 1, if it is all in one part of RAM. */
static bool ram_offset(const struct flat_ram *r, uint64_t gpa, uint64_t len, uint64_t *off)
{
	if (!len || len > r->size)
		return false;
	if (gpa < r->low_size) {
		if (len > r->low_size - gpa)
			return false;
		*off = gpa;
		return true;
	}
	if (gpa < GIB4 || gpa - GIB4 >= high_size(r) || len > high_size(r) - (gpa - GIB4))
		return false;
	*off = r->low_size + (gpa - GIB4);
	return true;
}

uint8_t *flat_ram_ptr(struct flat_ram *r, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (!r->buf || !ram_offset(r, gpa, len, &off))
		return NULL;
	return r->buf + off;
}

static int fr_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *p = flat_ram_ptr(opaque, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int fr_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *p = flat_ram_ptr(opaque, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static void *fr_map(void *opaque, uint64_t gpa, size_t len, bool writable)
{
	struct flat_ram *r = opaque;
	uint8_t *p = flat_ram_ptr(r, gpa, len);

	(void)writable;
	if (p)
		r->maps_live++;
	return p;
}

static void fr_unmap(void *opaque, void *ptr, size_t len)
{
	struct flat_ram *r = opaque;

	(void)ptr;
	(void)len;
	if (r->maps_live)
		r->maps_live--;
	else
		dm_err("memory", "unmap without a map");
}

/* Set the dirty bits of buffer pages [first, last]. */
static void dirty_pages(struct flat_ram *r, uint64_t first, uint64_t last)
{
	uint64_t pg;

	for (pg = first; pg <= last; pg++)
		r->dirty[pg / 64] |= 1ull << (pg % 64);
}

/* Mark the part of [gpa, end) that falls in [lo, hi), which starts at buffer offset boff. */
static void dirty_part(struct flat_ram *r, uint64_t gpa, uint64_t end, uint64_t lo, uint64_t hi,
		       uint64_t boff)
{
	uint64_t a = gpa > lo ? gpa : lo, b = end < hi ? end : hi;

	if (a >= b)
		return;
	dirty_pages(r, (boff + (a - lo)) >> GM_PAGE_SHIFT, (boff + (b - lo) - 1) >> GM_PAGE_SHIFT);
}

static void fr_mark_dirty(void *opaque, uint64_t gpa, size_t len)
{
	struct flat_ram *r = opaque;
	uint64_t end = gpa + len; /* the wrapper refused wrapping ranges */

	dirty_part(r, gpa, end, 0, r->low_size, 0);
	dirty_part(r, gpa, end, GIB4, GIB4 + high_size(r), r->low_size);
}

static const struct guest_mem_ops flat_ram_ops = {
	.read = fr_read,
	.write = fr_write,
	.map = fr_map,
	.unmap = fr_unmap,
	.mark_dirty = fr_mark_dirty,
	/* No invalidate: all of RAM stays mapped for the life of a flat_ram. */
};

int flat_ram_init(struct flat_ram *r, struct guest_mem *gm, uint64_t size)
{
	uint64_t pages, words;
	void *buf;

	memset(r, 0, sizeof(*r));
	if (!size || size & (GM_PAGE_SIZE - 1) || size > (1ull << 46))
		return -EINVAL;
	pages = size >> GM_PAGE_SHIFT;
	words = (pages + 63) / 64;
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (buf == MAP_FAILED)
		return -ENOMEM;
	r->dirty = calloc(words, sizeof(*r->dirty));
	if (!r->dirty) {
		munmap(buf, size);
		return -ENOMEM;
	}
	r->buf = buf;
	r->size = size;
	r->low_size = size < FLAT_RAM_LOW_MAX ? size : FLAT_RAM_LOW_MAX;
	if (gm) {
		gm->ops = &flat_ram_ops;
		gm->opaque = r;
	}
	return 0;
}

void flat_ram_fini(struct flat_ram *r)
{
	if (r->maps_live)
		dm_err("memory", "%u guest-memory mappings never released", r->maps_live);
	if (r->buf)
		munmap(r->buf, r->size);
	free(r->dirty);
	memset(r, 0, sizeof(*r));
}

bool flat_ram_test_dirty(const struct flat_ram *r, uint64_t gpa)
{
	uint64_t off, pg;

	if (!r->dirty || !ram_offset(r, gpa, 1, &off))
		return false;
	pg = off >> GM_PAGE_SHIFT;
	return r->dirty[pg / 64] >> (pg % 64) & 1;
}

void flat_ram_clear_dirty(struct flat_ram *r)
{
	uint64_t pages = r->size >> GM_PAGE_SHIFT;

	if (r->dirty)
		memset(r->dirty, 0, (pages + 63) / 64 * sizeof(*r->dirty));
}
