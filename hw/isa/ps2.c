// SPDX-License-Identifier: GPL-2.0-only
/*
 * PS/2 keyboard (IBM MF-II, "AT enhanced") and PS/2 mouse (with the
 * Microsoft IntelliMouse and IntelliMouse Explorer extensions).
 *
 * Followed: IBM PS/2 Hardware Interface Technical Reference, "Keyboard/
 * Auxiliary Device Controller" and "Keyboard" chapters (commands 0xed-0xff,
 * replies 0xfa ACK, 0xaa BAT passed, 0xfe resend, ID 0xab 0x83); the PS/2
 * mouse protocol (commands 0xe6-0xff, 3-byte packets: buttons, sign bits,
 * bit 3 always set; the IntelliMouse 4th byte, unlocked by the sample-rate
 * sequences 200,100,80 -> ID 3 and 200,200,80 -> ID 4). Where the hardware
 * and QEMU (hw/input/ps2.c) differ, this does what QEMU does, because guests
 * moving from qemu-xen must read the same bytes:
 *  - the queue holds 16 bytes of device data, plus up to 3 command-reply
 *    bytes placed in front of queued scancodes; a full queue drops what
 *    does not fit (a mouse packet is dropped whole);
 *  - unknown keyboard commands answer 0xfe, 0xfe itself included (no
 *    retransmission of the last byte); unknown mouse commands are ignored;
 *  - a byte written while a keyboard command waits for its argument is that
 *    argument, whatever its value;
 *  - motion beyond +-127 is sent as several packets, never with the
 *    overflow bits set; 2:1 scaling is stored and reported, not applied.
 * Left out: typematic repeat (the display sends repeats itself), the
 * horizontal wheel of the Explorer protocol.
 */
#include "hw/isa/ps2.h"

#include <stddef.h>

#include "dm/input.h"
#include "dm/log.h"

#define PS2_ACK	   0xfa
#define PS2_RESEND 0xfe
#define PS2_BAT_OK 0xaa

/* Keyboard commands (IBM PS/2 Technical Reference, keyboard chapter). */
#define KBD_CMD_SET_LEDS       0xed
#define KBD_CMD_ECHO	       0xee
#define KBD_CMD_SCANCODE       0xf0
#define KBD_CMD_GET_ID	       0xf2
#define KBD_CMD_SET_RATE       0xf3
#define KBD_CMD_ENABLE	       0xf4
#define KBD_CMD_RESET_DISABLE  0xf5
#define KBD_CMD_RESET_ENABLE   0xf6
#define KBD_CMD_SET_TYPEMATIC  0xfa
#define KBD_CMD_SET_MAKE_BREAK 0xfc
#define KBD_CMD_RESET	       0xff

#define KBD_ID_1 0xab
#define KBD_ID_2 0x83

/* Mouse commands. */
#define AUX_SET_SCALE11 0xe6
#define AUX_SET_SCALE21 0xe7
#define AUX_SET_RES	0xe8
#define AUX_GET_SCALE	0xe9 /* status request */
#define AUX_SET_STREAM	0xea
#define AUX_POLL	0xeb /* read data */
#define AUX_RESET_WRAP	0xec
#define AUX_SET_WRAP	0xee
#define AUX_SET_REMOTE	0xf0
#define AUX_GET_TYPE	0xf2
#define AUX_SET_SAMPLE	0xf3
#define AUX_ENABLE_DEV	0xf4
#define AUX_DISABLE_DEV 0xf5
#define AUX_SET_DEFAULT 0xf6
#define AUX_RESET	0xff

#define PS2_MOD_CTRL_L	0x01
#define PS2_MOD_SHIFT_L 0x02
#define PS2_MOD_ALT_L	0x04
#define PS2_MOD_CTRL_R	0x08
#define PS2_MOD_SHIFT_R 0x10
#define PS2_MOD_ALT_R	0x20

/*
 * The 8042's set 2 -> set 1 translation (command byte bit 6). A break
 * (0xf0 prefix) becomes the translated make code with bit 7 set.
 */
