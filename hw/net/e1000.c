// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 82540EM Gigabit Ethernet controller, as QEMU 7.2's `-device e1000`
 * presents it to a guest (hw/net/e1000.c) and qemu-xen shows it in the
 * golden capture (lspci-vvv-b.txt): PCI 8086:100e rev 03, class 0200,
 * subsystem 1af4:1100, INTA; BAR0 128 KiB of registers (MMIO), BAR1 64
 * bytes of I/O, the iPXE option ROM (256 KiB BAR for efi-e1000.rom).
 *
 * Followed: the PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual (8254x SDM): 13.4 the registers (dispatched through
 * one table below, with QEMU's set of registers: what QEMU does not have
 * reads 0 and ignores writes), 7.4 interrupts (ICR read-to-clear, ICS
 * sets, IMS/IMC mask, INTx level = ICR & IMS, ITR/RADV/TADV moderation as
 * QEMU approximates it with one timer), 8.x link (STATUS.LU follows the
 * backend; restarting auto-negotiation in the PHY takes the link down for
 * 500 ms and ends with LSC), 13.1 I/O-mapped access (IOADDR at 0, IODATA
 * at 4). The EEPROM, PHY, transmit and receive paths are their own files.
 *
 * A deliberate difference from QEMU 7.2: QEMU's BAR1 reads 0 and drops
 * writes; here IOADDR/IODATA reach the registers as on the chip (SDM
 * 13.1), which no driver QEMU runs notices (tests/diff/known-differences.txt).
 *
 * Left out: wake-up and manageability (the registers only store), flash,
 * the 82544/82545 variants, TX/RX FIFO behaviour, PHY reset timing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/device.h"
#include "dm/log.h"
#include "dm/machine.h"
#include "dm/memory.h"
#include "dm/net.h"
#include "dm/state.h"
#include "hw/net/e1000_int.h"
#include "hw/net/nic_mac.h"

#define E1000_DEV_ID_82540EM  0x100e
#define E1000_ROM_DEFAULT     "/usr/lib/ipxe/qemu/efi-e1000.rom"
#define E1000_ROM_PACKAGE     "ipxe-qemu"
#define AUTONEG_NS	      500000000ull  /* QEMU's auto-negotiation: 500 ms */
#define FLUSH_NS	      1000000000ull /* QEMU's RX pause after an RCTL write: 1 s */
#define MIT_MIN_DELAY	      500	    /* 256 ns units: at most 7813 interrupts/s */
#define E1000_STATUS_AT_RESET 0x80080783u

const struct dev_type e1000_type;

/* ---------------------------------------------------------------- register table */

enum rd_op { RD_NONE, RD_REG, RD_CLR4, RD_CLR8, RD_ICR, RD_EECD, RD_EERD };
enum wr_op {
	WR_NONE,
	WR_REG,
	WR_DLEN,
	WR_TX, /* TCTL and TDT: store, then run the ring */
	WR_MDIC,
	WR_ICS,
	WR_LOW16,
	WR_RDT,
	WR_IMC,
	WR_IMS,
	WR_ICR,
	WR_EECD,
	WR_RCTL,
	WR_CTRL,
	WR_LOW11,
	WR_LOW13,
	WR_LOW4,
};

#define R(off)	   [E1000_REG(off)]
#define RR(off, n) [E1000_REG(off)... E1000_REG(off) + (n)-1]

