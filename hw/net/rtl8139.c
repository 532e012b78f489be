// SPDX-License-Identifier: GPL-2.0-only
/*
 * Realtek RTL8139C+ (10ec:8139 rev 0x20) as QEMU 7.2's -device rtl8139 and
 * qemu-xen present it: BAR0 256 bytes of I/O and BAR1 256 bytes of MMIO
 * decoding the same registers, the iPXE expansion ROM, subsystem 1af4:1100,
 * capability pointer 0xdc with no capability list (as QEMU), INTA
 * (qemu-xen-golden lspci-vvv-a.txt). Followed: RTL8139C(L)+ datasheet 1.6,
 * sections 6 (registers), 7 (EEPROM), 9 (C+ mode); the register quirks and
 * reset values are QEMU's, checked against it (tests/traces/rtl8139*.trace).
 *
 * C mode: four TSD/TSAD transmit slots (a write to TSD sends, at most 8 KiB),
 * a receive ring of 8/16/32/64 KiB at RBSTART with CAPR/CBR and the WRAP
 * bit. C+ mode (rtl8139_cplus.c): 64-entry descriptor rings with checksum
 * and large-send offload. MII registers (BMCR/BMSR/ANAR/ANLPAR/ANER),
 * 93C46 EEPROM, TCTR/TimerInt, tally counter dump, multicast hash.
 *
 * Receive flow control (dm/net.h): in C mode the backend is asked for a
 * frame only while the ring has room for a full one (or RxOverflow is
 * unmasked, when a full ring must report the overflow, as QEMU); a CAPR
 * write, CR.RE and RCR writes give room back (net_rx_ready). C+ mode
 * drivers return descriptors with a memory write only, so there, as in
 * QEMU, a frame with no descriptor is missed and counted (MPC, RxOverflow).
 *
 * Left out (as QEMU): the high-priority C+ ring, wake-on-LAN, EEPROM
 * writes, Tx FIFO thresholds and interframe timing. Differences from QEMU,
 * for a hostile or odd peer: a frame too long for the C-mode ring (a jumbo
 * frame into 8 KiB) is missed and counted, where QEMU writes past the ring;
 * C+ rings wrap after 64 descriptors without EOR, where QEMU walks on.
 */
#include "hw/net/rtl8139_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/net.h"
#include "dm/state.h"
#include "hw/net/ether.h"
#include "hw/net/nic_mac.h"
#include "hw/pci/pci_rom.h"

#define RTL_ROM_DEFAULT "/usr/lib/ipxe/qemu/efi-rtl8139.rom"
#define RTL_ROM_PACKAGE "ipxe-qemu"
#define RTL_REV		0x20
#define RX_FRAME_ROOM	1514 /* what can_receive wants free in a C-mode ring */

const struct dev_type rtl8139_type;

/* ---------------------------------------------------------------- interrupts, timer */

void rtl_update_irq(struct rtl8139 *s)
{
	if (!s->unplugged) /* a function off the bus drives no line */
		pci_set_irq(&s->pci, (s->isr & s->imr) != 0);
}

static uint64_t now_ns(const struct rtl8139 *s)
{
	return s->dev->m->loop ? loop_now(s->dev->m->loop) : 0;
}

/* TCTR counts the 33 MHz PCI clock from tctr_base (datasheet 6: TCTR). */
static uint32_t tctr(const struct rtl8139 *s, uint64_t now)
{
	return (uint32_t)((unsigned __int128)(now - s->tctr_base) * RTL_PCI_HZ / 1000000000u);
}

/*
 * When TCTR next equals TimerInt, raise ISR.TimeOut: checked on every IMR
 * and ISR access (as QEMU) and with a loop timer while the interrupt is
 * unmasked and not yet pending.
 */
static void rtl_timer_update(struct rtl8139 *s)
{
	uint64_t now = now_ns(s), ticks, next;

	if (s->timer_expire && now >= s->timer_expire) {
		s->isr |= ISR_TIMEOUT;
		rtl_update_irq(s);
	}
	s->timer_expire = 0;
	if (s->timer.loop)
		timer_del(&s->timer);
	if (!s->timer_int)
		return;
	ticks = (uint64_t)((unsigned __int128)(now - s->tctr_base) * RTL_PCI_HZ / 1000000000u);
	next = (ticks & ~0xffffffffull) + s->timer_int;
	if ((uint32_t)ticks >= s->timer_int)
		next += 1ull << 32;
	s->timer_expire =
	    s->tctr_base + (uint64_t)((unsigned __int128)next * 1000000000u / RTL_PCI_HZ);
	if (s->timer.loop && (s->imr & ISR_TIMEOUT) && !(s->isr & ISR_TIMEOUT))
		timer_mod(&s->timer, s->timer_expire);
}

static void rtl_timer_fire(void *opaque)
{
	struct rtl8139 *s = opaque;

	if (!s->clock_enabled)
		return;
	s->isr |= ISR_TIMEOUT;
	rtl_update_irq(s);
	rtl_timer_update(s);
}

/* ---------------------------------------------------------------- reset */