static const uint8_t translate_table[256] = {
	0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29,
	0x59, 0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11,
	0x03, 0x5b, 0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14,
	0x13, 0x06, 0x5d, 0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24,
	0x16, 0x08, 0x09, 0x5f, 0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35,
	0x26, 0x27, 0x19, 0x0c, 0x61, 0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36,
	0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76, 0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c,
	0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f, 0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45,
	0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54, 0x80, 0x81, 0x82, 0x41, 0x54, 0x85, 0x86,
	0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95,
	0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4,
	0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
	0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1, 0xc2,
	0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1,
	0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0,
	0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
	0xff,
};

/* ---------------------------------------------------------------- queue */

#define RING(i) ((i) & (PS2_BUFFER_SIZE - 1))

static void raise_irq(struct ps2_port *p)
{
	p->irq(p->opaque, true);
}

static void queue_reset(struct ps2_port *p)
{
	p->q.rptr = 0;
	p->q.wptr = 0;
	p->q.cwptr = -1;
	p->q.count = 0;
}

bool ps2_queue_empty(const struct ps2_port *p)
{
	return p->q.count == 0;
}

static void queue_noirq(struct ps2_port *p, uint8_t b)
{
	if (p->q.count >= PS2_QUEUE_SIZE)
		return;
	p->q.data[p->q.wptr] = b;
	p->q.wptr = RING(p->q.wptr + 1);
	p->q.count++;
}

/* All n bytes, or none when they do not fit. */
static void queue_n(struct ps2_port *p, const uint8_t *b, int n)
{
	int i;

	if (PS2_QUEUE_SIZE - p->q.count < n)
		return;
	for (i = 0; i < n; i++)
		queue_noirq(p, b[i]);
	raise_irq(p);
}

void ps2_queue(struct ps2_port *p, uint8_t b)
{
	queue_n(p, &b, 1);
}

/* Command replies go in front of the queued data (n <= 3, never refused). */
static void cqueue_n(struct ps2_port *p, const uint8_t *b, int n)
{
	struct ps2_queue *q = &p->q;
	int i;

	q->rptr = RING(q->rptr - n);
	q->cwptr = q->rptr;
	for (i = 0; i < n; i++) {
		q->data[q->cwptr] = b[i];
		q->cwptr = RING(q->cwptr + 1);
		q->count++;
	}
	raise_irq(p);
}

static void cqueue_1(struct ps2_port *p, uint8_t b)
{
	cqueue_n(p, &b, 1);
}

/* A new command: replies to the previous one that were not read are dropped. */
static void cqueue_reset(struct ps2_port *p)
{
	struct ps2_queue *q = &p->q;

	if (q->cwptr == -1)
		return;
	q->count -= RING(q->cwptr - q->rptr);
	q->rptr = q->cwptr;
	q->cwptr = -1;
}

uint8_t ps2_read(struct ps2_port *p)
{
	struct ps2_queue *q = &p->q;
	uint8_t val;

	if (q->count == 0)
		return q->data[RING(q->rptr - 1)];
	val = q->data[q->rptr];
	q->rptr = RING(q->rptr + 1);
	q->count--;
	if (q->rptr == q->cwptr)
		q->cwptr = -1;
	p->irq(p->opaque, false);
	if (q->count)
		raise_irq(p);
	return val;
}

static void port_init(struct ps2_port *p, void (*irq)(void *, bool), void *opaque)
{
	p->irq = irq;
	p->opaque = opaque;
	p->write_cmd = -1;
	queue_reset(p);
}

static void port_reset(struct ps2_port *p)
{
	p->write_cmd = -1;
	queue_reset(p);
	p->irq(p->opaque, false);
}

/* ---------------------------------------------------------------- keyboard */

/* One scancode byte of the current set; the controller's translation applies here. */
static void put_keycode(struct ps2_kbd *k, uint8_t code)
{
	if (!k->translate) {
		ps2_queue(&k->p, code);
	} else if (code == 0xf0) {
		k->need_high_bit = true;
	} else if (k->need_high_bit) {
		ps2_queue(&k->p, translate_table[code] | 0x80);
		k->need_high_bit = false;
	} else {
		ps2_queue(&k->p, translate_table[code]);
	}
}

