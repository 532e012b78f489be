// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX3 UHCI (hw/usb/uhci.c), the USB device core (hw/usb/usb_core.c,
 * usb_desc.c) and the HID functions (hw/usb/hid.c), through the bus, guest
 * memory and the virtual clock, as a guest drives them.
 *
 * Values come from QEMU 7.2 sessions (qemu-system-x86_64 -accel tcg
 * -qtest stdio -machine pc -device piix3-usb-uhci,addr=01.2 -device
 * usb-tablet, recorded with scripts/record-qemu-usb.py; the whole
 * enumeration is also the trace tests/traces/usb-tablet.trace) and from
 * the qemu-xen golden capture (shared/docs/qemu-xen-golden/pci-a.log: the
 * tablet's descriptors as Linux read them under Xen). Spec sections are
 * named per test: UHCI 1.1 design guide, USB 2.0 ch. 8/9, HID 1.11.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dm/input.h"
#include "dm/state.h"
#include "tests/unit/dev_rig.h"

#define UHCI_DEVFN 0x0a /* 00:01.2 */
#define IO	   0xc000
#define FL	   0x100000u
#define QH	   0x101000u
#define TD0	   0x102000u
#define SETUPBUF   0x103000u
#define DATA	   0x104000u
#define RAM_MB	   16

#define ACTIVE	  (1u << 23)
#define IOC	  (1u << 24)
#define SPD	  (1u << 29)
#define CERR3	  (3u << 27)
#define PID_SETUP 0x2d
#define PID_IN	  0x69
#define PID_OUT	  0xe1

struct rig {
	struct machine m;
	struct machine_opts o;
	struct flat_ram ram;
	bool intx;
	unsigned intx_changes;
};

static void rig_pci_intx(void *opaque, unsigned devfn, unsigned pin, bool level)
{
	struct rig *r = opaque;

	if (devfn == UHCI_DEVFN && pin == 3) {
		r->intx = level;
		r->intx_changes++;
	}
}

static const struct platform_ops rig_plat = { .pci_intx = rig_pci_intx };

static struct rig *rig_new(enum machine_kind kind, const char *const *specs)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	dev_rig_init(&r->m, &r->o, kind, RAM_MB, 1, &rig_plat, r);
	r->m.loop = loop_new(true);
	assert_non_null(r->m.loop);
	assert_int_equal(flat_ram_init(&r->ram, &r->m.mem, RAM_MB << 20), 0);
	for (; *specs; specs++)
		assert_int_equal(dev_rig_add(&r->m, *specs, NULL), 0);
	/* BAR4 at 0xc000, I/O and bus master on, as SeaBIOS leaves it. */
	bus_pci_write(r->m.bus, UHCI_DEVFN, 0x20, IO | 1, 4);
	bus_pci_write(r->m.bus, UHCI_DEVFN, 0x04, 0x0005, 2);
	return r;
}

static const char *const tablet_specs[] = { "piix3-usb-uhci,addr=01.2", "usb-tablet", NULL };

static void rig_free(struct rig *r)
{
	/* Reverse creation order: the devices before their controller. */
	machine_teardown(&r->m);
	assert_int_equal(loop_timers_armed(r->m.loop), 0);
	flat_ram_fini(&r->ram);
	dev_rig_free(&r->m);
	free(r);
}

static uint16_t inw(struct rig *r, unsigned off)
{
	return (uint16_t)bus_read(r->m.bus, BUS_PIO, IO + off, 2);
}

static void outw(struct rig *r, unsigned off, uint16_t v)
{
	bus_write(r->m.bus, BUS_PIO, IO + off, v, 2);
}

static uint32_t rd32(struct rig *r, uint32_t a)
{
	uint32_t v;

	assert_int_equal(gm_read(&r->m.mem, a, &v, 4), 0);
	return v;
}

static void wr32(struct rig *r, uint32_t a, uint32_t v)
{
	assert_int_equal(gm_write(&r->m.mem, a, &v, 4), 0);
}

static void step(struct rig *r, unsigned frames)
{
	loop_clock_step(r->m.loop, frames * 1000000ull);
}

