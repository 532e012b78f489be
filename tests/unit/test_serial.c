// SPDX-License-Identifier: GPL-2.0-only
/*
 * serial: the 16550A through the port bus, section by section of the
 * National PC16550D datasheet (June 1995), with QEMU 7.2 hw/char/serial.c
 * values where the two differ (MCR/MSR at reset, THRE re-arming, OUT2).
 * The receive path comes through a real chardev (a socketpair passed as
 * "socket,fd=N"), the IRQ line through a recording platform, time through
 * the loop's virtual clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "dm/bus.h"
#include "dm/chardev.h"
#include "dm/device.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/isa/serial.h"

#define COM1 0x3f8
#define RBR  0
#define IER  1
#define IIR  2
#define FCR  2
#define LCR  3
#define MCR  4
#define LSR  5
#define MSR  6
#define SCR  7

#define MAX_EDGES 256

struct rig {
	struct machine m;
	struct machine_opts o;
	struct dm_dev *dev;
	int peer; /* the host side of the serial's chardev, or -1 */
	bool level[16];
	unsigned edges[16]; /* level changes seen per IRQ */
	unsigned calls;	    /* isa_irq calls in all */
};

static void rec_isa_irq(void *opaque, unsigned irq, bool level)
{
	struct rig *r = opaque;

	r->calls++;
	if (r->level[irq] != level)
		r->edges[irq]++;
	r->level[irq] = level;
}

static const struct platform_ops rec_ops = { .isa_irq = rec_isa_irq };

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->peer = -1;
	r->m.opts = &r->o;
	r->m.devs_tail = &r->m.devs;
	r->m.bus = bus_new();
	assert_non_null(r->m.bus);
	r->m.loop = loop_new(true);
	assert_non_null(r->m.loop);
	r->m.plat.ops = &rec_ops;
	r->m.plat.opaque = r;
}

/* A serial port from spec; with_peer: connected to a socketpair we hold the other end of. */
static int rig_add(struct rig *r, const char *spec, bool with_peer)
{
	char err[256], full[256], cspec[64];
	struct dm_dev *d;
	int sv[2], ret;

	if (with_peer) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		snprintf(cspec, sizeof(cspec), "socket,id=host,fd=%d", sv[0]);
		assert_int_equal(chardev_add_opt(&r->m, cspec, err, sizeof(err)), 0);
		r->peer = sv[1];
		snprintf(full, sizeof(full), "%s,chardev=host", spec);
		spec = full;
	}
	ret = dev_parse(&r->m, spec, &d, err, sizeof(err));
	if (ret)
		return ret;
	ret = dev_realize(d);
	if (ret)
		return ret;
	r->dev = d;
	return 0;
}

static void rig_build(struct rig *r, bool with_peer)
{
	rig_init(r);
	assert_int_equal(rig_add(r, "serial", with_peer), 0);
}

static void rig_free(struct rig *r)
{
	while (r->m.devs) {
		struct dm_dev *d = r->m.devs;

		r->m.devs = d->next;
		dev_free(d);
	}
	chardev_set_free(&r->m);
	if (r->peer >= 0)
		close(r->peer);
	loop_free(r->m.loop);
	bus_free(r->m.bus);
}

static uint8_t rd(struct rig *r, unsigned reg)
{
	return (uint8_t)bus_read(r->m.bus, BUS_PIO, COM1 + reg, 1);
}

static void wr(struct rig *r, unsigned reg, uint8_t v)
{
	bus_write(r->m.bus, BUS_PIO, COM1 + reg, v, 1);
}

/* Host input: write to the peer and let the loop carry it into the UART. */
static void host_send(struct rig *r, const void *buf, size_t n)
{
	assert_int_equal(write(r->peer, buf, n), (ssize_t)n);
	for (int i = 0; i < 8; i++)
		loop_iterate(r->m.loop, 0);
}

/* Bytes the guest sent, as the host sees them. */
static size_t host_recv(struct rig *r, void *buf, size_t n)
{
	ssize_t got = recv(r->peer, buf, n, MSG_DONTWAIT);

	return got < 0 ? 0 : (size_t)got;
}

/* QEMU's character time: (1e9 / speed) * frame bits, in float, speed 3500 for divisor 0. */
static uint64_t qemu_char_ns(unsigned divisor, int frame)
{
	float speed = divisor ? 115200.0f / (float)divisor : 3500.0f;

	return (uint64_t)((1000000000.0f / speed) * (float)frame);
}

