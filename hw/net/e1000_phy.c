// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 82540EM's integrated PHY (a Marvell 88E1011 core) as software reaches
 * it through MDIC (8254x SDM 13.4.5 "MDI Control Register", 13.5 "PHY
 * Registers"): PHY address 1 only; a read or a write of a register the
 * model has is done at once and READY set; another PHY address, or a
 * register outside the set below, sets ERROR. INT_EN asks for the MDAC
 * interrupt when the access completes.
 *
 * The register values are QEMU 7.2's (phy_reg_init): 1000 Mb/s full duplex,
 * auto-negotiation enabled, link up, negotiation not yet complete; the PHY
 * ID is 0141:0c20 (SDM 13.5.3-4, the 82540EM's M88 ID).
 *
 * Left out: PHY reset timing, the M88 page registers, loopback at the PHY
 * beyond BMCR's loopback bit (which e1000_tx honours by receiving the frame).
 */
#include <stdint.h>
#include <string.h>

#include "hw/net/e1000_int.h"

#define PHY_R  1
#define PHY_W  2
#define PHY_RW (PHY_R | PHY_W)

/* What software may do with each register (QEMU 7.2's phy_regcap). */
static const uint8_t phy_cap[E1000_PHY_NREGS] = {
	[MII_BMCR] = PHY_RW,
	[MII_BMSR] = PHY_R,
	[MII_PHYID1] = PHY_R,
	[MII_PHYID2] = PHY_R,
	[MII_ANAR] = PHY_RW,
	[MII_ANLPAR] = PHY_R,
	[MII_ANER] = PHY_R,
	[MII_CTRL1000] = PHY_RW,
	[MII_STAT1000] = PHY_R,
	[M88_PHY_SPEC_CTRL] = PHY_RW,
	[M88_PHY_SPEC_STATUS] = PHY_R,
	[M88_EXT_PHY_SPEC_CTRL] = PHY_RW,
	[M88_RX_ERR_CNTR] = PHY_R,
};

static const uint16_t phy_init[E1000_PHY_NREGS] = {
	[MII_BMCR] = 0x1140,	 /* SPEED1000 | FD | AUTOEN */
	[MII_BMSR] = 0x794d,	 /* 10/100 HD/FD, EXTSTAT, MFPS, AUTONEG, LINK_ST, EXTCAP */
	[MII_PHYID1] = 0x0141,	 /* Marvell OUI */
	[MII_PHYID2] = 0x0c20,	 /* 88E1011, 8254xx default */
	[MII_ANAR] = 0x0de1,	 /* CSMA, 10, 10FD, TX, TXFD, PAUSE, ASYM PAUSE */
	[MII_ANLPAR] = 0x01e0,	 /* 10, 10FD, TX, TXFD */
	[MII_CTRL1000] = 0x0e00, /* FULL, PORT, MASTER */
	[MII_STAT1000] = 0x3c00, /* HALF, FULL, remote and local receiver OK */
	[M88_PHY_SPEC_CTRL] = 0x0360,
	[M88_PHY_SPEC_STATUS] = 0xac00,
	[M88_EXT_PHY_SPEC_CTRL] = 0x0d60,
};

void e1000_phy_reset(uint16_t phy[E1000_PHY_NREGS])
{
	memcpy(phy, phy_init, sizeof(phy_init));
}

/* BMCR: the reserved bits 5:0 read 0, RESET and ANRESTART clear themselves. */
static void bmcr_write(struct e1000 *s, uint16_t val)
{
	s->phy[MII_BMCR] = val & (uint16_t) ~(0x3f | MII_BMCR_RESET | MII_BMCR_ANRESTART);
	if (e1000_have_autoneg(s) && (val & MII_BMCR_ANRESTART))
		e1000_restart_autoneg(s);
}

void e1000_mdic_write(struct e1000 *s, uint32_t val)
{
	uint32_t data = val & E1000_MDIC_DATA_MASK;
	unsigned reg = (val & E1000_MDIC_REG_MASK) >> E1000_MDIC_REG_SHIFT;

	if (((val & E1000_MDIC_PHY_MASK) >> E1000_MDIC_PHY_SHIFT) != 1) {
		val = E1000_R(s, E1000_MDIC) | E1000_MDIC_ERROR;
	} else if (val & E1000_MDIC_OP_READ) {
		if (!(phy_cap[reg] & PHY_R))
			val |= E1000_MDIC_ERROR;
		else
			val = (val ^ data) | s->phy[reg];
	} else if (val & E1000_MDIC_OP_WRITE) {
		if (!(phy_cap[reg] & PHY_W))
			val |= E1000_MDIC_ERROR;
		else if (reg == MII_BMCR)
			bmcr_write(s, (uint16_t)data);
		else
			s->phy[reg] = (uint16_t)data;
	}
	E1000_R(s, E1000_MDIC) = val | E1000_MDIC_READY;
	if (val & E1000_MDIC_INT_EN)
		e1000_set_ics(s, E1000_ICR_MDAC);
}