static uint32_t token(uint8_t pid, unsigned addr, unsigned ep, unsigned len, unsigned toggle)
{
	return ((len - 1) & 0x7ffu) << 21 | toggle << 19 | ep << 15 | addr << 8 | pid;
}

static void td(struct rig *r, unsigned i, uint32_t link, uint32_t ctrl, uint32_t tok, uint32_t buf)
{
	uint32_t a = TD0 + 0x20 * i;

	wr32(r, a, link);
	wr32(r, a + 4, ctrl);
	wr32(r, a + 8, tok);
	wr32(r, a + 12, buf);
}

static uint32_t td_ctrl(struct rig *r, unsigned i)
{
	return rd32(r, TD0 + 0x20 * i + 4);
}

/* Port 1 reset, enabled, changes cleared; a frame list of 1024 links to one QH; running. */
static void start_schedule(struct rig *r)
{
	outw(r, 0x10, 0x0200);
	outw(r, 0x10, 0x0000);
	outw(r, 0x10, 0x000e);
	for (unsigned i = 0; i < 1024; i++)
		wr32(r, FL + 4 * i, QH | 2);
	wr32(r, QH, 1);
	wr32(r, QH + 4, 1);
	bus_write(r->m.bus, BUS_PIO, IO + 8, FL, 4);
	outw(r, 0x04, 0x000f);
	outw(r, 0x00, 0x0001);
}

/*
 * One control transfer as Linux's uhci-hcd queues it (USB 2.0 §8.5.3):
 * SETUP, data TDs of 8 bytes, the status stage; all depth first in the QH.
 * Returns the data bytes moved; the TDs' status stays for the caller.
 */
static unsigned control(struct rig *r, unsigned addr, const uint8_t setup[8], unsigned len,
			unsigned *ntd)
{
	bool in = setup[0] & 0x80;
	unsigned n = 0, moved = 0, toggle = 1;

	assert_int_equal(gm_write(&r->m.mem, SETUPBUF, setup, 8), 0);
	td(r, n, TD0 + 0x20 * (n + 1) + 4, ACTIVE | CERR3, token(PID_SETUP, addr, 0, 8, 0),
	   SETUPBUF);
	n++;
	for (unsigned off = 0; off < len; off += 8, n++, toggle ^= 1)
		td(r, n, TD0 + 0x20 * (n + 1) + 4, ACTIVE | CERR3,
		   token(in ? PID_IN : PID_OUT, addr, 0, len - off < 8 ? len - off : 8, toggle),
		   DATA + off);
	td(r, n, 1, ACTIVE | CERR3 | IOC, token(in ? PID_OUT : PID_IN, addr, 0, 0, 1), 0);
	n++;
	wr32(r, QH + 4, TD0);
	step(r, 20);
	for (unsigned i = 1; i + 1 < n; i++)
		moved += (td_ctrl(r, i) + 1) & 0x7ff;
	if (ntd)
		*ntd = n;
	return moved;
}

/* A control transfer that must complete: every TD done, the QH empty, USBINT raised. */
static unsigned control_ok(struct rig *r, unsigned addr, const uint8_t setup[8], unsigned len)
{
	unsigned n, moved = control(r, addr, setup, len, &n);

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(td_ctrl(r, i) & (ACTIVE | 0x7e0000), 0);
	assert_int_equal(rd32(r, QH + 4), 1);
	assert_int_equal(inw(r, 0x02) & 0x0003, 0x0001);
	outw(r, 0x02, 0x003f);
	return moved;
}

static void get(struct rig *r, unsigned addr, const char *hex_setup, uint8_t *out, unsigned len,
		unsigned want)
{
	uint8_t s[8];

	for (unsigned i = 0; i < 8; i++)
		sscanf(hex_setup + 2 * i, "%2hhx", &s[i]);
	assert_int_equal(control_ok(r, addr, s, len), want);
	if (out)
		assert_int_equal(gm_read(&r->m.mem, DATA, out, want), 0);
}

static void enumerate(struct rig *r)
{
	start_schedule(r);
	get(r, 0, "0005010000000000", NULL, 0, 0); /* SET_ADDRESS 1 (§9.4.6) */
	get(r, 1, "0009010000000000", NULL, 0, 0); /* SET_CONFIGURATION 1 (§9.4.7) */
}

/* ---------------------------------------------------------------- PCI identity */

