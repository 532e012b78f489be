// SPDX-License-Identifier: GPL-2.0-only
/*
 * Input routing from display backends to input devices (see input.h), and
 * the key table: every key a PS/2 keyboard has, by its AT set 2 code, with
 * its set 1, set 3 and USB HID codes, QKeyCode name and X11 keysym. The
 * table data comes from keycodemapdb's keymaps.csv (the data QEMU builds
 * its qcode_to_atset1/2/3 maps from), so the scancodes a guest sees for a
 * key are QEMU's.
 */
#include "dm/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/log.h"

/* Sorted by set2 (input_keydef() searches it); one QKeyCode alias shares 0x7c. */
static const struct input_keydef keys[] = {
	{ "f9", 0x0001, 0x0043, 0x47, 66, 0xffc6 },
	{ "f5", 0x0003, 0x003f, 0x27, 62, 0xffc2 },
	{ "f3", 0x0004, 0x003d, 0x17, 60, 0xffc0 },
	{ "f1", 0x0005, 0x003b, 0x07, 58, 0xffbe },
	{ "f2", 0x0006, 0x003c, 0x0f, 59, 0xffbf },
	{ "f12", 0x0007, 0x0058, 0x5e, 69, 0xffc9 },
	{ "f10", 0x0009, 0x0044, 0x4f, 67, 0xffc7 },
	{ "f8", 0x000a, 0x0042, 0x3f, 65, 0xffc5 },
	{ "f6", 0x000b, 0x0040, 0x2f, 63, 0xffc3 },
	{ "f4", 0x000c, 0x003e, 0x1f, 61, 0xffc1 },
	{ "tab", 0x000d, 0x000f, 0x0d, 43, 0xff09 },
	{ "grave_accent", 0x000e, 0x0029, 0x0e, 53, 0x0060 },
	{ "kp_equals", 0x000f, 0x0059, 0, 103, 0xffbd },
	{ "alt", 0x0011, 0x0038, 0x19, 226, 0xffe9 },
	{ "shift", 0x0012, 0x002a, 0x12, 225, 0xffe1 },
	{ "katakanahiragana", 0x0013, 0x0070, 0x87, 136, 0xff27 },
	{ "ctrl", 0x0014, 0x001d, 0x11, 224, 0xffe3 },
	{ "q", 0x0015, 0x0010, 0x15, 20, 0x0051 },
	{ "1", 0x0016, 0x0002, 0x16, 30, 0x0031 },
	{ "z", 0x001a, 0x002c, 0x1a, 29, 0x005a },
	{ "s", 0x001b, 0x001f, 0x1b, 22, 0x0053 },
	{ "a", 0x001c, 0x001e, 0x1c, 4, 0x0041 },
	{ "w", 0x001d, 0x0011, 0x1d, 26, 0x0057 },
	{ "2", 0x001e, 0x0003, 0x1e, 31, 0x0032 },
	{ "c", 0x0021, 0x002e, 0x21, 6, 0x0043 },
	{ "x", 0x0022, 0x002d, 0x22, 27, 0x0058 },
	{ "d", 0x0023, 0x0020, 0x23, 7, 0x0044 },
	{ "e", 0x0024, 0x0012, 0x24, 8, 0x0045 },
	{ "4", 0x0025, 0x0005, 0x25, 33, 0x0034 },
	{ "3", 0x0026, 0x0004, 0x26, 32, 0x0033 },
	{ "spc", 0x0029, 0x0039, 0x29, 44, 0x0020 },
	{ "v", 0x002a, 0x002f, 0x2a, 25, 0x0056 },
	{ "f", 0x002b, 0x0021, 0x2b, 9, 0x0046 },
	{ "t", 0x002c, 0x0014, 0x2c, 23, 0x0054 },
	{ "r", 0x002d, 0x0013, 0x2d, 21, 0x0052 },
	{ "5", 0x002e, 0x0006, 0x2e, 34, 0x0035 },
	{ "f13", 0x002f, 0x005d, 0x7f, 104, 0 },
	{ "n", 0x0031, 0x0031, 0x31, 17, 0x004e },
	{ "b", 0x0032, 0x0030, 0x32, 5, 0x0042 },
	{ "h", 0x0033, 0x0023, 0x33, 11, 0x0048 },
	{ "g", 0x0034, 0x0022, 0x34, 10, 0x0047 },
	{ "y", 0x0035, 0x0015, 0x35, 28, 0x0059 },
	{ "6", 0x0036, 0x0007, 0x36, 35, 0x0036 },
	{ "f14", 0x0037, 0x005e, 0x80, 105, 0 },
	{ "m", 0x003a, 0x0032, 0x3a, 16, 0x004d },
	{ "j", 0x003b, 0x0024, 0x3b, 13, 0x004a },
	{ "u", 0x003c, 0x0016, 0x3c, 24, 0x0055 },
	{ "7", 0x003d, 0x0008, 0x3d, 36, 0x0037 },
	{ "8", 0x003e, 0x0009, 0x3e, 37, 0x0038 },
	{ "f15", 0x003f, 0x005f, 0x81, 106, 0 },
	{ "comma", 0x0041, 0x0033, 0x41, 54, 0x002c },
	{ "k", 0x0042, 0x0025, 0x42, 14, 0x004b },
	{ "i", 0x0043, 0x0017, 0x43, 12, 0x0049 },
	{ "o", 0x0044, 0x0018, 0x44, 18, 0x004f },
	{ "0", 0x0045, 0x000b, 0x45, 39, 0x0030 },
	{ "9", 0x0046, 0x000a, 0x46, 38, 0x0039 },
	{ "dot", 0x0049, 0x0034, 0x49, 55, 0x002e },
	{ "slash", 0x004a, 0x0035, 0x4a, 56, 0x002f },
	{ "l", 0x004b, 0x0026, 0x4b, 15, 0x004c },
	{ "semicolon", 0x004c, 0x0027, 0x4c, 51, 0x003b },
	{ "p", 0x004d, 0x0019, 0x4d, 19, 0x0050 },
	{ "minus", 0x004e, 0x000c, 0x4e, 45, 0x002d },
	{ "ro", 0x0051, 0x0073, 0, 135, 0 },
	{ "apostrophe", 0x0052, 0x0028, 0x52, 52, 0x0027 },
	{ "bracket_left", 0x0054, 0x001a, 0x54, 47, 0x005b },
	{ "equal", 0x0055, 0x000d, 0x55, 46, 0x003d },
	{ "caps_lock", 0x0058, 0x003a, 0x14, 57, 0xffe5 },
	{ "shift_r", 0x0059, 0x0036, 0x59, 229, 0xffe2 },
	{ "ret", 0x005a, 0x001c, 0x5a, 40, 0xff0d },
	{ "bracket_right", 0x005b, 0x001b, 0x5b, 48, 0x005d },
	{ "backslash", 0x005d, 0x002b, 0x5c, 49, 0x005c },
	{ "less", 0x0061, 0x0056, 0x13, 100, 0 },
	{ "hiragana", 0x0062, 0x0077, 0x87, 147, 0xff25 },
	{ "henkan", 0x0064, 0x0079, 0x86, 138, 0xff23 },
	{ "backspace", 0x0066, 0x000e, 0x66, 42, 0xff08 },
	{ "muhenkan", 0x0067, 0x007b, 0x85, 139, 0xff22 },
	{ "kp_1", 0x0069, 0x004f, 0x69, 89, 0xffb1 },
	{ "yen", 0x006a, 0x007d, 0x5d, 137, 0 },
	{ "kp_4", 0x006b, 0x004b, 0x6b, 92, 0xffb4 },
	{ "kp_7", 0x006c, 0x0047, 0x6c, 95, 0xffb7 },
	{ "kp_comma", 0x006d, 0x007e, 0, 133, 0 },
	{ "kp_0", 0x0070, 0x0052, 0x70, 98, 0xffb0 },
	{ "kp_decimal", 0x0071, 0x0053, 0x71, 99, 0xffae },
	{ "kp_2", 0x0072, 0x0050, 0x72, 90, 0xffb2 },
	{ "kp_5", 0x0073, 0x004c, 0x73, 93, 0xffb5 },
	{ "kp_6", 0x0074, 0x004d, 0x74, 94, 0xffb6 },
	{ "kp_8", 0x0075, 0x0048, 0x75, 96, 0xffb8 },
	{ "esc", 0x0076, 0x0001, 0x08, 41, 0xff1b },
	{ "num_lock", 0x0077, 0x0045, 0x76, 83, 0xff7f },
	{ "f11", 0x0078, 0x0057, 0x56, 68, 0xffc8 },
	{ "kp_add", 0x0079, 0x004e, 0x7c, 87, 0xffab },
	{ "kp_3", 0x007a, 0x0051, 0x7a, 91, 0xffb3 },
	{ "kp_subtract", 0x007b, 0x004a, 0x4e, 86, 0xffad },
	{ "kp_multiply", 0x007c, 0x0037, 0x7e, 85, 0xffaa },
	{ "asterisk", 0x007c, 0x0037, 0x7e, 85, 0 },
	{ "kp_9", 0x007d, 0x0049, 0x7d, 97, 0xffb9 },
	{ "scroll_lock", 0x007e, 0x0046, 0x5f, 71, 0xff14 },
	{ "sysrq", 0x007f, 0x0054, 0x57, 70, 0xff15 },
	{ "f7", 0x0083, 0x0041, 0x37, 64, 0xffc4 },
	{ "lang2", 0x00f1, 0x00f1, 0, 145, 0 },
	{ "lang1", 0x00f2, 0x00f2, 0, 144, 0 },
	{ "alt_r", 0xe011, 0xe038, 0x39, 230, 0xffea },
	{ "ctrl_r", 0xe014, 0xe01d, 0x58, 228, 0xffe4 },
	{ "audioprev", 0xe015, 0xe010, 0x94, 234, 0 },
	{ "ac_bookmarks", 0xe018, 0xe066, 0, 0, 0 },
	{ "meta_l", 0xe01f, 0xe05b, 0x8b, 227, 0xffe7 },
	{ "ac_refresh", 0xe020, 0xe067, 0, 250, 0 },
	{ "volumedown", 0xe021, 0xe02e, 0x9d, 129, 0 },
	{ "audiomute", 0xe023, 0xe020, 0x9c, 127, 0 },
	{ "meta_r", 0xe027, 0xe05c, 0x8c, 231, 0xffe8 },
	{ "stop", 0xe028, 0xe068, 0x0a, 120, 0 },
	{ "calculator", 0xe02b, 0xe021, 0xa3, 251, 0 },
	{ "compose", 0xe02f, 0xe05d, 0x8d, 101, 0 },
	{ "ac_forward", 0xe030, 0xe069, 0, 242, 0 },
	{ "volumeup", 0xe032, 0xe030, 0x95, 128, 0 },
	{ "audioplay", 0xe034, 0xe022, 0, 232, 0 },
	{ "power", 0xe037, 0xe05e, 0, 102, 0 },
	{ "ac_back", 0xe038, 0xe06a, 0, 241, 0 },
	{ "ac_home", 0xe03a, 0xe032, 0x97, 0, 0 },
	{ "audiostop", 0xe03b, 0xe024, 0x98, 233, 0 },
	{ "sleep", 0xe03f, 0xe05f, 0, 248, 0 },
	{ "computer", 0xe040, 0xe06b, 0, 0, 0 },
	{ "mail", 0xe048, 0xe06c, 0, 0, 0 },
	{ "kp_divide", 0xe04a, 0xe035, 0x4a, 84, 0xffaf },
	{ "audionext", 0xe04d, 0xe019, 0x93, 235, 0 },
	{ "mediaselect", 0xe050, 0xe06d, 0, 0, 0 },
	{ "kp_enter", 0xe05a, 0xe01c, 0x79, 88, 0xff8d },
	{ "wake", 0xe05e, 0xe063, 0, 0, 0 },
	{ "end", 0xe069, 0xe04f, 0x65, 77, 0xff57 },
	{ "left", 0xe06b, 0xe04b, 0x61, 80, 0xff51 },
	{ "home", 0xe06c, 0xe047, 0x6e, 74, 0xff50 },
	{ "insert", 0xe070, 0xe052, 0x67, 73, 0xff63 },
	{ "delete", 0xe071, 0xe053, 0x64, 76, 0xffff },
	{ "down", 0xe072, 0xe050, 0x60, 81, 0xff54 },
	{ "right", 0xe074, 0xe04d, 0x6a, 79, 0xff53 },
	{ "up", 0xe075, 0xe048, 0x63, 82, 0xff52 },
	{ "pause", 0xe077, 0xe046, 0x62, 72, 0xff13 },
	{ "pgdn", 0xe07a, 0xe051, 0x6d, 78, 0xff56 },
	{ "print", 0xe07c, 0xe037, 0x57, 70, 0 },
	{ "pgup", 0xe07d, 0xe049, 0x6f, 75, 0xff55 },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int keydef_cmp(const void *a, const void *b)
{
	const struct input_keydef *x = a, *y = b;

	return (int)x->set2 - (int)y->set2;
}

const struct input_keydef *input_keydef(uint16_t key)
{
	struct input_keydef probe = { .set2 = key };

	if (key == 0)
		return NULL;
	return bsearch(&probe, keys, NKEYS, sizeof(keys[0]), keydef_cmp);
}

uint16_t input_qcode_to_key(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].qcode, name) == 0)
			return keys[i].set2;
	return 0;
}