/* What a read of each register does (QEMU 7.2's macreg_readops; SDM table 13-2). */
static const uint8_t reg_rd[E1000_NREGS] = {
	R(E1000_PBA) = RD_REG,
	R(E1000_RCTL) = RD_REG,
	R(E1000_TDH) = RD_REG,
	R(E1000_TXDCTL) = RD_REG,
	R(E1000_WUFC) = RD_REG,
	R(E1000_TDT) = RD_REG,
	R(E1000_CTRL) = RD_REG,
	R(E1000_LEDCTL) = RD_REG,
	R(E1000_MANC) = RD_REG,
	R(E1000_MDIC) = RD_REG,
	R(E1000_SWSM) = RD_REG,
	R(E1000_STATUS) = RD_REG,
	R(E1000_TORL) = RD_REG,
	R(E1000_TOTL) = RD_REG,
	R(E1000_IMS) = RD_REG,
	R(E1000_TCTL) = RD_REG,
	R(E1000_RDH) = RD_REG,
	R(E1000_RDT) = RD_REG,
	R(E1000_VET) = RD_REG,
	R(E1000_ICS) = RD_REG,
	R(E1000_TDBAL) = RD_REG,
	R(E1000_TDBAH) = RD_REG,
	R(E1000_RDBAH) = RD_REG,
	R(E1000_RDBAL) = RD_REG,
	R(E1000_TDLEN) = RD_REG,
	R(E1000_RDLEN) = RD_REG,
	R(E1000_RDTR) = RD_REG,
	R(E1000_RADV) = RD_REG,
	R(E1000_TADV) = RD_REG,
	R(E1000_ITR) = RD_REG,
	R(E1000_FCRUC) = RD_REG,
	R(E1000_IPAV) = RD_REG,
	R(E1000_WUC) = RD_REG,
	R(E1000_WUS) = RD_REG,
	R(E1000_SCC) = RD_REG,
	R(E1000_ECOL) = RD_REG,
	R(E1000_MCC) = RD_REG,
	R(E1000_LATECOL) = RD_REG,
	R(E1000_COLC) = RD_REG,
	R(E1000_DC) = RD_REG,
	R(E1000_TNCRS) = RD_REG,
	R(E1000_SEQEC) = RD_REG,
	R(E1000_CEXTERR) = RD_REG,
	R(E1000_RLEC) = RD_REG,
	R(E1000_XONRXC) = RD_REG,
	R(E1000_XONTXC) = RD_REG,
	R(E1000_XOFFRXC) = RD_REG,
	R(E1000_XOFFTXC) = RD_REG,
	R(E1000_RFC) = RD_REG,
	R(E1000_RJC) = RD_REG,
	R(E1000_RNBC) = RD_REG,
	R(E1000_TSCTFC) = RD_REG,
	R(E1000_MGTPRC) = RD_REG,
	R(E1000_MGTPDC) = RD_REG,
	R(E1000_MGTPTC) = RD_REG,
	R(E1000_GORCL) = RD_REG,
	R(E1000_GOTCL) = RD_REG,
	R(E1000_RDFH) = RD_REG,
	R(E1000_RDFT) = RD_REG,
	R(E1000_RDFHS) = RD_REG,
	R(E1000_RDFTS) = RD_REG,
	R(E1000_RDFPC) = RD_REG,
	R(E1000_TDFH) = RD_REG,
	R(E1000_TDFT) = RD_REG,
	R(E1000_TDFHS) = RD_REG,
	R(E1000_TDFTS) = RD_REG,
	R(E1000_TDFPC) = RD_REG,
	R(E1000_AIT) = RD_REG,

	/* Statistics clear on read (SDM 13.7); a 64-bit pair clears on reading the high half. */
	R(E1000_TOTH) = RD_CLR8,
	R(E1000_TORH) = RD_CLR8,
	R(E1000_GOTCH) = RD_CLR8,
	R(E1000_GORCH) = RD_CLR8,
	R(E1000_PRC64) = RD_CLR4,
	R(E1000_PRC127) = RD_CLR4,
	R(E1000_PRC255) = RD_CLR4,
	R(E1000_PRC511) = RD_CLR4,
	R(E1000_PRC1023) = RD_CLR4,
	R(E1000_PRC1522) = RD_CLR4,
	R(E1000_PTC64) = RD_CLR4,
	R(E1000_PTC127) = RD_CLR4,
	R(E1000_PTC255) = RD_CLR4,
	R(E1000_PTC511) = RD_CLR4,
	R(E1000_PTC1023) = RD_CLR4,
	R(E1000_PTC1522) = RD_CLR4,
	R(E1000_GPRC) = RD_CLR4,
	R(E1000_GPTC) = RD_CLR4,
	R(E1000_TPT) = RD_CLR4,
	R(E1000_TPR) = RD_CLR4,
	R(E1000_RUC) = RD_CLR4,
	R(E1000_ROC) = RD_CLR4,
	R(E1000_BPRC) = RD_CLR4,
	R(E1000_MPRC) = RD_CLR4,
	R(E1000_TSCTC) = RD_CLR4,
	R(E1000_BPTC) = RD_CLR4,
	R(E1000_MPTC) = RD_CLR4,
	R(E1000_ICR) = RD_ICR,
	R(E1000_EECD) = RD_EECD,
	R(E1000_EERD) = RD_EERD,

	RR(E1000_CRCERRS, 5) = RD_REG, /* CRCERRS .. MPC */
	RR(E1000_IP6AT, 4) = RD_REG,
	RR(E1000_IP4AT, 7) = RD_REG,
	RR(E1000_FFLT, 7) = RD_REG,
	RR(E1000_RA, 32) = RD_REG,
	RR(E1000_WUPM, 32) = RD_REG,
	RR(E1000_MTA, E1000_MTA_SIZE) = RD_REG,
	RR(E1000_VFTA, E1000_VFTA_SIZE) = RD_REG,
	RR(E1000_FFMT, 255) = RD_REG,
	RR(E1000_FFVT, 255) = RD_REG,
	RR(E1000_PBM, 16384) = RD_REG,
};

/* What a write does (QEMU 7.2's macreg_writeops). Anything else is read-only or absent. */
static const uint8_t reg_wr[E1000_NREGS] = {
	R(E1000_PBA) = WR_REG,
	R(E1000_EERD) = WR_REG,
	R(E1000_SWSM) = WR_REG,
	R(E1000_WUFC) = WR_REG,
	R(E1000_TDBAL) = WR_REG,
	R(E1000_TDBAH) = WR_REG,
	R(E1000_TXDCTL) = WR_REG,
	R(E1000_RDBAH) = WR_REG,
	R(E1000_RDBAL) = WR_REG,
	R(E1000_LEDCTL) = WR_REG,
	R(E1000_VET) = WR_REG,
	R(E1000_FCRUC) = WR_REG,
	R(E1000_IPAV) = WR_REG,
	R(E1000_WUC) = WR_REG,
	R(E1000_WUS) = WR_REG,

	R(E1000_TDLEN) = WR_DLEN,
	R(E1000_RDLEN) = WR_DLEN,
	R(E1000_TCTL) = WR_TX,
	R(E1000_TDT) = WR_TX,
	R(E1000_MDIC) = WR_MDIC,
	R(E1000_ICS) = WR_ICS,
	R(E1000_TDH) = WR_LOW16,
	R(E1000_RDH) = WR_LOW16,
	R(E1000_RDT) = WR_RDT,
	R(E1000_IMC) = WR_IMC,
	R(E1000_IMS) = WR_IMS,
	R(E1000_ICR) = WR_ICR,
	R(E1000_EECD) = WR_EECD,
	R(E1000_RCTL) = WR_RCTL,
	R(E1000_CTRL) = WR_CTRL,
	R(E1000_RDTR) = WR_LOW16,
	R(E1000_RADV) = WR_LOW16,
	R(E1000_TADV) = WR_LOW16,
	R(E1000_ITR) = WR_LOW16,
	R(E1000_TDFH) = WR_LOW11,
	R(E1000_TDFT) = WR_LOW11,
	R(E1000_TDFHS) = WR_LOW13,
	R(E1000_TDFTS) = WR_LOW13,
	R(E1000_TDFPC) = WR_LOW13,
	R(E1000_RDFH) = WR_LOW13,
	R(E1000_RDFT) = WR_LOW13,
	R(E1000_RDFHS) = WR_LOW13,
	R(E1000_RDFTS) = WR_LOW13,
	R(E1000_RDFPC) = WR_LOW13,
	R(E1000_AIT) = WR_LOW16,

	RR(E1000_IP6AT, 4) = WR_REG,
	RR(E1000_IP4AT, 7) = WR_REG,
	RR(E1000_FFLT, 7) = WR_LOW11,
	RR(E1000_RA, 32) = WR_REG,
	RR(E1000_WUPM, 32) = WR_REG,
	RR(E1000_MTA, E1000_MTA_SIZE) = WR_REG,
	RR(E1000_VFTA, E1000_VFTA_SIZE) = WR_REG,
	RR(E1000_FFMT, 255) = WR_LOW4,
	RR(E1000_FFVT, 255) = WR_REG,
	RR(E1000_PBM, 16384) = WR_REG,
};

