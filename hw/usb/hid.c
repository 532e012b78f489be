// SPDX-License-Identifier: GPL-2.0-only
/*
 * USB HID functions as QEMU 7.2 presents them: usb-tablet (absolute
 * pointer), usb-mouse (relative, boot protocol) and usb-kbd (boot
 * keyboard), each one interface with one interrupt IN endpoint 0x81.
 *
 * Descriptors, strings and report descriptors are the bytes QEMU's
 * dev-hid.c gives, so a guest that knew the device under qemu-xen binds
 * the same drivers (the tablet's, as Linux read it under qemu-xen, is in
 * shared/docs/qemu-xen-golden/pci-a.log). usb_version=2 (the default, as in
 * QEMU) reports bcdUSB 2.00 with a device qualifier and an other-speed
 * configuration; usb_version=1 is a plain USB 1.1 device. The serial
 * number is "42" on -machine xenfv (QEMU's pc-i440fx-3.1 compatibility
 * value that xenfv inherits), otherwise "<base>-<controller>-<port>", as
 * QEMU's usb_desc_create_serial builds it; serial= overrides both.
 *
 * Class requests (HID 1.11 §7.2): GET_REPORT, SET_REPORT (the keyboard's
 * LEDs, §7.2.2 and appendix B.1), GET/SET_IDLE (§7.2.3/§7.2.4: the idle
 * rate in 4 ms units, a report repeats when it elapses), GET/SET_PROTOCOL
 * (§7.2.5/§7.2.6, boot devices only; the boot reports of appendix B are the
 * report-protocol ones here, as in QEMU). Input comes from dm/input.h; a
 * pointer device takes the pointer (input_activate) when the guest polls
 * its endpoint or sets its idle rate, as QEMU's hid_pointer_activate does;
 * the keyboard takes the keys when it is created, as QEMU's hid_init.
 *
 * The event queues hold 16 entries, as QEMU's: pointer motion without a
 * button change merges into the newest queued event; a full queue keeps
 * only the newest position. Differences from QEMU: a key event is one
 * queue entry (QEMU queues its PS/2 scancodes and spends one identical
 * report on each 0xe0 prefix); remote wakeup follows SET_FEATURE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/device.h"
#include "dm/input.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/usb/usb.h"

#define HID_QUEUE    16
#define HID_KEYS_MAX 32 /* keys held at once (QEMU's kbd.key[]) */

/* HID 1.11 §7.2 class requests, bmRequestType << 8 | bRequest. */
#define HID_GET_REPORT	   0xa101
#define HID_GET_IDLE	   0xa102
#define HID_GET_PROTOCOL   0xa103
#define HID_SET_REPORT	   0x2109
#define HID_SET_IDLE	   0x210a
#define HID_SET_PROTOCOL   0x210b
#define HID_GET_IFACE_DESC 0x8106 /* GET_DESCRIPTOR to the interface (§7.1.1) */
#define HID_DT_REPORT	   0x22

/* HID output report bits of a boot keyboard (HID 1.11 appendix B.1). */
#define HID_LED_NUM    0x01
#define HID_LED_CAPS   0x02
#define HID_LED_SCROLL 0x04

#define HID_USAGE_ROLLOVER 0x01 /* ErrorRollOver (HID Usage Tables §10) */
#define HID_IDLE_UNIT_NS   4000000ull

enum hid_kind { HID_TABLET, HID_MOUSE, HID_KEYBOARD };

struct hid_ptr_ev {
	int32_t xdx, ydy, dz;
	uint8_t buttons;
};

struct usb_hid {
	struct usb_dev usb; /* first: the core hands it back to the hooks */
	struct dm_dev *dev;
	struct machine *m;
	enum hid_kind kind;
	int input;	  /* input_register handle, -1: none */
	bool activated;	  /* this pointer took the pointer events */
	uint8_t protocol; /* 0 boot, 1 report */
	uint8_t idle;	  /* 4 ms units, 0: report only on change */
	bool idle_pending;
	struct timer idle_timer;
	bool timer_ready;
	uint64_t idle_left; /* load to post_load: ns to the idle report, UINT64_MAX: none */
	uint8_t head, n;    /* the queue (pointer events or key events) */
	struct hid_ptr_ev ptr[HID_QUEUE];
	uint16_t keyq[HID_QUEUE]; /* usage | 0x100 when pressed */
	uint8_t modifiers;
	uint8_t nkeys;
	uint8_t keys[HID_KEYS_MAX];
	uint8_t leds; /* HID_LED_* as the guest set them */
	uint8_t device_desc[18];
	struct usb_descs descs;
};

