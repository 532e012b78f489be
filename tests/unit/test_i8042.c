// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8042: the keyboard controller through ports 0x60/0x64 (IBM PS/2 Hardware
 * Interface Technical Reference, "Keyboard/Auxiliary Device Controller":
 * status register, command byte, commands 0x20-0xff), with QEMU's
 * (hw/input/pckbd.c) answers, and the golden qemu-xen ioreq trace replayed
 * byte for byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm/bus.h"
#include "dm/device.h"
#include "dm/input.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "tests/unit/dev_rig.h"

/* Status register bits (Technical Reference, "Status Register"). */
#define ST_OBF	 0x01
#define ST_IBF	 0x02
#define ST_SYS	 0x04
#define ST_CMD	 0x08
#define ST_INH	 0x10 /* 1 = not inhibited */
#define ST_AUXB	 0x20
#define ST_RESET 0x18 /* QEMU and the golden trace: CMD | not inhibited */

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *dev;
	bool level[16];
	unsigned raises[16], lowers[16];
	unsigned reboots, other_requests;
	bool resync; /* a state load drives the lines whatever they were */
};

static void rig_irq(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;

	assert_true(irq < 16);
	/* The device reports changes only (a state load re-drives the lines). */
	assert_true(r->resync || r->level[irq] != level);
	r->level[irq] = level;
	if (level)
		r->raises[irq]++;
	else
		r->lowers[irq]++;
}

static void rig_request(void *opaque, enum plat_request req)
{
	struct rig *r = opaque;

	if (req == PLAT_REQ_REBOOT)
		r->reboots++;
	else
		r->other_requests++;
}

static const struct platform_ops rig_plat = {
	.isa_irq = rig_irq,
	.request = rig_request,
};

static void rig_build(struct rig *r, enum machine_kind kind, const char *spec)
{
	memset(r, 0, sizeof(*r));
	dev_rig_init(&r->m, &r->o, kind, 16, 1, &rig_plat, r);
	assert_int_equal(dev_rig_add(&r->m, spec, &r->dev), 0);
}

static void rig_free(struct rig *r)
{
	dev_rig_free(&r->m);
}

static uint8_t st(struct rig *r)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, 0x64, 1);
}

static uint8_t rd(struct rig *r)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, 0x60, 1);
}

static void cmd(struct rig *r, uint8_t c)
{
	bus_write(r->m.bus, BUS_PIO, 0x64, c, 1);
}

static void wr(struct rig *r, uint8_t v)
{
	bus_write(r->m.bus, BUS_PIO, 0x60, v, 1);
}

static void cmd_arg(struct rig *r, uint8_t c, uint8_t v)
{
	cmd(r, c);
	wr(r, v);
}

/* Read one byte that must be waiting, from the keyboard (aux false) or the mouse. */
static uint8_t take(struct rig *r, bool aux)
{
	uint8_t s = st(r);

	assert_int_equal(s & ST_OBF, ST_OBF);
	assert_int_equal(s & ST_AUXB, aux ? ST_AUXB : 0);
	return rd(r);
}

static void assert_empty(struct rig *r)
{
	assert_int_equal(st(r) & (ST_OBF | ST_AUXB), 0);
}

/* Run the same checks on both controller flavours. */
static const char *const specs[] = { "i8042,extended-state=off", "i8042,extended-state=on" };

/* Power-on state: status 0x18, command byte 0x03, output port 0xcf, input port 0x80. */
static void reset_values(void **state)
{
	struct rig r;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		assert_int_equal(st(&r), ST_RESET);
		assert_false(r.level[1]);
		assert_false(r.level[12]);
		cmd(&r, 0x20);
		assert_int_equal(st(&r), ST_RESET | ST_OBF);
		assert_true(r.level[1]); /* command byte bit 0: IRQ 1 on OBF */
		assert_int_equal(rd(&r), 0x03);
		assert_int_equal(st(&r), ST_RESET);
		assert_false(r.level[1]);
		cmd(&r, 0xd0);
		assert_int_equal(take(&r, false), 0xcf);
		cmd(&r, 0xc0);
		assert_int_equal(take(&r, false), 0x80);
		/* Nothing waiting: 0x60 repeats the last byte read. */
		assert_int_equal(rd(&r), 0x80);
		assert_int_equal(rd(&r), 0x80);
		assert_empty(&r);
		rig_free(&r);
	}
}

