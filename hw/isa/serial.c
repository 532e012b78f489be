// SPDX-License-Identifier: GPL-2.0-only
/*
 * National Semiconductor PC16550D UART ("16550A"), as an ISA serial port.
 *
 * Followed: the PC16550D datasheet (National, June 1995) section 8,
 * "Registers": 8.1 LCR, 8.3 the programmable baud generator (DLL/DLM behind
 * LCR.DLAB), 8.4 LSR, 8.5 FCR, 8.6 IIR (priorities: line status > received
 * data / character timeout > THR empty > modem status), 8.7 IER, 8.8 MCR
 * (loopback), 8.9 MSR, 8.10 SCR, 8.11 FIFO interrupt mode (trigger levels
 * 1/4/8/14, the character timeout after four character times), and the
 * UART Reset Configuration table.
 *
 * Where a guest can tell the difference, QEMU 7.2's hw/char/serial.c (what
 * qemu-xen guests run on, and what differential traces are recorded from)
 * wins over the datasheet:
 *  - reset MCR reads 0x08 (OUT2 set) and MSR 0xb0 (DCD, DSR, CTS: no
 *    backend has modem lines, QEMU reports these as asserted);
 *  - the IRQ is not gated by MCR.OUT2 (on a real PC board OUT2 enables the
 *    IRQ driver; QEMU ignores it, and so do we);
 *  - enabling IER.THRI while THR is empty raises THRE even if an IIR read
 *    had cleared it (Windows relies on this); an IIR read that reports
 *    THRE clears it, as does a THR write; an XMIT FIFO reset raises it;
 *  - in loopback, MSR reads return the looped MCR outputs with no delta
 *    bits, as QEMU does;
 *  - the character time comes from the divisor as QEMU computes it, in
 *    float, with divisor 0 taken as 3500 baud; reset uses 9600 8N1.
 *
 * Transmission is immediate: a THR write goes to the chardev at once (a
 * byte the host cannot take now is dropped by the chardev, never waited
 * for), so the XMIT FIFO never holds a byte past the write and LSR THRE and
 * TEMT read back set, as QEMU reports them when its backend keeps up.
 *
 * Left out: baud-rate pacing, parity/framing errors and break (no backend
 * produces them), DMA mode signalling (FCR bit 3 is stored, nothing else),
 * host modem lines (so MSR delta bits and the modem status interrupt, which
 * are modelled, never fire: QEMU's pty/socket/file backends have no lines
 * either). COM1/COM3 and COM2/COM4 share an IRQ and each port drives it
 * alone, last writer wins, as in QEMU. One deliberate difference from
 * QEMU: in loopback the receiver is disconnected from the chardev
 * (datasheet 8.8), where QEMU keeps taking host input.
 *
 * Checked against QEMU 7.2.22 command by command (IRQ edges included) by
 * tests/traces/qemu/serial-uart.trace and serial-random.trace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/bus.h"
#include "dm/chardev.h"
#include "dm/device.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "dm/machine.h"
#include "dm/state.h"
#include "hw/isa/serial.h"

/* Register offsets (datasheet Table "Summary of Registers"). */
enum {
	UART_RBR = 0, /* read, DLAB=0; THR on write; DLL with DLAB=1 */
	UART_IER = 1, /* DLM with DLAB=1 */
	UART_IIR = 2, /* read; FCR on write */
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
	UART_NREGS = 8,
};

#define UART_LCR_DLAB 0x80
#define UART_LCR_PEN  0x08
#define UART_LCR_STB  0x04
#define UART_LCR_WLS  0x03

#define UART_IER_ERBFI 0x01 /* received data available (and timeout) */
#define UART_IER_ETBEI 0x02 /* THR empty */
#define UART_IER_ELSI  0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */
#define UART_IER_MASK  0x0f

#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID	0x06
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_CTI	0x0c
#define UART_IIR_FE	0xc0 /* FIFOs enabled */

#define UART_FCR_FE    0x01
#define UART_FCR_RFR   0x02
#define UART_FCR_XFR   0x04
#define UART_FCR_DMS   0x08
#define UART_FCR_ITL   0xc0
#define UART_FCR_STICK (UART_FCR_ITL | UART_FCR_DMS | UART_FCR_FE)

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR	 0x01
#define UART_LSR_OE	 0x02
#define UART_LSR_BI	 0x10
#define UART_LSR_THRE	 0x20
#define UART_LSR_TEMT	 0x40
#define UART_LSR_INT_ANY 0x1e /* OE, PE, FE, BI: the line status interrupt */

