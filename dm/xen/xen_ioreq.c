// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioreq protocol between Xen and the device model
 * (shared/docs/xen-interface.md §2; Xen common/ioreq.c ioreq_send,
 * ioreq_send_buffered; QEMU xen-hvm-common.c cpu_get_ioreq,
 * cpu_handle_ioreq, handle_buffered_iopage).
 *
 * Synchronous slots: a slot is read once (state, then a copy of the rest
 * after an acquire barrier), marked INPROCESS, handled on the copy through
 * ioreq_handle(), and only its data field is written back before the
 * release barrier and IORESP_READY. A request ioreq_handle refuses is still
 * completed (all ones for a read) and logged: a vCPU never stalls on us.
 *
 * Buffered ring: drained before every synchronous request and from a 100 ms
 * timer armed when its channel fires, at most a ring's worth of slots per
 * drain so that a guest feeding it cannot hold the loop; the read pointer
 * only ever moves by an atomic add because Xen canonicalises both pointers
 * with a cmpxchg.
 * Entries of size 8 take two slots (low word, then high word).
 *
 * Left out: the legacy (non-atomic) buffered mode and the default ioreq
 * server; hvmdm always creates its own server with BUFIOREQ_ATOMIC.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "dm/log.h"
#include "dm/machine.h"
#include "dm/xen/xen_int.h"

static const char WHO[] = "xen";

/* Our request type mirrors Xen's field for field (dm/ioreq.h promises it). */
_Static_assert(DM_IOREQ_PIO == IOREQ_TYPE_PIO, "PIO type");
_Static_assert(DM_IOREQ_COPY == IOREQ_TYPE_COPY, "COPY type");
_Static_assert(DM_IOREQ_PCI_CONFIG == IOREQ_TYPE_PCI_CONFIG, "PCI_CONFIG type");
_Static_assert(DM_IOREQ_TIMEOFFSET == IOREQ_TYPE_TIMEOFFSET, "TIMEOFFSET type");
_Static_assert(DM_IOREQ_INVALIDATE == IOREQ_TYPE_INVALIDATE, "INVALIDATE type");
_Static_assert(DM_IOREQ_READ == IOREQ_READ && DM_IOREQ_WRITE == IOREQ_WRITE, "dir");
/* The x86-64 layout of ioreq_t (§2.2). */
_Static_assert(sizeof(ioreq_t) == 32, "ioreq_t size");
_Static_assert(offsetof(ioreq_t, addr) == 0, "addr");
_Static_assert(offsetof(ioreq_t, data) == 8, "data");
_Static_assert(offsetof(ioreq_t, count) == 16, "count");
_Static_assert(offsetof(ioreq_t, size) == 20, "size");
_Static_assert(offsetof(ioreq_t, vp_eport) == 24, "vp_eport");
_Static_assert(offsetof(ioreq_t, _pad0) == 28, "_pad0");
_Static_assert(offsetof(ioreq_t, type) == 31, "type");
_Static_assert(sizeof(buf_ioreq_t) == 8, "buf_ioreq_t");
_Static_assert(offsetof(buffered_iopage_t, buf_ioreq) == 8, "buf_ioreq");
_Static_assert(sizeof(buffered_iopage_t) <= 4096, "buffered page");

/*
 * Barriers: xen_rmb()/xen_wmb() from xenctrl.h (tools/include/xen-barrier.h):
 * compiler barriers on x86, dmb on Arm.
 */

static uint8_t *slot_flags(ioreq_t *slot)
{
	return (uint8_t *)slot + XIO_BYTE_FLAGS;
}

static unsigned slot_state(ioreq_t *slot)
{
	return __atomic_load_n(slot_flags(slot), __ATOMIC_RELAXED) & XIO_STATE_MASK;
}

static void slot_set_state(ioreq_t *slot, unsigned state)
{
	uint8_t *f = slot_flags(slot);
	uint8_t v = __atomic_load_n(f, __ATOMIC_RELAXED);

	__atomic_store_n(f, (uint8_t)((v & ~XIO_STATE_MASK) | state), __ATOMIC_RELAXED);
}

void xen_ioreq_from_xen(const ioreq_t *x, struct dm_ioreq *r)
{
	r->addr = x->addr;
	r->data = x->data;
	r->count = x->count;
	r->size = x->size;
	r->type = x->type;
	r->dir = x->dir;
	r->df = x->df;
	r->data_is_ptr = x->data_is_ptr;
	/* handle_ioreq's pre-processing: a direct write carries only size bytes. */
	if (!r->data_is_ptr && r->dir == DM_IOREQ_WRITE && r->size < 8 && r->size > 0)
		r->data &= (1ull << (8 * r->size)) - 1;
}

