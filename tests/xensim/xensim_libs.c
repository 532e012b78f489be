// SPDX-License-Identifier: GPL-2.0-only
/*
 * xensim: the libxen* functions dm/xen calls, implemented against the
 * simulated domain (xensim.c). Signatures are the installed headers'; the
 * semantics follow the Xen sources they wrap: dm_op ioreq-server calls with
 * rangeset rules (map: -EEXIST on overlap; unmap: -ENOENT unless contained;
 * vp_eport written only on enable), privcmd foreign mapping with per-page
 * errors, the evtchn device (a raised port is masked until unmasked; a
 * second event on a masked port stays pending), xenstore writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/xensim/xensim_int.h"

#define S xs_sim

struct xendevicemodel_handle {
	int unused;
};
struct xenforeignmemory_handle {
	int unused;
};
struct xs_handle {
	int unused;
};
struct xc_interface_core {
	int unused;
};

#define LOCK()	 pthread_mutex_lock(&S.lock)
#define UNLOCK() pthread_mutex_unlock(&S.lock)

/* Fail with err (returns -1) if the call is scripted to fail or the domain is wrong. */
static int precheck(const char *call, domid_t domid)
{
	if (xs_should_fail(call))
		return -1;
	if (domid != S.cfg.domid) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

/*
 * The shape of every call that only has to be checked and logged: take the
 * lock, refuse as precheck() says, else log the call's line.
 */
static int checked_log(const char *call, domid_t domid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int checked_log(const char *call, domid_t domid, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	LOCK();
	rc = precheck(call, domid);
	if (!rc)
		xs_logf("%s", line);
	UNLOCK();
	return rc;
}

/* ------------------------------------------------------------ handles */

static void *handle_open(const char *what, size_t size)
{
	void *h;

	LOCK();
	if (xs_should_fail(what)) {
		UNLOCK();
		return NULL;
	}
	h = calloc(1, size);
	if (h) {
		S.handles++;
		xs_logf("open %s", what);
	}
	UNLOCK();
	return h;
}

static void handle_close(const char *what, void *h)
{
	if (!h)
		return;
	LOCK();
	S.handles--;
	xs_logf("close %s", what);
	UNLOCK();
	free(h);
}

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
					   unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open("devicemodel", sizeof(xendevicemodel_handle));
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
	handle_close("devicemodel", dmod);
	return 0;
}

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open("foreignmemory", sizeof(xenforeignmemory_handle));
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	handle_close("foreignmemory", fmem);
	return 0;
}

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	return handle_open("xenctrl", sizeof(xc_interface));
}

int xc_interface_close(xc_interface *xch)
{
	handle_close("xenctrl", xch);
	return 0;
}

struct xs_handle *xs_open(unsigned long flags)
{
	(void)flags;
	return handle_open("xenstore", sizeof(struct xs_handle));
}

void xs_close(struct xs_handle *xsh)
{
	handle_close("xenstore", xsh);
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	xenevtchn_handle *h;

	(void)logger;
	(void)open_flags;
	h = handle_open("evtchn", sizeof(*h));
	if (!h)
		return NULL;
	h->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->efd < 0) {
		handle_close("evtchn", h);
		return NULL;
	}
	return h;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	unsigned p;

	if (!xce)
		return 0;
	LOCK();
	for (p = 0; p < XS_NPORTS; p++) {
		if (S.lport[p].bound && S.lport[p].h == xce) {
			xs_logf("evtchn closed with port %u bound", p);
			S.lport[p].bound = false;
		}
	}
	UNLOCK();
	close(xce->efd);
	handle_close("evtchn", xce);
	return 0;
}

int xentoolcore_restrict_all(domid_t domid)
{
	LOCK();
	S.restricted = true;
	xs_logf("restrict %u", domid);
	UNLOCK();
	return 0;
}

/* ------------------------------------------------------------ ioreq server */