/* Self test 0xaa -> 0x55 and sets the system flag; interface tests -> 0x00. */
static void self_and_interface_tests(void **state)
{
	struct rig r;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		cmd(&r, 0xaa);
		assert_int_equal(st(&r), ST_RESET | ST_SYS | ST_OBF);
		assert_int_equal(rd(&r), 0x55);
		assert_int_equal(st(&r), ST_RESET | ST_SYS);
		cmd(&r, 0xab);
		assert_int_equal(take(&r, false), 0x00);
		cmd(&r, 0xa9);
		assert_int_equal(take(&r, false), 0x00);
		assert_int_equal(st(&r), 0x1c);
		rig_free(&r);
	}
}

/* Command byte: 0x60 writes, 0x20 reads; 0xa7/0xa8 and 0xad/0xae flip bits 5 and 4. */
static void command_byte(void **state)
{
	struct rig r;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		cmd_arg(&r, 0x60, 0x47);
		cmd(&r, 0x20);
		assert_int_equal(take(&r, false), 0x47);
		cmd(&r, 0xa7);
		cmd(&r, 0x20);
		assert_int_equal(take(&r, false), 0x67);
		cmd(&r, 0xa8);
		cmd(&r, 0x20);
		assert_int_equal(take(&r, false), 0x47);
		cmd(&r, 0xad);
		cmd(&r, 0xae);
		cmd(&r, 0x20);
		assert_int_equal(take(&r, false), 0x47);
		cmd(&r, 0xad);
		cmd(&r, 0x20);
		/* Keyboard interface disabled: the answer is there but IRQ 1 stays low. */
		assert_int_equal(st(&r) & ST_OBF, ST_OBF);
		assert_false(r.level[1]);
		assert_int_equal(rd(&r), 0x57);
		rig_free(&r);
	}
}

/* 0xd2: byte as from the keyboard (IRQ 1); 0xd3: as from the mouse (AUXB, IRQ 12). */
static void write_output_buffers(void **state)
{
	struct rig r;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		cmd_arg(&r, 0xd2, 0x5a);
		assert_int_equal(st(&r), ST_RESET | ST_OBF);
		assert_true(r.level[1]);
		assert_false(r.level[12]);
		assert_int_equal(rd(&r), 0x5a);
		assert_false(r.level[1]);
		cmd_arg(&r, 0xd3, 0xa5);
		assert_int_equal(st(&r), ST_RESET | ST_OBF | ST_AUXB);
		assert_true(r.level[12]);
		assert_false(r.level[1]);
		assert_int_equal(rd(&r), 0xa5);
		assert_false(r.level[12]);
		assert_int_equal(st(&r), ST_RESET);
		/* Command byte bit 1 clear: no IRQ 12, the byte still waits. */
		cmd_arg(&r, 0x60, 0x01);
		cmd_arg(&r, 0xd3, 0x11);
		assert_int_equal(st(&r), ST_RESET | ST_OBF | ST_AUXB);
		assert_false(r.level[12]);
		assert_int_equal(rd(&r), 0x11);
		rig_free(&r);
	}
}

/* 0xd4: the next data byte goes to the mouse; its answers carry AUXB. */
static void write_to_aux(void **state)
{
	struct rig r;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		cmd_arg(&r, 0xd4, 0xff);
		assert_int_equal(take(&r, true), 0xfa);
		assert_int_equal(take(&r, true), 0xaa);
		assert_int_equal(take(&r, true), 0x00);
		assert_empty(&r);
		cmd_arg(&r, 0xd4, 0xf2);
		assert_true(r.level[12]);
		assert_int_equal(take(&r, true), 0xfa);
		assert_int_equal(take(&r, true), 0x00);
		assert_false(r.level[12]);
		rig_free(&r);
	}
}