static void rx_ring_reset(struct rtl8139 *s, uint32_t size)
{
	s->rx_size = size;
	s->capr = 0;
	s->cbr = 0;
}

/* The soft reset (CR.RST, 9346CR auto-load) and power-on: QEMU's rtl8139_reset. */
static void rtl_soft_reset(struct rtl8139 *s)
{
	memcpy(s->idr, s->mac, 6);
	s->isr = 0;
	s->imr = 0;
	rtl_update_irq(s);
	for (int i = 0; i < RTL_TX_DESCS; i++)
		s->tsd[i] = TSD_OWN;
	s->cur_tx = s->cur_cp_rx = s->cur_cp_tx = 0;
	s->rdsar_lo = s->rdsar_hi = 0;
	s->rbstart = 0;
	rx_ring_reset(s, 8192);
	s->rx_blocked = false;
	/* TCR's hardware version bits: RTL8139C+ (datasheet 6: TCR bits 30-26, 23-22) */
	s->tcr = 0x74800000u;
	s->clock_enabled = true;
	s->cr = CR_RST;
	s->config0 = 0x00;
	s->config1 = 0x0c; /* I/O and memory mapped registers */
	s->config3 = 0x01; /* fast back-to-back */
	s->config5 = 0x00;
	s->cscr = 0x0340; /* F_LINK_100, HEART_BIT, LD */
	s->cpcr = 0;
	s->cplus_enabled = false;
	s->bmcr = 0x1000; /* auto-negotiation enabled */
	s->bmsr = 0x7809 | 0x0020 | (s->port && !net_link_up(s->port) ? 0 : 0x0004);
	s->anar = 0x05e1;
	s->anlpar = 0x05e1;
	s->aner = 0x0001;
	s->timer_int = 0;
	s->tctr_base = 0;
	s->timer_expire = 0;
	if (s->timer.loop)
		timer_del(&s->timer);
	memset(&s->tally, 0, sizeof(s->tally));
	s->txbuf_len = 0;
}

/* ---------------------------------------------------------------- receive */

static bool rx_enabled(const struct rtl8139 *s)
{
	return s->clock_enabled && (s->cr & CR_RE);
}

static bool cp_rx_mode(const struct rtl8139 *s)
{
	return s->cpcr & CPCR_RXENB;
}

/* Bytes free between CBR and CAPR in the C-mode ring (0: empty ring). */
static uint32_t rx_avail(const struct rtl8139 *s)
{
	return (s->rx_size + s->capr - s->cbr) & (s->rx_size - 1);
}

static bool rtl_can_receive(void *opaque)
{
	struct rtl8139 *s = opaque;
	uint32_t avail;

	if (s->rx_blocked)
		return false;
	/* A stopped receiver takes (and drops) frames, as a NIC on a wire does. */
	if (!rx_enabled(s) || s->unplugged)
		return true;
	if (cp_rx_mode(s) && (s->rdsar_lo || s->rdsar_hi))
		return true;
	avail = rx_avail(s);
	return avail == 0 || avail >= RX_FRAME_ROOM || (s->imr & ISR_RXOVW);
}

/* Guest memory at RBSTART + off; a failure is the guest's bad address, logged. */
static void ring_write(struct rtl8139 *s, uint32_t off, const uint8_t *p, uint32_t len)
{
	if (len && gm_write(&s->dev->m->mem, (uint64_t)s->rbstart + off, p, len))
		guest_err(s->dev->name, "rx ring at 0x%x+0x%x: not guest memory", s->rbstart, off);
}

/*
 * Append len bytes at CBR. Past the end of the ring the rest goes to its
 * start, unless RCR.WRAP asks for the bytes to run on past the end (the
 * driver then allocated 1.5 KiB more; never for a 64 KiB ring).
 */
static void ring_append(struct rtl8139 *s, const uint8_t *p, uint32_t len)
{
	uint32_t end = s->cbr + len;

	if (end > s->rx_size && !((s->rcr & RCR_WRAP) && s->rx_size < 65536)) {
		uint32_t first = s->rx_size - s->cbr;

		ring_write(s, s->cbr, p, first);
		ring_write(s, 0, p + first, len - first);
		s->cbr = len - first;
		return;
	}
	ring_write(s, s->cbr, p, len);
	s->cbr = end;
}

static void c_mode_receive(struct rtl8139 *s, const uint8_t *frame, uint32_t len, uint32_t rxh)
{
	uint32_t avail = rx_avail(s);
	uint8_t word[4];

	/* Header, frame and FCS, rounded up to a dword (datasheet 6.2: Rx packet header). */
	if ((avail != 0 && len + 8 >= avail) || len + 8 > s->rx_size - 16) {
		s->isr |= ISR_RXOVW;
		s->mpc = (s->mpc + 1) & 0xffffff;
		/* QEMU 7.2 refuses the frame, and its net layer then holds every
		 * frame until the driver moves CAPR: so do we (rx_blocked) */
		s->rx_blocked = true;
		rtl_update_irq(s);
		return;
	}
	put_le32(word, rxh | RXH_ROK | (len + 4) << 16);
	ring_append(s, word, 4);
	ring_append(s, frame, len);
	put_le32(word, ether_crc32(frame, len));
	ring_append(s, word, 4);
	s->cbr = ((s->cbr + 3) & ~3u) & (s->rx_size - 1);
}

