/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ethernet and IPv4 arithmetic the NIC models share: the frame check
 * sequence (IEEE 802.3 clause 3.2.9 CRC-32), the multicast hash index
 * (the top 6 bits of the CRC of the destination address, MSB first, as
 * RTL8139 and QEMU index MAR0-7), and the Internet checksum (RFC 1071).
 */
#ifndef HW_NET_ETHER_H
#define HW_NET_ETHER_H

#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN      6
#define ETH_HLEN      14
#define ETH_MIN_FRAME 60 /* without FCS */
#define ETH_P_IP      0x0800
#define ETH_P_8021Q   0x8100
#define IP_PROTO_TCP  6
#define IP_PROTO_UDP  17

/* The FCS of len bytes, as appended on the wire (little-endian order of the value). */
uint32_t ether_crc32(const uint8_t *p, size_t len);
/* 0..63: the MAR bit a multicast destination address selects. */
unsigned ether_mcast_index(const uint8_t *dst);
/* One's-complement sum of len bytes (big-endian 16-bit words), folded, added to sum. */
uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t sum);
/* Fold and complement: the checksum field's value (host order). */
uint16_t inet_fold(uint32_t sum);

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}
static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif
