/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Bochs VBE "dispi" interface (Bochs vbe.h; QEMU 7.2 vga.c
 * vbe_ioport_*): an index and eleven 16-bit registers that set a linear
 * framebuffer mode over the VGA core's VRAM. Reached through ports
 * 0x1ce (index) / 0x1cf, 0x1d0 (data) and the std VGA's MMIO BAR.
 *
 * Every size and offset the guest writes is clipped against the VRAM
 * (QEMU's vbe_fixup_regs, the CVE-2016-3712 fix) before anything scans
 * out or clears memory with it.
 */
#ifndef HW_VGA_BOCHS_VBE_H
#define HW_VGA_BOCHS_VBE_H

#include <stdbool.h>
#include <stdint.h>

struct vga_adapter;
struct vga_scanout;
struct snap_wr;
struct snap_rd;

#define VBE_DISPI_INDEX_ID		 0x0
#define VBE_DISPI_INDEX_XRES		 0x1
#define VBE_DISPI_INDEX_YRES		 0x2
#define VBE_DISPI_INDEX_BPP		 0x3
#define VBE_DISPI_INDEX_ENABLE		 0x4
#define VBE_DISPI_INDEX_BANK		 0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH	 0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT	 0x7
#define VBE_DISPI_INDEX_X_OFFSET	 0x8
#define VBE_DISPI_INDEX_Y_OFFSET	 0x9
#define VBE_DISPI_INDEX_NB		 0xa /* registers stored */
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa /* read only: VRAM in 64 KiB units */

#define VBE_DISPI_ID0	   0xb0c0
#define VBE_DISPI_ID5	   0xb0c5
#define VBE_DISPI_MAX_XRES 16000
#define VBE_DISPI_MAX_YRES 12000
#define VBE_DISPI_MAX_BPP  32

#define VBE_DISPI_ENABLED     0x01
#define VBE_DISPI_GETCAPS     0x02
#define VBE_DISPI_8BIT_DAC    0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM  0x80

struct bochs_vbe {
	uint16_t index;
	uint16_t regs[VBE_DISPI_INDEX_NB];
	uint32_t line_offset; /* bytes, from the virtual width and depth */
	uint32_t start_addr;  /* dwords, from the X/Y offsets */
};

void vbe_reset(struct bochs_vbe *v);
bool vbe_enabled(const struct bochs_vbe *v);

uint16_t vbe_read_index(const struct bochs_vbe *v);
void vbe_write_index(struct bochs_vbe *v, uint16_t val);
uint16_t vbe_read_data(const struct bochs_vbe *v, const struct vga_adapter *a);
/* May change the VGA core's registers, the bank and VRAM (a mode set clears it). */
void vbe_write_data(struct bochs_vbe *v, struct vga_adapter *a, uint16_t val);

/* The scan-out while VBE is enabled (false when it is not). */
bool vbe_scanout(const struct bochs_vbe *v, struct vga_scanout *so);

int vbe_save(const struct bochs_vbe *v, struct snap_wr *w);
/* Validates against the VRAM size (vram_size) before it changes v. */
__attribute__((warn_unused_result)) int vbe_load(struct bochs_vbe *v, struct snap_rd *r,
						 uint32_t vram_size);

#endif
