/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IDE controller as the rest of the daemon sees it: the QMP commands
 * that act on CD-ROM drives (eject, blockdev-change-medium, query-block)
 * and the drive list. Devices are "piix3-ide" (the PCI function 00:01.1,
 * with the -drive if=ide drives) and "ide-hd"/"ide-cd" (-device, on a
 * -drive if=none), in hw/ide/piix_ide.c.
 */
#ifndef HW_IDE_IDE_H
#define HW_IDE_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/error.h"

struct machine;
struct blk;

/* What query-block reports of one drive. */
struct ide_drive_info {
	const char *device; /* the drive id: "ide0-hd0", "ide-5632" */
	const char *qdev;   /* the device id (ide-cd,id=...), or the drive id */
	bool removable;	    /* a CD-ROM */
	bool locked;	    /* PREVENT MEDIUM REMOVAL in force */
	bool tray_open;
	bool inserted;	  /* a medium is present */
	const char *file; /* image path, when inserted */
	bool readonly;
	uint64_t size; /* bytes */
	int cache;     /* enum blk_cache */
};

/* BIOS CHS translation of a disk (QEMU's BiosAtaTranslation, CMOS 0x39 stores it minus 1). */
enum { IDE_TRANS_NONE = 1, IDE_TRANS_LBA = 2, IDE_TRANS_LARGE = 3, IDE_TRANS_RECHS = 4 };

/*
 * The geometry and translation of the hard disk at IDE bus/unit (0-1 each):
 * 0, or -ENOENT when there is no disk there (none, or a CD-ROM), as QEMU's
 * ide_get_geometry.
 */
int ide_get_geometry(struct machine *m, unsigned bus, unsigned unit, unsigned *cyls,
		     unsigned *heads, unsigned *secs, unsigned *trans);

void ide_for_each_drive(struct machine *m, void (*fn)(void *opaque, const struct ide_drive_info *),
			void *opaque);

/*
 * Open the tray and remove the medium of CD-ROM id (device or drive id).
 * 0, or -1 with e filled: unknown id (DeviceNotFound), not removable, or
 * locked without force (the guest is asked to release it, as QEMU does).
 */
int ide_eject(struct machine *m, const char *id, bool force, struct dm_error *e);
/*
 * Put the image blk (path for query-block) in CD-ROM id: open the tray,
 * swap the medium, close the tray; the guest sees a media change. blk is
 * owned by the drive from then on (closed on failure too).
 */
int ide_change_medium(struct machine *m, const char *id, struct blk *blk, const char *path,
		      struct dm_error *e);

#endif
