/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel 82540EM registers, bits and descriptor layouts, named as in the
 * PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
 * Manual (8254x SDM, rev 4.0): chapter 13 (register descriptions, table
 * 13-2 the register summary), chapter 3 (receive and transmit
 * descriptors), chapter 5 (the EEPROM map) and chapter 13.5 (PHY
 * registers). Offsets are byte offsets into BAR0; the state keeps one
 * 32-bit word per offset / 4 (E1000_REG()).
 */
#ifndef HW_NET_E1000_REGS_H
#define HW_NET_E1000_REGS_H

#include <stdint.h>

#define E1000_MMIO_SIZE 0x20000 /* BAR0: 128 KiB (SDM 4.1, table 4-2) */
#define E1000_IO_SIZE	0x40	/* BAR1: IOADDR/IODATA window (SDM 13.1) */
#define E1000_NREGS	(E1000_MMIO_SIZE / 4)
#define E1000_REG(off)	((off) >> 2)

/* ---------------------------------------------------------------- register offsets (table 13-2) */
#define E1000_CTRL     0x00000
#define E1000_STATUS   0x00008
#define E1000_EECD     0x00010
#define E1000_EERD     0x00014
#define E1000_CTRL_EXT 0x00018
#define E1000_MDIC     0x00020
#define E1000_FCAL     0x00028
#define E1000_FCAH     0x0002c
#define E1000_FCT      0x00030
#define E1000_VET      0x00038
#define E1000_ICR      0x000c0
#define E1000_ITR      0x000c4
#define E1000_ICS      0x000c8
#define E1000_IMS      0x000d0
#define E1000_IMC      0x000d8
#define E1000_RCTL     0x00100
#define E1000_FCTTV    0x00170
#define E1000_TXCW     0x00178
#define E1000_RXCW     0x00180
#define E1000_TCTL     0x00400
#define E1000_TIPG     0x00410
#define E1000_LEDCTL   0x00e00
#define E1000_PBA      0x01000
#define E1000_FCRTL    0x02160
#define E1000_FCRTH    0x02168
#define E1000_RDFH     0x02410
#define E1000_RDFT     0x02418
#define E1000_RDFHS    0x02420
#define E1000_RDFTS    0x02428
#define E1000_RDFPC    0x02430
#define E1000_RDBAL    0x02800
#define E1000_RDBAH    0x02804
#define E1000_RDLEN    0x02808
#define E1000_RDH      0x02810
#define E1000_RDT      0x02818
#define E1000_RDTR     0x02820
#define E1000_RADV     0x0282c
#define E1000_RSRPD    0x02c00
#define E1000_TDFH     0x03410
#define E1000_TDFT     0x03418
#define E1000_TDFHS    0x03420
#define E1000_TDFTS    0x03428
#define E1000_TDFPC    0x03430
#define E1000_TDBAL    0x03800
#define E1000_TDBAH    0x03804
#define E1000_TDLEN    0x03808
#define E1000_TDH      0x03810
#define E1000_TDT      0x03818
#define E1000_TIDV     0x03820
#define E1000_TXDCTL   0x03828
#define E1000_TADV     0x0382c
#define E1000_AIT      0x00458
#define E1000_MTA      0x05200 /* 128 entries */
#define E1000_RA       0x05400 /* 16 pairs RAL/RAH */
#define E1000_VFTA     0x05600 /* 128 entries */
#define E1000_WUC      0x05800
#define E1000_WUFC     0x05808
#define E1000_WUS      0x05810
#define E1000_MANC     0x05820
#define E1000_IPAV     0x05838
#define E1000_IP4AT    0x05840 /* 7 words */
#define E1000_IP6AT    0x05880 /* 4 words */
#define E1000_WUPL     0x05900
#define E1000_WUPM     0x05a00 /* 32 words */
#define E1000_FFLT     0x05f00 /* 7 words (stride 8 bytes in the SDM; QEMU keeps words) */
#define E1000_SWSM     0x05b50
#define E1000_FFMT     0x09000 /* 255 words */
#define E1000_FFVT     0x09800 /* 255 words */
#define E1000_PBM      0x10000 /* packet buffer memory: 16384 words */