/* UHCI 1.1 §2.2 / PIIX3 datasheet: the header qemu-xen shows at 00:01.2 (pci-a.log). */
static void pci_identity(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t golden[256];

	(void)state;
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x00, 4), 0x70208086);
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x08, 4), 0x0c030001);
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x2c, 4), 0x11001af4);
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x3d, 1), 4);    /* INTD */
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x60, 1), 0x10); /* SBRN */
	/* QEMU: 68h reads 0x10000 (6Ah = 01h), C0h (LEGSUP) 0 until the guest writes it. */
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x68, 4), 0x00010000);
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0xc0, 4), 0);
	/* BAR4: 32 bytes of I/O (QEMU: all ones reads back 0xffffffe1). */
	bus_pci_write(r->m.bus, UHCI_DEVFN, 0x20, 0xffffffff, 4);
	assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, 0x20, 4), 0xffffffe1);
	if (golden_log_dump("pci-a.log", UHCI_DEVFN, golden) == 0) {
		/* IDs, class, revision, header, subsystem, pin and SBRN as under qemu-xen. */
		static const uint8_t regs[] = { 0,    1,    2,	  3,	8,    9,    0x0a, 0x0b,
						0x0e, 0x2c, 0x2d, 0x2e, 0x2f, 0x3d, 0x60 };
		for (size_t i = 0; i < sizeof(regs); i++)
			assert_int_equal(bus_pci_read(r->m.bus, UHCI_DEVFN, regs[i], 1),
					 golden[regs[i]]);
	}
	rig_free(r);
}

/* ---------------------------------------------------------------- registers */

/* UHCI 1.1 §2.1 reset values and QEMU 7.2's 16-bit decode (session s1, QEMU's answers). */
static void register_reset_values(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);

	(void)state;
	assert_int_equal(inw(r, 0x00), 0x0000); /* USBCMD */
	assert_int_equal(inw(r, 0x02), 0x0020); /* USBSTS: HCHalted (§2.1.2) */
	assert_int_equal(inw(r, 0x04), 0x0000); /* USBINTR */
	assert_int_equal(inw(r, 0x06), 0x0000); /* FRNUM */
	assert_int_equal(bus_read(r->m.bus, BUS_PIO, IO + 8, 4), 0); /* FLBASEADD */
	assert_int_equal(inw(r, 0x0c), 0x0040);			     /* SOFMOD 64 (§2.1.6) */
	assert_int_equal(inw(r, 0x10), 0x0083);			     /* PORTSC1: tablet, CCS+CSC */
	assert_int_equal(inw(r, 0x12), 0x0080); /* PORTSC2: empty, bit 7 reads 1 */
	assert_int_equal(inw(r, 0x14), 0xff7f); /* no port 3 */
	assert_int_equal(inw(r, 0x1e), 0xff7f);
	assert_int_equal(inw(r, 0x0e), 0xff7f);
	/* Byte reads go through QEMU's 16-bit decode: odd offsets read the default ... */
	assert_int_equal(bus_read(r->m.bus, BUS_PIO, IO + 0x01, 1), 0x7f);
	assert_int_equal(bus_read(r->m.bus, BUS_PIO, IO + 0x0d, 1), 0x7f);
	/* ... except in the port range, where 11h decodes as port 1. */
	assert_int_equal(bus_read(r->m.bus, BUS_PIO, IO + 0x11, 1), 0x83);
	assert_int_equal(bus_read(r->m.bus, BUS_PIO, IO + 0x10, 4), 0x00800083);
	rig_free(r);
}

/* §2.1.7: port reset, enable only with a device, CSC/PEC write-1-to-clear (QEMU's answers). */
static void portsc_bits(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);

	(void)state;
	outw(r, 0x10, 0x0200);
	assert_int_equal(inw(r, 0x10), 0x0283);
	outw(r, 0x10, 0x0000);
	outw(r, 0x10, 0x0004);
	assert_int_equal(inw(r, 0x10), 0x0087);
	/* Writing CSC|PEC without PE clears the changes and disables the port. */
	outw(r, 0x10, 0x000a);
	assert_int_equal(inw(r, 0x10), 0x0081);
	outw(r, 0x10, 0x000e);
	assert_int_equal(inw(r, 0x10), 0x0085);
	/* No device on port 2: PE does not stick. */
	outw(r, 0x12, 0x0004);
	assert_int_equal(inw(r, 0x12), 0x0080);
	rig_free(r);
}