int xendevicemodel_nr_vcpus(xendevicemodel_handle *dmod, domid_t domid, unsigned int *vcpus)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = precheck("nr_vcpus", domid);
	if (!rc)
		*vcpus = S.cfg.nr_vcpus;
	UNLOCK();
	return rc;
}

int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
				       int handle_bufioreq, ioservid_t *id)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = precheck("create_ioreq_server", domid);
	if (!rc && S.server) {
		errno = EEXIST;
		rc = -1;
	}
	if (!rc) {
		S.server = true;
		S.enabled = false;
		S.bufioreq_mode = handle_bufioreq;
		S.nranges = 0;
		memset(S.pcidev, 0, sizeof(S.pcidev));
		memset(S.view + S.ioreq_off, 0, 2 * XS_PAGE);
		*id = XS_IOSERVID;
		xs_logf("create_ioreq_server %d", handle_bufioreq);
	}
	UNLOCK();
	return rc;
}

static int server_check(const char *call, domid_t domid, ioservid_t id)
{
	if (precheck(call, domid))
		return -1;
	if (!S.server || id != XS_IOSERVID) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
					 xen_pfn_t *ioreq_gfn, xen_pfn_t *bufioreq_gfn,
					 evtchn_port_t *bufioreq_port)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = server_check("get_ioreq_server_info", domid, id);
	if (!rc) {
		if (ioreq_gfn)
			*ioreq_gfn = XS_GFN_IOREQ;
		if (bufioreq_gfn)
			*bufioreq_gfn = XS_GFN_BUFIOREQ;
		if (bufioreq_port)
			*bufioreq_port = XS_REMOTE_BUF;
		xs_logf("get_ioreq_server_info%s", ioreq_gfn || bufioreq_gfn ? " gfns" : "");
	}
	UNLOCK();
	return rc;
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
					  int enabled)
{
	unsigned v;
	int rc;

	(void)dmod;
	LOCK();
	rc = server_check("set_ioreq_server_state", domid, id);
	if (!rc) {
		S.enabled = enabled != 0;
		/* ioreq_server_enable rewrites every vCPU's vp_eport. */
		if (S.enabled)
			for (v = 0; v < S.cfg.nr_vcpus; v++)
				__atomic_store_n(&S.shared->vcpu_ioreq[v].vp_eport,
						 XS_REMOTE_VCPU(v), __ATOMIC_RELEASE);
		xs_logf("set_state %d", S.enabled);
	}
	UNLOCK();
	return rc;
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = server_check("destroy_ioreq_server", domid, id);
	if (!rc) {
		S.server = S.enabled = false;
		S.nranges = 0;
		memset(S.pcidev, 0, sizeof(S.pcidev));
		xs_logf("destroy_ioreq_server");
	}
	UNLOCK();
	return rc;
}

static bool overlaps(bool mmio, uint64_t first, uint64_t last)
{
	unsigned i;

	for (i = 0; i < S.nranges; i++)
		if (S.ranges[i].mmio == mmio && S.ranges[i].first <= last &&
		    first <= S.ranges[i].last)
			return true;
	return false;
}

int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						ioservid_t id, int is_mmio, uint64_t start,
						uint64_t end)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = server_check("map_io", domid, id);
	if (!rc && (end < start || (!is_mmio && end > 0xffff))) {
		errno = EINVAL;
		rc = -1;
	} else if (!rc && overlaps(is_mmio, start, end)) {
		errno = EEXIST;
		rc = -1;
	} else if (!rc && S.nranges == XS_MAX_RANGES) {
		errno = ENOSPC;
		rc = -1;
	}
	if (!rc) {
		S.ranges[S.nranges++] = (struct xs_range){ is_mmio != 0, start, end };
		xs_logf("map_io %s 0x%" PRIx64 "-0x%" PRIx64, is_mmio ? "mmio" : "pio", start, end);
	} else {
		xs_logf("map_io %s 0x%" PRIx64 "-0x%" PRIx64 " failed %d", is_mmio ? "mmio" : "pio",
			start, end, errno);
	}
	UNLOCK();
	return rc;
}

