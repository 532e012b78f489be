/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm/xen internals: the one place the Xen headers come in. Shared by the
 * lifecycle (xen.c), the ioreq protocol (xen_ioreq.c), the mapcache
 * (mapcache.c), the interrupt and lifecycle requests (xen_irq.c), the
 * recorder (record.c) and xenstore (xen_store.c).
 */
#ifndef DM_XEN_XEN_INT_H
#define DM_XEN_XEN_INT_H

#define __XEN_TOOLS__ 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xentoolcore.h>
#include <xenctrl.h>
#include <xen/hvm/ioreq.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "dm/bus.h"
#include "dm/ioreq.h"
#include "dm/loop.h"
#include "dm/memory.h"
#include "dm/platform.h"
#include "dm/runstate.h"
#include "dm/xen/xen.h"

/*
 * ioreq_t as bytes (public/hvm/ioreq.h): the state and the flag bits share
 * byte 30. The shared slot is touched only through these so that every
 * access is a single, ordered byte or quadword access; unit tests check
 * the bit positions against the header's bitfields.
 */
#define XIO_BYTE_FLAGS 30
#define XIO_STATE_MASK 0x0fu
#define XIO_PTR_BIT    0x10u
#define XIO_DIR_BIT    0x20u
#define XIO_DF_BIT     0x40u

/* Guest memory mapped at once unless xen_opts.mapcache_max_mb says otherwise (QEMU: 32 GiB). */
#define MAPCACHE_DEFAULT_MB 32768ull

/* Drain the buffered ring this long after its channel fires (QEMU's BUFFER_IO_MAX_DELAY). */
#define XEN_BUF_DELAY_NS (100ull * 1000 * 1000)

struct mapcache;
struct machine;

struct xen_stats {
	uint64_t sync;	    /* synchronous requests completed */
	uint64_t buffered;  /* buffered entries applied */
	uint64_t spurious;  /* notifications with no request ready */
	uint64_t malformed; /* requests ioreq_handle refused, answered benignly */
	uint64_t bad_state; /* slot left INPROCESS by someone else */
};

struct xen_platform {
	struct machine *m;
	struct xen_opts opts;
	domid_t domid;

	xendevicemodel_handle *dmod;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce;
	struct xs_handle *xsh;
	xc_interface *xch;

	ioservid_t ioservid;
	bool server_created;
	bool server_enabled;
	xenforeignmemory_resource_handle *fres; /* map_resource mapping, or NULL */
	void *legacy_page[2];			/* the gfn fallback: buffered, shared */
	shared_iopage_t *shared;
	buffered_iopage_t *buffered;

	unsigned nr_vcpus;
	evtchn_port_t *vcpu_port; /* local port per vCPU */
	bool *vcpu_bound;
	unsigned last_vcpu;	/* port lookup starts here */
	evtchn_port_t buf_port; /* local port of the buffered ring */
	bool buf_bound;
	struct timer buf_timer;
	bool fd_watched;

	struct mapcache *mc;
	struct runstate_hook rs_hook;
	bool rs_hooked;
	struct bus_listener listener;
	bool listening;

	/* Interrupt lines as last told to Xen. */
	uint16_t isa_level;
	uint8_t intx_level[256]; /* per devfn: bit n = pin n asserted */

	/* Lifecycle requests raised during a synchronous ioreq wait for its end (§1.4). */
	bool in_sync;
	unsigned pending_req; /* bit per enum plat_request */

	FILE *record;
	bool running_written;
	bool restricted;
	int exit_signal;
	struct xen_stats stats;
};

/* The machine's Xen platform (m->plat.opaque while the platform is up). */
struct xen_platform *xen_of(const struct machine *m);

/* xen_ioreq.c: the protocol (§2.3, §2.6). */
void xen_ioreq_from_xen(const ioreq_t *x, struct dm_ioreq *r);
/* Handle vCPU i's slot if a request is ready. Returns 1 handled, 0 spurious. */
int xen_handle_sync(struct xen_platform *xp, unsigned vcpu);
/* Apply the buffered entries, at most a ring's worth; returns how many slots were consumed. */
unsigned xen_drain_buffered(struct xen_platform *xp);
/* The event-channel fd became readable. */
void xen_evtchn_ready(void *opaque, uint32_t events);
void xen_buf_timer_fire(void *opaque);

/* xen_irq.c: platform_ops and the lifecycle requests. */
extern const struct platform_ops xen_backend_ops;
void xen_run_pending_requests(struct xen_platform *xp);

/* mapcache.c (§3) */
/* log_dirty: the machine's flag (QMP xen-set-global-dirty-log), read on every write. */
struct mapcache *mapcache_new(xenforeignmemory_handle *fmem, xendevicemodel_handle *dmod,
			      domid_t domid, uint64_t max_bytes, const bool *log_dirty);
void mapcache_free(struct mapcache *mc);
extern const struct guest_mem_ops mapcache_ops;
/* For tests and stats. */
struct mapcache_stats {
	uint64_t maps;	  /* foreign map calls */
	uint64_t unmaps;  /* foreign unmap calls */
	uint64_t hits;	  /* lookups served by an existing mapping */
	unsigned entries; /* mappings held now */
	unsigned locked;  /* of which locked by gm_map */
	uint64_t mapped_bytes;
	uint64_t dirty_reports; /* modified_memory calls */
};
void mapcache_get_stats(const struct mapcache *mc, struct mapcache_stats *st);

/* record.c: --record FILE (shared/docs/trace-format.md "Recording"). */
__attribute__((warn_unused_result)) int xen_record_open(struct xen_platform *xp, const char *path);
void xen_record_close(struct xen_platform *xp);
/* Before handling: the request (and for a PTR write, the guest memory it reads). */
void xen_record_request(struct xen_platform *xp, const struct dm_ioreq *r);
/* After handling: the answer, as a comment replay ignores. */
void xen_record_answer(struct xen_platform *xp, const struct dm_ioreq *r, int rc);
void xen_record_buffered(struct xen_platform *xp, const struct dm_ioreq *r);

/* xen_store.c (§7.2) */
__attribute__((warn_unused_result)) int xen_store_write_state(struct xen_platform *xp,
							      const char *state);

#endif