/* Address filter (datasheet 6: RCR AAP/APM/AM/AB, MAR0-7): the Rx header bits, or 0: dropped. */
static uint32_t rx_filter(struct rtl8139 *s, const uint8_t *frame)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned idx;

	if (s->rcr & RCR_AAP)
		return RXH_ROK;
	if (!memcmp(frame, bcast, 6)) {
		if (s->rcr & RCR_AB) {
			s->tally.rx_ok_brd++;
			return RXH_BAR;
		}
	} else if (frame[0] & 1) {
		idx = ether_mcast_index(frame);
		if ((s->rcr & RCR_AM) && (s->mar[idx >> 3] & (1u << (idx & 7)))) {
			s->tally.rx_ok_mul++;
			return RXH_MAR;
		}
	} else if (!memcmp(frame, s->idr, 6) && (s->rcr & RCR_APM)) {
		s->tally.rx_ok_phy++;
		return RXH_PAM;
	}
	s->tally.rx_err++;
	return 0;
}

void rtl_receive_frame(struct rtl8139 *s, const uint8_t *frame, size_t len)
{
	uint8_t padded[ETH_MIN_FRAME + 4];
	uint32_t rxh;

	if (!rx_enabled(s) || len < ETH_ALEN || len > NET_FRAME_MAX)
		return;
	rxh = rx_filter(s, frame);
	if (!rxh)
		return;
	rxh &= ~(uint32_t)RXH_ROK;
	/* Short frames are padded with zeros to the 60-byte minimum, as a MAC would. */
	if (len < ETH_MIN_FRAME) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, frame, len);
		frame = padded;
		len = ETH_MIN_FRAME;
	}
	if (cp_rx_mode(s)) {
		if (!(s->rdsar_lo || s->rdsar_hi) || rtl_cplus_receive(s, frame, len, rxh))
			return;
	} else {
		uint32_t missed = s->mpc;

		c_mode_receive(s, frame, (uint32_t)len, rxh);
		if (s->mpc != missed)
			return;
	}
	s->isr |= ISR_ROK;
	rtl_update_irq(s);
}

static void rtl_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct rtl8139 *s = opaque;

	if (!s->unplugged)
		rtl_receive_frame(s, frame, len);
}

/* QMP set_link: BMSR's link status follows, and ISR.PUN/LinkChg tells the driver (as QEMU). */
static void rtl_link_changed(void *opaque, bool up)
{
	struct rtl8139 *s = opaque;

	s->bmsr = (uint16_t)(up ? s->bmsr | 0x0004 : s->bmsr & ~0x0004);
	s->isr |= ISR_PUN;
	rtl_update_irq(s);
}

static const struct net_rx_ops rtl_rx_ops = {
	.name = "rtl8139",
	.can_receive = rtl_can_receive,
	.receive = rtl_receive,
	.link_changed = rtl_link_changed,
};

static void rx_room(struct rtl8139 *s)
{
	if (s->port)
		net_rx_ready(s->port);
}

/* ---------------------------------------------------------------- transmit (C mode) */

void rtl_transfer_frame(struct rtl8139 *s, const uint8_t *frame, size_t len)
{
	if (!len)
		return;
	if ((s->tcr & TCR_LBK) == TCR_LBK) {
		/* loopback meets the same flow control as the wire (QEMU's qemu_receive_packet) */
		if (rtl_can_receive(s))
			rtl_receive_frame(s, frame, len);
		return;
	}
	if (s->port && len <= NET_FRAME_MAX)
		(void)net_send(s->port, frame, len);
}

static void c_mode_transmit(struct rtl8139 *s)
{
	static uint8_t buf[TSD_SIZE + 1];
	unsigned d = s->cur_tx;
	uint32_t len = s->tsd[d] & TSD_SIZE;

	if (!(s->cr & CR_TE) || (s->tsd[d] & TSD_OWN))
		return;
	if (len && gm_read(&s->dev->m->mem, s->tsad[d], buf, len)) {
		guest_err(s->dev->name, "TSAD%u 0x%x+%u: not guest memory", d, s->tsad[d], len);
		memset(buf, 0, len);
	}
	s->tsd[d] |= TSD_OWN | TSD_TOK;
	rtl_transfer_frame(s, buf, len);
	s->tally.tx_ok++;
	s->isr |= ISR_TOK;
	rtl_update_irq(s);
	s->cur_tx = (d + 1) % RTL_TX_DESCS;
}

/* ---------------------------------------------------------------- register writes */

static uint8_t masked(uint8_t val, uint8_t ro_mask, uint8_t cur)
{
	return (uint8_t)((val & ~ro_mask) | (cur & ro_mask));
}

static bool config_writable(const struct rtl8139 *s)
{
	return (s->cr9346 & 0xc0) == 0xc0;
}