#undef R
#undef RR

/* ---------------------------------------------------------------- helpers for the other files */

struct guest_mem *e1000_gm(struct e1000 *s)
{
	return s->dev && s->dev->m ? &s->dev->m->mem : NULL;
}

bool e1000_bus_master(const struct e1000 *s)
{
	return pci_cfg_get16(&s->pci, PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* Statistics saturate at all ones (SDM 13.7: "the counter does not wrap"). */
void e1000_inc_reg(struct e1000 *s, unsigned off)
{
	if (s->mac[E1000_REG(off)] != UINT32_MAX)
		s->mac[E1000_REG(off)]++;
}

void e1000_grow_8reg(struct e1000 *s, unsigned off_lo, uint64_t n)
{
	uint32_t *lo = &s->mac[E1000_REG(off_lo)];
	uint64_t sum = lo[0] | (uint64_t)lo[1] << 32;

	sum = sum + n < sum ? UINT64_MAX : sum + n;
	lo[0] = (uint32_t)sum;
	lo[1] = (uint32_t)(sum >> 32);
}

/* The six size-bucket counters from first_reg (PRC64... or PTC64...), size with the FCS. */
void e1000_size_stats(struct e1000 *s, unsigned first_reg, size_t size)
{
	static const size_t floor[6] = { 64, 65, 128, 256, 512, 1024 };

	for (int i = 5; i >= 0; i--) {
		if (size >= floor[i] && (i || size == 64)) {
			e1000_inc_reg(s, first_reg + 4u * (unsigned)i);
			return;
		}
	}
}

static bool arm(struct e1000 *s, struct timer *t, uint64_t ns)
{
	struct loop *l = s->dev->m ? s->dev->m->loop : NULL;

	if (!l)
		return false;
	timer_mod(t, loop_now(l) + ns);
	return true;
}

/* ---------------------------------------------------------------- interrupts (SDM 7.4) */

static void mit_delay_min(uint32_t *cur, uint32_t v)
{
	if (v && (!*cur || v < *cur))
		*cur = v;
}

/*
 * ICR <- val; the line follows ICR & IMS. A rising edge inside the
 * moderation window waits for the timer; otherwise the timer is armed with
 * the smallest of TADV (when a descriptor asked IDE), RADV (when RDTR is
 * set) and ITR, at least 500 x 256 ns, as QEMU 7.2 approximates 7.4.4.
 */
void e1000_set_interrupt_cause(struct e1000 *s, uint32_t val)
{
	uint32_t pending, delay = 0;

	E1000_R(s, E1000_ICR) = val;
	E1000_R(s, E1000_ICS) = val; /* ICS reads as ICR without the clear (QEMU, VxWorks) */
	pending = E1000_R(s, E1000_IMS) & val;
	if (!s->mit_irq_level && pending) {
		if (s->mit_timer_on)
			return;
		if (s->mit_ide && (pending & (E1000_ICR_TXQE | E1000_ICR_TXDW)))
			mit_delay_min(&delay, E1000_R(s, E1000_TADV) * 4);
		if (E1000_R(s, E1000_RDTR) && (pending & E1000_ICR_RXT0))
			mit_delay_min(&delay, E1000_R(s, E1000_RADV) * 4);
		mit_delay_min(&delay, E1000_R(s, E1000_ITR));
		if (delay < MIT_MIN_DELAY)
			delay = MIT_MIN_DELAY;
		s->mit_timer_on = arm(s, &s->mit_timer, (uint64_t)delay * 256);
		s->mit_ide = 0;
	}
	s->mit_irq_level = pending != 0;
	pci_set_irq(&s->pci, s->mit_irq_level);
}

void e1000_set_ics(struct e1000 *s, uint32_t cause)
{
	e1000_set_interrupt_cause(s, cause | E1000_R(s, E1000_ICR));
}

static void mit_fire(void *opaque)
{
	struct e1000 *s = opaque;

	s->mit_timer_on = false;
	e1000_set_interrupt_cause(s, E1000_R(s, E1000_ICR));
}

/* ---------------------------------------------------------------- link */

void e1000_link_down_regs(struct e1000 *s)
{
	E1000_R(s, E1000_STATUS) &= ~E1000_STATUS_LU;
	s->phy[MII_BMSR] &= (uint16_t) ~(MII_BMSR_LINK_ST | MII_BMSR_AN_COMP);
	s->phy[MII_ANLPAR] &= (uint16_t)~MII_ANLPAR_ACK;
}

void e1000_link_up_regs(struct e1000 *s)
{
	E1000_R(s, E1000_STATUS) |= E1000_STATUS_LU;
	s->phy[MII_BMSR] |= MII_BMSR_LINK_ST;
}

bool e1000_have_autoneg(const struct e1000 *s)
{
	return s->phy[MII_BMCR] & MII_BMCR_AUTOEN;
}

static void rx_kick(struct e1000 *s)
{
	if (s->port && e1000_can_receive(s))
		net_rx_ready(s->port);
}

static void autoneg_done(struct e1000 *s)
{
	e1000_link_up_regs(s);
	s->phy[MII_ANLPAR] |= MII_ANLPAR_ACK;
	s->phy[MII_BMSR] |= MII_BMSR_AN_COMP;
	rx_kick(s);
}

static void autoneg_fire(void *opaque)
{
	struct e1000 *s = opaque;

	if (s->link_down)
		return;
	autoneg_done(s);
	e1000_set_ics(s, E1000_ICR_LSC);
}

/* Restarting auto-negotiation: the link is down until the timer says it is done. */
void e1000_restart_autoneg(struct e1000 *s)
{
	e1000_link_down_regs(s);
	if (!arm(s, &s->autoneg_timer, AUTONEG_NS))
		autoneg_fire(s);
}

/* ---------------------------------------------------------------- register writes */

static void flush_fire(void *opaque)
{
	rx_kick(opaque);
}

static void tx_resume(void *opaque)
{
	struct e1000 *s = opaque;

	s->tx_yielded = false;
	e1000_start_xmit(s);
}

void e1000_tx_defer(struct e1000 *s)
{
	s->tx_yielded = true;
	if (s->dev->m && s->dev->m->loop)
		loop_defer(s->dev->m->loop, &s->tx_resume);
}

static void rctl_write(struct e1000 *s, uint32_t val)
{
	E1000_R(s, E1000_RCTL) = val;
	s->rxbuf_size = e1000_rxbufsize(val);
	s->rxbuf_min_shift = ((val >> E1000_RCTL_RDMTS_SHIFT) & 3) + 1;
	/* QEMU holds received frames back for a second after RCTL changes. */
	if (!arm(s, &s->flush_timer, FLUSH_NS))
		rx_kick(s);
}

static void reg_write(struct e1000 *s, unsigned idx, uint32_t val)
{
	uint32_t *r = &s->mac[idx];

	switch ((enum wr_op)reg_wr[idx]) {
	case WR_NONE:
		dm_dbg(LOG_UNIMP, s->dev->name, "write %#x to register %#x ignored", val, idx * 4);
		break;
	case WR_REG:
		*r = val;
		break;
	case WR_DLEN:
		*r = val & 0xfff80; /* a multiple of 128 bytes, below 1 MiB (SDM 13.4.28) */
		break;
	case WR_TX:
		*r = val;
		E1000_R(s, E1000_TDT) &= 0xffff;
		e1000_start_xmit(s);
		break;
	case WR_MDIC:
		e1000_mdic_write(s, val);
		break;
	case WR_ICS:
		e1000_set_ics(s, val);
		break;
	case WR_LOW16:
		*r = val & 0xffff;
		break;
	case WR_RDT:
		*r = val & 0xffff;
		if (e1000_has_rxbufs(s, 1))
			rx_kick(s);
		break;
	case WR_IMC:
		E1000_R(s, E1000_IMS) &= ~val;
		e1000_set_ics(s, 0);
		break;
	case WR_IMS:
		E1000_R(s, E1000_IMS) |= val;
		e1000_set_ics(s, 0);
		break;
	case WR_ICR: /* write 1 to clear (SDM 13.4.17) */
		e1000_set_interrupt_cause(s, E1000_R(s, E1000_ICR) & ~val);
		break;
	case WR_EECD:
		e1000_eecd_write(s, val);
		break;
	case WR_RCTL:
		rctl_write(s, val);
		break;
	case WR_CTRL:
		*r = val & ~E1000_CTRL_RST; /* RST clears itself; QEMU resets nothing */
		break;
	case WR_LOW11:
		*r = val & 0x7ff;
		break;
	case WR_LOW13:
		*r = val & 0x1fff;
		break;
	case WR_LOW4:
		*r = val & 0xf;
		break;
	}
}

static uint32_t reg_read(struct e1000 *s, unsigned idx)
{
	uint32_t v = s->mac[idx];

	switch ((enum rd_op)reg_rd[idx]) {
	case RD_NONE:
		dm_dbg(LOG_UNIMP, s->dev->name, "read of register %#x: 0", idx * 4);
		return 0;
	case RD_REG:
		return v;
	case RD_CLR4:
		s->mac[idx] = 0;
		return v;
	case RD_CLR8:
		s->mac[idx] = 0;
		s->mac[idx - 1] = 0;
		return v;
	case RD_ICR:
		e1000_set_interrupt_cause(s, 0);
		return v;
	case RD_EECD:
		return e1000_eecd_read(s);
	case RD_EERD:
		return e1000_eerd_read(s);
	}
	return 0;
}

/* ---------------------------------------------------------------- BAR0 (MMIO) and BAR1 (I/O) */

/*
 * The chip takes only 32-bit accesses (SDM 13.3). A narrower or unaligned
 * one does what QEMU 7.2's memory core makes of it for a 4-byte-only
 * region: the register holding the first byte, its low bytes read, the
 * value written unshifted (readw at 0xa is STATUS & 0xffff).
 */
static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	uint32_t v = reg_read(opaque, (unsigned)(off & (E1000_MMIO_SIZE - 1)) >> 2);

	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)size;
	reg_write(opaque, (unsigned)(off & (E1000_MMIO_SIZE - 1)) >> 2, (uint32_t)val);
}

