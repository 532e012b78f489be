/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen platform device's emulated-device unplug (xen-interface.md §9.3,
 * xen docs/misc/hvm-emulated-unplug.pandoc).
 *
 * A device the guest's PV drivers may take over (an IDE disk, a NIC, an
 * NVMe controller) registers a hook at init and removes it at fini. When
 * the guest writes an unplug mask, xen_unplug() calls every hook of that
 * machine whose mask meets the request, with the bits that concern it.
 *
 * Contract for a hook:
 *  - it runs on the loop thread, from inside an I/O write of the guest;
 *  - it may unregister itself (a NIC that removes its PCI function and
 *    frees its state does), but no other hook;
 *  - it is idempotent: a repeated request (the guest asks again, or after
 *    a reboot) finds nothing left to remove and changes nothing;
 *  - CD-ROMs and pass-through devices never register.
 */
#ifndef HW_PCI_XEN_PLATFORM_H
#define HW_PCI_XEN_PLATFORM_H

struct dm_dev;
struct machine;

/* Unplug mask bits (16-bit write to port 0x10). */
#define XEN_UNPLUG_IDE_DISKS	 0x1 /* all IDE and SCSI disks, not CD-ROMs */
#define XEN_UNPLUG_NICS		 0x2 /* all emulated NICs */
#define XEN_UNPLUG_AUX_IDE_DISKS 0x4 /* IDE disks but the primary master; bit 0 overrides */
#define XEN_UNPLUG_NVME		 0x8 /* all emulated NVMe controllers */
#define XEN_UNPLUG_ALL		 0xf

struct xen_unplug_hook {
	unsigned mask; /* the XEN_UNPLUG_* bits this device answers to */
	void (*unplug)(struct xen_unplug_hook *h, unsigned what); /* what: within mask */
	struct dm_dev *dev;	      /* the registering device; dev->m is its machine */
	struct xen_unplug_hook *next; /* owned by xen_platform.c */
};

/* h->mask, h->unplug and h->dev set; registering twice is harmless. */
void xen_unplug_register(struct xen_unplug_hook *h);
/* Safe for a hook never registered. */
void xen_unplug_unregister(struct xen_unplug_hook *h);
/*
 * Carry out an unplug request on m: bit 0 overrides bit 2, unknown bits are
 * ignored. Returns how many hooks were called.
 */
unsigned xen_unplug(struct machine *m, unsigned what);

#endif