/* UART Reset Configuration table; MCR 0x08 and MSR 0xb0 as QEMU resets them. */
static void reset_values(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	assert_int_equal(rd(&r, IER), 0x00);
	assert_int_equal(rd(&r, IIR), 0x01);
	assert_int_equal(rd(&r, LCR), 0x00);
	assert_int_equal(rd(&r, MCR), 0x08);
	assert_int_equal(rd(&r, LSR), 0x60);
	assert_int_equal(rd(&r, MSR), 0xb0);
	assert_int_equal(rd(&r, SCR), 0x00);
	assert_int_equal(rd(&r, RBR), 0x00);
	wr(&r, LCR, 0x80);
	assert_int_equal(rd(&r, RBR), 0x0c); /* DLL: 9600 baud */
	assert_int_equal(rd(&r, IER), 0x00); /* DLM */
	assert_false(r.level[4]);
	rig_free(&r);
}

/* A system reset brings every register back, whatever the guest did. */
static void reset_after_use(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, FCR, 0xc7);
	wr(&r, IER, 0x0f);
	wr(&r, LCR, 0x1b);
	wr(&r, MCR, 0x1f);
	wr(&r, SCR, 0x55);
	wr(&r, RBR, 'x'); /* looped back: DR */
	assert_true(r.level[4]);
	r.dev->type->reset(r.dev, RESET_SYSTEM);
	assert_false(r.level[4]);
	assert_int_equal(rd(&r, IER), 0);
	assert_int_equal(rd(&r, IIR), 0x01);
	assert_int_equal(rd(&r, LCR), 0);
	assert_int_equal(rd(&r, MCR), 0x08);
	assert_int_equal(rd(&r, LSR), 0x60);
	assert_int_equal(rd(&r, MSR), 0xb0);
	assert_int_equal(rd(&r, SCR), 0);
	rig_free(&r);
}

/* 8.3: DLAB=1 maps the divisor latch over RBR/THR and IER. */
static void divisor_latch(void **state)
{
	struct rig r;
	uint8_t c;

	(void)state;
	rig_build(&r, true);
	wr(&r, IER, 0x05);
	wr(&r, LCR, 0x83);
	wr(&r, RBR, 0x01);
	wr(&r, IER, 0x02);
	assert_int_equal(rd(&r, RBR), 0x01);
	assert_int_equal(rd(&r, IER), 0x02);
	assert_int_equal(host_recv(&r, &c, 1), 0); /* a DLL write sends nothing */
	wr(&r, LCR, 0x03);
	assert_int_equal(rd(&r, IER), 0x05); /* IER untouched by DLM writes */
	assert_int_equal(rd(&r, LCR), 0x03);
	wr(&r, LCR, 0x83);
	assert_int_equal(rd(&r, RBR), 0x01);
	assert_int_equal(rd(&r, IER), 0x02);
	rig_free(&r);
}

/* 8.10: the scratchpad holds any byte. */
static void scratch_register(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	for (unsigned v = 0; v < 256; v += 37) {
		wr(&r, SCR, (uint8_t)v);
		assert_int_equal(rd(&r, SCR), v);
	}
	rig_free(&r);
}

/* 8.5/8.6: FCR0 enables the FIFOs, IIR[7:6] read 11 while they are on; IER[7:4] read 0. */
static void fifo_enable_and_iir_bits(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, FCR, 0x01);
	assert_int_equal(rd(&r, IIR), 0xc1);
	wr(&r, FCR, 0x00);
	assert_int_equal(rd(&r, IIR), 0x01);
	wr(&r, IER, 0xff);
	assert_int_equal(rd(&r, IER), 0x0f);
	rig_free(&r);
}