static const char *const type_names[] = {
	[IOREQ_TYPE_PIO] = "pio",
	[IOREQ_TYPE_COPY] = "copy",
	[IOREQ_TYPE_PCI_CONFIG] = "pci-config",
	[IOREQ_TYPE_TIMEOFFSET] = "timeoffset",
	[IOREQ_TYPE_INVALIDATE] = "invalidate",
};

static const char *type_name(unsigned t)
{
	if (t < sizeof(type_names) / sizeof(type_names[0]) && type_names[t])
		return type_names[t];
	return "unknown";
}

/* Run one request through the core (which logs and answers a refused one). */
static int dispatch(struct xen_platform *xp, struct dm_ioreq *r, const char *src)
{
	int rc = ioreq_handle(&xp->m->io, r);

	if (rc == -EINVAL) {
		xp->stats.malformed++;
		if (r->dir == DM_IOREQ_READ)
			r->data = ~0ull;
	}
	dm_dbg(LOG_XEN, WHO,
	       "%s %s %c addr 0x%" PRIx64 " size %u count %u data 0x%" PRIx64 " -> %d", src,
	       type_name(r->type), r->dir == DM_IOREQ_READ ? 'r' : 'w', r->addr, r->size, r->count,
	       r->data, rc);
	return rc;
}

/* ------------------------------------------------------------ buffered ring */

static const uint8_t buf_size_bytes[4] = { 1, 2, 4, 8 };

static void buf_decode(const buf_ioreq_t *b, struct dm_ioreq *r)
{
	memset(r, 0, sizeof(*r));
	r->type = b->type;
	r->dir = b->dir;
	r->size = buf_size_bytes[b->size];
	r->addr = b->addr;
	r->data = b->data;
	r->count = 1;
}

/* Copy a slot once (the ring is Xen's; we never read a slot twice). */
static buf_ioreq_t buf_slot(struct xen_platform *xp, uint32_t idx)
{
	buf_ioreq_t b;

	memcpy(&b, &xp->buffered->buf_ioreq[idx % IOREQ_BUFFER_SLOT_NUM], sizeof(b));
	return b;
}

static void buf_apply(struct xen_platform *xp, struct dm_ioreq *r)
{
	if (r->dir != DM_IOREQ_WRITE || (r->type != DM_IOREQ_PIO && r->type != DM_IOREQ_COPY &&
					 r->type != DM_IOREQ_TIMEOFFSET)) {
		xp->stats.malformed++;
		guest_err(WHO, "buffered ioreq type %u dir %u at 0x%" PRIx64 " dropped", r->type,
			  r->dir, r->addr);
		return;
	}
	if (xp->record)
		xen_record_buffered(xp, r);
	(void)dispatch(xp, r, "buffered");
	xp->stats.buffered++;
}

/* One entry at rd (wr is the producer's pointer): the slots it used, 0 to stop. */
static unsigned buf_one(struct xen_platform *xp, uint32_t rd, uint32_t wr)
{
	buf_ioreq_t lo = buf_slot(xp, rd);
	struct dm_ioreq r;

	xen_rmb();
	buf_decode(&lo, &r);
	if (r.size == 8) {
		buf_ioreq_t hi;

		if (rd + 1 == wr) {
			/* Xen publishes both halves at once: this ring is corrupt. */
			xp->stats.malformed++;
			guest_err(WHO, "buffered ring: incomplete quad word at %u dropped", rd);
			return 1;
		}
		hi = buf_slot(xp, rd + 1);
		xen_rmb();
		r.data |= (uint64_t)hi.data << 32;
		buf_apply(xp, &r);
		return 2;
	}
	buf_apply(xp, &r);
	return 1;
}

/*
 * At most one ring's worth of slots per call: everything Xen posted before
 * the synchronous request that follows is in it, and a guest (another
 * vCPU) that keeps the ring fed cannot hold the loop here; the rest is
 * taken by the next call (the timer re-arms while it finds work).
 */
unsigned xen_drain_buffered(struct xen_platform *xp)
{
	buffered_iopage_t *pg = xp->buffered;
	unsigned done = 0;

	if (!pg)
		return 0;
	while (done < IOREQ_BUFFER_SLOT_NUM) {
		uint32_t rd = __atomic_load_n(&pg->read_pointer, __ATOMIC_RELAXED);
		uint32_t wr, used;

		xen_rmb();
		wr = __atomic_load_n(&pg->write_pointer, __ATOMIC_RELAXED);
		xen_rmb();
		if (__atomic_load_n(&pg->read_pointer, __ATOMIC_RELAXED) != rd)
			continue; /* Xen canonicalised the pair meanwhile */
		if (rd == wr)
			break;
		if (wr - rd > IOREQ_BUFFER_SLOT_NUM) {
			xp->stats.malformed++;
			guest_err(WHO, "buffered ring pointers %u/%u impossible; skipped", rd, wr);
			__atomic_fetch_add(&pg->read_pointer, wr - rd, __ATOMIC_SEQ_CST);
			break;
		}
		used = buf_one(xp, rd, wr);
		__atomic_fetch_add(&pg->read_pointer, used, __ATOMIC_SEQ_CST);
		done += used;
	}
	return done;
}

