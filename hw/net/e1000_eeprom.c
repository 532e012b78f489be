// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 82540EM's EEPROM: 64 16-bit words (8254x SDM ch. 5, tables 5-1 to
 * 5-3), read by software either through EERD (SDM 13.4.4: write the word
 * address with START, read DONE and the data back) or by bit-banging the
 * Microwire interface through EECD (SDM 5.5 and 13.4.3: CS, SK, DI, DO).
 *
 * The image is QEMU 7.2's (hw/net/e1000.c e1000_eeprom_template) so that a
 * guest reads the same words under hvmdm as under qemu-xen: the MAC address
 * in words 0-2, the device ID in words 0x0b and 0x0d, and word 0x3f makes
 * the sum of all 64 words 0xBABA (SDM 5.6.1, "Checksum Word Calculation").
 *
 * Left out: EEPROM writes (the Microwire WRITE/ERASE opcodes are shifted
 * in and ignored, as QEMU ignores them), and the SPI EEPROMs of later parts.
 */
#include <stdint.h>
#include <string.h>

#include "hw/net/e1000_int.h"

/* QEMU 7.2's image, the device ID (words 0x0b, 0x0d) and MAC (0-2) filled in at init. */
static const uint16_t eeprom_template[E1000_EEPROM_WORDS] = {
	0x0000, 0x0000, 0x0000, 0x0000, 0xffff, 0x0000, 0x0000, 0x0000, /* 0x00 */
	0x3000, 0x1000, 0x6403, 0x0000, 0x8086, 0x0000, 0x8086, 0x3040, /* 0x08 */
	0x0008, 0x2000, 0x7e14, 0x0048, 0x1000, 0x00d8, 0x0000, 0x2700, /* 0x10 */
	0x6cc9, 0x3150, 0x0722, 0x040b, 0x0984, 0x0000, 0xc000, 0x0706, /* 0x18 */
	0x1008, 0x0000, 0x0f04, 0x7fff, 0x4d01, 0xffff, 0xffff, 0xffff, /* 0x20 */
	0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, /* 0x28 */
	0x0100, 0x4000, 0x121c, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, /* 0x30 */
	0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x0000, /* 0x38 */
};

void e1000_eeprom_init(uint16_t eeprom[E1000_EEPROM_WORDS], uint16_t device_id,
		       const uint8_t mac[6])
{
	uint16_t sum = 0;

	memcpy(eeprom, eeprom_template, sizeof(eeprom_template));
	for (unsigned i = 0; i < 3; i++)
		eeprom[i] = (uint16_t)(mac[2 * i + 1] << 8 | mac[2 * i]);
	eeprom[0x0b] = eeprom[0x0d] = device_id;
	for (unsigned i = 0; i < E1000_EEPROM_CHECKSUM_REG; i++)
		sum = (uint16_t)(sum + eeprom[i]);
	eeprom[E1000_EEPROM_CHECKSUM_REG] = (uint16_t)(E1000_EEPROM_SUM - sum);
}

/*
 * EECD read: the EEPROM is present and always granted (no firmware shares
 * it); DO carries the current output bit while a READ is shifting out, and
 * idles high otherwise (Microwire DO is pulled up).
 */
uint32_t e1000_eecd_read(struct e1000 *s)
{
	struct e1000_eecd *e = &s->eecd;
	uint32_t ret = E1000_EECD_PRES | E1000_EECD_GNT | e->old_eecd;
	unsigned word = (e->bitnum_out >> 4) & (E1000_EEPROM_WORDS - 1);
	unsigned bit = (e->bitnum_out & 0xf) ^ 0xf; /* most significant bit first */

	if (!e->reading || ((s->eeprom[word] >> bit) & 1))
		ret |= E1000_EECD_DO;
	return ret;
}

/*
 * EECD write: a rising CS starts a command; each rising SK shifts DI in
 * (start bit, 2-bit opcode, 6-bit address: 9 bits), each falling SK moves
 * to the next output bit. bitnum_out is kept within the image by the mask
 * in e1000_eecd_read, so a guest clocking forever just wraps around.
 */
void e1000_eecd_write(struct e1000 *s, uint32_t val)
{
	struct e1000_eecd *e = &s->eecd;
	uint32_t old = e->old_eecd;

	e->old_eecd = val & (E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI | E1000_EECD_FWE_MASK |
			     E1000_EECD_REQ);
	if (!(val & E1000_EECD_CS))
		return;
	if ((val ^ old) & E1000_EECD_CS) {
		e->val_in = 0;
		e->bitnum_in = 0;
		e->bitnum_out = 0;
		e->reading = false;
	}
	if (!((val ^ old) & E1000_EECD_SK))
		return;
	if (!(val & E1000_EECD_SK)) {
		e->bitnum_out++;
		return;
	}
	e->val_in = e->val_in << 1 | !!(val & E1000_EECD_DI);
	if (++e->bitnum_in == 9 && !e->reading) {
		e->bitnum_out = (uint16_t)(((e->val_in & 0x3f) << 4) - 1);
		e->reading = ((e->val_in >> 6) & 7) == E1000_EEPROM_READ_OPCODE;
	}
}

/*
 * EERD read (SDM 13.4.4): while START is set the register shows DONE and
 * the addressed word; an address past the checksum word gets DONE with no
 * data, as QEMU answers.
 */
uint32_t e1000_eerd_read(struct e1000 *s)
{
	uint32_t eerd = E1000_R(s, E1000_EERD);
	uint32_t r = eerd & ~E1000_EERD_START;
	unsigned index = r >> E1000_EERD_ADDR_SHIFT;

	if (!(eerd & E1000_EERD_START))
		return eerd;
	if (index > E1000_EEPROM_CHECKSUM_REG)
		return E1000_EERD_DONE | r;
	return (uint32_t)s->eeprom[index] << E1000_EERD_DATA_SHIFT | E1000_EERD_DONE | r;
}
