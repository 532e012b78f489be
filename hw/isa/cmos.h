/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CMOS NVRAM (the MC146818 RTC's 128 bytes, indices 14-127 under Xen).
 * Other devices' set-up code fills the bytes the BIOS reads from them
 * (IDE geometry at 0x12/0x19-0x2c and 0x39, equipment bits at 0x14).
 */
#ifndef HW_ISA_CMOS_H
#define HW_ISA_CMOS_H

#include <stdint.h>

struct dm_dev;
struct machine;

#define CMOS_SIZE 128

/* The "cmos" device of m, or NULL when the machine has none. */
struct dm_dev *cmos_find(struct machine *m);
/* Set / get one byte; -EINVAL for idx >= CMOS_SIZE. */
__attribute__((warn_unused_result)) int cmos_set(struct dm_dev *cmos, unsigned idx, uint8_t val);
int cmos_get(const struct dm_dev *cmos, unsigned idx);

/*
 * The boot-order bytes QEMU's set_boot_dev() writes: order is up to three
 * of a/b (floppy), c (disk), d (CD-ROM), n (network). 0 with *r3d and *r38
 * set, or -EINVAL (too many or an unknown letter).
 */
int cmos_boot_bytes(const char *order, uint8_t *r3d, uint8_t *r38);

#endif