/* ---------------------------------------------------------------- descriptors (QEMU's) */

enum {
	STR_MANUFACTURER = 1,
	STR_PRODUCT_MOUSE,
	STR_PRODUCT_TABLET,
	STR_PRODUCT_KEYBOARD,
	STR_SERIAL_COMPAT,
	STR_CONFIG_MOUSE,
	STR_CONFIG_TABLET,
	STR_CONFIG_KEYBOARD,
	STR_SERIAL_MOUSE,
	STR_SERIAL_TABLET,
	STR_SERIAL_KEYBOARD,
	STR_COUNT,
};

static const char *const hid_strings[STR_COUNT] = {
	[STR_MANUFACTURER] = "QEMU",
	[STR_PRODUCT_MOUSE] = "QEMU USB Mouse",
	[STR_PRODUCT_TABLET] = "QEMU USB Tablet",
	[STR_PRODUCT_KEYBOARD] = "QEMU USB Keyboard",
	[STR_SERIAL_COMPAT] = "42",
	[STR_CONFIG_MOUSE] = "HID Mouse",
	[STR_CONFIG_TABLET] = "HID Tablet",
	[STR_CONFIG_KEYBOARD] = "HID Keyboard",
	[STR_SERIAL_MOUSE] = "89126",
	[STR_SERIAL_TABLET] = "28754",
	[STR_SERIAL_KEYBOARD] = "68284",
};

/* Configuration, interface, HID and endpoint descriptors (USB 2.0 §9.6.3-§9.6.6, HID §6.2.1). */
#define CONFIG(type, istr, subclass, proto, bcdhid, rlen, maxp, interval)                         \
	{                                                                                         \
		9, type, 34, 0, 1, 1, istr, 0xa0, 50, 9, 4, 0, 0, 1, 3, subclass, proto, 0, 9,    \
		    0x21, (bcdhid)&0xff, (bcdhid) >> 8, 0, 1, HID_DT_REPORT, rlen, 0, 7, 5, 0x81, \
		    3, maxp, 0, interval                                                          \
	}

struct hid_kind_desc {
	const char *product;
	uint8_t iproduct, iserial;
	uint8_t config[34], other_speed[34];
	const uint8_t *report;
	size_t report_len;
	unsigned mask; /* INPUT_MASK_* */
};

static const uint8_t tablet_report[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09, 0x19, 0x01, 0x29,
	0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05,
	0x81, 0x01, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15, 0x00, 0x26, 0xff, 0x7f, 0x35, 0x00,
	0x46, 0xff, 0x7f, 0x75, 0x10, 0x95, 0x02, 0x81, 0x02, 0x05, 0x01, 0x09, 0x38, 0x15, 0x81,
	0x25, 0x7f, 0x35, 0x00, 0x45, 0x00, 0x75, 0x08, 0x95, 0x01, 0x81, 0x06, 0xc0, 0xc0,
};

static const uint8_t mouse_report[] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09, 0x19,
	0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02,
	0x95, 0x01, 0x75, 0x05, 0x81, 0x01, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09,
	0x38, 0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x03, 0x81, 0x06, 0xc0, 0xc0,
};

static const uint8_t keyboard_report[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x75, 0x01, 0x95, 0x08, 0x05, 0x07, 0x19,
	0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08,
	0x81, 0x01, 0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91,
	0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00,
	0x25, 0xff, 0x05, 0x07, 0x19, 0x00, 0x29, 0xff, 0x81, 0x00, 0xc0,
};

