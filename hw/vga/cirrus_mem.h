/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CLGD5446's memory side: the banked 0xa0000 window (GR9/GRA/GRB),
 * write modes 4 and 5 (colour expansion by the CPU), the linear frame
 * buffer in BAR0 with its address shifts, the BitBLT aperture at BAR0 +
 * 16 MiB, the memory-mapped BLT registers (at 0xb8000, at the top of the
 * linear window, and in the 4 KiB MMIO BAR, which also carries the VGA
 * ports 0x3c0-0x3df); and the adapter hooks that put the extended
 * registers, window and scan-out in front of the VGA core's.
 *
 * struct cirrus_chip is the part of cirrus-vga that needs no PCI: the
 * extension registers, the blitter and the banks over a vga_adapter.
 */
#ifndef HW_VGA_CIRRUS_MEM_H
#define HW_VGA_CIRRUS_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/vga/cirrus_blt.h"
#include "hw/vga/cirrus_regs.h"

struct vga_adapter;

#define CIRRUS_VRAM_DECODED  (4u << 20) /* the CLGD5446 decodes 4 MiB whatever is fitted */
#define CIRRUS_BAR0_SIZE     (32u << 20)
#define CIRRUS_BLT_APERTURE  (16u << 20) /* BAR0 offset of the system-to-video aperture */
#define CIRRUS_BLT_APER_SIZE (4u << 20)
#define CIRRUS_MMIO_SIZE     0x1000
#define CIRRUS_MMIO_BLT	     0x100 /* BLT registers in the MMIO BAR; below: VGA ports 0x3c0+ */

struct cirrus_chip {
	struct vga_adapter *a;
	struct cirrus_regs regs;
	struct cirrus_blt blt;
	struct cirrus_vram vram;
	uint32_t bank_base[2], bank_limit[2]; /* the two 32 KiB halves of 0xa0000-0xaffff */
	bool blitter;			      /* the "blitter" property */
	bool linear_mapped;		      /* BAR0 is plain VRAM (cirrus_linear_direct) */
	/* Called when linear_mapped changes (the adapter maps VRAM into BAR0). May be NULL. */
	void (*linear_changed)(void *opaque, bool direct);
	void *linear_opaque;
};

/* The vga_adapter ops of a Cirrus: pass them with the chip as the adapter's opaque. */
extern const struct vga_adapter_ops cirrus_adapter_ops;

/* Over a's registers and VRAM (a initialised, vram_size 4, 8 or 16 MiB). */
void cirrus_chip_init(struct cirrus_chip *k, struct vga_adapter *a, bool blitter);
/* After vga_adapter_reset: QEMU's cirrus_reset. */
void cirrus_chip_reset(struct cirrus_chip *k);
/* React to what a register write returned (CIRRUS_EV_*). */
void cirrus_chip_events(struct cirrus_chip *k, unsigned ev);
/* Banks from GR9/GRA/GRB (after a load, too). */
void cirrus_update_banks(struct cirrus_chip *k);

/* The extended window: false leaves the access to the VGA core (SR7 bit 0 clear). */
bool cirrus_window_read(struct cirrus_chip *k, uint32_t off, uint8_t *val);
bool cirrus_window_write(struct cirrus_chip *k, uint32_t off, uint8_t val);

/* BAR0, byte by byte (off < CIRRUS_BAR0_SIZE). */
uint8_t cirrus_bar0_read(struct cirrus_chip *k, uint32_t off);
void cirrus_bar0_write(struct cirrus_chip *k, uint32_t off, uint8_t val);

/* The memory-mapped BLT registers (QEMU's cirrus_mmio_blt_*), off < 0x100. */
uint8_t cirrus_blt_reg_read(struct cirrus_chip *k, uint32_t off);
void cirrus_blt_reg_write(struct cirrus_chip *k, uint32_t off, uint8_t val);

/* BAR1 (off < CIRRUS_MMIO_SIZE): the VGA ports 0x3c0-0x3df, then the BLT registers. */
uint8_t cirrus_mmio_read(struct cirrus_chip *k, uint32_t off);
void cirrus_mmio_write(struct cirrus_chip *k, uint32_t off, uint8_t val);

/*
 * May the platform map VRAM straight into BAR0 (QEMU's map_linear_vram)?
 * Not while a system-to-video transfer waits, the BLT registers sit at the
 * top of the window, the address is shifted (GRB x8/x16) or write modes 4/5
 * are on: then every access must come to cirrus_bar0_*.
 */
bool cirrus_linear_direct(const struct cirrus_chip *k);

#endif