static const struct region_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.min_size = 1,
	.max_size = 4,
	.unaligned_ok = true,
};

/* SDM 13.1: IOADDR (offset 0) selects a register, IODATA (offset 4) accesses it. */
static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
	struct e1000 *s = opaque;

	(void)size;
	if (off == 0)
		return s->ioaddr;
	if (off == 4)
		return reg_read(s, (s->ioaddr & (E1000_MMIO_SIZE - 1)) >> 2);
	return 0;
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct e1000 *s = opaque;

	(void)size;
	if (off == 0)
		s->ioaddr = (uint32_t)val & (E1000_MMIO_SIZE - 4);
	else if (off == 4)
		reg_write(s, (s->ioaddr & (E1000_MMIO_SIZE - 1)) >> 2, (uint32_t)val);
}

static const struct region_ops io_ops = {
	.read = io_read,
	.write = io_write,
	.min_size = 4,
	.max_size = 4,
};

/* The expansion ROM: the file's bytes, zeros up to the power-of-two BAR. */
/* ---------------------------------------------------------------- PCI */

static const struct pci_identity e1000_id = {
	.vendor = 0x8086,
	.device = E1000_DEV_ID_82540EM,
	.subsys_vendor = 0x1af4, /* QEMU's default subsystem, as the golden capture shows */
	.subsys_id = 0x1100,
	.class_code = 0x020000,
	.revision = 0x03,
	.header_type = 0x00,
	.int_pin = 1,
	.status = 0,
};