/* §2.1.1/§2.1.4: FRNUM counts 1 ms frames while RS is set, is writable only halted. */
static void frnum_and_halt(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);

	(void)state;
	outw(r, 0x06, 0x0123);
	assert_int_equal(inw(r, 0x06), 0x0123);
	outw(r, 0x06, 0x0000);
	bus_write(r->m.bus, BUS_PIO, IO + 8, FL, 4);
	wr32(r, FL, 1);
	outw(r, 0x00, 0x0001);
	assert_int_equal(inw(r, 0x02), 0x0000);
	step(r, 34);
	assert_int_equal(inw(r, 0x06), 34);
	outw(r, 0x06, 0x0200); /* running: ignored */
	assert_int_equal(inw(r, 0x06), 34);
	outw(r, 0x00, 0x0000);
	assert_int_equal(inw(r, 0x02), 0x0020);
	step(r, 5);
	assert_int_equal(inw(r, 0x06), 34);
	/* The frame counter wraps at 7FFh (§2.1.4: 11 bits; the list index is bits 9:0). */
	outw(r, 0x06, 0x07ff);
	outw(r, 0x00, 0x0001);
	step(r, 2);
	assert_int_equal(inw(r, 0x06), 0x0001);
	/* HCRESET: registers back to reset, FRNUM kept (as QEMU 7.2). */
	outw(r, 0x00, 0x0002);
	assert_int_equal(inw(r, 0x00), 0x0000);
	assert_int_equal(inw(r, 0x02), 0x0020);
	assert_int_equal(inw(r, 0x06), 0x0001);
	assert_int_equal(inw(r, 0x10), 0x0083);
	assert_int_equal(loop_timers_armed(r->m.loop), 0);
	rig_free(r);
}

/* ---------------------------------------------------------------- enumeration */

/* USB 2.0 §9.4.3 GET_DESCRIPTOR: the tablet's bytes, as Linux read them under qemu-xen. */
static void tablet_descriptors(void **state)
{
	static const uint8_t device[18] = { 0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27,
					    0x06, 0x01, 0x00, 0x00, 0x00, 0x01, 0x03, 0x0a, 0x01 };
	static const uint8_t config[34] = { 0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x07, 0xa0, 0x32,
					    0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00,
					    0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x4a, 0x00,
					    0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a };
	/* QEMU 7.2's answers: "28754-0000:00:01.2-1" on pc (xenfv: "42", below). */
	static const char serial[] = "28754-0000:00:01.2-1";
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t buf[256];

	(void)state;
	start_schedule(r);
	/* wLength 64 at address 0: the whole 18 bytes, the last IN TD short. */
	get(r, 0, "8006000100004000", buf, 64, 18);
	assert_memory_equal(buf, device, 18);
	get(r, 0, "0005010000000000", NULL, 0, 0);
	/* The old address no longer answers: the SETUP times out (§3.2.2 bit 18). */
	control(r, 0, (const uint8_t *)"\x80\x06\x00\x01\x00\x00\x12\x00", 18, NULL);
	assert_int_equal(td_ctrl(r, 0), 0x00040000); /* C_ERR to 0 (QEMU) */
	assert_int_equal(inw(r, 0x02) & 0x0002, 0x0002);
	outw(r, 0x02, 0x003f);
	get(r, 1, "8006000200000900", buf, 9, 9);
	assert_memory_equal(buf, config, 9);
	get(r, 1, "8006000200002200", buf, 34, 34);
	assert_memory_equal(buf, config, 34);
	/* String 0 (§9.6.7): US English. */
	get(r, 1, "800600030000ff00", buf, 8, 4);
	assert_memory_equal(buf, "\x04\x03\x09\x04", 4);
	get(r, 1, "80060a030904ff00", buf, 48, 2 + 2 * (unsigned)strlen(serial));
	for (unsigned i = 0; i < strlen(serial); i++)
		assert_int_equal(buf[2 + 2 * i], serial[i]);
	/* The HID report descriptor (HID 1.11 §7.1.1): 74 bytes, QEMU's. */
	get(r, 1, "810600220000ff00", buf, 80, 74);
	assert_memory_equal(buf, "\x05\x01\x09\x02\xa1\x01\x09\x01\xa1\x00", 10);
	assert_memory_equal(buf + 70, "\x81\x06\xc0\xc0", 4);
	rig_free(r);
}

