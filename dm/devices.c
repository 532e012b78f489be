/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The table of every device type, in one stable order: chipset first, then
 * ISA devices, then PCI add-ons, then USB. A device adds one
 *   extern const struct dev_type NAME_type;
 * declaration below and one line in the table, in its group.
 */
#include "dm/device.h"

#include <stddef.h>

/* Chipset */
extern const struct dev_type i440fx_type;
extern const struct dev_type piix3_type;
extern const struct dev_type piix3_ide_type;
extern const struct dev_type piix4_pm_type;

/* ISA */
extern const struct dev_type port92_type;
extern const struct dev_type cmos_type;
extern const struct dev_type serial_type;
extern const struct dev_type isa_serial_type;
extern const struct dev_type i8042_type;

/* IDE drives (on piix3-ide) */
extern const struct dev_type ide_hd_type;
extern const struct dev_type ide_cd_type;

/* PCI add-ons */
extern const struct dev_type xen_platform_type;

/* USB */

const struct dev_type *const dev_types[] = {
	/* Chipset */
	&i440fx_type,
	&piix3_type,
	&piix3_ide_type,
	&piix4_pm_type,
	/* ISA */
	&port92_type,
	&cmos_type,
	&serial_type,
	&isa_serial_type,
	&i8042_type,
	/* IDE drives (on piix3-ide) */
	&ide_hd_type,
	&ide_cd_type,
	/* PCI add-ons */
	&xen_platform_type,
	/* USB */
	NULL,
};