static void cr_write(struct rtl8139 *s, uint8_t val)
{
	if (val & CR_RST)
		rtl_soft_reset(s);
	if (val & CR_RE)
		s->cur_cp_rx = 0;
	if (val & CR_TE)
		s->cur_cp_tx = 0;
	s->cr = masked(val, 0xe3, s->cr) & ~CR_RST;
	rx_room(s);
}

static void cr9346_write(struct rtl8139 *s, uint8_t val)
{
	val = masked(val, 0x31, s->cr9346);
	if ((val & 0xc0) == 0x80) {
		ee93c46_set_wires(&s->ee, val & 0x08, val & 0x04, val & 0x02);
	} else if ((val & 0xc0) == 0x40) {
		/* auto-load: the chip reloads from the EEPROM, which is a reset */
		val = 0;
		rtl_soft_reset(s);
	}
	s->cr9346 = val;
}

static void tcr_write(struct rtl8139 *s, uint32_t val)
{
	/* QEMU takes TCR only while the transmitter is on; the version bits are read-only */
	if (!(s->cr & CR_TE))
		return;
	s->tcr = (val & ~(TCR_HWVERID | 0x8070f80fu)) | (s->tcr & (TCR_HWVERID | 0x8070f80fu));
}

static void rcr_write(struct rtl8139 *s, uint32_t val)
{
	s->rcr = (val & ~0xf0fc0040u) | (s->rcr & 0xf0fc0040u);
	rx_ring_reset(s, 8192u << ((s->rcr >> 11) & 3));
	rx_room(s);
}

static void tsd_write(struct rtl8139 *s, unsigned d, uint32_t val)
{
	if (s->cplus_enabled) {
		/* C+ mode: 0x10-0x17 are DTCCR; bit 3 of the low dword starts a counter dump */
		s->tsd[d] = val;
		if (d == 0 && (val & 0x8)) {
			rtl_tally_dump(s);
			s->tsd[0] &= ~0x8u;
		}
		return;
	}
	val &= ~0xff00c000u;
	s->tsd[d] = (val & ~0x00c00000u) | (s->tsd[d] & 0x00c00000u);
	c_mode_transmit(s);
}

static void capr_write(struct rtl8139 *s, uint16_t val)
{
	/* the driver writes CAPR 16 bytes behind where it read (datasheet 6: CAPR) */
	s->capr = (uint32_t)(val + 0x10) & (s->rx_size - 1);
	s->rx_blocked = false;
	rx_room(s);
}

static void isr_write(struct rtl8139 *s, uint16_t val)
{
	/* write 1 to clear (bits 9-12 reserved, kept); the line drops, then follows the rest */
	uint16_t next = (uint16_t)(((s->isr & ~val) & ~0x1e00) | (s->isr & 0x1e00));

	s->isr = 0;
	rtl_update_irq(s);
	s->isr = next;
	rtl_timer_update(s);
	rtl_update_irq(s);
}

static void hltclk_write(struct rtl8139 *s, uint8_t val)
{
	if (val == 'R')
		s->clock_enabled = true;
	else if (val == 'H')
		s->clock_enabled = false;
}

static void tppoll_write(struct rtl8139 *s, uint8_t val)
{
	/* bit 6: normal priority queue; the high priority queue (bit 7) is not modelled */
	if (val & 0x40)
		rtl_cplus_transmit(s);
}

/* CONFIG0-5: writable only after 9346CR = 0xc0 (config write enable), except CONFIG5. */
static void config_write(struct rtl8139 *s, uint8_t *reg, uint8_t val, uint8_t ro)
{
	if (reg != &s->config5 && !config_writable(s))
		return;
	*reg = masked(val, ro, *reg);
}

static void write8(struct rtl8139 *s, unsigned a, uint8_t v)
{
	switch (a) {
	case RTL_IDR0 ... RTL_IDR0 + 5:
		s->idr[a] = v;
		break;
	case RTL_MAR0 ... RTL_MAR0 + 7:
		s->mar[a - RTL_MAR0] = v;
		break;
	case RTL_CR:
		cr_write(s, v);
		break;
	case RTL_9346CR:
		cr9346_write(s, v);
		break;
	case RTL_TCR: /* Windows' driver writes the low byte alone */
		tcr_write(s, (s->tcr & 0xffffff00u) | v);
		break;
	case RTL_CONFIG0:
		config_write(s, &s->config0, v, 0xf8);
		break;
	case RTL_CONFIG1:
		config_write(s, &s->config1, v, 0x0c);
		break;
	case RTL_CONFIG3:
		config_write(s, &s->config3, v, 0x8f);
		break;
	case RTL_CONFIG4:
		config_write(s, &s->config4, v, 0x0a);
		break;
	case RTL_CONFIG5:
		config_write(s, &s->config5, v, 0x80);
		break;
	case RTL_HLTCLK:
		hltclk_write(s, v);
		break;
	case RTL_ETTHR:
		s->etthr = v;
		break;
	case RTL_TPPOLL:
		tppoll_write(s, v);
		break;
	default:
		dm_dbg(LOG_NET, s->dev->name, "write8 0x%02x <- 0x%02x ignored", a, v);
		break;
	}
}

