// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Xen platform's lifecycle (shared/docs/xen-interface.md §1.2-§1.5;
 * QEMU xen-hvm-common.c xen_register_ioreq / xen_exit_notifier,
 * xen-troops/virtio-disk demu.c for the teardown order).
 *
 * Start: open the handles; create an ioreq server with atomic buffered
 * ioreqs; map its two frames with map_resource (frame 0 the buffered ring,
 * frame 1 the vCPU slots), or on EOPNOTSUPP the gfns get_ioreq_server_info
 * gives; enable the server, and only then read each vCPU's vp_eport and bind
 * it, and the buffered port. The platform then serves as the bus listener:
 * every port/MMIO range and PCI function the machine maps is claimed with
 * the server, and released when unmapped or moved.
 *
 * Exit (SIGTERM/SIGINT/SIGHUP through the loop's signalfd): unbind the
 * ports, disable, unmap the frames, destroy the server (which also drops
 * every claim), drop the mapcache, close the handles.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>

#include "dm/log.h"
#include "dm/machine.h"
#include "dm/xen/xen_int.h"

static const char WHO[] = "xen";

struct xen_platform *xen_of(const struct machine *m)
{
	return m && m->plat.ops == &xen_backend_ops ? m->plat.opaque : NULL;
}

/* ------------------------------------------------------------ claims */

static int x_claim_range(void *opaque, enum bus_space space, uint64_t first, uint64_t last,
			 bool claim)
{
	struct xen_platform *xp = opaque;
	int mmio = space == BUS_MMIO;
	int rc;

	if (claim)
		rc = xendevicemodel_map_io_range_to_ioreq_server(xp->dmod, xp->domid, xp->ioservid,
								 mmio, first, last);
	else
		rc = xendevicemodel_unmap_io_range_from_ioreq_server(
		    xp->dmod, xp->domid, xp->ioservid, mmio, first, last);
	if (rc) {
		rc = -errno;
		dm_err(WHO, "%s %s 0x%" PRIx64 "-0x%" PRIx64 ": %s", claim ? "claim" : "release",
		       mmio ? "mmio" : "pio", first, last, strerror(-rc));
		/* A release Xen refuses leaves the range with us; answering it is harmless. */
		return claim ? rc : 0;
	}
	dm_dbg(LOG_XEN, WHO, "%s %s 0x%" PRIx64 "-0x%" PRIx64, claim ? "claimed" : "released",
	       mmio ? "mmio" : "pio", first, last);
	return 0;
}

static int x_claim_pci(void *opaque, unsigned devfn, bool claim)
{
	struct xen_platform *xp = opaque;
	uint8_t dev = (uint8_t)(devfn >> 3), fn = (uint8_t)(devfn & 7);
	int rc;

	if (claim)
		rc = xendevicemodel_map_pcidev_to_ioreq_server(xp->dmod, xp->domid, xp->ioservid, 0,
							       0, dev, fn);
	else
		rc = xendevicemodel_unmap_pcidev_from_ioreq_server(xp->dmod, xp->domid,
								   xp->ioservid, 0, 0, dev, fn);
	if (rc) {
		rc = -errno;
		dm_err(WHO, "%s pci 00:%02x.%u: %s", claim ? "claim" : "release", dev, fn,
		       strerror(-rc));
		return claim ? rc : 0;
	}
	return 0;
}

/* ------------------------------------------------------------ start-up */

static int open_handles(struct xen_platform *xp)
{
	xp->xch = xc_interface_open(NULL, NULL, 0);
	if (!xp->xch)
		goto err;
	xp->fmem = xenforeignmemory_open(NULL, 0);
	if (!xp->fmem)
		goto err;
	xp->dmod = xendevicemodel_open(NULL, 0);
	if (!xp->dmod)
		goto err;
	xp->xce = xenevtchn_open(NULL, 0);
	if (!xp->xce)
		goto err;
	if (!xp->opts.restrict_handles) {
		xp->xsh = xs_open(0);
		if (!xp->xsh)
			goto err;
	}
	return 0;
err:
	dm_err(WHO, "cannot open the Xen interfaces (is this dom0 with xenfs and xenstored?): %s",
	       strerror(errno));
	return -errno ? -errno : -ENODEV;
}

static int size_vcpus(struct xen_platform *xp)
{
	unsigned n = xp->opts.max_vcpus;

	if (!n && xendevicemodel_nr_vcpus(xp->dmod, xp->domid, &n)) {
		dm_err(WHO, "d%u: cannot read the vCPU count: %s", xp->domid, strerror(errno));
		return -errno;
	}
	/* One page of 32-byte slots. */
	if (n == 0 || n > 4096 / sizeof(ioreq_t)) {
		dm_err(WHO, "d%u: %u vCPUs: the ioreq page holds 1 to 128", xp->domid, n);
		return -EINVAL;
	}
	xp->nr_vcpus = n;
	xp->vcpu_port = calloc(n, sizeof(*xp->vcpu_port));
	xp->vcpu_bound = calloc(n, sizeof(*xp->vcpu_bound));
	return xp->vcpu_port && xp->vcpu_bound ? 0 : -ENOMEM;
}

/* Pre-4.11 Xen: the frames are guest pages at the gfns the server reports. */
static int map_pages_legacy(struct xen_platform *xp)
{
	xen_pfn_t gfn[2];
	evtchn_port_t port;
	unsigned i;

	if (xendevicemodel_get_ioreq_server_info(xp->dmod, xp->domid, xp->ioservid, &gfn[1],
						 &gfn[0], &port)) {
		dm_err(WHO, "get_ioreq_server_info: %s", strerror(errno));
		return -errno;
	}
	for (i = 0; i < 2; i++) {
		xp->legacy_page[i] = xenforeignmemory_map(xp->fmem, xp->domid,
							  PROT_READ | PROT_WRITE, 1, &gfn[i], NULL);
		if (!xp->legacy_page[i]) {
			dm_err(WHO, "map ioreq page gfn 0x%" PRIx64 ": %s", (uint64_t)gfn[i],
			       strerror(errno));
			return -errno;
		}
	}
	xp->buffered = xp->legacy_page[0];
	xp->shared = xp->legacy_page[1];
	return 0;
}

static int map_pages(struct xen_platform *xp)
{
	void *addr = NULL;

	xp->fres = xenforeignmemory_map_resource(
	    xp->fmem, xp->domid, XENMEM_resource_ioreq_server, xp->ioservid,
	    XENMEM_resource_ioreq_server_frame_bufioreq, 2, &addr, PROT_READ | PROT_WRITE, 0);
	if (xp->fres) {
		xp->buffered = addr;
		xp->shared = (shared_iopage_t *)((uint8_t *)addr + 4096);
		return 0;
	}
	if (errno != EOPNOTSUPP) {
		dm_err(WHO, "map the ioreq server frames: %s", strerror(errno));
		return -errno;
	}
	dm_info(WHO, "no resource mapping in this Xen: mapping the ioreq gfns");
	return map_pages_legacy(xp);
}

static int create_server(struct xen_platform *xp)
{
	evtchn_port_t port;

	if (xendevicemodel_create_ioreq_server(xp->dmod, xp->domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC,
					       &xp->ioservid)) {
		dm_err(WHO, "d%u: create ioreq server: %s", xp->domid, strerror(errno));
		return -errno;
	}
	xp->server_created = true;
	if (map_pages(xp) < 0)
		return -EIO;
	if (xendevicemodel_get_ioreq_server_info(xp->dmod, xp->domid, xp->ioservid, NULL, NULL,
						 &port)) {
		dm_err(WHO, "get_ioreq_server_info: %s", strerror(errno));
		return -errno;
	}
	/* vp_eport is only meaningful once the server is enabled. */
	if (xendevicemodel_set_ioreq_server_state(xp->dmod, xp->domid, xp->ioservid, 1)) {
		dm_err(WHO, "enable ioreq server: %s", strerror(errno));
		return -errno;
	}
	xp->server_enabled = true;
	xp->buf_port = port; /* remote until bound below */
	return 0;
}

static int bind_ports(struct xen_platform *xp)
{
	xenevtchn_port_or_error_t p;
	evtchn_port_t remote;
	unsigned i;

	for (i = 0; i < xp->nr_vcpus; i++) {
		remote = __atomic_load_n(&xp->shared->vcpu_ioreq[i].vp_eport, __ATOMIC_ACQUIRE);
		p = xenevtchn_bind_interdomain(xp->xce, xp->domid, remote);
		if (p < 0) {
			dm_err(WHO, "bind vcpu %u port %u: %s", i, remote, strerror(errno));
			return -errno;
		}
		xp->vcpu_port[i] = (evtchn_port_t)p;
		xp->vcpu_bound[i] = true;
	}
	remote = xp->buf_port;
	p = xenevtchn_bind_interdomain(xp->xce, xp->domid, remote);
	if (p < 0) {
		dm_err(WHO, "bind buffered port %u: %s", remote, strerror(errno));
		return -errno;
	}
	xp->buf_port = (evtchn_port_t)p;
	xp->buf_bound = true;
	return 0;
}

static void x_runstate_changed(void *opaque, enum run_state from, enum run_state to);

/* The hypervisor side: handles, vCPU count, ioreq server, event channels, mapcache, record. */
static int open_hypervisor(struct xen_platform *xp)
{
	const struct xen_opts *o = &xp->opts;
	uint64_t cap;
	int rc;

	rc = open_handles(xp);
	if (!rc)
		rc = size_vcpus(xp);
	if (!rc)
		rc = create_server(xp);
	if (!rc)
		rc = bind_ports(xp);
	if (rc)
		return rc;
	cap = (o->mapcache_max_mb ? o->mapcache_max_mb : MAPCACHE_DEFAULT_MB) << 20;
	xp->mc = mapcache_new(xp->fmem, xp->dmod, xp->domid, cap, &xp->m->log_dirty);
	if (!xp->mc)
		return -ENOMEM;
	return o->record ? xen_record_open(xp, o->record) : 0;
}

/* The machine side: guest memory through the mapcache, runstate changes, range claims. */
static void wire_machine(struct xen_platform *xp)
{
	struct machine *m = xp->m;

	m->mem.ops = &mapcache_ops;
	m->mem.opaque = xp->mc;
	m->io.mem = &m->mem;
	m->io.bus = m->bus;
	xp->rs_hook.changed = x_runstate_changed;
	xp->rs_hook.opaque = xp;
	runstate_add_hook(&m->rs, &xp->rs_hook);
	xp->rs_hooked = true;
	xp->listener.claim_range = x_claim_range;
	xp->listener.claim_pci = x_claim_pci;
	xp->listener.opaque = xp;
	bus_set_listener(m->bus, &xp->listener);
	xp->listening = true;
}

int xen_backend_init(struct machine *m, const struct xen_opts *o)
{
	struct xen_platform *xp;
	int rc;

	if (o->domid <= 0 || o->domid >= (int)DOMID_FIRST_RESERVED) {
		dm_err(WHO, "-xen-domid %d: not a guest domain id", o->domid);
		return -EINVAL;
	}
	if (!m->bus || !m->loop) {
		dm_err(WHO, "the machine needs its bus and loop before the Xen platform");
		return -EINVAL;
	}
	xp = calloc(1, sizeof(*xp));
	if (!xp)
		return -ENOMEM;
	xp->m = m;
	xp->opts = *o;
	xp->domid = (domid_t)o->domid;
	timer_init(&xp->buf_timer, m->loop, xen_buf_timer_fire, xp);
	m->plat.ops = &xen_backend_ops;
	m->plat.opaque = xp;
	m->domid = o->domid;
	/* On failure fini undoes what was opened (it finds xp through m->plat). */
	rc = open_hypervisor(xp);
	if (rc) {
		xen_backend_fini(m);
		return rc;
	}
	wire_machine(xp);
	dm_info(WHO, "d%u: ioreq server %u up, %u vCPUs", xp->domid, xp->ioservid, xp->nr_vcpus);
	return 0;
}

int xen_backend_start(struct machine *m)
{
	struct xen_platform *xp = xen_of(m);
	int rc;

	if (!xp)
		return -EINVAL;
	if (xp->opts.restrict_handles) {
		if (xentoolcore_restrict_all(xp->domid)) {
			dm_err(WHO, "-xen-domid-restrict: xentoolcore_restrict_all(%u): %s",
			       xp->domid, strerror(errno));
			return -errno;
		}
		xp->restricted = true;
	}
	rc = loop_add_fd(m->loop, xenevtchn_fd(xp->xce), EPOLLIN, xen_evtchn_ready, xp);
	if (rc) {
		dm_err(WHO, "watch the event channels: %s", strerror(-rc));
		return rc;
	}
	xp->fd_watched = true;
	if (!xp->opts.start_paused && !xp->restricted)
		return xen_store_write_state(xp, "running");
	return 0;
}

int xen_backend_set_running(struct machine *m, bool running)
{
	struct xen_platform *xp = xen_of(m);

	if (!xp)
		return -EINVAL;
	if (xp->server_enabled != running) {
		if (xendevicemodel_set_ioreq_server_state(xp->dmod, xp->domid, xp->ioservid,
							  running)) {
			dm_err(WHO, "%s ioreq server: %s", running ? "enable" : "disable",
			       strerror(errno));
			return -errno;
		}
		xp->server_enabled = running;
	}
	if (running && !xp->restricted)
		return xen_store_write_state(xp, "running");
	return 0;
}

void xen_backend_set_log_dirty(struct machine *m, bool on)
{
	m->log_dirty = on;
}

/* §1.3: the server follows the run state (QEMU xen_hvm_change_state_handler). */
static void x_runstate_changed(void *opaque, enum run_state from, enum run_state to)
{
	struct xen_platform *xp = opaque;

	(void)from;
	/* A failure is logged there; the run state itself is QMP's to keep. */
	if ((to == RUN_RUNNING || to == RUN_PAUSED || to == RUN_IO_ERROR) &&
	    xen_backend_set_running(xp->m, to == RUN_RUNNING))
		dm_warn(WHO, "ioreq server did not follow the run state %s", run_state_name(to));
}

void xen_backend_on_signal(void *opaque, int signo)
{
	struct machine *m = opaque;
	struct xen_platform *xp = xen_of(m);

	dm_info(WHO, "signal %d: shutting down", signo);
	if (xp)
		xp->exit_signal = signo;
	loop_quit(m->loop, 0);
}

int xen_backend_exit_signal(const struct machine *m)
{
	const struct xen_platform *xp = xen_of(m);

	return xp ? xp->exit_signal : 0;
}

/* ------------------------------------------------------------ teardown */

static void unbind_ports(struct xen_platform *xp)
{
	unsigned i;

	for (i = 0; i < xp->nr_vcpus; i++) {
		if (xp->vcpu_bound && xp->vcpu_bound[i] &&
		    xenevtchn_unbind(xp->xce, xp->vcpu_port[i]))
			dm_warn(WHO, "unbind vcpu %u: %s", i, strerror(errno));
		if (xp->vcpu_bound)
			xp->vcpu_bound[i] = false;
	}
	if (xp->buf_bound && xenevtchn_unbind(xp->xce, xp->buf_port))
		dm_warn(WHO, "unbind buffered port: %s", strerror(errno));
	xp->buf_bound = false;
}

static void unmap_pages(struct xen_platform *xp)
{
	unsigned i;

	if (xp->fres && xenforeignmemory_unmap_resource(xp->fmem, xp->fres))
		dm_warn(WHO, "unmap ioreq frames: %s", strerror(errno));
	xp->fres = NULL;
	for (i = 0; i < 2; i++) {
		if (xp->legacy_page[i] && xenforeignmemory_unmap(xp->fmem, xp->legacy_page[i], 1))
			dm_warn(WHO, "unmap ioreq page: %s", strerror(errno));
		xp->legacy_page[i] = NULL;
	}
	xp->shared = NULL;
	xp->buffered = NULL;
}

static void destroy_server(struct xen_platform *xp)
{
	if (xp->server_enabled &&
	    xendevicemodel_set_ioreq_server_state(xp->dmod, xp->domid, xp->ioservid, 0))
		dm_warn(WHO, "disable ioreq server: %s", strerror(errno));
	xp->server_enabled = false;
	unmap_pages(xp);
	if (xp->server_created &&
	    xendevicemodel_destroy_ioreq_server(xp->dmod, xp->domid, xp->ioservid))
		dm_warn(WHO, "destroy ioreq server: %s", strerror(errno));
	xp->server_created = false;
}

static void close_handles(struct xen_platform *xp)
{
	if (xp->dmod)
		xendevicemodel_close(xp->dmod);
	if (xp->fmem)
		xenforeignmemory_close(xp->fmem);
	if (xp->xce)
		xenevtchn_close(xp->xce);
	xs_close(xp->xsh);
	if (xp->xch)
		xc_interface_close(xp->xch);
	xp->dmod = NULL;
	xp->fmem = NULL;
	xp->xce = NULL;
	xp->xsh = NULL;
	xp->xch = NULL;
}

void xen_backend_fini(struct machine *m)
{
	struct xen_platform *xp = xen_of(m);

	if (!xp)
		return;
	if (xp->fd_watched)
		loop_del_fd(m->loop, xenevtchn_fd(xp->xce));
	xp->fd_watched = false;
	timer_del(&xp->buf_timer);
	if (xp->rs_hooked)
		runstate_del_hook(&m->rs, &xp->rs_hook);
	xp->rs_hooked = false;
	if (xp->listening)
		bus_set_listener(m->bus, NULL);
	xp->listening = false;
	xen_record_close(xp);
	unbind_ports(xp);
	destroy_server(xp);
	mapcache_free(xp->mc);
	xp->mc = NULL;
	close_handles(xp);
	dm_info(WHO,
		"d%u: ioreq server gone (%" PRIu64 " requests, %" PRIu64 " buffered, "
		"%" PRIu64 " malformed)",
		xp->domid, xp->stats.sync, xp->stats.buffered, xp->stats.malformed);
	free(xp->vcpu_port);
	free(xp->vcpu_bound);
	if (m->mem.ops == &mapcache_ops)
		m->mem = (struct guest_mem){ 0 };
	m->plat = (struct platform){ 0 };
	free(xp);
}