static void put_seq(struct ps2_kbd *k, const uint8_t *seq, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		put_keycode(k, seq[i]);
}

static const struct {
	uint16_t key;
	uint8_t mod;
} modifier_keys[] = {
	{ 0x0014, PS2_MOD_CTRL_L },  { 0xe014, PS2_MOD_CTRL_R }, { 0x0012, PS2_MOD_SHIFT_L },
	{ 0x0059, PS2_MOD_SHIFT_R }, { 0x0011, PS2_MOD_ALT_L },	 { 0xe011, PS2_MOD_ALT_R },
};

static uint8_t modifier_bit(uint16_t key)
{
	size_t i;

	for (i = 0; i < sizeof(modifier_keys) / sizeof(modifier_keys[0]); i++)
		if (modifier_keys[i].key == key)
			return modifier_keys[i].mod;
	return 0;
}

/*
 * Pause and Print Screen in sets 1 and 2: sequences that depend on the
 * modifiers held (IBM Technical Reference, keyboard scan code tables).
 * Rows are tried in order; mods 0 matches anything. An empty sequence
 * sends nothing (Pause has no break code).
 */
struct special_seq {
	uint16_t key;
	uint8_t set;
	uint8_t mods;
	uint8_t make_len, break_len;
	uint8_t make[8], brk[8];
};

#define CTRL_ANY  (PS2_MOD_CTRL_L | PS2_MOD_CTRL_R)
#define SHIFT_CTL (PS2_MOD_SHIFT_L | PS2_MOD_CTRL_L | PS2_MOD_SHIFT_R | PS2_MOD_CTRL_R)

static const struct special_seq special_seqs[] = {
	{ INPUT_KEY_PAUSE, 1, CTRL_ANY, 4, 0, { 0xe0, 0x46, 0xe0, 0xc6 }, { 0 } },
	{ INPUT_KEY_PAUSE, 1, 0, 6, 0, { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 }, { 0 } },
	{ INPUT_KEY_PAUSE, 2, CTRL_ANY, 5, 0, { 0xe0, 0x7e, 0xe0, 0xf0, 0x7e }, { 0 } },
	{ INPUT_KEY_PAUSE, 2, 0, 8, 0, { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 }, { 0 } },
	{ INPUT_KEY_PRINT, 1, PS2_MOD_ALT_L, 3, 3, { 0xb8, 0x38, 0x54 }, { 0xd4, 0xb8, 0x38 } },
	{ INPUT_KEY_PRINT,
	  1,
	  PS2_MOD_ALT_R,
	  5,
	  5,
	  { 0xe0, 0xb8, 0xe0, 0x38, 0x54 },
	  { 0xd4, 0xe0, 0xb8, 0xe0, 0x38 } },
	{ INPUT_KEY_PRINT, 1, SHIFT_CTL, 2, 2, { 0xe0, 0x37 }, { 0xe0, 0xb7 } },
	{ INPUT_KEY_PRINT, 1, 0, 4, 4, { 0xe0, 0x2a, 0xe0, 0x37 }, { 0xe0, 0xb7, 0xe0, 0xaa } },
	{ INPUT_KEY_PRINT,
	  2,
	  PS2_MOD_ALT_L,
	  4,
	  5,
	  { 0xf0, 0x11, 0x11, 0x84 },
	  { 0xf0, 0x84, 0xf0, 0x11, 0x11 } },
	{ INPUT_KEY_PRINT,
	  2,
	  PS2_MOD_ALT_R,
	  6,
	  7,
	  { 0xe0, 0xf0, 0x11, 0xe0, 0x11, 0x84 },
	  { 0xf0, 0x84, 0xe0, 0xf0, 0x11, 0xe0, 0x11 } },
	{ INPUT_KEY_PRINT, 2, SHIFT_CTL, 2, 3, { 0xe0, 0x7c }, { 0xe0, 0xf0, 0x7c } },
	{ INPUT_KEY_PRINT,
	  2,
	  0,
	  4,
	  6,
	  { 0xe0, 0x12, 0xe0, 0x7c },
	  { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 } },
};