/* rangeset_remove_range: the range must lie inside one claimed range; split it. */
static int range_remove(bool mmio, uint64_t first, uint64_t last)
{
	unsigned i;

	for (i = 0; i < S.nranges; i++) {
		struct xs_range r = S.ranges[i];

		if (r.mmio != mmio || first < r.first || last > r.last)
			continue;
		S.ranges[i] = S.ranges[--S.nranges];
		if (r.first < first)
			S.ranges[S.nranges++] = (struct xs_range){ mmio, r.first, first - 1 };
		if (last < r.last && S.nranges < XS_MAX_RANGES)
			S.ranges[S.nranges++] = (struct xs_range){ mmio, last + 1, r.last };
		return 0;
	}
	errno = ENOENT;
	return -1;
}

int xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						    ioservid_t id, int is_mmio, uint64_t start,
						    uint64_t end)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = server_check("unmap_io", domid, id);
	if (!rc)
		rc = range_remove(is_mmio != 0, start, end);
	xs_logf("unmap_io %s 0x%" PRIx64 "-0x%" PRIx64 "%s", is_mmio ? "mmio" : "pio", start, end,
		rc ? " failed" : "");
	UNLOCK();
	return rc;
}

static int pcidev(const char *call, domid_t domid, ioservid_t id, uint16_t seg, uint8_t bus,
		  uint8_t dev, uint8_t fn, bool map)
{
	unsigned devfn = (unsigned)dev << 3 | fn;
	bool present;
	int rc;

	LOCK();
	rc = server_check(call, domid, id);
	if (!rc && (seg || bus || dev > 31 || fn > 7)) {
		errno = EINVAL;
		rc = -1;
	}
	if (!rc) {
		present = S.pcidev[devfn / 8] & (1u << (devfn % 8));
		if (map == present) {
			errno = map ? EEXIST : ENOENT;
			rc = -1;
		} else if (map) {
			S.pcidev[devfn / 8] |= (uint8_t)(1u << (devfn % 8));
		} else {
			S.pcidev[devfn / 8] &= (uint8_t) ~(1u << (devfn % 8));
		}
	}
	xs_logf("%s %04x:%02x:%02x.%u%s", call, seg, bus, dev, fn, rc ? " failed" : "");
	UNLOCK();
	return rc;
}

int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					      ioservid_t id, uint16_t segment, uint8_t bus,
					      uint8_t device, uint8_t function)
{
	(void)dmod;
	return pcidev("map_pcidev", domid, id, segment, bus, device, function, true);
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						  ioservid_t id, uint16_t segment, uint8_t bus,
						  uint8_t device, uint8_t function)
{
	(void)dmod;
	return pcidev("unmap_pcidev", domid, id, segment, bus, device, function, false);
}

/* ------------------------------------------------------------ interrupts, lifecycle */

int xendevicemodel_set_isa_irq_level(xendevicemodel_handle *dmod, domid_t domid, uint8_t irq,
				     unsigned int level)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = precheck("isa_irq", domid);
	if (!rc && irq > 15) {
		errno = EINVAL;
		rc = -1;
	}
	if (!rc) {
		S.isa = level ? S.isa | (uint16_t)(1u << irq) : S.isa & (uint16_t) ~(1u << irq);
		xs_logf("isa_irq %u %u", irq, level);
	}
	UNLOCK();
	return rc;
}

int xendevicemodel_set_pci_intx_level(xendevicemodel_handle *dmod, domid_t domid, uint16_t segment,
				      uint8_t bus, uint8_t device, uint8_t intx, unsigned int level)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = precheck("intx", domid);
	if (!rc && (segment || bus || device > 31 || intx > 3)) {
		errno = EINVAL;
		rc = -1;
	}
	if (!rc)
		xs_logf("intx %02x %c %u", device, 'A' + intx, level);
	UNLOCK();
	return rc;
}