static const struct hid_kind_desc kinds[] = {
	[HID_TABLET] = { "QEMU USB Tablet", STR_PRODUCT_TABLET, STR_SERIAL_TABLET,
			 CONFIG(2, STR_CONFIG_TABLET, 0, 0, 0x0001, 74, 8, 10),
			 CONFIG(7, STR_CONFIG_TABLET, 0, 0, 0x0001, 74, 8, 4), tablet_report,
			 sizeof(tablet_report), INPUT_MASK_ABS },
	[HID_MOUSE] = { "QEMU USB Mouse", STR_PRODUCT_MOUSE, STR_SERIAL_MOUSE,
			CONFIG(2, STR_CONFIG_MOUSE, 1, 2, 0x0001, 52, 4, 10),
			CONFIG(7, STR_CONFIG_MOUSE, 1, 2, 0x0001, 52, 4, 7), mouse_report,
			sizeof(mouse_report), INPUT_MASK_REL },
	[HID_KEYBOARD] = { "QEMU USB Keyboard", STR_PRODUCT_KEYBOARD, STR_SERIAL_KEYBOARD,
			   CONFIG(2, STR_CONFIG_KEYBOARD, 1, 1, 0x0111, 0x3f, 8, 10),
			   CONFIG(7, STR_CONFIG_KEYBOARD, 1, 1, 0x0111, 0x3f, 8, 7),
			   keyboard_report, sizeof(keyboard_report), INPUT_MASK_KEY },
};

/* The device qualifier of a usb_version=2 device: the high-speed side (USB 2.0 §9.6.2). */
static const uint8_t qualifier[10] = { 10, 6, 0x00, 0x02, 0, 0, 0, 64, 1, 0 };

static void build_device_desc(struct usb_hid *s, unsigned usb_version)
{
	const struct hid_kind_desc *k = &kinds[s->kind];
	const uint8_t d[18] = {
		18,
		1,
		0x00,
		(uint8_t)usb_version,
		0,
		0,
		0,
		8,
		0x27,
		0x06,
		0x01,
		0x00,
		0,
		0,
		STR_MANUFACTURER,
		k->iproduct,
		k->iserial,
		1,
	};

	memcpy(s->device_desc, d, sizeof(d));
	s->descs = (struct usb_descs){
		.device = s->device_desc,
		.config = k->config,
		.config_len = sizeof(k->config),
		.qualifier = usb_version == 2 ? qualifier : NULL,
		.other_speed = usb_version == 2 ? k->other_speed : NULL,
		.other_speed_len = sizeof(k->other_speed),
		.strings = hid_strings,
		.nstrings = STR_COUNT,
		.serial_index = k->iserial,
		.msos = true,
	};
}

/* ---------------------------------------------------------------- reports */

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void set_next_idle(struct usb_hid *s)
{
	if (!s->timer_ready)
		return;
	if (s->idle)
		timer_mod(&s->idle_timer, loop_now(s->m->loop) + s->idle * HID_IDLE_UNIT_NS);
	else
		timer_del(&s->idle_timer);
}

static void activate(struct usb_hid *s)
{
	if (s->kind != HID_KEYBOARD && !s->activated && s->input >= 0) {
		input_activate(s->input);
		s->activated = true;
	}
}

/* The next pointer report (QEMU's hid_pointer_poll): the oldest event, or the last one again. */
static size_t pointer_poll(struct usb_hid *s, uint8_t *buf, size_t len)
{
	struct hid_ptr_ev *e = &s->ptr[(s->n ? s->head : s->head + HID_QUEUE - 1) % HID_QUEUE];
	uint8_t r[6];
	int dx, dy, dz;
	size_t l;

	s->idle_pending = false;
	activate(s);
	dx = e->xdx;
	dy = e->ydy;
	if (s->kind == HID_MOUSE) {
		dx = clamp(dx, -127, 127);
		dy = clamp(dy, -127, 127);
		e->xdx -= dx;
		e->ydy -= dy;
	}
	dz = clamp(e->dz, -127, 127);
	e->dz -= dz;
	if (s->n && !e->dz && (s->kind == HID_TABLET || (!e->xdx && !e->ydy))) {
		s->head = (uint8_t)((s->head + 1) % HID_QUEUE);
		s->n--;
	}
	/* The report's wheel counts away from the user (input.h's dz: towards). */
	dz = -dz;
	r[0] = e->buttons;
	if (s->kind == HID_MOUSE) {
		r[1] = (uint8_t)dx;
		r[2] = (uint8_t)dy;
		r[3] = (uint8_t)dz;
		l = 4;
	} else {
		r[1] = (uint8_t)dx;
		r[2] = (uint8_t)(dx >> 8);
		r[3] = (uint8_t)dy;
		r[4] = (uint8_t)(dy >> 8);
		r[5] = (uint8_t)dz;
		l = 6;
	}
	l = l < len ? l : len;
	memcpy(buf, r, l);
	return l;
}