/*
 * Keysyms the table does not name: lower-case letters, the shifted symbols
 * of a US layout, and the keypad keysyms sent with Num Lock off. An RFB
 * client sends the keysym the user sees (Shift+1 is "exclam") together with
 * the Shift key itself, so each symbol maps to the key that carries it.
 */
static const struct {
	uint32_t keysym;
	uint16_t key;
} keysym_alias[] = {
	{ '!', 0x16 },
	{ '@', 0x1e },
	{ '#', 0x26 },
	{ '$', 0x25 },
	{ '%', 0x2e },
	{ '^', 0x36 },
	{ '&', 0x3d },
	{ '*', 0x3e },
	{ '(', 0x46 },
	{ ')', 0x45 },
	{ '_', 0x4e },
	{ '+', 0x55 },
	{ '{', 0x54 },
	{ '}', 0x5b },
	{ '|', 0x5d },
	{ ':', 0x4c },
	{ '"', 0x52 },
	{ '<', 0x41 },
	{ '>', 0x49 },
	{ '?', 0x4a },
	{ '~', 0x0e },
	{ 0xff61, INPUT_KEY_PRINT }, /* Print */
	{ 0xff15, INPUT_KEY_PRINT }, /* Sys_Req */
	{ 0xffeb, 0xe01f },	     /* Super_L */
	{ 0xffec, 0xe027 },	     /* Super_R */
	{ 0xff67, 0xe02f },	     /* Menu */
	{ 0xfe03, 0xe011 },	     /* ISO_Level3_Shift (AltGr) */
	{ 0xff95, 0x6c },	     /* KP_Home */
	{ 0xff96, 0x6b },	     /* KP_Left */
	{ 0xff97, 0x75 },	     /* KP_Up */
	{ 0xff98, 0x74 },	     /* KP_Right */
	{ 0xff99, 0x72 },	     /* KP_Down */
	{ 0xff9a, 0x7d },	     /* KP_Prior */
	{ 0xff9b, 0x7a },	     /* KP_Next */
	{ 0xff9c, 0x69 },	     /* KP_End */
	{ 0xff9d, 0x73 },	     /* KP_Begin */
	{ 0xff9e, 0x70 },	     /* KP_Insert */
	{ 0xff9f, 0x71 },	     /* KP_Delete */
};