int xendevicemodel_set_pci_link_route(xendevicemodel_handle *dmod, domid_t domid, uint8_t link,
				      uint8_t irq)
{
	int rc;

	(void)dmod;
	LOCK();
	rc = precheck("link_route", domid);
	if (!rc && (link > 3 || irq > 15)) {
		errno = EINVAL;
		rc = -1;
	}
	if (!rc)
		xs_logf("link_route %u %u", link, irq);
	UNLOCK();
	return rc;
}

int xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid, uint64_t msi_addr,
			      uint32_t msi_data)
{
	(void)dmod;
	return checked_log("msi", domid, "msi 0x%" PRIx64 " 0x%x", msi_addr, msi_data);
}

int xendevicemodel_shutdown(xendevicemodel_handle *dmod, domid_t domid, unsigned int reason)
{
	(void)dmod;
	return checked_log("shutdown", domid, "shutdown %u", reason);
}

int xc_set_hvm_param(xc_interface *handle, uint32_t dom, int param, unsigned long value)
{
	(void)handle;
	return checked_log("hvm_param", (domid_t)dom, "hvm_param %d %lu", param, value);
}

int xendevicemodel_set_mem_type(xendevicemodel_handle *dmod, domid_t domid, hvmmem_type_t mem_type,
				uint64_t first_pfn, uint32_t nr)
{
	(void)dmod;
	return checked_log("set_mem_type", domid, "mem_type 0x%" PRIx64 " 0x%x %s", first_pfn, nr,
			   mem_type == HVMMEM_ram_ro   ? "ro"
			   : mem_type == HVMMEM_ram_rw ? "rw"
						       : "other");
}

int xendevicemodel_modified_memory(xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
				   uint32_t nr)
{
	(void)dmod;
	return checked_log("modified_memory", domid, "modified 0x%" PRIx64 " %u", first_pfn, nr);
}

/* ------------------------------------------------------------ foreign memory */

static void maps_add(void *addr, size_t pages)
{
	if (S.nmaps == S.capmaps) {
		unsigned cap = S.capmaps ? S.capmaps * 2 : 64;
		struct xs_map *n = realloc(S.maps, cap * sizeof(*n));

		if (!n)
			return;
		S.maps = n;
		S.capmaps = cap;
	}
	S.maps[S.nmaps++] = (struct xs_map){ addr, pages };
}

static int maps_del(void *addr, size_t pages)
{
	unsigned i;

	for (i = 0; i < S.nmaps; i++) {
		if (S.maps[i].addr == addr) {
			if (S.maps[i].pages != pages)
				xs_error("unmap of %p with %zu pages, mapped with %zu", addr, pages,
					 S.maps[i].pages);
			S.maps[i] = S.maps[--S.nmaps];
			return 0;
		}
	}
	xs_error("unmap of %p that is not a foreign mapping", addr);
	errno = EINVAL;
	return -1;
}

