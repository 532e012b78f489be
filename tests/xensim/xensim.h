/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xensim: Xen's side of a device model, in process, for tests and
 * benchmarks. It implements every libxen* function dm/xen calls
 * (libxendevicemodel, libxenforeignmemory, libxenevtchn, libxenstore,
 * libxentoolcore, the two libxenctrl calls) and plays the hypervisor:
 *
 *  - one ioreq server with the synchronous and buffered ioreq pages in
 *    memory (a memfd, so the device model maps its own view of them);
 *  - event channels over eventfds, with Xen's mask/pending semantics;
 *  - vCPU threads that issue requests from a script the way
 *    common/ioreq.c ioreq_send does, wait for IORESP_READY following
 *    wait_for_io, and flag every protocol violation (a backwards state
 *    transition, a changed vp_eport or request field, a stall);
 *  - the buffered ring producer with Xen's atomic canonicalisation;
 *  - a guest RAM map (low RAM without the VGA hole, high RAM from 4 GiB)
 *    behind foreign mappings;
 *  - Xen's range selection: requests reach the device model only for
 *    claimed ranges and PCI functions, else Xen's null handler answers;
 *  - a log of every call (range claims, IRQ levels, link routes, MSIs,
 *    lifecycle), one line each, that tests read.
 *
 * One simulated domain per process.
 */
#ifndef TESTS_XENSIM_XENSIM_H
#define TESTS_XENSIM_XENSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xensim_cfg {
	int domid;
	unsigned nr_vcpus;
	uint64_t ram_low;	  /* bytes of RAM from 0 (the VGA hole 0xa0000-0xbffff excluded) */
	uint64_t ram_high;	  /* bytes of RAM from 4 GiB */
	bool no_map_resource;	  /* map_resource fails with EOPNOTSUPP (pre-4.11 Xen) */
	unsigned wait_timeout_ms; /* a vCPU gives up waiting after this (0: 20000) */
};

int xensim_init(const struct xensim_cfg *cfg);
void xensim_fini(void);

/* One request as a vCPU script holds it; result fields are filled in. */
enum xensim_outcome {
	XSIM_PENDING,
	XSIM_DM,       /* answered by the device model */
	XSIM_NULL,     /* no server claims it: Xen's null handler answered */
	XSIM_BUFFERED, /* went on the buffered ring */
	XSIM_ERROR,    /* protocol violation (see xensim_errors) */
};

struct xensim_req {
	uint8_t type; /* IOREQ_TYPE_* */
	uint8_t dir;  /* IOREQ_READ / IOREQ_WRITE */
	bool df;
	bool data_is_ptr;
	uint32_t size;
	uint32_t count;
	uint64_t addr;
	uint64_t data;
	bool buffer_ok; /* may go on the buffered ring if Xen would buffer it */
	bool raw;	/* post it whatever it says (malformed shapes), no range selection */
	/* out */
	uint64_t result;
	enum xensim_outcome outcome;
	size_t log_at_response; /* xensim_log_count() when the response was consumed */
};

/* Start vCPU v running script[0..n) (the array must stay alive until join). */
int xensim_vcpu_start(unsigned v, struct xensim_req *script, size_t n);
/* True once every started vCPU has finished its script. */
bool xensim_vcpus_done(void);
void xensim_vcpu_join_all(void);

/* Issue one request from the calling thread as vCPU v would (blocks until answered). */
void xensim_vcpu_issue(unsigned v, struct xensim_req *r);

/*
 * Put a write on the buffered ring as ioreq_send_buffered does (two slots
 * for size 8) and notify. -EAGAIN: not bufferable or the ring is full
 * (Xen would send it synchronously).
 */
int xensim_buffered_write(uint8_t type, uint64_t addr, uint32_t size, uint64_t data);
/*
 * Write n raw slots (two 32-bit words each: type/dir/size/addr, data) at the
 * write pointer, advance it by wp_advance and notify: malformed rings.
 */
void xensim_buffered_raw(const uint32_t (*slots)[2], unsigned n, uint32_t wp_advance);
/* The buffered ring's pointers as the hypervisor sees them. */
void xensim_buffered_pointers(uint32_t *rp, uint32_t *wp);
/* Raise vCPU v's event channel with no request posted. */
void xensim_notify_spurious(unsigned v);
/* Slots still unread by the device model. */
unsigned xensim_buffered_pending(void);

/* Guest RAM as the hypervisor sees it (NULL outside RAM). */
uint8_t *xensim_ram(uint64_t gpa, uint64_t len);

/* Log: one line per libxen* call of interest ("map_io pio 0x3f8-0x3ff", ...). */
size_t xensim_log_count(void);
const char *xensim_log_line(size_t i);
/* Index of the first line at or after from equal to line, or -1. */
long xensim_log_find(const char *line, size_t from);
/* Index of the first line at or after from starting with prefix, or -1. */
long xensim_log_find_prefix(const char *prefix, size_t from);
void xensim_log_clear(void);
void xensim_log_dump(void);

/* Protocol violations seen so far (each also logged as "ERROR ..."). */
unsigned xensim_errors(void);

/* Server state, for assertions. */
bool xensim_server_exists(void);
bool xensim_server_enabled(void);
unsigned xensim_live_foreign_maps(void); /* foreign mappings not yet unmapped */
unsigned xensim_open_handles(void);	 /* libxen* handles not yet closed */
bool xensim_range_claimed(bool mmio, uint64_t first, uint64_t last);
bool xensim_pcidev_claimed(unsigned devfn);
unsigned xensim_isa_level(unsigned irq);
/* The xenstore value at path, or NULL. */
const char *xensim_xs_read(const char *path);

/* Fail the next call named (e.g. "map_io", "create_ioreq_server") with errno err. */
void xensim_fail_next(const char *call, int err);

#endif
