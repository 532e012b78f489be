/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VGA core's register file: misc output, sequencer, CRTC, graphics
 * controller, attribute controller, DAC and the input status registers,
 * behind the ports 0x3b0-0x3df. A library the adapters (std VGA, Cirrus)
 * embed; it owns no bus region. The adapter decodes the ports QEMU's
 * vga_portio_list decodes (VGA_IO_DECODED below) and passes offsets from
 * VGA_IO_BASE, so the same calls serve the Bochs MMIO BAR's VGA window.
 */
#ifndef HW_VGA_VGA_REGS_H
#define HW_VGA_VGA_REGS_H

#include <stdbool.h>
#include <stdint.h>

struct snap_wr;
struct snap_rd;

#define VGA_IO_BASE 0x3b0
#define VGA_IO_SIZE 0x30

/* Port offsets from VGA_IO_BASE (IBM VGA Technical Reference, "Programming Considerations"). */
#define VGA_MDA_CRTC_INDEX 0x04 /* 0x3b4 */
#define VGA_MDA_CRTC_DATA  0x05
#define VGA_MDA_IS1	   0x0a /* 0x3ba read: input status 1; write: feature control */
#define VGA_ATT_W	   0x10 /* 0x3c0: index/data through the flip-flop */
#define VGA_ATT_R	   0x11 /* 0x3c1 */
#define VGA_MIS_W	   0x12 /* 0x3c2 write: misc output; read: input status 0 */
#define VGA_SEQ_I	   0x14 /* 0x3c4 */
#define VGA_SEQ_D	   0x15
#define VGA_PEL_MSK	   0x16 /* 0x3c6 */
#define VGA_PEL_IR	   0x17 /* 0x3c7 write: read index; read: DAC state */
#define VGA_PEL_IW	   0x18 /* 0x3c8 */
#define VGA_PEL_D	   0x19 /* 0x3c9 */
#define VGA_FTC_R	   0x1a /* 0x3ca: feature control read */
#define VGA_MIS_R	   0x1c /* 0x3cc: misc output read */
#define VGA_GFX_I	   0x1e /* 0x3ce */
#define VGA_GFX_D	   0x1f
#define VGA_CGA_CRTC_INDEX 0x24 /* 0x3d4 */
#define VGA_CGA_CRTC_DATA  0x25
#define VGA_CGA_IS1	   0x2a /* 0x3da */

/* Misc output (FreeVGA "External Registers"). */
#define VGA_MIS_COLOR	   0x01 /* I/OAS: CRTC and IS1 at 0x3dx, else 0x3bx */
#define VGA_MIS_RAM_EN	   0x02
#define VGA_MIS_CLK_SHIFT  2	/* bits 2-3: 25.175 / 28.322 MHz */
#define VGA_MIS_WRITE_MASK 0xef /* bit 4 is reserved: QEMU keeps it 0 */

/* Input status 1 (FreeVGA "External Registers"). */
#define VGA_IS1_DD 0x01 /* display disabled: outside the active display */
#define VGA_IS1_VR 0x08 /* vertical retrace */

#define VGA_FTC_WRITE_MASK 0x10 /* feature control: QEMU keeps only bit 4 (FC1 in some refs) */

/* Sequencer indices (FreeVGA "Sequencer Registers"). */
#define VGA_SEQ_RESET	       0x00
#define VGA_SEQ_CLOCK_MODE     0x01
#define VGA_SEQ_PLANE_WRITE    0x02
#define VGA_SEQ_CHARACTER_MAP  0x03
#define VGA_SEQ_MEMORY_MODE    0x04
#define VGA_SEQ_C	       8
#define VGA_SR01_8DOT	       0x01 /* 8-dot characters, else 9 */
#define VGA_SR01_DOT_CLOCK_DIV 0x08 /* dot clock halved */

/* Graphics controller indices (FreeVGA "Graphics Registers"). */
#define VGA_GFX_SR_VALUE      0x00
#define VGA_GFX_SR_ENABLE     0x01
#define VGA_GFX_COMPARE_VALUE 0x02
#define VGA_GFX_DATA_ROTATE   0x03
#define VGA_GFX_PLANE_READ    0x04
#define VGA_GFX_MODE	      0x05
#define VGA_GFX_MISC	      0x06
#define VGA_GFX_COMPARE_MASK  0x07
#define VGA_GFX_BIT_MASK      0x08
#define VGA_GFX_C	      16