/* 8.11: RDI at the trigger level (1, 4, 8, 14), not below it. */
static void fifo_trigger_levels(void **state)
{
	static const uint8_t fcr[4] = { 0x01, 0x41, 0x81, 0xc1 };
	static const unsigned level[4] = { 1, 4, 8, 14 };
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, MCR, 0x10); /* loopback feeds the receiver */
	wr(&r, IER, 0x01);
	for (int i = 0; i < 4; i++) {
		wr(&r, FCR, (uint8_t)(fcr[i] | 0x06));
		for (unsigned n = 1; n <= level[i]; n++) {
			assert_int_equal(rd(&r, IIR), 0xc1);
			wr(&r, RBR, (uint8_t)n);
		}
		assert_int_equal(rd(&r, IIR), 0xc4);
		assert_true(r.level[4]);
		/* Reading one byte drops below the level: the interrupt goes. */
		assert_int_equal(rd(&r, RBR), 1);
		if (level[i] > 1)
			assert_int_equal(rd(&r, IIR), 0xc1);
	}
	rig_free(&r);
}

/* 8.5: RCVR FIFO reset empties it and clears DR; XMIT reset makes THR empty. */
static void fifo_reset_bits(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, FCR, 0x01);
	wr(&r, MCR, 0x10);
	wr(&r, RBR, 'a');
	wr(&r, RBR, 'b');
	assert_int_equal(rd(&r, LSR) & 0x01, 0x01);
	wr(&r, FCR, 0x03);
	assert_int_equal(rd(&r, LSR), 0x60);
	assert_int_equal(rd(&r, RBR), 0); /* empty FIFO reads 0 */
	/* Toggling FCR0 clears both FIFOs too. */
	wr(&r, RBR, 'c');
	wr(&r, FCR, 0x00);
	assert_int_equal(rd(&r, LSR), 0x60);
	rig_free(&r);
}

/* 8.6: line status > received data > THR empty, each cleared its own way. */
static void iir_priority_order(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, MCR, 0x10);
	wr(&r, RBR, 'a');
	wr(&r, RBR, 'b'); /* 16450 mode: overrun */
	wr(&r, IER, 0x07);
	assert_int_equal(rd(&r, IIR), 0x06); /* line status */
	assert_int_equal(rd(&r, LSR), 0x63); /* DR OE THRE TEMT; OE clears on read */
	assert_int_equal(rd(&r, IIR), 0x04); /* received data */
	assert_int_equal(rd(&r, RBR), 'b');
	assert_true(r.level[4]);
	assert_int_equal(rd(&r, IIR), 0x02); /* THR empty, cleared by this read */
	assert_int_equal(rd(&r, IIR), 0x01);
	assert_false(r.level[4]);
	rig_free(&r);
}

/* 8.6/8.7 + QEMU: THRE raised on enable, cleared by IIR read or THR write, re-raised on TX. */
static void thre_interrupt(void **state)
{
	struct rig r;
	unsigned e;

	(void)state;
	rig_build(&r, true);
	assert_false(r.level[4]);
	wr(&r, IER, 0x02);
	assert_true(r.level[4]);
	assert_int_equal(rd(&r, IIR), 0x02);
	assert_false(r.level[4]);
	assert_int_equal(rd(&r, IIR), 0x01);
	/* Re-enabling samples THRE again (Windows relies on it). */
	wr(&r, IER, 0x00);
	wr(&r, IER, 0x02);
	assert_true(r.level[4]);
	/* A THR write withdraws it and the immediate transmit raises it anew: an edge. */
	e = r.edges[4];
	wr(&r, RBR, 'z');
	assert_true(r.level[4]);
	assert_int_equal(r.edges[4], e + 2);
	assert_int_equal(rd(&r, IIR), 0x02);
	/* Writing IER with THRI unchanged does not re-arm it. */
	wr(&r, IER, 0x02);
	assert_int_equal(rd(&r, IIR), 0x01);
	rig_free(&r);
}

/* QEMU ignores MCR.OUT2 for the IRQ line (a real PC gates it); we match QEMU. */
static void out2_does_not_gate_irq(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, MCR, 0x00);
	wr(&r, IER, 0x02);
	assert_true(r.level[4]);
	rig_free(&r);
}