/* Output port: 0xd1 writes it (bit 1 A20, bit 0 reset: 0 = reboot), 0xd0 reads it. */
static void output_port(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	cmd_arg(&r, 0xd1, 0xcd); /* A20 off, reset line high */
	assert_int_equal(r.reboots, 0);
	cmd(&r, 0xd0);
	assert_int_equal(take(&r, false), 0xcd);
	cmd(&r, 0xdf); /* A20 on */
	cmd(&r, 0xd0);
	assert_int_equal(take(&r, false), 0xcf);
	cmd(&r, 0xdd); /* A20 off */
	cmd(&r, 0xd0);
	assert_int_equal(take(&r, false), 0xcd);
	/* OBF is mirrored in output port bit 4 while a byte waits (QEMU's KBD_OUT_OBF). */
	cmd_arg(&r, 0xd2, 0x00);
	cmd(&r, 0xd0);
	assert_int_equal(rd(&r), 0x00);
	assert_int_equal(take(&r, false), 0xdd);
	cmd_arg(&r, 0xd1, 0xce); /* reset bit 0 low */
	assert_int_equal(r.reboots, 1);
	assert_int_equal(r.other_requests, 0);
	rig_free(&r);
}

/* 0xf0-0xff pulse output port bits 3-0 that are 0: bit 0 is CPU reset. */
static void pulse_output_port(void **state)
{
	struct rig r;
	unsigned c, expect = 0;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	cmd(&r, 0xff);
	assert_int_equal(r.reboots, 0);
	cmd(&r, 0xfe);
	assert_int_equal(r.reboots, 1);
	for (c = 0xf0; c <= 0xff; c++) {
		cmd(&r, (uint8_t)c);
		expect += !(c & 1);
	}
	assert_int_equal(r.reboots, 1 + expect);
	assert_int_equal(st(&r), ST_RESET);
	rig_free(&r);
}

/* Commands QEMU does not answer leave everything as it was. */
static void unknown_commands_harmless(void **state)
{
	static const uint8_t unknown[] = { 0x00, 0x21, 0x3f, 0x61, 0x90, 0xa1, 0xa4, 0xc1, 0xe0 };
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	for (size_t i = 0; i < sizeof(unknown); i++) {
		cmd(&r, unknown[i]);
		assert_int_equal(st(&r), ST_RESET);
	}
	/* A data write after them goes to the keyboard (echo). */
	wr(&r, 0xee);
	assert_int_equal(take(&r, false), 0xee);
	cmd(&r, 0x20);
	assert_int_equal(take(&r, false), 0x03);
	rig_free(&r);
}

/* Command byte bit 6: set 2 scancodes reach the guest as set 1. */
static void translation(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	/* Untranslated: set 2 ('A' make 0x1c, break 0xf0 0x1c; Up e0 75 / e0 f0 75). */
	input_key(&r.m, 0x1c, true);
	input_key(&r.m, 0x1c, false);
	input_key(&r.m, 0xe075, true);
	input_key(&r.m, 0xe075, false);
	{
		static const uint8_t set2[] = { 0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75 };

		for (size_t i = 0; i < sizeof(set2); i++)
			assert_int_equal(take(&r, false), set2[i]);
	}
	assert_empty(&r);
	/* Translated (what SeaBIOS and Linux set: 0x61): set 1. */
	cmd_arg(&r, 0x60, 0x61);
	input_key(&r.m, 0x1c, true);
	input_key(&r.m, 0x1c, false);
	input_key(&r.m, 0xe075, true);
	input_key(&r.m, 0xe075, false);
	{
		static const uint8_t set1[] = { 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8 };

		for (size_t i = 0; i < sizeof(set1); i++)
			assert_int_equal(take(&r, false), set1[i]);
	}
	assert_empty(&r);
	/* Keyboard ID through translation: 0xab 0x41. */
	wr(&r, 0xf2);
	assert_int_equal(take(&r, false), 0xfa);
	assert_int_equal(take(&r, false), 0xab);
	assert_int_equal(take(&r, false), 0x41);
	rig_free(&r);
}

