/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Input routing: key and pointer events from a display backend (VNC, QMP
 * send-key / input-send-event) to the guest's input device.
 *
 * A key is named by its AT scancode set 2 make code, the code a PS/2
 * keyboard sends in its default set: 0x00xx for the plain keys, 0xe0xx for
 * the extended ones (arrows 0xe075.., right Ctrl 0xe014). Two keys have no
 * single make code and get these names: Pause 0xe077 and Print Screen
 * 0xe07c. The key table (input.c) gives every key's set 1, set 3 and USB
 * HID usage codes and its QEMU QKeyCode name, from the keycodemapdb data.
 *
 * Devices register a handler for the event kinds they take. Key events go
 * to the first registered keyboard handler; pointer events go to the first
 * handler of their kind (relative: PS/2 mouse, USB mouse; absolute: USB
 * tablet). input_activate() moves a handler to the front, as a USB device
 * does when the guest configures it (QEMU's qemu_input_handler_activate).
 * A display asks input_pointer_absolute() to know which kind to send.
 *
 * Pointer conventions (QEMU's input layer, RFB): dx/dy in pixels with y
 * growing downwards; dz is the vertical wheel, positive = towards the user
 * (RFB button 5, "wheel down"); buttons is a mask of INPUT_BTN_*. Absolute
 * x/y are scaled to [0, INPUT_ABS_MAX].
 */
#ifndef DM_INPUT_H
#define DM_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

enum input_mask {
	INPUT_MASK_KEY = 1u << 0,
	INPUT_MASK_REL = 1u << 1,
	INPUT_MASK_ABS = 1u << 2,
};

/* Button mask bits: the PS/2 packet order (left, right, middle, side, extra). */
#define INPUT_BTN_LEFT	 0x01u
#define INPUT_BTN_RIGHT	 0x02u
#define INPUT_BTN_MIDDLE 0x04u
#define INPUT_BTN_SIDE	 0x08u
#define INPUT_BTN_EXTRA	 0x10u
#define INPUT_BTN_ALL	 0x1fu

#define INPUT_ABS_MAX 0x7fffu

/* The special key names (no single set 2 make code). */
#define INPUT_KEY_PAUSE 0xe077u
#define INPUT_KEY_PRINT 0xe07cu

/* Keyboard LED bits, as the PS/2 "set LEDs" (0xed) argument carries them. */
#define INPUT_LED_SCROLL 0x01u
#define INPUT_LED_NUM	 0x02u
#define INPUT_LED_CAPS	 0x04u

struct input_handler {
	const char *name;
	unsigned mask; /* INPUT_MASK_* this handler takes */
	void (*key)(void *opaque, uint16_t key, bool down);
	void (*rel)(void *opaque, int dx, int dy, int dz, unsigned buttons);
	void (*abs)(void *opaque, unsigned x, unsigned y, int dz, unsigned buttons);
	/* Keyboards: the LEDs the guest set (INPUT_LED_*); may be NULL. */
	unsigned (*leds)(void *opaque);
};

/* One row of the key table. Codes are 0 where the key has none in that set. */
struct input_keydef {
	const char *qcode; /* QEMU QKeyCode name, as QMP send-key spells it */
	uint16_t set2;	   /* the key's name in this API */
	uint16_t set1;	   /* 0xe0xx for extended keys */
	uint8_t set3;
	uint8_t usb;	 /* USB HID usage (page 7) */
	uint32_t keysym; /* X11 keysym of the unshifted key, or 0 */
};

/*
 * Register h (static, outlives the registration) for machine m. Returns a
 * handle >= 0, or -ENOSPC when the table is full, -EINVAL for a handler
 * without a callback for a kind in its mask.
 */
__attribute__((warn_unused_result)) int input_register(struct machine *m,
						       const struct input_handler *h, void *opaque);
void input_unregister(int handle);
/* Make this handler the first of its kinds. */
void input_activate(int handle);

/* Route one event; dropped (and counted) when no handler takes it. */
void input_key(struct machine *m, uint16_t key, bool down);
void input_pointer_rel(struct machine *m, int dx, int dy, int dz, unsigned buttons);
void input_pointer_abs(struct machine *m, unsigned x, unsigned y, int dz, unsigned buttons);
/*
 * The LEDs of the keyboard that takes key events (INPUT_LED_*), 0 without
 * one. A display uses them for its LED state and to keep Caps/Num Lock in
 * step with the keysyms it receives.
 */
unsigned input_leds(struct machine *m);
/* True when the first pointer handler takes absolute events. */
bool input_pointer_absolute(struct machine *m);
/* Events dropped for want of a handler, since start (tests, stats). */
uint64_t input_dropped(void);

/* The table row of a key, or NULL for a code that names no key. */
const struct input_keydef *input_keydef(uint16_t key);
/* X11/RFB keysym (US layout; shifted symbols map to their key) to key, or 0. */
uint16_t input_keysym_to_key(uint32_t keysym);
/* QKeyCode name ("ctrl", "alt", "delete", "a") to key, or 0. */
uint16_t input_qcode_to_key(const char *name);

#endif