/* Bus Master turned on: frames the backend held may come in now (QEMU e1000_write_config). */
static void e1000_cfg_write(struct pci_func *f, unsigned reg, uint32_t val, uint32_t old,
			    unsigned size)
{
	(void)val;
	(void)old;
	if (pci_range_overlaps(reg, size, PCI_COMMAND, 1) &&
	    (pci_cfg_get16(f, PCI_COMMAND) & PCI_COMMAND_MASTER))
		rx_kick(f->opaque);
}

static const struct pci_func_ops e1000_pci_ops = {
	.cfg_write = e1000_cfg_write,
};

/* ---------------------------------------------------------------- reset */

static void reset_mac_addr(struct e1000 *s)
{
	const uint8_t *a = s->macaddr;

	E1000_R(s, E1000_RA) =
	    (uint32_t)a[0] | (uint32_t)a[1] << 8 | (uint32_t)a[2] << 16 | (uint32_t)a[3] << 24;
	E1000_R(s, E1000_RA + 4) = E1000_RAH_AV | a[4] | (uint32_t)a[5] << 8;
}

/* QEMU 7.2's e1000_reset: registers and PHY to their power-on values; the EEPROM stays. */
static void regs_reset(struct e1000 *s)
{
	timer_del(&s->autoneg_timer);
	timer_del(&s->mit_timer);
	timer_del(&s->flush_timer);
	if (s->dev->m && s->dev->m->loop)
		loop_cancel_deferred(s->dev->m->loop, &s->tx_resume);
	s->mit_timer_on = s->mit_irq_level = false;
	s->mit_ide = 0;
	e1000_phy_reset(s->phy);
	memset(s->mac, 0, sizeof(s->mac));
	E1000_R(s, E1000_PBA) = 0x00100030;
	E1000_R(s, E1000_LEDCTL) = 0x602;
	E1000_R(s, E1000_CTRL) =
	    E1000_CTRL_SWDPIN2 | E1000_CTRL_SWDPIN0 | E1000_CTRL_SPD_1000 | E1000_CTRL_SLU;
	E1000_R(s, E1000_STATUS) = E1000_STATUS_AT_RESET;
	E1000_R(s, E1000_MANC) = E1000_MANC_EN_MNG2HOST | E1000_MANC_RCV_TCO_EN |
				 E1000_MANC_ARP_EN | E1000_MANC_0298_EN | E1000_MANC_RMCP_EN;
	E1000_R(s, E1000_VET) = s->init_vet ? 0x8100 : 0; /* 802.1Q, or 0 (init-vet) */
	s->rxbuf_size = e1000_rxbufsize(0);
	s->rxbuf_min_shift = 1;
	s->ioaddr = 0;
	s->tx_yielded = false;
	memset(&s->tx, 0, sizeof(s->tx));
	if (s->link_down)
		e1000_link_down_regs(s);
	reset_mac_addr(s);
}

static void e1000_reset(struct dm_dev *dev, enum reset_kind kind)
{
	struct e1000 *s = dev->state;

	(void)kind;
	pci_func_reset(&s->pci);
	regs_reset(s);
}

/* ---------------------------------------------------------------- unplug, backend, ROM */

static void e1000_detach(struct e1000 *s)
{
	if (s->port) {
		net_detach(s->port);
		s->port = NULL;
	}
	if (s->pci.attached)
		pci_func_detach(&s->pci);
}

/* The Xen platform device's NIC unplug: the function disappears from the bus. */
static void e1000_unplug(struct xen_unplug_hook *h, unsigned what)
{
	struct e1000 *s = h->dev->state;

	(void)what;
	if (s->unplugged)
		return;
	timer_del(&s->autoneg_timer);
	timer_del(&s->mit_timer);
	timer_del(&s->flush_timer);
	if (s->dev->m && s->dev->m->loop)
		loop_cancel_deferred(s->dev->m->loop, &s->tx_resume);
	s->tx_yielded = false;
	if (s->port) {
		net_delete(
		    s->port); /* the tap goes, as QEMU's del_nic_peer (xen-interface.md §9) */
		s->port = NULL;
	}
	e1000_detach(s);
	s->unplugged = true;
	xen_unplug_unregister(h);
	dm_info(s->dev->name, "unplugged by the guest's PV drivers");
}

/*
 * QMP set_link, as QEMU 7.2's e1000_set_link_status: down clears STATUS.LU
 * and the PHY's link; up restarts an auto-negotiation that had not
 * completed (500 ms, then LSC) or brings the link straight up; LSC when
 * STATUS changed.
 */
