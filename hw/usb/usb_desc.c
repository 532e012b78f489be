// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET_DESCRIPTOR answers (USB 2.0 §9.4.3, §9.6) from a function's
 * struct usb_descs: device, configuration (with its interface, class and
 * endpoint descriptors), device qualifier and other-speed configuration
 * (USB 2.0 devices only), and strings (§9.6.7: index 0 is the language
 * list, US English 0x0409; the others UTF-16LE, built from ASCII here).
 * The caller cuts the answer to wLength.
 *
 * Like QEMU 7.2's desc.c, every device also answers a BOS descriptor
 * (USB 2.0 ECN "LPM", §9.6.2.1 there: one USB 2.0 extension capability
 * with LPM) and, when its descriptors say so, the Microsoft OS 1.0
 * descriptors Windows asks for: string 0xee "MSFT100Q" (vendor code 'Q'),
 * the extended compat ID (wIndex 4) and the extended properties (wIndex 5:
 * SelectiveSuspendEnabled = 1) — the bytes QEMU's desc-msos.c sends.
 */
#include <string.h>

#include "hw/usb/usb.h"

/* A string descriptor: bLength, bDescriptorType, then 16-bit characters. */
static int string_desc(const char *s, uint8_t *out, size_t room)
{
	size_t n = strlen(s);
	size_t len = 2 + 2 * n;

	if (len > 255)
		len = 255 & ~1u;
	if (len > room)
		return -1;
	out[0] = (uint8_t)len;
	out[1] = USB_DT_STRING;
	for (size_t i = 0; 2 + 2 * i < len; i++) {
		out[2 + 2 * i] = (uint8_t)s[i];
		out[3 + 2 * i] = 0;
	}
	return (int)len;
}

static int copy_desc(const uint8_t *d, size_t len, uint8_t *out, size_t room)
{
	if (!d || len > room)
		return -1;
	memcpy(out, d, len);
	return (int)len;
}

static int string_get(const struct usb_dev *d, unsigned index, uint8_t *out, size_t room)
{
	static const uint8_t langs[] = { 4, USB_DT_STRING, 0x09, 0x04 };
	const struct usb_descs *desc = d->desc;

	if (index == 0)
		return copy_desc(langs, sizeof(langs), out, room);
	if (desc->serial_index && index == desc->serial_index)
		return string_desc(d->serial, out, room);
	if (desc->msos && index == 0xee)
		return string_desc("MSFT100Q", out, room);
	/* A string the device does not have: an empty answer, not a stall (QEMU). */
	if (index >= desc->nstrings || !desc->strings[index])
		return 0;
	return string_desc(desc->strings[index], out, room);
}

static const uint8_t bos[12] = { 5, USB_DT_BOS, 12, 0, 1, 7, 0x10, 2, 2, 0, 0, 0 };

/* Extended compat ID (MS OS 1.0): header, then interface 0 with no compatible ID. */
static const uint8_t msos_compat_id[40] = {
	40, 0, 0, 0, 0x00, 0x01, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

/* Extended properties (MS OS 1.0): SelectiveSuspendEnabled, DWORD 1 (QEMU pads 6 bytes). */
static const uint8_t msos_ext_props[82] = {
	82,  0, 0,   0, 0x00, 0x01, 5,	 0, 1,	 0, 72,	 0, 0,	 0, 4,	 0, 0,	 0, 48,	 0,
	'S', 0, 'e', 0, 'l',  0,    'e', 0, 'c', 0, 't', 0, 'i', 0, 'v', 0, 'e', 0, 'S', 0,
	'u', 0, 's', 0, 'p',  0,    'e', 0, 'n', 0, 'd', 0, 'E', 0, 'n', 0, 'a', 0, 'b', 0,
	'l', 0, 'e', 0, 'd',  0,    0,	 0, 4,	 0, 0,	 0, 1,	 0, 0,	 0,
};

int usb_desc_msos(const struct usb_dev *d, unsigned index, uint8_t *out, size_t room)
{
	if (!d->desc->msos)
		return -1;
	if (index == 4)
		return copy_desc(msos_compat_id, sizeof(msos_compat_id), out, room);
	if (index == 5)
		return copy_desc(msos_ext_props, sizeof(msos_ext_props), out, room);
	/* Another wIndex: an empty answer, as QEMU's usb_desc_msos. */
	return 0;
}

int usb_desc_get(const struct usb_dev *d, unsigned value, uint8_t *out, size_t room)
{
	const struct usb_descs *desc = d->desc;
	unsigned type = value >> 8, index = value & 0xff;

	switch (type) {
	case USB_DT_DEVICE:
		return copy_desc(desc->device, 18, out, room);
	case USB_DT_CONFIG:
		/* One configuration: index 0 only (§9.4.3). */
		return index == 0 ? copy_desc(desc->config, desc->config_len, out, room) : -1;
	case USB_DT_STRING:
		return string_get(d, index, out, room);
	case USB_DT_BOS:
		return copy_desc(bos, sizeof(bos), out, room);
	case USB_DT_DEVICE_QUALIFIER:
		return copy_desc(desc->qualifier, 10, out, room);
	case USB_DT_OTHER_SPEED_CONFIG:
		if (index != 0)
			return -1;
		return copy_desc(desc->other_speed, desc->other_speed_len, out, room);
	default:
		return -1;
	}
}
