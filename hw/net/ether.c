// SPDX-License-Identifier: GPL-2.0-only
/* Ethernet and IPv4 arithmetic (ether.h): bitwise, no tables, frames are short. */
#include "hw/net/ether.h"

uint32_t ether_crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320u : 0);
	}
	return ~crc;
}

/* The CRC register MSB first over the address bits as sent (LSB of each byte first). */
unsigned ether_mcast_index(const uint8_t *dst)
{
	uint32_t crc = 0xffffffffu;

	for (int i = 0; i < ETH_ALEN; i++) {
		uint8_t byte = dst[i];

		for (int b = 0; b < 8; b++, byte >>= 1) {
			uint32_t carry = (crc >> 31) ^ (byte & 1);

			crc = (crc << 1) ^ (carry ? 0x04c11db7u : 0);
		}
	}
	return crc >> 26;
}

uint32_t inet_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get_be16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