/* Statistics (SDM 13.7) */
#define E1000_CRCERRS  0x04000
#define E1000_ALGNERRC 0x04004
#define E1000_SYMERRS  0x04008
#define E1000_RXERRC   0x0400c
#define E1000_MPC      0x04010
#define E1000_SCC      0x04014
#define E1000_ECOL     0x04018
#define E1000_MCC      0x0401c
#define E1000_LATECOL  0x04020
#define E1000_COLC     0x04028
#define E1000_DC       0x04030
#define E1000_TNCRS    0x04034
#define E1000_SEQEC    0x04038
#define E1000_CEXTERR  0x0403c
#define E1000_RLEC     0x04040
#define E1000_XONRXC   0x04048
#define E1000_XONTXC   0x0404c
#define E1000_XOFFRXC  0x04050
#define E1000_XOFFTXC  0x04054
#define E1000_FCRUC    0x04058
#define E1000_PRC64    0x0405c
#define E1000_PRC127   0x04060
#define E1000_PRC255   0x04064
#define E1000_PRC511   0x04068
#define E1000_PRC1023  0x0406c
#define E1000_PRC1522  0x04070
#define E1000_GPRC     0x04074
#define E1000_BPRC     0x04078
#define E1000_MPRC     0x0407c
#define E1000_GPTC     0x04080
#define E1000_GORCL    0x04088
#define E1000_GORCH    0x0408c
#define E1000_GOTCL    0x04090
#define E1000_GOTCH    0x04094
#define E1000_RNBC     0x040a0
#define E1000_RUC      0x040a4
#define E1000_RFC      0x040a8
#define E1000_ROC      0x040ac
#define E1000_RJC      0x040b0
#define E1000_MGTPRC   0x040b4
#define E1000_MGTPDC   0x040b8
#define E1000_MGTPTC   0x040bc
#define E1000_TORL     0x040c0
#define E1000_TORH     0x040c4
#define E1000_TOTL     0x040c8
#define E1000_TOTH     0x040cc
#define E1000_TPR      0x040d0
#define E1000_TPT      0x040d4
#define E1000_PTC64    0x040d8
#define E1000_PTC127   0x040dc
#define E1000_PTC255   0x040e0
#define E1000_PTC511   0x040e4
#define E1000_PTC1023  0x040e8
#define E1000_PTC1522  0x040ec
#define E1000_MPTC     0x040f0
#define E1000_BPTC     0x040f4
#define E1000_TSCTC    0x040f8
#define E1000_TSCTFC   0x040fc

#define E1000_MTA_SIZE	128
#define E1000_RA_PAIRS	16
#define E1000_VFTA_SIZE 128

/* ---------------------------------------------------------------- CTRL (13.4.1) */
#define E1000_CTRL_FD	    0x00000001
#define E1000_CTRL_SLU	    0x00000040
#define E1000_CTRL_SPD_1000 0x00000200
#define E1000_CTRL_SWDPIN0  0x00040000
#define E1000_CTRL_SWDPIN2  0x00100000
#define E1000_CTRL_RST	    0x04000000
#define E1000_CTRL_VME	    0x40000000
#define E1000_CTRL_PHY_RST  0x80000000

/* STATUS (13.4.2) */
#define E1000_STATUS_FD		       0x00000001
#define E1000_STATUS_LU		       0x00000002
#define E1000_STATUS_SPEED_1000	       0x00000080
#define E1000_STATUS_ASDV	       0x00000300 /* auto-detected speed: 1000 */
#define E1000_STATUS_MTXCKOK	       0x00000400
#define E1000_STATUS_GIO_MASTER_ENABLE 0x00080000
#define E1000_STATUS_RESERVED31	       0x80000000 /* QEMU sets it; reads as in QEMU 7.2 */

/* EECD (13.4.3) */
#define E1000_EECD_SK	    0x00000001
#define E1000_EECD_CS	    0x00000002
#define E1000_EECD_DI	    0x00000004
#define E1000_EECD_DO	    0x00000008
#define E1000_EECD_FWE_MASK 0x00000030
#define E1000_EECD_REQ	    0x00000040
#define E1000_EECD_GNT	    0x00000080
#define E1000_EECD_PRES	    0x00000100

/* EERD (13.4.4) */
#define E1000_EERD_START      0x00000001
#define E1000_EERD_DONE	      0x00000010
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16

/* MDIC (13.4.5) */
#define E1000_MDIC_DATA_MASK 0x0000ffff
#define E1000_MDIC_REG_SHIFT 16
#define E1000_MDIC_REG_MASK  0x001f0000
#define E1000_MDIC_PHY_SHIFT 21
#define E1000_MDIC_PHY_MASK  0x03e00000
#define E1000_MDIC_OP_WRITE  0x04000000
#define E1000_MDIC_OP_READ   0x08000000
#define E1000_MDIC_READY     0x10000000
#define E1000_MDIC_INT_EN    0x20000000
#define E1000_MDIC_ERROR     0x40000000

/* ICR/ICS/IMS/IMC bits (13.4.17-21) */
#define E1000_ICR_TXDW	 0x00000001
#define E1000_ICR_TXQE	 0x00000002
#define E1000_ICR_LSC	 0x00000004
#define E1000_ICR_RXSEQ	 0x00000008
#define E1000_ICR_RXDMT0 0x00000010
#define E1000_ICR_RXO	 0x00000040
#define E1000_ICR_RXT0	 0x00000080
#define E1000_ICR_MDAC	 0x00000200

