/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RTL8139C+ internals shared by rtl8139.c (registers, C-mode rings) and
 * rtl8139_cplus.c (C+ descriptor rings, offload). Register names and
 * offsets are the datasheet's (Realtek RTL8139C(L)+ datasheet 1.6,
 * section 6 "Register Descriptions").
 */
#ifndef HW_NET_RTL8139_INT_H
#define HW_NET_RTL8139_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "dm/bus.h"
#include "dm/loop.h"
#include "hw/net/eeprom93c46.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_rom.h"
#include "hw/pci/xen_platform.h"

struct dm_dev;
struct net_port;

/* Register offsets (datasheet 6). */
#define RTL_IDR0     0x00 /* MAC address, 6 bytes */
#define RTL_MAR0     0x08 /* multicast hash, 8 bytes */
#define RTL_TSD0     0x10 /* transmit status of descriptor 0..3; DTCCR in C+ mode */
#define RTL_TSAD0    0x20 /* transmit start address 0..3; TNPDS in C+ mode */
#define RTL_RBSTART  0x30
#define RTL_CR	     0x37
#define RTL_CAPR     0x38
#define RTL_CBR	     0x3a
#define RTL_IMR	     0x3c
#define RTL_ISR	     0x3e
#define RTL_TCR	     0x40
#define RTL_RCR	     0x44
#define RTL_TCTR     0x48
#define RTL_MPC	     0x4c
#define RTL_9346CR   0x50
#define RTL_CONFIG0  0x51
#define RTL_CONFIG1  0x52
#define RTL_TIMERINT 0x54
#define RTL_MSR	     0x58
#define RTL_CONFIG3  0x59
#define RTL_CONFIG4  0x5a
#define RTL_HLTCLK   0x5b
#define RTL_MULINT   0x5c
#define RTL_RERID    0x5e
#define RTL_TSAD     0x60
#define RTL_BMCR     0x62
#define RTL_BMSR     0x64
#define RTL_ANAR     0x66
#define RTL_ANLPAR   0x68
#define RTL_ANER     0x6a
#define RTL_CSCR     0x74
#define RTL_CONFIG5  0xd8
#define RTL_TPPOLL   0xd9
#define RTL_CPCR     0xe0
#define RTL_INTRMIT  0xe2
#define RTL_RDSAR_LO 0xe4
#define RTL_RDSAR_HI 0xe8
#define RTL_ETTHR    0xec

/* CR */
#define CR_RST	0x10
#define CR_RE	0x08
#define CR_TE	0x04
#define CR_BUFE 0x01
/* ISR / IMR */
#define ISR_SERR    0x8000
#define ISR_TIMEOUT 0x4000
#define ISR_LENCHG  0x2000
#define ISR_FOVW    0x0040
#define ISR_PUN	    0x0020 /* packet underrun / link change */
#define ISR_RXOVW   0x0010
#define ISR_TER	    0x0008
#define ISR_TOK	    0x0004
#define ISR_RER	    0x0002
#define ISR_ROK	    0x0001
/* TSD */
#define TSD_CRS	 0x80000000u
#define TSD_TABT 0x40000000u
#define TSD_OWC	 0x20000000u
#define TSD_TOK	 0x00008000u
#define TSD_TUN	 0x00004000u
#define TSD_OWN	 0x00002000u
#define TSD_SIZE 0x00001fffu
/* TCR */
#define TCR_LBK	    (3u << 17)
#define TCR_HWVERID 0x7c800000u
/* RCR */
#define RCR_AAP	 0x01 /* all physical */
#define RCR_APM	 0x02 /* physical match */
#define RCR_AM	 0x04 /* multicast */
#define RCR_AB	 0x08 /* broadcast */
#define RCR_WRAP 0x80
/* Rx packet header (C mode) */
#define RXH_MAR 0x8000
#define RXH_PAM 0x4000
#define RXH_BAR 0x2000
#define RXH_ROK 0x0001
/* C+ command */
#define CPCR_RXVLAN   0x0040
#define CPCR_RXCHKSUM 0x0020
#define CPCR_RXENB    0x0002
#define CPCR_TXENB    0x0001

#define RTL_TX_DESCS 4
#define RTL_CP_DESCS 64 /* C+ rings: 64 descriptors (datasheet 9.2.1) */
#define RTL_CP_TXBUF 65536
#define RTL_PCI_HZ   33000000u

struct rtl_tally {
	uint64_t tx_ok, rx_ok, tx_err;
	uint32_t rx_err;
	uint16_t miss_pkt, fae;
	uint32_t tx_1col, tx_mcol;
	uint64_t rx_ok_phy, rx_ok_brd;
	uint32_t rx_ok_mul;
	uint16_t tx_abt, tx_undrn;
};

struct rtl8139 {
	struct dm_dev *dev;
	struct pci_func pci;
	struct region io, mmio;
	struct pci_rom rom;
	struct net_port *port; /* NULL: no netdev= (no peer, frames sent go nowhere) */
	struct timer timer;
	struct xen_unplug_hook unplug;
	bool unplugged;
	uint8_t mac[6]; /* mac= (the EEPROM and reset value of IDR) */

	/* Registers, by datasheet mnemonic. */
	uint8_t idr[6], mar[8];
	uint32_t tsd[4], tsad[4];
	uint32_t rbstart;
	uint32_t rx_size; /* ring size from RCR: 8K << RBLEN */
	uint32_t capr;	  /* read pointer, as stored: CAPR + 16 */
	uint32_t cbr;	  /* write pointer */
	uint16_t isr, imr;
	uint32_t tcr, rcr, mpc;
	uint16_t cscr;
	uint8_t cr9346, config0, config1, config3, config4, config5;
	bool clock_enabled; /* HLTCLK 'R' / 'H' */
	uint8_t cr;
	uint16_t mulint;
	uint16_t bmcr, bmsr, anar, anlpar, aner;
	uint16_t cpcr;
	uint8_t etthr;
	uint32_t cur_tx;	       /* C mode: next TSD to send */
	uint32_t cur_cp_rx, cur_cp_tx; /* C+ ring positions */
	uint32_t rdsar_lo, rdsar_hi;   /* C+ Rx ring */
	bool cplus_enabled;	       /* CPCR written: 0x10-0x17 are DTCCR */
	bool rx_blocked;       /* C-mode ring overflowed: no frame until CAPR moves (QEMU 7.2) */
	uint32_t timer_int;    /* TimerInt */
	uint64_t tctr_base;    /* loop clock when TCTR was 0 */
	uint64_t timer_expire; /* when TCTR next equals TimerInt; 0: none */
	struct eeprom93c46 ee;
	struct rtl_tally tally;
	/* C+ transmit: the frame assembled from FS to LS descriptors (in the state, so a
	 * restore decodes it into the scratch copy like every other field). */
	uint32_t txbuf_len;
	uint8_t txbuf[RTL_CP_TXBUF];
};

void rtl_update_irq(struct rtl8139 *s);
/* One frame into the guest's ring (C or C+ mode), filters applied. */
void rtl_receive_frame(struct rtl8139 *s, const uint8_t *frame, size_t len);
/* Frame to the wire, or back to the receiver in loopback mode (TCR LBK). */
void rtl_transfer_frame(struct rtl8139 *s, const uint8_t *frame, size_t len);
/* rtl8139_cplus.c */
void rtl_cplus_transmit(struct rtl8139 *s);
/* -1: no descriptor, frame missed (counted); 0: delivered. */
int rtl_cplus_receive(struct rtl8139 *s, const uint8_t *frame, size_t len, uint32_t rxh);
void rtl_tally_dump(struct rtl8139 *s);

#endif
