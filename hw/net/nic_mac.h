/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A NIC's MAC address: its mac= property, or QEMU's default when none is
 * given (qemu_macaddr_default_if_unset): 52:54:00:12:34:56 for the first NIC
 * created without one, :57 for the second, and so on, across NIC types.
 */
#ifndef HW_NET_NIC_MAC_H
#define HW_NET_NIC_MAC_H

#include <stdint.h>

struct dm_dev;

/* dev: a NIC type with a PROP_MAC "mac" and a PROP_NETDEV "netdev", during its init. */
void nic_mac(const struct dm_dev *dev, uint8_t mac[6]);

#endif