/* IRQ 1 follows OBF: it drops on every read and comes back while bytes remain. */
static void irq_levels_follow_reads(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	input_key(&r.m, 0x1c, true);
	input_key(&r.m, 0x1c, false); /* 0x1c 0xf0 0x1c */
	assert_true(r.level[1]);
	assert_int_equal(r.raises[1], 1);
	assert_int_equal(rd(&r), 0x1c);
	assert_true(r.level[1]);
	assert_int_equal(r.raises[1], 2); /* a new edge per byte */
	assert_int_equal(rd(&r), 0xf0);
	assert_int_equal(rd(&r), 0x1c);
	assert_false(r.level[1]);
	assert_int_equal(r.raises[1], 3);
	assert_int_equal(r.lowers[1], 3);
	assert_false(r.level[12]);
	rig_free(&r);
}

/* Keyboard and mouse share the output buffer: AUXB and the IRQ follow its source. */
static void shared_output_buffer(void **state)
{
	struct rig r;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		cmd_arg(&r, 0xd4, 0xf4); /* enable reporting */
		assert_int_equal(take(&r, true), 0xfa);
		input_pointer_rel(&r.m, 1, 0, 0, INPUT_BTN_LEFT);
		input_key(&r.m, 0x29, true); /* space */
		/* The mouse packet came first and holds the buffer. */
		assert_true(r.level[12]);
		assert_false(r.level[1]);
		assert_int_equal(take(&r, true), 0x09);
		/* After each read the keyboard wins (QEMU: keyboard before aux). */
		assert_int_equal(take(&r, false), 0x29);
		assert_true(r.level[12]);
		assert_int_equal(take(&r, true), 0x01);
		assert_int_equal(take(&r, true), 0x00);
		assert_empty(&r);
		assert_false(r.level[1]);
		assert_false(r.level[12]);
		rig_free(&r);
	}
}

/* Extended state: device data waits while its interface is disabled (0xad/0xa7). */
static void disabled_interface_holds_data(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_PC, "i8042");
	cmd(&r, 0xad);
	input_key(&r.m, 0x1c, true);
	assert_empty(&r);
	cmd(&r, 0xae);
	assert_int_equal(take(&r, false), 0x1c);
	/* Controller answers still come through with the keyboard disabled. */
	cmd(&r, 0xad);
	input_key(&r.m, 0x1b, true);
	cmd(&r, 0x20);
	assert_int_equal(take(&r, false), 0x13);
	assert_empty(&r);
	/* Writing to the keyboard re-enables its interface. */
	wr(&r, 0xee);
	assert_int_equal(take(&r, false), 0xee);
	assert_int_equal(take(&r, false), 0x1b);
	rig_free(&r);

	/* Without extended state (xenfv) the byte is there, IRQ 1 stays low. */
	rig_build(&r, MACHINE_XENFV, "i8042");
	cmd(&r, 0xad);
	input_key(&r.m, 0x1c, true);
	assert_int_equal(st(&r) & ST_OBF, ST_OBF);
	assert_false(r.level[1]);
	assert_int_equal(rd(&r), 0x1c);
	rig_free(&r);
}

/* A device reset returns to the power-on state and drops the lines. */
static void system_reset(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	cmd_arg(&r, 0x60, 0x61);
	cmd(&r, 0xaa);
	input_key(&r.m, 0x1c, true);
	assert_true(r.level[1]);
	r.dev->type->reset(r.dev, RESET_SYSTEM);
	assert_false(r.level[1]);
	assert_int_equal(st(&r), ST_RESET);
	cmd(&r, 0x20);
	assert_int_equal(take(&r, false), 0x03);
	/* Translation is off again: set 2 codes. */
	input_key(&r.m, 0x1c, true);
	assert_int_equal(take(&r, false), 0x1c);
	assert_empty(&r);
	rig_free(&r);
}