/* Map pages[i] at base + i pages, coalescing runs that are contiguous in the memfd. */
static void map_runs(uint8_t *base, int prot, size_t pages, const int64_t *off, int *err)
{
	size_t i = 0, j;

	while (i < pages) {
		if (off[i] < 0) {
			err[i++] = EINVAL;
			continue;
		}
		for (j = i + 1; j < pages && off[j] == off[i] + (int64_t)((j - i) * XS_PAGE); j++)
			;
		if (mmap(base + i * XS_PAGE, (j - i) * XS_PAGE, prot, MAP_SHARED | MAP_FIXED,
			 S.memfd, off[i]) == MAP_FAILED) {
			for (; i < j; i++)
				err[i] = errno;
			continue;
		}
		for (; i < j; i++)
			err[i] = 0;
	}
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
			   const xen_pfn_t arr[], int err[])
{
	int64_t *off = NULL;
	int *errs = err;
	uint8_t *base = NULL;
	size_t i;

	(void)fmem;
	LOCK();
	if (precheck("foreign_map", (domid_t)dom) || !pages)
		goto out_einval;
	off = calloc(pages, sizeof(*off));
	if (!errs)
		errs = calloc(pages, sizeof(*errs));
	if (!off || !errs)
		goto out;
	for (i = 0; i < pages; i++)
		off[i] = xs_gfn_offset(arr[i]);
	base = mmap(NULL, pages * XS_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED) {
		base = NULL;
		goto out;
	}
	map_runs(base, prot, pages, off, errs);
	if (!err) {
		for (i = 0; i < pages; i++) {
			if (errs[i]) {
				munmap(base, pages * XS_PAGE);
				errno = errs[i];
				base = NULL;
				goto out;
			}
		}
	}
	maps_add(base, pages);
out:
	free(off);
	if (errs != err)
		free(errs);
	UNLOCK();
	return base;
out_einval:
	if (!errno)
		errno = EINVAL;
	UNLOCK();
	return NULL;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	int rc;

	(void)fmem;
	LOCK();
	rc = maps_del(addr, pages);
	UNLOCK();
	if (!rc)
		munmap(addr, pages * XS_PAGE);
	return rc;
}

xenforeignmemory_resource_handle *
xenforeignmemory_map_resource(xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
			      unsigned int id, unsigned long frame, unsigned long nr_frames,
			      void **paddr, int prot, int flags)
{
	xenforeignmemory_resource_handle *fres = NULL;
	void *a;

	(void)fmem;
	(void)flags;
	LOCK();
	if (S.cfg.no_map_resource) {
		errno = EOPNOTSUPP;
		goto out;
	}
	if (server_check("map_resource", domid, id))
		goto out;
	if (type != 0 /* XENMEM_resource_ioreq_server */ || frame + nr_frames > 2 || !nr_frames) {
		errno = EINVAL;
		goto out;
	}
	a = mmap(*paddr, nr_frames * XS_PAGE, prot, MAP_SHARED, S.memfd,
		 (off_t)(S.ioreq_off + frame * XS_PAGE));
	if (a == MAP_FAILED)
		goto out;
	fres = calloc(1, sizeof(*fres));
	if (!fres) {
		munmap(a, nr_frames * XS_PAGE);
		goto out;
	}
	fres->addr = a;
	fres->pages = nr_frames;
	*paddr = a;
	maps_add(a, nr_frames); /* a live mapping until unmap_resource */
	xs_logf("map_resource %lu %lu", frame, nr_frames);
out:
	UNLOCK();
	return fres;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				    xenforeignmemory_resource_handle *fres)
{
	(void)fmem;
	if (!fres)
		return 0;
	LOCK();
	maps_del(fres->addr, fres->pages);
	xs_logf("unmap_resource");
	UNLOCK();
	munmap(fres->addr, fres->pages * XS_PAGE);
	free(fres);
	return 0;
}

/* ------------------------------------------------------------ event channels */

/* The kernel's evtchn device: an event masks the port and queues it once. */
static void raise_local(uint32_t lp)
{
	struct xs_lport *p = &S.lport[lp];
	uint64_t one = 1;

	if (!p->pending || p->masked)
		return;
	p->pending = false;
	p->masked = true;
	if (p->h->tail - p->h->head >= XS_RING) {
		xs_error("evtchn ring overflow");
		return;
	}
	p->h->ring[p->h->tail++ % XS_RING] = lp;
	if (write(p->h->efd, &one, sizeof(one)) != sizeof(one))
		xs_error("eventfd write: %s", strerror(errno));
}