#define UART_MSR_CTS	   0x10
#define UART_MSR_DSR	   0x20
#define UART_MSR_DCD	   0x80
#define UART_MSR_ANY_DELTA 0x0f

#define UART_FIFO_LEN 16
#define UART_BAUDBASE 115200 /* 1.8432 MHz / 16 */
#define UART_NS_PER_S 1000000000LL

/* COM1-COM4: the ports and IRQs QEMU's isa-serial gives index 0-3. */
static const uint16_t com_iobase[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint8_t com_irq[4] = { 4, 3, 4, 3 };

struct uart_fifo {
	uint8_t buf[UART_FIFO_LEN];
	uint8_t head; /* index of the oldest byte */
	uint8_t num;
};

struct serial {
	struct dm_dev *dev;
	struct machine *m;
	struct region io;
	struct chardev *cd;
	struct timer fifo_timeout;
	bool timer_ready;
	int index;
	unsigned irq;
	bool irq_level;

	uint8_t rbr, thr, tsr, ier, iir, lcr, mcr, lsr, msr, scr, fcr;
	uint16_t divider;
	struct uart_fifo rx;
	uint8_t rx_itl;	       /* receive trigger level, bytes */
	bool thr_ipending;     /* THR-empty interrupt pending (cleared by IIR read / THR write) */
	bool timeout_ipending; /* character timeout pending */
	uint64_t char_ns;      /* one character time on the wire */
	uint64_t tx_bytes;
	uint64_t timeout_left; /* load to post_load: ns left on the character timer */
};

/* ---------------------------------------------------------------- FIFO */

static void fifo_reset(struct uart_fifo *f)
{
	f->head = 0;
	f->num = 0;
}

static bool fifo_push(struct uart_fifo *f, uint8_t c)
{
	if (f->num >= UART_FIFO_LEN)
		return false;
	f->buf[(f->head + f->num) % UART_FIFO_LEN] = c;
	f->num++;
	return true;
}

static uint8_t fifo_pop(struct uart_fifo *f)
{
	uint8_t c;

	if (!f->num)
		return 0;
	c = f->buf[f->head];
	f->head = (uint8_t)((f->head + 1) % UART_FIFO_LEN);
	f->num--;
	return c;
}

/* ---------------------------------------------------------------- interrupts */

static void set_irq(struct serial *s, bool level)
{
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	dm_isa_irq(s->m, s->irq, level);
}

/* Datasheet 8.6: the highest-priority enabled source is shown in IIR[3:0]. */
static void update_irq(struct serial *s)
{
	uint8_t id = UART_IIR_NO_INT;

	if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_INT_ANY))
		id = UART_IIR_RLSI;
	else if ((s->ier & UART_IER_ERBFI) && s->timeout_ipending)
		id = UART_IIR_CTI;
	else if ((s->ier & UART_IER_ERBFI) && (s->lsr & UART_LSR_DR) &&
		 (!(s->fcr & UART_FCR_FE) || s->rx.num >= s->rx_itl))
		id = UART_IIR_RDI;
	else if ((s->ier & UART_IER_ETBEI) && s->thr_ipending)
		id = UART_IIR_THRI;
	else if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_ANY_DELTA))
		id = UART_IIR_MSI;
	s->iir = (uint8_t)(id | (s->iir & 0xf0));
	set_irq(s, id != UART_IIR_NO_INT);
}

/* ---------------------------------------------------------------- line parameters */

/* 8.1 LCR and 8.3 baud generator: start + data + parity + stop bits at 115200/divisor. */
static void update_params(struct serial *s)
{
	int frame = 1 + (s->lcr & UART_LCR_WLS) + 5 + ((s->lcr & UART_LCR_PEN) ? 1 : 0) +
		    ((s->lcr & UART_LCR_STB) ? 2 : 1);
	/* QEMU computes this in float; the same arithmetic gives the same timeout. */
	float speed = s->divider ? (float)UART_BAUDBASE / s->divider : 3500.0f;

	s->char_ns = (uint64_t)(((float)UART_NS_PER_S / speed) * (float)frame);
}