uint16_t input_keysym_to_key(uint32_t keysym)
{
	size_t i;

	if (keysym >= 'a' && keysym <= 'z')
		keysym -= 'a' - 'A';
	if (keysym == 0)
		return 0;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].keysym == keysym)
			return keys[i].set2;
	for (i = 0; i < sizeof(keysym_alias) / sizeof(keysym_alias[0]); i++)
		if (keysym_alias[i].keysym == keysym)
			return keysym_alias[i].key;
	return 0;
}

/*
 * The routing table. One guest per process, but tests build several
 * machines, so every entry names its machine. "First" is the lowest rank:
 * registration ranks after everything so far, activation before.
 */
#define INPUT_MAX_HANDLERS 32

struct input_slot {
	struct machine *m;
	const struct input_handler *h;
	void *opaque;
	int64_t rank;
};

static struct input_slot slots[INPUT_MAX_HANDLERS];
static int64_t rank_back, rank_front;
static uint64_t dropped;

static bool handler_ok(const struct input_handler *h)
{
	if (!h || !h->mask || (h->mask & ~(INPUT_MASK_KEY | INPUT_MASK_REL | INPUT_MASK_ABS)))
		return false;
	if ((h->mask & INPUT_MASK_KEY) && !h->key)
		return false;
	if ((h->mask & INPUT_MASK_REL) && !h->rel)
		return false;
	return !(h->mask & INPUT_MASK_ABS) || h->abs;
}

