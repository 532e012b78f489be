// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IDE disks in CMOS, as QEMU 7.2's pc_cmos_init_late writes them once
 * the board is complete: 0x12 the disk types (high nibble: primary master,
 * low: primary slave; 0xf = "type in 0x19/0x1a"), 0x19/0x1a type 47 (user
 * defined), the user type's parameters at 0x1b (master) and 0x24 (slave):
 * cylinders (le16), heads, write precompensation 0xffff, control byte
 * 0xc0 | (more than 8 heads) << 3, landing zone = cylinders, sectors; and
 * 0x39 the BIOS translation of each of the four positions, 2 bits each.
 * Under Xen indices 14 and up are the device model's (hw/isa/cmos.c).
 */
#include "hw/ide/ide_cmos.h"

#include <errno.h>
#include <stdint.h>

#include "hw/ide/ide.h"
#include "hw/isa/cmos.h"

static int set(struct dm_dev *cmos, unsigned idx, unsigned val)
{
	return cmos_set(cmos, idx, (uint8_t)val);
}

/* QEMU cmos_init_hd: user type 47 and its nine parameter bytes. */
static int user_type(struct dm_dev *cmos, unsigned type_at, unsigned info_at, unsigned cyls,
		     unsigned heads, unsigned secs)
{
	const unsigned info[9] = { cyls & 0xff, cyls >> 8, heads,
				   0xff,	0xff,	   0xc0 | (heads > 8) << 3,
				   cyls & 0xff, cyls >> 8, secs };
	int ret = set(cmos, type_at, 47);

	for (unsigned i = 0; !ret && i < 9; i++)
		ret = set(cmos, info_at + i, info[i]);
	return ret;
}

int ide_cmos_init(struct machine *m)
{
	struct dm_dev *cmos = cmos_find(m);
	unsigned c, h, s, t, types = 0, trans = 0;
	int ret = 0;

	if (!cmos)
		return 0; /* no CMOS on this board (tests) */
	if (!ide_get_geometry(m, 0, 0, &c, &h, &s, &t)) {
		ret = user_type(cmos, 0x19, 0x1b, c, h, s);
		types |= 0xf0;
	}
	if (!ret && !ide_get_geometry(m, 0, 1, &c, &h, &s, &t)) {
		ret = user_type(cmos, 0x1a, 0x24, c, h, s);
		types |= 0x0f;
	}
	for (unsigned i = 0; i < 4; i++)
		if (!ide_get_geometry(m, i / 2, i % 2, &c, &h, &s, &t))
			trans |= (t - 1) << (i * 2);
	if (!ret)
		ret = set(cmos, 0x12, types);
	if (!ret)
		ret = set(cmos, 0x39, trans);
	return ret;
}