static void timeout_arm(struct serial *s)
{
	if (s->timer_ready)
		timer_mod(&s->fifo_timeout, loop_now(s->m->loop) + s->char_ns * 4);
}

static void timeout_cancel(struct serial *s)
{
	if (s->timer_ready)
		timer_del(&s->fifo_timeout);
}

/* 8.11: data in the RX FIFO, nothing in or out for four character times. */
static void fifo_timeout_fire(void *opaque)
{
	struct serial *s = opaque;

	if (s->rx.num) {
		s->timeout_ipending = true;
		update_irq(s);
	}
}

/* ---------------------------------------------------------------- receive */

static void receive_bytes(struct serial *s, const uint8_t *buf, size_t n)
{
	if (!n)
		return;
	if (s->fcr & UART_FCR_FE) {
		/* 8.4 OE in FIFO mode: a full FIFO keeps its bytes, the new one is lost. */
		for (size_t i = 0; i < n; i++)
			if (!fifo_push(&s->rx, buf[i]))
				s->lsr |= UART_LSR_OE;
		s->lsr |= UART_LSR_DR;
		timeout_arm(s);
	} else {
		/* 16450 mode: a byte arriving over an unread one overruns it. */
		for (size_t i = 0; i < n; i++) {
			if (s->lsr & UART_LSR_DR)
				s->lsr |= UART_LSR_OE;
			s->rbr = buf[i];
			s->lsr |= UART_LSR_DR;
		}
	}
	update_irq(s);
}

/*
 * What the chardev may hand over now. In FIFO mode up to the trigger level,
 * so the guest sees the trigger level it chose rather than a FIFO filled
 * before it can react (QEMU advertises the same); in 16450 mode one byte
 * while RBR is empty. Nothing in loopback: the receiver input is
 * disconnected (8.8).
 */
static size_t serial_can_read(void *opaque)
{
	struct serial *s = opaque;

	if (s->mcr & UART_MCR_LOOP)
		return 0;
	if (!(s->fcr & UART_FCR_FE))
		return !(s->lsr & UART_LSR_DR);
	if (s->rx.num >= UART_FIFO_LEN)
		return 0;
	/* QEMU's rule: ITL - count below the level (0 at the level), 1 above it. */
	return s->rx.num <= s->rx_itl ? (size_t)(s->rx_itl - s->rx.num) : 1;
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t n)
{
	receive_bytes(opaque, buf, n);
}

/* ---------------------------------------------------------------- transmit */

static void transmit(struct serial *s, uint8_t c)
{
	s->tsr = c;
	s->tx_bytes++;
	if (s->mcr & UART_MCR_LOOP)
		receive_bytes(s, &s->tsr, 1); /* 8.8: TX looped back to RX */
	else if (s->cd)
		chardev_write(s->cd, &s->tsr, 1);
}

/*
 * A THR write: THRE and TEMT fall, the interrupt is withdrawn, then the byte
 * moves straight through the (empty) XMIT FIFO and shift register, so THRE
 * rises again and the THR-empty interrupt is raised anew, as in QEMU.
 */
static void wr_thr(struct serial *s, uint8_t v)
{
	s->thr = v;
	s->thr_ipending = false;
	s->lsr &= (uint8_t) ~(UART_LSR_THRE | UART_LSR_TEMT);
	update_irq(s);
	s->lsr |= UART_LSR_THRE;
	s->thr_ipending = true;
	update_irq(s);
	transmit(s, v);
	s->lsr |= UART_LSR_TEMT;
}

/* ---------------------------------------------------------------- registers */

static uint8_t rd_rbr(struct serial *s)
{
	uint8_t v;

	if (s->lcr & UART_LCR_DLAB)
		return (uint8_t)s->divider;
	if (s->fcr & UART_FCR_FE) {
		v = fifo_pop(&s->rx);
		if (s->rx.num == 0)
			s->lsr &= (uint8_t) ~(UART_LSR_DR | UART_LSR_BI);
		else
			timeout_arm(s);
		s->timeout_ipending = false;
	} else {
		v = s->rbr;
		s->lsr &= (uint8_t) ~(UART_LSR_DR | UART_LSR_BI);
	}
	update_irq(s);
	if (!(s->mcr & UART_MCR_LOOP) && s->cd)
		chardev_accept_input(s->cd);
	return v;
}