/* Random bytes at both ports: no crash, IBF never set, the queue stays bounded. */
static void random_writes_harmless(void **state)
{
	struct rig r;
	uint32_t x = 12345;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rig_build(&r, MACHINE_XENFV, specs[i]);
		for (unsigned n = 0; n < 200000; n++) {
			uint8_t v;

			x = x * 1103515245u + 12345u;
			v = (uint8_t)(x >> 16);
			switch ((x >> 28) & 7) {
			case 0:
				cmd(&r, v);
				break;
			case 1:
			case 2:
				wr(&r, v);
				break;
			case 3:
				input_key(&r.m, (x >> 8) & 1 ? 0xe000 | v : v, x & 1);
				break;
			case 4:
				input_pointer_rel(&r.m, (int8_t)v * 7, (int8_t)(x >> 4),
						  (x & 3) - 1, v);
				break;
			default:
				rd(&r);
				break;
			}
			assert_int_equal(st(&r) & (ST_IBF | 0xc0), 0);
		}
		/* Drain: at most 16 device bytes per queue + a few answers. */
		for (unsigned n = 0; n < 64 && (st(&r) & ST_OBF); n++)
			rd(&r);
		assert_int_equal(st(&r) & ST_OBF, 0);
		rig_free(&r);
	}
}

/* The controller part of qemu-xen's golden ioreq trace (config a: xenfv, SeaBIOS + Linux). */
static const struct {
	char dir;
	uint8_t port, val;
} golden[] = {
	{ 'R', 0x64, 0x18 }, { 'R', 0x64, 0x18 }, { 'W', 0x64, 0xad }, { 'R', 0x64, 0x18 },
	{ 'W', 0x64, 0xa7 }, { 'R', 0x64, 0x18 }, { 'R', 0x64, 0x18 }, { 'W', 0x64, 0xaa },
	{ 'R', 0x64, 0x1d }, { 'R', 0x60, 0x55 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0xab },
	{ 'R', 0x64, 0x1d }, { 'R', 0x60, 0x00 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0x30 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0x20 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0xff },
	{ 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xaa },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x30 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x30 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x20 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0xf5 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x30 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x30 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x20 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0xf0 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0x02 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x30 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x70 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x60 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0xf4 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x61 },
	{ 'R', 0x64, 0x1c }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x20 }, { 'R', 0x64, 0x1d },
	{ 'R', 0x60, 0x61 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x20 }, { 'R', 0x64, 0x1d },
	{ 'R', 0x60, 0x61 }, { 'R', 0x64, 0x1c }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0x70 }, { 'R', 0x64, 0x1c }, { 'R', 0x64, 0x1c },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0xd3 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x5a },
	{ 'R', 0x64, 0x3d }, { 'R', 0x64, 0x3d }, { 'R', 0x60, 0x5a }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0xa7 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x20 }, { 'R', 0x64, 0x1d },
	{ 'R', 0x60, 0x70 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0xa8 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0x20 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0x50 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x52 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0xd3 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0xa5 }, { 'R', 0x64, 0x3d },
	{ 'R', 0x60, 0xa5 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0x70 }, { 'R', 0x64, 0x1c }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0xd3 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0xf0 }, { 'R', 0x64, 0x3d }, { 'R', 0x64, 0x3d },
	{ 'R', 0x60, 0xf0 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0xd3 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0x56 }, { 'R', 0x64, 0x3d }, { 'R', 0x64, 0x3d }, { 'R', 0x60, 0x56 },
	{ 'R', 0x64, 0x1c }, { 'W', 0x64, 0xd3 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0xa4 },
	{ 'R', 0x64, 0x3d }, { 'R', 0x64, 0x3d }, { 'R', 0x60, 0xa4 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x52 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x43 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0xf2 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1d },
	{ 'R', 0x60, 0xab }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0x41 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0xf5 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0xed }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0x00 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0xf3 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0x00 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0xf4 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0xd4 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0xf2 }, { 'R', 0x64, 0x3d },
	{ 'R', 0x60, 0xfa }, { 'R', 0x64, 0x3d }, { 'R', 0x60, 0x00 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x41 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c }, { 'W', 0x60, 0x43 }, { 'R', 0x64, 0x1c },
	{ 'R', 0x64, 0x1c }, { 'W', 0x60, 0xf6 }, { 'R', 0x64, 0x1d }, { 'R', 0x60, 0xfa },
	{ 'R', 0x64, 0x1c }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0x70 }, { 'R', 0x64, 0x1c }, { 'W', 0x64, 0x60 }, { 'R', 0x64, 0x1c },
	{ 'W', 0x60, 0x61 },
};