/* CRTC indices (FreeVGA "CRT Controller Registers"). */
#define VGA_CRTC_H_TOTAL       0x00
#define VGA_CRTC_H_DISP	       0x01
#define VGA_CRTC_CURSOR_START  0x0a
#define VGA_CRTC_CURSOR_END    0x0b
#define VGA_CRTC_START_HI      0x0c
#define VGA_CRTC_START_LO      0x0d
#define VGA_CRTC_CURSOR_HI     0x0e
#define VGA_CRTC_CURSOR_LO     0x0f
#define VGA_CRTC_MAX_SCAN      0x09
#define VGA_CRTC_OFFSET	       0x13
#define VGA_CR0A_CURSOR_OFF    0x20
#define VGA_CRTC_V_TOTAL       0x06
#define VGA_CRTC_OVERFLOW      0x07
#define VGA_CRTC_V_SYNC_STRT   0x10
#define VGA_CRTC_V_SYNC_END    0x11
#define VGA_CRTC_V_DISP_END    0x12
#define VGA_CRTC_C	       256 /* QEMU stores all 256 indices: each reads back */
#define VGA_CR11_LOCK_CR0_CR7  0x80
#define VGA_CR07_LINE_COMPARE8 0x10 /* writable even while CR0-7 are protected */

/* Attribute controller (FreeVGA "Attribute Controller Registers"). */
#define VGA_ATT_C	  21   /* 0x00-0x14 */
#define VGA_AR_INDEX_MASK 0x3f /* bits 0-4 the index, bit 5 PAS */

#define VGA_DAC_ENTRIES 256

/* How input status 1 makes its retrace bits. */
enum vga_retrace {
	/* QEMU's default ("dumb"): each read flips VR and DD. Register
	 * sessions compare with QEMU in this mode. */
	VGA_RETRACE_TOGGLE,
	/* From the clock and the CRTC timings, as the hardware's counters run. */
	VGA_RETRACE_CLOCK,
};

struct vga_regs_cfg {
	enum vga_retrace retrace;
	/* ns on the platform clock; VGA_RETRACE_CLOCK needs it. */
	uint64_t (*clock_ns)(void *opaque);
	void *clock_opaque;
	/* Decode the PEL mask at 0x3c6. QEMU's std VGA does not (reads 0,
	 * writes ignored); the IBM VGA and the Cirrus chip do. */
	bool pel_mask;
};

struct vga_regs {
	struct vga_regs_cfg cfg;
	uint8_t msr, fcr, st00, st01;
	uint8_t sr_index, sr[VGA_SEQ_C];
	/*
	 * The sequencer as the memory path and the renderer see it while
	 * vbe_sr is set: sr, except where Bochs VBE forced chain-4 and all
	 * planes without the guest reading that back (QEMU's sr_vbe, from the
	 * CVE-2016-3712 fix). Each sequencer write updates both. The adapter
	 * sets vbe_sr; both are saved here.
	 */
	uint8_t sr_vbe[VGA_SEQ_C];
	bool vbe_sr;
	uint8_t gr_index, gr[VGA_GFX_C];
	uint8_t cr_index, cr[VGA_CRTC_C];
	uint8_t ar_index, ar[VGA_ATT_C];
	bool ar_flip_flop; /* false: the next 0x3c0 write is an index */
	uint8_t pel_mask;
	uint8_t dac_state; /* 0: write mode, 3: read mode (the DAC state register) */
	uint8_t dac_read_index, dac_write_index;
	uint8_t dac_sub_index; /* 0-2: which of R, G, B is next; shared by reads and writes */
	uint8_t dac_cache[3];  /* a write's colour until its third component */
	/* As written, 8 bits each: a 6-bit DAC uses the low 6 (vga_dac_rgb8),
	 * VBE's 8-bit DAC mode all 8. */
	uint8_t palette[VGA_DAC_ENTRIES * 3];
};

/* Sequencer register i (< VGA_SEQ_C) as memory access and scan-out use it. */
static inline uint8_t vga_sr(const struct vga_regs *s, unsigned i)
{
	return s->vbe_sr ? s->sr_vbe[i] : s->sr[i];
}

void vga_regs_init(struct vga_regs *s, const struct vga_regs_cfg *cfg);
/* Power-on state, as QEMU's vga_common_reset: every register 0. */
void vga_regs_reset(struct vga_regs *s);

/* One byte at off (0 .. VGA_IO_SIZE-1) from VGA_IO_BASE; beyond that or on a
 * port the misc register's colour bit puts out of decode: 0xff / ignored. */
uint8_t vga_regs_read(struct vga_regs *s, unsigned off);
void vga_regs_write(struct vga_regs *s, unsigned off, uint8_t val);

/* Palette entry idx as 8-bit R, G, B from its 6-bit components. */
void vga_dac_rgb8(const struct vga_regs *s, uint8_t idx, uint8_t rgb[3]);

/* Save-state fields (the caller opens and closes the section). Load
 * validates every field before it changes s: -EINVAL and s untouched. */
int vga_regs_save(const struct vga_regs *s, struct snap_wr *w);
__attribute__((warn_unused_result)) int vga_regs_load(struct vga_regs *s, struct snap_rd *r);

#endif