static void key_apply(struct usb_hid *s, uint16_t ev)
{
	uint8_t usage = ev & 0xff;
	bool down = ev & 0x100;
	unsigned i;

	if (usage >= 0xe0 && usage <= 0xe7) {
		if (down)
			s->modifiers |= (uint8_t)(1u << (usage - 0xe0));
		else
			s->modifiers &= (uint8_t) ~(1u << (usage - 0xe0));
		return;
	}
	for (i = 0; i < s->nkeys && s->keys[i] != usage; i++)
		;
	if (down && i == s->nkeys && s->nkeys < HID_KEYS_MAX)
		s->keys[s->nkeys++] = usage;
	if (!down && i < s->nkeys) {
		memmove(&s->keys[i], &s->keys[i + 1], s->nkeys - i - 1u);
		s->nkeys--;
	}
}

/* The boot keyboard report (HID 1.11 appendix B.1): modifiers, reserved, six keys. */
static size_t keyboard_poll(struct usb_hid *s, uint8_t *buf, size_t len)
{
	uint8_t r[8] = { 0 };

	s->idle_pending = false;
	if (len < 2)
		return 0;
	if (s->n) {
		key_apply(s, s->keyq[s->head]);
		s->head = (uint8_t)((s->head + 1) % HID_QUEUE);
		s->n--;
	}
	r[0] = s->modifiers;
	if (s->nkeys > 6)
		memset(r + 2, HID_USAGE_ROLLOVER, 6);
	else
		memcpy(r + 2, s->keys, s->nkeys);
	len = len < 8 ? len : 8;
	memcpy(buf, r, len);
	return len;
}

static size_t hid_poll(struct usb_hid *s, uint8_t *buf, size_t len)
{
	return s->kind == HID_KEYBOARD ? keyboard_poll(s, buf, len) : pointer_poll(s, buf, len);
}

/* ---------------------------------------------------------------- input */

static void changed(struct usb_hid *s)
{
	usb_dev_wakeup(&s->usb);
}

/* Queue one pointer event, merging motion into the newest unseen event (QEMU's hid_pointer_sync).
 */
static void pointer_event(struct usb_hid *s, int x, int y, int dz, unsigned buttons)
{
	struct hid_ptr_ev *prev = &s->ptr[(s->head + s->n + HID_QUEUE - 1) % HID_QUEUE];
	struct hid_ptr_ev *cur;
	bool rel = s->kind == HID_MOUSE;

	if (s->n && (prev->buttons == (buttons & 0xff) || s->n >= HID_QUEUE - 1)) {
		prev->xdx = rel ? prev->xdx + x : x;
		prev->ydy = rel ? prev->ydy + y : y;
		prev->dz += dz;
		prev->buttons = (uint8_t)buttons;
		/* Relative motion is bounded as the guest reads it; keep the sums bounded too. */
		prev->xdx = clamp(prev->xdx, -0x7fffff, 0x7fffff);
		prev->ydy = clamp(prev->ydy, -0x7fffff, 0x7fffff);
		prev->dz = clamp(prev->dz, -0x7fff, 0x7fff);
	} else {
		cur = &s->ptr[(s->head + s->n) % HID_QUEUE];
		*cur = (struct hid_ptr_ev){ x, y, dz, (uint8_t)buttons };
		s->n++;
	}
	changed(s);
}

static void on_abs(void *opaque, unsigned x, unsigned y, int dz, unsigned buttons)
{
	pointer_event(opaque, (int)(x & INPUT_ABS_MAX), (int)(y & INPUT_ABS_MAX),
		      clamp(dz, -127, 127), buttons & INPUT_BTN_ALL);
}

static void on_rel(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
	pointer_event(opaque, clamp(dx, -0xffff, 0xffff), clamp(dy, -0xffff, 0xffff),
		      clamp(dz, -127, 127), buttons & INPUT_BTN_ALL);
}

static void on_key(void *opaque, uint16_t key, bool down)
{
	struct usb_hid *s = opaque;
	const struct input_keydef *k = input_keydef(key);

	if (!k || !k->usb || s->n >= HID_QUEUE)
		return;
	s->keyq[(s->head + s->n) % HID_QUEUE] = (uint16_t)(k->usb | (down ? 0x100 : 0));
	s->n++;
	changed(s);
}

static unsigned on_leds(void *opaque)
{
	const struct usb_hid *s = opaque;

	return (s->leds & HID_LED_NUM ? INPUT_LED_NUM : 0) |
	       (s->leds & HID_LED_CAPS ? INPUT_LED_CAPS : 0) |
	       (s->leds & HID_LED_SCROLL ? INPUT_LED_SCROLL : 0);
}

