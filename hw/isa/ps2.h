/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PS/2 keyboard and mouse, as seen from the keyboard controller (i8042.c):
 * each device takes bytes written to it, keeps its answers and input data
 * in a bounded queue, and raises its line while the queue holds data. The
 * controller reads the queue one byte at a time.
 *
 * The queue follows QEMU's (hw/input/ps2.c) so the bytes a guest reads are
 * the same: a 256-byte ring holding at most PS2_QUEUE_SIZE bytes of device
 * data; keyboard command replies go in front of queued scancodes (they are
 * answered before older keystrokes) and a new command drops replies nobody
 * read.
 */
#ifndef HW_ISA_PS2_H
#define HW_ISA_PS2_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_QUEUE_SIZE	16  /* device data the ring holds (the PS/2 protocol's 16 bytes) */
#define PS2_BUFFER_SIZE 256 /* ring size; indices wrap with & 0xff */

struct ps2_queue {
	uint8_t data[PS2_BUFFER_SIZE];
	int rptr, wptr;
	int cwptr; /* end of the command replies in front of rptr, or -1 */
	int count; /* bytes to read, command replies included */
};

struct ps2_port {
	struct ps2_queue q;
	int write_cmd; /* command waiting for its argument byte, or -1 */
	void (*irq)(void *opaque, bool level);
	void *opaque;
};

struct ps2_kbd {
	struct ps2_port p;
	bool scan_enabled;
	bool translate; /* the controller's command byte bit 6: set 2 -> set 1 */
	bool need_high_bit;
	uint8_t scancode_set; /* 1, 2 or 3 */
	uint8_t ledstate;
	uint8_t modifiers; /* PS2_MOD_*: Pause and Print send other codes with them */
};

struct ps2_mouse {
	struct ps2_port p;
	uint8_t status; /* PS2_MOUSE_STATUS_*, as the status request reports it */
	uint8_t resolution;
	uint8_t sample_rate;
	bool wrap;
	uint8_t type;	      /* 0 PS/2, 3 IntelliMouse, 4 IntelliMouse Explorer */
	uint8_t detect_state; /* progress through a 200,100,80 / 200,200,80 rate sequence */
	int32_t dx, dy, dz;   /* movement not yet sent (dy: up positive, as sent) */
	uint8_t buttons;
};

#define PS2_MOUSE_STATUS_REMOTE	 0x40
#define PS2_MOUSE_STATUS_ENABLED 0x20
#define PS2_MOUSE_STATUS_SCALE21 0x10

/* irq(opaque, level) is called on every queue change, as QEMU's line is set. */
void ps2_kbd_init(struct ps2_kbd *k, void (*irq)(void *opaque, bool level), void *opaque);
void ps2_mouse_init(struct ps2_mouse *ms, void (*irq)(void *opaque, bool level), void *opaque);
/* Power-on / system reset (not the 0xff command): empty queue, defaults. */
void ps2_kbd_reset(struct ps2_kbd *k);
void ps2_mouse_reset(struct ps2_mouse *ms);

/* One byte from the host (controller) to the device. */
void ps2_kbd_write(struct ps2_kbd *k, uint8_t val);
void ps2_mouse_write(struct ps2_mouse *ms, uint8_t val);
/* The next queued byte; an empty queue repeats the last byte read. */
uint8_t ps2_read(struct ps2_port *p);
/* Queue one byte of device data (controller commands 0xd2/0xd3 without extended state). */
void ps2_queue(struct ps2_port *p, uint8_t b);
bool ps2_queue_empty(const struct ps2_port *p);

void ps2_kbd_set_translation(struct ps2_kbd *k, bool on);
/* A key (dm/input.h naming: set 2 make code) went down or up. */
void ps2_kbd_key(struct ps2_kbd *k, uint16_t key, bool down);
/* Relative motion (y grows downwards), wheel (+ = towards the user), button mask. */
void ps2_mouse_move(struct ps2_mouse *ms, int dx, int dy, int dz, unsigned buttons);

#endif