static bool special_key(struct ps2_kbd *k, uint16_t key, bool down)
{
	size_t i;

	for (i = 0; i < sizeof(special_seqs) / sizeof(special_seqs[0]); i++) {
		const struct special_seq *s = &special_seqs[i];

		if (s->key != key || s->set != k->scancode_set)
			continue;
		if (s->mods && !(k->modifiers & s->mods))
			continue;
		if (down)
			put_seq(k, s->make, s->make_len);
		else
			put_seq(k, s->brk, s->break_len);
		return true;
	}
	return false;
}

static void key_set1(struct ps2_kbd *k, const struct input_keydef *d, bool down)
{
	if (d->set1 > 0xff)
		put_keycode(k, d->set1 >> 8);
	put_keycode(k, (d->set1 & 0xff) | (down ? 0 : 0x80));
}

static void key_set2(struct ps2_kbd *k, const struct input_keydef *d, bool down)
{
	if (d->set2 > 0xff)
		put_keycode(k, d->set2 >> 8);
	if (!down)
		put_keycode(k, 0xf0);
	put_keycode(k, d->set2 & 0xff);
}

static void key_set3(struct ps2_kbd *k, const struct input_keydef *d, bool down)
{
	if (!down)
		put_keycode(k, 0xf0);
	put_keycode(k, d->set3);
}

void ps2_kbd_key(struct ps2_kbd *k, uint16_t key, bool down)
{
	const struct input_keydef *d = input_keydef(key);
	uint8_t mod = modifier_bit(key);
	uint16_t code;

	/* A disabled keyboard drops keys rather than corrupt a command reply. */
	if (!k->scan_enabled || !d)
		return;
	if (down)
		k->modifiers |= mod;
	else
		k->modifiers &= ~mod;
	if (special_key(k, key, down))
		return;
	code = k->scancode_set == 1 ? d->set1 : k->scancode_set == 2 ? d->set2 : d->set3;
	if (!code) {
		dm_dbg(LOG_PS2, "ps2kbd", "key %s has no code in set %u", d->qcode,
		       k->scancode_set);
		return;
	}
	if (k->scancode_set == 1)
		key_set1(k, d, down);
	else if (k->scancode_set == 2)
		key_set2(k, d, down);
	else
		key_set3(k, d, down);
}

/* Reset as the 0xff/0xf5/0xf6 commands do it (the BAT): defaults, empty queue, LEDs off. */
static void kbd_defaults(struct ps2_kbd *k)
{
	k->scan_enabled = true;
	k->scancode_set = 2;
	queue_reset(&k->p);
	k->ledstate = 0;
}

/* Keyboard command table: the reply bytes, and what the command does first. */
typedef void (*kbd_cmd_fn)(struct ps2_kbd *k, uint8_t cmd);

static void kcmd_reply_ack(struct ps2_kbd *k, uint8_t cmd)
{
	(void)cmd;
	cqueue_1(&k->p, PS2_ACK);
}

static void kcmd_resend(struct ps2_kbd *k, uint8_t cmd)
{
	(void)cmd;
	cqueue_1(&k->p, PS2_RESEND);
}

static void kcmd_get_id(struct ps2_kbd *k, uint8_t cmd)
{
	/* Translated, the second ID byte is 0x41 (0x83 through the 8042 table). */
	uint8_t r[3] = { PS2_ACK, KBD_ID_1, k->translate ? 0x41 : KBD_ID_2 };

	(void)cmd;
	cqueue_n(&k->p, r, 3);
}

static void kcmd_echo(struct ps2_kbd *k, uint8_t cmd)
{
	(void)cmd;
	cqueue_1(&k->p, KBD_CMD_ECHO);
}

static void kcmd_enable(struct ps2_kbd *k, uint8_t cmd)
{
	k->scan_enabled = true;
	kcmd_reply_ack(k, cmd);
}

static void kcmd_with_arg(struct ps2_kbd *k, uint8_t cmd)
{
	k->p.write_cmd = cmd;
	cqueue_1(&k->p, PS2_ACK);
}