static void write16(struct rtl8139 *s, unsigned a, uint16_t v)
{
	switch (a) {
	case RTL_IMR:
		s->imr = (uint16_t)((v & ~0x1e00) | (s->imr & 0x1e00));
		rtl_timer_update(s);
		rtl_update_irq(s);
		rx_room(s);
		break;
	case RTL_ISR:
		isr_write(s, v);
		break;
	case RTL_MULINT:
		s->mulint = (uint16_t)((v & ~0xf000) | (s->mulint & 0xf000));
		break;
	case RTL_CAPR:
		capr_write(s, v);
		break;
	case RTL_BMCR:
		/* speed, auto-negotiation and duplex are read-only, as in QEMU */
		s->bmcr = (uint16_t)((v & ~0xfdff) | (s->bmcr & 0xfdff));
		break;
	case RTL_BMSR:
		s->bmsr = (uint16_t)((v & ~0xff3f) | (s->bmsr & 0xff3f));
		break;
	case RTL_ANAR:
		s->anar = v;
		break;
	case RTL_ANLPAR: /* the link partner's: read-only */
		break;
	case RTL_ANER:
		s->aner = v;
		break;
	case RTL_CPCR:
		s->cplus_enabled = true;
		s->cpcr = (uint16_t)((v & ~0xff84) | (s->cpcr & 0xff84));
		rx_room(s);
		break;
	case RTL_INTRMIT: /* interrupt mitigation: accepted, not modelled (reads 0) */
		break;
	default:
		write8(s, a, (uint8_t)v);
		write8(s, a + 1, (uint8_t)(v >> 8));
		break;
	}
}

static void write32(struct rtl8139 *s, unsigned a, uint32_t v)
{
	switch (a) {
	case RTL_MPC:
		s->mpc = 0;
		break;
	case RTL_TCR:
		tcr_write(s, v);
		break;
	case RTL_RCR:
		rcr_write(s, v);
		break;
	case RTL_TSD0 ... RTL_TSD0 + 15:
		tsd_write(s, (a - RTL_TSD0) / 4, v);
		break;
	case RTL_TSAD0 ... RTL_TSAD0 + 15:
		s->tsad[(a - RTL_TSAD0) / 4] = v;
		break;
	case RTL_RBSTART:
		s->rbstart = v;
		break;
	case RTL_RDSAR_LO:
		s->rdsar_lo = v;
		break;
	case RTL_RDSAR_HI:
		s->rdsar_hi = v;
		break;
	case RTL_TCTR:
		s->tctr_base = now_ns(s);
		rtl_timer_update(s);
		break;
	case RTL_TIMERINT:
		if (s->timer_int != v) {
			s->timer_int = v;
			rtl_timer_update(s);
		}
		break;
	default: /* byte by byte, as QEMU: a dword over word registers reaches none of them */
		for (unsigned i = 0; i < 4; i++)
			write8(s, a + i, (uint8_t)(v >> (8 * i)));
		break;
	}
}

/* ---------------------------------------------------------------- register reads */

static uint16_t tsad_read(const struct rtl8139 *s)
{
	uint16_t v = 0;

	for (int i = 0; i < RTL_TX_DESCS; i++) {
		v |= (s->tsd[i] & TSD_TOK ? 1u << (12 + i) : 0) |
		     (s->tsd[i] & TSD_TUN ? 1u << (8 + i) : 0) |
		     (s->tsd[i] & TSD_TABT ? 1u << (4 + i) : 0) |
		     (s->tsd[i] & TSD_OWN ? 1u << i : 0);
	}
	return v;
}

/* TSD/TSAD read at any width, aligned to it (QEMU answers 0 to a misaligned one). */
static uint32_t slot_read(const uint32_t *regs, unsigned a, unsigned size)
{
	if (a & (size - 1))
		return 0;
	return (uint32_t)((regs[a / 4] >> ((a & 3) * 8)) &
			  (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1));
}

static uint8_t read8(struct rtl8139 *s, unsigned a)
{
	switch (a) {
	case RTL_IDR0 ... RTL_IDR0 + 5:
		return s->idr[a];
	case RTL_MAR0 ... RTL_MAR0 + 7:
		return s->mar[a - RTL_MAR0];
	case RTL_TSD0 ... RTL_TSD0 + 15:
		return (uint8_t)slot_read(s->tsd, a - RTL_TSD0, 1);
	case RTL_CR:
		return s->cr | (s->cbr == s->capr ? CR_BUFE : 0);
	case RTL_9346CR:
		return (uint8_t)(((s->cr9346 & 0xc0) == 0x80)
				     ? (s->cr9346 & ~1) | ee93c46_dout(&s->ee)
				     : s->cr9346);
	case RTL_CONFIG0:
		return s->config0;
	case RTL_CONFIG1:
		return s->config1;
	case RTL_CONFIG3:
		return s->config3;
	case RTL_CONFIG4:
		return s->config4;
	case RTL_CONFIG5:
		return s->config5;
	case RTL_MSR: /* bit 2 LINKB: link fail, the inverse of BMSR's link status */
		return 0xd0 | (~s->bmsr & 0x04);
	case RTL_HLTCLK:
		return s->clock_enabled;
	case RTL_RERID:
		return RTL_REV;
	case RTL_ETTHR:
		return s->etthr;
	case RTL_TCR + 3: /* Windows' driver reads the version byte alone */
		return (uint8_t)(s->tcr >> 24);
	default:
		dm_dbg(LOG_NET, s->dev->name, "read8 0x%02x: 0", a);
		return 0;
	}
}

