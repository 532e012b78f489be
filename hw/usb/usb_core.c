// SPDX-License-Identifier: GPL-2.0-only
/*
 * The USB device core (hw/usb/usb.h): buses and ports, attach and detach,
 * the device state machine of USB 2.0 §9.1, endpoint-0 control transfers
 * (§8.5.3) and the standard requests (§9.4) every function shares.
 *
 * Control transfers follow QEMU 7.2's core.c so that a guest sees the same
 * answers: an IN request runs at its SETUP and its answer is cut to
 * wLength; an OUT request runs at its status stage, after its data; a
 * token in the wrong stage stalls. Every length is checked: SETUP must be
 * 8 bytes, wLength must fit the 4 KiB buffer (else STALL at SETUP, the
 * CVE-2020-14364 fix), and a data packet moves no more than is left of
 * wLength nor more than the packet holds.
 *
 * Left out: isochronous and bulk endpoints (no function here has them),
 * USB 2.0 test modes, LPM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/log.h"
#include "dm/state.h"
#include "hw/usb/usb.h"

/* Feature selectors (USB 2.0 Table 9-6). */
#define USB_FEAT_ENDPOINT_HALT	      0
#define USB_FEAT_DEVICE_REMOTE_WAKEUP 1

/* Configuration descriptor bytes (USB 2.0 Table 9-10). */
#define CFG_VALUE	      5
#define CFG_ATTR	      7
#define CFG_ATTR_SELF_POWERED 0x40

/* The Microsoft OS 1.0 vendor request, with the vendor code 'Q' of string 0xee. */
#define USB_REQ_VENDOR_DEV_IN	0xc000
#define USB_REQ_VENDOR_IFACE_IN 0xc100
#define USB_REQ_MSOS		'Q'

static struct usb_bus *buses;

void usb_bus_register(struct usb_bus *b)
{
	b->next = buses;
	buses = b;
}

void usb_bus_unregister(struct usb_bus *b)
{
	for (unsigned i = 0; i < b->nports; i++)
		if (b->ports[i].dev)
			usb_detach(b->ports[i].dev);
	for (struct usb_bus **pp = &buses; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	}
	b->next = NULL;
}

struct usb_bus *usb_bus_find(struct machine *m, const char *name)
{
	struct usb_bus *found = NULL;

	/* The list is newest first: the first registered bus is the last match. */
	for (struct usb_bus *b = buses; b; b = b->next)
		if (b->m == m && (!name || !strcmp(b->name, name)))
			found = b;
	return found;
}

int usb_attach(struct usb_bus *b, struct usb_dev *d, unsigned index)
{
	struct usb_port *p = NULL;

	if (index > b->nports)
		return -EINVAL;
	if (index) {
		p = &b->ports[index - 1];
		if (p->dev)
			return -EBUSY;
	}
	for (unsigned i = 0; !p && i < b->nports; i++)
		if (!b->ports[i].dev)
			p = &b->ports[i];
	if (!p)
		return -ENOSPC;
	p->dev = d;
	d->port = p;
	d->state = USB_STATE_ATTACHED;
	d->addr = 0;
	d->config = 0;
	d->stage = USB_SETUP_IDLE;
	if (p->ops && p->ops->attach)
		p->ops->attach(p);
	return 0;
}

void usb_detach(struct usb_dev *d)
{
	struct usb_port *p = d->port;

	if (!p)
		return;
	if (p->ops && p->ops->detach)
		p->ops->detach(p);
	p->dev = NULL;
	d->port = NULL;
	d->state = USB_STATE_ATTACHED;
}

void usb_dev_reset(struct usb_dev *d)
{
	d->state = USB_STATE_DEFAULT;
	d->addr = 0;
	d->config = 0;
	d->altsetting = 0;
	d->remote_wakeup = false;
	d->stage = USB_SETUP_IDLE;
	d->setup_len = d->setup_index = 0;
	if (d->cls->reset)
		d->cls->reset(d);
}

void usb_dev_wakeup(struct usb_dev *d)
{
	if (d->remote_wakeup && d->port && d->port->ops && d->port->ops->wakeup)
		d->port->ops->wakeup(d->port);
}

struct usb_dev *usb_port_find(struct usb_port *p, uint8_t addr)
{
	if (p->dev && p->dev->addr == addr)
		return p->dev;
	return NULL;
}

/* ---------------------------------------------------------------- standard requests */

static int set_configuration(struct usb_dev *d, unsigned value)
{
	if (value == 0) {
		d->config = 0;
		d->state = d->addr ? USB_STATE_ADDRESS : USB_STATE_DEFAULT;
		return 0;
	}
	if (value != d->desc->config[CFG_VALUE])
		return -1;
	d->config = (uint8_t)value;
	d->altsetting = 0;
	d->state = USB_STATE_CONFIGURED;
	return 0;
}

