// SPDX-License-Identifier: GPL-2.0-only
/*
 * 93C46 serial EEPROM bit-banging (eeprom93c46.h). Read only, as QEMU's
 * rtl8139 answers: WRITE, WRAL, EWEN and EWDS are decoded and do nothing
 * (drivers only ever read this EEPROM; the MAC comes from it).
 */
#include "hw/net/eeprom93c46.h"

#include <stddef.h>

#define OP_READ	  0x80 /* 10AAAAAA */
#define OP_WRITE  0x40 /* 01AAAAAA */
#define ADDR_MASK (EEPROM93C46_WORDS - 1)
#define CMD_BITS  8
#define DATA_BITS 16

static void decode(struct eeprom93c46 *ee, uint8_t cmd)
{
	ee->tick = 0;
	ee->input = 0;
	switch (cmd & 0xc0) {
	case OP_READ:
		ee->address = cmd & ADDR_MASK;
		ee->output = ee->contents[ee->address];
		ee->dout = false;
		ee->mode = EE_READ;
		return;
	case OP_WRITE:
		/* QEMU leaves the command without effect: no write-enable latch to honour */
		ee->address = cmd & ADDR_MASK;
		ee->mode = EE_IDLE;
		return;
	default: /* EWEN, EWDS, ERAL, WRAL: nothing to do without the write latch */
		ee->mode = EE_IDLE;
		return;
	}
}

static void clock_bit(struct eeprom93c46 *ee)
{
	ee->tick++;
	switch (ee->mode) {
	case EE_WAIT_START:
		if (ee->di) {
			ee->mode = EE_COMMAND;
			ee->tick = 0;
			ee->input = 0;
		}
		break;
	case EE_COMMAND:
		ee->input = (uint16_t)(ee->input << 1 | ee->di);
		if (ee->tick == CMD_BITS)
			decode(ee, (uint8_t)ee->input);
		break;
	case EE_READ:
		ee->dout = ee->output & 0x8000;
		ee->output = (uint16_t)(ee->output << 1);
		if (ee->tick == DATA_BITS) {
			/* FreeBSD's rl(4) keeps CS high between reads: wait for the next start bit
			 */
			ee->mode = EE_WAIT_START;
			ee->tick = 0;
			ee->input = 0;
		}
		break;
	default:
		break;
	}
}

void ee93c46_set_wires(struct eeprom93c46 *ee, bool cs, bool sk, bool di)
{
	bool rising = !ee->sk && sk;

	if (!ee->cs && cs) {
		/* chip select starts an access: wait for the start bit */
		ee->tick = 0;
		ee->input = 0;
		ee->output = 0;
		ee->mode = EE_WAIT_START;
	}
	ee->cs = cs;
	ee->sk = sk;
	ee->di = di;
	if (cs && rising)
		clock_bit(ee);
}

bool ee93c46_dout(const struct eeprom93c46 *ee)
{
	return ee->cs && ee->dout;
}

bool ee93c46_valid(const struct eeprom93c46 *ee)
{
	return ee->mode <= EE_READ && ee->tick <= DATA_BITS && ee->address < EEPROM93C46_WORDS;
}