/* The xenfv machine's tablet serial is "42" (QEMU's pc-i440fx-3.1 compatibility, golden). */
static void tablet_serial_xenfv(void **state)
{
	struct rig *r = rig_new(MACHINE_XENFV, tablet_specs);
	uint8_t buf[16];

	(void)state;
	start_schedule(r);
	get(r, 0, "80060a030904ff00", buf, 16, 6);
	assert_memory_equal(buf,
			    "\x06\x03"
			    "4\0"
			    "2\0",
			    6);
	rig_free(r);
}

/* §9.4.2/§9.4.7/§9.4.4: configuration, status and the remote wakeup feature. */
static void configuration_and_status(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t buf[8];

	(void)state;
	start_schedule(r);
	get(r, 0, "0005010000000000", NULL, 0, 0);
	get(r, 1, "8008000000000100", buf, 1, 1);
	assert_int_equal(buf[0], 0);
	get(r, 1, "0009010000000000", NULL, 0, 0);
	get(r, 1, "8008000000000100", buf, 1, 1);
	assert_int_equal(buf[0], 1);
	get(r, 1, "8000000000000200", buf, 2, 2);
	assert_memory_equal(buf, "\x00\x00", 2);
	get(r, 1, "0003010000000000", NULL, 0, 0);
	get(r, 1, "8000000000000200", buf, 2, 2);
	assert_memory_equal(buf, "\x02\x00", 2);
	/* A configuration the device does not have stalls at the status stage. */
	control(r, 1, (const uint8_t *)"\x00\x09\x02\x00\x00\x00\x00\x00", 0, NULL);
	assert_int_equal(td_ctrl(r, 1) & (1u << 22), 1u << 22);
	rig_free(r);
}

/* ---------------------------------------------------------------- HID */