static void e1000_link_changed(void *opaque, bool up)
{
	struct e1000 *s = opaque;
	uint32_t old = E1000_R(s, E1000_STATUS);

	s->link_down = !up;
	if (!up) {
		e1000_link_down_regs(s);
	} else if (e1000_have_autoneg(s) && !(s->phy[MII_BMSR] & MII_BMSR_AN_COMP)) {
		e1000_restart_autoneg(s);
	} else {
		e1000_link_up_regs(s);
		rx_kick(s);
	}
	if (E1000_R(s, E1000_STATUS) != old)
		e1000_set_ics(s, E1000_ICR_LSC);
}

static const struct net_rx_ops e1000_rx_ops = {
	.name = "e1000",
	.can_receive = e1000_can_receive,
	.receive = e1000_receive,
	.link_changed = e1000_link_changed,
};

static int attach_netdev(struct e1000 *s)
{
	const char *id = dev_prop_str(s->dev, "netdev");
	int r;

	if (!id)
		return 0; /* no peer: frames sent go nowhere; QEMU 7.2 keeps the link up */
	r = net_attach(s->dev->m, id, &e1000_rx_ops, s, &s->port);
	if (r) {
		dm_err(s->dev->name, "netdev=%s: %s", id,
		       r == -ENOENT  ? "no such -netdev"
		       : r == -EBUSY ? "already used by another NIC"
				     : strerror(-r));
		return r;
	}
	s->link_down = !net_link_up(s->port);
	return 0;
}

/* ---------------------------------------------------------------- init / fini */

/*
 * QEMU's "init-vet" (VET = 0x8100 at reset) is on by default but off on
 * machine types before 6.1 (hw_compat_6_0), and qemu-xen's xenfv is
 * xenfv-3.1: QEMU 7.2 with -machine pc-i440fx-3.1, the same compat set,
 * reads VET 0 after reset. Follow the machine unless given
 * (docs/compat-properties.md).
 */
static bool want_init_vet(const struct dm_dev *dev)
{
	const struct machine_opts *o = dev->m ? dev->m->opts : NULL;

	if (dev_prop_given(dev, "init-vet") || !o)
		return dev_prop_bool(dev, "init-vet");
	return o->kind != MACHINE_XENFV;
}

static int e1000_devfn(struct dm_dev *dev)
{
	if (dev_prop_given(dev, "addr"))
		return (int)dev_prop_int(dev, "addr");
	return -EINVAL; /* the machine builder places every PCI device */
}

static int e1000_bars(struct e1000 *s)
{
	int r;

	s->mmio = (struct region){ .name = "e1000-mmio", .ops = &mmio_ops, .opaque = s };
	s->io = (struct region){ .name = "e1000-io", .ops = &io_ops, .opaque = s };
	r = pci_bar_init(&s->pci, 0, PCI_BAR_MEM32, E1000_MMIO_SIZE, &s->mmio);
	if (!r)
		r = pci_bar_init(&s->pci, 1, PCI_BAR_IO, E1000_IO_SIZE, &s->io);
	return r;
}

static int e1000_init(struct dm_dev *dev)
{
	struct e1000 *s = dev->state;
	struct loop *l = dev->m ? dev->m->loop : NULL;
	int devfn = e1000_devfn(dev), r;

	s->dev = dev;
	if (devfn < 0) {
		dm_err(dev->name, "e1000 needs a PCI address");
		return devfn;
	}
	snprintf(dev->name, sizeof(dev->name), "e1000@%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
	timer_init(&s->mit_timer, l, mit_fire, s);
	timer_init(&s->autoneg_timer, l, autoneg_fire, s);
	timer_init(&s->flush_timer, l, flush_fire, s);
	deferred_init(&s->tx_resume, tx_resume, s);
	pci_func_init(&s->pci, dev->m, (unsigned)devfn, &e1000_id, &e1000_pci_ops, s, dev->name);
	nic_mac(dev, s->macaddr);
	s->init_vet = want_init_vet(dev);
	e1000_eeprom_init(s->eeprom, E1000_DEV_ID_82540EM, s->macaddr);
	r = e1000_bars(s);
	r = r ? r
	      : pci_rom_load(&s->pci, &s->rom, dev_prop_str(dev, "romfile"), E1000_ROM_PACKAGE,
			     dev->name);
	r = r ? r : attach_netdev(s);
	if (r)
		return r;
	regs_reset(s);
	r = pci_func_attach(&s->pci);
	if (r)
		return r;
	s->unplug =
	    (struct xen_unplug_hook){ .mask = XEN_UNPLUG_NICS, .unplug = e1000_unplug, .dev = dev };
	xen_unplug_register(&s->unplug);
	return 0;
}

static void e1000_fini(struct dm_dev *dev)
{
	struct e1000 *s = dev->state;

	if (!s->dev)
		return;
	xen_unplug_unregister(&s->unplug);
	timer_del(&s->autoneg_timer);
	timer_del(&s->mit_timer);
	timer_del(&s->flush_timer);
	if (dev->m && dev->m->loop)
		loop_cancel_deferred(dev->m->loop, &s->tx_resume);
	e1000_detach(s);
	pci_rom_free(&s->rom);
}

/* ---------------------------------------------------------------- save / restore */

static void put_le32s(uint8_t *out, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 4; b++)
			out[4 * i + b] = (uint8_t)(v[i] >> (8 * b));
}

static void get_le32s(uint32_t *v, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
		       (uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
}

static void put_le16s(uint8_t *out, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)v[i];
		out[2 * i + 1] = (uint8_t)(v[i] >> 8);
	}
}

static void get_le16s(uint16_t *v, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
}

