/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The USB device core: what a host controller (hw/usb/uhci.c) and a USB
 * function (hw/usb/hid.c) share.
 *
 *  - A bus is a host controller's set of root ports, registered under the
 *    name QEMU gives it ("ID.0" for a controller with id=ID, "usb-bus.N"
 *    otherwise), so -device usb-tablet,bus=NAME,port=N finds it.
 *  - A device is a struct usb_dev embedded in the function's state: its
 *    class (descriptors and request hooks), the port it is attached to,
 *    its USB 2.0 §9.1 state (attached, default, address, configured), and
 *    the endpoint-0 control transfer in progress.
 *  - A transaction is a struct usb_packet: the controller fills in the
 *    token (PID, endpoint) and a buffer of the TD's length, calls
 *    usb_handle_packet(), and gets a status and the bytes moved back.
 *
 * Control transfers (USB 2.0 §8.5.3, §9.3): the SETUP packet is 8 bytes or
 * the transfer stalls; a wLength larger than the device's buffer stalls at
 * once (the CVE-2020-14364 shape: QEMU copied past its 4 KiB setup buffer);
 * every DATA packet moves at most what is left of wLength and at most the
 * packet's own length. Standard requests (§9.4) are answered here from the
 * class's descriptors; class and vendor requests go to the class hook.
 */
#ifndef HW_USB_USB_H
#define HW_USB_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct snap_wr;
struct snap_rd;
struct usb_dev;
struct usb_port;

/* Token PIDs (USB 2.0 §8.3.1, Table 8-1), as a UHCI TD carries them. */
#define USB_PID_OUT   0xe1
#define USB_PID_IN    0x69
#define USB_PID_SETUP 0x2d

/* Transaction results. */
enum usb_status {
	USB_RET_SUCCESS = 0,
	USB_RET_NAK,	/* no data now: the controller retries */
	USB_RET_STALL,	/* the endpoint refuses the request */
	USB_RET_BABBLE, /* the device sent more than the buffer holds */
	USB_RET_NODEV,	/* no device answered (controller: timeout) */
};

/* USB 2.0 §9.1.1 device states a guest can see. */
enum usb_dev_state {
	USB_STATE_ATTACHED = 0, /* not yet reset by the host */
	USB_STATE_DEFAULT,	/* reset, address 0 */
	USB_STATE_ADDRESS,	/* SET_ADDRESS done */
	USB_STATE_CONFIGURED,	/* SET_CONFIGURATION with a non-zero value */
};

/* Endpoint-0 control transfer stage (USB 2.0 §8.5.3). */
enum usb_setup_stage {
	USB_SETUP_IDLE = 0,
	USB_SETUP_DATA, /* data stage in progress */
	USB_SETUP_ACK,	/* data done: the status stage is next */
};

/* bmRequestType << 8 | bRequest, for the standard requests (USB 2.0 Table 9-3). */
#define USB_REQ_DEV_IN		  0x8000
#define USB_REQ_DEV_OUT		  0x0000
#define USB_REQ_IFACE_IN	  0x8100
#define USB_REQ_IFACE_OUT	  0x0100
#define USB_REQ_EP_IN		  0x8200
#define USB_REQ_EP_OUT		  0x0200
#define USB_REQ_GET_STATUS	  0x00
#define USB_REQ_CLEAR_FEATURE	  0x01
#define USB_REQ_SET_FEATURE	  0x03
#define USB_REQ_SET_ADDRESS	  0x05
#define USB_REQ_GET_DESCRIPTOR	  0x06
#define USB_REQ_GET_CONFIGURATION 0x08
#define USB_REQ_SET_CONFIGURATION 0x09
#define USB_REQ_GET_INTERFACE	  0x0a
#define USB_REQ_SET_INTERFACE	  0x0b

/* Descriptor types (USB 2.0 Table 9-5). */
#define USB_DT_DEVICE		  1
#define USB_DT_CONFIG		  2
#define USB_DT_STRING		  3
#define USB_DT_DEVICE_QUALIFIER	  6
#define USB_DT_OTHER_SPEED_CONFIG 7
#define USB_DT_BOS		  15

/* The control buffer: wLength beyond it stalls (QEMU's is 4096 too). */
#define USB_CTRL_BUF 4096

struct usb_packet {
	uint8_t pid; /* USB_PID_* */
	uint8_t ep;  /* endpoint number 0-15 */
	uint8_t *buf;
	size_t len;    /* OUT/SETUP: bytes in buf; IN: room in buf */
	size_t actual; /* bytes the device took or gave */
	enum usb_status status;
};

/*
 * A function's descriptors, byte for byte as the device returns them. The
 * configuration is the whole GET_DESCRIPTOR(CONFIGURATION) answer
 * (interface, class and endpoint descriptors included). qualifier and
 * other_speed are the USB 2.0 §9.6.2/§9.6.4 answers, NULL for a USB 1.1
 * device (the request stalls). strings[i] is string index i (NULL: none).
 */