static uint8_t rd_ier(struct serial *s)
{
	return (s->lcr & UART_LCR_DLAB) ? (uint8_t)(s->divider >> 8) : s->ier;
}

static uint8_t rd_iir(struct serial *s)
{
	uint8_t v = s->iir;

	/* 8.6: reading IIR while it reports THR empty clears that interrupt. */
	if ((v & UART_IIR_ID) == UART_IIR_THRI) {
		s->thr_ipending = false;
		update_irq(s);
	}
	return v;
}

static uint8_t rd_lcr(struct serial *s)
{
	return s->lcr;
}

static uint8_t rd_mcr(struct serial *s)
{
	return s->mcr;
}

static uint8_t rd_lsr(struct serial *s)
{
	uint8_t v = s->lsr;

	/* 8.4: OE and BI are cleared by reading LSR. */
	if (s->lsr & (UART_LSR_BI | UART_LSR_OE)) {
		s->lsr &= (uint8_t) ~(UART_LSR_BI | UART_LSR_OE);
		update_irq(s);
	}
	return v;
}

static uint8_t rd_msr(struct serial *s)
{
	uint8_t v;

	if (s->mcr & UART_MCR_LOOP) {
		/* 8.8: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
		return (uint8_t)(((s->mcr & (UART_MCR_OUT1 | UART_MCR_OUT2)) << 4) |
				 ((s->mcr & UART_MCR_RTS) << 3) | ((s->mcr & UART_MCR_DTR) << 5));
	}
	v = s->msr;
	/* 8.9: the delta bits clear when MSR is read. */
	if (s->msr & UART_MSR_ANY_DELTA) {
		s->msr &= 0xf0;
		update_irq(s);
	}
	return v;
}

static uint8_t rd_scr(struct serial *s)
{
	return s->scr;
}

static void wr_rbr(struct serial *s, uint8_t v)
{
	if (s->lcr & UART_LCR_DLAB) {
		s->divider = (uint16_t)((s->divider & 0xff00) | v);
		update_params(s);
		return;
	}
	wr_thr(s, v);
}

static void wr_ier(struct serial *s, uint8_t v)
{
	uint8_t changed;

	if (s->lcr & UART_LCR_DLAB) {
		s->divider = (uint16_t)((s->divider & 0x00ff) | (v << 8));
		update_params(s);
		return;
	}
	changed = (s->ier ^ v) & UART_IER_MASK;
	s->ier = v & UART_IER_MASK;
	/* Re-sample THR empty when ETBEI changes (QEMU; Windows needs it). */
	if (changed & UART_IER_ETBEI)
		s->thr_ipending = (s->ier & UART_IER_ETBEI) && (s->lsr & UART_LSR_THRE);
	if (changed)
		update_irq(s);
}

static const uint8_t itl_bytes[4] = { 1, 4, 8, 14 };

/* 8.5: FIFO enable, resets (self-clearing), DMA mode, RX trigger level. */
static void wr_fcr(struct serial *s, uint8_t v)
{
	/* Changing FIFO enable clears both FIFOs. */
	if ((v ^ s->fcr) & UART_FCR_FE)
		v |= UART_FCR_XFR | UART_FCR_RFR;
	if (v & UART_FCR_RFR) {
		s->lsr &= (uint8_t) ~(UART_LSR_DR | UART_LSR_BI);
		timeout_cancel(s);
		s->timeout_ipending = false;
		fifo_reset(&s->rx);
	}
	if (v & UART_FCR_XFR) {
		s->lsr |= UART_LSR_THRE;
		s->thr_ipending = true;
	}
	s->fcr = v & UART_FCR_STICK;
	if (s->fcr & UART_FCR_FE) {
		s->iir |= UART_IIR_FE;
		s->rx_itl = itl_bytes[s->fcr >> 6];
	} else {
		s->iir &= (uint8_t)~UART_IIR_FE;
	}
	update_irq(s);
	if (s->cd && (v & UART_FCR_RFR))
		chardev_accept_input(s->cd);
}

static void wr_lcr(struct serial *s, uint8_t v)
{
	s->lcr = v;
	update_params(s);
}

static void wr_mcr(struct serial *s, uint8_t v)
{
	bool was_loop = s->mcr & UART_MCR_LOOP;

	s->mcr = v & UART_MCR_MASK;
	/* Leaving loopback reconnects the receiver. */
	if (was_loop && !(s->mcr & UART_MCR_LOOP) && s->cd)
		chardev_accept_input(s->cd);
}

static void wr_ro(struct serial *s, uint8_t v)
{
	/* LSR and MSR are read-only here (factory test writes are not modelled). */
	guest_err(s->dev->name, "write 0x%02x to a read-only register ignored", v);
}

static void wr_scr(struct serial *s, uint8_t v)
{
	s->scr = v;
}

static uint8_t (*const reg_read[UART_NREGS])(struct serial *s) = {
	[UART_RBR] = rd_rbr, [UART_IER] = rd_ier, [UART_IIR] = rd_iir, [UART_LCR] = rd_lcr,
	[UART_MCR] = rd_mcr, [UART_LSR] = rd_lsr, [UART_MSR] = rd_msr, [UART_SCR] = rd_scr,
};

static void (*const reg_write[UART_NREGS])(struct serial *s, uint8_t v) = {
	[UART_RBR] = wr_rbr, [UART_IER] = wr_ier, [UART_IIR] = wr_fcr, [UART_LCR] = wr_lcr,
	[UART_MCR] = wr_mcr, [UART_LSR] = wr_ro,  [UART_MSR] = wr_ro,  [UART_SCR] = wr_scr,
};

static uint64_t serial_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct serial *s = opaque;

	(void)size;
	return reg_read[off & 7](s);
}

