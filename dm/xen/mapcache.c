// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mapcache: guest-physical memory of a Xen domain, mapped on demand
 * (shared/docs/xen-interface.md §3; QEMU hw/xen/xen-mapcache.c for the
 * strategy, not the code).
 *
 * Guest space is cut into 1 MiB buckets. A mapping covers one or more whole
 * buckets from its first bucket, lives in a hash chain keyed by that first
 * bucket, and remembers which of its pages Xen actually mapped (pages outside
 * the guest's RAM, the VGA hole, fail one by one). Accesses through
 * guest_mem_ops read/write use a mapping only for the duration of the copy;
 * gm_map locks one until gm_unmap. INVALIDATE drops every unlocked mapping;
 * so does reaching the size cap before a new mapping is made. Under log-dirty
 * (§5.3) every range the device model wrote is reported to Xen with
 * xendevicemodel_modified_memory.
 *
 * Left out: QEMU's RLIMIT_AS adjustment (the cap is an option) and its
 * grant-mapping variant (no PV backends here).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dm/log.h"
#include "dm/xen/xen_int.h"

static const char WHO[] = "mapcache";

#define MC_PAGE_SHIFT	12
#define MC_PAGE_SIZE	(1ull << MC_PAGE_SHIFT)
#define MC_BUCKET_SHIFT 20
#define MC_BUCKET_SIZE	(1ull << MC_BUCKET_SHIFT)
#define MC_BUCKET_PAGES (MC_BUCKET_SIZE >> MC_PAGE_SHIFT)
#define MC_HASH_SLOTS	1024u
/* One gm_map may span at most this much (a frame buffer, a DMA burst). */
#define MC_MAX_MAP (64ull << 20)
/* x86 guests have at most 52 physical address bits. */
#define MC_GPA_LIMIT (1ull << 52)

struct mc_entry {
	uint64_t bucket;   /* first bucket */
	unsigned nbuckets; /* buckets mapped */
	uint8_t *vaddr;
	unsigned lock;	 /* gm_map holders */
	uint64_t *valid; /* bit per page: Xen mapped it */
	struct mc_entry *next;
};

struct mapcache {
	xenforeignmemory_handle *fmem;
	xendevicemodel_handle *dmod;
	domid_t domid;
	struct mc_entry *hash[MC_HASH_SLOTS];
	struct mc_entry *last; /* last entry used: the fast path */
	uint64_t mapped_bytes;
	uint64_t max_bytes;
	const bool *log_dirty;
	struct mapcache_stats st;
};

struct mapcache *mapcache_new(xenforeignmemory_handle *fmem, xendevicemodel_handle *dmod,
			      domid_t domid, uint64_t max_bytes, const bool *log_dirty)
{
	struct mapcache *mc = calloc(1, sizeof(*mc));

	if (!mc)
		return NULL;
	mc->fmem = fmem;
	mc->dmod = dmod;
	mc->domid = domid;
	mc->log_dirty = log_dirty;
	mc->max_bytes = max_bytes < MC_MAX_MAP ? MC_MAX_MAP : max_bytes;
	return mc;
}

static void entry_unmap(struct mapcache *mc, struct mc_entry *e)
{
	if (!e->vaddr)
		return;
	if (xenforeignmemory_unmap(mc->fmem, e->vaddr, (size_t)e->nbuckets * MC_BUCKET_PAGES))
		dm_warn(WHO, "unmap of bucket 0x%" PRIx64 ": %s", e->bucket, strerror(errno));
	mc->st.unmaps++;
	mc->mapped_bytes -= (uint64_t)e->nbuckets * MC_BUCKET_SIZE;
	e->vaddr = NULL;
	free(e->valid);
	e->valid = NULL;
	if (mc->last == e)
		mc->last = NULL;
}

/* Drop every mapping nobody holds; with all, the locked ones too (teardown). */
static void mc_drop(struct mapcache *mc, bool all)
{
	unsigned i;

	for (i = 0; i < MC_HASH_SLOTS; i++) {
		struct mc_entry **pp = &mc->hash[i];

		while (*pp) {
			struct mc_entry *e = *pp;

			if (e->lock && !all) {
				pp = &e->next;
				continue;
			}
			if (e->lock)
				dm_warn(WHO, "bucket 0x%" PRIx64 " still locked %u times at exit",
					e->bucket, e->lock);
			entry_unmap(mc, e);
			*pp = e->next;
			free(e);
		}
	}
	mc->last = NULL;
}

void mapcache_free(struct mapcache *mc)
{
	if (!mc)
		return;
	mc_drop(mc, true);
	free(mc);
}

void mapcache_get_stats(const struct mapcache *mc, struct mapcache_stats *st)
{
	unsigned i;

	*st = mc->st;
	st->entries = 0;
	st->locked = 0;
	for (i = 0; i < MC_HASH_SLOTS; i++) {
		const struct mc_entry *e;

		for (e = mc->hash[i]; e; e = e->next) {
			st->entries += e->vaddr != NULL;
			st->locked += e->lock != 0;
		}
	}
	st->mapped_bytes = mc->mapped_bytes;
}

static bool entry_covers(const struct mc_entry *e, uint64_t gpa, uint64_t len)
{
	uint64_t start = e->bucket << MC_BUCKET_SHIFT;
	uint64_t end = start + ((uint64_t)e->nbuckets << MC_BUCKET_SHIFT);

	return e->vaddr && gpa >= start && gpa + len <= end;
}

static bool entry_valid(const struct mc_entry *e, uint64_t gpa, uint64_t len)
{
	uint64_t first = (gpa >> MC_PAGE_SHIFT) - e->bucket * MC_BUCKET_PAGES;
	uint64_t last = ((gpa + len - 1) >> MC_PAGE_SHIFT) - e->bucket * MC_BUCKET_PAGES;
	uint64_t p;

	for (p = first; p <= last; p++)
		if (!(e->valid[p / 64] & (1ull << (p % 64))))
			return false;
	return true;
}

/* Map nb buckets from bucket b into e (already unmapped). 0 or -errno. */
static int entry_map(struct mapcache *mc, struct mc_entry *e, uint64_t b, unsigned nb)
{
	size_t pages = (size_t)nb * MC_BUCKET_PAGES, i;
	xen_pfn_t *gfns = malloc(pages * sizeof(*gfns));
	int *err = malloc(pages * sizeof(*err));
	uint64_t *valid = calloc((pages + 63) / 64, sizeof(*valid));
	void *va = NULL;

	if (!gfns || !err || !valid)
		goto out;
	for (i = 0; i < pages; i++)
		gfns[i] = (xen_pfn_t)(b * MC_BUCKET_PAGES + i);
	va = xenforeignmemory_map(mc->fmem, mc->domid, PROT_READ | PROT_WRITE, pages, gfns, err);
	if (!va) {
		dm_dbg(LOG_XEN, WHO, "map of bucket 0x%" PRIx64 " x%u failed: %s", b, nb,
		       strerror(errno));
		goto out;
	}
	mc->st.maps++;
	for (i = 0; i < pages; i++)
		if (!err[i])
			valid[i / 64] |= 1ull << (i % 64);
	e->bucket = b;
	e->nbuckets = nb;
	e->vaddr = va;
	e->valid = valid;
	valid = NULL;
	mc->mapped_bytes += (uint64_t)nb * MC_BUCKET_SIZE;
out:
	free(gfns);
	free(err);
	free(valid);
	return va ? 0 : -EFAULT;
}

/*
 * The mapping holding [gpa, gpa+len) with every page valid, or NULL.
 * len > 0 and the range is checked by the caller.
 */
static struct mc_entry *mc_get(struct mapcache *mc, uint64_t gpa, uint64_t len)
{
	uint64_t b = gpa >> MC_BUCKET_SHIFT;
	unsigned nb = (unsigned)(((gpa + len - 1) >> MC_BUCKET_SHIFT) - b + 1);
	struct mc_entry **head = &mc->hash[b % MC_HASH_SLOTS];
	struct mc_entry *e, *reuse = NULL;

	if (mc->last && entry_covers(mc->last, gpa, len)) {
		mc->st.hits++;
		e = mc->last;
		return entry_valid(e, gpa, len) ? e : NULL;
	}
	for (e = *head; e; e = e->next) {
		if (e->vaddr && e->bucket == b && entry_covers(e, gpa, len)) {
			mc->st.hits++;
			mc->last = e;
			return entry_valid(e, gpa, len) ? e : NULL;
		}
		if (!e->lock && !reuse && (!e->vaddr || e->bucket == b))
			reuse = e;
	}
	if (reuse)
		entry_unmap(mc, reuse);
	if (mc->mapped_bytes + (uint64_t)nb * MC_BUCKET_SIZE > mc->max_bytes) {
		dm_dbg(LOG_XEN, WHO, "cap of %" PRIu64 " MiB reached: dropping unlocked mappings",
		       mc->max_bytes >> 20);
		mc_drop(mc, false); /* frees reuse too: it is unlocked */
		reuse = NULL;
		if (mc->mapped_bytes + (uint64_t)nb * MC_BUCKET_SIZE > mc->max_bytes)
			return NULL;
	}
	e = reuse;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		e->next = *head;
		*head = e;
	}
	if (entry_map(mc, e, b, nb) < 0)
		return NULL; /* stays on the chain, empty, for reuse */
	mc->last = e;
	return entry_valid(e, gpa, len) ? e : NULL;
}