static void kcmd_reset_disable(struct ps2_kbd *k, uint8_t cmd)
{
	kbd_defaults(k);
	k->scan_enabled = false;
	kcmd_reply_ack(k, cmd);
}

static void kcmd_reset_enable(struct ps2_kbd *k, uint8_t cmd)
{
	kbd_defaults(k);
	kcmd_reply_ack(k, cmd);
}

static void kcmd_reset(struct ps2_kbd *k, uint8_t cmd)
{
	static const uint8_t r[2] = { PS2_ACK, PS2_BAT_OK };

	(void)cmd;
	kbd_defaults(k);
	cqueue_n(&k->p, r, 2);
}

static const kbd_cmd_fn kbd_cmds[256] = {
	[0x00] = kcmd_reply_ack,
	[KBD_CMD_SET_LEDS] = kcmd_with_arg,
	[KBD_CMD_ECHO] = kcmd_echo,
	[KBD_CMD_SCANCODE] = kcmd_with_arg,
	[KBD_CMD_GET_ID] = kcmd_get_id,
	[KBD_CMD_SET_RATE] = kcmd_with_arg,
	[KBD_CMD_ENABLE] = kcmd_enable,
	[KBD_CMD_RESET_DISABLE] = kcmd_reset_disable,
	[KBD_CMD_RESET_ENABLE] = kcmd_reset_enable,
	[KBD_CMD_SET_TYPEMATIC] = kcmd_reply_ack,
	[KBD_CMD_SET_MAKE_BREAK] = kcmd_with_arg,
	[KBD_CMD_RESET] = kcmd_reset,
};

/* The argument byte of a command that takes one. */
static void kbd_arg(struct ps2_kbd *k, uint8_t val)
{
	switch (k->p.write_cmd) {
	case KBD_CMD_SCANCODE:
		if (val == 0) {
			uint8_t set = k->scancode_set;
			uint8_t r[2] = { PS2_ACK, k->translate ? translate_table[set] : set };

			cqueue_n(&k->p, r, 2);
		} else if (val <= 3) {
			k->scancode_set = val;
			cqueue_1(&k->p, PS2_ACK);
		} else {
			cqueue_1(&k->p, PS2_RESEND);
		}
		break;
	case KBD_CMD_SET_LEDS:
		k->ledstate = val;
		cqueue_1(&k->p, PS2_ACK);
		break;
	default: /* set rate, set make/break: the argument is taken, not used */
		cqueue_1(&k->p, PS2_ACK);
		break;
	}
	k->p.write_cmd = -1;
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t val)
{
	kbd_cmd_fn fn;

	dm_dbg(LOG_PS2, "ps2kbd", "write 0x%02x (waiting: %d)", val, k->p.write_cmd);
	cqueue_reset(&k->p);
	if (k->p.write_cmd != -1) {
		kbd_arg(k, val);
		return;
	}
	fn = kbd_cmds[val];
	if (!fn) {
		guest_err("ps2kbd", "unknown keyboard command 0x%02x", val);
		fn = kcmd_resend;
	}
	fn(k, val);
}

void ps2_kbd_set_translation(struct ps2_kbd *k, bool on)
{
	k->translate = on;
}

void ps2_kbd_init(struct ps2_kbd *k, void (*irq)(void *, bool), void *opaque)
{
	*k = (struct ps2_kbd){ 0 };
	port_init(&k->p, irq, opaque);
	k->scan_enabled = true;
	k->scancode_set = 2;
}

void ps2_kbd_reset(struct ps2_kbd *k)
{
	port_reset(&k->p);
	k->scan_enabled = true;
	k->translate = false;
	k->scancode_set = 2;
	k->modifiers = 0;
}

/* ---------------------------------------------------------------- mouse */

static int clamp(int v, int lim)
{
	return v > lim ? lim : v < -lim ? -lim : v;
}

