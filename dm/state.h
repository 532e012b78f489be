/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device state for save/restore (QMP xen-save-devices-state and
 * xen-load-devices-state): a versioned stream of per-device sections, each
 * a list of named, typed fields. Never a raw struct dump: a field is
 * written and read by name and width, so a loader checks every one.
 *
 * Stream (all integers little-endian):
 *   "HVMDMSTA" u32 format(1)
 *   section*:  'D' u8 keylen key u32 version u32 bodylen body
 *   'E'
 * Field in a body: u8 namelen name u8 type then
 *   type 1/2/4/8: an unsigned integer of that many bytes,
 *   type 0x10:    u32 len, len bytes.
 *
 * A device's save writes its fields with snap_u8()... between the core's
 * snap_begin_dev()/snap_end_dev(); its load reads them back in the same
 * order with snap_get_*(), which fail with -EINVAL on a wrong name, type,
 * length or a short section (the input is untrusted: it must never crash).
 * Writer errors are sticky: check the result of snap_end_dev().
 */
#ifndef DM_STATE_H
#define DM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

struct snap_wr {
	uint8_t *buf;
	size_t len, cap;
	size_t sec_len_at; /* where the open section's bodylen goes; 0: none open */
	int err;	   /* first error, sticky */
};

struct snap_rd {
	const uint8_t *p; /* one section's body */
	size_t len, pos;
	int err;	   /* first error, sticky */
	const char *field; /* the field being read (or last read): named in load errors */
};

void snap_wr_init(struct snap_wr *w);
void snap_wr_free(struct snap_wr *w);

int snap_begin_dev(struct snap_wr *w, const char *key, uint32_t version);
int snap_u8(struct snap_wr *w, const char *name, uint8_t v);
int snap_u16(struct snap_wr *w, const char *name, uint16_t v);
int snap_u32(struct snap_wr *w, const char *name, uint32_t v);
int snap_u64(struct snap_wr *w, const char *name, uint64_t v);
int snap_bytes(struct snap_wr *w, const char *name, const void *data, size_t len);
/* Close the section: 0 or the first error since snap_wr_init. */
int snap_end_dev(struct snap_wr *w);

void snap_rd_init(struct snap_rd *r, const void *body, size_t len);
__attribute__((warn_unused_result)) int snap_get_u8(struct snap_rd *r, const char *name,
						    uint8_t *v);
/* A u8 field holding a flag: anything but 0 or 1 is -EINVAL and *v is left alone. */
__attribute__((warn_unused_result)) int snap_get_bool(struct snap_rd *r, const char *name, bool *v);
__attribute__((warn_unused_result)) int snap_get_u16(struct snap_rd *r, const char *name,
						     uint16_t *v);
__attribute__((warn_unused_result)) int snap_get_u32(struct snap_rd *r, const char *name,
						     uint32_t *v);
__attribute__((warn_unused_result)) int snap_get_u64(struct snap_rd *r, const char *name,
						     uint64_t *v);
/* The field must hold exactly len bytes. */
__attribute__((warn_unused_result)) int snap_get_bytes(struct snap_rd *r, const char *name,
						       void *data, size_t len);
/*
 * A bytes field of exactly len bytes, not copied: *data points into the
 * stream, valid as long as the buffer given to dm_state_load (a post_load
 * may copy from it; guest RAM is too large for a scratch copy).
 */
__attribute__((warn_unused_result)) int snap_get_bytes_ref(struct snap_rd *r, const char *name,
							   const uint8_t **data, size_t len);

/*
 * The whole machine: one section per device with a save op, in creation
 * order, keyed by instance name ("name#2" for a repeated name).
 */
__attribute__((warn_unused_result)) int dm_state_save(struct machine *m, struct snap_wr *w);
/*
 * Two-phase: every section is decoded by its device's load into a scratch
 * copy of the state and checked (known key, version not newer than the
 * type's, body fully consumed, every device with a save op present once);
 * only when all succeed are the copies committed, then post_load runs for
 * each. On any error nothing changes: -EINVAL (message logged) or -ENOMEM.
 */
__attribute__((warn_unused_result)) int dm_state_load(struct machine *m, const void *buf,
						      size_t len);

#endif
