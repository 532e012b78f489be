// SPDX-License-Identifier: GPL-2.0-only
/* Ethernet and IPv4 arithmetic (ether.h). */
#include "hw/net/ether.h"

#include <stdbool.h>

/* The reflected CRC-32 a byte at a time: every received frame's FCS goes through it. */
static uint32_t crc_table[256];
static bool crc_table_ready;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (c & 1 ? 0xedb88320u : 0);
		crc_table[i] = c;
	}
	crc_table_ready = true;
}

uint32_t ether_crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	if (!crc_table_ready)
		crc_table_init();
	for (size_t i = 0; i < len; i++)
		crc = (crc >> 8) ^ crc_table[(crc ^ p[i]) & 0xff];
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