/* One movement packet (3 bytes, 4 with a wheel); false when the queue has no room. */
static bool mouse_send_packet(struct ps2_mouse *ms)
{
	int need = ms->type ? 4 : 3;
	int dx = clamp(ms->dx, 127), dy = clamp(ms->dy, 127), dz;
	uint8_t pkt[4];

	if (PS2_QUEUE_SIZE - ms->p.q.count < need)
		return false;
	/* Byte 1: Y sign, X sign, always-1, middle, right, left. */
	pkt[0] = 0x08 | (dx < 0) << 4 | (dy < 0) << 5 | (ms->buttons & 0x07);
	pkt[1] = (uint8_t)dx;
	pkt[2] = (uint8_t)dy;
	if (ms->type == 3) {
		dz = clamp(ms->dz, 127);
		pkt[3] = (uint8_t)dz;
		ms->dz -= dz;
	} else if (ms->type == 4) {
		/* Explorer: 4-bit wheel, buttons 4 and 5 in bits 4-5. */
		dz = clamp(ms->dz, 7);
		pkt[3] = (dz & 0x0f) | (ms->buttons & 0x18) << 1;
		ms->dz -= dz;
	} else {
		ms->dz = 0; /* no wheel: its movement is dropped */
	}
	queue_n(&ms->p, pkt, need);
	ms->dx -= dx;
	ms->dy -= dy;
	return true;
}

void ps2_mouse_move(struct ps2_mouse *ms, int dx, int dy, int dz, unsigned buttons)
{
	/* Reporting disabled: the movement is not even recorded. */
	if (!(ms->status & PS2_MOUSE_STATUS_ENABLED))
		return;
	/* Bounded sums: a hostile display cannot overflow the accumulators. */
	ms->dx = clamp(ms->dx + clamp(dx, 1 << 20), 1 << 24);
	ms->dy = clamp(ms->dy - clamp(dy, 1 << 20), 1 << 24);
	ms->dz = clamp(ms->dz + clamp(dz, 1 << 20), 1 << 24);
	ms->buttons = buttons & INPUT_BTN_ALL;
	if (ms->status & PS2_MOUSE_STATUS_REMOTE)
		return;
	/* Stream mode: as many packets as the motion needs and the queue takes. */
	while (mouse_send_packet(ms))
		if (ms->dx == 0 && ms->dy == 0 && ms->dz == 0)
			break;
}

/* Reset as the 0xff and 0xf6 commands do it. */
static void mouse_defaults(struct ps2_mouse *ms)
{
	ms->sample_rate = 100;
	ms->resolution = 2;
	ms->status = 0;
}

typedef void (*mouse_cmd_fn)(struct ps2_mouse *ms, uint8_t cmd);

static void ack(struct ps2_mouse *ms)
{
	ps2_queue(&ms->p, PS2_ACK);
}

static void mcmd_scale11(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->status &= ~PS2_MOUSE_STATUS_SCALE21;
	ack(ms);
}

static void mcmd_scale21(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->status |= PS2_MOUSE_STATUS_SCALE21;
	ack(ms);
}

static void mcmd_stream(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->status &= ~PS2_MOUSE_STATUS_REMOTE;
	ack(ms);
}

static void mcmd_remote(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->status |= PS2_MOUSE_STATUS_REMOTE;
	ack(ms);
}

static void mcmd_wrap(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->wrap = true;
	ack(ms);
}

static void mcmd_get_type(struct ps2_mouse *ms, uint8_t cmd)
{
	uint8_t r[2] = { PS2_ACK, ms->type };

	(void)cmd;
	queue_n(&ms->p, r, 2);
}

static void mcmd_with_arg(struct ps2_mouse *ms, uint8_t cmd)
{
	ms->p.write_cmd = cmd;
	ack(ms);
}

static void mcmd_status(struct ps2_mouse *ms, uint8_t cmd)
{
	uint8_t r[4] = { PS2_ACK, ms->status, ms->resolution, ms->sample_rate };

	(void)cmd;
	queue_n(&ms->p, r, 4);
}

static void mcmd_poll(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ack(ms);
	mouse_send_packet(ms);
}

static void mcmd_enable(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->status |= PS2_MOUSE_STATUS_ENABLED;
	ack(ms);
}