static void serial_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct serial *s = opaque;

	(void)size;
	reg_write[off & 7](s, (uint8_t)val);
}

static const struct region_ops serial_io_ops = {
	.read = serial_io_read,
	.write = serial_io_write,
	.min_size = 1,
	.max_size = 1,
};

/* ---------------------------------------------------------------- device */

/* The UART Reset Configuration table, with QEMU's MCR and MSR (see top). */
static void serial_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct serial *s = dev->state;

	(void)kind;
	s->rbr = s->thr = s->tsr = 0;
	s->ier = 0;
	s->iir = UART_IIR_NO_INT;
	s->lcr = 0;
	s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
	s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	s->divider = 0x0c; /* 9600 baud */
	s->mcr = UART_MCR_OUT2;
	s->scr = 0;
	s->fcr = 0;
	s->rx_itl = 1;
	/* QEMU's reset value: 9600 8N1 computed in integers (1041660 ns). */
	s->char_ns = (uint64_t)(UART_NS_PER_S / 9600) * 10;
	s->thr_ipending = false;
	s->timeout_ipending = false;
	timeout_cancel(s);
	fifo_reset(&s->rx);
	s->irq_level = false;
	dm_isa_irq(s->m, s->irq, false);
	if (s->cd)
		chardev_accept_input(s->cd);
}

static int serial_init(struct dm_dev *dev);

/* The lowest COM index no other serial port (either type name) of the machine uses. */
static int free_index(struct dm_dev *dev)
{
	bool used[4] = { false };

	for (struct dm_dev *d = dev->m->devs; d; d = d->next) {
		const struct serial *o = d->state;

		if (d != dev && d->type->init == serial_init && o->index >= 0 && o->index < 4)
			used[o->index] = true;
	}
	for (int i = 0; i < 4; i++)
		if (!used[i])
			return i;
	return -1;
}

static int serial_open_chardev(struct serial *s)
{
	const char *id = dev_prop_str(s->dev, "chardev");
	char err[512];
	int ret;

	if (!id || !*id)
		return 0; /* no chardev: output discarded, no input, as QEMU */
	ret = chardev_open(s->m, id, s->dev->name, &s->cd, err, sizeof(err));
	if (ret) {
		dm_err(s->dev->name, "%s", err);
		return ret;
	}
	chardev_set_handlers(s->cd, serial_can_read, serial_receive, s);
	return 0;
}

static void serial_fini(struct dm_dev *dev)
{
	struct serial *s = dev->state;

	if (!s->m)
		return;
	timeout_cancel(s);
	if (s->io.mapped)
		bus_del(s->m->bus, &s->io);
	if (s->cd)
		chardev_release(s->cd);
	s->cd = NULL;
}