static bool range_ok(uint64_t gpa, uint64_t len)
{
	return len > 0 && len <= MC_MAX_MAP && gpa < MC_GPA_LIMIT && len <= MC_GPA_LIMIT - gpa;
}

static uint8_t *mc_ptr(struct mapcache *mc, uint64_t gpa, uint64_t len, struct mc_entry **ep)
{
	struct mc_entry *e;

	if (!range_ok(gpa, len))
		return NULL;
	e = mc_get(mc, gpa, len);
	if (!e)
		return NULL;
	if (ep)
		*ep = e;
	return e->vaddr + (gpa - (e->bucket << MC_BUCKET_SHIFT));
}

static int mc_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *p;

	if (!len)
		return 0;
	p = mc_ptr(opaque, gpa, len, NULL);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int mc_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *p;

	if (!len)
		return 0;
	p = mc_ptr(opaque, gpa, len, NULL);
	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static void *mc_map(void *opaque, uint64_t gpa, size_t len, bool writable)
{
	struct mc_entry *e = NULL;
	uint8_t *p;

	(void)writable;
	p = mc_ptr(opaque, gpa, len, &e);
	if (p)
		e->lock++;
	return p;
}

static void mc_unmap(void *opaque, void *ptr, size_t len)
{
	struct mapcache *mc = opaque;
	uint8_t *p = ptr;
	unsigned i;

	for (i = 0; i < MC_HASH_SLOTS; i++) {
		struct mc_entry *e;

		for (e = mc->hash[i]; e; e = e->next) {
			uint64_t size = (uint64_t)e->nbuckets << MC_BUCKET_SHIFT;

			if (e->lock && e->vaddr && p >= e->vaddr && p + len <= e->vaddr + size) {
				e->lock--;
				return;
			}
		}
	}
	dm_err(WHO, "unmap of %p (+%zu) that no locked mapping holds", ptr, len);
}

static void mc_mark_dirty(void *opaque, uint64_t gpa, size_t len)
{
	struct mapcache *mc = opaque;
	uint64_t first, last;

	if (!mc->log_dirty || !*mc->log_dirty || !len || !range_ok(gpa, len))
		return;
	first = gpa >> MC_PAGE_SHIFT;
	last = (gpa + len - 1) >> MC_PAGE_SHIFT;
	mc->st.dirty_reports++;
	if (xendevicemodel_modified_memory(mc->dmod, mc->domid, first,
					   (uint32_t)(last - first + 1)))
		dm_warn(WHO, "modified_memory 0x%" PRIx64 "+%" PRIu64 ": %s", first,
			last - first + 1, strerror(errno));
}

static void mc_invalidate(void *opaque)
{
	struct mapcache *mc = opaque;

	mc_drop(mc, false);
	dm_dbg(LOG_XEN, WHO, "invalidated: %" PRIu64 " bytes still locked", mc->mapped_bytes);
}

const struct guest_mem_ops mapcache_ops = {
	.read = mc_read,
	.write = mc_write,
	.map = mc_map,
	.unmap = mc_unmap,
	.mark_dirty = mc_mark_dirty,
	.invalidate = mc_invalidate,
};