void xen_buf_timer_fire(void *opaque)
{
	struct xen_platform *xp = opaque;

	if (xen_drain_buffered(xp)) {
		timer_mod(&xp->buf_timer, loop_now(xp->m->loop) + XEN_BUF_DELAY_NS);
		return;
	}
	timer_del(&xp->buf_timer);
	if (xenevtchn_unmask(xp->xce, xp->buf_port) < 0)
		dm_warn(WHO, "unmask buffered port %u: %s", xp->buf_port, strerror(errno));
}

/* ------------------------------------------------------------ synchronous */

int xen_handle_sync(struct xen_platform *xp, unsigned vcpu)
{
	ioreq_t *slot = &xp->shared->vcpu_ioreq[vcpu];
	struct dm_ioreq r;
	ioreq_t copy;
	int rc;

	/* Posted writes come before the synchronous request that follows them. */
	xen_drain_buffered(xp);

	if (slot_state(slot) != STATE_IOREQ_READY) {
		xp->stats.spurious++;
		return 0;
	}
	xen_rmb();
	slot_set_state(slot, STATE_IOREQ_INPROCESS);
	memcpy(&copy, slot, sizeof(copy));
	xen_rmb();

	xen_ioreq_from_xen(&copy, &r);
	if (xp->record)
		xen_record_request(xp, &r);
	xp->in_sync = true;
	rc = dispatch(xp, &r, "sync");
	if (xp->record)
		xen_record_answer(xp, &r, rc);

	__atomic_store_n(&slot->data, r.data, __ATOMIC_RELAXED);
	if (slot_state(slot) != STATE_IOREQ_INPROCESS) {
		/* Someone else wrote the slot under us: do not step the state machine. */
		xp->stats.bad_state++;
		xp->in_sync = false;
		dm_err(WHO, "vcpu %u: ioreq slot state %u changed while in process", vcpu,
		       slot_state(slot));
		xen_run_pending_requests(xp);
		return 1;
	}
	xen_wmb(); /* update the ioreq contents, then the state */
	xp->in_sync = false;
	xen_run_pending_requests(xp);
	slot_set_state(slot, STATE_IORESP_READY);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (xenevtchn_notify(xp->xce, xp->vcpu_port[vcpu]) < 0)
		dm_warn(WHO, "notify vcpu %u: %s", vcpu, strerror(errno));
	xp->stats.sync++;
	return 1;
}

static int port_to_vcpu(struct xen_platform *xp, evtchn_port_t port)
{
	unsigned i, v;

	for (i = 0; i < xp->nr_vcpus; i++) {
		v = (xp->last_vcpu + i) % xp->nr_vcpus;
		if (xp->vcpu_bound[v] && xp->vcpu_port[v] == port) {
			xp->last_vcpu = v;
			return (int)v;
		}
	}
	return -1;
}

void xen_evtchn_ready(void *opaque, uint32_t events)
{
	struct xen_platform *xp = opaque;
	xenevtchn_port_or_error_t port;
	int vcpu;

	(void)events;
	port = xenevtchn_pending(xp->xce);
	if (port < 0) {
		if (errno != EAGAIN && errno != EINTR)
			dm_warn(WHO, "xenevtchn_pending: %s", strerror(errno));
		return;
	}
	if (xp->buf_bound && (evtchn_port_t)port == xp->buf_port) {
		/* Stays masked until a timer run finds the ring empty. */
		if (!timer_pending(&xp->buf_timer))
			timer_mod(&xp->buf_timer, loop_now(xp->m->loop) + XEN_BUF_DELAY_NS);
		return;
	}
	vcpu = port_to_vcpu(xp, (evtchn_port_t)port);
	if (xenevtchn_unmask(xp->xce, (evtchn_port_t)port) < 0)
		dm_warn(WHO, "unmask port %d: %s", port, strerror(errno));
	if (vcpu < 0) {
		dm_warn(WHO, "event on unknown port %d ignored", port);
		return;
	}
	xen_handle_sync(xp, (unsigned)vcpu);
}