static void save_props(struct snap_wr *w, const char *pfx, const struct e1000_tx_props *p)
{
	uint8_t b[20] = { p->ipcss,
			  p->ipcso,
			  p->tucss,
			  p->tucso,
			  p->hdr_len,
			  (uint8_t)p->ipcse,
			  (uint8_t)(p->ipcse >> 8),
			  (uint8_t)p->tucse,
			  (uint8_t)(p->tucse >> 8),
			  (uint8_t)p->mss,
			  (uint8_t)(p->mss >> 8),
			  (uint8_t)p->paylen,
			  (uint8_t)(p->paylen >> 8),
			  (uint8_t)(p->paylen >> 16),
			  (uint8_t)(p->paylen >> 24),
			  p->ip,
			  p->tcp,
			  p->tse,
			  0,
			  0 };

	snap_bytes(w, pfx, b, sizeof(b));
}

static int load_props(struct snap_rd *r, const char *pfx, struct e1000_tx_props *p)
{
	uint8_t b[20];
	int ret = snap_get_bytes(r, pfx, b, sizeof(b));

	if (ret)
		return ret;
	if (b[15] > 1 || b[16] > 1 || b[17] > 1 || b[18] || b[19])
		return -EINVAL;
	*p = (struct e1000_tx_props){ .ipcss = b[0],
				      .ipcso = b[1],
				      .tucss = b[2],
				      .tucso = b[3],
				      .hdr_len = b[4],
				      .ipcse = (uint16_t)(b[5] | b[6] << 8),
				      .tucse = (uint16_t)(b[7] | b[8] << 8),
				      .mss = (uint16_t)(b[9] | b[10] << 8),
				      .paylen = (uint32_t)b[11] | (uint32_t)b[12] << 8 |
						(uint32_t)b[13] << 16 | (uint32_t)b[14] << 24,
				      .ip = b[15],
				      .tcp = b[16],
				      .tse = b[17] };
	return 0;
}

static int e1000_save(struct dm_dev *dev, struct snap_wr *w)
{
	struct e1000 *s = dev->state;
	uint8_t *buf = malloc(sizeof(s->mac));
	uint8_t small[E1000_PHY_NREGS * 2 > E1000_EEPROM_WORDS * 2 ? E1000_PHY_NREGS * 2
								   : E1000_EEPROM_WORDS * 2];
	int r = pci_func_save(&s->pci, w);

	if (!buf)
		return -ENOMEM;
	if (!r) {
		put_le32s(buf, s->mac, E1000_NREGS);
		snap_bytes(w, "mac", buf, sizeof(s->mac));
		put_le16s(small, s->phy, E1000_PHY_NREGS);
		snap_bytes(w, "phy", small, E1000_PHY_NREGS * 2);
		put_le16s(small, s->eeprom, E1000_EEPROM_WORDS);
		snap_bytes(w, "eeprom", small, E1000_EEPROM_WORDS * 2);
		snap_u32(w, "eecd.val_in", s->eecd.val_in);
		snap_u16(w, "eecd.bitnum_in", s->eecd.bitnum_in);
		snap_u16(w, "eecd.bitnum_out", s->eecd.bitnum_out);
		snap_u8(w, "eecd.reading", s->eecd.reading);
		snap_u32(w, "eecd.old", s->eecd.old_eecd);
		snap_u32(w, "ioaddr", s->ioaddr);
		save_props(w, "tx.props", &s->tx.props);
		save_props(w, "tx.tso_props", &s->tx.tso_props);
		snap_bytes(w, "tx.header", s->tx.header, sizeof(s->tx.header));
		snap_bytes(w, "tx.vlan_header", s->tx.vlan_header, sizeof(s->tx.vlan_header));
		snap_u32(w, "tx.size", s->tx.size);
		snap_bytes(w, "tx.data", s->tx.frame + 4, s->tx.size);
		snap_u8(w, "tx.sum_needed", s->tx.sum_needed);
		snap_u8(w, "tx.vlan_needed", s->tx.vlan_needed);
		snap_u8(w, "tx.cptse", s->tx.cptse);
		snap_u16(w, "tx.tso_frames", s->tx.tso_frames);
		snap_u8(w, "mit_irq_level", s->mit_irq_level);
		snap_u8(w, "autoneg_pending", timer_pending(&s->autoneg_timer));
		snap_u8(w, "flush_pending", timer_pending(&s->flush_timer));
		snap_u8(w, "unplugged", s->unplugged);
		snap_u8(w, "tx.yielded", s->tx_yielded);
		r = w->err;
	}
	free(buf);
	return r;
}

static int load_tx(struct e1000 *s, struct snap_rd *r)
{
	int ret = load_props(r, "tx.props", &s->tx.props);

	ret = ret ? ret : load_props(r, "tx.tso_props", &s->tx.tso_props);
	ret = ret ? ret : snap_get_bytes(r, "tx.header", s->tx.header, sizeof(s->tx.header));
	ret =
	    ret ? ret
		: snap_get_bytes(r, "tx.vlan_header", s->tx.vlan_header, sizeof(s->tx.vlan_header));
	ret = ret ? ret : snap_get_u32(r, "tx.size", &s->tx.size);
	if (!ret && s->tx.size > E1000_TX_BUF)
		return -EINVAL;
	ret = ret ? ret : snap_get_bytes(r, "tx.data", s->tx.frame + 4, s->tx.size);
	ret = ret ? ret : snap_get_u8(r, "tx.sum_needed", &s->tx.sum_needed);
	ret = ret ? ret : snap_get_bool(r, "tx.vlan_needed", &s->tx.vlan_needed);
	ret = ret ? ret : snap_get_bool(r, "tx.cptse", &s->tx.cptse);
	ret = ret ? ret : snap_get_u16(r, "tx.tso_frames", &s->tx.tso_frames);
	s->tx.busy = false;
	return ret;
}

