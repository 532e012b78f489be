/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PIIX4 ACPI/PM function (00:01.3): what the rest of the daemon may ask of
 * it. The fixed I/O blocks the Xen DSDT uses are listed here for tests.
 */
#ifndef HW_PCI_PIIX4_PM_H
#define HW_PCI_PIIX4_PM_H

#include <stdbool.h>

struct dm_dev;
struct machine;

#define PIIX4_PM_APM_CNT   0xb2 /* APM control (0xf1 ACPI enable, 0xf0 disable) */
#define PIIX4_PM_APM_STS   0xb3
#define PIIX4_PM_PCIHP	   0xae00 /* PCIU, PCID, B0EJ, B0RM, SEL, AIDX (dwords) */
#define PIIX4_PM_CPUHP	   0xaf00 /* CPU-present bitmap, 32 bytes */
#define PIIX4_PM_GPE0	   0xafe0 /* GPE0_STS (2 bytes), GPE0_EN (2 bytes) */
#define PIIX4_PM_SCI_IRQ   9
#define PIIX4_PM_GPE_PCIHP 1 /* GPE0 bit: _E01, PCI hotplug */
#define PIIX4_PM_GPE_CPUHP 2 /* GPE0 bit: _E02, CPU hotplug (XEN_ACPI_GPE0_CPUHP_BIT) */

/* The "piix4-pm" device of m, or NULL. */
struct dm_dev *piix4_pm_find(struct machine *m);

/*
 * A vCPU came or went (QMP cpu-add, libxl vcpu-set): set its bit in the
 * CPU-present bitmap and raise GPE0 bit 2, so the DSDT's _E02 runs PRSC.
 * 0, or -EINVAL for cpu >= 256 or a device that is not piix4-pm.
 */
int piix4_pm_cpu_set_present(struct dm_dev *pm, unsigned cpu, bool present);

#endif