/* HID 1.11 §4.4, §7.2: interrupt IN NAKs until an event; the tablet report is absolute. */
static void tablet_report(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t rep[8];

	(void)state;
	enumerate(r);
	/* The PS/2 mouse is not here: the tablet is the only pointer; not yet active. */
	td(r, 0, 1, ACTIVE | CERR3 | IOC, token(PID_IN, 1, 1, 8, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(td_ctrl(r, 0), ACTIVE | CERR3 | IOC | (1u << 19)); /* NAK */
	assert_int_equal(rd32(r, QH + 4), TD0);
	assert_true(input_pointer_absolute(&r->m));
	input_pointer_abs(&r->m, 0x1234, 0x4321, 1, INPUT_BTN_LEFT);
	step(r, 1);
	assert_int_equal(td_ctrl(r, 0), CERR3 | IOC | 5);
	assert_int_equal(rd32(r, QH + 4), 1);
	assert_int_equal(gm_read(&r->m.mem, DATA, rep, 6), 0);
	/* Buttons, X, Y (16 bits each), wheel counting away from the user. */
	assert_memory_equal(rep, "\x01\x34\x12\x21\x43\xff", 6);
	assert_int_equal(inw(r, 0x02), 0x0001);
	assert_true(r->intx);
	outw(r, 0x02, 0x0001);
	assert_false(r->intx);
	rig_free(r);
}

/* Motion without a button change merges into the queued event (QEMU's hid_pointer_sync). */
static void tablet_queue_merges(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t rep[8];

	(void)state;
	enumerate(r);
	input_pointer_abs(&r->m, 100, 200, 0, 0);
	input_pointer_abs(&r->m, 300, 400, 0, 0);
	input_pointer_abs(&r->m, 300, 400, 0, INPUT_BTN_RIGHT);
	for (unsigned i = 0; i < 3; i++) {
		td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
		wr32(r, QH + 4, TD0);
		step(r, 1);
		assert_int_equal(gm_read(&r->m.mem, DATA, rep, 6), 0);
		if (i == 0)
			assert_memory_equal(rep, "\x00\x2c\x01\x90\x01\x00", 6);
		else if (i == 1)
			assert_memory_equal(rep, "\x02\x2c\x01\x90\x01\x00", 6);
		else
			assert_int_equal(td_ctrl(r, 0) & (1u << 19), 1u << 19); /* nothing left */
	}
	rig_free(r);
}

/* HID 1.11 §7.2.4 SET_IDLE: the report repeats every idle period (4 ms units). */
static void idle_rate(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t buf[2];

	(void)state;
	enumerate(r);
	get(r, 1, "210a000200000000", NULL, 0, 0); /* wValue 0x0200: 2 x 4 ms */
	get(r, 1, "a102000000000100", buf, 1, 1);
	assert_int_equal(buf[0], 2);
	/* The period passed during the transfers: a report is due at once. */
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(td_ctrl(r, 0), CERR3 | 5);
	/* The next one 8 ms after it. */
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 6);
	assert_int_equal(td_ctrl(r, 0) & ACTIVE, ACTIVE);
	step(r, 4);
	assert_int_equal(td_ctrl(r, 0), CERR3 | 5);
	/* The tablet has no boot protocol: GET_PROTOCOL stalls (QEMU). */
	control(r, 1, (const uint8_t *)"\xa1\x03\x00\x00\x00\x00\x01\x00", 1, NULL);
	assert_int_equal(td_ctrl(r, 0) & (1u << 22), 1u << 22);
	rig_free(r);
}

/* The keyboard (HID 1.11 appendix B.1): boot report, LEDs through SET_REPORT. */
static void keyboard(void **state)
{
	static const char *const specs[] = { "piix3-usb-uhci,addr=01.2", "usb-kbd", NULL };
	struct rig *r = rig_new(MACHINE_PC, specs);
	uint8_t buf[8];

	(void)state;
	enumerate(r);
	get(r, 1, "a103000000000100", buf, 1, 1);
	assert_int_equal(buf[0], 1); /* report protocol */
	get(r, 1, "210b000000000000", NULL, 0, 0);
	get(r, 1, "a103000000000100", buf, 1, 1);
	assert_int_equal(buf[0], 0);
	input_key(&r->m, 0x0014, true); /* left Ctrl: modifier bit 0 */
	input_key(&r->m, 0x001c, true); /* 'a': usage 4 */
	for (unsigned i = 0; i < 2; i++) {
		td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
		wr32(r, QH + 4, TD0);
		step(r, 1);
	}
	assert_int_equal(gm_read(&r->m.mem, DATA, buf, 8), 0);
	assert_memory_equal(buf, "\x01\x00\x04\x00\x00\x00\x00\x00", 8);
	/* SET_REPORT output: Num Lock and Caps Lock (bits 0, 1). */
	assert_int_equal(gm_write(&r->m.mem, DATA, "\x03", 1), 0);
	control_ok(r, 1, (const uint8_t *)"\x21\x09\x00\x02\x00\x00\x01\x00", 1);
	assert_int_equal(input_leds(&r->m), INPUT_LED_NUM | INPUT_LED_CAPS);
	rig_free(r);
}

/* The mouse: relative motion clamped to ±127 per report, the rest in the next one. */
static void mouse(void **state)
{
	static const char *const specs[] = { "piix3-usb-uhci,addr=01.2", "usb-mouse", NULL };
	struct rig *r = rig_new(MACHINE_PC, specs);
	uint8_t buf[4];

	(void)state;
	enumerate(r);
	input_pointer_rel(&r->m, 200, -3, 0, 0);
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 4, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(gm_read(&r->m.mem, DATA, buf, 4), 0);
	assert_memory_equal(buf, "\x00\x7f\xfd\x00", 4);
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 4, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(gm_read(&r->m.mem, DATA, buf, 4), 0);
	assert_memory_equal(buf, "\x00\x49\x00\x00", 4);
	rig_free(r);
}

/* ---------------------------------------------------------------- hostile schedules */

/* A QH whose link points at itself (and a frame list of it): bounded, the frame moves on. */
static void self_linked_qh(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint16_t fr;

	(void)state;
	enumerate(r);
	wr32(r, QH, QH | 2); /* the QH's horizontal link: itself */
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA); /* NAKs forever */
	wr32(r, QH + 4, TD0);
	fr = inw(r, 0x06);
	step(r, 10);
	assert_int_equal(inw(r, 0x06), fr + 10); /* every frame ended */
	assert_int_equal(td_ctrl(r, 0) & (ACTIVE | (1u << 19)), ACTIVE | (1u << 19));
	/* An event still completes it: the controller is usable. */
	input_pointer_abs(&r->m, 1, 2, 0, 0);
	step(r, 1);
	assert_int_equal(td_ctrl(r, 0) & ACTIVE, 0);
	rig_free(r);
}