static int e1000_load(struct dm_dev *dev, struct snap_rd *r, uint32_t version)
{
	struct e1000 *s = dev->state;
	uint8_t *buf;
	uint8_t small[E1000_EEPROM_WORDS * 2];
	bool reading, autoneg, flush;
	int ret;

	if (version != 1)
		return -EINVAL;
	buf = malloc(sizeof(s->mac));
	if (!buf)
		return -ENOMEM;
	ret = pci_func_load(&s->pci, r);
	ret = ret ? ret : snap_get_bytes(r, "mac", buf, sizeof(s->mac));
	if (!ret)
		get_le32s(s->mac, buf, E1000_NREGS);
	free(buf);
	ret = ret ? ret : snap_get_bytes(r, "phy", small, E1000_PHY_NREGS * 2);
	if (!ret)
		get_le16s(s->phy, small, E1000_PHY_NREGS);
	ret = ret ? ret : snap_get_bytes(r, "eeprom", small, E1000_EEPROM_WORDS * 2);
	if (!ret)
		get_le16s(s->eeprom, small, E1000_EEPROM_WORDS);
	ret = ret ? ret : snap_get_u32(r, "eecd.val_in", &s->eecd.val_in);
	ret = ret ? ret : snap_get_u16(r, "eecd.bitnum_in", &s->eecd.bitnum_in);
	ret = ret ? ret : snap_get_u16(r, "eecd.bitnum_out", &s->eecd.bitnum_out);
	ret = ret ? ret : snap_get_bool(r, "eecd.reading", &reading);
	ret = ret ? ret : snap_get_u32(r, "eecd.old", &s->eecd.old_eecd);
	ret = ret ? ret : snap_get_u32(r, "ioaddr", &s->ioaddr);
	ret = ret ? ret : load_tx(s, r);
	ret = ret ? ret : snap_get_bool(r, "mit_irq_level", &s->mit_irq_level);
	ret = ret ? ret : snap_get_bool(r, "autoneg_pending", &autoneg);
	ret = ret ? ret : snap_get_bool(r, "flush_pending", &flush);
	ret = ret ? ret : snap_get_bool(r, "unplugged", &s->unplugged);
	ret = ret ? ret : snap_get_bool(r, "tx.yielded", &s->tx_yielded);
	if (ret)
		return ret;
	s->eecd.reading = reading;
	s->ioaddr &= E1000_MMIO_SIZE - 4;
	/* Derived, not trusted from the stream: the RX buffer size follows RCTL. */
	s->rxbuf_size = e1000_rxbufsize(E1000_R(s, E1000_RCTL));
	s->rxbuf_min_shift = ((E1000_R(s, E1000_RCTL) >> E1000_RCTL_RDMTS_SHIFT) & 3) + 1;
	E1000_R(s, E1000_TDT) &= 0xffff;
	/* Timers live outside the state: post_load re-arms them. */
	s->restore_autoneg = autoneg;
	s->restore_flush = flush;
	return 0;
}

/*
 * As QEMU's e1000_post_load: the moderation timer fires at once to
 * re-evaluate the line; an auto-negotiation in progress or an RX pause is
 * restarted in full.
 */
static void e1000_post_load(struct dm_dev *dev)
{
	struct e1000 *s = dev->state;
	bool autoneg = s->restore_autoneg, flush = s->restore_flush;

	s->restore_autoneg = s->restore_flush = false;
	s->mit_timer_on = false;
	if (s->unplugged) {
		s->unplugged = false;
		e1000_unplug(&s->unplug, XEN_UNPLUG_NICS);
		return;
	}
	pci_func_post_load(&s->pci);
	/* mit_ide (a descriptor asked for TADV) is not in the stream: QEMU 7.2 starts it at 0. */
	if (autoneg && !arm(s, &s->autoneg_timer, AUTONEG_NS))
		autoneg_fire(s);
	if (flush)
		arm(s, &s->flush_timer, FLUSH_NS);
	s->mit_ide = 0;
	s->mit_timer_on = arm(s, &s->mit_timer, 1);
	if (!s->mit_timer_on)
		e1000_set_interrupt_cause(s, E1000_R(s, E1000_ICR));
	/* A walk saved while it had yielded (TX_BUDGET) goes on from the loop. */
	if (s->tx_yielded)
		e1000_tx_defer(s);
	rx_kick(s);
}

static const struct prop_desc e1000_props[] = {
	{ .name = "addr", .type = PROP_PCIADDR, .help = "PCI slot (default: the next free one)" },
	{ .name = "mac", .type = PROP_MAC, .help = "MAC address (default 52:54:00:12:34:56 + n)" },
	{ .name = "netdev", .type = PROP_NETDEV, .help = "the -netdev id (none: no peer)" },
	{ .name = "romfile",
	  .type = PROP_STR,
	  .def = E1000_ROM_DEFAULT,
	  .help = "option ROM (iPXE, Debian package " E1000_ROM_PACKAGE "); empty: none" },
	{ .name = "init-vet",
	  .type = PROP_BOOL,
	  .def = "on",
	  .help = "VET = 0x8100 at reset (default: on, off on xenfv as xenfv-3.1)" },
	{ .name = NULL },
};

const struct dev_type e1000_type = {
	.name = "e1000",
	.kind = DEV_KIND_PCI,
	.help = "Intel 82540EM Gigabit Ethernet (8086:100e), as QEMU 7.2's e1000",
	.props = e1000_props,
	.state_size = sizeof(struct e1000),
	.state_version = 1,
	.init = e1000_init,
	.reset = e1000_reset,
	.fini = e1000_fini,
	.save = e1000_save,
	.load = e1000_load,
	.post_load = e1000_post_load,
};