/* 8.8: loopback returns TX to RX and the modem outputs to the inputs. */
static void loopback_echo_and_modem_lines(void **state)
{
	static const struct {
		uint8_t mcr, msr;
	} lines[] = {
		{ 0x10, 0x00 }, { 0x11, 0x20 }, { 0x12, 0x10 }, { 0x14, 0x40 },
		{ 0x18, 0x80 }, { 0x1f, 0xf0 }, { 0x1a, 0x90 }, /* Linux's 8250 probe */
	};
	struct rig r;
	uint8_t c;

	(void)state;
	rig_build(&r, true);
	wr(&r, MCR, 0x10);
	wr(&r, RBR, 'L');
	assert_int_equal(rd(&r, LSR), 0x61);
	assert_int_equal(rd(&r, RBR), 'L');
	assert_int_equal(rd(&r, LSR), 0x60);
	assert_int_equal(host_recv(&r, &c, 1), 0); /* nothing reached the host */
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		wr(&r, MCR, lines[i].mcr);
		assert_int_equal(rd(&r, MSR), lines[i].msr);
	}
	wr(&r, MCR, 0x08);
	assert_int_equal(rd(&r, MSR), 0xb0);
	wr(&r, RBR, 'H');
	assert_int_equal(host_recv(&r, &c, 1), 1);
	assert_int_equal(c, 'H');
	rig_free(&r);
}

/* 8.4: DR, OE (FIFO mode: the 17th byte is lost, the FIFO kept), THRE/TEMT after TX. */
static void lsr_bits(void **state)
{
	struct rig r;

	(void)state;
	rig_build(&r, false);
	wr(&r, FCR, 0x01);
	wr(&r, MCR, 0x10);
	for (unsigned i = 0; i < 17; i++)
		wr(&r, RBR, (uint8_t)i);
	assert_int_equal(rd(&r, LSR), 0x63);
	assert_int_equal(rd(&r, LSR), 0x61); /* OE read-clears */
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rd(&r, RBR), i);
	assert_int_equal(rd(&r, LSR), 0x60);
	/* Line status interrupt follows OE. */
	wr(&r, IER, 0x04);
	for (unsigned i = 0; i < 17; i++)
		wr(&r, RBR, (uint8_t)i);
	assert_int_equal(rd(&r, IIR), 0xc6);
	assert_true(r.level[4]);
	(void)rd(&r, LSR);
	assert_int_equal(rd(&r, IIR), 0xc1);
	assert_false(r.level[4]);
	/* LSR and MSR writes change nothing. */
	wr(&r, LSR, 0x00);
	wr(&r, MSR, 0x00);
	assert_int_equal(rd(&r, LSR), 0x61);
	rig_free(&r);
}