/* A TD chain that points back at itself (depth first): at most one frame's worth of work. */
static void self_linked_td(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint16_t fr;

	(void)state;
	enumerate(r);
	for (unsigned i = 0; i < 16; i++)
		input_pointer_abs(&r->m, i, i, 0, i & 1);
	/* Inactive TDs that link to themselves, and an active one in a ring of two. */
	wr32(r, QH + 4, TD0);
	td(r, 0, (TD0 + 0x20) | 4, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
	td(r, 1, TD0 | 4, CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
	fr = inw(r, 0x06);
	step(r, 1);
	assert_int_equal(inw(r, 0x06), fr + 1);
	/* TD0 completed once (one report), TD1 was walked and left as it was. */
	assert_int_equal(td_ctrl(r, 0), CERR3 | 5);
	assert_int_equal(td_ctrl(r, 1), CERR3);
	rig_free(r);
}

/* CVE-2020-14364's shape: SETUP with wLength 0xffff stalls; nothing is copied past the buffer. */
static void setup_wlength_huge(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t buf[18];

	(void)state;
	enumerate(r);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(gm_write(&r->m.mem, DATA, buf, sizeof(buf)), 0);
	control(r, 1, (const uint8_t *)"\x80\x06\x00\x01\x00\x00\xff\xff", 16, NULL);
	assert_int_equal(td_ctrl(r, 0), CERR3 | (1u << 22));
	assert_int_equal(inw(r, 0x02) & 0x0002, 0x0002);
	outw(r, 0x02, 0x003f);
	/* OUT data for an OUT request with a huge wLength: stalled at SETUP too. */
	control(r, 1, (const uint8_t *)"\x21\x09\x00\x02\x00\x00\x01\x20", 8, NULL);
	assert_int_equal(td_ctrl(r, 0), CERR3 | (1u << 22));
	outw(r, 0x02, 0x003f);
	/* A SETUP that is not 8 bytes stalls (USB 2.0 §9.3). */
	td(r, 0, 1, ACTIVE | CERR3, token(PID_SETUP, 1, 0, 7, 0), SETUPBUF);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(td_ctrl(r, 0), CERR3 | (1u << 22));
	outw(r, 0x02, 0x003f);
	/* The device still answers. */
	get(r, 1, "8006000100001200", buf, 18, 18);
	assert_int_equal(buf[0], 0x12);
	rig_free(r);
}

/* A TD buffer running off the top of guest memory: Host System Error, halted (§2.1.2). */
static void td_buffer_outside_ram(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint32_t top = (RAM_MB << 20) - 4;

	(void)state;
	enumerate(r);
	input_pointer_abs(&r->m, 1, 2, 0, 0);
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 0x500, 0), top);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(inw(r, 0x02) & 0x0028, 0x0028); /* HSE, halted */
	assert_true(r->intx);
	assert_int_equal(inw(r, 0x00) & 1, 0);
	/* HCRESET and a new schedule: usable again. */
	outw(r, 0x00, 0x0002);
	assert_false(r->intx);
	enumerate(r);
	rig_free(r);
}

/* The frame list itself at the top of guest memory and beyond it. */
static void frame_list_outside_ram(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);

	(void)state;
	bus_write(r->m.bus, BUS_PIO, IO + 8, 0xfffff000u, 4);
	outw(r, 0x00, 0x0001);
	step(r, 3);
	assert_int_equal(inw(r, 0x02) & 0x0028, 0x0028);
	assert_int_equal(loop_timers_armed(r->m.loop), 0);
	rig_free(r);
}

