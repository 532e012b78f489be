// SPDX-License-Identifier: GPL-2.0-only
/* NIC MAC addresses (nic_mac.h). */
#include "hw/net/nic_mac.h"

#include <string.h>

#include "dm/device.h"
#include "dm/machine.h"

/* A NIC is a device type with a netdev property (rtl8139, e1000). */
static bool is_nic(const struct dm_dev *d)
{
	return dev_prop_index(d->type, "netdev") >= 0 && dev_prop_index(d->type, "mac") >= 0;
}

void nic_mac(const struct dm_dev *dev, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	const uint8_t *given = dev_prop_mac(dev, "mac");
	unsigned n = 0;

	if (given) {
		memcpy(mac, given, 6);
		return;
	}
	/* the NICs created before this one (it is not on the list during its init) */
	for (const struct dm_dev *d = dev->m ? dev->m->devs : NULL; d; d = d->next)
		n += d != dev && is_nic(d) && !dev_prop_given(d, "mac");
	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(base[5] + n);
}