/* Bytes written to THR reach the chardev in order. */
static void tx_reaches_chardev(void **state)
{
	struct rig r;
	char buf[32];

	(void)state;
	rig_build(&r, true);
	for (const char *p = "hello, world"; *p; p++)
		wr(&r, RBR, (uint8_t)*p);
	assert_int_equal(host_recv(&r, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello, world", 12);
	wr(&r, FCR, 0x07);
	wr(&r, RBR, '!');
	assert_int_equal(host_recv(&r, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], '!');
	rig_free(&r);
}

/* Host input enters through the FIFO under flow control: nothing lost, in order. */
static void rx_through_chardev(void **state)
{
	struct rig r;
	char msg[40];
	unsigned got = 0;

	(void)state;
	rig_build(&r, true);
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('A' + i);
	wr(&r, FCR, 0xc7); /* trigger 14 */
	wr(&r, IER, 0x01);
	host_send(&r, msg, sizeof(msg));
	/* QEMU's flow control stops at the trigger level: RDI, no overrun. */
	assert_int_equal(rd(&r, IIR), 0xc4);
	while (got < sizeof(msg)) {
		unsigned before = got;

		while (rd(&r, LSR) & 0x01)
			assert_int_equal(rd(&r, RBR), (uint8_t)msg[got++]);
		for (int i = 0; i < 4; i++)
			loop_iterate(r.m.loop, 0);
		assert_true(got > before);
	}
	assert_int_equal(rd(&r, LSR), 0x60);
	/* 16450 mode takes one byte per RBR read. */
	wr(&r, FCR, 0x00);
	host_send(&r, "xy", 2);
	assert_int_equal(rd(&r, LSR), 0x61);
	assert_int_equal(rd(&r, RBR), 'x');
	for (int i = 0; i < 4; i++)
		loop_iterate(r.m.loop, 0);
	assert_int_equal(rd(&r, LSR), 0x61);
	assert_int_equal(rd(&r, RBR), 'y');
	rig_free(&r);
}

/* 8.11: character timeout after 4 character times without FIFO activity. */
static void fifo_char_timeout(void **state)
{
	/* QEMU's reset character time: (1e9 / 9600) * 10 ns. */
	const uint64_t reset_char = 1041660;
	struct rig r;
	uint64_t t0;

	(void)state;
	rig_build(&r, false);
	wr(&r, FCR, 0x81); /* trigger 8 */
	wr(&r, IER, 0x01);
	wr(&r, MCR, 0x10);
	t0 = loop_now(r.m.loop);
	wr(&r, RBR, 'a');
	wr(&r, RBR, 'b');
	assert_int_equal(rd(&r, IIR), 0xc1);
	loop_clock_set(r.m.loop, t0 + 4 * reset_char - 1);
	assert_int_equal(rd(&r, IIR), 0xc1);
	loop_clock_set(r.m.loop, t0 + 4 * reset_char);
	assert_int_equal(rd(&r, IIR), 0xcc);
	assert_true(r.level[4]);
	/* A read clears it and restarts the timer for the byte left. */
	assert_int_equal(rd(&r, RBR), 'a');
	assert_int_equal(rd(&r, IIR), 0xc1);
	assert_false(r.level[4]);
	loop_clock_step(r.m.loop, 4 * reset_char);
	assert_int_equal(rd(&r, IIR), 0xcc);
	assert_int_equal(rd(&r, RBR), 'b');
	assert_int_equal(rd(&r, IIR), 0xc1);
	/* Empty FIFO: no timeout. */
	loop_clock_step(r.m.loop, 100 * reset_char);
	assert_int_equal(rd(&r, IIR), 0xc1);
	/* 115200 8N1: 10-bit frames at QEMU's float arithmetic (86805 ns). */
	assert_int_equal(qemu_char_ns(1, 10), 86805);
	wr(&r, LCR, 0x83);
	wr(&r, RBR, 0x01);
	wr(&r, IER, 0x00);
	wr(&r, LCR, 0x03);
	t0 = loop_now(r.m.loop);
	wr(&r, RBR, 'c');
	loop_clock_set(r.m.loop, t0 + 4 * qemu_char_ns(1, 10) - 1);
	assert_int_equal(rd(&r, IIR), 0xc1);
	loop_clock_set(r.m.loop, t0 + 4 * qemu_char_ns(1, 10));
	assert_int_equal(rd(&r, IIR), 0xcc);
	/* IER.ERBFI masks it (QEMU, as observed on hardware). */
	wr(&r, IER, 0x00);
	assert_int_equal(rd(&r, IIR), 0xc1);
	rig_free(&r);
}

/* A divisor of 0 (and every other) is harmless: 3500 baud as QEMU takes it. */
static void divisor_zero_harmless(void **state)
{
	struct rig r;
	uint64_t t0;

	(void)state;
	rig_build(&r, false);
	wr(&r, LCR, 0x80);
	wr(&r, RBR, 0x00);
	wr(&r, IER, 0x00);
	wr(&r, LCR, 0x00); /* 5 data bits: 7-bit frame */
	wr(&r, FCR, 0xc1);
	wr(&r, IER, 0x01);
	wr(&r, MCR, 0x10);
	t0 = loop_now(r.m.loop);
	wr(&r, RBR, 'q');
	loop_clock_set(r.m.loop, t0 + 4 * qemu_char_ns(0, 7) - 1);
	assert_int_equal(rd(&r, IIR), 0xc1);
	loop_clock_set(r.m.loop, t0 + 4 * qemu_char_ns(0, 7));
	assert_int_equal(rd(&r, IIR), 0xcc);
	wr(&r, LCR, 0x80);
	for (unsigned d = 0; d < 0x10000; d += 0x101) {
		wr(&r, RBR, (uint8_t)d);
		wr(&r, IER, (uint8_t)(d >> 8));
	}
	assert_int_equal(rd(&r, RBR), 0xff);
	assert_int_equal(rd(&r, IER), 0xff);
	rig_free(&r);
}

/* The IRQ line seen by the platform always agrees with IIR bit 0, whatever is written. */
static void random_register_traffic(void **state)
{
	struct rig r;
	uint32_t x = 12345;
	char sink[4096];

	(void)state;
	rig_build(&r, true);
	for (int i = 0; i < 200000; i++) {
		unsigned reg, op;

		x = x * 1103515245u + 12345u;
		reg = (x >> 8) & 7;
		op = (x >> 16) & 3;
		if (op == 0)
			(void)rd(&r, reg);
		else if (op == 1 || reg != LCR || ((x >> 24) & 1))
			wr(&r, reg, (uint8_t)(x >> 20));
		if ((i & 1023) == 0) {
			loop_clock_step(r.m.loop, (x >> 4) & 0xffffff);
			while (host_recv(&r, sink, sizeof(sink)))
				;
		}
		if ((i & 7) == 0) {
			bool level = r.level[4];

			assert_int_equal(level, !(rd(&r, IIR) & 0x01));
		}
		assert_true(r.calls <= 2u * (unsigned)i + 4); /* edges only, no storms */
	}
	/* Wide and odd-sized accesses go byte by byte. */
	bus_write(r.m.bus, BUS_PIO, COM1, 0xffffffff, 4);
	(void)bus_read(r.m.bus, BUS_PIO, COM1 + 6, 4);
	(void)bus_read(r.m.bus, BUS_PIO, COM1 + 3, 2);
	rig_free(&r);
}

/* index= picks COM1-COM4 as QEMU's isa-serial does; iobase/irq override; overlap refused. */
static void com_ports(void **state)
{
	static const uint16_t base[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	static const unsigned irq[4] = { 4, 3, 4, 3 };
	struct rig r;

	(void)state;
	rig_init(&r);
	for (int i = 0; i < 4; i++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "serial,index=%d", i);
		assert_int_equal(rig_add(&r, spec, false), 0);
		assert_int_equal(bus_read(r.m.bus, BUS_PIO, base[i] + 5, 1), 0x60);
		bus_write(r.m.bus, BUS_PIO, base[i] + 1, 0x02, 1);
		assert_true(r.level[irq[i]]);
		bus_write(r.m.bus, BUS_PIO, base[i] + 1, 0x00, 1);
		assert_false(r.level[irq[i]]);
	}
	assert_int_not_equal(rig_add(&r, "serial", false), 0); /* no fifth COM port */
	assert_int_not_equal(rig_add(&r, "serial,index=4", false), 0);
	assert_int_equal(rig_add(&r, "serial,index=0", false), -EEXIST); /* ports taken */
	assert_int_equal(rig_add(&r, "serial,index=0,iobase=0x500,irq=7", false), 0);
	bus_write(r.m.bus, BUS_PIO, 0x501, 0x02, 1);
	assert_true(r.level[7]);
	assert_int_not_equal(rig_add(&r, "serial,chardev=nosuch", false), 0);
	rig_free(&r);
}

/* Auto index takes the lowest free COM port; QEMU's "isa-serial" is the same device. */
static void auto_index(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	assert_int_equal(rig_add(&r, "serial,index=0", false), 0);
	assert_int_equal(rig_add(&r, "isa-serial", false), 0);
	assert_int_equal(bus_read(r.m.bus, BUS_PIO, 0x2f8 + 5, 1), 0x60);
	assert_string_equal(r.dev->name, "serial@2f8");
	assert_int_equal(rig_add(&r, "serial", false), 0);
	assert_string_equal(r.dev->name, "serial@3e8");
	rig_free(&r);
}

/* -serial options: "none" takes no COM port; chardev:ID reuses a -chardev. */
static void serial_options(void **state)
{
	struct rig r;
	char err[256];
	unsigned n = 0;

	(void)state;
	rig_init(&r);
	assert_int_equal(chardev_add_opt(&r.m, "null,id=mine", err, sizeof(err)), 0);
	assert_int_equal(strlist_add(&r.o.serials, "none"), 0);
	assert_int_equal(strlist_add(&r.o.serials, "null"), 0);
	assert_int_equal(strlist_add(&r.o.serials, "chardev:mine"), 0);
	assert_int_equal(serial_from_opts(&r.m), 0);
	for (struct dm_dev *d = r.m.devs; d; d = d->next)
		n++;
	assert_int_equal(n, 2);
	assert_string_equal(dev_prop_str(r.m.devs, "chardev"), "serial0");
	assert_string_equal(r.m.devs->name, "serial@3f8");
	assert_string_equal(dev_prop_str(r.m.devs->next, "chardev"), "mine");
	assert_string_equal(r.m.devs->next->name, "serial@2f8");
	rig_free(&r);
	strlist_free(&r.o.serials);

	rig_init(&r);
	for (int i = 0; i < 5; i++)
		assert_int_equal(strlist_add(&r.o.serials, "null"), 0);
	assert_int_not_equal(serial_from_opts(&r.m), 0);
	rig_free(&r);
	strlist_free(&r.o.serials);

	rig_init(&r);
	assert_int_equal(strlist_add(&r.o.serials, "udp:localhost:4444"), 0);
	assert_int_equal(serial_from_opts(&r.m), -EINVAL);
	rig_free(&r);
	strlist_free(&r.o.serials);
}

/* Save/restore: every register, the RX FIFO and the pending character timeout survive. */
static void save_and_restore(void **state)
{
	struct rig a, b;
	struct snap_wr w;
	uint64_t t0;
	uint8_t *p;

	(void)state;
	rig_build(&a, false);
	wr(&a, LCR, 0x80);
	wr(&a, RBR, 0x03);
	wr(&a, LCR, 0x1b);
	wr(&a, FCR, 0x81);
	wr(&a, MCR, 0x1b);
	wr(&a, SCR, 0x5a);
	wr(&a, RBR, 'x');
	wr(&a, RBR, 'y');
	wr(&a, IER, 0x05);
	t0 = loop_now(a.m.loop);
	loop_clock_step(a.m.loop, 1000);
	snap_wr_init(&w);
	assert_int_equal(dm_state_save(&a.m, &w), 0);

	rig_build(&b, false);
	loop_clock_set(b.m.loop, 5000000);
	wr(&b, IER, 0x02); /* b's line is up before the load... */
	assert_true(b.level[4]);
	assert_false(a.level[4]); /* ...and must follow a's, which is down */
	assert_int_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	assert_true(b.level[4] == a.level[4]);
	for (unsigned reg = IER; reg <= SCR; reg++)
		if (reg != IIR)
			assert_int_equal(rd(&b, reg), rd(&a, reg));
	assert_int_equal(rd(&b, IIR), rd(&a, IIR));
	wr(&b, LCR, 0x9b);
	assert_int_equal(rd(&b, RBR), 0x03);
	wr(&b, LCR, 0x1b);
	/* The timeout was 4 characters (11-bit frames at 38400) from t0; 1000 ns of it had run. */
	loop_clock_step(b.m.loop, t0 + 4 * qemu_char_ns(3, 11) - 1000 - 1);
	assert_int_equal(rd(&b, IIR), 0xc1);
	loop_clock_step(b.m.loop, 1);
	assert_int_equal(rd(&b, IIR), 0xcc);
	assert_int_equal(rd(&b, RBR), 'x');
	assert_int_equal(rd(&b, RBR), 'y');
	rig_free(&b);

	/* A forged stream (IER reserved bits) is refused and changes nothing. */
	p = memmem(w.buf, w.len, "\x03ier\x01", 5);
	assert_non_null(p);
	p[5] = 0xff;
	rig_build(&b, false);
	wr(&b, SCR, 0x11);
	assert_int_not_equal(dm_state_load(&b.m, w.buf, w.len), 0);
	assert_int_equal(rd(&b, SCR), 0x11);
	assert_int_equal(rd(&b, IER), 0x00);
	rig_free(&b);
	snap_wr_free(&w);
	rig_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_values),
		cmocka_unit_test(reset_after_use),
		cmocka_unit_test(divisor_latch),
		cmocka_unit_test(scratch_register),
		cmocka_unit_test(fifo_enable_and_iir_bits),
		cmocka_unit_test(fifo_trigger_levels),
		cmocka_unit_test(fifo_reset_bits),
		cmocka_unit_test(iir_priority_order),
		cmocka_unit_test(thre_interrupt),
		cmocka_unit_test(out2_does_not_gate_irq),
		cmocka_unit_test(loopback_echo_and_modem_lines),
		cmocka_unit_test(lsr_bits),
		cmocka_unit_test(tx_reaches_chardev),
		cmocka_unit_test(rx_through_chardev),
		cmocka_unit_test(fifo_char_timeout),
		cmocka_unit_test(divisor_zero_harmless),
		cmocka_unit_test(random_register_traffic),
		cmocka_unit_test(com_ports),
		cmocka_unit_test(auto_index),
		cmocka_unit_test(serial_options),
		cmocka_unit_test(save_and_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