static int serial_init(struct dm_dev *dev)
{
	struct serial *s = dev->state;
	int64_t iobase = dev_prop_int(dev, "iobase"), irq = dev_prop_int(dev, "irq");
	int ret;

	s->dev = dev;
	s->m = dev->m;
	s->index = (int)dev_prop_int(dev, "index");
	if (s->index < 0)
		s->index = free_index(dev);
	if (s->index < 0) {
		dm_err("serial", "at most 4 ISA serial ports are supported");
		return -EINVAL;
	}
	s->irq = irq >= 0 ? (unsigned)irq : com_irq[s->index];
	if (iobase < 0)
		iobase = com_iobase[s->index];
	if (!dev->id[0])
		snprintf(dev->name, sizeof(dev->name), "serial@%x", (unsigned)iobase);
	s->io = (struct region){ .name = "serial",
				 .space = BUS_PIO,
				 .base = (uint64_t)iobase,
				 .len = UART_NREGS,
				 .ops = &serial_io_ops,
				 .opaque = s };
	if (s->m->loop) {
		timer_init(&s->fifo_timeout, s->m->loop, fifo_timeout_fire, s);
		s->timer_ready = true;
	}
	serial_reset(dev, RESET_POWER_ON);
	ret = serial_open_chardev(s);
	if (ret)
		return ret;
	ret = bus_add(s->m->bus, &s->io);
	if (ret) {
		dm_err(dev->name, "cannot claim ports 0x%x-0x%x: %s", (unsigned)iobase,
		       (unsigned)iobase + 7, strerror(-ret));
		serial_fini(dev);
		return ret;
	}
	return 0;
}

/* ---------------------------------------------------------------- save/restore */

#define TIMEOUT_IDLE UINT64_MAX /* "timeout_left": the character timer is not armed */

static int serial_save(struct dm_dev *dev, struct snap_wr *w)
{
	const struct serial *s = dev->state;
	uint8_t rx[UART_FIFO_LEN] = { 0 };
	uint64_t left = TIMEOUT_IDLE, now;

	for (unsigned i = 0; i < s->rx.num; i++)
		rx[i] = s->rx.buf[(s->rx.head + i) % UART_FIFO_LEN];
	if (s->timer_ready && timer_pending(&s->fifo_timeout)) {
		now = loop_now(s->m->loop);
		left = s->fifo_timeout.deadline > now ? s->fifo_timeout.deadline - now : 0;
	}
	snap_u16(w, "divider", s->divider);
	snap_u8(w, "rbr", s->rbr);
	snap_u8(w, "thr", s->thr);
	snap_u8(w, "tsr", s->tsr);
	snap_u8(w, "ier", s->ier);
	snap_u8(w, "iir", s->iir);
	snap_u8(w, "lcr", s->lcr);
	snap_u8(w, "mcr", s->mcr);
	snap_u8(w, "lsr", s->lsr);
	snap_u8(w, "msr", s->msr);
	snap_u8(w, "scr", s->scr);
	snap_u8(w, "fcr", s->fcr);
	snap_u8(w, "thr_ipending", s->thr_ipending);
	snap_u8(w, "timeout_ipending", s->timeout_ipending);
	snap_u8(w, "rx_count", s->rx.num);
	snap_bytes(w, "rx_fifo", rx, UART_FIFO_LEN);
	return snap_u64(w, "timeout_left", left);
}

/* The RX FIFO: its count, then all 16 slots with the oldest byte first. */
static int get_rx_fifo(struct snap_rd *r, struct uart_fifo *f)
{
	int ret = snap_get_u8(r, "rx_count", &f->num);

	ret = ret ?: snap_get_bytes(r, "rx_fifo", f->buf, UART_FIFO_LEN);
	f->head = 0;
	return ret ?: (f->num > UART_FIFO_LEN ? -EINVAL : 0);
}

