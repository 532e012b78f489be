/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ioreq core: every request a platform receives (Xen's ioreq_t, a trace
 * line, a qtest command, a fuzz input) becomes a struct dm_ioreq and runs
 * through ioreq_handle(). All ioreq semantics live in ioreq.c: rep counts,
 * df, data_is_ptr copies through guest memory, PCI_CONFIG decoding,
 * INVALIDATE, TIMEOFFSET (shared/docs/xen-interface.md §2.4). Devices never
 * see a request.
 *
 * dm_ioreq mirrors Xen's ioreq_t field for field but is our own type: only
 * dm/xen includes Xen headers and translates.
 */
#ifndef DM_IOREQ_H
#define DM_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct guest_mem;

/* Values equal Xen's (public/hvm/ioreq.h); dm/xen static-asserts it. */
enum dm_ioreq_type {
	DM_IOREQ_PIO = 0,
	DM_IOREQ_COPY = 1,
	DM_IOREQ_PCI_CONFIG = 2,
	DM_IOREQ_TIMEOFFSET = 7,
	DM_IOREQ_INVALIDATE = 8,
};

enum dm_ioreq_dir { DM_IOREQ_WRITE = 0, DM_IOREQ_READ = 1 };

struct dm_ioreq {
	uint64_t addr;	/* port, guest-physical address, or seg/bus/dev/fn << 32 | reg */
	uint64_t data;	/* value, or guest-physical buffer address when data_is_ptr */
	uint32_t count; /* rep count, >= 1 */
	uint32_t size;	/* 1, 2, 4 or 8 */
	uint8_t type;
	uint8_t dir;
	bool df;
	bool data_is_ptr;
};

/* The most iterations one request may ask for (Xen bounds a rep to a page of elements). */
#define DM_IOREQ_MAX_COUNT 4096u

struct ioreq_ctx {
	struct bus *bus;
	struct guest_mem *mem;
	/* Called for TIMEOFFSET with the new RTC offset in seconds (may be NULL). */
	void (*timeoffset)(void *opaque, int64_t seconds);
	void *opaque;
	/* Counters, for stats and benchmarks. */
	uint64_t handled;
	uint64_t rejected;
};

/*
 * Validate and run one request; req->data holds the answer for reads.
 * Returns 0, or -EINVAL for a malformed request (bad size, type, count,
 * direction, a rep that wraps): that request did nothing, a read's data is
 * all ones, and the caller still completes it. -EFAULT: a guest buffer of a
 * data_is_ptr request was outside guest memory; the elements before it were
 * done (as on hardware, a fault ends the rep).
 */
int ioreq_handle(struct ioreq_ctx *ctx, struct dm_ioreq *req);

/*
 * Guest-physical access as the "RAM side" of a data_is_ptr copy sees it:
 * RAM through guest memory, anything else through MMIO dispatch (a mapped
 * MMIO region wins over RAM under it, as the VGA window over flat RAM).
 * Also used by the qtest read/write commands. 0 or -EFAULT (nothing at all
 * there; bytes before the hole may have been transferred).
 */
int ioreq_phys_read(struct ioreq_ctx *ctx, uint64_t gpa, void *buf, uint32_t len);
int ioreq_phys_write(struct ioreq_ctx *ctx, uint64_t gpa, const void *buf, uint32_t len);

#endif
