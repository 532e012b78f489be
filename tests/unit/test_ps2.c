// SPDX-License-Identifier: GPL-2.0-only
/*
 * PS/2 keyboard and mouse on their own (hw/isa/ps2.c): IBM PS/2 Hardware
 * Interface Technical Reference, "Keyboard" chapter (commands 0xed-0xff and
 * their replies) and the PS/2 mouse protocol (commands 0xe6-0xff, 3-byte
 * packets, the IntelliMouse / Explorer 4th byte), answered as QEMU's
 * hw/input/ps2.c answers. Also the key table of dm/input.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dm/input.h"
#include "hw/isa/ps2.h"

static int line_level;
static unsigned line_calls;

static void line(void *opaque, bool level)
{
	(void)opaque;
	line_level = level;
	line_calls++;
}

static void expect_bytes(struct ps2_port *p, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_false(ps2_queue_empty(p));
		assert_int_equal(ps2_read(p), b[i]);
	}
	assert_true(ps2_queue_empty(p));
	assert_int_equal(line_level, 0);
}

#define EXPECT(p, ...)                                       \
	do {                                                 \
		static const uint8_t e_[] = { __VA_ARGS__ }; \
		expect_bytes(p, e_, sizeof(e_));             \
	} while (0)

static void kbd_new(struct ps2_kbd *k)
{
	ps2_kbd_init(k, line, NULL);
	ps2_kbd_reset(k);
	line_level = 0;
}

static void mouse_new(struct ps2_mouse *m)
{
	ps2_mouse_init(m, line, NULL);
	ps2_mouse_reset(m);
	line_level = 0;
}

/* Keyboard chapter: reset 0xff -> ACK, BAT 0xaa; echo; ID 0xab 0x83. */
static void kbd_reset_echo_id(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_write(&k, 0xff);
	assert_int_equal(line_level, 1);
	EXPECT(&k.p, 0xfa, 0xaa);
	ps2_kbd_write(&k, 0xee);
	EXPECT(&k.p, 0xee);
	ps2_kbd_write(&k, 0xf2);
	EXPECT(&k.p, 0xfa, 0xab, 0x83);
	/* With the controller translating, QEMU answers 0x41 (0x83 translated). */
	ps2_kbd_set_translation(&k, true);
	ps2_kbd_write(&k, 0xf2);
	EXPECT(&k.p, 0xfa, 0xab, 0x41);
	/* An empty queue repeats the last byte. */
	assert_int_equal(ps2_read(&k.p), 0x41);
}

/* Set LEDs 0xed and typematic 0xf3 take an argument byte, each ACKed. */
static void kbd_commands_with_argument(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_write(&k, 0xed);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0x07);
	EXPECT(&k.p, 0xfa);
	assert_int_equal(k.ledstate, INPUT_LED_SCROLL | INPUT_LED_NUM | INPUT_LED_CAPS);
	ps2_kbd_write(&k, 0xf3);
	EXPECT(&k.p, 0xfa);
	/* The argument is taken as such even when it looks like a command (QEMU). */
	ps2_kbd_write(&k, 0xff);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0xfc); /* set key make/break (HP-UX) */
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0x1c);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0xfa); /* all keys typematic/make/break */
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0x00);
	EXPECT(&k.p, 0xfa);
}

/* 0xfe (resend) and unknown commands answer 0xfe, as QEMU does; 0x05 too. */
static void kbd_resend_and_unknown(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_write(&k, 0xfe);
	EXPECT(&k.p, 0xfe);
	ps2_kbd_write(&k, 0x12);
	EXPECT(&k.p, 0xfe);
	ps2_kbd_write(&k, 0x05);
	EXPECT(&k.p, 0xfe);
	ps2_kbd_write(&k, 0xe8);
	EXPECT(&k.p, 0xfe);
}

/* 0xf5 disables scanning (keys dropped), 0xf4 enables, 0xf6 restores defaults. */
static void kbd_scanning(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_write(&k, 0xf5);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_key(&k, 0x1c, true);
	assert_true(ps2_queue_empty(&k.p));
	ps2_kbd_write(&k, 0xf4);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_key(&k, 0x1c, true);
	EXPECT(&k.p, 0x1c);
	ps2_kbd_write(&k, 0xf0);
	ps2_kbd_write(&k, 0x01);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0xf6); /* defaults: back to set 2, scanning on */
	EXPECT(&k.p, 0xfa);
	ps2_kbd_key(&k, 0x1c, false);
	EXPECT(&k.p, 0xf0, 0x1c);
}

