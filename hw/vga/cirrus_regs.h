/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Cirrus CLGD5446's register file: the VGA core's registers (the
 * adapter's struct vga_regs, which this extends) plus the extended sequencer (SR5-SR1F), graphics
 * controller (GR9-GR39: banking, blitter colours and the BitBLT registers), CRTC (CR19-CR1D,
 * CR22-CR27) and the hidden DAC register behind four reads of 0x3c6. A
 * library the cirrus-vga adapter embeds; it owns no bus region.
 *
 * Writes that must reach the rest of the adapter (a blit started or reset,
 * the memory decode changed) come back as CIRRUS_EV_* bits, so the
 * register file calls no one.
 */
#ifndef HW_VGA_CIRRUS_REGS_H
#define HW_VGA_CIRRUS_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/vga/vga_regs.h"

struct snap_wr;
struct snap_rd;

/* CLGD5446 Technical Reference Manual, "Part ID" CR27 (QEMU's CIRRUS_ID_CLGD5446). */
#define CIRRUS_ID_CLGD5446 0xb8

/* Extended sequencer (TRM chapter 8, "Extension Registers"). */
#define CIRRUS_SR_C	     0x20 /* SR0-SR1F; 0x20-0xff float except the cursor aliases */
#define CIRRUS_SR_UNLOCK     0x06
#define CIRRUS_SR6_UNLOCKED  0x12
#define CIRRUS_SR6_LOCKED    0x0f
#define CIRRUS_SR_EXT_MODE   0x07 /* SR7: bit 0 SVGA (linear/banked) mode, bits 1-3 depth */
#define CIRRUS_SR7_SVGA	     0x01
#define CIRRUS_SR7_BPP_MASK  0x0e
#define CIRRUS_SR_DRAM_CTL   0x0f
#define CIRRUS_SR_CURSOR_X   0x10 /* index bits 5-7 are x bits 0-2 */
#define CIRRUS_SR_CURSOR_Y   0x11
#define CIRRUS_SR_CURSOR     0x12
#define CIRRUS_SR12_SHOW     0x01
#define CIRRUS_SR12_HIDDEN   0x02 /* the DAC port reaches the 16 cursor colours */
#define CIRRUS_SR12_LARGE    0x04 /* 64x64, else 32x32 */
#define CIRRUS_SR_CURSOR_PAT 0x13
#define CIRRUS_SR_MEM_SIZE   0x15
#define CIRRUS_SR_CONFIG     0x17 /* bits 3-5: bus type, read-only */
#define CIRRUS_SR17_MMIO     0x04 /* the BLT registers memory-mapped */
#define CIRRUS_SR17_MMIO_LFB 0x40 /* ... at the top of the linear window, else at 0xb8000 */
#define CIRRUS_SR17_RO	     0x38
#define CIRRUS_SR_MCLK	     0x1f

/* Extended graphics controller. */
#define CIRRUS_GR_C	      0x3a /* GR0-GR39 */
#define CIRRUS_GR_MODE	      0x05 /* bits 0-2: write modes 0-5 */
#define CIRRUS_GR_BANK0	      0x09
#define CIRRUS_GR_BANK1	      0x0a
#define CIRRUS_GR_BANK_CTL    0x0b
#define CIRRUS_GRB_DUAL	      0x01 /* two 32 KiB banks (GR9 at 0xa0000, GRA at 0xa8000) */
#define CIRRUS_GRB_X8	      0x02 /* addresses times 8 */
#define CIRRUS_GRB_EXT_WMODE  0x04 /* write modes 4 and 5 */
#define CIRRUS_GRB_X16	      0x14 /* both: addresses times 16 (16 bpp write modes) */
#define CIRRUS_GRB_16K	      0x20 /* bank granularity 16 KiB, else 4 KiB */
#define CIRRUS_GR_MEM_CFG     0x18
#define CIRRUS_GR_BLT_FG_HI   0x11 /* FG colour bytes 1-3 at GR11/13/15, BG at GR10/12/14 */
#define CIRRUS_GR_BLT_WIDTH   0x20 /* 13 bits */
#define CIRRUS_GR_BLT_HEIGHT  0x22 /* 13 bits */
#define CIRRUS_GR_BLT_DPITCH  0x24 /* 13 bits */
#define CIRRUS_GR_BLT_SPITCH  0x26 /* 13 bits */
#define CIRRUS_GR_BLT_DADDR   0x28 /* 22 bits */
#define CIRRUS_GR_BLT_SADDR   0x2c /* 22 bits */
#define CIRRUS_GR_BLT_WMASK   0x2f /* bits 0-4: skip-left pixels */
#define CIRRUS_GR_BLT_MODE    0x30
#define CIRRUS_GR_BLT_STATUS  0x31
#define CIRRUS_GR_BLT_ROP     0x32
#define CIRRUS_GR_BLT_MODEEXT 0x33
#define CIRRUS_GR_BLT_TRANSP  0x34 /* 16 bits */
#define CIRRUS_GR_BLT_TMASK   0x38 /* 16 bits */

/* GR31, BLT start/status. */
#define CIRRUS_BLT_BUSY	     0x01
#define CIRRUS_BLT_START     0x02
#define CIRRUS_BLT_RESET     0x04
#define CIRRUS_BLT_FIFOUSED  0x10
#define CIRRUS_BLT_AUTOSTART 0x80

/* Extended CRTC. */
#define CIRRUS_CR_INTERLACE  0x1a /* CR1A bit 0: interlaced (the height doubles) */
#define CIRRUS_CR_EXT_DISP   0x1b /* start address bits 16, 17-18; offset bit 8 */
#define CIRRUS_CR_OVERLAY    0x1d /* bit 7: start address bit 19 */
#define CIRRUS_CR_ATT_TOGGLE 0x24
#define CIRRUS_CR_ATT_INDEX  0x26
#define CIRRUS_CR_PART_ID    0x27

/* What a write asks of the rest of the adapter. */
#define CIRRUS_EV_BLT_START 0x01 /* GR31 start bit 0 -> 1, or GR2A with autostart */
#define CIRRUS_EV_BLT_RESET 0x02 /* GR31 reset bit 1 -> 0 */
#define CIRRUS_EV_MAP	    0x04 /* SR7, SR17, GR5, GR9-GRB: the memory decode changed */

#define CIRRUS_HIDDEN_PALETTE 16

struct cirrus_regs {
	struct vga_regs *vga;		/* SR0-4, GR0-8 (masked as the VGA has them), CR, AR, DAC */
	uint8_t sr_index, gr_index;	/* all 8 bits: the Cirrus decodes extended indices */
	uint8_t sr[CIRRUS_SR_C];	/* SR5-SR1F (0-4 live in vga.sr) */
	uint8_t gr[CIRRUS_GR_C];	/* GR5 all 7 bits, GR9-GR39 (the rest in vga.gr) */
	uint8_t shadow_gr0, shadow_gr1; /* GR0/GR1 as written: the blitter's BG/FG byte 0 */
	uint8_t hidden_dac_lock;	/* reads of 0x3c6 since the last other DAC access */
	uint8_t hidden_dac;		/* 0x3c6 behind the lock: depth and DAC mode */
	uint8_t hidden_palette[CIRRUS_HIDDEN_PALETTE * 3]; /* cursor colours (0 and 15 used) */
	uint16_t cursor_x, cursor_y;			   /* pixels, from SR10/SR11 + alias */
};

/* The extension registers over vga (the adapter's core registers, already initialised). */
void cirrus_regs_init(struct cirrus_regs *c, struct vga_regs *vga);
/* QEMU's cirrus_reset after the core's vga_regs_reset: the CLGD5446's power-on values. */
void cirrus_regs_reset(struct cirrus_regs *c);

/* One byte at off from VGA_IO_BASE, as vga_regs_read/write; writes return CIRRUS_EV_*. */
uint8_t cirrus_regs_read(struct cirrus_regs *c, unsigned off);
unsigned cirrus_regs_write(struct cirrus_regs *c, unsigned off, uint8_t val);

/* The extended graphics registers by index (the BLT MMIO window reaches them so). */
uint8_t cirrus_gr_read(const struct cirrus_regs *c, uint8_t idx);
unsigned cirrus_gr_write(struct cirrus_regs *c, uint8_t idx, uint8_t val);

/* Display parameters as QEMU's cirrus_get_bpp/get_offsets/get_resolution compute
 * them. bpp 0: a VGA (non-SVGA) mode, the VGA core renders it. */
unsigned cirrus_bpp(const struct cirrus_regs *c);
uint32_t cirrus_line_offset(const struct cirrus_regs *c); /* bytes */
uint32_t cirrus_start_addr(const struct cirrus_regs *c);  /* bytes, as QEMU: no x4 */
uint32_t cirrus_line_compare(const struct cirrus_regs *c);
void cirrus_resolution(const struct cirrus_regs *c, unsigned *width, unsigned *height);

/* The extension fields only (the adapter saves the core's). Load validates them against
 * the core registers already loaded into c->vga: -EINVAL and c untouched. */
int cirrus_regs_save(const struct cirrus_regs *c, struct snap_wr *w);
__attribute__((warn_unused_result)) int cirrus_regs_load(struct cirrus_regs *c, struct snap_rd *r);

#endif