void xs_deliver(uint32_t remote)
{
	uint32_t lp;

	for (lp = 0; lp < XS_NPORTS; lp++) {
		if (S.lport[lp].bound && S.lport[lp].remote == remote) {
			S.lport[lp].pending = true;
			raise_local(lp);
			return;
		}
	}
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->efd;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	uint32_t lp;
	bool valid;

	LOCK();
	if (precheck("bind_interdomain", (domid_t)domid)) {
		UNLOCK();
		return -1;
	}
	valid = remote_port == XS_REMOTE_BUF ||
		(remote_port >= XS_REMOTE_VCPU(0) && remote_port < XS_REMOTE_VCPU(S.cfg.nr_vcpus));
	if (!valid) {
		xs_logf("bind_interdomain %u failed", remote_port);
		UNLOCK();
		errno = EINVAL;
		return -1;
	}
	for (lp = XS_FIRST_LOCAL; lp < XS_NPORTS; lp++)
		if (!S.lport[lp].bound)
			break;
	if (lp == XS_NPORTS) {
		UNLOCK();
		errno = ENOSPC;
		return -1;
	}
	S.lport[lp] = (struct xs_lport){ .bound = true, .remote = remote_port, .h = xce };
	xs_logf("bind_interdomain %u -> %u", remote_port, lp);
	UNLOCK();
	return (xenevtchn_port_or_error_t)lp;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	int rc = 0;

	LOCK();
	if (port >= XS_NPORTS || !S.lport[port].bound || S.lport[port].h != xce) {
		errno = EINVAL;
		rc = -1;
	} else {
		S.lport[port].bound = false;
		xs_logf("unbind %u", port);
	}
	UNLOCK();
	return rc;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	uint32_t remote;
	int rc = 0;

	LOCK();
	if (port >= XS_NPORTS || !S.lport[port].bound || S.lport[port].h != xce) {
		errno = EINVAL;
		rc = -1;
	} else {
		remote = S.lport[port].remote;
		if (remote >= XS_REMOTE_VCPU(0) && remote < XS_REMOTE_VCPU(XS_MAX_VCPUS)) {
			S.vcpu[remote - XS_REMOTE_VCPU(0)].notified++;
			pthread_cond_broadcast(&S.cond);
		}
	}
	UNLOCK();
	return rc;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	uint64_t cnt;
	uint32_t lp;

	LOCK();
	if (xce->head == xce->tail) {
		UNLOCK();
		errno = EAGAIN;
		return -1;
	}
	lp = xce->ring[xce->head++ % XS_RING];
	if (xce->head == xce->tail && read(xce->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		xs_error("eventfd read: %s", strerror(errno));
	UNLOCK();
	return (xenevtchn_port_or_error_t)lp;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	int rc = 0;

	LOCK();
	if (port >= XS_NPORTS || !S.lport[port].bound || S.lport[port].h != xce) {
		errno = EINVAL;
		rc = -1;
	} else {
		S.lport[port].masked = false;
		raise_local(port);
	}
	UNLOCK();
	return rc;
}

/* ------------------------------------------------------------ xenstore */

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len)
{
	unsigned i, slot = 64;
	char *v;

	(void)h;
	(void)t;
	LOCK();
	if (S.restricted || xs_should_fail("xs_write")) {
		if (S.restricted)
			errno = EBADF;
		xs_logf("xs_write %s failed", path);
		UNLOCK();
		return false;
	}
	for (i = 0; i < 64; i++) {
		if (S.xs_keys[i] && !strcmp(S.xs_keys[i], path)) {
			slot = i;
			break;
		}
		if (!S.xs_keys[i] && slot == 64)
			slot = i;
	}
	v = slot < 64 ? strndup(data, len) : NULL;
	if (!v) {
		UNLOCK();
		errno = ENOSPC;
		return false;
	}
	if (!S.xs_keys[slot])
		S.xs_keys[slot] = strdup(path);
	free(S.xs_vals[slot]);
	S.xs_vals[slot] = v;
	xs_logf("xs_write %s %s", path, v);
	UNLOCK();
	return true;
}