/* A feature request (§9.4.1, §9.4.9) to the device: only remote wakeup exists. */
static int device_feature(struct usb_dev *d, unsigned value, bool set)
{
	if (value != USB_FEAT_DEVICE_REMOTE_WAKEUP)
		return -1;
	d->remote_wakeup = set;
	return 0;
}

/*
 * The standard requests (USB 2.0 §9.4). Returns the answer's length, 0 for
 * an OUT request done, -1 to stall, -2 when it is not one the core answers.
 */
static int standard_request(struct usb_dev *d, unsigned request, unsigned value, unsigned index,
			    unsigned length, uint8_t *data)
{
	int len;

	switch (request) {
	case USB_REQ_DEV_IN | USB_REQ_GET_STATUS:
		data[0] = (uint8_t)(d->remote_wakeup ? 2 : 0);
		if (d->config && (d->desc->config[CFG_ATTR] & CFG_ATTR_SELF_POWERED))
			data[0] |= 1;
		data[1] = 0;
		return 2;
	case USB_REQ_DEV_OUT | USB_REQ_CLEAR_FEATURE:
	case USB_REQ_DEV_OUT | USB_REQ_SET_FEATURE:
		return device_feature(d, value, (request & 0xff) == USB_REQ_SET_FEATURE);
	case USB_REQ_DEV_OUT | USB_REQ_SET_ADDRESS:
		/* §9.4.6: 7 bits; the device answers at the new address after the status stage. */
		if (value > 127)
			return -1;
		d->addr = (uint8_t)value;
		d->state = value ? USB_STATE_ADDRESS : USB_STATE_DEFAULT;
		return 0;
	case USB_REQ_DEV_IN | USB_REQ_GET_DESCRIPTOR:
		len = usb_desc_get(d, value, data, USB_CTRL_BUF);
		return len < 0 ? -1 : (int)(len > (int)length ? length : (unsigned)len);
	case USB_REQ_DEV_IN | USB_REQ_GET_CONFIGURATION:
		data[0] = d->config;
		return 1;
	case USB_REQ_DEV_OUT | USB_REQ_SET_CONFIGURATION:
		return set_configuration(d, value);
	case USB_REQ_IFACE_IN | USB_REQ_GET_INTERFACE:
		/* One interface (number 0), one alternate setting, only while configured. */
		if (!d->config || index != 0)
			return -1;
		data[0] = d->altsetting;
		return 1;
	case USB_REQ_IFACE_OUT | USB_REQ_SET_INTERFACE:
		return d->config && index == 0 && value == 0 ? 0 : -1;
	case USB_REQ_VENDOR_DEV_IN | USB_REQ_MSOS:
	case USB_REQ_VENDOR_IFACE_IN | USB_REQ_MSOS:
		len = usb_desc_msos(d, index, data, USB_CTRL_BUF);
		return len < 0 ? -1 : (int)(len > (int)length ? length : (unsigned)len);
	default:
		return -2;
	}
}

static int run_request(struct usb_dev *d)
{
	unsigned request = (unsigned)d->setup[0] << 8 | d->setup[1];
	unsigned value = (unsigned)d->setup[3] << 8 | d->setup[2];
	unsigned index = (unsigned)d->setup[5] << 8 | d->setup[4];
	int ret;

	ret = standard_request(d, request, value, index, d->setup_len, d->data);
	if (ret == -2)
		ret = d->cls->control
			  ? d->cls->control(d, request, value, index, d->setup_len, d->data)
			  : -1;
	/* A hook never answers more than wLength (the buffer holds USB_CTRL_BUF). */
	if (ret > (int)d->setup_len)
		ret = d->setup_len;
	return ret;
}

/* ---------------------------------------------------------------- control transfers */

static void token_setup(struct usb_dev *d, struct usb_packet *p)
{
	unsigned wlength;
	int ret;

	if (p->len != 8) {
		p->status = USB_RET_STALL;
		return;
	}
	memcpy(d->setup, p->buf, 8);
	d->setup_index = 0;
	wlength = (unsigned)d->setup[7] << 8 | d->setup[6];
	if (wlength > USB_CTRL_BUF) {
		guest_err(d->name, "SETUP wLength %u is larger than the %u-byte buffer", wlength,
			  USB_CTRL_BUF);
		d->stage = USB_SETUP_IDLE;
		p->status = USB_RET_STALL;
		return;
	}
	d->setup_len = (uint16_t)wlength;
	if (d->setup[0] & 0x80) {
		ret = run_request(d);
		if (ret < 0) {
			d->stage = USB_SETUP_IDLE;
			p->status = USB_RET_STALL;
			return;
		}
		if ((unsigned)ret < d->setup_len)
			d->setup_len = (uint16_t)ret;
		d->stage = USB_SETUP_DATA;
	} else {
		d->stage = d->setup_len ? USB_SETUP_DATA : USB_SETUP_ACK;
	}
	p->actual = 8;
}