int input_register(struct machine *m, const struct input_handler *h, void *opaque)
{
	int i;

	if (!m || !handler_ok(h))
		return -EINVAL;
	for (i = 0; i < INPUT_MAX_HANDLERS; i++) {
		if (slots[i].h)
			continue;
		slots[i] = (struct input_slot){ m, h, opaque, ++rank_back };
		return i;
	}
	dm_err("input", "no room for input handler %s", h->name ? h->name : "?");
	return -ENOSPC;
}

void input_unregister(int handle)
{
	if (handle >= 0 && handle < INPUT_MAX_HANDLERS)
		slots[handle] = (struct input_slot){ 0 };
}

void input_activate(int handle)
{
	if (handle >= 0 && handle < INPUT_MAX_HANDLERS && slots[handle].h)
		slots[handle].rank = --rank_front;
}

static struct input_slot *first(struct machine *m, unsigned mask)
{
	struct input_slot *best = NULL;
	int i;

	for (i = 0; i < INPUT_MAX_HANDLERS; i++) {
		struct input_slot *s = &slots[i];

		if (s->h && s->m == m && (s->h->mask & mask) && (!best || s->rank < best->rank))
			best = s;
	}
	return best;
}

void input_key(struct machine *m, uint16_t key, bool down)
{
	struct input_slot *s = first(m, INPUT_MASK_KEY);

	if (!s || !input_keydef(key)) {
		dropped++;
		return;
	}
	s->h->key(s->opaque, key, down);
}