/* 0xf0: 0 reads the set (translated when the controller translates), 1-3 select. */
static void kbd_scancode_sets(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_write(&k, 0xf0);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0x00);
	EXPECT(&k.p, 0xfa, 0x02);
	ps2_kbd_set_translation(&k, true);
	ps2_kbd_write(&k, 0xf0);
	ps2_kbd_write(&k, 0x00);
	EXPECT(&k.p, 0xfa, 0x41);
	ps2_kbd_set_translation(&k, false);
	ps2_kbd_write(&k, 0xf0);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0x04);
	EXPECT(&k.p, 0xfe);

	/* Set 1: make 0x1e, break 0x9e for 'A'; Up e0 48 / e0 c8. The first ACK,
	 * left unread, is dropped by the next write (QEMU's command reply queue). */
	ps2_kbd_write(&k, 0xf0);
	ps2_kbd_write(&k, 0x01);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_key(&k, 0x1c, true);
	ps2_kbd_key(&k, 0x1c, false);
	ps2_kbd_key(&k, 0xe075, true);
	ps2_kbd_key(&k, 0xe075, false);
	EXPECT(&k.p, 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8);

	/* Set 3: one code per key, f0 before the break; F1 = 0x07, Up = 0x63. */
	ps2_kbd_write(&k, 0xf0);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_write(&k, 0x03);
	EXPECT(&k.p, 0xfa);
	ps2_kbd_key(&k, 0x05, true);
	ps2_kbd_key(&k, 0x05, false);
	ps2_kbd_key(&k, 0xe075, true);
	EXPECT(&k.p, 0x07, 0xf0, 0x07, 0x63);
	/* A key without a set 3 code (keypad =) sends nothing. */
	ps2_kbd_key(&k, 0x0f, true);
	assert_true(ps2_queue_empty(&k.p));
}