struct usb_descs {
	const uint8_t *device; /* 18 bytes */
	const uint8_t *config;
	size_t config_len;
	const uint8_t *qualifier; /* 10 bytes or NULL */
	const uint8_t *other_speed;
	size_t other_speed_len;
	const char *const *strings;
	unsigned nstrings;
	uint8_t serial_index; /* iSerialNumber: answered from usb_dev.serial */
	bool msos;	      /* answers the Microsoft OS 1.0 descriptors (string 0xee, 'Q') */
};

struct usb_dev_class {
	/*
	 * A request the core does not answer (class, vendor, or a standard
	 * request for the interface the core does not know). data holds the
	 * OUT data stage, or gets the IN answer (at most length bytes, length
	 * <= USB_CTRL_BUF). Returns the bytes of the answer (IN) or 0, or -1
	 * to stall.
	 */
	int (*control)(struct usb_dev *d, unsigned request, unsigned value, unsigned index,
		       unsigned length, uint8_t *data);
	/* A transaction on endpoint 1-15: fill p->actual and p->status. */
	void (*data)(struct usb_dev *d, struct usb_packet *p);
	/* USB bus reset (port reset, controller global reset). May be NULL. */
	void (*reset)(struct usb_dev *d);
};

struct usb_dev {
	const struct usb_dev_class *cls;
	const struct usb_descs *desc;
	const char *name; /* for logs: the dm_dev's name */
	struct usb_port *port;
	enum usb_dev_state state;
	uint8_t addr;
	uint8_t config; /* bConfigurationValue, 0: not configured */
	uint8_t altsetting;
	bool remote_wakeup;
	/* The control transfer. */
	uint8_t setup[8];
	enum usb_setup_stage stage;
	uint16_t setup_len, setup_index;
	uint8_t data[USB_CTRL_BUF];
	char serial[64]; /* the iSerialNumber string */
};

/* What a controller does when a port's device changes or signals. */
struct usb_port_ops {
	void (*attach)(struct usb_port *p);
	void (*detach)(struct usb_port *p);
	/* The device signals remote wakeup (USB 2.0 §7.1.7.7). May be NULL. */
	void (*wakeup)(struct usb_port *p);
};

struct usb_port {
	struct usb_dev *dev; /* NULL: nothing plugged in */
	unsigned index;	     /* 1-based, as QEMU's port path "1", "2" */
	const struct usb_port_ops *ops;
	void *opaque; /* the controller */
};

struct usb_bus {
	struct machine *m;
	char name[48];
	char hc_path[16]; /* the controller's PCI address, "0000:00:01.2" (serial strings) */
	struct usb_port *ports;
	unsigned nports;
	struct usb_bus *next;
};

/* Register / unregister a controller's bus; unregister detaches every device from it. */
void usb_bus_register(struct usb_bus *b);
void usb_bus_unregister(struct usb_bus *b);
/* The bus called name on m (NULL: the first registered), or NULL. */
struct usb_bus *usb_bus_find(struct machine *m, const char *name);

/*
 * Plug d into port index (1-based; 0: the first free one) of bus b.
 * 0, -EBUSY (taken), -ENOSPC (no free port), -EINVAL (no such port).
 */
__attribute__((warn_unused_result)) int usb_attach(struct usb_bus *b, struct usb_dev *d,
						   unsigned index);
/* Unplug (safe when not plugged). */
void usb_detach(struct usb_dev *d);

/* d's bus reset: default state, address 0, unconfigured, control transfer dropped. */
void usb_dev_reset(struct usb_dev *d);
/* Remote wakeup, if the host enabled it (SET_FEATURE DEVICE_REMOTE_WAKEUP). */
void usb_dev_wakeup(struct usb_dev *d);
/* One transaction addressed to d. */
void usb_handle_packet(struct usb_dev *d, struct usb_packet *p);

/* The device with address addr on port p (the port must be enabled by its caller), or NULL. */
struct usb_dev *usb_port_find(struct usb_port *p, uint8_t addr);

/* Save / load the core's fields of d (USB state, the control transfer). */
__attribute__((warn_unused_result)) int usb_dev_save(const struct usb_dev *d, struct snap_wr *w);
__attribute__((warn_unused_result)) int usb_dev_load(struct usb_dev *d, struct snap_rd *r);

/* The GET_DESCRIPTOR answer for wValue value (type << 8 | index), or -1 (stall). */
int usb_desc_get(const struct usb_dev *d, unsigned value, uint8_t *out, size_t room);
/* The Microsoft OS 1.0 vendor request 'Q' for wIndex index: its length, -1 without MS OS. */
int usb_desc_msos(const struct usb_dev *d, unsigned index, uint8_t *out, size_t room);

#endif
