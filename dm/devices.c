/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The table of every device type, in one stable order: chipset first, then
 * ISA devices, then PCI add-ons, then USB. A device is one X(NAME) line in
 * its group below, for the `const struct dev_type NAME_type` its file defines;
 * another name for the same type (QEMU's) is its dev_type's alias, not a line.
 */
#include "dm/device.h"

#include <stddef.h>

#define DEVICE_TYPES(X)                 \
	/* Chipset */                   \
	X(i440fx)                       \
	X(piix3)                        \
	X(piix3_ide)                    \
	X(piix3_usb_uhci)               \
	X(piix4_pm)                     \
	/* ISA */                       \
	X(port92)                       \
	X(cmos)                         \
	X(serial)                       \
	X(i8042)                        \
	X(fw_cfg)                       \
	/* IDE drives (on piix3-ide) */ \
	X(ide_hd)                       \
	X(ide_cd)                       \
	/* PCI add-ons */               \
	X(xen_platform)                 \
	X(cirrus_vga)                   \
	X(e1000)                        \
	X(rtl8139)                      \
	X(stdvga)                       \
	/* USB */                       \
	X(usb_tablet)                   \
	X(usb_mouse)                    \
	X(usb_kbd)

#define DECLARE(name) extern const struct dev_type name##_type;
DEVICE_TYPES(DECLARE)

#define ENTRY(name) &name##_type,
const struct dev_type *const dev_types[] = { DEVICE_TYPES(ENTRY) NULL };