/* Pause and Print Screen: the IBM tables' multi-byte sequences, modifier dependent. */
static void kbd_pause_print(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_key(&k, INPUT_KEY_PAUSE, true);
	ps2_kbd_key(&k, INPUT_KEY_PAUSE, false);
	EXPECT(&k.p, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
	ps2_kbd_key(&k, INPUT_KEY_PRINT, true);
	EXPECT(&k.p, 0xe0, 0x12, 0xe0, 0x7c);
	ps2_kbd_key(&k, INPUT_KEY_PRINT, false);
	EXPECT(&k.p, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
	/* Ctrl+Pause is Break. */
	ps2_kbd_key(&k, 0x14, true);
	ps2_kbd_key(&k, INPUT_KEY_PAUSE, true);
	EXPECT(&k.p, 0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e);
	ps2_kbd_key(&k, 0x14, false);
	EXPECT(&k.p, 0xf0, 0x14);
	/* Translated to set 1: Pause e1 1d 45 e1 9d c5. */
	ps2_kbd_set_translation(&k, true);
	ps2_kbd_key(&k, INPUT_KEY_PAUSE, true);
	EXPECT(&k.p, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
}

/* Command replies are answered before keys already queued; unread replies are dropped. */
static void kbd_replies_jump_the_queue(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	ps2_kbd_key(&k, 0x1c, true);
	ps2_kbd_write(&k, 0xee);
	EXPECT(&k.p, 0xee, 0x1c);
	ps2_kbd_key(&k, 0x1b, true);
	ps2_kbd_write(&k, 0xf2); /* fa ab 83, not read */
	ps2_kbd_write(&k, 0xee); /* drops them */
	EXPECT(&k.p, 0xee, 0x1b);
}

/* The queue holds 16 bytes; what does not fit is dropped, the rest survives. */
static void kbd_queue_bounded(void **state)
{
	struct ps2_kbd k;

	(void)state;
	kbd_new(&k);
	for (int i = 0; i < 40; i++)
		ps2_kbd_key(&k, 0x1c, i & 1); /* alternating make / break (f0 1c) */
	assert_int_equal(k.p.q.count, PS2_QUEUE_SIZE);
	/* Replies still fit in front (16 + 3). */
	ps2_kbd_write(&k, 0xf2);
	assert_int_equal(k.p.q.count, PS2_QUEUE_SIZE + 3);
	assert_int_equal(ps2_read(&k.p), 0xfa);
	assert_int_equal(ps2_read(&k.p), 0xab);
	assert_int_equal(ps2_read(&k.p), 0x83);
	for (int i = 0; i < PS2_QUEUE_SIZE; i++)
		ps2_read(&k.p);
	assert_true(ps2_queue_empty(&k.p));
	/* 100000 random commands and keys never overrun the ring. */
	uint32_t x = 1;
	for (int i = 0; i < 100000; i++) {
		x = x * 1664525u + 1013904223u;
		if (x & 0x100)
			ps2_kbd_write(&k, (uint8_t)(x >> 24));
		else if (x & 0x200)
			ps2_kbd_key(&k, (uint16_t)(x >> 16), x & 1);
		else
			ps2_read(&k.p);
		assert_true(k.p.q.count >= 0 && k.p.q.count <= PS2_QUEUE_SIZE + 3);
	}
}

/* Mouse reset: ACK, BAT 0xaa, ID 0x00; defaults rate 100, resolution 2 (4 counts/mm). */
static void mouse_reset_and_status(void **state)
{
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	ps2_mouse_write(&m, 0xff);
	EXPECT(&m.p, 0xfa, 0xaa, 0x00);
	ps2_mouse_write(&m, 0xf2);
	EXPECT(&m.p, 0xfa, 0x00);
	ps2_mouse_write(&m, 0xe9);
	EXPECT(&m.p, 0xfa, 0x00, 0x02, 0x64);
	ps2_mouse_write(&m, 0xe8);
	ps2_mouse_write(&m, 0x03);
	ps2_mouse_write(&m, 0xe7); /* 2:1 scaling */
	ps2_mouse_write(&m, 0xf0); /* remote mode */
	ps2_mouse_write(&m, 0xf4); /* enable */
	EXPECT(&m.p, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa);
	ps2_mouse_write(&m, 0xe9);
	EXPECT(&m.p, 0xfa, 0x70, 0x03, 0x64);
	ps2_mouse_write(&m, 0xe6);
	ps2_mouse_write(&m, 0xea);
	ps2_mouse_write(&m, 0xf5);
	ps2_mouse_write(&m, 0xe9);
	EXPECT(&m.p, 0xfa, 0xfa, 0xfa, 0xfa, 0x00, 0x03, 0x64);
	ps2_mouse_write(&m, 0xf6); /* defaults */
	ps2_mouse_write(&m, 0xe9);
	EXPECT(&m.p, 0xfa, 0xfa, 0x00, 0x02, 0x64);
	/* Unknown commands get no answer (QEMU). */
	ps2_mouse_write(&m, 0x42);
	assert_true(ps2_queue_empty(&m.p));
}

/* IntelliMouse: rates 200,100,80 -> ID 3; Explorer: 200,200,80 -> ID 4. */
static void mouse_intellimouse_detection(void **state)
{
	static const uint8_t im[] = { 200, 100, 80 }, ex[] = { 200, 200, 80 },
			     no[] = { 200, 100, 60 };
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	for (int i = 0; i < 3; i++) {
		ps2_mouse_write(&m, 0xf3);
		ps2_mouse_write(&m, no[i]);
	}
	ps2_mouse_write(&m, 0xf2);
	EXPECT(&m.p, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x00);
	for (int i = 0; i < 3; i++) {
		ps2_mouse_write(&m, 0xf3);
		ps2_mouse_write(&m, im[i]);
	}
	ps2_mouse_write(&m, 0xf2);
	EXPECT(&m.p, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03);
	for (int i = 0; i < 3; i++) {
		ps2_mouse_write(&m, 0xf3);
		ps2_mouse_write(&m, ex[i]);
	}
	ps2_mouse_write(&m, 0xf2);
	EXPECT(&m.p, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x04);
	/* Reset returns to the plain PS/2 mouse. */
	ps2_mouse_write(&m, 0xff);
	EXPECT(&m.p, 0xfa, 0xaa, 0x00);
}

static void enable_stream(struct ps2_mouse *m)
{
	ps2_mouse_write(m, 0xf4);
	EXPECT(&m->p, 0xfa);
}

/* 3-byte packets: byte 1 = Ysign Xsign 1 M R L; Y up positive. */
static void mouse_packets(void **state)
{
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	ps2_mouse_move(&m, 5, -3, 0, 0); /* reporting off: dropped */
	assert_true(ps2_queue_empty(&m.p));
	enable_stream(&m);
	ps2_mouse_move(&m, 5, -3, 0, INPUT_BTN_LEFT);
	EXPECT(&m.p, 0x09, 0x05, 0x03);
	ps2_mouse_move(&m, -10, 10, 0, INPUT_BTN_RIGHT | INPUT_BTN_MIDDLE);
	EXPECT(&m.p, 0x3e, 0xf6, 0xf6);
	/* Beyond +-127: several packets, no overflow bits. */
	ps2_mouse_move(&m, 300, 0, 0, 0);
	EXPECT(&m.p, 0x08, 0x7f, 0x00, 0x08, 0x7f, 0x00, 0x08, 0x2e, 0x00);
	/* A plain PS/2 mouse drops the wheel. */
	ps2_mouse_move(&m, 0, 0, 3, 0);
	EXPECT(&m.p, 0x08, 0x00, 0x00);
}

/* IntelliMouse 4th byte: wheel; Explorer: 4-bit wheel + buttons 4/5 in bits 4-5. */
static void mouse_wheel_packets(void **state)
{
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	m.type = 3;
	enable_stream(&m);
	ps2_mouse_move(&m, 1, 1, 1, 0);
	EXPECT(&m.p, 0x28, 0x01, 0xff, 0x01);
	ps2_mouse_move(&m, 0, 0, -2, 0);
	EXPECT(&m.p, 0x08, 0x00, 0x00, 0xfe);
	m.type = 4;
	ps2_mouse_move(&m, 0, 0, -1, INPUT_BTN_SIDE | INPUT_BTN_EXTRA | INPUT_BTN_LEFT);
	EXPECT(&m.p, 0x09, 0x00, 0x00, 0x3f);
	ps2_mouse_move(&m, 0, 0, 9, 0); /* +-7 per packet */
	EXPECT(&m.p, 0x08, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x02);
}

/* Remote mode: nothing sent until read data 0xeb. */
static void mouse_remote_mode(void **state)
{
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	ps2_mouse_write(&m, 0xf0);
	ps2_mouse_write(&m, 0xf4);
	EXPECT(&m.p, 0xfa, 0xfa);
	ps2_mouse_move(&m, 4, 0, 0, 0);
	ps2_mouse_move(&m, 4, 0, 0, 0);
	assert_true(ps2_queue_empty(&m.p));
	ps2_mouse_write(&m, 0xeb);
	EXPECT(&m.p, 0xfa, 0x08, 0x08, 0x00);
	ps2_mouse_write(&m, 0xeb);
	EXPECT(&m.p, 0xfa, 0x08, 0x00, 0x00);
}

/* Wrap mode: bytes echo back, except 0xec (leave, ACK) and 0xff (reset). */
static void mouse_wrap_mode(void **state)
{
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	ps2_mouse_write(&m, 0xee);
	ps2_mouse_write(&m, 0x12);
	ps2_mouse_write(&m, 0xf4);
	ps2_mouse_write(&m, 0xec);
	ps2_mouse_write(&m, 0xf2);
	EXPECT(&m.p, 0xfa, 0x12, 0xf4, 0xfa, 0xfa, 0x00);
	/* Reset empties the queue (the wrap ACK goes) and, as in QEMU, leaves wrap on. */
	ps2_mouse_write(&m, 0xee);
	ps2_mouse_write(&m, 0xff);
	EXPECT(&m.p, 0xfa, 0xaa, 0x00);
	ps2_mouse_write(&m, 0x55);
	EXPECT(&m.p, 0x55);
}

/* The mouse queue holds whole packets only: 5 of 3 bytes in 16. */
static void mouse_queue_bounded(void **state)
{
	struct ps2_mouse m;

	(void)state;
	mouse_new(&m);
	enable_stream(&m);
	for (int i = 0; i < 100; i++)
		ps2_mouse_move(&m, 1, 0, 0, 0);
	assert_int_equal(m.p.q.count, 15);
	ps2_mouse_move(&m, 1000000000, -1000000000, 1000000000, 0xff);
	assert_int_equal(m.p.q.count, 15);
	/* A command answer still fits; a 4-byte status does not. */
	ps2_mouse_write(&m, 0xe9);
	assert_int_equal(m.p.q.count, 15);
	ps2_mouse_write(&m, 0xe6);
	assert_int_equal(m.p.q.count, 16);
}

/* Device reset (not the command): empty queue, line low, QEMU's zero defaults. */
static void device_reset(void **state)
{
	struct ps2_mouse m;
	struct ps2_kbd k;

	(void)state;
	mouse_new(&m);
	enable_stream(&m);
	ps2_mouse_move(&m, 1, 0, 0, 0);
	assert_int_equal(line_level, 1);
	ps2_mouse_reset(&m);
	assert_int_equal(line_level, 0);
	assert_true(ps2_queue_empty(&m.p));
	ps2_mouse_write(&m, 0xe9);
	EXPECT(&m.p, 0xfa, 0x00, 0x00, 0x00);
	kbd_new(&k);
	ps2_kbd_set_translation(&k, true);
	ps2_kbd_key(&k, 0x1c, true);
	ps2_kbd_reset(&k);
	assert_true(ps2_queue_empty(&k.p));
	ps2_kbd_key(&k, 0x1c, true);
	EXPECT(&k.p, 0x1c);
}

/* The key table (keycodemapdb data): set 1/2/3 and USB codes, keysyms, QKeyCode names. */
static void key_table(void **state)
{
	const struct input_keydef *d;

	(void)state;
	d = input_keydef(0x1c);
	assert_non_null(d);
	assert_string_equal(d->qcode, "a");
	assert_int_equal(d->set1, 0x1e);
	assert_int_equal(d->set3, 0x1c);
	assert_int_equal(d->usb, 4);
	assert_null(input_keydef(0));
	assert_null(input_keydef(0xe0ff));
	assert_int_equal(input_keysym_to_key('a'), 0x1c);
	assert_int_equal(input_keysym_to_key('A'), 0x1c);
	assert_int_equal(input_keysym_to_key('z'), 0x1a);
	assert_int_equal(input_keysym_to_key('0'), 0x45);
	assert_int_equal(input_keysym_to_key('!'), 0x16);
	assert_int_equal(input_keysym_to_key(' '), 0x29);
	assert_int_equal(input_keysym_to_key(0xff0d), 0x5a);   /* Return */
	assert_int_equal(input_keysym_to_key(0xff1b), 0x76);   /* Escape */
	assert_int_equal(input_keysym_to_key(0xff08), 0x66);   /* BackSpace */
	assert_int_equal(input_keysym_to_key(0xff09), 0x0d);   /* Tab */
	assert_int_equal(input_keysym_to_key(0xff52), 0xe075); /* Up */
	assert_int_equal(input_keysym_to_key(0xff54), 0xe072); /* Down */
	assert_int_equal(input_keysym_to_key(0xff51), 0xe06b); /* Left */
	assert_int_equal(input_keysym_to_key(0xff53), 0xe074); /* Right */
	assert_int_equal(input_keysym_to_key(0xffe1), 0x12);   /* Shift_L */
	assert_int_equal(input_keysym_to_key(0xffe2), 0x59);   /* Shift_R */
	assert_int_equal(input_keysym_to_key(0xffe3), 0x14);   /* Control_L */
	assert_int_equal(input_keysym_to_key(0xffe4), 0xe014); /* Control_R */
	assert_int_equal(input_keysym_to_key(0xffe9), 0x11);   /* Alt_L */
	assert_int_equal(input_keysym_to_key(0xffbe), 0x05);   /* F1 */
	assert_int_equal(input_keysym_to_key(0xffc9), 0x07);   /* F12 */
	assert_int_equal(input_keysym_to_key(0xffff), 0xe071); /* Delete */
	assert_int_equal(input_keysym_to_key(0xff61), INPUT_KEY_PRINT);
	assert_int_equal(input_keysym_to_key(0xff13), INPUT_KEY_PAUSE);
	assert_int_equal(input_keysym_to_key(0x12345), 0);
	assert_int_equal(input_qcode_to_key("ctrl"), 0x14);
	assert_int_equal(input_qcode_to_key("alt"), 0x11);
	assert_int_equal(input_qcode_to_key("delete"), 0xe071);
	assert_int_equal(input_qcode_to_key("ret"), 0x5a);
	assert_int_equal(input_qcode_to_key("nosuchkey"), 0);
	/* Every set 1 code agrees with the 8042 translation of its set 2 code. */
	d = input_keydef(0x05);
	assert_int_equal(d->set1, 0x3b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kbd_reset_echo_id),
		cmocka_unit_test(kbd_commands_with_argument),
		cmocka_unit_test(kbd_resend_and_unknown),
		cmocka_unit_test(kbd_scanning),
		cmocka_unit_test(kbd_scancode_sets),
		cmocka_unit_test(kbd_pause_print),
		cmocka_unit_test(kbd_replies_jump_the_queue),
		cmocka_unit_test(kbd_queue_bounded),
		cmocka_unit_test(mouse_reset_and_status),
		cmocka_unit_test(mouse_intellimouse_detection),
		cmocka_unit_test(mouse_packets),
		cmocka_unit_test(mouse_wheel_packets),
		cmocka_unit_test(mouse_remote_mode),
		cmocka_unit_test(mouse_wrap_mode),
		cmocka_unit_test(mouse_queue_bounded),
		cmocka_unit_test(device_reset),
		cmocka_unit_test(key_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