/* RCTL (13.4.22) */
#define E1000_RCTL_EN	       0x00000002
#define E1000_RCTL_SBP	       0x00000004
#define E1000_RCTL_UPE	       0x00000008
#define E1000_RCTL_MPE	       0x00000010
#define E1000_RCTL_LPE	       0x00000020
#define E1000_RCTL_RDMTS_SHIFT 8
#define E1000_RCTL_MO_SHIFT    12
#define E1000_RCTL_BAM	       0x00008000
#define E1000_RCTL_SZ_MASK     0x00030000
#define E1000_RCTL_SZ_SHIFT    16
#define E1000_RCTL_VFE	       0x00040000
#define E1000_RCTL_BSEX	       0x02000000
#define E1000_RCTL_SECRC       0x04000000

/* TCTL (13.4.33) */
#define E1000_TCTL_EN 0x00000002

/* RAH (13.4.25) */
#define E1000_RAH_AV 0x80000000

/* MANC (13.4.?) defaults as QEMU sets them */
#define E1000_MANC_RCV_TCO_EN  0x00020000
#define E1000_MANC_RMCP_EN     0x00000100
#define E1000_MANC_0298_EN     0x00000200
#define E1000_MANC_ARP_EN      0x00002000
#define E1000_MANC_EN_MNG2HOST 0x00200000

/* ---------------------------------------------------------------- descriptors (chapter 3) */
/* Receive descriptor (3.2.3, table 3-1): 16 bytes. */
struct e1000_rx_desc {
	uint64_t buffer_addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
#define E1000_RXD_STAT_DD   0x01
#define E1000_RXD_STAT_EOP  0x02
#define E1000_RXD_STAT_IXSM 0x04
#define E1000_RXD_STAT_VP   0x08

/* Transmit descriptor, legacy (3.3.3) / data (3.3.7) / context (3.3.6): 16 bytes. */
struct e1000_tx_desc {
	uint64_t buffer_addr;
	uint32_t lower; /* length 15:0, CSO/DTYP 19:16.., CMD 31:24 */
	uint32_t upper; /* STA 3:0, CSS / POPTS 15:8, special 31:16 */
};
#define E1000_TXD_DTYP_D   0x00100000 /* data descriptor (DTYP = 1) */
#define E1000_TXD_CMD_EOP  0x01000000
#define E1000_TXD_CMD_IFCS 0x02000000
#define E1000_TXD_CMD_IC   0x04000000
#define E1000_TXD_CMD_RS   0x08000000
#define E1000_TXD_CMD_RPS  0x10000000
#define E1000_TXD_CMD_DEXT 0x20000000
#define E1000_TXD_CMD_VLE  0x40000000
#define E1000_TXD_CMD_IDE  0x80000000
/* Context descriptor TUCMD (3.3.6.1) share bits 24-27 of "lower" */
#define E1000_TXD_CMD_TCP    0x01000000
#define E1000_TXD_CMD_IP     0x02000000
#define E1000_TXD_CMD_TSE    0x04000000
#define E1000_TXD_STAT_DD    0x00000001
#define E1000_TXD_STAT_EC    0x00000002
#define E1000_TXD_STAT_LC    0x00000004
#define E1000_TXD_STAT_TU    0x00000008
#define E1000_TXD_POPTS_IXSM 0x01
#define E1000_TXD_POPTS_TXSM 0x02

/* ---------------------------------------------------------------- EEPROM (chapter 5) */
#define E1000_EEPROM_WORDS	  64
#define E1000_EEPROM_CHECKSUM_REG 0x3f
#define E1000_EEPROM_SUM	  0xbaba
#define E1000_EEPROM_READ_OPCODE  0x6 /* Microwire READ: start bit 1, opcode 10 */

/* ---------------------------------------------------------------- PHY (13.5, the M88E1011 in
 * 82540EM) */
#define E1000_PHY_NREGS	      0x20
#define MII_BMCR	      0x00
#define MII_BMSR	      0x01
#define MII_PHYID1	      0x02
#define MII_PHYID2	      0x03
#define MII_ANAR	      0x04
#define MII_ANLPAR	      0x05
#define MII_ANER	      0x06
#define MII_CTRL1000	      0x09
#define MII_STAT1000	      0x0a
#define M88_PHY_SPEC_CTRL     0x10
#define M88_PHY_SPEC_STATUS   0x11
#define M88_EXT_PHY_SPEC_CTRL 0x14
#define M88_RX_ERR_CNTR	      0x15

#define MII_BMCR_SPEED1000 0x0040
#define MII_BMCR_FD	   0x0100
#define MII_BMCR_ANRESTART 0x0200
#define MII_BMCR_AUTOEN	   0x1000
#define MII_BMCR_LOOPBACK  0x4000
#define MII_BMCR_RESET	   0x8000
#define MII_BMSR_LINK_ST   0x0004
#define MII_BMSR_AN_COMP   0x0020
#define MII_ANLPAR_ACK	   0x4000

#endif
