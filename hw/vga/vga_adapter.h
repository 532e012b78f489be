/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every VGA-compatible adapter (std VGA, Cirrus) is made of: the VGA
 * core's register file at ports 0x3b0-0x3df, the legacy memory window
 * 0xa0000-0xbffff, the VRAM (guest memory under Xen, a host buffer on the
 * standalone platform), the page-granular dirty map the renderer reads,
 * and the machine's display source.
 *
 * An adapter embeds a struct vga_adapter in its state, fills in its ops
 * (the registers and scan-out modes it adds to the core) and calls
 * vga_adapter_init() then vga_adapter_map_legacy(). Its framebuffer BAR
 * goes through vga_adapter_lfb_map() (direct RAM under Xen) and, when the
 * platform cannot map it, through vga_adapter_lfb_read/write.
 */
#ifndef HW_VGA_VGA_ADAPTER_H
#define HW_VGA_VGA_ADAPTER_H

#include <stdbool.h>
#include <stdint.h>

#include "dm/bus.h"
#include "hw/vga/vga_mem.h"
#include "hw/vga/vga_regs.h"
#include "hw/vga/vga_render.h"

struct machine;
struct vga_adapter;
struct snap_wr;
struct snap_rd;

#define VGA_WINDOW_BASE 0xa0000
#define VGA_PAGE_SHIFT	12

/* What an adapter adds to the VGA core. Every op may be NULL. */
struct vga_adapter_ops {
	/* A port 0x3b0 + off (off < VGA_IO_SIZE) the adapter decodes itself: true, *val set. */
	bool (*port_read)(struct vga_adapter *a, unsigned off, uint8_t *val);
	bool (*port_write)(struct vga_adapter *a, unsigned off, uint8_t val);
	/* A byte of the 0xa0000 window (off < VGA_MEM_WINDOW_SIZE) the adapter handles. */
	bool (*window_read)(struct vga_adapter *a, uint32_t off, uint8_t *val);
	bool (*window_write)(struct vga_adapter *a, uint32_t off, uint8_t val);
	/*
	 * The scan-out when the adapter's own mode is on (Bochs VBE, Cirrus
	 * extended modes): true with so filled; false: the CRTC's.
	 */
	bool (*scanout)(struct vga_adapter *a, struct vga_scanout *so);
};

struct vga_adapter {
	struct machine *m;
	const char *name; /* the device instance, for logs */
	struct vga_regs regs;
	struct vga_mem mem;
	uint8_t *vram;
	uint32_t vram_size;  /* a power of two, >= 256 KiB */
	bool vram_platform;  /* vram came from plat_vram_alloc (guest memory) */
	bool dac_8bit;	     /* palette components 8 bits wide (Bochs VBE's DAC switch) */
	bool lfb_direct;     /* the framebuffer is mapped as RAM by the platform */
	uint64_t lfb_gpa;    /* where, while lfb_direct */
	uint64_t *dirty;     /* a bit per VRAM page written since the last refresh */
	struct region ports; /* 0x3b0-0x3df */
	struct region window;
	const struct vga_adapter_ops *ops;
	void *opaque; /* the adapter's state, for its ops */
	struct vga_render render;
	bool display_registered;
};

/*
 * VRAM of vram_size bytes (power of two, 256 KiB .. 512 MiB), the core
 * reset, no bus regions yet. 0, -EINVAL, -ENOMEM (message logged).
 */
__attribute__((warn_unused_result)) int
vga_adapter_init(struct vga_adapter *a, struct machine *m, const char *name, uint32_t vram_size,
		 const struct vga_regs_cfg *cfg, const struct vga_adapter_ops *ops, void *opaque);
/* Claim ports 0x3b0-0x3df and the window, register the display source. */
__attribute__((warn_unused_result)) int vga_adapter_map_legacy(struct vga_adapter *a);
/* Undo init and map_legacy; safe on a partial init. */
void vga_adapter_fini(struct vga_adapter *a);
/* The core's power-on state (VRAM is left as it is, as on QEMU). */
void vga_adapter_reset(struct vga_adapter *a);

/* The core's port and window decoding, for adapters that decode the same ports elsewhere. */
uint8_t vga_adapter_port_read(struct vga_adapter *a, unsigned off);
void vga_adapter_port_write(struct vga_adapter *a, unsigned off, uint8_t val);

/* Mark VRAM bytes [off, off + len) written (clipped to VRAM). */
void vga_adapter_mark(struct vga_adapter *a, uint64_t off, uint64_t len);
/* Was a page of [off, off + len) written since the last vga_adapter_clear_dirty? */
bool vga_adapter_dirty(const struct vga_adapter *a, uint64_t off, uint64_t len);
/* Pull the platform's dirty pages (framebuffer written as RAM) into the map. */
void vga_adapter_sync_dirty(struct vga_adapter *a);
void vga_adapter_clear_dirty(struct vga_adapter *a);

/*
 * The framebuffer BAR was mapped at gpa / unmapped. True when the platform
 * maps VRAM there as RAM (no MMIO region needed); false: the adapter
 * emulates the range with vga_adapter_lfb_read/write.
 */
bool vga_adapter_lfb_map(struct vga_adapter *a, bool mapped, uint64_t gpa);
/* size 1, 2, 4 or 8 bytes at VRAM offset off, little-endian; past VRAM: all ones / dropped. */
uint64_t vga_adapter_lfb_read(struct vga_adapter *a, uint64_t off, unsigned size);
void vga_adapter_lfb_write(struct vga_adapter *a, uint64_t off, uint64_t val, unsigned size);

/* Save-state fields of the core (registers, latches); load validates first. */
int vga_adapter_save(const struct vga_adapter *a, struct snap_wr *w);
__attribute__((warn_unused_result)) int vga_adapter_load(struct vga_adapter *a, struct snap_rd *r);
/* After a load: every page dirty, the next refresh redraws everything. */
void vga_adapter_post_load(struct vga_adapter *a);

#endif
