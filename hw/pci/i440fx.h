/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The i440FX host bridge's ports as other chipset functions see them.
 *
 * Port 0xcf9 (PIIX3 Reset Control) lies inside the CONFIG_ADDRESS dword
 * 0xcf8-0xcfb. As in QEMU, an access is routed by its first byte: one that
 * starts at 0xcf9 goes to the reset control register, anything else to
 * CONFIG_ADDRESS. So the host bridge owns all four ports and forwards
 * 0xcf9 to the handler the PIIX3 installs here.
 */
#ifndef HW_PCI_I440FX_H
#define HW_PCI_I440FX_H

#include <stdint.h>

struct dm_dev;
struct machine;

struct i440fx_cf9 {
	uint8_t (*read)(void *opaque);
	void (*write)(void *opaque, uint8_t val);
	void *opaque;
};

/* The machine's i440FX instance, or NULL. */
struct dm_dev *i440fx_find(struct machine *m);
/* Install (h != NULL) or remove (NULL) the 0xcf9 handler. h must outlive its use. */
void i440fx_set_cf9(struct dm_dev *host, const struct i440fx_cf9 *h);

extern const struct dev_type i440fx_type;

#endif