static void mcmd_disable(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	ms->status &= ~PS2_MOUSE_STATUS_ENABLED;
	ack(ms);
}

static void mcmd_defaults(struct ps2_mouse *ms, uint8_t cmd)
{
	(void)cmd;
	mouse_defaults(ms);
	ack(ms);
}

static void mcmd_reset(struct ps2_mouse *ms, uint8_t cmd)
{
	uint8_t r[3];

	(void)cmd;
	mouse_defaults(ms);
	ms->type = 0;
	queue_reset(&ms->p);
	r[0] = PS2_ACK;
	r[1] = PS2_BAT_OK;
	r[2] = ms->type; /* device ID */
	queue_n(&ms->p, r, 3);
}

static const mouse_cmd_fn mouse_cmds[256] = {
	[AUX_SET_SCALE11] = mcmd_scale11,  [AUX_SET_SCALE21] = mcmd_scale21,
	[AUX_SET_RES] = mcmd_with_arg,	   [AUX_GET_SCALE] = mcmd_status,
	[AUX_SET_STREAM] = mcmd_stream,	   [AUX_POLL] = mcmd_poll,
	[AUX_SET_WRAP] = mcmd_wrap,	   [AUX_SET_REMOTE] = mcmd_remote,
	[AUX_GET_TYPE] = mcmd_get_type,	   [AUX_SET_SAMPLE] = mcmd_with_arg,
	[AUX_ENABLE_DEV] = mcmd_enable,	   [AUX_DISABLE_DEV] = mcmd_disable,
	[AUX_SET_DEFAULT] = mcmd_defaults, [AUX_RESET] = mcmd_reset,
};

/* IntelliMouse detection: rates 200,100,80 -> type 3; 200,200,80 -> type 4. */
static void mouse_detect(struct ps2_mouse *ms, uint8_t rate)
{
	switch (ms->detect_state) {
	case 1:
		ms->detect_state = rate == 100 ? 2 : rate == 200 ? 3 : 0;
		break;
	case 2:
	case 3:
		if (rate == 80)
			ms->type = ms->detect_state == 2 ? 3 : 4;
		ms->detect_state = 0;
		break;
	default:
		ms->detect_state = rate == 200 ? 1 : 0;
		break;
	}
}

void ps2_mouse_write(struct ps2_mouse *ms, uint8_t val)
{
	mouse_cmd_fn fn;

	dm_dbg(LOG_PS2, "ps2mouse", "write 0x%02x (waiting: %d)", val, ms->p.write_cmd);
	if (ms->p.write_cmd == AUX_SET_SAMPLE) {
		ms->sample_rate = val;
		mouse_detect(ms, val);
		ms->p.write_cmd = -1;
		ack(ms);
		return;
	}
	if (ms->p.write_cmd == AUX_SET_RES) {
		ms->resolution = val;
		ms->p.write_cmd = -1;
		ack(ms);
		return;
	}
	/* Wrap (echo) mode: everything but "reset wrap" and "reset" comes back. */
	if (ms->wrap && val == AUX_RESET_WRAP) {
		ms->wrap = false;
		ack(ms);
		return;
	}
	if (ms->wrap && val != AUX_RESET) {
		ps2_queue(&ms->p, val);
		return;
	}
	fn = mouse_cmds[val];
	if (!fn) {
		guest_err("ps2mouse", "unknown mouse command 0x%02x ignored", val);
		return;
	}
	fn(ms, val);
}

void ps2_mouse_init(struct ps2_mouse *ms, void (*irq)(void *, bool), void *opaque)
{
	*ms = (struct ps2_mouse){ 0 };
	port_init(&ms->p, irq, opaque);
}

void ps2_mouse_reset(struct ps2_mouse *ms)
{
	port_reset(&ms->p);
	ms->status = 0;
	ms->resolution = 0;
	ms->sample_rate = 0;
	ms->wrap = false;
	ms->type = 0;
	ms->detect_state = 0;
	ms->dx = 0;
	ms->dy = 0;
	ms->dz = 0;
	ms->buttons = 0;
}