static void golden_trace_xenfv(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		if (golden[i].dir == 'W') {
			bus_write(r.m.bus, BUS_PIO, golden[i].port, golden[i].val, 1);
			continue;
		}
		uint8_t got = (uint8_t)bus_read(r.m.bus, BUS_PIO, golden[i].port, 1);

		if (got != golden[i].val)
			fail_msg("golden line %zu: in 0x%02x = 0x%02x, qemu-xen 0x%02x", i,
				 golden[i].port, got, golden[i].val);
	}
	assert_int_equal(r.reboots, 0);
	rig_free(&r);
}

/* Property checks: the device type registers with its help and rejects a bad IRQ. */
static void properties(void **state)
{
	struct rig r;
	struct dm_dev *d;
	char err[256];

	(void)state;
	assert_non_null(dev_type_find("i8042"));
	rig_build(&r, MACHINE_XENFV, "i8042,kbd-irq=5,mouse-irq=9");
	cmd_arg(&r, 0xd2, 0x01);
	assert_true(r.level[5]);
	assert_false(r.level[1]);
	rd(&r);
	cmd_arg(&r, 0xd3, 0x01);
	assert_true(r.level[9]);
	rig_free(&r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(dev_parse(&r.m, "i8042,kbd-irq=16", &d, err, sizeof(err)), -EINVAL);
}

/* Routing (input.h): first handler of a kind wins, activation moves to the front. */
static int fake_keys, fake_rel, fake_abs;

static void fk(void *o, uint16_t k, bool d)
{
	(void)o;
	(void)k;
	(void)d;
	fake_keys++;
}

static void fr(void *o, int dx, int dy, int dz, unsigned b)
{
	(void)o;
	(void)dx;
	(void)dy;
	(void)dz;
	(void)b;
	fake_rel++;
}

static void fa(void *o, unsigned x, unsigned y, int dz, unsigned b)
{
	(void)o;
	assert_true(x <= INPUT_ABS_MAX && y <= INPUT_ABS_MAX);
	(void)dz;
	(void)b;
	fake_abs++;
}

static const struct input_handler usb_kbd = { .name = "usb-kbd",
					      .mask = INPUT_MASK_KEY,
					      .key = fk };
static const struct input_handler tablet = { .name = "tablet", .mask = INPUT_MASK_ABS, .abs = fa };
static const struct input_handler usb_mouse = { .name = "usb-mouse",
						.mask = INPUT_MASK_REL,
						.rel = fr };
static const struct input_handler broken = { .name = "broken", .mask = INPUT_MASK_REL };

static void routing(void **state)
{
	struct rig r;
	int hk, ht, hm;

	(void)state;
	rig_build(&r, MACHINE_XENFV, "i8042");
	assert_false(input_pointer_absolute(&r.m));
	assert_int_equal(input_register(&r.m, &broken, NULL), -EINVAL);
	/* The LEDs the guest set reach the display (0xed argument: caps + num). */
	assert_int_equal(input_leds(&r.m), 0);
	wr(&r, 0xed);
	assert_int_equal(take(&r, false), 0xfa);
	wr(&r, 0x06);
	assert_int_equal(take(&r, false), 0xfa);
	assert_int_equal(input_leds(&r.m), INPUT_LED_CAPS | INPUT_LED_NUM);
	hk = input_register(&r.m, &usb_kbd, NULL);
	ht = input_register(&r.m, &tablet, NULL);
	hm = input_register(&r.m, &usb_mouse, NULL);
	assert_true(hk >= 0 && ht >= 0 && hm >= 0);
	/* Registered later: the PS/2 devices still come first. */
	input_key(&r.m, 0x1c, true);
	assert_int_equal(fake_keys, 0);
	assert_int_equal(take(&r, false), 0x1c);
	assert_false(input_pointer_absolute(&r.m));
	/* The guest configured the USB devices: they take over. */
	input_activate(hk);
	input_activate(ht);
	input_key(&r.m, 0x1c, false);
	assert_int_equal(fake_keys, 1);
	assert_int_equal(input_leds(&r.m), 0); /* that keyboard reports none */
	assert_empty(&r);
	assert_true(input_pointer_absolute(&r.m));
	input_pointer_abs(&r.m, 0x10000, 5, 0, 0);
	assert_int_equal(fake_abs, 1);
	/* Relative events still reach the PS/2 mouse until the USB mouse is active. */
	input_pointer_rel(&r.m, 1, 1, 0, 0);
	assert_int_equal(fake_rel, 0);
	input_activate(hm);
	input_pointer_rel(&r.m, 1, 1, 0, 0);
	assert_int_equal(fake_rel, 1);
	input_unregister(hm);
	/* Unknown key codes are dropped before any device sees them. */
	uint64_t before = input_dropped();
	input_key(&r.m, 0x00ff, true);
	assert_int_equal(input_dropped(), before + 1);
	input_unregister(hk);
	input_unregister(ht);
	input_key(&r.m, 0x1c, true);
	assert_int_equal(take(&r, false), 0x1c);
	rig_free(&r);
	/* With the machine gone, its events are dropped. */
	before = input_dropped();
	input_key(&r.m, 0x1c, true);
	assert_int_equal(input_dropped(), before + 1);
}

/* Run the same guest operation on two controllers, assert the same answers. */
static void same_behaviour(struct rig *a, struct rig *b, unsigned steps)
{
	uint32_t x = 99;

	for (unsigned n = 0; n < steps; n++) {
		uint8_t v;

		x = x * 1103515245u + 12345u;
		v = (uint8_t)(x >> 16);
		switch ((x >> 28) & 3) {
		case 0:
			if (v == 0xd1 || (v & 0xf0) == 0xf0)
				v = 0x20; /* no reboots here */
			cmd(a, v);
			cmd(b, v);
			break;
		case 1:
			wr(a, v);
			wr(b, v);
			break;
		case 2:
			input_key(&a->m, v, x & 1);
			input_key(&b->m, v, x & 1);
			break;
		default:
			assert_int_equal(st(a), st(b));
			assert_int_equal(rd(a), rd(b));
			break;
		}
		assert_int_equal(st(a), st(b));
		assert_int_equal(a->level[1], b->level[1]);
		assert_int_equal(a->level[12], b->level[12]);
	}
}

/* Save/restore (dm/state.h): field by field, validated, the guest sees no seam. */
static void save_and_restore(void **state)
{
	struct rig a, b;
	struct snap_wr w;

	(void)state;
	rig_build(&a, MACHINE_XENFV, "i8042");
	cmd_arg(&a, 0x60, 0x63);
	cmd_arg(&a, 0xd4, 0xf4);
	rd(&a);
	for (int i = 0; i < 3; i++) {
		static const uint8_t rates[] = { 200, 100, 80 };

		cmd_arg(&a, 0xd4, 0xf3);
		rd(&a);
		cmd_arg(&a, 0xd4, rates[i]);
		rd(&a);
	}
	input_key(&a.m, 0x1c, true);
	input_key(&a.m, 0x1c, false);
	input_pointer_rel(&a.m, 3, 4, 1, INPUT_BTN_LEFT);
	rd(&a);
	cmd(&a, 0x60); /* a command waiting for its data byte */
	assert_true(a.level[1] || a.level[12]);

	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);
	/* The machines share the routing table: only b's handlers may take events now. */
	rig_build(&b, MACHINE_XENFV, "i8042");
	b.resync = true;
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	b.resync = false;
	assert_int_equal(b.level[1], a.level[1]);
	assert_int_equal(b.level[12], a.level[12]);
	wr(&a, 0x61);
	wr(&b, 0x61);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(st(&a), st(&b));
		assert_int_equal(rd(&a), rd(&b));
	}
	/* Events reach the first-registered machine's handler only per machine. */
	same_behaviour(&a, &b, 20000);

	/* Damaged streams: refused or accepted, never a crash; refused leaves b as it was. */
	uint32_t x = 7;
	unsigned refused = 0;

	for (int i = 0; i < 3000; i++) {
		uint8_t *copy = malloc(w.len);

		assert_non_null(copy);
		memcpy(copy, w.buf, w.len);
		x = x * 1664525u + 1013904223u;
		copy[x % w.len] ^= (uint8_t)(1u << ((x >> 8) & 7));
		b.resync = true;
		refused += dm_state_load(&b.m, copy, w.len) != 0;
		b.resync = false;
		free(copy);
	}
	assert_true(refused > 0);
	/* A good stream puts both back in step. */
	snap_wr_free(&w);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);
	b.resync = true;
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	b.resync = false;
	same_behaviour(&a, &b, 5000);
	snap_wr_free(&w);
	rig_free(&b);
	rig_free(&a);
}