void input_pointer_rel(struct machine *m, int dx, int dy, int dz, unsigned buttons)
{
	struct input_slot *s = first(m, INPUT_MASK_REL);

	if (!s) {
		dropped++;
		return;
	}
	s->h->rel(s->opaque, dx, dy, dz, buttons & INPUT_BTN_ALL);
}

void input_pointer_abs(struct machine *m, unsigned x, unsigned y, int dz, unsigned buttons)
{
	struct input_slot *s = first(m, INPUT_MASK_ABS);

	if (!s) {
		dropped++;
		return;
	}
	if (x > INPUT_ABS_MAX)
		x = INPUT_ABS_MAX;
	if (y > INPUT_ABS_MAX)
		y = INPUT_ABS_MAX;
	s->h->abs(s->opaque, x, y, dz, buttons & INPUT_BTN_ALL);
}

unsigned input_leds(struct machine *m)
{
	struct input_slot *s = first(m, INPUT_MASK_KEY);

	return s && s->h->leds ? s->h->leds(s->opaque) & 0x7 : 0;
}

bool input_pointer_absolute(struct machine *m)
{
	struct input_slot *s = first(m, INPUT_MASK_REL | INPUT_MASK_ABS);

	return s && (s->h->mask & INPUT_MASK_ABS);
}

uint64_t input_dropped(void)
{
	return dropped;
}