/* A TD with an undefined PID: Host Controller Process Error, RS cleared (§2.1.2 bit 4). */
static void bad_pid(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);

	(void)state;
	enumerate(r);
	td(r, 0, 1, ACTIVE | CERR3, 0x00e00155, DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(inw(r, 0x02) & 0x0030, 0x0030);
	assert_true(r->intx);
	rig_free(r);
}

/* A controller reset in the middle of a control transfer: the device restarts cleanly. */
static void reset_mid_transfer(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	uint8_t buf[18];

	(void)state;
	enumerate(r);
	/* SETUP and one IN, then GRESET before the rest. */
	assert_int_equal(gm_write(&r->m.mem, SETUPBUF, "\x80\x06\x00\x01\x00\x00\x12\x00", 8), 0);
	td(r, 0, (TD0 + 0x20) | 4, ACTIVE | CERR3, token(PID_SETUP, 1, 0, 8, 0), SETUPBUF);
	td(r, 1, 1, ACTIVE | CERR3, token(PID_IN, 1, 0, 8, 1), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	outw(r, 0x00, 0x0004);
	outw(r, 0x00, 0x0000);
	/* The device went back to address 0 and default state. */
	start_schedule(r);
	get(r, 0, "8006000100001200", buf, 18, 18);
	assert_int_equal(buf[1], 1);
	rig_free(r);
}

/* Bus mastering off: frames pass, nothing is fetched or written. */
static void no_bus_master(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);

	(void)state;
	enumerate(r);
	input_pointer_abs(&r->m, 1, 2, 0, 0);
	bus_pci_write(r->m.bus, UHCI_DEVFN, 0x04, 0x0001, 2);
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 3);
	assert_int_equal(td_ctrl(r, 0), ACTIVE | CERR3);
	bus_pci_write(r->m.bus, UHCI_DEVFN, 0x04, 0x0005, 2);
	step(r, 1);
	assert_int_equal(td_ctrl(r, 0) & ACTIVE, 0);
	rig_free(r);
}

/* ---------------------------------------------------------------- save/restore */

static void save_restore(void **state)
{
	struct rig *r = rig_new(MACHINE_PC, tablet_specs);
	struct snap_wr w;
	uint8_t rep[6];

	(void)state;
	enumerate(r);
	input_pointer_abs(&r->m, 0x100, 0x200, 0, 0);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&r->m, &w), 0);
	/* Change everything, then load the stream back. */
	outw(r, 0x00, 0x0004);
	outw(r, 0x00, 0x0000);
	assert_int_equal(dm_state_load(&r->m, w.buf, w.len), 0);
	assert_int_equal(inw(r, 0x00) & 1, 1);
	assert_int_equal(inw(r, 0x10), 0x0085);
	td(r, 0, 1, ACTIVE | CERR3, token(PID_IN, 1, 1, 8, 0), DATA);
	wr32(r, QH + 4, TD0);
	step(r, 1);
	assert_int_equal(gm_read(&r->m.mem, DATA, rep, 6), 0);
	assert_memory_equal(rep, "\x00\x00\x01\x00\x02\x00", 6);
	/* A forged stream (a truncated one) changes nothing. */
	assert_int_not_equal(dm_state_load(&r->m, w.buf, w.len - 3), 0);
	snap_wr_free(&w);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pci_identity),
		cmocka_unit_test(register_reset_values),
		cmocka_unit_test(portsc_bits),
		cmocka_unit_test(frnum_and_halt),
		cmocka_unit_test(tablet_descriptors),
		cmocka_unit_test(tablet_serial_xenfv),
		cmocka_unit_test(configuration_and_status),
		cmocka_unit_test(tablet_report),
		cmocka_unit_test(tablet_queue_merges),
		cmocka_unit_test(idle_rate),
		cmocka_unit_test(keyboard),
		cmocka_unit_test(mouse),
		cmocka_unit_test(self_linked_qh),
		cmocka_unit_test(self_linked_td),
		cmocka_unit_test(setup_wlength_huge),
		cmocka_unit_test(td_buffer_outside_ram),
		cmocka_unit_test(frame_list_outside_ram),
		cmocka_unit_test(bad_pid),
		cmocka_unit_test(reset_mid_transfer),
		cmocka_unit_test(no_bus_master),
		cmocka_unit_test(save_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