/*
 * The IRQ lines depend on history, not on the other state alone (QEMU's
 * pckbd behaves so live): 0xad leaves a raised keyboard line up, and a
 * keyboard write that re-enables the interface leaves it low while OBF is
 * set. A restore must give the guest the lines it had (the fuzzer's
 * reproducers tests/fuzz/known/i8042-irq-*.trace; state version 2).
 */
static void irq_lines_survive_save_restore(void **state)
{
	static const uint8_t seqs[][2][2] = {
		{ { 0x64, 0xad }, { 0x60, 0xf2 } }, /* low with OBF set and the interface on */
		{ { 0x64, 0xd0 }, { 0x64, 0xad } }, /* high with the interface off */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		struct rig a, b;
		struct snap_wr w;

		rig_build(&a, MACHINE_XENFV, "i8042");
		for (size_t k = 0; k < 2; k++)
			bus_write(a.m.bus, BUS_PIO, seqs[i][k][0], seqs[i][k][1], 1);
		assert_true(st(&a) & ST_OBF);
		assert_int_equal(a.level[1], i == 1);
		snap_wr_init(&w);
		assert_int_equal(dm_state_save(&a.m, &w), 0);
		rig_build(&b, MACHINE_XENFV, "i8042");
		b.resync = true;
		assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
		b.resync = false;
		assert_int_equal(b.level[1], a.level[1]);
		assert_int_equal(b.level[12], a.level[12]);
		same_behaviour(&a, &b, 2000);
		snap_wr_free(&w);
		rig_free(&b);
		rig_free(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_values),
		cmocka_unit_test(irq_lines_survive_save_restore),
		cmocka_unit_test(self_and_interface_tests),
		cmocka_unit_test(command_byte),
		cmocka_unit_test(write_output_buffers),
		cmocka_unit_test(write_to_aux),
		cmocka_unit_test(output_port),
		cmocka_unit_test(pulse_output_port),
		cmocka_unit_test(unknown_commands_harmless),
		cmocka_unit_test(translation),
		cmocka_unit_test(irq_levels_follow_reads),
		cmocka_unit_test(shared_output_buffer),
		cmocka_unit_test(disabled_interface_holds_data),
		cmocka_unit_test(system_reset),
		cmocka_unit_test(random_writes_harmless),
		cmocka_unit_test(golden_trace_xenfv),
		cmocka_unit_test(properties),
		cmocka_unit_test(routing),
		cmocka_unit_test(save_and_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
