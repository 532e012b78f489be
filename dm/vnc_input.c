// SPDX-License-Identifier: GPL-2.0-only
/*
 * VNC input translation (vnc_input.h). The extended key event's qnum is
 * mapped through the set 1 column of dm/input.c's key table (from
 * keycodemapdb), so no table is written twice. Buttons and the wheel as
 * QEMU 7.2's pointer_event(); absolute axes as qemu_input_scale_axis(x, 0,
 * size, 0, INPUT_ABS_MAX).
 */
#include <stddef.h>

#include "dm/input.h"
#include "dm/vnc_input.h"

/* set 1 code (0xe0xx folded to 0x80 | xx) -> set 2 name, built on first use. */
static uint16_t qnum_map[256];
static bool qnum_built;

static void build_qnum_map(void)
{
	for (unsigned i = 0; i < 512; i++) {
		uint16_t key = (uint16_t)(i < 256 ? i : 0xe000 | (i - 256));
		const struct input_keydef *d = input_keydef(key);
		unsigned q;

		if (!d || !d->set1)
			continue;
		if ((d->set1 & 0xff00) == 0xe000)
			q = 0x80 | (d->set1 & 0x7f);
		else if (d->set1 < 0x80)
			q = d->set1;
		else
			continue;
		if (!qnum_map[q])
			qnum_map[q] = d->set2;
	}
	qnum_built = true;
}

uint16_t vnc_qnum_to_key(uint32_t qnum)
{
	if (!qnum_built)
		build_qnum_map();
	return qnum < 256 ? qnum_map[qnum] : 0;
}

unsigned vnc_buttons(unsigned m)
{
	return (m & RFB_BTN_LEFT ? INPUT_BTN_LEFT : 0) |
	       (m & RFB_BTN_MIDDLE ? INPUT_BTN_MIDDLE : 0) |
	       (m & RFB_BTN_RIGHT ? INPUT_BTN_RIGHT : 0);
}

int vnc_wheel(unsigned old, unsigned now)
{
	unsigned pressed = now & ~old;

	if (pressed & RFB_BTN_WHEEL_DOWN)
		return 1;
	if (pressed & RFB_BTN_WHEEL_UP)
		return -1;
	return 0;
}

unsigned vnc_abs_scale(unsigned v, unsigned size)
{
	uint64_t r;

	if (size < 1)
		return INPUT_ABS_MAX / 2;
	r = (uint64_t)v * INPUT_ABS_MAX / size;
	return r > INPUT_ABS_MAX ? INPUT_ABS_MAX : (unsigned)r;
}

static int held_index(uint16_t key)
{
	if (key < 0x100)
		return key;
	if ((key & 0xff00) == 0xe000)
		return 256 + (key & 0xff);
	return -1;
}

bool vnc_held_set(struct vnc_held *h, uint16_t key, bool down)
{
	int i = held_index(key);

	if (i < 0)
		return false;
	if (down)
		h->bits[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		h->bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
	return true;
}

uint16_t vnc_held_next(const struct vnc_held *h, unsigned *pos)
{
	for (; *pos < 512; (*pos)++) {
		unsigned i = *pos;

		if (h->bits[i / 8] & (1u << (i % 8))) {
			(*pos)++;
			return (uint16_t)(i < 256 ? i : 0xe000 | (i - 256));
		}
	}
	return 0;
}
