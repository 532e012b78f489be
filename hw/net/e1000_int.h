/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The e1000 (82540EM) model's state and the calls between its files:
 * e1000.c (PCI function, register dispatch, interrupts, link, reset, state),
 * e1000_eeprom.c (EEPROM image, EERD, EECD bit-banging), e1000_phy.c (the
 * PHY behind MDIC), e1000_tx.c (the transmit ring and offloads) and
 * e1000_rx.c (the receive ring and filters). Not for other devices.
 */
#ifndef HW_NET_E1000_INT_H
#define HW_NET_E1000_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/bus.h"
#include "dm/log.h"
#include "dm/loop.h"
#include "hw/net/e1000_regs.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_rom.h"
#include "hw/pci/xen_platform.h"

struct dm_dev;
struct net_port;
struct guest_mem;

/* One context descriptor's offload parameters (SDM 3.3.6). */
struct e1000_tx_props {
	uint8_t ipcss, ipcso, tucss, tucso, hdr_len;
	uint16_t ipcse, tucse, mss;
	uint32_t paylen;
	bool ip, tcp, tse;
};

#define E1000_TX_BUF 0x10000 /* the frame being assembled: 64 KiB, as QEMU's tx.data */

struct e1000_tx {
	uint8_t header[256]; /* the TSO header repeated in front of every segment */
	uint8_t vlan_header[4];
	uint8_t frame[4 + E1000_TX_BUF]; /* 4 bytes of room for an inserted VLAN tag */
	uint32_t size;			 /* bytes assembled at frame + 4 */
	uint8_t sum_needed;		 /* POPTS of the first data descriptor */
	bool vlan_needed, cptse;
	struct e1000_tx_props props, tso_props;
	uint16_t tso_frames;
	bool busy; /* re-entry guard: a loopback frame may not restart the ring */
};

/* Microwire bit-bang state (SDM 5.2.x, EECD). */
struct e1000_eecd {
	uint32_t val_in;
	uint16_t bitnum_in, bitnum_out;
	bool reading;
	uint32_t old_eecd;
};

struct e1000 {
	struct dm_dev *dev;
	struct pci_func pci;
	struct region mmio, io;
	struct pci_rom rom;    /* the option ROM; rom.data NULL: no ROM BAR */
	struct net_port *port; /* NULL: no netdev (frames sent are dropped) */
	uint8_t macaddr[6];

	uint32_t mac[E1000_NREGS]; /* one word per register offset / 4 */
	uint16_t phy[E1000_PHY_NREGS];
	uint16_t eeprom[E1000_EEPROM_WORDS];
	uint32_t rxbuf_size, rxbuf_min_shift;
	uint32_t ioaddr; /* IOADDR of BAR1 (SDM 13.1) */
	struct e1000_eecd eecd;
	struct e1000_tx tx;

	/* Interrupt mitigation (ITR/RADV/TADV) as QEMU 7.2 approximates it. */
	struct timer mit_timer;
	bool mit_timer_on, mit_irq_level;
	uint32_t mit_ide;
	struct timer autoneg_timer; /* 500 ms after an auto-negotiation restart */
	struct timer flush_timer;   /* 1 s after an RCTL write no frame is taken (QEMU) */
	struct deferred tx_resume;  /* the rest of a TX ring walk that used up its budget */
	bool tx_yielded;	    /* tx_resume is due (saved: a restore resumes the walk) */
	bool link_down;		    /* the backend's link (set_link, no carrier) */
	bool init_vet;		    /* VET = 0x8100 at reset (QEMU's init-vet, machine-dependent) */
	bool unplugged;		    /* the Xen platform device removed us */
	bool restore_autoneg, restore_flush; /* from a loaded stream, for post_load */

	struct xen_unplug_hook unplug;
};

#define E1000_R(s, off) ((s)->mac[E1000_REG(off)])

/* e1000.c */
struct guest_mem *e1000_gm(struct e1000 *s);
bool e1000_bus_master(const struct e1000 *s);
void e1000_set_ics(struct e1000 *s, uint32_t cause);
void e1000_set_interrupt_cause(struct e1000 *s, uint32_t val);
void e1000_inc_reg(struct e1000 *s, unsigned off);
void e1000_grow_8reg(struct e1000 *s, unsigned off_lo, uint64_t n);
void e1000_size_stats(struct e1000 *s, unsigned first_reg, size_t size);
void e1000_link_down_regs(struct e1000 *s);
void e1000_link_up_regs(struct e1000 *s);
bool e1000_have_autoneg(const struct e1000 *s);
void e1000_restart_autoneg(struct e1000 *s);

/* e1000_eeprom.c */
void e1000_eeprom_init(uint16_t eeprom[E1000_EEPROM_WORDS], uint16_t device_id,
		       const uint8_t mac[6]);
uint32_t e1000_eecd_read(struct e1000 *s);
void e1000_eecd_write(struct e1000 *s, uint32_t val);
uint32_t e1000_eerd_read(struct e1000 *s);

/* e1000_phy.c */
void e1000_phy_reset(uint16_t phy[E1000_PHY_NREGS]);
void e1000_mdic_write(struct e1000 *s, uint32_t val);

/* Continue e1000_start_xmit from the loop (its budget ran out). */
void e1000_tx_defer(struct e1000 *s);

/* e1000_tx.c: run the ring from TDH to TDT (bounded by the ring length and a budget). */
void e1000_start_xmit(struct e1000 *s);

/* e1000_rx.c */
uint32_t e1000_rxbufsize(uint32_t rctl);
bool e1000_has_rxbufs(const struct e1000 *s, size_t total);
bool e1000_can_receive(void *opaque);
void e1000_receive(void *opaque, const uint8_t *frame, size_t len);
/* The checks of receive before the ring (filters): true when the frame is for us. */
bool e1000_rx_filter(struct e1000 *s, const uint8_t *frame, size_t len);

#endif
