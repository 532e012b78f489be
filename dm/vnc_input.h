/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a VNC client's key and pointer events become for dm/input.h, as
 * QEMU 7.2's ui/vnc.c turns them into its input events: pure translation,
 * kept apart from the sockets so the tests can name every case.
 */
#ifndef DM_VNC_INPUT_H
#define DM_VNC_INPUT_H

#include <stdbool.h>
#include <stdint.h>

/* RFB PointerEvent button mask bits (RFC 6143 7.5.5). */
#define RFB_BTN_LEFT	   0x01u
#define RFB_BTN_MIDDLE	   0x02u
#define RFB_BTN_RIGHT	   0x04u
#define RFB_BTN_WHEEL_UP   0x08u
#define RFB_BTN_WHEEL_DOWN 0x10u

/*
 * The key of a QEMU extended key event's keycode (a "qnum": the XT set 1
 * scancode, 0x80 | code for the 0xe0-prefixed ones), or 0 when it names none.
 */
uint16_t vnc_qnum_to_key(uint32_t qnum);

/* INPUT_BTN_* of an RFB button mask. */
unsigned vnc_buttons(unsigned rfb_mask);
/*
 * The wheel motion of going from mask old to mask now: +1 for a wheel-down
 * press (towards the user, dm/input.h's dz), -1 for wheel-up, 0 otherwise.
 */
int vnc_wheel(unsigned old, unsigned now);
/* An absolute coordinate: v * INPUT_ABS_MAX / size (QEMU's scale_axis(v, 0, size)), capped. */
unsigned vnc_abs_scale(unsigned v, unsigned size);

/* The keys a client holds down (released for it when it goes). */
struct vnc_held {
	uint8_t bits[64]; /* 0x00xx in 0..255, 0xe0xx in 256..511 */
};
/* Record key down or up; false for a code outside the two pages. */
bool vnc_held_set(struct vnc_held *h, uint16_t key, bool down);
/* The next held key at or after *pos (advanced past it), or 0 at the end. */
uint16_t vnc_held_next(const struct vnc_held *h, unsigned *pos);

#endif
