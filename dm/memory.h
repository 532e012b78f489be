/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-physical memory, as devices and the ioreq core see it.
 *
 * Every access is bounds-checked by the backend and fails cleanly with
 * -EFAULT for an address the guest does not have; a guest-controlled address
 * never reaches a raw pointer without passing through here. The backend is
 * the platform's: a flat in-process buffer (dm/sim, tests, fuzzers; in this
 * file) or the Xen mapcache (dm/xen).
 *
 * Devices copy descriptors out with gm_read before validating them (no
 * double fetch) and never keep a gm_map pointer across loop iterations: an
 * INVALIDATE drops every mapping.
 */
#ifndef DM_MEMORY_H
#define DM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem_ops {
	/* Copy len bytes; 0 or -EFAULT (nothing copied) if any byte is outside RAM. */
	int (*read)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
	/* A pointer to len contiguous bytes at gpa, or NULL. Released with unmap. */
	void *(*map)(void *opaque, uint64_t gpa, size_t len, bool writable);
	void (*unmap)(void *opaque, void *ptr, size_t len);
	/* Device wrote [gpa, gpa+len): report it (Xen: modified_memory under log-dirty). */
	void (*mark_dirty)(void *opaque, uint64_t gpa, size_t len);
	/* Drop every mapping not currently locked by map (IOREQ_TYPE_INVALIDATE). */
	void (*invalidate)(void *opaque);
};

struct guest_mem {
	const struct guest_mem_ops *ops;
	void *opaque;
};

__attribute__((warn_unused_result)) int gm_read(struct guest_mem *gm, uint64_t gpa, void *buf,
						size_t len);
/* Writes and marks the range dirty. */
__attribute__((warn_unused_result)) int gm_write(struct guest_mem *gm, uint64_t gpa,
						 const void *buf, size_t len);
void *gm_map(struct guest_mem *gm, uint64_t gpa, size_t len, bool writable);
/* written: the device stored through the pointer, so the range is marked dirty. */
void gm_unmap(struct guest_mem *gm, void *ptr, uint64_t gpa, size_t len, bool written);
void gm_mark_dirty(struct guest_mem *gm, uint64_t gpa, size_t len);
void gm_invalidate(struct guest_mem *gm);

/*
 * Flat RAM: one host buffer laid out as a PC's RAM is, [0, low) below the
 * PCI hole and the rest from 4 GiB up, low = min(size, FLAT_RAM_LOW_MAX).
 * Dirty pages are tracked in a bitmap (one bit per 4 KiB page) that tests read.
 */
#define FLAT_RAM_LOW_MAX 0xe0000000ull
#define GM_PAGE_SHIFT	 12

struct flat_ram {
	uint8_t *buf;
	uint64_t size;	    /* bytes of RAM in all */
	uint64_t low_size;  /* bytes below 4 GiB */
	uint64_t *dirty;    /* bitmap over size >> GM_PAGE_SHIFT pages */
	unsigned maps_live; /* gm_map pointers not yet unmapped (leak check) */
};

/* 0 or -ENOMEM / -EINVAL (size 0 or not page aligned). */
__attribute__((warn_unused_result)) int flat_ram_init(struct flat_ram *r, struct guest_mem *gm,
						      uint64_t size);
void flat_ram_fini(struct flat_ram *r);
/* Host pointer for [gpa, gpa+len) if it is all RAM and contiguous, else NULL. */
uint8_t *flat_ram_ptr(struct flat_ram *r, uint64_t gpa, uint64_t len);
bool flat_ram_test_dirty(const struct flat_ram *r, uint64_t gpa);
void flat_ram_clear_dirty(struct flat_ram *r);

#endif