static const struct input_handler handlers[] = {
	[HID_TABLET] = { .name = "usb-tablet", .mask = INPUT_MASK_ABS, .abs = on_abs },
	[HID_MOUSE] = { .name = "usb-mouse", .mask = INPUT_MASK_REL, .rel = on_rel },
	[HID_KEYBOARD] = { .name = "usb-kbd",
			   .mask = INPUT_MASK_KEY,
			   .key = on_key,
			   .leds = on_leds },
};

/* ---------------------------------------------------------------- USB hooks */

static int hid_control(struct usb_dev *d, unsigned request, unsigned value, unsigned index,
		       unsigned length, uint8_t *data)
{
	struct usb_hid *s = (struct usb_hid *)d;
	const struct hid_kind_desc *k = &kinds[s->kind];
	bool boot = s->kind != HID_TABLET;

	(void)index;
	switch (request) {
	case HID_GET_IFACE_DESC:
		if (value >> 8 != HID_DT_REPORT)
			return -1;
		memcpy(data, k->report, k->report_len);
		return (int)k->report_len;
	case HID_GET_REPORT:
		return (int)hid_poll(s, data, length);
	case HID_SET_REPORT:
		if (s->kind != HID_KEYBOARD)
			return -1;
		if (length > 0)
			s->leds = data[0];
		return 0;
	case HID_GET_PROTOCOL:
		if (!boot)
			return -1;
		data[0] = s->protocol;
		return 1;
	case HID_SET_PROTOCOL:
		if (!boot)
			return -1;
		s->protocol = (uint8_t)value;
		return 0;
	case HID_GET_IDLE:
		data[0] = s->idle;
		return 1;
	case HID_SET_IDLE:
		s->idle = (uint8_t)(value >> 8);
		set_next_idle(s);
		activate(s);
		return 0;
	default:
		return -1;
	}
}

/* Endpoint 0x81 (HID 1.11 §4.4): a report when there is one, NAK otherwise. */
static void hid_data(struct usb_dev *d, struct usb_packet *p)
{
	struct usb_hid *s = (struct usb_hid *)d;

	if (p->pid != USB_PID_IN || p->ep != 1) {
		p->status = USB_RET_STALL;
		return;
	}
	activate(s);
	if (!s->n && !s->idle_pending) {
		p->status = USB_RET_NAK;
		return;
	}
	set_next_idle(s);
	p->actual = hid_poll(s, p->buf, p->len);
}

static void hid_state_reset(struct usb_hid *s)
{
	memset(s->ptr, 0, sizeof(s->ptr));
	memset(s->keyq, 0, sizeof(s->keyq));
	memset(s->keys, 0, sizeof(s->keys));
	s->nkeys = 0;
	s->modifiers = 0;
	s->head = s->n = 0;
	s->protocol = 1;
	s->idle = 0;
	s->idle_pending = false;
	if (s->timer_ready)
		timer_del(&s->idle_timer);
}

static void hid_usb_reset(struct usb_dev *d)
{
	hid_state_reset((struct usb_hid *)d);
}

static const struct usb_dev_class hid_class = {
	.control = hid_control,
	.data = hid_data,
	.reset = hid_usb_reset,
};

/* ---------------------------------------------------------------- device type */

static void idle_expired(void *opaque)
{
	struct usb_hid *s = opaque;

	s->idle_pending = true;
	changed(s);
}

/* QEMU's usb_desc_create_serial: "<base>-<controller path>-<port path>". */
static void make_serial(struct usb_hid *s, const struct usb_bus *b)
{
	const char *given = dev_prop_str(s->dev, "serial");
	const struct hid_kind_desc *k = &kinds[s->kind];

	if (given)
		snprintf(s->usb.serial, sizeof(s->usb.serial), "%s", given);
	else if (s->m->opts && s->m->opts->kind == MACHINE_XENFV)
		snprintf(s->usb.serial, sizeof(s->usb.serial), "%s",
			 hid_strings[STR_SERIAL_COMPAT]);
	else
		snprintf(s->usb.serial, sizeof(s->usb.serial), "%s-%s-%u", hid_strings[k->iserial],
			 b->hc_path, s->usb.port->index);
}