static uint16_t read16(struct rtl8139 *s, unsigned a)
{
	switch (a) {
	case RTL_TSAD0 ... RTL_TSAD0 + 15:
		return (uint16_t)slot_read(s->tsad, a - RTL_TSAD0, 2);
	case RTL_IMR:
		return s->imr;
	case RTL_ISR:
		rtl_timer_update(s);
		return s->isr;
	case RTL_MULINT:
		return s->mulint;
	case RTL_CAPR:
		return (uint16_t)(s->capr - 0x10);
	case RTL_CBR:
		return (uint16_t)s->cbr;
	case RTL_BMCR:
		return s->bmcr;
	case RTL_BMSR:
		return s->bmsr;
	case RTL_ANAR:
		return s->anar;
	case RTL_ANLPAR:
		return s->anlpar;
	case RTL_ANER:
		return s->aner;
	case RTL_CPCR:
		return s->cpcr;
	case RTL_INTRMIT:
		return 0;
	case RTL_TSAD:
		return tsad_read(s);
	case RTL_CSCR:
		return s->cscr;
	default:
		return (uint16_t)(read8(s, a) | read8(s, a + 1) << 8);
	}
}

static uint32_t read32(struct rtl8139 *s, unsigned a)
{
	switch (a) {
	case RTL_MPC:
		return s->mpc;
	case RTL_TCR:
		return s->tcr;
	case RTL_RCR:
		return s->rcr;
	case RTL_TSD0 ... RTL_TSD0 + 15:
		return slot_read(s->tsd, a - RTL_TSD0, 4);
	case RTL_TSAD0 ... RTL_TSAD0 + 15:
		return slot_read(s->tsad, a - RTL_TSAD0, 4);
	case RTL_RBSTART:
		return s->rbstart;
	case RTL_RDSAR_LO:
		return s->rdsar_lo;
	case RTL_RDSAR_HI:
		return s->rdsar_hi;
	case RTL_TCTR:
		return tctr(s, now_ns(s));
	case RTL_TIMERINT:
		return s->timer_int;
	default: /* byte by byte, as QEMU: TSAD or BMCR read as a dword give 0 */
		return (uint32_t)read8(s, a) | (uint32_t)read8(s, a + 1) << 8 |
		       (uint32_t)read8(s, a + 2) << 16 | (uint32_t)read8(s, a + 3) << 24;
	}
}

/* BAR0 and BAR1 decode the same 256 bytes (QEMU 7.2 uses one ops for both). */
static uint64_t regs_read(void *opaque, uint64_t off, unsigned size)
{
	struct rtl8139 *s = opaque;
	unsigned a = (unsigned)off & 0xff;

	if (s->unplugged)
		return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	return size == 1 ? read8(s, a) : size == 2 ? read16(s, a) : read32(s, a);
}

static void regs_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct rtl8139 *s = opaque;
	unsigned a = (unsigned)off & 0xff;

	if (s->unplugged)
		return;
	if (size == 1)
		write8(s, a, (uint8_t)val);
	else if (size == 2)
		write16(s, a, (uint16_t)val);
	else
		write32(s, a, (uint32_t)val);
}

static const struct region_ops regs_ops = {
	.read = regs_read,
	.write = regs_write,
	.min_size = 1,
	.max_size = 4,
};

/* ---------------------------------------------------------------- device */

static const struct pci_identity rtl8139_id = {
	.vendor = 0x10ec,
	.device = 0x8139,
	.subsys_vendor = 0x1af4, /* QEMU's: Red Hat, "QEMU Virtual Machine" */
	.subsys_id = 0x1100,
	.class_code = 0x020000,
	.revision = RTL_REV,
	.header_type = 0x00,
	.int_pin = 1,
	.status = 0,
};

/* The EEPROM image the driver reads its MAC from (QEMU's: ID word, IDs, MAC at words 7-9). */
static void eeprom_init(struct rtl8139 *s)
{
	memset(&s->ee, 0, sizeof(s->ee));
	s->ee.contents[0] = 0x8129;
	s->ee.contents[1] = 0x10ec;
	s->ee.contents[2] = 0x8139;
	for (int i = 0; i < 3; i++)
		s->ee.contents[7 + i] = (uint16_t)(s->mac[2 * i] | s->mac[2 * i + 1] << 8);
}

