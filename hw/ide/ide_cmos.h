/* SPDX-License-Identifier: GPL-2.0-only */
/* The IDE disks' CMOS bytes, written once the board is built (see ide_cmos.c). */
#ifndef HW_IDE_IDE_CMOS_H
#define HW_IDE_IDE_CMOS_H

struct machine;

/* 0, or -EINVAL from cmos_set. A board without CMOS or IDE is left alone. */
int ide_cmos_init(struct machine *m);

#endif