static int hid_init(struct dm_dev *dev, enum hid_kind kind)
{
	struct usb_hid *s = dev->state;
	const char *busname = dev_prop_str(dev, "bus");
	struct usb_bus *b;
	int ret;

	s->dev = dev;
	s->m = dev->m;
	s->kind = kind;
	s->input = -1;
	s->idle_left = UINT64_MAX;
	s->usb.cls = &hid_class;
	s->usb.name = dev->name;
	s->usb.desc = &s->descs;
	build_device_desc(s, (unsigned)dev_prop_int(dev, "usb_version"));
	b = usb_bus_find(dev->m, busname);
	if (!b) {
		if (busname)
			dm_err(dev->name, "no USB bus '%s'", busname);
		else
			dm_err(dev->name, "no USB bus (-usb or -device piix3-usb-uhci first)");
		return -ENODEV;
	}
	ret = usb_attach(b, &s->usb, (unsigned)dev_prop_int(dev, "port"));
	if (ret) {
		dm_err(dev->name, "cannot attach to %s port %lld: %s", b->name,
		       (long long)dev_prop_int(dev, "port"),
		       ret == -EBUSY	? "port in use"
		       : ret == -ENOSPC ? "no free port"
					: "no such port");
		return ret;
	}
	make_serial(s, b);
	if (dev->m->loop) {
		timer_init(&s->idle_timer, dev->m->loop, idle_expired, s);
		s->timer_ready = true;
	}
	hid_state_reset(s);
	ret = input_register(dev->m, &handlers[kind], s);
	if (ret < 0) {
		usb_detach(&s->usb);
		return ret;
	}
	s->input = ret;
	if (kind == HID_KEYBOARD)
		input_activate(s->input);
	return 0;
}

static int tablet_init(struct dm_dev *dev)
{
	return hid_init(dev, HID_TABLET);
}

static int mouse_init(struct dm_dev *dev)
{
	return hid_init(dev, HID_MOUSE);
}

static int kbd_init(struct dm_dev *dev)
{
	return hid_init(dev, HID_KEYBOARD);
}

static void hid_fini(struct dm_dev *dev)
{
	struct usb_hid *s = dev->state;

	if (s->input >= 0)
		input_unregister(s->input);
	s->input = -1;
	if (s->timer_ready)
		timer_del(&s->idle_timer);
	usb_detach(&s->usb);
}

/* A system reset resets the bus the device hangs on (the controller resets the port). */
static void hid_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct usb_hid *s = dev->state;

	(void)kind;
	hid_state_reset(s);
	s->leds = 0;
}

static int hid_save(struct dm_dev *dev, struct snap_wr *w)
{
	const struct usb_hid *s = dev->state;
	uint8_t q[HID_QUEUE * 14];
	uint64_t left = UINT64_MAX, now;

	for (unsigned i = 0; i < HID_QUEUE; i++) {
		const struct hid_ptr_ev *e = &s->ptr[i];
		uint8_t *o = q + i * 14;

		for (unsigned b = 0; b < 4; b++) {
			o[b] = (uint8_t)((uint32_t)e->xdx >> (8 * b));
			o[4 + b] = (uint8_t)((uint32_t)e->ydy >> (8 * b));
			o[8 + b] = (uint8_t)((uint32_t)e->dz >> (8 * b));
		}
		o[12] = e->buttons;
		o[13] = 0;
	}
	if (s->timer_ready && timer_pending(&s->idle_timer)) {
		now = loop_now(s->m->loop);
		left = s->idle_timer.deadline > now ? s->idle_timer.deadline - now : 0;
	}
	if (usb_dev_save(&s->usb, w))
		return -EINVAL;
	snap_u8(w, "activated", s->activated);
	snap_u8(w, "protocol", s->protocol);
	snap_u8(w, "idle", s->idle);
	snap_u8(w, "idle_pending", s->idle_pending);
	snap_u64(w, "idle_left", left);
	snap_u8(w, "head", s->head);
	snap_u8(w, "n", s->n);
	snap_bytes(w, "ptr", q, sizeof(q));
	for (unsigned i = 0; i < HID_QUEUE; i++)
		q[2 * i] = (uint8_t)s->keyq[i], q[2 * i + 1] = (uint8_t)(s->keyq[i] >> 8);
	snap_bytes(w, "keyq", q, 2 * HID_QUEUE);
	snap_u8(w, "modifiers", s->modifiers);
	snap_u8(w, "nkeys", s->nkeys);
	snap_bytes(w, "keys", s->keys, sizeof(s->keys));
	return snap_u8(w, "leds", s->leds);
}