static void rtl_unplug(struct xen_unplug_hook *h, unsigned what)
{
	struct rtl8139 *s = h->dev->state;

	(void)what;
	if (s->unplugged)
		return;
	/* The PV driver takes over: the function leaves the bus, the backend stops
	 * (xen-interface.md §10) */
	pci_func_detach(&s->pci);
	s->unplugged = true;
	if (s->timer.loop)
		timer_del(&s->timer);
	net_delete(s->port); /* QEMU's del_nic_peer: the tap goes away */
	s->port = NULL;
	dm_info(s->dev->name, "unplugged");
}

static int rtl8139_init(struct dm_dev *dev)
{
	struct rtl8139 *s = dev->state;
	const char *netdev = dev_prop_str(dev, "netdev");
	int r;

	s->dev = dev;
	nic_mac(dev, s->mac);
	pci_func_init(&s->pci, dev->m, (unsigned)dev_prop_int(dev, "addr"), &rtl8139_id, NULL, s,
		      dev->name);
	/* QEMU sets the capability pointer with no list behind it (status CAP_LIST clear) */
	pci_cfg_set8(&s->pci, PCI_CAPABILITY_LIST, 0xdc);
	s->io = (struct region){ .name = "rtl8139", .ops = &regs_ops, .opaque = s };
	s->mmio = (struct region){ .name = "rtl8139-mmio", .ops = &regs_ops, .opaque = s };
	r = pci_bar_init(&s->pci, 0, PCI_BAR_IO, 256, &s->io);
	r = r ? r : pci_bar_init(&s->pci, 1, PCI_BAR_MEM32, 256, &s->mmio);
	r = r ? r
	      : pci_rom_load(&s->pci, &s->rom, dev_prop_str(dev, "romfile"), RTL_ROM_PACKAGE,
			     dev->name);
	if (r)
		return r;
	if (netdev) {
		r = net_attach(dev->m, netdev, &rtl_rx_ops, s, &s->port);
		if (r) {
			dm_err(dev->name, "netdev '%s': %s", netdev,
			       r == -ENOENT  ? "no such -netdev"
			       : r == -EBUSY ? "already used by another NIC"
					     : strerror(-r));
			return r;
		}
	}
	if (dev->m->loop)
		timer_init(&s->timer, dev->m->loop, rtl_timer_fire, s);
	eeprom_init(s);
	s->unplug =
	    (struct xen_unplug_hook){ .mask = XEN_UNPLUG_NICS, .unplug = rtl_unplug, .dev = dev };
	xen_unplug_register(&s->unplug);
	rtl_soft_reset(s);
	return pci_func_attach(&s->pci);
}

static void rtl8139_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct rtl8139 *s = dev->state;

	(void)kind;
	if (s->unplugged)
		return;
	pci_func_reset(&s->pci);
	rtl_soft_reset(s);
}

static void rtl8139_fini(struct dm_dev *dev)
{
	struct rtl8139 *s = dev->state;

	if (!s->dev)
		return;
	xen_unplug_unregister(&s->unplug);
	if (s->timer.loop)
		timer_del(&s->timer);
	if (s->port)
		net_detach(s->port);
	if (s->pci.m)
		pci_func_detach(&s->pci);
	pci_rom_free(&s->rom);
}

/* ---------------------------------------------------------------- save / load */

#define SNAP_FIELDS(X)                  \
	X(u32, "rbstart", rbstart)      \
	X(u32, "rx_size", rx_size)      \
	X(u32, "capr", capr)            \
	X(u32, "cbr", cbr)              \
	X(u16, "isr", isr)              \
	X(u16, "imr", imr)              \
	X(u32, "tcr", tcr)              \
	X(u32, "rcr", rcr)              \
	X(u32, "mpc", mpc)              \
	X(u16, "cscr", cscr)            \
	X(u8, "cr9346", cr9346)         \
	X(u8, "config0", config0)       \
	X(u8, "config1", config1)       \
	X(u8, "config3", config3)       \
	X(u8, "config4", config4)       \
	X(u8, "config5", config5)       \
	X(u8, "cr", cr)                 \
	X(u16, "mulint", mulint)        \
	X(u16, "bmcr", bmcr)            \
	X(u16, "bmsr", bmsr)            \
	X(u16, "anar", anar)            \
	X(u16, "anlpar", anlpar)        \
	X(u16, "aner", aner)            \
	X(u16, "cpcr", cpcr)            \
	X(u8, "etthr", etthr)           \
	X(u32, "cur_tx", cur_tx)        \
	X(u32, "cur_cp_rx", cur_cp_rx)  \
	X(u32, "cur_cp_tx", cur_cp_tx)  \
	X(u32, "rdsar_lo", rdsar_lo)    \
	X(u32, "rdsar_hi", rdsar_hi)    \
	X(u32, "timer_int", timer_int)  \
	X(u8, "ee.mode", ee.mode)       \
	X(u8, "ee.tick", ee.tick)       \
	X(u8, "ee.address", ee.address) \
	X(u16, "ee.input", ee.input)    \
	X(u16, "ee.output", ee.output)  \
	X(u32, "txbuf_len", txbuf_len)