static int serial_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct serial *s = dev->state;
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = snap_get_u16(r, "divider", &s->divider);
	ret = ret ?: snap_get_u8(r, "rbr", &s->rbr);
	ret = ret ?: snap_get_u8(r, "thr", &s->thr);
	ret = ret ?: snap_get_u8(r, "tsr", &s->tsr);
	ret = ret ?: snap_get_u8(r, "ier", &s->ier);
	ret = ret ?: snap_get_u8(r, "iir", &s->iir);
	ret = ret ?: snap_get_u8(r, "lcr", &s->lcr);
	ret = ret ?: snap_get_u8(r, "mcr", &s->mcr);
	ret = ret ?: snap_get_u8(r, "lsr", &s->lsr);
	ret = ret ?: snap_get_u8(r, "msr", &s->msr);
	ret = ret ?: snap_get_u8(r, "scr", &s->scr);
	ret = ret ?: snap_get_u8(r, "fcr", &s->fcr);
	ret = ret ?: snap_get_bool(r, "thr_ipending", &s->thr_ipending);
	ret = ret ?: snap_get_bool(r, "timeout_ipending", &s->timeout_ipending);
	ret = ret ?: get_rx_fifo(r, &s->rx);
	ret = ret ?: snap_get_u64(r, "timeout_left", &s->timeout_left);
	if (ret)
		return ret;
	/* Only what a guest could have written: reserved bits set means a forged stream. */
	if ((s->ier & ~UART_IER_MASK) || (s->mcr & ~UART_MCR_MASK) || (s->fcr & ~UART_FCR_STICK))
		return -EINVAL;
	if (s->timeout_left != TIMEOUT_IDLE && s->timeout_left > 64 * UART_NS_PER_S)
		return -EINVAL;
	/* A transmitter is never left busy here: THRE and TEMT are set between writes. */
	s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	return 0;
}

/* Re-derive what lives outside the fields: trigger level, timing, IRQ line, timer. */
static void serial_post_load(struct dm_dev *dev)
{
	struct serial *s = dev->state;

	s->rx_itl = itl_bytes[s->fcr >> 6];
	if (s->fcr & UART_FCR_FE)
		s->iir |= UART_IIR_FE;
	else
		s->iir &= (uint8_t)~UART_IIR_FE;
	update_params(s);
	update_irq(s);
	/* Drive the line whatever it was before the load. */
	dm_isa_irq(s->m, s->irq, s->irq_level);
	timeout_cancel(s);
	if (s->timeout_left != TIMEOUT_IDLE && s->timer_ready)
		timer_mod(&s->fifo_timeout, loop_now(s->m->loop) + s->timeout_left);
	s->timeout_left = TIMEOUT_IDLE;
	if (s->cd)
		chardev_accept_input(s->cd);
}

static const struct prop_desc serial_props[] = {
	{ "index", PROP_INT, "-1", -1, 3,
	  "COM port 0-3 (ports and IRQ as COM1-COM4); -1: next free" },
	{ "iobase", PROP_INT, "-1", -1, 0xfff8,
	  "I/O base; -1: by index (0x3f8 0x2f8 0x3e8 0x2e8)" },
	{ "irq", PROP_INT, "-1", -1, 15, "ISA IRQ; -1: by index (4 3 4 3)" },
	{ "chardev", PROP_CHARDEV, NULL, 0, 0, "the -chardev id it is connected to" },
	{ NULL, PROP_INT, NULL, 0, 0, NULL },
};

const struct dev_type serial_type = {
	.name = "serial",
	.alias = "isa-serial", /* QEMU's name, for command lines written for QEMU */
	.kind = DEV_KIND_ISA,
	.help = "16550A UART (ISA serial port, COM1-COM4)",
	.props = serial_props,
	.state_size = sizeof(struct serial),
	.state_version = 1,
	.init = serial_init,
	.reset = serial_reset,
	.fini = serial_fini,
	.save = serial_save,
	.load = serial_load,
	.post_load = serial_post_load,
};

/* ---------------------------------------------------------------- -serial */

int serial_from_opts(struct machine *m)
{
	char id[64], err[512], spec[128];
	unsigned n = 0;

	if (!m->opts)
		return 0;
	for (size_t i = 0; i < m->opts->serials.n; i++) {
		const char *opt = m->opts->serials.v[i];
		struct dm_dev *dev;
		int ret;

		ret = chardev_add_serial(m, opt, id, sizeof(id), err, sizeof(err));
		if (ret) {
			dm_err("serial", "%s", err);
			return ret;
		}
		if (!id[0])
			continue; /* -serial none */
		if (n >= 4) {
			dm_err("serial", "-serial %s: at most 4 serial ports are supported", opt);
			return -EINVAL;
		}
		snprintf(spec, sizeof(spec), "serial,index=%u,chardev=%s", n, id);
		ret = dev_parse(m, spec, &dev, err, sizeof(err));
		if (ret) {
			dm_err("serial", "-serial %s: %s", opt, err);
			return ret;
		}
		ret = dev_realize(dev);
		if (ret)
			return ret;
		n++;
	}
	return 0;
}