static int32_t le32s(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static int hid_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct usb_hid *s = dev->state;
	uint8_t q[HID_QUEUE * 14];
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = usb_dev_load(&s->usb, r);
	ret = ret ?: snap_get_bool(r, "activated", &s->activated);
	ret = ret ?: snap_get_u8(r, "protocol", &s->protocol);
	ret = ret ?: snap_get_u8(r, "idle", &s->idle);
	ret = ret ?: snap_get_bool(r, "idle_pending", &s->idle_pending);
	ret = ret ?: snap_get_u64(r, "idle_left", &s->idle_left);
	ret = ret ?: snap_get_u8(r, "head", &s->head);
	ret = ret ?: snap_get_u8(r, "n", &s->n);
	ret = ret ?: snap_get_bytes(r, "ptr", q, sizeof(q));
	if (ret)
		return ret;
	if (s->head >= HID_QUEUE || s->n > HID_QUEUE ||
	    (s->idle_left != UINT64_MAX && s->idle_left > 255 * HID_IDLE_UNIT_NS))
		return -EINVAL;
	for (unsigned i = 0; i < HID_QUEUE; i++) {
		const uint8_t *o = q + i * 14;

		s->ptr[i] = (struct hid_ptr_ev){ le32s(o), le32s(o + 4), le32s(o + 8), o[12] };
		if (s->ptr[i].dz < -0x7fff || s->ptr[i].dz > 0x7fff)
			return -EINVAL;
	}
	ret = snap_get_bytes(r, "keyq", q, 2 * HID_QUEUE);
	for (unsigned i = 0; !ret && i < HID_QUEUE; i++)
		s->keyq[i] = (uint16_t)(q[2 * i] | (q[2 * i + 1] & 1) << 8);
	ret = ret ?: snap_get_u8(r, "modifiers", &s->modifiers);
	ret = ret ?: snap_get_u8(r, "nkeys", &s->nkeys);
	ret = ret ?: snap_get_bytes(r, "keys", s->keys, sizeof(s->keys));
	ret = ret ?: snap_get_u8(r, "leds", &s->leds);
	if (!ret && s->nkeys > HID_KEYS_MAX)
		ret = -EINVAL;
	return ret;
}

static void hid_post_load(struct dm_dev *dev)
{
	struct usb_hid *s = dev->state;

	if (s->activated && s->input >= 0)
		input_activate(s->input);
	if (!s->timer_ready)
		return;
	timer_del(&s->idle_timer);
	if (s->idle_left != UINT64_MAX)
		timer_mod(&s->idle_timer, loop_now(s->m->loop) + s->idle_left);
	s->idle_left = UINT64_MAX;
}

static const struct prop_desc hid_props[] = {
	{ "bus", PROP_STR, NULL, 0, 0,
	  "USB bus: ID.0 for a controller with id=ID, usb-bus.0 for -usb; default: the first" },
	{ "port", PROP_INT, "0", 0, 2, "root port 1-2; 0: the first free one" },
	{ "serial", PROP_STR, NULL, 0, 0, "the iSerialNumber string (default as QEMU's)" },
	{ "usb_version", PROP_INT, "2", 1, 2, "1: USB 1.1 descriptors; 2: bcdUSB 2.00 (QEMU's)" },
	{ NULL, PROP_INT, NULL, 0, 0, NULL },
};

#define HID_TYPE(var, tname, thelp, initfn)           \
	const struct dev_type var = {                 \
		.name = tname,                        \
		.kind = DEV_KIND_USB,                 \
		.help = thelp,                        \
		.props = hid_props,                   \
		.state_size = sizeof(struct usb_hid), \
		.state_version = 1,                   \
		.init = initfn,                       \
		.reset = hid_reset,                   \
		.fini = hid_fini,                     \
		.save = hid_save,                     \
		.load = hid_load,                     \
		.post_load = hid_post_load,           \
	}

HID_TYPE(usb_tablet_type, "usb-tablet", "QEMU USB Tablet (absolute pointer, HID)", tablet_init);
HID_TYPE(usb_mouse_type, "usb-mouse", "QEMU USB Mouse (relative pointer, HID boot mouse)",
	 mouse_init);
HID_TYPE(usb_kbd_type, "usb-kbd", "QEMU USB Keyboard (HID boot keyboard)", kbd_init);