static int rtl8139_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct rtl8139 *s = dev->state;
	int r = pci_func_save(&s->pci, w);
	uint8_t bits =
	    (uint8_t)(s->clock_enabled | s->cplus_enabled << 1 | s->ee.cs << 2 | s->ee.sk << 3 |
		      s->ee.di << 4 | s->ee.dout << 5 | s->rx_blocked << 6);

	if (r)
		return r;
	snap_bytes(w, "idr", s->idr, 6);
	snap_bytes(w, "mar", s->mar, 8);
	snap_bytes(w, "tsd", s->tsd, sizeof(s->tsd));
	snap_bytes(w, "tsad", s->tsad, sizeof(s->tsad));
#define SAVE(t, n, f) snap_##t(w, n, s->f);
	SNAP_FIELDS(SAVE)
#undef SAVE
	snap_u8(w, "flags", bits);
	/* TCTR as a count, so the restored counter goes on from where it was */
	snap_u32(w, "tctr", tctr(s, now_ns(s)));
	snap_bytes(w, "ee.contents", s->ee.contents, sizeof(s->ee.contents));
	snap_bytes(w, "tally", &s->tally, sizeof(s->tally));
	snap_bytes(w, "txbuf", s->txbuf, s->txbuf_len);
	return w->err;
}

static int rtl8139_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct rtl8139 *s = dev->state;
	uint8_t bits = 0;
	uint32_t count = 0;
	int ret;

	if (version != 1)
		return -EINVAL;
	ret = pci_func_load(&s->pci, r);
	ret = ret ? ret : snap_get_bytes(r, "idr", s->idr, 6);
	ret = ret ? ret : snap_get_bytes(r, "mar", s->mar, 8);
	ret = ret ? ret : snap_get_bytes(r, "tsd", s->tsd, sizeof(s->tsd));
	ret = ret ? ret : snap_get_bytes(r, "tsad", s->tsad, sizeof(s->tsad));
#define LOAD(t, n, f) ret = ret ? ret : snap_get_##t(r, n, &s->f);
	SNAP_FIELDS(LOAD)
#undef LOAD
	ret = ret ? ret : snap_get_u8(r, "flags", &bits);
	ret = ret ? ret : snap_get_u32(r, "tctr", &count);
	ret = ret ? ret : snap_get_bytes(r, "ee.contents", s->ee.contents, sizeof(s->ee.contents));
	ret = ret ? ret : snap_get_bytes(r, "tally", &s->tally, sizeof(s->tally));
	if (ret)
		return ret;
	/* Untrusted input: every size and index a later access uses is checked here. */
	if (s->txbuf_len > RTL_CP_TXBUF ||
	    (s->rx_size != 8192 && s->rx_size != 16384 && s->rx_size != 32768 &&
	     s->rx_size != 65536) ||
	    s->capr >= s->rx_size || s->cbr >= s->rx_size || s->cur_tx >= RTL_TX_DESCS ||
	    s->cur_cp_rx >= RTL_CP_DESCS || s->cur_cp_tx >= RTL_CP_DESCS || !ee93c46_valid(&s->ee))
		return -EINVAL;
	ret = snap_get_bytes(r, "txbuf", s->txbuf, s->txbuf_len);
	if (ret)
		return ret;
	s->clock_enabled = bits & 1;
	s->cplus_enabled = bits & 2;
	s->ee.cs = bits & 4;
	s->ee.sk = bits & 8;
	s->ee.di = bits & 16;
	s->ee.dout = bits & 32;
	s->rx_blocked = bits & 64;
	/* rounded up, so that the counter reads exactly count again (save, load, save: equal) */
	s->tctr_base = now_ns(s) - ((uint64_t)count * 1000000000u + RTL_PCI_HZ - 1) / RTL_PCI_HZ;
	return 0;
}

static void rtl8139_post_load(struct dm_dev *dev)
{
	struct rtl8139 *s = dev->state;

	pci_func_post_load(&s->pci);
	rtl_timer_update(s);
	rtl_update_irq(s);
	rx_room(s);
}

static const struct prop_desc rtl8139_props[] = {
	{ .name = "addr", .type = PROP_PCIADDR, .help = "PCI slot (default: the next free one)" },
	{ .name = "mac", .type = PROP_MAC, .help = "MAC address (default: 52:54:00:12:34:56 + n)" },
	{ .name = "netdev", .type = PROP_NETDEV, .help = "-netdev id (none: no peer)" },
	{ .name = "romfile",
	  .type = PROP_STR,
	  .def = RTL_ROM_DEFAULT,
	  .help = "expansion ROM (iPXE); empty: none" },
	{ .name = NULL },
};

const struct dev_type rtl8139_type = {
	.name = "rtl8139",
	.kind = DEV_KIND_PCI,
	.help = "Realtek RTL8139C+ Fast Ethernet (10ec:8139 rev 20)",
	.props = rtl8139_props,
	.state_size = sizeof(struct rtl8139),
	.state_version = 1,
	.init = rtl8139_init,
	.reset = rtl8139_reset,
	.fini = rtl8139_fini,
	.save = rtl8139_save,
	.load = rtl8139_load,
	.post_load = rtl8139_post_load,
};
