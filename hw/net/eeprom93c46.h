/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 93C46 serial EEPROM (64 words of 16 bits, 6 address bits) as a NIC
 * bit-bangs it through chip select, clock and data-in/data-out pins
 * (Microchip 93C46 datasheet: READ 10AAAAAA, WRITE 01AAAAAA D15..D0, EWEN
 * 0011xxxx, WRAL 0001xxxx, EWDS 0000xxxx after a start bit); read only. Commands are
 * decoded on rising clock edges while CS is high, as QEMU's rtl8139 model
 * does: a READ shifts out 16 bits, then waits for the next start bit.
 */
#ifndef HW_NET_EEPROM93C46_H
#define HW_NET_EEPROM93C46_H

#include <stdbool.h>
#include <stdint.h>

#define EEPROM93C46_WORDS 64

enum ee_mode { EE_IDLE, EE_WAIT_START, EE_COMMAND, EE_READ };

struct eeprom93c46 {
	uint16_t contents[EEPROM93C46_WORDS];
	uint8_t mode; /* enum ee_mode */
	uint8_t tick; /* clock edges in the current phase */
	uint8_t address;
	uint16_t input, output;
	bool cs, sk, di, dout;
};

/* The wires as the NIC drives them now (a rising SK clocks one bit). */
void ee93c46_set_wires(struct eeprom93c46 *ee, bool cs, bool sk, bool di);
/* The data-out pin (0 while CS is low). */
bool ee93c46_dout(const struct eeprom93c46 *ee);
/* A state loaded from a save stream is usable (mode, tick, address in range). */
bool ee93c46_valid(const struct eeprom93c46 *ee);

#endif