/* Move the next piece of the data stage between the packet and the buffer. */
static void data_stage(struct usb_dev *d, struct usb_packet *p, bool in)
{
	size_t len = (size_t)d->setup_len - d->setup_index;

	if (len > p->len)
		len = p->len;
	if (in)
		memcpy(p->buf, d->data + d->setup_index, len);
	else
		memcpy(d->data + d->setup_index, p->buf, len);
	p->actual = len;
	d->setup_index = (uint16_t)(d->setup_index + len);
	if (d->setup_index >= d->setup_len)
		d->stage = USB_SETUP_ACK;
}

/*
 * IN or OUT on endpoint 0: the data stage while the packet goes the
 * request's way, then the status stage the other way, where an OUT request
 * runs. After the data, a packet the request's way is ignored (a zero-length
 * IN, more OUT data: QEMU's core.c); anything else stalls.
 */
static void token_data(struct usb_dev *d, struct usb_packet *p, bool in)
{
	bool dir_in = d->setup[0] & 0x80;

	if (d->stage == USB_SETUP_DATA && dir_in == in) {
		data_stage(d, p, in);
		return;
	}
	if (d->stage == USB_SETUP_ACK) {
		if (dir_in != in) {
			d->stage = USB_SETUP_IDLE;
			if (!dir_in && run_request(d) < 0)
				p->status = USB_RET_STALL;
		}
		return;
	}
	d->stage = USB_SETUP_IDLE;
	p->status = USB_RET_STALL;
}

void usb_handle_packet(struct usb_dev *d, struct usb_packet *p)
{
	p->status = USB_RET_SUCCESS;
	p->actual = 0;
	if (!d->port) {
		p->status = USB_RET_NODEV;
		return;
	}
	if (p->ep != 0) {
		if (d->cls->data)
			d->cls->data(d, p);
		else
			p->status = USB_RET_STALL;
		/* A function never reports more than the packet holds. */
		if (p->actual > p->len) {
			p->actual = p->len;
			p->status = USB_RET_BABBLE;
		}
		return;
	}
	switch (p->pid) {
	case USB_PID_SETUP:
		token_setup(d, p);
		break;
	case USB_PID_IN:
	case USB_PID_OUT:
		token_data(d, p, p->pid == USB_PID_IN);
		break;
	default:
		p->status = USB_RET_STALL;
		break;
	}
}

/* ---------------------------------------------------------------- save/restore */

int usb_dev_save(const struct usb_dev *d, struct snap_wr *w)
{
	snap_u8(w, "usb.state", (uint8_t)d->state);
	snap_u8(w, "usb.addr", d->addr);
	snap_u8(w, "usb.config", d->config);
	snap_u8(w, "usb.altsetting", d->altsetting);
	snap_u8(w, "usb.remote_wakeup", d->remote_wakeup);
	snap_bytes(w, "usb.setup", d->setup, sizeof(d->setup));
	snap_u8(w, "usb.stage", (uint8_t)d->stage);
	snap_u16(w, "usb.setup_len", d->setup_len);
	snap_u16(w, "usb.setup_index", d->setup_index);
	return snap_bytes(w, "usb.data", d->data, d->setup_len);
}

int usb_dev_load(struct usb_dev *d, struct snap_rd *r)
{
	uint8_t state, stage;
	int ret;

	ret = snap_get_u8(r, "usb.state", &state);
	ret = ret ?: snap_get_u8(r, "usb.addr", &d->addr);
	ret = ret ?: snap_get_u8(r, "usb.config", &d->config);
	ret = ret ?: snap_get_u8(r, "usb.altsetting", &d->altsetting);
	ret = ret ?: snap_get_bool(r, "usb.remote_wakeup", &d->remote_wakeup);
	ret = ret ?: snap_get_bytes(r, "usb.setup", d->setup, sizeof(d->setup));
	ret = ret ?: snap_get_u8(r, "usb.stage", &stage);
	ret = ret ?: snap_get_u16(r, "usb.setup_len", &d->setup_len);
	ret = ret ?: snap_get_u16(r, "usb.setup_index", &d->setup_index);
	if (ret)
		return ret;
	/* Every index checked against its buffer before the data is read. */
	if (state > USB_STATE_CONFIGURED || stage > USB_SETUP_ACK || d->addr > 127 ||
	    d->setup_len > USB_CTRL_BUF || d->setup_index > d->setup_len ||
	    (d->config && d->config != d->desc->config[CFG_VALUE]))
		return -EINVAL;
	d->state = (enum usb_dev_state)state;
	d->stage = (enum usb_setup_stage)stage;
	return snap_get_bytes(r, "usb.data", d->data, d->setup_len);
}
